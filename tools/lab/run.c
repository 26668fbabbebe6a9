/* Running an experiment: jobs = (agent, seed), taken by T worker threads
 * from a shared counter. Each job owns its envs, agent and result slot, and
 * every random draw is keyed by the job's seeds, so results never depend on
 * T or on which thread ran which job. */
#include "lgx_run.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lg_clock.h"
#include "lga_agent.h"
#include "lgx_loop.h"

const char *const lgx_metric_names[LGX_M_COUNT] = {
    "return", "watch_minutes", "session_steps", "ctr", "gifts", "follows", "precision",
    "recall", "f1",            "ndcg",          "coverage", "gini", "regret", "invalid_rate"};
const int lgx_metric_direction[LGX_M_COUNT] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1};

/* Evaluation seeds are shared by all agents (common random numbers) and far
 * from training seeds. */
#define EVAL_SEED_BASE 1000000u
#define TRAIN_CHUNK 4096 /* slot-steps between checks for Ctrl-C and progress */

typedef struct {
    const lgx_run_config *cfg;
    lgx_run_result *res;
    pthread_mutex_t mu;
    int next;
    int running;
    int failed;
    char err[2048];
    double *progress; /* [jobs] fraction done */
    double *started;  /* [jobs] wall clock when the job began, 0 if not */
    int drawn;        /* lines of the progress display on screen */
} shared;

static int is_classic(const lg_scenario *sc) { return sc->kind != LG_KIND_LIVE; }

int lgx_run_points(const lgx_experiment *ex)
{
    if (ex->eval_every <= 0 || ex->train_steps <= 0) return 1;
    return 1 + (ex->train_steps + ex->eval_every - 1) / ex->eval_every;
}

static long point_step(const lgx_experiment *ex, int p)
{
    long s = (long)p * ex->eval_every;
    return s > ex->train_steps ? ex->train_steps : s;
}

static void set_progress(shared *sh, int job, double f)
{
    pthread_mutex_lock(&sh->mu);
    sh->progress[job] = f;
    pthread_mutex_unlock(&sh->mu);
}

static void fail_job(shared *sh, const char *msg)
{
    pthread_mutex_lock(&sh->mu);
    if (!sh->failed) snprintf(sh->err, sizeof sh->err, "%s", msg);
    sh->failed = 1;
    pthread_mutex_unlock(&sh->mu);
}

static void metrics_of(const lgx_tally *t, const lgx_loop *lp, int n_actions, int slate, double *m)
{
    double d = t->sessions > 0 ? t->sessions : 1.0, steps = t->steps > 0 ? t->steps : 1.0;
    m[LGX_M_RETURN] = t->ret / d;
    m[LGX_M_WATCH] = t->minutes / d;
    m[LGX_M_STEPS] = t->session_steps / d;
    m[LGX_M_CTR] = t->chose / steps;
    m[LGX_M_GIFTS] = t->gifts / d;
    m[LGX_M_FOLLOWS] = t->follows / d;
    m[LGX_M_PRECISION] = t->precision / steps;
    m[LGX_M_RECALL] = t->recall / steps;
    double p = m[LGX_M_PRECISION], r = m[LGX_M_RECALL];
    m[LGX_M_F1] = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    m[LGX_M_NDCG] = t->ndcg / steps;
    lgx_exposure(lp, n_actions, &m[LGX_M_COVERAGE], &m[LGX_M_GINI]);
    m[LGX_M_REGRET] = t->regret / steps;
    m[LGX_M_INVALID] = t->invalid / (steps * slate);
}

/* The live protocol: train, evaluating greedily at every evaluation point on
 * a freshly reset evaluation env. Returns 0, 1 if stopped, -1 on error. */
