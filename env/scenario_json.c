/* Scenario files: strict JSON loading and canonical dumping.
 *
 * Loading runs in stages, each refusing bad input with a precise message
 * before the next stage can be confused by it:
 *   1. size (at most LG_SCENARIO_MAX_FILE_BYTES), emptiness;
 *   2. a byte scan: UTF-8 validity and NUL bytes;
 *   3. a strict JSON grammar scan of our own (RFC 8259): gives line:column
 *      messages that say what was expected, bounds nesting depth and the number
 *      of values, and rejects what cJSON would silently accept (raw control
 *      characters in strings, leading zeros, \u0000, unpaired surrogates,
 *      trailing garbage). cJSON's own nesting limit (1000) is never reached;
 *   4. cJSON parses the (now known to be valid) text;
 *   5. a tree pass: duplicate keys (cJSON keeps them), non-finite numbers
 *      (1e999 parses to inf);
 *   6. the schema walk: unknown keys, types, integer ranges, array lengths,
 *      name references, applied to a copy of lg_scenario_default();
 *   7. lg_scenario_check() for ranges and consistency.
 *
 * Dumping builds a cJSON tree whose numbers are raw text we format ourselves
 * (shortest round-trip form), then prints it with our own pretty printer
 * (short containers on one line, arrays of numbers filled to the width). */
#include "lg_scenario_json.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Growing string buffer (out-of-memory is sticky and checked at the end).   */

typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}
static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }
static void sb_putc(sbuf *b, char c) { sb_putn(b, &c, 1); }
static void sb_spaces(sbuf *b, int n)
{
    for (int i = 0; i < n; i++) sb_putc(b, ' ');
}

/* ------------------------------------------------------------------------ */
/* Number formatting: the shortest text that reads back to the same value.   */

static void fmt_float(char *buf, size_t n, float f)
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

static void fmt_double(char *buf, size_t n, double d)
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
static void emit_string_n(sbuf *b, const char *s, size_t n)
{
    sb_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '"': sb_puts(b, "\\\""); break;
        case '\\': sb_puts(b, "\\\\"); break;
        case '\b': sb_puts(b, "\\b"); break;
        case '\f': sb_puts(b, "\\f"); break;
        case '\n': sb_puts(b, "\\n"); break;
        case '\r': sb_puts(b, "\\r"); break;
        case '\t': sb_puts(b, "\\t"); break;
        default:
            if (ch < 0x20) {
                char u[8];
                snprintf(u, sizeof u, "\\u%04x", ch);
                sb_puts(b, u);
            } else {
                sb_putc(b, (char)ch);
            }
        }
    }
    sb_putc(b, '"');
}
static void emit_string(sbuf *b, const char *s) { emit_string_n(b, s, strlen(s)); }

/* A string quoted for a message, cut after about max bytes (at a UTF-8
 * character boundary) with "..." appended. */
static void quote_trunc(const char *s, char *out, size_t outsz, size_t max)
{
    sbuf b = {0};
    size_t n = strlen(s), cut = n;
    if (n > max) {
        cut = max;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--;
    }
    emit_string_n(&b, s, cut);
    if (cut < n && !b.oom) {
        b.len--; /* reopen the quote */
        sb_puts(&b, "...\"");
    }
    snprintf(out, outsz, "%s", b.oom || !b.p ? "\"\"" : b.p);
    free(b.p);
}

/* ------------------------------------------------------------------------ */
/* Error context: source name, JSON path being read, caller's buffer.        */

typedef struct {
    const char *src;
    char *err;
    size_t errsz;
    char path[768];
    size_t plen;
} jctx;

static int jfail(jctx *c, const char *fmt, ...)
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
static int jfail_raw(jctx *c, const char *msg)
{
    if (c->err && c->errsz) snprintf(c->err, c->errsz, "%s: %s", c->src, msg);
    return -1;
}

/* Line and column (1-based; columns count UTF-8 characters) of byte off. */
static void line_col(const char *text, size_t off, int *line, int *col)
{
    int l = 1, cc = 1;
    for (size_t i = 0; i < off; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            cc = 1;
        } else if ((ch & 0xC0) != 0x80) {
            cc++;
        }
    }
    *line = l;
    *col = cc;
}

static int jfail_at(jctx *c, const char *text, size_t off, const char *kind, const char *msg)
{
    if (c->err && c->errsz) {
        int l, cc;
        line_col(text, off, &l, &cc);
        snprintf(c->err, c->errsz, "%s:%d:%d: %s: %s", c->src, l, cc, kind, msg);
    }
    return -1;
}

static void path_append(jctx *c, const char *s)
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

static size_t push_key(jctx *c, const char *k)
{
    size_t old = c->plen;
    if (key_is_plain(k) && strlen(k) <= 64) {
        if (c->plen) path_append(c, ".");
        path_append(c, k);
    } else {
        char q[128];
        quote_trunc(k, q, sizeof q, 40);
        path_append(c, "[");
        path_append(c, q);
        path_append(c, "]");
    }
    return old;
}

static size_t push_idx(jctx *c, int i)
{
    size_t old = c->plen;
    char t[24];
    snprintf(t, sizeof t, "[%d]", i);
    path_append(c, t);
    return old;
}

static void pop(jctx *c, size_t old)
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
        fmt_double(buf, n, it->valuedouble);
    } else if (cJSON_IsString(it)) {
        char q[128];
        quote_trunc(it->valuestring, q, sizeof q, 40);
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

static int fail_type(jctx *c, const cJSON *it, const char *expected)
{
    char f[160];
    describe(it, f, sizeof f);
    return jfail(c, "expected %s, found %s", expected, f);
}

/* ------------------------------------------------------------------------ */
/* Stage 2: encoding. Strict UTF-8 (no overlongs, surrogates, > U+10FFFF).   */

static int scan_utf8(jctx *c, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        unsigned char b0 = s[i];
        if (b0 == 0) return jfail_at(c, text, i, "encoding error", "expected text, found a NUL byte (binary file?)");
        if (b0 < 0x80) {
            i++;
            continue;
        }
        int need;
        unsigned char lo = 0x80, hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            need = 1;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            need = 2;
            if (b0 == 0xE0) lo = 0xA0;
            if (b0 == 0xED) hi = 0x9F;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            need = 3;
            if (b0 == 0xF0) lo = 0x90;
            if (b0 == 0xF4) hi = 0x8F;
        } else {
            char m[96];
            snprintf(m, sizeof m, "expected UTF-8 text, found byte 0x%02x", b0);
            return jfail_at(c, text, i, "encoding error", m);
        }
        for (int k = 1; k <= need; k++) {
            if (i + (size_t)k >= n) return jfail_at(c, text, i, "encoding error", "expected UTF-8 text, found a truncated UTF-8 sequence");
            unsigned char bk = s[i + (size_t)k];
            unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
            if (bk < l || bk > h) {
                char m[96];
                snprintf(m, sizeof m, "expected UTF-8 text, found an invalid UTF-8 sequence starting with byte 0x%02x", b0);
                return jfail_at(c, text, i, "encoding error", m);
            }
        }
        i += (size_t)need + 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Stage 3: the JSON grammar, with an explicit stack (no recursion).         */

static int is_ws(unsigned char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }
static int is_digit(unsigned char ch) { return ch >= '0' && ch <= '9'; }
static int is_word(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || is_digit(ch) || ch == '_';
}

/* "found ..." for the token at s[i]. */
static void describe_token(const char *text, size_t n, size_t i, char *buf, size_t bufsz)
{
    const unsigned char *s = (const unsigned char *)text;
    if (i >= n) {
        snprintf(buf, bufsz, "end of input");
        return;
    }
    unsigned char ch = s[i];
    if (is_word(ch) || (ch == '-' && i + 1 < n && is_word(s[i + 1]) && !is_digit(s[i + 1]))) {
        size_t j = i + (ch == '-'), k = 0;
        char w[24];
        if (ch == '-') w[k++] = '-';
        while (j < n && is_word(s[j]) && k < 20) w[k++] = (char)s[j++];
        w[k] = '\0';
        const char *hint = "";
        if (!strcmp(w, "NaN") || !strcmp(w, "Infinity") || !strcmp(w, "-Infinity") || !strcmp(w, "nan") ||
            !strcmp(w, "inf"))
            hint = " (JSON has no NaN or Infinity)";
        else if (!strcmp(w, "True") || !strcmp(w, "False") || !strcmp(w, "TRUE") || !strcmp(w, "FALSE"))
            hint = " (JSON booleans are lower case: true, false)";
        else if (!strcmp(w, "None") || !strcmp(w, "NULL") || !strcmp(w, "Null"))
            hint = " (JSON's null is lower case: null)";
        else
            hint = " (strings need double quotes)";
        snprintf(buf, bufsz, "'%s'%s", w, hint);
    } else if (ch >= 0x21 && ch < 0x7F) {
        const char *hint = "";
        if (ch == '/') hint = " (JSON has no comments)";
        else if (ch == '\'') hint = " (JSON strings use double quotes)";
        snprintf(buf, bufsz, "'%c'%s", ch, hint);
    } else if (ch >= 0x80) {
        snprintf(buf, bufsz, "a non-ASCII character (byte 0x%02x)", ch);
    } else {
        snprintf(buf, bufsz, "control character 0x%02x", ch);
    }
}

static int hex4(const unsigned char *s, size_t n, size_t i, unsigned *out)
{
    if (i + 4 > n) return -1;
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned char h = s[i + (size_t)k];
        v <<= 4;
        if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
        else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* s[*pi] is the opening quote. */
static int scan_string(jctx *c, const char *text, size_t n, size_t *pi)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t start = *pi, i = start + 1;
    for (;;) {
        if (i >= n)
            return jfail_at(c, text, start, "syntax error",
                            "expected a closing '\"' for the string that starts here, found end of input");
        unsigned char ch = s[i];
        if (ch == '"') {
            *pi = i + 1;
            return 0;
        }
        if (ch < 0x20) {
            char m[160];
            snprintf(m, sizeof m,
                     "expected an escape sequence for a control character in a string (e.g. \\n), found raw "
                     "control character 0x%02x", ch);
            return jfail_at(c, text, i, "syntax error", m);
        }
        if (ch != '\\') {
            i++;
            continue;
        }
        if (i + 1 >= n) {
            i++; /* reported as unterminated at the top of the loop */
            continue;
        }
        unsigned char e = s[i + 1];
        if (e && strchr("\"\\/bfnrt", e)) {
            i += 2;
            continue;
        }
        if (e != 'u') {
            char m[160];
            snprintf(m, sizeof m, "expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found '\\%c'",
                     e >= 0x20 && e < 0x7F ? e : '?');
            return jfail_at(c, text, i, "syntax error", m);
        }
        unsigned u;
        if (hex4(s, n, i + 2, &u))
            return jfail_at(c, text, i, "syntax error", "expected four hex digits after \\u, found something else");
        if (u == 0)
            return jfail_at(c, text, i, "syntax error", "expected a string without NUL characters, found \\u0000");
        if (u >= 0xDC00 && u <= 0xDFFF)
            return jfail_at(c, text, i, "syntax error",
                            "expected a high surrogate before a low surrogate, found an unpaired \\u escape");
        if (u >= 0xD800 && u <= 0xDBFF) {
            unsigned u2;
            if (i + 7 < n && s[i + 6] == '\\' && s[i + 7] == 'u' && !hex4(s, n, i + 8, &u2) && u2 >= 0xDC00 &&
                u2 <= 0xDFFF) {
                i += 12;
                continue;
            }
            return jfail_at(c, text, i, "syntax error",
                            "expected a low surrogate \\uDC00-\\uDFFF after a high surrogate, found none");
        }
        i += 6;
    }
}

/* s[*pi] is '-' or a digit. */
static int scan_number(jctx *c, const char *text, size_t n, size_t *pi)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t start = *pi, i = start;
    char m[160], f[64];
    if (s[i] == '-') i++;
    if (i >= n || !is_digit(s[i])) {
        describe_token(text, n, i, f, sizeof f);
        snprintf(m, sizeof m, "expected a digit after '-', found %s", f);
        return jfail_at(c, text, i, "syntax error", m);
    }
    if (s[i] == '0') {
        i++;
        if (i < n && is_digit(s[i]))
            return jfail_at(c, text, start, "syntax error", "expected a number without leading zeros, found '0' followed by a digit");
    } else {
        while (i < n && is_digit(s[i])) i++;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit(s[i])) {
            describe_token(text, n, i, f, sizeof f);
            snprintf(m, sizeof m, "expected a digit after the decimal point, found %s", f);
            return jfail_at(c, text, i, "syntax error", m);
        }
        while (i < n && is_digit(s[i])) i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= n || !is_digit(s[i])) {
            describe_token(text, n, i, f, sizeof f);
            snprintf(m, sizeof m, "expected a digit in the exponent, found %s", f);
            return jfail_at(c, text, i, "syntax error", m);
        }
        while (i < n && is_digit(s[i])) i++;
    }
    if (i - start > LG_SCENARIO_MAX_NUMBER_CHARS) {
        snprintf(m, sizeof m, "expected a number of at most %d characters, found %zu", LG_SCENARIO_MAX_NUMBER_CHARS,
                 i - start);
        return jfail_at(c, text, start, "syntax error", m);
    }
    *pi = i;
    return 0;
}

