/* The first layer's columns (agents/nn/lgn_mlp.c): zero columns left out
 * with the same bits, and shared columns' order of sums, against naive
 * loops. */
#include <string.h>

#include "nn_test.h"

/* The naive D = relu'(h) (d W1^T) of a net with one hidden layer, after
 * its forward (sums over the outputs in order), into D[B x H]. */
static void naive_deltas(lgn_mlp *net, const float *d, int B, float *D)
{
    const int H = lgn_mlp_width(net, 1), O = lgn_mlp_width(net, 2);
    const float *h = lgn_mlp_layer_output(net, 1), *W1 = lgn_mlp_params(net) + lgn_mlp_weights_offset(net, 1);
    for (int b = 0; b < B; b++)
        for (int j = 0; j < H; j++) {
            float s = 0.0f;
            for (int o = 0; o < O; o++) s += d[b * O + o] * W1[j * O + o];
            D[b * H + j] = h[b * H + j] > 0.0f ? s : 0.0f;
        }
}

/* dx[B x IN] against the naive D W0^T, sums over H in order */
static void check_input_grad(lgn_mlp *net, const float *D, const float *dx, int B)
{
    const int IN = lgn_mlp_width(net, 0), H = lgn_mlp_width(net, 1);
    const float *W0 = lgn_mlp_params(net) + lgn_mlp_weights_offset(net, 0);
    for (int b = 0; b < B; b++)
        for (int k = 0; k < IN; k++) {
            float s = 0.0f;
            for (int j = 0; j < H; j++) s += D[b * H + j] * W0[k * H + j];
            ck_assert_msg(!memcmp(&s, &dx[b * IN + k], sizeof s), "dX[%d][%d]", b, k);
        }
}

/* Input columns that are zero in every row (some of them -0) are left out
 * of the first layer's products (lgn_mlp.c, kept_columns): the forward,
 * the prediction, the first layer's weight gradient and the input gradient
 * are still the bits of the naive loops in the documented orders, with
 * biases of -0 among the others. */
START_TEST(test_zero_columns_same_bits)
{
    enum { IN = 60, H = 24, O = 4, B = 20 };
    int w[] = {IN, H, O};
    lgn_mlp *net = make_net(w, 3, B, 12);
    randomise_biases(net, 4);
    float *p = lgn_mlp_params(net);
    for (int j = 0; j < H; j += 5) p[lgn_mlp_bias_offset(net, 0) + j] = -0.0f;
    float *x = random_floats(B * IN, 30, 1.0), *d = random_floats(B * O, 31, 1.0);
    int zero = 0;
    for (int k = 0; k < IN; k++)
        if (k % 3 == 1 || (k >= 40 && k < 50)) {
            zero++;
            for (int b = 0; b < B; b++) x[b * IN + k] = b % 2 ? -0.0f : 0.0f;
        }
    ck_assert_int_ge(zero * 10, IN); /* a tenth or more: they are left out */
    float ref[B * O], pred[B * O], dx[B * IN];
    naive_forward(net, x, B, ref);
    lgn_mlp_zero_grad(net);
    const float *y = lgn_mlp_forward(net, x, B);
    ck_assert_msg(!memcmp(y, ref, sizeof ref), "the forward differs from the naive loops");
    ck_assert_int_eq(lgn_mlp_predict(net, x, B, pred), 0);
    ck_assert(!memcmp(pred, ref, sizeof ref));
    ck_assert_int_eq(lgn_mlp_backward(net, d, dx), 0);
    /* naive: D = relu'(h) (d W1^T), sums over the outputs in order; dW0 =
     * +0 + the rows' x D in row order; dX = D W0^T, sums over H in order */
    const float *g0 = lgn_mlp_grads(net) + lgn_mlp_weights_offset(net, 0);
    float D[B * H];
    naive_deltas(net, d, B, D);
    for (int k = 0; k < IN; k++)
        for (int j = 0; j < H; j++) {
            float s = 0.0f;
            for (int b = 0; b < B; b++) s += x[b * IN + k] * D[b * H + j];
            ck_assert_msg(!memcmp(&s, &g0[k * H + j], sizeof s), "dW0[%d][%d]: %a, naive %a", k, j, g0[k * H + j], s);
        }
    check_input_grad(net, D, dx, B);
    free(x), free(d);
    lgn_mlp_free(net);
}
END_TEST

