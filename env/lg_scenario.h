/* lg_scenario: the immutable description of a world (MuJoCo's mjModel).
 *
 * Everything the simulator needs lives here, with fixed-size arrays so that a
 * scenario is one plain value: copyable with memcpy, comparable field by
 * field, with no ownership rules. A catalogue too large to list (more than
 * LG_MAX_LISTED_CHANNELS) is kept as its generator, and each channel is
 * generated when asked for (lg_scenario_channel): the world's size is then
 * limited by memory at lg_env_create, not by this struct. lg_scenario_default() fills a sensible
 * mid-size platform; docs/model.md explains every parameter and its units.
 * Times are in minutes, rates per minute unless stated otherwise. */
#ifndef LG_SCENARIO_H
#define LG_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

/* The public API of liblivegym: exported from the shared library (the
 * rest of the code is built with hidden visibility). */
#pragma GCC visibility push(default)

#define LG_MAX_CATEGORIES 32
#define LG_MAX_LISTED_CHANNELS 1024 /* channels a scenario holds one by one */
#define LG_MAX_CHANNELS 1000000     /* channels of a world (generated beyond the listed maximum) */
#define LG_MAX_SEGMENTS 16
#define LG_MAX_EVENTS 256
#define LG_MAX_WINDOWS 4
#define LG_MAX_DIM 32
#define LG_MAX_EMB 16
#define LG_MAX_SLATE 8
#define LG_MAX_VIEWERS 100000000
#define LG_MAX_FOLLOWS 1024
#define LG_MAX_CANDIDATES 4096
#define LG_NAME_LEN 32
#define LG_N_MODALITIES 3 /* visual, audio, text */
#define LG_MINUTES_PER_DAY 1440.0f

typedef enum { LG_OBS_VECTOR = 0, LG_OBS_TABULAR = 1, LG_OBS_IDEAL = 2 } lg_obs_mode;
/* How a viewer chooses from a slate (docs/model.md "Slates"): one
 * multinomial logit over the valid items; the same with the weight of
 * position j scaled by position_decay^j; or a cascade down the slate. */
typedef enum { LG_SLATE_MNL = 0, LG_SLATE_POSITION = 1, LG_SLATE_CASCADE = 2 } lg_slate_choice;

/* Which world an env simulates: the live platform, or one of the classic
 * reference envs (env/classic/) used to validate agents against textbook
 * answers (Sutton & Barto, 2nd ed.). */
typedef enum { LG_KIND_LIVE = 0, LG_KIND_BANDIT = 1, LG_KIND_CLIFF = 2 } lg_env_kind;

/* The k-armed testbed (S&B section 2.3): true values q*(a) ~ N(mean, sd^2),
 * rewards ~ N(q*(a), reward_sd^2); one episode is one run of `steps` steps
 * with fresh q*. walk_sd > 0 makes it non-stationary (q* random walk, S&B
 * exercise 2.5). */
typedef struct {
    int arms;
    float mean;
    float sd;
    float reward_sd;
    float walk_sd;
    int steps;
} lg_bandit_params;

/* Cliff Walking (S&B example 6.6): a rows x cols grid, start bottom-left,
 * goal bottom-right, the cells between them on the bottom row are the
 * cliff. Each move costs step_reward; stepping into the cliff costs
 * cliff_reward and sends the agent back to the start. The episode ends at
 * the goal (terminated) or after max_steps (truncated). */
typedef struct {
    int rows;
    int cols;
    float step_reward;
    float cliff_reward;
    int max_steps;
} lg_cliff_params;

/* One daily broadcast window. start: minute of day [0, 1440); the actual start
 * on day d is start + jitter * U(-1, 1), drawn per (channel, day, window). */
typedef struct {
    float start;
    float duration;
    float jitter;
} lg_window;

typedef struct {
    char name[LG_NAME_LEN];
    int category;          /* index into categories */
    float quality;         /* [0, 1]: drives engagement and session refunds */
    float appeal;          /* [0, 1]: how clickable it looks, independent of quality */
    float base_popularity; /* long-run mean of log-popularity (OU mean) */
    int always_on;         /* 1: on air all the time, windows ignored */
    int n_windows;
    lg_window windows[LG_MAX_WINDOWS];
} lg_channel_spec;

