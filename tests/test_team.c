/* Teams of threads in the network core (agents/nn/lgn_team.c): every piece
 * of a job run once, and products, backward passes and Adam steps on teams
 * of 2, 3 and 4 threads bit-identical to the caller alone, on every
 * instruction set the CPU has. */
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>

#include "nn_test.h"

START_TEST(test_team_create_refuses_bad_counts)
{
    char err[128] = "";
    lgn_team *t = (lgn_team *)1;
    ck_assert_int_eq(lgn_team_create(0, &t, err, sizeof err), -1);
    ck_assert_ptr_null(t);
    ck_assert_msg(strstr(err, "threads must be in [1, 256], found 0") != NULL, "message: %s", err);
    ck_assert_int_eq(lgn_team_create(LGN_TEAM_MAX + 1, &t, NULL, 0), -1);
    ck_assert_int_eq(lgn_team_create(1, &t, err, sizeof err), 0);
    ck_assert_int_eq(lgn_team_threads(t), 1);
    lgn_team_free(t);
    ck_assert_int_eq(lgn_team_threads(NULL), 1);
    lgn_team_free(NULL);
}
END_TEST

static atomic_int visits[5000];

typedef struct {
    int n, grain;
} range_case;

static atomic_int bad_pieces;

/* (Check's assertions write to a pipe: counted here, asserted after.) */
static void visit(void *arg, int lo, int hi)
{
    const range_case *rc = arg;
    if (lo % rc->grain != 0 || (hi != lo + rc->grain && hi != rc->n)) atomic_fetch_add(&bad_pieces, 1);
    for (int i = lo; i < hi; i++) atomic_fetch_add(&visits[i], 1);
}

static atomic_int last_hi;

static void note_end(void *arg, int lo, int hi)
{
    (void)arg;
    if (lo < hi && hi > atomic_load(&last_hi)) atomic_store(&last_hi, hi);
}

/* Every index of the range once, in pieces of the grain, whatever the
 * team, over many jobs in a row (a worker that wakes late must not take a
 * piece of the next job). */
START_TEST(test_team_for_visits_every_index_once)
{
    for (int T = 1; T <= 4; T++) {
        lgn_team *t;
        ck_assert_int_eq(lgn_team_create(T, &t, NULL, 0), 0);
        for (int job = 0; job < 600; job++) {
            range_case rc = {job % 7 == 0 ? 0 : 1 + (job * 977) % 4999, 1 + (job * 31) % 97};
            lgn_team_for(t, rc.n, rc.grain, visit, &rc);
            int wrong = 0;
            for (int i = 0; i < 5000; i++) wrong += atomic_exchange(&visits[i], 0) != (i < rc.n);
            ck_assert_msg(!wrong, "%d threads, %d in pieces of %d: %d indices not visited once", T, rc.n, rc.grain,
                          wrong);
        }
        ck_assert_int_eq(atomic_load(&bad_pieces), 0);
        lgn_team_free(t);
    }
    /* the last piece of a range near INT_MAX ends at n (no overflow) */
    lgn_team *t2;
    ck_assert_int_eq(lgn_team_create(2, &t2, NULL, 0), 0);
    atomic_store(&last_hi, 0);
    lgn_team_for(t2, INT_MAX, INT_MAX / 2 + 1, note_end, NULL);
    ck_assert_int_eq(atomic_load(&last_hi), INT_MAX);
    /* four pieces a thread, whole tiles */
    ck_assert_int_eq(lgn_team_grain(NULL, 128), 32);
    ck_assert_int_eq(lgn_team_grain(t2, 128), 16);
    ck_assert_int_eq(lgn_team_grain(t2, 1216), 160);
    ck_assert_int_eq(lgn_team_grain(t2, 5), 16);
    lgn_team_free(t2);
}
END_TEST

