/* Running an experiment: jobs = (agent, seed), taken by T worker threads
 * from a shared counter. Each job owns its envs, agent and result slot, and
 * every random draw is keyed by the job's seeds, so results never depend on
 * T or on which thread ran which job. */
#include "lgx_run.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobs.h"
#include "lgx_dispatch.h"
#include "lg_clock.h"
#include "lga_agent.h"
#include "lgn.h"
#include "lgx_results.h"

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
    int *owner;       /* [jobs] the MPI rank it was handed to (0: this process's threads) */
    int *again;       /* [jobs] handed out but given back (a rank left without them), taken first */
    int n_again;
    int others_gone;  /* an MPI run's root: every other process has left (none can give jobs back) */
    int team_size;    /* threads per worker: the --threads that fewer jobs than threads leave over */
} shared;

static int is_classic(const lg_scenario *sc) { return sc->kind != LG_KIND_LIVE; }

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

typedef struct {
    shared *sh;
    int job;
} job_progress;

static void on_job_progress(void *ctx, double f)
{
    job_progress *jp = ctx;
    set_progress(jp->sh, jp->job, f);
    const lgx_dispatch *d = jp->sh->cfg->dispatch;
    if (d && !d->root && d->nudge) d->nudge(d->ctx);
}

/* This process's shared sequence of jobs (its threads', and on an MPI
 * run's root the other processes' too): up to `want` next ones not done (a
 * resumed run has some); none when none is left or the run stops. */
static int next_jobs(shared *sh, int rank, int *jobs, int want)
{
    int n = 0;
    pthread_mutex_lock(&sh->mu);
    while (n < want && !sh->failed && !*sh->cfg->stop && (sh->n_again > 0 || sh->next < sh->res->jobs_total)) {
        int k = sh->n_again > 0 ? sh->again[--sh->n_again] : sh->next++;
        if (!sh->res->jobs[k].done) jobs[n++] = k, sh->started[k] = lg_now(), sh->owner[k] = rank;
    }
    pthread_mutex_unlock(&sh->mu);
    return n;
}

/* The next job for one of this process's threads. On an MPI run's root a
 * thread with nothing to do waits until the other processes have left: one
 * stopped alone gives back the jobs it held. */
