/* test_tweak: tweak factors: the Baler T4 AMP example (energy ratio 0.673, interval unknown with one
 * run each), the delta-method interval against a hand computation, and ws_tweak_compute on a store
 * (shared architecture, ambiguity, unknown jobs). */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_testutil.h"
#include "ws_tweak.h"

static void test_baler_amp(void **state)
{
    (void)state;
    ws_tweak_run a = {6041.347, 0.21273390494325 * WS_J_PER_KWH, NAN, NAN, 1};
    ws_tweak_run b = {5338.941, 0.143103 * WS_J_PER_KWH, NAN, NAN, 2};
    ws_tweak t;
    ws_error err;
    assert_int_equal(ws_tweak_from_runs(&a, 1, &b, 1, &t, &err), 0);
    assert_true(fabs(t.energy.ratio - 0.673) < 0.0005);
    assert_close(t.runtime.ratio, 5338.941 / 6041.347, 1e-12);
    assert_close(t.power.ratio, t.energy.ratio / t.runtime.ratio, 1e-12);
    assert_false(t.energy.interval_known);
    assert_true(t.energy.lo == t.energy.ratio && t.energy.hi == t.energy.ratio);
    assert_non_null(strstr(t.note, "unknown"));
}

static void test_delta_method(void **state)
{
    (void)state;
    ws_tweak_run a[3] = {{100, 1000, NAN, NAN, 1}, {110, 1100, NAN, NAN, 2}, {90, 950, NAN, NAN, 3}};
    ws_tweak_run b[4] = {{80, 600, NAN, NAN, 4}, {82, 640, NAN, NAN, 5}, {78, 610, NAN, NAN, 6}, {81, 630, NAN, NAN, 7}};
    ws_tweak t;
    ws_error err;
    assert_int_equal(ws_tweak_from_runs(a, 3, b, 4, &t, &err), 0);
    double ma = (1000 + 1100 + 950) / 3.0, mb = (600 + 640 + 610 + 630) / 4.0;
    double sa2 = (pow(1000 - ma, 2) + pow(1100 - ma, 2) + pow(950 - ma, 2)) / 2;
    double sb2 = (pow(600 - mb, 2) + pow(640 - mb, 2) + pow(610 - mb, 2) + pow(630 - mb, 2)) / 3;
    double va = sa2 / (3 * ma * ma), vb = sb2 / (4 * mb * mb), v = va + vb;
    double dof = v * v / (va * va / 2 + vb * vb / 3);
    double half = gsl_cdf_tdist_Pinv(0.975, dof) * sqrt(v);
    assert_true(t.energy.interval_known);
    assert_close(t.energy.ratio, mb / ma, 1e-12);
    assert_close(t.energy.lo, mb / ma * exp(-half), 1e-10);
    assert_close(t.energy.hi, mb / ma * exp(half), 1e-10);
    assert_close(t.energy.dof, dof, 1e-10);
    /* Bad runs */
    a[1].energy_j = -1;
    assert_int_equal(ws_tweak_from_runs(a, 3, b, 4, &t, &err), WS_EINPUT);
    assert_int_equal(ws_tweak_from_runs(a, 0, b, 4, &t, &err), WS_EINPUT);
}

static void add_profile(ws_store *st, int idx, const char *job, const char *arch, double t, double e)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO profiles(source_id, source_index, format, job, arch, duration_s, energy_j) "
             "VALUES (1, %d, 'jobs', '%s', '%s', %.17g, %.17g)", idx, job, arch, t, e);
    assert_int_equal(ws_store_exec(st, sql), 0);
}

static void test_compute_store(void **state)
{
    (void)state;
    ws_store st;
    assert_int_equal(ws_store_open(&st, ws_test_path("tweak.db")), 0);
    assert_int_equal(ws_store_exec(&st, "INSERT INTO sources(id, path, sha256, format, ingested_at) VALUES "
                                        "(1, 'x.csv', 'abc', 'jobs', '2026-01-01T00:00:00Z')"), 0);
    add_profile(&st, 0, "fp32", "h100", 14.0, 1780);
    add_profile(&st, 1, "fp32", "h100", 14.4, 1800);
    add_profile(&st, 2, "bf16", "h100", 19.2, 2360);
    add_profile(&st, 3, "bf16", "h100", 19.0, 2340);
    ws_tweak t;
    ws_error err;
    assert_int_equal(ws_tweak_compute(&st, "fp32", "bf16", NULL, &t, &err), 0);
    assert_string_equal(t.arch, "h100");
    assert_int_equal(t.n_baseline, 2);
    assert_true(t.energy.interval_known && t.energy.lo < t.energy.ratio && t.energy.hi > t.energy.ratio);
    assert_close(t.energy.ratio, 2350.0 / 1790.0, 1e-12);
    /* Both jobs also on a second arch: ambiguous without --arch. */
    add_profile(&st, 4, "fp32", "a100", 20, 2000);
    add_profile(&st, 5, "bf16", "a100", 25, 2500);
    assert_int_equal(ws_tweak_compute(&st, "fp32", "bf16", NULL, &t, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "--arch"));
    assert_int_equal(ws_tweak_compute(&st, "fp32", "bf16", "a100", &t, &err), 0);
    assert_int_equal(ws_tweak_compute(&st, "fp32", "nope", "h100", &t, &err), WS_EINPUT);
    cJSON *o = ws_tweak_to_json(&t);
    cJSON_Delete(o);
    ws_store_close(&st);
}

/* Runs of different length compare per unit of work: the H100 data-loader baseline ran 2 epochs,
 * the GPU-resident variant 5 (jobs_r0.csv): per sample, energy 1871.219/2.6e6 over 1467.072/1.04e6. */
static void test_compute_per_work(void **state)
{
    (void)state;
    ws_store st;
    assert_int_equal(ws_store_open(&st, ws_test_path("tweak_work.db")), 0);
    assert_int_equal(ws_store_exec(&st, "INSERT INTO sources(id, path, sha256, format, ingested_at) VALUES "
                                        "(1, 'jobs_r0.csv', 'abc', 'jobs', '2026-01-01T00:00:00Z');"
                                        "INSERT INTO profiles(source_id, source_index, format, job, arch, duration_s,"
                                        " energy_j, work, work_unit) VALUES"
                                        " (1, 0, 'jobs', 'loader', 'h100', 11.6777, 1467.072, 1040000, 'samples'),"
                                        " (1, 1, 'jobs', 'gpu', 'h100', 14.8751, 1871.219, 2600000, 'samples')"),
                     0);
    ws_tweak t;
    ws_error err;
    assert_int_equal(ws_tweak_compute(&st, "loader", "gpu", NULL, &t, &err), 0);
    assert_true(t.per_work);
    assert_string_equal(t.work_unit, "samples");
    assert_close(t.energy.ratio, (1871.219 / 2.6e6) / (1467.072 / 1.04e6), 1e-12);
    assert_close(t.runtime.ratio, (14.8751 / 2.6e6) / (11.6777 / 1.04e6), 1e-12);
    /* Mean power does not depend on the amount of work. */
    assert_close(t.power.ratio, (1871.219 / 14.8751) / (1467.072 / 11.6777), 1e-12);
    assert_non_null(strstr(t.note, "per samples of work"));
    ws_store_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baler_amp),
        cmocka_unit_test(test_delta_method),
        cmocka_unit_test(test_compute_store),
        cmocka_unit_test(test_compute_per_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
