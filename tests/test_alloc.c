/* The step loop never allocates. The build links this test with
 * -Wl,--wrap=malloc,calloc,realloc, so every allocation our code makes goes
 * through the counters below. */
#include <stdio.h>

#include "lg_test.h"
#include "lga_agent.h"

static long n_allocs;
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n)
{
    n_allocs++;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t m)
{
    n_allocs++;
    return __real_calloc(n, m);
}
void *__wrap_realloc(void *p, size_t n)
{
    n_allocs++;
    return __real_realloc(p, n);
}

static void run_without_allocating(lg_layout layout, lg_obs_mode mode, int slate)
{
    lg_scenario *sc = test_scenario();
    sc->obs_mode = mode;
    sc->slate_size = slate;
    sc->events[0] = (lg_event){.type = LG_EV_INTEREST_SHIFT, .time = 100, .magnitude = 0.5f, .channel = -1,
                               .category = 1, .segment = 0};
    sc->events[1] = (lg_event){.type = LG_EV_BOT_WAVE, .time = 200, .duration = 50, .magnitude = 100, .channel = 3,
                               .category = -1, .segment = -1};
    sc->n_events = 2;
    long before = n_allocs;
    lg_env *env = test_env(sc, 16, 1, layout);
    ck_assert_int_gt(n_allocs, before); /* the counter sees our allocations */
    const lg_buffers *b = lg_env_buffers(env);
    lga_obs_batch obs;
    lga_batch_from_env(env, &obs);
    char err[256];
    lga_agent *agents[3];
    const char *names[3] = {"random", "popular", "oracle"};
    for (int a = 0; a < 3; a++) {
        agents[a] = lga_create(names[a], "{}", &obs, 1, err, sizeof err);
        ck_assert_msg(agents[a] != NULL, "%s", err);
    }
    int32_t *act = malloc(sizeof(int32_t) * 16 * (size_t)slate);
    float *scratch = malloc(sizeof(float) * (size_t)b->obs_dim);
    uint64_t seed = 77;

    before = n_allocs;
    for (int t = 0; t < 2000; t++) { /* 7 simulated days: schedules, events, many session ends */
        agents[t % 3]->type->act(agents[t % 3], &obs, 1, act);
        lg_env_step(env, act);
        lg_env_expected_reward(env, t % 16, scratch);
        lg_env_obs_flat(env, t % 16, scratch);
        if (t % 100 == 0) lg_env_reset_slot(env, t % 16, t % 200 ? NULL : &seed);
    }
    lg_env_reset(env, 5);
    ck_assert_int_eq(n_allocs - before, 0);

    for (int a = 0; a < 3; a++) lga_free(agents[a]);
    free(act), free(scratch), lg_env_free(env), free(sc);
}

START_TEST(test_no_allocation_flat_vector) { run_without_allocating(LG_LAYOUT_FLAT, LG_OBS_VECTOR, 1); }
END_TEST
START_TEST(test_no_allocation_shared_ideal_slate) { run_without_allocating(LG_LAYOUT_SHARED, LG_OBS_IDEAL, 3); }
END_TEST
START_TEST(test_no_allocation_tabular) { run_without_allocating(LG_LAYOUT_SHARED, LG_OBS_TABULAR, 1); }
END_TEST

int main(void)
{
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("no_alloc_in_step");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_no_allocation_flat_vector);
    tcase_add_test(tc, test_no_allocation_shared_ideal_slate);
    tcase_add_test(tc, test_no_allocation_tabular);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
