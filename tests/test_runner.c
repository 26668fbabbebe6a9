/* The experiment runner: statistics against hand-computed values, results
 * identical for any thread count, interruption leaves a folder marked
 * partial, and resuming it gives the uninterrupted results. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lg_checksum.h"
#include "lg_test.h"
#include "lgx_results.h"
#include "lgx_run.h"
#include "lgx_stats.h"

/* The Gini of exposure (lgx_exposure_of): by a sort for counts, the bits
 * of the double loop over pairs it replaced; a hand-computed value. */
static double gini_by_pairs(const double *x, int n)
{
    double total = 0.0, diff = 0.0;
    for (int i = 0; i < n; i++) total += x[i];
    if (total <= 0) return 0.0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) diff += fabs(x[i] - x[j]);
    return diff / (2.0 * n * total);
}

START_TEST(test_gini_sorted_same_bits)
{
    double x[4] = {0, 4, 0, 0}, cov, g;
    lgx_exposure_of(x, 4, &cov, &g);
    ck_assert_double_eq(g, 0.75); /* 3 zeros and a 4: 3 x 2 x 4 / (2 x 4 x 4) */
    ck_assert_double_eq(cov, 0.25);
    enum { N = 3000 };
    static double y[N];
    uint64_t state = 7;
    const int sizes[] = {1, 2, 3, 17, 500, N};
    for (int t = 0; t < 6 * 4; t++) {
        int n = sizes[t % 6];
        for (int i = 0; i < n; i++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            y[i] = (double)((state >> 33) % (t < 6 ? 3 : t < 12 ? 1000 : 2000000)); /* counts, many ties at first */
            if (t >= 18) y[i] += 0.1 * (i % 3); /* not counts: the double loop */
        }
        lgx_exposure_of(y, n, &cov, &g);
        double want = gini_by_pairs(y, n);
        ck_assert_msg(!memcmp(&g, &want, sizeof g), "n %d, case %d: %a, by pairs %a", n, t, g, want);
    }
}
END_TEST

START_TEST(test_stats_hand_computed)
{
    double x[5] = {1, 2, 3, 4, 5};
    lgx_stat s = lgx_stat_of(x, 5);
    ck_assert_double_eq_tol(s.mean, 3.0, 1e-12);
    ck_assert_double_eq_tol(s.sd, sqrt(2.5), 1e-12);                     /* sum of squares 10 over 4 */
    ck_assert_double_eq_tol(s.ci95, 2.776445 * sqrt(2.5) / sqrt(5.0), 1e-6); /* t(0.975, 4) = 2.776445 */
    double a[3] = {10, 12, 14}, b[3] = {9, 10, 14};
    lgx_stat d = lgx_stat_paired(a, b, 3); /* differences 1, 2, 0 */
    ck_assert_double_eq_tol(d.mean, 1.0, 1e-12);
    ck_assert_double_eq_tol(d.ci95, 4.302653 * 1.0 / sqrt(3.0), 1e-6);
    lgx_stat one = lgx_stat_of(x, 1);
    ck_assert(isnan(one.ci95));
    ck_assert_double_eq_tol(lgx_t95(1), 12.706205, 1e-6);
    ck_assert_double_eq_tol(lgx_t95(30), 2.042272, 1e-6);
    ck_assert_double_eq_tol(lgx_t95(60), 2.000298, 1e-5);  /* tables: 2.000298 */
    ck_assert_double_eq_tol(lgx_t95(120), 1.979930, 1e-5); /* tables: 1.979930 */
}
END_TEST

/* Every file but timing.json and command.txt is byte-identical in a and b. */
static void assert_same_results(const char *a, const char *b, const char *const *files)
{
    for (int i = 0; files[i]; i++) {
        char pa[512], pb[512];
        snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
        size_t na, nb;
        char *x = test_slurp(pa, &na), *y = test_slurp(pb, &nb);
        ck_assert_msg(x && y, "missing %s or %s", pa, pb);
        ck_assert_msg(na == nb && !memcmp(x, y, na), "%s and %s differ", pa, pb);
        free(x), free(y);
    }
}

static volatile sig_atomic_t no_stop;

static lg_scenario *small_world(void)
{
    lg_scenario *sc = test_scenario();
    sc->n_viewers = 2000;
    return sc;
}

