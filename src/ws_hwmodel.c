/* ws_hwmodel: see ws_hwmodel.h. */
#include "ws_hwmodel.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ws_csv.h"

/* ---- small helpers ---------------------------------------------------------------------------- */

/* Copy a header name with every run of blanks and line breaks made one space, trimmed. */
static void norm_name(const char *in, char *out, size_t size)
{
    size_t k = 0;
    int space = 0;
    for (const char *p = in; *p && k + 1 < size; p++) {
        if (isspace((unsigned char)*p)) {
            space = k > 0;
            continue;
        }
        if (space && k + 2 < size)
            out[k++] = ' ';
        space = 0;
        out[k++] = *p;
    }
    out[k] = '\0';
}

/* A number that may carry thousands separators ("1,417": a comma before three digits); a comma before one or
 * two final digits is a decimal comma (one result of the SPECpower table writes its idle watts "83,2"). */
static int parse_grouped(const char *s, double *v)
{
    char buf[64];
    size_t k = 0;
    for (const char *p = s; *p; p++) {
        if (*p == ',') {
            size_t digits = strspn(p + 1, "0123456789");
            if (digits == 3)
                continue;
            if ((digits == 1 || digits == 2) && p[1 + digits] == '\0' && k + 1 < sizeof buf) {
                buf[k++] = '.';
                continue;
            }
            return -1;
        }
        if (k + 1 >= sizeof buf)
            return -1;
        buf[k++] = *p;
    }
    buf[k] = '\0';
    return ws_parse_double(buf, v);
}

static int parse_int_field(const char *s, int *v)
{
    double d;
    if (ws_parse_double(s, &d) != 0 || d != floor(d) || d < 0 || d > 1e6)
        return -1;
    *v = (int)d;
    return 0;
}

static int open_csv(ws_csv *c, const char *path, ws_error *err)
{
    char why[256];
    if (ws_input_check(path, WS_MAX_READ_BYTES, why, sizeof why) != 0) {
        ws_error_set(err, path, 0, "", "%s", why);
        return WS_EINPUT;
    }
    if (ws_csv_open(c, path, ',') != 0) {
        ws_error_set(err, path, 0, "", "cannot open: %s", strerror(errno));
        return WS_EINPUT;
    }
    return WS_OK;
}

static void set_source(char *dst_path, size_t size, char sha[65], const char *path)
{
    ws_strlcpy(dst_path, path, size);
    if (ws_sha256_file(path, sha) != 0)
        sha[0] = '\0';
}

/* ---- CPU families ----------------------------------------------------------------------------- */

static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return p;
    return NULL;
}

static int four_digits(const char *p)
{
    return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
           isdigit((unsigned char)p[3]) && !isdigit((unsigned char)p[4]);
}

int ws_hwmodel_family(const char *cpu, char *out, size_t size)
{
    out[0] = '\0';
    const char *p;
    if ((p = find_ci(cpu, "epyc"))) {
        p += 4;
        while (*p == ' ')
            p++;
        if (four_digits(p)) {
            snprintf(out, size, "epyc-%cxx%c", p[0], p[3]);
            return 0;
        }
        return -1;
    }
    if (!find_ci(cpu, "xeon"))
        return -1;
    static const char *const tiers[] = {"platinum", "gold", "silver", "bronze", NULL};
    for (int i = 0; tiers[i]; i++)
        if ((p = find_ci(cpu, tiers[i]))) {
            p += strlen(tiers[i]);
            while (*p == ' ')
                p++;
            if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) ||
                !isdigit((unsigned char)p[3]))
                return -1;
            snprintf(out, size, "xeon-sp-gen%c", p[1]);
            return 0;
        }
    if ((p = find_ci(cpu, "e5-")) && four_digits(p + 3)) {
        p += 7;
        while (*p == ' ')
            p++;
        char v = (*p == 'v' || *p == 'V') && isdigit((unsigned char)p[1]) ? p[1] : '1';
        snprintf(out, size, "xeon-e5-v%c", v);
        return 0;
    }
    return -1;
}

const char *ws_hwmodel_family_name(const char *key)
{
    static const char *const names[][2] = {
        {"epyc-7xx1", "AMD EPYC 7001 (Naples)"},       {"epyc-7xx2", "AMD EPYC 7002 (Rome)"},
        {"epyc-7xx3", "AMD EPYC 7003 (Milan)"},        {"epyc-9xx4", "AMD EPYC 9004 (Genoa)"},
        {"epyc-8xx4", "AMD EPYC 8004 (Siena)"},        {"epyc-9xx5", "AMD EPYC 9005 (Turin)"},
        {"epyc-4xx4", "AMD EPYC 4004 (Raphael)"},      {"xeon-sp-gen1", "Intel Xeon Scalable 1st gen (Skylake-SP)"},
        {"xeon-sp-gen2", "Intel Xeon Scalable 2nd gen (Cascade Lake)"},
        {"xeon-sp-gen3", "Intel Xeon Scalable 3rd gen (Ice Lake)"},
        {"xeon-sp-gen4", "Intel Xeon Scalable 4th gen (Sapphire Rapids)"},
        {"xeon-sp-gen5", "Intel Xeon Scalable 5th gen (Emerald Rapids)"},
        {"xeon-e5-v1", "Intel Xeon E5 (Sandy Bridge)"}, {"xeon-e5-v2", "Intel Xeon E5 v2 (Ivy Bridge)"},
        {"xeon-e5-v3", "Intel Xeon E5 v3 (Haswell)"},   {"xeon-e5-v4", "Intel Xeon E5 v4 (Broadwell)"},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(key, names[i][0]) == 0)
            return names[i][1];
    return key;
}

