/* The experiment section of a scenario file (docs/scenarios.md): which
 * agents `livegym run` trains and compares, and how. Read after the world
 * keys of the same document and dumped after them. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_scenario_json.h"
#include "lga_agent.h"
#include "lgx_experiment.h"
#include "lgx_sweep.h"

static const char *const K_EXPERIMENT[] = {"agents",        "seeds",         "train_steps",        "train_minutes",
                                           "eval_every",    "eval_every_minutes", "eval_sessions", "slots",
                                           "baseline",      "episodes",      "keep_agents",   "eval_days", NULL};
static const char *const K_AGENT[] = {"name", "label", "params", "sweep", NULL};

/* experiment.agents[i] as one configuration (its sweep aside). */
static int load_agent(lg_jctx *c, const cJSON *o, lgx_agent_spec *a, int i)
{
    memset(a, 0, sizeof *a);
    a->entry = i;
    if (lg_jexpect_object(c, o, K_AGENT)) return -1;
    const cJSON *nm = lg_jmember(o, "name");
    size_t s = lg_jpush_key(c, "name");
    if (!nm) return lg_jfail_type(c, NULL, "an agent name (such as \"random\" or \"dqn\")");
    if (lg_jval_string(c, nm, a->name, sizeof a->name, 1)) return -1;
    lg_jpop(c, s);
    memcpy(a->label, a->name, sizeof a->name);
    if (lg_jget_string(c, o, "label", a->label, sizeof a->label, 1)) return -1;
    const cJSON *p = lg_jmember(o, "params");
    if (!p) {
        memcpy(a->params, "{}", 3);
        return 0;
    }
    s = lg_jpush_key(c, "params");
    if (!cJSON_IsObject(p)) return lg_jfail_type(c, p, "an object of hyperparameters");
    lg_sbuf b = {0};
    lg_json_put_compact(&b, p, 0);
    if (b.oom) {
        free(b.p);
        return lg_jfail(c, "out of memory");
    }
    if (b.len >= sizeof a->params) {
        size_t len = b.len;
        free(b.p);
        return lg_jfail(c, "expected hyperparameters of at most %zu bytes as compact JSON, found %zu bytes",
                     sizeof a->params - 1, len);
    }
    memcpy(a->params, b.p, b.len);
    free(b.p);
    lg_jpop(c, s);
    return 0;
}

/* A budget is stated in slot-steps or in simulated minutes, not both. */
static int either(lg_jctx *c, const cJSON *o, const char *steps, const char *minutes)
{
    if (!lg_jmember(o, steps) || !lg_jmember(o, minutes)) return 0;
    lg_jpush_key(c, minutes);
    return lg_jfail(c, "expected either %s or %s, found both", steps, minutes);
}

/* The default baseline: "random" if there is such an agent, else the first. */
static void default_baseline(lgx_experiment *ex)
{
    int has_random = 0;
    for (int k = 0; k < ex->n_agents; k++)
        if (!strcmp(ex->agents[k].label, "random")) has_random = 1;
    memset(ex->baseline, 0, sizeof ex->baseline);
    snprintf(ex->baseline, sizeof ex->baseline, "%s", has_random ? "random" : ex->agents[0].label);
}

/* A label met again: the path of the entry that made the later one. */
/* The place in the file a configuration's label comes from: its entry's
 * sweep, label or name. */
static void push_label_place(lg_jctx *c, const cJSON *ag, const lgx_agent_spec *a)
{
    const cJSON *o = cJSON_GetArrayItem(ag, a->entry);
    lg_jpush_idx(c, a->entry);
    lg_jpush_key(c, a->swept ? "sweep" : lg_jmember(o, "label") ? "label" : "name");
}

static int duplicate_label(lg_jctx *c, const cJSON *ag, const lgx_experiment *ex, int later, int first)
{
    const lgx_agent_spec *a = &ex->agents[later];
    push_label_place(c, ag, a);
    if (a->swept && ex->agents[first].swept && ex->agents[first].entry == a->entry)
        return lg_jfail(c, "expected distinct values, found configuration \"%s\" twice", a->label);
    return lg_jfail(c, "expected a unique agent label, found \"%s\" again (experiment.agents[%d]); give one of them a "
                       "\"label\"",
                    a->label, ex->agents[first].entry);
}

