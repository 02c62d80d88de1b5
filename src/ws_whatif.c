/* ws_whatif: see ws_whatif.h. Layout: variants are parsed once; each replica restores every variant's
 * scenario to its parsed values, draws model parameters and tweak factors from streams named by
 * (replica, site, group) or (replica, variant, tweak), runs the simulator with the replica's seed, and
 * keeps one row of metrics. Intervals come last, from those rows: totals per variant and savings as
 * paired differences against the baseline of the same replica, so common noise cancels. */
#include "ws_whatif.h"

#include <ctype.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ws_cli.h"
#include "ws_report.h"
#include "ws_json.h"
#include "ws_mpi.h"
#include "ws_runs.h"
#include "ws_scenario.h"
#include "ws_sim.h"
#include "ws_stats.h"
#include "ws_tweak.h"

#define MAX_VARIANTS 32
#define MAX_TWEAKS 16
#define MAX_CT 64 /* class x node type cells for attributed energy */

/* Per-run metrics, in this order in every row. */
enum { M_JOBS, M_MAKESPAN_S, M_IT_KWH, M_FAC_KWH, M_CO2_KG, M_COST, M_MEAN_WAIT_S, M_P95_WAIT_S, M_MISSES,
       M_ARRIVED, M_SIM_DAYS, M_EMBODIED_KG, M_ATTR_KWH,
       /* the same inside the measurement window (projection.window), which per-day figures use */
       M_WIN_IT_KWH, M_WIN_FAC_KWH, M_WIN_CO2_KG, M_WIN_COST, M_WIN_JOBS, M_COUNT };
static const char *const METRIC_KEYS[M_COUNT] = {"jobs", "makespan_s", "it_energy_kwh", "facility_energy_kwh",
                                                 "co2_kg", "cost", "mean_wait_s", "p95_wait_s",
                                                 "deadline_misses", "jobs_arrived", "simulated_days",
                                                 "embodied_co2_kg", "attributed_it_energy_kwh",
                                                 "window_it_energy_kwh", "window_facility_energy_kwh",
                                                 "window_co2_kg", "window_cost", "window_jobs"};

typedef struct {
    char cls[WS_NAME_MAX], node_type[WS_NAME_MAX]; /* "*" = all */
    double runtime_f, power_f;   /* central factors */
    double runtime_logsd, power_logsd;
    char from[512];              /* "literal" or "profiles: A -> B on arch" */
    int interval_known;
} tweak_t;

typedef struct {
    char name[WS_NAME_MAX];
    char description[512];
    ws_scenario sc;
    ws_power_model *orig_power, *orig_host; /* per group, flattened over sites */
    ws_runtime_spec **orig_runtimes;        /* per class, as parsed */
    int *orig_n_runtimes;
    tweak_t tweaks[MAX_TWEAKS];
    int n_tweaks;
    double *rows;      /* replicas x M_COUNT */
    double *site_rows; /* replicas x n_sites x 4: jobs, it kWh, facility kWh, co2 kg */
    char ct_class[MAX_CT][WS_NAME_MAX], ct_type[MAX_CT][WS_NAME_MAX];
    int n_ct;
    double *ct_rows;   /* replicas x MAX_CT: attributed IT kWh */
    cJSON *doc;        /* the variant's scenario document (patched), from which workers parse their copies */
} variant_t;

/* Attributed IT energy of one run by (class, node type), in order of first appearance; merged into
 * its variant replica by replica after the runs, so that cells get the same order at any thread count. */
typedef struct {
    char cls[MAX_CT][WS_NAME_MAX], type[MAX_CT][WS_NAME_MAX];
    double kwh[MAX_CT];
    int n;
    int overflow; /* a cell past MAX_CT was met: the run fails rather than drop its energy */
} ct_table;

typedef struct {
    variant_t v[MAX_VARIANTS];
    int n;
    int replicas;
    uint64_t seed;
    const cJSON *doc;
    const char *file;
    const char *dir; /* relative paths in the scenario resolve against it */
    double scale_factor, target_jobs_per_day;
    double window_from_s, window_to_s; /* measurement window, seconds after the start */
    double lifetime_years;
    const cJSON *embodied; /* projection.embodied */
    cJSON *assumptions;
    cJSON *tweak_inputs;
    cJSON *measured_files; /* sources of the profiles behind from_profiles tweaks */
} whatif_t;

int ws_whatif_is_whatif(const cJSON *doc)
{
    return cJSON_GetObjectItemCaseSensitive(doc, "variants") || cJSON_GetObjectItemCaseSensitive(doc, "replicas") ||
           cJSON_GetObjectItemCaseSensitive(doc, "projection");
}

static void assume(whatif_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void assume(whatif_t *w, const char *fmt, ...)
{
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const cJSON *it;
    cJSON_ArrayForEach(it, w->assumptions) if (strcmp(it->valuestring, buf) == 0) return;
    cJSON_AddItemToArray(w->assumptions, cJSON_CreateString(buf));
}

/* The baseline scenario: doc.baseline, or the document without the what-if keys. */
static cJSON *baseline_json(const cJSON *doc)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(doc, "baseline");
    if (b)
        return cJSON_Duplicate(b, 1);
    cJSON *copy = cJSON_Duplicate(doc, 1);
    static const char *const whatif_keys[] = {"variants", "replicas", "projection", "sweep", NULL};
    for (int i = 0; whatif_keys[i]; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(copy, whatif_keys[i]);
    return copy;
}

/* A factor: a number, or {"mean": m, "lo": a, "hi": b} read as a lognormal 95% interval. */
static int read_factor(const cJSON *v, double *f, double *logsd, const char *file, const char *path, ws_error *err)
{
    *logsd = 0;
    if (!v)
        return 0;
    if (cJSON_IsNumber(v)) {
        *f = v->valuedouble;
    } else if (cJSON_IsObject(v)) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(v, "mean"), *lo = cJSON_GetObjectItemCaseSensitive(v, "lo"),
                    *hi = cJSON_GetObjectItemCaseSensitive(v, "hi");
        if (!cJSON_IsNumber(m) || !cJSON_IsNumber(lo) || !cJSON_IsNumber(hi) || lo->valuedouble <= 0 ||
            hi->valuedouble < lo->valuedouble) {
            ws_error_set(err, file, 0, path, "a factor is a number or {\"mean\", \"lo\", \"hi\"} with 0 < lo <= hi");
            return -1;
        }
        *f = m->valuedouble;
        *logsd = (log(hi->valuedouble) - log(lo->valuedouble)) / (2 * 1.959964);
    } else {
        ws_error_set(err, file, 0, path, "must be a number");
        return -1;
    }
    if (!(*f > 0) || !isfinite(*f)) {
        ws_error_set(err, file, 0, path, "must be > 0");
        return -1;
    }
    return 0;
}

/* log-sd of a ratio from its 95% interval (0 when unknown). */
static double ratio_logsd(const ws_ratio *r)
{
    return r->interval_known && r->lo > 0 ? (log(r->hi) - log(r->lo)) / (2 * 1.959964) : 0;
}

