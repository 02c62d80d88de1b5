/* ingest_plain: wattscale's own documented formats for anything without a parser of its own
 * (RAPL readings, PowerJoular, a wall-plug meter, hand measurements):
 *   CSV:  optional "# key: value" lines (job, arch, work, work_unit, tool), then a header with a time
 *         column (t_s | time_s: seconds; time | timestamp: ISO-8601 or seconds), power_w, and optional
 *         util_pct, cpu_power_w, gpu_power_w, ram_power_w, energy_j (a cumulative counter, e.g. RAPL).
 *   JSON: {"job":..,"arch":..,"work":..,"work_unit":..,"tool":..,"samples":[{"t_s":..,"power_w":..}]}
 *         or an array of such objects (one profile each).
 * Energy is the trapezoid integral of power_w; when a cumulative energy_j counter is given instead,
 * its last minus first reading. Documented in data/README.md. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ws_csv.h"
#include "ws_ingest.h"
#include "ws_json.h"

/* One profile being built from (time, power, ...) points, shared by the CSV and JSON readers. */
typedef struct {
    ws_profile p;
    ws_trapz tz;
    double t0, t_last, e_first, e_last;
    ws_sample last;  /* the previous sample: an identical repeat is a duplicate row, skipped and said */
    long n_dup;
    int begun, has_counter;
} series;


static int same_sample(const ws_sample *a, const ws_sample *b)
{
    return ws_same_value(a->power_w, b->power_w) && ws_same_value(a->util_pct, b->util_pct) &&
           ws_same_value(a->cpu_power_w, b->cpu_power_w) && ws_same_value(a->gpu_power_w, b->gpu_power_w) &&
           ws_same_value(a->ram_power_w, b->ram_power_w) && ws_same_value(a->energy_j, b->energy_j);
}

static void series_init(series *s, const ws_ingest_opts *opts, int index)
{
    memset(s, 0, sizeof *s);
    ws_profile_init(&s->p, opts, index);
    ws_trapz_init(&s->tz, opts->gap_s);
}

/* Metadata "key: value" from the file; command-line options win. */
static int series_meta(series *s, const ws_ingest_opts *opts, const char *key, const char *value, char tool[64])
{
    if (strcmp(key, "job") == 0 && !opts->job)
        ws_strlcpy(s->p.job, value, sizeof s->p.job);
    else if (strcmp(key, "arch") == 0)
        ws_profile_set_arch(&s->p, opts, value);
    else if (strcmp(key, "work_unit") == 0 && !opts->work_unit)
        ws_strlcpy(s->p.work_unit, value, sizeof s->p.work_unit);
    else if (strcmp(key, "work") == 0 && isnan(opts->work)) {
        if (ws_parse_double(value, &s->p.work) != 0 || s->p.work < 0)
            return -1;
    } else if (strcmp(key, "tool") == 0)
        ws_strlcpy(tool, value, 64);
    return 0;
}

static int series_add(series *s, ws_ingest_sink *sink, const ws_sample *in, double t_abs, int absolute,
                      const char *path, long line, ws_error *err)
{
    if (!s->begun) {
        s->t0 = t_abs;
        if (absolute) {
            s->p.start_unix_s = t_abs;
            ws_format_time(t_abs, s->p.start_time, sizeof s->p.start_time);
        }
        if (sink->begin(sink, &s->p) != 0)
            return WS_EFAIL;
        s->begun = 1;
    } else if (t_abs < s->t_last) {
        ws_error_set(err, path, line, "time", "earlier than the previous sample: timestamps must not go back");
        return WS_EINPUT;
    } else if (t_abs == s->t_last) {
        if (!same_sample(in, &s->last)) {
            ws_error_set(err, path, line, "time",
                         "repeats the previous sample's time with other values: several devices interleaved without "
                         "a column telling them apart (index, gpu, gpu_index, device, uuid, ...)?");
            return WS_EINPUT;
        }
        s->n_dup++;
        return WS_OK;
    }
    s->last = *in;
    s->t_last = t_abs;
    ws_sample smp = *in;
    smp.t_s = ws_round_us(t_abs - s->t0);
    if (!isnan(smp.power_w) && smp.power_w < 0) {
        ws_error_set(err, path, line, "power_w", "negative power %g W", smp.power_w);
        return WS_EINPUT;
    }
    if (!isnan(smp.energy_j)) {
        if (s->has_counter && smp.energy_j < s->e_last) {
            ws_error_set(err, path, line, "energy_j", "cumulative counter went down (%g < %g J)", smp.energy_j,
                         s->e_last);
            return WS_EINPUT;
        }
        if (!s->has_counter)
            s->e_first = smp.energy_j;
        s->has_counter = 1;
        s->e_last = smp.energy_j;
    }
    if (!isnan(smp.power_w))
        ws_trapz_add(&s->tz, smp.t_s, smp.power_w, smp.util_pct);
    return sink->sample(sink, &s->p, &smp) == 0 ? WS_OK : WS_EFAIL;
}

