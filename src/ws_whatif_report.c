/* ws_whatif_report: the report of a what-if run, built from the rows its replicas left (ws_whatif.c runs
 * them): totals, per-day and per-year projections at the scenario's scale, savings against the baseline
 * paired replica by replica, SCI per job, per-site and per-class energy, the headline sentences, the
 * inputs with their provenance and the assumptions (the JSON of docs/report-json.md); storing that
 * report as a run, and its text form for `simulate`. */
#include "ws_whatif_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_fmt.h"
#include "ws_json.h"
#include "ws_report.h"
#include "ws_runs.h"
#include "ws_stats.h"
#include "ws_whatif.h"
#include "ws_whatif_impl.h"

static const char *const METRIC_KEYS[M_COUNT] = {"jobs", "makespan_s", "it_energy_kwh", "facility_energy_kwh",
                                                 "co2_kg", "cost", "mean_wait_s", "p95_wait_s",
                                                 "deadline_misses", "jobs_arrived", "simulated_days",
                                                 "embodied_co2_kg", "attributed_it_energy_kwh",
                                                 "window_it_energy_kwh", "window_facility_energy_kwh",
                                                 "window_co2_kg", "window_cost", "window_jobs"};

/* ---- summaries ---- */

static cJSON *interval_json(const double *x, size_t n)
{
    ws_interval iv = ws_stats_mean_ci(x, n);
    cJSON *o = cJSON_CreateObject();
    ws_json_add_number(o, "mean", iv.mean);
    ws_json_add_number(o, "lo", iv.lo);
    ws_json_add_number(o, "hi", iv.hi);
    cJSON_AddNumberToObject(o, "n", (double)iv.n);
    return o;
}

/* Column m of a variant's rows, transformed per replica by f(row, baseline row). */
typedef double (*row_fn)(const whatif_t *w, const double *row, const double *base, int m);

static double f_value(const whatif_t *w, const double *row, const double *base, int m)
{
    (void)w, (void)base;
    return row[m];
}

/* Totals of the whole run map to their measurement-window counterparts for per-day figures. */
static int window_metric(int m)
{
    switch (m) {
    case M_IT_KWH: return M_WIN_IT_KWH;
    case M_FAC_KWH: return M_WIN_FAC_KWH;
    case M_CO2_KG: return M_WIN_CO2_KG;
    case M_COST: return M_WIN_COST;
    case M_JOBS: return M_WIN_JOBS;
    default: return m;
    }
}

static double per_day(const whatif_t *w, const double *row, int m)
{
    return row[M_SIM_DAYS] > 0 ? row[window_metric(m)] / row[M_SIM_DAYS] * w->scale_factor : NAN;
}

static double f_per_day_mwh(const whatif_t *w, const double *row, const double *base, int m)
{
    (void)base;
    return per_day(w, row, m) / 1000.0;
}

static double f_per_day_t(const whatif_t *w, const double *row, const double *base, int m)
{
    (void)base;
    return per_day(w, row, m) / 1000.0;
}

static double f_per_day(const whatif_t *w, const double *row, const double *base, int m)
{
    (void)base;
    return per_day(w, row, m);
}

static double f_saving_per_day_mwh(const whatif_t *w, const double *row, const double *base, int m)
{
    return (per_day(w, base, m) - per_day(w, row, m)) / 1000.0;
}

/* Per-day saving over the baseline's per day, in %: the same measurement window on both sides. */
static double f_saving_pct(const whatif_t *w, const double *row, const double *base, int m)
{
    double b = per_day(w, base, m);
    return b != 0 ? 100.0 * (b - per_day(w, row, m)) / b : NAN;
}

static double f_saving_per_day(const whatif_t *w, const double *row, const double *base, int m)
{
    return per_day(w, base, m) - per_day(w, row, m);
}

static double f_saving_value(const whatif_t *w, const double *row, const double *base, int m)
{
    (void)w;
    return base[m] - row[m];
}

/* Job-level energy: the IT energy attributed to jobs (their share of their nodes) per completed job,
 * which leaves out the idle nodes that a facility-level total carries. */
static double per_job(const double *row)
{
    return row[M_JOBS] > 0 ? row[M_ATTR_KWH] / row[M_JOBS] : NAN;
}

