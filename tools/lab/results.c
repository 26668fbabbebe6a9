/* The results folder (docs/results.md): every file written atomically; every
 * wall-clock figure confined to timing.json so the rest compares byte-equal. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lg_checksum.h"
#include "lg_file.h"
#include "lg_sbuf.h"
#include "lga_agent.h"
#include "lgx_events.h"
#include "lgx_folder.h"
#include "lgx_results.h"

/* Labels become folder names: keep them to a safe alphabet. */
/* A label as a folder name: other bytes become '_', and then a hash of the
 * label keeps two labels apart that differ only there ("eps x=1", "eps x_1"). */
static void safe_name(const char *label, char *out, size_t n)
{
    size_t i = 0;
    int changed = 0;
    for (; label[i] && i + 1 < n; i++) {
        char c = label[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '_' || c == '.';
        out[i] = ok && !(i == 0 && c == '.') ? c : '_';
        changed |= out[i] != c;
    }
    out[i] = 0;
    if (changed && i + 10 < n)
        snprintf(out + i, n - i, "-%08x", (unsigned)lg_fnv1a64(LG_FNV1A64_INIT, label, strlen(label)));
}

void lgx_results_job_path(const lgx_run_config *cfg, int agent, int seed, char *out, size_t n, int dir_only)
{
    char name[LGX_AGENT_LABEL_LEN + 16];
    safe_name(cfg->ex.agents[agent].label, name, sizeof name);
    if (dir_only)
        snprintf(out, n, "%s/runs/%s", cfg->out_dir, name);
    else
        snprintf(out, n, "%s/runs/%s/seed-%d.json", cfg->out_dir, name, seed);
}

static int write_file(const char *dir, const char *file, const char *text, char *err, size_t errsz)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return lg_write_atomic(path, text, strlen(text), err, errsz);
}

static int write_json(const char *dir, const char *file, cJSON *js, char *err, size_t errsz)
{
    char *text = cJSON_Print(js);
    if (!text) return snprintf(err, errsz, "out of memory"), -1;
    size_t n = strlen(text);
    char *with_nl = malloc(n + 2);
    if (!with_nl) {
        free(text);
        return snprintf(err, errsz, "out of memory"), -1;
    }
    memcpy(with_nl, text, n);
    with_nl[n] = '\n';
    with_nl[n + 1] = 0;
    int rc = write_file(dir, file, with_nl, err, errsz);
    free(with_nl), free(text);
    return rc;
}

/* The files a results folder's status lists (lgx_results_check_folder):
 * what readers of the folder read. timing.json differs from run to run and
 * command.txt names the folder, so neither is listed. The run's id is the
 * first one's hash. */
static const char *const manifest[] = {"scenario.json", "curves.csv", "timeline.csv", "events.csv", "summary.json",
                                       NULL};

/* status.json: the state of the run and, once results are written, the
 * run's id (the hash of its scenario.json) and the hash of every listed
 * file, so that a reader can tell a folder that is one run's from a mixture. */
static int write_status(const lgx_run_config *cfg, const char *status, int done, int total, int with_files,
                        char *err, size_t errsz)
{
    cJSON *js = cJSON_CreateObject();
    cJSON_AddStringToObject(js, "status", status);
    cJSON_AddNumberToObject(js, "jobs_total", total);
    cJSON_AddNumberToObject(js, "jobs_done", done);
    cJSON_AddStringToObject(js, "version", LG_VERSION);
    int rc = 0;
    if (with_files) {
        cJSON *files = cJSON_CreateObject();
        for (int i = 0; manifest[i] && rc == 0; i++) {
            char path[4200], hex[17];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s", cfg->out_dir, manifest[i]);
            if (stat(path, &st) != 0) continue;
            rc = lgx_file_hash(path, hex, err, errsz);
            if (rc == 0) cJSON_AddStringToObject(files, manifest[i], hex);
            if (rc == 0 && i == 0) cJSON_AddStringToObject(js, "run", hex);
        }
        cJSON_AddItemToObject(js, "files", files);
    }
    if (rc == 0) rc = write_json(cfg->out_dir, "status.json", js, err, errsz);
    cJSON_Delete(js);
    return rc;
}

