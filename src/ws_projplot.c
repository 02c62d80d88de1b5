/* ws_projplot: see ws_projplot.h. Each figure is one function drawing into one path; the caller loops
 * over the two formats. */
#include "ws_projplot.h"

#include "ws_json.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_csv.h"
#include "ws_plot.h"

#define MAX_VARIANTS 32

static const ws_plot_color SITE_COLORS[] = {WS_PLOT_BLUE, WS_PLOT_ORANGE, WS_PLOT_GREEN, WS_PLOT_VERMILION,
                                            WS_PLOT_SKY, WS_PLOT_PURPLE, WS_PLOT_GREY, WS_PLOT_BLACK};

static double iv(const cJSON *o, const char *a, const char *b, const char *which)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), b);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(x, which);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Axis range covering lo..hi with a margin, and always 0 for bars. */
static void range(const double *lo, const double *hi, int n, int with_zero, double *ymin, double *ymax)
{
    double a = with_zero ? 0 : INFINITY, b = with_zero ? 0 : -INFINITY;
    for (int i = 0; i < n; i++) {
        if (isfinite(lo[i]))
            a = fmin(a, lo[i]);
        if (isfinite(hi[i]))
            b = fmax(b, hi[i]);
    }
    if (!isfinite(a) || !isfinite(b))
        a = 0, b = 1;
    double pad = (b - a) * 0.12 + (b == a ? fabs(a) * 0.1 + 1e-9 : 0);
    *ymin = a - (a < 0 || !with_zero ? pad : 0);
    *ymax = b + pad;
}

typedef struct {
    const char *names[MAX_VARIANTS];
    double x[MAX_VARIANTS], m[MAX_VARIANTS], lo[MAX_VARIANTS], hi[MAX_VARIANTS];
    double wait[MAX_VARIANTS], co2[MAX_VARIANTS], co2_lo[MAX_VARIANTS], co2_hi[MAX_VARIANTS];
    double co2_sm[MAX_VARIANTS], co2_slo[MAX_VARIANTS], co2_shi[MAX_VARIANTS]; /* CO2 saved, t/day */
    int n, replicas;
    const char *scenario;
} variants_t;

static void read_variants(const cJSON *report, variants_t *v)
{
    memset(v, 0, sizeof *v);
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(report, "scenario");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(sc, "name");
    v->scenario = cJSON_IsString(name) ? name->valuestring : "scenario";
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(sc, "replicas");
    v->replicas = cJSON_IsNumber(rep) ? (int)rep->valuedouble : 1;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(report, "variants"))
    {
        if (v->n == MAX_VARIANTS)
            break;
        int i = v->n++;
        v->names[i] = cJSON_GetObjectItemCaseSensitive(it, "name")->valuestring;
        v->x[i] = i;
        v->m[i] = iv(it, "saving_vs_baseline", "facility_energy_mwh_per_day", "mean");
        v->lo[i] = iv(it, "saving_vs_baseline", "facility_energy_mwh_per_day", "lo");
        v->hi[i] = iv(it, "saving_vs_baseline", "facility_energy_mwh_per_day", "hi");
        v->wait[i] = iv(it, "totals", "mean_wait_s", "mean");
        v->co2[i] = iv(it, "per_day", "co2_t", "mean");
        v->co2_lo[i] = iv(it, "per_day", "co2_t", "lo");
        v->co2_hi[i] = iv(it, "per_day", "co2_t", "hi");
        v->co2_sm[i] = iv(it, "saving_vs_baseline", "co2_t_per_day", "mean");
        v->co2_slo[i] = iv(it, "saving_vs_baseline", "co2_t_per_day", "lo");
        v->co2_shi[i] = iv(it, "saving_vs_baseline", "co2_t_per_day", "hi");
    }
}

/* One panel of saving bars with their intervals; headroom above for the legend. */
static void savings_panel(ws_plot *p, const variants_t *v, const double *m, const double *lo, const double *hi,
                          const char *ylabel, const char *title, ws_plot_color c, const char *label)
{
    double ymin, ymax;
    range(lo, hi, v->n, 1, &ymin, &ymax);
    ymax += (ymax - ymin) * 0.35;
    ws_plot_axes_categories(p, v->names, v->n, ymin, ymax, ylabel, title);
    ws_plot_bars(p, v->x, m, v->n, 0.6, c, label);
    ws_plot_errorbars(p, v->x, lo, hi, v->n, WS_PLOT_BLACK);
    ws_plot_legend(p, WS_PLOT_TOP_RIGHT);
}

