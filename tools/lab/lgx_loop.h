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
    /* Intra-list diversity: per slot-step, the share of the pairs of the
     * slate's valid items whose channels are of different categories (0
     * with fewer than two). */
    double diversity;
} lgx_tally;

/* Retention's measures of an evaluation (a world with retention on):
 * over every slot-step, not only completed sessions. The loop keeps them
 * apart from lgx_tally, whose layout the timeline files hold. */
typedef struct {
    double minutes;      /* watch minutes */
    double visits;       /* sessions begun */
    double span;         /* simulated minutes evaluated */
    double slot_steps, idle; /* slot-steps, and those of idle slots */
    double viewer_days, days; /* distinct viewers summed over the whole days evaluated, and those days */
    double gap_sum, gaps;     /* gaps between a viewer's visits, both inside the evaluation */
    double ends, back;   /* visits that ended at least 25 hours before the evaluation did, and those
                            whose viewer began another within 24 hours */
} lgx_days;

/* Hours of visit ends whose returns are still being watched for. */
#define LGX_RING_HOURS 26

/* Where logged data goes (livegym log): lgx_train calls `step` after every
 * env step with what the behaviour policy saw (`before`), the actions, each
 * slot's propensity (the policy's probability of its action, from the
 * agent's probs hook, asked before it acted) and the env after the step
 * (reward, flags, info, final observations). The library writes no file
 * format; the CLI's sink writes HDF5 (tools/log_file.c). step returns 0, or
 * -1 to stop training (the sink keeps its reason). */
typedef struct {
    int (*step)(void *ctx, const lga_obs_batch *before, const int32_t *actions, const double *propensity,
                const lg_env *env);
    void *ctx;
} lgx_log_sink;

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
    /* optional: logged data (lgx_loop_set_log) */
    lgx_log_sink log;
    lg_stream log_rng;       /* for agents whose probs are estimated by sampling */
    double *probs;           /* [n_actions] scratch */
    double *propensity;      /* [n_slots] */
    int log_status;          /* 0; LGX_LOG_STOPPED: the sink stopped; LGX_LOG_NO_PROBS: the agent stated none */
    /* retention on (lgx_loop_init sees it in the env's scenario) */
    int retention, viewers;
    double eval_minutes;     /* > 0: lgx_evaluate runs this many simulated minutes, not a number of sessions */
    lgx_days days;           /* of the last lgx_evaluate */
    double *last_end;        /* [viewers] clock of the visit's end not yet followed by another; -1 none */
    int32_t *day_of;         /* [viewers] last day (of the evaluation) the viewer was seen; -1 none */
    double day_start, dt;    /* the evaluation's start clock, and the minutes of a step */
    long day, day_count;     /* the day being counted, and its distinct viewers so far */
    long ring_hour;          /* the oldest hour of ends not yet final */
    double ring_end[LGX_RING_HOURS], ring_back[LGX_RING_HOURS];
} lgx_loop;

/* The random-number purpose (lg_rng.h) of the stream a logged behaviour
 * policy's probs may sample from: apart from the world's (1-8, 10), the
 * agents' (9) and the sweeps'. */
#define LGX_LOG_STREAM 12

#define LGX_LOG_STOPPED 1
#define LGX_LOG_NO_PROBS 2

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

/* Log every training step to `sink` (the agent must have a probs hook;
 * slates of one). `seed` makes the stream probs may sample from, apart
 * from the agent's and the world's. 0, or -1 when out of memory. */
int lgx_loop_set_log(lgx_loop *lp, const lg_env *env, const lgx_log_sink *sink, uint64_t seed);

/* Run `slot_steps` slot-steps (rounded up to whole env steps) of behaviour
 * (non-greedy) acting with updates after every env step. Tally optional.
 * With a log, returns early with lp->log_status set when the sink stops or
 * the agent cannot state its probabilities; 0 when every step ran. */
int lgx_train(lgx_loop *lp, lga_agent *agent, lg_env *env, long slot_steps, lgx_tally *tally);

/* Act greedily (no updates) until `sessions` sessions have completed (or,
 * with lp->eval_minutes > 0, for that many simulated minutes); sessions
 * still running at the end are not counted. */
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
