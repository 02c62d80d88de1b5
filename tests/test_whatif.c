/* test_whatif: the what-if layer's promises, on scenarios small enough to work out by hand:
 * a variant identical to the baseline saves exactly 0 with a zero-width interval; an energy factor
 * of 0.673 on a workload of only that class, on a node that is never idle, saves 32.7 %; the same
 * seed gives the same bytes; bad variants are named by their JSON path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_json.h"
#include "ws_report.h"
#include "ws_testutil.h"
#include "ws_whatif.h"

/* One site, one single-core node (100 W idle, 200 W busy), a class of fixed 100 s jobs arriving far
 * faster than they run, so the node is busy from the first arrival (~1 s) to the end of the day. */
static const char *BASE =
    "\"seed\": 7, \"sites\": [{\"name\": \"s\", \"pue\": 1.25, \"carbon_g_per_kwh\": 200,"
    " \"nodes\": [{\"type\": \"cpu\", \"count\": 1, \"cores\": 1,"
    " \"power\": {\"model\": \"linear\", \"idle_w\": 100, \"max_w\": 200}}]}],"
    " \"workload\": {\"classes\": [{\"name\": \"train\", \"rate_per_day\": 100000, \"cores\": 1, \"utilisation\": 1,"
    " \"runtime\": {\"dist\": \"fixed\", \"value_s\": 100}}]},"
    " \"horizon\": {\"start\": \"2020-01-01T00:00:00Z\", \"days\": 0.25}";

static cJSON *run(const char *variants, int replicas, char **text)
{
    char doc[4096];
    snprintf(doc, sizeof doc, "{%s, \"variants\": [%s]}", BASE, variants);
    cJSON *j = cJSON_Parse(doc);
    assert_non_null(j);
    ws_whatif_options opt = {.replicas = replicas, .quiet = 1};
    cJSON *report = NULL;
    ws_error err = {0};
    int rc = ws_whatif_run(j, "t.json", ".", "0", &opt, &report, &err);
    if (rc != 0)
        fail_msg("whatif: %s: %s", err.field, err.message);
    cJSON_Delete(j);
    if (text)
        *text = cJSON_PrintUnformatted(report);
    return report;
}

static const cJSON *variant(const cJSON *report, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(report, "variants"), i);
}

static double field(const cJSON *v, const char *a, const char *b, const char *which)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v, a), b),
                                            which)
        ->valuedouble;
}

static void test_identical_variant_saves_exactly_zero(void **state)
{
    (void)state;
    cJSON *r = run("{\"name\": \"same\"}, {\"name\": \"same-by-patch\", \"patch\": {\"seed\": 7}}", 5, NULL);
    for (int i = 1; i <= 2; i++) {
        const cJSON *v = variant(r, i);
        static const char *const keys[] = {"facility_energy_mwh_per_day", "co2_t_per_day", "facility_energy_pct"};
        for (int k = 0; k < 3; k++) {
            assert_true(field(v, "saving_vs_baseline", keys[k], "mean") == 0.0);
            assert_true(field(v, "saving_vs_baseline", keys[k], "lo") == 0.0);
            assert_true(field(v, "saving_vs_baseline", keys[k], "hi") == 0.0);
        }
    }
    /* The baseline's own totals do vary over the replicas (different arrival streams). */
    const cJSON *b = variant(r, 0);
    assert_true(field(b, "totals", "jobs_arrived", "hi") > field(b, "totals", "jobs_arrived", "lo"));
    /* The linear model is typed into the scenario: "given", never "measured". */
    const cJSON *m = ws_json_get_path(r, "inputs.models[0].provenance");
    assert_non_null(m);
    assert_string_equal(m->valuestring, "given");
    cJSON_Delete(r);
}

static void test_energy_factor_saves_32_7_percent(void **state)
{
    (void)state;
    cJSON *r = run("{\"name\": \"amp\", \"tweaks\": [{\"class\": \"train\", \"energy_factor\": 0.673}]}", 3, NULL);
    const cJSON *v = variant(r, 1);
    /* Busy power is scaled by 0.673 for the whole day; the node idles only before the first arrival
     * (about 0.9 s of 21600 s), so the saving is 32.7 % to four digits. */
    double pct = field(v, "saving_vs_baseline", "facility_energy_pct", "mean");
    assert_true(fabs(pct - 32.7) < 0.005);
    assert_true(fabs(field(v, "saving_vs_baseline", "co2_pct", "mean") - pct) < 1e-9); /* constant carbon */
    /* Runtime unchanged: same jobs completed as the baseline, replica by replica. */
    assert_true(field(v, "totals", "jobs", "mean") == field(variant(r, 0), "totals", "jobs", "mean"));
    /* By hand: 21600 s x 200 W x 1.25 PUE = 1.5 kWh per replica at most (a little less for the idle start). */
    double base_kwh = field(variant(r, 0), "totals", "facility_energy_kwh", "mean");
    assert_true(base_kwh < 1.5 && base_kwh > 1.4999);
    cJSON_Delete(r);
}

