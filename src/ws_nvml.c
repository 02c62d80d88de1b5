/* ws_nvml: see ws_nvml.h. The few NVML types used are declared here as NVML's header (nvml.h) defines
 * them; the functions are looked up by name in the driver's library. */
#include "ws_nvml.h"

#include <dlfcn.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef int nvmlReturn_t;
typedef void *nvmlDevice_t;
enum { NVML_SUCCESS = 0, NVML_ERROR_NOT_SUPPORTED = 3, NVML_ERROR_NOT_FOUND = 6, NVML_ERROR_INSUFFICIENT_SIZE = 7 };
typedef struct {
    unsigned int gpu, memory;
} nvmlUtilization_t;
typedef struct {
    unsigned int pid;
    unsigned long long timeStamp;
    unsigned int smUtil, memUtil, encUtil, decUtil;
} nvmlProcessUtilizationSample_t;
typedef struct {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t; /* nvmlProcessInfo_v2_t, what the _v2 and _v3 calls fill */

struct ws_nvml_fns {
    nvmlReturn_t (*init)(void);
    nvmlReturn_t (*shutdown)(void);
    const char *(*error_string)(nvmlReturn_t);
    nvmlReturn_t (*driver_version)(char *, unsigned int);
    nvmlReturn_t (*count)(unsigned int *);
    nvmlReturn_t (*handle)(unsigned int, nvmlDevice_t *);
    nvmlReturn_t (*name)(nvmlDevice_t, char *, unsigned int);
    nvmlReturn_t (*uuid)(nvmlDevice_t, char *, unsigned int);
    nvmlReturn_t (*mig_mode)(nvmlDevice_t, unsigned int *, unsigned int *);
    nvmlReturn_t (*power)(nvmlDevice_t, unsigned int *);
    nvmlReturn_t (*energy)(nvmlDevice_t, unsigned long long *);
    nvmlReturn_t (*util)(nvmlDevice_t, nvmlUtilization_t *);
    nvmlReturn_t (*proc_util)(nvmlDevice_t, nvmlProcessUtilizationSample_t *, unsigned int *, unsigned long long);
    nvmlReturn_t (*compute_procs)(nvmlDevice_t, unsigned int *, nvmlProcessInfo_t *);
};

/* dlsym returns an object pointer; copy it into the function pointer (ISO C has no cast between them). */
static int sym(void *lib, const char *name, void *fn_ptr)
{
    void *p = dlsym(lib, name);
    memcpy(fn_ptr, &p, sizeof p);
    return p ? 0 : -1;
}

static const char *nv_error(const ws_nvml *n, nvmlReturn_t rc)
{
    const char *s = n->fn && n->fn->error_string ? n->fn->error_string(rc) : NULL;
    return s ? s : "unknown NVML error";
}

static void probe(ws_nvml *n, ws_nvml_gpu *g)
{
    ws_nvml_fns *f = n->fn;
    unsigned int cur = 0, pending = 0, mw;
    unsigned long long mj;
    nvmlUtilization_t u;
    g->mig = f->mig_mode && f->mig_mode(g->handle, &cur, &pending) == NVML_SUCCESS && cur == 1;
    g->has_power = f->power(g->handle, &mw) == NVML_SUCCESS;
    g->has_counter = f->energy && f->energy(g->handle, &mj) == NVML_SUCCESS;
    g->has_util = f->util && f->util(g->handle, &u) == NVML_SUCCESS;
}

int ws_nvml_open(ws_nvml *n, const char *lib_path, ws_error *err)
{
    memset(n, 0, sizeof *n);
    const char *path = lib_path ? lib_path : "libnvidia-ml.so.1";
    n->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!n->lib) {
        const char *e = dlerror();
        snprintf(n->why, sizeof n->why, "no NVIDIA driver library (%.200s): GPU energy not measured",
                 e ? e : path);
        return WS_OK;
    }
    n->fn = calloc(1, sizeof *n->fn);
    if (!n->fn) {
        ws_error_set(err, "", 0, "", "out of memory");
        dlclose(n->lib);
        n->lib = NULL;
        return WS_EFAIL;
    }
    ws_nvml_fns *f = n->fn;
    int missing = 0;
    if (sym(n->lib, "nvmlInit_v2", &f->init) != 0 && sym(n->lib, "nvmlInit", &f->init) != 0)
        missing = 1;
    if (sym(n->lib, "nvmlDeviceGetCount_v2", &f->count) != 0 && sym(n->lib, "nvmlDeviceGetCount", &f->count) != 0)
        missing = 1;
    if (sym(n->lib, "nvmlDeviceGetHandleByIndex_v2", &f->handle) != 0 &&
        sym(n->lib, "nvmlDeviceGetHandleByIndex", &f->handle) != 0)
        missing = 1;
    missing |= sym(n->lib, "nvmlShutdown", &f->shutdown) != 0;
    missing |= sym(n->lib, "nvmlDeviceGetName", &f->name) != 0;
    missing |= sym(n->lib, "nvmlDeviceGetPowerUsage", &f->power) != 0;
    /* optional: a GPU or driver without them reports less */
    sym(n->lib, "nvmlErrorString", &f->error_string);
    sym(n->lib, "nvmlSystemGetDriverVersion", &f->driver_version);
    sym(n->lib, "nvmlDeviceGetUUID", &f->uuid);
    sym(n->lib, "nvmlDeviceGetMigMode", &f->mig_mode);
    sym(n->lib, "nvmlDeviceGetTotalEnergyConsumption", &f->energy);
    sym(n->lib, "nvmlDeviceGetUtilizationRates", &f->util);
    sym(n->lib, "nvmlDeviceGetProcessUtilization", &f->proc_util);
    if (sym(n->lib, "nvmlDeviceGetComputeRunningProcesses_v3", &f->compute_procs) != 0)
        sym(n->lib, "nvmlDeviceGetComputeRunningProcesses_v2", &f->compute_procs);
    if (missing) {
        snprintf(n->why, sizeof n->why, "%.200s lacks NVML functions wattscale needs: GPU energy not measured", path);
        ws_nvml_close(n);
        return WS_OK;
    }
    nvmlReturn_t rc = f->init();
    if (rc != NVML_SUCCESS) {
        snprintf(n->why, sizeof n->why, "NVML did not start (%.120s): no usable NVIDIA driver, GPU energy not "
                 "measured", nv_error(n, rc));
        f->shutdown = NULL; /* nothing to shut down */
        ws_nvml_close(n);
        return WS_OK;
    }
    n->available = 1;
    if (f->driver_version && f->driver_version(n->driver, sizeof n->driver) != NVML_SUCCESS)
        n->driver[0] = '\0';
    unsigned int count = 0;
    if ((rc = f->count(&count)) != NVML_SUCCESS) {
        snprintf(n->why, sizeof n->why, "NVML could not count the GPUs (%.120s): GPU energy not measured",
                 nv_error(n, rc));
        count = 0;
    }
    for (unsigned int i = 0; i < count && n->n_gpus < WS_NVML_MAX_GPUS; i++) {
        ws_nvml_gpu *g = &n->gpus[n->n_gpus];
        memset(g, 0, sizeof *g);
        g->index = (int)i;
        if (f->handle(i, (nvmlDevice_t *)&g->handle) != NVML_SUCCESS)
            continue; /* a GPU this process may not see (no permission, lost): left out */
        if (f->name(g->handle, g->name, sizeof g->name) != NVML_SUCCESS)
            snprintf(g->name, sizeof g->name, "NVIDIA GPU %u", i);
        if (!f->uuid || f->uuid(g->handle, g->uuid, sizeof g->uuid) != NVML_SUCCESS)
            g->uuid[0] = '\0';
        g->selected = 1;
        probe(n, g);
        n->n_gpus++;
    }
    if (n->n_gpus == 0 && !n->why[0])
        snprintf(n->why, sizeof n->why, "NVML sees no GPU: GPU energy not measured");
    return WS_OK;
}

