/* slate-oracle (CHEATING): the slate with the highest expected immediate
 * reward under the true state and the scenario's slate choice model
 * (docs/model.md "Slates"), found exactly; the myopic `oracle` instead
 * shows the k channels best alone, which no model makes optimal in
 * general. Per channel on air a: its choice weight w_a and the reward r_a
 * of a step in which it is taken (lg_env_item_truth).
 *
 *   mnl       maximise sum w r / (1 + sum w) over k channels: Dinkelbach's
 *             iteration (for a value l, the best set is the k largest
 *             w (r - l); l <- the set's value, until it stops rising);
 *   position  the same with position weights d^j: for a value l, the k
 *             largest w (r - l), in decreasing order down the slate (the
 *             rearrangement inequality);
 *   cascade   the value of an order is p1 r1 + d (1 - p1) (p2 r2 + ...),
 *             p = w / (1 + w); swapping neighbours shows that any set is
 *             best in decreasing p r / (1 - d (1 - p)); over those orders a
 *             dynamic programme picks the best k.
 * Myopic all the same: it ignores what a slate does to the session. */
#include <math.h>
#include <stdlib.h>

#include <stdio.h>

#include "lga_agent.h"
#include "lga_params.h"

typedef struct {
    double key;
    int idx;
} keyed;

typedef struct {
    lga_agent base;
    lg_stream rng;
    int n;               /* actions */
    double *w, *r, *key; /* [n] */
    int *order;          /* [n] */
    double *dp;          /* [(n + 1) * (k + 1)] */
    float *tmp;          /* [n] */
    keyed *pairs;        /* [n] */
    int k;
} so_agent;

/* Decreasing key, then increasing action: a total order, so the slate
 * does not depend on qsort's whims. */
static int by_key_desc(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    return a->key < b->key ? 1 : a->key > b->key ? -1 : a->idx - b->idx;
}

/* The valid actions in decreasing key order, in a->order; returns how many. */
static int sorted_valid(so_agent *a, const uint8_t *mask)
{
    int m = 0;
    for (int c = 0; c < a->n; c++)
        if (mask[c] && a->w[c] > 0.0) a->pairs[m++] = (keyed){a->key[c], c};
    qsort(a->pairs, (size_t)m, sizeof(keyed), by_key_desc);
    for (int i = 0; i < m; i++) a->order[i] = a->pairs[i].idx;
    return m;
}

/* The value of the slate s[0..k) under the logit models (d = 1: mnl). */
static double logit_value(const so_agent *a, const int32_t *s, int k, double d)
{
    double num = 0.0, den = 1.0, f = 1.0;
    for (int j = 0; j < k; j++, f *= d) num += f * a->w[s[j]] * a->r[s[j]], den += f * a->w[s[j]];
    return num / den;
}

static int logit_slate(so_agent *a, const uint8_t *mask, int k, double d, int32_t *out)
{
    double lambda = 0.0, best = -INFINITY;
    int m = 0;
    for (int it = 0; it < 100; it++) {
        for (int c = 0; c < a->n; c++) a->key[c] = a->w[c] * (a->r[c] - lambda);
        m = sorted_valid(a, mask);
        int kk = m < k ? m : k;
        double v = logit_value(a, a->order, kk, d);
        if (best > -INFINITY && !(v > best + 1e-12 * fabs(best))) break;
        best = lambda = v;
        for (int j = 0; j < kk; j++) out[j] = a->order[j];
    }
    return m < k ? m : k;
}

