/* test_ingest_zeus: the ZeusMonitor log parser. No real ZeusMonitor log file was found committed in any
 * public repository we could search (see data/profiles/PROVENANCE.md), so every fixture here is
 * HAND-MADE: the layout is the one Zeus's zeus/monitor/energy.py writes (header
 * "start_time,window_name,elapsed_time,gpu<i>_energy...", a row per end_window with time.time() at
 * begin, the window name, seconds and joules per GPU), the numbers are invented, not measurements. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_testutil.h"

#define Z_HEADER "start_time,window_name,elapsed_time,gpu0_energy,gpu1_energy\n"

static int parse(const char *path, const char *job, ws_mem_sink *m, ws_error *err)
{
    ws_ingest_opts o = ws_test_opts(path);
    o.job = job;
    o.arch = job ? "NVIDIA A100-SXM4-40GB" : NULL;
    char tool[64];
    return ws_test_parse(ws_ingest_zeus, &o, m, tool, err);
}

static void expect_error(const char *name, const char *text, long line, const char *field, const char *want)
{
    ws_test_expect_parse_error(ws_ingest_zeus, name, text, line, field, want);
}

/* HAND-MADE: two windows on two GPUs; each window is one profile, energies summed over GPUs. */
static void test_windows(void **state)
{
    (void)state;
    const char *path = ws_test_write("zeus.csv", Z_HEADER "1700000000.5,epoch,10.0,2000.0,1500.0\n"
                                                          "1700000011.0,step,0.05,0.0,12.5\n");
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(path, NULL, &m, &err), WS_OK);
    assert_int_equal(m.n_profiles, 2);
    assert_int_equal(m.n_samples, 0);
    const ws_profile *p = &m.profiles[0];
    assert_string_equal(p->job, "epoch");
    assert_string_equal(p->device, "gpu0+gpu1");
    assert_close(p->energy_j, 3500.0, 1e-12);
    assert_close(p->energy_gpu_j, 3500.0, 1e-12);
    assert_true(isnan(p->energy_cpu_j));
    assert_close(p->duration_s, 10.0, 1e-12);
    assert_close(p->mean_power_w, 350.0, 1e-12);
    assert_string_equal(p->start_time, "2023-11-14T22:13:20.500Z");
    assert_string_equal(p->energy_note, "");
    /* A GPU that read 0 J is flagged, not hidden. */
    assert_non_null(strstr(m.profiles[1].energy_note, "gpu0_energy read 0 J"));
    assert_close(m.profiles[1].energy_j, 12.5, 1e-12);
    ws_mem_sink_free(&m);
}

/* HAND-MADE: --job and --arch win; columns in another order; no start_time column; one row. */
static void test_order_job_arch(void **state)
{
    (void)state;
    const char *path = ws_test_write("order.csv", "gpu3_energy,elapsed_time,window_name\n100,2,w\n");
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(path, "train", &m, &err), WS_OK);
    assert_int_equal(m.n_profiles, 1);
    assert_string_equal(m.profiles[0].job, "train");
    assert_string_equal(m.profiles[0].run_id, "w");
    assert_string_equal(m.profiles[0].arch, "a100-sxm4-40gb");
    assert_close(m.profiles[0].mean_power_w, 50.0, 1e-12);
    assert_string_equal(m.profiles[0].start_time, "");
    ws_mem_sink_free(&m);
}

static void test_empty_and_header_only(void **state)
{
    (void)state;
    expect_error("empty.csv", "", 0, "", "empty file");
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(ws_test_write("header.csv", Z_HEADER), NULL, &m, &err), WS_OK);
    assert_int_equal(m.n_profiles, 0);
    ws_mem_sink_free(&m);
}

/* HAND-MADE bad inputs. */
static void test_bad_input(void **state)
{
    (void)state;
    expect_error("nonnum.csv", Z_HEADER "1700000000,a,1,x,2\n", 2, "gpu0_energy", "not a number");
    expect_error("nan.csv", Z_HEADER "1700000000,a,1,nan,2\n", 2, "gpu0_energy", "missing value");
    expect_error("neg.csv", Z_HEADER "1700000000,a,1,5,-2\n", 2, "gpu1_energy", "negative");
    expect_error("negt.csv", Z_HEADER "1700000000,a,-1,5,2\n", 2, "elapsed_time", "negative");
    expect_error("trunc.csv", Z_HEADER "1700000000,a,1,5,2\n1700000002,b,1,5", 3, "", "truncated last line");
    expect_error("comma.csv", Z_HEADER "1700000000,a,b,1,5,2\n", 2, "", "wrong field count");
    expect_error("nogpu.csv", "start_time,window_name,elapsed_time,\n1700000000,a,1,\n", 1, "gpu0_energy",
                 "missing column");
    expect_error("badstart.csv", Z_HEADER "yesterday,a,1,5,2\n", 2, "start_time", "neither");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_order_job_arch),
        cmocka_unit_test(test_empty_and_header_only),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
