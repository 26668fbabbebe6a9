/* Kept agents (docs/results.md "Kept agents"): the trained agents a run
 * leaves in its results folder (experiment.keep_agents), and the experiment
 * `livegym eval` builds around one: the kept agent, played back frozen by
 * the `saved` agent, beside agents of the scenario it is evaluated on. */
#ifndef LGX_KEPT_H
#define LGX_KEPT_H

#include <stddef.h>

#include "lg_sbuf.h"
#include "lga_agent.h"
#include "lgx_run.h"

/* runs/LABEL/seed-S.policy of job (agent, seed): the agent as it is when
 * training ends, with the training world as it is then (what the final
 * evaluation forks), and a manifest naming agent, label, hyperparameters,
 * seed, budget and the resolved scenario. Called before the final
 * evaluation, so the agent's random tie-breaking stands where that
 * evaluation starts from. */
int lgx_keep_agent(const lgx_run_config *cfg, int agent, int seed, long trained, lga_agent *a, const lg_env *train,
                   char *err, size_t errsz);

/* What to evaluate. */
typedef struct {
    const char *policy;   /* a kept file (runs/LABEL/seed-S.policy) or its folder runs/LABEL */
    const char *scenario; /* a scenario file; NULL: the world the agent trained in, as training left it */
    const char *label;    /* the kept agent's label in the tables; NULL: LABEL@TRAINED-SCENARIO */
} lgx_eval_request;

/* The experiment of `livegym eval`: the scenario's experiment section (or
 * the trained one's, from the kept file's manifest) with its agents
 * replaced by the kept agent first and the agents o->agents selects (the
 * scenario's, with their hyperparameters) after it, then the other options.
 * Without a scenario the evaluation starts from the trained worlds (see
 * lgx_eval_start_world) and trains 0 steps unless o says otherwise; seeds
 * default to the kept seeds. 0, or -1 with one line in err; notes as
 * lgx_apply_options gives them. */
typedef struct {
    const char *policy; /* the request's */
    char *scenario;     /* the trained scenario as the first kept file's manifest states it (malloc'd) */
    int from_trained;   /* no scenario given: jobs start from the kept worlds */
} lgx_eval_worlds;

int lgx_eval_prepare(const lgx_eval_request *rq, const lgx_run_options *o, lg_scenario *sc, lgx_experiment *ex,
                     lgx_eval_worlds *w, lg_sbuf *notes, char *err, size_t errsz);
void lgx_eval_worlds_free(lgx_eval_worlds *w);

/* lgx_run_config.start_world for an evaluation without a scenario (ctx: the
 * lgx_eval_worlds): every job of seed s starts from the world kept with seed
 * s (a single kept file gives its world to every seed). The kept file is
 * read and checked again here: its manifest must state the same scenario. */
int lgx_eval_start_world(void *ctx, int agent, int seed, lg_env *train, char *err, size_t errsz);

#endif
