/* Scenario files, the world's part: the schema walk from a parsed document
 * into lg_scenario (docs/scenarios.md is the reference for every key), and
 * the world-only loaders. Parsing (strict JSON, messages with paths) is
 * env/base/lg_json.h; dumping is scenario_dump.c. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_file.h"
#include "lg_scenario_json.h"
#include "scenario_schema.h"

/* "experiment" and "claims" belong to the experiment layer (tools/lab): accepted here, not read. */
static const char *const K_TOP[] = {"name",   "description", "kind",   "world",      "population", "session",
                                    "reward", "observation", "events", "experiment", "claims", "bandit",     "cliff",
                                    NULL};
static const char *const K_BANDIT[] = {"arms", "mean", "sd", "reward_sd", "walk_sd", "steps", NULL};
static const char *const K_CLIFF[] = {"rows", "cols", "step_reward", "cliff_reward", "max_steps", NULL};
static const char *const K_WORLD[] = {"seed",          "latent_dim",     "category_separation", "channel_spread",
                                      "categories",    "embedding_dim",  "modality_noise",      "popularity",
                                      "audience",      "channels",       "platform_tick",       NULL};
static const char *const K_MODALITY[] = {"visual", "audio", "text", NULL};
static const char *const K_POPULARITY[] = {"reversion", "volatility", "feedback", NULL};
static const char *const K_AUDIENCE[] = {"peak", "amplitude", "peak_hour", NULL};
static const char *const K_CHANNEL[] = {"name",  "category", "quality", "appeal", "base_popularity",
                                        "always_on", "windows", NULL};
static const char *const K_WINDOW[] = {"start", "duration", "jitter", NULL};
static const char *const K_CHANNELS_OBJ[] = {"generate", NULL};
static const char *const K_GENERATOR[] = {"seed",          "count",       "quality_mean",       "quality_sd",
                                          "appeal_mean",   "appeal_sd",   "appeal_quality_corr", "popularity_sd",
                                          "popularity_quality", "always_on_fraction", "prime_hour",
                                          "start_spread_hours", "duration_mean", "duration_sd", "jitter", NULL};
static const char *const K_POPULATION[] = {"viewers",    "no_watch_utility", "fatigue",     "interest_drift",
                                           "engagement", "gift_rate",        "follow_rate", "max_follows",
                                           "refund",     "segments",         "retention",   NULL};
static const char *const K_RETENTION[] = {"enabled",        "gap_hours",      "gap_spread", "quality_weight",
                                          "watch_weight",   "fatigue_weight", "max_gap_days", NULL};
static const char *const K_FATIGUE[] = {"gain", "half_life", "weight", NULL};
static const char *const K_ENGAGEMENT[] = {"bias", "match", "quality", NULL};
static const char *const K_REFUND[] = {"max", "quality_floor", NULL};
static const char *const K_SEGMENT[] = {"name",          "weight",         "interest",      "interest_spread",
                                        "herding",       "quality_weight", "appeal_weight", "follow_weight",
                                        "patience",      "activity",       "gap_scale",     NULL};
static const char *const K_ACTIVITY_CURVE[] = {"peak_hour", "width_hours", "floor", NULL};
static const char *const K_SESSION[] = {"dt",           "slate_size",      "candidates",   "max_steps",
                                        "start_minute", "horizon_minutes", "slate_choice", "position_decay",
                                        NULL};
static const char *const K_REWARD[] = {"watch", "gift", "follow", "invalid_penalty", "return", NULL};
static const char *const K_OBSERVATION[] = {"mode", "observe_segment", NULL};

const lg_event_keys lg_event_key_table[LG_EV_COUNT] = {
    [LG_EV_SPIKE] = {{"time", "type", "channel", "magnitude", NULL, NULL}, 2},
    [LG_EV_TREND] = {{"time", "type", "category", "magnitude", "duration", NULL}, 2},
    [LG_EV_OFF_AIR] = {{"time", "type", "channel", "duration", NULL, NULL}, 1},
    [LG_EV_NEW_CHANNEL] = {{"time", "type", "channel", NULL, NULL, NULL}, 1},
    [LG_EV_BOT_WAVE] = {{"time", "type", "channel", "magnitude", "duration", NULL}, 2},
    [LG_EV_INTEREST_SHIFT] = {{"time", "type", "segment", "category", "magnitude", NULL}, 3},
};

typedef struct {
    int categories_given;
    int segments_given;
    int old_n_categories;
    char old_category_names[LG_MAX_CATEGORIES][LG_NAME_LEN];
} load_state;