/* Remember which measured files a tweak came from, so the report traces it back to them. */
static void note_sources(whatif_t *w, ws_store *st, const char *a, const char *b, const char *arch)
{
    sqlite3_stmt *s = ws_store_prepare(st, "SELECT DISTINCT s.path, s.sha256 FROM profiles p JOIN sources s ON"
                                           " s.id = p.source_id WHERE p.job IN (?, ?) AND p.arch = ? ORDER BY s.path");
    if (!s)
        return;
    ws_bind_text(s, 1, a);
    ws_bind_text(s, 2, b);
    ws_bind_text(s, 3, arch);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(s, 0), *sha = (const char *)sqlite3_column_text(s, 1);
        const cJSON *it;
        int seen = 0;
        cJSON_ArrayForEach(it, w->measured_files) seen |= strcmp(cJSON_GetObjectItemCaseSensitive(it, "path")->valuestring, path) == 0;
        if (seen)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", path);
        cJSON_AddStringToObject(o, "sha256", sha);
        cJSON_AddStringToObject(o, "what", "measured profiles (stored; behind a tweak)");
        cJSON_AddStringToObject(o, "provenance", "measured");
        cJSON_AddItemToArray(w->measured_files, o);
    }
    sqlite3_finalize(s);
}

static int tweak_from_profiles(whatif_t *w, tweak_t *t, const cJSON *fp, ws_store *st, const char *path,
                               ws_error *err)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(fp, "baseline"), *v = cJSON_GetObjectItemCaseSensitive(fp, "variant"),
                *a = cJSON_GetObjectItemCaseSensitive(fp, "arch");
    if (!cJSON_IsString(b) || !cJSON_IsString(v)) {
        ws_error_set(err, w->file, 0, path, "from_profiles needs \"baseline\" and \"variant\" job names");
        return -1;
    }
    if (!st) {
        ws_error_set(err, w->file, 0, path, "from_profiles needs the store (--db) with those jobs ingested");
        return -1;
    }
    ws_tweak tw;
    ws_error e = {0};
    if (ws_tweak_compute(st, b->valuestring, v->valuestring, cJSON_IsString(a) ? a->valuestring : NULL, &tw, &e) != 0) {
        ws_error_set(err, w->file, 0, path, "%s%s%s", e.field, e.field[0] ? ": " : "", e.message);
        return -1;
    }
    note_sources(w, st, tw.baseline, tw.variant, tw.arch);
    t->runtime_f = tw.runtime.ratio;
    t->power_f = tw.power.ratio;
    t->runtime_logsd = ratio_logsd(&tw.runtime);
    t->power_logsd = ratio_logsd(&tw.power);
    t->interval_known = tw.runtime.interval_known && tw.power.interval_known;
    snprintf(t->from, sizeof t->from, "profiles: %s -> %s on %s (%d/%d runs%s)", tw.baseline, tw.variant, tw.arch,
             tw.n_baseline, tw.n_variant, tw.per_work ? ", per unit of work" : "");
    if (!t->interval_known)
        assume(w, "tweak %s -> %s: one run on a side, so its interval is unknown and it is applied as exact",
               tw.baseline, tw.variant);
    if (strcmp(t->node_type, "*") != 0 && strstr(t->node_type, tw.arch) == NULL)
        assume(w, "tweak %s -> %s was measured on %s and is applied to node type %s: the ratio is assumed to "
                  "transfer across architectures", tw.baseline, tw.variant, tw.arch, t->node_type);
    return 0;
}

static int parse_tweak(whatif_t *w, const cJSON *o, tweak_t *t, ws_store *st, const char *path, ws_error *err)
{
    memset(t, 0, sizeof *t);
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(o, "class"), *nt = cJSON_GetObjectItemCaseSensitive(o, "node_type");
    ws_strlcpy(t->cls, cJSON_IsString(cls) ? cls->valuestring : "*", sizeof t->cls);
    ws_strlcpy(t->node_type, cJSON_IsString(nt) ? nt->valuestring : "*", sizeof t->node_type);
    t->runtime_f = t->power_f = 1;
    t->interval_known = 1;
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(o, "from_profiles");
    if (fp)
        return tweak_from_profiles(w, t, fp, st, path, err);
    double energy_f = NAN, energy_sd = 0;
    char p[300];
    snprintf(p, sizeof p, "%s.runtime_factor", path);
    if (read_factor(cJSON_GetObjectItemCaseSensitive(o, "runtime_factor"), &t->runtime_f, &t->runtime_logsd, w->file, p, err))
        return -1;
    snprintf(p, sizeof p, "%s.power_factor", path);
    if (read_factor(cJSON_GetObjectItemCaseSensitive(o, "power_factor"), &t->power_f, &t->power_logsd, w->file, p, err))
        return -1;
    snprintf(p, sizeof p, "%s.energy_factor", path);
    const cJSON *ef = cJSON_GetObjectItemCaseSensitive(o, "energy_factor");
    if (ef && read_factor(ef, &energy_f, &energy_sd, w->file, p, err))
        return -1;
    if (ef && cJSON_GetObjectItemCaseSensitive(o, "power_factor")) {
        ws_error_set(err, w->file, 0, path, "give two of runtime_factor, power_factor, energy_factor, not all three");
        return -1;
    }
    if (ef) {
        /* energy = runtime x power: the power factor is what is left once runtime is given. */
        t->power_f = energy_f / t->runtime_f;
        t->power_logsd = sqrt(energy_sd * energy_sd + t->runtime_logsd * t->runtime_logsd);
    }
    snprintf(t->from, sizeof t->from, "literal");
    return 0;
}

static int match(const char *pattern, const char *name)
{
    return strcmp(pattern, "*") == 0 || strcmp(pattern, name) == 0;
}

/* Save what replicas mutate: power models of every group, runtime specs of every class. */
static int variant_snapshot(variant_t *v)
{
    int ng = 0;
    for (int s = 0; s < v->sc.n_sites; s++)
        ng += v->sc.sites[s].n_groups;
    v->orig_power = calloc((size_t)ng + 1, sizeof *v->orig_power);
    v->orig_host = calloc((size_t)ng + 1, sizeof *v->orig_host);
    v->orig_runtimes = calloc((size_t)v->sc.n_classes + 1, sizeof *v->orig_runtimes);
    v->orig_n_runtimes = calloc((size_t)v->sc.n_classes + 1, sizeof *v->orig_n_runtimes);
    if (!v->orig_power || !v->orig_host || !v->orig_runtimes || !v->orig_n_runtimes)
        return -1;
    int k = 0;
    for (int s = 0; s < v->sc.n_sites; s++)
        for (int g = 0; g < v->sc.sites[s].n_groups; g++, k++) {
            v->orig_power[k] = v->sc.sites[s].groups[g].power;
            v->orig_host[k] = v->sc.sites[s].groups[g].host_power;
        }
    for (int c = 0; c < v->sc.n_classes; c++) {
        ws_job_class *jc = &v->sc.classes[c];
        v->orig_runtimes[c] = malloc(((size_t)jc->n_runtimes + 1) * sizeof **v->orig_runtimes);
        if (!v->orig_runtimes[c])
            return -1;
        if (jc->n_runtimes)
            memcpy(v->orig_runtimes[c], jc->runtimes, (size_t)jc->n_runtimes * sizeof *jc->runtimes);
        v->orig_n_runtimes[c] = jc->n_runtimes;
    }
    return 0;
}

