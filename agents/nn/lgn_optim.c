/* Optimisers: SGD (momentum), Adam, global gradient-norm clipping.
 * Steps run 4 lanes at a time; the last n % 4 elements go through the same
 * vector code on a zero-padded copy, so every element sees the same
 * operations. No allocation outside *_init. */
#include <float.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lgn.h"
#include "lgn_internal.h"

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

static inline lgn_v4 flush_denormal(lgn_v4 x) { return lgn_select(x, lgn_abs(x) >= lgn_bc(FLT_MIN)); }

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
        !(eps >= 0.0f && isfinite(eps)) || n > LGN_MAX_PARAMS)
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
    lgn_v4 w1, b2, w2, step_size, bc2_sqrt, eps;
    int lerp_low; /* torch's lerp: weight < 0.5 ? m + w (g - m) : g - (g - m)(1 - w) */
    lgn_v4 one_minus_w1;
} adam_consts;

static inline void adam_lanes(const adam_consts *c, lgn_v4 *p, lgn_v4 *m, lgn_v4 *v, lgn_v4 g)
{
    lgn_v4 mm = c->lerp_low ? *m + c->w1 * (g - *m) : g - (g - *m) * c->one_minus_w1;
    lgn_v4 vv = *v * c->b2 + (c->w2 * g) * g;
    mm = flush_denormal(mm);
    vv = flush_denormal(vv);
    lgn_v4 denom = lgn_sqrt(vv) / c->bc2_sqrt + c->eps;
    *p = *p - (c->step_size * mm) / denom;
    *m = mm;
    *v = vv;
}

void lgn_adam_step(lgn_adam *o, float *params, const float *grads)
{
    o->step++;
    double t = (double)o->step;
    double bc1 = 1.0 - pow((double)o->beta1, t), bc2 = 1.0 - pow((double)o->beta2, t);
    adam_consts c;
    float w1 = (float)(1.0 - (double)o->beta1);
    c.w1 = lgn_bc(w1);
    c.one_minus_w1 = lgn_bc(1.0f - w1);
    c.lerp_low = w1 < 0.5f;
    c.b2 = lgn_bc(o->beta2);
    c.w2 = lgn_bc((float)(1.0 - (double)o->beta2));
    c.step_size = lgn_bc((float)((double)o->lr / bc1));
    c.bc2_sqrt = lgn_bc((float)sqrt(bc2));
    c.eps = lgn_bc(o->eps);
    size_t n = o->n, i = 0;
    for (; i + 4 <= n; i += 4) {
        lgn_v4 p = lgn_ld(params + i), m = lgn_ld(o->m + i), v = lgn_ld(o->v + i);
        adam_lanes(&c, &p, &m, &v, lgn_ld(grads + i));
        lgn_st(params + i, p), lgn_st(o->m + i, m), lgn_st(o->v + i, v);
    }
    if (i < n) {
        size_t k = n - i;
        lgn_v4 p = lgn_ld_part(params + i, k), m = lgn_ld_part(o->m + i, k), v = lgn_ld_part(o->v + i, k);
        adam_lanes(&c, &p, &m, &v, lgn_ld_part(grads + i, k));
        lgn_st_part(params + i, p, k), lgn_st_part(o->m + i, m, k), lgn_st_part(o->v + i, v, k);
    }
}
