/* ws_model: see ws_model.h. */
#include "ws_model.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_json.h"

static const char *const FORM_NAMES[WS_FORM_COUNT] = {"linear", "fan", "powerlaw", "poly2",
                                                     "poly3", "piecewise", "tdp"};
static const char *const LINEAR_P[] = {"idle_w", "max_w"};
static const char *const FAN_P[] = {"idle_w", "max_w", "r"};
static const char *const POWERLAW_P[] = {"idle_w", "max_w", "a"};
static const char *const POLY_P[] = {"c0_w", "c1_w", "c2_w", "c3_w"};
static const char *const TDP_P[] = {"tdp_w"};

/* The Teads curve as used by Cloud Carbon Footprint and the GSF Impact Framework's teads-curve
 * plugin: power as a fraction of TDP at 0, 10, 50 and 100 % load, linearly interpolated. */
static const double TEADS_U[] = {0.0, 0.10, 0.50, 1.00};
static const double TEADS_FRACTION[] = {0.12, 0.32, 0.75, 1.02};

const char *ws_form_name(ws_form f)
{
    return f >= 0 && f < WS_FORM_COUNT ? FORM_NAMES[f] : "unknown";
}

int ws_form_parse(const char *name, ws_form *f)
{
    for (int i = 0; i < WS_FORM_COUNT; i++)
        if (strcmp(name, FORM_NAMES[i]) == 0) {
            *f = (ws_form)i;
            return 0;
        }
    return -1;
}

const char *const *ws_form_param_names(ws_form f, int *n)
{
    switch (f) {
    case WS_FORM_LINEAR: *n = 2; return LINEAR_P;
    case WS_FORM_FAN: *n = 3; return FAN_P;
    case WS_FORM_POWERLAW: *n = 3; return POWERLAW_P;
    case WS_FORM_POLY2: *n = 3; return POLY_P;
    case WS_FORM_POLY3: *n = 4; return POLY_P;
    case WS_FORM_TDP: *n = 1; return TDP_P;
    default: *n = 0; return NULL;
    }
}

const char *ws_form_formula(ws_form f)
{
    switch (f) {
    case WS_FORM_LINEAR: return "P = idle_w + (max_w - idle_w) u";
    case WS_FORM_FAN: return "P = idle_w + (max_w - idle_w) (2u - u^r)  (Fan et al. 2007)";
    case WS_FORM_POWERLAW: return "P = idle_w + (max_w - idle_w) u^a";
    case WS_FORM_POLY2: return "P = c0_w + c1_w u + c2_w u^2";
    case WS_FORM_POLY3: return "P = c0_w + c1_w u + c2_w u^2 + c3_w u^3";
    case WS_FORM_PIECEWISE: return "P = linear interpolation through the measured load levels";
    case WS_FORM_TDP: return "P = tdp_w x Teads curve (0.12, 0.32, 0.75, 1.02 at 0, 10, 50, 100 % load): ASSUMED";
    default: return "";
    }
}

static double clamp01(double u)
{
    return u < 0 ? 0 : u > 1 ? 1 : u;
}

static double interpolate(const ws_power_model *m, double u)
{
    if (m->n_points == 0)
        return NAN;
    if (u <= m->point_u[0])
        return m->point_w[0];
    for (int k = 1; k < m->n_points; k++)
        if (u <= m->point_u[k]) {
            double f = (u - m->point_u[k - 1]) / (m->point_u[k] - m->point_u[k - 1]);
            return m->point_w[k - 1] + f * (m->point_w[k] - m->point_w[k - 1]);
        }
    return m->point_w[m->n_points - 1];
}

double ws_model_power_w(const ws_power_model *m, double u)
{
    u = clamp01(u);
    const double *p = m->params;
    switch (m->form) {
    case WS_FORM_LINEAR: return p[0] + (p[1] - p[0]) * u;
    case WS_FORM_FAN: return p[0] + (p[1] - p[0]) * (2 * u - pow(u, p[2]));
    case WS_FORM_POWERLAW: return p[0] + (p[1] - p[0]) * pow(u, p[2]);
    case WS_FORM_POLY2: return p[0] + u * (p[1] + u * p[2]);
    case WS_FORM_POLY3: return p[0] + u * (p[1] + u * (p[2] + u * p[3]));
    case WS_FORM_PIECEWISE:
    case WS_FORM_TDP: return interpolate(m, u);
    default: return NAN;
    }
}

