/* ws_dcsim: DCSim workload files (HEPCompSim/DCSim data/workload-configs: per job type, fitted
 * histograms of cores, flops and memory) as wattscale job classes. Every (job type, core count) with
 * jobs becomes one class; its rate is the type's job count at that core count over the data period;
 * its work is the flops histogram turned into HS23 s. The classes are scenario JSON, so they are parsed
 * and validated like classes written by hand (ws_scenario reads "workload.dcsim" through this). */
#ifndef WS_DCSIM_H
#define WS_DCSIM_H

#include <cjson/cJSON.h>

#include "ws_util.h"

typedef struct {
    const char *prefix;           /* class names are prefix + type + "/" + cores + "c" */
    double period_days;           /* the days the histograms count jobs over (rate = count / days) */
    double scale;                 /* multiplies every rate (1: as counted) */
    double reference_flops_per_s; /* the per-core speed DCSim runs a job's flops at (its platform file) */
    double reference_hs23_per_core; /* HS23 of that reference core */
    const cJSON *utilisation;     /* CPU efficiency: a number, or {"TYPE": u, ..., "default": u} */
    const cJSON *sites;           /* NULL, or the "sites" every class gets (the sites that may run them) */
} ws_dcsim_options;

/* The classes of a DCSim workload file as a JSON array of scenario class objects (caller frees).
 * DCSim runs a job's flops as one sequential computation at a core's speed, so flops / reference speed
 * is its compute wall time on the reference core; at CPU efficiency u on c cores that is a CPU work of
 * wall x c x u x reference HS23 per core (HS23 s), which wattscale turns back into wall time on any node
 * type with W / (HS23 per core x c x u). Memory and file sizes are not modelled (said in docs). NULL with
 * err (file, JSON path) when the file is not a DCSim workload or an option is missing. */
cJSON *ws_dcsim_classes(const char *path, const ws_dcsim_options *opt, ws_error *err);

#endif
