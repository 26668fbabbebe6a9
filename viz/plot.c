/* `livegym plot`: learning curves of a results folder as a PNG figure, drawn
 * at twice the size with the viewer's chart code and halved (anti-aliased). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


#include "lgv_app.h"
#include "lgx_curves.h"
#include "lgx_events.h"
#include "lgx_experiment.h"
#include "lgx_folder.h"
#include "lgx_metrics.h"
#include "lgv_draw.h"
#include "lga_agent.h"
#include "lgv_png.h"

/* The folder's scenario.json, read as any scenario file (strictly); NULL
 * when there is none or it does not load. Marks the curves of cheating
 * agents: a label of its experiment, or a registry name. */
static lg_scenario *scenario_info(const char *path, const lgx_curves *cv, int *cheats)
{
    for (int i = 0; i < cv->n_curves; i++) {
        const lga_agent_type *t = lga_find(cv->curves[i].label);
        cheats[i] = t && t->cheats;
    }
    lg_scenario *sc = malloc(sizeof *sc);
    lgx_experiment *ex = malloc(sizeof *ex);
    char err[1024];
    if (sc && ex && lgx_load_file(path, sc, ex, err, sizeof err) == 0) {
        for (int a = 0; a < ex->n_agents; a++) {
            const lga_agent_type *t = lga_find(ex->agents[a].name);
            for (int i = 0; i < cv->n_curves; i++)
                if (!strcmp(cv->curves[i].label, ex->agents[a].label)) cheats[i] = t && t->cheats;
        }
    } else {
        free(sc), sc = NULL;
    }
    free(ex);
    return sc;
}

static void base_name(const char *path, char *out, size_t n)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/') start--;
    snprintf(out, n, "%.*s", (int)(len - start), path + start);
}

static const char *file_kind(mode_t m)
{
    return S_ISDIR(m) ? "a folder" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
           : S_ISFIFO(m) ? "a pipe" : S_ISSOCK(m) ? "a socket" : "something that is not a regular file";
}

/* The inputs of a plot: RESULTS is a results folder (its curves.csv and
 * scenario.json) or a CSV file (scenario.json next to it, if any). Returns
 * 0, or 2 with a message. */
static int find_inputs(const char *results, const lgv_plot_options *o, char *csv, char *scen, char *folder, size_t n,
                       char *err, size_t errsz)
{
    struct stat st;
    if (strlen(results) > 4000) {
        snprintf(err, errsz, "%.100s...: expected a path of at most 4000 characters", results);
        return 2;
    }
    if (o->font_path && stat(o->font_path, &st) != 0) {
        snprintf(err, errsz, "%s: no such font file (%s)", o->font_path, strerror(errno));
        return 2;
    }
    if (o->font_path && !S_ISREG(st.st_mode)) {
        snprintf(err, errsz, "%s: expected a TrueType font file, found %s", o->font_path, file_kind(st.st_mode));
        return 2;
    }
    if (stat(results, &st) != 0) {
        snprintf(err, errsz, "%s: no such results folder or file (%s)", results, strerror(errno));
        return 2;
    }
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
        snprintf(err, errsz, "%s: expected a results folder or a CSV file, found %s", results, file_kind(st.st_mode));
        return 2;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(csv, n, "%s/%s", results, o->timeline ? "timeline.csv" : "curves.csv");
        snprintf(scen, n, "%s/scenario.json", results);
        snprintf(folder, n, "%s", results);
        if (stat(csv, &st) != 0) {
            snprintf(err, errsz, "%s: no %s in this folder (expected a results folder written by livegym run --out%s)",
                     results, o->timeline ? "timeline.csv" : "curves.csv", o->timeline ? " on a live world" : "");
            return 2;
        }
        return 0;
    }
    snprintf(csv, n, "%s", results);
    const char *slash = strrchr(results, '/');
    if (slash)
        snprintf(folder, n, "%.*s", (int)(slash - results), results);
    else
        snprintf(folder, n, ".");
    snprintf(scen, n, "%.4000s/scenario.json", folder);
    return 0;
}

typedef struct {
    char title[256], subtitle[256], xlabel[128];
} plot_texts;