static int run_live_job(shared *sh, int job, int agent_i, int seed, lgx_job *out, char *err, size_t errsz)
{
    const lgx_run_config *cfg = sh->cfg;
    const lgx_experiment *ex = &cfg->ex;
    const lgx_agent_spec *spec = &ex->agents[agent_i];
    lg_env *train = NULL, *eval = NULL;
    lga_agent *agent = NULL;
    lgx_loop lt = {0}, le = {0};
    int rc = -1;
    const uint64_t eval_seed = EVAL_SEED_BASE + (uint64_t)seed;
    if (lg_env_create(cfg->sc, ex->slots, (uint64_t)seed, LG_LAYOUT_FLAT, &train, err, errsz) ||
        lg_env_create(cfg->sc, ex->slots, eval_seed, LG_LAYOUT_FLAT, &eval, err, errsz))
        goto out;
    lga_obs_batch shape;
    lga_batch_from_env(train, &shape);
    if (!(agent = lga_create(spec->name, spec->params, &shape, (uint64_t)seed, err, errsz))) goto out;
    if (lgx_loop_init(&lt, train) || lgx_loop_init(&le, eval) || lgx_loop_enable_relevance(&le, eval)) {
        snprintf(err, errsz, "out of memory");
        goto out;
    }
    const int learns = agent->type->learns;
    const int n_points = lgx_run_points(ex);
    const int C = lg_env_buffers(eval)->n_actions, k = lg_env_buffers(eval)->slate_size;
    out->n_points = n_points;
    out->points = calloc((size_t)n_points, sizeof(lgx_eval_point));
    if (!out->points) {
        snprintf(err, errsz, "out of memory");
        goto out;
    }
    long trained = 0;
    double train_time = 0.0;
    int first = 0, last_saved = -1;
    if (cfg->resume && cfg->out_dir && learns) {
        int p;
        if (lgx_results_read_checkpoint(cfg, agent_i, seed, &p, &trained, &train_time, out->points, n_points, agent,
                                       train) == 0)
            first = p + 1, last_saved = p;
    }
    for (int p = first; p < n_points; p++) {
        long target = point_step(ex, p);
        while (learns && trained < target) {
            if (*cfg->stop) {
                rc = 1;
                goto out;
            }
            long chunk = target - trained < TRAIN_CHUNK ? target - trained : TRAIN_CHUNK;
            double t0 = lg_now();
            lgx_train(&lt, agent, train, chunk, NULL);
            train_time += lg_now() - t0;
            trained += chunk;
            set_progress(sh, job, (double)trained / (ex->train_steps + 1.0));
        }
        out->points[p].step = target;
        if (p > 0 && !learns) { /* nothing changed: the same evaluation */
            memcpy(out->points[p].m, out->points[0].m, sizeof out->points[0].m);
            continue;
        }
        if (*cfg->stop) {
            rc = 1;
            goto out;
        }
        lg_env_reset(eval, eval_seed);
        lgx_tally t = {0};
        lgx_evaluate(&le, agent, eval, ex->eval_sessions, &t);
        metrics_of(&t, &le, C, k, out->points[p].m);
        if (learns && cfg->out_dir && p + 1 < n_points) {
            if (lgx_results_write_checkpoint(cfg, agent_i, seed, p, trained, train_time, out->points, agent, train,
                                            err, errsz))
                goto out;
            last_saved = p;
        }
    }
    if (last_saved >= 0) lgx_results_remove_checkpoint(cfg, agent_i, seed, last_saved);
    out->train_seconds = train_time;
    out->steps_per_sec = train_time > 0 ? (double)trained / train_time : 0.0;
    rc = 0;
out:
    lgx_loop_free(&lt), lgx_loop_free(&le);
    lga_free(agent);
    lg_env_free(train), lg_env_free(eval);
    return rc;
}

/* The online protocol of the book experiments: one run is one fresh agent on
 * one fresh env (N = 1); record each step's reward and whether the action
 * was optimal (bandit), or each episode's return (cliff). */
