/* ingest_jobs: tables with one row per measured run (totals, no time series), such as the NVML
 * energy-counter table of the H100 measurements (jobs_r0.csv) or a study's published figures
 * (baler_t4_amp.csv). Required: job (or variant), duration_s, and an energy: energy_j, energy_kwh,
 * or components cpu_energy_j / gpu_energy_j / ram_energy_j (summed). Optional: arch (or hardware),
 * work and work_unit columns; --work-column names a column or a product of columns ("rows*epochs")
 * that gives each row's work. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_csv.h"
#include "ws_ingest.h"

enum { J_JOB, J_DUR, J_E_J, J_E_KWH, J_CPU, J_GPU, J_RAM, J_ARCH, J_WORK, J_WORK_UNIT, J_NCOLS };

typedef struct {
    int col[J_NCOLS];
    int work_cols[4], n_work_cols;
    size_t n;
} jobs_layout;

static int first_of(char **h, size_t n, const char *a, const char *b)
{
    int c = ws_csv_find(h, n, a);
    return c >= 0 || !b ? c : ws_csv_find(h, n, b);
}

static int layout_read(jobs_layout *L, char **h, size_t n, const ws_ingest_opts *opts, long line, ws_error *err)
{
    L->n = n;
    L->col[J_JOB] = first_of(h, n, "job", "variant");
    L->col[J_DUR] = first_of(h, n, "duration_s", NULL);
    L->col[J_E_J] = first_of(h, n, "energy_j", NULL);
    L->col[J_E_KWH] = first_of(h, n, "energy_kwh", NULL);
    L->col[J_CPU] = first_of(h, n, "cpu_energy_j", NULL);
    L->col[J_GPU] = first_of(h, n, "gpu_energy_j", NULL);
    L->col[J_RAM] = first_of(h, n, "ram_energy_j", NULL);
    L->col[J_ARCH] = first_of(h, n, "arch", "hardware");
    L->col[J_WORK] = first_of(h, n, "work", NULL);
    L->col[J_WORK_UNIT] = first_of(h, n, "work_unit", NULL);
    if (L->col[J_JOB] < 0 || L->col[J_DUR] < 0) {
        ws_error_set(err, opts->path, line, L->col[J_JOB] < 0 ? "job" : "duration_s", "required column missing");
        return -1;
    }
    if (L->col[J_E_J] < 0 && L->col[J_E_KWH] < 0 && L->col[J_CPU] < 0 && L->col[J_GPU] < 0 && L->col[J_RAM] < 0) {
        ws_error_set(err, opts->path, line, "energy_j",
                     "no energy column (energy_j, energy_kwh, cpu_energy_j, gpu_energy_j or ram_energy_j)");
        return -1;
    }
    L->n_work_cols = 0;
    if (opts->work_column) {
        char copy[256];
        ws_strlcpy(copy, opts->work_column, sizeof copy);
        char *save = NULL;
        for (char *tok = strtok_r(copy, "*", &save); tok; tok = strtok_r(NULL, "*", &save)) {
            int c = ws_csv_find(h, n, ws_trim(tok));
            if (c < 0 || L->n_work_cols == 4) {
                ws_error_set(err, opts->path, line, tok, "--work-column: no such column (or more than 4 factors)");
                return -1;
            }
            L->work_cols[L->n_work_cols++] = c;
        }
    }
    return 0;
}

static int number_at(char **f, int col, double *v, const ws_ingest_opts *opts, long line, const char *name,
                     ws_error *err)
{
    *v = NAN;
    if (col < 0 || ws_is_missing(f[col]))
        return 0;
    if (ws_parse_double(f[col], v) != 0 || *v < 0) {
        ws_error_set(err, opts->path, line, name, "'%s' is not a non-negative number", f[col]);
        return -1;
    }
    return 0;
}

static int jobs_row(const jobs_layout *L, char **f, long line, int index, const ws_ingest_opts *opts,
                    ws_ingest_sink *sink, ws_error *err)
{
    ws_profile p;
    ws_profile_init(&p, opts, index);
    if (!opts->job)
        ws_strlcpy(p.job, ws_trim(f[L->col[J_JOB]]), sizeof p.job);
    if (L->col[J_ARCH] >= 0)
        ws_profile_set_arch(&p, opts, ws_trim(f[L->col[J_ARCH]]));
    double e_kwh, work = NAN;
    static const char *const names[] = {"duration_s", "energy_j", "energy_kwh", "cpu_energy_j", "gpu_energy_j",
                                        "ram_energy_j", "work"};
    int cols[] = {L->col[J_DUR], L->col[J_E_J], L->col[J_E_KWH], L->col[J_CPU], L->col[J_GPU], L->col[J_RAM],
                  L->col[J_WORK]};
    double *dst[] = {&p.duration_s, &p.energy_j, &e_kwh, &p.energy_cpu_j, &p.energy_gpu_j, &p.energy_ram_j, &work};
    for (int k = 0; k < 7; k++)
        if (number_at(f, cols[k], dst[k], opts, line, names[k], err) != 0)
            return WS_EINPUT;
    if (isnan(p.duration_s)) {
        ws_error_set(err, opts->path, line, "duration_s", "missing");
        return WS_EINPUT;
    }
    if (isnan(p.energy_j) && !isnan(e_kwh))
        p.energy_j = e_kwh * WS_J_PER_KWH;
    if (isnan(p.energy_j)) {
        /* The total is the sum of the components that were measured. */
        double sum = 0;
        int any = 0;
        double parts[] = {p.energy_cpu_j, p.energy_gpu_j, p.energy_ram_j};
        for (int k = 0; k < 3; k++)
            if (!isnan(parts[k])) {
                sum += parts[k];
                any = 1;
            }
        p.energy_j = any ? sum : NAN;
    }
    if (isnan(p.energy_j)) {
        ws_error_set(err, opts->path, line, "energy_j", "no energy on this row");
        return WS_EINPUT;
    }
    if (L->n_work_cols > 0) {
        work = 1;
        for (int k = 0; k < L->n_work_cols; k++) {
            double v;
            if (number_at(f, L->work_cols[k], &v, opts, line, "work", err) != 0)
                return WS_EINPUT;
            work *= v;
        }
    }
    if (isnan(opts->work) && !isnan(work)) {
        p.work = work;
        if (!opts->work_unit && L->col[J_WORK_UNIT] >= 0)
            ws_strlcpy(p.work_unit, ws_trim(f[L->col[J_WORK_UNIT]]), sizeof p.work_unit);
    }
    if (p.duration_s > 0)
        p.mean_power_w = p.energy_j / p.duration_s;
    if (sink->begin(sink, &p) != 0 || sink->end(sink, &p) != 0)
        return WS_EFAIL;
    return WS_OK;
}

typedef struct {
    jobs_layout L;
    const ws_ingest_opts *opts;
    ws_ingest_sink *sink;
    int index;
} jobs_ctx;

static int jobs_on_header(void *ctx, const ws_csv *csv, ws_error *err)
{
    jobs_ctx *c = ctx;
    return layout_read(&c->L, csv->fields, csv->nfields, c->opts, csv->line, err) ? WS_EINPUT : WS_OK;
}

static int jobs_on_row(void *ctx, const ws_csv *csv, ws_error *err)
{
    jobs_ctx *c = ctx;
    return jobs_row(&c->L, csv->fields, csv->line, c->index++, c->opts, c->sink, err);
}

int ws_ingest_jobs(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool[64], ws_error *err)
{
    (void)tool;
    jobs_ctx c = {.opts = opts, .sink = sink};
    ws_table_reader r = {.ctx = &c, .on_header = jobs_on_header, .on_row = jobs_on_row, .skips = opts->skip_bad_rows,
                         .line_now = opts->line_now};
    return ws_ingest_read_table(opts->path, &r, err);
}
