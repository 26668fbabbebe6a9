/* livegym run: the main job. Loads a scenario (or the embedded default),
 * applies flag overrides to its experiment section, runs it (tools/runner.c),
 * writes the results folder and prints the comparison table. */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "lg_checksum.h"
#include "commands.h"
#include "lga_agent.h"
#include "lgx_events.h"
#include "lgx_results.h"
#include "mpi_run.h"
#include "progress.h"
#include "lgx_stats.h"

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
            "                   [--baseline LABEL] [--json] [--check-claims]\n"
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
            "  --sessions    completed sessions per evaluation\n"
            "  --slots       concurrent viewer slots in each env\n"
            "  --threads     worker threads (default 2; under mpirun, per rank: the node's cores shared among its\n"
            "                ranks); results are identical for every T and every number of ranks\n"
            "  --out         results folder (default results/SCENARIO-NAME)\n"
            "  --resume      finish an interrupted run in --out DIR, skipping finished runs\n"
            "  --baseline    label of the agent paired differences are taken against\n"
            "  --json        print summary.json instead of the table\n"
            "  --check-claims  exit with status 3 unless every claim of the file holds on this run\n"
            "                (each claim that does not is named on stderr)\n"
            "exit status: 0 done, 1 failed while running, 2 bad file or flag, 3 a claim does not\n"
            "hold (with --check-claims), 130 interrupted\n");
}

/* Print s padded to `width` display columns (UTF-8 aware: ± is one column). */
static void cell(const char *s, int width, int right)
{
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) cols += (*p & 0xC0) != 0x80;
    int pad = width > cols ? width - cols : 0;
    if (right) printf("%*s%s", pad, "", s);
    else printf("%s%*s", s, pad, "");
}

static void fmt_stat(char *buf, size_t n, lgx_stat s, int prec)
{
    if (isnan(s.mean))
        snprintf(buf, n, "-");
    else if (isnan(s.ci95))
        snprintf(buf, n, "%.*f", prec, s.mean);
    else
        snprintf(buf, n, "%.*f ± %.*f", prec, s.mean, prec, s.ci95);
}

/* The agent column: 24 wide, or wider for long labels (a sweep's). */
static int label_width(const lgx_experiment *ex, int cheats_mark)
{
    int w = 24;
    for (int a = 0; a < ex->n_agents; a++) {
        const lga_agent_type *t = lgx_spec_type(&ex->agents[a]);
        int len = (int)strlen(ex->agents[a].label) + (cheats_mark && t && t->cheats ? 9 : 0) + 2;
        if (len > w) w = len;
    }
    return w;
}

