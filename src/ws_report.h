/* ws_report: renders a projection report (the report JSON that `simulate` stores for a run, schema in
 * docs/report-json.md) as Markdown or as one self-contained HTML file with its figures embedded.
 * Rendering only: every number is computed upstream and comes from the JSON, so the three formats
 * always agree. */
#ifndef WS_REPORT_H
#define WS_REPORT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "ws_store.h"

/* Markdown; figures are linked by their paths. */
int ws_report_write_md(const cJSON *report, FILE *out);
/* HTML with PNG figures embedded as base64 data URIs (the file stands alone). */
int ws_report_write_html(const cJSON *report, FILE *out);
/* The JSON itself, pretty-printed, stable key order. */
int ws_report_write_json(const cJSON *report, FILE *out);

/* "12.34 [11.9, 12.8]" from {"mean","lo","hi"}; "-" when absent. */
void ws_report_format_interval(const cJSON *iv, char *buf, size_t size);

/* The report of stored run `which` (an id, or "latest"): what-if runs carry their report; a plain
 * simulation becomes a one-variant report of its totals. out_dir (may be NULL) receives the run's
 * output folder. WS_OK with *report (caller frees), or WS_EINPUT/WS_EFAIL with err (no such run, a sweep). */
int ws_report_load(ws_store *st, const char *which, long long *id, char *out_dir, size_t out_dir_size,
                   cJSON **report, ws_error *err);

#endif