int lgx_results_lock(const char *dir, char *err, size_t errsz)
{
    char path[4200];
    if (lg_mkdir_p(dir, err, errsz)) return -1;
    snprintf(path, sizeof path, "%s/.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return snprintf(err, errsz, "%s: cannot open the folder's lock: %s", path, strerror(errno)), -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char owner[128] = "";
        ssize_t n = pread(fd, owner, sizeof owner - 1, 0);
        owner[n > 0 ? n : 0] = 0;
        owner[strcspn(owner, "\n")] = 0;
        close(fd);
        snprintf(err, errsz, "%s: in use by another livegym run (%s); wait for it to end, or use another --out",
                 dir, owner[0] ? owner : "owner unknown");
        return -1;
    }
    char line[128];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int len = snprintf(line, sizeof line, "pid %ld, since %04d-%02d-%02d %02d:%02d:%02d UTC\n", (long)getpid(),
                       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    int noted = ftruncate(fd, 0) == 0 && pwrite(fd, line, (size_t)len, 0) == len;
    (void)noted; /* without its note the lock still holds; its owner reads as unknown */
    return fd;
}

void lgx_results_unlock(int fd)
{
    if (fd >= 0) close(fd);
}

/* Remove the per-run files of an earlier run in the same folder. */
static void clear_runs(const char *out_dir)
{
    char runs[4200];
    snprintf(runs, sizeof runs, "%s/runs", out_dir);
    DIR *d = opendir(runs);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char sub[4500];
        snprintf(sub, sizeof sub, "%s/%s", runs, e->d_name);
        DIR *d2 = opendir(sub);
        if (!d2) continue;
        struct dirent *f;
        while ((f = readdir(d2))) {
            if (f->d_name[0] == '.') continue;
            char file[4800];
            snprintf(file, sizeof file, "%s/%s", sub, f->d_name);
            remove(file);
        }
        closedir(d2);
        rmdir(sub);
    }
    closedir(d);
}


int lgx_results_prepare(const lgx_run_config *cfg, char *err, size_t errsz)
{
    if (lg_mkdir_p(cfg->out_dir, err, errsz)) return -1;
    if (!cfg->resume) { /* a new run replaces the folder whole: nothing of an earlier run stays */
        static const char *const stale[] = {"status.json",  "scenario.json", "curves.csv",  "timeline.csv",
                                            "events.csv",   "summary.json",  "timing.json", "command.txt", NULL};
        char path[4200];
        for (int i = 0; stale[i]; i++) {
            snprintf(path, sizeof path, "%s/%s", cfg->out_dir, stale[i]);
            remove(path);
        }
        clear_runs(cfg->out_dir);
    }
    /* The scenario first, the status last: a folder with a status.json can
     * always be resumed, wherever the run was killed. */
    char *sc = lgx_scenario_to_json(cfg->sc, &cfg->ex);
    if (!sc) return snprintf(err, errsz, "out of memory"), -1;
    int rc = write_file(cfg->out_dir, "scenario.json", sc, err, errsz);
    free(sc);
    if (rc) return -1;
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s\nlivegym %s\n", cfg->command ? cfg->command : "", LG_VERSION);
    if (!cfg->resume && write_file(cfg->out_dir, "command.txt", cmd, err, errsz)) return -1;
    if (cfg->sc->kind == LG_KIND_LIVE)
        for (int a = 0; a < cfg->ex.n_agents; a++) {
            char dir[4200];
            lgx_results_job_path(cfg, a, 0, dir, sizeof dir, 1);
            if (lg_mkdir_p(dir, err, errsz)) return -1;
        }
    return write_status(cfg, "partial", 0, cfg->ex.n_agents * cfg->ex.seeds, 0, err, errsz);
}

/* A number that reads back to the identical double (cJSON's own printer
 * accepts a near miss, and resumed runs must reproduce results bit for bit). */
static cJSON *exact_number(double v)
{
    char buf[40];
    if (!isfinite(v)) return cJSON_CreateNull();
    snprintf(buf, sizeof buf, "%.17g", v);
    return cJSON_CreateRaw(buf);
}