typedef struct {
    char name[LG_NAME_LEN];
    float weight;                        /* share of the viewer pool (normalised) */
    float interest[LG_MAX_CATEGORIES];   /* weights over categories of the interest centroid */
    float interest_spread;               /* sd of a viewer's latent vector around the centroid */
    float herding;                       /* beta: utility per unit of log(1 + concurrent viewers) */
    float quality_weight;                /* w_q: utility per unit of quality (centred at 0.5) */
    float appeal_weight;                 /* w_a: utility per unit of appeal (centred at 0.5) */
    float follow_weight;                 /* w_f: utility bonus for a followed channel */
    float patience;                      /* mean initial session budget, minutes */
    float activity[24];                  /* relative activity by hour of day */
    float gap_scale;                     /* retention: this segment's return gaps, times retention.gap_hours */
} lg_segment;

typedef enum {
    LG_EV_SPIKE = 0,          /* channel's log-popularity jumps by magnitude, then reverts (OU) */
    LG_EV_TREND = 1,          /* category's popularity mean shifts by magnitude for duration (0 = rest of run) */
    LG_EV_OFF_AIR = 2,        /* channel goes off air for duration (0 = until its next scheduled start) */
    LG_EV_NEW_CHANNEL = 3,    /* channel does not exist before time (cold start) */
    LG_EV_BOT_WAVE = 4,       /* magnitude bot viewers join channel for duration (0 = rest of run) */
    LG_EV_INTEREST_SHIFT = 5, /* segment's interests move a fraction magnitude toward category */
    LG_EV_COUNT
} lg_event_type;

typedef struct {
    lg_event_type type;
    float time;      /* minutes since the run started */
    float duration;  /* minutes; meaning per type above */
    float magnitude; /* meaning per type above */
    int channel;     /* -1 when unused */
    int category;    /* -1 when unused */
    int segment;     /* -1 when unused */
} lg_event;

/* Parameters of the channel generator used by the default scenario and by
 * scenario files that ask for generated channels. */
typedef struct {
    uint64_t seed;
    int count;
    float quality_mean, quality_sd;
    float appeal_mean, appeal_sd;
    float appeal_quality_corr;   /* correlation of appeal with quality (clickbait: negative) */
    float popularity_sd;         /* sd of base log-popularity */
    float popularity_quality;    /* base popularity per unit of (quality - 0.5) */
    float always_on_fraction;    /* share of channels that never go off air */
    float prime_hour;            /* hour of day around which scheduled windows start */
    float start_spread_hours;    /* sd of window start around prime_hour */
    float duration_mean, duration_sd; /* minutes */
    float jitter;                /* minutes, per window */
} lg_channel_generator;

/* Viewers who come back (docs/model.md "Retention"). Off (the default):
 * a slot whose session ends draws a free viewer at once, so every slot is
 * always in a session. On: each viewer's next visit comes a gap after
 * their last one ended, shorter the better that session went; a slot with
 * no viewer due stands idle. The gap's mean, in hours of the viewer's
 * activity curve, is gap_hours x segment gap_scale x exp(-s), where the
 * session's satisfaction s = quality_weight (mean quality watched - 0.5)
 * + watch_weight (share of the session's minutes watched - 0.5)
 * - fatigue_weight (the viewer's fatigue summed over categories at the end). */
typedef struct {
    int enabled;
    float gap_hours;      /* mean gap after a session of satisfaction 0, in active hours */
    float gap_spread;     /* sd of the log of the gap around its mean */
    float quality_weight;
    float watch_weight;
    float fatigue_weight;
    float max_gap_days;   /* no gap is longer (in active days) */
} lg_retention;

