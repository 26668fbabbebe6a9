/* epsilon-greedy (S&B 2.2-2.6): action-value estimates by sample average
 * (step_size 0) or a constant step size, optimistic initial values through
 * `initial`, exploration epsilon with an optional linear decay; or, with a
 * temperature, Boltzmann (soft-max) exploration over the same estimates, a
 * behaviour policy whose every channel on air has a graded probability
 * (what off-policy evaluation likes in a log). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lga_bandit.h"

typedef struct {
    float epsilon, epsilon_final; /* schedule: epsilon -> epsilon_final over epsilon_decay_steps */
    long epsilon_decay_steps;
    float step_size;              /* 0: sample average 1/n */
    float initial;                /* Q at start (optimistic when high) */
    int context;
    float temperature;            /* > 0: Boltzmann exploration instead of epsilon (slates of one) */
} eg_params;

static const lga_param params[] = {
    {"epsilon", LGA_FLOAT, offsetof(eg_params, epsilon), "0.1", 0, 1, NULL, 0,
     "exploration probability (start of the schedule)"},
    {"epsilon_final", LGA_FLOAT, offsetof(eg_params, epsilon_final), "=epsilon", 0, 1, NULL, 0,
     "exploration probability at the end of the schedule"},
    {"epsilon_decay_steps", LGA_INT, offsetof(eg_params, epsilon_decay_steps), "0", 0, 1000000000, NULL, 0,
     "act calls over which epsilon decays linearly (0: constant)"},
    {"step_size", LGA_FLOAT, offsetof(eg_params, step_size), "0", 0, 1, NULL, 0,
     "constant step size alpha; 0 = sample average 1/n"},
    {"initial", LGA_FLOAT, offsetof(eg_params, initial), "0", -1e6, 1e6, NULL, 0,
     "initial action values (optimistic when high)"},
    LGA_PARAM_CONTEXT(eg_params, context),
    {"temperature", LGA_FLOAT, offsetof(eg_params, temperature), "0", 0, 1e6, NULL, 0,
     "Boltzmann exploration: above 0, the behaviour picks a channel on air with probability proportional to "
     "exp(Q / temperature) instead of exploring with epsilon (slates of one); 0: epsilon-greedy"},
    {0},
};

typedef struct {
    lga_agent base;
    eg_params p;
    lga_contexts ctx;
    lg_stream rng;
    long t;      /* act calls (per batch) */
    float *q;    /* [n_ctx * n_actions] */
    float *n;    /* [n_ctx * n_actions] pulls */
    float *tmp;  /* [n_actions] scores for slates */
    double *pi;  /* [n_actions] Boltzmann probabilities */
} eg_agent;

