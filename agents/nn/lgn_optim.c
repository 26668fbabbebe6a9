/* Optimisers: SGD (momentum), Adam, global gradient-norm clipping.
 * Steps run 4 lanes at a time (Adam 16 on AVX-512, 8 on AVX2, then 4); the
 * last n % 4 elements go through the same vector code on a zero-padded
 * copy, so every element sees the same operations. No allocation outside
 * *_init. */
#include <float.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lgn.h"
#include "lgn_internal.h"
#include "lg_isa.h"

double lgn_clip_grad_norm(float *grads, size_t n, double max_norm)
{
    double s[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; k++) s[k] += (double)grads[i + k] * (double)grads[i + k];
    for (; i < n; i++) s[0] += (double)grads[i] * (double)grads[i];
    double norm = sqrt((s[0] + s[1]) + (s[2] + s[3]));
    if (!isfinite(norm)) return norm;
    double coef = max_norm / (norm + 1e-6);
    if (coef < 1.0) {
        const float c = (float)coef;
        for (i = 0; i + 4 <= n; i += 4) lgn_st(grads + i, lgn_ld(grads + i) * lgn_bc(c));
        for (; i < n; i++) grads[i] *= c;
    }
    return norm;
}

/* ------------------------------------------------------------------ SGD */

int lgn_sgd_init(lgn_sgd *o, size_t n, float lr, float momentum)
{
    if (!o) return -1;
    memset(o, 0, sizeof *o);
    if (!(lr >= 0.0f && isfinite(lr)) || !(momentum >= 0.0f && momentum < 1.0f) || n > LGN_MAX_PARAMS) return -1;
    o->n = n, o->lr = lr, o->momentum = momentum;
    if (momentum > 0.0f) {
        o->vel = calloc(n ? n : 1, sizeof(float));
        if (!o->vel) return -1;
    }
    return 0;
}

void lgn_sgd_free(lgn_sgd *o)
{
    if (!o) return;
    free(o->vel);
    o->vel = NULL;
}

/* x with its denormal lanes (and NaN) set to +0, for vectors of any width:
 * lanes kept where |x| >= FLT_MIN. */
#define FLUSH_DENORMAL(V, VI, x) ((V)((VI)(x) & ((V)((VI)(x) & ((VI){0} + 0x7FFFFFFF)) >= ((V){0} + FLT_MIN))))

static inline lgn_v4 flush_denormal(lgn_v4 x) { return FLUSH_DENORMAL(lgn_v4, lgn_v4i, x); }

static inline void sgd_lanes(float *p, float *vel, const float *g, size_t k, float lr, float mu)
{
    lgn_v4 gv = lgn_ld_part(g, k), pv = lgn_ld_part(p, k);
    if (vel) {
        lgn_v4 v = flush_denormal(lgn_bc(mu) * lgn_ld_part(vel, k) + gv);
        lgn_st_part(vel, v, k);
        gv = v;
    }
    lgn_st_part(p, pv - lgn_bc(lr) * gv, k);
}

void lgn_sgd_step(lgn_sgd *o, float *params, const float *grads)
{
    size_t n = o->n, i = 0;
    const lgn_v4 lr = lgn_bc(o->lr), mu = lgn_bc(o->momentum);
    if (o->vel) {
        for (; i + 4 <= n; i += 4) {
            lgn_v4 v = flush_denormal(mu * lgn_ld(o->vel + i) + lgn_ld(grads + i));
            lgn_st(o->vel + i, v);
            lgn_st(params + i, lgn_ld(params + i) - lr * v);
        }
    } else {
        for (; i + 4 <= n; i += 4) lgn_st(params + i, lgn_ld(params + i) - lr * lgn_ld(grads + i));
    }
    if (i < n) sgd_lanes(params + i, o->vel ? o->vel + i : NULL, grads + i, n - i, o->lr, o->momentum);
    o->step++;
}

/* ----------------------------------------------------------------- Adam */

int lgn_adam_init(lgn_adam *o, size_t n, float lr, float beta1, float beta2, float eps)
{
    if (!o) return -1;
    memset(o, 0, sizeof *o);
    if (!(lr >= 0.0f && isfinite(lr)) || !(beta1 >= 0.0f && beta1 < 1.0f) || !(beta2 >= 0.0f && beta2 < 1.0f) ||
        !(eps > 0.0f && isfinite(eps)) || n > LGN_MAX_PARAMS)
        return -1;
    o->n = n, o->lr = lr, o->beta1 = beta1, o->beta2 = beta2, o->eps = eps;
    o->m = calloc(n ? 2 * n : 1, sizeof(float));
    if (!o->m) return -1;
    o->v = o->m + n;
    return 0;
}

