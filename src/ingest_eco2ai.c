/* ingest_eco2ai: Eco2AI's emission.csv (id, project_name, experiment_description, epoch, start_time,
 * duration(s), power_consumption(kWh), CO2_emissions(kg), CPU_name, GPU_name, OS, region/country, cost),
 * columns mapped by name. The energy header has been spelt power_consumption(kWh) and, in early
 * releases, power_consumption(kWTh); both are kWh. Every row is one profile (a tracker session, or one
 * epoch of it when the epoch column is filled: run_id is then "<id> (<epoch text>)"), holding totals
 * only, so no samples are emitted.
 * start_time is the tracker's local clock at start, without zone; it is stored as written (ISO form, no
 * zone suffix) and start_unix_s reads it as if it were UTC. Forks that add cpu_/gpu_/ram_
 * power_consumption(kWh) columns get the component split. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ws_csv.h"
#include "ws_ingest.h"

enum {
    E_ID, E_PROJECT, E_DESCRIPTION, E_EPOCH, E_START, E_DURATION, E_KWH, E_EMISSIONS, E_CPU_NAME, E_GPU_NAME,
    E_REGION, E_CPU_KWH, E_GPU_KWH, E_RAM_KWH, NCOLS
};

/* Header names per column, every spelling seen; the first found wins. */
static const char *const col_names[NCOLS][3] = {
    {"id", NULL, NULL},
    {"project_name", NULL, NULL},
    {"experiment_description", NULL, NULL},
    {"epoch", NULL, NULL},
    {"start_time", NULL, NULL},
    {"duration(s)", "time(s)", NULL},
    {"power_consumption(kWh)", "power_consumption(kWTh)", "power_consumption(kW*h)"},
    {"CO2_emissions(kg)", "emissions(kg)", NULL},
    {"CPU_name", NULL, NULL},
    {"GPU_name", NULL, NULL},
    {"region/country", "country", NULL},
    {"cpu_power_consumption(kWh)", NULL, NULL},
    {"gpu_power_consumption(kWh)", NULL, NULL},
    {"ram_power_consumption(kWh)", NULL, NULL},
};

typedef struct {
    int col[NCOLS];
    size_t nfields;
    int n_profiles;
} e_layout;

static const char *field(const e_layout *L, char **f, int c)
{
    return L->col[c] >= 0 ? ws_trim(f[L->col[c]]) : "";
}

static int e_header(e_layout *L, char **h, size_t n, const char *path, long line, ws_error *err)
{
    if ((unsigned char)h[0][0] == 0xEF && (unsigned char)h[0][1] == 0xBB && (unsigned char)h[0][2] == 0xBF)
        h[0] += 3;
    for (int c = 0; c < NCOLS; c++) {
        L->col[c] = -1;
        for (int k = 0; k < 3 && col_names[c][k] && L->col[c] < 0; k++)
            L->col[c] = ws_csv_find(h, n, col_names[c][k]);
    }
    L->nfields = n;
    if (L->col[E_KWH] < 0 || L->col[E_DURATION] < 0) {
        int c = L->col[E_KWH] < 0 ? E_KWH : E_DURATION;
        ws_error_set(err, path, line, col_names[c][0], "missing column: Eco2AI writes duration(s) and "
                                                       "power_consumption(kWh) (or (kWTh))");
        return WS_EINPUT;
    }
    return WS_OK;
}

/* A number from column c in file units: required ones must be there, all must be >= 0. */
static int e_number(const e_layout *L, char **f, int c, int required, double *out, const char *path, long line,
                    ws_error *err)
{
    const char *t = field(L, f, c);
    *out = NAN;
    if (L->col[c] < 0 || ws_is_missing(t)) {
        if (!required)
            return WS_OK;
        ws_error_set(err, path, line, col_names[c][0], "missing value: '%s'", t);
        return WS_EINPUT;
    }
    if (ws_parse_double(t, out) != 0) {
        ws_error_set(err, path, line, col_names[c][0], "'%s' is not a number", t);
        return WS_EINPUT;
    }
    if (*out < 0) {
        ws_error_set(err, path, line, col_names[c][0], "negative value %g", *out);
        return WS_EINPUT;
    }
    return WS_OK;
}

/* "NVIDIA GeForce RTX 3060 1 device(s)" -> "NVIDIA GeForce RTX 3060"; "Xeon.../2 device(s), TDP:185" ->
 * "Xeon...". Returns "" for " 0 device(s)" (no GPU). */
static void strip_devices(const char *in, char *out, size_t size)
{
    ws_strlcpy(out, in, size);
    char *d = strstr(out, " device(s)");
    if (!d)
        return;
    char *p = d;
    while (p > out && p[-1] >= '0' && p[-1] <= '9')
        p--;
    if (p > out && (p[-1] == '/' || p[-1] == ' '))
        p--;
    *p = '\0';
    ws_trim(out);
}

