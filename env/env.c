/* The Gym-style API over any world (live, bandit, cliff: lg_world_ops):
 * create, reset, step with SAME_STEP auto-reset, queries, and the state
 * file. All memory is one block carved at create time; step and reset never
 * allocate. */
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE, beside POSIX */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "env_internal.h"
#include "lg_error.h"

void lg_env_carve_slots(lg_env *env, lg_carver *cv)
{
    env->slot = lg_carve(cv, sizeof(lg_slot) * (size_t)env->N);
    env->slot_seed = lg_carve(cv, sizeof(uint64_t) * (size_t)env->N);
}

void lg_env_carve_buffers(lg_env *env, lg_carver *cv)
{
    lg_buffers *b = &env->buf;
    const size_t N = (size_t)env->N, C = (size_t)env->C, A = (size_t)env->A;
    const size_t obs = (size_t)b->obs_dim, sd = (size_t)b->slot_dim, cd = (size_t)b->channel_dim;
    int flat = env->layout == LG_LAYOUT_FLAT;
    b->obs = flat ? lg_carve(cv, sizeof(float) * N * obs) : NULL;
    b->final_obs = flat ? lg_carve(cv, sizeof(float) * N * obs) : NULL;
    b->slot_obs = lg_carve(cv, sizeof(float) * N * sd);
    b->final_slot_obs = lg_carve(cv, sizeof(float) * N * sd);
    b->channel_obs = lg_carve(cv, sizeof(float) * (C * cd > 0 ? C * cd : 1));
    b->mask = lg_carve(cv, N * A);
    b->state = lg_carve(cv, sizeof(int32_t) * N);
    b->final_state = lg_carve(cv, sizeof(int32_t) * N);
    b->reward = lg_carve(cv, sizeof(float) * N);
    b->terminated = lg_carve(cv, N);
    b->truncated = lg_carve(cv, N);
    b->info = lg_carve(cv, sizeof(lg_info) * N);
}

/* Last in the block, so that a world without a candidate stage keeps the
 * state layout it always had. */
void lg_env_carve_candidates(lg_env *env, lg_carver *cv)
{
    lg_buffers *b = &env->buf;
    const size_t NA = (size_t)env->N * (size_t)env->A;
    b->candidates = b->final_candidates = NULL;
    b->final_mask = NULL;
    if (env->sc.candidates <= 0) return;
    b->candidates = lg_carve(cv, sizeof(int32_t) * NA);
    b->final_candidates = lg_carve(cv, sizeof(int32_t) * NA);
    b->final_mask = lg_carve(cv, NA);
}

void lg_env_carve_scratch(lg_env *env, lg_carver *cv) { env->block_bytes = cv->used; }

int lg_obs_add_block(lg_env *env, const char *name, int scope, int *cursor, int size, float lo, float hi)
{
    lg_obs_block *b = &env->blocks[env->n_blocks++];
    b->name = name;
    b->scope = scope;
    b->offset = *cursor;
    b->size = size;
    b->low = lo;
    b->high = hi;
    *cursor += size;
    return b->offset;
}

/* Refused before calloc: Linux promises more memory than it has, and a
 * world too large would be killed while it is drawn, not refused. */
size_t lg_machine_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (size_t)pages * (size_t)size : SIZE_MAX;
}

/* The catalogue of a live world, materialised once: channel specs, then the
 * launch flags (lg_live.launch_event). */
static size_t catalogue_bytes(const lg_env *env)
{
    return env->sc.kind == LG_KIND_LIVE ? (size_t)env->C * (sizeof(lg_channel_spec) + 1) : 0;
}

static int make_catalogue(lg_env *env, char *err, size_t errsz)
{
    const size_t C = (size_t)env->C;
    env->channels = malloc(catalogue_bytes(env));
    if (!env->channels) return lg_fail(err, errsz, "out of memory allocating the catalogue of %zu channels", C);
    for (int c = 0; c < env->C; c++) lg_scenario_channel(&env->sc, c, &env->channels[c]);
    env->live.launch_event = (uint8_t *)(env->channels + C);
    return 0;
}

