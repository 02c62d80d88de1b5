/* ws_report: see ws_report.h. Markdown and HTML share one walk over the report (a tiny emitter with
 * two back ends) so the formats cannot drift apart; LaTeX and BibTeX reuse its number formatting
 * (ws_fmt) and reference list (ws_refs). */
#include "ws_report.h"
#include "ws_runs.h"

#include <ctype.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "ws_json.h"
#include "ws_refs.h"
#include "ws_util.h"

static const char *str(const cJSON *o, const char *name, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : dflt;
}

static double num(const cJSON *o, const char *name) { return ws_json_number(o, name, NAN); }

/* ---- numbers ---- */

/* How a report field is written: its quantity, the factor to ws_fmt's base unit (MWh -> kWh: 1000) and
 * a suffix for money (" EUR"). */
typedef struct {
    ws_quantity q;
    double to_base;
    char suffix[24];
} qty;

static const qty Q_MWH = {WS_Q_ENERGY_KWH, 1000, ""}, Q_KWH = {WS_Q_ENERGY_KWH, 1, ""},
                 Q_T = {WS_Q_MASS_KG, 1000, ""}, Q_KG = {WS_Q_MASS_KG, 1, ""}, Q_G = {WS_Q_MASS_KG, 0.001, ""},
                 Q_S = {WS_Q_TIME_S, 1, ""}, Q_PCT = {WS_Q_PERCENT, 1, ""}, Q_N = {WS_Q_COUNT, 1, ""};

static qty q_money(const cJSON *r)
{
    const char *cur = str(cJSON_GetObjectItemCaseSensitive(r, "scenario"), "currency", "");
    qty q = {WS_Q_COUNT, 1, ""};
    snprintf(q.suffix, sizeof q.suffix, "%s%.20s", cur[0] ? " " : "", cur);
    return q;
}

/* mean, lo, hi of an interval object in the quantity's base unit; 0 when it is not one. */
static int ivals(const cJSON *iv, qty u, double *m, double *lo, double *hi)
{
    if (!cJSON_IsObject(iv))
        return 0;
    *m = num(iv, "mean") * u.to_base;
    *lo = num(iv, "lo") * u.to_base;
    *hi = num(iv, "hi") * u.to_base;
    return !isnan(*m);
}

static void fmt_iv(const cJSON *iv, qty u, char *buf, size_t size)
{
    double m, lo, hi;
    if (!ivals(iv, u, &m, &lo, &hi)) {
        snprintf(buf, size, "-");
        return;
    }
    char b[160];
    ws_fmt_interval(m, lo, hi, u.q, b, sizeof b);
    if (snprintf(buf, size, "%s%s", b, u.suffix) >= (int)size && size > 0)
        buf[size - 1] = '\0'; /* cut: the caller's room decides (checked, not silent to the compiler) */
}

void ws_report_format_interval(const cJSON *iv, ws_quantity q, double to_base, char *buf, size_t size)
{
    qty u = {q, to_base, ""};
    fmt_iv(iv, u, buf, size);
}

/* An effect (baseline minus variant: positive saves) times `times` (365 for a year): the interval when
 * it excludes zero, else "no significant change (95% interval A to B UNIT PER)". Returns 1 significant,
 * 0 not, -1 absent (buf "-"). `magnitude` writes a saving's size without its sign (for "saves"/"costs"). */
static int fmt_effect(const cJSON *iv, qty u, double times, const char *per, int magnitude, char *buf, size_t size)
{
    double m, lo, hi;
    if (!ivals(iv, u, &m, &lo, &hi)) {
        snprintf(buf, size, "-");
        return -1;
    }
    m *= times, lo *= times, hi *= times;
    char b[160];
    if (m == 0 && lo == 0 && hi == 0) {
        snprintf(buf, size, "no change (the same in every replica)");
        return 0;
    }
    if (!ws_fmt_significant(lo, hi)) {
        ws_fmt_range(lo, hi, u.q, b, sizeof b);
        snprintf(buf, size, "no significant change (95%% interval %s%s%s%s)", b, u.suffix, per[0] ? " " : "", per);
        return 0;
    }
    if (magnitude && m < 0) {
        double t = lo;
        m = -m, lo = -hi, hi = -t;
    }
    ws_fmt_interval(m, lo, hi, u.q, b, sizeof b);
    snprintf(buf, size, "%s%s%s%s", b, u.suffix, per[0] ? " " : "", per);
    return 1;
}

static double mean_at(const cJSON *v, const char *a, const char *b)
{
    return num(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v, a), b), "mean");
}

static const cJSON *saving(const cJSON *v, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v, "saving_vs_baseline"), key);
}

/* A headline-box cell: the saving a day and, when it is significant, a year; `missing` when the variant
 * has none (no interval: not simulated, or no price for money). The md/html and tex boxes share it. */
