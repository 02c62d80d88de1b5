/* ws_mpi: Open MPI for the commands that spread work over ranks (sweep, what-if simulate), when built
 * with it (WS_HAVE_MPI) and started by a launcher (mpirun, srun); otherwise one rank, and every call is
 * a no-op. MPI is initialised here and nowhere else. ws_mpi_farm_run is the one scheduler: tasks handed
 * out one at a time in a given order (costliest first) to whichever rank is free, rank 0 computing too. */
#ifndef WS_MPI_H
#define WS_MPI_H

#include <stddef.h>

/* MPI_Init_thread (MPI_THREAD_FUNNELED: only the main thread calls MPI) when a launcher started this
 * process (its environment says so) and nobody did yet. */
void ws_mpi_begin(int *argc, char ***argv);
/* MPI_Finalize when ws_mpi_begin initialised it. */
void ws_mpi_end(void);
int ws_mpi_rank(void);
int ws_mpi_size(void);
/* Every rank's ok (1/0) combined: 1 when all are ok. Also a barrier. */
int ws_mpi_all_ok(int ok);
/* Rank `owner` sends len bytes of buf to rank 0, which receives them into buf (others: nothing).
 * Calls for one owner must come in the same order on both sides. Returns 0, or -1 on an MPI error. */
int ws_mpi_to_root(int owner, void *buf, size_t len);
/* Rank 0's *v on every rank. */
void ws_mpi_bcast_int(int *v);

/* Where one rank's time went during ws_mpi_farm_run. */
typedef struct {
    double compute_s; /* inside run() */
    double wait_s;    /* waiting for the next task (a worker blocked in its receive; rank 0's computing
                       * thread waiting for the queue) */
    double comm_s;    /* sending results (workers); receiving results and sending tasks (rank 0) */
    long tasks;       /* tasks this rank ran */
} ws_mpi_times;

typedef struct {
    long n_tasks;
    const long *order; /* dispatch order, a permutation of 0..n_tasks-1 (NULL: 0, 1, 2, ...) */
    /* Run task k (on any rank, on rank 0 in a second thread): a malloc'd result of *len bytes, or NULL
     * when it could not be made (out of memory). It must not touch what deliver touches. */
    void *(*run)(void *ctx, long k, size_t *len);
    /* Task k's result, on rank 0's main thread only, in the order results come in; the callee owns buf.
     * Returns 0, or -1 to stop the farm. */
    int (*deliver)(void *ctx, long k, void *buf, size_t len);
    void *ctx;
} ws_mpi_farm;

/* Run every task once over all ranks; collective (every rank calls it with the same n_tasks). One rank
 * (no MPI, or one process): run then deliver, task after task in order. Several: rank 0's main thread
 * hands tasks out one at a time in `order` to each rank that returns a result, and gathers the results
 * as they come (it polls, every 50 us to 1 ms, instead of computing, so no rank waits for it), while a second
 * thread on rank 0 computes tasks from the same queue (without MPI_THREAD_FUNNELED, rank 0 only
 * schedules). times: NULL, or room for ws_mpi_size() entries, filled on rank 0 with every rank's times.
 * Returns 0 on every rank, or -1 (a failed send or receive, memory, a run that returned NULL, a deliver
 * that refused); rank 0 then has delivered only part of the results. */
int ws_mpi_farm_run(const ws_mpi_farm *f, ws_mpi_times *times);

#endif
