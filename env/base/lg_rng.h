/* Random numbers for livegym: explicit, keyed, counter-based.
 *
 * Every random draw in the library is a pure function of a 64-bit key and a
 * counter. Keys are derived from (seed, purpose, entity, ...), so a draw never
 * depends on how many other draws happened before it, on the thread count or
 * on scheduling order. Sequential streams (lg_stream) are the same mixer
 * driven by an incrementing counter, for code (agents) that wants one.
 *
 * A purpose is one independent family of draws, so that adding a draw for
 * one purpose never shifts another's numbers. Each layer owns its purposes
 * (the world's in env/env_internal.h, the agents' in agents/lga_agent.h);
 * their values are part of the reproducibility contract: never renumber.
 *
 * The mixer is SplitMix64's finaliser (Steele, Lea, Flood 2014), which passes
 * BigCrush when fed a Weyl sequence; we feed it key + counter * golden. */
#ifndef LG_RNG_H
#define LG_RNG_H

#include <math.h>
#include <stdint.h>

#define LG_GOLDEN 0x9E3779B97F4A7C15ULL

/* Always inlined: the vector variants of the world's per-channel loops
 * (env/live/channel_math.c) must take them in to vectorise. */
#define LG_HOT static inline __attribute__((always_inline))

LG_HOT uint64_t lg_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Derive a key from a parent key and one more coordinate. Chaining keeps
 * (a,b) and (b,a) distinct. */
static inline uint64_t lg_key(uint64_t parent, uint64_t coord)
{
    return lg_mix64(parent + LG_GOLDEN * (coord + 1));
}

static inline uint64_t lg_key3(uint64_t seed, uint64_t purpose, uint64_t entity)
{
    return lg_key(lg_key(lg_mix64(seed ^ 0x6C67796D6C697665ULL), purpose), entity);
}

LG_HOT uint64_t lg_bits(uint64_t key, uint64_t counter)
{
    return lg_mix64(key + LG_GOLDEN * (counter + 1));
}

/* Uniform in [0, 1) with 24 bits (exactly representable as float). */
static inline float lg_u01f(uint64_t key, uint64_t counter)
{
    return (float)(lg_bits(key, counter) >> 40) * (1.0f / 16777216.0f);
}