static void e_set_names(ws_profile *p, const e_layout *L, char **f, const ws_ingest_opts *opts)
{
    char gpu[192], cpu[192];
    strip_devices(field(L, f, E_GPU_NAME), gpu, sizeof gpu);
    strip_devices(field(L, f, E_CPU_NAME), cpu, sizeof cpu);
    ws_profile_set_arch(p, opts, gpu[0] ? gpu : cpu);
    ws_strlcpy(p->device, gpu[0] ? field(L, f, E_GPU_NAME) : field(L, f, E_CPU_NAME), sizeof p->device);
    const char *project = field(L, f, E_PROJECT), *desc = field(L, f, E_DESCRIPTION);
    if (!opts->job) {
        if (desc[0] && strcasecmp(desc, "no experiment description") != 0)
            snprintf(p->job, sizeof p->job, "%s/%s", project, desc);
        else
            ws_strlcpy(p->job, project, sizeof p->job);
    }
    const char *where = field(L, f, E_REGION), *slash = strchr(where, '/');
    size_t n = slash ? (size_t)(slash - where) : strlen(where);
    snprintf(p->country, sizeof p->country, "%.*s", (int)n, where);
    if (slash)
        ws_strlcpy(p->region, slash + 1, sizeof p->region);
    /* A per-epoch row keeps its epoch text with the session id: "<id> (epoch: 1, ...)". */
    const char *id = field(L, f, E_ID), *epoch = field(L, f, E_EPOCH);
    if (epoch[0] && !ws_is_missing(epoch))
        snprintf(p->run_id, sizeof p->run_id, "%s (%s)", id, epoch);
    else
        ws_strlcpy(p->run_id, id, sizeof p->run_id);
}

static int e_set_start(ws_profile *p, const e_layout *L, char **f, const char *path, long line, ws_error *err)
{
    const char *t = field(L, f, E_START);
    if (L->col[E_START] < 0 || ws_is_missing(t))
        return WS_OK;
    if (ws_parse_time(t, &p->start_unix_s) != 0) {
        ws_error_set(err, path, line, "start_time", "'%s' is not a timestamp (YYYY-MM-DD HH:MM:SS)", t);
        return WS_EINPUT;
    }
    ws_format_time(p->start_unix_s, p->start_time, sizeof p->start_time);
    size_t n = strlen(p->start_time);
    if (n && p->start_time[n - 1] == 'Z')
        p->start_time[n - 1] = '\0'; /* the file gives no zone */
    return WS_OK;
}

static int e_row(e_layout *L, char **f, long line, const ws_ingest_opts *opts, ws_ingest_sink *sink,
                 ws_error *err)
{
    ws_profile p;
    ws_profile_init(&p, opts, L->n_profiles);
    double kwh, cpu, gpu, ram;
    const char *path = opts->path;
    int rc;
    if ((rc = e_number(L, f, E_DURATION, 1, &p.duration_s, path, line, err)) ||
        (rc = e_number(L, f, E_KWH, 1, &kwh, path, line, err)) ||
        (rc = e_number(L, f, E_EMISSIONS, 0, &p.emissions_kg, path, line, err)) ||
        (rc = e_number(L, f, E_CPU_KWH, 0, &cpu, path, line, err)) ||
        (rc = e_number(L, f, E_GPU_KWH, 0, &gpu, path, line, err)) ||
        (rc = e_number(L, f, E_RAM_KWH, 0, &ram, path, line, err)) ||
        (rc = e_set_start(&p, L, f, path, line, err)))
        return rc;
    p.energy_j = kwh * WS_J_PER_KWH;
    p.energy_cpu_j = cpu * WS_J_PER_KWH;
    p.energy_gpu_j = gpu * WS_J_PER_KWH;
    p.energy_ram_j = ram * WS_J_PER_KWH;
    if (p.duration_s > 0)
        p.mean_power_w = p.energy_j / p.duration_s;
    e_set_names(&p, L, f, opts);
    L->n_profiles++;
    if (sink->begin(sink, &p) != 0 || sink->end(sink, &p) != 0)
        return WS_EFAIL;
    return WS_OK;
}

typedef struct {
    e_layout L;
    const ws_ingest_opts *opts;
    ws_ingest_sink *sink;
} e_ctx;

static int e_on_header(void *ctx, const ws_csv *csv, ws_error *err)
{
    e_ctx *c = ctx;
    return e_header(&c->L, csv->fields, csv->nfields, c->opts->path, csv->line, err);
}

static int e_on_row(void *ctx, const ws_csv *csv, ws_error *err)
{
    e_ctx *c = ctx;
    return e_row(&c->L, csv->fields, csv->line, c->opts, c->sink, err);
}

int ws_ingest_eco2ai(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool_version[64], ws_error *err)
{
    (void)tool_version; /* Eco2AI does not write its version */
    e_ctx c;
    memset(&c, 0, sizeof c);
    c.opts = opts;
    c.sink = sink;
    ws_table_reader r = {.ctx = &c, .on_header = e_on_header, .on_row = e_on_row, .skips = opts->skip_bad_rows,
                         .line_now = opts->line_now};
    return ws_ingest_read_table(opts->path, &r, err);
}
