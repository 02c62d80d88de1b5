/* cmd_plot: `wattscale plot WHAT ...` draws figures into plots/ through ws_plot. A dispatcher on its
 * first argument: `plot fit MODEL` now; later issues add their own kinds to the table below. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_cdf.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_opt.h"
#include "ws_model.h"
#include "ws_plot.h"
#include "ws_projplot.h"
#include "ws_report.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} plot_kind;

static int plot_fit(int argc, char **argv);
static int plot_run(int argc, char **argv);

static const plot_kind KINDS[] = {
    {"fit", plot_fit, "a fitted model: measured points, fitted curve, 95% band (power or job model)"},
    {"run", plot_run, "a stored what-if run: savings, CO2 against wait, energy by class, power and carbon"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: wattscale plot <kind> [<args>]\n\nkinds:\n");
    for (const plot_kind *k = KINDS; k->name; k++)
        fprintf(out, "  %-6s %s\n", k->name, k->summary);
    fprintf(out, "\nEach kind takes --help. Figures go to plots/ (or --out DIR) as PNG and SVG (PLplot, cairo).\n");
}

int cmd_plot(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    for (const plot_kind *k = KINDS; k->name; k++)
        if (strcmp(k->name, argv[1]) == 0)
            return k->run(argc - 1, argv + 1);
    fprintf(stderr, "wattscale plot: '%s' is not a kind of figure\n", argv[1]);
    usage(stderr);
    return 2;
}

/* ---- plot fit ------------------------------------------------------------------------------- */

typedef struct {
    double *x, *y;
    int n;
} xy;

static int read_data(const cJSON *o, int col, double xscale, xy *d)
{
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(o, "data"), *row;
    int n = cJSON_GetArraySize(data), k = 0;
    d->x = malloc((size_t)(n + 1) * sizeof *d->x);
    d->y = malloc((size_t)(n + 1) * sizeof *d->y);
    if (!d->x || !d->y)
        return -1;
    cJSON_ArrayForEach(row, data)
    {
        const cJSON *a = cJSON_GetArrayItem(row, 0), *b = cJSON_GetArrayItem(row, col);
        if (cJSON_IsNumber(a) && cJSON_IsNumber(b)) {
            d->x[k] = a->valuedouble * xscale;
            d->y[k++] = b->valuedouble;
        }
    }
    d->n = k;
    return 0;
}

static void range(const double *v, int n, double *lo, double *hi)
{
    for (int i = 0; i < n; i++) {
        if (v[i] < *lo)
            *lo = v[i];
        if (v[i] > *hi)
            *hi = v[i];
    }
}

#define CURVE_N 201

static int open_figure(ws_plot *fig, const char *path)
{
    ws_error err;
    if (ws_plot_open(fig, path, 0, 0, &err) == 0)
        return 0;
    fputs("wattscale plot: ", stderr);
    ws_error_print(&err, stderr);
    return -1;
}

static int draw_power(const char *path, const ws_power_model *m, const xy *d)
{
    double u[CURVE_N], x[CURVE_N], p[CURVE_N], lo[CURVE_N], hi[CURVE_N];
    for (int i = 0; i < CURVE_N; i++) {
        u[i] = (double)i / (CURVE_N - 1);
        x[i] = 100 * u[i];
        ws_model_predict(m, u[i], &p[i], &lo[i], &hi[i]);
    }
    double ymin = 0, ymax = 0;
    range(hi, CURVE_N, &ymin, &ymax);
    range(d->y, d->n, &ymin, &ymax);
    ws_plot fig;
    if (open_figure(&fig, path) != 0)
        return WS_EFAIL;
    char title[300], label[160], pts[64];
    const char *name = m->arch_name[0] ? m->arch_name : m->arch;
    if (m->assumed)
        snprintf(title, sizeof title, "%s: ASSUMED curve, TDP %.0f W x Teads", name, m->params[0]);
    else if (isnan(m->r2))
        snprintf(title, sizeof title, "%s: %s power model", name, ws_form_name(m->form));
    else
        snprintf(title, sizeof title, "%s: %s, R#u2#d %.4f, RMSE %.1f W, n %d", name, ws_form_name(m->form),
                 m->r2, m->rmse_w, m->n);
    ws_plot_axes(&fig, 0, 100, 0, ymax * 1.08, "Utilisation (%)", "Power (W)", title);
    int band = 0;
    for (int i = 0; i < CURVE_N; i++)
        band |= hi[i] > lo[i];
    if (band)
        ws_plot_band(&fig, x, lo, hi, CURVE_N, WS_PLOT_BLUE, "95% prediction interval");
    if (m->assumed)
        snprintf(label, sizeof label, "ASSUMED: TDP x Teads curve");
    else
        snprintf(label, sizeof label, "fit: %s", ws_form_name(m->form));
    ws_plot_line(&fig, x, p, CURVE_N, m->assumed ? WS_PLOT_VERMILION : WS_PLOT_BLUE,
                 m->assumed ? WS_PLOT_DASHED : WS_PLOT_SOLID, label);
    if (m->n > d->n)
        snprintf(pts, sizeof pts, "measured (%d of %d shown)", d->n, m->n);
    else
        snprintf(pts, sizeof pts, "measured (%d points)", d->n);
    ws_plot_points(&fig, d->x, d->y, d->n, WS_PLOT_BLACK, d->n ? pts : NULL);
    if (m->assumed) {
        double kx[WS_MODEL_MAX_POINTS];
        for (int k = 0; k < m->n_points; k++)
            kx[k] = 100 * m->point_u[k];
        ws_plot_points(&fig, kx, m->point_w, m->n_points, WS_PLOT_VERMILION, "Teads load points (assumed)");
    }
    ws_plot_legend(&fig, WS_PLOT_BOTTOM_RIGHT);
    return ws_plot_close(&fig) == 0 ? 0 : WS_EFAIL;
}

