/* What a loaded state of the live world may hold (lg_env_state_load): a
 * state file is hostile until checked. The static world must be this
 * scenario's, byte for byte; every dynamic field must be in the range the
 * step code relies on (indices in bounds, flags 0 or 1, floats finite or,
 * where the world itself uses them, infinite but never NaN); the viewers
 * in sessions must be exactly the slots' viewers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../env_internal.h"

#define BIG 1e30f

typedef struct {
    char *err;
    size_t errsz;
    int bad;
} checker;

static void fail(checker *k, const char *field, size_t i, const char *expected, double found)
{
    if (k->bad++) return;
    snprintf(k->err, k->errsz, "env state: %s[%zu]: expected %s, found %g", field, i, expected, found);
}

/* n floats in [lo, hi]; with inf_ok, +-infinity too. NaN never. */
static void floats(checker *k, const char *field, const float *v, size_t n, float lo, float hi, int inf_ok)
{
    for (size_t i = 0; i < n && !k->bad; i++)
        if (!((v[i] >= lo && v[i] <= hi) || (inf_ok && isinf(v[i]))))
            fail(k, field, i, inf_ok ? "a number (or an infinity), in range" : "a finite number in range", v[i]);
}

static void flags(checker *k, const char *field, const uint8_t *v, size_t n)
{
    for (size_t i = 0; i < n && !k->bad; i++)
        if (v[i] > 1) fail(k, field, i, "0 or 1", v[i]);
}

static void sessions(checker *k, const lg_env *env)
{
    const lg_live *L = &env->live;
    int busy = 0, active = 0;
    for (int u = 0; u < L->U; u++) busy += L->busy[u];
    for (int i = 0; i < env->N && !k->bad; i++) {
        const lg_slot *s = &env->slot[i];
        if (s->viewer == -1 && L->return_at) continue; /* idle: retention only */
        active++;
        if (s->viewer < 0 || s->viewer >= L->U)
            fail(k, "slot.viewer", (size_t)i, L->return_at ? "a viewer of the pool, or -1 (idle)" : "a viewer of the pool",
                 s->viewer);
        else if (!L->busy[s->viewer]) fail(k, "slot.viewer", (size_t)i, "a viewer in a session (busy)", s->viewer);
        else if (s->session_step < 0 || s->session_step > env->sc.max_session_steps)
            fail(k, "slot.session_step", (size_t)i, "0 to session.max_session_steps", s->session_step);
        else if (!isfinite(s->budget) || fabsf(s->budget) > BIG) fail(k, "slot.budget", (size_t)i, "finite", s->budget);
        else if (s->last_category < -1 || s->last_category >= L->K)
            fail(k, "slot.last_category", (size_t)i, "-1 or a category", s->last_category);
        else if (s->watched_last > 1) fail(k, "slot.watched_last", (size_t)i, "0 or 1", s->watched_last);
        for (int j = 0; j < i && !k->bad; j++)
            if (env->slot[j].viewer == s->viewer) fail(k, "slot.viewer", (size_t)i, "a viewer no other slot has", s->viewer);
    }
    if (!k->bad && busy != active) fail(k, "busy", 0, "as many viewers in sessions as slots in sessions", busy);
}

/* Retention's arrays: a visit's times finite (a visit that never ended
 * at -LG_NEVER), satisfactions in the range lg_satisfaction gives, a
 * session's minutes and quality-weighted minutes with 0 <= quality
 * minutes <= minutes. */
