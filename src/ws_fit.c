/* ws_fit: see ws_fit.h. Linear forms use gsl_fit_linear / gsl_multifit_linear, the Fan and
 * power-law forms gsl_multifit_nlinear (trust region, Levenberg-Marquardt) with the exponent fitted
 * as its logarithm (so it stays positive) from several starts. Covariances are sigma^2 (J'J)^-1 with
 * sigma^2 = RSS / (n - p). */
#include "ws_fit.h"

#include "ws_stats.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_csv.h"

#define DEFAULT_MAX_ITER 500
#define DEFAULT_TOL_REL 0.05

static int max_iter(const ws_fit_options *o) { return o && o->max_iter > 0 ? o->max_iter : DEFAULT_MAX_ITER; }
static double tol_rel(const ws_fit_options *o) { return o && o->tol_rel > 0 ? o->tol_rel : DEFAULT_TOL_REL; }

static void report_init(ws_fit_report *rep, ws_form form, int n)
{
    memset(rep, 0, sizeof *rep);
    rep->form = form;
    rep->n = n;
    rep->r2 = rep->rmse_w = rep->aicc = rep->rss_w2 = NAN;
    rep->worst_u = rep->worst_w = rep->worst_fit_w = rep->worst_resid_w = rep->worst_rel = rep->max_rel = NAN;
}

static void model_init(ws_power_model *m, ws_form form)
{
    char arch[128], arch_name[192];
    memcpy(arch, m->arch, sizeof arch);
    memcpy(arch_name, m->arch_name, sizeof arch_name);
    memset(m, 0, sizeof *m);
    memcpy(m->arch, arch, sizeof arch); /* the caller may have named the architecture already */
    memcpy(m->arch_name, arch_name, sizeof arch_name);
    m->form = form;
    m->r2 = m->rmse_w = m->aicc = NAN;
}

static int fail(ws_fit_report *rep, ws_error *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(ws_fit_report *rep, ws_error *err, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ws_strlcpy(rep->why, msg, sizeof rep->why);
    ws_error_set(err, "", 0, ws_form_name(rep->form), "%s", msg);
    return WS_EINPUT;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int count_levels(const ws_power_point *pts, int n)
{
    double *u = malloc((size_t)n * sizeof *u);
    if (!u)
        return 0;
    for (int i = 0; i < n; i++)
        u[i] = pts[i].u;
    qsort(u, (size_t)n, sizeof *u, cmp_double);
    int k = n > 0;
    for (int i = 1; i < n; i++)
        k += u[i] - u[i - 1] > 1e-9;
    free(u);
    return k;
}

void ws_fit_assess(const ws_power_point *pts, int n, ws_power_model *m, ws_fit_report *rep)
{
    double mean = 0, rss = 0, tss = 0;
    for (int i = 0; i < n; i++)
        mean += pts[i].w / n;
    rep->max_rel = 0;
    rep->worst_resid_w = 0;
    for (int i = 0; i < n; i++) {
        double f = ws_model_power_w(m, pts[i].u), r = pts[i].w - f;
        rss += r * r;
        tss += (pts[i].w - mean) * (pts[i].w - mean);
        double rel = pts[i].w != 0 ? fabs(r) / fabs(pts[i].w) : (r == 0 ? 0 : INFINITY);
        if (rel > rep->max_rel)
            rep->max_rel = rel;
        if (i == 0 || fabs(r) > fabs(rep->worst_resid_w)) {
            rep->worst_u = pts[i].u;
            rep->worst_w = pts[i].w;
            rep->worst_fit_w = f;
            rep->worst_resid_w = r;
            rep->worst_rel = pts[i].w != 0 ? r / pts[i].w : NAN;
        }
    }
    int p = m->n_params, k = p + 1; /* the residual variance counts as a parameter */
    rep->n = n;
    rep->n_params = p;
    rep->rss_w2 = rss;
    rep->r2 = tss > 0 ? 1 - rss / tss : NAN;
    rep->rmse_w = n > 0 ? sqrt(rss / n) : NAN;
    double rss_floor = fmax(rss, 1e-12 * fmax(tss, 1));
    rep->aicc = (m->form == WS_FORM_PIECEWISE || m->form == WS_FORM_TDP || n - k - 1 <= 0)
                    ? NAN
                    : n * log(rss_floor / n) + 2.0 * k + 2.0 * k * (k + 1) / (n - k - 1);
    m->n = n;
    m->r2 = rep->r2;
    m->rmse_w = rep->rmse_w;
    m->aicc = rep->aicc;
}

/* Standard errors from the covariance; sigma and dof from the residuals. */
static void finish_stats(const ws_power_point *pts, int n, ws_power_model *m, ws_fit_report *rep)
{
    ws_fit_assess(pts, n, m, rep);
    m->dof = n - m->n_params;
    m->sigma_w = m->dof > 0 ? sqrt(rep->rss_w2 / m->dof) : 0;
    for (int i = 0; i < m->n_params; i++)
        m->stderr_[i] = sqrt(fmax(m->cov[i][i], 0));
    rep->ok = 1;
}

static int check_points(const ws_power_point *pts, int n, ws_fit_report *rep, ws_error *err)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(pts[i].u) || !isfinite(pts[i].w))
            return fail(rep, err, "point %d is not a number (NaN or infinite)", i + 1);
        else if (pts[i].u < 0 || pts[i].u > 1)
            return fail(rep, err, "point %d: utilisation %g must be a fraction from 0 to 1", i + 1, pts[i].u);
    return 0;
}