static int run_online_job(shared *sh, int job, int agent_i, int seed, lgx_job *out, float *reward,
                          uint8_t *optimal, char *err, size_t errsz)
{
    const lgx_run_config *cfg = sh->cfg;
    const lgx_agent_spec *spec = &cfg->ex.agents[agent_i];
    lg_env *env = NULL;
    lga_agent *agent = NULL;
    lga_copy obs = {0}, next = {0};
    float *er = NULL;
    int rc = -1;
    if (lg_env_create(cfg->sc, 1, (uint64_t)seed, LG_LAYOUT_FLAT, &env, err, errsz)) goto out;
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    if (!(agent = lga_create(spec->name, spec->params, &shape, (uint64_t)seed, err, errsz))) goto out;
    if (lga_copy_init(env, &obs) || lga_copy_init(env, &next) ||
        !(er = malloc(sizeof(float) * (size_t)shape.n_actions))) {
        snprintf(err, errsz, "out of memory");
        goto out;
    }
    const lg_buffers *b = lg_env_buffers(env);
    const int bandit = cfg->sc->kind == LG_KIND_BANDIT;
    const long length = bandit ? cfg->sc->bandit.steps : cfg->ex.episodes;
    int32_t action;
    double t0 = lg_now(), ep_ret = 0.0;
    long steps = 0;
    for (long i = 0; i < length;) {
        if (*cfg->stop) {
            rc = 1;
            goto out;
        }
        lga_copy_current(env, &obs);
        agent->type->act(agent, &obs.batch, 0, &action);
        if (bandit) {
            lg_env_expected_reward(env, 0, er);
            float best = er[0];
            for (int c = 1; c < shape.n_actions; c++) best = er[c] > best ? er[c] : best;
            optimal[i] = action >= 0 && action < shape.n_actions && er[action] == best;
        }
        lg_env_step(env, &action);
        steps++;
        lga_copy_next(env, &next);
        lga_transition_batch tr = {&obs.batch, &action, b->reward, b->terminated, b->truncated, b->info,
                                   &next.batch};
        agent->type->update(agent, &tr);
        ep_ret += b->reward[0];
        if (bandit) {
            reward[i++] = b->reward[0];
        } else if (b->terminated[0] || b->truncated[0]) {
            reward[i++] = (float)ep_ret;
            ep_ret = 0.0;
            if ((i & 15) == 0) set_progress(sh, job, (double)i / length);
        }
    }
    out->train_seconds = lg_now() - t0;
    out->steps_per_sec = out->train_seconds > 0 ? steps / out->train_seconds : 0.0;
    rc = 0;
out:
    lga_copy_free(&obs), lga_copy_free(&next);
    free(er);
    lga_free(agent);
    lg_env_free(env);
    return rc;
}

static void *worker(void *arg)
{
    shared *sh = arg;
    const lgx_run_config *cfg = sh->cfg;
    lgx_run_result *res = sh->res;
    const int total = res->jobs_total;
    const int classic = is_classic(cfg->sc);
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        int j = sh->next++;
        int stop = sh->failed || *cfg->stop;
        pthread_mutex_unlock(&sh->mu);
        if (j >= total || stop) break;
        lgx_job *job = &res->jobs[j];
        if (job->done) continue; /* resumed from the folder */
        pthread_mutex_lock(&sh->mu);
        sh->started[j] = lg_now();
        pthread_mutex_unlock(&sh->mu);
        int agent_i = j / res->seeds, seed = 1 + j % res->seeds;
        char err[1024] = "";
        int rc;
        if (classic) {
            lgx_online_curve *oc = &res->online[agent_i];
            size_t at = (size_t)(seed - 1) * (size_t)oc->length;
            rc = run_online_job(sh, j, agent_i, seed, job, &oc->raw_reward[at], &oc->raw_optimal[at], err, sizeof err);
        } else {
            rc = run_live_job(sh, j, agent_i, seed, job, err, sizeof err);
        }
        if (rc < 0) {
            char msg[1100];
            snprintf(msg, sizeof msg, "%s seed %d: %s", cfg->ex.agents[agent_i].label, seed, err);
            fail_job(sh, msg);
            break;
        }
        if (rc > 0) break; /* stopped: the job is not done */
        if (!classic && cfg->out_dir && lgx_results_write_job(cfg, agent_i, seed, job, err, sizeof err)) {
            fail_job(sh, err);
            break;
        }
        pthread_mutex_lock(&sh->mu);
        job->done = 1;
        res->jobs_done++;
        sh->progress[j] = 1.0;
        pthread_mutex_unlock(&sh->mu);
    }
    pthread_mutex_lock(&sh->mu);
    sh->running--;
    pthread_mutex_unlock(&sh->mu);
    return NULL;
}