static void scale_spec(ws_runtime_spec *r, double runtime_f, double power_f)
{
    r->fixed_s *= runtime_f;
    r->median_s *= runtime_f;
    r->work_scale *= runtime_f; /* hs23_work: the work itself */
    r->job_model.t0_s *= runtime_f;
    r->job_model.t1_s *= runtime_f;
    r->job_model.sigma_t_s *= runtime_f;
    r->power_factor *= power_f;
}

/* A class whose only spec is the default gets a copy for node type `type`, so that a tweak on one node
 * type leaves the others alone. Returns the spec for that type, or NULL. */
static ws_runtime_spec *spec_for_type(ws_job_class *jc, const char *type)
{
    for (int i = 0; i < jc->n_runtimes; i++)
        if (strcmp(jc->runtimes[i].node_type, type) == 0)
            return &jc->runtimes[i];
    const ws_runtime_spec *dflt = ws_class_runtime(jc, type);
    if (!dflt)
        return NULL;
    ws_runtime_spec copy = *dflt;
    ws_runtime_spec *bigger = realloc(jc->runtimes, ((size_t)jc->n_runtimes + 1) * sizeof *bigger);
    if (!bigger)
        return NULL;
    jc->runtimes = bigger;
    ws_strlcpy(copy.node_type, type, sizeof copy.node_type);
    jc->runtimes[jc->n_runtimes] = copy;
    return &jc->runtimes[jc->n_runtimes++];
}

static void apply_tweak(variant_t *v, const tweak_t *t, double runtime_f, double power_f)
{
    for (int c = 0; c < v->sc.n_classes; c++) {
        ws_job_class *jc = &v->sc.classes[c];
        if (!match(t->cls, jc->name))
            continue;
        if (strcmp(t->node_type, "*") == 0) {
            for (int i = 0; i < jc->n_runtimes; i++)
                scale_spec(&jc->runtimes[i], runtime_f, power_f);
            continue;
        }
        ws_runtime_spec *r = spec_for_type(jc, t->node_type);
        if (r)
            scale_spec(r, runtime_f, power_f);
    }
}

static gsl_rng *rng_for(uint64_t seed, uint32_t stream)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r)
        gsl_rng_set(r, ws_sim_stream_seed(seed, stream));
    return r;
}

/* Put the variant back to its parsed values, then draw this replica's models and tweak factors. */
static int variant_prepare(variant_t *v, int vi, uint64_t replica_seed, int draw)
{
    int k = 0;
    for (int s = 0; s < v->sc.n_sites; s++)
        for (int g = 0; g < v->sc.sites[s].n_groups; g++, k++) {
            ws_node_group *grp = &v->sc.sites[s].groups[g];
            grp->power = v->orig_power[k];
            grp->host_power = v->orig_host[k];
            if (!draw)
                continue;
            /* Streams by (site, group): variants that keep a group draw the same parameters for it. */
            gsl_rng *r = rng_for(replica_seed, WS_STREAM_MODEL + (uint32_t)(s * 256 + g));
            if (!r)
                return -1;
            int bad = ws_model_draw(&v->orig_power[k], r, &grp->power) != 0 ||
                      (grp->has_host_power && ws_model_draw(&v->orig_host[k], r, &grp->host_power) != 0);
            gsl_rng_free(r);
            if (bad)
                return -2; /* a covariance no draw can honour: refused, not replaced by the central model */
        }
    for (int c = 0; c < v->sc.n_classes; c++) {
        ws_job_class *jc = &v->sc.classes[c];
        ws_runtime_spec *restored = realloc(jc->runtimes, ((size_t)v->orig_n_runtimes[c] + 1) * sizeof *restored);
        if (!restored)
            return -1;
        memcpy(restored, v->orig_runtimes[c], (size_t)v->orig_n_runtimes[c] * sizeof *restored);
        jc->runtimes = restored;
        jc->n_runtimes = v->orig_n_runtimes[c];
    }
    for (int t = 0; t < v->n_tweaks; t++) {
        const tweak_t *tw = &v->tweaks[t];
        double rf = tw->runtime_f, pf = tw->power_f;
        if (draw && (tw->runtime_logsd > 0 || tw->power_logsd > 0)) {
            gsl_rng *r = rng_for(replica_seed, WS_STREAM_TWEAK + (uint32_t)(vi * MAX_TWEAKS + t));
            if (!r)
                return -1;
            rf *= exp(tw->runtime_logsd * gsl_ran_gaussian(r, 1.0));
            pf *= exp(tw->power_logsd * gsl_ran_gaussian(r, 1.0));
            gsl_rng_free(r);
        }
        apply_tweak(v, tw, rf, pf);
    }
    return 0;
}

static void variant_free(variant_t *v)
{
    if (v->orig_runtimes)
        for (int c = 0; c < v->sc.n_classes; c++)
            free(v->orig_runtimes[c]);
    free(v->orig_runtimes);
    free(v->orig_n_runtimes);
    free(v->orig_power);
    free(v->orig_host);
    free(v->rows);
    free(v->site_rows);
    free(v->ct_rows);
    cJSON_Delete(v->doc);
    ws_scenario_free(&v->sc);
}

/* "set": {"workload.classes[0].rate_per_day": 2000, ...}: values by JSON path, after the patch
 * (a merge patch replaces whole arrays; a path changes one element). */
static int apply_sets(whatif_t *w, cJSON *doc, const cJSON *sets, const char *path, ws_error *err)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, sets)
    {
        ws_error e = {0};
        if (ws_json_set_path(doc, it->string, it, &e) != 0) {
            ws_error_set(err, w->file, 0, path, "set: %s: %s", it->string, e.message);
            return -1;
        }
    }
    return 0;
}

