/* ws_store: see ws_store.h. The schema lives here, as an ordered list of migrations: migration i
 * takes the store from user_version i to i+1, so old stores upgrade in place. */
#include "ws_store.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const migrations[] = {
    /* 0 -> 1: sources, profiles, samples, and the notebook view. */
    "CREATE TABLE sources ("
    "  id INTEGER PRIMARY KEY,"
    "  path TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL UNIQUE,"
    "  format TEXT NOT NULL,"
    "  tool_version TEXT,"
    "  size_bytes INTEGER,"
    "  ingested_at TEXT NOT NULL);"
    "CREATE TABLE profiles ("
    "  id INTEGER PRIMARY KEY,"
    "  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
    "  source_index INTEGER NOT NULL,"      /* which run / which GPU inside the file */
    "  format TEXT NOT NULL,"
    "  job TEXT,"
    "  arch TEXT,"                          /* normalised slug */
    "  arch_name TEXT,"                     /* as the file or --arch said it */
    "  device TEXT,"                        /* GPU index/uuid, host, ... */
    "  run_id TEXT,"
    "  start_unix_s REAL,"
    "  start_time TEXT,"
    "  duration_s REAL,"
    "  energy_cpu_j REAL, energy_gpu_j REAL, energy_ram_j REAL,"
    "  energy_j REAL,"                      /* total as measured (sum of known components or tool total) */
    "  energy_lo_j REAL, energy_hi_j REAL," /* interval when the measurement is known to be biased */
    "  energy_note TEXT,"
    "  mean_power_w REAL, peak_power_w REAL,"
    "  mean_util_pct REAL,"
    "  emissions_kg REAL,"
    "  pue REAL,"
    "  country TEXT, region TEXT,"
    "  work REAL, work_unit TEXT,"
    "  n_samples INTEGER NOT NULL DEFAULT 0,"
    "  n_gaps INTEGER NOT NULL DEFAULT 0,"
    "  max_gap_s REAL,"
    "  UNIQUE(source_id, source_index));"
    "CREATE INDEX profiles_job_arch ON profiles(job, arch);"
    "CREATE TABLE samples ("
    "  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL,"
    "  t_s REAL NOT NULL,"                  /* seconds since the profile's start */
    "  power_w REAL,"                       /* total power of the device/run */
    "  util_pct REAL,"                      /* GPU (or CPU for CPU-only tools) utilisation, % */
    "  mem_util_pct REAL,"
    "  cpu_power_w REAL, gpu_power_w REAL, ram_power_w REAL,"
    "  energy_j REAL,"                      /* cumulative energy when the tool reports it */
    "  PRIMARY KEY(profile_id, seq)) WITHOUT ROWID;"
    "CREATE VIEW profile_energy AS SELECT"
    "  p.id, p.job, p.arch, p.arch_name, p.format, p.device, p.run_id, p.start_time, p.duration_s,"
    "  p.energy_cpu_j AS cpu_j, p.energy_gpu_j AS gpu_j, p.energy_ram_j AS ram_j, p.energy_j AS total_j,"
    "  p.energy_cpu_j / 3600000.0 AS cpu_kwh, p.energy_gpu_j / 3600000.0 AS gpu_kwh,"
    "  p.energy_ram_j / 3600000.0 AS ram_kwh, p.energy_j / 3600000.0 AS total_kwh,"
    "  p.energy_lo_j AS total_lo_j, p.energy_hi_j AS total_hi_j, p.energy_note,"
    "  p.mean_power_w, p.peak_power_w, p.emissions_kg, p.work, p.work_unit, p.n_samples,"
    "  s.path AS source_path, s.sha256 AS source_sha256, s.tool_version, s.ingested_at"
    "  FROM profiles p JOIN sources s ON s.id = p.source_id;",
    /* 1 -> 2: fitted models and simulation runs. */
    "CREATE TABLE models ("
    "  id INTEGER PRIMARY KEY,"
    "  arch TEXT NOT NULL,"
    "  family TEXT NOT NULL,"               /* power | job */
    "  job TEXT,"                           /* job class, for the job family */
    "  form TEXT NOT NULL,"                 /* linear, fan, powerlaw, poly2, poly3, piecewise, tdp, ... */
    "  assumed INTEGER NOT NULL DEFAULT 0," /* 1 when nothing was measured (TDP fallback) */
    "  path TEXT,"                          /* the JSON file written */
    "  json TEXT NOT NULL,"                 /* the model as written */
    "  fitted_at TEXT NOT NULL);"
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"                 /* simulate | whatif | sweep */
    "  scenario_path TEXT,"
    "  scenario_sha256 TEXT NOT NULL,"
    "  seed INTEGER,"
    "  started_at TEXT NOT NULL,"
    "  out_dir TEXT,"
    "  summary_json TEXT NOT NULL);"        /* what `simulate --json` prints */
    "CREATE TABLE run_sites ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  variant TEXT NOT NULL DEFAULT 'baseline',"
    "  site TEXT NOT NULL,"
    "  jobs INTEGER, it_energy_j REAL, facility_energy_j REAL, co2_kg REAL, cost REAL,"
    "  mean_wait_s REAL, p95_wait_s REAL, utilisation REAL,"
    "  PRIMARY KEY(run_id, variant, site));",
};