static int draw_savings(const variants_t *v, const char *path, ws_error *err)
{
    ws_plot p;
    if (ws_plot_open(&p, path, 1500, 1100, err) != 0)
        return -1;
    char title[256];
    snprintf(title, sizeof title, "Projected: saved per day (95%% CI, %d replicas)", v->replicas);
    p.panel_gap = 0.04; /* the lower panel has no title and the upper no names */
    ws_plot_panel(&p, 0, 2);
    savings_panel(&p, v, v->m, v->lo, v->hi, "MWh/day", title, WS_PLOT_SKY, "facility energy saved");
    ws_plot_panel(&p, 1, 2);
    savings_panel(&p, v, v->co2_sm, v->co2_slo, v->co2_shi, "t CO2/day", "", WS_PLOT_GREEN, "CO2 saved");
    return ws_plot_close(&p);
}

/* Waits in the unit that suits their size. */
static double wait_unit(const variants_t *v, const char **label)
{
    double max = 0;
    for (int i = 0; i < v->n; i++)
        max = fmax(max, v->wait[i]);
    if (max < 600) {
        *label = "Mean wait (s)";
        return 1;
    }
    if (max < 3 * 3600) {
        *label = "Mean wait (min)";
        return 60;
    }
    *label = "Mean wait (h)";
    return 3600;
}

static int draw_tradeoff(const variants_t *v, const char *path, ws_error *err)
{
    ws_plot p;
    if (ws_plot_open(&p, path, 1200, 800, err) != 0)
        return -1;
    const char *xlabel;
    double unit = wait_unit(v, &xlabel), x[MAX_VARIANTS];
    for (int i = 0; i < v->n; i++)
        x[i] = v->wait[i] / unit;
    double xmin, xmax, ymin, ymax;
    range(x, x, v->n, 0, &xmin, &xmax);
    range(v->co2_lo, v->co2_hi, v->n, 0, &ymin, &ymax);
    xmax += (xmax - xmin) * 0.35; /* room for the names */
    ws_plot_axes(&p, xmin, xmax, ymin, ymax, xlabel, "CO2, projected (t/day)",
                 "Projected CO2 per day against the simulated mean wait");
    ws_plot_errorbars(&p, x, v->co2_lo, v->co2_hi, v->n, WS_PLOT_BLACK);
    ws_plot_points(&p, x, v->co2, v->n, WS_PLOT_VERMILION, "variant (95% CI)");
    /* Variants landing on the same point share one label. */
    double placed_x[MAX_VARIANTS], placed_y[MAX_VARIANTS];
    int n_placed = 0;
    for (int i = 0; i < v->n; i++) {
        int first = 1;
        for (int k = 0; k < i; k++)
            if (x[k] == x[i] && v->co2[k] == v->co2[i])
                first = 0;
        if (!first)
            continue;
        char label[512] = "";
        for (int k = i; k < v->n; k++)
            if (x[k] == x[i] && v->co2[k] == v->co2[i])
                snprintf(label + strlen(label), sizeof label - strlen(label), "%s%s", label[0] ? ", " : "",
                         v->names[k]);
        /* Labels of nearby points step down until they no longer overlap one already placed. */
        double ly = v->co2[i], dy = (ymax - ymin) * 0.045;
        for (int moved = 1; moved;) {
            moved = 0;
            for (int k = 0; k < n_placed; k++)
                if (fabs(placed_y[k] - ly) < dy && fabs(placed_x[k] - x[i]) < (xmax - xmin) * 0.3) {
                    ly -= dy;
                    moved = 1;
                }
        }
        placed_x[n_placed] = x[i];
        placed_y[n_placed++] = ly;
        ws_plot_text(&p, x[i] + (xmax - xmin) * 0.015, ly, WS_PLOT_BLACK, label);
    }
    ws_plot_legend(&p, WS_PLOT_TOP_RIGHT);
    return ws_plot_close(&p);
}