int lgx_label_ok(const char *label)
{
    const unsigned char *p = (const unsigned char *)label;
    while (*p && *p != ',' && *p != '"' && *p >= 0x20 && *p != 0x7f) p++;
    return !*p;
}

static int bad_label(lg_jctx *c, const cJSON *ag, const lgx_agent_spec *a)
{
    if (lgx_label_ok(a->label)) return 0;
    push_label_place(c, ag, a);
    char q[4 * LGX_AGENT_LABEL_LEN + 8];
    lg_jquote(a->label, q, sizeof q, LGX_AGENT_LABEL_LEN);
    return lg_jfail(c, "expected a label without commas, quotes or control characters (the CSV files and --agents "
                       "separate by commas), found %s",
                    q);
}

/* The listed agents, each one configuration or a sweep's many. */
static int read_agents(lg_jctx *c, const cJSON *ag, lgx_experiment *ex)
{
    size_t s = lg_jpush_key(c, "agents");
    int n;
    if (lg_jexpect_array(c, ag, 1, LGX_MAX_AGENTS, "agents", &n)) return -1;
    memset(ex->agents, 0, sizeof ex->agents);
    ex->n_agents = 0;
    int i = 0;
    for (const cJSON *a = ag->child; a; a = a->next, i++) {
        size_t s2 = lg_jpush_idx(c, i);
        lgx_agent_spec base;
        if (load_agent(c, a, &base, i)) return -1;
        const cJSON *sw = lg_jmember(a, "sweep");
        if (sw) {
            int got = lgx_sweep_expand(c, sw, &base, &ex->agents[ex->n_agents], LGX_MAX_AGENTS - ex->n_agents);
            if (got < 0) return -1;
            ex->n_agents += got;
        } else if (ex->n_agents == LGX_MAX_AGENTS) {
            return lg_jfail(c, "expected at most %d agent configurations in all, found more", LGX_MAX_AGENTS);
        } else {
            ex->agents[ex->n_agents++] = base;
        }
        lg_jpop(c, s2);
    }
    for (int k = 0; k < ex->n_agents; k++)
        if (bad_label(c, ag, &ex->agents[k])) return -1;
    for (int k = 1; k < ex->n_agents; k++)
        for (int j = 0; j < k; j++)
            if (!strcmp(ex->agents[j].label, ex->agents[k].label)) return duplicate_label(c, ag, ex, k, j);
    lg_jpop(c, s);
    default_baseline(ex);
    return 0;
}

