/* Scenario defaults, the channel generator, and range/consistency checks. */
#include "lg_scenario.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "env_internal.h"
#include "lg_error.h"

static const char *const default_categories[] = {"gaming", "music", "sports", "talk",
                                                 "shopping", "education", "art", "travel"};

void lg_activity_curve(float *a, float peak_hour, float width_hours, float floor)
{
    for (int h = 0; h < 24; h++) {
        float d = fabsf((float)h - peak_hour);
        if (d > 12.0f) d = 24.0f - d;
        a[h] = floor + expf(-d * d / (2.0f * width_hours * width_hours));
    }
}

static void set_segment(lg_segment *s, const char *name, float weight, float spread, float herding,
                        float quality_w, float appeal_w, float follow_w, float patience,
                        float peak_hour, float width)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->weight = weight;
    s->interest_spread = spread;
    s->herding = herding;
    s->quality_weight = quality_w;
    s->appeal_weight = appeal_w;
    s->follow_weight = follow_w;
    s->patience = patience;
    lg_activity_curve(s->activity, peak_hour, width, 0.15f);
    s->gap_scale = 1.0f;
}

void lg_retention_default(lg_retention *r)
{
    *r = (lg_retention){.enabled = 0, .gap_hours = 24.0f, .gap_spread = 0.5f, .quality_weight = 2.0f,
                        .watch_weight = 1.0f, .fatigue_weight = 0.5f, .max_gap_days = 30.0f};
}

void lg_channel_generator_default(lg_channel_generator *g)
{
    memset(g, 0, sizeof *g);
    g->seed = 7;
    g->count = 50;
    g->quality_mean = 0.55f;
    g->quality_sd = 0.2f;
    g->appeal_mean = 0.5f;
    g->appeal_sd = 0.2f;
    g->appeal_quality_corr = 0.0f;
    g->popularity_sd = 0.8f;
    g->popularity_quality = 1.0f;
    g->always_on_fraction = 0.2f;
    g->prime_hour = 19.0f;
    g->start_spread_hours = 4.0f;
    g->duration_mean = 240.0f;
    g->duration_sd = 90.0f;
    g->jitter = 20.0f;
}

