/* The world step's shortcuts change nothing. The schedule examines only the
 * channels on air and those whose wake is due, the channel table rewrites
 * only rows that can change, and only last step's watched channels have
 * their counts cleared: the world is the one that does all of it for every
 * channel. The per-channel math gives the same bits on every vector
 * instruction set. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env_internal.h"
#include "lg_isa.h"
#include "lg_test.h"

/* The default world with windows that cross midnight and overlap (one pair
 * ending within a float's resolution of each other), jitter, and events that launch channels and force them off (for a while, and to
 * the end of their window, an always-on one too), at step length dt. */
static lg_scenario *busy_scenario(float dt)
{
    lg_scenario *sc = test_scenario();
    sc->dt = dt;
    sc->max_session_steps = 40;
    lg_channel_spec *ch = &sc->channels[1];
    ch->always_on = 0;
    ch->n_windows = 2;
    ch->windows[0] = (lg_window){1380.0f, 150.0f, 25.0f}; /* 23:00 to 01:30 */
    ch->windows[1] = (lg_window){30.0f, 200.0f, 40.0f};   /* overlaps the first */
    sc->channels[0].always_on = 1;
    /* Two windows whose ends are closer than a float's resolution of the
     * minutes left: which one holds the channel flips as they run down. */
    ch = &sc->channels[6];
    ch->always_on = 0;
    ch->n_windows = 2;
    ch->windows[0] = (lg_window){0.0f, 600.1f, 0.0f};
    ch->windows[1] = (lg_window){0.1f, 600.0f, 0.0f};
    const lg_event ev[] = {
        {LG_EV_NEW_CHANNEL, 700.0f, 0.0f, 0.0f, 2, -1, -1},
        {LG_EV_OFF_AIR, 400.0f, 95.0f, 0.0f, 3, -1, -1},
        {LG_EV_OFF_AIR, 1500.0f, 0.0f, 0.0f, 1, -1, -1},
        {LG_EV_OFF_AIR, 2000.0f, 0.0f, 0.0f, 0, -1, -1}, /* always on: for good */
        {LG_EV_OFF_AIR, 2100.0f, 33.3f, 0.0f, 4, -1, -1},
        {LG_EV_SPIKE, 900.0f, 0.0f, 2.0f, 5, -1, -1},
        {LG_EV_TREND, 1200.0f, 600.0f, 0.7f, -1, 1, -1},
    };
    sc->n_events = (int)(sizeof ev / sizeof ev[0]);
    memcpy(sc->events, ev, sizeof ev);
    return sc;
}

static unsigned char *state_of(const lg_env *env, size_t *n)
{
    *n = lg_env_state_size(env);
    unsigned char *buf = malloc(*n);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(lg_env_state_save(env, buf, *n), *n);
    return buf;
}

/* One step of the fast world and of the full one (which examines every
 * channel, clears every watcher count and, with a candidate stage, ranks
 * without a bar), with the same actions; their states into a and b (n
 * bytes each). */
static void step_fast_and_full(lg_env *fast, lg_env *full, const int32_t *act, unsigned char *a, unsigned char *b, size_t n)
{
    full->live.sched_full = 1;
    full->live.n_watched = -1;
    for (int k = 0; full->sc.candidates > 0 && k < full->live.K; k++) full->live.rank_bar[k] = -INFINITY;
    lg_env_step(fast, act);
    lg_env_step(full, act);
    ck_assert_uint_eq(lg_env_state_save(fast, a, n), n);
    ck_assert_uint_eq(lg_env_state_save(full, b, n), n);
}

/* Two worlds, one of which does the full work at every step (examines every
 * channel, writes every row of the channel table, clears every channel's
 * watcher count, ranks the candidates without a bar), give the same state
 * and the same observations after every step over three days: for step
 * lengths that divide the day and that do not (the clock is a running sum),
 * one with more steps a day than the schedule's ring has buckets, and for
 * the plain world, a candidate stage and retention (idle slots), with the
 * platform moving every step and every 7 (between ticks the fast world
 * recounts only the audiences that moved, and with a candidate stage makes
 * its list of channels on air only when read). Halfway, the first world
 * goes on as a copy of itself (its scratch rebuilt). */
