/* The viewer side of the world: the persistent pool, sessions, and the choice
 * and watch model of one recommendation round. */
#include <math.h>
#include <string.h>

#include "../env_internal.h"

/* Segments get contiguous, proportional blocks of the pool (largest
 * remainder), each at least one viewer, so every segment can be drawn. */
void lg_viewers_init_static(lg_env *env)
{
    const lg_scenario *sc = &env->sc;
    const int S = env->live.S, U = env->live.U, D = env->live.D;
    double wsum = 0;
    for (int s = 0; s < S; s++) wsum += sc->segments[s].weight;
    int count[LG_MAX_SEGMENTS];
    double rem[LG_MAX_SEGMENTS];
    int assigned = 0;
    for (int s = 0; s < S; s++) {
        double exact = (double)(U - S) * sc->segments[s].weight / wsum;
        count[s] = 1 + (int)floor(exact);
        rem[s] = exact - floor(exact);
        assigned += count[s];
    }
    while (assigned < U) { /* hand out the remainder, largest fraction first */
        int best = 0;
        for (int s = 1; s < S; s++)
            if (rem[s] > rem[best]) best = s;
        count[best]++;
        rem[best] = -1.0;
        assigned++;
    }
    env->live.seg_start[0] = 0;
    for (int s = 0; s < S; s++) env->live.seg_start[s + 1] = env->live.seg_start[s] + count[s];
    float uscale[LG_MAX_SEGMENTS];
    float mix[LG_MAX_SEGMENTS][LG_MAX_DIM];
    for (int s = 0; s < S; s++) {
        const lg_segment *sg = &sc->segments[s];
        float isum = 0.0f;
        for (int k = 0; k < env->live.K; k++) isum += sg->interest[k];
        for (int j = 0; j < D; j++) {
            float m = 0.0f;
            for (int k = 0; k < env->live.K; k++) m += sg->interest[k] / isum * env->live.centroid[k * D + j];
            mix[s][j] = m;
        }
        uscale[s] = sg->interest_spread / sqrtf((float)D);
    }
    for (int s = 0; s < S; s++) {
        for (int i = env->live.seg_start[s]; i < env->live.seg_start[s + 1]; i++) {
            env->live.seg_of[i] = s;
            env->live.seg_members[i] = i;
            uint64_t key = lg_key3(sc->world_seed, LG_P_VIEWER, (uint64_t)i);
            for (int j = 0; j < D; j++)
                env->live.u_init[(size_t)i * D + j] = mix[s][j] + uscale[s] * (float)lg_normal(key, (uint64_t)j);
        }
    }
}

void lg_viewers_reset(lg_env *env)
{
    memcpy(env->live.u, env->live.u_init, sizeof(float) * (size_t)env->live.U * (size_t)env->live.D);
    memset(env->live.fatigue, 0, sizeof(float) * (size_t)env->live.U * (size_t)env->live.K);
    for (int i = 0; i < env->live.U; i++) env->live.fatigue_time[i] = (float)env->clock;
    memset(env->live.follows, 0, sizeof(int32_t) * (size_t)env->live.U * (size_t)env->live.F);
    memset(env->live.n_follows, 0, sizeof(uint16_t) * (size_t)env->live.U);
    memset(env->live.busy, 0, (size_t)env->live.U);
}

int lg_is_followed(const lg_env *env, int viewer, int c)
{
    const int32_t *f = &env->live.follows[(size_t)viewer * env->live.F];
    for (int j = 0, n = env->live.n_follows[viewer]; j < n && f[j] <= c; j++)
        if (f[j] == c) return 1;
    return 0;
}

/* Would watching c make a follow possible: not followed yet, and room left. */
static int can_follow(const lg_env *env, int viewer, int c)
{
    return env->live.n_follows[viewer] < env->live.F && !lg_is_followed(env, viewer, c);
}

/* Add c in order: one that can_follow allows. */
static void add_follow(lg_env *env, int viewer, int c)
{
    int32_t *f = &env->live.follows[(size_t)viewer * env->live.F];
    int j = env->live.n_follows[viewer]++;
    for (; j > 0 && f[j - 1] > c; j--) f[j] = f[j - 1];
    f[j] = c;
}

