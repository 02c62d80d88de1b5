/* cmd_profiles: `wattscale profiles` lists what the store holds (table, CSV or JSON). */
#include <string.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_opt.h"

int cmd_profiles(int argc, char **argv)
{
    int json = 0, csv = 0, status;
    const char *db = NULL, *job = NULL, *arch = NULL;
    const ws_opt options[] = {
        WS_OPT_STRING(0, "job", &job, "NAME", "only this job class"),
        WS_OPT_STRING(0, "arch", &arch, "SLUG", "only this architecture"),
        WS_OPT_FLAG(0, "json", &json, "a JSON array, one object per profile"),
        WS_OPT_FLAG(0, "csv", &csv, "CSV with a header (cells that a spreadsheet would run as formulas are\n"
                                   "neutralised)"),
        WS_OPT_DB(&db),
        WS_OPT_END()};
    const ws_opt_cmd spec = {
        "profiles", "wattscale profiles [--job NAME] [--arch SLUG] [--json|--csv] [--db PATH]",
        "List stored profiles with their energy by component. A '*' in the note column means the\n"
        "energy carries a caveat (short job, gaps): 'wattscale show ID' prints it.",
        options, "Notebooks: pandas.read_sql('SELECT * FROM profile_energy', sqlite3.connect('wattscale.db')).",
        NULL, 0, 0, 0};
    if (ws_opt_parse(&spec, argc, argv, &status) < 0)
        return status;
    if (json && csv) {
        fprintf(stderr, "wattscale profiles: --json and --csv exclude each other\n");
        return WS_EINPUT;
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
