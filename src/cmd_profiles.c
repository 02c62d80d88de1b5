/* cmd_profiles: `wattscale profiles` lists what the store holds (table, CSV or JSON). */
#include <getopt.h>
#include <string.h>

#include "commands.h"
#include "ws_cli.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: wattscale profiles [--job NAME] [--arch SLUG] [--json|--csv] [--db PATH]\n\n"
                 "List stored profiles with their energy by component. A '*' in the note column means the\n"
                 "energy carries a caveat (short job, gaps): 'wattscale show ID' prints it.\n"
                 "Notebooks: pandas.read_sql('SELECT * FROM profile_energy', sqlite3.connect('wattscale.db')).\n");
}

int cmd_profiles(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, 0, 'J'}, {"csv", no_argument, 0, 'C'}, {"db", required_argument, 0, 'd'},
        {"job", required_argument, 0, 'j'}, {"arch", required_argument, 0, 'a'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int json = 0, csv = 0, c;
    const char *db = NULL, *job = NULL, *arch = NULL;
    ws_cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'J': json = 1; break;
        case 'C': csv = 1; break;
        case 'd': db = optarg; break;
        case 'j': job = optarg; break;
        case 'a': arch = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || (json && csv)) {
        usage(stderr);
        return 2;
    }
    ws_store st;
    if (ws_cli_open_store(&st, db) != 0)
        return 1;
    sqlite3_stmt *s = ws_store_prepare(&st, "SELECT " WS_PROFILE_COLUMNS WS_PROFILE_FROM
                                            " WHERE (?1 IS NULL OR p.job = ?1) AND (?2 IS NULL OR p.arch = ?2)"
                                            " ORDER BY p.id");
    if (!s) {
        ws_store_close(&st);
        return 1;
    }
    ws_bind_text(s, 1, job);
    ws_bind_text(s, 2, arch);
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    if (csv)
        ws_cli_profile_csv_header(stdout);
    else if (!json)
        ws_cli_profile_table_header(stdout);
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (json)
            cJSON_AddItemToArray(arr, ws_cli_profile_json(s));
        else if (csv)
            ws_cli_profile_csv_row(s, stdout);
        else
            ws_cli_profile_table_row(s, stdout);
    }
    sqlite3_finalize(s);
    if (arr)
        ws_cli_print_json(arr, stdout);
    ws_store_close(&st);
    return 0;
}
