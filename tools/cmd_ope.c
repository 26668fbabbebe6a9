/* livegym ope: a kept agent's value estimated from a log another policy
 * wrote (livegym log), by IPS, SNIPS, DM and DR, next to the truth: the log's
 * world is replayed from its scenario and seed with the logged actions
 * (every logged reward must come out again, bit for bit), and at every
 * logged step the simulator's ground truth gives the expected reward of the
 * target's action. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lgx_experiment.h"
#include "lgx_ope.h"
#include "log_file.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: livegym ope LOG --target KEPT [--json]\n"
               "\n"
               "Estimate the value of KEPT (a kept agent, runs/LABEL/seed-S.policy of livegym run\n"
               "--keep-agents, played frozen and greedy) from LOG (livegym log) alone, by inverse\n"
               "propensity scoring (IPS), self-normalised IPS (SNIPS), the direct method (DM: a reward\n"
               "model fitted on the log) and doubly robust (DR), each with a 95%% interval; and the truth,\n"
               "from the simulator replaying the log's world. The value is the expected reward per\n"
               "slot-step of the target's action on the logged contexts (docs/ope.md).\n"
               "  --json   the figures as one JSON object on stdout\n"
               "exit status: 0 done, 1 failed, 2 bad file or flag\n");
}

static void print_value(const char *name, const lgx_ope_value *v, double truth)
{
    printf("%-7s %10.4f   [%8.4f, %8.4f]", name, v->estimate, v->lo, v->hi);
    if (isnan(truth)) printf("   (simulator ground truth)\n");
    else printf("   %+9.4f\n", v->estimate - truth);
}

static cJSON *json_value(const lgx_ope_value *v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "estimate", v->estimate);
    cJSON_AddNumberToObject(o, "lo", v->lo);
    cJSON_AddNumberToObject(o, "hi", v->hi);
    return o;
}

static void print_json(const lgx_ope_result *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "rows", (double)r->rows);
    cJSON_AddItemToObject(o, "truth", json_value(&r->truth));
    cJSON_AddItemToObject(o, "ips", json_value(&r->ips));
    cJSON_AddItemToObject(o, "snips", json_value(&r->snips));
    cJSON_AddItemToObject(o, "dm", json_value(&r->dm));
    cJSON_AddItemToObject(o, "dr", json_value(&r->dr));
    cJSON_AddNumberToObject(o, "behaviour", r->behaviour);
    cJSON_AddNumberToObject(o, "match", r->match);
    cJSON_AddNumberToObject(o, "ess", r->ess);
    char *s = cJSON_PrintUnformatted(o);
    if (s) puts(s);
    free(s);
    cJSON_Delete(o);
}

/* The target: the agent `saved` playing KEPT. */
static lga_agent *make_target(const char *kept, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    cJSON *p = cJSON_CreateObject();
    char *json = p && cJSON_AddStringToObject(p, "file", kept) ? cJSON_PrintUnformatted(p) : NULL;
    cJSON_Delete(p);
    if (!json) return snprintf(err, errsz, "out of memory"), NULL;
    lga_agent *a = lga_create("saved", json, shape, seed, err, errsz);
    free(json);
    return a;
}

/* Replay the log's world with its actions; at each step, what the target
 * would do and what it would truly earn. */
static int replay(const char *path, const lg_log_data *d, lg_env *env, lga_agent *target, const lgx_ope_model m[2],
                  lgx_ope_result *res, char *err, size_t errsz)
{
    const lg_buffers *b = lg_env_buffers(env);
    const int S = d->slots, A = d->n_actions;
    int32_t *tact = malloc(sizeof(int32_t) * (size_t)S);
    float *er = malloc(sizeof(float) * (size_t)A);
    lgx_ope_block blocks[LGX_OPE_BLOCKS];
    memset(blocks, 0, sizeof blocks);
    int rc = 0;
    if (!tact || !er) rc = -1, snprintf(err, errsz, "out of memory");
    for (long long t = 0; !rc && t < d->env_steps; t++) {
        lga_obs_batch batch;
        lga_batch_from_env(env, &batch);
        target->type->act(target, &batch, 1, tact);
        const int k = (int)(t * LGX_OPE_BLOCKS / d->env_steps);
        lgx_ope_block *blk = &blocks[k];
        const lgx_ope_model *other = &m[1 - k % 2]; /* cross-fitted: the model of the other half */
        for (int i = 0; i < S && !rc; i++) {
            long long row = t * S + i;
            if (b->state[i] != d->states[row]) {
                rc = -1;
                snprintf(err, errsz,
                              "%s: infos/state[%lld]: the replay of the log's scenario gives %d, the log says %d "
                              "(the log was changed, or written by another livegym)",
                              path, row, b->state[i], d->states[row]);
                break;
            }
            lg_env_expected_reward(env, i, er);
            int32_t a = d->actions[row], ta = tact[i];
            double w = ta == a ? 1.0 / d->propensities[row] : 0.0;
            lgx_ope_add(blk, w, d->rewards[row], lgx_ope_model_predict(other, b->state[i], ta),
                        lgx_ope_model_predict(other, b->state[i], a), er[ta]);
        }
        if (rc) break;
        lg_env_step(env, &d->actions[t * S]);
        for (int i = 0; i < S; i++) {
            long long row = t * S + i;
            if (memcmp(&b->reward[i], &d->rewards[row], sizeof(float)) || b->terminated[i] != d->terminations[row] ||
                b->truncated[i] != d->truncations[row]) {
                rc = -1;
                snprintf(err, errsz,
                              "%s: rewards[%lld]: the replay of the log's scenario gives %.9g (session ended: %d), "
                              "the log says %.9g (%d) (the log was changed, or written by another livegym)",
                              path, row, b->reward[i], b->terminated[i] | b->truncated[i], d->rewards[row],
                              d->terminations[row] | d->truncations[row]);
                break;
            }
        }
    }
    if (!rc) lgx_ope_finish(blocks, res);
    free(tact), free(er);
    return rc;
}

