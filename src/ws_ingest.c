/* ws_ingest: profile defaults, the format registry and sniffing, and the trapezoid integrator that
 * every time-series format shares. */
#include "ws_ingest.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ws_csv.h"

const ws_ingest_format ws_ingest_formats[] = {
    {"codecarbon", "CodeCarbon emissions.csv (every column set since v1; run_id snapshots = one run)",
     ws_ingest_codecarbon},
    {"nvidia-smi", "nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits] log, GPUs interleaved",
     ws_ingest_nvsmi},
    {"eco2ai", "Eco2AI emission.csv", ws_ingest_eco2ai},
    {"zeus", "Zeus (ZeusMonitor) CSV log of measurement windows", ws_ingest_zeus},
    {"wattscale-csv", "plain CSV: time (s or ISO-8601), power_w[, util_pct] (RAPL, a wall meter, by hand; any CSV "
     "with --time-column/--power-column)", ws_ingest_plain_csv},
    {"powerjoular", "PowerJoular CSV: Date, CPU Utilization, [Total Power,] CPU Power[, GPU Power] (machine or -p PID)",
     ws_ingest_plain_csv},
    {"zeus-power", "Zeus power monitor CSV (zeus_monitor / PowerMonitor): Time, Power in mW", ws_ingest_plain_csv},
    {"carbontracker", "CarbonTracker output log: 'Actual consumption' blocks (needs --tool-pue)",
     ws_ingest_carbontracker},
    {"scaphandre", "Scaphandre JSON exporter (scaphandre json -f FILE): host and per-socket power", ws_ingest_scaphandre},
    {"jobs", "one row per run: job, duration_s, energy_j | energy_kwh | <component>_energy_j [, arch, work]",
     ws_ingest_jobs},
    {"wattscale-json", "plain JSON: {\"samples\": [{\"t_s\":..,\"power_w\":..}], ...}", ws_ingest_plain_json},
    {NULL, NULL, NULL},
};

