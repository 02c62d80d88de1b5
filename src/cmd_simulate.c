/* cmd_simulate: `wattscale simulate SCENARIO`: load and validate a scenario (exit 2 with
 * "FILE: json.path: message"), run the discrete-event simulator, print totals (text or --json), write
 * the hourly series and per-job records, and store the run (runs, run_sites). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_json.h"
#include "ws_opt.h"
#include "ws_mpi.h"
#include "ws_projplot.h"
#include "ws_report.h"
#include "ws_sim.h"
#include "ws_whatif.h"
#include "ws_whatif_report.h"

typedef struct {
    FILE *hourly, *jobs;
    ws_outfile hourly_out, jobs_out;
    const ws_scenario *sc;
    int progress;
    double t0_s; /* ws_monotonic_s() at the start */
    double last_print;
} out_ctx;

static void on_hour(void *ctx, const ws_sim_hour *h)
{
    out_ctx *o = ctx;
    ws_sim_hour_csv_row(o->hourly, o->sc, h);
}

static void on_job(void *ctx, const ws_sim_job_record *r)
{
    out_ctx *o = ctx;
    const char *cls = r->cls < o->sc->n_classes ? o->sc->classes[r->cls].name : "trace";
    fprintf(o->jobs, "%lld,%s,%s,%s,%d,%d,%d,%d,%.6f,%.6f,%.6f,%.6f,%d\n", (long long)r->id, cls,
            o->sc->sites[r->site].name, o->sc->sites[r->site].groups[r->group].type, r->node, r->nodes, r->cores,
            r->gpus, r->submit_s, r->start_s, r->end_s, r->wait_s, r->deadline_missed);
}

static double elapsed(const out_ctx *o)
{
    return ws_monotonic_s() - o->t0_s;
}

/* Every 5 s of a run longer than 5 s: one whole line (so logs of batch jobs and notebooks get it too). */
static void on_progress(void *ctx, double t_s, double end_s, int64_t done)
{
    out_ctx *o = ctx;
    double e = elapsed(o);
    if (!o->progress || e < 5.0 || e - o->last_print < 5.0)
        return;
    o->last_print = e;
    if (end_s < 1e300 && t_s > 0)
        fprintf(stderr, "simulate: day %.2f of %.2f, %lld jobs done (%.3g jobs/s), %.0f s elapsed, ETA %.0f s\n",
                t_s / 86400, end_s / 86400, (long long)done, (double)done / e, e, e * (end_s - t_s) / t_s);
    else
        fprintf(stderr, "simulate: day %.2f (until the last job ends), %lld jobs done (%.3g jobs/s), %.0f s elapsed\n",
                t_s / 86400, (long long)done, (double)done / e, e);
}

/* Outputs are written whole or not at all (ws_outfile): a full disk leaves no empty or cut file. */
static FILE *open_out(ws_outfile *o, const char *path)
{
    ws_error err;
    FILE *f = ws_outfile_open(o, path, &err);
    if (!f)
        ws_error_print(&err, stderr);
    return f;
}

static int commit_out(ws_outfile *o)
{
    ws_error err;
    if (ws_outfile_commit(o, &err) == 0)
        return 0;
    ws_error_print(&err, stderr);
    return -1;
}

static int open_outputs(out_ctx *o, const char *dir, const char *jobs_out, ws_sim_options *opt)
{
    if (dir) {
        char p[1200];
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "wattscale simulate: cannot create %s: %s\n", dir, strerror(errno));
            return -1;
        }
        snprintf(p, sizeof p, "%s/hourly.csv", dir);
        if (!(o->hourly = open_out(&o->hourly_out, p)))
            return -1;
        ws_sim_hour_csv_header(o->hourly, ws_scenario_synthetic(o->sc));
        opt->obs.on_hour = on_hour;
    }
    if (jobs_out) {
        if (!(o->jobs = open_out(&o->jobs_out, jobs_out)))
            return -1;
        if (ws_scenario_synthetic(o->sc))
            fprintf(o->jobs, "# synthetic: no trace; every job comes from the generator\n");
        fprintf(o->jobs, "job_id,class,site,node_type,node,nodes,cores,gpus,submit_s,start_s,end_s,wait_s,deadline_missed\n");
        opt->obs.on_job = on_job;
    }
    opt->obs.on_progress = on_progress;
    opt->obs.ctx = o;
    return 0;
}