int lg_cmd_ope(int argc, char **argv)
{
    const char *log = NULL, *kept = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return usage(stdout), 0;
        if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--target")) {
            if (i + 1 >= argc) return fprintf(stderr, "livegym ope: --target: expected a kept agent\n"), 2;
            kept = argv[++i];
        } else if (a[0] == '-') {
            return fprintf(stderr, "livegym ope: unknown flag %s (livegym ope --help)\n", a), 2;
        } else if (log) {
            return fprintf(stderr, "livegym ope: one log only, found %s and %s\n", log, a), 2;
        } else {
            log = a;
        }
    }
    if (!log || !kept) {
        fprintf(stderr, "livegym ope: %s is required (livegym ope --help)\n", !log ? "LOG" : "--target");
        return 2;
    }
    char err[1024];
    lg_log_data d;
    if (lg_log_read(log, 0, &d, err, sizeof err)) return fprintf(stderr, "livegym ope: %s\n", err), 2;
    lg_scenario *sc = malloc(sizeof *sc);
    lg_env *env = NULL;
    lga_agent *target = NULL;
    lgx_ope_model model[2];
    memset(model, 0, sizeof model);
    int rc = 2;
    if (!sc) {
        fprintf(stderr, "livegym ope: out of memory\n");
        goto done;
    }
    if (lg_log_world(&d, log, sc, &env, err, sizeof err)) {
        fprintf(stderr, "livegym ope: %s\n", err);
        goto done;
    }
    const lg_buffers *b = lg_env_buffers(env);
    if (d.env_steps < LGX_OPE_BLOCKS) {
        fprintf(stderr, "livegym ope: %s: %lld env steps: expected at least %d (the intervals need them)\n", log,
                d.env_steps, LGX_OPE_BLOCKS);
        goto done;
    }
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    if (!(target = make_target(kept, &shape, d.seed, err, sizeof err))) {
        fprintf(stderr, "livegym ope: --target: %s\n", err);
        goto done;
    }
    if (lgx_ope_model_init(&model[0], b->n_states, b->n_actions) ||
        lgx_ope_model_init(&model[1], b->n_states, b->n_actions)) {
        fprintf(stderr, "livegym ope: out of memory\n");
        goto done;
    }
    /* Model 0 learns from the even blocks, model 1 from the odd ones: a
     * row's prediction never comes from a model that saw its reward (fitted
     * in-sample, DR's correction shrinks where data are thin and keeps part
     * of DM's bias). */
    for (long long r = 0; r < d.rows; r++)
        lgx_ope_model_add(&model[(r / d.slots) * LGX_OPE_BLOCKS / d.env_steps % 2], d.states[r], d.actions[r],
                          d.rewards[r]);
    lgx_ope_result res;
    if (replay(log, &d, env, target, model, &res, err, sizeof err)) {
        fprintf(stderr, "livegym ope: %s\n", err);
        goto done;
    }
    if (json) {
        print_json(&res);
    } else {
        printf("target %s, on %s: %lld slot-steps of %s (%s) in seed %llu of its world\n", kept, log, res.rows,
               d.label, d.agent, (unsigned long long)d.seed);
        printf("value: the expected reward per slot-step of the target's action on the logged contexts\n\n");
        printf("%-7s %10s   %-20s   %9s\n", "", "estimate", "95% interval", "error");
        print_value("truth", &res.truth, NAN);
        print_value("IPS", &res.ips, res.truth.estimate);
        print_value("SNIPS", &res.snips, res.truth.estimate);
        print_value("DM", &res.dm, res.truth.estimate);
        print_value("DR", &res.dr, res.truth.estimate);
        printf("\nthe logged policy earned %.4f per slot-step; the target takes the logged action on %.1f%% of\n"
               "them; effective sample size of the weights %.0f of %lld\n",
               res.behaviour, 100.0 * res.match, res.ess, res.rows);
    }
    rc = 0;
done:
    lgx_ope_model_free(&model[0]);
    lgx_ope_model_free(&model[1]);
    if (target) lga_free(target);
    lg_env_free(env);
    free(sc);
    lg_log_data_free(&d);
    return rc;
}
