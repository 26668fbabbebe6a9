/* The Gym-style API: create, reset, step, queries. All memory is one block
 * carved at create time; step and reset never allocate. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env_internal.h"

/* Carving: run once with base == NULL to measure, then for real. */
typedef struct {
    char *base;
    size_t used;
} carver;

static void *carve(carver *cv, size_t bytes)
{
    size_t n = (bytes + 63) & ~(size_t)63;
    void *p = cv->base ? cv->base + cv->used : NULL;
    cv->used += n;
    return p;
}

static void carve_all(lg_env *env, carver *cv)
{
    const size_t N = (size_t)env->N, C = (size_t)env->C, K = (size_t)env->K, D = (size_t)env->D;
    const size_t U = (size_t)env->U, M = (size_t)env->M;
    env->centroid = carve(cv, sizeof(float) * K * D);
    env->v = carve(cv, sizeof(float) * C * D);
    env->embedding = carve(cv, sizeof(float) * C * LG_N_MODALITIES * M);
    env->u_init = carve(cv, sizeof(float) * U * D);
    env->seg_of = carve(cv, sizeof(int32_t) * U);
    env->seg_members = carve(cv, sizeof(int32_t) * U);
    env->x = carve(cv, sizeof(float) * C);
    env->cat_offset = carve(cv, sizeof(float) * K);
    env->bots = carve(cv, sizeof(float) * C);
    env->forced_off_until = carve(cv, sizeof(float) * C);
    env->launched = carve(cv, C);
    env->on_air = carve(cv, C);
    env->minutes_left = carve(cv, sizeof(float) * C);
    env->since_start = carve(cv, sizeof(float) * C);
    env->background = carve(cv, sizeof(float) * C);
    env->concurrency = carve(cv, sizeof(float) * C);
    env->log1p_conc = carve(cv, sizeof(float) * C);
    env->watchers = carve(cv, sizeof(int32_t) * C);
    env->u = carve(cv, sizeof(float) * U * D);
    env->fatigue = carve(cv, sizeof(float) * U * K);
    env->fatigue_time = carve(cv, sizeof(float) * U);
    env->follows = carve(cv, sizeof(uint64_t) * U * (size_t)env->W);
    env->busy = carve(cv, U);
    env->slot = carve(cv, sizeof(lg_slot) * N);
    env->slot_seed = carve(cv, sizeof(uint64_t) * N);
    env->history = carve(cv, sizeof(float) * N * K);

    lg_buffers *b = &env->buf;
    const size_t obs = (size_t)b->obs_dim, sd = (size_t)b->slot_dim, cd = (size_t)b->channel_dim;
    int flat = env->layout == LG_LAYOUT_FLAT;
    b->obs = flat ? carve(cv, sizeof(float) * N * obs) : NULL;
    b->final_obs = flat ? carve(cv, sizeof(float) * N * obs) : NULL;
    b->slot_obs = carve(cv, sizeof(float) * N * sd);
    b->final_slot_obs = carve(cv, sizeof(float) * N * sd);
    b->channel_obs = carve(cv, sizeof(float) * (C * cd > 0 ? C * cd : 1));
    b->mask = carve(cv, N * C);
    b->state = carve(cv, sizeof(int32_t) * N);
    b->final_state = carve(cv, sizeof(int32_t) * N);
    b->reward = carve(cv, sizeof(float) * N);
    b->terminated = carve(cv, N);
    b->truncated = carve(cv, N);
    b->info = carve(cv, sizeof(lg_info) * N);
    env->q_star = carve(cv, sizeof(float) * N * C);
    env->pos = carve(cv, sizeof(int32_t) * N);
}

