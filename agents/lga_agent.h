/* The agent interface: every agent is created by name from JSON
 * hyperparameters, acts on a batch of observations with masks, learns from a
 * batch of transitions, and is freed. Randomness comes only from the stream
 * the agent is given at creation. */
#ifndef LGA_AGENT_H
#define LGA_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "lg_env.h"
#include "lg_rng.h"
#include "lg_sbuf.h"

/* The public API of liblivegym: exported from the shared library (the
 * rest of the code is built with hidden visibility). */
#pragma GCC visibility push(default)

/* The agents' random-number purpose (lg_rng.h): an agent's streams are
 * lg_stream_make(seed, LGA_STREAM, k). Disjoint from the world's purposes
 * (env/env_internal.h), so an agent and an env with the same seed never
 * draw the same numbers. Part of the reproducibility contract. */
#define LGA_STREAM 9

/* What an agent sees for a batch of n slots. Either obs (flat) or slot_obs +
 * channel_obs (shared layout) is set. env is set only for agents that declare
 * `cheats` (the oracle): it gives ground truth that real agents never get. */
typedef struct {
    int n;
    int obs_dim, slot_dim, channel_dim, n_actions, slate_size, n_states;
    const float *obs;
    const float *slot_obs;
    const float *channel_obs;
    const uint8_t *mask;   /* [n * n_actions] */
    const int32_t *state;  /* [n] tabular ids */
    const lg_obs_block *blocks; /* the layout (lg_env_obs_layout) */
    int n_blocks;
    const lg_env *env;
    int own_tables; /* 1: each slot sees its own channel table (a candidate stage: its candidates' rows) */
} lga_obs_batch;

/* Channel c's row of the channel table as slot i sees it (either layout). */
static inline const float *lga_channel_row(const lga_obs_batch *b, int i, int c)
{
    if (b->obs) return b->obs + (size_t)i * b->obs_dim + b->slot_dim + (size_t)c * b->channel_dim;
    return b->channel_obs + (size_t)c * b->channel_dim;
}

/* Slot i's part of the observation, and the channel table it sees (the
 * same for every slot without a candidate stage), in either layout. */
static inline const float *lga_slot_part(const lga_obs_batch *b, int i)
{
    return b->obs ? b->obs + (size_t)i * b->obs_dim : b->slot_obs + (size_t)i * b->slot_dim;
}

static inline const float *lga_table_of(const lga_obs_batch *b, int i)
{
    return b->obs ? b->obs + (size_t)i * b->obs_dim + b->slot_dim : b->channel_obs;
}

/* Offset of a named block, or -1 when the layout has no such block. */
int lga_block_offset(const lga_obs_batch *b, const char *name, int scope);

/* One step of n slots: what was seen, done, received and seen next. next_*
 * hold the observation to bootstrap from (the final observation of a session
 * that ended, not the first of the next one). */
typedef struct {
    const lga_obs_batch *obs;
    const int32_t *actions;  /* [n * slate_size] */
    const float *reward;
    const uint8_t *terminated;
    const uint8_t *truncated;
    const lg_info *info;
    const lga_obs_batch *next;
} lga_transition_batch;

/* Whether slot i's transition is one to learn from: not an idle slot's
 * (lg_info.idle: with retention no viewer was there, the action went to
 * no one). Every learner's update skips the others. */
static inline int lga_idle(const lga_transition_batch *tr, int i) { return tr->info && tr->info[i].idle; }
/* The slots of a batch that are not idle (all of them without retention). */
static inline int lga_active(const lga_transition_batch *tr)
{
    int n = 0;
    for (int i = 0; i < tr->obs->n; i++) n += !lga_idle(tr, i);
    return n;
}

typedef struct lga_agent lga_agent;
struct lgn_team; /* agents/nn/lgn.h: threads for an agent's networks */

/* A piece of an agent's learned state, for save/load, with what its
 * values may be: a state file is hostile until checked (lga_load refuses a
 * block with a value out of its range; RAW blocks are any bytes, or the
 * agent's `check` looks at them). */
typedef enum { LGA_RAW, LGA_F32, LGA_F64, LGA_I32, LGA_I64, LGA_U8 } lga_elem;

typedef struct {
    const char *name;
    void *data;
    size_t bytes;
    lga_elem elem;
    double lo, hi; /* every element in [lo, hi] (floats: and finite) */
} lga_state_block;

/* The largest magnitude a loaded float may have: finite, and far from
 * overflowing in the arithmetic that follows. */
