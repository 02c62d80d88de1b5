/* ws_sweep: see ws_sweep.h. Layout: parsing and point documents; running one point into its row text;
 * the driver (costliest point first, through ws_mpi_farm_run: serial, or over Open MPI ranks); the table as CSV, JSON and
 * a store run; text output. Plots are in ws_sweepplot.c. Every row travels as the same JSON text
 * whether it was computed on rank 0 or elsewhere, so outputs do not depend on the number of ranks. */
#include "ws_sweep.h"

#include "ws_csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ws_json.h"
#include "ws_mpi.h"
#include "ws_runs.h"
#include "ws_sim.h"
#include "ws_whatif.h"

#ifdef WS_HAVE_MPI
#include <mpi.h>
#endif

/* ---- parsing ---- */

/* "FILE: sweep.PATH: message" (or "FILE: sweep: message" without a path). */
static int fail(ws_error *err, const ws_sweep *sw, const char *key, const char *msg)
{
    char field[128];
    snprintf(field, sizeof field, "sweep%s%.120s", key[0] ? "." : "", key);
    ws_error_set(err, sw->file, 0, field, "%s", msg);
    return WS_EINPUT;
}

static int parse_axis(ws_sweep *sw, const cJSON *item, ws_error *err)
{
    if (sw->n_axes == WS_SWEEP_MAX_AXES)
        return fail(err, sw, item->string, "too many swept paths (at most 8)");
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) < 1)
        return fail(err, sw, item->string, "must be a non-empty array of values");
    if (strlen(item->string) >= sizeof sw->axes[0].path)
        return fail(err, sw, item->string, "path too long");
    /* The path must name a place in the scenario: try the first value on a copy. */
    cJSON *copy = cJSON_Duplicate(sw->base, 1);
    ws_error e = {0};
    int rc = ws_json_set_path(copy, item->string, cJSON_GetArrayItem(item, 0), &e);
    cJSON_Delete(copy);
    if (rc != 0)
        return fail(err, sw, item->string, e.message);
    ws_sweep_axis *a = &sw->axes[sw->n_axes++];
    ws_strlcpy(a->path, item->string, sizeof a->path);
    a->values = item;
    a->n = cJSON_GetArraySize(item);
    if (sw->n_points * a->n > WS_SWEEP_MAX_POINTS)
        return fail(err, sw, item->string, "the grid has more than 100000 points");
    sw->n_points *= a->n;
    return WS_OK;
}

static void scenario_dir(const char *path, char *dir, size_t size)
{
    ws_strlcpy(dir, path, size);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        ws_strlcpy(dir, ".", size);
}

int ws_sweep_parse(const cJSON *doc, const char *path, int override_seed, uint64_t seed, ws_sweep *sw,
                   ws_error *err)
{
    memset(sw, 0, sizeof *sw);
    ws_strlcpy(sw->file, path, sizeof sw->file);
    scenario_dir(path, sw->dir, sizeof sw->dir);
    ws_sha256_file(path, sw->sha256);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "sweep");
    if (!cJSON_IsObject(s) || !s->child)
        return fail(err, sw, "", "the scenario needs a \"sweep\" object: {\"json.path\": [values], ...}");
    sw->sweep = cJSON_Duplicate(s, 1);
    sw->base = cJSON_Duplicate(doc, 1);
    if (!sw->sweep || !sw->base)
        return WS_EFAIL;
    cJSON_DeleteItemFromObjectCaseSensitive(sw->base, "sweep");
    sw->n_points = 1;
    const cJSON *item;
    cJSON_ArrayForEach(item, sw->sweep)
    {
        int rc = parse_axis(sw, item, err);
        if (rc != WS_OK)
            return rc;
    }
    const cJSON *sd = cJSON_GetObjectItemCaseSensitive(doc, "seed");
    sw->seed = override_seed ? seed : (cJSON_IsNumber(sd) && sd->valuedouble >= 0 ? (uint64_t)sd->valuedouble : 0);
    return WS_OK;
}

