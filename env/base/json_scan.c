/* JSON reading, stages 1-5 (lg_json.h): size, encoding, a strict grammar
 * scan with line:column messages, cJSON, then duplicate keys and non-finite
 * numbers anywhere in the tree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_json.h"

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

static int fail_at(lg_jctx *c, const char *text, size_t off, const char *kind, const char *msg)
{
    if (c->err && c->errsz) {
        int l, cc;
        line_col(text, off, &l, &cc);
        snprintf(c->err, c->errsz, "%s:%d:%d: %s: %s", c->src, l, cc, kind, msg);
    }
    return -1;
}

/* Stage 2: encoding. Strict UTF-8 (no overlongs, surrogates, > U+10FFFF).   */

static int scan_utf8(lg_jctx *c, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        unsigned char b0 = s[i];
        if (b0 == 0) return fail_at(c, text, i, "encoding error", "expected text, found a NUL byte (binary file?)");
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
            return fail_at(c, text, i, "encoding error", m);
        }
        for (int k = 1; k <= need; k++) {
            if (i + (size_t)k >= n) return fail_at(c, text, i, "encoding error", "expected UTF-8 text, found a truncated UTF-8 sequence");
            unsigned char bk = s[i + (size_t)k];
            unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
            if (bk < l || bk > h) {
                char m[96];
                snprintf(m, sizeof m, "expected UTF-8 text, found an invalid UTF-8 sequence starting with byte 0x%02x", b0);
                return fail_at(c, text, i, "encoding error", m);
            }
        }
        i += (size_t)need + 1;
    }
    return 0;
}

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
static int scan_string(lg_jctx *c, const char *text, size_t n, size_t *pi)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t start = *pi, i = start + 1;
    for (;;) {
        if (i >= n)
            return fail_at(c, text, start, "syntax error",
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
            return fail_at(c, text, i, "syntax error", m);
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
            return fail_at(c, text, i, "syntax error", m);
        }
        unsigned u;
        if (hex4(s, n, i + 2, &u))
            return fail_at(c, text, i, "syntax error", "expected four hex digits after \\u, found something else");
        if (u == 0)
            return fail_at(c, text, i, "syntax error", "expected a string without NUL characters, found \\u0000");
        if (u >= 0xDC00 && u <= 0xDFFF)
            return fail_at(c, text, i, "syntax error",
                            "expected a high surrogate before a low surrogate, found an unpaired \\u escape");
        if (u >= 0xD800 && u <= 0xDBFF) {
            unsigned u2;
            if (i + 7 < n && s[i + 6] == '\\' && s[i + 7] == 'u' && !hex4(s, n, i + 8, &u2) && u2 >= 0xDC00 &&
                u2 <= 0xDFFF) {
                i += 12;
                continue;
            }
            return fail_at(c, text, i, "syntax error",
                            "expected a low surrogate \\uDC00-\\uDFFF after a high surrogate, found none");
        }
        i += 6;
    }
}

/* s[*pi] is '-' or a digit. */
static int scan_number(lg_jctx *c, const char *text, size_t n, size_t *pi)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t start = *pi, i = start;
    char m[160], f[64];
    if (s[i] == '-') i++;
    if (i >= n || !is_digit(s[i])) {
        describe_token(text, n, i, f, sizeof f);
        snprintf(m, sizeof m, "expected a digit after '-', found %s", f);
        return fail_at(c, text, i, "syntax error", m);
    }
    if (s[i] == '0') {
        i++;
        if (i < n && is_digit(s[i]))
            return fail_at(c, text, start, "syntax error", "expected a number without leading zeros, found '0' followed by a digit");
    } else {
        while (i < n && is_digit(s[i])) i++;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit(s[i])) {
            describe_token(text, n, i, f, sizeof f);
            snprintf(m, sizeof m, "expected a digit after the decimal point, found %s", f);
            return fail_at(c, text, i, "syntax error", m);
        }
        while (i < n && is_digit(s[i])) i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= n || !is_digit(s[i])) {
            describe_token(text, n, i, f, sizeof f);
            snprintf(m, sizeof m, "expected a digit in the exponent, found %s", f);
            return fail_at(c, text, i, "syntax error", m);
        }
        while (i < n && is_digit(s[i])) i++;
    }
    if (i - start > LG_JSON_MAX_NUMBER_CHARS) {
        snprintf(m, sizeof m, "expected a number of at most %d characters, found %zu", LG_JSON_MAX_NUMBER_CHARS,
                 i - start);
        return fail_at(c, text, start, "syntax error", m);
    }
    *pi = i;
    return 0;
}

enum { ST_VALUE, ST_ARR_FIRST, ST_OBJ_FIRST, ST_OBJ_KEY, ST_COLON, ST_AFTER, ST_DONE };

