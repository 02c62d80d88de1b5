/* cmd_fit: `wattscale fit` fits power-versus-utilisation models of an architecture (from a table of
 * load levels, from stored samples, or the TDP fallback) and job energy/runtime-versus-work models,
 * writes them as JSON into models/ and records them in the store's models table. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_opt.h"
#include "ws_fit.h"
#include "ws_hwmodel.h"

typedef struct {
    const char *arch_opt, *table, *model, *job, *out, *db, *family;
    double tdp_w, tol_pct;
    int json, max_iter;
    ws_fit_options fopts;
    char arch[128];
    /* server family */
    const char *cpu, *hepix, *specpower, *curves, *csv, *smt;
    int sockets, include_held_out, check_holdout;
} fit_args;

/* Model files are renamed into place only after the store's commit, so a failed commit leaves no file;
 * a file that then cannot be renamed has its row deleted again (both or neither, per model). */
#define MAX_MODELS 256
typedef struct {
    ws_outfile files[MAX_MODELS];
    int64_t ids[MAX_MODELS];
    int n;
} model_batch;

static const char *const families[] = {"power", "job", "server", NULL};
static const char *const smt_choices[] = {"on", "off", NULL};

static int parse_args(int argc, char **argv, fit_args *a)
{
    memset(a, 0, sizeof *a);
    a->tdp_w = a->tol_pct = NAN;
    a->family = "power";
    a->hepix = "data/hardware/hepix_hs23scores.csv";
    a->specpower = "data/hardware/specpower_cloudjewels.csv";
    a->curves = "data/hardware/specpower_curves.csv";
    const ws_opt options[] = {
        WS_OPT_STRING(0, "arch", &a->arch_opt, "A", "the architecture (required; slugged as ingest does)"),
        WS_OPT_CHOICE(0, "family", &a->family, "power|job|server", families, "what to fit (default power)"),
        WS_OPT_GROUP("power family:"),
        WS_OPT_STRING(0, "table", &a->table, "FILE.csv", "a table of load levels (instead of the stored samples)"),
        WS_OPT_DOUBLE(0, "tdp-w", &a->tdp_w, "W", 0, INFINITY, WS_OPT_LO_OPEN, "a power in W > 0",
                      "nothing measured: write the assumed Teads curve scaled by this TDP"),
        WS_OPT_STRING(0, "model", &a->model, "FORM|auto", "the form (default auto)"),
        WS_OPT_INT(0, "max-iter", &a->max_iter, "N", 1, 1000000, "iterations of a nonlinear fit"),
        WS_OPT_DOUBLE(0, "tol", &a->tol_pct, "PCT", 0, 100, WS_OPT_LO_OPEN | WS_OPT_HI_OPEN,
                      "a percentage in (0, 100)", "auto keeps forms within PCT % of every point (default 5)"),
        WS_OPT_GROUP("server family:"),
        WS_OPT_STRING(0, "cpu", &a->cpu, "PATTERN", "HEPiX CPU string: a glob (* ?, case-insensitive, whole\n"
                      "string) or, without * or ?, a substring; it must select one CPU"),
        WS_OPT_INT(0, "sockets", &a->sockets, "N", 1, 16, "only rows with N sockets"),
        WS_OPT_CHOICE(0, "smt", &a->smt, "on|off", smt_choices, "only rows with SMT on / off"),
        WS_OPT_STRING(0, "hepix", &a->hepix, "FILE", "HEPiX HS23 table (default data/hardware/hepix_hs23scores.csv)"),
        WS_OPT_STRING(0, "specpower", &a->specpower, "FILE",
                      "SPECpower results (default data/hardware/specpower_cloudjewels.csv)"),
        WS_OPT_STRING(0, "curves", &a->curves, "FILE",
                      "SPECpower 11-point curves (default data/hardware/specpower_curves.csv)"),
        WS_OPT_FLAG(0, "include-held-out", &a->include_held_out, "use the held-out rows too (not for the check)"),
        WS_OPT_STRING(0, "csv", &a->csv, "FILE", "append the model's row to FILE (models/servers.csv columns)"),
        WS_OPT_FLAG(0, "check-holdout", &a->check_holdout,
                    "predict the held-out rows' power from the others (W/HS23 x HS23); no model"),
        WS_OPT_GROUP("all families:"),
        WS_OPT_STRING(0, "job", &a->job, "NAME", "only the profiles of this job class (power and job families)"),
        WS_OPT_STRING(0, "out", &a->out, "FILE", "write the model here (default models/...)"),
        WS_OPT_FLAG(0, "json", &a->json, "print the model JSON"),
        WS_OPT_DB(&a->db),
        WS_OPT_END()};
    const ws_opt_cmd spec = {
        "fit",
        "wattscale fit --arch A [--family power] [--table FILE.csv | --tdp-w W] [--model FORM|auto]\n"
        "              [--job NAME] [--out FILE] [--json] [--max-iter N] [--tol PCT] [--db PATH]\n"
        "wattscale fit --family job --arch A [--job NAME] [--out FILE] [--json] [--db PATH]\n"
        "wattscale fit --family server --cpu PATTERN [--sockets N] [--smt on|off] [--arch A] [--hepix FILE]\n"
        "              [--specpower FILE] [--curves FILE] [--csv FILE] [--out FILE] [--json] [--db PATH]\n"
        "wattscale fit --family server --check-holdout [--hepix FILE]",
        "Power family: fit P(u), u the utilisation, for an architecture, from --table (a CSV naming a\n"
        "utilisation column: load_pct, util_gpu_pct or 'utilization.gpu [%]', and a power column: power_w or\n"
        "'power.draw [W]'; % or fraction is detected and stated) or from the stored samples (power_w with\n"
        "util_pct) of the profiles of that arch (--job narrows them). --tdp-w W writes the assumed Teads\n"
        "curve scaled by the TDP when nothing was measured.\n"
        "FORM: linear, fan (Fan et al. 2007), powerlaw, poly2, poly3, piecewise (interpolation, exact at the\n"
        "points). auto (default) fits the parametric forms and keeps the lowest AICc among those within\n"
        "--tol (default 5%) of every point.\n\n"
        "Job family: from the profiles of a job class (--job; every job of the arch when left out) that\n"
        "carry work, fit E = e0 + e1 work and T = t0 + t1 work by weighted least squares (weights 1/y^2),\n"
        "and summarise repeated runs of one configuration as a mean with a 95% t interval.\n\n"
        "Server family: a whole-server power model of one CPU and configuration from public tables.\n"
        "Full-load power and HS23: mean over the HEPiX rows with electric_power_mean (measured under\n"
        "HEPScore23); idle: full load x the median active-idle/100% ratio of the SPECpower results (1 node,\n"
        "1-2 chips) of the same CPU family (EPYC 7xx3, Xeon Scalable gen 3, ...), else of all EPYC and Xeon\n"
        "Scalable results, marked ASSUMED; shape: the mean normalised SPECpower 11-point curve of the family\n"
        "(piecewise), else linear (ASSUMED). Held out for --check-holdout and left out of every model: the\n"
        "last row with power of every CPU with two or more. Writes models/server-<arch>.json with a \"hep\"\n"
        "object (hs23, hs23_per_core, w_per_hs23, ...) and the source of every number.\n\n"
        "Writes models/<arch>-power.json or models/<arch>-job-<job>.json (or --out FILE) and records the\n"
        "model in the store. Bad input: a message and exit status 2, no model written.",
        options, NULL, NULL, 0, 0, 0};
    int status;
    if (ws_opt_parse(&spec, argc, argv, &status) < 0)
        return status == WS_OK ? -1 : status;
    if (a->max_iter)
        a->fopts.max_iter = a->max_iter;
    if (!isnan(a->tol_pct))
        a->fopts.tol_rel = a->tol_pct / 100;
    int server = strcmp(a->family, "server") == 0;
    if (!server && (a->cpu || a->check_holdout || a->csv || a->sockets || a->smt || a->include_held_out)) {
        fprintf(stderr, "wattscale fit: --cpu, --sockets, --smt, --csv, --include-held-out and --check-holdout are "
                        "for --family server\n");
        return WS_EINPUT;
    }
    if (server) {
        if (a->table || !isnan(a->tdp_w) || a->model || a->job) {
            fprintf(stderr, "wattscale fit: --family server takes no --table, --tdp-w, --model or --job\n");
            return WS_EINPUT;
        }
        if (!a->cpu && !a->check_holdout)
            return ws_opt_fail(&spec, "--family server needs --cpu PATTERN (or --check-holdout)");
        if (a->arch_opt) {
            ws_slugify_arch(a->arch_opt, a->arch, sizeof a->arch);
            if (!a->arch[0]) {
                fprintf(stderr, "wattscale fit: --arch: '%s' gives an empty architecture slug\n", a->arch_opt);
                return WS_EINPUT;
            }
        }
        return 0;
    }
    if (!a->arch_opt) {
        return ws_opt_fail(&spec, "--arch is required");
    }
    if (a->table && !isnan(a->tdp_w)) {
        fprintf(stderr, "wattscale fit: --table and --tdp-w exclude each other (the TDP curve is for no data)\n");
        return WS_EINPUT;
    }
    ws_slugify_arch(a->arch_opt, a->arch, sizeof a->arch);
    if (!a->arch[0]) {
        fprintf(stderr, "wattscale fit: --arch: '%s' gives an empty architecture slug\n", a->arch_opt);
        return WS_EINPUT;
    }
    return 0;
}