static int series_end(series *s, ws_ingest_sink *sink)
{
    if (!s->begun)
        return WS_OK;
    ws_trapz_finish(&s->tz, &s->p);
    if (s->tz.n == 0)
        s->p.duration_s = s->t_last - s->t0;
    if (s->n_dup) {
        size_t used = strlen(s->p.energy_note);
        snprintf(s->p.energy_note + used, sizeof s->p.energy_note - used,
                 "%s%ld duplicate row(s) (same time, same values) skipped", used ? "; " : "", s->n_dup);
    }
    if (s->has_counter) {
        /* A counter measures energy directly: trust it over the integral of sampled power. */
        s->p.energy_j = s->e_last - s->e_first;
        s->p.energy_lo_j = s->p.energy_hi_j = NAN;
        s->p.energy_note[0] = '\0';
        if (s->p.duration_s > 0)
            s->p.mean_power_w = s->p.energy_j / s->p.duration_s;
    }
    return sink->end(sink, &s->p) == 0 ? WS_OK : WS_EFAIL;
}

/* Time column text: seconds, or an ISO-8601 timestamp. Sets absolute when it was a timestamp. */
static int parse_time_value(const char *text, double *t, int *absolute)
{
    if (ws_parse_double(text, t) == 0) {
        *absolute = 0;
        return 0;
    }
    *absolute = 1;
    return ws_parse_time(text, t);
}

static int optional_number(char **f, int col, double *out, int nonneg)
{
    *out = NAN;
    if (col < 0 || ws_is_missing(f[col]))
        return 0;
    return ws_parse_double(f[col], out) != 0 || (nonneg && *out < 0) ? -1 : 0;
}

typedef struct {
    int time, power, util, cpu, gpu, ram, energy;
    int dev[8], n_dev; /* device columns: one series per device */
    double power_scale, energy_scale, util_scale; /* to W, J and % */
    int loose_time;    /* PowerJoular's unpadded "2024-11-2 19:17:6.623" */
    size_t n;
} plain_cols;

/* PowerJoular writes its time unpadded, milliseconds as a plain count ("2024-11-2 19:17:6.623", "...:6.5"
 * = 5 ms; older versions put a space after each separator), without a zone (local time, taken as UTC):
 * the six numbers and the milliseconds, whatever the padding. */
static int parse_loose_time(const char *s, double *t)
{
    long v[7];
    int n = 0;
    for (const char *p = s; *p && n < 7;) {
        if (!isdigit((unsigned char)*p)) {
            p++;
            continue;
        }
        char *end;
        v[n++] = strtol(p, &end, 10);
        p = end;
    }
    char iso[64];
    if (n < 6)
        return -1;
    snprintf(iso, sizeof iso, "%04ld-%02ld-%02ldT%02ld:%02ld:%02ldZ", v[0], v[1], v[2], v[3], v[4], v[5]);
    if (ws_parse_time(iso, t) != 0)
        return -1;
    *t += n == 7 ? (double)v[6] / 1000.0 : 0;
    return 0;
}

static int find_time_col(char **h, size_t n)
{
    static const char *const names[] = {"t_s", "time_s", "time", "timestamp"};
    for (size_t k = 0; k < 4; k++) {
        int c = ws_csv_find(h, n, names[k]);
        if (c >= 0)
            return c;
    }
    return -1;
}

