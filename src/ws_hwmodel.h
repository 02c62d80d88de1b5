/* ws_hwmodel: server power models per CPU from public tables. Full-load power and HEPScore23 (HS23)
 * come from the HEPiX benchmarking working group's table (whole-server power read with ipmitool dcmi
 * while HEPScore23 runs, i.e. at full load); idle power from the idle/full ratio of SPECpower_ssj2008
 * results of the same CPU family; the shape between idle and full from 11-point SPECpower curves of
 * the same family. What no table gives is labelled ASSUMED. The model is an ordinary power model
 * (ws_model: piecewise or linear) plus a "hep" object and a per-number provenance block.
 *
 * Rules (documented in README "Server power models from HEPiX and SPECpower"):
 *  - CPU family: AMD EPYC NABC -> "epyc-Nxx" C (first and last digit: 7xx2 Rome, 7xx3 Milan, 9xx4 Genoa,
 *    9xx5 Turin, ...); Intel Xeon Bronze/Silver/Gold/Platinum NGxx -> "xeon-sp-genG" (second digit: 1
 *    Skylake, 2 Cascade Lake, 3 Ice Lake, 4 Sapphire Rapids, 5 Emerald Rapids); Xeon E5-NNNN vK ->
 *    "xeon-e5-vK" (no vK: v1). Anything else (Arm: Neoverse, Grace, Altra) has no family.
 *  - HEPiX power: electric_power_mean > 0 (a 0 is a missing reading, not a measurement).
 *  - Held out: for every CPU string with two or more rows with power, the last such row in file order.
 *  - SPECpower rows used: 1 node, 1 or 2 chips, idle and 100% numbers present ("NC" rows skipped).
 */
#ifndef WS_HWMODEL_H
#define WS_HWMODEL_H

#include <cjson/cJSON.h>

#include "ws_model.h"
#include "ws_util.h"

#define WS_HW_CPU_LEN 160
#define WS_HW_FAMILY_LEN 32
#define WS_HW_CURVE_POINTS 11 /* SPECpower: active idle, 10%, ..., 100% */

typedef struct {
    long line; /* line where the record starts (1-based; the header is line 1) */
    char cpu[WS_HW_CPU_LEN];
    char site[64];
    int smt, sockets, cores_per_socket;
    int threads; /* HEPiX "Ncores": online logical CPUs */
    int n_meas;
    double score;                /* HS23 of the whole server */
    double power_w, power_sd_w;  /* electric_power_mean / _std; NAN when absent (power 0 is absent) */
    int held_out;
} ws_hepix_row;

typedef struct {
    char path[512];
    char sha256[65];
    ws_hepix_row *rows;
    int n;
} ws_hepix_table;

typedef struct {
    long line;
    char cpu[WS_HW_CPU_LEN];
    char family[WS_HW_FAMILY_LEN]; /* "" when none */
    int nodes, chips, cores;
    double full_w, idle_w; /* avg. watts @ 100% / @ active idle */
} ws_specpower_row;

typedef struct {
    char path[512];
    char sha256[65];
    ws_specpower_row *rows;
    int n;
    int n_headers;      /* header records met (the file repeats its header, in two layouts) */
    int n_noncompliant; /* "NC" results skipped */
} ws_specpower_table;

typedef struct {
    long line;
    char server[96], cpu[96], url[200], note[200];
    char family[WS_HW_FAMILY_LEN];
    double w[WS_HW_CURVE_POINTS];
} ws_spec_curve;

typedef struct {
    char path[512];
    char sha256[65];
    ws_spec_curve *curves;
    int n;
} ws_curve_table;

/* Read the tables (columns by name). WS_OK, or WS_EINPUT / WS_EFAIL with err naming FILE:LINE. */
int ws_hwmodel_read_hepix(const char *path, ws_hepix_table *t, ws_error *err);
int ws_hwmodel_read_specpower(const char *path, ws_specpower_table *t, ws_error *err);
int ws_hwmodel_read_curves(const char *path, ws_curve_table *t, ws_error *err);
void ws_hwmodel_free_hepix(ws_hepix_table *t);
void ws_hwmodel_free_specpower(ws_specpower_table *t);
void ws_hwmodel_free_curves(ws_curve_table *t);

