/* test_ingest_plain: wattscale's own CSV/JSON formats and the jobs tables (one row per run), with
 * numbers worked out by hand or taken from the files themselves. */
#include <math.h>
#include <string.h>

#include "ws_ingest_store.h"
#include "ws_testutil.h"

static void test_plain_csv_iso_and_meta(void **state)
{
    (void)state;
    const char *path = ws_test_write("p.csv", "# job: rapl-test\n# arch: Intel(R) Xeon(R) Silver 4216 CPU @ 2.10GHz\n"
                                              "# work: 12\n# work_unit: epochs\n# tool: powerjoular 1.0\n"
                                              "timestamp,power_w,util_pct\n"
                                              "2024-05-01T10:00:00Z,40,10\n2024-05-01T10:00:10Z,60,90\n"
                                              "2024-05-01T10:00:20Z,60,[N/A]\n");
    ws_ingest_opts o = ws_test_opts(path);
    ws_mem_sink m;
    ws_error err;
    char tool[64];
    assert_int_equal(ws_test_parse(ws_ingest_plain_csv, &o, &m, tool, &err), WS_OK);
    const ws_profile *p = &m.profiles[0];
    /* (40+60)/2*10 + 60*10 = 1100 J over 20 s. */
    assert_true(fabs(p->energy_j - 1100.0) < 1e-9);
    assert_true(p->duration_s == 20.0);
    assert_string_equal(p->job, "rapl-test");
    assert_string_equal(p->arch, "xeon-silver-4216");
    assert_true(p->work == 12.0);
    assert_string_equal(p->work_unit, "epochs");
    assert_string_equal(tool, "powerjoular 1.0");
    assert_string_equal(p->start_time, "2024-05-01T10:00:00Z");
    assert_true(fabs(p->mean_util_pct - 50.0) < 1e-12);
    ws_mem_sink_free(&m);
}

/* The short-job caveat belongs to NVML/nvidia-smi readings (a ~1 s moving average), not to a 2 s
 * series from another meter. */
static void test_plain_no_short_job_caveat(void **state)
{
    (void)state;
    const char *path = ws_test_write("short.csv", "t_s,power_w\n0,10\n1,10\n2,10\n");
    ws_ingest_opts o = ws_test_opts(path);
    ws_mem_sink m;
    ws_error err;
    char tool[64];
    assert_int_equal(ws_test_parse(ws_ingest_plain_csv, &o, &m, tool, &err), WS_OK);
    assert_true(m.profiles[0].energy_j == 20.0 && m.profiles[0].energy_hi_j == 20.0);
    assert_string_equal(m.profiles[0].energy_note, "");
    ws_mem_sink_free(&m);
}

static void test_plain_csv_energy_counter(void **state)
{
    (void)state;
    /* A RAPL-style cumulative counter: energy is last - first, whatever the sampled power says. */
    const char *path = ws_test_write("rapl.csv", "t_s,energy_j\n0,1000\n1,1030.5\n3,1100\n");
    ws_ingest_opts o = ws_test_opts(path);
    ws_mem_sink m;
    ws_error err;
    char tool[64];
    assert_int_equal(ws_test_parse(ws_ingest_plain_csv, &o, &m, tool, &err), WS_OK);
    assert_true(m.profiles[0].energy_j == 100.0);
    assert_true(m.profiles[0].duration_s == 3.0);
    ws_mem_sink_free(&m);
    path = ws_test_write("rapl_bad.csv", "t_s,energy_j\n0,1000\n1,990\n");
    o = ws_test_opts(path);
    assert_int_equal(ws_test_parse(ws_ingest_plain_csv, &o, &m, tool, &err), WS_EINPUT);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.field, "energy_j");
    ws_mem_sink_free(&m);
}

