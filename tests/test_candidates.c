/* The candidate stage (session.candidates): what the retrieval picks, how
 * actions map to channels, what the agent sees, and that it matters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env_internal.h"
#include "agent_test.h"
#include "lga_agent.h"
#include "lga_replay.h"
#include "lgx_loop.h"
#include "lgx_metrics.h"
#include "lg_test.h"

static lg_scenario *candidate_scenario(int A)
{
    lg_scenario *sc = test_scenario();
    sc->candidates = A;
    sc->follow_rate = 0.5f; /* viewers follow quickly: the followed part of the list is exercised */
    sc->n_viewers = 200;
    sc->n_events = 0;
    return sc;
}

/* The ground truth's greedy choice among what the slot can pick. */
static void greedy_actions(lg_env *env, int32_t *act)
{
    const lg_buffers *b = lg_env_buffers(env);
    float er[64];
    for (int i = 0; i < b->n_slots; i++) {
        lg_env_expected_reward(env, i, er);
        int best = 0;
        for (int a = 1; a < b->n_actions; a++)
            if (er[a] > er[best]) best = a;
        act[i] = best;
    }
}

/* The retrieval, written the slow way: sort everything that was on air at
 * the last platform tick by its concurrency then (conc, on: copies taken
 * then), then walk the rule of docs/model.md, passing over the channels no
 * longer on air. */
static int slow_before(const float *conc, int a, int b)
{
    return conc[a] > conc[b] || (conc[a] == conc[b] && a < b);
}

static void slow_retrieve(const lg_env *env, int slot, const float *conc, const uint8_t *on, int32_t *out)
{
    const lg_live *L = &env->live;
    const int A = env->A, v = env->slot[slot].viewer;
    int32_t order[64], n_on = 0, n = 0;
    for (int c = 0; c < env->C; c++)
        if (on[c]) {
            int j = n_on++;
            for (; j > 0 && slow_before(conc, c, order[j - 1]); j--) order[j] = order[j - 1];
            order[j] = c;
        }
    for (int j = 0; j < L->n_follows[v] && n < A; j++)
        if (L->on_air[L->follows[(size_t)v * L->F + j]]) out[n++] = L->follows[(size_t)v * L->F + j];
    const float *h = &L->history[(size_t)slot * L->K];
    int fav = 0;
    for (int k = 1; k < L->K; k++) fav = h[k] > h[fav] ? k : fav;
    if (!(h[fav] > 0.0f)) {
        const float *in = env->sc.segments[L->seg_of[v]].interest;
        fav = 0;
        for (int k = 1; k < L->K; k++) fav = in[k] > in[fav] ? k : fav;
    }
    /* Each list is its first A in rank order (the category's, the platform's). */
    int32_t cat[64], all[64], n_cat = 0, n_all = 0;
    for (int j = 0; j < n_on; j++) {
        if (env->channels[order[j]].category == fav && n_cat < A) cat[n_cat++] = order[j];
        if (n_all < A) all[n_all++] = order[j];
    }
    int i = 0, j = 0;
    while (n < A && (i < n_cat || j < n_all)) {
        for (int turn = 0; turn < 2 && n < A; turn++) {
            const int32_t *list = turn ? all : cat;
            int *at = turn ? &j : &i, len = turn ? n_all : n_cat;
            while (*at < len) {
                int c = list[(*at)++], dup = !L->on_air[c];
                for (int q = 0; q < n; q++) dup |= out[q] == c;
                if (!dup) {
                    out[n++] = c;
                    break;
                }
            }
        }
    }
    for (; n < A; n++) out[n] = -1;
}

/* Candidates are exactly the documented rule's (the slow retrieval above);
 * distinct, on air; empty places only when the channels on air run out
 * (which the larger list meets); mask, follows block and channel rows are
 * the candidates'. With the platform moving every 5 steps, the lists are
 * the last tick's, less what went off air. */