/* Title (the option, the scenario's name, or the folder's), subtitle (what
 * the lines and bands are) and x label. */
static void texts(plot_texts *t, const lgx_curves *cv, const char *folder, int have_name, const lgv_plot_options *o)
{
    if (o->title)
        snprintf(t->title, sizeof t->title, "%s", o->title);
    else if (!have_name)
        base_name(folder, t->title, sizeof t->title);
    if (cv->has_seed) {
        if (cv->max_count > 1 && cv->min_count != cv->max_count)
            snprintf(t->subtitle, sizeof t->subtitle, "%s: mean and 95%% CI (Student t) over %d to %d seeds",
                     cv->metric, cv->min_count, cv->max_count);
        else if (cv->max_count > 1)
            snprintf(t->subtitle, sizeof t->subtitle, "%s: mean and 95%% CI (Student t) over %d seeds", cv->metric,
                     cv->max_count);
        else
            snprintf(t->subtitle, sizeof t->subtitle, "%s: one seed (no confidence interval)", cv->metric);
        if (!strcmp(cv->xcol, "minute")) {
            snprintf(t->subtitle + strlen(t->subtitle), sizeof t->subtitle - strlen(t->subtitle),
                     ", earned while learning, per hour");
            snprintf(t->xlabel, sizeof t->xlabel, "simulated days since the start of training");
        } else {
            snprintf(t->xlabel, sizeof t->xlabel, "training %s (slot-steps per run)",
                     strcmp(cv->xcol, "step") ? cv->xcol : "steps");
        }
    } else {
        snprintf(t->subtitle, sizeof t->subtitle, "%s, averaged over runs (online learning)", cv->metric);
        snprintf(t->xlabel, sizeof t->xlabel, "%s", cv->xcol);
    }
}

typedef struct {
    int n;
    double *x;
    char **label;
    char (*text)[48];
} event_marks;

/* A timeline: x from minutes to days, and the scenario's events (if its
 * scenario.json loaded) as marks. 0, or -1 when out of memory. */
static int timeline_days(lgx_curves *cv, const lg_scenario *sc, event_marks *em)
{
    for (int i = 0; i < cv->n_curves; i++)
        for (int k = 0; k < cv->curves[i].n; k++) cv->curves[i].x[k] /= 1440.0;
    if (!sc || sc->n_events == 0) return 0;
    em->x = malloc(sizeof(double) * (size_t)sc->n_events);
    em->label = malloc(sizeof(char *) * (size_t)sc->n_events);
    em->text = malloc(sizeof *em->text * (size_t)sc->n_events);
    if (!em->x || !em->label || !em->text) return -1;
    for (int e = 0; e < sc->n_events; e++) {
        em->x[e] = sc->events[e].time / 1440.0;
        lgx_event_label(sc, e, em->text[e], sizeof em->text[e]);
        em->label[e] = em->text[e];
    }
    em->n = sc->n_events;
    return 0;
}

/* Draw the chart at twice the size, halve it (anti-aliasing), write the PNG. */
int lgv_chart_png(const lgv_chart *ch, int W, int H, const char *font, const char *out_png, char *err, size_t errsz)
{
    uint32_t *small = malloc((size_t)W * (size_t)H * 4);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, 2 * W, 2 * H, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *ren = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    lgv_canvas *c = NULL;
    int rc = 1;
    if (!small || !surf || !ren) {
        snprintf(err, errsz, "cannot create a %dx%d image: %s", W, H, surf ? SDL_GetError() : "out of memory");
        goto out;
    }
    float base = fminf(W / 1000.0f, H / 620.0f);
    if (base < 0.6f) base = 0.6f;
    if (lgv_canvas_create(ren, font, 2.0f * base, &c, err, errsz)) goto out;
    lgv_clear(c, LGV_CARD);
    float m = 14 * 2 * base;
    lgv_draw_chart(c, m, m * 0.8f, 2 * W - 2 * m, 2 * H - 1.6f * m, ch);
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
    return rc;
}

