/* Charts for the viewer and the plots (lgv_draw_chart in lgv_draw.h): data
 * ranges, nice ticks, grid and axes, event markers, CI bands, lines, point
 * markers, legends. */
#include <math.h>
#include <stdlib.h>

#include "lgv_draw.h"

/* Where everything goes: computed once, then drawn in layers. */
typedef struct {
    float s, pad;
    lgv_font tf, lf, kf;
    float top, bottom, left, right, lh;
    double x0, x1, y0, y1;      /* data ranges, widened to ticks */
    int any;                    /* some finite point */
    double yt[16], xt[16], ystep, xstep;
    int nyt, nxt;
    float ytw;                  /* widest y tick label */
    float leg_w, leg_h;
    int n_leg;
    float px0, px1, py0, py1;   /* the plot area */
} chart_layout;

static float map_x(const chart_layout *L, double v)
{
    return (float)(L->px0 + (v - L->x0) / (L->x1 - L->x0) * (L->px1 - L->px0));
}

static float map_y(const chart_layout *L, double v)
{
    return (float)(L->py1 - (v - L->y0) / (L->y1 - L->y0) * (L->py1 - L->py0));
}

static float line_width(const chart_layout *L, const lgv_chart_series *sr)
{
    return (sr->width > 0 ? sr->width : 2.0f) * L->s;
}

/* Title and subtitle; top moves below them. */
static void titles(lgv_canvas *c, chart_layout *L, float x, float w, const lgv_chart *ch)
{
    if (ch->title && ch->title[0]) {
        lgv_text(c, x + w / 2, L->top, L->tf, LGV_TEXT, LGV_ALIGN_CENTER, w, ch->title);
        L->top += lgv_line_height(c, L->tf);
    }
    if (ch->subtitle && ch->subtitle[0]) {
        lgv_text(c, x + w / 2, L->top, L->lf, LGV_MUTED, LGV_ALIGN_CENTER, w, ch->subtitle);
        L->top += lgv_line_height(c, L->lf);
    }
    L->top += L->pad;
}

/* The ranges of the data (bands included unless asked not to). */
static void data_ranges(chart_layout *L, const lgv_chart *ch)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    int any = 0;
    for (int i = 0; i < ch->n_series; i++) {
        const lgv_chart_series *sr = &ch->series[i];
        for (int k = 0; k < sr->n; k++) {
            if (!isfinite(sr->x[k]) || !isfinite(sr->y[k])) continue;
            any = 1;
            if (sr->x[k] < x0) x0 = sr->x[k];
            if (sr->x[k] > x1) x1 = sr->x[k];
            double lo = sr->y[k], hi = sr->y[k];
            if (sr->lo && sr->hi && isfinite(sr->lo[k]) && isfinite(sr->hi[k]) && !ch->range_without_bands)
                lo = sr->lo[k], hi = sr->hi[k];
            if (lo < y0) y0 = lo;
            if (hi > y1) y1 = hi;
            if (sr->y[k] < y0) y0 = sr->y[k];
            if (sr->y[k] > y1) y1 = sr->y[k];
        }
    }
    if (!any) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    L->x0 = x0, L->x1 = x1, L->y0 = y0, L->y1 = y1, L->any = any;
}

/* Nice ranges and ticks for a chart w x h. */
static void axes(lgv_canvas *c, chart_layout *L, float w, float h, const lgv_chart *ch)
{
    const float s = L->s;
    double x0 = L->x0, x1 = L->x1, y0 = L->y0, y1 = L->y1;
    if (ch->y_zero) {
        if (y0 > 0) y0 = 0;
        if (y1 < 0) y1 = 0;
    }
    if (ch->fixed_y) y0 = ch->y_min, y1 = ch->y_max > ch->y_min ? ch->y_max : ch->y_min + 1;
    if (x1 <= x0) x1 = x0 + 1;
    int max_yt = (int)(h / (28 * s));
    if (max_yt < 3) max_yt = 3;
    if (max_yt > 8) max_yt = 8;
    if (!ch->fixed_y) {
        double span = y1 - y0;
        if (span > 0 && !ch->y_zero) y0 -= 0.03 * span;
        if (span > 0) y1 += 0.03 * span;
        lgv_nice_range(&y0, &y1, max_yt);
    }
    double xs = x0 >= 0 ? 0 : x0;
    if (x0 > 0 && x0 > 0.3 * x1) xs = x0; /* do not waste room when the data start late */
    x0 = xs;
    int max_xt = (int)(w / (70 * s));
    if (max_xt < 2) max_xt = 2;
    if (max_xt > 10) max_xt = 10;
    lgv_nice_range(&x0, &x1, max_xt);
    L->nyt = lgv_ticks(y0, y1, max_yt, L->yt, 16, &L->ystep);
    L->nxt = lgv_ticks(x0, x1, max_xt, L->xt, 16, &L->xstep);
    char lab[64];
    L->ytw = 0;
    for (int i = 0; i < L->nyt; i++) {
        lgv_fmt_tick(lab, sizeof lab, L->yt[i], L->ystep);
        float tw = lgv_text_width(c, L->kf, lab);
        if (tw > L->ytw) L->ytw = tw;
    }
    L->x0 = x0, L->x1 = x1, L->y0 = y0, L->y1 = y1;
}

