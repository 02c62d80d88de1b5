/* cmd_sweep: `wattscale sweep SCENARIO`: run every point of the scenario's "sweep" grid (crossed with its
 * variants and replicas) and write one table (DIR/sweep.csv, DIR/sweep.json, a store run of kind
 * "sweep") and the scaling plots. Built with Open MPI and launched by mpirun/srun, the points are spread
 * over the ranks (ws_sweep_run_all); rank 0 alone writes. MPI starts and ends in ws_mpi. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_json.h"
#include "ws_mpi.h"
#include "ws_sweep.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wattscale sweep SCENARIO [--out DIR] [--plots DIR] [--replicas N] [--seed S] [--json]\n"
            "                       [--no-store] [--no-plots] [--db PATH] [--quiet] [--mpi-info]\n\n"
            "Run a grid of what-if scenarios: the scenario's \"sweep\" object maps JSON paths to lists of values\n"
            "({\"workload.classes[0].rate_per_day\": [1e5, 1e6], \"sites[0].pue\": [1.1, 1.4]}); every combination\n"
            "(row-major, last path fastest) runs all variants over the replicas (scenarios/README.md).\n\n"
            "  --out DIR      DIR/sweep.csv (one row per point and variant) and DIR/sweep.json (default sweep-out)\n"
            "  --plots DIR    scaling plots <name>-sweep-<path>.png/.svg (default plots/)\n"
            "  --no-plots     no figures\n"
            "  --replicas N   Monte Carlo replicas per point (overrides the file)\n"
            "  --seed S       base seed (default the scenario's); point p runs with a seed derived from (S, p)\n"
            "  --json         print the table as JSON\n"
            "  --no-store     do not record the run in the store\n"
            "  --db PATH      the store (default ./wattscale.db or $WATTSCALE_DB); from_profiles tweaks read it\n"
            "  --quiet        no progress lines (by default every 5 s of a longer sweep: points done, ETA)\n"
            "  --mpi-info     say whether this binary was built with MPI, and exit\n\n"
            "With Open MPI: mpirun -np N wattscale sweep SCENARIO spreads the points over N ranks (rank 0\n"
            "dispatches and computes too) and gives the same bytes as a serial run, for any N.\n");
}

typedef struct {
    const char *out_dir, *plots_dir, *db;
    int store, json, plots, replicas, override_seed, quiet;
    uint64_t seed;
} sweep_cli;

static int parse_count(const char *arg, const char *opt, unsigned long long max, unsigned long long *v)
{
    char *end;
    errno = 0;
    *v = strtoull(arg, &end, 10);
    if (errno || *end || !*arg || arg[0] == '-' || *v > max) {
        fprintf(stderr, "wattscale sweep: %s: '%s' is not a whole number from 0 to %llu\n", opt, arg, max);
        return -1;
    }
    return 0;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, sweep_cli *c)
{
    static const struct option longopts[] = {
        {"out", required_argument, 0, 'o'}, {"plots", required_argument, 0, 'p'},
        {"no-plots", no_argument, 0, 'P'}, {"replicas", required_argument, 0, 'r'},
        {"seed", required_argument, 0, 's'}, {"json", no_argument, 0, 'J'},
        {"no-store", no_argument, 0, 'N'}, {"db", required_argument, 0, 'd'},
        {"mpi-info", no_argument, 0, 'M'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int o;
    unsigned long long v;
    ws_cli_reset_getopt();
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'o': c->out_dir = optarg; break;
        case 'p': c->plots_dir = optarg; break;
        case 'P': c->plots = 0; break;
        case 'J': c->json = 1; break;
        case 'N': c->store = 0; break;
        case 'q': c->quiet = 1; break;
        case 'd': c->db = optarg; break;
        case 'r':
            if (parse_count(optarg, "--replicas", 10000, &v) != 0 || v < 1)
                return 2;
            c->replicas = (int)v;
            break;
        case 's':
            if (parse_count(optarg, "--seed", 9007199254740992ULL, &v) != 0)
                return 2;
            c->override_seed = 1;
            c->seed = v;
            break;
        case 'M': printf("wattscale sweep: built %s\n", ws_sweep_mpi_info()); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind + 1 != argc) {
        usage(stderr);
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
    ws_sweep_options opt = {.replicas = c->replicas, .store = have_store ? &st : NULL,
                            .progress = rank == 0 && !c->quiet, .timing = 1};
    cJSON **rows = calloc((size_t)sw->n_points, sizeof *rows);
    int is_root = 0, rc = rows ? 0 : 1;
    if (rc == 0 && ws_sweep_run_all(sw, &opt, rows, &is_root) != 0)
        rc = 1;
    if (rc == 0 && is_root)
        rc = finish(sw, rows, c, &st);
    for (long p = 0; rows && p < sw->n_points; p++)
        cJSON_Delete(rows[p]);
    free(rows);
    if (have_store)
        ws_store_close(&st);
    return rc;
}

static int sweep_file(const char *path, const sweep_cli *c, int rank)
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
    } else {
        rc = run(&sw, c, rank);
    }
    ws_sweep_free(&sw);
    return rc;
}

int cmd_sweep(int argc, char **argv)
{
    sweep_cli c = {.out_dir = "sweep-out", .plots_dir = "plots", .store = 1, .plots = 1};
    int rc = parse_args(argc, argv, &c);
    if (rc >= 0)
        return rc;
    const char *path = argv[optind];
    ws_mpi_begin(&argc, &argv);
    rc = sweep_file(path, &c, ws_mpi_rank());
    ws_mpi_end();
    return rc;
}
