/* ingest_nvsmi: `nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]` logs. Columns are
 * mapped by their query name, units may sit in the header ("power.draw [W]") or in every value
 * ("119.51 W"), and several GPUs may be interleaved (keyed by index, uuid or pci.bus_id): each GPU
 * becomes one profile whose energy is the trapezoid integral of its own samples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_csv.h"
#include "ws_ingest.h"

enum { COL_TIME, COL_NAME, COL_INDEX, COL_UUID, COL_BUS, COL_POWER, COL_UTIL, COL_MEMUTIL, COL_DRIVER, NCOLS };

typedef struct {
    int col[NCOLS];
    int dev[8], n_dev;  /* columns naming the device of a row (ws_ingest_device_columns) */
    char power_unit[8]; /* from the header: "W", "mW", ... or "" when not stated */
    size_t nfields;
} layout;

typedef struct {
    char key[128];
    ws_profile p;
    ws_trapz tz;
    double t0, t_last;
    long n_power_missing, n_dup, n_samples_seen;
    double last_power_w, last_util_pct; /* of the previous sample: an identical repeat is a duplicate */
    int begun;
} device;

typedef struct {
    device *v;
    int n, cap;
    int last; /* the device of the previous row: a one-GPU log never searches */
} devices;

/* Consecutive rows share their "YYYY/MM/DD HH:MM:" prefix (nvidia-smi polls many times a minute), so
 * the seconds since the epoch of that prefix are kept and only ":SS[.fff]" is parsed again. Anything
 * the fast path does not recognise goes to ws_parse_time, and the fast path computes the very same
 * double: (double)(whole seconds) + the fraction summed digit by digit as ws_parse_time does. */
#define TIME_PREFIX_LEN 17
typedef struct {
    char prefix[TIME_PREFIX_LEN];
    long base_s; /* seconds since the epoch at the prefix's minute */
    int valid;
} time_cache;

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int is_blank(char ch)
{
    return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

static int parse_time_cached(time_cache *tc, const char *s, double *unix_s)
{
    const char *p = s;
    while (is_blank(*p))
        p++;
    if (tc->valid && strncmp(p, tc->prefix, TIME_PREFIX_LEN) == 0 && is_digit(p[17]) && is_digit(p[18])) {
        int sec = (p[17] - '0') * 10 + (p[18] - '0');
        const char *q = p + 19;
        double frac = 0;
        int ok = sec <= 60;
        if (*q == '.' || *q == ',') {
            double scale = 0.1;
            q++;
            ok = ok && is_digit(*q);
            while (is_digit(*q)) {
                frac += (*q - '0') * scale;
                scale /= 10;
                q++;
            }
        }
        while (is_blank(*q))
            q++;
        if (ok && *q == '\0') {
            *unix_s = (double)(tc->base_s + sec) + frac;
            return 0;
        }
    }
    if (ws_parse_time(s, unix_s) != 0)
        return -1;
    /* Learn the prefix when the text has the plain "YYYY?MM?DD?HH:MM:SS" shape (what follows the
     * seconds is checked on every use). */
    tc->valid = 0;
    size_t n = strnlen(p, TIME_PREFIX_LEN + 2);
    if (n >= TIME_PREFIX_LEN + 2 && (p[10] == ' ' || p[10] == 'T') && p[13] == ':' && p[16] == ':' &&
        is_digit(p[17]) && is_digit(p[18])) {
        char minute[TIME_PREFIX_LEN];
        memcpy(minute, p, TIME_PREFIX_LEN - 1);
        minute[TIME_PREFIX_LEN - 1] = '\0';
        double base;
        if (ws_parse_time(minute, &base) == 0) {
            memcpy(tc->prefix, p, TIME_PREFIX_LEN);
            tc->base_s = (long)base;
            tc->valid = 1;
        }
    }
    return 0;
}

/* "power.draw [W]" -> name "power.draw", unit "W". */
static void split_header(const char *field, char *name, size_t nsize, char *unit, size_t usize)
{
    while (*field == ' ')
        field++;
    ws_strlcpy(name, field, nsize);
    unit[0] = '\0';
    char *br = strchr(name, '[');
    if (br) {
        char *close = strchr(br, ']');
        if (close) {
            *close = '\0';
            ws_strlcpy(unit, br + 1, usize);
        }
        *br = '\0';
    }
    ws_trim(name);
}

static int map_column(layout *L, const char *name, int i, const char *unit)
{
    static const struct {
        const char *name;
        int col;
    } names[] = {{"timestamp", COL_TIME},        {"name", COL_NAME},
                 {"gpu_name", COL_NAME},         {"index", COL_INDEX},
                 {"uuid", COL_UUID},             {"gpu_uuid", COL_UUID},
                 {"pci.bus_id", COL_BUS},        {"gpu_bus_id", COL_BUS},
                 {"power.draw", COL_POWER},      {"power.draw.instant", COL_POWER},
                 {"power.draw.average", COL_POWER}, {"utilization.gpu", COL_UTIL},
                 {"utilization.memory", COL_MEMUTIL}, {"driver_version", COL_DRIVER}};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        if (strcmp(name, names[k].name) != 0)
            continue;
        /* The first power column wins (power.draw before .instant/.average when both are queried). */
        if (L->col[names[k].col] < 0) {
            L->col[names[k].col] = i;
            if (names[k].col == COL_POWER)
                ws_strlcpy(L->power_unit, unit, sizeof L->power_unit);
        }
        return 1;
    }
    return 0;
}

