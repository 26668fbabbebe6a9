/* What --resume, plot and compare read from a results folder (the first
 * byte picks the file): a finished run's JSON and its binary timeline
 * (lgx_results_read_job), status.json (lgx_folder_check), curves.csv (the
 * curves and finals readers), or a finished job as another MPI rank sends
 * it (lgx_job_accept). Whatever is accepted must be usable; nothing may be
 * undefined behaviour. The other files of the folder are a real run's. */
#include "fuzz_common.h"
#include "lgx_curves.h"
#include "lgx_dispatch.h"
#include "lgx_folder.h"
#include "lgx_results.h"
#include "lgx_run.h"

static lgx_run_config cfg;
static char *orig[3];
static size_t orig_n[3];
static const char *const names[3] = {"runs/random/seed-1.json", "runs/random/seed-1.timeline", "status.json"};
static volatile sig_atomic_t no_stop;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char err[1024], path[1024];
    lg_scenario *sc = fuzz_world(LG_KIND_LIVE);
    cfg.sc = sc;
    lgx_experiment_default(&cfg.ex);
    if (lgx_select_agents(&cfg.ex, "random,popular", 2, &cfg.ex, err, sizeof err)) fuzz_die("agents", err);
    cfg.ex.seeds = 2, cfg.ex.slots = 4, cfg.ex.train_steps = 64, cfg.ex.eval_every = 32, cfg.ex.eval_sessions = 8;
    cfg.threads = 1, cfg.out_dir = fuzz_dir(), cfg.command = "fuzz", cfg.stop = &no_stop;
    lgx_run_result res;
    if (lgx_run(&cfg, &res, err, sizeof err)) fuzz_die("run", err);
    lgx_run_result_free(&res);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", cfg.out_dir, names[i]);
        orig[i] = fuzz_read(path, &orig_n[i]);
        fuzz_seed(strrchr(names[i], '/') ? strrchr(names[i], '/') + 1 : names[i], (uint8_t)i, orig[i], orig_n[i]);
    }
    snprintf(path, sizeof path, "%s/curves.csv", cfg.out_dir);
    size_t n;
    char *csv = fuzz_read(path, &n);
    fuzz_seed("curves.csv", 3, csv, n);
    free(csv);
    lgx_run_result one = {.n_agents = 2, .seeds = 2, .jobs_total = 4};
    lgx_job jobs[4];
    memset(jobs, 0, sizeof jobs);
    one.jobs = jobs;
    void *payload = NULL;
    if (lgx_results_read_job(&cfg, 0, 1, &jobs[0], err, sizeof err) || lgx_job_payload(&cfg, &one, 0, &payload, &n))
        fuzz_die("payload", err);
    fuzz_seed("payload", 4, payload, n);
    free(payload), free(jobs[0].points);
    lgx_timeline_free(&jobs[0].timeline);
    return 0;
}

/* A job's payload from another rank, into a run's result with no job done. */
static void accept_payload(const uint8_t *p, size_t n)
{
    lgx_run_config c = cfg;
    c.out_dir = NULL; /* the root writes accepted jobs; here only the checks matter */
    lgx_job jobs[4];
    memset(jobs, 0, sizeof jobs);
    lgx_run_result res = {.n_agents = 2, .seeds = 2, .jobs_total = 4, .jobs = jobs};
    char err[2048];
    if (lgx_job_accept(&c, &res, 0, p, n, err, sizeof err) == 0) {
        lgx_tally t;
        lgx_timeline_sum(&jobs[0].timeline, 0, 1e9, &t, NULL, NULL);
    }
    free(jobs[0].points);
    lgx_timeline_free(&jobs[0].timeline);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int which = data[0] % 5;
    if (which == 4) return accept_payload(data + 1, size - 1), 0;
    char path[1024], err[4400];
    for (int i = 0; i < 3; i++) { /* the folder as the run left it */
        snprintf(path, sizeof path, "%s/%s", cfg.out_dir, names[i]);
        fuzz_write(path, orig[i], orig_n[i]);
    }
    snprintf(path, sizeof path, "%s/%s", cfg.out_dir, which < 3 ? names[which] : "input.csv");
    fuzz_write(path, data + 1, size - 1);
    if (which < 2) {
        lgx_job job;
        memset(&job, 0, sizeof job);
        if (lgx_results_read_job(&cfg, 0, 1, &job, err, sizeof err) == 0) {
            double m = 0;
            for (int p = 0; p < job.n_points; p++) m += job.points[p].m[0];
            lgx_tally t;
            lgx_timeline_sum(&job.timeline, 0, 1e9, &t, NULL, NULL);
            (void)m;
        }
        free(job.points);
        lgx_timeline_free(&job.timeline);
    } else if (which == 2) {
        static const char *const files[] = {"curves.csv", "scenario.json", NULL};
        lgx_folder info;
        lgx_folder_check(cfg.out_dir, files, 1, &info, err, sizeof err);
    } else {
        lgx_curves cv;
        if (lgx_curves_load(path, NULL, &cv, err, sizeof err) == 0) lgx_curves_free(&cv);
        lgx_finals f;
        if (lgx_finals_load(path, "return", &f, err, sizeof err) == 0) lgx_finals_free(&f);
    }
    return 0;
}
