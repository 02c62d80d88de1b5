/* cmd_sweep: `wattscale sweep SCENARIO`: run every point of the scenario's "sweep" grid (crossed with its
 * variants and replicas) and write one table (DIR/sweep.csv, DIR/sweep.json, a store run of kind
 * "sweep") and the scaling plots. Built with Open MPI and launched by mpirun/srun, the points are spread
 * over the ranks (ws_sweep_run_all); rank 0 alone writes and prints. MPI starts and ends in ws_mpi.
 * Without MPI, --emit writes a Slurm or HTCondor job array whose tasks run --point, and --merge builds
 * the same outputs from their parts. Options: one ws_opt table (parser, validator and --help). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_json.h"
#include "ws_mpi.h"
#include "ws_opt.h"
#include "ws_sweep.h"

typedef struct {
    const char *out_dir, *plots_dir, *db, *emit, *point, *merge;
    int store, json, plots, replicas, override_seed, quiet, timings, mpi_info;
    uint64_t seed;
} sweep_cli;

static const char USAGE[] =
    "wattscale sweep SCENARIO [--out DIR] [--plots DIR] [--replicas N] [--seed S] [--json] [--timings] ...\n"
    "mpirun -np N wattscale sweep SCENARIO ...\n"
    "wattscale sweep SCENARIO --emit slurm|htcondor DIR [--replicas N] [--seed S] [--db PATH]\n"
    "wattscale sweep SCENARIO --point K[-L] --out DIR [--replicas N] [--seed S] [--db PATH]\n"
    "wattscale sweep --merge DIR [--out DIR] [--plots DIR] [--no-plots] [--no-store] [--json] [--db PATH]\n"
    "wattscale sweep --mpi-info";

static const char DESCRIPTION[] =
    "Run a grid of what-if scenarios: the scenario's \"sweep\" object maps JSON paths to lists of values\n"
    "({\"workload.classes[0].rate_per_day\": [1e5, 1e6], \"sites[0].pue\": [1.1, 1.4]}); every combination\n"
    "(row-major, last path fastest) runs all variants over the replicas (scenarios/README.md).";

static const char EPILOGUE[] =
    "With Open MPI: mpirun -np N wattscale sweep SCENARIO spreads the points over N ranks, costliest first\n"
    "(rank 0 schedules and computes in a second thread), and gives the same bytes as a serial run, for any N.\n"
    "Without MPI, on a batch system: --emit writes a job array (DIR/sweep.sbatch for Slurm, DIR/sweep.sub\n"
    "for HTCondor) whose tasks each run --point and leave one part per point in DIR/parts; --merge DIR then\n"
    "builds the same sweep.csv, sweep.json, store run and figures as a serial run, or names the missing\n"
    "parts and the command that reruns them alone.";

/* Returns -1 to go on (*nargs positional arguments in argv[1..]), else the exit status. */
static int parse_args(int argc, char **argv, sweep_cli *c, int *nargs)
{
    const ws_opt options[] = {
        WS_OPT_GROUP("Outputs"),
        WS_OPT_STRING(0, "out", &c->out_dir, "DIR",
                      "DIR/sweep.csv (one row per point and variant) and DIR/sweep.json (default sweep-out;\n"
                      "with --merge the batch folder; with --point where the parts go)"),
        WS_OPT_STRING(0, "plots", &c->plots_dir, "DIR", "scaling plots <name>-sweep-<path>.png/.svg (default plots/)"),
        WS_OPT_SET_INT(0, "no-plots", &c->plots, 0, "no figures"),
        WS_OPT_FLAG(0, "json", &c->json, "print the table as JSON"),
        WS_OPT_SET_INT(0, "no-store", &c->store, 0, "do not record the run in the store"),
        WS_OPT_DB(&c->db),
        WS_OPT_GROUP("Runs"),
        WS_OPT_INT(0, "replicas", &c->replicas, "N", 1, 10000, "Monte Carlo replicas per point (overrides the file)"),
        WS_OPT_UINT64(0, "seed", &c->seed, &c->override_seed, "S",
                      "base seed (default the scenario's); point p runs with a seed derived from (S, p)"),
        WS_OPT_FLAG(0, "quiet", &c->quiet, "no progress lines (by default every 5 s of a longer sweep: points done, ETA)"),
        WS_OPT_FLAG(0, "timings", &c->timings, "per rank: compute, wait and communication seconds and points run"),
        WS_OPT_FLAG(0, "mpi-info", &c->mpi_info, "say whether this binary was built with MPI, and exit"),
        WS_OPT_GROUP("Job arrays (Slurm, HTCondor)"),
        WS_OPT_STRING(0, "emit", &c->emit, "KIND",
                      "slurm or htcondor: write a job array for the sweep into DIR, the argument after\n"
                      "SCENARIO (DIR/sweep.sbatch or DIR/sweep.sub, DIR/tasks.txt, DIR/sweep-batch.json)"),
        WS_OPT_STRING(0, "point", &c->point, "K[-L]", "run points K..L only and write DIR/point-K.json each (DIR: --out)"),
        WS_OPT_STRING(0, "merge", &c->merge, "DIR", "build the table, store run and figures from DIR/parts"),
        WS_OPT_END()};
    const ws_opt_cmd spec = {"sweep", USAGE, DESCRIPTION, options, EPILOGUE, NULL, 0, 2, 0};
    int status;
    *nargs = ws_opt_parse(&spec, argc, argv, &status);
    if (*nargs < 0)
        return status;
    if (c->mpi_info) {
        printf("wattscale sweep: built %s\n", ws_sweep_mpi_info());
        return 0;
    }
    const char *why = NULL;
    if (c->override_seed && c->seed > 9007199254740992ULL)
        why = "--seed: at most 9007199254740992 (2^53)";
    else if ((c->emit != NULL) + (c->point != NULL) + (c->merge != NULL) > 1)
        why = "--emit, --point and --merge exclude each other";
    else if (c->emit && strcmp(c->emit, "slurm") != 0 && strcmp(c->emit, "htcondor") != 0)
        why = "--emit: 'slurm' or 'htcondor'";
    else if (c->emit && *nargs != 2)
        why = "--emit KIND needs SCENARIO and DIR";
    else if (c->merge && *nargs != 0)
        why = "--merge DIR takes no SCENARIO (the batch folder names it)";
    else if (!c->emit && !c->merge && *nargs != 1)
        why = "one SCENARIO";
    if (why) {
        fprintf(stderr, "wattscale sweep: %s\n", why);
        ws_opt_usage(&spec, stderr);
        return 2;
    }
    return -1;
}

