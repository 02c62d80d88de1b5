/* ws_nvml: NVIDIA GPUs through NVML, loaded at run time with dlopen (libnvidia-ml.so.1 comes with the
 * driver; wattscale needs neither it nor CUDA to build). Readings: board power (mW), the total-energy
 * counter (mJ since the driver loaded; Volta and later), utilisation, MIG mode, and which processes use a
 * GPU with their SM utilisation (for attribution on shared machines). Anything a GPU does not support
 * (MIG instances, old boards, containers) reads as unknown, never as an error or a guess. */
#ifndef WS_NVML_H
#define WS_NVML_H

#include "ws_util.h"

#define WS_NVML_MAX_GPUS 64

typedef struct {
    int index;         /* NVML index */
    char name[96];     /* "NVIDIA H200" */
    char uuid[96];
    void *handle;      /* nvmlDevice_t */
    int selected;
    int mig;           /* MIG mode on: power and energy are the whole board, shared by its instances */
    int has_counter;   /* nvmlDeviceGetTotalEnergyConsumption answered */
    int has_power;
    int has_util;
    unsigned long long proc_seen_us; /* the newest per-process sample seen (NVML's CPU timestamp, µs) */
} ws_nvml_gpu;

typedef struct ws_nvml_fns ws_nvml_fns;

typedef struct {
    void *lib;
    ws_nvml_fns *fn;
    int available;      /* 1: the library loaded and nvmlInit succeeded */
    char why[320];      /* when not available: why (no driver, init failed) */
    char driver[80];
    int n_gpus;
    ws_nvml_gpu gpus[WS_NVML_MAX_GPUS];
} ws_nvml;

/* One reading of one GPU; NaN for what it does not report. */
typedef struct {
    double power_w, util_pct, mem_util_pct;
    double energy_mj; /* the total-energy counter */
} ws_nvml_reading;

/* Load lib_path (NULL: libnvidia-ml.so.1), initialise, list the GPUs (all selected) and probe what each
 * reports. No library or no driver is not an error: WS_OK with available 0 and why set. WS_EFAIL only
 * when out of memory. */
int ws_nvml_open(ws_nvml *n, const char *lib_path, ws_error *err);
void ws_nvml_close(ws_nvml *n);
/* Select GPUs by a comma-separated list of NVML indices or UUIDs (a "GPU-" prefix may be left out),
 * or "none". WS_EINPUT with err when an entry names no GPU. */
int ws_nvml_select(ws_nvml *n, const char *list, ws_error *err);
int ws_nvml_n_selected(const ws_nvml *n);
/* Read GPU i (index into n->gpus). Returns 0, or -1 when the GPU answered nothing (lost, reset). */
int ws_nvml_read(ws_nvml *n, int i, ws_nvml_reading *out);

/* Per-process SM utilisation since the last call (the first call: since start_us). One entry per
 * process sample. Returns the number of entries (0: none since then), or -1 when the GPU does not report
 * it (MIG, not supported, no permission). */
typedef struct {
    unsigned pid;
    unsigned sm_pct;
} ws_nvml_proc_util;
int ws_nvml_process_util(ws_nvml *n, int i, unsigned long long start_us, ws_nvml_proc_util *out, int max);
/* The processes with a compute context on GPU i: their count (at most max into pids), or -1 when NVML
 * cannot say. */
int ws_nvml_compute_pids(ws_nvml *n, int i, unsigned *pids, int max);

#endif
