/* The env API contract: a C port of what Gymnasium's check_env checks, plus
 * the batched/auto-reset/layout specifics of lg_env. */
#include <math.h>
#include <stdio.h>

#include "lg_test.h"

#define SLOTS 16
#define STEPS 400

static int same_buffers(const lg_env *a, const lg_env *b)
{
    const lg_buffers *x = lg_env_buffers(a), *y = lg_env_buffers(b);
    size_t N = (size_t)x->n_slots;
    return !memcmp(x->obs, y->obs, sizeof(float) * N * (size_t)x->obs_dim) &&
           !memcmp(x->mask, y->mask, N * (size_t)x->n_actions) &&
           !memcmp(x->state, y->state, sizeof(int32_t) * N) && !memcmp(x->reward, y->reward, sizeof(float) * N) &&
           !memcmp(x->terminated, y->terminated, N) && !memcmp(x->truncated, y->truncated, N) &&
           !memcmp(x->info, y->info, sizeof(lg_info) * N);
}

START_TEST(test_reset_same_seed_identical)
{
    lg_scenario *sc = test_scenario();
    lg_env *a = test_env(sc, SLOTS, 7, LG_LAYOUT_FLAT);
    lg_env *b = test_env(sc, SLOTS, 99, LG_LAYOUT_FLAT);
    lg_env_reset(b, 7);
    ck_assert(same_buffers(a, b));
    /* Reset after play returns to the same start. */
    int32_t act[SLOTS];
    lg_stream rng = lg_stream_make(1, TEST_STREAM, 0);
    for (int t = 0; t < 50; t++) {
        test_random_actions(a, &rng, act);
        lg_env_step(a, act);
    }
    lg_env_reset(a, 7);
    ck_assert(same_buffers(a, b));
    ck_assert_double_eq(lg_env_clock(a), lg_env_clock(b));
    lg_env_free(a), lg_env_free(b), free(sc);
}
END_TEST

START_TEST(test_same_seed_same_actions_identical_steps)
{
    lg_scenario *sc = test_scenario();
    lg_env *a = test_env(sc, SLOTS, 3, LG_LAYOUT_FLAT);
    lg_env *b = test_env(sc, SLOTS, 3, LG_LAYOUT_FLAT);
    int32_t act[SLOTS];
    lg_stream rng = lg_stream_make(5, TEST_STREAM, 0);
    for (int t = 0; t < STEPS; t++) {
        test_random_actions(a, &rng, act);
        lg_env_step(a, act);
        lg_env_step(b, act);
        ck_assert_msg(same_buffers(a, b), "step %d differs", t);
    }
    lg_env_free(a), lg_env_free(b), free(sc);
}
END_TEST

START_TEST(test_different_seeds_differ)
{
    lg_scenario *sc = test_scenario();
    lg_env *a = test_env(sc, SLOTS, 1, LG_LAYOUT_FLAT);
    lg_env *b = test_env(sc, SLOTS, 2, LG_LAYOUT_FLAT);
    const lg_buffers *ba = lg_env_buffers(a), *bb = lg_env_buffers(b);
    int32_t act[SLOTS];
    lg_stream rng = lg_stream_make(5, TEST_STREAM, 0);
    double ra = 0, rb = 0;
    int obs_differ = 0;
    for (int t = 0; t < 100; t++) {
        test_random_actions(a, &rng, act);
        lg_env_step(a, act);
        lg_env_step(b, act);
        for (int i = 0; i < SLOTS; i++) ra += ba->reward[i], rb += bb->reward[i];
        obs_differ |= memcmp(ba->obs, bb->obs, sizeof(float) * SLOTS * (size_t)ba->obs_dim) != 0;
    }
    ck_assert(obs_differ);
    ck_assert(ra != rb);
    lg_env_free(a), lg_env_free(b), free(sc);
}
END_TEST

/* Every observation value lies inside its block's declared bounds, in every
 * observation mode; rewards are finite; flags are 0/1 and never both set. */
