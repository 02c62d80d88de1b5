/* ws_cli: what the commands share beyond their option tables (ws_opt): opening the store named by --db /
 * $WATTSCALE_DB and saying why it failed, and the profile listing as JSON, table and CSV (so ingest,
 * profiles and show print the same object). With ws_opt, the command-line layer: only cmd_*.c use it. */
#ifndef WS_CLI_H
#define WS_CLI_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "ws_json.h"
#include "ws_store.h"

/* Open the store named by --db / $WATTSCALE_DB / default, printing why on failure. */
int ws_cli_open_store(ws_store *st, const char *db_opt);
/* Print why the last store call failed (ws_store_error) on stderr. */
void ws_cli_store_failed(const ws_store *st);
/* Print a cJSON value followed by a newline and free it. */
void ws_cli_print_json(cJSON *value, FILE *out);

/* The profile columns every listing selects, in this order (see ws_cli_profile_json). */
#define WS_PROFILE_COLUMNS                                                                             \
    "p.id, p.format, p.job, p.arch, p.arch_name, p.device, p.run_id, p.start_time, p.duration_s,"    \
    " p.energy_cpu_j, p.energy_gpu_j, p.energy_ram_j, p.energy_j, p.energy_lo_j, p.energy_hi_j,"      \
    " p.energy_note, p.mean_power_w, p.peak_power_w, p.mean_util_pct, p.emissions_kg, p.work,"       \
    " p.work_unit, p.n_samples, p.n_gaps, s.path, s.sha256, s.tool_version, s.ingested_at"
#define WS_PROFILE_FROM " FROM profiles p JOIN sources s ON s.id = p.source_id"

/* A row selected with WS_PROFILE_COLUMNS as a JSON object. */
cJSON *ws_cli_profile_json(sqlite3_stmt *row);
/* The same row as one line of a human table / a CSV row. */
void ws_cli_profile_table_header(FILE *out);
void ws_cli_profile_table_row(sqlite3_stmt *row, FILE *out);
void ws_cli_profile_csv_header(FILE *out);
void ws_cli_profile_csv_row(sqlite3_stmt *row, FILE *out);

#endif
