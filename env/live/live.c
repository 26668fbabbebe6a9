/* The live platform as a world of the env (lg_world_ops): sizes, the one
 * block's layout, and the step that moves sessions, then the platform. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../env_internal.h"

static void layout(lg_env *env)
{
    const lg_scenario *sc = &env->sc;
    lg_live *L = &env->live;
    env->C = sc->n_channels;
    env->k = sc->slate_size;
    L->K = sc->n_categories;
    L->D = sc->latent_dim;
    L->M = sc->embedding_dim;
    L->S = sc->n_segments;
    L->U = sc->n_viewers;
    L->F = sc->max_follows;
    env->A = sc->candidates > 0 ? sc->candidates : env->C;
    lg_obs_layout_init(env);
}

static int max_windows(const lg_env *env)
{
    if (env->sc.channels_generated) return 1; /* the generator makes one window a channel */
    int w = 1;
    for (int c = 0; c < env->sc.n_channels; c++)
        if (!env->sc.channels[c].always_on && env->sc.channels[c].n_windows > w) w = env->sc.channels[c].n_windows;
    return w;
}

static size_t sc_candidates(const lg_env *env) { return env->sc.candidates > 0 ? (size_t)env->A : 0; }

/* The order below is the state file's (version 2); after the scratch mark,
 * what no state file holds. */