static double f_per_job(const whatif_t *w, const double *row, const double *base, int m)
{
    (void)w, (void)base, (void)m;
    return per_job(row);
}

static double f_job_saving_pct(const whatif_t *w, const double *row, const double *base, int m)
{
    (void)w, (void)m;
    double b = per_job(base);
    return b > 0 ? 100.0 * (b - per_job(row)) / b : NAN;
}

/* SCI = (E*I + M) / R in g CO2e per job: operational CO2 plus embodied share, per completed job. */
static double f_sci(const whatif_t *w, const double *row, const double *base, int m)
{
    (void)w, (void)base, (void)m;
    return row[M_WIN_JOBS] > 0 ? 1000.0 * (row[M_WIN_CO2_KG] + row[M_EMBODIED_KG]) / row[M_WIN_JOBS] : NAN;
}

static cJSON *column(const whatif_t *w, const variant_t *v, int m, row_fn f, double year_scale)
{
    double *x = malloc((size_t)w->replicas * sizeof *x);
    for (int r = 0; r < w->replicas; r++)
        x[r] = year_scale * f(w, &v->rows[r * M_COUNT], &w->v[0].rows[r * M_COUNT], m);
    cJSON *o = interval_json(x, (size_t)w->replicas);
    free(x);
    return o;
}

static cJSON *projection_json(const whatif_t *w, const variant_t *v, double year_scale)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "it_energy_mwh", column(w, v, M_IT_KWH, f_per_day_mwh, year_scale));
    cJSON_AddItemToObject(o, "facility_energy_mwh", column(w, v, M_FAC_KWH, f_per_day_mwh, year_scale));
    cJSON_AddItemToObject(o, "co2_t", column(w, v, M_CO2_KG, f_per_day_t, year_scale));
    cJSON_AddItemToObject(o, "cost", column(w, v, M_COST, f_per_day, year_scale));
    cJSON_AddItemToObject(o, "jobs", column(w, v, M_JOBS, f_per_day, year_scale));
    return o;
}

static cJSON *sites_json(const whatif_t *w, const variant_t *v)
{
    cJSON *arr = cJSON_CreateArray();
    double *x = malloc((size_t)w->replicas * sizeof *x);
    static const char *const keys[] = {"jobs", "it_energy_kwh", "facility_energy_kwh", "co2_kg"};
    for (int s = 0; s < v->sc.n_sites; s++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", v->sc.sites[s].name);
        for (int k = 0; k < 4; k++) {
            for (int r = 0; r < w->replicas; r++)
                x[r] = v->site_rows[(r * v->sc.n_sites + s) * 4 + k];
            cJSON_AddItemToObject(o, keys[k], interval_json(x, (size_t)w->replicas));
        }
        cJSON_AddItemToArray(arr, o);
    }
    free(x);
    return arr;
}

static cJSON *by_class_json(const whatif_t *w, const variant_t *v)
{
    cJSON *arr = cJSON_CreateArray();
    double *x = malloc((size_t)w->replicas * sizeof *x);
    for (int i = 0; i < v->n_ct; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "class", v->ct_class[i]);
        cJSON_AddStringToObject(o, "node_type", v->ct_type[i]);
        for (int r = 0; r < w->replicas; r++)
            x[r] = v->ct_rows[r * MAX_CT + i];
        cJSON_AddItemToObject(o, "it_energy_kwh", interval_json(x, (size_t)w->replicas));
        cJSON_AddItemToArray(arr, o);
    }
    free(x);
    return arr;
}

