/* The agent registry and the helpers every agent shares. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lga_agent.h"

extern const lga_agent_type lga_random_type;
extern const lga_agent_type lga_popular_type;
extern const lga_agent_type lga_oracle_type;

static const lga_agent_type *const registry[] = {&lga_random_type, &lga_popular_type, &lga_oracle_type};

int lga_count(void) { return (int)(sizeof registry / sizeof registry[0]); }
const lga_agent_type *lga_at(int i) { return i >= 0 && i < lga_count() ? registry[i] : NULL; }

const lga_agent_type *lga_find(const char *name)
{
    for (int i = 0; i < lga_count(); i++)
        if (!strcmp(registry[i]->name, name)) return registry[i];
    return NULL;
}

lga_agent *lga_create(const char *name, const char *params_json, const lga_obs_batch *shape, uint64_t seed,
                      char *err, size_t errsz)
{
    const lga_agent_type *t = lga_find(name);
    if (!t) {
        char names[512] = "";
        for (int i = 0; i < lga_count(); i++) {
            strncat(names, i ? ", " : "", sizeof names - strlen(names) - 1);
            strncat(names, registry[i]->name, sizeof names - strlen(names) - 1);
        }
        snprintf(err, errsz, "agent \"%s\": unknown agent (available: %s)", name, names);
        return NULL;
    }
    lga_agent *a = t->create(params_json ? params_json : "{}", shape, seed, err, errsz);
    if (a) a->type = t;
    return a;
}

void lga_free(lga_agent *a)
{
    if (a) a->type->free(a);
}

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
}

int lga_block_offset(const lga_obs_batch *b, const char *name, int scope)
{
    for (int i = 0; i < b->n_blocks; i++)
        if (b->blocks[i].scope == scope && !strcmp(b->blocks[i].name, name)) return b->blocks[i].offset;
    return -1;
}

int32_t lga_random_valid(const uint8_t *mask, int n_actions, lg_stream *rng)
{
    int n_on = 0;
    for (int c = 0; c < n_actions; c++) n_on += mask[c] != 0;
    if (n_on == 0) return 0;
    int pick = (int)lg_stream_below(rng, (uint32_t)n_on);
    for (int c = 0; c < n_actions; c++)
        if (mask[c] && pick-- == 0) return c;
    return 0;
}

int32_t lga_argmax_valid(const float *scores, const uint8_t *mask, int n_actions, lg_stream *rng)
{
    int best = -1, ties = 0;
    for (int c = 0; c < n_actions; c++) {
        if (!mask[c]) continue;
        if (best < 0 || scores[c] > scores[best]) {
            best = c;
            ties = 1;
        } else if (scores[c] == scores[best]) {
            /* reservoir sampling over tied maxima */
            ties++;
            if (lg_stream_below(rng, (uint32_t)ties) == 0) best = c;
        }
    }
    return best < 0 ? 0 : best;
}

void lga_top_k(const float *scores, const uint8_t *mask, int n_actions, int k, lg_stream *rng, int32_t *out)
{
    for (int j = 0; j < k; j++) {
        int best = -1;
        for (int c = 0; c < n_actions; c++) {
            int used = 0;
            for (int p = 0; p < j && !used; p++) used = out[p] == c;
            if (used) continue;
            if (best < 0 || (mask[c] && !mask[best]) ||
                (mask[c] == mask[best] && scores[c] > scores[best]) ||
                (mask[c] == mask[best] && scores[c] == scores[best] && lg_stream_below(rng, 2) == 0))
                best = c;
        }
        out[j] = best < 0 ? 0 : best;
    }
}

int lga_params_check(const char *agent, const char *params_json, const char *const *allowed, char *err,
                     size_t errsz)
{
    cJSON *root = cJSON_Parse(params_json ? params_json : "{}");
    if (!root || !cJSON_IsObject(root)) {
        snprintf(err, errsz, "%s.params: expected a JSON object, found %s", agent,
                 root ? "another JSON value" : "text that does not parse as JSON");
        cJSON_Delete(root);
        return -1;
    }
    for (cJSON *it = root->child; it; it = it->next) {
        int ok = 0;
        for (int i = 0; allowed && allowed[i] && !ok; i++) ok = !strcmp(allowed[i], it->string);
        if (!ok) {
            char list[512] = "";
            for (int i = 0; allowed && allowed[i]; i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, allowed[i], sizeof list - strlen(list) - 1);
            }
            snprintf(err, errsz, "%s.params.%s: unknown key (allowed: %s)", agent, it->string,
                     list[0] ? list : "none");
            cJSON_Delete(root);
            return -1;
        }
    }
    cJSON_Delete(root);
    return 0;
}
