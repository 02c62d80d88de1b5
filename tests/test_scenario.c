/* test_scenario: scenario parsing and validation: a complete scenario reads into the struct, and
 * every kind of mistake is reported with the JSON path of the offending value. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ws_scenario.h"
#include "ws_testutil.h"

#define NODE "{\"type\":\"cpu\",\"count\":2,\"cores\":32,\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":300}}"
#define SITE(name) "{\"name\":\"" name "\",\"carbon_g_per_kwh\":50,\"nodes\":[" NODE "]}"

static const char *GOOD =
    "{\"sites\":[" SITE("A") ",{\"name\":\"B\",\"pue\":{\"monthly\":[1.2,1.2,1.2,1.2,1.1,1.1,1.1,1.1,1.2,1.2,1.2,1.2]},"
    "\"carbon_g_per_kwh\":200,\"price_per_kwh\":0.15,\"nodes\":[" NODE ",{\"type\":\"gpu\",\"count\":1,\"cores\":64,"
    "\"gpus\":4,\"power\":{\"model\":\"piecewise\",\"points\":[[0,120],[0.5,536],[1,693]]}}]}],"
    "\"workload\":{\"classes\":[{\"name\":\"sim\",\"rate_per_day\":1000,\"cores\":8,\"utilisation\":0.9,"
    "\"runtime\":{\"dist\":\"lognormal\",\"median_s\":3600,\"sigma\":0.4}},"
    "{\"name\":\"train\",\"rate_per_day\":10,\"cores\":8,\"gpus\":1,\"deadline_s\":86400,"
    "\"runtime_by_type\":{\"gpu\":{\"dist\":\"fixed\",\"value_s\":7200}}}]},"
    "\"policy\":{\"queue\":\"easy-backfill\",\"placement\":\"best-fit\",\"dispatch\":\"least-loaded\",\"submit_overhead_s\":5},"
    "\"horizon\":{\"start\":\"2020-06-01T00:00:00Z\",\"days\":7},\"seed\":42}";

static void test_good(void **state)
{
    (void)state;
    ws_scenario sc;
    ws_error err;
    const char *path = ws_test_write("good.json", GOOD);
    if (ws_scenario_load(path, &sc, &err) != 0) {
        ws_error_print(&err, stderr);
        fail();
    }
    assert_int_equal(sc.n_sites, 2);
    assert_int_equal(sc.sites[1].n_groups, 2);
    assert_int_equal(sc.sites[1].groups[1].gpus, 4);
    assert_int_equal(sc.sites[1].groups[1].power.form, WS_FORM_PIECEWISE);
    assert_int_equal(sc.n_classes, 2);
    assert_int_equal(sc.policy.queue, WS_QUEUE_EASY_BACKFILL);
    assert_int_equal(sc.policy.placement, WS_PLACE_BEST_FIT);
    assert_int_equal(sc.policy.dispatch, WS_DISPATCH_LEAST_LOADED);
    assert_true(sc.seed == 42);
    assert_true(sc.days == 7);
    assert_true(ws_scenario_synthetic(&sc));
    assert_int_equal(strlen(sc.sha256), 64);
    /* train runs only on the gpu type */
    assert_null(ws_class_runtime(&sc.classes[1], "cpu"));
    assert_non_null(ws_class_runtime(&sc.classes[1], "gpu"));
    /* multi-node: 40 cores on 32-core nodes takes 2 of the 2 nodes; 70 cannot run */
    assert_int_equal(ws_group_nodes_needed(&sc.sites[0].groups[0], 40, 0), 2);
    assert_int_equal(ws_group_nodes_needed(&sc.sites[0].groups[0], 70, 0), 0);
    assert_int_equal(ws_group_nodes_needed(&sc.sites[0].groups[0], 1, 1), 0);
    size_t cur = 0;
    double next;
    assert_true(ws_series_at(sc.sites[1].pue, sc.start_unix_s, &cur, &next) == 1.1);
    ws_scenario_free(&sc);
}