static int plain_row(series *s, const plain_cols *c, char **f, const ws_csv *csv, const ws_ingest_opts *opts,
                     ws_ingest_sink *sink, ws_error *err)
{
    static const char *const names[] = {"power_w", "util_pct", "cpu_power_w", "gpu_power_w", "ram_power_w",
                                        "energy_j"};
    ws_sample smp;
    ws_sample_init(&smp);
    int cols[] = {c->power, c->util, c->cpu, c->gpu, c->ram, c->energy};
    double *dst[] = {&smp.power_w, &smp.util_pct, &smp.cpu_power_w, &smp.gpu_power_w, &smp.ram_power_w,
                     &smp.energy_j};
    for (int k = 0; k < 6; k++)
        if (optional_number(f, cols[k], dst[k], k != 0) != 0) {
            ws_error_set(err, opts->path, csv->line, names[k], "'%s' is not a number", f[cols[k]]);
            return WS_EINPUT;
        }
    smp.power_w *= c->power_scale; /* NaN stays NaN */
    smp.cpu_power_w *= c->power_scale;
    smp.gpu_power_w *= c->power_scale;
    smp.ram_power_w *= c->power_scale;
    smp.energy_j *= c->energy_scale;
    smp.util_pct *= c->util_scale;
    if (!isnan(smp.util_pct) && smp.util_pct > 100) {
        ws_error_set(err, opts->path, csv->line, "util_pct", "%g is above 100 %%", smp.util_pct);
        return WS_EINPUT;
    }
    double t;
    int absolute;
    if (c->loose_time ? (absolute = 1, parse_loose_time(f[c->time], &t)) != 0
                      : parse_time_value(f[c->time], &t, &absolute) != 0) {
        ws_error_set(err, opts->path, csv->line, "time", "'%s' is neither seconds nor an ISO-8601 timestamp",
                     f[c->time]);
        return WS_EINPUT;
    }
    return series_add(s, sink, &smp, t, absolute, opts->path, csv->line, err);
}

/* "# key: value" before the header; fields were split at commas, so rejoin them. */
static int plain_comment(series *s, const ws_csv *csv, const ws_ingest_opts *opts, char tool[64], ws_error *err)
{
    char line[1024] = "";
    for (size_t i = 0; i < csv->nfields; i++) {
        if (i)
            strncat(line, ",", sizeof line - strlen(line) - 1);
        strncat(line, csv->fields[i], sizeof line - strlen(line) - 1);
    }
    char *colon = strchr(line, ':');
    if (!colon)
        return WS_OK;
    *colon = '\0';
    char *key = ws_trim(line + 1), *value = ws_trim(colon + 1);
    if (series_meta(s, opts, key, value, tool) != 0) {
        ws_error_set(err, opts->path, csv->line, key, "'%s' is not a non-negative number", value);
        return WS_EINPUT;
    }
    return WS_OK;
}

typedef struct {
    series s;        /* the file's metadata lines land here; each device's series starts as a copy */
    series *dev;     /* with device columns: one series per device, in order of appearance */
    int n_dev, cap_dev, last;
    int wide[16], n_wide; /* wide layout: one power column per device (GPU0, gpu1_power_w, ...) */
    char wide_name[16][32];
    plain_cols c;
    const ws_ingest_opts *opts;
    ws_ingest_sink *sink;
    char *tool;
} plain_ctx;

static series *plain_series_named(plain_ctx *p, const char *key);

/* The series of the row's device (the single series without device columns); NULL out of memory. */
static series *plain_series(plain_ctx *p, char **f)
{
    if (p->c.n_dev == 0)
        return &p->s;
    char key[128];
    ws_ingest_device_key(f, p->c.dev, p->c.n_dev, key, sizeof key);
    return plain_series_named(p, key);
}

static series *plain_series_named(plain_ctx *p, const char *key)
{
    if (p->n_dev > 0 && strcmp(p->dev[p->last].p.device, key) == 0)
        return &p->dev[p->last];
    for (int i = 0; i < p->n_dev; i++)
        if (strcmp(p->dev[i].p.device, key) == 0)
            return &p->dev[p->last = i];
    if (ws_grow(&p->dev, p->n_dev, &p->cap_dev, sizeof *p->dev, 4) != 0)
        return NULL;
    series *d = &p->dev[p->n_dev];
    *d = p->s;
    d->p.source_index = p->n_dev;
    ws_strlcpy(d->p.device, key, sizeof d->p.device);
    p->last = p->n_dev++;
    return d;
}

