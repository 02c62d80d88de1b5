/* ws_store: the embedded SQLite store. Opens (default ./wattscale.db, or --db / WATTSCALE_DB),
 * migrates the schema by PRAGMA user_version, and offers the few typed operations the commands
 * need. Every statement is prepared; every ingest is one transaction. */
#ifndef WS_STORE_H
#define WS_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "ws_util.h"

typedef struct {
    sqlite3 *db;
    char path[1024];
    int opening;    /* ws_store_open is setting up: a busy store is retried, not reported */
    int busy_seen;  /* the last failure while opening was SQLITE_BUSY/LOCKED */
    int read_only;  /* the file is not writable by this user: opened for reading only */
    char error[1400]; /* why the last call failed, with the path (ws_store_error) */
} ws_store;

/* The schema version this build migrates to: the number of migrations in ws_store.c. */
int ws_store_schema_version(void);
/* Why the last failing call failed ("store PATH: message"); library code never prints it, commands do. */
const char *ws_store_error(const ws_store *st);

/* The path to use: explicit (from --db), else $WATTSCALE_DB, else "wattscale.db". */
const char *ws_store_default_path(const char *explicit_path);
/* Open or create, set WAL + busy timeout + foreign keys, migrate. Returns 0, or -1 with ws_store_error() set. */
int ws_store_open(ws_store *st, const char *path);
void ws_store_close(ws_store *st);

int ws_store_begin(ws_store *st);
int ws_store_commit(ws_store *st);
void ws_store_rollback(ws_store *st);
/* Run SQL with no results (schema, pragmas). */
int ws_store_exec(ws_store *st, const char *sql);
/* Prepare, or NULL with ws_store_error() set. */
sqlite3_stmt *ws_store_prepare(ws_store *st, const char *sql);

/* Bind helpers: NaN doubles and NULL/empty strings become SQL NULL. */
void ws_bind_double(sqlite3_stmt *s, int i, double v);
void ws_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Column helper: SQL NULL reads as NaN. */
double ws_column_double(sqlite3_stmt *s, int i);

/* Source files (one row per distinct SHA-256). Returns the existing source id (>0) if this hash was
 * ingested before, 0 if not, -1 on error. */
int64_t ws_store_find_source(ws_store *st, const char *sha256);
/* Delete one source and everything read from it (profiles, samples: ON DELETE CASCADE). 0 or -1. */
int ws_store_delete_source(ws_store *st, int64_t source_id);
/* Delete profile id (and its samples); then drop sources left without profiles, so that their files
 * can be ingested again. Returns 1 deleted, 0 no such profile, -1 store error. No transaction of its
 * own: the caller wraps a whole `rm` in one. */
int ws_store_delete_profile(ws_store *st, int64_t id);
/* The same for every profile of a job; returns how many, or -1. */
int ws_store_delete_job(ws_store *st, const char *job);
int64_t ws_store_add_source(ws_store *st, const char *path, const char *sha256, const char *format,
                            const char *tool_version, int64_t size_bytes);

#endif