static cJSON *point_json(const lg_scenario *sc, const lgx_eval_point *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "step", (double)p->step);
    cJSON_AddItemToObject(o, "minute", exact_number(p->minute));
    for (int m = 0; m < LGX_M_COUNT; m++)
        if (lgx_metric_in(m, sc)) cJSON_AddItemToObject(o, lgx_metric_names[m], exact_number(p->m[m]));
    return o;
}

char *lgx_results_job_text(const lgx_run_config *cfg, int agent, int seed, const lgx_job *job)
{
    cJSON *js = cJSON_CreateObject();
    cJSON_AddStringToObject(js, "agent", cfg->ex.agents[agent].label);
    cJSON_AddStringToObject(js, "name", cfg->ex.agents[agent].name);
    cJSON_AddNumberToObject(js, "seed", seed);
    cJSON_AddItemToObject(js, "final", point_json(cfg->sc, &job->points[job->n_points - 1]));
    cJSON *curve = cJSON_AddArrayToObject(js, "curve");
    for (int p = 0; p < job->n_points; p++) cJSON_AddItemToArray(curve, point_json(cfg->sc, &job->points[p]));
    char *text = cJSON_Print(js);
    cJSON_Delete(js);
    return text;
}

int lgx_results_write_job(const lgx_run_config *cfg, int agent, int seed, const lgx_job *job, char *err,
                         size_t errsz)
{
    char path[4200];
    lgx_results_job_path(cfg, agent, seed, path, sizeof path, 0);
    char *text = lgx_results_job_text(cfg, agent, seed, job);
    if (!text) return snprintf(err, errsz, "out of memory"), -1;
    /* The timeline first: a job counts as done once its .json exists. */
    int rc = lgx_timeline_write(cfg, agent, seed, &job->timeline, err, errsz) ||
             lg_write_atomic(path, text, strlen(text), err, errsz);
    free(text);
    return rc ? -1 : 0;
}

/* A finished job's file, as --resume reads it back: its agent, and one
 * point per evaluation at the step this experiment evaluates at, a finite
 * minute, every metric a number or null (no data). */
static int read_points(const lgx_run_config *cfg, int agent, const cJSON *js, lgx_eval_point *pts, int n_points,
                       char *why, size_t n)
{
    const cJSON *curve = cJSON_GetObjectItemCaseSensitive(js, "curve");
    const cJSON *ag = cJSON_GetObjectItemCaseSensitive(js, "agent");
    if (!cJSON_IsString(ag) || strcmp(ag->valuestring, cfg->ex.agents[agent].label))
        return snprintf(why, n, "agent: expected \"%s\"", cfg->ex.agents[agent].label), -1;
    if (!cJSON_IsArray(curve) || cJSON_GetArraySize(curve) != n_points)
        return snprintf(why, n, "curve: expected %d evaluation points", n_points), -1;
    for (int p = 0; p < n_points; p++) {
        const cJSON *pt = cJSON_GetArrayItem(curve, p);
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(pt, "step");
        const cJSON *mi = cJSON_GetObjectItemCaseSensitive(pt, "minute");
        long want = (long)p * cfg->ex.eval_every < cfg->ex.train_steps ? (long)p * cfg->ex.eval_every
                                                                        : cfg->ex.train_steps;
        if (!cJSON_IsNumber(st) || st->valuedouble != (double)want)
            return snprintf(why, n, "curve[%d].step: expected %ld", p, want), -1;
        if (!cJSON_IsNumber(mi) || !(mi->valuedouble >= 0 && mi->valuedouble < 1e12))
            return snprintf(why, n, "curve[%d].minute: expected a number of minutes >= 0", p), -1;
        pts[p].step = want;
        pts[p].minute = mi->valuedouble;
        for (int m = 0; m < LGX_M_COUNT; m++) {
            pts[p].m[m] = NAN;
            if (!lgx_metric_in(m, cfg->sc)) continue;
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(pt, lgx_metric_names[m]);
            if (!cJSON_IsNumber(v) && !cJSON_IsNull(v))
                return snprintf(why, n, "curve[%d].%s: expected a number or null", p, lgx_metric_names[m]), -1;
            pts[p].m[m] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
        }
    }
    return 0;
}