static void config(lgx_run_config *cfg, const lg_scenario *sc, const char *out, int threads)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->sc = sc;
    lgx_experiment_default(&cfg->ex);
    const char *names[4] = {"random", "epsilon-greedy", "ucb1", "q-learning"};
    cfg->ex.n_agents = 4;
    for (int a = 0; a < 4; a++) {
        snprintf(cfg->ex.agents[a].name, LG_NAME_LEN, "%s", names[a]);
        snprintf(cfg->ex.agents[a].label, LG_NAME_LEN, "%s", names[a]);
        snprintf(cfg->ex.agents[a].params, sizeof cfg->ex.agents[a].params, "{}");
    }
    cfg->ex.seeds = 3;
    cfg->ex.train_steps = 3000;
    cfg->ex.eval_every = 1000;
    cfg->ex.eval_sessions = 40;
    cfg->ex.slots = 8;
    cfg->threads = threads;
    cfg->out_dir = out;
    cfg->command = "test";
    cfg->stop = &no_stop;
}

static const char *const result_files[] = {
    "curves.csv", "summary.json", "status.json", "scenario.json", "runs/random/seed-1.json",
    "runs/q-learning/seed-3.json", "runs/ucb1/seed-2.json", NULL};

static void run_ok(lgx_run_config *cfg)
{
    lgx_run_result res;
    char err[1024];
    int rc = lgx_run(cfg, &res, err, sizeof err);
    ck_assert_msg(rc == 0, "run failed (%d): %s", rc, err);
    ck_assert_int_eq(res.jobs_done, res.jobs_total);
    lgx_run_result_free(&res);
}

static void status_is(const char *dir, const char *status)
{
    char p[512];
    size_t n;
    snprintf(p, sizeof p, "%s/status.json", dir);
    char *text = test_slurp(p, &n);
    ck_assert_ptr_nonnull(text);
    char want[64];
    snprintf(want, sizeof want, "\"status\":\t\"%s\"", status);
    ck_assert_msg(strstr(text, want), "%s: %s", p, text);
    free(text);
}

START_TEST(test_threads_give_identical_results)
{
    lg_scenario *sc = small_world();
    lgx_run_config c1, c2;
    char d1[256], d2[256];
    snprintf(d1, sizeof d1, "%s/test_runner_t1", LG_BINARY_DIR);
    snprintf(d2, sizeof d2, "%s/test_runner_t2", LG_BINARY_DIR);
    config(&c1, sc, d1, 1);
    config(&c2, sc, d2, 2);
    run_ok(&c1);
    run_ok(&c2);
    assert_same_results(d1, d2, result_files);
    status_is(d1, "complete");
    free(sc);
}
END_TEST

/* Labels that differ only in bytes a folder name cannot hold ("a x=1",
 * "a_x_1") keep their own runs/ folders: each job's file is its own. */
START_TEST(test_labels_keep_their_folders)
{
    lg_scenario *sc = small_world();
    lgx_run_config c;
    char d[256];
    snprintf(d, sizeof d, "%s/test_runner_labels", LG_BINARY_DIR);
    config(&c, sc, d, 2);
    c.ex.n_agents = 2;
    c.ex.seeds = 1;
    snprintf(c.ex.agents[0].name, LG_NAME_LEN, "epsilon-greedy");
    snprintf(c.ex.agents[1].name, LG_NAME_LEN, "random");
    snprintf(c.ex.agents[0].label, LGX_AGENT_LABEL_LEN, "a x=1");
    snprintf(c.ex.agents[1].label, LGX_AGENT_LABEL_LEN, "a_x_1");
    snprintf(c.ex.baseline, LGX_AGENT_LABEL_LEN, "a_x_1");
    run_ok(&c);
    char p0[512], p1[512];
    lgx_results_job_path(&c, 0, 1, p0, sizeof p0, 0);
    lgx_results_job_path(&c, 1, 1, p1, sizeof p1, 0);
    ck_assert_str_ne(p0, p1);
    size_t n0, n1;
    char *t0 = test_slurp(p0, &n0), *t1 = test_slurp(p1, &n1);
    ck_assert_ptr_nonnull(t0);
    ck_assert_ptr_nonnull(t1);
    ck_assert_ptr_nonnull(strstr(t0, "\"agent\":\t\"a x=1\""));
    ck_assert_ptr_nonnull(strstr(t1, "\"agent\":\t\"a_x_1\""));
    snprintf(p0, sizeof p0, "%s/runs/a_x_1/seed-1.json", d); /* a safe label keeps its plain name */
    ck_assert_ptr_nonnull(strstr(p1, p0) ? p1 : NULL);
    free(t0), free(t1), free(sc);
}
END_TEST

