/* ws_projplot: the figures of a what-if projection (PLplot, PNG and SVG): savings per variant with
 * error bars, CO2 against mean wait (the trade-off), power and carbon intensity over time per site,
 * and energy by job class and node type. Drawn from the report JSON and the hourly CSV of the
 * baseline, and listed in the report's "figures" so that reports can embed them. */
#ifndef WS_PROJPLOT_H
#define WS_PROJPLOT_H

#include <cjson/cJSON.h>

#include "ws_util.h"

/* Draw every figure into plot_dir as <prefix>-<figure>.png/.svg; hourly_csv may be NULL (no time
 * series figure). Appends {"title", "scale", "png", "svg"} entries to report.figures
 * (scale: "projected" or "simulated system"). Returns 0 or -1. */
int ws_projplot_all(cJSON *report, const char *plot_dir, const char *prefix, const char *hourly_csv, ws_error *err);

/* The scenario's name fit for file names (letters, digits, '-', '_'): the figures' prefix. */
void ws_projplot_prefix(const cJSON *report, char *out, size_t size);

#endif
