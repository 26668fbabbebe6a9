/* Helpers the network-core suites share (test_nn.c, test_nn_io.c, test_team.c). */
#ifndef NN_TEST_H
#define NN_TEST_H

#include <math.h>

#include "lg_test.h"
#include "lgn.h"

static inline lgn_mlp *make_net(const int *widths, int n_layers, int max_batch, uint64_t seed)
{
    char err[256] = "";
    lgn_mlp *net = NULL;
    int rc = lgn_mlp_create(widths, n_layers, max_batch, &net, err, sizeof err);
    ck_assert_msg(rc == 0 && net, "lgn_mlp_create: %s", err);
    lg_stream rng = lg_stream_make(seed, TEST_STREAM, 77);
    lgn_mlp_init(net, &rng);
    return net;
}

static inline float *random_floats(size_t n, uint64_t seed, double scale)
{
    float *x = malloc(sizeof(float) * (n ? n : 1));
    ck_assert_ptr_nonnull(x);
    lg_stream rng = lg_stream_make(seed, TEST_STREAM, 5);
    for (size_t i = 0; i < n; i++) x[i] = (float)(scale * lg_stream_normal(&rng));
    return x;
}

/* Give the biases non-zero values so their gradients are exercised. */
static inline void randomise_biases(lgn_mlp *net, uint64_t seed)
{
    lg_stream rng = lg_stream_make(seed, TEST_STREAM, 9);
    for (int l = 0; l + 1 < lgn_mlp_n_layers(net); l++) {
        float *b = lgn_mlp_params(net) + lgn_mlp_bias_offset(net, l);
        for (int j = 0; j < lgn_mlp_width(net, l + 1); j++) b[j] = (float)(0.1 * lg_stream_normal(&rng));
    }
}

/* The documented semantics, as plain loops in the documented summation
 * order: y_j = b_j + x_0 W_0j + x_1 W_1j + ... (then ReLU). */
/* The first layer's sums in lgn.h's order: b_0, the shared columns
 * (shared[k] = 1; NULL: none), then the others, each in increasing k. */
static inline void naive_forward_shared(lgn_mlp *net, const float *x, int batch, const uint8_t *shared, float *out)
{
    int L = lgn_mlp_n_layers(net) - 1, maxw = 0;
    for (int i = 0; i <= L; i++) maxw = lgn_mlp_width(net, i) > maxw ? lgn_mlp_width(net, i) : maxw;
    float *a = malloc(sizeof(float) * (size_t)maxw), *y = malloc(sizeof(float) * (size_t)maxw);
    const float *p = lgn_mlp_params(net);
    for (int r = 0; r < batch; r++) {
        memcpy(a, x + (size_t)r * lgn_mlp_width(net, 0), sizeof(float) * (size_t)lgn_mlp_width(net, 0));
        for (int l = 0; l < L; l++) {
            int in = lgn_mlp_width(net, l), o = lgn_mlp_width(net, l + 1);
            const float *W = p + lgn_mlp_weights_offset(net, l), *b = p + lgn_mlp_bias_offset(net, l);
            for (int j = 0; j < o; j++) {
                float s = b[j];
                if (l == 0 && shared) {
                    for (int k = 0; k < in; k++)
                        if (shared[k]) s += a[k] * W[(size_t)k * o + j];
                    for (int k = 0; k < in; k++)
                        if (!shared[k]) s += a[k] * W[(size_t)k * o + j];
                } else {
                    for (int k = 0; k < in; k++) s += a[k] * W[(size_t)k * o + j];
                }
                y[j] = (l + 1 < L && !(s > 0.0f)) ? 0.0f : s;
            }
            memcpy(a, y, sizeof(float) * (size_t)o);
        }
        memcpy(out + (size_t)r * lgn_mlp_width(net, L), a, sizeof(float) * (size_t)lgn_mlp_width(net, L));
    }
    free(a), free(y);
}

static inline void naive_forward(lgn_mlp *net, const float *x, int batch, float *out)
{
    naive_forward_shared(net, x, batch, NULL, out);
}


/* One update of a DQN-shaped loss: Huber on one column per row. */
static inline double train_step(lgn_mlp *net, lgn_adam *opt, const float *x, int B, const int32_t *col, const float *tgt,
                         float *dout, double clip)
{
    int out = lgn_mlp_width(net, lgn_mlp_n_layers(net) - 1);
    int32_t row[64];
    for (int r = 0; r < B; r++) row[r] = r;
    double loss;
    lgn_mlp_zero_grad(net);
    const float *q = lgn_mlp_forward(net, x, B);
    ck_assert_int_eq(lgn_loss_select(LGN_LOSS_HUBER, 1.0f, q, B, out, B, row, col, tgt, NULL, dout, &loss), 0);
    ck_assert_int_eq(lgn_mlp_backward(net, dout, NULL), 0);
    if (clip > 0) lgn_clip_grad_norm(lgn_mlp_grads(net), lgn_mlp_n_params(net), clip);
    lgn_adam_step(opt, lgn_mlp_params(net), lgn_mlp_grads(net));
    return loss;
}

/* 100 updates on a data stream that depends only on data_seed. */
static inline lgn_mlp *train_100(uint64_t seed, uint64_t data_seed, lgn_adam *opt)
{
    int w[] = {6, 16, 16, 3};
    enum { B = 8 };
    lgn_mlp *net = make_net(w, 4, B, seed);
    ck_assert_int_eq(lgn_adam_init(opt, lgn_mlp_n_params(net), 1e-2f, 0.9f, 0.999f, 1e-8f), 0);
    lg_stream rng = lg_stream_make(data_seed, TEST_STREAM, 1);
    float x[B * 6], tgt[B], dout[B * 3];
    int32_t col[B];
    for (int t = 0; t < 100; t++) {
        for (int i = 0; i < B * 6; i++) x[i] = (float)lg_stream_normal(&rng);
        for (int r = 0; r < B; r++) {
            col[r] = (int32_t)lg_stream_below(&rng, 3);
            tgt[r] = x[r * 6] * (float)(col[r] + 1) - x[r * 6 + 1];
        }
        train_step(net, opt, x, B, col, tgt, dout, 5.0);
    }
    return net;
}

#endif
