#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lgx_loop.h"
#include "lgx_timeline.h"

int lgx_loop_init(lgx_loop *lp, const lg_env *env)
{
    const lg_buffers *b = lg_env_buffers(env);
    memset(lp, 0, sizeof *lp);
    size_t N = (size_t)b->n_slots;
    if (lga_copy_init(env, &lp->obs) || lga_copy_init(env, &lp->next) ||
        !(lp->actions = malloc(sizeof(int32_t) * N * (size_t)b->slate_size)) ||
        !(lp->ep_ret = calloc(N, sizeof(double))) || !(lp->ep_min = calloc(N, sizeof(double))) ||
        !(lp->ep_len = calloc(N, sizeof(long)))) {
        lgx_loop_free(lp);
        return -1;
    }
    const lg_scenario *sc = lg_env_scenario(env);
    if (sc->kind == LG_KIND_LIVE && sc->retention.enabled) {
        const size_t U = (size_t)sc->n_viewers;
        lp->retention = 1;
        lp->viewers = sc->n_viewers;
        lp->dt = sc->dt;
        if (!(lp->last_end = malloc(U * sizeof(double))) || !(lp->day_of = malloc(U * sizeof(int32_t)))) {
            lgx_loop_free(lp);
            return -1;
        }
    }
    return 0;
}

int lgx_loop_enable_relevance(lgx_loop *lp, const lg_env *env)
{
    const lg_buffers *b = lg_env_buffers(env);
    size_t A = (size_t)b->n_actions, C = (size_t)b->n_channels;
    lp->relevance = 1;
    lp->relevance_threshold = LGX_RELEVANCE_THRESHOLD;
    if (!(lp->er = malloc(A * sizeof(float))) || !(lp->er_sorted = malloc(A * sizeof(float))) ||
        !(lp->shown = calloc(C, sizeof(double))) || !(lp->watched = calloc(C, sizeof(double))) ||
        (b->candidates && !(lp->er_all = malloc(C * sizeof(float)))))
        return -1;
    return 0;
}

/* The share of the catalogue's k best channels on air (by the ground truth)
 * among slot i's candidates: what the retrieval left the agent to find. */
static double retrieval_recall(lgx_loop *lp, const lg_env *env, int i)
{
    const lg_buffers *b = lg_env_buffers(env);
    const int C = b->n_channels, A = b->n_actions, k = b->slate_size;
    const int32_t *cand = &b->candidates[(size_t)i * A];
    lg_env_expected_reward_channels(env, i, lp->er_all);
    int best[LG_MAX_SLATE], n = 0;
    for (int c = 0; c < C; c++) {
        lg_channel_state cs;
        if (n == k && lp->er_all[c] <= lp->er_all[best[k - 1]]) continue;
        lg_env_channel(env, c, &cs);
        if (!cs.on_air) continue;
        int j = n < k ? n++ : k - 1;
        for (; j > 0 && lp->er_all[best[j - 1]] < lp->er_all[c]; j--) best[j] = best[j - 1];
        best[j] = c;
    }
    int found = 0;
    for (int j = 0; j < n; j++)
        for (int a = 0; a < A; a++)
            if (cand[a] == best[j]) {
                found++;
                break;
            }
    return n ? (double)found / n : 1.0;
}

void lgx_exposure(const lgx_loop *lp, int n_actions, double *coverage, double *gini)
{
    *coverage = *gini = 0.0;
    if (lp->shown) lgx_exposure_of(lp->shown, n_actions, coverage, gini);
}

/* The share of pairs of the slate's valid items (in range, on air, each
 * channel once) whose channels' categories differ; 0 below two items. */
