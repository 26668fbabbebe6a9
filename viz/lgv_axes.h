/* Axis ticks and the formatting of numbers and clock times for charts and
 * panels. Pure functions, tested without a display. */
#ifndef LGV_AXES_H
#define LGV_AXES_H

#include <stddef.h>

/* "Nice" ticks (1, 2, 2.5 or 5 times a power of ten) covering [lo, hi]: at
 * most max_ticks values written to out (up to cap), their spacing in *step.
 * Returns the count. */
int lgv_ticks(double lo, double hi, int max_ticks, double *out, int cap, double *step);
/* Widen [*lo, *hi] to multiples of the tick step (and make it non-empty). */
void lgv_nice_range(double *lo, double *hi, int max_ticks);
/* A tick label: as many decimals as the step needs; k/M suffixes for large values. */
void lgv_fmt_tick(char *buf, size_t n, double v, double step);
/* 2^t on a log2 axis: whole powers as 1/8, 1/2, 1, 4, 1024; others as %.3g. */
void lgv_fmt_pow2(char *buf, size_t n, double t);
/* A count: 950, 12.3k, 4.56M. */
void lgv_fmt_count(char *buf, size_t n, double v);
/* Minutes since midnight of day 0 as "day 2 21:35". */
void lgv_fmt_clock(char *buf, size_t n, double minutes);

#endif
