/* The training and evaluation loops every caller shares (the runner, the
 * viewer, the tests): act, step, learn; or act greedily and tally sessions. */
#ifndef LGX_LOOP_H
#define LGX_LOOP_H

#include "lga_agent.h"

/* Totals over completed sessions (per-step counters cover all steps). */
typedef struct {
    double sessions;   /* completed sessions */
    double ret;        /* sum of session returns */
    double minutes;    /* watch minutes in completed sessions */
    double steps;      /* slot-steps taken */
    double session_steps; /* slot-steps of completed sessions */
    double chose;      /* steps where the viewer watched */
    double invalid;    /* invalid slate items */
    double gifts, follows;
    /* Relevance metrics, filled by lgx_evaluate when the loop was made with
     * relevance on (they need the ground truth every step). Sums over
     * slot-steps; divide by `steps`. */
    double precision, recall, ndcg, regret;
    /* Share of the catalogue's k best on air (by the ground truth) that the
     * candidate stage retrieved; 1 per step without one. */
    double retrieval;
} lgx_tally;

typedef struct {
    lga_copy obs, next;
    int32_t *actions;
    double *ep_ret, *ep_min; /* per slot, running session totals */
    long *ep_len;
    /* relevance (optional) */
    int relevance;
    float relevance_threshold;
    float *er, *er_sorted;   /* [n_actions] scratch; er_sorted: the best k on air, descending */
    float *er_all;           /* [n_channels] scratch, with a candidate stage only */
    double *shown;           /* [n_channels] times each channel was recommended during evaluation */
    double *watched;         /* [n_channels] minutes watched of each channel during evaluation */
    /* optional: training records what it earned by window of simulated time
     * (needs relevance on); lgx_timeline.h */
    struct lgx_timeline *timeline;
    int window;              /* the window of the step being taken */
} lgx_loop;

/* A channel is relevant at a step when on air and its expected immediate
 * reward is at least this fraction of the best on-air channel's. */
#define LGX_RELEVANCE_THRESHOLD 0.5f

int lgx_loop_init(lgx_loop *lp, const lg_env *env);
/* Turn on relevance metrics, exposure counts and watch minutes per channel
 * for lgx_evaluate. */
int lgx_loop_enable_relevance(lgx_loop *lp, const lg_env *env);
/* Coverage (share of channels shown at least once) and the Gini coefficient
 * of exposure counts, from lp->shown since the last lgx_evaluate began. */
void lgx_exposure(const lgx_loop *lp, int n_actions, double *coverage, double *gini);
void lgx_loop_free(lgx_loop *lp);

/* Run `slot_steps` slot-steps (rounded up to whole env steps) of behaviour
 * (non-greedy) acting with updates after every env step. Tally optional. */
void lgx_train(lgx_loop *lp, lga_agent *agent, lg_env *env, long slot_steps, lgx_tally *tally);

/* Act greedily (no updates) until `sessions` sessions have completed;
 * sessions still running at the end are not counted. */
void lgx_evaluate(lgx_loop *lp, lga_agent *agent, lg_env *env, long sessions, lgx_tally *tally);

/* Evaluate on the timeline: `eval` (an env of the same scenario and slots,
 * whose loop lp is) becomes a copy of the world in `world` as it is now
 * (clock, schedules, popularity, viewer pool, events in force), every slot
 * starts a new session drawn from `eval_seed`, and lgx_evaluate runs the
 * greedy policy from there. `world` is not changed. Returns 0, or -1 with a
 * message when the envs differ in shape. */
int lgx_evaluate_at(lgx_loop *lp, lga_agent *agent, const lg_env *world, lg_env *eval, uint64_t eval_seed,
                    long sessions, lgx_tally *tally, char *err, size_t errsz);

#endif