/* ---- stores ---- */

/* Workers (and --no-store) read the store for from_profiles tweaks, read-only and without migrating. */
static int open_read_only(ws_store *st, const char *db)
{
    memset(st, 0, sizeof *st);
    ws_strlcpy(st->path, ws_store_default_path(db), sizeof st->path);
    if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(st->db);
        st->db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(st->db, 10000);
    return 0;
}

/* ---- outputs (rank 0) ---- */

static int ensure_dir(const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "wattscale sweep: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_file(const char *dir, const char *name, const ws_sweep *sw, cJSON *const *rows, const cJSON *table)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f) {
        fprintf(stderr, "wattscale sweep: cannot write %s: %s\n", p, strerror(errno));
        return -1;
    }
    int rc = 0;
    if (table) {
        char *text = cJSON_Print(table);
        rc = text && fputs(text, f) >= 0 && fputc('\n', f) != EOF ? 0 : -1;
        free(text);
    } else {
        rc = ws_sweep_write_csv(sw, rows, f);
    }
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "wattscale sweep: cannot write %s\n", p);
        return -1;
    }
    return 0;
}

static void file_prefix(const ws_sweep *sw, char *out, size_t size)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(sw->base, "name");
    const char *name = cJSON_IsString(n) ? n->valuestring : "scenario";
    size_t k = 0;
    for (; *name && k + 1 < size; name++)
        out[k++] = (isalnum((unsigned char)*name) || *name == '-' || *name == '_') ? *name : '-';
    out[k] = '\0';
}

static void report_failures(const ws_sweep *sw, cJSON *const *rows)
{
    for (long p = 0; p < sw->n_points; p++) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(rows[p], "status");
        if (!cJSON_IsString(s) || strcmp(s->valuestring, "ok") != 0)
            fprintf(stderr, "wattscale sweep: point %ld failed: %s\n", p, cJSON_IsString(s) ? s->valuestring : "no result");
    }
}

