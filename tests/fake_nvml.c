/* fake_nvml: a stand-in for libnvidia-ml.so.1 implementing the NVML functions wattscale measure uses, so
 * that ws_nvml and `wattscale measure` are tested without a GPU. Set at each nvmlInit_v2 from the
 * environment:
 *   FAKE_NVML_INIT_FAIL=1   nvmlInit_v2 fails as with no driver (NVML_ERROR_DRIVER_NOT_LOADED)
 *   FAKE_NVML_GPUS=N        N GPUs (default 1), named "Fake GPU", UUIDs GPU-fake-000K
 *   FAKE_NVML_POWER_MW=P    every GPU draws P mW (default 200000), and its energy counter runs at that
 *                           rate on the monotonic clock, so counter and integrated power agree
 *   FAKE_NVML_NO_COUNTER=1  nvmlDeviceGetTotalEnergyConsumption: NVML_ERROR_NOT_SUPPORTED
 *   FAKE_NVML_MIG=1         MIG mode on: utilisation and per-process utilisation NOT_SUPPORTED
 * Tests that drive readings by hand call fake_nvml_set (then the clock no longer moves the counter) and
 * fake_nvml_set_procs (processes and their SM utilisation, returned once per call of
 * nvmlDeviceGetProcessUtilization); fake_nvml_set_lost makes a GPU answer NVML_ERROR_GPU_IS_LOST. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

#define MAXG 8
enum { OK = 0, INVALID = 2, NOT_SUPPORTED = 3, NOT_FOUND = 6, INSUFFICIENT_SIZE = 7, DRIVER_NOT_LOADED = 9,
       GPU_IS_LOST = 15 };

typedef struct {
    unsigned int gpu, memory;
} util_t;
typedef struct {
    unsigned int pid;
    unsigned long long timeStamp;
    unsigned int smUtil, memUtil, encUtil, decUtil;
} proc_util_t;
typedef struct {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId, computeInstanceId;
} proc_info_t;

static struct {
    int n, no_counter, mig, manual, inited, lost[MAXG];
    double t0, power_mw[MAXG];
    unsigned long long energy_mj[MAXG];
    unsigned util[MAXG];
    int n_procs[MAXG];
    unsigned pids[MAXG][16], sm[MAXG][16];
} S;

static int tokens[MAXG]; /* a device handle points at its index */

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : dflt;
}

static int dev(void *h)
{
    for (int i = 0; i < S.n; i++)
        if (h == &tokens[i])
            return i;
    return -1;
}

int nvmlInit_v2(void)
{
    if (env_int("FAKE_NVML_INIT_FAIL", 0))
        return DRIVER_NOT_LOADED;
    memset(&S, 0, sizeof S);
    S.n = env_int("FAKE_NVML_GPUS", 1);
    if (S.n > MAXG)
        S.n = MAXG;
    S.no_counter = env_int("FAKE_NVML_NO_COUNTER", 0);
    S.mig = env_int("FAKE_NVML_MIG", 0);
    S.t0 = mono();
    for (int i = 0; i < S.n; i++) {
        S.power_mw[i] = env_int("FAKE_NVML_POWER_MW", 200000);
        S.energy_mj[i] = 5000000ull * (unsigned)(i + 1); /* the counter runs since the driver loaded */
        S.util[i] = 50;
    }
    S.inited = 1;
    return OK;
}

int nvmlShutdown(void)
{
    S.inited = 0;
    return OK;
}

const char *nvmlErrorString(int rc)
{
    return rc == DRIVER_NOT_LOADED ? "Driver Not Loaded" : rc == NOT_SUPPORTED ? "Not Supported" : "Fake Error";
}

int nvmlSystemGetDriverVersion(char *buf, unsigned int len)
{
    snprintf(buf, len, "999.fake");
    return OK;
}

int nvmlDeviceGetCount_v2(unsigned int *count)
{
    *count = (unsigned)S.n;
    return OK;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int i, void **h)
{
    if ((int)i >= S.n)
        return INVALID;
    *h = &tokens[i];
    return OK;
}

