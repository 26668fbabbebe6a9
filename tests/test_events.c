/* Scripted events reach the results: each shipped scenario that relies on
 * events gives different results without them, in the direction its
 * description states; the event windows measure what happened during them;
 * and claims are checked by the run (a false one fails --check-claims). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lg_test.h"
#include "lga_agent.h"
#include "lgx_claims.h"
#include "lgx_events.h"
#include "lgx_results.h"

static volatile sig_atomic_t no_stop;

typedef struct {
    lg_scenario sc;
    lgx_run_config cfg;
    lgx_run_result res;
} run;

/* FILE's experiment, with only `agents` and `seeds` seeds, at the file's
 * own budget; its events deleted when `drop_events`. No results folder. */
static run *run_file(const char *name, const char *agents, int seeds, int drop_events)
{
    run *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    char path[512], err[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", LG_SOURCE_DIR, name);
    ck_assert_msg(lgx_load_file(path, &r->sc, &r->cfg.ex, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(lgx_select_agents(&r->cfg.ex, agents, LGX_MAX_AGENTS, &r->cfg.ex, err, sizeof err) == 0, "%s", err);
    r->cfg.ex.seeds = seeds;
    if (drop_events) r->sc.n_events = 0;
    r->cfg.sc = &r->sc;
    r->cfg.threads = 2;
    r->cfg.command = "test";
    r->cfg.stop = &no_stop;
    ck_assert_msg(lgx_run(&r->cfg, &r->res, err, sizeof err) == 0, "%s: %s", name, err);
    ck_assert_int_eq(r->res.jobs_done, r->res.jobs_total);
    return r;
}

static void run_free(run *r)
{
    lgx_run_result_free(&r->res);
    free(r);
}

static int label_index(const run *r, const char *label)
{
    for (int a = 0; a < r->cfg.ex.n_agents; a++)
        if (!strcmp(r->cfg.ex.agents[a].label, label)) return a;
    ck_abort_msg("no agent %s", label);
    return -1;
}

/* Figure i of agent `label` in phase ph of every event of `type`. */
static lgx_stat phase_stat(const run *r, const char *label, int type, lgx_phase ph, int i)
{
    uint8_t which[LG_MAX_EVENTS] = {0};
    for (int e = 0; e < r->sc.n_events; e++) which[e] = (int)r->sc.events[e].type == type;
    return lgx_event_stat(&r->cfg, &r->res, label_index(r, label), which, ph, i);
}

static double final_mean(const run *r, const char *label, int m)
{
    return lgx_results_stat(&r->res, label_index(r, label), m).mean;
}

/* Bots: popular herds onto the inflated channels during every wave, and the
 * bot farm in force at the end costs it return in the final evaluation. */
START_TEST(test_bots_events_matter)
{
    run *with = run_file("bots.json", "popular", 2, 0), *without = run_file("bots.json", "popular", 2, 1);
    lgx_stat during = phase_stat(with, "popular", LG_EV_BOT_WAVE, LGX_DURING, LGX_E_TARGET_SHARE);
    lgx_stat before = phase_stat(with, "popular", LG_EV_BOT_WAVE, LGX_BEFORE, LGX_E_TARGET_SHARE);
    ck_assert_msg(during.n == 2 && during.mean > before.mean + 0.3, "target share during %.3f, before %.3f",
                  during.mean, before.mean);
    double r_with = final_mean(with, "popular", LGX_M_RETURN), r_without = final_mean(without, "popular", LGX_M_RETURN);
    ck_assert_msg(r_with < r_without - 2.0, "popular's final return %.2f with bots, %.2f without", r_with, r_without);
    run_free(with), run_free(without);
}
END_TEST

/* Figure i of run r's agent a in phase ph of the events `which` marks, with
 * the event windows of `sc` (r's own scenario, or the file's when r ran
 * without its events). */
static lgx_stat stat_in(const run *r, const lg_scenario *sc, int a, const uint8_t *which, lgx_phase ph, int i)
{
    lgx_run_config cfg = r->cfg;
    cfg.sc = sc;
    return lgx_event_stat(&cfg, &r->res, a, which, ph, i);
}

/* Drift: the music trend (events[2]) pulls popular, which reads live
 * crowds, onto music; without the events it stays where it was. */
START_TEST(test_drift_events_matter)
{
    run *with = run_file("drift.json", "popular", 2, 0), *without = run_file("drift.json", "popular", 2, 1);
    uint8_t trend[LG_MAX_EVENTS] = {0};
    ck_assert_int_eq(with->sc.events[2].type, LG_EV_TREND);
    trend[2] = 1;
    lgx_stat w = stat_in(with, &with->sc, 0, trend, LGX_DURING, LGX_E_TARGET_SHARE);
    lgx_stat wo = stat_in(without, &with->sc, 0, trend, LGX_DURING, LGX_E_TARGET_SHARE);
    ck_assert_msg(w.n == 2 && w.mean > wo.mean + 0.2, "popular's music share during the trend: %.3f with, %.3f without",
                  w.mean, wo.mean);
    run_free(with), run_free(without);
}
END_TEST

/* Cold start: before its launch a new channel is never recommended (it
 * does not exist); without the launch events the same channels are, from
 * the start. After launch they are recommended and watched while agents
 * learn, and in the greedy evaluation on the world at the end. */
START_TEST(test_cold_start_events_matter)
{
    run *with = run_file("cold-start.json", "random,ucb1", 2, 0), *without = run_file("cold-start.json", "random", 2, 1);
    uint8_t launches[LG_MAX_EVENTS] = {0};
    for (int e = 0; e < with->sc.n_events; e++) launches[e] = with->sc.events[e].type == LG_EV_NEW_CHANNEL;
    lgx_stat b_with = stat_in(with, &with->sc, 0, launches, LGX_BEFORE, LGX_E_TARGET_SHARE);
    lgx_stat b_without = stat_in(without, &with->sc, 0, launches, LGX_BEFORE, LGX_E_TARGET_SHARE);
    ck_assert_msg(b_with.n == 2 && b_with.mean == 0.0, "random recommended newcomers before launch: %.4f", b_with.mean);
    ck_assert_msg(b_without.mean > 0.02, "without launch events, random's share before the launch times %.4f",
                  b_without.mean);
    lgx_stat d = stat_in(with, &with->sc, 1, launches, LGX_DURING, LGX_E_TARGET_SHARE);
    lgx_stat w = stat_in(with, &with->sc, 1, launches, LGX_DURING, LGX_E_TARGET_WATCH);
    ck_assert_msg(d.mean > 0.05 && w.mean > 0.0, "ucb1 after launches: share %.4f, watch %.4f", d.mean, w.mean);

    /* The greedy evaluation at the end of ucb1's training, by hand. */
    const lg_scenario *sc = &with->sc;
    const lgx_experiment *ex = &with->cfg.ex;
    lg_env *world, *eval;
    char err[512];
    ck_assert_int_eq(lg_env_create(sc, ex->slots, 1, LG_LAYOUT_FLAT, &world, err, sizeof err), 0);
    ck_assert_int_eq(lg_env_create(sc, ex->slots, LGX_EVAL_SEED_BASE + 1, LG_LAYOUT_FLAT, &eval, err, sizeof err), 0);
    lga_obs_batch shape;
    lga_batch_from_env(world, &shape);
    lga_agent *ucb = lga_create("ucb1", "{}", &shape, 1, err, sizeof err);
    ck_assert_ptr_nonnull(ucb);
    lgx_loop lt, le;
    ck_assert_int_eq(lgx_loop_init(&lt, world) || lgx_loop_init(&le, eval) || lgx_loop_enable_relevance(&le, eval), 0);
    lgx_train(&lt, ucb, world, ex->train_steps, NULL);
    lgx_tally t = {0};
    ck_assert_int_eq(
        lgx_evaluate_at(&le, ucb, world, eval, LGX_EVAL_SEED_BASE + 1, ex->eval_sessions, &t, err, sizeof err), 0);
    double shown = 0, watched = 0;
    for (int e = 0; e < sc->n_events; e++)
        if (launches[e]) shown += le.shown[sc->events[e].channel], watched += le.watched[sc->events[e].channel];
    ck_assert_msg(shown > 0 && watched > 0, "newcomers in the final evaluation: %g recs, %g minutes", shown, watched);
    lgx_loop_free(&lt), lgx_loop_free(&le);
    lga_free(ucb);
    lg_env_free(world), lg_env_free(eval);
    run_free(with), run_free(without);
}
END_TEST

/* Run the livegym binary with `args`; its exit status, stderr in `errout`. */
static int livegym(const char *args, char *errout, size_t n)
{
    char cmd[1024], path[512];
    snprintf(path, sizeof path, "%s/test_events.stderr", LG_BINARY_DIR);
    snprintf(cmd, sizeof cmd, "%s/livegym %s >/dev/null 2>%s", LG_BINARY_DIR, args, path);
    int st = system(cmd);
    ck_assert_msg(st != -1 && WIFEXITED(st), "%s did not run", cmd);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t got = fread(errout, 1, n - 1, f);
    errout[got] = 0;
    fclose(f);
    return WEXITSTATUS(st);
}

/* A false claim fails --check-claims (status 3) with a line naming it and
 * the measured difference; the true one is not named; without the flag the
 * verdicts are reported and the run succeeds; summary.json has them. */
START_TEST(test_false_claim_fails_the_run)
{
    char out[8192], args[1024], dir[512];
    snprintf(dir, sizeof dir, "%s/test_events_claims", LG_BINARY_DIR);
    snprintf(args, sizeof args, "run %s/tests/scenarios/claims.json --out %s --check-claims", LG_SOURCE_DIR, dir);
    ck_assert_int_eq(livegym(args, out, sizeof out), 3);
    ck_assert_msg(strstr(out, "livegym run: claims[1] fails: \"random sends more of its recommendations to the "
                              "inflated channel during the wave than popular\": difference -0."),
                  "stderr: %s", out);
    ck_assert_msg(strstr(out, ", claimed at least 0.1\n"), "stderr: %s", out);
    ck_assert_msg(!strstr(out, "claims[0]"), "the claim that holds was reported: %s", out);

    char path[600];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    char *sum = test_slurp(path, NULL);
    ck_assert_msg(strstr(sum, "\"verdict\":\t\"holds\"") && strstr(sum, "\"verdict\":\t\"fails\""), "%s", sum);
    free(sum);

    snprintf(args, sizeof args, "run %s/tests/scenarios/claims.json --out %s", LG_SOURCE_DIR, dir);
    ck_assert_int_eq(livegym(args, out, sizeof out), 0);
    /* One seed cannot decide: inconclusive does not pass the check either. */
    snprintf(args, sizeof args, "run %s/tests/scenarios/claims.json --out %s --seeds 1 --check-claims", LG_SOURCE_DIR,
             dir);
    ck_assert_int_eq(livegym(args, out, sizeof out), 3);
    ck_assert_msg(strstr(out, "claims[0] inconclusive") && strstr(out, "1 seed(s) with data on both sides"), "%s", out);
    /* Without random, its claim cannot be measured; the folder's scenario.json
     * leaves it out, so the run resumes (and the other claim still holds). */
    snprintf(args, sizeof args, "run %s/tests/scenarios/claims.json --out %s --agents popular", LG_SOURCE_DIR, dir);
    ck_assert_int_eq(livegym(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "run --resume --out %s --check-claims", dir);
    ck_assert_msg(livegym(args, out, sizeof out) == 0, "%s", out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("events");
    TCase *tc = tcase_create("events");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_bots_events_matter);
    tcase_add_test(tc, test_drift_events_matter);
    tcase_add_test(tc, test_cold_start_events_matter);
    tcase_add_test(tc, test_false_claim_fails_the_run);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
