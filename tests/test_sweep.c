/* test_sweep: the sweep layer's promises: points in row-major order of the keys as written (last key
 * fastest) with each path set and "sweep" removed; a point's seed depends on the scenario seed and the
 * point index only; bad sweeps are named "FILE: sweep.PATH: message"; doubling the PUE of a node that
 * is busy all the time doubles facility energy and CO2; a failed point is reported in its row and in
 * the CSV, not lost; the same point gives the same bytes, whoever runs it; points are dispatched
 * costliest first (rate x days x replicas x runs); progress and timings reach the callback, not stderr;
 * the farm runs every task once in the given order and stops on a refused result; a point's part file
 * gives back its row byte for byte, and a missing, corrupt or stale part is named missing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ws_json.h"
#include "ws_mpi.h"
#include "ws_sim.h"
#include "ws_sweep.h"
#include "ws_testutil.h"

/* One site, one single-core node (100 W idle, 200 W busy) kept busy by fixed 100 s jobs arriving far
 * faster than they run: IT power is 200 W from the first arrival (~1 s) to the end. */
static const char *BASE =
    "\"seed\": 7, \"sites\": [{\"name\": \"s\", \"pue\": 1.25, \"carbon_g_per_kwh\": 200,"
    " \"nodes\": [{\"type\": \"cpu\", \"count\": 1, \"cores\": 1,"
    " \"power\": {\"model\": \"linear\", \"idle_w\": 100, \"max_w\": 200}}]}],"
    " \"workload\": {\"classes\": [{\"name\": \"train\", \"rate_per_day\": 100000, \"cores\": 1, \"utilisation\": 1,"
    " \"runtime\": {\"dist\": \"fixed\", \"value_s\": 100}}]},"
    " \"horizon\": {\"start\": \"2020-01-01T00:00:00Z\", \"days\": 0.25}";

/* Parse a document written to a file (the sweep reads the file's SHA-256 and directory). */
static int parse(const char *text, ws_sweep *sw, ws_error *err)
{
    const char *path = ws_test_write("sweep.json", text);
    cJSON *doc = cJSON_Parse(text);
    assert_non_null(doc);
    int rc = ws_sweep_parse(doc, path, 0, 0, sw, err);
    cJSON_Delete(doc);
    return rc;
}

static void parse_base(const char *sweep, const char *extra, ws_sweep *sw)
{
    char doc[4096];
    snprintf(doc, sizeof doc, "{%s%s, \"replicas\": 2, \"sweep\": {%s}}", BASE, extra, sweep);
    ws_error err = {0};
    if (parse(doc, sw, &err) != WS_OK)
        fail_msg("parse: %s: %s", err.field, err.message);
}

static void test_points_row_major(void **state)
{
    (void)state;
    ws_sweep sw;
    ws_error err = {0};
    assert_int_equal(parse("{\"a\": {\"x\": 0}, \"b\": 0, \"sweep\": {\"a.x\": [1, 2, 3], \"b\": [10, 20]}}", &sw, &err), 0);
    assert_int_equal(sw.n_axes, 2);
    assert_int_equal(sw.n_points, 6);
    int idx[WS_SWEEP_MAX_AXES];
    ws_sweep_point_indices(&sw, 1, idx);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    ws_sweep_point_indices(&sw, 5, idx);
    assert_int_equal(idx[0], 2);
    assert_int_equal(idx[1], 1);
    cJSON *d = ws_sweep_point_doc(&sw, 3, &err);
    assert_non_null(d);
    assert_int_equal(ws_json_get_path(d, "a.x")->valueint, 2);
    assert_int_equal(ws_json_get_path(d, "b")->valueint, 20);
    assert_null(cJSON_GetObjectItemCaseSensitive(d, "sweep"));
    cJSON_Delete(d);
    ws_sweep_free(&sw);
}

static void test_point_seeds(void **state)
{
    (void)state;
    ws_sweep sw;
    parse_base("\"sites[0].pue\": [1, 1.5, 2]", "", &sw);
    assert_int_equal(sw.seed, 7);
    for (long p = 0; p < 3; p++)
        assert_true(ws_sweep_point_seed(&sw, p) == (uint64_t)ws_sim_stream_seed(7, 0x20000000u + (uint32_t)p));
    assert_true(ws_sweep_point_seed(&sw, 0) != ws_sweep_point_seed(&sw, 1));
    /* Asked in any order, the same point has the same seed. */
    uint64_t s2 = ws_sweep_point_seed(&sw, 2);
    assert_true(ws_sweep_point_seed(&sw, 0) != s2 && ws_sweep_point_seed(&sw, 2) == s2);
    ws_sweep_free(&sw);
}

