/* JSON writing: shortest round-trip numbers, string literals, one-line and
 * pretty printing, and the tree builder for canonical documents. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_json.h"

void lg_json_fmt_float(char *buf, size_t n, float f)
{
    if (f == truncf(f) && fabsf(f) < 1e9f) {
        snprintf(buf, n, "%.0f", (double)f);
        return;
    }
    for (int p = 6; p <= 9; p++) {
        snprintf(buf, n, "%.*g", p, (double)f);
        if ((float)strtod(buf, NULL) == f) return;
    }
}

void lg_json_fmt_double(char *buf, size_t n, double d)
{
    if (!isfinite(d)) {
        snprintf(buf, n, "%s", isnan(d) ? "nan" : (d > 0 ? "inf" : "-inf"));
        return;
    }
    if (d == trunc(d) && fabs(d) < 1e15) {
        snprintf(buf, n, "%.0f", d);
        return;
    }
    for (int p = 15; p <= 17; p++) {
        snprintf(buf, n, "%.*g", p, d);
        if (strtod(buf, NULL) == d) return;
    }
}

/* JSON string literal. Control characters are escaped; other bytes are copied
 * (the loader only accepts valid UTF-8). */
void lg_json_put_string_n(lg_sbuf *b, const char *s, size_t n)
{
    lg_sb_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '"': lg_sb_puts(b, "\\\""); break;
        case '\\': lg_sb_puts(b, "\\\\"); break;
        case '\b': lg_sb_puts(b, "\\b"); break;
        case '\f': lg_sb_puts(b, "\\f"); break;
        case '\n': lg_sb_puts(b, "\\n"); break;
        case '\r': lg_sb_puts(b, "\\r"); break;
        case '\t': lg_sb_puts(b, "\\t"); break;
        default:
            if (ch < 0x20) {
                char u[8];
                snprintf(u, sizeof u, "\\u%04x", ch);
                lg_sb_puts(b, u);
            } else {
                lg_sb_putc(b, (char)ch);
            }
        }
    }
    lg_sb_putc(b, '"');
}
void lg_json_put_string(lg_sbuf *b, const char *s) { lg_json_put_string_n(b, s, strlen(s)); }

/* A string quoted for a message, cut after about max bytes (at a UTF-8
 * character boundary) with "..." appended. */
void lg_jquote(const char *s, char *out, size_t outsz, size_t max)
{
    lg_sbuf b = {0};
    size_t n = strlen(s), cut = n;
    if (n > max) {
        cut = max;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--;
    }
    lg_json_put_string_n(&b, s, cut);
    if (cut < n && !b.oom) {
        b.len--; /* reopen the quote */
        lg_sb_puts(&b, "...\"");
    }
    snprintf(out, outsz, "%s", b.oom || !b.p ? "\"\"" : b.p);
    free(b.p);
}

static int all_scalars(const cJSON *arr)
{
    for (const cJSON *ch = arr->child; ch; ch = ch->next)
        if (cJSON_IsArray(ch) || cJSON_IsObject(ch)) return 0;
    return 1;
}

void lg_json_put_compact(lg_sbuf *b, const cJSON *it, int spaced)
{
    if (cJSON_IsRaw(it)) {
        lg_sb_puts(b, it->valuestring);
    } else if (cJSON_IsNumber(it)) {
        char f[64];
        lg_json_fmt_double(f, sizeof f, it->valuedouble);
        lg_sb_puts(b, f);
    } else if (cJSON_IsString(it)) {
        lg_json_put_string(b, it->valuestring);
    } else if (cJSON_IsTrue(it)) {
        lg_sb_puts(b, "true");
    } else if (cJSON_IsFalse(it)) {
        lg_sb_puts(b, "false");
    } else if (cJSON_IsArray(it) || cJSON_IsObject(it)) {
        int obj = cJSON_IsObject(it);
        lg_sb_putc(b, obj ? '{' : '[');
        for (const cJSON *ch = it->child; ch; ch = ch->next) {
            if (obj) {
                lg_json_put_string(b, ch->string ? ch->string : "");
                lg_sb_puts(b, spaced ? ": " : ":");
            }
            lg_json_put_compact(b, ch, spaced);
            if (ch->next) lg_sb_puts(b, spaced ? ", " : ",");
        }
        lg_sb_putc(b, obj ? '}' : ']');
    } else {
        lg_sb_puts(b, "null");
    }
}

#define DUMP_WIDTH 120

/* Length of lg_json_put_string's output for s. */
static size_t quoted_len(const char *s)
{
    size_t n = 2;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        n += strchr("\"\\\b\f\n\r\t", *c) ? 2 : *c < 0x20 ? 6 : 1;
    return n;
}

/* Length of the spaced compact form of it, counted only as far as needed:
 * the exact length when it is at most limit, else some larger number. The
 * pretty printer asks this at every level, so counting the whole subtree
 * each time would make dumping quadratic in the depth. */