static int next_job(shared *sh)
{
    const lgx_dispatch *d = sh->cfg->dispatch;
    for (;;) {
        int j;
        if (next_jobs(sh, 0, &j, 1)) return j;
        pthread_mutex_lock(&sh->mu);
        int wait = d && d->root && !sh->others_gone && !sh->failed && !*sh->cfg->stop;
        pthread_mutex_unlock(&sh->mu);
        if (!wait) return next_jobs(sh, 0, &j, 1) ? j : -1; /* a last look: jobs given back as the others left */
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static int is_remote(const lgx_run_config *cfg) { return cfg->dispatch && !cfg->dispatch->root; }

/* A process that is not an MPI run's root: its next job from the root. */
static int claim_remote(shared *sh)
{
    pthread_mutex_lock(&sh->mu);
    int stop = sh->failed || *sh->cfg->stop;
    pthread_mutex_unlock(&sh->mu);
    int j = stop ? -1 : sh->cfg->dispatch->claim(sh->cfg->dispatch->ctx);
    if (j < 0 || j >= sh->res->jobs_total) return -1;
    pthread_mutex_lock(&sh->mu);
    sh->started[j] = lg_now();
    pthread_mutex_unlock(&sh->mu);
    return j;
}

/* A job finished here for the root of an MPI run (or its failure). */
static int deliver(shared *sh, int j, const char *failure)
{
    void *p;
    size_t n;
    const lgx_dispatch *d = sh->cfg->dispatch;
    int rc = failure ? lgx_job_failure_payload(failure, &p, &n) : lgx_job_payload(sh->cfg, sh->res, j, &p, &n);
    if (rc) return -1;
    rc = d->deliver(d->ctx, j, p, n);
    free(p);
    return rc;
}

static void *worker(void *arg)
{
    shared *sh = arg;
    const lgx_run_config *cfg = sh->cfg;
    lgx_run_result *res = sh->res;
    const int classic = is_classic(cfg->sc), remote = is_remote(cfg);
    /* Results are the same bits with or without a team: when it cannot
     * start, the worker runs alone. Started at the first job whose agent
     * can use one (lga_agent_type.use_team: DQN), or whose type is not
     * known by name here. */
    lgn_team *team = NULL;
    int team_tried = 0;
    for (;;) {
        int j = remote ? claim_remote(sh) : next_job(sh);
        if (j < 0) break;
        lgx_job *job = &res->jobs[j];
        int agent_i = j / res->seeds, seed = 1 + j % res->seeds;
        const lga_agent_type *type = lga_find(cfg->ex.agents[agent_i].name);
        if (!team_tried && sh->team_size > 1 && (!type || type->use_team)) {
            team_tried = 1;
            if (lgn_team_create(sh->team_size, &team, NULL, 0)) team = NULL;
        }
        job_progress jp = {sh, j};
        lgx_job_ctx jc = {cfg, agent_i, seed, on_job_progress, &jp, team};
        char err[1024] = "";
        int rc;
        if (classic) {
            lgx_online_curve *oc = &res->online[agent_i];
            size_t at = (size_t)(seed - 1) * (size_t)oc->length;
            rc = lgx_job_online(&jc, job, &oc->raw_reward[at], &oc->raw_optimal[at], err, sizeof err);
        } else {
            rc = lgx_job_live(&jc, job, err, sizeof err);
        }
        if (rc < 0) {
            char msg[1200];
            snprintf(msg, sizeof msg, "%s seed %d: %s", cfg->ex.agents[agent_i].label, seed, err);
            if (remote) deliver(sh, j, msg);
            fail_job(sh, msg);
            break;
        }
        if (rc > 0) break; /* stopped: the job is not done */
        if (remote && deliver(sh, j, NULL)) {
            fail_job(sh, "could not send a finished job to the root process");
            break;
        }
        if (remote) { /* rank 0 keeps it now */
            free(job->points), job->points = NULL, job->n_points = 0;
            lgx_timeline_free(&job->timeline);
        }
        if (!remote && !classic && cfg->out_dir && lgx_results_write_job(cfg, agent_i, seed, job, err, sizeof err)) {
            fail_job(sh, err);
            break;
        }
        pthread_mutex_lock(&sh->mu);
        job->done = 1;
        res->jobs_done++;
        sh->progress[j] = 1.0;
        pthread_mutex_unlock(&sh->mu);
    }
    lgn_team_free(team);
    pthread_mutex_lock(&sh->mu);
    sh->running--;
    pthread_mutex_unlock(&sh->mu);
    return NULL;
}

static void report(shared *sh, double t0, int final);

/* The root of an MPI run: the other processes' claims and finished jobs.
 * A claim takes a share of what is left (guided self-scheduling: an eighth
 * per process, at least one), so that short jobs do not each wait for a
 * round trip, while the last jobs still go one by one to whoever is free. */
static int root_claim(void *run, int rank, int processes, int *jobs, int cap)
{
    shared *sh = run;
    pthread_mutex_lock(&sh->mu);
    int want = (sh->res->jobs_total - sh->next) / (8 * (processes > 0 ? processes : 1));
    pthread_mutex_unlock(&sh->mu);
    return next_jobs(sh, rank, jobs, want < 1 ? 1 : want > cap ? cap : want);
}

/* Only a job handed to that rank and not yet done is taken. */
static int root_accept(void *run, int rank, int j, const void *p, size_t len, char *err, size_t errsz)
{
    shared *sh = run;
    pthread_mutex_lock(&sh->mu);
    int ours = j >= 0 && j < sh->res->jobs_total && rank > 0 && sh->owner[j] == rank && !sh->res->jobs[j].done;
    pthread_mutex_unlock(&sh->mu);
    if (!ours) snprintf(err, errsz, "rank %d sent a result for job %d, which it was not running", rank, j);
    if (!ours || lgx_job_accept(sh->cfg, sh->res, j, p, len, err, errsz)) return fail_job(sh, err), -1;
    sh->res->jobs[j].rank = rank;
    pthread_mutex_lock(&sh->mu);
    sh->res->jobs[j].done = 1;
    sh->res->jobs_done++;
    sh->progress[j] = 1.0;
    pthread_mutex_unlock(&sh->mu);
    return 0;
}

static void root_leave(void *run, int rank, int failed)
{
    shared *sh = run;
    char msg[96];
    snprintf(msg, sizeof msg, "rank %d failed (its message is above)", rank);
    if (failed) return fail_job(sh, msg);
    pthread_mutex_lock(&sh->mu);
    for (int j = sh->next - 1; j >= 0; j--) /* so that the lowest is taken first */
        if (sh->owner[j] == rank && !sh->res->jobs[j].done) {
            sh->owner[j] = 0, sh->progress[j] = 0.0, sh->started[j] = 0.0;
            sh->again[sh->n_again++] = j;
        }
    pthread_mutex_unlock(&sh->mu);
}

static int root_halted(void *run)
{
    shared *sh = run;
    pthread_mutex_lock(&sh->mu);
    int h = sh->failed || *sh->cfg->stop;
    pthread_mutex_unlock(&sh->mu);
    return h;
}

/* Wait for the threads (and, on an MPI run's root, the other processes),
 * telling the display about five times a second. The root looks at the
 * others 0.2 ms after any traffic, backing off to 4 ms while there is none:
 * looking costs its own threads (a wake-up every 0.2 ms slowed them by 14%
 * on the project machine), and the others rarely wait on it (their claims
 * take several jobs, their results go without waiting). */
static void wait_all(shared *sh, double t0)
{
    const lgx_dispatch *d = sh->cfg->dispatch;
    const lgx_dispatch_root hooks = {sh, root_claim, root_accept, root_leave, root_halted};
    int serving = d && d->root;
    double shown = 0.0;
    long pause = 200 * 1000; /* ns */
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        int running = sh->running;
        pthread_mutex_unlock(&sh->mu);
        int others = 1, handled = 0;
        if (serving) {
            char e[2048];
            others = d->serve(d->ctx, &hooks, &handled, e, sizeof e);
            if (others < 0) fail_job(sh, e), serving = 0, others = 1; /* nothing more will come */
            pthread_mutex_lock(&sh->mu);
            sh->others_gone = others;
            pthread_mutex_unlock(&sh->mu);
        }
        if (!running && others) break;
        if (lg_now() - shown >= 0.2) report(sh, t0, 0), shown = lg_now();
        pause = handled ? 200 * 1000 : pause * 2 > 4000 * 1000 ? 4000 * 1000 : pause * 2;
        struct timespec ts = {0, serving ? pause : 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Tell the caller's display where the run stands. */
static void report(shared *sh, double t0, int final)
{
    const lgx_run_config *cfg = sh->cfg;
    if (!cfg->on_progress) return;
    const lgx_run_result *res = sh->res;
    lgx_progress p;
    memset(&p, 0, sizeof p);
    double now = lg_now(), sum = 0.0;
    pthread_mutex_lock(&sh->mu);
    for (int j = 0; j < res->jobs_total; j++) {
        sum += sh->progress[j];
        if (sh->started[j] <= 0.0 || sh->progress[j] >= 1.0 || p.n_running == LGX_PROGRESS_SHOWN) continue;
        p.running[p.n_running].agent = j / res->seeds;
        p.running[p.n_running].seed = 1 + j % res->seeds;
        p.running[p.n_running].fraction = sh->progress[j];
        p.running[p.n_running].elapsed = now - sh->started[j];
        p.n_running++;
    }
    p.jobs_done = res->jobs_done;
    pthread_mutex_unlock(&sh->mu);
    p.elapsed = now - t0;
    p.fraction = sum / res->jobs_total;
    p.jobs_total = res->jobs_total;
    p.final = final;
    cfg->on_progress(cfg->progress_ctx, &p);
}

void lgx_run_result_free(lgx_run_result *res)
{
    if (res->jobs)
        for (int j = 0; j < res->n_agents * res->seeds; j++) {
            free(res->jobs[j].points);
            lgx_timeline_free(&res->jobs[j].timeline);
        }
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

/* --resume: the jobs the folder has finished are read back, not run; a
 * finished job's file that is refused is said, and the job runs again. */
static void resume_finished(const lgx_run_config *cfg, lgx_run_result *res)
{
    for (int j = 0; j < res->jobs_total; j++) {
        char why[4400];
        int got = lgx_results_read_job(cfg, j / res->seeds, 1 + j % res->seeds, &res->jobs[j], why, sizeof why);
        if (got == 0) res->jobs[j].done = 1, res->jobs_done++;
        if (got < 0 && cfg->on_note) {
            char line[4600];
            snprintf(line, sizeof line, "%s; that run is done again", why);
            cfg->on_note(cfg->note_ctx, line);
        }
    }
}

/* Every running job holds two worlds (training and its evaluation fork):
 * refuse, before any work or file, threads whose worlds the machine cannot
 * hold, saying how many it can. */
static int memory_check(const lgx_run_config *cfg, int T, char *err, size_t errsz)
{
    const double per_env = (double)lg_env_bytes(cfg->sc, cfg->ex.slots, LG_LAYOUT_FLAT);
    const double have = (double)lg_machine_bytes();
    if (2.0 * per_env * T <= have) return 0;
    int fits = (int)(have / (2.0 * per_env));
    snprintf(err, errsz,
             "the world needs %.1f GB per env and each running job holds two (training, evaluation): %d thread(s) "
             "need %.1f GB, this machine has %.1f GB; %s",
             per_env / 1e9, T, 2.0 * per_env * T / 1e9, have / 1e9,
             fits >= 1 ? "use fewer --threads" : "use a smaller world (viewers, channels, slots)");
    if (fits >= 1) snprintf(err + strlen(err), errsz - strlen(err), " (at most %d)", fits);
    return -1;
}

static int run_owned(const lgx_run_config *cfg, lgx_run_result *res, char *err, size_t errsz)
{
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
    char e[768] = "";
    int which;
    if (lgx_check_agents(cfg->sc, ex, is_classic(cfg->sc) ? 1 : ex->slots, &which, e, sizeof e)) {
        char where[160];
        if (which >= 0) lgx_agent_where(ex, which, where, sizeof where), snprintf(err, errsz, "%s: %s", where, e);
        else snprintf(err, errsz, "%s", e);
        return -2;
    }
    int T = cfg->threads < 1 ? 1 : cfg->threads; /* the worker threads */
    if (T > res->jobs_total) T = res->jobs_total;
    if (!is_classic(cfg->sc) && memory_check(cfg, T, err, errsz)) return -2;
    const int remote = is_remote(cfg); /* the root writes the folder and reads back what it has */
    if (!remote && cfg->out_dir && lgx_results_prepare(cfg, err, errsz)) return -1;
    if (!remote && cfg->resume && !is_classic(cfg->sc)) resume_finished(cfg, res);

    shared sh = {.cfg = cfg, .res = res, .team_size = (cfg->threads < 1 ? 1 : cfg->threads) / T};
    pthread_mutex_init(&sh.mu, NULL);
    sh.progress = calloc((size_t)res->jobs_total, sizeof(double));
    sh.started = calloc((size_t)res->jobs_total, sizeof(double));
    sh.owner = calloc((size_t)res->jobs_total, sizeof(int));
    sh.again = calloc((size_t)res->jobs_total, sizeof(int));
    pthread_t *th = calloc((size_t)T, sizeof *th);
    if (!sh.progress || !sh.started || !sh.owner || !sh.again || !th) {
        free(sh.progress), free(sh.started), free(sh.owner), free(sh.again), free(th);
        pthread_mutex_destroy(&sh.mu);
        return snprintf(err, errsz, "out of memory for %d jobs", res->jobs_total), -1;
    }
    for (int j = 0; j < res->jobs_total; j++) sh.progress[j] = res->jobs[j].done ? 1.0 : 0.0;
    double t0 = lg_now();
    int started = 0;
    sh.running = T;
    while (started < T && pthread_create(&th[started], NULL, worker, &sh) == 0) started++;
    if (started < T) { /* a process limit: run with the threads there are */
        pthread_mutex_lock(&sh.mu);
        sh.running -= T - started;
        pthread_mutex_unlock(&sh.mu);
        if (started == 0) fail_job(&sh, "could not start a worker thread");
    }
    wait_all(&sh, t0);
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    report(&sh, t0, 1);
    res->wall_seconds = lg_now() - t0;
    res->interrupted = remote ? *cfg->stop != 0 : res->jobs_done < res->jobs_total;
    int failed = sh.failed;
    if (failed) snprintf(err, errsz, "%s", sh.err);
    free(sh.progress), free(sh.started), free(sh.owner), free(sh.again), free(th);
    pthread_mutex_destroy(&sh.mu);
    if (res->online && reduce_online(res)) return snprintf(err, errsz, "out of memory"), -1;
    char werr[1024];
    if (!remote && cfg->out_dir && lgx_results_write(cfg, res, werr, sizeof werr)) {
        if (!failed) snprintf(err, errsz, "%s", werr);
        return -1;
    }
    if (failed) return -1;
    return res->interrupted ? 1 : 0;
}

/* The results folder belongs to this run for the run's lifetime. */
int lgx_run(const lgx_run_config *cfg, lgx_run_result *res, char *err, size_t errsz)
{
    memset(res, 0, sizeof *res);
    int lock = -1;
    if (cfg->out_dir && !is_remote(cfg) && (lock = lgx_results_lock(cfg->out_dir, err, errsz)) < 0) return -1;
    int rc = run_owned(cfg, res, err, errsz);
    lgx_results_unlock(lock);
    return rc;
}