/* The grammar scanner: an explicit stack of open containers (no recursion). */
typedef struct {
    lg_jctx *c;
    const char *text;
    const unsigned char *s;
    size_t n, i, values;
    size_t comma; /* offset of the last ',' while the next token is pending, else (size_t)-1 */
    int depth, st;
    unsigned char stack[LG_JSON_MAX_DEPTH];
    size_t opened[LG_JSON_MAX_DEPTH];
} scanner;

static int fail_token(scanner *g, const char *fmt)
{
    char m[320], f[96];
    describe_token(g->text, g->n, g->i, f, sizeof f);
    snprintf(m, sizeof m, fmt, f);
    return fail_at(g->c, g->text, g->i, "syntax error", m);
}

static int count_value(scanner *g)
{
    if (++g->values <= LG_JSON_MAX_VALUES) return 0;
    char m[160];
    snprintf(m, sizeof m, "expected at most %d JSON values in a %s, found more", LG_JSON_MAX_VALUES, g->c->what);
    return fail_at(g->c, g->text, g->i, "syntax error", m);
}

static void close_container(scanner *g)
{
    g->depth--;
    g->i++;
    g->st = g->depth ? ST_AFTER : ST_DONE;
}

/* The input ended in state st: say what was expected and what is unclosed. */
static int fail_end(scanner *g)
{
    const char *exp = "a value";
    if (g->st == ST_OBJ_FIRST) exp = "a string key or '}'";
    else if (g->st == ST_OBJ_KEY) exp = "a string key";
    else if (g->st == ST_COLON) exp = "':'";
    else if (g->st == ST_ARR_FIRST) exp = "a value or ']'";
    else if (g->st == ST_AFTER) exp = g->stack[g->depth - 1] == '{' ? "',' or '}'" : "',' or ']'";
    char m[320];
    if (g->depth > 0) {
        int l, cc;
        line_col(g->text, g->opened[g->depth - 1], &l, &cc);
        snprintf(m, sizeof m, "expected %s, found end of input (the '%c' at line %d, column %d is never closed)", exp,
                 g->stack[g->depth - 1], l, cc);
    } else {
        snprintf(m, sizeof m, "expected %s, found end of input", exp);
    }
    return fail_at(g->c, g->text, g->n, "syntax error", m);
}

static int literal(const scanner *g, const char *word, size_t len)
{
    return g->n - g->i >= len && !memcmp(g->s + g->i, word, len) && (g->n - g->i == len || !is_word(g->s[g->i + len]));
}

/* A value starts at s[i] = ch: open a container or consume a scalar. */
static int scan_value(scanner *g, unsigned char ch)
{
    if (count_value(g)) return -1;
    if (ch == '{' || ch == '[') {
        if (g->depth == LG_JSON_MAX_DEPTH) {
            char m[160];
            snprintf(m, sizeof m, "expected at most %d nested arrays and objects, found deeper nesting",
                     LG_JSON_MAX_DEPTH);
            return fail_at(g->c, g->text, g->i, "syntax error", m);
        }
        g->opened[g->depth] = g->i;
        g->stack[g->depth++] = ch;
        g->i++;
        g->st = ch == '{' ? ST_OBJ_FIRST : ST_ARR_FIRST;
        return 0;
    }
    if (ch == '"') {
        if (scan_string(g->c, g->text, g->n, &g->i)) return -1;
    } else if (ch == '-' || is_digit(ch)) {
        if (scan_number(g->c, g->text, g->n, &g->i)) return -1;
    } else if (literal(g, "true", 4) || literal(g, "null", 4)) {
        g->i += 4;
    } else if (literal(g, "false", 5)) {
        g->i += 5;
    } else {
        if ((ch == ']' || ch == '}') && g->comma != (size_t)-1) {
            char m[160];
            snprintf(m, sizeof m, "expected a value after ',', found '%c' (JSON does not allow a trailing comma)", ch);
            return fail_at(g->c, g->text, g->comma, "syntax error", m);
        }
        return fail_token(g, "expected a value, found %s");
    }
    g->st = g->depth ? ST_AFTER : ST_DONE;
    g->comma = (size_t)-1;
    return 0;
}

/* Inside an object, where a key is due. */
static int scan_key(scanner *g, unsigned char ch)
{
    if (ch != '"') {
        if (ch == '}' && g->comma != (size_t)-1)
            return fail_at(g->c, g->text, g->comma, "syntax error",
                           "expected a string key after ',', found '}' (JSON does not allow a trailing comma)");
        return fail_token(g, g->st == ST_OBJ_FIRST ? "expected a string key or '}', found %s"
                                                   : "expected a string key, found %s");
    }
    if (count_value(g) || scan_string(g->c, g->text, g->n, &g->i)) return -1;
    g->st = ST_COLON;
    g->comma = (size_t)-1;
    return 0;
}

