/* cmd_predict: `wattscale predict --model FILE --util U` prints the power a fitted model predicts at
 * utilisation U with its 95% prediction interval (for one new measurement); for a job model,
 * `--work W` prints energy and runtime. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_opt.h"
#include "ws_model.h"

/* "0.5" -> 0.5; "50%" or "50" -> 0.5 with *percent set. */
static int parse_util(const char *s, double *u, int *percent)
{
    char unit[16];
    if (ws_parse_number_unit(s, u, unit, sizeof unit) != 0 || (unit[0] && strcmp(unit, "%") != 0))
        return -1;
    *percent = unit[0] == '%' || *u > 1;
    if (*percent)
        *u /= 100;
    return *u >= 0 && *u <= 1 ? 0 : -1;
}

static int predict_power(const char *path, const ws_power_model *m, double u, int json)
{
    double p, lo, hi;
    ws_model_predict(m, u, &p, &lo, &hi);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "model", path);
        cJSON_AddStringToObject(o, "arch", m->arch);
        cJSON_AddStringToObject(o, "form", ws_form_name(m->form));
        cJSON_AddNumberToObject(o, "util", u);
        cJSON_AddNumberToObject(o, "power_w", p);
        cJSON_AddNumberToObject(o, "lo_w", lo);
        cJSON_AddNumberToObject(o, "hi_w", hi);
        cJSON_AddBoolToObject(o, "interval_known", hi > lo);
        cJSON_AddBoolToObject(o, "assumed", m->assumed);
        ws_cli_print_json(o, stdout);
        return 0;
    }
    printf("%s (%s) at utilisation %.4g: %.1f W", m->arch, ws_form_name(m->form), u, p);
    if (hi > lo)
        printf(", 95%% prediction interval %.1f .. %.1f W\n", lo, hi);
    else
        printf(" (no interval: %s)\n", m->form == WS_FORM_PIECEWISE ? "piecewise interpolation" : "not fitted");
    if (m->assumed)
        printf("ASSUMED: nothing was measured for %s; this is the TDP x Teads curve\n", m->arch);
    return 0;
}

static void job_ci(double w, double c0, double c1, const double cov[2][2], int n, double *lo, double *hi)
{
    double y = c0 + c1 * w, var = cov[0][0] + 2 * w * cov[0][1] + w * w * cov[1][1];
    double t = n > 2 ? gsl_cdf_tdist_Pinv(0.975, n - 2) : n == 2 ? gsl_cdf_tdist_Pinv(0.975, 1) : 0;
    *lo = y - t * sqrt(fmax(var, 0));
    *hi = y + t * sqrt(fmax(var, 0));
}

static int predict_job(const ws_job_model *m, double work, int json)
{
    double e = ws_job_model_energy_j(m, work), t = ws_job_model_runtime_s(m, work), elo, ehi, tlo, thi;
    job_ci(work, m->e0_j, m->e1_j, m->cov_e, m->n, &elo, &ehi);
    job_ci(work, m->t0_s, m->t1_s, m->cov_t, m->n, &tlo, &thi);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "arch", m->arch);
        cJSON_AddStringToObject(o, "job", m->job);
        cJSON_AddNumberToObject(o, "work", work);
        cJSON_AddNumberToObject(o, "energy_j", e);
        cJSON_AddNumberToObject(o, "energy_lo_j", elo);
        cJSON_AddNumberToObject(o, "energy_hi_j", ehi);
        cJSON_AddNumberToObject(o, "energy_kwh", e / WS_J_PER_KWH);
        cJSON_AddNumberToObject(o, "runtime_s", t);
        cJSON_AddNumberToObject(o, "runtime_lo_s", tlo);
        cJSON_AddNumberToObject(o, "runtime_hi_s", thi);
        cJSON_AddBoolToObject(o, "interval_known", ehi > elo);
        ws_cli_print_json(o, stdout);
        return 0;
    }
    printf("%s / %s at work %.6g %s: energy %.6g J (%.6g kWh), runtime %.6g s\n", m->arch, m->job, work, m->work_unit,
           e, e / WS_J_PER_KWH, t);
    if (ehi > elo)
        printf("  95%% confidence intervals: energy %.6g .. %.6g J, runtime %.6g .. %.6g s\n", elo, ehi, tlo, thi);
    else
        printf("  interval unknown (too few runs)\n");
    return 0;
}

