/* The live window and headless snapshots. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lgv_app.h"
#include "lgv_draw.h"
#include "lg_clock.h"
#include "lgv_png.h"

static float view_scale(int w, int h)
{
    float s = fminf((float)w / 1280.0f, (float)h / 800.0f);
    if (s < 0.7f) s = 0.7f;
    if (s > 2.5f) s = 2.5f;
    return s;
}

static void say(const lgv_app_options *o, const char *msg)
{
    if (o->log) o->log(o->log_ctx, msg);
}

/* A fresh file name for a screenshot: DIR/livegym-YYYYmmdd-HHMMSS[-N].png */
static void shot_name(const lgv_app_options *o, char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    const char *dir = o->screenshot_dir && o->screenshot_dir[0] ? o->screenshot_dir : ".";
    struct stat st;
    for (int k = 1; k < 1000; k++) {
        if (k == 1)
            snprintf(buf, n, "%s/livegym-%s.png", dir, stamp);
        else
            snprintf(buf, n, "%s/livegym-%s-%d.png", dir, stamp, k);
        if (stat(buf, &st) != 0) return;
    }
}

static int save_renderer(SDL_Renderer *r, const char *path, char *err, size_t errsz)
{
    int w, h;
    if (SDL_GetRendererOutputSize(r, &w, &h) != 0) {
        snprintf(err, errsz, "screenshot: %s", SDL_GetError());
        return -1;
    }
    uint32_t *px = malloc((size_t)w * (size_t)h * 4);
    if (!px) {
        snprintf(err, errsz, "screenshot: out of memory");
        return -1;
    }
    int rc = -1;
    if (SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, px, w * 4) != 0)
        snprintf(err, errsz, "screenshot: cannot read the window: %s", SDL_GetError());
    else
        rc = lgv_png_write(path, px, w, h, w, err, errsz);
    free(px);
    return rc;
}

int lgv_watch_window(lgx_live *L, const lgv_app_options *o, lgv_watch_stats *stats, char *err, size_t errsz)
{
    memset(stats, 0, sizeof *stats);
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errsz, "cannot open a window: %s (no display? use --snapshot FILE.png to render without one)",
                 SDL_GetError());
        return -1;
    }
    /* SDL falls back to drivers that show nothing (offscreen, dummy) when there
     * is no display: refuse those unless asked for by name */
    const char *drv = SDL_GetCurrentVideoDriver();
    if (drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy")) && !getenv("SDL_VIDEODRIVER")) {
        snprintf(err, errsz,
                 "cannot open a window: no display found (SDL chose the \"%s\" video driver, which shows "
                 "nothing); set DISPLAY, or use --snapshot FILE.png to render without one",
                 drv);
        SDL_Quit();
        return -1;
    }
    int rc = -1;
    SDL_Window *win = NULL;
    SDL_Renderer *ren = NULL;
    lgv_canvas *cv = NULL;
    lgx_model *view = NULL;
    char title[160], msg[1200], toast[1200] = "";
    double toast_until = 0;
    snprintf(title, sizeof title, "livegym watch: %s", lgx_live_scenario(L)->name);
    win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o->width, o->height,
                           SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!win) {
        snprintf(err, errsz, "cannot open a window: %s", SDL_GetError());
        goto out;
    }
    ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!ren) ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    if (!ren) {
        snprintf(err, errsz, "cannot create a renderer: %s", SDL_GetError());
        goto out;
    }
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(ren, &info) == 0) {
        snprintf(stats->renderer, sizeof stats->renderer, "%s", info.name);
        snprintf(msg, sizeof msg, "renderer: %s%s", info.name,
                 info.flags & SDL_RENDERER_PRESENTVSYNC ? " (vsync)" : "");
        say(o, msg);
    }
    int w, h;
    SDL_GetRendererOutputSize(ren, &w, &h);
    if (lgv_canvas_create(ren, o->font_path, view_scale(w, h), &cv, err, errsz)) goto out;
    if (!(view = lgx_live_new_model(L, err, errsz))) goto out;
    lgv_ui ui;
    lgv_ui_init(&ui, view->n_agents);
    lgv_ui_select(&ui, o->selected);
    lgx_live_set_rate(L, lgv_speed_rate(ui.speed));
    if (lgx_live_start(L, err, errsz)) goto out;

    double t_start = lg_now(), fps = 0, last = t_start;
    long frames = 0;
    int quit = 0;
    while (!quit) {
        int shot = 0;
        SDL_Event e;
        while (SDL_PollEvent(&e)) {
            if (e.type == SDL_QUIT) quit = 1;
            else if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_CLOSE) quit = 1;
            else if (e.type == SDL_KEYDOWN) {
                SDL_Keycode k = e.key.keysym.sym;
                int shift = (e.key.keysym.mod & KMOD_SHIFT) != 0;
                if (k == SDLK_q || k == SDLK_ESCAPE) quit = 1;
                else if (k == SDLK_SPACE) {
                    ui.paused = !ui.paused;
                    lgx_live_set_paused(L, ui.paused);
                } else if (k == SDLK_n) {
                    if (ui.paused) lgx_live_step_once(L);
                } else if (k == SDLK_PLUS || k == SDLK_KP_PLUS || k == SDLK_EQUALS) {
                    lgv_ui_faster(&ui);
                    lgx_live_set_rate(L, lgv_speed_rate(ui.speed));
                } else if (k == SDLK_MINUS || k == SDLK_KP_MINUS) {
                    lgv_ui_slower(&ui);
                    lgx_live_set_rate(L, lgv_speed_rate(ui.speed));
                } else if (k == SDLK_TAB) {
                    if (shift) lgv_ui_prev(&ui);
                    else lgv_ui_next(&ui);
                } else if (k >= SDLK_1 && k <= SDLK_9) lgv_ui_select(&ui, (int)(k - SDLK_1));
                else if (k >= SDLK_KP_1 && k <= SDLK_KP_9) lgv_ui_select(&ui, (int)(k - SDLK_KP_1));
                else if (k == SDLK_c) lgv_ui_toggle(&ui, LGV_PANEL_CURVES);
                else if (k == SDLK_p) lgv_ui_toggle(&ui, LGV_PANEL_PLATFORM);
                else if (k == SDLK_m) lgv_ui_toggle(&ui, LGV_PANEL_MIND);
                else if (k == SDLK_s) lgv_ui_toggle(&ui, LGV_PANEL_SESSION);
                else if (k == SDLK_h || k == SDLK_F1) ui.help = !ui.help;
                else if (k == SDLK_F12 || k == SDLK_x) shot = 1;
            }
        }
        double t = lg_now();
        if (o->max_seconds > 0 && t - t_start >= o->max_seconds) quit = 1;
        lgx_live_snapshot(L, view);
        SDL_GetRendererOutputSize(ren, &w, &h);
        lgv_canvas_set_scale(cv, view_scale(w, h));
        lgv_view_status st = {fps, toast[0] && t < toast_until ? toast : NULL};
        lgv_draw_view(cv, w, h, view, &ui, &st);
        if (shot) {
            char path[1024], e2[1100];
            shot_name(o, path, sizeof path);
            if (save_renderer(ren, path, e2, sizeof e2) == 0) {
                snprintf(toast, sizeof toast, "saved %s", path);
                say(o, toast);
            } else {
                snprintf(toast, sizeof toast, "%s", e2);
                say(o, e2);
            }
            toast_until = t + 4.0;
        }
        SDL_RenderPresent(ren);
        frames++;
        double t2 = lg_now(), dt = t2 - last;
        last = t2;
        if (dt > 0) fps = fps > 0 ? 0.9 * fps + 0.1 / dt : 1.0 / dt;
        /* at most 60 frames per second (vsync may already hold us) */
        double spent = lg_now() - t;
        if (spent < 1.0 / 60.0) SDL_Delay((Uint32)((1.0 / 60.0 - spent) * 1000.0));
    }
    lgx_live_stop(L);
    lgx_live_snapshot(L, view);
    stats->frames = frames;
    stats->seconds = lg_now() - t_start;
    stats->fps = stats->seconds > 0 ? (double)frames / stats->seconds : 0;
    stats->steps = view->steps;
    stats->train_steps_per_sec =
        stats->seconds > 0 ? (double)view->steps * view->n_agents * view->n_seeds / stats->seconds : 0;
    rc = 0;
