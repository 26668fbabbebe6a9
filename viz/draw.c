/* The canvas: SDL_Renderer primitives, cached SDL2_ttf text, and charts. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <SDL_ttf.h>

#include "lgv_draw.h"

#define CACHE_CAP 2048 /* power of two */
#define CACHE_KEEP_FRAMES 90

typedef struct {
    uint64_t hash;
    char *text;
    int font;
    uint32_t color;
    SDL_Texture *tex;
    int w, h;
    unsigned last; /* frame last drawn */
} cache_entry;

struct lgv_canvas {
    SDL_Renderer *r;
    char font_path[1024];
    char bold_path[1024];
    float scale;
    TTF_Font *fonts[LGV_N_FONTS];
    cache_entry cache[CACHE_CAP];
    cache_entry keep[CACHE_CAP]; /* scratch for rebuilding the table */
    int cache_n;
    unsigned frame;
    SDL_Vertex *vbuf;
    int *ibuf;
    int vcap, icap, nv, ni;
};

static const int font_px[LGV_N_FONTS] = {11, 13, 13, 16, 20};
static const int font_bold[LGV_N_FONTS] = {0, 0, 1, 1, 1};

int lgv_find_font(char *buf, size_t n, char *err, size_t errsz)
{
    static const char *const candidates[] = {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
        "/usr/local/share/fonts/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/liberation/LiberationSans-Regular.ttf",
    };
    struct stat st;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        if (stat(candidates[i], &st) == 0 && S_ISREG(st.st_mode)) {
            snprintf(buf, n, "%s", candidates[i]);
            return 0;
        }
    snprintf(err, errsz,
             "no font found (looked for DejaVuSans.ttf in /usr/share/fonts): install fonts-dejavu-core or pass "
             "--font FILE.ttf");
    return -1;
}

static void cache_flush(lgv_canvas *c)
{
    for (int i = 0; i < CACHE_CAP; i++) {
        if (c->cache[i].tex) SDL_DestroyTexture(c->cache[i].tex);
        free(c->cache[i].text);
    }
    memset(c->cache, 0, sizeof c->cache);
    c->cache_n = 0;
}

static void close_fonts(lgv_canvas *c)
{
    for (int i = 0; i < LGV_N_FONTS; i++)
        if (c->fonts[i]) TTF_CloseFont(c->fonts[i]), c->fonts[i] = NULL;
}

static int open_fonts(lgv_canvas *c, char *err, size_t errsz)
{
    close_fonts(c);
    for (int i = 0; i < LGV_N_FONTS; i++) {
        int px = (int)lrintf((float)font_px[i] * c->scale);
        if (px < 4) px = 4;
        const char *path = font_bold[i] && c->bold_path[0] ? c->bold_path : c->font_path;
        c->fonts[i] = TTF_OpenFont(path, px);
        if (!c->fonts[i]) {
            if (err) snprintf(err, errsz, "%s: cannot open the font: %s", path, TTF_GetError());
            close_fonts(c);
            return -1;
        }
        if (font_bold[i] && !c->bold_path[0]) TTF_SetFontStyle(c->fonts[i], TTF_STYLE_BOLD);
        TTF_SetFontHinting(c->fonts[i], TTF_HINTING_LIGHT);
    }
    return 0;
}

int lgv_canvas_create(SDL_Renderer *r, const char *font_path, float scale, lgv_canvas **out, char *err,
                      size_t errsz)
{
    *out = NULL;
    lgv_canvas *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    c->r = r;
    c->scale = scale > 0 ? scale : 1.0f;
    if (font_path) {
        struct stat st;
        if (stat(font_path, &st) != 0 || !S_ISREG(st.st_mode)) {
            snprintf(err, errsz, "%s: no such font file", font_path);
            free(c);
            return -1;
        }
        snprintf(c->font_path, sizeof c->font_path, "%s", font_path);
    } else if (lgv_find_font(c->font_path, sizeof c->font_path, err, errsz)) {
        free(c);
        return -1;
    }
    /* DejaVuSans.ttf -> DejaVuSans-Bold.ttf next to it, if there */
    const char *dot = strstr(c->font_path, "Sans.ttf");
    if (dot) {
        struct stat st;
        snprintf(c->bold_path, sizeof c->bold_path, "%.*sSans-Bold.ttf", (int)(dot - c->font_path), c->font_path);
        if (stat(c->bold_path, &st) != 0) c->bold_path[0] = 0;
    }
    if (TTF_Init() != 0) {
        snprintf(err, errsz, "cannot start SDL2_ttf: %s", TTF_GetError());
        free(c);
        return -1;
    }
    if (open_fonts(c, err, errsz)) {
        TTF_Quit();
        free(c);
        return -1;
    }
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    *out = c;
    return 0;
}

