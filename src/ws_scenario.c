/* ws_scenario: see ws_scenario.h. Parsing is a set of small readers, one per JSON object, each taking
 * the JSON path of its object so that every message names where the problem is. */
#include "ws_scenario.h"
#include "ws_sim.h"

#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ws_dcsim.h"
#include "ws_offload.h"
#include "ws_json.h"
#include "ws_trace.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

typedef struct {
    const char *file;
    const char *dir;
    ws_scenario *sc;
    ws_error *err;
} ctx_t;

static const char *const QUEUE_NAMES[] = {"fifo", "easy-backfill", "sjf"};
static const char *const PLACE_NAMES[] = {"first-fit", "best-fit", "spread"};
static const char *const DISPATCH_NAMES[] = {"round-robin", "least-loaded", "greenest", "cheapest", "energy-aware"};
static const char *const FORECAST_NAMES[] = {"perfect", "noisy"};
static const char *const SUBMIT_NAMES[] = {"batch", "htcondor", "slurm"};

const char *ws_queue_policy_name(ws_queue_policy p) { return p < WS_QUEUE_COUNT ? QUEUE_NAMES[p] : "?"; }
const char *ws_place_policy_name(ws_place_policy p) { return p < WS_PLACE_COUNT ? PLACE_NAMES[p] : "?"; }
const char *ws_dispatch_policy_name(ws_dispatch_policy p) { return p < WS_DISPATCH_COUNT ? DISPATCH_NAMES[p] : "?"; }
const char *ws_forecast_name(ws_forecast_kind k) { return k < WS_FORECAST_COUNT ? FORECAST_NAMES[k] : "?"; }
const char *ws_submit_system_name(ws_submit_system k) { return k < WS_SUBMIT_COUNT ? SUBMIT_NAMES[k] : "?"; }

static int fail(ctx_t *c, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(ctx_t *c, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ws_error_set(c->err, c->file, 0, path, "%s", msg);
    return -1;
}

/* path + "." + key, or path + "[i]" */
static const char *sub(char *buf, size_t size, const char *path, const char *key)
{
    if (snprintf(buf, size, "%s%s%s", path, *path ? "." : "", key) >= (int)size)
        buf[size - 1] = 0;
    return buf;
}
static const char *idx(char *buf, size_t size, const char *path, int i)
{
    if (snprintf(buf, size, "%s[%d]", path, i) >= (int)size)
        buf[size - 1] = 0;
    return buf;
}

static void resolve(const ctx_t *c, const char *rel, char *out, size_t size)
{
    int n;
    if (rel[0] == '/' || !c->dir || !c->dir[0])
        n = snprintf(out, size, "%s", rel);
    else
        n = snprintf(out, size, "%s/%s", c->dir, rel);
    if (n >= (int)size)
        out[size - 1] = 0;
}

/* Unknown keys are errors (a typo would otherwise silently fall back to a default); keys starting
 * with '_' or named "comment" are free text. */
static int check_keys(ctx_t *c, const cJSON *o, const char *path, const char *const *known)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, o)
    {
        const char *k = it->string;
        if (k[0] == '_' || strcmp(k, "comment") == 0)
            continue;
        int ok = 0;
        for (const char *const *n = known; *n && !ok; n++)
            ok = strcmp(*n, k) == 0;
        if (!ok) {
            char p[256];
            return fail(c, sub(p, sizeof p, path, k), "unknown key");
        }
    }
    return 0;
}

/* A number in [lo, hi] (NAN bounds are open); absent -> dflt unless required. */
static int get_number(ctx_t *c, const cJSON *o, const char *path, const char *key, int required, double lo,
                      int lo_open, double hi, double dflt, double *out)
{
    char p[256];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    sub(p, sizeof p, path, key);
    if (!v) {
        if (required)
            return fail(c, p, "missing");
        *out = dflt;
        return 0;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return fail(c, p, "must be a number");
    double x = v->valuedouble;
    if (lo_open ? !(x > lo) : !(x >= lo))
        return fail(c, p, "must be %s %g", lo_open ? ">" : ">=", lo);
    if (x > hi)
        return fail(c, p, "must be <= %g", hi);
    *out = x;
    return 0;
}

static int get_int(ctx_t *c, const cJSON *o, const char *path, const char *key, int required, int lo, int dflt, int *out)
{
    double x = dflt;
    if (get_number(c, o, path, key, required, lo, 0, INT_MAX / 2, dflt, &x) != 0) {
        if (lo == 1 && strstr(c->err->message, ">= 1"))
            snprintf(c->err->message, sizeof c->err->message, "must be > 0");
        return -1;
    }
    if (x != floor(x)) {
        char p[256];
        return fail(c, sub(p, sizeof p, path, key), "must be a whole number");
    }
    *out = (int)x;
    return 0;
}

static int get_string(ctx_t *c, const cJSON *o, const char *path, const char *key, int required, char *out, size_t size)
{
    char p[256];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    sub(p, sizeof p, path, key);
    if (!v) {
        if (required)
            return fail(c, p, "missing");
        return 0;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return fail(c, p, "must be a non-empty string");
    if (ws_strlcpy(out, v->valuestring, size) != 0)
        return fail(c, p, "too long (at most %zu characters)", size - 1);
    return 0;
}

static int parse_enum(ctx_t *c, const cJSON *o, const char *path, const char *key, const char *const *names, int n,
                      int *out)
{
    char buf[64] = "", p[256];
    if (get_string(c, o, path, key, 0, buf, sizeof buf) != 0)
        return -1;
    if (!buf[0])
        return 0;
    for (int i = 0; i < n; i++)
        if (strcmp(buf, names[i]) == 0) {
            *out = i;
            return 0;
        }
    char list[256] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", names[i]);
    return fail(c, sub(p, sizeof p, path, key), "'%s' is not one of %s", buf, list);
}

/* ---- series ---- */

static ws_series *new_series(ctx_t *c)
{
    ws_scenario *sc = c->sc;
    ws_series **ns = realloc(sc->series, (size_t)(sc->n_series + 1) * sizeof *ns);
    if (!ns)
        return NULL;
    sc->series = ns;
    ws_series *s = calloc(1, sizeof *s);
    if (s)
        sc->series[sc->n_series++] = s;
    return s;
}

static const ws_series *const_series(ctx_t *c, double v)
{
    ws_series *s = new_series(c);
    if (s)
        ws_series_set_const(s, v);
    return s;
}

static const ws_series *csv_series(ctx_t *c, const char *rel, const char *column, const char *path)
{
    char full[1024];
    resolve(c, rel, full, sizeof full);
    for (int i = 0; i < c->sc->n_series; i++)
        if (c->sc->series[i]->kind == WS_SERIES_TABLE && strcmp(c->sc->series[i]->source, full) == 0 &&
            strcmp(c->sc->series[i]->column, column) == 0)
            return c->sc->series[i];
    ws_series *s = new_series(c);
    if (!s) {
        fail(c, path, "out of memory");
        return NULL;
    }
    ws_error e;
    if (ws_series_load_csv_column(s, full, column, &e) != 0) {
        /* "SCENARIO: sites[0].carbon_csv: CSV:LINE: message" */
        if (e.line > 0)
            fail(c, path, "%s:%ld: %s%s%s", full, e.line, e.field, e.field[0] ? ": " : "", e.message);
        else
            fail(c, path, "%s: %s", full, e.message);
        return NULL;
    }
    return s;
}

static const ws_series *pattern_series(ctx_t *c, const cJSON *arr, ws_series_kind kind, const char *path, double lo)
{
    int n = kind == WS_SERIES_MONTHLY ? 12 : 24;
    double v[24];
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != n) {
        fail(c, path, "must be an array of %d numbers", n);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        const cJSON *x = cJSON_GetArrayItem(arr, i);
        char p[256];
        if (!cJSON_IsNumber(x) || !(x->valuedouble >= lo) || !isfinite(x->valuedouble)) {
            fail(c, idx(p, sizeof p, path, i), "must be a number >= %g", lo);
            return NULL;
        }
        v[i] = x->valuedouble;
    }
    ws_series *s = new_series(c);
    if (s)
        ws_series_set_pattern(s, kind, v);
    return s;
}

/* "pue": 1.2 | {"monthly": [12]} | {"hourly": [24]} | {"csv": "file.csv"} */
static const ws_series *parse_pue(ctx_t *c, const cJSON *v, const char *path)
{
    char p[256];
    if (!v)
        return const_series(c, 1.0);
    if (cJSON_IsNumber(v)) {
        if (!(v->valuedouble >= 1.0) || !isfinite(v->valuedouble)) {
            fail(c, path, "must be >= 1");
            return NULL;
        }
        return const_series(c, v->valuedouble);
    }
    if (cJSON_IsObject(v)) {
        static const char *const known[] = {"monthly", "hourly", "csv", NULL};
        if (check_keys(c, v, path, known) != 0)
            return NULL;
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(v, "monthly");
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(v, "hourly");
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, "csv");
        if (!!m + !!h + !!f != 1) {
            fail(c, path, "give exactly one of monthly, hourly, csv");
            return NULL;
        }
        if (m)
            return pattern_series(c, m, WS_SERIES_MONTHLY, sub(p, sizeof p, path, "monthly"), 1.0);
        if (h)
            return pattern_series(c, h, WS_SERIES_HOURLY, sub(p, sizeof p, path, "hourly"), 1.0);
        if (cJSON_IsString(f))
            return csv_series(c, f->valuestring, "", sub(p, sizeof p, path, "csv"));
    }
    fail(c, path, "must be a number >= 1, or {\"monthly\": [12]}, {\"hourly\": [24]}, {\"csv\": FILE}");
    return NULL;
}

