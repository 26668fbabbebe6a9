/* The inside of lg_env, shared by the env/ files that implement it. */
#ifndef LG_ENV_INTERNAL_H
#define LG_ENV_INTERNAL_H

#include <stdint.h>

#include "lg_carve.h"
#include "lg_env.h"
#include "lg_rng.h"

/* The world's random-number purposes (lg_rng.h). Values are part of the
 * reproducibility contract: never renumber, only append. 9 belongs to the
 * agents (LGA_STREAM, agents/lga_agent.h). */
enum {
    LG_P_CATEGORY = 1,   /* category centroids (world seed) */
    LG_P_CHANNEL = 2,    /* channel latent vectors and embeddings (world seed) */
    LG_P_VIEWER = 3,     /* viewer pool initial state (world seed) */
    LG_P_SCHEDULE = 4,   /* daily schedule jitter (world seed) */
    LG_P_POPULARITY = 5, /* popularity diffusion (env seed) */
    LG_P_SESSION = 6,    /* which viewer a session draws, budget (env seed) */
    LG_P_STEP = 7,       /* per slot-step choice, watch, gift, follow draws */
    LG_P_GENERATOR = 8,  /* scenario channel generator (generator seed) */
    LG_P_PROJECTION = 10, /* modality projection matrices (world seed) */
    LG_P_RETURN = 11,     /* retention: each viewer's first visit after a reset (env or evaluation seed) */
    LG_P_POPULARITY_GAP = 12 /* popularity over a channel's time off air, drawn when it is next needed (env seed) */
};

/* A time that never comes (a viewer's visit that never ended). */
#define LG_NEVER 1e30f

/* A scripted event expanded into the atomic changes it makes to the world
 * (an event with a duration becomes two actions), sorted by time. */
typedef enum {
    LG_ACT_SPIKE,
    LG_ACT_TREND,    /* category popularity offset += value */
    LG_ACT_OFF_AIR,  /* forced off until value (absolute clock; <0: end of current window) */
    LG_ACT_LAUNCH,
    LG_ACT_BOTS,     /* bots += value */
    LG_ACT_INTEREST  /* segment's interests move value of the way toward category centroid */
} lg_action_kind;

typedef struct {
    double time; /* minutes since reset */
    lg_action_kind kind;
    int target;  /* channel, category or segment */
    int category;
    float value;
    float duration;
    int order;   /* original event index: stable tie-break */
} lg_world_action;

typedef struct {
    int viewer;             /* -1: the slot is idle (retention: no viewer was due) */
    int session_step;
    uint64_t session_index; /* sessions started in this slot since the last full reset */
    uint64_t step_key;      /* key of this session's per-step draws */
    float budget;
    int last_category;      /* -1 none */
    uint8_t watched_last;
} lg_slot;

#define LG_SCHED_RING_MAX 4096 /* buckets of the schedule's sleepers (world.c); later wakes wait again */

#define LG_WAKE_CHUNK 14
typedef struct {
    int32_t next, n; /* the bucket's next chunk (-1: none), ids held */
    int32_t id[LG_WAKE_CHUNK];
} lg_wake_chunk;

/* A channel's schedule record (world.c): what a look at its schedule
 * reads, in one place. Copies of its windows' jitter key, whether it is
 * always on and its windows (made with the other per-channel copies,
 * lg_world_rederive), and its calendar: the n windows that contain the
 * clock stay the same while the day is `day` and the clock is before
 * `until`, each kept as its start and which of the channel's windows it is
 * (its end is the start plus that window's duration, the sum window_of
 * makes). A record is this header, then 2W starts, W windows and 2W
 * window indices, W the most windows a channel has (live.c), in a stride
 * of whole cache lines: one line when W is 1, as for generated channels. */
typedef struct {
    double until;
    uint64_t key;
    int32_t day; /* |clock| <= 1e10 minutes: days fit; INT32_MIN: not made */
    uint8_t n, n_windows, always;
} lg_sched_rec;

/* The live platform's state (env/live/): the static world from the world
 * seed, the dynamic world, the viewer pool, and where each observation
 * block sits. */