void ws_sweep_free(ws_sweep *sw)
{
    cJSON_Delete(sw->base);
    cJSON_Delete(sw->sweep);
    sw->base = sw->sweep = NULL;
}

void ws_sweep_point_indices(const ws_sweep *sw, long p, int *idx)
{
    for (int a = sw->n_axes - 1; a >= 0; a--) {
        idx[a] = (int)(p % sw->axes[a].n);
        p /= sw->axes[a].n;
    }
}

cJSON *ws_sweep_point_doc(const ws_sweep *sw, long p, ws_error *err)
{
    int idx[WS_SWEEP_MAX_AXES];
    ws_sweep_point_indices(sw, p, idx);
    cJSON *d = cJSON_Duplicate(sw->base, 1);
    for (int a = 0; d && a < sw->n_axes; a++)
        if (ws_json_set_path(d, sw->axes[a].path, cJSON_GetArrayItem(sw->axes[a].values, idx[a]), err) != 0) {
            ws_strlcpy(err->file, sw->file, sizeof err->file);
            cJSON_Delete(d);
            return NULL;
        }
    return d;
}

uint64_t ws_sweep_point_seed(const ws_sweep *sw, long p)
{
    return (uint64_t)ws_sim_stream_seed(sw->seed, WS_STREAM_SWEEP_POINT + (uint32_t)p);
}

/* ---- one point ---- */

static void error_text(const ws_error *err, char *buf, size_t size)
{
    if (!err->message[0]) {
        ws_strlcpy(buf, "failed", size);
        return;
    }
    char line[32] = "";
    if (err->line > 0)
        snprintf(line, sizeof line, "%ld:", err->line);
    snprintf(buf, size, "%s%s%s%s%s%s%s", err->file, err->file[0] ? ":" : "", line,
             err->file[0] || line[0] ? " " : "", err->field, err->field[0] ? ": " : "", err->message);
}

static cJSON *triple(const cJSON *v, const char *group, const char *key)
{
    static const char *const which[] = {"mean", "lo", "hi"};
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v, group), key);
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < 3; i++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, which[i]);
        cJSON_AddItemToArray(arr, cJSON_IsNumber(x) && isfinite(x->valuedouble) ? cJSON_CreateNumber(x->valuedouble)
                                                                                 : cJSON_CreateNull());
    }
    return arr;
}

/* The table's metrics: row key, then where the report keeps it. */
static const char *const METRICS[][3] = {
    {"energy_mwh_per_day", "per_day", "facility_energy_mwh"},
    {"co2_t_per_day", "per_day", "co2_t"},
    {"saving_mwh_per_day", "saving_vs_baseline", "facility_energy_mwh_per_day"},
    {"saving_pct", "saving_vs_baseline", "facility_energy_pct"},
    {"mean_wait_s", "totals", "mean_wait_s"},
    {"jobs_per_day", "per_day", "jobs"},
};
#define N_METRICS ((int)(sizeof METRICS / sizeof *METRICS))

static void add_variants(cJSON *row, const cJSON *report)
{
    cJSON *vars = cJSON_AddArrayToObject(row, "variants");
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(report, "variants"))
    {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", cJSON_GetObjectItemCaseSensitive(v, "name")->valuestring);
        for (int m = 0; m < N_METRICS; m++)
            cJSON_AddItemToObject(o, METRICS[m][0], triple(v, METRICS[m][1], METRICS[m][2]));
        cJSON_AddItemToArray(vars, o);
    }
}

static char *oom_row(long p)
{
    char *t = malloc(64);
    if (t)
        snprintf(t, 64, "{\"point\":%ld,\"status\":\"out of memory\"}", p);
    return t;
}

