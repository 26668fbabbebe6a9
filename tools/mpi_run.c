/* The MPI transport of `livegym run` (mpi_run.h). Rank 0's main thread
 * answers the others between its own looks at the run (lgx_dispatch's
 * serve, polled without blocking, so it never spins a core); on the other
 * ranks any worker thread may ask for jobs or send one back, one at a time
 * (a mutex: MPI_THREAD_SERIALIZED is all this needs).
 *
 * To rank 0: REQ (a rank's threads want work; answered by JOBS, up to CHUNK
 * ints, none when none is left: the rank queues them for its threads),
 * RESULT (int job, then lgx_dispatch's payload) and BYE (int: the rank's run
 * failed; answered by ACK; once its results are in, the jobs it held and did
 * not finish go back to the others). From rank 0: STOP (the run failed or was
 * stopped: drop the queued jobs), sent at most once to a rank before its
 * BYE; a rank reads until the ACK after its BYE, so nothing is left
 * unreceived when it leaves. Rank 0 receives results without blocking
 * (matched probe, then MPI_Imrecv): a large result over a transport that
 * needs its sender's help must not hold up the answers to the others. */
#include "mpi_run.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef LG_HAVE_MPI
#include <mpi.h>
#include <pthread.h>

enum { TAG_REQ = 11, TAG_JOBS, TAG_RESULT, TAG_BYE, TAG_ACK, TAG_STOP };
#define CHUNK 256
#define IN_FLIGHT 64 /* results a rank may have on their way */
#define PENDING 1024 /* results rank 0 may be receiving at once */

static int g_on, g_rank, g_size, g_local = 1;
static volatile sig_atomic_t *g_stop; /* this process's stop flag (livegym run's) */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

/* Another rank: its queue of claimed jobs, its sends in flight. */
static int g_queue[CHUNK], g_queued, g_taken, g_halted;
static MPI_Request g_req[IN_FLIGHT];
static void *g_buf[IN_FLIGHT];

/* Rank 0: who has said goodbye or been told to stop, receives in progress. */
static unsigned char *g_bye, *g_stopped, *g_gone; /* gone: its leaving told to the run */
static MPI_Request *g_stop_req; /* STOP sent without waiting: the rank may be waiting for JOBS */
static const int g_one = 1;
static int g_byes, g_pending;
static struct {
    MPI_Request req;
    unsigned char *buf;
    int n, source;
} g_in[PENDING];

/* Free the sends rank 0 has taken; with `all`, wait for every one. */
static int settle(int all)
{
    for (int k = 0; k < IN_FLIGHT; k++) {
        if (!g_buf[k]) continue;
        int done = 0;
        if ((all ? MPI_Wait(&g_req[k], MPI_STATUS_IGNORE) : MPI_Test(&g_req[k], &done, MPI_STATUS_IGNORE)) !=
            MPI_SUCCESS)
            return -1;
        if (all || done) free(g_buf[k]), g_buf[k] = NULL;
    }
    return 0;
}

/* A free place for a send, waiting for the oldest when all are in flight. */
static int free_place(void)
{
    for (int k = 0; k < IN_FLIGHT; k++)
        if (!g_buf[k]) return k;
    if (MPI_Wait(&g_req[0], MPI_STATUS_IGNORE) != MPI_SUCCESS) return -1;
    free(g_buf[0]), g_buf[0] = NULL;
    return 0;
}

/* Started by a launcher: Open MPI's mpirun, or a PMI/PMIx one (Slurm's srun). */
static int launched(void) { return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK"); }

int lg_mpi_start(volatile sig_atomic_t *stop, char *err, size_t errsz)
{
    g_stop = stop;
    if (!launched()) return 0;
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        return snprintf(err, errsz, "MPI_Init_thread failed"), -1;
    g_on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    MPI_Comm node; /* the ranks sharing this node's memory, whatever the launcher */
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &g_local);
        MPI_Comm_free(&node);
    }
    g_bye = calloc((size_t)g_size, 1), g_stopped = calloc((size_t)g_size, 1), g_gone = calloc((size_t)g_size, 1);
    g_stop_req = calloc((size_t)g_size, sizeof *g_stop_req);
    if (!g_bye || !g_stopped || !g_gone || !g_stop_req)
        return lg_mpi_finish(0), snprintf(err, errsz, "out of memory"), -1;
    if (provided < MPI_THREAD_SERIALIZED)
        return lg_mpi_finish(0),
               snprintf(err, errsz, "this MPI library gives thread level %d; livegym needs MPI_THREAD_SERIALIZED",
                        provided),
               -1;
    return 0;
}

int lg_mpi_rank(void) { return g_rank; }
int lg_mpi_size(void) { return g_on ? g_size : 1; }
int lg_mpi_local_ranks(void) { return g_local > 0 ? g_local : 1; }

