/* livegym run: the main job. Loads a scenario (or the embedded default),
 * applies flag overrides to its experiment section, runs it (tools/runner.c),
 * writes the results folder and prints the comparison table. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "lg_checksum.h"
#include "commands.h"
#include "lga_agent.h"
#include "lgx_results.h"
#include "mpi_run.h"
#include "progress.h"
#include "report.h"

static volatile sig_atomic_t stop_flag;

static void print_note(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "livegym run: note: %s\n", line);
}
static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: livegym run [FILE] [--agents a,b,...] [--seeds N] [--steps S | --minutes M] [--eval-every E]\n"
            "                   [--sessions N] [--slots N] [--threads T] [--out DIR] [--resume]\n"
            "                   [--baseline LABEL] [--keep-agents] [--json] [--check-claims]\n"
            "\n"
            "Train and evaluate every (agent, seed) of the scenario's experiment section (FILE, or the\n"
            "embedded default scenario), then print a table of means with 95%% confidence intervals\n"
            "across seeds and write a results folder (docs/results.md). Flags override the file.\n"
            "  --agents      comma-separated registry names (`livegym agents` lists them); an agent\n"
            "                also in the file keeps its hyperparameters from the file\n"
            "  --seeds       seeds per agent (1..100000); seed s trains on env seed s and evaluates on\n"
            "                env seed 1000000+s, the same for every agent (common random numbers)\n"
            "  --steps       training slot-steps per (agent, seed)\n"
            "  --minutes     training budget in simulated minutes instead (whole env steps of every slot)\n"
            "  --eval-every  slot-steps between greedy evaluations (learning curves)\n"
            "  --sessions    completed sessions per evaluation (instead of the file's eval_days)\n"
            "  --slots       concurrent viewer slots in each env\n"
            "  --threads     worker threads (default 2; under mpirun, per rank: the node's cores shared among its\n"
            "                ranks); with fewer runs than threads, each run's agent gets the threads left\n"
            "                over for its networks' large products (DQN). Results are identical for every T\n"
            "                and every number of ranks\n"
            "  --out         results folder (default results/SCENARIO-NAME)\n"
            "  --resume      finish an interrupted run in --out DIR, skipping finished runs\n"
            "  --baseline    label of the agent paired differences are taken against\n"
            "  --keep-agents leave every trained agent in runs/LABEL/seed-S.policy, with its world as\n"
            "                training left it (livegym eval plays them back; live worlds only)\n"
            "  --json        print summary.json instead of the table\n"
            "  --check-claims  exit with status 3 unless every claim of the file holds on this run\n"
            "                (each claim that does not is named on stderr)\n"
            "exit status: 0 done, 1 failed while running, 2 bad file or flag, 3 a claim does not\n"
            "hold (with --check-claims), 130 interrupted\n");
}

typedef struct {
    const char *file, *out;
    lgx_run_options o; /* threads 0: the default, decided under mpirun */
    int resume, json, check_claims;
} run_flags;

/* Returns 0, 1 when --help was printed, or 2 on a bad flag (said on stderr). */
static int parse_flags(int argc, char **argv, run_flags *f)
{
    memset(f, 0, sizeof *f);
    lgx_run_options_init(&f->o);
    f->o.threads = 0;
    for (int i = 1; i < argc; i++) {
        int rc = 0;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 1;
        } else if ((rc = lg_flag_experiment("run", "--agents", argc, argv, &i, &f->o)) != 0) {
            rc = rc < 0;
        } else if (!strcmp(argv[i], "--out")) rc = lg_flag_str("run", argc, argv, &i, &f->out);
        else if (!strcmp(argv[i], "--resume")) f->resume = 1;
        else if (!strcmp(argv[i], "--json")) f->json = 1;
        else if (!strcmp(argv[i], "--keep-agents")) f->o.keep_agents = 1;
        else if (!strcmp(argv[i], "--check-claims")) f->check_claims = 1;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "livegym run: unknown flag \"%s\" (livegym run --help lists them)\n", argv[i]);
            return 2;
        } else if (!f->file) f->file = argv[i];
        else {
            fprintf(stderr, "livegym run: expected one scenario file, found a second one \"%s\"\n", argv[i]);
            return 2;
        }
        if (rc) return 2;
    }
    if (f->o.steps >= 0 && f->o.minutes >= 0) {
        fprintf(stderr, "livegym run: expected either --steps or --minutes, found both\n");
        return 2;
    }
    if (f->resume && (!f->out || f->file)) {
        fprintf(stderr, "livegym run: --resume: expected --out DIR of an interrupted run and no FILE (the folder's "
                        "scenario.json is used)\n");
        return 2;
    }
    return 0;
}

/* The experiment flags over the file's experiment section; 0 or 2. */
static int apply_flags(const run_flags *f, const char *file, const lg_scenario *sc, lgx_experiment *ex)
{
    char err[1024];
    lgx_run_options o;
    lgx_run_options_init(&o); /* --resume: the folder's experiment as it is, with the same checks */
    if (f->resume && (f->o.agents || f->o.seeds > 0 || f->o.steps >= 0 || f->o.minutes >= 0 || f->o.eval_every > 0 ||
                      f->o.sessions > 0 || f->o.slots > 0 || f->o.baseline || f->o.keep_agents)) {
        fprintf(stderr, "livegym run: --resume takes the experiment from %s; drop the other experiment flags\n", file);
        return 2;
    }
    if (!f->resume) o = f->o;
    o.threads = f->o.threads > 0 ? f->o.threads : 2;
    lg_sbuf notes = {0};
    int rc = lgx_apply_options(&o, "--", file, sc, ex, &notes, err, sizeof err);
    for (char *p = notes.p, *nl; p && (nl = strchr(p, '\n')); p = nl + 1)
        fprintf(stderr, "livegym run: note: %.*s\n", (int)(nl - p), p);
    free(notes.p);
    if (rc) fprintf(stderr, "livegym run: %s\n", err);
    return rc ? 2 : 0;
}

