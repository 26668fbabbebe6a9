/* Model properties of the simulated world, each a statistical test with a
 * fixed seed: the effect must show with a margin, and the control must not. */
#include <math.h>
#include <stdio.h>

#include "lg_test.h"

#define N 32

/* Make channel 0 always on air, so event tests do not depend on schedules. */
static lg_scenario *scenario_with_always_on_channel0(void)
{
    lg_scenario *sc = test_scenario();
    sc->channels[0].always_on = 1;
    return sc;
}

static void set_herding(lg_scenario *sc, float beta)
{
    for (int s = 0; s < sc->n_segments; s++) sc->segments[s].herding = beta;
}

static void step_until(lg_env *env, double minutes_since_start, lg_stream *rng, int32_t *act)
{
    const lg_scenario *sc = lg_env_scenario(env);
    while (lg_env_clock(env) - sc->start_minute < minutes_since_start) {
        test_random_actions(env, rng, act);
        lg_env_step(env, act);
    }
}

START_TEST(test_off_air_never_watched)
{
    lg_scenario *sc = test_scenario();
    lg_env *env = test_env(sc, N, 1, LG_LAYOUT_SHARED);
    const lg_buffers *b = lg_env_buffers(env);
    uint8_t *mask_before = malloc((size_t)N * (size_t)b->n_actions);
    int32_t act[N];
    lg_stream rng = lg_stream_make(1, TEST_STREAM, 0);
    long invalid = 0, watched = 0;
    for (int t = 0; t < 2000; t++) {
        /* Uniform over all channels, on air or not. */
        for (int i = 0; i < N; i++) act[i] = (int32_t)lg_stream_below(&rng, (uint32_t)b->n_actions);
        memcpy(mask_before, b->mask, (size_t)N * (size_t)b->n_actions);
        lg_env_step(env, act);
        for (int i = 0; i < N; i++) {
            invalid += b->info[i].invalid;
            if (b->info[i].watched >= 0) {
                watched++;
                ck_assert_int_eq(mask_before[i * b->n_actions + b->info[i].watched], 1);
            } else {
                ck_assert_float_eq(b->info[i].watch_minutes, 0.0f);
            }
        }
    }
    ck_assert_int_gt(invalid, 10000); /* the policy did try off-air channels */
    ck_assert_int_gt(watched, 5000);
    free(mask_before), lg_env_free(env), free(sc);
}
END_TEST

START_TEST(test_spike_raises_concurrency)
{
    lg_scenario *base = scenario_with_always_on_channel0();
    lg_scenario *spiked = scenario_with_always_on_channel0();
    spiked->events[0] = (lg_event){.type = LG_EV_SPIKE, .time = 60, .channel = 0, .magnitude = 2.0f,
                                   .category = -1, .segment = -1};
    spiked->n_events = 1;
    lg_env *a = test_env(base, 8, 3, LG_LAYOUT_SHARED), *b = test_env(spiked, 8, 3, LG_LAYOUT_SHARED);
    int32_t act[8];
    lg_stream rng = lg_stream_make(2, TEST_STREAM, 0);
    lg_channel_state ca, cb;
    while (lg_env_clock(a) < 60) {
        lg_env_channel(a, 0, &ca), lg_env_channel(b, 0, &cb);
        ck_assert_float_eq(ca.concurrency, cb.concurrency); /* identical before the event */
        test_random_actions(a, &rng, act);
        lg_env_step(a, act), lg_env_step(b, act);
    }
    lg_env_channel(a, 0, &ca), lg_env_channel(b, 0, &cb);
    ck_assert_msg(cb.concurrency > 3.0f * ca.concurrency, "spiked %f vs %f", (double)cb.concurrency,
                  (double)ca.concurrency);
    lg_env_free(a), lg_env_free(b), free(base), free(spiked);
}
END_TEST

/* Correlation between a recommended channel's log concurrency and whether
 * the viewer took it, under a random policy. */
