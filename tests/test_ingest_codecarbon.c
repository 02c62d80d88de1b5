/* test_ingest_codecarbon: the CodeCarbon parser against real emissions.csv files (data/profiles/codecarbon,
 * see PROVENANCE.md) with numbers checked by hand against the files, and against small HAND-MADE fixtures
 * for the edge cases (their numbers are invented, not measurements). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_testutil.h"

#define CC_DIR WS_TEST_DATA "/profiles/codecarbon/"

static int parse(const char *path, const char *job, ws_mem_sink *m, char tool[64], ws_error *err)
{
    ws_ingest_opts o = ws_test_opts(path);
    o.job = job;
    return ws_test_parse(ws_ingest_codecarbon, &o, m, tool, err);
}

/* Parse a hand-made fixture; expect failure with a message containing want (and the line when > 0). */
static void expect_error(const char *name, const char *text, long line, const char *field, const char *want)
{
    ws_test_expect_parse_error(ws_ingest_codecarbon, name, text, line, field, want);
}

/* Real v2.3.1 file: 12 rows, 5 run_ids; run 5d6c08a2 flushed 7 cumulative snapshots (2.0 -> 44.1 s). */
static void test_snapshots_are_one_run(void **state)
{
    (void)state;
    ws_mem_sink m;
    char tool[64];
    ws_error err;
    assert_int_equal(parse(CC_DIR "idrissben_v2.3.1_snapshots.csv", NULL, &m, tool, &err), WS_OK);
    assert_string_equal(tool, "2.3.1");
    assert_int_equal(m.n_profiles, 5);
    assert_int_equal(m.n_samples, 12);
    const ws_profile *p = &m.profiles[4];
    assert_string_equal(p->run_id, "5d6c08a2-d292-42d0-a66a-20282765b56f");
    assert_int_equal(p->n_samples, 7);
    /* The last row's totals, not a sum of the snapshots. */
    assert_close(p->energy_j, 0.0005939216277665562 * 3.6e6, 1e-12);
    assert_close(p->energy_cpu_j, 0.0005204515001840062 * 3.6e6, 1e-12);
    assert_close(p->energy_ram_j, 7.347012758255005e-05 * 3.6e6, 1e-12);
    assert_true(p->energy_gpu_j == 0.0);
    assert_close(p->duration_s, 44.09016823768616, 1e-12);
    assert_close(p->emissions_kg, 4.002437849518822e-05, 1e-12);
    assert_close(p->mean_power_w, 0.0005939216277665562 * 3.6e6 / 44.09016823768616, 1e-12);
    assert_close(p->pue, 1.0, 0);
    assert_string_equal(p->arch, "apple-m2");
    assert_string_equal(p->job, "codecarbon");
    assert_string_equal(p->country, "FRA");
    /* Written 12:39:31 after 44.09 s: started 12:38:46.9, rounded. No zone in the file, none added. */
    assert_string_equal(p->start_time, "2023-11-09T12:38:47");
    /* Its samples: cumulative, t_s = duration. */
    long first = -1, n = 0;
    for (long i = 0; i < m.n_samples; i++)
        if (m.sample_profile[i] == 4) {
            if (first < 0)
                first = i;
            n++;
        }
    assert_int_equal(n, 7);
    assert_close(m.samples[first].t_s, 2.0049641132354736, 1e-12);
    assert_close(m.samples[first].energy_j, 2.6996690399116945e-05 * 3.6e6, 1e-12);
    assert_close(m.samples[first].power_w, 42.5 + 0.0 + 6.0, 1e-12);
    assert_close(m.samples[first + 6].energy_j, p->energy_j, 1e-12);
    /* Run aad3f2fe: two snapshots. */
    assert_int_equal(m.profiles[1].n_samples, 2);
    assert_close(m.profiles[1].energy_j, 0.0003147767714659 * 3.6e6, 1e-12);
    assert_close(m.profiles[1].duration_s, 23.36632490158081, 1e-12);
    ws_mem_sink_free(&m);
}

