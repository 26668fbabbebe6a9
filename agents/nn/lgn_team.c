/* A team of threads for the network core's large matrix products.
 *
 * A job is a range cut into pieces (rows of a product's C, parameters of
 * an Adam step) that the caller and the workers claim one at a time, so a
 * thread that runs slowly (a busy core, a neighbour's process) takes fewer
 * pieces instead of holding the others up, and a worker that has not woken
 * yet costs nothing: the caller takes what is left. Each piece computes
 * whole rows with the same k-ordered sums lgn_gemm always does, so a row's
 * bits do not depend on which thread computed it or on how many there are.
 *
 * Why spinning workers: a DQN update runs a handful of products of
 * 50-500 microseconds each, back to back; waking a sleeping thread through
 * the kernel costs tens of microseconds, a spinning one well under one.
 * A worker spins for LGN_TEAM_SPIN seconds after its last job, then sleeps
 * on a condition variable until the next, so an idle team costs nothing.
 *
 * A claim is one compare-and-swap on a word holding the job's generation,
 * its number of pieces and the next piece: a worker still looking at a
 * finished job cannot take a piece of the next one. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lgn.h"

#ifdef __SSE2__
#include <emmintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

#define LGN_TEAM_SPIN 100e-6 /* seconds a worker spins before it sleeps (2 ms gained nothing here) */
/* Seconds a spinning thread runs before it yields its core. Linux at times
 * puts a woken worker on its waker's core and leaves it there for a while
 * (seen here: both threads on one of two idle cores); a thread spinning
 * there would hold up the other for a whole time slice. */
#define LGN_TEAM_YIELD 50e-6
#define MAX_PIECES 0xffff     /* pieces of a job: 16 bits of the claim word */

