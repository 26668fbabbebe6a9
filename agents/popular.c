/* popular: the on-air channel(s) with the most concurrent viewers, read from
 * the observation's concurrency column. What a "trending" shelf shows. */
#include <stdio.h>
#include <stdlib.h>

#include "lga_agent.h"

typedef struct {
    lga_agent base;
    lg_stream rng;
    int conc;      /* offset of "concurrency" in a channel row */
    float *score;  /* [n_actions] */
} popular_agent;

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    if (lga_params_check("popular", params, NULL, err, errsz)) return NULL;
    int conc = lga_block_offset(shape, "concurrency", 1);
    if (conc < 0) {
        snprintf(err, errsz, "popular: the observation has no channel concurrency column");
        return NULL;
    }
    popular_agent *a = calloc(1, sizeof *a);
    float *score = calloc((size_t)shape->n_actions, sizeof(float));
    if (!a || !score) {
        free(a), free(score);
        return NULL;
    }
    a->score = score;
    a->conc = conc;
    a->rng = lg_stream_make(seed, LG_P_AGENT, 0);
    return &a->base;
}

static void act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    (void)greedy;
    popular_agent *a = (popular_agent *)base;
    for (int i = 0; i < b->n; i++) {
        for (int c = 0; c < b->n_actions; c++) a->score[c] = lga_channel_row(b, i, c)[a->conc];
        lga_top_k(a->score, &b->mask[(size_t)i * b->n_actions], b->n_actions, b->slate_size, &a->rng,
                  &actions[(size_t)i * b->slate_size]);
    }
}

static void update(lga_agent *a, const lga_transition_batch *tr) { (void)a, (void)tr; }

static int state(lga_agent *base, lga_state_block *blocks)
{
    popular_agent *a = (popular_agent *)base;
    blocks[0] = (lga_state_block){"rng", &a->rng, sizeof a->rng};
    return 1;
}

static void destroy(lga_agent *base)
{
    popular_agent *a = (popular_agent *)base;
    free(a->score);
    free(a);
}

const lga_agent_type lga_popular_type = {
    .name = "popular",
    .summary = "most concurrent viewers among on-air channels",
    .params_doc = "(none)",
    .cheats = 0,
    .learns = 0,
    .create = create,
    .act = act,
    .update = update,
    .free = destroy,
    .state = state,
};