static size_t compact_len_upto(const cJSON *it, size_t limit)
{
    if (cJSON_IsString(it)) return quoted_len(it->valuestring);
    if (!cJSON_IsArray(it) && !cJSON_IsObject(it)) {
        lg_sbuf t = {0};
        lg_json_put_compact(&t, it, 1);
        size_t n = t.oom ? (size_t)-1 : t.len;
        free(t.p);
        return n;
    }
    size_t n = 2;
    for (const cJSON *ch = it->child; ch && n <= limit; ch = ch->next) {
        if (cJSON_IsObject(it)) n += quoted_len(ch->string ? ch->string : "") + 2;
        if (n > limit) break;
        size_t k = compact_len_upto(ch, limit - n);
        n = k > limit - n ? limit + 1 : n + k;
        if (ch->next) n += 2;
    }
    return n;
}

/* col: the column where the value starts; trail: characters that follow it on
 * its line (a comma). */
static void emit_pretty(lg_sbuf *b, const cJSON *it, int indent, size_t col, int trail)
{
    int obj = cJSON_IsObject(it), arr = cJSON_IsArray(it);
    size_t room = col + (size_t)trail <= DUMP_WIDTH ? DUMP_WIDTH - col - (size_t)trail : 0;
    if ((!obj && !arr) || !it->child || (col + (size_t)trail <= DUMP_WIDTH && compact_len_upto(it, room) <= room)) {
        lg_json_put_compact(b, it, 1);
        return;
    }
    int in = indent + 2;
    if (arr && all_scalars(it)) {
        lg_sb_puts(b, "[\n");
        lg_sb_spaces(b, in);
        size_t cc = (size_t)in;
        for (const cJSON *ch = it->child; ch; ch = ch->next) {
            lg_sbuf t = {0};
            lg_json_put_compact(&t, ch, 1);
            if (ch != it->child) {
                if (cc + 2 + t.len > DUMP_WIDTH) {
                    lg_sb_puts(b, ",\n");
                    lg_sb_spaces(b, in);
                    cc = (size_t)in;
                } else {
                    lg_sb_puts(b, ", ");
                    cc += 2;
                }
            }
            if (t.p) lg_sb_putn(b, t.p, t.len);
            b->oom |= t.oom;
            cc += t.len;
            free(t.p);
        }
        lg_sb_putc(b, '\n');
        lg_sb_spaces(b, indent);
        lg_sb_putc(b, ']');
        return;
    }
    lg_sb_putc(b, obj ? '{' : '[');
    lg_sb_putc(b, '\n');
    for (const cJSON *ch = it->child; ch; ch = ch->next) {
        lg_sb_spaces(b, in);
        size_t cc = (size_t)in;
        if (obj) {
            size_t before = b->len;
            lg_json_put_string(b, ch->string ? ch->string : "");
            lg_sb_puts(b, ": ");
            cc += b->len - before;
        }
        emit_pretty(b, ch, in, cc, ch->next ? 1 : 0);
        if (ch->next) lg_sb_putc(b, ',');
        lg_sb_putc(b, '\n');
    }
    lg_sb_spaces(b, indent);
    lg_sb_putc(b, obj ? '}' : ']');
}

/* Tree building; any allocation failure clears *ok. */

char *lg_json_pretty(const cJSON *root)
{
    lg_sbuf b = {0};
    emit_pretty(&b, root, 0, 0, 0);
    lg_sb_putc(&b, '\n');
    return lg_sb_take(&b);
}

cJSON *lg_jadd(lg_jbuild *b, cJSON *parent, const char *key, cJSON *v)
{
    if (!v || !parent) {
        b->ok = 0;
        cJSON_Delete(v);
        return NULL;
    }
    cJSON_bool r = key ? cJSON_AddItemToObject(parent, key, v) : cJSON_AddItemToArray(parent, v);
    if (!r) {
        b->ok = 0;
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

cJSON *lg_jadd_float(lg_jbuild *b, cJSON *parent, const char *key, float f)
{
    if (!isfinite(f)) return lg_jadd(b, parent, key, cJSON_CreateNull());
    char t[64];
    lg_json_fmt_float(t, sizeof t, f);
    return lg_jadd(b, parent, key, cJSON_CreateRaw(t));
}

cJSON *lg_jadd_int(lg_jbuild *b, cJSON *parent, const char *key, long long v)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", v);
    return lg_jadd(b, parent, key, cJSON_CreateRaw(t));
}

cJSON *lg_jadd_u64(lg_jbuild *b, cJSON *parent, const char *key, uint64_t v)
{
    char t[32];
    snprintf(t, sizeof t, "%" PRIu64, v);
    return lg_jadd(b, parent, key, cJSON_CreateRaw(t));
}

cJSON *lg_jadd_str(lg_jbuild *b, cJSON *parent, const char *key, const char *s, size_t cap)
{
    char *t = malloc(cap + 1);
    if (!t) {
        b->ok = 0;
        return NULL;
    }
    size_t n = strnlen(s, cap);
    memcpy(t, s, n);
    t[n] = '\0';
    cJSON *v = lg_jadd(b, parent, key, cJSON_CreateString(t));
    free(t);
    return v;
}

cJSON *lg_jadd_bool(lg_jbuild *b, cJSON *parent, const char *key, int v)
{
    return lg_jadd(b, parent, key, cJSON_CreateBool(v != 0));
}

cJSON *lg_jadd_obj(lg_jbuild *b, cJSON *parent, const char *key)
{
    return lg_jadd(b, parent, key, cJSON_CreateObject());
}
cJSON *lg_jadd_arr(lg_jbuild *b, cJSON *parent, const char *key)
{
    return lg_jadd(b, parent, key, cJSON_CreateArray());
}
