/* gradient-bandit (S&B 2.8): soft-max action preferences H, updated by
 * stochastic gradient ascent on expected reward,
 *   H(a) += alpha (R - baseline) (1[a = A] - pi(a)),
 * with the average reward as baseline (or 0 when baseline is false). The
 * soft-max runs over the actions on air at that step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lga_bandit.h"

typedef struct {
    float alpha;
    int baseline;
    int context;
} gb_params;

static const lga_param params[] = {
    {"alpha", LGA_FLOAT, offsetof(gb_params, alpha), "0.1", 0, 100, NULL, 0, "step size of the preferences"},
    {"baseline", LGA_BOOL, offsetof(gb_params, baseline), "true", 0, 0, NULL, 0,
     "subtract the average reward (false: baseline 0)"},
    LGA_PARAM_CONTEXT(gb_params, context),
    {0},
};

typedef struct {
    lga_agent base;
    float alpha;
    int use_baseline;
    lga_contexts ctx;
    lg_stream rng;
    float *h;        /* [n_ctx * n_actions] preferences */
    double *rbar;    /* [n_ctx] average reward */
    double *count;   /* [n_ctx] */
    double *pi;      /* [n_actions] scratch: float-rounded probabilities */
} gb_agent;

static lga_agent *create(const char *json, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    gb_params p;
    if (lga_params_parse("gradient-bandit", json, params, &p, err, errsz)) return NULL;
    float alpha = p.alpha;
    int use_baseline = p.baseline;
    lga_contexts ctx;
    lga_contexts_init(p.context, shape, &ctx);
    gb_agent *a = calloc(1, sizeof *a);
    size_t n = (size_t)ctx.n_ctx * (size_t)ctx.n_actions;
    if (!a || !(a->h = calloc(n, sizeof(float))) || !(a->rbar = calloc((size_t)ctx.n_ctx, sizeof(double))) ||
        !(a->count = calloc((size_t)ctx.n_ctx, sizeof(double))) ||
        !(a->pi = malloc((size_t)ctx.n_actions * sizeof(double)))) {
        if (a) free(a->h), free(a->rbar), free(a->count), free(a);
        snprintf(err, errsz, "gradient-bandit: out of memory");
        return NULL;
    }
    a->alpha = alpha;
    a->use_baseline = use_baseline;
    a->ctx = ctx;
    a->rng = lg_stream_make(seed, LGA_STREAM, 0);
    return &a->base;
}

/* pi over the unmasked actions; returns 0 if none is unmasked. */
static int softmax(const float *h, const uint8_t *mask, int n, double *pi)
{
    float m = -INFINITY;
    for (int c = 0; c < n; c++)
        if (mask[c] && h[c] > m) m = h[c];
    if (m == -INFINITY) return 0;
    double z = 0;
    for (int c = 0; c < n; c++) z += pi[c] = mask[c] ? expf(h[c] - m) : 0.0f;
    for (int c = 0; c < n; c++) pi[c] = (float)(pi[c] / z);
    return 1;
}

static void act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    gb_agent *a = (gb_agent *)base;
    for (int i = 0; i < b->n; i++) {
        const float *h = &a->h[lga_ctx_row(&a->ctx, b, i)];
        const uint8_t *mask = &b->mask[(size_t)i * b->n_actions];
        int32_t *out = &actions[(size_t)i * b->slate_size];
        if (greedy || b->slate_size > 1 || !softmax(h, mask, b->n_actions, a->pi)) {
            /* Slates: the top-k preferences, a deterministic ranking policy. */
            lga_top_k(h, mask, b->n_actions, b->slate_size, &a->rng, out);
            continue;
        }
        out[0] = lga_draw(a->pi, mask, b->n_actions, lg_stream_u01(&a->rng));
    }
}

