/* test_sim: the simulator against answers worked out by hand: energy of one node running two jobs,
 * strict FIFO against EASY backfilling, carbon intensity and PUE stepping mid-job, idle power over
 * a fixed horizon, GPU node power, multi-node jobs, SWF records with missing fields, streaming wait
 * quantiles, the Poisson generator, and determinism. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_sim.h"
#include "ws_testutil.h"
#include "ws_trace.h"

#define LINEAR_NODE(count, cores) \
    "{\"type\":\"cpu\",\"count\":" #count ",\"cores\":" #cores ",\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":300}}"

/* One node of 4 cores, linear 100 W idle .. 300 W at 4 busy cores. Job 1 (2 cores, 0..100 s) draws
 * 200 W; job 2 (4 cores) arrives at 50, waits for job 1, runs 100..200 s at 300 W.
 * IT = 200*100 + 300*100 = 50 000 J; facility x1.5 = 75 000 J; CO2 at 100 g/kWh = 75000/3.6e6*100 g. */
static void test_one_node_two_jobs(void **state)
{
    (void)state;
    ws_test_write("two.csv", "job_id,submit_s,runtime_s,cores\n1,0,100,2\n2,50,100,4\n");
    ws_sim_result r;
    ws_sim_capture cap;
    ws_test_run_json("two.json",
             "{\"sites\":[{\"name\":\"A\",\"pue\":1.5,\"carbon_g_per_kwh\":100,\"price_per_kwh\":0.2,\"nodes\":[" LINEAR_NODE(1, 4)
             "]}],\"workload\":{\"trace\":\"two.csv\"},\"horizon\":\"makespan\"}",
             &r, &cap);
    assert_int_equal(r.total.jobs_completed, 2);
    assert_true(r.makespan_s == 200);
    assert_true(r.end_s == 200);
    assert_close(r.total.it_energy_j, 50000, 1e-12);
    assert_close(r.total.facility_energy_j, 75000, 1e-12);
    assert_close(r.total.co2_g, 75000 / 3.6e6 * 100, 1e-12);
    assert_close(r.total.cost, 75000 / 3.6e6 * 0.2, 1e-12);
    assert_close(ws_wait_mean_s(&r.total.wait), 25, 1e-12);
    assert_true(ws_test_find_job(&cap, 2)->start_s == 100);
    /* utilisation: (2*100 + 4*100) core-s / (4 cores * 200 s) */
    assert_close(r.total.busy_core_s / r.total.core_s, 0.75, 1e-12);
    ws_sim_result_free(&r);
}

static const char *FOUR_JOBS = "job_id,submit_s,runtime_s,cores\n1,0,100,2\n2,1,50,4\n3,2,50,2\n4,3,200,2\n";

static void run_four(const char *queue, ws_sim_capture *cap, ws_sim_result *r)
{
    char json[1024];
    ws_test_write("four.csv", FOUR_JOBS);
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" LINEAR_NODE(1, 4)
             "]}],\"workload\":{\"trace\":\"four.csv\"},\"policy\":{\"queue\":\"%s\"},\"horizon\":\"makespan\"}",
             queue);
    ws_test_run_json("four.json", json, r, cap);
}

/* 4 cores. J1 2c 0..100. J2 (4c, 50 s) blocks at the head until 100. J3 (2c, 50 s, at 2): FIFO keeps
 * it behind J2 (start 150); EASY backfills it at 2 because it ends (52) before J2's shadow time (100).
 * J4 (2c, 200 s, at 3) would delay J2 under both, so it starts at 150 with J3 under FIFO, and at 150
 * under EASY. */
