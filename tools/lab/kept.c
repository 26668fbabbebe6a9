/* Kept agents (lgx_kept.h): writing them at the end of training, and the
 * experiment `livegym eval` builds around one. */
#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lga_policy.h"
#include "lgx_experiment.h"
#include "lgx_kept.h"
#include "lgx_results.h"

int lgx_keep_agent(const lgx_run_config *cfg, int agent_i, int seed, long trained, lga_agent *a, const lg_env *train,
                   char *err, size_t errsz)
{
    const lgx_agent_spec *spec = &cfg->ex.agents[agent_i];
    if (spec->type)
        return snprintf(err, errsz, "keep_agents: agent \"%s\" is the caller's own; only the registry's agents can be "
                                    "kept", spec->label), -1;
    const lga_agent_type *t = lgx_spec_type(spec);
    if (t && t->cheats) return 0; /* it reads the simulator's ground truth: nothing learned, nothing to play back */
    if (t && !strcmp(t->name, "saved")) return 0; /* its kept file is the one it plays */
    char dir[4200], path[4300];
    lgx_results_job_path(cfg, agent_i, seed, dir, sizeof dir, 1);
    snprintf(path, sizeof path, "%s/seed-%d.policy", dir, seed);
    size_t world_len = lg_env_state_size(train);
    char *scenario = lgx_scenario_to_json(cfg->sc, &cfg->ex), *text = NULL;
    void *world = malloc(world_len ? world_len : 1);
    cJSON *m = cJSON_CreateObject();
    int rc = -1;
    if (scenario && world && m && cJSON_AddStringToObject(m, "livegym", LG_VERSION) &&
        cJSON_AddStringToObject(m, "agent", spec->name) && cJSON_AddStringToObject(m, "label", spec->label) &&
        cJSON_AddStringToObject(m, "params", spec->params) && cJSON_AddNumberToObject(m, "seed", seed) &&
        cJSON_AddNumberToObject(m, "trained_steps", (double)trained) &&
        cJSON_AddStringToObject(m, "scenario", scenario))
        text = cJSON_PrintUnformatted(m);
    if (!text) snprintf(err, errsz, "%s: out of memory", path);
    else if (lg_env_state_save(train, world, world_len) != world_len)
        snprintf(err, errsz, "%s: the training world's state could not be saved (a bug)", path);
    else rc = lga_policy_write(path, text, a, world, world_len, err, errsz);
    cJSON_Delete(m);
    free(text), free(scenario), free(world);
    return rc;
}

void lgx_eval_worlds_free(lgx_eval_worlds *w)
{
    free(w->scenario);
    w->scenario = NULL;
}

/* How many seeds a kept folder holds (seed-1.policy, seed-2.policy, ...
 * without a gap); 0 for a file. */
static int kept_seeds(const char *policy)
{
    struct stat sb;
    if (stat(policy, &sb) != 0 || !S_ISDIR(sb.st_mode)) return 0;
    int n = 0;
    char path[4300];
    while (n < 100000) {
        lga_policy_path(policy, n + 1, path, sizeof path);
        if (stat(path, &sb) != 0) break;
        n++;
    }
    return n;
}

/* The name of the scenario a manifest states (for the default label). */
static void trained_name(const char *scenario, char *out, size_t n)
{
    cJSON *js = cJSON_Parse(scenario);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(js, "name");
    snprintf(out, n, "%s", cJSON_IsString(name) ? name->valuestring : "unnamed");
    cJSON_Delete(js);
}

/* experiment.agents as eval runs them: the kept agent, then the selection. */
static int eval_agents(const lgx_eval_request *rq, const lga_policy *pol, const char *policy_text,
                       const lgx_run_options *o, lgx_experiment *ex, char *err, size_t errsz)
{
    lgx_agent_spec kept = {0};
    snprintf(kept.name, sizeof kept.name, "saved");
    char trained[64];
    trained_name(pol->scenario, trained, sizeof trained);
    if (rq->label) {
        if (strlen(rq->label) >= sizeof kept.label || !rq->label[0])
            return snprintf(err, errsz, "--label: expected 1 to %d bytes", LGX_AGENT_LABEL_LEN - 1), -1;
        snprintf(kept.label, sizeof kept.label, "%s", rq->label);
    } else {
        snprintf(kept.label, sizeof kept.label, "%.40s@%.22s", pol->label, trained);
    }
    if (!lgx_label_ok(kept.label))
        return snprintf(err, errsz, "%s: the label \"%.63s\" holds a comma, quote or control character (the CSV files "
                                    "could not hold it); give --label", rq->label ? "--label" : policy_text, kept.label),
               -1;
    if (strlen(policy_text) >= 400)
        return snprintf(err, errsz, "%.200s...: expected a path of at most 399 bytes", policy_text), -1;
    cJSON *params = cJSON_CreateObject();
    char *text = params && cJSON_AddStringToObject(params, "file", policy_text) ? cJSON_PrintUnformatted(params) : NULL;
    cJSON_Delete(params);
    if (!text || strlen(text) >= sizeof kept.params) {
        free(text);
        return snprintf(err, errsz, "%s: expected a path of at most 399 bytes", policy_text), -1;
    }
    snprintf(kept.params, sizeof kept.params, "%s", text);
    free(text);
    lgx_experiment sel = *ex;
    if (o->agents) {
        char e[512];
        if (lgx_select_agents(ex, o->agents, LGX_MAX_AGENTS - 1, &sel, e, sizeof e))
            return snprintf(err, errsz, "--against: %s", e), -1;
    } else {
        sel.n_agents = 0, sel.n_claims = 0; /* every claim names agents this evaluation leaves out */
    }
    for (int a = 0; a < sel.n_agents; a++)
        if (!strcmp(sel.agents[a].label, kept.label))
            return snprintf(err, errsz, "--against: agent \"%s\" has the kept agent's label; give it another with "
                                        "--label", kept.label), -1;
    memmove(&ex->agents[1], &sel.agents[0], sizeof ex->agents[0] * (size_t)sel.n_agents);
    ex->agents[0] = kept;
    ex->n_agents = sel.n_agents + 1;
    for (int a = 0; a < ex->n_agents; a++) ex->agents[a].entry = a, ex->agents[a].swept = 0;
    ex->n_claims = sel.n_claims;
    memcpy(ex->claims, sel.claims, sizeof ex->claims);
    if (lgx_baseline_index(ex) < 0) snprintf(ex->baseline, sizeof ex->baseline, "%s", kept.label);
    return 0;
}

