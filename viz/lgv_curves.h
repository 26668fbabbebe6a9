/* Learning curves from a results folder (docs/results.md): strict CSV
 * reading and statistics across seeds, with no SDL, for `livegym plot`.
 *
 * Accepted files (first line is the header, one row per point):
 *     agent,seed,step,return,watch_minutes,...   long format of `livegym run`
 *     agent,step,avg_reward,pct_optimal          bandit testbed (already averaged over runs)
 *     agent,episode,sum_reward                   Cliff Walking (already averaged over runs)
 * In general: a column `agent`, an x column `step` or `episode`, an optional
 * `seed` column, and metric columns. Rows are grouped by (agent, x); with a
 * seed column each group's values are the seeds', summarised by their mean
 * and a 95% Student-t confidence interval. */
#ifndef LGV_CURVES_H
#define LGV_CURVES_H

#include <stddef.h>

#define LGV_CURVES_MAX_BYTES (256L * 1024 * 1024)
#define LGV_CURVES_MAX_AGENTS 64
#define LGV_CURVES_MAX_COLUMNS 64
#define LGV_COLUMN_LEN 64

typedef struct {
    char label[LGV_COLUMN_LEN];
    int n;        /* points, by increasing x */
    double *x;
    double *mean;
    double *lo, *hi; /* mean -+ the 95% CI half-width; NAN where fewer than two seeds */
    int *count;      /* values (seeds) behind each point */
} lgv_curve;

typedef struct {
    char xcol[LGV_COLUMN_LEN];   /* "step" or "episode" */
    char metric[LGV_COLUMN_LEN]; /* the metric read */
    int has_seed;
    int max_count; /* most seeds behind one point */
    int min_count;
    int n_metrics;
    char metrics[LGV_CURVES_MAX_COLUMNS][LGV_COLUMN_LEN]; /* every metric column, in file order */
    int n_curves;
    lgv_curve *curves; /* one per agent, in order of first appearance */
} lgv_curves;

/* Read `path` and summarise `metric` (NULL: "return" if there is such a
 * column, else the first metric column). Returns 0; 2 for bad input (a
 * missing or malformed file, an unknown metric: "PATH:LINE: expected ...,
 * found ..."); 1 for a failure (out of memory, read error). On error out is
 * empty. */
int lgv_curves_load(const char *path, const char *metric, lgv_curves *out, char *err, size_t errsz);
void lgv_curves_free(lgv_curves *c);

/* Two-sided 95% quantile of Student's t with df degrees of freedom (NAN for
 * df < 1): the exact table to df 30, a Cornish-Fisher expansion beyond. */
double lgv_t95(int df);

/* Axis label (with units) of a metric column, e.g. "return per session". */
const char *lgv_metric_label(const char *metric);

#endif
