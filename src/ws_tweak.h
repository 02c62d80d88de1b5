/* ws_tweak: tweak factors of a variant job against its baseline (AMP against fp32, a bigger batch
 * against a smaller one ...): the ratios runtime_B/runtime_A, energy_B/energy_A and
 * mean-power_B/mean-power_A with 95% intervals. Used by `wattscale tweak` and by the what-if
 * scenarios (`from_profiles: {baseline: JOB, variant: JOB}`).
 *
 * Interval: delta method on the log ratio of the means,
 *   se(ln R)^2 = s_A^2 / (n_A m_A^2) + s_B^2 / (n_B m_B^2),   R exp(+-t se),
 * t the 0.975 quantile with Welch-Satterthwaite degrees of freedom. It needs at least two runs on
 * both sides; otherwise the interval is unknown: lo = hi = R and interval_known = 0. */
#ifndef WS_TWEAK_H
#define WS_TWEAK_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "ws_store.h"
#include "ws_util.h"

/* One run: runtime, energy and mean power (energy / runtime when both are known). */
typedef struct {
    double runtime_s, energy_j, power_w;
    double work; /* NaN when the profile carries none */
    int64_t profile_id;
} ws_tweak_run;

typedef struct {
    double ratio, lo, hi;
    double dof;         /* Welch-Satterthwaite; NaN when unknown */
    int interval_known;
} ws_ratio;

typedef struct {
    double mean, sd; /* sd NaN with one run */
    int n;
} ws_tweak_side;

typedef struct {
    char baseline[128], variant[128], arch[128];
    int n_baseline, n_variant;
    ws_tweak_side base_runtime_s, base_energy_j, base_power_w;
    ws_tweak_side var_runtime_s, var_energy_j, var_power_w;
    ws_ratio runtime, energy, power;
    char method[96];
    char note[256]; /* why an interval is unknown, ... */
    int per_work;   /* runtimes and energies were divided by each run's work before the ratios */
    char work_unit[32];
} ws_tweak;

/* Ratios from runs in memory. Returns 0, or WS_EINPUT (no runs, non-positive values). */
int ws_tweak_from_runs(const ws_tweak_run *a, int na, const ws_tweak_run *b, int nb, ws_tweak *out, ws_error *err);

/* Read the runs of both jobs from the store (arch may be NULL: the architecture both jobs share, an
 * error when there are several) and compute. When every run on both sides carries work in the same
 * unit, runtime and energy are compared per unit of work (2 epochs against 5 epochs is no tweak). Returns 0, WS_EINPUT (unknown job, ambiguous arch) or
 * WS_EFAIL. */
int ws_tweak_compute(ws_store *st, const char *baseline, const char *variant, const char *arch, ws_tweak *out,
                     ws_error *err);

/* Runs of one job on one architecture (at most max); returns the count, or -1. */
/* Returns how many, -2 when there are more than max (a subset would give wrong ratios), -1 on a store error. */
int ws_tweak_load_runs(ws_store *st, const char *job, const char *arch, ws_tweak_run *runs, int max);

cJSON *ws_tweak_to_json(const ws_tweak *t);

#endif
