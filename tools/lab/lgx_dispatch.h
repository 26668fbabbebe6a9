/* Jobs shared between processes: an MPI run (tools/mpi.c, docs/sweeps.md).
 * The library knows no MPI; the transport is a few callbacks. The root
 * process runs lgx_run as a single process would, and its main loop lets
 * serve() answer the other processes: they take jobs from the same sequence
 * the root's own threads take them from (so the balance is dynamic), and
 * send each finished job back as a payload the root stores as if it had
 * run the job itself. Only the root writes the results folder; the others
 * write nothing there but their jobs' mid-run checkpoints (so the folder
 * must be on a filesystem every process sees). The results are
 * byte-identical to one process's: a job's numbers depend only on its
 * (agent, seed) and travel exactly. */
#ifndef LGX_DISPATCH_H
#define LGX_DISPATCH_H

#include <stddef.h>

typedef struct lgx_run_config lgx_run_config;
typedef struct lgx_run_result lgx_run_result;

/* What serve() may do on the root, for the other processes. */
typedef struct lgx_dispatch_root {
    void *run;
    /* Jobs for process `rank` (of `processes` in all): up to cap of them
     * into jobs[], how many; 0 when none is left (all handed out, or the
     * run stopped or failed). */
    int (*claim)(void *run, int rank, int processes, int *jobs, int cap);
    /* A job another process finished, as its payload: stored (and written)
     * as the root's own (rank: the process that ran it). 0, or -1 with a message: the job failed there (its
     * message), or the payload is refused; the run then fails. */
    int (*accept)(void *run, int rank, int job, const void *payload, size_t len, char *err, size_t errsz);
    /* Process `rank` has left, after every result it sent was accepted:
     * with a failure of its own (its message is on its stderr), the run
     * fails; else the jobs it held but did not finish (it was stopped
     * alone) go back to the others. */
    void (*leave)(void *run, int rank, int failed);
    /* Has the run failed or been stopped? Then the others should drop the
     * jobs they hold and end. */
    int (*halted)(void *run);
} lgx_dispatch_root;

typedef struct lgx_dispatch {
    int root; /* 1: this process hands out the jobs and writes the results; 0: it runs jobs only */
    void *ctx;
    /* Root: answer whatever has arrived, without waiting (*handled: how
     * many messages). 1 once every other process has finished, 0 while one
     * still runs, -1 with a message when the transport fails. */
    int (*serve)(void *ctx, const lgx_dispatch_root *r, int *handled, char *err, size_t errsz);
    /* Others: the next job from the root (-1: none left), and a job's
     * payload to it (0, or -1 when the transport fails). */
    int (*claim)(void *ctx);
    int (*deliver)(void *ctx, int job, const void *payload, size_t len);
    /* Others: called now and then from a running job (any thread); may move
     * this process's messages along. NULL: nothing to do. */
    void (*nudge)(void *ctx);
} lgx_dispatch;

/* The payload of finished job j of res (malloc'd into *out), or of a job
 * that failed with msg. 0, or -1 when out of memory. */
int lgx_job_payload(const lgx_run_config *cfg, const lgx_run_result *res, int j, void **out, size_t *len);
int lgx_job_failure_payload(const char *msg, void **out, size_t *len);
/* On the root: job j from its payload into res (not yet counted as done).
 * 0, or -1 with a message (the job's failure, or what is wrong with the
 * payload). */
int lgx_job_accept(const lgx_run_config *cfg, lgx_run_result *res, int j, const void *p, size_t len, char *err,
                   size_t errsz);

#endif
