/* The metrics of an evaluation (docs/results.md), from its tallies. */
#include "lgx_metrics.h"

const char *const lgx_metric_names[LGX_M_COUNT] = {
    "return", "watch_minutes", "session_steps", "ctr", "gifts", "follows", "precision",
    "recall", "f1",            "ndcg",          "coverage", "gini", "regret", "invalid_rate"};
const int lgx_metric_direction[LGX_M_COUNT] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1};

void lgx_metrics_of(const lgx_tally *t, const lgx_loop *lp, int n_actions, int slate, double *m)
{
    double d = t->sessions > 0 ? t->sessions : 1.0, steps = t->steps > 0 ? t->steps : 1.0;
    m[LGX_M_RETURN] = t->ret / d;
    m[LGX_M_WATCH] = t->minutes / d;
    m[LGX_M_STEPS] = t->session_steps / d;
    m[LGX_M_CTR] = t->chose / steps;
    m[LGX_M_GIFTS] = t->gifts / d;
    m[LGX_M_FOLLOWS] = t->follows / d;
    m[LGX_M_PRECISION] = t->precision / steps;
    m[LGX_M_RECALL] = t->recall / steps;
    double p = m[LGX_M_PRECISION], r = m[LGX_M_RECALL];
    m[LGX_M_F1] = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    m[LGX_M_NDCG] = t->ndcg / steps;
    lgx_exposure(lp, n_actions, &m[LGX_M_COVERAGE], &m[LGX_M_GINI]);
    m[LGX_M_REGRET] = t->regret / steps;
    m[LGX_M_INVALID] = t->invalid / (steps * slate);
}
