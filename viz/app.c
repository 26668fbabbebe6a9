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

/* SDL's video, refusing the drivers that show nothing (offscreen, dummy)
 * unless asked for by name: without a display, say how to do without. */
static int open_video(char *err, size_t errsz)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errsz, "cannot open a window: %s (no display? use --snapshot FILE.png to render without one)",
                 SDL_GetError());
        return -1;
    }
    const char *drv = SDL_GetCurrentVideoDriver();
    if (drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy")) && !getenv("SDL_VIDEODRIVER")) {
        snprintf(err, errsz,
                 "cannot open a window: no display found (SDL chose the \"%s\" video driver, which shows "
                 "nothing); set DISPLAY, or use --snapshot FILE.png to render without one",
                 drv);
        SDL_Quit();
        return -1;
    }
    return 0;
}

/* The window and what it draws with. */
typedef struct {
    SDL_Window *win;
    SDL_Renderer *ren;
    lgv_canvas *cv;
    lgx_model *view;
    lgv_ui ui;
    char toast[1200];
    double toast_until;
} window;

static int create_window(window *wd, lgx_live *L, const lgv_app_options *o, lgv_watch_stats *stats, char *err,
                         size_t errsz)
{
    char title[160], msg[200];
    snprintf(title, sizeof title, "livegym watch: %s", lgx_live_scenario(L)->name);
    wd->win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o->width, o->height,
                               SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!wd->win) return snprintf(err, errsz, "cannot open a window: %s", SDL_GetError()), -1;
    wd->ren = SDL_CreateRenderer(wd->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!wd->ren) wd->ren = SDL_CreateRenderer(wd->win, -1, SDL_RENDERER_SOFTWARE);
    if (!wd->ren) return snprintf(err, errsz, "cannot create a renderer: %s", SDL_GetError()), -1;
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(wd->ren, &info) == 0) {
        snprintf(stats->renderer, sizeof stats->renderer, "%s", info.name);
        snprintf(msg, sizeof msg, "renderer: %s%s", info.name, info.flags & SDL_RENDERER_PRESENTVSYNC ? " (vsync)" : "");
        say(o, msg);
    }
    int w, h;
    SDL_GetRendererOutputSize(wd->ren, &w, &h);
    if (lgv_canvas_create(wd->ren, o->font_path, view_scale(w, h), &wd->cv, err, errsz)) return -1;
    if (!(wd->view = lgx_live_new_model(L, err, errsz))) return -1;
    lgv_ui_init(&wd->ui, wd->view->n_agents);
    lgv_ui_select(&wd->ui, o->selected);
    return 0;
}

/* A key press (docs/viewer.md lists them). Returns 1 to quit; *shot asks
 * for a screenshot. */
static int on_key(lgx_live *L, lgv_ui *ui, const SDL_Keysym *ks, int *shot)
{
    SDL_Keycode k = ks->sym;
    if (k == SDLK_q || k == SDLK_ESCAPE) return 1;
    if (k == SDLK_SPACE) {
        ui->paused = !ui->paused;
        lgx_live_set_paused(L, ui->paused);
    } else if (k == SDLK_n) {
        if (ui->paused) lgx_live_step_once(L);
    } else if (k == SDLK_PLUS || k == SDLK_KP_PLUS || k == SDLK_EQUALS) {
        lgv_ui_faster(ui);
        lgx_live_set_rate(L, lgv_speed_rate(ui->speed));
    } else if (k == SDLK_MINUS || k == SDLK_KP_MINUS) {
        lgv_ui_slower(ui);
        lgx_live_set_rate(L, lgv_speed_rate(ui->speed));
    } else if (k == SDLK_TAB) {
        if (ks->mod & KMOD_SHIFT) lgv_ui_prev(ui);
        else lgv_ui_next(ui);
    } else if (k >= SDLK_1 && k <= SDLK_9) lgv_ui_select(ui, (int)(k - SDLK_1));
    else if (k >= SDLK_KP_1 && k <= SDLK_KP_9) lgv_ui_select(ui, (int)(k - SDLK_KP_1));
    else if (k == SDLK_c) lgv_ui_toggle(ui, LGV_PANEL_CURVES);
    else if (k == SDLK_p) lgv_ui_toggle(ui, LGV_PANEL_PLATFORM);
    else if (k == SDLK_m) lgv_ui_toggle(ui, LGV_PANEL_MIND);
    else if (k == SDLK_s) lgv_ui_toggle(ui, LGV_PANEL_SESSION);
    else if (k == SDLK_h || k == SDLK_F1) ui->help = !ui->help;
    else if (k == SDLK_F12 || k == SDLK_x) *shot = 1;
    return 0;
}