int lgx_eval_prepare(const lgx_eval_request *rq, const lgx_run_options *o, lg_scenario *sc, lgx_experiment *ex,
                     lgx_eval_worlds *w, lg_sbuf *notes, char *err, size_t errsz)
{
    memset(w, 0, sizeof *w);
    w->policy = rq->policy;
    w->from_trained = !rq->scenario;
    const int held = kept_seeds(rq->policy);
    char first[4300];
    lga_policy_path(rq->policy, 1, first, sizeof first);
    lga_policy pol;
    if (lga_policy_read(first, &pol, err, errsz)) return -1;
    int rc = -1;
    char e[2048];
    if (rq->scenario ? lgx_load_file(rq->scenario, sc, ex, e, sizeof e)
                     : lgx_load_string(pol.scenario, strlen(pol.scenario), first, sc, ex, e, sizeof e)) {
        snprintf(err, errsz, "%s%s", rq->scenario ? "" : "manifest.scenario: ", e);
        goto out;
    }
    if (sc->kind != LG_KIND_LIVE) {
        snprintf(err, errsz, "%s: a %s world; kept agents play live worlds", rq->scenario ? rq->scenario : first,
                 lg_env_kind_name(sc->kind));
        goto out;
    }
    if (w->from_trained && o->slots > 0) {
        snprintf(err, errsz, "--slots: the kept worlds have %d slots; give a SCENARIO to evaluate on worlds of another "
                             "size", ex->slots);
        goto out;
    }
    if (held && o->seeds > held) {
        snprintf(err, errsz, "--seeds: %s holds kept seeds 1 to %d, and seed s plays seed-s.policy; ask for at most %d",
                 rq->policy, held, held);
        goto out;
    }
    ex->keep_agents = 0;
    const int file_claims = ex->n_claims;
    if (eval_agents(rq, &pol, rq->policy, o, ex, err, errsz)) goto out;
    lgx_run_options rest = *o;
    rest.agents = NULL;
    if (ex->n_claims < file_claims)
        lg_sb_printf(notes, "%d of the file's %d claims name agents this evaluation leaves out; they are not checked\n",
                     file_claims - ex->n_claims, file_claims);
    if (w->from_trained && !held)
        lg_sb_printf(notes, "one kept file plays every seed on its world, with evaluation seeds from 1: the run's own "
                            "final evaluation is its folder's (give runs/LABEL)\n");
    if (w->from_trained) {
        ex->seeds = held ? held : 1;
        if (o->steps < 0 && o->minutes < 0) rest.steps = 0;
    } else if (held && ex->seeds > held && o->seeds < 0) {
        ex->seeds = held;
        lg_sb_printf(notes, "%s holds %d kept seed(s): the evaluation runs %d seed(s)\n", rq->policy, held, held);
    }
    lg_sbuf said = {0};
    int bad = lgx_apply_options(&rest, "--", rq->scenario, sc, ex, &said, err, errsz);
    /* From the trained worlds, the scenario's events are behind: that the
     * budget does not reach them says nothing. */
    for (char *line = said.p, *nl; line && (nl = strchr(line, '\n')); line = nl + 1)
        if (!w->from_trained || !strstr(line, "(this run will not see it)"))
            lg_sb_printf(notes, "%.*s\n", (int)(nl - line), line);
    lg_sb_free(&said);
    if (bad) goto out;
    if (w->from_trained && !(w->scenario = strdup(pol.scenario))) {
        snprintf(err, errsz, "out of memory");
        goto out;
    }
    rc = 0;
out:
    lga_policy_free(&pol);
    return rc;
}

int lgx_eval_start_world(void *ctx, int agent, int seed, lg_env *train, char *err, size_t errsz)
{
    (void)agent;
    const lgx_eval_worlds *w = ctx;
    if (!w->from_trained) return 0;
    char path[4300];
    lga_policy_path(w->policy, seed, path, sizeof path);
    lga_policy pol;
    if (lga_policy_read(path, &pol, err, errsz)) return -1;
    int rc = -1;
    char e[1024];
    size_t want = lg_env_state_size(train);
    if (strcmp(pol.scenario, w->scenario))
        snprintf(err, errsz, "%s: manifest.scenario: expected the scenario of the first kept seed, found another: the "
                             "folder mixes runs", path);
    else if (pol.world_len != want)
        snprintf(err, errsz, "%s: world state: expected %zu bytes (the trained world), found %zu", path, want,
                 pol.world_len);
    else if (lg_env_state_load(train, pol.world, pol.world_len, e, sizeof e))
        snprintf(err, errsz, "%s: world state: %s", path, e);
    else rc = 0;
    lga_policy_free(&pol);
    return rc;
}
