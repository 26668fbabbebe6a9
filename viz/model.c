/* The viewer's data model (no SDL here): curves, rings, recommendation
 * shares, the model that the trainer publishes and the view draws, the UI
 * state, ticks and formatting, palettes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lgv_model.h"

/* ---- series --------------------------------------------------------------- */

int lgv_series_init(lgv_series *s, int cap)
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

void lgv_series_free(lgv_series *s)
{
    free(s->x);
    memset(s, 0, sizeof *s);
}

void lgv_series_clear(lgv_series *s)
{
    s->n = 0;
    s->stride = 1;
    s->acc_n = 0;
    memset(s->acc, 0, sizeof s->acc);
    s->last_x = s->last_y = NAN;
}

void lgv_series_add(lgv_series *s, double x, double y, double lo, double hi)
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

void lgv_series_copy(lgv_series *dst, const lgv_series *src)
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

int lgv_ring_init(lgv_ring *r, int cap)
{
    memset(r, 0, sizeof *r);
    if (cap < 1 || !(r->v = calloc((size_t)cap, sizeof(double)))) return -1;
    r->cap = cap;
    return 0;
}

void lgv_ring_free(lgv_ring *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

void lgv_ring_push(lgv_ring *r, double v)
{
    if (!r->v) return;
    r->v[r->head] = v;
    r->head = (r->head + 1) % r->cap;
    if (r->n < r->cap) r->n++;
}

double lgv_ring_get(const lgv_ring *r, int i)
{
    if (i < 0 || i >= r->n) return NAN;
    int start = (r->head - r->n + r->cap) % r->cap;
    return r->v[(start + i) % r->cap];
}

double lgv_ring_mean(const lgv_ring *r)
{
    if (r->n == 0) return NAN;
    double s = 0.0;
    for (int i = 0; i < r->n; i++) s += r->v[i]; /* the first n slots are exactly the live ones */
    return s / r->n;
}

void lgv_ring_copy(lgv_ring *dst, const lgv_ring *src)
{
    double *v = dst->v;
    int cap = dst->cap;
    if (!v || cap != src->cap) return;
    *dst = *src;
    dst->v = v;
    memcpy(v, src->v, sizeof(double) * (size_t)cap);
}

/* ---- shares --------------------------------------------------------------- */

int lgv_shares_init(lgv_shares *s, int n_channels, double half_life)
{
    memset(s, 0, sizeof *s);
    if (n_channels < 1 || !(s->w = calloc((size_t)n_channels, sizeof(double)))) return -1;
    s->n = n_channels;
    s->inc = 1.0;
    s->decay = half_life > 0 ? pow(0.5, 1.0 / half_life) : 1.0;
    return 0;
}

void lgv_shares_free(lgv_shares *s)
{
    free(s->w);
    memset(s, 0, sizeof *s);
}

void lgv_shares_add(lgv_shares *s, int channel)
{
    if (channel < 0 || channel >= s->n) return;
    s->w[channel] += s->inc;
    s->total += s->inc;
}

void lgv_shares_tick(lgv_shares *s)
{
    s->inc /= s->decay;
    if (s->inc > 1e100) {
        for (int c = 0; c < s->n; c++) s->w[c] /= s->inc;
        s->total /= s->inc;
        s->inc = 1.0;
    }
}

double lgv_shares_get(const lgv_shares *s, int channel)
{
    if (channel < 0 || channel >= s->n || !(s->total > 0)) return 0.0;
    return s->w[channel] / s->total;
}

void lgv_shares_copy(lgv_shares *dst, const lgv_shares *src)
{
    double *w = dst->w;
    int n = dst->n;
    if (!w || n != src->n) return;
    *dst = *src;
    dst->w = w;
    memcpy(w, src->w, sizeof(double) * (size_t)n);
}

/* ---- the model ------------------------------------------------------------ */

static void free_agent(lgv_agent_view *a)
{
    lgv_series_free(&a->eval);
    lgv_series_free(&a->online);
    lgv_series_free(&a->epsilon);
    lgv_shares_free(&a->shares);
    free(a->ch), free(a->truth), free(a->mask), free(a->scores), free(a->qtable);
    a->ch = NULL, a->truth = NULL, a->mask = NULL, a->scores = NULL, a->qtable = NULL;
}

lgv_model *lgv_model_create(const lg_scenario *sc, const lgv_model_shape *shape, char *err, size_t errsz)
{
    const lgv_model_shape *sh = shape;
    if (sh->n_agents < 1 || sh->n_agents > LGV_MAX_AGENTS) {
        snprintf(err, errsz, "agents: expected 1 to %d, found %d", LGV_MAX_AGENTS, sh->n_agents);
        return NULL;
    }
    if (sh->n_seeds < 1 || sh->n_seeds > LGV_MAX_SEEDS) {
        snprintf(err, errsz, "seeds: expected 1 to %d, found %d", LGV_MAX_SEEDS, sh->n_seeds);
        return NULL;
    }
    /* live worlds: one action per channel; the classic envs have their own action counts */
    if (sh->n_channels < 1 || sh->n_channels > LG_MAX_CHANNELS ||
        (sc && sc->kind == LG_KIND_LIVE && sh->n_channels != sc->n_channels)) {
        snprintf(err, errsz, "channels: expected 1 to %d (the scenario's count), found %d", LG_MAX_CHANNELS,
                 sh->n_channels);
        return NULL;
    }
    lgv_model *m = calloc(1, sizeof *m);
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
        lgv_agent_view *a = &m->agents[i];
        int rows = sh->qtable_rows[i];
        if (rows < 0 || (size_t)rows * C > LGV_QTABLE_MAX) rows = 0;
        m->shape.qtable_rows[i] = rows;
        if (lgv_series_init(&a->eval, LGV_SERIES_CAP) || lgv_series_init(&a->online, LGV_SERIES_CAP) ||
            lgv_series_init(&a->epsilon, LGV_SERIES_CAP) ||
            lgv_shares_init(&a->shares, sh->n_channels, LGV_SHARE_HALF_LIFE) ||
            !(a->ch = calloc(C, sizeof *a->ch)) || !(a->truth = calloc(C, sizeof(float))) ||
            !(a->mask = calloc(C, 1)) || !(a->scores = calloc(C, sizeof(float))) ||
            (rows > 0 && !(a->qtable = calloc((size_t)rows * C, sizeof(float)))))
            goto oom;
        a->qtable_rows = rows;
        a->last_eval = a->last_eval_ci = a->online_now = NAN;
        a->viewer = a->segment = -1;
    }
    return m;
oom:
    lgv_model_free(m);
    snprintf(err, errsz, "out of memory for the viewer model");
    return NULL;
}

