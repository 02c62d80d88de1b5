/* ws_ingest: the measured-profile model shared by every input format, the sink that parsers
 * write to (the store, or memory in tests), format sniffing and the format registry.
 * A parser reads one file and emits profiles: begin -> samples -> end; one file may hold several
 * profiles (CodeCarbon runs, GPUs interleaved in an nvidia-smi log). */
#ifndef WS_INGEST_H
#define WS_INGEST_H

#include <stdint.h>

#include "ws_csv.h"
#include "ws_util.h"

/* One measured job run on one device or host. Unknown numbers are NaN, unknown strings empty. */
typedef struct {
    int64_t id;          /* set by the sink's begin */
    int source_index;    /* 0,1,... within the file; set by the parser */
    char job[128];
    char arch[128];      /* slug, see ws_slugify_arch */
    char arch_name[192]; /* as written */
    char device[128];
    char run_id[128];
    char start_time[40];
    char country[64], region[64];
    char work_unit[32];
    char energy_note[320];
    double start_unix_s, duration_s;
    double energy_cpu_j, energy_gpu_j, energy_ram_j, energy_j;
    double energy_lo_j, energy_hi_j;
    double mean_power_w, peak_power_w, mean_util_pct;
    double emissions_kg, pue, work, max_gap_s;
    long n_samples, n_gaps;
} ws_profile;

/* --skip-bad-rows: rows that could not be read, counted, the first few by line. */
typedef struct {
    long n;
    long lines[5];
} ws_skips;

/* One point of a profile's time series. Unknown values are NaN. */
typedef struct {
    double t_s; /* seconds since the profile's first sample */
    double power_w, util_pct, mem_util_pct;
    double cpu_power_w, gpu_power_w, ram_power_w;
    double energy_j; /* cumulative, when the tool reports it */
} ws_sample;

typedef struct ws_ingest_sink ws_ingest_sink;
struct ws_ingest_sink {
    void *ctx;
    int (*begin)(ws_ingest_sink *sink, ws_profile *p); /* sets p->id */
    int (*sample)(ws_ingest_sink *sink, const ws_profile *p, const ws_sample *s);
    int (*end)(ws_ingest_sink *sink, ws_profile *p);   /* final numbers */
};

typedef struct {
    const char *path;       /* the file, as named in messages */
    const char *job;        /* --job, or NULL */
    const char *arch;       /* --arch, or NULL: used when the file does not say */
    const char *columns;    /* --columns for header-less nvidia-smi logs, or NULL */
    const char *work_column; /* --work-column: a column, or a product "a*b", giving each row's work */
    double work;            /* --work, NaN when not given */
    const char *work_unit;  /* --work-unit */
    double gap_s;           /* sample gaps longer than this are reported (default 5 s) */
    int keep_samples;       /* store samples (default 1) */
    int allow_implausible;  /* store values outside ws_plausible's bounds (default 0: refuse them) */
    int replace;            /* a file ingested before: replace what it gave (default: nothing to do) */
    ws_skips *skip_bad_rows; /* non-NULL: skip rows that cannot be read, counting them here (default strict) */
    double tool_pue;        /* --tool-pue: the PUE a tool multiplied its energy by (CarbonTracker); NaN unknown */
    long *line_now;         /* non-NULL: readers keep the line being read here (for messages about samples) */
    /* Column mapping for CSV time series of any other tool (wattscale-csv): names of the time, power,
     * cumulative energy and device columns, and the units of power (W, mW, kW) and energy (J, Wh, kWh);
     * NULL = the format's own. */
    const char *time_column, *power_column, *energy_column, *device_column, *power_unit, *energy_unit;
} ws_ingest_opts;

/* A parser: reads opts->path, writes to sink, fills tool_version (may stay empty).
 * Returns 0, or WS_EINPUT with err set (FILE:LINE: field: message), or WS_EFAIL. */
typedef int (*ws_ingest_fn)(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool_version[64],
                            ws_error *err);

typedef struct {
    const char *name;        /* --format value */
    const char *description;
    ws_ingest_fn parse;
} ws_ingest_format;

/* The registry, terminated by a {NULL} entry. */
extern const ws_ingest_format ws_ingest_formats[];
const ws_ingest_format *ws_ingest_format_find(const char *name);

/* Sniff a file's format from its first lines (header names, JSON keys). Returns the registry entry,
 * or NULL with err set (empty file, unknown layout). */
const ws_ingest_format *ws_ingest_sniff(const char *path, ws_error *err);