/* Create the parent directory of path when it is missing (one level: models/). */
static int ensure_parent(const char *path)
{
    char dir[1024];
    ws_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "wattscale fit: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* Write the model to a temporary file and insert its row in the caller's transaction; the file is
 * renamed into place by models_finish after the commit. */
static int save_model(ws_store *st, model_batch *b, const char *path, cJSON *o, const char *arch,
                      const char *family, const char *job, const char *form, int assumed, const char *fitted_at)
{
    assert(!sqlite3_get_autocommit(st->db)); /* inside the transaction models_finish commits */
    if (b->n == MAX_MODELS) {
        fprintf(stderr, "wattscale fit: more than %d models at once: name one --job\n", MAX_MODELS);
        return WS_EINPUT;
    }
    char *text = cJSON_Print(o);
    ws_outfile *out = &b->files[b->n];
    ws_error err;
    FILE *f = text && ensure_parent(path) == 0 ? ws_outfile_open(out, path, &err) : NULL;
    if (!f) {
        if (text)
            ws_error_print(&err, stderr);
        free(text);
        return WS_EFAIL;
    }
    fputs(text, f);
    fputc('\n', f);
    sqlite3_stmt *s = ws_store_prepare(st, "INSERT INTO models(arch, family, job, form, assumed, path, json, "
                                           "fitted_at) VALUES (?,?,?,?,?,?,?,?)");
    int rc = WS_EFAIL;
    if (s) {
        ws_bind_text(s, 1, arch);
        ws_bind_text(s, 2, family);
        ws_bind_text(s, 3, job);
        ws_bind_text(s, 4, form);
        sqlite3_bind_int(s, 5, assumed);
        ws_bind_text(s, 6, path);
        ws_bind_text(s, 7, text);
        ws_bind_text(s, 8, fitted_at);
        rc = sqlite3_step(s) == SQLITE_DONE ? WS_OK : WS_EFAIL;
        if (rc)
            fprintf(stderr, "wattscale fit: store %s: %s\n", st->path, sqlite3_errmsg(st->db));
        sqlite3_finalize(s);
    } else {
        ws_cli_store_failed(st);
    }
    if (rc == WS_OK)
        b->ids[b->n++] = sqlite3_last_insert_rowid(st->db);
    else
        ws_outfile_abort(out);
    free(text);
    return rc;
}

/* ok: commit the store, then rename every file into place (a file that cannot be: its row is deleted
 * again); else roll back and remove the temporaries. Returns the exit status. */
static int models_finish(ws_store *st, model_batch *b, int rc)
{
    if (rc == WS_OK && ws_store_commit(st) != 0) {
        ws_cli_store_failed(st);
        rc = WS_EFAIL;
    }
    if (rc != WS_OK) {
        ws_store_rollback(st);
        for (int i = 0; i < b->n; i++)
            ws_outfile_abort(&b->files[i]);
        return rc;
    }
    sqlite3_stmt *del = NULL;
    for (int i = 0; i < b->n; i++) {
        ws_error err;
        if (ws_outfile_commit(&b->files[i], &err) == 0)
            continue;
        ws_error_print(&err, stderr);
        rc = WS_EFAIL;
        if (!del && !(del = ws_store_prepare(st, "DELETE FROM models WHERE id = ?"))) {
            ws_cli_store_failed(st);
            continue;
        }
        sqlite3_reset(del);
        sqlite3_bind_int64(del, 1, b->ids[i]);
        if (sqlite3_step(del) != SQLITE_DONE)
            fprintf(stderr, "wattscale fit: store %s: model %lld has no file: %s\n", st->path, (long long)b->ids[i],
                    sqlite3_errmsg(st->db));
    }
    sqlite3_finalize(del);
    return rc;
}

/* One power-family model in its own transaction: saved, committed, its file renamed into place. */
static int save_one_model(ws_store *st, const char *path, cJSON *o, const char *arch, const char *job,
                          const char *form, int assumed, const char *fitted_at)
{
    model_batch *batch = calloc(1, sizeof *batch);
    if (!batch) {
        fprintf(stderr, "wattscale fit: out of memory\n");
        return WS_EFAIL;
    }
    int rc = WS_EFAIL;
    if (ws_store_begin(st) != 0)
        ws_cli_store_failed(st);
    else
        rc = models_finish(st, batch, save_model(st, batch, path, o, arch, "power", job, form, assumed, fitted_at));
    free(batch);
    return rc;
}

/* ---- power family --------------------------------------------------------------------------- */

typedef struct {
    ws_power_point *pts;
    int n;
    cJSON *provenance;
    char input_note[256]; /* how utilisation was read */
} power_data;

static int load_table(const fit_args *a, power_data *d)
{
    ws_error err;
    ws_table_info info;
    if (ws_fit_read_power_table(a->table, &d->pts, &d->n, &info, &err) != 0) {
        fputs("wattscale fit: ", stderr);
        ws_error_print(&err, stderr);
        return WS_EINPUT;
    }
    char sha[65] = "";
    ws_sha256_file(a->table, sha);
    d->provenance = cJSON_CreateObject();
    cJSON_AddStringToObject(d->provenance, "kind", "table");
    cJSON_AddStringToObject(d->provenance, "path", a->table);
    cJSON_AddStringToObject(d->provenance, "sha256", sha);
    cJSON_AddStringToObject(d->provenance, "util_column", info.util_column);
    cJSON_AddStringToObject(d->provenance, "power_column", info.power_column);
    snprintf(d->input_note, sizeof d->input_note, "utilisation column '%s' read as %s; power column '%s' in W",
             info.util_column, info.util_percent ? "percent (0-100, divided by 100)" : "a fraction (0-1)",
             info.power_column);
    cJSON_AddStringToObject(d->provenance, "utilisation_input", info.util_percent ? "percent" : "fraction");
    return 0;
}

static int add_point(power_data *d, int *cap, double u, double w)
{
    if (ws_grow(&d->pts, d->n, cap, sizeof *d->pts, 1024) != 0)
        return -1;
    d->pts[d->n].u = u / 100.0;
    d->pts[d->n++].w = w;
    return 0;
}

static int load_samples(ws_store *st, const fit_args *a, power_data *d)
{
    sqlite3_stmt *s = ws_store_prepare(st, "SELECT sm.util_pct, sm.power_w, p.id FROM samples sm JOIN profiles p ON "
                                           "p.id = sm.profile_id WHERE p.arch = ?1 AND (?2 IS NULL OR p.job = ?2) AND "
                                           "sm.util_pct IS NOT NULL AND sm.power_w IS NOT NULL ORDER BY p.id, sm.seq");
    sqlite3_stmt *q = ws_store_prepare(st, "SELECT p.id, p.job, s.path, s.sha256, COUNT(*) FROM samples sm JOIN profiles p "
                                           "ON p.id = sm.profile_id JOIN sources s ON s.id = p.source_id WHERE p.arch = ?1 "
                                           "AND (?2 IS NULL OR p.job = ?2) AND sm.util_pct IS NOT NULL AND sm.power_w IS "
                                           "NOT NULL GROUP BY p.id ORDER BY p.id");
    int rc = WS_EFAIL, cap = 0;
    if (!s || !q) {
        ws_cli_store_failed(st);
        goto out;
    }
    ws_bind_text(s, 1, a->arch);
    ws_bind_text(s, 2, a->job);
    ws_bind_text(q, 1, a->arch);
    ws_bind_text(q, 2, a->job);
    while (sqlite3_step(s) == SQLITE_ROW) {
        double u = sqlite3_column_double(s, 0), w = sqlite3_column_double(s, 1);
        if (u < 0 || u > 100 || w < 0) {
            fprintf(stderr, "wattscale fit: store %s: profile %lld: sample util_pct %g / power_w %g out of range\n",
                    st->path, (long long)sqlite3_column_int64(s, 2), u, w);
            rc = WS_EINPUT;
            goto out;
        }
        if (add_point(d, &cap, u, w) != 0)
            goto out;
    }
    d->provenance = cJSON_CreateObject();
    cJSON_AddStringToObject(d->provenance, "kind", "samples");
    cJSON_AddStringToObject(d->provenance, "store", st->path);
    cJSON *profs = cJSON_AddArrayToObject(d->provenance, "profiles");
    while (sqlite3_step(q) == SQLITE_ROW) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "id", (double)sqlite3_column_int64(q, 0));
        ws_json_add_string(p, "job", (const char *)sqlite3_column_text(q, 1));
        ws_json_add_string(p, "source_path", (const char *)sqlite3_column_text(q, 2));
        ws_json_add_string(p, "source_sha256", (const char *)sqlite3_column_text(q, 3));
        cJSON_AddNumberToObject(p, "samples", (double)sqlite3_column_int64(q, 4));
        cJSON_AddItemToArray(profs, p);
    }
    cJSON_AddStringToObject(d->provenance, "utilisation_input", "percent");
    snprintf(d->input_note, sizeof d->input_note,
             "stored samples: util_pct read as percent (0-100, divided by 100), power_w in W");
    rc = 0;
    if (d->n == 0) {
        fprintf(stderr, "wattscale fit: store %s: no samples with power_w and util_pct for arch '%s'%s%s "
                        "(ingest profiles with samples, give --table FILE, or --tdp-w W for the assumed curve)\n",
                st->path, a->arch, a->job ? " and job " : "", a->job ? a->job : "");
        rc = WS_EINPUT;
    }