enum { ST_VALUE, ST_ARR_FIRST, ST_OBJ_FIRST, ST_OBJ_KEY, ST_COLON, ST_AFTER, ST_DONE };

static int scan_grammar(jctx *c, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    unsigned char stack[LG_SCENARIO_MAX_DEPTH];
    size_t opened[LG_SCENARIO_MAX_DEPTH];
    int depth = 0, st = ST_VALUE;
    size_t i = 0, values = 0, comma = (size_t)-1;
    char m[320], f[96];
    for (;;) {
        while (i < n && is_ws(s[i])) i++;
        if (i >= n) {
            if (st == ST_DONE) return 0;
            const char *exp = "a value";
            if (st == ST_OBJ_FIRST) exp = "a string key or '}'";
            else if (st == ST_OBJ_KEY) exp = "a string key";
            else if (st == ST_COLON) exp = "':'";
            else if (st == ST_ARR_FIRST) exp = "a value or ']'";
            else if (st == ST_AFTER) exp = stack[depth - 1] == '{' ? "',' or '}'" : "',' or ']'";
            if (depth > 0) {
                int l, cc;
                line_col(text, opened[depth - 1], &l, &cc);
                snprintf(m, sizeof m, "expected %s, found end of input (the '%c' at line %d, column %d is never closed)",
                         exp, stack[depth - 1], l, cc);
            } else {
                snprintf(m, sizeof m, "expected %s, found end of input", exp);
            }
            return jfail_at(c, text, n, "syntax error", m);
        }
        unsigned char ch = s[i];
        switch (st) {
        case ST_ARR_FIRST:
            if (ch == ']') {
                depth--;
                i++;
                st = depth ? ST_AFTER : ST_DONE;
                break;
            }
            /* fall through */
        case ST_VALUE:
            if (++values > LG_SCENARIO_MAX_VALUES) {
                snprintf(m, sizeof m, "expected at most %d JSON values in a scenario, found more", LG_SCENARIO_MAX_VALUES);
                return jfail_at(c, text, i, "syntax error", m);
            }
            if (ch == '{' || ch == '[') {
                if (depth == LG_SCENARIO_MAX_DEPTH) {
                    snprintf(m, sizeof m, "expected at most %d nested arrays and objects, found deeper nesting",
                             LG_SCENARIO_MAX_DEPTH);
                    return jfail_at(c, text, i, "syntax error", m);
                }
                opened[depth] = i;
                stack[depth++] = ch;
                i++;
                st = ch == '{' ? ST_OBJ_FIRST : ST_ARR_FIRST;
                break;
            }
            if (ch == '"') {
                if (scan_string(c, text, n, &i)) return -1;
            } else if (ch == '-' || is_digit(ch)) {
                if (scan_number(c, text, n, &i)) return -1;
            } else if (n - i >= 4 && !memcmp(s + i, "true", 4) && (n - i == 4 || !is_word(s[i + 4]))) {
                i += 4;
            } else if (n - i >= 5 && !memcmp(s + i, "false", 5) && (n - i == 5 || !is_word(s[i + 5]))) {
                i += 5;
            } else if (n - i >= 4 && !memcmp(s + i, "null", 4) && (n - i == 4 || !is_word(s[i + 4]))) {
                i += 4;
            } else {
                describe_token(text, n, i, f, sizeof f);
                if ((ch == ']' || ch == '}') && comma != (size_t)-1) {
                    snprintf(m, sizeof m, "expected a value after ',', found '%c' (JSON does not allow a trailing comma)", ch);
                    return jfail_at(c, text, comma, "syntax error", m);
                }
                snprintf(m, sizeof m, "expected a value, found %s", f);
                return jfail_at(c, text, i, "syntax error", m);
            }
            st = depth ? ST_AFTER : ST_DONE;
            comma = (size_t)-1;
            break;
        case ST_OBJ_FIRST:
            if (ch == '}') {
                depth--;
                i++;
                st = depth ? ST_AFTER : ST_DONE;
                break;
            }
            /* fall through */
        case ST_OBJ_KEY:
            if (ch != '"') {
                if (ch == '}' && comma != (size_t)-1)
                    return jfail_at(c, text, comma, "syntax error",
                                    "expected a string key after ',', found '}' (JSON does not allow a trailing comma)");
                describe_token(text, n, i, f, sizeof f);
                snprintf(m, sizeof m, "expected %s, found %s", st == ST_OBJ_FIRST ? "a string key or '}'" : "a string key",
                         f);
                return jfail_at(c, text, i, "syntax error", m);
            }
            if (++values > LG_SCENARIO_MAX_VALUES) {
                snprintf(m, sizeof m, "expected at most %d JSON values in a scenario, found more", LG_SCENARIO_MAX_VALUES);
                return jfail_at(c, text, i, "syntax error", m);
            }
            if (scan_string(c, text, n, &i)) return -1;
            st = ST_COLON;
            comma = (size_t)-1;
            break;
        case ST_COLON:
            if (ch != ':') {
                describe_token(text, n, i, f, sizeof f);
                snprintf(m, sizeof m, "expected ':' after the key, found %s", f);
                return jfail_at(c, text, i, "syntax error", m);
            }
            i++;
            st = ST_VALUE;
            break;
        case ST_AFTER: {
            unsigned char top = stack[depth - 1];
            if (ch == ',') {
                comma = i;
                i++;
                st = top == '{' ? ST_OBJ_KEY : ST_VALUE;
            } else if ((top == '{' && ch == '}') || (top == '[' && ch == ']')) {
                depth--;
                i++;
                st = depth ? ST_AFTER : ST_DONE;
            } else {
                describe_token(text, n, i, f, sizeof f);
                snprintf(m, sizeof m, "expected %s, found %s%s", top == '{' ? "',' or '}'" : "',' or ']'", f,
                         (ch == '"' || ch == '{' || ch == '[' || is_digit(ch)) ? " (missing comma?)" : "");
                return jfail_at(c, text, i, "syntax error", m);
            }
            break;
        }
        case ST_DONE:
        default:
            describe_token(text, n, i, f, sizeof f);
            snprintf(m, sizeof m, "expected end of input after the top-level value, found %s", f);
            return jfail_at(c, text, i, "syntax error", m);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Stage 5: duplicate keys and non-finite numbers, anywhere in the tree.     */

typedef struct {
    const char *key;
    int idx;
} keyref;

static int cmp_keyref(const void *a, const void *b)
{
    const keyref *x = a, *y = b;
    int r = strcmp(x->key, y->key);
    return r ? r : (x->idx > y->idx) - (x->idx < y->idx);
}

static int check_duplicates(jctx *c, const cJSON *obj)
{
    int n = 0;
    for (const cJSON *ch = obj->child; ch; ch = ch->next) n++;
    if (n < 2) return 0;
    keyref *k = malloc((size_t)n * sizeof *k);
    if (!k) return jfail(c, "out of memory while checking keys");
    int i = 0;
    for (const cJSON *ch = obj->child; ch; ch = ch->next, i++) {
        k[i].key = ch->string ? ch->string : "";
        k[i].idx = i;
    }
    qsort(k, (size_t)n, sizeof *k, cmp_keyref);
    int best = -1, best_count = 0;
    const char *best_key = NULL;
    for (int a = 0; a < n;) {
        int b = a + 1;
        while (b < n && !strcmp(k[a].key, k[b].key)) b++;
        if (b - a > 1 && (best < 0 || k[a + 1].idx < best)) {
            best = k[a + 1].idx;
            best_count = b - a;
            best_key = k[a].key;
        }
        a = b;
    }
    int r = 0;
    if (best >= 0) {
        char q[128];
        quote_trunc(best_key, q, sizeof q, 40);
        push_key(c, best_key);
        r = jfail(c, "expected each key at most once in an object, found duplicate key %s (%d times)", q, best_count);
    }
    free(k);
    return r;
}

static int tree_pass(jctx *c, const cJSON *it)
{
    if (cJSON_IsNumber(it)) {
        if (!isfinite(it->valuedouble))
            return jfail(c, "expected a finite number, found a number too large to represent (such as 1e999)");
        return 0;
    }
    if (cJSON_IsObject(it)) {
        if (check_duplicates(c, it)) return -1;
        for (const cJSON *ch = it->child; ch; ch = ch->next) {
            size_t s = push_key(c, ch->string ? ch->string : "");
            if (tree_pass(c, ch)) return -1;
            pop(c, s);
        }
    } else if (cJSON_IsArray(it)) {
        int i = 0;
        for (const cJSON *ch = it->child; ch; ch = ch->next, i++) {
            size_t s = push_idx(c, i);
            if (tree_pass(c, ch)) return -1;
            pop(c, s);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Stage 6 helpers: keys, types, ranges.                                     */

static const cJSON *member(const cJSON *obj, const char *key)
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

static int check_keys_ctx(jctx *c, const cJSON *obj, const char *const *keys, const char *context)
{
    for (const cJSON *ch = obj->child; ch; ch = ch->next) {
        const char *k = ch->string ? ch->string : "";
        int ok = 0;
        for (int i = 0; keys[i]; i++)
            if (!strcmp(keys[i], k)) ok = 1;
        if (ok) continue;
        char list[640], q[128], hint[96] = "";
        key_list(keys, list, sizeof list);
        quote_trunc(k, q, sizeof q, 40);
        int bestd = 3;
        for (int i = 0; keys[i]; i++) {
            int d = edit_distance(k, keys[i]);
            if (d < bestd && d * 3 <= (int)strlen(keys[i])) {
                bestd = d;
                snprintf(hint, sizeof hint, " (did you mean \"%s\"?)", keys[i]);
            }
        }
        push_key(c, k);
        return jfail(c, "expected one of the keys %s%s, found unknown key %s%s", list, context, q, hint);
    }
    return 0;
}

static int check_keys(jctx *c, const cJSON *obj, const char *const *keys)
{
    return check_keys_ctx(c, obj, keys, "");
}

static int expect_object(jctx *c, const cJSON *it, const char *const *keys)
{
    if (!cJSON_IsObject(it)) return fail_type(c, it, "an object");
    return keys ? check_keys(c, it, keys) : 0;
}

static int expect_array(jctx *c, const cJSON *it, int min, int max, const char *what, int *count)
{
    if (!cJSON_IsArray(it)) {
        char e[96];
        snprintf(e, sizeof e, "an array of %s", what);
        return fail_type(c, it, e);
    }
    int n = cJSON_GetArraySize(it);
    if (n < min) {
        if (n == 0 && min == 1) return jfail(c, "expected a non-empty array of %s, found an empty array", what);
        return jfail(c, "expected at least %d %s, found %d", min, what, n);
    }
    if (n > max) return jfail(c, "expected at most %d %s, found %d", max, what, n);
    *count = n;
    return 0;
}

static int val_float(jctx *c, const cJSON *it, float *out)
{
    if (!cJSON_IsNumber(it)) return fail_type(c, it, "a number");
    double d = it->valuedouble;
    if (!(fabs(d) <= (double)FLT_MAX)) {
        char f[64];
        fmt_double(f, sizeof f, d);
        return jfail(c, "expected a number of magnitude at most 3.4e38 (single precision), found %s", f);
    }
    *out = (float)d;
    return 0;
}

static int val_float_range(jctx *c, const cJSON *it, double lo, double hi, float *out)
{
    float v;
    if (val_float(c, it, &v)) return -1;
    if (!((double)v >= lo && (double)v <= hi)) {
        char f[64];
        fmt_double(f, sizeof f, it->valuedouble);
        return jfail(c, "expected a number in [%g, %g], found %s", lo, hi, f);
    }
    *out = v;
    return 0;
}

static int val_int(jctx *c, const cJSON *it, long long lo, long long hi, long long *out)
{
    if (!cJSON_IsNumber(it)) return fail_type(c, it, "an integer");
    double d = it->valuedouble;
    char f[64];
    fmt_double(f, sizeof f, d);
    if (d != floor(d)) return jfail(c, "expected an integer, found %s", f);
    if (!(d >= (double)lo && d <= (double)hi)) return jfail(c, "expected an integer in [%lld, %lld], found %s", lo, hi, f);
    *out = (long long)d;
    return 0;
}

static int val_bool(jctx *c, const cJSON *it, int *out)
{
    if (!cJSON_IsBool(it)) return fail_type(c, it, "true or false");
    *out = cJSON_IsTrue(it) ? 1 : 0;
    return 0;
}

/* Copy a string into buf[cap] (zero-filled): at most cap - 1 bytes. */
static int val_string(jctx *c, const cJSON *it, char *buf, size_t cap, int nonempty)
{
    if (!cJSON_IsString(it)) return fail_type(c, it, "a string");
    size_t n = strlen(it->valuestring);
    if (n >= cap) return jfail(c, "expected a string of at most %zu bytes, found one of %zu bytes", cap - 1, n);
    if (nonempty && n == 0) return jfail(c, "expected a non-empty string, found \"\"");
    memset(buf, 0, cap);
    memcpy(buf, it->valuestring, n);
    return 0;
}

/* rd_*: read an optional member; absent leaves *out unchanged. */
static int rd_float(jctx *c, const cJSON *o, const char *k, float *out)
{
    const cJSON *it = member(o, k);
    if (!it) return 0;
    size_t s = push_key(c, k);
    int r = val_float(c, it, out);
    pop(c, s);
    return r;
}

static int rd_float_range(jctx *c, const cJSON *o, const char *k, double lo, double hi, float *out)
{
    const cJSON *it = member(o, k);
    if (!it) return 0;
    size_t s = push_key(c, k);
    int r = val_float_range(c, it, lo, hi, out);
    pop(c, s);
    return r;
}

static int rd_int(jctx *c, const cJSON *o, const char *k, long long lo, long long hi, int *out)
{
    const cJSON *it = member(o, k);
    if (!it) return 0;
    size_t s = push_key(c, k);
    long long v;
    int r = val_int(c, it, lo, hi, &v);
    if (!r) *out = (int)v;
    pop(c, s);
    return r;
}

static int rd_u64(jctx *c, const cJSON *o, const char *k, uint64_t *out)
{
    const cJSON *it = member(o, k);
    if (!it) return 0;
    size_t s = push_key(c, k);
    long long v;
    int r = val_int(c, it, 0, (long long)LG_JSON_MAX_SEED, &v);
    if (!r) *out = (uint64_t)v;
    pop(c, s);
    return r;
}

static int rd_bool(jctx *c, const cJSON *o, const char *k, int *out)
{
    const cJSON *it = member(o, k);
    if (!it) return 0;
    size_t s = push_key(c, k);
    int r = val_bool(c, it, out);
    pop(c, s);
    return r;
}

static int rd_string(jctx *c, const cJSON *o, const char *k, char *buf, size_t cap, int nonempty)
{
    const cJSON *it = member(o, k);
    if (!it) return 0;
    size_t s = push_key(c, k);
    int r = val_string(c, it, buf, cap, nonempty);
    pop(c, s);
    return r;
}

/* Names: channels, categories and segments, each a fixed-size char array
 * inside a struct array of the given stride. */
typedef struct {
    const char *base;
    size_t stride;
    int count;
    const char *what; /* "channel" */
} namelist;

static const char *nl_name(const namelist *nl, int i) { return nl->base + (size_t)i * nl->stride; }

static int nl_find(const namelist *nl, const char *name, int limit)
{
    if (strlen(name) >= LG_NAME_LEN) return -1;
    for (int i = 0; i < limit; i++)
        if (!strncmp(nl_name(nl, i), name, LG_NAME_LEN)) return i;
    return -1;
}

/* A few of the names, for messages: "a", "b", "c", ... */
static void nl_examples(const namelist *nl, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    int shown = nl->count < 8 ? nl->count : 8;
    for (int i = 0; i < shown; i++) {
        char nm[LG_NAME_LEN + 1], q[96];
        snprintf(nm, sizeof nm, "%.*s", LG_NAME_LEN, nl_name(nl, i));
        quote_trunc(nm, q, sizeof q, 40);
        int w = snprintf(buf + len, n - len, "%s%s", i ? ", " : "", q);
        if (w < 0 || (size_t)w >= n - len) return;
        len += (size_t)w;
    }
    if (shown < nl->count) snprintf(buf + len, n - len, ", ...");
}

static int val_ref(jctx *c, const cJSON *it, const namelist *nl, int *out)
{
    if (cJSON_IsString(it)) {
        int k = nl_find(nl, it->valuestring, nl->count);
        if (k < 0) {
            char q[128], ex[512];
            quote_trunc(it->valuestring, q, sizeof q, 40);
            nl_examples(nl, ex, sizeof ex);
            return jfail(c, "no %s named %s; expected one of %s or an index in [0, %d]", nl->what, q, ex, nl->count - 1);
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
        fmt_double(f, sizeof f, d);
        return jfail(c, "expected a %s name or an index in [0, %d], found %s", nl->what, nl->count - 1, f);
    }
    char e[96];
    snprintf(e, sizeof e, "a %s name or index", nl->what);
    return fail_type(c, it, e);
}

/* A new name at index i must differ from names [0, i). */
static int check_unique_name(jctx *c, const namelist *nl, int i, const char *list_path)
{
    int k = nl_find(nl, nl_name(nl, i), i);
    if (k < 0) return 0;
    char q[128];
    quote_trunc(nl_name(nl, i), q, sizeof q, 40);
    return jfail(c, "expected a unique %s name, found %s again (first used at %s[%d])", nl->what, q, list_path, k);
}

static namelist channel_names(const lg_scenario *sc)
{
    namelist nl = {sc->channels[0].name, sizeof sc->channels[0], sc->n_channels, "channel"};
    return nl;
}
static namelist category_names(const lg_scenario *sc)
{
    namelist nl = {sc->category_names[0], sizeof sc->category_names[0], sc->n_categories, "category"};
    return nl;
}
static namelist segment_names(const lg_scenario *sc)
{
    namelist nl = {sc->segments[0].name, sizeof sc->segments[0], sc->n_segments, "segment"};
    return nl;
}

/* ------------------------------------------------------------------------ */
/* Stage 6: the schema.                                                      */

static const char *const K_TOP[] = {"name",   "description", "kind",   "world",      "population", "session",
                                    "reward", "observation", "events", "experiment", "bandit",     "cliff",
                                    NULL};
static const char *const K_BANDIT[] = {"arms", "mean", "sd", "reward_sd", "walk_sd", "steps", NULL};
static const char *const K_CLIFF[] = {"rows", "cols", "step_reward", "cliff_reward", "max_steps", NULL};
static const char *const K_WORLD[] = {"seed",          "latent_dim",     "category_separation", "channel_spread",
                                      "categories",    "embedding_dim",  "modality_noise",      "popularity",
                                      "audience",      "channels",       NULL};
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
                                           "engagement", "gift_rate",        "follow_rate", "refund",
                                           "segments",   NULL};
static const char *const K_FATIGUE[] = {"gain", "half_life", "weight", NULL};
static const char *const K_ENGAGEMENT[] = {"bias", "match", "quality", NULL};
static const char *const K_REFUND[] = {"max", "quality_floor", NULL};
static const char *const K_SEGMENT[] = {"name",          "weight",         "interest",      "interest_spread",
                                        "herding",       "quality_weight", "appeal_weight", "follow_weight",
                                        "patience",      "activity",       NULL};
static const char *const K_ACTIVITY_CURVE[] = {"peak_hour", "width_hours", "floor", NULL};
static const char *const K_SESSION[] = {"dt", "slate_size", "max_steps", "start_minute", "horizon_minutes", NULL};
static const char *const K_REWARD[] = {"watch", "gift", "follow", "invalid_penalty", NULL};
static const char *const K_OBSERVATION[] = {"mode", "observe_segment", NULL};
static const char *const K_EXPERIMENT[] = {"agents",        "seeds", "train_steps", "eval_every",
                                           "eval_sessions", "slots", "baseline", "episodes", NULL};
static const char *const K_AGENT[] = {"name", "label", "params", NULL};

/* Keys each event type allows; the first `required` after time and type are required. */
typedef struct {
    const char *keys[6];
    int n_required; /* keys[2 .. 2 + n_required) are required */
} event_keys;

static const event_keys EVENT_KEYS[LG_EV_COUNT] = {
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

static int load_categories(jctx *c, const cJSON *arr, lg_scenario *sc)
{
    int n;
    if (expect_array(c, arr, 1, LG_MAX_CATEGORIES, "category names", &n)) return -1;
    memset(sc->category_names, 0, sizeof sc->category_names);
    sc->n_categories = n;
    namelist nl = category_names(sc);
    int i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        size_t s = push_idx(c, i);
        if (val_string(c, it, sc->category_names[i], LG_NAME_LEN, 1)) return -1;
        if (check_unique_name(c, &nl, i, "world.categories")) return -1;
        pop(c, s);
    }
    return 0;
}

static int load_generator(jctx *c, const cJSON *g, lg_scenario *sc)
{
    lg_channel_generator gen;
    lg_channel_generator_default(&gen);
    if (expect_object(c, g, K_GENERATOR)) return -1;
    if (rd_u64(c, g, "seed", &gen.seed) || rd_int(c, g, "count", 1, LG_MAX_CHANNELS, &gen.count) ||
        rd_float_range(c, g, "quality_mean", 0, 1, &gen.quality_mean) ||
        rd_float_range(c, g, "quality_sd", 0, 1, &gen.quality_sd) ||
        rd_float_range(c, g, "appeal_mean", 0, 1, &gen.appeal_mean) ||
        rd_float_range(c, g, "appeal_sd", 0, 1, &gen.appeal_sd) ||
        rd_float_range(c, g, "appeal_quality_corr", -1, 1, &gen.appeal_quality_corr) ||
        rd_float_range(c, g, "popularity_sd", 0, 5, &gen.popularity_sd) ||
        rd_float_range(c, g, "popularity_quality", -20, 20, &gen.popularity_quality) ||
        rd_float_range(c, g, "always_on_fraction", 0, 1, &gen.always_on_fraction) ||
        rd_float_range(c, g, "prime_hour", 0, 24, &gen.prime_hour) ||
        rd_float_range(c, g, "start_spread_hours", 0, 24, &gen.start_spread_hours) ||
        rd_float_range(c, g, "duration_mean", 30, LG_MINUTES_PER_DAY, &gen.duration_mean) ||
        rd_float_range(c, g, "duration_sd", 0, LG_MINUTES_PER_DAY, &gen.duration_sd) ||
        rd_float_range(c, g, "jitter", 0, 360, &gen.jitter))
        return -1;
    memset(sc->channels, 0, sizeof sc->channels);
    char msg[512];
    if (lg_generate_channels(sc, &gen, msg, sizeof msg)) return jfail_raw(c, msg);
    return 0;
}

static int load_channel(jctx *c, const cJSON *o, lg_scenario *sc, int i)
{
    lg_channel_spec *ch = &sc->channels[i];
    if (expect_object(c, o, K_CHANNEL)) return -1;
    snprintf(ch->name, sizeof ch->name, "ch%02d", i);
    ch->quality = 0.5f;
    ch->appeal = 0.5f;
    ch->base_popularity = 0.0f;
    ch->always_on = 0;
    ch->n_windows = 1;
    ch->windows[0].start = 1080.0f;
    ch->windows[0].duration = 240.0f;
    ch->windows[0].jitter = 0.0f;
    if (rd_string(c, o, "name", ch->name, sizeof ch->name, 1)) return -1;
    namelist nl = channel_names(sc);
    size_t s = push_key(c, "name");
    if (member(o, "name") && check_unique_name(c, &nl, i, "world.channels")) return -1;
    if (!member(o, "name") && nl_find(&nl, ch->name, i) >= 0)
        return jfail(c, "expected a name for this channel (its default name \"%s\" is taken by an earlier channel), "
                        "found nothing", ch->name);
    pop(c, s);
    const cJSON *cat = member(o, "category");
    s = push_key(c, "category");
    if (!cat) return fail_type(c, NULL, "a category name or index");
    namelist cats = category_names(sc);
    if (val_ref(c, cat, &cats, &ch->category)) return -1;
    pop(c, s);
    if (rd_float(c, o, "quality", &ch->quality) || rd_float(c, o, "appeal", &ch->appeal) ||
        rd_float(c, o, "base_popularity", &ch->base_popularity) || rd_bool(c, o, "always_on", &ch->always_on))
        return -1;
    const cJSON *wins = member(o, "windows");
    if (wins) {
        s = push_key(c, "windows");
        int n;
        if (expect_array(c, wins, 0, LG_MAX_WINDOWS, "broadcast windows", &n)) return -1;
        memset(ch->windows, 0, sizeof ch->windows);
        ch->n_windows = n;
        int w = 0;
        for (const cJSON *wo = wins->child; wo; wo = wo->next, w++) {
            size_t s2 = push_idx(c, w);
            lg_window *win = &ch->windows[w];
            win->start = 1080.0f;
            win->duration = 240.0f;
            win->jitter = 0.0f;
            if (expect_object(c, wo, K_WINDOW) || rd_float(c, wo, "start", &win->start) ||
                rd_float(c, wo, "duration", &win->duration) || rd_float(c, wo, "jitter", &win->jitter))
                return -1;
            pop(c, s2);
        }
        pop(c, s);
    }
    return 0;
}

static int load_channels(jctx *c, const cJSON *chs, lg_scenario *sc)
{
    if (cJSON_IsObject(chs)) {
        if (check_keys_ctx(c, chs, K_CHANNELS_OBJ, " (an object here asks for generated channels)")) return -1;
        const cJSON *g = member(chs, "generate");
        if (!g)
            return jfail(c, "expected an array of channels or {\"generate\": {...}}, found an object without \"generate\"");
        size_t s = push_key(c, "generate");
        if (load_generator(c, g, sc)) return -1;
        pop(c, s);
        return 0;
    }
    if (!cJSON_IsArray(chs)) return fail_type(c, chs, "an array of channels or {\"generate\": {...}}");
    int n;
    if (expect_array(c, chs, 1, LG_MAX_CHANNELS, "channels", &n)) return -1;
    memset(sc->channels, 0, sizeof sc->channels);
    sc->n_channels = n;
    int i = 0;
    for (const cJSON *o = chs->child; o; o = o->next, i++) {
        size_t s = push_idx(c, i);
        if (load_channel(c, o, sc, i)) return -1;
        pop(c, s);
    }
    return 0;
}

static int load_world(jctx *c, const cJSON *w, lg_scenario *sc, load_state *st)
{
    if (expect_object(c, w, K_WORLD)) return -1;
    if (rd_u64(c, w, "seed", &sc->world_seed) || rd_int(c, w, "latent_dim", 1, LG_MAX_DIM, &sc->latent_dim) ||
        rd_float(c, w, "category_separation", &sc->category_separation) ||
        rd_float(c, w, "channel_spread", &sc->channel_spread) ||
        rd_int(c, w, "embedding_dim", 0, LG_MAX_EMB, &sc->embedding_dim))
        return -1;
    const cJSON *o;
    size_t s;
    if ((o = member(w, "modality_noise"))) {
        s = push_key(c, "modality_noise");
        if (expect_object(c, o, K_MODALITY) || rd_float(c, o, "visual", &sc->modality_noise[0]) ||
            rd_float(c, o, "audio", &sc->modality_noise[1]) || rd_float(c, o, "text", &sc->modality_noise[2]))
            return -1;
        pop(c, s);
    }
    if ((o = member(w, "popularity"))) {
        s = push_key(c, "popularity");
        if (expect_object(c, o, K_POPULARITY) || rd_float(c, o, "reversion", &sc->popularity_reversion) ||
            rd_float(c, o, "volatility", &sc->popularity_volatility) ||
            rd_float(c, o, "feedback", &sc->popularity_feedback))
            return -1;
        pop(c, s);
    }
    if ((o = member(w, "audience"))) {
        s = push_key(c, "audience");
        if (expect_object(c, o, K_AUDIENCE) || rd_float(c, o, "peak", &sc->audience_peak) ||
            rd_float(c, o, "amplitude", &sc->audience_amplitude) ||
            rd_float(c, o, "peak_hour", &sc->audience_peak_hour))
            return -1;
        pop(c, s);
    }
    if ((o = member(w, "categories"))) {
        st->categories_given = 1;
        s = push_key(c, "categories");
        if (load_categories(c, o, sc)) return -1;
        pop(c, s);
    }
    if ((o = member(w, "channels"))) {
        s = push_key(c, "channels");
        if (load_channels(c, o, sc)) return -1;
        pop(c, s);
    } else if (st->categories_given) {
        /* New categories, default channels: regenerate them so that every
         * channel's category exists and all categories are represented. */
        lg_channel_generator gen;
        lg_channel_generator_default(&gen);
        memset(sc->channels, 0, sizeof sc->channels);
        char msg[512];
        if (lg_generate_channels(sc, &gen, msg, sizeof msg)) return jfail_raw(c, msg);
    }
    return 0;
}

static int load_segment(jctx *c, const cJSON *o, lg_scenario *sc, int i, const lg_segment *tmpl)
{
    lg_segment *sg = &sc->segments[i];
    if (expect_object(c, o, K_SEGMENT)) return -1;
    *sg = *tmpl;
    memset(sg->name, 0, sizeof sg->name);
    memset(sg->interest, 0, sizeof sg->interest);
    snprintf(sg->name, sizeof sg->name, "seg%d", i);
    if (rd_string(c, o, "name", sg->name, sizeof sg->name, 1)) return -1;
    namelist nl = segment_names(sc);
    size_t s = push_key(c, "name");
    if (member(o, "name") && check_unique_name(c, &nl, i, "population.segments")) return -1;
    if (!member(o, "name") && nl_find(&nl, sg->name, i) >= 0)
        return jfail(c, "expected a name for this segment (its default name \"%s\" is taken by an earlier segment), "
                        "found nothing", sg->name);
    pop(c, s);
    if (rd_float(c, o, "weight", &sg->weight) || rd_float(c, o, "interest_spread", &sg->interest_spread) ||
        rd_float(c, o, "herding", &sg->herding) || rd_float(c, o, "quality_weight", &sg->quality_weight) ||
        rd_float(c, o, "appeal_weight", &sg->appeal_weight) || rd_float(c, o, "follow_weight", &sg->follow_weight) ||
        rd_float(c, o, "patience", &sg->patience))
        return -1;

    const cJSON *in = member(o, "interest");
    s = push_key(c, "interest");
    if (!in) return fail_type(c, NULL, "an object of weights by category name");
    if (!cJSON_IsObject(in)) return fail_type(c, in, "an object of weights by category name");
    namelist cats = category_names(sc);
    for (const cJSON *it = in->child; it; it = it->next) {
        const char *k = it->string ? it->string : "";
        size_t s2 = push_key(c, k);
        int idx = nl_find(&cats, k, cats.count);
        if (idx < 0) {
            char q[128], ex[512];
            quote_trunc(k, q, sizeof q, 40);
            nl_examples(&cats, ex, sizeof ex);
            return jfail(c, "expected a category name (one of %s), found unknown category %s", ex, q);
        }
        if (val_float(c, it, &sg->interest[idx])) return -1;
        pop(c, s2);
    }
    pop(c, s);

    const cJSON *act = member(o, "activity");
    if (act) {
        s = push_key(c, "activity");
        if (cJSON_IsObject(act)) {
            float peak = 20.0f, width = 3.0f, base = 0.15f;
            if (check_keys_ctx(c, act, K_ACTIVITY_CURVE, " (an object here describes a daily curve)") ||
                rd_float_range(c, act, "peak_hour", 0, 24, &peak) ||
                rd_float_range(c, act, "width_hours", 0.1, 24, &width) ||
                rd_float_range(c, act, "floor", 0, 1e6, &base))
                return -1;
            lg_activity_curve(sg->activity, peak, width, base);
        } else {
            if (!cJSON_IsArray(act))
                return fail_type(c, act, "an array of 24 numbers (one per hour) or {\"peak_hour\", \"width_hours\", \"floor\"}");
            int n = cJSON_GetArraySize(act);
            if (n != 24)
                return jfail(c, "expected an array of 24 numbers (one per hour of the day), found %d entries", n);
            int h = 0;
            for (const cJSON *it = act->child; it; it = it->next, h++) {
                size_t s2 = push_idx(c, h);
                if (val_float(c, it, &sg->activity[h])) return -1;
                pop(c, s2);
            }
        }
        pop(c, s);
    }
    return 0;
}

static int load_population(jctx *c, const cJSON *p, lg_scenario *sc, load_state *st)
{
    if (expect_object(c, p, K_POPULATION)) return -1;
    if (rd_int(c, p, "viewers", 1, LG_MAX_VIEWERS, &sc->n_viewers) ||
        rd_float(c, p, "no_watch_utility", &sc->no_watch_utility) ||
        rd_float(c, p, "interest_drift", &sc->interest_drift) || rd_float(c, p, "gift_rate", &sc->gift_rate) ||
        rd_float(c, p, "follow_rate", &sc->follow_rate))
        return -1;
    const cJSON *o;
    size_t s;
    if ((o = member(p, "fatigue"))) {
        s = push_key(c, "fatigue");
        if (expect_object(c, o, K_FATIGUE) || rd_float(c, o, "gain", &sc->fatigue_gain) ||
            rd_float(c, o, "half_life", &sc->fatigue_half_life) || rd_float(c, o, "weight", &sc->fatigue_weight))
            return -1;
        pop(c, s);
    }
    if ((o = member(p, "engagement"))) {
        s = push_key(c, "engagement");
        if (expect_object(c, o, K_ENGAGEMENT) || rd_float(c, o, "bias", &sc->engagement_bias) ||
            rd_float(c, o, "match", &sc->engagement_match) || rd_float(c, o, "quality", &sc->engagement_quality))
            return -1;
        pop(c, s);
    }
    if ((o = member(p, "refund"))) {
        s = push_key(c, "refund");
        if (expect_object(c, o, K_REFUND) || rd_float(c, o, "max", &sc->refund_max) ||
            rd_float(c, o, "quality_floor", &sc->refund_quality_floor))
            return -1;
        pop(c, s);
    }
    if ((o = member(p, "segments"))) {
        st->segments_given = 1;
        s = push_key(c, "segments");
        int n;
        if (expect_array(c, o, 1, LG_MAX_SEGMENTS, "segments", &n)) return -1;
        lg_segment tmpl = sc->segments[0]; /* the default scenario's first segment */
        memset(sc->segments, 0, sizeof sc->segments);
        sc->n_segments = n;
        int i = 0;
        for (const cJSON *so = o->child; so; so = so->next, i++) {
            size_t s2 = push_idx(c, i);
            if (load_segment(c, so, sc, i, &tmpl)) return -1;
            pop(c, s2);
        }
        pop(c, s);
    }
    return 0;
}

/* world.categories without population.segments: the default segments keep
 * their interest weights by category name. */
static int remap_default_interests(jctx *c, lg_scenario *sc, const load_state *st)
{
    namelist cats = category_names(sc);
    for (int s = 0; s < sc->n_segments; s++) {
        float old[LG_MAX_CATEGORIES];
        memcpy(old, sc->segments[s].interest, sizeof old);
        memset(sc->segments[s].interest, 0, sizeof sc->segments[s].interest);
        float sum = 0.0f;
        for (int k = 0; k < st->old_n_categories; k++) {
            int idx = nl_find(&cats, st->old_category_names[k], cats.count);
            if (idx >= 0 && old[k] > 0) {
                sc->segments[s].interest[idx] = old[k];
                sum += old[k];
            }
        }
        if (!(sum > 0)) {
            size_t s0 = push_key(c, "population");
            push_key(c, "segments");
            int r = jfail(c,
                          "expected explicit segments, found none: world.categories replaces the categories and the "
                          "default segment \"%s\" has no interest in any of them",
                          sc->segments[s].name);
            pop(c, s0);
            return r;
        }
    }
    return 0;
}

static int load_session(jctx *c, const cJSON *o, lg_scenario *sc)
{
    return expect_object(c, o, K_SESSION) || rd_float(c, o, "dt", &sc->dt) ||
                   rd_int(c, o, "slate_size", 1, LG_MAX_SLATE, &sc->slate_size) ||
                   rd_int(c, o, "max_steps", 1, 1000000, &sc->max_session_steps) ||
                   rd_float(c, o, "start_minute", &sc->start_minute) ||
                   rd_float(c, o, "horizon_minutes", &sc->horizon_minutes)
               ? -1
               : 0;
}

static int load_reward(jctx *c, const cJSON *o, lg_scenario *sc)
{
    return expect_object(c, o, K_REWARD) || rd_float(c, o, "watch", &sc->reward_watch) ||
                   rd_float(c, o, "gift", &sc->reward_gift) || rd_float(c, o, "follow", &sc->reward_follow) ||
                   rd_float(c, o, "invalid_penalty", &sc->invalid_penalty)
               ? -1
               : 0;
}

static int load_observation(jctx *c, const cJSON *o, lg_scenario *sc)
{
    if (expect_object(c, o, K_OBSERVATION) || rd_bool(c, o, "observe_segment", &sc->observe_segment)) return -1;
    const cJSON *m = member(o, "mode");
    if (m) {
        size_t s = push_key(c, "mode");
        int found = -1;
        if (cJSON_IsString(m))
            for (int k = 0; k <= LG_OBS_IDEAL; k++)
                if (!strcmp(m->valuestring, lg_obs_mode_name((lg_obs_mode)k))) found = k;
        if (found < 0) return fail_type(c, m, "one of \"vector\", \"tabular\", \"ideal\"");
        sc->obs_mode = (lg_obs_mode)found;
        pop(c, s);
    }
    return 0;
}

static int load_event(jctx *c, const cJSON *o, lg_scenario *sc, int e)
{
    lg_event *ev = &sc->events[e];
    if (expect_object(c, o, NULL)) return -1;
    const cJSON *t = member(o, "type");
    size_t s = push_key(c, "type");
    static const char types_list[] = "one of \"spike\", \"trend_shift\", \"off_air\", \"new_channel\", \"bot_wave\", "
                                     "\"interest_shift\"";
    int type = -1;
    if (cJSON_IsString(t))
        for (int k = 0; k < LG_EV_COUNT; k++)
            if (!strcmp(t->valuestring, lg_event_type_name((lg_event_type)k))) type = k;
    if (type < 0) return fail_type(c, t, types_list);
    pop(c, s);
    const event_keys *ek = &EVENT_KEYS[type];
    char ctx[64];
    snprintf(ctx, sizeof ctx, " (for type \"%s\")", t->valuestring);
    if (check_keys_ctx(c, o, ek->keys, ctx)) return -1;

    ev->type = (lg_event_type)type;
    ev->channel = ev->category = ev->segment = -1;
    ev->duration = 0.0f;
    ev->magnitude = 0.0f;
    const cJSON *tm = member(o, "time");
    s = push_key(c, "time");
    if (!tm) return fail_type(c, NULL, "a time in minutes since the start of the run");
    if (val_float(c, tm, &ev->time)) return -1;
    pop(c, s);
    for (int k = 2; k < 6 && ek->keys[k]; k++) {
        const char *key = ek->keys[k];
        const cJSON *it = member(o, key);
        s = push_key(c, key);
        if (!it) {
            if (k < 2 + ek->n_required) {
                char e2[96];
                snprintf(e2, sizeof e2, "%s for type \"%s\"",
                         !strcmp(key, "channel")    ? "a channel name or index"
                         : !strcmp(key, "category") ? "a category name or index"
                         : !strcmp(key, "segment")  ? "a segment name or index"
                                                    : "a number",
                         lg_event_type_name(ev->type));
                return fail_type(c, NULL, e2);
            }
            pop(c, s);
            continue;
        }
        int r;
        if (!strcmp(key, "channel")) {
            namelist nl = channel_names(sc);
            r = val_ref(c, it, &nl, &ev->channel);
        } else if (!strcmp(key, "category")) {
            namelist nl = category_names(sc);
            r = val_ref(c, it, &nl, &ev->category);
        } else if (!strcmp(key, "segment")) {
            namelist nl = segment_names(sc);
            r = val_ref(c, it, &nl, &ev->segment);
        } else if (!strcmp(key, "magnitude")) {
            r = val_float(c, it, &ev->magnitude);
        } else {
            r = val_float(c, it, &ev->duration);
        }
        if (r) return -1;
        pop(c, s);
    }
    return 0;
}

static int load_events(jctx *c, const cJSON *arr, lg_scenario *sc)
{
    int n;
    if (expect_array(c, arr, 0, LG_MAX_EVENTS, "events", &n)) return -1;
    memset(sc->events, 0, sizeof sc->events);
    sc->n_events = n;
    int e = 0;
    for (const cJSON *o = arr->child; o; o = o->next, e++) {
        size_t s = push_idx(c, e);
        if (load_event(c, o, sc, e)) return -1;
        pop(c, s);
    }
    return 0;
}

static void emit_compact(sbuf *b, const cJSON *it, int spaced);

static int load_agent(jctx *c, const cJSON *o, lg_experiment *ex, int i)
{
    lg_agent_spec *a = &ex->agents[i];
    if (expect_object(c, o, K_AGENT)) return -1;
    const cJSON *nm = member(o, "name");
    size_t s = push_key(c, "name");
    if (!nm) return fail_type(c, NULL, "an agent name (such as \"random\" or \"dqn\")");
    if (val_string(c, nm, a->name, sizeof a->name, 1)) return -1;
    pop(c, s);
    memcpy(a->label, a->name, sizeof a->label);
    if (rd_string(c, o, "label", a->label, sizeof a->label, 1)) return -1;
    for (int k = 0; k < i; k++)
        if (!strcmp(ex->agents[k].label, a->label)) {
            s = push_key(c, member(o, "label") ? "label" : "name");
            return jfail(c,
                         "expected a unique agent label, found \"%s\" again (experiment.agents[%d]); give one of them a "
                         "\"label\"",
                         a->label, k);
        }
    const cJSON *p = member(o, "params");
    memset(a->params, 0, sizeof a->params);
    if (!p) {
        memcpy(a->params, "{}", 3);
        return 0;
    }
    s = push_key(c, "params");
    if (!cJSON_IsObject(p)) return fail_type(c, p, "an object of hyperparameters");
    sbuf b = {0};
    emit_compact(&b, p, 0);
    if (b.oom) {
        free(b.p);
        return jfail(c, "out of memory");
    }
    if (b.len >= sizeof a->params) {
        size_t len = b.len;
        free(b.p);
        return jfail(c, "expected hyperparameters of at most %zu bytes as compact JSON, found %zu bytes",
                     sizeof a->params - 1, len);
    }
    memcpy(a->params, b.p, b.len);
    free(b.p);
    pop(c, s);
    return 0;
}

static int load_experiment(jctx *c, const cJSON *o, lg_experiment *ex, const lg_scenario *sc)
{
    if (expect_object(c, o, K_EXPERIMENT)) return -1;
    const cJSON *ag = member(o, "agents");
    if (ag) {
        size_t s = push_key(c, "agents");
        int n;
        if (expect_array(c, ag, 1, LG_MAX_AGENTS, "agents", &n)) return -1;
        memset(ex->agents, 0, sizeof ex->agents);
        ex->n_agents = n;
        int i = 0;
        for (const cJSON *a = ag->child; a; a = a->next, i++) {
            size_t s2 = push_idx(c, i);
            if (load_agent(c, a, ex, i)) return -1;
            pop(c, s2);
        }
        pop(c, s);
        /* Default baseline: "random" if there is such an agent, else the first. */
        int has_random = 0;
        for (int k = 0; k < n; k++)
            if (!strcmp(ex->agents[k].label, "random")) has_random = 1;
        memset(ex->baseline, 0, sizeof ex->baseline);
        memcpy(ex->baseline, has_random ? "random" : ex->agents[0].label,
               strlen(has_random ? "random" : ex->agents[0].label));
    }
    if (rd_int(c, o, "seeds", 1, 100000, &ex->seeds) || rd_int(c, o, "train_steps", 0, INT_MAX, &ex->train_steps) ||
        rd_int(c, o, "eval_every", 1, INT_MAX, &ex->eval_every) ||
        rd_int(c, o, "eval_sessions", 1, 1000000, &ex->eval_sessions) ||
        rd_int(c, o, "slots", 1, 65536, &ex->slots) || rd_int(c, o, "episodes", 1, 10000000, &ex->episodes) ||
        rd_string(c, o, "baseline", ex->baseline, sizeof ex->baseline, 1))
        return -1;
    if (ex->slots > sc->n_viewers) {
        size_t s = push_key(c, "slots");
        int r = jfail(c, "expected at most population.viewers (%d) slots, found %d", sc->n_viewers, ex->slots);
        pop(c, s);
        return r;
    }
    int found = 0;
    for (int k = 0; k < ex->n_agents; k++)
        if (!strcmp(ex->agents[k].label, ex->baseline)) found = 1;
    if (!found) {
        char list[LG_MAX_AGENTS * (LG_NAME_LEN + 4)] = "";
        size_t len = 0;
        for (int k = 0; k < ex->n_agents; k++) {
            int w = snprintf(list + len, sizeof list - len, "%s\"%s\"", k ? ", " : "", ex->agents[k].label);
            if (w < 0 || (size_t)w >= sizeof list - len) break;
            len += (size_t)w;
        }
        size_t s = push_key(c, "baseline");
        int r = jfail(c, "expected the label of one of the agents (%s), found \"%s\"", list, ex->baseline);
        pop(c, s);
        return r;
    }
    return 0;
}

void lg_experiment_default(lg_experiment *ex)
{
    static const char *const names[] = {"random", "popular", "oracle"};
    memset(ex, 0, sizeof *ex);
    ex->n_agents = 3;
    for (int i = 0; i < 3; i++) {
        snprintf(ex->agents[i].name, sizeof ex->agents[i].name, "%s", names[i]);
        snprintf(ex->agents[i].label, sizeof ex->agents[i].label, "%s", names[i]);
        snprintf(ex->agents[i].params, sizeof ex->agents[i].params, "{}");
    }
    ex->seeds = 5;
    ex->train_steps = 20000;
    ex->eval_every = 5000;
    ex->eval_sessions = 200;
    ex->slots = 16;
    ex->episodes = 500;
    snprintf(ex->baseline, sizeof ex->baseline, "random");
}

static int load_document(jctx *c, const cJSON *root, lg_scenario *sc, lg_experiment *ex)
{
    load_state st;
    memset(&st, 0, sizeof st);
    st.old_n_categories = sc->n_categories;
    memcpy(st.old_category_names, sc->category_names, sizeof st.old_category_names);

    if (expect_object(c, root, K_TOP)) return -1;
    if (rd_string(c, root, "name", sc->name, sizeof sc->name, 1) ||
        rd_string(c, root, "description", sc->description, sizeof sc->description, 0))
        return -1;
    const cJSON *o = member(root, "kind");
    if (o) {
        size_t s = push_key(c, "kind");
        int found = -1;
        if (cJSON_IsString(o))
            for (int k = LG_KIND_LIVE; k <= LG_KIND_CLIFF; k++)
                if (!strcmp(o->valuestring, lg_env_kind_name((lg_env_kind)k))) found = k;
        if (found < 0) return fail_type(c, o, "one of \"live\", \"bandit\", \"cliff\"");
        sc->kind = (lg_env_kind)found;
        pop(c, s);
    }
    if ((o = member(root, "bandit"))) {
        size_t s = push_key(c, "bandit");
        lg_bandit_params *b = &sc->bandit;
        if (expect_object(c, o, K_BANDIT) || rd_int(c, o, "arms", 1, LG_MAX_CHANNELS, &b->arms) ||
            rd_float(c, o, "mean", &b->mean) || rd_float(c, o, "sd", &b->sd) ||
            rd_float(c, o, "reward_sd", &b->reward_sd) || rd_float(c, o, "walk_sd", &b->walk_sd) ||
            rd_int(c, o, "steps", 1, 100000000, &b->steps))
            return -1;
        pop(c, s);
    }
    if ((o = member(root, "cliff"))) {
        size_t s = push_key(c, "cliff");
        lg_cliff_params *cl = &sc->cliff;
        if (expect_object(c, o, K_CLIFF) || rd_int(c, o, "rows", 2, 64, &cl->rows) ||
            rd_int(c, o, "cols", 3, 64, &cl->cols) || rd_float(c, o, "step_reward", &cl->step_reward) ||
            rd_float(c, o, "cliff_reward", &cl->cliff_reward) || rd_int(c, o, "max_steps", 1, 100000000, &cl->max_steps))
            return -1;
        pop(c, s);
    }
    static const char *const order[] = {"world", "population", "session", "reward", "observation", "events"};
    for (int k = 0; k < 6; k++) {
        const cJSON *o = member(root, order[k]);
        if (!o) continue;
        size_t s = push_key(c, order[k]);
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
        pop(c, s);
    }
    if (st.categories_given && !st.segments_given && remap_default_interests(c, sc, &st)) return -1;
    o = member(root, "experiment");
    if (o) {
        size_t s = push_key(c, "experiment");
        if (load_experiment(c, o, ex, sc)) return -1;
        pop(c, s);
    }
    char msg[512];
    if (lg_scenario_check(sc, msg, sizeof msg)) return jfail_raw(c, msg);
    return 0;
}

int lg_scenario_load_string(const char *text, size_t len, const char *source_name, lg_scenario *sc,
                            lg_experiment *ex, char *err, size_t errsz)
{
    jctx c;
    memset(&c, 0, sizeof c);
    c.src = source_name ? source_name : "(string)";
    c.err = err;
    c.errsz = errsz;
    if (err && errsz) err[0] = '\0';
    if (!text) len = 0;
    if (len > LG_SCENARIO_MAX_FILE_BYTES)
        return jfail_raw(&c, "expected a scenario of at most 4 MiB (4194304 bytes), found a larger one");
    /* A UTF-8 byte order mark is allowed and ignored (RFC 8259, section 8.1). */
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        text += 3;
        len -= 3;
    }
    size_t i = 0;
    while (i < len && is_ws((unsigned char)text[i])) i++;
    if (i == len)
        return jfail_raw(&c, len ? "expected a JSON object, found only whitespace"
                                 : "expected a JSON object, found an empty file");
    if (scan_utf8(&c, text, len) || scan_grammar(&c, text, len)) return -1;

    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        return jfail_at(&c, text, off, "syntax error", "expected valid JSON, found text the JSON parser rejects (or out of memory)");
    }
    lg_scenario *tmp = malloc(sizeof *tmp);
    lg_experiment *tex = malloc(sizeof *tex);
    int r = -1;
    if (!tmp || !tex) {
        jfail_raw(&c, "out of memory");
    } else {
        lg_scenario_default(tmp);
        lg_experiment_default(tex);
        if (tree_pass(&c, root) == 0 && load_document(&c, root, tmp, tex) == 0) {
            memcpy(sc, tmp, sizeof *sc);
            if (ex) memcpy(ex, tex, sizeof *ex);
            r = 0;
        }
    }
    free(tmp);
    free(tex);
    cJSON_Delete(root);
    return r;
}

int lg_scenario_load_file(const char *path, lg_scenario *sc, lg_experiment *ex, char *err, size_t errsz)
{
    jctx c;
    memset(&c, 0, sizeof c);
    c.src = path ? path : "(null)";
    c.err = err;
    c.errsz = errsz;
    if (!path) return jfail_raw(&c, "expected a file name, found none");
    FILE *f = fopen(path, "rb");
    if (!f) {
        char m[256];
        snprintf(m, sizeof m, "cannot open: %s", strerror(errno));
        return jfail_raw(&c, m);
    }
    /* Read at most the limit plus one byte: a larger file is refused without
     * reading the rest (works for pipes too, where the size is unknown). */
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    int r = -1;
    if (!buf) {
        jfail_raw(&c, "out of memory");
        goto done;
    }
    for (;;) {
        if (len == cap) {
            if (cap > LG_SCENARIO_MAX_FILE_BYTES) break;
            size_t ncap = cap * 2;
            if (ncap > (size_t)LG_SCENARIO_MAX_FILE_BYTES + 1) ncap = (size_t)LG_SCENARIO_MAX_FILE_BYTES + 1;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                jfail_raw(&c, "out of memory");
                goto done;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        char m[256];
        snprintf(m, sizeof m, "cannot read: %s", strerror(errno));
        jfail_raw(&c, m);
        goto done;
    }
    if (len > LG_SCENARIO_MAX_FILE_BYTES) {
        jfail_raw(&c, "expected a scenario file of at most 4 MiB (4194304 bytes), found a larger file");
        goto done;
    }
    r = lg_scenario_load_string(buf, len, path, sc, ex, err, errsz);
done:
    free(buf);
    fclose(f);
    return r;
}

/* ------------------------------------------------------------------------ */
/* Dumping.                                                                  */

static int all_scalars(const cJSON *arr)
{
    for (const cJSON *ch = arr->child; ch; ch = ch->next)
        if (cJSON_IsArray(ch) || cJSON_IsObject(ch)) return 0;
    return 1;
}

static void emit_compact(sbuf *b, const cJSON *it, int spaced)
{
    if (cJSON_IsRaw(it)) {
        sb_puts(b, it->valuestring);
    } else if (cJSON_IsNumber(it)) {
        char f[64];
        fmt_double(f, sizeof f, it->valuedouble);
        sb_puts(b, f);
    } else if (cJSON_IsString(it)) {
        emit_string(b, it->valuestring);
    } else if (cJSON_IsTrue(it)) {
        sb_puts(b, "true");
    } else if (cJSON_IsFalse(it)) {
        sb_puts(b, "false");
    } else if (cJSON_IsArray(it) || cJSON_IsObject(it)) {
        int obj = cJSON_IsObject(it);
        sb_putc(b, obj ? '{' : '[');
        for (const cJSON *ch = it->child; ch; ch = ch->next) {
            if (obj) {
                emit_string(b, ch->string ? ch->string : "");
                sb_puts(b, spaced ? ": " : ":");
            }
            emit_compact(b, ch, spaced);
            if (ch->next) sb_puts(b, spaced ? ", " : ",");
        }
        sb_putc(b, obj ? '}' : ']');
    } else {
        sb_puts(b, "null");
    }
}

#define DUMP_WIDTH 120

static size_t compact_len(const cJSON *it)
{
    sbuf t = {0};
    emit_compact(&t, it, 1);
    size_t n = t.oom ? (size_t)-1 : t.len;
    free(t.p);
    return n;
}

/* col: the column where the value starts; trail: characters that follow it on
 * its line (a comma). */
static void emit_pretty(sbuf *b, const cJSON *it, int indent, size_t col, int trail)
{
    int obj = cJSON_IsObject(it), arr = cJSON_IsArray(it);
    if ((!obj && !arr) || !it->child || col + compact_len(it) + (size_t)trail <= DUMP_WIDTH) {
        emit_compact(b, it, 1);
        return;
    }
    int in = indent + 2;
    if (arr && all_scalars(it)) {
        sb_puts(b, "[\n");
        sb_spaces(b, in);
        size_t cc = (size_t)in;
        for (const cJSON *ch = it->child; ch; ch = ch->next) {
            sbuf t = {0};
            emit_compact(&t, ch, 1);
            if (ch != it->child) {
                if (cc + 2 + t.len > DUMP_WIDTH) {
                    sb_puts(b, ",\n");
                    sb_spaces(b, in);
                    cc = (size_t)in;
                } else {
                    sb_puts(b, ", ");
                    cc += 2;
                }
            }
            if (t.p) sb_putn(b, t.p, t.len);
            b->oom |= t.oom;
            cc += t.len;
            free(t.p);
        }
        sb_putc(b, '\n');
        sb_spaces(b, indent);
        sb_putc(b, ']');
        return;
    }
    sb_putc(b, obj ? '{' : '[');
    sb_putc(b, '\n');
    for (const cJSON *ch = it->child; ch; ch = ch->next) {
        sb_spaces(b, in);
        size_t cc = (size_t)in;
        if (obj) {
            size_t before = b->len;
            emit_string(b, ch->string ? ch->string : "");
            sb_puts(b, ": ");
            cc += b->len - before;
        }
        emit_pretty(b, ch, in, cc, ch->next ? 1 : 0);
        if (ch->next) sb_putc(b, ',');
        sb_putc(b, '\n');
    }
    sb_spaces(b, indent);
    sb_putc(b, obj ? '}' : ']');
}

/* Tree building; any allocation failure clears *ok. */
typedef struct {
    int ok;
} bctx;

static cJSON *add(bctx *bc, cJSON *parent, const char *key, cJSON *v)
{
    if (!v || !parent) {
        bc->ok = 0;
        cJSON_Delete(v);
        return NULL;
    }
    cJSON_bool r = key ? cJSON_AddItemToObject(parent, key, v) : cJSON_AddItemToArray(parent, v);
    if (!r) {
        bc->ok = 0;
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

static cJSON *add_float(bctx *bc, cJSON *parent, const char *key, float f)
{
    if (!isfinite(f)) return add(bc, parent, key, cJSON_CreateNull());
    char t[64];
    fmt_float(t, sizeof t, f);
    return add(bc, parent, key, cJSON_CreateRaw(t));
}

static cJSON *add_int(bctx *bc, cJSON *parent, const char *key, long long v)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", v);
    return add(bc, parent, key, cJSON_CreateRaw(t));
}

static cJSON *add_str(bctx *bc, cJSON *parent, const char *key, const char *s, size_t cap)
{
    char *t = malloc(cap + 1);
    if (!t) {
        bc->ok = 0;
        return NULL;
    }
    size_t n = strnlen(s, cap);
    memcpy(t, s, n);
    t[n] = '\0';
    cJSON *v = add(bc, parent, key, cJSON_CreateString(t));
    free(t);
    return v;
}

static cJSON *add_bool(bctx *bc, cJSON *parent, const char *key, int v)
{
    return add(bc, parent, key, cJSON_CreateBool(v != 0));
}

/* A reference: the name when index is valid, else the bare index. */
static void add_ref(bctx *bc, cJSON *parent, const char *key, const namelist *nl, int idx)
{
    if (idx >= 0 && idx < nl->count) add_str(bc, parent, key, nl_name(nl, idx), LG_NAME_LEN);
    else add_int(bc, parent, key, idx);
}

static cJSON *obj(bctx *bc, cJSON *parent, const char *key)
{
    return add(bc, parent, key, cJSON_CreateObject());
}
static cJSON *arr(bctx *bc, cJSON *parent, const char *key)
{
    return add(bc, parent, key, cJSON_CreateArray());
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

static void build_world(bctx *bc, cJSON *root, const lg_scenario *sc)
{
    cJSON *w = obj(bc, root, "world");
    char seed[32];
    snprintf(seed, sizeof seed, "%" PRIu64, sc->world_seed);
    add(bc, w, "seed", cJSON_CreateRaw(seed));
    add_int(bc, w, "latent_dim", sc->latent_dim);
    add_float(bc, w, "category_separation", sc->category_separation);
    add_float(bc, w, "channel_spread", sc->channel_spread);
    int nk = clampi(sc->n_categories, 0, LG_MAX_CATEGORIES);
    cJSON *cats = arr(bc, w, "categories");
    for (int k = 0; k < nk; k++) add_str(bc, cats, NULL, sc->category_names[k], LG_NAME_LEN);
    add_int(bc, w, "embedding_dim", sc->embedding_dim);
    cJSON *o = obj(bc, w, "modality_noise");
    add_float(bc, o, "visual", sc->modality_noise[0]);
    add_float(bc, o, "audio", sc->modality_noise[1]);
    add_float(bc, o, "text", sc->modality_noise[2]);
    o = obj(bc, w, "popularity");
    add_float(bc, o, "reversion", sc->popularity_reversion);
    add_float(bc, o, "volatility", sc->popularity_volatility);
    add_float(bc, o, "feedback", sc->popularity_feedback);
    o = obj(bc, w, "audience");
    add_float(bc, o, "peak", sc->audience_peak);
    add_float(bc, o, "amplitude", sc->audience_amplitude);
    add_float(bc, o, "peak_hour", sc->audience_peak_hour);
    namelist catn = {sc->category_names[0], LG_NAME_LEN, nk, "category"};
    cJSON *chs = arr(bc, w, "channels");
    int nc = clampi(sc->n_channels, 0, LG_MAX_CHANNELS);
    for (int i = 0; i < nc && bc->ok; i++) {
        const lg_channel_spec *ch = &sc->channels[i];
        cJSON *co = obj(bc, chs, NULL);
        add_str(bc, co, "name", ch->name, LG_NAME_LEN);
        add_ref(bc, co, "category", &catn, ch->category);
        add_float(bc, co, "quality", ch->quality);
        add_float(bc, co, "appeal", ch->appeal);
        add_float(bc, co, "base_popularity", ch->base_popularity);
        add_bool(bc, co, "always_on", ch->always_on);
        cJSON *wins = arr(bc, co, "windows");
        int nw = clampi(ch->n_windows, 0, LG_MAX_WINDOWS);
        for (int k = 0; k < nw; k++) {
            cJSON *wo = obj(bc, wins, NULL);
            add_float(bc, wo, "start", ch->windows[k].start);
            add_float(bc, wo, "duration", ch->windows[k].duration);
            add_float(bc, wo, "jitter", ch->windows[k].jitter);
        }
    }
}

static void build_population(bctx *bc, cJSON *root, const lg_scenario *sc)
{
    cJSON *p = obj(bc, root, "population");
    add_int(bc, p, "viewers", sc->n_viewers);
    add_float(bc, p, "no_watch_utility", sc->no_watch_utility);
    cJSON *o = obj(bc, p, "fatigue");
    add_float(bc, o, "gain", sc->fatigue_gain);
    add_float(bc, o, "half_life", sc->fatigue_half_life);
    add_float(bc, o, "weight", sc->fatigue_weight);
    add_float(bc, p, "interest_drift", sc->interest_drift);
    o = obj(bc, p, "engagement");
    add_float(bc, o, "bias", sc->engagement_bias);
    add_float(bc, o, "match", sc->engagement_match);
    add_float(bc, o, "quality", sc->engagement_quality);
    add_float(bc, p, "gift_rate", sc->gift_rate);
    add_float(bc, p, "follow_rate", sc->follow_rate);
    o = obj(bc, p, "refund");
    add_float(bc, o, "max", sc->refund_max);
    add_float(bc, o, "quality_floor", sc->refund_quality_floor);
    cJSON *segs = arr(bc, p, "segments");
    int ns = clampi(sc->n_segments, 0, LG_MAX_SEGMENTS);
    int nk = clampi(sc->n_categories, 0, LG_MAX_CATEGORIES);
    for (int s = 0; s < ns; s++) {
        const lg_segment *sg = &sc->segments[s];
        cJSON *so = obj(bc, segs, NULL);
        add_str(bc, so, "name", sg->name, LG_NAME_LEN);
        add_float(bc, so, "weight", sg->weight);
        cJSON *in = obj(bc, so, "interest");
        for (int k = 0; k < nk; k++) {
            char key[LG_NAME_LEN + 1];
            snprintf(key, sizeof key, "%.*s", LG_NAME_LEN, sc->category_names[k]);
            add_float(bc, in, key, sg->interest[k]);
        }
        add_float(bc, so, "interest_spread", sg->interest_spread);
        add_float(bc, so, "herding", sg->herding);
        add_float(bc, so, "quality_weight", sg->quality_weight);
        add_float(bc, so, "appeal_weight", sg->appeal_weight);
        add_float(bc, so, "follow_weight", sg->follow_weight);
        add_float(bc, so, "patience", sg->patience);
        cJSON *act = arr(bc, so, "activity");
        for (int h = 0; h < 24; h++) add_float(bc, act, NULL, sg->activity[h]);
    }
}

static void build_events(bctx *bc, cJSON *root, const lg_scenario *sc)
{
    cJSON *evs = arr(bc, root, "events");
    namelist chn = channel_names(sc), catn = category_names(sc), segn = segment_names(sc);
    chn.count = clampi(chn.count, 0, LG_MAX_CHANNELS);
    catn.count = clampi(catn.count, 0, LG_MAX_CATEGORIES);
    segn.count = clampi(segn.count, 0, LG_MAX_SEGMENTS);
    int ne = clampi(sc->n_events, 0, LG_MAX_EVENTS);
    for (int e = 0; e < ne; e++) {
        const lg_event *ev = &sc->events[e];
        cJSON *eo = obj(bc, evs, NULL);
        add_float(bc, eo, "time", ev->time);
        if (ev->type < 0 || ev->type >= LG_EV_COUNT) {
            add_int(bc, eo, "type", (long long)ev->type);
            continue;
        }
        add_str(bc, eo, "type", lg_event_type_name(ev->type), 32);
        const event_keys *ek = &EVENT_KEYS[ev->type];
        for (int k = 2; k < 6 && ek->keys[k]; k++) {
            const char *key = ek->keys[k];
            if (!strcmp(key, "channel")) add_ref(bc, eo, key, &chn, ev->channel);
            else if (!strcmp(key, "category")) add_ref(bc, eo, key, &catn, ev->category);
            else if (!strcmp(key, "segment")) add_ref(bc, eo, key, &segn, ev->segment);
            else if (!strcmp(key, "magnitude")) add_float(bc, eo, key, ev->magnitude);
            else add_float(bc, eo, key, ev->duration);
        }
    }
}

/* The classic envs' parameters: written when the scenario is of that kind
 * or when they differ from the defaults (so a dump always loads back to the
 * same struct), left out of live scenarios otherwise. */
static void build_classic(bctx *bc, cJSON *root, const lg_scenario *sc)
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
        cJSON *o = obj(bc, root, "bandit");
        add_int(bc, o, "arms", b->arms);
        add_float(bc, o, "mean", b->mean);
        add_float(bc, o, "sd", b->sd);
        add_float(bc, o, "reward_sd", b->reward_sd);
        add_float(bc, o, "walk_sd", b->walk_sd);
        add_int(bc, o, "steps", b->steps);
    }
    const lg_cliff_params *cl = &sc->cliff, *dc = &def->cliff;
    if (sc->kind == LG_KIND_CLIFF || cl->rows != dc->rows || cl->cols != dc->cols ||
        memcmp(&cl->step_reward, &dc->step_reward, sizeof cl->step_reward) ||
        memcmp(&cl->cliff_reward, &dc->cliff_reward, sizeof cl->cliff_reward) || cl->max_steps != dc->max_steps) {
        cJSON *o = obj(bc, root, "cliff");
        add_int(bc, o, "rows", cl->rows);
        add_int(bc, o, "cols", cl->cols);
        add_float(bc, o, "step_reward", cl->step_reward);
        add_float(bc, o, "cliff_reward", cl->cliff_reward);
        add_int(bc, o, "max_steps", cl->max_steps);
    }
    free(def);
}

static void build_experiment(bctx *bc, cJSON *root, const lg_experiment *ex)
{
    cJSON *x = obj(bc, root, "experiment");
    cJSON *ags = arr(bc, x, "agents");
    int na = clampi(ex->n_agents, 0, LG_MAX_AGENTS);
    for (int i = 0; i < na; i++) {
        const lg_agent_spec *a = &ex->agents[i];
        cJSON *ao = obj(bc, ags, NULL);
        add_str(bc, ao, "name", a->name, LG_NAME_LEN);
        add_str(bc, ao, "label", a->label, LG_NAME_LEN);
        size_t n = strnlen(a->params, sizeof a->params);
        cJSON *p = cJSON_ParseWithLength(a->params, n);
        if (p && cJSON_IsObject(p)) {
            add(bc, ao, "params", p);
        } else {
            cJSON_Delete(p);
            add_str(bc, ao, "params", a->params, sizeof a->params);
        }
    }
    add_int(bc, x, "seeds", ex->seeds);
    add_int(bc, x, "train_steps", ex->train_steps);
    add_int(bc, x, "eval_every", ex->eval_every);
    add_int(bc, x, "eval_sessions", ex->eval_sessions);
    add_int(bc, x, "slots", ex->slots);
    add_int(bc, x, "episodes", ex->episodes);
    add_str(bc, x, "baseline", ex->baseline, LG_NAME_LEN);
}

char *lg_scenario_to_json(const lg_scenario *sc, const lg_experiment *ex)
{
    bctx bc = {1};
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    add_str(&bc, root, "name", sc->name, sizeof sc->name);
    add_str(&bc, root, "description", sc->description, sizeof sc->description);
    if (sc->kind >= LG_KIND_LIVE && sc->kind <= LG_KIND_CLIFF)
        add_str(&bc, root, "kind", lg_env_kind_name(sc->kind), 16);
    else
        add_int(&bc, root, "kind", (long long)sc->kind);
    build_world(&bc, root, sc);
    build_population(&bc, root, sc);
    cJSON *o = obj(&bc, root, "session");
    add_float(&bc, o, "dt", sc->dt);
    add_int(&bc, o, "slate_size", sc->slate_size);
    add_int(&bc, o, "max_steps", sc->max_session_steps);
    add_float(&bc, o, "start_minute", sc->start_minute);
    add_float(&bc, o, "horizon_minutes", sc->horizon_minutes);
    o = obj(&bc, root, "reward");
    add_float(&bc, o, "watch", sc->reward_watch);
    add_float(&bc, o, "gift", sc->reward_gift);
    add_float(&bc, o, "follow", sc->reward_follow);
    add_float(&bc, o, "invalid_penalty", sc->invalid_penalty);
    o = obj(&bc, root, "observation");
    if (sc->obs_mode >= LG_OBS_VECTOR && sc->obs_mode <= LG_OBS_IDEAL)
        add_str(&bc, o, "mode", lg_obs_mode_name(sc->obs_mode), 16);
    else
        add_int(&bc, o, "mode", (long long)sc->obs_mode);
    add_bool(&bc, o, "observe_segment", sc->observe_segment);
    build_events(&bc, root, sc);
    build_classic(&bc, root, sc);
    if (ex) build_experiment(&bc, root, ex);
    char *out = NULL;
    if (bc.ok) {
        sbuf b = {0};
        emit_pretty(&b, root, 0, 0, 0);
        sb_putc(&b, '\n');
        if (b.oom) free(b.p);
        else out = b.p;
    }
    cJSON_Delete(root);
    return out;
}
