/* Shared core of the tabular TD agents (q-learning, sarsa, expected-sarsa):
 * a Q table over (tabular state, action), epsilon-greedy behaviour with a
 * linear schedule, and the hyperparameters they all take. Each agent's file
 * holds its own update rule. */
#ifndef LGA_TABULAR_H
#define LGA_TABULAR_H

#include "lga_agent.h"
#include "lga_params.h"

typedef struct {
    float alpha;        /* step size */
    float gamma;        /* discount */
    float initial;      /* initial Q */
    lga_schedule epsilon;
} lga_tabular_params;

typedef struct {
    lga_agent base;
    lga_tabular_params p;
    int n_states, n_actions;
    float *q;            /* [n_states * n_actions] */
    lg_stream rng;
    long t;              /* behaviour act calls: drives the epsilon schedule */
    /* sarsa's pending transition per slot, resolved by the next action */
    int n_slots;
    int32_t *pend_s, *pend_a, *pend_next;
    float *pend_r;
    uint8_t *pending;
    float *tmp;          /* [n_actions] */
} lga_tabular;

lga_agent *lga_tabular_create(const char *agent, const char *params, const lga_obs_batch *shape, uint64_t seed,
                              char *err, size_t errsz);
void lga_tabular_act(lga_agent *a, const lga_obs_batch *b, int greedy, int32_t *actions);
void lga_tabular_free(lga_agent *a);
int lga_tabular_state(lga_agent *a, lga_state_block *blocks);
float lga_tabular_epsilon(const lga_tabular *a);
float lga_tabular_epsilon_of(const lga_agent *a);
int lga_tabular_scores(lga_agent *a, const lga_obs_batch *b, int slot, float *out);
int lga_tabular_probs(lga_agent *a, const lga_obs_batch *b, int slot, lg_stream *rng, double *out);
/* max over unmasked actions of Q[s] (0 if all masked). */
float lga_tabular_max(const lga_tabular *a, int s, const uint8_t *mask);
/* Expected Q[s] under the epsilon-greedy policy over unmasked actions. */
float lga_tabular_expected(const lga_tabular *a, int s, const uint8_t *mask);
/* An epsilon-greedy action at state s. */
int32_t lga_tabular_behave(lga_tabular *a, int s, const uint8_t *mask);
/* Q(s,a) += alpha (target - Q(s,a)). */
void lga_tabular_td(lga_tabular *a, int s, int act, float target);
/* The update of q-learning and expected-sarsa: target r + gamma * next_value(s')
 * (no bootstrap after a termination; from the final state after a truncation). */
typedef float (*lga_next_value)(const lga_tabular *a, int s, const uint8_t *mask);
void lga_tabular_update_with(lga_tabular *a, const lga_transition_batch *tr, lga_next_value next_value);

/* The hyperparameters every tabular agent takes. */
extern const lga_param lga_tabular_params_table[];

#endif