typedef struct {
    int K, D, M, S, U, F; /* categories, latent dim, embedding dim, segments, viewers, follows per viewer */

    /* static world, from the world seed */
    float *centroid;      /* [K*D] */
    float *v;             /* [C*D] channel latent vectors */
    float *embedding;     /* [C*3*M] in [-1, 1] */
    float *u_init;        /* [U*D] viewer pool at reset */
    int32_t *seg_of;      /* [U] */
    int32_t *seg_members; /* [U] viewers grouped by segment */
    int32_t seg_start[LG_MAX_SEGMENTS + 1];
    uint8_t *launch_event; /* [C] 1 if a new_channel event hides the channel until then (catalogue block) */
    float seg_quality_w[LG_MAX_SEGMENTS]; /* copies of segment params for the hot loop */

    /* dynamic world */
    float *x;         /* [C] log-popularity at step x_step (a channel off air is not stepped) */
    float *cat_offset;/* [K] trend shifts */
    float *bots;      /* [C] */
    float *forced_off_until; /* [C] absolute clock */
    uint8_t *launched;/* [C] */
    uint8_t *on_air;  /* [C] */
    /* the window that holds a channel on air: its start and end clock
     * (-inf and +inf always on; 0 off air). The minutes left and since the
     * start are read from them (lg_world_minutes_left), so a channel on air
     * costs a step nothing until its window or the day ends. */
    double *win_start;    /* [C] */
    double *win_end;      /* [C] */
    float *background;    /* [C] */
    float *concurrency;   /* [C] n_c */
    float *log1p_conc;    /* [C] log(1 + n_c) */
    int32_t *watchers;    /* [C] slots watching in the last step */
    int64_t *x_step;      /* [C] the step x is of: now for a channel on air, else when it went off */
    lg_world_action actions[2 * LG_MAX_EVENTS];
    int n_actions_sched;
    int next_action;
    int n_on_air;

    /* viewer pool state */
    float *u;             /* [U*D] */
    float *fatigue;       /* [U*K] */
    float *fatigue_time;  /* [U] clock of the last fatigue update */
    /* A viewer's follows: a short sorted list, not a bit per channel, so
     * that memory grows with viewers times F, never viewers times channels. */
    int32_t *follows;     /* [U*F] channels followed, ascending */
    uint16_t *n_follows;  /* [U] */
    uint8_t *busy;        /* [U] in a session now */
    float *history;       /* [N*K] each slot's recent category history */

    /* retention (sc.retention.enabled; NULL when off, so that the state
     * is the same as without it): when each viewer is next due, how their
     * last visit went and when it ended; per slot the running session's
     * watch minutes, quality-weighted minutes, and what the platform knew
     * of the viewer when it began (gap since the last visit, in days, and
     * that visit's satisfaction) */
    double *return_at;    /* [U] clock */
    float *last_sat;      /* [U] */
    double *visit_end;    /* [U] clock; -LG_NEVER before the first visit */
    float *sess;          /* [N*4] minutes, quality minutes, gap seen, satisfaction seen */
    /* scratch: the viewers not in a session, as a min-heap on (return_at,
     * id): rebuilt from the state after a reset, load or copy */
    int32_t *due;         /* [U] */
    int n_due;

    /* precomputed */
    float fatigue_decay_step;
    float ou_a, ou_s;
    float ou_a_tick, ou_s_tick; /* the same over a platform tick (world.platform_tick steps) */
    float conc_norm;      /* 1 / log1p(audience_peak) */

    /* a cache: the time of day's observation features and the tabular
     * state's quarter, the same for every slot, made by the first slot to
     * see tod_clock (obs.c; NaN: none yet) */
    double tod_clock;
    float tod[2];
    int tod_quarter;

    /* the candidate stage (session.candidates > 0): the channels on air
     * ranked by concurrency, platform-wide and per category, once per
     * platform tick (in the block: ranked again after a load at a tick,
     * else the state's, checked: check.c's ranking) */
    int32_t *top_all; /* [A] */
    int32_t *top_cat; /* [K*A] */
    int32_t *n_top;   /* [K+1]: per category, then platform-wide */

    /* scratch (not state): the ranking's heaps and lists' derived tables,
     * the retrieval's shared lists, the schedule's records and buckets */
    uint64_t *rank_heap; /* [K*A] per category, the best A on air so far (rank keys, a max-heap, then sorted, lg_radix.h) */
    int32_t *rank_n;     /* [K] how many each holds */
    float *rank_bar;     /* [K] the concurrency from which channels enter the heaps at the next ranking (a hint: any value gives the same lists) */
    int32_t *rank_skipped; /* [K] */
    uint64_t *rank_tmp;  /* [A] the radix sort's other half */
    /* tables of the ranked lists, made with them (candidates.c,
     * make_list_tables; after a reset, load or copy at the first retrieval) */
    int32_t *top_place;   /* [K*A] where each category's ranked channel sits in top_all (n_top[K] if not there) */
    int32_t *top_all_cat; /* [A] each of top_all's category */
    int32_t *top_all_row; /* [A] and its row in top_rows (k A + i: its place in its category's list) */
    float *top_rows;      /* [K*A*channel_dim] the channel table's rows of each category's list, in its order */
    int list_tables_stale;
    int32_t *turns;      /* [K*A] a retrieval's list for each favourite category with no followed channel on air */
    int32_t *turns_n;    /* [K] its length; -1: not made since the last ranking, load or copy */
    int32_t *turn_row;   /* [K*A] each turn's row in top_rows */
    float *turn_rows;    /* [K*A*channel_dim] the observation rows of each such list, made once a step */
    uint8_t *turn_rows_made; /* [K] 0 whenever turns_n is forgotten */
    uint8_t *followed_mark; /* [C] a retrieval's followed channels, 0 again after it */
    int32_t *on_list;   /* [C] the channels on air, ascending (n_on_air of them); read through lg_world_on_list */
    int on_list_stale;  /* between platform ticks with a candidate stage, made again only when read */
    uint64_t *pop_key;  /* [C] each channel's key of popularity draws (from the env seed) */
    uint64_t *gap_key;  /* [C] of its draws over an off-air gap (env seed) */
    float *chan_base;     /* [C] copies of the channels' base popularity and category, */
    uint8_t *chan_cat;  /* [C] contiguous for the per-step loops (the specs are large) */
    char *sched_rec;    /* [C * rec_stride] the channels' schedule records (lg_sched_rec) */
    size_t rec_stride;
    int rec_w;          /* the most windows a channel has */
    /* every channel but one always on and on air sleeps until its wake
     * (world.c), in a ring of buckets by step, each a list of chunks of a
     * cache line (read in order, not one channel's line after another's) */
    int32_t *sched_head;  /* [sched_ring] its first chunk, -1: none */
    lg_wake_chunk *sched_pool; /* [sched_chunks] */
    int32_t sched_free;   /* the first free chunk, -1: none */
    int32_t sched_chunks;
    double wake_slack;    /* the clock's possible rounding, in steps (world.c, begin_pass) */
    int ring_now;         /* this step's bucket */
    int32_t *sched_came;  /* [C + 2N] the channels that came on air this step */
    int32_t *went_off;    /* [C] the channels that went off air this step (n_went_off; -1: not known) */
    int32_t *sort_tmp;    /* [C] */
    int32_t *due_now;     /* [C] the step's bucket, read out */
    double *gap_an, *gap_sd; /* [sched_ring] an off-air gap's popularity law by its steps (world.c, catch_up) */
    int n_went_off;
    int32_t *watched;     /* [N] the channels watched in the last step, so that only they are zeroed */
    int n_watched;        /* -1: not known (after a reset, load or copy): zero every channel's count */
    int32_t *was_watched; /* [N] the step before's (between ticks their audience is recounted) */
    int n_was_watched;    /* -1: not known */
    int n_came;           /* sched_came's length; -1: not known (every channel examined) */
    int bots_moved;       /* a bot wave began or ended this step */
    float *cm_out;        /* [C + 2N] the per-channel math's results, in on-list order */
    int sched_ring;       /* a day's steps and two, at most LG_SCHED_RING_MAX */
    int sched_full;       /* examine every channel at the next update */

    /* observation block offsets */
    int off_tod, off_progress, off_segment, off_history, off_watched, off_follows, off_u, off_return;
    int ch_on, ch_conc, ch_cat, ch_emb, ch_since, ch_v;
} lg_live;

