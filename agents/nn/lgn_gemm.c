/* Matrix products for the lgn core: C += A * B, cache-blocked, with
 * register-blocked tiles for each x86-64 instruction set (SSE2, AVX2,
 * AVX-512) chosen at run time, so one binary runs the best the CPU has.
 *
 * Loop nest: K is cut into panels of LGN_KC and M into blocks of LGN_MC; for
 * each (K panel, M block) the columns are walked in strips of T_NV vectors,
 * each strip in tiles of T_MR rows (lgn_gemm_tiles.h). The B panel of a
 * strip stays in L1 while the block's row tiles stream past it; the A block
 * (MC x KC) stays in L2 across strips. A tile keeps its sums in registers
 * for the whole K panel.
 *
 * Every path adds the products to C in increasing k, one rounding per
 * multiply and per add, so the result does not depend on the tiling, on M
 * for a given row, or on the instruction set: the sets give the same bits,
 * and results are portable between machines (tests/test_nn.c forces each
 * set the CPU has and compares). The price is FMA: a fused multiply-add
 * rounds once, so it would change the bits; products and sums stay apart. */
#include "lgn.h"
#include "lgn_internal.h"

#include "lg_isa.h"

/* No fused multiply-add, whatever the compiler's default (CMake also passes
 * -ffp-contract=off; clang's AVX-512F target includes FMA instructions). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#ifndef LGN_KC
#define LGN_KC 256
#endif
#ifndef LGN_MC
#define LGN_MC 64
#endif

typedef void (*block_fn)(int kc, int i0, int i1, int j, int N, const float *A, ptrdiff_t ars, ptrdiff_t acs,
                         const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc);

/* SSE2 (any x86-64; elsewhere plain vector code the compiler lowers). */
#define T_W 4
#define T_NV 2
#define T_MR 4
#define T_ROWS(X) X(0) X(1) X(2) X(3)
#define T_HALF_MR 2
#define T_HALF(X) X(0) X(1)
#define T_ATTR
#define T_BLOCK block_sse2
#include "lgn_gemm_tiles.h"

#ifdef LG_X86
#define T_W 8
#define T_NV 2
#define T_MR 6
#define T_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define T_HALF_MR 3
#define T_HALF(X) X(0) X(1) X(2)
#define T_ATTR LG_TARGET_AVX2
#define T_BLOCK block_avx2
#define T_NEXT block_sse2
#include "lgn_gemm_tiles.h"

/* One vector per row, not two: each scalar of A then feeds one multiply,
 * and the compiler folds its broadcast into that multiply's memory operand
 * ({1to16}). A separate zmm broadcast shared by two multiplies runs on a
 * floating-point pipe on AMD Zen 4 and held the 8 x 32 tile to about 65% of
 * the peak; 16 x 16 runs at about OpenBLAS sgemm's rate (docs/nn.md). The
 * columns left over go to strips of 8 and 4 with the same 16-row tiles in
 * ymm and xmm registers (AVX-512VL: 32 of them, and {1to8}, {1to4}
 * broadcasts), defined first; the 4-wide set does the last single columns. */
#define T_W 4
#define T_BLOCK block_avx512_4
#include "lgn_gemm_avx512.h"

#define T_W 8
#define T_BLOCK block_avx512_8
#define T_NEXT block_avx512_4
#include "lgn_gemm_avx512.h"

#define T_W 16
#define T_BLOCK block_avx512
#define T_NEXT block_avx512_8
#include "lgn_gemm_avx512.h"
#endif

void lgn_gemm(int M, int N, int K, const float *A, ptrdiff_t ars, ptrdiff_t acs, const float *B, ptrdiff_t ldb,
              float *C, ptrdiff_t ldc)
{
    block_fn block = block_sse2;
#ifdef LG_X86
    lg_isa isa = lg_isa_get();
    if (isa == LG_ISA_AVX512) block = block_avx512;
    if (isa == LG_ISA_AVX2) block = block_avx2;
#endif
    for (int k0 = 0; k0 < K; k0 += LGN_KC) {
        int kc = K - k0 < LGN_KC ? K - k0 : LGN_KC;
        for (int i0 = 0; i0 < M; i0 += LGN_MC) {
            int i1 = M - i0 < LGN_MC ? M : i0 + LGN_MC;
            block(kc, i0, i1, 0, N, A + (ptrdiff_t)k0 * acs, ars, acs, B + (ptrdiff_t)k0 * ldb, ldb, C, ldc);
        }
    }
}

/* Blocked so that both the reads and the writes touch few cache lines. */
void lgn_transpose(int rows, int cols, const float *src, float *dst)
{
    enum { T = 16 };
    for (int r0 = 0; r0 < rows; r0 += T) {
        int r1 = rows - r0 < T ? rows : r0 + T;
        for (int c0 = 0; c0 < cols; c0 += T) {
            int c1 = cols - c0 < T ? cols : c0 + T;
            for (int r = r0; r < r1; r++)
                for (int c = c0; c < c1; c++) dst[(ptrdiff_t)c * rows + r] = src[(ptrdiff_t)r * cols + c];
        }
    }
}
