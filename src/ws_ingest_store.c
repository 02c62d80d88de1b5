/* ws_ingest_store: see ws_ingest_store.h. The store sink inserts the profile row when a profile
 * begins (so samples can reference it) and fills in the totals when it ends. */
#include "ws_ingest_store.h"

#include "ws_plausible.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    ws_store *st;
    int64_t source_id;
    const char *format;
    int keep_samples;
    sqlite3_stmt *ins_profile, *ins_sample, *upd_profile;
    ws_ingest_result *res;
    long *seq;  /* per source_index sample counters */
    int n_seq;
    int check, whole_job; /* ws_plausible: check values (not --allow-implausible); rows may be multi-node jobs */
    char why[700];        /* the first implausible value, for the message */
    long line, why_line;  /* the line being read (readers keep it); the line of the implausible value */
} store_sink;

/* An implausible value stops the parser (the sink fails); ws_ingest_file turns that into the message. */
static int implausible(store_sink *ss, const ws_profile *p, const char *what, double t_s)
{
    ss->why_line = isnan(t_s) ? 0 : ss->line; /* a sample: the line just read; a profile's mean: none */
    char where[64] = "";
    if (!isnan(t_s))
        snprintf(where, sizeof where, "sample at t = %.6g s of ", t_s);
    snprintf(ss->why, sizeof ss->why, "%.60sprofile %d ('%.128s'%s%.128s): %.256s", where, p->source_index, p->job,
             p->device[0] ? ", device " : "", p->device, what);
    return -1;
}

static int sink_begin(ws_ingest_sink *sink, ws_profile *p)
{
    store_sink *ss = sink->ctx;
    sqlite3_stmt *s = ss->ins_profile;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, ss->source_id);
    sqlite3_bind_int(s, 2, p->source_index);
    ws_bind_text(s, 3, ss->format);
    if (sqlite3_step(s) != SQLITE_DONE)
        return -1;
    p->id = sqlite3_last_insert_rowid(ss->st->db);
    if (p->source_index >= ss->n_seq) {
        int n = p->source_index + 16;
        long *bigger = realloc(ss->seq, (size_t)n * sizeof *bigger);
        if (!bigger)
            return -1;
        memset(bigger + ss->n_seq, 0, (size_t)(n - ss->n_seq) * sizeof *bigger);
        ss->seq = bigger;
        ss->n_seq = n;
    }
    ss->seq[p->source_index] = 0;
    ws_ingest_result *r = ss->res;
    if (ws_grow(&r->ids, r->n_ids, &r->cap_ids, sizeof *r->ids, 8) != 0)
        return -1;
    r->ids[r->n_ids++] = p->id;
    return 0;
}

static int sink_sample(ws_ingest_sink *sink, const ws_profile *p, const ws_sample *smp)
{
    store_sink *ss = sink->ctx;
    char buf[256];
    const char *bad = ss->check ? ws_plausible_sample(smp, p->device, buf, sizeof buf) : NULL;
    if (bad)
        return implausible(ss, p, bad, smp->t_s);
    if (!ss->keep_samples)
        return 0;
    sqlite3_stmt *s = ss->ins_sample;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, p->id);
    sqlite3_bind_int64(s, 2, ss->seq[p->source_index]++);
    ws_bind_double(s, 3, smp->t_s);
    ws_bind_double(s, 4, smp->power_w);
    ws_bind_double(s, 5, smp->util_pct);
    ws_bind_double(s, 6, smp->mem_util_pct);
    ws_bind_double(s, 7, smp->cpu_power_w);
    ws_bind_double(s, 8, smp->gpu_power_w);
    ws_bind_double(s, 9, smp->ram_power_w);
    ws_bind_double(s, 10, smp->energy_j);
    return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

