/* test_ingest_nvsmi: nvidia-smi logs: the real H100 logs against the NVML energy counter, units in
 * values or header, interleaved GPUs, and every kind of bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_csv.h"
#include "ws_testutil.h"

#define H100 WS_TEST_DATA "/measured/h100/"

static int parse(const char *path, ws_mem_sink *m, ws_error *err)
{
    ws_ingest_opts o = ws_test_opts(path);
    char tool[64];
    return ws_test_parse(ws_ingest_nvsmi, &o, m, tool, err);
}

/* The NVML total-energy counter difference of a job, from jobs_r0.csv (independent of the logs). */
static double counter_j(const char *job, double *duration_s)
{
    ws_csv c;
    assert_int_equal(ws_csv_open(&c, H100 "jobs_r0.csv", ','), 0);
    assert_int_equal(ws_csv_next(&c), 1);
    int cj = ws_csv_find(c.fields, c.nfields, "job"), ce = ws_csv_find(c.fields, c.nfields, "gpu_energy_j");
    int cd = ws_csv_find(c.fields, c.nfields, "duration_s");
    double e = NAN;
    while (ws_csv_next(&c) == 1)
        if (strcmp(c.fields[cj], job) == 0) {
            e = atof(c.fields[ce]);
            *duration_s = atof(c.fields[cd]);
        }
    ws_csv_close(&c);
    return e;
}

static void test_h100_logs_match_counter(void **state)
{
    (void)state;
    static const char *const jobs[] = {"baseline_fp64_dataloader_b512", "fp64_gpu_b512", "fp32_gpu_b512",
                                       "amp_bf16_gpu_b512", "amp_fp16_scaled_gpu_b512", "fp32_gpu_b4096",
                                       "fp32_gpu_b16384", "compress_fp64_b512", "compress_fp32_b4096",
                                       "compress_bf16_b4096"};
    for (size_t i = 0; i < sizeof jobs / sizeof *jobs; i++) {
        char path[512];
        snprintf(path, sizeof path, H100 "power_%s_r0.csv", jobs[i]);
        ws_mem_sink m;
        ws_error err;
        assert_int_equal(parse(path, &m, &err), WS_OK);
        assert_int_equal(m.n_profiles, 1);
        const ws_profile *p = &m.profiles[0];
        double dur = 0, e = counter_j(jobs[i], &dur);
        assert_false(isnan(e));
        assert_string_equal(p->arch, ""); /* these logs carry no GPU name */
        assert_true(p->energy_gpu_j == p->energy_j);
        if (dur > 10) {
            /* Long jobs: within 2 % of the counter, no caveat. */
            assert_close(p->energy_j, e, 0.02);
            assert_true(strstr(p->energy_note, "short job") == NULL);
        } else {
            /* Short jobs read low by up to 15 %: the interval must hold the counter. */
            assert_true(p->energy_j <= e);
            assert_true(p->energy_j >= 0.85 * e);
            assert_true(p->energy_hi_j >= e);
            assert_non_null(strstr(p->energy_note, "short job"));
        }
        ws_mem_sink_free(&m);
    }
}

/* The raw nvidia-smi log of the whole session: units in values, GPU name in the file. */
static void test_h100_session_log(void **state)
{
    (void)state;
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(H100 "nvidia-smi_query_run.csv", &m, &err), WS_OK);
    assert_int_equal(m.n_profiles, 1);
    const ws_profile *p = &m.profiles[0];
    assert_string_equal(p->arch, "h100-80gb-hbm3");
    assert_string_equal(p->arch_name, "NVIDIA H100 80GB HBM3");
    assert_int_equal(p->n_samples, 2361);
    assert_int_equal(m.n_samples, 2361);
    assert_string_equal(p->start_time, "2026-11-22T10:09:27.618Z");
    assert_true(m.samples[0].power_w == 119.51);
    assert_true(m.samples[0].util_pct == 0.0);
    /* Independently: Python's csv + datetime + trapezoid over the same file gives 80490.0794 J over
     * 472.882 s; the peak sits just above the 700 W limit, as the driver's limiter allows. */
    assert_close(p->energy_j, 80490.0794, 1e-8);
    assert_close(p->duration_s, 472.882, 1e-8);
    assert_true(p->peak_power_w == 701.55);
    assert_int_equal(p->n_gaps, 0);
    ws_mem_sink_free(&m);
}