/* Too few points or levels for a form with p parameters. */
static int check_counts(ws_form form, int n, int levels, int p, ws_fit_report *rep, ws_error *err)
{
    int need_levels = form == WS_FORM_LINEAR ? 2 : form == WS_FORM_POLY3 ? 4 : 3;
    if (levels < 2)
        return fail(rep, err, "all %d points are at one utilisation: a curve needs at least 2 load levels", n);
    if (n < p + 1 || levels < need_levels)
        return fail(rep, err,
                    "form %s has %d parameters: needs at least %d distinct utilisations and %d points "
                    "(got %d points at %d utilisations)",
                    ws_form_name(form), p, need_levels, p + 1, n, levels);
    return 0;
}

static int fit_linear(const ws_power_point *pts, int n, ws_power_model *m)
{
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    double c0, c1, c00, c01, c11, sumsq;
    int rc = -1;
    if (x && y) {
        for (int i = 0; i < n; i++) {
            x[i] = pts[i].u;
            y[i] = pts[i].w;
        }
        rc = gsl_fit_linear(x, 1, y, 1, (size_t)n, &c0, &c1, &c00, &c01, &c11, &sumsq);
    }
    free(x);
    free(y);
    if (rc != 0)
        return -1;
    /* idle = c0, max = c0 + c1: covariance through J = [[1, 0], [1, 1]]. */
    m->n_params = 2;
    m->params[0] = c0;
    m->params[1] = c0 + c1;
    m->cov[0][0] = c00;
    m->cov[0][1] = m->cov[1][0] = c00 + c01;
    m->cov[1][1] = c00 + 2 * c01 + c11;
    return 0;
}

