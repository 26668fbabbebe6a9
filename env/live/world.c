/* The platform side of the world: channels, schedules, popularity drift,
 * background audience, concurrency, and scripted events. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../env_internal.h"
#include "lg_radix.h"

void lg_world_init_static(lg_env *env)
{
    const lg_scenario *sc = &env->sc;
    const int D = env->live.D, M = env->live.M;
    float cscale = sc->category_separation / sqrtf((float)D);
    for (int k = 0; k < env->live.K; k++) {
        uint64_t key = lg_key3(sc->world_seed, LG_P_CATEGORY, (uint64_t)k);
        for (int j = 0; j < D; j++) env->live.centroid[k * D + j] = cscale * (float)lg_normal(key, (uint64_t)j);
    }
    float vscale = sc->channel_spread / sqrtf((float)D);
    for (int c = 0; c < env->C; c++) {
        uint64_t key = lg_key3(sc->world_seed, LG_P_CHANNEL, (uint64_t)c);
        const float *mu = &env->live.centroid[env->channels[c].category * D];
        for (int j = 0; j < D; j++) env->live.v[c * D + j] = mu[j] + vscale * (float)lg_normal(key, (uint64_t)j);
    }
    /* Modality embeddings: a fixed random projection of v_c per modality plus
     * that modality's own noise, squashed into [-1, 1]. The projection scale
     * keeps the noiseless signal's sd near 1 before the squash. */
    float pscale = 2.0f / sqrtf((float)D);
    for (int m = 0; m < LG_N_MODALITIES; m++) {
        uint64_t pkey = lg_key3(sc->world_seed, LG_P_PROJECTION, (uint64_t)m);
        for (int c = 0; c < env->C; c++) {
            uint64_t nkey = lg_key(lg_key3(sc->world_seed, LG_P_CHANNEL, (uint64_t)c), 1000 + (uint64_t)m);
            for (int i = 0; i < M; i++) {
                float s = 0.0f;
                for (int j = 0; j < D; j++)
                    s += pscale * (float)lg_normal(pkey, (uint64_t)(i * D + j)) * env->live.v[c * D + j];
                s += sc->modality_noise[m] * (float)lg_normal(nkey, (uint64_t)i);
                env->live.embedding[(c * LG_N_MODALITIES + m) * M + i] = tanhf(s);
            }
        }
    }
}

/* Channel c's schedule record and its parts (lg_sched_rec), and the
 * stride they fit in for channels of at most w windows */
size_t lg_world_rec_stride(int w)
{
    const size_t bytes = sizeof(lg_sched_rec) + (size_t)w * (2 * sizeof(double) + sizeof(lg_window) + 2);
    return (bytes + 63) & ~(size_t)63;
}

static lg_sched_rec *rec_of(const lg_live *L, int c) { return (lg_sched_rec *)(L->sched_rec + (size_t)c * L->rec_stride); }
static double *rec_starts(lg_sched_rec *r) { return (double *)(r + 1); }
static lg_window *rec_windows(const lg_live *L, lg_sched_rec *r) { return (lg_window *)(rec_starts(r) + 2 * L->rec_w); }
static uint8_t *rec_which(const lg_live *L, lg_sched_rec *r) { return (uint8_t *)(rec_windows(L, r) + L->rec_w); }

/* Window w of a channel (windows win, jitter key) on day d: its start
 * (jittered per channel, day and window) and end. */
static void window_of(const lg_window *win, uint64_t key, int64_t d, int w, double *start, double *end)
{
    double jit = win[w].jitter * (2.0 * lg_u01(key, (uint64_t)(d + 1) * LG_MAX_WINDOWS + (uint64_t)w) - 1.0);
    *start = (double)d * LG_MINUTES_PER_DAY + win[w].start + jit;
    *end = *start + win[w].duration;
}

/* The windows of yesterday and today that contain t (of a channel's nw
 * windows win), as starts and window indices, in the order they are
 * tried; returns how many. A window that started yesterday may still be
 * running. *until: the first start or end after t, before which the same
 * windows contain the clock. */