static int read_experiment(lg_jctx *c, const cJSON *o, lgx_experiment *ex, const lg_scenario *sc)
{
    size_t at = lg_jpush_key(c, "experiment");
    if (lg_jexpect_object(c, o, K_EXPERIMENT)) return -1;
    const cJSON *ag = lg_jmember(o, "agents");
    if (ag && read_agents(c, ag, ex)) return -1;
    if (lg_jget_int(c, o, "seeds", 1, 100000, &ex->seeds) || lg_jget_int(c, o, "train_steps", 0, INT_MAX, &ex->train_steps) ||
        lg_jget_int(c, o, "eval_every", 1, INT_MAX, &ex->eval_every) ||
        lg_jget_float_range(c, o, "train_minutes", 0, 1e8, &ex->train_minutes) ||
        lg_jget_float_range(c, o, "eval_every_minutes", 1e-3, 1e8, &ex->eval_every_minutes) ||
        either(c, o, "train_steps", "train_minutes") || either(c, o, "eval_every", "eval_every_minutes") ||
        lg_jget_int(c, o, "eval_sessions", 1, 1000000, &ex->eval_sessions) ||
        lg_jget_float_range(c, o, "eval_days", 0, 3650, &ex->eval_days) ||
        lg_jget_int(c, o, "slots", 1, 65536, &ex->slots) || lg_jget_int(c, o, "episodes", 1, 10000000, &ex->episodes) ||
        lg_jget_string(c, o, "baseline", ex->baseline, sizeof ex->baseline, 1) ||
        lg_jget_bool(c, o, "keep_agents", &ex->keep_agents))
        return -1;
    if (ex->eval_days > 0 && !(sc->kind == LG_KIND_LIVE && sc->retention.enabled)) {
        size_t s = lg_jpush_key(c, "eval_days");
        int r = lg_jfail(c, "expected 0 without population.retention.enabled (evaluations count sessions), found %g",
                         (double)ex->eval_days);
        lg_jpop(c, s);
        return r;
    }
    if (ex->keep_agents && sc->kind != LG_KIND_LIVE) {
        size_t s = lg_jpush_key(c, "keep_agents");
        int r = lg_jfail(c, "expected false in a %s world: only the live protocol keeps its trained agents",
                         lg_env_kind_name(sc->kind));
        lg_jpop(c, s);
        return r;
    }
    if (lg_jmember(o, "slots") && ex->slots > sc->n_viewers) { /* a default too large is fitted by load() */
        size_t s = lg_jpush_key(c, "slots");
        int r = lg_jfail(c, "expected at most population.viewers (%d) slots, found %d", sc->n_viewers, ex->slots);
        lg_jpop(c, s);
        return r;
    }
    int found = 0;
    for (int k = 0; k < ex->n_agents; k++)
        if (!strcmp(ex->agents[k].label, ex->baseline)) found = 1;
    if (!found) {
        char list[8 * (LGX_AGENT_LABEL_LEN + 4) + 16] = "";
        size_t len = 0;
        for (int k = 0; k < ex->n_agents; k++) {
            int w = k == 8 ? snprintf(list + len, sizeof list - len, ", ...")
                           : snprintf(list + len, sizeof list - len, "%s\"%s\"", k ? ", " : "", ex->agents[k].label);
            if (k == 8) break;
            if (w < 0 || (size_t)w >= sizeof list - len) break;
            len += (size_t)w;
        }
        size_t s = lg_jpush_key(c, "baseline");
        int r = lg_jfail(c, "expected the label of one of the agents (%s), found \"%s\"", list, ex->baseline);
        lg_jpop(c, s);
        return r;
    }
    lg_jpop(c, at);
    lgx_resolve_budget(ex, sc);
    return 0;
}

void lgx_resolve_budget(lgx_experiment *ex, const lg_scenario *sc)
{
    if (sc->kind != LG_KIND_LIVE) return;
    if (ex->train_minutes > 0) {
        long steps = (long)ceil(ex->train_minutes / sc->dt) * ex->slots;
        ex->train_steps = steps > INT_MAX ? INT_MAX : (int)steps;
    }
    if (ex->eval_every_minutes > 0) {
        long every = (long)ceil(ex->eval_every_minutes / sc->dt) * ex->slots;
        ex->eval_every = every > INT_MAX ? INT_MAX : (int)every;
    }
}

double lgx_trained_minutes(const lgx_experiment *ex, const lg_scenario *sc)
{
    long env_steps = ((long)ex->train_steps + ex->slots - 1) / ex->slots;
    return (double)env_steps * sc->dt;
}

int lgx_check_reach(const lg_scenario *sc, const lgx_experiment *ex, char *err, size_t errsz)
{
    if (sc->kind != LG_KIND_LIVE) return 0;
    double covered = lgx_trained_minutes(ex, sc);
    for (int e = 0; e < sc->n_events; e++) {
        if (sc->events[e].time <= covered) continue;
        snprintf(err, errsz,
                 "events[%d].time: expected a time the experiment's training reaches (%.0f minutes: %d slot-steps "
                 "over %d slots of %g minutes), found %g; set experiment.train_minutes to at least %g",
                 e, covered, ex->train_steps, ex->slots, (double)sc->dt, (double)sc->events[e].time,
                 (double)sc->events[e].time);
        return -1;
    }
    return 0;
}

void lgx_experiment_default(lgx_experiment *ex)
{
    static const char *const names[] = {"random", "popular", "oracle"};
    memset(ex, 0, sizeof *ex);
    ex->n_agents = 3;
    for (int i = 0; i < 3; i++) {
        ex->agents[i].entry = i;
        snprintf(ex->agents[i].name, sizeof ex->agents[i].name, "%s", names[i]);
        snprintf(ex->agents[i].label, sizeof ex->agents[i].label, "%s", names[i]);
        snprintf(ex->agents[i].params, sizeof ex->agents[i].params, "{}");
    }
    ex->seeds = 5;
    ex->train_steps = 20000;
    ex->eval_every = 5000;
    ex->eval_sessions = 200;
    ex->slots = 16;
    ex->episodes = 500;
    snprintf(ex->baseline, sizeof ex->baseline, "random");
}

