/* test_ingest_nvsmi_fast: the fast paths of the ingest hot loop give exactly what the general code
 * gives: the one-pass CSV splitter (buffer refills, CRLF, quotes and NULs handed to the general
 * splitter), the nvidia-smi timestamp cache across minute, midnight, month and year boundaries, the
 * plain-decimal number parser against strtod, and the ws_is_missing shortcut. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_csv.h"
#include "ws_testutil.h"
#include "ws_util.h"

static int parse_nvsmi(const char *path, ws_mem_sink *m, ws_error *err)
{
    ws_ingest_opts o = ws_test_opts(path);
    char tool[64];
    return ws_test_parse(ws_ingest_nvsmi, &o, m, tool, err);
}

static double unix_s(const char *ts)
{
    double t;
    assert_int_equal(ws_parse_time(ts, &t), 0);
    return t;
}

#define HDR "timestamp, name, power.draw [W], utilization.gpu [%], utilization.memory [%]\n"

/* Rows that cross a minute, midnight, a month end and a year end: every t_s must be the very double
 * ws_parse_time gives (the cache must not round differently), and the energy the exact trapezoid. */
static void test_time_cache_boundaries(void **state)
{
    (void)state;
    static const char *const ts[] = {"2026/12/31 23:58:59.800", "2026/12/31 23:59:00.000", "2026/12/31 23:59:00.200",
                                     "2026/12/31 23:59:59.900", "2027/01/01 00:00:00.100", "2027/01/01 00:00:00.300",
                                     "2027/01/01 00:00:59.999", "2027/01/01 00:01:00.001", "2027/01/01 00:01:00.5",
                                     "2027/01/01 00:01:01.25",  "2027/01/01 00:01:02",     "2027/01/01 00:01:60.000"};
    static const double watts[] = {100, 200, 150, 300, 250, 50.5, 60, 70, 80, 90, 100, 110};
    const size_t n = sizeof ts / sizeof *ts;
    char text[4096] = HDR;
    for (size_t i = 0; i < n; i++) {
        char row[160];
        snprintf(row, sizeof row, "%s, NVIDIA H100 80GB HBM3, %.2f W, %zu %%, 0 %%\n", ts[i], watts[i], i);
        strcat(text, row);
    }
    const char *path = ws_test_write("cache.csv", text);
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse_nvsmi(path, &m, &err), WS_OK);
    assert_int_equal(m.n_profiles, 1);
    assert_int_equal(m.n_samples, (long)n);
    double t0 = unix_s(ts[0]), energy = 0;
    for (size_t i = 0; i < n; i++) {
        double want = ws_round_us(unix_s(ts[i]) - t0);
        assert_true(m.samples[i].t_s == want); /* bit for bit, rounded to the microsecond as stored */
        assert_true(m.samples[i].power_w == watts[i]);
        assert_true(m.samples[i].util_pct == (double)i);
        if (i > 0)
            energy += 0.5 * (watts[i] + watts[i - 1]) * (want - ws_round_us(unix_s(ts[i - 1]) - t0));
    }
    /* Spot checks in decimal: 23:58:59.800 -> 00:00:00.100 is 60.3 s, -> 00:01:60 (= 00:02:00) 180.2 s
     * (to the resolution of seconds since 1970 in a double, ~2e-7 s). */
    assert_true(fabs(m.samples[4].t_s - 60.3) < 1e-6);
    assert_true(fabs(m.samples[11].t_s - 180.2) < 1e-6);
    assert_true(m.profiles[0].energy_j == energy);
    ws_mem_sink_free(&m);
}

/* A row that shares the cached prefix but is not a timestamp still fails with FILE:LINE, and a
 * zone after the seconds is honoured (not served from the cache). */
static void test_time_cache_errors_and_zones(void **state)
{
    (void)state;
    const char *path = ws_test_write("cache_bad.csv", HDR "2026/11/22 10:09:27.618, X, 100 W, 0 %, 0 %\n"
                                                          "2026/11/22 10:09:28.618, X, 100 W, 0 %, 0 %\n"
                                                          "2026/11/22 10:09:61.000, X, 100 W, 0 %, 0 %\n");
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse_nvsmi(path, &m, &err), WS_EINPUT);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 4);
    assert_string_equal(err.field, "timestamp");
    assert_string_equal(err.message, "'2026/11/22 10:09:61.000' is not a timestamp");
    ws_mem_sink_free(&m);

    path = ws_test_write("cache_frac.csv", HDR "2026/11/22 10:09:27.618, X, 100 W, 0 %, 0 %\n"
                                               "2026/11/22 10:09:28., X, 100 W, 0 %, 0 %\n");
    assert_int_equal(parse_nvsmi(path, &m, &err), WS_EINPUT);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.message, "'2026/11/22 10:09:28.' is not a timestamp");
    ws_mem_sink_free(&m);

    /* Same "YYYY/MM/DD HH:MM:" prefix, then Z (UTC, same instant) and +00:30 (half an hour earlier:
     * the time goes back, which is an error at line 4). */
    path = ws_test_write("cache_zone.csv", HDR "2026/11/22 10:09:27.000, X, 100 W, 0 %, 0 %\n"
                                               "2026/11/22 10:09:28.000Z, X, 100 W, 0 %, 0 %\n"
                                               "2026/11/22 10:09:29.000+00:30, X, 100 W, 0 %, 0 %\n");
    assert_int_equal(parse_nvsmi(path, &m, &err), WS_EINPUT);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.message, "earlier than the previous sample"));
    ws_mem_sink_free(&m);
}

