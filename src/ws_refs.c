/* ws_refs: see ws_refs.h. The catalogue holds what the shipped data's PROVENANCE.md files, the shipped
 * scenarios' "_provenance" and the model files cite; an entry is picked when one of its trigger words
 * occurs (case-insensitively) in the provenance text gathered from the report. */
#include "ws_refs.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const ws_ref CATALOGUE[] = {
    {"wattscale_h100_2026", "misc", "data set", "{wattscale project}",
     "Energy and runtime of {Baler}-style autoencoder jobs measured on an {NVIDIA} {H100} 80GB {HBM3} "
     "({NVML} energy counter and 50 ms power logs, four repetitions)",
     "data/measured/h100 (see its PROVENANCE.md)", "2026", NULL, NULL, "Measured for this project",
     "data/measured/h100"},
    {"didukh2023", "misc", "study", "Didukh, L. and Doglioni, C.",
     "Profiling and Energy Estimation of {ML}-based compression algorithm ({Baler}) using {HEP} data",
     "Presentation, 9 October 2023", "2023", NULL, NULL,
     "T4 and Xeon Silver 4216 runs, section Mixed precision training; shipped as data/studies/baler_t4_amp.csv",
     "baler_t4_amp|data/studies"},
    {"baler2024", "article", "study",
     "Bengtsson Folkesson, F. and Doglioni, C. and Ekman, P. A. and Gallén, A. and Jawahar, P. and "
     "Camps Santasmasas, M. and Skidmore, N.",
     "{Baler} -- Machine Learning Based Compression of Scientific Data", "EPJ Web of Conferences 295, 09023",
     "2024", "10.1051/epjconf/202429509023", "https://arxiv.org/abs/2305.02283", NULL, "baler"},
    {"wiesner2021", "inproceedings", "data set",
     "Wiesner, P. and Behnke, I. and Scheinert, D. and Gontarska, K. and Thamsen, L.",
     "Let's Wait Awhile: How Temporal Workload Shifting Can Reduce Carbon Emissions in the Cloud",
     "Proceedings of the 22nd International Middleware Conference (Middleware '21)", "2021",
     "10.1145/3464298.3493399", NULL,
     "Grid carbon intensity series of France, Great Britain and Germany, 2020 (data/carbon)",
     "lwa_|data/carbon|wiesner|lets-wait-awhile"},
    {"entsoe", "misc", "data set", "{ENTSO-E}", "{ENTSO-E} Transparency Platform: actual generation per production type",
     "European Network of Transmission System Operators for Electricity", "2020", NULL,
     "https://transparency.entsoe.eu/", "The source of the carbon intensity series of Wiesner et al.",
     "lwa_|data/carbon|entso-e"},
    {"lannelongue2021", "article", "method", "Lannelongue, L. and Grealey, J. and Inouye, M.",
     "Green Algorithms: Quantifying the Carbon Footprint of Computation", "Advanced Science", "2021",
     "10.1002/advs.202100707", NULL, "TDP tables and the default PUE (data/hardware, CC BY 4.0)",
     "green algorithms|data/hardware|tdp"},
    {"uptime2024", "misc", "data set", "{Uptime Institute}", "Global Data Center Survey 2024",
     "Uptime Institute", "2024", NULL, NULL, "Average PUE 1.56, used when a site's PUE is unknown",
     "uptime institute|pue 1.56"},
    {"teads2021", "misc", "method", "Davy, B.", "Building an {AWS} {EC2} Carbon Emissions Dataset",
     "Teads Engineering", "2021", NULL,
     "https://medium.com/teads-engineering/building-an-aws-ec2-carbon-emissions-dataset-3f0fd76c98ac",
     "The Teads power curve, scaled by a TDP for the ASSUMED power models", "teads|tdp"},
    {"ccf", "misc", "method", "{Cloud Carbon Footprint}", "Cloud Carbon Footprint: Methodology",
     "Thoughtworks", "2023", NULL, "https://www.cloudcarbonfootprint.org/docs/methodology",
     "Embodied carbon per server and the Teads curve's use for power", "cloud carbon footprint|embodied"},
    {"feitelson2014", "article", "data set", "Feitelson, D. G. and Tsafrir, D. and Krakov, D.",
     "Experience with using the Parallel Workloads Archive", "Journal of Parallel and Distributed Computing",
     "2014", "10.1016/j.jpdc.2014.06.013", NULL, "NASA-iPSC-1993-3 log, 228-job excerpt (data/workloads)",
     "nasa-ipsc|data/workloads|.swf"},
    {"electricitymaps", "misc", "data set", "{Electricity Maps}",
     "Hourly carbon intensity of electricity consumption, 2022 and 2023", "Electricity Maps data portal", "2023", NULL,
     "https://www.electricitymaps.com/data-portal",
     "Exports committed in public repositories (data/carbon/PROVENANCE.md)", "electricity maps|data/carbon/em_"},
    {"dcsim", "misc", "data set", "{HEPCompSim}",
     "{DCSim}: workload configurations of {CMS} jobs at {KIT} and {DESY} and the {GridKa} platform", "GitHub",
     "2023", NULL, "https://github.com/HEPCompSim/DCSim", "LGPL-3.0; shipped in data/hep", "dcsim"},
    {"gracc_apel", "misc", "data set", "{Open Science Grid}",
     "{APEL} accounting summaries sent to {WLCG} ({GRACC})", "GitHub", "2016", NULL,
     "https://github.com/opensciencegrid/gracc-apel", "January 2016 summaries, shipped in data/hep", "apel"},
    {"osg_topology", "misc", "data set", "{Open Science Grid}", "{OSG} topology: declared site resources",
     "GitHub", "2024", NULL, "https://github.com/opensciencegrid/topology", NULL, "opensciencegrid/topology"},
    {"cgsim_panda", "misc", "data set", "{REDWOOD24}",
     "{CGSim}: 100 finished {ATLAS} {PanDA} analysis jobs at {BNL}, January 2025", "GitHub", "2025", NULL,
     "https://github.com/REDWOOD24/CGSim", "Shipped in data/hep", "panda"},
    {"hepix_hs23", "misc", "data set", "{HEPiX Benchmarking Working Group}",
     "{HEPScore23} benchmark results with server power", "HEPiX Forum", "2026", NULL, "https://hepix-forum.github.io/",
     "data/hardware/hepix_hs23scores.csv", "hepix|hs23|hepscore|servers.csv|server-"},
    {"specpower", "misc", "data set", "{Standard Performance Evaluation Corporation}",
     "{SPECpower} ssj2008 results", "SPEC", "2021", NULL, "https://www.spec.org/power_ssj2008/results/",
     "data/hardware/specpower_*.csv", "specpower|servers.csv|server-"},
    {"cern_cpu_planning", "misc", "data set", "{CERN}", "{CPU} resource planning ({CpuResourcePlanning}, revision 37)",
     "CERN TWiki", "2021", NULL, NULL, "Tier-0 capacity in kHS06", "cpuresourceplanning"},
    {"hecap2023", "misc", "study", "{Sustainable HECAP+ Initiative}",
     "Environmental sustainability in basic research: a perspective from {HECAP+}",
     "Version 2.0, 18 August 2023, arXiv:2306.02837", "2023", NULL, "https://sustainable-hecap-plus.github.io/",
     "Computing chapter: the PUE of CERN's Meyrin data centre", "hecap"},
    {"mualem2001", "article", "method", "Mu'alem, A. W. and Feitelson, D. G.",
     "Utilization, Predictability, Workloads, and User Runtime Estimates in Scheduling the {IBM} {SP2} with "
     "Backfilling",
     "IEEE Transactions on Parallel and Distributed Systems", "2001", "10.1109/71.932708", NULL, NULL,
     "backfill"},
    {"sci2024", "misc", "method", "{Green Software Foundation}",
     "Software Carbon Intensity ({SCI}) Specification, {ISO/IEC} 21031:2024", "Green Software Foundation", "2024",
     NULL, "https://sci.greensoftware.foundation/", "SCI = (E I + M) / R per job", NULL},
    {"gsl", "manual", "tool", "Galassi, M. and others", "{GNU} Scientific Library Reference Manual",
     "Network Theory Ltd.", "2009", NULL, "https://www.gnu.org/software/gsl/",
     "Model fits, t quantiles, random draws", NULL},
    {"sqlite", "misc", "tool", "Hipp, D. R. and others", "{SQLite}", "https://www.sqlite.org", "2024", NULL,
     "https://www.sqlite.org", "The store of profiles, models and runs", NULL},
    {"plplot", "misc", "tool", "{PLplot} developers", "{PLplot}: a cross-platform software package for "
     "creating scientific plots", "https://plplot.sourceforge.net", "2024", NULL, "https://plplot.sourceforge.net",
     "The figures", NULL},
    {"wattscale", "misc", "tool", "{wattscale developers}",
     "wattscale: from measured energy profiles of {ML} and {HEP} jobs to projections at {LHC} scale",
     "Software", "2026", NULL, NULL, "Ingest, fits, discrete-event simulation and this report", NULL},
};

