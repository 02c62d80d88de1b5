/* ws_cli: see ws_cli.h. */
#include <errno.h>
#include "ws_cli.h"

#include "ws_csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ws_cli_open_store(ws_store *st, const char *db_opt)
{
    if (ws_store_open(st, ws_store_default_path(db_opt)) == 0)
        return 0;
    ws_cli_store_failed(st);
    return -1;
}

void ws_cli_store_failed(const ws_store *st)
{
    fprintf(stderr, "wattscale: %s\n", ws_store_error(st));
}

void ws_cli_print_json(cJSON *value, FILE *out)
{
    char *text = cJSON_Print(value);
    if (text) {
        fputs(text, out);
        fputc('\n', out);
    }
    free(text);
    cJSON_Delete(value);
}

static const char *text(sqlite3_stmt *row, int i)
{
    const unsigned char *t = sqlite3_column_text(row, i);
    return t ? (const char *)t : "";
}

cJSON *ws_cli_profile_json(sqlite3_stmt *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(r, 0));
    ws_json_add_string(o, "format", text(r, 1));
    ws_json_add_string(o, "job", text(r, 2));
    ws_json_add_string(o, "arch", text(r, 3));
    ws_json_add_string(o, "arch_name", text(r, 4));
    ws_json_add_string(o, "device", text(r, 5));
    ws_json_add_string(o, "run_id", text(r, 6));
    ws_json_add_string(o, "start_time", text(r, 7));
    ws_json_add_number(o, "duration_s", ws_column_double(r, 8));
    ws_json_add_number(o, "energy_j", ws_column_double(r, 12));
    ws_json_add_number(o, "energy_kwh", ws_column_double(r, 12) / WS_J_PER_KWH);
    cJSON *by = cJSON_AddObjectToObject(o, "energy_j_by_component");
    ws_json_add_number(by, "cpu", ws_column_double(r, 9));
    ws_json_add_number(by, "gpu", ws_column_double(r, 10));
    ws_json_add_number(by, "ram", ws_column_double(r, 11));
    ws_json_add_number(o, "energy_lo_j", ws_column_double(r, 13));
    ws_json_add_number(o, "energy_hi_j", ws_column_double(r, 14));
    ws_json_add_string(o, "energy_note", text(r, 15));
    ws_json_add_number(o, "mean_power_w", ws_column_double(r, 16));
    ws_json_add_number(o, "peak_power_w", ws_column_double(r, 17));
    ws_json_add_number(o, "mean_util_pct", ws_column_double(r, 18));
    ws_json_add_number(o, "emissions_kg", ws_column_double(r, 19));
    ws_json_add_number(o, "work", ws_column_double(r, 20));
    ws_json_add_string(o, "work_unit", text(r, 21));
    cJSON_AddNumberToObject(o, "n_samples", (double)sqlite3_column_int64(r, 22));
    cJSON_AddNumberToObject(o, "n_gaps", (double)sqlite3_column_int64(r, 23));
    cJSON *src = cJSON_AddObjectToObject(o, "source");
    ws_json_add_string(src, "path", text(r, 24));
    ws_json_add_string(src, "sha256", text(r, 25));
    ws_json_add_string(src, "tool_version", text(r, 26));
    ws_json_add_string(src, "ingested_at", text(r, 27));
    return o;
}

void ws_cli_profile_table_header(FILE *out)
{
    fprintf(out, "%5s  %-13s  %-30s  %-16s  %10s  %12s  %9s  %s\n", "id", "format", "job", "arch",
            "duration_s", "energy_j", "energy_kwh", "note");
}

static void fmt_num(char *buf, size_t n, const char *fmt, double v)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, fmt, v);
}

void ws_cli_profile_table_row(sqlite3_stmt *r, FILE *out)
{
    char dur[32], ej[32], ek[32];
    fmt_num(dur, sizeof dur, "%.3f", ws_column_double(r, 8));
    fmt_num(ej, sizeof ej, "%.1f", ws_column_double(r, 12));
    fmt_num(ek, sizeof ek, "%.6f", ws_column_double(r, 12) / WS_J_PER_KWH);
    const char *note = text(r, 15);
    fprintf(out, "%5lld  %-13s  %-30.30s  %-16.16s  %10s  %12s  %9s  %s\n", (long long)sqlite3_column_int64(r, 0),
            text(r, 1), *text(r, 2) ? text(r, 2) : "-", *text(r, 3) ? text(r, 3) : "-", dur, ej, ek,
            *note ? "*" : "");
}

static void csv_num(FILE *out, double v)
{
    if (!isnan(v))
        fprintf(out, "%.15g", v); /* 15 digits: exact for what files state, no 1467.0719999999999 */
}

void ws_cli_profile_csv_header(FILE *out)
{
    fputs("id,format,job,arch,arch_name,device,run_id,start_time,duration_s,cpu_j,gpu_j,ram_j,energy_j,"
          "energy_kwh,energy_lo_j,energy_hi_j,energy_note,mean_power_w,peak_power_w,mean_util_pct,"
          "emissions_kg,work,work_unit,n_samples,n_gaps,source_path,source_sha256,tool_version\n",
          out);
}

void ws_cli_profile_csv_row(sqlite3_stmt *r, FILE *out)
{
    fprintf(out, "%lld", (long long)sqlite3_column_int64(r, 0));
    for (int i = 1; i <= 7; i++) {
        fputc(',', out);
        ws_csv_write_field(out, text(r, i));
    }
    for (int i = 8; i <= 12; i++) {
        fputc(',', out);
        csv_num(out, ws_column_double(r, i));
    }
    fputc(',', out);
    csv_num(out, ws_column_double(r, 12) / WS_J_PER_KWH);
    for (int i = 13; i <= 14; i++) {
        fputc(',', out);
        csv_num(out, ws_column_double(r, i));
    }
    fputc(',', out);
    ws_csv_write_field(out, text(r, 15));
    for (int i = 16; i <= 20; i++) {
        fputc(',', out);
        csv_num(out, ws_column_double(r, i));
    }
    fputc(',', out);
    ws_csv_write_field(out, text(r, 21));
    fprintf(out, ",%lld,%lld", (long long)sqlite3_column_int64(r, 22), (long long)sqlite3_column_int64(r, 23));
    for (int i = 24; i <= 26; i++) {
        fputc(',', out);
        ws_csv_write_field(out, text(r, i));
    }
    fputc('\n', out);
}
