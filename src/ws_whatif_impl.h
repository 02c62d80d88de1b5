/* ws_whatif_impl: the state a what-if run shares between its two modules, ws_whatif.c (variants and
 * replicas: parsing, drawing, running, gathering) and ws_whatif_report.c (the report JSON built from the
 * replicas' rows). Internal: nothing outside those two files includes it. */
#ifndef WS_WHATIF_IMPL_H
#define WS_WHATIF_IMPL_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "ws_scenario.h"

#define MAX_VARIANTS 32
#define MAX_TWEAKS 16
#define MAX_CT 1024 /* class x node type cells for attributed energy (a WLCG scenario has ~150) */

/* Per-run metrics, in this order in every row. */
enum { M_JOBS, M_MAKESPAN_S, M_IT_KWH, M_FAC_KWH, M_CO2_KG, M_COST, M_MEAN_WAIT_S, M_P95_WAIT_S, M_MISSES,
       M_ARRIVED, M_SIM_DAYS, M_EMBODIED_KG, M_ATTR_KWH,
       /* the same inside the measurement window (projection.window), which per-day figures use */
       M_WIN_IT_KWH, M_WIN_FAC_KWH, M_WIN_CO2_KG, M_WIN_COST, M_WIN_JOBS, M_COUNT };

typedef struct {
    char cls[WS_NAME_MAX], node_type[WS_NAME_MAX]; /* "*" = all */
    double runtime_f, power_f;   /* central factors */
    double runtime_logsd, power_logsd;
    char from[512];              /* "literal" or "profiles: A -> B on arch" */
    int interval_known;
} tweak_t;

typedef struct {
    char name[WS_NAME_MAX];
    char description[512];
    ws_scenario sc;
    ws_power_model *orig_power, *orig_host; /* per group, flattened over sites */
    ws_runtime_spec **orig_runtimes;        /* per class, as parsed */
    int *orig_n_runtimes;
    tweak_t tweaks[MAX_TWEAKS];
    int n_tweaks;
    double *rows;      /* replicas x M_COUNT */
    double *site_rows; /* replicas x n_sites x 4: jobs, it kWh, facility kWh, co2 kg */
    char ct_class[MAX_CT][WS_NAME_MAX], ct_type[MAX_CT][WS_NAME_MAX];
    int n_ct;
    double *ct_rows;   /* replicas x MAX_CT: attributed IT kWh */
    cJSON *doc;        /* the variant's scenario document (patched), from which workers parse their copies */
    cJSON *rests_on;   /* the variant's own "rests_on" labels (owned), or NULL */
} variant_t;

typedef struct {
    variant_t v[MAX_VARIANTS];
    int n;
    int replicas;
    uint64_t seed;
    const cJSON *doc;
    const char *file;
    const char *dir; /* relative paths in the scenario resolve against it */
    double scale_factor, target_jobs_per_day;
    double window_from_s, window_to_s; /* measurement window, seconds after the start */
    double lifetime_years;
    const cJSON *embodied; /* projection.embodied */
    cJSON *assumptions;
    cJSON *tweak_inputs;
    cJSON *measured_files; /* sources of the profiles behind from_profiles tweaks */
} whatif_t;

/* Add an assumption to the report (once: a repeated sentence is dropped). */
void ws_whatif_assume(whatif_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ws_whatif_report.c: every tweak of every variant as the report's inputs.tweaks (into w->tweak_inputs). */
void ws_whatif_tweak_inputs(whatif_t *w);
/* ws_whatif_report.c: the report JSON (docs/report-json.md) from the rows of every replica; base is the
 * baseline scenario document, sha256 the scenario file's. */
cJSON *ws_whatif_assemble(whatif_t *w, const cJSON *base, const char *sha256);

#endif
