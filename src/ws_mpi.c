/* ws_mpi: see ws_mpi.h. Layout: start and end, small collectives, then the farm (serial; rank 0's
 * scheduler and computing thread; workers). */
#include "ws_mpi.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ws_util.h"

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
        int provided = MPI_THREAD_SINGLE;
        MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
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

/* ---- the farm ---- */

static long task_at(const ws_mpi_farm *f, long i) { return f->order ? f->order[i] : i; }

static int farm_serial(const ws_mpi_farm *f, ws_mpi_times *times)
{
    ws_mpi_times t = {0};
    int rc = 0;
    for (long i = 0; rc == 0 && i < f->n_tasks; i++) {
        long k = task_at(f, i);
        size_t len = 0;
        double t0 = ws_monotonic_s();
        void *buf = f->run(f->ctx, k, &len);
        t.compute_s += ws_monotonic_s() - t0;
        t.tasks++;
        rc = buf && f->deliver(f->ctx, k, buf, len) == 0 ? 0 : -1;
        if (!buf)
            break;
    }
    if (times)
        times[0] = t;
    return rc;
}

#ifdef WS_HAVE_MPI
enum { TAG_WORK = 11, TAG_STOP = 12, TAG_RESULT = 13, TAG_FAIL = 14 };

/* The farm's own communicator (a duplicate of MPI_COMM_WORLD, so its messages meet no other traffic),
 * with errors returned rather than fatal: a failed call stops the farm on every rank. Set while a farm
 * runs; only the main thread uses it. */
static MPI_Comm farm_comm = MPI_COMM_NULL;

typedef struct result {
    struct result *next;
    long k;
    void *buf;
    size_t len;
} result;

/* What rank 0's two threads share; mu guards every field below it. */
typedef struct {
    const ws_mpi_farm *f;
    pthread_mutex_t mu;
    long next;   /* position in the dispatch order */
    int stop;    /* hand out nothing more (a failure) */
    int failed;
    int local_done;
    result *head, *tail; /* results of the computing thread, not yet delivered */
    double compute_s;
    long tasks;
} shared;