/* A classic reference env's state (env/classic/). */
typedef struct {
    float *q_star; /* [N * C] bandit true values */
    int32_t *pos;  /* [N] cliff position */
} lg_classic;

typedef struct lg_world_ops lg_world_ops;

struct lg_env {
    lg_scenario sc;
    const lg_world_ops *ops; /* live, bandit or cliff */
    int N, C, k;             /* slots, channels (the catalogue), slate size */
    int A;                   /* actions per slot: C, or the candidates of a candidate stage */
    uint64_t seed;
    lg_layout layout;
    double clock;            /* minutes since midnight of day 0 */
    int64_t steps;
    uint64_t warnings;

    lg_slot *slot;           /* [N] */
    uint64_t *slot_seed;     /* [N] */
    lg_buffers buf;
    lg_obs_block blocks[LG_MAX_OBS_BLOCKS];
    int n_blocks;

    /* The scenario's catalogue, one spec per channel (listed or generated),
     * and what is derived from it alone: its own allocation, outside the
     * state block, since it never changes and a state file never holds it.
     * NULL for the classic worlds. */
    lg_channel_spec *channels;

    lg_live live;            /* kind live */
    lg_classic classic;      /* kind bandit or cliff */

    /* Every array above lives in this one allocation, carved by ops->carve
     * in the order that is also the state file's (lg_env_state_save): its
     * first block_bytes are the state; what follows is scratch, never saved
     * nor copied (lg_env_carve_scratch). */
    void *block;
    void *block_alloc;       /* what was allocated: block is it rounded up to a 64-byte or 2 MB boundary */
    size_t block_bytes;
    size_t alloc_bytes;      /* the whole block: state and scratch */
};

