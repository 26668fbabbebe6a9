/* Retention (population.retention, docs/model.md "Retention"): viewers come
 * back after a gap that good sessions shorten, slots idle while no viewer is
 * due, learners skip idle slots, and with retention off nothing changes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_test.h"
#include "agent_test.h"
#include "lga_agent.h"
#include "lga_replay.h"
#include "lgx_loop.h"
#include "lgx_metrics.h"

#define N 16

/* The default world with retention on and a pool small enough for the
 * slots to idle: viewers visit about once a day, for under an hour. */
static lg_scenario *retention_scenario(int viewers)
{
    lg_scenario *sc = test_scenario();
    sc->n_viewers = viewers;
    sc->retention.enabled = 1;
    return sc;
}

/* The best and worst channel by quality of the default catalogue. */
static int channel_by_quality(const lg_scenario *sc, int best)
{
    int pick = 0;
    for (int c = 1; c < sc->n_channels; c++)
        if (best ? sc->channels[c].quality > sc->channels[pick].quality : sc->channels[c].quality < sc->channels[pick].quality)
            pick = c;
    return pick;
}

typedef struct {
    double gap_hours; /* mean gap between a viewer's visits */
    double gaps, visits, idle, steps;
} visits;

/* Recommend one channel, `c`, every step (anything when it is off air
 * counts as nothing watched) for `days` simulated days; the gaps between
 * a viewer's session end and their next session's first step. */
static visits run_policy(const lg_scenario *sc, int c, double days)
{
    lg_env *env = test_env(sc, N, 5, LG_LAYOUT_SHARED);
    const lg_buffers *b = lg_env_buffers(env);
    double *end = malloc(sizeof(double) * (size_t)sc->n_viewers);
    ck_assert_ptr_nonnull(end);
    for (int v = 0; v < sc->n_viewers; v++) end[v] = -1.0;
    int32_t act[N];
    test_fill(act, N, c);
    visits r = {0};
    double gap_sum = 0.0;
    while (lg_env_clock(env) - sc->start_minute < days * 1440.0) {
        double before = lg_env_clock(env);
        lg_env_step(env, act);
        for (int i = 0; i < N; i++) {
            const lg_info *in = &b->info[i];
            r.steps++;
            if (in->idle) {
                r.idle++;
                continue;
            }
            if (in->session_step == 1) {
                r.visits++;
                if (end[in->viewer] >= 0.0) gap_sum += before - end[in->viewer], r.gaps++;
                end[in->viewer] = -1.0;
            }
            if (b->terminated[i] || b->truncated[i]) end[in->viewer] = lg_env_clock(env);
        }
    }
    r.gap_hours = r.gaps > 0 ? gap_sum / r.gaps / 60.0 : NAN;
    free(end);
    lg_env_free(env);
    return r;
}

START_TEST(test_better_sessions_return_sooner)
{
    lg_scenario *sc = retention_scenario(100);
    const int good = channel_by_quality(sc, 1), bad = channel_by_quality(sc, 0);
    sc->channels[good].always_on = sc->channels[bad].always_on = 1;
    visits g = run_policy(sc, good, 12), w = run_policy(sc, bad, 12);
    fprintf(stderr, "good: gap %.1f h, %g gaps, %g visits, idle %.2f; bad: gap %.1f h, %g gaps, %g visits, idle %.2f\n",
            g.gap_hours, g.gaps, g.visits, g.idle / g.steps, w.gap_hours, w.gaps, w.visits, w.idle / w.steps);
    ck_assert_msg(g.gaps > 300 && w.gaps > 100, "too few gaps seen: %g and %g", g.gaps, w.gaps);
    ck_assert_msg(g.gap_hours < 0.6 * w.gap_hours, "quality %.2f: gap %.1f h; quality %.2f: gap %.1f h",
                  (double)sc->channels[good].quality, g.gap_hours, (double)sc->channels[bad].quality, w.gap_hours);
    ck_assert_msg(g.visits > 1.3 * w.visits, "visits: %g against %g", g.visits, w.visits);
    /* The control: a satisfaction that no session changes, and the two
     * policies' gaps come out alike. */
    sc->retention.quality_weight = sc->retention.watch_weight = sc->retention.fatigue_weight = 0.0f;
    visits g0 = run_policy(sc, good, 12), w0 = run_policy(sc, bad, 12);
    ck_assert_msg(fabs(g0.gap_hours / w0.gap_hours - 1.0) < 0.15, "without satisfaction: gaps %.1f h and %.1f h",
                  g0.gap_hours, w0.gap_hours);
    /* The mean gap after a neutral session is about gap_hours (of activity
     * time, so in clock hours somewhat more or less). */
    ck_assert_msg(g0.gap_hours > 0.5 * sc->retention.gap_hours && g0.gap_hours < 2.0 * sc->retention.gap_hours,
                  "neutral gap %.1f h for gap_hours %g", g0.gap_hours, (double)sc->retention.gap_hours);
    free(sc);
}
END_TEST