static double popularity_choice_corr(float beta)
{
    lg_scenario *sc = test_scenario();
    set_herding(sc, beta);
    lg_env *env = test_env(sc, N, 5, LG_LAYOUT_SHARED);
    const lg_buffers *b = lg_env_buffers(env);
    int32_t act[N];
    lg_stream rng = lg_stream_make(3, TEST_STREAM, 0);
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, n = 0;
    for (int t = 0; t < 1500; t++) {
        test_random_actions(env, &rng, act);
        double x[N];
        for (int i = 0; i < N; i++) {
            lg_channel_state cs;
            lg_env_channel(env, act[i], &cs);
            x[i] = log1p(cs.concurrency);
        }
        lg_env_step(env, act);
        for (int i = 0; i < N; i++) {
            double y = b->info[i].chose;
            sx += x[i], sy += y, sxx += x[i] * x[i], syy += y * y, sxy += x[i] * y, n++;
        }
    }
    lg_env_free(env), free(sc);
    double cov = sxy / n - sx / n * sy / n;
    return cov / sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
}

START_TEST(test_herding_makes_popular_channels_chosen_more)
{
    double low = popularity_choice_corr(0.0f), high = popularity_choice_corr(0.8f);
    ck_assert_msg(high > low + 0.1, "corr(popularity, chose): herding 0.8 -> %f, herding 0 -> %f", high, low);
}
END_TEST

static double mean_session_length(float quality)
{
    lg_scenario *sc = test_scenario();
    for (int c = 0; c < sc->n_channels; c++) sc->channels[c].quality = quality, sc->channels[c].appeal = 0.5f;
    lg_env *env = test_env(sc, N, 7, LG_LAYOUT_SHARED);
    const lg_buffers *b = lg_env_buffers(env);
    int32_t act[N];
    lg_stream rng = lg_stream_make(4, TEST_STREAM, 0);
    long steps = 0, ended = 0;
    for (int t = 0; t < 2000; t++) {
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
        for (int i = 0; i < N; i++) {
            steps++;
            ended += b->terminated[i] || b->truncated[i];
        }
    }
    lg_env_free(env), free(sc);
    return (double)steps / (double)ended;
}

START_TEST(test_quality_lengthens_sessions)
{
    double hi = mean_session_length(0.9f), lo = mean_session_length(0.1f);
    ck_assert_msg(hi > 1.25 * lo, "session length: quality 0.9 -> %f steps, quality 0.1 -> %f", hi, lo);
}
END_TEST

/* Recommend the same channel all session long: with fatigue, the take rate
 * falls as the session goes on; without it, it falls much less. */
static double repeat_take_rate_drop(float fatigue_weight)
{
    lg_scenario *sc = scenario_with_always_on_channel0();
    sc->fatigue_weight = fatigue_weight;
    sc->fatigue_gain = 0.05f;
    lg_env *env = test_env(sc, N, 9, LG_LAYOUT_SHARED);
    const lg_buffers *b = lg_env_buffers(env);
    int32_t act[N];
    test_fill(act, N, 0);
    double early = 0, early_n = 0, late = 0, late_n = 0;
    for (int t = 0; t < 3000; t++) {
        lg_env_step(env, act);
        for (int i = 0; i < N; i++) {
            int s = b->info[i].session_step;
            if (s <= 2) early += b->info[i].chose, early_n++;
            if (s >= 8 && s <= 12) late += b->info[i].chose, late_n++;
        }
    }
    lg_env_free(env), free(sc);
    return early / early_n - late / late_n;
}

START_TEST(test_fatigue_lowers_repeat_category_choice)
{
    double with = repeat_take_rate_drop(2.0f), without = repeat_take_rate_drop(0.0f);
    ck_assert_msg(with > without + 0.05, "take-rate drop over a session: fatigue %f, none %f", with, without);
}
END_TEST

/* After a spike, log-popularity returns to its mean at the OU rate: half the
 * gap after one half-life, almost all after five. */
