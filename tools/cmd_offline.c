/* livegym offline: an agent learns from a log alone (livegym log), never
 * acting: the logged steps are handed to its update, in the order they were
 * logged, as the transitions it would have seen had it acted them, for
 * --epochs passes; the result is a kept agent (lga_policy.h) that livegym
 * eval plays in any world (docs/offline.md). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "lga_policy.h"
#include "lgx_experiment.h"
#include "log_file.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: livegym offline LOG --agent NAME --out FILE.policy [--params JSON] [--epochs E]\n"
            "                       [--seed S] [--label L]\n"
            "\n"
            "Train an agent from LOG (livegym log) alone: every logged slot-step, in logged order, is\n"
            "handed to the agent's update as the transition it would have seen had it acted it; the\n"
            "agent never acts. The trained agent is written as a kept agent: evaluate it with\n"
            "livegym eval FILE.policy SCENARIO (docs/offline.md).\n"
            "  --agent   a learning agent of the registry (dqn; with \"cql_alpha\" in --params,\n"
            "            conservative Q-learning)\n"
            "  --params  its hyperparameters as a JSON object (default {})\n"
            "  --epochs  passes over the log (default 1)\n"
            "  --seed    the agent's seed, 1 to 100000 (default 1)\n"
            "  --label   its label in the kept file (default NAME-offline)\n"
            "exit status: 0 written, 1 failed, 2 bad file or flag\n");
}

typedef struct {
    const char *log, *agent, *out, *params, *label;
    long epochs, seed;
} offline_flags;

static int parse(int argc, char **argv, offline_flags *f)
{
    *f = (offline_flags){NULL, NULL, NULL, "{}", NULL, 1, 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return usage(stdout), 0;
        int bad = 0;
        if (!strcmp(a, "--agent")) bad = lg_flag_str("offline", argc, argv, &i, &f->agent);
        else if (!strcmp(a, "--out")) bad = lg_flag_str("offline", argc, argv, &i, &f->out);
        else if (!strcmp(a, "--params")) bad = lg_flag_str("offline", argc, argv, &i, &f->params);
        else if (!strcmp(a, "--label")) bad = lg_flag_str("offline", argc, argv, &i, &f->label);
        else if (!strcmp(a, "--epochs")) bad = lg_flag_int("offline", argc, argv, &i, 1, 100000, &f->epochs);
        else if (!strcmp(a, "--seed")) bad = lg_flag_int("offline", argc, argv, &i, 1, 100000, &f->seed);
        else if (a[0] == '-') return fprintf(stderr, "livegym offline: unknown flag %s (livegym offline --help)\n", a), 2;
        else if (f->log) return fprintf(stderr, "livegym offline: one log only, found %s and %s\n", f->log, a), 2;
        else f->log = a;
        if (bad) return 2;
    }
    if (!f->log || !f->agent || !f->out) {
        fprintf(stderr, "livegym offline: %s is required (livegym offline --help)\n",
                !f->log ? "LOG" : !f->agent ? "--agent" : "--out");
        return 2;
    }
    if (strlen(f->params) >= LGX_AGENT_PARAMS_LEN) {
        fprintf(stderr, "livegym offline: --params: expected at most %d characters of JSON, found %zu\n",
                LGX_AGENT_PARAMS_LEN - 1, strlen(f->params));
        return 2;
    }
    if (f->label && (!lgx_label_ok(f->label) || strlen(f->label) >= LGA_POLICY_LABEL_LEN)) {
        fprintf(stderr, "livegym offline: --label: expected at most %d characters without commas, quotes or "
                        "control characters, found \"%s\"\n", LGA_POLICY_LABEL_LEN - 1, f->label);
        return 2;
    }
    return -1;
}

/* Buffers for one env step's transitions rebuilt from the log, in the flat
 * layout: the slot part, then the step's channel table. */
typedef struct {
    lga_obs_batch obs, next;
    float *o, *no;
    uint8_t *m, *nm, *trunc;
    int32_t *s, *ns;
    lg_info *info;
} step_bufs;

static int bufs_init(step_bufs *sb, const lga_obs_batch *shape)
{
    const size_t S = (size_t)shape->n, D = (size_t)shape->obs_dim, A = (size_t)shape->n_actions;
    memset(sb, 0, sizeof *sb);
    sb->obs = sb->next = *shape;
    sb->obs.slot_obs = sb->obs.channel_obs = sb->next.slot_obs = sb->next.channel_obs = NULL;
    sb->obs.env = sb->next.env = NULL;
    if (!(sb->o = malloc(sizeof(float) * S * D)) || !(sb->no = malloc(sizeof(float) * S * D)) ||
        !(sb->m = malloc(S * A)) || !(sb->nm = malloc(S * A)) || !(sb->trunc = malloc(S)) ||
        !(sb->s = malloc(sizeof(int32_t) * S)) || !(sb->ns = malloc(sizeof(int32_t) * S)) ||
        !(sb->info = calloc(S, sizeof(lg_info))))
        return -1;
    sb->obs.obs = sb->o, sb->obs.mask = sb->m, sb->obs.state = sb->s;
    sb->next.obs = sb->no, sb->next.mask = sb->nm, sb->next.state = sb->ns;
    return 0;
}

static void bufs_free(step_bufs *sb)
{
    free(sb->o), free(sb->no), free(sb->m), free(sb->nm), free(sb->trunc), free(sb->s), free(sb->ns), free(sb->info);
}

static void put_obs(float *dst, const float *slot, const float *table, int slot_dim, size_t table_len)
{
    memcpy(dst, slot, sizeof(float) * (size_t)slot_dim);
    memcpy(dst + slot_dim, table, sizeof(float) * table_len);
}

