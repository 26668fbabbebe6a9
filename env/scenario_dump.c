/* Scenario files, the world's part: the canonical dump. Every key explicit,
 * channels as an explicit array (a catalogue too large to list, as its
 * generator), names for channel/category/segment
 * references, floats in the shortest form that reads back to the same float,
 * so that a dump loads back to an identical struct. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_scenario_json.h"
#include "scenario_schema.h"

static int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* A reference: the name when index is valid, else the bare index. */
static void add_ref(lg_jbuild *bc, cJSON *parent, const char *key, const lg_jnames *nl, int idx)
{
    char buf[LG_JNAME_BUF];
    if (idx >= 0 && idx < nl->count) lg_jadd_str(bc, parent, key, lg_jnames_at(nl, idx, buf), LG_NAME_LEN);
    else lg_jadd_int(bc, parent, key, idx);
}

/* A catalogue too large to list is written as the generator it comes from. */
static void build_generator(lg_jbuild *bc, cJSON *o, const lg_channel_generator *g)
{
    lg_jadd_u64(bc, o, "seed", g->seed);
    lg_jadd_int(bc, o, "count", g->count);
    lg_jadd_float(bc, o, "quality_mean", g->quality_mean);
    lg_jadd_float(bc, o, "quality_sd", g->quality_sd);
    lg_jadd_float(bc, o, "appeal_mean", g->appeal_mean);
    lg_jadd_float(bc, o, "appeal_sd", g->appeal_sd);
    lg_jadd_float(bc, o, "appeal_quality_corr", g->appeal_quality_corr);
    lg_jadd_float(bc, o, "popularity_sd", g->popularity_sd);
    lg_jadd_float(bc, o, "popularity_quality", g->popularity_quality);
    lg_jadd_float(bc, o, "always_on_fraction", g->always_on_fraction);
    lg_jadd_float(bc, o, "prime_hour", g->prime_hour);
    lg_jadd_float(bc, o, "start_spread_hours", g->start_spread_hours);
    lg_jadd_float(bc, o, "duration_mean", g->duration_mean);
    lg_jadd_float(bc, o, "duration_sd", g->duration_sd);
    lg_jadd_float(bc, o, "jitter", g->jitter);
}

static void build_world(lg_jbuild *bc, cJSON *root, const lg_scenario *sc)
{
    cJSON *w = lg_jadd_obj(bc, root, "world");
    lg_jadd_u64(bc, w, "seed", sc->world_seed);
    lg_jadd_int(bc, w, "latent_dim", sc->latent_dim);
    lg_jadd_float(bc, w, "category_separation", sc->category_separation);
    lg_jadd_float(bc, w, "channel_spread", sc->channel_spread);
    int nk = clampi(sc->n_categories, 0, LG_MAX_CATEGORIES);
    cJSON *cats = lg_jadd_arr(bc, w, "categories");
    for (int k = 0; k < nk; k++) lg_jadd_str(bc, cats, NULL, sc->category_names[k], LG_NAME_LEN);
    lg_jadd_int(bc, w, "embedding_dim", sc->embedding_dim);
    cJSON *o = lg_jadd_obj(bc, w, "modality_noise");
    lg_jadd_float(bc, o, "visual", sc->modality_noise[0]);
    lg_jadd_float(bc, o, "audio", sc->modality_noise[1]);
    lg_jadd_float(bc, o, "text", sc->modality_noise[2]);
    o = lg_jadd_obj(bc, w, "popularity");
    lg_jadd_float(bc, o, "reversion", sc->popularity_reversion);
    lg_jadd_float(bc, o, "volatility", sc->popularity_volatility);
    lg_jadd_float(bc, o, "feedback", sc->popularity_feedback);
    o = lg_jadd_obj(bc, w, "audience");
    lg_jadd_float(bc, o, "peak", sc->audience_peak);
    lg_jadd_float(bc, o, "amplitude", sc->audience_amplitude);
    lg_jadd_float(bc, o, "peak_hour", sc->audience_peak_hour);
    if (sc->platform_tick != 1) lg_jadd_int(bc, w, "platform_tick", sc->platform_tick); /* 1 omitted: older dumps stay as they were */
    if (sc->channels_generated) {
        build_generator(bc, lg_jadd_obj(bc, lg_jadd_obj(bc, w, "channels"), "generate"), &sc->generator);
        return;
    }
    lg_jnames catn = category_names(sc);
    catn.count = nk;
    cJSON *chs = lg_jadd_arr(bc, w, "channels");
    int nc = clampi(sc->n_channels, 0, LG_MAX_LISTED_CHANNELS);
    for (int i = 0; i < nc && bc->ok; i++) {
        const lg_channel_spec *ch = &sc->channels[i];
        cJSON *co = lg_jadd_obj(bc, chs, NULL);
        lg_jadd_str(bc, co, "name", ch->name, LG_NAME_LEN);
        add_ref(bc, co, "category", &catn, ch->category);
        lg_jadd_float(bc, co, "quality", ch->quality);
        lg_jadd_float(bc, co, "appeal", ch->appeal);
        lg_jadd_float(bc, co, "base_popularity", ch->base_popularity);
        lg_jadd_bool(bc, co, "always_on", ch->always_on);
        cJSON *wins = lg_jadd_arr(bc, co, "windows");
        int nw = clampi(ch->n_windows, 0, LG_MAX_WINDOWS);
        for (int k = 0; k < nw; k++) {
            cJSON *wo = lg_jadd_obj(bc, wins, NULL);
            lg_jadd_float(bc, wo, "start", ch->windows[k].start);
            lg_jadd_float(bc, wo, "duration", ch->windows[k].duration);
            lg_jadd_float(bc, wo, "jitter", ch->windows[k].jitter);
        }
    }
}