static int plain_on_comment(void *ctx, const ws_csv *csv, ws_error *err)
{
    plain_ctx *p = ctx;
    return plain_comment(&p->s, csv, p->opts, p->tool, err);
}

/* Other tools' CSVs read by this parser: PowerJoular (machine: Total Power, CPU Power, GPU Power; -p PID:
 * CPU Power; CPU Utilization as a fraction) and the Zeus power monitor (Time, Power in mW). */
static void plain_dialect(plain_cols *c, char **h, size_t n)
{
    if (ws_csv_find(h, n, "Date") >= 0 && ws_csv_find(h, n, "CPU Power") >= 0) {
        int total = ws_csv_find(h, n, "Total Power");
        c->time = ws_csv_find(h, n, "Date");
        c->cpu = ws_csv_find(h, n, "CPU Power");
        c->gpu = ws_csv_find(h, n, "GPU Power");
        c->power = total >= 0 ? total : c->cpu;
        c->util = ws_csv_find(h, n, "CPU Utilization");
        c->util_scale = 100;
        c->loose_time = 1;
    } else if (n == 2 && ws_csv_find(h, n, "Time") >= 0 && ws_csv_find(h, n, "Power") >= 0) {
        c->time = ws_csv_find(h, n, "Time");
        c->power = ws_csv_find(h, n, "Power");
        c->power_scale = 1e-3;
    }
}

/* --time-column, --power-column, --energy-column, --device-column, --power-unit, --energy-unit. */
static int plain_mapping(plain_cols *c, char **h, size_t n, const ws_ingest_opts *o, long line, ws_error *err)
{
    const char *names[] = {o->time_column, o->power_column, o->energy_column, o->device_column};
    static const char *const opt[] = {"--time-column", "--power-column", "--energy-column", "--device-column"};
    int *dst[] = {&c->time, &c->power, &c->energy, &c->dev[0]};
    for (int k = 0; k < 4; k++) {
        if (!names[k])
            continue;
        if ((*dst[k] = ws_csv_find(h, n, names[k])) < 0) {
            ws_error_set(err, o->path, line, names[k], "%s: no column '%s' in the header", opt[k], names[k]);
            return WS_EINPUT;
        }
        if (k == 3)
            c->n_dev = 1;
    }
    if (o->power_unit)
        c->power_scale = strcmp(o->power_unit, "mW") == 0 ? 1e-3 : strcmp(o->power_unit, "kW") == 0 ? 1e3 : 1;
    if (o->energy_unit)
        c->energy_scale = strcmp(o->energy_unit, "Wh") == 0 ? 3600 : strcmp(o->energy_unit, "kWh") == 0 ? 3.6e6 : 1;
    return WS_OK;
}

static int plain_on_header(void *ctx, const ws_csv *csv, ws_error *err)
{
    plain_ctx *p = ctx;
    char **h = csv->fields;
    size_t n = csv->nfields;
    p->c = (plain_cols){find_time_col(h, n), ws_csv_find(h, n, "power_w"), ws_csv_find(h, n, "util_pct"),
                        ws_csv_find(h, n, "cpu_power_w"), ws_csv_find(h, n, "gpu_power_w"),
                        ws_csv_find(h, n, "ram_power_w"), ws_csv_find(h, n, "energy_j"), {0}, 0, 1, 1, 1, 0, n};
    p->c.n_dev = ws_ingest_device_columns(h, n, p->c.dev, 8);
    plain_dialect(&p->c, h, n);
    int rc = plain_mapping(&p->c, h, n, p->opts, csv->line, err);
    if (rc != WS_OK)
        return rc;
    for (size_t i = 0; p->c.power < 0 && p->c.energy < 0 && i < n && p->n_wide < 16; i++)
        if (ws_ingest_wide_device(h[i], p->wide_name[p->n_wide]))
            p->wide[p->n_wide++] = (int)i;
    if (p->n_wide > 0) {
        p->c.power = p->wide[0]; /* checked below like any power column */
        p->c.n_dev = 1;          /* series are per device */
    }
    if (p->c.time < 0 || (p->c.power < 0 && p->c.energy < 0)) {
        ws_error_set(err, p->opts->path, csv->line, p->c.time < 0 ? "time" : "power_w",
                     "wattscale CSV needs a time column (t_s, time_s, time or timestamp) and power_w "
                     "or a cumulative energy_j");
        return WS_EINPUT;
    }
    return WS_OK;
}