static int cascade_slate(so_agent *a, const uint8_t *mask, int k, double d, int32_t *out)
{
    for (int c = 0; c < a->n; c++) {
        double p = a->w[c] / (1.0 + a->w[c]);
        a->key[c] = p * a->r[c] / (1.0 - d * (1.0 - p));
    }
    int m = sorted_valid(a, mask), K = m < k ? m : k;
    /* dp[i][j]: best value of choosing j more items among order[i..m), in order */
    double *dp = a->dp;
#define DP(i, j) dp[(size_t)(i) * (size_t)(a->k + 1) + (size_t)(j)]
    for (int j = 0; j <= K; j++) DP(m, j) = j ? -INFINITY : 0.0;
    for (int i = m - 1; i >= 0; i--)
        for (int j = 0; j <= K; j++) {
            double skip = DP(i + 1, j), take = -INFINITY;
            if (j > 0 && DP(i + 1, j - 1) > -INFINITY) {
                int c = a->order[i];
                double p = a->w[c] / (1.0 + a->w[c]);
                take = p * a->r[c] + d * (1.0 - p) * DP(i + 1, j - 1);
            }
            DP(i, j) = take > skip ? take : skip;
        }
    for (int i = 0, j = K, n = 0; i < m && j > 0; i++) {
        int c = a->order[i];
        double p = a->w[c] / (1.0 + a->w[c]);
        if (DP(i + 1, j - 1) > -INFINITY && p * a->r[c] + d * (1.0 - p) * DP(i + 1, j - 1) >= DP(i + 1, j))
            out[n++] = c, j--;
    }
#undef DP
    return K;
}

static void act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    (void)greedy;
    so_agent *a = (so_agent *)base;
    const lg_scenario *sc = lg_env_scenario(b->env);
    const int k = b->slate_size;
    const double d = sc->position_decay;
    for (int i = 0; i < b->n; i++) {
        const uint8_t *mask = &b->mask[(size_t)i * b->n_actions];
        int32_t *out = &actions[(size_t)i * k];
        lg_env_item_truth(b->env, i, a->w, a->r);
        int got = sc->slate_choice == LG_SLATE_CASCADE ? cascade_slate(a, mask, k, d, out)
                                                      : logit_slate(a, mask, k, sc->slate_choice == LG_SLATE_POSITION ? d : 1.0, out);
        /* fewer channels on air than the slate: the rest, as the ranker fills them */
        if (got < k) {
            for (int c = 0; c < a->n; c++) a->tmp[c] = 0.0f;
            for (int j = 0; j < got; j++) a->tmp[out[j]] = 1.0f;
            int32_t full[LG_MAX_SLATE];
            lga_top_k(a->tmp, mask, b->n_actions, k, &a->rng, full);
            for (int j = got; j < k; j++) {
                /* the first of full not yet in out */
                for (int q = 0; q < k; q++) {
                    int used = 0;
                    for (int p = 0; p < j; p++) used |= out[p] == full[q];
                    if (!used) {
                        out[j] = full[q];
                        break;
                    }
                }
            }
        }
    }
}

static void update(lga_agent *a, const lga_transition_batch *tr) { (void)a, (void)tr; }

static void destroy(lga_agent *base)
{
    so_agent *a = (so_agent *)base;
    free(a->w), free(a->r), free(a->key), free(a->order), free(a->dp), free(a->tmp), free(a->pairs), free(a);
}

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    static const lga_param none[] = {{0}};
    int unused;
    if (lga_params_parse("slate-oracle", params, none, &unused, err, errsz)) return NULL;
    so_agent *a = calloc(1, sizeof *a);
    size_t n = (size_t)shape->n_actions, k = (size_t)shape->slate_size;
    if (!a || !(a->w = malloc(n * sizeof(double))) || !(a->r = malloc(n * sizeof(double))) ||
        !(a->key = malloc(n * sizeof(double))) || !(a->order = malloc(n * sizeof(int))) ||
        !(a->dp = malloc((n + 1) * (k + 1) * sizeof(double))) || !(a->tmp = malloc(n * sizeof(float))) ||
        !(a->pairs = malloc(n * sizeof(keyed)))) {
        if (a) destroy(&a->base);
        snprintf(err, errsz, "slate-oracle: out of memory");
        return NULL;
    }
    a->n = (int)n, a->k = (int)k;
    a->rng = lg_stream_make(seed, LGA_STREAM, 0);
    return &a->base;
}

static int state(lga_agent *base, lga_state_block *blocks)
{
    so_agent *a = (so_agent *)base;
    blocks[0] = LGA_RAW_BLOCK("rng", &a->rng, sizeof a->rng);
    return 1;
}

const lga_agent_type lga_slate_oracle_type = {
    .name = "slate-oracle",
    .summary = "CHEATING slate oracle: the slate with the best expected immediate reward under the true state and the "
               "scenario's slate choice model, found exactly",
    .cheats = 1,
    .create = create,
    .act = act,
    .update = update,
    .free = destroy,
    .state = state,
};
