/* lg_env: the mutable state of one batched live-streaming world (MuJoCo's
 * mjData) and its Gym-style API.
 *
 * One env holds N viewer slots that share one platform: one clock, one set of
 * channels, one viewer pool. Each slot runs one viewer session at a time.
 * Every buffer is allocated by lg_env_create; lg_env_step and the reset
 * functions never allocate.
 *
 * Auto-reset follows Gymnasium's SAME_STEP mode: when a slot's session ends in
 * a step, that step returns the final reward and terminated/truncated = 1, and
 * the observation in `obs` is already the first observation of the slot's
 * next session. The last observation of the finished session is in
 * `final_obs` / `final_slot_obs` / `final_state` (valid only for slots whose
 * flags are set), which is what a learner bootstraps from on truncation. */
#ifndef LG_ENV_H
#define LG_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "lg_scenario.h"

/* The public API of liblivegym: exported from the shared library (the
 * rest of the code is built with hidden visibility). */
#pragma GCC visibility push(default)

/* The library's version, "MAJOR.MINOR.PATCH" (the soname carries MAJOR). */
const char *lg_version(void);

#define LG_VERSION "0.1.0"

typedef struct lg_env lg_env;

/* Observation layout. The observation of a slot is its slot part followed by
 * the channel table (n_channels rows of channel_dim floats). The channel table
 * is the same for every slot in a step, so the SHARED layout writes it once
 * per step and only the slot part per slot; FLAT also writes the full
 * per-slot vector (slot part then channel table) into `obs`. */
typedef enum { LG_LAYOUT_FLAT = 0, LG_LAYOUT_SHARED = 1 } lg_layout;

/* Per-slot record of the step that just happened. */
typedef struct {
    int32_t watched;       /* channel watched, -1 if none */
    int32_t viewer;        /* viewer id in the pool (of the session that stepped) */
    int32_t segment;
    int32_t session_step;  /* steps taken in the session, including this one */
    float watch_minutes;
    float budget_left;     /* session budget after this step, minutes */
    uint8_t chose;         /* 1 if the viewer picked a recommended channel */
    uint8_t invalid;       /* slate items that were out of range, duplicated or off air */
    uint8_t gifts;
    uint8_t follows;       /* 1 if the viewer followed the watched channel this step */
    float r_watch, r_gift, r_follow, r_invalid; /* reward = r_watch + r_gift + r_follow - r_invalid + r_return */
    int32_t position;      /* slate position of the item taken, -1 if none (with a candidate stage the
                              slate holds candidate indices and `watched` the channel) */
    float r_return;        /* retention: reward.return x the session's satisfaction, at its last step; else 0 */
    uint8_t idle;          /* 1: the slot had no session this step (retention: no viewer was due); its
                              action went to no one, reward 0, not terminated; learners skip it */
} lg_info;

typedef struct {
    int n_slots;
    int n_actions;   /* number of channels */
    int slate_size;  /* k: each slot's action is k channel indices */
    int obs_dim;     /* slot_dim + n_actions * channel_dim */
    int slot_dim;
    int channel_dim;
    int n_states;    /* tabular state count */
    lg_layout layout;

    float *obs;            /* [n_slots * obs_dim], FLAT layout only (else NULL) */
    float *slot_obs;       /* [n_slots * slot_dim] */
    float *channel_obs;    /* [n_channels * channel_dim], shared by all slots; with a candidate stage only its
                            * static columns (the rows in obs have them all) */
    uint8_t *mask;         /* [n_slots * n_actions], 1 = channel on air */
    int32_t *state;        /* [n_slots] tabular state id */
    float *reward;         /* [n_slots] */
    uint8_t *terminated;   /* [n_slots] */
    uint8_t *truncated;    /* [n_slots] */
    lg_info *info;         /* [n_slots] */
    float *final_obs;      /* [n_slots * obs_dim], FLAT layout only */
    float *final_slot_obs; /* [n_slots * slot_dim] */
    int32_t *final_state;  /* [n_slots] */

    /* The candidate stage (session.candidates > 0, docs/model.md): each
     * slot ranks n_actions channels retrieved for it, and action j of slot
     * i means channel candidates[i * n_actions + j] (-1: none, masked). The
     * observation's channel rows, follows block and mask are the
     * candidates'. Without a candidate stage these are NULL and action c is
     * channel c. */
    int n_channels;            /* the catalogue (n_actions without a candidate stage) */
    int32_t *candidates;       /* [n_slots * n_actions] */
    int32_t *final_candidates; /* [n_slots * n_actions] those of final_obs */
    uint8_t *final_mask;       /* [n_slots * n_actions] final_obs's mask */
} lg_buffers;

/* A named block of the observation: offset within the slot part (scope 0) or
 * within one channel row (scope 1). Every value lies in [low, high]. */
typedef struct {
    const char *name;
    int scope; /* 0 = slot part, 1 = per channel row */
    int offset;
    int size;
    float low, high;
} lg_obs_block;

#define LG_MAX_OBS_BLOCKS 16

typedef struct {
    int on_air;
    int launched;
    float concurrency;     /* n_c: background + simulated watchers + bots */
    float background;      /* A_c(t) */
    float bots;
    int watchers;          /* slots that watched it in the last step */
    float log_popularity;  /* x_c; off air, its expectation now (drawn when back on air) */
    float popularity_mean; /* current OU mean (base + trend, without feedback) */
    float minutes_left;    /* of the current broadcast, if on air */
    float minutes_since_start;
    int category;          /* index into the scenario's categories */
} lg_channel_state;