static void headline_saving(const cJSON *v, const char *key, qty u, const char *missing, char *buf, size_t size)
{
    char day[320], year[320];
    int sig = fmt_effect(saving(v, key), u, 1, "a day", 0, day, sizeof day);
    if (sig == 1) {
        fmt_effect(saving(v, key), u, 365, "a year", 0, year, sizeof year);
        snprintf(buf, size, "%s; %s", day, year);
    } else {
        snprintf(buf, size, "%s", sig == -1 ? missing : day); /* a NaN mean is sig -1 (fmt_effect) */
    }
}

int ws_report_variant_significant(const cJSON *variant)
{
    static const char *const keys[] = {"facility_energy_mwh_per_day", "co2_t_per_day", "cost_per_day"};
    for (int k = 0; k < 3; k++) {
        const cJSON *iv = saving(variant, keys[k]);
        if (cJSON_IsObject(iv) && ws_fmt_significant(num(iv, "lo"), num(iv, "hi")))
            return 1;
    }
    return 0;
}

void ws_report_sentence(const cJSON *variant, char *buf, size_t size)
{
    char e[320], p[200], c[320], j[320];
    int es = fmt_effect(saving(variant, "facility_energy_mwh_per_day"), Q_MWH, 1, "a day", 1, e, sizeof e);
    fmt_effect(saving(variant, "facility_energy_pct"), Q_PCT, 1, "", 1, p, sizeof p);
    int cs = fmt_effect(saving(variant, "co2_t_per_day"), Q_T, 1, "CO2 a day", 1, c, sizeof c);
    int js = fmt_effect(saving(variant, "job_energy_pct"), Q_PCT, 1, "", 1, j, sizeof j);
    double em = mean_at(variant, "saving_vs_baseline", "facility_energy_mwh_per_day");
    double cm = mean_at(variant, "saving_vs_baseline", "co2_t_per_day");
    double jm = mean_at(variant, "saving_vs_baseline", "job_energy_pct");
    char energy[600], co2[400], job[400] = "";
    if (es == 1)
        snprintf(energy, sizeof energy, "%s %s (%s)", em < 0 ? "costs" : "saves", e, p);
    else
        snprintf(energy, sizeof energy, "energy: %s", e);
    if (cs == 1)
        snprintf(co2, sizeof co2, "%s %s at the facilities", cm < 0 ? "emits" : "saves", c);
    else
        snprintf(co2, sizeof co2, "CO2: %s", c);
    if (js == 1)
        snprintf(job, sizeof job, "; per job it %s %s of the energy", jm < 0 ? "costs" : "saves", j);
    else if (js == 0)
        snprintf(job, sizeof job, "; per job: %s", j);
    if (cs == 1 && cm < 0) /* "emits 2 t CO2 a day" reads as a total: say it is more */
        snprintf(co2, sizeof co2, "emits %s more at the facilities", c);
    snprintf(buf, size, "%s %s; %s%s", str(variant, "name", "?"), energy, co2, job);
}

/* ---- emitter ---- */

typedef struct {
    FILE *out;
    int html;
} emitter;

/* Markdown: text from the inputs (names, descriptions) cannot make structure: line breaks become
 * spaces, and what could start raw HTML, a link (a ']' followed by '(', '[' or ':'), code, a table cell
 * or a heading is backslash-escaped. */