char *ws_sweep_run_point(const ws_sweep *sw, long p, const ws_sweep_options *opt)
{
    ws_error err = {0};
    cJSON *doc = ws_sweep_point_doc(sw, p, &err), *report = NULL;
    int rc = WS_EINPUT;
    if (doc) {
        ws_whatif_options wo = {.replicas = opt->replicas, .override_seed = 1, .seed = ws_sweep_point_seed(sw, p),
                                .store = opt->store, .out_dir = NULL, .quiet = 1,
                                .threads = 1 /* points run in parallel (ranks), not runs inside one */};
        rc = ws_whatif_run(doc, sw->file, sw->dir, sw->sha256, &wo, &report, &err);
    }
    cJSON *row = cJSON_CreateObject();
    cJSON_AddNumberToObject(row, "point", (double)p);
    if (rc == WS_OK) {
        cJSON_AddStringToObject(row, "status", "ok");
        add_variants(row, report);
    } else {
        char msg[1400];
        error_text(&err, msg, sizeof msg);
        cJSON_AddStringToObject(row, "status", msg);
    }
    char *text = cJSON_PrintUnformatted(row);
    cJSON_Delete(row);
    cJSON_Delete(report);
    cJSON_Delete(doc);
    return text ? text : oom_row(p);
}

/* ---- the driver ---- */

/* The estimated cost of point p: simulated jobs x runs (sum of the classes' rate_per_day x days x
 * replicas x (1 + variants)); 1 when the scenario does not say. Only its order matters. */
static double doc_cost(cJSON *d, int replicas)
{
    double rate = 0;
    const cJSON *c, *days = ws_json_get_path(d, "horizon.days"), *reps = cJSON_GetObjectItemCaseSensitive(d, "replicas");
    cJSON_ArrayForEach(c, ws_json_get_path(d, "workload.classes"))
    {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(c, "rate_per_day");
        if (cJSON_IsNumber(r) && isfinite(r->valuedouble) && r->valuedouble > 0)
            rate += r->valuedouble;
    }
    double n = rate > 0 ? rate : 1;
    if (cJSON_IsNumber(days) && isfinite(days->valuedouble) && days->valuedouble > 0)
        n *= days->valuedouble;
    n *= replicas > 0 ? replicas : cJSON_IsNumber(reps) && reps->valuedouble >= 1 ? reps->valuedouble : 1;
    return n * (1 + cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "variants")));
}

/* Does a swept path change what doc_cost reads? */
static int axis_moves_cost(const char *path)
{
    static const char *const keys[] = {"workload", "horizon", "replicas", "variants"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strncmp(path, keys[i], strlen(keys[i])) == 0)
            return 1;
    return 0;
}

double ws_sweep_point_cost(const ws_sweep *sw, long p, int replicas)
{
    ws_error err = {0};
    cJSON *d = ws_sweep_point_doc(sw, p, &err);
    double c = d ? doc_cost(d, replicas) : 0;
    cJSON_Delete(d);
    return c;
}

typedef struct {
    double cost;
    long p;
} costed;

static int by_cost(const void *a, const void *b)
{
    const costed *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    return (x->p > y->p) - (x->p < y->p);
}

int ws_sweep_order(const ws_sweep *sw, int replicas, long *order)
{
    int moves = 0;
    for (int a = 0; a < sw->n_axes; a++)
        moves |= axis_moves_cost(sw->axes[a].path);
    costed *c = moves ? malloc((size_t)sw->n_points * sizeof *c) : NULL;
    for (long p = 0; p < sw->n_points; p++) {
        order[p] = p;
        if (c)
            c[p] = (costed){ws_sweep_point_cost(sw, p, replicas), p};
    }
    if (!c)
        return moves ? -1 : 0;
    qsort(c, (size_t)sw->n_points, sizeof *c, by_cost);
    for (long p = 0; p < sw->n_points; p++)
        order[p] = c[p].p;
    free(c);
    return 0;
}

typedef struct {
    const ws_sweep *sw;
    const ws_sweep_options *opt;
    cJSON **rows;
    long done;
    int ranks;
    double t0_s; /* ws_monotonic_s() at the start */
    double last_report;
    ws_error *err;
} driver;