const ws_ingest_format *ws_ingest_format_find(const char *name)
{
    for (const ws_ingest_format *f = ws_ingest_formats; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static int has(char *const *fields, size_t n, const char *name)
{
    return ws_csv_find(fields, n, name) >= 0;
}

/* Does any header field start with prefix (e.g. "power.draw" matches "power.draw [W]")? */
static int has_prefix(char *const *fields, size_t n, const char *prefix)
{
    size_t len = strlen(prefix);
    for (size_t i = 0; i < n; i++) {
        const char *f = fields[i];
        while (*f == ' ')
            f++;
        if (strncmp(f, prefix, len) == 0)
            return 1;
    }
    return 0;
}

/* A wide layout's device: "GPU0", "gpu1_power_w", "GPU 2 Power (W)", "package-0", "socket1": a device
 * word, its number, then nothing but a power word or unit; into name (e.g. "gpu0"). */
int ws_ingest_wide_device(const char *field, char name[32])
{
    static const char *const words[] = {"gpu", "package-", "package", "socket", "cpu"};
    const char *f = field;
    while (*f == ' ')
        f++;
    for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
        size_t len = strlen(words[k]);
        if (strncasecmp(f, words[k], len) != 0)
            continue;
        const char *d = f + len;
        while (*d == ' ' || *d == '_')
            d++;
        if (!isdigit((unsigned char)*d))
            continue;
        char *end;
        long idx = strtol(d, &end, 10);
        for (const char *r = end; *r; r++)
            if (!strchr(" _-()[]", *r) && strncasecmp(r, "power", 5) != 0 && strncasecmp(r, "w", 1) != 0)
                return 0;
            else if (strncasecmp(r, "power", 5) == 0)
                r += 4;
        snprintf(name, 32, "%.8s%ld", k == 1 ? "package" : words[k], idx);
        return 1;
    }
    return 0;
}

/* A wide per-device layout: some column is one device's power (ws_ingest_wide_device). */
static int has_wide_device(char *const *h, size_t n)
{
    char name[32];
    for (size_t i = 0; i < n; i++)
        if (ws_ingest_wide_device(h[i], name))
            return 1;
    return 0;
}

static const ws_ingest_format *sniff_header(char *const *h, size_t n)
{
    if (has(h, n, "codecarbon_version") || (has(h, n, "run_id") && has(h, n, "energy_consumed")) ||
        (has(h, n, "emissions") && has(h, n, "energy_consumed") && has(h, n, "duration")))
        return ws_ingest_format_find("codecarbon");
    if (has_prefix(h, n, "power.draw") || has_prefix(h, n, "utilization.gpu"))
        return ws_ingest_format_find("nvidia-smi");
    if (has_prefix(h, n, "power_consumption(kW") || has(h, n, "CO2_emissions(kg)"))
        return ws_ingest_format_find("eco2ai");
    if (has(h, n, "window_name") || has_prefix(h, n, "gpu0_energy"))
        return ws_ingest_format_find("zeus");
    if (has(h, n, "duration_s") && (has(h, n, "job") || has(h, n, "variant")) &&
        (has(h, n, "energy_j") || has(h, n, "energy_kwh") || has(h, n, "gpu_energy_j") || has(h, n, "cpu_energy_j")))
        return ws_ingest_format_find("jobs");
    if (has(h, n, "Date") && has(h, n, "CPU Power"))
        return ws_ingest_format_find("powerjoular");
    if (n == 2 && has(h, n, "Time") && has(h, n, "Power"))
        return ws_ingest_format_find("zeus-power");
    if ((has(h, n, "power_w") || has(h, n, "energy_j") || has_wide_device(h, n)) &&
        (has(h, n, "t_s") || has(h, n, "time") || has(h, n, "timestamp") || has(h, n, "time_s")))
        return ws_ingest_format_find("wattscale-csv");
    return NULL;
}

/* A header-less nvidia-smi log starts with a timestamp and has a field with a power unit. */
static int looks_like_nvsmi_row(char *const *f, size_t n)
{
    double t;
    if (n < 2 || ws_parse_time(f[0], &t) != 0)
        return 0;
    for (size_t i = 1; i < n; i++) {
        double v;
        char unit[16];
        if (ws_parse_number_unit(f[i], &v, unit, sizeof unit) == 0 && strcmp(unit, "W") == 0)
            return 1;
    }
    return 0;
}

const ws_ingest_format *ws_ingest_sniff(const char *path, ws_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ws_error_set(err, path, 0, "", "cannot open: %s", strerror(errno));
        return NULL;
    }
    int ch;
    do
        ch = fgetc(f);
    while (ch != EOF && (isspace(ch) || ch == 0xEF || ch == 0xBB || ch == 0xBF));
    if (ch == EOF) {
        fclose(f);
        ws_error_set(err, path, 0, "", "empty file: nothing to ingest");
        return NULL;
    }
    if (ch == '{' || ch == '[') {
        char head[4096];
        rewind(f);
        size_t got = fread(head, 1, sizeof head - 1, f);
        head[got] = '\0';
        fclose(f);
        return ws_ingest_format_find(strstr(head, "\"host\"") && strstr(head, "\"consumption\"") ? "scaphandre"
                                                                                                     : "wattscale-json");
    }
    rewind(f);
    char head[4096];
    size_t got = fread(head, 1, sizeof head - 1, f);
    head[got] = '\0';
    if (strstr(head, "CarbonTracker") && strstr(head, "consumption for ")) {
        fclose(f);
        return ws_ingest_format_find("carbontracker");
    }
    rewind(f);
    ws_csv csv;
    if (ws_csv_wrap(&csv, f, ',') != 0) {
        fclose(f);
        ws_error_set(err, path, 0, "", "out of memory");
        return NULL;
    }
    const ws_ingest_format *fmt = NULL;
    int r;
    while ((r = ws_csv_next(&csv)) == 1 && csv.fields[0][0] == '#')
        ; /* "# key: value" lines of the plain CSV come before its header */
    if (r == 1) {
        fmt = sniff_header(csv.fields, csv.nfields);
        if (!fmt && looks_like_nvsmi_row(csv.fields, csv.nfields))
            fmt = ws_ingest_format_find("nvidia-smi");
    }
    long line = csv.line;
    ws_csv_close(&csv);
    fclose(f);
    if (!fmt)
        ws_error_set(err, path, line, "header",
                     "unknown layout: not CodeCarbon, nvidia-smi, Eco2AI, Zeus or wattscale CSV/JSON "
                     "(see 'wattscale ingest --help'; force one with --format)");
    return fmt;
}