static void test_messages(void **state)
{
    (void)state;
    const char *W = "\"workload\":{\"classes\":[{\"name\":\"a\",\"rate_per_day\":1,\"runtime\":{\"dist\":\"fixed\",\"value_s\":1}}]},"
                    "\"horizon\":{\"days\":1}";
    char j[2048];
    snprintf(j, sizeof j, "{\"sites\":[" SITE("A") ",{\"name\":\"B\",\"carbon_g_per_kwh\":1,\"nodes\":[{\"type\":\"x\","
                          "\"count\":0,\"cores\":4,\"power\":{\"model\":\"linear\",\"idle_w\":1,\"max_w\":2}}]}],%s}", W);
    assert_string_equal(ws_test_scenario_error(j), "sites[1].nodes[0].count: must be > 0");
    snprintf(j, sizeof j, "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":1,\"nodes\":[{\"type\":\"x\",\"count\":1,"
                          "\"cores\":4,\"power\":{\"model\":\"linear\",\"idle_w\":5,\"max_w\":2}}]}],%s}", W);
    assert_non_null(strstr(ws_test_scenario_error(j), "sites[0].nodes[0].power: need 0 <= idle_w <= max_w"));
    snprintf(j, sizeof j, "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":1,\"nodes\":[{\"type\":\"x\",\"count\":1,"
                          "\"cores\":4,\"power\":{\"file\":\"nope.json\"}}]}],%s}", W);
    assert_non_null(strstr(ws_test_scenario_error(j), "sites[0].nodes[0].power.file: "));
    snprintf(j, sizeof j, "{\"sites\":[{\"name\":\"A\",\"nodes\":[" NODE "]}],%s}", W);
    assert_string_equal(ws_test_scenario_error(j), "sites[0].carbon_g_per_kwh: missing (or give carbon_csv)");
    snprintf(j, sizeof j, "{\"sites\":[{\"name\":\"A\",\"pue\":0.9,\"carbon_g_per_kwh\":1,\"nodes\":[" NODE "]}],%s}", W);
    assert_string_equal(ws_test_scenario_error(j), "sites[0].pue: must be >= 1");
    snprintf(j, sizeof j, "{\"sites\":[" SITE("A") "],%s,\"policy\":{\"queue\":\"lifo\"}}", W);
    assert_string_equal(ws_test_scenario_error(j), "policy.queue: 'lifo' is not one of fifo, easy-backfill, sjf");
    snprintf(j, sizeof j, "{\"sites\":[" SITE("A") "],%s,\"polcy\":{}}", W);
    assert_string_equal(ws_test_scenario_error(j), "polcy: unknown key");
    snprintf(j, sizeof j, "{\"sites\":[" SITE("A") "," SITE("A") "],%s}", W);
    assert_string_equal(ws_test_scenario_error(j), "sites[1].name: 'A' is used by sites[0] too");
    snprintf(j, sizeof j, "{\"sites\":[" SITE("A") "],\"workload\":{\"classes\":[{\"name\":\"a\",\"rate_per_day\":1,"
                          "\"cores\":100,\"runtime\":{\"dist\":\"fixed\",\"value_s\":1}}]},\"horizon\":{\"days\":1}}");
    assert_non_null(strstr(ws_test_scenario_error(j), "workload.classes[0]: no node group of any site can run it"));
    snprintf(j, sizeof j, "{\"sites\":[" SITE("A") "],\"workload\":{\"classes\":[{\"name\":\"a\",\"rate_per_day\":1,"
                          "\"runtime\":{\"dist\":\"lognormal\",\"median_s\":0,\"sigma\":1}}]},\"horizon\":{\"days\":1}}");
    assert_string_equal(ws_test_scenario_error(j), "workload.classes[0].runtime.median_s: must be > 0");
    snprintf(j, sizeof j, "{\"sites\":[" SITE("A") "],\"workload\":{\"classes\":[{\"name\":\"a\",\"rate_per_day\":1,"
                          "\"runtime\":{\"dist\":\"fixed\",\"value_s\":1}}]},\"horizon\":\"makespan\"}");
    assert_string_equal(ws_test_scenario_error(j), "horizon.days: synthetic arrivals need a number of days");
    snprintf(j, sizeof j, "{\"sites\":[" SITE("A") "],\"workload\":{}, \"horizon\":{\"days\":1}}");
    assert_string_equal(ws_test_scenario_error(j), "workload: needs a trace or a class with rate_per_day > 0");
    snprintf(j, sizeof j, "{\"sites\":[" SITE("A") "],%s,\"seed\":1.5}", W);
    assert_string_equal(ws_test_scenario_error(j), "seed: must be a whole number");
    snprintf(j, sizeof j, "{\"sites\":[" SITE("A") "],%s", W); /* truncated JSON */
    assert_non_null(strstr(ws_test_scenario_error(j), "not valid JSON"));
    snprintf(j, sizeof j, "{\"sites\":[{\"name\":\"A\",\"carbon_csv\":\"missing.csv\",\"nodes\":[" NODE "]}],%s}", W);
    assert_non_null(strstr(ws_test_scenario_error(j), "cannot read: No such file"));
    /* a device as an input would grow memory without end (found: /dev/zero as a carbon CSV: 2.4 GB) */
    snprintf(j, sizeof j, "{\"sites\":[{\"name\":\"A\",\"carbon_csv\":\"/dev/zero\",\"nodes\":[" NODE "]}],%s}", W);
    assert_non_null(strstr(ws_test_scenario_error(j), "/dev/zero: cannot read: not a regular file"));
    snprintf(j, sizeof j, "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":1,\"nodes\":[{\"type\":\"c\",\"count\":1,"
                          "\"cores\":1,\"power\":{\"file\":\"/dev/zero\"}}]}],%s}", W);
    assert_non_null(strstr(ws_test_scenario_error(j), "not a regular file"));
    /* sizes that cannot run here are refused before anything is allocated */
    snprintf(j, sizeof j, "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":1,\"nodes\":[{\"type\":\"c\",\"count\":900000000,"
                          "\"cores\":1,\"power\":{\"model\":\"linear\",\"idle_w\":0,\"max_w\":1}}]}],%s}", W);
    assert_non_null(strstr(ws_test_scenario_error(j), "9e+08 nodes would need about 144 GB"));
    snprintf(j, sizeof j, "{\"sites\":[" SITE("A") "],\"workload\":{\"classes\":[{\"name\":\"a\",\"rate_per_day\":1e12,"
                          "\"runtime\":{\"dist\":\"fixed\",\"value_s\":1}}]},\"horizon\":{\"days\":1}}");
    assert_non_null(strstr(ws_test_scenario_error(j), "about 1e+12 jobs would arrive"));
    ws_test_write("ci_bad.csv", "Time,ci\n2020-01-01 00:00:00,5\n2020-01-01 00:00:00,6\n");
    snprintf(j, sizeof j, "{\"sites\":[{\"name\":\"A\",\"carbon_csv\":\"ci_bad.csv\",\"nodes\":[" NODE "]}],%s}", W);
    assert_non_null(strstr(ws_test_scenario_error(j), "timestamps must increase"));
}