int lg_mpi_agree(int ok, unsigned long long hash, char *err, size_t errsz)
{
    if (!g_on || g_size == 1) return 0;
    int all_ok = 0;
    unsigned long long lo = 0, hi = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&hash, &lo, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&hash, &hi, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
    if (!all_ok)
        return snprintf(err, errsz, "another rank could not load the experiment: each rank reads the file and its "
                                    "folder on its own node (livegym validate there says why)"),
               -1;
    if (lo != hi)
        return snprintf(err, errsz, "the ranks loaded different experiments: is the scenario file (and every flag) "
                                    "the same on every node?"),
               -1;
    return 0;
}

/* Rank 0: the results whose receive has completed, to the run. */
static void take_results(const lgx_dispatch_root *r)
{
    for (int k = 0; k < g_pending;) {
        int done = 0;
        MPI_Test(&g_in[k].req, &done, MPI_STATUS_IGNORE);
        if (!done) {
            k++;
            continue;
        }
        int j;
        char e[1500]; /* a refused result fails the run (accept says why) */
        memcpy(&j, g_in[k].buf, sizeof j);
        r->accept(r->run, g_in[k].source, j, g_in[k].buf + sizeof j, (size_t)g_in[k].n - sizeof j, e, sizeof e);
        free(g_in[k].buf);
        g_in[k] = g_in[--g_pending];
    }
}

/* Rank 0: one message of another rank (matched by the probe). */
static int take_message(const lgx_dispatch_root *r, MPI_Message *msg, const MPI_Status *st, char *err, size_t errsz)
{
    int from = st->MPI_SOURCE, n = 0, x = 0;
    if (st->MPI_TAG == TAG_RESULT) {
        MPI_Get_count(st, MPI_BYTE, &n);
        unsigned char *b = n >= (int)sizeof(int) && g_pending < PENDING ? malloc((size_t)n) : NULL;
        if (!b)
            return snprintf(err, errsz, "rank %d: a result of %d bytes %s", from, n,
                            n < (int)sizeof(int) ? "(too short)" : "that cannot be received (out of memory)"),
                   -1;
        g_in[g_pending].buf = b, g_in[g_pending].n = n, g_in[g_pending].source = from;
        MPI_Imrecv(b, n, MPI_BYTE, msg, &g_in[g_pending++].req);
        return 0;
    }
    if (st->MPI_TAG != TAG_REQ && st->MPI_TAG != TAG_BYE)
        return snprintf(err, errsz, "an MPI message of unknown tag %d from rank %d", st->MPI_TAG, from), -1;
    MPI_Mrecv(&x, 1, MPI_INT, msg, MPI_STATUS_IGNORE);
    if (st->MPI_TAG == TAG_REQ) {
        int jobs[CHUNK];
        int k = r->claim(r->run, from, g_size, jobs, CHUNK);
        MPI_Send(jobs, k, MPI_INT, from, TAG_JOBS, MPI_COMM_WORLD);
        return 0;
    }
    g_bye[from] = (unsigned char)(1 + (x != 0)), g_byes++; /* 2: its run failed */
    if (g_stopped[from]) MPI_Wait(&g_stop_req[from], MPI_STATUS_IGNORE); /* it reads it before the ACK */
    MPI_Send(&x, 1, MPI_INT, from, TAG_ACK, MPI_COMM_WORLD);
    return 0;
}

static int serve(void *ctx, const lgx_dispatch_root *r, int *handled, char *err, size_t errsz)
{
    (void)ctx;
    for (*handled = 0;; ++*handled) {
        int flag = 0;
        MPI_Message msg;
        MPI_Status st;
        if (MPI_Improbe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &msg, &st) != MPI_SUCCESS)
            return snprintf(err, errsz, "MPI_Improbe failed"), -1;
        if (!flag) break;
        if (take_message(r, &msg, &st, err, errsz)) return -1;
        if (g_pending == PENDING) take_results(r);
        if (g_pending == PENDING) break; /* the rest at the next look */
    }
    take_results(r);
    for (int k = 1; k < g_size; k++) { /* a rank that left, once its last results are in */
        int pending = 0;
        for (int i = 0; i < g_pending; i++) pending |= g_in[i].source == k;
        if (g_bye[k] && !g_gone[k] && !pending) r->leave(r->run, k, g_bye[k] == 2), g_gone[k] = 1;
    }
    if (r->halted(r->run)) /* the ranks still at work drop what they queued */
        for (int k = 1; k < g_size; k++)
            if (!g_bye[k] && !g_stopped[k]) {
                MPI_Isend(&g_one, 1, MPI_INT, k, TAG_STOP, MPI_COMM_WORLD, &g_stop_req[k]);
                g_stopped[k] = 1;
            }
    return g_byes == g_size - 1 && g_pending == 0;
}

/* Another rank: has rank 0 said stop? Then drop the queue and stop the
 * running jobs at their next check, as Ctrl-C would. (g_mu held) */