/* Keep the row of point p (text from any rank); a duplicate or unreadable row is an error. */
static int keep_row(driver *d, long k, const char *text)
{
    cJSON *row = cJSON_Parse(text);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(row, "point");
    if (!cJSON_IsNumber(p) || p->valuedouble != (double)k || k < 0 || k >= d->sw->n_points || d->rows[k]) {
        ws_error_set(d->err, "", 0, "", "unreadable or duplicate row from a rank");
        cJSON_Delete(row);
        return -1;
    }
    d->rows[k] = row;
    d->done++;
    double e = ws_monotonic_s() - d->t0_s;
    if (d->opt->report && e >= 5.0 && e - d->last_report >= 5.0 && d->done < d->sw->n_points) {
        d->last_report = e; /* every 5 s: batch logs and notebooks get whole lines too */
        ws_sweep_progress pr = {0, d->done, d->sw->n_points, d->ranks, e, NULL};
        d->opt->report(d->opt->report_ctx, &pr);
    }
    return 0;
}

static void *run_task(void *ctx, long k, size_t *len)
{
    const driver *d = ctx;
    char *text = ws_sweep_run_point(d->sw, k, d->opt);
    *len = text ? strlen(text) + 1 : 0;
    return text;
}

static int deliver_task(void *ctx, long k, void *buf, size_t len)
{
    driver *d = ctx;
    char *text = buf;
    int rc = len > 0 && text[len - 1] == '\0' ? keep_row(d, k, text) : -1;
    if (len == 0 || text[len - 1] != '\0')
        ws_error_set(d->err, "", 0, "", "unreadable or duplicate row from a rank");
    free(buf);
    return rc;
}

int ws_sweep_run_all(const ws_sweep *sw, const ws_sweep_options *opt, cJSON **rows, int *is_root, ws_error *err)
{
    driver d = {sw, opt, rows, 0, ws_mpi_size(), ws_monotonic_s(), 0, err};
    *is_root = ws_mpi_rank() == 0;
    long *order = malloc((size_t)sw->n_points * sizeof *order);
    ws_mpi_times *times = calloc((size_t)d.ranks, sizeof *times);
    int rc = order && times ? 0 : -1;
    /* Costliest first: the long points start early and the short ones fill the tail. */
    if (rc == 0 && ws_sweep_order(sw, opt->replicas, order) != 0)
        rc = -1;
    if (rc != 0)
        ws_error_set(err, "", 0, "", "out of memory");
    ws_mpi_farm farm = {sw->n_points, order, run_task, deliver_task, &d};
    if (rc == 0 && ws_mpi_farm_run(&farm, times) != 0) {
        rc = -1;
        if (!err->message[0])
            ws_error_set(err, "", 0, "", "a rank failed (out of memory or a lost message)");
    }
    if (rc == 0 && *is_root && d.done != sw->n_points) {
        ws_error_set(err, "", 0, "", "%ld of %ld points came back", d.done, sw->n_points);
        rc = -1;
    }
    if (*is_root && rc == 0 && opt->report) {
        ws_sweep_progress pr = {1, d.done, sw->n_points, d.ranks, ws_monotonic_s() - d.t0_s, times};
        opt->report(opt->report_ctx, &pr);
    }
    free(order);
    free(times);
    return rc;
}

const char *ws_sweep_mpi_info(void)
{
#ifdef WS_HAVE_MPI
#if defined(OMPI_MAJOR_VERSION)
#define WS_STR2(x) #x
#define WS_STR(x) WS_STR2(x)
    return "with MPI (Open MPI " WS_STR(OMPI_MAJOR_VERSION) "." WS_STR(OMPI_MINOR_VERSION) "." WS_STR(
        OMPI_RELEASE_VERSION) ")";
#else
    return "with MPI";
#endif
#else
    return "without MPI";
#endif
}

/* ---- the table ---- */

static const char *status_of(const cJSON *row)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(row, "status");
    return cJSON_IsString(s) ? s->valuestring : "missing";
}

static int row_ok(const cJSON *row) { return strcmp(status_of(row), "ok") == 0; }

long ws_sweep_failed(const ws_sweep *sw, cJSON *const *rows)
{
    long n = 0;
    for (long p = 0; p < sw->n_points; p++)
        n += !rows[p] || !row_ok(rows[p]);
    return n;
}

