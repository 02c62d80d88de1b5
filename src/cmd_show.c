/* cmd_show: `wattscale show ID` prints one stored profile, its provenance and its samples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_opt.h"

/* --samples N|all: how many samples to print (all: -1). */
static int samples_option(const ws_opt *opt, const char *arg)
{
    double v;
    if (strcmp(arg, "all") == 0) {
        *(long *)opt->value = -1;
        return 0;
    }
    if (ws_parse_double(arg, &v) != 0 || v < 0 || v > 1e9 || v != (double)(long)v) {
        fprintf(stderr, "wattscale show: --samples: '%s' is not a count from 0 or 'all'\n", arg);
        return -1;
    }
    *(long *)opt->value = (long)v;
    return 0;
}

static void print_samples(ws_store *st, long long id, long limit, cJSON *obj)
{
    sqlite3_stmt *s = ws_store_prepare(st, "SELECT t_s, power_w, util_pct, mem_util_pct, cpu_power_w, "
                                           "gpu_power_w, ram_power_w, energy_j FROM samples WHERE profile_id=? "
                                           "ORDER BY seq LIMIT ?");
    if (!s) {
        ws_cli_store_failed(st);
        return;
    }
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, limit);
    static const char *const names[] = {"t_s", "power_w", "util_pct", "mem_util_pct", "cpu_power_w",
                                        "gpu_power_w", "ram_power_w", "energy_j"};
    cJSON *arr = obj ? cJSON_AddArrayToObject(obj, "samples") : NULL;
    if (!obj)
        printf("\n%10s %10s %9s %9s %11s %11s %11s %12s\n", names[0], names[1], names[2], names[3], names[4],
               names[5], names[6], names[7]);
    while (sqlite3_step(s) == SQLITE_ROW) {
        cJSON *row = arr ? cJSON_CreateObject() : NULL;
        for (int i = 0; i < 8; i++) {
            double v = ws_column_double(s, i);
            if (row)
                ws_json_add_number(row, names[i], v);
            else if (isnan(v))
                printf(i == 0 ? "%10s" : i < 4 ? " %9s" : " %11s", "-");
            else
                printf(i == 0 ? "%10.3f" : i == 1 ? " %10.3f" : i < 4 ? " %9.1f" : i < 7 ? " %11.3f" : " %12.1f", v);
        }
        if (row)
            cJSON_AddItemToArray(arr, row);
        else
            putchar('\n');
    }
    sqlite3_finalize(s);
}

static void print_text(sqlite3_stmt *r)
{
    cJSON *o = ws_cli_profile_json(r);
    for (cJSON *it = o->child; it; it = it->next) {
        if (cJSON_IsObject(it)) {
            printf("%s:\n", it->string);
            for (cJSON *sub = it->child; sub; sub = sub->next) {
                char *v = cJSON_PrintUnformatted(sub);
                printf("  %-14s %s\n", sub->string, cJSON_IsString(sub) ? sub->valuestring : v);
                free(v);
            }
        } else {
            char *v = cJSON_PrintUnformatted(it);
            printf("%-16s %s\n", it->string, cJSON_IsString(it) ? it->valuestring : v);
            free(v);
        }
    }
    cJSON_Delete(o);
}

int cmd_show(int argc, char **argv)
{
    int json = 0, status;
    long limit = 20;
    const char *db = NULL;
    const ws_opt options[] = {
        WS_OPT_FLAG(0, "json", &json, "one JSON object (the profile with a samples array)"),
        WS_OPT_CALLBACK(0, "samples", &limit, "N|all", samples_option, "how many samples to print (default 20)"),
        WS_OPT_DB(&db),
        WS_OPT_END()};
    const ws_opt_cmd spec = {"show", "wattscale show [--json] [--samples N|all] [--db PATH] ID",
                             "Show one profile: provenance, energy by component with its caveats, and its samples\n"
                             "(the first 20 unless --samples says otherwise).",
                             options, NULL, NULL, 1, 1, 0};
    if (ws_opt_parse(&spec, argc, argv, &status) < 0)
        return status;
    char *end;
    long long id = strtoll(argv[1], &end, 10);
    if (*end || id <= 0) {
        fprintf(stderr, "wattscale show: '%s' is not a profile ID (see 'wattscale profiles')\n", argv[1]);
        return WS_EINPUT;
    }
    ws_store st;
    if (ws_cli_open_store(&st, db) != 0)
        return 1;
    sqlite3_stmt *s = ws_store_prepare(&st, "SELECT " WS_PROFILE_COLUMNS WS_PROFILE_FROM " WHERE p.id = ?");
    if (!s) {
        ws_cli_store_failed(&st);
        ws_store_close(&st);
        return WS_EFAIL;
    }
    sqlite3_bind_int64(s, 1, id);
    status = WS_OK;
    if (sqlite3_step(s) != SQLITE_ROW) {
        fprintf(stderr, "wattscale show: no profile %lld in %s\n", id, st.path);
        status = 2;
    } else if (json) {
        cJSON *o = ws_cli_profile_json(s);
        print_samples(&st, id, limit, o);
        ws_cli_print_json(o, stdout);
    } else {
        print_text(s);
        print_samples(&st, id, limit, NULL);
    }
    sqlite3_finalize(s);
    ws_store_close(&st);
    return status;
}