int lgx_results_read_job(const lgx_run_config *cfg, int agent, int seed, lgx_job *job, char *err, size_t errsz)
{
    char path[4200], why[512] = "";
    lgx_results_job_path(cfg, agent, seed, path, sizeof path, 0);
    char *buf;
    size_t n;
    struct stat st;
    if (stat(path, &st) != 0) return 1;
    if (lg_read_file(path, 16u << 20, &buf, &n, why, sizeof why)) {
        snprintf(err, errsz, "%s", why);
        return -1;
    }
    int rc = lgx_results_parse_job(cfg, agent, buf, n, job, why, sizeof why);
    free(buf);
    if (rc == 0 && lgx_timeline_read(cfg, agent, seed, &job->timeline, why, sizeof why) == 0) return 0;
    free(job->points);
    job->points = NULL;
    job->n_points = 0;
    snprintf(err, errsz, "%.2000s: %s", path, why);
    return -1;
}

int lgx_results_parse_job(const lgx_run_config *cfg, int agent, const char *text, size_t n, lgx_job *job, char *why,
                          size_t whysz)
{
    cJSON *js = cJSON_ParseWithLength(text, n);
    int n_points = lgx_run_points(&cfg->ex), rc = -1;
    job->points = calloc((size_t)n_points, sizeof *job->points);
    if (!js) snprintf(why, whysz, "not JSON");
    else if (!job->points) snprintf(why, whysz, "out of memory");
    else if (read_points(cfg, agent, js, job->points, n_points, why, whysz) == 0) job->n_points = n_points, rc = 0;
    cJSON_Delete(js);
    if (rc) free(job->points), job->points = NULL;
    return rc;
}

static cJSON *stat_json(lgx_stat s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "mean", exact_number(s.mean));
    cJSON_AddItemToObject(o, "ci95", exact_number(s.ci95));
    cJSON_AddNumberToObject(o, "n", s.n);
    return o;
}

static double final_value(const lgx_job *j, int m) { return j->points[j->n_points - 1].m[m]; }

lgx_stat lgx_results_stat(const lgx_run_result *res, int a, int m)
{
    double *x = malloc(sizeof(double) * (size_t)res->seeds);
    int n = 0;
    for (int s = 0; s < res->seeds && x; s++) {
        const lgx_job *j = &res->jobs[a * res->seeds + s];
        if (j->done) x[n++] = final_value(j, m);
    }
    lgx_stat st = lgx_stat_of(x, n);
    free(x);
    return st;
}

lgx_stat lgx_results_paired(const lgx_run_result *res, int a, int b, int m)
{
    double *x = malloc(sizeof(double) * (size_t)res->seeds), *y = malloc(sizeof(double) * (size_t)res->seeds);
    int n = 0;
    for (int s = 0; s < res->seeds && x && y; s++) {
        const lgx_job *ja = &res->jobs[a * res->seeds + s], *jb = &res->jobs[b * res->seeds + s];
        if (ja->done && jb->done) x[n] = final_value(ja, m), y[n++] = final_value(jb, m);
    }
    lgx_stat st = lgx_stat_paired(x, y, n);
    free(x), free(y);
    return st;
}

lgx_online_summary lgx_online_summarise(const lgx_online_curve *oc)
{
    int tail = oc->length / 10 > 0 ? oc->length / 10 : 1;
    double all = 0, last = 0, opt = 0, r = oc->runs > 0 ? oc->runs : 1;
    for (int i = 0; i < oc->length; i++) {
        all += oc->reward[i];
        if (i >= oc->length - tail) last += oc->reward[i], opt += oc->optimal[i];
    }
    return (lgx_online_summary){all / (r * oc->length), last / (r * tail), 100.0 * opt / (r * tail)};
}

