/* The live viewer's panels: learning curves, the platform, the agent's mind,
 * a live session; the top bar, agent tabs and the help overlay. Everything is
 * drawn from an lgx_model copy and the UI state; nothing here touches an env
 * or an agent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lgv_draw.h"

#define C_BG 0xFFF3F4F6u
#define C_CARD 0xFFFFFFFFu
#define C_BORDER 0xFFD5D9DFu
#define C_TEXT 0xFF1F2328u
#define C_MUTED 0xFF6A737Du
#define C_FAINT 0xFFB0B7C0u
#define C_BAR 0xFF24292Fu
#define C_OFF 0xFFECEDEFu
#define C_ALERT 0xFFB00020u

typedef struct {
    lgv_canvas *c;
    const lgx_model *m;
    const lgv_ui *ui;
    float s;
} view;

static uint32_t alpha(uint32_t c, float a) { return (c & 0x00FFFFFFu) | (uint32_t)(a * 255.0f + 0.5f) << 24; }

static uint32_t mix(uint32_t a, uint32_t b, float t)
{
    uint32_t out = 0xFF000000u;
    for (int sh = 0; sh < 24; sh += 8) {
        float x = (float)((a >> sh) & 0xFF), y = (float)((b >> sh) & 0xFF);
        out |= (uint32_t)(x + (y - x) * t + 0.5f) << sh;
    }
    return out;
}

/* A card with a title; returns the content's top y. */
static float card(view *v, float x, float y, float w, float h, const char *title, const char *note)
{
    lgv_canvas *c = v->c;
    lgv_fill(c, x, y, w, h, C_CARD);
    lgv_frame(c, x, y, w, h, fmaxf(1.0f, v->s), C_BORDER);
    float pad = 8 * v->s;
    float tw = lgv_text(c, x + pad, y + 5 * v->s, LGV_FONT_LARGE, C_TEXT, LGV_ALIGN_LEFT, w - 2 * pad, title);
    if (note && note[0]) {
        float lh = lgv_line_height(c, LGV_FONT_LARGE), nh = lgv_line_height(c, LGV_FONT_NORMAL);
        lgv_text(c, x + pad + tw + 12 * v->s, y + 5 * v->s + (lh - nh) * 0.6f, LGV_FONT_NORMAL, C_MUTED,
                 LGV_ALIGN_LEFT, w - 2 * pad - tw - 12 * v->s, note);
    }
    return y + 5 * v->s + lgv_line_height(c, LGV_FONT_LARGE) + 3 * v->s;
}

static int is_live(const lgx_model *m) { return m->sc && m->sc->kind == LG_KIND_LIVE; }

/* A channel's name (classic envs: "action k"); buf holds the latter. */
static const char *channel_name(const lgx_model *m, int ch, char *buf, size_t n)
{
    if (ch < 0 || ch >= m->n_channels) return "?";
    if (!is_live(m)) {
        snprintf(buf, n, "action %d", ch);
        return buf;
    }
    return m->sc->channels[ch].name;
}

static void event_text(const lg_scenario *sc, int e, char *buf, size_t n)
{
    const lg_event *ev = &sc->events[e];
    const char *ch = ev->channel >= 0 && ev->channel < sc->n_channels ? sc->channels[ev->channel].name : "?";
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

/* ---- learning curves ------------------------------------------------------------ */

static void panel_curves(view *v, float x, float y, float w, float h)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const float s = v->s, pad = 8 * s;
    char note[160];
    snprintf(note, sizeof note, "greedy evaluation every %ld slot-steps, %ld sessions%s", m->eval_every,
             m->eval_sessions, m->n_seeds > 1 ? ", 95% CI over seeds" : "");
    float top = card(v, x, y, w, h, "learning curves", note);
    int any_eps = 0;
    for (int a = 0; a < m->n_agents; a++) any_eps |= m->agents[a].has_epsilon;
    float eps_h = any_eps ? fminf(0.26f * (y + h - top), 120 * s) : lgv_line_height(c, LGV_FONT_SMALL) + 4 * s;
    lgv_chart_series sr[2 * LGX_LIVE_MAX_AGENTS + 1];
    char names[LGX_LIVE_MAX_AGENTS][LGX_LABEL_LEN + 12];
    int n = 0;
    for (int a = 0; a < m->n_agents; a++) {
        const lgx_agent_view *av = &m->agents[a];
        uint32_t col = lgv_agent_color(a);
        snprintf(names[a], sizeof names[a], "%s%s", av->label, av->cheats ? " (cheats)" : "");
        lgv_chart_series on = {names[a], alpha(col, 0.55f), av->online.n, av->online.x, av->online.y,
                               NULL,      NULL,              1.5f,         5.0f,         0,
                               0};
        lgv_chart_series ev = {names[a], col, av->eval.n, av->eval.x, av->eval.y,
                               m->n_seeds > 1 ? av->eval.lo : NULL, m->n_seeds > 1 ? av->eval.hi : NULL,
                               2.2f, 0.0f, 1, 1};
        sr[n++] = on;
        sr[n++] = ev;
    }
    lgv_chart ch;
    memset(&ch, 0, sizeof ch);
    ch.xlabel = "training slot-steps per agent";
    ch.ylabel = "return per session";
    ch.series = sr;
    ch.n_series = n;
    ch.legend = LGV_LEGEND_TOP;
    ch.legend_note = "solid with dots: greedy evaluation;  dashed: online, mean of the last 100 training sessions";
    ch.empty_text = "waiting for the first evaluation...";
    ch.label_font = LGV_FONT_NORMAL;
    ch.range_without_bands = 1; /* a 95% CI over 2 seeds is wide: keep the lines readable */
    ch.band_alpha = 0.14f;
    lgv_draw_chart(c, x + pad, top, w - 2 * pad, y + h - top - eps_h - 4 * s, &ch);

    float ey = y + h - eps_h - 2 * s;
    if (!any_eps) {
        lgv_text(c, x + pad, ey, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_LEFT, w - 2 * pad,
                 "exploration rate: not exposed by these agents");
        return;
    }
    lgv_chart_series es[LGX_LIVE_MAX_AGENTS];
    int ne = 0;
    double emax = 0.0;
    for (int a = 0; a < m->n_agents; a++) {
        const lgx_agent_view *av = &m->agents[a];
        if (!av->has_epsilon) continue;
        for (int k = 0; k < av->epsilon.n; k++)
            if (av->epsilon.y[k] > emax) emax = av->epsilon.y[k];
        lgv_chart_series e = {av->label, lgv_agent_color(a), av->epsilon.n, av->epsilon.x, av->epsilon.y,
                              NULL, NULL, 1.8f, 0.0f, 0, 0};
        es[ne++] = e;
    }
    lgv_text(c, x + pad, ey, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_LEFT, w - 2 * pad,
             "exploration rate \xCE\xB5 (from the agent's schedule and act counter)");
    float elh = lgv_line_height(c, LGV_FONT_SMALL);
    lgv_chart ec;
    memset(&ec, 0, sizeof ec);
    ec.ylabel = "\xCE\xB5"; /* epsilon */
    ec.series = es;
    ec.n_series = ne;
    ec.fixed_y = 1;
    ec.y_min = 0;
    ec.y_max = emax > 0 ? emax * 1.15 : 1.0;
    ec.empty_text = "exploration rate (\xCE\xB5)";
    lgv_draw_chart(c, x + pad, ey + elh, w - 2 * pad, eps_h - elh, &ec);
}

