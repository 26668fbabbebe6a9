/* Matrix products for the lgn core: C += A * B with cache blocking and a
 * 4 x 8 register-blocked micro-kernel.
 *
 * Loop nest: K is cut into panels of LGN_KC and M into blocks of LGN_MC; for
 * each (K panel, M block) the N dimension is walked in strips of 8 columns,
 * and each strip in tiles of 4 rows. The B panel of a strip (KC x 8 floats,
 * 8 KB) stays in L1 while the block's row tiles stream past it; the A block
 * (MC x KC, 64 KB) stays in L2 across strips. A tile keeps its 4 x 8 partial
 * sums in 8 SSE registers for the whole K panel: per k it loads two vectors
 * of B and four scalars of A and does 8 vector multiplies and 8 adds.
 * Edges: rows left over use 1 x 8 tiles, columns left over 4-wide then
 * scalar tiles. Every path adds the products to C in increasing k, so the
 * result is independent of the tiling (and of M, for a given row). */
#include "lgn_internal.h"

#ifndef LGN_KC
#define LGN_KC 256
#endif
#ifndef LGN_MC
#define LGN_MC 64
#endif

/* Tile kernels. a = &A(i, k0), b = &B(k0, j), c = &C(i, j); kc terms. */
static void kern_4x8(int kc, const float *a, ptrdiff_t ars, ptrdiff_t acs, const float *b, ptrdiff_t ldb, float *c,
                     ptrdiff_t ldc)
{
    float *c0 = c, *c1 = c + ldc, *c2 = c + 2 * ldc, *c3 = c + 3 * ldc;
    lgn_v4 s00 = lgn_ld(c0), s01 = lgn_ld(c0 + 4);
    lgn_v4 s10 = lgn_ld(c1), s11 = lgn_ld(c1 + 4);
    lgn_v4 s20 = lgn_ld(c2), s21 = lgn_ld(c2 + 4);
    lgn_v4 s30 = lgn_ld(c3), s31 = lgn_ld(c3 + 4);
    const float *a0 = a, *a1 = a + ars, *a2 = a + 2 * ars, *a3 = a + 3 * ars;
    for (int k = 0; k < kc; k++) {
        lgn_v4 b0 = lgn_ld(b), b1 = lgn_ld(b + 4);
        lgn_v4 x;
        x = lgn_bc(*a0);
        s00 += x * b0;
        s01 += x * b1;
        x = lgn_bc(*a1);
        s10 += x * b0;
        s11 += x * b1;
        x = lgn_bc(*a2);
        s20 += x * b0;
        s21 += x * b1;
        x = lgn_bc(*a3);
        s30 += x * b0;
        s31 += x * b1;
        a0 += acs, a1 += acs, a2 += acs, a3 += acs;
        b += ldb;
    }
    lgn_st(c0, s00), lgn_st(c0 + 4, s01);
    lgn_st(c1, s10), lgn_st(c1 + 4, s11);
    lgn_st(c2, s20), lgn_st(c2 + 4, s21);
    lgn_st(c3, s30), lgn_st(c3 + 4, s31);
}

static void kern_1x8(int kc, const float *a, ptrdiff_t acs, const float *b, ptrdiff_t ldb, float *c)
{
    lgn_v4 s0 = lgn_ld(c), s1 = lgn_ld(c + 4);
    for (int k = 0; k < kc; k++) {
        lgn_v4 x = lgn_bc(*a);
        s0 += x * lgn_ld(b);
        s1 += x * lgn_ld(b + 4);
        a += acs;
        b += ldb;
    }
    lgn_st(c, s0), lgn_st(c + 4, s1);
}

static void kern_4x4(int kc, const float *a, ptrdiff_t ars, ptrdiff_t acs, const float *b, ptrdiff_t ldb, float *c,
                     ptrdiff_t ldc)
{
    float *c0 = c, *c1 = c + ldc, *c2 = c + 2 * ldc, *c3 = c + 3 * ldc;
    lgn_v4 s0 = lgn_ld(c0), s1 = lgn_ld(c1), s2 = lgn_ld(c2), s3 = lgn_ld(c3);
    const float *a0 = a, *a1 = a + ars, *a2 = a + 2 * ars, *a3 = a + 3 * ars;
    for (int k = 0; k < kc; k++) {
        lgn_v4 b0 = lgn_ld(b);
        s0 += lgn_bc(*a0) * b0;
        s1 += lgn_bc(*a1) * b0;
        s2 += lgn_bc(*a2) * b0;
        s3 += lgn_bc(*a3) * b0;
        a0 += acs, a1 += acs, a2 += acs, a3 += acs;
        b += ldb;
    }
    lgn_st(c0, s0), lgn_st(c1, s1), lgn_st(c2, s2), lgn_st(c3, s3);
}

static void kern_1x4(int kc, const float *a, ptrdiff_t acs, const float *b, ptrdiff_t ldb, float *c)
{
    lgn_v4 s0 = lgn_ld(c);
    for (int k = 0; k < kc; k++) {
        s0 += lgn_bc(*a) * lgn_ld(b);
        a += acs;
        b += ldb;
    }
    lgn_st(c, s0);
}

static void kern_1x1(int kc, const float *a, ptrdiff_t acs, const float *b, ptrdiff_t ldb, float *c)
{
    float s = *c;
    for (int k = 0; k < kc; k++) {
        s += *a * *b;
        a += acs;
        b += ldb;
    }
    *c = s;
}

void lgn_gemm(int M, int N, int K, const float *A, ptrdiff_t ars, ptrdiff_t acs, const float *B, ptrdiff_t ldb,
              float *C, ptrdiff_t ldc)
{
    for (int k0 = 0; k0 < K; k0 += LGN_KC) {
        int kc = K - k0 < LGN_KC ? K - k0 : LGN_KC;
        for (int i0 = 0; i0 < M; i0 += LGN_MC) {
            int i1 = M - i0 < LGN_MC ? M : i0 + LGN_MC;
            const float *Ak = A + (ptrdiff_t)k0 * acs;
            const float *Bk = B + (ptrdiff_t)k0 * ldb;
            int j = 0;
            for (; j + 8 <= N; j += 8) {
                int i = i0;
                for (; i + 4 <= i1; i += 4)
                    kern_4x8(kc, Ak + i * ars, ars, acs, Bk + j, ldb, C + i * ldc + j, ldc);
                for (; i < i1; i++) kern_1x8(kc, Ak + i * ars, acs, Bk + j, ldb, C + i * ldc + j);
            }
            if (j + 4 <= N) {
                int i = i0;
                for (; i + 4 <= i1; i += 4)
                    kern_4x4(kc, Ak + i * ars, ars, acs, Bk + j, ldb, C + i * ldc + j, ldc);
                for (; i < i1; i++) kern_1x4(kc, Ak + i * ars, acs, Bk + j, ldb, C + i * ldc + j);
                j += 4;
            }
            for (; j < N; j++)
                for (int i = i0; i < i1; i++) kern_1x1(kc, Ak + i * ars, acs, Bk + j, ldb, C + i * ldc + j);
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