static const lg_world_ops *world_of(lg_env_kind kind)
{
    return kind == LG_KIND_BANDIT ? &lg_bandit_ops : kind == LG_KIND_CLIFF ? &lg_cliff_ops : &lg_live_ops;
}

/* The shape of an env before anything is allocated: sizes, layout, and the
 * block's size (a first, measuring carve). 0, or -1 with a message. */
static int shape(lg_env *env, const lg_scenario *sc, int n_slots, lg_layout layout, char *err, size_t errsz)
{
    if (lg_scenario_check(sc, err, errsz) != 0) return -1;
    if (n_slots < 1 || n_slots > sc->n_viewers)
        return lg_fail(err, errsz, "slots: expected an integer in [1, %d] (the number of viewers), found %d",
                       sc->n_viewers, n_slots);
    if (layout != LG_LAYOUT_FLAT && layout != LG_LAYOUT_SHARED)
        return lg_fail(err, errsz, "layout: expected flat or shared, found %d", (int)layout);
    if (sc->candidates > 0 && layout == LG_LAYOUT_SHARED)
        return lg_fail(err, errsz, "layout: a world with a candidate stage (session.candidates) shows each slot its "
                                   "own channel rows; expected flat, found shared");
    env->sc = *sc;
    env->ops = world_of(sc->kind);
    env->N = n_slots;
    env->layout = layout;
    env->ops->layout(env);
    env->buf.n_slots = n_slots;
    env->buf.n_channels = env->C;
    env->buf.n_actions = env->A;
    env->buf.slate_size = env->k;
    env->buf.layout = layout;
    lg_carver cv = {NULL, 0};
    env->ops->carve(env, &cv);
    if (!env->block_bytes) env->block_bytes = cv.used; /* no scratch (lg_env_carve_scratch) */
    env->alloc_bytes = cv.used;
    return 0;
}

/* The block, zeroed, on a cache line (the carve's 64-byte pieces are then
 * whole lines: a schedule record is one) and, when large, on a 2 MB
 * boundary with 2 MB pages asked for: a large world's step reads its
 * viewers' and channels' rows at random over hundreds of megabytes, and
 * with 4 KB pages most of those reads also miss the TLB (about 6% of a
 * platform-scale step on the project machine, docs/benchmarks.md). A large
 * calloc is usually a fresh mapping, zero until first touched, so the
 * slack costs address space and the hint comes before any page exists
 * (glibc may serve one under 32 MB from its heap after a larger free: then
 * the pages are small). Only a hint: ordinary pages where refused. */
static size_t block_align(size_t bytes) { return bytes >= ((size_t)8 << 20) ? (size_t)2 << 20 : 64; }

static int alloc_block(lg_env *env)
{
    const size_t align = block_align(env->alloc_bytes);
    env->block_alloc = calloc(1, env->alloc_bytes + align);
    if (!env->block_alloc) return -1;
    env->block = (void *)(((uintptr_t)env->block_alloc + align - 1) & ~(uintptr_t)(align - 1));
#ifdef MADV_HUGEPAGE
    const size_t whole = env->alloc_bytes & ~(((size_t)2 << 20) - 1);
    if (align > 64 && whole) (void)madvise(env->block, whole, MADV_HUGEPAGE);
#endif
    return 0;
}

size_t lg_env_bytes(const lg_scenario *sc, int n_slots, lg_layout layout)
{
    lg_env *env = calloc(1, sizeof *env);
    size_t bytes = env && shape(env, sc, n_slots, layout, NULL, 0) == 0
                       ? env->alloc_bytes + block_align(env->alloc_bytes) + catalogue_bytes(env)
                       : 0;
    free(env);
    return bytes;
}

