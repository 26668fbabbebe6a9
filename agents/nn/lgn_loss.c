/* Masked MSE and Huber losses (see lgn.h for the definitions). Sums are in
 * double, in index order. */
#include <math.h>
#include <string.h>

#include "lgn.h"

/* l(d) and l'(d). */
static double loss_of(lgn_loss_kind kind, double delta, double d, double *grad)
{
    if (kind == LGN_LOSS_MSE) {
        *grad = 2.0 * d;
        return d * d;
    }
    double a = fabs(d);
    if (a <= delta) {
        *grad = d;
        return 0.5 * d * d;
    }
    *grad = d > 0 ? delta : -delta;
    return delta * (a - 0.5 * delta);
}

static int bad_kind(lgn_loss_kind kind, float delta)
{
    return !(kind == LGN_LOSS_MSE || (kind == LGN_LOSS_HUBER && delta > 0.0f && isfinite(delta)));
}

double lgn_loss_masked(lgn_loss_kind kind, float delta, const float *pred, const float *target, const float *weight,
                       size_t n, float *dpred)
{
    if (bad_kind(kind, delta) || (n > 0 && (!pred || !target || !dpred))) return NAN;
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += !weight || weight[i] != 0.0f;
    if (count == 0) {
        memset(dpred, 0, sizeof(float) * n);
        return 0.0;
    }
    double inv = 1.0 / (double)count, sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double w = weight ? weight[i] : 1.0;
        if (w == 0.0) {
            dpred[i] = 0.0f;
            continue;
        }
        double g;
        sum += w * loss_of(kind, delta, (double)pred[i] - (double)target[i], &g);
        dpred[i] = (float)(w * g * inv);
    }
    return sum * inv;
}

int lgn_loss_select(lgn_loss_kind kind, float delta, const float *pred, int rows, int cols, int n_sel,
                    const int32_t *row, const int32_t *col, const float *target, const float *weight, float *dpred,
                    double *loss)
{
    if (bad_kind(kind, delta) || rows < 0 || cols < 0 || n_sel < 0 || !dpred || !loss) return -1;
    if (n_sel > 0 && (!pred || !row || !col || !target)) return -1;
    for (int s = 0; s < n_sel; s++)
        if (row[s] < 0 || row[s] >= rows || col[s] < 0 || col[s] >= cols) return -1;
    memset(dpred, 0, sizeof(float) * (size_t)rows * (size_t)cols);
    *loss = 0.0;
    if (n_sel == 0) return 0;
    double inv = 1.0 / n_sel, sum = 0.0;
    for (int s = 0; s < n_sel; s++) {
        size_t i = (size_t)row[s] * (size_t)cols + (size_t)col[s];
        double w = weight ? weight[s] : 1.0, g;
        sum += w * loss_of(kind, delta, (double)pred[i] - (double)target[s], &g);
        dpred[i] += (float)(w * g * inv);
    }
    *loss = sum * inv;
    return 0;
}
