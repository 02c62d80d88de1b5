/* ws_sweep: parameter sweeps. A scenario's "sweep" object maps JSON paths to lists of values
 * ({"workload.classes[0].rate_per_day": [1e5, 1e6], "sites[0].pue": [1.1, 1.4]}); a point is the
 * scenario with one value set per path, points in row-major order of the keys as written (last key
 * fastest). Each point runs the what-if layer (variants x replicas) with a seed derived from the
 * scenario seed and the point index only, so a point's result does not depend on who computes it.
 * A point's result is one JSON text (the "row"); the table, CSV, store run and scaling plots are
 * built from the rows in point order. ws_sweep_run_all spreads points over Open MPI ranks when built
 * with MPI (WS_HAVE_MPI) and launched by mpirun, else runs them one after another; job arrays (Slurm,
 * HTCondor) run one point per task into a part file each and merge the parts (ws_sweepbatch.c). The
 * library prints nothing: progress and timings go to a callback, errors into ws_error. */
#ifndef WS_SWEEP_H
#define WS_SWEEP_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "ws_mpi.h"
#include "ws_store.h"
#include "ws_util.h"

#define WS_SWEEP_MAX_AXES 8
#define WS_SWEEP_MAX_POINTS 100000

typedef struct {
    char path[256];
    const cJSON *values; /* the array in sw->sweep */
    int n;
} ws_sweep_axis;

typedef struct {
    cJSON *base;  /* the scenario without "sweep" (owned) */
    cJSON *sweep; /* the "sweep" object (owned copy) */
    ws_sweep_axis axes[WS_SWEEP_MAX_AXES];
    int n_axes;
    long n_points;
    uint64_t seed; /* the scenario seed (or --seed); point seeds derive from it */
    char file[1024], dir[1024], sha256[65];
} ws_sweep;

/* What a running sweep tells opt->report (on rank 0 only). */
typedef struct {
    int final;        /* 0: progress, every 5 s after the first 5 s; 1: every point is done */
    long done, points;
    int ranks;
    double elapsed_s;
    const ws_mpi_times *times; /* final: one entry per rank (compute, wait, communication); else NULL */
} ws_sweep_progress;

typedef struct {
    int replicas;      /* > 0 overrides the file's replicas */
    ws_store *store;   /* for from_profiles tweaks (read-only use); NULL: such points fail */
    void (*report)(void *ctx, const ws_sweep_progress *p); /* NULL: nothing reported */
    void *report_ctx;
} ws_sweep_options;

/* Parse doc (the loaded scenario file at path) into sw. Every path is checked against the scenario
 * (it must exist, or name a new member of an existing object). Returns 0, or WS_EINPUT with err
 * ("FILE: sweep.PATH: message"). override_seed/seed: --seed. */
int ws_sweep_parse(const cJSON *doc, const char *path, int override_seed, uint64_t seed, ws_sweep *sw,
                   ws_error *err);
void ws_sweep_free(ws_sweep *sw);

/* Axis indices of point p (row-major, last axis fastest). idx has n_axes entries. */
void ws_sweep_point_indices(const ws_sweep *sw, long p, int *idx);
/* The scenario document of point p (caller frees), or NULL with err. */
cJSON *ws_sweep_point_doc(const ws_sweep *sw, long p, ws_error *err);
/* The seed of point p: ws_sim_stream_seed(scenario seed, stream of p). */
uint64_t ws_sweep_point_seed(const ws_sweep *sw, long p);

/* Run point p and return its row as JSON text (caller frees): {"point", "status", "variants": [{"name",
 * "energy_mwh_per_day": [mean, lo, hi], "co2_t_per_day", "saving_mwh_per_day", "saving_pct",
 * "mean_wait_s", "jobs_per_day"}]}. A failed point has status = the error message and no variants. */
char *ws_sweep_run_point(const ws_sweep *sw, long p, const ws_sweep_options *opt);

/* The estimated cost of point p (simulated jobs x runs: rate_per_day summed over the classes x days x
 * replicas x (1 + variants); replicas > 0 overrides the file's). Only the order of costs matters. */
double ws_sweep_point_cost(const ws_sweep *sw, long p, int replicas);
/* The dispatch order: the points by estimated cost, costliest first, ties in point order (point order
 * when no swept path changes the cost). order has n_points entries. Returns 0 or -1 (out of memory). */
int ws_sweep_order(const ws_sweep *sw, int replicas, long *order);

/* Run every point; rows[p] receives point p's row (parsed) on rank 0. Under MPI (initialised, more than
 * one rank) ws_mpi_farm_run hands points out costliest first to whichever rank is free (rank 0 schedules
 * and computes in a second thread); other ranks compute and return rows[] untouched. *is_root says
 * whether this rank holds the rows. Returns 0, or -1 on a communication or memory failure, with err
 * ("unreadable or duplicate row from a rank", ...) on rank 0. */