void ws_profile_init(ws_profile *p, const ws_ingest_opts *opts, int source_index)
{
    memset(p, 0, sizeof *p);
    p->source_index = source_index;
    p->start_unix_s = p->duration_s = NAN;
    p->energy_cpu_j = p->energy_gpu_j = p->energy_ram_j = p->energy_j = NAN;
    p->energy_lo_j = p->energy_hi_j = NAN;
    p->mean_power_w = p->peak_power_w = p->mean_util_pct = NAN;
    p->emissions_kg = p->pue = p->max_gap_s = NAN;
    p->work = NAN;
    if (opts) {
        if (opts->job)
            ws_strlcpy(p->job, opts->job, sizeof p->job);
        if (opts->arch)
            ws_profile_set_arch(p, opts, NULL);
        p->work = opts->work;
        if (opts->work_unit)
            ws_strlcpy(p->work_unit, opts->work_unit, sizeof p->work_unit);
    }
}

void ws_profile_set_arch(ws_profile *p, const ws_ingest_opts *opts, const char *name_in_file)
{
    const char *name = opts && opts->arch ? opts->arch : name_in_file;
    if (!name || !*name)
        return;
    ws_strlcpy(p->arch_name, name, sizeof p->arch_name);
    ws_slugify_arch(name, p->arch, sizeof p->arch);
}

void ws_sample_init(ws_sample *s)
{
    s->t_s = s->power_w = s->util_pct = s->mem_util_pct = NAN;
    s->cpu_power_w = s->gpu_power_w = s->ram_power_w = s->energy_j = NAN;
}

void ws_trapz_init(ws_trapz *tz, double gap_s)
{
    memset(tz, 0, sizeof *tz);
    tz->gap_s = gap_s > 0 ? gap_s : 5.0;
    tz->peak_w = -INFINITY;
}

void ws_trapz_add(ws_trapz *tz, double t_s, double power_w, double util_pct)
{
    if (tz->n == 0) {
        tz->t_first = t_s;
    } else {
        double dt = t_s - tz->t_prev;
        double mid = 0.5 * (power_w + tz->p_prev) * dt;
        tz->energy_j += mid;
        if (dt > tz->gap_s) {
            /* A gap is bridged linearly for the estimate, but the interval spans the neighbours. */
            tz->n_gaps++;
            tz->gap_total_s += dt;
            if (dt > tz->max_gap_s)
                tz->max_gap_s = dt;
            tz->energy_lo_j += fmin(power_w, tz->p_prev) * dt;
            tz->energy_hi_j += fmax(power_w, tz->p_prev) * dt;
        } else {
            tz->energy_lo_j += mid;
            tz->energy_hi_j += mid;
        }
    }
    tz->t_prev = t_s;
    tz->p_prev = power_w;
    if (power_w > tz->peak_w)
        tz->peak_w = power_w;
    if (!isnan(util_pct)) {
        tz->util_sum_pct += util_pct;
        tz->n_util++;
    }
    tz->n++;
}

void ws_trapz_finish(const ws_trapz *tz, ws_profile *p)
{
    p->n_samples = tz->n;
    p->n_gaps = tz->n_gaps;
    p->max_gap_s = tz->n_gaps ? tz->max_gap_s : 0.0;
    if (tz->n == 0)
        return;
    double duration = tz->t_prev - tz->t_first;
    p->duration_s = duration;
    p->peak_power_w = tz->peak_w;
    p->mean_util_pct = tz->n_util ? tz->util_sum_pct / (double)tz->n_util : NAN;
    if (tz->n < 2 || duration <= 0) {
        /* One sample holds no duration: energy is unknown, not zero. */
        p->mean_power_w = tz->p_prev;
        snprintf(p->energy_note, sizeof p->energy_note,
                 "a single sample (or no elapsed time): energy cannot be integrated");
        return;
    }
    p->energy_j = tz->energy_j;
    p->mean_power_w = tz->energy_j / duration;
    p->energy_lo_j = tz->energy_lo_j;
    p->energy_hi_j = tz->energy_hi_j;
    char *note = p->energy_note;
    size_t room = sizeof p->energy_note, used = strlen(note);
    if (tz->n_gaps)
        snprintf(note + used, room - used,
                 "%s%ld gap(s) longer than %.3g s (longest %.3f s, %.3f s in all) bridged linearly; interval "
                 "spans the neighbouring powers",
                 used ? "; " : "", tz->n_gaps, tz->gap_s, tz->max_gap_s, tz->gap_total_s);
}