/* A world plugs into the env's one API through these. The env owns the
 * slots, the buffers and the step loop (final observations, SAME_STEP
 * auto-reset); the world owns everything else. */
struct lg_world_ops {
    /* Sizes (C, k and the world's own), observation blocks and n_states;
     * before anything is allocated. */
    void (*layout)(lg_env *env);
    /* Carve every array, the env's included (lg_env_carve_slots,
     * lg_env_carve_buffers), in the world's state order. */
    void (*carve)(lg_env *env, lg_carver *cv);
    /* Once, after carving: what depends only on the scenario. NULL: none. */
    void (*init)(lg_env *env);
    /* The whole world at a full reset: clock, steps, dynamic state, channel
     * table and mask; the slots are started after it. */
    void (*reset)(lg_env *env);
    void (*start)(lg_env *env, int slot);   /* the first session or episode of a slot after reset */
    void (*restart)(lg_env *env, int slot); /* the next one, after one ended */
    /* One step of every slot: reward, terminated, truncated and info per
     * slot, the world moved on by one step, channel table and mask. */
    void (*step)(lg_env *env, const int32_t *actions);
    /* Slot's part; cand: its candidates (NULL without a candidate stage). */
    void (*write_obs)(lg_env *env, int slot, const int32_t *cand, float *dst);
    /* With a candidate stage: retrieve slot's candidates and their mask
     * (n_actions each). NULL: no candidate stage in this world. */
    /* Returns the id of a list that other slots may get too this step
     * (>= 0), or -1 for one of the slot's own. */
    int (*retrieve)(lg_env *env, int slot, int32_t *cand, uint8_t *mask);
    /* With a candidate stage: the rows of cand[0..A) into dst, each the
     * channel table's (which keeps only the static columns then) with the
     * dynamic columns of now; zeros for an empty place. shared: retrieve's
     * id of the list, whose rows are then kept for the step (or -1: env is
     * not written). */
    void (*candidate_rows)(lg_env *env, const int32_t *cand, int shared, float *dst);
    int (*state)(const lg_env *env, int slot);
    void (*expected_reward)(const lg_env *env, int slot, float *out);              /* out[A] */
    void (*expected_reward_channels)(const lg_env *env, int slot, float *out); /* out[C]; NULL: as above */
    void (*channel)(const lg_env *env, int c, lg_channel_state *out); /* NULL: no channels (classic) */
    /* The world's scalars in a state file (two of them), written on save
     * and checked and set on load (-1 with a message when out of range).
     * NULL: none (written as 0). */
    void (*save_marks)(const lg_env *env, int64_t marks[2]);
    int (*load_marks)(lg_env *env, const int64_t marks[2], char *err, size_t errsz);
    /* After a state load put a file's block in place (`before` is the block
     * it replaced): 0 when every field of the world is one the step code
     * can run on, else -1 with a message naming the field (the env is then
     * restored). NULL: nothing of its own to check. */
    int (*check)(const lg_env *env, const void *before, char *err, size_t errsz);
    /* After a load: what is derived from the state (channel table, mask,
     * counts) written again from it, never taken from the file. */
    void (*refresh)(lg_env *env);
    /* After a load or a copy of the state: the scratch no longer matches
     * it; drop what was kept there. NULL: no scratch. */
    void (*forget)(lg_env *env);
};

