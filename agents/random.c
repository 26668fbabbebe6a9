/* random: a uniformly random on-air channel (a slate of distinct ones). The
 * floor every agent must clear. No hyperparameters. */
#include "lga_ranker.h"

/* Independent uniform scores: the top k on air are a uniform random slate. */
static void score(lga_ranker *r, const lga_obs_batch *b, int slot, float *out)
{
    (void)slot;
    for (int c = 0; c < b->n_actions; c++) out[c] = (float)lg_stream_u01(&r->rng);
}

/* The top one of independent uniform scores, on-air first: uniform over
 * the unmasked actions, over all of them when none is. */
static int probs(lga_agent *a, const lga_obs_batch *b, int slot, lg_stream *rng, double *out)
{
    (void)a, (void)rng;
    const uint8_t *mask = &b->mask[(size_t)slot * b->n_actions];
    int n_on = 0;
    if (b->slate_size != 1) return 0;
    for (int c = 0; c < b->n_actions; c++) n_on += mask[c] != 0;
    for (int c = 0; c < b->n_actions; c++) out[c] = n_on ? (mask[c] != 0) / (double)n_on : 1.0 / b->n_actions;
    return 1;
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
    .probs = probs,
};
