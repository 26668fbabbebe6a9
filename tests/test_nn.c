/* The lgn neural-network core: layout, exactness against naive loops,
 * finite-difference gradients, losses, optimisers, determinism, inference,
 * instruction sets (serialisation: test_nn_io.c; the first layer's zero
 * and shared columns: test_nn_columns.c). (No timing assertions: speed is measured by
 * lgn_bench_updates_per_sec, see docs/nn.md.) */
#include <float.h>
#include <math.h>
#include <stdio.h>

#include "bench.h"
#include "nn_test.h"

START_TEST(test_create_rejects_bad_arguments)
{
    char err[256];
    lgn_mlp *net = (lgn_mlp *)1;
    int ok[] = {3, 4, 2}, zero[] = {3, 0, 2}, neg[] = {3, -4, 2}, huge[] = {3, LGN_MAX_WIDTH + 1, 2};
    ck_assert_int_ne(lgn_mlp_create(ok, 1, 8, &net, err, sizeof err), 0);
    ck_assert_ptr_null(net);
    ck_assert_int_ne(lgn_mlp_create(ok, LGN_MAX_LAYERS + 1, 8, &net, err, sizeof err), 0);
    ck_assert_int_ne(lgn_mlp_create(zero, 3, 8, &net, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "widths[1]") != NULL, "message: %s", err);
    ck_assert_int_ne(lgn_mlp_create(neg, 3, 8, &net, err, sizeof err), 0);
    ck_assert_int_ne(lgn_mlp_create(huge, 3, 8, &net, err, sizeof err), 0);
    ck_assert_int_ne(lgn_mlp_create(ok, 3, 0, &net, err, sizeof err), 0);
    ck_assert_int_ne(lgn_mlp_create(NULL, 3, 8, &net, err, sizeof err), 0);
    ck_assert_int_eq(lgn_mlp_create(ok, 3, 8, &net, NULL, 0), 0);
    float x[3 * 9] = {0};
    ck_assert_ptr_null(lgn_mlp_forward(net, x, 9));
    ck_assert_ptr_null(lgn_mlp_forward(net, x, 0));
    float d[2 * 8] = {0};
    ck_assert_int_ne(lgn_mlp_backward(net, d, NULL), 0); /* no forward yet */
    lgn_mlp_free(net);
    lgn_mlp_free(NULL);
}
END_TEST

START_TEST(test_parameter_layout)
{
    int w[] = {5, 7, 3};
    lgn_mlp *net = make_net(w, 3, 4, 1);
    ck_assert_uint_eq(lgn_mlp_n_params(net), 5 * 7 + 7 + 7 * 3 + 3);
    ck_assert_uint_eq(lgn_mlp_weights_offset(net, 0), 0);
    ck_assert_uint_eq(lgn_mlp_bias_offset(net, 0), 35);
    ck_assert_uint_eq(lgn_mlp_weights_offset(net, 1), 42);
    ck_assert_uint_eq(lgn_mlp_bias_offset(net, 1), 63);
    /* Biases start at zero; weights follow He / Glorot scales. */
    const float *p = lgn_mlp_params(net);
    for (int j = 0; j < 7; j++) ck_assert_float_eq(p[35 + j], 0.0f);
    double a = sqrt(6.0 / (7 + 3));
    for (int i = 42; i < 63; i++) ck_assert(fabs(p[i]) <= a);
    /* A unit input picks out one row of W_0: y_j = relu(W_0[k][j]). */
    float x[5] = {0, 0, 1, 0, 0};
    lgn_mlp_forward(net, x, 1);
    const float *h = lgn_mlp_layer_output(net, 1);
    for (int j = 0; j < 7; j++) ck_assert_float_eq(h[j], p[2 * 7 + j] > 0 ? p[2 * 7 + j] : 0.0f);
    lgn_mlp_free(net);
}
END_TEST

/* Bit-identical to the naive loops for shapes that hit every kernel edge
 * (row and column remainders, K longer than one cache panel, M over one
 * block). */
START_TEST(test_forward_matches_naive_exactly)
{
    int shapes[][4] = {{13, 9, 17, 5}, {300, 70, 12, 3}, {4, 8, 8, 1}, {1, 1, 1, 1}};
    int batches[] = {7, 70, 1, 3};
    for (int s = 0; s < 4; s++) {
        lgn_mlp *net = make_net(shapes[s], 4, batches[s], 10 + s);
        randomise_biases(net, 3);
        size_t nx = (size_t)batches[s] * shapes[s][0], ny = (size_t)batches[s] * shapes[s][3];
        float *x = random_floats(nx, 20 + s, 1.0), *ref = malloc(sizeof(float) * ny);
        const float *y = lgn_mlp_forward(net, x, batches[s]);
        naive_forward(net, x, batches[s], ref);
        ck_assert_msg(!memcmp(y, ref, sizeof(float) * ny), "shape %d differs from the naive loops", s);
        free(x), free(ref);
        lgn_mlp_free(net);
    }
}
END_TEST