static int fit_poly(const ws_power_point *pts, int n, int p, ws_power_model *m)
{
    gsl_matrix *X = gsl_matrix_alloc((size_t)n, (size_t)p), *cov = gsl_matrix_alloc((size_t)p, (size_t)p);
    gsl_vector *y = gsl_vector_alloc((size_t)n), *c = gsl_vector_alloc((size_t)p);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc((size_t)n, (size_t)p);
    int rc = -1;
    if (X && cov && y && c && w) {
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < p; k++)
                gsl_matrix_set(X, (size_t)i, (size_t)k, pow(pts[i].u, k));
            gsl_vector_set(y, (size_t)i, pts[i].w);
        }
        double chisq;
        rc = gsl_multifit_linear(X, y, c, cov, &chisq, w);
        m->n_params = p;
        for (int a = 0; a < p && rc == 0; a++) {
            m->params[a] = gsl_vector_get(c, (size_t)a);
            for (int b = 0; b < p; b++)
                m->cov[a][b] = gsl_matrix_get(cov, (size_t)a, (size_t)b);
        }
    }
    gsl_multifit_linear_free(w);
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(y);
    gsl_vector_free(c);
    return rc == 0 ? 0 : -1;
}

/* Nonlinear forms: x = (idle_w, max_w, ln exponent). */
typedef struct {
    const ws_power_point *pts;
    int n;
    ws_form form;
} nl_data;

static void nl_model(const gsl_vector *x, ws_form form, ws_power_model *m)
{
    memset(m, 0, sizeof *m);
    m->form = form;
    m->n_params = 3;
    m->params[0] = gsl_vector_get(x, 0);
    m->params[1] = gsl_vector_get(x, 1);
    m->params[2] = exp(fmin(gsl_vector_get(x, 2), 20.0));
}

static int nl_f(const gsl_vector *x, void *data, gsl_vector *f)
{
    const nl_data *d = data;
    ws_power_model m;
    nl_model(x, d->form, &m);
    for (int i = 0; i < d->n; i++)
        gsl_vector_set(f, (size_t)i, ws_model_power_w(&m, d->pts[i].u) - d->pts[i].w);
    return GSL_SUCCESS;
}

static int nl_df(const gsl_vector *x, void *data, gsl_matrix *J)
{
    const nl_data *d = data;
    ws_power_model m;
    nl_model(x, d->form, &m);
    double g[WS_MODEL_MAX_PARAMS];
    for (int i = 0; i < d->n; i++) {
        ws_model_gradient(&m, d->pts[i].u, g);
        gsl_matrix_set(J, (size_t)i, 0, g[0]);
        gsl_matrix_set(J, (size_t)i, 1, g[1]);
        gsl_matrix_set(J, (size_t)i, 2, g[2] * m.params[2]); /* d/d(ln e) = e d/de */
    }
    return GSL_SUCCESS;
}

/* One start; returns the RSS (INFINITY when it did not converge) and the solution in best. */
static double nl_run(nl_data *d, const double x0[3], int iters, double xbest[3], double cov[3][3], int *iter_out)
{
    gsl_multifit_nlinear_fdf fdf = {.f = nl_f, .df = nl_df, .fvv = NULL, .n = (size_t)d->n, .p = 3, .params = d};
    gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, (size_t)d->n, 3);
    if (!w)
        return INFINITY;
    gsl_vector_const_view xv = gsl_vector_const_view_array(x0, 3);
    int info = 0;
    double rss = INFINITY;
    if (gsl_multifit_nlinear_init(&xv.vector, &fdf, w) == GSL_SUCCESS &&
        gsl_multifit_nlinear_driver((size_t)iters, 1e-10, 1e-10, 0.0, NULL, NULL, &info, w) == GSL_SUCCESS) {
        gsl_vector *f = gsl_multifit_nlinear_residual(w);
        gsl_blas_ddot(f, f, &rss);
        gsl_vector *x = gsl_multifit_nlinear_position(w);
        gsl_matrix *c = gsl_matrix_alloc(3, 3);
        if (c && gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 0.0, c) == GSL_SUCCESS && isfinite(rss)) {
            for (int a = 0; a < 3; a++) {
                xbest[a] = gsl_vector_get(x, (size_t)a);
                for (int b = 0; b < 3; b++)
                    cov[a][b] = gsl_matrix_get(c, (size_t)a, (size_t)b);
            }
            *iter_out = (int)gsl_multifit_nlinear_niter(w);
        } else {
            rss = INFINITY;
        }
        gsl_matrix_free(c);
    }
    gsl_multifit_nlinear_free(w);
    return rss;
}

