/* The live trainer and its model (curves, rings, recommendation shares,
 * copies), the CSV reader and statistics behind `livegym plot`, and the
 * trainer driven synchronously and on its worker thread: the lab's side of
 * the viewer, without SDL. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lgx_experiment.h"
#include "lg_test.h"
#include "lgx_curves.h"
#include "lgx_live.h"
#include "lgx_run.h"
#include "lgx_stats.h"
#include "lgx_model.h"

/* ---- curves, rings, shares ------------------------------------------------------ */

START_TEST(test_series_appends_and_merges)
{
    lgx_series s;
    ck_assert_int_eq(lgx_series_init(&s, 4), 0);
    ck_assert_int_eq(s.n, 0);
    lgx_series_add(&s, 1, 10, 9, 11);
    lgx_series_add(&s, 2, 20, 19, 21);
    lgx_series_add(&s, 3, 30, 29, 31);
    ck_assert_int_eq(s.n, 3);
    ck_assert(s.x[0] == 1 && s.y[1] == 20 && s.lo[2] == 29 && s.hi[2] == 31);
    lgx_series_add(&s, 4, 40, 39, 41); /* full: merged in pairs */
    ck_assert_int_eq(s.n, 2);
    ck_assert_int_eq(s.stride, 2);
    ck_assert(s.x[0] == 1.5 && s.y[0] == 15 && s.x[1] == 3.5 && s.y[1] == 35);
    lgx_series_add(&s, 5, 50, NAN, NAN); /* waits for a partner */
    ck_assert_int_eq(s.n, 2);
    ck_assert(s.last_x == 5 && s.last_y == 50);
    lgx_series_add(&s, 6, 60, NAN, NAN);
    ck_assert_int_eq(s.n, 3);
    ck_assert(s.x[2] == 5.5 && s.y[2] == 55 && isnan(s.lo[2]));
    /* a long run never exceeds the capacity and stays ordered */
    for (int i = 7; i < 5000; i++) lgx_series_add(&s, i, i, i, i);
    ck_assert(s.n > 0 && s.n <= 4);
    for (int i = 1; i < s.n; i++) ck_assert(s.x[i] > s.x[i - 1]);
    lgx_series copy;
    ck_assert_int_eq(lgx_series_init(&copy, 4), 0);
    lgx_series_copy(&copy, &s);
    ck_assert_int_eq(copy.n, s.n);
    ck_assert_ptr_ne(copy.x, s.x);
    for (int i = 0; i < s.n; i++) ck_assert(copy.x[i] == s.x[i] && copy.y[i] == s.y[i]);
    lgx_series_clear(&s);
    ck_assert_int_eq(s.n, 0);
    lgx_series_free(&s);
    lgx_series_free(&copy);
    ck_assert_int_ne(lgx_series_init(&s, 3), 0); /* odd capacity refused */
}
END_TEST

START_TEST(test_ring_keeps_latest)
{
    lgx_ring r;
    ck_assert_int_eq(lgx_ring_init(&r, 3), 0);
    ck_assert(isnan(lgx_ring_mean(&r)));
    lgx_ring_push(&r, 1);
    lgx_ring_push(&r, 2);
    ck_assert_int_eq(r.n, 2);
    ck_assert(lgx_ring_mean(&r) == 1.5);
    lgx_ring_push(&r, 3);
    lgx_ring_push(&r, 4);
    ck_assert_int_eq(r.n, 3);
    ck_assert(lgx_ring_get(&r, 0) == 2 && lgx_ring_get(&r, 2) == 4);
    ck_assert(isnan(lgx_ring_get(&r, 3)));
    ck_assert(lgx_ring_mean(&r) == 3);
    lgx_ring_free(&r);
}
END_TEST