void lgv_model_free(lgv_model *m)
{
    if (!m) return;
    for (int i = 0; i < LGV_MAX_AGENTS; i++) free_agent(&m->agents[i]);
    free(m->fired);
    free(m);
}

static void copy_agent(lgv_agent_view *d, const lgv_agent_view *s, size_t C)
{
    lgv_agent_view keep = *d;
    *d = *s;
    d->eval = keep.eval, d->online = keep.online, d->epsilon = keep.epsilon, d->shares = keep.shares;
    lgv_series_copy(&d->eval, &s->eval);
    lgv_series_copy(&d->online, &s->online);
    lgv_series_copy(&d->epsilon, &s->epsilon);
    lgv_shares_copy(&d->shares, &s->shares);
    d->ch = keep.ch, d->truth = keep.truth, d->mask = keep.mask, d->scores = keep.scores;
    d->qtable = keep.qtable, d->qtable_rows = keep.qtable_rows;
    if (d->ch && s->ch) memcpy(d->ch, s->ch, C * sizeof *d->ch);
    if (d->truth && s->truth) memcpy(d->truth, s->truth, C * sizeof(float));
    if (d->mask && s->mask) memcpy(d->mask, s->mask, C);
    if (d->scores && s->scores) memcpy(d->scores, s->scores, C * sizeof(float));
    if (d->qtable && s->qtable && d->qtable_rows == s->qtable_rows)
        memcpy(d->qtable, s->qtable, (size_t)d->qtable_rows * C * sizeof(float));
}

void lgv_model_copy(lgv_model *dst, const lgv_model *src)
{
    if (dst == src) return;
    uint8_t *fired = dst->fired;
    lgv_agent_view keep[LGV_MAX_AGENTS];
    memcpy(keep, dst->agents, sizeof keep);
    lgv_model_shape shape = dst->shape;
    *dst = *src;
    dst->shape = shape;
    dst->fired = fired;
    memcpy(dst->agents, keep, sizeof keep);
    if (src->sc && src->sc->n_events > 0 && fired && src->fired) memcpy(fired, src->fired, (size_t)src->sc->n_events);
    int n = src->n_agents < shape.n_agents ? src->n_agents : shape.n_agents;
    dst->n_agents = n;
    for (int i = 0; i < n; i++) copy_agent(&dst->agents[i], &src->agents[i], (size_t)shape.n_channels);
}

void lgv_model_push_step(lgv_model *m, int agent, const lgv_step_rec *r)
{
    if (agent < 0 || agent >= m->n_agents) return;
    lgv_agent_view *a = &m->agents[agent];
    a->hist[a->hist_head] = *r;
    a->hist_head = (a->hist_head + 1) % LGV_HISTORY;
    if (a->hist_n < LGV_HISTORY) a->hist_n++;
}

