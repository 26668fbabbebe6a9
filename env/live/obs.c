/* Observations: the layout (named blocks with bounds), the shared channel
 * table, each slot's part, the tabular state id and the action mask.
 * docs/observations.md describes the same layout for users. */
#include <math.h>
#include <string.h>

#include "../env_internal.h"

#define IDEAL_BOUND 8.0f

#define SINCE_START_SCALE 240.0f /* minutes at which "time since start" saturates */

void lg_obs_layout_init(lg_env *env)
{
    const lg_scenario *sc = &env->sc;
    int S_obs = sc->observe_segment ? env->live.S : 1;
    env->buf.n_states = S_obs * 4 * (env->live.K + 1) * 3;
    env->n_blocks = 0;
    int slot = 0, row = 0;
    /* Tabular mode replaces the slot part by the state id; the channel table
     * (what the platform shows about each channel) is there in every mode. */
    if (sc->obs_mode == LG_OBS_TABULAR) {
        lg_obs_add_block(env, "state", 0, &slot, 1, 0.0f, (float)(env->buf.n_states - 1));
        env->live.off_u = -1;
    } else {
        env->live.off_tod = lg_obs_add_block(env, "time_of_day", 0, &slot, 2, -1.0f, 1.0f);
        env->live.off_progress = lg_obs_add_block(env, "session_progress", 0, &slot, 1, 0.0f, 1.0f);
        env->live.off_segment = sc->observe_segment ? lg_obs_add_block(env, "segment", 0, &slot, env->live.S, 0.0f, 1.0f) : -1;
        env->live.off_history = lg_obs_add_block(env, "category_history", 0, &slot, env->live.K, 0.0f, 1.0f);
        env->live.off_watched = lg_obs_add_block(env, "watched_last", 0, &slot, 1, 0.0f, 1.0f);
        env->live.off_follows = lg_obs_add_block(env, "follows", 0, &slot, env->A, 0.0f, 1.0f);
        env->live.off_u = sc->obs_mode == LG_OBS_IDEAL
                         ? lg_obs_add_block(env, "viewer_latent", 0, &slot, env->live.D, -IDEAL_BOUND, IDEAL_BOUND)
                         : -1;
        env->live.off_return =
            sc->retention.enabled ? lg_obs_add_block(env, "returning", 0, &slot, 2, 0.0f, 1.0f) : -1;
    }
    env->live.ch_on = lg_obs_add_block(env, "on_air", 1, &row, 1, 0.0f, 1.0f);
    env->live.ch_conc = lg_obs_add_block(env, "concurrency", 1, &row, 1, 0.0f, 1.0f);
    env->live.ch_cat = lg_obs_add_block(env, "category", 1, &row, env->live.K, 0.0f, 1.0f);
    env->live.ch_emb = lg_obs_add_block(env, "embedding_visual", 1, &row, env->live.M, -1.0f, 1.0f);
    lg_obs_add_block(env, "embedding_audio", 1, &row, env->live.M, -1.0f, 1.0f);
    lg_obs_add_block(env, "embedding_text", 1, &row, env->live.M, -1.0f, 1.0f);
    env->live.ch_since = lg_obs_add_block(env, "since_start", 1, &row, 1, 0.0f, 1.0f);
    env->live.ch_v = sc->obs_mode == LG_OBS_IDEAL
                    ? lg_obs_add_block(env, "channel_latent", 1, &row, env->live.D, -IDEAL_BOUND, IDEAL_BOUND)
                    : -1;
    env->buf.slot_dim = slot;
    env->buf.channel_dim = row;
    env->buf.obs_dim = slot + env->A * row;
}

/* The static columns of the channel table, written once at create. */
void lg_obs_write_static_channels(lg_env *env)
{
    const int R = env->buf.channel_dim;
    for (int c = 0; c < env->C; c++) {
        float *row = &env->buf.channel_obs[c * R];
        memset(row, 0, sizeof(float) * (size_t)R);
        row[env->live.ch_cat + env->channels[c].category] = 1.0f;
        memcpy(&row[env->live.ch_emb], &env->live.embedding[c * LG_N_MODALITIES * env->live.M],
               sizeof(float) * (size_t)(LG_N_MODALITIES * env->live.M));
        if (env->live.ch_v >= 0)
            for (int j = 0; j < env->live.D; j++)
                row[env->live.ch_v + j] = lg_clampf(env->live.v[c * env->live.D + j], -IDEAL_BOUND, IDEAL_BOUND);
    }
}

