/* What the classic reference envs (bandit.c, cliff.c) share: no platform,
 * one action per step, every action always valid, time in steps. */
#ifndef LG_CLASSIC_H
#define LG_CLASSIC_H

#include "../env_internal.h"

/* Slots, buffers, then the classic arrays (q_star: bandit, pos: cliff). */
void lg_classic_carve(lg_env *env, lg_carver *cv);
/* Clock and steps at 0, every action unmasked. */
void lg_classic_reset(lg_env *env);
/* One step of the world's clock (after every slot stepped). */
void lg_classic_tick(lg_env *env);
/* The observation buffers for a slot part of slot_dim values and no channel table. */
void lg_classic_dims(lg_env *env, int slot_dim);
/* After a state load: the mask again (every action valid). */
void lg_classic_refresh(lg_env *env);

#endif