static double diversity(const lg_env *env, const int32_t *slate, const uint8_t *mask, const int32_t *cand, int C, int k)
{
    int cat[LG_MAX_SLATE], ch[LG_MAX_SLATE], n = 0;
    if (k < 2) return 0.0;
    for (int j = 0; j < k; j++) {
        int a = slate[j], dup = 0;
        if (a < 0 || a >= C || !mask[a]) continue;
        int c = cand ? cand[a] : a;
        for (int q = 0; q < n; q++) dup |= ch[q] == c;
        if (dup) continue;
        lg_channel_state cs;
        lg_env_channel(env, c, &cs);
        ch[n] = c, cat[n++] = cs.category;
    }
    if (n < 2) return 0.0;
    int differ = 0;
    for (int p = 0; p < n; p++)
        for (int q = p + 1; q < n; q++) differ += cat[p] != cat[q];
    return 2.0 * differ / (n * (n - 1.0));
}

/* Precision, recall, NDCG and myopic regret of slot i's slate against the
 * ground truth of the current state (before the step). */
static void relevance_step(lgx_loop *lp, const lg_env *env, int i, lgx_tally *t)
{
    const lg_buffers *b = lg_env_buffers(env);
    const int C = b->n_actions, k = b->slate_size;
    const uint8_t *mask = &b->mask[(size_t)i * C];
    const int32_t *slate = &lp->actions[(size_t)i * k];
    const int32_t *cand = b->candidates ? &b->candidates[(size_t)i * C] : NULL;
    lg_env_expected_reward(env, i, lp->er);
    /* The ideal slate is the k best on air: kept in descending order by
     * insertion, O(C k) with k <= LG_MAX_SLATE, not a sort of the catalogue
     * per slot-step. */
    float *top = lp->er_sorted;
    int n_on = 0, n_top = 0;
    float best = -INFINITY;
    for (int c = 0; c < C; c++)
        if (mask[c]) {
            float v = lp->er[c];
            n_on++;
            if (v > best) best = v;
            if (n_top < k || v > top[n_top - 1]) {
                int j = n_top < k ? n_top++ : k - 1;
                for (; j > 0 && top[j - 1] < v; j--) top[j] = top[j - 1];
                top[j] = v;
            }
        }
    t->retrieval += cand ? retrieval_recall(lp, env, i) : 1.0; /* before the return: every step counts */
    t->diversity += diversity(env, slate, mask, cand, C, k);
    if (n_on == 0) return;
    float cut = best > 0.0f ? lp->relevance_threshold * best : best;
    int n_rel = 0;
    for (int c = 0; c < C; c++) n_rel += mask[c] && lp->er[c] >= cut;
    double hits = 0.0, dcg = 0.0, idcg = 0.0;
    for (int j = 0; j < k; j++) {
        int c = slate[j];
        int ok = c >= 0 && c < C && mask[c];
        if (ok) {
            hits += lp->er[c] >= cut;
            dcg += (lp->er[c] > 0.0f ? lp->er[c] : 0.0f) / log2(j + 2.0);
            lp->shown[cand ? cand[c] : c]++;
        }
        if (j < n_top) idcg += (top[j] > 0.0f ? top[j] : 0.0f) / log2(j + 2.0);
    }
    t->precision += hits / k;
    t->recall += n_rel ? hits / n_rel : 0.0;
    t->ndcg += idcg > 0.0 ? dcg / idcg : 0.0;
    int first = slate[0];
    t->regret += best - ((first >= 0 && first < C && mask[first]) ? lp->er[first] : 0.0f);
}

void lgx_loop_free(lgx_loop *lp)
{
    lga_copy_free(&lp->obs);
    lga_copy_free(&lp->next);
    free(lp->actions), free(lp->ep_ret), free(lp->ep_min), free(lp->ep_len);
    free(lp->er), free(lp->er_sorted), free(lp->er_all), free(lp->shown), free(lp->watched);
    free(lp->probs), free(lp->propensity);
    free(lp->last_end), free(lp->day_of);
    memset(lp, 0, sizeof *lp);
}

