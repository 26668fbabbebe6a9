/* Summary statistics for results: means with Student-t 95% confidence
 * intervals across seeds, and paired differences. */
#ifndef LGX_STATS_H
#define LGX_STATS_H

typedef struct {
    double mean;
    double ci95; /* half-width; NAN when n < 2 */
    double sd;
    int n;
} lgx_stat;

/* Two-sided 95% quantile of Student's t with df degrees of freedom. */
double lgx_t95(int df);
lgx_stat lgx_stat_of(const double *x, int n);
/* Statistics of the paired differences a[i] - b[i]. */
lgx_stat lgx_stat_paired(const double *a, const double *b, int n);

#endif