float lg_utility(const lg_env *env, int viewer, int c)
{
    const lg_scenario *sc = &env->sc;
    const lg_channel_spec *ch = &env->channels[c];
    const lg_segment *sg = &sc->segments[env->live.seg_of[viewer]];
    const float *u = &env->live.u[(size_t)viewer * env->live.D];
    float util = lg_dot(u, &env->live.v[c * env->live.D], env->live.D);
    util += sg->appeal_weight * (ch->appeal - 0.5f) + sg->quality_weight * (ch->quality - 0.5f);
    util += sg->herding * env->live.log1p_conc[c];
    if (lg_is_followed(env, viewer, c)) util += sg->follow_weight;
    util -= sc->fatigue_weight * env->live.fatigue[(size_t)viewer * env->live.K + ch->category];
    return util;
}

/* Probability that a viewer who picked channel c stays for the whole round. */
float lg_engagement(const lg_env *env, int viewer, int c)
{
    const lg_scenario *sc = &env->sc;
    const float *u = &env->live.u[(size_t)viewer * env->live.D];
    float z = sc->engagement_bias + sc->engagement_match * lg_dot(u, &env->live.v[c * env->live.D], env->live.D) +
              sc->engagement_quality * (env->channels[c].quality - 0.5f);
    return lg_sigmoid(z);
}

/* Retention off: a segment by weight x activity at this hour, then a free
 * viewer of it. */
static int draw_viewer(lg_env *env, int slot, uint64_t key)
{
    const lg_scenario *sc = &env->sc;
    lg_slot *sl = &env->slot[slot];
    int hour = (int)(fmod(env->clock, LG_MINUTES_PER_DAY) / 60.0);
    if (hour < 0 || hour > 23) hour = 0;

    /* Segment by weight x activity at this hour. */
    double p[LG_MAX_SEGMENTS], total = 0.0;
    for (int s = 0; s < env->live.S; s++) {
        p[s] = (double)sc->segments[s].weight * sc->segments[s].activity[hour];
        total += p[s];
    }
    int seg = env->live.S - 1;
    if (total > 0.0) {
        double r = lg_u01(key, 0) * total;
        for (int s = 0; s < env->live.S; s++) {
            if (r < p[s]) {
                seg = s;
                break;
            }
            r -= p[s];
        }
    } else {
        seg = (int)lg_below(key, 0, (uint32_t)env->live.S);
    }

    /* A free viewer of that segment: a few random tries, then a scan; if the
     * whole segment is in sessions, the next segments in turn (n_slots <=
     * n_viewers guarantees someone is free). */
    int viewer = -1;
    for (int s_off = 0; s_off < env->live.S && viewer < 0; s_off++) {
        int s = (seg + s_off) % env->live.S;
        int lo = env->live.seg_start[s], n = env->live.seg_start[s + 1] - lo;
        int first = lo + (int)lg_below(key, 1, (uint32_t)n);
        for (int t = 0; t < 16 && viewer < 0; t++) {
            int cand = lo + (int)lg_below(key, 2 + (uint64_t)t, (uint32_t)n);
            if (!env->live.busy[env->live.seg_members[cand]]) viewer = env->live.seg_members[cand];
        }
        for (int j = 0; j < n && viewer < 0; j++) {
            int cand = lo + (first - lo + j) % n;
            if (!env->live.busy[env->live.seg_members[cand]]) viewer = env->live.seg_members[cand];
        }
    }
    /* Every viewer in a session (as many slots as viewers): the viewer who
     * is leaving this slot comes straight back. */
    if (viewer < 0) viewer = sl->viewer;
    return viewer;
}

/* --- retention (docs/model.md "Retention") --- */

/* The heap of viewers not in a session, ordered by (return_at, id): a
 * total order, so the viewers come out in the same order however the heap
 * was built. */
static int due_before(const lg_live *L, int32_t a, int32_t b)
{
    return L->return_at[a] < L->return_at[b] || (L->return_at[a] == L->return_at[b] && a < b);
}

static void due_push(lg_live *L, int32_t v)
{
    int i = L->n_due++;
    for (; i > 0 && due_before(L, v, L->due[(i - 1) / 2]); i = (i - 1) / 2) L->due[i] = L->due[(i - 1) / 2];
    L->due[i] = v;
}

