/* ws_tweak: see ws_tweak.h. */
#include "ws_tweak.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RUNS 1024

static void side(const double *x, int n, ws_tweak_side *s)
{
    s->n = n;
    s->mean = gsl_stats_mean(x, 1, (size_t)n);
    s->sd = n > 1 ? gsl_stats_sd_m(x, 1, (size_t)n, s->mean) : NAN;
}

/* Delta method on ln(m_B / m_A) with Welch-Satterthwaite degrees of freedom. */
static void ratio(const ws_tweak_side *a, const ws_tweak_side *b, ws_ratio *r)
{
    r->ratio = b->mean / a->mean;
    r->lo = r->hi = r->ratio;
    r->dof = NAN;
    r->interval_known = 0;
    if (a->n < 2 || b->n < 2)
        return;
    double va = a->sd * a->sd / (a->n * a->mean * a->mean), vb = b->sd * b->sd / (b->n * b->mean * b->mean);
    double var = va + vb;
    r->interval_known = 1;
    if (var <= 0) /* identical repeats: a zero-width interval that is known */
        return;
    r->dof = var * var / (va * va / (a->n - 1) + vb * vb / (b->n - 1));
    double half = gsl_cdf_tdist_Pinv(0.975, r->dof) * sqrt(var);
    r->lo = r->ratio * exp(-half);
    r->hi = r->ratio * exp(half);
}

static int fill_side(const ws_tweak_run *runs, int n, ws_tweak_side *t, ws_tweak_side *e, ws_tweak_side *p,
                     const char *which, ws_error *err)
{
    if (n <= 0) {
        ws_error_set(err, "", 0, which, "no runs");
        return WS_EINPUT;
    }
    double *buf = malloc(3 * (size_t)n * sizeof *buf);
    if (!buf)
        return WS_EFAIL;
    for (int i = 0; i < n; i++) {
        const ws_tweak_run *r = &runs[i];
        double pw = isfinite(r->power_w) ? r->power_w : r->energy_j / r->runtime_s;
        if (!(r->runtime_s > 0) || !(r->energy_j > 0) || !(pw > 0)) {
            ws_error_set(err, "", 0, which, "run %d (profile %lld): runtime, energy and power must be known and > 0",
                         i + 1, (long long)r->profile_id);
            free(buf);
            return WS_EINPUT;
        }
        buf[i] = r->runtime_s;
        buf[n + i] = r->energy_j;
        buf[2 * n + i] = pw;
    }
    side(buf, n, t);
    side(buf + n, n, e);
    side(buf + 2 * n, n, p);
    free(buf);
    return 0;
}

int ws_tweak_from_runs(const ws_tweak_run *a, int na, const ws_tweak_run *b, int nb, ws_tweak *out, ws_error *err)
{
    int rc = fill_side(a, na, &out->base_runtime_s, &out->base_energy_j, &out->base_power_w, "baseline", err);
    if (rc == 0)
        rc = fill_side(b, nb, &out->var_runtime_s, &out->var_energy_j, &out->var_power_w, "variant", err);
    if (rc != 0)
        return rc;
    out->n_baseline = na;
    out->n_variant = nb;
    ratio(&out->base_runtime_s, &out->var_runtime_s, &out->runtime);
    ratio(&out->base_energy_j, &out->var_energy_j, &out->energy);
    ratio(&out->base_power_w, &out->var_power_w, &out->power);
    snprintf(out->method, sizeof out->method, "delta method on the log ratio of means, t with Welch-Satterthwaite dof");
    if (na < 2 || nb < 2)
        snprintf(out->note, sizeof out->note,
                 "%d baseline and %d variant run(s): an interval needs at least 2 runs on each side; it is unknown "
                 "(zero width)", na, nb);
    else
        out->note[0] = '\0';
    return 0;
}

