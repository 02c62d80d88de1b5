/* ws_sim: the discrete-event simulator. Runs a ws_scenario: arrivals (trace and/or synthetic Poisson
 * classes) are dispatched to sites, queued, placed on nodes and run; node power is piecewise constant
 * between events, so IT energy, facility energy (x PUE), CO2 (x carbon intensity) and cost (x price)
 * are integrated exactly rather than sampled. Memory is O(nodes + queued + running jobs), never
 * O(all jobs): arrivals stream from the generator or the trace file one at a time.
 *
 * Random streams: every stream has its own gsl_rng (MT19937) seeded from (seed, stream id) with
 * ws_sim_stream_seed, so that what-if variants can share streams (common random numbers); the ids are
 * the WS_STREAM_* below.
 *
 * Policies that move energy and carbon (scenarios/README.md, "policy"): greenest / cheapest /
 * energy-aware dispatch, temporal shifting of deferrable classes (a job is held back until its
 * release time; memory stays O(deferred + queued + running jobs)), idle power-down (switch-off
 * instants and wake-up ends are events, so integration stays exact).
 *
 * Power of a node (see scenarios/README.md): CPU node (gpus = 0): P = power(load / cores), where load
 * = sum over its jobs of cores x utilisation (with the linear form: linear in busy cores, as SimGrid's
 * host energy plugin). GPU node: P = sum over its GPUs of power(u_gpu) (u_gpu = the utilisation of the
 * job holding that GPU, 0 when idle) + host_power(load / cores) when given. */
#ifndef WS_SIM_H
#define WS_SIM_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "ws_scenario.h"
#include "ws_store.h"

/* Waiting times, streamed in fixed memory: exact (sorted) while at most WS_WAIT_EXACT values were
 * seen, else from a log histogram with 128 linear sub-bins per power of two: a quantile is reported
 * as the middle of its bin, within 0.4 % relative (or 1/256 s below 1 s) of the exact value. */
#define WS_WAIT_EXACT 4096
#define WS_WAIT_OCTAVES 48
#define WS_WAIT_SUB 128
typedef struct {
    int64_t n, n_zero;               /* zero waits are counted exactly */
    double sum_s, max_s;
    double *exact;                                   /* first WS_WAIT_EXACT values */
    uint64_t *hist; /* (1 + WS_WAIT_OCTAVES) x WS_WAIT_SUB bins */
} ws_wait_stats;

int ws_wait_init(ws_wait_stats *w);
void ws_wait_add(ws_wait_stats *w, double wait_s);
void ws_wait_free(ws_wait_stats *w);
double ws_wait_mean_s(const ws_wait_stats *w);
/* Quantile q in (0, 1], nearest rank (the smallest value with at least q n values <= it); *exact
 * says whether it is exact. NAN when empty. */
double ws_wait_quantile_s(const ws_wait_stats *w, double q, int *exact);

typedef struct {
    char name[WS_NAME_MAX];
    int64_t jobs_started, jobs_completed, deadline_missed;
    double it_energy_j, facility_energy_j, co2_g, cost;
    double busy_core_s, core_s;  /* allocated core-seconds, and cores x duration */
    double busy_gpu_s, gpu_s;
    double last_end_s;           /* latest job end, seconds after start */
    ws_wait_stats wait;
} ws_sim_site_result;

typedef struct {
    char name[WS_NAME_MAX];      /* a class name, or "trace" for trace jobs without a class */
    int64_t jobs_arrived, jobs_started, jobs_completed, deadline_missed;
    double busy_core_s, busy_gpu_s;
    ws_wait_stats wait;
} ws_sim_class_result;

/* Slurm fair-share (policy.submission.priority): one account over all sites. */
typedef struct {
    char name[WS_NAME_MAX];
    double share;           /* normalised */
    double core_s;          /* allocated core-seconds of its jobs within [0, end_s] */
    double usage_core_s;    /* the same decayed with the half-life to end_s (Slurm's usage) */
    double fairshare;       /* 2^(-U/S) at end_s over every site's usage (a site's own when there is one) */
} ws_sim_account_result;

typedef struct {
    ws_sim_site_result total;    /* name "total": sums over sites, waits over every job */
    ws_sim_site_result *sites;
    int n_sites;
    ws_sim_class_result *classes; /* n_classes: the scenario's classes, then "trace" */
    int n_classes;
    double start_unix_s;
    double end_s;                /* the simulated interval is [0, end_s] */
    double makespan_s;           /* last job end (seconds after start) */
    int64_t jobs_arrived, jobs_rejected, jobs_unfinished, trace_skipped;
    int64_t events;
    /* htcondor pilots: pilots started; core-seconds pilots held (start to exit) and their payloads used
     * (start to end), both within [0, end_s]: 1 - payload/pilot is the idle pilot core fraction */
    int64_t pilots_started;
    double pilot_core_s, payload_core_s;
    /* internal, for tests (not reported): the most index nodes and pilots one site's matching pass looked
     * at, which must not grow with the payloads waiting (scenarios/README.md, "submission", cost) */
    int64_t pilot_match_max_work;
    ws_sim_account_result *accounts; /* n_accounts: Slurm's fair-share accounts; 0 without priority */
    int n_accounts;
    int synthetic;               /* no trace: every job came from the generator */
    uint64_t seed;
} ws_sim_result;