static int glob_ci(const char *p, const char *t)
{
    for (; *p; p++, t++) {
        if (*p == '*') {
            while (p[1] == '*')
                p++;
            if (!p[1])
                return 1;
            for (; *t; t++)
                if (glob_ci(p + 1, t))
                    return 1;
            return 0;
        }
        if (!*t || (*p != '?' && tolower((unsigned char)*p) != tolower((unsigned char)*t)))
            return 0;
    }
    return *t == '\0';
}

int ws_hwmodel_match(const char *pattern, const char *text)
{
    if (!strpbrk(pattern, "*?"))
        return find_ci(text, pattern) != NULL;
    return glob_ci(pattern, text);
}

/* ---- HEPiX table ------------------------------------------------------------------------------ */

int ws_hwmodel_read_hepix(const char *path, ws_hepix_table *t, ws_error *err)
{
    memset(t, 0, sizeof *t);
    ws_csv c;
    int rc = open_csv(&c, path, err);
    if (rc)
        return rc;
    set_source(t->path, sizeof t->path, t->sha256, path);
    static const char *const names[] = {"CPU",   "SMT enabled", "# Sockets", "Cores/Socket", "Ncores", "Score",
                                        "electric_power_mean", "electric_power_std", "Site", "# Meas"};
    enum { C_CPU, C_SMT, C_SOCK, C_CPS, C_NCORES, C_SCORE, C_PW, C_PSD, C_SITE, C_MEAS, C_N };
    int col[C_N], cap = 0;
    if (ws_csv_next(&c) != 1) {
        ws_error_set(err, path, 1, "", "no header");
        rc = WS_EINPUT;
        goto out;
    }
    for (int i = 0; i < C_N; i++)
        if ((col[i] = ws_csv_find(c.fields, c.nfields, names[i])) < 0) {
            ws_error_set(err, path, 1, names[i], "column missing (is this the HEPiX HS23scores table?)");
            rc = WS_EINPUT;
            goto out;
        }
    int got;
    while ((got = ws_csv_next(&c)) == 1) {
        if (ws_grow(&t->rows, t->n, &cap, sizeof *t->rows, 256) != 0) {
            ws_error_set(err, path, c.line, "", "out of memory");
            rc = WS_EFAIL;
            goto out;
        }
        ws_hepix_row *r = &t->rows[t->n];
        memset(r, 0, sizeof *r);
        r->line = c.line;
        for (int i = 0; i < C_N; i++)
            if ((size_t)col[i] >= c.nfields) {
                ws_error_set(err, path, c.line, names[i], "missing field (%zu fields)", c.nfields);
                rc = WS_EINPUT;
                goto out;
            }
        ws_strlcpy(r->cpu, c.fields[col[C_CPU]], sizeof r->cpu);
        ws_trim(r->cpu);
        ws_strlcpy(r->site, c.fields[col[C_SITE]], sizeof r->site);
        const int ints[] = {C_SMT, C_SOCK, C_CPS, C_NCORES, C_MEAS};
        int *dst[] = {&r->smt, &r->sockets, &r->cores_per_socket, &r->threads, &r->n_meas};
        for (int i = 0; i < 5; i++)
            if (parse_int_field(c.fields[col[ints[i]]], dst[i]) != 0) {
                ws_error_set(err, path, c.line, names[ints[i]], "'%s' is not a whole number",
                             c.fields[col[ints[i]]]);
                rc = WS_EINPUT;
                goto out;
            }
        if (ws_parse_double(c.fields[col[C_SCORE]], &r->score) != 0 || r->score <= 0) {
            ws_error_set(err, path, c.line, "Score", "'%s' is not a score > 0", c.fields[col[C_SCORE]]);
            rc = WS_EINPUT;
            goto out;
        }
        r->power_w = r->power_sd_w = NAN;
        const char *pw = c.fields[col[C_PW]], *psd = c.fields[col[C_PSD]];
        if (!ws_is_missing(pw)) {
            if (ws_parse_double(pw, &r->power_w) != 0 || r->power_w < 0) {
                ws_error_set(err, path, c.line, "electric_power_mean", "'%s' is not a power in W", pw);
                rc = WS_EINPUT;
                goto out;
            }
            if (r->power_w == 0) /* a missing reading: no server draws 0 W under a benchmark */
                r->power_w = NAN;
        }
        if (!ws_is_missing(psd) && (ws_parse_double(psd, &r->power_sd_w) != 0 || r->power_sd_w < 0)) {
            ws_error_set(err, path, c.line, "electric_power_std", "'%s' is not a power in W", psd);
            rc = WS_EINPUT;
            goto out;
        }
        if (r->sockets < 1 || r->cores_per_socket < 1 || r->threads < 1) {
            ws_error_set(err, path, c.line, "# Sockets", "sockets, cores per socket and Ncores must be >= 1");
            rc = WS_EINPUT;
            goto out;
        }
        t->n++;
    }
    if (got < 0) {
        ws_error_set(err, path, c.line, "", "unterminated quoted field");
        rc = WS_EINPUT;
    }
out:
    ws_csv_close(&c);
    if (rc)
        ws_hwmodel_free_hepix(t);
    return rc;
}

void ws_hwmodel_free_hepix(ws_hepix_table *t)
{
    free(t->rows);
    t->rows = NULL;
    t->n = 0;
}