static void print_live_table(const lgx_run_config *cfg, const lgx_run_result *res)
{
    const lgx_experiment *ex = &cfg->ex;
    static const int cols[] = {LGX_M_RETURN, -1, LGX_M_WATCH, LGX_M_STEPS, LGX_M_CTR, LGX_M_NDCG, LGX_M_REGRET,
                               LGX_M_COVERAGE, LGX_M_GINI};
    static const char *const heads[] = {"return/session", "vs baseline", "watch min", "steps", "CTR",
                                        "NDCG", "regret", "coverage", "gini"};
    const int nc = (int)(sizeof cols / sizeof cols[0]);
    int base = lgx_baseline_index(ex);
    lgx_stat(*st)[9] = malloc((size_t)res->n_agents * sizeof *st);
    int *rank = malloc((size_t)res->n_agents * sizeof *rank);
    if (!st || !rank) {
        free(st), free(rank);
        fprintf(stderr, "livegym run: out of memory for the table\n");
        return;
    }
    lgx_results_rank(res, rank);
    const int w = label_width(ex, 1);
    for (int a = 0; a < res->n_agents; a++)
        for (int c = 0; c < nc; c++)
            st[a][c] = cols[c] >= 0 ? lgx_results_stat(res, a, cols[c])
                       : base < 0 || a == base ? (lgx_stat){NAN, NAN, NAN, 0}
                                               : lgx_results_paired(res, a, base, LGX_M_RETURN);
    printf("scenario \"%s\": %d seed(s) x %d eval sessions, %d slots, %d training slot-steps per run\n",
           cfg->sc->name, ex->seeds, ex->eval_sessions, ex->slots, ex->train_steps);
    printf("final greedy evaluation; mean ± 95%% CI across seeds; * best in column (cheating agents excluded);\n"
           "vs baseline = paired difference in return/session against \"%s\"; rank by return/session\n\n",
           ex->baseline);
    cell("agent", w, 0);
    for (int c = 0; c < nc; c++) cell(heads[c], c < 2 ? 18 : 15, 1);
    cell("rank", 6, 1);
    printf("\n");
    for (int a = 0; a < res->n_agents; a++) {
        const lga_agent_type *t = lgx_spec_type(&ex->agents[a]);
        char label[LGX_AGENT_LABEL_LEN + 12];
        snprintf(label, sizeof label, "%s%s", ex->agents[a].label, t && t->cheats ? " (CHEATS)" : "");
        cell(label, w, 0);
        for (int c = 0; c < nc; c++) {
            int m = cols[c] < 0 ? LGX_M_RETURN : cols[c];
            int best = cols[c] >= 0 && !(t && t->cheats) && !isnan(st[a][c].mean);
            for (int b = 0; b < res->n_agents && best; b++) {
                const lga_agent_type *tb = lgx_spec_type(&ex->agents[b]);
                if (tb && tb->cheats) continue;
                if (lgx_metric_direction[m] > 0 ? st[b][c].mean > st[a][c].mean
                                               : lgx_metric_direction[m] < 0 && st[b][c].mean < st[a][c].mean)
                    best = 0;
            }
            char buf[64], out[72];
            int prec = (m == LGX_M_CTR || m == LGX_M_NDCG || m == LGX_M_COVERAGE || m == LGX_M_GINI) ? 3 : 2;
            fmt_stat(buf, sizeof buf, st[a][c], prec);
            snprintf(out, sizeof out, "%s%s", buf, best ? "*" : " ");
            cell(out, c < 2 ? 18 : 15, 1);
        }
        char rk[16];
        snprintf(rk, sizeof rk, "%d", rank[a]);
        cell(rk, 6, 1);
        printf("\n");
    }
    free(st), free(rank);
}

/* One cell: the mean over seeds (a dash without data). */
static void mean_cell(double v, int prec, int width)
{
    char buf[32];
    if (isnan(v)) snprintf(buf, sizeof buf, "-");
    else snprintf(buf, sizeof buf, "%.*f", prec, v);
    cell(buf, width, 1);
}

/* The second table: around every scripted event, what each agent earned
 * while it learned (its timeline), before, during and after the event. */
static void print_event_table(const lgx_run_config *cfg, const lgx_run_result *res)
{
    const lg_scenario *sc = cfg->sc;
    const int w = label_width(&cfg->ex, 0);
    printf("\nby event window: what each agent earned while it learned (mean over seeds); events.csv has every "
           "figure\n");
    for (int e = 0; e < sc->n_events; e++) {
        char txt[200], when[32];
        lgx_event_text(sc, e, txt, sizeof txt);
        double clock = sc->start_minute + sc->events[e].time;
        snprintf(when, sizeof when, "day %d %02d:%02d", (int)(clock / 1440), (int)fmod(clock, 1440) / 60,
                 (int)fmod(clock, 60));
        int launch = sc->events[e].type == LG_EV_NEW_CHANNEL;
        printf("\nevents[%d] %s, %s\n", e, when, txt);
        cell("agent", w, 0);
        cell("return before", 15, 1), cell("during", 9, 1), cell("after", 9, 1), cell("regret during", 15, 1);
        cell("target share before", 21, 1), cell("during", 9, 1);
        if (launch) cell("first rec (min)", 17, 1);
        printf("\n");
        uint8_t which[LG_MAX_EVENTS] = {0};
        which[e] = 1;
        for (int a = 0; a < res->n_agents; a++) {
            cell(cfg->ex.agents[a].label, w, 0);
            for (int ph = 0; ph < LGX_N_PHASES; ph++)
                mean_cell(lgx_event_stat(cfg, res, a, which, (lgx_phase)ph, LGX_M_RETURN).mean, 2, ph ? 9 : 15);
            mean_cell(lgx_event_stat(cfg, res, a, which, LGX_DURING, LGX_M_REGRET).mean, 2, 15);
            mean_cell(lgx_event_stat(cfg, res, a, which, LGX_BEFORE, LGX_E_TARGET_SHARE).mean, 3, 21);
            mean_cell(lgx_event_stat(cfg, res, a, which, LGX_DURING, LGX_E_TARGET_SHARE).mean, 3, 9);
            if (launch) mean_cell(lgx_event_stat(cfg, res, a, which, LGX_DURING, LGX_E_FIRST_REC).mean, 0, 17);
            printf("\n");
        }
    }
}