out:
    sqlite3_finalize(s);
    sqlite3_finalize(q);
    return rc;
}

static cJSON *report_json(const ws_fit_report *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "form", ws_form_name(r->form));
    cJSON_AddBoolToObject(o, "ok", r->ok);
    if (!r->ok) {
        cJSON_AddStringToObject(o, "why", r->why);
        return o;
    }
    cJSON_AddNumberToObject(o, "n", r->n);
    cJSON_AddNumberToObject(o, "n_params", r->n_params);
    ws_json_add_number(o, "r2", r->r2);
    ws_json_add_number(o, "rmse_w", r->rmse_w);
    ws_json_add_number(o, "aicc", r->aicc);
    ws_json_add_number(o, "max_rel_residual", r->max_rel);
    cJSON *w = cJSON_AddObjectToObject(o, "worst_point");
    ws_json_add_number(w, "u", r->worst_u);
    ws_json_add_number(w, "measured_w", r->worst_w);
    ws_json_add_number(w, "fitted_w", r->worst_fit_w);
    ws_json_add_number(w, "residual_w", r->worst_resid_w);
    ws_json_add_number(w, "residual_rel", r->worst_rel);
    return o;
}

static cJSON *power_json(const ws_power_model *m, const fit_args *a, const power_data *d, const ws_fit_report *rep,
                         const ws_fit_auto_report *autorep, const char *fitted_at)
{
    cJSON *o = ws_model_to_json(m);
    char name[200];
    snprintf(name, sizeof name, "%s-power", m->arch);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "fitted_at", fitted_at);
    if (m->assumed) {
        cJSON_AddStringToObject(o, "note", "ASSUMED: nothing measured; Teads curve scaled by the TDP (Cloud Carbon "
                                           "Footprint / GSF teads-curve), no prediction interval");
        cJSON *p = cJSON_AddObjectToObject(o, "provenance");
        cJSON_AddStringToObject(p, "kind", "tdp");
        cJSON_AddNumberToObject(p, "tdp_w", a->tdp_w);
        return o;
    }
    cJSON_AddItemToObject(o, "fit", report_json(rep));
    if (autorep) {
        cJSON *sel = cJSON_AddObjectToObject(o, "selection");
        cJSON_AddStringToObject(sel, "rule", "lowest AICc among parametric forms within tol_rel of every point");
        cJSON_AddNumberToObject(sel, "tol_rel", autorep->tol_rel);
        cJSON_AddBoolToObject(sel, "qualified", autorep->qualified);
        cJSON *c = cJSON_AddArrayToObject(sel, "candidates");
        for (int i = 0; i < 5; i++)
            cJSON_AddItemToArray(c, report_json(&autorep->candidates[i]));
    }
    cJSON_AddItemToObject(o, "provenance", cJSON_Duplicate(d->provenance, 1));
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    int step = d->n > 2000 ? (d->n + 1999) / 2000 : 1; /* at most ~2000 points for plots */
    for (int i = 0; i < d->n; i += step) {
        double pair[2] = {d->pts[i].u, d->pts[i].w};
        cJSON_AddItemToArray(data, cJSON_CreateDoubleArray(pair, 2));
    }
    if (step > 1)
        cJSON_AddNumberToObject(o, "data_every", step);
    return o;
}