static void fill_bar(char *bar, int width, double frac)
{
    int fill = (int)(frac * width);
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
}

/* The progress display on stderr: one overall line, then one bar per run in
 * progress, redrawn in place (ANSI cursor movement; only used on a terminal). */
static void draw_progress(shared *sh, double t0, int final)
{
    const lgx_run_result *res = sh->res;
    for (int i = 1; i < sh->drawn; i++) fprintf(stderr, "\033[1A");
    fprintf(stderr, "\r\033[J");
    sh->drawn = 0;
    if (final) {
        fflush(stderr);
        return;
    }
    double now = lg_now(), el = now - t0, sum = 0.0;
    char bar[41];
    pthread_mutex_lock(&sh->mu);
    for (int j = 0; j < res->jobs_total; j++) sum += sh->progress[j];
    double frac = sum / res->jobs_total;
    fill_bar(bar, 30, frac);
    fprintf(stderr, "[%s] %3.0f%%  runs %d/%d  %.0f s elapsed", bar, 100 * frac, res->jobs_done, res->jobs_total, el);
    if (frac > 0.01) fprintf(stderr, ", ETA %.0f s", el / frac - el);
    sh->drawn = 1;
    for (int j = 0; j < res->jobs_total && sh->drawn < 9; j++) {
        if (sh->started[j] <= 0.0 || sh->progress[j] >= 1.0) continue;
        double f = sh->progress[j], je = now - sh->started[j];
        fill_bar(bar, 20, f);
        fprintf(stderr, "\n  %-20.20s seed %-4d [%s] %3.0f%%", sh->cfg->ex.agents[j / res->seeds].label,
                1 + j % res->seeds, bar, 100 * f);
        if (f > 0.01) fprintf(stderr, "  ETA %.0f s", je / f - je);
        sh->drawn++;
    }
    pthread_mutex_unlock(&sh->mu);
    fflush(stderr);
}

void lgx_run_result_free(lgx_run_result *res)
{
    if (res->jobs)
        for (int j = 0; j < res->n_agents * res->seeds; j++) free(res->jobs[j].points);
    if (res->online)
        for (int a = 0; a < res->n_agents; a++) {
            lgx_online_curve *oc = &res->online[a];
            free(oc->raw_reward), free(oc->raw_optimal), free(oc->reward), free(oc->optimal);
        }
    free(res->jobs), free(res->online);
    memset(res, 0, sizeof *res);
}

/* Sum the per-run online records in run order (a fixed summation order:
 * identical whatever the thread count). */
static int reduce_online(lgx_run_result *res)
{
    for (int a = 0; a < res->n_agents; a++) {
        lgx_online_curve *oc = &res->online[a];
        const float *raw_r = oc->raw_reward;
        const uint8_t *raw_o = oc->raw_optimal;
        double *sum_r = calloc((size_t)oc->length, sizeof(double)), *sum_o = calloc((size_t)oc->length, sizeof(double));
        if (!sum_r || !sum_o) {
            free(sum_r), free(sum_o);
            return -1;
        }
        int runs = 0;
        for (int s = 0; s < res->seeds; s++) {
            if (!res->jobs[a * res->seeds + s].done) continue;
            runs++;
            for (int i = 0; i < oc->length; i++) {
                sum_r[i] += raw_r[(size_t)s * oc->length + i];
                sum_o[i] += raw_o[(size_t)s * oc->length + i];
            }
        }
        oc->reward = sum_r;
        oc->optimal = sum_o;
        oc->runs = runs;
    }
    return 0;
}

