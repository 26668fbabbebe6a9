/* Expanding an experiment agent's sweep into configurations (lgx_sweep.h).
 * The order is fixed by the file: a grid's first key varies slowest; a
 * random search draws sample k from its own stream of the sweep's seed, so
 * adding samples keeps the earlier ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_rng.h"
#include "lg_sbuf.h"
#include "lga_params.h"
#include "lgx_sweep.h"

#define MAX_AXES 8
#define SWEEP_PURPOSE 0x53574545500000ULL /* "SWEEP": a random search's streams */

typedef struct {
    const char *key;
    const lga_param *row;
    const cJSON *values; /* a list; NULL: the range lo..hi */
    int n;
    double lo, hi;
    int log;
} axis;

static const char *const K_SWEEP[] = {"grid", "random", "samples", "seed", NULL};
static const char *const K_RANGE[] = {"min", "max", "log", NULL};

static int unknown_key(lg_jctx *c, const char *agent, const lga_param *table, const char *key)
{
    lg_sbuf allowed = {0};
    lga_params_keys(table, &allowed);
    int rc = lg_jfail(c, "expected a hyperparameter of %s (%s), found \"%s\"", agent,
                      allowed.p && !allowed.oom ? allowed.p : "none", key);
    lg_sb_free(&allowed);
    return rc;
}

/* One end of a range: a number within the hyperparameter's own range. */
static int range_end(lg_jctx *c, const cJSON *o, const char *end, const char *agent, const lga_param *row,
                     double *out)
{
    size_t s = lg_jpush_key(c, end);
    const cJSON *v = lg_jmember(o, end);
    char e[160];
    int whole = row->kind == LGA_INT;
    snprintf(e, sizeof e, "%s in [%g, %g] (the range of %s's %s)", whole ? "an integer" : "a number", row->lo,
             row->hi, agent, row->key);
    if (!v || !cJSON_IsNumber(v) || !(v->valuedouble >= row->lo && v->valuedouble <= row->hi) ||
        (whole && v->valuedouble != floor(v->valuedouble)))
        return lg_jfail_type(c, v, e);
    *out = v->valuedouble;
    lg_jpop(c, s);
    return 0;
}

static int read_range(lg_jctx *c, const cJSON *o, const char *agent, axis *ax)
{
    if (ax->row->kind != LGA_FLOAT && ax->row->kind != LGA_INT)
        return lg_jfail_type(c, o, "an array of values (a range needs a number hyperparameter)");
    if (lg_jexpect_object(c, o, K_RANGE) || range_end(c, o, "min", agent, ax->row, &ax->lo) ||
        range_end(c, o, "max", agent, ax->row, &ax->hi) || lg_jget_bool(c, o, "log", &ax->log))
        return -1;
    if (ax->lo > ax->hi) return lg_jfail(c, "expected min <= max, found min %g > max %g", ax->lo, ax->hi);
    if (ax->log && !(ax->lo > 0)) return lg_jfail(c, "expected min > 0 for a log-uniform range, found %g", ax->lo);
    return 0;
}

/* The swept keys of a grid (lists) or a random search (lists or ranges). */
static int read_axes(lg_jctx *c, const cJSON *o, const lgx_agent_spec *base, const lga_param *table, int random,
                     axis *ax, int *n_axes)
{
    if (lg_jexpect_object(c, o, NULL)) return -1;
    cJSON *params = cJSON_Parse(base->params);
    int n = 0, rc = 0;
    for (const cJSON *it = o->child; it && rc == 0; it = it->next) {
        size_t s = lg_jpush_key(c, it->string);
        if (n == MAX_AXES) {
            rc = lg_jfail(c, "expected at most %d swept hyperparameters, found more", MAX_AXES);
            break;
        } else if (!(ax[n].row = lga_param_find(table, it->string))) {
            rc = unknown_key(c, base->name, table, it->string);
        } else if (cJSON_GetObjectItemCaseSensitive(params, it->string)) {
            rc = lg_jfail(c, "expected %s either swept or in params, found it in both", it->string);
        } else if (cJSON_IsArray(it) || !random) {
            rc = lg_jexpect_array(c, it, 1, LGX_MAX_AGENTS, "values", &ax[n].n);
            ax[n].values = it;
        } else {
            rc = read_range(c, it, base->name, &ax[n]);
        }
        ax[n].key = it->string;
        lg_jpop(c, s);
        n++;
    }
    cJSON_Delete(params);
    if (rc == 0 && n == 0) rc = lg_jfail(c, "expected at least one hyperparameter to sweep, found none");
    *n_axes = n;
    return rc;
}

/* A draw from a range: log-uniform or uniform, then as a file would state
 * it: an integer, or 3 significant digits (kept within the range). */
static double draw(lg_stream *s, const axis *ax)
{
    double u = lg_stream_u01(s);
    double x = ax->log ? exp(log(ax->lo) + u * (log(ax->hi) - log(ax->lo))) : ax->lo + u * (ax->hi - ax->lo);
    if (ax->row->kind == LGA_INT) {
        x = floor(x + 0.5);
    } else {
        char b[32];
        snprintf(b, sizeof b, "%.3g", x);
        x = strtod(b, NULL);
    }
    return x < ax->lo ? ax->lo : x > ax->hi ? ax->hi : x;
}

/* Label text of a value: strings bare, everything else as compact JSON
 * with ';' for ',' (labels are CSV fields and --agents lists: no commas). */
static void put_value(lg_sbuf *b, const cJSON *v)
{
    size_t at = b->len;
    if (cJSON_IsString(v))
        lg_sb_printf(b, "%s", v->valuestring);
    else
        lg_json_put_compact(b, v, 0);
    for (size_t i = at; i < b->len && b->p; i++)
        if (b->p[i] == ',') b->p[i] = ';';
}