static int load_categories(lg_jctx *c, const cJSON *arr, lg_scenario *sc)
{
    int n;
    if (lg_jexpect_array(c, arr, 1, LG_MAX_CATEGORIES, "category names", &n)) return -1;
    memset(sc->category_names, 0, sizeof sc->category_names);
    sc->n_categories = n;
    lg_jnames nl = category_names(sc);
    int i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        size_t s = lg_jpush_idx(c, i);
        if (lg_jval_string(c, it, sc->category_names[i], LG_NAME_LEN, 1)) return -1;
        if (lg_jcheck_unique(c, &nl, i, "world.categories")) return -1;
        lg_jpop(c, s);
    }
    return 0;
}

static int load_generator(lg_jctx *c, const cJSON *g, lg_scenario *sc)
{
    lg_channel_generator gen;
    lg_channel_generator_default(&gen);
    if (lg_jexpect_object(c, g, K_GENERATOR)) return -1;
    if (lg_jget_u64(c, g, "seed", &gen.seed) || lg_jget_int(c, g, "count", 1, LG_MAX_CHANNELS, &gen.count) ||
        lg_jget_float_range(c, g, "quality_mean", 0, 1, &gen.quality_mean) ||
        lg_jget_float_range(c, g, "quality_sd", 0, 1, &gen.quality_sd) ||
        lg_jget_float_range(c, g, "appeal_mean", 0, 1, &gen.appeal_mean) ||
        lg_jget_float_range(c, g, "appeal_sd", 0, 1, &gen.appeal_sd) ||
        lg_jget_float_range(c, g, "appeal_quality_corr", -1, 1, &gen.appeal_quality_corr) ||
        lg_jget_float_range(c, g, "popularity_sd", 0, 5, &gen.popularity_sd) ||
        lg_jget_float_range(c, g, "popularity_quality", -20, 20, &gen.popularity_quality) ||
        lg_jget_float_range(c, g, "always_on_fraction", 0, 1, &gen.always_on_fraction) ||
        lg_jget_float_range(c, g, "prime_hour", 0, 24, &gen.prime_hour) ||
        lg_jget_float_range(c, g, "start_spread_hours", 0, 24, &gen.start_spread_hours) ||
        lg_jget_float_range(c, g, "duration_mean", 30, LG_MINUTES_PER_DAY, &gen.duration_mean) ||
        lg_jget_float_range(c, g, "duration_sd", 0, LG_MINUTES_PER_DAY, &gen.duration_sd) ||
        lg_jget_float_range(c, g, "jitter", 0, 360, &gen.jitter))
        return -1;
    char msg[512];
    if (lg_generate_channels(sc, &gen, msg, sizeof msg)) return lg_jfail_raw(c, msg);
    return 0;
}

static int load_channel(lg_jctx *c, const cJSON *o, lg_scenario *sc, int i)
{
    lg_channel_spec *ch = &sc->channels[i];
    if (lg_jexpect_object(c, o, K_CHANNEL)) return -1;
    snprintf(ch->name, sizeof ch->name, "ch%02d", i);
    ch->quality = 0.5f;
    ch->appeal = 0.5f;
    ch->base_popularity = 0.0f;
    ch->always_on = 0;
    ch->n_windows = 1;
    ch->windows[0].start = 1080.0f;
    ch->windows[0].duration = 240.0f;
    ch->windows[0].jitter = 0.0f;
    if (lg_jget_string(c, o, "name", ch->name, sizeof ch->name, 1)) return -1;
    lg_jnames nl = channel_names(sc);
    size_t s = lg_jpush_key(c, "name");
    if (lg_jmember(o, "name") && lg_jcheck_unique(c, &nl, i, "world.channels")) return -1;
    if (!lg_jmember(o, "name") && lg_jnames_find(&nl, ch->name, i) >= 0)
        return lg_jfail(c, "expected a name for this channel (its default name \"%s\" is taken by an earlier channel), "
                        "found nothing", ch->name);
    lg_jpop(c, s);
    const cJSON *cat = lg_jmember(o, "category");
    s = lg_jpush_key(c, "category");
    if (!cat) return lg_jfail_type(c, NULL, "a category name or index");
    lg_jnames cats = category_names(sc);
    if (lg_jval_ref(c, cat, &cats, &ch->category)) return -1;
    lg_jpop(c, s);
    if (lg_jget_float(c, o, "quality", &ch->quality) || lg_jget_float(c, o, "appeal", &ch->appeal) ||
        lg_jget_float(c, o, "base_popularity", &ch->base_popularity) || lg_jget_bool(c, o, "always_on", &ch->always_on))
        return -1;
    const cJSON *wins = lg_jmember(o, "windows");
    if (wins) {
        s = lg_jpush_key(c, "windows");
        int n;
        if (lg_jexpect_array(c, wins, 0, LG_MAX_WINDOWS, "broadcast windows", &n)) return -1;
        memset(ch->windows, 0, sizeof ch->windows);
        ch->n_windows = n;
        int w = 0;
        for (const cJSON *wo = wins->child; wo; wo = wo->next, w++) {
            size_t s2 = lg_jpush_idx(c, w);
            lg_window *win = &ch->windows[w];
            win->start = 1080.0f;
            win->duration = 240.0f;
            win->jitter = 0.0f;
            if (lg_jexpect_object(c, wo, K_WINDOW) || lg_jget_float(c, wo, "start", &win->start) ||
                lg_jget_float(c, wo, "duration", &win->duration) || lg_jget_float(c, wo, "jitter", &win->jitter))
                return -1;
            lg_jpop(c, s2);
        }
        lg_jpop(c, s);
    }
    return 0;
}