static void test_trapezoid_by_hand(void **state)
{
    (void)state;
    /* 100 W for 1 s, then a ramp to 300 W over 2 s: 100*1 + (100+300)/2*2 = 500 J over 3 s. */
    const char *path = ws_test_write("hand.csv", "timestamp, power.draw [W], utilization.gpu [%]\n"
                                                 "2026/01/01 00:00:00.000, 100.00 W, 10 %\n"
                                                 "2026/01/01 00:00:01.000, 100.00 W, 20 %\n"
                                                 "2026/01/01 00:00:03.000, 300.00 W, 90 %\n");
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(path, &m, &err), WS_OK);
    const ws_profile *p = &m.profiles[0];
    assert_true(fabs(p->energy_j - 500.0) < 1e-9);
    assert_true(fabs(p->duration_s - 3.0) < 1e-9);
    assert_true(fabs(p->mean_power_w - 500.0 / 3) < 1e-9);
    assert_true(p->peak_power_w == 300.0);
    assert_true(fabs(p->mean_util_pct - 40.0) < 1e-9);
    ws_mem_sink_free(&m);
}

static void test_nounits_and_interleaved(void **state)
{
    (void)state;
    const char *path = ws_test_write("two.csv", "timestamp, index, name, power.draw [W], utilization.gpu [%]\n"
                                                "2026/01/01 00:00:00.000, 0, NVIDIA A100-SXM4-40GB, 50.0, 0\n"
                                                "2026/01/01 00:00:00.000, 1, NVIDIA A100-SXM4-40GB, 60.0, [N/A]\n"
                                                "2026/01/01 00:00:02.000, 0, NVIDIA A100-SXM4-40GB, 150.0, 100\n"
                                                "2026/01/01 00:00:02.000, 1, NVIDIA A100-SXM4-40GB, [N/A], 5\n"
                                                "2026/01/01 00:00:04.000, 1, NVIDIA A100-SXM4-40GB, 80.0, 5\n");
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(path, &m, &err), WS_OK);
    assert_int_equal(m.n_profiles, 2);
    assert_string_equal(m.profiles[0].device, "0");
    assert_string_equal(m.profiles[0].arch, "a100-sxm4-40gb");
    assert_true(fabs(m.profiles[0].energy_j - 200.0) < 1e-9);
    /* GPU 1: the [N/A] sample is skipped and said; 60 W -> 80 W over 4 s = 280 J. */
    assert_true(fabs(m.profiles[1].energy_j - 280.0) < 1e-9);
    assert_non_null(strstr(m.profiles[1].energy_note, "without power"));
    assert_int_equal(m.n_samples, 5);
    ws_mem_sink_free(&m);
}

/* An 8-GPU nvidia-smi log whose GPU number is in a `gpu` column while `index` is constant (found on a
 * real file: 590 J instead of 3,964 J). Every device column counts: two profiles, "0/0" and "0/1", by
 * hand 100 W x 2 s = 200 J and 200 W x 2 s = 400 J. A repeated instant on one GPU is refused. */
static void test_gpu_column_and_repeats(void **state)
{
    (void)state;
    const char *path = ws_test_write("gpucol.csv", "timestamp, index, gpu, power.draw [W]\n"
                                                   "2026/01/01 00:00:00.000, 0, 0, 100.0\n"
                                                   "2026/01/01 00:00:00.000, 0, 1, 200.0\n"
                                                   "2026/01/01 00:00:02.000, 0, 0, 100.0\n"
                                                   "2026/01/01 00:00:02.000, 0, 1, 200.0\n");
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(path, &m, &err), WS_OK);
    assert_int_equal(m.n_profiles, 2);
    assert_string_equal(m.profiles[0].device, "0/0");
    assert_string_equal(m.profiles[1].device, "0/1");
    assert_true(fabs(m.profiles[0].energy_j - 200.0) < 1e-9);
    assert_true(fabs(m.profiles[1].energy_j - 400.0) < 1e-9);
    ws_mem_sink_free(&m);
    ws_test_expect_parse_error(ws_ingest_nvsmi, "allna.csv",
                               "timestamp, power.draw [W]\n2026/01/01 00:00:00.000, [N/A]\n2026/01/01 00:00:01.000, [N/A]\n",
                               0, "power.draw", "every power reading is [N/A]");
    ws_test_expect_parse_error(ws_ingest_nvsmi, "rep.csv",
                               "timestamp, power.draw [W]\n2026/01/01 00:00:00.000, 100.0\n"
                               "2026/01/01 00:00:00.000, 200.0\n",
                               3, "timestamp", "repeats the previous timestamp of GPU 0");
}