#define LGA_FMAX 1e30
#define LGA_RAW_BLOCK(nm, p, size) ((lga_state_block){nm, p, size, LGA_RAW, 0, 0})
#define LGA_F32_BLOCK(nm, p, count, lo, hi) ((lga_state_block){nm, p, (size_t)(count) * sizeof(float), LGA_F32, lo, hi})
#define LGA_F64_BLOCK(nm, p, count, lo, hi) ((lga_state_block){nm, p, (size_t)(count) * sizeof(double), LGA_F64, lo, hi})
#define LGA_I32_BLOCK(nm, p, count, lo, hi) ((lga_state_block){nm, p, (size_t)(count) * sizeof(int32_t), LGA_I32, lo, hi})
#define LGA_I64_BLOCK(nm, p, count, lo, hi) ((lga_state_block){nm, p, (size_t)(count) * sizeof(int64_t), LGA_I64, lo, hi})
#define LGA_U8_BLOCK(nm, p, count, lo, hi) ((lga_state_block){nm, p, (size_t)(count), LGA_U8, lo, hi})

#define LGA_MAX_STATE_BLOCKS 32

typedef struct {
    const char *name;
    const char *summary;
    const struct lga_param *params; /* hyperparameters (lga_params.h); NULL: none */
    int cheats;             /* 1: uses ground truth from the env (the oracle) */
    int learns;             /* 0: update is a no-op */
    /* Returns NULL and a message on bad hyperparameters. */
    lga_agent *(*create)(const char *params_json, const lga_obs_batch *shape, uint64_t seed, char *err,
                         size_t errsz);
    /* actions[n * slate_size]; never a masked channel while any is unmasked. */
    void (*act)(lga_agent *a, const lga_obs_batch *obs, int greedy, int32_t *actions);
    void (*update)(lga_agent *a, const lga_transition_batch *tr);
    void (*free)(lga_agent *a);
    /* The learned state (estimates, counters, RNG position) as blocks whose
     * sizes are fixed by the hyperparameters and the env shape. A block whose
     * name starts with '=' is checked on load (it must equal the file's)
     * rather than loaded: shapes, for instance. */
    int (*state)(lga_agent *a, lga_state_block *blocks);
    /* Optional: after a load put the blocks in place, what their ranges
     * cannot say (counters against capacities, ids against each other).
     * 0, or -1 with a message naming the field; lga_load then puts the old
     * state back. NULL: the ranges say it all. */
    int (*check)(const lga_agent *a, char *err, size_t errsz);
    /* Optional, for tools that show what an agent thinks (the viewer):
     * the agent's current value of each channel for slot `slot` of b (what
     * its greedy choice maximises), returning 1; NULL when it has none. */
    int (*scores)(lga_agent *a, const lga_obs_batch *b, int slot, float *out);
    /* Optional: the current exploration probability; NULL when none. */
    float (*epsilon)(const lga_agent *a);
    /* Optional, for logged data (a behaviour policy's propensities): the
     * probability that the next behaviour act (greedy 0) recommends each
     * action to slot `slot` of b, out[n_actions], summing to 1 (over the
     * unmasked actions while any is). Slates of one only. It neither draws
     * from the agent's streams nor changes what it learned, so logging
     * leaves a run unchanged; `rng` is the caller's, for agents whose
     * probabilities are estimated by sampling. Returns 1, or 0 when it
     * cannot state them for b. NULL: the agent cannot be a logged behaviour
     * policy (deterministic, or its probabilities have no closed form). */
    int (*probs)(lga_agent *a, const lga_obs_batch *b, int slot, lg_stream *rng, double *out);
    /* How probs gets them: NULL when exact, else the estimate's method. */
    const char *probs_method;
    /* Optional: the agent's networks run their large products on `team`
     * (agents/nn/lgn.h) from now on; NULL: on the caller's thread again.
     * Results are the same bits whatever the team's size. NULL: the agent
     * has no such work. */
    void (*use_team)(lga_agent *a, struct lgn_team *team);
} lga_agent_type;

struct lga_agent {
    const lga_agent_type *type;
};

const lga_agent_type *lga_find(const char *name);
int lga_count(void);
const lga_agent_type *lga_at(int i);

/* An agent for `livegym agents`: name, summary, one line per
 * hyperparameter. And every agent as the Markdown of docs/agents.md. */
void lga_describe(const lga_agent_type *t, lg_sbuf *b);
void lga_describe_markdown(lg_sbuf *b);

/* Create by registry name; params_json may be NULL or "{}". */
lga_agent *lga_create(const char *name, const char *params_json, const lga_obs_batch *shape, uint64_t seed,
                      char *err, size_t errsz);