/* The energy of one (class, node type) cell of the baseline. */
typedef struct {
    const cJSON *cell;
    double mean, lo, hi;
} class_cell;

static int by_energy_desc(const void *a, const void *b)
{
    double x = ((const class_cell *)a)->mean, y = ((const class_cell *)b)->mean;
    return x < y ? 1 : x > y ? -1 : 0; /* qsort is not stable, but ties keep no meaning here */
}

#define BY_CLASS_BARS 8 /* cells drawn one by one; the rest are summed into one bar (a WLCG run has ~150) */

static int draw_by_class(const cJSON *report, const char *path, ws_error *err)
{
    const cJSON *base = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(report, "variants"), 0);
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(base, "by_class");
    int n = cJSON_GetArraySize(cls);
    if (n == 0)
        return 0;
    class_cell *cells = calloc((size_t)n, sizeof *cells);
    if (!cells) {
        ws_error_set(err, path, 0, "", "out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const cJSON *c = cJSON_GetArrayItem(cls, i), *e = cJSON_GetObjectItemCaseSensitive(c, "it_energy_kwh");
        cells[i] = (class_cell){c, cJSON_GetObjectItemCaseSensitive(e, "mean")->valuedouble / 1000.0,
                                cJSON_GetObjectItemCaseSensitive(e, "lo")->valuedouble / 1000.0,
                                cJSON_GetObjectItemCaseSensitive(e, "hi")->valuedouble / 1000.0};
    }
    if (n > BY_CLASS_BARS + 1) /* the largest first, so that the bars drawn are the ones that matter */
        qsort(cells, (size_t)n, sizeof *cells, by_energy_desc);
    int bars = n > BY_CLASS_BARS + 1 ? BY_CLASS_BARS + 1 : n;
    char names[BY_CLASS_BARS + 1][160];
    const char *np[BY_CLASS_BARS + 1];
    double x[BY_CLASS_BARS + 1], y[BY_CLASS_BARS + 1], lo[BY_CLASS_BARS + 1], hi[BY_CLASS_BARS + 1];
    for (int i = 0; i < bars; i++) {
        x[i] = i;
        np[i] = names[i];
        if (i == BY_CLASS_BARS && n > BY_CLASS_BARS + 1) { /* the rest, summed: a sum of intervals is none */
            y[i] = 0;
            for (int k = BY_CLASS_BARS; k < n; k++)
                y[i] += cells[k].mean;
            lo[i] = hi[i] = y[i];
            snprintf(names[i], sizeof names[i], "%d others (sum)", n - BY_CLASS_BARS);
            continue;
        }
        snprintf(names[i], sizeof names[i], "%s on %s",
                 cJSON_GetObjectItemCaseSensitive(cells[i].cell, "class")->valuestring,
                 cJSON_GetObjectItemCaseSensitive(cells[i].cell, "node_type")->valuestring);
        y[i] = cells[i].mean, lo[i] = cells[i].lo, hi[i] = cells[i].hi;
    }
    free(cells);
    ws_plot p;
    if (ws_plot_open(&p, path, 1200, n > bars ? 1000 : 700, err) != 0) /* taller: room for long names */
        return -1;
    double ymin, ymax;
    range(lo, hi, bars, 1, &ymin, &ymax);
    ymax += (ymax - ymin) * 0.3; /* headroom: the legend covers no bar */
    ws_plot_axes_categories(&p, np, bars, ymin, ymax, n > bars ? "Attributed IT (MWh)" : "Attributed IT energy (MWh)",
                            n > bars ? "Simulated: largest energy cells (baseline)"
                                     : "Simulated system: baseline energy by job class");
    ws_plot_bars(&p, x, y, bars, 0.6, WS_PLOT_GREEN, "job's share of its node at its utilisation");
    ws_plot_errorbars(&p, x, lo, hi, bars, WS_PLOT_BLACK);
    ws_plot_legend(&p, WS_PLOT_TOP_RIGHT);
    return ws_plot_close(&p);
}

/* The hourly series of one site, grown as rows come. */
typedef struct {
    char name[64];
    double *t, *power_kw, *carbon;
    int n, cap;
} site_series;