static int parse_variant(whatif_t *w, const cJSON *base, const cJSON *spec, int index, const char *dir, ws_store *st,
                         ws_error *err)
{
    variant_t *v = &w->v[w->n];
    memset(v, 0, sizeof *v);
    char path[96];
    snprintf(path, sizeof path, "variants[%d]", index);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(spec, "name");
    if (index >= 0 && !cJSON_IsString(name)) {
        ws_error_set(err, w->file, 0, path, "name: missing");
        return -1;
    }
    ws_strlcpy(v->name, index < 0 ? "baseline" : name->valuestring, sizeof v->name);
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(spec, "description");
    if (cJSON_IsString(desc))
        ws_strlcpy(v->description, desc->valuestring, sizeof v->description);
    char mine[WS_NAME_MAX], theirs[WS_NAME_MAX];
    ws_whatif_file_name(v->name, mine, sizeof mine);
    for (int i = 0; i < w->n; i++) {
        if (strcmp(w->v[i].name, v->name) == 0) {
            ws_error_set(err, w->file, 0, path, "name: '%s' is used twice", v->name);
            return -1;
        }
        ws_whatif_file_name(w->v[i].name, theirs, sizeof theirs);
        if (strcmp(mine, theirs) == 0) {
            ws_error_set(err, w->file, 0, path, "name: '%s' and '%s' would share the file hourly_%s.csv", v->name,
                         w->v[i].name, mine);
            return -1;
        }
    }
    const cJSON *patch = cJSON_GetObjectItemCaseSensitive(spec, "patch");
    cJSON *merged = patch ? ws_json_merge_patch(base, patch) : cJSON_Duplicate(base, 1);
    ws_error e = {0};
    if (apply_sets(w, merged, cJSON_GetObjectItemCaseSensitive(spec, "set"), path, err) != 0) {
        cJSON_Delete(merged);
        return -1;
    }
    int rc = ws_scenario_from_json(merged, w->file, dir, &v->sc, &e);
    v->doc = merged;
    w->n++; /* from here on variant_free owns it */
    if (rc != 0) {
        /* Name the variant: its patch made the scenario invalid. */
        ws_error_set(err, w->file, e.line, "", "%s%s%s%s%s", index >= 0 ? path : "", index >= 0 ? " (after its patch): " : "",
                     e.field, e.field[0] ? ": " : "", e.message);
        return -1;
    }
    if (variant_snapshot(v) != 0)
        return -1;
    const cJSON *tweaks = cJSON_GetObjectItemCaseSensitive(spec, "tweaks");
    const cJSON *t;
    cJSON_ArrayForEach(t, tweaks)
    {
        char tp[128];
        snprintf(tp, sizeof tp, "%s.tweaks[%d]", path, v->n_tweaks);
        if (v->n_tweaks == MAX_TWEAKS) {
            ws_error_set(err, w->file, 0, tp, "at most %d tweaks per variant", MAX_TWEAKS);
            return -1;
        }
        if (parse_tweak(w, t, &v->tweaks[v->n_tweaks], st, tp, err) != 0)
            return -1;
        const tweak_t *tw = &v->tweaks[v->n_tweaks];
        if (strcmp(tw->cls, "*") != 0 && ws_scenario_find_class(&v->sc, tw->cls) < 0) {
            ws_error_set(err, w->file, 0, tp, "class: no class '%s' in the scenario", tw->cls);
            return -1;
        }
        v->n_tweaks++;
    }
    return 0;
}

/* ---- one replica ---- */

typedef struct {
    variant_t *v;      /* the worker's copy of the variant */
    const whatif_t *w;
    int replica;
    FILE *hourly;
    double win_it_j, win_fac_j, win_co2_g, win_cost; /* inside the measurement window */
    long win_jobs;
    ct_table *ct;
    struct progress *prog; /* shared with the other workers; NULL: none */
    int task;
} run_ctx;

/* What the runs have done so far, for the progress line (written by workers, read by the monitor). */
struct progress {
    pthread_mutex_t mu;
    double *frac;   /* per task: simulated time / horizon (1 when done) */
    int64_t *jobs;  /* per task: jobs completed */
};

static void on_progress(void *ctx, double t_s, double end_s, int64_t jobs)
{
    run_ctx *rc = ctx;
    if (!rc->prog)
        return;
    double horizon = isfinite(end_s) ? end_s : rc->v->sc.days * 86400.0;
    double f = horizon > 0 ? t_s / horizon : 0;
    pthread_mutex_lock(&rc->prog->mu);
    rc->prog->frac[rc->task] = f < 0.999 ? f : 0.999;
    rc->prog->jobs[rc->task] = jobs;
    pthread_mutex_unlock(&rc->prog->mu);
}

static double attributed_power_w(const ws_scenario *sc, const ws_sim_job_record *r)
{
    const ws_node_group *g = &sc->sites[r->site].groups[r->group];
    double share = g->cores > 0 ? (double)r->cores / g->cores : 0;
    double p;
    if (g->gpus > 0) {
        p = r->gpus * ws_model_power_w(&g->power, r->utilisation);
        if (g->has_host_power)
            p += share * ws_model_power_w(&g->host_power, r->utilisation);
    } else {
        p = share * ws_model_power_w(&g->power, r->utilisation);
    }
    if (r->cls < sc->n_classes) {
        const ws_runtime_spec *spec = ws_class_runtime(&sc->classes[r->cls], g->type);
        if (spec)
            p *= spec->power_factor;
    }
    return p;
}

static void on_job(void *ctx, const ws_sim_job_record *r)
{
    run_ctx *rc = ctx;
    variant_t *v = rc->v;
    ct_table *ct = rc->ct;
    const char *cls = r->cls < v->sc.n_classes ? v->sc.classes[r->cls].name : "trace";
    const char *type = v->sc.sites[r->site].groups[r->group].type;
    int i;
    for (i = 0; i < ct->n; i++)
        if (strcmp(ct->cls[i], cls) == 0 && strcmp(ct->type[i], type) == 0)
            break;
    if (i == ct->n) {
        if (ct->n == MAX_CT) {
            ct->overflow = 1;
            return;
        }
        ws_strlcpy(ct->cls[i], cls, WS_NAME_MAX);
        ws_strlcpy(ct->type[i], type, WS_NAME_MAX);
        ct->n++;
    }
    ct->kwh[i] += attributed_power_w(&v->sc, r) * (r->end_s - r->start_s) / WS_J_PER_KWH;
    if (r->end_s >= rc->w->window_from_s && r->end_s < rc->w->window_to_s)
        rc->win_jobs++;
}

/* The part of an hour inside the measurement window; power is constant enough within an hour's
 * totals that a partial hour is prorated. */
static void window_add(run_ctx *rc, const ws_sim_hour *h)
{
    double a = fmax(h->t_s, rc->w->window_from_s), b = fmin(h->t_s + h->dt_s, rc->w->window_to_s);
    if (b <= a || h->dt_s <= 0)
        return;
    double f = (b - a) / h->dt_s;
    rc->win_it_j += f * h->it_energy_j;
    rc->win_fac_j += f * h->facility_energy_j;
    rc->win_co2_g += f * h->co2_g;
    rc->win_cost += f * h->cost;
}

static void on_hour(void *ctx, const ws_sim_hour *h)
{
    run_ctx *rc = ctx;
    window_add(rc, h);
    if (rc->hourly)
        ws_sim_hour_csv_row(rc->hourly, &rc->v->sc, h);
}

/* A variant's name as a file name: letters, digits, '.', '-' and '_' kept, anything else (a '/', a space)
 * becomes '_'; the report gives each variant's hourly file (variants[].hourly_csv). */
void ws_whatif_file_name(const char *variant, char *out, size_t size)
{
    size_t i = 0;
    for (; variant[i] && i + 1 < size; i++) {
        char ch = variant[i];
        out[i] = isalnum((unsigned char)ch) || ch == '.' || ch == '-' || ch == '_' ? ch : '_';
    }
    out[i] = '\0';
    if (i == 0 && size > 1)
        ws_strlcpy(out, "_", size);
    else if (out[0] == '.') /* no hidden files, no ".." */
        out[0] = '_';
}

/* The variant's hourly CSV in out_dir, written whole or not at all (ws_outfile); NULL with err when it
 * cannot be opened (the run then fails: no output silently missing). */
static FILE *open_hourly(ws_outfile *o, const char *out_dir, const char *variant, int synthetic, ws_error *err)
{
    char p[1400];
    char safe[WS_NAME_MAX];
    ws_whatif_file_name(variant, safe, sizeof safe);
    snprintf(p, sizeof p, "%s/hourly_%s.csv", out_dir, safe);
    FILE *f = ws_outfile_open(o, p, err);
    if (f)
        ws_sim_hour_csv_header(f, synthetic);
    return f;
}