/* ------------------------------------------------- gradient checking */

typedef struct {
    lgn_loss_kind kind;
    const float *target, *weight;
    float *dpred;
    size_t n_out;
} loss_spec;

static double eval_loss(lgn_mlp *net, const float *x, int batch, const loss_spec *ls)
{
    const float *y = lgn_mlp_forward(net, x, batch);
    return lgn_loss_masked(ls->kind, 1.0f, y, ls->target, ls->weight, ls->n_out, ls->dpred);
}

/* 1 if every hidden unit has the same ReLU state as in ref. */
static int same_relu_pattern(const lgn_mlp *net, int batch, float *const *ref)
{
    for (int i = 1; i + 1 < lgn_mlp_n_layers(net); i++) {
        const float *h = lgn_mlp_layer_output(net, i);
        for (int k = 0; k < batch * lgn_mlp_width(net, i); k++)
            if ((h[k] > 0) != (ref[i][k] > 0)) return 0;
    }
    return 1;
}

static double rel_err(double a, double n) { return fabs(a - n) / fmax(fmax(fabs(a), fabs(n)), 1e-2); }

/* Central differences on every parameter and input against backward, for a
 * masked loss with some entries off and some weighted. eps is 3e-3 rather
 * than 1e-3: the forward is float, so the quotient carries ~1e-7 * |loss
 * terms| / eps of rounding noise; at 3e-3 the worst relative error over 60
 * seeds is 3e-3 (1e-3: 8e-3, too close to the 1e-2 bound). Coordinates whose
 * step flips a hidden ReLU are skipped (at most 11% over those seeds). */
static void gradcheck(const int *widths, int n_layers, lgn_loss_kind kind)
{
    const int B = 4;
    const double eps = 3e-3;
    lgn_mlp *net = make_net(widths, n_layers, B, 42);
    randomise_biases(net, 7);
    int in = widths[0], out = widths[n_layers - 1];
    size_t nx = (size_t)B * in, ny = (size_t)B * out, np = lgn_mlp_n_params(net);
    float *x = random_floats(nx, 43, 1.0);
    float *target = malloc(sizeof(float) * ny), *weight = malloc(sizeof(float) * ny);
    float *dpred = malloc(sizeof(float) * ny), *dx = malloc(sizeof(float) * nx);
    float *grads = malloc(sizeof(float) * np);
    const float *y = lgn_mlp_forward(net, x, B);
    /* Residuals of 0.3 (Huber's quadratic part) or 2.5 (its linear part),
     * away from the kink at 1 (MSE: 0.3 or 0.9, whose float rounding noise
     * is smaller); every third entry masked out, some weighted. */
    for (size_t i = 0; i < ny; i++) {
        double r = (i % 2 ? 0.3 : (kind == LGN_LOSS_HUBER ? 2.5 : 0.9)) * (i % 4 < 2 ? 1 : -1);
        target[i] = (float)(y[i] - r);
        weight[i] = i % 3 == 0 ? 0.0f : (i % 3 == 1 ? 1.0f : 0.5f);
    }
    loss_spec ls = {kind, target, weight, dpred, ny};
    float *ref[LGN_MAX_LAYERS] = {0};
    for (int i = 1; i + 1 < n_layers; i++) {
        size_t n = (size_t)B * widths[i];
        ref[i] = malloc(sizeof(float) * n);
        memcpy(ref[i], lgn_mlp_layer_output(net, i), sizeof(float) * n);
    }
    lgn_mlp_zero_grad(net);
    double base = eval_loss(net, x, B, &ls);
    ck_assert(base > 0);
    ck_assert_int_eq(lgn_mlp_backward(net, dpred, dx), 0);
    memcpy(grads, lgn_mlp_grads(net), sizeof(float) * np);

    float *p = lgn_mlp_params(net);
    int checked = 0, skipped = 0;
    for (size_t i = 0; i < np + nx; i++) {
        float *v = i < np ? &p[i] : &x[i - np];
        double analytic = i < np ? grads[i] : dx[i - np];
        float save = *v;
        *v = (float)(save + eps);
        double lp = eval_loss(net, x, B, &ls);
        int same = same_relu_pattern(net, B, ref);
        *v = (float)(save - eps);
        double lm = eval_loss(net, x, B, &ls);
        same = same && same_relu_pattern(net, B, ref);
        double h = (double)(float)(save + eps) - (double)(float)(save - eps);
        *v = save;
        if (!same) { /* the step crossed a ReLU kink: not differentiable there */
            skipped++;
            continue;
        }
        double numeric = (lp - lm) / h, e = rel_err(analytic, numeric);
        ck_assert_msg(e < 1e-2, "%s: %s %zu: analytic %.6g, numeric %.6g (rel err %.3g)",
                      kind == LGN_LOSS_MSE ? "mse" : "huber", i < np ? "param" : "input", i < np ? i : i - np,
                      analytic, numeric, e);
        checked++;
    }
    ck_assert_msg(skipped * 5 <= checked + skipped, "too many kink crossings: %d skipped, %d checked", skipped,
                  checked);
    for (int i = 0; i < LGN_MAX_LAYERS; i++) free(ref[i]);
    free(x), free(target), free(weight), free(dpred), free(dx), free(grads);
    lgn_mlp_free(net);
}