/* Per event: its windows, and per agent and window the figures around it. */
static cJSON *events_json(const lgx_run_config *cfg, const lgx_run_result *res)
{
    static const int figures[] = {LGX_M_RETURN, LGX_M_CTR, LGX_M_REGRET, LGX_M_COVERAGE, LGX_E_TARGET_SHARE,
                                  LGX_E_TARGET_WATCH, LGX_E_FIRST_REC};
    const lg_scenario *sc = cfg->sc;
    double trained = lgx_trained_minutes(&cfg->ex, sc);
    cJSON *arr = cJSON_CreateArray();
    for (int e = 0; e < sc->n_events; e++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "event", e);
        cJSON_AddStringToObject(o, "type", lg_event_type_name(sc->events[e].type));
        cJSON_AddItemToObject(o, "time", exact_number(sc->events[e].time));
        cJSON *win = cJSON_AddObjectToObject(o, "windows");
        for (int ph = 0; ph < LGX_N_PHASES; ph++) {
            double a, b;
            lgx_event_window(sc, e, (lgx_phase)ph, trained, &a, &b);
            cJSON *w = cJSON_AddArrayToObject(win, lgx_phase_names[ph]);
            cJSON_AddItemToArray(w, exact_number(a)), cJSON_AddItemToArray(w, exact_number(b));
        }
        uint8_t which[LG_MAX_EVENTS] = {0};
        which[e] = 1;
        cJSON *ags = cJSON_AddArrayToObject(o, "agents");
        for (int a = 0; a < res->n_agents; a++) {
            cJSON *ao = cJSON_CreateObject();
            cJSON_AddStringToObject(ao, "label", cfg->ex.agents[a].label);
            for (int ph = 0; ph < LGX_N_PHASES; ph++) {
                cJSON *po = cJSON_AddObjectToObject(ao, lgx_phase_names[ph]);
                for (size_t f = 0; f < sizeof figures / sizeof figures[0]; f++)
                    cJSON_AddItemToObject(po, lgx_event_figure_name(figures[f]),
                                          stat_json(lgx_event_stat(cfg, res, a, which, (lgx_phase)ph, figures[f])));
            }
            cJSON_AddItemToArray(ags, ao);
        }
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

/* Every claim of the file with its verdict on this run. */
static cJSON *claims_json(const lgx_run_config *cfg, const lgx_run_result *res)
{
    cJSON *arr = cJSON_CreateArray();
    for (int k = 0; k < cfg->ex.n_claims; k++) {
        lgx_claim_result r = lgx_claim_check(cfg, res, k);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "text", cfg->ex.claims[k].text);
        cJSON_AddStringToObject(o, "verdict", lgx_verdict_names[r.verdict]);
        cJSON_AddItemToObject(o, "difference", stat_json(r.diff));
        cJSON_AddItemToObject(o, "by", exact_number(cfg->ex.claims[k].by));
        if (r.why[0]) cJSON_AddStringToObject(o, "why", r.why);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

const char *lgx_results_rank(const lgx_run_result *res, int *rank)
{
    double *score = malloc((size_t)res->n_agents * sizeof *score);
    for (int a = 0; a < res->n_agents && score; a++)
        score[a] = res->online ? (res->online[a].runs ? lgx_online_summarise(&res->online[a]).mean : NAN)
                               : lgx_results_stat(res, a, LGX_M_RETURN).mean;
    for (int a = 0; a < res->n_agents; a++) {
        rank[a] = 1;
        for (int b = 0; b < res->n_agents && score; b++) {
            double x = score[a], y = score[b];
            int ahead = isnan(x) ? !isnan(y) || b < a : !isnan(y) && (y > x || (y == x && b < a));
            rank[a] += b != a && ahead;
        }
        if (!score) rank[a] = a + 1;
    }
    free(score);
    return res->online ? "mean_reward" : lgx_metric_names[LGX_M_RETURN];
}

/* An agent's hyperparameters as an object (its params text is checked JSON). */
static void add_params(cJSON *o, const lgx_agent_spec *spec)
{
    cJSON *p = cJSON_Parse(spec->params);
    cJSON_AddItemToObject(o, "params", p && cJSON_IsObject(p) ? p : (cJSON_Delete(p), cJSON_CreateObject()));
}

/* "ranked_by" and each agent's "rank" and "params" (docs/results.md). */
static void add_ranks(cJSON *js, cJSON *agents, const lgx_run_config *cfg, const lgx_run_result *res)
{
    int *rank = malloc((size_t)res->n_agents * sizeof *rank);
    if (!rank) return;
    cJSON_AddStringToObject(js, "ranked_by", lgx_results_rank(res, rank));
    int a = 0;
    for (cJSON *o = agents->child; o; o = o->next, a++) {
        cJSON_AddNumberToObject(o, "rank", rank[a]);
        add_params(o, &cfg->ex.agents[a]);
    }
    free(rank);
}

static cJSON *summary_live(const lgx_run_config *cfg, const lgx_run_result *res)
{
    cJSON *js = cJSON_CreateObject();
    cJSON_AddStringToObject(js, "scenario", cfg->sc->name);
    cJSON_AddStringToObject(js, "protocol", "train-eval");
    cJSON_AddStringToObject(js, "baseline", cfg->ex.baseline);
    cJSON_AddNumberToObject(js, "seeds", res->seeds);
    cJSON_AddNumberToObject(js, "train_steps", cfg->ex.train_steps);
    cJSON_AddItemToObject(js, "trained_minutes", exact_number(lgx_trained_minutes(&cfg->ex, cfg->sc)));
    cJSON *agents = cJSON_AddArrayToObject(js, "agents");
    int base = lgx_baseline_index(&cfg->ex);
    for (int a = 0; a < res->n_agents; a++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "label", cfg->ex.agents[a].label);
        cJSON_AddStringToObject(o, "name", cfg->ex.agents[a].name);
        const lga_agent_type *t = lgx_spec_type(&cfg->ex.agents[a]);
        cJSON_AddBoolToObject(o, "cheats", t && t->cheats);
        cJSON *ms = cJSON_AddObjectToObject(o, "metrics");
        cJSON *vs = base >= 0 && base != a ? cJSON_AddObjectToObject(o, "vs_baseline") : NULL;
        for (int m = 0; m < LGX_M_COUNT; m++) {
            if (!lgx_metric_in(m, cfg->sc)) continue;
            cJSON_AddItemToObject(ms, lgx_metric_names[m], stat_json(lgx_results_stat(res, a, m)));
            if (vs) cJSON_AddItemToObject(vs, lgx_metric_names[m], stat_json(lgx_results_paired(res, a, base, m)));
        }
        cJSON_AddItemToArray(agents, o);
    }
    add_ranks(js, agents, cfg, res);
    if (cfg->sc->n_events > 0) cJSON_AddItemToObject(js, "events", events_json(cfg, res));
    return js;
}

static cJSON *summary_online(const lgx_run_config *cfg, const lgx_run_result *res)
{
    cJSON *js = cJSON_CreateObject();
    cJSON_AddStringToObject(js, "scenario", cfg->sc->name);
    cJSON_AddStringToObject(js, "protocol", "online");
    cJSON_AddStringToObject(js, "kind", lg_env_kind_name(cfg->sc->kind));
    cJSON_AddNumberToObject(js, "runs", res->seeds);
    cJSON *agents = cJSON_AddArrayToObject(js, "agents");
    for (int a = 0; a < res->n_agents; a++) {
        const lgx_online_curve *oc = &res->online[a];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "label", cfg->ex.agents[a].label);
        cJSON_AddStringToObject(o, "name", cfg->ex.agents[a].name);
        cJSON_AddNumberToObject(o, "runs", oc->runs);
        lgx_online_summary os = lgx_online_summarise(oc);
        cJSON_AddNumberToObject(o, "mean_reward", os.mean);
        cJSON_AddNumberToObject(o, "mean_reward_last_10pct", os.last);
        if (cfg->sc->kind == LG_KIND_BANDIT) cJSON_AddNumberToObject(o, "pct_optimal_last_10pct", os.pct_optimal);
        cJSON_AddItemToArray(agents, o);
    }
    add_ranks(js, agents, cfg, res);
    return js;
}

