/* random: a uniformly random on-air channel (a slate of distinct ones). The
 * floor every agent must clear. No hyperparameters. */
#include <stdlib.h>

#include "lga_agent.h"

typedef struct {
    lga_agent base;
    lg_stream rng;
    float *noise; /* [n_actions]: random scores for slates */
} random_agent;

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    if (lga_params_check("random", params, NULL, err, errsz)) return NULL;
    random_agent *a = calloc(1, sizeof *a);
    float *noise = calloc((size_t)shape->n_actions, sizeof(float));
    if (!a || !noise) {
        free(a), free(noise);
        return NULL;
    }
    a->noise = noise;
    a->rng = lg_stream_make(seed, LG_P_AGENT, 0);
    return &a->base;
}

static void act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    (void)greedy;
    random_agent *a = (random_agent *)base;
    for (int i = 0; i < b->n; i++) {
        const uint8_t *mask = &b->mask[(size_t)i * b->n_actions];
        if (b->slate_size == 1) {
            actions[i] = lga_random_valid(mask, b->n_actions, &a->rng);
        } else {
            for (int c = 0; c < b->n_actions; c++) a->noise[c] = (float)lg_stream_u01(&a->rng);
            lga_top_k(a->noise, mask, b->n_actions, b->slate_size, &a->rng, &actions[(size_t)i * b->slate_size]);
        }
    }
}

static void update(lga_agent *a, const lga_transition_batch *tr) { (void)a, (void)tr; }

static int state(lga_agent *base, lga_state_block *blocks)
{
    random_agent *a = (random_agent *)base;
    blocks[0] = (lga_state_block){"rng", &a->rng, sizeof a->rng};
    return 1;
}

static void destroy(lga_agent *base)
{
    random_agent *a = (random_agent *)base;
    free(a->noise);
    free(a);
}

const lga_agent_type lga_random_type = {
    .name = "random",
    .summary = "uniformly random on-air channel",
    .params_doc = "(none)",
    .cheats = 0,
    .learns = 0,
    .create = create,
    .act = act,
    .update = update,
    .free = destroy,
    .state = state,
};