static void build_experiment(lg_jbuild *bc, cJSON *root, const lgx_experiment *ex)
{
    cJSON *x = lg_jadd_obj(bc, root, "experiment");
    cJSON *ags = lg_jadd_arr(bc, x, "agents");
    int na = ex->n_agents < 0 ? 0 : ex->n_agents > LGX_MAX_AGENTS ? LGX_MAX_AGENTS : ex->n_agents;
    for (int i = 0; i < na; i++) {
        const lgx_agent_spec *a = &ex->agents[i];
        cJSON *ao = lg_jadd_obj(bc, ags, NULL);
        lg_jadd_str(bc, ao, "name", a->name, LG_NAME_LEN);
        lg_jadd_str(bc, ao, "label", a->label, LGX_AGENT_LABEL_LEN);
        size_t n = strnlen(a->params, sizeof a->params);
        cJSON *p = cJSON_ParseWithLength(a->params, n);
        if (p && cJSON_IsObject(p)) {
            lg_jadd(bc, ao, "params", p);
        } else {
            cJSON_Delete(p);
            lg_jadd_str(bc, ao, "params", a->params, sizeof a->params);
        }
    }
    lg_jadd_int(bc, x, "seeds", ex->seeds);
    if (ex->train_minutes > 0)
        lg_jadd_float(bc, x, "train_minutes", ex->train_minutes);
    else
        lg_jadd_int(bc, x, "train_steps", ex->train_steps);
    if (ex->eval_every_minutes > 0)
        lg_jadd_float(bc, x, "eval_every_minutes", ex->eval_every_minutes);
    else
        lg_jadd_int(bc, x, "eval_every", ex->eval_every);
    lg_jadd_int(bc, x, "eval_sessions", ex->eval_sessions);
    if (ex->eval_days > 0) lg_jadd_float(bc, x, "eval_days", ex->eval_days); /* only when set, as keep_agents */
    lg_jadd_int(bc, x, "slots", ex->slots);
    lg_jadd_int(bc, x, "episodes", ex->episodes);
    lg_jadd_str(bc, x, "baseline", ex->baseline, LGX_AGENT_LABEL_LEN);
    if (ex->keep_agents) lg_jadd_bool(bc, x, "keep_agents", 1); /* only when set: earlier dumps stay as they were */
}

/* The default agents of a classic env (popular and the oracle need a
 * platform): random and two learners of the book's chapter. */
static void classic_agents(lgx_experiment *ex, lg_env_kind kind)
{
    static const char *const bandit[] = {"random", "epsilon-greedy", "ucb1"};
    static const char *const cliff[] = {"random", "q-learning", "sarsa"};
    memset(ex->agents, 0, sizeof ex->agents);
    ex->n_agents = 3;
    for (int i = 0; i < 3; i++) {
        const char *name = kind == LG_KIND_BANDIT ? bandit[i] : cliff[i];
        ex->agents[i].entry = i;
        snprintf(ex->agents[i].name, sizeof ex->agents[i].name, "%s", name);
        snprintf(ex->agents[i].label, sizeof ex->agents[i].label, "%s", name);
        snprintf(ex->agents[i].params, sizeof ex->agents[i].params, "{}");
    }
    default_baseline(ex);
}

/* Every agent of the experiment as the registry would create it for this
 * world (its name and hyperparameters against the env's shape): a file
 * that validates is one that runs. */
int lgx_check_agents(const lg_scenario *sc, const lgx_experiment *ex, int slots, int *which, char *err,
                     size_t errsz)
{
    *which = -1;
    lg_scenario *small = malloc(sizeof *small);
    if (!small) return snprintf(err, errsz, "out of memory"), -1;
    *small = *sc;
    int few = slots > small->n_segments ? slots : small->n_segments; /* at least one viewer per segment */
    if (small->kind == LG_KIND_LIVE && few < small->n_viewers) small->n_viewers = few;
    lg_env *env;
    int rc = lg_env_create(small, slots, 1, LG_LAYOUT_FLAT, &env, err, errsz);
    free(small);
    if (rc) return -1;
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    for (int a = 0; a < ex->n_agents && rc == 0; a++) {
        lga_agent *ag = lgx_spec_create(&ex->agents[a], &shape, 1, err, errsz);
        if (!ag) *which = a, rc = -1;
        lga_free(ag);
    }
    lg_env_free(env);
    return rc;
}