static void md_esc(FILE *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\n' || *p == '\r')
            fputc(' ', out);
        else if (strchr("<>`|\\", *p) || (*p == '#' && p == s) ||
                 (*p == ']' && (p[1] == '(' || p[1] == '[' || p[1] == ':'))) /* "[17, 19] MWh" stays as it is */
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

/* A paragraph that starts with a bold label ("Scale: ..."). */
static void labelled(emitter *e, const char *label, const char *text)
{
    fputs(e->html ? "<p><strong>" : "**", e->out);
    esc(e, label);
    fputs(e->html ? "</strong> " : "** ", e->out);
    esc(e, text);
    fputs(e->html ? "</p>\n" : "\n\n", e->out);
}

/* An equation on a line of its own (plain text: Markdown code, HTML preformatted). */
static void equation(emitter *e, const char *text)
{
    if (e->html) {
        fputs("<pre class=\"eq\">", e->out);
        esc(e, text);
        fputs("</pre>\n", e->out);
    } else {
        fprintf(e->out, "    %s\n\n", text);
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

static void list_begin(emitter *e)
{
    fputs(e->html ? "<ul>\n" : "", e->out);
}

static void list_item(emitter *e, const char *text)
{
    fputs(e->html ? "<li>" : "- ", e->out);
    esc(e, text);
    fputs(e->html ? "</li>\n" : "\n", e->out);
}

static void list_end(emitter *e)
{
    fputs(e->html ? "</ul>\n" : "\n", e->out);
}

static void list(emitter *e, const cJSON *items)
{
    if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) == 0)
        return;
    list_begin(e);
    const cJSON *it;
    cJSON_ArrayForEach(it, items) if (cJSON_IsString(it)) list_item(e, it->valuestring);
    list_end(e);
}

/* ---- what a number rests on ---- */

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

/* Append ", item" to a list in buf unless it is there already. */
static void add_word(char *buf, size_t size, const char *item)
{
    const char *p = buf;
    size_t n = strlen(item);
    while ((p = strstr(p, item))) {
        if ((p == buf || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
            return;
        p += n;
    }
    size_t k = strlen(buf);
    snprintf(buf + k, size - k, "%s%s", k ? ", " : "", item);
}

/* "measured: ...; cited: ...; given: ...; assumed: ..." for one variant: the report's inputs by
 * provenance, and the variant's own tweak factors. */
static void rests_on(const cJSON *r, const char *variant, char *buf, size_t size)
{
    char measured[512] = "", cited[512] = "", given[256] = "", assumed[512] = "";
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(r, "inputs"), *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(inputs, "files"))
    {
        const char *p = str(f, "provenance", ""), *what = str(f, "what", "");
        if (strcmp(p, "measured") == 0)
            add_word(measured, sizeof measured, strncmp(what, "measured profiles", 17) == 0 ? "profiles" : what);
        else if (strcmp(p, "cited") == 0)
            add_word(cited, sizeof cited, what);
        else if (strcmp(p, "given") == 0)
            add_word(given, sizeof given, what);
    }
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(inputs, "models"))
    {
        if (strcmp(provenance_word(f), "ASSUMED") == 0) {
            char w[160];
            snprintf(w, sizeof w, "%s power", str(f, "arch", "?"));
            add_word(assumed, sizeof assumed, w);
        }
    }
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(inputs, "tweaks"))
    {
        if (strcmp(str(f, "variant", ""), variant) != 0)
            continue;
        if (strncmp(str(f, "from", ""), "profiles", 8) == 0)
            add_word(measured, sizeof measured, "tweak factors");
        else
            add_word(given, sizeof given, "tweak factors");
    }
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(r, "variants"))
    {
        if (strcmp(str(f, "name", ""), variant) != 0)
            continue;
        const cJSON *own = cJSON_GetObjectItemCaseSensitive(f, "rests_on"), *w;
        char *lists[] = {measured, cited, given, assumed};
        size_t sizes[] = {sizeof measured, sizeof cited, sizeof given, sizeof assumed};
        const char *keys[] = {"measured", "cited", "given", "assumed"};
        for (int i = 0; i < 4; i++)
            cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(own, keys[i])) add_word(lists[i], sizes[i], w->valuestring);
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "synthetic_workload")))
        add_word(assumed, sizeof assumed, "synthetic workload");
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(r, "assumptions"))
    {
        if (cJSON_IsString(a) && strstr(a->valuestring, "SCALED"))
            add_word(assumed, sizeof assumed, "linear scaling");
    }
    snprintf(buf, size, "measured: %s; cited: %s; given: %s; assumed: %s", measured[0] ? measured : "nothing",
             cited[0] ? cited : "nothing", given[0] ? given : "nothing", assumed[0] ? assumed : "nothing");
}

/* ---- sections ---- */

static int n_variants(const cJSON *r)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "variants"));
}

/* The variants other than the baseline, significant ones first (stable within each group). */
static int ordered_variants(const cJSON *r, const cJSON **out, int max)
{
    int n = 0;
    for (int pass = 1; pass >= 0; pass--) {
        const cJSON *v;
        int i = 0;
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(r, "variants"))
        {
            if (i++ > 0 && ws_report_variant_significant(v) == pass && n < max)
                out[n++] = v;
        }
    }
    return n;
}

static void scale_sentence(const cJSON *r, char *buf, size_t size)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(r, "scenario");
    snprintf(buf, size, "Projected figures are per day (or per year = per day x 365) at the scenario's scale: %s "
             "Simulated-system figures are the simulated sites themselves over the whole simulated horizon, unscaled.",
             str(sc, "scale_note", "per-day figures are the simulated ones."));
}

static void emit_header(emitter *e, const cJSON *r)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(r, "scenario");
    char title[512], line[2048], days[64], sf[64];
    snprintf(title, sizeof title, "wattscale projection: %s", str(sc, "name", "scenario"));
    heading(e, 1, title);
    ws_fmt_value(num(sc, "simulated_days"), WS_Q_COUNT, days, sizeof days);
    ws_fmt_value(num(sc, "scale_factor"), WS_Q_COUNT, sf, sizeof sf);
    snprintf(line, sizeof line, "Run %.0f of scenario %s (sha256 %.16s...), seed %.0f, %.0f replica(s), %s measured "
             "day(s) scaled by %s. %s", num(r, "run_id"), str(sc, "path", "?"), str(sc, "sha256", "?"), num(sc, "seed"),
             num(sc, "replicas"), days, sf, str(sc, "description", ""));
    para(e, line);
}

