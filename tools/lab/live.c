/* The viewer's trainer: agents side by side, lockstep training on a worker
 * thread, greedy evaluations, and the model it publishes. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "lg_clock.h"
#include "lgx_loop.h"
#include "lgx_curves.h"
#include "lgx_live.h"
#include "lgx_stats.h"

typedef struct {
    lg_env *env;
    lga_agent *agent;
    lgx_loop loop;
    double *ep_ret; /* [slots] running return of each slot's session */
    lgx_ring returns;
    long sessions;
} job;

struct lgx_live {
    lg_scenario *sc;
    int n_agents, n_seeds, slots, slate, C, n_states;
    char names[LGX_LIVE_MAX_AGENTS][LG_NAME_LEN];
    char *params[LGX_LIVE_MAX_AGENTS];
    int has_eps[LGX_LIVE_MAX_AGENTS];
    long eval_every, eval_sessions, max_steps, online_every;
    job *jobs; /* [agent * n_seeds + seed] */
    lg_env *eval_env;
    lgx_loop eval_loop;
    lgx_model *work, *shared;
    long steps, next_eval, next_online, last_eval_step;
    int *ev_order, ev_next;
    double train_time;
    /* throughput */
    double pub_time;
    long pub_steps;
    /* the worker */
    pthread_t th;
    int running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, paused, single;
    double rate;
};

/* ---- introspection ------------------------------------------------------------ */

int lgx_agent_q(lga_agent *a, int n_actions, int n_states, const float **q)
{
    if (!a || !a->type || !a->type->state || n_actions < 1) return 0;
    lga_state_block blocks[LGA_MAX_STATE_BLOCKS];
    int n = a->type->state(a, blocks);
    for (int i = 0; i < n && i < LGA_MAX_STATE_BLOCKS; i++) {
        if (!blocks[i].name || strcmp(blocks[i].name, "q")) continue;
        size_t row = (size_t)n_actions * sizeof(float);
        if (blocks[i].bytes == 0 || blocks[i].bytes % row) return 0;
        size_t rows = blocks[i].bytes / row;
        if (rows != 1 && rows != (size_t)n_states) return 0;
        *q = blocks[i].data;
        return (int)rows;
    }
    return 0;
}

int lgx_agent_scores(lga_agent *a, int n_actions, int n_states, int32_t state, float *out)
{
    const float *q = NULL;
    int rows = lgx_agent_q(a, n_actions, n_states, &q);
    if (rows == 0) return 0;
    int row = rows == 1 ? 0 : state;
    if (row < 0 || row >= rows) return 0;
    memcpy(out, q + (size_t)row * (size_t)n_actions, sizeof(float) * (size_t)n_actions);
    return rows;
}

static float lgv_agent_epsilon_now(lga_agent *a) { return a->type->epsilon(a); }

int lgx_agent_epsilon(lga_agent *a, const char *params_json, float *eps)
{
    (void)params_json;
    if (!a || !a->type->epsilon) return -1;
    *eps = a->type->epsilon(a);
    return 0;
}

/* ---- create / free -------------------------------------------------------------- */

static job *job_of(lgx_live *L, int a, int s) { return &L->jobs[a * L->n_seeds + s]; }

void lgx_live_free(lgx_live *L)
{
    if (!L) return;
    lgx_live_stop(L);
    if (L->jobs)
        for (int j = 0; j < L->n_agents * L->n_seeds; j++) {
            job *jb = &L->jobs[j];
            lgx_loop_free(&jb->loop);
            lga_free(jb->agent);
            lg_env_free(jb->env);
            free(jb->ep_ret);
            lgx_ring_free(&jb->returns);
        }
    free(L->jobs);
    lgx_loop_free(&L->eval_loop);
    lg_env_free(L->eval_env);
    lgx_model_free(L->work);
    lgx_model_free(L->shared);
    for (int a = 0; a < LGX_LIVE_MAX_AGENTS; a++) free(L->params[a]);
    free(L->ev_order);
    free(L->sc);
    pthread_mutex_destroy(&L->mu);
    pthread_cond_destroy(&L->cv);
    free(L);
}

