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
 * ranked lists are built once per step, O(channels on air); a retrieval is
 * then O(A) per slot, not O(catalogue). Nothing here is random. */
#include <string.h>

#include "../env_internal.h"

/* Does a rank before b (more concurrent, then lower index)? */
static int before(const lg_live *L, int a, int b)
{
    return L->concurrency[a] > L->concurrency[b] || (L->concurrency[a] == L->concurrency[b] && a < b);
}

/* The channels on air in rank order, by a stable radix sort of their
 * concurrency (three passes of 11 bits, descending; the channels go in by
 * index, so ties stay in index order): O(channels on air), no comparisons
 * to mispredict. Then each list takes the first A of its own. */
void lg_candidates_rank(lg_env *env)
{
    lg_live *L = &env->live;
    const int A = env->A, K = L->K;
    uint32_t *key = L->sort_key, *key2 = L->sort_key + env->C;
    int32_t *id = L->sort_id, *id2 = L->sort_id + env->C;
    int n = 0;
    for (int c = 0; c < env->C; c++) {
        if (!L->on_air[c]) continue;
        float v = L->concurrency[c] + 0.0f; /* -0 is +0 */
        uint32_t bits;
        memcpy(&bits, &v, sizeof bits);
        key[n] = ~bits; /* concurrency >= 0: its bits order as it does; flipped, descending */
        id[n++] = c;
    }
    for (int shift = 0; shift < 32; shift += 11) {
        uint32_t count[2049] = {0};
        for (int j = 0; j < n; j++) count[((key[j] >> shift) & 2047u) + 1]++;
        for (int d = 0; d < 2048; d++) count[d + 1] += count[d];
        for (int j = 0; j < n; j++) {
            uint32_t at = count[(key[j] >> shift) & 2047u]++;
            key2[at] = key[j], id2[at] = id[j];
        }
        uint32_t *tk = key;
        key = key2, key2 = tk;
        int32_t *ti = id;
        id = id2, id2 = ti;
    }
    memset(L->n_top, 0, sizeof(int32_t) * (size_t)(K + 1));
    for (int j = 0; j < n; j++) {
        int c = id[j], k = env->channels[c].category;
        if (L->n_top[k] < A) L->top_cat[(size_t)k * A + L->n_top[k]++] = c;
        if (L->n_top[K] < A) L->top_all[L->n_top[K]++] = c;
    }
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
    const int A = env->A, viewer = env->slot[slot].viewer;
    if (viewer < 0) { /* idle: no candidates */
        for (int k = 0; k < A; k++) cand[k] = -1, mask[k] = 0;
        return;
    }
    const int fav = favourite(env, slot);
    int n = 0;
    const int32_t *f = &L->follows[(size_t)viewer * L->F];
    for (int j = 0; j < L->n_follows[viewer] && n < A; j++)
        if (L->on_air[f[j]]) cand[n++] = f[j];
    const int n_followed = n;
    uint8_t *taken = L->followed_mark; /* all 0 between calls */
    for (int k = 0; k < n_followed; k++) taken[cand[k]] = 1;
    /* The two lists share their order: a channel of the favourite category
     * is in the platform list's taken part when it ranks before the last
     * one taken from there, and the other way round. */
    const int32_t *cat = &L->top_cat[(size_t)fav * A], *all = L->top_all;
    const int n_cat = L->n_top[fav], n_all = L->n_top[L->K];
    int i = 0, j = 0;
    while (n < A && (i < n_cat || j < n_all)) {
        for (; i < n_cat; i++) {
            int c = cat[i];
            if (taken[c] || (j > 0 && !before(L, all[j - 1], c))) continue;
            cand[n++] = c, i++;
            break;
        }
        for (; j < n_all && n < A; j++) {
            int c = all[j];
            if (taken[c] || (env->channels[c].category == fav && i > 0 && !before(L, cat[i - 1], c)))
                continue;
            cand[n++] = c, j++;
            break;
        }
    }
    for (int k = 0; k < n_followed; k++) taken[cand[k]] = 0;
    for (int k = n; k < A; k++) cand[k] = -1;
    for (int k = 0; k < A; k++) mask[k] = cand[k] >= 0;
}
