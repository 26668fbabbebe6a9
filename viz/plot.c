/* `livegym plot`: learning curves of a results folder as a PNG figure, drawn
 * at twice the size with the viewer's chart code and halved (anti-aliased). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "lgv_app.h"
#include "lgx_curves.h"
#include "lgx_metrics.h"
#include "lgv_draw.h"
#include "lga_agent.h"
#include "lgv_png.h"

/* The scenario's "name" from scenario.json next to the curves, if any, and
 * which curve labels are cheating agents (experiment.agents[].label -> name,
 * looked up in the agent registry; a label that is a registry name counts
 * too). */
static int scenario_info(const char *path, char *out, size_t n, const lgx_curves *cv, int *cheats)
{
    for (int i = 0; i < cv->n_curves; i++) {
        const lga_agent_type *t = lga_find(cv->curves[i].label);
        cheats[i] = t && t->cheats;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 8 * 1024 * 1024) return -1;
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!buf) return -1;
    buf[got] = 0;
    cJSON *js = cJSON_Parse(buf);
    free(buf);
    int rc = -1;
    const cJSON *name = js ? cJSON_GetObjectItemCaseSensitive(js, "name") : NULL;
    if (cJSON_IsString(name) && name->valuestring[0]) {
        snprintf(out, n, "%s", name->valuestring);
        rc = 0;
    }
    const cJSON *ex = js ? cJSON_GetObjectItemCaseSensitive(js, "experiment") : NULL;
    const cJSON *agents = ex ? cJSON_GetObjectItemCaseSensitive(ex, "agents") : NULL;
    const cJSON *ag;
    if (cJSON_IsArray(agents))
        cJSON_ArrayForEach(ag, agents)
        {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(ag, "name");
            const cJSON *lb = cJSON_GetObjectItemCaseSensitive(ag, "label");
            if (!cJSON_IsString(nm)) continue;
            const char *label = cJSON_IsString(lb) ? lb->valuestring : nm->valuestring;
            const lga_agent_type *t = lga_find(nm->valuestring);
            for (int i = 0; i < cv->n_curves; i++)
                if (!strcmp(cv->curves[i].label, label)) cheats[i] = t && t->cheats;
        }
    cJSON_Delete(js);
    return rc;
}

static void base_name(const char *path, char *out, size_t n)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/') start--;
    snprintf(out, n, "%.*s", (int)(len - start), path + start);
}

