/* The live trainer's model (lgx_model.h): curves, rings, recommendation
 * shares, and the model the trainer publishes for the viewer to draw. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lgx_model.h"

/* ---- series --------------------------------------------------------------- */

int lgx_series_init(lgx_series *s, int cap)
{
    memset(s, 0, sizeof *s);
    if (cap < 2 || cap % 2) return -1;
    s->cap = cap;
    s->stride = 1;
    s->last_x = s->last_y = NAN;
    if (!(s->x = malloc(sizeof(double) * (size_t)cap * 4))) return -1;
    s->y = s->x + cap;
    s->lo = s->y + cap;
    s->hi = s->lo + cap;
    return 0;
}

void lgx_series_free(lgx_series *s)
{
    free(s->x);
    memset(s, 0, sizeof *s);
}

void lgx_series_clear(lgx_series *s)
{
    s->n = 0;
    s->stride = 1;
    s->acc_n = 0;
    memset(s->acc, 0, sizeof s->acc);
    s->last_x = s->last_y = NAN;
}

void lgx_series_add(lgx_series *s, double x, double y, double lo, double hi)
{
    if (!s->x) return;
    s->last_x = x;
    s->last_y = y;
    s->acc[0] += x, s->acc[1] += y, s->acc[2] += lo, s->acc[3] += hi;
    if (++s->acc_n < s->stride) return;
    double k = (double)s->acc_n;
    s->x[s->n] = s->acc[0] / k;
    s->y[s->n] = s->acc[1] / k;
    s->lo[s->n] = s->acc[2] / k;
    s->hi[s->n] = s->acc[3] / k;
    s->n++;
    s->acc_n = 0;
    memset(s->acc, 0, sizeof s->acc);
    if (s->n == s->cap) { /* merge neighbours: half the points, each twice as wide */
        for (int i = 0; i < s->cap / 2; i++) {
            s->x[i] = 0.5 * (s->x[2 * i] + s->x[2 * i + 1]);
            s->y[i] = 0.5 * (s->y[2 * i] + s->y[2 * i + 1]);
            s->lo[i] = 0.5 * (s->lo[2 * i] + s->lo[2 * i + 1]);
            s->hi[i] = 0.5 * (s->hi[2 * i] + s->hi[2 * i + 1]);
        }
        s->n = s->cap / 2;
        s->stride *= 2;
    }
}

void lgx_series_copy(lgx_series *dst, const lgx_series *src)
{
    double *x = dst->x, *y = dst->y, *lo = dst->lo, *hi = dst->hi;
    int cap = dst->cap;
    *dst = *src;
    dst->x = x, dst->y = y, dst->lo = lo, dst->hi = hi, dst->cap = cap;
    if (dst->n > cap) dst->n = cap;
    if (!x || !src->x) {
        dst->n = 0;
        return;
    }
    size_t n = (size_t)dst->n * sizeof(double);
    memcpy(x, src->x, n), memcpy(y, src->y, n), memcpy(lo, src->lo, n), memcpy(hi, src->hi, n);
}

/* ---- ring ----------------------------------------------------------------- */

int lgx_ring_init(lgx_ring *r, int cap)
{
    memset(r, 0, sizeof *r);
    if (cap < 1 || !(r->v = calloc((size_t)cap, sizeof(double)))) return -1;
    r->cap = cap;
    return 0;
}