/* Every value of the wrong type is refused without a crash. */
static void test_wrong_types(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "[]", "{\"sites\":{}}", "{\"sites\":[1]}", "{\"sites\":[{\"name\":3}]}",
        "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":1,\"nodes\":[{}]}]}",
        "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":\"x\",\"nodes\":[]}]}",
        "{\"sites\":[" SITE("A") "],\"workload\":[]}",
        "{\"sites\":[" SITE("A") "],\"workload\":{\"trace\":\"t.csv\"},\"horizon\":5}",
        "{\"sites\":[" SITE("A") "],\"workload\":{\"trace\":\"t.csv\"},\"horizon\":{\"start\":\"yesterday\",\"days\":1}}",
        "{\"sites\":[" SITE("A") "],\"workload\":{\"classes\":[{\"name\":\"a\",\"rate_per_day\":1,\"profile\":[1,2],"
        "\"runtime\":{\"dist\":\"fixed\",\"value_s\":1}}]},\"horizon\":{\"days\":1}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ws_test_scenario_error(bad[i]);
}

/* Found by fuzzing: a weight of 1e308 overflowed to an infinite arrival rate and the simulation never
 * advanced. Huge weights now normalise to a finite profile; weights whose sum overflows are refused. */
static void test_profile_huge_weights(void **state)
{
    (void)state;
    char j[2048], prof[512] = "";
    for (int h = 0; h < 24; h++)
        snprintf(prof + strlen(prof), sizeof prof - strlen(prof), "%s%s", h ? "," : "", h == 2 ? "1e308" : "1");
    const char *fmt = "{\"sites\":[" SITE("A") "],\"workload\":{\"classes\":[{\"name\":\"a\",\"rate_per_day\":10,"
                      "\"profile\":[%s],\"runtime\":{\"dist\":\"fixed\",\"value_s\":1}}]},\"horizon\":{\"days\":1}}";
    snprintf(j, sizeof j, fmt, prof);
    ws_scenario sc;
    ws_error err;
    assert_int_equal(ws_scenario_load(ws_test_write("huge.json", j), &sc, &err), 0);
    assert_true(isfinite(sc.classes[0].profile[2]) && fabs(sc.classes[0].profile[2] - 24.0) < 1e-12);
    assert_true(sc.classes[0].profile[0] >= 0 && sc.classes[0].profile[0] < 1e-300);
    ws_scenario_free(&sc);
    prof[0] = '\0';
    for (int h = 0; h < 24; h++)
        snprintf(prof + strlen(prof), sizeof prof - strlen(prof), "%s%s", h ? "," : "", "1e308");
    snprintf(j, sizeof j, fmt, prof);
    assert_non_null(strstr(ws_test_scenario_error(j), "workload.classes[0].profile: needs at least one weight > 0, and weights whose sum"));
}