static void test_fifo_vs_backfill(void **state)
{
    (void)state;
    ws_sim_capture cap;
    ws_sim_result r;
    run_four("fifo", &cap, &r);
    assert_true(ws_test_find_job(&cap, 1)->start_s == 0);
    assert_true(ws_test_find_job(&cap, 2)->start_s == 100);
    assert_true(ws_test_find_job(&cap, 3)->start_s == 150);
    assert_true(ws_test_find_job(&cap, 4)->start_s == 150);
    assert_true(r.makespan_s == 350);
    ws_sim_result_free(&r);

    run_four("easy-backfill", &cap, &r);
    assert_true(ws_test_find_job(&cap, 1)->start_s == 0);
    assert_true(ws_test_find_job(&cap, 2)->start_s == 100);
    assert_true(ws_test_find_job(&cap, 3)->start_s == 2);
    assert_true(ws_test_find_job(&cap, 4)->start_s == 150);
    assert_true(r.makespan_s == 350);
    /* power: 0..2 200 W, 2..52 300 W, 52..100 200 W, 100..150 300 W, 150..350 200 W */
    assert_close(r.total.it_energy_j, 200 * 2 + 300 * 50 + 200 * 48 + 300 * 50 + 200 * 200, 1e-12);
    ws_sim_result_free(&r);

    /* SJF: when J1 ends at 100, the queue holds J2 (50 s), J3 (50 s), J4 (200 s): shortest first,
     * J2 before J3 by arrival; J2 takes all 4 cores. */
    run_four("sjf", &cap, &r);
    assert_true(ws_test_find_job(&cap, 2)->start_s == 100);
    assert_true(ws_test_find_job(&cap, 3)->start_s == 150);
    ws_sim_result_free(&r);
}

/* 1 core at 100 W busy (idle 0), 2 h job from 00:00; carbon 100 g/kWh, then 300 from 01:00:
 * 0.1 kWh x 100 + 0.1 kWh x 300 = 40 g. PUE per hour of day: 1 at 00h, 2 at 01h. */
static void test_carbon_and_pue_steps(void **state)
{
    (void)state;
    ws_test_write("ci.csv", "Time,Carbon Intensity\n2020-01-01 00:00:00,100\n2020-01-01 01:00:00,300\n");
    ws_test_write("one.csv", "job_id,submit_s,runtime_s,cores\n1,0,7200,1\n");
    char pue[256] = "[1,2";
    for (int h = 2; h < 24; h++)
        strcat(pue, ",1");
    strcat(pue, "]");
    char json[1024];
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_csv\":\"ci.csv\",\"pue\":{\"hourly\":%s},\"nodes\":[{\"type\":\"c\","
             "\"count\":1,\"cores\":1,\"power\":{\"model\":\"linear\",\"idle_w\":0,\"max_w\":100}}]}],"
             "\"workload\":{\"trace\":\"one.csv\"},\"horizon\":{\"start\":\"2020-01-01T00:00:00Z\",\"until\":\"makespan\"}}",
             pue);
    ws_sim_result r;
    ws_sim_capture cap;
    ws_test_run_json("ci.json", json, &r, &cap);
    assert_close(r.total.it_energy_j, 720000, 1e-12);
    assert_close(r.total.facility_energy_j, 360000 * 1 + 360000 * 2, 1e-12);
    assert_close(r.total.co2_g, 0.1 * 1 * 100 + 0.1 * 2 * 300, 1e-12);
    assert_int_equal(cap.n_hours, 2);
    assert_close(cap.hours[0].mean_carbon_g_per_kwh, 100, 1e-12);
    assert_close(cap.hours[1].mean_carbon_g_per_kwh, 300, 1e-12);
    assert_close(cap.hours[1].mean_facility_power_w, 200, 1e-12);
    assert_close(cap.hours[1].co2_kg_per_h, 0.2 * 300 / 1000, 1e-12);
    ws_sim_result_free(&r);
}

/* Three idle nodes for one day, one 1-core job of 3600 s on a 4-core node: idle 3 x 100 W x 86400 s
 * + 50 W x 3600 s. The horizon ends at 1 day even though the last job ended long before. */