/* ---- the platform ------------------------------------------------------------------ */

static void day_strip(view *v, float x, float y, float w, float h, double clock)
{
    lgv_canvas *c = v->c;
    const lg_scenario *sc = v->m->sc;
    lgv_fill(c, x, y, w, h, 0xFFF7F8FA);
    int n = 96;
    float pts[2 * 97], lo[97], hi[97], xs[97];
    for (int i = 0; i <= n; i++) {
        double hour = 24.0 * i / n;
        double a = 1.0 - sc->audience_amplitude * (1.0 - cos(2 * 3.14159265358979 * (hour - sc->audience_peak_hour) / 24.0)) / 2.0;
        xs[i] = x + (float)(w * i / n);
        hi[i] = y + h - (float)(a * (h - 2));
        lo[i] = y + h;
        pts[2 * i] = xs[i];
        pts[2 * i + 1] = hi[i];
    }
    lgv_band(c, xs, lo, hi, n + 1, 0xFFD8E3F0);
    lgv_polyline(c, pts, n + 1, 1.2f * v->s, 0, 0xFF7A9CC6);
    for (int hh = 0; hh <= 24; hh += 6) {
        float xx = x + w * hh / 24.0f;
        lgv_fill(c, xx, y + h - 3 * v->s, fmaxf(1, v->s), 3 * v->s, C_MUTED);
    }
    double tod = fmod(clock, 1440.0) / 60.0;
    float mx = x + (float)(w * tod / 24.0);
    lgv_fill(c, mx - v->s, y - 2 * v->s, 2 * v->s, h + 4 * v->s, C_ALERT);
    lgv_frame(c, x, y, w, h, fmaxf(1, v->s * 0.8f), C_BORDER);
}

