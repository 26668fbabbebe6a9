/* The GEMM tiles of one instruction set, included once per set by
 * lgn_gemm.c with these defined:
 *   T_W       floats per vector (4: SSE2, 8: AVX2, 16: AVX-512)
 *   T_NV      vectors per row in a strip's tiles (1 or 2)
 *   T_MR      rows per tile (as many as the registers hold: T_NV x MR sums)
 *   T_ROWS(X) X(0) X(1) ... X(T_MR - 1): the rows, for the tile's named sums
 *   T_HALF_MR, T_HALF(X): the same for the tile of the rows left over
 *   T_ATTR    the function attribute that enables the set
 *   T_BLOCK   the name of the block function defined here
 *   T_NEXT    the block function of the next narrower set, for the columns
 *             left over (undefined: the last columns go one by one)
 * and undefines them all.
 *
 * A block function computes C(i0..i1, j..N) += A(i0..i1, panel) B(panel,
 * j..N) for one K panel of kc terms: strips of T_NV vectors of columns, then
 * of one, then the narrower set's strips; in each strip tiles of T_MR rows,
 * then at most one of T_HALF_MR, then single rows. Every C element, whichever tile or
 * set computes it, gets c + a_0 b_0 + a_1 b_1 + ... in increasing k with one
 * rounding per multiply and per add (products and sums stay separate: no
 * FMA), so every set gives the same bits (lgn_internal.h). */

#define T_CAT2(a, b) a##b
#define T_CAT(a, b) T_CAT2(a, b)
#define T_V T_CAT(T_BLOCK, _v)

typedef float T_V __attribute__((vector_size(T_W * 4)));

static inline __attribute__((always_inline)) T_ATTR T_V T_CAT(T_BLOCK, _ld)(const float *p)
{
    T_V v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) T_ATTR void T_CAT(T_BLOCK, _st)(float *p, T_V v)
{
    memcpy(p, &v, sizeof v);
}

/* The sums of row r as two named vectors (not an array: named locals stay
 * in registers even at -O1, as in the sanitizer builds). */
#define T_DECL(r) T_V s##r##_0 = {0}, s##r##_1 = {0};
#define T_LOAD(r)                                                                                                      \
    s##r##_0 = T_CAT(T_BLOCK, _ld)(c + r * ldc);                                                                       \
    if (nv == 2) s##r##_1 = T_CAT(T_BLOCK, _ld)(c + r * ldc + T_W);
#define T_MADD(r)                                                                                                      \
    {                                                                                                                  \
        float x = ak[r * ars];                                                                                         \
        s##r##_0 += x * b0;                                                                                            \
        if (nv == 2) s##r##_1 += x * b1;                                                                               \
    }
#define T_STORE(r)                                                                                                     \
    T_CAT(T_BLOCK, _st)(c + r * ldc, s##r##_0);                                                                        \
    if (nv == 2) T_CAT(T_BLOCK, _st)(c + r * ldc + T_W, s##r##_1);

/* C(rows, nv vectors) += A(rows, kc) B(kc, nv vectors), rows = T_MR (ROWS =
 * T_ROWS) or 1 (ROWS = T_ROW0). Inlined with constant nv. */
#define T_TILE_BODY(ROWS)                                                                                              \
    ROWS(T_DECL)                                                                                                       \
    ROWS(T_LOAD)                                                                                                       \
    for (int k = 0; k < kc; k++) {                                                                                     \
        const float *ak = a + k * acs, *bk = b + k * ldb; /* never past the end */                                     \
        T_V b0 = T_CAT(T_BLOCK, _ld)(bk), b1 = b0;                                                                     \
        if (nv == 2) b1 = T_CAT(T_BLOCK, _ld)(bk + T_W);                                                               \
        ROWS(T_MADD)                                                                                                   \
    }                                                                                                                  \
    ROWS(T_STORE)
#define T_ROW0(X) X(0)

static inline __attribute__((always_inline)) T_ATTR void T_CAT(T_BLOCK, _tile)(int kc, const float *a, ptrdiff_t ars,
                                                                               ptrdiff_t acs, const float *b,
                                                                               ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                                                                               const int nv)
{
    T_TILE_BODY(T_ROWS)
}

static inline __attribute__((always_inline)) T_ATTR void T_CAT(T_BLOCK, _half)(int kc, const float *a, ptrdiff_t ars,
                                                                               ptrdiff_t acs, const float *b,
                                                                               ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                                                                               const int nv)
{
    T_TILE_BODY(T_HALF)
}

static inline __attribute__((always_inline)) T_ATTR void T_CAT(T_BLOCK, _row)(int kc, const float *a, ptrdiff_t ars,
                                                                              ptrdiff_t acs, const float *b,
                                                                              ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                                                                              const int nv)
{
    T_TILE_BODY(T_ROW0)
}

static T_ATTR void T_BLOCK(int kc, int i0, int i1, int j, int N, const float *A, ptrdiff_t ars, ptrdiff_t acs,
                           const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc)
{
#define T_STRIP(nv)                                                                                                    \
    {                                                                                                                  \
        int i = i0;                                                                                                    \
        for (; i + T_MR <= i1; i += T_MR)                                                                              \
            T_CAT(T_BLOCK, _tile)(kc, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, nv);                    \
        if (i + T_HALF_MR <= i1) {                                                                                     \
            T_CAT(T_BLOCK, _half)(kc, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, nv);                    \
            i += T_HALF_MR;                                                                                            \
        }                                                                                                              \
        for (; i < i1; i++) T_CAT(T_BLOCK, _row)(kc, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, nv);     \
    }
#if T_NV == 2
    for (; j + 2 * T_W <= N; j += 2 * T_W) T_STRIP(2)
#endif
    for (; j + T_W <= N; j += T_W) T_STRIP(1)
#ifdef T_NEXT
    T_NEXT(kc, i0, i1, j, N, A, ars, acs, B, ldb, C, ldc);
#else
#if T_W != 4
#error "the last set's leftover columns are written for 4-float vectors"
#endif
    /* The last columns (fewer than a vector: a net's one output, say) one
     * at a time, T_W rows per vector: each lane is one row's sum, still in
     * k order. */
    for (; j < N; j++) {
        int i = i0;
        for (; i + T_W <= i1; i += T_W) {
            const float *a = A + i * ars, *b = B + j;
            float *c = C + i * ldc + j;
            T_V s = {c[0], c[ldc], c[2 * ldc], c[3 * ldc]};
            for (int k = 0; k < kc; k++) {
                const float *ak = a + k * acs;
                T_V av = {ak[0], ak[ars], ak[2 * ars], ak[3 * ars]};
                s += av * b[k * ldb];
            }
            c[0] = s[0], c[ldc] = s[1], c[2 * ldc] = s[2], c[3 * ldc] = s[3];
        }
        for (; i < i1; i++) {
            const float *a = A + i * ars, *b = B + j;
            float s = C[i * ldc + j];
            for (int k = 0; k < kc; k++) s += a[k * acs] * b[k * ldb];
            C[i * ldc + j] = s;
        }
    }
#endif
}

#undef T_V
#undef T_DECL
#undef T_LOAD
#undef T_MADD
#undef T_STORE
#undef T_TILE_BODY
#undef T_ROW0
#undef T_STRIP
#undef T_ROWS
#undef T_HALF
#undef T_HALF_MR
#undef T_NV
#undef T_CAT
#undef T_CAT2
#undef T_W
#undef T_MR
#undef T_ATTR
#undef T_BLOCK
#undef T_NEXT
