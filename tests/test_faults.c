/* test_faults: allocation failures, in the manner of SQLite's fault simulation. malloc, calloc and
 * realloc are wrapped (-Wl,--wrap); for every k the k-th allocation made by the code under test fails.
 * Each run must end in a clean error or in the right answer (the one of a run without failures), never
 * in a crash (ASan), a leak (LSan, in the sanitizer builds) or a wrong number. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_sim.h"
#include "ws_testutil.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static long armed_count, fail_at; /* 0: disarmed */

static int should_fail(void)
{
    return fail_at > 0 && ++armed_count == fail_at;
}
void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return should_fail() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }

/* Fail the k-th allocation from now; arm(0) stops failing (armed_count keeps how many were made). */
static void arm(long k)
{
    if (k)
        armed_count = 0;
    fail_at = k;
}

/* Ingest a two-GPU nvidia-smi log and a wattscale CSV with every allocation failing in turn. */
static void test_ingest_faults(void **state)
{
    (void)state;
    const char *nv = ws_test_write("f_nv.csv", "timestamp, index, power.draw [W]\n2026/01/01 00:00:00.000, 0, 100 W\n"
                                               "2026/01/01 00:00:00.000, 1, 50 W\n2026/01/01 00:00:02.000, 0, 300 W\n"
                                               "2026/01/01 00:00:02.000, 1, 50 W\n");
    const char *pl = ws_test_write("f_pl.csv", "t_s,gpu_index,power_w\n0,0,100\n0,1,50\n1,0,200\n1,1,50\n");
    const struct {
        ws_ingest_fn parse;
        const char *path;
        double e0, e1;
    } cases[] = {{ws_ingest_nvsmi, nv, 400, 100}, {ws_ingest_plain_csv, pl, 150, 50}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        int ok = 0, failed = 0;
        for (long k = 1; k < 400; k++) {
            ws_ingest_opts o = ws_test_opts(cases[c].path);
            ws_mem_sink m;
            ws_error err;
            char tool[64];
            arm(k);
            int rc = ws_test_parse(cases[c].parse, &o, &m, tool, &err);
            arm(0);
            if (rc == WS_OK) {
                assert_int_equal(m.n_profiles, 2);
                assert_true(fabs(m.profiles[0].energy_j - cases[c].e0) < 1e-9);
                assert_true(fabs(m.profiles[1].energy_j - cases[c].e1) < 1e-9);
                ok++;
            } else {
                assert_true(rc == WS_EFAIL || rc == WS_EINPUT);
                failed++;
            }
            ws_mem_sink_free(&m);
            if (armed_count < k) /* fewer allocations than k: every failure point was tried */
                break;
        }
        assert_true(ok > 0 && failed > 0);
    }
}

/* A small EASY simulation: every allocation failing in turn gives -2 (out of memory) or the same totals. */
static void test_sim_faults(void **state)
{
    (void)state;
    ws_test_write("f_tr.csv", "job_id,submit_s,runtime_s,cores\n1,0,100,2\n2,0,1000,4\n3,1,50,4\n4,2,500,2\n5,3,90,2\n");
    ws_scenario sc;
    ws_test_load_scenario("f_sc.json",
                          "{\"sites\":[{\"name\":\"M\",\"carbon_g_per_kwh\":100,\"nodes\":[{\"type\":\"c\",\"count\":2,"
                          "\"cores\":4,\"power\":{\"model\":\"linear\",\"idle_w\":10,\"max_w\":100}}]}],"
                          "\"workload\":{\"trace\":\"f_tr.csv\"},\"policy\":{\"queue\":\"easy-backfill\"},"
                          "\"horizon\":{\"start\":\"2020-01-01T00:00:00Z\",\"days\":1,\"until\":\"makespan\"}}",
                          &sc);
    ws_sim_result ref;
    ws_error err;
    assert_int_equal(ws_sim_run(&sc, NULL, &ref, &err), 0);
    int ok = 0, failed = 0;
    for (long k = 1; k < 2000; k++) {
        ws_sim_result r;
        arm(k);
        int rc = ws_sim_run(&sc, NULL, &r, &err);
        arm(0);
        if (rc == 0) {
            assert_true(r.total.it_energy_j == ref.total.it_energy_j && r.makespan_s == ref.makespan_s);
            ok++;
        } else { /* out of memory (-2), or reading the trace failed for want of memory (-1): a message */
            assert_true(rc == -2 || rc == -1);
            assert_true(err.message[0] != '\0');
            failed++;
        }
        ws_sim_result_free(&r);
        if (armed_count < k)
            break;
    }
    assert_true(ok > 0 && failed > 0);
    ws_sim_result_free(&ref);
    ws_scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_ingest_faults), cmocka_unit_test(test_sim_faults)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
