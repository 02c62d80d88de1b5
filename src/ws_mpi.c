/* ws_mpi: see ws_mpi.h. */
#include "ws_mpi.h"

#include <limits.h>
#include <stdlib.h>

#ifdef WS_HAVE_MPI
#include <mpi.h>
static int mpi_started_here;

static int mpi_on(void)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    return init && !fin;
}
#endif

void ws_mpi_begin(int *argc, char ***argv)
{
#ifdef WS_HAVE_MPI
    static const char *const launcher_env[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", NULL};
    int launched = 0, init = 0;
    for (int i = 0; launcher_env[i]; i++)
        launched |= getenv(launcher_env[i]) != NULL;
    MPI_Initialized(&init);
    if (launched && !init) {
        MPI_Init(argc, argv);
        mpi_started_here = 1;
    }
#else
    (void)argc, (void)argv;
#endif
}

void ws_mpi_end(void)
{
#ifdef WS_HAVE_MPI
    if (mpi_started_here && mpi_on())
        MPI_Finalize();
    mpi_started_here = 0;
#endif
}

int ws_mpi_rank(void)
{
    int r = 0;
#ifdef WS_HAVE_MPI
    if (mpi_on())
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
#endif
    return r;
}

int ws_mpi_size(void)
{
    int n = 1;
#ifdef WS_HAVE_MPI
    if (mpi_on())
        MPI_Comm_size(MPI_COMM_WORLD, &n);
#endif
    return n;
}

int ws_mpi_all_ok(int ok)
{
    int all = ok;
#ifdef WS_HAVE_MPI
    if (mpi_on())
        MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
#endif
    return all;
}

int ws_mpi_to_root(int owner, void *buf, size_t len)
{
#ifdef WS_HAVE_MPI
    enum { TAG_TO_ROOT = 77 };
    int rank = ws_mpi_rank();
    if (owner == 0 || len > INT_MAX || (rank != owner && rank != 0))
        return len > INT_MAX ? -1 : 0;
    if (rank == owner)
        return MPI_Send(buf, (int)len, MPI_BYTE, 0, TAG_TO_ROOT, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
    return MPI_Recv(buf, (int)len, MPI_BYTE, owner, TAG_TO_ROOT, MPI_COMM_WORLD, MPI_STATUS_IGNORE) == MPI_SUCCESS ? 0
                                                                                                            : -1;
#else
    (void)owner, (void)buf, (void)len;
    return 0;
#endif
}

void ws_mpi_bcast_int(int *v)
{
#ifdef WS_HAVE_MPI
    if (mpi_on())
        MPI_Bcast(v, 1, MPI_INT, 0, MPI_COMM_WORLD);
#else
    (void)v;
#endif
}
