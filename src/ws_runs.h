/* ws_runs: the one owner of the store's `runs` and `run_sites` tables. Simulate, what-if and sweep
 * record their runs here, and reports read them back here; no other module writes these tables. */
#ifndef WS_RUNS_H
#define WS_RUNS_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "ws_store.h"
#include "ws_util.h"

/* What a stored run is; its name is the `kind` column. */
typedef enum { WS_RUN_SIMULATE, WS_RUN_WHATIF, WS_RUN_SWEEP } ws_run_kind;

const char *ws_run_kind_name(ws_run_kind kind);
/* 0 and *kind set when name is a kind; else -1. */
int ws_run_kind_parse(const char *name, ws_run_kind *kind);

/* The scenario a run came from. Strings are borrowed for the call. */
typedef struct {
    ws_run_kind kind;
    const char *scenario_path;
    const char *scenario_sha256;
    uint64_t seed;
    const char *out_dir; /* NULL: nothing written */
} ws_run_info;

/* One site of one variant of a run; NaN numbers are stored as NULL (a what-if keeps no waits). */
typedef struct {
    const char *variant;
    const char *site;
    int64_t jobs;
    double it_energy_j, facility_energy_j, co2_kg, cost, mean_wait_s, p95_wait_s, utilisation;
} ws_run_site;

/* Insert a run, its summary and its sites in one transaction. The summary gets "run_id" (the new id)
 * before it is stored, so the stored JSON and a file copy written afterwards say the same. Returns
 * WS_OK with *run_id set, or WS_EFAIL with err set (the store unchanged). */
int ws_runs_insert(ws_store *st, const ws_run_info *info, cJSON *summary, const ws_run_site *sites, int n_sites,
                   int64_t *run_id, ws_error *err);

/* The run `which` names: a positive id, or "latest" (the latest run of a kind in `kinds`, a bit mask of
 * 1 << ws_run_kind). On WS_OK: *kind, *id, *summary (caller frees) and out_dir (may be "") set. WS_EINPUT
 * with err when `which` is neither, no such run exists, or it is of a kind not in `kinds`; WS_EFAIL when
 * the store fails or the stored summary is not JSON. */
int ws_runs_load(ws_store *st, const char *which, unsigned kinds, ws_run_kind *kind, int64_t *id,
                 cJSON **summary, char *out_dir, size_t out_dir_size, ws_error *err);

#endif