/* The box at the top: per variant, what it saves a day and a year in energy, CO2 and money, and what
 * that rests on; significant effects first. */
static void emit_headline(emitter *e, const cJSON *r)
{
    if (n_variants(r) < 2)
        return;
    if (e->html)
        fputs("<section class=\"headline\" id=\"headline\">\n", e->out);
    heading(e, 2, "Headline: projected savings against the baseline");
    char scale[1024];
    scale_sentence(r, scale, sizeof scale);
    labelled(e, "Scale: projected.", scale);
    static const char *const cols[] = {"variant", "energy saved", "CO2 saved", "money saved", "rests on"};
    table_begin(e, cols, 5);
    const cJSON *vs[64];
    int n = ordered_variants(r, vs, 64);
    qty money = q_money(r);
    for (int i = 0; i < n; i++) {
        char c[5][700];
        const qty units[3] = {Q_MWH, Q_T, money};
        static const char *const keys[] = {"facility_energy_mwh_per_day", "co2_t_per_day", "cost_per_day"};
        snprintf(c[0], sizeof c[0], "%s", str(vs[i], "name", "?"));
        for (int k = 0; k < 3; k++)
            headline_saving(vs[i], keys[k], units[k], k == 2 ? "not priced (no electricity price given)" : "-",
                            c[k + 1], sizeof c[k + 1]);
        rests_on(r, str(vs[i], "name", ""), c[4], sizeof c[4]);
        const char *cells[5] = {c[0], c[1], c[2], c[3], c[4]};
        table_row(e, cells, 5);
    }
    table_end(e);
    para(e, "Savings are baseline minus variant, paired replica by replica (negative: the variant uses more); "
            "an effect whose 95% interval includes zero is written as no significant change. Variants with a "
            "significant effect come first.");
    heading(e, 3, "In one sentence each");
    list_begin(e);
    for (int i = 0; i < n; i++) {
        char s[1600];
        ws_report_sentence(vs[i], s, sizeof s);
        list_item(e, s);
    }
    list_end(e);
    if (e->html)
        fputs("</section>\n", e->out);
}

static void emit_savings(emitter *e, const cJSON *r)
{
    const cJSON *v0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "variants"), 0);
    if (!cJSON_GetObjectItemCaseSensitive(v0, "saving_vs_baseline") && n_variants(r) < 2) {
        heading(e, 2, "Projected per day");
        static const char *const cols[] = {"run", "facility energy a day", "CO2 a day"};
        table_begin(e, cols, 3);
        char c[2][160];
        const cJSON *pd = cJSON_GetObjectItemCaseSensitive(v0, "per_day");
        fmt_iv(cJSON_GetObjectItemCaseSensitive(pd, "facility_energy_mwh"), Q_MWH, c[0], sizeof c[0]);
        fmt_iv(cJSON_GetObjectItemCaseSensitive(pd, "co2_t"), Q_T, c[1], sizeof c[1]);
        const char *cells[3] = {str(v0, "name", "?"), c[0], c[1]};
        table_row(e, cells, 3);
        table_end(e);
        return;
    }
    heading(e, 2, "Projected per day, per variant (95% intervals)");
    char scale[1024];
    scale_sentence(r, scale, sizeof scale);
    labelled(e, "Scale: projected.", scale);
    static const char *const cols[] = {"variant", "facility energy a day", "energy saved a day", "saved, % of baseline",
                                       "CO2 a day", "CO2 saved a day", "mean wait (simulated)", "SCI per job"};
    table_begin(e, cols, 8);
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(r, "variants"))
    {
        const cJSON *pd = cJSON_GetObjectItemCaseSensitive(v, "per_day");
        const cJSON *tot = cJSON_GetObjectItemCaseSensitive(v, "totals");
        char c[8][320];
        const char *cells[8];
        snprintf(c[0], sizeof c[0], "%s", str(v, "name", "?"));
        fmt_iv(cJSON_GetObjectItemCaseSensitive(pd, "facility_energy_mwh"), Q_MWH, c[1], sizeof c[1]);
        fmt_effect(saving(v, "facility_energy_mwh_per_day"), Q_MWH, 1, "", 0, c[2], sizeof c[2]);
        fmt_effect(saving(v, "facility_energy_pct"), Q_PCT, 1, "", 0, c[3], sizeof c[3]);
        fmt_iv(cJSON_GetObjectItemCaseSensitive(pd, "co2_t"), Q_T, c[4], sizeof c[4]);
        fmt_effect(saving(v, "co2_t_per_day"), Q_T, 1, "", 0, c[5], sizeof c[5]);
        fmt_iv(cJSON_GetObjectItemCaseSensitive(tot, "mean_wait_s"), Q_S, c[6], sizeof c[6]);
        char sci[160];
        fmt_iv(cJSON_GetObjectItemCaseSensitive(v, "sci_g_per_job"), Q_G, sci, sizeof sci);
        snprintf(c[7], sizeof c[7], "%s%s", sci, strcmp(sci, "-") ? " CO2e" : "");
        if (v == cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "variants"), 0))
            snprintf(c[2], sizeof c[2], "(baseline)"), snprintf(c[3], sizeof c[3], "(baseline)"),
                snprintf(c[5], sizeof c[5], "(baseline)");
        for (int i = 0; i < 8; i++)
            cells[i] = c[i];
        table_row(e, cells, 8);
    }
    table_end(e);
    para(e, "Saved = baseline minus variant, paired replica by replica (negative: the variant uses more). Per year "
            "= per day x 365. The mean wait is that of the simulated system (waits do not scale).");
}