/* After a value inside a container: ',' or the closing bracket. */
static int scan_after(scanner *g, unsigned char ch)
{
    unsigned char top = g->stack[g->depth - 1];
    if (ch == ',') {
        g->comma = g->i++;
        g->st = top == '{' ? ST_OBJ_KEY : ST_VALUE;
        return 0;
    }
    if ((top == '{' && ch == '}') || (top == '[' && ch == ']')) {
        close_container(g);
        return 0;
    }
    const char *fmt = top == '{' ? "expected ',' or '}', found %s" : "expected ',' or ']', found %s";
    if (ch == '"' || ch == '{' || ch == '[' || is_digit(ch))
        fmt = top == '{' ? "expected ',' or '}', found %s (missing comma?)" : "expected ',' or ']', found %s (missing comma?)";
    return fail_token(g, fmt);
}

static int scan_grammar(lg_jctx *c, const char *text, size_t n)
{
    scanner g = {.c = c, .text = text, .s = (const unsigned char *)text, .n = n, .comma = (size_t)-1, .st = ST_VALUE};
    for (;;) {
        while (g.i < n && is_ws(g.s[g.i])) g.i++;
        if (g.i >= n) return g.st == ST_DONE ? 0 : fail_end(&g);
        unsigned char ch = g.s[g.i];
        int r = 0;
        switch (g.st) {
        case ST_ARR_FIRST:
            if (ch == ']') {
                close_container(&g);
                break;
            }
            /* fall through */
        case ST_VALUE: r = scan_value(&g, ch); break;
        case ST_OBJ_FIRST:
            if (ch == '}') {
                close_container(&g);
                break;
            }
            /* fall through */
        case ST_OBJ_KEY: r = scan_key(&g, ch); break;
        case ST_COLON:
            if (ch != ':') return fail_token(&g, "expected ':' after the key, found %s");
            g.i++;
            g.st = ST_VALUE;
            break;
        case ST_AFTER: r = scan_after(&g, ch); break;
        default: return fail_token(&g, "expected end of input after the top-level value, found %s");
        }
        if (r) return -1;
    }
}

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

static int check_duplicates(lg_jctx *c, const cJSON *obj)
{
    int n = 0;
    for (const cJSON *ch = obj->child; ch; ch = ch->next) n++;
    if (n < 2) return 0;
    keyref *k = malloc((size_t)n * sizeof *k);
    if (!k) return lg_jfail(c, "out of memory while checking keys");
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
        lg_jquote(best_key, q, sizeof q, 40);
        lg_jpush_key(c, best_key);
        r = lg_jfail(c, "expected each key at most once in an object, found duplicate key %s (%d times)", q, best_count);
    }
    free(k);
    return r;
}

static int tree_pass(lg_jctx *c, const cJSON *it)
{
    if (cJSON_IsNumber(it)) {
        if (!isfinite(it->valuedouble))
            return lg_jfail(c, "expected a finite number, found a number too large to represent (such as 1e999)");
        return 0;
    }
    if (cJSON_IsObject(it)) {
        if (check_duplicates(c, it)) return -1;
        for (const cJSON *ch = it->child; ch; ch = ch->next) {
            size_t s = lg_jpush_key(c, ch->string ? ch->string : "");
            if (tree_pass(c, ch)) return -1;
            lg_jpop(c, s);
        }
    } else if (cJSON_IsArray(it)) {
        int i = 0;
        for (const cJSON *ch = it->child; ch; ch = ch->next, i++) {
            size_t s = lg_jpush_idx(c, i);
            if (tree_pass(c, ch)) return -1;
            lg_jpop(c, s);
        }
    }
    return 0;
}

/* Stages 1-5. */
cJSON *lg_json_parse(lg_jctx *c, const char *text, size_t len, size_t max_bytes)
{
    if (!text) len = 0;
    if (len > max_bytes) {
        char m[160];
        if (max_bytes % (1u << 20) == 0)
            snprintf(m, sizeof m, "expected a %s of at most %zu MiB (%zu bytes), found a larger one", c->what,
                     max_bytes >> 20, max_bytes);
        else
            snprintf(m, sizeof m, "expected a %s of at most %zu bytes, found a larger one", c->what, max_bytes);
        lg_jfail_raw(c, m);
        return NULL;
    }
    /* A UTF-8 byte order mark is allowed and ignored (RFC 8259, section 8.1). */
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        text += 3;
        len -= 3;
    }
    size_t i = 0;
    while (i < len && is_ws((unsigned char)text[i])) i++;
    if (i == len) {
        lg_jfail_raw(c, len ? "expected a JSON object, found only whitespace" : "expected a JSON object, found an empty file");
        return NULL;
    }
    if (scan_utf8(c, text, len) || scan_grammar(c, text, len)) return NULL;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        fail_at(c, text, off, "syntax error", "expected valid JSON, found text the JSON parser rejects (or out of memory)");
        return NULL;
    }
    if (tree_pass(c, root)) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