static float clampf(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

/* Generated channels take the categories in turn, so every one is represented. */
static int generated_category(int n_categories, int c) { return c % n_categories; }

/* Channel c of generator g: every channel has its own key, so one can be
 * made without the others (generated catalogues are never stored). */
static void generate_channel(const lg_channel_generator *g, int n_categories, int c, lg_channel_spec *ch)
{
    float rho = g->appeal_quality_corr;
    uint64_t key = lg_key3(g->seed, LG_P_GENERATOR, (uint64_t)c);
    double zq = lg_normal(key, 0), za = lg_normal(key, 1), zp = lg_normal(key, 2);
    double zs = lg_normal(key, 3), zd = lg_normal(key, 4);
    memset(ch, 0, sizeof *ch);
    snprintf(ch->name, sizeof ch->name, "ch%02d", c);
    ch->category = generated_category(n_categories, c);
    ch->quality = clampf(g->quality_mean + g->quality_sd * (float)zq, 0.0f, 1.0f);
    ch->appeal = clampf(g->appeal_mean + g->appeal_sd * (float)(rho * zq + sqrt(1.0 - rho * rho) * za), 0.0f, 1.0f);
    ch->base_popularity = g->popularity_sd * (float)zp + g->popularity_quality * (ch->quality - 0.5f);
    ch->always_on = lg_u01(key, 100) < g->always_on_fraction;
    ch->n_windows = 1;
    float start_h = fmodf(g->prime_hour + g->start_spread_hours * (float)zs + 48.0f, 24.0f);
    ch->windows[0].start = floorf(start_h * 60.0f);
    ch->windows[0].duration = clampf(roundf(g->duration_mean + g->duration_sd * (float)zd), 30.0f, 1440.0f);
    ch->windows[0].jitter = g->jitter;
}

int lg_generate_channels(lg_scenario *sc, const lg_channel_generator *g, char *err, size_t errsz)
{
    if (g->count < 1 || g->count > LG_MAX_CHANNELS)
        return lg_fail(err, errsz, "world.channels.generate.count: expected an integer in [1, %d], found %d",
                    LG_MAX_CHANNELS, g->count);
    if (!(g->appeal_quality_corr >= -1.0f && g->appeal_quality_corr <= 1.0f))
        return lg_fail(err, errsz,
                    "world.channels.generate.appeal_quality_corr: expected a number in [-1, 1], found %g",
                    (double)g->appeal_quality_corr);
    if (!(g->always_on_fraction >= 0.0f && g->always_on_fraction <= 1.0f))
        return lg_fail(err, errsz,
                    "world.channels.generate.always_on_fraction: expected a number in [0, 1], found %g",
                    (double)g->always_on_fraction);
    if (!(g->duration_mean > 0.0f))
        return lg_fail(err, errsz, "world.channels.generate.duration_mean: expected a number > 0, found %g",
                    (double)g->duration_mean);
    sc->n_channels = g->count;
    memset(sc->channels, 0, sizeof sc->channels);
    memset(&sc->generator, 0, sizeof sc->generator);
    sc->channels_generated = g->count > LG_MAX_LISTED_CHANNELS;
    if (sc->channels_generated) sc->generator = *g;
    else
        for (int c = 0; c < g->count; c++) generate_channel(g, sc->n_categories, c, &sc->channels[c]);
    return 0;
}

void lg_scenario_channel(const lg_scenario *sc, int c, lg_channel_spec *out)
{
    if (sc->channels_generated) generate_channel(&sc->generator, sc->n_categories, c, out);
    else *out = sc->channels[c];
}

int lg_scenario_channel_category(const lg_scenario *sc, int c)
{
    return sc->channels_generated ? generated_category(sc->n_categories, c) : sc->channels[c].category;
}

void lg_scenario_default(lg_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    snprintf(sc->name, sizeof sc->name, "default");
    snprintf(sc->description, sizeof sc->description,
             "A mid-size live platform: 50 channels in 8 categories, 10,000 viewers in 4 segments, daily "
             "schedules, popularity drift and herding. The reference world for comparing agents. The run "
             "checks (claims), in the final evaluation: the context-free bandits (epsilon-greedy, UCB1, "
             "Thompson) earn more than popular, and the cheating myopic oracle at least 10 more than UCB1; "
             "LinUCB earns at least 10 more than UCB1 and comes within 10 of the oracle, with a regret "
             "well below UCB1's; DQN earns more than UCB1 and comes within 15 of the oracle. A run (what "
             "make run does) takes about a minute on 2 cores.");
    sc->world_seed = 42;

    sc->n_categories = 8;
    for (int k = 0; k < 8; k++) snprintf(sc->category_names[k], LG_NAME_LEN, "%s", default_categories[k]);
    sc->latent_dim = 8;
    sc->category_separation = 2.0f;
    sc->channel_spread = 0.35f;
    sc->embedding_dim = 4;
    sc->modality_noise[0] = 0.3f; /* visual */
    sc->modality_noise[1] = 0.5f; /* audio */
    sc->modality_noise[2] = 0.2f; /* text */
    sc->popularity_reversion = 1.0f / 360.0f;
    sc->popularity_volatility = 0.02f;
    sc->popularity_feedback = 2.0f;
    sc->audience_peak = 20000.0f;
    sc->audience_amplitude = 0.6f;
    sc->audience_peak_hour = 21.0f;
    sc->platform_tick = 1;

    sc->n_viewers = 10000;
    sc->n_segments = 4;
    /* Interest weights index default_categories. */
    set_segment(&sc->segments[0], "casual", 0.4f, 0.8f, 0.35f, 0.3f, 1.5f, 1.0f, 35.0f, 20.0f, 3.0f);
    sc->segments[0].interest[0] = 0.3f;
    sc->segments[0].interest[1] = 0.3f;
    sc->segments[0].interest[3] = 0.2f;
    sc->segments[0].interest[4] = 0.2f;
    set_segment(&sc->segments[1], "gamer", 0.25f, 0.5f, 0.1f, 1.0f, 0.8f, 1.5f, 90.0f, 22.0f, 3.0f);
    sc->segments[1].interest[0] = 0.8f;
    sc->segments[1].interest[6] = 0.2f;
    set_segment(&sc->segments[2], "sports-fan", 0.2f, 0.6f, 0.25f, 0.6f, 1.0f, 1.0f, 60.0f, 17.0f, 4.0f);
    sc->segments[2].interest[2] = 0.8f;
    sc->segments[2].interest[3] = 0.2f;
    set_segment(&sc->segments[3], "night-owl", 0.15f, 0.7f, 0.15f, 0.6f, 1.2f, 1.0f, 50.0f, 1.0f, 3.0f);
    sc->segments[3].interest[1] = 0.5f;
    sc->segments[3].interest[3] = 0.3f;
    sc->segments[3].interest[6] = 0.2f;

    sc->no_watch_utility = 3.0f;
    sc->fatigue_gain = 0.02f;
    sc->fatigue_half_life = 120.0f;
    sc->fatigue_weight = 1.0f;
    sc->interest_drift = 0.01f;
    sc->engagement_bias = -0.5f;
    sc->engagement_match = 1.0f;
    sc->engagement_quality = 3.0f;
    sc->gift_rate = 0.05f;
    sc->follow_rate = 0.05f;
    sc->max_follows = 16;
    sc->refund_max = 0.9f;
    sc->refund_quality_floor = 0.4f;
    lg_retention_default(&sc->retention);

    sc->dt = 5.0f;
    sc->slate_size = 1;
    sc->slate_choice = LG_SLATE_MNL;
    sc->position_decay = 1.0f;
    sc->max_session_steps = 48;
    sc->start_minute = 0.0f;
    sc->horizon_minutes = 7.0f * LG_MINUTES_PER_DAY;

    sc->reward_watch = 1.0f;
    sc->reward_gift = 0.0f;
    sc->reward_follow = 0.0f;
    sc->invalid_penalty = 0.0f;

    sc->obs_mode = LG_OBS_VECTOR;
    sc->observe_segment = 1;

    lg_channel_generator g;
    lg_channel_generator_default(&g);
    lg_generate_channels(sc, &g, NULL, 0);

    sc->kind = LG_KIND_LIVE;
    sc->bandit = (lg_bandit_params){.arms = 10, .mean = 0.0f, .sd = 1.0f, .reward_sd = 1.0f, .walk_sd = 0.0f,
                                    .steps = 1000};
    sc->cliff = (lg_cliff_params){.rows = 4, .cols = 12, .step_reward = -1.0f, .cliff_reward = -100.0f,
                                  .max_steps = 10000};
}

const char *lg_env_kind_name(lg_env_kind k)
{
    switch (k) {
    case LG_KIND_LIVE: return "live";
    case LG_KIND_BANDIT: return "bandit";
    case LG_KIND_CLIFF: return "cliff";
    }
    return "unknown";
}

const char *lg_event_type_name(lg_event_type t)
{
    static const char *const names[LG_EV_COUNT] = {"spike",        "trend_shift", "off_air",
                                                   "new_channel",  "bot_wave",    "interest_shift"};
    return (t >= 0 && t < LG_EV_COUNT) ? names[t] : "unknown";
}

const char *lg_slate_choice_name(lg_slate_choice m)
{
    return m == LG_SLATE_POSITION ? "position" : m == LG_SLATE_CASCADE ? "cascade" : "mnl";
}

const char *lg_obs_mode_name(lg_obs_mode m)
{
    switch (m) {
    case LG_OBS_VECTOR: return "vector";
    case LG_OBS_TABULAR: return "tabular";
    case LG_OBS_IDEAL: return "ideal";
    }
    return "unknown";
}

/* Range checks. `!(x >= lo && x <= hi)` also rejects NaN. */
#define CHECK_RANGE(path_fmt, x, lo, hi, ...)                                                    \
    do {                                                                                        \
        double v_ = (double)(x);                                                                \
        if (!(v_ >= (double)(lo) && v_ <= (double)(hi))) {                                      \
            char p_[160];                                                                       \
            snprintf(p_, sizeof p_, path_fmt, __VA_ARGS__);                                     \
            return lg_fail(err, errsz, "%s: expected a number in [%.10g, %.10g], found %.10g", p_, \
                        (double)(lo), (double)(hi), v_);                                        \
        }                                                                                       \
    } while (0)
#define CHECK(path, x, lo, hi) CHECK_RANGE("%s", x, lo, hi, path)

/* The kind and the classic envs' parameters. */
static int check_classic(const lg_scenario *sc, char *err, size_t errsz)
{
    CHECK("kind", sc->kind, 0, 2);
    CHECK("bandit.arms", sc->bandit.arms, 1, LG_MAX_LISTED_CHANNELS);
    CHECK("bandit.mean", sc->bandit.mean, -1e6, 1e6);
    CHECK("bandit.sd", sc->bandit.sd, 0, 1e6);
    CHECK("bandit.reward_sd", sc->bandit.reward_sd, 0, 1e6);
    CHECK("bandit.walk_sd", sc->bandit.walk_sd, 0, 1e6);
    CHECK("bandit.steps", sc->bandit.steps, 1, 100000000);
    CHECK("cliff.rows", sc->cliff.rows, 2, 64);
    CHECK("cliff.cols", sc->cliff.cols, 3, 64);
    CHECK("cliff.step_reward", sc->cliff.step_reward, -1e6, 1e6);
    CHECK("cliff.cliff_reward", sc->cliff.cliff_reward, -1e6, 1e6);
    CHECK("cliff.max_steps", sc->cliff.max_steps, 1, 100000000);
    return 0;
}

/* The world: categories, latent space, popularity, audience, channels. */
static int check_world(const lg_scenario *sc, char *err, size_t errsz)
{
    CHECK("world.categories (count)", sc->n_categories, 1, LG_MAX_CATEGORIES);
    CHECK("world.latent_dim", sc->latent_dim, 1, LG_MAX_DIM);
    CHECK("world.category_separation", sc->category_separation, 0, 100);
    CHECK("world.channel_spread", sc->channel_spread, 0, 100);
    CHECK("world.channels (count)", sc->n_channels, 1, LG_MAX_CHANNELS);
    CHECK("world.embedding_dim", sc->embedding_dim, 0, LG_MAX_EMB);
    CHECK("world.modality_noise.visual", sc->modality_noise[0], 0, 100);
    CHECK("world.modality_noise.audio", sc->modality_noise[1], 0, 100);
    CHECK("world.modality_noise.text", sc->modality_noise[2], 0, 100);
    CHECK("world.popularity.reversion", sc->popularity_reversion, 0, 1);
    CHECK("world.popularity.volatility", sc->popularity_volatility, 0, 10);
    CHECK("world.popularity.feedback", sc->popularity_feedback, -100, 100);
    CHECK("world.audience.peak", sc->audience_peak, 0, 1e9);
    CHECK("world.platform_tick", sc->platform_tick, 1, 10000);
    CHECK("world.audience.amplitude", sc->audience_amplitude, 0, 0.999);
    CHECK("world.audience.peak_hour", sc->audience_peak_hour, 0, 24);
    CHECK("world.channels (generated)", sc->channels_generated, sc->n_channels > LG_MAX_LISTED_CHANNELS,
          sc->n_channels > LG_MAX_LISTED_CHANNELS);
    if (sc->channels_generated) CHECK("world.channels.generate.count", sc->generator.count, sc->n_channels, sc->n_channels);
    for (int c = 0; c < sc->n_channels; c++) {
        lg_channel_spec spec;
        lg_scenario_channel(sc, c, &spec);
        const lg_channel_spec *ch = &spec;
        CHECK_RANGE("world.channels[%d].category", ch->category, 0, sc->n_categories - 1, c);
        CHECK_RANGE("world.channels[%d].quality", ch->quality, 0, 1, c);
        CHECK_RANGE("world.channels[%d].appeal", ch->appeal, 0, 1, c);
        CHECK_RANGE("world.channels[%d].base_popularity", ch->base_popularity, -20, 20, c);
        if (!ch->always_on) {
            CHECK_RANGE("world.channels[%d].windows (count)", ch->n_windows, 1, LG_MAX_WINDOWS, c);
            for (int w = 0; w < ch->n_windows; w++) {
                const lg_window *win = &ch->windows[w];
                CHECK_RANGE("world.channels[%d].windows[%d].start", win->start, 0, LG_MINUTES_PER_DAY - 1e-3, c, w);
                CHECK_RANGE("world.channels[%d].windows[%d].duration", win->duration, 1, LG_MINUTES_PER_DAY, c, w);
                CHECK_RANGE("world.channels[%d].windows[%d].jitter", win->jitter, 0, 360, c, w);
            }
        }
    }
    return 0;
}

/* The viewer pool and its segments. */
static int check_segments(const lg_scenario *sc, char *err, size_t errsz)
{
    CHECK("population.viewers", sc->n_viewers, 1, LG_MAX_VIEWERS);
    CHECK("population.segments (count)", sc->n_segments, 1, LG_MAX_SEGMENTS);
    double wsum = 0;
    for (int s = 0; s < sc->n_segments; s++) {
        const lg_segment *sg = &sc->segments[s];
        CHECK_RANGE("population.segments[%d].weight", sg->weight, 0, 1e6, s);
        wsum += sg->weight;
        double isum = 0;
        for (int k = 0; k < sc->n_categories; k++) {
            CHECK_RANGE("population.segments[%d].interest.%s", sg->interest[k], 0, 1e6, s, sc->category_names[k]);
            isum += sg->interest[k];
        }
        if (!(isum > 0))
            return lg_fail(err, errsz,
                        "population.segments[%d].interest: expected at least one positive weight, found all zero", s);
        CHECK_RANGE("population.segments[%d].interest_spread", sg->interest_spread, 0, 100, s);
        CHECK_RANGE("population.segments[%d].herding", sg->herding, -10, 10, s);
        CHECK_RANGE("population.segments[%d].quality_weight", sg->quality_weight, -100, 100, s);
        CHECK_RANGE("population.segments[%d].appeal_weight", sg->appeal_weight, -100, 100, s);
        CHECK_RANGE("population.segments[%d].follow_weight", sg->follow_weight, -100, 100, s);
        CHECK_RANGE("population.segments[%d].patience", sg->patience, 1, 100000, s);
        CHECK_RANGE("population.segments[%d].gap_scale", sg->gap_scale, 1e-3, 1e3, s);
        double asum = 0;
        for (int h = 0; h < 24; h++) {
            CHECK_RANGE("population.segments[%d].activity[%d]", sg->activity[h], 0, 1e6, s, h);
            asum += sg->activity[h];
        }
        if (!(asum > 0))
            return lg_fail(err, errsz,
                        "population.segments[%d].activity: expected at least one positive hour, found all zero", s);
    }
    if (!(wsum > 0))
        return lg_fail(err, errsz, "population.segments: expected at least one positive weight, found all zero");
    if (sc->n_viewers < sc->n_segments)
        return lg_fail(err, errsz, "population.viewers: expected at least one viewer per segment (%d), found %d",
                    sc->n_segments, sc->n_viewers);
    return 0;
}

/* Viewer behaviour, sessions, reward, observation. */
static int check_scalars(const lg_scenario *sc, char *err, size_t errsz)
{
    CHECK("population.no_watch_utility", sc->no_watch_utility, -100, 100);
    CHECK("population.fatigue.gain", sc->fatigue_gain, 0, 100);
    CHECK("population.fatigue.half_life", sc->fatigue_half_life, 1e-3, 1e7);
    CHECK("population.fatigue.weight", sc->fatigue_weight, 0, 100);
    CHECK("population.interest_drift", sc->interest_drift, 0, 1);
    CHECK("population.engagement.bias", sc->engagement_bias, -100, 100);
    CHECK("population.engagement.match", sc->engagement_match, -100, 100);
    CHECK("population.engagement.quality", sc->engagement_quality, -100, 100);
    CHECK("population.gift_rate", sc->gift_rate, 0, 1);
    CHECK("population.follow_rate", sc->follow_rate, 0, 1);
    CHECK("population.max_follows", sc->max_follows, 0, LG_MAX_FOLLOWS);
    CHECK("population.refund.max", sc->refund_max, 0, 1);
    CHECK("population.refund.quality_floor", sc->refund_quality_floor, 0, 0.999);
    const lg_retention *rt = &sc->retention;
    CHECK("population.retention.enabled", rt->enabled, 0, 1);
    CHECK("population.retention.gap_hours", rt->gap_hours, 0.01, 24 * 365);
    CHECK("population.retention.gap_spread", rt->gap_spread, 0, 3);
    CHECK("population.retention.quality_weight", rt->quality_weight, -20, 20);
    CHECK("population.retention.watch_weight", rt->watch_weight, -20, 20);
    CHECK("population.retention.fatigue_weight", rt->fatigue_weight, -20, 20);
    CHECK("population.retention.max_gap_days", rt->max_gap_days, 0.01, 365);
    if (rt->enabled && sc->kind != LG_KIND_LIVE)
        return lg_fail(err, errsz, "population.retention.enabled: expected false in a classic world (%s), found true",
                       lg_env_kind_name(sc->kind));

    CHECK("session.dt", sc->dt, 0.01, LG_MINUTES_PER_DAY);
    CHECK("session.slate_size", sc->slate_size, 1, LG_MAX_SLATE);
    CHECK("session.position_decay", sc->position_decay, 0.0f, 1.0f);
    if (sc->slate_choice < LG_SLATE_MNL || sc->slate_choice > LG_SLATE_CASCADE)
        return lg_fail(err, errsz, "session.slate_choice: expected one of \"mnl\", \"position\", \"cascade\", found %d",
                       (int)sc->slate_choice);
    if (sc->slate_size > sc->n_channels)
        return lg_fail(err, errsz, "session.slate_size: expected at most the number of channels (%d), found %d",
                    sc->n_channels, sc->slate_size);
    CHECK("session.candidates", sc->candidates, 0, LG_MAX_CANDIDATES);
    if (sc->candidates > 0 && sc->kind != LG_KIND_LIVE)
        return lg_fail(err, errsz, "session.candidates: expected 0 in a classic world (%s), found %d",
                       lg_env_kind_name(sc->kind), sc->candidates);
    if (sc->candidates > 0 && (sc->candidates < sc->slate_size || sc->candidates > sc->n_channels))
        return lg_fail(err, errsz,
                       "session.candidates: expected 0 (no candidate stage) or from the slate size (%d) to the "
                       "number of channels (%d), found %d",
                       sc->slate_size, sc->n_channels, sc->candidates);
    CHECK("session.max_steps", sc->max_session_steps, 1, 1000000);
    CHECK("session.start_minute", sc->start_minute, 0, LG_MINUTES_PER_DAY - 1e-3);
    CHECK("session.horizon_minutes", sc->horizon_minutes, sc->dt, 1e8);

    CHECK("reward.watch", sc->reward_watch, -1e6, 1e6);
    CHECK("reward.gift", sc->reward_gift, -1e6, 1e6);
    CHECK("reward.follow", sc->reward_follow, -1e6, 1e6);
    CHECK("reward.invalid_penalty", sc->invalid_penalty, 0, 1e6);
    CHECK("reward.return", sc->reward_return, -1e6, 1e6);
    if (sc->reward_return != 0.0f && !rt->enabled)
        return lg_fail(err, errsz, "reward.return: expected 0 without population.retention.enabled, found %g",
                       (double)sc->reward_return);

    CHECK("observation.mode", sc->obs_mode, 0, 2);
    CHECK("observation.observe_segment", sc->observe_segment, 0, 1);

    return 0;
}

/* Scripted events: types, times, and what they refer to. */
static int check_events(const lg_scenario *sc, char *err, size_t errsz)
{
    CHECK("events (count)", sc->n_events, 0, LG_MAX_EVENTS);
    for (int e = 0; e < sc->n_events; e++) {
        const lg_event *ev = &sc->events[e];
        CHECK_RANGE("events[%d].type", ev->type, 0, LG_EV_COUNT - 1, e);
        CHECK_RANGE("events[%d].time", ev->time, 0, sc->horizon_minutes, e);
        CHECK_RANGE("events[%d].duration", ev->duration, 0, 1e8, e);
        switch (ev->type) {
        case LG_EV_SPIKE:
            CHECK_RANGE("events[%d].channel", ev->channel, 0, sc->n_channels - 1, e);
            CHECK_RANGE("events[%d].magnitude", ev->magnitude, -20, 20, e);
            break;
        case LG_EV_TREND:
            CHECK_RANGE("events[%d].category", ev->category, 0, sc->n_categories - 1, e);
            CHECK_RANGE("events[%d].magnitude", ev->magnitude, -20, 20, e);
            break;
        case LG_EV_OFF_AIR:
            CHECK_RANGE("events[%d].channel", ev->channel, 0, sc->n_channels - 1, e);
            break;
        case LG_EV_NEW_CHANNEL:
            CHECK_RANGE("events[%d].channel", ev->channel, 0, sc->n_channels - 1, e);
            for (int f = 0; f < e; f++)
                if (sc->events[f].type == LG_EV_NEW_CHANNEL && sc->events[f].channel == ev->channel)
                    return lg_fail(err, errsz, "events[%d].channel: channel %d already has a new_channel event", e,
                                   ev->channel);
            break;
        case LG_EV_BOT_WAVE:
            CHECK_RANGE("events[%d].channel", ev->channel, 0, sc->n_channels - 1, e);
            CHECK_RANGE("events[%d].magnitude", ev->magnitude, 0, 1e9, e);
            break;
        case LG_EV_INTEREST_SHIFT:
            CHECK_RANGE("events[%d].segment", ev->segment, 0, sc->n_segments - 1, e);
            CHECK_RANGE("events[%d].category", ev->category, 0, sc->n_categories - 1, e);
            CHECK_RANGE("events[%d].magnitude", ev->magnitude, 0, 1, e);
            break;
        default: break;
        }
    }
    return 0;
}

int lg_scenario_check(const lg_scenario *sc, char *err, size_t errsz)
{
    if (check_classic(sc, err, errsz) || check_world(sc, err, errsz) || check_segments(sc, err, errsz) ||
        check_scalars(sc, err, errsz) || check_events(sc, err, errsz))
        return -1;
    return 0;
}