static void panel_platform(view *v, float x, float y, float w, float h)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const lg_scenario *sc = m->sc;
    const float s = v->s, pad = 8 * s;
    const int sel = v->ui->selected < m->n_agents ? v->ui->selected : 0;
    const lgx_agent_view *av = &m->agents[sel];
    const int C = m->n_channels;
    if (!is_live(m)) {
        float top = card(v, x, y, w, h, "platform", lg_env_kind_name(sc ? sc->kind : LG_KIND_LIVE));
        lgv_text(c, x + w / 2, top + (y + h - top) / 2 - 10 * s, LGV_FONT_NORMAL, C_MUTED, LGV_ALIGN_CENTER, w - 2 * pad,
                 "a classic reference env (Sutton & Barto): no channels, viewers or events to show");
        return;
    }
    int on = 0;
    double viewers = 0, peak = 1;
    for (int ch = 0; ch < C; ch++) {
        on += av->mask[ch] != 0;
        viewers += av->ch[ch].concurrency;
        if (av->ch[ch].concurrency > peak) peak = av->ch[ch].concurrency;
    }
    char clk[48], vw[32], note[200];
    lgv_fmt_clock(clk, sizeof clk, av->clock);
    lgv_fmt_count(vw, sizeof vw, viewers);
    snprintf(note, sizeof note, "%d/%d channels on air \xC2\xB7 %s viewers \xC2\xB7 %s \xC2\xB7 world of %s", on, C,
             vw, clk, av->label);
    float top = card(v, x, y, w, h, "platform", note);

    /* time of day and events */
    float lh = lgv_line_height(c, LGV_FONT_SMALL);
    float strip_w = fminf(220 * s, w * 0.3f), sx0 = x + pad + 6 * s;
    lgv_text(c, x + pad, top, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_LEFT, 0, "time of day (background audience)");
    day_strip(v, sx0, top + lh + 1 * s, strip_w, 2.2f * lh, av->clock);
    for (int hh = 0; hh <= 24; hh += 6) {
        char t[8];
        snprintf(t, sizeof t, "%02d", hh % 24);
        lgv_text(c, sx0 + strip_w * hh / 24.0f, top + 3.3f * lh + 2 * s, LGV_FONT_SMALL, C_MUTED,
                 LGV_ALIGN_CENTER, 0, t);
    }
    float ex = sx0 + strip_w + 24 * s, ew = x + w - pad - ex;
    double elapsed = av->clock - (sc ? sc->start_minute : 0);
    if (!sc || sc->n_events == 0)
        lgv_text(c, ex, top, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_LEFT, ew, "scripted events: none in this scenario");
    else {
        lgv_textf(c, ex, top, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_LEFT, ew, "scripted events: %d of %d fired",
                  m->n_fired, sc->n_events);
        int lines = 0;
        for (int i = 0; i < 3; i++) {
            int e = lgx_model_event(m, i);
            if (e < 0) break;
            char txt[160], when[48];
            event_text(sc, e, txt, sizeof txt);
            lgv_fmt_clock(when, sizeof when, sc->start_minute + sc->events[e].time);
            int act = lgx_event_active(sc, e, elapsed);
            lgv_textf(c, ex, top + (1 + lines) * lh, LGV_FONT_SMALL, act ? C_ALERT : C_TEXT, LGV_ALIGN_LEFT, ew,
                      "%s %s  %s", act ? "\xE2\x97\x8F" : "\xE2\x97\x8B", when, txt);
            lines++;
        }
        if (m->n_fired < sc->n_events && lines < 3) { /* the next one */
            double best = INFINITY;
            int next = -1;
            for (int e = 0; e < sc->n_events; e++)
                if (!m->fired[e] && sc->events[e].time < best) best = sc->events[e].time, next = e;
            if (next >= 0) {
                char txt[160], when[48];
                event_text(sc, next, txt, sizeof txt);
                lgv_fmt_clock(when, sizeof when, sc->start_minute + sc->events[next].time);
                lgv_textf(c, ex, top + (1 + lines) * lh, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_LEFT, ew,
                          "next: %s  %s", when, txt);
            }
        }
    }
    top += 4.4f * lh + 4 * s;

    /* category legend at the bottom */
    float leg_h = lh + 6 * s;
    float gx = x + pad, gy = y + h - leg_h;
    if (sc)
        for (int k = 0; k < sc->n_categories; k++) {
            float tw = lgv_text_width(c, LGV_FONT_SMALL, sc->category_names[k]);
            if (gx + tw + 20 * s > x + w - pad) break;
            lgv_fill(c, gx, gy + 2 * s, 10 * s, 10 * s, lgv_category_color(k));
            lgv_text(c, gx + 13 * s, gy, LGV_FONT_SMALL, C_TEXT, LGV_ALIGN_LEFT, 0, sc->category_names[k]);
            gx += tw + 24 * s;
        }
    if (gx + 200 * s < x + w - pad)
        lgv_text(c, x + w - pad, gy, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_RIGHT, 0,
                 "bars: share of recommendations per agent");

    /* tiles */
    float gw = w - 2 * pad, gh = gy - top - 2 * s;
    if (gh < 10 * s || C < 1) return;
    int best_cols = 1;
    float best = -1;
    for (int cols = 1; cols <= C; cols++) {
        int rows = (C + cols - 1) / cols;
        float tw = gw / cols, th = gh / rows;
        float fit = fminf(tw / 1.7f, th);
        if (fit > best) best = fit, best_cols = cols;
    }
    int cols = best_cols, rows = (C + cols - 1) / cols;
    float tw = gw / cols, th = gh / rows, gap = tw > 30 * s ? 3 * s : 1;
    double max_share[LGX_LIVE_MAX_AGENTS];
    for (int a = 0; a < m->n_agents; a++) {
        max_share[a] = 1e-12;
        for (int ch = 0; ch < C; ch++) {
            double sh = lgx_shares_get(&m->agents[a].shares, ch);
            if (sh > max_share[a]) max_share[a] = sh;
        }
    }
    const lgx_step_rec *last = lgx_model_step(m, sel, 0);
    double logpeak = log1p(sc ? sc->audience_peak : peak);
    for (int ch = 0; ch < C; ch++) {
        int r = ch / cols, q = ch % cols;
        float tx = x + pad + q * tw, ty = top + r * th, w1 = tw - gap, h1 = th - gap;
        const lg_channel_state *cs = &av->ch[ch];
        int cat = sc ? sc->channels[ch].category : 0;
        uint32_t cc = lgv_category_color(cat);
        int air = av->mask[ch] != 0;
        lgv_fill(c, tx, ty, w1, h1, air ? mix(cc, 0xFFFFFFFF, 0.35f) : C_OFF);
        lgv_fill(c, tx, ty, fmaxf(2, 4 * s), h1, air ? mix(cc, 0xFF000000, 0.15f) : cc);
        /* name and viewers, then a concurrency bar (log scale of the daily peak) */
        float frac = cs->concurrency > 0 ? (float)(log1p(cs->concurrency) / logpeak) : 0.0f;
        if (frac > 1) frac = 1;
        int text = h1 >= lh + 12 * s && w1 >= 40 * s;
        float bar_y = text ? ty + lh + 1 * s : ty + h1 * 0.3f, ix = tx + 6 * s;
        if (text) {
            char cnt[32];
            if (!cs->launched)
                snprintf(cnt, sizeof cnt, "new");
            else if (air)
                lgv_fmt_count(cnt, sizeof cnt, cs->concurrency);
            else
                snprintf(cnt, sizeof cnt, "off");
            float cw = lgv_text(c, tx + w1 - 3 * s, ty + 1 * s, LGV_FONT_SMALL, air ? C_TEXT : C_MUTED,
                                LGV_ALIGN_RIGHT, 0, cnt);
            lgv_text(c, ix, ty + 1 * s, LGV_FONT_SMALL, air ? C_TEXT : C_MUTED, LGV_ALIGN_LEFT,
                     w1 - cw - 10 * s, sc ? sc->channels[ch].name : "");
        }
        lgv_fill(c, ix, bar_y, (w1 - 9 * s) * frac, fmaxf(2, 3 * s),
                 alpha(C_BAR, air ? 0.7f : 0.3f));
        float pct_w = 0;
        if (text && h1 >= 2 * lh + 14 * s) {
            double sh = lgx_shares_get(&av->shares, ch);
            if (sh >= 0.0005) {
                char pc[16];
                snprintf(pc, sizeof pc, "%.1f%%", 100 * sh);
                pct_w = lgv_text_width(c, LGV_FONT_SMALL, pc) + 6 * s;
                if (pct_w < w1 * 0.55f)
                    lgv_text(c, tx + w1 - 3 * s, bar_y + 4 * s, LGV_FONT_SMALL, C_TEXT, LGV_ALIGN_RIGHT, 0, pc);
                else
                    pct_w = 0;
            }
        }
        /* recommendation shares: one bar per agent, scaled to that agent's most recommended channel */
        float by0 = bar_y + 5 * s, bh = fminf(ty + h1 - 2 * s - by0, 40 * s);
        if (bh > 2) {
            float bw = fminf((w1 - 9 * s - pct_w) / m->n_agents, 14 * s);
            float base_y = ty + h1 - 2 * s;
            for (int a = 0; a < m->n_agents; a++) {
                double sh = lgx_shares_get(&m->agents[a].shares, ch) / max_share[a];
                float hh = (float)(bh * sh);
                if (hh > 0.5f)
                    lgv_fill(c, ix + a * bw, base_y - hh, bw > 4 ? bw - 1 : bw, hh, lgv_agent_color(a));
            }
        }
        /* outlines: what the selected agent just recommended to slot 0, events in effect */
        int active = 0;
        if (sc)
            for (int e = 0; e < sc->n_events; e++)
                if (m->fired[e] && sc->events[e].channel == ch && lgx_event_active(sc, e, elapsed)) active = 1;
        if (active) {
            lgv_frame(c, tx, ty, w1, h1, fmaxf(2, 2 * s), C_ALERT);
            if (text) lgv_text(c, tx + w1 / 2, ty + h1 - lh - 2 * s, LGV_FONT_BOLD, C_ALERT, LGV_ALIGN_CENTER, 0, "!");
        }
        if (last)
            for (int j = 0; j < last->k; j++)
                if (last->rec[j] == ch) lgv_frame(c, tx, ty, w1, h1, fmaxf(2, 2.5f * s), lgv_agent_color(sel));
    }
}