static void test_plain_json(void **state)
{
    (void)state;
    const char *path = ws_test_write("p.json", "[{\"job\": \"a\", \"arch\": \"Tesla T4\", \"work\": 3, \"work_unit\": \"epochs\","
                                               " \"samples\": [{\"t_s\": 0, \"power_w\": 10}, {\"t_s\": 2, \"power_w\": 30}]},"
                                               " {\"job\": \"b\", \"samples\": [{\"time\": \"2024-01-01T00:00:00Z\", \"power_w\": 5},"
                                               " {\"time\": \"2024-01-01T00:00:04Z\", \"power_w\": 5}]}]");
    ws_ingest_opts o = ws_test_opts(path);
    ws_mem_sink m;
    ws_error err;
    char tool[64];
    assert_int_equal(ws_test_parse(ws_ingest_plain_json, &o, &m, tool, &err), WS_OK);
    assert_int_equal(m.n_profiles, 2);
    assert_true(m.profiles[0].energy_j == 40.0);
    assert_string_equal(m.profiles[0].arch, "t4");
    assert_true(m.profiles[0].work == 3.0);
    assert_true(m.profiles[1].energy_j == 20.0);
    assert_string_equal(m.profiles[1].start_time, "2024-01-01T00:00:00Z");
    ws_mem_sink_free(&m);
    path = ws_test_write("bad.json", "{\"samples\": [{\"t_s\": 0, \"power_w\": 1}, {\"t_s\": 1}]}");
    o = ws_test_opts(path);
    assert_int_equal(ws_test_parse(ws_ingest_plain_json, &o, &m, tool, &err), WS_EINPUT);
    assert_string_equal(err.field, "samples[1]");
    ws_mem_sink_free(&m);
    path = ws_test_write("broken.json", "{\"samples\": [\n{\"t_s\": 0,,}]}");
    o = ws_test_opts(path);
    assert_int_equal(ws_test_parse(ws_ingest_plain_json, &o, &m, tool, &err), WS_EINPUT);
    assert_int_equal(err.line, 2);
    ws_mem_sink_free(&m);
}

/* The Baler study's published figures: the energy ratio of AMP is 0.143103 / 0.21273390 = 0.6727. */
static void test_jobs_baler_study(void **state)
{
    (void)state;
    ws_ingest_opts o = ws_test_opts(WS_TEST_DATA "/studies/baler_t4_amp.csv");
    ws_mem_sink m;
    ws_error err;
    char tool[64];
    assert_int_equal(ws_test_parse(ws_ingest_jobs, &o, &m, tool, &err), WS_OK);
    assert_int_equal(m.n_profiles, 3);
    assert_string_equal(m.profiles[0].job, "normal_training");
    assert_string_equal(m.profiles[0].arch, "t4-xeon-silver-4216");
    assert_true(m.profiles[0].duration_s == 6041.347);
    assert_close(m.profiles[0].energy_j, 0.21273390494325 * 3.6e6, 1e-12);
    assert_close(m.profiles[1].energy_j / m.profiles[0].energy_j, 0.6727, 1e-4);
    assert_int_equal(m.n_samples, 0);
    ws_mem_sink_free(&m);
}

/* The H100 NVML counter table, with work = samples_per_s * duration_s = rows x epochs. */
static void test_jobs_h100_counter_table(void **state)
{
    (void)state;
    ws_ingest_opts o = ws_test_opts(WS_TEST_DATA "/measured/h100/jobs_r0.csv");
    o.arch = "NVIDIA H100 80GB HBM3";
    o.work_column = "samples_per_s*duration_s";
    o.work_unit = "samples";
    ws_mem_sink m;
    ws_error err;
    char tool[64];
    assert_int_equal(ws_test_parse(ws_ingest_jobs, &o, &m, tool, &err), WS_OK);
    assert_int_equal(m.n_profiles, 10);
    const ws_profile *p = &m.profiles[2];
    assert_string_equal(p->job, "fp32_gpu_b512");
    assert_string_equal(p->arch, "h100-80gb-hbm3");
    assert_true(p->energy_j == 1778.546 && p->energy_gpu_j == 1778.546);
    /* samples_per_s is written to 0.1, so the product is good to ~2e-6: 520,000 rows x 5 epochs. */
    assert_close(p->work, 520000.0 * 5, 1e-5);
    /* Compression: 20 passes over 520,000 rows = 10.4 M samples (the rows column already counts
     * the passes, so rows*epochs would double count: hence samples_per_s*duration_s). */
    assert_close(m.profiles[7].work, 10400000.0, 1e-5);
    ws_mem_sink_free(&m);
    o.work_column = "rows*nosuch";
    assert_int_equal(ws_test_parse(ws_ingest_jobs, &o, &m, tool, &err), WS_EINPUT);
    assert_string_equal(err.field, "nosuch");
    ws_mem_sink_free(&m);
}