static int load_channels(lg_jctx *c, const cJSON *chs, lg_scenario *sc)
{
    if (cJSON_IsObject(chs)) {
        if (lg_jcheck_keys_ctx(c, chs, K_CHANNELS_OBJ, " (an object here asks for generated channels)")) return -1;
        const cJSON *g = lg_jmember(chs, "generate");
        if (!g)
            return lg_jfail(c, "expected an array of channels or {\"generate\": {...}}, found an object without \"generate\"");
        size_t s = lg_jpush_key(c, "generate");
        if (load_generator(c, g, sc)) return -1;
        lg_jpop(c, s);
        return 0;
    }
    if (!cJSON_IsArray(chs)) return lg_jfail_type(c, chs, "an array of channels or {\"generate\": {...}}");
    int n;
    if (lg_jexpect_array(c, chs, 1, LG_MAX_LISTED_CHANNELS, "channels", &n)) return -1;
    memset(sc->channels, 0, sizeof sc->channels);
    memset(&sc->generator, 0, sizeof sc->generator);
    sc->channels_generated = 0;
    sc->n_channels = n;
    int i = 0;
    for (const cJSON *o = chs->child; o; o = o->next, i++) {
        size_t s = lg_jpush_idx(c, i);
        if (load_channel(c, o, sc, i)) return -1;
        lg_jpop(c, s);
    }
    return 0;
}

static int load_world(lg_jctx *c, const cJSON *w, lg_scenario *sc, load_state *st)
{
    if (lg_jexpect_object(c, w, K_WORLD)) return -1;
    if (lg_jget_u64(c, w, "seed", &sc->world_seed) || lg_jget_int(c, w, "latent_dim", 1, LG_MAX_DIM, &sc->latent_dim) ||
        lg_jget_float(c, w, "category_separation", &sc->category_separation) ||
        lg_jget_float(c, w, "channel_spread", &sc->channel_spread) ||
        lg_jget_int(c, w, "embedding_dim", 0, LG_MAX_EMB, &sc->embedding_dim) ||
        lg_jget_int(c, w, "platform_tick", 1, 10000, &sc->platform_tick))
        return -1;
    const cJSON *o;
    size_t s;
    if ((o = lg_jmember(w, "modality_noise"))) {
        s = lg_jpush_key(c, "modality_noise");
        if (lg_jexpect_object(c, o, K_MODALITY) || lg_jget_float(c, o, "visual", &sc->modality_noise[0]) ||
            lg_jget_float(c, o, "audio", &sc->modality_noise[1]) || lg_jget_float(c, o, "text", &sc->modality_noise[2]))
            return -1;
        lg_jpop(c, s);
    }
    if ((o = lg_jmember(w, "popularity"))) {
        s = lg_jpush_key(c, "popularity");
        if (lg_jexpect_object(c, o, K_POPULARITY) || lg_jget_float(c, o, "reversion", &sc->popularity_reversion) ||
            lg_jget_float(c, o, "volatility", &sc->popularity_volatility) ||
            lg_jget_float(c, o, "feedback", &sc->popularity_feedback))
            return -1;
        lg_jpop(c, s);
    }
    if ((o = lg_jmember(w, "audience"))) {
        s = lg_jpush_key(c, "audience");
        if (lg_jexpect_object(c, o, K_AUDIENCE) || lg_jget_float(c, o, "peak", &sc->audience_peak) ||
            lg_jget_float(c, o, "amplitude", &sc->audience_amplitude) ||
            lg_jget_float(c, o, "peak_hour", &sc->audience_peak_hour))
            return -1;
        lg_jpop(c, s);
    }
    if ((o = lg_jmember(w, "categories"))) {
        st->categories_given = 1;
        s = lg_jpush_key(c, "categories");
        if (load_categories(c, o, sc)) return -1;
        lg_jpop(c, s);
    }
    if ((o = lg_jmember(w, "channels"))) {
        s = lg_jpush_key(c, "channels");
        if (load_channels(c, o, sc)) return -1;
        lg_jpop(c, s);
    } else if (st->categories_given) {
        /* New categories, default channels: regenerate them so that every
         * channel's category exists and all categories are represented. */
        lg_channel_generator gen;
        lg_channel_generator_default(&gen);
        char msg[512];
        if (lg_generate_channels(sc, &gen, msg, sizeof msg)) return lg_jfail_raw(c, msg);
    }
    return 0;
}

