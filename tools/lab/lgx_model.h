/* The live trainer's model: everything the viewer draws, as plain data, so
 * that it can be built, copied and tested without a display. The trainer
 * (lgx_live.h) fills one model on its worker thread and publishes copies of
 * it under a mutex; the viewer (viz/) reads a private copy. Every array is
 * allocated by lgx_model_create: appending to a curve, counting a
 * recommendation or copying a model never allocates. */
#ifndef LGX_MODEL_H
#define LGX_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "lg_env.h"
#include "lg_scenario.h"

#define LGX_LIVE_MAX_AGENTS 9        /* keys 1-9 select them */
#define LGX_LIVE_MAX_SEEDS 16
#define LGX_SERIES_CAP 1024     /* stored points per curve (older points are merged in pairs) */
#define LGX_HISTORY 12          /* steps of slot 0's session kept for the session panel */
#define LGX_EVENT_LOG 8         /* scripted events kept in the log */
#define LGX_SESSION_WINDOW 100  /* online return: moving average over this many finished sessions */
#define LGX_QTABLE_MAX 262144   /* Q-tables larger than this many values are not copied for the heat map */
#define LGX_SHARE_HALF_LIFE 24 /* recommendation shares: env steps after which a count weighs half */
#define LGX_LABEL_LEN 40

/* ---- curves -------------------------------------------------------------- */

/* A curve that keeps its whole history in `cap` points: when full, adjacent
 * points are merged in pairs (x, y, lo and hi averaged) and from then on each
 * stored point is the mean of `stride` appended ones. lo/hi are a band around
 * y (a confidence interval); NAN when there is none. */
typedef struct {
    int cap, n;
    int stride;    /* appended points per stored point */
    int acc_n;     /* appended points waiting in acc */
    double acc[4]; /* running sums of x, y, lo, hi of the waiting points */
    double *x, *y, *lo, *hi;
    double last_x, last_y; /* the latest appended point, even if still waiting */
} lgx_series;

int lgx_series_init(lgx_series *s, int cap); /* cap even, >= 2; 0 or -1 (out of memory) */
void lgx_series_free(lgx_series *s);
void lgx_series_clear(lgx_series *s);
void lgx_series_add(lgx_series *s, double x, double y, double lo, double hi);
void lgx_series_copy(lgx_series *dst, const lgx_series *src); /* same cap */

/* A fixed-capacity ring of the latest values (oldest dropped). */
typedef struct {
    int cap, n, head; /* head: where the next value goes */
    double *v;
} lgx_ring;

int lgx_ring_init(lgx_ring *r, int cap);
void lgx_ring_free(lgx_ring *r);
void lgx_ring_push(lgx_ring *r, double v);
double lgx_ring_get(const lgx_ring *r, int i); /* i = 0 oldest .. n-1 newest */
double lgx_ring_mean(const lgx_ring *r);      /* NAN when empty */
void lgx_ring_copy(lgx_ring *dst, const lgx_ring *src);

/* Recommendation shares per channel with exponential forgetting: each count
 * weighs half after `half_life` calls of lgx_shares_tick (one per env step).
 * O(1) per recommendation (the increment grows instead of old counts
 * shrinking; everything is rescaled when the increment gets large). */
typedef struct {
    int n;
    double *w;
    double total, inc, decay;
} lgx_shares;

int lgx_shares_init(lgx_shares *s, int n_channels, double half_life);
void lgx_shares_free(lgx_shares *s);
void lgx_shares_add(lgx_shares *s, int channel); /* out-of-range channels are ignored */
void lgx_shares_tick(lgx_shares *s);
double lgx_shares_get(const lgx_shares *s, int channel); /* in [0, 1]; all 0 before any recommendation */
void lgx_shares_copy(lgx_shares *dst, const lgx_shares *src);

/* ---- the model ----------------------------------------------------------- */

/* One step of slot 0's session, for the session panel. */
typedef struct {
    int session_step; /* 1-based step within the session */
    int viewer, segment;
    int k;                          /* slate size */
    int32_t rec[LG_MAX_SLATE];      /* what was recommended */
    int32_t watched;                /* -1: nothing */
    float minutes, reward, budget_left;
    float session_return; /* return of the session so far, this step included */
    uint8_t invalid;
    uint8_t ended; /* 0 running, 1 terminated (budget), 2 truncated (max steps) */
    double clock;
} lgx_step_rec;