START_TEST(test_gradcheck_mse)
{
    int deep[] = {5, 8, 7, 3}, one[] = {4, 3};
    gradcheck(deep, 4, LGN_LOSS_MSE);
    gradcheck(one, 2, LGN_LOSS_MSE);
}
END_TEST

START_TEST(test_gradcheck_huber)
{
    int deep[] = {6, 9, 10, 4}, one[] = {4, 3};
    gradcheck(deep, 4, LGN_LOSS_HUBER);
    gradcheck(one, 2, LGN_LOSS_HUBER);
}
END_TEST

/* --------------------------------------------------------------- losses */

START_TEST(test_loss_values_and_masking)
{
    float pred[6] = {1.0f, 2.0f, 3.0f, 0.0f, 0.0f, 0.0f};
    float target[6] = {0.5f, 0.0f, 3.0f, -3.0f, 0.0f, 0.0f};
    float weight[6] = {1, 1, 0, 1, 0, 0};
    float d[6];
    /* d = 0.5, 2, (masked), 3: Huber 0.125 + 1.5 + 2.5 over 3 entries. */
    double l = lgn_loss_masked(LGN_LOSS_HUBER, 1.0f, pred, target, weight, 6, d);
    ck_assert_double_eq_tol(l, (0.125 + 1.5 + 2.5) / 3, 1e-12);
    ck_assert_float_eq_tol(d[0], 0.5f / 3, 1e-7f);
    ck_assert_float_eq_tol(d[1], 1.0f / 3, 1e-7f);
    ck_assert_float_eq(d[2], 0.0f);
    ck_assert_float_eq_tol(d[3], 1.0f / 3, 1e-7f);
    ck_assert_float_eq(d[4], 0.0f);
    l = lgn_loss_masked(LGN_LOSS_MSE, 1.0f, pred, target, weight, 6, d);
    ck_assert_double_eq_tol(l, (0.25 + 4 + 9) / 3, 1e-12);
    ck_assert_float_eq_tol(d[1], 2 * 2.0f / 3, 1e-6f);
    /* Same through the list form: rows x cols = 2 x 3. */
    int32_t row[3] = {0, 0, 1}, col[3] = {0, 1, 0};
    float tsel[3] = {0.5f, 0.0f, -3.0f}, d2[6];
    double l2;
    ck_assert_int_eq(lgn_loss_select(LGN_LOSS_HUBER, 1.0f, pred, 2, 3, 3, row, col, tsel, NULL, d2, &l2), 0);
    lgn_loss_masked(LGN_LOSS_HUBER, 1.0f, pred, target, weight, 6, d);
    ck_assert_double_eq_tol(l2, (0.125 + 1.5 + 2.5) / 3, 1e-12);
    ck_assert(!memcmp(d, d2, sizeof d));
    /* Out-of-range selection: rejected, nothing written. */
    int32_t badrow[1] = {2};
    float keep[6] = {9, 9, 9, 9, 9, 9};
    ck_assert_int_ne(lgn_loss_select(LGN_LOSS_HUBER, 1.0f, pred, 2, 3, 1, badrow, col, tsel, NULL, keep, &l2), 0);
    for (int i = 0; i < 6; i++) ck_assert_float_eq(keep[i], 9.0f);
    /* Nothing selected: zero loss and gradient; bad delta: NAN. */
    float none[6] = {0};
    ck_assert_double_eq(lgn_loss_masked(LGN_LOSS_MSE, 1.0f, pred, target, none, 6, d), 0.0);
    for (int i = 0; i < 6; i++) ck_assert_float_eq(d[i], 0.0f);
    ck_assert(isnan(lgn_loss_masked(LGN_LOSS_HUBER, 0.0f, pred, target, NULL, 6, d)));
}
END_TEST

/* ----------------------------------------------------------- optimisers */

/* y = w0 x0 + w1 x1 + b on x = (1, 2), target 0, MSE: dL/dy = 2y, so the
 * gradients are 2y (1, 2, 1). Two Adam steps, checked against the formula
 * evaluated here by hand in double. */
