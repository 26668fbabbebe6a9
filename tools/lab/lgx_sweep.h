/* Sweeps (docs/sweeps.md): an experiment agent with a "sweep" member stands
 * for many configurations of that agent, every combination of listed values
 * (a grid) or N seeded samples from stated values and ranges (a random
 * search). The loader expands them into labelled configurations; every
 * later stage (runner, results, dump) sees only the expansion. */
#ifndef LGX_SWEEP_H
#define LGX_SWEEP_H

#include "lg_json.h"
#include "lgx_experiment.h"

/* The configurations of `sweep` (the member of experiment.agents[entry],
 * whose name, label and params are in base) into out[0..room): returns how
 * many, or -1 with one message at the sweep's path (c at the entry). Every
 * swept key is one of the agent's hyperparameters, a range lies within the
 * hyperparameter's own, and the count fits in room. */
int lgx_sweep_expand(lg_jctx *c, const cJSON *sweep, const lgx_agent_spec *base, lgx_agent_spec *out, int room);

#endif
