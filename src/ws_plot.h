/* ws_plot: a small layer over PLplot (cairo devices) for the figures of wattscale: open a figure for
 * a path (.png -> pngcairo, .svg -> svgcairo) with a white background and fonts readable on slides,
 * axes with labels and units, lines, points, shaded bands, error bars, text, a legend, close.
 * Every element drawn with a label gets a legend entry. One figure open at a time. */
#ifndef WS_PLOT_H
#define WS_PLOT_H

#include "ws_util.h"

/* Colour-blind safe (Okabe-Ito) palette; indices into PLplot's cmap0. */
typedef enum {
    WS_PLOT_BLACK = 1,
    WS_PLOT_BLUE,
    WS_PLOT_ORANGE,
    WS_PLOT_GREEN,
    WS_PLOT_VERMILION,
    WS_PLOT_SKY,
    WS_PLOT_PURPLE,
    WS_PLOT_GREY,
    WS_PLOT_N_COLORS
} ws_plot_color;

typedef enum { WS_PLOT_SOLID = 1, WS_PLOT_DASHED = 3 } ws_plot_style;

typedef enum { WS_PLOT_TOP_LEFT, WS_PLOT_TOP_RIGHT, WS_PLOT_BOTTOM_RIGHT, WS_PLOT_BOTTOM_LEFT } ws_plot_corner;

#define WS_PLOT_MAX_LEGEND 12

typedef struct {
    int open;
    int panel, n_panels; /* stacked panels: the next axes go into panel `panel` of `n_panels` */
    int width_px, height_px; /* the figure's size */
    double bottom;       /* the axes' lower edge (fraction of the page); 0: the default */
    double panel_gap;    /* between stacked panels (fraction of the page); 0: room for a title and ticks */
    char path[1024];
    int n_legend;
    int legend_drawn;
    int opt[WS_PLOT_MAX_LEGEND], color[WS_PLOT_MAX_LEGEND], style[WS_PLOT_MAX_LEGEND];
    char text[WS_PLOT_MAX_LEGEND][96];
} ws_plot;

/* Open a figure: path ends in .png or .svg. width/height in pixels (0: 1200 x 800). */
int ws_plot_open(ws_plot *p, const char *path, int width, int height, ws_error *err);
/* Axes box with grid, labels (units in the label: "Power (W)") and a title. */
void ws_plot_axes(ws_plot *p, double xmin, double xmax, double ymin, double ymax, const char *xlabel,
                  const char *ylabel, const char *title);
/* The same with x in Unix seconds (UTC), labelled as dates ("%m-%d %Hh" style given by fmt). */
void ws_plot_axes_time(ws_plot *p, double xmin, double xmax, double ymin, double ymax, const char *fmt,
                       const char *xlabel, const char *ylabel, const char *title);
/* Axes whose x positions 0..n-1 are named categories (variants, classes). Names that would collide
 * even on two alternating rows are written vertically below the axis, with room made for them. Stacked
 * panels (ws_plot_panel) share them: only the lowest panel writes the names. */
void ws_plot_axes_categories(ws_plot *p, const char *const *names, int n, double ymin, double ymax,
                             const char *ylabel, const char *title);
/* Split the figure into n stacked panels; the next axes call draws panel i (0 = top). Draw each
 * panel's legend (ws_plot_legend) before moving to the next. */
void ws_plot_panel(ws_plot *p, int i, int n);
/* Bars from 0 to y[k] centred on x[k], width in x units. */
void ws_plot_bars(ws_plot *p, const double *x, const double *y, int n, double width, ws_plot_color c,
                  const char *label);
void ws_plot_line(ws_plot *p, const double *x, const double *y, int n, ws_plot_color c, ws_plot_style style,
                  const char *label);
void ws_plot_points(ws_plot *p, const double *x, const double *y, int n, ws_plot_color c, const char *label);
/* Shaded band between lo and hi along x (drawn translucent; draw it before lines and points). */
void ws_plot_band(ws_plot *p, const double *x, const double *lo, const double *hi, int n, ws_plot_color c,
                  const char *label);
void ws_plot_errorbars(ws_plot *p, const double *x, const double *lo, const double *hi, int n, ws_plot_color c);
/* Text at world coordinates, left-aligned (notes such as "ASSUMED"). */
void ws_plot_text(ws_plot *p, double x, double y, ws_plot_color c, const char *text);
/* Draw the legend now (else ws_plot_close draws it top left). */
void ws_plot_legend(ws_plot *p, ws_plot_corner corner);
/* Finish the file. Returns 0, or -1 when the file was not written. */
int ws_plot_close(ws_plot *p);

#endif