static lga_agent *create(const char *json, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    eg_params p;
    if (lga_params_parse("epsilon-greedy", json, params, &p, err, errsz)) return NULL;
    lga_contexts ctx;
    lga_contexts_init(p.context, shape, &ctx);
    eg_agent *a = calloc(1, sizeof *a);
    size_t n = (size_t)ctx.n_ctx * (size_t)ctx.n_actions;
    if (!a || !(a->q = malloc(n * sizeof(float))) || !(a->n = calloc(n, sizeof(float))) ||
        !(a->tmp = malloc((size_t)ctx.n_actions * sizeof(float))) ||
        !(a->pi = malloc((size_t)ctx.n_actions * sizeof(double)))) {
        if (a) free(a->q), free(a->n), free(a->tmp), free(a->pi), free(a);
        snprintf(err, errsz, "epsilon-greedy: out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) a->q[i] = p.initial;
    a->p = p;
    a->ctx = ctx;
    a->rng = lg_stream_make(seed, LGA_STREAM, 0);
    return &a->base;
}

/* Boltzmann probabilities over the channels on air; 0 when none is. */
static int boltzmann(const float *q, const uint8_t *mask, int n, double temperature, double *pi)
{
    double m = -INFINITY, z = 0.0;
    for (int c = 0; c < n; c++)
        if (mask[c] && q[c] > m) m = q[c];
    if (m == -INFINITY) return 0;
    for (int c = 0; c < n; c++) z += pi[c] = mask[c] ? exp((q[c] - m) / temperature) : 0.0;
    for (int c = 0; c < n; c++) pi[c] /= z;
    return 1;
}

static void act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    eg_agent *a = (eg_agent *)base;
    lga_schedule sched = {a->p.epsilon, a->p.epsilon_final, a->p.epsilon_decay_steps};
    float eps = greedy ? 0.0f : lga_schedule_at(&sched, a->t);
    if (!greedy) a->t++;
    for (int i = 0; i < b->n; i++) {
        const uint8_t *mask = &b->mask[(size_t)i * b->n_actions];
        const float *q = &a->q[lga_ctx_row(&a->ctx, b, i)];
        int32_t *out = &actions[(size_t)i * b->slate_size];
        if (!greedy && a->p.temperature > 0.0f && b->slate_size == 1) {
            double u = lg_stream_u01(&a->rng);
            out[0] = boltzmann(q, mask, b->n_actions, a->p.temperature, a->pi) ? lga_draw(a->pi, mask, b->n_actions, u)
                                                                                : 0;
            continue;
        }
        int explore = eps > 0.0f && lg_stream_u01(&a->rng) < eps;
        if (b->slate_size == 1) {
            out[0] = explore ? lga_random_valid(mask, b->n_actions, &a->rng)
                             : lga_argmax_valid(q, mask, b->n_actions, &a->rng);
        } else {
            for (int c = 0; c < b->n_actions; c++) a->tmp[c] = explore ? (float)lg_stream_u01(&a->rng) : q[c];
            lga_top_k(a->tmp, mask, b->n_actions, b->slate_size, &a->rng, out);
        }
    }
}

static int probs(lga_agent *base, const lga_obs_batch *b, int slot, lg_stream *rng, double *out)
{
    (void)rng;
    eg_agent *a = (eg_agent *)base;
    if (b->slate_size != 1) return 0;
    const float *q = &a->q[lga_ctx_row(&a->ctx, b, slot)];
    const uint8_t *mask = &b->mask[(size_t)slot * b->n_actions];
    const int C = b->n_actions;
    if (a->p.temperature > 0.0f) { /* what act's lga_draw makes of pi */
        for (int c = 0; c < C; c++) out[c] = 0.0;
        if (!boltzmann(q, mask, C, a->p.temperature, a->pi)) return out[0] = 1.0, 1;
        return lga_draw_probs(a->pi, mask, C, out);
    }
    lga_schedule sched = {a->p.epsilon, a->p.epsilon_final, a->p.epsilon_decay_steps};
    lga_epsilon_greedy_probs(lga_schedule_at(&sched, a->t), &a->q[lga_ctx_row(&a->ctx, b, slot)],
                             &b->mask[(size_t)slot * b->n_actions], b->n_actions, out);
    return 1;
}

static void update(lga_agent *base, const lga_transition_batch *tr)
{
    eg_agent *a = (eg_agent *)base;
    for (lga_shown it = LGA_SHOWN_START; lga_next_shown(&a->ctx, tr, &it);) {
        float *q = &a->q[it.row + (size_t)it.channel], *n = &a->n[it.row + (size_t)it.channel];
        *n += 1.0f;
        float alpha = a->p.step_size > 0.0f ? a->p.step_size : 1.0f / *n;
        *q += alpha * (it.reward - *q);
    }
}

static int state(lga_agent *base, lga_state_block *blocks)
{
    eg_agent *a = (eg_agent *)base;
    size_t n = (size_t)a->ctx.n_ctx * (size_t)a->ctx.n_actions;
    blocks[0] = LGA_F32_BLOCK("q", a->q, n, -LGA_FMAX, LGA_FMAX);
    blocks[1] = LGA_F32_BLOCK("n", a->n, n, 0, LGA_FMAX);
    blocks[2] = LGA_RAW_BLOCK("rng", &a->rng, sizeof a->rng);
    blocks[3] = LGA_I64_BLOCK("t", &a->t, 1, 0, 9e18);
    return 4;
}

static void destroy(lga_agent *base)
{
    eg_agent *a = (eg_agent *)base;
    free(a->q), free(a->n), free(a->tmp), free(a->pi), free(a);
}

static int scores(lga_agent *base, const lga_obs_batch *b, int slot, float *out)
{
    eg_agent *a = (eg_agent *)base;
    return lga_ctx_scores(&a->ctx, a->q, b, slot, out);
}

static float epsilon(const lga_agent *base)
{
    const eg_agent *a = (const eg_agent *)base;
    lga_schedule sched = {a->p.epsilon, a->p.epsilon_final, a->p.epsilon_decay_steps};
    return lga_schedule_at(&sched, a->t);
}

const lga_agent_type lga_epsilon_greedy_type = {
    .name = "epsilon-greedy",
    .summary = "action values by sample average or constant step; explores with probability epsilon",
    .params = params,
    .learns = 1,
    .create = create,
    .act = act,
    .update = update,
    .free = destroy,
    .state = state,
    .scores = scores,
    .epsilon = epsilon,
    .probs = probs,
};
