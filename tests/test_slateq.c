/* Slates: the exact slate solvers against brute force, and SlateQ: it
 * learns the world's choice model from clicks alone, and it learns to
 * beat top-k myopic ranking. */
#include <math.h>
#include <stdio.h>

#include "lg_test.h"
#include "agent_test.h"
#include "lga_agent.h"
#include "lga_slate.h"
#include "lgx_experiment.h"
#include "lgx_loop.h"
#include "lgx_metrics.h"

/* The worth of an ordered slate under the logit family or the cascade. */
static double worth(const double *w, const double *r, const int32_t *s, int k, const double *f, int cascade, double d)
{
    double num = 0.0, den = 1.0, reach = 1.0, got = 0.0;
    for (int j = 0; j < k; j++) {
        if (cascade) {
            double p = w[s[j]] / (1.0 + w[s[j]]);
            got += reach * p * r[s[j]];
            reach *= (1.0 - p) * d;
        } else {
            num += f[j] * w[s[j]] * r[s[j]], den += f[j] * w[s[j]];
        }
    }
    return cascade ? got : num / den;
}

/* The best worth of any ordered choice of L distinct unmasked items for
 * positions 0..L-1, by enumeration. */
static double brute(const double *w, const double *r, const uint8_t *mask, int n, int L, const double *f, int cascade,
                    double d, int32_t *t, int depth)
{
    if (depth == L) return worth(w, r, t, L, f, cascade, d);
    double best = -INFINITY;
    for (int c = 0; c < n; c++) {
        int used = !mask[c];
        for (int q = 0; q < depth; q++) used |= t[q] == c;
        if (used) continue;
        t[depth] = c;
        double v = brute(w, r, mask, n, L, f, cascade, d, t, depth + 1);
        if (v > best) best = v;
    }
    return best;
}

/* Every ordered choice of 3 of 7 items, some masked (sometimes fewer than 3
 * left: they take the first positions), values of both signs, position
 * factors in any order (SlateQ learns them; nothing makes them decrease):
 * the solvers' slate is worth the brute-force best, and the value they
 * state is that slate's worth. */
START_TEST(test_solvers_are_exact)
{
    enum { N = 7, K = 3 };
    lga_slate_solver s;
    ck_assert_int_eq(lga_slate_solver_init(&s, N, K), 0);
    lg_stream rng = lg_stream_make(3, TEST_STREAM, 0);
    int short_slates = 0;
    for (int trial = 0; trial < 400; trial++) {
        double w[N], r[N], f[K];
        uint8_t mask[N];
        for (int c = 0; c < N; c++) {
            w[c] = exp(4.0 * lg_stream_u01(&rng) - 2.0);
            r[c] = 10.0 * lg_stream_u01(&rng) - 3.0;
            mask[c] = lg_stream_u01(&rng) < (trial < 200 ? 0.85 : 0.3);
        }
        for (int j = 0; j < K; j++) f[j] = exp(2.0 * lg_stream_u01(&rng) - 1.0);
        const int cascade = trial % 2;
        const double d = lg_stream_u01(&rng);
        int32_t out[K];
        double value;
        int got = cascade ? lga_slate_cascade(&s, w, r, mask, K, d, out, &value)
                          : lga_slate_logit(&s, w, r, mask, K, f, out, &value);
        int valid = 0;
        for (int c = 0; c < N; c++) valid += mask[c];
        const int L = valid < K ? valid : K;
        ck_assert_int_eq(got, L);
        short_slates += L < K;
        if (!L) continue;
        int32_t t[K];
        double best = brute(w, r, mask, N, L, f, cascade, d, t, 0);
        double mine = worth(w, r, out, L, f, cascade, d);
        ck_assert_msg(mine >= best - 1e-9 * (1.0 + fabs(best)), "trial %d (%s): solver's slate %f, best %f", trial,
                      cascade ? "cascade" : "logit", mine, best);
        ck_assert_msg(fabs(value - mine) <= 1e-9 * (1.0 + fabs(mine)), "trial %d: stated %f, worth %f", trial, value,
                      mine);
    }
    ck_assert_int_ge(short_slates, 30);
    lga_slate_solver_free(&s);
}
END_TEST

static const float *block(lga_agent *a, const char *name)
{
    lga_state_block b[LGA_MAX_STATE_BLOCKS];
    return test_state_block(b, a->type->state(a, b), name)->data;
}

