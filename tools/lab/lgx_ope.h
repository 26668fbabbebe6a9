/* Off-policy evaluation (docs/ope.md): a target policy's value estimated
 * from data another policy logged, by inverse propensity scoring (IPS), its
 * self-normalised form (SNIPS), the direct method (DM: a reward model's
 * prediction for the target's action) and doubly robust (DR: DM corrected
 * by IPS on the model's error), next to the truth the simulator knows. The
 * value is the expected immediate reward per slot-step of the target's
 * action on the logged contexts. Confidence intervals: batch means over
 * LGX_OPE_BLOCKS consecutive stretches of the log (steps of one session are
 * not independent; stretches far apart nearly are). */
#ifndef LGX_OPE_H
#define LGX_OPE_H

#include <stdint.h>

#define LGX_OPE_BLOCKS 20

typedef struct {
    double n, wr, w, w2, dm, dr, truth, reward, match;
} lgx_ope_block;

typedef struct {
    double estimate, lo, hi; /* lo, hi: the 95% interval */
} lgx_ope_value;

typedef struct {
    lgx_ope_value truth, ips, snips, dm, dr;
    double behaviour;   /* the logged reward per slot-step */
    double match;       /* share of rows where the target takes the logged action */
    double ess;         /* effective sample size of the importance weights, (sum w)^2 / sum w^2 */
    long long rows;
} lgx_ope_result;

/* One logged row: its importance weight w = pi(a|x) / propensity, reward r,
 * the model's reward for the target's action (dm_target, or its expectation
 * over a stochastic target) and for the logged action (dm_logged), and the
 * true expected reward of the target's action (NAN when unknown). */
static inline void lgx_ope_add(lgx_ope_block *b, double w, double r, double dm_target, double dm_logged,
                               double truth)
{
    b->n += 1.0;
    b->wr += w * r;
    b->w += w;
    b->w2 += w * w;
    b->dm += dm_target;
    b->dr += dm_target + w * (r - dm_logged);
    b->truth += truth;
    b->reward += r;
    b->match += w > 0.0;
}

/* The estimates and intervals of blocks[LGX_OPE_BLOCKS]. */
void lgx_ope_finish(const lgx_ope_block *blocks, lgx_ope_result *out);

/* The direct method's reward model: the mean logged reward of each
 * (tabular state, action), shrunk toward the action's mean over all states
 * by LGX_OPE_PRIOR pseudo-observation (and the action's toward the overall
 * mean likewise), so rare pairs lean on what is known. */
#define LGX_OPE_PRIOR 1.0
typedef struct {
    int n_states, n_actions;
    double *sum, *count;    /* [n_states * n_actions] */
    double *a_sum, *a_count; /* [n_actions] */
    double all_sum, all_count;
} lgx_ope_model;

int lgx_ope_model_init(lgx_ope_model *m, int n_states, int n_actions);
void lgx_ope_model_add(lgx_ope_model *m, int state, int action, double reward);
double lgx_ope_model_predict(const lgx_ope_model *m, int state, int action);
void lgx_ope_model_free(lgx_ope_model *m);

#endif