/* Agent a on every seed: its training envs, agents and loops. */
static int create_agent(lgx_live *L, const lgx_live_config *cfg, int a, lgx_model_shape *shape, char *err,
                        size_t errsz)
{
    const char *name = cfg->names[a];
    const char *params = cfg->params[a] ? cfg->params[a] : "{}";
    if (!name || !name[0] || strlen(name) >= LG_NAME_LEN) {
        snprintf(err, errsz, "agent %d: expected a registry name, found \"%s\"", a + 1, name ? name : "");
        return -1;
    }
    snprintf(L->names[a], sizeof L->names[a], "%s", name);
    if (!(L->params[a] = malloc(strlen(params) + 1))) return snprintf(err, errsz, "out of memory"), -1;
    strcpy(L->params[a], params);
    for (int s = 0; s < L->n_seeds; s++) {
        job *jb = job_of(L, a, s);
        uint64_t seed = (uint64_t)s + 1;
        if (lg_env_create(L->sc, L->slots, seed, LG_LAYOUT_FLAT, &jb->env, err, errsz)) return -1;
        lga_obs_batch shp;
        lga_batch_from_env(jb->env, &shp);
        if (!(jb->agent = lga_create(name, params, &shp, seed, err, errsz))) return -1;
        if (lgx_loop_init(&jb->loop, jb->env) || !(jb->ep_ret = calloc((size_t)L->slots, sizeof(double))) ||
            lgx_ring_init(&jb->returns, LGX_SESSION_WINDOW))
            return snprintf(err, errsz, "out of memory"), -1;
    }
    L->has_eps[a] = job_of(L, a, 0)->agent->type->epsilon != NULL;
    const float *q;
    int rows = lgx_agent_q(job_of(L, a, 0)->agent, L->C, L->n_states, &q);
    shape->qtable_rows[a] = rows > 1 && (size_t)rows * (size_t)L->C <= LGX_QTABLE_MAX ? rows : 0;
    return 0;
}