/* Longer gaps make fewer visits, so more idle slots. */
START_TEST(test_gap_hours_sets_the_visit_rate)
{
    lg_scenario *sc = retention_scenario(100);
    visits a = run_policy(sc, 0, 6);
    sc->retention.gap_hours *= 3.0f;
    visits b = run_policy(sc, 0, 6);
    ck_assert_msg(b.visits < 0.6 * a.visits, "visits: gap x3 %g, gap x1 %g", b.visits, a.visits);
    ck_assert_msg(b.idle > a.idle, "idle slot-steps: %g against %g", b.idle, a.idle);
    free(sc);
}
END_TEST

/* An idle slot: its slot part zeros (the channel table is the platform's,
 * as ever), nothing to choose, and a step that pays
 * nothing and ends nothing; its viewer is nobody. */
START_TEST(test_idle_slots)
{
    lg_scenario *sc = retention_scenario(40);
    sc->reward_return = 5.0f;
    lg_env *env = test_env(sc, N, 3, LG_LAYOUT_FLAT);
    const lg_buffers *b = lg_env_buffers(env);
    lg_stream rng = lg_stream_make(1, TEST_STREAM, 0);
    int32_t act[N];
    uint8_t was_idle[N];
    /* counted, then asserted once: a Check assertion per element is slow */
    int idle_seen = 0, ends = 0, paid = 0, seen_bad = 0, step_bad = 0;
    for (int t = 0; t < 3000; t++) {
        for (int i = 0; i < N; i++) {
            was_idle[i] = (uint8_t)lg_env_idle(env, i);
            if (!was_idle[i]) continue;
            idle_seen++;
            for (int j = 0; j < b->slot_dim; j++) seen_bad += b->obs[(size_t)i * b->obs_dim + j] != 0.0f;
            for (int c = 0; c < b->n_actions; c++) seen_bad += b->mask[(size_t)i * b->n_actions + c] != 0;
        }
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
        for (int i = 0; i < N; i++) {
            const lg_info *in = &b->info[i];
            step_bad += in->idle != was_idle[i];
            if (in->idle) {
                step_bad += b->reward[i] != 0.0f || b->terminated[i] || b->truncated[i] || in->viewer != -1 ||
                            in->watched != -1;
            } else if (b->terminated[i] || b->truncated[i]) {
                ends++;
                paid += in->r_return != 0.0f;
                step_bad += !(fabsf(b->reward[i] - (in->r_watch + in->r_gift + in->r_follow - in->r_invalid +
                                                     in->r_return)) < 1e-4f);
            } else {
                step_bad += in->r_return != 0.0f;
            }
            for (int j = 0; j < i; j++) /* a viewer is in one session at a time */
                step_bad += !in->idle && !b->info[j].idle && b->info[j].viewer == in->viewer;
        }
    }
    ck_assert_msg(seen_bad == 0, "%d values of idle slots' observations or masks not zero", seen_bad);
    ck_assert_msg(step_bad == 0, "%d idle or paid steps not as documented", step_bad);
    ck_assert_msg(idle_seen > 1000, "idle slot-steps: %d", idle_seen);
    ck_assert_msg(ends > 100 && paid > ends / 2, "sessions ended %d, paid a return reward %d", ends, paid);
    lg_env_free(env);
    free(sc);
}
END_TEST