static int load_segment(lg_jctx *c, const cJSON *o, lg_scenario *sc, int i, const lg_segment *tmpl)
{
    lg_segment *sg = &sc->segments[i];
    if (lg_jexpect_object(c, o, K_SEGMENT)) return -1;
    *sg = *tmpl;
    memset(sg->name, 0, sizeof sg->name);
    memset(sg->interest, 0, sizeof sg->interest);
    snprintf(sg->name, sizeof sg->name, "seg%d", i);
    if (lg_jget_string(c, o, "name", sg->name, sizeof sg->name, 1)) return -1;
    lg_jnames nl = segment_names(sc);
    size_t s = lg_jpush_key(c, "name");
    if (lg_jmember(o, "name") && lg_jcheck_unique(c, &nl, i, "population.segments")) return -1;
    if (!lg_jmember(o, "name") && lg_jnames_find(&nl, sg->name, i) >= 0)
        return lg_jfail(c, "expected a name for this segment (its default name \"%s\" is taken by an earlier segment), "
                        "found nothing", sg->name);
    lg_jpop(c, s);
    if (lg_jget_float(c, o, "weight", &sg->weight) || lg_jget_float(c, o, "interest_spread", &sg->interest_spread) ||
        lg_jget_float(c, o, "herding", &sg->herding) || lg_jget_float(c, o, "quality_weight", &sg->quality_weight) ||
        lg_jget_float(c, o, "appeal_weight", &sg->appeal_weight) || lg_jget_float(c, o, "follow_weight", &sg->follow_weight) ||
        lg_jget_float(c, o, "patience", &sg->patience) || lg_jget_float(c, o, "gap_scale", &sg->gap_scale))
        return -1;

    const cJSON *in = lg_jmember(o, "interest");
    s = lg_jpush_key(c, "interest");
    if (!in) return lg_jfail_type(c, NULL, "an object of weights by category name");
    if (!cJSON_IsObject(in)) return lg_jfail_type(c, in, "an object of weights by category name");
    lg_jnames cats = category_names(sc);
    for (const cJSON *it = in->child; it; it = it->next) {
        const char *k = it->string ? it->string : "";
        size_t s2 = lg_jpush_key(c, k);
        int idx = lg_jnames_find(&cats, k, cats.count);
        if (idx < 0) {
            char q[128], ex[512];
            lg_jquote(k, q, sizeof q, 40);
            lg_jnames_examples(&cats, ex, sizeof ex);
            return lg_jfail(c, "expected a category name (one of %s), found unknown category %s", ex, q);
        }
        if (lg_jval_float(c, it, &sg->interest[idx])) return -1;
        lg_jpop(c, s2);
    }
    lg_jpop(c, s);

    const cJSON *act = lg_jmember(o, "activity");
    if (act) {
        s = lg_jpush_key(c, "activity");
        if (cJSON_IsObject(act)) {
            float peak = 20.0f, width = 3.0f, base = 0.15f;
            if (lg_jcheck_keys_ctx(c, act, K_ACTIVITY_CURVE, " (an object here describes a daily curve)") ||
                lg_jget_float_range(c, act, "peak_hour", 0, 24, &peak) ||
                lg_jget_float_range(c, act, "width_hours", 0.1, 24, &width) ||
                lg_jget_float_range(c, act, "floor", 0, 1e6, &base))
                return -1;
            lg_activity_curve(sg->activity, peak, width, base);
        } else {
            if (!cJSON_IsArray(act))
                return lg_jfail_type(c, act, "an array of 24 numbers (one per hour) or {\"peak_hour\", \"width_hours\", \"floor\"}");
            int n = cJSON_GetArraySize(act);
            if (n != 24)
                return lg_jfail(c, "expected an array of 24 numbers (one per hour of the day), found %d entries", n);
            int h = 0;
            for (const cJSON *it = act->child; it; it = it->next, h++) {
                size_t s2 = lg_jpush_idx(c, h);
                if (lg_jval_float(c, it, &sg->activity[h])) return -1;
                lg_jpop(c, s2);
            }
        }
        lg_jpop(c, s);
    }
    return 0;
}