static int has_power(const ws_hepix_row *r)
{
    return !isnan(r->power_w);
}

int ws_hwmodel_mark_holdout(ws_hepix_table *t)
{
    int marked = 0;
    for (int i = 0; i < t->n; i++)
        t->rows[i].held_out = 0;
    for (int i = 0; i < t->n; i++) {
        if (!has_power(&t->rows[i]))
            continue;
        int earlier = 0, later = 0;
        for (int j = 0; j < t->n; j++)
            if (j != i && has_power(&t->rows[j]) && strcmp(t->rows[j].cpu, t->rows[i].cpu) == 0) {
                if (j < i)
                    earlier++;
                else
                    later++;
            }
        if (earlier > 0 && later == 0) {
            t->rows[i].held_out = 1;
            marked++;
        }
    }
    return marked;
}

/* ---- SPECpower table -------------------------------------------------------------------------- */

enum { S_NODES, S_CPU, S_CHIPS, S_CORES, S_FULL, S_IDLE, S_N };
static const char *const SPEC_NAMES[S_N] = {"Nodes", "CPU Description", "Chips", "Cores", "avg. watts @ 100%",
                                            "avg. watts @ active idle"};

/* A header record: names normalised; a record that continues a two-line header ("Processor" over "CPU
 * Description") fills the names left empty. Returns 1 when every column is known. */
static int spec_header(ws_csv *c, int col[S_N], int continuation)
{
    char name[128];
    int known = 1;
    for (int k = 0; k < S_N; k++) {
        if (!continuation)
            col[k] = -1;
        for (size_t i = 0; i < c->nfields && col[k] < 0; i++) {
            norm_name(c->fields[i], name, sizeof name);
            if (strcasecmp(name, SPEC_NAMES[k]) == 0)
                col[k] = (int)i;
        }
        known &= col[k] >= 0;
    }
    return known;
}

int ws_hwmodel_read_specpower(const char *path, ws_specpower_table *t, ws_error *err)
{
    memset(t, 0, sizeof *t);
    ws_csv c;
    int rc = open_csv(&c, path, err);
    if (rc)
        return rc;
    set_source(t->path, sizeof t->path, t->sha256, path);
    int col[S_N], have = 0, partial = 0, cap = 0, got;
    char name[128];
    while ((got = ws_csv_next(&c)) == 1) {
        norm_name(c.fields[0], name, sizeof name);
        if (strncasecmp(name, "Hardware Vendor", 15) == 0) {
            t->n_headers++;
            have = spec_header(&c, col, 0);
            partial = !have;
            continue;
        }
        if (partial) { /* the second line of a two-line header */
            have = spec_header(&c, col, 1);
            partial = 0;
            if (!have) {
                ws_error_set(err, path, c.line, "", "header without the columns %s, %s, %s, %s, %s, %s",
                             SPEC_NAMES[0], SPEC_NAMES[1], SPEC_NAMES[2], SPEC_NAMES[3], SPEC_NAMES[4],
                             SPEC_NAMES[5]);
                rc = WS_EINPUT;
                goto out;
            }
            continue;
        }
        if (!have) {
            ws_error_set(err, path, c.line, "", "a result before any header (is this the SPECpower table?)");
            rc = WS_EINPUT;
            goto out;
        }
        for (int k = 0; k < S_N; k++)
            if ((size_t)col[k] >= c.nfields) {
                ws_error_set(err, path, c.line, SPEC_NAMES[k], "missing field (%zu fields)", c.nfields);
                rc = WS_EINPUT;
                goto out;
            }
        const char *full = c.fields[col[S_FULL]], *idle = c.fields[col[S_IDLE]];
        if (strcmp(ws_trim(c.fields[col[S_FULL]]), "NC") == 0 || strcmp(ws_trim(c.fields[col[S_IDLE]]), "NC") == 0) {
            t->n_noncompliant++;
            continue;
        }
        if (ws_grow(&t->rows, t->n, &cap, sizeof *t->rows, 512) != 0) {
            ws_error_set(err, path, c.line, "", "out of memory");
            rc = WS_EFAIL;
            goto out;
        }
        ws_specpower_row *r = &t->rows[t->n];
        memset(r, 0, sizeof *r);
        r->line = c.line;
        norm_name(c.fields[col[S_CPU]], r->cpu, sizeof r->cpu);
        ws_hwmodel_family(r->cpu, r->family, sizeof r->family);
        const int ints[] = {S_NODES, S_CHIPS, S_CORES};
        int *dst[] = {&r->nodes, &r->chips, &r->cores};
        for (int i = 0; i < 3; i++) {
            double v;
            if (parse_grouped(c.fields[col[ints[i]]], &v) != 0 || v < 1 || v != floor(v) || v > 1e6) {
                ws_error_set(err, path, c.line, SPEC_NAMES[ints[i]], "'%s' is not a whole number >= 1",
                             c.fields[col[ints[i]]]);
                rc = WS_EINPUT;
                goto out;
            }
            *dst[i] = (int)v;
        }
        if (parse_grouped(full, &r->full_w) != 0 || r->full_w <= 0) {
            ws_error_set(err, path, c.line, SPEC_NAMES[S_FULL], "'%s' is not a power in W > 0", full);
            rc = WS_EINPUT;
            goto out;
        }
        if (parse_grouped(idle, &r->idle_w) != 0 || r->idle_w < 0 || r->idle_w > r->full_w) {
            ws_error_set(err, path, c.line, SPEC_NAMES[S_IDLE], "'%s' is not a power in W from 0 to the 100%% power",
                         idle);
            rc = WS_EINPUT;
            goto out;
        }
        t->n++;
    }
    if (got < 0) {
        ws_error_set(err, path, c.line, "", "unterminated quoted field");
        rc = WS_EINPUT;
    }
out:
    ws_csv_close(&c);
    if (rc)
        ws_hwmodel_free_specpower(t);
    return rc;
}

