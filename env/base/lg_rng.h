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

static inline uint64_t lg_mix64(uint64_t z)
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

static inline uint64_t lg_bits(uint64_t key, uint64_t counter)
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