void ws_profile_flag_short_job(ws_profile *p)
{
    if (isnan(p->energy_j) || !(p->duration_s < WS_SHORT_JOB_S))
        return;
    char *note = p->energy_note;
    size_t room = sizeof p->energy_note, used = strlen(note);
    if (used >= room)
        return;
    p->energy_hi_j = fmax(p->energy_hi_j, p->energy_hi_j / (1.0 - WS_SHORT_JOB_LOW_BIAS));
    snprintf(note + used, room - used,
             "%sshort job (%.2f s < %.0f s): the power reading is averaged over ~1 s, so energy may read up to "
             "%.0f%% low",
             used ? "; " : "", p->duration_s, WS_SHORT_JOB_S, 100 * WS_SHORT_JOB_LOW_BIAS);
}

int ws_ingest_read_table(const char *path, const ws_table_reader *r, ws_error *err)
{
    ws_csv csv;
    if (ws_csv_open(&csv, path, ',') != 0) {
        ws_error_set(err, path, 0, "", "cannot open: %s", strerror(errno));
        return WS_EINPUT;
    }
    int rc = WS_OK, got, have_header = 0;
    size_t nfields = 0;
    while (rc == WS_OK && (got = ws_csv_next(&csv)) != 0) {
        int data_row = 0; /* only a data row may be skipped: a bad header or comment ends the read */
        if (got < 0) {
            ws_error_set(err, path, csv.next_line, "", "unterminated quoted field");
            rc = WS_EINPUT;
        } else if (r->on_comment && csv.fields[0][0] == '#') {
            rc = r->on_comment(r->ctx, &csv, err);
        } else if (!have_header) {
            have_header = 1;
            nfields = csv.nfields;
            rc = r->on_header(r->ctx, &csv, err);
        } else if (csv.nfields != nfields) {
            ws_error_set(err, path, csv.line, "", "%s: %zu field(s) where the header has %zu",
                         csv.ended_without_newline && csv.nfields < nfields ? "truncated last line"
                                                                            : "wrong field count",
                         csv.nfields, nfields);
            rc = WS_EINPUT;
            data_row = 1;
        } else {
            data_row = 1;
            if (r->line_now)
                *r->line_now = csv.line;
            rc = r->on_row(r->ctx, &csv, err);
        }
        if (rc == WS_EINPUT && r->skips && data_row) { /* a bad row: skip it, count it */
            if (r->skips->n < 5)
                r->skips->lines[r->skips->n] = csv.line;
            r->skips->n++;
            rc = WS_OK;
        }
    }
    if (rc == WS_OK && !have_header) {
        ws_error_set(err, path, 0, "", "empty file: nothing to ingest");
        rc = WS_EINPUT;
    }
    ws_csv_close(&csv);
    return rc;
}

int ws_ingest_device_columns(char *const *header, size_t n, int *cols, int max)
{
    static const char *const names[] = {"index", "gpu_index", "gpu", "gpu_id", "device", "device_id", "device_index",
                                        "minor_number", "uuid", "gpu_uuid", "pci.bus_id", "gpu_bus_id", NULL};
    int k = 0;
    for (int i = 0; names[i] && k < max; i++) {
        int c = ws_csv_find(header, n, names[i]);
        if (c >= 0)
            cols[k++] = c;
    }
    return k;
}

void ws_ingest_device_key(char *const *fields, const int *cols, int n, char *key, size_t size)
{
    ws_strlcpy(key, n ? "" : "0", size);
    for (int i = 0; i < n; i++) {
        char v[128];
        ws_strlcpy(v, fields[cols[i]], sizeof v);
        if (i)
            strncat(key, "/", size - strlen(key) - 1);
        strncat(key, ws_trim(v), size - strlen(key) - 1);
    }
}

int ws_same_value(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}