static int sink_end(ws_ingest_sink *sink, ws_profile *p)
{
    store_sink *ss = sink->ctx;
    char buf[256];
    const char *bad = ss->check ? ws_plausible_profile(p, ss->whole_job, buf, sizeof buf) : NULL;
    if (bad)
        return implausible(ss, p, bad, NAN);
    sqlite3_stmt *s = ss->upd_profile;
    sqlite3_reset(s);
    int i = 1;
    ws_bind_text(s, i++, p->job);
    ws_bind_text(s, i++, p->arch);
    ws_bind_text(s, i++, p->arch_name);
    ws_bind_text(s, i++, p->device);
    ws_bind_text(s, i++, p->run_id);
    ws_bind_double(s, i++, p->start_unix_s);
    ws_bind_text(s, i++, p->start_time);
    ws_bind_double(s, i++, p->duration_s);
    ws_bind_double(s, i++, p->energy_cpu_j);
    ws_bind_double(s, i++, p->energy_gpu_j);
    ws_bind_double(s, i++, p->energy_ram_j);
    ws_bind_double(s, i++, p->energy_j);
    ws_bind_double(s, i++, p->energy_lo_j);
    ws_bind_double(s, i++, p->energy_hi_j);
    ws_bind_text(s, i++, p->energy_note);
    ws_bind_double(s, i++, p->mean_power_w);
    ws_bind_double(s, i++, p->peak_power_w);
    ws_bind_double(s, i++, p->mean_util_pct);
    ws_bind_double(s, i++, p->emissions_kg);
    ws_bind_double(s, i++, p->pue);
    ws_bind_text(s, i++, p->country);
    ws_bind_text(s, i++, p->region);
    ws_bind_double(s, i++, p->work);
    ws_bind_text(s, i++, p->work_unit);
    sqlite3_bind_int64(s, i++, p->n_samples);
    sqlite3_bind_int64(s, i++, p->n_gaps);
    ws_bind_double(s, i++, p->max_gap_s);
    sqlite3_bind_int64(s, i++, p->id);
    return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

static const char *const UPDATE_PROFILE_SQL =
    "UPDATE profiles SET job=?, arch=?, arch_name=?, device=?, run_id=?, start_unix_s=?, start_time=?,"
    " duration_s=?, energy_cpu_j=?, energy_gpu_j=?, energy_ram_j=?, energy_j=?, energy_lo_j=?,"
    " energy_hi_j=?, energy_note=?, mean_power_w=?, peak_power_w=?, mean_util_pct=?, emissions_kg=?,"
    " pue=?, country=?, region=?, work=?, work_unit=?, n_samples=?, n_gaps=?, max_gap_s=? WHERE id=?";

static void finalize_sink(store_sink *ss)
{
    sqlite3_finalize(ss->ins_profile);
    sqlite3_finalize(ss->ins_sample);
    sqlite3_finalize(ss->upd_profile);
    free(ss->seq);
}

/* Every profile of the source says how many rows were skipped, and the first lines. */
static int note_skips(ws_store *st, int64_t source_id, const ws_skips *sk)
{
    char note[160];
    int len = snprintf(note, sizeof note, "%ld unreadable row(s) skipped (--skip-bad-rows), line", sk->n);
    for (long i = 0; i < sk->n && i < 5 && len < (int)sizeof note; i++)
        len += snprintf(note + len, sizeof note - (size_t)len, "%s %ld", i ? "," : (sk->n > 1 ? "s" : ""), sk->lines[i]);
    if (sk->n > 5 && len < (int)sizeof note)
        snprintf(note + len, sizeof note - (size_t)len, ", ...");
    sqlite3_stmt *s = ws_store_prepare(st, "UPDATE profiles SET energy_note = CASE WHEN energy_note IS NULL OR "
                                           "energy_note = '' THEN ?1 ELSE energy_note || '; ' || ?1 END "
                                           "WHERE source_id = ?2");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, note, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, source_id);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(s);
    return rc;
}