/* ---- the agent's mind ---------------------------------------------------------------- */

/* Bars of values[C] with a zero line; off-air channels faded; mark = index
 * to flag with a triangle (-1 none). */
static void bars(view *v, float x, float y, float w, float h, const float *val, const uint8_t *mask, int C,
                 uint32_t color, int mark, const char *title)
{
    lgv_canvas *c = v->c;
    const float s = v->s;
    float lh = lgv_line_height(c, LGV_FONT_SMALL);
    lgv_text(c, x, y, LGV_FONT_NORMAL, C_TEXT, LGV_ALIGN_LEFT, w, title);
    y += lgv_line_height(c, LGV_FONT_NORMAL) + lh * 0.5f;
    h -= lgv_line_height(c, LGV_FONT_NORMAL) + lh * 1.5f;
    if (h < 8 * s) return;
    float lo = 0, hi = 0;
    for (int i = 0; i < C; i++)
        if (isfinite(val[i])) {
            if (val[i] < lo) lo = val[i];
            if (val[i] > hi) hi = val[i];
        }
    double dlo = lo, dhi = hi + 0.15 * (hi - lo);
    lgv_nice_range(&dlo, &dhi, 3);
    double tk[8], step;
    int nt = lgv_ticks(dlo, dhi, 3, tk, 8, &step);
    char lab[32];
    float lw = 0;
    for (int i = 0; i < nt; i++) {
        lgv_fmt_tick(lab, sizeof lab, tk[i], step);
        float t = lgv_text_width(c, LGV_FONT_SMALL, lab);
        if (t > lw) lw = t;
    }
    float px0 = x + lw + 6 * s, pw = w - (px0 - x);
#define BY(vv) ((float)(y + h - ((vv) - dlo) / (dhi - dlo) * h))
    for (int i = 0; i < nt; i++) {
        lgv_fmt_tick(lab, sizeof lab, tk[i], step);
        lgv_fill(c, px0, BY(tk[i]), pw, fmaxf(1, 0.8f * s), 0xFFEDEFF2);
        lgv_text(c, px0 - 4 * s, BY(tk[i]) - lh / 2, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_RIGHT, 0, lab);
    }
    float bw = pw / C, zero = BY(0.0);
    for (int i = 0; i < C; i++) {
        if (!isfinite(val[i])) continue;
        float top = BY(val[i]);
        float bx = px0 + i * bw + (bw > 3 ? bw * 0.12f : 0), bww = bw > 3 ? bw * 0.76f : bw;
        uint32_t k = mask && !mask[i] ? alpha(color, 0.22f) : color;
        if (top < zero)
            lgv_fill(c, bx, top, bww, zero - top, k);
        else
            lgv_fill(c, bx, zero, bww, top - zero, k);
    }
    lgv_fill(c, px0, zero, pw, fmaxf(1, s), C_MUTED);
    if (mark >= 0 && mark < C) {
        float mx = px0 + (mark + 0.5f) * bw, my = BY(val[mark]) - 3 * s;
        if (my < y + 6 * s) my = y + 6 * s;
        lgv_triangle(c, mx - 4 * s, my - 7 * s, mx + 4 * s, my - 7 * s, mx, my, C_TEXT);
    }
    /* channel index ticks */
    int every = C <= 12 ? 1 : C <= 60 ? 10 : C <= 300 ? 50 : 100;
    for (int i = 0; i < C; i += every) {
        char t[16];
        snprintf(t, sizeof t, "%d", i);
        lgv_text(c, px0 + (i + 0.5f) * bw, y + h + 1 * s, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_CENTER, 0, t);
    }
#undef BY
}

