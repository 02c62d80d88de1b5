/* cmd_show: `wattscale show ID` prints one stored profile, its provenance and its samples. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ws_cli.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: wattscale show [--json] [--samples N|all] [--db PATH] ID\n\n"
                 "Show one profile: provenance, energy by component with its caveats, and its samples\n"
                 "(the first 20 unless --samples says otherwise).\n");
}

static void print_samples(ws_store *st, long long id, long limit, cJSON *obj)
{
    sqlite3_stmt *s = ws_store_prepare(st, "SELECT t_s, power_w, util_pct, mem_util_pct, cpu_power_w, "
                                           "gpu_power_w, ram_power_w, energy_j FROM samples WHERE profile_id=? "
                                           "ORDER BY seq LIMIT ?");
    if (!s)
        return;
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
    static const struct option longopts[] = {{"json", no_argument, 0, 'J'}, {"db", required_argument, 0, 'd'},
                                             {"samples", required_argument, 0, 's'},
                                             {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int json = 0, c;
    long limit = 20;
    const char *db = NULL;
    ws_cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'J': json = 1; break;
        case 'd': db = optarg; break;
        case 's': limit = strcmp(optarg, "all") == 0 ? -1 : strtol(optarg, NULL, 10); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    char *end;
    long long id = optind == argc - 1 ? strtoll(argv[optind], &end, 10) : 0;
    if (optind != argc - 1 || *end || id <= 0) {
        fprintf(stderr, "wattscale show: need one profile ID (see 'wattscale profiles')\n");
        return 2;
    }
    ws_store st;
    if (ws_cli_open_store(&st, db) != 0)
        return 1;
    sqlite3_stmt *s = ws_store_prepare(&st, "SELECT " WS_PROFILE_COLUMNS WS_PROFILE_FROM " WHERE p.id = ?");
    if (!s) {
        ws_store_close(&st);
        return 1;
    }
    sqlite3_bind_int64(s, 1, id);
    int status = 0;
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
