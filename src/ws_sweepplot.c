/* ws_sweepplot: the scaling plots of a sweep (ws_sweep_plot in ws_sweep.h). One figure per swept path,
 * two stacked panels: facility energy (MWh/day) and CO2 (t/day) against the swept value, one line per
 * variant with 95% error bars, every other swept path held at its first value. Numeric values spanning
 * more than two decades are drawn on log10(x); non-numeric values are categories. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_plot.h"
#include "ws_sweep.h"

#define MAX_LINES 8
#define MAX_X 256

static const ws_plot_color COLORS[MAX_LINES] = {WS_PLOT_BLUE, WS_PLOT_ORANGE, WS_PLOT_GREEN, WS_PLOT_VERMILION,
                                                WS_PLOT_SKY, WS_PLOT_PURPLE, WS_PLOT_GREY, WS_PLOT_BLACK};

typedef struct {
    int n;           /* values on this axis (at most MAX_X) */
    double x[MAX_X]; /* positions */
    char names[MAX_X][32];
    const char *name_ptr[MAX_X];
    int categories, log10_x;
    char xlabel[300];
    int others; /* other swept paths exist (held at their first value) */
} xaxis;

/* Positions of axis a's values: the numbers, their log10, or 0..n-1 for categories. */
static void read_x(const ws_sweep_axis *ax, int others, xaxis *x)
{
    memset(x, 0, sizeof *x);
    x->n = ax->n < MAX_X ? ax->n : MAX_X;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < x->n; i++) {
        const cJSON *v = cJSON_GetArrayItem(ax->values, i);
        if (!cJSON_IsNumber(v))
            x->categories = 1;
        else
            lo = fmin(lo, v->valuedouble), hi = fmax(hi, v->valuedouble);
        char *t = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);
        snprintf(x->names[i], sizeof x->names[i], "%s", t ? t : v->valuestring);
        free(t);
        x->name_ptr[i] = x->names[i];
    }
    x->log10_x = !x->categories && lo > 0 && hi / lo >= 100;
    for (int i = 0; i < x->n; i++) {
        double v = cJSON_GetArrayItem(ax->values, i)->valuedouble;
        x->x[i] = x->categories ? i : x->log10_x ? log10(v) : v;
    }
    snprintf(x->xlabel, sizeof x->xlabel, x->log10_x ? "log10(%s)" : "%s", ax->path);
    x->others = others;
}

/* The row of the point with value i on axis a and every other axis at its first value. */
static const cJSON *row_at(const ws_sweep *sw, cJSON *const *rows, int a, int i)
{
    long stride = 1;
    for (int b = sw->n_axes - 1; b > a; b--)
        stride *= sw->axes[b].n;
    const cJSON *r = rows[(long)i * stride];
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "status");
    return cJSON_IsString(s) && strcmp(s->valuestring, "ok") == 0 ? r : NULL;
}

static const cJSON *variant_of(const cJSON *row, int v)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(row, "variants"), v);
}

typedef struct {
    int n;
    double x[MAX_X], m[MAX_X], lo[MAX_X], hi[MAX_X];
} series;

/* Variant v's metric along axis a; failed points and missing values leave gaps. */
static void read_series(const ws_sweep *sw, cJSON *const *rows, int a, const xaxis *x, int v, const char *metric,
                        series *s)
{
    s->n = 0;
    for (int i = 0; i < x->n; i++) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(variant_of(row_at(sw, rows, a, i), v), metric);
        const cJSON *m = cJSON_GetArrayItem(t, 0), *lo = cJSON_GetArrayItem(t, 1), *hi = cJSON_GetArrayItem(t, 2);
        if (!cJSON_IsNumber(m))
            continue;
        s->x[s->n] = x->x[i];
        s->m[s->n] = m->valuedouble;
        s->lo[s->n] = cJSON_IsNumber(lo) ? lo->valuedouble : m->valuedouble;
        s->hi[s->n] = cJSON_IsNumber(hi) ? hi->valuedouble : m->valuedouble;
        s->n++;
    }
}

static int n_variants(const ws_sweep *sw, cJSON *const *rows, int a, const xaxis *x, const cJSON **first)
{
    for (int i = 0; i < x->n; i++)
        if ((*first = row_at(sw, rows, a, i)))
            return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(*first, "variants"));
    return 0;
}

