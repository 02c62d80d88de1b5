/* ws_mpi: Open MPI for the commands that spread work over ranks (sweep, what-if simulate), when built
 * with it (WS_HAVE_MPI) and started by a launcher (mpirun, srun); otherwise one rank, and every call is
 * a no-op. MPI is initialised here and nowhere else. */
#ifndef WS_MPI_H
#define WS_MPI_H

#include <stddef.h>

/* MPI_Init when a launcher started this process (its environment says so) and nobody did yet. */
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

#endif