void lgx_agent_where(const lgx_experiment *ex, int a, char *buf, size_t n)
{
    if (ex->agents[a].swept)
        snprintf(buf, n, "experiment.agents[%d].sweep: configuration \"%s\"", ex->agents[a].entry, ex->agents[a].label);
    else
        snprintf(buf, n, "experiment.agents[%d]", ex->agents[a].entry);
}

static int check_agents(lg_jctx *c, const lg_scenario *sc, const lgx_experiment *ex)
{
    char e[768] = "";
    int which, slots = sc->kind == LG_KIND_LIVE && ex->slots <= sc->n_viewers ? ex->slots : 1;
    if (lgx_check_agents(sc, ex, slots, &which, e, sizeof e) == 0) return 0;
    if (which < 0) return lg_jfail(c, "%s", e);
    size_t at = lg_jpush_key(c, "experiment");
    lg_jpush_key(c, "agents");
    const lgx_agent_spec *a = &ex->agents[which];
    lg_jpush_idx(c, a->entry);
    int rc = a->swept ? (lg_jpush_key(c, "sweep"), lg_jfail(c, "configuration \"%s\": %s", a->label, e))
                                  : lg_jfail(c, "%s", e);
    lg_jpop(c, at);
    return rc;
}

/* Read root (taken) into copies of the defaults: world, then experiment, then
 * the world's checks, the order every message has always come in; claims
 * last, since they name the agents and the events. The
 * outputs change only on success. */
static int load(lg_jctx *c, cJSON *root, lg_scenario *sc, lgx_experiment *ex)
{
    if (!root) return -1;
    lg_scenario *tmp = malloc(sizeof *tmp);
    lgx_experiment *tex = malloc(sizeof *tex);
    int r = -1;
    if (!tmp || !tex) {
        lg_jfail_raw(c, "out of memory");
    } else {
        lg_scenario_default(tmp);
        lgx_experiment_default(tex);
        const cJSON *o = lg_jmember(root, "experiment"), *cl = lg_jmember(root, "claims");
        int ok = lg_scenario_read(c, root, tmp) == 0 && (!o || read_experiment(c, o, tex, tmp) == 0) &&
                 lg_scenario_check_json(c, tmp) == 0;
        if (ok && tmp->kind != LG_KIND_LIVE && !(o && lg_jmember(o, "agents"))) classic_agents(tex, tmp->kind);
        /* The default slots fit the world: a file with 5 viewers and no
         * slots runs with 5, as validate and dump say. */
        if (ok && !(o && lg_jmember(o, "slots")) && tex->slots > tmp->n_viewers) {
            tex->slots = tmp->n_viewers;
            lgx_resolve_budget(tex, tmp);
        }
        ok = ok && (!cl || lgx_claims_read(c, cl, tmp, tex) == 0) && check_agents(c, tmp, tex) == 0;
        if (ok) {
            memcpy(sc, tmp, sizeof *sc);
            if (ex) memcpy(ex, tex, sizeof *ex);
            r = 0;
        }
    }
    free(tmp);
    free(tex);
    cJSON_Delete(root);
    return r;
}

int lgx_load_string(const char *text, size_t len, const char *source_name, lg_scenario *sc, lgx_experiment *ex,
                    char *err, size_t errsz)
{
    lg_jctx c;
    return load(&c, lg_scenario_parse_string(&c, text, len, source_name, err, errsz), sc, ex);
}

int lgx_load_file(const char *path, lg_scenario *sc, lgx_experiment *ex, char *err, size_t errsz)
{
    lg_jctx c;
    return load(&c, lg_scenario_parse_file(&c, path, err, errsz), sc, ex);
}

