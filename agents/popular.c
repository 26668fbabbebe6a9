/* popular: the on-air channel(s) with the most concurrent viewers, read from
 * the observation's concurrency column. What a "trending" shelf shows. */
#include <stdio.h>

#include "lga_ranker.h"

static void score(lga_ranker *r, const lga_obs_batch *b, int slot, float *out)
{
    for (int c = 0; c < b->n_actions; c++) out[c] = lga_channel_row(b, slot, c)[r->column];
}

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    int conc = lga_block_offset(shape, "concurrency", 1);
    if (conc < 0) {
        snprintf(err, errsz, "popular: the observation has no channel concurrency column (classic envs have none)");
        return NULL;
    }
    return lga_ranker_create("popular", params, shape, seed, score, conc, err, errsz);
}

const lga_agent_type lga_popular_type = {
    .name = "popular",
    .summary = "most concurrent viewers among on-air channels",
    .create = create,
    .act = lga_ranker_act,
    .update = lga_ranker_update,
    .free = lga_ranker_free,
    .state = lga_ranker_state,
};