/* ok: the run succeeded, so keep what was written; else remove it. */
static int close_outputs(out_ctx *o, int ok)
{
    int rc = 0;
    ws_outfile *files[] = {o->hourly ? &o->hourly_out : NULL, o->jobs ? &o->jobs_out : NULL};
    for (int i = 0; i < 2; i++)
        if (files[i] && ok)
            rc |= commit_out(files[i]);
        else if (files[i])
            ws_outfile_abort(files[i]);
    return rc;
}

static int write_summary(const char *dir, const char *text)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/summary.json", dir);
    ws_outfile o;
    FILE *f = open_out(&o, p);
    if (!f)
        return -1;
    fputs(text, f);
    fputc('\n', f);
    return commit_out(&o);
}

static int report(const ws_scenario *sc, const ws_sim_result *res, const char *db, int store, int json,
                  const char *out_dir)
{
    cJSON *summary = ws_sim_result_to_json(sc, res);
    char *text = cJSON_Print(summary); /* summary.json is the result alone, without the store's run id */
    int rc = 0;
    int64_t run_id = 0;
    if (out_dir && write_summary(out_dir, text) != 0)
        rc = 1;
    if (store && rc == 0) {
        ws_store st;
        ws_error err = {0};
        if (ws_cli_open_store(&st, db) != 0) {
            rc = 1;
        } else {
            if (ws_sim_store_run(&st, sc, res, out_dir, summary, &run_id, &err) != WS_OK) {
                ws_error_print(&err, stderr);
                rc = 1;
            }
            ws_store_close(&st);
        }
    }
    if (json) {
        ws_cli_print_json(summary, stdout);
        summary = NULL;
    } else {
        ws_sim_print_text(sc, res, stdout);
        if (run_id)
            printf("\nstored    run %lld in %s\n", (long long)run_id, ws_store_default_path(db));
    }
    cJSON_Delete(summary);
    free(text);
    return rc;
}

static int simulate(const char *path, const ws_sim_options *base, const char *out_dir, const char *jobs_out,
                    const char *db, int store, int json, int quiet)
{
    ws_scenario sc;
    ws_error err;
    if (ws_scenario_load(path, &sc, &err) != 0) {
        ws_error_print(&err, stderr);
        return 2;
    }
    ws_sim_options opt = *base;
    out_ctx o = {.sc = &sc, .progress = !quiet, .t0_s = ws_monotonic_s()};
    int rc = open_outputs(&o, out_dir, jobs_out, &opt) == 0 ? 0 : 1;
    ws_sim_result res;
    memset(&res, 0, sizeof res);
    int sim_rc = rc == 0 ? ws_sim_run(&sc, &opt, &res, &err) : 0;
    if (sim_rc != 0) {
        ws_error_print(&err, stderr);
        rc = sim_rc == -2 ? 1 : 2; /* out of memory is not bad input */
    }
    if (close_outputs(&o, rc == 0) != 0 && rc == 0)
        rc = 1;
    if (rc == 0)
        rc = report(&sc, &res, db, store, json, out_dir);
    ws_sim_result_free(&res);
    ws_scenario_free(&sc);
    return rc;
}