START_TEST(test_adam_matches_hand_computed_steps)
{
    int w[] = {2, 1};
    lgn_mlp *net = make_net(w, 2, 1, 1);
    float *p = lgn_mlp_params(net);
    p[0] = 0.5f, p[1] = -0.25f, p[2] = 0.1f;
    const float lr = 0.1f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    lgn_adam opt;
    ck_assert_int_eq(lgn_adam_init(&opt, 3, lr, b1, b2, eps), 0);
    float x[2] = {1.0f, 2.0f}, t = 0.0f, d;
    double P[3] = {0.5, -0.25, 0.1}, M[3] = {0}, V[3] = {0};
    for (int step = 1; step <= 2; step++) {
        lgn_mlp_zero_grad(net);
        const float *y = lgn_mlp_forward(net, x, 1);
        lgn_loss_masked(LGN_LOSS_MSE, 1.0f, y, &t, NULL, 1, &d);
        lgn_mlp_backward(net, &d, NULL);
        /* By hand: step 1 has y = 0.1, step 2 (after p -= 0.1 sign(g)) y = -0.3. */
        double yh = P[0] * 1 + P[1] * 2 + P[2];
        ck_assert_double_eq_tol(yh, step == 1 ? 0.1 : -0.3, 1e-6);
        double G[3] = {2 * yh * 1, 2 * yh * 2, 2 * yh};
        for (int i = 0; i < 3; i++) ck_assert_double_eq_tol(lgn_mlp_grads(net)[i], G[i], 1e-6);
        lgn_adam_step(&opt, p, lgn_mlp_grads(net));
        double B1 = b1, B2 = b2, bc1 = 1 - pow(B1, step), bc2 = 1 - pow(B2, step);
        for (int i = 0; i < 3; i++) {
            M[i] = B1 * M[i] + (1 - B1) * G[i];
            V[i] = B2 * V[i] + (1 - B2) * G[i] * G[i];
            double mhat = M[i] / bc1, vhat = V[i] / bc2;
            P[i] -= lr * mhat / (sqrt(vhat) + eps);
            ck_assert_msg(fabs(p[i] - P[i]) < 1e-6, "step %d param %d: %.9g, expected %.9g", step, i, p[i], P[i]);
            ck_assert_double_eq_tol(opt.m[i], M[i], 1e-7);
            ck_assert_double_eq_tol(opt.v[i], V[i], 1e-9);
        }
        const double after_first[3] = {0.4, -0.35, 0.0}; /* first step: p -= lr sign(g), up to eps */
        if (step == 1)
            for (int i = 0; i < 3; i++) ck_assert_double_eq_tol(P[i], after_first[i], 1e-6);
    }
    ck_assert_uint_eq(opt.step, 2);
    lgn_adam_free(&opt);
    lgn_mlp_free(net);
}
END_TEST

START_TEST(test_sgd_momentum_hand_computed)
{
    lgn_sgd o;
    ck_assert_int_eq(lgn_sgd_init(&o, 5, 0.5f, 0.9f), 0);
    float p[5] = {1, 2, 3, 4, 5}, g[5] = {1, -1, 0.5f, 0, 2};
    lgn_sgd_step(&o, p, g); /* v = g, p -= 0.5 g */
    lgn_sgd_step(&o, p, g); /* v = 1.9 g, p -= 0.95 g */
    float start[5] = {1, 2, 3, 4, 5};
    for (int i = 0; i < 5; i++) ck_assert_float_eq_tol(p[i], start[i] - 1.45f * g[i], 1e-6f);
    ck_assert_uint_eq(o.step, 2);
    lgn_sgd_free(&o);
    ck_assert_int_eq(lgn_sgd_init(&o, 3, 0.1f, 0.0f), 0);
    ck_assert_ptr_null(o.vel);
    float q[3] = {1, 1, 1}, h[3] = {1, 2, 3};
    lgn_sgd_step(&o, q, h);
    for (int i = 0; i < 3; i++) ck_assert_float_eq_tol(q[i], 1 - 0.1f * h[i], 1e-7f);
    lgn_sgd_free(&o);
    ck_assert_int_ne(lgn_sgd_init(&o, 3, 0.1f, 1.0f), 0);
    ck_assert_int_ne(lgn_adam_init(&(lgn_adam){0}, 3, 0.1f, 1.0f, 0.999f, 1e-8f), 0);
    /* eps 0: a parameter that never gets a gradient would become 0 / 0 */
    ck_assert_int_ne(lgn_adam_init(&(lgn_adam){0}, 3, 0.1f, 0.9f, 0.999f, 0.0f), 0);
}
END_TEST