static int fit_nonlinear(const ws_power_point *pts, int n, ws_form form, int iters, ws_power_model *m, int *iterations)
{
    /* Starts: idle from the lowest-utilisation point, max from a straight line at u = 1. */
    ws_power_model lin;
    memset(&lin, 0, sizeof lin);
    if (fit_linear(pts, n, &lin) != 0)
        return -1;
    static const double exps[] = {0.25, 0.5, 1.0, 1.5, 2.0, 4.0};
    nl_data d = {pts, n, form};
    double best = INFINITY, xb[3] = {0}, cb[3][3] = {{0}};
    for (size_t s = 0; s < sizeof exps / sizeof *exps; s++) {
        double x0[3] = {lin.params[0], lin.params[1], log(exps[s])}, x[3], c[3][3];
        int it = 0;
        double rss = nl_run(&d, x0, iters, x, c, &it);
        if (rss < best * (1 - 1e-9)) {
            best = rss;
            memcpy(xb, x, sizeof xb);
            memcpy(cb, c, sizeof cb);
            *iterations = it;
        }
    }
    if (!isfinite(best))
        return -1;
    double e = exp(xb[2]), jac[3] = {1, 1, e};
    m->n_params = 3;
    m->params[0] = xb[0];
    m->params[1] = xb[1];
    m->params[2] = e;
    double s2 = n > 3 ? best / (n - 3) : 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            m->cov[a][b] = s2 * jac[a] * cb[a][b] * jac[b];
    return 0;
}

typedef struct {
    double u, w;
} level;

static int cmp_level(const void *a, const void *b)
{
    return cmp_double(&((const level *)a)->u, &((const level *)b)->u);
}

/* Piecewise: mean power per utilisation level (per 2% bin when there are too many levels). */
static int fit_piecewise(const ws_power_point *pts, int n, ws_power_model *m)
{
    level *lv = malloc((size_t)n * sizeof *lv);
    if (!lv)
        return -1;
    int levels = count_levels(pts, n);
    double bin = levels > WS_MODEL_MAX_POINTS ? 0.02 : 0;
    for (int i = 0; i < n; i++) {
        lv[i].u = bin > 0 ? round(pts[i].u / bin) * bin : pts[i].u;
        lv[i].w = pts[i].w;
    }
    qsort(lv, (size_t)n, sizeof *lv, cmp_level);
    int k = 0;
    for (int i = 0; i < n;) {
        int j = i;
        double sum = 0;
        while (j < n && lv[j].u - lv[i].u <= 1e-9)
            sum += lv[j++].w;
        m->point_u[k] = lv[i].u;
        m->point_w[k++] = sum / (j - i);
        i = j;
    }
    free(lv);
    m->n_points = k;
    m->n_params = 0;
    return 0;
}

static int check_physical(ws_power_model *m, ws_fit_report *rep, ws_error *err)
{
    int bounded = m->form == WS_FORM_LINEAR || m->form == WS_FORM_FAN || m->form == WS_FORM_POWERLAW;
    for (int i = 0; i < m->n_params; i++)
        if (!isfinite(m->params[i]))
            return fail(rep, err, "the fit gave a non-finite %s", ws_form_param_names(m->form, &(int){0})[i]);
    if (bounded && (m->params[0] < 0 || m->params[1] < m->params[0])) {
        return fail(rep, err, "fitted idle_w %.4g and max_w %.4g violate 0 <= idle_w <= max_w", m->params[0],
                    m->params[1]);
    }
    return 0;
}