static int containing(const lg_window *win, int nw, uint64_t key, double t, int64_t day, double *starts,
                      uint8_t *which, double *until)
{
    int n = 0;
    *until = INFINITY;
    for (int64_t d = day - 1; d <= day; d++)
        for (int w = 0; w < nw; w++) {
            double start, end;
            window_of(win, key, d, w, &start, &end);
            if (t >= start && t < end) starts[n] = start, which[n] = (uint8_t)w, n++;
            if (start > t && start < *until) *until = start;
            if (end > t && end < *until) *until = end;
        }
    return n;
}

/* Of the n containing windows, the one with the most minutes left (the
 * first of equals): its index, and its minutes left and since its start;
 * or -1. With two or more, which one it is can change as the clock runs:
 * ends closer than a float's resolution of the minutes left compare equal
 * until they do not. */
static int choose(const double *starts, const uint8_t *which, const lg_window *win, int n, double t, float *left,
                  float *since)
{
    int best = -1;
    float best_left = 0.0f;
    for (int j = 0; j < n; j++) {
        float l = (float)(starts[j] + win[which[j]].duration - t);
        if (j == 0 || l > best_left) best = j, best_left = l;
    }
    *left = best_left;
    *since = best < 0 ? 0.0f : (float)(t - starts[best]);
    return best;
}

static int64_t day_of(double t) { return (int64_t)floor(t / LG_MINUTES_PER_DAY); }

/* Is channel c on air by its schedule at clock t? If so, sets the minutes
 * left in the current window and the minutes since it started. */
static int scheduled(const lg_env *env, int c, double t, float *left, float *since)
{
    lg_sched_rec *r = rec_of(&env->live, c);
    if (r->always) {
        *left = INFINITY;
        *since = INFINITY;
        return 1;
    }
    const lg_window *win = rec_windows(&env->live, r);
    double starts[2 * LG_MAX_WINDOWS], until;
    uint8_t which[2 * LG_MAX_WINDOWS];
    const int n = containing(win, r->n_windows, r->key, t, day_of(t), starts, which, &until);
    return choose(starts, which, win, n, t, left, since) >= 0;
}

/* The schedule's calendar and buckets, the step's list of watched channels
 * and the retrieval's lists are scratch: after a reset, load or copy they
 * are rebuilt (a full schedule pass, every watcher count zeroed, the lists
 * made again). */
void lg_world_forget_scratch(lg_env *env)
{
    for (int c = 0; c < env->C; c++) rec_of(&env->live, c)->day = INT32_MIN;
    env->live.sched_full = 1;
    env->live.n_watched = -1;
    lg_candidates_forget_scratch(&env->live);
}

void lg_world_rederive(lg_env *env)
{
    for (int c = 0; c < env->C; c++) {
        env->live.pop_key[c] = lg_key3(env->seed, LG_P_POPULARITY, (uint64_t)c);
        env->live.gap_key[c] = lg_key3(env->seed, LG_P_POPULARITY_GAP, (uint64_t)c);
        env->live.chan_base[c] = env->channels[c].base_popularity;
        env->live.chan_cat[c] = (uint8_t)env->channels[c].category;
        lg_sched_rec *r = rec_of(&env->live, c);
        r->key = lg_key3(env->sc.world_seed, LG_P_SCHEDULE, (uint64_t)c);
        r->always = (uint8_t)(env->channels[c].always_on != 0);
        r->n_windows = (uint8_t)(r->always ? 0 : env->channels[c].n_windows); /* at most rec_w */
        memcpy(rec_windows(&env->live, r), env->channels[c].windows, sizeof(lg_window) * r->n_windows);
    }
    env->live.on_list_stale = 1; /* made from the flags */
    lg_world_on_list(env);
}

/* Between platform ticks a world with a candidate stage reads its list of
 * channels on air only after an event, load or copy: its steps count the
 * channels that came and went, and the list is made again from the flags
 * when read (in the same ascending order the merges keep). */
const int32_t *lg_world_on_list(lg_env *env)
{
    lg_live *L = &env->live;
    if (L->on_list_stale) {
        int n = 0;
        for (int c = 0; c < env->C; c++) {
            L->on_list[n] = c;
            n += L->on_air[c];
        }
        L->n_on_air = n;
        L->on_list_stale = 0;
    }
    return L->on_list;
}

/* A channel's popularity mean without feedback: its base plus its
 * category's trend shift (off air, the whole mean). */
static float mean_of(const lg_live *L, int c) { return L->chan_base[c] + L->cat_offset[L->chan_cat[c]]; }