void ws_model_gradient(const ws_power_model *m, double u, double *g)
{
    u = clamp01(u);
    const double *p = m->params;
    double lnu = u > 0 ? log(u) : 0;
    switch (m->form) {
    case WS_FORM_LINEAR:
        g[0] = 1 - u;
        g[1] = u;
        break;
    case WS_FORM_FAN: {
        double f = 2 * u - pow(u, p[2]);
        g[0] = 1 - f;
        g[1] = f;
        g[2] = u > 0 ? -(p[1] - p[0]) * pow(u, p[2]) * lnu : 0;
        break;
    }
    case WS_FORM_POWERLAW: {
        double f = pow(u, p[2]);
        g[0] = 1 - f;
        g[1] = f;
        g[2] = u > 0 ? (p[1] - p[0]) * f * lnu : 0;
        break;
    }
    case WS_FORM_POLY2:
    case WS_FORM_POLY3:
        for (int k = 0; k < m->n_params; k++)
            g[k] = pow(u, k);
        break;
    case WS_FORM_TDP:
        g[0] = interpolate(m, u) / p[0];
        break;
    default:
        break;
    }
}

void ws_model_predict(const ws_power_model *m, double u, double *p_w, double *lo_w, double *hi_w)
{
    double p = ws_model_power_w(m, u);
    *p_w = p;
    if (m->form == WS_FORM_PIECEWISE || m->form == WS_FORM_TDP || m->dof <= 0) {
        *lo_w = *hi_w = p;
        return;
    }
    double g[WS_MODEL_MAX_PARAMS] = {0};
    ws_model_gradient(m, u, g);
    double var = m->sigma_w * m->sigma_w;
    for (int i = 0; i < m->n_params; i++)
        for (int j = 0; j < m->n_params; j++)
            var += g[i] * m->cov[i][j] * g[j];
    double half = gsl_cdf_tdist_Pinv(0.975, m->dof) * sqrt(fmax(var, 0));
    *lo_w = p - half;
    *hi_w = p + half;
}

void ws_model_set_tdp(ws_power_model *m, double tdp_w)
{
    m->form = WS_FORM_TDP;
    m->n_params = 1;
    m->params[0] = tdp_w;
    m->n_points = 4;
    for (int k = 0; k < 4; k++) {
        m->point_u[k] = TEADS_U[k];
        m->point_w[k] = TEADS_FRACTION[k] * tdp_w;
    }
    m->assumed = 1;
}

int ws_model_draw(const ws_power_model *m, const gsl_rng *rng, ws_power_model *out)
{
    *out = *m;
    int n = m->n_params, idx[WS_MODEL_MAX_PARAMS], k = 0;
    if (n == 0 || m->form == WS_FORM_PIECEWISE || m->form == WS_FORM_TDP)
        return 0;
    /* Only parameters with a variance are drawn (a zero row: a parameter fixed by the fit, e.g. e0 = 0);
     * no variance at all: the central model. */
    for (int i = 0; i < n; i++)
        if (m->cov[i][i] > 0)
            idx[k++] = i;
    if (k == 0)
        return 0;
    double L[WS_MODEL_MAX_PARAMS * WS_MODEL_MAX_PARAMS], z[WS_MODEL_MAX_PARAMS];
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
            L[i * k + j] = m->cov[idx[i]][idx[j]];
    gsl_matrix_view Lv = gsl_matrix_view_array(L, (size_t)k, (size_t)k);
    /* GSL's error handler is process-wide, so it is not switched here (this runs on what-if worker
     * threads): ws_whatif_run and main() switch it off once, and a failure comes back as a status. */
    if (gsl_linalg_cholesky_decomp1(&Lv.matrix) != 0)
        return -1; /* not positive definite: no draw can honour it */
    for (int i = 0; i < k; i++)
        z[i] = gsl_ran_gaussian(rng, 1.0);
    for (int i = 0; i < k; i++) {
        double d = 0;
        for (int j = 0; j <= i; j++)
            d += L[i * k + j] * z[j];
        out->params[idx[i]] = m->params[idx[i]] + d;
    }
    return 0;
}