static int argmax_on(const float *v, const uint8_t *mask, int C)
{
    int best = -1;
    for (int i = 0; i < C; i++)
        if ((!mask || mask[i]) && isfinite(v[i]) && (best < 0 || v[i] > v[best])) best = i;
    return best;
}

static void heat_map(view *v, float x, float y, float w, float h, const lgx_agent_view *av, int C)
{
    lgv_canvas *c = v->c;
    const float s = v->s;
    float lh = lgv_line_height(c, LGV_FONT_NORMAL);
    char t[160];
    snprintf(t, sizeof t, "Q-table: %d states \xC3\x97 %d channels (highlight: current state %d)", av->qtable_rows, C,
             av->score_row);
    lgv_text(c, x, y, LGV_FONT_NORMAL, C_TEXT, LGV_ALIGN_LEFT, w, t);
    y += lh;
    h -= lh;
    float cb_w = 46 * s;
    float mw = w - cb_w - 8 * s, mh = h;
    if (mw < 10 || mh < 10) return;
    SDL_Renderer *r = lgv_canvas_renderer(c);
    int rows = av->qtable_rows;
    SDL_Surface *img = SDL_CreateRGBSurfaceWithFormat(0, C, rows, 32, SDL_PIXELFORMAT_ARGB8888);
    if (img) {
        float lo = av->q_min, hi = av->q_max, span = hi > lo ? hi - lo : 1.0f;
        for (int rr = 0; rr < rows; rr++) {
            uint32_t *px = (uint32_t *)((uint8_t *)img->pixels + (size_t)rr * (size_t)img->pitch);
            for (int cc = 0; cc < C; cc++)
                px[cc] = lgv_heat_color((av->qtable[(size_t)rr * C + cc] - lo) / span);
        }
        SDL_Texture *tex = SDL_CreateTextureFromSurface(r, img);
        if (tex) {
            SDL_SetTextureScaleMode(tex, SDL_ScaleModeNearest);
            SDL_FRect dst = {x, y, mw, mh};
            SDL_RenderCopyF(r, tex, NULL, &dst);
            SDL_DestroyTexture(tex);
        }
        SDL_FreeSurface(img);
    }
    if (av->score_row >= 0 && av->score_row < rows) {
        float ry = y + mh * av->score_row / rows, rh = fmaxf(2 * s, mh / rows);
        lgv_frame(c, x - 2 * s, ry - 1 * s, mw + 4 * s, rh + 2 * s, fmaxf(1, 1.5f * s), 0xFFFF2D55);
    }
    lgv_frame(c, x, y, mw, mh, fmaxf(1, 0.8f * s), C_BORDER);
    /* colour bar */
    float bx = x + mw + 8 * s, bh = mh - 2 * lgv_line_height(c, LGV_FONT_SMALL);
    float by = y + lgv_line_height(c, LGV_FONT_SMALL);
    for (int i = 0; i < 32; i++)
        lgv_fill(c, bx, by + bh * (31 - i) / 32.0f, 10 * s, bh / 32.0f + 1, lgv_heat_color(i / 31.0f));
    char lab[32];
    snprintf(lab, sizeof lab, "%.3g", av->q_max);
    lgv_text(c, bx, y, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_LEFT, cb_w, lab);
    snprintf(lab, sizeof lab, "%.3g", av->q_min);
    lgv_text(c, bx, by + bh, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_LEFT, cb_w, lab);
}

static void panel_mind(view *v, float x, float y, float w, float h)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const float s = v->s, pad = 8 * s;
    const int sel = v->ui->selected < m->n_agents ? v->ui->selected : 0;
    const lgx_agent_view *av = &m->agents[sel];
    const int C = m->n_channels;
    char note[160];
    if (av->has_epsilon)
        snprintf(note, sizeof note, "%s \xC2\xB7 \xCE\xB5 = %.3f", av->label, av->epsilon_now);
    else
        snprintf(note, sizeof note, "%s", av->label);
    float top = card(v, x, y, w, h, "agent's mind", note);
    float avail = y + h - top - 4 * s;
    float lh = lgv_line_height(c, LGV_FONT_NORMAL);
    int heat = av->qtable_rows > 0 && av->score_rows == av->qtable_rows;
    float bar_h = heat ? avail * 0.3f : avail * 0.5f;
    int oracle_pick = argmax_on(av->truth, av->mask, C);
    if (av->score_rows > 0) {
        char t[200];
        if (av->score_rows == 1)
            snprintf(t, sizeof t, "its value of each channel for slot 0's viewer; \xE2\x96\xBC = greedy choice");
        else
            snprintf(t, sizeof t, "its action values Q(s, c) for slot 0's viewer, state s = %d; \xE2\x96\xBC = greedy choice",
                     av->score_row);
        bars(v, x + pad, top, w - 2 * pad, bar_h - 4 * s, av->scores, av->mask, C, lgv_agent_color(sel),
             argmax_on(av->scores, av->mask, C), t);
    } else {
        lgv_fill(c, x + pad, top, w - 2 * pad, bar_h - 6 * s, 0xFFF7F8FA);
        lgv_textf(c, x + w / 2, top + bar_h / 2 - lh, LGV_FONT_NORMAL, C_MUTED, LGV_ALIGN_CENTER, w - 2 * pad,
                  "no scores exposed by \"%s\"", av->name);
        lgv_text(c, x + w / 2, top + bar_h / 2, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_CENTER, w - 2 * pad,
                 av->cheats ? "(it reads the ground truth below)"
                            : "(its state has no \"q\" table the viewer can read)");
    }
    top += bar_h;
    bars(v, x + pad, top, w - 2 * pad, bar_h - 4 * s, av->truth, av->mask, C, 0xFF555555, oracle_pick,
         "ground truth (oracle): expected immediate reward per channel");
    top += bar_h;
    if (heat) heat_map(v, x + pad, top + 2 * s, w - 2 * pad, y + h - top - 8 * s, av, C);
}

