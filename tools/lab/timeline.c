#include "lgx_timeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_carve.h"

static void carve(lgx_timeline *tl, lg_carver *cv)
{
    const size_t W = (size_t)tl->n_windows, C = (size_t)tl->n_channels, N = (size_t)tl->n_slots;
    tl->tally = lg_carve(cv, W * sizeof(lgx_tally));
    tl->recs = lg_carve(cv, W * C * sizeof(double));
    tl->watch = lg_carve(cv, W * C * sizeof(double));
    tl->first_rec = lg_carve(cv, C * sizeof(double));
    tl->ep_ret = lg_carve(cv, N * sizeof(double));
    tl->ep_min = lg_carve(cv, N * sizeof(double));
    tl->ep_len = lg_carve(cv, N * sizeof(double));
}

int lgx_timeline_init(lgx_timeline *tl, const lg_env *env, double minutes)
{
    const lg_buffers *b = lg_env_buffers(env);
    return lgx_timeline_init_shape(tl, minutes, b->n_channels, b->n_slots, lg_env_clock(env));
}

int lgx_timeline_check(const void *block, size_t bytes, char *err, size_t errsz)
{
    const unsigned char *p = block;
    for (size_t i = 0; i < bytes / sizeof(double); i++) {
        double v;
        memcpy(&v, p + i * sizeof v, sizeof v);
        if (fabs(v) <= 1e300) continue;
        snprintf(err, errsz, "timeline value %zu: expected a finite number, found %g", i, v);
        return -1;
    }
    return 0;
}

int lgx_timeline_init_shape(lgx_timeline *tl, double minutes, int n_channels, int n_slots, double start)
{
    memset(tl, 0, sizeof *tl);
    tl->n_windows = (int)ceil(minutes / LGX_WINDOW_MINUTES) + 1;
    tl->n_channels = n_channels;
    tl->n_slots = n_slots;
    tl->start = start;
    lg_carver cv = {NULL, 0};
    carve(tl, &cv);
    if (!(tl->block = calloc(1, cv.used))) return -1;
    tl->bytes = cv.used;
    cv.base = tl->block;
    cv.used = 0;
    carve(tl, &cv);
    for (int c = 0; c < tl->n_channels; c++) tl->first_rec[c] = -1.0;
    return 0;
}

void lgx_timeline_free(lgx_timeline *tl)
{
    free(tl->block);
    memset(tl, 0, sizeof *tl);
}

int lgx_timeline_window(const lgx_timeline *tl, double minutes)
{
    double w = floor(minutes / LGX_WINDOW_MINUTES + 1e-9); /* clamped before it becomes an int */
    return !(w >= 0) ? 0 : w >= tl->n_windows ? tl->n_windows - 1 : (int)w;
}

static void add_tally(lgx_tally *t, const lgx_tally *u)
{
    t->sessions += u->sessions, t->ret += u->ret, t->minutes += u->minutes, t->steps += u->steps;
    t->session_steps += u->session_steps, t->chose += u->chose, t->invalid += u->invalid;
    t->gifts += u->gifts, t->follows += u->follows;
    t->precision += u->precision, t->recall += u->recall, t->ndcg += u->ndcg, t->regret += u->regret;
    t->retrieval += u->retrieval;
    t->diversity += u->diversity;
}

void lgx_timeline_sum(const lgx_timeline *tl, double from, double to, lgx_tally *t, double *recs, double *watch)
{
    const int C = tl->n_channels;
    memset(t, 0, sizeof *t);
    if (recs) memset(recs, 0, sizeof(double) * (size_t)C);
    if (watch) memset(watch, 0, sizeof(double) * (size_t)C);
    for (int w = 0; w < tl->n_windows; w++) {
        double at = w * LGX_WINDOW_MINUTES;
        if (at < from - 1e-9 || at >= to - 1e-9) continue;
        add_tally(t, &tl->tally[w]);
        for (int c = 0; c < C; c++) {
            if (recs) recs[c] += tl->recs[(size_t)w * C + c];
            if (watch) watch[c] += tl->watch[(size_t)w * C + c];
        }
    }
}

static int ascending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sum over i, j of |x_i - x_j| for x[n] sorted ascending: each x_(k) is
 * above k others and below n - 1 - k, each pair counted twice */
static double pair_gaps_sorted(const double *x, int n)
{
    double s = 0.0;
    for (int k = 0; k < n; k++) s += (2.0 * k - n + 1) * x[k];
    return 2.0 * s;
}

void lgx_exposure_of(const double *recs, int n, double *coverage, double *gini)
{
    double total = 0.0;
    int covered = 0, counts = 1;
    for (int c = 0; c < n; c++) {
        total += recs[c], covered += recs[c] > 0;
        counts &= recs[c] >= 0 && recs[c] == floor(recs[c]);
    }
    *coverage = n > 0 ? (double)covered / n : 0.0;
    *gini = 0.0;
    if (total <= 0) return;
    /* Gini = sum_i sum_j |x_i - x_j| / (2 n^2 mean). For counts (whole
     * numbers, as every caller's are) whose pair sums stay below 2^52, every
     * partial sum below is a whole number held exactly, so sorting (n log n)
     * gives the bits of the double loop (n^2: 2.5e9 gaps for 50,000
     * channels, most of a platform-scale run's time); otherwise, or when
     * the copy cannot be had, the double loop. */
    double *sorted = counts && 2.0 * n * total < 4503599627370496.0 ? malloc(sizeof(double) * (size_t)n) : NULL;
    double diff = 0.0;
    if (sorted) {
        memcpy(sorted, recs, sizeof(double) * (size_t)n);
        qsort(sorted, (size_t)n, sizeof(double), ascending);
        diff = pair_gaps_sorted(sorted, n);
        free(sorted);
    } else {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) diff += fabs(recs[i] - recs[j]);
    }
    *gini = diff / (2.0 * n * total);
}