static int plain_on_row(void *ctx, const ws_csv *csv, ws_error *err)
{
    plain_ctx *p = ctx;
    if (p->n_wide > 0) { /* one sample per device column, each in its device's series */
        for (int k = 0; k < p->n_wide; k++) {
            plain_cols c = p->c;
            c.power = p->wide[k];
            c.util = c.cpu = c.gpu = c.ram = c.energy = -1;
            series *s = plain_series_named(p, p->wide_name[k]);
            int rc = s ? plain_row(s, &c, csv->fields, csv, p->opts, p->sink, err) : WS_EFAIL;
            if (rc != WS_OK)
                return rc;
        }
        return WS_OK;
    }
    series *s = plain_series(p, csv->fields);
    return s ? plain_row(s, &p->c, csv->fields, csv, p->opts, p->sink, err) : WS_EFAIL;
}

int ws_ingest_plain_csv(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool[64], ws_error *err)
{
    plain_ctx p = {.opts = opts, .sink = sink, .tool = tool};
    series_init(&p.s, opts, 0);
    ws_table_reader r = {.ctx = &p, .on_header = plain_on_header, .on_row = plain_on_row,
                         .on_comment = plain_on_comment, .skips = opts->skip_bad_rows,
                         .line_now = opts->line_now};
    int rc = ws_ingest_read_table(opts->path, &r, err);
    if (rc == WS_OK && p.c.n_dev == 0 && p.n_wide == 0)
        rc = series_end(&p.s, sink);
    for (int i = 0; i < p.n_dev && rc == WS_OK; i++)
        rc = series_end(&p.dev[i], sink);
    free(p.dev);
    return rc;
}

/* Strict: every key known, each of its type, every number finite (1e999 parses as infinity), every
 * string short enough to be stored whole. 0, or -1 with err naming the JSON path. */
static int json_check(const cJSON *o, const char *where, const char *const *strings, const char *const *numbers,
                      const char *const *others, const char *path, ws_error *err)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, o)
    {
        const char *k = v->string;
        int kind = 0; /* 1 string, 2 number, 3 other */
        for (int i = 0; strings[i] && !kind; i++)
            kind = strcmp(k, strings[i]) == 0 ? 1 : 0;
        for (int i = 0; numbers[i] && !kind; i++)
            kind = strcmp(k, numbers[i]) == 0 ? 2 : 0;
        for (int i = 0; others[i] && !kind; i++)
            kind = strcmp(k, others[i]) == 0 ? 3 : 0;
        if (!kind) {
            ws_error_set(err, path, 0, "", "%s%s%s: unknown key (a typo?)", where, *where ? "." : "", k);
            return -1;
        }
        if (kind == 1 && !(cJSON_IsString(v) && strlen(v->valuestring) < 128)) {
            ws_error_set(err, path, 0, "", "%s%s%s: %s", where, *where ? "." : "", k,
                         cJSON_IsString(v) ? "longer than 127 characters" : "must be a string");
            return -1;
        }
        if (kind == 2 && !cJSON_IsNull(v) && !(cJSON_IsNumber(v) && isfinite(v->valuedouble))) {
            ws_error_set(err, path, 0, "", "%s%s%s: %s", where, *where ? "." : "", k,
                         cJSON_IsNumber(v) ? "not a finite number" : "must be a number");
            return -1;
        }
    }
    return 0;
}