int ws_fit_power(const ws_power_point *pts, int n, ws_form form, const ws_fit_options *opts, ws_power_model *m,
                 ws_fit_report *rep, ws_error *err)
{
    report_init(rep, form, n);
    model_init(m, form);
    if (form == WS_FORM_TDP)
        return fail(rep, err, "the TDP curve is assumed, not fitted: give --tdp-w");
    if (n <= 0)
        return fail(rep, err, "no points to fit");
    if (check_points(pts, n, rep, err))
        return WS_EINPUT;
    int names;
    ws_form_param_names(form, &names);
    int levels = count_levels(pts, n);
    rep->n_levels = levels;
    if (form == WS_FORM_PIECEWISE && levels < 2)
        return fail(rep, err, "all %d points are at one utilisation: interpolation needs at least 2 load levels", n);
    if (form != WS_FORM_PIECEWISE && check_counts(form, n, levels, names, rep, err))
        return WS_EINPUT;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = 0;
    switch (form) {
    case WS_FORM_LINEAR: rc = fit_linear(pts, n, m); break;
    case WS_FORM_POLY2: rc = fit_poly(pts, n, 3, m); break;
    case WS_FORM_POLY3: rc = fit_poly(pts, n, 4, m); break;
    case WS_FORM_FAN:
    case WS_FORM_POWERLAW: rc = fit_nonlinear(pts, n, form, max_iter(opts), m, &rep->iterations); break;
    case WS_FORM_PIECEWISE: rc = fit_piecewise(pts, n, m); break;
    default: rc = -1; break;
    }
    gsl_set_error_handler(old);
    if (rc != 0)
        return fail(rep, err, "the fit did not converge within %d iterations", max_iter(opts));
    if (check_physical(m, rep, err))
        return WS_EINPUT;
    finish_stats(pts, n, m, rep);
    if (form == WS_FORM_PIECEWISE) {
        m->dof = 0;
        m->sigma_w = 0;
    }
    return 0;
}

int ws_fit_power_auto(const ws_power_point *pts, int n, const ws_fit_options *opts, ws_power_model *m,
                      ws_fit_auto_report *rep, ws_error *err)
{
    static const ws_form forms[5] = {WS_FORM_LINEAR, WS_FORM_FAN, WS_FORM_POWERLAW, WS_FORM_POLY2, WS_FORM_POLY3};
    memset(rep, 0, sizeof *rep);
    rep->tol_rel = tol_rel(opts);
    ws_power_model cand[5];
    int best = -1, best_q = -1;
    ws_error e1;
    for (int i = 0; i < 5; i++) {
        memcpy(cand[i].arch, m->arch, sizeof m->arch);
        memcpy(cand[i].arch_name, m->arch_name, sizeof m->arch_name);
        ws_fit_report *r = &rep->candidates[i];
        if (ws_fit_power(pts, n, forms[i], opts, &cand[i], r, i == 0 ? err : &e1) != 0)
            continue;
        rep->n_candidates++;
        double a = isnan(r->aicc) ? INFINITY : r->aicc;
        if (best < 0 || a < (isnan(rep->candidates[best].aicc) ? INFINITY : rep->candidates[best].aicc))
            best = i;
        if (r->max_rel <= rep->tol_rel &&
            (best_q < 0 || a < (isnan(rep->candidates[best_q].aicc) ? INFINITY : rep->candidates[best_q].aicc)))
            best_q = i;
    }
    if (best < 0) {
        if (rep->candidates[0].why[0] == '\0')
            ws_error_set(err, "", 0, "auto", "no form could be fitted");
        return WS_EINPUT;
    }
    int pick = best_q >= 0 ? best_q : best;
    rep->qualified = best_q >= 0;
    rep->chosen = forms[pick];
    *m = cand[pick];
    return 0;
}

int ws_fit_util_is_percent(const char *column, const double *u, int n)
{
    char low[128];
    size_t i = 0;
    for (; column && column[i] && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)column[i]);
    low[i] = '\0';
    if (strstr(low, "pct") || strchr(low, '%') || strstr(low, "percent"))
        return 1;
    if (strstr(low, "frac"))
        return 0;
    for (int k = 0; k < n; k++)
        if (u[k] > 1.0)
            return 1;
    return 0;
}

