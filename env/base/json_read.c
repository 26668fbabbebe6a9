/* JSON reading after the scan: the context (source, path, message buffer)
 * and typed readers that fail with "SOURCE: PATH: expected X, found Y". */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_json.h"

void lg_jctx_init(lg_jctx *c, const char *src, const char *what, char *err, size_t errsz)
{
    memset(c, 0, sizeof *c);
    c->src = src ? src : "(string)";
    c->what = what ? what : "document";
    c->err = err;
    c->errsz = errsz;
    if (err && errsz) err[0] = '\0';
}

int lg_jfail(lg_jctx *c, const char *fmt, ...)
{
    if (c->err && c->errsz) {
        char msg[1536];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(c->err, c->errsz, "%s: %s: %s", c->src, c->plen ? c->path : "top level", msg);
    }
    return -1;
}

/* A message that carries its own path (from lg_scenario_check and friends). */
int lg_jfail_raw(lg_jctx *c, const char *msg)
{
    if (c->err && c->errsz) snprintf(c->err, c->errsz, "%s: %s", c->src, msg);
    return -1;
}

static void path_append(lg_jctx *c, const char *s)
{
    size_t n = strlen(s);
    if (c->plen + n >= sizeof c->path) n = sizeof c->path - 1 - c->plen;
    memcpy(c->path + c->plen, s, n);
    c->plen += n;
    c->path[c->plen] = '\0';
}

static int key_is_plain(const char *k)
{
    if (!*k) return 0;
    for (; *k; k++) {
        char ch = *k;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              ch == '-'))
            return 0;
    }
    return 1;
}

size_t lg_jpush_key(lg_jctx *c, const char *k)
{
    size_t old = c->plen;
    if (key_is_plain(k) && strlen(k) <= 64) {
        if (c->plen) path_append(c, ".");
        path_append(c, k);
    } else {
        char q[128];
        lg_jquote(k, q, sizeof q, 40);
        path_append(c, "[");
        path_append(c, q);
        path_append(c, "]");
    }
    return old;
}

size_t lg_jpush_idx(lg_jctx *c, int i)
{
    size_t old = c->plen;
    char t[24];
    snprintf(t, sizeof t, "[%d]", i);
    path_append(c, t);
    return old;
}

void lg_jpop(lg_jctx *c, size_t old)
{
    c->plen = old;
    c->path[old] = '\0';
}

/* What a JSON value is, for "found ...". */
static void describe(const cJSON *it, char *buf, size_t n)
{
    if (!it) {
        snprintf(buf, n, "nothing (the key is required)");
    } else if (cJSON_IsNumber(it)) {
        lg_json_fmt_double(buf, n, it->valuedouble);
    } else if (cJSON_IsString(it)) {
        char q[128];
        lg_jquote(it->valuestring, q, sizeof q, 40);
        snprintf(buf, n, "string %s", q);
    } else if (cJSON_IsTrue(it)) {
        snprintf(buf, n, "true");
    } else if (cJSON_IsFalse(it)) {
        snprintf(buf, n, "false");
    } else if (cJSON_IsNull(it)) {
        snprintf(buf, n, "null");
    } else if (cJSON_IsArray(it)) {
        snprintf(buf, n, "an array");
    } else if (cJSON_IsObject(it)) {
        snprintf(buf, n, "an object");
    } else {
        snprintf(buf, n, "an unknown value");
    }
}

int lg_jfail_type(lg_jctx *c, const cJSON *it, const char *expected)
{
    char f[160];
    describe(it, f, sizeof f);
    return lg_jfail(c, "expected %s, found %s", expected, f);
}

const cJSON *lg_jmember(const cJSON *obj, const char *key)
{
    return obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    int d[41][41];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1; /* transposition */
            d[i][j] = best;
        }
    return d[la][lb];
}

/* The allowed keys as "a, b, c". */
static void key_list(const char *const *keys, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; keys[i]; i++) {
        int w = snprintf(buf + len, n - len, "%s%s", i ? ", " : "", keys[i]);
        if (w < 0 || (size_t)w >= n - len) break;
        len += (size_t)w;
    }
}

int lg_jcheck_keys_ctx(lg_jctx *c, const cJSON *obj, const char *const *keys, const char *context)
{
    for (const cJSON *ch = obj->child; ch; ch = ch->next) {
        const char *k = ch->string ? ch->string : "";
        int ok = 0;
        for (int i = 0; keys[i]; i++)
            if (!strcmp(keys[i], k)) ok = 1;
        if (ok) continue;
        char list[640], q[128], hint[96] = "";
        key_list(keys, list, sizeof list);
        lg_jquote(k, q, sizeof q, 40);
        int bestd = 3;
        for (int i = 0; keys[i]; i++) {
            int d = edit_distance(k, keys[i]);
            if (d < bestd && d * 3 <= (int)strlen(keys[i])) {
                bestd = d;
                snprintf(hint, sizeof hint, " (did you mean \"%s\"?)", keys[i]);
            }
        }
        lg_jpush_key(c, k);
        return lg_jfail(c, "expected one of the keys %s%s, found unknown key %s%s", list, context, q, hint);
    }
    return 0;
}