/* Configuration k: base with each axis at its value, and its label. */
static int make_config(lg_jctx *c, const lgx_agent_spec *base, const axis *ax, int n_axes, int random,
                       uint64_t seed, int k, lgx_agent_spec *out)
{
    cJSON *p = cJSON_Parse(base->params);
    if (!p) return lg_jfail(c, "out of memory");
    lg_sbuf label = {0}, text = {0};
    lg_sb_printf(&label, "%s", base->label);
    if (random) lg_sb_printf(&label, "#%d", k + 1);
    lg_stream s = lg_stream_make(seed, SWEEP_PURPOSE, (uint64_t)k);
    int stride = 1;
    for (int a = n_axes - 1; a >= 0; a--) stride *= random ? 1 : ax[a].n;
    for (int a = 0; a < n_axes; a++) {
        cJSON *v;
        if (!random) {
            stride /= ax[a].n;
            v = cJSON_Duplicate(cJSON_GetArrayItem(ax[a].values, (k / stride) % ax[a].n), 1);
        } else if (ax[a].values) {
            v = cJSON_Duplicate(cJSON_GetArrayItem(ax[a].values, (int)lg_stream_below(&s, (uint32_t)ax[a].n)), 1);
        } else {
            v = cJSON_CreateNumber(draw(&s, &ax[a]));
        }
        cJSON_AddItemToObject(p, ax[a].key, v);
        lg_sb_printf(&label, " %s=", ax[a].key);
        put_value(&label, v);
    }
    lg_json_put_compact(&text, p, 0);
    cJSON_Delete(p);
    int rc = 0;
    if (label.oom || text.oom) {
        rc = lg_jfail(c, "out of memory");
    } else if (label.len >= LGX_AGENT_LABEL_LEN) {
        rc = lg_jfail(c, "expected labels of at most %d bytes, found \"%s\" (%zu bytes); give the agent a shorter "
                         "\"label\"",
                      LGX_AGENT_LABEL_LEN - 1, label.p, label.len);
    } else if (text.len >= LGX_AGENT_PARAMS_LEN) {
        rc = lg_jfail(c, "expected hyperparameters of at most %d bytes as compact JSON, found %zu bytes",
                      LGX_AGENT_PARAMS_LEN - 1, text.len);
    } else {
        *out = *base;
        out->swept = 1;
        memset(out->label, 0, sizeof out->label);
        memset(out->params, 0, sizeof out->params);
        memcpy(out->label, label.p, label.len);
        memcpy(out->params, text.p, text.len);
    }
    free(label.p), free(text.p);
    return rc;
}

static int count_grid(lg_jctx *c, const axis *ax, int n_axes, int room, int *count)
{
    long long n = 1;
    for (int a = 0; a < n_axes; a++) {
        n *= ax[a].n;
        if (n > room) break;
    }
    if (n > room) {
        char shape[160] = "";
        for (int a = 0; a < n_axes; a++) {
            size_t len = strlen(shape);
            snprintf(shape + len, sizeof shape - len, "%s%d", a ? " x " : "", ax[a].n);
        }
        return lg_jfail(c, "expected at most %d agent configurations in all (experiment.agents), found a grid of %s "
                           "with room for %d",
                        LGX_MAX_AGENTS, shape, room);
    }
    *count = (int)n;
    return 0;
}

int lgx_sweep_expand(lg_jctx *c, const cJSON *sweep, const lgx_agent_spec *base, lgx_agent_spec *out, int room)
{
    size_t at = lg_jpush_key(c, "sweep");
    if (lg_jexpect_object(c, sweep, K_SWEEP)) return -1;
    const cJSON *grid = lg_jmember(sweep, "grid"), *rnd = lg_jmember(sweep, "random");
    if (!grid == !rnd)
        return lg_jfail(c, "expected either \"grid\" or \"random\", found %s", grid ? "both" : "neither");
    const lga_agent_type *t = lga_find(base->name);
    if (!t) return lg_jfail(c, "expected a sweep of a registered agent (livegym agents), found \"%s\"", base->name);
    axis ax[MAX_AXES];
    memset(ax, 0, sizeof ax);
    int n_axes = 0, count = 0;
    uint64_t seed = 1;
    size_t s = lg_jpush_key(c, grid ? "grid" : "random");
    if (read_axes(c, grid ? grid : rnd, base, t->params, rnd != NULL, ax, &n_axes)) return -1;
    lg_jpop(c, s);
    if (grid) {
        const char *extra = lg_jmember(sweep, "samples") ? "samples" : lg_jmember(sweep, "seed") ? "seed" : NULL;
        if (extra) {
            lg_jpush_key(c, extra);
            return lg_jfail(c, "expected %s only in a random sweep, found it with a grid", extra);
        }
        if (count_grid(c, ax, n_axes, room, &count)) return -1;
    } else {
        if (!lg_jmember(sweep, "samples")) {
            lg_jpush_key(c, "samples");
            return lg_jfail(c, "expected the number of samples of a random sweep, found none");
        }
        if (lg_jget_int(c, sweep, "samples", 1, LGX_MAX_AGENTS, &count) || lg_jget_u64(c, sweep, "seed", &seed))
            return -1;
        if (count > room) {
            lg_jpush_key(c, "samples");
            return lg_jfail(c, "expected at most %d agent configurations in all (experiment.agents), found %d samples "
                               "with room for %d",
                            LGX_MAX_AGENTS, count, room);
        }
    }
    for (int k = 0; k < count; k++)
        if (make_config(c, base, ax, n_axes, rnd != NULL, seed, k, &out[k])) return -1;
    lg_jpop(c, at);
    return count;
}