/* Every string in o (recursively), lower-cased, appended to buf. */
static void gather(const cJSON *o, char **buf, size_t *len, size_t *cap)
{
    if (cJSON_IsString(o)) {
        size_t n = strlen(o->valuestring);
        if (*len + n + 2 > *cap) {
            size_t want = (*cap + n + 2) * 2;
            char *b = realloc(*buf, want);
            if (!b)
                return;
            *buf = b;
            *cap = want;
        }
        for (size_t i = 0; i < n; i++)
            (*buf)[(*len)++] = (char)tolower((unsigned char)o->valuestring[i]);
        (*buf)[(*len)++] = '\n';
        (*buf)[*len] = '\0';
        return;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, o) gather(it, buf, len, cap);
}

static int triggered(const char *haystack, const char *triggers)
{
    if (!triggers)
        return 1;
    if (!haystack)
        return 0;
    char word[64];
    for (const char *p = triggers; *p;) {
        size_t n = strcspn(p, "|");
        if (n < sizeof word) {
            memcpy(word, p, n);
            word[n] = '\0';
            if (n > 0 && strstr(haystack, word))
                return 1;
        }
        p += n + (p[n] == '|');
    }
    return 0;
}

int ws_refs_select(const cJSON *report, const ws_ref **out, int max)
{
    char *hay = NULL;
    size_t len = 0, cap = 0;
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(report, "scenario");
    gather(cJSON_GetObjectItemCaseSensitive(sc, "description"), &hay, &len, &cap);
    gather(cJSON_GetObjectItemCaseSensitive(sc, "provenance"), &hay, &len, &cap);
    gather(cJSON_GetObjectItemCaseSensitive(report, "inputs"), &hay, &len, &cap);
    gather(cJSON_GetObjectItemCaseSensitive(report, "assumptions"), &hay, &len, &cap);
    int n = 0;
    for (size_t i = 0; i < sizeof CATALOGUE / sizeof CATALOGUE[0] && n < max; i++)
        if (triggered(hay, CATALOGUE[i].triggers))
            out[n++] = &CATALOGUE[i];
    free(hay);
    return n;
}

