/* cmd_report: `wattscale report RUN` renders a stored run as Markdown, one self-contained HTML file,
 * or the stable report JSON (docs/report-json.md). What-if runs carry the full report; a plain
 * `simulate` run is shown as a one-variant report of its totals. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_report.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: wattscale report [RUN|latest] [--format md|html|json] [--out FILE] [--db PATH]\n\n"
                 "Render a stored run (see the run id that `wattscale simulate` prints). Markdown links the\n"
                 "figures; HTML embeds them in one file; JSON is stable and documented in docs/report-json.md.\n");
}

/* Totals of a plain simulation as a report interval (n = 1). */
static cJSON *one(double v)
{
    cJSON *o = cJSON_CreateObject();
    ws_json_add_number(o, "mean", v);
    ws_json_add_number(o, "lo", v);
    ws_json_add_number(o, "hi", v);
    cJSON_AddNumberToObject(o, "n", 1);
    return o;
}

static double get(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0.0 / 0.0;
}

static cJSON *from_simulation(const cJSON *sum, long long run_id)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "wattscale_report", 1);
    cJSON_AddNumberToObject(r, "run_id", (double)run_id);
    cJSON *sc = cJSON_AddObjectToObject(r, "scenario");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(sum, "scenario");
    cJSON_AddStringToObject(sc, "name", cJSON_IsString(path) ? path->valuestring : "scenario");
    cJSON_AddStringToObject(sc, "path", cJSON_IsString(path) ? path->valuestring : "");
    const cJSON *sha = cJSON_GetObjectItemCaseSensitive(sum, "scenario_sha256");
    cJSON_AddStringToObject(sc, "sha256", cJSON_IsString(sha) ? sha->valuestring : "");
    cJSON_AddNumberToObject(sc, "seed", get(sum, "seed"));
    cJSON_AddNumberToObject(sc, "replicas", 1);
    cJSON_AddNumberToObject(sc, "simulated_days", get(sum, "simulated_s") / 86400);
    cJSON_AddNumberToObject(sc, "scale_factor", 1);
    cJSON_AddBoolToObject(r, "synthetic_workload", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "synthetic")));
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "name", "simulation");
    cJSON *t = cJSON_AddObjectToObject(v, "totals");
    cJSON_AddItemToObject(t, "jobs", one(get(sum, "jobs")));
    cJSON_AddItemToObject(t, "makespan_s", one(get(sum, "makespan_s")));
    cJSON_AddItemToObject(t, "it_energy_kwh", one(get(sum, "it_energy_kwh")));
    cJSON_AddItemToObject(t, "facility_energy_kwh", one(get(sum, "facility_energy_j") / 3.6e6));
    cJSON_AddItemToObject(t, "co2_kg", one(get(sum, "co2_kg")));
    cJSON_AddItemToObject(t, "cost", one(get(sum, "cost")));
    cJSON_AddItemToObject(t, "mean_wait_s", one(get(sum, "mean_wait_s")));
    cJSON_AddItemToObject(t, "p95_wait_s", one(get(sum, "p95_wait_s")));
    cJSON *pd = cJSON_AddObjectToObject(v, "per_day");
    double days = get(sum, "simulated_s") / 86400;
    cJSON_AddItemToObject(pd, "facility_energy_mwh", one(get(sum, "facility_energy_j") / 3.6e9 / days));
    cJSON_AddItemToObject(pd, "co2_t", one(get(sum, "co2_kg") / 1000 / days));
    cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "variants"), v);
    cJSON *in = cJSON_AddObjectToObject(r, "inputs");
    cJSON_AddArrayToObject(in, "files");
    cJSON_AddArrayToObject(r, "assumptions");
    return r;
}

static cJSON *load_run(ws_store *st, const char *which, long long *id_out)
{
    int latest = strcmp(which, "latest") == 0;
    char *end;
    long long id = latest ? 0 : strtoll(which, &end, 10);
    if (!latest && (*end || id <= 0)) {
        fprintf(stderr, "wattscale report: RUN must be a run id or 'latest', not '%s'\n", which);
        return NULL;
    }
    sqlite3_stmt *s = ws_store_prepare(st, latest ? "SELECT id, kind, summary_json FROM runs ORDER BY id DESC LIMIT 1"
                                                  : "SELECT id, kind, summary_json FROM runs WHERE id = ?");
    if (!s)
        return NULL;
    if (!latest)
        sqlite3_bind_int64(s, 1, id);
    cJSON *report = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *id_out = sqlite3_column_int64(s, 0);
        const char *kind = (const char *)sqlite3_column_text(s, 1);
        cJSON *j = cJSON_Parse((const char *)sqlite3_column_text(s, 2));
        if (j && strcmp(kind, "whatif") == 0) {
            report = j;
        } else if (j) {
            report = from_simulation(j, *id_out);
            cJSON_Delete(j);
        }
        if (!report)
            fprintf(stderr, "wattscale report: run %lld: stored summary is not valid JSON\n", *id_out);
    } else {
        fprintf(stderr, "wattscale report: no run %s in %s (see the id `simulate` printed)\n", which, st->path);
    }
    sqlite3_finalize(s);
    return report;
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, 0, 'f'}, {"out", required_argument, 0, 'o'},
                                             {"db", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *format = "md", *out_path = NULL, *db = NULL;
    int c;
    ws_cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'o': out_path = optarg; break;
        case 'd': db = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    int (*writer)(const cJSON *, FILE *) = strcmp(format, "md") == 0     ? ws_report_write_md
                                           : strcmp(format, "html") == 0 ? ws_report_write_html
                                           : strcmp(format, "json") == 0 ? ws_report_write_json
                                                                         : NULL;
    if (!writer || optind + 1 < argc) {
        fprintf(stderr, "wattscale report: --format is md, html or json; at most one RUN\n");
        return 2;
    }
    ws_store st;
    if (ws_cli_open_store(&st, db) != 0)
        return 1;
    long long id = 0;
    cJSON *report = load_run(&st, optind < argc ? argv[optind] : "latest", &id);
    ws_store_close(&st);
    if (!report)
        return 2;
    FILE *out = out_path ? fopen(out_path, "w") : stdout;
    int rc = 0;
    if (!out) {
        fprintf(stderr, "wattscale report: cannot write %s\n", out_path);
        rc = 1;
    } else {
        rc = writer(report, out) == 0 ? 0 : 1;
        if (out_path && fclose(out) != 0)
            rc = 1;
        if (out_path && rc == 0)
            fprintf(stderr, "wrote %s (run %lld)\n", out_path, id);
    }
    cJSON_Delete(report);
    return rc;
}