static void test_runtime_and_power_factors(void **state)
{
    (void)state;
    /* runtime x 0.5 doubles the throughput; power x 1.5: energy per job x 0.75 but the node is still
     * busy all day, so energy is x 1.5 of the busy part. */
    cJSON *r = run("{\"name\": \"fast-hot\", \"tweaks\": [{\"class\": \"*\", \"runtime_factor\": 0.5,"
                   " \"power_factor\": 1.5}]}", 1, NULL);
    const cJSON *v = variant(r, 1);
    double pct = field(v, "saving_vs_baseline", "facility_energy_pct", "mean");
    assert_true(fabs(pct + 50.0) < 0.005);
    double jobs_b = field(variant(r, 0), "totals", "jobs", "mean"), jobs_v = field(v, "totals", "jobs", "mean");
    assert_true(fabs(jobs_v - 2 * jobs_b) <= 2);
    cJSON_Delete(r);
}

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    char *a, *b, *c;
    const char *vars = "{\"name\": \"x\", \"tweaks\": [{\"class\": \"train\", \"runtime_factor\": {\"mean\": 0.9,"
                       " \"lo\": 0.8, \"hi\": 1.0}}]}";
    cJSON *r1 = run(vars, 4, &a), *r2 = run(vars, 4, &b), *r3 = run(vars, 5, &c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    /* Factors drawn from their interval make the variant's totals vary across replicas. */
    const cJSON *v = variant(r1, 1);
    assert_true(field(v, "totals", "jobs", "hi") > field(v, "totals", "jobs", "lo"));
    free(a);
    free(b);
    free(c);
    cJSON_Delete(r1);
    cJSON_Delete(r2);
    cJSON_Delete(r3);
}

static void test_projection_scale(void **state)
{
    (void)state;
    char doc[4096];
    snprintf(doc, sizeof doc, "{%s, \"projection\": {\"scale_factor\": 1000}}", BASE);
    cJSON *j = cJSON_Parse(doc);
    ws_whatif_options opt = {.quiet = 1};
    cJSON *r = NULL;
    ws_error err;
    assert_int_equal(ws_whatif_run(j, "t.json", ".", "0", &opt, &r, &err), 0);
    const cJSON *b = variant(r, 0);
    /* per day = total / 0.25 days x 1000; MWh from kWh. */
    double kwh = field(b, "totals", "facility_energy_kwh", "mean");
    assert_true(fabs(field(b, "per_day", "facility_energy_mwh", "mean") - kwh / 0.25 * 1000 / 1000) < 1e-9);
    assert_true(fabs(field(b, "per_year", "facility_energy_mwh", "mean") - 365 * kwh / 0.25) < 1e-6);
    /* SCI without embodied carbon: CO2 g per completed job. */
    double co2 = field(b, "totals", "co2_kg", "mean"), jobs = field(b, "totals", "jobs", "mean");
    assert_true(fabs(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "sci_g_per_job"), "mean")->valuedouble -
                     1000 * co2 / jobs) < 1e-9);
    cJSON_Delete(r);
    cJSON_Delete(j);
}

static void expect_error(const char *variants, const char *field_part, const char *message_part)
{
    char doc[4096];
    snprintf(doc, sizeof doc, "{%s, \"variants\": [%s]}", BASE, variants);
    cJSON *j = cJSON_Parse(doc);
    ws_whatif_options opt = {.quiet = 1};
    cJSON *r = NULL;
    ws_error err = {0};
    int rc = ws_whatif_run(j, "t.json", ".", "0", &opt, &r, &err);
    char all[800];
    snprintf(all, sizeof all, "%s: %s", err.field, err.message);
    if (rc != WS_EINPUT || !strstr(all, field_part) || !strstr(all, message_part))
        fail_msg("rc %d, got '%s', wanted '%s' ... '%s'", rc, all, field_part, message_part);
    cJSON_Delete(j);
    cJSON_Delete(r);
}