START_TEST(test_shares_sum_to_one)
{
    lgx_shares s;
    ck_assert_int_eq(lgx_shares_init(&s, 7, 24), 0);
    for (int c = 0; c < 7; c++) ck_assert(lgx_shares_get(&s, c) == 0.0);
    lg_stream rng = lg_stream_make(42, TEST_STREAM, 0);
    /* long enough to trigger the rescaling of the growing increment */
    for (int t = 0; t < 20000; t++) {
        for (int k = 0; k < 3; k++) lgx_shares_add(&s, (int)lg_stream_below(&rng, 7));
        lgx_shares_add(&s, -1); /* ignored */
        lgx_shares_add(&s, 7);  /* ignored */
        lgx_shares_tick(&s);
        if (t % 997 == 0) {
            double sum = 0;
            for (int c = 0; c < 7; c++) {
                double v = lgx_shares_get(&s, c);
                ck_assert(v >= 0 && v <= 1);
                sum += v;
            }
            ck_assert_msg(fabs(sum - 1) < 1e-9, "shares sum to %.12f at step %d", sum, t);
        }
    }
    ck_assert(lgx_shares_get(&s, 7) == 0.0 && lgx_shares_get(&s, -1) == 0.0);
    lgx_shares_free(&s);
    /* forgetting: after one half-life an old recommendation weighs half a new one */
    ck_assert_int_eq(lgx_shares_init(&s, 2, 24), 0);
    lgx_shares_add(&s, 0);
    for (int t = 0; t < 24; t++) lgx_shares_tick(&s);
    lgx_shares_add(&s, 1);
    ck_assert(fabs(lgx_shares_get(&s, 0) - 1.0 / 3.0) < 1e-9);
    ck_assert(fabs(lgx_shares_get(&s, 1) - 2.0 / 3.0) < 1e-9);
    lgx_shares_free(&s);
}
END_TEST

/* ---- the model ---------------------------------------------------------------------- */

START_TEST(test_model_copy_history_events)
{
    lg_scenario *sc = test_scenario();
    sc->n_events = 2;
    sc->events[0] = (lg_event){LG_EV_SPIKE, 30, 0, 2.0f, 3, -1, -1};
    sc->events[1] = (lg_event){LG_EV_BOT_WAVE, 60, 120, 500, 4, -1, -1};
    lgx_model_shape shape = {.n_agents = 2, .n_seeds = 1, .n_channels = sc->n_channels, .n_states = 10,
                             .slots = 4, .slate_size = 1};
    shape.qtable_rows[1] = 10;
    char err[256] = "";
    lgx_model *a = lgx_model_create(sc, &shape, err, sizeof err);
    lgx_model *b = lgx_model_create(sc, &shape, err, sizeof err);
    ck_assert_msg(a && b, "%s", err);
    ck_assert_int_eq(a->agents[1].qtable_rows, 10);
    ck_assert_int_eq(a->agents[0].qtable_rows, 0);
    /* history ring */
    for (int i = 1; i <= 15; i++) {
        lgx_step_rec r = {.session_step = i, .watched = i % 3 - 1, .k = 1};
        lgx_model_push_step(a, 1, &r);
    }
    ck_assert_int_eq(a->agents[1].hist_n, LGX_HISTORY);
    ck_assert_int_eq(lgx_model_step(a, 1, 0)->session_step, 15);
    ck_assert_int_eq(lgx_model_step(a, 1, LGX_HISTORY - 1)->session_step, 15 - LGX_HISTORY + 1);
    ck_assert_ptr_null(lgx_model_step(a, 1, LGX_HISTORY));
    ck_assert_ptr_null(lgx_model_step(a, 0, 0));
    ck_assert_ptr_null(lgx_model_step(a, 5, 0));
    /* events fire once */
    lgx_model_fire_event(a, 1);
    lgx_model_fire_event(a, 1);
    lgx_model_fire_event(a, 0);
    lgx_model_fire_event(a, 7); /* no such event: ignored */
    ck_assert_int_eq(a->n_fired, 2);
    ck_assert_int_eq(lgx_model_event(a, 0), 0);
    ck_assert_int_eq(lgx_model_event(a, 1), 1);
    ck_assert_int_eq(lgx_model_event(a, 2), -1);
    ck_assert(lgx_event_active(sc, 0, 30) && lgx_event_active(sc, 0, 89) && !lgx_event_active(sc, 0, 91));
    ck_assert(!lgx_event_active(sc, 1, 59) && lgx_event_active(sc, 1, 179) && !lgx_event_active(sc, 1, 181));
    /* copies are deep and complete */
    lgx_series_add(&a->agents[0].eval, 0, 12.5, 11, 14);
    lgx_shares_add(&a->agents[1].shares, 3);
    a->agents[1].qtable[7] = 4.25f;
    a->agents[0].ch[2].concurrency = 123.0f;
    a->agents[0].truth[5] = 2.5f;
    a->steps = 777;
    snprintf(a->agents[0].label, sizeof a->agents[0].label, "first");
    lgx_model_copy(b, a);
    ck_assert_int_eq(b->steps, 777);
    ck_assert_str_eq(b->agents[0].label, "first");
    ck_assert_int_eq(b->agents[0].eval.n, 1);
    ck_assert(b->agents[0].eval.y[0] == 12.5 && b->agents[0].eval.x != a->agents[0].eval.x);
    ck_assert(lgx_shares_get(&b->agents[1].shares, 3) == 1.0);
    ck_assert(b->agents[1].qtable[7] == 4.25f && b->agents[1].qtable != a->agents[1].qtable);
    ck_assert(b->agents[0].ch[2].concurrency == 123.0f && b->agents[0].truth[5] == 2.5f);
    ck_assert_int_eq(b->agents[1].hist_n, LGX_HISTORY);
    ck_assert_int_eq(lgx_model_step(b, 1, 0)->session_step, 15);
    ck_assert_int_eq(b->n_fired, 2);
    ck_assert(b->fired[0] && b->fired[1] && b->fired != a->fired);
    lgx_model_free(a);
    lgx_model_free(b);
    /* out-of-range shapes are refused with a message */
    shape.n_agents = LGX_LIVE_MAX_AGENTS + 1;
    ck_assert_ptr_null(lgx_model_create(sc, &shape, err, sizeof err));
    ck_assert_msg(strstr(err, "agents: expected 1 to 9"), "%s", err);
    free(sc);
}
END_TEST

