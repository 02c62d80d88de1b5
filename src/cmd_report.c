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
    cJSON *report = NULL;
    ws_error err = {0};
    int load_rc = ws_report_load(&st, optind < argc ? argv[optind] : "latest", &id, NULL, 0, &report, &err);
    ws_store_close(&st);
    if (load_rc != WS_OK) {
        ws_error_print(&err, stderr);
        return load_rc;
    }
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