/* Room for the legend: on the right (right moves left) or on top (top
 * moves down; entries flow in rows). */
static void legend_room(lgv_canvas *c, chart_layout *L, float w, const lgv_chart *ch)
{
    const float s = L->s;
    L->n_leg = 0;
    for (int i = 0; i < ch->n_series; i++)
        if (ch->series[i].in_legend && ch->series[i].label) L->n_leg++;
    if (L->n_leg == 0) return;
    if (ch->legend == LGV_LEGEND_RIGHT) {
        for (int i = 0; i < ch->n_series; i++)
            if (ch->series[i].in_legend && ch->series[i].label) {
                float tw = lgv_text_width(c, L->lf, ch->series[i].label);
                if (tw > L->leg_w) L->leg_w = tw;
            }
        L->leg_w += 34 * s;
        if (L->leg_w > 0.38f * w) L->leg_w = 0.38f * w;
        L->right -= L->leg_w + L->pad;
    } else if (ch->legend == LGV_LEGEND_TOP) {
        float cx = 0;
        int rows = 1;
        for (int i = 0; i < ch->n_series; i++) {
            const lgv_chart_series *sr = &ch->series[i];
            if (!sr->in_legend || !sr->label) continue;
            float ew = 26 * s + lgv_text_width(c, L->lf, sr->label) + 12 * s;
            if (cx + ew > w && cx > 0) rows++, cx = 0;
            cx += ew;
        }
        L->leg_h = rows * L->lh + (ch->legend_note ? lgv_line_height(c, L->kf) : 0) + 2 * s;
        L->top += L->leg_h;
    }
}

static void grid_and_axes(lgv_canvas *c, const chart_layout *L, const lgv_chart *ch)
{
    const float s = L->s;
    char lab[64];
    lgv_fill(c, L->px0, L->py0, L->px1 - L->px0, L->py1 - L->py0, LGV_CARD);
    for (int i = 0; i < L->nyt; i++) {
        float yy = map_y(L, L->yt[i]);
        lgv_fill(c, L->px0, floorf(yy), L->px1 - L->px0, fmaxf(1, s * 0.8f), LGV_GRID);
        lgv_fmt_tick(lab, sizeof lab, L->yt[i], L->ystep);
        lgv_fill(c, L->px0 - 4 * s, floorf(yy), 4 * s, fmaxf(1, s), LGV_AXIS);
        lgv_text(c, L->px0 - 6 * s, yy - lgv_line_height(c, L->kf) * 0.5f, L->kf, LGV_TEXT, LGV_ALIGN_RIGHT, 0, lab);
    }
    for (int i = 0; i < L->nxt; i++) {
        float xx = map_x(L, L->xt[i]);
        lgv_fill(c, floorf(xx), L->py0, fmaxf(1, s * 0.8f), L->py1 - L->py0, LGV_GRID);
        if (ch->x_log2)
            lgv_fmt_pow2(lab, sizeof lab, L->xt[i]);
        else
            lgv_fmt_tick(lab, sizeof lab, L->xt[i], L->xstep);
        lgv_fill(c, floorf(xx), L->py1, fmaxf(1, s), 4 * s, LGV_AXIS);
        lgv_text(c, xx, L->py1 + 4 * s, L->kf, LGV_TEXT, LGV_ALIGN_CENTER, 0, lab);
    }
    if (L->y0 < 0 && L->y1 > 0) lgv_fill(c, L->px0, floorf(map_y(L, 0)), L->px1 - L->px0, fmaxf(1, s), LGV_ZERO);
    lgv_fill(c, L->px0, L->py1, L->px1 - L->px0, fmaxf(1, s * 1.2f), LGV_AXIS);
    lgv_fill(c, L->px0, L->py0, fmaxf(1, s * 1.2f), L->py1 - L->py0 + 1, LGV_AXIS);
    if (ch->xlabel)
        lgv_text(c, (L->px0 + L->px1) / 2, L->bottom - L->lh, L->lf, LGV_TEXT, LGV_ALIGN_CENTER, L->px1 - L->px0,
                 ch->xlabel);
    if (ch->ylabel) lgv_text_vertical(c, L->left + L->lh * 0.5f, (L->py0 + L->py1) / 2, L->lf, LGV_TEXT, ch->ylabel);
}