static double embodied_kg_per_node(const whatif_t *w, const char *type)
{
    if (!w->embodied)
        return 0;
    const cJSON *per = cJSON_GetObjectItemCaseSensitive(w->embodied, "kg_co2e_per_node");
    if (cJSON_IsNumber(per))
        return per->valuedouble;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(per, type);
    if (!cJSON_IsNumber(v))
        v = cJSON_GetObjectItemCaseSensitive(per, "default");
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void record_row(const whatif_t *w, variant_t *v, int rep, const ws_sim_result *res)
{
    double *row = &v->rows[rep * M_COUNT];
    int exact;
    row[M_JOBS] = (double)res->total.jobs_completed;
    row[M_MAKESPAN_S] = res->makespan_s;
    row[M_IT_KWH] = res->total.it_energy_j / WS_J_PER_KWH;
    row[M_FAC_KWH] = res->total.facility_energy_j / WS_J_PER_KWH;
    row[M_CO2_KG] = res->total.co2_g / 1000.0;
    int priced = 0;
    for (int s = 0; s < v->sc.n_sites; s++)
        priced |= v->sc.sites[s].price_per_kwh != NULL;
    row[M_COST] = priced ? res->total.cost : NAN; /* no price anywhere: unknown, not free */
    row[M_MEAN_WAIT_S] = ws_wait_mean_s(&res->total.wait);
    row[M_P95_WAIT_S] = ws_wait_quantile_s(&res->total.wait, 0.95, &exact);
    row[M_MISSES] = (double)res->total.deadline_missed;
    row[M_ARRIVED] = (double)res->jobs_arrived;
    /* Per-day figures divide by the arrival window: with "until": "makespan" the drain of the window's
     * jobs is counted too, so every variant is charged for the same jobs. */
    row[M_SIM_DAYS] = isfinite(w->window_to_s) ? (w->window_to_s - w->window_from_s) / 86400.0
                      : v->sc.days > 0               ? v->sc.days
                                                     : res->end_s / 86400.0;
    double embodied = 0, years = row[M_SIM_DAYS] / 365.25;
    for (int s = 0; s < v->sc.n_sites; s++)
        for (int g = 0; g < v->sc.sites[s].n_groups; g++) {
            const ws_node_group *grp = &v->sc.sites[s].groups[g];
            embodied += grp->count * embodied_kg_per_node(w, grp->type) * years / w->lifetime_years;
        }
    row[M_EMBODIED_KG] = embodied;
    for (int s = 0; s < res->n_sites && s < v->sc.n_sites; s++) {
        double *sr = &v->site_rows[(rep * v->sc.n_sites + s) * 4];
        sr[0] = (double)res->sites[s].jobs_completed;
        sr[1] = res->sites[s].it_energy_j / WS_J_PER_KWH;
        sr[2] = res->sites[s].facility_energy_j / WS_J_PER_KWH;
        sr[3] = res->sites[s].co2_g / 1000.0;
    }
}

/* One run: variant vi (the worker's copy wv, results into the shared variant's rows) in replica rep. */
static int run_task(whatif_t *w, variant_t *wv, int vi, int rep, const char *out_dir, ct_table *ct,
                    struct progress *prog, ws_error *err)
{
    uint64_t seed = w->replicas == 1 ? w->seed : ws_sim_stream_seed(w->seed, WS_STREAM_REPLICA + (uint32_t)rep);
    variant_t *v = &w->v[vi];
    int prep = variant_prepare(wv, vi, seed, w->replicas > 1);
    if (prep == -2) {
        ws_error_set(err, w->file, 0, "sites", "a power model's parameter covariance is not positive definite, so "
                     "replicas cannot draw its parameters: fix the model file, or run --replicas 1 (central values)");
        return WS_EINPUT;
    }
    if (prep != 0)
        return WS_EFAIL;
    run_ctx rc = {.v = wv, .w = w, .replica = rep, .ct = ct, .prog = prog, .task = rep * w->n + vi};
    ws_outfile hourly_out;
    if (rep == 0 && out_dir &&
        !(rc.hourly = open_hourly(&hourly_out, out_dir, v->name, ws_scenario_synthetic(&wv->sc), err)))
        return WS_EFAIL;
    ws_sim_options so = {.override_seed = 1, .seed = seed};
    so.obs.on_job = on_job;
    so.obs.on_hour = on_hour;
    so.obs.on_progress = on_progress;
    so.obs.ctx = &rc;
    ws_sim_result res;
    int r = ws_sim_run(&wv->sc, &so, &res, err);
    if (prog) {
        pthread_mutex_lock(&prog->mu);
        prog->frac[rc.task] = 1;
        prog->jobs[rc.task] = res.total.jobs_completed;
        pthread_mutex_unlock(&prog->mu);
    }
    if (r == 0 && ct->overflow) {
        ws_error_set(err, w->file, 0, "workload", "more than %d (job class x node type) combinations: the energy "
                     "attributed to the others would be dropped", MAX_CT);
        r = -3;
    }
    if (rc.hourly && r == 0 && ws_outfile_commit(&hourly_out, err) != 0)
        r = -4; /* the run was fine, its hourly file could not be written */
    else if (rc.hourly && r != 0)
        ws_outfile_abort(&hourly_out);
    if (r == 0) {
        record_row(w, v, rep, &res);
        double attributed = 0;
        for (int i = 0; i < ct->n; i++)
            attributed += ct->kwh[i];
        double *row = &v->rows[rep * M_COUNT];
        row[M_ATTR_KWH] = attributed;
        row[M_WIN_IT_KWH] = rc.win_it_j / WS_J_PER_KWH;
        row[M_WIN_FAC_KWH] = rc.win_fac_j / WS_J_PER_KWH;
        row[M_WIN_CO2_KG] = rc.win_co2_g / 1000.0;
        row[M_WIN_COST] = isnan(row[M_COST]) ? NAN : rc.win_cost;
        row[M_WIN_JOBS] = (double)rc.win_jobs;
    }
    ws_sim_result_free(&res);
    return r == 0 ? WS_OK : r == -2 || r == -4 ? WS_EFAIL : WS_EINPUT;
}

/* A worker's own copy of every variant (scenario parsed again from the variant's document, so that
 * replicas may draw models and apply tweaks concurrently). */
static int clone_variants(const whatif_t *w, variant_t *copies)
{
    for (int vi = 0; vi < w->n; vi++) {
        variant_t *c = &copies[vi];
        ws_error e;
        memset(c, 0, sizeof *c);
        memcpy(c->tweaks, w->v[vi].tweaks, sizeof c->tweaks);
        c->n_tweaks = w->v[vi].n_tweaks;
        if (ws_scenario_from_json(w->v[vi].doc, w->file, w->dir, &c->sc, &e) != 0 || variant_snapshot(c) != 0)
            return -1;
    }
    return 0;
}

/* The runs (replica x variant, replica-major) spread over threads; every result lands in its own
 * slot, and the attributed-energy cells are merged in run order afterwards: the same bytes at any
 * thread count. */
typedef struct {
    whatif_t *w;
    const ws_whatif_options *opt;
    int n_tasks;             /* every run */
    int *mine, n_mine;       /* the runs of this rank (all of them without MPI) */
    int next, done;          /* indices into mine, guarded by mu */
    pthread_mutex_t mu;
    struct progress prog;
    int *rc;                 /* per task */
    ws_error *err;           /* per task */
    ct_table *ct;            /* per task */
} pool_t;

static void *worker(void *arg)
{
    pool_t *p = arg;
    whatif_t *w = p->w;
    variant_t *copies = calloc((size_t)w->n, sizeof *copies);
    int ok = copies && clone_variants(w, copies) == 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        int k = p->next < p->n_mine ? p->mine[p->next++] : -1;
        pthread_mutex_unlock(&p->mu);
        if (k < 0)
            break;
        int rep = k / w->n, vi = k % w->n;
        p->rc[k] = ok ? run_task(w, &copies[vi], vi, rep, p->opt->out_dir, &p->ct[k], &p->prog, &p->err[k]) : WS_EFAIL;
        pthread_mutex_lock(&p->mu);
        p->done++;
        pthread_mutex_unlock(&p->mu);
    }
    for (int vi = 0; copies && vi < w->n; vi++)
        variant_free(&copies[vi]);
    free(copies);
    return NULL;
}