static int series_push(site_series *s, double t, double p_kw, double c)
{
    /* Three arrays, one capacity: it only moves once all three have grown. */
    int ct = s->cap, cp = s->cap, cc = s->cap;
    if (ws_grow(&s->t, s->n, &ct, sizeof *s->t, 256) || ws_grow(&s->power_kw, s->n, &cp, sizeof *s->power_kw, 256) ||
        ws_grow(&s->carbon, s->n, &cc, sizeof *s->carbon, 256))
        return -1;
    s->cap = ct;
    s->t[s->n] = t;
    s->power_kw[s->n] = p_kw;
    s->carbon[s->n++] = c;
    return 0;
}

static int read_hourly(const char *path, site_series **sites_out, int *n_sites, ws_error *err)
{
    int cap = 0;
    site_series *sites = NULL;
    ws_csv c;
    if (ws_csv_open(&c, path, ',') != 0) {
        ws_error_set(err, path, 0, "", "cannot read the hourly series");
        return -1;
    }
    int ct = -1, cs = -1, cp = -1, cc = -1, r;
    *n_sites = 0;
    while ((r = ws_csv_next(&c)) == 1) {
        if (c.fields[0][0] == '#')
            continue;
        if (ct < 0) {
            ct = ws_csv_find(c.fields, c.nfields, "time");
            cs = ws_csv_find(c.fields, c.nfields, "site");
            cp = ws_csv_find(c.fields, c.nfields, "facility_power_w");
            cc = ws_csv_find(c.fields, c.nfields, "carbon_g_per_kwh");
            if (ct < 0 || cs < 0 || cp < 0 || cc < 0)
                break;
            continue;
        }
        double t;
        if ((size_t)cc >= c.nfields || ws_parse_time(c.fields[ct], &t) != 0)
            continue;
        int k;
        for (k = 0; k < *n_sites && strcmp(sites[k].name, c.fields[cs]) != 0; k++)
            ;
        if (k == *n_sites) {
            if (ws_grow(&sites, k, &cap, sizeof *sites, 16) != 0) {
                r = -2;
                break;
            }
            *sites_out = sites;
            memset(&sites[k], 0, sizeof sites[k]);
            ws_strlcpy(sites[k].name, c.fields[cs], sizeof sites[k].name);
            (*n_sites)++;
        }
        if (series_push(&sites[k], t, atof(c.fields[cp]) / 1000.0, atof(c.fields[cc])) != 0) {
            r = -2;
            break;
        }
    }
    ws_csv_close(&c);
    if (r == -2) { /* a figure from part of the series would mislead */
        ws_error_set(err, path, 0, "", "out of memory reading the hourly series");
        return -1;
    }
    if (*n_sites == 0) {
        ws_error_set(err, path, 0, "", "no hourly rows (columns time, site, facility_power_w, carbon_g_per_kwh)");
        return -1;
    }
    return 0;
}

static void series_bounds(const site_series *s, int n, double *t0, double *t1, double *pmax, double *cmax)
{
    *t0 = INFINITY, *t1 = -INFINITY, *pmax = 0, *cmax = 0;
    for (int k = 0; k < n; k++)
        for (int i = 0; i < s[k].n; i++) {
            *t0 = fmin(*t0, s[k].t[i]);
            *t1 = fmax(*t1, s[k].t[i]);
            *pmax = fmax(*pmax, s[k].power_kw[i]);
            *cmax = fmax(*cmax, s[k].carbon[i]);
        }
}

/* The carbon panel's title names where the intensities came from: the CSV series the report lists among
 * its inputs (file names), else values given in the scenario; nothing is cited that was not used. */
