#include "classic.h"

#include <string.h>

void lg_classic_carve(lg_env *env, lg_carver *cv)
{
    const size_t N = (size_t)env->N, C = (size_t)env->C;
    lg_env_carve_slots(env, cv);
    lg_env_carve_buffers(env, cv);
    env->classic.q_star = lg_carve(cv, sizeof(float) * N * C);
    env->classic.pos = lg_carve(cv, sizeof(int32_t) * N);
}

void lg_classic_reset(lg_env *env)
{
    env->clock = 0.0;
    env->steps = 0;
    memset(env->buf.mask, 1, (size_t)env->N * (size_t)env->C);
}

void lg_classic_refresh(lg_env *env) { memset(env->buf.mask, 1, (size_t)env->N * (size_t)env->C); }

void lg_classic_tick(lg_env *env)
{
    env->clock += 1.0;
    env->steps++;
}

void lg_classic_dims(lg_env *env, int slot_dim)
{
    env->k = 1;
    env->A = env->C;
    env->buf.slot_dim = slot_dim;
    env->buf.channel_dim = 0;
    env->buf.obs_dim = slot_dim;
}
