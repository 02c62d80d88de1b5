/* ws_sweep: parameter sweeps. A scenario's "sweep" object maps JSON paths to lists of values
 * ({"workload.classes[0].rate_per_day": [1e5, 1e6], "sites[0].pue": [1.1, 1.4]}); a point is the
 * scenario with one value set per path, points in row-major order of the keys as written (last key
 * fastest). Each point runs the what-if layer (variants x replicas) with a seed derived from the
 * scenario seed and the point index only, so a point's result does not depend on who computes it.
 * A point's result is one JSON text (the "row"); the table, CSV, store run and scaling plots are
 * built from the rows in point order. ws_sweep_run_all spreads points over Open MPI ranks when built
 * with MPI (WS_HAVE_MPI) and launched by mpirun, else runs them one after another. */
#ifndef WS_SWEEP_H
#define WS_SWEEP_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

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

typedef struct {
    int replicas;      /* > 0 overrides the file's replicas */
    ws_store *store;   /* for from_profiles tweaks (read-only use); NULL: such points fail */
    int progress;      /* a progress line on stderr every 5 s after the first 5 (rank 0 only) */
    int timing;        /* "sweep: N points on R rank(s) in T s" on stderr at the end (rank 0) */
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

/* Run every point; rows[p] receives point p's row (parsed) on rank 0. Under MPI (initialised, more than
 * one rank) rank 0 dispatches point indices on request and computes points itself in between; other
 * ranks compute and return rows[] untouched. *is_root says whether this rank holds the rows.
 * Returns 0, or -1 on a communication or memory failure. */
int ws_sweep_run_all(const ws_sweep *sw, const ws_sweep_options *opt, cJSON **rows, int *is_root);

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

/* "with Open MPI x.y" or "without MPI". */
const char *ws_sweep_mpi_info(void);

#endif
