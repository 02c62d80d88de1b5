/* ws_dcsim: see ws_dcsim.h. */
#include "ws_dcsim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ws_json.h"

#define MAX_CORES 1024

/* A histogram's counts as doubles (n of them); -1 with err when not an array of numbers >= 0. */
static int read_counts(const cJSON *h, const char *file, const char *where, double *out, int max, ws_error *err)
{
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(h, "counts");
    int n = cJSON_GetArraySize(counts);
    if (!cJSON_IsArray(counts) || n < 1 || n > max) {
        ws_error_set(err, file, 0, where, "counts: must be an array of 1 to %d numbers", max);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const cJSON *v = cJSON_GetArrayItem(counts, i);
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || !isfinite(v->valuedouble)) {
            ws_error_set(err, file, 0, where, "counts[%d]: must be a number >= 0", i);
            return -1;
        }
        out[i] = v->valuedouble;
    }
    return n;
}

static double type_utilisation(const ws_dcsim_options *o, const char *type)
{
    if (cJSON_IsNumber(o->utilisation))
        return o->utilisation->valuedouble;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(o->utilisation, type);
    if (!u)
        u = cJSON_GetObjectItemCaseSensitive(o->utilisation, "default");
    return cJSON_IsNumber(u) ? u->valuedouble : NAN;
}

/* The work histogram of a job of `cores` cores at efficiency u: the flops edges as HS23 s. */
static cJSON *work_histogram(const cJSON *flops, const ws_dcsim_options *o, int cores, double u)
{
    const cJSON *bins = cJSON_GetObjectItemCaseSensitive(flops, "bins");
    double per_flop = o->reference_hs23_per_core * cores * u / o->reference_flops_per_s;
    cJSON *h = cJSON_CreateObject(), *edges = cJSON_AddArrayToObject(h, "bins_hs23_s");
    const cJSON *e;
    cJSON_ArrayForEach(e, bins)
        cJSON_AddItemToArray(edges, cJSON_CreateNumber(e->valuedouble * per_flop));
    cJSON_AddItemToObject(h, "counts", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(flops, "counts"), 1));
    return h;
}

static cJSON *one_class(const char *type, int cores, double rate, double u, const cJSON *flops, const ws_dcsim_options *o)
{
    char name[160];
    snprintf(name, sizeof name, "%s%s/%dc", o->prefix ? o->prefix : "", type, cores);
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "name", name);
    cJSON_AddNumberToObject(k, "rate_per_day", rate);
    cJSON_AddNumberToObject(k, "cores", cores);
    cJSON_AddNumberToObject(k, "utilisation", u);
    if (o->sites)
        cJSON_AddItemToObject(k, "sites", cJSON_Duplicate(o->sites, 1));
    cJSON *rt = cJSON_AddObjectToObject(k, "runtime");
    cJSON_AddStringToObject(rt, "dist", "hs23_work");
    cJSON_AddItemToObject(rt, "histogram", work_histogram(flops, o, cores, u));
    return k;
}

/* The classes of one job type, appended to out. */
static int add_type(const cJSON *t, const char *file, const ws_dcsim_options *o, cJSON *out, ws_error *err)
{
    char where[160];
    double cores[MAX_CORES], fl[MAX_CORES];
    snprintf(where, sizeof where, "%s.cores", t->string);
    int nc = read_counts(cJSON_GetObjectItemCaseSensitive(t, "cores"), file, where, cores, MAX_CORES, err);
    snprintf(where, sizeof where, "%s.flops", t->string);
    const cJSON *flops = cJSON_GetObjectItemCaseSensitive(t, "flops");
    int nf = nc < 0 ? -1 : read_counts(flops, file, where, fl, MAX_CORES, err);
    if (nf < 0)
        return -1;
    const cJSON *bins = cJSON_GetObjectItemCaseSensitive(flops, "bins");
    if (!cJSON_IsArray(bins) || cJSON_GetArraySize(bins) != nf + 1) {
        ws_error_set(err, file, 0, where, "bins: must be an array of %d edges (counts + 1)", nf + 1);
        return -1;
    }
    double u = type_utilisation(o, t->string);
    if (!(u > 0 && u <= 1)) {
        ws_error_set(err, file, 0, t->string, "no CPU efficiency in (0, 1] for this job type (dcsim.utilisation)");
        return -1;
    }
    /* counts[i] are the jobs of i cores (DCSim's core bins are centred on whole numbers: -0.5, 0.5, ...) */
    for (int c = 1; c < nc; c++)
        if (cores[c] > 0)
            cJSON_AddItemToArray(out, one_class(t->string, c, cores[c] / o->period_days * o->scale, u, flops, o));
    return 0;
}

cJSON *ws_dcsim_classes(const char *path, const ws_dcsim_options *o, ws_error *err)
{
    if (!(o->period_days > 0) || !(o->reference_flops_per_s > 0) || !(o->reference_hs23_per_core > 0) ||
        !(o->scale > 0)) {
        ws_error_set(err, path, 0, "", "needs period_days, reference_flops_per_s, reference_hs23_per_core > 0");
        return NULL;
    }
    cJSON *doc = ws_json_load(path, err);
    if (!doc)
        return NULL;
    cJSON *out = cJSON_CreateArray();
    const cJSON *t;
    int rc = cJSON_IsObject(doc) && cJSON_GetArraySize(doc) > 0 ? 0 : -1;
    if (rc != 0)
        ws_error_set(err, path, 0, "", "not a DCSim workload file (an object of job types)");
    cJSON_ArrayForEach(t, doc)
    {
        if (rc != 0)
            break;
        if (!cJSON_IsObject(t) || !cJSON_GetObjectItemCaseSensitive(t, "cores")) {
            ws_error_set(err, path, 0, t->string ? t->string : "", "not a DCSim job type (no cores histogram)");
            rc = -1;
        } else {
            rc = add_type(t, path, o, out, err);
        }
    }
    cJSON_Delete(doc);
    if (rc != 0) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}
