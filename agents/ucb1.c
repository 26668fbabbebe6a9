/* ucb1 (S&B 2.7): pick argmax Q(a) + c sqrt(ln t / N(a)); untried actions
 * first. Sample-average estimates. Greedy evaluation drops the bonus. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lga_bandit.h"

typedef struct {
    float c;
    int context;
} ucb_params;

static const lga_param params[] = {
    {"c", LGA_FLOAT, offsetof(ucb_params, c), "2", 0, 1e6, NULL, 0, "exploration weight"},
    LGA_PARAM_CONTEXT(ucb_params, context),
    {0},
};

typedef struct {
    lga_agent base;
    float c;
    lga_contexts ctx;
    lg_stream rng;
    float *q, *n;  /* [n_ctx * n_actions] */
    double *t;     /* [n_ctx] pulls in the context */
    float *score;  /* [n_actions] */
} ucb_agent;

static lga_agent *create(const char *json, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    ucb_params p;
    if (lga_params_parse("ucb1", json, params, &p, err, errsz)) return NULL;
    float c = p.c;
    lga_contexts ctx;
    lga_contexts_init(p.context, shape, &ctx);
    ucb_agent *a = calloc(1, sizeof *a);
    size_t n = (size_t)ctx.n_ctx * (size_t)ctx.n_actions;
    if (!a || !(a->q = calloc(n, sizeof(float))) || !(a->n = calloc(n, sizeof(float))) ||
        !(a->t = calloc((size_t)ctx.n_ctx, sizeof(double))) ||
        !(a->score = malloc((size_t)ctx.n_actions * sizeof(float)))) {
        if (a) free(a->q), free(a->n), free(a->t), free(a);
        snprintf(err, errsz, "ucb1: out of memory");
        return NULL;
    }
    a->c = c;
    a->ctx = ctx;
    a->rng = lg_stream_make(seed, LGA_STREAM, 0);
    return &a->base;
}

static void act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    ucb_agent *a = (ucb_agent *)base;
    for (int i = 0; i < b->n; i++) {
        size_t row = lga_ctx_row(&a->ctx, b, i);
        const float *q = &a->q[row], *n = &a->n[row];
        double t = a->t[row / (size_t)a->ctx.n_actions];
        double lt = log(t > 1.0 ? t : 1.0);
        for (int c = 0; c < b->n_actions; c++) {
            if (greedy)
                a->score[c] = q[c];
            else
                a->score[c] = n[c] == 0.0f ? INFINITY : q[c] + a->c * (float)sqrt(lt / n[c]);
        }
        lga_top_k(a->score, &b->mask[(size_t)i * b->n_actions], b->n_actions, b->slate_size, &a->rng,
                  &actions[(size_t)i * b->slate_size]);
    }
}

static void update(lga_agent *base, const lga_transition_batch *tr)
{
    ucb_agent *a = (ucb_agent *)base;
    for (lga_shown it = LGA_SHOWN_START; lga_next_shown(&a->ctx, tr, &it);) {
        float *q = &a->q[it.row + (size_t)it.channel], *n = &a->n[it.row + (size_t)it.channel];
        *n += 1.0f;
        *q += (it.reward - *q) / *n;
        a->t[it.row / (size_t)a->ctx.n_actions] += 1.0;
    }
}

static int state(lga_agent *base, lga_state_block *blocks)
{
    ucb_agent *a = (ucb_agent *)base;
    size_t n = (size_t)a->ctx.n_ctx * (size_t)a->ctx.n_actions;
    blocks[0] = LGA_F32_BLOCK("q", a->q, n, -LGA_FMAX, LGA_FMAX);
    blocks[1] = LGA_F32_BLOCK("n", a->n, n, 0, LGA_FMAX);
    blocks[2] = LGA_F64_BLOCK("t", a->t, a->ctx.n_ctx, 0, LGA_FMAX);
    blocks[3] = LGA_RAW_BLOCK("rng", &a->rng, sizeof a->rng);
    return 4;
}

static void destroy(lga_agent *base)
{
    ucb_agent *a = (ucb_agent *)base;
    free(a->q), free(a->n), free(a->t), free(a->score), free(a);
}

/* The mean estimates (the bonus is exploration, not value). */
static int scores(lga_agent *base, const lga_obs_batch *b, int slot, float *out)
{
    ucb_agent *a = (ucb_agent *)base;
    return lga_ctx_scores(&a->ctx, a->q, b, slot, out);
}

const lga_agent_type lga_ucb1_type = {
    .name = "ucb1",
    .summary = "upper confidence bound: Q(a) + c sqrt(ln t / N(a)), untried actions first",
    .params = params,
    .learns = 1,
    .create = create,
    .act = act,
    .update = update,
    .free = destroy,
    .state = state,
    .scores = scores,
};