/* Power with the unit in the value, without it (header unit), in mW, and the unit errors. */
static void test_power_units(void **state)
{
    (void)state;
    const char *path = ws_test_write("units.csv", HDR "2026/11/22 10:09:27.000, X, 119.51 W, 37 %, 5\n"
                                                      "2026/11/22 10:09:28.000, X, 120.49, 38, 6 %\n"
                                                      "2026/11/22 10:09:29.000, X,   7 W  , 0 %, [N/A]\n");
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse_nvsmi(path, &m, &err), WS_OK);
    assert_int_equal(m.n_samples, 3);
    assert_true(m.samples[0].power_w == 119.51);
    assert_true(m.samples[1].power_w == 120.49);
    assert_true(m.samples[2].power_w == 7.0);
    assert_true(m.samples[0].util_pct == 37.0 && m.samples[1].util_pct == 38.0);
    assert_true(m.samples[0].mem_util_pct == 5.0 && m.samples[1].mem_util_pct == 6.0);
    assert_true(isnan(m.samples[2].mem_util_pct));
    /* (119.51 + 120.49) / 2 * 1 s + (120.49 + 7) / 2 * 1 s */
    assert_true(m.profiles[0].energy_j == 0.5 * (119.51 + 120.49) + 0.5 * (120.49 + 7.0));
    ws_mem_sink_free(&m);

    path = ws_test_write("units_mw.csv", "timestamp, power.draw [mW]\n"
                                         "2026/11/22 10:09:27.000, 119510\n"
                                         "2026/11/22 10:09:28.000, 120490 mW\n");
    assert_int_equal(parse_nvsmi(path, &m, &err), WS_OK);
    assert_true(m.samples[0].power_w == 119510 / 1000.0);
    assert_true(m.samples[1].power_w == 120490 / 1000.0);
    ws_mem_sink_free(&m);

    path = ws_test_write("units_bad.csv", HDR "2026/11/22 10:09:27.000, X, 119.51 W, 37 %, 5 %\n"
                                              "2026/11/22 10:09:28.000, X, 119.51 kW, 37 %, 5 %\n");
    assert_int_equal(parse_nvsmi(path, &m, &err), WS_EINPUT);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.field, "power.draw");
    assert_string_equal(err.message, "unit 'kW' in the value but 'W' in the header");
    ws_mem_sink_free(&m);
}

/* The plain-decimal fast path returns strtod's double, and leaves to strtod what it must. */
static void test_number_fast_path(void **state)
{
    (void)state;
    static const char *const nums[] = {"0.1", "119.51", "-0", "+5", ".5", "5.", "0.3", "2.675", "9.995",
                                       "123456789012345", "1234567890123456", "99999999999999999999",
                                       "0.000000000000001", "3.14159265358979323846", "1e3", "1E-2", "0x1A",
                                       "00000000000000001", "700.00", "1.7976931348623157e308"};
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
        double v = -1;
        char unit[16] = "?";
        assert_int_equal(ws_parse_number_unit(nums[i], &v, unit, sizeof unit), 0);
        double want = strtod(nums[i], NULL);
        if (memcmp(&v, &want, sizeof v) != 0)
            fail_msg("%s: %a, strtod says %a", nums[i], v, want);
        assert_string_equal(unit, "");
    }
    double v;
    char unit[16];
    assert_int_equal(ws_parse_number_unit("1.5.3 W", &v, unit, sizeof unit), 0);
    assert_true(v == 1.5);
    assert_string_equal(unit, ".3 W");
    assert_int_equal(ws_parse_number_unit("12e W", &v, unit, sizeof unit), 0);
    assert_true(v == 12.0);
    assert_string_equal(unit, "e W");
    assert_int_equal(ws_parse_number_unit("  7 W \t ", &v, unit, sizeof unit), 0);
    assert_string_equal(unit, "W");
    char small[4];
    assert_int_equal(ws_parse_number_unit("7 MiB", &v, small, sizeof small), 0);
    assert_string_equal(small, "MiB");
    assert_int_equal(ws_parse_number_unit("7 kWh/h", &v, small, sizeof small), -1);
    /* The length limit counts trailing blanks, as before. */
    assert_int_equal(ws_parse_number_unit("7 W   ", &v, small, sizeof small), -1);
    assert_int_equal(ws_parse_number_unit("7 W  ", &v, small, sizeof small), 0);
    assert_string_equal(small, "W");
    assert_int_equal(ws_parse_number_unit(".", &v, unit, sizeof unit), -1);
    assert_int_equal(ws_parse_number_unit("-", &v, unit, sizeof unit), -1);
    assert_int_equal(ws_parse_number_unit("1e309", &v, unit, sizeof unit), -1);
    assert_int_not_equal(ws_parse_double("inf", &v), 0);
    assert_int_equal(ws_parse_double(" 42.25 ", &v), 0);
    assert_true(v == 42.25);
    assert_int_not_equal(ws_parse_double("42.25 W", &v), 0);
}