static int draw_job(const char *path, const ws_job_model *m, const xy *d)
{
    double wmax = 0, wmin = 0, x[CURVE_N], e[CURVE_N], lo[CURVE_N], hi[CURVE_N];
    range(d->x, d->n, &wmin, &wmax);
    wmax = wmax > 0 ? wmax * 1.1 : 1;
    double t = m->n > 2 ? gsl_cdf_tdist_Pinv(0.975, m->n - 2) : 0;
    for (int i = 0; i < CURVE_N; i++) {
        x[i] = wmax * i / (CURVE_N - 1);
        e[i] = ws_job_model_energy_j(m, x[i]) / 1000;
        double var = m->cov_e[0][0] + 2 * x[i] * m->cov_e[0][1] + x[i] * x[i] * m->cov_e[1][1];
        lo[i] = e[i] - t * sqrt(fmax(var, 0)) / 1000;
        hi[i] = e[i] + t * sqrt(fmax(var, 0)) / 1000;
    }
    double ymin = 0, ymax = 0;
    range(hi, CURVE_N, &ymin, &ymax);
    for (int i = 0; i < d->n; i++)
        d->y[i] /= 1000;
    range(d->y, d->n, &ymin, &ymax);
    ws_plot fig;
    if (open_figure(&fig, path) != 0)
        return WS_EFAIL;
    char title[300], xl[80], pts[64];
    snprintf(title, sizeof title, "%s / %s: energy versus work (n = %d)", m->arch, m->job, m->n);
    snprintf(xl, sizeof xl, "Work (%s)", m->work_unit);
    ws_plot_axes(&fig, 0, wmax, 0, ymax * 1.1, xl, "Energy (kJ)", title);
    if (t > 0)
        ws_plot_band(&fig, x, lo, hi, CURVE_N, WS_PLOT_GREEN, "95% confidence band of the line");
    ws_plot_line(&fig, x, e, CURVE_N, WS_PLOT_GREEN, WS_PLOT_SOLID, "fit: E = e0 + e1 work");
    snprintf(pts, sizeof pts, "measured runs (%d)", d->n);
    ws_plot_points(&fig, d->x, d->y, d->n, WS_PLOT_BLACK, pts);
    ws_plot_legend(&fig, WS_PLOT_TOP_LEFT);
    return ws_plot_close(&fig) == 0 ? 0 : WS_EFAIL;
}

static int load_model_json(const char *path, cJSON **out)
{
    char *text = ws_read_file(path, NULL);
    if (!text) {
        fprintf(stderr, "wattscale plot: %s: cannot read model file\n", path);
        return WS_EINPUT;
    }
    *out = cJSON_Parse(text);
    free(text);
    if (!*out) {
        fprintf(stderr, "wattscale plot: %s: not valid JSON\n", path);
        return WS_EINPUT;
    }
    return 0;
}

static int draw_one(const char *model_path, const cJSON *o, const char *fig_path)
{
    const cJSON *fam = cJSON_GetObjectItemCaseSensitive(o, "family");
    int is_job = cJSON_IsString(fam) && strcmp(fam->valuestring, "job") == 0;
    ws_error err;
    xy d = {0};
    int rc;
    if (is_job) {
        ws_job_model jm;
        rc = ws_job_model_from_json(o, &jm, model_path, &err);
        if (rc == 0)
            rc = read_data(o, 1, 1.0, &d) == 0 ? draw_job(fig_path, &jm, &d) : WS_EFAIL;
    } else {
        ws_power_model pm;
        rc = ws_model_from_json(o, &pm, model_path, "", &err);
        if (rc == 0)
            rc = read_data(o, 1, 100.0, &d) == 0 ? draw_power(fig_path, &pm, &d) : WS_EFAIL;
    }
    if (rc < 0) {
        fputs("wattscale plot: ", stderr);
        ws_error_print(&err, stderr);
        rc = WS_EINPUT;
    }
    free(d.x);
    free(d.y);
    return rc;
}