/* act's draw (lga_draw) of pi, as lga_draw_probs states it. */
static int probs(lga_agent *base, const lga_obs_batch *b, int slot, lg_stream *rng, double *out)
{
    (void)rng;
    gb_agent *a = (gb_agent *)base;
    const int C = b->n_actions;
    const uint8_t *mask = &b->mask[(size_t)slot * C];
    if (b->slate_size != 1) return 0;
    for (int c = 0; c < C; c++) out[c] = 0.0;
    const float *h = &a->h[lga_ctx_row(&a->ctx, b, slot)];
    if (!softmax(h, mask, C, a->pi)) {
        /* nothing unmasked: act's top-1 of h over every action, ties split */
        int ties = 0;
        float m = -INFINITY;
        for (int c = 0; c < C; c++) m = h[c] > m ? h[c] : m;
        for (int c = 0; c < C; c++) ties += h[c] == m;
        for (int c = 0; c < C; c++) out[c] = ties ? (h[c] == m) / (double)ties : 1.0 / C;
        return 1;
    }
    return lga_draw_probs(a->pi, mask, C, out);
}

static void update(lga_agent *base, const lga_transition_batch *tr)
{
    gb_agent *a = (gb_agent *)base;
    const lga_obs_batch *b = tr->obs;
    for (int i = 0; i < b->n; i++) {
        if (lga_idle(tr, i)) continue;
        size_t row = lga_ctx_row(&a->ctx, b, i), ci = row / (size_t)a->ctx.n_actions;
        float *h = &a->h[row];
        if (!softmax(h, &b->mask[(size_t)i * b->n_actions], b->n_actions, a->pi)) continue;
        int32_t chosen = tr->actions[(size_t)i * b->slate_size];
        float r = lga_item_reward(tr, i, 0);
        /* The baseline is the average of the rewards before this one, and the
         * first reward itself at the first step (S&B eq. 2.12, R_1 = R_1). */
        float baseline = a->count[ci] == 0.0 ? r : (float)a->rbar[ci];
        float adv = r - (a->use_baseline ? baseline : 0.0f);
        for (int c = 0; c < b->n_actions; c++)
            if (b->mask[(size_t)i * b->n_actions + c]) h[c] += a->alpha * adv * ((c == chosen) - (float)a->pi[c]);
        a->count[ci] += 1.0;
        a->rbar[ci] += (r - a->rbar[ci]) / a->count[ci];
    }
}

static int state(lga_agent *base, lga_state_block *blocks)
{
    gb_agent *a = (gb_agent *)base;
    size_t n = (size_t)a->ctx.n_ctx * (size_t)a->ctx.n_actions;
    blocks[0] = LGA_F32_BLOCK("h", a->h, n, -LGA_FMAX, LGA_FMAX);
    blocks[1] = LGA_F64_BLOCK("rbar", a->rbar, a->ctx.n_ctx, -LGA_FMAX, LGA_FMAX);
    blocks[2] = LGA_F64_BLOCK("count", a->count, a->ctx.n_ctx, 0, LGA_FMAX);
    blocks[3] = LGA_RAW_BLOCK("rng", &a->rng, sizeof a->rng);
    return 4;
}

static void destroy(lga_agent *base)
{
    gb_agent *a = (gb_agent *)base;
    free(a->h), free(a->rbar), free(a->count), free(a->pi), free(a);
}

/* Preferences H (the policy is their soft-max). */
static int scores(lga_agent *base, const lga_obs_batch *b, int slot, float *out)
{
    gb_agent *a = (gb_agent *)base;
    return lga_ctx_scores(&a->ctx, a->h, b, slot, out);
}

const lga_agent_type lga_gradient_bandit_type = {
    .name = "gradient-bandit",
    .summary = "soft-max preferences by stochastic gradient ascent, average-reward baseline",
    .params = params,
    .learns = 1,
    .create = create,
    .act = act,
    .update = update,
    .free = destroy,
    .state = state,
    .scores = scores,
    .probs = probs,
};