/* A CSV series must cover the horizon (issue: a 2025 horizon on a 2020 series silently held the last
 * value). The series below covers 2020-01-01 00:00 .. 03:00 (its last row holds for one more step). */
#define SITE_CSV "{\"sites\":[{\"name\":\"A\",\"carbon_csv\":\"ci3.csv\",\"nodes\":[{\"type\":\"c\",\"count\":1,\"cores\":1," \
                 "\"power\":{\"model\":\"linear\",\"idle_w\":0,\"max_w\":100}}]}],\"workload\":{\"classes\":[{\"name\":\"k\"," \
                 "\"rate_per_day\":10,\"cores\":1,\"runtime\":{\"dist\":\"fixed\",\"value_s\":60}}]},"
static void test_series_coverage(void **state)
{
    (void)state;
    ws_test_write("ci3.csv", "time,ci\n2020-01-01 00:00:00,100\n2020-01-01 01:00:00,200\n2020-01-01 02:00:00,300\n");
    const char *msg = ws_test_scenario_error(SITE_CSV "\"horizon\":{\"start\":\"2025-01-01T00:00:00Z\",\"days\":0.1}}");
    assert_non_null(strstr(msg, "sites[0].carbon_csv: "));
    assert_non_null(strstr(msg, "ci3.csv covers 2020-01-01T00:00:00Z .. 2020-01-01T03:00:00Z, the horizon is "
                                "2025-01-01T00:00:00Z .. 2025-01-01T02:24:00Z"));
    /* inside the span but running past its end */
    msg = ws_test_scenario_error(SITE_CSV "\"horizon\":{\"start\":\"2020-01-01T00:00:00Z\",\"days\":1}}");
    assert_non_null(strstr(msg, "the horizon is 2020-01-01T00:00:00Z .. 2020-01-02T00:00:00Z"));
    assert_non_null(strstr(ws_test_scenario_error(SITE_CSV "\"horizon\":{\"start\":\"2020-01-01T00:00:00Z\",\"days\":0.1,"
                                                           "\"series_outside\":\"later\"}}"),
                           "horizon.series_outside: 'later' is not one of refuse, hold, map-year"));
    ws_scenario sc;
    /* hold: accepted as it is */
    ws_test_load_scenario("hold.json", SITE_CSV "\"horizon\":{\"start\":\"2025-01-01T00:00:00Z\",\"days\":0.1,"
                                                "\"series_outside\":\"hold\"}}", &sc);
    size_t cur = 0;
    double next, t25;
    assert_int_equal(ws_parse_time("2025-01-01T01:30:00Z", &t25), 0);
    assert_true(ws_series_at(sc.sites[0].carbon_g_per_kwh, t25, &cur, &next) == 300);
    ws_scenario_free(&sc);
    /* map-year: 2020's rows land on 2025-01-01, so 01:30 reads the 01:00 row */
    ws_test_load_scenario("map.json", SITE_CSV "\"horizon\":{\"start\":\"2025-01-01T00:00:00Z\",\"days\":0.1,"
                                               "\"series_outside\":\"map-year\"}}", &sc);
    cur = 0;
    assert_true(ws_series_at(sc.sites[0].carbon_g_per_kwh, t25, &cur, &next) == 200);
    assert_true(sc.series_shift_s == 1827 * 86400.0); /* 2020-01-01 -> 2025-01-01: 1827 days */
    ws_scenario_free(&sc);
    /* a series of 2020 that starts 2019-12-22 (lets-wait-awhile) is 2020's: 2020-01-01 -> 2024-01-01 */
    char json[1024];
    snprintf(json, sizeof json, "{\"sites\":[{\"name\":\"A\",\"carbon_csv\":\"%s/carbon/lwa_fr_ci.csv\",\"nodes\":"
             "[{\"type\":\"c\",\"count\":1,\"cores\":1,\"power\":{\"model\":\"tdp\",\"tdp_w\":10}}]}],"
             "\"workload\":{\"classes\":[{\"name\":\"x\",\"rate_per_day\":1,\"cores\":1,\"runtime\":{\"dist\":"
             "\"fixed\",\"value_s\":1}}]},\"horizon\":{\"start\":\"2024-03-04T00:00:00Z\",\"days\":1,"
             "\"series_outside\":\"map-year\"}}", WS_TEST_DATA);
    ws_test_load_scenario("lwa.json", json, &sc);
    assert_true(sc.series_shift_s == 1461 * 86400.0);
    ws_scenario_free(&sc);
}