/* Failures leave their reason here for the command to print (library code does not print). */
static void set_error(ws_store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(ws_store *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->error, sizeof st->error, fmt, ap);
    va_end(ap);
}

int ws_store_schema_version(void)
{
    return (int)(sizeof migrations / sizeof *migrations);
}

const char *ws_store_error(const ws_store *st)
{
    return st->error[0] ? st->error : "store error";
}

const char *ws_store_default_path(const char *explicit_path)
{
    if (explicit_path && *explicit_path)
        return explicit_path;
    const char *env = getenv("WATTSCALE_DB");
    if (env && *env)
        return env;
    return "wattscale.db";
}

int ws_store_exec(ws_store *st, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        st->busy_seen = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
        if (!(st->opening && st->busy_seen))
            set_error(st, "store %s: %s", st->path, msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

sqlite3_stmt *ws_store_prepare(ws_store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        set_error(st, "store %s: %s", st->path, sqlite3_errmsg(st->db));
        return NULL;
    }
    return s;
}

static int user_version(ws_store *st)
{
    sqlite3_stmt *s = ws_store_prepare(st, "PRAGMA user_version");
    int v = -1, rc = s ? sqlite3_step(s) : SQLITE_ERROR;
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    else
        st->busy_seen = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
    sqlite3_finalize(s);
    return v;
}

/* Each step reads the version inside its own write transaction, so that processes opening a new store
 * at once each apply a migration only if no other did it first (the check and the change are atomic). */
static int migrate(ws_store *st)
{
    int target = ws_store_schema_version();
    for (;;) {
        if (ws_store_begin(st) != 0)
            return -1;
        int v = user_version(st);
        if (v < 0 || v > target) {
            if (v > target)
                set_error(st, "store %s has schema version %d, newer than this wattscale (%d)",
                        st->path, v, target);
            ws_store_rollback(st);
            return -1;
        }
        if (v == target)
            return ws_store_commit(st);
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d;", v + 1);
        if (ws_store_exec(st, migrations[v]) || ws_store_exec(st, bump) || ws_store_commit(st)) {
            ws_store_rollback(st);
            return -1;
        }
    }
}

/* A store this user may only read (someone else's results, a shared folder): opened read-only, without
 * switching the journal (that is a write) and without migrating; it must already be at this version. */
static int open_read_only(ws_store *st, const char *path)
{
    st->read_only = 1;
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        set_error(st, "cannot open store %s for reading: %s", path,
                st->db ? sqlite3_errmsg(st->db) : "out of memory");
        ws_store_close(st);
        return -1;
    }
    sqlite3_busy_timeout(st->db, 10000);
    int v = user_version(st), target = ws_store_schema_version();
    if (v < 0) {
        /* A WAL store needs its shared-memory file, which a read-only folder cannot hold: read it as
         * immutable (a snapshot; nobody may be writing to a store we may not write either). */
        char uri[1100];
        snprintf(uri, sizeof uri, "file:%s?immutable=1", path);
        sqlite3_close(st->db);
        st->db = NULL;
        if (sqlite3_open_v2(uri, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK)
            v = user_version(st);
    }
    if (v != target) {
        set_error(st, "store %s is read-only here and at schema version %d, not %d: open it once "
                         "with write access to update it", path, v, target);
        ws_store_close(st);
        return -1;
    }
    return 0;
}

int ws_store_open(ws_store *st, const char *path)
{
    memset(st, 0, sizeof *st);
    ws_strlcpy(st->path, path, sizeof st->path);
    if (access(path, F_OK) == 0 && access(path, W_OK) != 0)
        return open_read_only(st, path);
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        set_error(st, "cannot open store %s: %s", path,
                st->db ? sqlite3_errmsg(st->db) : "out of memory");
        sqlite3_close(st->db);
        st->db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(st->db, 10000);
    /* Processes opening a new store at once can meet SQLite's deadlock guard (SQLITE_BUSY at once, no
     * wait) while one of them switches the journal to WAL or creates the schema: set up again after a
     * pause, up to 50 times, before giving up. */
    st->opening = 1;
    int rc = -1;
    for (int attempt = 0; attempt < 50; attempt++) {
        st->busy_seen = 0;
        rc = ws_store_exec(st, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;") ||
             migrate(st);
        if (rc == 0 || !st->busy_seen)
            break;
        ws_store_rollback(st);
        struct timespec ts = {0, (long)(20 + 10 * attempt) * 1000000L};
        nanosleep(&ts, NULL);
    }
    st->opening = 0;
    if (rc != 0) {
        if (st->busy_seen)
            set_error(st, "store %s: still locked by other processes after 50 tries", st->path);
        ws_store_close(st);
        return -1;
    }
    return 0;
}

void ws_store_close(ws_store *st)
{
    if (st->db)
        sqlite3_close(st->db);
    st->db = NULL;
}

/* The write lock, waited for as long as other writers hold it: SQLite's busy handler waits 10 s a try,
 * then this backs off (0.1 s doubling to 2 s) and tries again, for up to 15 minutes in all, so that
 * concurrent ingests queue instead of failing ("nothing lost"). */
int ws_store_begin(ws_store *st)
{
    double waited = 0, nap = 0.1;
    for (;;) {
        char *msg = NULL;
        int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
        if (rc == SQLITE_OK)
            return 0;
        int busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
        if (!busy || waited > 900) {
            set_error(st, "store %s: %s%s", st->path, msg ? msg : "cannot begin a write",
                    busy ? " (other writers held it for 15 minutes)" : "");
            sqlite3_free(msg);
            return -1;
        }
        sqlite3_free(msg);
        struct timespec ts = {(time_t)nap, (long)((nap - (double)(time_t)nap) * 1e9)};
        nanosleep(&ts, NULL);
        waited += 10 + nap;
        nap = nap * 2 < 2 ? nap * 2 : 2;
    }
}
int ws_store_commit(ws_store *st) { return ws_store_exec(st, "COMMIT"); }
void ws_store_rollback(ws_store *st)
{
    if (st->db && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

void ws_bind_double(sqlite3_stmt *s, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_double(s, i, v);
}

void ws_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (!v || !*v)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

double ws_column_double(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

int64_t ws_store_find_source(ws_store *st, const char *sha256)
{
    sqlite3_stmt *s = ws_store_prepare(st, "SELECT id FROM sources WHERE sha256 = ?");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
    int64_t id = 0;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        id = sqlite3_column_int64(s, 0);
    else if (rc != SQLITE_DONE)
        id = -1;
    sqlite3_finalize(s);
    return id;
}

static int exec_id(ws_store *st, const char *sql, int64_t id, const char *text)
{
    sqlite3_stmt *s = ws_store_prepare(st, sql);
    if (!s)
        return -1;
    if (text)
        sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s) == SQLITE_DONE ? sqlite3_changes(st->db) : -1;
    sqlite3_finalize(s);
    return rc;
}

static int drop_empty_sources(ws_store *st)
{
    return ws_store_exec(st, "DELETE FROM sources WHERE id NOT IN (SELECT source_id FROM profiles)");
}

int ws_store_delete_source(ws_store *st, int64_t source_id)
{
    return exec_id(st, "DELETE FROM sources WHERE id = ?", source_id, NULL) < 0 ? -1 : 0;
}

int ws_store_delete_profile(ws_store *st, int64_t id)
{
    int n = exec_id(st, "DELETE FROM profiles WHERE id = ?", id, NULL);
    return n < 0 || drop_empty_sources(st) != 0 ? -1 : n > 0;
}

int ws_store_delete_job(ws_store *st, const char *job)
{
    int n = exec_id(st, "DELETE FROM profiles WHERE job = ?", 0, job);
    return n < 0 || drop_empty_sources(st) != 0 ? -1 : n;
}

int64_t ws_store_add_source(ws_store *st, const char *path, const char *sha256, const char *format,
                            const char *tool_version, int64_t size_bytes)
{
    sqlite3_stmt *s = ws_store_prepare(st, "INSERT INTO sources(path, sha256, format, tool_version, "
                                           "size_bytes, ingested_at) VALUES (?,?,?,?,?,?)");
    if (!s)
        return -1;
    char now[40];
    ws_now_iso(now, sizeof now);
    ws_bind_text(s, 1, path);
    ws_bind_text(s, 2, sha256);
    ws_bind_text(s, 3, format);
    ws_bind_text(s, 4, tool_version);
    sqlite3_bind_int64(s, 5, size_bytes);
    ws_bind_text(s, 6, now);
    int64_t id = -1;
    if (sqlite3_step(s) == SQLITE_DONE)
        id = sqlite3_last_insert_rowid(st->db);
    else
        set_error(st, "store %s: %s", st->path, sqlite3_errmsg(st->db));
    sqlite3_finalize(s);
    return id;
}
