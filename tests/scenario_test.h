/* Helpers of the scenario-file suites (test_scenario_json.c,
 * test_experiment.c). */
#ifndef SCENARIO_TEST_H
#define SCENARIO_TEST_H

#include <dirent.h>
#include <stddef.h>

#include "lg_scenario_json.h"
#include "lg_test.h"
#include "lgx_experiment.h"

#define SCENARIO_DIR LG_SOURCE_DIR "/scenarios"
#define BAD_DIR LG_SOURCE_DIR "/tests/scenarios/bad"

static inline lg_scenario *new_scenario(void)
{
    lg_scenario *sc = malloc(sizeof *sc);
    ck_assert_ptr_nonnull(sc);
    memset(sc, 0, sizeof *sc);
    return sc;
}

static inline lgx_experiment *new_experiment(void)
{
    lgx_experiment *ex = malloc(sizeof *ex);
    ck_assert_ptr_nonnull(ex);
    memset(ex, 0, sizeof *ex);
    return ex;
}

typedef struct {
    char **path;
    int n;
} file_list;

static inline int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* dir/NAME for every NAME ending in suffix, sorted. */
static inline file_list list_files(const char *dir, const char *suffix)
{
    file_list fl = {NULL, 0};
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open directory %s", dir);
    struct dirent *e;
    size_t sl = strlen(suffix);
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n <= sl || strcmp(e->d_name + n - sl, suffix) != 0) continue;
        fl.path = realloc(fl.path, sizeof *fl.path * (size_t)(fl.n + 1));
        ck_assert_ptr_nonnull(fl.path);
        size_t len = strlen(dir) + 1 + n + 1;
        fl.path[fl.n] = malloc(len);
        ck_assert_ptr_nonnull(fl.path[fl.n]);
        snprintf(fl.path[fl.n], len, "%s/%s", dir, e->d_name);
        fl.n++;
    }
    closedir(d);
    if (fl.n > 1) qsort(fl.path, (size_t)fl.n, sizeof *fl.path, cmp_str);
    return fl;
}

static inline void free_files(file_list *fl)
{
    for (int i = 0; i < fl->n; i++) free(fl->path[i]);
    free(fl->path);
}

/* The member of lg_scenario that holds byte offset off, for messages. */
static inline const char *scenario_member_at(size_t off)
{
#define M(f) {#f, offsetof(lg_scenario, f), sizeof(((lg_scenario *)0)->f)}
    static const struct {
        const char *name;
        size_t off, size;
    } members[] = {
        M(name), M(description), M(world_seed), M(n_categories), M(category_names), M(latent_dim),
        M(category_separation), M(channel_spread), M(n_channels), M(channels_generated), M(generator), M(channels), M(embedding_dim),
        M(modality_noise), M(popularity_reversion), M(popularity_volatility), M(popularity_feedback),
        M(audience_peak), M(audience_amplitude), M(audience_peak_hour), M(platform_tick), M(n_viewers), M(n_segments), M(segments),
        M(no_watch_utility), M(fatigue_gain), M(fatigue_half_life), M(fatigue_weight), M(interest_drift),
        M(engagement_bias), M(engagement_match), M(engagement_quality), M(gift_rate), M(follow_rate), M(max_follows),
        M(refund_max), M(refund_quality_floor), M(dt), M(slate_size), M(candidates), M(max_session_steps), M(start_minute),
        M(horizon_minutes), M(reward_watch), M(reward_gift), M(reward_follow), M(invalid_penalty), M(obs_mode),
        M(observe_segment), M(n_events), M(events), M(kind), M(bandit), M(cliff),
    };
#undef M
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        if (off >= members[i].off && off < members[i].off + members[i].size) return members[i].name;
    return "(padding)";
}

/* memcmp with a message naming the first member that differs. */
static inline void assert_same_scenario(const lg_scenario *a, const lg_scenario *b, const char *what)
{
    const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;
    for (size_t i = 0; i < sizeof *a; i++)
        if (pa[i] != pb[i])
            ck_abort_msg("%s: scenarios differ at byte %zu (member %s)", what, i, scenario_member_at(i));
}

static inline int load_str(const char *json, lg_scenario *sc, lgx_experiment *ex, char *err, size_t errsz)
{
    return lgx_load_string(json, strlen(json), "t.json", sc, ex, err, errsz);
}

/* Load must fail with a message containing want. */
static inline void expect_error(const char *json, const char *want)
{
    lg_scenario *sc = new_scenario();
    char err[2048] = "";
    int rc = load_str(json, sc, NULL, err, sizeof err);
    ck_assert_msg(rc == -1, "expected an error containing '%s' for %s", want, json);
    ck_assert_msg(strstr(err, want) != NULL, "message '%s' lacks '%s'", err, want);
    ck_assert_msg(strncmp(err, "t.json", 6) == 0, "message '%s' does not start with the source name", err);
    free(sc);
}

static inline void expect_ok(const char *json, lg_scenario *sc, lgx_experiment *ex)
{
    char err[2048] = "";
    int rc = load_str(json, sc, ex, err, sizeof err);
    ck_assert_msg(rc == 0, "load failed: %s", err);
}


#endif