struct lgn_team {
    int threads;
    pthread_t *th;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    /* generation (32 bits) | pieces (16) | next piece (16); generation 0
     * is no job, and the stop is a job of no pieces with `stop` set */
    _Atomic uint64_t claim;
    atomic_int finished; /* pieces of the current job done */
    atomic_int sleepers; /* workers waiting on `wake` */
    atomic_int stop;
    lgn_range_fn fn;
    void *arg;
    int n, grain;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A spin-wait: spin_turn pauses once; every 256 turns it reads the clock
 * and yields the core when LGN_TEAM_YIELD has passed since the last yield
 * (see there). Returns the seconds since the wait's first look at the
 * clock (0 between looks). */
typedef struct {
    unsigned turns;
    double t0, yielded;
} spin;

static double spin_turn(spin *s)
{
    cpu_relax();
    if (++s->turns % 256 != 0) return 0;
    double t = now();
    if (s->t0 == 0) s->t0 = s->yielded = t;
    else if (t - s->yielded > LGN_TEAM_YIELD) sched_yield(), s->yielded = t;
    return t - s->t0;
}

/* Take and run pieces of generation gen until none is left. */
static void take_pieces(lgn_team *t, uint32_t gen)
{
    uint64_t w = atomic_load_explicit(&t->claim, memory_order_acquire);
    for (;;) {
        uint32_t pieces = (uint32_t)(w >> 16) & 0xffff, next = (uint32_t)w & 0xffff;
        if ((uint32_t)(w >> 32) != gen || next >= pieces) return;
        if (!atomic_compare_exchange_weak_explicit(&t->claim, &w, w + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        /* The job cannot end before this piece is done: fn, arg, n and
         * grain are this generation's. */
        int lo = (int)next * t->grain, hi = t->n - lo > t->grain ? lo + t->grain : t->n; /* lo < n: no overflow */
        t->fn(t->arg, lo, hi);
        atomic_fetch_add_explicit(&t->finished, 1, memory_order_release);
        w = atomic_load_explicit(&t->claim, memory_order_acquire);
    }
}

static void *work(void *p)
{
    lgn_team *t = p;
    uint32_t seen = 0;
    for (;;) {
        uint32_t g;
        spin sp = {0, 0, 0};
        while ((g = (uint32_t)(atomic_load_explicit(&t->claim, memory_order_acquire) >> 32)) == seen) {
            if (spin_turn(&sp) > LGN_TEAM_SPIN) {
                /* sleepers, then the claim word (publish: the other way
                 * round), both sequentially consistent: either this worker
                 * sees the new job or the publisher sees it asleep */
                pthread_mutex_lock(&t->mu);
                atomic_fetch_add(&t->sleepers, 1);
                while ((g = (uint32_t)(atomic_load(&t->claim) >> 32)) == seen) pthread_cond_wait(&t->wake, &t->mu);
                atomic_fetch_sub(&t->sleepers, 1);
                pthread_mutex_unlock(&t->mu);
                break;
            }
        }
        seen = g;
        if (atomic_load(&t->stop)) return NULL;
        take_pieces(t, g);
    }
}

/* A new generation of `pieces` pieces (0 for the stop), workers woken. */
static uint32_t publish(lgn_team *t, uint32_t pieces)
{
    uint32_t gen = (uint32_t)(atomic_load(&t->claim) >> 32) + 1;
    if (gen == 0) gen = 1;
    atomic_store(&t->finished, 0);
    atomic_store(&t->claim, (uint64_t)gen << 32 | (uint64_t)pieces << 16);
    if (atomic_load(&t->sleepers) > 0) {
        pthread_mutex_lock(&t->mu);
        pthread_cond_broadcast(&t->wake);
        pthread_mutex_unlock(&t->mu);
    }
    return gen;
}

void lgn_team_for(lgn_team *t, int n, int grain, lgn_range_fn fn, void *arg)
{
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    long pieces = (n + (long)grain - 1) / grain;
    if (!t || t->threads < 2 || pieces < 2) {
        fn(arg, 0, n);
        return;
    }
    if (pieces > MAX_PIECES) {
        grain = (int)((n + (long)MAX_PIECES - 1) / MAX_PIECES);
        pieces = (n + (long)grain - 1) / grain;
    }
    t->fn = fn, t->arg = arg, t->n = n, t->grain = grain;
    uint32_t gen = publish(t, (uint32_t)pieces);
    take_pieces(t, gen);
    /* what is left: pieces a worker took and is still running */
    spin sp = {0, 0, 0};
    while (atomic_load_explicit(&t->finished, memory_order_acquire) < pieces) spin_turn(&sp);
}

static void stop_workers(lgn_team *t, int started)
{
    atomic_store(&t->stop, 1);
    publish(t, 0);
    for (int i = 0; i < started; i++) pthread_join(t->th[i], NULL);
}

int lgn_team_create(int threads, lgn_team **out, char *err, size_t errsz)
{
    if (out) *out = NULL;
    if (!out || threads < 1 || threads > LGN_TEAM_MAX) {
        if (err && errsz)
            snprintf(err, errsz, "lgn_team_create: threads must be in [1, %d], found %d", LGN_TEAM_MAX, threads);
        return -1;
    }
    lgn_team *t = calloc(1, sizeof *t);
    if (t) t->th = calloc((size_t)threads, sizeof *t->th);
    if (!t || !t->th) {
        if (t) free(t->th);
        free(t);
        if (err && errsz) snprintf(err, errsz, "lgn_team_create: out of memory");
        return -1;
    }
    t->threads = threads;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->wake, NULL);
    atomic_init(&t->claim, 0);
    atomic_init(&t->finished, 0);
    atomic_init(&t->sleepers, 0);
    atomic_init(&t->stop, 0);
    for (int i = 1; i < threads; i++)
        if (pthread_create(&t->th[i - 1], NULL, work, t)) {
            stop_workers(t, i - 1);
            t->threads = 1;
            lgn_team_free(t);
            if (err && errsz) snprintf(err, errsz, "lgn_team_create: could not start thread %d of %d", i + 1, threads);
            return -1;
        }
    *out = t;
    return 0;
}

void lgn_team_free(lgn_team *t)
{
    if (!t) return;
    if (t->threads > 1) stop_workers(t, t->threads - 1);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->wake);
    free(t->th);
    free(t);
}

int lgn_team_threads(const lgn_team *t) { return t ? t->threads : 1; }

typedef struct {
    int N, K;
    const float *A;
    ptrdiff_t ars, acs;
    const float *B;
    ptrdiff_t ldb;
    float *C;
    ptrdiff_t ldc;
} gemm_job;

static void gemm_rows(void *arg, int lo, int hi)
{
    const gemm_job *g = arg;
    lgn_gemm(hi - lo, g->N, g->K, g->A + (ptrdiff_t)lo * g->ars, g->ars, g->acs, g->B, g->ldb,
             g->C + (ptrdiff_t)lo * g->ldc, g->ldc);
}

int lgn_team_grain(const lgn_team *t, int M)
{
    /* about four pieces a thread, of whole 16-row tiles */
    int per = (M + 4 * lgn_team_threads(t) - 1) / (4 * lgn_team_threads(t));
    return per < 16 ? 16 : (per + 15) / 16 * 16;
}

void lgn_team_gemm(lgn_team *t, int M, int N, int K, const float *A, ptrdiff_t ars, ptrdiff_t acs, const float *B,
                   ptrdiff_t ldb, float *C, ptrdiff_t ldc)
{
    if (!t || t->threads < 2 || (int64_t)M * N * K < LGN_TEAM_MIN_MACS) {
        lgn_gemm(M, N, K, A, ars, acs, B, ldb, C, ldc);
        return;
    }
    gemm_job g = {N, K, A, ars, acs, B, ldb, C, ldc};
    lgn_team_for(t, M, lgn_team_grain(t, M), gemm_rows, &g);
}
