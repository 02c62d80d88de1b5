/* ws_report: see ws_report.h. Markdown and HTML share one walk over the report (a tiny emitter with
 * two back ends) so the formats cannot drift apart. */
#include "ws_report.h"
#include "ws_runs.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "ws_cli.h"
#include "ws_util.h"

typedef struct {
    FILE *out;
    int html;
} emitter;

static const char *str(const cJSON *o, const char *name, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : dflt;
}

static double num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Four significant digits: the intervals rarely justify more. */
static void fmt_num(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.4g", v);
}

void ws_report_format_interval(const cJSON *iv, char *buf, size_t size)
{
    if (!cJSON_IsObject(iv)) {
        snprintf(buf, size, "-");
        return;
    }
    char m[32], lo[32], hi[32];
    fmt_num(num(iv, "mean"), m, sizeof m);
    fmt_num(num(iv, "lo"), lo, sizeof lo);
    fmt_num(num(iv, "hi"), hi, sizeof hi);
    if (num(iv, "lo") == num(iv, "hi") && num(iv, "lo") == num(iv, "mean"))
        snprintf(buf, size, "%s", m);
    else
        snprintf(buf, size, "%s [%s, %s]", m, lo, hi);
}

/* Markdown: text from the inputs (names, descriptions) cannot make structure: line breaks become
 * spaces, and what could start raw HTML, a link, code, a table cell or a heading is backslash-escaped. */
static void md_esc(FILE *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\n' || *p == '\r')
            fputc(' ', out);
        else if (strchr("<>[]`|\\", *p) || (*p == '#' && p == s))
            fprintf(out, "\\%c", *p);
        else
            fputc(*p, out);
    }
}

static void esc(emitter *e, const char *s)
{
    if (!e->html) {
        md_esc(e->out, s);
        return;
    }
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", e->out); break;
        case '>': fputs("&gt;", e->out); break;
        case '&': fputs("&amp;", e->out); break;
        case '"': fputs("&quot;", e->out); break;
        default: fputc(*s, e->out);
        }
    }
}

static void heading(emitter *e, int level, const char *text)
{
    if (e->html) {
        fprintf(e->out, "<h%d>", level);
        esc(e, text);
        fprintf(e->out, "</h%d>\n", level);
    } else {
        fprintf(e->out, "\n%.*s ", level, "######");
        md_esc(e->out, text);
        fputs("\n\n", e->out);
    }
}

static void para(emitter *e, const char *text)
{
    if (e->html) {
        fputs("<p>", e->out);
        esc(e, text);
        fputs("</p>\n", e->out);
    } else {
        md_esc(e->out, text);
        fputs("\n\n", e->out);
    }
}

static void table_begin(emitter *e, const char *const *cols, int n)
{
    if (e->html) {
        fputs("<table><tr>", e->out);
        for (int i = 0; i < n; i++) {
            fputs("<th>", e->out);
            esc(e, cols[i]);
            fputs("</th>", e->out);
        }
        fputs("</tr>\n", e->out);
        return;
    }
    for (int i = 0; i < n; i++)
        fprintf(e->out, "| %s ", cols[i]);
    fputs("|\n", e->out);
    for (int i = 0; i < n; i++)
        fputs(i == 0 ? "| --- " : "| ---: ", e->out);
    fputs("|\n", e->out);
}

static void table_row(emitter *e, const char *const *cells, int n)
{
    fputs(e->html ? "<tr>" : "", e->out);
    for (int i = 0; i < n; i++) {
        fputs(e->html ? "<td>" : "| ", e->out);
        esc(e, cells[i]);
        fputs(e->html ? "</td>" : " ", e->out);
    }
    fputs(e->html ? "</tr>\n" : "|\n", e->out);
}

static void table_end(emitter *e)
{
    fputs(e->html ? "</table>\n" : "\n", e->out);
}

static void list(emitter *e, const cJSON *items)
{
    if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) == 0)
        return;
    fputs(e->html ? "<ul>\n" : "", e->out);
    const cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        if (!cJSON_IsString(it))
            continue;
        fputs(e->html ? "<li>" : "- ", e->out);
        esc(e, it->valuestring);
        fputs(e->html ? "</li>\n" : "\n", e->out);
    }
    fputs(e->html ? "</ul>\n" : "\n", e->out);
}

