/* test_ingest_carbontracker: CarbonTracker output logs (HAND-MADE fixtures in the layout of CarbonTracker's
 * own example output and of logs users committed in their notes; no log file itself was found committed).
 * Checked by hand: IT energy = logged kWh x 3.6e6 / --tool-pue; "Predicted" blocks are not profiles;
 * hours may pass 24; without --tool-pue, or without an "Actual" block, the file is refused. */
#include <math.h>
#include <string.h>

#include "ws_testutil.h"

static const char *LOG = "2022-11-14 15:42:43 - CarbonTracker: The following components were found: GPU with device(s) "
                         "NVIDIA GeForce RTX 3060. CPU with device(s) cpu:0.\n"
                         "2022-11-14 15:43:37 - CarbonTracker: \n"
                         "Actual consumption for 1 epoch(s):\n"
                         "\tTime:\t0:00:53\n\tEnergy:\t0.003504 kWh\n\tCO2eq:\t0.357451 g\n"
                         "\tThis is equivalent to:\n\t0.002969 km travelled by car\n"
                         "2022-11-14 15:43:37 - CarbonTracker: \n"
                         "Predicted consumption for 4 epoch(s):\n"
                         "\tTime:\t0:03:33\n\tEnergy:\t0.014018 kWh\n\tCO2eq:\t1.429803 g\n"
                         "2022-11-14 15:43:37 - CarbonTracker: Finished monitoring.\n"
                         "CarbonTracker: \nActual consumption for 200 epoch(s):\n"
                         "        Time:   325:31:49\n        Energy: 67.797429 kWh\n        CO2eq:  5665.096228 g\n";

static void test_actual_blocks(void **state)
{
    (void)state;
    const char *path = ws_test_write("run_carbontracker_output.log", LOG);
    ws_error err;
    assert_string_equal(ws_ingest_sniff(path, &err)->name, "carbontracker");
    ws_ingest_opts o = ws_test_opts(path);
    o.tool_pue = 1.58;
    ws_mem_sink m;
    char tool[64];
    assert_int_equal(ws_test_parse(ws_ingest_carbontracker, &o, &m, tool, &err), WS_OK);
    assert_int_equal(m.n_profiles, 2); /* the prediction is not one */
    assert_true(fabs(m.profiles[0].energy_j - 0.003504 * 3.6e6 / 1.58) < 1e-9);
    assert_true(m.profiles[0].duration_s == 53);
    assert_true(fabs(m.profiles[0].emissions_kg - 0.000357451) < 1e-15);
    assert_string_equal(m.profiles[0].start_time, "2022-11-14T15:42:44Z"); /* logged at the end: 15:43:37 - 53 s */
    assert_true(m.profiles[1].duration_s == 325 * 3600 + 31 * 60 + 49);
    assert_true(fabs(m.profiles[1].energy_j - 67.797429 * 3.6e6 / 1.58) < 1e-6);
    assert_non_null(strstr(m.profiles[1].energy_note, "200 epoch(s)"));
    ws_mem_sink_free(&m);
    o.tool_pue = NAN;
    assert_int_equal(ws_test_parse(ws_ingest_carbontracker, &o, &m, tool, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "--tool-pue"));
    ws_mem_sink_free(&m);
}

static void test_only_predictions(void **state)
{
    (void)state;
    ws_ingest_opts o = ws_test_opts(ws_test_write("pred.log", "CarbonTracker: \nPredicted consumption for 4 epoch(s):\n"
                                                              "\tTime:\t0:03:33\n\tEnergy:\t0.014018 kWh\n"));
    o.tool_pue = 1.58;
    ws_mem_sink m;
    ws_error err;
    char tool[64];
    assert_int_equal(ws_test_parse(ws_ingest_carbontracker, &o, &m, tool, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "no 'Actual consumption' block"));
    ws_mem_sink_free(&m);
    o = ws_test_opts(ws_test_write("cut.log", "CarbonTracker: \nActual consumption for 1 epoch(s):\n\tTime:\t0:00:53\n"));
    o.tool_pue = 1.58;
    assert_int_equal(ws_test_parse(ws_ingest_carbontracker, &o, &m, tool, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "without its Energy line"));
    assert_int_equal(err.line, 2);
    ws_mem_sink_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_actual_blocks), cmocka_unit_test(test_only_predictions)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