/* The columns of channel c's row that move: on air, audience, time since
 * the start (the table's row without a candidate stage, a candidate's copy
 * with one). */
static void dynamic_columns(const lg_env *env, int c, float *row)
{
    row[env->live.ch_on] = (float)env->live.on_air[c];
    row[env->live.ch_conc] = lg_clampf(env->live.log1p_conc[c] * env->live.conc_norm, 0.0f, 1.0f);
    row[env->live.ch_since] = lg_clampf(lg_world_since_start(env, c) / SINCE_START_SCALE, 0.0f, 1.0f);
}

/* One pass over the candidates: each row copied, then its three dynamic
 * columns written. A favourite category's shared list (retrieval's turns,
 * most slots') has its rows made once a step, then copied whole, after the
 * rows of a slot's followed channels when it has any. */
static void rows_of(const lg_env *env, const int32_t *cand, int count, float *dst);
static void turn_rows(const lg_env *env, int fav, float *dst);

void lg_obs_candidate_rows(lg_env *env, const int32_t *cand, int shared, float *dst)
{
    lg_live *L = &env->live;
    const int A = env->A;
    if (shared < 0) {
        rows_of(env, cand, A, dst);
        return;
    }
    const int fav = shared % L->K, lead = shared / L->K; /* lg_candidates_retrieve */
    const size_t cd = (size_t)env->buf.channel_dim, n = (size_t)A * cd;
    float *rows = &L->turn_rows[(size_t)fav * n];
    if (!L->turn_rows_made[fav]) turn_rows(env, fav, rows), L->turn_rows_made[fav] = 1;
    rows_of(env, cand, lead, dst);
    memcpy(dst + (size_t)lead * cd, rows, sizeof(float) * (n - (size_t)lead * cd));
}

static void rows_of(const lg_env *env, const int32_t *cand, int count, float *dst)
{
    const int cd = env->buf.channel_dim;
    const float *table = env->buf.channel_obs;
    for (int j = 0; j < count; j++, dst += cd) {
        const int c = cand[j];
        if (c < 0) {
            memset(dst, 0, sizeof(float) * (size_t)cd);
            continue;
        }
        memcpy(dst, &table[(size_t)c * (size_t)cd], sizeof(float) * (size_t)cd);
        dynamic_columns(env, c, dst);
    }
}

/* The favourite category's shared list's rows, from the ranked lists'
 * rows (top_rows), their places past the list's end zeros. */
static void turn_rows(const lg_env *env, int fav, float *dst)
{
    const lg_live *L = &env->live;
    const int cd = env->buf.channel_dim, A = env->A, n = L->turns_n[fav];
    const int32_t *turns = &L->turns[(size_t)fav * A], *src = &L->turn_row[(size_t)fav * A];
    for (int j = 0; j < n; j++, dst += cd) {
        memcpy(dst, &L->top_rows[(size_t)src[j] * (size_t)cd], sizeof(float) * (size_t)cd);
        dynamic_columns(env, turns[j], dst);
    }
    memset(dst, 0, sizeof(float) * (size_t)(A - n) * (size_t)cd);
}

static void write_row(lg_env *env, int c)
{
    dynamic_columns(env, c, &env->buf.channel_obs[(size_t)c * (size_t)env->buf.channel_dim]);
}

/* With a candidate stage the table keeps only its static columns (its
 * dynamic ones stay 0): each candidate's row gets them when it is copied
 * into an observation (dynamic_columns), so a step costs the
 * candidates, not the channels on air. */
void lg_obs_write_channels(lg_env *env)
{
    if (env->buf.channel_dim == 0) return;
    if (env->steps == 0) lg_obs_write_static_channels(env);
    if (env->sc.candidates > 0) return;
    for (int c = 0; c < env->C; c++) write_row(env, c);
}

/* A channel off air has a row of zeros (no audience, no time since its
 * start), so only the rows of channels on air and of those that went off
 * can change. */
void lg_obs_update_channels(lg_env *env)
{
    const lg_live *L = &env->live;
    if (env->buf.channel_dim == 0 || env->sc.candidates > 0) return;
    if (L->n_went_off < 0) {
        lg_obs_write_channels(env);
        return;
    }
    const int32_t *on = lg_world_on_list(env);
    for (int j = 0; j < L->n_on_air; j++) write_row(env, on[j]);
    for (int j = 0; j < L->n_went_off; j++) write_row(env, L->went_off[j]);
}

/* The tabular state's quarter of the day */
static int quarter_of(double clock)
{
    const int q = (int)(fmod(clock, LG_MINUTES_PER_DAY) / 360.0);
    return q < 0 || q > 3 ? 0 : q;
}