static int load_population(lg_jctx *c, const cJSON *p, lg_scenario *sc, load_state *st)
{
    if (lg_jexpect_object(c, p, K_POPULATION)) return -1;
    if (lg_jget_int(c, p, "viewers", 1, LG_MAX_VIEWERS, &sc->n_viewers) ||
        lg_jget_float(c, p, "no_watch_utility", &sc->no_watch_utility) ||
        lg_jget_float(c, p, "interest_drift", &sc->interest_drift) || lg_jget_float(c, p, "gift_rate", &sc->gift_rate) ||
        lg_jget_float(c, p, "follow_rate", &sc->follow_rate) ||
        lg_jget_int(c, p, "max_follows", 0, LG_MAX_FOLLOWS, &sc->max_follows))
        return -1;
    const cJSON *o;
    size_t s;
    if ((o = lg_jmember(p, "fatigue"))) {
        s = lg_jpush_key(c, "fatigue");
        if (lg_jexpect_object(c, o, K_FATIGUE) || lg_jget_float(c, o, "gain", &sc->fatigue_gain) ||
            lg_jget_float(c, o, "half_life", &sc->fatigue_half_life) || lg_jget_float(c, o, "weight", &sc->fatigue_weight))
            return -1;
        lg_jpop(c, s);
    }
    if ((o = lg_jmember(p, "engagement"))) {
        s = lg_jpush_key(c, "engagement");
        if (lg_jexpect_object(c, o, K_ENGAGEMENT) || lg_jget_float(c, o, "bias", &sc->engagement_bias) ||
            lg_jget_float(c, o, "match", &sc->engagement_match) || lg_jget_float(c, o, "quality", &sc->engagement_quality))
            return -1;
        lg_jpop(c, s);
    }
    if ((o = lg_jmember(p, "refund"))) {
        s = lg_jpush_key(c, "refund");
        if (lg_jexpect_object(c, o, K_REFUND) || lg_jget_float(c, o, "max", &sc->refund_max) ||
            lg_jget_float(c, o, "quality_floor", &sc->refund_quality_floor))
            return -1;
        lg_jpop(c, s);
    }
    if ((o = lg_jmember(p, "retention"))) {
        s = lg_jpush_key(c, "retention");
        lg_retention *rt = &sc->retention;
        if (lg_jexpect_object(c, o, K_RETENTION) || lg_jget_bool(c, o, "enabled", &rt->enabled) ||
            lg_jget_float(c, o, "gap_hours", &rt->gap_hours) || lg_jget_float(c, o, "gap_spread", &rt->gap_spread) ||
            lg_jget_float(c, o, "quality_weight", &rt->quality_weight) ||
            lg_jget_float(c, o, "watch_weight", &rt->watch_weight) ||
            lg_jget_float(c, o, "fatigue_weight", &rt->fatigue_weight) ||
            lg_jget_float(c, o, "max_gap_days", &rt->max_gap_days))
            return -1;
        lg_jpop(c, s);
    }
    if ((o = lg_jmember(p, "segments"))) {
        st->segments_given = 1;
        s = lg_jpush_key(c, "segments");
        int n;
        if (lg_jexpect_array(c, o, 1, LG_MAX_SEGMENTS, "segments", &n)) return -1;
        lg_segment tmpl = sc->segments[0]; /* the default scenario's first segment */
        memset(sc->segments, 0, sizeof sc->segments);
        sc->n_segments = n;
        int i = 0;
        for (const cJSON *so = o->child; so; so = so->next, i++) {
            size_t s2 = lg_jpush_idx(c, i);
            if (load_segment(c, so, sc, i, &tmpl)) return -1;
            lg_jpop(c, s2);
        }
        lg_jpop(c, s);
    }
    return 0;
}

/* world.categories without population.segments: the default segments keep
 * their interest weights by category name. */
static int remap_default_interests(lg_jctx *c, lg_scenario *sc, const load_state *st)
{
    lg_jnames cats = category_names(sc);
    for (int s = 0; s < sc->n_segments; s++) {
        float old[LG_MAX_CATEGORIES];
        memcpy(old, sc->segments[s].interest, sizeof old);
        memset(sc->segments[s].interest, 0, sizeof sc->segments[s].interest);
        float sum = 0.0f;
        for (int k = 0; k < st->old_n_categories; k++) {
            int idx = lg_jnames_find(&cats, st->old_category_names[k], cats.count);
            if (idx >= 0 && old[k] > 0) {
                sc->segments[s].interest[idx] = old[k];
                sum += old[k];
            }
        }
        if (!(sum > 0)) {
            size_t s0 = lg_jpush_key(c, "population");
            lg_jpush_key(c, "segments");
            int r = lg_jfail(c,
                          "expected explicit segments, found none: world.categories replaces the categories and the "
                          "default segment \"%s\" has no interest in any of them",
                          sc->segments[s].name);
            lg_jpop(c, s0);
            return r;
        }
    }
    return 0;
}

