#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lgx_ope.h"
#include "lgx_stats.h"

/* The whole log's estimate, with the spread of the blocks' own estimates
 * for its interval. */
static lgx_ope_value value(double total, const double *per_block, int nb)
{
    lgx_stat s = lgx_stat_of(per_block, nb);
    double half = nb >= 2 ? lgx_t95(nb - 1) * s.sd / sqrt((double)nb) : NAN;
    return (lgx_ope_value){total, total - half, total + half};
}

void lgx_ope_finish(const lgx_ope_block *blocks, lgx_ope_result *out)
{
    lgx_ope_block t;
    memset(&t, 0, sizeof t);
    double ips[LGX_OPE_BLOCKS], snips[LGX_OPE_BLOCKS], dm[LGX_OPE_BLOCKS], dr[LGX_OPE_BLOCKS], truth[LGX_OPE_BLOCKS];
    int nb = 0, ns = 0;
    for (int k = 0; k < LGX_OPE_BLOCKS; k++) {
        const lgx_ope_block *b = &blocks[k];
        t.n += b->n, t.wr += b->wr, t.w += b->w, t.w2 += b->w2, t.dm += b->dm, t.dr += b->dr;
        t.truth += b->truth, t.reward += b->reward, t.match += b->match;
        if (b->n <= 0.0) continue;
        ips[nb] = b->wr / b->n, dm[nb] = b->dm / b->n, dr[nb] = b->dr / b->n, truth[nb] = b->truth / b->n;
        nb++;
        if (b->w > 0.0) snips[ns++] = b->wr / b->w;
    }
    memset(out, 0, sizeof *out);
    out->rows = (long long)t.n;
    if (t.n <= 0.0) return;
    out->ips = value(t.wr / t.n, ips, nb);
    out->snips = value(t.w > 0.0 ? t.wr / t.w : NAN, snips, ns);
    out->dm = value(t.dm / t.n, dm, nb);
    out->dr = value(t.dr / t.n, dr, nb);
    out->truth = value(t.truth / t.n, truth, nb);
    out->behaviour = t.reward / t.n;
    out->match = t.match / t.n;
    out->ess = t.w2 > 0.0 ? t.w * t.w / t.w2 : 0.0;
}

int lgx_ope_model_init(lgx_ope_model *m, int n_states, int n_actions)
{
    memset(m, 0, sizeof *m);
    size_t n = (size_t)n_states * (size_t)n_actions;
    m->n_states = n_states, m->n_actions = n_actions;
    if (!(m->sum = calloc(n, sizeof(double))) || !(m->count = calloc(n, sizeof(double))) ||
        !(m->a_sum = calloc((size_t)n_actions, sizeof(double))) ||
        !(m->a_count = calloc((size_t)n_actions, sizeof(double)))) {
        lgx_ope_model_free(m);
        return -1;
    }
    return 0;
}

void lgx_ope_model_add(lgx_ope_model *m, int state, int action, double reward)
{
    size_t i = (size_t)state * (size_t)m->n_actions + (size_t)action;
    m->sum[i] += reward, m->count[i] += 1.0;
    m->a_sum[action] += reward, m->a_count[action] += 1.0;
    m->all_sum += reward, m->all_count += 1.0;
}

double lgx_ope_model_predict(const lgx_ope_model *m, int state, int action)
{
    double all = m->all_count > 0.0 ? m->all_sum / m->all_count : 0.0;
    double a = (m->a_sum[action] + LGX_OPE_PRIOR * all) / (m->a_count[action] + LGX_OPE_PRIOR);
    size_t i = (size_t)state * (size_t)m->n_actions + (size_t)action;
    return (m->sum[i] + LGX_OPE_PRIOR * a) / (m->count[i] + LGX_OPE_PRIOR);
}

void lgx_ope_model_free(lgx_ope_model *m)
{
    free(m->sum), free(m->count), free(m->a_sum), free(m->a_count);
    memset(m, 0, sizeof *m);
}