float lg_world_popularity_mean(const lg_env *env, int c) { return mean_of(&env->live, c); }

/* A channel off air is not stepped: its popularity follows the same
 * Ornstein-Uhlenbeck law towards its off-air mean (base popularity plus its
 * category's trend shift, which a trend event catches up before changing),
 * so n steps of it are one draw, x = m + a^n (x - m) + s_n eps with
 * s_n^2 = s^2 (1 - a^2n) / (1 - a^2), made when the channel is next needed:
 * back on air, or hit by an event. The cost of a step is then the channels
 * on air, not the catalogue. */
static void gap_law(const lg_live *L, int64_t n, double *an, double *sd)
{
    const double a = L->ou_a;
    *an = pow(a, (double)n);
    *sd = a < 1.0 ? L->ou_s * sqrt((1.0 - *an * *an) / (1.0 - a * a)) : L->ou_s * sqrt((double)n);
}

/* gap_law for the gaps under a ring's length (a day's steps), which are
 * most: the same values, computed once. */
void lg_world_init_gaps(lg_env *env)
{
    lg_live *L = &env->live;
    for (int n = 1; n < L->sched_ring; n++) gap_law(L, n, &L->gap_an[n], &L->gap_sd[n]);
}

/* gap_law, from the table when it holds the gap */
static void gap_of(const lg_live *L, int64_t n, double *an, double *sd)
{
    if (n < L->sched_ring) *an = L->gap_an[n], *sd = L->gap_sd[n];
    else gap_law(L, n, an, sd);
}

static void catch_up(lg_env *env, int c)
{
    lg_live *L = &env->live;
    const int64_t n = env->steps - L->x_step[c];
    if (n <= 0) return;
    double an, sd;
    gap_of(L, n, &an, &sd);
    const float mean = mean_of(L, c);
    const double eps = lg_normalf(L->gap_key[c], (uint64_t)env->steps);
    L->x[c] = (float)(mean + (L->x[c] - mean) * an + sd * eps);
    L->x_step[c] = env->steps;
}

/* A channel that just went off air has no audience. */
static void clear_audience(lg_live *L, int c)
{
    L->background[c] = L->concurrency[c] = L->log1p_conc[c] = 0.0f;
}

float lg_world_popularity_now(const lg_env *env, int c)
{
    const lg_live *L = &env->live;
    const int64_t n = env->steps - L->x_step[c];
    if (n <= 0 || L->on_air[c]) return L->x[c]; /* on air it holds between platform ticks */
    double an, sd;
    gap_of(L, n, &an, &sd);
    const float mean = mean_of(L, c);
    return (float)(mean + (L->x[c] - mean) * an);
}

/* Channel c's schedule at clock t: whether it is on air, and the window
 * that holds it, from the windows that contain the clock. They are kept
 * per channel until the day changes or a window starts or ends (the
 * calendar), so this looks up what scheduled() would find, and draws the
 * jitter of a channel's windows only when its state can change. */
static int examine(lg_env *env, int c, double t, int64_t day)
{
    lg_live *L = &env->live;
    double start = 0.0, end = 0.0;
    int on = 0;
    if (L->launched[c] && !(L->forced_off_until[c] > t)) {
        lg_sched_rec *r = rec_of(L, c);
        if (r->always) {
            on = 1, start = -INFINITY, end = INFINITY;
        } else {
            double *starts = rec_starts(r);
            const lg_window *win = rec_windows(L, r);
            uint8_t *which = rec_which(L, r);
            if (r->day != day || !(t < r->until)) {
                r->n = (uint8_t)containing(win, r->n_windows, r->key, t, day, starts, which, &r->until);
                r->day = (int32_t)day;
            }
            float left, since;
            const int pick = choose(starts, which, win, r->n, t, &left, &since);
            if (pick >= 0) start = starts[pick], end = starts[pick] + win[which[pick]].duration;
            on = pick >= 0;
        }
    }
    L->on_air[c] = (uint8_t)on;
    L->win_start[c] = start;
    L->win_end[c] = end;
    return on;
}

/* Channel c, off air with no window starting or ending before midnight:
 * when it can next come on. From midnight on the windows of the new day
 * and of the one ending count (containing), and none of them held the
 * channel before; so the first clock from midnight that one contains, at
 * the latest the midnight after, when the windows that count change. This
 * spares a look at every such channel at midnight. */