static void expect_error(const char *doc, const char *field, const char *message)
{
    ws_sweep sw;
    ws_error err = {0};
    assert_int_equal(parse(doc, &sw, &err), WS_EINPUT);
    assert_string_equal(err.field, field);
    if (!strstr(err.message, message))
        fail_msg("message '%s' lacks '%s'", err.message, message);
    assert_non_null(strstr(err.file, "sweep.json"));
    ws_sweep_free(&sw);
}

static void test_bad_sweeps(void **state)
{
    (void)state;
    expect_error("{\"a\": 1}", "sweep", "needs a \"sweep\" object");
    expect_error("{\"a\": 1, \"sweep\": []}", "sweep", "needs a \"sweep\" object");
    expect_error("{\"a\": [1], \"sweep\": {\"a[3]\": [1, 2]}}", "sweep.a[3]", "index out of range");
    expect_error("{\"a\": 1, \"sweep\": {\"a\": []}}", "sweep.a", "non-empty array");
    expect_error("{\"a\": 1, \"sweep\": {\"a\": 5}}", "sweep.a", "non-empty array");
    expect_error("{\"a\": 1, \"sweep\": {\"a.b.c\": [1]}}", "sweep.a.b.c", "no such place");
}

static double mean_of(const cJSON *row, int variant, const char *metric)
{
    const cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(row, "variants"), variant);
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(v, metric), 0)->valuedouble;
}

static cJSON **run_all(const ws_sweep *sw)
{
    cJSON **rows = calloc((size_t)sw->n_points, sizeof *rows);
    ws_sweep_options opt = {0};
    int root = 0;
    ws_error err = {0};
    assert_int_equal(ws_sweep_run_all(sw, &opt, rows, &root, &err), 0);
    assert_true(root);
    return rows;
}

static void free_rows(const ws_sweep *sw, cJSON **rows)
{
    for (long p = 0; p < sw->n_points; p++)
        cJSON_Delete(rows[p]);
    free(rows);
}

static void test_pue_doubles_energy(void **state)
{
    (void)state;
    ws_sweep sw;
    parse_base("\"sites[0].pue\": [1, 2]", "", &sw);
    cJSON **rows = run_all(&sw);
    assert_int_equal(ws_sweep_failed(&sw, rows), 0);
    /* 200 W x 6 h = 1.2 kWh of IT energy, less the first arrival's wait (seconds). */
    double e1 = mean_of(rows[0], 0, "energy_mwh_per_day"), e2 = mean_of(rows[1], 0, "energy_mwh_per_day");
    assert_close(e1, 4 * 1.2e-3, 1e-3);
    assert_close(e2, 2 * e1, 1e-3);
    assert_close(mean_of(rows[1], 0, "co2_t_per_day"), 2 * mean_of(rows[0], 0, "co2_t_per_day"), 1e-3);
    assert_close(mean_of(rows[0], 0, "jobs_per_day"), 4 * 6 * 36 - 4, 0.02);
    free_rows(&sw, rows);
    ws_sweep_free(&sw);
}

static void test_failed_point_reported(void **state)
{
    (void)state;
    ws_sweep sw;
    parse_base("\"sites[0].pue\": [1.25, 0.5], \"sites[0].name\": [\"s\", \"a,b\"]", "", &sw);
    cJSON **rows = run_all(&sw);
    assert_int_equal(ws_sweep_failed(&sw, rows), 2);
    const char *status = cJSON_GetObjectItemCaseSensitive(rows[2], "status")->valuestring;
    if (!strstr(status, "sweep.json: sites[0].pue"))
        fail_msg("status '%s' does not name the file and path", status);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(rows[1], "status")->valuestring, "ok");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(ws_sweep_write_csv(&sw, rows, f), 0);
    fclose(f);
    /* header + 2 ok points x 1 variant + 2 failed points as one line each */
    int lines = 0;
    for (char *c = buf; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 5);
    assert_non_null(strstr(buf, "\n1,1.25,\"a,b\",baseline,"));
    assert_non_null(strstr(buf, "\n2,0.5,s,,,,"));
    free(buf);
    free_rows(&sw, rows);
    ws_sweep_free(&sw);
}