/* population.retention: written only when it differs from the default
 * (retention off), so that every earlier dump stays byte-identical. */
static void build_retention(lg_jbuild *bc, cJSON *p, const lg_scenario *sc)
{
    lg_retention def;
    lg_retention_default(&def);
    const lg_retention *r = &sc->retention, *d = &def;
    if (r->enabled == d->enabled && r->gap_hours == d->gap_hours && r->gap_spread == d->gap_spread &&
        r->quality_weight == d->quality_weight && r->watch_weight == d->watch_weight &&
        r->fatigue_weight == d->fatigue_weight && r->max_gap_days == d->max_gap_days)
        return;
    cJSON *o = lg_jadd_obj(bc, p, "retention");
    lg_jadd_bool(bc, o, "enabled", r->enabled);
    lg_jadd_float(bc, o, "gap_hours", r->gap_hours);
    lg_jadd_float(bc, o, "gap_spread", r->gap_spread);
    lg_jadd_float(bc, o, "quality_weight", r->quality_weight);
    lg_jadd_float(bc, o, "watch_weight", r->watch_weight);
    lg_jadd_float(bc, o, "fatigue_weight", r->fatigue_weight);
    lg_jadd_float(bc, o, "max_gap_days", r->max_gap_days);
}

static void build_population(lg_jbuild *bc, cJSON *root, const lg_scenario *sc)
{
    cJSON *p = lg_jadd_obj(bc, root, "population");
    lg_jadd_int(bc, p, "viewers", sc->n_viewers);
    lg_jadd_float(bc, p, "no_watch_utility", sc->no_watch_utility);
    cJSON *o = lg_jadd_obj(bc, p, "fatigue");
    lg_jadd_float(bc, o, "gain", sc->fatigue_gain);
    lg_jadd_float(bc, o, "half_life", sc->fatigue_half_life);
    lg_jadd_float(bc, o, "weight", sc->fatigue_weight);
    lg_jadd_float(bc, p, "interest_drift", sc->interest_drift);
    o = lg_jadd_obj(bc, p, "engagement");
    lg_jadd_float(bc, o, "bias", sc->engagement_bias);
    lg_jadd_float(bc, o, "match", sc->engagement_match);
    lg_jadd_float(bc, o, "quality", sc->engagement_quality);
    lg_jadd_float(bc, p, "gift_rate", sc->gift_rate);
    lg_jadd_float(bc, p, "follow_rate", sc->follow_rate);
    lg_jadd_int(bc, p, "max_follows", sc->max_follows);
    o = lg_jadd_obj(bc, p, "refund");
    lg_jadd_float(bc, o, "max", sc->refund_max);
    lg_jadd_float(bc, o, "quality_floor", sc->refund_quality_floor);
    build_retention(bc, p, sc);
    cJSON *segs = lg_jadd_arr(bc, p, "segments");
    int ns = clampi(sc->n_segments, 0, LG_MAX_SEGMENTS);
    int nk = clampi(sc->n_categories, 0, LG_MAX_CATEGORIES);
    for (int s = 0; s < ns; s++) {
        const lg_segment *sg = &sc->segments[s];
        cJSON *so = lg_jadd_obj(bc, segs, NULL);
        lg_jadd_str(bc, so, "name", sg->name, LG_NAME_LEN);
        lg_jadd_float(bc, so, "weight", sg->weight);
        cJSON *in = lg_jadd_obj(bc, so, "interest");
        for (int k = 0; k < nk; k++) {
            char key[LG_NAME_LEN + 1];
            snprintf(key, sizeof key, "%.*s", LG_NAME_LEN, sc->category_names[k]);
            lg_jadd_float(bc, in, key, sg->interest[k]);
        }
        lg_jadd_float(bc, so, "interest_spread", sg->interest_spread);
        lg_jadd_float(bc, so, "herding", sg->herding);
        lg_jadd_float(bc, so, "quality_weight", sg->quality_weight);
        lg_jadd_float(bc, so, "appeal_weight", sg->appeal_weight);
        lg_jadd_float(bc, so, "follow_weight", sg->follow_weight);
        lg_jadd_float(bc, so, "patience", sg->patience);
        cJSON *act = lg_jadd_arr(bc, so, "activity");
        for (int h = 0; h < 24; h++) lg_jadd_float(bc, act, NULL, sg->activity[h]);
        if (sg->gap_scale != 1.0f) lg_jadd_float(bc, so, "gap_scale", sg->gap_scale);
    }
}

