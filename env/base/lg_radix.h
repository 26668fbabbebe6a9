/* Radix sorts of unsigned keys, ascending: least significant byte first,
 * each pass stable, a byte every key shares skipped (a channel index's high
 * bytes, a concurrency's exponent). Branch-free, unlike a comparison sort,
 * whose compares of such keys mispredict about half the time. One body for
 * each key width: the world sorts 32-bit channel indices, the retrieval
 * 64-bit rank keys. tmp: n places. */
#ifndef LG_RADIX_H
#define LG_RADIX_H

#include <stdint.h>
#include <string.h>

#define LG_RADIX_SORT(NAME, T)                                                                                         \
    static inline void NAME(T *a, T *tmp, int n)                                                                       \
    {                                                                                                                  \
        enum { W = (int)sizeof(T) };                                                                                   \
        uint32_t count[W][256];                                                                                        \
        memset(count, 0, sizeof count);                                                                                \
        for (int i = 0; i < n; i++)                                                                                    \
            for (int d = 0; d < W; d++) count[d][(a[i] >> (8 * d)) & 0xFF]++;                                          \
        T *src = a, *dst = tmp;                                                                                        \
        for (int d = 0; d < W; d++) {                                                                                  \
            uint32_t *c = count[d], sum = 0;                                                                           \
            if (n == 0 || c[(src[0] >> (8 * d)) & 0xFF] == (uint32_t)n) continue;                                      \
            for (int b = 0; b < 256; b++) {                                                                            \
                const uint32_t m = c[b];                                                                               \
                c[b] = sum, sum += m;                                                                                  \
            }                                                                                                          \
            for (int i = 0; i < n; i++) dst[c[(src[i] >> (8 * d)) & 0xFF]++] = src[i];                                 \
            T *t = src;                                                                                                \
            src = dst, dst = t;                                                                                        \
        }                                                                                                              \
        if (src != a) memcpy(a, src, sizeof(T) * (size_t)n);                                                           \
    }

LG_RADIX_SORT(lg_radix_sort_u32, uint32_t)
LG_RADIX_SORT(lg_radix_sort_u64, uint64_t)

#endif
