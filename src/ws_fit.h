/* ws_fit: fitting the models of ws_model from data. Power versus utilisation (linear and polynomial
 * forms by linear least squares, Fan and power-law forms by nonlinear least squares with
 * gsl_multifit_nlinear, piecewise interpolation, the TDP fallback, and automatic choice by AICc), job
 * energy and runtime versus work (weighted least squares), and means of repeated runs with 95%
 * confidence intervals. Pure functions of their inputs: reading tables and the store is done by the
 * callers (cmd_fit, ws_tweak) or by the small readers below. */
#ifndef WS_FIT_H
#define WS_FIT_H

#include <stdint.h>

#include "ws_model.h"
#include "ws_util.h"

/* One measurement: utilisation as a fraction 0..1 and power in W. */
typedef struct {
    double u;
    double w;
} ws_power_point;

/* Tuning of the nonlinear fits; zero fields take the defaults. */
typedef struct {
    int max_iter;    /* iterations of the trust-region solver per start (default 500) */
    double tol_rel;  /* auto: a form qualifies when every |residual| <= tol_rel x measurement (0.05) */
} ws_fit_options;

/* What a fit reports besides the model (which also carries r2, rmse_w, aicc, n, dof, sigma_w). */
typedef struct {
    ws_form form;
    int ok;              /* 1 when fitted; else why says why */
    char why[256];
    int n, n_params, n_levels; /* points, parameters, distinct utilisations */
    double rss_w2, r2, rmse_w, aicc;
    /* The worst point: largest |measured - fitted|. */
    double worst_u, worst_w, worst_fit_w, worst_resid_w, worst_rel;
    double max_rel;      /* largest |residual| / measurement over all points */
    int iterations;      /* nonlinear forms: solver iterations of the best start */
} ws_fit_report;

/* Fit one form to n points. TDP cannot be fitted (use ws_model_set_tdp). Piecewise averages equal
 * utilisations (and bins to 2% when there are more levels than WS_MODEL_MAX_POINTS).
 * Returns 0, or WS_EINPUT with err and rep->why set (too few points, one utilisation only, NaN,
 * no convergence, parameters outside 0 <= idle_w <= max_w). opts may be NULL. */
int ws_fit_power(const ws_power_point *pts, int n, ws_form form, const ws_fit_options *opts,
                 ws_power_model *m, ws_fit_report *rep, ws_error *err);

typedef struct {
    ws_fit_report candidates[5]; /* linear, fan, powerlaw, poly2, poly3 in that order */
    int n_candidates;
    ws_form chosen;
    int qualified;               /* the chosen form stays within tol_rel at every point */
    double tol_rel;
} ws_fit_auto_report;

/* Fit every parametric form and keep the lowest AICc among those within tol_rel of every point
 * (the lowest AICc overall, with qualified = 0, when none is). Piecewise is never chosen: it only
 * interpolates. Returns 0, or WS_EINPUT when no form could be fitted. */
int ws_fit_power_auto(const ws_power_point *pts, int n, const ws_fit_options *opts, ws_power_model *m,
                      ws_fit_auto_report *rep, ws_error *err);

/* Fill rep's statistics (R^2, RMSE, AICc with k = n_params + 1, worst point) for m on pts. */
void ws_fit_assess(const ws_power_point *pts, int n, ws_power_model *m, ws_fit_report *rep);

/* Is a utilisation column in percent? By its name ("pct", "%", "percent" -> yes; "frac" -> no),
 * else by its values (any above 1 -> percent). */
int ws_fit_util_is_percent(const char *column, const double *u, int n);

/* Read a table of load levels: a CSV whose header names a utilisation column (load_pct,
 * util_gpu_pct, util_pct, utilization.gpu [%], util, utilization, load) and a power column (power_w,
 * power.draw [W], power). Values may carry units ("96 %"). Utilisation is converted to a fraction.
 * *pts is malloc'd. info receives the column names and whether percent was detected. */
typedef struct {
    char util_column[64], power_column[64];
    int util_percent;
} ws_table_info;
int ws_fit_read_power_table(const char *path, ws_power_point **pts, int *n, ws_table_info *info, ws_error *err);

/* Mean with a 95% confidence interval from the t distribution (n-1 degrees of freedom). n = 1 gives
 * lo = hi = mean and sd = NaN (interval unknown). */
typedef struct {
    int n;
    double mean, sd, lo, hi;
} ws_mean_ci;
void ws_mean_ci95(const double *x, int n, ws_mean_ci *out);

/* One run of a job: work done (samples, events, ...), energy and runtime. */
typedef struct {
    double work, energy_j, runtime_s;
    int64_t profile_id;
} ws_job_run;

typedef enum {
    WS_JOB_FIT_LINEAR,       /* >= 3 runs at >= 2 work values: E = e0 + e1 w by WLS, covariance known */
    WS_JOB_FIT_EXACT,        /* 2 runs at 2 work values: a line through both, covariance unknown */
    WS_JOB_FIT_PROPORTIONAL  /* one work value: e0 = 0, e1 = mean(E)/w (covariance from repeats) */
} ws_job_fit_kind;

#define WS_FIT_MAX_CONFIGS 32
typedef struct {
    ws_job_fit_kind kind;
    int n, n_works;
    int cov_known;        /* parameter covariance estimated (else zero and flagged) */
    double r2_e, r2_t;    /* NaN when not defined */
    /* Repeated runs of one configuration (one work value): mean with 95% CI. */
    int n_configs;
    double config_work[WS_FIT_MAX_CONFIGS];
    ws_mean_ci config_energy_j[WS_FIT_MAX_CONFIGS], config_runtime_s[WS_FIT_MAX_CONFIGS];
} ws_job_fit_report;

/* Fit E = e0 + e1 w and T = t0 + t1 w. Weights 1/E_i^2 and 1/T_i^2 (constant relative scatter:
 * large runs scatter more in J), covariance scaled by the reduced chi^2. m->arch/job/work_unit are
 * left to the caller. Returns 0 or WS_EINPUT (no runs, NaN, non-positive work). */
int ws_fit_job(const ws_job_run *runs, int n, ws_job_model *m, ws_job_fit_report *rep, ws_error *err);
const char *ws_job_fit_kind_name(ws_job_fit_kind k);

#endif