int lg_jcheck_keys(lg_jctx *c, const cJSON *obj, const char *const *keys)
{
    return lg_jcheck_keys_ctx(c, obj, keys, "");
}

int lg_jexpect_object(lg_jctx *c, const cJSON *it, const char *const *keys)
{
    if (!cJSON_IsObject(it)) return lg_jfail_type(c, it, "an object");
    return keys ? lg_jcheck_keys(c, it, keys) : 0;
}

int lg_jexpect_array(lg_jctx *c, const cJSON *it, int min, int max, const char *what, int *count)
{
    if (!cJSON_IsArray(it)) {
        char e[96];
        snprintf(e, sizeof e, "an array of %s", what);
        return lg_jfail_type(c, it, e);
    }
    int n = cJSON_GetArraySize(it);
    if (n < min) {
        if (n == 0 && min == 1) return lg_jfail(c, "expected a non-empty array of %s, found an empty array", what);
        return lg_jfail(c, "expected at least %d %s, found %d", min, what, n);
    }
    if (n > max) return lg_jfail(c, "expected at most %d %s, found %d", max, what, n);
    *count = n;
    return 0;
}

int lg_jval_float(lg_jctx *c, const cJSON *it, float *out)
{
    if (!cJSON_IsNumber(it)) return lg_jfail_type(c, it, "a number");
    double d = it->valuedouble;
    if (!(fabs(d) <= (double)FLT_MAX)) {
        char f[64];
        lg_json_fmt_double(f, sizeof f, d);
        return lg_jfail(c, "expected a number of magnitude at most 3.4e38 (single precision), found %s", f);
    }
    *out = (float)d;
    return 0;
}

int lg_jval_float_range(lg_jctx *c, const cJSON *it, double lo, double hi, float *out)
{
    float v;
    if (lg_jval_float(c, it, &v)) return -1;
    if (!((double)v >= lo && (double)v <= hi)) {
        char f[64];
        lg_json_fmt_double(f, sizeof f, it->valuedouble);
        return lg_jfail(c, "expected a number in [%g, %g], found %s", lo, hi, f);
    }
    *out = v;
    return 0;
}

int lg_jval_int(lg_jctx *c, const cJSON *it, long long lo, long long hi, long long *out)
{
    if (!cJSON_IsNumber(it)) return lg_jfail_type(c, it, "an integer");
    double d = it->valuedouble;
    char f[64];
    lg_json_fmt_double(f, sizeof f, d);
    if (d != floor(d)) return lg_jfail(c, "expected an integer, found %s", f);
    if (!(d >= (double)lo && d <= (double)hi)) return lg_jfail(c, "expected an integer in [%lld, %lld], found %s", lo, hi, f);
    *out = (long long)d;
    return 0;
}

int lg_jval_bool(lg_jctx *c, const cJSON *it, int *out)
{
    if (!cJSON_IsBool(it)) return lg_jfail_type(c, it, "true or false");
    *out = cJSON_IsTrue(it) ? 1 : 0;
    return 0;
}

/* Copy a string into buf[cap] (zero-filled): at most cap - 1 bytes. */
int lg_jval_string(lg_jctx *c, const cJSON *it, char *buf, size_t cap, int nonempty)
{
    if (!cJSON_IsString(it)) return lg_jfail_type(c, it, "a string");
    size_t n = strlen(it->valuestring);
    if (n >= cap) return lg_jfail(c, "expected a string of at most %zu bytes, found one of %zu bytes", cap - 1, n);
    if (nonempty && n == 0) return lg_jfail(c, "expected a non-empty string, found \"\"");
    memset(buf, 0, cap);
    memcpy(buf, it->valuestring, n);
    return 0;
}

/* rd_*: read an optional member; absent leaves *out unchanged. */
int lg_jget_float(lg_jctx *c, const cJSON *o, const char *k, float *out)
{
    const cJSON *it = lg_jmember(o, k);
    if (!it) return 0;
    size_t s = lg_jpush_key(c, k);
    int r = lg_jval_float(c, it, out);
    lg_jpop(c, s);
    return r;
}

int lg_jget_float_range(lg_jctx *c, const cJSON *o, const char *k, double lo, double hi, float *out)
{
    const cJSON *it = lg_jmember(o, k);
    if (!it) return 0;
    size_t s = lg_jpush_key(c, k);
    int r = lg_jval_float_range(c, it, lo, hi, out);
    lg_jpop(c, s);
    return r;
}

int lg_jget_int(lg_jctx *c, const cJSON *o, const char *k, long long lo, long long hi, int *out)
{
    const cJSON *it = lg_jmember(o, k);
    if (!it) return 0;
    size_t s = lg_jpush_key(c, k);
    long long v;
    int r = lg_jval_int(c, it, lo, hi, &v);
    if (!r) *out = (int)v;
    lg_jpop(c, s);
    return r;
}

