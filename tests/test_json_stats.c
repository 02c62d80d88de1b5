/* test_json_stats: RFC 7386 merge patches (the RFC's own examples), JSON paths, and the 95% t
 * interval against values from a t table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_json.h"
#include "ws_stats.h"
#include "ws_testutil.h"

static void check_merge(const char *target, const char *patch, const char *expected)
{
    cJSON *t = cJSON_Parse(target), *p = cJSON_Parse(patch), *e = cJSON_Parse(expected);
    cJSON *m = ws_json_merge_patch(t, p);
    if (!cJSON_Compare(m, e, 1)) {
        char *got = cJSON_PrintUnformatted(m);
        fail_msg("merge %s + %s = %s, expected %s", target, patch, got, expected);
    }
    cJSON_Delete(t);
    cJSON_Delete(p);
    cJSON_Delete(e);
    cJSON_Delete(m);
}

/* RFC 7386 section 3, example test cases. */
static void test_merge_patch_rfc(void **state)
{
    (void)state;
    check_merge("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
    check_merge("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}");
    check_merge("{\"a\":\"b\"}", "{\"a\":null}", "{}");
    check_merge("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}");
    check_merge("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
    check_merge("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}");
    check_merge("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}");
    check_merge("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}");
    check_merge("[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]");
    check_merge("{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]");
    check_merge("{\"a\":\"foo\"}", "null", "null");
    check_merge("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}");
    check_merge("[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}");
    check_merge("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}");
}

static void test_paths(void **state)
{
    (void)state;
    cJSON *root = cJSON_Parse("{\"sites\":[{\"pue\":1.4},{\"pue\":1.2}],\"workload\":{\"classes\":[{\"rate_per_day\":5}]}}");
    cJSON *v = cJSON_CreateNumber(1e6);
    ws_error err;
    assert_int_equal(ws_json_set_path(root, "workload.classes[0].rate_per_day", v, &err), 0);
    assert_true(ws_json_get_path(root, "workload.classes[0].rate_per_day")->valuedouble == 1e6);
    assert_int_equal(ws_json_set_path(root, "sites[1].pue", v, &err), 0);
    assert_true(ws_json_get_path(root, "sites[1].pue")->valuedouble == 1e6);
    assert_true(ws_json_get_path(root, "sites[0].pue")->valuedouble == 1.4);
    assert_int_equal(ws_json_set_path(root, "sites[0].new_member", v, &err), 0);
    assert_int_equal(ws_json_set_path(root, "sites[5].pue", v, &err), -1);
    assert_string_equal(err.field, "sites[5].pue");
    assert_int_equal(ws_json_set_path(root, "nosuch.deeper.x", v, &err), -1);
    assert_int_equal(ws_json_set_path(root, "sites[x]", v, &err), -1);
    assert_null(ws_json_get_path(root, "sites[2]"));
    cJSON_Delete(v);
    cJSON_Delete(root);
}

static void test_mean_ci(void **state)
{
    (void)state;
    /* n = 5, mean 3, sd sqrt(2.5); t(0.975, 4) = 2.776445 -> half width 1.963243. */
    double x[] = {1, 2, 3, 4, 5};
    ws_interval r = ws_stats_mean_ci(x, 5);
    assert_true(r.mean == 3.0);
    assert_true(fabs(r.hi - 3.0 - 2.776445 * sqrt(2.5) / sqrt(5.0)) < 1e-6);
    assert_true(fabs(r.hi - 4.963243) < 1e-5 && fabs(r.lo - 1.036757) < 1e-5);
    double same[] = {0.7, 0.7, 0.7};
    r = ws_stats_mean_ci(same, 3);
    assert_true(r.lo == r.hi && r.hi == 0.7 && r.sd == 0);
    r = ws_stats_mean_ci(x, 1);
    assert_true(r.lo == 1 && r.hi == 1);
    r = ws_stats_mean_ci(x, 0);
    assert_true(isnan(r.mean));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_merge_patch_rfc), cmocka_unit_test(test_paths),
                                       cmocka_unit_test(test_mean_ci)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