static void carbon_title(const cJSON *report, char *out, size_t size)
{
    const cJSON *files = ws_json_get_path((cJSON *)report, "inputs.files"), *f;
    char names[160] = "";
    int n = 0;
    cJSON_ArrayForEach(f, files)
    {
        const cJSON *what = cJSON_GetObjectItemCaseSensitive(f, "what"), *path = cJSON_GetObjectItemCaseSensitive(f, "path");
        if (!cJSON_IsString(what) || !cJSON_IsString(path) || strncmp(what->valuestring, "carbon", 6) != 0)
            continue;
        const char *base = strrchr(path->valuestring, '/');
        base = base ? base + 1 : path->valuestring;
        if (strstr(names, base))
            continue;
        if (n++ < 3)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", n > 1 ? ", " : "", base);
    }
    if (n > 1 && strlen(names) > 36) { /* keep the title on the panel: the first file and how many more */
        char *comma = strchr(names, ',');
        snprintf(comma, sizeof names - (size_t)(comma - names), " and %d more file%s", n - 1, n > 2 ? "s" : "");
        if (strlen(names) > 36) { /* a long first name: how many, and where they are listed */
            snprintf(out, size, "Grid carbon intensity (%d series, listed in the report's inputs)", n);
            return;
        }
    } else if (n > 3) {
        snprintf(names + strlen(names), sizeof names - strlen(names), ", +%d", n - 3);
    }
    snprintf(out, size, "Grid carbon intensity (%s)", n ? names : "values given in the scenario");
}

static double mean_power(const site_series *s)
{
    double sum = 0;
    for (int i = 0; i < s->n; i++)
        sum += s->power_kw[i];
    return s->n ? sum / s->n : 0;
}

#define SHOWN_SITES 5 /* more sites than a legend can name in 8 colours: the largest, and the rest summed */

/* Many sites: the SHOWN_SITES of highest mean power stay, in that order; the others become one series,
 * their summed power and their power-weighted carbon intensity, hour by hour ("N other sites"). */
static int fold_small_sites(site_series *sites, int *n)
{
    if (*n <= SHOWN_SITES + 1)
        return 0;
    for (int a = 0; a < *n; a++) /* selection sort by mean power, largest first (n is small) */
        for (int b = a + 1; b < *n; b++)
            if (mean_power(&sites[b]) > mean_power(&sites[a])) {
                site_series t = sites[a];
                sites[a] = sites[b];
                sites[b] = t;
            }
    site_series rest = {0};
    int len = sites[SHOWN_SITES].n;
    for (int k = SHOWN_SITES; k < *n; k++)
        len = sites[k].n < len ? sites[k].n : len; /* every site has the same hours; the shortest, to be safe */
    for (int i = 0; i < len; i++) {
        double p = 0, pc = 0;
        for (int k = SHOWN_SITES; k < *n; k++)
            p += sites[k].power_kw[i], pc += sites[k].power_kw[i] * sites[k].carbon[i];
        if (series_push(&rest, sites[SHOWN_SITES].t[i], p, p > 0 ? pc / p : 0) != 0) {
            free(rest.t), free(rest.power_kw), free(rest.carbon);
            return -1;
        }
    }
    snprintf(rest.name, sizeof rest.name, "%d other sites", *n - SHOWN_SITES);
    for (int k = SHOWN_SITES; k < *n; k++)
        free(sites[k].t), free(sites[k].power_kw), free(sites[k].carbon);
    sites[SHOWN_SITES] = rest;
    *n = SHOWN_SITES + 1;
    return 0;
}

static void free_sites(site_series *sites, int n)
{
    for (int k = 0; k < n; k++)
        free(sites[k].t), free(sites[k].power_kw), free(sites[k].carbon);
    free(sites);
}