int lg_jget_u64(lg_jctx *c, const cJSON *o, const char *k, uint64_t *out)
{
    const cJSON *it = lg_jmember(o, k);
    if (!it) return 0;
    size_t s = lg_jpush_key(c, k);
    long long v;
    int r = lg_jval_int(c, it, 0, (long long)LG_JSON_MAX_SEED, &v);
    if (!r) *out = (uint64_t)v;
    lg_jpop(c, s);
    return r;
}

int lg_jget_bool(lg_jctx *c, const cJSON *o, const char *k, int *out)
{
    const cJSON *it = lg_jmember(o, k);
    if (!it) return 0;
    size_t s = lg_jpush_key(c, k);
    int r = lg_jval_bool(c, it, out);
    lg_jpop(c, s);
    return r;
}

int lg_jget_string(lg_jctx *c, const cJSON *o, const char *k, char *buf, size_t cap, int nonempty)
{
    const cJSON *it = lg_jmember(o, k);
    if (!it) return 0;
    size_t s = lg_jpush_key(c, k);
    int r = lg_jval_string(c, it, buf, cap, nonempty);
    lg_jpop(c, s);
    return r;
}

const char *lg_jnames_at(const lg_jnames *nl, int i, char *buf)
{
    if (nl->base) return nl->base + (size_t)i * nl->stride;
    snprintf(buf, LG_JNAME_BUF, "%s%02d", nl->prefix, i);
    return buf;
}

/* A generated name is read back, never searched: the digits give the index,
 * and the name must be exactly the one that index writes ("ch7" is not
 * "ch07"). */
static int find_generated(const lg_jnames *nl, const char *name, int limit)
{
    size_t pl = strlen(nl->prefix);
    if (strncmp(name, nl->prefix, pl) != 0) return -1;
    long v = 0;
    const char *d = name + pl;
    for (; *d >= '0' && *d <= '9' && v < limit; d++) v = v * 10 + (*d - '0');
    if (*d || v >= limit) return -1;
    char buf[LG_JNAME_BUF];
    return strcmp(lg_jnames_at(nl, (int)v, buf), name) == 0 ? (int)v : -1;
}

int lg_jnames_find(const lg_jnames *nl, const char *name, int limit)
{
    if (strlen(name) >= nl->len) return -1;
    if (!nl->base) return find_generated(nl, name, limit);
    char buf[LG_JNAME_BUF];
    for (int i = 0; i < limit; i++)
        if (!strncmp(lg_jnames_at(nl, i, buf), name, nl->len)) return i;
    return -1;
}

/* A few of the names, for messages: "a", "b", "c", ... */
void lg_jnames_examples(const lg_jnames *nl, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    int shown = nl->count < 8 ? nl->count : 8;
    for (int i = 0; i < shown; i++) {
        char nm[256], q[96], gen[LG_JNAME_BUF];
        snprintf(nm, sizeof nm, "%.*s", (int)nl->len, lg_jnames_at(nl, i, gen));
        lg_jquote(nm, q, sizeof q, 40);
        int w = snprintf(buf + len, n - len, "%s%s", i ? ", " : "", q);
        if (w < 0 || (size_t)w >= n - len) return;
        len += (size_t)w;
    }
    if (shown < nl->count) snprintf(buf + len, n - len, ", ...");
}

int lg_jval_ref(lg_jctx *c, const cJSON *it, const lg_jnames *nl, int *out)
{
    if (cJSON_IsString(it)) {
        int k = lg_jnames_find(nl, it->valuestring, nl->count);
        if (k < 0) {
            char q[128], ex[512];
            lg_jquote(it->valuestring, q, sizeof q, 40);
            lg_jnames_examples(nl, ex, sizeof ex);
            return lg_jfail(c, "no %s named %s; expected one of %s or an index in [0, %d]", nl->what, q, ex, nl->count - 1);
        }
        *out = k;
        return 0;
    }
    if (cJSON_IsNumber(it)) {
        double d = it->valuedouble;
        if (d == floor(d) && d >= 0 && d <= nl->count - 1) {
            *out = (int)d;
            return 0;
        }
        char f[64];
        lg_json_fmt_double(f, sizeof f, d);
        return lg_jfail(c, "expected a %s name or an index in [0, %d], found %s", nl->what, nl->count - 1, f);
    }
    char e[96];
    snprintf(e, sizeof e, "a %s name or index", nl->what);
    return lg_jfail_type(c, it, e);
}

/* A new name at index i must differ from names [0, i). */
int lg_jcheck_unique(lg_jctx *c, const lg_jnames *nl, int i, const char *list_path)
{
    char buf[LG_JNAME_BUF];
    int k = lg_jnames_find(nl, lg_jnames_at(nl, i, buf), i);
    if (k < 0) return 0;
    char q[128];
    lg_jquote(lg_jnames_at(nl, i, buf), q, sizeof q, 40);
    return lg_jfail(c, "expected a unique %s name, found %s again (first used at %s[%d])", nl->what, q, list_path, k);
}