static void print_candidates(const ws_fit_auto_report *ar)
{
    printf("  %-9s %4s %9s %9s %9s %9s\n", "form", "n", "R^2", "RMSE_W", "AICc", "max|res|");
    for (int i = 0; i < 5; i++) {
        const ws_fit_report *r = &ar->candidates[i];
        if (!r->ok) {
            printf("  %-9s %s\n", ws_form_name(r->form), r->why);
            continue;
        }
        printf("  %-9s %4d %9.5f %9.2f %9.2f %8.1f%%%s\n", ws_form_name(r->form), r->n, r->r2, r->rmse_w, r->aicc,
               100 * r->max_rel, r->form == ar->chosen ? "  <- chosen" : "");
    }
    if (ar->qualified)
        printf("chosen: %s (lowest AICc among the forms within %.0f%% of every point)\n", ws_form_name(ar->chosen),
               100 * ar->tol_rel);
    else
        printf("WARNING: no form stays within %.0f%% of every point; chosen by AICc alone: %s "
               "(consider --model piecewise)\n",
               100 * ar->tol_rel, ws_form_name(ar->chosen));
}

static void print_power(const ws_power_model *m, const ws_fit_report *rep)
{
    int n;
    const char *const *names = ws_form_param_names(m->form, &n);
    printf("%s: %s\n", m->arch, ws_form_formula(m->form));
    if (m->form == WS_FORM_PIECEWISE) {
        for (int k = 0; k < m->n_points; k++)
            printf("  u %.3f -> %.2f W\n", m->point_u[k], m->point_w[k]);
    } else {
        for (int i = 0; i < n; i++)
            printf("  %-6s = %10.4g +- %.3g (standard error)\n", names[i], m->params[i], m->stderr_[i]);
    }
    printf("  n %d, R^2 %.5f, RMSE %.2f W, AICc %s", rep->n, rep->r2, rep->rmse_w, isnan(rep->aicc) ? "n/a" : "");
    if (!isnan(rep->aicc))
        printf("%.2f", rep->aicc);
    printf(", sigma %.2f W (dof %d)\n", m->sigma_w, m->dof);
    printf("  worst point: u %.3f measured %.2f W fitted %.2f W (residual %+.2f W, %+.1f%%); max |residual| %.1f%%\n",
           rep->worst_u, rep->worst_w, rep->worst_fit_w, rep->worst_resid_w, 100 * rep->worst_rel, 100 * rep->max_rel);
}

static void print_tdp(const ws_power_model *m)
{
    printf("%s: ASSUMED power curve (nothing measured): %s\n", m->arch, ws_form_formula(m->form));
    for (int k = 0; k < m->n_points; k++)
        printf("  u %.2f -> %.1f W\n", m->point_u[k], m->point_w[k]);
}