START_TEST(test_popularity_reverts_to_mean)
{
    lg_scenario *sc = scenario_with_always_on_channel0();
    sc->popularity_feedback = 0.0f;
    sc->events[0] = (lg_event){.type = LG_EV_SPIKE, .time = 0, .channel = 0, .magnitude = 3.0f, .category = -1,
                               .segment = -1};
    sc->n_events = 1;
    int half_life_steps = (int)lround(log(2.0) / sc->popularity_reversion / sc->dt);
    double at0 = 0, at1 = 0, at5 = 0;
    const int seeds = 40;
    int32_t act[1];
    for (int s = 0; s < seeds; s++) {
        lg_env *env = test_env(sc, 1, (uint64_t)(100 + s), LG_LAYOUT_SHARED);
        lg_channel_state cs;
        lg_env_channel(env, 0, &cs);
        at0 += cs.log_popularity - cs.popularity_mean;
        act[0] = 0;
        for (int t = 1; t <= 5 * half_life_steps; t++) {
            lg_env_step(env, act);
            if (t == half_life_steps) {
                lg_env_channel(env, 0, &cs);
                at1 += cs.log_popularity - cs.popularity_mean;
            }
        }
        lg_env_channel(env, 0, &cs);
        at5 += cs.log_popularity - cs.popularity_mean;
        lg_env_free(env);
    }
    at0 /= seeds, at1 /= seeds, at5 /= seeds;
    ck_assert_double_eq_tol(at0, 3.0, 1e-5);
    ck_assert_msg(fabs(at1 - 1.5) < 0.25, "gap after one half-life %f, expected 1.5", at1);
    ck_assert_msg(fabs(at5) < 0.25, "gap after five half-lives %f, expected ~0", at5);
    free(sc);
}
END_TEST

/* A channel off air is not stepped, but its popularity follows the same
 * law: from its value x0 when it went off to its value on its return n
 * steps later, x = m + a^n (x0 - m) + s_n eps with s_n^2 = s^2 (1 - a^2n) /
 * (1 - a^2), a = exp(-theta dt), s^2 = sigma^2 (1 - a^2) / (2 theta). The
 * standardised returns of every channel's gaps over two days and 16 seeds
 * have mean 0 and variance 1 (a gap drawn as one step, or not reverted,
 * gives a variance far from 1). While it is off, the channel reports the
 * expectation, x0 exactly at the step it went off. */
START_TEST(test_popularity_off_air_follows_the_same_law)
{
    lg_scenario *sc = test_scenario();
    sc->popularity_feedback = 0.0f;
    sc->popularity_volatility = 0.1f; /* the noise dominates what is measured */
    sc->n_events = 0;
    const double theta = sc->popularity_reversion, a = exp(-theta * sc->dt);
    const double s2 = (double)sc->popularity_volatility * sc->popularity_volatility * (1.0 - a * a) / (2.0 * theta);
    const int steps = (int)(2 * 1440 / sc->dt);
    double sum = 0.0, sum2 = 0.0, worst_expect = 0.0;
    long gaps = 0;
    int32_t act[1];
    lg_stream rng = lg_stream_make(5, TEST_STREAM, 0);
    for (uint64_t seed = 0; seed < 16; seed++) {
        lg_env *env = test_env(sc, 1, 300 + seed, LG_LAYOUT_SHARED);
        const int C = lg_env_buffers(env)->n_actions;
        float *x0 = calloc((size_t)C, sizeof(float));
        int *off_at = calloc((size_t)C, sizeof(int)), *was_on = calloc((size_t)C, sizeof(int));
        for (int c = 0; c < C; c++) {
            lg_channel_state cs;
            lg_env_channel(env, c, &cs);
            was_on[c] = cs.on_air, off_at[c] = -1;
        }
        for (int t = 1; t <= steps; t++) {
            test_random_actions(env, &rng, act);
            lg_env_step(env, act);
            for (int c = 0; c < C; c++) {
                lg_channel_state cs;
                lg_env_channel(env, c, &cs);
                if (was_on[c] && !cs.on_air) {
                    x0[c] = cs.log_popularity, off_at[c] = t;
                } else if (!cs.on_air && off_at[c] >= 0) { /* the expectation while off */
                    const double m = cs.popularity_mean, e = m + pow(a, t - off_at[c]) * (x0[c] - m);
                    worst_expect = fmax(worst_expect, fabs(cs.log_popularity - e));
                } else if (!was_on[c] && cs.on_air && off_at[c] >= 0) {
                    const int n = t - off_at[c];
                    const double m = cs.popularity_mean, an = pow(a, n);
                    const double z = (cs.log_popularity - m - an * (x0[c] - m)) / sqrt(s2 * (1.0 - an * an) / (1.0 - a * a));
                    sum += z, sum2 += z * z, gaps++;
                }
                was_on[c] = cs.on_air;
            }
        }
        free(x0), free(off_at), free(was_on);
        lg_env_free(env);
    }
    const double mean = sum / (double)gaps, var = sum2 / (double)gaps - mean * mean;
    ck_assert_msg(gaps > 300, "only %ld gaps", gaps);
    ck_assert_msg(fabs(mean) < 0.15 && fabs(var - 1.0) < 0.2, "standardised returns: mean %f, variance %f over %ld gaps",
                  mean, var, gaps);
    ck_assert_msg(worst_expect < 1e-4, "an off-air channel reported %g from its expectation", worst_expect);
    free(sc);
}
END_TEST