START_TEST(test_clip_grad_norm)
{
    float g[7] = {3, 0, 0, 4, 0, 0, 0};
    double n = lgn_clip_grad_norm(g, 7, 1.0);
    ck_assert_double_eq_tol(n, 5.0, 1e-12);
    double s = 0;
    for (int i = 0; i < 7; i++) s += (double)g[i] * g[i];
    ck_assert_double_eq_tol(sqrt(s), 5.0 / (5.0 + 1e-6), 1e-6);
    ck_assert_float_eq_tol(g[0] / g[3], 0.75f, 1e-6f);
    /* Under the limit: unchanged. */
    float h[3] = {0.1f, 0.2f, 0.2f}, h0[3] = {0.1f, 0.2f, 0.2f};
    ck_assert_double_eq_tol(lgn_clip_grad_norm(h, 3, 1.0), 0.3, 1e-7);
    ck_assert(!memcmp(h, h0, sizeof h));
    /* Non-finite: reported, left alone. */
    float z[2] = {INFINITY, 1.0f};
    ck_assert(!isfinite(lgn_clip_grad_norm(z, 2, 1.0)));
    ck_assert_float_eq(z[1], 1.0f);
    /* Many elements (exercise the vector path) to norm 2. */
    float *big = random_floats(1001, 3, 1.0);
    lgn_clip_grad_norm(big, 1001, 2.0);
    s = 0;
    for (int i = 0; i < 1001; i++) s += (double)big[i] * big[i];
    ck_assert_double_eq_tol(sqrt(s), 2.0, 1e-5);
    free(big);
}
END_TEST

/* Moments of parameters whose gradient stops decay to exactly zero instead
 * of through the denormal range, on every instruction set the CPU has: 38
 * parameters reach the 16- and 8-lane steps, the 4-lane one and its
 * zero-padded tail; every set ends with the same bits. */
START_TEST(test_adam_moments_never_denormal)
{
    enum { N = 38 };
    const float g0[6] = {1e-3f, -1e-3f, 1e-20f, 1, -1, 1e-5f};
    float first[3 * N];
    int checked = 0;
    for (int isa = LG_ISA_SSE2; isa <= LG_ISA_AVX512; isa++) {
        if (lg_isa_set((lg_isa)isa) != 0) continue;
        lgn_adam o;
        ck_assert_int_eq(lgn_adam_init(&o, N, 1e-3f, 0.9f, 0.999f, 1e-8f), 0);
        float p[N] = {0}, g[N], zero[N] = {0};
        for (int i = 0; i < N; i++) g[i] = g0[i % 6] * (float)(1 + i / 6);
        lgn_adam_step(&o, p, g);
        for (int t = 0; t < 2000; t++) {
            lgn_adam_step(&o, p, zero);
            for (int i = 0; i < N; i++) {
                ck_assert_int_ne(fpclassify(o.m[i]), FP_SUBNORMAL);
                ck_assert_int_ne(fpclassify(o.v[i]), FP_SUBNORMAL);
            }
        }
        for (int i = 0; i < N; i++) ck_assert_float_eq(o.m[i], 0.0f); /* 0.9^2000 underflows */
        float all[3 * N];
        memcpy(all, p, sizeof p), memcpy(all + N, o.m, sizeof(float) * N), memcpy(all + 2 * N, o.v, sizeof(float) * N);
        if (!checked++) memcpy(first, all, sizeof all);
        ck_assert_msg(!memcmp(first, all, sizeof all), "%s: Adam differs from sse2", lg_isa_name((lg_isa)isa));
        lgn_adam_free(&o);
    }
    ck_assert_int_ge(checked, 1);
    ck_assert_int_eq(lg_isa_set(LG_ISA_AUTO), 0);
}
END_TEST

/* ------------------------------------------------------------- training */
START_TEST(test_same_seed_bit_identical_different_seed_differs)
{
    lgn_adam oa, ob, oc;
    lgn_mlp *a = train_100(1, 100, &oa), *b = train_100(1, 100, &ob), *c = train_100(2, 100, &oc);
    size_t n = lgn_mlp_n_params(a);
    ck_assert(!memcmp(lgn_mlp_params(a), lgn_mlp_params(b), sizeof(float) * n));
    ck_assert(!memcmp(oa.m, ob.m, sizeof(float) * 2 * n));
    ck_assert(memcmp(lgn_mlp_params(a), lgn_mlp_params(c), sizeof(float) * n) != 0);
    lgn_adam_free(&oa), lgn_adam_free(&ob), lgn_adam_free(&oc);
    lgn_mlp_free(a), lgn_mlp_free(b), lgn_mlp_free(c);
}
END_TEST

/* Every instruction set the CPU has gives the bits of the naive loops on
 * widths that reach every strip and tail (32, 16, 8, 4 columns and single
 * ones) and, with 47 rows, every set's row tiles: 2 x 16 + 8 + 7 single rows
 * (AVX-512), 6 x 7 + 3 + 2 (AVX2), 4 x 11 + 2 + 1 (SSE2); and 100 training
 * steps (forward, backward with transposed views, Adam) end in the same
 * parameters. */
