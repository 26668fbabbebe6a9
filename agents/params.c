/* Hyperparameter tables (lga_params.h): parsing, and their text for the
 * command line and the docs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lga_params.h"

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

static void choice_list(const char *const *choices, const char *sep, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int i = 0; choices[i]; i++) {
        strncat(buf, i ? sep : "", n - strlen(buf) - 1);
        strncat(buf, choices[i], n - strlen(buf) - 1);
    }
}

/* One value of row p at where. Returns 0, or -1 with a message. */
static int read_value(const char *agent, const lga_param *p, const cJSON *it, void *where, char *err, size_t errsz)
{
    char found[96];
    double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
    switch (p->kind) {
    case LGA_FLOAT:
        if (!(v >= p->lo && v <= p->hi)) break;
        *(float *)where = (float)v;
        return 0;
    case LGA_INT:
        if (!(v >= p->lo && v <= p->hi) || v != floor(v)) break;
        *(long *)where = (long)v;
        return 0;
    case LGA_BOOL:
        if (!cJSON_IsBool(it)) break;
        *(int *)where = cJSON_IsTrue(it);
        return 0;
    case LGA_CHOICE:
        for (int i = 0; cJSON_IsString(it) && p->choices[i]; i++)
            if (!strcmp(p->choices[i], it->valuestring)) {
                *(int *)where = i;
                return 0;
            }
        break;
    case LGA_INT_LIST: {
        lga_int_list *l = where;
        int n = cJSON_IsArray(it) ? cJSON_GetArraySize(it) : -1;
        if (n < 0 || n > p->max_len) {
            snprintf(err, errsz, "%s.params.%s: expected an array of at most %d integers in [%g, %g], found %s",
                     agent, p->key, p->max_len, p->lo, p->hi, n < 0 ? "another value" : "more");
            return -1;
        }
        for (int i = 0; i < n; i++) {
            const cJSON *e = cJSON_GetArrayItem(it, i);
            double x = cJSON_IsNumber(e) ? e->valuedouble : NAN;
            if (!(x >= p->lo && x <= p->hi) || x != floor(x)) {
                describe(e, found, sizeof found);
                snprintf(err, errsz, "%s.params.%s[%d]: expected an integer in [%g, %g], found %s", agent, p->key, i,
                         p->lo, p->hi, found);
                return -1;
            }
            l->v[i] = (int)x;
        }
        l->n = n;
        return 0;
    }
    case LGA_STRING:
        if (!cJSON_IsString(it) || strlen(it->valuestring) >= (size_t)p->max_len) {
            describe(it, found, sizeof found);
            snprintf(err, errsz, "%s.params.%s: expected a string of at most %d bytes, found %s", agent, p->key,
                     p->max_len - 1, cJSON_IsString(it) ? "a longer one" : found);
            return -1;
        }
        memcpy(where, it->valuestring, strlen(it->valuestring) + 1);
        return 0;
    }
    describe(it, found, sizeof found);
    char list[256];
    switch (p->kind) {
    case LGA_FLOAT:
        snprintf(err, errsz, "%s.params.%s: expected a number in [%g, %g], found %s", agent, p->key, p->lo, p->hi,
                 found);
        break;
    case LGA_INT:
        snprintf(err, errsz, "%s.params.%s: expected an integer in [%ld, %ld], found %s", agent, p->key, (long)p->lo,
                 (long)p->hi, found);
        break;
    case LGA_BOOL: snprintf(err, errsz, "%s.params.%s: expected true or false, found %s", agent, p->key, found); break;
    default:
        choice_list(p->choices, ", ", list, sizeof list);
        snprintf(err, errsz, "%s.params.%s: expected one of %s, found %s", agent, p->key, list, found);
    }
    return -1;
}

const lga_param *lga_param_find(const lga_param *table, const char *key)
{
    for (const lga_param *p = table; p && p->key; p++)
        if (!strcmp(p->key, key)) return p;
    return NULL;
}

void lga_params_keys(const lga_param *table, lg_sbuf *b)
{
    for (const lga_param *q = table; q && q->key; q++) lg_sb_printf(b, "%s%s", q == table ? "" : ", ", q->key);
}