static void emit_totals(emitter *e, const cJSON *r)
{
    heading(e, 2, "Simulated system: totals over the simulated horizon (unscaled)");
    labelled(e, "Scale: simulated system.", "The simulated sites over the whole simulated time, warm-up and drain "
             "included; not scaled to the projection.");
    static const char *const cols[] = {"variant", "jobs", "IT energy", "facility energy", "CO2",
                                       "cost", "p95 wait", "makespan"};
    table_begin(e, cols, 8);
    qty money = q_money(r);
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(r, "variants"))
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, "totals");
        static const char *const keys[] = {"jobs", "it_energy_kwh", "facility_energy_kwh", "co2_kg",
                                           "cost", "p95_wait_s", "makespan_s"};
        const qty units[7] = {Q_N, Q_KWH, Q_KWH, Q_KG, money, Q_S, Q_S};
        char c[8][200];
        const char *cells[8] = {str(v, "name", "?")};
        for (int i = 0; i < 7; i++) {
            fmt_iv(cJSON_GetObjectItemCaseSensitive(t, keys[i]), units[i], c[i], sizeof c[i]);
            cells[i + 1] = c[i];
        }
        table_row(e, cells, 8);
    }
    table_end(e);
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
            char rf[160], pf[160], ef[160];
            fmt_iv(cJSON_GetObjectItemCaseSensitive(t, "runtime_factor"), Q_N, rf, sizeof rf);
            fmt_iv(cJSON_GetObjectItemCaseSensitive(t, "power_factor"), Q_N, pf, sizeof pf);
            fmt_iv(cJSON_GetObjectItemCaseSensitive(t, "energy_factor"), Q_N, ef, sizeof ef);
            const char *cells[] = {str(t, "variant", ""), str(t, "class", ""), rf, pf, ef, str(t, "from", "literal")};
            table_row(e, cells, 6);
        }
        table_end(e);
    }
    const cJSON *prov = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "scenario"), "provenance");
    if (cJSON_GetArraySize(prov) > 0) {
        heading(e, 3, "Where the scenario's numbers come from (its _provenance)");
        list_begin(e);
        const cJSON *p;
        cJSON_ArrayForEach(p, prov)
        {
            if (!cJSON_IsString(p))
                continue;
            char line[2048];
            snprintf(line, sizeof line, "%s: %s", p->string ? p->string : "", p->valuestring);
            list_item(e, line);
        }
        list_end(e);
    }
    heading(e, 2, "Assumptions");
    list(e, cJSON_GetObjectItemCaseSensitive(r, "assumptions"));
}

/* The t quantile of the intervals, for n replicas (NaN below 2). */
static double t975(double n)
{
    return n >= 2 ? gsl_cdf_tdist_Pinv(0.975, n - 1) : NAN;
}