int ws_ingest_file(ws_store *st, const ws_ingest_format *fmt, const ws_ingest_opts *opts,
                   ws_ingest_result *res, ws_error *err)
{
    memset(res, 0, sizeof *res);
    struct stat sb;
    if (stat(opts->path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        ws_error_set(err, opts->path, 0, "", "cannot read: not a regular file");
        return WS_EINPUT;
    }
    if (ws_sha256_file(opts->path, res->sha256) != 0) {
        ws_error_set(err, opts->path, 0, "", "cannot read");
        return WS_EINPUT;
    }
    int64_t existing = ws_store_find_source(st, res->sha256);
    if (existing < 0)
        return WS_EFAIL;
    if (existing > 0 && !opts->replace) {
        res->already = 1;
        res->existing_source_id = existing;
        return WS_OK;
    }
    if (!fmt && !(fmt = ws_ingest_sniff(opts->path, err)))
        return WS_EINPUT;
    ws_strlcpy(res->format, fmt->name, sizeof res->format);

    store_sink ss = {.st = st, .format = fmt->name, .keep_samples = opts->keep_samples, .res = res,
                     .check = !opts->allow_implausible, .whole_job = strcmp(fmt->name, "jobs") == 0};
    ws_ingest_sink sink = {.ctx = &ss, .begin = sink_begin, .sample = sink_sample, .end = sink_end};
    if (ws_store_begin(st) != 0) {
        ws_error_set(err, opts->path, 0, "", "%s", ws_store_error(st));
        return WS_EFAIL;
    }
    int rc = WS_EFAIL;
    /* --replace: the old profiles go in the same transaction as the new ones come, so a failure keeps them */
    if (existing > 0 && ws_store_delete_source(st, existing) != 0) {
        ws_error_set(err, opts->path, 0, "", "%s", ws_store_error(st));
        ws_store_rollback(st);
        return WS_EFAIL;
    }
    res->replaced_source_id = existing > 0 ? existing : 0;
    ss.source_id = ws_store_add_source(st, opts->path, res->sha256, fmt->name, NULL, (int64_t)sb.st_size);
    ss.ins_profile = ws_store_prepare(st, "INSERT INTO profiles(source_id, source_index, format) VALUES (?,?,?)");
    ss.ins_sample = ws_store_prepare(st, "INSERT INTO samples(profile_id, seq, t_s, power_w, util_pct, "
                                         "mem_util_pct, cpu_power_w, gpu_power_w, ram_power_w, energy_j) "
                                         "VALUES (?,?,?,?,?,?,?,?,?,?)");
    ss.upd_profile = ws_store_prepare(st, UPDATE_PROFILE_SQL);
    if (ss.source_id > 0 && ss.ins_profile && ss.ins_sample && ss.upd_profile) {
        ws_ingest_opts o = *opts; /* --skip-bad-rows counts into the result; readers keep the line */
        o.line_now = &ss.line;
        if (opts->skip_bad_rows)
            o.skip_bad_rows = &res->skipped;
        rc = fmt->parse(&o, &sink, res->tool_version, err);
        if (rc == WS_OK && res->skipped.n > 0 && note_skips(st, ss.source_id, &res->skipped) != 0)
            rc = WS_EFAIL;
        if (ss.why[0]) { /* the sink refused an implausible value: bad input, not a failure */
            ws_error_set(err, opts->path, ss.why_line, "", "%s; if it is right, ingest with --allow-implausible", ss.why);
            rc = WS_EINPUT;
        }
        if (rc == WS_OK && res->n_ids == 0) {
            ws_error_set(err, opts->path, 0, "", "no profile found: the file has a header but no data rows");
            rc = WS_EINPUT;
        }
    }
    if (rc == WS_OK && res->tool_version[0]) {
        sqlite3_stmt *s = ws_store_prepare(st, "UPDATE sources SET tool_version=? WHERE id=?");
        ws_bind_text(s, 1, res->tool_version);
        sqlite3_bind_int64(s, 2, ss.source_id);
        if (!s || sqlite3_step(s) != SQLITE_DONE)
            rc = WS_EFAIL;
        sqlite3_finalize(s);
    }
    finalize_sink(&ss);
    if (rc == WS_OK && ws_store_commit(st) == 0)
        return WS_OK;
    if (rc == WS_OK)
        rc = WS_EFAIL;
    if (rc == WS_EFAIL && !err->message[0])
        ws_error_set(err, opts->path, 0, "", "%s", ws_store_error(st));
    ws_store_rollback(st);
    res->n_ids = 0;
    return rc;
}

void ws_ingest_result_free(ws_ingest_result *res)
{
    free(res->ids);
    memset(res, 0, sizeof *res);
}

int ws_ingest_store_profiles(ws_store *st, const char *label, const char *sha256, const char *format,
                             const char *tool_version, int64_t size_bytes, ws_profile *profiles, int n_profiles,
                             const ws_sample *samples, const long *n_samples, int allow_implausible,
                             ws_ingest_result *res, ws_error *err)
{
    memset(res, 0, sizeof *res);
    ws_strlcpy(res->format, format, sizeof res->format);
    ws_strlcpy(res->sha256, sha256, sizeof res->sha256);
    int64_t existing = ws_store_find_source(st, sha256);
    if (existing < 0)
        return WS_EFAIL;
    if (existing > 0) {
        ws_error_set(err, label, 0, "", "the same measurement is stored already (source %lld)", (long long)existing);
        return WS_EINPUT;
    }
    store_sink ss = {.st = st, .format = format, .keep_samples = 1, .res = res, .check = !allow_implausible};
    ws_ingest_sink sink = {.ctx = &ss, .begin = sink_begin, .sample = sink_sample, .end = sink_end};
    if (ws_store_begin(st) != 0)
        return WS_EFAIL;
    int rc = WS_EFAIL;
    ss.source_id = ws_store_add_source(st, label, sha256, format, tool_version, size_bytes);
    ss.ins_profile = ws_store_prepare(st, "INSERT INTO profiles(source_id, source_index, format) VALUES (?,?,?)");
    ss.ins_sample = ws_store_prepare(st, "INSERT INTO samples(profile_id, seq, t_s, power_w, util_pct, "
                                         "mem_util_pct, cpu_power_w, gpu_power_w, ram_power_w, energy_j) "
                                         "VALUES (?,?,?,?,?,?,?,?,?,?)");
    ss.upd_profile = ws_store_prepare(st, UPDATE_PROFILE_SQL);
    if (ss.source_id > 0 && ss.ins_profile && ss.ins_sample && ss.upd_profile) {
        rc = WS_OK;
        const ws_sample *smp = samples;
        for (int i = 0; i < n_profiles && rc == WS_OK; i++) {
            ws_profile *p = &profiles[i];
            p->source_index = i;
            if (sink_begin(&sink, p) != 0)
                rc = WS_EFAIL;
            for (long k = 0; k < n_samples[i] && rc == WS_OK; k++)
                if (sink_sample(&sink, p, &smp[k]) != 0)
                    rc = WS_EFAIL;
            smp += n_samples[i];
            if (rc == WS_OK && sink_end(&sink, p) != 0)
                rc = WS_EFAIL;
        }
        if (ss.why[0]) {
            ws_error_set(err, label, 0, "", "%s", ss.why);
            rc = WS_EINPUT;
        }
    }
    finalize_sink(&ss);
    if (rc == WS_OK && ws_store_commit(st) == 0)
        return WS_OK;
    if (rc == WS_OK)
        rc = WS_EFAIL;
    ws_store_rollback(st);
    res->n_ids = 0;
    return rc;
}
