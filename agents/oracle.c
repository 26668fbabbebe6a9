/* oracle (CHEATING): the channel(s) with the highest expected immediate
 * reward under the true latent state (lg_env_expected_reward). Myopic: it
 * ignores what a choice does to the rest of the session, which is exactly
 * what an RL agent can exploit. It reads ground truth no real recommender
 * has, so it is an upper reference for one-step relevance, not a competitor. */
#include "lga_ranker.h"

static void score(lga_ranker *r, const lga_obs_batch *b, int slot, float *out)
{
    (void)r;
    lg_env_expected_reward(b->env, slot, out);
}

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    return lga_ranker_create("oracle", params, shape, seed, score, -1, err, errsz);
}

const lga_agent_type lga_oracle_type = {
    .name = "oracle",
    .summary = "CHEATING myopic oracle: best expected immediate reward under the true latent state",
    .cheats = 1,
    .create = create,
    .act = lga_ranker_act,
    .update = lga_ranker_update,
    .free = lga_ranker_free,
    .state = lga_ranker_state,
};