/* Save what the window shows now, and say so for four seconds. */
static void screenshot(window *wd, const lgv_app_options *o, double now)
{
    char path[1024], e2[1100];
    shot_name(o, path, sizeof path);
    if (save_renderer(wd->ren, path, e2, sizeof e2) == 0) {
        snprintf(wd->toast, sizeof wd->toast, "saved %s", path);
        say(o, wd->toast);
    } else {
        snprintf(wd->toast, sizeof wd->toast, "%s", e2);
        say(o, e2);
    }
    wd->toast_until = now + 4.0;
}

int lgv_watch_window(lgx_live *L, const lgv_app_options *o, lgv_watch_stats *stats, char *err, size_t errsz)
{
    memset(stats, 0, sizeof *stats);
    if (open_video(err, errsz)) return -1;
    int rc = -1;
    window wd;
    memset(&wd, 0, sizeof wd);
    if (create_window(&wd, L, o, stats, err, errsz)) goto out;
    lgx_live_set_rate(L, lgv_speed_rate(wd.ui.speed));
    if (lgx_live_start(L, err, errsz)) goto out;
    double t_start = lg_now(), fps = 0, last = t_start;
    long frames = 0;
    for (int quit = 0; !quit;) {
        int shot = 0;
        SDL_Event e;
        while (SDL_PollEvent(&e)) {
            if (e.type == SDL_QUIT) quit = 1;
            else if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_CLOSE) quit = 1;
            else if (e.type == SDL_KEYDOWN) quit |= on_key(L, &wd.ui, &e.key.keysym, &shot);
        }
        double t = lg_now();
        if (o->max_seconds > 0 && t - t_start >= o->max_seconds) quit = 1;
        lgx_live_snapshot(L, wd.view);
        int w, h;
        SDL_GetRendererOutputSize(wd.ren, &w, &h);
        lgv_canvas_set_scale(wd.cv, view_scale(w, h));
        lgv_view_status st = {fps, wd.toast[0] && t < wd.toast_until ? wd.toast : NULL};
        lgv_draw_view(wd.cv, w, h, wd.view, &wd.ui, &st);
        if (shot) screenshot(&wd, o, t);
        SDL_RenderPresent(wd.ren);
        frames++;
        double t2 = lg_now(), dt = t2 - last;
        last = t2;
        if (dt > 0) fps = fps > 0 ? 0.9 * fps + 0.1 / dt : 1.0 / dt;
        /* at most 60 frames per second (vsync may already hold us) */
        double spent = lg_now() - t;
        if (spent < 1.0 / 60.0) SDL_Delay((Uint32)((1.0 / 60.0 - spent) * 1000.0));
    }
    lgx_live_stop(L);
    lgx_live_snapshot(L, wd.view);
    stats->frames = frames;
    stats->seconds = lg_now() - t_start;
    stats->fps = stats->seconds > 0 ? (double)frames / stats->seconds : 0;
    stats->steps = wd.view->steps;
    stats->train_steps_per_sec =
        stats->seconds > 0 ? (double)wd.view->steps * wd.view->n_agents * wd.view->n_seeds / stats->seconds : 0;
    rc = 0;
out:
    lgx_live_stop(L);
    lgx_model_free(wd.view);
    lgv_canvas_free(wd.cv);
    if (wd.ren) SDL_DestroyRenderer(wd.ren);
    if (wd.win) SDL_DestroyWindow(wd.win);
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