static void emit_header(emitter *e, const cJSON *r)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(r, "scenario");
    char title[512], line[2048];
    snprintf(title, sizeof title, "wattscale projection: %s", str(sc, "name", "scenario"));
    heading(e, 1, title);
    snprintf(line, sizeof line, "Run %.0f of scenario %s (sha256 %.16s...), seed %.0f, %.0f replica(s), %.4g measured "
             "day(s) scaled by %.6g. %s %s", num(r, "run_id"), str(sc, "path", "?"), str(sc, "sha256", "?"), num(sc, "seed"),
             num(sc, "replicas"), num(sc, "simulated_days"), num(sc, "scale_factor"), str(sc, "scale_note", ""),
             str(sc, "description", ""));
    para(e, line);
    const cJSON *headline = cJSON_GetObjectItemCaseSensitive(r, "headline");
    if (cJSON_IsArray(headline)) {
        heading(e, 2, "In one sentence each");
        list(e, headline);
    }
}

static void emit_savings(emitter *e, const cJSON *r)
{
    heading(e, 2, "Savings per variant (per day at the scenario's scale, 95% intervals)");
    static const char *const cols[] = {"variant", "energy MWh/day", "saving MWh/day", "saving %",
                                       "CO2 t/day", "saving t CO2/day", "mean wait s", "SCI g CO2e/job"};
    table_begin(e, cols, 8);
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(r, "variants"))
    {
        const cJSON *pd = cJSON_GetObjectItemCaseSensitive(v, "per_day");
        const cJSON *sv = cJSON_GetObjectItemCaseSensitive(v, "saving_vs_baseline");
        const cJSON *tot = cJSON_GetObjectItemCaseSensitive(v, "totals");
        char c[8][96];
        const char *cells[8];
        snprintf(c[0], sizeof c[0], "%s", str(v, "name", "?"));
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(pd, "facility_energy_mwh"), c[1], sizeof c[1]);
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(sv, "facility_energy_mwh_per_day"), c[2], sizeof c[2]);
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(sv, "facility_energy_pct"), c[3], sizeof c[3]);
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(pd, "co2_t"), c[4], sizeof c[4]);
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(sv, "co2_t_per_day"), c[5], sizeof c[5]);
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(tot, "mean_wait_s"), c[6], sizeof c[6]);
        ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(v, "sci_g_per_job"), c[7], sizeof c[7]);
        for (int i = 0; i < 8; i++)
            cells[i] = c[i];
        table_row(e, cells, 8);
    }
    table_end(e);
    para(e, "Savings are baseline minus variant (positive = the variant uses less). Per year = per day x 365.");
}

/* A model's label: MEASURED / given / ASSUMED (reports stored before "provenance" existed: from "assumed"). */
static const char *provenance_word(const cJSON *m)
{
    const char *p = str(m, "provenance", "");
    if (strcmp(p, "given") == 0)
        return "given";
    if (strcmp(p, "assumed") == 0 || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "assumed")))
        return "ASSUMED";
    return "measured";
}

static void emit_inputs(emitter *e, const cJSON *r)
{
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(r, "inputs");
    heading(e, 2, "Inputs and provenance");
    static const char *const fcols[] = {"file", "sha256", "what", "provenance"};
    table_begin(e, fcols, 4);
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(inputs, "files"))
    {
        const char *cells[] = {str(f, "path", "?"), str(f, "sha256", "?"), str(f, "what", ""), str(f, "provenance", "")};
        table_row(e, cells, 4);
    }
    table_end(e);
    static const char *const mcols[] = {"site", "node group", "model", "form", "source", "provenance"};
    table_begin(e, mcols, 6);
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(inputs, "models"))
    {
        const char *cells[] = {str(m, "site", ""), str(m, "group", ""), str(m, "arch", ""), str(m, "form", ""),
                               str(m, "source", "inline"),
                               provenance_word(m)};
        table_row(e, cells, 6);
    }
    table_end(e);
    const cJSON *tw = cJSON_GetObjectItemCaseSensitive(inputs, "tweaks");
    if (cJSON_GetArraySize(tw) > 0) {
        static const char *const tcols[] = {"variant", "class", "runtime factor", "power factor", "energy factor",
                                            "from"};
        table_begin(e, tcols, 6);
        const cJSON *t;
        cJSON_ArrayForEach(t, tw)
        {
            char rf[96], pf[96], ef[96];
            ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(t, "runtime_factor"), rf, sizeof rf);
            ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(t, "power_factor"), pf, sizeof pf);
            ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(t, "energy_factor"), ef, sizeof ef);
            const char *cells[] = {str(t, "variant", ""), str(t, "class", ""), rf, pf, ef, str(t, "from", "literal")};
            table_row(e, cells, 6);
        }
        table_end(e);
    }
    heading(e, 2, "Assumptions");
    list(e, cJSON_GetObjectItemCaseSensitive(r, "assumptions"));
}