static void build_events(lg_jbuild *bc, cJSON *root, const lg_scenario *sc)
{
    cJSON *evs = lg_jadd_arr(bc, root, "events");
    lg_jnames chn = channel_names(sc), catn = category_names(sc), segn = segment_names(sc);
    chn.count = clampi(chn.count, 0, sc->channels_generated ? LG_MAX_CHANNELS : LG_MAX_LISTED_CHANNELS);
    catn.count = clampi(catn.count, 0, LG_MAX_CATEGORIES);
    segn.count = clampi(segn.count, 0, LG_MAX_SEGMENTS);
    int ne = clampi(sc->n_events, 0, LG_MAX_EVENTS);
    for (int e = 0; e < ne; e++) {
        const lg_event *ev = &sc->events[e];
        cJSON *eo = lg_jadd_obj(bc, evs, NULL);
        lg_jadd_float(bc, eo, "time", ev->time);
        if (ev->type < 0 || ev->type >= LG_EV_COUNT) {
            lg_jadd_int(bc, eo, "type", (long long)ev->type);
            continue;
        }
        lg_jadd_str(bc, eo, "type", lg_event_type_name(ev->type), 32);
        const lg_event_keys *ek = &lg_event_key_table[ev->type];
        for (int k = 2; k < 6 && ek->keys[k]; k++) {
            const char *key = ek->keys[k];
            if (!strcmp(key, "channel")) add_ref(bc, eo, key, &chn, ev->channel);
            else if (!strcmp(key, "category")) add_ref(bc, eo, key, &catn, ev->category);
            else if (!strcmp(key, "segment")) add_ref(bc, eo, key, &segn, ev->segment);
            else if (!strcmp(key, "magnitude")) lg_jadd_float(bc, eo, key, ev->magnitude);
            else lg_jadd_float(bc, eo, key, ev->duration);
        }
    }
}

/* The classic envs' parameters: written when the scenario is of that kind
 * or when they differ from the defaults (so a dump always loads back to the
 * same struct), left out of live scenarios otherwise. */