static void layout_init(layout *L)
{
    for (int k = 0; k < NCOLS; k++)
        L->col[k] = -1;
    L->power_unit[0] = '\0';
    L->nfields = 0;
}

static int layout_from_names(layout *L, char **names, size_t n, const char *path, long line, ws_error *err)
{
    layout_init(L);
    L->nfields = n;
    for (size_t i = 0; i < n; i++) {
        char name[96], unit[16];
        split_header(names[i], name, sizeof name, unit, sizeof unit);
        map_column(L, name, (int)i, unit);
    }
    L->n_dev = ws_ingest_device_columns(names, n, L->dev, 8);
    if (L->col[COL_TIME] < 0) {
        ws_error_set(err, path, line, "timestamp", "no timestamp column: query it (--query-gpu=timestamp,...)");
        return -1;
    }
    if (L->col[COL_POWER] < 0) {
        ws_error_set(err, path, line, "power.draw", "no power.draw column: nothing to integrate");
        return -1;
    }
    return 0;
}

/* Power in watts from a value with its unit (in the value, else the header's). */
static int unit_is(const char *unit, const char *want) /* strcmp(unit, want) == 0 for short wants */
{
    size_t i = 0;
    for (; want[i]; i++)
        if (unit[i] != want[i])
            return 0;
    return unit[i] == '\0';
}

static int parse_power(const char *text, const char *header_unit, double *w, char *why, size_t why_size)
{
    char unit[16];
    if (ws_parse_number_unit(text, w, unit, sizeof unit) != 0) {
        snprintf(why, why_size, "'%s' is not a number", text);
        return -1;
    }
    const char *u = unit[0] ? unit : header_unit;
    if (header_unit[0] && unit[0] && !unit_is(unit, header_unit)) {
        snprintf(why, why_size, "unit '%s' in the value but '%s' in the header", unit, header_unit);
        return -1;
    }
    if (u[0] == '\0' || unit_is(u, "W"))
        ;
    else if (unit_is(u, "mW"))
        *w /= 1000.0;
    else if (unit_is(u, "kW"))
        *w *= 1000.0;
    else {
        snprintf(why, why_size, "unit '%s' is not a power unit (W expected)", u);
        return -1;
    }
    if (*w < 0) {
        snprintf(why, why_size, "negative power %g W", *w);
        return -1;
    }
    return 0;
}

/* Utilisation in % ("37 %", "37"); NaN when missing. */
static int parse_pct(const char *text, double *pct)
{
    if (ws_is_missing(text)) {
        *pct = NAN;
        return 0;
    }
    char unit[16];
    if (ws_parse_number_unit(text, pct, unit, sizeof unit) != 0 || (unit[0] && !unit_is(unit, "%")) ||
        *pct < 0 || *pct > 100)
        return -1;
    return 0;
}