/* A constant (key_const) or a CSV series (key_csv); required -> one of them must be present. */
static int parse_value_series(ctx_t *c, const cJSON *o, const char *path, const char *key_const, const char *key_csv,
                              int required, const ws_series **out)
{
    char p[256];
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, key_const);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, key_csv);
    *out = NULL;
    if (k && f)
        return fail(c, sub(p, sizeof p, path, key_csv), "give %s or %s, not both", key_const, key_csv);
    if (!k && !f)
        return required ? fail(c, sub(p, sizeof p, path, key_const), "missing (or give %s)", key_csv) : 0;
    if (k) {
        double v;
        if (get_number(c, o, path, key_const, 1, 0, 0, INFINITY, 0, &v) != 0)
            return -1;
        *out = const_series(c, v);
    } else if (cJSON_IsObject(f)) { /* {"file": F, "column": "Carbon Intensity gCO2eq/kWh (LCA)"} */
        static const char *const known[] = {"file", "column", NULL};
        char rel[1024], column[128] = "";
        sub(p, sizeof p, path, key_csv);
        if (check_keys(c, f, p, known) || get_string(c, f, p, "file", 1, rel, sizeof rel) ||
            get_string(c, f, p, "column", 0, column, sizeof column))
            return -1;
        *out = csv_series(c, rel, column, p);
    } else {
        char rel[1024];
        if (get_string(c, o, path, key_csv, 1, rel, sizeof rel) != 0)
            return -1;
        *out = csv_series(c, rel, "", sub(p, sizeof p, path, key_csv));
    }
    return *out ? 0 : -1;
}

/* ---- sites ---- */

static int parse_power(ctx_t *c, const cJSON *v, const char *path, ws_power_model *m)
{
    if (!cJSON_IsObject(v))
        return fail(c, path, "must be an object: {\"model\": \"linear\", \"idle_w\": .., \"max_w\": ..} or {\"file\": \"models/x.json\"}");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(v, "file");
    if (file) {
        char full[1024], p[256];
        if (!cJSON_IsString(file))
            return fail(c, sub(p, sizeof p, path, "file"), "must be a string");
        resolve(c, file->valuestring, full, sizeof full);
        ws_error e;
        if (ws_model_load(full, m, &e) != 0) {
            char msg[700];
            snprintf(msg, sizeof msg, "%s%s%s", e.field[0] ? e.field : "", e.field[0] ? ": " : "", e.message);
            return fail(c, sub(p, sizeof p, path, "file"), "%s: %s", full, msg);
        }
        return 0;
    }
    return ws_model_from_json(v, m, c->file, path, c->err);
}

static int parse_group(ctx_t *c, const cJSON *o, const char *path, ws_node_group *g)
{
    static const char *const known[] = {"type",  "count",      "cores",         "gpus", "hs23_per_core",
                                        "power", "host_power", "gpu_jobs_only", NULL};
    char p[256];
    if (!cJSON_IsObject(o))
        return fail(c, path, "must be an object");
    if (check_keys(c, o, path, known) || get_string(c, o, path, "type", 1, g->type, sizeof g->type) ||
        get_int(c, o, path, "count", 1, 1, 0, &g->count) || get_int(c, o, path, "cores", 1, 1, 0, &g->cores) ||
        get_int(c, o, path, "gpus", 0, 0, 0, &g->gpus) ||
        get_number(c, o, path, "hs23_per_core", 0, 0, 1, 1e4, 0, &g->hs23_per_core))
        return -1;
    const cJSON *only = cJSON_GetObjectItemCaseSensitive(o, "gpu_jobs_only");
    if (only && (!cJSON_IsBool(only) || (cJSON_IsTrue(only) && g->gpus == 0)))
        return fail(c, sub(p, sizeof p, path, "gpu_jobs_only"), "must be true or false (true only for GPU nodes)");
    g->gpu_jobs_only = cJSON_IsTrue(only);
    const cJSON *pw = cJSON_GetObjectItemCaseSensitive(o, "power");
    if (!pw)
        return fail(c, sub(p, sizeof p, path, "power"), "missing");
    if (parse_power(c, pw, sub(p, sizeof p, path, "power"), &g->power) != 0)
        return -1;
    /* A server model ("hep", as `fit --family server` writes) gives the group its speed when the group does
     * not: the server's HS23 over the group's cores, whatever a "core" is there (a physical core, or a
     * slot per hyperthread); a file with only hs23_per_core gives that. */
    if (g->hs23_per_core == 0)
        g->hs23_per_core = g->power.hep_hs23 > 0 ? g->power.hep_hs23 / g->cores : g->power.hep_hs23_per_core;
    const cJSON *hp = cJSON_GetObjectItemCaseSensitive(o, "host_power");
    if (hp) {
        if (g->gpus == 0)
            return fail(c, sub(p, sizeof p, path, "host_power"), "only for GPU nodes (gpus > 0)");
        g->has_host_power = 1;
        return parse_power(c, hp, sub(p, sizeof p, path, "host_power"), &g->host_power);
    }
    return 0;
}

static int parse_power_down(ctx_t *c, const cJSON *p, const char *parent, ws_power_down *pd);

static int parse_site(ctx_t *c, const cJSON *o, const char *path, ws_site *s)
{
    static const char *const known[] = {"name", "pue", "carbon_g_per_kwh", "carbon_csv", "price_per_kwh", "price_csv",
                                        "nodes", "power_down", NULL};
    char p[256], q[256];
    if (!cJSON_IsObject(o))
        return fail(c, path, "must be an object");
    if (check_keys(c, o, path, known) || get_string(c, o, path, "name", 1, s->name, sizeof s->name))
        return -1;
    /* "power_down": this site's own ({..}) or none (false); else the policy's (site_power_downs) */
    const cJSON *pd = cJSON_GetObjectItemCaseSensitive(o, "power_down");
    s->own_power_down = pd != NULL;
    if (cJSON_IsFalse(pd))
        s->power_down.enabled = 0;
    else if (parse_power_down(c, o, path, &s->power_down) != 0)
        return -1;
    s->pue = parse_pue(c, cJSON_GetObjectItemCaseSensitive(o, "pue"), sub(p, sizeof p, path, "pue"));
    if (!s->pue)
        return -1;
    if (parse_value_series(c, o, path, "carbon_g_per_kwh", "carbon_csv", 1, &s->carbon_g_per_kwh) ||
        parse_value_series(c, o, path, "price_per_kwh", "price_csv", 0, &s->price_per_kwh))
        return -1;
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(o, "nodes");
    sub(p, sizeof p, path, "nodes");
    if (!cJSON_IsArray(nodes) || cJSON_GetArraySize(nodes) == 0)
        return fail(c, p, "must be a non-empty array of node groups");
    s->n_groups = cJSON_GetArraySize(nodes);
    if (s->n_groups > 256) /* each group's models have their own random streams (ws_sim.h, WS_STREAM_MODEL) */
        return fail(c, path, "nodes: at most 256 node groups per site (%d given)", s->n_groups);
    s->groups = calloc((size_t)s->n_groups, sizeof *s->groups);
    if (!s->groups)
        return fail(c, p, "out of memory");
    for (int j = 0; j < s->n_groups; j++)
        if (parse_group(c, cJSON_GetArrayItem(nodes, j), idx(q, sizeof q, p, j), &s->groups[j]) != 0)
            return -1;
    return 0;
}

static int parse_sites(ctx_t *c, const cJSON *root)
{
    const cJSON *sites = cJSON_GetObjectItemCaseSensitive(root, "sites");
    char p[64];
    if (!cJSON_IsArray(sites) || cJSON_GetArraySize(sites) == 0)
        return fail(c, "sites", "must be a non-empty array");
    c->sc->n_sites = cJSON_GetArraySize(sites);
    if (c->sc->n_sites > WS_STREAM_MAX_SITES) /* each site's models have their own random streams */
        return fail(c, "sites", "at most %d sites (%d given)", WS_STREAM_MAX_SITES, c->sc->n_sites);
    c->sc->sites = calloc((size_t)c->sc->n_sites, sizeof *c->sc->sites);
    if (!c->sc->sites)
        return fail(c, "sites", "out of memory");
    for (int i = 0; i < c->sc->n_sites; i++) {
        if (parse_site(c, cJSON_GetArrayItem(sites, i), idx(p, sizeof p, "sites", i), &c->sc->sites[i]) != 0)
            return -1;
        for (int k = 0; k < i; k++)
            if (strcmp(c->sc->sites[k].name, c->sc->sites[i].name) == 0) {
                char q[96];
                return fail(c, sub(q, sizeof q, p, "name"), "'%s' is used by sites[%d] too", c->sc->sites[i].name, k);
            }
    }
    return 0;
}

/* ---- workload ---- */

/* "histogram": {"bins_hs23_s": [b0, .., bn], "counts": [c0, .., c(n-1)]}: an empirical distribution of
 * work (DCSim's fitted histograms are of this kind), drawn by GSL's histogram pdf (uniform in a bin). */