/* The viewer due first, if due by `clock`; -1 when none is. */
static int32_t due_pop(lg_live *L, double clock)
{
    if (L->n_due == 0 || L->return_at[L->due[0]] > clock) return -1;
    int32_t top = L->due[0], last = L->due[--L->n_due];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= L->n_due) break;
        if (c + 1 < L->n_due && due_before(L, L->due[c + 1], L->due[c])) c++;
        if (!due_before(L, L->due[c], last)) break;
        L->due[i] = L->due[c];
        i = c;
    }
    if (L->n_due > 0) L->due[i] = last;
    return top;
}

void lg_visits_rebuild(lg_env *env)
{
    lg_live *L = &env->live;
    if (!L->due) return;
    L->n_due = 0;
    for (int v = 0; v < L->U; v++)
        if (!L->busy[v]) due_push(L, v);
}

/* The clock after `active` minutes of segment seg's activity from `from`:
 * an hour of the activity curve counts its weight relative to the day's
 * mean, so a viewer comes back in the hours they usually watch, and a
 * whole day counts 1440 active minutes whatever the curve. */
static double after_active(const lg_env *env, int seg, double from, double active)
{
    const float *a = env->sc.segments[seg].activity;
    double mean = 0.0;
    for (int h = 0; h < 24; h++) mean += a[h];
    mean /= 24.0; /* > 0: lg_scenario_check */
    /* any 24 hours hold 1440 active minutes: whole days at once */
    double days = floor(active / LG_MINUTES_PER_DAY), t = from + days * LG_MINUTES_PER_DAY;
    active -= days * LG_MINUTES_PER_DAY;
    for (int hours = 0; active > 0.0 && hours < 48; hours++) {
        double m = fmod(t, LG_MINUTES_PER_DAY);
        int h = (int)(m / 60.0);
        if (h < 0 || h > 23) h = 0;
        double to_next = (h + 1) * 60.0 - m, rate = a[h] / mean;
        if (!(to_next > 1e-9)) to_next = 60.0;
        if (rate * to_next >= active) return t + active / rate;
        active -= rate * to_next;
        t += to_next;
    }
    return t;
}

#define RETURN_KEY 0x52455455524EULL /* "RETURN" */

/* The mean gap (minutes of activity) after a session of satisfaction s. */
static double mean_gap(const lg_env *env, int viewer, float s)
{
    const lg_retention *rt = &env->sc.retention;
    return 60.0 * rt->gap_hours * env->sc.segments[env->live.seg_of[viewer]].gap_scale * exp(-(double)s);
}

/* A gap in active minutes: at least 1, at most max_gap_days. */
static double cap_gap(const lg_env *env, double g)
{
    const double cap = env->sc.retention.max_gap_days * (double)LG_MINUTES_PER_DAY;
    return g < 1.0 ? 1.0 : (g > cap ? cap : g);
}

/* A log-normal gap around `mean` (its mean), capped, from one normal draw. */
static double draw_gap(const lg_env *env, double mean, double z)
{
    const double sd = env->sc.retention.gap_spread;
    return cap_gap(env, mean * exp(sd * z - 0.5 * sd * sd));
}

float lg_satisfaction(const lg_env *env, int slot)
{
    const lg_retention *rt = &env->sc.retention;
    const lg_live *L = &env->live;
    const float *ss = &L->sess[(size_t)slot * 4];
    const int viewer = env->slot[slot].viewer, steps = env->slot[slot].session_step;
    float quality = ss[0] > 0.0f ? ss[1] / ss[0] : 0.5f;
    float watched = steps > 0 ? ss[0] / ((float)steps * env->sc.dt) : 0.5f;
    float fatigue = 0.0f;
    for (int k = 0; k < L->K; k++) fatigue += L->fatigue[(size_t)viewer * L->K + k];
    float s = rt->quality_weight * (quality - 0.5f) + rt->watch_weight * (watched - 0.5f) - rt->fatigue_weight * fatigue;
    return lg_clampf(s, -20.0f, 20.0f);
}