static const int retrieval_sizes[] = {12, 40};
START_TEST(test_retrieval_rules)
{
    const int A = retrieval_sizes[_i % 2], tick = _i < 2 ? 1 : 5;
    lg_scenario *sc = candidate_scenario(A);
    sc->platform_tick = tick;
    lg_env *env = test_env(sc, 8, 3, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    ck_assert_int_eq(b->n_actions, A);
    ck_assert_int_eq(b->n_channels, sc->n_channels);
    ck_assert_ptr_nonnull(b->candidates);
    const lg_obs_block *blocks;
    int nb = lg_env_obs_layout(env, &blocks), fo = -1;
    for (int k = 0; k < nb; k++)
        if (!strcmp(blocks[k].name, "follows")) fo = blocks[k].offset;
    ck_assert_int_ge(fo, 0);
    int32_t act[8], want[64];
    int followed_seen = 0, short_lists = 0, passed_over = 0;
    float conc[64];
    uint8_t on[64];
    ck_assert_int_le(env->C, 64);
    for (int t = 0; t < 400; t++) {
        const lg_live *L = &env->live;
        if (env->steps % tick == 0) { /* ranked at this step */
            memcpy(conc, L->concurrency, sizeof(float) * (size_t)env->C);
            memcpy(on, L->on_air, (size_t)env->C);
        }
        for (int c = 0; c < env->C; c++) passed_over += on[c] && !L->on_air[c];
        int n_on = 0;
        for (int c = 0; c < env->C; c++) n_on += L->on_air[c];
        for (int i = 0; i < 8; i++) {
            const int32_t *cand = &b->candidates[(size_t)i * A];
            const int v = env->slot[i].viewer;
            slow_retrieve(env, i, conc, on, want);
            for (int j = 0; j < A; j++) ck_assert_msg(cand[j] == want[j], "step %d slot %d place %d: %d, expected %d",
                                                      t, i, j, cand[j], want[j]);
            for (int j = 0; j < A; j++) {
                const float *o = &b->obs[(size_t)i * b->obs_dim];
                ck_assert_int_eq(b->mask[(size_t)i * A + j], cand[j] >= 0);
                ck_assert_float_eq(o[fo + j], cand[j] >= 0 && lg_is_followed(env, v, cand[j]) ? 1.0f : 0.0f);
                if (cand[j] < 0) { /* between ticks the lists also lose what went off air */
                    if (tick == 1) ck_assert_int_lt(n_on, A);
                    continue;
                }
                ck_assert(L->on_air[cand[j]]);
                followed_seen += lg_is_followed(env, v, cand[j]);
                /* the table's static columns, and the dynamic ones of now
                 * (which the table leaves at 0 with a candidate stage) */
                const float *row = o + b->slot_dim + (size_t)j * b->channel_dim;
                float want_row[64];
                ck_assert_int_le(b->channel_dim, 64);
                memcpy(want_row, &b->channel_obs[(size_t)cand[j] * b->channel_dim], sizeof(float) * (size_t)b->channel_dim);
                ck_assert(want_row[L->ch_on] == 0.0f && want_row[L->ch_conc] == 0.0f && want_row[L->ch_since] == 0.0f);
                lg_channel_state cs;
                lg_env_channel(env, cand[j], &cs);
                want_row[L->ch_on] = 1.0f;
                want_row[L->ch_conc] = lg_clampf(L->log1p_conc[cand[j]] * L->conc_norm, 0.0f, 1.0f);
                want_row[L->ch_since] = lg_clampf(cs.minutes_since_start / 240.0f, 0.0f, 1.0f);
                ck_assert(!memcmp(row, want_row, sizeof(float) * (size_t)b->channel_dim));
            }
            short_lists += n_on < A;
        }
        greedy_actions(env, act);
        lg_env_step(env, act);
    }
    ck_assert_int_gt(followed_seen, 50);
    if (A == 40) ck_assert_int_gt(short_lists, 100);
    if (tick > 1) ck_assert_int_gt(passed_over, 20); /* channels did go off between ticks */
    lg_env_free(env), free(sc);
}
END_TEST

/* An action is a position in the slot's list: the viewer watches that
 * channel or nothing; an empty place or a position past the list is an
 * invalid item. The ground truth per action is the catalogue's at the
 * candidate. */
START_TEST(test_actions_are_positions)
{
    const int A = 6;
    lg_scenario *sc = candidate_scenario(A);
    lg_env *env = test_env(sc, 8, 5, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    int32_t act[8], cand[8 * 6];
    float er[6], all[64];
    lg_stream rng = lg_stream_make(3, TEST_STREAM, 0);
    int watched = 0;
    for (int t = 0; t < 300; t++) {
        for (int i = 0; i < 8; i++) {
            lg_env_expected_reward(env, i, er);
            lg_env_expected_reward_channels(env, i, all);
            for (int j = 0; j < A; j++) {
                int c = b->candidates[(size_t)i * A + j];
                ck_assert_float_eq(er[j], c >= 0 ? all[c] : -sc->invalid_penalty);
            }
        }
        memcpy(cand, b->candidates, sizeof cand);
        for (int i = 0; i < 8; i++) act[i] = (int32_t)lg_stream_below(&rng, (uint32_t)A + 2); /* some past the list */
        lg_env_step(env, act);
        for (int i = 0; i < 8; i++) {
            int c = act[i] < A ? cand[i * A + act[i]] : -1;
            ck_assert_int_eq(b->info[i].invalid, c < 0);
            ck_assert(b->info[i].watched == -1 || b->info[i].watched == c);
            ck_assert_int_eq(b->info[i].position, b->info[i].watched >= 0 ? 0 : -1); /* an index into the slate */
            watched += b->info[i].watched >= 0;
        }
    }
    ck_assert_int_gt(watched, 200);
    lg_env_free(env), free(sc);
}
END_TEST

/* A world with a candidate stage has no shared layout; a stage larger
 * than the catalogue, smaller than the slate or in a classic world is
 * refused by name. */
START_TEST(test_refusals)
{
    lg_scenario *sc = candidate_scenario(10);
    char err[512] = "";
    lg_env *env = NULL;
    ck_assert_int_ne(lg_env_create(sc, 4, 1, LG_LAYOUT_SHARED, &env, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "candidate stage") && strstr(err, "expected flat, found shared"), "%s", err);
    sc->candidates = sc->n_channels + 1;
    ck_assert_int_ne(lg_scenario_check(sc, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "session.candidates: expected 0 (no candidate stage) or from the slate size"), "%s", err);
    sc->slate_size = 3, sc->candidates = 2;
    ck_assert_int_ne(lg_scenario_check(sc, err, sizeof err), 0);
    sc->slate_size = 1, sc->candidates = 4, sc->kind = LG_KIND_BANDIT;
    ck_assert_int_ne(lg_scenario_check(sc, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "session.candidates: expected 0 in a classic world"), "%s", err);
    free(sc);
}
END_TEST

/* A state saved with a candidate stage loads back to the same candidates,
 * observations and steps; a forged final candidate is refused by name. */
START_TEST(test_state_round_trip)
{
    lg_scenario *sc = candidate_scenario(8);
    lg_env *a = test_env(sc, 8, 7, LG_LAYOUT_FLAT), *c = test_env(sc, 8, 99, LG_LAYOUT_FLAT);
    int32_t act[8];
    for (int t = 0; t < 60; t++) greedy_actions(a, act), lg_env_step(a, act);
    size_t n = lg_env_state_size(a);
    unsigned char *buf = malloc(n);
    ck_assert_uint_eq(lg_env_state_save(a, buf, n), n);
    char err[512];
    ck_assert_msg(lg_env_state_load(c, buf, n, err, sizeof err) == 0, "%s", err);
    const lg_buffers *ba = lg_env_buffers(a), *bc = lg_env_buffers(c);
    ck_assert(!memcmp(ba->candidates, bc->candidates, sizeof(int32_t) * 8 * 8));
    ck_assert(!memcmp(ba->obs, bc->obs, sizeof(float) * 8 * (size_t)ba->obs_dim));
    unsigned char *again = malloc(n);
    ck_assert_uint_eq(lg_env_state_save(c, again, n), n);
    ck_assert_msg(!memcmp(buf, again, n), "the state changed in a round trip");
    free(again);
    for (int t = 0; t < 60; t++) {
        greedy_actions(a, act), lg_env_step(a, act), lg_env_step(c, act);
        ck_assert(!memcmp(ba->reward, bc->reward, sizeof(float) * 8));
        ck_assert(!memcmp(ba->candidates, bc->candidates, sizeof(int32_t) * 8 * 8));
    }
    size_t at = 64 /* header */ + (size_t)((const char *)a->buf.final_candidates - (const char *)a->block);
    int32_t bad = a->C;
    memcpy(buf + at, &bad, sizeof bad);
    ck_assert_int_ne(lg_env_state_load(c, buf, n, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "final_candidates[0]: expected -1 or a channel"), "%s", err);
    free(buf);
    lg_env_free(a), lg_env_free(c), free(sc);
}
END_TEST

/* A copy carries the source's ranked lists; the retrieval's lists kept
 * from the destination's own last step must not survive it: a session
 * started right after the copy gets the candidates it gets in the source. */
START_TEST(test_copy_then_new_sessions)
{
    lg_scenario *sc = candidate_scenario(8);
    sc->follow_rate = 0.0f; /* no follows: every retrieval is its category's list */
    lg_env *src = test_env(sc, 8, 7, LG_LAYOUT_FLAT), *dst = test_env(sc, 8, 7, LG_LAYOUT_FLAT);
    int32_t act[8];
    for (int t = 0; t < 40; t++) greedy_actions(src, act), lg_env_step(src, act);
    for (int t = 0; t < 3; t++) greedy_actions(dst, act), lg_env_step(dst, act);
    char err[512];
    ck_assert_msg(lg_env_copy_state(dst, src, err, sizeof err) == 0, "%s", err);
    const lg_buffers *bs = lg_env_buffers(src), *bd = lg_env_buffers(dst);
    for (int i = 0; i < 8; i++) {
        const uint64_t seed = 1000 + (uint64_t)i;
        lg_env_reset_slot(src, i, &seed);
        lg_env_reset_slot(dst, i, &seed);
        ck_assert_msg(!memcmp(&bs->candidates[i * 8], &bd->candidates[i * 8], sizeof(int32_t) * 8),
                      "slot %d: other candidates after a copy", i);
    }
    lg_env_free(src), lg_env_free(dst), free(sc);
}
END_TEST

/* Mean reward per slot-step of the ground truth's greedy choice, and the
 * retrieval recall the evaluation loop measures, for a stage of A (0: none). */
static double greedy_reward(int A, double *recall)
{
    lg_scenario *sc = candidate_scenario(A);
    sc->follow_rate = 0.05f;
    lg_env *env = test_env(sc, 16, 11, LG_LAYOUT_FLAT);
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    char err[256];
    lga_agent *oracle = lga_create("oracle", NULL, &shape, 1, err, sizeof err);
    ck_assert_msg(oracle != NULL, "%s", err);
    lgx_loop lp;
    ck_assert_int_eq(lgx_loop_init(&lp, env), 0);
    ck_assert_int_eq(lgx_loop_enable_relevance(&lp, env), 0);
    lgx_tally t;
    memset(&t, 0, sizeof t);
    lgx_evaluate(&lp, oracle, env, 400, &t);
    double m[LGX_M_COUNT];
    lgx_metrics_of(&t, &lp, sc->n_channels, 1, m);
    *recall = m[LGX_M_RETRIEVAL];
    lgx_loop_free(&lp);
    lga_free(oracle);
    lg_env_free(env), free(sc);
    return t.ret / t.steps;
}

/* The stage matters: with 3 candidates the oracle finds less of the
 * catalogue's best and earns less than ranking everything; with every
 * channel a candidate, recall is 1 and it earns what it earns without a
 * stage. Without one the recall is 1 by definition. */
START_TEST(test_candidates_matter)
{
    double r_none, r3, r_all;
    double none = greedy_reward(0, &r_none), three = greedy_reward(3, &r3), all = greedy_reward(50, &r_all);
    ck_assert_double_eq(r_none, 1.0);
    ck_assert_double_eq(r_all, 1.0);
    ck_assert_double_lt(r3, 0.8);
    ck_assert_double_gt(r3, 0.0);
    ck_assert_double_lt(three, none * 0.95);
    ck_assert_double_eq_tol(all, none, none * 0.02);
}
END_TEST

/* With a candidate stage each slot sees its own table (its candidates'
 * rows): the replay learners keep, for every transition, the table its
 * slot saw and the one it saw next, and their replay holds buffer_size
 * transitions, not the few steps a ring sized for shared tables holds.
 * (dqn used to keep slot 0's table for every slot; slateq's ring held
 * about 2 buffer_size / slots tables, a replay of a few steps.) */
static const char *const replay_learners[] = {"dqn", "slateq"};
START_TEST(test_replay_keeps_each_slots_table)
{
    enum { N = 8, A = 12, STEPS = 40 };
    lg_scenario *sc = candidate_scenario(A);
    lg_env *env = test_env(sc, N, 13, LG_LAYOUT_FLAT);
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    ck_assert_int_eq(shape.own_tables, 1);
    const char *name = replay_learners[_i];
    char err[512];
    lga_agent *ag = lga_create(name, "{\"buffer_size\": 400, \"learning_starts\": 1000000}", &shape, 1, err, sizeof err);
    ck_assert_msg(ag, "%s: %s", name, err);
    const size_t T = (size_t)A * (size_t)shape.channel_dim;
    float *seen = malloc(sizeof(float) * T * N * STEPS), *next = malloc(sizeof(float) * T * N * STEPS);
    lga_copy cur, nx;
    ck_assert(lga_copy_init(env, &cur) == 0 && lga_copy_init(env, &nx) == 0);
    lg_stream rng = lg_stream_make(8, TEST_STREAM, 0);
    int32_t act[N];
    int differ = 0;
    for (int t = 0; t < STEPS; t++) {
        lga_copy_current(env, &cur);
        for (int i = 0; i < N; i++) act[i] = (int32_t)lg_stream_below(&rng, A);
        lg_env_step(env, act);
        lga_copy_next(env, &nx);
        const lg_buffers *b = lg_env_buffers(env);
        lga_transition_batch tr = {&cur.batch, act, b->reward, b->terminated, b->truncated, b->info, &nx.batch};
        ag->type->update(ag, &tr);
        for (int i = 0; i < N; i++) {
            memcpy(&seen[((size_t)t * N + i) * T], lga_table_of(&cur.batch, i), sizeof(float) * T);
            memcpy(&next[((size_t)t * N + i) * T], lga_table_of(&nx.batch, i), sizeof(float) * T);
            differ += memcmp(lga_table_of(&cur.batch, i), lga_table_of(&cur.batch, 0), sizeof(float) * T) != 0;
        }
    }
    ck_assert_int_gt(differ, STEPS); /* the slots' tables differ: the test can tell them apart */
    lga_state_block bl[LGA_MAX_STATE_BLOCKS];
    int nb = ag->type->state(ag, bl);
    const lga_replay_counters *c = test_state_block(bl, nb, "counters")->data;
    const int64_t *tab = test_state_block(bl, nb, "replay_table")->data, *tab_next = test_state_block(bl, nb, "replay_table_next")->data;
    const lga_state_block *ids = test_state_block(bl, nb, "table_ids");
    const float *ring = test_state_block(bl, nb, "table_ring")->data;
    const long R = (long)(ids->bytes / sizeof(int64_t));
    const int64_t *held = ids->data;
    /* every slot gives a transition every step (valid positions, n-step 1), in slot order */
    ck_assert_int_eq(c->count, (long)N * STEPS);
    int wrong = 0;
    for (long j = 0; j < c->count; j++) {
        ck_assert(held[tab[j] % R] == tab[j] && held[tab_next[j] % R] == tab_next[j]);
        wrong += memcmp(&ring[(size_t)(tab[j] % R) * T], &seen[(size_t)j * T], sizeof(float) * T) != 0;
        wrong += memcmp(&ring[(size_t)(tab_next[j] % R) * T], &next[(size_t)j * T], sizeof(float) * T) != 0;
    }
    ck_assert_msg(wrong == 0, "%s: %d of %ld stored tables are not the slot's own", name, wrong, 2 * c->count);
    free(seen), free(next);
    lga_copy_free(&cur), lga_copy_free(&nx);
    lga_free(ag);
    lg_env_free(env), free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("candidates");
    TCase *tc = tcase_create("candidates");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_retrieval_rules, 0, 4);
    tcase_add_test(tc, test_actions_are_positions);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_state_round_trip);
    tcase_add_test(tc, test_copy_then_new_sessions);
    tcase_add_test(tc, test_candidates_matter);
    tcase_add_loop_test(tc, test_replay_keeps_each_slots_table, 0, 2);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
