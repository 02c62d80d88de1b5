/* ws_carbon: see ws_carbon.h. */
#include "ws_carbon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ws_csv.h"

void ws_series_set_const(ws_series *s, double value)
{
    memset(s, 0, sizeof *s);
    s->kind = WS_SERIES_CONST;
    s->value = value;
}

void ws_series_set_pattern(ws_series *s, ws_series_kind kind, const double *values)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    int n = kind == WS_SERIES_MONTHLY ? 12 : 24;
    for (int i = 0; i < n; i++)
        s->pattern[i] = values[i];
}

void ws_series_free(ws_series *s)
{
    free(s->t_unix_s);
    free(s->v);
    s->t_unix_s = s->v = NULL;
    s->n = 0;
}

static int series_push(ws_series *s, size_t *cap, double t, double v)
{
    if (s->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        double *nt = realloc(s->t_unix_s, nc * sizeof *nt);
        if (!nt)
            return -1;
        s->t_unix_s = nt;
        double *nv = realloc(s->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        s->v = nv;
        *cap = nc;
    }
    s->t_unix_s[s->n] = t;
    s->v[s->n] = v;
    s->n++;
    return 0;
}

static int series_row(ws_series *s, size_t *cap, ws_csv *c, int col, const char *path, ws_error *err)
{
    double t, v;
    if ((int)c->nfields <= col) {
        ws_error_set(err, path, c->line, "", "need %d columns: timestamp, ..., value", col + 1);
        return -1;
    }
    if (ws_parse_time(c->fields[0], &t) != 0) {
        ws_error_set(err, path, c->line, "", "'%s' is not a timestamp", c->fields[0]);
        return -1;
    }
    if (ws_parse_double(c->fields[col], &v) != 0 || v < 0) {
        ws_error_set(err, path, c->line, s->column, "'%s' is not a number >= 0", c->fields[col]);
        return -1;
    }
    if (s->n > 0 && t <= s->t_unix_s[s->n - 1]) {
        ws_error_set(err, path, c->line, "", "timestamps must increase");
        return -1;
    }
    if (series_push(s, cap, t, v) != 0) {
        ws_error_set(err, path, c->line, "", "out of memory");
        return -1;
    }
    return 0;
}

/* The index of the value column in the header row: `column` by name, else 1. -1 with err when absent. */
static int value_column(const ws_csv *c, const char *column, const char *path, ws_error *err)
{
    if (!column || !*column)
        return 1;
    for (int i = 1; i < (int)c->nfields; i++)
        if (strcasecmp(ws_trim(c->fields[i]), column) == 0)
            return i;
    char header[400] = "";
    for (int i = 0; i < (int)c->nfields && strlen(header) < sizeof header - 80; i++)
        snprintf(header + strlen(header), sizeof header - strlen(header), "%s'%.60s'", i ? ", " : "", c->fields[i]);
    ws_error_set(err, path, c->line, column, "no such column; the header has %s", header);
    return -1;
}

int ws_series_load_csv(ws_series *s, const char *path, ws_error *err)
{
    return ws_series_load_csv_column(s, path, NULL, err);
}

int ws_series_load_csv_column(ws_series *s, const char *path, const char *column, ws_error *err)
{
    memset(s, 0, sizeof *s);
    s->kind = WS_SERIES_TABLE;
    ws_strlcpy(s->source, path, sizeof s->source);
    ws_strlcpy(s->column, column ? column : "", sizeof s->column);
    ws_csv c;
    char why[160];
    if (ws_input_check(path, 0, why, sizeof why) != 0) {
        ws_error_set(err, path, 0, "", "cannot read: %s", why);
        return -1;
    }
    if (ws_csv_open(&c, path, ',') != 0) {
        ws_error_set(err, path, 0, "", "cannot open");
        return -1;
    }
    size_t cap = 0;
    int rc = 0, r, col = -1;
    while ((r = ws_csv_next(&c)) == 1) {
        if (col < 0) {
            if ((col = value_column(&c, column, path, err)) < 0) {
                rc = -1;
                break;
            }
            continue;
        }
        if ((rc = series_row(s, &cap, &c, col, path, err)) != 0)
            break;
    }
    if (rc == 0 && r < 0) {
        ws_error_set(err, path, c.line, "", "unterminated quoted field");
        rc = -1;
    }
    if (rc == 0 && s->n == 0) {
        ws_error_set(err, path, 0, "", "no data rows");
        rc = -1;
    }
    ws_csv_close(&c);
    if (rc != 0)
        ws_series_free(s);
    return rc;
}

static double table_at(const ws_series *s, double t, size_t *cursor, double *next)
{
    size_t i = *cursor < s->n ? *cursor : 0;
    if (s->t_unix_s[i] > t && i > 0) {
        /* went backwards: binary search for the last row <= t */
        size_t lo = 0, hi = s->n;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (s->t_unix_s[mid] <= t)
                lo = mid;
            else
                hi = mid;
        }
        i = lo;
    }
    while (i + 1 < s->n && s->t_unix_s[i + 1] <= t)
        i++;
    *cursor = i;
    if (t < s->t_unix_s[0]) {
        *next = s->n > 1 ? s->t_unix_s[1] : INFINITY; /* value of row 0 holds until row 1 */
        return s->v[0];
    }
    *next = i + 1 < s->n ? s->t_unix_s[i + 1] : INFINITY;
    return s->v[i];
}

static double monthly_at(const ws_series *s, double t, double *next)
{
    time_t tt = (time_t)floor(t);
    struct tm tm;
    gmtime_r(&tt, &tm);
    double v = s->pattern[tm.tm_mon];
    struct tm nm = {0};
    nm.tm_year = tm.tm_year + (tm.tm_mon == 11);
    nm.tm_mon = (tm.tm_mon + 1) % 12;
    nm.tm_mday = 1;
    *next = (double)timegm(&nm);
    return v;
}

double ws_series_at(const ws_series *s, double t, size_t *cursor, double *next)
{
    switch (s->kind) {
    case WS_SERIES_TABLE: return table_at(s, t, cursor, next);
    case WS_SERIES_MONTHLY: return monthly_at(s, t, next);
    case WS_SERIES_HOURLY: {
        double h = floor(t / 3600.0);
        long hod = (long)fmod(h, 24.0);
        if (hod < 0)
            hod += 24;
        *next = (h + 1) * 3600.0;
        return s->pattern[hod];
    }
    case WS_SERIES_CONST:
    default: *next = INFINITY; return s->value;
    }
}

double ws_series_mean(const ws_series *s, double t0, double t1)
{
    size_t cur = 0;
    double next, acc = 0, t = t0;
    if (!(t1 > t0))
        return ws_series_at(s, t0, &cur, &next);
    while (t < t1) {
        double v = ws_series_at(s, t, &cur, &next);
        double e = next < t1 ? next : t1;
        acc += v * (e - t);
        t = e;
    }
    return acc / (t1 - t0);
}
