/* The experiment runner behind `livegym run`: trains and evaluates every
 * (agent, seed) of an experiment, in parallel, deterministically, and writes
 * the results folder described in docs/results.md. */
#ifndef LGX_RUN_H
#define LGX_RUN_H

#include <signal.h>
#include <stdint.h>

#include "lg_env.h"
#include "lgx_experiment.h"
#include "lgx_stats.h"

/* Metrics of one evaluation (docs/results.md). */
enum {
    LGX_M_RETURN,
    LGX_M_WATCH,
    LGX_M_STEPS,
    LGX_M_CTR,
    LGX_M_GIFTS,
    LGX_M_FOLLOWS,
    LGX_M_PRECISION,
    LGX_M_RECALL,
    LGX_M_F1,
    LGX_M_NDCG,
    LGX_M_COVERAGE,
    LGX_M_GINI,
    LGX_M_REGRET,
    LGX_M_INVALID,
    LGX_M_COUNT
};
extern const char *const lgx_metric_names[LGX_M_COUNT];
/* 1 when larger is better, -1 when smaller is better, 0 when neither. */
extern const int lgx_metric_direction[LGX_M_COUNT];

typedef struct {
    long step;                /* training slot-steps done before this evaluation */
    double m[LGX_M_COUNT];
} lgx_eval_point;

/* One (agent, seed): its learning curve (the last point is the final
 * evaluation) and its timing, kept apart so results compare byte-equal. */
typedef struct {
    int done;
    int n_points;
    lgx_eval_point *points;
    double train_seconds;
    double steps_per_sec;
} lgx_job;

/* Classic envs: online curves summed over runs, per agent. */
typedef struct {
    int length;            /* steps (bandit) or episodes (cliff) */
    float *raw_reward;     /* [runs * length] per run, while running */
    uint8_t *raw_optimal;  /* [runs * length] */
    double *reward;        /* [length] sum over finished runs of the step reward / episode return */
    double *optimal;       /* [length] bandit: finished runs that chose an optimal arm */
    int runs;              /* finished runs */
} lgx_online_curve;

typedef struct {
    const lg_scenario *sc;
    lgx_experiment ex;       /* after flags */
    int threads;
    const char *out_dir;    /* NULL: no results folder */
    int resume;
    int progress;           /* draw progress on stderr */
    const char *command;    /* the command line, for command.txt */
    volatile sig_atomic_t *stop; /* set asynchronously (Ctrl-C): finish cleanly, mark partial */
} lgx_run_config;

typedef struct {
    int n_agents, seeds;
    lgx_job *jobs;     /* [n_agents * seeds], agent-major */
    lgx_online_curve *online; /* [n_agents] for classic envs, else NULL */
    int jobs_done, jobs_total;
    int interrupted;
    double wall_seconds;
} lgx_run_result;

/* Evaluation points of the live protocol: step 0, every eval_every, and the end. */
int lgx_run_points(const lgx_experiment *ex);

/* Run (or resume) the experiment. Returns 0 when every job ran, 1 when it
 * was interrupted (the folder is marked partial), -2 when the experiment is
 * invalid (an agent or its hyperparameters; nothing ran), -1 on a failure
 * while running (err set). */
int lgx_run(const lgx_run_config *cfg, lgx_run_result *res, char *err, size_t errsz);
void lgx_run_result_free(lgx_run_result *res);

/* The results folder. lgx_results_write writes everything that depends on the
 * results (status, curves, runs, summary, timing); it is called at the end,
 * and on interruption with whatever finished. */
int lgx_results_prepare(const lgx_run_config *cfg, char *err, size_t errsz);
int lgx_results_write(const lgx_run_config *cfg, const lgx_run_result *res, char *err, size_t errsz);
int lgx_results_write_job(const lgx_run_config *cfg, int agent, int seed, const lgx_job *job, char *err,
                         size_t errsz);
/* Read a finished job back (for --resume). Returns 0 if present and valid. */
int lgx_results_read_job(const lgx_run_config *cfg, int agent, int seed, lgx_job *job);
/* Mid-run checkpoints of a learning job (agent state + training env state +
 * the curve so far), written after each evaluation; resume continues from
 * the last one bit for bit. read returns 0 when a valid checkpoint was loaded
 * into agent and env (on failure the job must restart from scratch). */
typedef struct lga_agent lga_agent;
int lgx_results_write_checkpoint(const lgx_run_config *cfg, int agent_i, int seed, int point, long trained,
                                double train_time, const lgx_eval_point *points, lga_agent *agent,
                                const lg_env *env, char *err, size_t errsz);
int lgx_results_read_checkpoint(const lgx_run_config *cfg, int agent_i, int seed, int *point, long *trained,
                               double *train_time, lgx_eval_point *points, int n_points, lga_agent *agent,
                               lg_env *env);
void lgx_results_remove_checkpoint(const lgx_run_config *cfg, int agent_i, int seed, int point);

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

/* summary.json's content as text (malloc'd), for --json. */
char *lgx_results_summary_text(const lgx_run_config *cfg, const lgx_run_result *res);

#endif