/* ---- the live session ------------------------------------------------------------------ */

static void rec_text(const lgx_model *m, const lgx_step_rec *r, char *buf, size_t n)
{
    buf[0] = 0;
    char nb[32];
    for (int j = 0; j < r->k; j++) {
        size_t l = strlen(buf);
        snprintf(buf + l, n - l, "%s%s", j ? ", " : "", channel_name(m, r->rec[j], nb, sizeof nb));
    }
}

static void panel_session(view *v, float x, float y, float w, float h)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const lg_scenario *sc = m->sc;
    const float s = v->s, pad = 8 * s;
    const int sel = v->ui->selected < m->n_agents ? v->ui->selected : 0;
    const lgx_agent_view *av = &m->agents[sel];
    char note[120];
    snprintf(note, sizeof note, "slot 0 of %s's seed-1 training env", av->label);
    float top = card(v, x, y, w, h, "live session", note);
    float lh = lgv_line_height(c, LGV_FONT_NORMAL), sh = lgv_line_height(c, LGV_FONT_SMALL);
    const lgx_step_rec *last = lgx_model_step(m, sel, 0);
    float cx = x + pad, cw = w - 2 * pad;
    if (!last) {
        lgv_text(c, cx, top, LGV_FONT_NORMAL, C_MUTED, LGV_ALIGN_LEFT, cw, "no step yet");
        return;
    }
    const int live = is_live(m);
    char nb[32];
    const char *seg = live && last->segment >= 0 && last->segment < sc->n_segments ? sc->segments[last->segment].name : "-";
    int max_steps = sc ? sc->max_session_steps : 0;
    if (live)
        lgv_textf(c, cx, top, LGV_FONT_BOLD, C_TEXT, LGV_ALIGN_LEFT, cw,
                  "viewer #%d \xC2\xB7 segment %s \xC2\xB7 step %d of at most %d", last->viewer, seg,
                  last->session_step, max_steps);
    else
        lgv_textf(c, cx, top, LGV_FONT_BOLD, C_TEXT, LGV_ALIGN_LEFT, cw, "episode step %d", last->session_step);
    top += lh + 2 * s;
    /* budget */
    float patience = live && last->segment >= 0 && last->segment < sc->n_segments ? sc->segments[last->segment].patience : 60;
    float full = 1.5f * patience, frac = last->budget_left / (full > 0 ? full : 1);
    if (frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    float bw = fminf(cw * 0.45f, 240 * s);
    lgv_fill(c, cx, top + 3 * s, bw, sh - 4 * s, 0xFFE9ECEF);
    lgv_fill(c, cx, top + 3 * s, bw * frac, sh - 4 * s, frac < 0.2f ? C_ALERT : 0xFF009E73);
    lgv_textf(c, cx + bw + 8 * s, top, LGV_FONT_SMALL, C_TEXT, LGV_ALIGN_LEFT, cw - bw - 8 * s,
              "budget left %.1f min \xC2\xB7 session return so far %.1f", last->budget_left, last->session_return);
    top += sh + 4 * s;
    char rec[160];
    rec_text(m, last, rec, sizeof rec);
    lgv_textf(c, cx, top, LGV_FONT_NORMAL, C_TEXT, LGV_ALIGN_LEFT, cw, "recommended: %s", rec);
    top += lh;
    if (last->watched >= 0)
        lgv_textf(c, cx, top, LGV_FONT_NORMAL, C_TEXT, LGV_ALIGN_LEFT, cw, "watched: %s for %.1f min \xC2\xB7 reward %.2f",
                  channel_name(m, last->watched, nb, sizeof nb), last->minutes, last->reward);
    else
        lgv_textf(c, cx, top, LGV_FONT_NORMAL, C_MUTED, LGV_ALIGN_LEFT, cw, "watched: nothing%s \xC2\xB7 reward %.2f",
                  last->invalid ? " (invalid recommendation)" : "", last->reward);
    top += lh;
    if (last->ended) {
        lgv_text(c, cx, top, LGV_FONT_NORMAL, C_ALERT, LGV_ALIGN_LEFT, cw,
                 last->ended == 1 ? "session over: budget spent; a new viewer arrives"
                                  : "session over: step limit reached; a new viewer arrives");
    }
    top += lh + 2 * s;

    /* recent steps, newest first */
    float col[6] = {0, 0.09f, 0.44f, 0.76f, 0.87f, 1.0f};
    static const char *const head[5] = {"step", "recommended", "watched", "min", "budget"};
    for (int k = 0; k < 5; k++)
        lgv_text(c, cx + col[k] * cw + (k >= 3 ? (col[k + 1] - col[k]) * cw - 4 * s : 0), top, LGV_FONT_SMALL,
                 C_MUTED, k >= 3 ? LGV_ALIGN_RIGHT : LGV_ALIGN_LEFT, 0, head[k]);
    top += sh;
    lgv_fill(c, cx, top, cw, fmaxf(1, 0.8f * s), C_BORDER);
    top += 2 * s;
    float foot = y + h - sh - 6 * s;
    for (int i = 0; top + sh <= foot; i++) {
        const lgx_step_rec *r = lgx_model_step(m, sel, i);
        if (!r) break;
        if (r->ended && i > 0) {
            lgv_fill(c, cx, top + sh * 0.5f, cw, fmaxf(1, s), alpha(C_ALERT, 0.5f));
            lgv_text(c, cx + cw / 2, top, LGV_FONT_SMALL, C_ALERT, LGV_ALIGN_CENTER, 0, " session ended ");
            top += sh;
            if (top + sh > foot) break;
        }
        uint32_t tc = i == 0 ? C_TEXT : C_MUTED;
        char b[160];
        snprintf(b, sizeof b, "%d", r->session_step);
        lgv_text(c, cx, top, LGV_FONT_SMALL, tc, LGV_ALIGN_LEFT, 0, b);
        rec_text(m, r, b, sizeof b);
        lgv_text(c, cx + col[1] * cw, top, LGV_FONT_SMALL, tc, LGV_ALIGN_LEFT, (col[2] - col[1]) * cw - 6 * s, b);
        lgv_text(c, cx + col[2] * cw, top, LGV_FONT_SMALL, r->watched >= 0 ? tc : C_FAINT, LGV_ALIGN_LEFT,
                 (col[3] - col[2]) * cw - 6 * s, r->watched >= 0 ? channel_name(m, r->watched, nb, sizeof nb) : "\xE2\x80\x94");
        snprintf(b, sizeof b, "%.1f", r->minutes);
        lgv_text(c, cx + col[4] * cw - 4 * s, top, LGV_FONT_SMALL, tc, LGV_ALIGN_RIGHT, 0, b);
        snprintf(b, sizeof b, "%.1f", r->budget_left);
        lgv_text(c, cx + cw - 4 * s, top, LGV_FONT_SMALL, tc, LGV_ALIGN_RIGHT, 0, b);
        top += sh;
    }
    char ses[32], ev[64], on[64];
    lgv_fmt_count(ses, sizeof ses, (double)av->sessions);
    if (isfinite(av->last_eval)) {
        if (isfinite(av->last_eval_ci))
            snprintf(ev, sizeof ev, "%.1f \xC2\xB1 %.1f", av->last_eval, av->last_eval_ci);
        else
            snprintf(ev, sizeof ev, "%.1f", av->last_eval);
    } else
        snprintf(ev, sizeof ev, "-");
    if (isfinite(av->online_now))
        snprintf(on, sizeof on, "%.1f", av->online_now);
    else
        snprintf(on, sizeof on, "-");
    lgv_textf(c, cx, y + h - sh - 4 * s, LGV_FONT_SMALL, C_MUTED, LGV_ALIGN_LEFT, cw,
              "%s training sessions \xC2\xB7 online return (last 100) %s \xC2\xB7 last evaluation %s", ses, on, ev);
}