cJSON *ws_model_to_json(const ws_power_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "wattscale_model", 1);
    cJSON_AddStringToObject(o, "family", "power");
    cJSON_AddStringToObject(o, "arch", m->arch);
    if (m->arch_name[0])
        cJSON_AddStringToObject(o, "arch_name", m->arch_name);
    cJSON_AddStringToObject(o, "form", ws_form_name(m->form));
    cJSON_AddStringToObject(o, "formula", ws_form_formula(m->form));
    cJSON_AddStringToObject(o, "utilisation", "fraction from 0 to 1");
    cJSON_AddBoolToObject(o, "assumed", m->assumed);
    int n;
    const char *const *names = ws_form_param_names(m->form, &n);
    if (n > 0) {
        cJSON *params = cJSON_AddObjectToObject(o, "params");
        cJSON *se = cJSON_AddObjectToObject(o, "stderr");
        cJSON *cov = cJSON_AddArrayToObject(o, "covariance");
        for (int i = 0; i < n; i++) {
            cJSON_AddNumberToObject(params, names[i], m->params[i]);
            cJSON_AddNumberToObject(se, names[i], isnan(m->stderr_[i]) ? 0 : m->stderr_[i]);
            cJSON_AddItemToArray(cov, cJSON_CreateDoubleArray(m->cov[i], n));
        }
    }
    if (m->n_points > 0) {
        cJSON *pts = cJSON_AddArrayToObject(o, "points");
        for (int k = 0; k < m->n_points; k++) {
            double pair[2] = {m->point_u[k], m->point_w[k]};
            cJSON_AddItemToArray(pts, cJSON_CreateDoubleArray(pair, 2));
        }
    }
    cJSON_AddNumberToObject(o, "sigma_w", m->sigma_w);
    cJSON_AddNumberToObject(o, "dof", m->dof);
    cJSON_AddNumberToObject(o, "n", m->n);
    if (!isnan(m->r2))
        cJSON_AddNumberToObject(o, "r2", m->r2);
    if (!isnan(m->rmse_w))
        cJSON_AddNumberToObject(o, "rmse_w", m->rmse_w);
    if (!isnan(m->aicc) && !isinf(m->aicc))
        cJSON_AddNumberToObject(o, "aicc", m->aicc);
    return o;
}

static int read_points(const cJSON *pts, ws_power_model *m, const char *file, const char *where, ws_error *err)
{
    int k = 0;
    const cJSON *pt;
    cJSON_ArrayForEach(pt, pts)
    {
        if (k == WS_MODEL_MAX_POINTS || !cJSON_IsArray(pt) || cJSON_GetArraySize(pt) != 2 ||
            !cJSON_IsNumber(cJSON_GetArrayItem(pt, 0)) || !cJSON_IsNumber(cJSON_GetArrayItem(pt, 1))) {
            ws_error_set(err, file, 0, where, "points[%d]: must be [u, watts] (at most %d points)", k,
                         WS_MODEL_MAX_POINTS);
            return -1;
        }
        m->point_u[k] = cJSON_GetArrayItem(pt, 0)->valuedouble;
        m->point_w[k] = cJSON_GetArrayItem(pt, 1)->valuedouble;
        if (m->point_u[k] < 0 || m->point_u[k] > 1 || m->point_w[k] < 0 || (k > 0 && m->point_u[k] <= m->point_u[k - 1])) {
            ws_error_set(err, file, 0, where, "points[%d]: u must rise within 0..1 and watts be >= 0", k);
            return -1;
        }
        k++;
    }
    m->n_points = k;
    if (k < 2) {
        ws_error_set(err, file, 0, where, "points: need at least 2 load levels");
        return -1;
    }
    return 0;
}

/* A count (dof, n) from a model file: 0 unless a whole number from 0 to INT_MAX / 2 (a double outside
 * int's range cast to int is undefined behaviour, and such a count means nothing). */
static int count_or(const cJSON *o, const char *key)
{
    double v = ws_json_number(o, key, 0);
    return v >= 0 && v <= INT_MAX / 2 && v == floor(v) ? (int)v : 0;
}