static int load_any(const char *path, ws_power_model *pm, ws_job_model *jm, int *is_job)
{
    ws_error err;
    char *text = ws_read_file(path, NULL);
    int readable = text != NULL;
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *fam = o ? cJSON_GetObjectItemCaseSensitive(o, "family") : NULL;
    *is_job = cJSON_IsString(fam) && strcmp(fam->valuestring, "job") == 0;
    int rc = !o ? (ws_error_set(&err, path, 0, "", readable ? "not valid JSON" : "cannot read model file"), -1)
             : *is_job ? ws_job_model_from_json(o, jm, path, &err)
                       : ws_model_from_json(o, pm, path, "", &err);
    cJSON_Delete(o);
    if (rc != 0) {
        fputs("wattscale predict: ", stderr);
        ws_error_print(&err, stderr);
    }
    return rc;
}

int cmd_predict(int argc, char **argv)
{
    const char *model = NULL, *util = NULL;
    double work = NAN;
    int json = 0, status;
    const ws_opt options[] = {
        WS_OPT_STRING(0, "model", &model, "FILE", "a model file written by 'wattscale fit' (required)"),
        WS_OPT_STRING(0, "util", &util, "U", "power models: the utilisation, 0..1 (or 0..100 / with %, said so)"),
        WS_OPT_DOUBLE(0, "work", &work, "W", 0, INFINITY, 0, "a non-negative number", "job models: the work"),
        WS_OPT_FLAG(0, "json", &json, "one JSON object"),
        WS_OPT_END()};
    const ws_opt_cmd spec = {
        "predict", "wattscale predict --model FILE --util U [--json]\n"
                   "wattscale predict --model FILE --work W [--json]   (job models)",
        "Power in W predicted by a power model at utilisation U, a fraction from 0 to 1 (a value with '%',\n"
        "or above 1 and up to 100, is read as percent and said so), with the 95% prediction interval for one\n"
        "new measurement: P +- t(0.975, dof) sqrt(g'Cg + sigma^2). An assumed (TDP) model has no interval\n"
        "and is flagged. --json prints {arch, form, util, power_w, lo_w, hi_w, assumed}.\n"
        "For a job model, --work W prints energy (J, kWh) and runtime (s) with 95% confidence intervals of\n"
        "the fitted line.",
        options, NULL, NULL, 0, 0, 0};
    if (ws_opt_parse(&spec, argc, argv, &status) < 0)
        return status;
    int have_work = !isnan(work);
    if (!model || (!util == !have_work)) {
        return ws_opt_fail(&spec, "give --model FILE and one of --util U or --work W");
    }
    ws_power_model pm;
    ws_job_model jm;
    int is_job;
    if (load_any(model, &pm, &jm, &is_job) != 0)
        return 2;
    if (is_job != have_work) {
        fprintf(stderr, "wattscale predict: %s is a %s model: use %s\n", model, is_job ? "job" : "power",
                is_job ? "--work W" : "--util U");
        return 2;
    }
    if (is_job)
        return predict_job(&jm, work, json);
    double u;
    int percent;
    if (parse_util(util, &u, &percent) != 0) {
        fprintf(stderr, "wattscale predict: --util: '%s' is not a utilisation (a fraction 0..1, or 0..100%%)\n", util);
        return 2;
    }
    if (percent)
        fprintf(stderr, "wattscale predict: --util %s read as percent: utilisation %.4g\n", util, u);
    return predict_power(model, &pm, u, json);
}
