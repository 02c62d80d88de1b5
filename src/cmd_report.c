/* cmd_report: `wattscale report RUN` renders a stored run as Markdown, one self-contained HTML file, the
 * stable report JSON (docs/report-json.md), its references as BibTeX, or its tables for a LaTeX paper.
 * What-if runs carry the full report; a plain `simulate` run is shown as a one-variant report of its
 * totals. --out writes the file whole or not at all. */
#include <string.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_opt.h"
#include "ws_report.h"

typedef int (*report_writer)(const cJSON *report, FILE *out);

static const struct {
    const char *name;
    report_writer write;
} FORMATS[] = {{"md", ws_report_write_md},   {"html", ws_report_write_html}, {"json", ws_report_write_json},
               {"bib", ws_report_write_bib}, {"tex", ws_report_write_tex}};

int cmd_report(int argc, char **argv)
{
    const char *format = "md", *out_path = NULL, *db = NULL;
    int status;
    const ws_opt options[] = {
        WS_OPT_STRING(0, "format", &format, "FORMAT",
                      "md (default), html (one file, figures inside), json (docs/report-json.md),\n"
                      "bib (the references as BibTeX), tex (the tables and references for LaTeX)"),
        WS_OPT_STRING(0, "out", &out_path, "FILE", "write FILE (whole or not at all) instead of standard output"),
        WS_OPT_DB(&db),
        WS_OPT_END()};
    const ws_opt_cmd spec = {
        "report", "wattscale report [RUN|latest] [--format md|html|json|bib|tex] [--out FILE] [--db PATH]",
        "Render a stored run (see the run id that `wattscale simulate` prints; default: the latest).\n"
        "Markdown links the figures; HTML embeds them in one file; JSON is stable and documented in\n"
        "docs/report-json.md. Numbers are rounded to what their 95% intervals support; the JSON keeps them whole.",
        options, NULL, NULL, 0, 1, 0};
    int nargs = ws_opt_parse(&spec, argc, argv, &status);
    if (nargs < 0)
        return status;
    report_writer writer = NULL;
    for (size_t i = 0; i < sizeof FORMATS / sizeof FORMATS[0]; i++)
        if (strcmp(format, FORMATS[i].name) == 0)
            writer = FORMATS[i].write;
    if (!writer) {
        fprintf(stderr, "wattscale report: --format: '%s' is not md, html, json, bib or tex\n", format);
        ws_opt_usage(&spec, stderr);
        return 2;
    }
    ws_store st;
    if (ws_cli_open_store(&st, db) != 0)
        return 1;
    long long id = 0;
    cJSON *report = NULL;
    ws_error err = {0};
    int load_rc = ws_report_load(&st, nargs > 0 ? argv[1] : "latest", &id, NULL, 0, &report, &err);
    ws_store_close(&st);
    if (load_rc != WS_OK) {
        ws_error_print(&err, stderr);
        return load_rc;
    }
    int rc = 0;
    if (!out_path) {
        rc = writer(report, stdout) == 0 && fflush(stdout) == 0 ? 0 : 1;
    } else {
        ws_outfile o;
        FILE *f = ws_outfile_open(&o, out_path, &err);
        if (!f) {
            rc = 1;
        } else if (writer(report, f) != 0) {
            ws_outfile_abort(&o);
            ws_error_set(&err, out_path, 0, NULL, "could not be written");
            rc = 1;
        } else if (ws_outfile_commit(&o, &err) != 0) {
            rc = 1;
        }
        if (rc != 0)
            ws_error_print(&err, stderr);
        else
            fprintf(stderr, "wrote %s (run %lld)\n", out_path, id);
    }
    cJSON_Delete(report);
    return rc;
}
