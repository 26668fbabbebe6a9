/* Allocate once: carve every array of an object out of one block. Run the
 * same sequence of lg_carve calls twice: first with base NULL to measure
 * (pointers come back NULL), then on a block of cv.used bytes. Each piece is
 * 64-byte aligned (a cache line), so arrays never share a line. */
#ifndef LG_CARVE_H
#define LG_CARVE_H

#include <stddef.h>

typedef struct {
    char *base;
    size_t used;
} lg_carver;

static inline void *lg_carve(lg_carver *cv, size_t bytes)
{
    size_t n = (bytes + 63) & ~(size_t)63;
    void *p = cv->base ? cv->base + cv->used : NULL;
    cv->used += n;
    return p;
}

#endif
