/* ws_plot: see ws_plot.h. PLplot keeps global state; each figure is its own stream (plmkstrm), ended
 * with plend1, so figures can be drawn one after another in one process. */
#include "ws_plot.h"

#include <math.h>

#include <plplot/plplot.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <sys/stat.h>

static const int PALETTE[WS_PLOT_N_COLORS][3] = {
    {255, 255, 255}, /* background */
    {0, 0, 0},       {0, 114, 178}, {230, 159, 0}, {0, 158, 115},
    {213, 94, 0},    {86, 180, 233}, {204, 121, 167}, {150, 150, 150},
};
#define BAND_BASE WS_PLOT_N_COLORS /* translucent copies of the palette follow it */
#define POINT_SYMBOL "#(840)"      /* Hershey circle */

static const char *device_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && strcmp(dot, ".png") == 0)
        return "pngcairo";
    if (dot && strcmp(dot, ".svg") == 0)
        return "svgcairo";
    return NULL;
}

int ws_plot_open(ws_plot *p, const char *path, int width, int height, ws_error *err)
{
    memset(p, 0, sizeof *p);
    p->width_px = width > 0 ? width : 1200;
    p->height_px = height > 0 ? height : 800;
    const char *dev = device_for(path);
    if (!dev) {
        ws_error_set(err, path, 0, "", "a figure must end in .png or .svg");
        return -1;
    }
    FILE *probe = fopen(path, "wb"); /* PLplot does not report an unwritable file */
    if (!probe) {
        ws_error_set(err, path, 0, "", "cannot write the figure");
        return -1;
    }
    fclose(probe);
    ws_strlcpy(p->path, path, sizeof p->path);
    PLINT strm;
    plmkstrm(&strm);
    plsdev(dev);
    plsfnam(path);
    char geom[64];
    snprintf(geom, sizeof geom, "%dx%d", width > 0 ? width : 1200, height > 0 ? height : 800);
    plsetopt("geometry", geom);
    plscmap0n(2 * WS_PLOT_N_COLORS);
    for (int i = 0; i < WS_PLOT_N_COLORS; i++) {
        plscol0(i, PALETTE[i][0], PALETTE[i][1], PALETTE[i][2]);
        plscol0a(BAND_BASE + i, PALETTE[i][0], PALETTE[i][1], PALETTE[i][2], 0.25);
    }
    plscolbg(255, 255, 255);
    plinit();
    plfontld(1);
    plschr(0, 1.35);
    p->open = 1;
    return 0;
}

static void add_legend(ws_plot *p, int opt, int color, int style, const char *label);

void ws_plot_panel(ws_plot *p, int i, int n)
{
    p->panel = i;
    p->n_panels = n;
}

/* Viewport of the current panel; a new page only for the first. */
static void viewport(ws_plot *p, double xmin, double xmax, double ymin, double ymax)
{
    int n = p->n_panels > 0 ? p->n_panels : 1, i = p->n_panels > 0 ? p->panel : 0;
    if (i == 0)
        pladv(0);
    /* Stacked panels need room between them for the upper panel's tick labels and the lower title. */
    double top = n > 1 ? 0.93 : 0.90, bottom = p->bottom > 0 ? p->bottom : n > 1 ? 0.11 : 0.13;
    double gap = n < 2 ? 0 : p->panel_gap > 0 ? p->panel_gap : 0.13;
    double h = (top - bottom - (n - 1) * gap) / n, y1 = top - i * (h + gap);
    plvpor(0.14, 0.96, y1 - h, y1);
    plwind(xmin, xmax, ymin, ymax);
    /* Each panel has its own legend. */
    p->n_legend = 0;
    p->legend_drawn = 0;
}

static void frame_ticks(const char *xopt, double xtick, int nxsub, const char *yopt, const char *xlabel,
                        const char *ylabel, const char *title)
{
    plcol0(WS_PLOT_GREY);
    plwidth(0.5);
    plbox(strchr(xopt, 'd') ? "gd" : "g", xtick, nxsub, "g", 0, 0);
    plcol0(WS_PLOT_BLACK);
    plwidth(1.5);
    plbox(xopt, xtick, nxsub, yopt, 0, 0);
    if (xlabel && *xlabel)
        plmtex("b", 2.6, 0.5, 0.5, xlabel);
    plmtex("l", 4.6, 0.5, 0.5, ylabel);
    plschr(0, 1.4);
    plmtex("t", 1.0, 0.5, 0.5, title);
    plschr(0, 1.35);
}

static void frame(const char *xopt, const char *yopt, const char *xlabel, const char *ylabel, const char *title)
{
    frame_ticks(xopt, 0, 0, yopt, xlabel, ylabel, title);
}

void ws_plot_axes(ws_plot *p, double xmin, double xmax, double ymin, double ymax, const char *xlabel,
                  const char *ylabel, const char *title)
{
    if (!p->open)
        return;
    viewport(p, xmin, xmax, ymin, ymax);
    frame("bcnst", "bcnstv", xlabel, ylabel, title);
}

