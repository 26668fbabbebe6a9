/* `livegym run` under mpirun (docs/sweeps.md): the ranks share the jobs of
 * one experiment through lgx_dispatch (tools/lab/lgx_dispatch.h); rank 0
 * hands them out and writes the results folder. Without Open MPI at build
 * time, or when not started by mpirun, every function here says "one
 * process" and the run is the plain one. */
#ifndef LG_MPI_RUN_H
#define LG_MPI_RUN_H

#include <signal.h>
#include <stddef.h>

#include "lgx_dispatch.h"

/* Join the MPI job when started by mpirun (else nothing); stop is the
 * process's stop flag, set when rank 0 stops the run. 0, or -1 with a
 * message. */
int lg_mpi_start(volatile sig_atomic_t *stop, char *err, size_t errsz);
int lg_mpi_rank(void);  /* 0 when not under MPI */
int lg_mpi_size(void);  /* 1 when not under MPI */
/* Ranks on this node (for the default thread count). */
int lg_mpi_local_ranks(void);
/* Every rank states whether it loaded the experiment (ok) and the hash of
 * what it loaded; 0 when all loaded the same, -1 with a message (for rank
 * 0 to print) when one could not or one loaded another. */
int lg_mpi_agree(int ok, unsigned long long hash, char *err, size_t errsz);
/* The transport for lgx_run_config.dispatch; NULL with one process. */
const lgx_dispatch *lg_mpi_dispatch(void);
/* After lgx_run on a rank other than 0: tell rank 0 this rank is done
 * (failed: its run failed; rank 0 then fails the run too). */
void lg_mpi_done(int failed);
/* Leave the MPI job (rank 0 failing while other ranks still wait for jobs
 * stops them all). */
void lg_mpi_finish(int failed);

#endif