int ws_model_from_json(const cJSON *o, ws_power_model *m, const char *file, const char *where, ws_error *err)
{
    memset(m, 0, sizeof *m);
    m->r2 = m->rmse_w = m->aicc = NAN;
    if (!cJSON_IsObject(o)) {
        ws_error_set(err, file, 0, where, "must be an object");
        return -1;
    }
    const cJSON *hep = cJSON_GetObjectItemCaseSensitive(o, "hep");
    const cJSON *hs23 = cJSON_GetObjectItemCaseSensitive(hep, "hs23"), *per = cJSON_GetObjectItemCaseSensitive(hep, "hs23_per_core");
    if (cJSON_IsNumber(hs23) && hs23->valuedouble > 0 && isfinite(hs23->valuedouble))
        m->hep_hs23 = hs23->valuedouble;
    if (cJSON_IsNumber(per) && per->valuedouble > 0 && isfinite(per->valuedouble))
        m->hep_hs23_per_core = per->valuedouble;
    const cJSON *form = cJSON_GetObjectItemCaseSensitive(o, "form");
    if (!form)
        form = cJSON_GetObjectItemCaseSensitive(o, "model");
    if (!cJSON_IsString(form) || ws_form_parse(form->valuestring, &m->form) != 0) {
        ws_error_set(err, file, 0, where, "form: one of linear, fan, powerlaw, poly2, poly3, piecewise, tdp");
        return -1;
    }
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(o, "arch");
    if (cJSON_IsString(arch))
        ws_strlcpy(m->arch, arch->valuestring, sizeof m->arch);
    const cJSON *arch_name = cJSON_GetObjectItemCaseSensitive(o, "arch_name");
    if (cJSON_IsString(arch_name))
        ws_strlcpy(m->arch_name, arch_name->valuestring, sizeof m->arch_name);
    int n;
    const char *const *names = ws_form_param_names(m->form, &n);
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(o, "params");
    const cJSON *se = cJSON_GetObjectItemCaseSensitive(o, "stderr");
    if (!params)
        params = o; /* inline: {"model": "linear", "idle_w": 100, "max_w": 300} */
    m->n_params = n;
    for (int i = 0; i < n; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, names[i]);
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
            ws_error_set(err, file, 0, where, "%s: missing or not a number (form %s)", names[i], ws_form_name(m->form));
            return -1;
        }
        m->params[i] = v->valuedouble;
        m->stderr_[i] = ws_json_number(se, names[i], 0);
    }
    if ((m->form == WS_FORM_LINEAR || m->form == WS_FORM_FAN || m->form == WS_FORM_POWERLAW) &&
        (m->params[0] < 0 || m->params[1] < m->params[0])) {
        ws_error_set(err, file, 0, where, "need 0 <= idle_w <= max_w (got %g, %g)", m->params[0], m->params[1]);
        return -1;
    }
    if (m->form == WS_FORM_TDP) {
        if (m->params[0] <= 0) {
            ws_error_set(err, file, 0, where, "tdp_w: must be > 0");
            return -1;
        }
        ws_model_set_tdp(m, m->params[0]);
    }
    const cJSON *cov = cJSON_GetObjectItemCaseSensitive(o, "covariance");
    if (cJSON_IsArray(cov) && cJSON_GetArraySize(cov) == n) {
        for (int i = 0; i < n; i++) {
            const cJSON *row = cJSON_GetArrayItem(cov, i);
            for (int j = 0; j < n; j++) {
                const cJSON *v = cJSON_IsArray(row) ? cJSON_GetArrayItem(row, j) : NULL;
                m->cov[i][j] = cJSON_IsNumber(v) ? v->valuedouble : 0;
            }
        }
    }
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(o, "points");
    if (m->form == WS_FORM_PIECEWISE && read_points(pts, m, file, where, err) != 0)
        return -1;
    m->sigma_w = ws_json_number(o, "sigma_w", 0);
    m->dof = count_or(o, "dof");
    m->n = count_or(o, "n");
    m->r2 = ws_json_number(o, "r2", NAN);
    m->rmse_w = ws_json_number(o, "rmse_w", NAN);
    m->aicc = ws_json_number(o, "aicc", NAN);
    const cJSON *assumed = cJSON_GetObjectItemCaseSensitive(o, "assumed");
    m->assumed = m->form == WS_FORM_TDP || cJSON_IsTrue(assumed);
    return 0;
}

int ws_model_load(const char *path, ws_power_model *m, ws_error *err)
{
    char *text = ws_read_file(path, NULL);
    if (!text) {
        ws_error_set(err, path, 0, "", "cannot read model file: %s", ws_read_file_error());
        return -1;
    }
    cJSON *o = cJSON_ParseWithOpts(text, NULL, 1); /* anything after the document is refused too */
    free(text);
    if (!o) {
        ws_error_set(err, path, 0, "", "not valid JSON");
        return -1;
    }
    const cJSON *family = cJSON_GetObjectItemCaseSensitive(o, "family");
    int rc;
    if (cJSON_IsString(family) && strcmp(family->valuestring, "power") != 0) {
        ws_error_set(err, path, 0, "family", "'%s' is not a power model", family->valuestring);
        rc = -1;
    } else {
        rc = ws_model_from_json(o, m, path, "", err);
    }
    cJSON_Delete(o);
    return rc;
}