typedef struct {
    char name[64];
    char description[1024];
    uint64_t world_seed; /* catalogue latent vectors, embeddings, viewer pool, schedule jitter */

    /* --- world --- */
    int n_categories;
    char category_names[LG_MAX_CATEGORIES][LG_NAME_LEN];
    int latent_dim;             /* d */
    float category_separation;  /* norm scale of category centroids in R^d */
    float channel_spread;       /* sd of v_c around its category centroid */
    int n_channels;
    /* The catalogue: listed when n_channels <= LG_MAX_LISTED_CHANNELS
     * (channels[], generator unused and zero), else generated (generator,
     * channels[] unused and zero). Read it through lg_scenario_channel. */
    int channels_generated;
    lg_channel_generator generator;
    lg_channel_spec channels[LG_MAX_LISTED_CHANNELS];
    int embedding_dim;                      /* per modality */
    float modality_noise[LG_N_MODALITIES];  /* sd of noise in each modality embedding */
    float popularity_reversion;  /* OU theta, per minute */
    float popularity_volatility; /* OU sigma, per sqrt(minute) */
    float popularity_feedback;   /* OU mean shift per unit of (watch share - fair share) */
    float audience_peak;         /* background viewers platform-wide at the daily peak */
    float audience_amplitude;    /* [0, 1): daily swing of the background audience */
    float audience_peak_hour;    /* hour of day of the peak */
    int platform_tick;           /* session steps between moves of popularity, background audience and ranking */

    /* --- viewers --- */
    int n_viewers;
    int n_segments;
    lg_segment segments[LG_MAX_SEGMENTS];
    float no_watch_utility;   /* utility of the outside option */
    float fatigue_gain;       /* fatigue added per minute watched of a category */
    float fatigue_half_life;  /* minutes */
    float fatigue_weight;     /* utility lost per unit of fatigue */
    float interest_drift;     /* fraction u moves toward v_c per full step watched */
    float engagement_bias;    /* logit of staying the full round: bias */
    float engagement_match;   /*   + match * <u, v_c> */
    float engagement_quality; /*   + quality_coef * (q_c - 0.5) */
    float gift_rate;          /* P(gift | watched) = gift_rate * q_c */
    float follow_rate;        /* P(follow | watched, not followed) = follow_rate * engagement */
    int max_follows;          /* channels a viewer can follow; a follow beyond them is not made */
    float refund_max;         /* fraction of watched minutes refunded at quality 1 */
    float refund_quality_floor; /* quality at or below which nothing is refunded */
    lg_retention retention;

    /* --- sessions --- */
    float dt;               /* minutes per step */
    int slate_size;         /* k: channels recommended per step */
    lg_slate_choice slate_choice; /* the choice model over a slate */
    float position_decay;   /* position: weight factor per position down; cascade: P(look at the next) */
    int candidates;         /* > 0: the agent ranks this many channels retrieved per step (docs/model.md); 0: all */
    int max_session_steps;  /* truncation */
    float start_minute;     /* clock at reset, minutes since midnight of day 0 */
    float horizon_minutes;  /* length of a run; events must fall inside */

    /* --- reward --- */
    float reward_watch;   /* per minute watched */
    float reward_gift;    /* per gift */
    float reward_follow;  /* per new follow */
    float invalid_penalty; /* subtracted per invalid slate item */
    float reward_return;  /* retention: at a session's last step, per unit of its satisfaction s */

    /* --- observation --- */
    lg_obs_mode obs_mode;
    int observe_segment; /* 1: the segment is visible to the agent */

    /* --- scripted events --- */
    int n_events;
    lg_event events[LG_MAX_EVENTS];

    /* --- classic reference envs (used when kind != LG_KIND_LIVE) --- */
    lg_env_kind kind;
    lg_bandit_params bandit;
    lg_cliff_params cliff;
} lg_scenario;


void lg_scenario_default(lg_scenario *sc);
/* A daily activity curve: floor + exp(-dh^2 / (2 width^2)) around peak_hour (circular). */
void lg_activity_curve(float *a, float peak_hour, float width_hours, float floor);
void lg_channel_generator_default(lg_channel_generator *g);
void lg_retention_default(lg_retention *r); /* off, with the documented parameters */

/* Replace sc's channels with g->count generated ones (categories assigned
 * round-robin so every category is represented): listed when they fit, else
 * kept as the generator. Returns 0, or -1 with a message when g is out of
 * range. */
int lg_generate_channels(lg_scenario *sc, const lg_channel_generator *g, char *err, size_t errsz);
/* Channel c (in [0, n_channels)) of the catalogue, listed or generated. */
void lg_scenario_channel(const lg_scenario *sc, int c, lg_channel_spec *out);
int lg_scenario_channel_category(const lg_scenario *sc, int c); /* its category alone, without generating it */

/* Range and consistency checks on a resolved scenario. Returns 0 when valid;
 * otherwise -1 and a message naming the field (in JSON-path form, e.g.
 * "population.segments[2].herding") with the expected and found values. */
int lg_scenario_check(const lg_scenario *sc, char *err, size_t errsz);

const char *lg_event_type_name(lg_event_type t);
const char *lg_obs_mode_name(lg_obs_mode m);
const char *lg_env_kind_name(lg_env_kind k);
const char *lg_slate_choice_name(lg_slate_choice m);

#pragma GCC visibility pop

#endif
