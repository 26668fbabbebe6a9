/* Strict JSON for files from outside: reading with messages that name the
 * place (a JSON path, or line:column), and canonical writing.
 *
 * Reading (json_scan.c, json_read.c) runs in stages, each refusing bad input
 * with a precise message before the next can be confused by it:
 *   1. size, emptiness (a UTF-8 byte order mark is skipped);
 *   2. a byte scan: UTF-8 validity and NUL bytes;
 *   3. a strict grammar scan of our own (RFC 8259): line:column messages
 *      that say what was expected; nesting depth and the number of values
 *      are bounded; what cJSON would silently accept (raw control characters
 *      in strings, leading zeros, \u0000, unpaired surrogates, trailing
 *      garbage) is refused. cJSON's own nesting limit is never reached;
 *   4. cJSON parses the (now known to be valid) text;
 *   5. a tree pass: duplicate keys (cJSON keeps them), non-finite numbers
 *      (1e999 parses to inf).
 * A schema is then walked with the typed readers below, which keep the JSON
 * path of the value being read. Every message has one of two forms:
 *
 *     SOURCE: JSON.PATH: expected X, found Y
 *     SOURCE:LINE:COL: syntax error: expected X, found Y
 *
 * where JSON.PATH is like world.channels[3].windows[0].start (keys that are
 * not plain words are written ["like this"]; the document itself is "top
 * level"). Numbers are read and written in the C locale. Nothing here prints,
 * exits or keeps state between calls (cJSON records parse failures in a
 * global, but after our grammar scan it can only fail when out of memory).
 *
 * Writing (json_write.c): numbers in the shortest form that reads back to the
 * same value, and a pretty printer that keeps short containers on one line
 * and fills arrays of numbers to the width. */
#ifndef LG_JSON_H
#define LG_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "lg_sbuf.h"

#define LG_JSON_MAX_DEPTH 64          /* nested arrays/objects */
#define LG_JSON_MAX_VALUES 250000     /* values in one document */
#define LG_JSON_MAX_NUMBER_CHARS 63   /* characters of one number literal */
#define LG_JSON_MAX_SEED 9007199254740992ULL /* 2^53: integers a JSON double holds exactly */

/* The reading context: where messages go and the path being read. */
typedef struct {
    const char *src; /* names the document in messages (a file name) */
    const char *what; /* what the document is, for size messages: "scenario" */
    char *err;
    size_t errsz;
    char path[768];
    size_t plen;
} lg_jctx;

void lg_jctx_init(lg_jctx *c, const char *src, const char *what, char *err, size_t errsz);

/* Stages 1-5 on text[0..len) (need not be NUL-terminated), at most max_bytes.
 * Returns the tree (cJSON_Delete it), or NULL with a message. */
cJSON *lg_json_parse(lg_jctx *c, const char *text, size_t len, size_t max_bytes);

/* ---- messages (all return -1) ---- */
int lg_jfail(lg_jctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3))); /* at the current path */
int lg_jfail_raw(lg_jctx *c, const char *msg);   /* "SOURCE: msg": msg names its own place */
int lg_jfail_type(lg_jctx *c, const cJSON *it, const char *expected); /* "expected E, found <it>" */

/* ---- the path: push returns the old length, pop restores it ---- */
size_t lg_jpush_key(lg_jctx *c, const char *key);
size_t lg_jpush_idx(lg_jctx *c, int i);
void lg_jpop(lg_jctx *c, size_t old);

/* ---- shapes ---- */
const cJSON *lg_jmember(const cJSON *obj, const char *key); /* NULL when absent (or obj NULL) */
/* Every key of obj is in keys (NULL-terminated); an unknown key is named with
 * the list of allowed keys and a "did you mean" for a near miss. context is
 * appended to the list in the message ("" for none). */
int lg_jcheck_keys_ctx(lg_jctx *c, const cJSON *obj, const char *const *keys, const char *context);
int lg_jcheck_keys(lg_jctx *c, const cJSON *obj, const char *const *keys);
int lg_jexpect_object(lg_jctx *c, const cJSON *it, const char *const *keys); /* keys NULL: any */
int lg_jexpect_array(lg_jctx *c, const cJSON *it, int min, int max, const char *what, int *count);

