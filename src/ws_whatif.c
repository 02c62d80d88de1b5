/* ws_whatif: see ws_whatif.h. Layout: variants are parsed once; each replica restores every variant's
 * scenario to its parsed values, draws model parameters and tweak factors from streams named by
 * (replica, site, group) or (replica, variant, tweak), runs the simulator with the replica's seed, and
 * keeps one row of metrics. Intervals come last, from those rows: totals per variant and savings as
 * paired differences against the baseline of the same replica, so common noise cancels (built into the
 * report JSON by ws_whatif_report.c). Progress goes to the caller's callback: this module prints nothing. */
#include "ws_whatif.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
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

#include "ws_fmt.h"
#include "ws_json.h"
#include "ws_mpi.h"
#include "ws_scenario.h"
#include "ws_sim.h"
#include "ws_stats.h"
#include "ws_tweak.h"
#include "ws_whatif_impl.h"


/* Attributed IT energy of one run by (class, node type), in order of first appearance; merged into
 * its variant replica by replica after the runs, so that cells get the same order at any thread count. */
typedef struct {
    char cls[MAX_CT][WS_NAME_MAX], type[MAX_CT][WS_NAME_MAX];
    double kwh[MAX_CT];
    int n;
    int overflow; /* a cell past MAX_CT was met: the run fails rather than drop its energy */
} ct_table;

int ws_whatif_is_whatif(const cJSON *doc)
{
    return cJSON_GetObjectItemCaseSensitive(doc, "variants") || cJSON_GetObjectItemCaseSensitive(doc, "replicas") ||
           cJSON_GetObjectItemCaseSensitive(doc, "projection");
}