/* Key `key` of object o, when present, is one of the strings names[]
 * (NULL-ended): its index in *out. */
static int get_named(lg_jctx *c, const cJSON *o, const char *key, const char *const *names, const char *expected,
                     int *out)
{
    const cJSON *m = cJSON_IsObject(o) ? lg_jmember(o, key) : NULL;
    if (!m) return 0;
    size_t s = lg_jpush_key(c, key);
    int found = -1;
    for (int k = 0; cJSON_IsString(m) && names[k]; k++)
        if (!strcmp(m->valuestring, names[k])) found = k;
    if (found < 0) return lg_jfail_type(c, m, expected);
    *out = found;
    lg_jpop(c, s);
    return 0;
}

static int load_session(lg_jctx *c, const cJSON *o, lg_scenario *sc)
{
    const char *const models[] = {lg_slate_choice_name(LG_SLATE_MNL), lg_slate_choice_name(LG_SLATE_POSITION),
                                  lg_slate_choice_name(LG_SLATE_CASCADE), NULL};
    int model = (int)sc->slate_choice;
    if (get_named(c, o, "slate_choice", models, "one of \"mnl\", \"position\", \"cascade\"", &model)) return -1;
    sc->slate_choice = (lg_slate_choice)model;
    return lg_jexpect_object(c, o, K_SESSION) || lg_jget_float(c, o, "dt", &sc->dt) ||
                   lg_jget_float(c, o, "position_decay", &sc->position_decay) ||
                   lg_jget_int(c, o, "slate_size", 1, LG_MAX_SLATE, &sc->slate_size) ||
                   lg_jget_int(c, o, "candidates", 0, LG_MAX_CANDIDATES, &sc->candidates) ||
                   lg_jget_int(c, o, "max_steps", 1, 1000000, &sc->max_session_steps) ||
                   lg_jget_float(c, o, "start_minute", &sc->start_minute) ||
                   lg_jget_float(c, o, "horizon_minutes", &sc->horizon_minutes)
               ? -1
               : 0;
}

static int load_reward(lg_jctx *c, const cJSON *o, lg_scenario *sc)
{
    return lg_jexpect_object(c, o, K_REWARD) || lg_jget_float(c, o, "watch", &sc->reward_watch) ||
                   lg_jget_float(c, o, "gift", &sc->reward_gift) || lg_jget_float(c, o, "follow", &sc->reward_follow) ||
                   lg_jget_float(c, o, "invalid_penalty", &sc->invalid_penalty) ||
                   lg_jget_float(c, o, "return", &sc->reward_return)
               ? -1
               : 0;
}

static int load_observation(lg_jctx *c, const cJSON *o, lg_scenario *sc)
{
    if (lg_jexpect_object(c, o, K_OBSERVATION) || lg_jget_bool(c, o, "observe_segment", &sc->observe_segment)) return -1;
    const char *const modes[] = {lg_obs_mode_name(LG_OBS_VECTOR), lg_obs_mode_name(LG_OBS_TABULAR),
                                 lg_obs_mode_name(LG_OBS_IDEAL), NULL};
    int mode = (int)sc->obs_mode;
    if (get_named(c, o, "mode", modes, "one of \"vector\", \"tabular\", \"ideal\"", &mode)) return -1;
    sc->obs_mode = (lg_obs_mode)mode;
    return 0;
}