static void print_online_table(const lgx_run_config *cfg, const lgx_run_result *res)
{
    int bandit = cfg->sc->kind == LG_KIND_BANDIT;
    printf("scenario \"%s\" (%s): %d independent runs per agent, online learning\n\n", cfg->sc->name,
           lg_env_kind_name(cfg->sc->kind), cfg->ex.seeds);
    int w = label_width(&cfg->ex, 0) + 4, *rank = malloc((size_t)res->n_agents * sizeof *rank);
    if (!rank) {
        fprintf(stderr, "livegym run: out of memory for the table\n");
        return;
    }
    lgx_results_rank(res, rank);
    if (bandit)
        printf("%-*s %14s %18s %18s %6s\n", w, "agent", "mean reward", "reward last 10%", "% optimal last 10%", "rank");
    else
        printf("%-*s %18s %24s %6s\n", w, "agent", "return/episode", "return last 10% of eps", "rank");
    for (int a = 0; a < res->n_agents; a++) {
        lgx_online_summary os = lgx_online_summarise(&res->online[a]);
        if (bandit)
            printf("%-*s %14.3f %18.3f %18.1f %6d\n", w, cfg->ex.agents[a].label, os.mean, os.last, os.pct_optimal,
                   rank[a]);
        else
            printf("%-*s %18.2f %24.2f %6d\n", w, cfg->ex.agents[a].label, os.mean, os.last, rank[a]);
    }
    free(rank);
}

typedef struct {
    const char *file, *agents, *out, *baseline;
    long seeds, steps, every, sessions, slots, threads;
    double minutes;
    int resume, json, check_claims;
} run_flags;

