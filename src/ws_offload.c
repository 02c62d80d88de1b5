/* ws_offload: a share of job classes moved onto GPUs (see ws_offload.h and scenarios/README.md,
 * "workload.offload"). Owns the moved job's runtime formula and the class split. */
#include "ws_offload.h"

#include <assert.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ws_json.h"
#include "ws_scenario.h"

double ws_offload_s_per_work(double gpu_hs23, int gpus, double cpu_efficiency, double host_hs23_per_core, int cores)
{
    assert(gpu_hs23 > 0 && gpus > 0 && cpu_efficiency > 0 && host_hs23_per_core > 0 && cores > 0);
    double compute_s = 1.0 / (gpu_hs23 * gpus);
    double io_s = (1.0 / cpu_efficiency - 1.0) / (host_hs23_per_core * cores);
    return compute_s + io_s;
}

double ws_offload_gpu_duty(double gpu_hs23, int gpus, double cpu_efficiency, double host_hs23_per_core, int cores)
{
    return 1.0 / (gpu_hs23 * gpus) / ws_offload_s_per_work(gpu_hs23, gpus, cpu_efficiency, host_hs23_per_core, cores);
}

/* A class an earlier offload entry made (it runs on GPUs already): never split again. */
static int is_moved(const cJSON *k)
{
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(k, "runtime_by_type"), *spec;
    cJSON_ArrayForEach(spec, by)
    {
        if (cJSON_GetObjectItemCaseSensitive(spec, "gpu_hs23"))
            return 1;
    }
    return 0;
}

static int to_split(const cJSON *k, const ws_offload *o)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "name"));
    return name && fnmatch(o->classes, name, 0) == 0 && ws_json_number(k, "rate_per_day", 0) > 0 && !is_moved(k);
}

/* The moved class of k, or NULL with err (k's hand-written fields are checked again when it is parsed). */
static cJSON *moved_class(const cJSON *k, const char *name, const ws_offload *o, ws_error *err)
{
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(k, "runtime");
    const char *dist = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rt, "dist"));
    if (!dist || strcmp(dist, "hs23_work") != 0 || cJSON_GetObjectItemCaseSensitive(k, "runtime_by_type")) {
        ws_error_set(err, "", 0, name, "only a class with one \"runtime\" of work in HS23 s (hs23_work) can be moved to GPUs");
        return NULL;
    }
    double u = o->cpu_efficiency > 0 ? o->cpu_efficiency : ws_json_number(k, "utilisation", 1);
    double cores = ws_json_number(k, "cores", 1); /* not yet validated: checked before it becomes an int */
    if (!(u > 0 && u <= 1) || !(cores >= 1 && cores <= INT_MAX / 2)) {
        ws_error_set(err, "", 0, name, "needs a CPU efficiency (utilisation) in (0, 1] and cores from 1 to %d to be moved",
                     INT_MAX / 2);
        return NULL;
    }
    char moved[WS_NAME_MAX];
    if (snprintf(moved, sizeof moved, "%s@%s", name, o->node_type) >= (int)sizeof moved) {
        ws_error_set(err, "", 0, name, "the moved class's name '%s@%s' is longer than %d characters", name,
                     o->node_type, WS_NAME_MAX - 1);
        return NULL;
    }
    cJSON *m = cJSON_Duplicate(k, 1), *spec = cJSON_Duplicate(rt, 1), *by = cJSON_CreateObject();
    if (!m || !spec || !by) {
        cJSON_Delete(m), cJSON_Delete(spec), cJSON_Delete(by);
        ws_error_set(err, "", 0, name, "out of memory");
        return NULL;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(m, "runtime");
    cJSON_ReplaceItemInObjectCaseSensitive(m, "name", cJSON_CreateString(moved));
    cJSON_ReplaceItemInObjectCaseSensitive(m, "rate_per_day", cJSON_CreateNumber(ws_json_number(k, "rate_per_day", 0) * o->fraction));
    cJSON_DeleteItemFromObjectCaseSensitive(m, "gpus");
    cJSON_AddNumberToObject(m, "gpus", o->gpus);
    cJSON_DeleteItemFromObjectCaseSensitive(m, "utilisation");
    cJSON_AddNumberToObject(m, "utilisation", ws_offload_gpu_duty(o->gpu_hs23, o->gpus, u, o->host_hs23_per_core, (int)cores));
    if (o->sites) {
        cJSON_DeleteItemFromObjectCaseSensitive(m, "sites");
        cJSON_AddItemToObject(m, "sites", cJSON_Duplicate(o->sites, 1));
    }
    cJSON_AddNumberToObject(spec, "gpu_hs23", o->gpu_hs23);
    cJSON_AddNumberToObject(spec, "cpu_efficiency", u);
    cJSON_AddItemToObject(by, o->node_type, spec);
    cJSON_AddItemToObject(m, "runtime_by_type", by);
    return m;
}

int ws_offload_split(cJSON *classes, const ws_offload *o, ws_error *err)
{
    assert(o->fraction > 0 && o->fraction <= 1 && o->gpus >= 1 && o->gpu_hs23 > 0 && o->host_hs23_per_core > 0);
    cJSON *added = cJSON_CreateArray();
    if (!added) {
        ws_error_set(err, "", 0, "", "out of memory");
        return -1;
    }
    const cJSON *k;
    cJSON_ArrayForEach(k, classes)
    {
        if (!to_split(k, o))
            continue;
        cJSON *m = moved_class(k, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "name")), o, err);
        if (!m) {
            cJSON_Delete(added);
            return -1;
        }
        cJSON_AddItemToArray(added, m);
    }
    int n = cJSON_GetArraySize(added);
    /* Only now change the originals: an error above leaves classes as it was. */
    cJSON *it;
    cJSON_ArrayForEach(it, classes)
    {
        if (to_split(it, o))
            cJSON_ReplaceItemInObjectCaseSensitive(it, "rate_per_day",
                                                   cJSON_CreateNumber(ws_json_number(it, "rate_per_day", 0) * (1 - o->fraction)));
    }
    while ((it = cJSON_DetachItemFromArray(added, 0)))
        cJSON_AddItemToArray(classes, it);
    cJSON_Delete(added);
    return n;
}