static int parse_work_histogram(ctx_t *c, const cJSON *h, const char *path, ws_runtime_spec *r)
{
    static const char *const known[] = {"bins_hs23_s", "counts", NULL};
    char p[256], q[300];
    if (!cJSON_IsObject(h))
        return fail(c, path, "must be an object {\"bins_hs23_s\": [..], \"counts\": [..]}");
    const cJSON *bins = cJSON_GetObjectItemCaseSensitive(h, "bins_hs23_s"), *counts = cJSON_GetObjectItemCaseSensitive(h, "counts");
    if (check_keys(c, h, path, known))
        return -1;
    int nb = cJSON_GetArraySize(bins), n = nb - 1;
    if (!cJSON_IsArray(bins) || nb < 2 || nb > 100000)
        return fail(c, sub(p, sizeof p, path, "bins_hs23_s"), "must be an array of 2 to 100000 increasing bin edges");
    if (!cJSON_IsArray(counts) || cJSON_GetArraySize(counts) != n)
        return fail(c, sub(p, sizeof p, path, "counts"), "must be an array of %d counts (one per bin)", n);
    gsl_histogram *hist = gsl_histogram_alloc((size_t)n);
    gsl_histogram_pdf *pdf = gsl_histogram_pdf_alloc((size_t)n);
    gsl_histogram_pdf **more = realloc(c->sc->work_pdfs, ((size_t)c->sc->n_work_pdfs + 1) * sizeof *more);
    if (more)
        c->sc->work_pdfs = more;
    int rc = hist && pdf && more ? 0 : fail(c, path, "out of memory");
    const cJSON *e = bins->child, *k = counts->child; /* walked in step: GetArrayItem is a linear search */
    for (int i = 0; rc == 0 && i <= n; i++, e = e->next, k = k ? k->next : NULL) {
        if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) || e->valuedouble < 0 ||
            (i > 0 && !(e->valuedouble > hist->range[i - 1])))
            rc = fail(c, idx(q, sizeof q, sub(p, sizeof p, path, "bins_hs23_s"), i), "must be a number >= 0 above the edge before");
        else
            hist->range[i] = e->valuedouble;
        if (rc == 0 && i < n && (!cJSON_IsNumber(k) || !isfinite(k->valuedouble) || k->valuedouble < 0))
            rc = fail(c, idx(q, sizeof q, sub(p, sizeof p, path, "counts"), i), "must be a number >= 0");
        else if (rc == 0 && i < n)
            hist->bin[i] = k->valuedouble;
    }
    double total = rc == 0 ? gsl_histogram_sum(hist) : 0, sum = 0;
    for (int i = 0; rc == 0 && i < n; i++) /* the mean, uniform within each bin */
        sum += hist->bin[i] * 0.5 * (hist->range[i] + hist->range[i + 1]);
    if (rc == 0 && !(total > 0))
        rc = fail(c, sub(p, sizeof p, path, "counts"), "need at least one count > 0");
    if (rc == 0 && gsl_histogram_pdf_init(pdf, hist) != GSL_SUCCESS)
        rc = fail(c, path, "not a distribution (GSL refused it)");
    gsl_histogram_free(hist);
    if (rc != 0) {
        gsl_histogram_pdf_free(pdf);
        return -1;
    }
    c->sc->work_pdfs[c->sc->n_work_pdfs++] = pdf;
    r->work_pdf = pdf;
    r->work_mean_hs23_s = sum / total;
    return 0;
}

/* {"dist": "hs23_work", "work_hs23_s": W} | {.., "median_hs23_s": M, "sigma": s} | {.., "histogram": {..}} */
static int parse_hs23_work(ctx_t *c, const cJSON *o, const char *path, ws_runtime_spec *r)
{
    char p[256];
    int given = !!cJSON_GetObjectItemCaseSensitive(o, "work_hs23_s") + !!cJSON_GetObjectItemCaseSensitive(o, "median_hs23_s") +
                !!cJSON_GetObjectItemCaseSensitive(o, "histogram");
    r->kind = WS_RUNTIME_HS23_WORK;
    if (given != 1)
        return fail(c, path, "hs23_work needs exactly one of work_hs23_s, median_hs23_s (with sigma) or histogram");
    if (cJSON_GetObjectItemCaseSensitive(o, "work_hs23_s")) {
        r->work_dist = WS_WORK_FIXED;
        if (get_number(c, o, path, "work_hs23_s", 1, 0, 1, INFINITY, 0, &r->work_hs23_s))
            return -1;
        r->work_mean_hs23_s = r->work_hs23_s;
        return 0;
    }
    if (cJSON_GetObjectItemCaseSensitive(o, "median_hs23_s")) {
        r->work_dist = WS_WORK_LOGNORMAL;
        if (get_number(c, o, path, "median_hs23_s", 1, 0, 1, INFINITY, 0, &r->work_hs23_s) ||
            get_number(c, o, path, "sigma", 1, 0, 0, 10, 0, &r->sigma))
            return -1;
        r->work_mean_hs23_s = r->work_hs23_s; /* the median, as lognormal runtimes expect */
        return 0;
    }
    r->work_dist = WS_WORK_HISTOGRAM;
    return parse_work_histogram(c, cJSON_GetObjectItemCaseSensitive(o, "histogram"), sub(p, sizeof p, path, "histogram"), r);
}

static int parse_runtime(ctx_t *c, const cJSON *o, const char *path, ws_runtime_spec *r)
{
    static const char *const known[] = {"dist", "value_s", "median_s", "sigma", "model", "work", "noise", "power_factor",
                                        "work_hs23_s", "median_hs23_s", "histogram", "gpu_hs23", "cpu_efficiency", NULL};
    char dist[32] = "", p[256];
    if (!cJSON_IsObject(o))
        return fail(c, path, "must be an object with \"dist\": fixed, lognormal, job_model or hs23_work");
    if (check_keys(c, o, path, known) || get_string(c, o, path, "dist", 1, dist, sizeof dist) ||
        get_number(c, o, path, "power_factor", 0, 0, 1, 1e6, 1, &r->power_factor))
        return -1;
    if (strcmp(dist, "fixed") == 0) {
        r->kind = WS_RUNTIME_FIXED;
        return get_number(c, o, path, "value_s", 1, 0, 0, INFINITY, 0, &r->fixed_s);
    }
    if (strcmp(dist, "lognormal") == 0) {
        r->kind = WS_RUNTIME_LOGNORMAL;
        return get_number(c, o, path, "median_s", 1, 0, 1, INFINITY, 0, &r->median_s) ||
               get_number(c, o, path, "sigma", 1, 0, 0, 10, 0, &r->sigma);
    }
    int on_gpu = !!cJSON_GetObjectItemCaseSensitive(o, "gpu_hs23") + !!cJSON_GetObjectItemCaseSensitive(o, "cpu_efficiency");
    if (on_gpu && strcmp(dist, "hs23_work") != 0)
        return fail(c, path, "gpu_hs23 and cpu_efficiency are for work in HS23 s (dist hs23_work)");
    if (on_gpu == 1)
        return fail(c, path, "gpu_hs23 and cpu_efficiency go together (work moved to GPUs)");
    if (on_gpu && (get_number(c, o, path, "gpu_hs23", 1, 0, 1, 1e9, 0, &r->gpu_hs23) ||
                   get_number(c, o, path, "cpu_efficiency", 1, 0, 1, 1, 0, &r->cpu_efficiency)))
        return -1;
    if (strcmp(dist, "hs23_work") == 0)
        return parse_hs23_work(c, o, path, r);
    if (strcmp(dist, "job_model") != 0)
        return fail(c, sub(p, sizeof p, path, "dist"), "'%s' is not one of fixed, lognormal, job_model, hs23_work", dist);
    r->kind = WS_RUNTIME_JOB_MODEL;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "model");
    sub(p, sizeof p, path, "model");
    if (cJSON_IsString(m)) {
        char full[1024];
        resolve(c, m->valuestring, full, sizeof full);
        char *text = ws_read_file(full, NULL);
        cJSON *j = text ? cJSON_Parse(text) : NULL;
        free(text);
        int rc = j      ? ws_job_model_from_json(j, &r->job_model, full, c->err)
                 : text ? fail(c, p, "%s: not valid JSON", full)
                        : fail(c, p, "cannot read %s: %s", full, ws_read_file_error());
        cJSON_Delete(j);
        if (rc != 0)
            return -1;
    } else if (cJSON_IsObject(m)) {
        if (ws_job_model_from_json(m, &r->job_model, c->file, c->err) != 0)
            return -1;
    } else {
        return fail(c, p, "must be a job model file name or object");
    }
    const cJSON *noise = cJSON_GetObjectItemCaseSensitive(o, "noise");
    r->noise = cJSON_IsTrue(noise);
    return get_number(c, o, path, "work", 1, 0, 0, INFINITY, 0, &r->work);
}

static int add_runtime(ctx_t *c, ws_job_class *k, const cJSON *o, const char *path, const char *type)
{
    ws_runtime_spec *n = realloc(k->runtimes, (size_t)(k->n_runtimes + 1) * sizeof *n);
    if (!n)
        return fail(c, path, "out of memory");
    k->runtimes = n;
    ws_runtime_spec *r = &k->runtimes[k->n_runtimes++];
    memset(r, 0, sizeof *r);
    r->work_scale = 1;
    ws_strlcpy(r->node_type, type, sizeof r->node_type);
    return parse_runtime(c, o, path, r);
}