/* Retention off: its parameters change nothing; no slot ever idles. */
START_TEST(test_retention_off_changes_nothing)
{
    lg_scenario *a = test_scenario(), *b2 = test_scenario();
    b2->retention.gap_hours = 3.0f, b2->retention.quality_weight = -5.0f, b2->retention.max_gap_days = 2.0f;
    b2->segments[0].gap_scale = 7.0f;
    lg_env *ea = test_env(a, N, 11, LG_LAYOUT_FLAT), *eb = test_env(b2, N, 11, LG_LAYOUT_FLAT);
    const lg_buffers *ba = lg_env_buffers(ea), *bb = lg_env_buffers(eb);
    ck_assert_int_eq(ba->obs_dim, bb->obs_dim);
    ck_assert_uint_eq(lg_env_state_size(ea), lg_env_state_size(eb));
    lg_stream rng = lg_stream_make(2, TEST_STREAM, 0);
    int32_t act[N];
    int differ = 0, idle = 0;
    for (int t = 0; t < 2000; t++) {
        test_random_actions(ea, &rng, act);
        lg_env_step(ea, act);
        lg_env_step(eb, act);
        differ += memcmp(ba->obs, bb->obs, sizeof(float) * (size_t)N * (size_t)ba->obs_dim) != 0 ||
                  memcmp(ba->info, bb->info, sizeof(lg_info) * N) != 0 || memcmp(ba->reward, bb->reward, sizeof(float) * N) != 0;
        for (int i = 0; i < N; i++) idle += ba->info[i].idle || ba->info[i].r_return != 0.0f || lg_env_idle(ea, i);
    }
    ck_assert_msg(differ == 0 && idle == 0, "%d steps differ, %d idle or return-paid slot-steps", differ, idle);
    lg_env_free(ea), lg_env_free(eb);
    free(a), free(b2);
}
END_TEST

/* A state saved mid-run continues bit for bit (the heap of viewers not in a
 * session is rebuilt from it), and a forged return time is refused. */
START_TEST(test_state_round_trip_and_forgery)
{
    lg_scenario *sc = retention_scenario(60);
    lg_env *a = test_env(sc, N, 21, LG_LAYOUT_SHARED), *b = test_env(sc, N, 99, LG_LAYOUT_SHARED);
    lg_stream rng = lg_stream_make(3, TEST_STREAM, 0);
    int32_t act[N];
    for (int t = 0; t < 700; t++) {
        test_random_actions(a, &rng, act);
        lg_env_step(a, act);
    }
    size_t n = lg_env_state_size(a);
    unsigned char *buf = malloc(n);
    ck_assert_uint_eq(lg_env_state_save(a, buf, n), n);
    char err[512];
    ck_assert_msg(lg_env_state_load(b, buf, n, err, sizeof err) == 0, "%s", err);
    const lg_buffers *ba = lg_env_buffers(a), *bb = lg_env_buffers(b);
    int differ = 0, idle = 0;
    for (int t = 0; t < 1500; t++) {
        test_random_actions(a, &rng, act);
        lg_env_step(a, act);
        lg_env_step(b, act);
        differ += memcmp(ba->info, bb->info, sizeof(lg_info) * N) != 0 ||
                  memcmp(ba->slot_obs, bb->slot_obs, sizeof(float) * (size_t)N * (size_t)ba->slot_dim) != 0;
        for (int i = 0; i < N; i++) idle += ba->info[i].idle;
    }
    ck_assert_msg(differ == 0, "%d steps differ after the load", differ);
    ck_assert_msg(idle > 100, "the continuation saw %d idle slot-steps: the heap was not exercised", idle);
    /* Forge the file's doubles to NaN one at a time, from its end (the
     * return times come late in the block, before the buffers), until a
     * load refuses one by the name of the return times. */
    int refused = 0;
    unsigned char *f = malloc(n);
    memcpy(f, buf, n);
    for (size_t at = n - sizeof(double); at > 64 && !refused; at -= 4) {
        double nan = NAN;
        memcpy(f + at, &nan, sizeof nan);
        if (lg_env_state_load(b, f, n, err, sizeof err) != 0 && strstr(err, "return_at")) refused = 1;
        memcpy(f + at, buf + at, sizeof nan);
    }
    free(f);
    ck_assert_msg(refused, "no NaN return time was refused by name");
    free(buf);
    lg_env_free(a), lg_env_free(b);
    free(sc);
}
END_TEST