static double after_midnight(lg_live *L, lg_sched_rec *r, int64_t day)
{
    const lg_window *win = rec_windows(L, r);
    const double midnight = (double)(day + 1) * LG_MINUTES_PER_DAY;
    double wake = midnight + LG_MINUTES_PER_DAY;
    for (int64_t d = day; d <= day + 1; d++)
        for (int w = 0; w < r->n_windows; w++) {
            double start, end;
            window_of(win, r->key, d, w, &start, &end);
            const double from = start > midnight ? start : midnight;
            if (end > midnight && from < wake) wake = from;
        }
    return wake;
}

/* Channel c's state cannot change before the clock reaches its wake:
 * off air, when its forced break ends, else (on air too) when its calendar
 * runs out or the day changes; never, until an event, if it has not
 * launched or is always on and on air (off air after midnight, see
 * after_midnight). On air with two windows holding it,
 * the next step (which one holds it can change as they run down). It waits
 * in the bucket of the first step whose clock reaches the wake, or one
 * before it when the wake is within the clock's possible rounding (a
 * thousandth of a step and more: the clock is a running sum, rounded at
 * each step; examined too soon, it waits again), at most a ring's length
 * ahead. */
static void sleep_until_wake(lg_env *env, int c, double t, int64_t day)
{
    lg_live *L = &env->live;
    lg_sched_rec *r = rec_of(L, c);
    double wake;
    if (!L->launched[c]) return;
    if (L->on_air[c] && r->always) return;
    if (L->forced_off_until[c] > t) wake = L->forced_off_until[c];
    else if (L->on_air[c] && r->n != 1) wake = t;
    else {
        wake = (double)(day + 1) * LG_MINUTES_PER_DAY;
        if (!r->always && r->day == day) {
            if (r->until < wake) wake = r->until;
            else if (!L->on_air[c]) wake = after_midnight(L, r, day);
        }
    }
    const double ahead = ceil((wake - t) / env->sc.dt - L->wake_slack);
    const int64_t n = ahead < 1.0 ? 1 : ahead > (double)(L->sched_ring - 1) ? L->sched_ring - 1 : (int64_t)ahead;
    const int b = L->ring_now + (int)n < L->sched_ring ? L->ring_now + (int)n : L->ring_now + (int)n - L->sched_ring;
    int32_t h = L->sched_head[b];
    if (h < 0 || L->sched_pool[h].n == LG_WAKE_CHUNK) { /* a new first chunk (the pool holds enough: live.c) */
        const int32_t f = L->sched_free;
        L->sched_free = L->sched_pool[f].next;
        L->sched_pool[f].next = h, L->sched_pool[f].n = 0;
        L->sched_head[b] = h = f;
    }
    lg_wake_chunk *k = &L->sched_pool[h];
    k->id[k->n++] = c;
}

/* What the wakes of a schedule pass at t share: the clock's possible
 * rounding over a ring's steps from t, in steps (each add rounds by at most
 * half a unit of the last place of a clock no larger than |t| + ring dt:
 * at a clock of 1e10 and the smallest dt that is most of a step; usually
 * far below the thousandth added), and this step's bucket. */
static void begin_pass(lg_env *env, double t)
{
    lg_live *L = &env->live;
    const double top = fabs(t) + (double)L->sched_ring * env->sc.dt;
    L->wake_slack = 1e-3 + (double)L->sched_ring * (nextafter(top, INFINITY) - top) / env->sc.dt;
    L->ring_now = (int)(env->steps % L->sched_ring);
}

/* Channel c examined at t and put to sleep again: 1 if it came on air, -1
 * if it went off, else 0. */
static int look_at(lg_env *env, int c, double t, int64_t day)
{
    const int was_on = env->live.on_air[c], on = examine(env, c, t, day);
    sleep_until_wake(env, c, t, day);
    return on - was_on;
}

/* The channels that came on air have their popularity caught up, those
 * that went off their audience cleared: a pass after the examinations,
 * so that a channel's popularity and audience lines are asked for a few
 * channels ahead (an examination does not know which it will need). */