/* Under mpirun: every rank loads the same experiment (rank 0 speaks for
 * them: the others' messages would repeat its own), and by default the
 * node's cores are shared among its ranks. */
static int join_ranks(run_flags *f, int loaded, const lg_scenario *sc, const lgx_experiment *ex, int saved_stderr)
{
    if (f->o.threads <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        long share = cores / lg_mpi_local_ranks();
        f->o.threads = lg_mpi_size() == 1 ? 2 : share < 1 ? 1 : share > 256 ? 256 : share; /* --threads' range */
    }
    unsigned long long hash = 0;
    char *text = loaded ? lgx_scenario_to_json(sc, ex) : NULL;
    if (text) hash = lg_fnv1a64(LG_FNV1A64_INIT, text, strlen(text));
    free(text);
    char err[256];
    int rc = lg_mpi_agree(loaded, hash, err, sizeof err);
    if (saved_stderr >= 0) dup2(saved_stderr, 2), close(saved_stderr);
    if (rc && loaded && lg_mpi_rank() == 0) fprintf(stderr, "livegym run: %s\n", err);
    return rc;
}

/* Ranks other than 0 run jobs for rank 0 and report nothing but their own
 * failure. One stopped alone leaves cleanly (status 0: mpirun would stop
 * the others otherwise): rank 0 gives its unfinished jobs to the others. */
static int run_rank(lgx_run_config *cfg, lg_scenario *sc)
{
    lgx_run_result res;
    char err[2048];
    int rc = lgx_run(cfg, &res, err, sizeof err);
    if (rc < 0) fprintf(stderr, "livegym run (rank %d): %s\n", lg_mpi_rank(), err);
    lg_mpi_done(rc < 0);
    lgx_run_result_free(&res);
    free(sc);
    lg_mpi_finish(0);
    return rc < 0 ? 1 : 0;
}

int lg_cmd_run(int argc, char **argv)
{
    run_flags f;
    int rc = parse_flags(argc, argv, &f);
    if (rc) return rc == 1 ? 0 : rc;
    struct sigaction sa; /* from the start: a rank may be stopped while it loads */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    char err[2048], resume_file[4200];
    if (lg_mpi_start(&stop_flag, err, sizeof err)) return fprintf(stderr, "livegym run: %s\n", err), 1;
    int quiet = lg_mpi_rank() > 0 ? dup(2) : -1; /* rank 0 speaks for the loading */
    if (quiet >= 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 2), close(null);
    }
    lg_scenario *sc = malloc(sizeof *sc);
    lgx_run_config cfg = {0};
    const char *file = f.file;
    if (f.resume) snprintf(resume_file, sizeof resume_file, "%s/scenario.json", f.out), file = resume_file;
    rc = !sc ? (snprintf(err, sizeof err, "out of memory"), -1)
         : file ? lgx_load_file(file, sc, &cfg.ex, err, sizeof err)
                : lgx_load_default(sc, &cfg.ex, err, sizeof err);
    if (rc != 0) fprintf(stderr, "livegym run: %s\n", err);
    int loaded = rc == 0 && apply_flags(&f, file, sc, &cfg.ex) == 0;
    if (join_ranks(&f, loaded, sc, &cfg.ex, quiet) || !loaded) return free(sc), lg_mpi_finish(0), 2;
    char default_out[256], command[8192] = "livegym";
    if (!f.out) snprintf(default_out, sizeof default_out, "results/%s", sc->name), f.out = default_out;
    for (int i = 0; i < argc; i++) {
        strncat(command, " ", sizeof command - strlen(command) - 1);
        strncat(command, argv[i], sizeof command - strlen(command) - 1);
    }
    cfg.sc = sc;
    cfg.threads = (int)f.o.threads;
    cfg.out_dir = f.out;
    cfg.resume = f.resume;
    cfg.command = command;
    cfg.stop = &stop_flag;
    cfg.on_note = print_note;
    cfg.dispatch = lg_mpi_dispatch();
    if (lg_mpi_rank() > 0) return run_rank(&cfg, sc);
    lg_progress_display display = {&cfg.ex, 0};
    if (lg_progress_enabled()) cfg.on_progress = lg_progress_draw, cfg.progress_ctx = &display;

    lgx_run_result res;
    if (stop_flag) { /* stopped while loading: nothing written yet, nothing to resume */
        free(sc);
        lg_mpi_finish(130);
        return 130;
    }
    rc = lgx_run(&cfg, &res, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "livegym run: %s\n", err);
        lgx_run_result_free(&res);
        free(sc);
        lg_mpi_finish(1);
        return rc == -2 ? 2 : 1;
    }
    lg_report_flags rf = {"run", f.json, f.check_claims};
    int unheld = lg_report(&rf, &cfg, &res, rc);
    lgx_run_result_free(&res);
    free(sc);
    lg_mpi_finish(0);
    return rc > 0 ? 130 : f.check_claims && unheld ? 3 : 0;
}