/* Shared columns (lgn_mlp_set_shared_columns): the forward and the
 * predictions sum b_0, the shared columns, then the others; rows that
 * differ from row 0 in a shared column sum their own share; dW_0's shared
 * rows are x_0[k] times the sum of the sharing rows' D, then the other
 * rows' products. Against naive loops, bit for bit, with zero columns on
 * both sides (20 rows: left out; 5: not), and a row alone. */
static void check_shared(int B)
{
    enum { IN = 60, H = 24, O = 4, MAXB = 20 };
    int w[] = {IN, H, O};
    lgn_mlp *net = make_net(w, 3, MAXB, 13);
    randomise_biases(net, 5);
    uint8_t shared[IN] = {0};
    int32_t cols[IN];
    int n = 0;
    for (int k = 0; k < IN; k++)
        if ((k >= 10 && k < 30) || (k >= 45 && k < 52) || k == 58) shared[k] = 1, cols[n++] = k;
    float *x = random_floats((size_t)B * IN, 40 + (uint64_t)B, 1.0), *d = random_floats((size_t)B * O, 41, 1.0);
    for (int b = 1; b < B; b++) /* the shared columns are row 0's, but in rows 3 and 11 */
        for (int k = 0; k < IN; k++)
            if (shared[k] && b != 3 && b != 11) x[b * IN + k] = x[k];
    for (int b = 0; b < B; b++)
        for (int k = 0; k < IN; k++)
            if (k % 7 == 2 || k % 4 == 1) x[b * IN + k] = b % 2 ? -0.0f : 0.0f; /* zero columns, shared or not */
    float ref[MAXB * O], plain[MAXB * O], pred[MAXB * O], one[O], dx[MAXB * IN];
    naive_forward(net, x, B, plain);
    naive_forward_shared(net, x, B, shared, ref);
    ck_assert_msg(memcmp(plain, ref, sizeof(float) * (size_t)B * O), "the orders agree: the test cannot tell them apart");
    ck_assert_int_eq(lgn_mlp_set_shared_columns(net, cols, n), 0);
    ck_assert_int_eq(lgn_mlp_n_shared(net), n);
    lgn_mlp_zero_grad(net);
    const float *y = lgn_mlp_forward(net, x, B);
    ck_assert_msg(!memcmp(y, ref, sizeof(float) * (size_t)B * O), "the forward differs from the naive loops");
    ck_assert_int_eq(lgn_mlp_predict(net, x, B, pred), 0);
    ck_assert(!memcmp(pred, ref, sizeof(float) * (size_t)B * O));
    for (int b = 0; b < B; b++) { /* a row's result never depends on the others */
        ck_assert_int_eq(lgn_mlp_predict(net, x + b * IN, 1, one), 0);
        ck_assert_msg(!memcmp(one, ref + b * O, sizeof one), "row %d alone", b);
    }
    ck_assert_int_eq(lgn_mlp_backward(net, d, dx), 0);
    const float *g0 = lgn_mlp_grads(net) + lgn_mlp_weights_offset(net, 0);
    float D[MAXB * H], G[H];
    int sharing[MAXB] = {0}; /* row 0's bits in every shared column (-0 is not +0) */
    for (int b = 0; b < B; b++) {
        sharing[b] = 1;
        for (int k = 0; k < IN; k++)
            if (shared[k] && memcmp(&x[b * IN + k], &x[k], sizeof(float))) sharing[b] = 0;
    }
    ck_assert(!sharing[3] && (B < 12 || !sharing[11]) && (B < 3 || sharing[2]) && (B < 5 || !sharing[1]));
    naive_deltas(net, d, B, D);
    for (int j = 0; j < H; j++) {
        G[j] = D[j];
        for (int b = 1; b < B; b++)
            if (sharing[b]) G[j] += D[b * H + j];
    }
    for (int k = 0; k < IN; k++)
        for (int j = 0; j < H; j++) {
            float s = 0.0f;
            if (shared[k]) {
                s += x[k] * G[j];
                for (int b = 1; b < B; b++)
                    if (!sharing[b]) s += x[b * IN + k] * D[b * H + j];
            } else {
                for (int b = 0; b < B; b++) s += x[b * IN + k] * D[b * H + j];
            }
            ck_assert_msg(!memcmp(&s, &g0[k * H + j], sizeof s), "dW0[%d][%d]: %a, naive %a", k, j, g0[k * H + j], s);
        }
    check_input_grad(net, D, dx, B);
    /* back to the plain order */
    ck_assert_int_eq(lgn_mlp_set_shared_columns(net, NULL, 0), 0);
    ck_assert_int_eq(lgn_mlp_predict(net, x, B, pred), 0);
    ck_assert(!memcmp(pred, plain, sizeof(float) * (size_t)B * O));
    free(x), free(d);
    lgn_mlp_free(net);
}

