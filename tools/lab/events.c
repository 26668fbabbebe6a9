#include "lgx_events.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_file.h"
#include "lg_sbuf.h"
#include "lgx_experiment.h"

/* A scripted event in a few words. */
void lgx_event_text(const lg_scenario *sc, int e, char *buf, size_t n)
{
    const lg_event *ev = &sc->events[e];
    lg_channel_spec spec = {.name = "?"};
    if (ev->channel >= 0 && ev->channel < sc->n_channels) lg_scenario_channel(sc, ev->channel, &spec);
    const char *ch = spec.name;
    const char *cat = ev->category >= 0 && ev->category < sc->n_categories ? sc->category_names[ev->category] : "?";
    const char *seg = ev->segment >= 0 && ev->segment < sc->n_segments ? sc->segments[ev->segment].name : "?";
    char dur[48];
    if (ev->duration > 0)
        snprintf(dur, sizeof dur, "for %.0f min", ev->duration);
    else
        snprintf(dur, sizeof dur, "for the rest of the run");
    switch (ev->type) {
    case LG_EV_SPIKE: snprintf(buf, n, "spike: %s popularity %+.1f", ch, ev->magnitude); break;
    case LG_EV_TREND: snprintf(buf, n, "trend: %s %+.1f %s", cat, ev->magnitude, dur); break;
    case LG_EV_OFF_AIR:
        snprintf(buf, n, "off air: %s %s", ch, ev->duration > 0 ? dur : "until its next slot");
        break;
    case LG_EV_NEW_CHANNEL: snprintf(buf, n, "new channel: %s launches", ch); break;
    case LG_EV_BOT_WAVE: snprintf(buf, n, "bot wave: %.0f bots on %s %s", ev->magnitude, ch, dur); break;
    case LG_EV_INTEREST_SHIFT:
        snprintf(buf, n, "interest shift: %s \xE2\x86\x92 %s (%.0f%%)", seg, cat, 100.0 * ev->magnitude);
        break;
    default: snprintf(buf, n, "event %d", e); break;
    }
}

void lgx_event_label(const lg_scenario *sc, int e, char *buf, size_t n)
{
    static const char *const kind[LG_EV_COUNT] = {"spike", "trend", "off air", "launch", "bots", "interests"};
    const lg_event *ev = &sc->events[e];
    lg_channel_spec spec = {.name = "?"};
    const char *what = spec.name;
    if (ev->type == LG_EV_TREND)
        what = ev->category >= 0 && ev->category < sc->n_categories ? sc->category_names[ev->category] : "?";
    else if (ev->type == LG_EV_INTEREST_SHIFT)
        what = ev->segment >= 0 && ev->segment < sc->n_segments ? sc->segments[ev->segment].name : "?";
    else if (ev->channel >= 0 && ev->channel < sc->n_channels)
        lg_scenario_channel(sc, ev->channel, &spec);
    snprintf(buf, n, "%s %s", (unsigned)ev->type < LG_EV_COUNT ? kind[ev->type] : "event", what);
}

const char *const lgx_phase_names[LGX_N_PHASES] = {"before", "during", "after"};

static const char *const extra_names[LGX_E_COUNT - LGX_M_COUNT] = {"target_share", "target_watch",
                                                                    "first_rec_minutes"};

const char *lgx_event_figure_name(int i)
{
    return i < LGX_M_COUNT ? lgx_metric_names[i] : extra_names[i - LGX_M_COUNT];
}

int lgx_event_figure(const char *name)
{
    for (int i = 0; i < LGX_E_COUNT; i++)
        if (!strcmp(lgx_event_figure_name(i), name)) return i;
    return -1;
}

/* How long an event is "in force", in minutes (INFINITY: to the end). */
static double span(const lg_event *ev)
{
    if (ev->duration > 0) return ev->duration;
    switch (ev->type) {
    case LG_EV_SPIKE: return 120.0;
    case LG_EV_OFF_AIR: return 60.0;
    case LG_EV_NEW_CHANNEL: return 1440.0;
    default: return INFINITY;
    }
}

void lgx_event_window(const lg_scenario *sc, int e, lgx_phase ph, double trained, double *from, double *to)
{
    const lg_event *ev = &sc->events[e];
    double t = ev->time, d = span(ev);
    double len = isfinite(d) ? d : 1440.0;
    if (len < 60.0) len = 60.0;
    if (len > 1440.0) len = 1440.0;
    double a, b;
    if (ph == LGX_BEFORE) a = t - len, b = t;
    else if (ph == LGX_DURING) a = t, b = t + d;
    else a = t + d, b = t + d + len;
    if (a < 0) a = 0;
    if (b > trained) b = trained;
    if (!(b > a)) b = a;
    *from = a, *to = b;
}

/* Is channel c a target of event ev? */
static int targets(const lg_scenario *sc, const lg_event *ev, int c)
{
    if (ev->type == LG_EV_TREND || ev->type == LG_EV_INTEREST_SHIFT)
        return lg_scenario_channel_category(sc, c) == ev->category;
    return c == ev->channel;
}