/* Real v2.7.1 file on a Tesla T4: GPU energy > 0, so arch comes from gpu_model ("1 x Tesla T4"). */
static void test_gpu_run(void **state)
{
    (void)state;
    ws_mem_sink m;
    char tool[64];
    ws_error err;
    assert_int_equal(parse(CC_DIR "gauravvan_v2.7.1_t4.csv", NULL, &m, tool, &err), WS_OK);
    assert_string_equal(tool, "2.7.1");
    assert_int_equal(m.n_profiles, 2);
    const ws_profile *p = &m.profiles[0];
    assert_string_equal(p->arch, "t4");
    assert_string_equal(p->arch_name, "Tesla T4");
    assert_string_equal(p->device, "1 x Tesla T4");
    assert_string_equal(p->job, "codeCarbon_IMDbSentimentData_LoadingData_Analysis");
    assert_close(p->energy_j, 5.735905972235677e-05 * 3.6e6, 1e-12);
    assert_close(p->energy_gpu_j, 9.775285597999957e-06 * 3.6e6, 1e-12);
    /* The file's components add up to its energy_consumed. */
    assert_close(p->energy_cpu_j + p->energy_gpu_j + p->energy_ram_j, p->energy_j, 1e-9);
    assert_string_equal(p->region, "south carolina");
    assert_close(m.profiles[1].energy_j, 0.0029650640729529864 * 3.6e6, 1e-12);
    assert_close(m.profiles[1].duration_s, 122.60499874799996, 1e-12);
    ws_mem_sink_free(&m);
}

/* Real v2.2.2 file: GPU present but 0 kWh, so arch comes from cpu_model; no pue column. */
static void test_cpu_run_no_pue(void **state)
{
    (void)state;
    ws_mem_sink m;
    char tool[64];
    ws_error err;
    assert_int_equal(parse(CC_DIR "fnndsc_v2.2.2_gtx1050ti.csv", NULL, &m, tool, &err), WS_OK);
    assert_int_equal(m.n_profiles, 2);
    const ws_profile *p = &m.profiles[1];
    assert_string_equal(p->arch, "core-i7-7700k");
    assert_true(isnan(p->pue));
    assert_close(p->energy_j, 1.7403688809956894 * 3.6e6, 1e-12);
    assert_close(p->duration_s, 17234.59998345375, 1e-12);
    assert_close(p->emissions_kg, 0.6483703549784203, 1e-12);
    assert_string_equal(p->job, "pypx-repack");
    ws_mem_sink_free(&m);
}

/* Real file from before codecarbon_version was written (v2.1-era column set). */
static void test_no_version_column(void **state)
{
    (void)state;
    ws_mem_sink m;
    char tool[64];
    ws_error err;
    assert_int_equal(parse(CC_DIR "crystalgazers_v2.1_no_version.csv", NULL, &m, tool, &err), WS_OK);
    assert_string_equal(tool, "");
    assert_int_equal(m.n_profiles, 2);
    assert_close(m.profiles[0].energy_j, 0.0062087013193633 * 3.6e6, 1e-12);
    assert_close(m.profiles[0].duration_s, 1314.803290128708, 1e-12);
    assert_string_equal(m.profiles[0].arch, "apple-m1-pro");
    ws_mem_sink_free(&m);
}

/* Real v3.2.3 file: water_consumed, *_utilization_percent, cloud_* moved to the end; 7 runs. */
static void test_v3_columns(void **state)
{
    (void)state;
    ws_mem_sink m;
    char tool[64];
    ws_error err;
    assert_int_equal(parse(CC_DIR "eronqorri_v3.2.3_water_util.csv", "my-job", &m, tool, &err), WS_OK);
    assert_string_equal(tool, "3.2.3");
    assert_int_equal(m.n_profiles, 7);
    assert_int_equal(m.n_samples, 7);
    const ws_profile *p = &m.profiles[6];
    assert_string_equal(p->job, "my-job"); /* --job wins */
    assert_close(p->energy_j, 4.189606758838662e-05 * 3.6e6, 1e-12);
    assert_close(p->duration_s, 31.909150540996052, 1e-12);
    assert_close(m.samples[6].mem_util_pct, 80.54642857142858, 1e-12);
    assert_close(m.samples[6].cpu_power_w, 2.5628499999999996, 1e-12);
    assert_string_equal(p->country, "DEU");
    ws_mem_sink_free(&m);
}