static void carve(lg_env *env, lg_carver *cv)
{
    lg_live *L = &env->live;
    const size_t N = (size_t)env->N, C = (size_t)env->C, K = (size_t)L->K, D = (size_t)L->D;
    const size_t U = (size_t)L->U, M = (size_t)L->M;
    L->centroid = lg_carve(cv, sizeof(float) * K * D);
    L->v = lg_carve(cv, sizeof(float) * C * D);
    L->embedding = lg_carve(cv, sizeof(float) * C * LG_N_MODALITIES * M);
    L->u_init = lg_carve(cv, sizeof(float) * U * D);
    L->seg_of = lg_carve(cv, sizeof(int32_t) * U);
    L->seg_members = lg_carve(cv, sizeof(int32_t) * U);
    L->x = lg_carve(cv, sizeof(float) * C);
    L->cat_offset = lg_carve(cv, sizeof(float) * K);
    L->bots = lg_carve(cv, sizeof(float) * C);
    L->forced_off_until = lg_carve(cv, sizeof(float) * C);
    L->launched = lg_carve(cv, C);
    L->on_air = lg_carve(cv, C);
    L->win_start = lg_carve(cv, sizeof(double) * C);
    L->win_end = lg_carve(cv, sizeof(double) * C);
    L->background = lg_carve(cv, sizeof(float) * C);
    L->concurrency = lg_carve(cv, sizeof(float) * C);
    L->log1p_conc = lg_carve(cv, sizeof(float) * C);
    L->watchers = lg_carve(cv, sizeof(int32_t) * C);
    L->x_step = lg_carve(cv, sizeof(int64_t) * C);
    L->u = lg_carve(cv, sizeof(float) * U * D);
    L->fatigue = lg_carve(cv, sizeof(float) * U * K);
    L->fatigue_time = lg_carve(cv, sizeof(float) * U);
    L->follows = lg_carve(cv, sizeof(int32_t) * U * (size_t)L->F);
    L->n_follows = lg_carve(cv, sizeof(uint16_t) * U);
    L->busy = lg_carve(cv, U);
    lg_env_carve_slots(env, cv);
    L->history = lg_carve(cv, sizeof(float) * N * K);
    const int ret = env->sc.retention.enabled;
    L->return_at = ret ? lg_carve(cv, sizeof(double) * U) : NULL;
    L->last_sat = ret ? lg_carve(cv, sizeof(float) * U) : NULL;
    L->visit_end = ret ? lg_carve(cv, sizeof(double) * U) : NULL;
    L->sess = ret ? lg_carve(cv, sizeof(float) * N * 4) : NULL;
    lg_env_carve_buffers(env, cv);
    const size_t A = sc_candidates(env);
    L->top_all = A ? lg_carve(cv, sizeof(int32_t) * A) : NULL;
    L->top_cat = A ? lg_carve(cv, sizeof(int32_t) * K * A) : NULL;
    L->n_top = A ? lg_carve(cv, sizeof(int32_t) * (K + 1)) : NULL;
    lg_env_carve_candidates(env, cv);
    lg_env_carve_scratch(env, cv);
    L->rank_heap = A ? lg_carve(cv, sizeof(uint64_t) * K * A) : NULL;
    L->rank_n = A ? lg_carve(cv, sizeof(int32_t) * K) : NULL;
    L->rank_bar = A ? lg_carve(cv, sizeof(float) * K) : NULL;
    L->rank_skipped = A ? lg_carve(cv, sizeof(int32_t) * K) : NULL;
    L->rank_tmp = A ? lg_carve(cv, sizeof(uint64_t) * A) : NULL;
    L->top_place = A ? lg_carve(cv, sizeof(int32_t) * K * A) : NULL;
    L->top_all_cat = A ? lg_carve(cv, sizeof(int32_t) * A) : NULL;
    L->top_all_row = A ? lg_carve(cv, sizeof(int32_t) * A) : NULL;
    L->top_rows = A ? lg_carve(cv, sizeof(float) * K * A * (size_t)env->buf.channel_dim) : NULL;
    L->turns = A ? lg_carve(cv, sizeof(int32_t) * K * A) : NULL;
    L->turns_n = A ? lg_carve(cv, sizeof(int32_t) * K) : NULL;
    L->turn_row = A ? lg_carve(cv, sizeof(int32_t) * K * A) : NULL;
    L->turn_rows = A ? lg_carve(cv, sizeof(float) * K * A * (size_t)env->buf.channel_dim) : NULL;
    L->turn_rows_made = A ? lg_carve(cv, K) : NULL;
    L->followed_mark = A ? lg_carve(cv, C) : NULL;
    L->rec_w = max_windows(env);
    L->rec_stride = lg_world_rec_stride(L->rec_w);
    L->sched_rec = lg_carve(cv, L->rec_stride * C);
    L->on_list = lg_carve(cv, sizeof(int32_t) * C);
    L->pop_key = lg_carve(cv, sizeof(uint64_t) * C);
    L->gap_key = lg_carve(cv, sizeof(uint64_t) * C);
    L->chan_base = lg_carve(cv, sizeof(float) * C);
    L->chan_cat = lg_carve(cv, C); /* categories < LG_MAX_CATEGORIES = 32 */
    const double day_steps = ceil(LG_MINUTES_PER_DAY / env->sc.dt) + 2.0;
    L->sched_ring = day_steps < LG_SCHED_RING_MAX ? (int)day_steps : LG_SCHED_RING_MAX;
    L->sched_head = lg_carve(cv, sizeof(int32_t) * (size_t)L->sched_ring);
    /* each channel waits in at most one bucket, and only a bucket's first
     * chunk is part full: at most C / 14 + ring chunks in use (a step reads
     * its bucket out and frees it before any channel sleeps again) */
    L->sched_chunks = (int32_t)(C / LG_WAKE_CHUNK + (size_t)L->sched_ring + 4);
    L->sched_pool = lg_carve(cv, sizeof(lg_wake_chunk) * (size_t)L->sched_chunks);
    L->sched_came = lg_carve(cv, sizeof(int32_t) * (C + 2 * N)); /* and the audience's recount (world.c) */
    L->went_off = lg_carve(cv, sizeof(int32_t) * C);
    L->sort_tmp = lg_carve(cv, sizeof(int32_t) * C);
    L->due_now = lg_carve(cv, sizeof(int32_t) * C);
    L->gap_an = lg_carve(cv, sizeof(double) * (size_t)L->sched_ring);
    L->gap_sd = lg_carve(cv, sizeof(double) * (size_t)L->sched_ring);
    L->watched = lg_carve(cv, sizeof(int32_t) * N);
    L->was_watched = lg_carve(cv, sizeof(int32_t) * N);
    L->cm_out = lg_carve(cv, sizeof(float) * (C + 2 * N));
    L->due = ret ? lg_carve(cv, sizeof(int32_t) * U) : NULL;
}

