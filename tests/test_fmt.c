/* test_fmt: ws_fmt against strings worked out by hand: the step from an interval's width, thousands
 * separators, unit scaling, significance, and the edges (0, negative, NaN, an interval across zero,
 * huge and tiny numbers, 9.995 and the carry of 9.9951). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ws_fmt.h"

static void test_step(void **state)
{
    (void)state;
    /* width 150 -> 10^(2-1) = 10; width 0.14 -> 0.01; width 6.9 -> 0.1; width exactly 100 -> 10 */
    assert_true(ws_fmt_step(17780, 17930) == 10);
    assert_true(fabs(ws_fmt_step(-0.06877, 0.07138) - 0.01) < 1e-15);
    assert_true(fabs(ws_fmt_step(417.3, 424.2) - 0.1) < 1e-15);
    assert_true(ws_fmt_step(0, 100) == 10);
    assert_true(ws_fmt_step(5, 5) == 0);
    assert_true(ws_fmt_step(NAN, 5) == 0);
    assert_true(ws_fmt_step(6, 5) == 0);
}

static void test_fixed(void **state)
{
    (void)state;
    char b[64];
    ws_fmt_fixed(17862.4, 0, b, sizeof b);
    assert_string_equal(b, "17,862");
    ws_fmt_fixed(-1234.5678, 2, b, sizeof b);
    assert_string_equal(b, "-1,234.57");
    ws_fmt_fixed(999.5, 0, b, sizeof b); /* ties to even: 999.5 is exact, rounds to 1000 */
    assert_string_equal(b, "1,000");
    ws_fmt_fixed(123, 0, b, sizeof b);
    assert_string_equal(b, "123");
    ws_fmt_fixed(1234567890.125, 1, b, sizeof b);
    assert_string_equal(b, "1,234,567,890.1");
    ws_fmt_fixed(0, 2, b, sizeof b);
    assert_string_equal(b, "0.00");
    ws_fmt_fixed(-0.001, 2, b, sizeof b); /* rounds to zero: no sign */
    assert_string_equal(b, "0.00");
    ws_fmt_fixed(-0.0, 0, b, sizeof b);
    assert_string_equal(b, "0");
    ws_fmt_fixed(NAN, 2, b, sizeof b);
    assert_string_equal(b, "-");
    ws_fmt_fixed(-INFINITY, 2, b, sizeof b);
    assert_string_equal(b, "-inf");
    /* 9.995 is stored as 9.99499999999999921840...: two decimals give 9.99, not 10.00 */
    ws_fmt_fixed(9.995, 2, b, sizeof b);
    assert_string_equal(b, "9.99");
    ws_fmt_fixed(9.9951, 2, b, sizeof b);
    assert_string_equal(b, "10.00");
}

static void test_sig(void **state)
{
    (void)state;
    char b[64];
    ws_fmt_sig(9.995, 3, b, sizeof b);
    assert_string_equal(b, "9.99");
    ws_fmt_sig(9.9951, 3, b, sizeof b); /* the carry moves the point: three digits are 10.0 */
    assert_string_equal(b, "10.0");
    ws_fmt_sig(1234567, 4, b, sizeof b);
    assert_string_equal(b, "1,235,000");
    ws_fmt_sig(0.000123456, 2, b, sizeof b);
    assert_string_equal(b, "0.00012");
    ws_fmt_sig(-26240, 4, b, sizeof b);
    assert_string_equal(b, "-26,240");
    ws_fmt_sig(0, 4, b, sizeof b);
    assert_string_equal(b, "0");
    ws_fmt_sig(1.2e20, 2, b, sizeof b); /* huge: e-notation */
    assert_string_equal(b, "1.2e+20");
    ws_fmt_sig(1.23456e-8, 4, b, sizeof b); /* tiny: would need 11 decimals */
    assert_string_equal(b, "1.235e-08");
    ws_fmt_sig(NAN, 4, b, sizeof b);
    assert_string_equal(b, "-");
}

static void test_units(void **state)
{
    (void)state;
    double per;
    assert_string_equal(ws_fmt_unit(WS_Q_ENERGY_KWH, 420800, &per), "MWh");
    assert_true(per == 1000);
    assert_string_equal(ws_fmt_unit(WS_Q_ENERGY_KWH, 0.07, &per), "Wh");
    assert_true(per == 1e-3);
    assert_string_equal(ws_fmt_unit(WS_Q_ENERGY_KWH, 1.5e8, &per), "GWh");
    assert_string_equal(ws_fmt_unit(WS_Q_ENERGY_KWH, 0, &per), "kWh");
    assert_string_equal(ws_fmt_unit(WS_Q_ENERGY_KWH, NAN, &per), "kWh");
    assert_string_equal(ws_fmt_unit(WS_Q_MASS_KG, 102100, &per), "t");
    assert_string_equal(ws_fmt_unit(WS_Q_MASS_KG, 0.4, &per), "g");
    assert_string_equal(ws_fmt_unit(WS_Q_TIME_S, 90, &per), "s");
    assert_string_equal(ws_fmt_unit(WS_Q_TIME_S, 2700, &per), "min");
    assert_string_equal(ws_fmt_unit(WS_Q_TIME_S, 26240, &per), "h");
    assert_true(per == 3600);
    assert_string_equal(ws_fmt_unit(WS_Q_TIME_S, 777600, &per), "d");
    assert_string_equal(ws_fmt_unit(WS_Q_PERCENT, 5, &per), "%");
    assert_string_equal(ws_fmt_unit(WS_Q_COUNT, 5, &per), "");
}