/* The next task in dispatch order, or 0 when none is left (or the farm is stopping). */
static int take(shared *s, long *k)
{
    pthread_mutex_lock(&s->mu);
    int ok = !s->stop && s->next < s->f->n_tasks;
    if (ok)
        *k = task_at(s->f, s->next++);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

static void *local_worker(void *arg)
{
    shared *s = arg;
    long k;
    while (take(s, &k)) {
        size_t len = 0;
        double t0 = ws_monotonic_s();
        void *buf = s->f->run(s->f->ctx, k, &len);
        double dt = ws_monotonic_s() - t0;
        result *r = buf ? malloc(sizeof *r) : NULL;
        pthread_mutex_lock(&s->mu);
        s->compute_s += dt;
        s->tasks++;
        if (r) {
            *r = (result){NULL, k, buf, len};
            if (s->tail)
                s->tail->next = r;
            else
                s->head = r;
            s->tail = r;
        } else {
            s->failed = s->stop = 1;
        }
        pthread_mutex_unlock(&s->mu);
        if (!r) {
            free(buf);
            break;
        }
    }
    pthread_mutex_lock(&s->mu);
    s->local_done = 1;
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Deliver the computing thread's finished results. Returns how many. */
static long drain_local(shared *s)
{
    pthread_mutex_lock(&s->mu);
    result *r = s->head;
    s->head = s->tail = NULL;
    pthread_mutex_unlock(&s->mu);
    long n = 0;
    while (r) {
        result *next = r->next;
        if (s->f->deliver(s->f->ctx, r->k, r->buf, r->len) != 0) {
            pthread_mutex_lock(&s->mu);
            s->failed = s->stop = 1;
            pthread_mutex_unlock(&s->mu);
        }
        free(r);
        r = next;
        n++;
    }
    return n;
}

/* Give worker w its next task, or tell it to stop. Returns 1 when it got a task, 0 if told to stop, -1
 * on a failed send. */
static int hand_out(shared *s, int w, double *comm_s)
{
    long k = -1;
    int got = take(s, &k);
    double t0 = ws_monotonic_s();
    int rc = MPI_Send(&k, 1, MPI_LONG, w, got ? TAG_WORK : TAG_STOP, farm_comm);
    *comm_s += ws_monotonic_s() - t0;
    return rc != MPI_SUCCESS ? -1 : got;
}

/* Receive one result (there is one waiting: st from the probe) and deliver it. Returns 0 or -1. */
static int receive_result(shared *s, const MPI_Status *st)
{
    int len = 0;
    MPI_Get_count(st, MPI_BYTE, &len);
    char *buf = malloc(len > 0 ? (size_t)len : 1);
    int64_t k = -1;
    int rc = -1;
    if (buf && MPI_Recv(buf, len, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, farm_comm, MPI_STATUS_IGNORE) ==
                   MPI_SUCCESS &&
        st->MPI_TAG == TAG_RESULT && len >= (int)sizeof k) {
        memcpy(&k, buf, sizeof k);
        memmove(buf, buf + sizeof k, (size_t)len - sizeof k);
        rc = k >= 0 && k < s->f->n_tasks ? s->f->deliver(s->f->ctx, (long)k, buf, (size_t)len - sizeof k) : -1;
        buf = NULL; /* delivered (or refused): the callee owns it */
    } else if (!buf) {
        /* Out of memory: take the message off the wire anyway (a truncated receive, whose error is
         * returned, not fatal, on this communicator), and stop. */
        char tiny;
        MPI_Recv(&tiny, 1, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, farm_comm, MPI_STATUS_IGNORE);
    }
    free(buf);
    return rc;
}

static int farm_root(const ws_mpi_farm *f, int ranks, ws_mpi_times *mine, double *elapsed_s)
{
    shared s = {.f = f};
    char *busy = calloc((size_t)ranks, 1);
    if (!busy || pthread_mutex_init(&s.mu, NULL) != 0) {
        free(busy);
        return -1;
    }
    double t0 = ws_monotonic_s(), comm_s = 0;
    int n_busy = 0, failed = 0;
    for (int w = 1; w < ranks; w++) {
        int got = hand_out(&s, w, &comm_s);
        failed |= got < 0;
        busy[w] = got > 0;
        n_busy += got > 0;
    }
    int level = MPI_THREAD_SINGLE, threaded = 0;
    MPI_Query_thread(&level);
    pthread_t th;
    if (level >= MPI_THREAD_FUNNELED)
        threaded = pthread_create(&th, NULL, local_worker, &s) == 0;
    if (!threaded)
        s.local_done = 1; /* rank 0 only schedules */
    long nap_ns = 50000;
    for (;;) {
        long progressed = drain_local(&s);
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, farm_comm, &flag, &st);
        if (flag) {
            double t1 = ws_monotonic_s();
            int src = st.MPI_SOURCE;
            if (receive_result(&s, &st) != 0) {
                pthread_mutex_lock(&s.mu);
                s.failed = s.stop = 1;
                pthread_mutex_unlock(&s.mu);
            }
            comm_s += ws_monotonic_s() - t1;
            busy[src] = 0;
            n_busy--;
            int got = hand_out(&s, src, &comm_s);
            failed |= got < 0;
            busy[src] = got > 0;
            n_busy += got > 0;
            progressed++;
        }
        pthread_mutex_lock(&s.mu);
        int local_done = s.local_done && !s.head;
        pthread_mutex_unlock(&s.mu);
        if (local_done && n_busy == 0 && !drain_local(&s))
            break;
        /* Idle: sleep 50 us, doubling to 1 ms while nothing comes (a blocking receive would spin a core
         * that the computing thread needs, and waking 20000 times a second costs it a few percent). */
        if (progressed) {
            nap_ns = 50000;
        } else {
            struct timespec nap = {0, nap_ns};
            nanosleep(&nap, NULL);
            nap_ns = nap_ns < 1000000 ? nap_ns * 2 : 1000000;
        }
    }
    if (threaded)
        pthread_join(th, NULL);
    *elapsed_s = ws_monotonic_s() - t0;
    *mine = (ws_mpi_times){s.compute_s, *elapsed_s - s.compute_s, comm_s, s.tasks};
    failed |= s.failed || (!s.stop && s.next < f->n_tasks);
    pthread_mutex_destroy(&s.mu);
    free(busy);
    return failed ? -1 : 0;
}

static int farm_worker(const ws_mpi_farm *f, ws_mpi_times *mine, double *elapsed_s)
{
    double t_start = ws_monotonic_s();
    int rc = 0;
    for (;;) {
        long k = -1;
        MPI_Status st;
        double t0 = ws_monotonic_s();
        int r = MPI_Recv(&k, 1, MPI_LONG, 0, MPI_ANY_TAG, farm_comm, &st);
        mine->wait_s += ws_monotonic_s() - t0;
        if (r != MPI_SUCCESS) {
            rc = -1;
            break;
        }
        if (st.MPI_TAG == TAG_STOP)
            break;
        size_t len = 0;
        t0 = ws_monotonic_s();
        void *buf = f->run(f->ctx, k, &len);
        mine->compute_s += ws_monotonic_s() - t0;
        mine->tasks++;
        t0 = ws_monotonic_s();
        int64_t k64 = k;
        char *msg = buf && len <= INT_MAX - sizeof k64 ? malloc(sizeof k64 + len) : NULL;
        if (msg) {
            memcpy(msg, &k64, sizeof k64);
            memcpy(msg + sizeof k64, buf, len);
            r = MPI_Send(msg, (int)(sizeof k64 + len), MPI_BYTE, 0, TAG_RESULT, farm_comm);
        } else {
            /* Rank 0 stops the farm and sends STOP in answer. */
            r = MPI_Send(&k64, (int)sizeof k64, MPI_BYTE, 0, TAG_FAIL, farm_comm);
            rc = -1;
        }
        mine->comm_s += ws_monotonic_s() - t0;
        free(msg);
        free(buf);
        if (r != MPI_SUCCESS) {
            rc = -1;
            break;
        }
    }
    *elapsed_s = ws_monotonic_s() - t_start;
    return rc;
}

static int farm_mpi(const ws_mpi_farm *f, int ranks, int rank, ws_mpi_times *times)
{
    ws_mpi_times mine = {0};
    double elapsed_s = 0;
    if (MPI_Comm_dup(MPI_COMM_WORLD, &farm_comm) != MPI_SUCCESS)
        return -1;
    MPI_Comm_set_errhandler(farm_comm, MPI_ERRORS_RETURN);
    MPI_Barrier(farm_comm);
    int rc = rank == 0 ? farm_root(f, ranks, &mine, &elapsed_s) : farm_worker(f, &mine, &elapsed_s);
    /* Every rank's times to rank 0; a rank that finished early waited the rest of rank 0's time. */
    double row[5] = {mine.compute_s, mine.wait_s, mine.comm_s, (double)mine.tasks, elapsed_s};
    double *all = rank == 0 ? malloc(sizeof row * (size_t)ranks) : NULL;
    MPI_Gather(row, 5, MPI_DOUBLE, all, 5, MPI_DOUBLE, 0, farm_comm);
    for (int r = 0; all && times && r < ranks; r++) {
        double *x = all + 5 * r, idle = r == 0 ? 0 : elapsed_s - x[4];
        times[r] = (ws_mpi_times){x[0], x[1] + (idle > 0 ? idle : 0), x[2], (long)x[3]};
    }
    free(all);
    int ok = rc == 0, all_ok = 0;
    if (MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, farm_comm) != MPI_SUCCESS)
        all_ok = 0;
    MPI_Comm_free(&farm_comm);
    return all_ok ? 0 : -1;
}
#endif

int ws_mpi_farm_run(const ws_mpi_farm *f, ws_mpi_times *times)
{
#ifdef WS_HAVE_MPI
    int ranks = ws_mpi_size();
    if (ranks > 1)
        return farm_mpi(f, ranks, ws_mpi_rank(), times);
#endif
    return farm_serial(f, times);
}
