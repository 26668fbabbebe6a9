/* Observations: the layout (named blocks with bounds), the shared channel
 * table, each slot's part, the tabular state id and the action mask.
 * docs/observations.md describes the same layout for users. */
#include <math.h>
#include <string.h>

#include "env_internal.h"

#define IDEAL_BOUND 8.0f
#define SINCE_START_SCALE 240.0f /* minutes at which "time since start" saturates */

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

void lg_obs_layout_init(lg_env *env)
{
    const lg_scenario *sc = &env->sc;
    int S_obs = sc->observe_segment ? env->S : 1;
    env->buf.n_states = S_obs * 4 * (env->K + 1) * 3;
    env->n_blocks = 0;
    int slot = 0, row = 0;
    /* Tabular mode replaces the slot part by the state id; the channel table
     * (what the platform shows about each channel) is there in every mode. */
    if (sc->obs_mode == LG_OBS_TABULAR) {
        lg_obs_add_block(env, "state", 0, &slot, 1, 0.0f, (float)(env->buf.n_states - 1));
        env->off_u = -1;
    } else {
        env->off_tod = lg_obs_add_block(env, "time_of_day", 0, &slot, 2, -1.0f, 1.0f);
        env->off_progress = lg_obs_add_block(env, "session_progress", 0, &slot, 1, 0.0f, 1.0f);
        env->off_segment = sc->observe_segment ? lg_obs_add_block(env, "segment", 0, &slot, env->S, 0.0f, 1.0f) : -1;
        env->off_history = lg_obs_add_block(env, "category_history", 0, &slot, env->K, 0.0f, 1.0f);
        env->off_watched = lg_obs_add_block(env, "watched_last", 0, &slot, 1, 0.0f, 1.0f);
        env->off_follows = lg_obs_add_block(env, "follows", 0, &slot, env->C, 0.0f, 1.0f);
        env->off_u = sc->obs_mode == LG_OBS_IDEAL
                         ? lg_obs_add_block(env, "viewer_latent", 0, &slot, env->D, -IDEAL_BOUND, IDEAL_BOUND)
                         : -1;
    }
    env->ch_on = lg_obs_add_block(env, "on_air", 1, &row, 1, 0.0f, 1.0f);
    env->ch_conc = lg_obs_add_block(env, "concurrency", 1, &row, 1, 0.0f, 1.0f);
    env->ch_cat = lg_obs_add_block(env, "category", 1, &row, env->K, 0.0f, 1.0f);
    env->ch_emb = lg_obs_add_block(env, "embedding_visual", 1, &row, env->M, -1.0f, 1.0f);
    lg_obs_add_block(env, "embedding_audio", 1, &row, env->M, -1.0f, 1.0f);
    lg_obs_add_block(env, "embedding_text", 1, &row, env->M, -1.0f, 1.0f);
    env->ch_since = lg_obs_add_block(env, "since_start", 1, &row, 1, 0.0f, 1.0f);
    env->ch_v = sc->obs_mode == LG_OBS_IDEAL
                    ? lg_obs_add_block(env, "channel_latent", 1, &row, env->D, -IDEAL_BOUND, IDEAL_BOUND)
                    : -1;
    env->buf.slot_dim = slot;
    env->buf.channel_dim = row;
    env->buf.obs_dim = slot + env->C * row;
}

/* The static columns of the channel table, written once at create. */
static void write_static_channels(lg_env *env)
{
    const int R = env->buf.channel_dim;
    for (int c = 0; c < env->C; c++) {
        float *row = &env->buf.channel_obs[c * R];
        memset(row, 0, sizeof(float) * (size_t)R);
        row[env->ch_cat + env->sc.channels[c].category] = 1.0f;
        memcpy(&row[env->ch_emb], &env->embedding[c * LG_N_MODALITIES * env->M],
               sizeof(float) * (size_t)(LG_N_MODALITIES * env->M));
        if (env->ch_v >= 0)
            for (int j = 0; j < env->D; j++)
                row[env->ch_v + j] = lg_clampf(env->v[c * env->D + j], -IDEAL_BOUND, IDEAL_BOUND);
    }
}

void lg_obs_write_channels(lg_env *env)
{
    const int R = env->buf.channel_dim;
    if (R == 0) return;
    if (env->steps == 0) write_static_channels(env);
    for (int c = 0; c < env->C; c++) {
        float *row = &env->buf.channel_obs[c * R];
        row[env->ch_on] = (float)env->on_air[c];
        row[env->ch_conc] = lg_clampf(env->log1p_conc[c] * env->conc_norm, 0.0f, 1.0f);
        row[env->ch_since] = lg_clampf(env->since_start[c] / SINCE_START_SCALE, 0.0f, 1.0f);
    }
}

int lg_obs_state(const lg_env *env, int slot)
{
    const lg_slot *sl = &env->slot[slot];
    int seg = env->sc.observe_segment ? env->seg_of[sl->viewer] : 0;
    int tod = (int)(fmod(env->clock, LG_MINUTES_PER_DAY) / 360.0);
    if (tod < 0 || tod > 3) tod = 0;
    int last = sl->last_category < 0 ? env->K : sl->last_category;
    int phase = sl->session_step < 4 ? 0 : (sl->session_step < 12 ? 1 : 2);
    return ((seg * 4 + tod) * (env->K + 1) + last) * 3 + phase;
}

void lg_obs_write_slot(const lg_env *env, int slot, float *dst)
{
    const lg_scenario *sc = &env->sc;
    const lg_slot *sl = &env->slot[slot];
    if (sc->obs_mode == LG_OBS_TABULAR) {
        dst[0] = (float)lg_obs_state(env, slot);
        return;
    }
    double phase = 6.283185307179586 * fmod(env->clock, LG_MINUTES_PER_DAY) / LG_MINUTES_PER_DAY;
    dst[env->off_tod] = (float)sin(phase);
    dst[env->off_tod + 1] = (float)cos(phase);
    dst[env->off_progress] = lg_clampf((float)sl->session_step / (float)sc->max_session_steps, 0.0f, 1.0f);
    if (env->off_segment >= 0) {
        memset(&dst[env->off_segment], 0, sizeof(float) * (size_t)env->S);
        dst[env->off_segment + env->seg_of[sl->viewer]] = 1.0f;
    }
    memcpy(&dst[env->off_history], &env->history[slot * env->K], sizeof(float) * (size_t)env->K);
    dst[env->off_watched] = (float)sl->watched_last;
    const uint64_t *fw = &env->follows[(size_t)sl->viewer * env->W];
    float *f = &dst[env->off_follows];
    for (int c = 0; c < env->C; c++) f[c] = (float)((fw[c >> 6] >> (c & 63)) & 1u);
    if (env->off_u >= 0) {
        const float *u = &env->u[(size_t)sl->viewer * env->D];
        for (int j = 0; j < env->D; j++) dst[env->off_u + j] = lg_clampf(u[j], -IDEAL_BOUND, IDEAL_BOUND);
    }
}

void lg_obs_write_mask(lg_env *env)
{
    for (int i = 0; i < env->N; i++) memcpy(&env->buf.mask[(size_t)i * env->C], env->on_air, (size_t)env->C);
}