static void emit_methods(emitter *e, const cJSON *r)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(r, "scenario");
    double n = num(sc, "replicas"), days = num(sc, "simulated_days"), sf = num(sc, "scale_factor");
    char b[1600], tq[32], d[32], s[32];
    heading(e, 2, "Methods");
    para(e, "Energy. The simulator integrates power exactly between events. Between two events (a job starting or "
            "ending, an hour boundary, a change of PUE, carbon intensity or price) a site's IT power is constant, "
            "P_k = the sum over its nodes of the node's power model at the node's utilisation (idle nodes at idle "
            "power; a job class's power factor applied to its share), so over the intervals k of length dt_k:");
    equation(e, "E_IT = sum_k P_k dt_k");
    para(e, "PUE, carbon and cost. Facility energy weights each interval by the site's PUE at that time (a constant "
            "or a series); CO2 weights facility energy by the grid carbon intensity CI (g/kWh) and cost by the "
            "price, both read at the same times:");
    equation(e, "E_facility = sum_k PUE_k P_k dt_k;   CO2 = sum_k CI_k PUE_k P_k dt_k;   cost = sum_k price_k PUE_k P_k dt_k");
    snprintf(s, sizeof s, "%.0f", n);
    snprintf(b, sizeof b, "Replicas. Each of the n = %s replicas draws its own random streams (arrivals, runtimes, "
             "dispatch), named by the scenario's seed and the replica; power-model parameters from their fitted "
             "covariance (multivariate normal; parameters without a variance stay at their value); and every tweak "
             "factor from a lognormal whose 95%% interval is the tweak's. All variants of a replica share its draws "
             "(common random numbers), so their differences are paired.", s);
    para(e, b);
    if (n >= 2)
        snprintf(tq, sizeof tq, "%.4f", t975(n));
    else
        snprintf(tq, sizeof tq, "undefined");
    snprintf(b, sizeof b, "Intervals and savings. A quantity X with replica values X_1 .. X_n is reported as its mean "
             "and a 95%% confidence interval from the t distribution with n - 1 degrees of freedom (t = %s here). A "
             "saving is the paired difference d_r = X_baseline,r - X_variant,r, reported as the mean and interval "
             "of d; a percentage saving is 100 d_r / X_baseline,r per replica. An effect whose interval includes "
             "zero is reported as no significant change.", tq);
    para(e, b);
    equation(e, "mean = (1/n) sum_r X_r;   95% interval = mean -/+ t(0.975, n-1) s / sqrt(n),   s^2 = sum_r (X_r - mean)^2 / (n-1)");
    ws_fmt_value(days, WS_Q_COUNT, d, sizeof d);
    ws_fmt_value(sf, WS_Q_COUNT, s, sizeof s);
    snprintf(b, sizeof b, "Scaling. Per-day figures are what the measurement window (%s day(s), after any warm-up) "
             "holds, divided by its length and multiplied by the scale factor f = %s (%s); per year = per day x "
             "365. Simulated-system figures (totals, power over time, energy by class) are not scaled.", d, s,
             strcmp(str(sc, "scaling", "direct"), "scaled") == 0 ? "per-day figures are scaled linearly with jobs"
                                                                   : "simulated directly, nothing scaled");
    para(e, b);
    equation(e, "per_day = f x (total in the window) / (window length in days);   per_year = 365 x per_day");
    para(e, "SCI. The Software Carbon Intensity per job follows the Green Software Foundation's specification: "
            "operational CO2 in the window (E I) plus the embodied carbon M of the nodes amortised over their "
            "lifetime for the window's length, per job completed in the window (R), in g CO2e per job. Per-job energy "
            "is the IT energy attributed to jobs (their share of their node's power while they run) per completed "
            "job; facility totals also carry idle nodes.");
    equation(e, "SCI = (E I + M) / R;   M = sum_nodes (embodied per node) x (window days / 365.25) / lifetime");
}

static void emit_references(emitter *e, const cJSON *r)
{
    const ws_ref *refs[WS_REFS_MAX];
    int n = ws_refs_select(r, refs, WS_REFS_MAX);
    heading(e, 2, "References");
    para(e, "Data sets, studies, methods and tools this report rests on, from its inputs' provenance "
            "('wattscale report RUN --format bib' writes them as BibTeX).");
    fputs(e->html ? "<ol>\n" : "", e->out);
    for (int i = 0; i < n; i++) {
        char line[2048], item[2200];
        ws_refs_text(refs[i], line, sizeof line);
        snprintf(item, sizeof item, "[%s] %s: %s", refs[i]->key, refs[i]->kind, line);
        if (e->html) {
            fputs("<li>", e->out);
            esc(e, item);
            fputs("</li>\n", e->out);
        } else {
            fprintf(e->out, "%d. ", i + 1);
            md_esc(e->out, item);
            fputc('\n', e->out);
        }
    }
    fputs(e->html ? "</ol>\n" : "\n", e->out);
}

static void embed_png(emitter *e, const char *path, const char *alt)
{
    size_t len;
    char *data = ws_read_file(path, &len);
    if (!data) {
        fputs("<p class=\"missing\">(figure missing: ", e->out);
        esc(e, path);
        fputs(")</p>\n", e->out);
        return;
    }
    unsigned char *b64 = malloc(4 * ((len + 2) / 3) + 1);
    if (b64) {
        EVP_EncodeBlock(b64, (const unsigned char *)data, (int)len);
        fputs("<img alt=\"", e->out);
        esc(e, alt);
        fprintf(e->out, "\" src=\"data:image/png;base64,%s\">\n", b64);
    }
    free(b64);
    free(data);
}

static void figure_caption(const cJSON *f, char *buf, size_t size)
{
    const char *scale = str(f, "scale", NULL), *title = str(f, "title", "");
    if (scale)
        snprintf(buf, size, "%c%s: %s", toupper((unsigned char)scale[0]), scale + 1, title);
    else
        snprintf(buf, size, "%s", title);
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
        const char *png = str(f, "png", NULL);
        if (!png)
            continue;
        char caption[768];
        figure_caption(f, caption, sizeof caption);
        if (e->html) {
            fputs("<figure>", e->out);
            embed_png(e, png, caption);
            fputs("<figcaption>", e->out);
            esc(e, caption);
            fputs("</figcaption></figure>\n", e->out);
        } else {
            fputs("![", e->out);
            md_esc(e->out, caption);
            fprintf(e->out, "](%s)\n\n", png);
        }
    }
}