/* The defaults: each row's text read as the file's value would be. */
static int set_defaults(const char *agent, const lga_param *table, void *out, char *err, size_t errsz)
{
    for (const lga_param *p = table; p->key; p++) {
        if (p->def[0] == '=') continue;
        cJSON *it = p->kind == LGA_CHOICE || p->kind == LGA_STRING ? cJSON_CreateString(p->def) : cJSON_Parse(p->def);
        int rc = it ? read_value(agent, p, it, (char *)out + p->offset, err, errsz) : -1;
        cJSON_Delete(it);
        if (rc) return -1; /* a bad table: the tests read every agent's defaults */
    }
    return 0;
}

int lga_params_parse(const char *agent, const char *params_json, const lga_param *table, void *out, char *err,
                     size_t errsz)
{
    cJSON *root = cJSON_Parse(params_json ? params_json : "{}");
    if (!root || !cJSON_IsObject(root)) {
        snprintf(err, errsz, "%s.params: expected a JSON object, found %s", agent,
                 root ? "another JSON value" : "text that does not parse as JSON");
        cJSON_Delete(root);
        return -1;
    }
    int rc = set_defaults(agent, table, out, err, errsz);
    for (cJSON *it = root->child; it && !rc; it = it->next) {
        const lga_param *p = lga_param_find(table, it->string);
        if (p) {
            rc = read_value(agent, p, it, (char *)out + p->offset, err, errsz);
            continue;
        }
        lg_sbuf keys = {0};
        lga_params_keys(table, &keys);
        snprintf(err, errsz, "%s.params.%s: unknown key (allowed: %s)", agent, it->string,
                 keys.p && !keys.oom ? keys.p : "none");
        lg_sb_free(&keys);
        rc = -1;
    }
    /* "=KEY" defaults follow KEY's final value */
    for (const lga_param *p = table; p->key && !rc; p++) {
        if (p->def[0] != '=' || cJSON_GetObjectItemCaseSensitive(root, p->key)) continue;
        const lga_param *src = lga_param_find(table, p->def + 1);
        if (src) memcpy((char *)out + p->offset, (char *)out + src->offset, p->kind == LGA_FLOAT ? sizeof(float) : sizeof(long));
    }
    cJSON_Delete(root);
    return rc;
}

static void range_text(const lga_param *p, char *buf, size_t n)
{
    char list[256];
    switch (p->kind) {
    case LGA_FLOAT: snprintf(buf, n, "number in [%g, %g]", p->lo, p->hi); break;
    case LGA_INT: snprintf(buf, n, "integer in [%.0f, %.0f]", p->lo, p->hi); break;
    case LGA_BOOL: snprintf(buf, n, "true or false"); break;
    case LGA_CHOICE:
        choice_list(p->choices, " or ", list, sizeof list);
        snprintf(buf, n, "%.150s", list);
        break;
    case LGA_INT_LIST: snprintf(buf, n, "up to %d integers in [%g, %g]", p->max_len, p->lo, p->hi); break;
    case LGA_STRING: snprintf(buf, n, "a string of at most %d bytes", p->max_len - 1); break;
    }
}

static const char *default_text(const lga_param *p) { return p->def[0] == '=' ? p->def + 1 : p->def; }

void lga_params_text(const lga_param *table, const char *indent, lg_sbuf *b)
{
    if (!table || !table->key) lg_sb_printf(b, "%s(none)\n", indent);
    for (const lga_param *p = table; p && p->key; p++) {
        char range[160];
        range_text(p, range, sizeof range);
        lg_sb_printf(b, "%s%s=%s (%s): %s\n", indent, p->key, default_text(p), range, p->doc);
    }
}

void lga_params_markdown(const lga_param *table, lg_sbuf *b)
{
    if (!table || !table->key) {
        lg_sb_puts(b, "No hyperparameters.\n");
        return;
    }
    lg_sb_puts(b, "| key | default | range | meaning |\n|---|---|---|---|\n");
    for (const lga_param *p = table; p->key; p++) {
        char range[160];
        range_text(p, range, sizeof range);
        lg_sb_printf(b, "| `%s` | %s%s%s | %s | %s |\n", p->key, p->def[0] == '=' ? "= `" : "`", default_text(p), "`",
                     range, p->doc);
    }
}
