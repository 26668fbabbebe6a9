/* oracle (CHEATING): the channel(s) with the highest expected immediate
 * reward under the true latent state (lg_env_expected_reward). Myopic: it
 * ignores what a choice does to the rest of the session, which is exactly
 * what an RL agent can exploit. It reads ground truth no real recommender
 * has, so it is an upper reference for one-step relevance, not a competitor. */
#include <stdio.h>
#include <stdlib.h>

#include "lga_agent.h"

typedef struct {
    lga_agent base;
    lg_stream rng;
    float *score;
} oracle_agent;

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    if (lga_params_check("oracle", params, NULL, err, errsz)) return NULL;
    oracle_agent *a = calloc(1, sizeof *a);
    float *score = calloc((size_t)shape->n_actions, sizeof(float));
    if (!a || !score) {
        free(a), free(score);
        return NULL;
    }
    a->score = score;
    a->rng = lg_stream_make(seed, LG_P_AGENT, 0);
    return &a->base;
}

static void act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    (void)greedy;
    oracle_agent *a = (oracle_agent *)base;
    for (int i = 0; i < b->n; i++) {
        lg_env_expected_reward(b->env, i, a->score);
        lga_top_k(a->score, &b->mask[(size_t)i * b->n_actions], b->n_actions, b->slate_size, &a->rng,
                  &actions[(size_t)i * b->slate_size]);
    }
}

static void update(lga_agent *a, const lga_transition_batch *tr) { (void)a, (void)tr; }

static int state(lga_agent *base, lga_state_block *blocks)
{
    oracle_agent *a = (oracle_agent *)base;
    blocks[0] = (lga_state_block){"rng", &a->rng, sizeof a->rng};
    return 1;
}

static void destroy(lga_agent *base)
{
    oracle_agent *a = (oracle_agent *)base;
    free(a->score);
    free(a);
}

const lga_agent_type lga_oracle_type = {
    .name = "oracle",
    .summary = "CHEATING myopic oracle: best expected immediate reward under the true latent state",
    .params_doc = "(none)",
    .cheats = 1,
    .learns = 0,
    .create = create,
    .act = act,
    .update = update,
    .free = destroy,
    .state = state,
};