/* The default world with slates of 3 under `model`; SlateQ trains on it
 * and its learned position weights (logit) or look-further probability
 * (cascade) must come out near the scenario's. The world's choice model is
 * only ever seen through what viewers took. */
static void check_choice_learned(lg_slate_choice model, float decay)
{
    lg_scenario *sc = test_scenario();
    sc->slate_size = 3, sc->slate_choice = model, sc->position_decay = decay;
    lg_env *env = test_env(sc, 8, 1, LG_LAYOUT_FLAT);
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    char err[512] = "";
    /* Random slates throughout; gamma 0 and a small value network: only
     * the choice model matters here. */
    const char *params = model == LG_SLATE_CASCADE
                             ? "{\"choice\": \"cascade\", \"epsilon_final\": 1, \"gamma\": 0, \"hidden\": [8]}"
                             : "{\"epsilon_final\": 1, \"gamma\": 0, \"hidden\": [8]}";
    lga_agent *a = lga_create("slateq", params, &shape, 1, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    lgx_loop lp;
    ck_assert_int_eq(lgx_loop_init(&lp, env), 0);
    lgx_train(&lp, a, env, 40000, NULL);
    const float *x = block(a, "choice_extra");
    if (model == LG_SLATE_CASCADE) {
        double d = 1.0 / (1.0 + exp(-(double)x[LG_MAX_SLATE]));
        ck_assert_msg(fabs(d - decay) < 0.1, "cascade: learned look-further probability %f, the world's %f", d, decay);
    } else {
        for (int j = 1; j < 3; j++) {
            double want = pow(decay, j), got = exp(x[j]);
            ck_assert_msg(fabs(got - want) < 0.1, "logit: learned weight of position %d %f, the world's %f", j, got,
                          want);
        }
    }
    lgx_loop_free(&lp), lga_free(a), lg_env_free(env), free(sc);
}

START_TEST(test_learns_position_weights) { check_choice_learned(LG_SLATE_POSITION, 0.5f); }
END_TEST
START_TEST(test_learns_plain_logit) { check_choice_learned(LG_SLATE_MNL, 1.0f); }
END_TEST
START_TEST(test_learns_cascade) { check_choice_learned(LG_SLATE_CASCADE, 0.6f); }
END_TEST

/* SlateQ learns: on scenarios/slate.json's world (clickbait, slates of 3,
 * position logit) it earns far more per session than top-k myopic ranking
 * with the true state (the cheating oracle), which fills sessions with
 * clickbait. One seed, and a smaller batch and budget than the file's. */
START_TEST(test_beats_topk_myopic)
{
    lg_scenario *sc = malloc(sizeof *sc);
    char err[1024];
    ck_assert_msg(lgx_load_file(LG_SOURCE_DIR "/scenarios/slate.json", sc, NULL, err, sizeof err) == 0, "%s", err);
    const char *names[2] = {"slateq", "oracle"};
    const char *params[2] = {"{\"hidden\": [64, 32], \"learning_rate\": 0.001, \"train_frequency\": 4, "
                             "\"epsilon_decay_steps\": 20000, \"gamma\": 0.9, \"batch_size\": 64}",
                             "{}"};
    double ret[2];
    for (int k = 0; k < 2; k++) {
        lg_env *train = test_env(sc, 16, 1, LG_LAYOUT_FLAT), *eval = test_env(sc, 16, 1000001, LG_LAYOUT_FLAT);
        lga_obs_batch shape;
        lga_batch_from_env(train, &shape);
        lga_agent *a = lga_create(names[k], params[k], &shape, 1, err, sizeof err);
        ck_assert_msg(a != NULL, "%s", err);
        lgx_loop lt, le;
        lgx_loop_init(&lt, train), lgx_loop_init(&le, eval);
        if (a->type->learns) lgx_train(&lt, a, train, 80000, NULL);
        lgx_tally g = {0};
        lgx_evaluate(&le, a, eval, 200, &g);
        ret[k] = g.ret / g.sessions;
        lgx_loop_free(&lt), lgx_loop_free(&le), lga_free(a), lg_env_free(train), lg_env_free(eval);
    }
    ck_assert_msg(ret[0] > ret[1] + 40.0, "per session: slateq %f, top-k myopic %f", ret[0], ret[1]);
    free(sc);
}
END_TEST

/* Intra-list diversity: an agent that always shows the same three
 * channels of scenarios/slate.json's world (all on air; channels 0-3
 * gaming, 4-7 music, 8-11 talk) scores the share of its slate's pairs from
 * different categories: 0, 2/3 and 1. */
static int32_t fixed_slate[3];

static void fixed_act(lga_agent *a, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    (void)a, (void)greedy;
    for (int i = 0; i < b->n; i++) memcpy(&actions[i * 3], fixed_slate, sizeof fixed_slate);
}

static lga_agent *fixed_create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    (void)params, (void)shape, (void)seed, (void)err, (void)errsz;
    return calloc(1, sizeof(lga_agent));
}