static const char *const UTIL_COLUMNS[] = {"load_pct", "util_gpu_pct", "utilization.gpu [%]", "util_pct",
                                           "utilization.gpu", "util_frac", "utilisation", "utilization", "util",
                                           "load", NULL};
static const char *const POWER_COLUMNS[] = {"power_w", "power.draw [W]", "power.draw", "power", NULL};

static int find_column(ws_csv *c, const char *const *names, char *out, size_t size)
{
    for (int k = 0; names[k]; k++) {
        int i = ws_csv_find(c->fields, c->nfields, names[k]);
        if (i >= 0) {
            ws_strlcpy(out, names[k], size);
            return i;
        }
    }
    return -1;
}

static int table_row(ws_csv *c, const char *path, int iu, int ip, const ws_table_info *info, double *u, double *w,
                     ws_error *err)
{
    int need = iu > ip ? iu : ip;
    if ((int)c->nfields <= need) {
        ws_error_set(err, path, c->line, "", "row has %zu fields, the header %d or more", c->nfields, need + 1);
        return WS_EINPUT;
    }
    char unit[16];
    if (ws_parse_number_unit(c->fields[iu], u, unit, sizeof unit) != 0 || !isfinite(*u) ||
        (unit[0] && strcmp(unit, "%") != 0)) {
        ws_error_set(err, path, c->line, info->util_column, "'%s' is not a number", c->fields[iu]);
        return WS_EINPUT;
    }
    if (ws_parse_number_unit(c->fields[ip], w, unit, sizeof unit) != 0 || !isfinite(*w) || *w < 0 ||
        (unit[0] && strcmp(unit, "W") != 0)) {
        ws_error_set(err, path, c->line, info->power_column, "'%s' is not a power in W", c->fields[ip]);
        return WS_EINPUT;
    }
    return 0;
}

int ws_fit_read_power_table(const char *path, ws_power_point **pts_out, int *n_out, ws_table_info *info,
                            ws_error *err)
{
    memset(info, 0, sizeof *info);
    *pts_out = NULL;
    *n_out = 0;
    ws_csv c;
    if (ws_csv_open(&c, path, ',') != 0) {
        ws_error_set(err, path, 0, "", "cannot open: %s", strerror(errno));
        return WS_EINPUT;
    }
    int rc = WS_EINPUT, iu = -1, ip = -1, n = 0, cap = 0;
    ws_power_point *pts = NULL;
    if (ws_csv_next(&c) != 1) {
        ws_error_set(err, path, 1, "", "empty file: expected a header naming utilisation and power columns");
        goto out;
    }
    iu = find_column(&c, UTIL_COLUMNS, info->util_column, sizeof info->util_column);
    ip = find_column(&c, POWER_COLUMNS, info->power_column, sizeof info->power_column);
    if (iu < 0 || ip < 0) {
        ws_error_set(err, path, c.line, iu < 0 ? "utilisation" : "power",
                     "no %s column (expected %s)", iu < 0 ? "utilisation" : "power",
                     iu < 0 ? "load_pct, util_gpu_pct or 'utilization.gpu [%]'" : "power_w or 'power.draw [W]'");
        goto out;
    }
    int r;
    while ((r = ws_csv_next(&c)) == 1) {
        if (ws_grow(&pts, n, &cap, sizeof *pts, 64) != 0) {
            rc = WS_EFAIL;
            goto out;
        }
        if (table_row(&c, path, iu, ip, info, &pts[n].u, &pts[n].w, err) != 0)
            goto out;
        n++;
    }
    if (r < 0) {
        ws_error_set(err, path, c.line, "", "unterminated quoted field");
        goto out;
    }
    double *u = calloc((size_t)(n ? n : 1), sizeof *u);
    if (!u) {
        rc = WS_EFAIL;
        goto out;
    }
    for (int i = 0; i < n; i++)
        u[i] = pts[i].u;
    info->util_percent = ws_fit_util_is_percent(info->util_column, u, n);
    free(u);
    for (int i = 0; i < n; i++) {
        if (info->util_percent)
            pts[i].u /= 100.0;
        if (pts[i].u < 0 || pts[i].u > 1) {
            ws_error_set(err, path, 0, info->util_column, "row %d: utilisation %g is outside 0..%s", i + 1,
                         info->util_percent ? pts[i].u * 100 : pts[i].u, info->util_percent ? "100 %" : "1");
            goto out;
        }
    }
    *pts_out = pts;
    *n_out = n;
    pts = NULL;
    rc = 0;
out:
    free(pts);
    ws_csv_close(&c);
    return rc;
}