static void test_sniff(void **state)
{
    (void)state;
    ws_error err;
    assert_string_equal(ws_ingest_sniff(WS_TEST_DATA "/measured/h100/nvidia-smi_query_run.csv", &err)->name, "nvidia-smi");
    assert_string_equal(ws_ingest_sniff(WS_TEST_DATA "/measured/h100/jobs_r0.csv", &err)->name, "jobs");
    assert_string_equal(ws_ingest_sniff(WS_TEST_DATA "/studies/baler_t4_amp.csv", &err)->name, "jobs");
    assert_null(ws_ingest_sniff(WS_TEST_DATA "/measured/h100/util_curve.csv", &err));
    assert_int_equal(err.line, 1);
    /* Found writing docs/formats.md: "# key: value" lines before the header hid it from the sniffer. */
    assert_string_equal(ws_ingest_sniff(ws_test_write("c.csv", "# job: x\n# arch: y\nt_s,power_w\n0,1\n"), &err)->name,
                        "wattscale-csv");
    assert_null(ws_ingest_sniff(ws_test_write("e.csv", "\n\n"), &err));
    assert_non_null(strstr(err.message, "empty"));
}

/* Interleaved devices (found on a real 8 x H100 log with gpu_index and power_W, integrated as one
 * series with 8 samples per instant: 60 kJ instead of 487 kJ). With the device column: one profile per
 * device, by hand: GPU 0 100 W -> 300 W over 2 s = 400 J, GPU 1 50 W flat over 2 s = 100 J. Without
 * it, the repeated instant is refused at its line. */
static void test_plain_interleaved_devices(void **state)
{
    (void)state;
    static const char *rows = "0,0,100\n0,1,50\n1,0,200\n1,1,50\n2,0,300\n2,1,50\n";
    char text[256];
    snprintf(text, sizeof text, "t_s,gpu_index,power_W\n%s", rows);
    const char *dev = ws_test_write("dev.csv", text);
    assert_string_equal(ws_ingest_sniff(dev, &(ws_error){0})->name, "wattscale-csv");
    ws_mem_sink m;
    ws_test_parse_ok(ws_ingest_plain_csv, dev, &m);
    assert_int_equal(m.n_profiles, 2);
    assert_string_equal(m.profiles[0].device, "0");
    assert_string_equal(m.profiles[1].device, "1");
    assert_true(fabs(m.profiles[0].energy_j - 400.0) < 1e-9);
    assert_true(fabs(m.profiles[1].energy_j - 100.0) < 1e-9);
    ws_mem_sink_free(&m);
    snprintf(text, sizeof text, "t_s,power_w,note\n0,100,a\n0,50,b\n");
    ws_test_expect_parse_error(ws_ingest_plain_csv, "nodev.csv", text, 3, "time", "repeats the previous sample's time");
    /* A row repeated as it was (a logger's duplicate) is skipped and said: 100 W over 2 s = 200 J. */
    ws_test_parse_ok(ws_ingest_plain_csv, ws_test_write("dup.csv", "t_s,power_w\n0,100\n1,100\n1,100\n2,100\n"), &m);
    assert_true(fabs(m.profiles[0].energy_j - 200.0) < 1e-9);
    assert_non_null(strstr(m.profiles[0].energy_note, "1 duplicate row(s)"));
    ws_mem_sink_free(&m);
}

/* The Zeus power monitor's own sample (data/profiles/zeus, real): Time with nanoseconds, Power in mW.
 * Expected energy by an independent trapezoid over the file, read here with sscanf (seconds of the day
 * as whole seconds + nanoseconds, so no floating time parsing is shared with the parser). */
static void test_zeus_power_monitor_real(void **state)
{
    (void)state;
    const char *path = WS_TEST_DATA "/profiles/zeus/zeus_monitor_sample.csv";
    FILE *f = fopen(path, "r");
    char line[128];
    double t[64], w[64], e = 0;
    int n = 0;
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (n < 64 && fgets(line, sizeof line, f)) {
        int hh, mm, ss;
        long ns, mw;
        assert_int_equal(sscanf(line, "2022-07-13 %d:%d:%d.%ld,%ld", &hh, &mm, &ss, &ns, &mw), 5);
        t[n] = (hh * 3600 + mm * 60 + ss) + ns * 1e-9;
        w[n++] = mw / 1000.0;
    }
    fclose(f);
    for (int i = 1; i < n; i++)
        e += (w[i] + w[i - 1]) / 2 * (t[i] - t[i - 1]);
    assert_int_equal(n, 19);
    assert_string_equal(ws_ingest_sniff(path, &(ws_error){0})->name, "zeus-power");
    ws_mem_sink m;
    ws_test_parse_ok(ws_ingest_plain_csv, path, &m);
    assert_int_equal(m.n_profiles, 1);
    assert_true(fabs(m.profiles[0].energy_j - e) < 1e-6 * e);
    assert_true(fabs(m.profiles[0].duration_s - (t[n - 1] - t[0])) < 1e-6);
    assert_true(m.profiles[0].peak_power_w == 32.5);
    ws_mem_sink_free(&m);
}

