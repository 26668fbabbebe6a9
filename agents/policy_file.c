/* Kept-agent files (lga_policy.h): writing, and reading as hostile input. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lg_checksum.h"
#include "lg_file.h"
#include "lga_policy.h"

#define POLICY_MAGIC "LGPOLICY"
#define POLICY_VERSION 1u
#define POLICY_MAX_BYTES ((size_t)1 << 36) /* a world of millions of viewers is GBs; memory is the real bound */
#define PARAMS_MAX 511                      /* an experiment's params (LGX_AGENT_PARAMS_LEN - 1) */

int lga_policy_write(const char *path, const char *manifest, lga_agent *a, const void *world, size_t world_len,
                     char *err, size_t errsz)
{
    char *agent;
    size_t agent_len, man_len = strlen(manifest);
    if (lga_save_bytes(a, &agent, &agent_len, err, errsz)) return -1;
    size_t n = 8 + 4 + 8 + man_len + 8 + agent_len + 8 + world_len + 8;
    unsigned char *buf = malloc(n), *at = buf;
    if (!buf) {
        free(agent);
        return snprintf(err, errsz, "%s: out of memory for %zu bytes", path, n), -1;
    }
    uint32_t version = POLICY_VERSION;
    uint64_t lens[3] = {man_len, agent_len, world_len};
    const void *parts[3] = {manifest, agent, world};
    memcpy(at, POLICY_MAGIC, 8), at += 8;
    memcpy(at, &version, 4), at += 4;
    for (int i = 0; i < 3; i++) {
        memcpy(at, &lens[i], 8), at += 8;
        if (lens[i]) memcpy(at, parts[i], lens[i]), at += lens[i];
    }
    uint64_t h = lg_fnv1a64(LG_FNV1A64_INIT, buf, (size_t)(at - buf));
    memcpy(at, &h, 8);
    int rc = lg_write_atomic(path, buf, n, err, errsz);
    free(buf);
    free(agent);
    return rc;
}

void lga_policy_free(lga_policy *p)
{
    free(p->params), free(p->scenario), free(p->agent), free(p->world);
    memset(p, 0, sizeof *p);
}

void lga_policy_path(const char *path, long seed, char *out, size_t n)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) snprintf(out, n, "%s/seed-%ld.policy", path, seed);
    else snprintf(out, n, "%s", path);
}

static int integer_in(const cJSON *v, double lo, double hi)
{
    return cJSON_IsNumber(v) && v->valuedouble >= lo && v->valuedouble <= hi && v->valuedouble == floor(v->valuedouble);
}

