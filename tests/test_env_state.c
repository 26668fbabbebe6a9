/* Env state files are hostile until checked (lg_env_state_load): a state
 * saved from any shipped world at any moment loads back exactly; a forged
 * one (the fields the step code indexes with, NaNs, another world's static
 * part) is refused with a line naming the field, and the env is left as it
 * was. Offsets come from the env's own layout (env_internal.h). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>

#include "env_internal.h"
#include "lg_scenario_json.h"
#include "lg_test.h"

#define HEADER 64 /* magic, block size, seed, clock, steps, two marks, warnings */

static void run_random(lg_env *env, int steps, uint64_t seed)
{
    lg_stream rng = lg_stream_make(seed, 99, 0);
    const lg_buffers *b = lg_env_buffers(env);
    int32_t *act = malloc(sizeof(int32_t) * (size_t)b->n_slots * (size_t)b->slate_size);
    for (int t = 0; t < steps; t++) {
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
    }
    free(act);
}

static unsigned char *save(const lg_env *env, size_t *n)
{
    *n = lg_env_state_size(env);
    unsigned char *buf = malloc(*n);
    ck_assert_uint_eq(lg_env_state_save(env, buf, *n), *n);
    return buf;
}

/* Every shipped world, saved at several moments, loads into a fresh env
 * and saves back the same bytes; both then step alike. */
START_TEST(test_saved_states_load_back)
{
    DIR *d = opendir(LG_SOURCE_DIR "/scenarios");
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json")) continue;
        char path[600], err[1024];
        snprintf(path, sizeof path, "%s/scenarios/%s", LG_SOURCE_DIR, e->d_name);
        lg_scenario *sc = malloc(sizeof *sc);
        ck_assert_msg(lg_scenario_load_file(path, sc, err, sizeof err) == 0, "%s", err);
        lg_env *a = test_env(sc, 8, 11, LG_LAYOUT_FLAT), *b = test_env(sc, 8, 12, LG_LAYOUT_FLAT);
        static const int at[] = {0, 1, 150, 900};
        for (int k = 0; k < 4; k++) {
            run_random(a, k ? at[k] - at[k - 1] : 0, (uint64_t)k);
            size_t n, n2;
            unsigned char *s1 = save(a, &n);
            ck_assert_msg(lg_env_state_load(b, s1, n, err, sizeof err) == 0, "%s at step %d: %s", e->d_name, at[k], err);
            unsigned char *s2 = save(b, &n2);
            ck_assert_msg(n == n2 && !memcmp(s1, s2, n), "%s at step %d: the state changed in a round trip",
                          e->d_name, at[k]);
            free(s1), free(s2);
        }
        run_random(a, 50, 7), run_random(b, 50, 7);
        size_t n, n2;
        unsigned char *s1 = save(a, &n), *s2 = save(b, &n2);
        ck_assert_msg(!memcmp(s1, s2, n), "%s: the loaded env stepped differently", e->d_name);
        free(s1), free(s2);
        lg_env_free(a), lg_env_free(b), free(sc);
        files++;
    }
    closedir(d);
    ck_assert_int_ge(files, 13);
}
END_TEST

typedef struct {
    const char *what;
    size_t at;          /* byte offset in the state file */
    unsigned char bytes[8];
    size_t n;
    const char *expect; /* in the message */
} forgery;

static forgery f32_at(const char *what, size_t at, float v, const char *expect)
{
    forgery f = {what, at, {0}, 4, expect};
    memcpy(f.bytes, &v, 4);
    return f;
}

static forgery i32_at(const char *what, size_t at, int32_t v, const char *expect)
{
    forgery f = {what, at, {0}, 4, expect};
    memcpy(f.bytes, &v, 4);
    return f;
}

static forgery f64_at(const char *what, size_t at, double v, const char *expect)
{
    forgery f = {what, at, {0}, 8, expect};
    memcpy(f.bytes, &v, 8);
    return f;
}

static forgery i64_at(const char *what, size_t at, int64_t v, const char *expect)
{
    forgery f = {what, at, {0}, 8, expect};
    memcpy(f.bytes, &v, 8);
    return f;
}

static size_t off(const lg_env *env, const void *p) { return HEADER + (size_t)((const char *)p - (const char *)env->block); }

/* Each forgery of the good state is refused with its message, and leaves
 * the env as it was. */
static void check_forgeries(lg_env *env, const unsigned char *good, size_t n, const forgery *cases, size_t n_cases)
{
    char err[512];
    for (size_t i = 0; i < n_cases; i++) {
        unsigned char *bad = malloc(n);
        memcpy(bad, good, n);
        memcpy(bad + cases[i].at, cases[i].bytes, cases[i].n);
        ck_assert_msg(lg_env_state_load(env, bad, n, err, sizeof err) != 0, "%s: loaded", cases[i].what);
        ck_assert_msg(strstr(err, cases[i].expect), "%s: %s", cases[i].what, err);
        size_t n2;
        unsigned char *now = save(env, &n2);
        ck_assert_msg(n2 == n && !memcmp(now, good, n), "%s: the env changed", cases[i].what);
        free(now), free(bad);
    }
}

