/* ws_whatif_report: the report of a what-if run (the JSON of docs/report-json.md) is built from the
 * replicas' rows inside ws_whatif_run; this header is what callers do with it afterwards: store it as a
 * run, and print its text form (the output of `simulate` for a what-if). */
#ifndef WS_WHATIF_REPORT_H
#define WS_WHATIF_REPORT_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "ws_store.h"
#include "ws_util.h"

/* Store a what-if run through ws_runs: kind "whatif", the report (which gets "run_id") and one row per
 * variant and site (means over replicas). Returns WS_OK with *run_id, or WS_EFAIL with err. */
int ws_whatif_store_run(ws_store *st, cJSON *report, const char *out_dir, int64_t *run_id, ws_error *err);

/* Print the headline and a savings table (the text output of `simulate` for a what-if). */
void ws_whatif_print_text(const cJSON *report, FILE *out);

#endif
