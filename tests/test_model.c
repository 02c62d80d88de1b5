/* test_model: the model values: JSON round trip of every form, the 95% prediction interval of a
 * linear fit against the textbook formula, the TDP (Teads) fallback, rejected model files, and
 * parameter draws from the covariance. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_fit.h"
#include "ws_model.h"
#include "ws_testutil.h"

static void line_points(ws_power_point *p, int n)
{
    const double noise[8] = {1.5, -2.0, 0.5, 3.0, -1.0, -2.5, 2.0, -0.5};
    for (int i = 0; i < n; i++) {
        p[i].u = (double)i / (n - 1);
        p[i].w = 150 + 400 * pow(p[i].u, 0.8) + 3 * noise[i % 8];
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    ws_power_point p[16];
    line_points(p, 16);
    const ws_form forms[] = {WS_FORM_LINEAR, WS_FORM_FAN, WS_FORM_POWERLAW, WS_FORM_POLY2, WS_FORM_POLY3,
                             WS_FORM_PIECEWISE};
    for (size_t f = 0; f < sizeof forms / sizeof *forms; f++) {
        ws_power_model m = {0}, back;
        strcpy(m.arch, "test-arch");
        ws_fit_report rep;
        ws_error err;
        assert_int_equal(ws_fit_power(p, 16, forms[f], NULL, &m, &rep, &err), 0);
        cJSON *o = ws_model_to_json(&m);
        char *text = cJSON_Print(o);
        cJSON *again = cJSON_Parse(text);
        assert_int_equal(ws_model_from_json(again, &back, "x.json", "", &err), 0);
        assert_int_equal(back.form, forms[f]);
        assert_string_equal(back.arch, "test-arch");
        for (double u = 0; u <= 1.0; u += 0.125) {
            double a, alo, ahi, b, blo, bhi;
            ws_model_predict(&m, u, &a, &alo, &ahi);
            ws_model_predict(&back, u, &b, &blo, &bhi);
            assert_close(b, a, 1e-12);
            assert_true(fabs(bhi - ahi) <= 1e-9 * fabs(ahi));
        }
        free(text);
        cJSON_Delete(o);
        cJSON_Delete(again);
    }
}

static void test_linear_prediction_interval(void **state)
{
    (void)state;
    ws_power_point p[8];
    line_points(p, 8);
    ws_power_model m = {0};
    ws_fit_report rep;
    ws_error err;
    assert_int_equal(ws_fit_power(p, 8, WS_FORM_LINEAR, NULL, &m, &rep, &err), 0);
    double xb = 0, sxx = 0;
    for (int i = 0; i < 8; i++)
        xb += p[i].u / 8;
    for (int i = 0; i < 8; i++)
        sxx += (p[i].u - xb) * (p[i].u - xb);
    double s2 = rep.rss_w2 / 6, u = 0.3, y, lo, hi;
    ws_model_predict(&m, u, &y, &lo, &hi);
    double half = gsl_cdf_tdist_Pinv(0.975, 6) * sqrt(s2 * (1 + 1.0 / 8 + (u - xb) * (u - xb) / sxx));
    assert_close(hi - y, half, 1e-9);
    assert_close(y - lo, half, 1e-9);
}

static void test_tdp(void **state)
{
    (void)state;
    ws_power_model m = {0};
    ws_model_set_tdp(&m, 70);
    assert_true(m.assumed);
    assert_close(ws_model_power_w(&m, 0), 0.12 * 70, 1e-12);
    assert_close(ws_model_power_w(&m, 0.3), (0.32 + 0.5 * (0.75 - 0.32)) * 70, 1e-12);
    assert_close(ws_model_power_w(&m, 1), 1.02 * 70, 1e-12);
    double y, lo, hi;
    ws_model_predict(&m, 0.5, &y, &lo, &hi);
    assert_true(lo == y && hi == y);
    cJSON *o = cJSON_Parse("{\"model\": \"tdp\", \"tdp_w\": 100}");
    ws_error err;
    assert_int_equal(ws_model_from_json(o, &m, "s.json", "nodes[0]", &err), 0);
    assert_true(m.assumed);
    assert_close(ws_model_power_w(&m, 0.5), 75, 1e-12);
    cJSON_Delete(o);
}

static void test_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"model\": \"linear\", \"idle_w\": 300, \"max_w\": 100}",
        "{\"model\": \"linear\", \"idle_w\": 100}",
        "{\"model\": \"cubic\", \"idle_w\": 100, \"max_w\": 200}",
        "{\"form\": \"piecewise\", \"points\": [[0, 100]]}",
        "{\"form\": \"piecewise\", \"points\": [[0.5, 100], [0.2, 120]]}",
        "{\"model\": \"tdp\", \"tdp_w\": 0}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cJSON *o = cJSON_Parse(bad[i]);
        ws_power_model m;
        ws_error err;
        assert_non_null(o);
        assert_int_equal(ws_model_from_json(o, &m, "bad.json", "power", &err), -1);
        assert_string_equal(err.file, "bad.json");
        cJSON_Delete(o);
    }
    const char *job = ws_test_write("job.json", "{\"family\": \"job\", \"energy\": {}, \"runtime\": {}}");
    ws_power_model m;
    ws_error err;
    assert_int_equal(ws_model_load(job, &m, &err), -1);
    assert_int_equal(ws_model_load(ws_test_path("missing.json"), &m, &err), -1);
}

/* Counts out of int's range in a model file (found by clang's UBSan: the cast was undefined) read as 0. */
static void test_count_out_of_range(void **state)
{
    (void)state;
    cJSON *o = cJSON_Parse("{\"model\": \"linear\", \"idle_w\": 10, \"max_w\": 100, \"dof\": 1e300, \"n\": -5}");
    ws_power_model m;
    ws_error err;
    assert_int_equal(ws_model_from_json(o, &m, "big.json", "power", &err), 0);
    assert_int_equal(m.dof, 0);
    assert_int_equal(m.n, 0);
    cJSON_Delete(o);
}