static int ensure_dir(const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "wattscale simulate: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

typedef int (*report_writer)(const cJSON *report, FILE *out);

static int write_reports(const cJSON *report, const char *out_dir)
{
    static const char *const names[] = {"report.json", "report.md", "report.html"};
    report_writer writers[] = {ws_report_write_json, ws_report_write_md, ws_report_write_html};
    for (int i = 0; i < 3; i++) {
        char p[1200];
        snprintf(p, sizeof p, "%s/%s", out_dir, names[i]);
        ws_outfile o;
        FILE *f = open_out(&o, p);
        if (!f)
            return -1;
        if (writers[i](report, f) != 0) {
            ws_outfile_abort(&o);
            return -1;
        }
        if (commit_out(&o) != 0)
            return -1;
    }
    return 0;
}

typedef struct {
    const char *out_dir, *plots_dir, *db;
    int store, json, replicas, threads, quiet;
} whatif_cli;

static int finish_whatif(cJSON *report, const whatif_cli *w, ws_store *st)
{
    char prefix[128], hourly[1200];
    ws_projplot_prefix(report, prefix, sizeof prefix);
    snprintf(hourly, sizeof hourly, "%s/hourly_baseline.csv", w->out_dir ? w->out_dir : "");
    ws_error err = {0};
    if (ensure_dir(w->plots_dir) != 0 ||
        ws_projplot_all(report, w->plots_dir, prefix, w->out_dir ? hourly : NULL, &err) != 0) {
        if (err.message[0])
            ws_error_print(&err, stderr);
        return 1;
    }
    int64_t run_id = 0;
    if (w->store && ws_whatif_store_run(st, report, w->out_dir, &run_id, &err) != WS_OK) {
        ws_error_print(&err, stderr);
        return 1;
    }
    if (w->out_dir && write_reports(report, w->out_dir) != 0)
        return 1;
    if (w->json) {
        ws_report_write_json(report, stdout);
        return 0;
    }
    ws_whatif_print_text(report, stdout);
    if (run_id)
        printf("\nstored    run %lld in %s ('wattscale report %lld')\n", (long long)run_id, st->path,
               (long long)run_id);
    if (w->out_dir)
        printf("report    %s/report.html, %s/report.md, %s/report.json\n", w->out_dir, w->out_dir, w->out_dir);
    printf("figures   %s/%s-*.png and .svg\n", w->plots_dir, prefix);
    return 0;
}

/* The what-if's progress lines on stderr: every 5 s while it runs, and once when every run is done. */
static void whatif_progress(void *ctx, const ws_whatif_progress *p)
{
    (void)ctx;
    if (p->stage == WS_WHATIF_RUNNING) {
        fprintf(stderr, "what-if: %d/%d runs done on %d threads%s, %.3g M jobs simulated (%.3g M/s), %.0f s elapsed, ETA %.0f s\n",
                p->done, p->mine, p->threads, p->mine < p->runs ? " (this rank)" : "", p->jobs / 1e6,
                p->jobs / 1e6 / p->elapsed_s, p->elapsed_s, p->eta_s);
        return;
    }
    char on[64] = "";
    if (p->ranks > 1)
        snprintf(on, sizeof on, " x %d ranks", p->ranks);
    fprintf(stderr, "what-if: %d runs (%d replicas x %d variants) on %d thread%s%s\n", p->runs, p->replicas, p->variants,
            p->threads, p->threads > 1 ? "s" : "", on);
}

static int simulate_whatif(const char *path, cJSON *doc, const ws_sim_options *base, const whatif_cli *w)
{
    char sha[65] = "", dir[1024];
    ws_sha256_file(path, sha);
    ws_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        ws_strlcpy(dir, ".", sizeof dir);
    ws_store st;
    /* --no-store: an existing store is still read (tweaks from measured profiles); none is created */
    int want = w->store || access(ws_store_default_path(w->db), F_OK) == 0;
    int have_store = want && ws_cli_open_store(&st, w->db) == 0;
    if (!have_store && w->store)
        return 1;
    if (w->out_dir && ensure_dir(w->out_dir) != 0) {
        if (have_store)
            ws_store_close(&st);
        return 1;
    }
    ws_whatif_options opt = {.replicas = w->replicas, .override_seed = base->override_seed, .seed = base->seed,
                             .store = have_store ? &st : NULL, .out_dir = w->out_dir,
                             .quiet = w->quiet || ws_mpi_rank() != 0, .progress = whatif_progress, .over_ranks = 1,
                             .threads = w->threads};
    cJSON *report = NULL;
    ws_error err = {0};
    int rc = ws_whatif_run(doc, path, dir, sha, &opt, &report, &err);
    if (rc != WS_OK && ws_mpi_rank() == 0)
        ws_error_print(&err, stderr);
    else if (rc == WS_OK && report) /* NULL on MPI ranks other than 0: they ran their share */
        rc = finish_whatif(report, w, &st);
    cJSON_Delete(report);
    if (have_store)
        ws_store_close(&st);
    return rc;
}

int cmd_simulate(int argc, char **argv)
{
    ws_sim_options opt;
    memset(&opt, 0, sizeof opt);
    const char *out_dir = NULL, *jobs_out = NULL, *db = NULL, *plots_dir = "plots";
    int json = 0, store = 1, replicas = 0, threads = 0, quiet = 0, status;
    const ws_opt options[] = {
        WS_OPT_UINT64(0, "seed", &opt.seed, &opt.override_seed, "S",
                      "override the scenario's seed (same seed -> byte-identical outputs)"),
        WS_OPT_STRING(0, "out", &out_dir, "DIR", "write DIR/hourly.csv (power, carbon intensity, CO2 rate per site and hour)\n"
                                                 "and DIR/summary.json; what-ifs also DIR/report.{json,md,html} and\n"
                                                 "DIR/hourly_<variant>.csv"),
        WS_OPT_STRING(0, "jobs-out", &jobs_out, "FILE", "write one CSV row per completed job"),
        WS_OPT_FLAG(0, "json", &json, "print the totals (what-ifs: the report, docs/report-json.md) as JSON"),
        WS_OPT_SET_INT(0, "no-store", &store, 0, "do not record the run in the store"),
        WS_OPT_DB(&db),
        WS_OPT_FLAG(0, "quiet", &quiet, "no progress lines on stderr (by default a run longer than 5 s prints one every\n"
                                       "5 s: simulated day, jobs done, rate, elapsed, ETA; also into logs and notebooks)"),
        WS_OPT_GROUP("what-if scenarios (variants[], replicas or projection; see scenarios/README.md) run every\n"
                     "variant on common random numbers over Monte Carlo replicas and write a projection report:"),
        WS_OPT_INT(0, "replicas", &replicas, "N", 1, 10000, "Monte Carlo replicas (overrides the file; model parameters and tweak\n"
                                                            "factors are drawn from their uncertainties when N > 1)"),
        WS_OPT_STRING(0, "plots", &plots_dir, "DIR", "figures (PNG and SVG) go here (default plots/)"),
        WS_OPT_INT(0, "threads", &threads, "N", 1, 4096, "runs (replica x variant) at once (default: one per CPU); any N gives\n"
                                                         "the same bytes"),
        WS_OPT_END()};
    const ws_opt_cmd spec = {
        "simulate",
        "wattscale simulate SCENARIO [--seed S] [--out DIR] [--jobs-out FILE] [--json] [--no-store] [--db PATH]\n"
        "                            [--replicas N] [--plots DIR] [--threads N] [--quiet]",
        "Run a scenario (scenarios/README.md) through the discrete-event simulator. Energy, CO2 and cost\n"
        "are integrated exactly over piecewise-constant node power.",
        options,
        "Under Open MPI (mpirun -np R wattscale simulate ...) the runs of a what-if are handed out one at a time\n"
        "to whichever rank is free (one run per rank; rank 0 schedules and computes, --threads is not used);\n"
        "rank 0 gathers them and alone writes: the same bytes as one process. Use one rank per core.",
        NULL, 1, 1, 0};
    if (ws_opt_parse(&spec, argc, argv, &status) < 0)
        return status;
    const char *path = argv[1];
    ws_error err = {0};
    cJSON *doc = ws_json_load(path, &err);
    if (!doc) {
        ws_error_print(&err, stderr);
        return 2;
    }
    int rc = 0;
    ws_mpi_begin(&argc, &argv);
    if (ws_whatif_is_whatif(doc) || replicas > 0) {
        whatif_cli w = {out_dir, plots_dir, db, store, json, replicas, threads, quiet};
        rc = simulate_whatif(path, doc, &opt, &w);
    } else if (ws_mpi_rank() == 0) { /* one run is not split: the other ranks have nothing to do */
        rc = simulate(path, &opt, out_dir, jobs_out, db, store, json, quiet);
    }
    ws_mpi_end();
    cJSON_Delete(doc);
    return rc;
}
