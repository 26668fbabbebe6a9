/* Claims (lgx_claims.h): reading them from a scenario file, writing them
 * back, and measuring them on a run. */
#include "lgx_claims.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lgx_events.h"
#include "lgx_experiment.h"
#include "lgx_run.h"

const char *const lgx_classic_metric_names[LGX_CM_COUNT] = {"reward", "reward_last_10pct", "optimal_last_10pct"};
const char *const lgx_verdict_names[3] = {"holds", "fails", "inconclusive"};

static const char *const K_CLAIM[] = {"text", "agent", "metric", "window", "than", "by", "lower", NULL};
static const char *const K_THAN[] = {"agent", "window", "value", NULL};

void lgx_window_text(const lgx_window *w, char *buf, size_t n)
{
    if (w->kind == LGX_W_FINAL) snprintf(buf, n, "final");
    else if (w->kind == LGX_W_ONLINE) snprintf(buf, n, "online");
    else if (w->event >= 0) snprintf(buf, n, "%s events[%d]", lgx_phase_names[w->phase], w->event);
    else snprintf(buf, n, "%s %s", lgx_phase_names[w->phase], lg_event_type_name((lg_event_type)w->type));
}

/* "final", "online", or "PHASE TYPE" / "PHASE events[I]" of an event the
 * scenario has. */
static int read_window(lg_jctx *c, const cJSON *it, const lg_scenario *sc, lgx_window *w)
{
    char text[64];
    if (lg_jval_string(c, it, text, sizeof text, 1)) return -1;
    memset(w, 0, sizeof *w);
    if (!strcmp(text, "final")) return 0;
    if (!strcmp(text, "online")) return w->kind = LGX_W_ONLINE, 0;
    const char *sp = strchr(text, ' ');
    int ph = -1;
    for (int p = 0; sp && p < LGX_N_PHASES; p++)
        if ((size_t)(sp - text) == strlen(lgx_phase_names[p]) && !strncmp(text, lgx_phase_names[p], (size_t)(sp - text)))
            ph = p;
    if (ph < 0)
        return lg_jfail(c, "expected \"final\", \"online\" or \"before|during|after EVENT\", found \"%s\"", text);
    w->kind = LGX_W_EVENTS, w->phase = ph, w->event = -1;
    const char *what = sp + 1;
    if (!strncmp(what, "events[", 7)) {
        char *end;
        long idx = strtol(what + 7, &end, 10);
        if (end == what + 7 || strcmp(end, "]"))
            return lg_jfail(c, "expected events[I] with a whole number I, found \"%s\"", what);
        if (sc->n_events == 0) return lg_jfail(c, "expected an event of this scenario, found \"%s\" (it has none)", what);
        if (idx < 0 || idx >= sc->n_events)
            return lg_jfail(c, "expected events[0] to events[%d] of this scenario, found \"%s\"", sc->n_events - 1,
                            what);
        w->event = (int)idx;
        return 0;
    }
    for (int t = 0; t < LG_EV_COUNT; t++)
        if (!strcmp(what, lg_event_type_name((lg_event_type)t))) w->type = t, w->event = -2;
    if (w->event != -2)
        return lg_jfail(c, "expected an event type (spike, trend_shift, off_air, new_channel, bot_wave, "
                           "interest_shift) or events[I] after \"%s\", found \"%s\"",
                        lgx_phase_names[ph], what);
    w->event = -1;
    for (int e = 0; e < sc->n_events; e++)
        if ((int)sc->events[e].type == w->type) return 0;
    return lg_jfail(c, "expected a type of event this scenario has, found \"%s\" (it has no %s event)", what, what);
}

static int agent_index(const lgx_experiment *ex, const char *label)
{
    for (int a = 0; a < ex->n_agents; a++)
        if (!strcmp(ex->agents[a].label, label)) return a;
    return -1;
}