static int parse_profile(ctx_t *c, const cJSON *o, const char *path, ws_job_class *k)
{
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(o, "profile");
    char p[256];
    if (!pr)
        return 0;
    sub(p, sizeof p, path, "profile");
    const ws_series *s = pattern_series(c, pr, WS_SERIES_HOURLY, p, 0);
    if (!s)
        return -1;
    double sum = 0;
    for (int h = 0; h < 24; h++)
        sum += s->pattern[h];
    if (!(sum > 0) || !isfinite(sum))
        return fail(c, p, "needs at least one weight > 0, and weights whose sum is finite");
    k->has_profile = 1;
    /* Divide first: weight x 24 could overflow to infinity (an arrival rate of infinity never advances time). */
    for (int h = 0; h < 24; h++)
        k->profile[h] = s->pattern[h] / sum * 24.0;
    return 0;
}

static int parse_class_runtimes(ctx_t *c, const cJSON *o, const char *path, ws_job_class *k)
{
    char p[256], q[320];
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(o, "runtime");
    if (rt && add_runtime(c, k, rt, sub(p, sizeof p, path, "runtime"), "") != 0)
        return -1;
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(o, "runtime_by_type");
    if (by) {
        sub(p, sizeof p, path, "runtime_by_type");
        if (!cJSON_IsObject(by))
            return fail(c, p, "must be an object {\"node type\": {runtime}}");
        const cJSON *it;
        cJSON_ArrayForEach(it, by)
        {
            if (add_runtime(c, k, it, sub(q, sizeof q, p, it->string), it->string) != 0)
                return -1;
        }
    }
    if (k->rate_per_day > 0 && k->n_runtimes == 0)
        return fail(c, sub(p, sizeof p, path, "runtime"), "missing (a class with arrivals needs runtime or runtime_by_type)");
    for (int i = 0; i < k->n_runtimes; i++)
        if (k->runtimes[i].gpu_hs23 > 0 && k->gpus < 1)
            return fail(c, sub(p, sizeof p, path, "gpus"), "must be >= 1 for work that runs on GPUs (gpu_hs23)");
    return 0;
}

/* "shift": {"slack_s": S}: the class is deferrable by up to S seconds. */
static int parse_shift(ctx_t *c, const cJSON *o, const char *path, ws_job_class *k)
{
    static const char *const known[] = {"slack_s", NULL};
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(o, "shift");
    char p[256];
    if (!sh)
        return 0;
    sub(p, sizeof p, path, "shift");
    if (!cJSON_IsObject(sh))
        return fail(c, p, "must be an object {\"slack_s\": S}");
    return check_keys(c, sh, p, known) || get_number(c, sh, p, "slack_s", 1, 0, 1, INFINITY, 0, &k->shift_slack_s);
}

/* "sites": ["CERN-T0", "BNL"]: the only sites that may run the class (a Tier-1 mix at Tier-0/1 sites). */
static int parse_class_sites(ctx_t *c, const cJSON *o, const char *path, ws_job_class *k)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "sites"), *it;
    char p[256], q[300];
    if (!list)
        return 0;
    sub(p, sizeof p, path, "sites");
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
        return fail(c, p, "must be a non-empty array of site names");
    if (!(k->site_ok = calloc((size_t)c->sc->n_sites + 1, 1)))
        return fail(c, p, "out of memory");
    int i = 0;
    cJSON_ArrayForEach(it, list)
    {
        int si = 0;
        while (si < c->sc->n_sites && !(cJSON_IsString(it) && strcmp(c->sc->sites[si].name, it->valuestring) == 0))
            si++;
        if (si == c->sc->n_sites)
            return fail(c, idx(q, sizeof q, p, i), "no site named '%s'", cJSON_IsString(it) ? it->valuestring : "?");
        k->site_ok[si] = 1;
        i++;
    }
    return 0;
}

int ws_class_site_ok(const ws_job_class *k, int si) { return !k->site_ok || k->site_ok[si]; }

static int parse_class(ctx_t *c, const cJSON *o, const char *path, ws_job_class *k)
{
    static const char *const known[] = {"name", "rate_per_day", "profile", "cores", "gpus", "utilisation",
                                        "deadline_s", "runtime", "runtime_by_type", "shift", "sites", NULL};
    char p[256];
    if (!cJSON_IsObject(o))
        return fail(c, path, "must be an object");
    if (check_keys(c, o, path, known) || get_string(c, o, path, "name", 1, k->name, sizeof k->name) ||
        get_number(c, o, path, "rate_per_day", 0, 0, 0, 1e12, 0, &k->rate_per_day) ||
        get_int(c, o, path, "cores", 0, 0, 1, &k->cores) || get_int(c, o, path, "gpus", 0, 0, 0, &k->gpus) ||
        get_number(c, o, path, "utilisation", 0, 0, 0, 1, 1, &k->utilisation) ||
        get_number(c, o, path, "deadline_s", 0, 0, 0, INFINITY, 0, &k->deadline_s) || parse_profile(c, o, path, k) ||
        parse_shift(c, o, path, k) || parse_class_sites(c, o, path, k))
        return -1;
    if (k->cores + k->gpus < 1)
        return fail(c, sub(p, sizeof p, path, "cores"), "a job needs at least one core or GPU");
    return parse_class_runtimes(c, o, path, k);
}

static int class_runnable(const ws_scenario *sc, const ws_job_class *k)
{
    for (int s = 0; s < sc->n_sites; s++)
        for (int g = 0; g < sc->sites[s].n_groups && ws_class_site_ok(k, s); g++) {
            const ws_node_group *grp = &sc->sites[s].groups[g];
            if (ws_class_runtime(k, grp->type) && ws_group_nodes_needed(grp, k->cores, k->gpus) > 0)
                return 1;
        }
    return 0;
}

/* Work in HS23 s needs a speed wherever the class can run, and a CPU efficiency to turn CPU time into
 * wall time: refused here rather than simulated as an infinite or zero runtime. */
static int check_hs23(ctx_t *c, const ws_job_class *k, const char *path)
{
    char p[256];
    for (int i = 0; i < k->n_runtimes; i++) {
        if (k->runtimes[i].kind != WS_RUNTIME_HS23_WORK)
            continue;
        if (!(k->utilisation > 0))
            return fail(c, sub(p, sizeof p, path, "utilisation"), "must be > 0 for work in HS23 s (it is the CPU efficiency)");
        for (int s = 0; s < c->sc->n_sites; s++)
            for (int g = 0; g < c->sc->sites[s].n_groups && ws_class_site_ok(k, s); g++) {
                const ws_node_group *grp = &c->sc->sites[s].groups[g];
                if (ws_class_runtime(k, grp->type) == &k->runtimes[i] && grp->hs23_per_core == 0 &&
                    ws_group_nodes_needed(grp, k->cores, k->gpus) > 0)
                    return fail(c, path,
                                "class '%s' states its work in HS23 s, but sites[%d].nodes[%d] ('%s') has no "
                                "hs23_per_core (give it, or a power file whose \"hep\" says it)",
                                k->name, s, g, grp->type);
            }
    }
    return 0;
}

/* Parse the class objects of cl; the first n_given come from workload.classes, the rest from
 * workload.dcsim (their messages name the class). */
static int parse_class_array(ctx_t *c, const cJSON *cl, int n_given)
{
    char p[200];
    ws_scenario *sc = c->sc;
    sc->n_classes = cJSON_GetArraySize(cl);
    if (sc->n_classes > WS_STREAM_MAX_CLASSES) /* each class has its own random streams */
        return fail(c, "workload.classes", "at most %d classes (%d given)", WS_STREAM_MAX_CLASSES, sc->n_classes);
    sc->classes = calloc((size_t)sc->n_classes + 1, sizeof *sc->classes);
    if (!sc->classes)
        return fail(c, "workload.classes", "out of memory");
    for (int i = 0; i < sc->n_classes; i++) {
        ws_job_class *k = &sc->classes[i];
        const cJSON *o = cJSON_GetArrayItem(cl, i);
        if (i < n_given)
            idx(p, sizeof p, "workload.classes", i);
        else
            snprintf(p, sizeof p, "workload.%s class '%.100s'", cJSON_GetObjectItem(o, "runtime_by_type") ? "offload" : "dcsim",
                     cJSON_GetStringValue(cJSON_GetObjectItem(o, "name")));
        if (parse_class(c, o, p, k) != 0)
            return -1;
        for (int j = 0; j < i; j++)
            if (strcmp(sc->classes[j].name, k->name) == 0)
                return fail(c, p, "name '%s' is used by workload.classes[%d] too", k->name, j);
        if (k->rate_per_day > 0 && !class_runnable(sc, k))
            return fail(c, p, "no node group of any site can run it (%d cores, %d GPUs, runtime for its node types)",
                        k->cores, k->gpus);
        if (check_hs23(c, k, p) != 0)
            return -1;
    }
    return 0;
}

/* "dcsim": [{"file": F, "prefix": "KIT-", "period_days": 12, "scale": 1, "reference_flops_per_s": S,
 * "reference_hs23_per_core": H, "utilisation": u | {"TYPE": u, "default": u}}]: DCSim's job-type
 * histograms as classes (ws_dcsim), appended to all. */
