/* The MPI transport of `livegym run` (mpi_run.h). Rank 0's main thread
 * answers the others between its own looks at the run (lgx_dispatch's
 * serve, polled without blocking, so it never spins a core); on the other
 * ranks any worker thread may ask for a job or send one back, one at a time
 * (a mutex: MPI_THREAD_SERIALIZED is all this needs).
 *
 * Messages to rank 0: REQ (a rank's threads want work; answered by JOBS,
 * up to CHUNK ints, none when none is left: the rank queues them for its
 * threads), RESULT (int job, then lgx_dispatch's payload) and BYE (the
 * rank's run is over). */
#include "mpi_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef LG_HAVE_MPI
#include <mpi.h>
#include <pthread.h>

enum { TAG_REQ = 11, TAG_JOBS, TAG_RESULT, TAG_BYE };
#define CHUNK 256

static int g_on, g_rank, g_size, g_byes;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_queue[CHUNK], g_queued, g_taken; /* a rank's claimed jobs, not yet started */
/* Results on their way to rank 0: a thread hands one over and goes on
 * (rank 0 takes it at its next look, up to a millisecond later). */
#define IN_FLIGHT 64
static MPI_Request g_req[IN_FLIGHT];
static void *g_buf[IN_FLIGHT];

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

int lg_mpi_start(char *err, size_t errsz)
{
    if (!launched()) return 0;
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        return snprintf(err, errsz, "MPI_Init_thread failed"), -1;
    g_on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    if (provided < MPI_THREAD_SERIALIZED)
        return snprintf(err, errsz, "this MPI library gives thread level %d; livegym needs MPI_THREAD_SERIALIZED",
                        provided),
               -1;
    return 0;
}

int lg_mpi_rank(void) { return g_rank; }
int lg_mpi_size(void) { return g_on ? g_size : 1; }

int lg_mpi_local_ranks(void)
{
    const char *s = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    int n = s ? atoi(s) : 1;
    return n > 0 ? n : 1;
}

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

static int serve(void *ctx, const lgx_dispatch_root *r, int *handled, char *err, size_t errsz)
{
    (void)ctx;
    for (*handled = 0;; ++*handled) {
        int flag = 0;
        MPI_Status st;
        if (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS)
            return snprintf(err, errsz, "MPI_Iprobe failed"), -1;
        if (!flag) break;
        if (st.MPI_TAG == TAG_REQ || st.MPI_TAG == TAG_BYE) {
            int x;
            MPI_Recv(&x, 1, MPI_INT, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (st.MPI_TAG == TAG_BYE) {
                g_byes++;
                continue;
            }
            int jobs[CHUNK];
            int n = r->claim(r->run, g_size, jobs, CHUNK);
            MPI_Send(jobs, n, MPI_INT, st.MPI_SOURCE, TAG_JOBS, MPI_COMM_WORLD);
        } else if (st.MPI_TAG == TAG_RESULT) {
            int n = 0;
            MPI_Get_count(&st, MPI_BYTE, &n);
            unsigned char *b = malloc(n > 0 ? (size_t)n : 1);
            if (!b)
                return snprintf(err, errsz, "out of memory for a result of %d bytes from rank %d", n, st.MPI_SOURCE),
                       -1;
            MPI_Recv(b, n, MPI_BYTE, st.MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            int j = -1;
            if (n >= (int)sizeof j) memcpy(&j, b, sizeof j);
            char e[1500]; /* a refused result fails the run (accept says why) */
            if (n >= (int)sizeof j)
                r->accept(r->run, st.MPI_SOURCE, j, b + sizeof j, (size_t)n - sizeof j, e, sizeof e);
            free(b);
        } else {
            return snprintf(err, errsz, "an MPI message of unknown tag %d from rank %d", st.MPI_TAG, st.MPI_SOURCE),
                   -1;
        }
    }
    return g_byes == g_size - 1;
}

static int claim(void *ctx)
{
    (void)ctx;
    int j = -1, x = 0;
    pthread_mutex_lock(&g_mu);
    if (g_taken == g_queued) {
        MPI_Status st;
        g_taken = g_queued = 0;
        if (MPI_Send(&x, 1, MPI_INT, 0, TAG_REQ, MPI_COMM_WORLD) == MPI_SUCCESS &&
            MPI_Recv(g_queue, CHUNK, MPI_INT, 0, TAG_JOBS, MPI_COMM_WORLD, &st) == MPI_SUCCESS)
            MPI_Get_count(&st, MPI_INT, &g_queued);
    }
    if (g_taken < g_queued) j = g_queue[g_taken++];
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

static lgx_dispatch g_dispatch;

const lgx_dispatch *lg_mpi_dispatch(void)
{
    if (!g_on || g_size == 1) return NULL;
    g_dispatch = (lgx_dispatch){g_rank == 0, NULL, serve, claim, deliver};
    return &g_dispatch;
}

void lg_mpi_done(void)
{
    if (!g_on || g_size == 1 || g_rank == 0) return;
    int x = 0;
    pthread_mutex_lock(&g_mu);
    settle(1); /* every result before the goodbye (messages from one rank arrive in order) */
    MPI_Send(&x, 1, MPI_INT, 0, TAG_BYE, MPI_COMM_WORLD);
    pthread_mutex_unlock(&g_mu);
}

void lg_mpi_finish(int failed)
{
    if (!g_on) return;
    /* Rank 0 failing before the others are done would leave them waiting for jobs. */
    if (failed && g_rank == 0 && g_size > 1 && g_byes < g_size - 1) MPI_Abort(MPI_COMM_WORLD, failed);
    MPI_Finalize();
    g_on = 0;
}

#else /* built without MPI: always one process */

/* Under mpirun every rank would run the whole experiment into the same
 * folder: say so instead. */
int lg_mpi_start(char *err, size_t errsz)
{
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
void lg_mpi_done(void) {}
void lg_mpi_finish(int failed) { (void)failed; }

#endif