static void emit_totals(emitter *e, const cJSON *r)
{
    heading(e, 2, "Simulated totals (the whole simulated horizon)");
    static const char *const cols[] = {"variant", "jobs", "IT energy kWh", "facility energy kWh", "CO2 kg",
                                       "cost", "p95 wait s", "makespan s"};
    table_begin(e, cols, 8);
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(r, "variants"))
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, "totals");
        static const char *const keys[] = {"jobs", "it_energy_kwh", "facility_energy_kwh", "co2_kg",
                                           "cost", "p95_wait_s", "makespan_s"};
        char c[8][96];
        const char *cells[8] = {str(v, "name", "?")};
        for (int i = 0; i < 7; i++) {
            ws_report_format_interval(cJSON_GetObjectItemCaseSensitive(t, keys[i]), c[i], sizeof c[i]);
            cells[i + 1] = c[i];
        }
        table_row(e, cells, 8);
    }
    table_end(e);
}

static void embed_png(emitter *e, const char *path)
{
    size_t len;
    char *data = ws_read_file(path, &len);
    if (!data) {
        fputs("<p>(figure missing: ", e->out);
        esc(e, path);
        fputs(")</p>\n", e->out);
        return;
    }
    unsigned char *b64 = malloc(4 * ((len + 2) / 3) + 1);
    if (b64) {
        EVP_EncodeBlock(b64, (const unsigned char *)data, (int)len);
        fprintf(e->out, "<img alt=\"figure\" src=\"data:image/png;base64,%s\">\n", b64);
    }
    free(b64);
    free(data);
}

static void emit_figures(emitter *e, const cJSON *r)
{
    const cJSON *figs = cJSON_GetObjectItemCaseSensitive(r, "figures");
    if (cJSON_GetArraySize(figs) == 0)
        return;
    heading(e, 2, "Figures");
    const cJSON *f;
    cJSON_ArrayForEach(f, figs)
    {
        const char *png = str(f, "png", NULL), *title = str(f, "title", "");
        if (!png)
            continue;
        if (e->html) {
            fputs("<figure>", e->out);
            embed_png(e, png);
            fputs("<figcaption>", e->out);
            esc(e, title);
            fputs("</figcaption></figure>\n", e->out);
        } else {
            fprintf(e->out, "![%s](%s)\n\n", title, png);
        }
    }
}

static void emit_all(emitter *e, const cJSON *r)
{
    emit_header(e, r);
    emit_savings(e, r);
    emit_totals(e, r);
    emit_inputs(e, r);
    emit_figures(e, r);
}

int ws_report_write_md(const cJSON *report, FILE *out)
{
    emitter e = {out, 0};
    emit_all(&e, report);
    return ferror(out) ? -1 : 0;
}

int ws_report_write_html(const cJSON *report, FILE *out)
{
    emitter e = {out, 1};
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>wattscale report</title>\n"
          "<style>body{font-family:sans-serif;max-width:72em;margin:2em auto;color:#111;background:#fff}"
          "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.3em .6em;"
          "text-align:right}td:first-child,th:first-child{text-align:left}img{max-width:100%}"
          "figure{margin:1em 0}</style></head><body>\n",
          out);
    emit_all(&e, report);
    fputs("</body></html>\n", out);
    return ferror(out) ? -1 : 0;
}

int ws_report_write_json(const cJSON *report, FILE *out)
{
    char *text = cJSON_Print(report);
    if (!text)
        return -1;
    fputs(text, out);
    fputc('\n', out);
    free(text);
    return ferror(out) ? -1 : 0;
}

