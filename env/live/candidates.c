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
 * ranked lists are built once per platform tick (world.platform_tick;
 * every step by default), O(channels on air); a retrieval is then O(A) per
 * slot, not O(catalogue). Nothing here is random. */
#include <string.h>

#include "../env_internal.h"
#include "lg_radix.h"

/* Rank keys: ascending keys are rank order (more concurrent, then lower
 * index). Concurrency is >= 0, so its bits order as it does. */
static uint64_t key_of(float concurrency, uint32_t low)
{
    float v = concurrency + 0.0f; /* -0 is +0 */
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return (uint64_t)~bits << 32 | low;
}

static uint64_t rank_key(const lg_live *L, int c) { return key_of(L->concurrency[c], (uint32_t)c); }

/* Restore the max-heap h[0..n) below place i. */
static void sift_down(uint64_t *h, int n, int i)
{
    for (;;) {
        int l = 2 * i + 1, m = i;
        if (l < n && h[l] > h[m]) m = l;
        if (l + 1 < n && h[l + 1] > h[m]) m = l + 1;
        if (m == i) return;
        uint64_t t = h[i];
        h[i] = h[m], h[m] = t, i = m;
    }
}

static void heap_offer(uint64_t *h, int32_t *n, int A, uint64_t key)
{
    if (*n < A) {
        int i = (*n)++;
        for (; i > 0 && h[(i - 1) / 2] < key; i = (i - 1) / 2) h[i] = h[(i - 1) / 2];
        h[i] = key;
    } else if (key < h[0]) {
        h[0] = key;
        sift_down(h, A, 0);
    }
}

/* Where each category's ranked channels sit in the platform-wide list, and
 * each of its channels' category and place in its category's list: the
 * platform list is the categories' lists merged in order (check.c's
 * ranking() refuses a state where it is not), so a category's channels
 * there are the first of its own list. And the channel table's rows of
 * the lists, in their order: a step's shared rows are copied from these
 * (a few hundred kilobytes) instead of from rows all over the table. */
static void make_list_tables(lg_env *env)
{
    lg_live *L = &env->live;
    const int A = env->A;
    const size_t cd = (size_t)env->buf.channel_dim;
    int32_t at[LG_MAX_CATEGORIES] = {0};
    const int n_all = L->n_top[L->K];
    for (int j = 0; j < n_all; j++) {
        const int k = L->chan_cat[L->top_all[j]];
        L->top_all_cat[j] = k;
        L->top_all_row[j] = k * A + at[k];
        L->top_place[(size_t)k * A + at[k]++] = j;
    }
    for (int k = 0; k < L->K; k++) {
        for (int i = at[k]; i < L->n_top[k]; i++) L->top_place[(size_t)k * A + i] = n_all;
        for (int i = 0; i < L->n_top[k]; i++)
            memcpy(&L->top_rows[((size_t)k * A + i) * cd],
                   &env->buf.channel_obs[(size_t)L->top_cat[(size_t)k * A + i] * cd], sizeof(float) * cd);
    }
    L->list_tables_stale = 0;
}

/* Only a channel in its category's best A can be in any list (one in the
 * platform's best A has fewer than A better ones in its category too), so
 * each category keeps its best A on air in a max-heap, sorts them (radix),
 * and the platform-wide list is the first A of their merge: O(channels on
 * air + K A log A), not a sort of everything on air.
 *
 * Most channels are far from their category's best A, and a step moves
 * concurrency little, so only channels at or above a bar (90% of the A-th
 * best's concurrency at the last ranking) enter the heaps. When A or more
 * of a category's channels pass, its best A are among them (one below the
 * bar has A better ones); when fewer pass, that category is ranked again
 * without a bar. The bar changes the work, never the lists; a channel
 * below it costs a compare, not a key. */