static void settle(lg_env *env, const int32_t *came, int n_came, const int32_t *went, int n_went)
{
    lg_live *L = &env->live;
    for (int i = 0; i < n_came; i++) {
        if (i + 8 < n_came) {
            const int p = came[i + 8];
            __builtin_prefetch(&L->x_step[p], 1);
            __builtin_prefetch(&L->x[p], 1);
            __builtin_prefetch(&L->gap_key[p]);
            __builtin_prefetch(&L->chan_base[p]);
            __builtin_prefetch(&L->chan_cat[p]);
        }
        catch_up(env, came[i]);
    }
    for (int i = 0; i < n_went; i++) {
        if (i + 8 < n_went) {
            const int p = went[i + 8];
            __builtin_prefetch(&L->background[p], 1);
            __builtin_prefetch(&L->concurrency[p], 1);
            __builtin_prefetch(&L->log1p_conc[p], 1);
        }
        clear_audience(L, went[i]);
    }
}

/* Every channel examined and put to sleep afresh. */
static void schedule_all(lg_env *env, double t, int64_t day)
{
    lg_live *L = &env->live;
    begin_pass(env, t);
    for (int b = 0; b < L->sched_ring; b++) L->sched_head[b] = -1;
    for (int32_t k = 0; k < L->sched_chunks; k++) L->sched_pool[k].next = k + 1 < L->sched_chunks ? k + 1 : -1;
    L->sched_free = 0;
    int n_on = 0, n_came = 0, n_went = 0;
    for (int c = 0; c < env->C; c++) {
        const int moved = look_at(env, c, t, day);
        if (moved > 0) L->sched_came[n_came++] = c;
        if (moved < 0) L->went_off[n_went++] = c;
        if (L->on_air[c]) L->on_list[n_on++] = c;
    }
    settle(env, L->sched_came, n_came, L->went_off, n_went);
    L->n_on_air = n_on;
    L->on_list_stale = 0;
    L->sched_full = 0;
    L->n_went_off = -1; /* unknown: every row of the channel table */
    L->n_came = -1;
}

/* The first place in the ascending a[lo..n) holding key or more (n if
 * none): halving without branches, which a search among thousands of
 * channels would mispredict every other time. */
static int lower_bound(const int32_t *a, int lo, int n, int32_t key)
{
    const int32_t *base = a + lo;
    int len = n - lo;
    while (len > 1) {
        const int half = len / 2;
        base = base[half - 1] < key ? base + half : base;
        len -= half;
    }
    return (int)(base - a) + (len == 1 && *base < key);
}

/* Removes the ascending gone[0..n_gone) from the ascending list[0..n),
 * moving the runs between them; returns the new length. */
static int remove_sorted(int32_t *list, int n, const int32_t *gone, int n_gone)
{
    int dst = 0, src = 0;
    for (int g = 0; g < n_gone; g++) {
        const int lo = lower_bound(list, src, n, gone[g]);
        if (lo == n || list[lo] != gone[g]) continue;
        memmove(&list[dst], &list[src], sizeof *list * (size_t)(lo - src));
        dst += lo - src, src = lo + 1;
    }
    memmove(&list[dst], &list[src], sizeof *list * (size_t)(n - src));
    return dst + n - src;
}

/* Merges the ascending add[0..n_add) (none in the list) into the ascending
 * list[0..n) in place, from the back, moving runs; returns the length. */
static int insert_sorted(int32_t *list, int n, const int32_t *add, int n_add)
{
    int hi = n;
    for (int j = n_add - 1; j >= 0; j--) {
        const int lo = lower_bound(list, 0, hi, add[j]);
        memmove(&list[lo + j + 1], &list[lo], sizeof *list * (size_t)(hi - lo));
        list[lo + j] = add[j];
        hi = lo;
    }
    return n + n_add;
}

/* Which channels are on air. A step examines only the channels whose wake
 * is due (their bucket), on air or not, not the catalogue: after a reset,
 * load or copy, or an event that launches a channel or forces one off, it
 * examines every channel once. The list of channels on air stays
 * ascending (the audience's sums run in its order). */
