/* The viewer's trainer: one training env and one agent per (agent, seed),
 * all on the same scenario and the same seeds (side by side), stepped in
 * lockstep with lgx_train one env step at a time, evaluated greedily every
 * `eval_every` slot-steps with lgx_evaluate_at on a fork of each training
 * world with the evaluation seed of `livegym run` (LGX_EVAL_SEED_BASE + s):
 * the numbers `run` prints for the same scenario, seeds and budget
 * (tests/test_live.c checks it). It fills an lgx_model (lgx_model.h).
 *
 * Two ways to drive it:
 *   - synchronously: lgx_live_run(L, steps) then lgx_live_snapshot (headless
 *     snapshots, tests);
 *   - on a worker thread: lgx_live_start, then the controls (pause, single
 *     step, speed) and lgx_live_snapshot from the drawing thread, which copies
 *     the latest published model under a mutex; lgx_live_stop (or
 *     lgx_live_free) ends the worker cleanly.
 * Nothing here prints or exits. */
#ifndef LGX_LIVE_H
#define LGX_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "lg_scenario.h"
#include "lga_agent.h"
#include "lgx_metrics.h"
#include "lgx_model.h"

typedef struct {
    const lg_scenario *sc; /* copied */
    int n_agents;          /* 1..LGX_LIVE_MAX_AGENTS */
    const char *names[LGX_LIVE_MAX_AGENTS];  /* registry names */
    const char *labels[LGX_LIVE_MAX_AGENTS]; /* NULL: the name */
    const char *params[LGX_LIVE_MAX_AGENTS]; /* JSON hyperparameters; NULL: "{}" */
    int seeds;            /* 1..LGX_LIVE_MAX_SEEDS: seeds 1..N, for every agent */
    int slots;            /* viewer slots per env */
    long eval_every;      /* slot-steps between evaluations (> 0) */
    long eval_sessions;   /* sessions per evaluation (> 0) */
    double eval_days;     /* > 0 (retention worlds): an evaluation lasts this many simulated days instead */
    long max_steps;       /* training slot-steps per (agent, seed); 0 = until stopped */
} lgx_live_config;

typedef struct lgx_live lgx_live;

int lgx_live_create(const lgx_live_config *cfg, lgx_live **out, char *err, size_t errsz);
/* Stops the worker if running, frees everything. */
void lgx_live_free(lgx_live *L);

/* Synchronous: train until every (agent, seed) has done `slot_steps`
 * slot-steps (or max_steps), evaluating on the way and at the end. Not
 * while the worker runs. */
void lgx_live_run(lgx_live *L, long slot_steps);
/* One lockstep round: one env step for every (agent, seed), evaluations due. */
void lgx_live_round(lgx_live *L);

/* The worker thread. start: 0 or -1 (err set). */
int lgx_live_start(lgx_live *L, char *err, size_t errsz);
void lgx_live_stop(lgx_live *L);
void lgx_live_set_paused(lgx_live *L, int paused);
void lgx_live_step_once(lgx_live *L);          /* when paused: one round */
void lgx_live_set_rate(lgx_live *L, double rate); /* env steps per second per env; 0 = full speed */

/* A model with the trainer's shape (for the drawing thread's copy). */
lgx_model *lgx_live_new_model(const lgx_live *L, char *err, size_t errsz);
/* Copy the latest published state into dst (under the mutex when the worker
 * runs; synchronously it publishes first). */
void lgx_live_snapshot(lgx_live *L, lgx_model *dst);
const lg_scenario *lgx_live_scenario(const lgx_live *L);

/* ---- introspection (optional: only what the agent interface exposes) ------ */

/* An agent's action-value table, if its state has a block named "q" laid out
 * [rows][n_actions] with rows 1 (one bandit) or n_states (per tabular state):
 * epsilon-greedy, ucb1, q-learning, sarsa, expected-sarsa. Returns the rows
 * (*q points into the agent: read it on the agent's thread), or 0 when the
 * agent exposes no such values. */
int lgx_agent_q(lga_agent *a, int n_actions, int n_states, const float **q);
/* The agent's values for a viewer in tabular state `state`, out[n_actions].
 * Returns the table's rows (0: no scores exposed, out untouched). */
int lgx_agent_scores(lga_agent *a, int n_actions, int n_states, int32_t state, float *out);
/* The current exploration rate, from the agent's epsilon hook
 * (epsilon-greedy, the tabular TD agents, dqn). Returns 0 and *eps, or -1
 * when the agent has none. params_json is unused (kept for callers). */
int lgx_agent_epsilon(lga_agent *a, const char *params_json, float *eps);

#endif
