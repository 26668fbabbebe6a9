/* `livegym watch` and `livegym plot` as library calls: the live window (SDL2
 * event loop and drawing, training on lgx_live's worker thread), headless
 * snapshots and result plots rendered with a software renderer onto an
 * SDL_Surface (no display, no window), written as PNG atomically. The CLI
 * (tools/cmd_watch.c, tools/cmd_plot.c) parses flags and prints; nothing
 * here prints or exits (messages go to the optional log callback). */
#ifndef LGV_APP_H
#define LGV_APP_H

#include <stddef.h>

#include "lgx_live.h"

typedef struct {
    int width, height;          /* window or image size in pixels */
    const char *font_path;      /* NULL: DejaVu Sans from the usual places */
    const char *screenshot_dir; /* where F12/x saves PNGs; NULL: the current directory */
    int selected;               /* agent shown first in the panels */
    double max_seconds;         /* window: close by itself after this long (0: never) */
    void (*log)(void *ctx, const char *msg); /* screenshots saved, renderer used, ... */
    void *log_ctx;
} lgv_app_options;

typedef struct {
    long frames;
    double seconds;            /* the window was open */
    double fps;                /* frames / seconds */
    long steps;                /* training slot-steps per (agent, seed) at the end */
    double train_steps_per_sec; /* all (agent, seed): slot-steps per wall-clock second */
    char renderer[32];
} lgv_watch_stats;

/* Open a window and train live until it is closed (or q/Esc, or
 * max_seconds). Returns 0, or -1 with a message (no display, ...). */
int lgv_watch_window(lgx_live *L, const lgv_app_options *o, lgv_watch_stats *stats, char *err, size_t errsz);

/* Train `steps` slot-steps per (agent, seed) synchronously, then render the
 * viewer to `png_path` (o->width x o->height). Returns 0, or -1 with a message. */
int lgv_watch_snapshot(lgx_live *L, long steps, const char *png_path, const lgv_app_options *o,
                       lgv_watch_stats *stats, char *err, size_t errsz);

typedef struct {
    const char *metric;    /* NULL: "return" (or the file's first metric) */
    int width, height;     /* pixels; 0: 1000 x 620 */
    const char *font_path; /* NULL: the default font */
    const char *title;     /* NULL: the scenario's name from scenario.json, else the folder name */
    int timeline;          /* a folder's timeline.csv instead of its curves.csv */
    int partial;           /* read a folder whose run was interrupted (and say so in the subtitle) */
    const char *sweep;     /* a hyperparameter: the final metric against it (summary.json), not curves */
} lgv_plot_options;

/* Plot RESULTS (a results folder holding curves.csv, or a CSV file) into
 * out_png: mean and 95% CI across seeds per agent. A timeline (timeline.csv,
 * x in minutes) is drawn over simulated days, with the scenario's events
 * (from scenario.json beside it) as labelled vertical markers. Returns 0; 2 for bad
 * input (missing folder or file, malformed CSV, unknown metric: message in
 * err); 1 for a failure (rendering, writing). Nothing is written on error. */
int lgv_plot_results(const char *results, const char *out_png, const lgv_plot_options *o, char *err, size_t errsz);

/* The sensitivity of a results folder's final metric to hyperparameter
 * o->sweep (Sutton & Barto's Figure 2.6 for any agent): from summary.json,
 * one line per agent configuration family (same name, same other
 * hyperparameters) through its swept values, with 95% CI bands; a random
 * search's samples as points; x on a log2 axis when the values span a
 * factor of 8 or more. Returns as lgv_plot_results. */
int lgv_plot_sweep(const char *folder, const char *out_png, const lgv_plot_options *o, char *err, size_t errsz);

#endif