static void test_is_missing(void **state)
{
    (void)state;
    assert_true(ws_is_missing(" N/A "));
    assert_true(ws_is_missing("nan"));
    assert_true(ws_is_missing("NA"));
    assert_true(ws_is_missing("null"));
    assert_true(ws_is_missing("[Unknown Error]"));
    assert_false(ws_is_missing("Nope"));
    assert_false(ws_is_missing("[x]"));
    assert_false(ws_is_missing("119.51 W"));
    assert_false(ws_is_missing("-1"));
}

/* Records split by the fast path across buffer refills (a file of several MiB), with CRLF, a quoted
 * record and a NUL in between (both taken by the general splitter), and no newline at the end. */
static void test_csv_fast_split(void **state)
{
    (void)state;
    const char *path = ws_test_path("big.csv");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    const long rows = 60000;
    for (long i = 0; i < rows; i++) {
        if (i == 30000)
            fputs("\"q,1\",\"a\"\"b\",x\r\n", f);
        else if (i == 30001)
            fwrite("n\0ul,2,3\n", 1, 9, f);
        else
            fprintf(f, "%ld,field number two %ld,%s%s", i, i * 7, i % 3 ? "" : " three ",
                    i == rows - 1 ? "" : (i % 2 ? "\r\n" : "\n"));
    }
    fclose(f);
    ws_csv c;
    assert_int_equal(ws_csv_open(&c, path, ','), 0);
    for (long i = 0; i < rows; i++) {
        assert_int_equal(ws_csv_next(&c), 1);
        assert_int_equal(c.line, i + 1);
        if (i == 30000) {
            assert_int_equal(c.nfields, 3);
            assert_string_equal(c.fields[0], "q,1");
            assert_string_equal(c.fields[1], "a\"b");
            assert_string_equal(c.fields[2], "x");
        } else if (i == 30001) {
            /* Splitting stops at the NUL, as it always did. */
            assert_int_equal(c.nfields, 1);
            assert_string_equal(c.fields[0], "n");
        } else {
            char want[64];
            assert_int_equal(c.nfields, 3);
            assert_int_equal(atol(c.fields[0]), i);
            snprintf(want, sizeof want, "field number two %ld", i * 7);
            assert_string_equal(c.fields[1], want);
            assert_string_equal(c.fields[2], i % 3 ? "" : " three ");
        }
        assert_int_equal(c.ended_without_newline, i == rows - 1);
    }
    assert_int_equal(ws_csv_next(&c), 0);
    ws_csv_close(&c);

    /* Another delimiter, blank lines skipped, lines still counted. */
    path = ws_test_write("semi.csv", "a;b;c\n\n  \r\n1;2;3\r\n");
    assert_int_equal(ws_csv_open(&c, path, ';'), 0);
    assert_int_equal(ws_csv_next(&c), 1);
    assert_int_equal(c.nfields, 3);
    assert_int_equal(ws_csv_next(&c), 1);
    assert_int_equal(c.line, 4);
    assert_string_equal(c.fields[2], "3");
    assert_int_equal(ws_csv_next(&c), 0);
    ws_csv_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_cache_boundaries), cmocka_unit_test(test_time_cache_errors_and_zones),
        cmocka_unit_test(test_power_units),           cmocka_unit_test(test_number_fast_path),
        cmocka_unit_test(test_is_missing),            cmocka_unit_test(test_csv_fast_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