/* Bots inflate a channel's viewer count and nothing else: with herding off,
 * every reward is identical with and without the wave. */
START_TEST(test_bot_wave_inflates_concurrency_not_watch_time)
{
    lg_scenario *base = scenario_with_always_on_channel0();
    set_herding(base, 0.0f);
    lg_scenario *bots = malloc(sizeof *bots);
    *bots = *base;
    bots->events[0] = (lg_event){.type = LG_EV_BOT_WAVE, .time = 30, .duration = 120, .channel = 0,
                                 .magnitude = 5000, .category = -1, .segment = -1};
    bots->n_events = 1;
    lg_env *a = test_env(base, N, 4, LG_LAYOUT_SHARED), *b = test_env(bots, N, 4, LG_LAYOUT_SHARED);
    const lg_buffers *ba = lg_env_buffers(a), *bb = lg_env_buffers(b);
    int32_t act[N];
    lg_stream rng = lg_stream_make(5, TEST_STREAM, 0);
    int active_checks = 0;
    for (int t = 0; t < 100; t++) {
        test_random_actions(a, &rng, act);
        for (int i = 0; i < N; i += 4) act[i] = 0; /* recommend the botted channel often */
        lg_env_step(a, act), lg_env_step(b, act);
        ck_assert(!memcmp(ba->reward, bb->reward, sizeof(float) * N));
        ck_assert(!memcmp(ba->info, bb->info, sizeof(lg_info) * N));
        lg_channel_state ca, cb;
        lg_env_channel(a, 0, &ca), lg_env_channel(b, 0, &cb);
        double elapsed = lg_env_clock(a) - base->start_minute;
        if (elapsed >= 30 && elapsed < 150) {
            ck_assert_double_eq_tol(cb.concurrency - ca.concurrency, 5000.0, 1.0);
            active_checks++;
        } else {
            ck_assert_float_eq(cb.concurrency, ca.concurrency);
        }
    }
    ck_assert_int_eq(active_checks, 24);
    lg_env_free(a), lg_env_free(b), free(base), free(bots);
}
END_TEST