int lg_env_create(const lg_scenario *sc, int n_slots, uint64_t seed, lg_layout layout, lg_env **out, char *err,
                  size_t errsz)
{
    *out = NULL;
    lg_env *env = calloc(1, sizeof *env);
    if (!env) return lg_fail(err, errsz, "out of memory allocating the env");
    if (shape(env, sc, n_slots, layout, err, errsz)) {
        free(env);
        return -1;
    }
    size_t need = env->alloc_bytes + block_align(env->alloc_bytes) + catalogue_bytes(env);
    if (need > lg_machine_bytes()) {
        lg_fail(err, errsz,
                "the world needs %.1f GB for %d slots, %d channels and %d viewers; this machine has %.1f GB",
                (double)need / 1e9, n_slots, env->C, sc->n_viewers, (double)lg_machine_bytes() / 1e9);
        free(env);
        return -1;
    }
    if (alloc_block(env)) {
        lg_fail(err, errsz, "out of memory allocating %zu bytes for %d slots", env->alloc_bytes, n_slots);
        free(env);
        return -1;
    }
    if (sc->kind == LG_KIND_LIVE && make_catalogue(env, err, errsz)) {
        free(env->block_alloc);
        free(env);
        return -1;
    }
    lg_carver cv = {env->block, 0};
    env->ops->carve(env, &cv);
    if (env->ops->init) env->ops->init(env);
    lg_env_reset(env, seed);
    *out = env;
    return 0;
}

void lg_env_free(lg_env *env)
{
    if (!env) return;
    free(env->channels);
    free(env->block_alloc);
    free(env);
}

/* The channel part of a flat observation: the whole table, or the rows of
 * the candidates (zeros for an empty one). */
static void write_rows(const lg_env *env, const int32_t *cand, int shared, float *dst)
{
    const lg_buffers *b = &env->buf;
    if (!cand) {
        memcpy(dst, b->channel_obs, sizeof(float) * (size_t)(b->obs_dim - b->slot_dim));
        return;
    }
    env->ops->candidate_rows((lg_env *)env, cand, shared, dst); /* writes env only for shared >= 0, never const here */
}

/* Slot i's observation into the given buffers: candidates and mask first
 * (with a candidate stage), then the slot part, the state, the flat copy. */
static void write_obs_into(lg_env *env, int i, int32_t *cand, uint8_t *mask, float *part, int32_t *state,
                           float *flat)
{
    const int shared = cand ? env->ops->retrieve(env, i, cand, mask) : -1;
    env->ops->write_obs(env, i, cand, part);
    *state = env->ops->state(env, i);
    if (flat) {
        memcpy(flat, part, sizeof(float) * (size_t)env->buf.slot_dim);
        write_rows(env, cand, shared, flat + env->buf.slot_dim);
    }
}

/* Write slot i's observation (slot part, state, flat copy) for the current world. */
static void write_slot_obs(lg_env *env, int i)
{
    lg_buffers *b = &env->buf;
    const size_t iA = (size_t)i * (size_t)env->A;
    write_obs_into(env, i, b->candidates ? &b->candidates[iA] : NULL, &b->mask[iA],
                   &b->slot_obs[(size_t)i * b->slot_dim], &b->state[i],
                   b->obs ? &b->obs[(size_t)i * b->obs_dim] : NULL);
}

void lg_env_reset(lg_env *env, uint64_t seed)
{
    env->seed = seed;
    env->ops->reset(env);
    for (int i = 0; i < env->N; i++) {
        env->slot_seed[i] = seed;
        env->slot[i].session_index = 0;
        env->ops->start(env, i);
        write_slot_obs(env, i);
    }
    memset(env->buf.reward, 0, sizeof(float) * (size_t)env->N);
    memset(env->buf.terminated, 0, (size_t)env->N);
    memset(env->buf.truncated, 0, (size_t)env->N);
    memset(env->buf.info, 0, sizeof(lg_info) * (size_t)env->N);
    env->warnings = 0;
}

void lg_env_reset_slot(lg_env *env, int slot, const uint64_t *seed)
{
    if (slot < 0 || slot >= env->N) return;
    if (seed) {
        env->slot_seed[slot] = *seed;
        env->slot[slot].session_index = 0;
    }
    env->ops->restart(env, slot);
    write_slot_obs(env, slot);
}

