/* ingest_scaphandre: Scaphandre's JSON exporter (`scaphandre json -f FILE`): one report per step,
 *   {"host": {"consumption": µW, "timestamp": s, ...}, "consumers": [...],
 *    "sockets": [{"id": 0, "consumption": µW, "domains": [...], "timestamp": s}, ...]}
 * written as a JSON array (0.5) or back to back without separators (1.0; also one per line). The host
 * is one profile and every socket another (power = consumption / 1e6); "consumers" (per process) are
 * Scaphandre's attribution, not a measurement of their own, and are not stored. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_ingest.h"

typedef struct {
    char key[32];
    ws_profile p;
    ws_trapz tz;
    double t0, t_last;
    int begun;
} sc_series;

typedef struct {
    sc_series v[65]; /* the host and up to 64 sockets */
    int n;
    const ws_ingest_opts *opts;
    ws_ingest_sink *sink;
    long report;     /* 1-based index of the report being read, for messages */
} sc_ctx;

static sc_series *sc_get(sc_ctx *c, const char *key)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->v[i].key, key) == 0)
            return &c->v[i];
    if (c->n == 65)
        return NULL;
    sc_series *s = &c->v[c->n];
    memset(s, 0, sizeof *s);
    ws_strlcpy(s->key, key, sizeof s->key);
    ws_profile_init(&s->p, c->opts, c->n++);
    ws_strlcpy(s->p.device, key, sizeof s->p.device);
    ws_trapz_init(&s->tz, c->opts->gap_s);
    return s;
}

/* One reading of {consumption µW, timestamp s} into the series of key. */
static int sc_add(sc_ctx *c, const char *key, const cJSON *o, ws_error *err)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(o, "consumption"), *t = cJSON_GetObjectItemCaseSensitive(o, "timestamp");
    if (!cJSON_IsNumber(w) || !cJSON_IsNumber(t) || !isfinite(w->valuedouble) || !isfinite(t->valuedouble)) {
        ws_error_set(err, c->opts->path, 0, key, "report %ld: needs numbers consumption (µW) and timestamp (s)",
                     c->report);
        return WS_EINPUT;
    }
    sc_series *s = sc_get(c, key);
    if (!s)
        return WS_EFAIL;
    double ts = t->valuedouble;
    if (!s->begun) {
        s->t0 = ts;
        s->p.start_unix_s = ts;
        ws_format_time(ts, s->p.start_time, sizeof s->p.start_time);
        if (c->sink->begin(c->sink, &s->p) != 0)
            return WS_EFAIL;
        s->begun = 1;
    } else if (ts <= s->t_last) {
        ws_error_set(err, c->opts->path, 0, key, "report %ld: timestamp %.6f does not come after the previous one",
                     c->report, ts);
        return WS_EINPUT;
    }
    s->t_last = ts;
    ws_sample smp;
    ws_sample_init(&smp);
    smp.t_s = ws_round_us(ts - s->t0);
    smp.power_w = w->valuedouble / 1e6;
    if (strcmp(key, "host") != 0)
        smp.cpu_power_w = smp.power_w;
    ws_trapz_add(&s->tz, smp.t_s, smp.power_w, NAN);
    return c->sink->sample(c->sink, &s->p, &smp) == 0 ? WS_OK : WS_EFAIL;
}

static int sc_report(sc_ctx *c, const cJSON *r, ws_error *err)
{
    c->report++;
    const cJSON *host = cJSON_GetObjectItemCaseSensitive(r, "host"), *sock;
    if (!cJSON_IsObject(host)) {
        ws_error_set(err, c->opts->path, 0, "host", "report %ld: no host object (not a Scaphandre report)", c->report);
        return WS_EINPUT;
    }
    int rc = sc_add(c, "host", host, err);
    cJSON_ArrayForEach(sock, cJSON_GetObjectItemCaseSensitive(r, "sockets"))
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(sock, "id");
        char key[32];
        snprintf(key, sizeof key, "socket%d", cJSON_IsNumber(id) ? (int)id->valuedouble : 0);
        if (rc == WS_OK)
            rc = sc_add(c, key, sock, err);
    }
    return rc;
}

int ws_ingest_scaphandre(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool[64], ws_error *err)
{
    (void)tool;
    size_t len;
    char *text = ws_read_file(opts->path, &len);
    if (!text) {
        ws_error_set(err, opts->path, 0, "", "cannot read");
        return WS_EINPUT;
    }
    sc_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        free(text);
        return WS_EFAIL;
    }
    c->opts = opts;
    c->sink = sink;
    int rc = WS_OK;
    const char *p = text;
    while (rc == WS_OK) {
        while (*p && (isspace((unsigned char)*p) || *p == ','))
            p++;
        if (!*p)
            break;
        const char *end = NULL;
        cJSON *doc = cJSON_ParseWithOpts(p, &end, 0);
        if (!doc) {
            ws_error_set(err, opts->path, 0, "", "report %ld: not JSON near byte %ld", c->report + 1,
                         (long)((end ? end : p) - text));
            rc = WS_EINPUT;
            break;
        }
        if (cJSON_IsArray(doc)) {
            const cJSON *r;
            cJSON_ArrayForEach(r, doc)
            if (rc == WS_OK)
                rc = sc_report(c, r, err);
        } else {
            rc = sc_report(c, doc, err);
        }
        cJSON_Delete(doc);
        p = end;
    }
    for (int i = 0; i < c->n && rc == WS_OK; i++) {
        sc_series *s = &c->v[i];
        ws_trapz_finish(&s->tz, &s->p);
        if (isnan(s->p.energy_cpu_j) && strcmp(s->key, "host") != 0)
            s->p.energy_cpu_j = s->p.energy_j;
        ws_strlcpy(s->p.energy_note, strcmp(s->key, "host") == 0
                                         ? "Scaphandre host power (RAPL-based); per-process consumers not stored"
                                         : "Scaphandre CPU socket power (RAPL)",
                   sizeof s->p.energy_note);
        if (sink->end(sink, &s->p) != 0)
            rc = WS_EFAIL;
    }
    if (rc == WS_OK && c->n == 0) {
        ws_error_set(err, opts->path, 0, "", "no Scaphandre report in the file");
        rc = WS_EINPUT;
    }
    free(c);
    free(text);
    return rc;
}