void lg_visits_draw(lg_env *env, uint64_t seed)
{
    lg_live *L = &env->live;
    if (!L->return_at) return;
    for (int v = 0; v < L->U; v++) {
        /* A first visit somewhere in the next mean gap: arrivals spread
         * evenly from the start rather than all at once. */
        uint64_t key = lg_key3(seed, LG_P_RETURN, (uint64_t)v);
        double g = cap_gap(env, lg_u01(key, 0) * mean_gap(env, v, 0.0f));
        L->return_at[v] = after_active(env, L->seg_of[v], env->clock, g);
        L->last_sat[v] = 0.0f;
        L->visit_end[v] = -LG_NEVER;
    }
    lg_visits_rebuild(env);
}

void lg_session_start(lg_env *env, int slot)
{
    const lg_scenario *sc = &env->sc;
    lg_slot *sl = &env->slot[slot];
    lg_live *L = &env->live;
    uint64_t key = lg_key(lg_key3(env->slot_seed[slot], LG_P_SESSION, (uint64_t)slot), sl->session_index);
    int viewer = -1;
    if (L->return_at) {
        /* Retention: the viewer due first, or no one: the slot idles. */
        viewer = due_pop(L, env->clock);
        sl->session_step = 0;
        if (viewer < 0) {
            sl->viewer = -1;
            sl->watched_last = 0;
            sl->last_category = -1;
            memset(&L->history[slot * L->K], 0, sizeof(float) * (size_t)L->K);
            return;
        }
        float *ss = &L->sess[(size_t)slot * 4];
        ss[0] = ss[1] = 0.0f;
        ss[2] = L->visit_end[viewer] <= -LG_NEVER
                    ? -1.0f
                    : (float)fmax(0.0, (env->clock - L->visit_end[viewer]) / LG_MINUTES_PER_DAY);
        ss[3] = L->last_sat[viewer];
    } else {
        viewer = draw_viewer(env, slot, key);
    }
    env->live.busy[viewer] = 1;

    /* Fatigue decays while the viewer is away. */
    float away = (float)env->clock - env->live.fatigue_time[viewer];
    if (away > 0.0f) {
        float f = exp2f(-away / sc->fatigue_half_life);
        float *fat = &env->live.fatigue[(size_t)viewer * env->live.K];
        for (int k = 0; k < env->live.K; k++) fat[k] *= f;
    }

    sl->viewer = viewer;
    sl->session_step = 0;
    sl->budget = sc->segments[env->live.seg_of[viewer]].patience * (float)(0.5 + lg_u01(key, 100));
    sl->last_category = -1;
    sl->watched_last = 0;
    sl->step_key = lg_key(lg_key3(env->slot_seed[slot], LG_P_STEP, (uint64_t)slot), sl->session_index);
    sl->session_index++;
    memset(&env->live.history[slot * env->live.K], 0, sizeof(float) * (size_t)env->live.K);
}

void lg_session_end(lg_env *env, int slot, int viewer)
{
    lg_live *L = &env->live;
    L->busy[viewer] = 0;
    L->fatigue_time[viewer] = (float)env->clock;
    if (!L->return_at) return;
    const float s = lg_satisfaction(env, slot);
    const double z = lg_normal(lg_key(env->slot[slot].step_key, RETURN_KEY), 0);
    L->return_at[viewer] = after_active(env, L->seg_of[viewer], env->clock, draw_gap(env, mean_gap(env, viewer, s), z));
    L->last_sat[viewer] = s;
    L->visit_end[viewer] = env->clock;
    due_push(L, viewer);
}

/* The items of a slate of channels a viewer can take: in range, on air,
 * each channel once (its first position). Their channels go to valid[],
 * their positions to at[]; returns how many. */
static int takeable(const lg_env *env, const int32_t *channels, int *valid, int *at)
{
    int n = 0;
    for (int i = 0; i < env->k; i++) {
        int c = channels[i], ok = c >= 0 && c < env->C && env->live.on_air[c];
        for (int j = 0; j < n && ok; j++) ok = valid[j] != c;
        if (ok) valid[n] = c, at[n++] = i;
    }
    return n;
}

/* The cascade's draws come from their own key, two per position: looking
 * at item i takes it with probability w / (1 + w) (its slate-of-one take
 * rate); passing it, the viewer looks at the next with probability
 * position_decay. */
