/* Hyperparameters stated once: each agent lists its parameters in a table of
 * rows (key, kind, where the value goes, default, range, meaning). The same
 * table parses an experiment's "params" object (unknown keys, wrong types and
 * out-of-range values are errors naming AGENT.params.KEY with the expected
 * and the found value), prints `livegym agents`, and writes the tables of
 * docs/agents.md (a test keeps the file equal to them). */
#ifndef LGA_PARAMS_H
#define LGA_PARAMS_H

#include <stddef.h>

#include "lg_sbuf.h"

#define LGA_LIST_MAX 8

typedef enum {
    LGA_FLOAT,    /* float */
    LGA_INT,      /* long */
    LGA_BOOL,     /* int, 0 or 1 */
    LGA_CHOICE,   /* int: index into choices */
    LGA_INT_LIST, /* lga_int_list */
    LGA_STRING,   /* char[max_len]: a string of fewer than max_len bytes (a file path) */
} lga_param_kind;

typedef struct {
    int n;
    int v[LGA_LIST_MAX];
} lga_int_list;

typedef struct lga_param {
    const char *key;
    lga_param_kind kind;
    size_t offset;       /* of the value in the agent's parameter struct (offsetof) */
    const char *def;     /* the default as it is written in a file: "0.1", "true", "gaussian", "[120, 84]";
                            "=KEY": the value KEY ends up with */
    double lo, hi;       /* the range of a number (of each element of a list) */
    const char *const *choices; /* LGA_CHOICE: the names, NULL-terminated */
    int max_len;         /* LGA_INT_LIST: at most this many elements (<= LGA_LIST_MAX);
                            LGA_STRING: the size of the char array */
    const char *doc;     /* what it does, with its unit */
} lga_param;

/* Fill out (the agent's parameter struct) from params_json (NULL or "{}":
 * every default) by the table (ended by a row with key NULL). Returns 0, or
 * -1 with a message. */
int lga_params_parse(const char *agent, const char *params_json, const lga_param *table, void *out, char *err,
                     size_t errsz);

/* The row of key (NULL: none; table may be NULL), and every key of the
 * table as "a, b, c" appended to b (nothing when there are none). */
const lga_param *lga_param_find(const lga_param *table, const char *key);
void lga_params_keys(const lga_param *table, lg_sbuf *b);

/* For `livegym agents`: one line per row, "KEY=DEFAULT (RANGE): DOC". */
void lga_params_text(const lga_param *table, const char *indent, lg_sbuf *b);
/* For docs/agents.md: a Markdown table of the rows ("none" when empty). */
void lga_params_markdown(const lga_param *table, lg_sbuf *b);

#endif