static void test_draw(void **state)
{
    (void)state;
    ws_power_point p[16];
    line_points(p, 16);
    ws_power_model m = {0}, d;
    ws_fit_report rep;
    ws_error err;
    assert_int_equal(ws_fit_power(p, 16, WS_FORM_LINEAR, NULL, &m, &rep, &err), 0);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    double sum = 0, sum2 = 0;
    int n = 4000;
    for (int i = 0; i < n; i++) {
        assert_int_equal(ws_model_draw(&m, r, &d), 0);
        sum += d.params[1];
        sum2 += d.params[1] * d.params[1];
    }
    gsl_rng_free(r);
    double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
    assert_true(fabs(mean - m.params[1]) < 4 * m.stderr_[1] / sqrt(n));
    assert_true(fabs(sd / m.stderr_[1] - 1) < 0.05);
}

/* Covariances that cannot be drawn from are refused (they silently gave the central model); a parameter
 * with no variance is kept as it is while the others are drawn (sd 2 W for max_w here). */
static void test_draw_covariance(void **state)
{
    (void)state;
    ws_power_model m = {0}, d;
    m.form = WS_FORM_LINEAR;
    m.n_params = 2;
    m.params[0] = 100;
    m.params[1] = 300;
    m.cov[0][0] = 1, m.cov[0][1] = m.cov[1][0] = 2, m.cov[1][1] = 1; /* not positive definite */
    gsl_set_error_handler_off(); /* as main() and ws_whatif_run do: failures come back as statuses */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    assert_int_equal(ws_model_draw(&m, r, &d), -1);
    m.cov[0][0] = m.cov[0][1] = m.cov[1][0] = 0, m.cov[1][1] = 4;
    double sum2 = 0;
    for (int i = 0; i < 4000; i++) {
        assert_int_equal(ws_model_draw(&m, r, &d), 0);
        assert_true(d.params[0] == 100);
        sum2 += (d.params[1] - 300) * (d.params[1] - 300);
    }
    assert_true(fabs(sqrt(sum2 / 4000) / 2 - 1) < 0.05);
    m.cov[1][1] = 0; /* no variance at all: the central model, a success */
    assert_int_equal(ws_model_draw(&m, r, &d), 0);
    assert_true(d.params[1] == 300);
    gsl_rng_free(r);
}

static void test_job_model_json(void **state)
{
    (void)state;
    ws_job_model m = {.e0_j = 10, .e1_j = 6.8e-4, .t0_s = 0.5, .t1_s = 5.5e-6, .n = 3,
                      .cov_e = {{4, -1e-5}, {-1e-5, 1e-10}}};
    strcpy(m.arch, "h100-80gb-hbm3");
    strcpy(m.job, "fp32_gpu_b512");
    strcpy(m.work_unit, "samples");
    cJSON *o = ws_job_model_to_json(&m);
    ws_job_model back;
    ws_error err;
    assert_int_equal(ws_job_model_from_json(o, &back, "j.json", &err), 0);
    assert_close(ws_job_model_energy_j(&back, 2.6e6), 10 + 6.8e-4 * 2.6e6, 1e-12);
    assert_close(ws_job_model_runtime_s(&back, 2.6e6), 0.5 + 5.5e-6 * 2.6e6, 1e-12);
    assert_true(back.cov_e[0][1] == -1e-5);
    assert_string_equal(back.work_unit, "samples");
    cJSON_Delete(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_linear_prediction_interval),
        cmocka_unit_test(test_tdp),        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_draw),       cmocka_unit_test(test_job_model_json),
        cmocka_unit_test(test_count_out_of_range), cmocka_unit_test(test_draw_covariance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