static void test_idle_over_horizon(void **state)
{
    (void)state;
    ws_test_write("idle.csv", "job_id,submit_s,runtime_s,cores\n7,0,3600,1\n");
    ws_sim_result r;
    ws_test_run_json("idle.json",
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":50,\"nodes\":[" LINEAR_NODE(3, 4)
             "]}],\"workload\":{\"trace\":\"idle.csv\"},\"horizon\":{\"start\":\"2020-03-01T00:00:00Z\",\"days\":1}}",
             &r, NULL);
    assert_true(r.end_s == 86400);
    assert_true(r.makespan_s == 3600);
    assert_close(r.total.it_energy_j, 3 * 100.0 * 86400 + 50.0 * 3600, 1e-12);
    ws_sim_result_free(&r);
}

/* A job still running at the horizon end is cut there: unfinished, its energy counted up to the end. */
static void test_horizon_cuts_job(void **state)
{
    (void)state;
    ws_test_write("cut.csv", "job_id,submit_s,runtime_s,cores\n1,0,200000,4\n");
    ws_sim_result r;
    ws_test_run_json("cut.json",
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" LINEAR_NODE(1, 4)
             "]}],\"workload\":{\"trace\":\"cut.csv\"},\"horizon\":{\"days\":1}}",
             &r, NULL);
    assert_int_equal(r.total.jobs_completed, 0);
    assert_int_equal(r.jobs_unfinished, 1);
    assert_close(r.total.it_energy_j, 300.0 * 86400, 1e-12);
    ws_sim_result_free(&r);
}

/* GPU node: 4 GPUs, per-GPU piecewise model 120 W at 0, 700 W at 1; host linear 200..400 W over 64
 * cores. One job: 2 GPUs at utilisation 0.5, 16 cores, 1000 s. Power while running:
 * 2 x 410 + 2 x 120 + (200 + 200 x 8/64) = 1085 W (host load = 16 cores x 0.5). Idle: 4 x 120 + 200. */
static void test_gpu_node_power(void **state)
{
    (void)state;
    ws_test_write("g.csv", "job_id,submit_s,runtime_s,cores,gpus\n1,0,1000,16,2\n");
    ws_sim_result r;
    ws_test_run_json("gpu.json",
             "{\"sites\":[{\"name\":\"G\",\"carbon_g_per_kwh\":0,\"nodes\":[{\"type\":\"h100\",\"count\":1,\"cores\":64,"
             "\"gpus\":4,\"power\":{\"model\":\"piecewise\",\"points\":[[0,120],[1,700]]},"
             "\"host_power\":{\"model\":\"linear\",\"idle_w\":200,\"max_w\":400}}]}],"
             "\"workload\":{\"classes\":[{\"name\":\"train\",\"cores\":16,\"gpus\":2,"
             "\"utilisation\":0.5}],\"trace\":\"g.csv\","
             "\"trace_class\":\"train\"},\"horizon\":{\"days\":1}}",
             &r, NULL);
    /* the trace drives it: one job at t = 0 */
    double busy = 2 * 410.0 + 2 * 120.0 + 200 + 200 * 8.0 / 64, idle = 4 * 120.0 + 200;
    assert_close(r.total.it_energy_j, busy * 1000 + idle * (86400 - 1000), 1e-12);
    assert_close(r.total.busy_gpu_s, 2000, 1e-12);
    ws_sim_result_free(&r);
}

/* A job of 6 cores on nodes of 4 takes 2 whole nodes; load 4 + 2 cores. */
static void test_multi_node(void **state)
{
    (void)state;
    ws_test_write("mn.csv", "job_id,submit_s,runtime_s,cores\n1,0,100,6\n2,0,100,1\n");
    ws_sim_result r;
    ws_sim_capture cap;
    ws_test_run_json("mn.json",
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" LINEAR_NODE(3, 4)
             "]}],\"workload\":{\"trace\":\"mn.csv\"},\"horizon\":\"makespan\"}",
             &r, &cap);
    assert_int_equal(ws_test_find_job(&cap, 1)->nodes, 2);
    assert_int_equal(ws_test_find_job(&cap, 2)->node, 2);
    /* 0..100: nodes 300 + 200 + 150 */
    assert_close(r.total.it_energy_j, (300 + 200 + 150) * 100.0, 1e-12);
    ws_sim_result_free(&r);
}