extern const lg_world_ops lg_live_ops;   /* env/live/live.c */
extern const lg_world_ops lg_bandit_ops; /* env/classic/bandit.c */
extern const lg_world_ops lg_cliff_ops;  /* env/classic/cliff.c */

/* For the worlds' carve functions: the env's own arrays. */
void lg_env_carve_slots(lg_env *env, lg_carver *cv);   /* slot, slot_seed */
void lg_env_carve_buffers(lg_env *env, lg_carver *cv); /* the lg_buffers arrays */
void lg_env_carve_candidates(lg_env *env, lg_carver *cv); /* the candidate stage's (none without one) */
/* The state ends here: what a world carves after it is scratch, rebuilt
 * from the state (ops->forget says when). */
void lg_env_carve_scratch(lg_env *env, lg_carver *cv);

/* An observation block at *cursor (advanced by size); returns its offset. */
int lg_obs_add_block(lg_env *env, const char *name, int scope, int *cursor, int size, float lo, float hi);

/* env/live/check.c */
int lg_live_check_state(const lg_env *env, const void *before, char *err, size_t errsz);
/* A loaded state's session steps: each slot's in [0, max] (bound names max
 * in the message). 0, or -1 with a message. For the classic worlds. */
int lg_env_check_session_steps(const lg_env *env, int max, const char *bound, char *err, size_t errsz);

/* env/live/world.c */
void lg_world_init_static(lg_env *env);
void lg_world_reset(lg_env *env);
void lg_world_fire_events(lg_env *env);
void lg_world_advance(lg_env *env);
void lg_world_update_schedule(lg_env *env);
void lg_world_forget_scratch(lg_env *env);
void lg_world_rederive(lg_env *env); /* on_list and the channels' keys from the state, after a reset, load or copy */
const int32_t *lg_world_on_list(lg_env *env); /* the channels on air, ascending (n_on_air) */
float lg_world_popularity_now(const lg_env *env, int c); /* x, or its expectation now for a channel off air (on air x holds between ticks) */
float lg_world_popularity_mean(const lg_env *env, int c); /* base plus trend shift, without feedback */
void lg_world_update_audience(lg_env *env);
static inline int lg_world_is_tick(const lg_env *env) { return env->steps % env->sc.platform_tick == 0; }
/* channel_math.c: per-channel math over a list (channel indices on[0..n)),
 * into dense out[0..n); every vector set gives the same bits */
void lg_cm_normal(const uint64_t *key, const int32_t *on, int n, uint64_t counter, float *out); /* lg_normalf(key[c], counter) */
void lg_cm_exp(const float *x, int n, float shift, float *out); /* lg_expf_neg(x[j] - shift); dense (GCC 12 vectorises no float gather) */
void lg_cm_log(float *v, int n); /* v[j] = lg_logf(v[j]) */
int lg_world_build_actions(lg_env *env);
void lg_world_init_gaps(lg_env *env); /* at create, after the ring's length is known */
size_t lg_world_rec_stride(int w);    /* a schedule record's bytes for channels of at most w windows */

/* The minutes left of the window holding channel c on air, and since its
 * start (0 off air): the (float) of the same double difference the
 * schedule finds, infinite always on. */