static int draw_timeseries(const cJSON *report, const char *hourly, const char *scenario, const char *path,
                           ws_error *err)
{
    site_series *sites = NULL;
    int n = 0;
    if (read_hourly(hourly, &sites, &n, err) != 0) {
        free_sites(sites, n);
        return -1;
    }
    if (fold_small_sites(sites, &n) != 0) {
        free_sites(sites, n);
        ws_error_set(err, hourly, 0, "", "out of memory");
        return -1;
    }
    double t0, t1, pmax, cmax;
    series_bounds(sites, n, &t0, &t1, &pmax, &cmax);
    ws_plot p;
    int rc = ws_plot_open(&p, path, 1400, 1100, err);
    if (rc == 0) {
        char title[256];
        /* a long scenario name would run off the panel: it is in the file name and the report's caption */
        if (strlen(scenario) <= 20)
            snprintf(title, sizeof title, "Simulated system: facility power (%s)", scenario);
        else
            snprintf(title, sizeof title, "Simulated system: facility power per site");
        ws_plot_panel(&p, 0, 2);
        /* headroom above the data for the legend, so that it covers no line */
        /* MW once a site draws more than 2,000 kW, so that the axis reads without a x10^n factor */
        double scale = pmax > 2000 ? 1e-3 : 1;
        ws_plot_axes_time(&p, t0, t1, 0, pmax * scale * 2.6, "%m-%d", "", scale < 1 ? "Power (MW)" : "Power (kW)", title);
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < sites[k].n; i++)
                sites[k].power_kw[i] *= scale;
            ws_plot_line(&p, sites[k].t, sites[k].power_kw, sites[k].n, SITE_COLORS[k % 8], WS_PLOT_SOLID, sites[k].name);
        }
        ws_plot_legend(&p, WS_PLOT_TOP_RIGHT);
        ws_plot_panel(&p, 1, 2);
        char ctitle[256];
        carbon_title(report, ctitle, sizeof ctitle);
        ws_plot_axes_time(&p, t0, t1, 0, cmax * 2.6, "%m-%d", "Date (UTC)", "Carbon (g/kWh)", ctitle);
        for (int k = 0; k < n; k++)
            ws_plot_line(&p, sites[k].t, sites[k].carbon, sites[k].n, SITE_COLORS[k % 8], WS_PLOT_SOLID, sites[k].name);
        ws_plot_legend(&p, WS_PLOT_TOP_RIGHT);
        rc = ws_plot_close(&p);
    }
    free_sites(sites, n);
    return rc;
}

/* scale: "projected" (per day at the scenario's scale) or "simulated system" (the simulated sites, unscaled). */
static void add_figure(cJSON *report, const char *title, const char *scale, const char *png, const char *svg)
{
    cJSON *figs = cJSON_GetObjectItemCaseSensitive(report, "figures");
    if (!figs)
        figs = cJSON_AddArrayToObject(report, "figures");
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "title", title);
    cJSON_AddStringToObject(f, "scale", scale);
    cJSON_AddStringToObject(f, "png", png);
    cJSON_AddStringToObject(f, "svg", svg);
    cJSON_AddItemToArray(figs, f);
}

int ws_projplot_all(cJSON *report, const char *plot_dir, const char *prefix, const char *hourly_csv, ws_error *err)
{
    variants_t v;
    read_variants(report, &v);
    static const char *const kinds[] = {"savings", "co2-vs-wait", "by-class", "power-carbon"};
    static const char *const titles[] = {"Energy and CO2 saved per variant, with 95% intervals",
                                         "CO2 per day against the mean wait (the trade-off)",
                                         "Energy by job class and node type (baseline)",
                                         "Facility power and grid carbon intensity over time per site (baseline)"};
    static const char *const scales[] = {"projected", "projected", "simulated system", "simulated system"};
    for (int k = 0; k < 4; k++) {
        if (k == 3 && !hourly_csv)
            continue;
        char png[1200], svg[1200];
        snprintf(png, sizeof png, "%s/%s-%s.png", plot_dir, prefix, kinds[k]);
        snprintf(svg, sizeof svg, "%s/%s-%s.svg", plot_dir, prefix, kinds[k]);
        const char *paths[2] = {png, svg};
        for (int f = 0; f < 2; f++) {
            int rc = k == 0   ? draw_savings(&v, paths[f], err)
                     : k == 1 ? draw_tradeoff(&v, paths[f], err)
                     : k == 2 ? draw_by_class(report, paths[f], err)
                              : draw_timeseries(report, hourly_csv, v.scenario, paths[f], err);
            if (rc != 0)
                return -1;
        }
        add_figure(report, titles[k], scales[k], png, svg);
    }
    return 0;
}

void ws_projplot_prefix(const cJSON *report, char *out, size_t size)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "scenario"), "name");
    const char *name = cJSON_IsString(n) ? n->valuestring : "scenario";
    size_t k = 0;
    for (; *name && k + 1 < size; name++)
        out[k++] = (isalnum((unsigned char)*name) || *name == '-' || *name == '_') ? *name : '-';
    out[k] = '\0';
}