static int add_dcsim_classes(ctx_t *c, const cJSON *w, cJSON *all)
{
    static const char *const known[] = {"file", "prefix", "period_days", "scale", "reference_flops_per_s",
                                        "reference_hs23_per_core", "utilisation", "sites", NULL};
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(w, "dcsim");
    char p[64], rel[1024], full[1024], prefix[WS_NAME_MAX] = "";
    if (!list)
        return 0;
    if (!cJSON_IsArray(list))
        return fail(c, "workload.dcsim", "must be an array of {\"file\": .., ...}");
    for (int i = 0; i < cJSON_GetArraySize(list); i++) {
        const cJSON *o = cJSON_GetArrayItem(list, i);
        idx(p, sizeof p, "workload.dcsim", i);
        ws_dcsim_options d = {0};
        if (!cJSON_IsObject(o))
            return fail(c, p, "must be an object");
        if (check_keys(c, o, p, known) || get_string(c, o, p, "file", 1, rel, sizeof rel) ||
            get_string(c, o, p, "prefix", 0, prefix, sizeof prefix) ||
            get_number(c, o, p, "period_days", 1, 0, 1, 36600, 0, &d.period_days) ||
            get_number(c, o, p, "scale", 0, 0, 1, 1e6, 1, &d.scale) ||
            get_number(c, o, p, "reference_flops_per_s", 1, 0, 1, INFINITY, 0, &d.reference_flops_per_s) ||
            get_number(c, o, p, "reference_hs23_per_core", 1, 0, 1, 1e4, 0, &d.reference_hs23_per_core))
            return -1;
        d.prefix = prefix;
        d.utilisation = cJSON_GetObjectItemCaseSensitive(o, "utilisation");
        d.sites = cJSON_GetObjectItemCaseSensitive(o, "sites");
        resolve(c, rel, full, sizeof full);
        ws_error e;
        cJSON *classes = ws_dcsim_classes(full, &d, &e);
        if (!classes) {
            return fail(c, p, "%.300s: %.100s%s%.300s", e.file, e.field, e.field[0] ? ": " : "", e.message);
        }
        cJSON *k;
        while ((k = cJSON_DetachItemFromArray(classes, 0)))
            cJSON_AddItemToArray(all, k);
        cJSON_Delete(classes);
    }
    return 0;
}

/* The HS23 per core of the host cores of node type t (at the sites a moved class may run at): one value,
 * because a moved class's GPU duty (its utilisation) follows from it. 0 with the error set otherwise. */
static double offload_host_hs23(ctx_t *c, const char *path, const char *t, const cJSON *sites, int gpus)
{
    double h = 0;
    for (int si = 0; si < c->sc->n_sites; si++) {
        const cJSON *it;
        int ok = !sites;
        cJSON_ArrayForEach(it, sites) ok |= cJSON_IsString(it) && strcmp(it->valuestring, c->sc->sites[si].name) == 0;
        for (int gi = 0; ok && gi < c->sc->sites[si].n_groups; gi++) {
            const ws_node_group *g = &c->sc->sites[si].groups[gi];
            if (strcmp(g->type, t) != 0)
                continue;
            if (g->gpus < gpus || !(g->hs23_per_core > 0) || (h > 0 && g->hs23_per_core != h))
                return fail(c, path, "sites[%d].nodes[%d] ('%s') needs >= %d GPUs and an hs23_per_core (the same in every "
                                     "group of this type) for moved work", si, gi, t, gpus), 0;
            h = g->hs23_per_core;
        }
    }
    if (!(h > 0))
        fail(c, path, "no node group of type '%s'%s", t, sites ? " at these sites" : "");
    return h;
}

/* "offload": [{"classes": PATTERN, "fraction": f, "node_type": T, "gpus": 1, "gpu_hs23": G,
 * "cpu_efficiency": u, "sites": [..]}]: a share of those classes moved to GPUs (ws_offload). */
static int add_offload_classes(ctx_t *c, const cJSON *w, cJSON *all)
{
    static const char *const known[] = {"classes", "fraction", "node_type", "gpus", "gpu_hs23", "cpu_efficiency", "sites", NULL};
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(w, "offload");
    char p[64], q[96], pattern[WS_NAME_MAX], type[WS_NAME_MAX];
    if (list && !cJSON_IsArray(list))
        return fail(c, "workload.offload", "must be an array of {\"classes\": .., \"node_type\": .., ...}");
    for (int i = 0; i < cJSON_GetArraySize(list); i++) {
        const cJSON *o = cJSON_GetArrayItem(list, i);
        ws_offload d = {.classes = pattern, .node_type = type};
        idx(p, sizeof p, "workload.offload", i);
        if (!cJSON_IsObject(o))
            return fail(c, p, "must be an object");
        if (check_keys(c, o, p, known) || get_string(c, o, p, "classes", 1, pattern, sizeof pattern) ||
            get_string(c, o, p, "node_type", 1, type, sizeof type) ||
            get_number(c, o, p, "fraction", 1, 0, 1, 1, 0, &d.fraction) || get_int(c, o, p, "gpus", 0, 1, 1, &d.gpus) ||
            get_number(c, o, p, "gpu_hs23", 1, 0, 1, 1e9, 0, &d.gpu_hs23) ||
            get_number(c, o, p, "cpu_efficiency", 0, 0, 1, 1, 0, &d.cpu_efficiency))
            return -1;
        d.sites = cJSON_GetObjectItemCaseSensitive(o, "sites");
        if (d.sites && !cJSON_IsArray(d.sites))
            return fail(c, sub(q, sizeof q, p, "sites"), "must be an array of site names");
        if (!(d.host_hs23_per_core = offload_host_hs23(c, sub(q, sizeof q, p, "node_type"), type, d.sites, d.gpus)))
            return -1;
        ws_error e;
        int n = ws_offload_split(all, &d, &e);
        if (n < 0)
            return fail(c, p, "class '%.100s': %.300s", e.field, e.message);
        if (n == 0)
            return fail(c, sub(q, sizeof q, p, "classes"), "'%s' matches no class with arrivals", pattern);
    }
    return 0;
}

static int parse_classes(ctx_t *c, const cJSON *w)
{
    const cJSON *cl = cJSON_GetObjectItemCaseSensitive(w, "classes");
    if (!cl && !cJSON_GetObjectItemCaseSensitive(w, "dcsim"))
        return 0;
    if (cl && !cJSON_IsArray(cl))
        return fail(c, "workload.classes", "must be an array");
    cJSON *all = cl ? cJSON_Duplicate(cl, 1) : cJSON_CreateArray();
    if (!all)
        return fail(c, "workload.classes", "out of memory");
    int rc = add_dcsim_classes(c, w, all) || add_offload_classes(c, w, all) ||
             parse_class_array(c, all, cl ? cJSON_GetArraySize(cl) : 0);
    cJSON_Delete(all);
    return rc ? -1 : 0;
}

static int parse_workload(ctx_t *c, const cJSON *root)
{
    static const char *const known[] = {"trace", "trace_class", "classes", "dcsim", "offload", NULL};
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(root, "workload");
    ws_scenario *sc = c->sc;
    char rel[1024] = "";
    if (!cJSON_IsObject(w))
        return fail(c, "workload", "must be an object with a trace and/or classes");
    if (check_keys(c, w, "workload", known) || get_string(c, w, "workload", "trace", 0, rel, sizeof rel) ||
        get_string(c, w, "workload", "trace_class", 0, sc->trace_class, sizeof sc->trace_class) || parse_classes(c, w))
        return -1;
    if (rel[0])
        resolve(c, rel, sc->trace, sizeof sc->trace);
    if (sc->trace_class[0] && ws_scenario_find_class(sc, sc->trace_class) < 0)
        return fail(c, "workload.trace_class", "no class named '%s'", sc->trace_class);
    double rate = 0;
    for (int i = 0; i < sc->n_classes; i++)
        rate += sc->classes[i].rate_per_day;
    if (!rel[0] && !(rate > 0))
        return fail(c, "workload", "needs a trace or a class with rate_per_day > 0");
    return 0;
}

/* ---- policy, horizon ---- */

/* "shifting": {"forecast": "perfect"|"noisy", "noise_sigma": 0.1, "step_s": 900} */
static int parse_shifting(ctx_t *c, const cJSON *p, ws_shift_policy *sh)
{
    static const char *const known[] = {"forecast", "noise_sigma", "step_s", NULL};
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(p, "shifting");
    const char *path = "policy.shifting";
    int f = WS_FORECAST_PERFECT;
    if (!o)
        return 0;
    if (!cJSON_IsObject(o))
        return fail(c, path, "must be an object {\"forecast\": \"perfect\"|\"noisy\", \"noise_sigma\": s, \"step_s\": S}");
    if (check_keys(c, o, path, known) || parse_enum(c, o, path, "forecast", FORECAST_NAMES, WS_FORECAST_COUNT, &f) ||
        get_number(c, o, path, "noise_sigma", 0, 0, 0, 10, 0.1, &sh->noise_sigma) ||
        get_number(c, o, path, "step_s", 0, 0, 1, INFINITY, 900, &sh->step_s))
        return -1;
    sh->forecast = (ws_forecast_kind)f;
    if (f == WS_FORECAST_PERFECT && cJSON_GetObjectItemCaseSensitive(o, "noise_sigma"))
        return fail(c, "policy.shifting.noise_sigma", "only with \"forecast\": \"noisy\"");
    if (f == WS_FORECAST_PERFECT)
        sh->noise_sigma = 0;
    sh->enabled = 1;
    return 0;
}

/* "pilot": {"cores": 8, "lifetime_s": 172800, "idle_timeout_s": 1200}, every key required (no default
 * is claimed: sites and VOs choose them). */