static inline float lg_world_minutes_left(const lg_env *env, int c)
{
    return env->live.on_air[c] ? (float)(env->live.win_end[c] - env->clock) : 0.0f;
}

static inline float lg_world_since_start(const lg_env *env, int c)
{
    return env->live.on_air[c] ? (float)(env->clock - env->live.win_start[c]) : 0.0f;
}

/* env/live/viewers.c */
void lg_viewers_init_static(lg_env *env);
void lg_viewers_reset(lg_env *env);
void lg_session_start(lg_env *env, int slot);
/* The viewer leaves slot: free again, fatigue clock set; with retention,
 * their next visit drawn from how the session went. */
void lg_session_end(lg_env *env, int slot, int viewer);
/* Retention: slot's session's satisfaction s (lg_retention), and every
 * viewer's next visit drawn afresh from seed, as at a reset; the heap of
 * viewers not in a session rebuilt from the state. */
float lg_satisfaction(const lg_env *env, int slot);
void lg_visits_draw(lg_env *env, uint64_t seed);
void lg_visits_rebuild(lg_env *env);
void lg_live_reset_visits(lg_env *env, uint64_t seed); /* env/live/live.c: lg_env_reset_visits's world part */
void lg_session_step(lg_env *env, int slot, const int32_t *items);
void lg_session_idle(lg_env *env, int slot); /* an idle slot's step: info.idle, no reward */
float lg_utility(const lg_env *env, int viewer, int c);
int lg_is_followed(const lg_env *env, int viewer, int c);
void lg_live_expected_reward_channels(const lg_env *env, int slot, float *out);
float lg_engagement(const lg_env *env, int viewer, int c);
void lg_live_expected_reward(const lg_env *env, int slot, float *out);
double lg_live_expected_reward_slate(const lg_env *env, int slot, const int32_t *items);
void lg_live_slate_choice_probs(const lg_env *env, int slot, const int32_t *items, double *out);
void lg_live_item_truth(const lg_env *env, int slot, double *weight, double *reward);

/* env/live/candidates.c */
void lg_candidates_rank(lg_env *env);
void lg_candidates_forget_turns(lg_live *L);
void lg_candidates_forget_scratch(lg_live *L); /* the shared turns and the lists' tables */
int lg_candidates_retrieve(lg_env *env, int slot, int32_t *cand, uint8_t *mask); /* the favourite's shared list, or -1 */

/* env/live/obs.c */
void lg_obs_layout_init(lg_env *env);
void lg_obs_write_channels(lg_env *env);
/* After a step: the rows that can have changed (the channels on air and
 * those that just went off; every row when the schedule did not list them). */
void lg_obs_update_channels(lg_env *env);
/* The channel table's columns that never change (category, embeddings,
 * latent vectors); lg_obs_write_channels writes them at reset only. */
void lg_obs_write_static_channels(lg_env *env);
void lg_obs_candidate_rows(lg_env *env, const int32_t *cand, int shared, float *dst); /* lg_world_ops.candidate_rows */
void lg_obs_write_slot(lg_env *env, int slot, const int32_t *cand, float *dst);
int lg_obs_state(const lg_env *env, int slot);
void lg_obs_write_mask(lg_env *env);

static inline float lg_dot(const float *a, const float *b, int n)
{
    float s = 0.0f;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}
static inline float lg_sigmoid(float z) { return 1.0f / (1.0f + expf(-z)); }
static inline float lg_clampf(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }
/* The channel of action a in slot's slate: with a candidate stage a
 * position in the slot's list (-1 when out of range or empty), else the
 * channel itself. */
static inline int32_t lg_action_channel(const lg_env *env, int slot, int32_t a)
{
    if (!env->buf.candidates) return a;
    return a >= 0 && a < env->A ? env->buf.candidates[(size_t)slot * env->A + a] : -1;
}
/* The position model's weight factor of slate position i: position_decay^i. */
static inline float lg_position_weight(const lg_scenario *sc, int i)
{
    float w = 1.0f;
    for (int k = 0; k < i; k++) w *= sc->position_decay;
    return w;
}

#endif