static int finish(const ws_sweep *sw, cJSON *const *rows, const sweep_cli *c, ws_store *st)
{
    cJSON *table = ws_sweep_table_json(sw, rows);
    int rc = ensure_dir(c->out_dir) || write_file(c->out_dir, "sweep.csv", sw, rows, NULL) ||
             write_file(c->out_dir, "sweep.json", sw, rows, table) ? 1 : 0;
    char prefix[128];
    file_prefix(sw, prefix, sizeof prefix);
    ws_error err = {0};
    if (rc == 0 && c->plots &&
        (ensure_dir(c->plots_dir) != 0 || ws_sweep_plot(sw, rows, c->plots_dir, prefix, &err) != 0)) {
        if (err.message[0])
            ws_error_print(&err, stderr);
        rc = 1;
    }
    int64_t run_id = 0;
    if (rc == 0 && c->store && ws_sweep_store_run(st, sw, table, c->out_dir, &run_id, &err) != WS_OK) {
        ws_error_print(&err, stderr);
        rc = 1;
    }
    if (c->json) {
        if (!run_id)
            cJSON_AddNumberToObject(table, "run_id", 0);
        ws_cli_print_json(table, stdout);
        table = NULL;
    } else {
        ws_sweep_print_text(sw, rows, stdout);
        printf("\ntable     %s/sweep.csv, %s/sweep.json\n", c->out_dir, c->out_dir);
        if (c->plots)
            printf("figures   %s/%s-sweep-*.png and .svg\n", c->plots_dir, prefix);
        if (run_id)
            printf("stored    run %lld (kind sweep) in %s\n", (long long)run_id, st->path);
    }
    cJSON_Delete(table);
    report_failures(sw, rows);
    return rc != 0 ? rc : ws_sweep_failed(sw, rows) ? 2 : 0;
}

/* ---- progress and timings (rank 0) ---- */

static void report(void *ctx, const ws_sweep_progress *p)
{
    const sweep_cli *c = ctx;
    if (!p->final) {
        if (!c->quiet)
            fprintf(stderr, "sweep: %ld/%ld points on %d rank(s), %.0f s elapsed, ETA %.0f s\n", p->done, p->points,
                    p->ranks, p->elapsed_s, p->elapsed_s * (double)(p->points - p->done) / (double)p->done);
        return;
    }
    fprintf(stderr, "sweep: %ld points on %d rank(s) in %.3f s (%.4g points/s)\n", p->points, p->ranks, p->elapsed_s,
            (double)p->points / (p->elapsed_s > 1e-9 ? p->elapsed_s : 1e-9));
    for (int r = 0; c->timings && p->times && r < p->ranks; r++)
        fprintf(stderr, "sweep: rank %d: compute %.3f s, wait %.3f s, communication %.3f s, %ld point(s)\n", r,
                p->times[r].compute_s, p->times[r].wait_s, p->times[r].comm_s, p->times[r].tasks);
}

/* ---- the command ---- */

static int run(const ws_sweep *sw, const sweep_cli *c, int rank)
{
    ws_store st = {0};
    int have_store = 0;
    int ok = 1;
    if (rank == 0 && c->store)
        ok = have_store = ws_cli_open_store(&st, c->db) == 0;
    /* The store is created and migrated before any other rank reads it; a failure stops every rank. */
    if (!ws_mpi_all_ok(ok))
        return 1;
    if (!have_store)
        have_store = open_read_only(&st, c->db) == 0;
    ws_sweep_options opt = {.replicas = c->replicas, .store = have_store ? &st : NULL, .report = report,
                            .report_ctx = (void *)c};
    cJSON **rows = calloc((size_t)sw->n_points, sizeof *rows);
    int is_root = 0, rc = rows ? 0 : 1;
    ws_error err = {0};
    if (rc == 0 && ws_sweep_run_all(sw, &opt, rows, &is_root, &err) != 0) {
        if (is_root)
            fprintf(stderr, "wattscale sweep: %s\n", err.message[0] ? err.message : "failed");
        rc = 1;
    }
    if (rc == 0 && is_root)
        rc = finish(sw, rows, c, &st);
    for (long p = 0; rows && p < sw->n_points; p++)
        cJSON_Delete(rows[p]);
    free(rows);
    if (have_store)
        ws_store_close(&st);
    return rc;
}