double ws_job_model_energy_j(const ws_job_model *m, double work)
{
    return m->e0_j + m->e1_j * work;
}

double ws_job_model_runtime_s(const ws_job_model *m, double work)
{
    return m->t0_s + m->t1_s * work;
}

static cJSON *matrix2(const double c[2][2])
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateDoubleArray(c[0], 2));
    cJSON_AddItemToArray(a, cJSON_CreateDoubleArray(c[1], 2));
    return a;
}

cJSON *ws_job_model_to_json(const ws_job_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "wattscale_model", 1);
    cJSON_AddStringToObject(o, "family", "job");
    cJSON_AddStringToObject(o, "arch", m->arch);
    cJSON_AddStringToObject(o, "job", m->job);
    cJSON_AddStringToObject(o, "work_unit", m->work_unit);
    cJSON_AddStringToObject(o, "formula", "E = e0_j + e1_j * work; T = t0_s + t1_s * work");
    cJSON *e = cJSON_AddObjectToObject(o, "energy");
    cJSON_AddNumberToObject(e, "e0_j", m->e0_j);
    cJSON_AddNumberToObject(e, "e1_j", m->e1_j);
    cJSON_AddItemToObject(e, "covariance", matrix2(m->cov_e));
    cJSON_AddNumberToObject(e, "sigma_j", m->sigma_e_j);
    cJSON *t = cJSON_AddObjectToObject(o, "runtime");
    cJSON_AddNumberToObject(t, "t0_s", m->t0_s);
    cJSON_AddNumberToObject(t, "t1_s", m->t1_s);
    cJSON_AddItemToObject(t, "covariance", matrix2(m->cov_t));
    cJSON_AddNumberToObject(t, "sigma_s", m->sigma_t_s);
    cJSON_AddNumberToObject(o, "n", m->n);
    return o;
}

static void read_matrix2(const cJSON *a, double c[2][2])
{
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            const cJSON *row = cJSON_GetArrayItem(a, i);
            const cJSON *v = row ? cJSON_GetArrayItem(row, j) : NULL;
            c[i][j] = cJSON_IsNumber(v) ? v->valuedouble : 0;
        }
}

int ws_job_model_from_json(const cJSON *o, ws_job_model *m, const char *file, ws_error *err)
{
    memset(m, 0, sizeof *m);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "energy");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "runtime");
    if (!cJSON_IsObject(e) || !cJSON_IsObject(t)) {
        ws_error_set(err, file, 0, "energy", "a job model needs 'energy' and 'runtime' objects");
        return -1;
    }
    static const char *const keys[] = {"arch", "job", "work_unit"};
    char *dst[] = {m->arch, m->job, m->work_unit};
    size_t sizes[] = {sizeof m->arch, sizeof m->job, sizeof m->work_unit};
    for (int k = 0; k < 3; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[k]);
        if (cJSON_IsString(v))
            ws_strlcpy(dst[k], v->valuestring, sizes[k]);
    }
    m->e0_j = ws_json_number(e, "e0_j", NAN);
    m->e1_j = ws_json_number(e, "e1_j", NAN);
    m->t0_s = ws_json_number(t, "t0_s", NAN);
    m->t1_s = ws_json_number(t, "t1_s", NAN);
    if (isnan(m->e0_j) || isnan(m->e1_j) || isnan(m->t0_s) || isnan(m->t1_s)) {
        ws_error_set(err, file, 0, "energy", "e0_j, e1_j, t0_s and t1_s must be numbers");
        return -1;
    }
    read_matrix2(cJSON_GetObjectItemCaseSensitive(e, "covariance"), m->cov_e);
    read_matrix2(cJSON_GetObjectItemCaseSensitive(t, "covariance"), m->cov_t);
    m->sigma_e_j = ws_json_number(e, "sigma_j", 0);
    m->sigma_t_s = ws_json_number(t, "sigma_s", 0);
    m->n = count_or(o, "n");
    return 0;
}
