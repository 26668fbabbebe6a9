/* The viewer's data model: everything the live viewer draws, as plain data
 * with no SDL in sight, so that it can be built, copied and tested without a
 * display. The trainer (lgv_live.h) fills one model on its worker thread and
 * publishes copies of it under a mutex; the drawing code (lgv_draw.h) reads a
 * private copy. Every array is allocated by lgv_model_create: appending to a
 * curve, counting a recommendation or copying a model never allocates.
 *
 * Also here, because they are pure functions the tests check directly: the
 * viewer's UI state (selected agent, visible panels, speed), axis ticks,
 * number/clock formatting and the colour palettes. */
#ifndef LGV_MODEL_H
#define LGV_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "lg_env.h"
#include "lg_scenario.h"

#define LGV_MAX_AGENTS 9        /* keys 1-9 select them */
#define LGV_MAX_SEEDS 16
#define LGV_SERIES_CAP 1024     /* stored points per curve (older points are merged in pairs) */
#define LGV_HISTORY 12          /* steps of slot 0's session kept for the session panel */
#define LGV_EVENT_LOG 8         /* scripted events kept in the log */
#define LGV_SESSION_WINDOW 100  /* online return: moving average over this many finished sessions */
#define LGV_QTABLE_MAX 262144   /* Q-tables larger than this many values are not copied for the heat map */
#define LGV_SHARE_HALF_LIFE 24 /* recommendation shares: env steps after which a count weighs half */
#define LGV_LABEL_LEN 40

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
} lgv_series;

int lgv_series_init(lgv_series *s, int cap); /* cap even, >= 2; 0 or -1 (out of memory) */
void lgv_series_free(lgv_series *s);
void lgv_series_clear(lgv_series *s);
void lgv_series_add(lgv_series *s, double x, double y, double lo, double hi);
void lgv_series_copy(lgv_series *dst, const lgv_series *src); /* same cap */

/* A fixed-capacity ring of the latest values (oldest dropped). */
typedef struct {
    int cap, n, head; /* head: where the next value goes */
    double *v;
} lgv_ring;

int lgv_ring_init(lgv_ring *r, int cap);
void lgv_ring_free(lgv_ring *r);
void lgv_ring_push(lgv_ring *r, double v);
double lgv_ring_get(const lgv_ring *r, int i); /* i = 0 oldest .. n-1 newest */
double lgv_ring_mean(const lgv_ring *r);      /* NAN when empty */
void lgv_ring_copy(lgv_ring *dst, const lgv_ring *src);

/* Recommendation shares per channel with exponential forgetting: each count
 * weighs half after `half_life` calls of lgv_shares_tick (one per env step).
 * O(1) per recommendation (the increment grows instead of old counts
 * shrinking; everything is rescaled when the increment gets large). */
typedef struct {
    int n;
    double *w;
    double total, inc, decay;
} lgv_shares;

int lgv_shares_init(lgv_shares *s, int n_channels, double half_life);
void lgv_shares_free(lgv_shares *s);
void lgv_shares_add(lgv_shares *s, int channel); /* out-of-range channels are ignored */
void lgv_shares_tick(lgv_shares *s);
double lgv_shares_get(const lgv_shares *s, int channel); /* in [0, 1]; all 0 before any recommendation */
void lgv_shares_copy(lgv_shares *dst, const lgv_shares *src);

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
} lgv_step_rec;

/* What the viewer shows of one agent. Per-world fields (clock, channels,
 * ground truth, scores, session) come from the agent's seed-1 training env. */
typedef struct {
    char label[LGV_LABEL_LEN];
    char name[LG_NAME_LEN];
    int learns, cheats;

    /* learning curves; x = training slot-steps of each seed */
    lgv_series eval;    /* greedy evaluation return per session: mean, 95% CI over seeds */
    lgv_series online;  /* moving average of training session returns (mean over seeds) */
    lgv_series epsilon; /* exploration rate, when the agent has one (has_epsilon) */
    int has_epsilon;
    float epsilon_now;
    double last_eval, last_eval_ci; /* NAN before the first evaluation */
    int n_evals;
    double online_now; /* NAN before the first finished session */
    long sessions;     /* finished training sessions, all seeds */

    lgv_shares shares; /* recommendations per channel, all seeds, recent steps weigh more */

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
    lgv_step_rec hist[LGV_HISTORY];
    int hist_n, hist_head; /* ring: hist_head is where the next record goes */
    int viewer, segment, session_step, state;
    float budget_left;
    double session_return;
} lgv_agent_view;

typedef struct {
    int n_agents, n_seeds, n_channels, n_states, slots, slate_size;
    int qtable_rows[LGV_MAX_AGENTS]; /* per agent: rows of Q-table to keep (0 = none) */
} lgv_model_shape;