START_TEST(test_new_channel_appears_at_its_time)
{
    lg_scenario *sc = scenario_with_always_on_channel0();
    sc->events[0] = (lg_event){.type = LG_EV_NEW_CHANNEL, .time = 100, .channel = 0, .category = -1, .segment = -1};
    sc->n_events = 1;
    lg_env *env = test_env(sc, 2, 1, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    int32_t act[2];
    lg_stream rng = lg_stream_make(5, TEST_STREAM, 0);
    while (lg_env_clock(env) < 100) {
        ck_assert_int_eq(b->mask[0], 0);
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
    }
    ck_assert_int_eq(b->mask[0], 1);
    ck_assert_int_eq(b->mask[b->n_actions], 1);
    lg_env_free(env), free(sc);
}
END_TEST

START_TEST(test_off_air_event_and_trend_shift)
{
    lg_scenario *sc = scenario_with_always_on_channel0();
    int cat = sc->channels[0].category;
    sc->events[0] = (lg_event){.type = LG_EV_OFF_AIR, .time = 100, .duration = 60, .channel = 0, .category = -1,
                               .segment = -1};
    sc->events[1] = (lg_event){.type = LG_EV_TREND, .time = 50, .duration = 100, .magnitude = 1.5f, .channel = -1,
                               .category = cat, .segment = -1};
    sc->n_events = 2;
    lg_env *env = test_env(sc, 2, 1, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    int32_t act[2];
    lg_stream rng = lg_stream_make(5, TEST_STREAM, 0);
    for (int t = 0; t < 60; t++) {
        double el = lg_env_clock(env) - sc->start_minute;
        lg_channel_state cs;
        lg_env_channel(env, 0, &cs);
        ck_assert_int_eq(b->mask[0], !(el >= 100 && el < 160));
        float shift = (el >= 50 && el < 150) ? 1.5f : 0.0f;
        ck_assert_float_eq_tol(cs.popularity_mean, sc->channels[0].base_popularity + shift, 1e-5);
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
    }
    lg_env_free(env), free(sc);
}
END_TEST

/* An interest shift toward a category raises that segment's expected reward
 * for the category's channels. */
START_TEST(test_interest_shift_moves_segment)
{
    lg_scenario *base = test_scenario();
    for (int c = 0; c < base->n_channels; c++) base->channels[c].always_on = 1;
    lg_scenario *shift = malloc(sizeof *shift);
    *shift = *base;
    const int seg = 1, cat = 2; /* gamers toward sports */
    shift->events[0] = (lg_event){.type = LG_EV_INTEREST_SHIFT, .time = 50, .magnitude = 0.8f, .channel = -1,
                                  .category = cat, .segment = seg};
    shift->n_events = 1;
    lg_env *a = test_env(base, N, 2, LG_LAYOUT_SHARED), *b = test_env(shift, N, 2, LG_LAYOUT_SHARED);
    int32_t act[N];
    lg_stream rng = lg_stream_make(5, TEST_STREAM, 0);
    step_until(a, 50, &rng, act);
    rng = lg_stream_make(5, TEST_STREAM, 0);
    step_until(b, 50, &rng, act);
    float *ea = malloc(sizeof(float) * 50), *eb = malloc(sizeof(float) * 50);
    double sa = 0, sb = 0;
    int n = 0;
    for (int i = 0; i < N; i++) {
        /* Slots whose current viewer is in the segment: the state id encodes it. */
        int s_of = lg_env_buffers(a)->state[i] / (4 * (base->n_categories + 1) * 3);
        if (s_of != seg) continue;
        lg_env_expected_reward(a, i, ea), lg_env_expected_reward(b, i, eb);
        for (int c = 0; c < base->n_channels; c++)
            if (base->channels[c].category == cat) sa += ea[c], sb += eb[c], n++;
    }
    ck_assert_int_gt(n, 0);
    ck_assert_msg(sb > 1.3 * sa, "expected reward for category %d: shifted %f, base %f", cat, sb / n, sa / n);
    free(ea), free(eb), lg_env_free(a), lg_env_free(b), free(base), free(shift);
}
END_TEST

/* --- slates: the choice models (docs/model.md "Slates") --- */

/* k distinct on-air channels (as many as there are) in random order for
 * every slot; the rest of the slate repeats the first (invalid). */
static void random_slates(const lg_buffers *b, lg_stream *rng, int32_t *act)
{
    const int A = b->n_actions, k = b->slate_size;
    for (int i = 0; i < b->n_slots; i++) {
        int32_t *s = &act[i * k], n = 0;
        for (int tries = 0; n < k && tries < 200; tries++) {
            int32_t c = (int32_t)lg_stream_below(rng, (uint32_t)A);
            int dup = !b->mask[i * A + c];
            for (int j = 0; j < n && !dup; j++) dup = s[j] == c;
            if (!dup) s[n++] = c;
        }
        for (int j = n; j < k; j++) s[j] = n ? s[0] : 0;
    }
}

/* Every model's ground truth (lg_env_expected_reward_slate) is the mean of
 * what its steps pay: over 64 slots x 600 steps the mean of reward minus
 * expected reward is within 4 standard errors of 0. And info.position
 * names the slate position of the item taken (its first occurrence), -1
 * exactly when nothing is. */
START_TEST(test_slate_ground_truth_is_what_steps_pay)
{
    const lg_slate_choice models[3] = {LG_SLATE_MNL, LG_SLATE_POSITION, LG_SLATE_CASCADE};
    const float decay[3] = {1.0f, 0.5f, 0.7f};
    for (int m = 0; m < 3; m++) {
        lg_scenario *sc = test_scenario();
        sc->slate_size = 3, sc->slate_choice = models[m], sc->position_decay = decay[m];
        lg_env *env = test_env(sc, 64, 21, LG_LAYOUT_FLAT);
        const lg_buffers *b = lg_env_buffers(env);
        int32_t act[64 * 3];
        double expect[64], sum = 0.0, sum2 = 0.0, n = 0.0;
        lg_stream rng = lg_stream_make(4, TEST_STREAM, 0);
        for (int t = 0; t < 600; t++) {
            random_slates(b, &rng, act);
            for (int i = 0; i < 64; i++) expect[i] = lg_env_expected_reward_slate(env, i, &act[i * 3]);
            lg_env_step(env, act);
            for (int i = 0; i < 64; i++) {
                double d = b->reward[i] - expect[i];
                sum += d, sum2 += d * d, n += 1.0;
                const lg_info *in = &b->info[i];
                int first = -1;
                for (int j = 2; j >= 0; j--)
                    if (in->watched >= 0 && act[i * 3 + j] == in->watched) first = j;
                ck_assert_int_eq(in->position, first);
                if (in->watched >= 0) ck_assert_int_ge(in->position, 0);
            }
        }
        double mean = sum / n, se = sqrt((sum2 / n - mean * mean) / n);
        ck_assert_msg(fabs(mean) <= 4.0 * se, "%s: reward - expected = %.4f, standard error %.4f",
                      lg_slate_choice_name(models[m]), mean, se);
        lg_env_free(env), free(sc);
    }
}
END_TEST

/* What each model says (lg_env_slate_choice_probs) is what its steps do:
 * over 64 slots x 1000 steps of random slates of 3, the takes at each
 * position are the summed probabilities within 5 standard deviations. And
 * the position factor is exact: at every state, the odds of the second
 * item against the first, times the same odds with the two swapped, is
 * position_decay^2 (1 for the plain logit); the cascade with decay 0 never
 * gives the second item a chance. */
START_TEST(test_slate_choice_probabilities)
{
    const lg_slate_choice models[4] = {LG_SLATE_MNL, LG_SLATE_POSITION, LG_SLATE_CASCADE, LG_SLATE_CASCADE};
    const float decay[4] = {1.0f, 0.5f, 0.7f, 0.0f};
    for (int m = 0; m < 4; m++) {
        lg_scenario *sc = test_scenario();
        sc->slate_size = 3, sc->slate_choice = models[m], sc->position_decay = decay[m];
        lg_env *env = test_env(sc, 64, 5, LG_LAYOUT_FLAT);
        const lg_buffers *b = lg_env_buffers(env);
        int32_t act[64 * 3];
        double p[4], q[4], taken[4] = {0}, said[4] = {0}, var[4] = {0};
        lg_stream rng = lg_stream_make(6, TEST_STREAM, 0);
        for (int t = 0; t < 1000; t++) {
            random_slates(b, &rng, act);
            for (int i = 0; i < 64; i++) {
                int32_t *s3 = &act[i * 3], sw[3] = {s3[1], s3[0], s3[2]};
                lg_env_slate_choice_probs(env, i, s3, p);
                double sum = p[0] + p[1] + p[2] + p[3];
                ck_assert_msg(fabs(sum - 1.0) < 1e-9, "%s: probabilities sum to %.12f", lg_slate_choice_name(models[m]), sum);
                if (models[m] != LG_SLATE_CASCADE && p[0] > 0 && p[1] > 0) {
                    lg_env_slate_choice_probs(env, i, sw, q);
                    double prod = (p[1] / p[0]) * (q[1] / q[0]), want = (double)decay[m] * decay[m];
                    ck_assert_msg(fabs(prod - want) < 1e-6 * want, "%s: odds product %.9f, expected %.9f",
                                  lg_slate_choice_name(models[m]), prod, want);
                }
                if (decay[m] == 0.0f && models[m] == LG_SLATE_CASCADE) ck_assert(p[1] == 0.0 && p[2] == 0.0);
                for (int j = 0; j < 4; j++) said[j] += p[j], var[j] += p[j] * (1.0 - p[j]);
            }
            lg_env_step(env, act);
            for (int i = 0; i < 64; i++) {
                int w = b->info[i].watched, j = 3;
                for (int k = 0; k < 3; k++)
                    if (w >= 0 && act[i * 3 + k] == w) j = k;
                taken[j] += 1.0;
            }
        }
        for (int j = 0; j < 4; j++)
            ck_assert_msg(fabs(taken[j] - said[j]) <= 5.0 * sqrt(var[j]) + 3.0,
                          "%s(%.1f): position %d taken %.0f times, probabilities say %.1f", lg_slate_choice_name(models[m]),
                          (double)decay[m], j, taken[j], said[j]);
        lg_env_free(env), free(sc);
    }
}
END_TEST

/* The position model with decay 1 is the plain logit, draw for draw. */
START_TEST(test_position_decay_one_is_the_logit)
{
    lg_scenario *a = test_scenario(), *p = test_scenario();
    a->slate_size = p->slate_size = 3;
    p->slate_choice = LG_SLATE_POSITION;
    lg_env *ea = test_env(a, 16, 8, LG_LAYOUT_FLAT), *ep = test_env(p, 16, 8, LG_LAYOUT_FLAT);
    int32_t act[48];
    lg_stream rng = lg_stream_make(2, TEST_STREAM, 0);
    for (int t = 0; t < 400; t++) {
        random_slates(lg_env_buffers(ea), &rng, act);
        lg_env_step(ea, act), lg_env_step(ep, act);
        ck_assert(!memcmp(lg_env_buffers(ea)->reward, lg_env_buffers(ep)->reward, 16 * sizeof(float)));
    }
    lg_env_free(ea), lg_env_free(ep), free(a), free(p);
}
END_TEST


int main(void)
{
    Suite *s = suite_create("env_model");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_off_air_never_watched);
    tcase_add_test(tc, test_spike_raises_concurrency);
    tcase_add_test(tc, test_herding_makes_popular_channels_chosen_more);
    tcase_add_test(tc, test_quality_lengthens_sessions);
    tcase_add_test(tc, test_fatigue_lowers_repeat_category_choice);
    tcase_add_test(tc, test_popularity_reverts_to_mean);
    tcase_add_test(tc, test_bot_wave_inflates_concurrency_not_watch_time);
    tcase_add_test(tc, test_new_channel_appears_at_its_time);
    tcase_add_test(tc, test_off_air_event_and_trend_shift);
    tcase_add_test(tc, test_interest_shift_moves_segment);
    tcase_add_test(tc, test_slate_ground_truth_is_what_steps_pay);
    tcase_add_test(tc, test_slate_choice_probabilities);
    tcase_add_test(tc, test_position_decay_one_is_the_logit);
    tcase_add_test(tc, test_popularity_off_air_follows_the_same_law);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