START_TEST(test_team_gemm_same_bits)
{
    /* M x N x K, A transposed, ldc padding: each at least LGN_TEAM_MIN_MACS,
     * so that the team cuts them (odd M, fewer rows than 16 per part, N not
     * a whole vector). */
    const int shapes[][5] = {{128, 120, 1216, 0, 0}, {1216, 120, 128, 1, 3}, {37, 301, 97, 0, 5},
                             {250, 33, 131, 1, 0},   {9, 1000, 130, 0, 1},   {2, 700, 800, 0, 0}};
    lgn_team *teams[4] = {NULL};
    for (int T = 2; T <= 4; T++) ck_assert_int_eq(lgn_team_create(T, &teams[T - 1], NULL, 0), 0);
    int checked = 0;
    for (int isa = LG_ISA_SSE2; isa <= LG_ISA_AVX512; isa++) {
        if (lg_isa_set((lg_isa)isa)) continue;
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
            const int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2], tr = shapes[s][3], ldc = N + shapes[s][4];
            ck_assert_int_ge((long)M * N * K, LGN_TEAM_MIN_MACS);
            float *A = random_floats((size_t)M * K, 11 + s, 1.0), *B = random_floats((size_t)K * N, 21 + s, 1.0);
            float *C0 = random_floats((size_t)M * ldc, 31 + s, 1.0), *want = malloc(sizeof(float) * (size_t)M * ldc);
            float *got = malloc(sizeof(float) * (size_t)M * ldc);
            memcpy(want, C0, sizeof(float) * (size_t)M * ldc);
            ptrdiff_t ars = tr ? 1 : K, acs = tr ? M : 1;
            lgn_gemm(M, N, K, A, ars, acs, B, N, want, ldc);
            for (int T = 1; T <= 4; T++) {
                memcpy(got, C0, sizeof(float) * (size_t)M * ldc);
                lgn_team_gemm(teams[T - 1], M, N, K, A, ars, acs, B, N, got, ldc);
                ck_assert_msg(!memcmp(got, want, sizeof(float) * (size_t)M * ldc), "%s, %d x %d x %d, %d threads",
                              lg_isa_name((lg_isa)isa), M, N, K, T);
                checked++;
            }
            free(A), free(B), free(C0), free(want), free(got);
        }
    }
    ck_assert_int_ge(checked, 24);
    ck_assert_int_eq(lg_isa_set(LG_ISA_AUTO), 0);
    for (int T = 2; T <= 4; T++) lgn_team_free(teams[T - 1]);
}
END_TEST

/* 12 Adam steps of an 1800-90-7 net (162,000 parameters, above
 * LGN_TEAM_MIN_ADAM; a first layer of 48 x 90 x 1800 multiply-adds, above
 * LGN_TEAM_MIN_MACS; a third of the input columns zero, so that the
 * columns' scan and W_0's packing, 2^16 floats or more, run on the team
 * too) on a team of T threads (1: none): the parameters, the last input
 * gradient and a prediction after it. With `shared`, 810 columns are
 * declared shared (lgn_mlp_set_shared_columns), every row but two holding
 * row 0's values there, so that the rows' pass and the shared gradient
 * rows (2^16 floats or more) run on the team. */