START_TEST(test_every_isa_same_bits)
{
    ck_assert_int_eq(lg_isa_set((lg_isa)99), -1);
    ck_assert_int_eq(lg_isa_parse("avx2"), LG_ISA_AVX2);
    ck_assert_int_eq(lg_isa_parse("neon"), -1);
    int widths[] = {61, 77, 37, 45, 3};
    size_t n = 0;
    float *first = NULL, *first_fwd = NULL;
    int checked = 0;
    for (int isa = LG_ISA_SSE2; isa <= LG_ISA_AVX512; isa++) {
        if (!lg_isa_available((lg_isa)isa)) {
            ck_assert_int_eq(lg_isa_set((lg_isa)isa), -1);
            fprintf(stderr, "test_every_isa_same_bits: %s: not on this CPU, not checked\n", lg_isa_name((lg_isa)isa));
            continue;
        }
        ck_assert_int_eq(lg_isa_set((lg_isa)isa), 0);
        ck_assert_int_eq(lg_isa_get(), isa);
        lgn_mlp *net = make_net(widths, 5, 47, 4);
        randomise_biases(net, 5);
        float *x = random_floats(47 * 61, 6, 1.0), *ref = malloc(sizeof(float) * 47 * 3);
        const float *y = lgn_mlp_forward(net, x, 47);
        naive_forward(net, x, 47, ref);
        ck_assert_msg(!memcmp(y, ref, sizeof(float) * 47 * 3), "%s: the forward differs from the naive loops",
                      lg_isa_name((lg_isa)isa));
        lgn_adam opt;
        lgn_mlp *trained = train_100(3, 100, &opt);
        n = lgn_mlp_n_params(trained);
        if (!first) {
            first = malloc(sizeof(float) * n), first_fwd = malloc(sizeof(float) * 47 * 3);
            memcpy(first, lgn_mlp_params(trained), sizeof(float) * n);
            memcpy(first_fwd, y, sizeof(float) * 47 * 3);
        }
        ck_assert_msg(!memcmp(first, lgn_mlp_params(trained), sizeof(float) * n), "%s: training differs from sse2",
                      lg_isa_name((lg_isa)isa));
        ck_assert(!memcmp(first_fwd, y, sizeof(float) * 47 * 3));
        checked++;
        lgn_adam_free(&opt);
        lgn_mlp_free(trained), lgn_mlp_free(net);
        free(x), free(ref);
    }
    ck_assert_int_ge(checked, 1);
    ck_assert_int_eq(lg_isa_set(LG_ISA_AUTO), 0);
    free(first), free(first_fwd);
}
END_TEST

/* y = sin(x) on [-pi, pi] with a 1-32-32-1 net and Adam. */
START_TEST(test_fits_sine)
{
    enum { N = 128, STEPS = 1500 };
    int w[] = {1, 32, 32, 1};
    lgn_mlp *net = make_net(w, 4, N, 3);
    lgn_adam opt;
    ck_assert_int_eq(lgn_adam_init(&opt, lgn_mlp_n_params(net), 1e-2f, 0.9f, 0.999f, 1e-8f), 0);
    float x[N], y[N], d[N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)(-3.141592653589793 + 6.283185307179586 * i / (N - 1));
        y[i] = sinf(x[i]);
    }
    double first = 0, loss = 0;
    for (int t = 0; t < STEPS; t++) {
        lgn_mlp_zero_grad(net);
        loss = lgn_loss_masked(LGN_LOSS_MSE, 1.0f, lgn_mlp_forward(net, x, N), y, NULL, N, d);
        if (t == 0) first = loss;
        lgn_mlp_backward(net, d, NULL);
        if (t == STEPS - 500) opt.lr = 1e-3f; /* settle: final MSE < 2.2e-4 over 30 seeds */
        lgn_adam_step(&opt, lgn_mlp_params(net), lgn_mlp_grads(net));
    }
    loss = lgn_loss_masked(LGN_LOSS_MSE, 1.0f, lgn_mlp_forward(net, x, N), y, NULL, N, d);
    ck_assert_msg(loss < 1e-3 && loss < first * 1e-2, "MSE %.3g after %d steps (start %.3g)", loss, STEPS, first);
    lgn_adam_free(&opt);
    lgn_mlp_free(net);
}
END_TEST