/* Names and descriptions from the scenario cannot inject Markdown or HTML into the report, and a variant
 * named with '/' gets a file of its own (found by a test campaign: it silently got no hourly CSV). */
static void test_report_injection(void **state)
{
    (void)state;
    cJSON *r = run("{\"name\": \"a/b <script>\", \"description\": \"x\\n# injected [link](http://e) <b>\"}", 1, NULL);
    char path[512];
    snprintf(path, sizeof path, "%s", ws_test_path("r.md"));
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(ws_report_write_md(r, f), 0);
    fclose(f);
    size_t len;
    char *md = ws_read_file(path, &len);
    assert_non_null(md);
    assert_null(strstr(md, "<script>"));
    assert_null(strstr(md, "\n# injected"));
    assert_null(strstr(md, "](http://e)"));
    assert_non_null(strstr(md, "a/b \\<script\\>"));
    free(md);
    const cJSON *h = ws_json_get_path(r, "variants[1].hourly_csv");
    assert_non_null(h);
    assert_string_equal(h->valuestring, "hourly_a_b__script_.csv");
    cJSON_Delete(r);
}

static void test_bad_variants(void **state)
{
    (void)state;
    expect_error("{\"patch\": {}}", "variants[0]", "name");
    expect_error("{\"name\": \"a\"}, {\"name\": \"a\"}", "variants[1]", "used twice");
    expect_error("{\"name\": \"a\", \"patch\": {\"sites\": [{\"name\": \"s\"}]}}", "variants[0]", "sites[0]");
    expect_error("{\"name\": \"a\", \"tweaks\": [{\"class\": \"nope\", \"runtime_factor\": 2}]}", "variants[0].tweaks[0]",
                 "no class 'nope'");
    expect_error("{\"name\": \"a\", \"tweaks\": [{\"runtime_factor\": -1}]}", "runtime_factor", "> 0");
    expect_error("{\"name\": \"a\", \"tweaks\": [{\"from_profiles\": {\"baseline\": \"x\", \"variant\": \"y\"}}]}",
                 "variants[0].tweaks[0]", "store");
    expect_error("{\"name\": \"a\", \"set\": {\"sites[3].pue\": 2}}", "variants[0]", "sites[3].pue");
}

/* Progress goes to the caller's callback (the library prints nothing): one FINISHED call, with the
 * runs of 3 replicas x 2 variants on the threads asked for; none with quiet. */
typedef struct {
    int finished, running;
    ws_whatif_progress last;
} progress_seen;

static void on_progress(void *ctx, const ws_whatif_progress *p)
{
    progress_seen *s = ctx;
    if (p->stage == WS_WHATIF_FINISHED)
        s->finished++, s->last = *p;
    else
        s->running++;
}

static void test_progress_callback(void **state)
{
    (void)state;
    char doc[4096];
    snprintf(doc, sizeof doc, "{%s, \"variants\": [{\"name\": \"same\"}]}", BASE);
    cJSON *j = cJSON_Parse(doc);
    progress_seen seen = {0};
    ws_whatif_options opt = {.replicas = 3, .threads = 2, .progress = on_progress, .progress_ctx = &seen};
    cJSON *r = NULL;
    ws_error err = {0};
    assert_int_equal(ws_whatif_run(j, "t.json", ".", "0", &opt, &r, &err), WS_OK);
    assert_int_equal(seen.finished, 1);
    assert_int_equal(seen.last.runs, 6);
    assert_int_equal(seen.last.replicas, 3);
    assert_int_equal(seen.last.variants, 2);
    assert_int_equal(seen.last.threads, 2);
    assert_int_equal(seen.last.ranks, 1);
    cJSON_Delete(r);
    r = NULL;
    progress_seen quiet_seen = {0};
    opt.quiet = 1;
    opt.progress_ctx = &quiet_seen;
    assert_int_equal(ws_whatif_run(j, "t.json", ".", "0", &opt, &r, &err), WS_OK);
    assert_int_equal(quiet_seen.finished + quiet_seen.running, 0);
    cJSON_Delete(r);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_variant_saves_exactly_zero),
        cmocka_unit_test(test_energy_factor_saves_32_7_percent),
        cmocka_unit_test(test_runtime_and_power_factors),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_projection_scale),
        cmocka_unit_test(test_bad_variants),
        cmocka_unit_test(test_report_injection),
        cmocka_unit_test(test_progress_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