static const float step_lengths[] = {5.0f, 0.7f, 37.0f, 0.3f};
enum { PLAIN, CANDIDATES, RETENTION, KINDS };
static const char *const kind_names[] = {"plain", "candidates", "retention"};
START_TEST(test_step_touches_what_changes)
{
    const float dt = step_lengths[_i / KINDS % 4];
    const int kind = _i % KINDS, tick = _i < 4 * KINDS ? 1 : 7;
    lg_scenario *sc = busy_scenario(dt);
    sc->platform_tick = tick;
    sc->n_viewers = 400;
    if (kind == CANDIDATES) sc->candidates = 8;
    if (kind == RETENTION) sc->retention.enabled = 1;
    char err[512];
    ck_assert_msg(lg_scenario_check(sc, err, sizeof err) == 0, "%s", err);
    lg_env *fast = test_env(sc, 8, 3, LG_LAYOUT_FLAT), *full = test_env(sc, 8, 3, LG_LAYOUT_FLAT);
    int32_t act[8];
    lg_stream rng = lg_stream_make(1, TEST_STREAM, 0);
    const int steps = (int)(3.0f * LG_MINUTES_PER_DAY / dt);
    int changes = 0, was_on = -1, forced_seen = 0;
    const size_t n = lg_env_state_size(fast);
    unsigned char *a = malloc(n), *b = malloc(n);
    ck_assert(a && b && lg_env_state_size(full) == n);
    ck_assert_int_gt(steps / 3, kind == PLAIN && dt < 0.5f ? LG_SCHED_RING_MAX : 0);
    for (int t = 0; t < steps; t++) {
        if (t == steps / 2) {
            lg_env *copy = test_env(sc, 8, 11, LG_LAYOUT_FLAT);
            ck_assert_msg(lg_env_copy_state(copy, fast, err, sizeof err) == 0, "%s", err);
            lg_env_free(fast);
            fast = copy;
        }
        test_random_actions(fast, &rng, act);
        step_fast_and_full(fast, full, act, a, b, n);
        ck_assert_msg(!memcmp(a, b, n), "dt %g, %s, tick %d: the states part at step %d", dt, kind_names[kind], tick,
                      t + 1);
        const lg_buffers *bf = lg_env_buffers(fast), *bl = lg_env_buffers(full);
        ck_assert_msg(!memcmp(bf->channel_obs, bl->channel_obs, sizeof(float) * (size_t)bf->n_channels * (size_t)bf->channel_dim),
                      "dt %g, %s: the channel tables part at step %d", dt, kind_names[kind], t + 1);
        ck_assert(!memcmp(bf->obs, bl->obs, sizeof(float) * (size_t)bf->n_slots * (size_t)bf->obs_dim));
        changes += fast->live.n_on_air != was_on;
        was_on = fast->live.n_on_air;
        forced_seen |= fast->live.forced_off_until[0] > (float)lg_env_clock(fast);
    }
    ck_assert_int_gt(changes, 8); /* channels did come and go */
    ck_assert(forced_seen);
    free(a), free(b);
    lg_env_free(fast), lg_env_free(full);
    free(sc);
}
END_TEST