static void fixed_update(lga_agent *a, const lga_transition_batch *tr) { (void)a, (void)tr; }
static void fixed_free(lga_agent *a) { free(a); }
static int fixed_state(lga_agent *a, lga_state_block *b) { (void)a, (void)b; return 0; }

START_TEST(test_diversity_metric)
{
    static const lga_agent_type fixed = {.name = "fixed", .summary = "the same slate", .create = fixed_create,
                                         .act = fixed_act, .update = fixed_update, .free = fixed_free,
                                         .state = fixed_state};
    static const int32_t slates[3][3] = {{0, 1, 2}, {0, 1, 4}, {0, 4, 8}};
    const double want[3] = {0.0, 2.0 / 3.0, 1.0};
    lg_scenario *sc = malloc(sizeof *sc);
    char err[1024];
    ck_assert_msg(lgx_load_file(LG_SOURCE_DIR "/scenarios/slate.json", sc, NULL, err, sizeof err) == 0, "%s", err);
    for (int s = 0; s < 3; s++) {
        memcpy(fixed_slate, slates[s], sizeof fixed_slate);
        lg_env *env = test_env(sc, 4, 1, LG_LAYOUT_FLAT);
        lga_obs_batch shape;
        lga_batch_from_env(env, &shape);
        lga_agent *a = lga_create_type(&fixed, "{}", &shape, 1, err, sizeof err);
        ck_assert_msg(a != NULL, "%s", err);
        lgx_loop lp;
        ck_assert_int_eq(lgx_loop_init(&lp, env), 0);
        ck_assert_int_eq(lgx_loop_enable_relevance(&lp, env), 0);
        lgx_tally t = {0};
        lgx_evaluate(&lp, a, env, 20, &t);
        double m[LGX_M_COUNT];
        lgx_metrics_of(&t, &lp, shape.n_actions, 3, m);
        ck_assert_msg(fabs(m[LGX_M_DIVERSITY] - want[s]) < 1e-12, "slate %d %d %d: diversity %f, want %f",
                      slates[s][0], slates[s][1], slates[s][2], m[LGX_M_DIVERSITY], want[s]);
        lgx_loop_free(&lp), lga_free(a), lg_env_free(env);
    }
    free(sc);
}
END_TEST

/* Networks and buffers too large are refused before anything is allocated,
 * with the field to change (the scoring buffers: each state's context and
 * first-layer share, each row's own inputs and first layer); a wide first
 * layer with the default batch is not. */
START_TEST(test_too_big_refused)
{
    lg_scenario *sc = test_scenario();
    sc->slate_size = 3;
    lg_env *env = test_env(sc, 4, 1, LG_LAYOUT_FLAT);
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    test_create_refused("slateq", "{\"hidden\": [65536, 65536]}", &shape,
                        "slateq: hidden: expected networks of at most 67108864 parameters, found ");
    test_create_refused("slateq", "{\"hidden\": [4096], \"batch_size\": 65536}", &shape,
                        "slateq: batch_size: expected at most 268435456 floats");
    char err[512] = "";
    lga_agent *a = lga_create("slateq", "{\"hidden\": [2048], \"batch_size\": 128}", &shape, 1, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    lga_free(a);
    lg_env_free(env), free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("slateq");
    TCase *tc = tcase_create("slateq");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_solvers_are_exact);
    tcase_add_test(tc, test_learns_position_weights);
    tcase_add_test(tc, test_learns_plain_logit);
    tcase_add_test(tc, test_learns_cascade);
    tcase_add_test(tc, test_beats_topk_myopic);
    tcase_add_test(tc, test_diversity_metric);
    tcase_add_test(tc, test_too_big_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