static int fit_power_data(const fit_args *a, power_data *d, ws_power_model *m, ws_fit_report *rep,
                          ws_fit_auto_report *ar, int *is_auto)
{
    ws_error err;
    int rc;
    *is_auto = !a->model || strcmp(a->model, "auto") == 0;
    if (*is_auto) {
        rc = ws_fit_power_auto(d->pts, d->n, &a->fopts, m, ar, &err);
        if (rc == 0)
            *rep = ar->candidates[0];
        for (int i = 0; rc == 0 && i < 5; i++)
            if (ar->candidates[i].form == ar->chosen)
                *rep = ar->candidates[i];
    } else {
        ws_form form;
        if (ws_form_parse(a->model, &form) != 0 || form == WS_FORM_TDP) {
            fprintf(stderr, "wattscale fit: --model: '%s' is not auto, linear, fan, powerlaw, poly2, poly3 or "
                            "piecewise (tdp: use --tdp-w W)\n", a->model);
            return WS_EINPUT;
        }
        rc = ws_fit_power(d->pts, d->n, form, &a->fopts, m, rep, &err);
    }
    if (rc != 0) {
        fprintf(stderr, "wattscale fit: %s: ", a->table ? a->table : "stored samples");
        err.file[0] = '\0';
        ws_error_print(&err, stderr);
        fprintf(stderr, "wattscale fit: no model written\n");
    }
    return rc;
}

static int run_power(ws_store *st, const fit_args *a, const char *path, const char *fitted_at)
{
    power_data d = {0};
    ws_power_model m;
    memset(&m, 0, sizeof m);
    ws_strlcpy(m.arch, a->arch, sizeof m.arch);
    if (strcmp(a->arch, a->arch_opt) != 0)
        ws_strlcpy(m.arch_name, a->arch_opt, sizeof m.arch_name);
    ws_fit_report rep;
    ws_fit_auto_report ar;
    int is_auto = 0, rc;
    if (!isnan(a->tdp_w)) {
        if (a->model && strcmp(a->model, "tdp") != 0 && strcmp(a->model, "auto") != 0) {
            fprintf(stderr, "wattscale fit: --tdp-w gives the assumed tdp curve, not --model %s\n", a->model);
            return WS_EINPUT;
        }
        ws_model_set_tdp(&m, a->tdp_w);
        m.r2 = m.rmse_w = m.aicc = NAN;
    } else {
        rc = a->table ? load_table(a, &d) : load_samples(st, a, &d);
        if (rc == 0) {
            if (!a->json)
                printf("%s: %d points from %s; %s\n", a->arch, d.n, a->table ? a->table : "the store", d.input_note);
            rc = fit_power_data(a, &d, &m, &rep, &ar, &is_auto);
        }
        if (rc != 0) {
            free(d.pts);
            cJSON_Delete(d.provenance);
            return rc;
        }
    }
    cJSON *o = power_json(&m, a, &d, &rep, is_auto ? &ar : NULL, fitted_at);
    rc = save_one_model(st, path, o, m.arch, a->job, ws_form_name(m.form), m.assumed, fitted_at);
    if (rc == 0 && a->json) {
        ws_cli_print_json(o, stdout);
        o = NULL;
    } else if (rc == 0) {
        if (is_auto)
            print_candidates(&ar);
        if (m.assumed)
            print_tdp(&m);
        else
            print_power(&m, &rep);
        printf("wrote %s\n", path);
    }
    cJSON_Delete(o);
    free(d.pts);
    cJSON_Delete(d.provenance);
    return rc;
}

/* ---- job family ----------------------------------------------------------------------------- */

typedef struct {
    char job[128];
    char work_unit[32];
    ws_job_run runs[256];
    int n, n_without_work;
    cJSON *provenance;
} job_data;

static int load_job(ws_store *st, const char *arch, const char *job, job_data *d)
{
    memset(d, 0, sizeof *d);
    ws_strlcpy(d->job, job, sizeof d->job);
    sqlite3_stmt *s = ws_store_prepare(st, "SELECT p.id, p.work, p.work_unit, p.energy_j, p.duration_s, s.path, "
                                           "s.sha256 FROM profiles p JOIN sources s ON s.id = p.source_id WHERE "
                                           "p.arch = ?1 AND p.job = ?2 ORDER BY p.id");
    if (!s) {
        ws_cli_store_failed(st);
        return WS_EFAIL;
    }
    ws_bind_text(s, 1, arch);
    ws_bind_text(s, 2, job);
    d->provenance = cJSON_CreateArray();
    int more = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (d->n == (int)(sizeof d->runs / sizeof *d->runs)) { /* never fit on a silent subset */
            more = 1;
            break;
        }
        double work = ws_column_double(s, 1);
        if (isnan(work)) {
            d->n_without_work++;
            continue;
        }
        ws_job_run *r = &d->runs[d->n++];
        r->profile_id = sqlite3_column_int64(s, 0);
        r->work = work;
        r->energy_j = ws_column_double(s, 3);
        r->runtime_s = ws_column_double(s, 4);
        const char *unit = (const char *)sqlite3_column_text(s, 2);
        if (unit && !d->work_unit[0])
            ws_strlcpy(d->work_unit, unit, sizeof d->work_unit);
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "id", (double)r->profile_id);
        ws_json_add_string(p, "source_path", (const char *)sqlite3_column_text(s, 5));
        ws_json_add_string(p, "source_sha256", (const char *)sqlite3_column_text(s, 6));
        cJSON_AddItemToArray(d->provenance, p);
    }
    sqlite3_finalize(s);
    if (more) {
        fprintf(stderr, "wattscale fit: store %s: job '%s' on arch '%s' has more than %d runs: fitting on the first "
                        "%d would change the numbers; remove some (wattscale rm) or split the job\n",
                st->path, job, arch, d->n, d->n);
        cJSON_Delete(d->provenance);
        d->provenance = NULL;
        return WS_EINPUT;
    }
    if (d->n == 0) {
        fprintf(stderr, "wattscale fit: store %s: job '%s' on arch '%s': %s\n", st->path, job, arch,
                d->n_without_work ? "no profile carries work (ingest with --work N or --work-column COL)"
                                  : "no profiles");
        cJSON_Delete(d->provenance);
        d->provenance = NULL;
        return WS_EINPUT;
    }
    return 0;
}

