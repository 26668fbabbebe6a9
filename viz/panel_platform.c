/* The platform panel: the clock, scripted events, one tile per channel. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lgx_events.h"
#include "panels.h"

static void day_strip(view *v, float x, float y, float w, float h, double clock)
{
    lgv_canvas *c = v->c;
    const lg_scenario *sc = v->m->sc;
    lgv_fill(c, x, y, w, h, LGV_WELL);
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
    lgv_band(c, xs, lo, hi, n + 1, LGV_AUDIENCE_FILL);
    lgv_polyline(c, pts, n + 1, 1.2f * v->s, 0, LGV_AUDIENCE_LINE);
    for (int hh = 0; hh <= 24; hh += 6) {
        float xx = x + w * hh / 24.0f;
        lgv_fill(c, xx, y + h - 3 * v->s, fmaxf(1, v->s), 3 * v->s, LGV_MUTED);
    }
    double tod = fmod(clock, 1440.0) / 60.0;
    float mx = x + (float)(w * tod / 24.0);
    lgv_fill(c, mx - v->s, y - 2 * v->s, 2 * v->s, h + 4 * v->s, LGV_ALERT);
    lgv_frame(c, x, y, w, h, fmaxf(1, v->s * 0.8f), LGV_BORDER);
}

/* The platform panel, top to bottom: the clock strip and the scripted events,
 * one tile per channel, the category legend. Sizes at scale 1. */
#define PLATFORM_STRIP_W 220.0f   /* the day strip, at most 30% of the panel */
#define PLATFORM_EVENTS_GAP 24.0f /* between the strip and the event list */
#define PLATFORM_EVENTS_SHOWN 3   /* latest fired events listed (or the next one) */
#define TILE_ASPECT 1.7f          /* preferred width / height of a channel tile */
#define TILE_SHARE_BAR_W 14.0f    /* widest per-agent share bar */
#define TILE_SHARE_BAR_H 40.0f    /* tallest per-agent share bar */

/* One line of the event list: a fired event (filled dot when in effect). */
static void event_line(view *v, float x, float y, float w, int e, double elapsed)
{
    const lg_scenario *sc = v->m->sc;
    char txt[160], when[48];
    lgx_event_text(sc, e, txt, sizeof txt);
    lgv_fmt_clock(when, sizeof when, sc->start_minute + sc->events[e].time);
    int act = lgx_event_active(sc, e, elapsed);
    lgv_textf(v->c, x, y, LGV_FONT_SMALL, act ? LGV_ALERT : LGV_TEXT, LGV_ALIGN_LEFT, w, "%s %s  %s",
              act ? "\xE2\x97\x8F" : "\xE2\x97\x8B", when, txt);
}

/* The day strip with its hour labels, and the scripted events beside it.
 * Returns the height used. */
static float platform_clock(view *v, float x, float top, float w, double clock)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const lg_scenario *sc = m->sc;
    const float s = v->s, pad = 8 * s, lh = lgv_line_height(c, LGV_FONT_SMALL);
    float strip_w = fminf(PLATFORM_STRIP_W * s, w * 0.3f), sx0 = x + pad + 6 * s;
    lgv_text(c, x + pad, top, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_LEFT, 0, "time of day (background audience)");
    day_strip(v, sx0, top + lh + 1 * s, strip_w, 2.2f * lh, clock);
    for (int hh = 0; hh <= 24; hh += 6) {
        char t[8];
        snprintf(t, sizeof t, "%02d", hh % 24);
        lgv_text(c, sx0 + strip_w * hh / 24.0f, top + 3.3f * lh + 2 * s, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_CENTER, 0,
                 t);
    }
    float ex = sx0 + strip_w + PLATFORM_EVENTS_GAP * s, ew = x + w - pad - ex;
    double elapsed = clock - (sc ? sc->start_minute : 0);
    if (!sc || sc->n_events == 0) {
        lgv_text(c, ex, top, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_LEFT, ew, "scripted events: none in this scenario");
        return 4.4f * lh + 4 * s;
    }
    lgv_textf(c, ex, top, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_LEFT, ew, "scripted events: %d of %d fired", m->n_fired,
              sc->n_events);
    int lines = 0;
    for (int e; lines < PLATFORM_EVENTS_SHOWN && (e = lgx_model_event(m, lines)) >= 0; lines++)
        event_line(v, ex, top + (1 + lines) * lh, ew, e, elapsed);
    if (m->n_fired < sc->n_events && lines < PLATFORM_EVENTS_SHOWN) { /* the next one */
        double best = INFINITY;
        int next = -1;
        for (int e = 0; e < sc->n_events; e++)
            if (!m->fired[e] && sc->events[e].time < best) best = sc->events[e].time, next = e;
        if (next >= 0) {
            char txt[160], when[48];
            lgx_event_text(sc, next, txt, sizeof txt);
            lgv_fmt_clock(when, sizeof when, sc->start_minute + sc->events[next].time);
            lgv_textf(c, ex, top + (1 + lines) * lh, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_LEFT, ew, "next: %s  %s", when,
                      txt);
        }
    }
    return 4.4f * lh + 4 * s;
}