int lgx_live_create(const lgx_live_config *cfg, lgx_live **out, char *err, size_t errsz)
{
    *out = NULL;
    if (cfg->n_agents < 1 || cfg->n_agents > LGX_LIVE_MAX_AGENTS) {
        snprintf(err, errsz, "agents: expected 1 to %d, found %d", LGX_LIVE_MAX_AGENTS, cfg->n_agents);
        return -1;
    }
    if (cfg->seeds < 1 || cfg->seeds > LGX_LIVE_MAX_SEEDS) {
        snprintf(err, errsz, "seeds: expected 1 to %d, found %d", LGX_LIVE_MAX_SEEDS, cfg->seeds);
        return -1;
    }
    if (cfg->eval_every < 1 || cfg->eval_sessions < 1 || cfg->max_steps < 0) {
        snprintf(err, errsz, "evaluation: expected eval_every >= 1 and eval_sessions >= 1, found %ld and %ld",
                 cfg->eval_every, cfg->eval_sessions);
        return -1;
    }
    /* The viewer draws a tile per action as a channel; candidates are
     * positions, a different channel per slot. */
    if (cfg->sc->candidates > 0) {
        snprintf(err, errsz, "session.candidates: the viewer shows worlds without a candidate stage (0), found %d",
                 cfg->sc->candidates);
        return -1;
    }
    lgx_live *L = calloc(1, sizeof *L);
    if (!L) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    pthread_mutex_init(&L->mu, NULL);
    pthread_cond_init(&L->cv, NULL);
    if (!(L->sc = malloc(sizeof *L->sc))) goto oom;
    memcpy(L->sc, cfg->sc, sizeof *L->sc);
    L->n_agents = cfg->n_agents;
    L->n_seeds = cfg->seeds;
    L->slots = cfg->slots;
    L->eval_every = cfg->eval_every;
    L->eval_sessions = cfg->eval_sessions;
    L->max_steps = cfg->max_steps;
    L->last_eval_step = -1;
    if (!(L->jobs = calloc((size_t)(L->n_agents * L->n_seeds), sizeof *L->jobs))) goto oom;
    if (lg_env_create(L->sc, L->slots, LGX_EVAL_SEED_BASE + 1, LG_LAYOUT_FLAT, &L->eval_env, err, errsz)) goto fail;
    if (lgx_loop_init(&L->eval_loop, L->eval_env)) goto oom;
    L->eval_loop.eval_minutes = cfg->eval_days * LG_MINUTES_PER_DAY;
    const lg_buffers *eb = lg_env_buffers(L->eval_env);
    L->C = eb->n_actions;
    L->slate = eb->slate_size;
    L->n_states = eb->n_states;
    L->online_every = L->eval_every / 10;
    if (L->online_every < L->slots) L->online_every = L->slots;

    lgx_model_shape shape = {0};
    shape.n_agents = L->n_agents;
    shape.n_seeds = L->n_seeds;
    shape.n_channels = L->C;
    shape.n_states = L->n_states;
    shape.slots = L->slots;
    shape.slate_size = L->slate;
    for (int a = 0; a < L->n_agents; a++)
        if (create_agent(L, cfg, a, &shape, err, errsz)) goto fail;
    if (!(L->work = lgx_model_create(L->sc, &shape, err, errsz)) ||
        !(L->shared = lgx_model_create(L->sc, &shape, err, errsz)))
        goto fail;
    lgx_model *m = L->work;
    m->max_steps = L->max_steps;
    m->eval_every = L->eval_every;
    m->eval_sessions = L->eval_sessions;
    m->eval_days = L->eval_loop.eval_minutes / LG_MINUTES_PER_DAY;
    m->clock = lg_env_clock(job_of(L, 0, 0)->env);
    for (int a = 0; a < L->n_agents; a++) {
        lgx_agent_view *av = &m->agents[a];
        const char *label = cfg->labels[a] && cfg->labels[a][0] ? cfg->labels[a] : cfg->names[a];
        snprintf(av->label, sizeof av->label, "%s", label);
        snprintf(av->name, sizeof av->name, "%s", cfg->names[a]);
        const lga_agent_type *t = job_of(L, a, 0)->agent->type;
        av->learns = t->learns;
        av->cheats = t->cheats;
        av->has_epsilon = L->has_eps[a];
    }
    /* scripted events by time */
    int ne = L->sc->n_events;
    if (!(L->ev_order = malloc(sizeof(int) * (size_t)(ne > 0 ? ne : 1)))) goto oom;
    for (int e = 0; e < ne; e++) {
        int k = e;
        while (k > 0 && L->sc->events[L->ev_order[k - 1]].time > L->sc->events[e].time) {
            L->ev_order[k] = L->ev_order[k - 1];
            k--;
        }
        L->ev_order[k] = e;
    }
    L->pub_time = lg_now();
    *out = L;
    return 0;
oom:
    snprintf(err, errsz, "out of memory");
fail:
    lgx_live_free(L);
    return -1;
}

const lg_scenario *lgx_live_scenario(const lgx_live *L) { return L->sc; }

lgx_model *lgx_live_new_model(const lgx_live *L, char *err, size_t errsz)
{
    return lgx_model_create(L->sc, &L->work->shape, err, errsz);
}

/* ---- training -------------------------------------------------------------------- */

