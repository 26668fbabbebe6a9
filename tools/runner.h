/* The experiment runner behind `livegym run`: trains and evaluates every
 * (agent, seed) of an experiment, in parallel, deterministically, and writes
 * the results folder described in docs/results.md. */
#ifndef LG_RUNNER_H
#define LG_RUNNER_H

#include <signal.h>
#include <stdint.h>

#include "lg_env.h"
#include "lg_scenario_json.h"
#include "stats.h"

/* Metrics of one evaluation (docs/results.md). */
enum {
    LG_M_RETURN,
    LG_M_WATCH,
    LG_M_STEPS,
    LG_M_CTR,
    LG_M_GIFTS,
    LG_M_FOLLOWS,
    LG_M_PRECISION,
    LG_M_RECALL,
    LG_M_F1,
    LG_M_NDCG,
    LG_M_COVERAGE,
    LG_M_GINI,
    LG_M_REGRET,
    LG_M_INVALID,
    LG_M_COUNT
};
extern const char *const lg_metric_names[LG_M_COUNT];
/* 1 when larger is better, -1 when smaller is better, 0 when neither. */
extern const int lg_metric_direction[LG_M_COUNT];

typedef struct {
    long step;                /* training slot-steps done before this evaluation */
    double m[LG_M_COUNT];
} lg_eval_point;

/* One (agent, seed): its learning curve (the last point is the final
 * evaluation) and its timing, kept apart so results compare byte-equal. */
typedef struct {
    int done;
    int n_points;
    lg_eval_point *points;
    double train_seconds;
    double steps_per_sec;
} lg_job_result;

/* Classic envs: online curves summed over runs, per agent. */
typedef struct {
    int length;            /* steps (bandit) or episodes (cliff) */
    float *raw_reward;     /* [runs * length] per run, while running */
    uint8_t *raw_optimal;  /* [runs * length] */
    double *reward;        /* [length] sum over finished runs of the step reward / episode return */
    double *optimal;       /* [length] bandit: finished runs that chose an optimal arm */
    int runs;              /* finished runs */
} lg_online_curve;

typedef struct {
    const lg_scenario *sc;
    lg_experiment ex;       /* after flags */
    int threads;
    const char *out_dir;    /* NULL: no results folder */
    int resume;
    int progress;           /* draw progress on stderr */
    const char *command;    /* the command line, for command.txt */
    volatile sig_atomic_t *stop; /* set asynchronously (Ctrl-C): finish cleanly, mark partial */
} lg_run_config;

typedef struct {
    int n_agents, seeds;
    lg_job_result *jobs;     /* [n_agents * seeds], agent-major */
    lg_online_curve *online; /* [n_agents] for classic envs, else NULL */
    int jobs_done, jobs_total;
    int interrupted;
    double wall_seconds;
} lg_run_result;

/* Evaluation points of the live protocol: step 0, every eval_every, and the end. */
int lg_run_points(const lg_experiment *ex);

/* Run (or resume) the experiment. Returns 0 when every job ran, 1 when it
 * was interrupted (the folder is marked partial), -2 when the experiment is
 * invalid (an agent or its hyperparameters; nothing ran), -1 on a failure
 * while running (err set). */
int lg_run_experiment(const lg_run_config *cfg, lg_run_result *res, char *err, size_t errsz);
void lg_run_result_free(lg_run_result *res);

/* The results folder. lg_results_write writes everything that depends on the
 * results (status, curves, runs, summary, timing); it is called at the end,
 * and on interruption with whatever finished. */
int lg_results_prepare(const lg_run_config *cfg, char *err, size_t errsz);
int lg_results_write(const lg_run_config *cfg, const lg_run_result *res, char *err, size_t errsz);
int lg_results_write_job(const lg_run_config *cfg, int agent, int seed, const lg_job_result *job, char *err,
                         size_t errsz);
/* Read a finished job back (for --resume). Returns 0 if present and valid. */
int lg_results_read_job(const lg_run_config *cfg, int agent, int seed, lg_job_result *job);
/* Mid-run checkpoints of a learning job (agent state + training env state +
 * the curve so far), written after each evaluation; resume continues from
 * the last one bit for bit. read returns 0 when a valid checkpoint was loaded
 * into agent and env (on failure the job must restart from scratch). */
typedef struct lga_agent lga_agent;
int lg_results_write_checkpoint(const lg_run_config *cfg, int agent_i, int seed, int point, long trained,
                                double train_time, const lg_eval_point *points, lga_agent *agent,
                                const lg_env *env, char *err, size_t errsz);
int lg_results_read_checkpoint(const lg_run_config *cfg, int agent_i, int seed, int *point, long *trained,
                               double *train_time, lg_eval_point *points, int n_points, lga_agent *agent,
                               lg_env *env);
void lg_results_remove_checkpoint(const lg_run_config *cfg, int agent_i, int seed, int point);

/* Statistics of the final evaluation of agent a's metric m over its finished
 * seeds, and of the paired difference a - b over the seeds both finished
 * (same seeds, same evaluation envs). The table and summary.json share them. */
lg_stat lg_results_stat(const lg_run_result *res, int a, int m);
lg_stat lg_results_paired(const lg_run_result *res, int a, int b, int m);

/* An online curve averaged over its runs: mean reward over all steps (or
 * episodes), over the last 10%, and % of runs optimal over the last 10%. */
typedef struct {
    double mean, last, pct_optimal;
} lg_online_summary;
lg_online_summary lg_online_summarise(const lg_online_curve *oc);

/* Index of the experiment's baseline agent, or -1. */
int lg_results_baseline(const lg_experiment *ex);
/* summary.json's content as text (malloc'd), for --json. */
char *lg_results_summary_text(const lg_run_config *cfg, const lg_run_result *res);

#endif
