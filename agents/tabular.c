/* The tabular TD core shared by q-learning, sarsa and expected-sarsa. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lga_tabular.h"

const lga_param lga_tabular_params_table[] = {
    {"alpha", LGA_FLOAT, offsetof(lga_tabular_params, alpha), "0.1", 0, 1, NULL, 0, "step size"},
    {"gamma", LGA_FLOAT, offsetof(lga_tabular_params, gamma), "0.99", 0, 1, NULL, 0, "discount"},
    {"initial", LGA_FLOAT, offsetof(lga_tabular_params, initial), "0", -1e6, 1e6, NULL, 0, "initial action values"},
    {"epsilon", LGA_FLOAT, offsetof(lga_tabular_params, epsilon.start), "0.1", 0, 1, NULL, 0,
     "exploration probability at the start of the schedule"},
    {"epsilon_final", LGA_FLOAT, offsetof(lga_tabular_params, epsilon.end), "=epsilon", 0, 1, NULL, 0,
     "exploration probability at the end of the schedule"},
    {"epsilon_decay_steps", LGA_INT, offsetof(lga_tabular_params, epsilon.steps), "0", 0, 1000000000, NULL, 0,
     "act calls over which epsilon decays linearly (0: constant)"},
    {0},
};

lga_agent *lga_tabular_create(const char *agent, const char *params, const lga_obs_batch *shape, uint64_t seed,
                              char *err, size_t errsz)
{
    lga_tabular_params p;
    if (lga_params_parse(agent, params, lga_tabular_params_table, &p, err, errsz)) return NULL;
    if (shape->n_states < 1 || shape->n_states > 10000000) {
        snprintf(err, errsz, "%s: the env has %d tabular states; expected 1 to 10,000,000", agent, shape->n_states);
        return NULL;
    }
    lga_tabular *a = calloc(1, sizeof *a);
    size_t n = (size_t)shape->n_states * (size_t)shape->n_actions, N = (size_t)shape->n;
    if (!a || !(a->q = malloc(n * sizeof(float))) || !(a->tmp = malloc((size_t)shape->n_actions * sizeof(float))) ||
        !(a->pend_s = calloc(N, sizeof(int32_t))) || !(a->pend_a = calloc(N, sizeof(int32_t))) ||
        !(a->pend_next = calloc(N, sizeof(int32_t))) || !(a->pend_r = calloc(N, sizeof(float))) ||
        !(a->pending = calloc(N, 1))) {
        if (a) lga_tabular_free(&a->base);
        snprintf(err, errsz, "%s: out of memory for %zu Q values", agent, n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) a->q[i] = p.initial;
    a->p = p;
    a->n_states = shape->n_states;
    a->n_actions = shape->n_actions;
    a->n_slots = shape->n;
    a->rng = lg_stream_make(seed, LGA_STREAM, 0);
    return &a->base;
}

float lga_tabular_epsilon(const lga_tabular *a) { return lga_schedule_at(&a->p.epsilon, a->t); }
float lga_tabular_epsilon_of(const lga_agent *a) { return lga_tabular_epsilon((const lga_tabular *)a); }

int lga_tabular_scores(lga_agent *base, const lga_obs_batch *b, int slot, float *out)
{
    lga_tabular *a = (lga_tabular *)base;
    int s = b->state[slot];
    if (s < 0 || s >= a->n_states) return 0;
    memcpy(out, &a->q[(size_t)s * (size_t)a->n_actions], sizeof(float) * (size_t)a->n_actions);
    return 1;
}

int lga_tabular_probs(lga_agent *base, const lga_obs_batch *b, int slot, lg_stream *rng, double *out)
{
    (void)rng;
    lga_tabular *a = (lga_tabular *)base;
    int s = b->state[slot];
    if (b->slate_size != 1 || s < 0 || s >= a->n_states) return 0;
    lga_epsilon_greedy_probs(lga_tabular_epsilon(a), &a->q[(size_t)s * (size_t)a->n_actions],
                             &b->mask[(size_t)slot * b->n_actions], a->n_actions, out);
    return 1;
}

int32_t lga_tabular_behave(lga_tabular *a, int s, const uint8_t *mask)
{
    float eps = lga_tabular_epsilon(a);
    if (eps > 0.0f && lg_stream_u01(&a->rng) < eps) return lga_random_valid(mask, a->n_actions, &a->rng);
    return lga_argmax_valid(&a->q[(size_t)s * (size_t)a->n_actions], mask, a->n_actions, &a->rng);
}

void lga_tabular_act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    lga_tabular *a = (lga_tabular *)base;
    float eps = greedy ? 0.0f : lga_tabular_epsilon(a);
    for (int i = 0; i < b->n; i++) {
        const uint8_t *mask = &b->mask[(size_t)i * b->n_actions];
        const float *q = &a->q[(size_t)b->state[i] * (size_t)a->n_actions];
        int32_t *out = &actions[(size_t)i * b->slate_size];
        int explore = eps > 0.0f && lg_stream_u01(&a->rng) < eps;
        if (b->slate_size == 1) {
            out[0] = explore ? lga_random_valid(mask, a->n_actions, &a->rng)
                             : lga_argmax_valid(q, mask, a->n_actions, &a->rng);
        } else {
            for (int c = 0; c < a->n_actions; c++) a->tmp[c] = explore ? (float)lg_stream_u01(&a->rng) : q[c];
            lga_top_k(a->tmp, mask, a->n_actions, b->slate_size, &a->rng, out);
        }
    }
    if (!greedy) a->t++;
}

float lga_tabular_max(const lga_tabular *a, int s, const uint8_t *mask)
{
    const float *q = &a->q[(size_t)s * (size_t)a->n_actions];
    float m = -INFINITY;
    for (int c = 0; c < a->n_actions; c++)
        if (mask[c] && q[c] > m) m = q[c];
    return m == -INFINITY ? 0.0f : m;
}

float lga_tabular_expected(const lga_tabular *a, int s, const uint8_t *mask)
{
    const float *q = &a->q[(size_t)s * (size_t)a->n_actions];
    float eps = lga_tabular_epsilon(a), m = lga_tabular_max(a, s, mask);
    int n_on = 0;
    double sum = 0.0;
    for (int c = 0; c < a->n_actions; c++) {
        if (!mask[c]) continue;
        n_on++;
        sum += q[c];
    }
    if (n_on == 0) return 0.0f;
    /* epsilon spread uniformly; the rest goes to greedy actions, all worth m */
    return (float)(eps * sum / n_on + (1.0f - eps) * m);
}