static cJSON *ci_json(const ws_mean_ci *c)
{
    cJSON *o = cJSON_CreateObject();
    ws_json_add_number(o, "mean", c->mean);
    ws_json_add_number(o, "lo", c->lo);
    ws_json_add_number(o, "hi", c->hi);
    ws_json_add_number(o, "sd", c->sd);
    cJSON_AddBoolToObject(o, "interval_known", c->n > 1);
    return o;
}

static cJSON *job_json(const ws_job_model *m, const job_data *d, const ws_job_fit_report *rep, const char *fitted_at)
{
    cJSON *o = ws_job_model_to_json(m);
    char name[300];
    snprintf(name, sizeof name, "%s-job-%s", m->arch, m->job);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "fitted_at", fitted_at);
    cJSON *f = cJSON_AddObjectToObject(o, "fit");
    cJSON_AddStringToObject(f, "kind", ws_job_fit_kind_name(rep->kind));
    cJSON_AddStringToObject(f, "method", "weighted least squares, weights 1/y^2, covariance scaled by reduced chi^2");
    cJSON_AddNumberToObject(f, "n_work_values", rep->n_works);
    cJSON_AddBoolToObject(f, "covariance_known", rep->cov_known);
    ws_json_add_number(f, "r2_energy", rep->r2_e);
    ws_json_add_number(f, "r2_runtime", rep->r2_t);
    if (rep->kind == WS_JOB_FIT_PROPORTIONAL)
        cJSON_AddStringToObject(f, "note", rep->n > 1 ? "one work value: e0 = t0 = 0, slope from the mean of the repeats"
                                                      : "one run: e0 = t0 = 0, slope = E/work; interval unknown");
    cJSON *cfg = cJSON_AddArrayToObject(o, "configurations");
    for (int i = 0; i < rep->n_configs; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "work", rep->config_work[i]);
        cJSON_AddNumberToObject(c, "n", rep->config_energy_j[i].n);
        cJSON_AddItemToObject(c, "energy_j", ci_json(&rep->config_energy_j[i]));
        cJSON_AddItemToObject(c, "runtime_s", ci_json(&rep->config_runtime_s[i]));
        cJSON_AddItemToArray(cfg, c);
    }
    cJSON *p = cJSON_AddObjectToObject(o, "provenance");
    cJSON_AddStringToObject(p, "kind", "profiles");
    cJSON_AddItemToObject(p, "profiles", cJSON_Duplicate(d->provenance, 1));
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    for (int i = 0; i < d->n; i++) {
        double row[3] = {d->runs[i].work, d->runs[i].energy_j, d->runs[i].runtime_s};
        cJSON_AddItemToArray(data, cJSON_CreateDoubleArray(row, 3));
    }
    return o;
}

static void print_job(const ws_job_model *m, const ws_job_fit_report *rep, const char *unit)
{
    printf("%s / %s: %d run(s) at %d work value(s) (%s); fit %s\n", m->arch, m->job, rep->n, rep->n_works, unit,
           ws_job_fit_kind_name(rep->kind));
    if (rep->cov_known) {
        printf("  E = e0_j + e1_j work: e0_j = %.6g +- %.3g J, e1_j = %.6g +- %.3g J/%s\n", m->e0_j,
               sqrt(m->cov_e[0][0]), m->e1_j, sqrt(m->cov_e[1][1]), unit);
        printf("  T = t0_s + t1_s work: t0_s = %.6g +- %.3g s, t1_s = %.6g +- %.3g s/%s\n", m->t0_s,
               sqrt(m->cov_t[0][0]), m->t1_s, sqrt(m->cov_t[1][1]), unit);
    } else {
        printf("  E = e0_j + e1_j work: e0_j = %.6g J, e1_j = %.6g J/%s (standard errors unknown)\n", m->e0_j, m->e1_j,
               unit);
        printf("  T = t0_s + t1_s work: t0_s = %.6g s, t1_s = %.6g s/%s (standard errors unknown)\n", m->t0_s, m->t1_s,
               unit);
    }
    for (int i = 0; i < rep->n_configs; i++) {
        const ws_mean_ci *e = &rep->config_energy_j[i], *t = &rep->config_runtime_s[i];
        printf("  work %.6g: n %d, energy %.6g J (95%% CI %.6g .. %.6g), runtime %.6g s (95%% CI %.6g .. %.6g)%s\n",
               rep->config_work[i], e->n, e->mean, e->lo, e->hi, t->mean, t->lo, t->hi,
               e->n < 2 ? "  [one run: interval unknown]" : "");
    }
    if (!rep->cov_known)
        printf("  NOTE: parameter covariance unknown (too few runs); it is written as zero\n");
}

static void job_path(const fit_args *a, const char *job, int many, char *path, size_t size)
{
    if (a->out && !many) {
        ws_strlcpy(path, a->out, size);
        return;
    }
    char safe[128];
    size_t k = 0;
    for (const char *p = job; *p && k + 1 < sizeof safe; p++)
        safe[k++] = (isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.') ? *p : '_';
    safe[k] = '\0';
    snprintf(path, size, "%s%s%s-job-%s.json", many && a->out ? a->out : "models", "/", a->arch, safe);
}

static int list_jobs(ws_store *st, const fit_args *a, char (*jobs)[128], int max)
{
    if (a->job) {
        ws_strlcpy(jobs[0], a->job, 128);
        return 1;
    }
    sqlite3_stmt *s = ws_store_prepare(st, "SELECT DISTINCT job FROM profiles WHERE arch = ? AND job IS NOT NULL "
                                           "AND work IS NOT NULL ORDER BY job");
    int n = 0;
    if (!s) {
        ws_cli_store_failed(st);
        return -1;
    }
    ws_bind_text(s, 1, a->arch);
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == max) { /* never fit a silent subset */
            sqlite3_finalize(s);
            fprintf(stderr, "wattscale fit: store %s: more than %d job classes on arch '%s' carry work: fit them "
                            "one --job at a time\n", st->path, max, a->arch);
            return 0;
        }
        if (ws_strlcpy(jobs[n++], (const char *)sqlite3_column_text(s, 0), 128) != 0) {
            sqlite3_finalize(s);
            fprintf(stderr, "wattscale fit: a job name on arch '%s' is longer than 127 bytes\n", a->arch);
            return 0;
        }
    }
    sqlite3_finalize(s);
    if (n == 0)
        fprintf(stderr, "wattscale fit: store %s: no profile on arch '%s' carries a job and work (ingest with "
                        "--work N or --work-column COL)\n", st->path, a->arch);
    return n;
}