static void evaluate_all(lgx_live *L)
{
    lgx_model *m = L->work;
    double v[LGX_LIVE_MAX_SEEDS], vd[LGX_LIVE_MAX_SEEDS];
    for (int a = 0; a < L->n_agents; a++) {
        lgx_agent_view *av = &m->agents[a];
        for (int s = 0; s < L->n_seeds; s++) {
            lgx_tally t;
            memset(&t, 0, sizeof t);
            char err[256];
            job *jb = job_of(L, a, s);
            lgx_evaluate_at(&L->eval_loop, jb->agent, jb->env, L->eval_env, LGX_EVAL_SEED_BASE + (uint64_t)s + 1,
                            L->eval_sessions, &t, err, sizeof err); /* same shape by construction */
            double mt[LGX_M_COUNT];
            lgx_metrics_of(&t, &L->eval_loop, L->C, L->slate, mt);
            v[s] = mt[LGX_M_RETURN];
            vd[s] = mt[LGX_M_VIEWER_MINUTES]; /* NAN without retention */
        }
        lgx_stat st = lgx_stat_of(v, L->n_seeds);
        av->last_days = L->eval_loop.retention ? lgx_stat_of(vd, L->n_seeds).mean : NAN;
        lgx_series_add(&av->eval, (double)L->steps, st.mean, st.mean - st.ci95, st.mean + st.ci95);
        av->last_eval = st.mean;
        av->last_eval_ci = st.ci95;
        av->n_evals++;
    }
    L->last_eval_step = L->steps;
}

static void append_online(lgx_live *L)
{
    lgx_model *m = L->work;
    for (int a = 0; a < L->n_agents; a++) {
        lgx_agent_view *av = &m->agents[a];
        double sum = 0;
        int k = 0;
        for (int s = 0; s < L->n_seeds; s++) {
            double r = lgx_ring_mean(&job_of(L, a, s)->returns);
            if (isfinite(r)) sum += r, k++;
        }
        if (k > 0) {
            av->online_now = sum / k;
            lgx_series_add(&av->online, (double)L->steps, av->online_now, NAN, NAN);
        }
        if (L->has_eps[a]) {
            av->epsilon_now = lgv_agent_epsilon_now(job_of(L, a, 0)->agent);
            lgx_series_add(&av->epsilon, (double)L->steps, av->epsilon_now, NAN, NAN);
        }
    }
}

void lgx_live_round(lgx_live *L)
{
    lgx_model *m = L->work;
    if (m->done) return;
    if (L->steps >= L->next_eval) {
        if (L->last_eval_step != L->steps) evaluate_all(L);
        while (L->next_eval <= L->steps) L->next_eval += L->eval_every;
    }
    const int N = L->slots, k = L->slate;
    for (int a = 0; a < L->n_agents; a++) {
        lgx_agent_view *av = &m->agents[a];
        for (int s = 0; s < L->n_seeds; s++) {
            job *jb = job_of(L, a, s);
            lgx_train(&jb->loop, jb->agent, jb->env, N, NULL);
            const lg_buffers *b = lg_env_buffers(jb->env);
            const int32_t *act = jb->loop.actions;
            for (int i = 0; i < N * k; i++)
                if (!b->info[i / k].idle) lgx_shares_add(&av->shares, act[i]); /* an idle slot showed no one anything */
            for (int i = 0; i < N; i++) {
                jb->ep_ret[i] += b->reward[i];
                if (b->terminated[i] || b->truncated[i]) {
                    lgx_ring_push(&jb->returns, jb->ep_ret[i]);
                    jb->ep_ret[i] = 0.0;
                    jb->sessions++;
                    av->sessions++;
                }
            }
            if (s == 0) { /* slot 0 of seed 1: the session panel */
                const lg_info *in = &b->info[0];
                lgx_step_rec r;
                memset(&r, 0, sizeof r);
                r.session_step = in->session_step;
                r.viewer = in->viewer;
                r.segment = in->segment;
                r.k = k;
                for (int j = 0; j < k && j < LG_MAX_SLATE; j++) r.rec[j] = act[j];
                r.watched = in->watched;
                r.minutes = in->watch_minutes;
                r.reward = b->reward[0];
                r.budget_left = in->budget_left;
                r.invalid = in->invalid;
                r.ended = b->terminated[0] ? 1 : b->truncated[0] ? 2 : 0;
                r.clock = lg_env_clock(jb->env);
                av->session_return += r.reward;
                r.session_return = (float)av->session_return;
                if (r.ended) av->session_return = 0.0;
                lgx_model_push_step(m, a, &r);
                av->viewer = in->viewer;
                av->segment = in->segment;
                av->session_step = r.ended ? 0 : in->session_step;
                av->budget_left = in->budget_left;
            }
        }
        lgx_shares_tick(&av->shares);
    }
    L->steps += N;
    m->steps = L->steps;
    m->clock = lg_env_clock(job_of(L, 0, 0)->env);
    double elapsed = m->clock - L->sc->start_minute;
    while (L->ev_next < L->sc->n_events && L->sc->events[L->ev_order[L->ev_next]].time <= elapsed + 1e-6)
        lgx_model_fire_event(m, L->ev_order[L->ev_next++]);
    if (L->steps >= L->next_online) {
        append_online(L);
        while (L->next_online <= L->steps) L->next_online += L->online_every;
    }
    if (L->max_steps > 0 && L->steps >= L->max_steps) {
        if (L->last_eval_step != L->steps) evaluate_all(L);
        m->done = 1;
    }
}

