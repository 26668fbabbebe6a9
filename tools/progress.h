/* The progress display of `livegym run` on a terminal (stderr). */
#ifndef LG_PROGRESS_H
#define LG_PROGRESS_H

#include "lgx_run.h"

typedef struct {
    const lgx_experiment *ex; /* for the agents' labels */
    int drawn;                /* lines on screen */
} lg_progress_display;

/* An lgx_run_config.on_progress: one overall bar, then one bar per run in
 * progress, redrawn in place (ANSI cursor movement); cleared at the end. */
void lg_progress_draw(void *display, const lgx_progress *p);

#endif