/* What the viewer shows of one agent. Per-world fields (clock, channels,
 * ground truth, scores, session) come from the agent's seed-1 training env. */
typedef struct {
    char label[LGX_LABEL_LEN];
    char name[LG_NAME_LEN];
    int learns, cheats;

    /* learning curves; x = training slot-steps of each seed */
    lgx_series eval;    /* greedy evaluation return per session: mean, 95% CI over seeds */
    lgx_series online;  /* moving average of training session returns (mean over seeds) */
    lgx_series epsilon; /* exploration rate, when the agent has one (has_epsilon) */
    int has_epsilon;
    float epsilon_now;
    double last_eval, last_eval_ci; /* NAN before the first evaluation */
    double last_days;  /* retention: its watch minutes per viewer per day (mean over seeds); else NAN */
    int n_evals;
    double online_now; /* NAN before the first finished session */
    long sessions;     /* finished training sessions, all seeds */

    lgx_shares shares; /* recommendations per channel, all seeds, recent steps weigh more */

    /* the world of the seed-1 training env (filled when published) */
    double clock;
    lg_channel_state *ch; /* [n_channels] */
    float *truth;         /* [n_channels] oracle: expected immediate reward for slot 0's viewer */
    uint8_t *mask;        /* [n_channels] on air */

    /* the agent's mind: values of the "q" state block, if it exposes one */
    int score_rows;    /* rows of its table: 0 = no scores exposed, 1 = one bandit, n_states = per state */
    int score_row;     /* the row of slot 0's current viewer */
    float *scores;     /* [n_channels] that row */
    int qtable_rows;   /* rows copied into qtable (0: none, or too large) */
    float *qtable;     /* [qtable_rows * n_channels] */
    float q_min, q_max;

    /* slot 0's live session */
    lgx_step_rec hist[LGX_HISTORY];
    int hist_n, hist_head; /* ring: hist_head is where the next record goes */
    int viewer, segment, session_step, state;
    float budget_left;
    double session_return;
} lgx_agent_view;

typedef struct {
    int n_agents, n_seeds, n_channels, n_states, slots, slate_size;
    int qtable_rows[LGX_LIVE_MAX_AGENTS]; /* per agent: rows of Q-table to keep (0 = none) */
} lgx_model_shape;

typedef struct {
    lgx_model_shape shape;
    const lg_scenario *sc; /* names, events, categories; not owned, immutable */
    int n_agents, n_seeds, n_channels;

    long steps;        /* training slot-steps done by each (agent, seed) */
    long max_steps;    /* 0: no limit */
    long eval_every, eval_sessions;
    double eval_days;  /* > 0: evaluations last this many simulated days (retention), not eval_sessions */
    int done;          /* max_steps reached */
    double clock;      /* world clock (every training env steps in lockstep) */
    double steps_per_sec; /* training throughput, slot-steps per second over all (agent, seed) */
    double wall_seconds;  /* training time so far */

    /* scripted events: fired flags and a log of the latest */
    uint8_t *fired;    /* [sc->n_events] */
    int n_fired;
    int ev_log[LGX_EVENT_LOG];
    int ev_log_n, ev_log_head;

    lgx_agent_view agents[LGX_LIVE_MAX_AGENTS];
} lgx_model;

/* Allocate a model for scenario sc (kept by pointer) and shape. Returns NULL
 * (and a message) when the shape is out of range or memory runs out. */
lgx_model *lgx_model_create(const lg_scenario *sc, const lgx_model_shape *shape, char *err, size_t errsz);
void lgx_model_free(lgx_model *m);
/* Copy everything from src into dst (created with the same shape). */
void lgx_model_copy(lgx_model *dst, const lgx_model *src);

/* Record one step of slot 0 in agent a's history. */
void lgx_model_push_step(lgx_model *m, int agent, const lgx_step_rec *r);
/* The i-th latest step (0 = newest), or NULL. */
const lgx_step_rec *lgx_model_step(const lgx_model *m, int agent, int i);
/* Log that scripted event e fired (once; later calls are ignored). */
void lgx_model_fire_event(lgx_model *m, int e);
/* The i-th latest fired event (0 = newest), or -1. */
int lgx_model_event(const lgx_model *m, int i);
/* Is event e in effect at elapsed minutes t (fired and within its duration;
 * events without a duration are shown for an hour)? */
int lgx_event_active(const lg_scenario *sc, int e, double elapsed);

#endif