/* ---- bars, tabs, help ------------------------------------------------------------------- */

static void top_bar(view *v, float w, float h, const lgv_view_status *st)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const float s = v->s;
    lgv_fill(c, 0, 0, w, h, C_BAR);
    float lh = lgv_line_height(c, LGV_FONT_LARGE), y = (h - lh) / 2;
    float x = 10 * s;
    x += lgv_text(c, x, y, LGV_FONT_LARGE, 0xFFFFFFFF, LGV_ALIGN_LEFT, 0, "livegym watch") + 14 * s;
    char clk[48], steps[32], rate[32], speed[32], buf[400];
    lgv_fmt_clock(clk, sizeof clk, m->clock);
    lgv_fmt_count(steps, sizeof steps, (double)m->steps);
    lgv_fmt_count(rate, sizeof rate, m->steps_per_sec);
    lgv_speed_name(v->ui->speed, speed, sizeof speed);
    const char *state = m->done ? "DONE" : v->ui->paused ? "PAUSED" : "TRAINING";
    int n = snprintf(buf, sizeof buf, "%s \xC2\xB7 %s \xC2\xB7 %s slot-steps per agent", m->sc ? m->sc->name : "", clk, steps);
    if (st) {
        n += snprintf(buf + n, sizeof buf - (size_t)n, " \xC2\xB7 %s slot-steps/s \xC2\xB7 %.0f fps \xC2\xB7 speed %s", rate,
                      st->fps, speed);
    }
    float nh = lgv_line_height(c, LGV_FONT_NORMAL);
    float hint_w = lgv_text_width(c, LGV_FONT_BOLD, "h: help") + 20 * s;
    float state_w = lgv_text_width(c, LGV_FONT_BOLD, state) + 24 * s;
    x += lgv_text(c, x, (h - nh) / 2, LGV_FONT_NORMAL, 0xFFDDE1E6, LGV_ALIGN_LEFT, w - x - hint_w - state_w - 10 * s, buf);
    uint32_t sc = m->done ? 0xFF009E73 : v->ui->paused ? 0xFFE69F00 : 0xFF56B4E9;
    float sx = w - hint_w - state_w;
    lgv_fill(c, sx, (h - nh) / 2 - 2 * s, state_w - 10 * s, nh + 4 * s, sc);
    lgv_text(c, sx + (state_w - 10 * s) / 2, (h - nh) / 2, LGV_FONT_BOLD, 0xFF000000, LGV_ALIGN_CENTER, 0, state);
    lgv_text(c, w - 10 * s, (h - nh) / 2, LGV_FONT_BOLD, 0xFFFFFFFF, LGV_ALIGN_RIGHT, 0, "h: help");
}