static void check_bounds_for_mode(lg_obs_mode mode)
{
    lg_scenario *sc = test_scenario();
    sc->obs_mode = mode;
    lg_env *env = test_env(sc, SLOTS, 11, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    const lg_obs_block *blocks;
    int nb = lg_env_obs_layout(env, &blocks);
    int32_t act[SLOTS];
    lg_stream rng = lg_stream_make(2, TEST_STREAM, 0);
    /* Check passes every assertion through a file, so the inner loop counts
     * violations and asserts once per step, keeping the first for the message. */
    char first[256] = "";
    for (int t = 0; t < STEPS; t++) {
        long bad = 0;
        for (int i = 0; i < SLOTS; i++) {
            const float *o = &b->obs[(size_t)i * b->obs_dim];
            for (int k = 0; k < nb; k++) {
                int rows = blocks[k].scope ? b->n_actions : 1;
                for (int r = 0; r < rows; r++) {
                    const float *base = blocks[k].scope ? o + b->slot_dim + r * b->channel_dim : o;
                    for (int j = 0; j < blocks[k].size; j++) {
                        float v = base[blocks[k].offset + j];
                        if (isfinite(v) && v >= blocks[k].low && v <= blocks[k].high) continue;
                        if (!bad++)
                            snprintf(first, sizeof first, "block %s row %d [%d] = %g outside [%g, %g]",
                                     blocks[k].name, r, j, (double)v, (double)blocks[k].low, (double)blocks[k].high);
                    }
                }
            }
            if (b->state[i] < 0 || b->state[i] >= b->n_states) bad++;
        }
        ck_assert_msg(bad == 0, "mode %s, step %d: %ld values out of bounds, first: %s", lg_obs_mode_name(mode), t,
                      bad, first);
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
        for (int i = 0; i < SLOTS; i++) {
            ck_assert(isfinite(b->reward[i]));
            ck_assert(b->terminated[i] == 0 || b->terminated[i] == 1);
            ck_assert(b->truncated[i] == 0 || b->truncated[i] == 1);
            ck_assert(!(b->terminated[i] && b->truncated[i]));
        }
    }
    lg_env_free(env), free(sc);
}

START_TEST(test_obs_within_bounds_vector) { check_bounds_for_mode(LG_OBS_VECTOR); }
END_TEST
START_TEST(test_obs_within_bounds_tabular) { check_bounds_for_mode(LG_OBS_TABULAR); }
END_TEST
START_TEST(test_obs_within_bounds_ideal) { check_bounds_for_mode(LG_OBS_IDEAL); }
END_TEST

START_TEST(test_layout_blocks_tile_the_observation)
{
    lg_scenario *sc = test_scenario();
    for (int mode = 0; mode < 3; mode++) {
        sc->obs_mode = (lg_obs_mode)mode;
        lg_env *env = test_env(sc, 1, 1, LG_LAYOUT_SHARED);
        const lg_buffers *b = lg_env_buffers(env);
        const lg_obs_block *blocks;
        int nb = lg_env_obs_layout(env, &blocks);
        int covered[2] = {0, 0};
        for (int k = 0; k < nb; k++) {
            ck_assert_int_eq(blocks[k].offset, covered[blocks[k].scope]); /* contiguous, in order */
            covered[blocks[k].scope] += blocks[k].size;
        }
        ck_assert_int_eq(covered[0], b->slot_dim);
        ck_assert_int_eq(covered[1], b->channel_dim);
        ck_assert_int_eq(b->obs_dim, b->slot_dim + b->n_actions * b->channel_dim);
        ck_assert_int_eq(b->n_actions, sc->n_channels);
        ck_assert_int_eq(b->n_states, sc->n_segments * 4 * (sc->n_categories + 1) * 3);
        ck_assert_ptr_null(b->obs);
        lg_env_free(env);
    }
    free(sc);
}
END_TEST

/* The mask is exactly the set of on-air channels, and matches the on_air column. */
START_TEST(test_mask_matches_on_air)
{
    lg_scenario *sc = test_scenario();
    lg_env *env = test_env(sc, 4, 5, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    int32_t act[4];
    lg_stream rng = lg_stream_make(3, TEST_STREAM, 0);
    int saw_on = 0, saw_off = 0;
    for (int t = 0; t < 600; t++) { /* two simulated days */
        for (int c = 0; c < b->n_actions; c++) {
            lg_channel_state cs;
            lg_env_channel(env, c, &cs);
            for (int i = 0; i < 4; i++) {
                ck_assert_int_eq(b->mask[i * b->n_actions + c], cs.on_air);
                ck_assert_float_eq(b->obs[(size_t)i * b->obs_dim + b->slot_dim + c * b->channel_dim], (float)cs.on_air);
            }
            saw_on |= cs.on_air, saw_off |= !cs.on_air;
        }
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
    }
    ck_assert(saw_on && saw_off);
    lg_env_free(env), free(sc);
}
END_TEST

/* SHARED and FLAT layouts simulate the same world; lg_env_obs_flat rebuilds the flat vector. */
START_TEST(test_shared_layout_matches_flat)
{
    lg_scenario *sc = test_scenario();
    lg_env *f = test_env(sc, SLOTS, 4, LG_LAYOUT_FLAT);
    lg_env *s = test_env(sc, SLOTS, 4, LG_LAYOUT_SHARED);
    const lg_buffers *bf = lg_env_buffers(f);
    float *tmp = malloc(sizeof(float) * (size_t)bf->obs_dim);
    int32_t act[SLOTS];
    lg_stream rng = lg_stream_make(8, TEST_STREAM, 0);
    for (int t = 0; t < 200; t++) {
        for (int i = 0; i < SLOTS; i++) {
            lg_env_obs_flat(s, i, tmp);
            ck_assert(!memcmp(tmp, &bf->obs[(size_t)i * bf->obs_dim], sizeof(float) * (size_t)bf->obs_dim));
        }
        test_random_actions(f, &rng, act);
        lg_env_step(f, act);
        lg_env_step(s, act);
        ck_assert(!memcmp(bf->reward, lg_env_buffers(s)->reward, sizeof(float) * SLOTS));
    }
    free(tmp), lg_env_free(f), lg_env_free(s), free(sc);
}
END_TEST

/* SAME_STEP auto-reset: the step that ends a session reports it, the obs is
 * already the next session's first, and final_obs holds the last one. */
START_TEST(test_auto_reset_same_step)
{
    lg_scenario *sc = test_scenario();
    sc->max_session_steps = 6; /* force truncations too */
    lg_env *env = test_env(sc, SLOTS, 9, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    const lg_obs_block *blocks;
    int nb = lg_env_obs_layout(env, &blocks);
    int prog = -1;
    for (int k = 0; k < nb; k++)
        if (!strcmp(blocks[k].name, "session_progress")) prog = blocks[k].offset;
    ck_assert_int_ge(prog, 0);
    int32_t act[SLOTS];
    int prev_step[SLOTS] = {0};
    int ended = 0, truncs = 0;
    lg_stream rng = lg_stream_make(4, TEST_STREAM, 0);
    for (int t = 0; t < 300; t++) {
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
        for (int i = 0; i < SLOTS; i++) {
            ck_assert_int_eq(b->info[i].session_step, prev_step[i] + 1);
            if (b->terminated[i] || b->truncated[i]) {
                ended++;
                truncs += b->truncated[i];
                if (b->truncated[i]) ck_assert_int_eq(b->info[i].session_step, 6);
                ck_assert_float_eq(b->obs[(size_t)i * b->obs_dim + prog], 0.0f);
                ck_assert_float_eq(b->final_obs[(size_t)i * b->obs_dim + prog], (float)b->info[i].session_step / 6.0f);
                ck_assert(!memcmp(&b->final_obs[(size_t)i * b->obs_dim], &b->final_slot_obs[(size_t)i * b->slot_dim],
                                  sizeof(float) * (size_t)b->slot_dim));
                prev_step[i] = 0;
            } else {
                prev_step[i] = b->info[i].session_step;
            }
        }
    }
    ck_assert_int_gt(ended, 100);
    ck_assert_int_gt(truncs, 0);
    lg_env_free(env), free(sc);
}
END_TEST

/* No viewer is ever in two slots at once. */
START_TEST(test_viewer_in_one_slot_at_a_time)
{
    lg_scenario *sc = test_scenario();
    sc->n_viewers = 40; /* crowded pool: 32 slots share 40 viewers */
    lg_env *env = test_env(sc, 32, 2, LG_LAYOUT_SHARED);
    const lg_buffers *b = lg_env_buffers(env);
    int32_t act[32];
    lg_stream rng = lg_stream_make(6, TEST_STREAM, 0);
    for (int t = 0; t < 300; t++) {
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
        for (int i = 0; i < 32; i++)
            for (int j = i + 1; j < 32; j++) ck_assert_int_ne(b->info[i].viewer, b->info[j].viewer);
    }
    lg_env_free(env), free(sc);
}
END_TEST

START_TEST(test_reset_slot)
{
    lg_scenario *sc = test_scenario();
    lg_env *a = test_env(sc, 4, 1, LG_LAYOUT_FLAT);
    lg_env *b = test_env(sc, 4, 1, LG_LAYOUT_FLAT);
    double clock = lg_env_clock(a);
    uint64_t s = 12345;
    lg_env_reset_slot(a, 2, &s);
    ck_assert_double_eq(lg_env_clock(a), clock);
    /* Other slots are untouched; slot 2 now runs a different session stream. */
    const lg_buffers *ba = lg_env_buffers(a), *bb = lg_env_buffers(b);
    ck_assert(!memcmp(ba->obs, bb->obs, sizeof(float) * 2 * (size_t)ba->obs_dim));
    int32_t act[4];
    lg_stream rng = lg_stream_make(6, TEST_STREAM, 0);
    int differ = 0;
    for (int t = 0; t < 60; t++) {
        test_random_actions(a, &rng, act);
        lg_env_step(a, act);
        lg_env_step(b, act);
        differ |= ba->info[2].viewer != bb->info[2].viewer || ba->reward[2] != bb->reward[2];
    }
    ck_assert(differ);
    lg_env_free(a), lg_env_free(b), free(sc);
}
END_TEST

/* The ground-truth expected reward agrees with realised rewards on average. */
START_TEST(test_expected_reward_matches_realised)
{
    lg_scenario *sc = test_scenario();
    sc->reward_gift = 2.0f;
    sc->reward_follow = 3.0f;
    lg_env *env = test_env(sc, SLOTS, 21, LG_LAYOUT_SHARED);
    const lg_buffers *b = lg_env_buffers(env);
    float *er = malloc(sizeof(float) * (size_t)b->n_actions);
    int32_t act[SLOTS];
    lg_stream rng = lg_stream_make(7, TEST_STREAM, 0);
    double expected = 0, realised = 0, var = 0;
    for (int t = 0; t < 3000; t++) {
        test_random_actions(env, &rng, act);
        for (int i = 0; i < SLOTS; i++) {
            lg_env_expected_reward(env, i, er);
            expected += er[act[i]];
        }
        lg_env_step(env, act);
        for (int i = 0; i < SLOTS; i++) {
            realised += b->reward[i];
            var += b->reward[i] * b->reward[i];
        }
    }
    double n = 3000.0 * SLOTS;
    double sd_mean = sqrt(var / n - (realised / n) * (realised / n)) / sqrt(n);
    ck_assert_msg(fabs(realised / n - expected / n) < 4 * sd_mean, "realised %f expected %f (sd %f)", realised / n,
                  expected / n, sd_mean);
    free(er), lg_env_free(env), free(sc);
}
END_TEST

START_TEST(test_invalid_actions_counted_and_penalised)
{
    lg_scenario *sc = test_scenario();
    sc->invalid_penalty = 2.5f;
    lg_env *env = test_env(sc, 3, 1, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    int off = -1;
    for (int c = 0; c < b->n_actions && off < 0; c++)
        if (!b->mask[c]) off = c;
    ck_assert_int_ge(off, 0);
    int32_t act[3] = {-1, (int32_t)b->n_actions, off};
    lg_env_step(env, act);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(b->info[i].invalid, 1);
        ck_assert_int_eq(b->info[i].watched, -1);
        ck_assert_float_eq(b->info[i].watch_minutes, 0.0f);
        ck_assert_float_eq(b->reward[i], -2.5f);
    }
    lg_env_free(env), free(sc);
}
END_TEST

START_TEST(test_slate_actions)
{
    lg_scenario *sc = test_scenario();
    sc->slate_size = 3;
    lg_env *env = test_env(sc, 8, 1, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    ck_assert_int_eq(b->slate_size, 3);
    int32_t act[24];
    lg_stream rng = lg_stream_make(1, TEST_STREAM, 0);
    int watched_pos[3] = {0, 0, 0};
    for (int t = 0; t < 500; t++) {
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
        for (int i = 0; i < 8; i++) {
            ck_assert_int_eq(b->info[i].invalid, 0);
            for (int j = 0; j < 3; j++) watched_pos[j] += b->info[i].watched == act[i * 3 + j];
            ck_assert(b->info[i].watched < 0 || b->info[i].watched == act[i * 3] ||
                      b->info[i].watched == act[i * 3 + 1] || b->info[i].watched == act[i * 3 + 2]);
        }
    }
    ck_assert(watched_pos[0] > 100 && watched_pos[1] > 100 && watched_pos[2] > 100);
    /* A duplicated item counts as invalid. */
    int on = 0;
    while (!b->mask[on]) on++;
    for (int i = 0; i < 8; i++) act[i * 3] = act[i * 3 + 1] = act[i * 3 + 2] = on;
    lg_env_step(env, act);
    for (int i = 0; i < 8; i++) ck_assert_int_eq(b->info[i].invalid, 2);
    lg_env_free(env), free(sc);
}
END_TEST

START_TEST(test_create_rejects_bad_arguments)
{
    lg_scenario *sc = test_scenario();
    char err[512];
    lg_env *env = (lg_env *)sc; /* must be overwritten with NULL */
    ck_assert_int_ne(lg_env_create(sc, 0, 1, LG_LAYOUT_FLAT, &env, err, sizeof err), 0);
    ck_assert_ptr_null(env);
    ck_assert_msg(strstr(err, "slots") && strstr(err, "found 0"), "%s", err);
    ck_assert_int_ne(lg_env_create(sc, sc->n_viewers + 1, 1, LG_LAYOUT_FLAT, &env, err, sizeof err), 0);
    sc->segments[2].herding = NAN;
    ck_assert_int_ne(lg_env_create(sc, 4, 1, LG_LAYOUT_FLAT, &env, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "population.segments[2].herding") && strstr(err, "nan"), "%s", err);
    lg_scenario_default(sc);
    sc->events[0] = (lg_event){.type = LG_EV_SPIKE, .time = 10, .channel = 50, .magnitude = 1};
    sc->n_events = 1;
    ck_assert_int_ne(lg_env_create(sc, 4, 1, LG_LAYOUT_FLAT, &env, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "events[0].channel") && strstr(err, "found 50"), "%s", err);
    free(sc);
}
END_TEST

/* Follows persist with the viewer and show in the follows block: within a
 * session each step's block is the last one with at most the watched
 * channel turned to 1 (every channel, the bytes expanded a table row at a
 * time and the tail one by one: 29 channels, one word; 139, three words and
 * a tail of 3). */
static const int follows_channels[] = {29, 139};
START_TEST(test_follows_visible)
{
    const int want_c = follows_channels[_i];
    lg_scenario *sc = test_scenario();
    sc->follow_rate = 1.0f;
    sc->n_events = 0;
    if (want_c <= sc->n_channels) sc->n_channels = want_c;
    else test_generate(sc, want_c);
    lg_env *env = test_env(sc, 4, 3, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    const lg_obs_block *blocks;
    int nb = lg_env_obs_layout(env, &blocks), fo = -1;
    for (int k = 0; k < nb; k++)
        if (!strcmp(blocks[k].name, "follows")) fo = blocks[k].offset;
    int32_t act[4];
    lg_stream rng = lg_stream_make(2, TEST_STREAM, 0);
    int seen = 0, C = b->n_actions;
    ck_assert_int_eq(C, want_c);
    float prev[4][139];
    for (int i = 0; i < 4; i++) memcpy(prev[i], b->obs + (size_t)i * b->obs_dim + fo, sizeof(float) * (size_t)C);
    for (int t = 0; t < 200; t++) {
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
        for (int i = 0; i < 4; i++) {
            const float *f = b->obs + (size_t)i * b->obs_dim + fo;
            if (!b->terminated[i] && !b->truncated[i]) {
                for (int c = 0; c < C; c++) {
                    float want = c == b->info[i].watched && b->info[i].follows ? 1.0f : prev[i][c];
                    ck_assert_msg(f[c] == want, "step %d slot %d channel %d: %g, expected %g", t, i, c, f[c], want);
                }
                seen += b->info[i].follows;
            }
            for (int c = 0; c < C; c++) ck_assert(f[c] == 0.0f || f[c] == 1.0f);
            memcpy(prev[i], f, sizeof(float) * (size_t)C);
        }
    }
    ck_assert_int_gt(seen, 10);
    lg_env_free(env), free(sc);
}
END_TEST

/* A world of more channels than a scenario lists (a generated catalogue)
 * runs like any other: the env's channels are the scenario's, and every
 * step's watched channel and observation stay in range. */
START_TEST(test_generated_world_runs)
{
    lg_scenario *sc = test_scenario();
    test_generate(sc, 3000);
    ck_assert(sc->channels_generated);
    sc->n_viewers = 2000;
    sc->n_events = 0;
    lg_env *env = test_env(sc, 16, 5, LG_LAYOUT_SHARED);
    const lg_buffers *b = lg_env_buffers(env);
    ck_assert_int_eq(b->n_actions, 3000);
    int32_t act[16];
    lg_stream rng = lg_stream_make(4, TEST_STREAM, 0);
    int watched = 0;
    for (int t = 0; t < 100; t++) {
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
        for (int i = 0; i < 16; i++) {
            ck_assert(b->info[i].watched >= -1 && b->info[i].watched < 3000);
            watched += b->info[i].watched >= 0;
        }
    }
    ck_assert_int_gt(watched, 100);
    for (int c = 0; c < 3000; c += 7) {
        lg_channel_spec spec;
        lg_channel_state cs;
        lg_scenario_channel(sc, c, &spec);
        lg_env_channel(env, c, &cs);
        ck_assert_float_eq(cs.popularity_mean, spec.base_popularity); /* no trend events */
        const float *row = &b->channel_obs[(size_t)c * b->channel_dim];
        ck_assert_float_eq(row[2 + spec.category], 1.0f); /* on_air, concurrency, then the category one-hot */
    }
    lg_env_free(env), free(sc);
}
END_TEST

/* population.max_follows caps each viewer's follows: with a cap of 2 no
 * viewer follows more, in the info or in the follows block, and fewer
 * follows are made than without it; with 0, none, and the follow share of
 * the expected reward is gone. */
static int follows_made(int cap, float *expected_follow_part)
{
    lg_scenario *sc = test_scenario();
    sc->follow_rate = 1.0f;
    sc->max_follows = cap;
    sc->n_viewers = 40; /* few viewers: each comes back often */
    sc->n_events = 0;
    lg_env *env = test_env(sc, 4, 3, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    const lg_obs_block *blocks;
    int nb = lg_env_obs_layout(env, &blocks), fo = -1;
    for (int k = 0; k < nb; k++)
        if (!strcmp(blocks[k].name, "follows")) fo = blocks[k].offset;
    int per_viewer[40] = {0}, total = 0;
    int32_t act[4];
    lg_stream rng = lg_stream_make(2, TEST_STREAM, 0);
    for (int t = 0; t < 600; t++) {
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
        for (int i = 0; i < 4; i++) {
            per_viewer[b->info[i].viewer] += b->info[i].follows;
            total += b->info[i].follows;
            ck_assert_int_le(per_viewer[b->info[i].viewer], cap);
            float sum = 0;
            for (int c = 0; c < b->n_actions; c++) sum += b->obs[(size_t)i * b->obs_dim + fo + c];
            ck_assert_float_le(sum, (float)cap);
        }
    }
    float with[64], without[64];
    sc->reward_follow = 1.0f;
    lg_env_free(env);
    env = test_env(sc, 4, 3, LG_LAYOUT_FLAT);
    lg_env_expected_reward(env, 0, with);
    sc->reward_follow = 0.0f;
    lg_env_free(env);
    env = test_env(sc, 4, 3, LG_LAYOUT_FLAT);
    lg_env_expected_reward(env, 0, without);
    *expected_follow_part = 0;
    for (int c = 0; c < sc->n_channels; c++) *expected_follow_part += with[c] - without[c];
    lg_env_free(env), free(sc);
    return total;
}

START_TEST(test_follow_cap)
{
    float part16, part2, part0;
    int free16 = follows_made(16, &part16), capped = follows_made(2, &part2), none = follows_made(0, &part0);
    ck_assert_int_gt(free16, capped);
    ck_assert_int_gt(capped, 0);
    ck_assert_int_eq(none, 0);
    ck_assert_float_gt(part16, 0.0f);
    ck_assert_float_eq(part0, 0.0f);
}
END_TEST

/* A world larger than the machine is refused before anything is allocated,
 * with its size in the message (the world asked for needs over 400 GB). */
START_TEST(test_world_too_large_refused)
{
    lg_scenario *sc = test_scenario();
    sc->n_viewers = LG_MAX_VIEWERS;
    sc->latent_dim = LG_MAX_DIM;
    sc->max_follows = LG_MAX_FOLLOWS; /* over 400 GB: more than any machine this runs on */
    char err[512] = "";
    lg_env *env = NULL;
    ck_assert_int_ne(lg_env_create(sc, 4, 1, LG_LAYOUT_FLAT, &env, err, sizeof err), 0);
    ck_assert_ptr_null(env);
    ck_assert_msg(strstr(err, "the world needs") && strstr(err, "100000000 viewers; this machine has"), "%s", err);
    free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("env_api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_reset_same_seed_identical);
    tcase_add_test(tc, test_same_seed_same_actions_identical_steps);
    tcase_add_test(tc, test_different_seeds_differ);
    tcase_add_test(tc, test_obs_within_bounds_vector);
    tcase_add_test(tc, test_obs_within_bounds_tabular);
    tcase_add_test(tc, test_obs_within_bounds_ideal);
    tcase_add_test(tc, test_layout_blocks_tile_the_observation);
    tcase_add_test(tc, test_mask_matches_on_air);
    tcase_add_test(tc, test_shared_layout_matches_flat);
    tcase_add_test(tc, test_auto_reset_same_step);
    tcase_add_test(tc, test_viewer_in_one_slot_at_a_time);
    tcase_add_test(tc, test_reset_slot);
    tcase_add_test(tc, test_expected_reward_matches_realised);
    tcase_add_test(tc, test_invalid_actions_counted_and_penalised);
    tcase_add_test(tc, test_slate_actions);
    tcase_add_test(tc, test_create_rejects_bad_arguments);
    tcase_add_loop_test(tc, test_follows_visible, 0, 2);
    tcase_add_test(tc, test_generated_world_runs);
    tcase_add_test(tc, test_follow_cap);
    tcase_add_test(tc, test_world_too_large_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
