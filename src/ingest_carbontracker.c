/* ingest_carbontracker: CarbonTracker's output log (<id>_carbontracker_output.log, or what it printed):
 *   2022-11-14 15:43:37 - CarbonTracker:
 *   Actual consumption for 1 epoch(s):
 *           Time:   0:00:53
 *           Energy: 0.003504 kWh
 *           CO2eq:  0.357451 g
 * Every "Actual consumption" block is one profile. "Predicted consumption" blocks are CarbonTracker's
 * extrapolations, not measurements: they are left out. CarbonTracker multiplies the energy it measured
 * by a PUE it does not write (1.67, then 1.59, 1.57, 1.55 and 1.58 by version, carbontracker/constants.py):
 * the IT energy is the logged energy / that PUE, which the user must give (--tool-pue). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_ingest.h"

typedef struct {
    ws_profile p;
    int open, epochs, have_time, have_energy;
    double t_s, kwh, co2_g, stamp;
    long line;
} ct_block;

/* "H:MM:SS" (hours may pass 24: "325:31:49"), optionally with fractional seconds. */
static int parse_hms(const char *s, double *out)
{
    long h, m;
    double sec;
    char tail;
    if (sscanf(s, " %ld:%ld:%lf %c", &h, &m, &sec, &tail) != 3 || h < 0 || m < 0 || m > 59 || sec < 0 || sec >= 60)
        return -1;
    *out = (double)h * 3600 + (double)m * 60 + sec;
    return 0;
}

/* The value after "Key:" on a line, and the unit after it. */
static int key_value(const char *line, const char *key, double *v, char unit[16])
{
    const char *k = strstr(line, key);
    if (!k)
        return 0;
    char u[16] = "";
    if (sscanf(k + strlen(key), " %lf %15s", v, u) < 1)
        return -1;
    if (unit)
        memcpy(unit, u, 16);
    return 1;
}

static int finish(ct_block *b, const ws_ingest_opts *opts, ws_ingest_sink *sink, ws_error *err)
{
    if (!b->open)
        return WS_OK;
    b->open = 0;
    if (!b->have_time || !b->have_energy) {
        ws_error_set(err, opts->path, b->line, b->have_time ? "Energy" : "Time",
                     "an 'Actual consumption' block without its %s line", b->have_time ? "Energy" : "Time");
        return WS_EINPUT;
    }
    ws_profile *p = &b->p;
    p->duration_s = b->t_s;
    p->energy_j = b->kwh * WS_J_PER_KWH / opts->tool_pue;
    p->emissions_kg = b->co2_g / 1000.0;
    p->pue = opts->tool_pue;
    if (b->t_s > 0)
        p->mean_power_w = p->energy_j / b->t_s;
    if (!isnan(b->stamp)) { /* the log line's time is when the block was written: the end of the epochs */
        p->start_unix_s = b->stamp - b->t_s;
        ws_format_time(p->start_unix_s, p->start_time, sizeof p->start_time);
    }
    snprintf(p->energy_note, sizeof p->energy_note,
             "CarbonTracker, actual consumption of %d epoch(s): %.6g kWh logged / PUE %.3g (--tool-pue) = IT energy",
             b->epochs, b->kwh, opts->tool_pue);
    if (sink->begin(sink, p) != 0 || sink->end(sink, p) != 0)
        return WS_EFAIL;
    return WS_OK;
}

int ws_ingest_carbontracker(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool[64], ws_error *err)
{
    (void)tool;
    if (!(opts->tool_pue >= 1.0)) {
        ws_error_set(err, opts->path, 0, "Energy",
                     "CarbonTracker logs energy x a PUE it does not write (1.67 up to 2020, then 1.59, 1.57, 1.55, "
                     "1.58 by version): give it with --tool-pue P so that the IT energy can be stored");
        return WS_EINPUT;
    }
    FILE *f = fopen(opts->path, "r");
    if (!f) {
        ws_error_set(err, opts->path, 0, "", "cannot open");
        return WS_EINPUT;
    }
    char line[1024];
    long n = 0;
    int index = 0, rc = WS_OK, predicted = 0;
    double stamp = NAN;
    ct_block b;
    memset(&b, 0, sizeof b);
    while (rc == WS_OK && fgets(line, sizeof line, f)) {
        n++;
        double t, v;
        char unit[16];
        char day[40];
        if (sscanf(line, " %10[0-9-] %8[0-9:]", day, day + 11) == 2) { /* "YYYY-MM-DD HH:MM:SS - ..." */
            day[10] = 'T';
            char iso[48];
            snprintf(iso, sizeof iso, "%.10sT%.8sZ", day, day + 11);
            if (ws_parse_time(iso, &t) == 0)
                stamp = t;
        }
        const char *a = strstr(line, "Actual consumption for "), *pr = strstr(line, "Predicted consumption for ");
        if (a || pr) {
            rc = finish(&b, opts, sink, err);
            predicted = pr != NULL;
            if (a && rc == WS_OK) {
                memset(&b, 0, sizeof b);
                ws_profile_init(&b.p, opts, index++);
                b.open = 1;
                b.line = n;
                b.stamp = stamp;
                b.epochs = atoi(a + strlen("Actual consumption for "));
            }
            continue;
        }
        if (!b.open || predicted)
            continue;
        int r;
        if (strstr(line, "Time:")) {
            const char *k = strstr(line, "Time:") + 5;
            if (parse_hms(k, &b.t_s) != 0) {
                ws_error_set(err, opts->path, n, "Time", "'%s' is not H:MM:SS", k);
                rc = WS_EINPUT;
            }
            b.have_time = 1;
        } else if ((r = key_value(line, "Energy:", &v, unit)) != 0) {
            if (r < 0 || strcmp(unit, "kWh") != 0 || v < 0) {
                ws_error_set(err, opts->path, n, "Energy", "not a number of kWh");
                rc = WS_EINPUT;
            }
            b.kwh = v;
            b.have_energy = 1;
        } else if ((r = key_value(line, "CO2eq:", &v, unit)) != 0) {
            double scale = strcmp(unit, "kg") == 0 ? 1000 : strcmp(unit, "t") == 0 ? 1e6 : 1;
            b.co2_g = r > 0 ? v * scale : NAN;
        } else if (!isspace((unsigned char)line[0]) && !strstr(line, "CarbonTracker")) {
            rc = finish(&b, opts, sink, err); /* the block ended */
        }
    }
    if (rc == WS_OK)
        rc = finish(&b, opts, sink, err);
    fclose(f);
    if (rc == WS_OK && index == 0) {
        ws_error_set(err, opts->path, 0, "", "no 'Actual consumption' block: CarbonTracker measured nothing here "
                                             "(predictions are not measurements)");
        rc = WS_EINPUT;
    }
    return rc;
}