/* --point K[-L]: run those points here and leave one part each in --out. */
static int run_points(const ws_sweep *sw, const sweep_cli *c)
{
    long first, last;
    if (ws_sweep_point_range(c->point, sw->n_points, &first, &last) != 0) {
        fprintf(stderr, "wattscale sweep: --point: '%s' is not K or K-L with 0 <= K <= L < %ld (the grid's points)\n",
                c->point, sw->n_points);
        return 2;
    }
    if (ensure_dir(c->out_dir) != 0)
        return 1;
    ws_store st;
    int have_store = open_read_only(&st, c->db) == 0, rc = 0;
    ws_sweep_options opt = {.replicas = c->replicas, .store = have_store ? &st : NULL};
    for (long p = first; p <= last && rc != 1; p++) {
        char *text = ws_sweep_run_point(sw, p, &opt);
        cJSON *row = text ? cJSON_Parse(text) : NULL;
        ws_error err = {0};
        if (!row || ws_sweep_part_write(sw, c->replicas, p, text, c->out_dir, &err) != WS_OK) {
            if (err.message[0])
                ws_error_print(&err, stderr);
            else
                fprintf(stderr, "wattscale sweep: point %ld: out of memory\n", p);
            rc = 1;
        } else {
            const cJSON *s = cJSON_GetObjectItemCaseSensitive(row, "status");
            if (!cJSON_IsString(s) || strcmp(s->valuestring, "ok") != 0) {
                fprintf(stderr, "wattscale sweep: point %ld failed: %s\n", p, cJSON_IsString(s) ? s->valuestring : "no result");
                rc = 2;
            }
        }
        cJSON_Delete(row);
        free(text);
    }
    if (have_store)
        ws_store_close(&st);
    return rc;
}

/* --emit KIND DIR */
static int emit(const ws_sweep *sw, const sweep_cli *c, const char *dir)
{
    ws_batch b = {.kind = strcmp(c->emit, "slurm") == 0 ? WS_BATCH_SLURM : WS_BATCH_HTCONDOR, .replicas = c->replicas};
    char exe[PATH_MAX], cwd[PATH_MAX];
    const char *db = ws_store_default_path(c->db);
    if (!realpath("/proc/self/exe", exe) || !getcwd(cwd, sizeof cwd) || ws_strlcpy(b.binary, exe, sizeof b.binary) ||
        ws_strlcpy(b.cwd, cwd, sizeof b.cwd) || ws_strlcpy(b.scenario, sw->file, sizeof b.scenario) ||
        snprintf(b.db, sizeof b.db, "%s%s%s", db[0] == '/' ? "" : cwd, db[0] == '/' ? "" : "/", db) >= (int)sizeof b.db) {
        fprintf(stderr, "wattscale sweep: cannot name this binary or the working folder: %s\n", strerror(errno));
        return 1;
    }
    char submit[1200];
    ws_error err = {0};
    int rc = ws_sweep_batch_emit(sw, &b, dir, submit, sizeof submit, &err);
    if (rc != WS_OK) {
        ws_error_print(&err, stderr);
        return rc;
    }
    long tasks = (b.points + b.per_task - 1) / b.per_task;
    printf("batch     %s (%ld task(s), %ld point(s) each at most, %ld points)\n", submit, tasks, b.per_task, b.points);
    printf("submit    %s %s\n", b.kind == WS_BATCH_SLURM ? "sbatch" : "condor_submit", submit);
    printf("then      wattscale sweep --merge %s\n", dir);
    return 0;
}

