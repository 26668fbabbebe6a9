/* The GEMM tiles of one instruction set, included once per set by
 * lgn_gemm.c with these defined:
 *   T_W       floats per vector (4: SSE2, 8: AVX2, 16: AVX-512)
 *   T_MR      rows per tile (as many as the registers hold: 2 x MR sums)
 *   T_ATTR    the function attribute that enables the set
 *   T_BLOCK   the name of the block function defined here
 *   T_NEXT    the block function of the next narrower set, for the columns
 *             left over (undefined: the last columns go one by one)
 * and undefines them all.
 *
 * A block function computes C(i0..i1, j..N) += A(i0..i1, panel) B(panel,
 * j..N) for one K panel of kc terms: strips of 2 vectors of columns, then of
 * one, then the narrower set's strips. Every C element, whichever tile or
 * set computes it, gets c + a_0 b_0 + a_1 b_1 + ... in increasing k with one
 * rounding per multiply and per add (products and sums stay separate: no
 * FMA), so every set gives the same bits (lgn_internal.h). */

#define T_CAT2(a, b) a##b
#define T_CAT(a, b) T_CAT2(a, b)
#define T_V T_CAT(T_BLOCK, _v)
#define T_TILE T_CAT(T_BLOCK, _tile)

typedef float T_V __attribute__((vector_size(T_W * 4)));

/* C(mr rows, nv vectors) += A(mr rows, kc) B(kc, nv vectors). Inlined with
 * constant mr and nv, so the sums live in registers. */
static inline __attribute__((always_inline)) T_ATTR void T_TILE(int kc, const float *a, ptrdiff_t ars,
                                                                ptrdiff_t acs, const float *b, ptrdiff_t ldb,
                                                                float *c, ptrdiff_t ldc, const int mr, const int nv)
{
    T_V s[T_MR][2], bv[2];
#pragma GCC unroll 16
    for (int r = 0; r < mr; r++)
#pragma GCC unroll 2
        for (int v = 0; v < nv; v++) memcpy(&s[r][v], c + r * ldc + v * T_W, sizeof(T_V));
    for (int k = 0; k < kc; k++) {
        const float *ak = a + k * acs, *bk = b + k * ldb; /* never past the end */
#pragma GCC unroll 2
        for (int v = 0; v < nv; v++) memcpy(&bv[v], bk + v * T_W, sizeof(T_V));
#pragma GCC unroll 16
        for (int r = 0; r < mr; r++) {
            float x = ak[r * ars];
#pragma GCC unroll 2
            for (int v = 0; v < nv; v++) s[r][v] += x * bv[v];
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < mr; r++)
#pragma GCC unroll 2
        for (int v = 0; v < nv; v++) memcpy(c + r * ldc + v * T_W, &s[r][v], sizeof(T_V));
}

static T_ATTR void T_BLOCK(int kc, int i0, int i1, int j, int N, const float *A, ptrdiff_t ars, ptrdiff_t acs,
                           const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc)
{
    for (; j + 2 * T_W <= N; j += 2 * T_W) {
        int i = i0;
        for (; i + T_MR <= i1; i += T_MR) T_TILE(kc, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, T_MR, 2);
        for (; i < i1; i++) T_TILE(kc, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, 1, 2);
    }
    if (j + T_W <= N) {
        int i = i0;
        for (; i + T_MR <= i1; i += T_MR) T_TILE(kc, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, T_MR, 1);
        for (; i < i1; i++) T_TILE(kc, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, 1, 1);
        j += T_W;
    }
#ifdef T_NEXT
    T_NEXT(kc, i0, i1, j, N, A, ars, acs, B, ldb, C, ldc);
#else
    for (; j < N; j++)
        for (int i = i0; i < i1; i++) {
            const float *a = A + i * ars, *b = B + j;
            float s = C[i * ldc + j];
            for (int k = 0; k < kc; k++) s += a[k * acs] * b[k * ldb];
            C[i * ldc + j] = s;
        }
#endif
}

#undef T_V
#undef T_TILE
#undef T_CAT
#undef T_CAT2
#undef T_W
#undef T_MR
#undef T_ATTR
#undef T_BLOCK
#undef T_NEXT
