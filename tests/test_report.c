/* test_report: the rendered report of a hand-made report JSON, against strings worked out by hand:
 * numbers rounded from their intervals with units, "no significant change" for an effect whose interval
 * includes zero, significant variants first in the headline box and sentences, per-year figures, scale
 * labels, Methods with the t quantile of the replicas, References and BibTeX picked by provenance, LaTeX
 * escaping, and the JSON left at full precision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_report.h"
#include "ws_util.h"

/* Two variants: "flat_50%" whose energy saving crosses zero (the greenest-site case of the main job) and
 * "resident" that saves 69.2 [61.04, 77.36] MWh a day; listed flat first, so the headline must reorder. */
static const char *REPORT =
    "{\"wattscale_report\": 1, \"run_id\": 7,"
    " \"scenario\": {\"name\": \"t\", \"description\": \"\", \"path\": \"t.json\", \"sha256\": \"ab\", \"seed\": 1,"
    "  \"replicas\": 8, \"simulated_days\": 2, \"scale_factor\": 1, \"scaling\": \"direct\", \"currency\": \"EUR\","
    "  \"scale_note\": \"Per-day figures are simulated directly; nothing is scaled.\","
    "  \"provenance\": {\"sites\": \"PUE 1.56 = Green Algorithms' default (Uptime Institute 2024)\"}},"
    " \"synthetic_workload\": true,"
    " \"variants\": ["
    "  {\"name\": \"baseline\", \"description\": \"\","
    "   \"totals\": {\"jobs\": {\"mean\": 17862, \"lo\": 17781, \"hi\": 17930, \"n\": 8},"
    "              \"mean_wait_s\": {\"mean\": 26240, \"lo\": 25900, \"hi\": 26580, \"n\": 8}},"
    "   \"per_day\": {\"facility_energy_mwh\": {\"mean\": 420.812, \"lo\": 417.314, \"hi\": 424.249, \"n\": 8}},"
    "   \"saving_vs_baseline\": {\"facility_energy_mwh_per_day\": {\"mean\": 0, \"lo\": 0, \"hi\": 0, \"n\": 8}}},"
    "  {\"name\": \"flat_50%\", \"description\": \"\", \"totals\": {}, \"per_day\": {},"
    "   \"saving_vs_baseline\": {"
    "     \"facility_energy_mwh_per_day\": {\"mean\": 0.001302, \"lo\": -0.06877, \"hi\": 0.07138, \"n\": 8},"
    "     \"co2_t_per_day\": {\"mean\": -0.5, \"lo\": -1.2, \"hi\": 0.2, \"n\": 8}}},"
    "  {\"name\": \"resident\", \"description\": \"\", \"totals\": {}, \"per_day\": {},"
    "   \"saving_vs_baseline\": {"
    "     \"facility_energy_mwh_per_day\": {\"mean\": 69.2, \"lo\": 61.04, \"hi\": 77.36, \"n\": 8},"
    "     \"facility_energy_pct\": {\"mean\": 16.44, \"lo\": 14.56, \"hi\": 18.32, \"n\": 8},"
    "     \"co2_t_per_day\": {\"mean\": 16.78, \"lo\": 14.8, \"hi\": 18.76, \"n\": 8},"
    "     \"cost_per_day\": {\"mean\": null, \"lo\": null, \"hi\": null, \"n\": 8},"
    "     \"job_energy_pct\": {\"mean\": 47.06, \"lo\": 43.55, \"hi\": 50.56, \"n\": 8}}}],"
    " \"headline\": [],"
    " \"inputs\": {\"files\": [{\"path\": \"data/carbon/lwa_fr_ci.csv\", \"sha256\": \"cd\","
    "   \"what\": \"carbon intensity (g/kWh)\", \"provenance\": \"cited\"}],"
    "  \"models\": [{\"site\": \"A\", \"group\": \"gpu-t4\", \"arch\": \"t4\", \"form\": \"tdp\","
    "   \"source\": \"models/t4-power.json\", \"assumed\": true, \"provenance\": \"assumed\"}],"
    "  \"tweaks\": [{\"variant\": \"resident\", \"class\": \"*\", \"from\": \"profiles: a -> b on h100\"}]},"
    " \"assumptions\": [\"the workload is SYNTHETIC\"], \"figures\": []}";

/* The output of a writer as a string (caller frees). */
static char *render(int (*writer)(const cJSON *, FILE *), const cJSON *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(writer(r, f), 0);
    fclose(f);
    return buf;
}

static void assert_contains(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("missing: %s", part);
}

