/* livegym log: a behaviour policy runs (and learns, as in livegym run's
 * training) in a scenario's world while every slot-step it takes is written
 * to an HDF5 log with its propensity (tools/log_file.h, docs/logs.md). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_util.h"
#include "commands.h"
#include "lgx_experiment.h"
#include "lgx_loop.h"
#include "log_file.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* The agents that can be logged: those that state their probabilities. */
static void loggable(FILE *f)
{
    for (int k = 0, n = 0; k < lga_count(); k++)
        if (lga_at(k)->probs) fprintf(f, "%s%s", n++ ? ", " : "", lga_at(k)->name);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: livegym log [SCENARIO] --agent LABEL --out FILE.h5 [--params JSON] [--steps N] [--seed S]\n"
            "                   [--slots N]\n"
            "\n"
            "Run one behaviour policy in SCENARIO's world (default: the embedded default scenario)\n"
            "as livegym run trains it (acting, exploring and learning), and log every slot-step:\n"
            "the observation, the action, the policy's probability of it (propensity), the reward,\n"
            "what was watched, the session flags; HDF5, laid out as docs/logs.md says.\n"
            "  --agent   an agent of the scenario's experiment (label or registry name, keeping its\n"
            "            hyperparameters) or any registry name (its defaults); it must state its\n"
            "            action probabilities (livegym agents says which do)\n"
            "  --out     the log; written under a temporary name and renamed when complete\n"
            "  --params  the agent's hyperparameters as a JSON object, instead of the scenario's\n"
            "  --steps   slot-steps to log (default: the experiment's train_steps)\n"
            "  --seed    world and agent seed, as livegym run's seed S (default 1)\n"
            "  --slots   parallel viewer slots (default: the experiment's)\n"
            "exit status: 0 written, 1 failed while writing, 2 bad file or flag, 130 interrupted\n");
}

static void report(const char *out, long long rows, double seconds, double ret, double eps)
{
    struct stat st;
    double mb = stat(out, &st) == 0 ? (double)st.st_size / 1e6 : 0.0;
    printf("logged %lld slot-steps in %.2f s (%.0f slot-steps/s), %.0f complete sessions\n", rows, seconds,
           seconds > 0 ? (double)rows / seconds : 0.0, eps);
    printf("behaviour policy: %.3f return per complete session\n", eps > 0 ? ret / eps : 0.0);
    printf("%s: %.1f MB, %.0f bytes per slot-step\n", out, mb, rows ? mb * 1e6 / (double)rows : 0.0);
}

typedef struct {
    const char *file, *agent, *out, *params;
    long steps, slots;
    uint64_t seed;
} log_flags;

/* -1: go on; else the exit status. */
static int parse(int argc, char **argv, log_flags *f)
{
    *f = (log_flags){NULL, NULL, NULL, NULL, -1, -1, 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return usage(stdout), 0;
        if (!strcmp(a, "--agent")) {
            if (lg_flag_str("log", argc, argv, &i, &f->agent)) return 2;
        } else if (!strcmp(a, "--out")) {
            if (lg_flag_str("log", argc, argv, &i, &f->out)) return 2;
        } else if (!strcmp(a, "--params")) {
            if (lg_flag_str("log", argc, argv, &i, &f->params)) return 2;
            if (strlen(f->params) >= LGX_AGENT_PARAMS_LEN) {
                fprintf(stderr, "livegym log: --params: expected at most %d characters of JSON, found %zu\n",
                        LGX_AGENT_PARAMS_LEN - 1, strlen(f->params));
                return 2;
            }
        } else if (!strcmp(a, "--steps")) {
            if (lg_flag_int("log", argc, argv, &i, 1, 2000000000L, &f->steps)) return 2;
        } else if (!strcmp(a, "--slots")) {
            if (lg_flag_int("log", argc, argv, &i, 1, 1000000, &f->slots)) return 2;
        } else if (!strcmp(a, "--seed")) {
            if (lg_flag_u64("log", argc, argv, &i, &f->seed)) return 2;
        } else if (a[0] == '-') {
            fprintf(stderr, "livegym log: unknown flag %s (livegym log --help)\n", a);
            return 2;
        } else if (f->file) {
            fprintf(stderr, "livegym log: one scenario only, found %s and %s\n", f->file, a);
            return 2;
        } else {
            f->file = a;
        }
    }
    if (!f->agent || !f->out) {
        fprintf(stderr, "livegym log: %s is required (livegym log --help)\n", !f->agent ? "--agent" : "--out");
        return 2;
    }
    return -1;
}

/* The behaviour policy acts, learns and is logged for `steps` slot-steps,
 * in chunks so that Ctrl-C is heard: 0, 1 on failure, 130 interrupted. */
static int run_logged(lgx_loop *lp, lga_agent *agent, lg_env *env, const lg_log_writer *w, const log_flags *f,
                      lgx_tally *tally)
{
    const long slots = lg_env_buffers(env)->n_slots, chunk = 64L * slots;
    int show = lg_progress_enabled();
    for (long done = 0; done < f->steps && !stop_flag;) {
        long n = f->steps - done < chunk ? f->steps - done : chunk;
        if (lgx_train(lp, agent, env, n, tally)) {
            if (lp->log_status == LGX_LOG_NO_PROBS)
                fprintf(stderr, "livegym log: --agent %s: its probabilities could not be stated for a step\n",
                        f->agent);
            else
                fprintf(stderr, "livegym log: %s\n", lg_log_error(w));
            return 1;
        }
        done += (n + slots - 1) / slots * slots;
        if (show) fprintf(stderr, "\rlivegym log: %ld / %ld slot-steps", done < f->steps ? done : f->steps, f->steps);
    }
    if (show) fprintf(stderr, "\n");
    if (stop_flag) {
        fprintf(stderr, "livegym log: interrupted; nothing written\n");
        return 130;
    }
    return 0;
}

