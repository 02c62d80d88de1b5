/* ingest_codecarbon: CodeCarbon's emissions.csv, in every column set CodeCarbon has written (v1 without
 * run_id up to v3 with water_consumed and the *_utilization_percent columns), columns mapped by name.
 * Units in the file: energies kWh (cpu_energy, gpu_energy, ram_energy, energy_consumed), powers W,
 * duration s, emissions kg.
 * Rows that share a run_id are cumulative snapshots of ONE run, flushed periodically (duration 6.1 ->
 * 9.1 -> 12.1 s): the run becomes one profile with the last row's totals, and every row one sample
 * (t_s = duration, cumulative energy_j, the component powers). Rows with different run_ids, or every row
 * of a file without run_id, are separate profiles.
 * start_time: CodeCarbon stamps a row when it writes it (the tracker's local clock, no zone), so the run
 * started at timestamp - duration. We store that instant rounded to the second, without a zone suffix
 * when the file gave none (start_unix_s then reads the local clock as if it were UTC). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_csv.h"
#include "ws_ingest.h"

enum {
    C_TIME, C_PROJECT, C_EXPERIMENT, C_TASK, C_RUN, C_DURATION, C_EMISSIONS, C_CPU_W, C_GPU_W, C_RAM_W,
    C_CPU_KWH, C_GPU_KWH, C_RAM_KWH, C_KWH, C_COUNTRY, C_ISO, C_REGION, C_VERSION, C_CPU_MODEL, C_GPU_MODEL,
    C_PUE, C_CPU_UTIL, C_GPU_UTIL, C_RAM_UTIL, NCOLS
};

static const char *const col_names[NCOLS] = {
    "timestamp",   "project_name", "experiment_name", "task_name",   "run_id",
    "duration",    "emissions",    "cpu_power",       "gpu_power",   "ram_power",
    "cpu_energy",  "gpu_energy",   "ram_energy",      "energy_consumed", "country_name",
    "country_iso_code", "region",  "codecarbon_version", "cpu_model", "gpu_model",
    "pue",         "cpu_utilization_percent", "gpu_utilization_percent", "ram_utilization_percent"};

/* The numeric columns of one row, in file units. NaN when the column is absent or empty. */
typedef struct {
    double t_unix_s;
    int has_zone;
    double v[NCOLS];
} cc_row;

typedef struct {
    char key[128];
    ws_profile p;
    double last_duration_s, last_kwh, end_unix_s, util_pct, peak_w;
    int has_zone, begun;
} cc_run;

typedef struct {
    int col[NCOLS];
    size_t nfields;
    cc_run *runs;
    int n_runs, cap_runs;
    char tool[64];
} cc_state;

static const char *field(const cc_state *S, char **f, int c)
{
    return S->col[c] >= 0 ? ws_trim(f[S->col[c]]) : "";
}

static int cc_header(cc_state *S, char **h, size_t n, const char *path, long line, ws_error *err)
{
    if ((unsigned char)h[0][0] == 0xEF && (unsigned char)h[0][1] == 0xBB && (unsigned char)h[0][2] == 0xBF)
        h[0] += 3;
    for (int c = 0; c < NCOLS; c++)
        S->col[c] = ws_csv_find(h, n, col_names[c]);
    S->nfields = n;
    static const int required[] = {C_DURATION, C_KWH};
    for (size_t k = 0; k < 2; k++)
        if (S->col[required[k]] < 0) {
            ws_error_set(err, path, line, col_names[required[k]],
                         "missing column: a CodeCarbon emissions.csv always has duration and energy_consumed");
            return WS_EINPUT;
        }
    return WS_OK;
}

/* A CodeCarbon timestamp carries a zone only when it ends in Z or +HH:MM / -HH:MM. */
static int text_has_zone(const char *s)
{
    size_t n = strlen(s);
    if (n && (s[n - 1] == 'Z' || s[n - 1] == 'z'))
        return 1;
    return n > 6 && (s[n - 6] == '+' || s[n - 6] == '-') && s[n - 3] == ':';
}

static int cc_parse_row(const cc_state *S, char **f, cc_row *r, const char *path, long line, ws_error *err)
{
    for (int c = 0; c < NCOLS; c++)
        r->v[c] = NAN;
    for (int c = C_DURATION; c < NCOLS; c++) {
        if (c >= C_COUNTRY && c <= C_GPU_MODEL)
            continue; /* text columns */
        const char *t = field(S, f, c);
        if (S->col[c] < 0 || ws_is_missing(t)) {
            if (c == C_DURATION || c == C_KWH) {
                ws_error_set(err, path, line, col_names[c], "missing value: '%s'", t);
                return WS_EINPUT;
            }
            continue;
        }
        if (ws_parse_double(t, &r->v[c]) != 0) {
            ws_error_set(err, path, line, col_names[c], "'%s' is not a number", t);
            return WS_EINPUT;
        }
        if (r->v[c] < 0) {
            ws_error_set(err, path, line, col_names[c], "negative value %g", r->v[c]);
            return WS_EINPUT;
        }
    }
    r->t_unix_s = NAN;
    r->has_zone = 0;
    const char *ts = field(S, f, C_TIME);
    if (S->col[C_TIME] >= 0 && !ws_is_missing(ts)) {
        if (ws_parse_time(ts, &r->t_unix_s) != 0) {
            ws_error_set(err, path, line, "timestamp", "'%s' is not an ISO-8601 timestamp", ts);
            return WS_EINPUT;
        }
        r->has_zone = text_has_zone(ts);
    }
    return WS_OK;
}

