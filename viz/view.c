/* The live viewer as a whole (lgv_draw_view): the panels laid out under the
 * top bar and the agent tabs, the help overlay, and what the panels share.
 * Everything is drawn from an lgx_model copy and the UI state; nothing here
 * touches an env or an agent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels.h"

/* A card with a title; returns the content's top y. */
float lgv_card(view *v, float x, float y, float w, float h, const char *title, const char *note)
{
    lgv_canvas *c = v->c;
    lgv_fill(c, x, y, w, h, LGV_CARD);
    lgv_frame(c, x, y, w, h, fmaxf(1.0f, v->s), LGV_BORDER);
    float pad = 8 * v->s;
    float tw = lgv_text(c, x + pad, y + 5 * v->s, LGV_FONT_LARGE, LGV_TEXT, LGV_ALIGN_LEFT, w - 2 * pad, title);
    if (note && note[0]) {
        float lh = lgv_line_height(c, LGV_FONT_LARGE), nh = lgv_line_height(c, LGV_FONT_NORMAL);
        lgv_text(c, x + pad + tw + 12 * v->s, y + 5 * v->s + (lh - nh) * 0.6f, LGV_FONT_NORMAL, LGV_MUTED,
                 LGV_ALIGN_LEFT, w - 2 * pad - tw - 12 * v->s, note);
    }
    return y + 5 * v->s + lgv_line_height(c, LGV_FONT_LARGE) + 3 * v->s;
}

int lgv_is_live(const lgx_model *m) { return m->sc && m->sc->kind == LG_KIND_LIVE; }

/* A channel's name (classic envs: "action k"); buf holds the latter. */
const char *lgv_channel_name(const lgx_model *m, int ch, char *buf, size_t n)
{
    if (ch < 0 || ch >= m->n_channels) return "?";
    if (!lgv_is_live(m)) {
        snprintf(buf, n, "action %d", ch);
        return buf;
    }
    lg_channel_spec spec;
    lg_scenario_channel(m->sc, ch, &spec);
    snprintf(buf, n, "%s", spec.name);
    return buf;
}

static void top_bar(view *v, float w, float h, const lgv_view_status *st)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const float s = v->s;
    lgv_fill(c, 0, 0, w, h, LGV_BAR);
    float lh = lgv_line_height(c, LGV_FONT_LARGE), y = (h - lh) / 2;
    float x = 10 * s;
    x += lgv_text(c, x, y, LGV_FONT_LARGE, LGV_CARD, LGV_ALIGN_LEFT, 0, "livegym watch") + 14 * s;
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
    x += lgv_text(c, x, (h - nh) / 2, LGV_FONT_NORMAL, LGV_BAR_TEXT, LGV_ALIGN_LEFT, w - x - hint_w - state_w - 10 * s, buf);
    uint32_t sc = m->done ? LGV_DONE : v->ui->paused ? LGV_PAUSED : LGV_RUNNING;
    float sx = w - hint_w - state_w;
    lgv_fill(c, sx, (h - nh) / 2 - 2 * s, state_w - 10 * s, nh + 4 * s, sc);
    lgv_text(c, sx + (state_w - 10 * s) / 2, (h - nh) / 2, LGV_FONT_BOLD, 0xFF000000, LGV_ALIGN_CENTER, 0, state);
    lgv_text(c, w - 10 * s, (h - nh) / 2, LGV_FONT_BOLD, LGV_CARD, LGV_ALIGN_RIGHT, 0, "h: help");
}