static int json_profile(const cJSON *obj, int index, const ws_ingest_opts *opts, ws_ingest_sink *sink,
                        char tool[64], ws_error *err)
{
    char where[24] = "";
    if (index >= 0)
        snprintf(where, sizeof where, "[%d]", index);
    static const char *const strs[] = {"job", "arch", "work_unit", "tool", NULL}, *nums[] = {"work", NULL},
                             *objs[] = {"samples", NULL}, *sstrs[] = {"time", NULL},
                             *snums[] = {"t_s", "power_w", "util_pct", "energy_j", NULL}, *none[] = {NULL};
    if (json_check(obj, where, strs, nums, objs, opts->path, err) != 0)
        return WS_EINPUT;
    series s;
    series_init(&s, opts, index < 0 ? 0 : index);
    static const char *const meta[] = {"job", "arch", "work_unit", "tool"};
    for (int k = 0; k < 4; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, meta[k]);
        if (cJSON_IsString(v))
            series_meta(&s, opts, meta[k], v->valuestring, tool);
    }
    double work = ws_json_number(obj, "work", NAN);
    if (!isnan(work) && isnan(opts->work))
        s.p.work = work;
    const cJSON *samples = cJSON_GetObjectItemCaseSensitive(obj, "samples");
    if (!cJSON_IsArray(samples)) {
        ws_error_set(err, opts->path, 0, "samples", "%s: missing or not an array", where[0] ? where : "top level");
        return WS_EINPUT;
    }
    int i = 0, rc = WS_OK;
    const cJSON *it;
    cJSON_ArrayForEach(it, samples)
    {
        char field[96];
        snprintf(field, sizeof field, "%ssamples[%d]", where, i++);
        if (json_check(it, field, sstrs, snums, none, opts->path, err) != 0)
            return WS_EINPUT;
        const cJSON *tv = cJSON_GetObjectItemCaseSensitive(it, "t_s");
        if (!tv)
            tv = cJSON_GetObjectItemCaseSensitive(it, "time");
        double t = NAN;
        int absolute = 0;
        if (cJSON_IsNumber(tv))
            t = tv->valuedouble;
        else if (cJSON_IsString(tv) && ws_parse_time(tv->valuestring, &t) == 0)
            absolute = 1;
        ws_sample smp;
        ws_sample_init(&smp);
        smp.power_w = ws_json_number(it, "power_w", NAN);
        smp.util_pct = ws_json_number(it, "util_pct", NAN);
        smp.energy_j = ws_json_number(it, "energy_j", NAN);
        if (isnan(t) || (isnan(smp.power_w) && isnan(smp.energy_j))) {
            ws_error_set(err, opts->path, 0, field, "needs t_s (or time) and power_w (or energy_j) as numbers");
            return WS_EINPUT;
        }
        if ((rc = series_add(&s, sink, &smp, t, absolute, opts->path, 0, err)) != WS_OK) {
            ws_strlcpy(err->field, field, sizeof err->field);
            return rc;
        }
    }
    if (!s.begun) {
        ws_error_set(err, opts->path, 0, "samples", "%s: no samples", where[0] ? where : "top level");
        return WS_EINPUT;
    }
    return series_end(&s, sink);
}

int ws_ingest_plain_json(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool[64], ws_error *err)
{
    size_t len;
    char *text = ws_read_file(opts->path, &len);
    if (!text) {
        ws_error_set(err, opts->path, 0, "", "cannot read");
        return WS_EINPUT;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    while (root && end && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (root && end && *end) { /* something after the document: a doubled or appended-to file */
        long line = 1;
        for (const char *p = text; p < end; p++)
            line += *p == '\n';
        ws_error_set(err, opts->path, line, "", "something after the end of the JSON document");
        cJSON_Delete(root);
        free(text);
        return WS_EINPUT;
    }
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        long line = 1;
        for (const char *p = text; at && p < at && *p; p++)
            line += *p == '\n';
        ws_error_set(err, opts->path, line, "", "not valid JSON");
        free(text);
        return WS_EINPUT;
    }
    int rc = WS_OK;
    if (cJSON_IsArray(root)) {
        int i = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, root)
        {
            if ((rc = json_profile(it, i++, opts, sink, tool, err)) != WS_OK)
                break;
        }
    } else {
        rc = json_profile(root, -1, opts, sink, tool, err);
    }
    cJSON_Delete(root);
    free(text);
    return rc;
}