void lgv_canvas_free(lgv_canvas *c)
{
    if (!c) return;
    cache_flush(c);
    close_fonts(c);
    free(c->vbuf), free(c->ibuf);
    free(c);
    TTF_Quit();
}

int lgv_canvas_set_scale(lgv_canvas *c, float scale)
{
    if (scale <= 0 || fabsf(scale - c->scale) < 1e-4f) return 0;
    float old = c->scale;
    c->scale = scale;
    cache_flush(c);
    if (open_fonts(c, NULL, 0)) {
        c->scale = old;
        return open_fonts(c, NULL, 0);
    }
    return 0;
}

float lgv_canvas_scale(const lgv_canvas *c) { return c->scale; }
SDL_Renderer *lgv_canvas_renderer(lgv_canvas *c) { return c->r; }

void lgv_canvas_end_frame(lgv_canvas *c)
{
    c->frame++;
    if (c->cache_n < CACHE_CAP / 2 && c->frame % 64) return;
    /* rebuild the table without the strings not drawn lately */
    cache_entry *keep = c->keep;
    int nk = 0;
    for (int i = 0; i < CACHE_CAP; i++) {
        cache_entry *e = &c->cache[i];
        if (!e->tex) continue;
        int stale = c->frame - e->last > (c->cache_n >= CACHE_CAP / 2 ? 2u : (unsigned)CACHE_KEEP_FRAMES);
        if (stale) {
            SDL_DestroyTexture(e->tex);
            free(e->text);
        } else
            keep[nk++] = *e;
    }
    memset(c->cache, 0, sizeof c->cache);
    c->cache_n = 0;
    for (int i = 0; i < nk; i++) {
        unsigned h = (unsigned)keep[i].hash & (CACHE_CAP - 1);
        while (c->cache[h].tex) h = (h + 1) & (CACHE_CAP - 1);
        c->cache[h] = keep[i];
        c->cache_n++;
    }
}

/* ---- primitives ------------------------------------------------------------------ */

static SDL_Color col(uint32_t argb)
{
    SDL_Color k = {(Uint8)(argb >> 16), (Uint8)(argb >> 8), (Uint8)argb, (Uint8)(argb >> 24)};
    return k;
}

static void set_color(lgv_canvas *c, uint32_t argb)
{
    SDL_SetRenderDrawColor(c->r, (Uint8)(argb >> 16), (Uint8)(argb >> 8), (Uint8)argb, (Uint8)(argb >> 24));
}

void lgv_clear(lgv_canvas *c, uint32_t color)
{
    SDL_SetRenderDrawBlendMode(c->r, SDL_BLENDMODE_NONE);
    set_color(c, color);
    SDL_RenderClear(c->r);
    SDL_SetRenderDrawBlendMode(c->r, SDL_BLENDMODE_BLEND);
}

void lgv_fill(lgv_canvas *c, float x, float y, float w, float h, uint32_t color)
{
    if (w <= 0 || h <= 0) return;
    set_color(c, color);
    SDL_FRect rc = {x, y, w, h};
    SDL_RenderFillRectF(c->r, &rc);
}

void lgv_frame(lgv_canvas *c, float x, float y, float w, float h, float width, uint32_t color)
{
    lgv_fill(c, x, y, w, width, color);
    lgv_fill(c, x, y + h - width, w, width, color);
    lgv_fill(c, x, y + width, width, h - 2 * width, color);
    lgv_fill(c, x + w - width, y + width, width, h - 2 * width, color);
}

static int reserve(lgv_canvas *c, int nv, int ni)
{
    if (c->nv + nv > c->vcap) {
        int cap = (c->nv + nv) * 2 + 64;
        SDL_Vertex *v = realloc(c->vbuf, sizeof *v * (size_t)cap);
        if (!v) return -1;
        c->vbuf = v, c->vcap = cap;
    }
    if (c->ni + ni > c->icap) {
        int cap = (c->ni + ni) * 2 + 96;
        int *ix = realloc(c->ibuf, sizeof *ix * (size_t)cap);
        if (!ix) return -1;
        c->ibuf = ix, c->icap = cap;
    }
    return 0;
}

static void flush(lgv_canvas *c)
{
    if (c->ni > 0) SDL_RenderGeometry(c->r, NULL, c->vbuf, c->nv, c->ibuf, c->ni);
    c->nv = c->ni = 0;
}

static int vert(lgv_canvas *c, float x, float y, SDL_Color k)
{
    SDL_Vertex *v = &c->vbuf[c->nv];
    v->position.x = x, v->position.y = y;
    v->color = k;
    v->tex_coord.x = v->tex_coord.y = 0;
    return c->nv++;
}