void ws_hwmodel_free_specpower(ws_specpower_table *t)
{
    free(t->rows);
    t->rows = NULL;
    t->n = 0;
}

/* ---- SPECpower 11-point curves ---------------------------------------------------------------- */

int ws_hwmodel_read_curves(const char *path, ws_curve_table *t, ws_error *err)
{
    memset(t, 0, sizeof *t);
    ws_csv c;
    int rc = open_csv(&c, path, err);
    if (rc)
        return rc;
    set_source(t->path, sizeof t->path, t->sha256, path);
    static const char *const text_names[] = {"server", "cpu", "result_url", "note"};
    int tcol[4], pcol[WS_HW_CURVE_POINTS], cap = 0, got;
    char pname[16];
    if (ws_csv_next(&c) != 1) {
        ws_error_set(err, path, 1, "", "no header");
        rc = WS_EINPUT;
        goto out;
    }
    for (int i = 0; i < 4; i++)
        if ((tcol[i] = ws_csv_find(c.fields, c.nfields, text_names[i])) < 0) {
            ws_error_set(err, path, 1, text_names[i], "column missing");
            rc = WS_EINPUT;
            goto out;
        }
    for (int k = 0; k < WS_HW_CURVE_POINTS; k++) {
        snprintf(pname, sizeof pname, "p%d_w", 10 * k);
        if ((pcol[k] = ws_csv_find(c.fields, c.nfields, pname)) < 0) {
            ws_error_set(err, path, 1, pname, "column missing (p0_w .. p100_w: active idle, 10%% .. 100%%)");
            rc = WS_EINPUT;
            goto out;
        }
    }
    while ((got = ws_csv_next(&c)) == 1) {
        if (ws_grow(&t->curves, t->n, &cap, sizeof *t->curves, 16) != 0) {
            ws_error_set(err, path, c.line, "", "out of memory");
            rc = WS_EFAIL;
            goto out;
        }
        ws_spec_curve *v = &t->curves[t->n];
        memset(v, 0, sizeof *v);
        v->line = c.line;
        char *dst[] = {v->server, v->cpu, v->url, v->note};
        size_t sizes[] = {sizeof v->server, sizeof v->cpu, sizeof v->url, sizeof v->note};
        for (int i = 0; i < 4; i++)
            ws_strlcpy(dst[i], (size_t)tcol[i] < c.nfields ? c.fields[tcol[i]] : "", sizes[i]);
        ws_hwmodel_family(v->cpu, v->family, sizeof v->family);
        for (int k = 0; k < WS_HW_CURVE_POINTS; k++) {
            const char *f = (size_t)pcol[k] < c.nfields ? c.fields[pcol[k]] : "";
            if (ws_parse_double(f, &v->w[k]) != 0 || v->w[k] <= 0 || (k > 0 && v->w[k] < v->w[k - 1])) {
                snprintf(pname, sizeof pname, "p%d_w", 10 * k);
                ws_error_set(err, path, c.line, pname, "'%s' is not a power in W > 0 that does not fall with load", f);
                rc = WS_EINPUT;
                goto out;
            }
        }
        if (v->w[WS_HW_CURVE_POINTS - 1] <= v->w[0]) {
            ws_error_set(err, path, c.line, "p100_w", "full-load power must exceed active idle");
            rc = WS_EINPUT;
            goto out;
        }
        t->n++;
    }
    if (got < 0) {
        ws_error_set(err, path, c.line, "", "unterminated quoted field");
        rc = WS_EINPUT;
    }
out:
    ws_csv_close(&c);
    if (rc)
        ws_hwmodel_free_curves(t);
    return rc;
}

void ws_hwmodel_free_curves(ws_curve_table *t)
{
    free(t->curves);
    t->curves = NULL;
    t->n = 0;
}

/* ---- building a model ------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* SPECpower rows usable for an idle fraction: 1 node, 1-2 chips. */
static int spec_usable(const ws_specpower_row *r)
{
    return r->nodes == 1 && r->chips >= 1 && r->chips <= 2;
}

/* The population used when the family has no SPECpower row: x86 server families (EPYC, Xeon Scalable). */
static int spec_population(const ws_specpower_row *r)
{
    return strncmp(r->family, "epyc-", 5) == 0 || strncmp(r->family, "xeon-sp-", 8) == 0;
}

static void list_lines(const ws_hepix_table *h, const int *idx, int n, char *out, size_t size)
{
    size_t k = 0;
    out[0] = '\0';
    for (int i = 0; i < n && k + 16 < size; i++)
        k += (size_t)snprintf(out + k, size - k, "%s%ld", i ? ", " : "", h->rows[idx[i]].line);
}

