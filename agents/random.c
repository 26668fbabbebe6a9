/* random: a uniformly random on-air channel (a slate of distinct ones). The
 * floor every agent must clear. No hyperparameters. */
#include "lga_ranker.h"

/* Independent uniform scores: the top k on air are a uniform random slate. */
static void score(lga_ranker *r, const lga_obs_batch *b, int slot, float *out)
{
    (void)slot;
    for (int c = 0; c < b->n_actions; c++) out[c] = (float)lg_stream_u01(&r->rng);
}

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    return lga_ranker_create("random", params, shape, seed, score, -1, err, errsz);
}

const lga_agent_type lga_random_type = {
    .name = "random",
    .summary = "uniformly random on-air channel",
    .create = create,
    .act = lga_ranker_act,
    .update = lga_ranker_update,
    .free = lga_ranker_free,
    .state = lga_ranker_state,
};