static void emit_all(emitter *e, const cJSON *r)
{
    emit_header(e, r);
    emit_headline(e, r);
    emit_savings(e, r);
    emit_totals(e, r);
    emit_figures(e, r);
    emit_methods(e, r);
    emit_inputs(e, r);
    emit_references(e, r);
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
          "figure{margin:1em 0}.headline{border:2px solid #0072b2;background:#f2f8fc;padding:0 1em;margin:1em 0}"
          ".headline td{text-align:left}pre.eq{background:#f6f6f6;padding:.4em .8em;overflow-x:auto}"
          "</style></head><body>\n",
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

int ws_report_write_bib(const cJSON *report, FILE *out)
{
    const ws_ref *refs[WS_REFS_MAX];
    int n = ws_refs_select(report, refs, WS_REFS_MAX);
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(report, "scenario");
    fprintf(out, "%% References of wattscale run %.0f (scenario %s), from its inputs' provenance.\n\n",
            num(report, "run_id"), str(sc, "name", "scenario"));
    for (int i = 0; i < n; i++)
        ws_refs_bibtex(refs[i], out);
    return ferror(out) ? -1 : 0;
}

/* ---- LaTeX ---- */

static void tex_esc(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': case '%': case '$': case '#': case '_': case '{': case '}': fprintf(out, "\\%c", *s); break;
        case '~': fputs("\\textasciitilde{}", out); break;
        case '^': fputs("\\textasciicircum{}", out); break;
        case '\\': fputs("\\textbackslash{}", out); break;
        case '<': fputs("\\textless{}", out); break;
        case '>': fputs("\\textgreater{}", out); break;
        case '\n': case '\r': fputc(' ', out); break;
        default: fputc(*s, out);
        }
    }
}

static void tex_row(FILE *out, const char *const *cells, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            fputs(" & ", out);
        tex_esc(out, cells[i]);
    }
    fputs(" \\\\\n", out);
}

static void tex_table(FILE *out, const char *caption, const char *label, const char *spec, const char *const *cols,
                      int n)
{
    fputs("\\begin{table}[htbp]\n\\centering\\small\n\\caption{", out);
    tex_esc(out, caption);
    fprintf(out, "}\n\\label{%s}\n\\begin{tabular}{%s}\n\\toprule\n", label, spec);
    tex_row(out, cols, n);
    fputs("\\midrule\n", out);
}

static void tex_table_end(FILE *out, const char *note)
{
    fputs("\\bottomrule\n\\end{tabular}\n", out);
    if (note) {
        fputs("\\par\\smallskip\\footnotesize ", out);
        tex_esc(out, note);
        fputc('\n', out);
    }
    fputs("\\end{table}\n\n", out);
}

