/* test_fit: fitted parameters against values computed independently: closed-form least squares for
 * the linear forms and the job line, synthetic data with known parameters and noise for the
 * nonlinear forms (recovered within their standard errors), the shipped H100 curve (R^2 > 0.99,
 * auto within 5% at every point), and the bad inputs (too few points, one utilisation, NaN, no
 * convergence). */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_fit.h"
#include "ws_testutil.h"

#define H100_TABLE WS_TEST_DATA "/measured/h100/util_curve.csv"

static void test_linear_closed_form(void **state)
{
    (void)state;
    ws_power_point p[8];
    const double noise[8] = {1.5, -2.0, 0.5, 3.0, -1.0, -2.5, 2.0, -0.5};
    int n = 8;
    double sx = 0, sy = 0;
    for (int i = 0; i < n; i++) {
        p[i].u = i / 7.0;
        p[i].w = 100 + 200 * p[i].u + noise[i];
        sx += p[i].u;
        sy += p[i].w;
    }
    double xb = sx / n, yb = sy / n, sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
        sxx += (p[i].u - xb) * (p[i].u - xb);
        sxy += (p[i].u - xb) * (p[i].w - yb);
    }
    double b = sxy / sxx, a = yb - b * xb, rss = 0;
    for (int i = 0; i < n; i++)
        rss += pow(p[i].w - a - b * p[i].u, 2);
    double s2 = rss / (n - 2);
    ws_power_model m = {0};
    ws_fit_report rep;
    ws_error err;
    assert_int_equal(ws_fit_power(p, n, WS_FORM_LINEAR, NULL, &m, &rep, &err), 0);
    assert_close(m.params[0], a, 1e-10);
    assert_close(m.params[1], a + b, 1e-10);
    assert_close(m.stderr_[0], sqrt(s2 * (1.0 / n + xb * xb / sxx)), 1e-8);
    /* se(max) = se(a + b): var a + var b + 2 cov(a, b), cov(a, b) = -xb s2 / sxx */
    double var_max = s2 * (1.0 / n + xb * xb / sxx) + s2 / sxx - 2 * xb * s2 / sxx;
    assert_close(m.stderr_[1], sqrt(var_max), 1e-8);
    assert_close(m.sigma_w, sqrt(s2), 1e-10);
    assert_int_equal(m.dof, 6);
    assert_close(rep.rmse_w, sqrt(rss / n), 1e-10);
    /* AICc with k = 3 (two parameters and the variance). */
    assert_close(rep.aicc, n * log(rss / n) + 6 + 24.0 / (n - 4), 1e-10);
}

static void test_poly_exact(void **state)
{
    (void)state;
    ws_power_point p[6];
    for (int i = 0; i < 6; i++) {
        double u = i / 5.0;
        p[i].u = u;
        p[i].w = 120 + 900 * u - 330 * u * u;
    }
    ws_power_model m = {0};
    ws_fit_report rep;
    ws_error err;
    assert_int_equal(ws_fit_power(p, 6, WS_FORM_POLY2, NULL, &m, &rep, &err), 0);
    assert_true(fabs(m.params[0] - 120) < 1e-8 && fabs(m.params[1] - 900) < 1e-7 && fabs(m.params[2] + 330) < 1e-7);
    assert_true(rep.r2 > 1 - 1e-12);
    /* poly3 on the same points: c3 ~ 0 */
    assert_int_equal(ws_fit_power(p, 6, WS_FORM_POLY3, NULL, &m, &rep, &err), 0);
    assert_true(fabs(m.params[3]) < 1e-6);
}

/* n points of a known model plus N(0, sigma) noise, fixed seed. */
static void synth(ws_form form, const double *params, int n, double sigma, ws_power_point *p)
{
    ws_power_model truth = {.form = form, .n_params = 3};
    memcpy(truth.params, params, 3 * sizeof *params);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 42);
    for (int i = 0; i < n; i++) {
        p[i].u = (double)i / (n - 1);
        p[i].w = ws_model_power_w(&truth, p[i].u) + gsl_ran_gaussian(r, sigma);
    }
    gsl_rng_free(r);
}