void ws_plot_axes_time(ws_plot *p, double xmin, double xmax, double ymin, double ymax, const char *fmt,
                       const char *xlabel, const char *ylabel, const char *title)
{
    if (!p->open)
        return;
    viewport(p, xmin, xmax, ymin, ymax);
    /* Ticks on round UTC instants suited to the span (multiples of the step from the epoch: midnight for
     * days); within a day or so, hours, with the date in the axis label. fmt is used for spans of days. */
    double span = xmax - xmin, step;
    int nsub;
    char label[160];
    ws_strlcpy(label, xlabel ? xlabel : "", sizeof label);
    if (span <= 1.5 * 86400) {
        static const double hours[] = {1, 2, 3, 6, 12};
        step = 12 * 3600.0; /* the smallest step giving at most 8 labels (they are 5 characters wide) */
        for (int i = 4; i >= 0 && span / (hours[i] * 3600) <= 8; i--)
            step = hours[i] * 3600;
        nsub = step > 3600 ? (int)(step / 3600) : 4;
        fmt = "%H:%M";
        if (xlabel && *xlabel) {
            char day[32];
            time_t t = (time_t)xmin;
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(day, sizeof day, "%Y-%m-%d", &tm);
            snprintf(label, sizeof label, "Time (UTC) on %s", day);
        }
    } else if (span <= 5 * 86400) {
        step = 86400, nsub = 4;
    } else if (span <= 14 * 86400) {
        step = 2 * 86400, nsub = 2;
    } else if (span <= 70 * 86400) {
        step = 7 * 86400, nsub = 7;
    } else {
        step = 30 * 86400, nsub = 0;
        fmt = "%Y-%m";
    }
    pltimefmt(fmt);
    frame_ticks("bcdnst", step, nsub, "bcnstv", label, ylabel, title);
}

void ws_plot_axes_categories(ws_plot *p, const char *const *names, int n, double ymin, double ymax,
                             const char *ylabel, const char *title)
{
    if (!p->open || n < 1)
        return;
    double xmin = -0.6, xmax = n - 0.4;
    /* Names under their positions; long lists alternate two rows so that they do not collide; names
     * too long even for that (about 10 px a character at this size) stand vertically. */
    size_t longest = 0;
    for (int i = 0; i < n; i++)
        longest = strlen(names[i]) > longest ? strlen(names[i]) : longest;
    double slot_px = (p->width_px > 0 ? p->width_px : 1200) * 0.82 / n * (n > 4 ? 2 : 1);
    int vertical = (double)longest * 10.0 > slot_px;
    /* Room for the longest name standing: a character takes ~0.0122 x sqrt(width x height) px (measured on
     * 1200x1000, 1500x1100 and 1500x1500 pages: PLplot scales characters with the page); at most 57% of the
     * page, the names shrinking when that is not enough. */
    double width_px = p->width_px > 0 ? p->width_px : 1200, height_px = p->height_px > 0 ? p->height_px : 800;
    double name_px = (double)longest * 0.0122 * sqrt(width_px * height_px) + 10.0, shrink = 1;
    if (vertical) {
        shrink = fmin(1.0, 0.57 * height_px / name_px);
        p->bottom = 0.05 + name_px * shrink / height_px;
    }
    viewport(p, xmin, xmax, ymin, ymax);
    p->bottom = 0;
    frame("bc", "bcnstv", "", ylabel, title);
    plschr(0, vertical ? 0.85 * shrink : n > 6 ? 0.9 : n > 5 ? 1.0 : 1.2);
    /* Stacked panels share their categories: only the lowest names them (the names of an upper panel ran
     * into the panel below). */
    int named = !(p->n_panels > 1 && p->panel < p->n_panels - 1);
    for (int i = 0; i < n && named; i++) {
        if (vertical)
            plmtex("bv", 0.6, (i - xmin) / (xmax - xmin), 1.0, names[i]);
        else
            plmtex("b", (n > 4 && i % 2) ? 2.6 : 1.2, (i - xmin) / (xmax - xmin), 0.5, names[i]);
    }
    plschr(0, 1.35);
    /* A zero line: savings above, costs below. */
    if (ymin < 0 && ymax > 0) {
        double zx[2] = {xmin, xmax}, zy[2] = {0, 0};
        plcol0(WS_PLOT_BLACK);
        plwidth(1.0);
        plline(2, zx, zy);
    }
}

void ws_plot_bars(ws_plot *p, const double *x, const double *y, int n, double width, ws_plot_color c,
                  const char *label)
{
    if (!p->open || n < 1)
        return;
    for (int i = 0; i < n; i++) {
        double bx[4] = {x[i] - width / 2, x[i] + width / 2, x[i] + width / 2, x[i] - width / 2};
        double by[4] = {0, 0, y[i], y[i]};
        plcol0(c);
        plfill(4, bx, by);
    }
    add_legend(p, PL_LEGEND_COLOR_BOX, c, 1, label);
}

