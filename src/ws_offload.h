/* ws_offload: a share of some job classes moved onto GPUs ("workload.offload"). A class whose work is in
 * HS23 s is split by Poisson thinning: fraction f of its arrivals becomes a new class "NAME@TYPE" that
 * holds gpus GPUs (and its cores on the host) of node type TYPE; the rest stays. The moved job's CPU work
 * runs on its GPUs at gpu_hs23 each (a GPU's speed for this work in HS23, measured as its throughput over
 * one core's times that core's HS23), while the rest of its wall time (its I/O and waits, 1/u - 1 of its
 * CPU time at CPU efficiency u) stays as on the host's cores: Amdahl's law with the CPU efficiency as the
 * accelerated fraction. The new class's utilisation is the GPU's duty: the share of its wall time the
 * GPU computes, which drives the GPU's power model (a duty-cycle curve). ws_scenario parses and
 * validates the entry; this module owns the formula and the class transformation (scenario JSON). */
#ifndef WS_OFFLOAD_H
#define WS_OFFLOAD_H

#include <cjson/cJSON.h>

#include "ws_util.h"

typedef struct {
    const char *classes;       /* fnmatch pattern of the class names to split */
    double fraction;           /* (0, 1]: the share of their arrivals that moves */
    const char *node_type;     /* the GPU node type the moved jobs run on */
    int gpus;                  /* GPUs a moved job holds (>= 1) */
    double gpu_hs23;           /* one GPU's speed for this work, HS23 */
    double cpu_efficiency;     /* (0, 1]; 0: each class's own utilisation */
    double host_hs23_per_core; /* of the node type's host cores (its I/O part runs as there) */
    const cJSON *sites;        /* NULL, or the sites the moved classes may run at */
} ws_offload;

/* Wall seconds per HS23 s of work of a moved job on cores host cores and gpus GPUs. */
double ws_offload_s_per_work(double gpu_hs23, int gpus, double cpu_efficiency, double host_hs23_per_core, int cores);
/* The GPU's duty over a moved job's wall time: compute / (compute + I/O), in (0, 1]. */
double ws_offload_gpu_duty(double gpu_hs23, int gpus, double cpu_efficiency, double host_hs23_per_core, int cores);

/* Split every class of the array classes (scenario class objects) whose name matches o->classes and
 * that has arrivals and an hs23_work "runtime": its rate becomes (1 - f) x rate and a class "NAME@TYPE"
 * with f x rate is appended. Returns the number split (0: none matched), or -1 with err (field = the
 * class) when a matching class cannot be moved or memory runs out; classes is then unchanged. */
int ws_offload_split(cJSON *classes, const ws_offload *o, ws_error *err);

#endif