/* PowerJoular, both layouts (HAND-MADE fixtures after PowerJoular's writer, src/csv_power.adb; no real
 * file was found committed): the machine file takes Total Power, the per-PID file CPU Power; utilisation
 * is a fraction; times are unpadded with milliseconds as a count ("...:6.5" is 6.005 s). By hand:
 * 20 W -> 30 W over 1 s = 25 J; per PID 4 W -> 6 W over 0.5 s = 2.5 J. */
static void test_powerjoular(void **state)
{
    (void)state;
    const char *path = ws_test_write("pj.csv", "Date,CPU Utilization,Total Power,CPU Power,GPU Power\n"
                                               "2024-11-2 19:17:6.623,0.5,20.0,15.0,5.0\n"
                                               "2024-11-2 19:17:7.623,0.25,30.0,25.0,5.0\n");
    assert_string_equal(ws_ingest_sniff(path, &(ws_error){0})->name, "powerjoular");
    ws_mem_sink m;
    ws_test_parse_ok(ws_ingest_plain_csv, path, &m);
    assert_true(fabs(m.profiles[0].energy_j - 25.0) < 1e-9);
    assert_true(fabs(m.profiles[0].mean_util_pct - 37.5) < 1e-9);
    assert_string_equal(m.profiles[0].start_time, "2024-11-02T19:17:06.623Z");
    ws_mem_sink_free(&m);
    ws_test_parse_ok(ws_ingest_plain_csv,
                     ws_test_write("pjpid.csv", "Date,CPU Utilization,CPU Power\n2024-11- 2  19: 17: 6. 5,0.1,4.0\n"
                                                "2024-11- 2  19: 17: 6. 505,0.1,6.0\n"),
                     &m);
    assert_true(fabs(m.profiles[0].duration_s - 0.5) < 1e-9);
    assert_true(fabs(m.profiles[0].energy_j - 2.5) < 1e-9);
    ws_mem_sink_free(&m);
}

/* Any other CSV by its column names and units: 1 W -> 3 W (given in mW) over 10 s = 20 J; a cumulative
 * counter in Wh: 0.5 Wh -> 1.5 Wh = 3600 J; a named column that is not there is refused. */
static void test_column_mapping(void **state)
{
    (void)state;
    ws_ingest_opts o = ws_test_opts(ws_test_write("map.csv", "when,watts_mW\n0,1000\n10,3000\n"));
    o.time_column = "when";
    o.power_column = "watts_mW";
    o.power_unit = "mW";
    ws_mem_sink m;
    ws_error err;
    char tool[64];
    assert_int_equal(ws_test_parse(ws_ingest_plain_csv, &o, &m, tool, &err), WS_OK);
    assert_true(fabs(m.profiles[0].energy_j - 20.0) < 1e-9);
    ws_mem_sink_free(&m);
    o = ws_test_opts(ws_test_write("mapc.csv", "t,counter_wh\n0,0.5\n60,1.5\n"));
    o.time_column = "t";
    o.energy_column = "counter_wh";
    o.energy_unit = "Wh";
    assert_int_equal(ws_test_parse(ws_ingest_plain_csv, &o, &m, tool, &err), WS_OK);
    assert_true(fabs(m.profiles[0].energy_j - 3600.0) < 1e-9);
    ws_mem_sink_free(&m);
    o.energy_column = "nope";
    assert_int_equal(ws_test_parse(ws_ingest_plain_csv, &o, &m, tool, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "--energy-column: no column 'nope'"));
    ws_mem_sink_free(&m);
}

/* A wide per-GPU layout (a pynvml loop writing one power column per GPU): one profile per column, by
 * hand GPU 0 100 -> 200 -> 300 W over 2 s = 400 J, GPU 1 50 W x 2 s = 100 J. */
static void test_wide_per_gpu(void **state)
{
    (void)state;
    const char *path = ws_test_write("wide.csv", "Timestamp,GPU 0 Power (W),gpu1_power_w\n"
                                                 "2024-01-01 00:00:00,100,50\n2024-01-01 00:00:01,200,50\n"
                                                 "2024-01-01 00:00:02,300,50\n");
    assert_string_equal(ws_ingest_sniff(path, &(ws_error){0})->name, "wattscale-csv");
    ws_mem_sink m;
    ws_test_parse_ok(ws_ingest_plain_csv, path, &m);
    assert_int_equal(m.n_profiles, 2);
    assert_string_equal(m.profiles[0].device, "gpu0");
    assert_string_equal(m.profiles[1].device, "gpu1");
    assert_true(fabs(m.profiles[0].energy_j - 400.0) < 1e-9);
    assert_true(fabs(m.profiles[1].energy_j - 100.0) < 1e-9);
    ws_mem_sink_free(&m);
}