int nvmlDeviceGetName(void *h, char *buf, unsigned int len)
{
    if (dev(h) < 0)
        return INVALID;
    snprintf(buf, len, "Fake GPU");
    return OK;
}

int nvmlDeviceGetUUID(void *h, char *buf, unsigned int len)
{
    int i = dev(h);
    if (i < 0)
        return INVALID;
    snprintf(buf, len, "GPU-fake-%04d", i);
    return OK;
}

int nvmlDeviceGetMigMode(void *h, unsigned int *cur, unsigned int *pending)
{
    if (dev(h) < 0)
        return INVALID;
    *cur = *pending = S.mig ? 1u : 0u;
    return OK;
}

int nvmlDeviceGetPowerUsage(void *h, unsigned int *mw)
{
    int i = dev(h);
    if (i < 0)
        return INVALID;
    if (S.lost[i])
        return GPU_IS_LOST;
    *mw = (unsigned)S.power_mw[i];
    return OK;
}

int nvmlDeviceGetTotalEnergyConsumption(void *h, unsigned long long *mj)
{
    int i = dev(h);
    if (i < 0)
        return INVALID;
    if (S.lost[i])
        return GPU_IS_LOST;
    if (S.no_counter)
        return NOT_SUPPORTED;
    *mj = S.manual ? S.energy_mj[i] : S.energy_mj[i] + (unsigned long long)(S.power_mw[i] * (mono() - S.t0));
    return OK;
}

int nvmlDeviceGetUtilizationRates(void *h, util_t *u)
{
    int i = dev(h);
    if (i < 0)
        return INVALID;
    if (S.lost[i])
        return GPU_IS_LOST;
    if (S.mig)
        return NOT_SUPPORTED;
    u->gpu = S.util[i];
    u->memory = S.util[i] / 2;
    return OK;
}

int nvmlDeviceGetProcessUtilization(void *h, proc_util_t *out, unsigned int *count, unsigned long long since)
{
    int i = dev(h);
    (void)since;
    if (i < 0)
        return INVALID;
    if (S.mig)
        return NOT_SUPPORTED;
    if (S.n_procs[i] == 0)
        return NOT_FOUND;
    if (!out || *count < (unsigned)S.n_procs[i]) {
        *count = (unsigned)S.n_procs[i];
        return INSUFFICIENT_SIZE;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    for (int k = 0; k < S.n_procs[i]; k++) {
        memset(&out[k], 0, sizeof out[k]);
        out[k].pid = S.pids[i][k];
        out[k].smUtil = S.sm[i][k];
        out[k].timeStamp = (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000;
    }
    *count = (unsigned)S.n_procs[i];
    return OK;
}

int nvmlDeviceGetComputeRunningProcesses_v3(void *h, unsigned int *count, proc_info_t *out)
{
    int i = dev(h);
    if (i < 0)
        return INVALID;
    if (*count < (unsigned)S.n_procs[i]) {
        *count = (unsigned)S.n_procs[i];
        return INSUFFICIENT_SIZE;
    }
    for (int k = 0; k < S.n_procs[i]; k++) {
        memset(&out[k], 0, sizeof out[k]);
        out[k].pid = S.pids[i][k];
        out[k].usedGpuMemory = 1ull << 30;
    }
    *count = (unsigned)S.n_procs[i];
    return OK;
}

/* Test controls (not NVML). */
void fake_nvml_set(int gpu, double power_w, unsigned long long energy_mj, unsigned util_pct)
{
    S.manual = 1;
    S.power_mw[gpu] = power_w * 1000.0;
    S.energy_mj[gpu] = energy_mj;
    S.util[gpu] = util_pct;
}

void fake_nvml_set_procs(int gpu, int n, const unsigned *pids, const unsigned *sm)
{
    S.n_procs[gpu] = n;
    for (int k = 0; k < n && k < 16; k++) {
        S.pids[gpu][k] = pids[k];
        S.sm[gpu][k] = sm[k];
    }
}

void fake_nvml_set_lost(int gpu, int lost)
{
    S.lost[gpu] = lost;
}
