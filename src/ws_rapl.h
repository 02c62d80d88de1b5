/* ws_rapl: CPU package and DRAM energy from the Linux powercap sysfs (Intel RAPL, and AMD's RAPL-compatible
 * counters behind the same driver): /sys/class/powercap/intel-rapl:N (package-N) and intel-rapl:N:M
 * (dram, core, uncore). Each zone's energy_uj is a counter that wraps at max_energy_range_uj; reading it
 * often enough (a package counter of 262 kJ wraps after ~20 min at 200 W) and adding the wrapped range
 * gives the energy. Since Linux 5.10 (CVE-2020-8694) energy_uj is readable by root only: then nothing is
 * measured and why says so. There is no fallback to a TDP estimate. */
#ifndef WS_RAPL_H
#define WS_RAPL_H

#include <stdint.h>

#include "ws_util.h"

#define WS_RAPL_MAX_ZONES 32

typedef enum { WS_RAPL_PACKAGE = 0, WS_RAPL_DRAM = 1 } ws_rapl_kind;

typedef struct {
    char name[64];        /* "package-0", "dram" */
    char zone[64];        /* "intel-rapl:0", "intel-rapl:0:0" */
    char path[600];       /* .../energy_uj */
    ws_rapl_kind kind;
    uint64_t max_range_uj; /* the counter wraps to 0 after this */
    uint64_t first_uj, last_uj;
    double energy_j;      /* accumulated since ws_rapl_start */
    long n_wraps;
} ws_rapl_zone;

typedef struct {
    ws_rapl_zone zones[WS_RAPL_MAX_ZONES];
    int n;              /* readable package and dram zones */
    int available;      /* 1 when at least one package zone is readable */
    char why[320];      /* when not available (or a zone was left out): why, for the user */
} ws_rapl;

/* Find the package and dram zones under root ("/sys/class/powercap"; tests pass a fake tree) and read
 * them once. Always returns WS_OK with r->available 0 and r->why set when RAPL cannot be read (no
 * powercap tree, no RAPL zones, energy_uj not readable: permission); WS_EFAIL only for memory/system
 * errors. Zones are in name order (package-0, dram of package 0, package-1, ...). */
int ws_rapl_open(ws_rapl *r, const char *root, ws_error *err);
/* Take the current counters as the start (energy 0). WS_OK, or WS_EFAIL with err when a zone that was
 * readable no longer is. */
int ws_rapl_start(ws_rapl *r, ws_error *err);
/* Read every zone and add what was used since the last read (a counter lower than the last reading has
 * wrapped once: range - last + now). WS_OK or WS_EFAIL with err. */
int ws_rapl_read(ws_rapl *r, ws_error *err);
/* Energy since ws_rapl_start of every package zone, and of every dram zone (J); NaN when there is none. */
double ws_rapl_package_j(const ws_rapl *r);
double ws_rapl_dram_j(const ws_rapl *r);
/* The energy used between two readings of a counter with this range (µJ; now < last: one wrap). */
uint64_t ws_rapl_delta_uj(uint64_t last_uj, uint64_t now_uj, uint64_t max_range_uj);

#endif