/* The same for a type outside the registry: a binding's agent, whose
 * callbacks are the caller's. */
lga_agent *lga_create_type(const lga_agent_type *t, const char *params_json, const lga_obs_batch *shape,
                           uint64_t seed, char *err, size_t errsz);
void lga_free(lga_agent *a);
/* The agent's use_team, when it has one (a no-op otherwise). The team
 * (lgn_team_create) is the caller's and must outlive that use; one agent
 * at a time may act or learn on it. */
void lga_use_team(lga_agent *a, struct lgn_team *team);

/* Fill an lga_obs_batch from an env's current buffers. */
void lga_batch_from_env(const lg_env *env, lga_obs_batch *b);

/* An owned copy of a batch, for learners: `lga_copy_current` snapshots the
 * observation an agent is about to act on (the env overwrites its buffers
 * when it steps); `lga_copy_next`, called right after lg_env_step, holds the
 * observation to bootstrap from: the current one, except for slots whose
 * session just ended, which get that session's final observation (SAME_STEP
 * auto-reset already put the next session's first one in the env buffers).
 * Buffers are allocated once by lga_copy_init; copying never allocates. */
typedef struct {
    lga_obs_batch batch;
    float *obs, *slot_obs, *channel_obs;
    uint8_t *mask;
    int32_t *state;
} lga_copy;
int lga_copy_init(const lg_env *env, lga_copy *cp);
void lga_copy_current(const lg_env *env, lga_copy *cp);
void lga_copy_next(const lg_env *env, lga_copy *cp);
void lga_copy_free(lga_copy *cp);

/* Helpers for agents: a uniformly random unmasked action (or 0 if none), and
 * the unmasked argmax of scores with ties broken uniformly at random. */
int32_t lga_random_valid(const uint8_t *mask, int n_actions, lg_stream *rng);
int32_t lga_argmax_valid(const float *scores, const uint8_t *mask, int n_actions, lg_stream *rng);
/* The probabilities of those two choices, out[n_actions]: with probability
 * eps a uniformly random unmasked action, else the unmasked argmax, ties
 * split evenly (what lga_random_valid and lga_argmax_valid do; action 0
 * when nothing is unmasked). */
void lga_epsilon_greedy_probs(double eps, const float *scores, const uint8_t *mask, int n_actions, double *out);
/* A draw from probabilities pi[n] over the unmasked actions by one uniform
 * u: the first unmasked action whose running sum of pi passes u, the last
 * unmasked one when u passes them all (rounding); -1 when none is
 * unmasked. And that draw's own probabilities, out[n]: the running sums
 * clamped at 1, what is left of 1 to the last unmasked action (returns 0,
 * out untouched, when none is unmasked). */
int32_t lga_draw(const double *pi, const uint8_t *mask, int n, double u);
int lga_draw_probs(const double *pi, const uint8_t *mask, int n, double *out);
/* Fill a slate of k distinct channels from scores, best first (masked channels last). */
void lga_top_k(const float *scores, const uint8_t *mask, int n_actions, int k, lg_stream *rng, int32_t *out);

/* Save the agent's learned state to path atomically (temporary file, then
 * rename), or load it back into an agent created with the same name,
 * hyperparameters and env shape. The file holds a magic number, a format
 * version, the agent name, each block's name and size, and an FNV-1a
 * checksum. The checksum catches accidents; then every value is checked
 * against its block's range and the agent's own `check`: any file either
 * loads into a state the agent can run, or is refused with one line (file,
 * block, element, expected, found) and the agent untouched. */
int lga_save(lga_agent *a, const char *path, char *err, size_t errsz);
int lga_load(lga_agent *a, const char *path, char *err, size_t errsz);
/* The same in memory: the file's bytes (malloc'd into *out), and a load
 * from bytes already read (`name` names them in messages). */
int lga_save_bytes(lga_agent *a, char **out, size_t *len, char *err, size_t errsz);
int lga_load_bytes(lga_agent *a, const void *bytes, size_t n, const char *name, char *err, size_t errsz);

/* Epsilon that decays linearly from `start` to `end` over `steps` act calls
 * per slot (steps 0: constant start). */
typedef struct {
    float start, end;
    long steps;
} lga_schedule;
static inline float lga_schedule_at(const lga_schedule *s, long t)
{
    if (s->steps <= 0 || t >= s->steps) return s->steps <= 0 ? s->start : s->end;
    return s->start + (s->end - s->start) * (float)t / (float)s->steps;
}

#pragma GCC visibility pop

#endif