static void csv_value(FILE *out, const cJSON *v)
{
    if (cJSON_IsNumber(v)) {
        fprintf(out, "%.10g", v->valuedouble);
    } else if (cJSON_IsString(v)) {
        ws_csv_write_field(out, v->valuestring);
    } else {
        char *t = cJSON_PrintUnformatted(v);
        ws_csv_write_field(out, t ? t : "");
        free(t);
    }
}

static void csv_header(const ws_sweep *sw, FILE *out)
{
    fputs("point", out);
    for (int a = 0; a < sw->n_axes; a++) {
        fputc(',', out);
        ws_csv_write_field(out, sw->axes[a].path);
    }
    fputs(",variant", out);
    for (int m = 0; m < N_METRICS; m++)
        fprintf(out, ",%s,%s_lo,%s_hi", METRICS[m][0], METRICS[m][0], METRICS[m][0]);
    fputs(",status\n", out);
}

static void csv_line(const ws_sweep *sw, long p, const cJSON *variant, const char *status, FILE *out)
{
    int idx[WS_SWEEP_MAX_AXES];
    ws_sweep_point_indices(sw, p, idx);
    fprintf(out, "%ld", p);
    for (int a = 0; a < sw->n_axes; a++) {
        fputc(',', out);
        csv_value(out, cJSON_GetArrayItem(sw->axes[a].values, idx[a]));
    }
    fputc(',', out);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(variant, "name");
    if (cJSON_IsString(name))
        ws_csv_write_field(out, name->valuestring);
    for (int m = 0; m < N_METRICS; m++) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(variant, METRICS[m][0]);
        for (int k = 0; k < 3; k++) {
            const cJSON *x = cJSON_GetArrayItem(t, k);
            fputc(',', out);
            if (cJSON_IsNumber(x))
                fprintf(out, "%.10g", x->valuedouble);
        }
    }
    fputc(',', out);
    ws_csv_write_field(out, status);
    fputc('\n', out);
}

int ws_sweep_write_csv(const ws_sweep *sw, cJSON *const *rows, FILE *out)
{
    csv_header(sw, out);
    for (long p = 0; p < sw->n_points; p++) {
        const cJSON *vars = cJSON_GetObjectItemCaseSensitive(rows[p], "variants"), *v;
        if (!rows[p] || !row_ok(rows[p]) || cJSON_GetArraySize(vars) == 0) {
            csv_line(sw, p, NULL, status_of(rows[p]), out);
            continue;
        }
        cJSON_ArrayForEach(v, vars) csv_line(sw, p, v, "ok", out);
    }
    return ferror(out) ? -1 : 0;
}

static cJSON *values_json(const ws_sweep *sw, long p)
{
    int idx[WS_SWEEP_MAX_AXES];
    ws_sweep_point_indices(sw, p, idx);
    cJSON *o = cJSON_CreateObject();
    for (int a = 0; a < sw->n_axes; a++)
        cJSON_AddItemToObject(o, sw->axes[a].path, cJSON_Duplicate(cJSON_GetArrayItem(sw->axes[a].values, idx[a]), 1));
    return o;
}

static cJSON *scenario_json(const ws_sweep *sw)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(sw->base, "name");
    cJSON_AddStringToObject(o, "name", cJSON_IsString(name) ? name->valuestring : "scenario");
    cJSON_AddStringToObject(o, "path", sw->file);
    cJSON_AddStringToObject(o, "sha256", sw->sha256);
    cJSON_AddNumberToObject(o, "seed", (double)sw->seed);
    return o;
}

