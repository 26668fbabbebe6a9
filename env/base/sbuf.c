#include "lg_sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(lg_sbuf *b, size_t extra)
{
    if (b->oom) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void lg_sb_putn(lg_sbuf *b, const char *s, size_t n)
{
    if (reserve(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void lg_sb_puts(lg_sbuf *b, const char *s) { lg_sb_putn(b, s, strlen(s)); }
void lg_sb_putc(lg_sbuf *b, char c) { lg_sb_putn(b, &c, 1); }

void lg_sb_spaces(lg_sbuf *b, int n)
{
    for (int i = 0; i < n; i++) lg_sb_putc(b, ' ');
}

void lg_sb_printf(lg_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
        b->oom = 1;
        return;
    }
    if (reserve(b, (size_t)k)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)k;
}

char *lg_sb_take(lg_sbuf *b)
{
    char *p = b->oom ? NULL : b->p;
    if (b->oom) free(b->p);
    memset(b, 0, sizeof *b);
    return p;
}

void lg_sb_free(lg_sbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
