/* Axis ticks and number formatting (lgv_axes.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lgv_axes.h"

static double tick_step(double lo, double hi, int max_ticks)
{
    if (max_ticks < 2) max_ticks = 2;
    double range = hi - lo;
    if (!(range > 0) || !isfinite(range)) return 1.0;
    double rough = range / (max_ticks - 1);
    double mag = pow(10.0, floor(log10(rough)));
    static const double mult[] = {1, 2, 2.5, 5, 10, 20};
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++) {
        double step = mult[i] * mag;
        double first = ceil(lo / step - 1e-9), last = floor(hi / step + 1e-9);
        if (last - first + 1 <= max_ticks) return step;
    }
    return 20 * mag;
}

int lgv_ticks(double lo, double hi, int max_ticks, double *out, int cap, double *step)
{
    if (hi < lo) {
        double t = lo;
        lo = hi, hi = t;
    }
    double st = tick_step(lo, hi, max_ticks);
    if (step) *step = st;
    int n = 0;
    double first = ceil(lo / st - 1e-9);
    for (double k = first; k * st <= hi + 1e-9 * st && n < cap && n < max_ticks + 1; k += 1.0) {
        double v = k * st;
        if (fabs(v) < 1e-12 * st) v = 0.0; /* no "-0" */
        out[n++] = v;
    }
    return n;
}

void lgv_nice_range(double *lo, double *hi, int max_ticks)
{
    if (!isfinite(*lo) || !isfinite(*hi)) *lo = 0.0, *hi = 1.0;
    if (*hi < *lo) {
        double t = *lo;
        *lo = *hi, *hi = t;
    }
    if (*hi - *lo < 1e-12 * (fabs(*lo) + fabs(*hi)) || *hi == *lo) {
        double d = fabs(*lo) > 0 ? fabs(*lo) * 0.1 : 1.0;
        *lo -= d, *hi += d;
    }
    double st = tick_step(*lo, *hi, max_ticks);
    *lo = floor(*lo / st + 1e-9) * st;
    *hi = ceil(*hi / st - 1e-9) * st;
}

static int decimals_for(double step)
{
    if (!(step > 0)) return 0;
    int d = 0;
    while (d < 9 && fabs(step * pow(10.0, d) - floor(step * pow(10.0, d) + 0.5)) > 1e-6 * step * pow(10.0, d))
        d++;
    return d;
}

void lgv_fmt_tick(char *buf, size_t n, double v, double step)
{
    if (fabs(v) < 1e-9 * (step > 0 ? step : 1)) v = 0.0;
    const char *suffix = "";
    double scale = 1.0;
    if (step >= 1e6)
        suffix = "M", scale = 1e6;
    else if (step >= 1e3)
        suffix = "k", scale = 1e3;
    if (scale == 1.0 || v == 0.0) {
        snprintf(buf, n, "%.*f", v == 0.0 && scale > 1.0 ? 0 : decimals_for(step), v);
        return;
    }
    /* 2.5k, 5k, 7.5k: as few decimals as the value needs */
    int d = decimals_for(step / scale);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", d, v / scale);
    char *dot = strchr(tmp, '.');
    if (dot) {
        char *end = tmp + strlen(tmp) - 1;
        while (end > dot && *end == '0') *end-- = 0;
        if (end == dot) *end = 0;
    }
    snprintf(buf, n, "%s%s", tmp, suffix);
}

void lgv_fmt_pow2(char *buf, size_t n, double t)
{
    double v = exp2(t);
    if (t == floor(t) && fabs(t) <= 30)
        snprintf(buf, n, t < 0 ? "1/%.0f" : "%.0f", t < 0 ? 1.0 / v : v);
    else
        snprintf(buf, n, "%.3g", v);
}

void lgv_fmt_count(char *buf, size_t n, double v)
{
    double a = fabs(v);
    if (!isfinite(v))
        snprintf(buf, n, "-");
    else if (a < 1000)
        snprintf(buf, n, "%.0f", v);
    else if (a < 9995)
        snprintf(buf, n, "%.2fk", v / 1e3);
    else if (a < 99950)
        snprintf(buf, n, "%.1fk", v / 1e3);
    else if (a < 999500)
        snprintf(buf, n, "%.0fk", v / 1e3);
    else if (a < 9.995e6)
        snprintf(buf, n, "%.2fM", v / 1e6);
    else if (a < 9.995e7)
        snprintf(buf, n, "%.1fM", v / 1e6);
    else if (a < 9.995e8)
        snprintf(buf, n, "%.0fM", v / 1e6);
    else
        snprintf(buf, n, "%.2fG", v / 1e9);
}

void lgv_fmt_clock(char *buf, size_t n, double minutes)
{
    if (!isfinite(minutes) || minutes < 0) minutes = 0;
    long total = (long)floor(minutes + 1e-6);
    long day = total / 1440, m = total % 1440;
    snprintf(buf, n, "day %ld %02ld:%02ld", day, m / 60, m % 60);
}