/* The category colours along the bottom; returns the legend's top y. */
static float platform_legend(view *v, float x, float y, float w, float h)
{
    lgv_canvas *c = v->c;
    const lg_scenario *sc = v->m->sc;
    const float s = v->s, pad = 8 * s, lh = lgv_line_height(c, LGV_FONT_SMALL);
    float gx = x + pad, gy = y + h - (lh + 6 * s);
    if (sc)
        for (int k = 0; k < sc->n_categories; k++) {
            float tw = lgv_text_width(c, LGV_FONT_SMALL, sc->category_names[k]);
            if (gx + tw + 20 * s > x + w - pad) break;
            lgv_fill(c, gx, gy + 2 * s, 10 * s, 10 * s, lgv_category_color(k));
            lgv_text(c, gx + 13 * s, gy, LGV_FONT_SMALL, LGV_TEXT, LGV_ALIGN_LEFT, 0, sc->category_names[k]);
            gx += tw + 24 * s;
        }
    if (gx + 200 * s < x + w - pad)
        lgv_text(c, x + w - pad, gy, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_RIGHT, 0,
                 "bars: share of recommendations per agent");
    return gy;
}

/* What every tile shares. */
typedef struct {
    int sel;
    double elapsed, logpeak;
    double max_share[LGX_LIVE_MAX_AGENTS]; /* each agent's largest share: its bars' full height */
    const lgx_step_rec *last;              /* the selected agent's latest step */
} tile_context;

/* A tile's name and viewers (or "new", "off"); returns the width of the count. */
static float tile_label(view *v, float tx, float ty, float w1, int ch, int air)
{
    const lgx_agent_view *av = &v->m->agents[v->ui->selected < v->m->n_agents ? v->ui->selected : 0];
    const lg_channel_state *cs = &av->ch[ch];
    const lg_scenario *sc = v->m->sc;
    const float s = v->s;
    char cnt[32], name[LG_NAME_LEN + 8];
    if (!cs->launched)
        snprintf(cnt, sizeof cnt, "new");
    else if (air)
        lgv_fmt_count(cnt, sizeof cnt, cs->concurrency);
    else
        snprintf(cnt, sizeof cnt, "off");
    float cw = lgv_text(v->c, tx + w1 - 3 * s, ty + 1 * s, LGV_FONT_SMALL, air ? LGV_TEXT : LGV_MUTED, LGV_ALIGN_RIGHT,
                        0, cnt);
    lgv_text(v->c, tx + 6 * s, ty + 1 * s, LGV_FONT_SMALL, air ? LGV_TEXT : LGV_MUTED, LGV_ALIGN_LEFT, w1 - cw - 10 * s,
             sc ? lgv_channel_name(v->m, ch, name, sizeof name) : "");
    return cw;
}

/* One channel: category colour, name and viewers, a concurrency bar (log
 * scale of the daily peak), the selected agent's share, every agent's share
 * bar, and outlines for events in effect and for what was just recommended. */
