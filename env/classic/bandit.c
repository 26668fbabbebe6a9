/* The k-armed bandit testbed of Sutton & Barto (2nd ed., section 2.3), as an
 * env: each episode is one run with fresh true values q*(a) ~ N(mean, sd^2),
 * `steps` steps long (then truncated). The reward of step t is
 * q*(a_t) + reward_sd * z_t with z_t ~ N(0, 1) keyed by (seed, slot, run, t)
 * and shared by all arms: each arm's rewards are N(q*(a), reward_sd^2) as in
 * the book, and two agents on the same seed meet the same noise (common
 * random numbers). There is one state; the observation is a constant 0. */
#include <math.h>
#include <stdio.h>

#include "classic.h"

static void layout(lg_env *env)
{
    int slot = 0;
    env->C = env->sc.bandit.arms;
    env->buf.n_states = 1;
    lg_obs_add_block(env, "state", 0, &slot, 1, 0.0f, 0.0f);
    lg_classic_dims(env, slot);
}

static uint64_t run_key(const lg_env *env, int slot, uint64_t purpose)
{
    return lg_key(lg_key3(env->slot_seed[slot], purpose, (uint64_t)slot), env->slot[slot].session_index);
}

static void start(lg_env *env, int slot)
{
    const lg_bandit_params *p = &env->sc.bandit;
    lg_slot *sl = &env->slot[slot];
    uint64_t key = run_key(env, slot, LG_P_SESSION);
    for (int a = 0; a < env->C; a++)
        env->classic.q_star[slot * env->C + a] = p->mean + p->sd * (float)lg_normal(key, (uint64_t)a);
    sl->step_key = run_key(env, slot, LG_P_STEP);
    sl->session_step = 0;
    sl->session_index++;
}

static void step_slot(lg_env *env, int slot, const int32_t *items)
{
    const lg_bandit_params *p = &env->sc.bandit;
    lg_slot *sl = &env->slot[slot];
    lg_info *info = &env->buf.info[slot];
    float *q = &env->classic.q_star[slot * env->C];
    int a = items[0];
    int valid = a >= 0 && a < env->C;
    const uint64_t t = (uint64_t)sl->session_step;
    float r = valid ? q[a] + p->reward_sd * (float)lg_normal(sl->step_key, t * (uint64_t)(env->C + 1)) : 0.0f;
    if (p->walk_sd > 0.0f)
        for (int b = 0; b < env->C; b++)
            q[b] += p->walk_sd * (float)lg_normal(sl->step_key, t * (uint64_t)(env->C + 1) + 1 + (uint64_t)b);
    sl->session_step++;
    *info = (lg_info){.watched = valid ? a : -1, .viewer = slot, .segment = 0, .session_step = sl->session_step,
                      .chose = (uint8_t)valid, .invalid = (uint8_t)!valid, .r_watch = r,
                      .r_invalid = valid ? 0.0f : env->sc.invalid_penalty};
    env->buf.reward[slot] = r - info->r_invalid;
    env->buf.terminated[slot] = 0;
    env->buf.truncated[slot] = (uint8_t)(sl->session_step >= p->steps);
}

static void step(lg_env *env, const int32_t *actions)
{
    for (int i = 0; i < env->N; i++) step_slot(env, i, &actions[i]);
    lg_classic_tick(env);
}

static void write_obs(lg_env *env, int slot, const int32_t *cand, float *dst)
{
    (void)env, (void)slot, (void)cand;
    dst[0] = 0.0f;
}

static int state(const lg_env *env, int slot)
{
    (void)env, (void)slot;
    return 0;
}

static void expected_reward(const lg_env *env, int slot, float *out)
{
    for (int a = 0; a < env->C; a++) out[a] = env->classic.q_star[slot * env->C + a];
}

/* A loaded state's true values: finite, not too large to add noise to. */
static int check(const lg_env *env, const void *before, char *err, size_t errsz)
{
    (void)before;
    if (lg_env_check_session_steps(env, env->sc.bandit.steps, "bandit.steps", err, errsz)) return -1;
    for (size_t i = 0; i < (size_t)env->N * (size_t)env->C; i++)
        if (!(fabsf(env->classic.q_star[i]) <= 1e30f)) {
            snprintf(err, errsz, "env state: q_star[%zu]: expected a finite number, found %g", i,
                     (double)env->classic.q_star[i]);
            return -1;
        }
    return 0;
}

const lg_world_ops lg_bandit_ops = {
    .layout = layout,
    .carve = lg_classic_carve,
    .reset = lg_classic_reset,
    .start = start,
    .restart = start,
    .step = step,
    .write_obs = write_obs,
    .state = state,
    .expected_reward = expected_reward,
    .check = check,
    .refresh = lg_classic_refresh,
};