static int select_rows(const ws_hepix_table *h, const ws_hwmodel_query *q, ws_server_model *m, ws_error *err)
{
    int matched = 0, with_power = 0, held = 0;
    const char *first_cpu = NULL;
    char lines[256];
    int nolines[WS_HW_MAX_ROWS], n_no = 0;
    for (int i = 0; i < h->n; i++) {
        const ws_hepix_row *r = &h->rows[i];
        if (!ws_hwmodel_match(q->cpu, r->cpu))
            continue;
        matched++;
        if (!has_power(r)) {
            if (n_no < WS_HW_MAX_ROWS)
                nolines[n_no++] = i;
            continue;
        }
        with_power++;
        if (!first_cpu)
            first_cpu = r->cpu;
        else if (strcmp(first_cpu, r->cpu) != 0) {
            ws_error_set(err, h->path, 0, "CPU",
                         "'%s' matches rows of more than one CPU with power ('%s', '%s', ...): give a pattern "
                         "that names one (a glob: '*EPYC 9655 96-Core*')", q->cpu, first_cpu, r->cpu);
            return WS_EINPUT;
        }
    }
    if (matched == 0) {
        ws_error_set(err, h->path, 0, "CPU", "no CPU matches '%s'", q->cpu);
        return WS_EINPUT;
    }
    if (with_power == 0) {
        list_lines(h, nolines, n_no, lines, sizeof lines);
        ws_error_set(err, h->path, 0, "electric_power_mean",
                     "CPU '%s' has no row with measured power (%d row(s) match '%s', lines %s): no model",
                     h->rows[nolines[0]].cpu, matched, q->cpu, lines);
        return WS_EINPUT;
    }
    ws_strlcpy(m->cpu, first_cpu, sizeof m->cpu);
    /* configurations */
    int cfg_first = -1;
    for (int i = 0; i < h->n; i++) {
        const ws_hepix_row *r = &h->rows[i];
        if (strcmp(r->cpu, m->cpu) != 0 || !has_power(r))
            continue;
        if (r->held_out && !q->include_held_out) {
            if (m->n_held_out < WS_HW_MAX_ROWS)
                m->held_out_lines[m->n_held_out++] = r->line;
            held++;
            continue;
        }
        if ((q->sockets && r->sockets != q->sockets) || (q->smt >= 0 && r->smt != q->smt))
            continue;
        if (cfg_first < 0)
            cfg_first = i;
        else {
            const ws_hepix_row *f = &h->rows[cfg_first];
            if (f->sockets != r->sockets || f->cores_per_socket != r->cores_per_socket || f->smt != r->smt) {
                ws_error_set(err, h->path, 0, "CPU",
                             "rows of CPU '%s' with power span configurations (line %ld: %d socket(s) x %d cores, "
                             "SMT %s; line %ld: %d x %d, SMT %s): choose one with --sockets N and --smt on|off",
                             m->cpu, f->line, f->sockets, f->cores_per_socket, f->smt ? "on" : "off", r->line,
                             r->sockets, r->cores_per_socket, r->smt ? "on" : "off");
                return WS_EINPUT;
            }
        }
        if (m->n_rows == WS_HW_MAX_ROWS) {
            ws_error_set(err, h->path, 0, "CPU", "more than %d rows of CPU '%s'", WS_HW_MAX_ROWS, m->cpu);
            return WS_EINPUT;
        }
        m->lines[m->n_rows] = r->line;
        m->rows[m->n_rows++] = i;
    }
    if (m->n_rows == 0) {
        ws_error_set(err, h->path, 0, "CPU", "CPU '%s': no row with measured power is left (%d held out%s)", m->cpu,
                     held, q->sockets || q->smt >= 0 ? ", or none of the --sockets/--smt configuration" : "");
        return WS_EINPUT;
    }
    return WS_OK;
}

/* Mean power and mean HS23 of rows idx (the check uses the same arithmetic as the models). */
static void means(const ws_hepix_table *h, const int *idx, int n, double *power_w, double *score)
{
    double p = 0, s = 0;
    for (int i = 0; i < n; i++) {
        p += h->rows[idx[i]].power_w;
        s += h->rows[idx[i]].score;
    }
    *power_w = p / n;
    *score = s / n;
}

