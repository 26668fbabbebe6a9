/* DQN: it learns (Cliff Walking's optimal path, every variant), checkpoints
 * continue bit for bit, and damaged or mismatched checkpoints are refused. */
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "agent_test.h"
#include "lg_test.h"
#include "lga_agent.h"
#include "lgn.h"
#include "lgx_loop.h"
#include "lgx_experiment.h"

#define CLIFF_PARAMS                                                                                           \
    "\"learning_rate\": 0.001, \"hidden\": [64], \"train_frequency\": 1, \"learning_starts\": 200, "           \
    "\"epsilon_decay_steps\": 4000, \"target_update\": 200, \"batch_size\": 64"

static lg_scenario *cliff(void)
{
    lg_scenario *sc = test_scenario();
    sc->kind = LG_KIND_CLIFF;
    sc->obs_mode = LG_OBS_VECTOR; /* one-hot position: a network input */
    sc->cliff.max_steps = 500;
    return sc;
}

static lga_agent *make(const char *params, const lg_env *env, uint64_t seed)
{
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    char err[512] = "";
    lga_agent *a = lga_create("dqn", params, &shape, seed, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    return a;
}

/* Train on Cliff Walking with 4 slots feeding one replay, then walk the
 * greedy policy: it must reach the goal in at most max_len steps without
 * falling (13 is the optimal path along the cliff). */
static void check_cliff(const char *extra, int max_len)
{
    lg_scenario *sc = cliff();
    char params[1024];
    snprintf(params, sizeof params, "{" CLIFF_PARAMS "%s}", extra);
    lg_env *env = test_env(sc, 4, 1, LG_LAYOUT_FLAT), *eval = test_env(sc, 1, 2, LG_LAYOUT_FLAT);
    lga_agent *a = make(params, env, 1);
    lgx_loop lt, le;
    lgx_loop_init(&lt, env), lgx_loop_init(&le, eval);
    lgx_train(&lt, a, env, 40000, NULL);
    /* The greedy agent needs an eval agent view with one slot: same weights. */
    lgx_tally g = {0};
    lgx_evaluate(&le, a, eval, 1, &g);
    ck_assert_msg(g.ret == -g.session_steps && g.session_steps <= max_len,
                  "dqn %s: greedy return %f in %f steps (optimal: -13 in 13)", extra, g.ret, g.session_steps);
    lgx_loop_free(&lt), lgx_loop_free(&le), lga_free(a), lg_env_free(env), lg_env_free(eval), free(sc);
}

START_TEST(test_dqn_solves_cliff) { check_cliff("", 13); }
END_TEST
START_TEST(test_dueling_solves_cliff) { check_cliff(", \"dueling\": true", 13); }
END_TEST
/* Soft target updates move the target more slowly overall; with this budget
 * the greedy path reaches the goal without falling. */
START_TEST(test_soft_target_reaches_goal_safely) { check_cliff(", \"dueling\": true, \"tau\": 0.2, \"target_update\": 50", 17); }
END_TEST
/* Double DQN's less optimistic targets propagate the goal's value more
 * slowly; with this budget it reaches the goal, without falling. */
START_TEST(test_double_reaches_goal_safely) { check_cliff(", \"double\": true", 17); }
END_TEST
/* Uncorrected n-step returns carry the exploring behaviour policy's value
 * (like Sarsa), so the path may keep a row away from the cliff. */
START_TEST(test_nstep_huber_reaches_goal_safely) { check_cliff(", \"n_step\": 3, \"loss\": \"huber\"", 17); }
END_TEST

/* The itemwise network scores channels from their features, so it needs the
 * live world (Cliff Walking's actions have none): it must clearly beat random. */
START_TEST(test_itemwise_learns_on_tabular_small)
{
    lg_scenario *sc = malloc(sizeof *sc);
    char err[1024];
    ck_assert_msg(lgx_load_file(LG_SOURCE_DIR "/scenarios/tabular-small.json", sc, NULL, err, sizeof err) == 0,
                  "%s", err);
    sc->obs_mode = LG_OBS_VECTOR;
    double ret[2];
    const char *names[2] = {"dqn", "random"};
    for (int k = 0; k < 2; k++) {
        lg_env *train = test_env(sc, 8, 1, LG_LAYOUT_FLAT), *eval = test_env(sc, 8, 1000001, LG_LAYOUT_FLAT);
        lga_obs_batch shape;
        lga_batch_from_env(train, &shape);
        lga_agent *a = lga_create(names[k],
                                  k ? "{}" : "{\"network\": \"itemwise\", \"hidden\": [64, 32], \"learning_rate\": 0.001, "
                                             "\"train_frequency\": 4, \"epsilon_decay_steps\": 10000}",
                                  &shape, 1, err, sizeof err);
        ck_assert_msg(a != NULL, "%s", err);
        lgx_loop lt, le;
        lgx_loop_init(&lt, train), lgx_loop_init(&le, eval);
        if (a->type->learns) lgx_train(&lt, a, train, 30000, NULL);
        lgx_tally g = {0};
        lgx_evaluate(&le, a, eval, 200, &g);
        ret[k] = g.ret / g.sessions;
        lgx_loop_free(&lt), lgx_loop_free(&le), lga_free(a), lg_env_free(train), lg_env_free(eval);
    }
    ck_assert_msg(ret[0] > 1.3 * ret[1], "itemwise dqn %f vs random %f", ret[0], ret[1]);
    free(sc);
}
END_TEST

static void state_bytes(lga_agent *a, unsigned char **out, size_t *len)
{
    lga_state_block b[LGA_MAX_STATE_BLOCKS];
    int n = a->type->state(a, b);
    size_t total = 0;
    for (int i = 0; i < n; i++) total += b[i].bytes;
    *out = malloc(total);
    size_t at = 0;
    for (int i = 0; i < n; i++) memcpy(*out + at, b[i].data, b[i].bytes), at += b[i].bytes;
    *len = total;
}

/* Train, save, load into a fresh agent; both continue on identical envs and
 * must stay identical to the bit: weights, optimiser, replay, RNG. */
START_TEST(test_checkpoint_continue_bit_identical)
{
    lg_scenario *sc = test_scenario();
    const char *params = "{\"hidden\": [32], \"learning_starts\": 100, \"train_frequency\": 4, \"buffer_size\": 2000, "
                         "\"n_step\": 2, \"double\": true}";
    lg_env *env = test_env(sc, 4, 3, LG_LAYOUT_FLAT);
    lga_agent *a = make(params, env, 5);
    lgx_loop lp;
    lgx_loop_init(&lp, env);
    lgx_train(&lp, a, env, 3000, NULL);
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/dqn_ckpt_%d.bin", LG_BINARY_DIR, (int)getpid());
    ck_assert_msg(lga_save(a, path, err, sizeof err) == 0, "%s", err);
    lga_agent *b = make(params, env, 999);
    ck_assert_msg(lga_load(b, path, err, sizeof err) == 0, "%s", err);
    lg_env *e1 = test_env(sc, 4, 8, LG_LAYOUT_FLAT), *e2 = test_env(sc, 4, 8, LG_LAYOUT_FLAT);
    lgx_loop l1, l2;
    lgx_loop_init(&l1, e1), lgx_loop_init(&l2, e2);
    for (int t = 0; t < 100; t++) {
        lgx_train(&l1, a, e1, 40, NULL);
        lgx_train(&l2, b, e2, 40, NULL);
        ck_assert(!memcmp(l1.actions, l2.actions, sizeof(int32_t) * 4));
    }
    unsigned char *sa, *sb;
    size_t na, nb;
    state_bytes(a, &sa, &na), state_bytes(b, &sb, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_msg(!memcmp(sa, sb, na), "state differs after continuing");
    free(sa), free(sb);
    remove(path);
    lgx_loop_free(&lp), lgx_loop_free(&l1), lgx_loop_free(&l2);
    lga_free(a), lga_free(b), lg_env_free(env), lg_env_free(e1), lg_env_free(e2), free(sc);
}
END_TEST

/* Same seed, same data: bit-identical weights (and a different seed differs). */
START_TEST(test_deterministic_training)
{
    lg_scenario *sc = test_scenario();
    const char *params = "{\"hidden\": [32], \"learning_starts\": 100, \"train_frequency\": 4}";
    unsigned char *s[3];
    size_t n[3];
    for (int r = 0; r < 3; r++) {
        lg_env *env = test_env(sc, 4, 3, LG_LAYOUT_FLAT);
        lga_agent *a = make(params, env, r == 2 ? 6 : 5);
        lgx_loop lp;
        lgx_loop_init(&lp, env);
        lgx_train(&lp, a, env, 2000, NULL);
        state_bytes(a, &s[r], &n[r]);
        lgx_loop_free(&lp), lga_free(a), lg_env_free(env);
    }
    ck_assert(n[0] == n[1] && !memcmp(s[0], s[1], n[0]));
    ck_assert(n[0] == n[2] && memcmp(s[0], s[2], n[0]));
    for (int r = 0; r < 3; r++) free(s[r]);
    free(sc);
}
END_TEST

/* The networks on a team of threads (lga_use_team): the same state, bit
 * for bit, as on the caller's thread alone, for the flat network (with
 * Double DQN's second scoring) and the item-wise one. The flat network's
 * first layer, 128 x 120 x the observation, is above LGN_TEAM_MIN_MACS,
 * and its 100,000-odd parameters above LGN_TEAM_MIN_ADAM: the team cuts
 * products, row building and Adam. */
START_TEST(test_team_same_state)
{
    lg_scenario *sc = test_scenario();
    const char *params[] = {"{\"learning_starts\": 200, \"train_frequency\": 4, \"double\": true}",
                            "{\"network\": \"itemwise\", \"learning_starts\": 200, \"train_frequency\": 4}"};
    for (int v = 0; v < 2; v++) {
        unsigned char *s[3];
        size_t n[3];
        for (int T = 1; T <= 3; T++) {
            lg_env *env = test_env(sc, 16, 3, LG_LAYOUT_FLAT);
            lga_agent *a = make(params[v], env, 5);
            if (v == 0) {
                ck_assert_int_ge(128L * 120 * lg_env_buffers(env)->obs_dim, LGN_TEAM_MIN_MACS);
                ck_assert_uint_ge((size_t)lg_env_buffers(env)->obs_dim * 120, LGN_TEAM_MIN_ADAM);
            }
            lgn_team *team = NULL;
            if (T > 1) ck_assert_int_eq(lgn_team_create(T, &team, NULL, 0), 0);
            lga_use_team(a, team);
            lgx_loop lp;
            lgx_loop_init(&lp, env);
            lgx_train(&lp, a, env, 3000, NULL);
            state_bytes(a, &s[T - 1], &n[T - 1]);
            lgx_loop_free(&lp), lga_free(a), lg_env_free(env);
            lgn_team_free(team);
        }
        for (int T = 2; T <= 3; T++)
            ck_assert_msg(n[0] == n[T - 1] && !memcmp(s[0], s[T - 1], n[0]), "%s: state differs on %d threads",
                          params[v], T);
        for (int T = 0; T < 3; T++) free(s[T]);
    }
    free(sc);
}
END_TEST

/* The corrupt-checkpoint corpus: every damaged file fails with a clear
 * message, never a crash, and the agent is left as it was. */
START_TEST(test_corrupt_checkpoints_refused)
{
    lg_scenario *sc = test_scenario();
    const char *params = "{\"hidden\": [16], \"buffer_size\": 300, \"learning_starts\": 50}";
    lg_env *env = test_env(sc, 2, 3, LG_LAYOUT_FLAT);
    lga_agent *a = make(params, env, 5);
    lgx_loop lp;
    lgx_loop_init(&lp, env);
    lgx_train(&lp, a, env, 400, NULL);
    char path[256], bad[256], err[512];
    snprintf(path, sizeof path, "%s/dqn_good_%d.bin", LG_BINARY_DIR, (int)getpid());
    snprintf(bad, sizeof bad, "%s/dqn_bad_%d.bin", LG_BINARY_DIR, (int)getpid());
    ck_assert_int_eq(lga_save(a, path, err, sizeof err), 0);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    size_t n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n), *copy = malloc(n);
    ck_assert_uint_eq(fread(buf, 1, n, f), n);
    fclose(f);
    lga_agent *b = make(params, env, 5);
    unsigned char *before, *after;
    size_t nb0, nb1;
    state_bytes(b, &before, &nb0);
    struct {
        size_t len;
        long flip;
        const char *expect;
    } cases[] = {
        {0, -1, "bad magic"},      {5, -1, "bad magic"},        {12, -1, "truncated or corrupt header"},
        {n / 3, -1, "truncated"},  {n - 1, -1, "truncated"},    {n, (long)n - 20, "checksum mismatch"},
        {n, (long)n / 2, "checksum mismatch"}, {n, 0, "bad magic"}, {n, 9, "format version"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memcpy(copy, buf, n);
        if (cases[c].flip >= 0) copy[cases[c].flip] ^= 0x41;
        test_write_bytes(bad, copy, cases[c].len);
        ck_assert_int_ne(lga_load(b, bad, err, sizeof err), 0);
        ck_assert_msg(strstr(err, cases[c].expect) && strstr(err, bad), "case %zu: %s", c, err);
    }
    /* Trailing garbage. */
    memcpy(copy, buf, n);
    FILE *g = fopen(bad, "wb");
    fwrite(copy, 1, n, g), fputc('x', g), fclose(g);
    ck_assert_int_ne(lga_load(b, bad, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "trailing bytes"), "%s", err);
    state_bytes(b, &after, &nb1);
    ck_assert(nb0 == nb1 && !memcmp(before, after, nb0)); /* untouched */
    /* A network of another shape: same sizes would not be enough. */
    lga_agent *other = make("{\"hidden\": [17], \"buffer_size\": 300}", env, 5);
    ck_assert_int_ne(lga_load(other, path, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "shape") || strstr(err, "block"), "%s", err);
    lga_agent *eg = NULL;
    {
        lga_obs_batch shape;
        lga_batch_from_env(env, &shape);
        eg = lga_create("epsilon-greedy", "{}", &shape, 1, err, sizeof err);
    }
    ck_assert_int_ne(lga_load(eg, path, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "expected \"epsilon-greedy\", found \"dqn\""), "%s", err);
    ck_assert_int_ne(lga_load(b, "/nonexistent/dir/x.bin", err, sizeof err), 0);
    ck_assert_msg(strstr(err, "cannot open"), "%s", err);
    remove(path), remove(bad);
    free(buf), free(copy), free(before), free(after);
    lgx_loop_free(&lp), lga_free(a), lga_free(b), lga_free(other), lga_free(eg), lg_env_free(env), free(sc);
}
END_TEST

/* act() scores all slots in one forward (in chunks when given more slots
 * than the agent was made for): each greedy action is the argmax of that
 * slot's own scores, flat and itemwise. */
START_TEST(test_batched_act_equals_per_slot)
{
    lg_scenario *sc = test_scenario();
    lg_env *small = test_env(sc, 2, 3, LG_LAYOUT_FLAT), *big = test_env(sc, 7, 4, LG_LAYOUT_FLAT);
    lga_obs_batch shape, b;
    lga_batch_from_env(small, &shape);
    lga_batch_from_env(big, &b);
    const char *params[] = {"{\"hidden\": [16]}", "{\"hidden\": [16], \"network\": \"itemwise\"}"};
    for (int p = 0; p < 2; p++) {
        char err[256] = "";
        lga_agent *a = lga_create("dqn", params[p], &shape, 9, err, sizeof err);
        ck_assert_msg(a != NULL, "%s", err);
        int32_t acts[7];
        a->type->act(a, &b, 1, acts);
        for (int i = 0; i < 7; i++) {
            float q[256];
            ck_assert_int_le(b.n_actions, 256);
            a->type->scores(a, &b, i, q);
            int best = -1;
            for (int c = 0; c < b.n_actions; c++)
                if (b.mask[i * b.n_actions + c] && (best < 0 || q[c] > q[best])) best = c;
            ck_assert_msg(acts[i] == best, "%s slot %d: acted %d, its scores say %d", params[p], i, acts[i], best);
        }
        lga_free(a);
    }
    lg_env_free(small), lg_env_free(big), free(sc);
}
END_TEST

/* The item-wise net scores only on-air channels when one item is chosen;
 * a slate longer than the channels on air is filled with off-air channels
 * by their Q, so a slate's acting scores them all: with one channel of six
 * on air, a greedy slate of two is that channel, then the off-air channel
 * that scores() ranks first, every time (left unscored, the off-air Q are
 * all 0 and each act would pick among them at random). */
START_TEST(test_itemwise_slate_fills_by_scores)
{
    enum { S = 4, CD = 3, C = 6 };
    float slot[S] = {0.3f, -0.2f, 0.7f, 0.1f}, table[C * CD];
    for (int i = 0; i < C * CD; i++) table[i] = (float)((i * 37) % 11) / 11.0f - 0.4f;
    uint8_t mask[C] = {0, 0, 0, 0, 0, 1};
    lga_obs_batch b;
    memset(&b, 0, sizeof b);
    b.n = 1, b.slot_dim = S, b.channel_dim = CD, b.n_actions = C, b.slate_size = 2;
    b.obs_dim = S + C * CD;
    b.slot_obs = slot, b.channel_obs = table, b.mask = mask;
    char err[256] = "";
    lga_agent *a = lga_create("dqn", "{\"hidden\": [8], \"network\": \"itemwise\"}", &b, 3, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    float q[C];
    ck_assert_int_eq(a->type->scores(a, &b, 0, q), 1);
    int best_off = -1;
    for (int c = 0; c < C - 1; c++)
        if (best_off < 0 || q[c] > q[best_off]) best_off = c;
    for (int t = 0; t < 50; t++) {
        int32_t acts[2];
        a->type->act(a, &b, 1, acts);
        ck_assert_int_eq(acts[0], 5);
        ck_assert_msg(acts[1] == best_off, "act %d: second item %d, the best off-air channel is %d", t, acts[1], best_off);
    }
    lga_free(a);
}
END_TEST

START_TEST(test_bad_hyperparameters)
{
    lg_scenario *sc = test_scenario();
    lg_env *env = test_env(sc, 2, 3, LG_LAYOUT_FLAT);
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    struct {
        const char *params, *expect;
    } cases[] = {
        {"{\"hidden\": [0]}", "dqn.params.hidden[0]: expected an integer in [1, 65536]"},
        {"{\"hidden\": 64}", "dqn.params.hidden: expected an array"},
        {"{\"network\": \"conv\"}", "dqn.params.network: expected one of flat, itemwise"},
        {"{\"network\": \"itemwise\", \"dueling\": true}", "dqn.params.dueling"},
        {"{\"gamma\": 1.5}", "dqn.params.gamma: expected a number in [0, 1], found 1.5"},
        {"{\"batchsize\": 32}", "dqn.params.batchsize: unknown key"},
        {"{\"hidden\": [65536, 65536]}", "dqn: hidden: expected a network of at most 67108864 parameters, found "},
        {"{\"hidden\": [4096], \"batch_size\": 65536}", "dqn: batch_size: expected at most 268435456 floats"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        test_create_refused("dqn", cases[c].params, &shape, cases[c].expect);
    lg_env_free(env), free(sc);
}
END_TEST

/* Item-wise scores are summed by parts (each state's context once, then
 * each channel's inputs): the same floats as a net that scores whole rows
 * (context, follows bit, channel row) built here by hand, with two hidden
 * layers and one, on a world whose viewers follow channels, in the vector
 * observation and in the ideal one (where context follows the follows). */
START_TEST(test_itemwise_scores_equal_whole_rows)
{
    static const char *const params[] = {"{\"network\": \"itemwise\", \"hidden\": [16, 8]}",
                                         "{\"network\": \"itemwise\", \"hidden\": [12]}"};
    lg_scenario *sc = test_scenario();
    sc->follow_rate = 1.0f;
    int followed = 0;
    for (int p = 0; p < 2; p++) {
        sc->obs_mode = p == 0 ? LG_OBS_VECTOR : LG_OBS_IDEAL;
        lg_env *env = test_env(sc, 4, 5, LG_LAYOUT_FLAT);
        int32_t act[4];
        lg_stream rng = lg_stream_make(3, TEST_STREAM, 0);
        for (int t = 0; t < 60; t++) test_random_actions(env, &rng, act), lg_env_step(env, act);
        lga_obs_batch b;
        lga_batch_from_env(env, &b);
        const int C = b.n_actions, fo = lga_block_offset(&b, "follows", 0), ctx = b.slot_dim - C;
        ck_assert_int_ge(fo, 0);
        ck_assert(p == 0 || fo + C < b.slot_dim);
        lga_agent *a = make(params[p], env, 7);
        lga_state_block bl[LGA_MAX_STATE_BLOCKS];
        int nb = a->type->state(a, bl);
        const float *theta = NULL;
        for (int k = 0; k < nb; k++)
            if (!strcmp(bl[k].name, "params")) theta = bl[k].data;
        ck_assert_ptr_nonnull(theta);
        int w[4] = {ctx + 1 + b.channel_dim, p == 0 ? 16 : 12, p == 0 ? 8 : 1, 1}, nw = p == 0 ? 4 : 3;
        lgn_mlp *net;
        char err[256];
        ck_assert_int_eq(lgn_mlp_create(w, nw, 64, &net, err, sizeof err), 0);
        memcpy(lgn_mlp_params(net), theta, sizeof(float) * lgn_mlp_n_params(net));
        float *rows = malloc(sizeof(float) * (size_t)C * (size_t)w[0]), want[256], got[256];
        for (int i = 0; i < b.n; i++) {
            const float *o = b.obs + (size_t)i * b.obs_dim;
            for (int c = 0; c < C; c++) {
                float *r = rows + (size_t)c * w[0];
                memcpy(r, o, sizeof(float) * (size_t)fo);
                memcpy(r + fo, o + fo + C, sizeof(float) * (size_t)(b.slot_dim - fo - C));
                r[ctx] = o[fo + c];
                followed += o[fo + c] > 0.5f;
                memcpy(r + ctx + 1, o + b.slot_dim + (size_t)c * b.channel_dim, sizeof(float) * (size_t)b.channel_dim);
            }
            ck_assert_int_eq(lgn_mlp_predict(net, rows, C, want), 0);
            ck_assert_int_eq(a->type->scores(a, &b, i, got), 1);
            ck_assert_msg(!memcmp(want, got, sizeof(float) * (size_t)C), "params %d slot %d", p, i);
        }
        free(rows);
        lgn_mlp_free(net);
        lga_free(a);
        lg_env_free(env);
    }
    ck_assert_int_gt(followed, 0);
    free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dqn");
    TCase *tc = tcase_create("dqn");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_dqn_solves_cliff);
    tcase_add_test(tc, test_dueling_solves_cliff);
    tcase_add_test(tc, test_soft_target_reaches_goal_safely);
    tcase_add_test(tc, test_double_reaches_goal_safely);
    tcase_add_test(tc, test_nstep_huber_reaches_goal_safely);
    tcase_add_test(tc, test_itemwise_learns_on_tabular_small);
    tcase_add_test(tc, test_checkpoint_continue_bit_identical);
    tcase_add_test(tc, test_deterministic_training);
    tcase_add_test(tc, test_team_same_state);
    tcase_add_test(tc, test_corrupt_checkpoints_refused);
    tcase_add_test(tc, test_bad_hyperparameters);
    tcase_add_test(tc, test_batched_act_equals_per_slot);
    tcase_add_test(tc, test_itemwise_scores_equal_whole_rows);
    tcase_add_test(tc, test_itemwise_slate_fills_by_scores);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