void lgx_ring_free(lgx_ring *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

void lgx_ring_push(lgx_ring *r, double v)
{
    if (!r->v) return;
    r->v[r->head] = v;
    r->head = (r->head + 1) % r->cap;
    if (r->n < r->cap) r->n++;
}

double lgx_ring_get(const lgx_ring *r, int i)
{
    if (i < 0 || i >= r->n) return NAN;
    int start = (r->head - r->n + r->cap) % r->cap;
    return r->v[(start + i) % r->cap];
}

double lgx_ring_mean(const lgx_ring *r)
{
    if (r->n == 0) return NAN;
    double s = 0.0;
    for (int i = 0; i < r->n; i++) s += r->v[i]; /* the first n slots are exactly the live ones */
    return s / r->n;
}

void lgx_ring_copy(lgx_ring *dst, const lgx_ring *src)
{
    double *v = dst->v;
    int cap = dst->cap;
    if (!v || cap != src->cap) return;
    *dst = *src;
    dst->v = v;
    memcpy(v, src->v, sizeof(double) * (size_t)cap);
}

/* ---- shares --------------------------------------------------------------- */

int lgx_shares_init(lgx_shares *s, int n_channels, double half_life)
{
    memset(s, 0, sizeof *s);
    if (n_channels < 1 || !(s->w = calloc((size_t)n_channels, sizeof(double)))) return -1;
    s->n = n_channels;
    s->inc = 1.0;
    s->decay = half_life > 0 ? pow(0.5, 1.0 / half_life) : 1.0;
    return 0;
}

void lgx_shares_free(lgx_shares *s)
{
    free(s->w);
    memset(s, 0, sizeof *s);
}

void lgx_shares_add(lgx_shares *s, int channel)
{
    if (channel < 0 || channel >= s->n) return;
    s->w[channel] += s->inc;
    s->total += s->inc;
}

void lgx_shares_tick(lgx_shares *s)
{
    s->inc /= s->decay;
    if (s->inc > 1e100) {
        for (int c = 0; c < s->n; c++) s->w[c] /= s->inc;
        s->total /= s->inc;
        s->inc = 1.0;
    }
}

double lgx_shares_get(const lgx_shares *s, int channel)
{
    if (channel < 0 || channel >= s->n || !(s->total > 0)) return 0.0;
    return s->w[channel] / s->total;
}

void lgx_shares_copy(lgx_shares *dst, const lgx_shares *src)
{
    double *w = dst->w;
    int n = dst->n;
    if (!w || n != src->n) return;
    *dst = *src;
    dst->w = w;
    memcpy(w, src->w, sizeof(double) * (size_t)n);
}

/* ---- the model ------------------------------------------------------------ */

static void free_agent(lgx_agent_view *a)
{
    lgx_series_free(&a->eval);
    lgx_series_free(&a->online);
    lgx_series_free(&a->epsilon);
    lgx_shares_free(&a->shares);
    free(a->ch), free(a->truth), free(a->mask), free(a->scores), free(a->qtable);
    a->ch = NULL, a->truth = NULL, a->mask = NULL, a->scores = NULL, a->qtable = NULL;
}

lgx_model *lgx_model_create(const lg_scenario *sc, const lgx_model_shape *shape, char *err, size_t errsz)
{
    const lgx_model_shape *sh = shape;
    if (sh->n_agents < 1 || sh->n_agents > LGX_LIVE_MAX_AGENTS) {
        snprintf(err, errsz, "agents: expected 1 to %d, found %d", LGX_LIVE_MAX_AGENTS, sh->n_agents);
        return NULL;
    }
    if (sh->n_seeds < 1 || sh->n_seeds > LGX_LIVE_MAX_SEEDS) {
        snprintf(err, errsz, "seeds: expected 1 to %d, found %d", LGX_LIVE_MAX_SEEDS, sh->n_seeds);
        return NULL;
    }
    /* live worlds: one action per channel; the classic envs have their own action counts */
    if (sh->n_channels < 1 || sh->n_channels > LG_MAX_CHANNELS ||
        (sc && sc->kind == LG_KIND_LIVE && sh->n_channels != sc->n_channels)) {
        snprintf(err, errsz, "channels: expected 1 to %d (the scenario's count), found %d", LG_MAX_CHANNELS,
                 sh->n_channels);
        return NULL;
    }
    lgx_model *m = calloc(1, sizeof *m);
    if (!m) goto oom;
    m->shape = *sh;
    m->sc = sc;
    m->n_agents = sh->n_agents;
    m->n_seeds = sh->n_seeds;
    m->n_channels = sh->n_channels;
    int n_events = sc ? sc->n_events : 0;
    if (!(m->fired = calloc((size_t)(n_events > 0 ? n_events : 1), 1))) goto oom;
    size_t C = (size_t)sh->n_channels;
    for (int i = 0; i < sh->n_agents; i++) {
        lgx_agent_view *a = &m->agents[i];
        int rows = sh->qtable_rows[i];
        if (rows < 0 || (size_t)rows * C > LGX_QTABLE_MAX) rows = 0;
        m->shape.qtable_rows[i] = rows;
        if (lgx_series_init(&a->eval, LGX_SERIES_CAP) || lgx_series_init(&a->online, LGX_SERIES_CAP) ||
            lgx_series_init(&a->epsilon, LGX_SERIES_CAP) ||
            lgx_shares_init(&a->shares, sh->n_channels, LGX_SHARE_HALF_LIFE) ||
            !(a->ch = calloc(C, sizeof *a->ch)) || !(a->truth = calloc(C, sizeof(float))) ||
            !(a->mask = calloc(C, 1)) || !(a->scores = calloc(C, sizeof(float))) ||
            (rows > 0 && !(a->qtable = calloc((size_t)rows * C, sizeof(float)))))
            goto oom;
        a->qtable_rows = rows;
        a->last_eval = a->last_eval_ci = a->online_now = a->last_days = NAN;
        a->viewer = a->segment = -1;
    }
    return m;
oom:
    lgx_model_free(m);
    snprintf(err, errsz, "out of memory for the viewer model");
    return NULL;
}

void lgx_model_free(lgx_model *m)
{
    if (!m) return;
    for (int i = 0; i < LGX_LIVE_MAX_AGENTS; i++) free_agent(&m->agents[i]);
    free(m->fired);
    free(m);
}

static void copy_agent(lgx_agent_view *d, const lgx_agent_view *s, size_t C)
{
    lgx_agent_view keep = *d;
    *d = *s;
    d->eval = keep.eval, d->online = keep.online, d->epsilon = keep.epsilon, d->shares = keep.shares;
    lgx_series_copy(&d->eval, &s->eval);
    lgx_series_copy(&d->online, &s->online);
    lgx_series_copy(&d->epsilon, &s->epsilon);
    lgx_shares_copy(&d->shares, &s->shares);
    d->ch = keep.ch, d->truth = keep.truth, d->mask = keep.mask, d->scores = keep.scores;
    d->qtable = keep.qtable, d->qtable_rows = keep.qtable_rows;
    if (d->ch && s->ch) memcpy(d->ch, s->ch, C * sizeof *d->ch);
    if (d->truth && s->truth) memcpy(d->truth, s->truth, C * sizeof(float));
    if (d->mask && s->mask) memcpy(d->mask, s->mask, C);
    if (d->scores && s->scores) memcpy(d->scores, s->scores, C * sizeof(float));
    if (d->qtable && s->qtable && d->qtable_rows == s->qtable_rows)
        memcpy(d->qtable, s->qtable, (size_t)d->qtable_rows * C * sizeof(float));
}

void lgx_model_copy(lgx_model *dst, const lgx_model *src)
{
    if (dst == src) return;
    uint8_t *fired = dst->fired;
    lgx_agent_view keep[LGX_LIVE_MAX_AGENTS];
    memcpy(keep, dst->agents, sizeof keep);
    lgx_model_shape shape = dst->shape;
    *dst = *src;
    dst->shape = shape;
    dst->fired = fired;
    memcpy(dst->agents, keep, sizeof keep);
    if (src->sc && src->sc->n_events > 0 && fired && src->fired) memcpy(fired, src->fired, (size_t)src->sc->n_events);
    int n = src->n_agents < shape.n_agents ? src->n_agents : shape.n_agents;
    dst->n_agents = n;
    for (int i = 0; i < n; i++) copy_agent(&dst->agents[i], &src->agents[i], (size_t)shape.n_channels);
}

void lgx_model_push_step(lgx_model *m, int agent, const lgx_step_rec *r)
{
    if (agent < 0 || agent >= m->n_agents) return;
    lgx_agent_view *a = &m->agents[agent];
    a->hist[a->hist_head] = *r;
    a->hist_head = (a->hist_head + 1) % LGX_HISTORY;
    if (a->hist_n < LGX_HISTORY) a->hist_n++;
}

const lgx_step_rec *lgx_model_step(const lgx_model *m, int agent, int i)
{
    if (agent < 0 || agent >= m->n_agents) return NULL;
    const lgx_agent_view *a = &m->agents[agent];
    if (i < 0 || i >= a->hist_n) return NULL;
    return &a->hist[(a->hist_head - 1 - i + 2 * LGX_HISTORY) % LGX_HISTORY];
}

void lgx_model_fire_event(lgx_model *m, int e)
{
    if (!m->sc || e < 0 || e >= m->sc->n_events || m->fired[e]) return;
    m->fired[e] = 1;
    m->n_fired++;
    m->ev_log[m->ev_log_head] = e;
    m->ev_log_head = (m->ev_log_head + 1) % LGX_EVENT_LOG;
    if (m->ev_log_n < LGX_EVENT_LOG) m->ev_log_n++;
}

int lgx_model_event(const lgx_model *m, int i)
{
    if (i < 0 || i >= m->ev_log_n) return -1;
    return m->ev_log[(m->ev_log_head - 1 - i + 2 * LGX_EVENT_LOG) % LGX_EVENT_LOG];
}

int lgx_event_active(const lg_scenario *sc, int e, double elapsed)
{
    if (!sc || e < 0 || e >= sc->n_events) return 0;
    const lg_event *ev = &sc->events[e];
    if (elapsed + 1e-6 < ev->time) return 0;
    double dur = ev->duration;
    if (dur <= 0) {
        if (ev->type == LG_EV_TREND || ev->type == LG_EV_BOT_WAVE) return 1; /* rest of the run */
        dur = 60.0;
    }
    return elapsed < ev->time + dur;
}
