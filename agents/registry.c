/* The agent registry and the helpers every agent shares. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lg_checksum.h"
#include "lg_file.h"
#include "lga_agent.h"

extern const lga_agent_type lga_random_type, lga_popular_type, lga_oracle_type;
extern const lga_agent_type lga_epsilon_greedy_type, lga_ucb1_type, lga_thompson_type, lga_gradient_bandit_type,
    lga_linucb_type;
extern const lga_agent_type lga_q_learning_type, lga_sarsa_type, lga_expected_sarsa_type;
extern const lga_agent_type lga_dqn_type;

static const lga_agent_type *const registry[] = {
    &lga_random_type,         &lga_popular_type, &lga_oracle_type,         &lga_epsilon_greedy_type,
    &lga_ucb1_type,           &lga_thompson_type, &lga_gradient_bandit_type, &lga_linucb_type,
    &lga_q_learning_type,     &lga_sarsa_type,   &lga_expected_sarsa_type, &lga_dqn_type,
};

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
    size_t N = (size_t)b->n_slots, sd = (size_t)b->slot_dim, od = (size_t)b->obs_dim;
    memcpy(cp->mask, b->mask, N * (size_t)b->n_actions);
    memcpy(cp->channel_obs, b->channel_obs, sizeof(float) * (size_t)b->n_actions * (size_t)b->channel_dim);
    for (size_t i = 0; i < N; i++) {
        int fin = use_final && (b->terminated[i] || b->truncated[i]);
        cp->state[i] = fin ? b->final_state[i] : b->state[i];
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
        int best = -1, ties = 0;
        for (int c = 0; c < n_actions; c++) {
            int used = 0;
            for (int p = 0; p < j && !used; p++) used = out[p] == c;
            if (used) continue;
            /* on-air first, then higher score; equal candidates by reservoir
             * sampling, so every tied channel is equally likely */
            int better = best < 0 || (mask[c] && !mask[best]) || (mask[c] == mask[best] && scores[c] > scores[best]);
            int tie = !better && mask[c] == mask[best] && scores[c] == scores[best];
            if (better) {
                best = c;
                ties = 1;
            } else if (tie && lg_stream_below(rng, (uint32_t)++ties) == 0) {
                best = c;
            }
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

/* --- hyperparameters --- */

static const cJSON *param_item(const cJSON *params, const char *key)
{
    return params ? cJSON_GetObjectItemCaseSensitive(params, key) : NULL;
}

static void describe(const cJSON *it, char *buf, size_t n)
{
    if (cJSON_IsString(it))
        snprintf(buf, n, "string \"%.40s\"", it->valuestring);
    else if (cJSON_IsBool(it))
        snprintf(buf, n, "%s", cJSON_IsTrue(it) ? "true" : "false");
    else if (cJSON_IsNumber(it))
        snprintf(buf, n, "%.17g", it->valuedouble);
    else if (cJSON_IsNull(it))
        snprintf(buf, n, "null");
    else
        snprintf(buf, n, "%s", cJSON_IsArray(it) ? "an array" : "an object");
}

int lga_param_float(const char *agent, const cJSON *params, const char *key, double lo, double hi, float *out,
                    char *err, size_t errsz)
{
    const cJSON *it = param_item(params, key);
    if (!it) return 0;
    if (!cJSON_IsNumber(it) || !(it->valuedouble >= lo && it->valuedouble <= hi)) {
        char found[96];
        describe(it, found, sizeof found);
        snprintf(err, errsz, "%s.params.%s: expected a number in [%g, %g], found %s", agent, key, lo, hi, found);
        return -1;
    }
    *out = (float)it->valuedouble;
    return 0;
}

int lga_param_int(const char *agent, const cJSON *params, const char *key, long lo, long hi, long *out, char *err,
                  size_t errsz)
{
    const cJSON *it = param_item(params, key);
    if (!it) return 0;
    double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
    if (!(v >= (double)lo && v <= (double)hi) || v != floor(v)) {
        char found[96];
        describe(it, found, sizeof found);
        snprintf(err, errsz, "%s.params.%s: expected an integer in [%ld, %ld], found %s", agent, key, lo, hi, found);
        return -1;
    }
    *out = (long)v;
    return 0;
}