static void retention(checker *k, const lg_env *env)
{
    const lg_live *L = &env->live;
    const size_t U = (size_t)L->U, N = (size_t)env->N;
    /* no viewer is due later than the longest gap from now (plus the day
     * an active-time remainder can take, and an hour for rounding): a state
     * that would idle forever is refused */
    const double latest = env->clock + (env->sc.retention.max_gap_days + 1.0) * (double)LG_MINUTES_PER_DAY + 60.0;
    for (size_t u = 0; u < U && !k->bad; u++)
        if (!(L->return_at[u] >= -BIG && L->return_at[u] <= latest))
            fail(k, "return_at", u, "a clock no later than now plus population.retention.max_gap_days", L->return_at[u]);
    floats(k, "last_satisfaction", L->last_sat, U, -20.0f, 20.0f, 0);
    for (size_t u = 0; u < U && !k->bad; u++)
        if (!(L->visit_end[u] == -LG_NEVER || (L->visit_end[u] >= -BIG && L->visit_end[u] <= env->clock)))
            fail(k, "visit_end", u, "a clock no later than now, or -1e30 (never)", L->visit_end[u]);
    for (size_t i = 0; i < N && !k->bad; i++) {
        const float *ss = &L->sess[i * 4];
        if (!(ss[0] >= 0.0f && ss[0] <= BIG)) fail(k, "session_minutes", i, "a finite number >= 0", ss[0]);
        else if (!(ss[1] >= 0.0f && ss[1] <= ss[0])) fail(k, "session_quality_minutes", i, "0 to the session's minutes", ss[1]);
        else if (!(ss[2] >= -1.0f && ss[2] <= BIG)) fail(k, "session_gap_seen", i, "-1 (first visit) or days >= 0", ss[2]);
        else if (!(ss[3] >= -20.0f && ss[3] <= 20.0f)) fail(k, "session_satisfaction_seen", i, "in [-20, 20]", ss[3]);
    }
}

/* The candidate stage's ranked lists, which a step between platform ticks
 * reads from the state: each category's of its own channels, the
 * platform-wide one of any, no channel twice in a list. */
static void ranking(checker *k, const lg_env *env)
{
    const lg_live *L = &env->live;
    const int A = env->A;
    uint8_t *seen = calloc((size_t)env->C, 1);
    if (!seen) {
        fail(k, "ranked lists", 0, "memory to check them", 0);
        return;
    }
    for (int cat = 0; cat <= L->K && !k->bad; cat++) {
        const int32_t *list = cat < L->K ? &L->top_cat[(size_t)cat * A] : L->top_all;
        const int n = L->n_top[cat];
        if (n < 0 || n > A) {
            fail(k, "ranked_count", (size_t)cat, "0 to session.candidates", n);
            break;
        }
        for (int i = 0; i < n && !k->bad; i++)
            if (list[i] < 0 || list[i] >= env->C || (cat < L->K && L->chan_cat[list[i]] != cat) || seen[list[i]])
                fail(k, cat < L->K ? "ranked_in_category" : "ranked_platform_wide", (size_t)i,
                     cat < L->K ? "a channel of that category, once" : "a channel, once", list[i]);
            else seen[list[i]] = 1;
        for (int i = 0; i < n; i++)
            if (list[i] >= 0 && list[i] < env->C) seen[list[i]] = 0;
    }
    free(seen);
    /* the platform-wide list is the categories' merged: each category's
     * channels in it are the first of its own list, in order (take_turns
     * reads the order from these places, and make_list_tables, which
     * writes one place per channel of the platform list into its
     * category's A, relies on it to stay in bounds) */
    int32_t at[LG_MAX_CATEGORIES] = {0};
    for (int i = 0; i < L->n_top[L->K] && !k->bad; i++) {
        const int c = L->top_all[i], cat = L->chan_cat[c];
        if (at[cat] >= L->n_top[cat] || L->top_cat[(size_t)cat * A + at[cat]] != c)
            fail(k, "ranked_platform_wide", (size_t)i, "the next channel of its category's list", c);
        at[cat]++;
    }
}