static void tri(lgv_canvas *c, int a, int b, int d)
{
    c->ibuf[c->ni++] = a, c->ibuf[c->ni++] = b, c->ibuf[c->ni++] = d;
}

static void quad_seg(lgv_canvas *c, float x0, float y0, float x1, float y1, float width, SDL_Color k)
{
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len < 1e-6f) return;
    float nx = -dy / len * width * 0.5f, ny = dx / len * width * 0.5f;
    if (reserve(c, 4, 6)) return;
    int a = vert(c, x0 + nx, y0 + ny, k), b = vert(c, x1 + nx, y1 + ny, k);
    int d = vert(c, x1 - nx, y1 - ny, k), e = vert(c, x0 - nx, y0 - ny, k);
    tri(c, a, b, d), tri(c, a, d, e);
}

static void disc_geom(lgv_canvas *c, float x, float y, float r, SDL_Color k)
{
    int seg = r < 2 ? 8 : r < 6 ? 12 : 20;
    if (reserve(c, seg + 1, seg * 3)) return;
    int ctr = vert(c, x, y, k), first = c->nv;
    for (int i = 0; i < seg; i++) {
        float a = (float)i * 6.2831853f / (float)seg;
        vert(c, x + r * cosf(a), y + r * sinf(a), k);
    }
    for (int i = 0; i < seg; i++) tri(c, ctr, first + i, first + (i + 1) % seg);
}

void lgv_line(lgv_canvas *c, float x0, float y0, float x1, float y1, float width, uint32_t color)
{
    quad_seg(c, x0, y0, x1, y1, width, col(color));
    flush(c);
}

void lgv_disc(lgv_canvas *c, float x, float y, float r, uint32_t color)
{
    disc_geom(c, x, y, r, col(color));
    flush(c);
}

void lgv_triangle(lgv_canvas *c, float x0, float y0, float x1, float y1, float x2, float y2, uint32_t color)
{
    SDL_Color k = col(color);
    if (reserve(c, 3, 3)) return;
    int a = vert(c, x0, y0, k), b = vert(c, x1, y1, k), d = vert(c, x2, y2, k);
    tri(c, a, b, d);
    flush(c);
}

void lgv_polyline(lgv_canvas *c, const float *xy, int n, float width, float dash, uint32_t color)
{
    SDL_Color k = col(color);
    int joins = width > 1.6f && dash <= 0 && (k.a == 255);
    if (dash <= 0) {
        for (int i = 0; i + 1 < n; i++) {
            quad_seg(c, xy[2 * i], xy[2 * i + 1], xy[2 * i + 2], xy[2 * i + 3], width, k);
            if (joins && i > 0) disc_geom(c, xy[2 * i], xy[2 * i + 1], width * 0.5f, k);
        }
        flush(c);
        return;
    }
    float gap = dash * 0.7f, period = dash + gap, phase = 0.0f; /* position within the period */
    for (int i = 0; i + 1 < n; i++) {
        float x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * i + 2], y1 = xy[2 * i + 3];
        float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
        float t = 0.0f;
        while (t < len) {
            float left = phase < dash ? dash - phase : period - phase;
            float step = left < len - t ? left : len - t;
            if (phase < dash) {
                float a = t / len, b = (t + step) / len;
                quad_seg(c, x0 + dx * a, y0 + dy * a, x0 + dx * b, y0 + dy * b, width, k);
            }
            t += step;
            phase += step;
            if (phase >= period - 1e-4f) phase = 0.0f;
        }
    }
    flush(c);
}

void lgv_band(lgv_canvas *c, const float *x, const float *ylo, const float *yhi, int n, uint32_t color)
{
    SDL_Color k = col(color);
    for (int i = 0; i + 1 < n; i++) {
        if (!isfinite(ylo[i]) || !isfinite(yhi[i]) || !isfinite(ylo[i + 1]) || !isfinite(yhi[i + 1])) continue;
        if (reserve(c, 4, 6)) return;
        int a = vert(c, x[i], ylo[i], k), b = vert(c, x[i], yhi[i], k);
        int d = vert(c, x[i + 1], yhi[i + 1], k), e = vert(c, x[i + 1], ylo[i + 1], k);
        tri(c, a, b, d), tri(c, a, d, e);
    }
    flush(c);
}

/* ---- text ------------------------------------------------------------------------ */

static uint64_t fnv(const char *s, int font, uint32_t color)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ (uint64_t)font) * 1099511628211ULL;
    h = (h ^ color) * 1099511628211ULL;
    return h;
}