/* --merge DIR */
static int merge(const sweep_cli *c)
{
    ws_batch b;
    ws_error err = {0};
    if (ws_sweep_batch_load(c->merge, &b, &err) != WS_OK) {
        ws_error_print(&err, stderr);
        return 2;
    }
    char path[PATH_MAX + 1100];
    snprintf(path, sizeof path, "%s%s%s", b.scenario[0] == '/' ? "" : b.cwd, b.scenario[0] == '/' ? "" : "/", b.scenario);
    cJSON *doc = ws_json_load(path, &err);
    ws_sweep sw;
    memset(&sw, 0, sizeof sw);
    int rc = doc ? ws_sweep_parse(doc, path, 1, b.seed, &sw, &err) : WS_EINPUT;
    cJSON_Delete(doc);
    if (rc != WS_OK) {
        ws_error_print(&err, stderr);
        ws_sweep_free(&sw);
        return rc;
    }
    if (strcmp(sw.sha256, b.sha256) != 0 || sw.n_points != b.points) {
        fprintf(stderr, "wattscale sweep: %s changed since the batch was written (its SHA-256 differs): emit and run "
                        "the batch again\n", path);
        ws_sweep_free(&sw);
        return 2;
    }
    ws_strlcpy(sw.file, b.scenario, sizeof sw.file); /* as the serial run names it */
    cJSON **rows = calloc((size_t)sw.n_points, sizeof *rows);
    long *missing = calloc((size_t)sw.n_points, sizeof *missing), n_missing = 0;
    char parts[1200];
    snprintf(parts, sizeof parts, "%s/parts", c->merge);
    if (rows && missing)
        n_missing = ws_sweep_parts_read(&sw, b.replicas, parts, rows, missing);
    if (!rows || !missing) {
        fprintf(stderr, "wattscale sweep: out of memory\n");
        rc = 1;
    } else if (n_missing > 0) {
        fprintf(stderr, "wattscale sweep: %ld of %ld parts missing or unreadable in %s: point(s)", n_missing,
                sw.n_points, parts);
        for (long i = 0; i < n_missing && i < 50; i++)
            fprintf(stderr, "%s %ld", i ? "," : "", missing[i]);
        fprintf(stderr, "%s\n", n_missing > 50 ? ", ..." : "");
        char hint[2048];
        rc = ws_sweep_batch_rerun(&b, c->merge, missing, n_missing, hint, sizeof hint, &err);
        if (rc == WS_OK)
            fprintf(stderr, "wattscale sweep: rerun them alone with: %s (or each with: wattscale sweep %s --point K "
                            "--out %s), then merge again\n", hint, b.scenario, parts);
        else
            ws_error_print(&err, stderr);
        rc = 2;
    } else {
        sweep_cli out = *c;
        if (!out.out_dir)
            out.out_dir = c->merge;
        ws_store st = {0};
        if (!out.store || ws_cli_open_store(&st, c->db) == 0) {
            rc = finish(&sw, rows, &out, &st);
            if (out.store)
                ws_store_close(&st);
        } else {
            rc = 1;
        }
    }
    for (long p = 0; rows && p < sw.n_points; p++)
        cJSON_Delete(rows[p]);
    free(rows);
    free(missing);
    ws_sweep_free(&sw);
    return rc;
}

static int sweep_file(const char *path, const char *dir, const sweep_cli *c, int rank)
{
    ws_error err = {0};
    cJSON *doc = ws_json_load(path, &err);
    ws_sweep sw;
    memset(&sw, 0, sizeof sw);
    int rc = doc ? ws_sweep_parse(doc, path, c->override_seed, c->seed, &sw, &err) : WS_EINPUT;
    cJSON_Delete(doc);
    if (rc != WS_OK) {
        if (rank == 0)
            ws_error_print(&err, stderr);
    } else if (c->emit) {
        rc = emit(&sw, c, dir);
    } else if (c->point) {
        rc = run_points(&sw, c);
    } else {
        rc = run(&sw, c, rank);
    }
    ws_sweep_free(&sw);
    return rc;
}

int cmd_sweep(int argc, char **argv)
{
    sweep_cli c = {.plots_dir = "plots", .store = 1, .plots = 1};
    int nargs, rc = parse_args(argc, argv, &c, &nargs);
    if (rc >= 0)
        return rc;
    if (c.merge)
        return merge(&c);
    if (!c.out_dir && !c.point)
        c.out_dir = "sweep-out";
    if (c.point && !c.out_dir) {
        fprintf(stderr, "wattscale sweep: --point needs --out DIR (where the parts go)\n");
        return 2;
    }
    const char *path = argv[1], *dir = nargs > 1 ? argv[2] : NULL;
    ws_mpi_begin(&argc, &argv);
    rc = sweep_file(path, dir, &c, ws_mpi_rank());
    ws_mpi_end();
    return rc;
}