int lga_param_bool(const char *agent, const cJSON *params, const char *key, int *out, char *err, size_t errsz)
{
    const cJSON *it = param_item(params, key);
    if (!it) return 0;
    if (!cJSON_IsBool(it)) {
        char found[96];
        describe(it, found, sizeof found);
        snprintf(err, errsz, "%s.params.%s: expected true or false, found %s", agent, key, found);
        return -1;
    }
    *out = cJSON_IsTrue(it);
    return 0;
}

int lga_param_choice(const char *agent, const cJSON *params, const char *key, const char *const *choices,
                     int *out, char *err, size_t errsz)
{
    const cJSON *it = param_item(params, key);
    if (!it) return 0;
    for (int i = 0; cJSON_IsString(it) && choices[i]; i++)
        if (!strcmp(choices[i], it->valuestring)) {
            *out = i;
            return 0;
        }
    char found[96], list[256] = "";
    describe(it, found, sizeof found);
    for (int i = 0; choices[i]; i++) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, choices[i], sizeof list - strlen(list) - 1);
    }
    snprintf(err, errsz, "%s.params.%s: expected one of %s, found %s", agent, key, list, found);
    return -1;
}

/* --- save / load ---
 * File: "LGAGENT\0" magic, u32 version, u32 name length + name, u32 block
 * count, then per block u32 name length + name + u64 size + bytes, then the
 * u64 FNV-1a hash of everything before it. Little-endian host order (the
 * project targets x86-64/arm64 Linux); the version bumps if that changes. */

#define LGA_MAGIC "LGAGENT"
#define LGA_VERSION 1u

typedef struct {
    FILE *f;
    uint64_t hash;
    int ok;
} writer;

static void put(writer *w, const void *p, size_t n)
{
    if (w->ok && fwrite(p, 1, n, w->f) != n) w->ok = 0;
    w->hash = lg_fnv1a64(w->hash, p, n);
}

int lga_save(lga_agent *a, const char *path, char *err, size_t errsz)
{
    lga_state_block blocks[LGA_MAX_STATE_BLOCKS];
    int n = a->type->state(a, blocks);
    lg_afile *af = lg_afile_open(path, err, errsz);
    if (!af) return -1;
    writer w = {lg_afile_stream(af), LG_FNV1A64_INIT, 1};
    uint32_t version = LGA_VERSION, len = (uint32_t)strlen(a->type->name), nb = (uint32_t)n;
    put(&w, LGA_MAGIC, 8);
    put(&w, &version, 4);
    put(&w, &len, 4);
    put(&w, a->type->name, len);
    put(&w, &nb, 4);
    for (int i = 0; i < n; i++) {
        uint32_t bl = (uint32_t)strlen(blocks[i].name);
        uint64_t sz = blocks[i].bytes;
        put(&w, &bl, 4);
        put(&w, blocks[i].name, bl);
        put(&w, &sz, 8);
        put(&w, blocks[i].data, blocks[i].bytes);
    }
    uint64_t h = w.hash;
    if (w.ok && fwrite(&h, 1, 8, w.f) != 8) w.ok = 0;
    if (!w.ok) {
        snprintf(err, errsz, "%s: write failed: %s", path, strerror(errno));
        lg_afile_abort(af);
        return -1;
    }
    return lg_afile_commit(af, err, errsz);
}

typedef struct {
    const unsigned char *p;
    size_t n, at;
} reader;

static int take(reader *r, void *out, size_t n)
{
    if (r->n - r->at < n) return -1;
    memcpy(out, r->p + r->at, n);
    r->at += n;
    return 0;
}