static void check_kernels(const char *set)
{
    enum { n = 20000 };
    uint64_t *key = malloc(sizeof(uint64_t) * n);
    int32_t *on = malloc(sizeof(int32_t) * n);
    float *x = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * n), *v = malloc(sizeof(float) * n);
    ck_assert(key && on && x && out && v);
    for (int j = 0; j < n; j++) {
        key[j] = lg_key3(7, 1, (uint64_t)j);
        on[j] = (int32_t)((j * 7919) % n); /* a permutation: the loops gather */
        x[j] = -100.0f * lg_u01f(key[j], 9);   /* below the cut at -87 too */
        v[j] = 1.0f + ldexpf(lg_u01f(key[j], 10), j % 40); /* 1 + n up to 2^40 */
    }
    x[5] = 0.0f, x[6] = -87.0f, x[7] = -86.99999f;
    lg_cm_normal(key, on, n, 12345, out);
    for (int j = 0; j < n; j++)
        ck_assert_msg(out[j] == lg_normalf(key[on[j]], 12345), "%s: normal %d: %a, scalar %a", set, j, out[j],
                      lg_normalf(key[on[j]], 12345));
    for (int j = 0; j < n; j++) out[j] = x[on[j]]; /* the audience's gather, then exp in place */
    lg_cm_exp(out, n, 0.5f, out);
    for (int j = 0; j < n; j++)
        ck_assert_msg(out[j] == lg_expf_neg(x[on[j]] - 0.5f), "%s: exp %d", set, j);
    memcpy(out, v, sizeof(float) * n);
    lg_cm_log(out, n);
    for (int j = 0; j < n; j++) ck_assert_msg(out[j] == lg_logf(v[j]), "%s: log %d", set, j);
    free(key), free(on), free(x), free(out), free(v);
}

/* Every set the CPU has gives the scalar loops' bits, and a world with
 * thousands of channels on air ends its day in the same state. */
START_TEST(test_every_isa_same_world)
{
    lg_scenario *sc = test_scenario();
    test_generate(sc, 3000);
    unsigned char *first = NULL;
    size_t n_first = 0;
    int checked = 0;
    for (int isa = LG_ISA_SSE2; isa <= LG_ISA_AVX512; isa++) {
        const char *name = lg_isa_name((lg_isa)isa);
        if (!lg_isa_available((lg_isa)isa)) {
            ck_assert_int_eq(lg_isa_set((lg_isa)isa), -1);
            fprintf(stderr, "test_every_isa_same_world: %s: not on this CPU, not checked\n", name);
            continue;
        }
        ck_assert_int_eq(lg_isa_set((lg_isa)isa), 0);
        check_kernels(name);
        lg_env *env = test_env(sc, 16, 5, LG_LAYOUT_FLAT);
        int32_t act[16];
        lg_stream rng = lg_stream_make(2, TEST_STREAM, 0);
        int most_on = 0;
        for (int t = 0; t < 288; t++) {
            test_random_actions(env, &rng, act);
            lg_env_step(env, act);
            if (env->live.n_on_air > most_on) most_on = env->live.n_on_air;
        }
        ck_assert_int_gt(most_on, 1000);
        size_t n;
        unsigned char *s = state_of(env, &n);
        if (!first) first = s, n_first = n;
        else {
            ck_assert_uint_eq(n, n_first);
            ck_assert_msg(!memcmp(s, first, n), "%s: the world's state differs from sse2's", name);
            free(s);
        }
        checked++;
        lg_env_free(env);
    }
    ck_assert_int_ge(checked, 1);
    ck_assert_int_eq(lg_isa_set(LG_ISA_AUTO), 0);
    free(first);
    free(sc);
}
END_TEST

/* A platform tick of T steps is one exact Ornstein-Uhlenbeck step over T
 * dt (no feedback here): across 2,000 channels always on, a tick's
 * regression of the popularity's deviation on the last tick's is a^T, and
 * its spread the stationary sigma^2 / (2 theta), for a tick of 1 and of 12;
 * between ticks popularity holds, and lg_env_channel reports it so. (One step's a and s at each tick would
 * give a regression near a, not a^12.) */
