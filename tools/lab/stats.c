#include "lgx_stats.h"

#include <math.h>

double lgx_t95(int df)
{
    /* Exact to 3 decimals for df <= 30, then the normal approximation
     * corrected by the first Cornish-Fisher term (error < 0.002 for df > 30). */
    static const double t[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                 2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (df < 1) return NAN;
    if (df <= 30) return t[df - 1];
    const double z = 1.959964;
    return z + (z * z * z + z) / (4.0 * df);
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