static cache_entry *text_entry(lgv_canvas *c, lgv_font f, uint32_t color, const char *text)
{
    if (!text[0]) return NULL;
    uint64_t h = fnv(text, (int)f, color);
    unsigned i = (unsigned)h & (CACHE_CAP - 1);
    while (c->cache[i].tex) {
        cache_entry *e = &c->cache[i];
        if (e->hash == h && e->font == (int)f && e->color == color && !strcmp(e->text, text)) {
            e->last = c->frame;
            return e;
        }
        i = (i + 1) & (CACHE_CAP - 1);
    }
    if (c->cache_n >= CACHE_CAP - 8) { /* full: start over (rare: a frame with thousands of strings) */
        cache_flush(c);
        i = (unsigned)h & (CACHE_CAP - 1);
    }
    SDL_Surface *s = TTF_RenderUTF8_Blended(c->fonts[f], text, col(color));
    if (!s) return NULL;
    SDL_Texture *t = SDL_CreateTextureFromSurface(c->r, s);
    int w = s->w, hh = s->h;
    SDL_FreeSurface(s);
    if (!t) return NULL;
    char *copy = malloc(strlen(text) + 1);
    if (!copy) {
        SDL_DestroyTexture(t);
        return NULL;
    }
    strcpy(copy, text);
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    cache_entry *e = &c->cache[i];
    e->hash = h, e->text = copy, e->font = (int)f, e->color = color, e->tex = t, e->w = w, e->h = hh;
    e->last = c->frame;
    c->cache_n++;
    return e;
}

float lgv_text_width(lgv_canvas *c, lgv_font f, const char *text)
{
    int w = 0, h = 0;
    if (!text[0] || TTF_SizeUTF8(c->fonts[f], text, &w, &h)) return 0.0f;
    return (float)w;
}

float lgv_line_height(lgv_canvas *c, lgv_font f) { return (float)TTF_FontLineSkip(c->fonts[f]); }

float lgv_text(lgv_canvas *c, float x, float y, lgv_font f, uint32_t color, int align, float max_w,
               const char *text)
{
    char buf[512];
    if (max_w > 0 && lgv_text_width(c, f, text) > max_w) {
        /* cut at a UTF-8 boundary and add an ellipsis */
        size_t n = strlen(text);
        if (n > sizeof buf - 4) n = sizeof buf - 4;
        for (;;) {
            while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80) n--;
            memcpy(buf, text, n);
            memcpy(buf + n, "\xE2\x80\xA6", 4);
            if (n == 0 || lgv_text_width(c, f, buf) <= max_w) break;
            n--;
        }
        if (n == 0) return 0.0f;
        text = buf;
    }
    cache_entry *e = text_entry(c, f, color, text);
    if (!e) return 0.0f;
    float x0 = align == LGV_ALIGN_CENTER ? x - e->w * 0.5f : align == LGV_ALIGN_RIGHT ? x - e->w : x;
    SDL_FRect dst = {floorf(x0 + 0.5f), floorf(y + 0.5f), (float)e->w, (float)e->h};
    SDL_RenderCopyF(c->r, e->tex, NULL, &dst);
    return (float)e->w;
}

float lgv_textf(lgv_canvas *c, float x, float y, lgv_font f, uint32_t color, int align, float max_w,
                const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return lgv_text(c, x, y, f, color, align, max_w, buf);
}

void lgv_text_vertical(lgv_canvas *c, float cx, float cy, lgv_font f, uint32_t color, const char *text)
{
    cache_entry *e = text_entry(c, f, color, text);
    if (!e) return;
    SDL_FRect dst = {floorf(cx - e->w * 0.5f + 0.5f), floorf(cy - e->h * 0.5f + 0.5f), (float)e->w, (float)e->h};
    SDL_RenderCopyExF(c->r, e->tex, NULL, &dst, -90.0, NULL, SDL_FLIP_NONE);
}

/* ---- downsampling ---------------------------------------------------------------- */

void lgv_downsample2(const uint32_t *src, int w, int h, int src_pitch, uint32_t *dst, int dst_pitch)
{
    for (int y = 0; y < h / 2; y++) {
        const uint32_t *r0 = src + (size_t)(2 * y) * (size_t)src_pitch, *r1 = r0 + src_pitch;
        uint32_t *out = dst + (size_t)y * (size_t)dst_pitch;
        for (int x = 0; x < w / 2; x++) {
            uint32_t p[4] = {r0[2 * x], r0[2 * x + 1], r1[2 * x], r1[2 * x + 1]};
            uint32_t v = 0;
            for (int sh = 0; sh < 32; sh += 8) {
                uint32_t s = 0;
                for (int k = 0; k < 4; k++) s += (p[k] >> sh) & 0xFF;
                v |= ((s + 2) / 4) << sh;
            }
            out[x] = v;
        }
    }
}