static cJSON *variant_json(const whatif_t *w, const variant_t *v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", v->name);
    cJSON_AddStringToObject(o, "description", v->description);
    if (v->rests_on)
        cJSON_AddItemToObject(o, "rests_on", cJSON_Duplicate(v->rests_on, 1));
    char safe[WS_NAME_MAX], file[WS_NAME_MAX + 16];
    ws_whatif_file_name(v->name, safe, sizeof safe);
    snprintf(file, sizeof file, "hourly_%s.csv", safe);
    cJSON_AddStringToObject(o, "hourly_csv", file);
    cJSON *tot = cJSON_AddObjectToObject(o, "totals");
    for (int m = 0; m < M_COUNT; m++)
        cJSON_AddItemToObject(tot, METRIC_KEYS[m], column(w, v, m, f_value, 1));
    cJSON_AddItemToObject(o, "per_day", projection_json(w, v, 1));
    cJSON_AddItemToObject(o, "per_year", projection_json(w, v, 365));
    cJSON_AddItemToObject(o, "sci_g_per_job", column(w, v, 0, f_sci, 1));
    cJSON_AddItemToObject(o, "it_energy_per_job_kwh", column(w, v, 0, f_per_job, 1));
    cJSON *sv = cJSON_AddObjectToObject(o, "saving_vs_baseline");
    cJSON_AddItemToObject(sv, "facility_energy_mwh_per_day", column(w, v, M_FAC_KWH, f_saving_per_day_mwh, 1));
    cJSON_AddItemToObject(sv, "facility_energy_pct", column(w, v, M_FAC_KWH, f_saving_pct, 1));
    cJSON_AddItemToObject(sv, "co2_t_per_day", column(w, v, M_CO2_KG, f_saving_per_day_mwh, 1));
    cJSON_AddItemToObject(sv, "co2_pct", column(w, v, M_CO2_KG, f_saving_pct, 1));
    cJSON_AddItemToObject(sv, "cost_per_day", column(w, v, M_COST, f_saving_per_day, 1));
    cJSON_AddItemToObject(sv, "mean_wait_s", column(w, v, M_MEAN_WAIT_S, f_saving_value, 1));
    cJSON_AddItemToObject(sv, "job_energy_pct", column(w, v, 0, f_job_saving_pct, 1));
    cJSON_AddItemToObject(o, "sites", sites_json(w, v));
    cJSON_AddItemToObject(o, "by_class", by_class_json(w, v));
    return o;
}

/* ---- inputs and provenance ---- */

/* "scenarios/../data/x.csv" -> "data/x.csv": drop "name/.." pairs, lexically. */
static void normalise_path(const char *in, char *out, size_t size)
{
    char buf[1024], *parts[128], *save = NULL;
    int n = 0, absolute = in[0] == '/';
    ws_strlcpy(buf, in, sizeof buf);
    for (char *t = strtok_r(buf, "/", &save); t && n < 128; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0)
            continue;
        if (strcmp(t, "..") == 0 && n > 0 && strcmp(parts[n - 1], "..") != 0)
            n--;
        else
            parts[n++] = t;
    }
    size_t k = 0;
    out[0] = '\0';
    if (absolute)
        k += (size_t)snprintf(out, size, "/");
    for (int i = 0; i < n && k < size; i++)
        k += (size_t)snprintf(out + k, size - k, "%s%s", i ? "/" : "", parts[i]);
}

/* provenance: measured (made from measurements: fitted models, job models, traces), cited (a published
 * data set: carbon, PUE, price series), assumed (a TDP-based model file), given (the scenario itself). */
static void add_file(cJSON *files, const char *raw_path, const char *what, const char *provenance)
{
    if (!raw_path || !*raw_path)
        return;
    char path[1024];
    normalise_path(raw_path, path, sizeof path);
    const cJSON *it;
    cJSON_ArrayForEach(it, files) if (strcmp(cJSON_GetObjectItemCaseSensitive(it, "path")->valuestring, path) == 0) return;
    char hex[65] = "";
    if (ws_sha256_file(path, hex) != 0)
        ws_strlcpy(hex, "unreadable", sizeof hex);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", path);
    cJSON_AddStringToObject(o, "sha256", hex);
    cJSON_AddStringToObject(o, "what", what);
    cJSON_AddStringToObject(o, "provenance", provenance);
    cJSON_AddItemToArray(files, o);
}

/* The model file a node group's power came from, as the scenario JSON names it ("" when inline). */
static const char *model_source(const whatif_t *w, const cJSON *base, int s, int g, const char *key, char *buf,
                                size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "sites[%d].nodes[%d].%s.file", s, g, key);
    const cJSON *f = ws_json_get_path((cJSON *)base, path);
    if (!cJSON_IsString(f))
        return "";
    char joined[1024];
    if (f->valuestring[0] == '/' || !w->dir || !*w->dir)
        ws_strlcpy(joined, f->valuestring, sizeof joined);
    else
        snprintf(joined, sizeof joined, "%s/%s", w->dir, f->valuestring);
    normalise_path(joined, buf, size);
    return buf;
}