#define CASCADE_KEY 0x43415343414445ULL /* "CASCADE" */

/* Returns the index into valid[] of the item taken, or -1. */
static int cascade(const lg_scenario *sc, const lg_slot *sl, const int *at, const float *weight, int n_valid)
{
    const uint64_t key = lg_key(sl->step_key, CASCADE_KEY), ctr = (uint64_t)sl->session_step * 2 * LG_MAX_SLATE;
    for (int i = 0, j = 0; i < sc->slate_size; i++) {
        if (j < n_valid && at[j] == i) {
            float w = weight[j];
            if (lg_u01f(key, ctr + 2 * (uint64_t)i) < w / (1.0f + w)) return j;
            j++;
        }
        if (lg_u01f(key, ctr + 2 * (uint64_t)i + 1) >= sc->position_decay) break;
    }
    return -1;
}

/* Draw counters per step: the same five per step whatever happens, so two
 * agents evaluated on the same seed see the same random numbers at the same
 * (slot, session, step): common random numbers for paired comparisons. */
enum { DRAW_CHOICE = 0, DRAW_STAY = 1, DRAW_LEAVE = 2, DRAW_GIFT = 3, DRAW_FOLLOW = 4, DRAWS_PER_STEP = 8 };

void lg_session_step(lg_env *env, int slot, const int32_t *items)
{
    const lg_scenario *sc = &env->sc;
    lg_slot *sl = &env->slot[slot];
    lg_info *info = &env->buf.info[slot];
    const int viewer = sl->viewer;
    const uint64_t ctr = (uint64_t)sl->session_step * DRAWS_PER_STEP;

    /* Which slate items can be watched, and their choice weights. */
    int valid[LG_MAX_SLATE], at[LG_MAX_SLATE];
    float weight[LG_MAX_SLATE];
    const int n_valid = takeable(env, items, valid, at), n_invalid = env->k - n_valid;
    float wsum = 1.0f; /* the no-watch option: exp(U0 - U0) */
    for (int j = 0; j < n_valid; j++) {
        float w = expf(lg_utility(env, viewer, valid[j]) - sc->no_watch_utility);
        if (!isfinite(w)) {
            env->warnings++;
            w = w > 0 ? 1e30f : 0.0f;
        }
        if (sc->slate_choice == LG_SLATE_POSITION) w *= lg_position_weight(sc, at[j]);
        weight[j] = w;
        wsum += w;
    }
    int taken = -1; /* index into valid[] */
    if (sc->slate_choice == LG_SLATE_CASCADE) {
        taken = cascade(sc, sl, at, weight, n_valid);
    } else {
        float r = lg_u01f(sl->step_key, ctr + DRAW_CHOICE) * wsum;
        for (int j = 0; j < n_valid; j++) {
            if (r < weight[j]) {
                taken = j;
                break;
            }
            r -= weight[j];
        }
    }
    const int chosen = taken >= 0 ? valid[taken] : -1;

    float minutes = 0.0f;
    int gifts = 0, follows = 0;
    float *fat = &env->live.fatigue[(size_t)viewer * env->live.K];
    for (int k = 0; k < env->live.K; k++) fat[k] *= env->live.fatigue_decay_step;
    float *h = &env->live.history[slot * env->live.K];
    for (int k = 0; k < env->live.K; k++) h[k] *= 0.7f;
    if (chosen >= 0) {
        const lg_channel_spec *ch = &env->channels[chosen];
        const float left = lg_world_minutes_left(env, chosen), maxw = left < sc->dt ? left : sc->dt;
        float eng = lg_engagement(env, viewer, chosen);
        /* Stay the whole round with probability eng, else leave at a uniform
         * time: E[minutes] = maxw * (1 + eng) / 2 exactly. */
        if (lg_u01f(sl->step_key, ctr + DRAW_STAY) < eng)
            minutes = maxw;
        else
            minutes = maxw * lg_u01f(sl->step_key, ctr + DRAW_LEAVE);
        gifts = lg_u01f(sl->step_key, ctr + DRAW_GIFT) < sc->gift_rate * ch->quality;
        if (can_follow(env, viewer, chosen) && lg_u01f(sl->step_key, ctr + DRAW_FOLLOW) < sc->follow_rate * eng) {
            add_follow(env, viewer, chosen);
            follows = 1;
        }
        fat[ch->category] += sc->fatigue_gain * minutes;
        float pull = sc->interest_drift * minutes / sc->dt;
        float *u = &env->live.u[(size_t)viewer * env->live.D];
        const float *vc = &env->live.v[chosen * env->live.D];
        for (int j = 0; j < env->live.D; j++) u[j] += pull * (vc[j] - u[j]);
        float good = (ch->quality - sc->refund_quality_floor) / (1.0f - sc->refund_quality_floor);
        sl->budget += minutes * sc->refund_max * lg_clampf(good, 0.0f, 1.0f);
        h[ch->category] += 0.3f;
        sl->last_category = ch->category;
        if (env->live.sess) {
            env->live.sess[(size_t)slot * 4] += minutes;
            env->live.sess[(size_t)slot * 4 + 1] += minutes * ch->quality;
        }
        if (env->live.watchers[chosen]++ == 0 && env->live.n_watched >= 0)
            env->live.watched[env->live.n_watched++] = chosen;
    }
    sl->budget -= sc->dt;
    sl->watched_last = (uint8_t)(chosen >= 0);
    sl->session_step++;

    info->watched = chosen;
    info->position = taken >= 0 ? at[taken] : -1;
    info->viewer = viewer;
    info->segment = env->live.seg_of[viewer];
    info->session_step = sl->session_step;
    info->watch_minutes = minutes;
    info->budget_left = sl->budget > 0.0f ? sl->budget : 0.0f;
    info->chose = (uint8_t)(chosen >= 0);
    info->invalid = (uint8_t)n_invalid;
    info->gifts = (uint8_t)gifts;
    info->follows = (uint8_t)follows;
    info->r_watch = sc->reward_watch * minutes;
    info->r_gift = sc->reward_gift * (float)gifts;
    info->r_follow = sc->reward_follow * (float)follows;
    info->r_invalid = sc->invalid_penalty * (float)n_invalid;
    uint8_t term = sl->budget <= 0.0f, trunc = (uint8_t)(!term && sl->session_step >= sc->max_session_steps);
    float reward = info->r_watch + info->r_gift + info->r_follow - info->r_invalid;
    info->r_return = 0.0f;
    info->idle = 0;
    if (env->live.sess && (term || trunc)) reward += info->r_return = sc->reward_return * lg_satisfaction(env, slot);
    env->buf.reward[slot] = reward;
    env->buf.terminated[slot] = term;
    env->buf.truncated[slot] = trunc;
}