static int fit_one_job(ws_store *st, model_batch *b, const fit_args *a, const char *job, int many,
                       const char *fitted_at, cJSON *all)
{
    job_data *d = malloc(sizeof *d);
    if (!d)
        return WS_EFAIL;
    int rc = load_job(st, a->arch, job, d);
    ws_job_model m;
    ws_job_fit_report rep;
    ws_error err;
    if (rc == 0 && (rc = ws_fit_job(d->runs, d->n, &m, &rep, &err)) != 0) {
        fprintf(stderr, "wattscale fit: job '%s': ", job);
        ws_error_print(&err, stderr);
    }
    if (rc == 0) {
        ws_strlcpy(m.arch, a->arch, sizeof m.arch);
        ws_strlcpy(m.job, job, sizeof m.job);
        ws_strlcpy(m.work_unit, d->work_unit[0] ? d->work_unit : "units", sizeof m.work_unit);
        char path[1200];
        job_path(a, job, many, path, sizeof path);
        cJSON *o = job_json(&m, d, &rep, fitted_at);
        rc = save_model(st, b, path, o, m.arch, "job", job, ws_job_fit_kind_name(rep.kind), 0, fitted_at);
        if (rc == 0 && a->json)
            cJSON_AddItemToArray(all, o), o = NULL;
        else if (rc == 0) {
            print_job(&m, &rep, m.work_unit);
            printf("  wrote %s\n", path);
        }
        cJSON_Delete(o);
    }
    cJSON_Delete(d->provenance);
    free(d);
    return rc;
}

static int run_job(ws_store *st, const fit_args *a, const char *fitted_at)
{
    static char jobs[MAX_MODELS][128];
    int n = list_jobs(st, a, jobs, MAX_MODELS), rc = 0;
    if (n <= 0)
        return n < 0 ? WS_EFAIL : WS_EINPUT;
    model_batch *batch = calloc(1, sizeof *batch);
    if (!batch) {
        fprintf(stderr, "wattscale fit: out of memory\n");
        return WS_EFAIL;
    }
    if (ws_store_begin(st) != 0) {
        ws_cli_store_failed(st);
        free(batch);
        return WS_EFAIL;
    }
    cJSON *all = a->json ? cJSON_CreateArray() : NULL;
    for (int i = 0; i < n && rc == 0; i++)
        rc = fit_one_job(st, batch, a, jobs[i], n > 1 || !a->job, fitted_at, all);
    rc = models_finish(st, batch, rc);
    free(batch);
    if (rc == 0) {
        if (all && a->job) /* one job asked for: its model object */
            ws_cli_print_json(cJSON_DetachItemFromArray(all, 0), stdout);
        else if (all)
            ws_cli_print_json(all, stdout), all = NULL;
        cJSON_Delete(all);
        return 0;
    }
    fprintf(stderr, "wattscale fit: no job model recorded\n");
    cJSON_Delete(all);
    return rc;
}

/* ---- server family ---------------------------------------------------------------------------- */

typedef struct {
    ws_hepix_table h;
    ws_specpower_table sp;
    ws_curve_table cv;
} server_tables;

static void server_tables_free(server_tables *t)
{
    ws_hwmodel_free_hepix(&t->h);
    ws_hwmodel_free_specpower(&t->sp);
    ws_hwmodel_free_curves(&t->cv);
}

static int server_tables_read(const fit_args *a, server_tables *t, int need_spec)
{
    memset(t, 0, sizeof *t);
    ws_error err;
    int rc = ws_hwmodel_read_hepix(a->hepix, &t->h, &err);
    if (rc == 0 && need_spec && (rc = ws_hwmodel_read_specpower(a->specpower, &t->sp, &err)) == 0)
        rc = ws_hwmodel_read_curves(a->curves, &t->cv, &err);
    if (rc != 0) {
        fputs("wattscale fit: ", stderr);
        ws_error_print(&err, stderr);
        server_tables_free(t);
        return rc;
    }
    ws_hwmodel_mark_holdout(&t->h);
    return 0;
}

static int check_holdout(const fit_args *a)
{
    server_tables t;
    int rc = server_tables_read(a, &t, 0);
    if (rc)
        return rc;
    ws_holdout_result res[WS_HW_MAX_ROWS];
    int n;
    double mape;
    ws_error err;
    if ((rc = ws_hwmodel_holdout_check(&t.h, res, WS_HW_MAX_ROWS, &n, &mape, &err)) != 0) {
        fputs("wattscale fit: ", stderr);
        ws_error_print(&err, stderr);
        server_tables_free(&t);
        return rc;
    }
    printf("held-out rows of %s: power predicted as W/HS23 of the CPU's other rows x the row's HS23\n\n", a->hepix);
    printf("| line | CPU | site | sockets x cores, SMT | HS23 | other rows | W/HS23 | measured W | predicted W | "
           "error | same-config mean W |\n");
    printf("|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < n; i++) {
        const ws_holdout_result *r = &res[i];
        printf("| %ld | %s | %s | %d x %d, %s | %.1f | %d | %.5f | %.1f | %.1f | %+.1f%% | ", r->line, r->cpu, r->site,
               r->sockets, r->cores / r->sockets, r->smt ? "on" : "off", r->score, r->n_train, r->w_per_hs23,
               r->measured_w, r->predicted_w, 100 * r->error_rel);
        if (isnan(r->same_config_w))
            printf("none |\n");
        else
            printf("%.1f (%+.1f%%) |\n", r->same_config_w, 100 * (r->same_config_w - r->measured_w) / r->measured_w);
    }
    printf("\nmean absolute percentage error over %d held-out rows: %.1f%%\n", n, 100 * mape);
    server_tables_free(&t);
    return 0;
}