static void test_interval(void **state)
{
    (void)state;
    char b[128];
    /* jobs: width 150, step 10 */
    ws_fmt_interval(17862, 17781, 17930, WS_Q_COUNT, b, sizeof b);
    assert_string_equal(b, "17,860 [17,780, 17,930]");
    /* 420.8 [417.3, 424.2] MWh a day, given in kWh: unit MWh, width 6.9, step 0.1 */
    ws_fmt_interval(420812, 417314, 424249, WS_Q_ENERGY_KWH, b, sizeof b);
    assert_string_equal(b, "420.8 [417.3, 424.2] MWh");
    /* across zero, in kWh: -68.77 .. 71.38 kWh, width 140.15, step 10 */
    ws_fmt_interval(1.302, -68.77, 71.38, WS_Q_ENERGY_KWH, b, sizeof b);
    assert_string_equal(b, "0 [-70, 70] kWh");
    ws_fmt_range(-68.77, 71.38, WS_Q_ENERGY_KWH, b, sizeof b);
    assert_string_equal(b, "-70 to 70 kWh");
    /* a mean wait of 26,240 s [25,900, 26,580]: 7.289 h, width 0.189 h -> step 0.01 */
    ws_fmt_interval(26240, 25900, 26580, WS_Q_TIME_S, b, sizeof b);
    assert_string_equal(b, "7.29 [7.19, 7.38] h");
    /* zero width (one replica, or exactly nothing): the number alone, four digits */
    ws_fmt_interval(0, 0, 0, WS_Q_ENERGY_KWH, b, sizeof b);
    assert_string_equal(b, "0 kWh");
    ws_fmt_interval(777600, 777600, 777600, WS_Q_TIME_S, b, sizeof b);
    assert_string_equal(b, "9 d");
    ws_fmt_interval(NAN, NAN, NAN, WS_Q_MASS_KG, b, sizeof b);
    assert_string_equal(b, "-");
    /* negative throughout: -12.4 [-13.02, -11.78] %, width 1.24 -> step 0.1 */
    ws_fmt_interval(-12.4, -13.02, -11.78, WS_Q_PERCENT, b, sizeof b);
    assert_string_equal(b, "-12.4 [-13.0, -11.8] %");
    /* huge and narrow (width 0.1, step 0.01): six significant digits cannot show it (they stop at
     * 10^(9-5)), so the mean alone, four digits */
    ws_fmt_interval(1234567890.1234, 1234567890.1, 1234567890.2, WS_Q_COUNT, b, sizeof b);
    assert_string_equal(b, "1,235,000,000");
    /* six digits can: width 200,000 on 1.2e9, step 10,000 */
    ws_fmt_interval(1234567890, 1234467890, 1234667890, WS_Q_COUNT, b, sizeof b);
    assert_string_equal(b, "1,234,570,000 [1,234,470,000, 1,234,670,000]");
    ws_fmt_range(29.999999999999, 30.000000000001, WS_Q_TIME_S, b, sizeof b);
    assert_string_equal(b, "30 to 30 s");
    /* tiny: 1.234e-7 kg of CO2 is 0.0001234 g; width 2e-7 g, step 1e-8 g: eight decimals */
    ws_fmt_interval(1.234e-7, 1.233e-7, 1.235e-7, WS_Q_MASS_KG, b, sizeof b);
    assert_string_equal(b, "0.00012340 [0.00012330, 0.00012350] g");
}

static void test_value_and_significance(void **state)
{
    (void)state;
    char b[64];
    ws_fmt_value(26240, WS_Q_TIME_S, b, sizeof b);
    assert_string_equal(b, "7.289 h");
    ws_fmt_value(-4524, WS_Q_ENERGY_KWH, b, sizeof b);
    assert_string_equal(b, "-4.524 MWh");
    ws_fmt_value(1e6, WS_Q_COUNT, b, sizeof b);
    assert_string_equal(b, "1,000,000");
    ws_fmt_value(NAN, WS_Q_COUNT, b, sizeof b);
    assert_string_equal(b, "-");
    assert_true(ws_fmt_significant(1.084, 7.647));
    assert_true(ws_fmt_significant(-0.3, -0.1));
    assert_false(ws_fmt_significant(-0.06877, 0.07138));
    assert_false(ws_fmt_significant(0, 0));
    assert_false(ws_fmt_significant(0, 3)); /* touching zero is not excluding it */
    assert_false(ws_fmt_significant(NAN, 3));
    assert_true(ws_fmt_significant(2, 2)); /* one replica: no interval to test against */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step),  cmocka_unit_test(test_fixed),    cmocka_unit_test(test_sig),
        cmocka_unit_test(test_units), cmocka_unit_test(test_interval), cmocka_unit_test(test_value_and_significance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