void lg_env_reset_visits(lg_env *env, uint64_t seed)
{
    if (env->sc.kind != LG_KIND_LIVE || !env->sc.retention.enabled) return;
    lg_live_reset_visits(env, seed);
    for (int i = 0; i < env->N; i++) write_slot_obs(env, i);
}

void lg_env_step(lg_env *env, const int32_t *actions)
{
    lg_buffers *b = &env->buf;
    env->ops->step(env, actions);
    for (int i = 0; i < env->N; i++) {
        if (b->terminated[i] || b->truncated[i]) {
            const size_t iA = (size_t)i * (size_t)env->A;
            write_obs_into(env, i, b->final_candidates ? &b->final_candidates[iA] : NULL,
                           b->final_mask ? &b->final_mask[iA] : NULL, &b->final_slot_obs[(size_t)i * b->slot_dim],
                           &b->final_state[i], b->final_obs ? &b->final_obs[(size_t)i * b->obs_dim] : NULL);
            env->ops->restart(env, i);
        }
        write_slot_obs(env, i);
    }
}

const lg_buffers *lg_env_buffers(const lg_env *env) { return &env->buf; }
const lg_scenario *lg_env_scenario(const lg_env *env) { return &env->sc; }

int lg_env_obs_layout(const lg_env *env, const lg_obs_block **blocks)
{
    *blocks = env->blocks;
    return env->n_blocks;
}

void lg_env_obs_flat(const lg_env *env, int slot, float *dst)
{
    const lg_buffers *b = &env->buf;
    memcpy(dst, &b->slot_obs[(size_t)slot * b->slot_dim], sizeof(float) * (size_t)b->slot_dim);
    write_rows(env, b->candidates ? &b->candidates[(size_t)slot * (size_t)env->A] : NULL, -1, dst + b->slot_dim);
}

void lg_env_expected_reward(const lg_env *env, int slot, float *out) { env->ops->expected_reward(env, slot, out); }

double lg_env_expected_reward_slate(const lg_env *env, int slot, const int32_t *actions)
{
    return env->sc.kind == LG_KIND_LIVE ? lg_live_expected_reward_slate(env, slot, actions) : NAN;
}

void lg_env_slate_choice_probs(const lg_env *env, int slot, const int32_t *actions, double *out)
{
    if (env->sc.kind == LG_KIND_LIVE) {
        lg_live_slate_choice_probs(env, slot, actions, out);
        return;
    }
    for (int j = 0; j <= env->sc.slate_size; j++) out[j] = NAN;
}

void lg_env_item_truth(const lg_env *env, int slot, double *weight, double *reward)
{
    const int A = lg_env_buffers(env)->n_actions;
    if (env->sc.kind == LG_KIND_LIVE) {
        lg_live_item_truth(env, slot, weight, reward);
        return;
    }
    for (int a = 0; a < A; a++) weight[a] = reward[a] = NAN;
}

void lg_env_expected_reward_channels(const lg_env *env, int slot, float *out)
{
    if (env->ops->expected_reward_channels) env->ops->expected_reward_channels(env, slot, out);
    else env->ops->expected_reward(env, slot, out);
}

/* State file: magic, the block's size, the scalars that change (the world's
 * two marks among them), then the whole block (static parts included: they
 * are identical for the same scenario and slots, and copying them is simpler
 * than listing the dynamic arrays). */
#define LG_ENV_STATE_MAGIC 0x4C47454E56535436ULL /* "LGENVST6": the start and end of the window holding each channel */
#define LG_ENV_STATE_MAGIC_V5 0x4C47454E56535435ULL /* "LGENVST5": each channel's popularity step (world dynamics 2) */
#define LG_ENV_STATE_MAGIC_V4 0x4C47454E56535434ULL /* "LGENVST4": lg_info.r_return and idle (retention) */
#define LG_ENV_STATE_MAGIC_V3 0x4C47454E56535433ULL /* "LGENVST3": lg_info.position (2026-12-02) */
#define LG_ENV_STATE_MAGIC_V2 0x4C47454E56535432ULL /* "LGENVST2": follows lists, no padding */
#define LG_ENV_STATE_MAGIC_V1 0x4C47454E56535431ULL /* "LGENVST1" */

