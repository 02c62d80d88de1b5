/* ws_model: fitted models as values: the power-versus-utilisation forms (evaluate, gradient,
 * 95% prediction interval, draw parameters from their covariance) and the job energy/runtime-versus-
 * work model, with their JSON representation (models/<arch>-<family>.json and inline scenario
 * entries). Fitting lives in ws_fit; this module is what the simulator and `predict` consume. */
#ifndef WS_MODEL_H
#define WS_MODEL_H

#include <cjson/cJSON.h>
#include <gsl/gsl_rng.h>

#include "ws_util.h"

typedef enum {
    WS_FORM_LINEAR,    /* P = idle + (max - idle) u                 params idle_w, max_w */
    WS_FORM_FAN,       /* P = idle + (max - idle)(2u - u^r)         params idle_w, max_w, r */
    WS_FORM_POWERLAW,  /* P = idle + (max - idle) u^a               params idle_w, max_w, a */
    WS_FORM_POLY2,     /* P = c0 + c1 u + c2 u^2                    params c0_w, c1_w, c2_w */
    WS_FORM_POLY3,     /* P = c0 + c1 u + c2 u^2 + c3 u^3           params c0_w .. c3_w */
    WS_FORM_PIECEWISE, /* linear interpolation through (u_k, P_k)  points */
    WS_FORM_TDP,       /* assumed curve: fractions of TDP at load points (Teads) params tdp_w */
    WS_FORM_COUNT
} ws_form;

#define WS_MODEL_MAX_PARAMS 4
#define WS_MODEL_MAX_POINTS 64

typedef struct {
    char arch[128];
    char arch_name[192];
    ws_form form;
    int n_params;
    double params[WS_MODEL_MAX_PARAMS];
    double stderr_[WS_MODEL_MAX_PARAMS];
    double cov[WS_MODEL_MAX_PARAMS][WS_MODEL_MAX_PARAMS];
    int n_points; /* piecewise / tdp */
    double point_u[WS_MODEL_MAX_POINTS], point_w[WS_MODEL_MAX_POINTS];
    double sigma_w; /* residual standard deviation: the scatter of one measurement about the curve */
    int dof;        /* n - n_params, for the t quantile */
    int n;
    double r2, rmse_w, aicc;
    int assumed;    /* nothing measured: a published curve scaled by TDP */
    /* The server's speed when the file says it ("hep", as `fit --family server` writes): its HEPScore23
     * (0: not given) and HS23 per core (0: not given). Scenarios turn them into a node group's speed. */
    double hep_hs23, hep_hs23_per_core;
} ws_power_model;

/* Form names as written in JSON: "linear", "fan", "powerlaw", "poly2", "poly3", "piecewise", "tdp". */
const char *ws_form_name(ws_form f);
int ws_form_parse(const char *name, ws_form *f);
/* Parameter names of a form ("idle_w", ...); n receives the count. */
const char *const *ws_form_param_names(ws_form f, int *n);
const char *ws_form_formula(ws_form f);

/* Power in W at utilisation u (fraction 0..1, clamped). */
double ws_model_power_w(const ws_power_model *m, double u);
/* dP/dparam at u (n_params values). */
void ws_model_gradient(const ws_power_model *m, double u, double *grad);
/* 95% prediction interval for one new measurement at u: P +- t(0.975, dof) sqrt(g'Cg + sigma^2).
 * With no covariance (piecewise, tdp) lo = hi = P. */
void ws_model_predict(const ws_power_model *m, double u, double *p_w, double *lo_w, double *hi_w);
/* Fill the TDP fallback: the Teads curve (fractions of TDP at 0, 10, 50, 100 % load). */
void ws_model_set_tdp(ws_power_model *m, double tdp_w);
/* Draw parameters from N(params, cov) (Cholesky over the parameters with a variance; the others, and
 * forms without covariance, are copied). Returns 0, or -1 when that covariance is not positive definite
 * (then out = m): the caller must not pretend it drew. */
int ws_model_draw(const ws_power_model *m, const gsl_rng *rng, ws_power_model *out);

/* JSON: the full model file object, or an inline {"model": "linear", "idle_w": .., "max_w": ..}.
 * where names the JSON path for messages ("sites[0].nodes[1].power"). */
cJSON *ws_model_to_json(const ws_power_model *m);
int ws_model_from_json(const cJSON *obj, ws_power_model *m, const char *file, const char *where, ws_error *err);
int ws_model_load(const char *path, ws_power_model *m, ws_error *err);

/* Job energy and runtime against work: E = e0 + e1 w, T = t0 + t1 w, with covariances. */
typedef struct {
    char arch[128];
    char job[128];
    char work_unit[32];
    double e0_j, e1_j, cov_e[2][2], sigma_e_j; /* e1 in J per unit of work */
    double t0_s, t1_s, cov_t[2][2], sigma_t_s; /* t1 in s per unit of work */
    int n;
} ws_job_model;

double ws_job_model_energy_j(const ws_job_model *m, double work);
double ws_job_model_runtime_s(const ws_job_model *m, double work);
cJSON *ws_job_model_to_json(const ws_job_model *m);
int ws_job_model_from_json(const cJSON *obj, ws_job_model *m, const char *file, ws_error *err);

#endif