void lg_candidates_rank(lg_env *env)
{
    lg_live *L = &env->live;
    const int A = env->A, K = L->K;
    uint64_t *heap = L->rank_heap;
    float *bar = L->rank_bar;
    int32_t *hn = L->rank_n, *skipped = L->rank_skipped;
    memset(hn, 0, sizeof(int32_t) * (size_t)K);
    memset(skipped, 0, sizeof(int32_t) * (size_t)K);
    lg_world_on_list(env);
    for (int j = 0; j < L->n_on_air; j++) {
        const int c = L->on_list[j], k = L->chan_cat[c];
        const float v = L->concurrency[c];
        if (v < bar[k]) skipped[k] = 1;
        else heap_offer(&heap[(size_t)k * A], &hn[k], A, key_of(v, (uint32_t)c));
    }
    int again = 0;
    for (int k = 0; k < K; k++) {
        skipped[k] = hn[k] < A && skipped[k] > 0; /* now: rank again */
        if (skipped[k]) hn[k] = 0, again = 1;
    }
    for (int j = 0; again && j < L->n_on_air; j++) {
        const int c = L->on_list[j], k = L->chan_cat[c];
        if (skipped[k]) heap_offer(&heap[(size_t)k * A], &hn[k], A, rank_key(L, c));
    }
    int32_t at[LG_MAX_CATEGORIES];
    for (int k = 0; k < K; k++) {
        uint64_t *h = &heap[(size_t)k * A];
        lg_radix_sort_u64(h, L->rank_tmp, hn[k]);
        for (int i = 0; i < hn[k]; i++) L->top_cat[(size_t)k * A + i] = (int32_t)(uint32_t)h[i];
        L->n_top[k] = hn[k];
        at[k] = 0;
    }
    int n = 0;
    for (; n < A; n++) {
        int best = -1;
        for (int k = 0; k < K; k++)
            if (at[k] < hn[k] && (best < 0 || heap[(size_t)k * A + at[k]] < heap[(size_t)best * A + at[best]])) best = k;
        if (best < 0) break;
        L->top_all[n] = (int32_t)(uint32_t)heap[(size_t)best * A + at[best]++];
    }
    L->n_top[K] = n;
    make_list_tables(env);
    lg_candidates_forget_turns(L);
    for (int k = 0; k < K; k++)
        bar[k] = hn[k] == A ? 0.9f * L->concurrency[L->top_cat[(size_t)k * A + A - 1]] : -INFINITY;
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

/* Step 2's turns, filling cand from place n (the followed channels before
 * it are marked in taken); returns the places filled. The two lists share
 * their order: a channel of the favourite category is in the platform
 * list's passed part when it ranks before the last one passed there, and
 * the other way round. The order is read from the places in the lists
 * (make_list_tables; one of the category's channels not in the platform list
 * ranks after all of it), so between platform ticks the lists keep the
 * order of their ranking while concurrency moves. A channel that went off
 * air since is passed over. src (or NULL): each pick's row in top_rows. */
static int take_turns(const lg_live *L, int A, int fav, const uint8_t *taken, int32_t *cand, int32_t *src, int n)
{
    const int32_t *cat = &L->top_cat[(size_t)fav * A], *place = &L->top_place[(size_t)fav * A];
    const int32_t *all = L->top_all, *all_cat = L->top_all_cat;
    const int n_cat = L->n_top[fav], n_all = L->n_top[L->K];
    int i = 0, j = 0;
    int fav_before_j = 0; /* the favourite category's channels in all[0..j) */
    while (n < A && (i < n_cat || j < n_all)) {
        for (; i < n_cat; i++) {
            const int c = cat[i];
            if (taken[c] || !L->on_air[c] || place[i] < j) continue; /* passed in the platform list */
            if (src) src[n] = fav * A + i;
            cand[n++] = c, i++;
            break;
        }
        for (; j < n_all && n < A; j++) {
            const int c = all[j], mine = all_cat[j] == fav, passed = mine && fav_before_j < i; /* in the category's */
            fav_before_j += mine;
            if (taken[c] || !L->on_air[c] || passed) continue;
            if (src) src[n] = L->top_all_row[j];
            cand[n++] = c, j++;
            break;
        }
    }
    return n;
}

void lg_candidates_forget_scratch(lg_live *L)
{
    L->list_tables_stale = 1;
    lg_candidates_forget_turns(L);
}

void lg_candidates_forget_turns(lg_live *L)
{
    if (L->turns_n)
        for (int k = 0; k < L->K; k++) L->turns_n[k] = -1, L->turn_rows_made[k] = 0;
}

/* Returns -1, or the favourite category's shared list as fav + K * lead:
 * the candidates after the first lead places are that list's first ones. */
int lg_candidates_retrieve(lg_env *env, int slot, int32_t *cand, uint8_t *mask)
{
    lg_live *L = &env->live;
    const int A = env->A, viewer = env->slot[slot].viewer;
    int shared = -1;
    if (viewer < 0) { /* idle: no candidates */
        for (int k = 0; k < A; k++) cand[k] = -1, mask[k] = 0;
        return -1;
    }
    const int fav = favourite(env, slot);
    if (L->list_tables_stale) make_list_tables(env);
    int n = 0;
    const int32_t *f = &L->follows[(size_t)viewer * L->F];
    for (int j = 0; j < L->n_follows[viewer] && n < A; j++)
        if (L->on_air[f[j]]) cand[n++] = f[j];
    const int n_followed = n;
    uint8_t *taken = L->followed_mark; /* all 0 between calls */
    /* The favourite category's turns with nothing taken: the same for every
     * slot of the step with that favourite (kept until the next ranking,
     * load or copy; -1 after its end). */
    int32_t *turns = &L->turns[(size_t)fav * A];
    if (L->turns_n[fav] < 0) {
        L->turns_n[fav] = take_turns(L, A, fav, taken, turns, &L->turn_row[(size_t)fav * A], 0);
        for (int k = L->turns_n[fav]; k < A; k++) turns[k] = -1;
    }
    const int room = A - n_followed, m = L->turns_n[fav] < room ? L->turns_n[fav] : room;
    for (int k = 0; k < n_followed; k++) taken[cand[k]] = 1;
    int clash = 0;
    for (int k = 0; n_followed && k < m; k++) clash |= taken[turns[k]];
    if (!clash) {
        /* Most slots follow no channel on air, and most that do follow
         * none of the turns in the places left: the turns with those
         * taken run as they ran without, so the list is the shared one
         * after the followed channels. */
        memcpy(&cand[n], turns, sizeof(int32_t) * (size_t)m);
        n += m;
        shared = fav + L->K * n_followed;
    } else {
        n = take_turns(L, A, fav, taken, cand, NULL, n);
    }
    for (int k = 0; k < n_followed; k++) taken[cand[k]] = 0;
    for (int k = n; k < A; k++) cand[k] = -1;
    memset(mask, 1, (size_t)n); /* every place filled holds a channel on air */
    memset(mask + n, 0, (size_t)(A - n));
    return shared;
}