START_TEST(test_predict_equals_training_forward)
{
    int w[] = {37, 20, 9, 6};
    enum { MAXB = 10, N = 23 };
    lgn_mlp *net = make_net(w, 4, MAXB, 8);
    randomise_biases(net, 8);
    float *x = random_floats((size_t)N * 37, 9, 1.0);
    float all[N * 6], one[6], d[MAXB * 6];
    /* n > max_batch: chunked; and one row at a time. */
    ck_assert_int_eq(lgn_mlp_predict(net, x, N, all), 0);
    for (int s = 0; s < N; s += MAXB) {
        int rows = N - s < MAXB ? N - s : MAXB;
        const float *y = lgn_mlp_forward(net, x + s * 37, rows);
        ck_assert(!memcmp(y, all + s * 6, sizeof(float) * (size_t)rows * 6));
        /* rows built in the net's own input buffer: the same, without a copy */
        memcpy(lgn_mlp_input(net), x + s * 37, sizeof(float) * (size_t)rows * 37);
        y = lgn_mlp_forward(net, lgn_mlp_input(net), rows);
        ck_assert(!memcmp(y, all + s * 6, sizeof(float) * (size_t)rows * 6));
        ck_assert_ptr_eq(lgn_mlp_layer_output(net, 0), lgn_mlp_input(net));
    }
    for (int r = 0; r < N; r++) {
        ck_assert_int_eq(lgn_mlp_predict(net, x + r * 37, 1, one), 0);
        ck_assert(!memcmp(one, all + r * 6, sizeof one));
    }
    /* predict between forward and backward leaves the gradients unchanged. */
    for (int i = 0; i < MAXB * 6; i++) d[i] = (float)(i % 5) - 2.0f;
    lgn_mlp_forward(net, x, MAXB);
    lgn_mlp_zero_grad(net);
    lgn_mlp_backward(net, d, NULL);
    size_t np = lgn_mlp_n_params(net);
    float *g1 = malloc(sizeof(float) * np);
    memcpy(g1, lgn_mlp_grads(net), sizeof(float) * np);
    lgn_mlp_forward(net, x, MAXB);
    lgn_mlp_predict(net, x + 5 * 37, N - 5, all);
    lgn_mlp_zero_grad(net);
    lgn_mlp_backward(net, d, NULL);
    ck_assert(!memcmp(g1, lgn_mlp_grads(net), sizeof(float) * np));
    ck_assert_int_eq(lgn_mlp_predict(net, x, 0, NULL), 0);
    ck_assert_int_ne(lgn_mlp_predict(net, NULL, 1, all), 0);
    free(g1), free(x);
    lgn_mlp_free(net);
}
END_TEST

/* The first layer summed by parts (bias + the first 11 inputs, then the
 * other 26, as DQN's item-wise scoring does) and the rest of the net from
 * there: the same bits as predicting the whole rows, chunked or not, and
 * for a net of one layer. */
START_TEST(test_predict_from_first_by_parts)
{
    for (int depth = 2; depth <= 4; depth += 2) {
        int w[] = {37, 20, 9, 6}, out = w[depth - 1], h1 = w[1];
        enum { MAXB = 10, N = 23, SPLIT = 11 };
        if (depth == 2) w[1] = out = h1 = 6;
        lgn_mlp *net = make_net(w, depth, MAXB, 8);
        randomise_biases(net, 8);
        float *x = random_floats((size_t)N * 37, 9, 1.0);
        float all[N * 20], got[N * 20], h[N * 20];
        ck_assert_int_eq(lgn_mlp_predict(net, x, N, all), 0);
        const float *W = lgn_mlp_params_const(net) + lgn_mlp_weights_offset(net, 0);
        const float *b = lgn_mlp_params_const(net) + lgn_mlp_bias_offset(net, 0);
        for (int r = 0; r < N; r++) memcpy(h + r * h1, b, sizeof(float) * (size_t)h1);
        lgn_gemm(N, h1, SPLIT, x, 37, 1, W, h1, h, h1);
        lgn_gemm(N, h1, 37 - SPLIT, x + SPLIT, 37, 1, W + SPLIT * h1, h1, h, h1);
        ck_assert_int_eq(lgn_mlp_predict_from_first(net, h, N, got), 0);
        ck_assert_msg(!memcmp(got, all, sizeof(float) * (size_t)N * (size_t)out), "depth %d", depth);
        ck_assert_int_ne(lgn_mlp_predict_from_first(net, NULL, 1, got), 0);
        free(x);
        lgn_mlp_free(net);
    }
}
END_TEST

/* lgn_mlp_predict_parts: rows that share one of a few context rows (each
 * state's first 11, 0 or all 37 inputs), scored by parts, give the bits of
 * lgn_mlp_predict on the whole rows: more rows than a chunk, states used
 * by several rows and in any order, a net of one layer; bad states are
 * refused. */