typedef struct {
    uint64_t magic;
    uint64_t block_bytes;
    uint64_t seed;
    double clock;
    int64_t steps;
    int64_t marks[2];
    uint64_t warnings;
} env_state_header;

size_t lg_env_state_size(const lg_env *env) { return sizeof(env_state_header) + env->block_bytes; }

size_t lg_env_state_save(const lg_env *env, void *buf, size_t cap)
{
    size_t need = lg_env_state_size(env);
    if (cap < need) return 0;
    env_state_header h = {LG_ENV_STATE_MAGIC, env->block_bytes, env->seed, env->clock, env->steps, {0, 0},
                          env->warnings};
    if (env->ops->save_marks) env->ops->save_marks(env, h.marks);
    memcpy(buf, &h, sizeof h);
    memcpy((char *)buf + sizeof h, env->block, env->block_bytes);
    return need;
}

/* The env's own part of a loaded state: the clock, the slots' last step
 * (read by callers before they step again). */
static int check_common(const lg_env *env, char *err, size_t errsz)
{
    const lg_buffers *b = &env->buf;
    if (!(fabs(env->clock) <= 1e10) || env->steps < 0 || env->steps > ((int64_t)1 << 53))
        return lg_fail(err, errsz,
                       "env state: clock and steps: expected a clock within 1e10 minutes and steps in [0, 2^53], "
                       "found %g and %lld",
                       env->clock, (long long)env->steps);
    for (int i = 0; i < env->N; i++) {
        const lg_info *in = &b->info[i];
        if (!(fabsf(b->reward[i]) <= 1e30f) || b->terminated[i] > 1 || b->truncated[i] > 1)
            return lg_fail(err, errsz, "env state: reward[%d], terminated, truncated: expected a finite reward and "
                                       "flags 0 or 1, found %g, %d, %d",
                           i, (double)b->reward[i], b->terminated[i], b->truncated[i]);
        if (in->watched < -1 || in->watched >= env->C || in->session_step < 0 || in->idle > 1 ||
            !(fabsf(in->watch_minutes) + fabsf(in->budget_left) + fabsf(in->r_watch) + fabsf(in->r_gift) +
                  fabsf(in->r_follow) + fabsf(in->r_invalid) + fabsf(in->r_return) <= 1e30f))
            return lg_fail(err, errsz, "env state: info[%d]: expected watched in [-1, %d), session_step >= 0, idle 0 "
                                       "or 1 and finite figures, found watched %d, session_step %d, idle %d",
                           i, env->C, in->watched, in->session_step, in->idle);
    }
    return 0;
}

