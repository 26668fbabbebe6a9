/* livegym eval: a kept agent (livegym run --keep-agents) evaluated, frozen,
 * on the world it trained in as training left it (the run's own final
 * evaluation, again), or on any scenario whose observation fits it, beside
 * that scenario's agents: the table, claims and results folder of run. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_util.h"
#include "commands.h"
#include "lgx_kept.h"
#include "progress.h"
#include "report.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void print_note(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "livegym eval: note: %s\n", line);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: livegym eval KEPT [SCENARIO] [--against a,b,...] [--label L] [--seeds N]\n"
            "                    [--steps S | --minutes M] [--eval-every E] [--sessions N] [--slots N]\n"
            "                    [--threads T] [--out DIR] [--baseline LABEL] [--json] [--check-claims]\n"
            "\n"
            "Evaluate a kept agent, frozen and greedy: KEPT is runs/LABEL/seed-S.policy of a results\n"
            "folder made with livegym run --keep-agents, or the folder runs/LABEL (seed s then plays\n"
            "seed-s.policy). Without SCENARIO, each kept seed is evaluated on its own training world as\n"
            "training left it, with the run's evaluation seeds and sessions: the run's final evaluation,\n"
            "again (nothing is written). With SCENARIO, the kept agent joins that scenario's experiment\n"
            "as agent LABEL@TRAINED-SCENARIO (the agent `saved`) and the run goes as livegym run's:\n"
            "its table, claims and results folder (default results/eval-SCENARIO-NAME).\n"
            "  --against     agents of the scenario to compare with (labels or registry names)\n"
            "  --label       the kept agent's label in the table\n"
            "  --steps       slot-steps the world moves on (the kept agent acting, not learning) before\n"
            "                the final evaluation; default the scenario's budget, 0 without SCENARIO\n"
            "  other flags   as livegym run's (livegym run --help)\n"
            "exit status: 0 done, 1 failed while running, 2 bad file or flag, 3 a claim does not\n"
            "hold (with --check-claims), 130 interrupted\n");
}

typedef struct {
    lgx_eval_request rq;
    lgx_run_options o;
    const char *out;
    int json, check_claims;
} eval_flags;

/* 0, 1 when --help was printed, or 2 on a bad flag (said on stderr). */
static int parse_flags(int argc, char **argv, eval_flags *f)
{
    memset(f, 0, sizeof *f);
    lgx_run_options_init(&f->o);
    f->o.threads = 2;
    for (int i = 1; i < argc; i++) {
        int rc = 0;
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 1;
        } else if ((rc = lg_flag_experiment("eval", "--against", argc, argv, &i, &f->o)) != 0) {
            rc = rc < 0;
        } else if (!strcmp(a, "--label")) rc = lg_flag_str("eval", argc, argv, &i, &f->rq.label);
        else if (!strcmp(a, "--out")) rc = lg_flag_str("eval", argc, argv, &i, &f->out);
        else if (!strcmp(a, "--json")) f->json = 1;
        else if (!strcmp(a, "--check-claims")) f->check_claims = 1;
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "livegym eval: unknown flag \"%s\" (livegym eval --help lists them)\n", a);
            return 2;
        } else if (!f->rq.policy) f->rq.policy = a;
        else if (!f->rq.scenario) f->rq.scenario = a;
        else {
            fprintf(stderr, "livegym eval: expected a kept agent and at most one scenario file, found a third "
                            "argument \"%s\"\n", a);
            return 2;
        }
        if (rc) return 2;
    }
    if (!f->rq.policy) {
        fprintf(stderr, "livegym eval: expected a kept agent (runs/LABEL/seed-S.policy of a results folder made with "
                        "livegym run --keep-agents, or runs/LABEL)\n");
        return 2;
    }
    if (f->out && !f->rq.scenario) {
        fprintf(stderr, "livegym eval: --out: without SCENARIO the evaluation writes no folder (it repeats the run's "
                        "own); give a SCENARIO, or use --json\n");
        return 2;
    }
    return 0;
}