static device *find_device(devices *ds, const char *key, const ws_ingest_opts *opts)
{
    if (ds->n > 0 && strcmp(ds->v[ds->last].key, key) == 0)
        return &ds->v[ds->last];
    for (int i = 0; i < ds->n; i++)
        if (strcmp(ds->v[i].key, key) == 0)
            return &ds->v[ds->last = i];
    if (ws_grow(&ds->v, ds->n, &ds->cap, sizeof *ds->v, 4) != 0)
        return NULL;
    device *d = &ds->v[ds->n];
    memset(d, 0, sizeof *d);
    ws_strlcpy(d->key, key, sizeof d->key);
    ws_profile_init(&d->p, opts, ds->n);
    ws_strlcpy(d->p.device, key, sizeof d->p.device);
    ws_trapz_init(&d->tz, opts->gap_s);
    ds->last = ds->n++;
    return d;
}

static int handle_row(const layout *L, char **f, const ws_csv *csv, devices *ds, time_cache *tc,
                      const ws_ingest_opts *opts, ws_ingest_sink *sink, ws_error *err)
{
    const char *path = opts->path;
    double t;
    const char *ts = f[L->col[COL_TIME]];
    if (parse_time_cached(tc, ts, &t) != 0) {
        ws_error_set(err, path, csv->line, "timestamp", "'%s' is not a timestamp", ts);
        return WS_EINPUT;
    }
    char key[128];
    ws_ingest_device_key(f, L->dev, L->n_dev, key, sizeof key);
    device *d = find_device(ds, key, opts);
    if (!d)
        return WS_EFAIL;
    if (!d->begun) {
        if (L->col[COL_NAME] >= 0) {
            char name[192];
            ws_strlcpy(name, f[L->col[COL_NAME]], sizeof name);
            ws_profile_set_arch(&d->p, opts, ws_trim(name));
        }
        d->t0 = t;
        d->p.start_unix_s = t;
        ws_format_time(t, d->p.start_time, sizeof d->p.start_time);
        if (sink->begin(sink, &d->p) != 0)
            return WS_EFAIL;
        d->begun = 1;
    } else if (t < d->t_last) {
        ws_error_set(err, path, csv->line, "timestamp",
                     "%s is earlier than the previous sample of GPU %s: timestamps must not go back", ts, key);
        return WS_EINPUT;
    }
    int repeat = d->begun && d->n_samples_seen > 0 && t == d->t_last;
    d->t_last = t;
    ws_sample s;
    ws_sample_init(&s);
    s.t_s = ws_round_us(t - d->t0);
    const char *ptext = f[L->col[COL_POWER]];
    char why[160];
    if (ws_is_missing(ptext)) {
        d->n_power_missing++;
    } else if (parse_power(ptext, L->power_unit, &s.power_w, why, sizeof why) != 0) {
        ws_error_set(err, path, csv->line, "power.draw", "%s", why);
        return WS_EINPUT;
    }
    if (L->col[COL_UTIL] >= 0 && parse_pct(f[L->col[COL_UTIL]], &s.util_pct) != 0) {
        ws_error_set(err, path, csv->line, "utilization.gpu", "'%s' is not a percentage", f[L->col[COL_UTIL]]);
        return WS_EINPUT;
    }
    if (L->col[COL_MEMUTIL] >= 0 && parse_pct(f[L->col[COL_MEMUTIL]], &s.mem_util_pct) != 0) {
        ws_error_set(err, path, csv->line, "utilization.memory", "'%s' is not a percentage",
                     f[L->col[COL_MEMUTIL]]);
        return WS_EINPUT;
    }
    if (repeat) { /* the same instant again: a logger's duplicate row, or GPUs nothing tells apart */
        if (!ws_same_value(s.power_w, d->last_power_w) || !ws_same_value(s.util_pct, d->last_util_pct)) {
            ws_error_set(err, path, csv->line, "timestamp",
                         "%s repeats the previous timestamp of GPU %s with other values: several GPUs interleaved "
                         "without a column telling them apart (index, gpu, uuid, pci.bus_id, ...)?",
                         ts, key);
            return WS_EINPUT;
        }
        d->n_dup++;
        return WS_OK;
    }
    d->n_samples_seen++;
    d->last_power_w = s.power_w;
    d->last_util_pct = s.util_pct;
    s.gpu_power_w = s.power_w;
    if (!isnan(s.power_w))
        ws_trapz_add(&d->tz, s.t_s, s.power_w, s.util_pct);
    return sink->sample(sink, &d->p, &s) == 0 ? WS_OK : WS_EFAIL;
}