out:
    lgx_live_stop(L);
    lgx_model_free(view);
    lgv_canvas_free(cv);
    if (ren) SDL_DestroyRenderer(ren);
    if (win) SDL_DestroyWindow(win);
    SDL_Quit();
    return rc;
}

int lgv_watch_snapshot(lgx_live *L, long steps, const char *png_path, const lgv_app_options *o,
                       lgv_watch_stats *stats, char *err, size_t errsz)
{
    memset(stats, 0, sizeof *stats);
    double t0 = lg_now();
    lgx_live_run(L, steps);
    double t1 = lg_now();
    int rc = -1;
    lgx_model *view = NULL;
    SDL_Surface *surf = NULL;
    SDL_Renderer *ren = NULL;
    lgv_canvas *cv = NULL;
    if (!(view = lgx_live_new_model(L, err, errsz))) goto out;
    lgx_live_snapshot(L, view);
    surf = SDL_CreateRGBSurfaceWithFormat(0, o->width, o->height, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!surf) {
        snprintf(err, errsz, "cannot create a %dx%d image: %s", o->width, o->height, SDL_GetError());
        goto out;
    }
    if (!(ren = SDL_CreateSoftwareRenderer(surf))) {
        snprintf(err, errsz, "cannot create a software renderer: %s", SDL_GetError());
        goto out;
    }
    snprintf(stats->renderer, sizeof stats->renderer, "software (offscreen)");
    if (lgv_canvas_create(ren, o->font_path, view_scale(o->width, o->height), &cv, err, errsz)) goto out;
    lgv_ui ui;
    lgv_ui_init(&ui, view->n_agents);
    lgv_ui_select(&ui, o->selected);
    lgv_draw_view(cv, o->width, o->height, view, &ui, NULL);
    SDL_RenderFlush(ren);
    if (lgv_png_write_surface(png_path, surf, err, errsz)) goto out;
    stats->frames = 1;
    stats->seconds = t1 - t0;
    stats->steps = view->steps;
    stats->train_steps_per_sec =
        t1 > t0 ? (double)view->steps * view->n_agents * view->n_seeds / (t1 - t0) : 0;
    rc = 0;
out:
    lgv_canvas_free(cv);
    if (ren) SDL_DestroyRenderer(ren);
    if (surf) SDL_FreeSurface(surf);
    lgx_model_free(view);
    return rc;
}