static void tally_step(lgx_loop *lp, const lg_env *env, lgx_tally *t)
{
    const lg_buffers *b = lg_env_buffers(env);
    for (int i = 0; i < b->n_slots; i++) {
        if (b->info[i].idle) continue; /* no session: nothing to count */
        lp->ep_ret[i] += b->reward[i];
        lp->ep_min[i] += b->info[i].watch_minutes;
        lp->ep_len[i]++;
        if (t) {
            t->steps += 1;
            t->chose += b->info[i].chose;
            t->invalid += b->info[i].invalid;
            t->gifts += b->info[i].gifts;
            t->follows += b->info[i].follows;
        }
        if (b->terminated[i] || b->truncated[i]) {
            if (t) {
                t->sessions += 1;
                t->ret += lp->ep_ret[i];
                t->minutes += lp->ep_min[i];
                t->session_steps += (double)lp->ep_len[i];
            }
            lp->ep_ret[i] = lp->ep_min[i] = 0.0;
            lp->ep_len[i] = 0;
        }
    }
}

/* Before a training step: its window, the relevance and regret of the
 * behaviour slate, the recommendations. */
static void timeline_before(lgx_loop *lp, const lg_env *env)
{
    lgx_timeline *tl = lp->timeline;
    const lg_buffers *b = lg_env_buffers(env);
    const int A = b->n_actions, C = b->n_channels, k = b->slate_size;
    const double at = lg_env_clock(env) - tl->start;
    const int w = lp->window = lgx_timeline_window(tl, at);
    for (int i = 0; i < b->n_slots; i++) {
        if (lg_env_idle(env, i)) continue;
        relevance_step(lp, env, i, &tl->tally[w]);
        for (int j = 0; j < k; j++) {
            int32_t c = lp->actions[(size_t)i * k + j];
            if (c < 0 || c >= A) continue;
            if (b->candidates && (c = b->candidates[(size_t)i * A + c]) < 0) continue;
            tl->recs[(size_t)w * C + c] += 1.0;
            if (tl->first_rec[c] < 0) tl->first_rec[c] = at;
        }
    }
}

/* After it: steps, watch time per channel, and the sessions that ended. */
static void timeline_after(lgx_loop *lp, const lg_env *env)
{
    lgx_timeline *tl = lp->timeline;
    const lg_buffers *b = lg_env_buffers(env);
    const int C = b->n_channels;
    lgx_tally *t = &tl->tally[lp->window];
    for (int i = 0; i < b->n_slots; i++) {
        const lg_info *in = &b->info[i];
        if (in->idle) continue;
        tl->ep_ret[i] += b->reward[i];
        tl->ep_min[i] += in->watch_minutes;
        tl->ep_len[i] += 1.0;
        t->steps += 1, t->chose += in->chose, t->invalid += in->invalid, t->gifts += in->gifts, t->follows += in->follows;
        if (in->watched >= 0 && in->watched < C) tl->watch[(size_t)lp->window * C + in->watched] += in->watch_minutes;
        if (b->terminated[i] || b->truncated[i]) {
            t->sessions += 1, t->ret += tl->ep_ret[i], t->minutes += tl->ep_min[i], t->session_steps += tl->ep_len[i];
            tl->ep_ret[i] = tl->ep_min[i] = tl->ep_len[i] = 0.0;
        }
    }
}

int lgx_loop_set_log(lgx_loop *lp, const lg_env *env, const lgx_log_sink *sink, uint64_t seed)
{
    const lg_buffers *b = lg_env_buffers(env);
    if (!(lp->probs = malloc(sizeof(double) * (size_t)b->n_slots * (size_t)b->n_actions)) ||
        !(lp->propensity = malloc(sizeof(double) * (size_t)b->n_slots)))
        return -1;
    lp->log = *sink;
    lp->log_rng = lg_stream_make(seed, LGX_LOG_STREAM, 0);
    lp->log_status = 0;
    return 0;
}

/* Every slot's action probabilities, asked before act (act moves the
 * agent's schedule and streams). */