static void test_sentences(void **state)
{
    (void)state;
    cJSON *r = cJSON_Parse(REPORT);
    assert_non_null(r);
    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(r, "variants");
    char s[1600];
    /* width 16.32 MWh: step 1 MWh -> 69 [61, 77]; 14.56..18.32 %: width 3.76, step 0.1 */
    ws_report_sentence(cJSON_GetArrayItem(vars, 2), s, sizeof s);
    /* 43.55 is stored as 43.54999...: one decimal gives 43.5 */
    assert_string_equal(s, "resident saves 69 [61, 77] MWh a day (16.4 [14.6, 18.3] %); saves 16.8 [14.8, 18.8] t "
                           "CO2 a day at the facilities; per job it saves 47.1 [43.5, 50.6] % of the energy");
    /* -68.77 .. 71.38 kWh: width 140.15, step 10 kWh; CO2 -1.2 .. 0.2 t: width 1.4 t, step 0.1 t */
    ws_report_sentence(cJSON_GetArrayItem(vars, 1), s, sizeof s);
    assert_string_equal(s, "flat_50% energy: no significant change (95% interval -70 to 70 kWh a day); CO2: no "
                           "significant change (95% interval -1.2 to 0.2 t CO2 a day)");
    assert_true(ws_report_variant_significant(cJSON_GetArrayItem(vars, 2)));
    assert_false(ws_report_variant_significant(cJSON_GetArrayItem(vars, 1)));
    assert_false(ws_report_variant_significant(cJSON_GetArrayItem(vars, 0)));
    cJSON_Delete(r);
}

static void test_markdown(void **state)
{
    (void)state;
    cJSON *r = cJSON_Parse(REPORT);
    char *md = render(ws_report_write_md, r);
    /* the headline box: energy a day and a year (69.2 x 365 = 25,258 MWh: 25.3 [22.3, 28.2] GWh), CO2 a
     * year (16.78 x 365 = 6,125 t, width 1.445 kt: 6.1 [5.4, 6.8] kt), unpriced money, what it rests on */
    assert_contains(md, "| resident | 69 [61, 77] MWh a day; 25.3 [22.3, 28.2] GWh a year | 16.8 [14.8, 18.8] t a day; "
                        "6.1 [5.4, 6.8] kt a year | not priced (no electricity price given) | measured: tweak "
                        "factors; cited: carbon intensity (g/kWh); given: nothing; assumed: t4 power, synthetic "
                        "workload |");
    assert_contains(md, "| flat_50% | no significant change (95% interval -70 to 70 kWh a day) | no significant "
                        "change (95% interval -1.2 to 0.2 t a day) | not priced (no electricity price given) |");
    /* the significant variant first, although the scenario lists it second; the box before the tables */
    const char *box = strstr(md, "## Headline: projected savings");
    assert_non_null(box);
    assert_true(strstr(box, "| resident |") < strstr(box, "| flat_50% |"));
    assert_true(strstr(box, "- resident saves") < strstr(box, "- flat_50% energy: no significant change"));
    assert_true(box < strstr(md, "## Projected per day, per variant"));
    assert_contains(md, "**Scale: projected.**");
    assert_contains(md, "**Scale: simulated system.**");
    /* totals: jobs 17,862 [17,781, 17,930]: width 149, step 10; wait 7.289 h [7.194, 7.383]: step 0.01 h */
    assert_contains(md, "| baseline | 17,860 [17,780, 17,930] |");
    assert_contains(md, "| 420.8 [417.3, 424.2] MWh |");
    assert_contains(md, "| 7.29 [7.19, 7.38] h |");
    /* Methods: t(0.975, 7) = 2.3646 for 8 replicas */
    assert_contains(md, "(t = 2.3646 here)");
    assert_contains(md, "E_facility = sum_k PUE_k P_k dt_k");
    /* References from provenance: the carbon file cites Wiesner et al. and ENTSO-E, the assumed TDP model
     * the Teads curve, the scenario's text Uptime; no trace: no Parallel Workloads Archive */
    assert_contains(md, "[wiesner2021] data set: Wiesner, P., Behnke, I., Scheinert, D., Gontarska, K. and Thamsen, L.");
    assert_contains(md, "[entsoe]");
    assert_contains(md, "[teads2021]");
    assert_contains(md, "[uptime2024]");
    assert_null(strstr(md, "[feitelson2014]"));
    free(md);
    cJSON_Delete(r);
}

static void test_tex_bib_json(void **state)
{
    (void)state;
    cJSON *r = cJSON_Parse(REPORT);
    char *tex = render(ws_report_write_tex, r);
    assert_contains(tex, "flat\\_50\\% & no significant change (95\\% interval -70 to 70 kWh a day)");
    assert_contains(tex, "\\begin{tabular}{lrrrrr}");
    assert_contains(tex, "\\cite{wiesner2021,entsoe,lannelongue2021,uptime2024,teads2021,sci2024,gsl,sqlite,plplot,wattscale}");
    free(tex);
    char *bib = render(ws_report_write_bib, r);
    assert_contains(bib, "@inproceedings{wiesner2021,\n  author = {Wiesner, P. and Behnke, I.");
    assert_contains(bib, "  doi = {10.1145/3464298.3493399},\n");
    free(bib);
    char *json = render(ws_report_write_json, r);
    assert_contains(json, "0.001302");
    assert_contains(json, "-0.06877");
    free(json);
    char *html = render(ws_report_write_html, r);
    assert_contains(html, "<section class=\"headline\" id=\"headline\">");
    assert_contains(html, "<td>flat_50%</td><td>no significant change (95% interval -70 to 70 kWh a day)</td>");
    free(html);
    cJSON_Delete(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sentences),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_tex_bib_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