static void tabs(view *v, float y, float w, float h, const lgv_view_status *st)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const float s = v->s;
    lgv_fill(c, 0, y, w, h, 0xFFE6E9ED);
    float nh = lgv_line_height(c, LGV_FONT_NORMAL), x = 8 * s;
    for (int a = 0; a < m->n_agents; a++) {
        const lgx_agent_view *av = &m->agents[a];
        char t[80];
        snprintf(t, sizeof t, "%d  %s%s", a + 1, av->label, av->cheats ? " (cheats)" : "");
        int selected = a == v->ui->selected;
        lgv_font f = selected ? LGV_FONT_BOLD : LGV_FONT_NORMAL;
        float tw = lgv_text_width(c, f, t) + 30 * s;
        if (x + tw > w * 0.72f) break;
        if (selected) {
            lgv_fill(c, x, y + 3 * s, tw, h - 6 * s, C_CARD);
            lgv_frame(c, x, y + 3 * s, tw, h - 6 * s, fmaxf(1, s), lgv_agent_color(a));
        }
        lgv_fill(c, x + 8 * s, y + h / 2 - 5 * s, 10 * s, 10 * s, lgv_agent_color(a));
        lgv_text(c, x + 22 * s, y + (h - nh) / 2, f, C_TEXT, LGV_ALIGN_LEFT, 0, t);
        x += tw + 6 * s;
    }
    const char *hint = st ? (st->toast ? st->toast : "tab/1-9 agent \xC2\xB7 space pause \xC2\xB7 +/- speed \xC2\xB7 h: help")
                          : "snapshot (livegym watch --snapshot)";
    lgv_text(c, w - 10 * s, y + (h - nh) / 2, LGV_FONT_NORMAL, st && st->toast ? 0xFF0072B2 : C_MUTED, LGV_ALIGN_RIGHT,
             w - x - 20 * s, hint);
}

static void help(view *v, float w, float h)
{
    lgv_canvas *c = v->c;
    const float s = v->s;
    static const char *const keys[][2] = {
        {"space", "pause / resume training"},
        {"n", "one step (when paused)"},
        {"+ / -", "faster / slower (1 step/s ... max)"},
        {"tab, 1-9", "select the agent shown in the panels"},
        {"c", "show / hide learning curves"},
        {"p", "show / hide the platform"},
        {"m", "show / hide the agent's mind"},
        {"s", "show / hide the live session"},
        {"F12 or x", "save a screenshot (PNG)"},
        {"h", "this help"},
        {"q or Esc", "quit (training stops cleanly)"},
    };
    int n = (int)(sizeof keys / sizeof keys[0]);
    float lh = lgv_line_height(c, LGV_FONT_NORMAL) * 1.25f;
    float bw = fminf(520 * s, w - 40 * s), bh = (n + 2.5f) * lh + 20 * s;
    float bx = (w - bw) / 2, by = (h - bh) / 2;
    lgv_fill(c, 0, 0, w, h, 0x66000000);
    lgv_fill(c, bx, by, bw, bh, C_CARD);
    lgv_frame(c, bx, by, bw, bh, fmaxf(1, 2 * s), C_BAR);
    lgv_text(c, bx + 16 * s, by + 10 * s, LGV_FONT_LARGE, C_TEXT, LGV_ALIGN_LEFT, 0, "keys");
    float y = by + 14 * s + lh * 1.2f;
    for (int i = 0; i < n; i++) {
        lgv_text(c, bx + 16 * s, y, LGV_FONT_BOLD, C_TEXT, LGV_ALIGN_LEFT, 0, keys[i][0]);
        lgv_text(c, bx + 130 * s, y, LGV_FONT_NORMAL, C_TEXT, LGV_ALIGN_LEFT, bw - 146 * s, keys[i][1]);
        y += lh;
    }
}

void lgv_draw_view(lgv_canvas *c, int W, int H, const lgx_model *m, const lgv_ui *ui, const lgv_view_status *st)
{
    view v = {c, m, ui, lgv_canvas_scale(c)};
    const float s = v.s, w = (float)W, h = (float)H;
    lgv_clear(c, C_BG);
    float tb = 34 * s, bb = 32 * s, gap = 8 * s;
    top_bar(&v, w, tb, st);
    tabs(&v, h - bb, w, bb, st);
    float y0 = tb + gap, y1 = h - bb - gap, x0 = gap, x1 = w - gap;
    int show_l[2] = {ui->show[LGV_PANEL_CURVES], ui->show[LGV_PANEL_PLATFORM]};
    int show_r[2] = {ui->show[LGV_PANEL_MIND], ui->show[LGV_PANEL_SESSION]};
    int left = show_l[0] || show_l[1], right = show_r[0] || show_r[1];
    if (!left && !right) {
        lgv_text(c, w / 2, h / 2, LGV_FONT_LARGE, C_MUTED, LGV_ALIGN_CENTER, 0,
                 "all panels hidden: press c, p, m or s");
    } else {
        float split = left && right ? x0 + (x1 - x0) * 0.58f : left ? x1 : x0 - gap;
        if (left) {
            float mid = show_l[0] && show_l[1] ? y0 + (y1 - y0) * 0.47f : show_l[0] ? y1 : y0 - gap;
            if (show_l[0]) panel_curves(&v, x0, y0, split - x0, mid - y0);
            if (show_l[1]) panel_platform(&v, x0, mid + gap, split - x0, y1 - mid - gap);
        }
        if (right) {
            float rx = split + gap;
            float mid = show_r[0] && show_r[1] ? y0 + (y1 - y0) * 0.56f : show_r[0] ? y1 : y0 - gap;
            if (show_r[0]) panel_mind(&v, rx, y0, x1 - rx, mid - y0);
            if (show_r[1]) panel_session(&v, rx, mid + gap, x1 - rx, y1 - mid - gap);
        }
    }
    if (ui->help) help(&v, w, h);
    lgv_canvas_end_frame(c);
}