/* Vertical dashed lines at the marks inside the x range, each labelled at
 * the top of the plot; labels step down a row when they would overlap. */
static void marks(lgv_canvas *c, const chart_layout *L, const lgv_chart *ch)
{
    const float s = L->s, lh = lgv_line_height(c, L->kf);
    float row_end[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (int i = 0; i < ch->n_marks; i++) {
        double v = ch->marks[i];
        if (!isfinite(v) || v < L->x0 || v > L->x1) continue;
        float xx = floorf(map_x(L, v));
        float seg[4] = {xx, L->py0, xx, L->py1};
        lgv_polyline(c, seg, 2, fmaxf(1, s), 4 * s, lgv_with_alpha(LGV_MUTED, 0.7f));
        const char *lab = ch->mark_labels ? ch->mark_labels[i] : NULL;
        if (!lab || !lab[0]) continue;
        float tw = lgv_text_width(c, L->kf, lab);
        int row = 0;
        while (row < 2 && xx + 3 * s < row_end[row]) row++;
        lgv_text(c, xx + 3 * s, L->py0 + 2 * s + row * lh, L->kf, LGV_MUTED, LGV_ALIGN_LEFT, 0, lab);
        row_end[row] = xx + 3 * s + tw + 6 * s;
    }
}

/* Bands, then lines (runs of finite points), then markers; buf holds 3 * maxn floats. */
static void series(lgv_canvas *c, const chart_layout *L, const lgv_chart *ch, float *buf, int maxn)
{
    float alpha = ch->band_alpha > 0 ? ch->band_alpha : 0.18f;
    for (int i = 0; i < ch->n_series; i++) {
        const lgv_chart_series *sr = &ch->series[i];
        if (!sr->lo || !sr->hi || sr->n < 2) continue;
        float *bx = buf, *blo = buf + maxn, *bhi = buf + 2 * maxn;
        for (int k = 0; k < sr->n; k++) {
            bx[k] = map_x(L, sr->x[k]);
            blo[k] = isfinite(sr->lo[k]) ? map_y(L, sr->lo[k]) : NAN;
            bhi[k] = isfinite(sr->hi[k]) ? map_y(L, sr->hi[k]) : NAN;
        }
        lgv_band(c, bx, blo, bhi, sr->n, lgv_with_alpha(sr->color, alpha));
    }
    for (int i = 0; i < ch->n_series; i++) {
        const lgv_chart_series *sr = &ch->series[i];
        int k0 = 0;
        while (k0 < sr->n) {
            while (k0 < sr->n && (!isfinite(sr->y[k0]) || !isfinite(sr->x[k0]))) k0++;
            int np = 0;
            while (k0 < sr->n && isfinite(sr->y[k0]) && isfinite(sr->x[k0])) {
                buf[2 * np] = map_x(L, sr->x[k0]);
                buf[2 * np + 1] = map_y(L, sr->y[k0]);
                np++, k0++;
            }
            float lw = line_width(L, sr);
            if (np == 1)
                lgv_disc(c, buf[0], buf[1], lw * 1.2f, sr->color);
            else if (!sr->points_only)
                lgv_polyline(c, buf, np, lw, sr->dash * L->s, sr->color);
            if ((sr->markers && np <= 60) || sr->points_only)
                for (int k = 0; k < np; k++) lgv_disc(c, buf[2 * k], buf[2 * k + 1], lw * 1.3f, sr->color);
        }
    }
}

static void legend(lgv_canvas *c, const chart_layout *L, float x, float w, const lgv_chart *ch)
{
    const float s = L->s, lh = L->lh;
    if (L->n_leg == 0) return;
    if (ch->legend == LGV_LEGEND_RIGHT) {
        float lx = L->right + L->pad + 4 * s, ly = L->py0 + 4 * s;
        for (int i = 0; i < ch->n_series; i++) {
            const lgv_chart_series *sr = &ch->series[i];
            if (!sr->in_legend || !sr->label) continue;
            float my = ly + lh * 0.5f;
            float seg[4] = {lx, my, lx + 22 * s, my};
            lgv_polyline(c, seg, 2, line_width(L, sr), sr->dash * s, sr->color);
            if (sr->lo) lgv_fill(c, lx, my - 5 * s, 22 * s, 10 * s, lgv_with_alpha(sr->color, 0.18f));
            lgv_text(c, lx + 28 * s, ly, L->lf, LGV_TEXT, LGV_ALIGN_LEFT, L->leg_w - 30 * s, sr->label);
            ly += lh * 1.15f;
        }
        if (ch->legend_note) lgv_text(c, lx, ly + 2 * s, L->kf, LGV_MUTED, LGV_ALIGN_LEFT, L->leg_w, ch->legend_note);
    } else if (ch->legend == LGV_LEGEND_TOP) {
        float lx = x, ly = L->top - L->leg_h;
        for (int i = 0; i < ch->n_series; i++) {
            const lgv_chart_series *sr = &ch->series[i];
            if (!sr->in_legend || !sr->label) continue;
            float ew = 26 * s + lgv_text_width(c, L->lf, sr->label) + 12 * s;
            if (lx + ew > x + w && lx > x) lx = x, ly += lh;
            float my = ly + lh * 0.5f;
            float seg[4] = {lx, my, lx + 20 * s, my};
            lgv_polyline(c, seg, 2, line_width(L, sr), sr->dash * s, sr->color);
            lgv_text(c, lx + 24 * s, ly, L->lf, LGV_TEXT, LGV_ALIGN_LEFT, 0, sr->label);
            lx += ew;
        }
        if (ch->legend_note) lgv_text(c, x, ly + lh, L->kf, LGV_MUTED, LGV_ALIGN_LEFT, w, ch->legend_note);
    }
}

void lgv_draw_chart(lgv_canvas *c, float x, float y, float w, float h, const lgv_chart *ch)
{
    chart_layout L = {0};
    L.s = lgv_canvas_scale(c), L.pad = 6 * L.s;
    L.tf = ch->title_font ? (lgv_font)ch->title_font : LGV_FONT_LARGE;
    L.lf = ch->label_font ? (lgv_font)ch->label_font : LGV_FONT_NORMAL;
    L.kf = LGV_FONT_SMALL;
    L.top = y, L.bottom = y + h, L.left = x, L.right = x + w;
    titles(c, &L, x, w, ch);
    data_ranges(&L, ch);
    axes(c, &L, w, h, ch);
    L.lh = lgv_line_height(c, L.lf);
    legend_room(c, &L, w, ch);
    const float s = L.s;
    float ylab_w = ch->ylabel ? lgv_line_height(c, L.lf) + 2 * s : 0;
    L.px0 = L.left + ylab_w + L.ytw + 8 * s, L.px1 = L.right - 10 * s;
    L.py0 = L.top, L.py1 = L.bottom - lgv_line_height(c, L.kf) - 4 * s - (ch->xlabel ? L.lh + 2 * s : 0);
    if (L.px1 - L.px0 < 20 || L.py1 - L.py0 < 20) return;
    grid_and_axes(c, &L, ch);
    SDL_Rect clip = {(int)L.px0, (int)L.py0 - 1, (int)(L.px1 - L.px0) + 2, (int)(L.py1 - L.py0) + 2};
    SDL_RenderSetClipRect(lgv_canvas_renderer(c), &clip);
    int maxn = 0;
    for (int i = 0; i < ch->n_series; i++)
        if (ch->series[i].n > maxn) maxn = ch->series[i].n;
    float *buf = malloc(sizeof(float) * (size_t)(maxn > 0 ? maxn : 1) * 3);
    marks(c, &L, ch);
    if (buf) series(c, &L, ch, buf, maxn);
    free(buf);
    SDL_RenderSetClipRect(lgv_canvas_renderer(c), NULL);
    if (!L.any && ch->empty_text)
        lgv_text(c, (L.px0 + L.px1) / 2, (L.py0 + L.py1) / 2 - L.lh / 2, L.lf, LGV_MUTED, LGV_ALIGN_CENTER,
                 L.px1 - L.px0, ch->empty_text);
    legend(c, &L, x, w, ch);
}