int ws_hwmodel_build(const ws_hepix_table *h, const ws_specpower_table *sp, const ws_curve_table *cv,
                     const ws_hwmodel_query *q, ws_server_model *m, ws_error *err)
{
    memset(m, 0, sizeof *m);
    if (!sp) {
        ws_error_set(err, h->path, 0, "", "the SPECpower table is needed for idle power");
        return WS_EINPUT;
    }
    int rc = select_rows(h, q, m, err);
    if (rc)
        return rc;
    const ws_hepix_row *r0 = &h->rows[m->rows[0]];
    m->sockets = r0->sockets;
    m->cores = r0->sockets * r0->cores_per_socket;
    m->threads = r0->threads;
    m->smt = r0->smt;
    means(h, m->rows, m->n_rows, &m->max_w, &m->hs23);
    if (m->n_rows >= 2) {
        double ss = 0;
        for (int i = 0; i < m->n_rows; i++)
            ss += pow(h->rows[m->rows[i]].power_w - m->max_w, 2);
        m->max_sd_w = sqrt(ss / (m->n_rows - 1));
        m->max_sd_between_rows = 1;
    } else {
        m->max_sd_w = r0->power_sd_w;
    }
    m->hs23_per_core = m->hs23 / m->cores;
    m->hs23_per_thread = m->hs23 / m->threads;
    m->w_per_hs23 = m->max_w / m->hs23;
    ws_hwmodel_family(m->cpu, m->family, sizeof m->family);

    /* idle fraction: the family's SPECpower rows, else the x86 server population (ASSUMED) */
    double *fr = malloc(sizeof *fr * (size_t)(sp->n > 0 ? sp->n : 1));
    if (!fr) {
        ws_error_set(err, sp->path, 0, "", "out of memory");
        return WS_EFAIL;
    }
    for (int pass = 0; pass < 2 && m->n_spec == 0; pass++) {
        for (int i = 0; i < sp->n; i++) {
            const ws_specpower_row *s = &sp->rows[i];
            if (!spec_usable(s))
                continue;
            if (pass == 0 ? !(m->family[0] && strcmp(s->family, m->family) == 0) : !spec_population(s))
                continue;
            if (m->n_spec == WS_HW_MAX_SPEC) {
                free(fr);
                ws_error_set(err, sp->path, 0, "", "more than %d SPECpower rows in one group", WS_HW_MAX_SPEC);
                return WS_EINPUT;
            }
            fr[m->n_spec] = s->idle_w / s->full_w;
            m->spec[m->n_spec++] = i;
        }
        m->idle_assumed = pass == 1;
    }
    if (m->n_spec == 0) {
        free(fr);
        ws_error_set(err, sp->path, 0, "", "no usable SPECpower row (1 node, 1-2 chips, EPYC or Xeon Scalable)");
        return WS_EINPUT;
    }
    m->idle_fraction = median(fr, m->n_spec); /* sorts fr */
    m->idle_fraction_min = fr[0];
    m->idle_fraction_max = fr[m->n_spec - 1];
    free(fr);
    /* the model's watts to 0.01 W (the tables give 0.1 W at best; more digits would be noise) */
    m->idle_w = round(100 * m->idle_fraction * m->max_w) / 100;

    /* curve shape */
    for (int i = 0; cv && i < cv->n; i++)
        if (m->family[0] && strcmp(cv->curves[i].family, m->family) == 0 && m->n_curves < WS_HW_MAX_CURVES)
            m->curves[m->n_curves++] = i;
    ws_power_model *pm = &m->model;
    pm->r2 = pm->rmse_w = pm->aicc = NAN;
    pm->n = m->n_rows;
    if (m->n_curves > 0) {
        for (int k = 0; k < WS_HW_CURVE_POINTS; k++) {
            double s = 0;
            for (int j = 0; j < m->n_curves; j++) {
                const double *w = cv->curves[m->curves[j]].w;
                s += (w[k] - w[0]) / (w[WS_HW_CURVE_POINTS - 1] - w[0]);
            }
            m->shape[k] = s / m->n_curves;
        }
        pm->form = WS_FORM_PIECEWISE;
        pm->n_points = WS_HW_CURVE_POINTS;
        for (int k = 0; k < WS_HW_CURVE_POINTS; k++) {
            pm->point_u[k] = k / 10.0;
            pm->point_w[k] = round(100 * (m->idle_w + (m->max_w - m->idle_w) * m->shape[k])) / 100;
        }
    } else {
        pm->form = WS_FORM_LINEAR;
        pm->n_params = 2;
        pm->params[0] = m->idle_w;
        pm->params[1] = round(100 * m->max_w) / 100;
        for (int k = 0; k < WS_HW_CURVE_POINTS; k++)
            m->shape[k] = k / 10.0;
    }
    return WS_OK;
}

/* ---- output ----------------------------------------------------------------------------------- */

static void add_round(cJSON *o, const char *name, double v, int digits)
{
    /* numbers written rounded (the tables carry 1-4 significant decimals; more would be noise) */
    if (isnan(v)) {
        cJSON_AddNullToObject(o, name);
        return;
    }
    double f = pow(10, digits);
    cJSON_AddNumberToObject(o, name, round(v * f) / f);
}

static cJSON *source_json(const char *path, const char *sha, const char *origin)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "path", path);
    cJSON_AddStringToObject(s, "sha256", sha);
    cJSON_AddStringToObject(s, "origin", origin);
    return s;
}