static int load_event(lg_jctx *c, const cJSON *o, lg_scenario *sc, int e)
{
    lg_event *ev = &sc->events[e];
    if (lg_jexpect_object(c, o, NULL)) return -1;
    const cJSON *t = lg_jmember(o, "type");
    size_t s = lg_jpush_key(c, "type");
    static const char types_list[] = "one of \"spike\", \"trend_shift\", \"off_air\", \"new_channel\", \"bot_wave\", "
                                     "\"interest_shift\"";
    int type = -1;
    if (cJSON_IsString(t))
        for (int k = 0; k < LG_EV_COUNT; k++)
            if (!strcmp(t->valuestring, lg_event_type_name((lg_event_type)k))) type = k;
    if (type < 0) return lg_jfail_type(c, t, types_list);
    lg_jpop(c, s);
    const lg_event_keys *ek = &lg_event_key_table[type];
    char ctx[64];
    snprintf(ctx, sizeof ctx, " (for type \"%s\")", t->valuestring);
    if (lg_jcheck_keys_ctx(c, o, ek->keys, ctx)) return -1;

    ev->type = (lg_event_type)type;
    ev->channel = ev->category = ev->segment = -1;
    ev->duration = 0.0f;
    ev->magnitude = 0.0f;
    const cJSON *tm = lg_jmember(o, "time");
    s = lg_jpush_key(c, "time");
    if (!tm) return lg_jfail_type(c, NULL, "a time in minutes since the start of the run");
    if (lg_jval_float(c, tm, &ev->time)) return -1;
    lg_jpop(c, s);
    for (int k = 2; k < 6 && ek->keys[k]; k++) {
        const char *key = ek->keys[k];
        const cJSON *it = lg_jmember(o, key);
        s = lg_jpush_key(c, key);
        if (!it) {
            if (k < 2 + ek->n_required) {
                char e2[96];
                snprintf(e2, sizeof e2, "%s for type \"%s\"",
                         !strcmp(key, "channel")    ? "a channel name or index"
                         : !strcmp(key, "category") ? "a category name or index"
                         : !strcmp(key, "segment")  ? "a segment name or index"
                                                    : "a number",
                         lg_event_type_name(ev->type));
                return lg_jfail_type(c, NULL, e2);
            }
            lg_jpop(c, s);
            continue;
        }
        int r;
        if (!strcmp(key, "channel")) {
            lg_jnames nl = channel_names(sc);
            r = lg_jval_ref(c, it, &nl, &ev->channel);
        } else if (!strcmp(key, "category")) {
            lg_jnames nl = category_names(sc);
            r = lg_jval_ref(c, it, &nl, &ev->category);
        } else if (!strcmp(key, "segment")) {
            lg_jnames nl = segment_names(sc);
            r = lg_jval_ref(c, it, &nl, &ev->segment);
        } else if (!strcmp(key, "magnitude")) {
            r = lg_jval_float(c, it, &ev->magnitude);
        } else {
            r = lg_jval_float(c, it, &ev->duration);
        }
        if (r) return -1;
        lg_jpop(c, s);
    }
    return 0;
}

static int load_events(lg_jctx *c, const cJSON *arr, lg_scenario *sc)
{
    int n;
    if (lg_jexpect_array(c, arr, 0, LG_MAX_EVENTS, "events", &n)) return -1;
    memset(sc->events, 0, sizeof sc->events);
    sc->n_events = n;
    int e = 0;
    for (const cJSON *o = arr->child; o; o = o->next, e++) {
        size_t s = lg_jpush_idx(c, e);
        if (load_event(c, o, sc, e)) return -1;
        lg_jpop(c, s);
    }
    return 0;
}

int lg_scenario_read(lg_jctx *c, const cJSON *root, lg_scenario *sc)
{
    load_state st;
    memset(&st, 0, sizeof st);
    st.old_n_categories = sc->n_categories;
    memcpy(st.old_category_names, sc->category_names, sizeof st.old_category_names);

    if (lg_jexpect_object(c, root, K_TOP)) return -1;
    if (lg_jget_string(c, root, "name", sc->name, sizeof sc->name, 1) ||
        lg_jget_string(c, root, "description", sc->description, sizeof sc->description, 0))
        return -1;
    const cJSON *o = lg_jmember(root, "kind");
    if (o) {
        size_t s = lg_jpush_key(c, "kind");
        int found = -1;
        if (cJSON_IsString(o))
            for (int k = LG_KIND_LIVE; k <= LG_KIND_CLIFF; k++)
                if (!strcmp(o->valuestring, lg_env_kind_name((lg_env_kind)k))) found = k;
        if (found < 0) return lg_jfail_type(c, o, "one of \"live\", \"bandit\", \"cliff\"");
        sc->kind = (lg_env_kind)found;
        lg_jpop(c, s);
    }
    if ((o = lg_jmember(root, "bandit"))) {
        size_t s = lg_jpush_key(c, "bandit");
        lg_bandit_params *b = &sc->bandit;
        if (lg_jexpect_object(c, o, K_BANDIT) || lg_jget_int(c, o, "arms", 1, LG_MAX_LISTED_CHANNELS, &b->arms) ||
            lg_jget_float(c, o, "mean", &b->mean) || lg_jget_float(c, o, "sd", &b->sd) ||
            lg_jget_float(c, o, "reward_sd", &b->reward_sd) || lg_jget_float(c, o, "walk_sd", &b->walk_sd) ||
            lg_jget_int(c, o, "steps", 1, 100000000, &b->steps))
            return -1;
        lg_jpop(c, s);
    }
    if ((o = lg_jmember(root, "cliff"))) {
        size_t s = lg_jpush_key(c, "cliff");
        lg_cliff_params *cl = &sc->cliff;
        if (lg_jexpect_object(c, o, K_CLIFF) || lg_jget_int(c, o, "rows", 2, 64, &cl->rows) ||
            lg_jget_int(c, o, "cols", 3, 64, &cl->cols) || lg_jget_float(c, o, "step_reward", &cl->step_reward) ||
            lg_jget_float(c, o, "cliff_reward", &cl->cliff_reward) || lg_jget_int(c, o, "max_steps", 1, 100000000, &cl->max_steps))
            return -1;
        lg_jpop(c, s);
    }
    static const char *const order[] = {"world", "population", "session", "reward", "observation", "events"};
    for (int k = 0; k < 6; k++) {
        const cJSON *o = lg_jmember(root, order[k]);
        if (!o) continue;
        size_t s = lg_jpush_key(c, order[k]);
        int r;
        switch (k) {
        case 0: r = load_world(c, o, sc, &st); break;
        case 1: r = load_population(c, o, sc, &st); break;
        case 2: r = load_session(c, o, sc); break;
        case 3: r = load_reward(c, o, sc); break;
        case 4: r = load_observation(c, o, sc); break;
        default: r = load_events(c, o, sc); break;
        }
        if (r) return -1;
        lg_jpop(c, s);
    }
    if (st.categories_given && !st.segments_given && remap_default_interests(c, sc, &st)) return -1;
    return 0;
}