void lgx_live_run(lgx_live *L, long slot_steps)
{
    if (L->running) return;
    double t0 = lg_now();
    while (L->steps < slot_steps && !L->work->done) lgx_live_round(L);
    if (L->last_eval_step != L->steps) evaluate_all(L);
    L->train_time += lg_now() - t0;
}

/* Fill the per-world fields and copy the work model into the shared one. */
static void publish(lgx_live *L)
{
    lgx_model *m = L->work;
    for (int a = 0; a < L->n_agents; a++) {
        lgx_agent_view *av = &m->agents[a];
        job *jb = job_of(L, a, 0);
        const lg_buffers *b = lg_env_buffers(jb->env);
        av->clock = lg_env_clock(jb->env);
        const int idle = lg_env_idle(jb->env, 0); /* retention: slot 0's mask is empty, not the platform's */
        for (int c = 0; c < L->C; c++) {
            lg_env_channel(jb->env, c, &av->ch[c]);
            av->mask[c] = idle ? (uint8_t)av->ch[c].on_air : b->mask[c];
        }
        lg_env_expected_reward(jb->env, 0, av->truth);
        av->state = b->state[0];
        const float *q = NULL;
        int rows = lgx_agent_q(jb->agent, L->C, L->n_states, &q);
        av->score_rows = rows;
        if (rows > 0) {
            int row = rows == 1 ? 0 : av->state;
            if (row < 0 || row >= rows) row = 0;
            av->score_row = row;
            memcpy(av->scores, q + (size_t)row * (size_t)L->C, sizeof(float) * (size_t)L->C);
            size_t n = av->qtable_rows == rows ? (size_t)rows * (size_t)L->C : (size_t)L->C;
            const float *src = av->qtable_rows == rows ? q : av->scores;
            float lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < n; i++) {
                if (src[i] < lo) lo = src[i];
                if (src[i] > hi) hi = src[i];
            }
            av->q_min = lo, av->q_max = hi;
            if (av->qtable_rows == rows) memcpy(av->qtable, q, n * sizeof(float));
        } else if (jb->agent->type->scores) {
            /* Agents without a value table (LinUCB, Thompson, gradient
             * bandit, DQN) report their values through the interface. */
            lga_obs_batch ob;
            lga_batch_from_env(jb->env, &ob);
            if (jb->agent->type->scores(jb->agent, &ob, 0, av->scores)) {
                av->score_rows = 1;
                av->score_row = 0;
                float lo = INFINITY, hi = -INFINITY;
                for (int c = 0; c < L->C; c++) {
                    if (av->scores[c] < lo) lo = av->scores[c];
                    if (av->scores[c] > hi) hi = av->scores[c];
                }
                av->q_min = lo, av->q_max = hi;
            }
        }
        if (L->has_eps[a]) av->epsilon_now = lgv_agent_epsilon_now(jb->agent);
    }
    double now = lg_now();
    if (now > L->pub_time + 0.05 || L->pub_steps > L->steps) {
        double rate = (double)(L->steps - L->pub_steps) * L->n_agents * L->n_seeds / (now - L->pub_time);
        m->steps_per_sec = m->steps_per_sec > 0 ? 0.5 * m->steps_per_sec + 0.5 * rate : rate;
        L->pub_time = now;
        L->pub_steps = L->steps;
    }
    m->wall_seconds = L->train_time;
    pthread_mutex_lock(&L->mu);
    lgx_model_copy(L->shared, m);
    pthread_mutex_unlock(&L->mu);
}

