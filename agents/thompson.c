/* thompson: Thompson sampling. model "gaussian": each action's mean has a
 * Normal prior N(prior_mean, prior_sd^2) and rewards are Normal with known
 * noise_sd; conjugate posterior. model "bernoulli": a Beta(prior_alpha,
 * prior_beta) prior on P(success), success = reward > threshold (in the live
 * world: the viewer watched). Acts on one posterior sample per action; greedy
 * evaluation uses the posterior mean. */
#include <math.h>
#include <stdlib.h>

#include "lga_bandit.h"

typedef struct {
    int bernoulli;
    float prior_mean, prior_sd, noise_sd;
    float prior_alpha, prior_beta, threshold;
    int context;
} ts_params;

static const char *const models[] = {"gaussian", "bernoulli", NULL};

static const lga_param params[] = {
    {"model", LGA_CHOICE, offsetof(ts_params, bernoulli), "gaussian", 0, 0, models, 0,
     "gaussian (known noise) or bernoulli (success = reward > threshold)"},
    {"prior_mean", LGA_FLOAT, offsetof(ts_params, prior_mean), "0", -1e6, 1e6, NULL, 0, "gaussian prior mean"},
    {"prior_sd", LGA_FLOAT, offsetof(ts_params, prior_sd), "1", 1e-6, 1e6, NULL, 0, "gaussian prior sd"},
    {"noise_sd", LGA_FLOAT, offsetof(ts_params, noise_sd), "1", 1e-6, 1e6, NULL, 0, "gaussian reward noise sd"},
    {"prior_alpha", LGA_FLOAT, offsetof(ts_params, prior_alpha), "1", 1e-6, 1e6, NULL, 0, "bernoulli Beta prior alpha"},
    {"prior_beta", LGA_FLOAT, offsetof(ts_params, prior_beta), "1", 1e-6, 1e6, NULL, 0, "bernoulli Beta prior beta"},
    {"threshold", LGA_FLOAT, offsetof(ts_params, threshold), "0", -1e6, 1e6, NULL, 0,
     "bernoulli: a reward above it is a success"},
    LGA_PARAM_CONTEXT(ts_params, context),
    {0},
};

typedef struct {
    lga_agent base;
    ts_params p;
    lga_contexts ctx;
    lg_stream rng;
    float *n;      /* gaussian: pulls; bernoulli: successes */
    float *s;      /* gaussian: reward sums; bernoulli: failures */
    float *score;  /* [n_actions] */
    float *draw;   /* [n_actions] probs' scratch */
} ts_agent;

static lga_agent *create(const char *json, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    ts_params p;
    if (lga_params_parse("thompson", json, params, &p, err, errsz)) return NULL;
    lga_contexts ctx;
    lga_contexts_init(p.context, shape, &ctx);
    ts_agent *a = calloc(1, sizeof *a);
    size_t n = (size_t)ctx.n_ctx * (size_t)ctx.n_actions;
    if (!a || !(a->n = calloc(n, sizeof(float))) || !(a->s = calloc(n, sizeof(float))) ||
        !(a->score = malloc((size_t)ctx.n_actions * sizeof(float))) ||
        !(a->draw = malloc((size_t)ctx.n_actions * sizeof(float)))) {
        if (a) free(a->n), free(a->s), free(a->score), free(a);
        snprintf(err, errsz, "thompson: out of memory");
        return NULL;
    }
    a->p = p;
    a->ctx = ctx;
    a->rng = lg_stream_make(seed, LGA_STREAM, 0);
    return &a->base;
}

/* Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 via the boost
 * Gamma(shape) = Gamma(shape + 1) * U^(1/shape). */
static double gamma_draw(lg_stream *rng, double shape)
{
    double boost = 1.0;
    if (shape < 1.0) {
        boost = pow(lg_stream_u01(rng), 1.0 / shape);
        shape += 1.0;
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = lg_stream_normal(rng), v = 1.0 + c * x;
        if (v <= 0.0) continue;
        v = v * v * v;
        double u = lg_stream_u01(rng);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v)) return boost * d * v;
    }
}

/* One posterior sample of every unmasked action's value (the mean when
 * greedy), drawn from rng; masked actions -inf. */
static void sample(ts_agent *a, size_t row, const uint8_t *mask, int greedy, lg_stream *rng, float *score)
{
    const ts_params *p = &a->p;
    for (int c = 0; c < a->ctx.n_actions; c++) {
        float n = a->n[row + (size_t)c], s = a->s[row + (size_t)c];
        if (!mask[c]) {
            score[c] = -INFINITY;
        } else if (p->bernoulli) {
            double al = p->prior_alpha + n, be = p->prior_beta + s;
            if (greedy) {
                score[c] = (float)(al / (al + be));
            } else {
                double x = gamma_draw(rng, al), y = gamma_draw(rng, be);
                score[c] = (float)(x / (x + y));
            }
        } else {
            double prec = 1.0 / (p->prior_sd * p->prior_sd) + n / (p->noise_sd * p->noise_sd);
            double mean = (p->prior_mean / (p->prior_sd * p->prior_sd) + s / (p->noise_sd * p->noise_sd)) / prec;
            score[c] = greedy ? (float)mean : (float)(mean + lg_stream_normal(rng) / sqrt(prec));
        }
    }
}