/* Strict JSON (found accepted with exit 0 before): wrong types, unknown keys, 1e999 (infinity), names
 * longer than the store keeps, and anything after the document are refused, naming the JSON path. */
static void test_plain_json_strict(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{\"job\": 5, \"samples\": [{\"t_s\": 0, \"power_w\": 1}]}", "job: must be a string"},
        {"{\"jbo\": \"x\", \"samples\": [{\"t_s\": 0, \"power_w\": 1}]}", "jbo: unknown key"},
        {"{\"samples\": [{\"t_s\": 0, \"power_w\": 1e999}]}", "samples[0].power_w: not a finite number"},
        {"{\"samples\": [{\"t_s\": 0, \"powr_w\": 1}]}", "samples[0].powr_w: unknown key"},
        {"{\"samples\": [{\"t_s\": 0, \"power_w\": 1}]} {\"x\": 1}", "something after the end of the JSON document"},
        {"[{\"job\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"samples\": [{\"t_s\": 0, \"power_w\": 1}]}]",
         "[0].job: longer than 127 characters"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ws_ingest_opts o = ws_test_opts(ws_test_write("strict.json", bad[i].text));
        ws_mem_sink m;
        ws_error err;
        char tool[64];
        assert_int_equal(ws_test_parse(ws_ingest_plain_json, &o, &m, tool, &err), WS_EINPUT);
        if (!strstr(err.message, bad[i].want))
            fail_msg("case %zu: '%s' does not say '%s'", i, err.message, bad[i].want);
        ws_mem_sink_free(&m);
    }
}

/* Found by fuzz_ingest: with --skip-bad-rows a refused header was "skipped" like a bad row, and the rows
 * were then read with no layout (an out-of-bounds read in the Zeus parser). A bad header ends the read. */
static void test_skip_bad_rows_keeps_header_errors(void **state)
{
    (void)state;
    ws_ingest_opts o = ws_test_opts(ws_test_write("wide_as_zeus.csv", "timestamp,GPU0,GPU1\n0,100,50\n1,200,50\n"));
    ws_skips sk = {0};
    o.skip_bad_rows = &sk;
    ws_mem_sink m;
    ws_error err;
    char tool[64];
    assert_int_equal(ws_test_parse(ws_ingest_zeus, &o, &m, tool, &err), WS_EINPUT);
    assert_int_equal(err.line, 1);
    assert_int_equal(sk.n, 0);
    ws_mem_sink_free(&m);
}

/* One transaction per file: a parser failing after it began profiles leaves no trace. */
static void test_store_rollback(void **state)
{
    (void)state;
    ws_store st;
    assert_int_equal(ws_store_open(&st, ws_test_path("r.db")), 0);
    const char *path = ws_test_write("late.csv", "timestamp, index, power.draw [W]\n2026/01/01 00:00:00, 0, 5 W\n"
                                                 "2026/01/01 00:00:01, 1, 5 W\n2026/01/01 00:00:02, 0, x W\n");
    ws_ingest_opts o = ws_test_opts(path);
    ws_ingest_result res;
    ws_error err;
    assert_int_equal(ws_ingest_file(&st, NULL, &o, &res, &err), WS_EINPUT);
    assert_int_equal(err.line, 4);
    ws_ingest_result_free(&res);
    sqlite3_stmt *s = ws_store_prepare(&st, "SELECT (SELECT count(*) FROM sources) + (SELECT count(*) FROM profiles)"
                                            " + (SELECT count(*) FROM samples)");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 0);
    sqlite3_finalize(s);
    s = ws_store_prepare(&st, "PRAGMA user_version");
    sqlite3_step(s);
    assert_true(sqlite3_column_int(s, 0) >= 2);
    sqlite3_finalize(s);
    ws_store_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_csv_iso_and_meta), cmocka_unit_test(test_plain_csv_energy_counter),
        cmocka_unit_test(test_plain_no_short_job_caveat),
        cmocka_unit_test(test_plain_json),             cmocka_unit_test(test_jobs_baler_study),
        cmocka_unit_test(test_jobs_h100_counter_table), cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_store_rollback),          cmocka_unit_test(test_plain_interleaved_devices),
        cmocka_unit_test(test_zeus_power_monitor_real),  cmocka_unit_test(test_powerjoular),
        cmocka_unit_test(test_column_mapping),           cmocka_unit_test(test_wide_per_gpu),
        cmocka_unit_test(test_plain_json_strict),       cmocka_unit_test(test_skip_bad_rows_keeps_header_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