/* Initialise a profile: numbers NaN, strings empty, job/arch/work from the options. */
void ws_profile_init(ws_profile *p, const ws_ingest_opts *opts, int source_index);
/* Set arch_name and the slug; --arch wins when given. */
void ws_profile_set_arch(ws_profile *p, const ws_ingest_opts *opts, const char *name_in_file);
void ws_sample_init(ws_sample *s);

/* Trapezoid integration of a power series over real timestamps, with gap detection. */
typedef struct {
    double t_first, t_prev, p_prev;
    double energy_j, energy_lo_j, energy_hi_j;
    double peak_w, util_sum_pct;
    long n, n_util, n_gaps;
    double max_gap_s, gap_total_s, gap_s;
} ws_trapz;
void ws_trapz_init(ws_trapz *tz, double gap_s);
/* Add a sample; t must not go backwards (the caller reports that with file and line). */
void ws_trapz_add(ws_trapz *tz, double t_s, double power_w, double util_pct);
/* Write duration, energy (with an interval over gaps), mean/peak power into p. */
void ws_trapz_finish(const ws_trapz *tz, ws_profile *p);
/* NVML/nvidia-smi power is a ~1 s moving average: jobs shorter than WS_SHORT_JOB_S read low. Widen
 * the energy interval and say so (only for readings of that kind). */
void ws_profile_flag_short_job(ws_profile *p);

/* Jobs shorter than this read low on NVML/nvidia-smi (the driver averages power over ~1 s). */
#define WS_SHORT_JOB_S 10.0
#define WS_SHORT_JOB_LOW_BIAS 0.15

/* The loop every header-then-rows CSV format shares: the first record is the header, every later
 * record must have as many fields (a short last line is "truncated"), lines starting with '#' go to
 * on_comment when it is given, and every error names FILE:LINE. An empty file is an error; a header
 * alone is not (the caller then finds no profile). */
typedef struct {
    void *ctx;
    int (*on_header)(void *ctx, const ws_csv *csv, ws_error *err);
    int (*on_row)(void *ctx, const ws_csv *csv, ws_error *err);
    int (*on_comment)(void *ctx, const ws_csv *csv, ws_error *err); /* NULL: '#' lines are data */
    ws_skips *skips; /* non-NULL: a row with a wrong field count or that on_row refuses (WS_EINPUT) is
                        skipped and counted instead of ending the read */
    long *line_now;  /* non-NULL: the line of the row being handed to on_row */
} ws_table_reader;
int ws_ingest_read_table(const char *path, const ws_table_reader *r, ws_error *err);

/* The parsers (one file each: ingest_<format>.c). */
int ws_ingest_nvsmi(const ws_ingest_opts *, ws_ingest_sink *, char[64], ws_error *);
int ws_ingest_carbontracker(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool_version[64], ws_error *err);
int ws_ingest_scaphandre(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool_version[64], ws_error *err);
int ws_ingest_plain_csv(const ws_ingest_opts *, ws_ingest_sink *, char[64], ws_error *);
int ws_ingest_plain_json(const ws_ingest_opts *, ws_ingest_sink *, char[64], ws_error *);
int ws_ingest_codecarbon(const ws_ingest_opts *, ws_ingest_sink *, char[64], ws_error *);
int ws_ingest_eco2ai(const ws_ingest_opts *, ws_ingest_sink *, char[64], ws_error *);
int ws_ingest_zeus(const ws_ingest_opts *, ws_ingest_sink *, char[64], ws_error *);
int ws_ingest_jobs(const ws_ingest_opts *, ws_ingest_sink *, char[64], ws_error *);

/* Interleaved devices. The columns of a header that name the device a row belongs to (index, gpu_index,
 * gpu, gpu_id, device, device_id, device_index, minor_number, uuid, gpu_uuid, pci.bus_id, gpu_bus_id;
 * case-insensitive), at most max of them into cols, in that order; returns how many. */
int ws_ingest_device_columns(char *const *header, size_t n, int *cols, int max);
/* A wide layout's device column: "GPU0", "gpu1_power_w", "GPU 2 Power (W)", "package-0", "socket1": a
 * device word, its number, then nothing but a power word or unit. 1 with name set (e.g. "gpu0"), else 0. */
int ws_ingest_wide_device(const char *field, char name[32]);
/* Two readings are the same: equal, or both unknown (NaN). For duplicate-row checks. */
int ws_same_value(double a, double b);
/* The device key of a row: the trimmed values of those columns joined by "/" ("0" for an index-only
 * log), "0" when there are none. */
void ws_ingest_device_key(char *const *fields, const int *cols, int n, char *key, size_t size);

#endif
