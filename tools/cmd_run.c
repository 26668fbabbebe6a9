/* livegym run: compare agents on a scenario. Each (agent, seed) trains for
 * the budget (learning agents only) and is then evaluated greedily on an
 * evaluation env whose seed depends only on the run seed, so every agent
 * faces the same viewers and draws (common random numbers). The table shows
 * per-session means with 95% confidence intervals across seeds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "lg_env.h"
#include "lg_scenario_json.h"
#include "lga_agent.h"
#include "lga_loop.h"

extern const char lg_embedded_default_scenario[];
extern const size_t lg_embedded_default_scenario_len;

#define MAX_AGENTS 16
#define MAX_SEEDS 1000

typedef struct {
    double ret, minutes, length, ctr, invalid_rate, gifts, follows;
} run_metrics;

enum { M_RET, M_MIN, M_LEN, M_CTR, M_INV, M_COUNT };
static const char *const metric_names[M_COUNT] = {"return/session", "watch min/session", "session steps", "CTR",
                                                  "invalid rate"};

static double metric(const run_metrics *m, int k)
{
    switch (k) {
    case M_RET: return m->ret;
    case M_MIN: return m->minutes;
    case M_LEN: return m->length;
    case M_CTR: return m->ctr;
    default: return m->invalid_rate;
    }
}

/* Two-sided 95% Student t quantiles for df = 1..30; 1.96 beyond. */
static double t95(int df)
{
    static const double t[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                 2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (df < 1) return NAN;
    return df <= 30 ? t[df - 1] : 1.96;
}

static void mean_ci(const double *x, int n, double *mean, double *half)
{
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++) s += x[i];
    *mean = s / n;
    for (int i = 0; i < n; i++) ss += (x[i] - *mean) * (x[i] - *mean);
    *half = n > 1 ? t95(n - 1) * sqrt(ss / (n - 1)) / sqrt((double)n) : NAN;
}

static void to_metrics(const lga_tally *t, int slate, run_metrics *m)
{
    double d = t->sessions > 0 ? t->sessions : 1;
    m->ret = t->ret / d;
    m->minutes = t->minutes / d;
    m->length = t->session_steps / d;
    m->ctr = t->steps > 0 ? t->chose / t->steps : 0;
    m->invalid_rate = t->steps > 0 ? t->invalid / (t->steps * slate) : 0;
    m->gifts = t->gifts / d;
    m->follows = t->follows / d;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: livegym run [FILE] [--agents a,b,...] [--seeds N] [--sessions S] [--slots N] [--steps T]\n"
            "\n"
            "Evaluate agents on a scenario (FILE, or the embedded default scenario) and print a table of\n"
            "per-session means with 95%% confidence intervals across seeds. Defaults come from the\n"
            "scenario's experiment section; flags override them.\n"
            "  --agents   comma-separated registry names (livegym agents lists them)\n"
            "  --seeds    number of seeds (1..%d); seed s trains on env seed s, evaluates on 1000000+s\n"
            "  --sessions evaluation sessions per (agent, seed)\n"
            "  --slots    concurrent viewer slots in each env\n"
            "  --steps    training slot-steps per (agent, seed) for learning agents\n",
            MAX_SEEDS);
}