/* ---- loading a stored run ---- */

/* Totals of a plain simulation as a report interval (n = 1). */
static cJSON *one(double v)
{
    cJSON *o = cJSON_CreateObject();
    ws_json_add_number(o, "mean", v);
    ws_json_add_number(o, "lo", v);
    ws_json_add_number(o, "hi", v);
    cJSON_AddNumberToObject(o, "n", 1);
    return o;
}

static double get(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0.0 / 0.0;
}

static cJSON *from_simulation(const cJSON *sum, long long run_id)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "wattscale_report", 1);
    cJSON_AddNumberToObject(r, "run_id", (double)run_id);
    cJSON *sc = cJSON_AddObjectToObject(r, "scenario");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(sum, "scenario");
    cJSON_AddStringToObject(sc, "name", cJSON_IsString(path) ? path->valuestring : "scenario");
    cJSON_AddStringToObject(sc, "path", cJSON_IsString(path) ? path->valuestring : "");
    const cJSON *sha = cJSON_GetObjectItemCaseSensitive(sum, "scenario_sha256");
    cJSON_AddStringToObject(sc, "sha256", cJSON_IsString(sha) ? sha->valuestring : "");
    cJSON_AddNumberToObject(sc, "seed", get(sum, "seed"));
    cJSON_AddNumberToObject(sc, "replicas", 1);
    cJSON_AddNumberToObject(sc, "simulated_days", get(sum, "simulated_s") / 86400);
    cJSON_AddNumberToObject(sc, "scale_factor", 1);
    cJSON_AddBoolToObject(r, "synthetic_workload", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "synthetic")));
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "name", "simulation");
    cJSON *t = cJSON_AddObjectToObject(v, "totals");
    cJSON_AddItemToObject(t, "jobs", one(get(sum, "jobs")));
    cJSON_AddItemToObject(t, "makespan_s", one(get(sum, "makespan_s")));
    cJSON_AddItemToObject(t, "it_energy_kwh", one(get(sum, "it_energy_kwh")));
    cJSON_AddItemToObject(t, "facility_energy_kwh", one(get(sum, "facility_energy_j") / 3.6e6));
    cJSON_AddItemToObject(t, "co2_kg", one(get(sum, "co2_kg")));
    cJSON_AddItemToObject(t, "cost", one(get(sum, "cost")));
    cJSON_AddItemToObject(t, "mean_wait_s", one(get(sum, "mean_wait_s")));
    cJSON_AddItemToObject(t, "p95_wait_s", one(get(sum, "p95_wait_s")));
    cJSON *pd = cJSON_AddObjectToObject(v, "per_day");
    double days = get(sum, "simulated_s") / 86400;
    cJSON_AddItemToObject(pd, "facility_energy_mwh", one(get(sum, "facility_energy_j") / 3.6e9 / days));
    cJSON_AddItemToObject(pd, "co2_t", one(get(sum, "co2_kg") / 1000 / days));
    cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "variants"), v);
    cJSON *in = cJSON_AddObjectToObject(r, "inputs");
    cJSON_AddArrayToObject(in, "files");
    cJSON_AddArrayToObject(r, "assumptions");
    return r;
}

int ws_report_load(ws_store *st, const char *which, long long *id_out, char *out_dir, size_t out_dir_size,
                   cJSON **report, ws_error *err)
{
    /* "latest" is the latest run a report can show (a sweep's table is its CSV/JSON, not a report) */
    unsigned kinds = 1u << WS_RUN_SIMULATE | 1u << WS_RUN_WHATIF;
    ws_run_kind kind;
    int64_t id = 0;
    cJSON *summary = NULL;
    *report = NULL;
    int rc = ws_runs_load(st, which, kinds, &kind, &id, &summary, out_dir, out_dir_size, err);
    *id_out = id;
    if (rc != WS_OK)
        return rc;
    if (kind == WS_RUN_WHATIF) {
        *report = summary;
        return WS_OK;
    }
    *report = from_simulation(summary, id);
    cJSON_Delete(summary);
    if (!*report) {
        ws_error_set(err, NULL, 0, NULL, "run %lld: out of memory building its report", (long long)id);
        return WS_EFAIL;
    }
    return WS_OK;
}