void lg_world_update_schedule(lg_env *env)
{
    lg_live *L = &env->live;
    const double t = env->clock;
    const int64_t day = day_of(t);
    if (L->sched_full) {
        schedule_all(env, t, day);
        return;
    }
    int32_t *came = L->sched_came, *went = L->went_off;
    int n_came = 0, n_went = 0;
    begin_pass(env, t);
    /* the bucket's channels, its chunks free again (a channel sleeps in
     * another bucket: never a ring's length ahead) */
    int32_t *head = &L->sched_head[L->ring_now], *due = L->due_now;
    int n_due = 0;
    for (int32_t chunk = *head, next; chunk >= 0; chunk = next) {
        lg_wake_chunk *k = &L->sched_pool[chunk];
        next = k->next;
        if (next >= 0) __builtin_prefetch(&L->sched_pool[next]);
        memcpy(&due[n_due], k->id, sizeof(int32_t) * (size_t)k->n);
        n_due += k->n;
        k->next = L->sched_free;
        L->sched_free = chunk;
    }
    *head = -1;
    for (int i = 0; i < n_due; i++) {
        if (i + 8 < n_due) { /* a channel ahead: its record and window, as the memory allows */
            const int p = due[i + 8];
            __builtin_prefetch(rec_of(L, p), 1);
            __builtin_prefetch(&L->win_start[p], 1);
            __builtin_prefetch(&L->win_end[p], 1);
            __builtin_prefetch(&L->forced_off_until[p]);
        }
        const int c = due[i], moved = look_at(env, c, t, day);
        if (moved > 0) came[n_came++] = c;
        if (moved < 0) went[n_went++] = c;
    }
    settle(env, came, n_came, went, n_went);
    /* Between ticks the list is made when read (lg_world_on_list); at a
     * tick the advance has just made it, and the audience reads it next */
    if (env->sc.platform_tick > 1 && env->sc.candidates > 0 && (L->on_list_stale || !lg_world_is_tick(env))) {
        L->n_on_air += n_came - n_went;
        L->on_list_stale |= n_came || n_went;
    } else {
        if (n_went) {
            lg_radix_sort_u32((uint32_t *)went, (uint32_t *)L->sort_tmp, n_went); /* ids >= 0 */
            L->n_on_air = remove_sorted(L->on_list, L->n_on_air, went, n_went);
        }
        if (n_came) {
            lg_radix_sort_u32((uint32_t *)came, (uint32_t *)L->sort_tmp, n_came);
            L->n_on_air = insert_sorted(L->on_list, L->n_on_air, came, n_came);
        }
    }
    L->n_went_off = n_went;
    L->n_came = n_came;
}

/* The audience of the channels list[0..n) from their background, watchers
 * and bots, and its log; at a tick their background first, share[j] of
 * the platform's (share: NULL between ticks, when the background holds). */
static void recount(lg_live *L, const int32_t *list, int n, const float *share, float scale)
{
    float *e = L->cm_out;
    for (int j = 0; j < n; j++) {
        const int c = list[j];
        if (share) L->background[c] = share[j] * scale;
        L->concurrency[c] = L->background[c] + (float)L->watchers[c] + L->bots[c];
        e[j] = 1.0f + L->concurrency[c];
    }
    lg_cm_log(e, n);
    for (int j = 0; j < n; j++) L->log1p_conc[list[j]] = e[j];
}

void lg_world_update_audience(lg_env *env)
{
    const lg_scenario *sc = &env->sc;
    double hour = fmod(env->clock, LG_MINUTES_PER_DAY) / 60.0;
    double phase = 6.283185307179586 * (hour - sc->audience_peak_hour) / 24.0;
    float total = sc->audience_peak * (float)(1.0 - sc->audience_amplitude * 0.5 * (1.0 - cos(phase)));
    lg_live *L = &env->live;
    const int32_t *on = lg_world_on_list(env);
    const int n_on = L->n_on_air;
    float xmax = -INFINITY, *e = L->cm_out;
    for (int j = 0; j < n_on; j++) {
        e[j] = L->x[on[j]];
        xmax = e[j] > xmax ? e[j] : xmax;
    }
    float z = 0.0f;
    lg_cm_exp(e, n_on, xmax, e);
    for (int j = 0; j < n_on; j++) z += e[j];
    recount(L, on, n_on, e, z > 0.0f ? total / z : 0.0f);
    L->bots_moved = 0;
}

/* Between ticks the background audience holds; a channel's audience moves
 * only with its watchers and bots. Recounted: the channels watched this
 * step or the one before, and those that came on air (no background until
 * the next tick); every channel on air when that is not known (after a
 * reset, load, copy or event) or a bot wave began or ended. */