static int parse_pilot(ctx_t *c, const cJSON *o, ws_submission *sm)
{
    static const char *const known[] = {"cores", "lifetime_s", "idle_timeout_s", NULL};
    const char *path = "policy.submission.pilot";
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "pilot");
    if (!cJSON_IsObject(p))
        return fail(c, path, "must be an object {\"cores\": n, \"lifetime_s\": s, \"idle_timeout_s\": s}");
    if (check_keys(c, p, path, known) || get_int(c, p, path, "cores", 1, 1, 0, &sm->pilot_cores) ||
        get_number(c, p, path, "lifetime_s", 1, 0, 1, INFINITY, 0, &sm->pilot_lifetime_s) ||
        get_number(c, p, path, "idle_timeout_s", 1, 0, 1, INFINITY, 0, &sm->pilot_idle_timeout_s))
        return -1;
    sm->pilots = 1;
    return 0;
}

static int find_account(const ws_priority *pr, const char *name)
{
    for (int a = 0; a < pr->n_accounts; a++)
        if (strcmp(pr->account[a], name) == 0)
            return a;
    return -1;
}

/* "shares": {"ACCOUNT": share > 0, ...}, normalised to sum 1. */
static int parse_shares(ctx_t *c, const cJSON *o, const char *path, ws_priority *pr)
{
    char p[256];
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(o, "shares"), *it;
    if (!cJSON_IsObject(sh) || !sh->child)
        return fail(c, sub(p, sizeof p, path, "shares"), "must be an object {\"ACCOUNT\": share, ...} with at least one account");
    double sum = 0;
    cJSON_ArrayForEach(it, sh)
    {
        sub(p, sizeof p, path, "shares");
        if (pr->n_accounts == WS_MAX_ACCOUNTS)
            return fail(c, p, "at most %d accounts", WS_MAX_ACCOUNTS);
        int a = pr->n_accounts;
        if (find_account(pr, it->string) >= 0)
            return fail(c, p, "account '%.100s' given twice", it->string);
        if (get_number(c, sh, p, it->string, 1, 0, 1, 1e12, 0, &pr->share[a]) != 0)
            return -1;
        if (ws_strlcpy(pr->account[a], it->string, sizeof pr->account[a]) != 0 || !it->string[0])
            return fail(c, p, "'%.100s': an account name has 1 to %d characters", it->string, WS_NAME_MAX - 1);
        sum += pr->share[a];
        pr->n_accounts++;
    }
    for (int a = 0; a < pr->n_accounts; a++)
        pr->share[a] /= sum;
    return 0;
}

static const char *class_name_at(const ws_scenario *sc, int k) { return k < sc->n_classes ? sc->classes[k].name : "trace"; }

/* The first member of map (file order) whose name, an fnmatch pattern, matches name; NULL: none. */
static const cJSON *first_match(const cJSON *map, const char *name)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, map)
    {
        if (fnmatch(it->string, name, 0) == 0)
            return it;
    }
    return NULL;
}

/* "accounts": {"PATTERN": "ACCOUNT", ...}: each class (and "trace", for trace jobs without a class) gets the
 * account of the first pattern (fnmatch, file order) matching its name. Without it there must be one account. */
static int parse_accounts(ctx_t *c, const cJSON *o, const char *path, ws_priority *pr)
{
    char p[256];
    const ws_scenario *sc = c->sc;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "accounts"), *it;
    sub(p, sizeof p, path, "accounts");
    if (!m) {
        if (pr->n_accounts > 1)
            return fail(c, p, "missing: with more than one account in shares, say which classes are in which");
        return 0; /* class_account is all 0 */
    }
    if (!cJSON_IsObject(m))
        return fail(c, p, "must be an object {\"CLASS PATTERN\": \"ACCOUNT\", ...}");
    cJSON_ArrayForEach(it, m)
        if (!cJSON_IsString(it) || find_account(pr, it->valuestring) < 0) {
            char q[320];
            return fail(c, sub(q, sizeof q, p, it->string), "must name an account of %s.shares", path);
        }
    for (int k = 0; k <= sc->n_classes; k++) {
        const cJSON *hit = first_match(m, class_name_at(sc, k));
        int a = hit ? find_account(pr, hit->valuestring) : -1;
        if (a < 0 && k == sc->n_classes)
            a = 0; /* no trace jobs without a class need not be mapped */
        if (a < 0)
            return fail(c, p, "class '%s' matches no pattern (add \"*\" last for the rest)", class_name_at(sc, k));
        pr->class_account[k] = a;
    }
    return 0;
}

/* "qos": {"PATTERN": factor in [0, 1], ...}: the normalised QOS factor of the classes matching it (first
 * match wins); 0 for the others. */
static int parse_qos(ctx_t *c, const cJSON *o, const char *path, ws_priority *pr)
{
    char p[256];
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "qos"), *it;
    sub(p, sizeof p, path, "qos");
    if (!m)
        return 0;
    if (!cJSON_IsObject(m))
        return fail(c, p, "must be an object {\"CLASS PATTERN\": factor in [0, 1], ...}");
    double x;
    cJSON_ArrayForEach(it, m)
        if (get_number(c, m, p, it->string, 1, 0, 0, 1, 0, &x) != 0)
            return -1;
    for (int k = 0; k <= c->sc->n_classes; k++) {
        const cJSON *hit = first_match(m, class_name_at(c->sc, k));
        pr->class_qos[k] = hit ? hit->valuedouble : 0;
    }
    return 0;
}

/* "priority": Slurm's multifactor plugin (see ws_priority). Defaults are Slurm's: weights 0
 * (PriorityWeight*), PriorityMaxAge 7-0, PriorityDecayHalfLife 7-0, PriorityCalcPeriod 5 min. */
static int parse_priority(ctx_t *c, const cJSON *o, ws_priority *pr)
{
    static const char *const known[] = {"weight_age", "weight_fairshare", "weight_qos", "max_age_s", "decay_half_life_s",
                                        "calc_period_s", "shares", "accounts", "qos", NULL};
    const char *path = "policy.submission.priority";
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "priority");
    const double wmax = 4294967295.0; /* Slurm's weights are 32-bit */
    if (!cJSON_IsObject(p))
        return fail(c, path, "must be an object {\"weight_age\": w, \"weight_fairshare\": w, \"shares\": {...}, ...}");
    if (check_keys(c, p, path, known) || get_number(c, p, path, "weight_age", 0, 0, 0, wmax, 0, &pr->weight_age) ||
        get_number(c, p, path, "weight_fairshare", 0, 0, 0, wmax, 0, &pr->weight_fairshare) ||
        get_number(c, p, path, "weight_qos", 0, 0, 0, wmax, 0, &pr->weight_qos) ||
        get_number(c, p, path, "max_age_s", 0, 0, 1, INFINITY, 7 * 86400.0, &pr->max_age_s) ||
        get_number(c, p, path, "decay_half_life_s", 0, 0, 1, INFINITY, 7 * 86400.0, &pr->decay_half_life_s) ||
        get_number(c, p, path, "calc_period_s", 0, 0, 1, 86400, 300, &pr->calc_period_s) ||
        parse_shares(c, p, path, pr))
        return -1;
    size_t n = (size_t)c->sc->n_classes + 1;
    pr->class_account = calloc(n, sizeof *pr->class_account);
    pr->class_qos = calloc(n, sizeof *pr->class_qos);
    if (!pr->class_account || !pr->class_qos)
        return fail(c, path, "out of memory");
    pr->enabled = 1;
    return parse_accounts(c, p, path, pr) || parse_qos(c, p, path, pr) ? -1 : 0;
}

/* "submission": {"system": "batch"} | {"system": "htcondor", "negotiation_interval_s": 60, "pilot": {...}}
 *             | {"system": "slurm", "backfill_interval_s": 30, "priority": {...}} */
static int parse_submission(ctx_t *c, const cJSON *p, ws_policy *pol)
{
    static const char *const known[] = {"system", "negotiation_interval_s", "backfill_interval_s", "pilot", "priority", NULL};
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(p, "submission");
    const char *path = "policy.submission";
    int k = WS_SUBMIT_BATCH;
    ws_submission *sm = &pol->submission;
    if (!o)
        return 0;
    if (!cJSON_IsObject(o))
        return fail(c, path, "must be an object {\"system\": \"batch\"|\"htcondor\"|\"slurm\", ...}");
    if (check_keys(c, o, path, known) || parse_enum(c, o, path, "system", SUBMIT_NAMES, WS_SUBMIT_COUNT, &k))
        return -1;
    sm->system = (ws_submit_system)k;
    const char *key = k == WS_SUBMIT_HTCONDOR ? "negotiation_interval_s" : "backfill_interval_s";
    static const char *const intervals[] = {"negotiation_interval_s", "backfill_interval_s"};
    char q[128];
    for (int i = 0; i < 2; i++)
        if (cJSON_GetObjectItemCaseSensitive(o, intervals[i]) && (k == WS_SUBMIT_BATCH || strcmp(intervals[i], key) != 0))
            return fail(c, sub(q, sizeof q, path, intervals[i]), "not for the %s system", SUBMIT_NAMES[k]);
    /* defaults: HTCondor's NEGOTIATOR_INTERVAL 60 s, Slurm's bf_interval 30 s (their manuals) */
    if (k != WS_SUBMIT_BATCH &&
        get_number(c, o, path, key, 0, 0, 1, 86400, k == WS_SUBMIT_HTCONDOR ? 60 : 30, &sm->cycle_s))
        return -1;
    if (k == WS_SUBMIT_SLURM && pol->queue != WS_QUEUE_EASY_BACKFILL)
        return fail(c, sub(q, sizeof q, path, "system"), "slurm's backfill scheduler needs \"queue\": \"easy-backfill\"");
    if (cJSON_GetObjectItemCaseSensitive(o, "priority")) {
        if (k != WS_SUBMIT_SLURM)
            return fail(c, sub(q, sizeof q, path, "priority"), "only for the slurm system");
        return parse_priority(c, o, &sm->priority);
    }
    if (cJSON_GetObjectItemCaseSensitive(o, "pilot")) {
        if (k != WS_SUBMIT_HTCONDOR)
            return fail(c, sub(q, sizeof q, path, "pilot"), "only for the htcondor system");
        return parse_pilot(c, o, sm);
    }
    return 0;
}

