/* Helpers shared by the Check test files. */
#ifndef LG_TEST_H
#define LG_TEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_env.h"
#include "lg_file.h"
#include "lg_rng.h"

/* The tests' own random streams (random actions, inputs): the agents'
 * purpose value, so that no world stream is ever reused. */
#define TEST_STREAM 9

static inline lg_scenario *test_scenario(void)
{
    lg_scenario *sc = malloc(sizeof *sc);
    ck_assert_ptr_nonnull(sc);
    lg_scenario_default(sc);
    return sc;
}

/* sc's channels replaced by `count` of the default generator. */
static inline void test_generate(lg_scenario *sc, int count)
{
    lg_channel_generator g;
    lg_channel_generator_default(&g);
    g.count = count;
    char err[256];
    ck_assert_msg(lg_generate_channels(sc, &g, err, sizeof err) == 0, "%s", err);
}

static inline lg_env *test_env(const lg_scenario *sc, int slots, uint64_t seed, lg_layout layout)
{
    char err[512] = "";
    lg_env *env = NULL;
    int rc = lg_env_create(sc, slots, seed, layout, &env, err, sizeof err);
    ck_assert_msg(rc == 0, "lg_env_create failed: %s", err);
    return env;
}

/* Uniformly random on-air channels for every slot (distinct within a slate). */
static inline void test_random_actions(const lg_env *env, lg_stream *rng, int32_t *actions)
{
    const lg_buffers *b = lg_env_buffers(env);
    for (int i = 0; i < b->n_slots; i++) {
        const uint8_t *mask = &b->mask[(size_t)i * b->n_actions];
        int n_on = 0;
        for (int c = 0; c < b->n_actions; c++) n_on += mask[c];
        for (int j = 0; j < b->slate_size; j++) {
            int32_t pick = 0;
            for (int tries = 0; tries < 1000; tries++) {
                pick = (int32_t)lg_stream_below(rng, (uint32_t)b->n_actions);
                int dup = 0;
                for (int p = 0; p < j; p++) dup |= actions[i * b->slate_size + p] == pick;
                if ((mask[pick] || n_on == 0) && !dup) break;
            }
            actions[i * b->slate_size + j] = pick;
        }
    }
}

/* The whole file at path (NUL-terminated; *len, if given, its size). */
static inline char *test_slurp(const char *path, size_t *len)
{
    static char err[512];
    char *out[1] = {NULL};
    size_t n = 0;
    int rc = lg_read_file(path, (size_t)1 << 28, out, &n, err, sizeof err);
    ck_assert_msg(rc == 0, "%s", err);
    if (len) *len = n;
    return out[0];
}

/* Write n bytes to path (for damaged-file corpora built in the test). */
static inline void test_write_bytes(const char *path, const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(p, 1, n, f), n);
    fclose(f);
}

static inline void test_fill(int32_t *actions, int n, int32_t c)
{
    for (int i = 0; i < n; i++) actions[i] = c;
}

static inline int test_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