static void test_same_point_same_bytes(void **state)
{
    (void)state;
    ws_sweep sw;
    parse_base("\"workload.classes[0].rate_per_day\": [1000, 100000]", ", \"variants\": [{\"name\": \"v\","
               " \"tweaks\": [{\"class\": \"train\", \"energy_factor\": {\"mean\": 0.8, \"lo\": 0.7, \"hi\": 0.9}}]}]",
               &sw);
    ws_sweep_options opt = {0};
    char *b1 = ws_sweep_run_point(&sw, 1, &opt), *a = ws_sweep_run_point(&sw, 0, &opt);
    char *b2 = ws_sweep_run_point(&sw, 1, &opt);
    assert_string_equal(b1, b2);
    assert_string_not_equal(a, b1);
    cJSON **rows = run_all(&sw);
    char *r1 = cJSON_PrintUnformatted(rows[1]);
    assert_string_equal(r1, b1);
    assert_true(mean_of(rows[1], 1, "saving_pct") > 5);
    free(r1);
    free(a);
    free(b1);
    free(b2);
    free_rows(&sw, rows);
    ws_sweep_free(&sw);
}

static void test_costliest_first(void **state)
{
    (void)state;
    ws_sweep sw;
    parse_base("\"workload.classes[0].rate_per_day\": [1000, 8000, 4000], \"sites[0].pue\": [1, 2]", "", &sw);
    /* 8000 jobs a day x 0.25 days x 2 replicas x (baseline only) */
    assert_close(ws_sweep_point_cost(&sw, 2, 0), 8000 * 0.25 * 2, 1e-12);
    assert_close(ws_sweep_point_cost(&sw, 2, 5), 8000 * 0.25 * 5, 1e-12);
    assert_close(ws_sweep_point_cost(&sw, 0, 0), 1000 * 0.25 * 2, 1e-12);
    long order[6];
    assert_int_equal(ws_sweep_order(&sw, 0, order), 0);
    const long want[6] = {2, 3, 4, 5, 0, 1}; /* 8000 (both PUEs, in point order), 4000, 1000 */
    for (int i = 0; i < 6; i++)
        assert_int_equal(order[i], want[i]);
    ws_sweep_free(&sw);
    /* A sweep that does not change the cost keeps point order. */
    parse_base("\"sites[0].pue\": [1, 2, 3]", "", &sw);
    assert_int_equal(ws_sweep_order(&sw, 0, order), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(order[i], i);
    ws_sweep_free(&sw);
}

typedef struct {
    int progress, final;
    ws_sweep_progress last;
    ws_mpi_times t0;
} seen;

static void record(void *ctx, const ws_sweep_progress *p)
{
    seen *s = ctx;
    if (p->final) {
        s->final++;
        s->last = *p;
        s->t0 = p->times[0];
        s->last.times = NULL;
    } else {
        s->progress++;
    }
}

static void test_report_callback(void **state)
{
    (void)state;
    ws_sweep sw;
    parse_base("\"sites[0].pue\": [1, 2, 3]", "", &sw);
    cJSON **rows = calloc((size_t)sw.n_points, sizeof *rows);
    seen s = {0};
    ws_sweep_options opt = {.report = record, .report_ctx = &s};
    int root = 0;
    ws_error err = {0};
    assert_int_equal(ws_sweep_run_all(&sw, &opt, rows, &root, &err), 0);
    assert_int_equal(s.final, 1);
    assert_int_equal(s.progress, 0); /* under 5 s: no progress lines */
    assert_int_equal(s.last.done, 3);
    assert_int_equal(s.last.points, 3);
    assert_int_equal(s.last.ranks, 1);
    assert_int_equal(s.t0.tasks, 3);
    assert_true(s.t0.compute_s > 0 && s.t0.compute_s <= s.last.elapsed_s + 1e-9);
    assert_true(s.t0.comm_s == 0);
    free_rows(&sw, rows);
    ws_sweep_free(&sw);
}

typedef struct {
    long ran[8], delivered[8];
    int n_ran, n_delivered, refuse_at;
} farm_log;

static void *farm_run(void *ctx, long k, size_t *len)
{
    farm_log *f = ctx;
    f->ran[f->n_ran++] = k;
    long *v = malloc(sizeof *v);
    *v = 100 + k;
    *len = sizeof *v;
    return v;
}

static int farm_deliver(void *ctx, long k, void *buf, size_t len)
{
    farm_log *f = ctx;
    int ok = len == sizeof(long) && *(long *)buf == 100 + k && f->n_delivered != f->refuse_at;
    f->delivered[f->n_delivered++] = k;
    free(buf);
    return ok ? 0 : -1;
}

static void test_farm_order_and_refusal(void **state)
{
    (void)state;
    const long order[4] = {3, 0, 2, 1};
    farm_log f = {.refuse_at = -1};
    ws_mpi_farm farm = {4, order, farm_run, farm_deliver, &f};
    ws_mpi_times t[1];
    assert_int_equal(ws_mpi_farm_run(&farm, t), 0);
    assert_int_equal(f.n_ran, 4);
    assert_int_equal(f.n_delivered, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(f.ran[i], order[i]), assert_int_equal(f.delivered[i], order[i]);
    assert_int_equal(t[0].tasks, 4);
    /* A refused result stops the farm: nothing after it runs. */
    farm_log g = {.refuse_at = 1};
    farm.ctx = &g;
    assert_int_equal(ws_mpi_farm_run(&farm, NULL), -1);
    assert_int_equal(g.n_ran, 2);
}

static void test_point_range(void **state)
{
    (void)state;
    long a = -1, b = -1;
    assert_int_equal(ws_sweep_point_range("3", 5, &a, &b), 0);
    assert_int_equal(a, 3), assert_int_equal(b, 3);
    assert_int_equal(ws_sweep_point_range("1-4", 5, &a, &b), 0);
    assert_int_equal(a, 1), assert_int_equal(b, 4);
    const char *bad[] = {"", "5", "-1", "4-2", "1-", "1-5", "a", "1-2x", " 1", "+1", "1--2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (ws_sweep_point_range(bad[i], 5, &a, &b) == 0)
            fail_msg("'%s' accepted", bad[i]);
}

static void test_parts_round_trip(void **state)
{
    (void)state;
    ws_sweep sw;
    parse_base("\"sites[0].pue\": [1, 1.5, 2]", "", &sw);
    ws_sweep_options opt = {0};
    char *text = ws_sweep_run_point(&sw, 1, &opt);
    const char *dir = ws_test_path("parts");
    char dirbuf[1024];
    snprintf(dirbuf, sizeof dirbuf, "%s", dir);
    assert_int_equal(mkdir(dirbuf, 0777), 0);
    ws_error err = {0};
    assert_int_equal(ws_sweep_part_write(&sw, 0, 1, text, dirbuf, &err), WS_OK);
    /* point 0: corrupt; point 2: made with another seed (stale) */
    char path[1200];
    snprintf(path, sizeof path, "%s/point-0.json", dirbuf);
    FILE *f = fopen(path, "w");
    fputs("{\"wattscale_sweep_part\": 1, \"row\": ", f);
    fclose(f);
    uint64_t seed = sw.seed;
    sw.seed = 8;
    char *other = ws_sweep_run_point(&sw, 2, &opt);
    assert_int_equal(ws_sweep_part_write(&sw, 0, 2, other, dirbuf, &err), WS_OK);
    sw.seed = seed;
    cJSON *rows[3] = {0};
    long missing[3];
    assert_int_equal(ws_sweep_parts_read(&sw, 0, dirbuf, rows, missing), 2);
    assert_int_equal(missing[0], 0);
    assert_int_equal(missing[1], 2);
    assert_null(rows[0]);
    assert_null(rows[2]);
    char *back = cJSON_PrintUnformatted(rows[1]);
    assert_string_equal(back, text);
    /* The same part read as made with 3 replicas is stale too. */
    cJSON_Delete(rows[1]);
    rows[1] = NULL;
    assert_int_equal(ws_sweep_parts_read(&sw, 3, dirbuf, rows, missing), 3);
    free(back);
    free(text);
    free(other);
    ws_sweep_free(&sw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points_row_major),
        cmocka_unit_test(test_point_seeds),
        cmocka_unit_test(test_bad_sweeps),
        cmocka_unit_test(test_pue_doubles_energy),
        cmocka_unit_test(test_failed_point_reported),
        cmocka_unit_test(test_same_point_same_bytes),
        cmocka_unit_test(test_costliest_first),
        cmocka_unit_test(test_report_callback),
        cmocka_unit_test(test_farm_order_and_refusal),
        cmocka_unit_test(test_point_range),
        cmocka_unit_test(test_parts_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
