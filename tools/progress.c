#include "progress.h"

#include <stdio.h>

static void fill_bar(char *bar, int width, double frac)
{
    int fill = (int)(frac * width);
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
}

void lg_progress_draw(void *display, const lgx_progress *p)
{
    lg_progress_display *d = display;
    for (int i = 1; i < d->drawn; i++) fprintf(stderr, "\033[1A");
    fprintf(stderr, "\r\033[J");
    d->drawn = 0;
    if (p->final) {
        fflush(stderr);
        return;
    }
    char bar[41];
    fill_bar(bar, 30, p->fraction);
    fprintf(stderr, "[%s] %3.0f%%  runs %d/%d  %.0f s elapsed", bar, 100 * p->fraction, p->jobs_done, p->jobs_total,
            p->elapsed);
    if (p->fraction > 0.01) fprintf(stderr, ", ETA %.0f s", p->elapsed / p->fraction - p->elapsed);
    d->drawn = 1;
    for (int k = 0; k < p->n_running; k++) {
        double f = p->running[k].fraction, je = p->running[k].elapsed;
        fill_bar(bar, 20, f);
        fprintf(stderr, "\n  %-20.20s seed %-4d [%s] %3.0f%%", d->ex->agents[p->running[k].agent].label,
                p->running[k].seed, bar, 100 * f);
        if (f > 0.01) fprintf(stderr, "  ETA %.0f s", je / f - je);
        d->drawn++;
    }
    fflush(stderr);
}
