/* q-learning (S&B 6.5): off-policy TD control,
 *   Q(s,a) += alpha (r + gamma max_a' Q(s',a') - Q(s,a)),
 * no bootstrap when the episode terminated; on truncation it bootstraps from
 * the final state. The max runs over the actions unmasked in s'. */
#include "lga_tabular.h"

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    return lga_tabular_create("q-learning", params, shape, seed, err, errsz);
}

static void update(lga_agent *base, const lga_transition_batch *tr)
{
    lga_tabular_update_with((lga_tabular *)base, tr, lga_tabular_max);
}

const lga_agent_type lga_q_learning_type = {
    .name = "q-learning",
    .summary = "tabular Q-learning on the tabular state (off-policy TD control)",
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