/* SWF with -1 fields: job 2 has no runtime (skipped), job 3 no allocated processors (requested 4
 * used), job 4 no submit time (skipped), job 5 no requested processors but 1 allocated. */
static void test_swf_missing_fields(void **state)
{
    (void)state;
    ws_trace t;
    ws_error err;
    ws_trace_job j;
    assert_int_equal(ws_trace_open(&t, WS_TEST_FIXTURES "/missing_fields.swf", &err), 0);
    assert_int_equal(ws_trace_next(&t, &j, &err), 1);
    assert_true(j.id == 1 && j.cores == 2 && j.runtime_s == 100);
    assert_int_equal(ws_trace_next(&t, &j, &err), 1);
    assert_true(j.id == 3 && j.cores == 4 && j.runtime_s == 50 && j.submit_s == 20);
    assert_int_equal(ws_trace_next(&t, &j, &err), 1);
    assert_true(j.id == 5 && j.cores == 1 && j.runtime_s == 10.5);
    assert_int_equal(ws_trace_next(&t, &j, &err), 0);
    assert_int_equal(t.n_skipped, 2);
    assert_true(t.unix_start_s == 1577836800);
    ws_trace_close(&t);

    const char *bad = ws_test_write("bad.swf", "1 0 0 100 2 -1 -1 2\n2 5 0 x 2 -1 -1 2\n");
    assert_int_equal(ws_trace_open(&t, bad, &err), 0);
    assert_int_equal(ws_trace_next(&t, &j, &err), 1);
    assert_int_equal(ws_trace_next(&t, &j, &err), -1);
    assert_int_equal(err.line, 2);
    ws_trace_close(&t);
    const char *back = ws_test_write("back.csv", "job_id,submit_s,runtime_s,cores\n1,10,1,1\n2,5,1,1\n");
    assert_int_equal(ws_trace_open(&t, back, &err), 0);
    assert_int_equal(ws_trace_next(&t, &j, &err), 1);
    assert_int_equal(ws_trace_next(&t, &j, &err), -1);
    assert_non_null(strstr(err.message, "before the previous"));
    ws_trace_close(&t);
}

/* Exact quantiles while small; beyond WS_WAIT_EXACT the histogram is within 0.4 %. */
static void test_wait_quantiles(void **state)
{
    (void)state;
    ws_wait_stats w;
    int exact;
    assert_int_equal(ws_wait_init(&w), 0);
    for (int i = 1; i <= 100; i++)
        ws_wait_add(&w, i);
    assert_true(ws_wait_quantile_s(&w, 0.95, &exact) == 95);
    assert_true(exact);
    for (int i = 101; i <= 100000; i++)
        ws_wait_add(&w, i);
    double p = ws_wait_quantile_s(&w, 0.95, &exact);
    assert_false(exact);
    assert_true(fabs(p - 95000) <= 0.004 * 95000);
    assert_close(ws_wait_mean_s(&w), 50000.5, 1e-12);
    ws_wait_free(&w);
    /* mostly zeros: p95 is exactly 0 even from the histogram */
    assert_int_equal(ws_wait_init(&w), 0);
    for (int i = 0; i < 10000; i++)
        ws_wait_add(&w, i < 9700 ? 0 : 1000);
    assert_true(ws_wait_quantile_s(&w, 0.95, &exact) == 0);
    ws_wait_free(&w);
}

static const char *POISSON =
    "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" LINEAR_NODE(100, 4) "]}],"
    "\"workload\":{\"classes\":[{\"name\":\"a\",\"rate_per_day\":2400,\"cores\":1,"
    "\"profile\":[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0],"
    "\"runtime\":{\"dist\":\"lognormal\",\"median_s\":60,\"sigma\":0.5}}]},"
    "\"horizon\":{\"start\":\"2020-01-01T00:00:00Z\",\"days\":10},\"seed\":%d}";