void lga_tabular_td(lga_tabular *a, int s, int act, float target)
{
    float *q = &a->q[(size_t)s * (size_t)a->n_actions + (size_t)act];
    *q += a->p.alpha * (target - *q);
}

void lga_tabular_update_with(lga_tabular *a, const lga_transition_batch *tr, lga_next_value next_value)
{
    const lga_obs_batch *b = tr->obs, *nx = tr->next;
    for (int i = 0; i < b->n; i++) {
        int32_t act = tr->actions[(size_t)i * b->slate_size];
        if (act < 0 || act >= a->n_actions || lga_idle(tr, i)) continue;
        float target = tr->reward[i];
        if (!tr->terminated[i])
            target += a->p.gamma * next_value(a, nx->state[i], &nx->mask[(size_t)i * nx->n_actions]);
        lga_tabular_td(a, b->state[i], act, target);
    }
}

int lga_tabular_state(lga_agent *base, lga_state_block *blocks)
{
    lga_tabular *a = (lga_tabular *)base;
    size_t N = (size_t)a->n_slots;
    blocks[0] = LGA_F32_BLOCK("q", a->q, (size_t)a->n_states * (size_t)a->n_actions, -LGA_FMAX, LGA_FMAX);
    blocks[1] = LGA_RAW_BLOCK("rng", &a->rng, sizeof a->rng);
    blocks[2] = LGA_I64_BLOCK("t", &a->t, 1, 0, 9e18);
    blocks[3] = LGA_I32_BLOCK("pend_s", a->pend_s, N, 0, a->n_states - 1);
    blocks[4] = LGA_I32_BLOCK("pend_a", a->pend_a, N, 0, a->n_actions - 1);
    blocks[5] = LGA_I32_BLOCK("pend_next", a->pend_next, N, 0, a->n_states - 1);
    blocks[6] = LGA_F32_BLOCK("pend_r", a->pend_r, N, -LGA_FMAX, LGA_FMAX);
    blocks[7] = LGA_U8_BLOCK("pending", a->pending, N, 0, 1);
    return 8;
}

void lga_tabular_free(lga_agent *base)
{
    lga_tabular *a = (lga_tabular *)base;
    free(a->q), free(a->tmp), free(a->pend_s), free(a->pend_a), free(a->pend_next), free(a->pend_r);
    free(a->pending), free(a);
}