int ws_tweak_load_runs(ws_store *st, const char *job, const char *arch, ws_tweak_run *runs, int max)
{
    sqlite3_stmt *s = ws_store_prepare(st, "SELECT id, duration_s, energy_j, mean_power_w, work FROM profiles "
                                           "WHERE job = ? AND arch = ? ORDER BY id");
    if (!s)
        return -1;
    ws_bind_text(s, 1, job);
    ws_bind_text(s, 2, arch);
    int n = 0, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == max) { /* more runs than room: a ratio of a subset would be silently wrong */
            sqlite3_finalize(s);
            return -2;
        }
        runs[n].profile_id = sqlite3_column_int64(s, 0);
        runs[n].runtime_s = ws_column_double(s, 1);
        runs[n].energy_j = ws_column_double(s, 2);
        double p = ws_column_double(s, 3);
        /* Mean power of the run: E/T when both are known (that is what the ratios must agree with). */
        runs[n].power_w = runs[n].runtime_s > 0 && isfinite(runs[n].energy_j) ? runs[n].energy_j / runs[n].runtime_s : p;
        runs[n].work = ws_column_double(s, 4);
        n++;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? n : -1;
}

/* The architecture both jobs share, when arch was not given. */
static int shared_arch(ws_store *st, const char *a, const char *b, char *out, size_t size, ws_error *err)
{
    sqlite3_stmt *s = ws_store_prepare(st, "SELECT arch FROM profiles WHERE job = ?1 AND arch IS NOT NULL INTERSECT "
                                           "SELECT arch FROM profiles WHERE job = ?2 ORDER BY 1");
    if (!s) {
        ws_error_set(err, NULL, 0, NULL, "%s", ws_store_error(st));
        return WS_EFAIL;
    }
    ws_bind_text(s, 1, a);
    ws_bind_text(s, 2, b);
    int n = 0;
    char list[256] = "";
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *arch = (const char *)sqlite3_column_text(s, 0);
        if (n++ == 0)
            ws_strlcpy(out, arch, size);
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", arch);
    }
    sqlite3_finalize(s);
    if (n == 1)
        return 0;
    if (n == 0)
        ws_error_set(err, "", 0, "arch", "jobs '%s' and '%s' share no architecture in the store", a, b);
    else
        ws_error_set(err, "", 0, "arch", "jobs '%s' and '%s' were both run on %s: choose one with --arch", a, b, list);
    return WS_EINPUT;
}

/* All runs carry positive work in one unit: divide runtime and energy by it. Returns 1 when done. */
static int normalise_by_work(ws_store *st, const char *baseline, const char *variant, const char *arch,
                             ws_tweak_run *a, int na, ws_tweak_run *b, int nb, char *unit, size_t unit_size)
{
    sqlite3_stmt *s = ws_store_prepare(st, "SELECT count(DISTINCT work_unit), min(work_unit) FROM profiles "
                                           "WHERE job IN (?, ?) AND arch = ?");
    if (!s)
        return 0;
    ws_bind_text(s, 1, baseline);
    ws_bind_text(s, 2, variant);
    ws_bind_text(s, 3, arch);
    int one_unit = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 1;
    if (one_unit)
        ws_strlcpy(unit, (const char *)sqlite3_column_text(s, 1), unit_size);
    sqlite3_finalize(s);
    for (int i = 0; one_unit && i < na + nb; i++) {
        const ws_tweak_run *r = i < na ? &a[i] : &b[i - na];
        if (!(r->work > 0))
            return 0;
    }
    if (!one_unit)
        return 0;
    for (int i = 0; i < na + nb; i++) {
        ws_tweak_run *r = i < na ? &a[i] : &b[i - na];
        r->runtime_s /= r->work;
        r->energy_j /= r->work;
    }
    return 1;
}