/* Mark the held-out rows (rule above); returns how many. */
int ws_hwmodel_mark_holdout(ws_hepix_table *t);

/* The family key of a CPU description (rule above): 0 and key in out, or -1 (none; out ""). */
int ws_hwmodel_family(const char *cpu, char *out, size_t size);
/* A readable name of a family key ("AMD EPYC 7003 (Milan)"), or the key itself. */
const char *ws_hwmodel_family_name(const char *key);
/* Case-insensitive glob (* and ?) on the whole text; a pattern without * or ? matches as a substring. */
int ws_hwmodel_match(const char *pattern, const char *text);

typedef struct {
    const char *cpu; /* pattern, see ws_hwmodel_match */
    int sockets;     /* 0: any */
    int smt;         /* -1: any, 0 off, 1 on */
    int include_held_out;
} ws_hwmodel_query;

#define WS_HW_MAX_ROWS 64
#define WS_HW_MAX_SPEC 512
#define WS_HW_MAX_CURVES 16

typedef struct {
    char cpu[WS_HW_CPU_LEN];
    char family[WS_HW_FAMILY_LEN]; /* "" when the CPU has none */
    int n_rows;
    int rows[WS_HW_MAX_ROWS];      /* indices into the HEPiX table */
    long lines[WS_HW_MAX_ROWS];    /* their line numbers */
    int n_held_out;                /* rows of this CPU left out as held out */
    long held_out_lines[WS_HW_MAX_ROWS];
    int sockets, cores, threads, smt;
    double hs23, hs23_per_core, hs23_per_thread;
    double max_w;    /* mean of the rows' electric_power_mean */
    double max_sd_w; /* between rows (n >= 2), else the one row's within-run std; NAN unknown */
    int max_sd_between_rows;
    double w_per_hs23; /* max_w / hs23 (ratio of the means) */
    /* idle: idle_fraction x max_w */
    double idle_fraction, idle_fraction_min, idle_fraction_max;
    int idle_assumed; /* 1: the family has no SPECpower rows; the population of x86 server families */
    int n_spec;
    int spec[WS_HW_MAX_SPEC]; /* indices into the SPECpower table */
    double idle_w;
    /* curve: mean normalised shape of the family's 11-point curves; none: linear (ASSUMED) */
    int n_curves;
    int curves[WS_HW_MAX_CURVES];
    double shape[WS_HW_CURVE_POINTS];
    ws_power_model model;
} ws_server_model;

/* Build the model of the HEPiX rows that q selects (rows with power, one CPU string and one
 * configuration of sockets, cores per socket and SMT; held-out rows left out unless asked). The
 * SPECpower table sp is required (idle); cv may be NULL (then the form is linear, ASSUMED). WS_EINPUT
 * with a message naming the file and the CPU when the rows do not make one model. */
int ws_hwmodel_build(const ws_hepix_table *h, const ws_specpower_table *sp, const ws_curve_table *cv,
                     const ws_hwmodel_query *q, ws_server_model *m, ws_error *err);

/* The model file object: ws_model_to_json of m->model plus "name", "note", "hep" and "provenance". */
cJSON *ws_hwmodel_to_json(const ws_server_model *m, const ws_hepix_table *h, const ws_specpower_table *sp,
                          const ws_curve_table *cv);

/* One line of models/servers.csv; the header first. */
const char *ws_hwmodel_csv_header(void);
void ws_hwmodel_csv_row(const ws_server_model *m, FILE *out);

/* The independent check: every held-out row's power predicted as W/HS23 of the other rows of its CPU
 * string (ratio of the means) x the row's own HS23. */
typedef struct {
    long line;
    char cpu[WS_HW_CPU_LEN];
    char site[64];
    int sockets, cores, smt, n_train;
    double score, measured_w, w_per_hs23, predicted_w, error_rel;
    double same_config_w; /* mean power of the training rows of the same configuration; NAN none */
} ws_holdout_result;

/* Fills up to max results (n: how many); mape: mean of |error_rel|. WS_EINPUT when no row is held out. */
int ws_hwmodel_holdout_check(const ws_hepix_table *h, ws_holdout_result *res, int max, int *n, double *mape,
                             ws_error *err);

#endif
