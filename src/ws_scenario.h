/* ws_scenario: a simulation scenario as a parsed, validated C value: sites (PUE, carbon intensity,
 * price, node groups with power models), workload (trace and/or synthetic job classes), policy,
 * horizon and seed. Parsing is separate from the engine (ws_sim) so that variants can edit a scenario
 * in memory. Every validation message names the JSON path: "FILE: sites[1].nodes[0].count: must be > 0".
 * The format is documented in scenarios/README.md. */
#ifndef WS_SCENARIO_H
#define WS_SCENARIO_H

#include <cjson/cJSON.h>
#include <gsl/gsl_histogram.h>
#include <stdint.h>

#include "ws_carbon.h"
#include "ws_model.h"
#include "ws_util.h"

#define WS_NAME_MAX 64

typedef struct {
    char type[WS_NAME_MAX];
    int count;
    int cores;
    int gpus;
    double hs23_per_core;      /* HEPScore23 per core: how fast work in HS23 s runs here (0: not given) */
    int gpu_jobs_only;         /* 1: jobs without GPUs are never placed here (a GPU partition) */
    ws_power_model power;      /* CPU nodes: the node at u = load / cores; GPU nodes: one GPU */
    int has_host_power;
    ws_power_model host_power; /* GPU nodes: the host at u = busy cores / cores (optional) */
} ws_node_group;

/* Idle power-down ("policy.power_down", or a site's own "power_down"); enabled = 0: nodes never switch off. */
typedef struct {
    int enabled;
    double after_s; /* a node idle this long switches off */
    double off_w;   /* power while off */
    double wake_s;  /* wake-up latency of an off node a job is placed on */
    double wake_w;  /* power while waking */
} ws_power_down;

typedef struct {
    char name[WS_NAME_MAX];
    const ws_series *pue;              /* owned by the scenario (shared series are loaded once) */
    const ws_series *carbon_g_per_kwh;
    const ws_series *price_per_kwh;    /* NULL when no price is given */
    ws_node_group *groups;
    int n_groups;
    ws_power_down power_down; /* this site's: its own "power_down" (false: none), else the policy's */
    int own_power_down;
} ws_site;

typedef enum { WS_RUNTIME_FIXED, WS_RUNTIME_LOGNORMAL, WS_RUNTIME_JOB_MODEL, WS_RUNTIME_HS23_WORK } ws_runtime_kind;
/* How the work of an hs23_work runtime is drawn. */
typedef enum { WS_WORK_FIXED, WS_WORK_LOGNORMAL, WS_WORK_HISTOGRAM } ws_work_dist;

typedef struct {
    char node_type[WS_NAME_MAX]; /* "" = any node type without an entry of its own */
    ws_runtime_kind kind;
    double fixed_s;
    double median_s, sigma;      /* lognormal: median * exp(sigma z) */
    ws_job_model job_model;      /* T = t0 + t1 work (+ sigma_t z when "noise": true) */
    double work;
    int noise;
    double power_factor;         /* multiplies the job's utilisation-driven power on this node type
                                  * (CPU: its load; GPU: power(u) - power(0)); 1 = as modelled */
    /* hs23_work: the job's CPU work W in HS23 s (HEPScore23 x CPU seconds, as WLCG accounts it), fixed,
     * lognormal or an empirical histogram; its runtime on a node type is
     * W x work_scale / (hs23_per_core x cores x utilisation), utilisation being the CPU efficiency. */
    ws_work_dist work_dist;
    double work_hs23_s;          /* fixed; lognormal: the median (sigma above) */
    const gsl_histogram_pdf *work_pdf; /* histogram (owned by the scenario) */
    double work_mean_hs23_s;     /* the distribution's mean: what energy-aware dispatch expects */
    double work_scale;           /* 1; a tweak's runtime factor multiplies it (-10% CPU time: 0.9) */
    /* hs23_work moved to GPUs (ws_offload): > 0: the CPU work runs on the job's GPUs at gpu_hs23 each and
     * the rest of the wall time at cpu_efficiency stays on the host (ws_offload_s_per_work) */
    double gpu_hs23;
    double cpu_efficiency;
} ws_runtime_spec;