int ws_tweak_compute(ws_store *st, const char *baseline, const char *variant, const char *arch, ws_tweak *out,
                     ws_error *err)
{
    memset(out, 0, sizeof *out);
    ws_strlcpy(out->baseline, baseline, sizeof out->baseline);
    ws_strlcpy(out->variant, variant, sizeof out->variant);
    int rc = arch ? ws_strlcpy(out->arch, arch, sizeof out->arch), 0
                  : shared_arch(st, baseline, variant, out->arch, sizeof out->arch, err);
    if (rc != 0)
        return rc;
    ws_tweak_run *a = malloc(2 * MAX_RUNS * sizeof *a), *b = a ? a + MAX_RUNS : NULL;
    if (!a) {
        ws_error_set(err, NULL, 0, NULL, "out of memory for the runs of a tweak");
        return WS_EFAIL;
    }
    int na = ws_tweak_load_runs(st, baseline, out->arch, a, MAX_RUNS);
    int nb = na < 0 ? -1 : ws_tweak_load_runs(st, variant, out->arch, b, MAX_RUNS);
    if (na == -2 || nb == -2) {
        ws_error_set(err, "", 0, na == -2 ? "baseline" : "variant", "job '%s' on arch '%s' has more than %d runs",
                     na == -2 ? baseline : variant, out->arch, MAX_RUNS);
        rc = WS_EINPUT;
    } else if (na < 0 || nb < 0) {
        ws_error_set(err, NULL, 0, NULL, "%s", ws_store_error(st));
        rc = WS_EFAIL;
    } else if (na == 0 || nb == 0) {
        ws_error_set(err, "", 0, na == 0 ? "baseline" : "variant", "no profiles of job '%s' on arch '%s'",
                     na == 0 ? baseline : variant, out->arch);
        rc = WS_EINPUT;
    } else {
        int per_work = normalise_by_work(st, baseline, variant, out->arch, a, na, b, nb, out->work_unit,
                                         sizeof out->work_unit);
        rc = ws_tweak_from_runs(a, na, b, nb, out, err);
        if (rc == 0 && per_work) {
            out->per_work = 1;
            size_t used = strlen(out->note);
            snprintf(out->note + used, sizeof out->note - used, "%sruntime and energy per %s of work",
                     used ? "; " : "", out->work_unit);
        }
    }
    free(a);
    return rc;
}

static void add_side(cJSON *o, const char *name, const ws_tweak_side *s)
{
    cJSON *x = cJSON_AddObjectToObject(o, name);
    cJSON_AddNumberToObject(x, "mean", s->mean);
    if (isnan(s->sd))
        cJSON_AddNullToObject(x, "sd");
    else
        cJSON_AddNumberToObject(x, "sd", s->sd);
}

static void add_ratio(cJSON *o, const char *name, const ws_ratio *r)
{
    cJSON *x = cJSON_AddObjectToObject(o, name);
    cJSON_AddNumberToObject(x, "ratio", r->ratio);
    cJSON_AddNumberToObject(x, "lo", r->lo);
    cJSON_AddNumberToObject(x, "hi", r->hi);
    cJSON_AddBoolToObject(x, "interval_known", r->interval_known);
}

cJSON *ws_tweak_to_json(const ws_tweak *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "baseline", t->baseline);
    cJSON_AddStringToObject(o, "variant", t->variant);
    cJSON_AddStringToObject(o, "arch", t->arch);
    cJSON_AddNumberToObject(o, "n_baseline", t->n_baseline);
    cJSON_AddNumberToObject(o, "n_variant", t->n_variant);
    add_ratio(o, "runtime", &t->runtime);
    add_ratio(o, "energy", &t->energy);
    add_ratio(o, "power", &t->power);
    cJSON *b = cJSON_AddObjectToObject(o, "baseline_runs");
    add_side(b, "runtime_s", &t->base_runtime_s);
    add_side(b, "energy_j", &t->base_energy_j);
    add_side(b, "power_w", &t->base_power_w);
    cJSON *v = cJSON_AddObjectToObject(o, "variant_runs");
    add_side(v, "runtime_s", &t->var_runtime_s);
    add_side(v, "energy_j", &t->var_energy_j);
    add_side(v, "power_w", &t->var_power_w);
    cJSON_AddStringToObject(o, "method", t->method);
    cJSON_AddBoolToObject(o, "per_work", t->per_work);
    if (t->per_work)
        cJSON_AddStringToObject(o, "work_unit", t->work_unit);
    if (t->note[0])
        cJSON_AddStringToObject(o, "note", t->note);
    return o;
}