/* Forged fields of the live world are refused by name; the env is left
 * exactly as it was. */
START_TEST(test_forged_live_state_refused)
{
    lg_scenario *sc = test_scenario();
    lg_env *env = test_env(sc, 8, 3, LG_LAYOUT_FLAT);
    run_random(env, 300, 1);
    size_t n;
    unsigned char *good = save(env, &n);
    const lg_live *L = &env->live;
    int free_viewer = 0, follower = 0;
    while (L->busy[free_viewer]) free_viewer++;
    while (follower < L->U && L->n_follows[follower] == 0) follower++;
    ck_assert_int_lt(follower, L->U);
    const uint16_t too_many = (uint16_t)(L->F + 1);
    int on = 0, off_air = 0;
    while (!L->on_air[on]) on++;
    while (L->on_air[off_air]) off_air++;
    ck_assert_int_lt(off_air, env->C);
    char on_field[96], off_field[96];
    snprintf(on_field, sizeof on_field, "popularity_step[%d]: expected a step from the last platform tick", on);
    snprintf(off_field, sizeof off_field, "popularity_step[%d]: expected a step from 0", off_air);
    forgery cases[] = {
        i64_at("an on-air channel's popularity behind", off(env, &L->x_step[on]), env->steps - 3, on_field),
        i64_at("an off-air channel's popularity ahead", off(env, &L->x_step[off_air]), env->steps + 1, off_field),
        i64_at("a negative popularity step", off(env, &L->x_step[off_air]), -1, off_field),
        f32_at("a crowd off air", off(env, &L->log1p_conc[off_air]), 5.0f, "0 for a channel off air"),
        f64_at("a window that ended", off(env, &L->win_end[on]), env->clock - 1.0, "window_end"),
        f64_at("a window that starts later", off(env, &L->win_start[on]), env->clock + 1.0, "window_start"),
        f64_at("a window's start NaN", off(env, &L->win_start[on]), NAN, "window_start"),
        f64_at("a window off air", off(env, &L->win_end[off_air]), 5.0, "0 for a channel off air"),
        f32_at("log-popularity NaN", off(env, &L->x[3]), NAN, "log_popularity[3]: expected a finite number"),
        f32_at("negative bots", off(env, &L->bots[0]), -5, "bots[0]"),
        i32_at("viewer past the pool", off(env, &env->slot[2].viewer), L->U + 5, "slot.viewer[2]: expected a viewer of the pool"),
        i32_at("two slots, one viewer", off(env, &env->slot[1].viewer), env->slot[0].viewer, "slot.viewer"),
        i32_at("category past the last", off(env, &env->slot[0].last_category), L->K, "slot.last_category[0]"),
        {"a flag of 7", off(env, &L->on_air[4]), {7}, 1, "on_air[4]: expected 0 or 1"},
        {"a free viewer marked busy", off(env, &L->busy[free_viewer]), {1}, 1, "busy"},
        f32_at("another world", off(env, &L->v[0]), 123.0f, "the static world"),
        i32_at("watched past the channels", off(env, &env->buf.info[0].watched), env->C, "info[0]"),
        f64_at("clock NaN", 24, NAN, "clock and steps"),
        {"event position past the end", 40, {0xff, 0xff, 0, 0, 0, 0, 0, 0}, 8, "event position"},
        {"more follows than the list holds", off(env, &L->n_follows[3]), {too_many & 0xff, too_many >> 8}, 2,
         "n_follows[3]: expected at most population.max_follows"},
        i32_at("a follow past the channels", off(env, &L->follows[(size_t)follower * L->F]), env->C,
               "expected channels in ascending order, each once"),
    };
    check_forgeries(env, good, n, cases, sizeof cases / sizeof cases[0]);
    free(good);
    lg_env_free(env), free(sc);
}
END_TEST

/* A loaded clock of -0 after +0: the time of day's features are made
 * again for it (they are cached per clock, and sin keeps the sign of 0). */