int lgv_plot_results(const char *results, const char *out_png, const lgv_plot_options *o, char *err, size_t errsz)
{
    const int W = o->width > 0 ? o->width : 1000, H = o->height > 0 ? o->height : 620;
    if (W < 200 || H < 150 || W > 8000 || H > 8000) {
        snprintf(err, errsz, "size: expected a width in [200, 8000] and a height in [150, 8000], found %dx%d", W, H);
        return 2;
    }
    char csv[4200], scen[4200], folder[4200];
    int rc = find_inputs(results, o, csv, scen, folder, sizeof csv, err, errsz);
    if (rc) return rc;
    /* A results folder (or a CSV inside one) is read only as one run's. */
    lgx_folder info = {1, 0, 0, "", -1};
    char status[4300];
    struct stat sb;
    snprintf(status, sizeof status, "%s/status.json", folder);
    if (stat(results, &sb) == 0 && S_ISDIR(sb.st_mode) ? 1 : stat(status, &sb) == 0) {
        const char *files[] = {strrchr(csv, '/') ? strrchr(csv, '/') + 1 : csv, "scenario.json", NULL};
        if ((rc = lgx_folder_check(folder, files, o->partial, &info, err, errsz))) return rc;
    }
    lgx_curves cv;
    rc = lgx_curves_load(csv, o->metric, &cv, err, errsz);
    if (rc) return lgx_folder_release(&info), rc;
    plot_texts t;
    int cheats[LGX_CURVES_MAX_AGENTS] = {0};
    lg_scenario *sc = scenario_info(scen, &cv, cheats);
    lgx_folder_release(&info); /* everything of the folder is read */
    if (sc) snprintf(t.title, sizeof t.title, "%s", sc->name);
    texts(&t, &cv, folder, sc != NULL, o);
    if (!info.complete)
        snprintf(t.subtitle + strlen(t.subtitle), sizeof t.subtitle - strlen(t.subtitle), " - PARTIAL: %d of %d runs",
                 info.jobs_done, info.jobs_total);
    lgv_chart_series *sr = calloc((size_t)cv.n_curves, sizeof *sr);
    char (*labels)[LGX_COLUMN_LEN + 16] = calloc((size_t)cv.n_curves, sizeof *labels);
    event_marks em = {0};
    rc = 1;
    if (!sr || !labels || (!strcmp(cv.xcol, "minute") && timeline_days(&cv, sc, &em))) {
        snprintf(err, errsz, "cannot create a %dx%d image: out of memory", W, H);
        goto out;
    }
    int max_pts = 0;
    for (int i = 0; i < cv.n_curves; i++)
        if (cv.curves[i].n > max_pts) max_pts = cv.curves[i].n;
    for (int i = 0; i < cv.n_curves; i++) {
        const lgx_curve *k = &cv.curves[i];
        snprintf(labels[i], sizeof labels[i], "%s%s", k->label, cheats[i] ? " (cheats)" : "");
        sr[i] = (lgv_chart_series){.label = labels[i], .color = lgv_agent_color(i), .n = k->n, .x = k->x,
                                   .y = k->mean, .lo = cv.max_count > 1 ? k->lo : NULL,
                                   .hi = cv.max_count > 1 ? k->hi : NULL, .width = max_pts > 300 ? 1.4f : 2.2f,
                                   .markers = max_pts <= 25, .in_legend = 1};
    }
    lgv_chart ch = {.title = t.title, .subtitle = t.subtitle, .xlabel = t.xlabel,
                    .ylabel = lgx_metric_label(cv.metric), .series = sr, .n_series = cv.n_curves,
                    .legend = LGV_LEGEND_RIGHT, .legend_note = cv.max_count > 1 ? "bands: 95% CI" : NULL,
                    .title_font = LGV_FONT_TITLE, .label_font = LGV_FONT_NORMAL, .band_alpha = 0.16f,
                    .n_marks = em.n, .marks = em.x, .mark_labels = (const char *const *)em.label};
    rc = lgv_chart_png(&ch, W, H, o->font_path, out_png, err, errsz);
out:
    free(sr);
    free(labels);
    free(em.x), free(em.label), free(em.text), free(sc);
    lgx_curves_free(&cv);
    return rc;
}