static void add_model(whatif_t *w, cJSON *models, const ws_site *site, const ws_node_group *grp,
                      const ws_power_model *m, const char *role, const char *source)
{
    cJSON *o = cJSON_CreateObject();
    char group[WS_NAME_MAX + 16];
    snprintf(group, sizeof group, "%s%s", grp->type, role);
    cJSON_AddStringToObject(o, "site", site->name);
    cJSON_AddStringToObject(o, "group", group);
    cJSON_AddStringToObject(o, "arch", m->arch[0] ? m->arch : grp->type);
    cJSON_AddStringToObject(o, "form", ws_form_name(m->form));
    cJSON_AddStringToObject(o, "source", source[0] ? source : "inline in the scenario");
    cJSON_AddBoolToObject(o, "assumed", m->assumed);
    /* measured: a model file fitted from measurements; given: numbers typed into the scenario; assumed: a
     * TDP-based curve or a model its file marks as assumed */
    cJSON_AddStringToObject(o, "provenance", m->assumed ? "assumed" : source[0] ? "measured" : "given");
    cJSON_AddItemToArray(models, o);
    if (m->assumed)
        ws_whatif_assume(w, "%s %s at %s: power model ASSUMED (%s), nothing measured", grp->type, role[0] ? role + 1 : "",
               site->name, ws_form_formula(m->form));
}

static void add_job_model(const whatif_t *w, const cJSON *spec, cJSON *files)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(spec, "model");
    if (!cJSON_IsString(m))
        return;
    char joined[1024];
    if (m->valuestring[0] == '/' || !w->dir || !*w->dir)
        ws_strlcpy(joined, m->valuestring, sizeof joined);
    else
        snprintf(joined, sizeof joined, "%s/%s", w->dir, m->valuestring);
    add_file(files, joined, "job model (runtime)", "measured");
}

static void add_job_model_files(const whatif_t *w, const cJSON *base, cJSON *files)
{
    const cJSON *cls, *spec;
    cJSON_ArrayForEach(cls, ws_json_get_path((cJSON *)base, "workload.classes"))
    {
        add_job_model(w, cJSON_GetObjectItemCaseSensitive(cls, "runtime"), files);
        cJSON_ArrayForEach(spec, cJSON_GetObjectItemCaseSensitive(cls, "runtime_by_type")) add_job_model(w, spec, files);
    }
}

static cJSON *inputs_json(whatif_t *w, const cJSON *base, const char *sha256)
{
    cJSON *in = cJSON_CreateObject();
    cJSON *files = cJSON_AddArrayToObject(in, "files");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", w->file);
    cJSON_AddStringToObject(o, "sha256", sha256);
    cJSON_AddStringToObject(o, "what", "scenario");
    cJSON_AddStringToObject(o, "provenance", "given");
    cJSON_AddItemToArray(files, o);
    cJSON *models = cJSON_AddArrayToObject(in, "models");
    const ws_scenario *sc = &w->v[0].sc;
    int k = 0; /* flattened group index into the parsed (undrawn) models */
    for (int s = 0; s < sc->n_sites; s++) {
        const ws_site *site = &sc->sites[s];
        const ws_series *series[] = {site->carbon_g_per_kwh, site->pue, site->price_per_kwh};
        static const char *const what[] = {"carbon intensity (g/kWh)", "PUE", "electricity price"};
        for (int k = 0; k < 3; k++)
            if (series[k] && series[k]->source[0])
                add_file(files, series[k]->source, what[k], "cited");
        for (int g = 0; g < site->n_groups; g++, k++) {
            const ws_node_group *grp = &site->groups[g];
            char sbuf[1024], hbuf[1024];
            const char *src = model_source(w, base, s, g, "power", sbuf, sizeof sbuf);
            add_file(files, src[0] ? src : NULL, "power model", w->v[0].orig_power[k].assumed ? "assumed" : "measured");
            add_model(w, models, site, grp, &w->v[0].orig_power[k], "", src);
            if (grp->has_host_power) {
                const char *hsrc = model_source(w, base, s, g, "host_power", hbuf, sizeof hbuf);
                add_file(files, hsrc[0] ? hsrc : NULL, "power model", w->v[0].orig_host[k].assumed ? "assumed" : "measured");
                add_model(w, models, site, grp, &w->v[0].orig_host[k], " host", hsrc);
            }
        }
    }
    if (sc->trace[0])
        add_file(files, sc->trace, "workload trace", "measured");
    add_job_model_files(w, base, files);
    const cJSON *mf;
    cJSON_ArrayForEach(mf, w->measured_files) cJSON_AddItemToArray(files, cJSON_Duplicate(mf, 1));
    cJSON_AddItemToObject(in, "tweaks", cJSON_Duplicate(w->tweak_inputs, 1));
    return in;
}