/* HAND-MADE: the v1 column set (no run_id, no components): each row its own profile. */
static void test_v1_hand_made(void **state)
{
    (void)state;
    const char *path = ws_test_write("v1.csv",
                                     "timestamp,experiment_id,project_name,duration,emissions,energy_consumed,"
                                     "country_name,country_iso_code,region,on_cloud,cloud_provider,cloud_region\n"
                                     "2021-03-01T10:00:10,aaaa,proj,10.0,0.001,0.002,France,FRA,,N,,\n"
                                     "2021-03-01T10:01:00,bbbb,proj,20.0,0.002,0.004,France,FRA,,N,,\n");
    ws_mem_sink m;
    char tool[64];
    ws_error err;
    assert_int_equal(parse(path, NULL, &m, tool, &err), WS_OK);
    assert_int_equal(m.n_profiles, 2);
    assert_close(m.profiles[1].energy_j, 0.004 * 3.6e6, 1e-12);
    assert_close(m.profiles[1].mean_power_w, 0.004 * 3.6e6 / 20.0, 1e-12);
    assert_true(isnan(m.profiles[1].energy_cpu_j));
    assert_string_equal(m.profiles[0].start_time, "2021-03-01T10:00:00");
    ws_mem_sink_free(&m);
}

/* HAND-MADE: columns in another order, optional ones missing, one row. */
static void test_order_and_optional(void **state)
{
    (void)state;
    const char *path = ws_test_write("order.csv", "energy_consumed,run_id,duration,project_name\n0.01,r1,36,x\n");
    ws_mem_sink m;
    char tool[64];
    ws_error err;
    assert_int_equal(parse(path, NULL, &m, tool, &err), WS_OK);
    assert_int_equal(m.n_profiles, 1);
    assert_close(m.profiles[0].energy_j, 36000.0, 1e-12);
    assert_close(m.profiles[0].mean_power_w, 1000.0, 1e-12);
    assert_string_equal(m.profiles[0].start_time, "");
    assert_true(isnan(m.profiles[0].emissions_kg));
    ws_mem_sink_free(&m);
}

static void test_empty_and_header_only(void **state)
{
    (void)state;
    expect_error("empty.csv", "", 0, "", "empty file");
    ws_mem_sink m;
    char tool[64];
    ws_error err;
    const char *path =
        ws_test_write("header.csv", "timestamp,project_name,run_id,duration,emissions,energy_consumed\n");
    assert_int_equal(parse(path, NULL, &m, tool, &err), WS_OK);
    assert_int_equal(m.n_profiles, 0); /* the caller reports "no profile found" */
    ws_mem_sink_free(&m);
}

/* HAND-MADE bad inputs: each names its file line and field. */
static void test_bad_input(void **state)
{
    (void)state;
    const char *h = "timestamp,project_name,run_id,duration,cpu_power,energy_consumed\n";
    char text[512];
    snprintf(text, sizeof text, "%s2024-01-01T00:00:05,p,r,5,10,abc\n", h);
    expect_error("nonnum.csv", text, 2, "energy_consumed", "not a number");
    snprintf(text, sizeof text, "%s2024-01-01T00:00:05,p,r,5,10,nan\n", h);
    expect_error("nan.csv", text, 2, "energy_consumed", "missing value");
    snprintf(text, sizeof text, "%s2024-01-01T00:00:05,p,r,5,-3,0.1\n", h);
    expect_error("neg.csv", text, 2, "cpu_power", "negative");
    snprintf(text, sizeof text, "%s2024-01-01T00:00:05,p,r,5,10,0.1\n2024-01-01T00:00:09,p,r,9", h);
    expect_error("trunc.csv", text, 3, "", "truncated last line");
    snprintf(text, sizeof text, "%s2024-01-01T00:00:05,p,r,5,10,0.1\n2024-01-01T00:00:09,p,r,4,10,0.2\n", h);
    expect_error("back.csv", text, 3, "duration", "went back");
    expect_error("nodur.csv", "timestamp,project_name,emissions,energy_consumed\nx,p,1,1\n", 1, "duration",
                 "missing column");
    snprintf(text, sizeof text, "%s2024-13-01T00:00:05,p,r,5,10,0.1\n", h);
    expect_error("badtime.csv", text, 2, "timestamp", "not an ISO-8601");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshots_are_one_run), cmocka_unit_test(test_gpu_run),
        cmocka_unit_test(test_cpu_run_no_pue),        cmocka_unit_test(test_no_version_column),
        cmocka_unit_test(test_v3_columns),            cmocka_unit_test(test_v1_hand_made),
        cmocka_unit_test(test_order_and_optional),    cmocka_unit_test(test_empty_and_header_only),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