static void recount_audience(lg_env *env)
{
    lg_live *L = &env->live;
    if (L->n_came < 0 || L->n_was_watched < 0 || L->bots_moved) {
        recount(L, lg_world_on_list(env), L->n_on_air, NULL, 0.0f);
        L->bots_moved = 0;
        return;
    }
    int32_t *list = L->sched_came; /* the channels that came, then the watched ones on air */
    int n = L->n_came;
    for (int j = 0; j < L->n_was_watched; j++)
        if (L->on_air[L->was_watched[j]]) list[n++] = L->was_watched[j];
    for (int j = 0; j < L->n_watched; j++)
        if (L->on_air[L->watched[j]]) list[n++] = L->watched[j];
    recount(L, list, n, NULL, 0.0f);
}

static int cmp_action(const void *a, const void *b)
{
    const lg_world_action *x = a, *y = b;
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    return x->order - y->order;
}

static void push_action(lg_env *env, double time, lg_action_kind kind, int target, int category, float value,
                        float duration)
{
    lg_world_action *a = &env->live.actions[env->live.n_actions_sched];
    a->time = time;
    a->kind = kind;
    a->target = target;
    a->category = category;
    a->value = value;
    a->duration = duration;
    a->order = env->live.n_actions_sched;
    env->live.n_actions_sched++;
}

int lg_world_build_actions(lg_env *env)
{
    const lg_scenario *sc = &env->sc;
    env->live.n_actions_sched = 0;
    memset(env->live.launch_event, 0, (size_t)env->C);
    for (int e = 0; e < sc->n_events; e++) {
        const lg_event *ev = &sc->events[e];
        double t = ev->time;
        switch (ev->type) {
        case LG_EV_SPIKE: push_action(env, t, LG_ACT_SPIKE, ev->channel, -1, ev->magnitude, 0); break;
        case LG_EV_TREND:
            push_action(env, t, LG_ACT_TREND, ev->category, ev->category, ev->magnitude, 0);
            if (ev->duration > 0)
                push_action(env, t + ev->duration, LG_ACT_TREND, ev->category, ev->category, -ev->magnitude, 0);
            break;
        case LG_EV_OFF_AIR: push_action(env, t, LG_ACT_OFF_AIR, ev->channel, -1, 0, ev->duration); break;
        case LG_EV_NEW_CHANNEL:
            env->live.launch_event[ev->channel] = 1;
            push_action(env, t, LG_ACT_LAUNCH, ev->channel, -1, 0, 0);
            break;
        case LG_EV_BOT_WAVE:
            push_action(env, t, LG_ACT_BOTS, ev->channel, -1, ev->magnitude, 0);
            if (ev->duration > 0) push_action(env, t + ev->duration, LG_ACT_BOTS, ev->channel, -1, -ev->magnitude, 0);
            break;
        case LG_EV_INTEREST_SHIFT:
            push_action(env, t, LG_ACT_INTEREST, ev->segment, ev->category, ev->magnitude, 0);
            break;
        default: return -1;
        }
    }
    qsort(env->live.actions, (size_t)env->live.n_actions_sched, sizeof env->live.actions[0], cmp_action);
    return 0;
}

static void apply_action(lg_env *env, const lg_world_action *a)
{
    switch (a->kind) {
    case LG_ACT_SPIKE:
        catch_up(env, a->target);
        env->live.x[a->target] += a->value;
        break;
    case LG_ACT_TREND:
        for (int c = 0; c < env->C; c++) /* off air they were drifting to the old mean until now */
            if (env->live.chan_cat[c] == a->target) catch_up(env, c);
        env->live.cat_offset[a->target] += a->value;
        break;
    case LG_ACT_OFF_AIR: {
        int c = a->target;
        float left, since;
        if (a->duration > 0)
            env->live.forced_off_until[c] = (float)(env->clock + a->duration);
        else if (scheduled(env, c, env->clock, &left, &since))
            env->live.forced_off_until[c] = (float)(env->clock + left); /* INFINITY for always-on */
        env->live.sched_full = 1;
        break;
    }
    case LG_ACT_LAUNCH:
        env->live.launched[a->target] = 1;
        env->live.sched_full = 1;
        break;
    case LG_ACT_BOTS: {
        float b = env->live.bots[a->target] + a->value;
        env->live.bots[a->target] = b < 0.5f ? 0.0f : b; /* end of a wave returns exactly to zero */
        env->live.bots_moved = 1;
        break;
    }
    case LG_ACT_INTEREST: {
        const float *target = &env->live.centroid[a->category * env->live.D];
        int s = a->target;
        for (int i = env->live.seg_start[s]; i < env->live.seg_start[s + 1]; i++) {
            float *u = &env->live.u[(size_t)env->live.seg_members[i] * env->live.D];
            for (int j = 0; j < env->live.D; j++) u[j] += a->value * (target[j] - u[j]);
        }
        break;
    }
    }
}