int lg_live_check_state(const lg_env *env, const void *before, char *err, size_t errsz)
{
    const lg_live *L = &env->live;
    const size_t C = (size_t)env->C, K = (size_t)L->K, U = (size_t)L->U, D = (size_t)L->D, N = (size_t)env->N;
    checker k = {err, errsz, 0};
    const int64_t last_tick = env->steps - env->steps % env->sc.platform_tick;
    size_t fixed = (size_t)((const char *)L->x - (const char *)env->block); /* the static world comes first */
    if (memcmp(env->block, before, fixed)) {
        snprintf(err, errsz, "env state: the static world (channels, viewers' tastes, segments) is not this "
                             "scenario's: another scenario or world seed, or a damaged file");
        return -1;
    }
    floats(&k, "log_popularity", L->x, C, -BIG, BIG, 0);
    floats(&k, "category_offset", L->cat_offset, K, -BIG, BIG, 0);
    floats(&k, "bots", L->bots, C, 0, BIG, 0);
    floats(&k, "forced_off_until", L->forced_off_until, C, -BIG, BIG, 1);
    floats(&k, "background", L->background, C, 0, BIG, 0);
    floats(&k, "concurrency", L->concurrency, C, 0, BIG, 0);
    floats(&k, "log1p_concurrency", L->log1p_conc, C, 0, BIG, 0);
    flags(&k, "launched", L->launched, C);
    flags(&k, "on_air", L->on_air, C);
    for (size_t c = 0; c < C && !k.bad; c++)
        if (L->watchers[c] < 0 || L->watchers[c] > env->N) fail(&k, "watchers", c, "0 to the slots", L->watchers[c]);
        else if (!(L->x_step[c] >= (L->on_air[c] ? last_tick : 0) && L->x_step[c] <= env->steps))
            fail(&k, "popularity_step", c,
                 L->on_air[c] ? "a step from the last platform tick to the current (on air)" : "a step from 0 to the current",
                 (double)L->x_step[c]);
    for (size_t c = 0; c < C && !k.bad; c++) /* an off-air channel's audience is zeroed when it goes off */
        if (!L->on_air[c] && (L->background[c] != 0.0f || L->concurrency[c] != 0.0f || L->log1p_conc[c] != 0.0f))
            fail(&k, "concurrency", c, "0 for a channel off air", L->concurrency[c]);
    /* the minutes read from a window are >= 0 and never NaN */
    for (size_t c = 0; c < C && !k.bad; c++)
        if (!L->on_air[c] ? L->win_start[c] != 0.0 || L->win_end[c] != 0.0
                          : !(L->win_start[c] <= env->clock && L->win_start[c] >= -1e30) && L->win_start[c] != -INFINITY)
            fail(&k, "window_start", c, L->on_air[c] ? "a clock no later than now (or -inf)" : "0 for a channel off air",
                 L->win_start[c]);
        else if (L->on_air[c] && !(L->win_end[c] >= env->clock && L->win_end[c] <= 1e30) && L->win_end[c] != INFINITY)
            fail(&k, "window_end", c, "a clock no earlier than now (or inf)", L->win_end[c]);
        else if (!L->on_air[c] && L->win_end[c] != 0.0)
            fail(&k, "window_end", c, "0 for a channel off air", L->win_end[c]);
    size_t n_on = 0;
    for (size_t c = 0; c < C; c++) n_on += L->on_air[c] != 0;
    if (!k.bad && n_on != (size_t)L->n_on_air) fail(&k, "channels_on_air", 0, "the count of on_air flags", L->n_on_air);
    floats(&k, "viewer_taste", L->u, U * D, -BIG, BIG, 0);
    floats(&k, "fatigue", L->fatigue, U * K, 0, BIG, 0);
    floats(&k, "fatigue_time", L->fatigue_time, U, -BIG, BIG, 0);
    floats(&k, "history", L->history, N * K, -BIG, BIG, 0);
    flags(&k, "busy", L->busy, U);
    for (size_t u = 0; u < U && !k.bad; u++) {
        const int32_t *f = &L->follows[u * (size_t)L->F];
        int n = L->n_follows[u];
        if (n > L->F) fail(&k, "n_follows", u, "at most population.max_follows", n);
        for (int j = 0; j < n && !k.bad; j++)
            if (f[j] < 0 || (size_t)f[j] >= C || (j > 0 && f[j] <= f[j - 1]))
                fail(&k, "follows", u * (size_t)L->F + (size_t)j, "channels in ascending order, each once", f[j]);
    }
    const int32_t *fc = env->buf.final_candidates;
    const uint8_t *fm = env->buf.final_mask;
    for (size_t i = 0; fc && i < N * (size_t)env->A && !k.bad; i++)
        if (fc[i] < -1 || fc[i] >= env->C) fail(&k, "final_candidates", i, "-1 or a channel", fc[i]);
        else if (fm[i] > (fc[i] >= 0)) fail(&k, "final_mask", i, "0, or 1 for a candidate", fm[i]);
    if (!k.bad && env->sc.candidates > 0 && !lg_world_is_tick(env)) ranking(&k, env);
    if (!k.bad && L->return_at) retention(&k, env);
    if (!k.bad) sessions(&k, env);
    return k.bad ? -1 : 0;
}