/* The run a row belongs to: its run_id, or a fresh one when the file has no run_id (or it is empty). */
static cc_run *cc_find_run(cc_state *S, const char *key, const ws_ingest_opts *opts)
{
    if (key[0])
        for (int i = S->n_runs - 1; i >= 0; i--)
            if (strcmp(S->runs[i].key, key) == 0)
                return &S->runs[i];
    if (ws_grow(&S->runs, S->n_runs, &S->cap_runs, sizeof *S->runs, 8) != 0)
        return NULL;
    cc_run *r = &S->runs[S->n_runs];
    memset(r, 0, sizeof *r);
    ws_strlcpy(r->key, key, sizeof r->key);
    ws_profile_init(&r->p, opts, S->n_runs);
    ws_strlcpy(r->p.run_id, key, sizeof r->p.run_id);
    r->peak_w = NAN;
    S->n_runs++;
    return r;
}

/* "1 x Tesla T4" -> "Tesla T4" (CodeCarbon prefixes the GPU count). */
static const char *strip_count(const char *model)
{
    const char *s = model;
    while (*s >= '0' && *s <= '9')
        s++;
    if (s > model && strncmp(s, " x ", 3) == 0)
        return s + 3;
    return model;
}

static void cc_set_job(ws_profile *p, const cc_state *S, char **f, const ws_ingest_opts *opts)
{
    if (opts->job)
        return;
    const char *project = field(S, f, C_PROJECT), *task = field(S, f, C_TASK);
    if (!project[0])
        project = field(S, f, C_EXPERIMENT);
    if (task[0])
        snprintf(p->job, sizeof p->job, "%s%s%s", project, project[0] ? "/" : "", task);
    else
        ws_strlcpy(p->job, project, sizeof p->job);
}

/* Text metadata: the last row of a run wins. */
static void cc_set_meta(cc_run *run, const cc_state *S, char **f, const cc_row *r, const ws_ingest_opts *opts)
{
    ws_profile *p = &run->p;
    cc_set_job(p, S, f, opts);
    int on_gpu = r->v[C_GPU_KWH] > 0;
    const char *model = on_gpu ? field(S, f, C_GPU_MODEL) : field(S, f, C_CPU_MODEL);
    ws_profile_set_arch(p, opts, strip_count(model));
    ws_strlcpy(p->device, model, sizeof p->device);
    const char *iso = field(S, f, C_ISO);
    ws_strlcpy(p->country, iso[0] ? iso : field(S, f, C_COUNTRY), sizeof p->country);
    ws_strlcpy(p->region, field(S, f, C_REGION), sizeof p->region);
    run->util_pct = on_gpu ? r->v[C_GPU_UTIL] : r->v[C_CPU_UTIL];
}

static void cc_set_totals(cc_run *run, const cc_row *r)
{
    ws_profile *p = &run->p;
    p->duration_s = r->v[C_DURATION];
    p->energy_j = r->v[C_KWH] * WS_J_PER_KWH;
    p->energy_cpu_j = r->v[C_CPU_KWH] * WS_J_PER_KWH;
    p->energy_gpu_j = r->v[C_GPU_KWH] * WS_J_PER_KWH;
    p->energy_ram_j = r->v[C_RAM_KWH] * WS_J_PER_KWH;
    p->emissions_kg = r->v[C_EMISSIONS];
    p->pue = r->v[C_PUE];
    run->last_duration_s = r->v[C_DURATION];
    run->last_kwh = r->v[C_KWH];
    run->end_unix_s = r->t_unix_s;
    run->has_zone = r->has_zone;
    p->n_samples++;
}

static ws_sample cc_sample(const cc_row *r)
{
    ws_sample s;
    ws_sample_init(&s);
    s.t_s = r->v[C_DURATION];
    s.energy_j = r->v[C_KWH] * WS_J_PER_KWH;
    s.cpu_power_w = r->v[C_CPU_W];
    s.gpu_power_w = r->v[C_GPU_W];
    s.ram_power_w = r->v[C_RAM_W];
    double sum = 0;
    int any = 0;
    for (int c = C_CPU_W; c <= C_RAM_W; c++)
        if (!isnan(r->v[c])) {
            sum += r->v[c];
            any = 1;
        }
    s.power_w = any ? sum : NAN;
    s.util_pct = r->v[C_GPU_KWH] > 0 ? r->v[C_GPU_UTIL] : r->v[C_CPU_UTIL];
    s.mem_util_pct = r->v[C_RAM_UTIL];
    return s;
}