void ws_whatif_assume(whatif_t *w, const char *fmt, ...)
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
        ws_whatif_assume(w, "tweak %s -> %s: one run on a side, so its interval is unknown and it is applied as exact",
               tw.baseline, tw.variant);
    if (strcmp(t->node_type, "*") != 0 && strstr(t->node_type, tw.arch) == NULL)
        ws_whatif_assume(w, "tweak %s -> %s was measured on %s and is applied to node type %s: the ratio is assumed to "
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

/* A tweak's class or node type: a name, or a shell pattern ("*", "*DataProcessing*": DCSim classes). */
static int match(const char *pattern, const char *name)
{
    return fnmatch(pattern, name, 0) == 0;
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
    cJSON_Delete(v->rests_on);
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

/* "rests_on": {"measured": [..], "cited": [..], "given": [..], "assumed": [..]}: what the variant's change
 * itself rests on, in words (the report's "rests on" column adds them to the inputs'). */
static int parse_rests_on(whatif_t *w, variant_t *v, const cJSON *spec, const char *path, ws_error *err)
{
    static const char *const labels[] = {"measured", "cited", "given", "assumed"};
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(spec, "rests_on"), *it, *s;
    if (!r)
        return 0;
    if (!cJSON_IsObject(r)) { /* an array's members have no names to check */
        ws_error_set(err, w->file, 0, path, "rests_on: must be an object of string arrays");
        return -1;
    }
    cJSON_ArrayForEach(it, r)
    {
        int known = 0;
        for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
            known |= strcmp(it->string, labels[i]) == 0;
        int strings = cJSON_IsArray(it);
        cJSON_ArrayForEach(s, it) strings &= cJSON_IsString(s) && s->valuestring[0];
        if (!known || !strings) {
            ws_error_set(err, w->file, 0, path, "rests_on.%s: %s", it->string,
                         known ? "must be an array of non-empty strings" : "is not one of measured, cited, given, assumed");
            return -1;
        }
    }
    if (!(v->rests_on = cJSON_Duplicate(r, 1))) {
        ws_error_set(err, w->file, 0, path, "rests_on: out of memory");
        return -1;
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
    if (parse_rests_on(w, v, spec, path, err) != 0)
        return -1;
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
        int matched = 0;
        for (int c = 0; c < v->sc.n_classes && !matched; c++)
            matched = match(tw->cls, v->sc.classes[c].name);
        if (!matched) { /* a typo would otherwise tweak nothing and report a saving of 0 */
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
    pthread_cond_t all_done; /* signalled when done reaches n_mine */
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
        if (++p->done == p->n_mine)
            pthread_cond_signal(&p->all_done);
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

static int whatif_threads(const ws_whatif_options *opt, int n_tasks)
{
    long n = opt->threads > 0 ? opt->threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return (int)(n < n_tasks ? n : n_tasks);
}

/* Until every run is done: progress to the caller's callback every 5 s (runs done, jobs simulated,
 * elapsed, ETA from the simulated fraction). It wakes when the last run ends, not on a polling tick, so
 * a short what-if (a sweep point) is not held back. */
static void monitor(pool_t *p, const ws_whatif_options *opt, int threads, int ranks)
{
    double t0 = ws_monotonic_s();
    struct timespec wake;
    clock_gettime(CLOCK_REALTIME, &wake);
    pthread_mutex_lock(&p->mu);
    while (p->done < p->n_mine) {
        wake.tv_sec += 5;
        if (pthread_cond_timedwait(&p->all_done, &p->mu, &wake) != ETIMEDOUT || p->done == p->n_mine ||
            opt->quiet || !opt->progress)
            continue;
        int done = p->done;
        pthread_mutex_unlock(&p->mu);
        double f = 0, t = ws_monotonic_s();
        int64_t jobs = 0;
        pthread_mutex_lock(&p->prog.mu);
        for (int i = 0; i < p->n_mine; i++) {
            f += p->prog.frac[p->mine[i]];
            jobs += p->prog.jobs[p->mine[i]];
        }
        pthread_mutex_unlock(&p->prog.mu);
        f /= p->n_mine;
        ws_whatif_progress pr = {.stage = WS_WHATIF_RUNNING, .done = done, .mine = p->n_mine, .runs = p->n_tasks,
                                 .replicas = p->w->replicas, .variants = p->w->n, .threads = threads, .ranks = ranks,
                                 .jobs = jobs, .elapsed_s = t - t0, .eta_s = f > 0 ? (t - t0) * (1 - f) / f : NAN};
        opt->progress(opt->progress_ctx, &pr);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
}

/* ---- over MPI ranks: one farm (ws_mpi_farm_run), runs handed out one at a time to whichever rank is
 * free, costliest variant first; a run's result travels as one buffer. */
typedef struct {
    whatif_t *w;
    pool_t *p;
    variant_t *copies; /* this process's own variants, each parsed when first run (one thread runs tasks) */
    unsigned char *parsed;
    int delivered;
    double t0, last;
} farm_ctx;

/* status | error | metrics row | site rows | attribution cells */
static size_t result_size(const variant_t *v)
{
    return sizeof(int) + sizeof(ws_error) + M_COUNT * sizeof(double) + (size_t)v->sc.n_sites * 4 * sizeof(double) +
           sizeof(ct_table);
}

/* Run k in this thread on a variant parsed for it, and pack what rank 0 needs. */
static void *farm_run(void *ctx, long k, size_t *len)
{
    farm_ctx *f = ctx;
    whatif_t *w = f->w;
    int rep = (int)(k / w->n), vi = (int)(k % w->n);
    variant_t *v = &w->v[vi], *copy = &f->copies[vi];
    ct_table *ct = calloc(1, sizeof *ct);
    char *buf = malloc(result_size(v));
    ws_error err = {0};
    int rc = WS_EFAIL;
    if (!f->parsed[vi]) { /* replicas reuse it: variant_prepare restores what a replica changed */
        memset(copy, 0, sizeof *copy);
        memcpy(copy->tweaks, v->tweaks, sizeof copy->tweaks);
        copy->n_tweaks = v->n_tweaks;
        f->parsed[vi] = ws_scenario_from_json(v->doc, w->file, w->dir, &copy->sc, &err) == 0 && variant_snapshot(copy) == 0
                            ? 1 : 2;
    }
    if (ct && buf && f->parsed[vi] == 1)
        rc = run_task(w, copy, vi, rep, f->p->opt->out_dir, ct, NULL, &err);
    if (buf) {
        size_t nsr = (size_t)v->sc.n_sites * 4, o = 0;
        memcpy(buf + o, &rc, sizeof rc), o += sizeof rc;
        memcpy(buf + o, &err, sizeof err), o += sizeof err;
        memcpy(buf + o, &v->rows[rep * M_COUNT], M_COUNT * sizeof(double)), o += M_COUNT * sizeof(double);
        memcpy(buf + o, &v->site_rows[(size_t)rep * nsr], nsr * sizeof(double)), o += nsr * sizeof(double);
        if (ct)
            memcpy(buf + o, ct, sizeof *ct);
        else
            memset(buf + o, 0, sizeof(ct_table));
        *len = result_size(v);
    }
    free(ct);
    return buf;
}

/* On rank 0's main thread: unpack run k's result into its slots; a progress line every 5 s. */
static int farm_deliver(void *ctx, long k, void *buf, size_t len)
{
    farm_ctx *f = ctx;
    whatif_t *w = f->w;
    pool_t *p = f->p;
    int rep = (int)(k / w->n);
    variant_t *v = &w->v[k % w->n];
    size_t nsr = (size_t)v->sc.n_sites * 4, o = 0;
    if (len != result_size(v)) {
        free(buf);
        return -1;
    }
    const char *b = buf;
    memcpy(&p->rc[k], b + o, sizeof p->rc[k]), o += sizeof p->rc[k];
    memcpy(&p->err[k], b + o, sizeof p->err[k]), o += sizeof p->err[k];
    memcpy(&v->rows[rep * M_COUNT], b + o, M_COUNT * sizeof(double)), o += M_COUNT * sizeof(double);
    memcpy(&v->site_rows[(size_t)rep * nsr], b + o, nsr * sizeof(double)), o += nsr * sizeof(double);
    memcpy(&p->ct[k], b + o, sizeof p->ct[k]);
    free(buf);
    f->delivered++;
    double t = ws_monotonic_s();
    const ws_whatif_options *opt = p->opt;
    if (!opt->quiet && opt->progress && t - f->last >= 5.0 && f->delivered < p->n_tasks) {
        f->last = t;
        double frac = (double)f->delivered / p->n_tasks;
        ws_whatif_progress pr = {.stage = WS_WHATIF_RUNNING, .done = f->delivered, .mine = p->n_tasks,
                                 .runs = p->n_tasks, .replicas = w->replicas, .variants = w->n, .threads = 1,
                                 .ranks = ws_mpi_size(), .jobs = 0, .elapsed_s = t - f->t0,
                                 .eta_s = (t - f->t0) * (1 - frac) / frac};
        for (long j = 0; j < p->n_tasks; j++)
            if (p->rc[j] == WS_OK)
                pr.jobs += (int64_t)w->v[j % w->n].rows[(j / w->n) * M_COUNT + M_JOBS];
        opt->progress(opt->progress_ctx, &pr);
    }
    return 0;
}

/* Every run over the ranks; rank 0 ends with every result in its slots. Returns 0 or -1 (every rank). */
static int farm_runs(whatif_t *w, pool_t *p)
{
    farm_ctx f = {.w = w, .p = p, .t0 = ws_monotonic_s()};
    f.last = f.t0;
    f.copies = calloc((size_t)w->n, sizeof *f.copies);
    f.parsed = calloc((size_t)w->n, 1);
    /* every replica of a variant costs about the same: the variants in turn, replica by replica */
    ws_mpi_farm farm = {.n_tasks = p->n_tasks, .order = NULL, .run = farm_run, .deliver = farm_deliver, .ctx = &f};
    for (int k = 0; k < p->n_tasks; k++)
        p->rc[k] = WS_EFAIL; /* a run never delivered fails */
    int rc = f.copies && f.parsed ? ws_mpi_farm_run(&farm, NULL) : -1;
    for (int vi = 0; f.parsed && vi < w->n; vi++)
        if (f.parsed[vi])
            variant_free(&f.copies[vi]);
    free(f.copies);
    free(f.parsed);
    return rc;
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
    for (int k = 0; p.mine && k < p.n_tasks && ranks == 1; k++)
        p.mine[p.n_mine++] = k;
    int nt = whatif_threads(opt, p.n_mine > 0 ? p.n_mine : 1), started = 0, rc = WS_OK;
    pthread_t *th = calloc((size_t)nt, sizeof *th);
    if (!p.rc || !p.err || !p.ct || !p.prog.frac || !p.prog.jobs || !p.mine || !th ||
        pthread_mutex_init(&p.mu, NULL) != 0 || pthread_mutex_init(&p.prog.mu, NULL) != 0 ||
        pthread_cond_init(&p.all_done, NULL) != 0) {
        free(p.rc), free(p.err), free(p.ct), free(p.prog.frac), free(p.prog.jobs), free(p.mine), free(th);
        return WS_EFAIL;
    }
    if (ranks > 1) { /* over MPI ranks: one run at a time per rank, rank 0 scheduling and computing */
        started = 1;
        if (farm_runs(w, &p) != 0)
            rc = WS_EFAIL;
    } else {
        for (; started < nt; started++)
            if (pthread_create(&th[started], NULL, worker, &p) != 0)
                break;
        if (started == 0)
            worker(&p); /* no thread could be made: run them here */
        else
            monitor(&p, opt, started, ranks);
        for (int i = 0; i < started; i++)
            pthread_join(th[i], NULL);
    }
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
    if (!opt->quiet && opt->progress && rank == 0) {
        ws_whatif_progress pr = {.stage = WS_WHATIF_FINISHED, .done = p.n_mine, .mine = p.n_mine, .runs = p.n_tasks,
                                 .replicas = w->replicas, .variants = w->n, .threads = started ? started : 1,
                                 .ranks = ranks, .eta_s = 0};
        opt->progress(opt->progress_ctx, &pr);
    }
    pthread_mutex_destroy(&p.mu);
    pthread_mutex_destroy(&p.prog.mu);
    pthread_cond_destroy(&p.all_done);
    free(p.mine);
    free(p.prog.frac);
    free(p.prog.jobs);
    free(p.rc);
    free(p.err);
    free(p.ct);
    free(th);
    return rc;
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
        ws_whatif_assume(w, "per-day figures are measured from day %g to day %g of the simulation (a warm-up before, arrivals "
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
        ws_whatif_assume(w, "embodied carbon per node and a %.3g-year lifetime as the scenario states (%s); SCI amortises it "
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
    char factor[64], target[64];
    ws_fmt_sig(w->scale_factor, 6, factor, sizeof factor);
    ws_fmt_value(w->target_jobs_per_day, WS_Q_COUNT, target, sizeof target);
    ws_whatif_assume(w, "per-day figures are the simulated ones scaled by %s to %s jobs a day: energy, CO2 and cost are "
              "taken to grow linearly with the number of jobs at the same utilisation", factor, target);
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
        ws_whatif_tweak_inputs(w);
        if (rc == WS_OK)
            rc = run_all(w, opt, err);
        if (rc == WS_OK && (!opt->over_ranks || ws_mpi_rank() == 0)) { /* other ranks only ran their share */
            fix_scale(w);
            cJSON *base = baseline_json(doc);
            *report = ws_whatif_assemble(w, base, sha256);
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

