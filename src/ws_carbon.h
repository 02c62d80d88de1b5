/* ws_carbon: step time series for the simulator: grid carbon intensity (g/kWh), PUE and electricity
 * price. A series is constant, a table read from CSV (UTC timestamp, value; held constant from one row
 * to the next), or a periodic pattern (12 monthly or 24 hourly values, UTC). Every form answers "value
 * at t" and "when does it next change", which is what exact piecewise-constant integration needs. */
#ifndef WS_CARBON_H
#define WS_CARBON_H

#include <stddef.h>

#include "ws_util.h"

typedef enum { WS_SERIES_CONST, WS_SERIES_TABLE, WS_SERIES_MONTHLY, WS_SERIES_HOURLY } ws_series_kind;

typedef struct {
    ws_series_kind kind;
    double value;       /* WS_SERIES_CONST */
    size_t n;           /* WS_SERIES_TABLE: rows */
    double *t_unix_s;   /* row times, strictly increasing */
    double *v;          /* row values */
    double pattern[24]; /* WS_SERIES_MONTHLY (12 used) / WS_SERIES_HOURLY (24) */
    char source[512];   /* file it came from, or "" */
    char column[128];   /* the value column read by name, or "" (the second column) */
} ws_series;

void ws_series_set_const(ws_series *s, double value);
/* 12 values (January..December) or 24 values (hour of day 0..23), UTC. */
void ws_series_set_pattern(ws_series *s, ws_series_kind kind, const double *values);
/* Read "timestamp,value" rows after one header row (extra columns ignored). Values must be finite and
 * >= 0, times strictly increasing. Errors name FILE:LINE. Before the first row the first value holds,
 * after the last row the last value. */
int ws_series_load_csv(ws_series *s, const char *path, ws_error *err);
/* The same with the value read from the column whose header is `column` (case-insensitive; NULL or "":
 * the second column), for exports with many columns (Electricity Maps: "Carbon Intensity gCO2eq/kWh
 * (LCA)"). A header without that column is an error that lists the header. */
int ws_series_load_csv_column(ws_series *s, const char *path, const char *column, ws_error *err);
void ws_series_free(ws_series *s);

/* Value at t (Unix seconds, UTC); *next_unix_s receives the time of the next change (INFINITY when
 * none). cursor (start at 0) makes monotone queries O(1); any t is still answered correctly. */
double ws_series_at(const ws_series *s, double t_unix_s, size_t *cursor, double *next_unix_s);
/* Time-weighted mean over [t0, t1) (exact for step series). */
double ws_series_mean(const ws_series *s, double t0_unix_s, double t1_unix_s);

#endif