const lgv_step_rec *lgv_model_step(const lgv_model *m, int agent, int i)
{
    if (agent < 0 || agent >= m->n_agents) return NULL;
    const lgv_agent_view *a = &m->agents[agent];
    if (i < 0 || i >= a->hist_n) return NULL;
    return &a->hist[(a->hist_head - 1 - i + 2 * LGV_HISTORY) % LGV_HISTORY];
}

void lgv_model_fire_event(lgv_model *m, int e)
{
    if (!m->sc || e < 0 || e >= m->sc->n_events || m->fired[e]) return;
    m->fired[e] = 1;
    m->n_fired++;
    m->ev_log[m->ev_log_head] = e;
    m->ev_log_head = (m->ev_log_head + 1) % LGV_EVENT_LOG;
    if (m->ev_log_n < LGV_EVENT_LOG) m->ev_log_n++;
}

int lgv_model_event(const lgv_model *m, int i)
{
    if (i < 0 || i >= m->ev_log_n) return -1;
    return m->ev_log[(m->ev_log_head - 1 - i + 2 * LGV_EVENT_LOG) % LGV_EVENT_LOG];
}

int lgv_event_active(const lg_scenario *sc, int e, double elapsed)
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

/* ---- UI state ------------------------------------------------------------- */

static const double speed_rates[LGV_N_SPEEDS] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 0};

void lgv_ui_init(lgv_ui *ui, int n_agents)
{
    memset(ui, 0, sizeof *ui);
    ui->n_agents = n_agents > 0 ? n_agents : 1;
    for (int p = 0; p < LGV_N_PANELS; p++) ui->show[p] = 1;
    ui->speed = LGV_N_SPEEDS - 1;
}

void lgv_ui_next(lgv_ui *ui) { ui->selected = (ui->selected + 1) % ui->n_agents; }
void lgv_ui_prev(lgv_ui *ui) { ui->selected = (ui->selected + ui->n_agents - 1) % ui->n_agents; }

int lgv_ui_select(lgv_ui *ui, int i)
{
    if (i < 0 || i >= ui->n_agents) return -1;
    ui->selected = i;
    return 0;
}

void lgv_ui_toggle(lgv_ui *ui, int panel)
{
    if (panel >= 0 && panel < LGV_N_PANELS) ui->show[panel] = !ui->show[panel];
}

void lgv_ui_faster(lgv_ui *ui)
{
    if (ui->speed < LGV_N_SPEEDS - 1) ui->speed++;
}

void lgv_ui_slower(lgv_ui *ui)
{
    if (ui->speed > 0) ui->speed--;
}

double lgv_speed_rate(int level)
{
    if (level < 0) level = 0;
    if (level >= LGV_N_SPEEDS) level = LGV_N_SPEEDS - 1;
    return speed_rates[level];
}

void lgv_speed_name(int level, char *buf, size_t n)
{
    double r = lgv_speed_rate(level);
    if (r <= 0)
        snprintf(buf, n, "max");
    else
        snprintf(buf, n, "%g step%s/s", r, r == 1 ? "" : "s");
}

/* ---- ticks and formatting -------------------------------------------------- */

static double tick_step(double lo, double hi, int max_ticks)
{
    if (max_ticks < 2) max_ticks = 2;
    double range = hi - lo;
    if (!(range > 0) || !isfinite(range)) return 1.0;
    double rough = range / (max_ticks - 1);
    double mag = pow(10.0, floor(log10(rough)));
    static const double mult[] = {1, 2, 2.5, 5, 10, 20};
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++) {
        double step = mult[i] * mag;
        double first = ceil(lo / step - 1e-9), last = floor(hi / step + 1e-9);
        if (last - first + 1 <= max_ticks) return step;
    }
    return 20 * mag;
}

int lgv_ticks(double lo, double hi, int max_ticks, double *out, int cap, double *step)
{
    if (hi < lo) {
        double t = lo;
        lo = hi, hi = t;
    }
    double st = tick_step(lo, hi, max_ticks);
    if (step) *step = st;
    int n = 0;
    double first = ceil(lo / st - 1e-9);
    for (double k = first; k * st <= hi + 1e-9 * st && n < cap && n < max_ticks + 1; k += 1.0) {
        double v = k * st;
        if (fabs(v) < 1e-12 * st) v = 0.0; /* no "-0" */
        out[n++] = v;
    }
    return n;
}