int lga_load(lga_agent *a, const char *path, char *err, size_t errsz)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsz, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    lga_state_block blocks[LGA_MAX_STATE_BLOCKS];
    int n = a->type->state(a, blocks);
    size_t expect = 8 + 4 + 4 + strlen(a->type->name) + 4 + 8;
    for (int i = 0; i < n; i++) expect += 4 + strlen(blocks[i].name) + 8 + blocks[i].bytes;
    unsigned char *buf = malloc(expect + 1);
    size_t got = buf ? fread(buf, 1, expect + 1, f) : 0;
    fclose(f);
    if (!buf) {
        snprintf(err, errsz, "%s: out of memory", path);
        return -1;
    }
    reader r = {buf, got, 0};
    char magic[8];
    uint32_t version = 0, len = 0, nb = 0;
    int rc = -1;
    if (take(&r, magic, 8) || memcmp(magic, LGA_MAGIC, 8)) {
        snprintf(err, errsz, "%s: not a livegym agent state file (bad magic number)", path);
        goto out;
    }
    if (take(&r, &version, 4) || version != LGA_VERSION) {
        snprintf(err, errsz, "%s: format version: expected %u, found %u", path, LGA_VERSION, version);
        goto out;
    }
    char name[64] = "";
    if (take(&r, &len, 4) || len >= sizeof name || take(&r, name, len)) {
        snprintf(err, errsz, "%s: truncated or corrupt header", path);
        goto out;
    }
    if (strcmp(name, a->type->name)) {
        snprintf(err, errsz, "%s: agent: expected \"%s\", found \"%s\"", path, a->type->name, name);
        goto out;
    }
    /* A file of the expected length is checked whole first, so that damage
     * anywhere reads as damage; other lengths are explained by the walk below
     * (truncated, or saved by an agent of another shape). */
    if (got == expect) {
        uint64_t stored;
        memcpy(&stored, buf + expect - 8, 8);
        if (lg_fnv1a64(LG_FNV1A64_INIT, buf, expect - 8) != stored) {
            snprintf(err, errsz, "%s: checksum mismatch: the file is corrupt", path);
            goto out;
        }
    }
    if (take(&r, &nb, 4) || nb != (uint32_t)n) {
        snprintf(err, errsz, "%s: state blocks: expected %d, found %u (different hyperparameters or env?)", path, n,
                 nb);
        goto out;
    }
    size_t data_at[LGA_MAX_STATE_BLOCKS];
    for (int i = 0; i < n; i++) {
        char bname[64] = "";
        uint32_t bl = 0;
        uint64_t sz = 0;
        if (take(&r, &bl, 4) || bl >= sizeof bname || take(&r, bname, bl) || take(&r, &sz, 8)) {
            snprintf(err, errsz, "%s: truncated or corrupt block header %d", path, i);
            goto out;
        }
        if (strcmp(bname, blocks[i].name) || sz != blocks[i].bytes) {
            snprintf(err, errsz, "%s: block %d: expected \"%s\" of %zu bytes, found \"%s\" of %llu bytes", path, i,
                     blocks[i].name, blocks[i].bytes, bname, (unsigned long long)sz);
            goto out;
        }
        data_at[i] = r.at;
        if (r.n - r.at < sz) {
            snprintf(err, errsz, "%s: truncated in block \"%s\"", path, bname);
            goto out;
        }
        r.at += sz;
    }
    uint64_t stored;
    size_t body = r.at;
    if (take(&r, &stored, 8)) {
        snprintf(err, errsz, "%s: truncated: no checksum", path);
        goto out;
    }
    if (r.at != r.n) {
        snprintf(err, errsz, "%s: trailing bytes after the checksum", path);
        goto out;
    }
    if (lg_fnv1a64(LG_FNV1A64_INIT, buf, body) != stored) {
        snprintf(err, errsz, "%s: checksum mismatch: the file is corrupt", path);
        goto out;
    }
    for (int i = 0; i < n; i++)
        if (blocks[i].name[0] == '=' && memcmp(blocks[i].data, buf + data_at[i], blocks[i].bytes)) {
            snprintf(err, errsz, "%s: block \"%s\" differs: saved by an agent of another shape", path,
                     blocks[i].name + 1);
            goto out;
        }
    for (int i = 0; i < n; i++)
        if (blocks[i].name[0] != '=') memcpy(blocks[i].data, buf + data_at[i], blocks[i].bytes);
    rc = 0;
out:
    free(buf);
    return rc;
}