void ws_mean_ci95(const double *x, int n, ws_mean_ci *out)
{
    ws_interval iv = ws_stats_mean_ci(x, n > 0 ? (size_t)n : 0);
    out->n = n;
    out->mean = iv.mean;
    out->lo = iv.lo;
    out->hi = iv.hi;
    out->sd = n > 1 ? iv.sd : NAN; /* one run: no spread to speak of */
}

const char *ws_job_fit_kind_name(ws_job_fit_kind k)
{
    switch (k) {
    case WS_JOB_FIT_LINEAR: return "linear";
    case WS_JOB_FIT_EXACT: return "exact";
    case WS_JOB_FIT_PROPORTIONAL: return "proportional";
    }
    return "unknown";
}

/* y = c0 + c1 w, weights 1/y^2, covariance scaled by chi^2/(n-2); r2 unweighted. */
static int wls_line(const double *w, const double *y, int n, double *c0, double *c1, double cov[2][2],
                    double *sigma, double *r2)
{
    double *wt = malloc((size_t)n * sizeof *wt);
    if (!wt)
        return -1;
    for (int i = 0; i < n; i++)
        wt[i] = 1.0 / (y[i] * y[i]);
    double c00, c01, c11, chisq;
    int rc = gsl_fit_wlinear(w, 1, wt, 1, y, 1, (size_t)n, c0, c1, &c00, &c01, &c11, &chisq);
    free(wt);
    if (rc != 0)
        return -1;
    double s = n > 2 ? chisq / (n - 2) : 0;
    cov[0][0] = c00 * s;
    cov[0][1] = cov[1][0] = c01 * s;
    cov[1][1] = c11 * s;
    double mean = gsl_stats_mean(y, 1, (size_t)n), rss = 0, tss = 0;
    for (int i = 0; i < n; i++) {
        double r = y[i] - (*c0 + *c1 * w[i]);
        rss += r * r;
        tss += (y[i] - mean) * (y[i] - mean);
    }
    *sigma = n > 2 ? sqrt(rss / (n - 2)) : 0;
    *r2 = tss > 0 ? 1 - rss / tss : NAN;
    return 0;
}

/* Runs whose work differs by less than this (relative) are one configuration: work derived from a
 * rounded rate (samples_per_s x duration_s) scatters by ~1e-6, and a line through such points would
 * be pure noise (intercepts of -1e7 J). */
#define WS_FIT_SAME_WORK_REL 1e-4