/* A learner's update learns nothing from idle slots: its whole state is
 * the same after a batch whose every slot was idle. */
START_TEST(test_learners_skip_idle_slots)
{
    lg_scenario *sc = retention_scenario(40);
    lg_env *env = test_env(sc, N, 4, LG_LAYOUT_SHARED);
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    lg_stream rng = lg_stream_make(4, TEST_STREAM, 0);
    int32_t act[N];
    int checked = 0;
    for (int k = 0; k < lga_count(); k++) {
        const lga_agent_type *t = lga_at(k);
        if (!t->learns) continue;
        char err[512];
        /* the replay learners with small buffers: their state is saved whole, three times */
        int replay = !strcmp(t->name, "dqn") || !strcmp(t->name, "slateq");
        lga_agent *ag = lga_create(t->name, replay ? "{\"buffer_size\": 2000, \"learning_starts\": 100}" : "{}",
                                   &shape, 1, err, sizeof err);
        ck_assert_msg(ag, "%s: %s", t->name, err);
        lga_copy cur, next;
        ck_assert(lga_copy_init(env, &cur) == 0 && lga_copy_init(env, &next) == 0);
        lga_copy_current(env, &cur);
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
        lga_copy_next(env, &next);
        /* the step as it happened, but every slot marked idle */
        lg_info info[N];
        memcpy(info, lg_env_buffers(env)->info, sizeof info);
        for (int i = 0; i < N; i++) info[i].idle = 1;
        const lg_buffers *b = lg_env_buffers(env);
        lga_transition_batch tr = {&cur.batch, act, b->reward, b->terminated, b->truncated, info, &next.batch};
        char *before, *after;
        size_t nb, na;
        ck_assert(lga_save_bytes(ag, &before, &nb, err, sizeof err) == 0);
        for (int r = 0; r < 50; r++) t->update(ag, &tr);
        ck_assert(lga_save_bytes(ag, &after, &na, err, sizeof err) == 0);
        ck_assert_msg(nb == na && !memcmp(before, after, nb), "%s learned from idle slots", t->name);
        /* and steps as they happen do change it */
        for (int r = 0; r < 200; r++) {
            lga_copy_current(env, &cur);
            test_random_actions(env, &rng, act);
            lg_env_step(env, act);
            lga_copy_next(env, &next);
            tr.info = b->info;
            t->update(ag, &tr);
        }
        free(after);
        ck_assert(lga_save_bytes(ag, &after, &na, err, sizeof err) == 0);
        ck_assert_msg(nb != na || memcmp(before, after, nb), "%s: learned nothing from active slots either", t->name);
        free(before), free(after);
        lga_copy_free(&cur), lga_copy_free(&next);
        lga_free(ag);
        checked++;
    }
    ck_assert_int_ge(checked, 9);
    lg_env_free(env);
    free(sc);
}
END_TEST

/* The loop's measures over days against the same trajectory counted by
 * brute force: an evaluation (random agent, greedy) of `days` days, and the
 * same agent and world stepped by hand with every visit recorded. dt of 3
 * hours puts several hour boundaries in one step. */
typedef struct {
    int viewer;
    double at;
} visit_mark;

/* With n-step returns, a session's end stores its queue (tables up to
 * n - 1 steps newer than the next full transitions'), so table ids in the
 * replay's order go back; idle slots push tables and store nothing, so the
 * ring, not the replay, decides what leaves. Every table a live
 * transition uses must still be in the ring, with and without a candidate
 * stage (without the eviction's slack, 1810 and 2326 references were to
 * overwritten tables). */