/* A world whose two envs per running job cannot fit is refused before any
 * work or file, naming what it needs (over 400 GB an env: any machine). */
START_TEST(test_world_too_large_for_the_run)
{
    lg_scenario *sc = small_world();
    sc->n_viewers = LG_MAX_VIEWERS;
    sc->latent_dim = LG_MAX_DIM;
    sc->max_follows = LG_MAX_FOLLOWS;
    lgx_run_config c;
    char dir[256], err[1024] = "";
    snprintf(dir, sizeof dir, "%s/test_runner_too_large", LG_BINARY_DIR);
    config(&c, sc, dir, 2);
    lgx_run_result res;
    ck_assert_int_eq(lgx_run(&c, &res, err, sizeof err), -2);
    ck_assert_msg(strstr(err, "GB per env and each running job holds two") && strstr(err, "use a smaller world"), "%s",
                  err);
    char p[512];
    snprintf(p, sizeof p, "%s/status.json", dir);
    ck_assert_int_ne(access(p, F_OK), 0);
    lgx_run_result_free(&res);
    free(sc);
}
END_TEST

static void *stop_soon(void *arg)
{
    struct timespec ts = {0, 150 * 1000 * 1000};
    nanosleep(&ts, NULL);
    *(volatile sig_atomic_t *)arg = 1;
    return NULL;
}

/* Interrupt (before anything ran, and mid-run), check the partial marking,
 * resume, and compare with an uninterrupted run. */
START_TEST(test_interrupt_then_resume_equals_uninterrupted)
{
    lg_scenario *sc = small_world();
    char full[256], cut[256], early[256];
    snprintf(full, sizeof full, "%s/test_runner_full", LG_BINARY_DIR);
    snprintf(cut, sizeof cut, "%s/test_runner_cut", LG_BINARY_DIR);
    snprintf(early, sizeof early, "%s/test_runner_early", LG_BINARY_DIR);
    lgx_run_config c;
    config(&c, sc, full, 2);
    run_ok(&c);

    const char *dirs[2] = {early, cut};
    for (int k = 0; k < 2; k++) {
        volatile sig_atomic_t stop = k == 0; /* early: stopped before the first job */
        config(&c, sc, dirs[k], 2);
        c.stop = &stop;
        pthread_t th;
        if (k == 1) pthread_create(&th, NULL, stop_soon, (void *)&stop);
        lgx_run_result res;
        char err[1024];
        int rc = lgx_run(&c, &res, err, sizeof err);
        if (k == 1) pthread_join(th, NULL);
        ck_assert_msg(rc == 1 || (k == 1 && rc == 0), "rc %d: %s", rc, err);
        if (rc == 1) {
            ck_assert_int_lt(res.jobs_done, res.jobs_total);
            status_is(dirs[k], "partial");
        }
        if (k == 0) ck_assert_int_eq(res.jobs_done, 0);
        lgx_run_result_free(&res);

        /* Resume from the folder's own scenario.json, as `livegym run --resume` does. */
        lg_scenario *sc2 = malloc(sizeof *sc2);
        lgx_run_config r;
        config(&r, sc, dirs[k], 2);
        char path[512];
        snprintf(path, sizeof path, "%s/scenario.json", dirs[k]);
        ck_assert_int_eq(lgx_load_file(path, sc2, &r.ex, err, sizeof err), 0);
        r.sc = sc2;
        r.resume = 1;
        run_ok(&r);
        status_is(dirs[k], "complete");
        assert_same_results(full, dirs[k], result_files);
        free(sc2);
    }
    free(sc);
}
END_TEST

typedef struct {
    const char *dir;
    volatile sig_atomic_t *stop;
    int saw;
} watcher;

