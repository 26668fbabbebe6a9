/* Helpers of `livegym bench` (bench.h): medians, and the network core timed
 * from outside (it knows nothing of clocks). */
#include <stdlib.h>

#include "bench.h"
#include "lg_clock.h"
#include "lgn.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double lg_median(double *x, int n)
{
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

static void one_update(lgn_mlp *net, lgn_adam *opt, const float *x, int batch, const int32_t *rows,
                       const int32_t *cols, const float *target, float *dout)
{
    int out = lgn_mlp_width(net, lgn_mlp_n_layers(net) - 1);
    double loss;
    lgn_mlp_zero_grad(net);
    const float *q = lgn_mlp_forward(net, x, batch);
    lgn_loss_select(LGN_LOSS_HUBER, 1.0f, q, batch, out, batch, rows, cols, target, NULL, dout, &loss);
    lgn_mlp_backward(net, dout, NULL);
    lgn_adam_step(opt, lgn_mlp_params(net), lgn_mlp_grads(net));
}

double lg_bench_nn_updates(const int *widths, int n_layers, int batch, double seconds)
{
    enum { REPEATS = 5 };
    if (!widths || !(seconds > 0.0) || batch < 1) return -1.0;
    lgn_mlp *net;
    if (lgn_mlp_create(widths, n_layers, batch, &net, NULL, 0)) return -1.0;
    int in = widths[0], out = widths[n_layers - 1];
    lgn_adam opt;
    float *x = malloc(sizeof(float) * (size_t)batch * (size_t)in);
    float *target = malloc(sizeof(float) * (size_t)batch);
    float *dout = malloc(sizeof(float) * (size_t)batch * (size_t)out);
    int32_t *rows = malloc(sizeof(int32_t) * (size_t)batch), *cols = malloc(sizeof(int32_t) * (size_t)batch);
    double rate = -1.0;
    if (lgn_adam_init(&opt, lgn_mlp_n_params(net), 1e-4f, 0.9f, 0.999f, 1e-8f)) {
        free(x), free(target), free(dout), free(rows), free(cols);
        lgn_mlp_free(net);
        return -1.0;
    }
    if (!x || !target || !dout || !rows || !cols) goto done;
    lg_stream rng = lg_stream_make(12345, 1, 0x6E6E); /* inputs only: any stream will do */
    lgn_mlp_init(net, &rng);
    uint64_t kx = lg_key(lg_stream_bits(&rng), 1), kc = lg_key(kx, 2), kt = lg_key(kx, 3);
    for (size_t i = 0; i < (size_t)batch * (size_t)in; i++) x[i] = lg_u01f(kx, i);
    for (int r = 0; r < batch; r++) {
        rows[r] = r;
        cols[r] = (int32_t)lg_below(kc, (uint64_t)r, (uint32_t)out);
        target[r] = (float)lg_normal(kt, (uint64_t)r);
    }
    one_update(net, &opt, x, batch, rows, cols, target, dout); /* warm-up */
    double rates[REPEATS], slice = seconds / REPEATS;
    for (int k = 0; k < REPEATS; k++) {
        long n = 0;
        double t0 = lg_now(), t;
        do {
            one_update(net, &opt, x, batch, rows, cols, target, dout);
            n++;
            t = lg_now() - t0;
        } while (t < slice);
        rates[k] = (double)n / t;
    }
    rate = lg_median(rates, REPEATS);
done:
    free(x), free(target), free(dout), free(rows), free(cols);
    lgn_adam_free(&opt);
    lgn_mlp_free(net);
    return rate;
}

double lg_bench_nn_update_flops(const int *widths, int n_layers, int batch)
{
    double f = 0;
    for (int l = 0; l + 1 < n_layers; l++) f += 2.0 * batch * widths[l] * widths[l + 1] * (l > 0 ? 3 : 2);
    return f;
}

double lg_bench_gemm_gflops(int M, int N, int K, int a_transposed, double seconds)
{
    enum { REPEATS = 5 };
    float *a = malloc(sizeof(float) * (size_t)M * (size_t)K), *b = malloc(sizeof(float) * (size_t)K * (size_t)N);
    float *c = calloc((size_t)M * (size_t)N, sizeof(float));
    double rate = -1.0;
    if (!a || !b || !c) goto done;
    /* Small values: the sums stay far from overflow however often they run. */
    for (size_t i = 0; i < (size_t)M * (size_t)K; i++) a[i] = (float)(i % 7) * 1e-3f;
    for (size_t i = 0; i < (size_t)K * (size_t)N; i++) b[i] = (float)(i % 5) * 1e-3f;
    ptrdiff_t ars = a_transposed ? 1 : K, acs = a_transposed ? M : 1;
    lgn_gemm(M, N, K, a, ars, acs, b, N, c, N); /* warm-up */
    double rates[REPEATS], slice = seconds / REPEATS;
    for (int k = 0; k < REPEATS; k++) {
        long n = 0;
        double t0 = lg_now(), t;
        do {
            lgn_gemm(M, N, K, a, ars, acs, b, N, c, N);
            n++;
            t = lg_now() - t0;
        } while (t < slice);
        rates[k] = 2.0 * M * N * K * (double)n / t / 1e9;
    }
    rate = lg_median(rates, REPEATS);
done:
    free(a), free(b), free(c);
    return rate;
}