static int stale_table_references(int candidates)
{
    lg_scenario *sc = retention_scenario(40);
    sc->candidates = candidates;
    lg_env *env = test_env(sc, 8, 6, LG_LAYOUT_FLAT);
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    char err[512];
    lga_agent *ag = lga_create("dqn", "{\"buffer_size\": 200, \"n_step\": 3, \"learning_starts\": 1000000}", &shape, 1,
                               err, sizeof err);
    ck_assert_msg(ag, "%s", err);
    lga_copy cur, nx;
    ck_assert(lga_copy_init(env, &cur) == 0 && lga_copy_init(env, &nx) == 0);
    lg_stream rng = lg_stream_make(9, TEST_STREAM, 0);
    int32_t act[8];
    int stale = 0, idle = 0;
    for (int t = 0; t < 1500; t++) {
        lga_copy_current(env, &cur);
        test_random_actions(env, &rng, act);
        lg_env_step(env, act);
        lga_copy_next(env, &nx);
        const lg_buffers *b = lg_env_buffers(env);
        lga_transition_batch tr = {&cur.batch, act, b->reward, b->terminated, b->truncated, b->info, &nx.batch};
        ag->type->update(ag, &tr);
        for (int i = 0; i < 8; i++) idle += b->info[i].idle;
        lga_state_block bl[LGA_MAX_STATE_BLOCKS];
        const int nb = ag->type->state(ag, bl);
        const int64_t *tab = test_state_block(bl, nb, "replay_table")->data;
        const int64_t *tab_next = test_state_block(bl, nb, "replay_table_next")->data;
        const lga_state_block *held = test_state_block(bl, nb, "table_ids");
        const int64_t *ids = held->data;
        const long R = (long)(held->bytes / sizeof(int64_t));
        const lga_replay_counters *c = test_state_block(bl, nb, "counters")->data;
        ck_assert(R > 0);
        for (long k = 0; k < c->count; k++) {
            const long j = (c->pos - c->count + k + 200) % 200;
            stale += ids[tab[j] % R] != tab[j] || ids[tab_next[j] % R] != tab_next[j];
        }
    }
    ck_assert_int_gt(idle, 1000); /* the ring, not the replay, is what fills */
    lga_copy_free(&cur), lga_copy_free(&nx);
    lga_free(ag);
    lg_env_free(env), free(sc);
    return stale;
}

START_TEST(test_replay_tables_outlive_their_transitions)
{
    ck_assert_int_eq(stale_table_references(0), 0);
    ck_assert_int_eq(stale_table_references(6), 0);
}
END_TEST

