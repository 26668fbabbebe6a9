/* The MPI transport of `livegym run` (mpi_run.h). Rank 0's main thread
 * answers the others between its own looks at the run (lgx_dispatch's
 * serve, polled without blocking, so it never spins a core); on the other
 * ranks any worker thread may ask for a job or send one back, one at a time
 * (a mutex: MPI_THREAD_SERIALIZED is all this needs).
 *
 * Messages to rank 0: REQ (a thread wants a job; answered by JOB, an int,
 * -1 when none is left), RESULT (int job, then lgx_dispatch's payload) and
 * BYE (the rank's run is over). */
#include "mpi_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef LG_HAVE_MPI
#include <mpi.h>
#include <pthread.h>

enum { TAG_REQ = 11, TAG_JOB, TAG_RESULT, TAG_BYE };

static int g_on, g_rank, g_size, g_byes;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

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
    if (!all_ok) return snprintf(err, errsz, "a rank could not load the experiment (its message is above)"), -1;
    if (lo != hi)
        return snprintf(err, errsz, "the ranks loaded different experiments: is the scenario file (and every flag) "
                                    "the same on every node?"),
               -1;
    return 0;
}

static int serve(void *ctx, const lgx_dispatch_root *r, char *err, size_t errsz)
{
    (void)ctx;
    for (;;) {
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
            int j = r->claim(r->run);
            MPI_Send(&j, 1, MPI_INT, st.MPI_SOURCE, TAG_JOB, MPI_COMM_WORLD);
        } else if (st.MPI_TAG == TAG_RESULT) {
            int n = 0;
            MPI_Get_count(&st, MPI_BYTE, &n);
            unsigned char *b = malloc(n > 0 ? (size_t)n : 1);
            if (!b) return snprintf(err, errsz, "out of memory for a result of %d bytes from rank %d", n, st.MPI_SOURCE), -1;
            MPI_Recv(b, n, MPI_BYTE, st.MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            int j = -1;
            if (n >= (int)sizeof j) memcpy(&j, b, sizeof j);
            char e[1500]; /* a refused result fails the run (accept says why) */
            if (n >= (int)sizeof j) r->accept(r->run, st.MPI_SOURCE, j, b + sizeof j, (size_t)n - sizeof j, e, sizeof e);
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
    if (MPI_Send(&x, 1, MPI_INT, 0, TAG_REQ, MPI_COMM_WORLD) != MPI_SUCCESS ||
        MPI_Recv(&j, 1, MPI_INT, 0, TAG_JOB, MPI_COMM_WORLD, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        j = -1;
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
    int rc = MPI_Send(b, (int)(sizeof job + len), MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
    pthread_mutex_unlock(&g_mu);
    free(b);
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

int lg_mpi_start(char *err, size_t errsz)
{
    (void)err, (void)errsz;
    return 0;
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