int ws_sweep_run_all(const ws_sweep *sw, const ws_sweep_options *opt, cJSON **rows, int *is_root, ws_error *err);

/* How many rows have a status other than "ok". */
long ws_sweep_failed(const ws_sweep *sw, cJSON *const *rows);

/* The table as CSV: one line per (point, variant), a failed point as one line with its status. */
int ws_sweep_write_csv(const ws_sweep *sw, cJSON *const *rows, FILE *out);
/* The table as JSON (what runs.summary_json holds for kind "sweep"); caller frees. */
cJSON *ws_sweep_table_json(const ws_sweep *sw, cJSON *const *rows);
/* Store the run through ws_runs (kind "sweep"; the table gets "run_id"). Returns WS_OK or WS_EFAIL with err. */
int ws_sweep_store_run(ws_store *st, const ws_sweep *sw, cJSON *table, const char *out_dir, int64_t *run_id,
                       ws_error *err);
/* Scaling plots: for each axis, energy and CO2 per day against the swept value, one line per variant with
 * 95% error bars, the other axes at their first value. Files plot_dir/<prefix>-sweep-<n>-<path>.png/.svg.
 * Returns 0 or -1 with err. */
int ws_sweep_plot(const ws_sweep *sw, cJSON *const *rows, const char *plot_dir, const char *prefix, ws_error *err);
/* Print the table as text. */
void ws_sweep_print_text(const ws_sweep *sw, cJSON *const *rows, FILE *out);

/* ---- job arrays without MPI (ws_sweepbatch.c) ----
 * `--emit slurm|htcondor DIR` writes DIR/sweep-batch.json (what the merge reads), DIR/tasks.txt (one line
 * per array task: "K" or a range "K-L"), DIR/parts/, DIR/logs/ and the submit file; each task runs
 * `wattscale sweep SCENARIO --point LINE --out DIR/parts` and leaves one part per point,
 * DIR/parts/point-K.json; `--merge DIR` reads them back into rows[] and builds what a serial run builds. */
typedef enum { WS_BATCH_SLURM, WS_BATCH_HTCONDOR } ws_batch_kind;

/* A grid of more than this many tasks is cut into ranges (Slurm's default MaxArraySize is 1001). */
#define WS_BATCH_MAX_TASKS 1000

typedef struct {
    ws_batch_kind kind;
    char binary[1024];   /* the wattscale that the tasks run (absolute) */
    char scenario[1024]; /* the scenario as given (relative to cwd, where the tasks start) */
    char cwd[1024];
    char db[1024];       /* the store the tasks read from_profiles tweaks from (absolute) */
    char sha256[65];     /* the scenario file's, at --emit */
    int replicas;        /* > 0: --replicas */
    uint64_t seed;       /* the sweep's seed (the scenario's or --seed) */
    long points;
    long per_task;       /* points per array task */
} ws_batch;

/* Write the batch for sw into dir (created if need be; b->kind, binary, scenario, cwd, db, replicas set
 * by the caller; the rest is filled here). submit receives the submit file's path. Returns WS_OK, or
 * WS_EINPUT/WS_EFAIL with err. */
int ws_sweep_batch_emit(const ws_sweep *sw, ws_batch *b, const char *dir, char *submit, size_t size, ws_error *err);
/* Read dir/sweep-batch.json into b. Returns WS_OK or WS_EINPUT with err. */
int ws_sweep_batch_load(const char *dir, ws_batch *b, ws_error *err);
/* Parse a --point argument ("K" or "K-L") against n_points. Returns 0 or -1. */
int ws_sweep_point_range(const char *arg, long n_points, long *first, long *last);
/* Write point p's part, dir/point-<p>.json (whole or not at all): the row with the scenario's SHA-256,
 * the seed and the replicas it ran with. Returns WS_OK or WS_EFAIL with err. */
int ws_sweep_part_write(const ws_sweep *sw, int replicas, long p, const char *row_text, const char *dir,
                        ws_error *err);
/* Read the part of every point from dir into rows[] (NULL entries on entry). missing (room for n_points)
 * receives, in point order, the points whose part is absent, unreadable (or could not be read for want of
 * memory), or made from another scenario file, seed or replica count. Returns how many. */
long ws_sweep_parts_read(const ws_sweep *sw, int replicas, const char *dir, cJSON **rows, long *missing);
/* Write dir/rerun.txt (the missing points as task lines, runs of consecutive points as ranges) and for
 * HTCondor dir/sweep-rerun.sub; hint receives the command that runs them again. Returns WS_OK or WS_EFAIL. */
int ws_sweep_batch_rerun(const ws_batch *b, const char *dir, const long *missing, long n, char *hint, size_t size,
                         ws_error *err);

/* "with Open MPI x.y" or "without MPI". */
const char *ws_sweep_mpi_info(void);

#endif