int lgx_load_default(lg_scenario *sc, lgx_experiment *ex, char *err, size_t errsz)
{
    return lgx_load_string(lgx_embedded_default_scenario, lgx_embedded_default_scenario_len,
                           LGX_EMBEDDED_NAME, sc, ex, err, errsz);
}

char *lgx_scenario_to_json(const lg_scenario *sc, const lgx_experiment *ex)
{
    cJSON *root = lg_scenario_to_tree(sc);
    if (!root) return NULL;
    lg_jbuild bc = {1};
    if (ex) build_experiment(&bc, root, ex);
    if (ex) lgx_claims_dump(&bc, root, sc, ex);
    char *out = bc.ok ? lg_json_pretty(root) : NULL;
    cJSON_Delete(root);
    return out;
}

const lga_agent_type *lgx_spec_type(const lgx_agent_spec *spec)
{
    return spec->type ? spec->type : lga_find(spec->name);
}

lga_agent *lgx_spec_create(const lgx_agent_spec *spec, const lga_obs_batch *shape, uint64_t seed, char *err,
                           size_t errsz)
{
    if (spec->type) return lga_create_type(spec->type, spec->params, shape, seed, err, errsz);
    return lga_create(spec->name, spec->params, shape, seed, err, errsz);
}

int lgx_baseline_index(const lgx_experiment *ex)
{
    for (int a = 0; a < ex->n_agents; a++)
        if (!strcmp(ex->agents[a].label, ex->baseline)) return a;
    return -1;
}

static int select_agents(const lgx_experiment *ex, const char *list, int max, lgx_experiment *out, char *err,
                         size_t errsz)
{
    *out = *ex;
    out->n_agents = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= LGX_AGENT_LABEL_LEN) {
            snprintf(err, errsz, "expected comma-separated agent names or labels, found \"%s\"", list);
            return -1;
        }
        if (out->n_agents == max) {
            snprintf(err, errsz, "expected at most %d agents, found more in \"%s\"", max, list);
            return -1;
        }
        char want[LGX_AGENT_LABEL_LEN];
        memcpy(want, p, len);
        want[len] = '\0';
        lgx_agent_spec *sp = &out->agents[out->n_agents++];
        const lgx_agent_spec *from = NULL;
        for (int j = 0; j < ex->n_agents && !from; j++)
            if (!strcmp(ex->agents[j].label, want)) from = &ex->agents[j];
        for (int j = 0; j < ex->n_agents && !from; j++)
            if (!strcmp(ex->agents[j].name, want)) from = &ex->agents[j];
        if (from) {
            *sp = *from;
        } else if (len >= LG_NAME_LEN) {
            snprintf(err, errsz, "\"%s\" is neither an agent's label nor a registered agent's name", want);
            return -1;
        } else {
            memset(sp, 0, sizeof *sp);
            sp->entry = out->n_agents - 1;
            memcpy(sp->name, want, len + 1);
            memcpy(sp->label, want, len + 1);
            memcpy(sp->params, "{}", 3);
        }
        for (int j = 0; j < out->n_agents - 1; j++)
            if (!strcmp(out->agents[j].label, sp->label)) {
                snprintf(err, errsz, "\"%s\" is listed twice", sp->label);
                return -1;
            }
        p += len + (p[len] == ',');
    }
    if (out->n_agents > 0 && lgx_baseline_index(out) < 0) default_baseline(out);
    /* A claim about an agent left out cannot be measured: it goes too. */
    int kept = 0;
    for (int k = 0; k < out->n_claims; k++) {
        int a = 0, b = 0;
        for (int j = 0; j < out->n_agents; j++) {
            a |= !strcmp(out->agents[j].label, out->claims[k].agent);
            b |= !strcmp(out->agents[j].label, out->claims[k].than_agent);
        }
        if (a && b) out->claims[kept++] = out->claims[k];
    }
    out->n_claims = kept;
    return 0;
}

int lgx_select_agents(const lgx_experiment *in, const char *list, int max, lgx_experiment *out, char *err,
                      size_t errsz)
{
    lgx_experiment *ex = malloc(sizeof *ex); /* in and out may be the same */
    if (!ex) return snprintf(err, errsz, "out of memory"), -1;
    *ex = *in;
    int rc = select_agents(ex, list, max, out, err, errsz);
    free(ex);
    return rc;
}
