/* The experiment layer's view of a scenario file: the world (env) plus the
 * optional "experiment" section, what `livegym run` trains and compares.
 * Loading reads both and checks both; dumping writes both. Messages have the
 * forms of env/base/lg_json.h. On error the outputs are left untouched;
 * nothing here prints or exits. */
#ifndef LGX_EXPERIMENT_H
#define LGX_EXPERIMENT_H

#include <stddef.h>

#include "lg_scenario.h"
#include "lga_agent.h"
#include "lgx_claims.h"

/* An experiment's agent configurations, listed or expanded from sweeps
 * (docs/sweeps.md): at most this many in all. */
#define LGX_MAX_AGENTS 1024
/* A configuration's hyperparameters as compact JSON (the longest shipped is
 * 121 bytes). */
#define LGX_AGENT_PARAMS_LEN 512

/* One agent of an experiment. The agent registry validates name and params
 * when the experiment runs; the loader only checks their shape. */
typedef struct {
    char name[LG_NAME_LEN];             /* registry name: "random", "popular", "dqn", ... */
    char label[LGX_AGENT_LABEL_LEN];          /* unique within the experiment; defaults to name; a sweep's
                                         * configuration: its entry's label and the swept values */
    char params[LGX_AGENT_PARAMS_LEN];  /* hyperparameters as compact JSON object text, "{}" if none */
    int entry;                          /* its index in the file's experiment.agents (for messages) */
    int swept;                          /* made by that entry's sweep */
    const lga_agent_type *type;         /* NULL: the registry's `name`; else a caller's agent (a binding's
                                         * policy, lgx_binding.h), never written to a file */
} lgx_agent_spec;

typedef struct lgx_experiment {
    int n_agents;
    lgx_agent_spec agents[LGX_MAX_AGENTS];
    int seeds;          /* independent runs per agent, [1, 100000]; default 5 */
    int train_steps;    /* slot-steps of training per (agent, seed); default 20000 */
    int eval_every;     /* evaluate every this many training slot-steps; default 5000 */
    float train_minutes;      /* > 0: the training budget in simulated minutes (train_steps follows it) */
    float eval_every_minutes; /* > 0: evaluate every this many simulated minutes (eval_every follows it) */
    int eval_sessions;  /* sessions per evaluation; default 200 */
    float eval_days;    /* > 0 (retention worlds): an evaluation lasts this many simulated days instead, its
                         * per-session metrics over the sessions that ended in them; default 0 */
    int slots;          /* env viewer slots, [1, population.viewers]; default 16, or the viewers when fewer */
    char baseline[LGX_AGENT_LABEL_LEN]; /* label of the agent the others are compared against; default "random" */
    int episodes;       /* classic cliff env: episodes per run; default 500 */
    int keep_agents;    /* live worlds: each (agent, seed) leaves its trained agent in runs/LABEL/seed-S.policy;
                         * default false (docs/results.md "Kept agents") */
    int n_claims;       /* the file's top-level "claims" (lgx_claims.h) */
    lgx_claim claims[LGX_MAX_CLAIMS];
} lgx_experiment;

/* Agents random, popular and oracle; baseline "random"; the defaults above. */
void lgx_experiment_default(lgx_experiment *ex);

/* Load a whole scenario file: start from lg_scenario_default() and
 * lgx_experiment_default(), apply the file's world keys, then its experiment
 * section, then lg_scenario_check(). ex may be NULL (the section is still
 * validated). Returns 0, or -1 with a message in err. */
int lgx_load_file(const char *path, lg_scenario *sc, lgx_experiment *ex, char *err, size_t errsz);
int lgx_load_string(const char *text, size_t len, const char *source_name, lg_scenario *sc, lgx_experiment *ex,
                    char *err, size_t errsz);
/* scenarios/default.json as embedded in the binary at build time. */
int lgx_load_default(lg_scenario *sc, lgx_experiment *ex, char *err, size_t errsz);
#define LGX_EMBEDDED_NAME "(embedded default scenario)"
extern const char lgx_embedded_default_scenario[];
extern const size_t lgx_embedded_default_scenario_len;

/* The resolved scenario with its experiment section (ex NULL: without), as
 * lg_scenario_to_json writes it. malloc'd; NULL when out of memory. */
char *lgx_scenario_to_json(const lg_scenario *sc, const lgx_experiment *ex);

/* The agents of a comma-separated list of labels or registry names: an
 * experiment agent with that label, else the first with that name, keeps
 * its hyperparameters (and label); any other name is the agent with its
 * defaults. At most max agents, each once. out is ex with those agents
 * (the baseline stays when it is one of them, else it becomes the default:
 * "random" if selected, else the first; the claims about an agent left out
 * are dropped). Returns 0, or -1 with a message. */
int lgx_select_agents(const lgx_experiment *ex, const char *list, int max, lgx_experiment *out, char *err,
                      size_t errsz);

/* train_steps and eval_every from train_minutes and eval_every_minutes when
 * those are set (whole env steps of sc->dt over ex->slots slots); done by
 * the loaders, and again by whoever changes slots afterwards. */
void lgx_resolve_budget(lgx_experiment *ex, const lg_scenario *sc);
/* Simulated minutes that training covers. */
double lgx_trained_minutes(const lgx_experiment *ex, const lg_scenario *sc);
/* Does training reach every scripted event? 0, or -1 with a message naming
 * the first event it never reaches. */
int lgx_check_reach(const lg_scenario *sc, const lgx_experiment *ex, char *err, size_t errsz);

/* The type of an experiment's agent (its own, else the registry's; NULL
 * when the name is unknown), and a new one of it for this shape and seed. */
const lga_agent_type *lgx_spec_type(const lgx_agent_spec *spec);
lga_agent *lgx_spec_create(const lgx_agent_spec *spec, const lga_obs_batch *shape, uint64_t seed, char *err,
                           size_t errsz);

/* Create every agent of the experiment once, for an env of this scenario
 * with `slots` slots, and free it: 0, or -1 with the first failure's
 * message and *which the agent's index (-1 when the env itself is
 * refused). The env is built
 * with only as many viewers as slots: agents see the observation's shape,
 * which the pool's size does not change, and a world of millions of viewers
 * would be drawn for nothing. */
int lgx_check_agents(const lg_scenario *sc, const lgx_experiment *ex, int slots, int *which, char *err,
                     size_t errsz);

/* Where configuration a comes from, for a message: "experiment.agents[1]",
 * or "experiment.agents[1].sweep: configuration \"eps epsilon=2\"". */
void lgx_agent_where(const lgx_experiment *ex, int a, char *buf, size_t n);

/* A label is a field of the CSV files and an item of --agents: 1 when it
 * holds no comma, quote or control character. */
int lgx_label_ok(const char *label);

/* Index of the experiment's baseline agent, or -1. */
int lgx_baseline_index(const lgx_experiment *ex);

#endif