static void build_classic(lg_jbuild *bc, cJSON *root, const lg_scenario *sc)
{
    lg_scenario *def = malloc(sizeof *def);
    if (!def) {
        bc->ok = 0;
        return;
    }
    lg_scenario_default(def);
    const lg_bandit_params *b = &sc->bandit, *db = &def->bandit;
    if (sc->kind == LG_KIND_BANDIT || b->arms != db->arms || memcmp(&b->mean, &db->mean, sizeof b->mean) ||
        memcmp(&b->sd, &db->sd, sizeof b->sd) || memcmp(&b->reward_sd, &db->reward_sd, sizeof b->reward_sd) ||
        memcmp(&b->walk_sd, &db->walk_sd, sizeof b->walk_sd) || b->steps != db->steps) {
        cJSON *o = lg_jadd_obj(bc, root, "bandit");
        lg_jadd_int(bc, o, "arms", b->arms);
        lg_jadd_float(bc, o, "mean", b->mean);
        lg_jadd_float(bc, o, "sd", b->sd);
        lg_jadd_float(bc, o, "reward_sd", b->reward_sd);
        lg_jadd_float(bc, o, "walk_sd", b->walk_sd);
        lg_jadd_int(bc, o, "steps", b->steps);
    }
    const lg_cliff_params *cl = &sc->cliff, *dc = &def->cliff;
    if (sc->kind == LG_KIND_CLIFF || cl->rows != dc->rows || cl->cols != dc->cols ||
        memcmp(&cl->step_reward, &dc->step_reward, sizeof cl->step_reward) ||
        memcmp(&cl->cliff_reward, &dc->cliff_reward, sizeof cl->cliff_reward) || cl->max_steps != dc->max_steps) {
        cJSON *o = lg_jadd_obj(bc, root, "cliff");
        lg_jadd_int(bc, o, "rows", cl->rows);
        lg_jadd_int(bc, o, "cols", cl->cols);
        lg_jadd_float(bc, o, "step_reward", cl->step_reward);
        lg_jadd_float(bc, o, "cliff_reward", cl->cliff_reward);
        lg_jadd_int(bc, o, "max_steps", cl->max_steps);
    }
    free(def);
}

cJSON *lg_scenario_to_tree(const lg_scenario *sc)
{
    lg_jbuild bc = {1};
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    lg_jadd_str(&bc, root, "name", sc->name, sizeof sc->name);
    lg_jadd_str(&bc, root, "description", sc->description, sizeof sc->description);
    if (sc->kind >= LG_KIND_LIVE && sc->kind <= LG_KIND_CLIFF)
        lg_jadd_str(&bc, root, "kind", lg_env_kind_name(sc->kind), 16);
    else
        lg_jadd_int(&bc, root, "kind", (long long)sc->kind);
    build_world(&bc, root, sc);
    build_population(&bc, root, sc);
    cJSON *o = lg_jadd_obj(&bc, root, "session");
    lg_jadd_float(&bc, o, "dt", sc->dt);
    lg_jadd_int(&bc, o, "slate_size", sc->slate_size);
    /* written only when not the default, so that every earlier dump stays byte-identical */
    if (sc->slate_choice != LG_SLATE_MNL) lg_jadd_str(&bc, o, "slate_choice", lg_slate_choice_name(sc->slate_choice), 16);
    if (sc->position_decay != 1.0f) lg_jadd_float(&bc, o, "position_decay", sc->position_decay);
    lg_jadd_int(&bc, o, "candidates", sc->candidates);
    lg_jadd_int(&bc, o, "max_steps", sc->max_session_steps);
    lg_jadd_float(&bc, o, "start_minute", sc->start_minute);
    lg_jadd_float(&bc, o, "horizon_minutes", sc->horizon_minutes);
    o = lg_jadd_obj(&bc, root, "reward");
    lg_jadd_float(&bc, o, "watch", sc->reward_watch);
    lg_jadd_float(&bc, o, "gift", sc->reward_gift);
    lg_jadd_float(&bc, o, "follow", sc->reward_follow);
    lg_jadd_float(&bc, o, "invalid_penalty", sc->invalid_penalty);
    if (sc->reward_return != 0.0f) lg_jadd_float(&bc, o, "return", sc->reward_return);
    o = lg_jadd_obj(&bc, root, "observation");
    if (sc->obs_mode >= LG_OBS_VECTOR && sc->obs_mode <= LG_OBS_IDEAL)
        lg_jadd_str(&bc, o, "mode", lg_obs_mode_name(sc->obs_mode), 16);
    else
        lg_jadd_int(&bc, o, "mode", (long long)sc->obs_mode);
    lg_jadd_bool(&bc, o, "observe_segment", sc->observe_segment);
    build_events(&bc, root, sc);
    build_classic(&bc, root, sc);
    if (!bc.ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

char *lg_scenario_to_json(const lg_scenario *sc)
{
    cJSON *root = lg_scenario_to_tree(sc);
    char *out = root ? lg_json_pretty(root) : NULL;
    cJSON_Delete(root);
    return out;
}
