/* The metrics of an evaluation (docs/results.md), from its tallies. */
#include <math.h>
#include <string.h>

#include "lgx_metrics.h"
#include "lgx_timeline.h"

const char *const lgx_metric_names[LGX_M_COUNT] = {
    "return", "watch_minutes", "session_steps", "ctr", "gifts", "follows", "precision",
    "recall", "f1",            "ndcg",          "coverage", "gini", "regret", "invalid_rate", "retrieval_recall",
    "diversity", "minutes_per_viewer_day", "sessions_per_viewer_day", "daily_active", "return_24h", "gap_hours",
    "idle_share"};
const int lgx_metric_direction[LGX_M_COUNT] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, 1, 0, 1, 1, 1, 1, -1, 0};

int lgx_metric_in(int m, const lg_scenario *sc)
{
    return m >= 0 && m < LGX_M_COUNT && (m < LGX_M_RETENTION || (sc->kind == LG_KIND_LIVE && sc->retention.enabled));
}

void lgx_metrics_from(const lgx_tally *t, const double *recs, int n_actions, int slate, double *m)
{
    double d = t->sessions > 0 ? t->sessions : 1.0, steps = t->steps > 0 ? t->steps : 1.0;
    double none = t->sessions > 0 ? 1.0 : NAN; /* per-session metrics of a window without sessions */
    m[LGX_M_RETURN] = none * t->ret / d;
    m[LGX_M_WATCH] = none * t->minutes / d;
    m[LGX_M_STEPS] = none * t->session_steps / d;
    m[LGX_M_CTR] = t->chose / steps;
    m[LGX_M_GIFTS] = none * t->gifts / d;
    m[LGX_M_FOLLOWS] = none * t->follows / d;
    m[LGX_M_PRECISION] = t->precision / steps;
    m[LGX_M_RECALL] = t->recall / steps;
    double p = m[LGX_M_PRECISION], r = m[LGX_M_RECALL];
    m[LGX_M_F1] = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    m[LGX_M_NDCG] = t->ndcg / steps;
    m[LGX_M_COVERAGE] = m[LGX_M_GINI] = 0.0;
    if (recs) lgx_exposure_of(recs, n_actions, &m[LGX_M_COVERAGE], &m[LGX_M_GINI]);
    m[LGX_M_REGRET] = t->regret / steps;
    m[LGX_M_INVALID] = t->invalid / (steps * slate);
    m[LGX_M_RETRIEVAL] = t->retrieval / steps;
    m[LGX_M_DIVERSITY] = t->diversity / steps;
    for (int i = LGX_M_RETENTION; i < LGX_M_COUNT; i++) m[i] = NAN;
}

/* Retention's metrics of an evaluation; NAN where it saw too little (a
 * whole day for daily actives, 25 hours for the return rate). */
static void days_metrics(const lgx_days *d, int viewers, double *m)
{
    double viewer_days = d->span / LG_MINUTES_PER_DAY * viewers;
    m[LGX_M_VIEWER_MINUTES] = viewer_days > 0 ? d->minutes / viewer_days : NAN;
    m[LGX_M_VIEWER_SESSIONS] = viewer_days > 0 ? d->visits / viewer_days : NAN;
    m[LGX_M_DAILY_ACTIVE] = d->days > 0 ? d->viewer_days / d->days : NAN;
    m[LGX_M_RETURN_24H] = d->ends > 0 ? d->back / d->ends : NAN;
    m[LGX_M_GAP_HOURS] = d->gaps > 0 ? d->gap_sum / d->gaps / 60.0 : NAN;
    m[LGX_M_IDLE] = d->slot_steps > 0 ? d->idle / d->slot_steps : NAN;
}

void lgx_metrics_of(const lgx_tally *t, const lgx_loop *lp, int n_actions, int slate, double *m)
{
    lgx_metrics_from(t, lp->shown, n_actions, slate, m);
    if (lp->retention) days_metrics(&lp->days, lp->viewers, m);
}

const char *lgx_metric_label(const char *m)
{
    static const struct {
        const char *metric, *label;
    } labels[] = {
        {"return", "return per session (reward)"},
        {"watch_minutes", "watch time per session (minutes)"},
        {"session_steps", "session length (steps)"},
        {"ctr", "click-through rate (share of steps)"},
        {"gifts", "gifts per session"},
        {"follows", "follows per session"},
        {"precision", "precision@k"},
        {"recall", "recall@k"},
        {"f1", "F1@k"},
        {"ndcg", "NDCG@k"},
        {"coverage", "catalogue coverage (share of channels)"},
        {"gini", "exposure Gini (0 = equal)"},
        {"regret", "regret per step vs myopic oracle (reward)"},
        {"invalid_rate", "invalid items per item"},
        {"retrieval_recall", "retrieval recall@k (share of the catalogue's best in the candidates)"},
        {"diversity", "intra-list diversity (share of slate pairs from different categories)"},
        {"minutes_per_viewer_day", "watch minutes per viewer per day"},
        {"sessions_per_viewer_day", "sessions per viewer per day"},
        {"daily_active", "daily active viewers"},
        {"return_24h", "return rate within 24 hours (share of visits)"},
        {"gap_hours", "mean gap between visits (hours)"},
        {"idle_share", "idle slot-steps (share)"},
        {"avg_reward", "average reward per step"},
        {"pct_optimal", "optimal action (%)"},
        {"sum_reward", "sum of rewards per episode"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (!strcmp(labels[i].metric, m)) return labels[i].label;
    return m;
}
