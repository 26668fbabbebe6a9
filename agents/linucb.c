/* linucb: disjoint LinUCB (Li, Chu, Langford, Schapire 2010). Each action a
 * has a ridge regression of reward on a feature vector x_a and is scored
 * theta_a . x_a + alpha sqrt(x_a^T A_a^-1 x_a). Here x_a is
 * [1, the viewer context (the slot part of the observation without the
 * per-channel follow flags), whether the viewer follows a, a's channel row],
 * so the model sees both the viewer and the channel. A_a^-1 is kept
 * directly and updated by Sherman-Morrison, O(d^2) per update, in double
 * precision: thousands of rank-one updates in float lose positive
 * definiteness and the scores degrade as data accumulates. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lga_bandit.h"

typedef struct {
    float alpha, lambda;
} lin_params;

static const lga_param params[] = {
    {"alpha", LGA_FLOAT, offsetof(lin_params, alpha), "1", 0, 1e6, NULL, 0, "width of the confidence bonus"},
    {"lambda", LGA_FLOAT, offsetof(lin_params, lambda), "1", 1e-6, 1e6, NULL, 0,
     "ridge regularisation (A starts as lambda I)"},
    {0},
};

typedef struct {
    lga_agent base;
    float alpha, lambda;
    int d;              /* feature dimension */
    int follows_at;     /* offset of the follows block in the slot part, -1 if none */
    int n_actions;
    lg_stream rng;
    double *ainv;       /* [n_actions * d * d] */
    double *bvec;       /* [n_actions * d] */
    float *x;           /* [d] scratch */
    double *ax;         /* [d] scratch */
    float *score;       /* [n_actions] */
} lin_agent;

/* Context features: slot part minus the follow flags. */
static int context_dim(const lga_obs_batch *b, int follows_at)
{
    return b->slot_dim - (follows_at >= 0 ? b->n_actions : 0);
}

static lga_agent *create(const char *json, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    lin_params p;
    if (lga_params_parse("linucb", json, params, &p, err, errsz)) return NULL;
    float alpha = p.alpha, lambda = p.lambda;
    int follows_at = lga_block_offset(shape, "follows", 0);
    int d = 1 + context_dim(shape, follows_at) + 1 + shape->channel_dim;
    size_t A = (size_t)shape->n_actions;
    lin_agent *a = calloc(1, sizeof *a);
    if (!a || !(a->ainv = calloc(A * (size_t)d * (size_t)d, sizeof(double))) ||
        !(a->bvec = calloc(A * (size_t)d, sizeof(double))) || !(a->x = malloc((size_t)d * sizeof(float))) ||
        !(a->ax = malloc((size_t)d * sizeof(double))) || !(a->score = malloc(A * sizeof(float)))) {
        if (a) free(a->ainv), free(a->bvec), free(a->x), free(a->ax), free(a);
        snprintf(err, errsz, "linucb: out of memory");
        return NULL;
    }
    for (size_t c = 0; c < A; c++)
        for (int j = 0; j < d; j++) a->ainv[(c * (size_t)d + (size_t)j) * (size_t)d + (size_t)j] = 1.0 / lambda;
    a->alpha = alpha;
    a->lambda = lambda;
    a->d = d;
    a->follows_at = follows_at;
    a->n_actions = shape->n_actions;
    a->rng = lg_stream_make(seed, LGA_STREAM, 0);
    return &a->base;
}

static void features(const lin_agent *a, const lga_obs_batch *b, int i, int c, float *x)
{
    const float *slot = b->obs ? b->obs + (size_t)i * b->obs_dim : b->slot_obs + (size_t)i * b->slot_dim;
    int k = 0;
    x[k++] = 1.0f;
    for (int j = 0; j < b->slot_dim; j++)
        if (a->follows_at < 0 || j < a->follows_at || j >= a->follows_at + b->n_actions) x[k++] = slot[j];
    x[k++] = a->follows_at >= 0 ? slot[a->follows_at + c] : 0.0f;
    memcpy(&x[k], lga_channel_row(b, i, c), sizeof(float) * (size_t)b->channel_dim);
}

/* ax = A^-1 x; returns x^T A^-1 x. Each row's sum runs over j in order;
 * eight rows at a time, so that eight independent sums fill the adders'
 * pipelines instead of one waiting on its own last add (the same bits). */