int ws_report_write_tex(const cJSON *report, FILE *out)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(report, "scenario");
    char buf[2048], scale[1024];
    fprintf(out, "%% wattscale run %.0f, scenario ", num(report, "run_id"));
    tex_esc(out, str(sc, "name", "scenario"));
    fputs(": tables for a LaTeX paper. Needs \\usepackage{booktabs}; cite with the keys of\n"
          "%% 'wattscale report RUN --format bib'. Numbers are rounded to what their 95% intervals support.\n\n", out);
    scale_sentence(report, scale, sizeof scale);
    const cJSON *vs[64];
    int nv = ordered_variants(report, vs, 64);
    qty money = q_money(report);
    if (nv > 0) {
        snprintf(buf, sizeof buf, "Projected savings against the baseline, per day and per year at the scenario's "
                 "scale (%s; 95%% intervals over %.0f replicas)", str(sc, "name", "scenario"), num(sc, "replicas"));
        static const char *const cols[] = {"Variant", "Energy saved", "CO2 saved", "Money saved"};
        tex_table(out, buf, "tab:wattscale-headline", "lp{0.27\\linewidth}p{0.27\\linewidth}p{0.2\\linewidth}", cols, 4);
        for (int i = 0; i < nv; i++) {
            char c[4][700];
            const qty units[3] = {Q_MWH, Q_T, money};
            static const char *const keys[] = {"facility_energy_mwh_per_day", "co2_t_per_day", "cost_per_day"};
            snprintf(c[0], sizeof c[0], "%s", str(vs[i], "name", "?"));
            for (int k = 0; k < 3; k++)
                headline_saving(vs[i], keys[k], units[k], k == 2 ? "not priced" : "-", c[k + 1], sizeof c[k + 1]);
            const char *cells[4] = {c[0], c[1], c[2], c[3]};
            tex_row(out, cells, 4);
        }
        tex_table_end(out, scale);
    }
    snprintf(buf, sizeof buf, "Projected per day, per variant (%s; 95%% intervals). Saved = baseline minus variant, "
             "paired replica by replica", str(sc, "name", "scenario"));
    static const char *const scols[] = {"Variant", "Energy a day", "Saved a day", "Saved", "CO2 a day", "CO2 saved a day"};
    tex_table(out, buf, "tab:wattscale-savings", "lrrrrr", scols, 6);
    const cJSON *v;
    int first = 1;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(report, "variants"))
    {
        const cJSON *pd = cJSON_GetObjectItemCaseSensitive(v, "per_day");
        char c[6][320];
        snprintf(c[0], sizeof c[0], "%s", str(v, "name", "?"));
        fmt_iv(cJSON_GetObjectItemCaseSensitive(pd, "facility_energy_mwh"), Q_MWH, c[1], sizeof c[1]);
        fmt_effect(saving(v, "facility_energy_mwh_per_day"), Q_MWH, 1, "", 0, c[2], sizeof c[2]);
        fmt_effect(saving(v, "facility_energy_pct"), Q_PCT, 1, "", 0, c[3], sizeof c[3]);
        fmt_iv(cJSON_GetObjectItemCaseSensitive(pd, "co2_t"), Q_T, c[4], sizeof c[4]);
        fmt_effect(saving(v, "co2_t_per_day"), Q_T, 1, "", 0, c[5], sizeof c[5]);
        if (first)
            snprintf(c[2], sizeof c[2], "--"), snprintf(c[3], sizeof c[3], "--"), snprintf(c[5], sizeof c[5], "--");
        first = 0;
        const char *cells[6] = {c[0], c[1], c[2], c[3], c[4], c[5]};
        tex_row(out, cells, 6);
    }
    tex_table_end(out, scale);
    snprintf(buf, sizeof buf, "Simulated system: totals over the simulated horizon, unscaled (%s)", str(sc, "name", "scenario"));
    static const char *const tcols[] = {"Variant", "Jobs", "IT energy", "Facility energy", "CO2", "Makespan"};
    tex_table(out, buf, "tab:wattscale-totals", "lrrrrr", tcols, 6);
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(report, "variants"))
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, "totals");
        static const char *const keys[] = {"jobs", "it_energy_kwh", "facility_energy_kwh", "co2_kg", "makespan_s"};
        const qty units[5] = {Q_N, Q_KWH, Q_KWH, Q_KG, Q_S};
        char c[5][200];
        const char *cells[6] = {str(v, "name", "?")};
        for (int i = 0; i < 5; i++) {
            fmt_iv(cJSON_GetObjectItemCaseSensitive(t, keys[i]), units[i], c[i], sizeof c[i]);
            cells[i + 1] = c[i];
        }
        tex_row(out, cells, 6);
    }
    tex_table_end(out, NULL);
    const ws_ref *refs[WS_REFS_MAX];
    int n = ws_refs_select(report, refs, WS_REFS_MAX);
    fputs("% The works these numbers rest on:\n% \\cite{", out);
    for (int i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? "," : "", refs[i]->key);
    fputs("}\n", out);
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
    cJSON_AddNumberToObject(sc, "seed", num(sum, "seed"));
    cJSON_AddNumberToObject(sc, "replicas", 1);
    cJSON_AddNumberToObject(sc, "simulated_days", num(sum, "simulated_s") / 86400);
    cJSON_AddNumberToObject(sc, "scale_factor", 1);
    cJSON_AddBoolToObject(r, "synthetic_workload", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "synthetic")));
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "name", "simulation");
    cJSON *t = cJSON_AddObjectToObject(v, "totals");
    cJSON_AddItemToObject(t, "jobs", one(num(sum, "jobs")));
    cJSON_AddItemToObject(t, "makespan_s", one(num(sum, "makespan_s")));
    cJSON_AddItemToObject(t, "it_energy_kwh", one(num(sum, "it_energy_kwh")));
    cJSON_AddItemToObject(t, "facility_energy_kwh", one(num(sum, "facility_energy_j") / 3.6e6));
    cJSON_AddItemToObject(t, "co2_kg", one(num(sum, "co2_kg")));
    cJSON_AddItemToObject(t, "cost", one(num(sum, "cost")));
    cJSON_AddItemToObject(t, "mean_wait_s", one(num(sum, "mean_wait_s")));
    cJSON_AddItemToObject(t, "p95_wait_s", one(num(sum, "p95_wait_s")));
    cJSON *pd = cJSON_AddObjectToObject(v, "per_day");
    double days = num(sum, "simulated_s") / 86400;
    cJSON_AddItemToObject(pd, "facility_energy_mwh", one(num(sum, "facility_energy_j") / 3.6e9 / days));
    cJSON_AddItemToObject(pd, "co2_t", one(num(sum, "co2_kg") / 1000 / days));
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