/* The manifest's fields, each checked; unknown keys refused. */
static int read_manifest(const char *path, const char *text, size_t len, lga_policy *p, char *err, size_t errsz)
{
    static const char *const keys[] = {"agent", "label", "params", "seed", "trained_steps", "scenario", "livegym", NULL};
    /* Nothing after the object: not even a NUL that would hide bytes. */
    cJSON *js = strlen(text) == len ? cJSON_ParseWithOpts(text, NULL, 1) : NULL;
    int rc = -1;
    if (!cJSON_IsObject(js)) {
        snprintf(err, errsz, "%s: manifest: expected a JSON object, found %s", path,
                 js ? "another JSON value" : "text that does not parse as JSON");
        goto out;
    }
    for (const cJSON *it = js->child; it; it = it->next) {
        int known = 0;
        for (int k = 0; keys[k] && !known; k++) known = !strcmp(it->string, keys[k]);
        if (!known) {
            snprintf(err, errsz, "%s: manifest.%.60s: unknown key (expected agent, label, params, seed, trained_steps, "
                                 "scenario, livegym)", path, it->string);
            goto out;
        }
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(js, "agent");
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(js, "label");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(js, "params");
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(js, "seed");
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(js, "trained_steps");
    const cJSON *scenario = cJSON_GetObjectItemCaseSensitive(js, "scenario");
    const lga_agent_type *t = cJSON_IsString(name) ? lga_find(name->valuestring) : NULL;
    if (!t || t->cheats || !strcmp(t->name, "saved")) {
        snprintf(err, errsz, "%s: manifest.agent: expected the registry name of an agent that learns from what it "
                             "sees (not the oracle, not saved), found %s%.40s%s", path, cJSON_IsString(name) ? "\"" : "",
                 cJSON_IsString(name) ? name->valuestring : "another value", cJSON_IsString(name) ? "\"" : "");
        goto out;
    }
    if (!cJSON_IsString(label) || !label->valuestring[0] || strlen(label->valuestring) >= LGA_POLICY_LABEL_LEN) {
        snprintf(err, errsz, "%s: manifest.label: expected a string of 1 to %d bytes", path, LGA_POLICY_LABEL_LEN - 1);
        goto out;
    }
    if (!integer_in(seed, 1, 100000) || !integer_in(steps, 0, 2147483647.0)) {
        snprintf(err, errsz, "%s: manifest.seed, manifest.trained_steps: expected integers in [1, 100000] and "
                             "[0, 2147483647]", path);
        goto out;
    }
    /* Both are kept as strings: cJSON would print their numbers back only
     * nearly (a world must come back bit for bit). */
    cJSON *obj = cJSON_IsString(params) ? cJSON_ParseWithOpts(params->valuestring, NULL, 1) : NULL;
    int params_ok = cJSON_IsObject(obj) && strlen(params->valuestring) <= PARAMS_MAX;
    cJSON_Delete(obj);
    if (!params_ok) {
        snprintf(err, errsz, "%s: manifest.params: expected a string holding a JSON object of at most %d bytes", path,
                 PARAMS_MAX);
        goto out;
    }
    if (!cJSON_IsString(scenario) || !scenario->valuestring[0]) {
        snprintf(err, errsz, "%s: manifest.scenario: expected a string holding the resolved scenario", path);
        goto out;
    }
    p->params = strdup(params->valuestring);
    p->scenario = strdup(scenario->valuestring);
    if (!p->params || !p->scenario) {
        snprintf(err, errsz, "%s: out of memory for the manifest", path);
        goto out;
    }
    snprintf(p->name, sizeof p->name, "%s", t->name);
    snprintf(p->label, sizeof p->label, "%s", label->valuestring);
    p->seed = (long)seed->valuedouble;
    p->trained_steps = (long)steps->valuedouble;
    rc = 0;
out:
    cJSON_Delete(js);
    return rc;
}

/* A part's length and bytes (copied), within what is left before the
 * checksum. */
static int take_part(const unsigned char *buf, size_t body, size_t *at, const char *path, const char *what,
                     unsigned char **out, size_t *len, char *err, size_t errsz)
{
    uint64_t n = 0;
    if (body - *at < 8) return snprintf(err, errsz, "%s: truncated before the %s", path, what), -1;
    memcpy(&n, buf + *at, 8), *at += 8;
    if (n > body - *at)
        return snprintf(err, errsz, "%s: %s: expected at most %zu bytes (what is left of the file), found a length of "
                                    "%llu: truncated or damaged", path, what, body - *at, (unsigned long long)n), -1;
    *len = (size_t)n;
    *out = malloc(n + 1);
    if (!*out) return snprintf(err, errsz, "%s: out of memory for the %s (%zu bytes)", path, what, *len), -1;
    memcpy(*out, buf + *at, n), (*out)[n] = 0, *at += n;
    return 0;
}

int lga_policy_read(const char *path, lga_policy *p, char *err, size_t errsz)
{
    memset(p, 0, sizeof *p);
    char *buf;
    size_t n;
    int got = lg_read_file(path, POLICY_MAX_BYTES, &buf, &n, err, errsz);
    if (got == -2) snprintf(err, errsz, "%s: larger than %zu bytes: not a kept agent", path, POLICY_MAX_BYTES);
    if (got) return -1;
    int rc = lga_policy_parse(buf, n, path, p, err, errsz);
    free(buf);
    return rc;
}

int lga_policy_parse(const void *bytes, size_t n, const char *path, lga_policy *p, char *err, size_t errsz)
{
    memset(p, 0, sizeof *p);
    const char *buf = bytes;
    const unsigned char *u = (const unsigned char *)buf;
    uint32_t version = 0;
    uint64_t stored = 0;
    unsigned char *manifest = NULL;
    size_t man_len = 0, at = 12, body = n >= 8 ? n - 8 : 0;
    int rc = -1;
    if (n < 8 + 4 + 3 * 8 + 8 || memcmp(buf, POLICY_MAGIC, 8)) {
        snprintf(err, errsz, "%s: not a kept agent of livegym (bad magic number or too short)", path);
        goto out;
    }
    memcpy(&version, buf + 8, 4), memcpy(&stored, buf + body, 8);
    if (version != POLICY_VERSION) {
        snprintf(err, errsz, "%s: format version: expected %u, found %u", path, POLICY_VERSION, version);
        goto out;
    }
    if (!LG_FUZZING && lg_fnv1a64(LG_FNV1A64_INIT, buf, body) != stored) {
        snprintf(err, errsz, "%s: checksum mismatch: the file is damaged", path);
        goto out;
    }
    if (take_part(u, body, &at, path, "manifest", &manifest, &man_len, err, errsz) ||
        take_part(u, body, &at, path, "agent state", &p->agent, &p->agent_len, err, errsz) ||
        take_part(u, body, &at, path, "world state", &p->world, &p->world_len, err, errsz))
        goto out;
    if (at != body) {
        snprintf(err, errsz, "%s: %zu bytes between the world state and the checksum: damaged", path, body - at);
        goto out;
    }
    if (!p->world_len) free(p->world), p->world = NULL;
    rc = read_manifest(path, (const char *)manifest, man_len, p, err, errsz);
out:
    free(manifest);
    if (rc) lga_policy_free(p);
    return rc;
}

lga_agent *lga_policy_agent(const lga_policy *p, const char *path, const lga_obs_batch *shape, char *err,
                            size_t errsz)
{
    char why[1024];
    lga_agent *a = lga_create(p->name, p->params, shape, (uint64_t)p->seed, why, sizeof why);
    if (!a) {
        snprintf(err, errsz, "%s (manifest.agent %s, manifest.params): %s", path, p->name, why);
        return NULL;
    }
    if (lga_load_bytes(a, p->agent, p->agent_len, "the agent state", why, sizeof why)) {
        snprintf(err, errsz, "%s (%s, trained as \"%s\"): does not fit this world's observation and actions, or is damaged: %s", path,
                 p->name, p->label, why);
        lga_free(a);
        return NULL;
    }
    return a;
}
