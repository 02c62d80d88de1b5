/* test_ingest_eco2ai: the Eco2AI parser against real emission.csv files (data/profiles/eco2ai, see
 * PROVENANCE.md) with numbers checked by hand against the files, and against small HAND-MADE fixtures for
 * the edge cases and the early power_consumption(kWTh) spelling (their numbers are invented). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_testutil.h"

#define E_DIR WS_TEST_DATA "/profiles/eco2ai/"
#define E_HEADER                                                                                          \
    "id,project_name,experiment_description,epoch,start_time,duration(s),power_consumption(kWh),"         \
    "CO2_emissions(kg),CPU_name,GPU_name,OS,region/country,cost\n"

static int parse(const char *path, const char *job, ws_mem_sink *m, ws_error *err)
{
    ws_ingest_opts o = ws_test_opts(path);
    o.job = job;
    char tool[64];
    return ws_test_parse(ws_ingest_eco2ai, &o, m, tool, err);
}

static void expect_error(const char *name, const char *text, long line, const char *field, const char *want)
{
    ws_test_expect_parse_error(ws_ingest_eco2ai, name, text, line, field, want);
}

/* Real file, one session on a Quadro T1000 laptop. */
static void test_one_gpu_session(void **state)
{
    (void)state;
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(E_DIR "kp156_quadro_t1000.csv", NULL, &m, &err), WS_OK);
    assert_int_equal(m.n_profiles, 1);
    assert_int_equal(m.n_samples, 0);
    const ws_profile *p = &m.profiles[0];
    assert_close(p->energy_j, 0.001852887875604317 * 3.6e6, 1e-12);
    assert_close(p->duration_s, 1009.2773571014404, 1e-12);
    assert_close(p->mean_power_w, 0.001852887875604317 * 3.6e6 / 1009.2773571014404, 1e-12);
    assert_close(p->emissions_kg, 0.0011591166270054193, 1e-12);
    assert_string_equal(p->arch_name, "Quadro T1000 with Max-Q Design");
    assert_string_equal(p->job, "ECO2AI Usage Example/training_sign_language_mnist_model");
    assert_string_equal(p->run_id, "ab397bff-a205-4cb4-a07f-47b8b23e8109");
    assert_string_equal(p->country, "IN");
    assert_string_equal(p->region, "Delhi");
    assert_string_equal(p->start_time, "2023-11-25T19:14:27");
    ws_mem_sink_free(&m);
}

/* Real file: five runs on an RTX 3060, the model in experiment_description. */
static void test_five_runs(void **state)
{
    (void)state;
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(E_DIR "twwist_rtx3060_yolov8.csv", NULL, &m, &err), WS_OK);
    assert_int_equal(m.n_profiles, 5);
    assert_string_equal(m.profiles[0].job, "new_yolo8/yolov8x.pt");
    assert_string_equal(m.profiles[0].arch_name, "NVIDIA GeForce RTX 3060");
    assert_close(m.profiles[0].energy_j, 0.0546281898087356 * 3.6e6, 1e-12);
    assert_close(m.profiles[4].energy_j, 0.022351415232484677 * 3.6e6, 1e-12);
    assert_close(m.profiles[4].duration_s, 726.5412197113037, 1e-12);
    assert_string_equal(m.profiles[4].country, "(NO)");
    ws_mem_sink_free(&m);
}

/* Real file: no GPU (" 0 device(s)") so arch is the CPU; a quoted epoch field with commas. */
static void test_cpu_and_epoch(void **state)
{
    (void)state;
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(E_DIR "kowshik_cpu_epochs.csv", "override", &m, &err), WS_OK);
    assert_int_equal(m.n_profiles, 4);
    const ws_profile *p = &m.profiles[1];
    assert_string_equal(p->arch_name, "11th Gen Intel(R) Core(TM) i5-1135G7 @ 2.40GHz");
    assert_string_equal(p->run_id, "e95d0c14-4410-429d-957a-9e6bf9e3afdf (epoch: 1, param1: 1, param2: 2,)");
    assert_string_equal(p->job, "override");
    assert_close(p->energy_j, 5.960445240873469e-09 * 3.6e6, 1e-12);
    assert_string_equal(p->region, "Tamil Nadu");
    ws_mem_sink_free(&m);
}

/* HAND-MADE: the early (kWTh) spelling, columns in another order, optional columns missing. */
static void test_kwth_and_order(void **state)
{
    (void)state;
    const char *path = ws_test_write("kwth.csv", "power_consumption(kWTh),project_name,duration(s)\n0.5,p,1800\n");
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(path, NULL, &m, &err), WS_OK);
    assert_int_equal(m.n_profiles, 1);
    assert_close(m.profiles[0].energy_j, 0.5 * 3.6e6, 1e-12);
    assert_close(m.profiles[0].mean_power_w, 1000.0, 1e-12);
    assert_true(isnan(m.profiles[0].emissions_kg));
    assert_string_equal(m.profiles[0].job, "p");
    ws_mem_sink_free(&m);
}

static void test_empty_and_header_only(void **state)
{
    (void)state;
    expect_error("empty.csv", "", 0, "", "empty file");
    ws_mem_sink m;
    ws_error err;
    assert_int_equal(parse(ws_test_write("header.csv", E_HEADER), NULL, &m, &err), WS_OK);
    assert_int_equal(m.n_profiles, 0);
    ws_mem_sink_free(&m);
}

/* HAND-MADE bad inputs. */
static void test_bad_input(void **state)
{
    (void)state;
    const char *row = "x,p,d,,2024-01-01 00:00:00,";
    char text[768];
    snprintf(text, sizeof text, E_HEADER "%s10,abc,0.1,cpu/1 device(s),,Linux,FR/IDF,0\n", row);
    expect_error("nonnum.csv", text, 2, "power_consumption(kWh)", "not a number");
    snprintf(text, sizeof text, E_HEADER "%s10,0.1,-0.1,cpu/1 device(s),,Linux,FR/IDF,0\n", row);
    expect_error("neg.csv", text, 2, "CO2_emissions(kg)", "negative");
    snprintf(text, sizeof text, E_HEADER "%snan,0.1,0.1,cpu/1 device(s),,Linux,FR/IDF,0\n", row);
    expect_error("nan.csv", text, 2, "duration(s)", "missing value");
    snprintf(text, sizeof text, E_HEADER "%s10,0.1,0.1,cpu/1 device(s),,Linux,FR/IDF,0\n%s10,0.1", row, row);
    expect_error("trunc.csv", text, 3, "", "truncated last line");
    expect_error("nocol.csv", "id,project_name,duration(s)\nx,p,1\n", 1, "power_consumption(kWh)",
                 "missing column");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_gpu_session), cmocka_unit_test(test_five_runs),
        cmocka_unit_test(test_cpu_and_epoch),   cmocka_unit_test(test_kwth_and_order),
        cmocka_unit_test(test_empty_and_header_only), cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