void lgx_event_figures(const lg_scenario *sc, const lgx_timeline *tl, const uint8_t *which, lgx_phase ph,
                       double trained, double *f)
{
    const int C = tl->n_channels;
    double *recs = calloc((size_t)C * 3, sizeof(double)), *r = recs + C, *wt = recs + 2 * C;
    lgx_tally sum, t;
    memset(&sum, 0, sizeof sum);
    double on_target = 0, watched = 0, first = 0;
    int launches = 0, any_target = 0;
    for (int e = 0; recs && e < sc->n_events; e++) {
        if (!which[e]) continue;
        const lg_event *ev = &sc->events[e];
        double a, b;
        lgx_event_window(sc, e, ph, trained, &a, &b);
        lgx_timeline_sum(tl, a, b, &t, r, wt);
        sum.sessions += t.sessions, sum.ret += t.ret, sum.minutes += t.minutes, sum.steps += t.steps;
        sum.session_steps += t.session_steps, sum.chose += t.chose, sum.invalid += t.invalid;
        sum.gifts += t.gifts, sum.follows += t.follows, sum.precision += t.precision, sum.recall += t.recall;
        sum.ndcg += t.ndcg, sum.regret += t.regret, sum.retrieval += t.retrieval;
        sum.diversity += t.diversity;
        for (int c = 0; c < C; c++) {
            recs[c] += r[c];
            if (!targets(sc, ev, c)) continue;
            any_target = 1, on_target += r[c], watched += wt[c];
        }
        if (ev->type == LG_EV_NEW_CHANNEL && ev->time < trained) {
            launches++;
            double fr = tl->first_rec[ev->channel];
            first += fr >= ev->time ? fr - ev->time : trained - ev->time; /* never: censored at the end */
        }
    }
    lgx_metrics_from(&sum, recs, C, sc->slate_size, f);
    double total = 0;
    for (int c = 0; recs && c < C; c++) total += recs[c];
    f[LGX_E_TARGET_SHARE] = any_target && total > 0 ? on_target / total : NAN;
    f[LGX_E_TARGET_WATCH] = any_target && sum.steps > 0 ? watched / (sum.steps / (60.0 / sc->dt)) : NAN;
    f[LGX_E_FIRST_REC] = launches ? first / launches : NAN;
    free(recs);
}

lgx_stat lgx_event_stat(const lgx_run_config *cfg, const lgx_run_result *res, int a, const uint8_t *which,
                        lgx_phase ph, int i)
{
    double *x = malloc(sizeof(double) * (size_t)res->seeds), f[LGX_E_COUNT];
    int n = 0;
    double trained = lgx_trained_minutes(&cfg->ex, cfg->sc);
    for (int s = 0; s < res->seeds && x; s++) {
        const lgx_job *j = &res->jobs[a * res->seeds + s];
        if (!j->done || !j->timeline.block) continue;
        lgx_event_figures(cfg->sc, &j->timeline, which, ph, trained, f);
        if (!isnan(f[i])) x[n++] = f[i];
    }
    lgx_stat st = lgx_stat_of(x, n);
    free(x);
    return st;
}

/* Figures an event window has: not retention's, which need days of visits. */
static int in_window(int i) { return i < LGX_M_RETENTION || i >= LGX_M_COUNT; }

int lgx_events_csv(const lgx_run_config *cfg, const lgx_run_result *res, char *err, size_t errsz)
{
    const lg_scenario *sc = cfg->sc;
    double trained = lgx_trained_minutes(&cfg->ex, sc), f[LGX_E_COUNT];
    uint8_t which[LG_MAX_EVENTS];
    lg_sbuf csv = {0};
    lg_sb_puts(&csv, "agent,seed,event,type,phase,from_minute,to_minute");
    for (int i = 0; i < LGX_E_COUNT; i++)
        if (in_window(i)) lg_sb_printf(&csv, ",%s", lgx_event_figure_name(i));
    lg_sb_putc(&csv, '\n');
    for (int j = 0; j < res->jobs_total; j++) {
        const lgx_job *job = &res->jobs[j];
        if (!job->done || !job->timeline.block) continue;
        for (int e = 0; e < sc->n_events; e++)
            for (int ph = 0; ph < LGX_N_PHASES; ph++) {
                double a, b;
                lgx_event_window(sc, e, (lgx_phase)ph, trained, &a, &b);
                memset(which, 0, sizeof which);
                which[e] = 1;
                lgx_event_figures(sc, &job->timeline, which, (lgx_phase)ph, trained, f);
                lg_sb_printf(&csv, "%s,%d,%d,%s,%s,%.10g,%.10g", cfg->ex.agents[j / res->seeds].label,
                             1 + j % res->seeds, e, lg_event_type_name(sc->events[e].type), lgx_phase_names[ph], a, b);
                for (int i = 0; i < LGX_E_COUNT; i++)
                    if (in_window(i)) lg_sb_printf(&csv, ",%.10g", f[i]);
                lg_sb_putc(&csv, '\n');
            }
    }
    char *text = lg_sb_take(&csv);
    if (!text) return snprintf(err, errsz, "out of memory"), -1;
    char path[4200];
    snprintf(path, sizeof path, "%s/events.csv", cfg->out_dir);
    int rc = lg_write_atomic(path, text, strlen(text), err, errsz);
    free(text);
    return rc;
}