void lg_world_fire_events(lg_env *env)
{
    double elapsed = env->clock - env->sc.start_minute;
    while (env->live.next_action < env->live.n_actions_sched && env->live.actions[env->live.next_action].time <= elapsed + 1e-6)
        apply_action(env, &env->live.actions[env->live.next_action++]);
}

void lg_world_reset(lg_env *env)
{
    const lg_scenario *sc = &env->sc;
    env->clock = sc->start_minute;
    env->steps = 0;
    env->live.next_action = 0;
    lg_world_forget_scratch(env); /* the clock went back */
    for (int c = 0; c < env->C; c++) {
        env->live.on_air[c] = 0;
        env->live.x[c] = env->channels[c].base_popularity;
        env->live.x_step[c] = 0;
        env->live.win_start[c] = env->live.win_end[c] = 0.0;
        clear_audience(&env->live, c);
        env->live.bots[c] = 0.0f;
        env->live.forced_off_until[c] = -INFINITY;
        env->live.launched[c] = (uint8_t)!env->live.launch_event[c];
        env->live.watchers[c] = 0;
    }
    lg_world_rederive(env); /* the seed may be new; nothing is on air yet */
    memset(env->live.cat_offset, 0, sizeof(float) * (size_t)env->live.K);
    lg_world_fire_events(env);
    lg_world_update_schedule(env);
    lg_world_update_audience(env);
}

/* Popularity follows an Ornstein-Uhlenbeck process, stepped exactly over a
 * platform tick (world.platform_tick steps; 1 by default). Its mean is the
 * channel's base popularity, plus its category's trend shift, plus
 * feedback from the simulated viewers: a channel that got more than a fair
 * share of the tick's last step's watchers drifts up, so recommendations
 * move popularity, which moves the background audience and, through
 * herding, future choices. A channel that came on air since the last tick
 * was caught up then, so it moves over the steps since. */
void lg_world_advance(lg_env *env)
{
    const lg_scenario *sc = &env->sc;
    lg_live *L = &env->live;
    const int tick = (env->steps + 1) % sc->platform_tick == 0;
    if (tick) {
        const int32_t *on = lg_world_on_list(env);
        const int n_on = L->n_on_air;
        int total = 0; /* the step's list of watched channels (live.c's step) has each once */
        for (int j = 0; j < L->n_watched; j++) total += L->watchers[L->watched[j]];
        float fair = n_on > 0 ? (float)total / (float)n_on : 0.0f;
        float fb = sc->popularity_feedback / (float)env->N;
        const float *eps = L->cm_out;
        const int64_t now = env->steps + 1;
        lg_cm_normal(L->pop_key, on, n_on, (uint64_t)env->steps, L->cm_out);
        for (int j = 0; j < n_on; j++) {
            const int c = on[j];
            float mean = mean_of(L, c);
            mean += fb * ((float)L->watchers[c] - fair);
            float a = L->ou_a_tick, s = L->ou_s_tick;
            const int64_t n = now - L->x_step[c];
            if (n != sc->platform_tick) { /* came on air since the last tick: the gap's law */
                double an, sd;
                gap_of(L, n, &an, &sd);
                a = (float)an, s = (float)sd;
            }
            L->x[c] = mean + (L->x[c] - mean) * a + s * eps[j];
            L->x_step[c] = now;
        }
    }
    env->clock += sc->dt;
    env->steps++;
    lg_world_fire_events(env);
    lg_world_update_schedule(env);
    if (tick) lg_world_update_audience(env);
    else recount_audience(env);
}