/* Uniform in (0, 1) with 53 bits; never 0, so log() is safe. */
static inline double lg_u01(uint64_t key, uint64_t counter)
{
    return ((double)(lg_bits(key, counter) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* Standard normal by Box-Muller, using counters 2c and 2c+1 of the key: a key
 * used for normals must not also be used for lg_u01 at those counters. */
static inline double lg_normal(uint64_t key, uint64_t counter)
{
    double u1 = lg_u01(key, 2 * counter);
    double u2 = lg_u01(key, 2 * counter + 1);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Single-precision log, exp and cos(2 pi u) in plain float arithmetic (no
 * libm, no fused multiply-add, no data-dependent branches), so that they
 * give the same bits on every machine and compiler and the world's hottest
 * per-channel loops do not depend on the C library's version; accurate to a
 * few float ulps (tests/test_base.c measures them against libm). */
LG_HOT float lg_select(int c, float a, float b) { return c ? a : b; }

/* log x for a normal float x > 0 (not 0, infinities or NaN). */
LG_HOT float lg_logf(float x)
{
    union { float f; uint32_t u; } b = {x};
    const int big = (b.u & 0x007FFFFFu) > 0x003504F3u; /* mantissa above sqrt 2: take it as m / 2 */
    const int e = (int)((b.u >> 23) & 0xFF) - 127 + big;
    b.u = (b.u & 0x007FFFFFu) | (big ? 0x3F000000u : 0x3F800000u); /* m in [sqrt 2 / 2, sqrt 2] */
    const float f = b.f - 1.0f, s = f / (2.0f + f), s2 = s * s;
    /* log(1 + f) = 2 atanh(s) = 2 s (1 + s^2/3 + s^4/5 + ...), |s| < 0.172 */
    const float p = 1.0f + s2 * (0.33333333f + s2 * (0.2f + s2 * (0.14285715f + s2 * 0.11111111f)));
    return (float)e * 0.69314718f + 2.0f * s * p;
}

/* e^x for x <= 0 (a softmax's shifted logits); 0 below -87. The
 * truncation is truncf's, exact like the (float)(int) pair it replaced
 * (whether inlined or, on some target, libm's): GCC 12 vectorises it for
 * AVX2 and AVX-512, and not the pair. */
LG_HOT float lg_expf_neg(float x)
{
    x = x < -87.0f ? -87.0f : x;
    const float k = __builtin_truncf(x * 1.44269504f - 0.5f); /* round(x / ln 2), x <= 0 */
    const float r = (x - k * 0.693145752f) - k * 1.42860677e-6f; /* ln 2 in two parts: r exact to a float ulp */
    const float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.6666667e-1f + r * (4.1666668e-2f + r * (8.3333338e-3f + r * 1.3888889e-3f)))));
    union { float f; uint32_t u; } b = {0};
    b.u = (uint32_t)((int)k + 127) << 23;
    return x <= -87.0f ? 0.0f : p * b.f;
}

/* cos(2 pi u) for u in [0, 1). */
LG_HOT float lg_cos2pif(float u)
{
    float w = lg_select(u > 0.5f, 1.0f - u, u); /* cos is even and 1-periodic in u: w in [0, 0.5] */
    const float sign = lg_select(w > 0.25f, -1.0f, 1.0f);
    w = lg_select(w > 0.25f, 0.5f - w, w); /* cos(pi - t) = -cos t: w in [0, 0.25] */
    const int use_sin = w > 0.125f;        /* cos t = sin(pi/2 - t), pi/2 - t in [0, pi/4] */
    const float t = lg_select(use_sin, 0.25f - w, w) * 6.28318531f, t2 = t * t;
    const float sn = t * (1.0f - t2 * (1.6666667e-1f - t2 * (8.3333333e-3f - t2 * (1.9841270e-4f - t2 * 2.7557319e-6f))));
    const float cs = 1.0f - t2 * (0.5f - t2 * (4.1666668e-2f - t2 * (1.3888889e-3f - t2 * (2.4801587e-5f - t2 * 2.7557319e-7f))));
    return sign * lg_select(use_sin, sn, cs);
}

/* Standard normal in single precision by Box-Muller from one 64-bit draw
 * (24 bits for the radius, 24 for the angle; |z| < 5.8): a fraction of
 * lg_normal's cost, for the draws made for every channel on air at every
 * step. */
LG_HOT float lg_normalf(uint64_t key, uint64_t counter)
{
    const uint64_t z = lg_bits(key, counter);
    /* 24-bit integers convert exactly; from int32, which every vector set can */
    const float u1 = ((float)(int32_t)(z >> 40) + 0.5f) * (1.0f / 16777216.0f); /* (0, 1) */
    const float u2 = (float)(int32_t)((z >> 8) & 0xFFFFFFu) * (1.0f / 16777216.0f); /* [0, 1) */
    return sqrtf(-2.0f * lg_logf(u1)) * lg_cos2pif(u2);
}

/* Uniform integer in [0, n), n > 0, by Lemire's multiply-shift (bias < 2^-32
 * for the n we use). */
static inline uint32_t lg_below(uint64_t key, uint64_t counter, uint32_t n)
{
    return (uint32_t)(((lg_bits(key, counter) >> 32) * (uint64_t)n) >> 32);
}

/* A sequential stream for code that wants "next number" semantics. */
typedef struct {
    uint64_t key;
    uint64_t counter;
} lg_stream;

static inline lg_stream lg_stream_make(uint64_t seed, uint64_t purpose, uint64_t entity)
{
    lg_stream s = {lg_key3(seed, purpose, entity), 0};
    return s;
}
static inline uint64_t lg_stream_bits(lg_stream *s) { return lg_bits(s->key, s->counter++); }
static inline double lg_stream_u01(lg_stream *s) { return lg_u01(s->key, s->counter++); }
/* Consumes two fresh counters, so normals and uniforms drawn from one stream
 * never share numbers. */
static inline double lg_stream_normal(lg_stream *s)
{
    double u1 = lg_u01(s->key, s->counter), u2 = lg_u01(s->key, s->counter + 1);
    s->counter += 2;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
static inline uint32_t lg_stream_below(lg_stream *s, uint32_t n) { return lg_below(s->key, s->counter++, n); }

#endif