static int log_probs(lgx_loop *lp, lga_agent *agent)
{
    const lga_obs_batch *b = &lp->obs.batch;
    for (int i = 0; i < b->n; i++)
        if (!agent->type->probs || !agent->type->probs(agent, b, i, &lp->log_rng, &lp->probs[(size_t)i * b->n_actions]))
            return -1;
    return 0;
}

static int log_step(lgx_loop *lp, const lg_env *env)
{
    const lga_obs_batch *b = &lp->obs.batch;
    for (int i = 0; i < b->n; i++) {
        int32_t a = lp->actions[i];
        lp->propensity[i] = a >= 0 && a < b->n_actions ? lp->probs[(size_t)i * b->n_actions + a] : 0.0;
    }
    return lp->log.step(lp->log.ctx, b, lp->actions, lp->propensity, env);
}

int lgx_train(lgx_loop *lp, lga_agent *agent, lg_env *env, long slot_steps, lgx_tally *tally)
{
    const lg_buffers *b = lg_env_buffers(env);
    const int learns = agent->type->learns;
    for (long done = 0; done < slot_steps; done += b->n_slots) {
        lga_copy_current(env, &lp->obs);
        if (lp->log.step && log_probs(lp, agent)) return lp->log_status = LGX_LOG_NO_PROBS;
        agent->type->act(agent, &lp->obs.batch, 0, lp->actions);
        if (lp->timeline) timeline_before(lp, env);
        lg_env_step(env, lp->actions);
        if (lp->timeline) timeline_after(lp, env);
        if (lp->log.step && log_step(lp, env)) return lp->log_status = LGX_LOG_STOPPED;
        if (learns) {
            lga_copy_next(env, &lp->next);
            lga_transition_batch tr = {&lp->obs.batch, lp->actions, b->reward, b->terminated,
                                       b->truncated, b->info,  &lp->next.batch};
            agent->type->update(agent, &tr);
        }
        tally_step(lp, env, tally);
    }
    return 0;
}

/* Retention's measures (lgx_days): the evaluation's visits, returns and
 * daily actives, from each step's info and the clock. */
static void days_start(lgx_loop *lp, const lg_env *env)
{
    const size_t U = (size_t)lg_env_scenario(env)->n_viewers;
    memset(&lp->days, 0, sizeof lp->days);
    for (size_t v = 0; v < U; v++) lp->last_end[v] = -1.0, lp->day_of[v] = -1;
    lp->day_start = lg_env_clock(env);
    lp->day = 0, lp->day_count = 0, lp->ring_hour = 0;
    memset(lp->ring_end, 0, sizeof lp->ring_end);
    memset(lp->ring_back, 0, sizeof lp->ring_back);
}

static void days_step(lgx_loop *lp, const lg_env *env)
{
    const lg_buffers *b = lg_env_buffers(env);
    lgx_days *d = &lp->days;
    const double now = lg_env_clock(env), before = now - lp->dt; /* the step ran from `before` to `now` */
    const long day = (long)floor((before - lp->day_start) / LG_MINUTES_PER_DAY);
    if (day > lp->day) { /* a whole day is over */
        d->viewer_days += (double)lp->day_count, d->days += 1.0;
        lp->day = day, lp->day_count = 0;
    }
    d->span += lp->dt;
    double ends = 0.0;
    for (int i = 0; i < b->n_slots; i++) {
        const lg_info *in = &b->info[i];
        d->slot_steps += 1.0;
        if (in->idle) {
            d->idle += 1.0;
            continue;
        }
        const int v = in->viewer;
        d->minutes += in->watch_minutes;
        if (lp->day_of[v] != (int32_t)day) lp->day_of[v] = (int32_t)day, lp->day_count++;
        if (in->session_step == 1) { /* a visit began at `before` */
            d->visits += 1.0;
            if (lp->last_end[v] >= 0.0) {
                double gap = before - lp->last_end[v];
                d->gap_sum += gap, d->gaps += 1.0;
                if (gap <= LG_MINUTES_PER_DAY)
                    lp->ring_back[(long)floor((lp->last_end[v] - lp->day_start) / 60.0) % LGX_RING_HOURS] += 1.0;
                lp->last_end[v] = -1.0;
            }
        }
        if (b->terminated[i] || b->truncated[i]) lp->last_end[v] = now, ends += 1.0;
    }
    /* An hour's ends are final 25 hours on: every return within a day of
     * them has been seen by then. This step's returns were credited above,
     * before the hours they may close; its ends go in after, into a bucket
     * whose former hour is final (a step may be longer than an hour). */
    const long h = (long)floor((now - lp->day_start) / 60.0);
    for (; lp->ring_hour + 25 <= h; lp->ring_hour++) {
        const int r = (int)(lp->ring_hour % LGX_RING_HOURS);
        d->ends += lp->ring_end[r], d->back += lp->ring_back[r];
        lp->ring_end[r] = lp->ring_back[r] = 0.0;
    }
    lp->ring_end[h % LGX_RING_HOURS] += ends;
}