START_TEST(test_tick_is_exact_ou_step)
{
    const int T = _i ? 12 : 1;
    lg_scenario *sc = test_scenario();
    lg_channel_generator g;
    lg_channel_generator_default(&g);
    g.count = 2000;
    g.always_on_fraction = 1.0f;
    char err[256];
    ck_assert_msg(lg_generate_channels(sc, &g, err, sizeof err) == 0, "%s", err);
    sc->popularity_feedback = 0.0f;
    sc->n_events = 0;
    sc->platform_tick = T;
    lg_env *env = test_env(sc, 1, 9, LG_LAYOUT_FLAT);
    const lg_live *L = &env->live;
    int32_t act[1];
    lg_stream rng = lg_stream_make(3, TEST_STREAM, 0);
    float *d0 = malloc(sizeof(float) * 2000), *held = malloc(sizeof(float) * 2000);
    ck_assert(d0 && held);
    for (int t = 0; t < 1200; t++) test_random_actions(env, &rng, act), lg_env_step(env, act);
    ck_assert_int_eq(env->steps % 12, 0);
    for (int c = 0; c < 2000; c++) d0[c] = L->x[c] - lg_world_popularity_mean(env, c), held[c] = L->x[c];
    for (int t = 1; t <= 12; t++) {
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
        for (int c = 0; t < 12 && T == 12 && c < 2000; c++) {
            lg_channel_state cs;
            lg_env_channel(env, c, &cs);
            ck_assert(L->x[c] == held[c] && cs.log_popularity == held[c]); /* reported as it holds */
        }
    }
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (int c = 0; c < 2000; c++) {
        const double y = L->x[c] - lg_world_popularity_mean(env, c);
        sxy += d0[c] * y, sxx += (double)d0[c] * d0[c], syy += y * y;
    }
    const double theta = sc->popularity_reversion, want = exp(-theta * sc->dt * 12.0);
    const double var = sc->popularity_volatility * sc->popularity_volatility / (2.0 * theta);
    ck_assert_msg(fabs(sxy / sxx - want) < 0.03, "tick %d: regression %.4f, expected %.4f", T, sxy / sxx, want);
    ck_assert_msg(fabs(syy / 2000 / var - 1.0) < 0.15, "tick %d: variance %.4f, expected %.4f", T, syy / 2000, var);
    free(d0), free(held);
    lg_env_free(env), free(sc);
}
END_TEST

/* At a clock far from 0 (a state may hold one up to 1e10 minutes) the
 * running sum's rounding over a ring's steps is more than a thousandth of
 * a step of 0.7 minutes: wakes still come in time, the fast world is the
 * full one's. (With a fixed thousandth's margin a channel came on air a
 * step late here.) */
START_TEST(test_wakes_at_a_far_clock)
{
    lg_scenario *sc = test_scenario();
    test_generate(sc, 3000);
    sc->dt = 0.7f;
    sc->n_viewers = 300;
    sc->n_events = 0;
    lg_env *fast = test_env(sc, 4, 1, LG_LAYOUT_FLAT), *full = test_env(sc, 4, 1, LG_LAYOUT_FLAT);
    size_t n;
    unsigned char *s = state_of(fast, &n), *a = malloc(n), *b = malloc(n);
    ck_assert(a && b);
    const double clock = 9.5e9, far_end = 1e30; /* the windows on air end after the new clock */
    memcpy(s + 24, &clock, 8);                    /* the header's clock (env.c) */
    for (int c = 0; c < fast->C; c++)
        if (fast->live.on_air[c])
            memcpy(s + 64 + (size_t)((const char *)&fast->live.win_end[c] - (const char *)fast->block), &far_end, 8);
    char err[512];
    ck_assert_msg(lg_env_state_load(fast, s, n, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(lg_env_state_load(full, s, n, err, sizeof err) == 0, "%s", err);
    int32_t act[4];
    lg_stream rng = lg_stream_make(5, TEST_STREAM, 0);
    for (int t = 0; t < 2500; t++) {
        test_random_actions(fast, &rng, act);
        step_fast_and_full(fast, full, act, a, b, n);
        ck_assert_msg(!memcmp(a, b, n), "the states part at step %d", t + 1);
    }
    free(s), free(a), free(b);
    lg_env_free(fast), lg_env_free(full), free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("world_step");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_step_touches_what_changes, 0, 2 * 4 * KINDS);
    tcase_add_loop_test(tc, test_tick_is_exact_ou_step, 0, 2);
    tcase_add_test(tc, test_wakes_at_a_far_clock);
    tcase_add_test(tc, test_every_isa_same_world);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