static int merge_ct(whatif_t *w, const ct_table *ct, int k)
{
    int rep = k / w->n;
    variant_t *v = &w->v[k % w->n];
    for (int c = 0; c < ct->n; c++) {
        int i;
        for (i = 0; i < v->n_ct; i++)
            if (strcmp(v->ct_class[i], ct->cls[c]) == 0 && strcmp(v->ct_type[i], ct->type[c]) == 0)
                break;
        if (i == v->n_ct) {
            if (v->n_ct == MAX_CT) /* the runs' cells differ: together more than MAX_CT */
                return -1;
            ws_strlcpy(v->ct_class[i], ct->cls[c], WS_NAME_MAX);
            ws_strlcpy(v->ct_type[i], ct->type[c], WS_NAME_MAX);
            v->n_ct++;
        }
        v->ct_rows[rep * MAX_CT + i] = ct->kwh[c];
    }
    return 0;
}

/* With MPI, run k (replica-major) belongs to rank (replica + variant) mod ranks: each rank gets every
 * variant in turn, so that costly variants (shifting, say) are spread. */
static int task_owner(const whatif_t *w, int k, int ranks)
{
    return (k / w->n + k % w->n) % ranks;
}

/* Rank 0 gets every other rank's results, run by run in run order: status, error, metrics, per-site
 * rows and attribution cells. Returns 0 or -1. */
static int gather_runs(whatif_t *w, pool_t *p, int ranks)
{
    int rc = 0;
    for (int k = 0; k < p->n_tasks && ranks > 1; k++) {
        int owner = task_owner(w, k, ranks), rep = k / w->n;
        variant_t *v = &w->v[k % w->n];
        rc |= ws_mpi_to_root(owner, &p->rc[k], sizeof p->rc[k]);
        rc |= ws_mpi_to_root(owner, &p->err[k], sizeof p->err[k]);
        rc |= ws_mpi_to_root(owner, &v->rows[rep * M_COUNT], M_COUNT * sizeof *v->rows);
        rc |= ws_mpi_to_root(owner, &v->site_rows[rep * v->sc.n_sites * 4], (size_t)v->sc.n_sites * 4 * sizeof *v->site_rows);
        rc |= ws_mpi_to_root(owner, &p->ct[k], sizeof p->ct[k]);
    }
    return rc;
}

static int whatif_threads(const ws_whatif_options *opt, int n_tasks)
{
    long n = opt->threads > 0 ? opt->threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return (int)(n < n_tasks ? n : n_tasks);
}

/* Until every run is done: a progress line on stderr every few seconds (runs done, jobs simulated,
 * rate, elapsed, ETA from the simulated fraction), terminal or not. */
static void monitor(pool_t *p, const ws_whatif_options *opt, int threads)
{
    double t0 = ws_monotonic_s(), last = t0;
    for (;;) {
        struct timespec nap = {0, 100 * 1000 * 1000};
        nanosleep(&nap, NULL);
        pthread_mutex_lock(&p->mu);
        int done = p->done;
        pthread_mutex_unlock(&p->mu);
        if (done == p->n_mine)
            break;
        double t = ws_monotonic_s();
        if (opt->quiet || t - last < 5.0)
            continue;
        last = t;
        double f = 0;
        int64_t jobs = 0;
        pthread_mutex_lock(&p->prog.mu);
        for (int i = 0; i < p->n_mine; i++) {
            f += p->prog.frac[p->mine[i]];
            jobs += p->prog.jobs[p->mine[i]];
        }
        pthread_mutex_unlock(&p->prog.mu);
        f /= p->n_mine;
        fprintf(stderr, "what-if: %d/%d runs done on %d threads%s, %.3g M jobs simulated (%.3g M/s), %.0f s elapsed, ETA %.0f s\n",
                done, p->n_mine, threads, p->n_mine < p->n_tasks ? " (this rank)" : "", jobs / 1e6, jobs / 1e6 / (t - t0),
                t - t0, f > 0 ? (t - t0) * (1 - f) / f : NAN);
    }
}

static int run_all(whatif_t *w, const ws_whatif_options *opt, ws_error *err)
{
    /* GSL errors come back as statuses (a covariance that is not positive definite, say), never as an
     * abort; switched once here, before any worker runs, since the handler is process-wide. */
    gsl_set_error_handler_off();
    pool_t p = {.w = w, .opt = opt, .n_tasks = w->replicas * w->n};
    p.rc = calloc((size_t)p.n_tasks, sizeof *p.rc);
    p.err = calloc((size_t)p.n_tasks, sizeof *p.err);
    p.ct = calloc((size_t)p.n_tasks, sizeof *p.ct);
    p.prog.frac = calloc((size_t)p.n_tasks, sizeof *p.prog.frac);
    p.prog.jobs = calloc((size_t)p.n_tasks, sizeof *p.prog.jobs);
    p.mine = calloc((size_t)p.n_tasks, sizeof *p.mine);
    int ranks = opt->over_ranks ? ws_mpi_size() : 1, rank = opt->over_ranks ? ws_mpi_rank() : 0;
    for (int k = 0; p.mine && k < p.n_tasks; k++)
        if (task_owner(w, k, ranks) == rank)
            p.mine[p.n_mine++] = k;
    int nt = whatif_threads(opt, p.n_mine > 0 ? p.n_mine : 1), started = 0, rc = WS_OK;
    pthread_t *th = calloc((size_t)nt, sizeof *th);
    if (!p.rc || !p.err || !p.ct || !p.prog.frac || !p.prog.jobs || !p.mine || !th ||
        pthread_mutex_init(&p.mu, NULL) != 0 || pthread_mutex_init(&p.prog.mu, NULL) != 0) {
        free(p.rc), free(p.err), free(p.ct), free(p.prog.frac), free(p.prog.jobs), free(p.mine), free(th);
        return WS_EFAIL;
    }
    for (; started < nt; started++)
        if (pthread_create(&th[started], NULL, worker, &p) != 0)
            break;
    if (started == 0)
        worker(&p); /* no thread could be made: run them here */
    else
        monitor(&p, opt, started);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (gather_runs(w, &p, ranks) != 0)
        rc = WS_EFAIL;
    for (int k = 0; k < p.n_tasks && rc == WS_OK && rank == 0; k++) {
        rc = p.rc[k];
        if (rc != WS_OK)
            *err = p.err[k];
        else if (merge_ct(w, &p.ct[k], k) != 0) {
            ws_error_set(err, w->file, 0, "workload", "more than %d (job class x node type) combinations over the "
                         "runs: the energy attributed to the others would be dropped", MAX_CT);
            rc = WS_EINPUT;
        }
    }
    if (ranks > 1)
        ws_mpi_bcast_int(&rc);
    if (!opt->quiet && rank == 0) {
        char on[64] = "";
        if (ranks > 1)
            snprintf(on, sizeof on, " x %d ranks", ranks);
        fprintf(stderr, "what-if: %d runs (%d replicas x %d variants) on %d thread%s%s\n", p.n_tasks, w->replicas, w->n,
                started ? started : 1, started > 1 ? "s" : "", on);
    }
    pthread_mutex_destroy(&p.mu);
    pthread_mutex_destroy(&p.prog.mu);
    free(p.mine);
    free(p.prog.frac);
    free(p.prog.jobs);
    free(p.rc);
    free(p.err);
    free(p.ct);
    free(th);
    return rc;
}

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

