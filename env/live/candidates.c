/* The candidate stage (session.candidates = A > 0): as a two-stage
 * recommender does, a cheap retrieval picks A of the channels on air for
 * each slot, and the agent ranks those. The retrieval (docs/model.md):
 *
 *   1. the viewer's followed channels that are on air, in channel order;
 *   2. then, taking turns, the next most-watched channel on air of the
 *      slot's favourite category (the largest entry of its category
 *      history; at a session's start, its segment's largest interest) and
 *      the next most-watched channel on air platform-wide, skipping any
 *      already taken, until A are taken or both lists run out;
 *   3. empty places (-1, masked) if fewer than A channels are on air.
 *
 * "Most watched" is concurrency, ties to the lower channel index. The
 * ranked lists are built once per step, O(channels on air x log A); a
 * retrieval is then O(A) per slot, not O(catalogue). Nothing here is
 * random. */
#include <string.h>

#include "../env_internal.h"

/* Does a rank before b (more concurrent, then lower index)? */
static int before(const lg_live *L, int a, int b)
{
    return L->concurrency[a] > L->concurrency[b] || (L->concurrency[a] == L->concurrency[b] && a < b);
}

/* The A best are gathered in a heap with the worst on top (O(log A) per
 * channel that beats it), then sorted: the same list an insertion sort
 * would give, since the order is strict. */
static void sift_down(const lg_live *L, int32_t *h, int n, int i)
{
    for (;;) {
        int w = i, l = 2 * i + 1, r = l + 1;
        if (l < n && before(L, h[w], h[l])) w = l;
        if (r < n && before(L, h[w], h[r])) w = r;
        if (w == i) return;
        int32_t t = h[i];
        h[i] = h[w], h[w] = t, i = w;
    }
}

static void offer(const lg_live *L, int32_t *h, int32_t *n, int A, int c)
{
    if (*n < A) {
        int i = (*n)++;
        for (; i > 0 && before(L, h[(i - 1) / 2], c); i = (i - 1) / 2) h[i] = h[(i - 1) / 2];
        h[i] = c;
    } else if (before(L, c, h[0])) {
        h[0] = c;
        sift_down(L, h, A, 0);
    }
}

/* Heap to list, best first: the worst on top goes to the end, and again. */
static void sort_heap(const lg_live *L, int32_t *h, int n)
{
    for (int end = n - 1; end > 0; end--) {
        int32_t t = h[0];
        h[0] = h[end], h[end] = t;
        sift_down(L, h, end, 0);
    }
}

void lg_candidates_rank(lg_env *env)
{
    lg_live *L = &env->live;
    const int A = env->A, K = L->K;
    memset(L->n_top, 0, sizeof(int32_t) * (size_t)(K + 1));
    for (int c = 0; c < env->C; c++) {
        if (!L->on_air[c]) continue;
        int k = env->channels[c].category;
        offer(L, &L->top_cat[(size_t)k * A], &L->n_top[k], A, c);
        offer(L, L->top_all, &L->n_top[K], A, c);
    }
    for (int k = 0; k < K; k++) sort_heap(L, &L->top_cat[(size_t)k * A], L->n_top[k]);
    sort_heap(L, L->top_all, L->n_top[K]);
}

static int favourite(const lg_env *env, int slot)
{
    const lg_live *L = &env->live;
    const float *h = &L->history[(size_t)slot * L->K];
    int best = 0;
    for (int k = 1; k < L->K; k++)
        if (h[k] > h[best]) best = k;
    if (h[best] > 0.0f) return best;
    const float *in = env->sc.segments[L->seg_of[env->slot[slot].viewer]].interest;
    for (int k = 1; k < L->K; k++)
        if (in[k] > in[best]) best = k;
    return best;
}

void lg_candidates_retrieve(lg_env *env, int slot, int32_t *cand, uint8_t *mask)
{
    const lg_live *L = &env->live;
    const int A = env->A, viewer = env->slot[slot].viewer, fav = favourite(env, slot);
    int n = 0;
    const int32_t *f = &L->follows[(size_t)viewer * L->F];
    for (int j = 0; j < L->n_follows[viewer] && n < A; j++)
        if (L->on_air[f[j]]) cand[n++] = f[j];
    /* The two lists share their order: a channel of the favourite category
     * is in the platform list's taken part when it ranks before the last
     * one taken from there, and the other way round. */
    const int32_t *cat = &L->top_cat[(size_t)fav * A], *all = L->top_all;
    const int n_cat = L->n_top[fav], n_all = L->n_top[L->K];
    int i = 0, j = 0;
    while (n < A && (i < n_cat || j < n_all)) {
        for (; i < n_cat; i++) {
            int c = cat[i];
            if (lg_is_followed(env, viewer, c) || (j > 0 && !before(L, all[j - 1], c))) continue;
            cand[n++] = c, i++;
            break;
        }
        for (; j < n_all && n < A; j++) {
            int c = all[j];
            if (lg_is_followed(env, viewer, c) ||
                (env->channels[c].category == fav && i > 0 && !before(L, cat[i - 1], c)))
                continue;
            cand[n++] = c, j++;
            break;
        }
    }
    for (int k = n; k < A; k++) cand[k] = -1;
    for (int k = 0; k < A; k++) mask[k] = cand[k] >= 0;
}
