/* What an evaluation measures (docs/results.md, "Metrics"), and where. */
#ifndef LGX_METRICS_H
#define LGX_METRICS_H

#include "lgx_loop.h"

/* Evaluations of seed s run on the evaluation env of seed
 * LGX_EVAL_SEED_BASE + s, the same for every agent (common random numbers),
 * far from the training seeds 1, 2, ... */
#define LGX_EVAL_SEED_BASE 1000000u

enum {
    LGX_M_RETURN,
    LGX_M_WATCH,
    LGX_M_STEPS,
    LGX_M_CTR,
    LGX_M_GIFTS,
    LGX_M_FOLLOWS,
    LGX_M_PRECISION,
    LGX_M_RECALL,
    LGX_M_F1,
    LGX_M_NDCG,
    LGX_M_COVERAGE,
    LGX_M_GINI,
    LGX_M_REGRET,
    LGX_M_INVALID,
    LGX_M_RETRIEVAL, /* retrieval recall: 1 without a candidate stage */
    LGX_M_DIVERSITY, /* intra-list diversity: 0 with slates of one */
    /* Retention's (population.retention on; lgx_days): a world without
     * retention has none of them, in any file. */
    LGX_M_VIEWER_MINUTES, /* watch minutes per viewer of the pool per day */
    LGX_M_VIEWER_SESSIONS, /* sessions begun per viewer of the pool per day */
    LGX_M_DAILY_ACTIVE,   /* distinct viewers per whole day */
    LGX_M_RETURN_24H,     /* share of visits followed by another within 24 hours */
    LGX_M_GAP_HOURS,      /* mean gap between a viewer's visits, hours */
    LGX_M_IDLE,           /* share of slot-steps with no session */
    LGX_M_COUNT
};
#define LGX_M_RETENTION LGX_M_VIEWER_MINUTES /* the first of retention's */
extern const char *const lgx_metric_names[LGX_M_COUNT];
/* 1 when larger is better, -1 when smaller is better, 0 when neither. */
extern const int lgx_metric_direction[LGX_M_COUNT];

/* Whether metric m is one of this world's: retention's only with
 * retention on. Every file and table lists only these. */
int lgx_metric_in(int m, const lg_scenario *sc);

/* One evaluation of a learning curve. */
typedef struct {
    long step;                /* training slot-steps done before this evaluation */
    double minute;            /* simulated minutes of training before it (the fork's clock minus the start) */
    double m[LGX_M_COUNT];
} lgx_eval_point;

/* The metrics of one greedy evaluation from its tally and the loop's exposure
 * counts (lgx_evaluate with relevance on), for n_actions channels and slates
 * of `slate`, into m[LGX_M_COUNT]. */
void lgx_metrics_of(const lgx_tally *t, const lgx_loop *lp, int n_actions, int slate, double *m);
/* The same from a tally and recommendation counts per channel (recs NULL:
 * no exposure figures); per-session metrics are NAN without sessions. */
void lgx_metrics_from(const lgx_tally *t, const double *recs, int n_actions, int slate, double *m);

/* Axis label (with units) of a column of curves.csv, metrics and the
 * classic protocols' columns alike ("return per session (reward)"); the
 * name itself when unknown. */
const char *lgx_metric_label(const char *column);

#endif