static void check_recovered(ws_form form, const double *truth)
{
    ws_power_point p[60];
    synth(form, truth, 60, 3.0, p);
    ws_power_model m = {0};
    ws_fit_report rep;
    ws_error err;
    assert_int_equal(ws_fit_power(p, 60, form, NULL, &m, &rep, &err), 0);
    for (int k = 0; k < 3; k++) {
        assert_true(m.stderr_[k] > 0);
        /* within two standard errors (one fixed draw; 95% each) */
        assert_true(fabs(m.params[k] - truth[k]) <= 2 * m.stderr_[k]);
    }
    assert_true(fabs(m.sigma_w - 3.0) < 1.0);
}

static void test_fan_recovered(void **state)
{
    (void)state;
    const double truth[3] = {100, 300, 1.4};
    check_recovered(WS_FORM_FAN, truth);
}

static void test_powerlaw_recovered(void **state)
{
    (void)state;
    const double truth[3] = {120, 700, 0.7};
    check_recovered(WS_FORM_POWERLAW, truth);
}

static void test_h100_auto(void **state)
{
    (void)state;
    ws_power_point *p;
    int n;
    ws_table_info info;
    ws_error err;
    assert_int_equal(ws_fit_read_power_table(H100_TABLE, &p, &n, &info, &err), 0);
    assert_int_equal(n, 9); /* the idle_settled row counts: util_gpu_pct is a number */
    assert_string_equal(info.util_column, "util_gpu_pct");
    assert_true(info.util_percent);
    assert_true(fabs(p[8].u - 0.964) < 1e-12);
    ws_power_model m = {0};
    ws_fit_auto_report ar;
    assert_int_equal(ws_fit_power_auto(p, n, NULL, &m, &ar, &err), 0);
    assert_true(ar.qualified);
    assert_int_not_equal(m.form, WS_FORM_PIECEWISE);
    assert_true(m.r2 > 0.99);
    for (int i = 0; i < n; i++)
        assert_true(fabs(ws_model_power_w(&m, p[i].u) - p[i].w) <= 0.05 * p[i].w);
    /* No two-parameter form fits it within 10% (the observation). */
    assert_true(ar.candidates[0].max_rel > 0.10);
    ws_fit_report rep;
    assert_int_equal(ws_fit_power(p, n, WS_FORM_PIECEWISE, NULL, &m, &rep, &err), 0);
    assert_int_equal(m.n_points, 8); /* the two idle rows at u = 0 are averaged */
    assert_true(fabs(ws_model_power_w(&m, 0.964) - 693.41) < 1e-9);
    free(p);
}

static void test_bad_input(void **state)
{
    (void)state;
    ws_power_point p[4] = {{0, 100}, {0.3, 180}, {0.6, 250}, {1, 300}};
    ws_power_model m = {0};
    ws_fit_report rep;
    ws_error err;
    /* poly3 has 4 parameters: 4 points leave no degree of freedom */
    assert_int_equal(ws_fit_power(p, 4, WS_FORM_POLY3, NULL, &m, &rep, &err), WS_EINPUT);
    assert_non_null(strstr(rep.why, "4 parameters"));
    ws_power_point same[5] = {{0.5, 100}, {0.5, 101}, {0.5, 99}, {0.5, 100}, {0.5, 102}};
    assert_int_equal(ws_fit_power(same, 5, WS_FORM_LINEAR, NULL, &m, &rep, &err), WS_EINPUT);
    assert_non_null(strstr(rep.why, "one utilisation"));
    assert_int_equal(ws_fit_power(same, 5, WS_FORM_PIECEWISE, NULL, &m, &rep, &err), WS_EINPUT);
    ws_fit_auto_report ar;
    assert_int_equal(ws_fit_power_auto(same, 5, NULL, &m, &ar, &err), WS_EINPUT);
    ws_power_point nan[3] = {{0, 100}, {0.5, NAN}, {1, 300}};
    assert_int_equal(ws_fit_power(nan, 3, WS_FORM_LINEAR, NULL, &m, &rep, &err), WS_EINPUT);
    assert_non_null(strstr(rep.why, "not a number"));
    /* Decreasing power: a linear fit would give max_w < idle_w. */
    ws_power_point down[3] = {{0, 300}, {0.5, 200}, {1, 100}};
    assert_int_equal(ws_fit_power(down, 3, WS_FORM_LINEAR, NULL, &m, &rep, &err), WS_EINPUT);
    /* One iteration cannot converge from the starts. */
    ws_power_point q[40];
    const double truth[3] = {100, 300, 1.4};
    synth(WS_FORM_FAN, truth, 40, 3.0, q);
    ws_fit_options o = {.max_iter = 1};
    assert_int_equal(ws_fit_power(q, 40, WS_FORM_FAN, &o, &m, &rep, &err), WS_EINPUT);
    assert_non_null(strstr(rep.why, "converge"));
}

