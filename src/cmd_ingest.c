/* cmd_ingest: `wattscale ingest` stores measured profiles, one transaction per file. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_ingest_store.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wattscale ingest [options] FILE...\n\n"
            "Store measured per-job energy profiles. Each file is one transaction: a bad file stores\n"
            "nothing and exits with status 2; a file already ingested (same SHA-256) is skipped.\n\n"
            "options:\n"
            "  --format F       auto (default: sniffed from the header) or one of:\n");
    for (const ws_ingest_format *f = ws_ingest_formats; f->name; f++)
        fprintf(out, "                     %-15s %s\n", f->name, f->description);
    fprintf(out,
            "  --job NAME       job class, e.g. baler-train-fp32 (default: what the file says)\n"
            "  --arch NAME      architecture when the file does not say (slugged: 'NVIDIA H100 80GB HBM3'\n"
            "                   -> h100-80gb-hbm3)\n"
            "  --work N         work the run did (events, samples, epochs) ...\n"
            "  --work-unit U    ... and its unit\n"
            "  --work-column C  jobs tables: the column (or product 'rows*epochs') giving each row's work\n"
            "  --columns LIST   column names of a header-less nvidia-smi log (its --query-gpu list)\n"
            "  --gap-s S        report sample gaps longer than S seconds (default 5)\n"
            "  --no-samples     store totals only, not the time series\n"
            "  --replace        a file ingested before: replace its profiles (one transaction; default: skip it)\n"
            "  --tool-pue P     the PUE a tool multiplied its energy by (CarbonTracker does, without writing it):\n"
            "                   the IT energy stored is the logged energy / P\n"
            "  --skip-bad-rows  skip rows that cannot be read (corrupt, wrong field count) instead of refusing the\n"
            "                   file; they are counted, the first lines named, in every profile's note (strict\n"
            "                   by default; nvidia-smi logs stay strict)\n"
            "  --time-column C, --power-column C, --energy-column C, --device-column C\n"
            "                   read any other tool's CSV time series by its column names (energy: a cumulative\n"
            "                   counter; device: one profile per value)\n"
            "  --power-unit W|mW|kW, --energy-unit J|Wh|kWh   their units (default W and J)\n"
            "  --allow-implausible  store power/energy outside the physical bounds (negative; above 2 kW for one\n"
            "                   GPU of a per-GPU log, 20 kW for one machine): refused by default (exit 2)\n"
            "  --db PATH        store (default ./wattscale.db or $WATTSCALE_DB)\n"
            "  --json           print a JSON array, one object per stored profile\n"
            "  -q, --quiet      no per-file lines\n");
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

int cmd_ingest(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, 0, 'f'}, {"job", required_argument, 0, 'j'},
        {"arch", required_argument, 0, 'a'},   {"work", required_argument, 0, 'w'},
        {"work-unit", required_argument, 0, 'u'}, {"columns", required_argument, 0, 'c'},
        {"gap-s", required_argument, 0, 'g'},  {"work-column", required_argument, 0, 'W'},  {"no-samples", no_argument, 0, 'n'},
        {"db", required_argument, 0, 'd'},     {"json", no_argument, 0, 'J'},
        {"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
        {"allow-implausible", no_argument, 0, 'I'}, {"replace", no_argument, 0, 'R'},
        {"skip-bad-rows", no_argument, 0, 'S'}, {"tool-pue", required_argument, 0, 1007},
        {"time-column", required_argument, 0, 1001},  {"power-column", required_argument, 0, 1002},
        {"energy-column", required_argument, 0, 1003}, {"device-column", required_argument, 0, 1004},
        {"power-unit", required_argument, 0, 1005},   {"energy-unit", required_argument, 0, 1006},
        {0, 0, 0, 0}};
    ws_ingest_opts opts = {.work = NAN, .gap_s = 5.0, .keep_samples = 1, .tool_pue = NAN};
    const char *format = "auto", *db = NULL;
    ws_skips skip_flag = {0};
    int json = 0, quiet = 0, c;
    ws_cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'j': opts.job = optarg; break;
        case 'a': opts.arch = optarg; break;
        case 'u': opts.work_unit = optarg; break;
        case 'c': opts.columns = optarg; break;
        case 'W': opts.work_column = optarg; break;
        case 'n': opts.keep_samples = 0; break;
        case 'd': db = optarg; break;
        case 'J': json = 1; break;
        case 'q': quiet = 1; break;
        case 'I': opts.allow_implausible = 1; break;
        case 'R': opts.replace = 1; break;
        case 'S': opts.skip_bad_rows = &skip_flag; break; /* any non-NULL: ws_ingest_file counts per file */
        case 1001: opts.time_column = optarg; break;
        case 1002: opts.power_column = optarg; break;
        case 1003: opts.energy_column = optarg; break;
        case 1004: opts.device_column = optarg; break;
        case 1005: opts.power_unit = optarg; break;
        case 1006: opts.energy_unit = optarg; break;
        case 1007:
            if (ws_parse_double(optarg, &opts.tool_pue) != 0 || !(opts.tool_pue >= 1.0 && opts.tool_pue <= 5.0)) {
                fprintf(stderr, "wattscale ingest: --tool-pue: '%s' is not a PUE from 1 to 5\n", optarg);
                return WS_EINPUT;
            }
            break;
        case 'w':
            if (ws_parse_double(optarg, &opts.work) != 0 || opts.work < 0) {
                fprintf(stderr, "wattscale ingest: --work: '%s' is not a non-negative number\n", optarg);
                return WS_EINPUT;
            }
            break;
        case 'g':
            if (ws_parse_double(optarg, &opts.gap_s) != 0 || opts.gap_s <= 0) {
                fprintf(stderr, "wattscale ingest: --gap-s: '%s' is not a positive number of seconds\n", optarg);
                return WS_EINPUT;
            }
            break;
        case 'h': usage(stdout); return WS_OK;
        default: usage(stderr); return WS_EINPUT;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "wattscale ingest: no FILE given\n");
        usage(stderr);
        return WS_EINPUT;
    }
    const ws_ingest_format *fmt = NULL;
    if (strcmp(format, "auto") != 0 && !(fmt = ws_ingest_format_find(format))) {
        fprintf(stderr, "wattscale ingest: --format: unknown format '%s' (see --help)\n", format);
        return WS_EINPUT;
    }
    if (opts.power_unit && strcmp(opts.power_unit, "W") && strcmp(opts.power_unit, "mW") && strcmp(opts.power_unit, "kW")) {
        fprintf(stderr, "wattscale ingest: --power-unit: '%s' is not one of W, mW, kW\n", opts.power_unit);
        return WS_EINPUT;
    }
    if (opts.energy_unit && strcmp(opts.energy_unit, "J") && strcmp(opts.energy_unit, "Wh") &&
        strcmp(opts.energy_unit, "kWh")) {
        fprintf(stderr, "wattscale ingest: --energy-unit: '%s' is not one of J, Wh, kWh\n", opts.energy_unit);
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
    int status = WS_OK, header_done = 0;
    for (int i = optind; i < argc; i++) {
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