int lgv_plot_results(const char *results, const char *out_png, const lgv_plot_options *o, char *err, size_t errsz)
{
    const int W = o->width > 0 ? o->width : 1000, H = o->height > 0 ? o->height : 620;
    if (W < 200 || H < 150 || W > 8000 || H > 8000) {
        snprintf(err, errsz, "size: expected a width in [200, 8000] and a height in [150, 8000], found %dx%d", W, H);
        return 2;
    }
    struct stat st;
    if (strlen(results) > 4000) {
        snprintf(err, errsz, "%.100s...: expected a path of at most 4000 characters", results);
        return 2;
    }
    if (o->font_path && (stat(o->font_path, &st) != 0 || !S_ISREG(st.st_mode))) {
        snprintf(err, errsz, "%s: no such font file", o->font_path);
        return 2;
    }
    if (stat(results, &st) != 0) {
        snprintf(err, errsz, "%s: no such results folder or file (%s)", results, strerror(errno));
        return 2;
    }
    char csv[4200], scen[4200], folder[4096];
    if (S_ISDIR(st.st_mode)) {
        snprintf(csv, sizeof csv, "%s/curves.csv", results);
        snprintf(scen, sizeof scen, "%s/scenario.json", results);
        snprintf(folder, sizeof folder, "%s", results);
        if (stat(csv, &st) != 0) {
            snprintf(err, errsz, "%s: no curves.csv in this folder (expected a results folder written by livegym run --out)",
                     results);
            return 2;
        }
    } else {
        snprintf(csv, sizeof csv, "%s", results);
        const char *slash = strrchr(results, '/');
        if (slash)
            snprintf(folder, sizeof folder, "%.*s", (int)(slash - results), results);
        else
            snprintf(folder, sizeof folder, ".");
        snprintf(scen, sizeof scen, "%s/scenario.json", folder);
    }
    lgx_curves cv;
    int rc = lgx_curves_load(csv, o->metric, &cv, err, errsz);
    if (rc) return rc;

    char title[256], subtitle[256], xlabel[128];
    int cheats[LGX_CURVES_MAX_AGENTS] = {0};
    char (*labels)[LGX_COLUMN_LEN + 16] = calloc((size_t)cv.n_curves, sizeof *labels);
    int have_name = scenario_info(scen, title, sizeof title, &cv, cheats) == 0;
    if (o->title)
        snprintf(title, sizeof title, "%s", o->title);
    else if (!have_name) {
        char b[256];
        base_name(folder, b, sizeof b);
        snprintf(title, sizeof title, "%s", b);
    }
    if (cv.has_seed) {
        if (cv.max_count > 1 && cv.min_count != cv.max_count)
            snprintf(subtitle, sizeof subtitle, "%s: mean and 95%% CI (Student t) over %d to %d seeds", cv.metric,
                     cv.min_count, cv.max_count);
        else if (cv.max_count > 1)
            snprintf(subtitle, sizeof subtitle, "%s: mean and 95%% CI (Student t) over %d seeds", cv.metric,
                     cv.max_count);
        else
            snprintf(subtitle, sizeof subtitle, "%s: one seed (no confidence interval)", cv.metric);
        snprintf(xlabel, sizeof xlabel, "training %s (slot-steps per run)", strcmp(cv.xcol, "step") ? cv.xcol : "steps");
    } else {
        snprintf(subtitle, sizeof subtitle, "%s, averaged over runs (online learning)", cv.metric);
        snprintf(xlabel, sizeof xlabel, "%s", cv.xcol);
    }

    lgv_chart_series *sr = calloc((size_t)cv.n_curves, sizeof *sr);
    uint32_t *small = malloc((size_t)W * (size_t)H * 4);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, 2 * W, 2 * H, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *ren = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    lgv_canvas *c = NULL;
    rc = 1;
    if (!sr || !small || !surf || !ren || !labels) {
        snprintf(err, errsz, "cannot create a %dx%d image: %s", W, H, surf ? SDL_GetError() : "out of memory");
        goto out;
    }
    float base = fminf(W / 1000.0f, H / 620.0f);
    if (base < 0.6f) base = 0.6f;
    if (lgv_canvas_create(ren, o->font_path, 2.0f * base, &c, err, errsz)) goto out;
    int max_pts = 0;
    for (int i = 0; i < cv.n_curves; i++)
        if (cv.curves[i].n > max_pts) max_pts = cv.curves[i].n;
    for (int i = 0; i < cv.n_curves; i++) {
        const lgx_curve *k = &cv.curves[i];
        snprintf(labels[i], sizeof labels[i], "%s%s", k->label, cheats[i] ? " (cheats)" : "");
        sr[i].label = labels[i];
        sr[i].color = lgv_agent_color(i);
        sr[i].n = k->n;
        sr[i].x = k->x;
        sr[i].y = k->mean;
        sr[i].lo = cv.max_count > 1 ? k->lo : NULL;
        sr[i].hi = cv.max_count > 1 ? k->hi : NULL;
        sr[i].width = max_pts > 300 ? 1.4f : 2.2f;
        sr[i].markers = max_pts <= 25;
        sr[i].in_legend = 1;
    }
    lgv_chart ch;
    memset(&ch, 0, sizeof ch);
    ch.title = title;
    ch.subtitle = subtitle;
    ch.xlabel = xlabel;
    ch.ylabel = lgx_metric_label(cv.metric);
    ch.series = sr;
    ch.n_series = cv.n_curves;
    ch.legend = LGV_LEGEND_RIGHT;
    ch.legend_note = cv.max_count > 1 ? "bands: 95% CI" : NULL;
    ch.title_font = LGV_FONT_TITLE;
    ch.label_font = LGV_FONT_NORMAL;
    ch.band_alpha = 0.16f;
    lgv_clear(c, 0xFFFFFFFF);
    float m = 14 * 2 * base;
    lgv_draw_chart(c, m, m * 0.8f, 2 * W - 2 * m, 2 * H - 1.6f * m, &ch);
    SDL_RenderFlush(ren);
    if (SDL_MUSTLOCK(surf)) SDL_LockSurface(surf);
    lgv_downsample2(surf->pixels, 2 * W, 2 * H, surf->pitch / 4, small, W);
    if (SDL_MUSTLOCK(surf)) SDL_UnlockSurface(surf);
    if (lgv_png_write(out_png, small, W, H, W, err, errsz)) goto out;
    rc = 0;
out:
    lgv_canvas_free(c);
    if (ren) SDL_DestroyRenderer(ren);
    if (surf) SDL_FreeSurface(surf);
    free(small);
    free(sr);
    free(labels);
    lgx_curves_free(&cv);
    return rc;
}
