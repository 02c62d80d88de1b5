/* ingest_zeus: the log file of Zeus's ZeusMonitor (ml.energy, `ZeusMonitor(log_file=...)`). Zeus writes
 * the header `start_time,window_name,elapsed_time,gpu<i>_energy...` (one energy column per monitored GPU)
 * and, at every end_window, one row `time.time() at begin,window name,seconds,joules per GPU`. Columns
 * are mapped by name; cpu<i>_energy / dram<i>_energy columns, should a version write them, are summed
 * into the CPU and RAM components. Every window is one profile with totals only (no samples): energy in
 * J, duration = elapsed_time, start = start_time (Unix seconds, UTC). Zeus logs no GPU model, so arch
 * comes from --arch. A window that reads 0 J on a GPU was shorter than the GPU's energy-counter update
 * period (Zeus warns about it); the profile says so in its energy note. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_csv.h"
#include "ws_ingest.h"

enum { Z_GPU, Z_CPU, Z_RAM, Z_NKINDS };

typedef struct {
    int start, window, elapsed;
    int *kind;     /* per header field: Z_GPU/Z_CPU/Z_RAM for an energy column, -1 otherwise */
    char **names;  /* per header field, copied */
    size_t nfields;
    int n_energy, n_profiles;
    char devices[128];
} z_layout;

static void z_free(z_layout *L)
{
    for (size_t i = 0; L->names && i < L->nfields; i++)
        free(L->names[i]);
    free(L->names);
    free(L->kind);
}

/* "gpu0_energy" -> Z_GPU, "cpu1_energy" -> Z_CPU, "dram0_energy" -> Z_RAM, else -1. */
static int energy_kind(const char *name)
{
    static const char *const prefix[Z_NKINDS] = {"gpu", "cpu", "dram"};
    for (int k = 0; k < Z_NKINDS; k++) {
        size_t n = strlen(prefix[k]);
        if (strncmp(name, prefix[k], n) != 0)
            continue;
        const char *p = name + n;
        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
        return strcmp(p, "_energy") == 0 ? k : -1;
    }
    return -1;
}

static int z_header(z_layout *L, char **h, size_t n, const char *path, long line, ws_error *err)
{
    if ((unsigned char)h[0][0] == 0xEF && (unsigned char)h[0][1] == 0xBB && (unsigned char)h[0][2] == 0xBF)
        h[0] += 3;
    L->nfields = n;
    L->kind = calloc(n, sizeof *L->kind);
    L->names = calloc(n, sizeof *L->names);
    if (!L->kind || !L->names) {
        ws_error_set(err, path, line, "", "out of memory");
        return WS_EFAIL;
    }
    for (size_t i = 0; i < n; i++) {
        L->names[i] = strdup(ws_trim(h[i]));
        L->kind[i] = L->names[i] ? energy_kind(L->names[i]) : -1;
        if (L->kind[i] >= 0) {
            L->n_energy++;
            size_t used = strlen(L->devices);
            snprintf(L->devices + used, sizeof L->devices - used, "%s%.*s", used ? "+" : "",
                     (int)(strlen(L->names[i]) - strlen("_energy")), L->names[i]);
        }
    }
    L->start = ws_csv_find(h, n, "start_time");
    L->window = ws_csv_find(h, n, "window_name");
    L->elapsed = ws_csv_find(h, n, "elapsed_time");
    if (L->elapsed < 0 || L->n_energy == 0) {
        ws_error_set(err, path, line, L->elapsed < 0 ? "elapsed_time" : "gpu0_energy",
                     "missing column: a ZeusMonitor log has elapsed_time and one gpu<i>_energy per GPU");
        return WS_EINPUT;
    }
    return WS_OK;
}

static int z_number(const z_layout *L, char **f, int i, double *out, const char *path, long line, ws_error *err)
{
    const char *t = ws_trim(f[i]);
    if (ws_is_missing(t)) {
        ws_error_set(err, path, line, L->names[i], "missing value");
        return WS_EINPUT;
    }
    if (ws_parse_double(t, out) != 0) {
        ws_error_set(err, path, line, L->names[i], "'%s' is not a number", t);
        return WS_EINPUT;
    }
    if (*out < 0) {
        ws_error_set(err, path, line, L->names[i], "negative value %g", *out);
        return WS_EINPUT;
    }
    return WS_OK;
}