void ws_nvml_close(ws_nvml *n)
{
    if (n->available && n->fn && n->fn->shutdown)
        n->fn->shutdown();
    if (n->lib)
        dlclose(n->lib);
    free(n->fn);
    n->lib = NULL;
    n->fn = NULL;
    n->available = 0;
}

int ws_nvml_select(ws_nvml *n, const char *list, ws_error *err)
{
    if (!list)
        return WS_OK;
    for (int i = 0; i < n->n_gpus; i++)
        n->gpus[i].selected = 0;
    if (strcmp(list, "none") == 0)
        return WS_OK;
    char buf[1024];
    if (ws_strlcpy(buf, list, sizeof buf) != 0) {
        ws_error_set(err, "", 0, "--gpus", "list too long");
        return WS_EINPUT;
    }
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        tok = ws_trim(tok);
        int found = 0;
        for (int i = 0; i < n->n_gpus && !found; i++) {
            ws_nvml_gpu *g = &n->gpus[i];
            char idx[16];
            snprintf(idx, sizeof idx, "%d", g->index);
            const char *u = g->uuid;
            if (strcmp(tok, idx) == 0 || (u[0] && (strcasecmp(tok, u) == 0 ||
                                                   (strncasecmp(u, "GPU-", 4) == 0 && strcasecmp(tok, u + 4) == 0))))
                found = g->selected = 1;
        }
        if (!found) {
            ws_error_set(err, "", 0, "--gpus", "'%s' is no GPU index or UUID that NVML lists (%d GPU(s)%s)", tok,
                         n->n_gpus, n->available ? "" : ", NVML not available");
            return WS_EINPUT;
        }
    }
    return WS_OK;
}