/* The last day counts when the evaluation ran to its end. */
static void days_finish(lgx_loop *lp, const lg_env *env)
{
    if (lg_env_clock(env) - lp->day_start >= (double)(lp->day + 1) * LG_MINUTES_PER_DAY - 1e-6)
        lp->days.viewer_days += (double)lp->day_count, lp->days.days += 1.0, lp->day++, lp->day_count = 0;
}

void lgx_evaluate(lgx_loop *lp, lga_agent *agent, lg_env *env, long sessions, lgx_tally *tally)
{
    lgx_tally local;
    memset(&local, 0, sizeof local);
    lgx_tally *t = tally ? tally : &local;
    const double target = t->sessions + (double)sessions;
    lga_obs_batch live;
    lga_batch_from_env(env, &live);
    memset(lp->ep_ret, 0, sizeof(double) * (size_t)live.n);
    memset(lp->ep_min, 0, sizeof(double) * (size_t)live.n);
    memset(lp->ep_len, 0, sizeof(long) * (size_t)live.n);
    const lg_buffers *b = lg_env_buffers(env);
    if (lp->shown) memset(lp->shown, 0, sizeof(double) * (size_t)b->n_channels);
    if (lp->watched) memset(lp->watched, 0, sizeof(double) * (size_t)b->n_channels);
    const lg_info *info = b->info;
    if (lp->retention) days_start(lp, env);
    const double until = lg_env_clock(env) + lp->eval_minutes;
    while (lp->eval_minutes > 0 ? lg_env_clock(env) < until - 1e-6 : t->sessions < target) {
        agent->type->act(agent, &live, 1, lp->actions);
        if (lp->relevance)
            for (int i = 0; i < live.n; i++)
                if (!lg_env_idle(env, i)) relevance_step(lp, env, i, t);
        lg_env_step(env, lp->actions);
        tally_step(lp, env, t);
        if (lp->retention) days_step(lp, env);
        for (int i = 0; lp->watched && i < live.n; i++)
            if (info[i].watched >= 0 && info[i].watched < b->n_channels) lp->watched[info[i].watched] += info[i].watch_minutes;
    }
    if (lp->retention) days_finish(lp, env);
}

int lgx_evaluate_at(lgx_loop *lp, lga_agent *agent, const lg_env *world, lg_env *eval, uint64_t eval_seed,
                    long sessions, lgx_tally *tally, char *err, size_t errsz)
{
    if (lg_env_copy_state(eval, world, err, errsz)) return -1;
    const int N = lg_env_buffers(eval)->n_slots;
    if (lp->retention) /* every agent's evaluation starts from the same visits and session draws */
        lg_env_reset_visits(eval, eval_seed);
    else
        for (int i = 0; i < N; i++) lg_env_reset_slot(eval, i, &eval_seed);
    lgx_evaluate(lp, agent, eval, sessions, tally);
    return 0;
}
