/* The agent's-mind panel: its values next to the ground truth, and its
 * Q-table as a heat map. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels.h"

/* Bars of values[C] with a zero line; off-air channels faded; mark = index
 * to flag with a triangle (-1 none). */
static void bars(view *v, float x, float y, float w, float h, const float *val, const uint8_t *mask, int C,
                 uint32_t color, int mark, const char *title)
{
    lgv_canvas *c = v->c;
    const float s = v->s;
    float lh = lgv_line_height(c, LGV_FONT_SMALL);
    lgv_text(c, x, y, LGV_FONT_NORMAL, LGV_TEXT, LGV_ALIGN_LEFT, w, title);
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
        lgv_fill(c, px0, BY(tk[i]), pw, fmaxf(1, 0.8f * s), LGV_GRID);
        lgv_text(c, px0 - 4 * s, BY(tk[i]) - lh / 2, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_RIGHT, 0, lab);
    }
    float bw = pw / C, zero = BY(0.0);
    for (int i = 0; i < C; i++) {
        if (!isfinite(val[i])) continue;
        float top = BY(val[i]);
        float bx = px0 + i * bw + (bw > 3 ? bw * 0.12f : 0), bww = bw > 3 ? bw * 0.76f : bw;
        uint32_t k = mask && !mask[i] ? lgv_with_alpha(color, 0.22f) : color;
        if (top < zero)
            lgv_fill(c, bx, top, bww, zero - top, k);
        else
            lgv_fill(c, bx, zero, bww, top - zero, k);
    }
    lgv_fill(c, px0, zero, pw, fmaxf(1, s), LGV_MUTED);
    if (mark >= 0 && mark < C) {
        float mx = px0 + (mark + 0.5f) * bw, my = BY(val[mark]) - 3 * s;
        if (my < y + 6 * s) my = y + 6 * s;
        lgv_triangle(c, mx - 4 * s, my - 7 * s, mx + 4 * s, my - 7 * s, mx, my, LGV_TEXT);
    }
    /* channel index ticks */
    int every = C <= 12 ? 1 : C <= 60 ? 10 : C <= 300 ? 50 : 100;
    for (int i = 0; i < C; i += every) {
        char t[16];
        snprintf(t, sizeof t, "%d", i);
        lgv_text(c, px0 + (i + 0.5f) * bw, y + h + 1 * s, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_CENTER, 0, t);
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
    lgv_text(c, x, y, LGV_FONT_NORMAL, LGV_TEXT, LGV_ALIGN_LEFT, w, t);
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
        lgv_frame(c, x - 2 * s, ry - 1 * s, mw + 4 * s, rh + 2 * s, fmaxf(1, 1.5f * s), LGV_HIGHLIGHT);
    }
    lgv_frame(c, x, y, mw, mh, fmaxf(1, 0.8f * s), LGV_BORDER);
    /* colour bar */
    float bx = x + mw + 8 * s, bh = mh - 2 * lgv_line_height(c, LGV_FONT_SMALL);
    float by = y + lgv_line_height(c, LGV_FONT_SMALL);
    for (int i = 0; i < 32; i++)
        lgv_fill(c, bx, by + bh * (31 - i) / 32.0f, 10 * s, bh / 32.0f + 1, lgv_heat_color(i / 31.0f));
    char lab[32];
    snprintf(lab, sizeof lab, "%.3g", av->q_max);
    lgv_text(c, bx, y, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_LEFT, cb_w, lab);
    snprintf(lab, sizeof lab, "%.3g", av->q_min);
    lgv_text(c, bx, by + bh, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_LEFT, cb_w, lab);
}

void lgv_panel_mind(view *v, float x, float y, float w, float h)
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
    float top = lgv_card(v, x, y, w, h, "agent's mind", note);
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
        lgv_fill(c, x + pad, top, w - 2 * pad, bar_h - 6 * s, LGV_WELL);
        lgv_textf(c, x + w / 2, top + bar_h / 2 - lh, LGV_FONT_NORMAL, LGV_MUTED, LGV_ALIGN_CENTER, w - 2 * pad,
                  "no scores exposed by \"%s\"", av->name);
        lgv_text(c, x + w / 2, top + bar_h / 2, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_CENTER, w - 2 * pad,
                 av->cheats ? "(it reads the ground truth below)"
                            : "(its state has no \"q\" table the viewer can read)");
    }
    top += bar_h;
    bars(v, x + pad, top, w - 2 * pad, bar_h - 4 * s, av->truth, av->mask, C, LGV_TRUTH, oracle_pick,
         "ground truth (oracle): expected immediate reward per channel");
    top += bar_h;
    if (heat) heat_map(v, x + pad, top + 2 * s, w - 2 * pad, y + h - top - 8 * s, av, C);
}
