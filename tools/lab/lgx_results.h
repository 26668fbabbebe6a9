/* The results folder of a run (docs/results.md): every file written
 * atomically; every wall-clock figure confined to timing.json so that the
 * rest compares byte-equal; mid-run checkpoints for --resume; and the
 * statistics that the table and summary.json share. */
#ifndef LGX_RESULTS_H
#define LGX_RESULTS_H

#include "lgx_run.h"
#include "lgx_stats.h"

/* A run owns its results folder while it lives: an exclusive lock on
 * DIR/.lock (flock: the system releases it when the process dies, even by
 * kill -9) holding the owner's pid and start time. lock creates DIR if
 * needed and returns the lock's descriptor, or -1 with one line naming the
 * owner when another run holds it. unlock(-1) does nothing. */
int lgx_results_lock(const char *dir, char *err, size_t errsz);
void lgx_results_unlock(int fd);

/* The results folder. lgx_results_write writes everything that depends on the
 * results (status, curves, runs, summary, timing); it is called at the end,
 * and on interruption with whatever finished. */
int lgx_results_prepare(const lgx_run_config *cfg, char *err, size_t errsz);
int lgx_results_write(const lgx_run_config *cfg, const lgx_run_result *res, char *err, size_t errsz);
int lgx_results_write_job(const lgx_run_config *cfg, int agent, int seed, const lgx_job *job, char *err,
                         size_t errsz);
/* runs/LABEL/seed-S.json of a job, or (dir_only) its folder runs/LABEL. */
void lgx_results_job_path(const lgx_run_config *cfg, int agent, int seed, char *out, size_t n, int dir_only);
/* Read a finished job back (for --resume): 0 when present and valid; 1
 * when there is none; -1 with one line in err (file, field, expected) when
 * it is refused (the job then runs again). */
int lgx_results_read_job(const lgx_run_config *cfg, int agent, int seed, lgx_job *job, char *err, size_t errsz);
/* A finished job's file as text (malloc'd; NULL when out of memory), and
 * that text read back into job (its points; 0, or -1 with why): what
 * another process of an MPI run sends (lgx_dispatch.h). */
char *lgx_results_job_text(const lgx_run_config *cfg, int agent, int seed, const lgx_job *job);
int lgx_results_parse_job(const lgx_run_config *cfg, int agent, const char *text, size_t n, lgx_job *job, char *why,
                          size_t whysz);
/* Mid-run checkpoints of a job (agent state, training env state, the curve
 * and the timeline so far), written after each evaluation; resume continues
 * from the last one bit for bit. A checkpoint is hostile until checked:
 * read returns 0 when one was loaded into agent, env and timeline; 1 when
 * there is none; -1 with one line in err (the file and what is wrong) when
 * one is refused, and then agent, env and timeline are as they were (the
 * job restarts from the beginning). */
typedef struct lga_agent lga_agent;
int lgx_results_write_checkpoint(const lgx_run_config *cfg, int agent_i, int seed, int point, long trained,
                                double train_time, const lgx_eval_point *points, lga_agent *agent,
                                const lg_env *env, const lgx_timeline *tl, char *err, size_t errsz);
int lgx_results_read_checkpoint(const lgx_run_config *cfg, int agent_i, int seed, int *point, long *trained,
                               double *train_time, lgx_eval_point *points, int n_points, lga_agent *agent,
                               lg_env *env, lgx_timeline *tl, char *err, size_t errsz);
void lgx_results_remove_checkpoint(const lgx_run_config *cfg, int agent_i, int seed, int point);

/* The timeline of a finished job beside its runs/LABEL/seed-S.json, read
 * back (0) by --resume; and timeline.csv, every window of every finished
 * job (live protocol). */
int lgx_timeline_write(const lgx_run_config *cfg, int agent, int seed, const lgx_timeline *tl, char *err,
                       size_t errsz);
int lgx_timeline_read(const lgx_run_config *cfg, int agent, int seed, lgx_timeline *tl, char *err, size_t errsz);
/* A finished job's timeline from its block (tl->block's bytes, as another
 * process sent them), checked: 0, or -1 with a message. */
int lgx_timeline_from_block(const lgx_run_config *cfg, const void *block, size_t n, lgx_timeline *tl, char *err,
                            size_t errsz);
int lgx_timeline_csv(const lgx_run_config *cfg, const lgx_run_result *res, char *err, size_t errsz);

/* Statistics of the final evaluation of agent a's metric m over its finished
 * seeds, and of the paired difference a - b over the seeds both finished
 * (same seeds, same evaluation envs). The table and summary.json share them. */
lgx_stat lgx_results_stat(const lgx_run_result *res, int a, int m);
lgx_stat lgx_results_paired(const lgx_run_result *res, int a, int b, int m);

/* An online curve averaged over its runs: mean reward over all steps (or
 * episodes), over the last 10%, and % of runs optimal over the last 10%. */
typedef struct {
    double mean, last, pct_optimal;
} lgx_online_summary;
lgx_online_summary lgx_online_summarise(const lgx_online_curve *oc);

/* The agents' ranks, 1 = best (ties in experiment order; no data last), by
 * the metric whose name is returned: the final evaluation's mean return
 * (live) or the mean reward over the run (classic). */
const char *lgx_results_rank(const lgx_run_result *res, int *rank);

/* curves.csv's content as text (malloc'd; NULL when out of memory). */
char *lgx_results_curves_text(const lgx_run_config *cfg, const lgx_run_result *res);
/* summary.json's content as text (malloc'd), for --json. */
char *lgx_results_summary_text(const lgx_run_config *cfg, const lgx_run_result *res);

#endif