cJSON *ws_sweep_table_json(const ws_sweep *sw, cJSON *const *rows)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddNumberToObject(t, "wattscale_sweep", 1);
    cJSON_AddItemToObject(t, "scenario", scenario_json(sw));
    cJSON *axes = cJSON_AddArrayToObject(t, "axes");
    for (int a = 0; a < sw->n_axes; a++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", sw->axes[a].path);
        cJSON_AddItemToObject(o, "values", cJSON_Duplicate(sw->axes[a].values, 1));
        cJSON_AddItemToArray(axes, o);
    }
    cJSON_AddNumberToObject(t, "points", (double)sw->n_points);
    cJSON_AddNumberToObject(t, "failed", (double)ws_sweep_failed(sw, rows));
    cJSON *out = cJSON_AddArrayToObject(t, "rows");
    for (long p = 0; p < sw->n_points; p++) {
        cJSON *r = rows[p] ? cJSON_Duplicate(rows[p], 1) : cJSON_CreateObject();
        if (!rows[p]) {
            cJSON_AddNumberToObject(r, "point", (double)p);
            cJSON_AddStringToObject(r, "status", "missing");
        }
        cJSON_AddItemToObject(r, "values", values_json(sw, p));
        cJSON_AddItemToArray(out, r);
    }
    return t;
}

int ws_sweep_store_run(ws_store *st, const ws_sweep *sw, cJSON *table, const char *out_dir, int64_t *run_id,
                       ws_error *err)
{
    ws_run_info info = {WS_RUN_SWEEP, sw->file, sw->sha256, sw->seed, out_dir};
    return ws_runs_insert(st, &info, table, NULL, 0, run_id, err);
}

/* ---- text ---- */

static void format_triple(const cJSON *t, char *buf, size_t size)
{
    const cJSON *m = cJSON_GetArrayItem(t, 0), *lo = cJSON_GetArrayItem(t, 1), *hi = cJSON_GetArrayItem(t, 2);
    if (!cJSON_IsNumber(m))
        snprintf(buf, size, "-");
    else if (cJSON_IsNumber(lo) && cJSON_IsNumber(hi) && hi->valuedouble > lo->valuedouble)
        snprintf(buf, size, "%.4g [%.4g, %.4g]", m->valuedouble, lo->valuedouble, hi->valuedouble);
    else
        snprintf(buf, size, "%.4g", m->valuedouble);
}

static void print_values(const ws_sweep *sw, long p, FILE *out)
{
    int idx[WS_SWEEP_MAX_AXES];
    ws_sweep_point_indices(sw, p, idx);
    for (int a = 0; a < sw->n_axes; a++) {
        const cJSON *v = cJSON_GetArrayItem(sw->axes[a].values, idx[a]);
        char *t = cJSON_IsNumber(v) ? NULL : cJSON_PrintUnformatted(v);
        if (t)
            fprintf(out, " %14.14s", t);
        else
            fprintf(out, " %14.6g", v->valuedouble);
        free(t);
    }
}

void ws_sweep_print_text(const ws_sweep *sw, cJSON *const *rows, FILE *out)
{
    fprintf(out, "%5s", "point");
    for (int a = 0; a < sw->n_axes; a++) {
        const char *dot = strrchr(sw->axes[a].path, '.');
        fprintf(out, " %14.14s", dot ? dot + 1 : sw->axes[a].path);
    }
    fprintf(out, "  %-18s %28s %28s %s\n", "variant", "energy MWh/day", "CO2 t/day", "status");
    for (long p = 0; p < sw->n_points; p++) {
        const cJSON *vars = cJSON_GetObjectItemCaseSensitive(rows[p], "variants"), *v;
        if (!rows[p] || !row_ok(rows[p])) {
            fprintf(out, "%5ld", p);
            print_values(sw, p, out);
            fprintf(out, "  %-18s %28s %28s FAILED: %s\n", "-", "-", "-", status_of(rows[p]));
            continue;
        }
        cJSON_ArrayForEach(v, vars)
        {
            char e[80], c[80];
            format_triple(cJSON_GetObjectItemCaseSensitive(v, "energy_mwh_per_day"), e, sizeof e);
            format_triple(cJSON_GetObjectItemCaseSensitive(v, "co2_t_per_day"), c, sizeof c);
            fprintf(out, "%5ld", p);
            print_values(sw, p, out);
            fprintf(out, "  %-18.18s %28s %28s ok\n", cJSON_GetObjectItemCaseSensitive(v, "name")->valuestring, e, c);
        }
    }
}