typedef struct {
    char name[WS_NAME_MAX];
    double rate_per_day;  /* 0: class only labels trace jobs */
    int has_profile;
    double profile[24];   /* relative weights by UTC hour, normalised to mean 1 */
    int cores, gpus;
    double utilisation;   /* 0..1 while running: drives the power model */
    double deadline_s;    /* 0 = none; counted when end - submit exceeds it */
    ws_runtime_spec *runtimes;
    int n_runtimes;
    double shift_slack_s; /* > 0: deferrable ("shift": {"slack_s": S}): may start in [submit, submit + S] */
    unsigned char *site_ok; /* "sites": [names]: site_ok[i] says whether site i may run it; NULL: every site */
} ws_job_class;

typedef enum { WS_QUEUE_FIFO, WS_QUEUE_EASY_BACKFILL, WS_QUEUE_SJF, WS_QUEUE_COUNT } ws_queue_policy;
typedef enum { WS_PLACE_FIRST_FIT, WS_PLACE_BEST_FIT, WS_PLACE_SPREAD, WS_PLACE_COUNT } ws_place_policy;
typedef enum {
    WS_DISPATCH_ROUND_ROBIN,
    WS_DISPATCH_LEAST_LOADED,
    WS_DISPATCH_GREENEST,     /* lowest current carbon x PUE */
    WS_DISPATCH_CHEAPEST,     /* lowest current price (no price = +infinity) */
    WS_DISPATCH_ENERGY_AWARE, /* (site, node group) of lowest predicted energy; placement restricted to it */
    WS_DISPATCH_COUNT
} ws_dispatch_policy;
typedef enum { WS_FORECAST_PERFECT, WS_FORECAST_NOISY, WS_FORECAST_COUNT } ws_forecast_kind;

/* Temporal shifting of deferrable jobs ("policy.shifting"); enabled = 0: deferrable jobs start at once. */
typedef struct {
    int enabled;
    ws_forecast_kind forecast;
    double noise_sigma; /* noisy: forecast = real carbon x exp(sigma z), one z per site and UTC hour */
    double step_s;      /* grid of candidate start delays */
} ws_shift_policy;


/* The job submission system in front of each site's queue ("policy.submission"):
 * batch: every arrival and every job end starts what can start at once (the default);
 * htcondor: jobs are matched to slots only at negotiation cycles, every cycle_s (NEGOTIATOR_INTERVAL);
 * slurm: the main scheduler starts the queue's head at once, the backfill scheduler runs every cycle_s
 *        (bf_interval; needs queue easy-backfill). */
typedef enum { WS_SUBMIT_BATCH, WS_SUBMIT_HTCONDOR, WS_SUBMIT_SLURM, WS_SUBMIT_COUNT } ws_submit_system;

/* Slurm's multifactor priority ("policy.submission.priority", slurm only; scenarios/README.md): a pending
 * job's priority is weight_age x min(age / max_age_s, 1) + weight_fairshare x F(account) + weight_qos x qos,
 * with F = 2^(-U/S) over flat accounts per site (U: the account's decayed core-second usage over the
 * site's, S: its normalised share), recomputed every calc_period_s. enabled = 0: arrival order. */
#define WS_MAX_ACCOUNTS 64
typedef struct {
    int enabled;
    double weight_age, weight_fairshare, weight_qos;
    double max_age_s, decay_half_life_s, calc_period_s;
    int n_accounts;
    char account[WS_MAX_ACCOUNTS][WS_NAME_MAX];
    double share[WS_MAX_ACCOUNTS]; /* normalised: they sum to 1 */
    int *class_account;            /* per class, then trace jobs without a class: an account index */
    double *class_qos;             /* the same: the normalised QOS factor, 0..1 */
} ws_priority;

/* htcondor with "pilot": multi-core pilots (glideins) of pilot_cores cores on one node, each held at most
 * pilot_lifetime_s and leaving after pilot_idle_timeout_s without a payload; jobs of at most
 * pilot_cores cores and no GPUs run only inside pilots (scenarios/README.md, "submission"). */