static void act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    ts_agent *a = (ts_agent *)base;
    for (int i = 0; i < b->n; i++) {
        const uint8_t *mask = &b->mask[(size_t)i * b->n_actions];
        sample(a, lga_ctx_row(&a->ctx, b, i), mask, greedy, &a->rng, a->score);
        lga_top_k(a->score, mask, b->n_actions, b->slate_size, &a->rng, &actions[(size_t)i * b->slate_size]);
    }
}

/* Thompson sampling's probability that an action wins has no closed form:
 * estimated from LGA_THOMPSON_DRAWS posterior samples drawn from the
 * caller's stream (ties split), plus one pseudo-sample spread evenly over
 * the unmasked actions, so that no action the agent may take gets
 * probability 0 (a bias toward uniform of at most 1 / (draws + 1)). */
#define LGA_THOMPSON_DRAWS 1000
static int probs(lga_agent *base, const lga_obs_batch *b, int slot, lg_stream *rng, double *out)
{
    ts_agent *a = (ts_agent *)base;
    const int C = b->n_actions;
    const uint8_t *mask = &b->mask[(size_t)slot * C];
    size_t row = lga_ctx_row(&a->ctx, b, slot);
    int n_on = 0;
    if (b->slate_size != 1) return 0;
    for (int c = 0; c < C; c++) out[c] = 0.0, n_on += mask[c] != 0;
    if (n_on == 0) { /* act's top-1 of all -inf: uniform over every action */
        for (int c = 0; c < C; c++) out[c] = 1.0 / C;
        return 1;
    }
    for (int m = 0; m < LGA_THOMPSON_DRAWS; m++) {
        sample(a, row, mask, 0, rng, a->draw);
        float best = -INFINITY;
        int ties = 0;
        for (int c = 0; c < C; c++)
            if (mask[c] && (a->draw[c] > best || !ties)) best = a->draw[c], ties = 1;
            else if (mask[c] && a->draw[c] == best) ties++;
        for (int c = 0; c < C; c++)
            if (mask[c] && a->draw[c] == best) out[c] += 1.0 / ties;
    }
    for (int c = 0; c < C; c++)
        if (mask[c]) out[c] = (out[c] + 1.0 / n_on) / (LGA_THOMPSON_DRAWS + 1);
    return 1;
}

static void update(lga_agent *base, const lga_transition_batch *tr)
{
    ts_agent *a = (ts_agent *)base;
    for (lga_shown it = LGA_SHOWN_START; lga_next_shown(&a->ctx, tr, &it);) {
        size_t at = it.row + (size_t)it.channel;
        if (a->p.bernoulli) {
            if (it.reward > a->p.threshold)
                a->n[at] += 1.0f;
            else
                a->s[at] += 1.0f;
        } else {
            a->n[at] += 1.0f;
            a->s[at] += it.reward;
        }
    }
}

static int state(lga_agent *base, lga_state_block *blocks)
{
    ts_agent *a = (ts_agent *)base;
    size_t n = (size_t)a->ctx.n_ctx * (size_t)a->ctx.n_actions;
    /* Beta shapes must stay positive: counts are never negative. */
    blocks[0] = LGA_F32_BLOCK("n", a->n, n, 0, LGA_FMAX);
    blocks[1] = LGA_F32_BLOCK("s", a->s, n, a->p.bernoulli ? 0 : -LGA_FMAX, LGA_FMAX);
    blocks[2] = LGA_RAW_BLOCK("rng", &a->rng, sizeof a->rng);
    return 3;
}

static void destroy(lga_agent *base)
{
    ts_agent *a = (ts_agent *)base;
    free(a->n), free(a->s), free(a->score), free(a->draw), free(a);
}

/* Posterior means. */
static int scores(lga_agent *base, const lga_obs_batch *b, int slot, float *out)
{
    ts_agent *a = (ts_agent *)base;
    const ts_params *p = &a->p;
    size_t row = lga_ctx_row(&a->ctx, b, slot);
    for (int c = 0; c < a->ctx.n_actions; c++) {
        double n = a->n[row + (size_t)c], s = a->s[row + (size_t)c];
        if (p->bernoulli) {
            out[c] = (float)((p->prior_alpha + n) / (p->prior_alpha + n + p->prior_beta + s));
        } else {
            double prec = 1.0 / (p->prior_sd * p->prior_sd) + n / (p->noise_sd * p->noise_sd);
            out[c] = (float)((p->prior_mean / (p->prior_sd * p->prior_sd) + s / (p->noise_sd * p->noise_sd)) / prec);
        }
    }
    return 1;
}

const lga_agent_type lga_thompson_type = {
    .name = "thompson",
    .summary = "Thompson sampling with a Gaussian or Beta-Bernoulli posterior per action",
    .params = params,
    .learns = 1,
    .create = create,
    .act = act,
    .update = update,
    .free = destroy,
    .state = state,
    .scores = scores,
    .probs = probs,
    .probs_method = "Monte Carlo: 1000 posterior draws per slot-step from the log's own stream, ties split, "
                    "plus one draw spread over the on-air channels",
};