/* Env step t of the log as a transition batch: next is the same slot's
 * row a step later, the final observation of a session that ended, or the
 * tail after the last step. The log's last step is handed as truncated for
 * sessions it leaves running, so that nothing waits across epochs. */
static void feed_step(lga_agent *agent, const lg_log_data *d, long long t, step_bufs *sb)
{
    const int S = d->slots, A = d->n_actions, SD = d->slot_dim;
    const size_t TL = (size_t)A * (size_t)d->channel_dim, D = (size_t)sb->obs.obs_dim;
    const float *tab = &d->tables[(size_t)t * TL], *ntab = &d->tables[(size_t)(t + 1) * TL];
    const int last = t + 1 == d->env_steps;
    for (int i = 0; i < S; i++) {
        long long r = t * S + i;
        put_obs(&sb->o[(size_t)i * D], &d->observations[(size_t)r * SD], tab, SD, TL);
        memcpy(&sb->m[(size_t)i * A], &d->masks[(size_t)t * A], (size_t)A);
        memcpy(&sb->nm[(size_t)i * A], &d->masks[(size_t)(t + 1) * A], (size_t)A);
        sb->s[i] = d->states[r];
        const float *nslot;
        if (d->final_of[r] >= 0) {
            nslot = &d->final_observations[(size_t)d->final_of[r] * SD];
            sb->ns[i] = d->final_states[d->final_of[r]];
        } else if (!last) {
            nslot = &d->observations[(size_t)(r + S) * SD];
            sb->ns[i] = d->states[r + S];
        } else {
            nslot = &d->tail_observations[(size_t)i * SD];
            sb->ns[i] = d->tail_states[i];
        }
        put_obs(&sb->no[(size_t)i * D], nslot, ntab, SD, TL);
        sb->trunc[i] = d->truncations[r] || (last && !d->terminations[r]);
        sb->info[i].watched = d->watched[r];
        sb->info[i].position = d->watched[r] >= 0 ? 0 : -1; /* logs hold slates of one */
    }
    lga_transition_batch tr = {&sb->obs, &d->actions[t * S], &d->rewards[t * S], &d->terminations[t * S],
                               sb->trunc, sb->info, &sb->next};
    agent->type->update(agent, &tr);
}

/* The kept file's manifest (lga_policy.h). */
static char *manifest(const offline_flags *f, const char *label, const lg_log_data *d, long long steps)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "agent", f->agent);
    cJSON_AddStringToObject(m, "label", label);
    cJSON_AddStringToObject(m, "params", f->params);
    cJSON_AddNumberToObject(m, "seed", (double)f->seed);
    cJSON_AddNumberToObject(m, "trained_steps", (double)(steps < 2147483647LL ? steps : 2147483647LL));
    cJSON_AddStringToObject(m, "scenario", d->scenario);
    cJSON_AddStringToObject(m, "livegym", LG_VERSION);
    char *text = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    return text;
}

int lg_cmd_offline(int argc, char **argv)
{
    offline_flags fl;
    int parsed = parse(argc, argv, &fl);
    if (parsed >= 0) return parsed;
    char err[1024], label[LGA_POLICY_LABEL_LEN];
    snprintf(label, sizeof label, "%s", fl.label ? fl.label : fl.agent);
    if (!fl.label) snprintf(label + strlen(label), sizeof label - strlen(label), "-offline");
    const lga_agent_type *type = lga_find(fl.agent);
    if (!type || !type->learns || type->cheats || !strcmp(fl.agent, "saved")) {
        fprintf(stderr, "livegym offline: --agent: expected a learning agent of the registry (livegym agents), "
                        "found \"%s\"\n", fl.agent);
        return 2;
    }
    lg_log_data d;
    if (lg_log_read(fl.log, 1, &d, err, sizeof err)) return fprintf(stderr, "livegym offline: %s\n", err), 2;
    lg_scenario *sc = malloc(sizeof *sc);
    lg_env *env = NULL;
    lga_agent *agent = NULL;
    step_bufs sb;
    memset(&sb, 0, sizeof sb);
    char *text = NULL;
    int rc = 2;
    if (!sc) goto oom;
    if (lg_log_world(&d, fl.log, sc, &env, err, sizeof err)) {
        fprintf(stderr, "livegym offline: %s\n", err);
        goto done;
    }
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    if (!(agent = lga_create(fl.agent, fl.params, &shape, (uint64_t)fl.seed, err, sizeof err))) {
        fprintf(stderr, "livegym offline: --params: %s\n", err);
        goto done;
    }
    if (bufs_init(&sb, &shape)) goto oom;
    rc = 1;
    double t0 = lg_now();
    int show = lg_progress_enabled();
    for (long e = 0; e < fl.epochs; e++) {
        for (long long t = 0; t < d.env_steps; t++) feed_step(agent, &d, t, &sb);
        if (show) fprintf(stderr, "\rlivegym offline: epoch %ld / %ld", e + 1, fl.epochs);
    }
    if (show) fprintf(stderr, "\n");
    if (!(text = manifest(&fl, label, &d, d.rows * fl.epochs))) goto oom;
    if (lga_policy_write(fl.out, text, agent, NULL, 0, err, sizeof err)) {
        fprintf(stderr, "livegym offline: %s\n", err);
        goto done;
    }
    printf("%s learned from %lld logged slot-steps x %ld epochs in %.1f s; kept as %s (label %s)\n", fl.agent,
           d.rows, fl.epochs, lg_now() - t0, fl.out, label);
    rc = 0;
    goto done;
oom:
    fprintf(stderr, "livegym offline: out of memory\n");
done:
    bufs_free(&sb);
    free(text);
    if (agent) lga_free(agent);
    lg_env_free(env);
    free(sc);
    lg_log_data_free(&d);
    return rc;
}