int lgx_run(const lgx_run_config *cfg, lgx_run_result *res, char *err, size_t errsz)
{
    memset(res, 0, sizeof *res);
    const lgx_experiment *ex = &cfg->ex;
    res->n_agents = ex->n_agents;
    res->seeds = ex->seeds;
    res->jobs_total = ex->n_agents * ex->seeds;
    res->jobs = calloc((size_t)res->jobs_total, sizeof *res->jobs);
    if (!res->jobs) return snprintf(err, errsz, "out of memory"), -1;
    if (is_classic(cfg->sc)) {
        res->online = calloc((size_t)ex->n_agents, sizeof *res->online);
        if (!res->online) return snprintf(err, errsz, "out of memory"), -1;
        long length = cfg->sc->kind == LG_KIND_BANDIT ? cfg->sc->bandit.steps : ex->episodes;
        for (int a = 0; a < ex->n_agents; a++) {
            lgx_online_curve *oc = &res->online[a];
            oc->length = (int)length;
            oc->raw_reward = calloc((size_t)length * (size_t)ex->seeds, sizeof(float));
            oc->raw_optimal = calloc((size_t)length * (size_t)ex->seeds, 1);
            if (!oc->raw_reward || !oc->raw_optimal) {
                lgx_run_result_free(res);
                return snprintf(err, errsz, "out of memory for %d runs of %ld steps", ex->seeds, length), -1;
            }
        }
    }
    /* Check every agent and its hyperparameters before any work starts. */
    lg_env *probe;
    if (lg_env_create(cfg->sc, is_classic(cfg->sc) ? 1 : ex->slots, 1, LG_LAYOUT_FLAT, &probe, err, errsz))
        return -2;
    lga_obs_batch shape;
    lga_batch_from_env(probe, &shape);
    for (int a = 0; a < ex->n_agents; a++) {
        char e[768];
        lga_agent *ag = lga_create(ex->agents[a].name, ex->agents[a].params, &shape, 1, e, sizeof e);
        if (!ag) {
            snprintf(err, errsz, "experiment.agents[%d]: %s", a, e);
            lg_env_free(probe);
            return -2;
        }
        lga_free(ag);
    }
    lg_env_free(probe);
    if (cfg->out_dir && lgx_results_prepare(cfg, err, errsz)) return -1;
    if (cfg->resume && !is_classic(cfg->sc))
        for (int j = 0; j < res->jobs_total; j++)
            if (lgx_results_read_job(cfg, j / res->seeds, 1 + j % res->seeds, &res->jobs[j]) == 0) {
                res->jobs[j].done = 1;
                res->jobs_done++;
            }

    shared sh = {.cfg = cfg, .res = res};
    pthread_mutex_init(&sh.mu, NULL);
    sh.progress = calloc((size_t)res->jobs_total, sizeof(double));
    sh.started = calloc((size_t)res->jobs_total, sizeof(double));
    for (int j = 0; j < res->jobs_total; j++) sh.progress[j] = res->jobs[j].done ? 1.0 : 0.0;
    int T = cfg->threads < 1 ? 1 : cfg->threads;
    if (T > res->jobs_total) T = res->jobs_total;
    pthread_t th[256];
    double t0 = lg_now();
    sh.running = T;
    for (int i = 0; i < T; i++) pthread_create(&th[i], NULL, worker, &sh);
    for (;;) {
        pthread_mutex_lock(&sh.mu);
        int running = sh.running;
        pthread_mutex_unlock(&sh.mu);
        if (!running) break;
        if (cfg->progress) draw_progress(&sh, t0, 0);
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < T; i++) pthread_join(th[i], NULL);
    if (cfg->progress) draw_progress(&sh, t0, 1);
    res->wall_seconds = lg_now() - t0;
    res->interrupted = res->jobs_done < res->jobs_total;
    int failed = sh.failed;
    if (failed) snprintf(err, errsz, "%s", sh.err);
    free(sh.progress), free(sh.started);
    pthread_mutex_destroy(&sh.mu);
    if (res->online && reduce_online(res)) return snprintf(err, errsz, "out of memory"), -1;
    char werr[1024];
    if (cfg->out_dir && lgx_results_write(cfg, res, werr, sizeof werr)) {
        if (!failed) snprintf(err, errsz, "%s", werr);
        return -1;
    }
    if (failed) return -1;
    return res->interrupted ? 1 : 0;
}