static const char *const formats[] = {"png", "svg", "both", NULL};

static int plot_fit(int argc, char **argv)
{
    const char *dir = "plots", *format = "both";
    int status;
    const ws_opt options[] = {
        WS_OPT_STRING(0, "out", &dir, "DIR", "where the figures go (default plots/)"),
        WS_OPT_CHOICE(0, "format", &format, "png|svg|both", formats, "which files (default both)"),
        WS_OPT_END()};
    const ws_opt_cmd spec = {
        "plot fit", "wattscale plot fit MODEL.json [--out DIR] [--format png|svg|both]",
        "Draw a fitted model: the measured points it was fitted to, the fitted curve and its 95%\n"
        "prediction band (power models: power against utilisation; job models: energy against work).\n"
        "An assumed (TDP) model is drawn dashed and labelled ASSUMED. Writes DIR/<model>.png and .svg.",
        options, NULL, NULL, 1, 1, 0};
    if (ws_opt_parse(&spec, argc, argv, &status) < 0)
        return status;
    const char *model = argv[1];
    cJSON *o;
    int rc = load_model_json(model, &o);
    if (rc != 0)
        return rc;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "wattscale plot: cannot create %s: %s\n", dir, strerror(errno));
        cJSON_Delete(o);
        return WS_EFAIL;
    }
    const char *base = strrchr(model, '/') ? strrchr(model, '/') + 1 : model;
    char stem[512], path[1200];
    ws_strlcpy(stem, base, sizeof stem);
    char *dot = strrchr(stem, '.');
    if (dot && strcmp(dot, ".json") == 0)
        *dot = '\0';
    static const char *const exts[] = {"png", "svg"};
    for (int i = 0; i < 2 && rc == 0; i++) {
        if (strcmp(format, "both") != 0 && strcmp(format, exts[i]) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s.%s", dir, stem, exts[i]);
        rc = draw_one(model, o, path);
        if (rc == 0)
            printf("wrote %s\n", path);
    }
    cJSON_Delete(o);
    return rc;
}

/* ---- plot run -------------------------------------------------------------------------------- */

static int plot_run(int argc, char **argv)
{
    const char *dir = "plots", *db = NULL;
    int status;
    const ws_opt options[] = {
        WS_OPT_STRING(0, "out", &dir, "DIR", "where the figures go (default plots/)"),
        WS_OPT_DB(&db),
        WS_OPT_END()};
    const ws_opt_cmd spec = {
        "plot run", "wattscale plot run [RUN|latest] [--out DIR] [--db PATH]",
        "Redraw the figures of a stored what-if run (the ones `simulate` drew): energy and CO2 saved\n"
        "per variant, CO2 against mean wait, energy by job class and node type, and, when the run's\n"
        "output folder still holds hourly_baseline.csv, power and carbon intensity over time.",
        options, NULL, NULL, 0, 1, 0};
    int n = ws_opt_parse(&spec, argc, argv, &status);
    if (n < 0)
        return status;
    ws_store st;
    if (ws_cli_open_store(&st, db) != 0)
        return WS_EFAIL;
    long long id = 0;
    char out_dir[1024] = "", hourly[1100], prefix[128];
    cJSON *report = NULL;
    ws_error err = {0};
    int load_rc = ws_report_load(&st, n ? argv[1] : "latest", &id, out_dir, sizeof out_dir, &report, &err);
    ws_store_close(&st);
    if (load_rc != WS_OK) {
        ws_error_print(&err, stderr);
        return load_rc;
    }
    if (!cJSON_GetObjectItemCaseSensitive(report, "headline")) {
        fprintf(stderr, "wattscale plot run: run %lld is a plain simulation, not a what-if: nothing to compare\n", id);
        cJSON_Delete(report);
        return 2;
    }
    snprintf(hourly, sizeof hourly, "%s/hourly_baseline.csv", out_dir);
    struct stat sb;
    int have_hourly = out_dir[0] && stat(hourly, &sb) == 0;
    cJSON_DeleteItemFromObjectCaseSensitive(report, "figures");
    ws_projplot_prefix(report, prefix, sizeof prefix);
    int rc = WS_OK;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "wattscale plot: cannot create %s: %s\n", dir, strerror(errno));
        rc = WS_EFAIL;
    } else if (ws_projplot_all(report, dir, prefix, have_hourly ? hourly : NULL, &err) != 0) {
        ws_error_print(&err, stderr);
        rc = WS_EFAIL;
    } else {
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(report, "figures"))
            printf("wrote %s and %s\n", cJSON_GetObjectItemCaseSensitive(f, "png")->valuestring,
                   cJSON_GetObjectItemCaseSensitive(f, "svg")->valuestring);
    }
    cJSON_Delete(report);
    return rc;
}
