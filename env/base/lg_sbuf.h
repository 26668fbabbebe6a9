/* A growing text buffer. Running out of memory is sticky: every later call
 * does nothing and `oom` stays set, so a caller checks once at the end. The
 * text is always NUL-terminated once anything was added. Start from {0}. */
#ifndef LG_SBUF_H
#define LG_SBUF_H

#include <stddef.h>

/* The public API of liblivegym: exported from the shared library (the
 * rest of the code is built with hidden visibility). */
#pragma GCC visibility push(default)

typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} lg_sbuf;

void lg_sb_putn(lg_sbuf *b, const char *s, size_t n);
void lg_sb_puts(lg_sbuf *b, const char *s);
void lg_sb_putc(lg_sbuf *b, char c);
void lg_sb_spaces(lg_sbuf *b, int n);
void lg_sb_printf(lg_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the text over (NULL after out of memory or when empty); b is reset. */
char *lg_sb_take(lg_sbuf *b);
void lg_sb_free(lg_sbuf *b);

#pragma GCC visibility pop

#endif