char *lgx_results_summary_text(const lgx_run_config *cfg, const lgx_run_result *res)
{
    cJSON *sum = res->online ? summary_online(cfg, res) : summary_live(cfg, res);
    cJSON_AddBoolToObject(sum, "complete", !res->interrupted);
    if (cfg->ex.n_claims > 0) cJSON_AddItemToObject(sum, "claims", claims_json(cfg, res));
    char *text = cJSON_Print(sum);
    cJSON_Delete(sum);
    return text;
}

char *lgx_results_curves_text(const lgx_run_config *cfg, const lgx_run_result *res)
{
    lg_sbuf csv = {0};
    if (res->online) {
        int bandit = cfg->sc->kind == LG_KIND_BANDIT;
        lg_sb_printf(&csv, bandit ? "agent,step,avg_reward,pct_optimal\n" : "agent,episode,sum_reward\n");
        for (int a = 0; a < res->n_agents; a++) {
            const lgx_online_curve *oc = &res->online[a];
            double r = oc->runs > 0 ? oc->runs : 1;
            for (int i = 0; i < oc->length; i++) {
                if (bandit)
                    lg_sb_printf(&csv, "%s,%d,%.6f,%.4f\n", cfg->ex.agents[a].label, i + 1, oc->reward[i] / r,
                              100.0 * oc->optimal[i] / r);
                else
                    lg_sb_printf(&csv, "%s,%d,%.4f\n", cfg->ex.agents[a].label, i + 1, oc->reward[i] / r);
            }
        }
    } else {
        lg_sb_printf(&csv, "agent,seed,step,minute,day,hour");
        for (int m = 0; m < LGX_M_COUNT; m++)
            if (lgx_metric_in(m, cfg->sc)) lg_sb_printf(&csv, ",%s", lgx_metric_names[m]);
        lg_sb_printf(&csv, "\n");
        for (int a = 0; a < res->n_agents; a++)
            for (int s = 0; s < res->seeds; s++) {
                const lgx_job *j = &res->jobs[a * res->seeds + s];
                if (!j->done) continue;
                for (int p = 0; p < j->n_points; p++) {
                    double clock = cfg->sc->start_minute + j->points[p].minute;
                    lg_sb_printf(&csv, "%s,%d,%ld,%.10g,%d,%.4g", cfg->ex.agents[a].label, s + 1, j->points[p].step,
                                 j->points[p].minute, (int)floor(clock / 1440.0), fmod(clock, 1440.0) / 60.0);
                    for (int m = 0; m < LGX_M_COUNT; m++)
                        if (lgx_metric_in(m, cfg->sc)) lg_sb_printf(&csv, ",%.10g", j->points[p].m[m]);
                    lg_sb_printf(&csv, "\n");
                }
            }
    }
    return lg_sb_take(&csv);
}

