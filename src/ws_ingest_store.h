/* ws_ingest_store: ingest one file into the store as one transaction (all of it or nothing), and
 * skip files whose SHA-256 is already there. */
#ifndef WS_INGEST_STORE_H
#define WS_INGEST_STORE_H

#include <stdint.h>

#include "ws_ingest.h"
#include "ws_store.h"

typedef struct {
    int64_t *ids; /* profile ids stored from this file */
    int n_ids, cap_ids;
    int already;  /* 1 when the same bytes were ingested before (nothing done) */
    int64_t existing_source_id;
    int64_t replaced_source_id; /* --replace: the source whose profiles were replaced (0: none) */
    ws_skips skipped;   /* --skip-bad-rows: what was skipped (also in every profile's note) */
    char format[32];
    char tool_version[64];
    char sha256[65];
} ws_ingest_result;

/* fmt NULL means sniff. Returns WS_OK, WS_EINPUT (err set, store unchanged) or WS_EFAIL. */
int ws_ingest_file(ws_store *st, const ws_ingest_format *fmt, const ws_ingest_opts *opts,
                   ws_ingest_result *res, ws_error *err);
void ws_ingest_result_free(ws_ingest_result *res);

/* Store profiles built in memory (wattscale measure) the way ws_ingest_file stores a file's: one
 * transaction, a source row (label in its path column, the SHA-256 of the measurement's own bytes, the
 * format name), each profile with its samples (n_samples[i] of them, one after another in samples), the
 * same plausibility checks. res->ids gets the profile ids. WS_OK, WS_EINPUT (err: implausible or the
 * same bytes stored before; store unchanged) or WS_EFAIL. */
int ws_ingest_store_profiles(ws_store *st, const char *label, const char *sha256, const char *format,
                             const char *tool_version, int64_t size_bytes, ws_profile *profiles, int n_profiles,
                             const ws_sample *samples, const long *n_samples, int allow_implausible,
                             ws_ingest_result *res, ws_error *err);

#endif
