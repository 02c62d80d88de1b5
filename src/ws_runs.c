/* ws_runs: see ws_runs.h. The only module that writes `runs` and `run_sites`. */
#include "ws_runs.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {[WS_RUN_SIMULATE] = "simulate", [WS_RUN_WHATIF] = "whatif",
                                         [WS_RUN_SWEEP] = "sweep"};
#define N_KINDS ((int)(sizeof kind_names / sizeof *kind_names))

const char *ws_run_kind_name(ws_run_kind kind)
{
    assert((int)kind >= 0 && (int)kind < N_KINDS);
    return kind_names[kind];
}

int ws_run_kind_parse(const char *name, ws_run_kind *kind)
{
    for (int k = 0; name && k < N_KINDS; k++)
        if (strcmp(name, kind_names[k]) == 0) {
            *kind = (ws_run_kind)k;
            return 0;
        }
    return -1;
}

static int store_failed(ws_store *st, ws_error *err)
{
    ws_error_set(err, NULL, 0, NULL, "%s", ws_store_error(st));
    return WS_EFAIL;
}

static int step_done(ws_store *st, sqlite3_stmt *s)
{
    if (sqlite3_step(s) == SQLITE_DONE)
        return 0;
    snprintf(st->error, sizeof st->error, "store %s: %s", st->path, sqlite3_errmsg(st->db));
    return -1;
}

static int insert_sites(ws_store *st, int64_t run_id, const ws_run_site *sites, int n)
{
    sqlite3_stmt *s = ws_store_prepare(st, "INSERT INTO run_sites(run_id, variant, site, jobs, it_energy_j,"
                                           " facility_energy_j, co2_kg, cost, mean_wait_s, p95_wait_s, utilisation)"
                                           " VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    if (!s)
        return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const ws_run_site *x = &sites[i];
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, run_id);
        ws_bind_text(s, 2, x->variant);
        ws_bind_text(s, 3, x->site);
        sqlite3_bind_int64(s, 4, x->jobs);
        ws_bind_double(s, 5, x->it_energy_j);
        ws_bind_double(s, 6, x->facility_energy_j);
        ws_bind_double(s, 7, x->co2_kg);
        ws_bind_double(s, 8, x->cost);
        ws_bind_double(s, 9, x->mean_wait_s);
        ws_bind_double(s, 10, x->p95_wait_s);
        ws_bind_double(s, 11, x->utilisation);
        rc = step_done(st, s);
    }
    sqlite3_finalize(s);
    return rc;
}

/* The run row with an empty summary, then the summary carrying the id it got. */
static int insert_run(ws_store *st, const ws_run_info *info, cJSON *summary, int64_t *run_id)
{
    sqlite3_stmt *s = ws_store_prepare(st, "INSERT INTO runs(kind, scenario_path, scenario_sha256, seed, started_at,"
                                           " out_dir, summary_json) VALUES (?,?,?,?,?,?,'{}')");
    if (!s)
        return -1;
    char now[40];
    ws_now_iso(now, sizeof now);
    ws_bind_text(s, 1, ws_run_kind_name(info->kind));
    ws_bind_text(s, 2, info->scenario_path);
    sqlite3_bind_text(s, 3, info->scenario_sha256 ? info->scenario_sha256 : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)info->seed);
    ws_bind_text(s, 5, now);
    ws_bind_text(s, 6, info->out_dir);
    int rc = step_done(st, s);
    sqlite3_finalize(s);
    if (rc != 0)
        return -1;
    *run_id = sqlite3_last_insert_rowid(st->db);
    cJSON_DeleteItemFromObjectCaseSensitive(summary, "run_id");
    if (!cJSON_AddNumberToObject(summary, "run_id", (double)*run_id))
        return -1;
    char *text = cJSON_PrintUnformatted(summary);
    s = text ? ws_store_prepare(st, "UPDATE runs SET summary_json = ? WHERE id = ?") : NULL;
    rc = s ? 0 : -1;
    if (s) {
        sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, *run_id);
        rc = step_done(st, s);
    } else if (!text) {
        snprintf(st->error, sizeof st->error, "store %s: out of memory for the run's summary", st->path);
    }
    sqlite3_finalize(s);
    free(text);
    return rc;
}