/* Poisson arrivals: 24 000 expected in 10 days (within 5 sigma = 775), none outside 06..18 UTC. */
static void test_poisson_profile(void **state)
{
    (void)state;
    char json[1024];
    snprintf(json, sizeof json, POISSON, 3);
    ws_sim_result r;
    ws_sim_capture cap;
    ws_test_run_json("poisson.json", json, &r, &cap);
    assert_true(fabs((double)r.jobs_arrived - 24000) < 775);
    assert_true(r.synthetic);
    for (int i = 0; i < cap.n; i++) {
        double hod = fmod(cap.rec[i].submit_s, 86400) / 3600;
        assert_true(hod >= 6 && hod < 18);
    }
    int64_t n1 = r.jobs_arrived;
    double e1 = r.total.it_energy_j;
    ws_sim_result_free(&r);
    ws_test_run_json("poisson.json", json, &r, NULL);
    assert_int_equal(r.jobs_arrived, n1); /* same seed: the same run */
    assert_true(r.total.it_energy_j == e1);
    ws_sim_result_free(&r);
    snprintf(json, sizeof json, POISSON, 4);
    ws_test_run_json("poisson4.json", json, &r, NULL);
    assert_true(r.jobs_arrived != n1 || r.total.it_energy_j != e1);
    ws_sim_result_free(&r);
}

/* Dispatch: round-robin alternates sites; least-loaded sends to the emptier site. */
static void test_dispatch(void **state)
{
    (void)state;
    ws_test_write("rr.csv", "job_id,submit_s,runtime_s,cores\n1,0,100,4\n2,0,100,1\n3,0,100,1\n");
    ws_sim_result r;
    ws_sim_capture cap;
    const char *two_sites = "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" LINEAR_NODE(1, 4)
                            "]},{\"name\":\"B\",\"carbon_g_per_kwh\":0,\"nodes\":[" LINEAR_NODE(1, 4)
                            "]}],\"workload\":{\"trace\":\"rr.csv\"},\"policy\":{\"dispatch\":\"%s\"},\"horizon\":\"makespan\"}";
    char json[1024];
    snprintf(json, sizeof json, two_sites, "round-robin");
    ws_test_run_json("rr.json", json, &r, &cap);
    assert_int_equal(ws_test_find_job(&cap, 1)->site, 0);
    assert_int_equal(ws_test_find_job(&cap, 2)->site, 1);
    assert_int_equal(ws_test_find_job(&cap, 3)->site, 0);
    assert_true(ws_test_find_job(&cap, 3)->start_s == 100);
    ws_sim_result_free(&r);
    snprintf(json, sizeof json, two_sites, "least-loaded");
    ws_test_run_json("ll.json", json, &r, &cap);
    assert_int_equal(ws_test_find_job(&cap, 2)->site, 1);
    assert_int_equal(ws_test_find_job(&cap, 3)->site, 1);
    assert_true(ws_test_find_job(&cap, 3)->start_s == 0);
    ws_sim_result_free(&r);
}

/* Placement within a group: first-fit fills node 0; spread picks the emptiest; best-fit the fullest
 * node with room. */