static void check_days(float dt, double days)
{
    lg_scenario *sc = retention_scenario(60);
    sc->dt = dt;
    sc->retention.gap_hours = 10.0f;
    lg_env *e1 = test_env(sc, N, 8, LG_LAYOUT_SHARED), *e2 = test_env(sc, N, 8, LG_LAYOUT_SHARED);
    lga_obs_batch shape;
    lga_batch_from_env(e1, &shape);
    char err[256];
    lga_agent *a1 = lga_create("random", "{}", &shape, 5, err, sizeof err), *a2 = lga_create("random", "{}", &shape, 5, err, sizeof err);
    ck_assert(a1 && a2);
    lgx_loop lp;
    ck_assert(lgx_loop_init(&lp, e1) == 0);
    lp.eval_minutes = days * 1440.0;
    lgx_tally t = {0};
    lgx_evaluate(&lp, a1, e1, 1, &t);
    double m[LGX_M_COUNT];
    lgx_metrics_of(&t, &lp, shape.n_actions, 1, m);

    /* by hand */
    const lg_buffers *b = lg_env_buffers(e2);
    lga_obs_batch live;
    lga_batch_from_env(e2, &live);
    const double start = lg_env_clock(e2);
    const int max_marks = 200000;
    visit_mark *ends = malloc(sizeof *ends * max_marks), *starts = malloc(sizeof *starts * max_marks);
    int n_ends = 0, n_starts = 0;
    double minutes = 0.0, slot_steps = 0.0, idle = 0.0;
    uint8_t *seen = calloc((size_t)sc->n_viewers * (size_t)(days + 2), 1);
    int32_t act[N];
    while (lg_env_clock(e2) < start + days * 1440.0 - 1e-6) {
        a2->type->act(a2, &live, 1, act);
        double before = lg_env_clock(e2);
        lg_env_step(e2, act);
        for (int i = 0; i < N; i++) {
            const lg_info *in = &b->info[i];
            slot_steps++;
            if (in->idle) {
                idle++;
                continue;
            }
            minutes += in->watch_minutes;
            seen[(size_t)in->viewer * (size_t)(days + 2) + (size_t)floor((before - start) / 1440.0)] = 1;
            if (in->session_step == 1) starts[n_starts++] = (visit_mark){in->viewer, before};
            if (b->terminated[i] || b->truncated[i]) ends[n_ends++] = (visit_mark){in->viewer, lg_env_clock(e2)};
            ck_assert(n_starts < max_marks && n_ends < max_marks);
        }
    }
    const double span = lg_env_clock(e2) - start;
    const long last_hour = (long)floor(span / 60.0);
    double fin = 0, back = 0, gaps = 0, gap_sum = 0, viewer_days = 0;
    for (int e = 0; e < n_ends; e++) {
        /* the viewer's next visit after this end */
        double next = -1.0;
        for (int s = 0; s < n_starts && next < 0; s++)
            if (starts[s].viewer == ends[e].viewer && starts[s].at >= ends[e].at) next = starts[s].at;
        if (next >= 0) gaps++, gap_sum += next - ends[e].at;
        if ((long)floor((ends[e].at - start) / 60.0) + 25 <= last_hour) fin++, back += next >= 0 && next - ends[e].at <= 1440.0;
    }
    const int whole = (int)floor(span / 1440.0 + 1e-9);
    for (int v = 0; v < sc->n_viewers; v++)
        for (int d = 0; d < whole; d++) viewer_days += seen[(size_t)v * (size_t)(days + 2) + (size_t)d];
    const double pool_days = span / 1440.0 * sc->n_viewers;
    ck_assert_msg(fin > 20 && gaps > 20, "dt %g: too few visits to check: %g final ends, %g gaps", (double)dt, fin, gaps);
    ck_assert_msg(fabs(m[LGX_M_VIEWER_MINUTES] - minutes / pool_days) < 1e-9, "minutes per viewer-day %g, by hand %g",
                  m[LGX_M_VIEWER_MINUTES], minutes / pool_days);
    ck_assert_msg(fabs(m[LGX_M_VIEWER_SESSIONS] - n_starts / pool_days) < 1e-9, "visits");
    ck_assert_msg(fabs(m[LGX_M_RETURN_24H] - back / fin) < 1e-9, "dt %g: return_24h %g, by hand %g of %g = %g",
                  (double)dt, m[LGX_M_RETURN_24H], back, fin, back / fin);
    ck_assert_msg(fabs(m[LGX_M_GAP_HOURS] - gap_sum / gaps / 60.0) < 1e-9, "gap hours %g, by hand %g",
                  m[LGX_M_GAP_HOURS], gap_sum / gaps / 60.0);
    ck_assert_msg(whole == (int)days && fabs(m[LGX_M_DAILY_ACTIVE] - viewer_days / whole) < 1e-9,
                  "dt %g: daily active %g over days, by hand %g over %d", (double)dt, m[LGX_M_DAILY_ACTIVE],
                  viewer_days / whole, whole);
    ck_assert_msg(fabs(m[LGX_M_IDLE] - idle / slot_steps) < 1e-9, "idle share");
    free(ends), free(starts), free(seen);
    lgx_loop_free(&lp);
    lga_free(a1), lga_free(a2);
    lg_env_free(e1), lg_env_free(e2);
    free(sc);
}

START_TEST(test_days_metrics_by_hand)
{
    check_days(5.0f, 4.0);
    check_days(180.0f, 6.0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("retention");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_better_sessions_return_sooner);
    tcase_add_test(tc, test_gap_hours_sets_the_visit_rate);
    tcase_add_test(tc, test_idle_slots);
    tcase_add_test(tc, test_retention_off_changes_nothing);
    tcase_add_test(tc, test_state_round_trip_and_forgery);
    tcase_add_test(tc, test_learners_skip_idle_slots);
    tcase_add_test(tc, test_days_metrics_by_hand);
    tcase_add_test(tc, test_replay_tables_outlive_their_transitions);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