int lg_scenario_check_json(lg_jctx *c, const lg_scenario *sc)
{
    char msg[512];
    return lg_scenario_check(sc, msg, sizeof msg) ? lg_jfail_raw(c, msg) : 0;
}

cJSON *lg_scenario_parse_string(lg_jctx *c, const char *text, size_t len, const char *source_name, char *err,
                                size_t errsz)
{
    lg_jctx_init(c, source_name, "scenario", err, errsz);
    return lg_json_parse(c, text, len, LG_SCENARIO_MAX_FILE_BYTES);
}

cJSON *lg_scenario_parse_file(lg_jctx *c, const char *path, char *err, size_t errsz)
{
    lg_jctx_init(c, path ? path : "(null)", "scenario", err, errsz);
    if (!path) {
        lg_jfail_raw(c, "expected a file name, found none");
        return NULL;
    }
    char *text;
    size_t len;
    char ferr[512];
    int rc = lg_read_file(path, LG_SCENARIO_MAX_FILE_BYTES, &text, &len, ferr, sizeof ferr);
    if (rc == -2) {
        lg_jfail_raw(c, "expected a scenario file of at most 4 MiB (4194304 bytes), found a larger file");
        return NULL;
    }
    if (rc) {
        if (err && errsz) snprintf(err, errsz, "%s", ferr);
        return NULL;
    }
    cJSON *root = lg_json_parse(c, text, len, LG_SCENARIO_MAX_FILE_BYTES);
    free(text);
    return root;
}

/* Read root into a copy of the defaults and check it; sc changes only on
 * success. Takes the tree. */
static int load_checked(lg_jctx *c, cJSON *root, lg_scenario *sc)
{
    if (!root) return -1;
    lg_scenario *tmp = malloc(sizeof *tmp);
    int r = -1;
    if (!tmp) {
        lg_jfail_raw(c, "out of memory");
    } else {
        lg_scenario_default(tmp);
        if (lg_scenario_read(c, root, tmp) == 0 && lg_scenario_check_json(c, tmp) == 0) {
            memcpy(sc, tmp, sizeof *sc);
            r = 0;
        }
    }
    free(tmp);
    cJSON_Delete(root);
    return r;
}

int lg_scenario_load_string(const char *text, size_t len, const char *source_name, lg_scenario *sc, char *err,
                            size_t errsz)
{
    lg_jctx c;
    return load_checked(&c, lg_scenario_parse_string(&c, text, len, source_name, err, errsz), sc);
}

int lg_scenario_load_file(const char *path, lg_scenario *sc, char *err, size_t errsz)
{
    lg_jctx c;
    return load_checked(&c, lg_scenario_parse_file(&c, path, err, errsz), sc);
}

lg_scenario *lg_scenario_new(const char *text, size_t len, const char *source_name, char *err, size_t errsz)
{
    lg_scenario *sc = malloc(sizeof *sc);
    if (!sc) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    if (!text) {
        lg_scenario_default(sc);
        return sc;
    }
    if (lg_scenario_load_string(text, len, source_name, sc, err, errsz)) {
        free(sc);
        return NULL;
    }
    return sc;
}

void lg_scenario_free(lg_scenario *sc) { free(sc); }
