/* Learning curves from a results folder (docs/results.md): strict CSV
 * reading, and either statistics across seeds (`livegym plot`) or each
 * run's final value (`livegym compare`).
 *
 * Accepted files (first line is the header, one row per point):
 *     agent,seed,step,return,watch_minutes,...   long format of `livegym run`
 *     agent,step,avg_reward,pct_optimal          bandit testbed (already averaged over runs)
 *     agent,episode,sum_reward                   Cliff Walking (already averaged over runs)
 *     agent,seed,minute,day,hour,slot_steps,sessions,return,...   timeline.csv
 * In general: a column `agent`, an x column `step` or `episode` (or
 * `minute`, when there is neither), an optional `seed` column, and metric
 * columns; minute, day, hour, slot_steps and sessions are context, never
 * metrics. Rows are grouped by (agent, x); with a
 * seed column each group's values are the seeds', summarised by their mean
 * and a 95% Student-t confidence interval. */
#ifndef LGX_CURVES_H
#define LGX_CURVES_H

#include <stddef.h>

#define LGX_CURVES_MAX_BYTES (256L * 1024 * 1024)
#define LGX_CURVES_MAX_AGENTS 1024 /* as many as an experiment has (LGX_MAX_AGENTS) */
#define LGX_CURVES_MAX_COLUMNS 64
#define LGX_COLUMN_LEN 64

typedef struct {
    char label[LGX_COLUMN_LEN];
    int n;        /* points, by increasing x */
    double *x;
    double *mean;
    double *lo, *hi; /* mean -+ the 95% CI half-width; NAN where fewer than two seeds */
    int *count;      /* values (seeds) behind each point */
} lgx_curve;

typedef struct {
    char xcol[LGX_COLUMN_LEN];   /* "step", "episode" or "minute" */
    char metric[LGX_COLUMN_LEN]; /* the metric read */
    int has_seed;
    int max_count; /* most seeds behind one point */
    int min_count;
    int n_metrics;
    char metrics[LGX_CURVES_MAX_COLUMNS][LGX_COLUMN_LEN]; /* every metric column, in file order */
    int n_curves;
    lgx_curve *curves; /* one per agent, in order of first appearance */
} lgx_curves;

/* Read `path` and summarise `metric` (NULL: "return" if there is such a
 * column, else the first metric column). Returns 0; 2 for bad input (a
 * missing or malformed file, an unknown metric: "PATH:LINE: expected ...,
 * found ..."); 1 for a failure (out of memory, read error). On error out is
 * empty. */
int lgx_curves_load(const char *path, const char *metric, lgx_curves *out, char *err, size_t errsz);
void lgx_curves_free(lgx_curves *c);

/* The final evaluation of every (agent, seed) of a long-format file (one
 * with a seed column): `metric`'s value at that run's largest step. */
typedef struct {
    int agent; /* index into labels */
    long seed;
    double value;
} lgx_final;

typedef struct {
    int n_agents;
    char labels[LGX_CURVES_MAX_AGENTS][LGX_COLUMN_LEN]; /* in order of first appearance */
    int n;
    lgx_final *rows; /* sorted by agent, then seed */
} lgx_finals;

/* Returns as lgx_curves_load does (a file without a seed column is bad input). */
int lgx_finals_load(const char *path, const char *metric, lgx_finals *out, char *err, size_t errsz);
void lgx_finals_free(lgx_finals *f);

#endif