void lgx_live_snapshot(lgx_live *L, lgx_model *dst)
{
    if (!L->running) publish(L);
    pthread_mutex_lock(&L->mu);
    lgx_model_copy(dst, L->shared);
    pthread_mutex_unlock(&L->mu);
}

/* ---- the worker ---------------------------------------------------------------------- */

static void *worker(void *arg)
{
    lgx_live *L = arg;
    double last_pub = 0, next_due = lg_now();
    int dirty = 0;
    for (;;) {
        pthread_mutex_lock(&L->mu);
        int idle = !L->stop && ((L->paused && L->single == 0) || L->work->done);
        if (idle && dirty) {
            pthread_mutex_unlock(&L->mu);
            publish(L);
            dirty = 0;
            continue;
        }
        while (!L->stop && ((L->paused && L->single == 0) || L->work->done)) {
            pthread_cond_wait(&L->cv, &L->mu);
            next_due = lg_now();
            L->pub_time = next_due; /* paused time does not count against throughput */
            L->pub_steps = L->steps;
        }
        if (L->stop) {
            pthread_mutex_unlock(&L->mu);
            break;
        }
        int one = L->paused && L->single > 0;
        if (one) L->single--;
        double rate = L->rate;
        pthread_mutex_unlock(&L->mu);

        double t0 = lg_now();
        lgx_live_round(L);
        double t1 = lg_now();
        L->train_time += t1 - t0;
        dirty = 1;
        /* every step when they are slow enough to follow, else at most 60 times a second */
        if (one || (rate > 0 && rate <= 60) || t1 - last_pub > 1.0 / 60.0) {
            publish(L);
            last_pub = t1;
            dirty = 0;
        }
        if (rate > 0 && !one) {
            next_due += 1.0 / rate;
            if (next_due < t1 - 0.25) next_due = t1; /* do not burst after a stall */
            for (;;) {
                double wait = next_due - lg_now();
                if (wait <= 0) break;
                pthread_mutex_lock(&L->mu);
                int change = L->stop || L->paused || L->rate != rate;
                pthread_mutex_unlock(&L->mu);
                if (change) {
                    next_due = lg_now();
                    break;
                }
                struct timespec ts = {0, (long)(1e9 * (wait < 0.01 ? wait : 0.01))};
                nanosleep(&ts, NULL);
            }
        } else
            next_due = t1;
    }
    publish(L);
    return NULL;
}

int lgx_live_start(lgx_live *L, char *err, size_t errsz)
{
    if (L->running) return 0;
    L->stop = 0;
    L->pub_time = lg_now();
    L->pub_steps = L->steps;
    publish(L);
    if (pthread_create(&L->th, NULL, worker, L) != 0) {
        snprintf(err, errsz, "cannot start the training thread");
        return -1;
    }
    L->running = 1;
    return 0;
}

void lgx_live_stop(lgx_live *L)
{
    if (!L->running) return;
    pthread_mutex_lock(&L->mu);
    L->stop = 1;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
    pthread_join(L->th, NULL);
    L->running = 0;
}

void lgx_live_set_paused(lgx_live *L, int paused)
{
    pthread_mutex_lock(&L->mu);
    L->paused = paused != 0;
    if (!L->paused) L->single = 0;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
}

void lgx_live_step_once(lgx_live *L)
{
    if (!L->running) {
        lgx_live_round(L);
        publish(L);
        return;
    }
    pthread_mutex_lock(&L->mu);
    if (L->paused) L->single++;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
}

void lgx_live_set_rate(lgx_live *L, double rate)
{
    pthread_mutex_lock(&L->mu);
    L->rate = rate > 0 ? rate : 0;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
}
