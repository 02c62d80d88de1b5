/* ws_fmt: numbers for people. An interval's numbers are rounded to the second significant digit of its
 * width (17,862 [17,781, 17,930] -> "17,860 [17,780, 17,930]"), a lone number to four significant
 * digits; thousands are separated by commas; energy, mass and time are written in the unit that suits
 * their size (kWh/MWh/GWh, g/kg/t, s/min/h/d). An interval that contains zero is no significant change.
 * Rendering only: the report JSON keeps every number at full precision. */
#ifndef WS_FMT_H
#define WS_FMT_H

#include <stddef.h>

/* What a number measures, and the unit it is given in. */
typedef enum {
    WS_Q_COUNT,      /* a plain number (jobs, factors): no unit */
    WS_Q_ENERGY_KWH, /* written as Wh, kWh, MWh, GWh or TWh */
    WS_Q_MASS_KG,    /* CO2: g, kg, t or kt */
    WS_Q_TIME_S,     /* s, min, h or d */
    WS_Q_PERCENT,    /* "%" */
} ws_quantity;

/* The rounding step of an interval: 10^(floor(log10(hi - lo)) - 1), the second significant digit of its
 * width. 0 when the width is zero or not finite (then numbers keep four significant digits). */
double ws_fmt_step(double lo, double hi);

/* v with `decimals` digits after the point (0..9) and commas between thousands: 17862.4, 0 -> "17,862";
 * -1234.5678, 2 -> "-1,234.57"; a result that rounds to zero has no sign ("0.00", not "-0.00").
 * NaN -> "-", infinities -> "inf" / "-inf". */
void ws_fmt_fixed(double v, int decimals, char *buf, size_t size);

/* v to `sig` significant digits (1..15) with commas: 9.9951, 3 -> "10.0"; 1234567, 4 -> "1,235,000";
 * 0.000123456, 2 -> "0.00012". Magnitudes of 1e15 and more, and numbers that would need more than 9 decimals, in
 * e-notation ("1.2e+20", "1.235e-08"). */
void ws_fmt_sig(double v, int sig, char *buf, size_t size);

/* The unit for numbers of quantity q whose largest magnitude is `magnitude` (in q's base unit): the
 * largest unit in which it is at least 1 (the base unit for 0 or NaN). *per_unit receives how many base
 * units make one of it (1000 for MWh from kWh, 3600 for h from s). */
const char *ws_fmt_unit(ws_quantity q, double magnitude, double *per_unit);

/* "17,860 [17,780, 17,930] MWh": mean and 95% interval in one unit (chosen from the largest magnitude of
 * the three) and rounded to the interval's step; "420.8 MWh" (four significant digits, trailing zeros
 * dropped) when lo = hi = mean or when the interval is narrower than six significant digits show;
 * "-" when the mean is NaN.
 * No unit is written for WS_Q_COUNT. */
void ws_fmt_interval(double mean, double lo, double hi, ws_quantity q, char *buf, size_t size);

/* "-70 to 70 kWh": an interval's bounds alone, as ws_fmt_interval rounds them. */
void ws_fmt_range(double lo, double hi, ws_quantity q, char *buf, size_t size);

/* One number in its unit, four significant digits, trailing zeros dropped: 26240 s -> "7.289 h",
 * 777600 s -> "9 d". */
void ws_fmt_value(double v, ws_quantity q, char *buf, size_t size);

/* 1 when the 95% interval lies wholly on one side of zero (a significant change), 0 when it contains
 * zero or a bound is NaN. An interval of zero width away from zero (one replica) counts as significant. */
int ws_fmt_significant(double lo, double hi);

#endif
