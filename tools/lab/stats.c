#include "lgx_stats.h"

#include <math.h>

double lgx_t95(int df)
{
    static const double t[30] = {12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
                                 2.262157,  2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
                                 2.109816,  2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
                                 2.059539,  2.055529, 2.051831, 2.048407, 2.045230, 2.042272};
    if (df < 1) return NAN;
    if (df <= 30) return t[df - 1];
    /* Cornish-Fisher expansion of t around the normal quantile z (Abramowitz
     * and Stegun 26.7.5); below 1e-5 relative error from df 30 on. */
    const double z = 1.959963984540054, n = (double)df;
    double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
    double g1 = (z3 + z) / 4.0;
    double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96.0;
    double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384.0;
    double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160.0;
    return z + g1 / n + g2 / (n * n) + g3 / (n * n * n) + g4 / (n * n * n * n);
}

lgx_stat lgx_stat_of(const double *x, int n)
{
    lgx_stat s = {NAN, NAN, NAN, n};
    if (n < 1) return s;
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += x[i];
    s.mean = sum / n;
    if (n < 2) return s;
    double ss = 0.0;
    for (int i = 0; i < n; i++) ss += (x[i] - s.mean) * (x[i] - s.mean);
    s.sd = sqrt(ss / (n - 1));
    s.ci95 = lgx_t95(n - 1) * s.sd / sqrt((double)n);
    return s;
}

lgx_stat lgx_stat_paired(const double *a, const double *b, int n)
{
    double d[n > 0 ? n : 1];
    for (int i = 0; i < n; i++) d[i] = a[i] - b[i];
    return lgx_stat_of(d, n);
}