typedef struct {
    ws_submit_system system;
    double cycle_s;
    ws_priority priority;
    int pilots; /* 1: "pilot" given (htcondor only) */
    int pilot_cores;
    double pilot_lifetime_s, pilot_idle_timeout_s;
} ws_submission;

typedef struct {
    ws_queue_policy queue;
    ws_place_policy placement;
    ws_dispatch_policy dispatch;
    ws_submission submission;
    double submit_overhead_s;
    int backfill_depth; /* easy-backfill looks at most this many queued jobs per pass */
    ws_shift_policy shifting;
    ws_power_down power_down;
} ws_policy;

/* A horizon outside a CSV series' span: refused (default), the first/last value held, or the series'
 * year replayed on the horizon's (the rows moved by the days between the two 1 Januaries). */
typedef enum { WS_SERIES_REFUSE = 0, WS_SERIES_HOLD, WS_SERIES_MAP_YEAR } ws_series_outside;

typedef struct {
    char path[1024];        /* the scenario file ("" when built in memory) */
    char dir[1024];         /* relative paths resolve against this */
    char sha256[65];        /* of the file's bytes */
    ws_site *sites;
    int n_sites;
    char trace[1024];       /* resolved path, or "" */
    char trace_class[WS_NAME_MAX]; /* class whose utilisation/deadline trace jobs get ("" = util 1) */
    ws_job_class *classes;
    int n_classes;
    ws_policy policy;
    double start_unix_s;    /* t = 0 of the simulation, and of the trace's submit times */
    double days;            /* arrival window; 0 with until_makespan = until the trace ends */
    int until_makespan;     /* run until the last job ends (else until start + days) */
    ws_series_outside series_outside; /* horizon.series_outside: what a table series does outside its span */
    double series_shift_s;  /* map-year: how far table series were moved (0 otherwise) */
    uint64_t seed;
    char currency[16];
    ws_series **series;     /* every series the sites point to */
    int n_series;
    gsl_histogram_pdf **work_pdfs; /* every hs23_work histogram the classes point to */
    int n_work_pdfs;
} ws_scenario;

const char *ws_queue_policy_name(ws_queue_policy p);
const char *ws_place_policy_name(ws_place_policy p);
const char *ws_dispatch_policy_name(ws_dispatch_policy p);
const char *ws_forecast_name(ws_forecast_kind k);
const char *ws_submit_system_name(ws_submit_system k);

/* Read, parse and validate a scenario file. Returns 0, or -1 with err = FILE: json.path: message. */
int ws_scenario_load(const char *path, ws_scenario *sc, ws_error *err);
/* The same from parsed JSON; file names the source in messages and dir anchors relative paths. */
int ws_scenario_from_json(const cJSON *root, const char *file, const char *dir, ws_scenario *sc, ws_error *err);
void ws_scenario_free(ws_scenario *sc);
/* True when the workload has no trace (every job comes from the synthetic generator). */
int ws_scenario_synthetic(const ws_scenario *sc);
/* Index of a class by name, or -1. */
int ws_scenario_find_class(const ws_scenario *sc, const char *name);
/* May class k run at site si ("sites" of the class; every site when it has none)? */
int ws_class_site_ok(const ws_job_class *k, int si);

/* Nodes of group g that one job of (cores, gpus) occupies: 1 when it fits one node, k > 1 whole
 * nodes when it needs more than one node has, 0 when the group can never run it. */
int ws_group_nodes_needed(const ws_node_group *g, int cores, int gpus);
/* The runtime entry of class c for a node type: its own entry, else the default, else NULL. */
const ws_runtime_spec *ws_class_runtime(const ws_job_class *c, const char *node_type);
/* The runtime of class k's spec r on node group g for the job's standard normal draw z (the job's one
 * random number: lognormal exp(sigma z), a job model's noise, or the histogram quantile Phi(z)); 0 when
 * not positive and finite. */
double ws_runtime_draw_s(const ws_runtime_spec *r, const ws_job_class *k, const ws_node_group *g, double z);
/* The expected runtime (no draw): fixed value, lognormal median, job model t0 + t1 work, hs23_work at the
 * mean (histogram) or median (lognormal) work. */
double ws_runtime_expected_s(const ws_runtime_spec *r, const ws_job_class *k, const ws_node_group *g);
#endif