int lg_cmd_run(int argc, char **argv)
{
    const char *file = NULL, *agents_flag = NULL;
    long seeds = -1, sessions = -1, slots = -1, steps = -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--agents")) {
            if (lg_flag_str("run", argc, argv, &i, &agents_flag)) return 2;
        } else if (!strcmp(argv[i], "--seeds")) {
            if (lg_flag_int("run", argc, argv, &i, 1, MAX_SEEDS, &seeds)) return 2;
        } else if (!strcmp(argv[i], "--sessions")) {
            if (lg_flag_int("run", argc, argv, &i, 1, 10000000, &sessions)) return 2;
        } else if (!strcmp(argv[i], "--slots")) {
            if (lg_flag_int("run", argc, argv, &i, 1, 100000, &slots)) return 2;
        } else if (!strcmp(argv[i], "--steps")) {
            if (lg_flag_int("run", argc, argv, &i, 0, 1000000000L, &steps)) return 2;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "livegym run: unknown flag \"%s\"\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!file) {
            file = argv[i];
        } else {
            fprintf(stderr, "livegym run: expected one scenario file, found a second one \"%s\"\n", argv[i]);
            return 2;
        }
    }

    lg_scenario *sc = malloc(sizeof *sc);
    lg_experiment *ex = malloc(sizeof *ex);
    if (!sc || !ex) return 1;
    char err[1024];
    int rc = file ? lg_scenario_load_file(file, sc, ex, err, sizeof err)
                  : lg_scenario_load_string(lg_embedded_default_scenario, lg_embedded_default_scenario_len,
                                            "(embedded default scenario)", sc, ex, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "livegym run: %s\n", err);
        free(sc), free(ex);
        return 2;
    }

    /* The agent list: flag, else the experiment section. */
    char names[MAX_AGENTS][64];
    const char *params[MAX_AGENTS];
    int n_agents = 0;
    if (agents_flag) {
        const char *p = agents_flag;
        while (*p && n_agents < MAX_AGENTS) {
            size_t len = strcspn(p, ",");
            if (len == 0 || len >= sizeof names[0]) {
                fprintf(stderr, "livegym run: --agents: expected comma-separated agent names, found \"%s\"\n",
                        agents_flag);
                free(sc), free(ex);
                return 2;
            }
            memcpy(names[n_agents], p, len);
            names[n_agents][len] = 0;
            params[n_agents] = "{}";
            for (int j = 0; j < ex->n_agents; j++)
                if (!strcmp(ex->agents[j].name, names[n_agents])) params[n_agents] = ex->agents[j].params;
            n_agents++;
            p += len + (p[len] == ',');
        }
    } else {
        for (int j = 0; j < ex->n_agents && j < MAX_AGENTS; j++) {
            snprintf(names[n_agents], sizeof names[0], "%s", ex->agents[j].name);
            params[n_agents++] = ex->agents[j].params;
        }
    }
    if (seeds < 0) seeds = ex->seeds;
    if (sessions < 0) sessions = ex->eval_sessions;
    if (slots < 0) slots = ex->slots;
    if (steps < 0) steps = ex->train_steps;

    int n_run = 0;
    int run_agent[MAX_AGENTS];
    for (int a = 0; a < n_agents; a++) {
        const lga_agent_type *t = lga_find(names[a]);
        if (!t) {
            lga_create(names[a], "{}", NULL, 0, err, sizeof err);
            fprintf(stderr, "livegym run: %s\n", err);
            free(sc), free(ex);
            return 2;
        }
        run_agent[n_run++] = a;
    }

    run_metrics *res = calloc((size_t)n_agents * (size_t)seeds, sizeof *res);
    if (!res) return 1;
    int progress = lg_progress_enabled();
    double t0 = lg_now();
    for (int r = 0; r < n_run; r++) {
        int a = run_agent[r];
        const lga_agent_type *t = lga_find(names[a]);
        for (long s = 0; s < seeds; s++) {
            lg_env *train_env = NULL, *eval_env = NULL;
            if (lg_env_create(sc, (int)slots, (uint64_t)(s + 1), LG_LAYOUT_FLAT, &train_env, err, sizeof err) ||
                lg_env_create(sc, (int)slots, (uint64_t)(1000000 + s + 1), LG_LAYOUT_FLAT, &eval_env, err,
                              sizeof err)) {
                fprintf(stderr, "livegym run: %s\n", err);
                lg_env_free(train_env);
                return 2;
            }
            lga_obs_batch shape;
            lga_batch_from_env(eval_env, &shape);
            lga_agent *agent = lga_create(names[a], params[a], &shape, (uint64_t)(s + 1), err, sizeof err);
            if (!agent) {
                fprintf(stderr, "livegym run: %s\n", err);
                lg_env_free(train_env), lg_env_free(eval_env);
                return 2;
            }
            lga_loop train_loop, eval_loop;
            if (lga_loop_init(&train_loop, train_env) || lga_loop_init(&eval_loop, eval_env)) {
                fprintf(stderr, "livegym run: out of memory\n");
                return 1;
            }
            if (t->learns && steps > 0) lga_train(&train_loop, agent, train_env, steps, NULL);
            lga_tally tally = {0};
            lga_evaluate(&eval_loop, agent, eval_env, sessions, &tally);
            to_metrics(&tally, sc->slate_size, &res[(size_t)a * seeds + s]);
            lga_loop_free(&train_loop), lga_loop_free(&eval_loop);
            lga_free(agent);
            lg_env_free(train_env), lg_env_free(eval_env);
            if (progress) {
                double done = (double)(r * seeds + s + 1) / (double)(n_run * seeds);
                double el = lg_now() - t0;
                fprintf(stderr, "\r%-16s seed %3ld/%-3ld  %5.1f%%  ETA %5.0f s ", names[a], s + 1, seeds,
                        100 * done, el / done - el);
            }
        }
    }
    if (progress) fprintf(stderr, "\r%70s\r", "");

    printf("scenario: %s  |  %ld seed(s) x %ld eval sessions, %ld slots, train %ld slot-steps (learners)\n",
           sc->name, seeds, sessions, slots, steps);
    printf("mean ± 95%% CI across seeds; * = best in column (oracle excluded: it cheats)\n\n");
    printf("%-16s", "agent");
    for (int k = 0; k < M_COUNT; k++) printf("  %20s", metric_names[k]);
    printf("\n");
    double *x = malloc(sizeof(double) * (size_t)seeds);
    double best[M_COUNT];
    for (int k = 0; k < M_COUNT; k++) {
        best[k] = k == M_INV ? INFINITY : -INFINITY;
        for (int a = 0; a < n_agents; a++) {
            if (lga_find(names[a])->cheats) continue;
            for (long s = 0; s < seeds; s++) x[s] = metric(&res[(size_t)a * seeds + s], k);
            double m, h;
            mean_ci(x, (int)seeds, &m, &h);
            if (k == M_INV ? m < best[k] : m > best[k]) best[k] = m;
        }
    }
    for (int a = 0; a < n_agents; a++) {
        const lga_agent_type *t = lga_find(names[a]);
        char label[64];
        snprintf(label, sizeof label, "%s%s", names[a], t->cheats ? " (cheats)" : "");
        printf("%-16s", label);
        for (int k = 0; k < M_COUNT; k++) {
            for (long s = 0; s < seeds; s++) x[s] = metric(&res[(size_t)a * seeds + s], k);
            double m, h;
            mean_ci(x, (int)seeds, &m, &h);
            char cell[64];
            int prec = (k == M_CTR || k == M_INV) ? 3 : 2;
            if (isnan(h))
                snprintf(cell, sizeof cell, "%.*f", prec, m);
            else
                snprintf(cell, sizeof cell, "%.*f ± %.*f", prec, m, prec, h);
            printf("  %19s%s", cell, (!t->cheats && m == best[k]) ? "*" : " ");
        }
        printf("\n");
    }
    free(x), free(res), free(sc), free(ex);
    return 0;
}