/* An interval as a magnitude: a negative saving reads as a positive cost ("costs 2 [1, 3]"). */
static const char *format_saving(const cJSON *iv, char *buf, size_t size)
{
    double m = cJSON_GetObjectItemCaseSensitive(iv, "mean")->valuedouble;
    cJSON *copy = cJSON_Duplicate(iv, 1);
    if (m < 0) {
        double lo = cJSON_GetObjectItemCaseSensitive(iv, "lo")->valuedouble;
        double hi = cJSON_GetObjectItemCaseSensitive(iv, "hi")->valuedouble;
        cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(copy, "mean"), -m);
        cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(copy, "lo"), -hi);
        cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(copy, "hi"), -lo);
    }
    ws_report_format_interval(copy, buf, size);
    cJSON_Delete(copy);
    return m < 0 ? "costs" : "saves";
}

static void headline(cJSON *arr, const cJSON *vj)
{
    const cJSON *sv = cJSON_GetObjectItemCaseSensitive(vj, "saving_vs_baseline");
    char es[96], cs[96], ps[96], js[96], buf[640];
    const char *verb = format_saving(cJSON_GetObjectItemCaseSensitive(sv, "facility_energy_mwh_per_day"), es, sizeof es);
    /* CO2 and the percentage go with the energy's sign convention of their own. */
    const char *co2_verb = format_saving(cJSON_GetObjectItemCaseSensitive(sv, "co2_t_per_day"), cs, sizeof cs);
    format_saving(cJSON_GetObjectItemCaseSensitive(sv, "facility_energy_pct"), ps, sizeof ps);
    const char *job_verb = format_saving(cJSON_GetObjectItemCaseSensitive(sv, "job_energy_pct"), js, sizeof js);
    snprintf(buf, sizeof buf, "%s %s %s MWh a day (%s %%) and %s %s t CO2 a day at the facilities; per job it %s "
             "%s %% of the energy", cJSON_GetObjectItemCaseSensitive(vj, "name")->valuestring, verb, es, ps, co2_verb,
             cs, job_verb, js);
    cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
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
        assume(w, "%s %s at %s: power model ASSUMED (%s), nothing measured", grp->type, role[0] ? role + 1 : "",
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

static void tweak_inputs(whatif_t *w)
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

/* ---- the run ---- */

static int read_projection(whatif_t *w, ws_error *err)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(w->doc, "projection");
    w->scale_factor = 1;
    w->target_jobs_per_day = NAN;
    w->lifetime_years = 4;
    w->window_from_s = 0;
    w->window_to_s = INFINITY;
    if (!p)
        return 0;
    const cJSON *win = cJSON_GetObjectItemCaseSensitive(p, "window");
    if (win) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(win, "from_day"), *b = cJSON_GetObjectItemCaseSensitive(win, "to_day");
        if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || a->valuedouble < 0 || b->valuedouble <= a->valuedouble) {
            ws_error_set(err, w->file, 0, "projection.window", "needs from_day >= 0 and to_day > from_day (days after the start)");
            return -1;
        }
        w->window_from_s = a->valuedouble * 86400;
        w->window_to_s = b->valuedouble * 86400;
        assume(w, "per-day figures are measured from day %g to day %g of the simulation (a warm-up before, arrivals "
                  "going on after, so the window sees a steady state)", a->valuedouble, b->valuedouble);
    }
    const cJSON *jpd = cJSON_GetObjectItemCaseSensitive(p, "jobs_per_day");
    const cJSON *sf = cJSON_GetObjectItemCaseSensitive(p, "scale_factor");
    if (jpd && (!cJSON_IsNumber(jpd) || jpd->valuedouble <= 0)) {
        ws_error_set(err, w->file, 0, "projection.jobs_per_day", "must be a number > 0");
        return -1;
    }
    if (sf && (!cJSON_IsNumber(sf) || sf->valuedouble <= 0)) {
        ws_error_set(err, w->file, 0, "projection.scale_factor", "must be a number > 0");
        return -1;
    }
    if (jpd)
        w->target_jobs_per_day = jpd->valuedouble;
    else if (sf)
        w->scale_factor = sf->valuedouble;
    w->embodied = cJSON_GetObjectItemCaseSensitive(p, "embodied");
    const cJSON *life = cJSON_GetObjectItemCaseSensitive(w->embodied, "lifetime_years");
    if (life && (!cJSON_IsNumber(life) || life->valuedouble <= 0)) {
        ws_error_set(err, w->file, 0, "projection.embodied.lifetime_years", "must be a number > 0");
        return -1;
    }
    if (life)
        w->lifetime_years = life->valuedouble;
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(w->embodied, "source");
    if (w->embodied)
        assume(w, "embodied carbon per node and a %.3g-year lifetime as the scenario states (%s); SCI amortises it "
                  "linearly over the simulated time", w->lifetime_years,
               cJSON_IsString(src) ? src->valuestring : "no source given");
    return 0;
}

/* Scale: the baseline's arrivals per simulated day, brought to projection.jobs_per_day. */
static void fix_scale(whatif_t *w)
{
    if (isnan(w->target_jobs_per_day))
        return;
    double arrived = 0, days = 0;
    for (int r = 0; r < w->replicas; r++) {
        arrived += w->v[0].rows[r * M_COUNT + M_WIN_JOBS];
        days += w->v[0].rows[r * M_COUNT + M_SIM_DAYS];
    }
    w->scale_factor = arrived > 0 ? w->target_jobs_per_day / (arrived / days) : 1;
    assume(w, "per-day figures are the simulated ones scaled by %.6g to %.6g jobs a day: energy, CO2 and cost are "
              "taken to grow linearly with the number of jobs at the same utilisation", w->scale_factor,
           w->target_jobs_per_day);
}

static int allocate_rows(whatif_t *w)
{
    for (int vi = 0; vi < w->n; vi++) {
        variant_t *v = &w->v[vi];
        v->rows = calloc((size_t)w->replicas * M_COUNT, sizeof *v->rows);
        v->site_rows = calloc((size_t)w->replicas * (size_t)(v->sc.n_sites + 1) * 4, sizeof *v->site_rows);
        v->ct_rows = calloc((size_t)w->replicas * MAX_CT, sizeof *v->ct_rows);
        if (!v->rows || !v->site_rows || !v->ct_rows)
            return -1;
    }
    return 0;
}

