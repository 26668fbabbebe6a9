/* Internal helpers of the lgn core: 4-float vectors and the kernels.
 *
 * Why explicit vectors: the project builds with plain -O2 (gcc 12: the
 * "very-cheap" vectoriser cost model), which leaves a GEMM micro-kernel's
 * accumulators in memory, or does not vectorise at all when the trip count
 * is not a known multiple of 4. GCC/Clang vector extensions keep the
 * accumulators in registers whatever the flags (SSE2 on x86-64; the compiler
 * lowers them to scalar code elsewhere). Every lane does exactly the IEEE
 * operations the scalar code would do (no FMA contraction: -std=c11 means
 * -ffp-contract=off), so results are the same bits as a naive loop with the
 * same summation order. */
#ifndef LGN_INTERNAL_H
#define LGN_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lgn.h" /* lgn_gemm */

#ifdef __SSE__
#include <xmmintrin.h>
#define LGN_HAVE_SSE 1
#endif

typedef float lgn_v4 __attribute__((vector_size(16)));
typedef int32_t lgn_v4i __attribute__((vector_size(16)));

static inline lgn_v4 lgn_ld(const float *p)
{
    lgn_v4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void lgn_st(float *p, lgn_v4 v) { memcpy(p, &v, sizeof v); }

static inline lgn_v4 lgn_bc(float x) { return (lgn_v4){x, x, x, x}; }

/* Load the first n (0..3) floats, zero the other lanes; store the first n. */
static inline lgn_v4 lgn_ld_part(const float *p, size_t n)
{
    float t[4] = {0, 0, 0, 0};
    memcpy(t, p, n * sizeof(float));
    return lgn_ld(t);
}

static inline void lgn_st_part(float *p, lgn_v4 v, size_t n)
{
    float t[4];
    lgn_st(t, v);
    memcpy(p, t, n * sizeof(float));
}

/* Lanes of v where keep is all-ones, +0 elsewhere. */
static inline lgn_v4 lgn_select(lgn_v4 v, lgn_v4i keep) { return (lgn_v4)((lgn_v4i)v & keep); }

/* Correctly rounded lane-wise square root (sqrtps, or sqrtf per lane). */
static inline lgn_v4 lgn_sqrt(lgn_v4 v)
{
#ifdef LGN_HAVE_SSE
    return (lgn_v4)_mm_sqrt_ps((__m128)v);
#else
    return (lgn_v4){sqrtf(v[0]), sqrtf(v[1]), sqrtf(v[2]), sqrtf(v[3])};
#endif
}

/* dst[cols x rows] = src[rows x cols]^T. */
void lgn_transpose(int rows, int cols, const float *src, float *dst);

#endif