/* "power_down": {"after_s": N, "off_w": W, "wake_s": L, "wake_w": P} */
static int parse_power_down(ctx_t *c, const cJSON *p, const char *parent, ws_power_down *pd)
{
    static const char *const known[] = {"after_s", "off_w", "wake_s", "wake_w", NULL};
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(p, "power_down");
    char path[128];
    sub(path, sizeof path, parent, "power_down");
    if (!o)
        return 0;
    if (!cJSON_IsObject(o))
        return fail(c, path, "must be an object {\"after_s\": N, \"off_w\": W, \"wake_s\": L, \"wake_w\": P}");
    if (check_keys(c, o, path, known) || get_number(c, o, path, "after_s", 1, 0, 0, INFINITY, 0, &pd->after_s) ||
        get_number(c, o, path, "off_w", 0, 0, 0, INFINITY, 0, &pd->off_w) ||
        get_number(c, o, path, "wake_s", 0, 0, 0, INFINITY, 0, &pd->wake_s) ||
        get_number(c, o, path, "wake_w", 0, 0, 0, INFINITY, 0, &pd->wake_w))
        return -1;
    pd->enabled = 1;
    return 0;
}

static int check_cheapest(ctx_t *c)
{
    for (int i = 0; i < c->sc->n_sites; i++)
        if (c->sc->sites[i].price_per_kwh)
            return 0;
    return fail(c, "policy.dispatch", "cheapest needs a price (price_per_kwh or price_csv) on at least one site");
}

static int parse_policy(ctx_t *c, const cJSON *root)
{
    static const char *const known[] = {"queue", "placement", "dispatch", "submit_overhead_s", "backfill_depth",
                                        "shifting", "power_down", "submission", NULL};
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "policy");
    ws_policy *pol = &c->sc->policy;
    int q = 0, pl = 0, d = 0;
    pol->backfill_depth = INT_MAX / 2;
    if (!p)
        return 0;
    if (!cJSON_IsObject(p))
        return fail(c, "policy", "must be an object");
    if (check_keys(c, p, "policy", known) || parse_enum(c, p, "policy", "queue", QUEUE_NAMES, WS_QUEUE_COUNT, &q) ||
        parse_enum(c, p, "policy", "placement", PLACE_NAMES, WS_PLACE_COUNT, &pl) ||
        parse_enum(c, p, "policy", "dispatch", DISPATCH_NAMES, WS_DISPATCH_COUNT, &d) ||
        get_number(c, p, "policy", "submit_overhead_s", 0, 0, 0, INFINITY, 0, &pol->submit_overhead_s) ||
        get_int(c, p, "policy", "backfill_depth", 0, 1, INT_MAX / 2, &pol->backfill_depth) ||
        parse_shifting(c, p, &pol->shifting) || parse_power_down(c, p, "policy", &pol->power_down))
        return -1;
    pol->queue = (ws_queue_policy)q;
    pol->placement = (ws_place_policy)pl;
    pol->dispatch = (ws_dispatch_policy)d;
    if (parse_submission(c, p, pol) != 0)
        return -1;
    for (int i = 0; i < c->sc->n_sites; i++) /* sites without their own take the policy's */
        if (!c->sc->sites[i].own_power_down)
            c->sc->sites[i].power_down = pol->power_down;
    if (pol->dispatch == WS_DISPATCH_CHEAPEST)
        return check_cheapest(c);
    return 0;
}

/* horizon.start "trace": the SWF header's UnixStartTime (a CSV trace has no clock). */
static int start_at_trace(ctx_t *c)
{
    ws_scenario *sc = c->sc;
    if (!sc->trace[0])
        return fail(c, "horizon.start", "\"trace\" needs a workload.trace");
    ws_trace t;
    ws_trace_job j;
    ws_error e;
    if (ws_trace_open(&t, sc->trace, &e) != 0)
        return fail(c, "horizon.start", "%s: %s", sc->trace, e.message);
    int r = ws_trace_next(&t, &j, &e);
    double u = t.unix_start_s;
    ws_trace_close(&t);
    if (r < 0)
        return fail(c, "horizon.start", "%s:%ld: %s", sc->trace, e.line, e.message);
    if (!isfinite(u))
        return fail(c, "horizon.start", "%s has no '; UnixStartTime:' header line: give the start as an ISO-8601 time",
                    sc->trace);
    sc->start_unix_s = u;
    return 0;
}

/* A CSV series' span: from its first row to one step past its last (the last row's value holds for
 * as long as the step before it). */
static void series_span(const ws_series *s, double *from, double *to)
{
    *from = s->t_unix_s[0];
    double step = s->n > 1 ? s->t_unix_s[s->n - 1] - s->t_unix_s[s->n - 2] : 3600.0;
    *to = s->t_unix_s[s->n - 1] + step;
}

/* The horizon must lie inside every CSV series (horizon.series_outside says otherwise). */
static int check_series_cover(ctx_t *c, const ws_series *s, const char *path)
{
    ws_scenario *sc = c->sc;
    if (!s || s->kind != WS_SERIES_TABLE || sc->series_outside == WS_SERIES_HOLD)
        return 0;
    double from, to, h0 = sc->start_unix_s, h1 = h0 + (sc->days > 0 ? sc->days * 86400.0 : 0);
    series_span(s, &from, &to);
    if (h0 >= from && h1 <= to && h0 < to)
        return 0;
    char a[40], b[40], x[40], y[40];
    ws_format_time(from, a, sizeof a);
    ws_format_time(to, b, sizeof b);
    ws_format_time(h0, x, sizeof x);
    ws_format_time(h1, y, sizeof y);
    return fail(c, path, "%s covers %s .. %s, the horizon is %s .. %s: move the horizon, or set horizon.series_outside "
                "to \"map-year\" (replay the series' year on the horizon's dates) or \"hold\" (hold its first/last value)",
                s->source, a, b, x, y);
}

/* map-year: move every CSV series by the days from 1 January of its year to 1 January of the horizon's
 * year (the same day of the year; weekdays and leap days are not matched). A series' year is the one its
 * middle row falls in: lets-wait-awhile's 2020 runs from 2019-12-22 to 2021-01-10. */
static void map_series_year(ws_scenario *sc)
{
    for (int i = 0; i < sc->n_series; i++) {
        ws_series *s = sc->series[i];
        if (s->kind != WS_SERIES_TABLE || s->n == 0)
            continue;
        char a[40], b[40];
        double ja, jb;
        ws_format_time(s->t_unix_s[s->n / 2], a, sizeof a);
        ws_format_time(sc->start_unix_s, b, sizeof b);
        memcpy(a + 4, "-01-01T00:00:00Z", 17);
        memcpy(b + 4, "-01-01T00:00:00Z", 17);
        if (ws_parse_time(a, &ja) != 0 || ws_parse_time(b, &jb) != 0)
            continue;
        for (size_t k = 0; k < s->n; k++)
            s->t_unix_s[k] += jb - ja;
        sc->series_shift_s = jb - ja;
    }
}

static int check_all_series(ctx_t *c)
{
    ws_scenario *sc = c->sc;
    if (sc->series_outside == WS_SERIES_MAP_YEAR)
        map_series_year(sc);
    for (int i = 0; i < sc->n_sites; i++) {
        char p[3][64];
        snprintf(p[0], sizeof p[0], "sites[%d].carbon_csv", i);
        snprintf(p[1], sizeof p[1], "sites[%d].pue.csv", i);
        snprintf(p[2], sizeof p[2], "sites[%d].price_csv", i);
        if (check_series_cover(c, sc->sites[i].carbon_g_per_kwh, p[0]) ||
            check_series_cover(c, sc->sites[i].pue, p[1]) || check_series_cover(c, sc->sites[i].price_per_kwh, p[2]))
            return -1;
    }
    return 0;
}

