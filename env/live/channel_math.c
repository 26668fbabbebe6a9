/* The per-channel math of a world step over whole lists of channels: the
 * popularity draws, the audience's exponentials and log(1 + n). Each loop is
 * compiled for every x86-64 vector set (lg_isa.h) and the compiler
 * vectorises the wide ones; the arithmetic is lg_rng.h's plain float code,
 * which no variant reorders or fuses (-ffp-contract=off, no fast-math), so
 * every variant gives the bits of the scalar loop (tests/test_base.c forces
 * each). The loops only read lists and write dense arrays: the step's
 * scatter into the channels stays in world.c. */
#include "../env_internal.h"
#include "lg_isa.h"

#define CHANNEL_LOOPS(SET, ATTR)                                                                                       \
    ATTR static void normal_##SET(const uint64_t *key, const int32_t *on, int n, uint64_t counter, float *out)        \
    {                                                                                                                  \
        for (int j = 0; j < n; j++) out[j] = lg_normalf(key[on[j]], counter);                                          \
    }                                                                                                                  \
    ATTR static void exp_##SET(const float *x, int n, float shift, float *out)                                         \
    {                                                                                                                  \
        for (int j = 0; j < n; j++) out[j] = lg_expf_neg(x[j] - shift);                                                \
    }                                                                                                                  \
    ATTR static void log_##SET(float *v, int n)                                                                        \
    {                                                                                                                  \
        for (int j = 0; j < n; j++) v[j] = lg_logf(v[j]);                                                              \
    }

CHANNEL_LOOPS(sse2, )
#ifdef LG_X86
CHANNEL_LOOPS(avx2, LG_TARGET_AVX2)
CHANNEL_LOOPS(avx512, LG_TARGET_AVX512)
#define PICK(name, ...)                                                                                                \
    do {                                                                                                               \
        const lg_isa isa = lg_isa_get();                                                                               \
        if (isa == LG_ISA_AVX512) name##_avx512(__VA_ARGS__);                                                          \
        else if (isa == LG_ISA_AVX2) name##_avx2(__VA_ARGS__);                                                         \
        else name##_sse2(__VA_ARGS__);                                                                                 \
    } while (0)
#else
#define PICK(name, ...) name##_sse2(__VA_ARGS__)
#endif

void lg_cm_normal(const uint64_t *key, const int32_t *on, int n, uint64_t counter, float *out)
{
    PICK(normal, key, on, n, counter, out);
}

void lg_cm_exp(const float *x, int n, float shift, float *out) { PICK(exp, x, n, shift, out); }

void lg_cm_log(float *v, int n) { PICK(log, v, n); }