/* Append the model's row to a CSV file (the header first when the file is new or empty). */
static int append_csv(const char *path, const ws_server_model *m)
{
    FILE *f = fopen(path, "a");
    if (!f) {
        fprintf(stderr, "wattscale fit: %s: cannot open: %s\n", path, strerror(errno));
        return WS_EFAIL;
    }
    if (ftell(f) == 0)
        fprintf(f, "%s\n", ws_hwmodel_csv_header());
    ws_hwmodel_csv_row(m, f);
    if (fclose(f) != 0) {
        fprintf(stderr, "wattscale fit: %s: cannot write: %s\n", path, strerror(errno));
        return WS_EFAIL;
    }
    return 0;
}

static void print_server(const ws_server_model *m, const server_tables *t)
{
    printf("%s: %s, %d socket(s) x %d cores, SMT %s (%d threads); %d HEPiX row(s), line(s)", m->model.arch, m->cpu,
           m->sockets, m->cores / m->sockets, m->smt ? "on" : "off", m->threads, m->n_rows);
    for (int i = 0; i < m->n_rows; i++)
        printf("%s %ld", i ? "," : "", m->lines[i]);
    if (m->n_held_out) {
        printf(" (held out:");
        for (int i = 0; i < m->n_held_out; i++)
            printf("%s %ld", i ? "," : "", m->held_out_lines[i]);
        printf(")");
    }
    printf("\n  full load %9.2f W  measured (HEPiX, mean of %d row(s)", m->max_w, m->n_rows);
    if (!isnan(m->max_sd_w))
        printf("; sd %.2f W %s", m->max_sd_w, m->max_sd_between_rows ? "between rows" : "within the row's run");
    printf(")\n  HS23      %9.2f     %.4f per core, %.4f per thread; %.6f W/HS23 at full load\n", m->hs23,
           m->hs23_per_core, m->hs23_per_thread, m->w_per_hs23);
    if (m->idle_assumed)
        printf("  idle      %9.2f W  ASSUMED: %.4f x full load, the median idle/full of %d SPECpower results of EPYC "
               "and Xeon Scalable servers (no result of family %s)\n",
               m->idle_w, m->idle_fraction, m->n_spec, m->family[0] ? m->family : "none");
    else
        printf("  idle      %9.2f W  %.4f x full load, the median idle/full of %d SPECpower results of %s "
               "(range %.4f .. %.4f)\n",
               m->idle_w, m->idle_fraction, m->n_spec, ws_hwmodel_family_name(m->family), m->idle_fraction_min,
               m->idle_fraction_max);
    if (m->n_curves) {
        printf("  curve     piecewise, the mean shape of %d SPECpower curve(s) of the family:", m->n_curves);
        for (int i = 0; i < m->n_curves; i++)
            printf("%s %s (%s)", i ? ";" : "", t->cv.curves[m->curves[i]].server, t->cv.curves[m->curves[i]].cpu);
        printf("\n");
        for (int k = 0; k < m->model.n_points; k++)
            printf("%s%3.0f%% %.1f W", k ? ", " : "            ", 100 * m->model.point_u[k], m->model.point_w[k]);
        printf("\n");
    } else {
        printf("  curve     linear from idle to full load: ASSUMED (no SPECpower curve of this family)\n");
    }
}

static int run_server(ws_store *st, const fit_args *a, const char *fitted_at)
{
    server_tables t;
    int rc = server_tables_read(a, &t, 1);
    if (rc)
        return rc;
    ws_hwmodel_query q = {a->cpu, a->sockets, a->smt ? strcmp(a->smt, "on") == 0 : -1, a->include_held_out};
    ws_server_model *m = malloc(sizeof *m);
    ws_error err;
    if (!m) {
        fprintf(stderr, "wattscale fit: out of memory\n");
        server_tables_free(&t);
        return WS_EFAIL;
    }
    if ((rc = ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, m, &err)) != 0) {
        fputs("wattscale fit: ", stderr);
        ws_error_print(&err, stderr);
        fprintf(stderr, "wattscale fit: no model written\n");
        goto out;
    }
    if (a->arch[0])
        ws_strlcpy(m->model.arch, a->arch, sizeof m->model.arch);
    else
        ws_slugify_arch(m->cpu, m->model.arch, sizeof m->model.arch);
    ws_strlcpy(m->model.arch_name, m->cpu, sizeof m->model.arch_name);
    char path[1200];
    if (a->out)
        ws_strlcpy(path, a->out, sizeof path);
    else
        snprintf(path, sizeof path, "models/server-%s.json", m->model.arch);
    cJSON *o = ws_hwmodel_to_json(m, &t.h, &t.sp, &t.cv);
    cJSON_AddStringToObject(o, "fitted_at", fitted_at);
    rc = save_one_model(st, path, o, m->model.arch, NULL, ws_form_name(m->model.form), 0, fitted_at);
    if (rc == 0 && a->csv)
        rc = append_csv(a->csv, m);
    if (rc == 0 && a->json) {
        ws_cli_print_json(o, stdout);
        o = NULL;
    } else if (rc == 0) {
        print_server(m, &t);
        printf("wrote %s%s%s\n", path, a->csv ? ", a row of " : "", a->csv ? a->csv : "");
    }
    cJSON_Delete(o);
out:
    free(m);
    server_tables_free(&t);
    return rc;
}

int cmd_fit(int argc, char **argv)
{
    fit_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (a.check_holdout)
        return check_holdout(&a);
    ws_store st;
    if (ws_cli_open_store(&st, a.db) != 0)
        return WS_EFAIL;
    char fitted_at[40], path[1200];
    ws_now_iso(fitted_at, sizeof fitted_at);
    if (strcmp(a.family, "job") == 0) {
        rc = run_job(&st, &a, fitted_at);
    } else if (strcmp(a.family, "server") == 0) {
        rc = run_server(&st, &a, fitted_at);
    } else {
        if (a.out)
            ws_strlcpy(path, a.out, sizeof path);
        else
            snprintf(path, sizeof path, "models/%s-power.json", a.arch);
        rc = run_power(&st, &a, path, fitted_at);
    }
    ws_store_close(&st);
    return rc;
}
