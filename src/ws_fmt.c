/* ws_fmt: see ws_fmt.h. Rounding is printf's (the exact binary value, ties to even); the unit is chosen
 * before rounding, from the largest magnitude of what is printed together, so that a mean and its
 * bounds always share one unit and one number of decimals. */
#include "ws_fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIG 6 /* an interval never gets more significant digits than this: narrower ones print their mean */

double ws_fmt_step(double lo, double hi)
{
    double w = hi - lo;
    if (!isfinite(w) || w <= 0)
        return 0;
    return pow(10, floor(log10(w)) - 1);
}

/* Commas into the integer part of a printf'd number ("-1234567.89" -> "-1,234,567.89"). */
static void group_thousands(const char *in, char *buf, size_t size)
{
    char out[128];
    size_t k = 0;
    const char *p = in;
    if (*p == '-')
        out[k++] = *p++;
    size_t int_len = strspn(p, "0123456789");
    for (size_t i = 0; i < int_len && k + 2 < sizeof out; i++) {
        out[k++] = p[i];
        size_t left = int_len - i - 1;
        if (left > 0 && left % 3 == 0)
            out[k++] = ',';
    }
    for (p += int_len; *p && k + 1 < sizeof out; p++)
        out[k++] = *p;
    out[k] = '\0';
    snprintf(buf, size, "%s", out);
}

static int special(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (isinf(v))
        snprintf(buf, size, "%s", v > 0 ? "inf" : "-inf");
    else
        return 0;
    return 1;
}

void ws_fmt_fixed(double v, int decimals, char *buf, size_t size)
{
    if (special(v, buf, size))
        return;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    char raw[96];
    if (fabs(v) >= 1e15) { /* beyond what commas make readable */
        snprintf(buf, size, "%.3g", v);
        return;
    }
    snprintf(raw, sizeof raw, "%.*f", decimals, v);
    if (raw[0] == '-' && strspn(raw + 1, "0.") == strlen(raw + 1))
        memmove(raw, raw + 1, strlen(raw)); /* "-0.00" -> "0.00" */
    group_thousands(raw, buf, size);
}

void ws_fmt_sig(double v, int sig, char *buf, size_t size)
{
    if (special(v, buf, size))
        return;
    if (sig < 1)
        sig = 1;
    if (sig > 15)
        sig = 15;
    if (v == 0) {
        snprintf(buf, size, "0");
        return;
    }
    char e[64];
    snprintf(e, sizeof e, "%.*e", sig - 1, v); /* rounds once, carrying into the exponent (9.9951 -> 1.00e+01) */
    int exp10 = atoi(strchr(e, 'e') + 1);
    if (exp10 >= 15 || sig - 1 - exp10 > 9) {
        snprintf(buf, size, "%.*g", sig, v);
        return;
    }
    int decimals = sig - 1 - exp10;
    ws_fmt_fixed(strtod(e, NULL), decimals > 0 ? decimals : 0, buf, size);
}

/* A lone number's trailing zeros say nothing: "9.000" -> "9", "420.80" -> "420.8". */
static void trim_zeros(char *s)
{
    char *dot = strchr(s, '.');
    if (!dot || strchr(s, 'e'))
        return;
    char *end = s + strlen(s) - 1;
    while (end > dot && *end == '0')
        *end-- = '\0';
    if (end == dot)
        *end = '\0';
}

typedef struct {
    const char *name;
    double per_unit;  /* base units in one of it */
    double threshold; /* used from this magnitude (in base units) up */
} unit_t;

static const unit_t ENERGY[] = {{"Wh", 1e-3, 0}, {"kWh", 1, 1}, {"MWh", 1e3, 1e3}, {"GWh", 1e6, 1e6},
                                {"TWh", 1e9, 1e9}, {NULL, 0, 0}};
static const unit_t MASS[] = {{"g", 1e-3, 0}, {"kg", 1, 1}, {"t", 1e3, 1e3}, {"kt", 1e6, 1e6}, {NULL, 0, 0}};
/* A time reads best as 90 s, 45 min, 7.3 h, 9 d: a unit from two of the next one down. */
static const unit_t TIME[] = {{"s", 1, 0}, {"min", 60, 120}, {"h", 3600, 7200}, {"d", 86400, 172800},
                              {NULL, 0, 0}};