static void tile(view *v, const tile_context *t, int ch, float tx, float ty, float w1, float h1)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const lg_scenario *sc = m->sc;
    const lgx_agent_view *av = &m->agents[t->sel];
    const lg_channel_state *cs = &av->ch[ch];
    const float s = v->s, lh = lgv_line_height(c, LGV_FONT_SMALL);
    uint32_t cc = lgv_category_color(sc ? lg_scenario_channel_category(sc, ch) : 0);
    int air = av->mask[ch] != 0;
    lgv_fill(c, tx, ty, w1, h1, air ? lgv_mix(cc, 0xFFFFFFFF, 0.35f) : LGV_OFF);
    lgv_fill(c, tx, ty, fmaxf(2, 4 * s), h1, air ? lgv_mix(cc, 0xFF000000, 0.15f) : cc);
    float frac = cs->concurrency > 0 ? (float)(log1p(cs->concurrency) / t->logpeak) : 0.0f;
    if (frac > 1) frac = 1;
    int text = h1 >= lh + 12 * s && w1 >= 40 * s;
    float bar_y = text ? ty + lh + 1 * s : ty + h1 * 0.3f, ix = tx + 6 * s;
    if (text) tile_label(v, tx, ty, w1, ch, air);
    lgv_fill(c, ix, bar_y, (w1 - 9 * s) * frac, fmaxf(2, 3 * s), lgv_with_alpha(LGV_BAR, air ? 0.7f : 0.3f));
    float pct_w = 0;
    if (text && h1 >= 2 * lh + 14 * s) {
        double sh = lgx_shares_get(&av->shares, ch);
        if (sh >= 0.0005) {
            char pc[16];
            snprintf(pc, sizeof pc, "%.1f%%", 100 * sh);
            pct_w = lgv_text_width(c, LGV_FONT_SMALL, pc) + 6 * s;
            if (pct_w < w1 * 0.55f)
                lgv_text(c, tx + w1 - 3 * s, bar_y + 4 * s, LGV_FONT_SMALL, LGV_TEXT, LGV_ALIGN_RIGHT, 0, pc);
            else
                pct_w = 0;
        }
    }
    float by0 = bar_y + 5 * s, bh = fminf(ty + h1 - 2 * s - by0, TILE_SHARE_BAR_H * s);
    if (bh > 2) {
        float bw = fminf((w1 - 9 * s - pct_w) / m->n_agents, TILE_SHARE_BAR_W * s);
        float base_y = ty + h1 - 2 * s;
        for (int a = 0; a < m->n_agents; a++) {
            double sh = lgx_shares_get(&m->agents[a].shares, ch) / t->max_share[a];
            float hh = (float)(bh * sh);
            if (hh > 0.5f) lgv_fill(c, ix + a * bw, base_y - hh, bw > 4 ? bw - 1 : bw, hh, lgv_agent_color(a));
        }
    }
    int active = 0;
    if (sc)
        for (int e = 0; e < sc->n_events; e++)
            if (m->fired[e] && sc->events[e].channel == ch && lgx_event_active(sc, e, t->elapsed)) active = 1;
    if (active) {
        lgv_frame(c, tx, ty, w1, h1, fmaxf(2, 2 * s), LGV_ALERT);
        if (text) lgv_text(c, tx + w1 / 2, ty + h1 - lh - 2 * s, LGV_FONT_BOLD, LGV_ALERT, LGV_ALIGN_CENTER, 0, "!");
    }
    if (t->last)
        for (int j = 0; j < t->last->k; j++)
            if (t->last->rec[j] == ch) lgv_frame(c, tx, ty, w1, h1, fmaxf(2, 2.5f * s), lgv_agent_color(t->sel));
}

/* The tiles in the grid that makes them largest at TILE_ASPECT. */
static void platform_tiles(view *v, float x, float top, float gw, float gh, double peak)
{
    const lgx_model *m = v->m;
    const lg_scenario *sc = m->sc;
    const int C = m->n_channels;
    int cols = 1;
    float best = -1;
    for (int k = 1; k <= C; k++) {
        int rows = (C + k - 1) / k;
        float fit = fminf(gw / k / TILE_ASPECT, gh / rows);
        if (fit > best) best = fit, cols = k;
    }
    int rows = (C + cols - 1) / cols;
    float tw = gw / cols, th = gh / rows, gap = tw > 30 * v->s ? 3 * v->s : 1;
    tile_context t;
    t.sel = v->ui->selected < m->n_agents ? v->ui->selected : 0;
    t.elapsed = m->agents[t.sel].clock - (sc ? sc->start_minute : 0);
    t.logpeak = log1p(sc ? sc->audience_peak : peak);
    t.last = lgx_model_step(m, t.sel, 0);
    for (int a = 0; a < m->n_agents; a++) {
        t.max_share[a] = 1e-12;
        for (int ch = 0; ch < C; ch++) {
            double sh = lgx_shares_get(&m->agents[a].shares, ch);
            if (sh > t.max_share[a]) t.max_share[a] = sh;
        }
    }
    for (int ch = 0; ch < C; ch++) {
        int r = ch / cols, q = ch % cols;
        tile(v, &t, ch, x + q * tw, top + r * th, tw - gap, th - gap);
    }
}

void lgv_panel_platform(view *v, float x, float y, float w, float h)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const float s = v->s, pad = 8 * s;
    const lgx_agent_view *av = &m->agents[v->ui->selected < m->n_agents ? v->ui->selected : 0];
    const int C = m->n_channels;
    if (!lgv_is_live(m)) {
        float top = lgv_card(v, x, y, w, h, "platform", lg_env_kind_name(m->sc ? m->sc->kind : LG_KIND_LIVE));
        lgv_text(c, x + w / 2, top + (y + h - top) / 2 - 10 * s, LGV_FONT_NORMAL, LGV_MUTED, LGV_ALIGN_CENTER, w - 2 * pad,
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
    float top = lgv_card(v, x, y, w, h, "platform", note);
    top += platform_clock(v, x, top, w, av->clock);
    float gy = platform_legend(v, x, y, w, h);
    float gw = w - 2 * pad, gh = gy - top - 2 * s;
    if (gh < 10 * s || C < 1) return;
    platform_tiles(v, x + pad, top, gw, gh, peak);
}