int lg_obs_state(const lg_env *env, int slot)
{
    const lg_slot *sl = &env->slot[slot];
    if (sl->viewer < 0) return 0; /* idle */
    int seg = env->sc.observe_segment ? env->live.seg_of[sl->viewer] : 0;
    const int tod = env->clock == env->live.tod_clock ? env->live.tod_quarter : quarter_of(env->clock);
    int last = sl->last_category < 0 ? env->live.K : sl->last_category;
    int phase = sl->session_step < 4 ? 0 : (sl->session_step < 12 ? 1 : 2);
    return ((seg * 4 + tod) * (env->live.K + 1) + last) * 3 + phase;
}

void lg_obs_write_slot(lg_env *env, int slot, const int32_t *cand, float *dst)
{
    lg_live *L = &env->live;
    const lg_scenario *sc = &env->sc;
    const lg_slot *sl = &env->slot[slot];
    if (sl->viewer < 0) { /* idle: nothing to see */
        memset(dst, 0, sizeof(float) * (size_t)env->buf.slot_dim);
        return;
    }
    /* made by the first slot to see this clock (bit for bit: -0 is not
     * +0 to sin), read by the others */
    if (memcmp(&env->clock, &L->tod_clock, sizeof(double)) != 0) {
        const double phase = 6.283185307179586 * fmod(env->clock, LG_MINUTES_PER_DAY) / LG_MINUTES_PER_DAY;
        L->tod[0] = (float)sin(phase), L->tod[1] = (float)cos(phase);
        L->tod_quarter = quarter_of(env->clock);
        L->tod_clock = env->clock;
    }
    if (sc->obs_mode == LG_OBS_TABULAR) {
        dst[0] = (float)lg_obs_state(env, slot);
        return;
    }
    dst[env->live.off_tod] = L->tod[0];
    dst[env->live.off_tod + 1] = L->tod[1];
    dst[env->live.off_progress] = lg_clampf((float)sl->session_step / (float)sc->max_session_steps, 0.0f, 1.0f);
    if (env->live.off_segment >= 0) {
        memset(&dst[env->live.off_segment], 0, sizeof(float) * (size_t)env->live.S);
        dst[env->live.off_segment + env->live.seg_of[sl->viewer]] = 1.0f;
    }
    memcpy(&dst[env->live.off_history], &env->live.history[slot * env->live.K], sizeof(float) * (size_t)env->live.K);
    dst[env->live.off_watched] = (float)sl->watched_last;
    float *fo = &dst[env->live.off_follows];
    const int32_t *f = &env->live.follows[(size_t)sl->viewer * env->live.F];
    const int nf = env->live.n_follows[sl->viewer];
    memset(fo, 0, sizeof(float) * (size_t)env->A);
    if (cand) {
        /* The retrieval puts the followed channels on air first, in order. */
        for (int j = 0, n = 0; j < nf && n < env->A; j++)
            if (env->live.on_air[f[j]]) fo[n++] = 1.0f;
    } else {
        for (int j = 0; j < nf; j++) fo[f[j]] = 1.0f;
    }
    if (env->live.off_u >= 0) {
        const float *u = &env->live.u[(size_t)sl->viewer * env->live.D];
        for (int j = 0; j < env->live.D; j++) dst[env->live.off_u + j] = lg_clampf(u[j], -IDEAL_BOUND, IDEAL_BOUND);
    }
    if (env->live.off_return >= 0) {
        /* What the platform knows of a returning viewer: days since their
         * last visit (1 at a week or more, and for a first visit), and how
         * that visit went (a logistic of its satisfaction, 0.5 for none). */
        const float *ss = &env->live.sess[(size_t)slot * 4];
        dst[env->live.off_return] = ss[2] < 0.0f ? 1.0f : lg_clampf(ss[2] / 7.0f, 0.0f, 1.0f);
        dst[env->live.off_return + 1] = lg_sigmoid(ss[3]);
    }
}

/* Every slot's mask is the channels on air; with a candidate stage each
 * slot's is written with its candidates instead (lg_candidates_retrieve). */
void lg_obs_write_mask(lg_env *env)
{
    if (env->sc.candidates > 0) return;
    for (int i = 0; i < env->N; i++)
        if (env->slot[i].viewer < 0) memset(&env->buf.mask[(size_t)i * env->C], 0, (size_t)env->C); /* idle */
        else memcpy(&env->buf.mask[(size_t)i * env->C], env->live.on_air, (size_t)env->C);
}