void ws_whatif_tweak_inputs(whatif_t *w)
{
    for (int vi = 0; vi < w->n; vi++)
        for (int t = 0; t < w->v[vi].n_tweaks; t++) {
            const tweak_t *tw = &w->v[vi].tweaks[t];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "variant", w->v[vi].name);
            cJSON_AddStringToObject(o, "class", tw->cls);
            cJSON_AddStringToObject(o, "node_type", tw->node_type);
            double f[3] = {tw->runtime_f, tw->power_f, tw->runtime_f * tw->power_f};
            double sd[3] = {tw->runtime_logsd, tw->power_logsd,
                            sqrt(tw->runtime_logsd * tw->runtime_logsd + tw->power_logsd * tw->power_logsd)};
            static const char *const keys[] = {"runtime_factor", "power_factor", "energy_factor"};
            for (int k = 0; k < 3; k++) {
                cJSON *iv = cJSON_AddObjectToObject(o, keys[k]);
                cJSON_AddNumberToObject(iv, "mean", f[k]);
                cJSON_AddNumberToObject(iv, "lo", f[k] * exp(-1.959964 * sd[k]));
                cJSON_AddNumberToObject(iv, "hi", f[k] * exp(1.959964 * sd[k]));
            }
            cJSON_AddStringToObject(o, "from", tw->from);
            cJSON_AddItemToArray(w->tweak_inputs, o);
        }
}