/* Returns 0, 1 when --help was printed, or 2 on a bad flag (said on stderr). */
static int parse_flags(int argc, char **argv, run_flags *f)
{
    *f = (run_flags){.seeds = -1, .steps = -1, .every = -1, .sessions = -1, .slots = -1, .threads = 0, .minutes = -1};
    for (int i = 1; i < argc; i++) {
        int rc = 0;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(argv[i], "--agents")) rc = lg_flag_str("run", argc, argv, &i, &f->agents);
        else if (!strcmp(argv[i], "--seeds")) rc = lg_flag_int("run", argc, argv, &i, 1, 100000, &f->seeds);
        else if (!strcmp(argv[i], "--steps")) rc = lg_flag_int("run", argc, argv, &i, 0, 2000000000L, &f->steps);
        else if (!strcmp(argv[i], "--minutes")) rc = lg_flag_double("run", argc, argv, &i, 0, 1e8, &f->minutes);
        else if (!strcmp(argv[i], "--eval-every")) rc = lg_flag_int("run", argc, argv, &i, 1, 2000000000L, &f->every);
        else if (!strcmp(argv[i], "--sessions")) rc = lg_flag_int("run", argc, argv, &i, 1, 10000000, &f->sessions);
        else if (!strcmp(argv[i], "--slots")) rc = lg_flag_int("run", argc, argv, &i, 1, 100000, &f->slots);
        else if (!strcmp(argv[i], "--threads")) rc = lg_flag_int("run", argc, argv, &i, 1, 256, &f->threads);
        else if (!strcmp(argv[i], "--out")) rc = lg_flag_str("run", argc, argv, &i, &f->out);
        else if (!strcmp(argv[i], "--baseline")) rc = lg_flag_str("run", argc, argv, &i, &f->baseline);
        else if (!strcmp(argv[i], "--resume")) f->resume = 1;
        else if (!strcmp(argv[i], "--json")) f->json = 1;
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
    if (f->steps >= 0 && f->minutes >= 0) {
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
    if (f->resume && (f->agents || f->seeds > 0 || f->steps >= 0 || f->minutes >= 0 || f->every > 0 ||
                      f->sessions > 0 || f->slots > 0 || f->baseline)) {
        fprintf(stderr, "livegym run: --resume takes the experiment from %s; drop the other experiment flags\n", file);
        return 2;
    }
    if (!f->resume) {
        o.agents = f->agents, o.seeds = f->seeds, o.steps = f->steps, o.minutes = f->minutes;
        o.eval_every = f->every, o.sessions = f->sessions, o.slots = f->slots, o.baseline = f->baseline;
    }
    o.threads = f->threads > 0 ? f->threads : 2;
    lg_sbuf notes = {0};
    int rc = lgx_apply_options(&o, "--", file, sc, ex, &notes, err, sizeof err);
    for (char *p = notes.p, *nl; p && (nl = strchr(p, '\n')); p = nl + 1)
        fprintf(stderr, "livegym run: note: %.*s\n", (int)(nl - p), p);
    free(notes.p);
    if (rc) fprintf(stderr, "livegym run: %s\n", err);
    return rc ? 2 : 0;
}

/* "difference +0.412 ± 0.050, claimed at least 0.2". */
static void fmt_claim(char *buf, size_t n, const lgx_claim *cl, const lgx_claim_result *r)
{
    char d[64];
    fmt_stat(d, sizeof d, r->diff, 3);
    snprintf(buf, n, "difference %s%s, claimed at least %g", isnan(r->diff.mean) || r->diff.mean < 0 ? "" : "+", d,
             (double)cl->by);
}

/* The file's claims with their verdicts; with --check-claims, each claim
 * that does not hold on stderr. Returns the number that do not hold. */
static int report_claims(const run_flags *f, const lgx_run_config *cfg, const lgx_run_result *res)
{
    int bad = 0;
    if (!f->json && cfg->ex.n_claims > 0)
        printf("\nclaims of the file: paired difference over seeds, mean ± 95%% CI\n");
    for (int k = 0; k < cfg->ex.n_claims; k++) {
        const lgx_claim *cl = &cfg->ex.claims[k];
        lgx_claim_result r = lgx_claim_check(cfg, res, k);
        char fig[160];
        fmt_claim(fig, sizeof fig, cl, &r);
        if (!f->json)
            printf("  %-12s %s\n  %12s %s%s%s\n", lgx_verdict_names[r.verdict], cl->text, "", fig,
                   r.why[0] ? ": " : "", r.why);
        if (r.verdict == LGX_HOLDS) continue;
        bad++;
        if (f->check_claims)
            fprintf(stderr, "livegym run: claims[%d] %s: \"%s\": %s%s%s\n", k, lgx_verdict_names[r.verdict],
                    cl->text, fig, r.why[0] ? ": " : "", r.why);
    }
    return bad;
}

/* The table (or summary.json with --json), the claims and where the
 * results are. Returns the number of claims that do not hold. */
static int report(const run_flags *f, const lgx_run_config *cfg, const lgx_run_result *res, int rc)
{
    if (f->json) {
        char *text = lgx_results_summary_text(cfg, res);
        if (text) printf("%s\n", text);
        free(text);
    } else if (res->online) {
        print_online_table(cfg, res);
    } else {
        print_live_table(cfg, res);
        if (cfg->sc->n_events > 0) print_event_table(cfg, res);
    }
    int unheld = report_claims(f, cfg, res);
    if (!f->json)
        printf("\nresults: %s/ (curves.csv, summary.json%s%s)%s\n", cfg->out_dir,
               res->online ? "" : ", timeline.csv, runs/", !res->online && cfg->sc->n_events ? ", events.csv" : "",
               rc ? " [PARTIAL]" : "");
    if (rc > 0)
        fprintf(stderr, "livegym run: interrupted after %d of %d runs; the folder is marked partial. "
                        "Finish with: livegym run --resume --out %s\n",
                res->jobs_done, res->jobs_total, cfg->out_dir);
    return unheld;
}

/* Under mpirun: every rank loads the same experiment (rank 0 speaks for
 * them: the others' messages would repeat its own), and by default the
 * node's cores are shared among its ranks. */
static int join_ranks(run_flags *f, int loaded, const lg_scenario *sc, const lgx_experiment *ex, int saved_stderr)
{
    if (f->threads <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        long share = cores / lg_mpi_local_ranks();
        f->threads = lg_mpi_size() == 1 ? 2 : share < 1 ? 1 : share > 256 ? 256 : share; /* --threads' range */
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
    cfg.threads = (int)f.threads;
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
    int unheld = report(&f, &cfg, &res, rc);
    lgx_run_result_free(&res);
    free(sc);
    lg_mpi_finish(0);
    return rc > 0 ? 130 : f.check_claims && unheld ? 3 : 0;
}
