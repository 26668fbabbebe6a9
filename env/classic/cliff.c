/* Cliff Walking, Sutton & Barto (2nd ed.) example 6.6: a 4 x 12 grid (by
 * default), start at the bottom-left, goal at the bottom-right, the cliff
 * between them. Actions 0..3 = up, right, down, left; a move off the grid
 * leaves the agent in place. Every move costs -1; a move into the cliff
 * costs -100 and sends the agent back to the start (the episode goes on).
 * Reaching the goal terminates the episode. Deterministic. The observation
 * is the state id (tabular mode) or a one-hot of the position. */
#include <stdio.h>
#include <string.h>

#include "classic.h"

enum { UP, RIGHT, DOWN, LEFT };

static int start_cell(const lg_env *env) { return (env->sc.cliff.rows - 1) * env->sc.cliff.cols; }
static int goal_cell(const lg_env *env) { return env->sc.cliff.rows * env->sc.cliff.cols - 1; }

static void layout(lg_env *env)
{
    int slot = 0, cells = env->sc.cliff.rows * env->sc.cliff.cols;
    env->C = 4;
    env->buf.n_states = cells;
    if (env->sc.obs_mode == LG_OBS_TABULAR)
        lg_obs_add_block(env, "state", 0, &slot, 1, 0.0f, (float)(cells - 1));
    else
        lg_obs_add_block(env, "position", 0, &slot, cells, 0.0f, 1.0f);
    lg_classic_dims(env, slot);
}

static void start(lg_env *env, int slot)
{
    env->classic.pos[slot] = start_cell(env);
    env->slot[slot].session_step = 0;
    env->slot[slot].session_index++;
}

/* Where action a leads from cell s, and the reward of the move. */
static int move(const lg_env *env, int s, int a, float *reward)
{
    const lg_cliff_params *p = &env->sc.cliff;
    int r = s / p->cols, c = s % p->cols;
    if (a == UP && r > 0) r--;
    if (a == DOWN && r < p->rows - 1) r++;
    if (a == LEFT && c > 0) c--;
    if (a == RIGHT && c < p->cols - 1) c++;
    int next = r * p->cols + c;
    if (r == p->rows - 1 && c > 0 && c < p->cols - 1) {
        *reward = p->cliff_reward;
        return start_cell(env);
    }
    *reward = p->step_reward;
    return next;
}

static void step_slot(lg_env *env, int slot, const int32_t *items)
{
    lg_slot *sl = &env->slot[slot];
    int a = items[0];
    int valid = a >= 0 && a < 4;
    float r = 0.0f;
    if (valid) env->classic.pos[slot] = move(env, env->classic.pos[slot], a, &r);
    sl->session_step++;
    env->buf.info[slot] = (lg_info){.watched = valid ? a : -1, .viewer = slot, .session_step = sl->session_step,
                                    .chose = (uint8_t)valid, .invalid = (uint8_t)!valid, .r_watch = r,
                                    .r_invalid = valid ? 0.0f : env->sc.invalid_penalty};
    env->buf.reward[slot] = r - env->buf.info[slot].r_invalid;
    uint8_t term = env->classic.pos[slot] == goal_cell(env);
    env->buf.terminated[slot] = term;
    env->buf.truncated[slot] = (uint8_t)(!term && sl->session_step >= env->sc.cliff.max_steps);
}

static void step(lg_env *env, const int32_t *actions)
{
    for (int i = 0; i < env->N; i++) step_slot(env, i, &actions[i]);
    lg_classic_tick(env);
}

static void write_obs(lg_env *env, int slot, const int32_t *cand, float *dst)
{
    (void)cand;
    if (env->sc.obs_mode == LG_OBS_TABULAR) {
        dst[0] = (float)env->classic.pos[slot];
        return;
    }
    memset(dst, 0, sizeof(float) * (size_t)env->buf.slot_dim);
    dst[env->classic.pos[slot]] = 1.0f;
}

static int state(const lg_env *env, int slot) { return env->classic.pos[slot]; }

static void expected_reward(const lg_env *env, int slot, float *out)
{
    for (int a = 0; a < 4; a++) move(env, env->classic.pos[slot], a, &out[a]);
}

/* A loaded state's positions: cells of the grid. */
static int check(const lg_env *env, const void *before, char *err, size_t errsz)
{
    (void)before;
    if (lg_env_check_session_steps(env, env->sc.cliff.max_steps, "cliff.max_steps", err, errsz)) return -1;
    for (int i = 0; i < env->N; i++)
        if (env->classic.pos[i] < 0 || env->classic.pos[i] > goal_cell(env)) {
            snprintf(err, errsz, "env state: position[%d]: expected a cell in [0, %d], found %d", i, goal_cell(env),
                     (int)env->classic.pos[i]);
            return -1;
        }
    return 0;
}

const lg_world_ops lg_cliff_ops = {
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