static void test_table_errors(void **state)
{
    (void)state;
    ws_power_point *p;
    int n;
    ws_table_info info;
    ws_error err;
    const char *f = ws_test_write("frac.csv", "load,power.draw [W]\n0,100 W\n0.5,200 W\n1.0,290 W\n");
    assert_int_equal(ws_fit_read_power_table(f, &p, &n, &info, &err), 0);
    assert_false(info.util_percent); /* by value: nothing above 1 */
    assert_true(n == 3 && p[2].w == 290);
    free(p);
    f = ws_test_write("nan.csv", "load_pct,power_w\n0,100\n50,abc\n");
    assert_int_equal(ws_fit_read_power_table(f, &p, &n, &info, &err), WS_EINPUT);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.field, "power_w");
    f = ws_test_write("nocol.csv", "x,y\n1,2\n");
    assert_int_equal(ws_fit_read_power_table(f, &p, &n, &info, &err), WS_EINPUT);
    f = ws_test_write("big.csv", "load_pct,power_w\n0,100\n150,200\n");
    assert_int_equal(ws_fit_read_power_table(f, &p, &n, &info, &err), WS_EINPUT);
}

static void test_util_percent(void **state)
{
    (void)state;
    double frac[3] = {0, 0.5, 1}, pct[3] = {0, 50, 100};
    assert_true(ws_fit_util_is_percent("utilization.gpu [%]", frac, 3));
    assert_true(ws_fit_util_is_percent("load_pct", frac, 3));
    assert_false(ws_fit_util_is_percent("util_frac", pct, 3));
    assert_false(ws_fit_util_is_percent("load", frac, 3));
    assert_true(ws_fit_util_is_percent("load", pct, 3));
}

static void test_mean_ci(void **state)
{
    (void)state;
    double x[5] = {1, 2, 3, 4, 5};
    ws_mean_ci c;
    ws_mean_ci95(x, 5, &c);
    double half = 2.7764451051977987 * sqrt(2.5) / sqrt(5.0); /* t(0.975, 4) */
    assert_close(c.mean, 3, 1e-15);
    assert_close(c.hi - c.mean, half, 1e-9);
    assert_close(c.mean - c.lo, half, 1e-9);
    ws_mean_ci95(x, 1, &c);
    assert_true(c.lo == 1 && c.hi == 1 && isnan(c.sd));
}

static void test_job_wls(void **state)
{
    (void)state;
    ws_job_run r[5];
    const double w[5] = {1e6, 2e6, 4e6, 8e6, 8e6}, e[5] = {220, 390, 790, 1540, 1620}, t[5] = {2.1, 4.0, 8.2, 15.9, 16.4};
    for (int i = 0; i < 5; i++)
        r[i] = (ws_job_run){w[i], e[i], t[i], i + 1};
    /* Closed-form WLS with weights 1/E^2. */
    double S = 0, Sx = 0, Sy = 0, Sxx = 0, Sxy = 0;
    for (int i = 0; i < 5; i++) {
        double k = 1 / (e[i] * e[i]);
        S += k, Sx += k * w[i], Sy += k * e[i], Sxx += k * w[i] * w[i], Sxy += k * w[i] * e[i];
    }
    double D = S * Sxx - Sx * Sx, b = (S * Sxy - Sx * Sy) / D, a = (Sxx * Sy - Sx * Sxy) / D, chi2 = 0;
    for (int i = 0; i < 5; i++)
        chi2 += pow(e[i] - a - b * w[i], 2) / (e[i] * e[i]);
    ws_job_model m;
    ws_job_fit_report rep;
    ws_error err;
    assert_int_equal(ws_fit_job(r, 5, &m, &rep, &err), 0);
    assert_int_equal(rep.kind, WS_JOB_FIT_LINEAR);
    assert_true(rep.cov_known);
    assert_close(m.e0_j, a, 1e-8);
    assert_close(m.e1_j, b, 1e-10);
    assert_close(m.cov_e[1][1], S / D * chi2 / 3, 1e-8);
    assert_close(m.cov_e[0][0], Sxx / D * chi2 / 3, 1e-8);
    /* The repeated configuration (work 8e6, two runs) has a t interval. */
    assert_int_equal(rep.n_configs, 4);
    assert_int_equal(rep.config_energy_j[3].n, 2);
    assert_close(rep.config_energy_j[3].mean, 1580, 1e-12);
    assert_close(rep.config_energy_j[3].hi - 1580, 12.706204736174707 * 40 * sqrt(2) / sqrt(2), 1e-8);
}

