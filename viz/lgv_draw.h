/* Drawing for the viewer and the plots: a canvas over an SDL_Renderer (a
 * window's, or a software renderer drawing into an SDL_Surface, which needs
 * no display), with SDL2_ttf text through a cache of rendered strings, thick
 * and dashed lines, translucent bands, and a chart (axes, ticks, labels,
 * legend, CI bands) shared by `livegym watch` and `livegym plot`.
 *
 * Coordinates are pixels. `scale` multiplies font sizes, line widths and
 * margins (lgv_px), so that a figure drawn at 2x and downsampled (as the
 * plots are) keeps its proportions. Colours are 0xAARRGGBB. */
#ifndef LGV_DRAW_H
#define LGV_DRAW_H

#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

#include "lgv_axes.h"
#include "lgv_theme.h"
#include "lgv_ui.h"
#include "lgx_model.h"

typedef enum {
    LGV_FONT_SMALL,  /* 11 px at scale 1: ticks, tile text */
    LGV_FONT_NORMAL, /* 13 px */
    LGV_FONT_BOLD,   /* 13 px bold */
    LGV_FONT_LARGE,  /* 16 px bold: panel titles */
    LGV_FONT_TITLE,  /* 20 px bold */
    LGV_N_FONTS
} lgv_font;

enum { LGV_ALIGN_LEFT = 0, LGV_ALIGN_CENTER = 1, LGV_ALIGN_RIGHT = 2 };

typedef struct lgv_canvas lgv_canvas;

/* The default font: the first DejaVu Sans found in the usual places. Returns
 * 0 and the path in buf, or -1 with a message naming what to install. */
int lgv_find_font(char *buf, size_t n, char *err, size_t errsz);

/* font_path NULL: lgv_find_font. The canvas does not own the renderer. */
int lgv_canvas_create(SDL_Renderer *r, const char *font_path, float scale, lgv_canvas **out, char *err,
                      size_t errsz);
void lgv_canvas_free(lgv_canvas *c);
/* Change the scale (reopens the fonts; the text cache is flushed). */
int lgv_canvas_set_scale(lgv_canvas *c, float scale);
float lgv_canvas_scale(const lgv_canvas *c);
SDL_Renderer *lgv_canvas_renderer(lgv_canvas *c);
/* Call once per frame: drops cached strings not drawn for a while. */
void lgv_canvas_end_frame(lgv_canvas *c);
static inline float lgv_px(const lgv_canvas *c, float v) { return v * lgv_canvas_scale(c); }

void lgv_clear(lgv_canvas *c, uint32_t color);
void lgv_fill(lgv_canvas *c, float x, float y, float w, float h, uint32_t color);
void lgv_frame(lgv_canvas *c, float x, float y, float w, float h, float width, uint32_t color);
void lgv_line(lgv_canvas *c, float x0, float y0, float x1, float y1, float width, uint32_t color);
/* A polyline through n points (xy interleaved), joints rounded; dash > 0
 * draws dashes of that length (gaps of 0.7 dash). */
void lgv_polyline(lgv_canvas *c, const float *xy, int n, float width, float dash, uint32_t color);
/* The area between two curves over the same xs (a CI band): n points. */
void lgv_band(lgv_canvas *c, const float *x, const float *ylo, const float *yhi, int n, uint32_t color);
void lgv_disc(lgv_canvas *c, float x, float y, float r, uint32_t color);
void lgv_triangle(lgv_canvas *c, float x0, float y0, float x1, float y1, float x2, float y2, uint32_t color);

/* Text at (x, y) = top of the line, aligned left/center/right about x.
 * Returns the width drawn. Text longer than max_w (if > 0) is cut with "...". */
float lgv_text(lgv_canvas *c, float x, float y, lgv_font f, uint32_t color, int align, float max_w,
               const char *text);
float lgv_textf(lgv_canvas *c, float x, float y, lgv_font f, uint32_t color, int align, float max_w,
                const char *fmt, ...) __attribute__((format(printf, 8, 9)));
/* Text rotated 90 degrees counter-clockwise, centred on (cx, cy). */
void lgv_text_vertical(lgv_canvas *c, float cx, float cy, lgv_font f, uint32_t color, const char *text);
float lgv_text_width(lgv_canvas *c, lgv_font f, const char *text);
float lgv_line_height(lgv_canvas *c, lgv_font f);

/* ---- charts ------------------------------------------------------------------ */

typedef struct {
    const char *label;
    uint32_t color;
    int n;
    const double *x, *y;
    const double *lo, *hi; /* band (NULL: none); points where either is NAN are skipped */
    float width;           /* line width at scale 1 */
    float dash;            /* 0: solid */
    int markers;           /* draw a dot at every point (if not too many) */
    int in_legend;
    int points_only;       /* dots, no line (a scatter: a random search) */
} lgv_chart_series;

enum { LGV_LEGEND_NONE, LGV_LEGEND_RIGHT, LGV_LEGEND_TOP };

typedef struct {
    const char *title, *subtitle;
    const char *xlabel, *ylabel;
    const lgv_chart_series *series;
    int n_series;
    int legend;
    const char *legend_note;  /* one extra line under the legend (line styles) */
    int y_zero;               /* include 0 in the y range */
    int fixed_y;              /* use y_min, y_max as given */
    double y_min, y_max;
    const char *empty_text;   /* shown when there is nothing to draw */
    int title_font, label_font; /* lgv_font for the title and the axis labels */
    float band_alpha;         /* 0..1; default 0.18 */
    int range_without_bands;  /* y range from the lines only (bands are clipped) */
    int n_marks;              /* vertical markers (scripted events) at x = marks[i], labelled */
    const double *marks;
    const char *const *mark_labels;
    int x_log2;               /* x holds log2 of the values: ticks read 1/8, 1/2, 2, 8 */
} lgv_chart;

/* Draw ch inside the rectangle (x, y, w, h); the plot area with its axes,
 * labels and legend fits in it. */
void lgv_draw_chart(lgv_canvas *c, float x, float y, float w, float h, const lgv_chart *ch);
/* ch alone as a w x h PNG (drawn at twice the size and halved), written
 * atomically: 0, or 1 with a message (viz/plot.c). */
int lgv_chart_png(const lgv_chart *ch, int w, int h, const char *font, const char *out_png, char *err, size_t errsz);

/* ---- the viewer ---------------------------------------------------------------- */

/* Extra figures the live window shows (snapshots pass NULL). */
typedef struct {
    double fps;
    const char *toast; /* a short message (e.g. "saved shot.png"), or NULL */
} lgv_view_status;

/* Draw the whole viewer (top bar, visible panels, agent tabs, help) for
 * model m and UI state ui into (0, 0, w, h). */
void lgv_draw_view(lgv_canvas *c, int w, int h, const lgx_model *m, const lgv_ui *ui, const lgv_view_status *st);

/* Halve an ARGB8888 image by 2x2 box filtering (the plots are drawn at twice
 * the size, then halved: anti-aliased lines and text). dst is w/2 x h/2. */
void lgv_downsample2(const uint32_t *src, int w, int h, int src_pitch, uint32_t *dst, int dst_pitch);

#endif