static void job_configs(const ws_job_run *runs, int n, ws_job_fit_report *rep, double *buf_e, double *buf_t)
{
    double *works = malloc((size_t)n * sizeof *works);
    if (!works)
        return;
    for (int i = 0; i < n; i++)
        works[i] = runs[i].work;
    qsort(works, (size_t)n, sizeof *works, cmp_double);
    for (int i = 0; i < n && rep->n_configs < WS_FIT_MAX_CONFIGS;) {
        double w = works[i];
        int k = 0;
        for (int j = 0; j < n; j++)
            if (fabs(runs[j].work - w) <= WS_FIT_SAME_WORK_REL * fabs(w)) {
                buf_e[k] = runs[j].energy_j;
                buf_t[k++] = runs[j].runtime_s;
            }
        int c = rep->n_configs++;
        rep->config_work[c] = w;
        ws_mean_ci95(buf_e, k, &rep->config_energy_j[c]);
        ws_mean_ci95(buf_t, k, &rep->config_runtime_s[c]);
        while (i < n && fabs(works[i] - w) <= WS_FIT_SAME_WORK_REL * fabs(w))
            i++;
    }
    free(works);
}

static void job_proportional(const ws_job_fit_report *rep, ws_job_model *m)
{
    const ws_mean_ci *e = &rep->config_energy_j[0], *t = &rep->config_runtime_s[0];
    double w = rep->config_work[0];
    m->e1_j = e->mean / w;
    m->t1_s = t->mean / w;
    if (e->n > 1) {
        m->cov_e[1][1] = e->sd * e->sd / e->n / (w * w);
        m->cov_t[1][1] = t->sd * t->sd / t->n / (w * w);
        m->sigma_e_j = e->sd;
        m->sigma_t_s = t->sd;
    }
}

int ws_fit_job(const ws_job_run *runs, int n, ws_job_model *m, ws_job_fit_report *rep, ws_error *err)
{
    memset(rep, 0, sizeof *rep);
    rep->r2_e = rep->r2_t = NAN;
    m->e0_j = m->e1_j = m->t0_s = m->t1_s = m->sigma_e_j = m->sigma_t_s = 0;
    memset(m->cov_e, 0, sizeof m->cov_e);
    memset(m->cov_t, 0, sizeof m->cov_t);
    m->n = n;
    rep->n = n;
    if (n <= 0) {
        ws_error_set(err, "", 0, "job", "no runs with work, energy and runtime to fit");
        return WS_EINPUT;
    }
    for (int i = 0; i < n; i++)
        if (!isfinite(runs[i].work) || !isfinite(runs[i].energy_j) || !isfinite(runs[i].runtime_s) ||
            runs[i].work <= 0 || runs[i].energy_j <= 0 || runs[i].runtime_s <= 0) {
            ws_error_set(err, "", 0, "job", "run %d (profile %lld): work, energy and runtime must be positive numbers",
                         i + 1, (long long)runs[i].profile_id);
            return WS_EINPUT;
        }
    double *w = malloc((size_t)n * sizeof *w), *e = malloc((size_t)n * sizeof *e), *t = malloc((size_t)n * sizeof *t);
    if (!w || !e || !t) {
        free(w), free(e), free(t);
        return WS_EFAIL;
    }
    job_configs(runs, n, rep, e, t);
    rep->n_works = rep->n_configs;
    int rc = 0;
    if (rep->n_works < 2) {
        rep->kind = WS_JOB_FIT_PROPORTIONAL;
        job_proportional(rep, m);
        rep->cov_known = n > 1;
    } else {
        for (int i = 0; i < n; i++) {
            w[i] = runs[i].work;
            e[i] = runs[i].energy_j;
            t[i] = runs[i].runtime_s;
        }
        rep->kind = n > 2 ? WS_JOB_FIT_LINEAR : WS_JOB_FIT_EXACT;
        rep->cov_known = n > 2;
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        if (wls_line(w, e, n, &m->e0_j, &m->e1_j, m->cov_e, &m->sigma_e_j, &rep->r2_e) != 0 ||
            wls_line(w, t, n, &m->t0_s, &m->t1_s, m->cov_t, &m->sigma_t_s, &rep->r2_t) != 0) {
            ws_error_set(err, "", 0, "job", "weighted least squares failed");
            rc = WS_EINPUT;
        }
        gsl_set_error_handler(old);
    }
    free(w), free(e), free(t);
    return rc;
}
