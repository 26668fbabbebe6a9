/* The best slate under the logit family and the cascade (lga_slate.h). */
#include <math.h>
#include <stdlib.h>

#include "lga_agent.h"
#include "lga_slate.h"

int lga_slate_solver_init(lga_slate_solver *s, int n, int k)
{
    s->n = n, s->k = k;
    s->key = malloc((size_t)n * sizeof(double));
    s->order = malloc((size_t)n * sizeof(int));
    s->dp = malloc(((size_t)n + 1) * ((size_t)k + 1) * sizeof(double));
    s->tmp = malloc((size_t)n * sizeof(float));
    s->pairs = malloc((size_t)n * sizeof(lga_keyed));
    if (s->key && s->order && s->dp && s->tmp && s->pairs) return 0;
    lga_slate_solver_free(s);
    return -1;
}

void lga_slate_solver_free(lga_slate_solver *s)
{
    free(s->key), free(s->order), free(s->dp), free(s->tmp), free(s->pairs);
    s->key = NULL, s->order = NULL, s->dp = NULL, s->tmp = NULL, s->pairs = NULL;
}

/* Decreasing key, then increasing action: a total order, so the slate
 * does not depend on qsort's whims. */
static int by_key_desc(const void *pa, const void *pb)
{
    const lga_keyed *a = pa, *b = pb;
    return a->key < b->key ? 1 : a->key > b->key ? -1 : a->idx - b->idx;
}

static int placeable(const double *w, const double *r, const uint8_t *mask, int c)
{
    return mask[c] && w[c] > 0.0 && isfinite(w[c]) && isfinite(r[c]);
}

/* The placeable actions in decreasing key order, in s->order; returns how
 * many. A key that is not finite sorts last (a NaN would break the order). */
static int sorted_valid(lga_slate_solver *s, const double *w, const double *r, const uint8_t *mask)
{
    int m = 0;
    for (int c = 0; c < s->n; c++)
        if (placeable(w, r, mask, c)) s->pairs[m++] = (lga_keyed){isfinite(s->key[c]) ? s->key[c] : -INFINITY, c};
    qsort(s->pairs, (size_t)m, sizeof(lga_keyed), by_key_desc);
    for (int i = 0; i < m; i++) s->order[i] = s->pairs[i].idx;
    return m;
}

/* Positions by decreasing factor (stable), pos[0..k). */
static void positions(const double *f, int k, int *pos)
{
    for (int j = 0; j < k; j++) {
        int i = j;
        while (i > 0 && f && f[pos[i - 1]] < f[j]) pos[i] = pos[i - 1], i--;
        pos[i] = j;
    }
}

int lga_slate_logit(lga_slate_solver *s, const double *w, const double *r, const uint8_t *mask, int k,
                    const double *f, int32_t *out, double *value)
{
    int pos[64], m = 0;
    if (k > 64) k = 64;
    for (int c = 0; c < s->n; c++) m += placeable(w, r, mask, c);
    /* Fewer items than positions: they take the first m (the rest are
     * filled with items that cannot be taken), best factors first. */
    const int kk = m < k ? m : k;
    positions(f, kk, pos);
    double lambda = 0.0, best = -INFINITY;
    for (int it = 0; it < 100; it++) {
        for (int c = 0; c < s->n; c++) s->key[c] = w[c] * (r[c] - lambda);
        sorted_valid(s, w, r, mask);
        double num = 0.0, den = 1.0;
        for (int j = 0; j < kk; j++) {
            int c = s->order[j];
            double fw = (f ? f[pos[j]] : 1.0) * w[c];
            num += fw * r[c], den += fw;
        }
        double v = num / den;
        if (best > -INFINITY && !(v > best + 1e-12 * fabs(best))) break;
        best = lambda = v;
        for (int j = 0; j < kk; j++) out[pos[j]] = s->order[j];
    }
    *value = kk ? best : 0.0;
    return kk;
}

int lga_slate_cascade(lga_slate_solver *s, const double *w, const double *r, const uint8_t *mask, int k, double d,
                      int32_t *out, double *value)
{
    for (int c = 0; c < s->n; c++) {
        double p = w[c] / (1.0 + w[c]);
        s->key[c] = p * r[c] / (1.0 - d * (1.0 - p));
    }
    int m = sorted_valid(s, w, r, mask), K = m < k ? m : k;
    /* dp[i][j]: best value of choosing j more items among order[i..m), in order */
    double *dp = s->dp;
#define DP(i, j) dp[(size_t)(i) * (size_t)(s->k + 1) + (size_t)(j)]
    for (int j = 0; j <= K; j++) DP(m, j) = j ? -INFINITY : 0.0;
    for (int i = m - 1; i >= 0; i--)
        for (int j = 0; j <= K; j++) {
            double skip = DP(i + 1, j), take = -INFINITY;
            if (j > 0 && DP(i + 1, j - 1) > -INFINITY) {
                int c = s->order[i];
                double p = w[c] / (1.0 + w[c]);
                take = p * r[c] + d * (1.0 - p) * DP(i + 1, j - 1);
            }
            DP(i, j) = take > skip ? take : skip;
        }
    int n = 0;
    for (int i = 0, j = K; i < m && j > 0; i++) {
        int c = s->order[i];
        double p = w[c] / (1.0 + w[c]);
        if (DP(i + 1, j - 1) > -INFINITY && p * r[c] + d * (1.0 - p) * DP(i + 1, j - 1) >= DP(i + 1, j))
            out[n++] = c, j--;
    }
    *value = n ? DP(0, K) : 0.0;
#undef DP
    return n; /* K, unless a value that is not a number broke the programme */
}

void lga_slate_fill(lga_slate_solver *s, const uint8_t *mask, int got, int k, lg_stream *rng, int32_t *out)
{
    if (got >= k) return;
    for (int c = 0; c < s->n; c++) s->tmp[c] = 0.0f;
    for (int j = 0; j < got; j++) s->tmp[out[j]] = 1.0f;
    int32_t full[64];
    if (k > 64) k = 64;
    lga_top_k(s->tmp, mask, s->n, k, rng, full);
    for (int j = got; j < k; j++)
        for (int q = 0; q < k; q++) { /* the first of full not yet in out */
            int used = 0;
            for (int p = 0; p < j; p++) used |= out[p] == full[q];
            if (!used) {
                out[j] = full[q];
                break;
            }
        }
}