void lgn_adam_free(lgn_adam *o)
{
    if (!o) return;
    free(o->m);
    o->m = o->v = NULL;
}

int lgn_adam_check(const lgn_adam *o, const char *name, char *err, size_t errsz)
{
    for (size_t i = 0; i < o->n; i++)
        if (!(o->v[i] >= 0.0f)) {
            if (err) snprintf(err, errsz, "block \"%s\"[%zu]: expected a second moment >= 0, found %g", name, o->n + i,
                              (double)o->v[i]);
            return -1;
        }
    return 0;
}

void lgn_adam_reset(lgn_adam *o)
{
    memset(o->m, 0, sizeof(float) * 2 * o->n);
    o->step = 0;
}

typedef struct {
    float w1, b2, w2, step_size, bc2_sqrt, eps;
    int lerp_low; /* torch's lerp: weight < 0.5 ? m + w (g - m) : g - (g - m)(1 - w) */
    float one_minus_w1;
} adam_consts;

/* The constants as vectors of W lanes, in locals before a loop (stores
 * through the parameter pointers could alias a struct, so the compiler
 * would reload them every iteration), set lane by lane: adding a scalar to
 * a zero vector would turn -0 into +0. */
#define ADAM_CONSTS(V, VI, W, c)                                                                                       \
    V w1_ = {0}, omw1_ = {0}, b2_ = {0}, w2_ = {0}, step_ = {0}, bc2_ = {0}, eps_ = {0};                               \
    for (int l_ = 0; l_ < (W); l_++)                                                                                   \
        w1_[l_] = (c)->w1, omw1_[l_] = (c)->one_minus_w1, b2_[l_] = (c)->b2, w2_[l_] = (c)->w2,                        \
        step_[l_] = (c)->step_size, bc2_[l_] = (c)->bc2_sqrt, eps_[l_] = (c)->eps;                                     \
    const int lerp_low_ = (c)->lerp_low;

/* One Adam update of the lanes of vector type V (int lanes VI), SQRT the
 * set's correctly rounded square root, with ADAM_CONSTS's locals. The same
 * IEEE operations in the same order on every width, so every set gives the
 * same bits. */
#define ADAM_LANES(V, VI, SQRT, p, m, v, g)                                                                            \
    {                                                                                                                  \
        V mm = lerp_low_ ? m + w1_ * (g - m) : g - (g - m) * omw1_;                                                    \
        V vv = v * b2_ + (w2_ * g) * g;                                                                                \
        mm = FLUSH_DENORMAL(V, VI, mm);                                                                                \
        vv = FLUSH_DENORMAL(V, VI, vv);                                                                                \
        V denom = SQRT(vv) / bc2_ + eps_;                                                                              \
        p = p - (step_ * mm) / denom;                                                                                  \
        m = mm;                                                                                                        \
        v = vv;                                                                                                        \
    }

/* 4 lanes from i on, and the last n % 4 on a zero-padded copy. */
static void adam_4(const adam_consts *c, float *params, float *mo, float *vo, const float *grads, size_t i, size_t n)
{
    ADAM_CONSTS(lgn_v4, lgn_v4i, 4, c)
    for (; i + 4 <= n; i += 4) {
        lgn_v4 p = lgn_ld(params + i), m = lgn_ld(mo + i), v = lgn_ld(vo + i), g = lgn_ld(grads + i);
        ADAM_LANES(lgn_v4, lgn_v4i, lgn_sqrt, p, m, v, g)
        lgn_st(params + i, p), lgn_st(mo + i, m), lgn_st(vo + i, v);
    }
    if (i < n) {
        size_t k = n - i;
        lgn_v4 p = lgn_ld_part(params + i, k), m = lgn_ld_part(mo + i, k), v = lgn_ld_part(vo + i, k);
        lgn_v4 g = lgn_ld_part(grads + i, k);
        ADAM_LANES(lgn_v4, lgn_v4i, lgn_sqrt, p, m, v, g)
        lgn_st_part(params + i, p, k), lgn_st_part(mo + i, m, k), lgn_st_part(vo + i, v, k);
    }
}

