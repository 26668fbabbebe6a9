/* The experiment layer's side of scenario files: the experiment section,
 * budgets in simulated time, and the world loader as its world part. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "scenario_test.h"

/* The world loader (env) reads every shipped file's world exactly as the
 * experiment layer does, leaves the experiment section unread (a bad one
 * does not stop it), and dumps what the experiment layer dumps without it. */
START_TEST(test_world_loader_is_the_world_part)
{
    file_list fl = list_files(SCENARIO_DIR, ".json");
    lg_scenario *a = new_scenario(), *b = new_scenario();
    for (int i = 0; i < fl.n; i++) {
        char err[2048] = "";
        ck_assert_msg(lgx_load_file(fl.path[i], a, NULL, err, sizeof err) == 0, "%s", err);
        ck_assert_msg(lg_scenario_load_file(fl.path[i], b, err, sizeof err) == 0, "%s", err);
        assert_same_scenario(a, b, fl.path[i]);
        char *d1 = lg_scenario_to_json(b), *d2 = lgx_scenario_to_json(b, NULL);
        ck_assert_ptr_nonnull(d1);
        ck_assert_ptr_nonnull(d2);
        ck_assert_str_eq(d1, d2);
        free(d1), free(d2);
    }
    const char *doc = "{\"experiment\": {\"seeds\": 0}}";
    char err[512] = "";
    ck_assert_int_eq(lg_scenario_load_string(doc, strlen(doc), "x.json", b, err, sizeof err), 0);
    ck_assert_int_eq(lgx_load_string(doc, strlen(doc), "x.json", a, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "x.json: experiment.seeds: expected an integer in [1, 100000], found 0");
    /* world errors are the world loader's too, with the same message */
    const char *bad = "{\"world\": {\"latent_dim\": 0}, \"experiment\": {}}";
    char err2[512] = "";
    ck_assert_int_eq(lg_scenario_load_string(bad, strlen(bad), "y.json", b, err, sizeof err), -1);
    ck_assert_int_eq(lgx_load_string(bad, strlen(bad), "y.json", a, NULL, err2, sizeof err2), -1);
    ck_assert_str_eq(err, err2);
    ck_assert_ptr_nonnull(strstr(err, "y.json: world.latent_dim"));
    free(a), free(b);
    free_files(&fl);
}
END_TEST

START_TEST(test_experiment_section)
{
    lg_scenario *sc = new_scenario();
    lgx_experiment *ex = new_experiment(), *def = new_experiment();
    lgx_experiment_default(def);
    ck_assert_int_eq(def->n_agents, 3);
    ck_assert_str_eq(def->agents[0].name, "random");
    ck_assert_str_eq(def->agents[2].params, "{}");
    ck_assert(def->seeds == 5 && def->train_steps == 20000 && def->eval_every == 5000 && def->eval_sessions == 200 &&
              def->slots == 16);
    ck_assert_str_eq(def->baseline, "random");
    /* No section: the defaults. */
    expect_ok("{}", sc, ex);
    ck_assert(memcmp(ex, def, sizeof *ex) == 0);
    /* Params are kept as compact JSON; labels tell agents of the same name apart; the
     * baseline defaults to the first agent when none is labelled random. */
    expect_ok("{\"experiment\": {\"agents\": [{\"name\": \"epsilon-greedy\", \"params\": {\"epsilon\": 1e-1, "
              "\"epsilon_decay_steps\": 1e4, \"initial\": -0}},"
              " {\"name\": \"epsilon-greedy\", \"label\": \"eps-opt\", \"params\": {}}], \"seeds\": 3, \"slots\": 2}}",
              sc, ex);
    ck_assert_int_eq(ex->n_agents, 2);
    ck_assert_str_eq(ex->agents[0].label, "epsilon-greedy");
    ck_assert_str_eq(ex->agents[0].params, "{\"epsilon\":0.1,\"epsilon_decay_steps\":10000,\"initial\":-0}");
    ck_assert_str_eq(ex->agents[1].label, "eps-opt");
    ck_assert_str_eq(ex->agents[1].params, "{}");
    ck_assert_str_eq(ex->baseline, "epsilon-greedy");
    ck_assert(ex->seeds == 3 && ex->slots == 2 && ex->train_steps == 20000);
    /* Round trip of the params through a dump. */
    lgx_experiment *back = new_experiment();
    char *d = lgx_scenario_to_json(sc, ex);
    ck_assert_ptr_nonnull(d);
    expect_ok(d, sc, back);
    ck_assert(memcmp(ex, back, sizeof *ex) == 0);
    free(d);
    /* Every agent is checked as the run would create it: a file that
     * validates is one that runs. */
    expect_error("{\"experiment\": {\"agents\": [{\"name\": \"random\"}, {\"name\": \"epsilon-greedy\", \"params\": "
                 "{\"schedule\": 1}}]}}",
                 "experiment.agents[1]: epsilon-greedy.params.schedule: unknown key");
    expect_error("{\"kind\": \"bandit\", \"experiment\": {\"agents\": [{\"name\": \"popular\"}]}}",
                 "experiment.agents[0]: popular: the observation has no channel concurrency column");
    /* The default slots fit a small world (a file without slots runs). */
    expect_ok("{\"population\": {\"viewers\": 5}}", sc, ex);
    ck_assert_int_eq(ex->slots, 5);
    /* ex may be NULL, and the section is still checked. */
    expect_ok("{\"experiment\": {\"seeds\": 2}}", sc, NULL);
    expect_error("{\"experiment\": {\"seeds\": 200000}}", "experiment.seeds: expected an integer in [1, 100000], found 200000");
    free(back);
    free(sc);
    free(ex);
    free(def);
}
END_TEST

/* Budgets in simulated time: train_minutes and eval_every_minutes become
 * whole env steps of every slot; a file may not state a budget both ways;
 * an event after the end of training is named. */
START_TEST(test_budget_in_minutes)
{
    lg_scenario *sc = new_scenario();
    lgx_experiment *ex = new_experiment();
    expect_ok("{\"experiment\": {\"train_minutes\": 1000, \"eval_every_minutes\": 101, \"slots\": 4}}", sc, ex);
    ck_assert_int_eq(ex->train_steps, 200 * 4); /* dt 5 */
    ck_assert_int_eq(ex->eval_every, 21 * 4);   /* 101 minutes: 21 steps, rounded up */
    ck_assert_double_eq_tol(lgx_trained_minutes(ex, sc), 1000.0, 1e-9);
    char *d = lgx_scenario_to_json(sc, ex);
    ck_assert_ptr_nonnull(strstr(d, "\"train_minutes\": 1000"));
    ck_assert_ptr_null(strstr(d, "\"train_steps\""));
    free(d);
    expect_error("{\"experiment\": {\"train_steps\": 10, \"train_minutes\": 5}}",
                 "t.json: experiment.train_minutes: expected either train_steps or train_minutes, found both");
    const char *late = "{\"events\": [{\"time\": 900, \"type\": \"spike\", \"channel\": 0, \"magnitude\": 1}],"
                       " \"experiment\": {\"train_minutes\": 600}}";
    expect_ok(late, sc, ex);
    char err[512];
    ck_assert_int_eq(lgx_check_reach(sc, ex, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "events[0].time: expected a time the experiment's training reaches (600 minutes"));
    ex->train_minutes = 900;
    lgx_resolve_budget(ex, sc);
    ck_assert_int_eq(lgx_check_reach(sc, ex, err, sizeof err), 0);
    free(sc), free(ex);
}
END_TEST

/* A grid is every combination, the first key slowest, each configuration
 * its entry's params with the swept values and a label naming them; the
 * dump lists the configurations, and reads back to the same experiment. */
START_TEST(test_sweep_grid)
{
    lg_scenario *sc = new_scenario();
    lgx_experiment *ex = new_experiment(), *back = new_experiment();
    expect_ok("{\"kind\": \"bandit\", \"experiment\": {\"agents\": [{\"name\": \"random\"},"
              " {\"name\": \"epsilon-greedy\", \"label\": \"eps\", \"params\": {\"step_size\": 0.1},"
              "  \"sweep\": {\"grid\": {\"epsilon\": [0.25, 0.0625, 0], \"initial\": [0, 5]}}}]}}",
              sc, ex);
    ck_assert_int_eq(ex->n_agents, 7);
    static const char *const labels[] = {"eps epsilon=0.25 initial=0", "eps epsilon=0.25 initial=5",
                                         "eps epsilon=0.0625 initial=0", "eps epsilon=0.0625 initial=5",
                                         "eps epsilon=0 initial=0", "eps epsilon=0 initial=5"};
    for (int k = 0; k < 6; k++) {
        ck_assert_str_eq(ex->agents[1 + k].label, labels[k]);
        ck_assert_str_eq(ex->agents[1 + k].name, "epsilon-greedy");
        ck_assert_int_eq(ex->agents[1 + k].entry, 1);
        ck_assert_int_eq(ex->agents[1 + k].swept, 1);
    }
    ck_assert_str_eq(ex->agents[2].params, "{\"step_size\":0.1,\"epsilon\":0.25,\"initial\":5}");
    ck_assert_int_eq(ex->agents[0].swept, 0);
    char *d = lgx_scenario_to_json(sc, ex);
    ck_assert_ptr_null(strstr(d, "\"sweep\""));
    char err[1024];
    ck_assert_msg(load_str(d, sc, back, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(back->n_agents, 7);
    for (int k = 0; k < 7; k++) {
        ck_assert_str_eq(back->agents[k].label, ex->agents[k].label);
        ck_assert_str_eq(back->agents[k].params, ex->agents[k].params);
    }
    free(d), free(sc), free(ex), free(back);
}
END_TEST

/* A random search: the same seed draws the same configurations, more
 * samples keep the first ones, another seed draws others; ranges are kept
 * (log-uniform spreads over decades), integers are integers, a list is a
 * choice among its values. */
START_TEST(test_sweep_random)
{
    lg_scenario *sc = new_scenario();
    lgx_experiment *a = new_experiment(), *b = new_experiment(), *c = new_experiment();
    const char *fmt = "{\"experiment\": {\"agents\": [{\"name\": \"dqn\", \"sweep\": {\"random\": {"
                      "\"learning_rate\": {\"min\": 0.00001, \"max\": 0.1, \"log\": true},"
                      " \"batch_size\": {\"min\": 8, \"max\": 64}, \"loss\": [\"mse\", \"huber\"]},"
                      " \"samples\": %d, \"seed\": %d}}]}}";
    char json[512];
    snprintf(json, sizeof json, fmt, 40, 7);
    expect_ok(json, sc, a);
    snprintf(json, sizeof json, fmt, 60, 7);
    expect_ok(json, sc, b);
    snprintf(json, sizeof json, fmt, 40, 8);
    expect_ok(json, sc, c);
    ck_assert_int_eq(a->n_agents, 40);
    ck_assert_int_eq(b->n_agents, 60);
    int decades[4] = {0}, huber = 0, same_as_c = 0;
    for (int k = 0; k < 40; k++) {
        ck_assert_str_eq(a->agents[k].params, b->agents[k].params);
        ck_assert_str_eq(a->agents[k].label, b->agents[k].label);
        same_as_c += !strcmp(a->agents[k].params, c->agents[k].params);
        cJSON *p = cJSON_Parse(a->agents[k].params);
        double lr = cJSON_GetObjectItem(p, "learning_rate")->valuedouble;
        double bs = cJSON_GetObjectItem(p, "batch_size")->valuedouble;
        ck_assert(lr >= 1e-5 && lr <= 0.1);
        ck_assert(bs >= 8 && bs <= 64 && bs == floor(bs));
        int dec = (int)floor(-log10(lr)) - 1; /* 1e-5..1e-4 -> 3, ..., 1e-2..1e-1 -> 0 */
        if (dec >= 0 && dec < 4) decades[dec]++;
        huber += !strcmp(cJSON_GetObjectItem(p, "loss")->valuestring, "huber");
        cJSON_Delete(p);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "dqn#%d ", k + 1);
        ck_assert_msg(!strncmp(a->agents[k].label, prefix, strlen(prefix)), "%s", a->agents[k].label);
    }
    for (int d = 0; d < 4; d++) ck_assert_msg(decades[d] >= 4, "decade %d has %d of 40 draws", d, decades[d]);
    ck_assert(huber >= 8 && huber <= 32);
    ck_assert_int_eq(same_as_c, 0);
    free(sc), free(a), free(b), free(c);
}
END_TEST

/* Sutton & Barto's Figure 2.6 as four sweeps is the hand-listed file's
 * experiment: the same agents with the same hyperparameters, in the same
 * order (so the same results; only the labels differ). */
START_TEST(test_sweeps_make_figure_2_6)
{
    lg_scenario *sc = new_scenario();
    lgx_experiment *hand = new_experiment(), *swept = new_experiment();
    char err[2048];
    ck_assert_msg(lgx_load_file(SCENARIO_DIR "/bandit-fig2.6.json", sc, hand, err, sizeof err) == 0, "%s", err);
    expect_ok("{\"kind\": \"bandit\", \"experiment\": {\"agents\": ["
              "{\"name\": \"epsilon-greedy\", \"label\": \"eps\", \"sweep\": {\"grid\": {\"epsilon\":"
              " [0.0078125, 0.015625, 0.03125, 0.0625, 0.125, 0.25]}}},"
              "{\"name\": \"gradient-bandit\", \"label\": \"grad\", \"sweep\": {\"grid\": {\"alpha\":"
              " [0.03125, 0.0625, 0.125, 0.25, 0.5, 1, 2, 4]}}},"
              "{\"name\": \"ucb1\", \"label\": \"ucb\", \"sweep\": {\"grid\": {\"c\":"
              " [0.0625, 0.125, 0.25, 0.5, 1, 2, 4]}}},"
              "{\"name\": \"epsilon-greedy\", \"label\": \"opt\", \"params\": {\"epsilon\": 0, \"step_size\": 0.1},"
              " \"sweep\": {\"grid\": {\"initial\": [0.25, 0.5, 1, 2, 4]}}}]}}",
              sc, swept);
    ck_assert_int_eq(swept->n_agents, hand->n_agents);
    for (int k = 0; k < hand->n_agents; k++) {
        ck_assert_str_eq(swept->agents[k].name, hand->agents[k].name);
        cJSON *a = cJSON_Parse(hand->agents[k].params), *b = cJSON_Parse(swept->agents[k].params);
        ck_assert_msg(cJSON_Compare(a, b, 1), "%s: %s vs %s", hand->agents[k].label, hand->agents[k].params,
                      swept->agents[k].params);
        cJSON_Delete(a), cJSON_Delete(b);
    }
    free(sc), free(hand), free(swept);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("experiment");
    TCase *tc = tcase_create("experiment");
    tcase_add_test(tc, test_world_loader_is_the_world_part);
    tcase_add_test(tc, test_experiment_section);
    tcase_add_test(tc, test_budget_in_minutes);
    tcase_add_test(tc, test_sweep_grid);
    tcase_add_test(tc, test_sweep_random);
    tcase_add_test(tc, test_sweeps_make_figure_2_6);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