START_TEST(test_loaded_negative_zero_clock)
{
    lg_scenario *sc = test_scenario();
    sc->start_minute = 0.0;
    lg_env *env = test_env(sc, 4, 3, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    const float *tod = &b->obs[env->live.off_tod];
    ck_assert(!signbit(tod[0]) && tod[0] == 0.0f); /* slot 0 at clock +0 */
    size_t n;
    unsigned char *state = save(env, &n);
    const double minus_zero = -0.0;
    memcpy(state + 24, &minus_zero, sizeof minus_zero); /* the header's clock */
    char err[512];
    ck_assert_msg(lg_env_state_load(env, state, n, err, sizeof err) == 0, "%s", err);
    ck_assert(signbit(lg_env_clock(env)));
    ck_assert_msg(signbit(tod[0]) && tod[0] == 0.0f, "time of day %a at a clock of -0", (double)tod[0]);
    free(state);
    lg_env_free(env), free(sc);
}
END_TEST

/* lg_env_bytes is what lg_env_create allocates (the block, with the slack
 * that aligns it, and the catalogue), without allocating it; 0 for a shape
 * it would refuse. */
START_TEST(test_env_bytes)
{
    lg_scenario *sc = test_scenario();
    for (int A = 0; A <= 10; A += 10) {
        sc->candidates = A;
        lg_env *env = test_env(sc, 8, 3, LG_LAYOUT_FLAT);
        ck_assert_uint_eq(lg_env_bytes(sc, 8, LG_LAYOUT_FLAT),
                          env->alloc_bytes + (env->alloc_bytes >= ((size_t)8 << 20) ? (size_t)2 << 20 : 64) +
                              (size_t)env->C * (sizeof(lg_channel_spec) + 1));
        ck_assert_uint_lt(env->block_bytes, env->alloc_bytes); /* scratch after the state */
        lg_env_free(env);
    }
    ck_assert_uint_eq(lg_env_bytes(sc, 8, LG_LAYOUT_SHARED), 0); /* a candidate stage has no shared layout */
    sc->candidates = 0;
    ck_assert_uint_eq(lg_env_bytes(sc, 0, LG_LAYOUT_FLAT), 0);
    ck_assert_uint_lt(lg_env_bytes(sc, 8, LG_LAYOUT_FLAT), lg_env_bytes(sc, 9, LG_LAYOUT_FLAT));
    ck_assert_uint_gt(lg_machine_bytes(), (size_t)1 << 28);
    free(sc);
}
END_TEST

/* Between platform ticks a step reads the candidate stage's ranked lists
 * from the state: forged ones are refused by name (at a tick they are
 * ranked again, so not read). */
START_TEST(test_forged_ranking_refused)
{
    lg_scenario *sc = test_scenario();
    sc->candidates = 12;
    sc->platform_tick = 5;
    lg_env *env = test_env(sc, 8, 3, LG_LAYOUT_FLAT);
    run_random(env, 7, 1); /* two steps past a tick */
    size_t n;
    unsigned char *good = save(env, &n);
    const lg_live *L = &env->live;
    const int A = env->A;
    ck_assert_int_gt(L->n_top[L->K], 1);
    int other = 0; /* a channel of another category than category 0's list */
    while (env->channels[other].category == 0) other++;
    int k0 = 0;
    while (L->n_top[k0] == 0) k0++;
    const int32_t first = L->top_all[0];
    const int kb = env->channels[first].category; /* its best channel heads the platform's list */
    ck_assert_int_ge(L->n_top[kb], 2);
    int32_t swapped[2] = {L->top_cat[(size_t)kb * A + 1], L->top_cat[(size_t)kb * A]};
    forgery out_of_order = {"a category's list out of the merged order", off(env, &L->top_cat[(size_t)kb * A]), {0}, 8,
                            "ranked_platform_wide[0]: expected the next channel of its category's list"};
    memcpy(out_of_order.bytes, swapped, 8);
    forgery cases[] = {
        out_of_order,
        i32_at("a list longer than the candidates", off(env, &L->n_top[0]), A + 1, "ranked_count[0]"),
        i32_at("a channel past the catalogue", off(env, &L->top_all[0]), env->C, "ranked_platform_wide[0]"),
        i32_at("a channel twice", off(env, &L->top_all[1]), first, "ranked_platform_wide[1]"),
        i32_at("another category's channel", off(env, &L->top_cat[(size_t)k0 * A]),
               env->channels[other].category == k0 ? -1 : other, "ranked_in_category[0]"),
    };
    check_forgeries(env, good, n, cases, sizeof cases / sizeof cases[0]);
    char err[512];
    ck_assert_msg(lg_env_state_load(env, good, n, err, sizeof err) == 0, "%s", err);
    free(good);
    lg_env_free(env), free(sc);
}
END_TEST

/* The classic envs: true values and positions. */
START_TEST(test_forged_classic_state_refused)
{
    lg_scenario *sc = test_scenario();
    char err[512];
    sc->kind = LG_KIND_BANDIT;
    lg_env *env = test_env(sc, 2, 3, LG_LAYOUT_FLAT);
    size_t n;
    unsigned char *s = save(env, &n);
    float nan = NAN;
    memcpy(s + off(env, &env->classic.q_star[1]), &nan, 4);
    ck_assert_int_ne(lg_env_state_load(env, s, n, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "q_star[1]"), "%s", err);
    free(s), lg_env_free(env);
    sc->kind = LG_KIND_CLIFF;
    env = test_env(sc, 2, 3, LG_LAYOUT_FLAT);
    s = save(env, &n);
    int32_t far = 1000000;
    memcpy(s + off(env, &env->classic.pos[1]), &far, 4);
    ck_assert_int_ne(lg_env_state_load(env, s, n, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "position[1]"), "%s", err);
    free(s), lg_env_free(env), free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("env_state");
    TCase *tc = tcase_create("env_state");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_saved_states_load_back);
    tcase_add_test(tc, test_forged_live_state_refused);
    tcase_add_test(tc, test_forged_classic_state_refused);
    tcase_add_test(tc, test_forged_ranking_refused);
    tcase_add_test(tc, test_env_bytes);
    tcase_add_test(tc, test_loaded_negative_zero_clock);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