enum { TIN = 1800, TB = 48 };
static void train_on_team(int T, int shared, float *params, float *dinput, float *pred)
{
    enum { IN = TIN, B = TB };
    int w[] = {IN, 90, 7};
    lgn_mlp *net = make_net(w, 3, B, 5);
    randomise_biases(net, 5);
    ck_assert_uint_ge(lgn_mlp_n_params(net), LGN_TEAM_MIN_ADAM);
    ck_assert_int_ge((long)B * 90 * IN, LGN_TEAM_MIN_MACS);
    lgn_team *t = NULL;
    if (T > 1) ck_assert_int_eq(lgn_team_create(T, &t, NULL, 0), 0);
    lgn_mlp_set_team(net, t);
    lgn_adam opt;
    ck_assert_int_eq(lgn_adam_init(&opt, lgn_mlp_n_params(net), 1e-2f, 0.9f, 0.999f, 1e-8f), 0);
    float *x = random_floats((size_t)B * IN, 7, 1.0), *tgt = random_floats((size_t)B * 7, 8, 1.0);
    for (int r = 0; r < B; r++)
        for (int k = 1; k < IN; k += 3) x[r * IN + k] = 0.0f;
    if (shared) {
        int32_t cols[IN];
        int n = 0;
        for (int k = 600; k < 1500; k++)
            if (k % 10) cols[n++] = k;
        ck_assert_int_eq(lgn_mlp_set_shared_columns(net, cols, n), 0);
        ck_assert_int_ge((long)n * 90, LGN_TEAM_MIN_ADAM);
        for (int r = 1; r < B; r++)
            if (r != 5 && r != 17)
                for (int i = 0; i < n; i++) x[r * IN + cols[i]] = x[cols[i]];
    }
    float d[B * 7];
    for (int step = 0; step < 12; step++) {
        lgn_mlp_zero_grad(net);
        lgn_loss_masked(LGN_LOSS_HUBER, 1.0f, lgn_mlp_forward(net, x, B), tgt, NULL, (size_t)B * 7, d);
        ck_assert_int_eq(lgn_mlp_backward(net, d, dinput), 0);
        lgn_adam_step_team(&opt, t, lgn_mlp_params(net), lgn_mlp_grads(net));
        x[3 * step] += 0.5f; /* a new batch, a little (the zero columns stay) */
    }
    memcpy(params, lgn_mlp_params(net), sizeof(float) * lgn_mlp_n_params(net));
    ck_assert_int_eq(lgn_mlp_predict(net, x, B, pred), 0);
    lgn_adam_free(&opt);
    lgn_mlp_free(net);
    lgn_team_free(t);
    free(x), free(tgt);
}

START_TEST(test_team_training_same_bits)
{
    enum { NP = TIN * 90 + 90 + 90 * 7 + 7, ND = TB * TIN, NO = TB * 7 };
    float *p1 = malloc(sizeof(float) * NP), *d1 = malloc(sizeof(float) * ND), o1[NO];
    float *pt = malloc(sizeof(float) * NP), *dt = malloc(sizeof(float) * ND), ot[NO];
    int checked = 0;
    for (int isa = LG_ISA_SSE2; isa <= LG_ISA_AVX512; isa++) {
        if (lg_isa_set((lg_isa)isa)) continue;
        for (int shared = 0; shared <= 1; shared++) {
            train_on_team(1, shared, p1, d1, o1);
            for (int T = 2; T <= 4; T++) {
                train_on_team(T, shared, pt, dt, ot);
                const char *what = shared ? " (shared columns)" : "";
                ck_assert_msg(!memcmp(p1, pt, sizeof(float) * NP), "%s: parameters differ on %d threads%s",
                              lg_isa_name((lg_isa)isa), T, what);
                ck_assert_msg(!memcmp(d1, dt, sizeof(float) * ND), "%s: input gradients differ on %d threads%s",
                              lg_isa_name((lg_isa)isa), T, what);
                ck_assert_msg(!memcmp(o1, ot, sizeof ot), "%s: predictions differ on %d threads%s",
                              lg_isa_name((lg_isa)isa), T, what);
                checked++;
            }
        }
    }
    ck_assert_int_ge(checked, 6);
    ck_assert_int_eq(lg_isa_set(LG_ISA_AUTO), 0);
    free(p1), free(d1), free(pt), free(dt);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("team");
    TCase *tc = tcase_create("team");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_team_create_refuses_bad_counts);
    tcase_add_test(tc, test_team_for_visits_every_index_once);
    tcase_add_test(tc, test_team_gemm_same_bits);
    tcase_add_test(tc, test_team_training_same_bits);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
