/* Observation batches: a view of an env's buffers for agents, and owned
 * copies for learners (lga_agent.h). */
#include <stdlib.h>
#include <string.h>

#include "lga_agent.h"

void lga_batch_from_env(const lg_env *env, lga_obs_batch *b)
{
    const lg_buffers *buf = lg_env_buffers(env);
    memset(b, 0, sizeof *b);
    b->n = buf->n_slots;
    b->obs_dim = buf->obs_dim;
    b->slot_dim = buf->slot_dim;
    b->channel_dim = buf->channel_dim;
    b->n_actions = buf->n_actions;
    b->slate_size = buf->slate_size;
    b->n_states = buf->n_states;
    b->obs = buf->obs;
    b->slot_obs = buf->slot_obs;
    b->channel_obs = buf->channel_obs;
    b->mask = buf->mask;
    b->state = buf->state;
    b->n_blocks = lg_env_obs_layout(env, &b->blocks);
    b->env = env;
    b->own_tables = buf->candidates != NULL;
}

int lga_copy_init(const lg_env *env, lga_copy *cp)
{
    const lg_buffers *b = lg_env_buffers(env);
    size_t N = (size_t)b->n_slots;
    memset(cp, 0, sizeof *cp);
    cp->state = malloc(sizeof(int32_t) * N);
    cp->mask = malloc(N * (size_t)b->n_actions);
    cp->slot_obs = malloc(sizeof(float) * (N * (size_t)b->slot_dim + 1));
    cp->channel_obs = malloc(sizeof(float) * ((size_t)b->n_actions * (size_t)b->channel_dim + 1));
    cp->obs = b->obs ? malloc(sizeof(float) * N * (size_t)b->obs_dim) : NULL;
    if (!cp->state || !cp->mask || !cp->slot_obs || !cp->channel_obs || (b->obs && !cp->obs)) {
        lga_copy_free(cp);
        return -1;
    }
    lga_batch_from_env(env, &cp->batch);
    cp->batch.obs = cp->obs;
    cp->batch.slot_obs = cp->slot_obs;
    cp->batch.channel_obs = cp->channel_obs;
    cp->batch.mask = cp->mask;
    cp->batch.state = cp->state;
    return 0;
}

void lga_copy_free(lga_copy *cp)
{
    free(cp->state), free(cp->mask), free(cp->slot_obs), free(cp->channel_obs), free(cp->obs);
    memset(cp, 0, sizeof *cp);
}

static void copy_rows(const lg_env *env, lga_copy *cp, int use_final)
{
    const lg_buffers *b = lg_env_buffers(env);
    size_t N = (size_t)b->n_slots, sd = (size_t)b->slot_dim, od = (size_t)b->obs_dim, A = (size_t)b->n_actions;
    memcpy(cp->mask, b->mask, N * A);
    memcpy(cp->channel_obs, b->channel_obs, sizeof(float) * (size_t)b->n_actions * (size_t)b->channel_dim);
    for (size_t i = 0; i < N; i++) {
        int fin = use_final && (b->terminated[i] || b->truncated[i]);
        cp->state[i] = fin ? b->final_state[i] : b->state[i];
        if (fin && b->final_mask) memcpy(&cp->mask[i * A], &b->final_mask[i * A], A); /* its own candidates' */
        memcpy(&cp->slot_obs[i * sd], fin ? &b->final_slot_obs[i * sd] : &b->slot_obs[i * sd], sizeof(float) * sd);
        if (cp->obs) memcpy(&cp->obs[i * od], fin ? &b->final_obs[i * od] : &b->obs[i * od], sizeof(float) * od);
    }
}

void lga_copy_current(const lg_env *env, lga_copy *cp) { copy_rows(env, cp, 0); }
void lga_copy_next(const lg_env *env, lga_copy *cp) { copy_rows(env, cp, 1); }

int lga_block_offset(const lga_obs_batch *b, const char *name, int scope)
{
    for (int i = 0; i < b->n_blocks; i++)
        if (b->blocks[i].scope == scope && !strcmp(b->blocks[i].name, name)) return b->blocks[i].offset;
    return -1;
}