static void tabs(view *v, float y, float w, float h, const lgv_view_status *st)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const float s = v->s;
    lgv_fill(c, 0, y, w, h, LGV_TABS);
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
            lgv_fill(c, x, y + 3 * s, tw, h - 6 * s, LGV_CARD);
            lgv_frame(c, x, y + 3 * s, tw, h - 6 * s, fmaxf(1, s), lgv_agent_color(a));
        }
        lgv_fill(c, x + 8 * s, y + h / 2 - 5 * s, 10 * s, 10 * s, lgv_agent_color(a));
        lgv_text(c, x + 22 * s, y + (h - nh) / 2, f, LGV_TEXT, LGV_ALIGN_LEFT, 0, t);
        x += tw + 6 * s;
    }
    const char *hint = st ? (st->toast ? st->toast : "tab/1-9 agent \xC2\xB7 space pause \xC2\xB7 +/- speed \xC2\xB7 h: help")
                          : "snapshot (livegym watch --snapshot)";
    lgv_text(c, w - 10 * s, y + (h - nh) / 2, LGV_FONT_NORMAL, st && st->toast ? LGV_INFO : LGV_MUTED, LGV_ALIGN_RIGHT,
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
    lgv_fill(c, bx, by, bw, bh, LGV_CARD);
    lgv_frame(c, bx, by, bw, bh, fmaxf(1, 2 * s), LGV_BAR);
    lgv_text(c, bx + 16 * s, by + 10 * s, LGV_FONT_LARGE, LGV_TEXT, LGV_ALIGN_LEFT, 0, "keys");
    float y = by + 14 * s + lh * 1.2f;
    for (int i = 0; i < n; i++) {
        lgv_text(c, bx + 16 * s, y, LGV_FONT_BOLD, LGV_TEXT, LGV_ALIGN_LEFT, 0, keys[i][0]);
        lgv_text(c, bx + 130 * s, y, LGV_FONT_NORMAL, LGV_TEXT, LGV_ALIGN_LEFT, bw - 146 * s, keys[i][1]);
        y += lh;
    }
}

void lgv_draw_view(lgv_canvas *c, int W, int H, const lgx_model *m, const lgv_ui *ui, const lgv_view_status *st)
{
    view v = {c, m, ui, lgv_canvas_scale(c)};
    const float s = v.s, w = (float)W, h = (float)H;
    lgv_clear(c, LGV_BG);
    float tb = 34 * s, bb = 32 * s, gap = 8 * s;
    top_bar(&v, w, tb, st);
    tabs(&v, h - bb, w, bb, st);
    float y0 = tb + gap, y1 = h - bb - gap, x0 = gap, x1 = w - gap;
    int show_l[2] = {ui->show[LGV_PANEL_CURVES], ui->show[LGV_PANEL_PLATFORM]};
    int show_r[2] = {ui->show[LGV_PANEL_MIND], ui->show[LGV_PANEL_SESSION]};
    int left = show_l[0] || show_l[1], right = show_r[0] || show_r[1];
    if (!left && !right) {
        lgv_text(c, w / 2, h / 2, LGV_FONT_LARGE, LGV_MUTED, LGV_ALIGN_CENTER, 0,
                 "all panels hidden: press c, p, m or s");
    } else {
        float split = left && right ? x0 + (x1 - x0) * 0.58f : left ? x1 : x0 - gap;
        if (left) {
            float mid = show_l[0] && show_l[1] ? y0 + (y1 - y0) * 0.47f : show_l[0] ? y1 : y0 - gap;
            if (show_l[0]) lgv_panel_curves(&v, x0, y0, split - x0, mid - y0);
            if (show_l[1]) lgv_panel_platform(&v, x0, mid + gap, split - x0, y1 - mid - gap);
        }
        if (right) {
            float rx = split + gap;
            float mid = show_r[0] && show_r[1] ? y0 + (y1 - y0) * 0.56f : show_r[0] ? y1 : y0 - gap;
            if (show_r[0]) lgv_panel_mind(&v, rx, y0, x1 - rx, mid - y0);
            if (show_r[1]) lgv_panel_session(&v, rx, mid + gap, x1 - rx, y1 - mid - gap);
        }
    }
    if (ui->help) help(&v, w, h);
    lgv_canvas_end_frame(c);
}
