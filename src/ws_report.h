/* ws_report: renders a projection report (the report JSON that `simulate` stores for a run, schema in
 * docs/report-json.md) for people: Markdown, one self-contained HTML file with its figures embedded,
 * LaTeX tables and BibTeX references. A headline box first (what each variant saves a day and a year,
 * significant effects first, and what that rests on), every table and figure labelled with its scale
 * (projected, or the simulated system), numbers rounded to what their intervals support (ws_fmt), a
 * generated Methods section and References from the inputs' provenance (ws_refs). Rendering only:
 * every number is computed upstream and comes from the JSON, which keeps full precision. */
#ifndef WS_REPORT_H
#define WS_REPORT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "ws_fmt.h"
#include "ws_store.h"

/* Markdown; figures are linked by their paths. */
int ws_report_write_md(const cJSON *report, FILE *out);
/* HTML with PNG figures embedded as base64 data URIs (the file stands alone). */
int ws_report_write_html(const cJSON *report, FILE *out);
/* The JSON itself, pretty-printed, stable key order. */
int ws_report_write_json(const cJSON *report, FILE *out);
/* The references (data sets, studies, methods, tools) as BibTeX. */
int ws_report_write_bib(const cJSON *report, FILE *out);
/* The headline, savings and totals tables as LaTeX (booktabs) tables, citing the BibTeX keys. */
int ws_report_write_tex(const cJSON *report, FILE *out);

/* "17,860 [17,780, 17,930] MWh" from {"mean","lo","hi"} given in q's base unit x to_base (an interval in
 * MWh: WS_Q_ENERGY_KWH, 1000); "-" when absent. */
void ws_report_format_interval(const cJSON *iv, ws_quantity q, double to_base, char *buf, size_t size);

/* 1 when one of a variant's savings (energy, CO2, money a day) has a 95% interval that excludes zero. */
int ws_report_variant_significant(const cJSON *variant);

/* A variant's headline in one sentence: what it saves or costs a day in energy and CO2, and per job;
 * an effect whose interval includes zero is "no significant change (95% interval A to B UNIT a day)". */
void ws_report_sentence(const cJSON *variant, char *buf, size_t size);

/* The report of stored run `which` (an id, or "latest"): what-if runs carry their report; a plain
 * simulation becomes a one-variant report of its totals. out_dir (may be NULL) receives the run's
 * output folder. WS_OK with *report (caller frees), or WS_EINPUT/WS_EFAIL with err (no such run, a sweep). */
int ws_report_load(ws_store *st, const char *which, long long *id, char *out_dir, size_t out_dir_size,
                   cJSON **report, ws_error *err);

#endif