static void add_legend(ws_plot *p, int opt, int color, int style, const char *label)
{
    if (!label || !*label || p->n_legend == WS_PLOT_MAX_LEGEND)
        return;
    int k = p->n_legend++;
    p->opt[k] = opt;
    p->color[k] = color;
    p->style[k] = style;
    ws_strlcpy(p->text[k], label, sizeof p->text[k]);
}

void ws_plot_line(ws_plot *p, const double *x, const double *y, int n, ws_plot_color c, ws_plot_style style,
                  const char *label)
{
    if (!p->open || n < 2)
        return;
    plcol0(c);
    pllsty(style);
    plwidth(3.0);
    plline(n, x, y);
    pllsty(1);
    add_legend(p, PL_LEGEND_LINE, c, style, label);
}

void ws_plot_points(ws_plot *p, const double *x, const double *y, int n, ws_plot_color c, const char *label)
{
    if (!p->open || n < 1)
        return;
    plcol0(c);
    plschr(0, n > 500 ? 0.8 : 1.35); /* plstring symbols scale with the character height */
    plstring(n, x, y, POINT_SYMBOL);
    plschr(0, 1.35);
    add_legend(p, PL_LEGEND_SYMBOL, c, 1, label);
}

void ws_plot_band(ws_plot *p, const double *x, const double *lo, const double *hi, int n, ws_plot_color c,
                  const char *label)
{
    if (!p->open || n < 2)
        return;
    double *px = malloc(2 * (size_t)n * sizeof *px), *py = malloc(2 * (size_t)n * sizeof *py);
    if (px && py) {
        for (int i = 0; i < n; i++) {
            px[i] = x[i];
            py[i] = hi[i];
            px[2 * n - 1 - i] = x[i];
            py[2 * n - 1 - i] = lo[i];
        }
        plcol0(BAND_BASE + c);
        plfill(2 * n, px, py);
        add_legend(p, PL_LEGEND_COLOR_BOX, BAND_BASE + c, 1, label);
    }
    free(px);
    free(py);
}

void ws_plot_errorbars(ws_plot *p, const double *x, const double *lo, const double *hi, int n, ws_plot_color c)
{
    if (!p->open || n < 1)
        return;
    plcol0(c);
    plwidth(1.5);
    plerry(n, x, lo, hi);
}

void ws_plot_text(ws_plot *p, double x, double y, ws_plot_color c, const char *text)
{
    if (!p->open)
        return;
    plcol0(c);
    plptex(x, y, 1, 0, 0, text);
}

void ws_plot_legend(ws_plot *p, ws_plot_corner corner)
{
    if (!p->open || p->n_legend == 0 || p->legend_drawn)
        return;
    static const int pos[] = {PL_POSITION_TOP | PL_POSITION_LEFT, PL_POSITION_TOP | PL_POSITION_RIGHT,
                              PL_POSITION_BOTTOM | PL_POSITION_RIGHT, PL_POSITION_BOTTOM | PL_POSITION_LEFT};
    int n = p->n_legend, tcol[WS_PLOT_MAX_LEGEND], pat[WS_PLOT_MAX_LEGEND], snum[WS_PLOT_MAX_LEGEND];
    double bscale[WS_PLOT_MAX_LEGEND], bw[WS_PLOT_MAX_LEGEND], lw[WS_PLOT_MAX_LEGEND], sscale[WS_PLOT_MAX_LEGEND];
    const char *text[WS_PLOT_MAX_LEGEND], *sym[WS_PLOT_MAX_LEGEND];
    for (int i = 0; i < n; i++) {
        tcol[i] = WS_PLOT_BLACK;
        pat[i] = 0;
        bscale[i] = 0.8;
        bw[i] = 1;
        lw[i] = 3.0;
        sscale[i] = 1.4;
        snum[i] = 1;
        text[i] = p->text[i];
        sym[i] = POINT_SYMBOL;
    }
    double w, h;
    /* more than four entries: two columns, so that a wider, shorter legend covers little of the data */
    int ncol = n > 4 ? 2 : 0, nrow = n > 4 ? (n + 1) / 2 : 0;
    pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX | (n > 4 ? PL_LEGEND_ROW_MAJOR : 0),
             pos[corner] | PL_POSITION_INSIDE, 0.02, 0.02, 0.08, 0, WS_PLOT_BLACK, 1, nrow, ncol, n, p->opt, 1.0, 1.0,
             2.0, 0.0, tcol, text, p->color, pat, bscale, bw, p->color, p->style, lw, p->color, sscale, snum, sym);
    p->legend_drawn = 1;
}

int ws_plot_close(ws_plot *p)
{
    if (!p->open)
        return -1;
    ws_plot_legend(p, WS_PLOT_TOP_LEFT);
    plend1();
    p->open = 0;
    struct stat sb;
    return stat(p->path, &sb) == 0 && sb.st_size > 0 ? 0 : -1;
}
