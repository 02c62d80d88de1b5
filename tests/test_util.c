/* test_util: time parsing, numbers with units, arch slugs, SHA-256 and the CSV reader. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_csv.h"
#include "ws_testutil.h"
#include "ws_util.h"

static void test_parse_time(void **state)
{
    (void)state;
    double t;
    assert_int_equal(ws_parse_time("1970-01-01T00:00:00", &t), 0);
    assert_true(t == 0.0);
    /* 2020-01-01 is 18262 days after the epoch. */
    assert_int_equal(ws_parse_time("2020-01-01 00:00:00", &t), 0);
    assert_true(t == 18262.0 * 86400);
    /* nvidia-smi's own layout, with milliseconds. */
    assert_int_equal(ws_parse_time("2026/11/22 10:09:27.618", &t), 0);
    double base;
    ws_parse_time("2026-11-22T10:09:27Z", &base);
    assert_true(fabs(t - base - 0.618) < 1e-6);
    /* Zone offsets move the instant. */
    assert_int_equal(ws_parse_time("2026-11-22T11:09:27+01:00", &t), 0);
    assert_true(t == base);
    assert_int_equal(ws_parse_time("2026-11-22", &t), 0);
    assert_int_not_equal(ws_parse_time("22/11/2026", &t), 0);
    assert_int_not_equal(ws_parse_time("2026-13-01", &t), 0);
    assert_int_not_equal(ws_parse_time("2026-11-22T10:09:27 junk", &t), 0);
    char buf[40];
    ws_format_time(base + 0.5, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-22T10:09:27.500Z");
}

static void test_numbers(void **state)
{
    (void)state;
    double v;
    char unit[16];
    assert_int_equal(ws_parse_number_unit(" 119.51 W", &v, unit, sizeof unit), 0);
    assert_true(v == 119.51);
    assert_string_equal(unit, "W");
    assert_int_equal(ws_parse_number_unit("0 %", &v, unit, sizeof unit), 0);
    assert_string_equal(unit, "%");
    assert_int_not_equal(ws_parse_number_unit("[N/A]", &v, unit, sizeof unit), 0);
    assert_int_not_equal(ws_parse_double("12 W", &v), 0);
    assert_int_not_equal(ws_parse_double("nan", &v), 0);
    assert_int_not_equal(ws_parse_double("", &v), 0);
    assert_true(ws_is_missing("[N/A]"));
    assert_true(ws_is_missing(" [Not Supported] "));
    assert_true(ws_is_missing(""));
    assert_false(ws_is_missing("0"));
}

static void test_slug(void **state)
{
    (void)state;
    char s[64];
    ws_slugify_arch("NVIDIA H100 80GB HBM3", s, sizeof s);
    assert_string_equal(s, "h100-80gb-hbm3");
    ws_slugify_arch("Tesla T4", s, sizeof s);
    assert_string_equal(s, "t4");
    ws_slugify_arch("Intel(R) Xeon(R) Silver 4216 CPU @ 2.10GHz", s, sizeof s);
    assert_string_equal(s, "xeon-silver-4216");
    ws_slugify_arch("AMD EPYC 7763 64-Core Processor", s, sizeof s);
    assert_string_equal(s, "epyc-7763-64-core");
    ws_slugify_arch("  ", s, sizeof s);
    assert_string_equal(s, "unknown");
}

static void test_sha256(void **state)
{
    (void)state;
    char hex[65];
    /* FIPS 180-2 test vector. */
    ws_sha256_buffer("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *p = ws_test_write("abc.txt", "abc");
    assert_int_equal(ws_sha256_file(p, hex), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_csv(void **state)
{
    (void)state;
    const char *p = ws_test_write("q.csv", "a,b,c\r\n1,\"x,\"\"y\"\"\",3\n\n4,\"multi\nline\",6\n7,8");
    ws_csv c;
    assert_int_equal(ws_csv_open(&c, p, ','), 0);
    assert_int_equal(ws_csv_next(&c), 1);
    assert_int_equal(c.nfields, 3);
    assert_string_equal(c.fields[2], "c");
    assert_int_equal(ws_csv_next(&c), 1);
    assert_int_equal(c.line, 2);
    assert_string_equal(c.fields[1], "x,\"y\"");
    assert_int_equal(ws_csv_next(&c), 1);
    assert_int_equal(c.line, 4); /* the blank line 3 is skipped */
    assert_string_equal(c.fields[1], "multi\nline");
    assert_int_equal(ws_csv_next(&c), 1);
    assert_int_equal(c.line, 6);
    assert_true(c.ended_without_newline);
    assert_string_equal(c.fields[1], "8");
    assert_int_equal(ws_csv_next(&c), 0);
    ws_csv_close(&c);
    /* An unterminated quote is an error, not a hang. */
    p = ws_test_write("bad.csv", "a,b\n1,\"open\n");
    assert_int_equal(ws_csv_open(&c, p, ','), 0);
    assert_int_equal(ws_csv_next(&c), 1);
    assert_int_equal(ws_csv_next(&c), -1);
    ws_csv_close(&c);
}

/* A record longer than the reader's 1 MiB buffer still parses. */
static void test_csv_long_record(void **state)
{
    (void)state;
    size_t n = 3u << 20;
    char *text = malloc(n + 16);
    memcpy(text, "h\n", 2);
    memset(text + 2, 'x', n);
    memcpy(text + 2 + n, "\nend\n", 6);
    const char *p = ws_test_write("long.csv", text);
    free(text);
    ws_csv c;
    assert_int_equal(ws_csv_open(&c, p, ','), 0);
    assert_int_equal(ws_csv_next(&c), 1);
    assert_int_equal(ws_csv_next(&c), 1);
    assert_int_equal(strlen(c.fields[0]), n);
    assert_int_equal(ws_csv_next(&c), 1);
    assert_string_equal(c.fields[0], "end");
    assert_int_equal(c.line, 3);
    ws_csv_close(&c);
}

/* CSV cells from user strings cannot be formulas (=HYPERLINK(...) in a job name); numbers stay numbers. */
static void test_csv_formula_injection(void **state)
{
    (void)state;
    char buf[256] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    const char *cells[] = {"=HYPERLINK(\"http://x\")", "+1+1", "-5.2", "@SUM(A1)", "plain", "-x"};
    for (int i = 0; i < 6; i++) {
        ws_csv_write_field(f, cells[i]);
        fputc(';', f);
    }
    fclose(f);
    assert_string_equal(buf, "\"'=HYPERLINK(\"\"http://x\"\")\";\"'+1+1\";-5.2;\"'@SUM(A1)\";plain;\"'-x\";");
}

static void test_grow(void **state)
{
    (void)state;
    int *a = NULL, cap = 0;
    for (int n = 0; n < 100; n++) {
        assert_int_equal(ws_grow(&a, n, &cap, sizeof *a, 4), 0);
        assert_true(cap > n);
        a[n] = n;
    }
    assert_int_equal(cap, 128); /* 4, 8, ..., 128: doubling from the first capacity */
    for (int n = 0; n < 100; n++)
        assert_int_equal(a[n], n);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_time), cmocka_unit_test(test_numbers), cmocka_unit_test(test_slug),
        cmocka_unit_test(test_sha256), cmocka_unit_test(test_csv), cmocka_unit_test(test_csv_long_record),
        cmocka_unit_test(test_grow),       cmocka_unit_test(test_csv_formula_injection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
