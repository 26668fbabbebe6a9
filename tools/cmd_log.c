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

static void usage(FILE *f)
{
    fprintf(f,
            "usage: livegym log [SCENARIO] --agent LABEL --out FILE.h5 [--steps N] [--seed S] [--slots N]\n"
            "\n"
            "Run one behaviour policy in SCENARIO's world (default: the embedded default scenario)\n"
            "as livegym run trains it (acting, exploring and learning), and log every slot-step:\n"
            "the observation, the action, the policy's probability of it (propensity), the reward,\n"
            "what was watched, the session flags; HDF5, laid out as docs/logs.md says.\n"
            "  --agent   an agent of the scenario's experiment (label or registry name, keeping its\n"
            "            hyperparameters) or any registry name (its defaults); it must state its\n"
            "            action probabilities (random, epsilon-greedy, gradient-bandit, q-learning,\n"
            "            sarsa, expected-sarsa, dqn)\n"
            "  --out     the log; written under a temporary name and renamed when complete\n"
            "  --steps   slot-steps to log (default: the experiment's train_steps)\n"
            "  --seed    world and agent seed, as livegym run's seed S (default 1)\n"
            "  --slots   parallel viewer slots (default: the experiment's)\n"
            "exit status: 0 written, 1 failed while writing, 2 bad file or flag, 130 interrupted\n");
}

static void report(const char *out, long long rows, const lg_log_writer *w, double seconds, double ret, double eps)
{
    (void)w;
    struct stat st;
    double mb = stat(out, &st) == 0 ? (double)st.st_size / 1e6 : 0.0;
    printf("logged %lld slot-steps in %.2f s (%.0f slot-steps/s), %.0f complete sessions\n", rows, seconds,
           seconds > 0 ? (double)rows / seconds : 0.0, eps);
    printf("behaviour policy: %.3f return per complete session\n", eps > 0 ? ret / eps : 0.0);
    printf("%s: %.1f MB, %.0f bytes per slot-step\n", out, mb, rows ? mb * 1e6 / (double)rows : 0.0);
}

int lg_cmd_log(int argc, char **argv)
{
    const char *file = NULL, *agent_name = NULL, *out = NULL;
    long steps = -1, slots = -1;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return usage(stdout), 0;
        if (!strcmp(a, "--agent")) {
            if (lg_flag_str("log", argc, argv, &i, &agent_name)) return 2;
        } else if (!strcmp(a, "--out")) {
            if (lg_flag_str("log", argc, argv, &i, &out)) return 2;
        } else if (!strcmp(a, "--steps")) {
            if (lg_flag_int("log", argc, argv, &i, 1, 2000000000L, &steps)) return 2;
        } else if (!strcmp(a, "--slots")) {
            if (lg_flag_int("log", argc, argv, &i, 1, 1000000, &slots)) return 2;
        } else if (!strcmp(a, "--seed")) {
            if (lg_flag_u64("log", argc, argv, &i, &seed)) return 2;
        } else if (a[0] == '-') {
            fprintf(stderr, "livegym log: unknown flag %s (livegym log --help)\n", a);
            return 2;
        } else if (file) {
            fprintf(stderr, "livegym log: one scenario only, found %s and %s\n", file, a);
            return 2;
        } else {
            file = a;
        }
    }
    if (!agent_name || !out) {
        fprintf(stderr, "livegym log: %s is required (livegym log --help)\n", !agent_name ? "--agent" : "--out");
        return 2;
    }
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
    if (file ? lgx_load_file(file, sc, ex, err, sizeof err) : lgx_load_default(sc, ex, err, sizeof err)) {
        fprintf(stderr, "livegym log: %s\n", err);
        goto done;
    }
    if (sc->kind != LG_KIND_LIVE) {
        fprintf(stderr, "livegym log: %s: logs are for live worlds (this scenario is a classic env)\n",
                file ? file : LGX_EMBEDDED_NAME);
        goto done;
    }
    if (lgx_select_agents(ex, agent_name, 1, ex, err, sizeof err)) {
        fprintf(stderr, "livegym log: --agent: %s\n", err);
        goto done;
    }
    const lgx_agent_spec *spec = &ex->agents[0];
    const lga_agent_type *type = lgx_spec_type(spec);
    if (type && !type->probs) {
        fprintf(stderr,
                "livegym log: --agent %s: %s cannot be a logged behaviour policy: it does not state the "
                "probability of its actions (those that do: random, epsilon-greedy, gradient-bandit, q-learning, "
                "sarsa, expected-sarsa, dqn)\n",
                agent_name, spec->name);
        goto done;
    }
    if (slots < 0) slots = ex->slots;
    if (slots > sc->n_viewers) {
        fprintf(stderr, "livegym log: --slots: expected at most the scenario's %d viewers, found %ld\n",
                sc->n_viewers, slots);
        goto done;
    }
    if (steps < 0) steps = ex->train_steps;
    if (lg_env_create(sc, (int)slots, seed, LG_LAYOUT_FLAT, &env, err, sizeof err)) {
        fprintf(stderr, "livegym log: %s\n", err);
        goto done;
    }
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    if (!(agent = lgx_spec_create(spec, &shape, seed, err, sizeof err))) {
        fprintf(stderr, "livegym log: --agent %s: %s\n", agent_name, err);
        goto done;
    }
    if (!(scen_json = lgx_scenario_to_json(sc, NULL))) {
        fprintf(stderr, "livegym log: out of memory\n");
        goto done;
    }
    lg_log_meta meta = {scen_json, spec->name, spec->label, spec->params,
                        type->probs_method ? type->probs_method : "exact", seed};
    if (!(w = lg_log_open(out, env, &meta, err, sizeof err))) {
        fprintf(stderr, "livegym log: %s\n", err);
        goto done;
    }
    lgx_log_sink sink = lg_log_sink(w);
    if (lgx_loop_init(&lp, env) || lgx_loop_set_log(&lp, env, &sink, seed)) {
        fprintf(stderr, "livegym log: out of memory\n");
        goto done;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = 1;
    lgx_tally tally;
    memset(&tally, 0, sizeof tally);
    const long chunk = 64L * slots;
    double t0 = lg_now();
    int show = lg_progress_enabled();
    for (long done = 0; done < steps && !stop_flag;) {
        long n = steps - done < chunk ? steps - done : chunk;
        if (lgx_train(&lp, agent, env, n, &tally)) {
            if (lp.log_status == LGX_LOG_NO_PROBS)
                fprintf(stderr, "livegym log: --agent %s: its probabilities could not be stated for a step\n",
                        agent_name);
            else
                fprintf(stderr, "livegym log: %s\n", lg_log_error(w));
            goto done;
        }
        done += (n + slots - 1) / slots * slots;
        if (show) fprintf(stderr, "\rlivegym log: %ld / %ld slot-steps", done < steps ? done : steps, steps);
    }
    if (show) fprintf(stderr, "\n");
    if (stop_flag) {
        fprintf(stderr, "livegym log: interrupted; nothing written\n");
        rc = 130;
        goto done;
    }
    long long rows = lg_log_rows(w);
    int closed = lg_log_close(w, env, err, sizeof err);
    w = NULL;
    if (closed) {
        fprintf(stderr, "livegym log: %s\n", err);
        goto done;
    }
    report(out, rows, NULL, lg_now() - t0, tally.ret, tally.sessions);
    rc = 0;
done:
    lg_log_abort(w);
    lgx_loop_free(&lp);
    if (agent) lga_free(agent);
    lg_env_free(env);
    free(scen_json), free(sc), free(ex);
    return rc;
}