int ws_nvml_n_selected(const ws_nvml *n)
{
    int k = 0;
    for (int i = 0; i < n->n_gpus; i++)
        k += n->gpus[i].selected;
    return k;
}

int ws_nvml_read(ws_nvml *n, int i, ws_nvml_reading *out)
{
    out->power_w = out->util_pct = out->mem_util_pct = out->energy_mj = NAN;
    if (!n->available || i < 0 || i >= n->n_gpus)
        return -1;
    ws_nvml_gpu *g = &n->gpus[i];
    ws_nvml_fns *f = n->fn;
    int any = 0;
    unsigned int mw;
    unsigned long long mj;
    nvmlUtilization_t u;
    if (g->has_power && f->power(g->handle, &mw) == NVML_SUCCESS) {
        out->power_w = mw / 1000.0;
        any = 1;
    }
    if (g->has_counter && f->energy(g->handle, &mj) == NVML_SUCCESS) {
        out->energy_mj = (double)mj;
        any = 1;
    }
    if (g->has_util && f->util(g->handle, &u) == NVML_SUCCESS) {
        out->util_pct = u.gpu;
        out->mem_util_pct = u.memory;
        any = 1;
    }
    return any ? 0 : -1;
}

int ws_nvml_process_util(ws_nvml *n, int i, unsigned long long start_us, ws_nvml_proc_util *out, int max)
{
    if (!n->available || i < 0 || i >= n->n_gpus || !n->fn->proc_util || n->gpus[i].mig)
        return -1;
    ws_nvml_gpu *g = &n->gpus[i];
    if (g->proc_seen_us < start_us)
        g->proc_seen_us = start_us;
    unsigned int count = 0;
    nvmlReturn_t rc = n->fn->proc_util(g->handle, NULL, &count, g->proc_seen_us);
    if (rc == NVML_ERROR_NOT_FOUND)
        return 0;
    if (rc != NVML_SUCCESS && rc != NVML_ERROR_INSUFFICIENT_SIZE)
        return -1;
    if (count == 0)
        return 0;
    nvmlProcessUtilizationSample_t *buf = calloc(count, sizeof *buf);
    if (!buf)
        return -1;
    rc = n->fn->proc_util(g->handle, buf, &count, g->proc_seen_us);
    int k = 0;
    if (rc == NVML_SUCCESS) {
        for (unsigned int j = 0; j < count && k < max; j++) {
            out[k].pid = buf[j].pid;
            out[k].sm_pct = buf[j].smUtil;
            k++;
            if (buf[j].timeStamp > g->proc_seen_us)
                g->proc_seen_us = buf[j].timeStamp;
        }
    }
    free(buf);
    if (rc == NVML_ERROR_NOT_FOUND)
        return 0;
    return rc == NVML_SUCCESS ? k : -1;
}

int ws_nvml_compute_pids(ws_nvml *n, int i, unsigned *pids, int max)
{
    if (!n->available || i < 0 || i >= n->n_gpus || !n->fn->compute_procs)
        return -1;
    nvmlProcessInfo_t info[64];
    unsigned int count = 64;
    nvmlReturn_t rc = n->fn->compute_procs(n->gpus[i].handle, &count, info);
    if (rc != NVML_SUCCESS)
        return -1;
    int k = 0;
    for (unsigned int j = 0; j < count && j < 64 && k < max; j++)
        pids[k++] = info[j].pid;
    return k;
}