void lg_session_idle(lg_env *env, int slot)
{
    lg_info *info = &env->buf.info[slot];
    memset(info, 0, sizeof *info);
    info->watched = info->viewer = info->segment = info->position = -1;
    info->idle = 1;
    env->buf.reward[slot] = 0.0f;
    env->buf.terminated[slot] = env->buf.truncated[slot] = 0;
}

/* The expected reward of a step in which the viewer watches channel c
 * (on air). */
static float reward_if_chosen(const lg_env *env, int viewer, int c)
{
    const lg_scenario *sc = &env->sc;
    const lg_channel_spec *ch = &env->channels[c];
    float eng = lg_engagement(env, viewer, c);
    const float left = lg_world_minutes_left(env, c), maxw = left < sc->dt ? left : sc->dt;
    float r = sc->reward_watch * maxw * (1.0f + eng) * 0.5f + sc->reward_gift * sc->gift_rate * ch->quality;
    if (can_follow(env, viewer, c)) r += sc->reward_follow * sc->follow_rate * eng;
    return r;
}

/* The expected immediate reward of showing channel c alone to the viewer. */
static float expected_of(const lg_env *env, int viewer, int c)
{
    const lg_scenario *sc = &env->sc;
    if (c < 0 || !env->live.on_air[c]) return -sc->invalid_penalty;
    float p = lg_sigmoid(lg_utility(env, viewer, c) - sc->no_watch_utility);
    return p * reward_if_chosen(env, viewer, c);
}

