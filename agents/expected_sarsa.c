/* expected-sarsa (S&B 6.6): TD control with the expectation of the next
 * value under the current epsilon-greedy policy,
 *   Q(s,a) += alpha (r + gamma sum_a' pi(a'|s') Q(s',a') - Q(s,a)). */
#include "lga_tabular.h"

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    return lga_tabular_create("expected-sarsa", params, shape, seed, err, errsz);
}

static void update(lga_agent *base, const lga_transition_batch *tr)
{
    lga_tabular_update_with((lga_tabular *)base, tr, lga_tabular_expected);
}

const lga_agent_type lga_expected_sarsa_type = {
    .name = "expected-sarsa",
    .summary = "tabular Expected Sarsa on the tabular state",
    .params = lga_tabular_params_table,
    .learns = 1,
    .create = create,
    .act = lga_tabular_act,
    .update = update,
    .free = lga_tabular_free,
    .state = lga_tabular_state,
    .scores = lga_tabular_scores,
    .epsilon = lga_tabular_epsilon_of,
    .probs = lga_tabular_probs,
};