static double quad(const double *ainv, const float *x, double *ax, int d)
{
    int r = 0;
    const size_t D = (size_t)d;
    for (; r + 8 <= d; r += 8) {
        const double *a = &ainv[(size_t)r * D];
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, s5 = 0.0, s6 = 0.0, s7 = 0.0;
        for (int j = 0; j < d; j++) {
            const double xj = x[j];
            s0 += a[j] * xj, s1 += a[D + j] * xj, s2 += a[2 * D + j] * xj, s3 += a[3 * D + j] * xj;
            s4 += a[4 * D + j] * xj, s5 += a[5 * D + j] * xj, s6 += a[6 * D + j] * xj, s7 += a[7 * D + j] * xj;
        }
        ax[r] = s0, ax[r + 1] = s1, ax[r + 2] = s2, ax[r + 3] = s3;
        ax[r + 4] = s4, ax[r + 5] = s5, ax[r + 6] = s6, ax[r + 7] = s7;
    }
    for (; r < d; r++) {
        double s = 0.0;
        const double *row = &ainv[(size_t)r * D];
        for (int j = 0; j < d; j++) s += row[j] * x[j];
        ax[r] = s;
    }
    double q = 0.0;
    for (r = 0; r < d; r++) q += x[r] * ax[r];
    return q;
}

static void act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    lin_agent *a = (lin_agent *)base;
    const int d = a->d;
    for (int i = 0; i < b->n; i++) {
        const uint8_t *mask = &b->mask[(size_t)i * b->n_actions];
        for (int c = 0; c < b->n_actions; c++) {
            if (!mask[c]) {
                a->score[c] = -INFINITY;
                continue;
            }
            features(a, b, i, c, a->x);
            const double *ainv = &a->ainv[(size_t)c * (size_t)d * (size_t)d];
            double q = quad(ainv, a->x, a->ax, d);
            /* theta . x = b^T A^-1 x (A^-1 is symmetric) */
            double mean = 0.0;
            for (int j = 0; j < d; j++) mean += a->bvec[(size_t)c * (size_t)d + (size_t)j] * a->ax[j];
            a->score[c] = (float)(mean + (greedy ? 0.0 : a->alpha * sqrt(q > 0.0 ? q : 0.0)));
        }
        lga_top_k(a->score, mask, b->n_actions, b->slate_size, &a->rng, &actions[(size_t)i * b->slate_size]);
    }
}

static void update(lga_agent *base, const lga_transition_batch *tr)
{
    lin_agent *a = (lin_agent *)base;
    const lga_obs_batch *b = tr->obs;
    const int d = a->d;
    for (int i = 0; i < b->n; i++) {
        if (lga_idle(tr, i)) continue;
        for (int j = 0; j < b->slate_size; j++) {
            int32_t c = tr->actions[(size_t)i * b->slate_size + j];
            if (c < 0 || c >= b->n_actions) continue;
            features(a, b, i, c, a->x);
            double *ainv = &a->ainv[(size_t)c * (size_t)d * (size_t)d];
            double q = quad(ainv, a->x, a->ax, d);
            /* Sherman-Morrison: (A + x x^T)^-1 = A^-1 - (A^-1 x)(A^-1 x)^T / (1 + x^T A^-1 x) */
            double inv = 1.0 / (1.0 + q);
            for (int r = 0; r < d; r++)
                for (int k = 0; k < d; k++) ainv[(size_t)r * (size_t)d + (size_t)k] -= a->ax[r] * a->ax[k] * inv;
            float r = lga_item_reward(tr, i, j);
            for (int k = 0; k < d; k++) a->bvec[(size_t)c * (size_t)d + (size_t)k] += r * a->x[k];
        }
    }
}

static int state(lga_agent *base, lga_state_block *blocks)
{
    lin_agent *a = (lin_agent *)base;
    size_t A = (size_t)a->n_actions, d = (size_t)a->d;
    blocks[0] = LGA_F64_BLOCK("ainv", a->ainv, A * d * d, -LGA_FMAX, LGA_FMAX);
    blocks[1] = LGA_F64_BLOCK("b", a->bvec, A * d, -LGA_FMAX, LGA_FMAX);
    blocks[2] = LGA_RAW_BLOCK("rng", &a->rng, sizeof a->rng);
    return 3;
}

static void destroy(lga_agent *base)
{
    lin_agent *a = (lin_agent *)base;
    free(a->ainv), free(a->bvec), free(a->x), free(a->ax), free(a->score), free(a);
}

/* The ridge estimates theta_c . x_c, without the confidence bonus. */
static int scores(lga_agent *base, const lga_obs_batch *b, int slot, float *out)
{
    lin_agent *a = (lin_agent *)base;
    const int d = a->d;
    for (int c = 0; c < b->n_actions; c++) {
        features(a, b, slot, c, a->x);
        quad(&a->ainv[(size_t)c * (size_t)d * (size_t)d], a->x, a->ax, d);
        double mean = 0.0;
        for (int j = 0; j < d; j++) mean += a->bvec[(size_t)c * (size_t)d + (size_t)j] * a->ax[j];
        out[c] = (float)mean;
    }
    return 1;
}

const lga_agent_type lga_linucb_type = {
    .name = "linucb",
    .summary = "disjoint LinUCB on viewer context + channel features (ridge regression per channel)",
    .params = params,
    .learns = 1,
    .create = create,
    .act = act,
    .update = update,
    .free = destroy,
    .state = state,
    .scores = scores,
};