cJSON *ws_whatif_assemble(whatif_t *w, const cJSON *base, const char *sha256)
{
    cJSON *rep = cJSON_CreateObject();
    cJSON_AddNumberToObject(rep, "wattscale_report", 1);
    cJSON *sc = cJSON_AddObjectToObject(rep, "scenario");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(w->doc, "name");
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(w->doc, "description");
    cJSON_AddStringToObject(sc, "name", cJSON_IsString(name) ? name->valuestring : "scenario");
    cJSON_AddStringToObject(sc, "description", cJSON_IsString(desc) ? desc->valuestring : "");
    cJSON_AddStringToObject(sc, "path", w->file);
    cJSON_AddStringToObject(sc, "sha256", sha256);
    cJSON_AddNumberToObject(sc, "seed", (double)w->seed);
    cJSON_AddNumberToObject(sc, "replicas", w->replicas);
    cJSON_AddNumberToObject(sc, "simulated_days", w->v[0].rows[M_SIM_DAYS]);
    cJSON_AddNumberToObject(sc, "scale_factor", w->scale_factor);
    double jobs = 0, days = 0;
    for (int r = 0; r < w->replicas; r++) {
        jobs += w->v[0].rows[r * M_COUNT + M_WIN_JOBS];
        days += w->v[0].rows[r * M_COUNT + M_SIM_DAYS];
    }
    cJSON_AddNumberToObject(sc, "simulated_jobs_per_day", days > 0 ? jobs / days : 0);
    cJSON_AddStringToObject(sc, "scaling", w->scale_factor == 1 ? "direct" : "scaled");
    char note[512], rate[64], factor[64];
    ws_fmt_value(days > 0 ? jobs / days : 0, WS_Q_COUNT, rate, sizeof rate); /* "999,900", not "9.999e+05" */
    ws_fmt_value(w->scale_factor, WS_Q_COUNT, factor, sizeof factor);
    if (w->scale_factor == 1)
        snprintf(note, sizeof note, "Per-day figures are simulated directly (%s jobs a day in the baseline); nothing is scaled.",
                 rate);
    else
        snprintf(note, sizeof note, "Per-day figures are SCALED by %s from the %s jobs a day simulated: energy, CO2 and cost "
                 "grow linearly with jobs; waits and the effects of dispatch and shifting are those of the simulated size.",
                 factor, rate);
    cJSON_AddStringToObject(sc, "scale_note", note);
    cJSON_AddStringToObject(sc, "currency", w->v[0].sc.currency);
    const cJSON *prov = cJSON_GetObjectItemCaseSensitive(w->doc, "_provenance");
    if (cJSON_IsObject(prov)) /* where the scenario's numbers come from, for the report's references */
        cJSON_AddItemToObject(sc, "provenance", cJSON_Duplicate(prov, 1));
    const ws_scenario *sc0 = &w->v[0].sc;
    if (sc0->series_outside == WS_SERIES_HOLD)
        ws_whatif_assume(w, "CSV series (carbon, PUE, price) hold their first/last value outside their span "
                  "(horizon.series_outside: hold)");
    else if (sc0->series_outside == WS_SERIES_MAP_YEAR && sc0->series_shift_s != 0)
        ws_whatif_assume(w, "CSV series (carbon, PUE, price) are replayed %+.0f days later, on the horizon's year "
                  "(horizon.series_outside: map-year)", sc0->series_shift_s / 86400.0);
    int synthetic = ws_scenario_synthetic(&w->v[0].sc);
    cJSON_AddBoolToObject(rep, "synthetic_workload", synthetic);
    if (synthetic)
        ws_whatif_assume(w, "the workload is SYNTHETIC (generated from the scenario's job classes), not a real trace");
    if (w->replicas == 1)
        ws_whatif_assume(w, "one replica: every interval has zero width; use --replicas for uncertainty");
    cJSON *vars = cJSON_AddArrayToObject(rep, "variants");
    cJSON *head = cJSON_AddArrayToObject(rep, "headline");
    for (int vi = 0; vi < w->n; vi++)
        cJSON_AddItemToArray(vars, variant_json(w, &w->v[vi]));
    for (int pass = 1; pass >= 0; pass--) /* variants with a significant saving first */
        for (int vi = 1; vi < w->n; vi++) {
            const cJSON *vj = cJSON_GetArrayItem(vars, vi);
            if (ws_report_variant_significant(vj) == pass) {
                char sentence[1600];
                ws_report_sentence(vj, sentence, sizeof sentence);
                cJSON_AddItemToArray(head, cJSON_CreateString(sentence));
            }
        }
    cJSON_AddItemToObject(rep, "inputs", inputs_json(w, base, sha256));
    cJSON_AddItemToObject(rep, "assumptions", cJSON_Duplicate(w->assumptions, 1));
    cJSON_AddArrayToObject(rep, "figures");
    return rep;
}


/* ---- storing and printing ---- */

static double mean_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, key), "mean");
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The report's per-site means as run_sites rows (waits and costs are not kept per site by a what-if). */
static ws_run_site *report_sites(const cJSON *report, int *n)
{
    const cJSON *v, *site;
    int count = 0, k = 0;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(report, "variants"))
        count += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(v, "sites"));
    ws_run_site *rows = calloc((size_t)(count ? count : 1), sizeof *rows);
    if (!rows)
        return NULL;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(report, "variants"))
    {
        cJSON_ArrayForEach(site, cJSON_GetObjectItemCaseSensitive(v, "sites"))
        {
            rows[k++] = (ws_run_site){cJSON_GetObjectItemCaseSensitive(v, "name")->valuestring,
                                      cJSON_GetObjectItemCaseSensitive(site, "name")->valuestring,
                                      (int64_t)llround(mean_of(site, "jobs")),
                                      mean_of(site, "it_energy_kwh") * WS_J_PER_KWH,
                                      mean_of(site, "facility_energy_kwh") * WS_J_PER_KWH,
                                      mean_of(site, "co2_kg"), NAN, NAN, NAN, NAN};
        }
    }
    *n = k;
    return rows;
}