/* The logit weight exp(U - U0) of channel c (on air) for the viewer, in
 * double, capped as the step caps its float one. */
static double choice_weight(const lg_env *env, int viewer, int c)
{
    double w = exp((double)lg_utility(env, viewer, c) - env->sc.no_watch_utility);
    return isfinite(w) ? w : 1e30;
}

/* Slot's viewer facing the slate items[slate_size] (actions: candidates
 * looked up): the probability p[j] that the item at position j is taken
 * (0 for an invalid one), p[k] that nothing is, and (r not NULL) the
 * expected reward r[j] of a step in which item j is taken. Returns the
 * number of invalid items. */
static int slate_choice(const lg_env *env, int slot, const int32_t *items, double *p, double *r)
{
    const lg_scenario *sc = &env->sc;
    const int viewer = env->slot[slot].viewer, k = env->k;
    if (viewer < 0) { /* idle: no one takes anything, and nothing is paid */
        for (int i = 0; i < k; i++) {
            p[i] = 0.0;
            if (r) r[i] = 0.0;
        }
        p[k] = 1.0;
        return 0;
    }
    double w[LG_MAX_SLATE] = {0}, den = 1.0, reach = 1.0;
    int32_t channels[LG_MAX_SLATE] = {0};
    int valid[LG_MAX_SLATE], at[LG_MAX_SLATE];
    for (int i = 0; i < k; i++) {
        channels[i] = lg_action_channel(env, slot, items[i]);
        if (r) r[i] = 0.0;
    }
    const int n_valid = takeable(env, channels, valid, at);
    for (int j = 0; j < n_valid; j++) {
        const int i = at[j], c = valid[j];
        w[i] = choice_weight(env, viewer, c);
        if (r) r[i] = reward_if_chosen(env, viewer, c);
        if (sc->slate_choice == LG_SLATE_POSITION) w[i] *= lg_position_weight(sc, i);
        den += w[i];
    }
    p[k] = 1.0;
    for (int i = 0; i < k; i++) {
        if (sc->slate_choice == LG_SLATE_CASCADE) {
            p[i] = reach * w[i] / (1.0 + w[i]);
            reach = (reach - p[i]) * sc->position_decay;
        } else {
            p[i] = w[i] / den;
        }
        p[k] -= p[i];
    }
    if (p[k] < 0.0) p[k] = 0.0;
    return k - n_valid;
}

void lg_live_item_truth(const lg_env *env, int slot, double *weight, double *reward)
{
    const int viewer = env->slot[slot].viewer;
    for (int a = 0; a < env->A; a++) {
        int c = lg_action_channel(env, slot, a);
        weight[a] = reward[a] = 0.0;
        if (viewer < 0 || c < 0 || c >= env->C || !env->live.on_air[c]) continue;
        weight[a] = choice_weight(env, viewer, c);
        reward[a] = reward_if_chosen(env, viewer, c);
    }
}

void lg_live_slate_choice_probs(const lg_env *env, int slot, const int32_t *items, double *out)
{
    slate_choice(env, slot, items, out, NULL);
}

double lg_live_expected_reward_slate(const lg_env *env, int slot, const int32_t *items)
{
    double p[LG_MAX_SLATE + 1], r[LG_MAX_SLATE], got = 0.0;
    int n_invalid = slate_choice(env, slot, items, p, r);
    for (int i = 0; i < env->sc.slate_size; i++) got += p[i] * r[i];
    return got - (double)env->sc.invalid_penalty * n_invalid;
}

void lg_live_expected_reward_channels(const lg_env *env, int slot, float *out)
{
    const int viewer = env->slot[slot].viewer;
    for (int c = 0; c < env->C; c++) out[c] = viewer < 0 ? 0.0f : expected_of(env, viewer, c); /* idle: 0 */
}

void lg_live_expected_reward(const lg_env *env, int slot, float *out)
{
    const int32_t *cand = env->buf.candidates;
    if (!cand) {
        lg_live_expected_reward_channels(env, slot, out);
        return;
    }
    const int viewer = env->slot[slot].viewer;
    for (int j = 0; j < env->A; j++) out[j] = viewer < 0 ? 0.0f : expected_of(env, viewer, cand[(size_t)slot * env->A + j]);
}