static void test_noheader_needs_columns(void **state)
{
    (void)state;
    const char *path = ws_test_write("nohdr.csv", "2026/01/01 00:00:00.000, 10.0 W\n2026/01/01 00:00:10.000, 30.0 W\n");
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(path, &m, &err), WS_EINPUT);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.message, "--columns"));
    ws_mem_sink_free(&m);
    ws_ingest_opts o = ws_test_opts(path);
    o.columns = "timestamp,power.draw";
    char tool[64];
    assert_int_equal(ws_test_parse(ws_ingest_nvsmi, &o, &m, tool, &err), WS_OK);
    assert_true(fabs(m.profiles[0].energy_j - 200.0) < 1e-9);
    /* A 10 s step is longer than the 5 s gap threshold: counted and said. */
    assert_int_equal(m.profiles[0].n_gaps, 1);
    assert_true(m.profiles[0].energy_lo_j == 100.0 && m.profiles[0].energy_hi_j == 300.0);
    ws_mem_sink_free(&m);
}

static void test_one_sample(void **state)
{
    (void)state;
    const char *path = ws_test_write("one.csv", "timestamp, power.draw [W]\n2026/01/01 00:00:00.000, 42.0 W\n");
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(path, &m, &err), WS_OK);
    assert_true(isnan(m.profiles[0].energy_j)); /* unknown, not zero */
    assert_true(m.profiles[0].mean_power_w == 42.0);
    assert_non_null(strstr(m.profiles[0].energy_note, "single sample"));
    ws_mem_sink_free(&m);
}

typedef struct {
    const char *name, *text;
    long line;
    const char *field, *message_part;
} bad_case;

static void test_bad_input(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"empty.csv", "", 0, "", "empty"},
        {"unsorted.csv", "timestamp, power.draw [W]\n2026/01/01 00:00:02.000, 1 W\n2026/01/01 00:00:01.000, 1 W\n", 3,
         "timestamp", "earlier"},
        {"negative.csv", "timestamp, power.draw [W]\n2026/01/01 00:00:00.000, -5 W\n", 2, "power.draw", "negative"},
        {"nonnum.csv", "timestamp, power.draw [W]\n2026/01/01 00:00:00.000, lots W\n", 2, "power.draw", "not a number"},
        {"unit.csv", "timestamp, power.draw [W]\n2026/01/01 00:00:00.000, 5 %\n", 2, "power.draw", "unit"},
        {"truncated.csv", "timestamp, power.draw [W], utilization.gpu [%]\n2026/01/01 00:00:00.000, 5 W, 1 %\n"
                          "2026/01/01 00:00:01.000, 5", 3, "", "truncated"},
        {"badtime.csv", "timestamp, power.draw [W]\nyesterday, 5 W\n", 2, "timestamp", "not a timestamp"},
        {"nopower.csv", "timestamp, utilization.gpu [%]\n2026/01/01 00:00:00.000, 5 %\n", 1, "power.draw", "no power"},
        {"badutil.csv", "timestamp, power.draw [W], utilization.gpu [%]\n2026/01/01 00:00:00.000, 5 W, 150 %\n", 2,
         "utilization.gpu", "percentage"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *path = ws_test_write(cases[i].name, cases[i].text);
        ws_mem_sink m;
        ws_error err;
        int rc = parse(path, &m, &err);
        if (rc != WS_EINPUT || err.line != cases[i].line || strcmp(err.field, cases[i].field) != 0 ||
            !strstr(err.message, cases[i].message_part))
            fail_msg("%s: rc %d, line %ld, field '%s', message '%s'", cases[i].name, rc, err.line, err.field,
                     err.message);
        assert_string_equal(err.file, path);
        ws_mem_sink_free(&m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h100_logs_match_counter), cmocka_unit_test(test_h100_session_log),
        cmocka_unit_test(test_trapezoid_by_hand),       cmocka_unit_test(test_nounits_and_interleaved),
        cmocka_unit_test(test_noheader_needs_columns),  cmocka_unit_test(test_one_sample),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_gpu_column_and_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
