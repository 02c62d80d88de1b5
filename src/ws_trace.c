/* ws_trace: see ws_trace.h. */
#include "ws_trace.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int csv_header(ws_trace *t, ws_error *err)
{
    int r = ws_csv_next(&t->csv);
    if (r != 1) {
        ws_error_set(err, t->path, 1, "", "empty trace: need a header job_id,submit_s,runtime_s,cores[,gpus,class]");
        return -1;
    }
    static const char *const need[] = {"job_id", "submit_s", "runtime_s", "cores"};
    for (int i = 0; i < 4; i++)
        if ((size_t)i >= t->csv.nfields || ws_csv_find(t->csv.fields + i, 1, need[i]) != 0) {
            ws_error_set(err, t->path, t->csv.line, "", "header column %d must be %s (job_id,submit_s,runtime_s,cores[,gpus,class])",
                         i + 1, need[i]);
            return -1;
        }
    t->col_gpus = ws_csv_find(t->csv.fields, t->csv.nfields, "gpus");
    t->col_class = ws_csv_find(t->csv.fields, t->csv.nfields, "class");
    return 0;
}

int ws_trace_open(ws_trace *t, const char *path, ws_error *err)
{
    memset(t, 0, sizeof *t);
    ws_strlcpy(t->path, path, sizeof t->path);
    t->unix_start_s = NAN;
    t->last_submit_s = -INFINITY;
    t->format = ends_with(path, ".swf") ? WS_TRACE_SWF : WS_TRACE_CSV;
    char why[160];
    if (ws_input_check(path, 0, why, sizeof why) != 0) {
        ws_error_set(err, path, 0, "", "cannot read trace: %s", why);
        return -1;
    }
    if (t->format == WS_TRACE_CSV) {
        if (ws_csv_open(&t->csv, path, ',') != 0) {
            ws_error_set(err, path, 0, "", "cannot open trace");
            return -1;
        }
        if (csv_header(t, err) != 0) {
            ws_csv_close(&t->csv);
            return -1;
        }
        return 0;
    }
    t->f = fopen(path, "rb");
    if (!t->f) {
        ws_error_set(err, path, 0, "", "cannot open trace");
        return -1;
    }
    return 0;
}

void ws_trace_close(ws_trace *t)
{
    if (t->format == WS_TRACE_CSV)
        ws_csv_close(&t->csv);
    else if (t->f)
        fclose(t->f);
    free(t->buf);
    t->f = NULL;
    t->buf = NULL;
}

/* The digits of an integer field, value exactly as the old digit-by-digit double loop: integer
 * accumulation is exact up to 15 digits (below 2^53), which is all SWF fields in practice; longer
 * ones keep the double loop so that their rounding does not change. Returns the end. */
static const char *swf_digits(const char *p, double *v)
{
    const char *d = p;
    uint64_t m = 0;
    while ((unsigned)(*p - '0') <= 9)
        m = m * 10 + (uint64_t)(*p++ - '0');
    if (p - d <= 15) {
        *v = (double)m;
        return p;
    }
    double x = 0;
    for (p = d; (unsigned)(*p - '0') <= 9; p++)
        x = x * 10 + (*p - '0');
    *v = x;
    return p;
}

/* One whitespace-separated number; integers take the fast path. Returns the end, or NULL. */
static const char *swf_number(const char *p, double *v)
{
    while (*p == ' ' || *p == '\t')
        p++;
    const char *start = p;
    int neg = *p == '-';
    p += neg;
    if ((unsigned)(*p - '0') > 9)
        return NULL;
    double x;
    p = swf_digits(p, &x);
    if (*p == '.' || *p == 'e' || *p == 'E') {
        char *end;
        x = strtod(start, &end);
        if (end == start)
            return NULL;
        *v = x;
        p = end;
    } else {
        *v = neg ? -x : x;
    }
    if (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
        return NULL;
    return p;
}

static void swf_header(ws_trace *t, const char *line)
{
    const char *k = strstr(line, "UnixStartTime:");
    double v;
    if (k && ws_parse_double(k + 14, &v) == 0)
        t->unix_start_s = v;
}

static void trace_skip(ws_trace *t)
{
    if (!t->n_skipped)
        t->first_skip_line = t->line;
    t->n_skipped++;
}

/* 1 job, 0 skipped, -1 error */
static int swf_record(ws_trace *t, const char *p, ws_trace_job *job, ws_error *err)
{
    double f[18];
    int n = 0;
    while (n < 18) {
        const char *q = swf_number(p, &f[n]);
        if (!q)
            break;
        p = q;
        n++;
    }
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (n < 8 || *p) {
        ws_error_set(err, t->path, t->line, "", "not an SWF record (need at least 8 numeric fields, -1 when missing)");
        return -1;
    }
    double procs = f[4] > 0 ? f[4] : f[7];
    if (f[1] < 0 || f[3] < 0 || procs <= 0 || procs > 1e9) {
        trace_skip(t);
        return 0;
    }
    job->id = (int64_t)f[0];
    job->submit_s = f[1];
    job->runtime_s = f[3];
    job->cores = (int)procs;
    job->gpus = 0;
    job->class_name[0] = 0;
    return 1;
}

/* Read more of the file behind the unparsed rest (moved to the front; the buffer doubles when one
 * line fills it). Sets eof at the end or on a read error, as getline() would stop there. */
static int swf_fill(ws_trace *t)
{
    size_t rest = t->len - t->pos;
    if (rest)
        memmove(t->buf, t->buf + t->pos, rest);
    t->pos = 0;
    t->len = rest;
    if (t->cap - t->len < 4096) {
        size_t nc = t->cap ? 2 * t->cap : (size_t)1 << 20;
        char *nb = realloc(t->buf, nc);
        if (!nb)
            return -1;
        t->buf = nb;
        t->cap = nc;
    }
    size_t got = fread(t->buf + t->len, 1, t->cap - 1 - t->len, t->f);
    t->len += got;
    if (got == 0)
        t->eof = 1;
    return 0;
}

/* The next line, NUL-terminated in place without its newline; NULL at the end. Block reads and memchr
 * instead of getline(): reading was a sixth of a FIFO run's time. */
static char *swf_line(ws_trace *t, ws_error *err)
{
    for (;;) {
        /* no pointer arithmetic on the NULL buffer before the first read (undefined, even + 0) */
        char *s = t->buf ? t->buf + t->pos : NULL, *nl = t->len > t->pos ? memchr(s, '\n', t->len - t->pos) : NULL;
        if (nl) {
            *nl = 0;
            t->pos = (size_t)(nl + 1 - t->buf);
            return s;
        }
        if (t->eof) {
            if (t->pos >= t->len)
                return NULL;
            t->buf[t->len] = 0;
            t->pos = t->len;
            return s;
        }
        if (swf_fill(t) != 0) {
            ws_error_set(err, t->path, t->line, "", "out of memory");
            return NULL;
        }
    }
}

static int swf_next(ws_trace *t, ws_trace_job *job, ws_error *err)
{
    char *line;
    while ((line = swf_line(t, err))) {
        t->line++;
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == ';') {
            swf_header(t, p);
            continue;
        }
        if (*p == '\r' || !*p)
            continue;
        int r = swf_record(t, p, job, err);
        if (r != 0)
            return r;
    }
    return t->eof ? 0 : -1;
}