int ws_whatif_store_run(ws_store *st, cJSON *report, const char *out_dir, int64_t *run_id, ws_error *err)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(report, "scenario");
    int n = 0;
    ws_run_site *sites = report_sites(report, &n);
    if (!sites) {
        ws_error_set(err, NULL, 0, NULL, "out of memory storing the run");
        return WS_EFAIL;
    }
    ws_run_info info = {WS_RUN_WHATIF, cJSON_GetObjectItemCaseSensitive(sc, "path")->valuestring,
                        cJSON_GetObjectItemCaseSensitive(sc, "sha256")->valuestring,
                        (uint64_t)cJSON_GetObjectItemCaseSensitive(sc, "seed")->valuedouble, out_dir};
    int rc = ws_runs_insert(st, &info, report, sites, n, run_id, err);
    free(sites);
    return rc;
}

void ws_whatif_print_text(const cJSON *report, FILE *out)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(report, "scenario");
    char days[32], sf[32];
    ws_fmt_value(cJSON_GetObjectItemCaseSensitive(sc, "simulated_days")->valuedouble, WS_Q_COUNT, days, sizeof days);
    ws_fmt_value(cJSON_GetObjectItemCaseSensitive(sc, "scale_factor")->valuedouble, WS_Q_COUNT, sf, sizeof sf);
    fprintf(out, "scenario  %s (sha256 %.12s)  seed %.0f  replicas %.0f\n",
            cJSON_GetObjectItemCaseSensitive(sc, "path")->valuestring,
            cJSON_GetObjectItemCaseSensitive(sc, "sha256")->valuestring,
            cJSON_GetObjectItemCaseSensitive(sc, "seed")->valuedouble,
            cJSON_GetObjectItemCaseSensitive(sc, "replicas")->valuedouble);
    fprintf(out, "scale     %s measured day(s) x %s: %s\n", days, sf,
            cJSON_GetObjectItemCaseSensitive(sc, "scale_note")->valuestring);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(report, "synthetic_workload")))
        fprintf(out, "workload  SYNTHETIC: no trace; every job comes from the generator\n");
    fprintf(out, "\nprojected per day (95%% intervals; saved = baseline minus variant)\n%-20s %24s %40s %22s %22s\n",
            "variant", "facility energy", "energy saved", "saved %", "CO2");
    const cJSON *v;
    int first = 1;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(report, "variants"))
    {
        char e[160], s[160], p[160], c[160];
        const cJSON *pd = cJSON_GetObjectItemCaseSensitive(v, "per_day");
        const cJSON *sv = cJSON_GetObjectItemCaseSensitive(v, "saving_vs_baseline");
        const cJSON *siv = cJSON_GetObjectItemCaseSensitive(sv, "facility_energy_mwh_per_day");
        const cJSON *piv = cJSON_GetObjectItemCaseSensitive(sv, "facility_energy_pct");
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(pd, "facility_energy_mwh"), WS_Q_ENERGY_KWH, 1000, e,
                                  sizeof e);
        ws_report_format_interval(siv, WS_Q_ENERGY_KWH, 1000, s, sizeof s);
        ws_report_format_interval(piv, WS_Q_PERCENT, 1, p, sizeof p);
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(pd, "co2_t"), WS_Q_MASS_KG, 1000, c, sizeof c);
        const cJSON *lo = cJSON_GetObjectItemCaseSensitive(siv, "lo"), *hi = cJSON_GetObjectItemCaseSensitive(siv, "hi");
        if (first)
            snprintf(s, sizeof s, "(baseline)"), snprintf(p, sizeof p, "(baseline)");
        else if (cJSON_IsNumber(lo) && cJSON_IsNumber(hi) && lo->valuedouble == 0 && hi->valuedouble == 0)
            snprintf(s, sizeof s, "no change"), snprintf(p, sizeof p, "-");
        else if (cJSON_IsNumber(lo) && cJSON_IsNumber(hi) && !ws_fmt_significant(lo->valuedouble, hi->valuedouble)) {
            char range[96];
            ws_fmt_range(lo->valuedouble * 1000, hi->valuedouble * 1000, WS_Q_ENERGY_KWH, range, sizeof range);
            snprintf(s, sizeof s, "no significant change (%s)", range);
            snprintf(p, sizeof p, "-");
        }
        first = 0;
        fprintf(out, "%-20.20s %24s %40s %22s %22s\n", cJSON_GetObjectItemCaseSensitive(v, "name")->valuestring, e, s,
                p, c);
    }
    const cJSON *h;
    fprintf(out, "\nsignificant effects first:\n");
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(report, "headline")) fprintf(out, "- %s\n", h->valuestring);
}