/* ---- values: lg_jval_* read `it` at the current path ---- */
int lg_jval_float(lg_jctx *c, const cJSON *it, float *out); /* finite, within float range */
int lg_jval_float_range(lg_jctx *c, const cJSON *it, double lo, double hi, float *out);
int lg_jval_int(lg_jctx *c, const cJSON *it, long long lo, long long hi, long long *out);
int lg_jval_bool(lg_jctx *c, const cJSON *it, int *out);
/* Into buf[cap] (zero-filled): at most cap - 1 bytes. */
int lg_jval_string(lg_jctx *c, const cJSON *it, char *buf, size_t cap, int nonempty);

/* ---- members: lg_jget_* read an optional member; absent leaves *out ---- */
int lg_jget_float(lg_jctx *c, const cJSON *o, const char *k, float *out);
int lg_jget_float_range(lg_jctx *c, const cJSON *o, const char *k, double lo, double hi, float *out);
int lg_jget_int(lg_jctx *c, const cJSON *o, const char *k, long long lo, long long hi, int *out);
int lg_jget_u64(lg_jctx *c, const cJSON *o, const char *k, uint64_t *out); /* [0, LG_JSON_MAX_SEED] */
int lg_jget_bool(lg_jctx *c, const cJSON *o, const char *k, int *out);
int lg_jget_string(lg_jctx *c, const cJSON *o, const char *k, char *buf, size_t cap, int nonempty);

/* ---- names: references by name or index into an array of structs that each
 * hold a fixed-size name of `len` bytes, `stride` bytes apart; or, when base
 * is NULL, generated names: prefix then the index in at least two digits
 * (a generated catalogue's "ch00", "ch01", ...) ---- */
typedef struct {
    const char *base;
    size_t stride, len;
    int count;
    const char *what;   /* "channel" */
    const char *prefix; /* generated names (base NULL) */
} lg_jnames;

#define LG_JNAME_BUF 64
/* Name i: in the array, or written into buf (LG_JNAME_BUF bytes) when generated. */
const char *lg_jnames_at(const lg_jnames *nl, int i, char *buf);
int lg_jnames_find(const lg_jnames *nl, const char *name, int limit); /* among [0, limit); -1 if none */
int lg_jval_ref(lg_jctx *c, const cJSON *it, const lg_jnames *nl, int *out); /* a name or an index */
/* A few of the names, for messages: "a", "b", "c", ... */
void lg_jnames_examples(const lg_jnames *nl, char *buf, size_t n);
/* Name i must differ from names [0, i); list_path names the list in messages. */
int lg_jcheck_unique(lg_jctx *c, const lg_jnames *nl, int i, const char *list_path);

/* ---- writing ---- */
/* A string quoted for a message, cut after about max bytes (at a UTF-8
 * character boundary) with "..." appended. */
void lg_jquote(const char *s, char *out, size_t outsz, size_t max);
void lg_json_fmt_float(char *buf, size_t n, float f);  /* shortest round trip */
void lg_json_fmt_double(char *buf, size_t n, double d);
void lg_json_put_string_n(lg_sbuf *b, const char *s, size_t n); /* a JSON string literal */
void lg_json_put_string(lg_sbuf *b, const char *s);
/* One line; spaced: ", " and ": " between items. Raw items are copied. */
void lg_json_put_compact(lg_sbuf *b, const cJSON *it, int spaced);
/* The whole document pretty-printed (120 columns) with a final newline;
 * malloc'd, NULL when out of memory. */
char *lg_json_pretty(const cJSON *root);

/* Tree building for canonical documents: numbers are raw text formatted by
 * lg_json_fmt_*; any allocation failure clears b->ok (check it once at the
 * end). key NULL appends to an array. */
typedef struct {
    int ok;
} lg_jbuild;

cJSON *lg_jadd(lg_jbuild *b, cJSON *parent, const char *key, cJSON *v);
cJSON *lg_jadd_float(lg_jbuild *b, cJSON *parent, const char *key, float f); /* non-finite: null */
cJSON *lg_jadd_int(lg_jbuild *b, cJSON *parent, const char *key, long long v);
cJSON *lg_jadd_u64(lg_jbuild *b, cJSON *parent, const char *key, uint64_t v);
cJSON *lg_jadd_str(lg_jbuild *b, cJSON *parent, const char *key, const char *s, size_t cap); /* at most cap bytes of s */
cJSON *lg_jadd_bool(lg_jbuild *b, cJSON *parent, const char *key, int v);
cJSON *lg_jadd_obj(lg_jbuild *b, cJSON *parent, const char *key);
cJSON *lg_jadd_arr(lg_jbuild *b, cJSON *parent, const char *key);

#endif
