/* What an agent earned while it learned, window by window of simulated time
 * (what a live A/B test measures): per window of LGX_WINDOW_MINUTES of the
 * training world's clock, the tallies of its sessions and steps (return,
 * watch time, CTR, relevance and regret of the behaviour policy against the
 * ground truth), and per channel the recommendations it received and the
 * minutes watched of it. The event windows of the results (lgx_events.h)
 * are sums of these.
 *
 * A session counts in the window where it ends; a step in the window where
 * it starts. Everything lives in one block so a checkpoint can save it. */
#ifndef LGX_TIMELINE_H
#define LGX_TIMELINE_H

#include <stddef.h>

#include "lgx_loop.h"

#define LGX_WINDOW_MINUTES 60.0

typedef struct lgx_timeline {
    int n_windows, n_channels, n_slots;
    double start;        /* the training world's clock when training began */
    lgx_tally *tally;    /* [n_windows] */
    double *recs;        /* [n_windows * n_channels] slate items recommending each channel */
    double *watch;       /* [n_windows * n_channels] minutes watched of each channel */
    double *first_rec;   /* [n_channels] minutes after start of each channel's first recommendation; -1: never */
    double *ep_ret, *ep_min, *ep_len; /* [n_slots] the sessions in progress */
    void *block;
    size_t bytes;
} lgx_timeline;

/* Windows enough for `minutes` of training from env's clock now (plus one).
 * Returns 0 or -1 (out of memory). */
int lgx_timeline_init(lgx_timeline *tl, const lg_env *env, double minutes);
/* The same from the shape: n_channels channels, n_slots slots, start clock. */
int lgx_timeline_init_shape(lgx_timeline *tl, double minutes, int n_channels, int n_slots, double start);
void lgx_timeline_free(lgx_timeline *tl);

/* A timeline block from a file (a checkpoint, a finished run's timeline):
 * every value a finite number. 0, or -1 with a message. */
int lgx_timeline_check(const void *block, size_t bytes, char *err, size_t errsz);

/* The window of a time (minutes after start), clamped to the last one. */
int lgx_timeline_window(const lgx_timeline *tl, double minutes);

/* Sums over the windows that start in [from, to) minutes after start: the
 * tally, and per channel the recommendations and watch minutes (either may
 * be NULL). */
void lgx_timeline_sum(const lgx_timeline *tl, double from, double to, lgx_tally *t, double *recs, double *watch);

/* Coverage (share of channels recommended at least once) and Gini of the
 * recommendation counts recs[n]. */
void lgx_exposure_of(const double *recs, int n, double *coverage, double *gini);

#endif