static void y_range(const ws_sweep *sw, cJSON *const *rows, int a, const xaxis *x, int nv, const char *metric,
                    double *ymin, double *ymax)
{
    double lo = INFINITY, hi = -INFINITY;
    series s;
    for (int v = 0; v < nv; v++) {
        read_series(sw, rows, a, x, v, metric, &s);
        for (int i = 0; i < s.n; i++)
            lo = fmin(lo, s.lo[i]), hi = fmax(hi, s.hi[i]);
    }
    if (!isfinite(lo))
        lo = 0, hi = 1;
    double pad = (hi - lo) * 0.12 + (hi == lo ? fabs(lo) * 0.1 + 1e-9 : 0);
    *ymin = lo - pad;
    *ymax = hi + pad;
}

static void draw_panel(ws_plot *p, const ws_sweep *sw, cJSON *const *rows, int a, const xaxis *x, int panel,
                       const char *metric, const char *ylabel)
{
    const cJSON *first;
    int nv = n_variants(sw, rows, a, x, &first);
    nv = nv < MAX_LINES ? nv : MAX_LINES;
    double ymin, ymax;
    y_range(sw, rows, a, x, nv, metric, &ymin, &ymax);
    ws_plot_panel(p, panel, 2);
    const char *path = sw->axes[a].path, *dot = strrchr(path, '.');
    char title[300];
    snprintf(title, sizeof title, "%s against %s%s", panel == 0 ? "Facility energy" : "CO2", dot ? dot + 1 : path,
             panel == 1 && x->others ? " (others at their first value)" : "");
    if (x->categories) {
        ws_plot_axes_categories(p, x->name_ptr, x->n, ymin, ymax, ylabel, title);
    } else {
        double span = x->x[0] == x->x[x->n - 1] ? 1 : 0;
        double xmin = x->x[0], xmax = x->x[0];
        for (int i = 0; i < x->n; i++)
            xmin = fmin(xmin, x->x[i]), xmax = fmax(xmax, x->x[i]);
        double pad = (xmax - xmin) * 0.06 + span;
        ws_plot_axes(p, xmin - pad, xmax + pad, ymin, ymax, panel == 1 ? x->xlabel : "", ylabel, title);
    }
    series s;
    for (int v = 0; v < nv; v++) {
        read_series(sw, rows, a, x, v, metric, &s);
        const char *name = cJSON_GetObjectItemCaseSensitive(variant_of(first, v), "name")->valuestring;
        ws_plot_errorbars(p, s.x, s.lo, s.hi, s.n, COLORS[v]);
        ws_plot_line(p, s.x, s.m, s.n, COLORS[v], v % 2 ? WS_PLOT_DASHED : WS_PLOT_SOLID, s.n > 1 ? name : NULL);
        ws_plot_points(p, s.x, s.m, s.n, COLORS[v], s.n > 1 ? NULL : name);
    }
    ws_plot_legend(p, WS_PLOT_TOP_LEFT);
}

static void slug(const char *in, char *out, size_t size)
{
    size_t k = 0;
    for (; *in && k + 1 < size; in++)
        if ((*in >= 'a' && *in <= 'z') || (*in >= 'A' && *in <= 'Z') || (*in >= '0' && *in <= '9') || *in == '_')
            out[k++] = *in;
        else if (k > 0 && out[k - 1] != '-')
            out[k++] = '-';
    while (k > 0 && out[k - 1] == '-')
        k--;
    out[k] = '\0';
}

int ws_sweep_plot(const ws_sweep *sw, cJSON *const *rows, const char *plot_dir, const char *prefix, ws_error *err)
{
    static const char *const ext[] = {"png", "svg"};
    for (int a = 0; a < sw->n_axes; a++) {
        xaxis x;
        read_x(&sw->axes[a], sw->n_axes > 1, &x);
        char s[200];
        slug(sw->axes[a].path, s, sizeof s);
        for (int e = 0; e < 2; e++) {
            char path[1400];
            snprintf(path, sizeof path, "%s/%s-sweep-%s.%s", plot_dir, prefix, s, ext[e]);
            ws_plot p;
            if (ws_plot_open(&p, path, 1400, 1100, err) != 0)
                return -1;
            draw_panel(&p, sw, rows, a, &x, 0, "energy_mwh_per_day", "Energy (MWh/day)");
            draw_panel(&p, sw, rows, a, &x, 1, "co2_t_per_day", "CO2 (t/day)");
            if (ws_plot_close(&p) != 0) {
                ws_error_set(err, path, 0, "", "figure not written");
                return -1;
            }
        }
    }
    return 0;
}