cJSON *ws_hwmodel_to_json(const ws_server_model *m, const ws_hepix_table *h, const ws_specpower_table *sp,
                          const ws_curve_table *cv)
{
    cJSON *o = ws_model_to_json(&m->model);
    char buf[600];
    if (m->model.form == WS_FORM_PIECEWISE) /* the points are scaled from other servers, not measured here */
        cJSON_ReplaceItemInObject(o, "formula", cJSON_CreateString("P = linear interpolation through 11 load levels: "
                                                                   "idle_w + (max_w - idle_w) x the SPECpower shape "
                                                                   "of the CPU family (provenance.numbers.curve)"));
    snprintf(buf, sizeof buf, "server-%s", m->model.arch);
    cJSON_AddStringToObject(o, "name", buf);
    snprintf(buf, sizeof buf,
             "full-load power measured (HEPiX, %d row(s)); idle %s; curve %s", m->n_rows,
             m->idle_assumed ? "ASSUMED (idle fraction of the SPECpower x86 server population)"
                             : "from the idle fraction of SPECpower results of the same CPU family",
             m->n_curves ? "cited (SPECpower 11-point curves of the same family, scaled)" : "ASSUMED linear");
    cJSON_AddStringToObject(o, "note", buf);

    cJSON *hep = cJSON_AddObjectToObject(o, "hep");
    cJSON_AddStringToObject(hep, "cpu", m->cpu);
    add_round(hep, "hs23", m->hs23, 2);
    add_round(hep, "hs23_per_core", m->hs23_per_core, 4);
    add_round(hep, "hs23_per_thread", m->hs23_per_thread, 4);
    cJSON_AddNumberToObject(hep, "sockets", m->sockets);
    cJSON_AddNumberToObject(hep, "cores", m->cores);
    cJSON_AddNumberToObject(hep, "threads", m->threads);
    cJSON_AddBoolToObject(hep, "smt", m->smt);
    add_round(hep, "w_per_hs23", m->w_per_hs23, 6);
    add_round(hep, "max_w", m->max_w, 2);
    add_round(hep, "max_sd_w", m->max_sd_w, 2);
    cJSON_AddStringToObject(hep, "max_sd_kind", m->max_sd_between_rows ? "standard deviation between rows"
                                                                       : "the one row's electric_power_std (within its run)");
    add_round(hep, "idle_w", m->idle_w, 2);
    cJSON_AddNumberToObject(hep, "rows", m->n_rows);
    cJSON_AddStringToObject(hep, "family", m->family[0] ? m->family : "none");
    cJSON_AddStringToObject(hep, "family_name", m->family[0] ? ws_hwmodel_family_name(m->family) : "none");

    cJSON *p = cJSON_AddObjectToObject(o, "provenance");
    cJSON_AddStringToObject(p, "kind", "server");
    cJSON *src = cJSON_AddObjectToObject(p, "sources");
    cJSON_AddItemToObject(src, "hepix",
                          source_json(h->path, h->sha256, "HEPiX-Forum/hepix-forum.github.io @ 2530f79c1ac2, "
                                                          "_data/HS23scores.csv (data/hardware/PROVENANCE.md)"));
    cJSON_AddItemToObject(src, "specpower",
                          source_json(sp->path, sp->sha256, "etsy/cloud-jewels @ dc1c94dc5272, SPECpower_ssj2008 "
                                                            "results (data/hardware/PROVENANCE.md)"));
    if (cv)
        cJSON_AddItemToObject(src, "curves",
                              source_json(cv->path, cv->sha256, "atlarge-research/opendc @ cda66eddc935, "
                                                                "MachineSpecs.kt, SPEC result URLs per row"));
    cJSON *rows = cJSON_AddArrayToObject(p, "hepix_rows");
    for (int i = 0; i < m->n_rows; i++) {
        const ws_hepix_row *r = &h->rows[m->rows[i]];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "line", (double)r->line);
        cJSON_AddStringToObject(x, "site", r->site);
        cJSON_AddNumberToObject(x, "hs23", r->score);
        cJSON_AddNumberToObject(x, "power_w", r->power_w);
        if (isnan(r->power_sd_w))
            cJSON_AddNullToObject(x, "power_sd_w");
        else
            cJSON_AddNumberToObject(x, "power_sd_w", r->power_sd_w);
        cJSON_AddNumberToObject(x, "measurements", r->n_meas);
        cJSON_AddItemToArray(rows, x);
    }
    cJSON *held = cJSON_AddArrayToObject(p, "held_out_lines");
    for (int i = 0; i < m->n_held_out; i++)
        cJSON_AddItemToArray(held, cJSON_CreateNumber((double)m->held_out_lines[i]));
    cJSON_AddStringToObject(p, "held_out_rule", "for every CPU string with two or more rows with power, the last such "
                                                "row in file order is held out for the independent check");

    cJSON *num = cJSON_AddObjectToObject(p, "numbers");
    cJSON *x = cJSON_AddObjectToObject(num, "max_w");
    cJSON_AddStringToObject(x, "label", "measured");
    cJSON_AddStringToObject(x, "how", "mean of electric_power_mean over the hepix_rows (whole server, ipmitool dcmi, "
                                      "while HEPScore23 runs on every core: full load)");
    x = cJSON_AddObjectToObject(num, "hs23");
    cJSON_AddStringToObject(x, "label", "measured");
    cJSON_AddStringToObject(x, "how", "mean Score over the hepix_rows; hs23_per_core = hs23 / (sockets x cores per "
                                      "socket); hs23_per_thread = hs23 / Ncores; w_per_hs23 = max_w / hs23");
    x = cJSON_AddObjectToObject(num, "idle_w");
    cJSON_AddStringToObject(x, "label", m->idle_assumed ? "ASSUMED" : "measured fraction x measured max_w");
    snprintf(buf, sizeof buf,
             m->idle_assumed
                 ? "ASSUMED: no SPECpower result of this CPU's family (%s); idle_w = max_w x the median idle/full "
                   "ratio of all SPECpower results of x86 server families (EPYC, Xeon Scalable; 1 node, 1-2 chips)"
                 : "idle_w = max_w x the median active-idle/100%% ratio of the SPECpower results of family %s (1 "
                   "node, 1-2 chips): other servers of the family, measured; the ratio, not their watts, transfers",
             m->family[0] ? m->family : "none");
    cJSON_AddStringToObject(x, "how", buf);
    add_round(x, "idle_fraction", m->idle_fraction, 4);
    add_round(x, "idle_fraction_min", m->idle_fraction_min, 4);
    add_round(x, "idle_fraction_max", m->idle_fraction_max, 4);
    cJSON_AddNumberToObject(x, "specpower_results", m->n_spec);
    cJSON *sl = cJSON_AddArrayToObject(x, "specpower_lines");
    for (int i = 0; i < m->n_spec; i++)
        cJSON_AddItemToArray(sl, cJSON_CreateNumber((double)sp->rows[m->spec[i]].line));
    x = cJSON_AddObjectToObject(num, "curve");
    if (m->n_curves) {
        cJSON_AddStringToObject(x, "label", "cited");
        snprintf(buf, sizeof buf, "points: idle_w + (max_w - idle_w) x s(u), s the mean over the curves of (P(u) - "
                                  "P(idle)) / (P(100%%) - P(idle)) of the SPECpower 11-point curves of family %s",
                 m->family);
        cJSON_AddStringToObject(x, "how", buf);
        cJSON *cs = cJSON_AddArrayToObject(x, "curves");
        for (int i = 0; i < m->n_curves; i++) {
            const ws_spec_curve *c = &cv->curves[m->curves[i]];
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "line", (double)c->line);
            cJSON_AddStringToObject(e, "server", c->server);
            cJSON_AddStringToObject(e, "cpu", c->cpu);
            cJSON_AddStringToObject(e, "result_url", c->url);
            cJSON_AddItemToArray(cs, e);
        }
    } else {
        cJSON_AddStringToObject(x, "label", "ASSUMED");
        cJSON_AddStringToObject(x, "how", "ASSUMED: linear from idle_w to max_w (no SPECpower 11-point curve of this "
                                          "CPU's family in the curves table)");
    }
    cJSON *shape = cJSON_AddArrayToObject(x, "shape");
    for (int k = 0; k < WS_HW_CURVE_POINTS; k++)
        cJSON_AddItemToArray(shape, cJSON_CreateNumber(round(m->shape[k] * 1e6) / 1e6));
    return o;
}