void lgv_nice_range(double *lo, double *hi, int max_ticks)
{
    if (!isfinite(*lo) || !isfinite(*hi)) *lo = 0.0, *hi = 1.0;
    if (*hi < *lo) {
        double t = *lo;
        *lo = *hi, *hi = t;
    }
    if (*hi - *lo < 1e-12 * (fabs(*lo) + fabs(*hi)) || *hi == *lo) {
        double d = fabs(*lo) > 0 ? fabs(*lo) * 0.1 : 1.0;
        *lo -= d, *hi += d;
    }
    double st = tick_step(*lo, *hi, max_ticks);
    *lo = floor(*lo / st + 1e-9) * st;
    *hi = ceil(*hi / st - 1e-9) * st;
}

static int decimals_for(double step)
{
    if (!(step > 0)) return 0;
    int d = 0;
    while (d < 9 && fabs(step * pow(10.0, d) - floor(step * pow(10.0, d) + 0.5)) > 1e-6 * step * pow(10.0, d))
        d++;
    return d;
}

void lgv_fmt_tick(char *buf, size_t n, double v, double step)
{
    if (fabs(v) < 1e-9 * (step > 0 ? step : 1)) v = 0.0;
    const char *suffix = "";
    double scale = 1.0;
    if (step >= 1e6)
        suffix = "M", scale = 1e6;
    else if (step >= 1e3)
        suffix = "k", scale = 1e3;
    if (scale == 1.0 || v == 0.0) {
        snprintf(buf, n, "%.*f", v == 0.0 && scale > 1.0 ? 0 : decimals_for(step), v);
        return;
    }
    /* 2.5k, 5k, 7.5k: as few decimals as the value needs */
    int d = decimals_for(step / scale);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", d, v / scale);
    char *dot = strchr(tmp, '.');
    if (dot) {
        char *end = tmp + strlen(tmp) - 1;
        while (end > dot && *end == '0') *end-- = 0;
        if (end == dot) *end = 0;
    }
    snprintf(buf, n, "%s%s", tmp, suffix);
}

void lgv_fmt_count(char *buf, size_t n, double v)
{
    double a = fabs(v);
    if (!isfinite(v))
        snprintf(buf, n, "-");
    else if (a < 1000)
        snprintf(buf, n, "%.0f", v);
    else if (a < 9995)
        snprintf(buf, n, "%.2fk", v / 1e3);
    else if (a < 99950)
        snprintf(buf, n, "%.1fk", v / 1e3);
    else if (a < 999500)
        snprintf(buf, n, "%.0fk", v / 1e3);
    else if (a < 9.995e6)
        snprintf(buf, n, "%.2fM", v / 1e6);
    else if (a < 9.995e7)
        snprintf(buf, n, "%.1fM", v / 1e6);
    else if (a < 9.995e8)
        snprintf(buf, n, "%.0fM", v / 1e6);
    else
        snprintf(buf, n, "%.2fG", v / 1e9);
}

void lgv_fmt_clock(char *buf, size_t n, double minutes)
{
    if (!isfinite(minutes) || minutes < 0) minutes = 0;
    long total = (long)floor(minutes + 1e-6);
    long day = total / 1440, m = total % 1440;
    snprintf(buf, n, "day %ld %02ld:%02ld", day, m / 60, m % 60);
}

/* ---- colours ---------------------------------------------------------------- */

uint32_t lgv_agent_color(int i)
{
    static const uint32_t okabe_ito[] = {0xFF0072B2, 0xFFD55E00, 0xFF009E73, 0xFFCC79A7,
                                         0xFFE69F00, 0xFF56B4E9, 0xFF000000, 0xFFF0E442};
    int n = (int)(sizeof okabe_ito / sizeof okabe_ito[0]);
    return okabe_ito[((i % n) + n) % n];
}

uint32_t lgv_category_color(int k)
{
    static const uint32_t tol_light[] = {0xFF77AADD, 0xFFEE8866, 0xFFEEDD88, 0xFFFFAABB, 0xFF99DDFF,
                                         0xFF44BB99, 0xFFBBCC33, 0xFFAAAA00, 0xFFDDDDDD};
    int n = (int)(sizeof tol_light / sizeof tol_light[0]);
    return tol_light[((k % n) + n) % n];
}

uint32_t lgv_heat_color(float t)
{
    /* five stops of the viridis colour map */
    static const float stops[5][3] = {
        {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    if (!(t >= 0.0f)) t = 0.0f;
    if (t > 1.0f) t = 1.0f;
    float f = t * 4.0f;
    int i = (int)f;
    if (i > 3) i = 3;
    float u = f - (float)i;
    uint32_t c = 0xFF000000u;
    for (int j = 0; j < 3; j++) {
        float v = stops[i][j] + u * (stops[i + 1][j] - stops[i][j]);
        c |= (uint32_t)(v + 0.5f) << (16 - 8 * j);
    }
    return c;
}
