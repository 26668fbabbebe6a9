/* The experiment runner behind `livegym run`: trains and evaluates every
 * (agent, seed) of an experiment on T threads, deterministically (the
 * results never depend on T), and writes the results folder described in
 * docs/results.md (lgx_results.h). */
#ifndef LGX_RUN_H
#define LGX_RUN_H

#include <signal.h>
#include <stdint.h>

#include "lg_env.h"
#include "lg_sbuf.h"
#include "lgx_binding.h"
#include "lgx_dispatch.h"
#include "lgx_experiment.h"
#include "lgx_metrics.h"
#include "lgx_timeline.h"

/* One (agent, seed): its learning curve (the last point is the final
 * evaluation) and its timing, kept apart so results compare byte-equal. */
typedef struct {
    int done;
    int n_points;
    lgx_eval_point *points;
    lgx_timeline timeline;  /* live protocol: what it earned while it learned, by window of simulated time */
    double train_seconds;
    double steps_per_sec;
    int rank;               /* the MPI rank that ran it (0 without MPI) */
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

#define LGX_PROGRESS_SHOWN 8

/* A snapshot of a run in progress. */
typedef struct lgx_progress {
    double elapsed;   /* seconds since the run started */
    double fraction;  /* of all the work, 0..1 */
    int jobs_done, jobs_total;
    int final;
    int n_running;    /* jobs in progress listed below (at most LGX_PROGRESS_SHOWN) */
    struct {
        int agent, seed;   /* agent index in the experiment, seed 1..seeds */
        double fraction;   /* of this job */
        double elapsed;    /* seconds since it began */
    } running[LGX_PROGRESS_SHOWN];
} lgx_progress;

typedef struct lgx_run_config {
    const lg_scenario *sc;
    lgx_experiment ex;       /* after flags */
    int threads;
    const char *out_dir;    /* NULL: no results folder */
    int resume;
    /* Progress for a display, called from lgx_run's thread about five times
     * a second and once more, with `final` set, when the run is over; NULL:
     * none. The library draws nothing itself. */
    void (*on_progress)(void *ctx, const struct lgx_progress *p);
    void *progress_ctx;
    const char *command;    /* the command line, for command.txt */
    volatile sig_atomic_t *stop; /* set asynchronously (Ctrl-C): finish cleanly, mark partial */
    /* Optional: one line for the user about something the run got past (a
     * damaged checkpoint it could not resume from). Called from worker
     * threads, one whole line per call. */
    void (*on_note)(void *ctx, const char *line);
    void *note_ctx;
    /* Optional: jobs shared with other processes (lgx_dispatch.h); NULL:
     * this process runs them all. */
    const lgx_dispatch *dispatch;
    /* Optional: the world a live job starts from instead of the scenario's
     * start (livegym eval without a scenario: the kept trained worlds),
     * called on the job's fresh training env: 0, or -1 with a message. */
    int (*start_world)(void *ctx, int agent, int seed, lg_env *train, char *err, size_t errsz);
    void *start_ctx;
} lgx_run_config;

typedef struct lgx_run_result {
    int n_agents, seeds;
    lgx_job *jobs;     /* [n_agents * seeds], agent-major */
    lgx_online_curve *online; /* [n_agents] for classic envs, else NULL */
    int jobs_done, jobs_total;
    int interrupted;
    double wall_seconds;
} lgx_run_result;

/* The options over the file's experiment section (the scenario sc is
 * the file's world), with the checks `livegym run` makes: 0, or -1 with one
 * line in err naming the option as `prefix` + its name ("--slots: ..."
 * for the command line). Notes (claims dropped with their agents, events
 * training never reaches) are appended to `notes`, one line each. */
int lgx_apply_options(const lgx_run_options *o, const char *prefix, const char *file, const lg_scenario *sc,
                      lgx_experiment *ex, lg_sbuf *notes, char *err, size_t errsz);

/* Evaluation points of the live protocol: step 0, every eval_every, and the end. */
int lgx_run_points(const lgx_experiment *ex);

/* Run (or resume) the experiment. Returns 0 when every job ran, 1 when it
 * was interrupted (the folder is marked partial), -2 when the experiment is
 * invalid (an agent or its hyperparameters; nothing ran), -1 on a failure
 * while running (err set). */
int lgx_run(const lgx_run_config *cfg, lgx_run_result *res, char *err, size_t errsz);
void lgx_run_result_free(lgx_run_result *res);

#endif