/* One hour (or the last, partial one) of one site. */
typedef struct {
    int site;
    double t_s, t_unix_s, dt_s;  /* interval start (after start / Unix) and length */
    double it_energy_j, facility_energy_j, co2_g, cost;
    double mean_it_power_w, mean_facility_power_w, mean_carbon_g_per_kwh, co2_kg_per_h;
    double mean_busy_cores;
    int64_t running, queued;     /* at the end of the interval */
} ws_sim_hour;

typedef struct {
    int64_t id;
    int cls;                     /* class index, or n_classes for unclassed trace jobs */
    int site, group, node, nodes; /* first node (index within the site) and how many */
    int cores, gpus;
    double utilisation;
    double submit_s, start_s, end_s, wait_s;
    int deadline_missed;
} ws_sim_job_record;

typedef struct {
    void (*on_hour)(void *ctx, const ws_sim_hour *h);
    void (*on_job)(void *ctx, const ws_sim_job_record *r);
    /* about every 2^16 events */
    void (*on_progress)(void *ctx, double t_s, double end_s, int64_t jobs_completed);
    void *ctx;
} ws_sim_observer;

typedef struct {
    int override_seed;
    uint64_t seed;
    ws_sim_observer obs;
} ws_sim_options;

/* Run. Returns 0, -1 with err set for bad input (a malformed trace line), or -2 out of memory (err
 * says so). res is filled either way and must be freed. */
int ws_sim_run(const ws_scenario *sc, const ws_sim_options *opt, ws_sim_result *res, ws_error *err);
void ws_sim_result_free(ws_sim_result *res);
/* Reporting (ws_sim_report.c). The summary object `simulate --json` prints: totals (jobs, makespan_s,
 * it_energy_j, facility_energy_j, co2_kg, cost, mean_wait_s, p95_wait_s, utilisation, ...), sites[]
 * and classes[]. */
cJSON *ws_sim_result_to_json(const ws_scenario *sc, const ws_sim_result *r);
/* Store one run through ws_runs: kind "simulate", the scenario's SHA-256 and seed, the summary (which
 * gets "run_id") and one row per site (variant "baseline"). Returns WS_OK with *run_id, or WS_EFAIL. */
int ws_sim_store_run(ws_store *st, const ws_scenario *sc, const ws_sim_result *r, const char *out_dir,
                     cJSON *summary, int64_t *run_id, ws_error *err);
/* Human-readable summary (the text output of `simulate`). */
void ws_sim_print_text(const ws_scenario *sc, const ws_sim_result *r, FILE *out);

/* The hourly series as CSV (ws_sim_report.c), one format for `simulate --out` and what-if runs:
 * a "# synthetic" line when no trace fed the run, then the header, then one row per site and hour. */
void ws_sim_hour_csv_header(FILE *out, int synthetic);
void ws_sim_hour_csv_row(FILE *out, const ws_scenario *sc, const ws_sim_hour *h);

/* Seed of stream `stream` under run seed `seed` (SplitMix64 of both). */
unsigned long ws_sim_stream_seed(uint64_t seed, uint32_t stream);

/* Every random stream id, in one place, in ranges that cannot meet (the limits are checked where the
 * scenario is read: at most WS_STREAM_MAX_CLASSES classes, WS_STREAM_MAX_SITES sites and as many node
 * groups per site, 32 variants x 16 tweaks, 10,000 replicas). */
#define WS_STREAM_MAX_CLASSES 0x7fff
#define WS_STREAM_MAX_SITES 256
enum {
    WS_STREAM_CLASS_ARRIVALS = 1,      /* + 2k: arrival times of class k */
    WS_STREAM_CLASS_RUNTIMES = 2,      /* + 2k: runtime draws of class k */
    WS_STREAM_REPLICA = 0x10000,       /* + r: the run seed of what-if replica r */
    WS_STREAM_MODEL = 0x20000,         /* + 256 site + group: power-model parameter draws */
    WS_STREAM_TWEAK = 0x30000,         /* + 16 variant + tweak: tweak factor draws */
    WS_STREAM_SWEEP_POINT = 0x20000000, /* + p: the seed of sweep point p */
    WS_STREAM_FORECAST = 0x40000000    /* the noisy shifting forecast */
};
_Static_assert(2 * WS_STREAM_MAX_CLASSES + WS_STREAM_CLASS_RUNTIMES <= WS_STREAM_REPLICA, "class streams overlap");
_Static_assert(WS_STREAM_REPLICA + 10000 <= WS_STREAM_MODEL, "replica streams overlap");
_Static_assert(WS_STREAM_MODEL + WS_STREAM_MAX_SITES * 256 <= WS_STREAM_TWEAK, "model streams overlap");
_Static_assert(WS_STREAM_TWEAK + 32 * 16 <= WS_STREAM_SWEEP_POINT, "tweak streams overlap");

#endif
