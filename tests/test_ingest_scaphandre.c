/* test_ingest_scaphandre: Scaphandre JSON reports (HAND-MADE fixtures in the layout of Scaphandre's JSON
 * exporter, src/exporters/json.rs: host and sockets in µW with Unix timestamps; no real report file was
 * found committed). By hand: host 10 W -> 30 W over 2 s = 40 J, socket 0 6 W -> 8 W = 14 J; the 1.0
 * layout (reports back to back) and the 0.5 one (an array) give the same; consumers are not stored. */
#include <math.h>
#include <string.h>

#include "ws_testutil.h"

#define R1 "{\"host\":{\"consumption\":10000000.0,\"timestamp\":1700000000.0,\"components\":{\"disks\":null}}," \
           "\"consumers\":[],\"sockets\":[{\"id\":0,\"consumption\":6000000.0,\"domains\":[],\"timestamp\":1700000000.0}]}"
#define R2 "{\"host\":{\"consumption\":30000000.0,\"timestamp\":1700000002.0,\"components\":{\"disks\":null}}," \
           "\"consumers\":[{\"exe\":\"/bin/x\",\"cmdline\":\"x\",\"pid\":1,\"resources_usage\":null,"           \
           "\"consumption\":1000000.0,\"timestamp\":1700000002.0,\"container\":null}],"                         \
           "\"sockets\":[{\"id\":0,\"consumption\":8000000.0,\"domains\":[],\"timestamp\":1700000002.0}]}"

static void check(const char *name, const char *text)
{
    const char *path = ws_test_write(name, text);
    ws_error err;
    assert_string_equal(ws_ingest_sniff(path, &err)->name, "scaphandre");
    ws_mem_sink m;
    ws_test_parse_ok(ws_ingest_scaphandre, path, &m);
    assert_int_equal(m.n_profiles, 2);
    assert_string_equal(m.profiles[0].device, "host");
    assert_string_equal(m.profiles[1].device, "socket0");
    assert_true(fabs(m.profiles[0].energy_j - 40.0) < 1e-9);
    assert_true(fabs(m.profiles[1].energy_j - 14.0) < 1e-9);
    assert_true(m.profiles[0].duration_s == 2.0);
    assert_string_equal(m.profiles[0].start_time, "2023-11-14T22:13:20Z");
    ws_mem_sink_free(&m);
}

static void test_layouts(void **state)
{
    (void)state;
    check("v1.json", R1 R2);
    check("v1_lines.json", R1 "\n" R2 "\n");
    check("v05.json", "[" R1 "," R2 "]");
}

static void test_bad(void **state)
{
    (void)state;
    ws_ingest_opts o = ws_test_opts(ws_test_write("back.json", R2 R1));
    ws_mem_sink m;
    ws_error err;
    char tool[64];
    assert_int_equal(ws_test_parse(ws_ingest_scaphandre, &o, &m, tool, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "report 2: timestamp"));
    ws_mem_sink_free(&m);
    o = ws_test_opts(ws_test_write("cut.json", R1 "{\"host\":{\"consumption\":1"));
    assert_int_equal(ws_test_parse(ws_ingest_scaphandre, &o, &m, tool, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "report 2: not JSON"));
    ws_mem_sink_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_layouts), cmocka_unit_test(test_bad)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
