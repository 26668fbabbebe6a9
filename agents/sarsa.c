/* sarsa (S&B 6.4): on-policy TD control,
 *   Q(s,a) += alpha (r + gamma Q(s',a') - Q(s,a)),
 * where a' is the action the agent actually takes next in s'. With batched
 * slots that action is only known at the next update (it is that step's
 * action for the same slot), so each slot keeps one pending transition.
 * At a termination the update needs no a'; at a truncation the episode has no
 * next action, so a' is drawn from the behaviour policy in the final state. */
#include "lga_tabular.h"

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    return lga_tabular_create("sarsa", params, shape, seed, err, errsz);
}

static void update(lga_agent *base, const lga_transition_batch *tr)
{
    lga_tabular *a = (lga_tabular *)base;
    const lga_obs_batch *b = tr->obs, *nx = tr->next;
    for (int i = 0; i < b->n && i < a->n_slots; i++) {
        if (lga_idle(tr, i)) continue; /* an idle slot has no transition, nor one pending: its session ended */
        int32_t act = tr->actions[(size_t)i * b->slate_size];
        /* Resolve last step's transition: its a' is this step's action. */
        if (a->pending[i] && act >= 0 && act < a->n_actions && a->pend_next[i] == b->state[i])
            lga_tabular_td(a, a->pend_s[i], a->pend_a[i],
               a->pend_r[i] + a->p.gamma * a->q[(size_t)b->state[i] * (size_t)a->n_actions + (size_t)act]);
        a->pending[i] = 0;
        if (act < 0 || act >= a->n_actions) continue;
        int s = b->state[i];
        if (tr->terminated[i]) {
            lga_tabular_td(a, s, act, tr->reward[i]);
        } else if (tr->truncated[i]) {
            const uint8_t *mask = &nx->mask[(size_t)i * nx->n_actions];
            int32_t next = lga_tabular_behave(a, nx->state[i], mask);
            lga_tabular_td(a, s, act, tr->reward[i] + a->p.gamma * a->q[(size_t)nx->state[i] * (size_t)a->n_actions + (size_t)next]);
        } else {
            a->pending[i] = 1;
            a->pend_s[i] = s;
            a->pend_a[i] = act;
            a->pend_r[i] = tr->reward[i];
            a->pend_next[i] = nx->state[i];
        }
    }
}

const lga_agent_type lga_sarsa_type = {
    .name = "sarsa",
    .summary = "tabular Sarsa on the tabular state (on-policy TD control)",
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