#ifdef LG_X86
#include <immintrin.h>

/* The wider sets: n rounded down to their width; returns how many were done. */
#define ADAM_WIDE(NAME, ATTR, W, SQRT_INTRIN, MREG)                                                                    \
    typedef float NAME##_v __attribute__((vector_size(4 * W)));                                                        \
    typedef int32_t NAME##_vi __attribute__((vector_size(4 * W)));                                                     \
    static inline __attribute__((always_inline)) ATTR NAME##_v NAME##_sqrt(NAME##_v x)                                \
    {                                                                                                                  \
        return (NAME##_v)SQRT_INTRIN((MREG)x);                                                                         \
    }                                                                                                                  \
    static ATTR size_t NAME(const adam_consts *c, float *params, float *mo, float *vo, const float *grads, size_t n)    \
    {                                                                                                                  \
        ADAM_CONSTS(NAME##_v, NAME##_vi, W, c)                                                                         \
        size_t i = 0;                                                                                                  \
        for (; i + W <= n; i += W) {                                                                                   \
            NAME##_v p, m, v, g;                                                                                       \
            memcpy(&p, params + i, sizeof p), memcpy(&m, mo + i, sizeof m), memcpy(&v, vo + i, sizeof v);              \
            memcpy(&g, grads + i, sizeof g);                                                                           \
            ADAM_LANES(NAME##_v, NAME##_vi, NAME##_sqrt, p, m, v, g)                                                   \
            memcpy(params + i, &p, sizeof p), memcpy(mo + i, &m, sizeof m), memcpy(vo + i, &v, sizeof v);              \
        }                                                                                                              \
        return i;                                                                                                      \
    }
ADAM_WIDE(adam_avx2, LG_TARGET_AVX2, 8, _mm256_sqrt_ps, __m256)
ADAM_WIDE(adam_avx512, LG_TARGET_AVX512, 16, _mm512_sqrt_ps, __m512)
#endif

static void adam_range(const adam_consts *c, float *params, float *m, float *v, const float *grads, size_t n)
{
    size_t i = 0;
#ifdef LG_X86
    lg_isa isa = lg_isa_get();
    if (isa == LG_ISA_AVX512) i = adam_avx512(c, params, m, v, grads, n);
    if (isa == LG_ISA_AVX2) i = adam_avx2(c, params, m, v, grads, n);
#endif
    adam_4(c, params, m, v, grads, i, n);
}

typedef struct {
    const adam_consts *c;
    lgn_adam *o;
    float *params;
    const float *grads;
} adam_job;

static void adam_part(void *arg, int lo, int hi)
{
    const adam_job *j = arg;
    adam_range(j->c, j->params + lo, j->o->m + lo, j->o->v + lo, j->grads + lo, (size_t)(hi - lo));
}

void lgn_adam_step(lgn_adam *o, float *params, const float *grads) { lgn_adam_step_team(o, NULL, params, grads); }

void lgn_adam_step_team(lgn_adam *o, lgn_team *team, float *params, const float *grads)
{
    o->step++;
    double t = (double)o->step;
    double bc1 = 1.0 - pow((double)o->beta1, t), bc2 = 1.0 - pow((double)o->beta2, t);
    adam_consts c;
    float w1 = (float)(1.0 - (double)o->beta1);
    c.w1 = w1;
    c.one_minus_w1 = 1.0f - w1;
    c.lerp_low = w1 < 0.5f;
    c.b2 = o->beta2;
    c.w2 = (float)(1.0 - (double)o->beta2);
    c.step_size = (float)((double)o->lr / bc1);
    c.bc2_sqrt = (float)sqrt(bc2);
    c.eps = o->eps;
    adam_job j = {&c, o, params, grads};
    /* Each parameter's update is its own: any cut gives the same bits. One
     * piece a thread, so that each thread mostly keeps the same moments in
     * its cache from step to step. */
    size_t T = (size_t)lgn_team_threads(team), grain = ((o->n + T - 1) / T + 15) / 16 * 16;
    if (T < 2 || o->n < LGN_TEAM_MIN_ADAM || o->n > (size_t)INT32_MAX / 2)
        adam_range(&c, params, o->m, o->v, grads, o->n);
    else
        lgn_team_for(team, (int)o->n, (int)grain, adam_part, &j);
}