/* ---- curves.csv --------------------------------------------------------------------- */

static char fixture_dir[1024];

static const char *fixture(const char *name, const char *text)
{
    static char path[8][1200];
    static int k;
    char *p = path[k++ % 8];
    mkdir(fixture_dir, 0755);
    snprintf(p, 1200, "%s/%s", fixture_dir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

START_TEST(test_t95)
{
    ck_assert(isnan(lgx_t95(0)));
    ck_assert(fabs(lgx_t95(1) - 12.706) < 1e-3);
    ck_assert(fabs(lgx_t95(4) - 2.776) < 1e-3);
    ck_assert(fabs(lgx_t95(30) - 2.042) < 1e-3);
    ck_assert(fabs(lgx_t95(31) - 2.040) < 1e-3);
    ck_assert(fabs(lgx_t95(60) - 2.000) < 1e-3);
    ck_assert(fabs(lgx_t95(120) - 1.980) < 1e-3);
    ck_assert(fabs(lgx_t95(100000) - 1.960) < 1e-3);
    for (int df = 1; df < 300; df++) ck_assert(lgx_t95(df + 1) < lgx_t95(df));
}
END_TEST

START_TEST(test_curves_long_format)
{
    /* rows out of order; three seeds at step 0, two at 100, one at 200 */
    const char *p = fixture("long.csv",
                            "agent,seed,step,return,ctr\r\n"
                            "b,1,0,10,0.5\r\n"
                            "a,2,100,6,0.1\n"
                            "a,1,0,1,0.1\n"
                            "a,2,0,2,0.1\n"
                            "a,3,0,3,0.1\n"
                            "a,1,100,4,0.1\n"
                            "a,1,200,nan,0.1\n"
                            "\"b\",2,0,12,0.7\n"
                            "\n");
    lgx_curves cv;
    char err[512] = "";
    ck_assert_int_eq(lgx_curves_load(p, NULL, &cv, err, sizeof err), 0);
    ck_assert_str_eq(cv.metric, "return");
    ck_assert_str_eq(cv.xcol, "step");
    ck_assert(cv.has_seed);
    ck_assert_int_eq(cv.n_metrics, 2);
    ck_assert_int_eq(cv.n_curves, 2);
    ck_assert_str_eq(cv.curves[0].label, "b"); /* order of first appearance */
    ck_assert_str_eq(cv.curves[1].label, "a");
    const lgx_curve *a = &cv.curves[1];
    ck_assert_int_eq(a->n, 2); /* step 200 has only a NaN: no point */
    ck_assert(a->x[0] == 0 && a->x[1] == 100);
    ck_assert(fabs(a->mean[0] - 2) < 1e-12 && a->count[0] == 3);
    double half = 4.302653 * 1.0 / sqrt(3.0);
    ck_assert(fabs(a->hi[0] - (2 + half)) < 1e-5 && fabs(a->lo[0] - (2 - half)) < 1e-5);
    ck_assert(fabs(a->mean[1] - 5) < 1e-12 && a->count[1] == 2);
    ck_assert(fabs(a->hi[1] - 5 - 12.706205 * sqrt(2.0) / sqrt(2.0)) < 1e-5);
    ck_assert_int_eq(cv.max_count, 3);
    ck_assert_int_eq(cv.min_count, 2);
    lgx_curves_free(&cv);
    ck_assert_int_eq(lgx_curves_load(p, "ctr", &cv, err, sizeof err), 0);
    ck_assert(fabs(cv.curves[0].mean[0] - 0.6) < 1e-12);
    lgx_curves_free(&cv);
}
END_TEST

START_TEST(test_curves_online_formats)
{
    const char *p = fixture("bandit.csv", "agent,step,avg_reward,pct_optimal\n"
                                          "eps-0.1,1,0.5,30\neps-0.1,2,0.8,40\ngreedy,1,0.4,35\ngreedy,2,0.9,41\n");
    lgx_curves cv;
    char err[512] = "";
    ck_assert_int_eq(lgx_curves_load(p, NULL, &cv, err, sizeof err), 0);
    ck_assert_str_eq(cv.metric, "avg_reward"); /* no "return": the first metric */
    ck_assert(!cv.has_seed);
    ck_assert_int_eq(cv.n_curves, 2);
    ck_assert(cv.curves[1].mean[1] == 0.9 && isnan(cv.curves[1].lo[1]));
    lgx_curves_free(&cv);
    ck_assert_int_eq(lgx_curves_load(p, "pct_optimal", &cv, err, sizeof err), 0);
    ck_assert(cv.curves[0].mean[0] == 30);
    lgx_curves_free(&cv);
    p = fixture("cliff.csv", "agent,episode,sum_reward\nsarsa,1,-100\nsarsa,2,-50\nq-learning,1,-120\n");
    ck_assert_int_eq(lgx_curves_load(p, NULL, &cv, err, sizeof err), 0);
    ck_assert_str_eq(cv.xcol, "episode");
    ck_assert_str_eq(cv.metric, "sum_reward");
    ck_assert_int_eq(cv.curves[0].n, 2);
    lgx_curves_free(&cv);
}
END_TEST

static void expect_bad(const char *name, const char *text, const char *metric, const char *want)
{
    const char *p = fixture(name, text);
    lgx_curves cv;
    char err[1024] = "";
    int rc = lgx_curves_load(p, metric, &cv, err, sizeof err);
    ck_assert_msg(rc == 2, "%s: expected rc 2, got %d (%s)", name, rc, err);
    ck_assert_msg(strstr(err, p) == err, "%s: message does not start with the path: %s", name, err);
    ck_assert_msg(strstr(err, want), "%s: expected \"%s\" in \"%s\"", name, want, err);
    ck_assert_ptr_null(cv.curves);
}

/* The final evaluation of each (agent, seed): the value at its largest step,
 * whatever the row order; files without seeds are refused. */
START_TEST(test_finals)
{
    const char *p = fixture("finals.csv", "agent,seed,step,return,ctr\n"
                                          "b,2,100,7,0.1\n"
                                          "a,1,100,3,0.3\n"
                                          "a,1,0,1,0.5\n"
                                          "b,2,0,5,0.2\n"
                                          "a,3,50,9,0.4\n"
                                          "b,1,200,4,0.6\n");
    lgx_finals f;
    char err[512];
    ck_assert_int_eq(lgx_finals_load(p, "return", &f, err, sizeof err), 0);
    ck_assert_int_eq(f.n_agents, 2);
    ck_assert_str_eq(f.labels[0], "b"); /* order of first appearance */
    ck_assert_str_eq(f.labels[1], "a");
    ck_assert_int_eq(f.n, 4);
    const struct {
        int agent;
        long seed;
        double value;
    } want[] = {{0, 1, 4}, {0, 2, 7}, {1, 1, 3}, {1, 3, 9}};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(f.rows[i].agent, want[i].agent);
        ck_assert_int_eq(f.rows[i].seed, want[i].seed);
        ck_assert_double_eq(f.rows[i].value, want[i].value);
    }
    lgx_finals_free(&f);
    ck_assert_int_eq(lgx_finals_load(p, "ctr", &f, err, sizeof err), 0);
    ck_assert_double_eq(f.rows[2].value, 0.3);
    lgx_finals_free(&f);
    p = fixture("noseed.csv", "agent,step,avg_reward\nx,1,0.5\n");
    ck_assert_int_eq(lgx_finals_load(p, NULL, &f, err, sizeof err), 2);
    ck_assert_ptr_nonnull(strstr(err, "expected a seed column"));
    ck_assert_ptr_null(f.rows);
}
END_TEST

START_TEST(test_curves_bad_input)
{
    expect_bad("fields.csv", "agent,seed,step,return\na,1,0,5\na,1,100\n", NULL,
               ":3: expected 4 fields (as in the header), found 3");
    expect_bad("number.csv", "agent,seed,step,return\na,1,0,abc\n", NULL,
               ":2: column \"return\": expected a number, found \"abc\"");
    expect_bad("step.csv", "agent,seed,step,return\na,1,1e999,5\n", NULL,
               ":2: column \"step\": expected a finite number, found \"1e999\"");
    expect_bad("seed.csv", "agent,seed,step,return\na,1.5,0,5\n", NULL,
               ":2: column \"seed\": expected a non-negative integer, found \"1.5\"");
    expect_bad("header.csv", "name,value\nx,1\n", NULL,
               ":1: expected a header with columns agent, [seed,] step (or episode, or minute) and at least one metric");
    expect_bad("empty.csv", "", NULL, "expected a header line");
    expect_bad("noheader-rows.csv", "agent,seed,step,return\n", NULL, "expected data rows after the header, found none");
    expect_bad("dup.csv", "agent,seed,step,return\na,1,0,5\nb,1,0,5\na,1,0,6\n", NULL,
               ":4: expected one row per (agent, seed, step), found a second for (a, 1, 0) (first on line 2)");
    expect_bad("dupcol.csv", "agent,seed,step,return,return\n", NULL, "found \"return\" twice");
    expect_bad("metric.csv", "agent,seed,step,return,ctr\na,1,0,5,1\n", "nope",
               "unknown metric \"nope\" (this file has: return, ctr)");
    expect_bad("quote.csv", "agent,seed,step,return\n\"a,1,0,5\n", NULL, ":2: expected a closing quote");
    expect_bad("allnan.csv", "agent,seed,step,return\na,1,0,nan\n", NULL,
               "column \"return\": expected at least one finite value, found none");
    /* One column over the limit: found by fuzzing, when the 65th header name
     * ran past the metric table into the curve pointer. */
    char wide[2048] = "agent,seed,step";
    for (int i = 3; i < LGX_CURVES_MAX_COLUMNS + 1; i++) snprintf(wide + strlen(wide), 16, ",m%d", i);
    expect_bad("wide.csv", wide, NULL, ":1: expected at most 64 columns, found more");
    lgx_curves cv;
    char err[512] = "";
    char *last = strrchr(wide, ',');
    strcpy(last, "\na,1,0");
    for (int i = 3; i < LGX_CURVES_MAX_COLUMNS; i++) strcat(wide, ",1");
    ck_assert_int_eq(lgx_curves_load(fixture("widest.csv", wide), NULL, &cv, err, sizeof err), 0);
    ck_assert_int_eq(cv.n_metrics, LGX_CURVES_MAX_COLUMNS - 3);
    lgx_curves_free(&cv);
    char missing[1024];
    snprintf(missing, sizeof missing, "%s/no-such-dir-%d/curves.csv", LG_BINARY_DIR, (int)getpid());
    ck_assert_int_eq(lgx_curves_load(missing, NULL, &cv, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "cannot open: No such file or directory"), "%s", err);
    ck_assert_int_eq(lgx_curves_load(LG_BINARY_DIR, NULL, &cv, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "expected a CSV file, found a directory"), "%s", err);
}
END_TEST

/* ---- the live trainer ----------------------------------------------------------------- */

static lgx_live *make_live(const lg_scenario *sc, long max_steps, int seeds)
{
    lgx_live_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.sc = sc;
    cfg.n_agents = 3;
    cfg.names[0] = "random";
    cfg.names[1] = "epsilon-greedy";
    cfg.names[2] = "q-learning";
    cfg.labels[1] = "eps";
    cfg.params[1] = "{\"epsilon\": 0.5, \"epsilon_final\": 0.1, \"epsilon_decay_steps\": 100}";
    cfg.seeds = seeds;
    cfg.slots = 4;
    cfg.eval_every = 200;
    cfg.eval_sessions = 8;
    cfg.max_steps = max_steps;
    lgx_live *L = NULL;
    char err[512] = "";
    ck_assert_msg(lgx_live_create(&cfg, &L, err, sizeof err) == 0, "%s", err);
    return L;
}

START_TEST(test_live_synchronous)
{
    lg_scenario *sc = test_scenario();
    sc->n_events = 1;
    sc->events[0] = (lg_event){LG_EV_SPIKE, 50, 0, 2.0f, 3, -1, -1};
    lgx_live *L = make_live(sc, 0, 2);
    lgx_model *m = lgx_live_new_model(L, NULL, 0);
    ck_assert_ptr_nonnull(m);
    lgx_live_run(L, 1000);
    lgx_live_snapshot(L, m);
    ck_assert_int_eq(m->steps, 1000);
    ck_assert_int_eq(m->n_agents, 3);
    ck_assert_str_eq(m->agents[0].label, "random");
    ck_assert_str_eq(m->agents[1].label, "eps");
    ck_assert_str_eq(m->agents[1].name, "epsilon-greedy");
    for (int a = 0; a < 3; a++) {
        const lgx_agent_view *av = &m->agents[a];
        /* evaluations at 0, 200, ..., 1000 with a CI over the two seeds */
        ck_assert_int_eq(av->eval.n, 6);
        for (int k = 0; k < 6; k++) ck_assert(av->eval.x[k] == 200.0 * k);
        ck_assert(isfinite(av->eval.y[5]) && av->eval.lo[5] <= av->eval.y[5] && av->eval.hi[5] >= av->eval.y[5]);
        ck_assert(av->online.n > 0 && isfinite(av->online_now));
        ck_assert(av->sessions > 0);
        double sum = 0;
        for (int c = 0; c < m->n_channels; c++) sum += lgx_shares_get(&av->shares, c);
        ck_assert_msg(fabs(sum - 1) < 1e-9, "agent %d: shares sum to %g", a, sum);
        ck_assert(av->hist_n > 0);
        const lgx_step_rec *r = lgx_model_step(m, a, 0);
        ck_assert(r->k == 1 && r->rec[0] >= 0 && r->rec[0] < m->n_channels);
        int on = 0;
        for (int c = 0; c < m->n_channels; c++) on += av->mask[c];
        ck_assert(on > 0);
    }
    /* the mind: random exposes nothing, the bandit one row, q-learning a table per state */
    ck_assert_int_eq(m->agents[0].score_rows, 0);
    ck_assert_int_eq(m->agents[1].score_rows, 1);
    ck_assert_int_eq(m->agents[2].score_rows, m->shape.n_states);
    ck_assert_int_eq(m->agents[2].qtable_rows, m->shape.n_states);
    ck_assert(m->agents[2].q_max >= m->agents[2].q_min);
    /* epsilon from the schedule: 0.5 -> 0.1 over 100 act calls, 250 calls done */
    ck_assert(!m->agents[0].has_epsilon);
    ck_assert(m->agents[1].has_epsilon && fabsf(m->agents[1].epsilon_now - 0.1f) < 1e-6f);
    ck_assert(m->agents[2].has_epsilon && fabsf(m->agents[2].epsilon_now - 0.1f) < 1e-6f);
    ck_assert(m->agents[1].epsilon.y[0] > 0.1);
    /* the spike at minute 50 fired (the clock moved 250 steps of 5 minutes) */
    ck_assert_int_eq(m->n_fired, 1);
    ck_assert(m->fired[0]);
    ck_assert(m->clock > sc->start_minute + 1000);

    /* same inputs, same curves */
    lgx_live *L2 = make_live(sc, 0, 2);
    lgx_model *m2 = lgx_live_new_model(L2, NULL, 0);
    lgx_live_run(L2, 1000);
    lgx_live_snapshot(L2, m2);
    for (int a = 0; a < 3; a++)
        for (int k = 0; k < 6; k++) ck_assert(m->agents[a].eval.y[k] == m2->agents[a].eval.y[k]);
    lgx_model_free(m2);
    lgx_live_free(L2);

    /* a step limit ends training with a final evaluation */
    lgx_live *L3 = make_live(sc, 300, 1);
    lgx_live_run(L3, 100000);
    lgx_live_snapshot(L3, m);
    ck_assert(m->done);
    ck_assert_int_eq(m->steps, 300);
    ck_assert_int_eq(m->agents[0].eval.n, 3); /* 0, 200, 300 */
    ck_assert(m->agents[0].eval.x[2] == 300);
    lgx_live_free(L3);
    lgx_model_free(m);
    lgx_live_free(L);
    free(sc);
}
END_TEST

/* The viewer shows the numbers `livegym run` prints: the same scenario,
 * agents, seeds and budget give the same evaluation points, mean and CI
 * over seeds, to the last bit (one experiment core: lgx_evaluate_at). */
START_TEST(test_live_equals_runner)
{
    lg_scenario *sc = test_scenario();
    sc->n_events = 1;
    sc->events[0] = (lg_event){LG_EV_SPIKE, 50, 0, 2.0f, 3, -1, -1};
    lgx_live *L = make_live(sc, 600, 3);
    lgx_model *m = lgx_live_new_model(L, NULL, 0);
    ck_assert_ptr_nonnull(m);
    lgx_live_run(L, 600);
    lgx_live_snapshot(L, m);

    static volatile sig_atomic_t no_stop;
    lgx_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.sc = sc;
    lgx_experiment_default(&cfg.ex);
    char err[512];
    ck_assert_int_eq(lgx_select_agents(&cfg.ex, "random,epsilon-greedy,q-learning", 8, &cfg.ex, err, sizeof err), 0);
    snprintf(cfg.ex.agents[1].label, LG_NAME_LEN, "eps");
    snprintf(cfg.ex.agents[1].params, LGX_AGENT_PARAMS_LEN, "%s",
             "{\"epsilon\": 0.5, \"epsilon_final\": 0.1, \"epsilon_decay_steps\": 100}");
    cfg.ex.seeds = 3, cfg.ex.slots = 4, cfg.ex.train_steps = 600, cfg.ex.eval_every = 200, cfg.ex.eval_sessions = 8;
    cfg.threads = 2, cfg.command = "test", cfg.stop = &no_stop;
    lgx_run_result res;
    ck_assert_msg(lgx_run(&cfg, &res, err, sizeof err) == 0, "%s", err);
    for (int a = 0; a < 3; a++) {
        const lgx_agent_view *av = &m->agents[a];
        ck_assert_int_eq(av->eval.n, res.jobs[a * 3].n_points);
        for (int p = 0; p < av->eval.n; p++) {
            double v[3];
            for (int s = 0; s < 3; s++) {
                v[s] = res.jobs[a * 3 + s].points[p].m[LGX_M_RETURN];
                /* Shares and normalised gains stay within [0, 1]. */
                const double *mm = res.jobs[a * 3 + s].points[p].m;
                for (int k = 0; k < 4; k++) {
                    int id = (int[]){LGX_M_PRECISION, LGX_M_RECALL, LGX_M_NDCG, LGX_M_COVERAGE}[k];
                    ck_assert_msg(mm[id] >= 0.0 && mm[id] <= 1.0 + 1e-12, "agent %d seed %d point %d: %s %g", a, s,
                                  p, lgx_metric_names[id], mm[id]);
                }
            }
            lgx_stat st = lgx_stat_of(v, 3);
            ck_assert(av->eval.x[p] == (double)res.jobs[a * 3].points[p].step);
            ck_assert_msg(av->eval.y[p] == st.mean && av->eval.hi[p] == st.mean + st.ci95,
                          "agent %d point %d: viewer %.17g, run %.17g", a, p, av->eval.y[p], st.mean);
        }
    }
    lgx_run_result_free(&res);
    lgx_model_free(m);
    lgx_live_free(L);
    free(sc);
}
END_TEST

START_TEST(test_live_worker_thread)
{
    lg_scenario *sc = test_scenario();
    lgx_live *L = make_live(sc, 0, 1);
    lgx_model *m = lgx_live_new_model(L, NULL, 0);
    char err[256] = "";
    ck_assert_int_eq(lgx_live_start(L, err, sizeof err), 0);
    struct timespec ts = {0, 150 * 1000 * 1000};
    nanosleep(&ts, NULL);
    lgx_live_set_paused(L, 1);
    nanosleep(&ts, NULL);
    lgx_live_snapshot(L, m);
    long s1 = m->steps;
    ck_assert(s1 > 0);
    nanosleep(&ts, NULL);
    lgx_live_snapshot(L, m);
    ck_assert_int_eq(m->steps, s1); /* paused: no progress */
    lgx_live_step_once(L);
    for (int i = 0; i < 200 && m->steps == s1; i++) {
        struct timespec t2 = {0, 5 * 1000 * 1000};
        nanosleep(&t2, NULL);
        lgx_live_snapshot(L, m);
    }
    ck_assert_int_eq(m->steps, s1 + 4); /* one round: one env step of 4 slots */
    lgx_live_set_rate(L, 50);
    lgx_live_set_paused(L, 0);
    nanosleep(&ts, NULL);
    lgx_live_stop(L);
    lgx_live_snapshot(L, m);
    ck_assert(m->steps > s1 + 4);
    ck_assert(m->steps < s1 + 4 + 4 * 50); /* about 50 steps per second at most */
    lgx_model_free(m);
    lgx_live_free(L);
    free(sc);
}
END_TEST

START_TEST(test_live_bad_config)
{
    lg_scenario *sc = test_scenario();
    lgx_live_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.sc = sc;
    cfg.n_agents = 1;
    cfg.names[0] = "no-such-agent";
    cfg.seeds = 1;
    cfg.slots = 4;
    cfg.eval_every = 100;
    cfg.eval_sessions = 5;
    lgx_live *L = NULL;
    char err[512] = "";
    ck_assert_int_ne(lgx_live_create(&cfg, &L, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "unknown agent"), "%s", err);
    cfg.names[0] = "epsilon-greedy";
    cfg.params[0] = "{\"epsilon\": 7}";
    ck_assert_int_ne(lgx_live_create(&cfg, &L, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "epsilon"), "%s", err);
    cfg.params[0] = NULL;
    cfg.seeds = 0;
    ck_assert_int_ne(lgx_live_create(&cfg, &L, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "seeds: expected 1 to 16, found 0"), "%s", err);
    cfg.seeds = 1;
    cfg.slots = 0;
    ck_assert_int_ne(lgx_live_create(&cfg, &L, err, sizeof err), 0);
    ck_assert_ptr_null(L);
    free(sc);
}
END_TEST

START_TEST(test_introspection)
{
    lg_scenario *sc = test_scenario();
    lg_env *env = test_env(sc, 2, 1, LG_LAYOUT_FLAT);
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    char err[256];
    const int C = shape.n_actions, S = shape.n_states;
    float *out = calloc((size_t)C, sizeof(float));
    lga_agent *r = lga_create("random", "{}", &shape, 1, err, sizeof err);
    lga_agent *e = lga_create("epsilon-greedy", "{\"initial\": 3}", &shape, 1, err, sizeof err);
    lga_agent *ec = lga_create("epsilon-greedy", "{\"context\": \"state\", \"epsilon\": 0.3}", &shape, 1, err, sizeof err);
    lga_agent *q = lga_create("sarsa", "{\"initial\": 1.5}", &shape, 1, err, sizeof err);
    ck_assert(r && e && ec && q);
    ck_assert_int_eq(lgx_agent_scores(r, C, S, 0, out), 0);
    ck_assert_int_eq(lgx_agent_scores(e, C, S, 5, out), 1);
    ck_assert(out[0] == 3 && out[C - 1] == 3);
    ck_assert_int_eq(lgx_agent_scores(ec, C, S, 5, out), S);
    ck_assert_int_eq(lgx_agent_scores(q, C, S, 5, out), S);
    ck_assert(out[0] == 1.5f);
    ck_assert_int_eq(lgx_agent_scores(q, C, S, S, out), 0); /* no such state */
    float eps = -1;
    ck_assert_int_eq(lgx_agent_epsilon(r, "{}", &eps), -1);
    ck_assert_int_eq(lgx_agent_epsilon(e, "{\"initial\": 3}", &eps), 0);
    ck_assert(eps == 0.1f);
    ck_assert_int_eq(lgx_agent_epsilon(ec, "{\"epsilon\": 0.3}", &eps), 0);
    ck_assert(fabsf(eps - 0.3f) < 1e-7f);
    lga_free(r), lga_free(e), lga_free(ec), lga_free(q);
    free(out);
    lg_env_free(env);
    free(sc);
}
END_TEST

static void remove_fixtures(void)
{
    DIR *d = opendir(fixture_dir);
    if (!d) return;
    struct dirent *e;
    char p[2048];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", fixture_dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(fixture_dir);
}

int main(void)
{
    snprintf(fixture_dir, sizeof fixture_dir, "%s/test-live-%d", LG_BINARY_DIR, (int)getpid());
    Suite *s = suite_create("live");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, test_series_appends_and_merges);
    tcase_add_test(tc, test_ring_keeps_latest);
    tcase_add_test(tc, test_shares_sum_to_one);
    tcase_add_test(tc, test_model_copy_history_events);
    suite_add_tcase(s, tc);
    TCase *tcc = tcase_create("curves");
    tcase_add_test(tcc, test_t95);
    tcase_add_test(tcc, test_curves_long_format);
    tcase_add_test(tcc, test_curves_online_formats);
    tcase_add_test(tcc, test_curves_bad_input);
    tcase_add_test(tcc, test_finals);
    suite_add_tcase(s, tcc);
    TCase *tcl = tcase_create("live");
    tcase_set_timeout(tcl, 120);
    tcase_add_test(tcl, test_live_synchronous);
    tcase_add_test(tcl, test_live_equals_runner);
    tcase_add_test(tcl, test_live_worker_thread);
    tcase_add_test(tcl, test_live_bad_config);
    tcase_add_test(tcl, test_introspection);
    suite_add_tcase(s, tcl);
    int rc = test_run_suite(s);
    remove_fixtures();
    return rc;
}