static int fail(char *err, size_t errsz, const char *fmt, ...)
{
    if (err && errsz) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsz, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int lg_env_create(const lg_scenario *sc, int n_slots, uint64_t seed, lg_layout layout, lg_env **out, char *err,
                  size_t errsz)
{
    *out = NULL;
    if (lg_scenario_check(sc, err, errsz) != 0) return -1;
    if (n_slots < 1 || n_slots > sc->n_viewers)
        return fail(err, errsz, "slots: expected an integer in [1, %d] (the number of viewers), found %d",
                    sc->n_viewers, n_slots);
    if (layout != LG_LAYOUT_FLAT && layout != LG_LAYOUT_SHARED)
        return fail(err, errsz, "layout: expected flat or shared, found %d", (int)layout);
    lg_env *env = calloc(1, sizeof *env);
    if (!env) return fail(err, errsz, "out of memory allocating the env");
    env->sc = *sc;
    env->N = n_slots;
    env->layout = layout;
    if (sc->kind == LG_KIND_LIVE) {
        env->C = sc->n_channels;
        env->K = sc->n_categories;
        env->D = sc->latent_dim;
        env->M = sc->embedding_dim;
        env->S = sc->n_segments;
        env->U = sc->n_viewers;
        env->k = sc->slate_size;
        env->W = (env->C + 63) / 64;
        lg_obs_layout_init(env);
    } else {
        /* A classic env: no platform, one action per step, all actions always valid. */
        env->classic = sc->kind == LG_KIND_BANDIT ? &lg_bandit_ops : &lg_cliff_ops;
        env->C = sc->kind == LG_KIND_BANDIT ? sc->bandit.arms : 4;
        env->k = 1;
        env->classic->layout(env);
    }
    env->buf.n_slots = n_slots;
    env->buf.n_actions = env->C;
    env->buf.slate_size = env->k;
    env->buf.layout = layout;

    carver cv = {NULL, 0};
    carve_all(env, &cv);
    char *block = calloc(1, cv.used);
    if (!block) {
        free(env);
        return fail(err, errsz, "out of memory allocating %zu bytes for %d slots", cv.used, n_slots);
    }
    env->block_bytes = cv.used;
    cv.base = block;
    cv.used = 0;
    carve_all(env, &cv);

    float theta = sc->popularity_reversion;
    env->ou_a = expf(-theta * sc->dt);
    env->ou_s = theta > 0.0f ? sc->popularity_volatility * sqrtf((1.0f - env->ou_a * env->ou_a) / (2.0f * theta))
                             : sc->popularity_volatility * sqrtf(sc->dt);
    env->fatigue_decay_step = exp2f(-sc->dt / sc->fatigue_half_life);
    float peak = sc->audience_peak > (float)n_slots ? sc->audience_peak : (float)n_slots;
    env->conc_norm = 1.0f / log1pf(peak);

    if (!env->classic) {
        lg_world_build_actions(env);
        lg_world_init_static(env);
        lg_viewers_init_static(env);
    }
    lg_env_reset(env, seed);
    *out = env;
    return 0;
}

void lg_env_free(lg_env *env)
{
    if (!env) return;
    free(env->centroid); /* the first carved pointer is the block */
    free(env);
}

static void slot_part(const lg_env *env, int i, float *dst)
{
    if (env->classic)
        env->classic->write_obs(env, i, dst);
    else
        lg_obs_write_slot(env, i, dst);
}

static int slot_state(const lg_env *env, int i)
{
    return env->classic ? env->classic->state(env, i) : lg_obs_state(env, i);
}

/* Begin slot i's next session or episode. A live slot draws its next viewer
 * before the old one is free, so a slot never hands a session straight back
 * to the viewer who just left. */
static void restart_slot(lg_env *env, int i)
{
    if (env->classic) {
        env->classic->start(env, i);
        return;
    }
    int old = env->slot[i].viewer;
    lg_session_start(env, i);
    lg_session_end(env, old);
}

/* Write slot i's observation (slot part, state, flat copy) for the current world. */
static void write_slot_obs(lg_env *env, int i)
{
    lg_buffers *b = &env->buf;
    float *part = &b->slot_obs[(size_t)i * b->slot_dim];
    slot_part(env, i, part);
    b->state[i] = slot_state(env, i);
    if (b->obs) {
        float *o = &b->obs[(size_t)i * b->obs_dim];
        memcpy(o, part, sizeof(float) * (size_t)b->slot_dim);
        memcpy(o + b->slot_dim, b->channel_obs, sizeof(float) * (size_t)(b->obs_dim - b->slot_dim));
    }
}

void lg_env_reset(lg_env *env, uint64_t seed)
{
    env->seed = seed;
    if (env->classic) {
        env->clock = 0.0;
        env->steps = 0;
        memset(env->buf.mask, 1, (size_t)env->N * (size_t)env->C);
    } else {
        env->clock = env->sc.start_minute;
        lg_viewers_reset(env);
        lg_world_reset(env);
        lg_obs_write_channels(env);
        lg_obs_write_mask(env);
    }
    for (int i = 0; i < env->N; i++) {
        env->slot_seed[i] = seed;
        env->slot[i].session_index = 0;
        if (env->classic)
            env->classic->start(env, i);
        else
            lg_session_start(env, i);
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
    restart_slot(env, slot);
    write_slot_obs(env, slot);
}

void lg_env_step(lg_env *env, const int32_t *actions)
{
    lg_buffers *b = &env->buf;
    if (env->classic) {
        for (int i = 0; i < env->N; i++) env->classic->step(env, i, &actions[(size_t)i * env->k]);
        env->clock += 1.0;
        env->steps++;
    } else {
        memset(env->watchers, 0, sizeof(int32_t) * (size_t)env->C);
        for (int i = 0; i < env->N; i++) lg_session_step(env, i, &actions[(size_t)i * env->k]);
        lg_world_advance(env);
        lg_obs_write_channels(env);
        lg_obs_write_mask(env);
    }
    for (int i = 0; i < env->N; i++) {
        if (b->terminated[i] || b->truncated[i]) {
            float *fin = &b->final_slot_obs[(size_t)i * b->slot_dim];
            slot_part(env, i, fin);
            b->final_state[i] = slot_state(env, i);
            if (b->final_obs) {
                float *o = &b->final_obs[(size_t)i * b->obs_dim];
                memcpy(o, fin, sizeof(float) * (size_t)b->slot_dim);
                memcpy(o + b->slot_dim, b->channel_obs, sizeof(float) * (size_t)(b->obs_dim - b->slot_dim));
            }
            restart_slot(env, i);
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
    memcpy(dst + b->slot_dim, b->channel_obs, sizeof(float) * (size_t)(b->obs_dim - b->slot_dim));
}

void lg_env_expected_reward(const lg_env *env, int slot, float *out)
{
    if (env->classic)
        env->classic->expected_reward(env, slot, out);
    else
        lg_live_expected_reward(env, slot, out);
}

/* State file: magic, version, the scalars that change, then the whole block
 * (static parts included: they are identical for the same scenario and
 * slots, and copying them is simpler than listing the dynamic arrays). */
#define LG_ENV_STATE_MAGIC 0x4C47454E56535431ULL /* "LGENVST1" */

typedef struct {
    uint64_t magic;
    uint64_t block_bytes;
    uint64_t seed;
    double clock;
    int64_t steps;
    int64_t next_action;
    int64_t n_on_air;
    uint64_t warnings;
} env_state_header;

size_t lg_env_state_size(const lg_env *env) { return sizeof(env_state_header) + env->block_bytes; }

size_t lg_env_state_save(const lg_env *env, void *buf, size_t cap)
{
    size_t need = lg_env_state_size(env);
    if (cap < need) return 0;
    env_state_header h = {LG_ENV_STATE_MAGIC, env->block_bytes, env->seed, env->clock, env->steps,
                          env->next_action, env->n_on_air, env->warnings};
    memcpy(buf, &h, sizeof h);
    memcpy((char *)buf + sizeof h, env->centroid, env->block_bytes);
    return need;
}

int lg_env_state_load(lg_env *env, const void *buf, size_t len, char *err, size_t errsz)
{
    env_state_header h;
    if (len < sizeof h) return fail(err, errsz, "env state: expected at least %zu bytes, found %zu", sizeof h, len);
    memcpy(&h, buf, sizeof h);
    if (h.magic != LG_ENV_STATE_MAGIC) return fail(err, errsz, "env state: bad magic number");
    if (h.block_bytes != env->block_bytes || len != sizeof h + env->block_bytes)
        return fail(err, errsz, "env state: expected %zu bytes of state (same scenario and slots), found %zu",
                    sizeof h + env->block_bytes, len);
    if (h.next_action < 0 || h.next_action > env->n_actions_sched)
        return fail(err, errsz, "env state: event position %lld out of range", (long long)h.next_action);
    memcpy(env->centroid, (const char *)buf + sizeof h, env->block_bytes);
    env->seed = h.seed;
    env->clock = h.clock;
    env->steps = h.steps;
    env->next_action = (int)h.next_action;
    env->n_on_air = (int)h.n_on_air;
    env->warnings = h.warnings;
    return 0;
}

double lg_env_clock(const lg_env *env) { return env->clock; }
int64_t lg_env_steps(const lg_env *env) { return env->steps; }
uint64_t lg_env_warnings(const lg_env *env) { return env->warnings; }

void lg_env_channel(const lg_env *env, int c, lg_channel_state *out)
{
    memset(out, 0, sizeof *out);
    if (env->classic || c < 0 || c >= env->C) return;
    out->on_air = env->on_air[c];
    out->launched = env->launched[c];
    out->concurrency = env->concurrency[c];
    out->background = env->background[c];
    out->bots = env->bots[c];
    out->watchers = env->watchers[c];
    out->log_popularity = env->x[c];
    out->popularity_mean = env->sc.channels[c].base_popularity + env->cat_offset[env->sc.channels[c].category];
    out->minutes_left = env->minutes_left[c];
    out->minutes_since_start = env->since_start[c];
}