static void look_for_stop(void)
{
    int flag = 0, x;
    MPI_Iprobe(0, TAG_STOP, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
    if (!flag) return;
    MPI_Recv(&x, 1, MPI_INT, 0, TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    g_halted = 1;
    if (g_stop) *g_stop = 1;
}

static int claim(void *ctx)
{
    (void)ctx;
    int j = -1, x = 0;
    pthread_mutex_lock(&g_mu);
    look_for_stop();
    if (!g_halted && g_taken == g_queued) {
        MPI_Status st;
        g_taken = g_queued = 0;
        if (MPI_Send(&x, 1, MPI_INT, 0, TAG_REQ, MPI_COMM_WORLD) == MPI_SUCCESS &&
            MPI_Recv(g_queue, CHUNK, MPI_INT, 0, TAG_JOBS, MPI_COMM_WORLD, &st) == MPI_SUCCESS)
            MPI_Get_count(&st, MPI_INT, &g_queued);
    }
    if (!g_halted && g_taken < g_queued) j = g_queue[g_taken++];
    pthread_mutex_unlock(&g_mu);
    return j;
}

static int deliver(void *ctx, int job, const void *payload, size_t len)
{
    (void)ctx;
    if (len > (size_t)0x7fffffff - sizeof job) return -1;
    unsigned char *b = malloc(sizeof job + len);
    if (!b) return -1;
    memcpy(b, &job, sizeof job);
    memcpy(b + sizeof job, payload, len);
    pthread_mutex_lock(&g_mu);
    int k = settle(0) ? -1 : free_place(), rc = -1;
    if (k >= 0 && MPI_Isend(b, (int)(sizeof job + len), MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD, &g_req[k]) ==
                      MPI_SUCCESS)
        g_buf[k] = b, rc = 0;
    pthread_mutex_unlock(&g_mu);
    if (rc) free(b);
    return rc;
}

/* From a running job now and then: move this rank's sends along (some
 * transports need the sender's calls), unless another thread is in MPI. */
static void nudge(void *ctx)
{
    (void)ctx;
    if (pthread_mutex_trylock(&g_mu)) return;
    settle(0);
    look_for_stop();
    pthread_mutex_unlock(&g_mu);
}

static lgx_dispatch g_dispatch;

const lgx_dispatch *lg_mpi_dispatch(void)
{
    if (!g_on || g_size == 1) return NULL;
    g_dispatch = (lgx_dispatch){g_rank == 0, NULL, serve, claim, deliver, nudge};
    return &g_dispatch;
}

void lg_mpi_done(int failed)
{
    if (!g_on || g_size == 1 || g_rank == 0) return;
    int x = failed != 0;
    MPI_Status st;
    pthread_mutex_lock(&g_mu);
    settle(1); /* every result before the goodbye (messages from one rank arrive in order) */
    MPI_Send(&x, 1, MPI_INT, 0, TAG_BYE, MPI_COMM_WORLD);
    do /* a STOP may come before the ACK */
        MPI_Recv(&x, 1, MPI_INT, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    while (st.MPI_TAG != TAG_ACK);
    pthread_mutex_unlock(&g_mu);
}

void lg_mpi_finish(int failed)
{
    if (!g_on) return;
    /* Rank 0 failing before the others are done would leave them waiting for jobs. */
    if (failed && g_rank == 0 && g_size > 1 && g_byes < g_size - 1) MPI_Abort(MPI_COMM_WORLD, failed);
    MPI_Finalize();
    free(g_bye), free(g_stopped), free(g_gone), free(g_stop_req);
    g_bye = g_stopped = g_gone = NULL;
    g_stop_req = NULL;
    g_on = 0;
}

#else /* built without MPI: always one process */

/* Under mpirun every rank would run the whole experiment into the same
 * folder: say so instead. */
int lg_mpi_start(volatile sig_atomic_t *stop, char *err, size_t errsz)
{
    (void)stop;
    const char *n = getenv("OMPI_COMM_WORLD_SIZE") ? getenv("OMPI_COMM_WORLD_SIZE") : getenv("PMI_SIZE");
    if (!n || atoi(n) <= 1) return 0;
    snprintf(err, errsz, "started as one of %d MPI ranks, but this livegym was built without MPI (install Debian's "
                         "libopenmpi-dev and rebuild: make does both)", atoi(n));
    return -1;
}
int lg_mpi_rank(void) { return 0; }
int lg_mpi_size(void) { return 1; }
int lg_mpi_local_ranks(void) { return 1; }
int lg_mpi_agree(int ok, unsigned long long hash, char *err, size_t errsz)
{
    (void)ok, (void)hash, (void)err, (void)errsz;
    return 0;
}
const lgx_dispatch *lg_mpi_dispatch(void) { return NULL; }
void lg_mpi_done(int failed) { (void)failed; }
void lg_mpi_finish(int failed) { (void)failed; }

#endif