START_TEST(test_shared_columns_order)
{
    int sets = 0;
    for (int isa = LG_ISA_SSE2; isa <= LG_ISA_AVX512; isa++) { /* the naive bits on every set */
        if (lg_isa_set((lg_isa)isa)) continue;
        check_shared(20);
        check_shared(5);
        check_shared(12);
        sets++;
    }
    ck_assert_int_ge(sets, 1);
    ck_assert_int_eq(lg_isa_set(LG_ISA_AUTO), 0);
}
END_TEST

START_TEST(test_shared_columns_refused)
{
    int w[] = {8, 4, 2};
    lgn_mlp *net = make_net(w, 3, 4, 1);
    const int32_t down[] = {3, 2}, same[] = {2, 2}, out[] = {1, 8}, neg[] = {-1, 2}, ok[] = {1, 2};
    ck_assert_int_eq(lgn_mlp_set_shared_columns(net, down, 2), -1);
    ck_assert_int_eq(lgn_mlp_set_shared_columns(net, same, 2), -1);
    ck_assert_int_eq(lgn_mlp_set_shared_columns(net, out, 2), -1);
    ck_assert_int_eq(lgn_mlp_set_shared_columns(net, neg, 2), -1);
    ck_assert_int_eq(lgn_mlp_set_shared_columns(net, NULL, 1), -1);
    ck_assert_int_eq(lgn_mlp_set_shared_columns(net, ok, 9), -1);
    ck_assert_int_eq(lgn_mlp_n_shared(net), 0);
    ck_assert_int_eq(lgn_mlp_set_shared_columns(net, ok, 2), 0);
    float ctx[2] = {0}, rest[6] = {0}, hc[4], h[4], q[2];
    int32_t st = 0;
    ck_assert_int_eq(lgn_mlp_predict_parts(net, 1, ctx, 2, 1, &st, rest, hc, h, q), -1);
    /* a forward before the declaration cannot be backpropagated after it */
    float x[8] = {0}, dout[2] = {1, 1};
    ck_assert_ptr_nonnull(lgn_mlp_forward(net, x, 1));
    ck_assert_int_eq(lgn_mlp_set_shared_columns(net, ok, 1), 0);
    ck_assert_int_eq(lgn_mlp_backward(net, dout, NULL), -1);
    lgn_mlp_free(net);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nn_columns");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_zero_columns_same_bits);
    tcase_add_test(tc, test_shared_columns_order);
    tcase_add_test(tc, test_shared_columns_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