static int read_label(lg_jctx *c, const cJSON *it, const lgx_experiment *ex, char *out)
{
    if (lg_jval_string(c, it, out, LGX_AGENT_LABEL_LEN, 1)) return -1;
    if (agent_index(ex, out) >= 0) return 0;
    return lg_jfail(c, "expected the label of one of the experiment's agents, found \"%s\"", out);
}

static int read_metric(lg_jctx *c, const cJSON *it, const lg_scenario *sc, const lgx_window *w, int *out)
{
    char name[64];
    if (lg_jval_string(c, it, name, sizeof name, 1)) return -1;
    if (sc->kind != LG_KIND_LIVE) {
        for (int m = 0; m < LGX_CM_COUNT; m++)
            if (!strcmp(name, lgx_classic_metric_names[m])) return *out = m, 0;
        return lg_jfail(c, "expected reward, reward_last_10pct or optimal_last_10pct (a classic env), found \"%s\"",
                        name);
    }
    int m = lgx_event_figure(name);
    if (m < 0) return lg_jfail(c, "expected a metric of docs/results.md, found \"%s\"", name);
    if (m >= LGX_M_COUNT && w->kind != LGX_W_EVENTS)
        return lg_jfail(c, "expected a metric of the evaluations (%s is measured in event windows), found \"%s\"",
                        name, name);
    if (m >= LGX_M_RETENTION && m < LGX_M_COUNT && !lgx_metric_in(m, sc))
        return lg_jfail(c, "expected a metric of this world (%s needs population.retention.enabled), found \"%s\"",
                        name, name);
    if (m >= LGX_M_RETENTION && m < LGX_M_COUNT && w->kind != LGX_W_FINAL)
        return lg_jfail(c, "expected the final evaluation's window for %s (measured over the evaluation's days), "
                        "found another window", name);
    return *out = m, 0;
}

static int read_claim(lg_jctx *c, const cJSON *o, const lg_scenario *sc, const lgx_experiment *ex, lgx_claim *cl)
{
    memset(cl, 0, sizeof *cl);
    if (lg_jexpect_object(c, o, K_CLAIM)) return -1;
    static const char *const required[] = {"text", "agent", "metric", "than"};
    for (int i = 0; i < 4; i++)
        if (!lg_jmember(o, required[i])) {
            lg_jpush_key(c, required[i]);
            return lg_jfail_type(c, NULL, i == 3 ? "an object with the other side's agent and/or window, or a value" : "a string");
        }
    size_t at;
    if (lg_jget_string(c, o, "text", cl->text, sizeof cl->text, 1)) return -1;
    at = lg_jpush_key(c, "agent");
    if (read_label(c, lg_jmember(o, "agent"), ex, cl->agent)) return -1;
    lg_jpop(c, at);
    if (lg_jmember(o, "window")) {
        at = lg_jpush_key(c, "window");
        if (read_window(c, lg_jmember(o, "window"), sc, &cl->window)) return -1;
        lg_jpop(c, at);
    }
    if (sc->kind != LG_KIND_LIVE && cl->window.kind != LGX_W_FINAL)
        return lg_jpush_key(c, "window"), lg_jfail(c, "expected \"final\" (a classic env's run is its window)");
    at = lg_jpush_key(c, "metric");
    if (read_metric(c, lg_jmember(o, "metric"), sc, &cl->window, &cl->metric)) return -1;
    lg_jpop(c, at);
    const cJSON *than = lg_jmember(o, "than");
    at = lg_jpush_key(c, "than");
    if (lg_jexpect_object(c, than, K_THAN)) return -1;
    memcpy(cl->than_agent, cl->agent, sizeof cl->agent);
    cl->than_window = cl->window;
    if (lg_jmember(than, "value")) {
        if (lg_jmember(than, "agent") || lg_jmember(than, "window"))
            return lg_jpush_key(c, "value"), lg_jfail(c, "expected either a value or an agent and/or window, found both");
        if (lg_jget_float_range(c, than, "value", -1e9, 1e9, &cl->value)) return -1;
        cl->against_value = 1;
        lg_jpop(c, at);
        return lg_jget_float_range(c, o, "by", -1e9, 1e9, &cl->by) || lg_jget_bool(c, o, "lower", &cl->lower) ? -1 : 0;
    }
    if (lg_jmember(than, "agent")) {
        size_t a2 = lg_jpush_key(c, "agent");
        if (read_label(c, lg_jmember(than, "agent"), ex, cl->than_agent)) return -1;
        lg_jpop(c, a2);
    }
    if (lg_jmember(than, "window")) {
        size_t a2 = lg_jpush_key(c, "window");
        if (read_window(c, lg_jmember(than, "window"), sc, &cl->than_window)) return -1;
        lg_jpop(c, a2);
    }
    if (!strcmp(cl->agent, cl->than_agent) && !memcmp(&cl->window, &cl->than_window, sizeof cl->window))
        return lg_jfail(c, "expected another agent or another window than the claim's own, found the same");
    if (cl->metric >= LGX_M_COUNT && cl->than_window.kind != LGX_W_EVENTS)
        return lg_jfail(c, "expected an event window on this side too (%s is measured in event windows)",
                        lgx_event_figure_name(cl->metric));
    if (cl->metric >= LGX_M_RETENTION && cl->metric < LGX_M_COUNT && cl->than_window.kind != LGX_W_FINAL)
        return lg_jfail(c, "expected the final evaluation's window on this side too (%s is measured over the "
                        "evaluation's days)", lgx_metric_names[cl->metric]);
    lg_jpop(c, at);
    return lg_jget_float_range(c, o, "by", -1e9, 1e9, &cl->by) || lg_jget_bool(c, o, "lower", &cl->lower) ? -1 : 0;
}