/* Stop the run as soon as a mid-run checkpoint exists. */
static void *stop_at_checkpoint(void *arg)
{
    watcher *w = arg;
    char path[512];
    snprintf(path, sizeof path, "%s/runs/linucb/seed-1.ckpt", w->dir);
    for (int i = 0; i < 20000 && !w->saw; i++) {
        struct stat st;
        if (stat(path, &st) == 0) w->saw = 1, *w->stop = 1;
        struct timespec ts = {0, 500 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void keep_note(void *ctx, const char *line)
{
    size_t len = strlen(ctx);
    snprintf((char *)ctx + len, 2048 - len, "%s\n", line);
}

/* Finished runs whose files were damaged or forged (a step of 1e300 that
 * once became a long, a flipped timeline byte) are said, run again, and the
 * folder ends as an untouched one. */
START_TEST(test_resume_refuses_forged_job_files)
{
    lg_scenario *sc = small_world();
    char d[256], d2[300], cmd[1000], p1[400], p2[400];
    snprintf(d, sizeof d, "%s/test_runner_forged", LG_BINARY_DIR);
    snprintf(d2, sizeof d2, "%s_copy", d);
    lgx_run_config c;
    config(&c, sc, d, 2);
    run_ok(&c);
    snprintf(cmd, sizeof cmd, "rm -rf %s && cp -r %s %s", d2, d, d2);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(p1, sizeof p1, "%s/runs/random/seed-1.json", d2);
    snprintf(p2, sizeof p2, "%s/runs/ucb1/seed-2.timeline", d2);
    size_t n;
    char *js = test_slurp(p1, &n), *at = strstr(js, "\"step\":\t0");
    ck_assert_ptr_nonnull(at);
    char *forged = malloc(n + 16);
    snprintf(forged, n + 16, "%.*s\"step\":\t1e300%s", (int)(at - js), js, at + strlen("\"step\":\t0"));
    test_write_bytes(p1, (const unsigned char *)forged, strlen(forged));
    unsigned char *tl = (unsigned char *)test_slurp(p2, &n);
    tl[n / 2] ^= 1;
    test_write_bytes(p2, tl, n);
    free(js), free(forged), free(tl);
    lgx_run_config r = c;
    char note[2048] = "";
    r.out_dir = d2, r.resume = 1, r.on_note = keep_note, r.note_ctx = note;
    run_ok(&r);
    ck_assert_msg(strstr(note, p1) && strstr(note, "curve[0].step: expected 0"), "%s", note);
    ck_assert_msg(strstr(note, p2) && strstr(note, "checksum mismatch"), "%s", note);
    assert_same_results(d, d2, result_files);
    free(sc);
}
END_TEST

/* A job stopped between evaluations continues from its checkpoint (agent and
 * training env restored) and ends exactly where an uninterrupted run does. */
START_TEST(test_resume_continues_from_checkpoint)
{
    lg_scenario *sc = small_world();
    char full[256], cut[256];
    snprintf(full, sizeof full, "%s/test_runner_ck_full", LG_BINARY_DIR);
    snprintf(cut, sizeof cut, "%s/test_runner_ck_cut", LG_BINARY_DIR);
    lgx_run_config c;
    config(&c, sc, full, 1);
    snprintf(c.ex.agents[1].name, LG_NAME_LEN, "linucb");
    snprintf(c.ex.agents[1].label, LG_NAME_LEN, "linucb");
    c.ex.n_agents = 2;
    c.ex.seeds = 1;
    c.ex.train_steps = 24000;
    c.ex.eval_every = 2000;
    run_ok(&c);

    volatile sig_atomic_t stop = 0;
    lgx_run_config r = c;
    r.out_dir = cut;
    r.stop = &stop;
    watcher w = {cut, &stop, 0};
    pthread_t th;
    pthread_create(&th, NULL, stop_at_checkpoint, &w);
    lgx_run_result res;
    char err[1024];
    int rc = lgx_run(&r, &res, err, sizeof err);
    pthread_join(th, NULL);
    lgx_run_result_free(&res);
    ck_assert_msg(w.saw && rc == 1, "the run was not stopped at a checkpoint (rc %d, saw %d)", rc, w.saw);
    status_is(cut, "partial");
    char ck[512];
    snprintf(ck, sizeof ck, "%s/runs/linucb/seed-1.ckpt", cut);
    struct stat st;
    ck_assert_msg(stat(ck, &st) == 0, "no checkpoint left to resume from");

    /* Two damaged copies: a flipped byte (the checksum sees it) and a NaN
     * clock in the env state with the checksum made valid again (only the
     * checks after it see it). Each resumes from the beginning, says so in
     * one line naming the file, and ends where the uninterrupted run does. */
    static const char *const files[] = {"curves.csv", "summary.json", "runs/linucb/seed-1.json", NULL};
    for (int damage = 0; damage < 2; damage++) {
        char copy[300], cmd[1600], path[600];
        snprintf(copy, sizeof copy, "%s_damaged%d", cut, damage);
        snprintf(cmd, sizeof cmd, "rm -rf %s && cp -r %s %s", copy, cut, copy);
        ck_assert_int_eq(system(cmd), 0);
        snprintf(path, sizeof path, "%s/runs/linucb/seed-1.ckpt", copy);
        size_t n;
        unsigned char *b = (unsigned char *)test_slurp(path, &n);
        if (damage == 0) {
            b[n / 2] ^= 0x40;
        } else {
            int32_t p;
            memcpy(&p, b + 12, 4);
            size_t env_at = 24 + 8 + sizeof(lgx_eval_point) * (size_t)(p + 1) + 8;
            double nan = NAN;
            memcpy(b + env_at + 24, &nan, 8);
            uint64_t h = lg_fnv1a64(LG_FNV1A64_INIT, b, n - 8);
            memcpy(b + n - 8, &h, 8);
        }
        test_write_bytes(path, b, n);
        free(b);
        lgx_run_config rd = r;
        rd.out_dir = copy, rd.resume = 1, rd.stop = &no_stop;
        char note[2048] = "";
        rd.on_note = keep_note, rd.note_ctx = note;
        run_ok(&rd);
        ck_assert_msg(strstr(note, path) && strstr(note, damage ? "clock" : "checksum mismatch") &&
                          strstr(note, "linucb seed 1 starts again from the beginning"),
                      "note: %s", note);
        assert_same_results(full, copy, files);
    }

    stop = 0;
    r.resume = 1;
    run_ok(&r);
    ck_assert_msg(stat(ck, &st) != 0, "checkpoint not removed after the job finished");
    assert_same_results(full, cut, files);
    free(sc);
}
END_TEST

/* The bandit testbed runs the online protocol and writes per-step curves. */
START_TEST(test_online_protocol_bandit)
{
    lg_scenario *sc = test_scenario();
    sc->kind = LG_KIND_BANDIT;
    sc->bandit.steps = 200;
    lgx_run_config c;
    char dir[256];
    snprintf(dir, sizeof dir, "%s/test_runner_bandit", LG_BINARY_DIR);
    config(&c, sc, dir, 2);
    c.ex.n_agents = 2; /* random, epsilon-greedy */
    c.ex.seeds = 50;
    lgx_run_result res;
    char err[1024];
    ck_assert_int_eq(lgx_run(&c, &res, err, sizeof err), 0);
    ck_assert_int_eq(res.online[0].length, 200);
    ck_assert_int_eq(res.online[1].runs, 50);
    /* epsilon-greedy picks the optimal arm far more often than random's 10% by the end */
    double opt_rand = 0, opt_eg = 0;
    for (int i = 150; i < 200; i++) opt_rand += res.online[0].optimal[i], opt_eg += res.online[1].optimal[i];
    ck_assert_msg(opt_eg > 3 * opt_rand, "optimal picks: eg %f random %f", opt_eg, opt_rand);
    lgx_run_result_free(&res);
    char p[512];
    size_t n;
    snprintf(p, sizeof p, "%s/curves.csv", dir);
    char *csv = test_slurp(p, &n);
    ck_assert_ptr_nonnull(csv);
    ck_assert(!strncmp(csv, "agent,step,avg_reward,pct_optimal\nrandom,1,", 43));
    free(csv), free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("runner");
    TCase *tc = tcase_create("runner");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_stats_hand_computed);
    tcase_add_test(tc, test_gini_sorted_same_bits);
    tcase_add_test(tc, test_threads_give_identical_results);
    tcase_add_test(tc, test_world_too_large_for_the_run);
    tcase_add_test(tc, test_labels_keep_their_folders);
    tcase_add_test(tc, test_interrupt_then_resume_equals_uninterrupted);
    tcase_add_test(tc, test_online_protocol_bandit);
    tcase_add_test(tc, test_resume_continues_from_checkpoint);
    tcase_add_test(tc, test_resume_refuses_forged_job_files);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