static void test_job_single(void **state)
{
    (void)state;
    ws_job_run r[3] = {{2.6e6, 1778.546, 14.2359, 1}};
    ws_job_model m;
    ws_job_fit_report rep;
    ws_error err;
    assert_int_equal(ws_fit_job(r, 1, &m, &rep, &err), 0);
    assert_int_equal(rep.kind, WS_JOB_FIT_PROPORTIONAL);
    assert_false(rep.cov_known);
    assert_true(m.e0_j == 0);
    assert_close(m.e1_j * 2.6e6, 1778.546, 1e-12);
    /* Repeats of one configuration: slope from the mean, variance from the scatter. */
    r[1] = (ws_job_run){2.6e6, 1800, 14.5, 2};
    r[2] = (ws_job_run){2.6e6, 1760, 14.0, 3};
    assert_int_equal(ws_fit_job(r, 3, &m, &rep, &err), 0);
    assert_true(rep.cov_known);
    assert_close(m.e1_j * 2.6e6, (1778.546 + 1800 + 1760) / 3, 1e-12);
    r[1].work = NAN;
    assert_int_equal(ws_fit_job(r, 2, &m, &rep, &err), WS_EINPUT);
    assert_int_equal(ws_fit_job(r, 0, &m, &rep, &err), WS_EINPUT);
}

/* Repeated runs whose work was derived from a rounded rate (jobs_r*.csv: samples_per_s x duration_s)
 * differ by ~1e-6: one configuration, a proportional model with a real interval, not a line through
 * noise. */
static void test_job_nearly_equal_work(void **state)
{
    (void)state;
    ws_job_run runs[4] = {{.work = 1039996.1, .energy_j = 1467.072, .runtime_s = 11.6777},
                          {.work = 1039995.8, .energy_j = 1308.1, .runtime_s = 10.2},
                          {.work = 1040001.3, .energy_j = 1054.0, .runtime_s = 8.4},
                          {.work = 1039999.0, .energy_j = 1405.1, .runtime_s = 11.0}};
    ws_job_model m;
    ws_job_fit_report rep;
    ws_error err;
    assert_int_equal(ws_fit_job(runs, 4, &m, &rep, &err), 0);
    assert_int_equal(rep.n_configs, 1);
    assert_int_equal(rep.kind, WS_JOB_FIT_PROPORTIONAL);
    assert_true(m.e0_j == 0 && m.t0_s == 0);
    double mean_e = (1467.072 + 1308.1 + 1054.0 + 1405.1) / 4;
    assert_true(fabs(m.e1_j * rep.config_work[0] - mean_e) < 1e-9 * mean_e);
    assert_true(m.cov_e[1][1] > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_nearly_equal_work),
        cmocka_unit_test(test_linear_closed_form), cmocka_unit_test(test_poly_exact),
        cmocka_unit_test(test_fan_recovered),      cmocka_unit_test(test_powerlaw_recovered),
        cmocka_unit_test(test_h100_auto),          cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_table_errors),       cmocka_unit_test(test_util_percent),
        cmocka_unit_test(test_mean_ci),            cmocka_unit_test(test_job_wls),
        cmocka_unit_test(test_job_single),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