int lgx_claims_read(lg_jctx *c, const cJSON *arr, const lg_scenario *sc, lgx_experiment *ex)
{
    size_t at = lg_jpush_key(c, "claims");
    int n;
    if (lg_jexpect_array(c, arr, 0, LGX_MAX_CLAIMS, "claims", &n)) return -1;
    ex->n_claims = n;
    int i = 0;
    for (const cJSON *o = arr->child; o; o = o->next, i++) {
        size_t s = lg_jpush_idx(c, i);
        if (read_claim(c, o, sc, ex, &ex->claims[i])) return -1;
        lg_jpop(c, s);
    }
    lg_jpop(c, at);
    return 0;
}

void lgx_claims_dump(lg_jbuild *b, cJSON *root, const lg_scenario *sc, const lgx_experiment *ex)
{
    cJSON *arr = NULL;
    for (int i = 0; i < ex->n_claims && i < LGX_MAX_CLAIMS; i++) {
        const lgx_claim *cl = &ex->claims[i];
        if (agent_index(ex, cl->agent) < 0 || agent_index(ex, cl->than_agent) < 0) continue;
        if (!arr) arr = lg_jadd_arr(b, root, "claims");
        char w[64];
        cJSON *o = lg_jadd_obj(b, arr, NULL);
        lg_jadd_str(b, o, "text", cl->text, sizeof cl->text);
        lg_jadd_str(b, o, "agent", cl->agent, sizeof cl->agent);
        lg_jadd_str(b, o, "metric", sc->kind != LG_KIND_LIVE ? lgx_classic_metric_names[cl->metric] : lgx_event_figure_name(cl->metric),
                    64);
        lgx_window_text(&cl->window, w, sizeof w);
        lg_jadd_str(b, o, "window", w, sizeof w);
        cJSON *than = lg_jadd_obj(b, o, "than");
        if (cl->against_value) {
            lg_jadd_float(b, than, "value", cl->value);
        } else {
            lg_jadd_str(b, than, "agent", cl->than_agent, sizeof cl->than_agent);
            lgx_window_text(&cl->than_window, w, sizeof w);
            lg_jadd_str(b, than, "window", w, sizeof w);
        }
        lg_jadd_float(b, o, "by", cl->by);
        lg_jadd_bool(b, o, "lower", cl->lower);
    }
}

