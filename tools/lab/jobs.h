/* Inside lgx_run: the job of one (agent, seed), run by one worker thread. */
#ifndef LGX_JOBS_H
#define LGX_JOBS_H

#include "lgx_run.h"

typedef struct {
    const lgx_run_config *cfg;
    int agent, seed;  /* agent index in cfg->ex, seed 1..seeds */
    void (*progress)(void *ctx, double fraction); /* called now and then from the job's thread */
    void *ctx;
    struct lgn_team *team; /* the worker's threads for the agent's networks, or NULL */
} lgx_job_ctx;

/* Train, evaluating greedily at every evaluation point (with mid-run
 * checkpoints when there is a results folder; resumed from the last one
 * with cfg->resume). Returns 0, 1 if stopped (*cfg->stop), -1 on error. */
int lgx_job_live(const lgx_job_ctx *j, lgx_job *out, char *err, size_t errsz);
/* One fresh agent on one fresh env (N = 1), recording each step's reward and
 * whether it was optimal (bandit), or each episode's return (cliff), into
 * reward[] and optimal[] (the run's rows of its online curve). */
int lgx_job_online(const lgx_job_ctx *j, lgx_job *out, float *reward, uint8_t *optimal, char *err, size_t errsz);

#endif