/* A later snapshot of a run must not shrink: CodeCarbon's rows are cumulative. */
static int cc_check_order(const cc_run *run, const cc_row *r, const char *path, long line, ws_error *err)
{
    if (!run->begun)
        return WS_OK;
    if (r->v[C_DURATION] < run->last_duration_s) {
        ws_error_set(err, path, line, "duration",
                     "went back from %g to %g s within run_id %s: snapshots of one run are cumulative",
                     run->last_duration_s, r->v[C_DURATION], run->key);
        return WS_EINPUT;
    }
    if (r->v[C_KWH] < run->last_kwh) {
        ws_error_set(err, path, line, "energy_consumed",
                     "went down from %g to %g kWh within run_id %s: snapshots of one run are cumulative",
                     run->last_kwh, r->v[C_KWH], run->key);
        return WS_EINPUT;
    }
    return WS_OK;
}

static int cc_handle_row(cc_state *S, char **f, const ws_csv *csv, const ws_ingest_opts *opts,
                         ws_ingest_sink *sink, ws_error *err)
{
    cc_row r;
    int rc = cc_parse_row(S, f, &r, opts->path, csv->line, err);
    if (rc != WS_OK)
        return rc;
    cc_run *run = cc_find_run(S, field(S, f, C_RUN), opts);
    if (!run) {
        ws_error_set(err, opts->path, csv->line, "", "out of memory");
        return WS_EFAIL;
    }
    if ((rc = cc_check_order(run, &r, opts->path, csv->line, err)) != WS_OK)
        return rc;
    cc_set_meta(run, S, f, &r, opts);
    cc_set_totals(run, &r);
    if (S->col[C_VERSION] >= 0 && field(S, f, C_VERSION)[0])
        ws_strlcpy(S->tool, field(S, f, C_VERSION), sizeof S->tool);
    if (!run->begun) {
        if (sink->begin(sink, &run->p) != 0)
            return WS_EFAIL;
        run->begun = 1;
    }
    ws_sample s = cc_sample(&r);
    if (!isnan(s.power_w) && (isnan(run->peak_w) || s.power_w > run->peak_w))
        run->peak_w = s.power_w;
    if (opts->keep_samples && sink->sample(sink, &run->p, &s) != 0)
        return WS_EFAIL;
    return WS_OK;
}

/* Final numbers of a run: mean power, start time, utilisation (CodeCarbon's own run average). */
static int cc_finish_run(cc_run *run, ws_ingest_sink *sink)
{
    ws_profile *p = &run->p;
    if (p->duration_s > 0)
        p->mean_power_w = p->energy_j / p->duration_s;
    p->peak_power_w = run->peak_w;
    p->mean_util_pct = run->util_pct;
    p->n_gaps = 0;
    if (!isnan(run->end_unix_s)) {
        p->start_unix_s = round(run->end_unix_s - p->duration_s);
        ws_format_time(p->start_unix_s, p->start_time, sizeof p->start_time);
        size_t n = strlen(p->start_time);
        if (!run->has_zone && n && p->start_time[n - 1] == 'Z')
            p->start_time[n - 1] = '\0';
    }
    return sink->end(sink, p) == 0 ? WS_OK : WS_EFAIL;
}

typedef struct {
    cc_state *S;
    const ws_ingest_opts *opts;
    ws_ingest_sink *sink;
} cc_ctx;

static int cc_on_header(void *ctx, const ws_csv *csv, ws_error *err)
{
    cc_ctx *c = ctx;
    return cc_header(c->S, csv->fields, csv->nfields, c->opts->path, csv->line, err);
}

static int cc_on_row(void *ctx, const ws_csv *csv, ws_error *err)
{
    cc_ctx *c = ctx;
    return cc_handle_row(c->S, csv->fields, csv, c->opts, c->sink, err);
}

int ws_ingest_codecarbon(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool_version[64], ws_error *err)
{
    cc_state S;
    memset(&S, 0, sizeof S);
    cc_ctx c = {&S, opts, sink};
    ws_table_reader r = {.ctx = &c, .on_header = cc_on_header, .on_row = cc_on_row, .skips = opts->skip_bad_rows,
                         .line_now = opts->line_now};
    int rc = ws_ingest_read_table(opts->path, &r, err);
    for (int i = 0; rc == WS_OK && i < S.n_runs; i++)
        rc = cc_finish_run(&S.runs[i], sink);
    if (rc == WS_OK && S.tool[0])
        ws_strlcpy(tool_version, S.tool, 64);
    free(S.runs);
    return rc;
}