/* ---- measuring ---- */

/* One side's value on run s of agent a (NAN when there is none). */
static double live_value(const lgx_run_config *cfg, const lgx_job *j, const lgx_window *w, int metric)
{
    const lg_scenario *sc = cfg->sc;
    if (w->kind == LGX_W_FINAL) return j->n_points > 0 ? j->points[j->n_points - 1].m[metric] : NAN;
    double f[LGX_E_COUNT];
    if (!j->timeline.block) return NAN;
    if (w->kind == LGX_W_ONLINE) {
        lgx_tally t;
        double *recs = malloc(sizeof(double) * (size_t)j->timeline.n_channels);
        if (!recs) return NAN;
        lgx_timeline_sum(&j->timeline, 0, INFINITY, &t, recs, NULL);
        lgx_metrics_from(&t, recs, j->timeline.n_channels, sc->slate_size, f);
        free(recs);
        return f[metric];
    }
    uint8_t which[LG_MAX_EVENTS] = {0};
    for (int e = 0; e < sc->n_events; e++)
        which[e] = w->event >= 0 ? e == w->event : (int)sc->events[e].type == w->type;
    lgx_event_figures(sc, &j->timeline, which, (lgx_phase)w->phase, lgx_trained_minutes(&cfg->ex, sc), f);
    return f[metric];
}

static double classic_value(const lgx_online_curve *oc, int run, int metric)
{
    const float *r = &oc->raw_reward[(size_t)run * oc->length];
    const uint8_t *o = &oc->raw_optimal[(size_t)run * oc->length];
    int tail = oc->length / 10 > 0 ? oc->length / 10 : 1, from = metric == LGX_CM_REWARD ? 0 : oc->length - tail;
    double sum = 0;
    for (int i = from; i < oc->length; i++) sum += metric == LGX_CM_OPTIMAL_LAST ? 100.0 * o[i] : r[i];
    return sum / (oc->length - from);
}

lgx_claim_result lgx_claim_check(const lgx_run_config *cfg, const lgx_run_result *res, int k)
{
    const lgx_claim *cl = &cfg->ex.claims[k];
    lgx_claim_result out;
    memset(&out, 0, sizeof out);
    out.verdict = LGX_INCONCLUSIVE;
    int a = agent_index(&cfg->ex, cl->agent), b = agent_index(&cfg->ex, cl->than_agent);
    if (a < 0 || b < 0) {
        snprintf(out.why, sizeof out.why, "agent \"%s\" is not in this run", a < 0 ? cl->agent : cl->than_agent);
        out.diff = lgx_stat_of(NULL, 0);
        return out;
    }
    double *d = malloc(sizeof(double) * (size_t)(res->seeds > 0 ? res->seeds : 1));
    int n = 0;
    for (int s = 0; s < res->seeds && d; s++) {
        const lgx_job *ja = &res->jobs[a * res->seeds + s], *jb = &res->jobs[b * res->seeds + s];
        if (!ja->done || !jb->done) continue;
        double l = res->online ? classic_value(&res->online[a], s, cl->metric)
                               : live_value(cfg, ja, &cl->window, cl->metric);
        double r = cl->against_value ? cl->value
                   : res->online   ? classic_value(&res->online[b], s, cl->metric)
                                   : live_value(cfg, jb, &cl->than_window, cl->metric);
        if (!isnan(l) && !isnan(r)) d[n++] = cl->lower ? r - l : l - r;
    }
    out.diff = lgx_stat_of(d, n);
    free(d);
    if (n < 2) snprintf(out.why, sizeof out.why, "%d seed(s) with data on both sides; a verdict needs 2", n);
    else if (out.diff.mean - out.diff.ci95 >= cl->by) out.verdict = LGX_HOLDS;
    else if (out.diff.mean + out.diff.ci95 < cl->by) out.verdict = LGX_FAILS;
    return out;
}