const char *ws_hwmodel_csv_header(void)
{
    return "cpu,arch,family,sockets,cores,threads,hs23,hs23_per_core,hs23_per_thread,idle_w,max_w,max_sd_w,"
           "w_per_hs23,form,idle_source,curve_source,n_rows,hepix_lines";
}

void ws_hwmodel_csv_row(const ws_server_model *m, FILE *out)
{
    char idle[96], curve[96];
    snprintf(idle, sizeof idle, "%s%s (%d SPECpower results)", m->idle_assumed ? "ASSUMED:population-" : "specpower:",
             m->idle_assumed ? "x86" : m->family, m->n_spec);
    if (m->n_curves)
        snprintf(curve, sizeof curve, "specpower-curves:%s (%d)", m->family, m->n_curves);
    else
        snprintf(curve, sizeof curve, "ASSUMED:linear");
    ws_csv_write_field(out, m->cpu);
    fputc(',', out);
    ws_csv_write_field(out, m->model.arch);
    fprintf(out, ",%s,%d,%d,%d,%.2f,%.4f,%.4f,%.2f,%.2f,", m->family[0] ? m->family : "none", m->sockets, m->cores,
            m->threads, m->hs23, m->hs23_per_core, m->hs23_per_thread, m->idle_w, m->max_w);
    if (!isnan(m->max_sd_w))
        fprintf(out, "%.2f", m->max_sd_w);
    fprintf(out, ",%.6f,%s,", m->w_per_hs23, ws_form_name(m->model.form));
    ws_csv_write_field(out, idle);
    fputc(',', out);
    ws_csv_write_field(out, curve);
    fprintf(out, ",%d,", m->n_rows);
    for (int i = 0; i < m->n_rows; i++)
        fprintf(out, "%s%ld", i ? " " : "", m->lines[i]);
    fputc('\n', out);
}

int ws_hwmodel_holdout_check(const ws_hepix_table *h, ws_holdout_result *res, int max, int *n, double *mape,
                             ws_error *err)
{
    *n = 0;
    *mape = NAN;
    double sum = 0;
    int idx[WS_HW_MAX_ROWS], same[WS_HW_MAX_ROWS];
    for (int i = 0; i < h->n; i++) {
        const ws_hepix_row *r = &h->rows[i];
        if (!r->held_out)
            continue;
        if (*n == max) {
            ws_error_set(err, h->path, 0, "", "more than %d held-out rows", max);
            return WS_EINPUT;
        }
        int k = 0, ks = 0;
        for (int j = 0; j < h->n && k < WS_HW_MAX_ROWS; j++) {
            const ws_hepix_row *t = &h->rows[j];
            if (t->held_out || !has_power(t) || strcmp(t->cpu, r->cpu) != 0)
                continue;
            idx[k++] = j;
            if (t->sockets == r->sockets && t->cores_per_socket == r->cores_per_socket && t->smt == r->smt)
                same[ks++] = j;
        }
        if (k == 0) {
            ws_error_set(err, h->path, r->line, "CPU", "held-out row of '%s' has no other row with power", r->cpu);
            return WS_EINPUT;
        }
        ws_holdout_result *o = &res[(*n)++];
        memset(o, 0, sizeof *o);
        o->line = r->line;
        ws_strlcpy(o->cpu, r->cpu, sizeof o->cpu);
        ws_strlcpy(o->site, r->site, sizeof o->site);
        o->sockets = r->sockets;
        o->cores = r->sockets * r->cores_per_socket;
        o->smt = r->smt;
        o->n_train = k;
        o->score = r->score;
        o->measured_w = r->power_w;
        double pw, sc;
        means(h, idx, k, &pw, &sc);
        o->w_per_hs23 = pw / sc;
        o->predicted_w = o->w_per_hs23 * r->score;
        o->error_rel = (o->predicted_w - o->measured_w) / o->measured_w;
        o->same_config_w = NAN;
        if (ks > 0)
            means(h, same, ks, &o->same_config_w, &sc);
        sum += fabs(o->error_rel);
    }
    if (*n == 0) {
        ws_error_set(err, h->path, 0, "", "no row is held out");
        return WS_EINPUT;
    }
    *mape = sum / *n;
    return WS_OK;
}