static int parse_horizon(ctx_t *c, const cJSON *root)
{
    static const char *const known[] = {"start", "days", "until", "series_outside", NULL};
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(root, "horizon");
    ws_scenario *sc = c->sc;
    char start[64] = "2020-01-01T00:00:00Z", until[32] = "end", outside[16] = "refuse";
    ws_parse_time(start, &sc->start_unix_s);
    if (cJSON_IsString(h) && strcmp(h->valuestring, "makespan") == 0) {
        sc->until_makespan = 1;
    } else if (cJSON_IsObject(h)) {
        if (check_keys(c, h, "horizon", known) || get_string(c, h, "horizon", "start", 0, start, sizeof start) ||
            get_number(c, h, "horizon", "days", 0, 0, 1, 36600, 0, &sc->days) ||
            get_string(c, h, "horizon", "until", 0, until, sizeof until) ||
            get_string(c, h, "horizon", "series_outside", 0, outside, sizeof outside))
            return -1;
        if (strcmp(start, "trace") == 0 ? start_at_trace(c) != 0 : ws_parse_time(start, &sc->start_unix_s) != 0)
            return strcmp(start, "trace") == 0 ? -1 : fail(c, "horizon.start", "'%s' is not an ISO-8601 time or \"trace\"", start);
        if (strcmp(outside, "refuse") == 0)
            sc->series_outside = WS_SERIES_REFUSE;
        else if (strcmp(outside, "hold") == 0)
            sc->series_outside = WS_SERIES_HOLD;
        else if (strcmp(outside, "map-year") == 0)
            sc->series_outside = WS_SERIES_MAP_YEAR;
        else
            return fail(c, "horizon.series_outside", "'%s' is not one of refuse, hold, map-year", outside);
        if (strcmp(until, "makespan") != 0 && strcmp(until, "end") != 0)
            return fail(c, "horizon.until", "'%s' is not one of end, makespan", until);
        sc->until_makespan = strcmp(until, "makespan") == 0;
        if (!sc->until_makespan && !(sc->days > 0))
            return fail(c, "horizon.days", "missing (needed unless until is \"makespan\")");
    } else {
        return fail(c, "horizon", "must be \"makespan\" or {\"start\": ISO-8601, \"days\": N, \"until\": \"end\"|\"makespan\"}");
    }
    if (!(sc->days > 0) && !sc->trace[0])
        return fail(c, "horizon.days", "synthetic arrivals need a number of days");
    return check_all_series(c);
}

/* Refuse what cannot run here before allocating it: the nodes' state (~160 bytes a node with every
 * policy's structures) beyond half the machine's memory, or more arrivals than a day of computing. */
static int check_size(ctx_t *c)
{
    const ws_scenario *sc = c->sc;
    double nodes = 0, jobs = 0;
    for (int i = 0; i < sc->n_sites; i++)
        for (int g = 0; g < sc->sites[i].n_groups; g++)
            nodes += sc->sites[i].groups[g].count;
    double need = nodes * 160.0, have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (have > 0 && need > have / 2)
        return fail(c, "sites", "%.4g nodes would need about %.3g GB for their state (160 bytes each), more than "
                    "half of this machine's %.3g GB: simulate fewer, larger nodes or scale with projection",
                    nodes, need / 1e9, have / 1e9);
    for (int k = 0; k < sc->n_classes; k++)
        jobs += sc->classes[k].rate_per_day * (sc->days > 0 ? sc->days : 1);
    if (jobs > 2e11)
        return fail(c, "workload.classes", "about %.3g jobs would arrive (rate_per_day x days): at ~2 million jobs "
                    "a second that is %.0f hours of computing; simulate fewer and scale with projection.jobs_per_day",
                    jobs, jobs / 2e6 / 3600);
    return 0;
}

static int parse_root(ctx_t *c, const cJSON *root)
{
    static const char *const known[] = {"sites", "workload", "policy", "horizon", "seed", "currency", "name", "description", NULL};
    ws_scenario *sc = c->sc;
    if (!cJSON_IsObject(root))
        return fail(c, "", "a scenario must be a JSON object");
    double seed;
    ws_strlcpy(sc->currency, "EUR", sizeof sc->currency);
    if (check_keys(c, root, "", known) || get_number(c, root, "", "seed", 0, 0, 0, 9007199254740992.0, 1, &seed) ||
        get_string(c, root, "", "currency", 0, sc->currency, sizeof sc->currency) || parse_sites(c, root) ||
        parse_workload(c, root) || parse_policy(c, root) || parse_horizon(c, root) || check_size(c))
        return -1;
    if (seed != floor(seed))
        return fail(c, "seed", "must be a whole number");
    sc->seed = (uint64_t)seed;
    return 0;
}

int ws_scenario_from_json(const cJSON *root, const char *file, const char *dir, ws_scenario *sc, ws_error *err)
{
    memset(sc, 0, sizeof *sc);
    ctx_t c = {file ? file : "", dir ? dir : "", sc, err};
    ws_strlcpy(sc->path, c.file, sizeof sc->path);
    ws_strlcpy(sc->dir, c.dir, sizeof sc->dir);
    if (parse_root(&c, root) != 0) {
        ws_scenario_free(sc);
        return -1;
    }
    return 0;
}

int ws_scenario_load(const char *path, ws_scenario *sc, ws_error *err)
{
    memset(sc, 0, sizeof *sc);
    char *text = ws_read_file(path, NULL);
    if (!text) {
        ws_error_set(err, path, 0, "", "cannot read scenario: %s", ws_read_file_error());
        return -1;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        long line = 1;
        for (const char *p = text; end && p < end; p++)
            line += *p == '\n';
        ws_error_set(err, path, line, "", "not valid JSON");
        free(text);
        return -1;
    }
    free(text);
    char dir[1024];
    ws_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        strcpy(dir, ".");
    int rc = ws_scenario_from_json(root, path, dir, sc, err);
    cJSON_Delete(root);
    if (rc == 0 && ws_sha256_file(path, sc->sha256) != 0) {
        ws_error_set(err, path, 0, "", "cannot hash");
        ws_scenario_free(sc);
        return -1;
    }
    return rc;
}

void ws_scenario_free(ws_scenario *sc)
{
    for (int i = 0; i < sc->n_sites; i++)
        free(sc->sites[i].groups);
    free(sc->sites);
    for (int i = 0; i < sc->n_classes; i++) {
        free(sc->classes[i].runtimes);
        free(sc->classes[i].site_ok);
    }
    free(sc->classes);
    free(sc->policy.submission.priority.class_account);
    free(sc->policy.submission.priority.class_qos);
    for (int i = 0; i < sc->n_series; i++) {
        ws_series_free(sc->series[i]);
        free(sc->series[i]);
    }
    free(sc->series);
    for (int i = 0; i < sc->n_work_pdfs; i++)
        gsl_histogram_pdf_free(sc->work_pdfs[i]);
    free(sc->work_pdfs);
    memset(sc, 0, sizeof *sc);
}

int ws_scenario_synthetic(const ws_scenario *sc) { return !sc->trace[0]; }

int ws_scenario_find_class(const ws_scenario *sc, const char *name)
{
    for (int i = 0; i < sc->n_classes; i++)
        if (strcmp(sc->classes[i].name, name) == 0)
            return i;
    return -1;
}

int ws_group_nodes_needed(const ws_node_group *g, int cores, int gpus)
{
    if ((gpus > 0 && g->gpus == 0) || (gpus == 0 && g->gpu_jobs_only))
        return 0;
    if (cores <= g->cores && gpus <= g->gpus)
        return 1;
    long k = ((long)cores + g->cores - 1) / g->cores;
    if (g->gpus > 0) {
        long kg = ((long)gpus + g->gpus - 1) / g->gpus;
        if (kg > k)
            k = kg;
    }
    return k <= g->count ? (int)k : 0;
}

const ws_runtime_spec *ws_class_runtime(const ws_job_class *c, const char *node_type)
{
    const ws_runtime_spec *dflt = NULL;
    for (int i = 0; i < c->n_runtimes; i++) {
        if (strcmp(c->runtimes[i].node_type, node_type) == 0)
            return &c->runtimes[i];
        if (!c->runtimes[i].node_type[0])
            dflt = &c->runtimes[i];
    }
    return dflt;
}

static double positive_or_zero(double t) { return t > 0 && isfinite(t) ? t : 0; }

/* Wall time of work W (HS23 s) for a job of class k on a node of group g. */
static double hs23_runtime_s(const ws_runtime_spec *r, const ws_job_class *k, const ws_node_group *g, double work)
{
    if (r->gpu_hs23 > 0)
        return work * r->work_scale * ws_offload_s_per_work(r->gpu_hs23, k->gpus, r->cpu_efficiency, g->hs23_per_core, k->cores);
    return work * r->work_scale / (g->hs23_per_core * (double)k->cores * k->utilisation);
}

double ws_runtime_draw_s(const ws_runtime_spec *r, const ws_job_class *k, const ws_node_group *g, double z)
{
    double t;
    switch (r->kind) {
    case WS_RUNTIME_FIXED: t = r->fixed_s; break;
    case WS_RUNTIME_LOGNORMAL: t = r->median_s * exp(r->sigma * z); break;
    case WS_RUNTIME_HS23_WORK: {
        double w = r->work_hs23_s;
        if (r->work_dist == WS_WORK_LOGNORMAL)
            w = r->work_hs23_s * exp(r->sigma * z);
        else if (r->work_dist == WS_WORK_HISTOGRAM) /* Phi(z) is the job's quantile: one draw per job stays one */
            w = gsl_histogram_pdf_sample(r->work_pdf, fmin(gsl_cdf_ugaussian_P(z), nextafter(1.0, 0.0)));
        t = hs23_runtime_s(r, k, g, w);
        break;
    }
    case WS_RUNTIME_JOB_MODEL:
    default:
        t = ws_job_model_runtime_s(&r->job_model, r->work) + (r->noise ? r->job_model.sigma_t_s * z : 0);
        break;
    }
    return positive_or_zero(t);
}

double ws_runtime_expected_s(const ws_runtime_spec *r, const ws_job_class *k, const ws_node_group *g)
{
    double t;
    switch (r->kind) {
    case WS_RUNTIME_FIXED: t = r->fixed_s; break;
    case WS_RUNTIME_LOGNORMAL: t = r->median_s; break;
    case WS_RUNTIME_HS23_WORK: t = hs23_runtime_s(r, k, g, r->work_mean_hs23_s); break;
    case WS_RUNTIME_JOB_MODEL:
    default: t = ws_job_model_runtime_s(&r->job_model, r->work); break;
    }
    return positive_or_zero(t);
}