static void init(lg_env *env)
{
    const lg_scenario *sc = &env->sc;
    lg_live *L = &env->live;
    float theta = sc->popularity_reversion;
    L->ou_a = expf(-theta * sc->dt);
    L->ou_s = theta > 0.0f ? sc->popularity_volatility * sqrtf((1.0f - L->ou_a * L->ou_a) / (2.0f * theta))
                           : sc->popularity_volatility * sqrtf(sc->dt);
    const float tick = sc->dt * (float)sc->platform_tick; /* exact for a tick of 1 */
    L->ou_a_tick = expf(-theta * tick);
    L->ou_s_tick = theta > 0.0f ? sc->popularity_volatility * sqrtf((1.0f - L->ou_a_tick * L->ou_a_tick) / (2.0f * theta))
                                : sc->popularity_volatility * sqrtf(tick);
    L->fatigue_decay_step = exp2f(-sc->dt / sc->fatigue_half_life);
    L->tod_clock = NAN;
    float peak = sc->audience_peak > (float)env->N ? sc->audience_peak : (float)env->N;
    L->conc_norm = 1.0f / log1pf(peak);
    lg_world_build_actions(env);
    lg_world_init_gaps(env);
    lg_world_init_static(env);
    lg_viewers_init_static(env);
}

static void reset(lg_env *env)
{
    env->clock = env->sc.start_minute;
    lg_viewers_reset(env);
    if (env->live.return_at) {
        for (int i = 0; i < env->N; i++) env->slot[i].viewer = -1; /* no one in a session yet */
        lg_visits_draw(env, env->seed);
    }
    lg_world_reset(env);
    lg_obs_write_channels(env);
    lg_obs_write_mask(env);
    if (env->sc.candidates > 0) lg_candidates_rank(env);
}

/* Slot's mask row without a candidate stage: the channels on air, none
 * while the slot idles (a candidate stage writes its own at retrieval). */
static void slot_mask(lg_env *env, int slot)
{
    if (env->sc.candidates > 0) return;
    uint8_t *m = &env->buf.mask[(size_t)slot * env->C];
    if (env->slot[slot].viewer < 0) memset(m, 0, (size_t)env->C);
    else memcpy(m, env->live.on_air, (size_t)env->C);
}

static void start(lg_env *env, int slot)
{
    lg_session_start(env, slot);
    slot_mask(env, slot);
}

/* Without retention the slot draws its next viewer before the old one is
 * free, so a slot never hands a session straight back to the viewer who
 * just left, unless no one else is free (as many slots as viewers). With
 * it the viewer leaves first (their next visit is drawn, never now), and
 * the slot takes whoever is due, or idles. */
static void restart(lg_env *env, int slot)
{
    int old = env->slot[slot].viewer;
    if (env->live.return_at) {
        if (old >= 0) lg_session_end(env, slot, old);
        lg_session_start(env, slot);
    } else {
        lg_session_start(env, slot);
        if (env->slot[slot].viewer != old) lg_session_end(env, slot, old);
    }
    slot_mask(env, slot);
}

void lg_live_reset_visits(lg_env *env, uint64_t seed)
{
    for (int i = 0; i < env->N; i++) {
        int v = env->slot[i].viewer;
        if (v < 0) continue;
        env->live.busy[v] = 0;
        env->live.fatigue_time[v] = (float)env->clock;
        env->slot[i].viewer = -1;
    }
    lg_visits_draw(env, seed);
    for (int i = 0; i < env->N; i++) {
        /* the slots' draws from seed too, whatever the fork's slots did
         * before: every agent's evaluation then sees the same sessions */
        env->slot_seed[i] = seed;
        env->slot[i].session_index = 0;
        start(env, i);
    }
}

/* With a candidate stage an action is a position in the slot's candidate
 * list: the slate's channels are looked up (-1, an invalid item, for a
 * position out of range or empty). */