static void test_placement(void **state)
{
    (void)state;
    ws_test_write("pl.csv", "job_id,submit_s,runtime_s,cores\n1,0,100,3\n2,0,100,1\n3,0,100,1\n");
    const char *fmt = "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" LINEAR_NODE(3, 4)
                      "]}],\"workload\":{\"trace\":\"pl.csv\"},\"policy\":{\"placement\":\"%s\"},\"horizon\":\"makespan\"}";
    char json[1024];
    ws_sim_capture cap;
    ws_sim_result r;
    snprintf(json, sizeof json, fmt, "first-fit");
    ws_test_run_json("ff.json", json, &r, &cap);
    assert_int_equal(ws_test_find_job(&cap, 2)->node, 0);
    assert_int_equal(ws_test_find_job(&cap, 3)->node, 1);
    ws_sim_result_free(&r);
    snprintf(json, sizeof json, fmt, "spread");
    ws_test_run_json("sp.json", json, &r, &cap);
    assert_int_equal(ws_test_find_job(&cap, 1)->node, 0);
    assert_int_equal(ws_test_find_job(&cap, 2)->node, 1);
    assert_int_equal(ws_test_find_job(&cap, 3)->node, 2);
    ws_sim_result_free(&r);
    snprintf(json, sizeof json, fmt, "best-fit");
    ws_test_run_json("bf.json", json, &r, &cap);
    assert_int_equal(ws_test_find_job(&cap, 2)->node, 0);
    assert_int_equal(ws_test_find_job(&cap, 3)->node, 1);
    ws_sim_result_free(&r);
}

/* Submission overhead delays eligibility; waits count from the submit time. */
static void test_overhead_and_deadline(void **state)
{
    (void)state;
    ws_test_write("oh.csv", "job_id,submit_s,runtime_s,cores,gpus,class\n1,0,100,1,0,short\n2,0,100,4,0,short\n");
    ws_sim_result r;
    ws_sim_capture cap;
    ws_test_run_json("oh.json",
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" LINEAR_NODE(1, 4)
             "]}],\"workload\":{\"trace\":\"oh.csv\",\"classes\":[{\"name\":\"short\",\"deadline_s\":150,"
             "\"utilisation\":0.5}]},\"policy\":{\"submit_overhead_s\":10},\"horizon\":\"makespan\"}",
             &r, &cap);
    assert_true(ws_test_find_job(&cap, 1)->start_s == 10);
    assert_true(ws_test_find_job(&cap, 2)->start_s == 110);
    assert_true(ws_test_find_job(&cap, 2)->wait_s == 110);
    assert_int_equal(r.total.deadline_missed, 1);
    /* utilisation 0.5: job 1 loads 0.5 core: 100 + 200 x 0.5/4 = 125 W over 10..110; job 2 loads 2 */
    assert_close(r.total.it_energy_j, 100.0 * 10 + 125.0 * 100 + 200.0 * 100, 1e-12);
    ws_sim_result_free(&r);
}

/* power_factor on a node type scales what the job's node draws: 4 busy cores at factor 0.5 draw
 * 300 x 0.5 = 150 W instead of 300 W (a measured energy ratio covers the whole device, idle part
 * included). E = 100 W over the day + busy time x (150 - 100) W. */
static void test_power_factor(void **state)
{
    (void)state;
    ws_sim_result r;
    ws_test_run_json("pf.json",
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" LINEAR_NODE(1, 4)
             "]}],\"workload\":{\"classes\":[{\"name\":\"a\",\"rate_per_day\":20,\"cores\":4,"
             "\"runtime_by_type\":{\"cpu\":{\"dist\":\"fixed\",\"value_s\":600,\"power_factor\":0.5}}}]},"
             "\"horizon\":{\"days\":1}}",
             &r, NULL);
    assert_true(r.total.busy_core_s > 0);
    assert_close(r.total.it_energy_j, 100.0 * 86400 + r.total.busy_core_s / 4 * 50.0, 1e-12);
    ws_sim_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_node_two_jobs), cmocka_unit_test(test_fifo_vs_backfill),
        cmocka_unit_test(test_carbon_and_pue_steps), cmocka_unit_test(test_idle_over_horizon),
        cmocka_unit_test(test_horizon_cuts_job), cmocka_unit_test(test_gpu_node_power),
        cmocka_unit_test(test_multi_node), cmocka_unit_test(test_swf_missing_fields),
        cmocka_unit_test(test_wait_quantiles), cmocka_unit_test(test_poisson_profile),
        cmocka_unit_test(test_dispatch), cmocka_unit_test(test_placement),
        cmocka_unit_test(test_overhead_and_deadline), cmocka_unit_test(test_power_factor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
