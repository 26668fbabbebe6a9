/* Benchmark helpers of `livegym bench` (tools/cmd_bench.c). */
#ifndef LG_BENCH_H
#define LG_BENCH_H

#include "lg_scenario.h"

/* The median of x[0..n), n >= 1 (x is sorted in place). */
double lg_median(double *x, int n);

/* Training updates per second of an MLP with widths[0..n_layers-1] (input
 * first, as lgn_mlp_create: {1216, 256, 256, 50} is n_layers = 4) at the
 * given batch: each update is zero_grad + forward + Huber on one column per
 * row + backward + Adam step. Runs about `seconds` in total (5 timed repeats
 * after a warm-up) and returns the median rate, or -1 on a bad argument or
 * out of memory. */
double lg_bench_nn_updates(const int *widths, int n_layers, int batch, double seconds);

/* Floating-point operations of one such update (forward, the weight
 * gradients, the input gradients of every layer but the first). */
double lg_bench_nn_update_flops(const int *widths, int n_layers, int batch);

/* GFLOP/s of C[M x N] += A[M x K] B[K x N] through lgn_gemm (A transposed:
 * A is stored K x M, as in the weight gradient), median of 5 slices of
 * about seconds / 5; -1 when out of memory. */
double lg_bench_gemm_gflops(int M, int N, int K, int a_transposed, double seconds);

/* livegym bench log (tools/bench_log.c): the training loop of a random
 * behaviour policy with and without its HDF5 log, and fwrite + fsync of as
 * many bytes; prints the figures. 0, or 1 on failure (said on stderr). */
int lg_bench_log(const lg_scenario *sc, int slots, long steps, int repeats, int json);

#endif
