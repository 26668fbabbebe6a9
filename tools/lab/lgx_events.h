/* Results around scripted events: each event's window, the windows before
 * and after it, and what every agent earned in them while it learned (sums
 * of its timeline: lgx_timeline.h), with figures for the event's target.
 *
 * An event's "during" window is [time, time + duration); without a
 * duration: 2 hours for a spike (it reverts), 1 hour for an off-air event,
 * the 24 hours after a launch for a new channel, the rest of the run for a
 * trend shift, a bot wave and an interest shift. "before" and "after" are
 * as long as "during" (at least 1 hour, at most 24), before and after it.
 * Every window is clipped to the training and rounded to whole timeline
 * windows (hours). The target of a channel event is its channel; of a
 * category event, the category's channels. */
#ifndef LGX_EVENTS_H
#define LGX_EVENTS_H

#include <stdint.h>

#include "lgx_run.h"
#include "lgx_stats.h"

/* Event e in a few words ("bot wave: 5000 bots on ch16 for 240 min"), and
 * in two, for a marker on a chart ("bots ch16"). */
void lgx_event_text(const lg_scenario *sc, int e, char *buf, size_t n);
void lgx_event_label(const lg_scenario *sc, int e, char *buf, size_t n);

typedef enum { LGX_BEFORE, LGX_DURING, LGX_AFTER, LGX_N_PHASES } lgx_phase;
extern const char *const lgx_phase_names[LGX_N_PHASES];

/* The figures of an event window: the metrics of lgx_metrics.h, then: */
enum {
    LGX_E_TARGET_SHARE = LGX_M_COUNT, /* share of the recommendations that went to the target */
    LGX_E_TARGET_WATCH,               /* minutes watched of the target, per slot-hour */
    LGX_E_FIRST_REC,                  /* new channels: mean minutes from launch to the first recommendation
                                         (one never recommended: to the end of training) */
    LGX_E_COUNT
};
/* The name of figure i (a metric name for i < LGX_M_COUNT); and back (-1: none). */
const char *lgx_event_figure_name(int i);
int lgx_event_figure(const char *name);

/* Event e's phase window in minutes after the start of training, clipped to
 * [0, trained]; *from == *to when empty. */
void lgx_event_window(const lg_scenario *sc, int e, lgx_phase ph, double trained, double *from, double *to);

/* The figures of one run over the phase windows of the events marked in
 * which[n_events] (summed over them), into f[LGX_E_COUNT]. NAN where a
 * figure has no data (no session, no target, no launch). */
void lgx_event_figures(const lg_scenario *sc, const lgx_timeline *tl, const uint8_t *which, lgx_phase ph,
                       double trained, double *f);

/* Figure i over the finished seeds of agent a (mean and 95% CI). */
lgx_stat lgx_event_stat(const lgx_run_config *cfg, const lgx_run_result *res, int a, const uint8_t *which,
                        lgx_phase ph, int i);

/* events.csv: one row per (agent, seed, event, phase). */
int lgx_events_csv(const lgx_run_config *cfg, const lgx_run_result *res, char *err, size_t errsz);

#endif
