/* cmd_ingest: `wattscale ingest` stores measured profiles, one transaction per file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_opt.h"
#include "ws_ingest_store.h"

static void list_formats(FILE *out)
{
    fprintf(out, "\nformats (--format F):\n");
    for (const ws_ingest_format *f = ws_ingest_formats; f->name; f++)
        fprintf(out, "  %-17s%s\n", f->name, f->description);
}

static int work_option(const ws_opt *opt, const char *arg)
{
    double *work = opt->value;
    if (ws_parse_double(arg, work) != 0 || *work < 0) {
        fprintf(stderr, "wattscale ingest: --work: '%s' is not a non-negative number\n", arg);
        return -1;
    }
    return 0;
}

static int print_profiles(ws_store *st, const ws_ingest_result *res, cJSON *arr, FILE *out)
{
    sqlite3_stmt *s = ws_store_prepare(st, "SELECT " WS_PROFILE_COLUMNS WS_PROFILE_FROM " WHERE p.id = ?");
    if (!s)
        return -1;
    for (int i = 0; i < res->n_ids; i++) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, res->ids[i]);
        if (sqlite3_step(s) != SQLITE_ROW)
            continue;
        if (arr)
            cJSON_AddItemToArray(arr, ws_cli_profile_json(s));
        else if (out)
            ws_cli_profile_table_row(s, out);
    }
    sqlite3_finalize(s);
    return 0;
}

static const char *const power_units[] = {"W", "mW", "kW", NULL};
static const char *const energy_units[] = {"J", "Wh", "kWh", NULL};

int cmd_ingest(int argc, char **argv)
{
    ws_ingest_opts opts = {.work = NAN, .gap_s = 5.0, .keep_samples = 1, .tool_pue = NAN};
    const char *format = "auto", *db = NULL;
    ws_skips skip_flag = {0};
    int json = 0, quiet = 0, skip_bad = 0, status;
    const ws_opt options[] = {
        WS_OPT_STRING(0, "format", &format, "F", "auto (default: sniffed from the header) or a format listed below"),
        WS_OPT_STRING(0, "job", &opts.job, "NAME", "job class, e.g. baler-train-fp32 (default: what the file says)"),
        WS_OPT_STRING(0, "arch", &opts.arch, "NAME", "architecture when the file does not say (slugged: 'NVIDIA H100 80GB HBM3'\n"
                                                     "-> h100-80gb-hbm3)"),
        WS_OPT_CALLBACK(0, "work", &opts.work, "N", work_option, "work the run did (events, samples, epochs) ..."),
        WS_OPT_STRING(0, "work-unit", &opts.work_unit, "U", "... and its unit"),
        WS_OPT_STRING(0, "work-column", &opts.work_column, "C", "jobs tables: the column (or product 'rows*epochs') giving each row's work"),
        WS_OPT_STRING(0, "columns", &opts.columns, "LIST", "column names of a header-less nvidia-smi log (its --query-gpu list)"),
        WS_OPT_DOUBLE(0, "gap-s", &opts.gap_s, "S", 0, INFINITY, WS_OPT_LO_OPEN, "a positive number of seconds",
                      "report sample gaps longer than S seconds (default 5)"),
        WS_OPT_SET_INT(0, "no-samples", &opts.keep_samples, 0, "store totals only, not the time series"),
        WS_OPT_FLAG(0, "replace", &opts.replace, "a file ingested before: replace its profiles (one transaction; default: skip it)"),
        WS_OPT_DOUBLE(0, "tool-pue", &opts.tool_pue, "P", 1, 5, 0, "a PUE from 1 to 5",
                      "the PUE a tool multiplied its energy by (CarbonTracker does, without writing it):\n"
                      "the IT energy stored is the logged energy / P"),
        WS_OPT_FLAG(0, "skip-bad-rows", &skip_bad, "skip rows that cannot be read (corrupt, wrong field count) instead of refusing the\n"
                                                   "file; they are counted, the first lines named, in every profile's note (strict\n"
                                                   "by default; nvidia-smi logs stay strict)"),
        WS_OPT_FLAG(0, "allow-implausible", &opts.allow_implausible,
                    "store power/energy outside the physical bounds (negative; above 2 kW for one\n"
                    "GPU of a per-GPU log, 20 kW for one machine): refused by default (exit 2)"),
        WS_OPT_GROUP("any other tool's CSV time series, read by its column names:"),
        WS_OPT_STRING(0, "time-column", &opts.time_column, "C", "the time column"),
        WS_OPT_STRING(0, "power-column", &opts.power_column, "C", "the power column"),
        WS_OPT_STRING(0, "energy-column", &opts.energy_column, "C", "a cumulative energy counter"),
        WS_OPT_STRING(0, "device-column", &opts.device_column, "C", "one profile per value"),
        WS_OPT_CHOICE(0, "power-unit", &opts.power_unit, "W|mW|kW", power_units, "the power column's unit (default W)"),
        WS_OPT_CHOICE(0, "energy-unit", &opts.energy_unit, "J|Wh|kWh", energy_units, "the energy column's unit (default J)"),
        WS_OPT_GROUP("output:"),
        WS_OPT_DB(&db),
        WS_OPT_FLAG(0, "json", &json, "print a JSON array, one object per stored profile"),
        WS_OPT_FLAG('q', "quiet", &quiet, "no per-file lines"),
        WS_OPT_END()};
    const ws_opt_cmd spec = {
        "ingest", "wattscale ingest [options] FILE...",
        "Store measured per-job energy profiles. Each file is one transaction: a bad file stores\n"
        "nothing and exits with status 2; a file already ingested (same SHA-256) is skipped.",
        options, NULL, list_formats, 1, -1, 0};
    int nfiles = ws_opt_parse(&spec, argc, argv, &status);
    if (nfiles < 0)
        return status;
    if (skip_bad)
        opts.skip_bad_rows = &skip_flag; /* any non-NULL: ws_ingest_file counts per file */
    const ws_ingest_format *fmt = NULL;
    if (strcmp(format, "auto") != 0 && !(fmt = ws_ingest_format_find(format))) {
        fprintf(stderr, "wattscale ingest: --format: unknown format '%s' (see --help)\n", format);
        return WS_EINPUT;
    }
    /* Column mapping is for CSV time series: without --format it reads the file as wattscale-csv. */
    if (!fmt && (opts.time_column || opts.power_column || opts.energy_column || opts.device_column))
        fmt = ws_ingest_format_find("wattscale-csv");
    if ((!isnan(opts.work) || opts.work_column) && !opts.work_unit) {
        fprintf(stderr, "wattscale ingest: --work and --work-column need --work-unit\n");
        return WS_EINPUT;
    }
    ws_store st;
    if (ws_cli_open_store(&st, db) != 0)
        return WS_EFAIL;
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    int header_done = 0;
    status = WS_OK;
    for (int i = 1; i <= nfiles; i++) {
        opts.path = argv[i];
        ws_ingest_result res;
        ws_error err = {0};
        int rc = ws_ingest_file(&st, fmt, &opts, &res, &err);
        if (rc == WS_EINPUT) {
            ws_error_print(&err, stderr);
            status = WS_EINPUT;
        } else if (rc != WS_OK) {
            fprintf(stderr, "wattscale ingest: %s: not stored: %s\n", argv[i],
                    err.message[0] ? err.message : ws_store_error(&st));
            status = status ? status : WS_EFAIL;
        } else if (res.already) {
            if (!quiet)
                fprintf(stderr, "%s: already ingested (sha256 %.12s..., source %lld): nothing to do\n", argv[i],
                        res.sha256, (long long)res.existing_source_id);
        } else {
            if (!quiet && !json)
                fprintf(stdout, "%s: %s%s%s, %d profile(s)%s\n", argv[i], res.format,
                        res.tool_version[0] ? " " : "", res.tool_version, res.n_ids,
                        res.replaced_source_id ? " (replacing what it gave before)" : "");
            if (res.skipped.n > 0)
                fprintf(stderr, "%s: %ld unreadable row(s) skipped (--skip-bad-rows), first at line %ld\n", argv[i],
                        res.skipped.n, res.skipped.lines[0]);
            if (!quiet && !json && !header_done++)
                ws_cli_profile_table_header(stdout);
            print_profiles(&st, &res, arr, quiet ? NULL : stdout);
        }
        ws_ingest_result_free(&res);
    }
    if (arr)
        ws_cli_print_json(arr, stdout);
    ws_store_close(&st);
    return status;
}
