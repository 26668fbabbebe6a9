/* The x86-64 vector instruction set the hot loops run on: the matrix
 * products (agents/nn/lgn_gemm.c) and the world's per-channel math
 * (env/live/channel_math.c). Each loop is compiled for every set and picks
 * the widest the CPU has at its first call. Every set gives the same bits
 * (the same IEEE operations, in the same order, no fused multiply-add), so
 * the choice changes speed only. Forcing one is for tests and benchmarks:
 * process-wide, between calls, not during them. */
#ifndef LG_ISA_H
#define LG_ISA_H

#pragma GCC visibility push(default)

typedef enum { LG_ISA_AUTO, LG_ISA_SSE2, LG_ISA_AVX2, LG_ISA_AVX512 } lg_isa;

int lg_isa_available(lg_isa isa);    /* 1 if this CPU (and build) runs it */
int lg_isa_set(lg_isa isa);          /* 0, or -1 if not available; AUTO: the best */
lg_isa lg_isa_get(void);             /* the set in use (never AUTO) */
const char *lg_isa_name(lg_isa isa); /* "auto", "sse2", "avx2", "avx512" */
int lg_isa_parse(const char *name);  /* the lg_isa of a name, or -1 */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LG_X86 1
/* The target of each set's variant. AVX-512 includes DQ: the counter
 * hash's 64-bit multiply (vpmullq). */
#define LG_TARGET_AVX2 __attribute__((target("avx2")))
#define LG_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))
#endif

#pragma GCC visibility pop

#endif