/* Would a new results folder at out delete the kept agent (a run clears
 * its folder's runs/)? Walks up from the kept agent's folder, comparing
 * inodes: symbolic links and relative paths say nothing then. */
static int inside(const char *out, const char *policy)
{
    struct stat o, s, up;
    char p[4400];
    if (stat(out, &o) != 0) return 0; /* no folder there yet: nothing to clear */
    if (stat(policy, &s) != 0 || strlen(policy) >= sizeof p - 4) return 1; /* cannot tell: keep it safe */
    snprintf(p, sizeof p, "%s", policy);
    if (!S_ISDIR(s.st_mode)) {
        char *slash = strrchr(p, '/');
        if (slash) *slash = '\0';
        else snprintf(p, sizeof p, ".");
    }
    for (int depth = 0; depth < 256; depth++) {
        if (stat(p, &s) != 0) return 1;
        if (s.st_dev == o.st_dev && s.st_ino == o.st_ino) return 1;
        if (strlen(p) + 4 >= sizeof p) return 1;
        strcat(p, "/..");
        if (stat(p, &up) != 0) return 1;
        if (up.st_dev == s.st_dev && up.st_ino == s.st_ino) return 0; /* the root, and out was not on the way */
    }
    return 1;
}

int lg_cmd_eval(int argc, char **argv)
{
    eval_flags f;
    int rc = parse_flags(argc, argv, &f);
    if (rc) return rc == 1 ? 0 : rc;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    lg_scenario *sc = malloc(sizeof *sc);
    lgx_run_config *cfg = calloc(1, sizeof *cfg);
    lgx_eval_worlds worlds = {0};
    lg_sbuf notes = {0};
    char err[4096], out[4300], command[8192] = "livegym";
    if (!sc || !cfg) {
        free(sc), free(cfg);
        fprintf(stderr, "livegym eval: out of memory\n");
        return 1;
    }
    rc = lgx_eval_prepare(&f.rq, &f.o, sc, &cfg->ex, &worlds, &notes, err, sizeof err);
    for (char *p = notes.p, *nl; p && (nl = strchr(p, '\n')); p = nl + 1)
        fprintf(stderr, "livegym eval: note: %.*s\n", (int)(nl - p), p);
    lg_sb_free(&notes);
    if (rc) {
        fprintf(stderr, "livegym eval: %s\n", err);
        rc = 2;
        goto done;
    }
    if (f.rq.scenario) {
        if (f.out) snprintf(out, sizeof out, "%s", f.out);
        else snprintf(out, sizeof out, "results/eval-%s", sc->name);
        if (inside(out, f.rq.policy)) {
            fprintf(stderr, "livegym eval: --out: %s holds the kept agent %s, and a new run clears its folder; give "
                            "another --out\n", out, f.rq.policy);
            rc = 2;
            goto done;
        }
        cfg->out_dir = out;
    }
    for (int i = 0; i < argc; i++) {
        strncat(command, " ", sizeof command - strlen(command) - 1);
        strncat(command, argv[i], sizeof command - strlen(command) - 1);
    }
    cfg->sc = sc;
    cfg->threads = (int)f.o.threads;
    cfg->command = command;
    cfg->stop = &stop_flag;
    cfg->on_note = print_note;
    cfg->start_world = lgx_eval_start_world;
    cfg->start_ctx = &worlds;
    lg_progress_display display = {&cfg->ex, 0};
    if (lg_progress_enabled()) cfg->on_progress = lg_progress_draw, cfg->progress_ctx = &display;
    lgx_run_result res;
    rc = lgx_run(cfg, &res, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "livegym eval: %s\n", err);
        rc = rc == -2 ? 2 : 1;
    } else {
        lg_report_flags rf = {"eval", f.json, f.check_claims};
        int unheld = lg_report(&rf, cfg, &res, rc);
        rc = rc > 0 ? 130 : f.check_claims && unheld ? 3 : 0;
    }
    lgx_run_result_free(&res);
done:
    lgx_eval_worlds_free(&worlds);
    free(sc), free(cfg);
    return rc;
}
