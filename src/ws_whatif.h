/* ws_whatif: what-if projections. A scenario file with a baseline and variants[] (each a JSON merge
 * patch of the baseline and/or tweaks: runtime/power/energy factors on job classes, literal or derived
 * from stored profiles) runs every variant on common random numbers, over Monte Carlo replicas that
 * also draw power-model parameters from their covariance and tweak factors from their intervals, and
 * returns the report JSON (docs/report-json.md): per-day and per-year projections at the scenario's
 * scale, savings against the baseline paired replica by replica, SCI per job, inputs and assumptions.
 * This module parses, draws, runs and gathers; ws_whatif_report builds, stores and prints the report. */
#ifndef WS_WHATIF_H
#define WS_WHATIF_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "ws_store.h"
#include "ws_util.h"

/* How far the runs are, for a progress line (the library prints nothing: the caller's callback does). */
typedef enum {
    WS_WHATIF_RUNNING, /* every few seconds while runs remain */
    WS_WHATIF_FINISHED /* once, after every run (on MPI rank 0 only) */
} ws_whatif_stage;

typedef struct {
    ws_whatif_stage stage;
    int done;           /* RUNNING: runs of this rank finished */
    int mine;           /* runs this rank does (all of them without MPI) */
    int runs;           /* every run: replicas x variants */
    int replicas, variants;
    int threads;        /* threads that ran them */
    int ranks;          /* MPI ranks the runs are spread over (1: this process alone) */
    int64_t jobs;       /* RUNNING: jobs simulated so far by this rank */
    double elapsed_s;   /* RUNNING: since the runs began (monotonic clock) */
    double eta_s;       /* RUNNING: estimated from the simulated fraction; NaN while nothing is done */
} ws_whatif_progress;

typedef void (*ws_whatif_progress_fn)(void *ctx, const ws_whatif_progress *p);

typedef struct {
    int replicas;          /* > 0 overrides the file's "replicas" */
    int override_seed;
    uint64_t seed;
    ws_store *store;       /* for from_profiles tweaks; NULL: such tweaks are an error */
    const char *out_dir;   /* hourly_<variant>.csv of replica 0 go here; NULL: none */
    int quiet;             /* no progress calls */
    ws_whatif_progress_fn progress; /* progress of the runs (RUNNING every 5 s, FINISHED once); NULL: none */
    void *progress_ctx;
    int threads;           /* runs at once (replica x variant); 0: one per online CPU */
    int over_ranks;        /* spread the runs over the MPI ranks (simulate); 0: this process alone (sweep points) */
} ws_whatif_options;

/* Is this scenario document a what-if (has variants, replicas or projection)? */
int ws_whatif_is_whatif(const cJSON *doc);

/* Run. file/dir name the scenario for messages and relative paths; sha256 is the file's.
 * Returns 0 with *report set (caller frees), or WS_EINPUT / WS_EFAIL with err. The runs (replica x
 * variant) go to opt->threads threads and, with opt->over_ranks under MPI (ws_mpi), over the ranks: rank 0 gathers them and
 * alone gets the report; the other ranks return the same status with *report left NULL. */
int ws_whatif_run(const cJSON *doc, const char *file, const char *dir, const char *sha256,
                  const ws_whatif_options *opt, cJSON **report, ws_error *err);

/* A variant's name as a file name (its hourly CSV): [A-Za-z0-9._-] kept, anything else '_'. */
void ws_whatif_file_name(const char *variant, char *out, size_t size);

#endif