static int parse_all(whatif_t *w, const char *dir, const ws_whatif_options *opt, ws_error *err)
{
    cJSON *base = baseline_json(w->doc);
    int rc = parse_variant(w, base, NULL, -1, dir, opt->store, err);
    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(w->doc, "variants");
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, vars)
    {
        if (rc != 0)
            break;
        if (w->n == MAX_VARIANTS) {
            ws_error_set(err, w->file, 0, "variants", "at most %d variants", MAX_VARIANTS - 1);
            rc = -1;
            break;
        }
        rc = parse_variant(w, base, v, i++, dir, opt->store, err);
    }
    cJSON_Delete(base);
    return rc;
}

static int read_replicas(whatif_t *w, const ws_whatif_options *opt, ws_error *err)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(w->doc, "replicas");
    w->replicas = 1;
    if (r && (!cJSON_IsNumber(r) || r->valuedouble < 1 || r->valuedouble > 10000 ||
              r->valuedouble != floor(r->valuedouble))) {
        ws_error_set(err, w->file, 0, "replicas", "must be a whole number from 1 to 10000");
        return -1;
    }
    if (r)
        w->replicas = (int)r->valuedouble;
    if (opt->replicas > 0)
        w->replicas = opt->replicas;
    return 0;
}

static cJSON *assemble(whatif_t *w, const cJSON *base, const char *sha256)
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
    char note[512];
    if (w->scale_factor == 1)
        snprintf(note, sizeof note, "Per-day figures are simulated directly (%.4g jobs a day in the baseline); nothing is scaled.",
                 days > 0 ? jobs / days : 0);
    else
        snprintf(note, sizeof note, "Per-day figures are SCALED by %.6g from the %.4g jobs a day simulated: energy, CO2 and cost "
                 "grow linearly with jobs; waits and the effects of dispatch and shifting are those of the simulated size.",
                 w->scale_factor, days > 0 ? jobs / days : 0);
    cJSON_AddStringToObject(sc, "scale_note", note);
    const ws_scenario *sc0 = &w->v[0].sc;
    if (sc0->series_outside == WS_SERIES_HOLD)
        assume(w, "CSV series (carbon, PUE, price) hold their first/last value outside their span "
                  "(horizon.series_outside: hold)");
    else if (sc0->series_outside == WS_SERIES_MAP_YEAR && sc0->series_shift_s != 0)
        assume(w, "CSV series (carbon, PUE, price) are replayed %+.0f days later, on the horizon's year "
                  "(horizon.series_outside: map-year)", sc0->series_shift_s / 86400.0);
    int synthetic = ws_scenario_synthetic(&w->v[0].sc);
    cJSON_AddBoolToObject(rep, "synthetic_workload", synthetic);
    if (synthetic)
        assume(w, "the workload is SYNTHETIC (generated from the scenario's job classes), not a real trace");
    if (w->replicas == 1)
        assume(w, "one replica: every interval has zero width; use --replicas for uncertainty");
    cJSON *vars = cJSON_AddArrayToObject(rep, "variants");
    cJSON *head = cJSON_AddArrayToObject(rep, "headline");
    for (int vi = 0; vi < w->n; vi++) {
        cJSON *vj = variant_json(w, &w->v[vi]);
        cJSON_AddItemToArray(vars, vj);
        if (vi > 0)
            headline(head, vj);
    }
    cJSON_AddItemToObject(rep, "inputs", inputs_json(w, base, sha256));
    cJSON_AddItemToObject(rep, "assumptions", cJSON_Duplicate(w->assumptions, 1));
    cJSON_AddArrayToObject(rep, "figures");
    return rep;
}

int ws_whatif_run(const cJSON *doc, const char *file, const char *dir, const char *sha256,
                  const ws_whatif_options *opt, cJSON **report, ws_error *err)
{
    whatif_t *w = calloc(1, sizeof *w);
    if (!w)
        return WS_EFAIL;
    w->doc = doc;
    w->file = file;
    w->dir = dir;
    w->assumptions = cJSON_CreateArray();
    w->tweak_inputs = cJSON_CreateArray();
    w->measured_files = cJSON_CreateArray();
    int rc = WS_EINPUT;
    if (read_replicas(w, opt, err) == 0 && read_projection(w, err) == 0 && parse_all(w, dir, opt, err) == 0) {
        w->seed = opt->override_seed ? opt->seed : w->v[0].sc.seed;
        rc = allocate_rows(w) == 0 ? WS_OK : WS_EFAIL;
        tweak_inputs(w);
        if (rc == WS_OK)
            rc = run_all(w, opt, err);
        if (rc == WS_OK && (!opt->over_ranks || ws_mpi_rank() == 0)) { /* other ranks only ran their share */
            fix_scale(w);
            cJSON *base = baseline_json(doc);
            *report = assemble(w, base, sha256);
            cJSON_Delete(base);
        }
    }
    for (int i = 0; i < w->n; i++)
        variant_free(&w->v[i]);
    cJSON_Delete(w->assumptions);
    cJSON_Delete(w->tweak_inputs);
    cJSON_Delete(w->measured_files);
    free(w);
    return rc;
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
    fprintf(out, "scenario  %s (sha256 %.12s)  seed %.0f  replicas %.0f\n",
            cJSON_GetObjectItemCaseSensitive(sc, "path")->valuestring,
            cJSON_GetObjectItemCaseSensitive(sc, "sha256")->valuestring,
            cJSON_GetObjectItemCaseSensitive(sc, "seed")->valuedouble,
            cJSON_GetObjectItemCaseSensitive(sc, "replicas")->valuedouble);
    fprintf(out, "scale     %.4g measured day(s) x %.6g: %s\n", cJSON_GetObjectItemCaseSensitive(sc, "simulated_days")->valuedouble,
            cJSON_GetObjectItemCaseSensitive(sc, "scale_factor")->valuedouble,
            cJSON_GetObjectItemCaseSensitive(sc, "scale_note")->valuestring);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(report, "synthetic_workload")))
        fprintf(out, "workload  SYNTHETIC: no trace; every job comes from the generator\n");
    fprintf(out, "\n%-22s %26s %26s %22s %24s\n", "variant", "energy MWh/day", "saving MWh/day", "saving %",
            "CO2 t/day");
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(report, "variants"))
    {
        char e[96], s[96], p[96], c[96];
        const cJSON *pd = cJSON_GetObjectItemCaseSensitive(v, "per_day");
        const cJSON *sv = cJSON_GetObjectItemCaseSensitive(v, "saving_vs_baseline");
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(pd, "facility_energy_mwh"), e, sizeof e);
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(sv, "facility_energy_mwh_per_day"), s, sizeof s);
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(sv, "facility_energy_pct"), p, sizeof p);
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(pd, "co2_t"), c, sizeof c);
        fprintf(out, "%-22.22s %26s %26s %22s %24s\n", cJSON_GetObjectItemCaseSensitive(v, "name")->valuestring, e, s,
                p, c);
    }
    const cJSON *h;
    fprintf(out, "\n");
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(report, "headline")) fprintf(out, "- %s\n", h->valuestring);
}