static int finish_devices(devices *ds, ws_ingest_sink *sink, const char *path, ws_error *err)
{
    for (int i = 0; i < ds->n; i++) {
        device *d = &ds->v[i];
        if (d->tz.n == 0) { /* every reading [N/A]: storing it would say "no energy" as if it were 0 */
            ws_error_set(err, path, 0, "power.draw", "GPU %s: every power reading is [N/A] (%ld sample(s)): "
                         "nothing was measured", d->key, d->n_power_missing);
            return WS_EINPUT;
        }
        ws_trapz_finish(&d->tz, &d->p);
        ws_profile_flag_short_job(&d->p);
        d->p.energy_gpu_j = d->p.energy_j;
        if (d->n_power_missing) {
            size_t used = strlen(d->p.energy_note);
            snprintf(d->p.energy_note + used, sizeof d->p.energy_note - used,
                     "%s%ld sample(s) without power ([N/A]) skipped", used ? "; " : "", d->n_power_missing);
        }
        if (d->n_dup) {
            size_t used = strlen(d->p.energy_note);
            snprintf(d->p.energy_note + used, sizeof d->p.energy_note - used,
                     "%s%ld duplicate row(s) (same time, same values) skipped", used ? "; " : "", d->n_dup);
        }
        if (sink->end(sink, &d->p) != 0)
            return WS_EFAIL;
    }
    return WS_OK;
}

int ws_ingest_nvsmi(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool_version[64], ws_error *err)
{
    (void)tool_version; /* nvidia-smi's CSV does not state its version */
    ws_csv csv;
    if (ws_csv_open(&csv, opts->path, ',') != 0) {
        ws_error_set(err, opts->path, 0, "", "cannot open");
        return WS_EINPUT;
    }
    layout L;
    devices ds = {0};
    time_cache tc;
    memset(&tc, 0, sizeof tc);
    int rc = WS_OK, first = 1;
    while (rc == WS_OK) {
        int r = ws_csv_next(&csv);
        if (r == 0)
            break;
        if (r < 0) {
            ws_error_set(err, opts->path, csv.next_line, "", "unterminated quoted field");
            rc = WS_EINPUT;
            break;
        }
        if (opts->line_now)
            *opts->line_now = csv.line;
        if (first) {
            first = 0;
            double t;
            int is_data = ws_parse_time(csv.fields[0], &t) == 0;
            if (is_data && !opts->columns) {
                ws_error_set(err, opts->path, csv.line, "header",
                             "no header line (format=csv,noheader): pass --columns with the --query-gpu list");
                rc = WS_EINPUT;
                break;
            }
            if (opts->columns) {
                char *copy = strdup(opts->columns), *names[64], *save = NULL;
                size_t n = 0;
                for (char *tok = strtok_r(copy, ",", &save); tok && n < 64; tok = strtok_r(NULL, ",", &save))
                    names[n++] = tok;
                rc = layout_from_names(&L, names, n, opts->path, 0, err) ? WS_EINPUT : WS_OK;
                free(copy);
                if (rc != WS_OK || !is_data)
                    continue; /* a header line present despite --columns is skipped */
            } else {
                rc = layout_from_names(&L, csv.fields, csv.nfields, opts->path, csv.line, err) ? WS_EINPUT : WS_OK;
                continue;
            }
        }
        if (csv.nfields != L.nfields) {
            ws_error_set(err, opts->path, csv.line, "", "%s: %zu field(s) where the header has %zu",
                         csv.ended_without_newline && csv.nfields < L.nfields ? "truncated last line" : "wrong field count",
                         csv.nfields, L.nfields);
            rc = WS_EINPUT;
            break;
        }
        rc = handle_row(&L, csv.fields, &csv, &ds, &tc, opts, sink, err);
    }
    if (rc == WS_OK && first) {
        ws_error_set(err, opts->path, 0, "", "empty file: nothing to ingest");
        rc = WS_EINPUT;
    }
    if (rc == WS_OK)
        rc = finish_devices(&ds, sink, opts->path, err);
    free(ds.v);
    ws_csv_close(&csv);
    return rc;
}