static void step(lg_env *env, const int32_t *actions)
{
    lg_live *L = &env->live;
    /* only the channels watched in the last step have counts to clear */
    if (L->n_watched < 0) memset(L->watchers, 0, sizeof(int32_t) * (size_t)env->C);
    else
        for (int j = 0; j < L->n_watched; j++) L->watchers[L->watched[j]] = 0;
    L->n_was_watched = L->n_watched;
    if (L->n_watched > 0) memcpy(L->was_watched, L->watched, sizeof(int32_t) * (size_t)L->n_watched);
    L->n_watched = 0;
    const int32_t *cand = env->buf.candidates;
    for (int i = 0; i < env->N; i++) {
        const int32_t *a = &actions[(size_t)i * env->k];
        int32_t items[LG_MAX_SLATE];
        if (env->slot[i].viewer < 0) {
            lg_session_idle(env, i);
            continue;
        }
        for (int j = 0; cand && j < env->k; j++) items[j] = lg_action_channel(env, i, a[j]);
        lg_session_step(env, i, cand ? items : a);
    }
    lg_world_advance(env);
    /* Idle slots take the viewers now due (sessions that just ended draw
     * theirs after, in lg_env_step's restart). */
    for (int i = 0; env->live.return_at && i < env->N; i++)
        if (env->slot[i].viewer < 0) lg_session_start(env, i);
    lg_obs_update_channels(env);
    lg_obs_write_mask(env);
    if (cand && lg_world_is_tick(env)) lg_candidates_rank(env);
    else if (cand) lg_candidates_forget_turns(L); /* channels came and went */
}

static void channel(const lg_env *env, int c, lg_channel_state *out)
{
    const lg_live *L = &env->live;
    out->on_air = L->on_air[c];
    out->launched = L->launched[c];
    out->concurrency = L->concurrency[c];
    out->background = L->background[c];
    out->bots = L->bots[c];
    out->watchers = L->watchers[c];
    out->log_popularity = lg_world_popularity_now(env, c);
    out->popularity_mean = lg_world_popularity_mean(env, c);
    out->minutes_left = lg_world_minutes_left(env, c);
    out->minutes_since_start = lg_world_since_start(env, c);
    out->category = env->channels[c].category;
}

/* The position in the scripted-event timeline and the channels on air. */
static void save_marks(const lg_env *env, int64_t marks[2])
{
    marks[0] = env->live.next_action;
    marks[1] = env->live.n_on_air;
}

static int load_marks(lg_env *env, const int64_t marks[2], char *err, size_t errsz)
{
    if (marks[0] < 0 || marks[0] > env->live.n_actions_sched || marks[1] < 0 || marks[1] > env->C) {
        if (err && errsz)
            snprintf(err, errsz, "env state: event position and channels on air: expected [0, %d] and [0, %d], found "
                                 "%lld and %lld",
                     env->live.n_actions_sched, env->C, (long long)marks[0], (long long)marks[1]);
        return -1;
    }
    env->live.next_action = (int)marks[0];
    env->live.n_on_air = (int)marks[1];
    return 0;
}

/* After a load: the channel table whole (its static columns too, which the
 * step never rewrites) and the mask, from the state. */
static void refresh(lg_env *env)
{
    if (env->buf.channel_dim > 0) lg_obs_write_static_channels(env);
    lg_obs_write_channels(env);
    lg_obs_write_mask(env);
    if (env->sc.candidates > 0 && lg_world_is_tick(env)) lg_candidates_rank(env); /* else the state's, checked */
}

/* After a load or a copy: the world's scratch (lg_world_forget_scratch),
 * the list of channels on air and the heap of viewers not in a session are
 * rebuilt from the state. */
static void forget(lg_env *env)
{
    lg_world_forget_scratch(env);
    lg_world_rederive(env);
    lg_visits_rebuild(env);
}

const lg_world_ops lg_live_ops = {
    .layout = layout,
    .carve = carve,
    .init = init,
    .reset = reset,
    .start = start,
    .restart = restart,
    .step = step,
    .write_obs = lg_obs_write_slot,
    .state = lg_obs_state,
    .expected_reward = lg_live_expected_reward,
    .expected_reward_channels = lg_live_expected_reward_channels,
    .retrieve = lg_candidates_retrieve,
    .candidate_rows = lg_obs_candidate_rows,
    .channel = channel,
    .save_marks = save_marks,
    .load_marks = load_marks,
    .check = lg_live_check_state,
    .refresh = refresh,
    .forget = forget,
};