int lg_cmd_log(int argc, char **argv)
{
    log_flags fl;
    int parsed = parse(argc, argv, &fl);
    if (parsed >= 0) return parsed;
    char err[1024];
    lg_scenario *sc = malloc(sizeof *sc);
    lgx_experiment *ex = malloc(sizeof *ex);
    lg_env *env = NULL;
    lga_agent *agent = NULL;
    lg_log_writer *w = NULL;
    lgx_loop lp;
    memset(&lp, 0, sizeof lp);
    char *scen_json = NULL;
    int rc = 2;
    if (!sc || !ex) {
        fprintf(stderr, "livegym log: out of memory\n");
        goto done;
    }
    if (fl.file ? lgx_load_file(fl.file, sc, ex, err, sizeof err) : lgx_load_default(sc, ex, err, sizeof err)) {
        fprintf(stderr, "livegym log: %s\n", err);
        goto done;
    }
    if (sc->kind != LG_KIND_LIVE) {
        fprintf(stderr, "livegym log: %s: logs are for live worlds (this scenario is a classic env)\n",
                fl.file ? fl.file : LGX_EMBEDDED_NAME);
        goto done;
    }
    if (sc->retention.enabled) { /* idle slots have no place in the log's format yet */
        fprintf(stderr, "livegym log: %s: population.retention: expected a world without retention (a log holds "
                        "no idle slots), found it enabled\n", fl.file ? fl.file : LGX_EMBEDDED_NAME);
        goto done;
    }
    if (lgx_select_agents(ex, fl.agent, 1, ex, err, sizeof err)) {
        fprintf(stderr, "livegym log: --agent: %s\n", err);
        goto done;
    }
    lgx_agent_spec *spec = &ex->agents[0];
    if (fl.params) snprintf(spec->params, sizeof spec->params, "%s", fl.params);
    const lga_agent_type *type = lgx_spec_type(spec);
    if (type && !type->probs) {
        fprintf(stderr, "livegym log: --agent %s: %s cannot be a logged behaviour policy: it does not state the "
                        "probability of its actions (those that do: ", fl.agent, spec->name);
        loggable(stderr);
        fprintf(stderr, ")\n");
        goto done;
    }
    if (fl.slots < 0) fl.slots = ex->slots;
    if (fl.slots > sc->n_viewers) {
        fprintf(stderr, "livegym log: --slots: expected at most the scenario's %d viewers, found %ld\n",
                sc->n_viewers, fl.slots);
        goto done;
    }
    if (fl.steps < 0) fl.steps = ex->train_steps;
    if (lg_env_create(sc, (int)fl.slots, fl.seed, LG_LAYOUT_FLAT, &env, err, sizeof err)) {
        fprintf(stderr, "livegym log: %s\n", err);
        goto done;
    }
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    if (!(agent = lgx_spec_create(spec, &shape, fl.seed, err, sizeof err))) {
        fprintf(stderr, "livegym log: --agent %s: %s\n", fl.agent, err);
        goto done;
    }
    if (!(scen_json = lgx_scenario_to_json(sc, NULL))) {
        fprintf(stderr, "livegym log: out of memory\n");
        goto done;
    }
    lg_log_meta meta = {scen_json, spec->name, spec->label, spec->params,
                        type->probs_method ? type->probs_method : "exact", fl.seed};
    /* from before the temporary file exists to after it is renamed: Ctrl-C
     * anywhere in between leaves nothing */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!(w = lg_log_open(fl.out, env, &meta, err, sizeof err))) {
        fprintf(stderr, "livegym log: %s\n", err);
        goto done;
    }
    lgx_log_sink sink = lg_log_sink(w);
    if (lgx_loop_init(&lp, env) || lgx_loop_set_log(&lp, env, &sink, fl.seed)) {
        fprintf(stderr, "livegym log: out of memory\n");
        goto done;
    }
    lgx_tally tally;
    memset(&tally, 0, sizeof tally);
    double t0 = lg_now();
    if ((rc = run_logged(&lp, agent, env, w, &fl, &tally))) goto done;
    rc = 1;
    long long rows = lg_log_rows(w);
    int closed = lg_log_close(w, env, err, sizeof err);
    w = NULL;
    if (closed) {
        fprintf(stderr, "livegym log: %s\n", err);
        goto done;
    }
    if (stop_flag) { /* while closing: the log is whole, but the user asked for nothing */
        remove(fl.out);
        fprintf(stderr, "livegym log: interrupted; nothing written\n");
        rc = 130;
        goto done;
    }
    report(fl.out, rows, lg_now() - t0, tally.ret, tally.sessions);
    rc = 0;
done:
    lg_log_abort(w);
    lgx_loop_free(&lp);
    if (agent) lga_free(agent);
    lg_env_free(env);
    free(scen_json), free(sc), free(ex);
    return rc;
}