/* Sum the energy columns by kind; note GPUs that read exactly 0 J. */
static int z_energies(const z_layout *L, char **f, ws_profile *p, const char *path, long line, ws_error *err)
{
    double sum[Z_NKINDS] = {0, 0, 0};
    int has[Z_NKINDS] = {0, 0, 0};
    for (size_t i = 0; i < L->nfields; i++) {
        if (L->kind[i] < 0)
            continue;
        double j;
        if (z_number(L, f, (int)i, &j, path, line, err) != WS_OK)
            return WS_EINPUT;
        sum[L->kind[i]] += j;
        has[L->kind[i]] = 1;
        size_t used = strlen(p->energy_note);
        if (L->kind[i] == Z_GPU && j == 0.0 && used < sizeof p->energy_note)
            snprintf(p->energy_note + used, sizeof p->energy_note - used,
                     "%s%s read 0 J: window shorter than the GPU energy counter's update period", used ? "; " : "",
                     L->names[i]);
    }
    p->energy_gpu_j = has[Z_GPU] ? sum[Z_GPU] : NAN;
    p->energy_cpu_j = has[Z_CPU] ? sum[Z_CPU] : NAN;
    p->energy_ram_j = has[Z_RAM] ? sum[Z_RAM] : NAN;
    p->energy_j = sum[Z_GPU] + sum[Z_CPU] + sum[Z_RAM];
    return WS_OK;
}

static int z_start(const z_layout *L, char **f, ws_profile *p, const char *path, long line, ws_error *err)
{
    if (L->start < 0)
        return WS_OK;
    const char *t = ws_trim(f[L->start]);
    if (ws_is_missing(t))
        return WS_OK;
    if (ws_parse_double(t, &p->start_unix_s) != 0 && ws_parse_time(t, &p->start_unix_s) != 0) {
        ws_error_set(err, path, line, "start_time", "'%s' is neither Unix seconds nor a timestamp", t);
        return WS_EINPUT;
    }
    ws_format_time(p->start_unix_s, p->start_time, sizeof p->start_time);
    return WS_OK;
}

static int z_row(z_layout *L, char **f, long line, const ws_ingest_opts *opts, ws_ingest_sink *sink,
                 ws_error *err)
{
    ws_profile p;
    ws_profile_init(&p, opts, L->n_profiles);
    const char *path = opts->path;
    int rc;
    if ((rc = z_number(L, f, L->elapsed, &p.duration_s, path, line, err)) ||
        (rc = z_energies(L, f, &p, path, line, err)) || (rc = z_start(L, f, &p, path, line, err)))
        return rc;
    if (p.duration_s > 0)
        p.mean_power_w = p.energy_j / p.duration_s;
    const char *window = L->window >= 0 ? f[L->window] : "";
    if (!opts->job)
        ws_strlcpy(p.job, window, sizeof p.job);
    ws_strlcpy(p.run_id, window, sizeof p.run_id);
    ws_strlcpy(p.device, L->devices, sizeof p.device);
    L->n_profiles++;
    if (sink->begin(sink, &p) != 0 || sink->end(sink, &p) != 0)
        return WS_EFAIL;
    return WS_OK;
}

typedef struct {
    z_layout L;
    const ws_ingest_opts *opts;
    ws_ingest_sink *sink;
} z_ctx;

static int z_on_header(void *ctx, const ws_csv *csv, ws_error *err)
{
    z_ctx *c = ctx;
    return z_header(&c->L, csv->fields, csv->nfields, c->opts->path, csv->line, err);
}

static int z_on_row(void *ctx, const ws_csv *csv, ws_error *err)
{
    z_ctx *c = ctx;
    return z_row(&c->L, csv->fields, csv->line, c->opts, c->sink, err);
}

int ws_ingest_zeus(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool_version[64], ws_error *err)
{
    (void)tool_version; /* the log does not carry Zeus's version */
    z_ctx c;
    memset(&c, 0, sizeof c);
    c.opts = opts;
    c.sink = sink;
    ws_table_reader r = {.ctx = &c, .on_header = z_on_header, .on_row = z_on_row, .skips = opts->skip_bad_rows,
                         .line_now = opts->line_now};
    int rc = ws_ingest_read_table(opts->path, &r, err);
    z_free(&c.L);
    return rc;
}