/* Create an env for scenario `sc` (copied; it need not outlive the env). The
 * scenario is checked (lg_scenario_check). n_slots in [1, n_viewers]. */
int lg_env_create(const lg_scenario *sc, int n_slots, uint64_t seed, lg_layout layout, lg_env **out,
                  char *err, size_t errsz);
void lg_env_free(lg_env *env);
/* The bytes lg_env_create would allocate for this scenario and shape (0 when
 * the scenario or the shape is invalid), without allocating them; and the
 * machine's physical memory, the limit lg_env_create refuses beyond. */
size_t lg_env_bytes(const lg_scenario *sc, int n_slots, lg_layout layout);
size_t lg_machine_bytes(void);

/* Reset the whole world (clock, popularity, viewer pool, events) with a new
 * seed and start a session in every slot. */
void lg_env_reset(lg_env *env, uint64_t seed);
/* End slot's session (if any) and start a new one; seed NULL keeps the slot's
 * seed. Writes the slot's observation; the world does not move. */
void lg_env_reset_slot(lg_env *env, int slot, const uint64_t *seed);
/* Retention (population.retention.enabled): every slot's session ends
 * (its viewer goes free, no gap drawn), every viewer's next visit is drawn
 * afresh from seed as at a full reset, and the slots take the viewers due
 * now or idle. The rest of the world (clock, popularity, tastes, fatigue,
 * follows) is kept: an evaluation's common start on a fork of a running
 * world. Does nothing without retention. */
void lg_env_reset_visits(lg_env *env, uint64_t seed);
/* One step for every slot. actions: [n_slots * slate_size] channel indices.
 * Any index is accepted: out-of-range, duplicate or off-air items count as
 * invalid (a no-watch for that item, penalised by invalid_penalty). */
void lg_env_step(lg_env *env, const int32_t *actions);

const lg_buffers *lg_env_buffers(const lg_env *env);
const lg_scenario *lg_env_scenario(const lg_env *env);
int lg_env_obs_layout(const lg_env *env, const lg_obs_block **blocks);
/* Write slot's full observation (slot part then channel table) to dst[obs_dim];
 * works in both layouts. */
void lg_env_obs_flat(const lg_env *env, int slot, float *dst);

/* Ground truth (not visible to agents): expected immediate reward of
 * recommending each action's channel alone (slate of one) to slot's viewer
 * in the current state, out[n_actions]. Off-air channels (and empty
 * candidates) get -invalid_penalty. */
void lg_env_expected_reward(const lg_env *env, int slot, float *out);
/* The same over the whole catalogue, out[n_channels] (channel c at c): what
 * a candidate stage left out too. */
void lg_env_expected_reward_channels(const lg_env *env, int slot, float *out);
/* The expected immediate reward of recommending the slate actions[slate_size]
 * to slot's viewer in the current state, under the scenario's slate choice
 * model (session.slate_choice), invalid items' penalty included. Live worlds;
 * NAN for a classic env. */
double lg_env_expected_reward_slate(const lg_env *env, int slot, const int32_t *actions);
/* The same model's choice: out[j] the probability that the viewer takes the
 * item at slate position j (0 for an invalid one), out[slate_size] that
 * they take none. Live worlds; all NAN for a classic env. */
void lg_env_slate_choice_probs(const lg_env *env, int slot, const int32_t *actions, double *out);
/* What those models are made of, per action: weight[a] = exp(U - no_watch
 * utility) of its channel for slot's viewer (0 off air or for an empty
 * candidate), reward[a] the expected reward of a step in which the viewer
 * takes it (out[n_actions] each). Live worlds; all NAN for a classic env. */
void lg_env_item_truth(const lg_env *env, int slot, double *weight, double *reward);

/* The complete mutable state of an env as bytes, to stop a run and continue
 * it bit for bit in an env created with the same scenario, slots and layout.
 * save returns the bytes written (0 if cap is too small); load checks the
 * size and magic and returns 0, or -1 with a message (env untouched). */
size_t lg_env_state_size(const lg_env *env);
size_t lg_env_state_save(const lg_env *env, void *buf, size_t cap);
int lg_env_state_load(lg_env *env, const void *buf, size_t len, char *err, size_t errsz);

/* Make dst's state a copy of src's (an env created with the same scenario,
 * slots and layout): what lg_env_state_save then lg_env_state_load would
 * do, without the bytes in between. A fork of a running world, to evaluate
 * a policy on it without touching the original. Returns 0, or -1 with a
 * message when the two envs differ in shape (dst untouched). */
int lg_env_copy_state(lg_env *dst, const lg_env *src, char *err, size_t errsz);

/* 1 when slot has no session now (retention: it waits for a viewer due);
 * its observation is zeros and its mask empty, and the next step's info
 * says idle. Always 0 without retention. */
int lg_env_idle(const lg_env *env, int slot);
double lg_env_clock(const lg_env *env);   /* minutes since midnight of day 0 */
int64_t lg_env_steps(const lg_env *env);  /* steps since the last full reset */
void lg_env_channel(const lg_env *env, int channel, lg_channel_state *out);
uint64_t lg_env_warnings(const lg_env *env); /* numerical trouble, counted */

#pragma GCC visibility pop

#endif