/* horizon.start "trace": an SWF trace's UnixStartTime; a trace without a clock is refused. */
static void test_start_at_trace(void **state)
{
    (void)state;
    ws_test_write("t.swf", "; UnixStartTime: 1570000000\n; MaxProcs: 4\n1 0 -1 100 1 -1 -1 1 100 -1 1 1 1 1 1 1 -1 -1\n");
    ws_test_write("t.csv", "job_id,submit_s,runtime_s,cores\n1,0,100,1\n");
    const char *fmt = "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":100,\"nodes\":[{\"type\":\"c\",\"count\":1,"
                      "\"cores\":4,\"power\":{\"model\":\"linear\",\"idle_w\":0,\"max_w\":100}}]}],"
                      "\"workload\":{\"trace\":\"%s\"},\"horizon\":{\"start\":\"trace\",\"until\":\"makespan\"}}";
    char json[1024];
    ws_scenario sc;
    snprintf(json, sizeof json, fmt, "t.swf");
    ws_test_load_scenario("st.json", json, &sc);
    assert_true(sc.start_unix_s == 1570000000.0);
    ws_scenario_free(&sc);
    snprintf(json, sizeof json, fmt, "t.csv");
    assert_non_null(strstr(ws_test_scenario_error(json), "horizon.start: "));
    assert_non_null(strstr(ws_test_scenario_error(json), "t.csv has no '; UnixStartTime:' header line"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_profile_huge_weights),
        cmocka_unit_test(test_series_coverage),
        cmocka_unit_test(test_start_at_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