int lg_env_state_load(lg_env *env, const void *buf, size_t len, char *err, size_t errsz)
{
    env_state_header h;
    if (len < sizeof h) return lg_fail(err, errsz, "env state: expected at least %zu bytes, found %zu", sizeof h, len);
    memcpy(&h, buf, sizeof h);
    if (h.magic == LG_ENV_STATE_MAGIC_V5)
        return lg_fail(err, errsz, "env state: a version 5 state (LGENVST5), which kept each channel's minutes left "
                                   "rather than its window; this build reads version 6: run again from the start");
    if (h.magic == LG_ENV_STATE_MAGIC_V1 || h.magic == LG_ENV_STATE_MAGIC_V2 || h.magic == LG_ENV_STATE_MAGIC_V3 ||
        h.magic == LG_ENV_STATE_MAGIC_V4) {
        int v = h.magic == LG_ENV_STATE_MAGIC_V1 ? 1 : h.magic == LG_ENV_STATE_MAGIC_V2 ? 2 : h.magic == LG_ENV_STATE_MAGIC_V3 ? 3 : 4;
        return lg_fail(err, errsz, "env state: a version %d state (LGENVST%d), from before world dynamics 2 (channels "
                                   "off air are not stepped); this build reads version 6: run again from the start",
                       v, v);
    }
    if (h.magic != LG_ENV_STATE_MAGIC) return lg_fail(err, errsz, "env state: bad magic number");
    if (h.block_bytes != env->block_bytes || len != sizeof h + env->block_bytes)
        return lg_fail(err, errsz,
                       "env state: expected %zu bytes of state (same scenario and slots), found %zu (header says %llu)",
                       sizeof h + env->block_bytes, len, (unsigned long long)h.block_bytes);
    void *before = malloc(env->block_bytes);
    if (!before) return lg_fail(err, errsz, "env state: out of memory");
    memcpy(before, env->block, env->block_bytes);
    env_state_header old = {LG_ENV_STATE_MAGIC, env->block_bytes, env->seed, env->clock, env->steps, {0, 0},
                            env->warnings};
    if (env->ops->save_marks) env->ops->save_marks(env, old.marks);
    memcpy(env->block, (const char *)buf + sizeof h, env->block_bytes);
    env->seed = h.seed, env->clock = h.clock, env->steps = h.steps, env->warnings = h.warnings;
    if ((env->ops->load_marks && env->ops->load_marks(env, h.marks, err, errsz)) || check_common(env, err, errsz) ||
        (env->ops->check && env->ops->check(env, before, err, errsz))) {
        memcpy(env->block, before, env->block_bytes);
        env->seed = old.seed, env->clock = old.clock, env->steps = old.steps, env->warnings = old.warnings;
        if (env->ops->load_marks) env->ops->load_marks(env, old.marks, NULL, 0);
        free(before);
        return -1;
    }
    free(before);
    if (env->ops->forget) env->ops->forget(env);
    if (env->ops->refresh) env->ops->refresh(env);
    for (int i = 0; i < env->N; i++) write_slot_obs(env, i);
    return 0;
}

int lg_env_copy_state(lg_env *dst, const lg_env *src, char *err, size_t errsz)
{
    if (dst->ops != src->ops || dst->block_bytes != src->block_bytes || dst->N != src->N ||
        dst->layout != src->layout)
        return lg_fail(err, errsz, "env copy: expected an env of the same scenario, slots and layout");
    int64_t marks[2] = {0, 0};
    if (src->ops->save_marks) src->ops->save_marks(src, marks);
    if (dst->ops->load_marks && dst->ops->load_marks(dst, marks, err, errsz)) return -1;
    memcpy(dst->block, src->block, src->block_bytes);
    dst->seed = src->seed;
    dst->clock = src->clock;
    dst->steps = src->steps;
    dst->warnings = src->warnings;
    if (dst->ops->forget) dst->ops->forget(dst);
    return 0;
}

int lg_env_idle(const lg_env *env, int slot)
{
    return env->sc.kind == LG_KIND_LIVE && slot >= 0 && slot < env->N && env->slot[slot].viewer < 0;
}

double lg_env_clock(const lg_env *env) { return env->clock; }
int64_t lg_env_steps(const lg_env *env) { return env->steps; }
uint64_t lg_env_warnings(const lg_env *env) { return env->warnings; }

void lg_env_channel(const lg_env *env, int c, lg_channel_state *out)
{
    memset(out, 0, sizeof *out);
    if (env->ops->channel && c >= 0 && c < env->C) env->ops->channel(env, c, out);
}

const char *lg_version(void) { return LG_VERSION; }

int lg_env_check_session_steps(const lg_env *env, int max, const char *bound, char *err, size_t errsz)
{
    for (int i = 0; i < env->N; i++)
        if (env->slot[i].session_step < 0 || env->slot[i].session_step > max) {
            snprintf(err, errsz, "env state: slot.session_step[%d]: expected 0 to %s, found %d", i, bound,
                     env->slot[i].session_step);
            return -1;
        }
    return 0;
}