const char *ws_fmt_unit(ws_quantity q, double magnitude, double *per_unit)
{
    *per_unit = 1;
    const unit_t *u = q == WS_Q_ENERGY_KWH ? ENERGY : q == WS_Q_MASS_KG ? MASS : q == WS_Q_TIME_S ? TIME : NULL;
    if (!u)
        return q == WS_Q_PERCENT ? "%" : "";
    int pick = 0;
    while (u[pick].name && u[pick].per_unit != 1)
        pick++; /* the base unit for 0 and NaN */
    if (isfinite(magnitude) && magnitude > 0) {
        pick = 0;
        for (int i = 0; u[i].name; i++)
            if (fabs(magnitude) >= u[i].threshold)
                pick = i;
    }
    *per_unit = u[pick].per_unit;
    return u[pick].name;
}

static double largest(double a, double b, double c)
{
    double m = 0;
    double x[3] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (isfinite(x[i]) && fabs(x[i]) > m)
            m = fabs(x[i]);
    return m;
}

/* The numbers of an interval in a unit, as strings rounded alike. */
static void interval_parts(double mean, double lo, double hi, ws_quantity q, char *m, char *l, char *h, size_t size,
                           const char **unit)
{
    double per;
    *unit = ws_fmt_unit(q, largest(mean, lo, hi), &per);
    mean /= per, lo /= per, hi /= per;
    double step = ws_fmt_step(lo, hi);
    if (step == 0) {
        ws_fmt_sig(mean, 4, m, size);
        ws_fmt_sig(lo, 4, l, size);
        ws_fmt_sig(hi, 4, h, size);
        return;
    }
    double big = largest(mean, lo, hi);
    if (big > 0 && isfinite(big) && step < pow(10, floor(log10(big)) - (MAX_SIG - 1))) {
        /* narrower than MAX_SIG digits can show (30 [30 - 1e-12, 30 + 1e-12]): the mean alone */
        ws_fmt_sig(mean, 4, m, size);
        trim_zeros(m);
        l[0] = h[0] = '\0';
        return;
    }
    int k = (int)lround(log10(step)); /* step = 10^k */
    if (k >= 0) {
        ws_fmt_fixed(round(mean / step) * step, 0, m, size);
        ws_fmt_fixed(round(lo / step) * step, 0, l, size);
        ws_fmt_fixed(round(hi / step) * step, 0, h, size);
    } else {
        ws_fmt_fixed(mean, -k, m, size);
        ws_fmt_fixed(lo, -k, l, size);
        ws_fmt_fixed(hi, -k, h, size);
    }
}

void ws_fmt_interval(double mean, double lo, double hi, ws_quantity q, char *buf, size_t size)
{
    if (isnan(mean)) {
        snprintf(buf, size, "-");
        return;
    }
    char m[64], l[64], h[64];
    const char *unit;
    if (isnan(lo) || isnan(hi) || (lo == hi && lo == mean)) {
        double per;
        unit = ws_fmt_unit(q, fabs(mean), &per);
        ws_fmt_sig(mean / per, 4, m, sizeof m);
        trim_zeros(m);
        snprintf(buf, size, "%s%s%s", m, *unit ? " " : "", unit);
        return;
    }
    interval_parts(mean, lo, hi, q, m, l, h, sizeof m, &unit);
    if (!l[0])
        snprintf(buf, size, "%s%s%s", m, *unit ? " " : "", unit);
    else
        snprintf(buf, size, "%s [%s, %s]%s%s", m, l, h, *unit ? " " : "", unit);
}

void ws_fmt_range(double lo, double hi, ws_quantity q, char *buf, size_t size)
{
    char m[64], l[64], h[64];
    const char *unit;
    interval_parts((lo + hi) / 2, lo, hi, q, m, l, h, sizeof m, &unit);
    if (!l[0]) /* too narrow to tell the bounds apart */
        snprintf(buf, size, "%s to %s%s%s", m, m, *unit ? " " : "", unit);
    else
        snprintf(buf, size, "%s to %s%s%s", l, h, *unit ? " " : "", unit);
}

void ws_fmt_value(double v, ws_quantity q, char *buf, size_t size)
{
    if (isnan(v)) {
        snprintf(buf, size, "-");
        return;
    }
    double per;
    const char *unit = ws_fmt_unit(q, fabs(v), &per);
    char n[64];
    ws_fmt_sig(v / per, 4, n, sizeof n);
    trim_zeros(n);
    snprintf(buf, size, "%s%s%s", n, *unit ? " " : "", unit);
}

int ws_fmt_significant(double lo, double hi)
{
    if (isnan(lo) || isnan(hi))
        return 0;
    return lo > 0 || hi < 0;
}