int lgx_results_write(const lgx_run_config *cfg, const lgx_run_result *res, char *err, size_t errsz)
{
    char *curves = lgx_results_curves_text(cfg, res);
    if (!curves) return snprintf(err, errsz, "out of memory"), -1;
    int rc = write_file(cfg->out_dir, "curves.csv", curves, err, errsz);
    free(curves);
    if (rc || (!res->online && lgx_timeline_csv(cfg, res, err, errsz)) ||
        (!res->online && cfg->sc->n_events > 0 && lgx_events_csv(cfg, res, err, errsz)))
        return -1;

    char *sum = lgx_results_summary_text(cfg, res);
    if (!sum) return snprintf(err, errsz, "out of memory"), -1;
    size_t n = strlen(sum);
    char *text = realloc(sum, n + 2);
    if (!text) return free(sum), snprintf(err, errsz, "out of memory"), -1;
    text[n] = '\n', text[n + 1] = 0;
    rc = write_file(cfg->out_dir, "summary.json", text, err, errsz);
    free(text);
    if (rc) return -1;

    cJSON *tj = cJSON_CreateObject();
    cJSON_AddNumberToObject(tj, "wall_seconds", res->wall_seconds);
    cJSON *runs = cJSON_AddArrayToObject(tj, "runs");
    for (int j = 0; j < res->jobs_total; j++) {
        if (!res->jobs[j].done) continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "agent", cfg->ex.agents[j / res->seeds].label);
        cJSON_AddNumberToObject(o, "seed", 1 + j % res->seeds);
        cJSON_AddNumberToObject(o, "train_seconds", res->jobs[j].train_seconds);
        cJSON_AddNumberToObject(o, "steps_per_sec", res->jobs[j].steps_per_sec);
        cJSON_AddNumberToObject(o, "rank", res->jobs[j].rank);
        cJSON_AddItemToArray(runs, o);
    }
    rc = write_json(cfg->out_dir, "timing.json", tj, err, errsz);
    cJSON_Delete(tj);
    if (rc) return -1;
    /* Last: the status that says whether everything above is complete. */
    return write_status(cfg, res->interrupted ? "partial" : "complete", res->jobs_done, res->jobs_total, 1, err,
                        errsz);
}