/* A field that is only digits[.digits], at most 15 digits: m / 10^frac, the very computation of
 * ws_parse_double's fast path (Clinger: both exact, one correctly rounded division), minus the
 * whitespace, sign and unit handling it does not need. 0, or -1 to let ws_parse_double decide. */
static int csv_plain(const char *s, double *v)
{
    static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    uint64_t m = 0;
    int digits = 0, frac = 0;
    for (; (unsigned)(*s - '0') <= 9; s++, digits++)
        m = m * 10 + (uint64_t)(*s - '0');
    if (*s == '.')
        for (s++; (unsigned)(*s - '0') <= 9; s++, digits++, frac++)
            m = m * 10 + (uint64_t)(*s - '0');
    if (*s || digits == 0 || digits > 15)
        return -1;
    *v = (double)m / pow10[frac];
    return 0;
}

static int csv_int(ws_trace *t, int col, const char *name, double lo, double *v, ws_error *err)
{
    if ((csv_plain(t->csv.fields[col], v) != 0 && ws_parse_double(t->csv.fields[col], v) != 0) || *v < lo) {
        ws_error_set(err, t->path, t->csv.line, name, "'%s' is not a number >= %g", t->csv.fields[col], lo);
        return -1;
    }
    return 0;
}

static int csv_next(ws_trace *t, ws_trace_job *job, ws_error *err)
{
    int r = ws_csv_next(&t->csv);
    if (r <= 0) {
        if (r < 0)
            ws_error_set(err, t->path, t->csv.line, "", "unterminated quoted field");
        return r;
    }
    t->line = t->csv.line;
    if (t->csv.nfields < 4) {
        ws_error_set(err, t->path, t->line, "", "need job_id,submit_s,runtime_s,cores");
        return -1;
    }
    double id, sub, rt, cores, gpus = 0;
    if (csv_int(t, 0, "job_id", -1e18, &id, err) || csv_int(t, 1, "submit_s", 0, &sub, err) ||
        csv_int(t, 2, "runtime_s", 0, &rt, err) || csv_int(t, 3, "cores", 0, &cores, err))
        return -1;
    if (t->col_gpus >= 0 && (size_t)t->col_gpus < t->csv.nfields && *t->csv.fields[t->col_gpus] &&
        csv_int(t, t->col_gpus, "gpus", 0, &gpus, err))
        return -1;
    if (cores > 1e9 || gpus > 1e9 || cores + gpus < 1) {
        ws_error_set(err, t->path, t->line, "cores", "a job needs at least one core or GPU");
        return -1;
    }
    job->id = (int64_t)id;
    job->submit_s = sub;
    job->runtime_s = rt;
    job->cores = (int)cores;
    job->gpus = (int)gpus;
    job->class_name[0] = 0;
    if (t->col_class >= 0 && (size_t)t->col_class < t->csv.nfields)
        ws_strlcpy(job->class_name, ws_trim(t->csv.fields[t->col_class]), sizeof job->class_name);
    return 1;
}

int ws_trace_next(ws_trace *t, ws_trace_job *job, ws_error *err)
{
    int r = t->format == WS_TRACE_SWF ? swf_next(t, job, err) : csv_next(t, job, err);
    if (r != 1)
        return r;
    job->line = t->line;
    if (job->submit_s < t->last_submit_s) {
        ws_error_set(err, t->path, t->line, "", "submit time %g is before the previous job's %g (sort the trace by submit time)",
                     job->submit_s, t->last_submit_s);
        return -1;
    }
    t->last_submit_s = job->submit_s;
    t->n_read++;
    return 1;
}
