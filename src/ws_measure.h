/* ws_measure: run a command and measure the energy its machine uses meanwhile, at the source: GPU board
 * power and the total-energy counter through NVML (ws_nvml), CPU package and DRAM energy through RAPL
 * (ws_rapl), the command's CPU time and peak memory. The result is one profile as ingest would store it
 * (samples every interval, energy by component), plus what a shared machine needs: the share of each
 * GPU's energy that the command's processes used (NVML per-process SM utilisation) and of the CPU
 * package by the process tree's share of busy CPU time. Whole-device figures are measured; shares are
 * attributed; both are kept and labelled. Nothing is estimated from a TDP. */
#ifndef WS_MEASURE_H
#define WS_MEASURE_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "ws_ingest.h"
#include "ws_nvml.h"
#include "ws_rapl.h"

typedef enum { WS_MEASURE_NODE = 0, WS_MEASURE_RANK = 1 } ws_measure_scope;

typedef struct {
    const char *job, *arch, *work_unit, *work_file;
    double work;            /* NaN: not given */
    int interval_ms;
    const char *gpus;       /* --gpus: indices/UUIDs, "none"; NULL: all (node), the rank's (rank scope) */
    const char *nvml_lib;   /* NULL: libnvidia-ml.so.1 */
    const char *powercap_root, *proc_root; /* "/sys/class/powercap", "/proc" */
    ws_measure_scope scope;
} ws_measure_opts;

/* Where this process stands in a parallel launch (Open MPI, Slurm, MPICH/Hydra), from the environment. */
typedef struct {
    int rank, local_rank, local_size; /* -1: not said */
    char job_id[64];                  /* SLURM_JOB_ID[.SLURM_STEP_ID], or "" */
    char host[128];
} ws_measure_launch;
void ws_measure_launch_from_env(ws_measure_launch *l);

/* Per selected GPU: what was measured and attributed. */
typedef struct {
    int gpu;                 /* index into nvml.gpus */
    double counter_j;        /* NVML total-energy counter, end - start (NaN: no counter) */
    double integrated_j;     /* trapezoid of the power samples */
    double attr_sum_j;       /* the command's processes' share so far */
    int attr_ok;             /* 0 once an interval could not be split */
    int shared;              /* another process was seen using the GPU */
    long n_visible, n_invisible; /* processes NVML named that were (not) visible in /proc */
    char attributed_how[160]; /* "per-process SM utilisation", "compute contexts ...", or why not */
    double e0_mj, e_last_mj, p_last_w, t_power_last_s;
    int has_power_last;
    int counter_ok;          /* the counter was read at the start and has not gone back */
    int counter_now;         /* the last sample read it */
    long n_failed;           /* readings that answered nothing */
} ws_measure_gpu;

typedef struct {
    ws_measure_opts o;
    ws_measure_launch launch;
    ws_nvml nvml;
    ws_rapl rapl;
    ws_measure_gpu gpu[WS_NVML_MAX_GPUS];
    int n_gpu;
    char cpu_model[128];
    /* the time series */
    ws_sample *samples;
    long n, cap;
    double t0_mono, t0_unix, t_end; /* samples are timed on the monotonic clock from t0 */
    double pkg_last_j, dram_last_j;
    double busy0_s, busy_s;  /* machine's busy CPU time (all CPUs) at start; over the run */
    unsigned long long start_us;
    unsigned ours[256];      /* processes seen as the command's (they stay so once they have ended) */
    int n_ours;
    /* the command */
    pid_t child;
    int exit_status;         /* as a shell reports it: code, or 128 + signal */
    int interrupted;         /* stopped by SIGINT/SIGTERM/SIGHUP sent to wattscale or the command */
    int stop_signal;
    double cpu_time_s;       /* user + system of the command and its waited-for descendants */
    long maxrss_kib;
    double work_from_file;   /* NaN unless --work-file gave it */
    char work_file_why[256]; /* --work-file could not be read: why */
    char rapl_lost[320];     /* RAPL became unreadable during the run: why (its figures are then unknown) */
    /* results (ws_measure_profile): whole devices measured, and the command's attributed share */
    double gpu_counter_j;    /* sum of the NVML counters (NaN when a selected GPU has none) */
    double gpu_integrated_j; /* sum of the trapezoids of board power */
    double gpu_attributed_j; /* NaN when a GPU's share could not be told */
    double cpu_package_j, dram_j; /* RAPL (NaN: not measured) */
    double cpu_share;        /* the command's CPU time / the machine's busy CPU time (NaN: unknown) */
    double cpu_attributed_j, dram_attributed_j;
} ws_measure;

/* Open NVML and RAPL and select GPUs. WS_EINPUT (err) for a bad --gpus or a rank scope that cannot tell
 * the rank's GPUs; WS_EFAIL for system errors. */
int ws_measure_init(ws_measure *m, const ws_measure_opts *o, ws_error *err);
void ws_measure_free(ws_measure *m);
/* What will be measured, one line ("GPU 0 NVIDIA H200 [power, energy counter]; CPU: RAPL package-0, dram"). */
void ws_measure_describe(const ws_measure *m, char *buf, size_t size);
/* Run argv to its end, sampling every interval. SIGINT/SIGTERM/SIGHUP are passed to the command (when
 * they did not come from the terminal, which already sent them to it) and mark the run interrupted; a
 * third one kills the command. Returns WS_OK when the command ran (whatever its status), WS_EINPUT when
 * it could not be started (*exec_errno set), WS_EFAIL for system errors. */
int ws_measure_run(ws_measure *m, char *const argv[], int *exec_errno, ws_error *err);
/* Take one sample now (ws_measure_run does this every interval; tests drive it directly). */
int ws_measure_sample(ws_measure *m, ws_error *err);
/* Start the clock and the counters (ws_measure_run does this before the command starts). */
int ws_measure_start(ws_measure *m, ws_error *err);
/* The profile of the run: energy by component (counters where there are, else integrated), note with
 * the integrated, attributed and whole-device figures, CPU time and peak memory, interrupted or not. */
void ws_measure_profile(ws_measure *m, const char *command_line, ws_profile *p);
/* The run in wattscale's plain CSV format (docs/formats.md, ingestible later); the "# key: value" lines
 * carry what the profile's note says. */
int ws_measure_write_csv(const ws_measure *m, const ws_profile *p, const char *command_line, FILE *out);

/* Helpers, exported for the tests. */
/* Busy CPU time of the whole machine from PROC/stat's first line (s); NaN when unreadable. */
double ws_measure_busy_cpu_s(const char *proc_root);
/* 1 when pid is root_pid or descends from it (parents through PROC/PID/stat), 0 when not, -1 when pid
 * is not visible here (another PID namespace). */
int ws_measure_in_tree(const char *proc_root, unsigned pid, unsigned root_pid);

#endif