START_TEST(test_predict_parts)
{
    enum { IN = 37, MAXB = 10, S = 5, R = 23 };
    for (int depth = 2; depth <= 4; depth += 2)
        for (int cd = 0; cd <= IN; cd += cd == 0 ? 11 : IN - 11) {
            int w[] = {IN, 20, 9, 6}, out = w[depth - 1];
            if (depth == 2) w[1] = out = 6;
            lgn_mlp *net = make_net(w, depth, MAXB, 8);
            randomise_biases(net, 8);
            float *ctx = random_floats((size_t)S * IN, 9, 1.0), *rest = random_floats((size_t)R * IN, 10, 1.0);
            int32_t state[R];
            float whole[R * IN], want[R * 20], got[R * 20], hc[S * 20], h[R * 20];
            for (int r = 0; r < R; r++) {
                state[r] = (r * 3 + 1) % S;
                memcpy(whole + r * IN, ctx + state[r] * cd, sizeof(float) * (size_t)cd);
                memcpy(whole + r * IN + cd, rest + r * (IN - cd), sizeof(float) * (size_t)(IN - cd));
            }
            ck_assert_int_eq(lgn_mlp_predict(net, whole, R, want), 0);
            ck_assert_int_eq(lgn_mlp_predict_parts(net, S, ctx, cd, R, state, rest, hc, h, got), 0);
            ck_assert_msg(!memcmp(got, want, sizeof(float) * (size_t)R * (size_t)out), "depth %d, context %d", depth,
                          cd);
            state[7] = S;
            ck_assert_int_eq(lgn_mlp_predict_parts(net, S, ctx, cd, R, state, rest, hc, h, got), -1);
            state[7] = -1;
            ck_assert_int_eq(lgn_mlp_predict_parts(net, S, ctx, cd, R, state, rest, hc, h, got), -1);
            ck_assert_int_eq(lgn_mlp_predict_parts(net, S, ctx, IN + 1, R, state, rest, hc, h, got), -1);
            ck_assert_int_eq(lgn_mlp_predict_parts(net, S, ctx, cd, 0, NULL, NULL, NULL, NULL, NULL), 0);
            free(ctx), free(rest);
            lgn_mlp_free(net);
        }
}
END_TEST

START_TEST(test_copy_and_soft_update)
{
    int w[] = {5, 6, 2}, v[] = {5, 7, 2};
    lgn_mlp *a = make_net(w, 3, 2, 1), *b = make_net(w, 3, 4, 2), *c = make_net(v, 3, 2, 3);
    size_t n = lgn_mlp_n_params(a);
    float *old = malloc(sizeof(float) * n);
    memcpy(old, lgn_mlp_params(b), sizeof(float) * n);
    ck_assert_int_eq(lgn_mlp_soft_update(b, a, 0.25f), 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_float_eq_tol(lgn_mlp_params(b)[i], 0.75f * old[i] + 0.25f * lgn_mlp_params(a)[i], 1e-6f);
    ck_assert_int_eq(lgn_mlp_copy_params(b, a), 0);
    ck_assert(!memcmp(lgn_mlp_params(a), lgn_mlp_params(b), sizeof(float) * n));
    ck_assert_int_ne(lgn_mlp_copy_params(c, a), 0);
    ck_assert_int_ne(lgn_mlp_soft_update(c, a, 0.5f), 0);
    ck_assert_int_ne(lgn_mlp_soft_update(b, a, 1.5f), 0);
    free(old);
    lgn_mlp_free(a), lgn_mlp_free(b), lgn_mlp_free(c);
}
END_TEST

START_TEST(test_bench_runs)
{
    int w[] = {8, 8, 2};
    ck_assert(lg_bench_nn_updates(w, 3, 4, 0.02) > 0);
    ck_assert(lg_bench_nn_updates(w, 1, 4, 0.02) < 0);
    ck_assert(lg_bench_nn_updates(w, 3, 0, 0.02) < 0);
    /* forward 2*4*8*8 + 2*4*8*2, weight gradients the same, input gradients of layer 1 only */
    ck_assert(lg_bench_nn_update_flops(w, 3, 4) == 2 * (512 + 128) + 128);
    ck_assert(lg_bench_gemm_gflops(7, 9, 5, 0, 0.02) > 0);
    ck_assert(lg_bench_gemm_gflops(7, 9, 5, 1, 0.02) > 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nn");
    TCase *tc = tcase_create("nn");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_create_rejects_bad_arguments);
    tcase_add_test(tc, test_parameter_layout);
    tcase_add_test(tc, test_forward_matches_naive_exactly);
    tcase_add_test(tc, test_gradcheck_mse);
    tcase_add_test(tc, test_gradcheck_huber);
    tcase_add_test(tc, test_loss_values_and_masking);
    tcase_add_test(tc, test_adam_matches_hand_computed_steps);
    tcase_add_test(tc, test_sgd_momentum_hand_computed);
    tcase_add_test(tc, test_clip_grad_norm);
    tcase_add_test(tc, test_adam_moments_never_denormal);
    tcase_add_test(tc, test_same_seed_bit_identical_different_seed_differs);
    tcase_add_test(tc, test_every_isa_same_bits);
    tcase_add_test(tc, test_fits_sine);
    tcase_add_test(tc, test_predict_equals_training_forward);
    tcase_add_test(tc, test_predict_from_first_by_parts);
    tcase_add_test(tc, test_predict_parts);
    tcase_add_test(tc, test_copy_and_soft_update);
    tcase_add_test(tc, test_bench_runs);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