int ws_runs_insert(ws_store *st, const ws_run_info *info, cJSON *summary, const ws_run_site *sites, int n_sites,
                   int64_t *run_id, ws_error *err)
{
    assert(summary && run_id && n_sites >= 0);
    if (ws_store_begin(st) != 0)
        return store_failed(st, err);
    if (insert_run(st, info, summary, run_id) == 0 && insert_sites(st, *run_id, sites, n_sites) == 0 &&
        ws_store_commit(st) == 0)
        return WS_OK;
    ws_error_set(err, NULL, 0, NULL, "%s", ws_store_error(st));
    ws_store_rollback(st);
    return WS_EFAIL;
}

static int parse_which(const char *which, int64_t *id, ws_error *err)
{
    if (strcmp(which, "latest") == 0) {
        *id = 0;
        return WS_OK;
    }
    char *end;
    long long v = strtoll(which, &end, 10);
    if (!*which || *end || v <= 0) {
        ws_error_set(err, NULL, 0, NULL, "RUN must be a run id or 'latest', not '%s'", which);
        return WS_EINPUT;
    }
    *id = v;
    return WS_OK;
}

static int read_row(ws_store *st, sqlite3_stmt *s, const char *which, unsigned kinds, ws_run_kind *kind,
                    int64_t *id, cJSON **summary, char *out_dir, size_t out_dir_size, ws_error *err)
{
    *id = sqlite3_column_int64(s, 0);
    const char *name = (const char *)sqlite3_column_text(s, 1);
    if (ws_run_kind_parse(name, kind) != 0 || !(kinds & (1u << *kind))) {
        ws_error_set(err, NULL, 0, NULL, "run %lld is a %s run, which this command cannot show%s", (long long)*id,
                     name ? name : "?",
                     name && strcmp(name, "sweep") == 0
                         ? " (a sweep's results are the sweep.csv and sweep.json it wrote, with its figures)"
                         : "");
        return WS_EINPUT;
    }
    const unsigned char *dir = sqlite3_column_text(s, 3);
    if (out_dir && out_dir_size)
        ws_strlcpy(out_dir, dir ? (const char *)dir : "", out_dir_size);
    if (!(*summary = cJSON_Parse((const char *)sqlite3_column_text(s, 2)))) {
        ws_error_set(err, NULL, 0, NULL, "store %s: run %s: the stored summary is not valid JSON", st->path, which);
        return WS_EFAIL;
    }
    return WS_OK;
}

int ws_runs_load(ws_store *st, const char *which, unsigned kinds, ws_run_kind *kind, int64_t *id,
                 cJSON **summary, char *out_dir, size_t out_dir_size, ws_error *err)
{
    *summary = NULL;
    int64_t want;
    int rc = parse_which(which, &want, err);
    if (rc != WS_OK)
        return rc;
    char sql[256] = "SELECT id, kind, summary_json, out_dir FROM runs WHERE id = ?1";
    if (!want) { /* the latest of the kinds asked for */
        int n = snprintf(sql, sizeof sql, "SELECT id, kind, summary_json, out_dir FROM runs WHERE kind IN (");
        for (int k = 0, first = 1; k < N_KINDS; k++)
            if (kinds & (1u << k)) {
                n += snprintf(sql + n, sizeof sql - (size_t)n, "%s'%s'", first ? "" : ", ", kind_names[k]);
                first = 0;
            }
        snprintf(sql + n, sizeof sql - (size_t)n, ") ORDER BY id DESC LIMIT 1");
    }
    sqlite3_stmt *s = ws_store_prepare(st, sql);
    if (!s)
        return store_failed(st, err);
    if (want)
        sqlite3_bind_int64(s, 1, want);
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        rc = read_row(st, s, which, kinds, kind, id, summary, out_dir, out_dir_size, err);
    } else if (step == SQLITE_DONE) {
        ws_error_set(err, NULL, 0, NULL, "no run %s in %s (see the id `simulate` printed)", which, st->path);
        rc = WS_EINPUT;
    } else {
        ws_error_set(err, NULL, 0, NULL, "store %s: %s", st->path, sqlite3_errmsg(st->db));
        rc = WS_EFAIL;
    }
    sqlite3_finalize(s);
    return rc;
}