typedef struct {
    lgv_model_shape shape;
    const lg_scenario *sc; /* names, events, categories; not owned, immutable */
    int n_agents, n_seeds, n_channels;

    long steps;        /* training slot-steps done by each (agent, seed) */
    long max_steps;    /* 0: no limit */
    long eval_every, eval_sessions;
    int done;          /* max_steps reached */
    double clock;      /* world clock (every training env steps in lockstep) */
    double steps_per_sec; /* training throughput, slot-steps per second over all (agent, seed) */
    double wall_seconds;  /* training time so far */

    /* scripted events: fired flags and a log of the latest */
    uint8_t *fired;    /* [sc->n_events] */
    int n_fired;
    int ev_log[LGV_EVENT_LOG];
    int ev_log_n, ev_log_head;

    lgv_agent_view agents[LGV_MAX_AGENTS];
} lgv_model;

/* Allocate a model for scenario sc (kept by pointer) and shape. Returns NULL
 * (and a message) when the shape is out of range or memory runs out. */
lgv_model *lgv_model_create(const lg_scenario *sc, const lgv_model_shape *shape, char *err, size_t errsz);
void lgv_model_free(lgv_model *m);
/* Copy everything from src into dst (created with the same shape). */
void lgv_model_copy(lgv_model *dst, const lgv_model *src);

/* Record one step of slot 0 in agent a's history. */
void lgv_model_push_step(lgv_model *m, int agent, const lgv_step_rec *r);
/* The i-th latest step (0 = newest), or NULL. */
const lgv_step_rec *lgv_model_step(const lgv_model *m, int agent, int i);
/* Log that scripted event e fired (once; later calls are ignored). */
void lgv_model_fire_event(lgv_model *m, int e);
/* The i-th latest fired event (0 = newest), or -1. */
int lgv_model_event(const lgv_model *m, int i);
/* Is event e in effect at elapsed minutes t (fired and within its duration;
 * events without a duration are shown for an hour)? */
int lgv_event_active(const lg_scenario *sc, int e, double elapsed);

/* ---- UI state ------------------------------------------------------------ */

enum { LGV_PANEL_CURVES, LGV_PANEL_PLATFORM, LGV_PANEL_MIND, LGV_PANEL_SESSION, LGV_N_PANELS };

#define LGV_N_SPEEDS 13

typedef struct {
    int n_agents;
    int selected;
    int show[LGV_N_PANELS];
    int help;
    int paused;
    int speed; /* index into the speed levels; LGV_N_SPEEDS - 1 = full speed */
} lgv_ui;

void lgv_ui_init(lgv_ui *ui, int n_agents);
void lgv_ui_next(lgv_ui *ui); /* selection wraps around */
void lgv_ui_prev(lgv_ui *ui);
int lgv_ui_select(lgv_ui *ui, int i); /* 0, or -1 (unchanged) when i is not an agent */
void lgv_ui_toggle(lgv_ui *ui, int panel);
void lgv_ui_faster(lgv_ui *ui);
void lgv_ui_slower(lgv_ui *ui);
/* Env steps per second of a speed level; 0 = as fast as possible. */
double lgv_speed_rate(int level);
void lgv_speed_name(int level, char *buf, size_t n);

/* ---- axes and formatting ------------------------------------------------- */

/* "Nice" ticks (1, 2, 2.5 or 5 times a power of ten) covering [lo, hi]: at
 * most max_ticks values written to out (up to cap), their spacing in *step.
 * Returns the count. */
int lgv_ticks(double lo, double hi, int max_ticks, double *out, int cap, double *step);
/* Widen [*lo, *hi] to multiples of the tick step (and make it non-empty). */
void lgv_nice_range(double *lo, double *hi, int max_ticks);
/* A tick label: as many decimals as the step needs; k/M suffixes for large values. */
void lgv_fmt_tick(char *buf, size_t n, double v, double step);
/* A count: 950, 12.3k, 4.56M. */
void lgv_fmt_count(char *buf, size_t n, double v);
/* Minutes since midnight of day 0 as "day 2 21:35". */
void lgv_fmt_clock(char *buf, size_t n, double minutes);

/* ---- colours (0xAARRGGBB) ------------------------------------------------ */

/* Agents: the Okabe-Ito colour-blind-safe palette (blue, vermillion, bluish
 * green, reddish purple, orange, sky blue, black, yellow), cycled. */
uint32_t lgv_agent_color(int i);
/* Categories: Paul Tol's "light" palette, cycled (pale, for tile backgrounds). */
uint32_t lgv_category_color(int k);
/* A perceptually ordered heat map colour for t in [0, 1] (viridis-like). */
uint32_t lgv_heat_color(float t);

#endif