/* s without BibTeX's protecting braces. */
static void unbrace(const char *s, char *buf, size_t size)
{
    size_t k = 0;
    for (; *s && k + 1 < size; s++)
        if (*s != '{' && *s != '}')
            buf[k++] = *s;
    buf[k] = '\0';
}

void ws_refs_text(const ws_ref *r, char *buf, size_t size)
{
    char a[512], t[512], v[256], note[512] = "";
    unbrace(r->author, a, sizeof a);
    unbrace(r->title, t, sizeof t);
    unbrace(r->venue ? r->venue : "", v, sizeof v);
    /* "A and B and C" reads "A, B and C" */
    char authors[512];
    size_t k = 0;
    const char *p = a;
    int parts = 1;
    for (const char *q = a; (q = strstr(q, " and ")); q += 5)
        parts++;
    for (int i = 0; i < parts && k + 1 < sizeof authors; i++) {
        const char *end = strstr(p, " and ");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        k += (size_t)snprintf(authors + k, sizeof authors - k, "%s%.*s", i == 0 ? "" : i == parts - 1 ? " and " : ", ",
                              (int)n, p);
        if (end)
            p = end + 5;
        if (k >= sizeof authors)
            k = sizeof authors - 1;
    }
    if (r->note)
        unbrace(r->note, note, sizeof note);
    size_t al = strlen(authors);
    int dot = al > 0 && authors[al - 1] == '.'; /* "Doglioni, C." ends its own sentence */
    char tail[640] = "";
    if (r->doi)
        snprintf(tail, sizeof tail, " doi:%s.", r->doi);
    else if (r->url)
        snprintf(tail, sizeof tail, " %s.", r->url);
    snprintf(buf, size, "%s%s \"%s\". %s%s%s.%s%s%s%s", authors, dot ? "" : ".", t, v, v[0] ? ", " : "", r->year, tail,
             note[0] ? " " : "", note, note[0] ? "." : "");
}

void ws_refs_bibtex(const ws_ref *r, FILE *out)
{
    const char *venue_key = strcmp(r->type, "article") == 0         ? "journal"
                            : strcmp(r->type, "inproceedings") == 0 ? "booktitle"
                            : strcmp(r->type, "manual") == 0        ? "organization"
                                                                    : "howpublished";
    fprintf(out, "@%s{%s,\n  author = {%s},\n  title = {%s},\n", r->type, r->key, r->author, r->title);
    if (r->venue)
        fprintf(out, "  %s = {%s},\n", venue_key, r->venue);
    fprintf(out, "  year = {%s},\n", r->year);
    if (r->doi)
        fprintf(out, "  doi = {%s},\n", r->doi);
    if (r->url)
        fprintf(out, "  url = {%s},\n", r->url);
    if (r->note)
        fprintf(out, "  note = {%s},\n", r->note);
    fprintf(out, "}\n\n");
}
