/* HTCondor multi-core pilots (policy.submission.pilot): hand-worked runs on one node (trace jobs,
 * utilisation 1, linear power idle 100 W, max 300 W, so P = 100 + 200 x busy cores / node cores;
 * negotiation every 60 s; times in s). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_testutil.h"

static void run_pilots(int node_cores, const char *queue, const char *pilot, const char *csv, ws_sim_result *r,
                       ws_sim_capture *cap)
{
    char json[1024];
    ws_test_write("pil.csv", csv);
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[{\"type\":\"cpu\",\"count\":1,\"cores\":%d,"
             "\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":300}}]}],\"workload\":{\"trace\":\"pil.csv\"},"
             "\"policy\":{\"queue\":\"%s\",\"submission\":{\"system\":\"htcondor\",\"negotiation_interval_s\":60,"
             "\"pilot\":%s}},\"horizon\":\"makespan\"}",
             node_cores, queue, pilot);
    ws_test_run_json("pil.json", json, r, cap);
}

/* 8-core node, pilots of 4 cores living 1000 s. Five 1-core payloads of 300 s at 0 and a job J6 of
 * 8 cores (bigger than a pilot: it bypasses pilots) 50 s at 10. The cycle at 0 finds 5 payload cores
 * and no pilot: ceil(5/4) = 2 pilots start at 0 and hold the node; payloads 1-4 go into the first,
 * 5 into the second, all 0..300 (wait 0). J6 waits for the whole node: with idle_timeout 1200 (after
 * the lifetime) the pilots leave at their expiry 1000, J6 starts at the next cycle, 1020..1070.
 * Energy: 0..300 five busy cores, 225 W; 300..1020 the node is held but idle, 100 W (idle pilot cores
 * add no load); 1020..1070 300 W: 67500 + 72000 + 15000 = 154500 J. Pilot core-s: 2 x 4 x 1000 = 8000
 * against 5 x 300 = 1500 used. With idle_timeout 100 the pilots leave at 400, J6 runs 420..470:
 * 67500 + 100 x 120 + 15000 = 94500 J, pilot core-s 2 x 4 x 400 = 3200. */
static void packing_and_idle_timeout(void **state)
{
    (void)state;
    const char *csv = "job_id,submit_s,runtime_s,cores\n1,0,300,1\n2,0,300,1\n3,0,300,1\n4,0,300,1\n5,0,300,1\n"
                      "6,10,50,8\n";
    static const char *const queues[] = {"fifo", "easy-backfill", "sjf"};
    for (int q = 0; q < 3; q++) {
        ws_sim_result r;
        ws_sim_capture cap;
        run_pilots(8, queues[q], "{\"cores\":4,\"lifetime_s\":1000,\"idle_timeout_s\":1200}", csv, &r, &cap);
        for (int id = 1; id <= 5; id++) {
            const ws_sim_job_record *p = ws_test_find_job(&cap, id);
            assert_true(p->start_s == 0 && p->end_s == 300 && p->wait_s == 0 && p->node == 0 && p->cores == 1);
        }
        const ws_sim_job_record *j6 = ws_test_find_job(&cap, 6);
        assert_true(j6->start_s == 1020 && j6->end_s == 1070 && j6->wait_s == 1010);
        assert_int_equal(cap.n, 6);
        assert_int_equal(r.pilots_started, 2);
        assert_close(r.total.it_energy_j, 154500, 1e-12);
        assert_close(r.pilot_core_s, 8000, 1e-12);
        assert_close(r.payload_core_s, 1500, 1e-12);
        assert_int_equal(r.total.jobs_completed, 6);
        assert_int_equal(r.jobs_unfinished, 0);
        ws_sim_result_free(&r);

        run_pilots(8, queues[q], "{\"cores\":4,\"lifetime_s\":1000,\"idle_timeout_s\":100}", csv, &r, &cap);
        j6 = ws_test_find_job(&cap, 6);
        assert_true(j6->start_s == 420 && j6->end_s == 470);
        assert_close(r.total.it_energy_j, 94500, 1e-12);
        assert_close(r.pilot_core_s, 3200, 1e-12);
        assert_close(r.payload_core_s, 1500, 1e-12);
        ws_sim_result_free(&r);
    }
}

/* Draining: 4-core node, one pilot of 4 cores living 1000 s, idle timeout 100 s. P1 1c 900 s at 0 runs
 * in pilot A (0..900, expiry 1000). P2 1c 200 s arrives at 850; at the cycle at 900 A has 4 free cores
 * but 900 + 200 > 1000: P2 waits, and no new pilot fits (A holds the node). A, idle since 900, leaves
 * at its expiry 1000; the cycle at 1020 starts pilot B and P2 in it: 1020..1220, wait 170. Energy:
 * 0..900 one busy core 150 W, 900..1020 100 W, 1020..1220 150 W: 135000 + 12000 + 30000 = 177000 J. */
static void draining(void **state)
{
    (void)state;
    ws_sim_result r;
    ws_sim_capture cap;
    run_pilots(4, "fifo", "{\"cores\":4,\"lifetime_s\":1000,\"idle_timeout_s\":100}",
               "job_id,submit_s,runtime_s,cores\n1,0,900,1\n2,850,200,1\n", &r, &cap);
    assert_true(ws_test_find_job(&cap, 1)->start_s == 0 && ws_test_find_job(&cap, 1)->end_s == 900);
    const ws_sim_job_record *p2 = ws_test_find_job(&cap, 2);
    assert_true(p2->start_s == 1020 && p2->end_s == 1220 && p2->wait_s == 170);
    assert_int_equal(r.pilots_started, 2);
    assert_close(r.total.it_energy_j, 177000, 1e-12);
    assert_close(r.pilot_core_s, 4 * 1000 + 4 * 200, 1e-12);
    assert_close(r.payload_core_s, 1100, 1e-12);
    ws_sim_result_free(&r);
}

/* Idle timeout against reuse: 4-core node, pilots of 4 cores living 10000 s. P1 1c 100 s at 0 (pilot
 * A from 0), P2 1c 50 s at 250 (cycle at 300). Idle timeout 100: A leaves at 200, pilot B starts at
 * 300 and runs P2 300..350 (2 pilots; held 4 x 200 + 4 x 50 = 1000 core-s). Idle timeout 1000: A is
 * still there at 300 and runs P2 (1 pilot; held 4 x 350 = 1400 core-s). */
static void idle_timeout_reuse(void **state)
{
    (void)state;
    const char *csv = "job_id,submit_s,runtime_s,cores\n1,0,100,1\n2,250,50,1\n";
    ws_sim_result r;
    ws_sim_capture cap;
    run_pilots(4, "fifo", "{\"cores\":4,\"lifetime_s\":10000,\"idle_timeout_s\":100}", csv, &r, &cap);
    assert_true(ws_test_find_job(&cap, 2)->start_s == 300 && ws_test_find_job(&cap, 2)->end_s == 350);
    assert_int_equal(r.pilots_started, 2);
    assert_close(r.pilot_core_s, 1000, 1e-12);
    assert_close(r.payload_core_s, 150, 1e-12);
    ws_sim_result_free(&r);
    run_pilots(4, "fifo", "{\"cores\":4,\"lifetime_s\":10000,\"idle_timeout_s\":1000}", csv, &r, &cap);
    assert_true(ws_test_find_job(&cap, 2)->start_s == 300);
    assert_int_equal(r.pilots_started, 1);
    assert_close(r.pilot_core_s, 1400, 1e-12);
    ws_sim_result_free(&r);
}

/* power_down (after 100 s idle a node is off at 5 W; waking takes 50 s at 100 W): 4-core node, pilots of
 * 4 cores. P1 1c 100 s arrives at 200; the node has been off since 100. The cycle at 240 starts a
 * pilot, whose node wakes 240..290; the pilot begins at 290 and P1 is matched at the next cycle, 300,
 * running 300..400 (wait 100). Energy: 0..100 idle 100 W, 100..240 off 5 W, 240..290 waking 100 W,
 * 290..300 held and idle 100 W, 300..400 one busy core 150 W: 10000 + 700 + 5000 + 1000 + 15000. */
static void power_down(void **state)
{
    (void)state;
    char json[1024];
    ws_test_write("pil.csv", "job_id,submit_s,runtime_s,cores\n1,200,100,1\n");
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"power_down\":{\"after_s\":100,\"off_w\":5,"
             "\"wake_s\":50,\"wake_w\":100},\"nodes\":[{\"type\":\"cpu\",\"count\":1,\"cores\":4,"
             "\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":300}}]}],\"workload\":{\"trace\":\"pil.csv\"},"
             "\"policy\":{\"submission\":{\"system\":\"htcondor\",\"pilot\":{\"cores\":4,\"lifetime_s\":10000,"
             "\"idle_timeout_s\":100}}},\"horizon\":\"makespan\"}");
    ws_sim_result r;
    ws_sim_capture cap;
    ws_test_run_json("pil.json", json, &r, &cap);
    const ws_sim_job_record *p1 = ws_test_find_job(&cap, 1);
    assert_true(p1->start_s == 300 && p1->end_s == 400 && p1->wait_s == 100);
    assert_close(r.total.it_energy_j, 31700, 1e-12);
    assert_close(r.pilot_core_s, 4 * 110, 1e-12);
    ws_sim_result_free(&r);
}

/* Arrival order across core counts: 4-core node, pilots of 4 cores living 10000 s. P1 2c 500 s at 0
 * runs in pilot A from 0 (2 cores left; no room for a second pilot). P2 2c 100 s and P3 1c 100 s reach
 * the cycle at 120: the older takes A's 2 free cores at 120, the younger waits for it to end (cycle at
 * 240). P2 older: P2 120..220, P3 240..340. P3 older: P3 120..220, P2 (2c: A has 1 core left) 240..340. */
static void arrival_order_across_sizes(void **state)
{
    (void)state;
    static const char *const csv[] = {"job_id,submit_s,runtime_s,cores\n1,0,500,2\n2,100,100,2\n3,110,100,1\n",
                                      "job_id,submit_s,runtime_s,cores\n1,0,500,2\n3,100,100,1\n2,110,100,2\n"};
    static const double first[] = {2, 3}, second[] = {3, 2};
    for (int k = 0; k < 2; k++) {
        ws_sim_result r;
        ws_sim_capture cap;
        run_pilots(4, "fifo", "{\"cores\":4,\"lifetime_s\":10000,\"idle_timeout_s\":1000}", csv[k], &r, &cap);
        assert_true(ws_test_find_job(&cap, (int64_t)first[k])->start_s == 120);
        assert_true(ws_test_find_job(&cap, (int64_t)second[k])->start_s == 240);
        assert_int_equal(r.pilots_started, 1);
        ws_sim_result_free(&r);
    }
}

/* A payload too long for the pilots there is passed over, and a later one that fits goes first: 4-core
 * node, pilots of 4 cores living 1000 s, idle timeout 1000 s. P1 1c 900 s at 0 (pilot A, expiry 1000).
 * P2 1c 600 s at 500 and P3 1c 100 s at 510 reach the cycle at 540: 540 + 600 > 1000, so P2 waits and
 * P3 runs 540..640. A has no payload from 900 and leaves at its expiry 1000; pilot B starts at the cycle
 * at 1020 and runs P2 1020..1620. */
static void long_payload_passed_over(void **state)
{
    (void)state;
    ws_sim_result r;
    ws_sim_capture cap;
    run_pilots(4, "fifo", "{\"cores\":4,\"lifetime_s\":1000,\"idle_timeout_s\":1000}",
               "job_id,submit_s,runtime_s,cores\n1,0,900,1\n2,500,600,1\n3,510,100,1\n", &r, &cap);
    assert_true(ws_test_find_job(&cap, 3)->start_s == 540 && ws_test_find_job(&cap, 3)->end_s == 640);
    assert_true(ws_test_find_job(&cap, 2)->start_s == 1020 && ws_test_find_job(&cap, 2)->end_s == 1620);
    assert_int_equal(r.pilots_started, 2);
    ws_sim_result_free(&r);
}

/* A payload that outlives any pilot (runtime > lifetime_s) could never start in one: it bypasses
 * pilots. 4-core node, pilots of 4 cores living 1000 s. P1 1c 1500 s at 0 runs as a plain job 0..1500
 * (no pilot for it); P2 1c 100 s at 0 is a payload: its pilot, queued behind P1, needs the whole node
 * and starts when P1 ends, at the cycle at 1500, and runs P2 1500..1600. */
static void outliving_payload_bypasses(void **state)
{
    (void)state;
    ws_sim_result r;
    ws_sim_capture cap;
    run_pilots(4, "fifo", "{\"cores\":4,\"lifetime_s\":1000,\"idle_timeout_s\":100}",
               "job_id,submit_s,runtime_s,cores\n1,0,1500,1\n2,0,100,1\n", &r, &cap);
    assert_true(ws_test_find_job(&cap, 1)->start_s == 0 && ws_test_find_job(&cap, 1)->end_s == 1500);
    assert_true(ws_test_find_job(&cap, 2)->start_s == 1500 && ws_test_find_job(&cap, 2)->end_s == 1600);
    assert_int_equal(r.pilots_started, 1);
    assert_close(r.payload_core_s, 100, 1e-12);
    ws_sim_result_free(&r);
}

/* The matching's cost must not grow with the payloads waiting (scenarios/README.md, "submission"):
 * 4-core node, pilots of 4 cores living 100000 s. P0 1c 99000 s at 0 holds pilot A (expiry 100000),
 * the only one the node has room for; n payloads 1c 50000 s arrive at 60000 and fit A by cores but
 * not by expiry, so they wait until A leaves, then run four at a time in new pilots. A walk over the
 * waiting payloads looks at all n at the cycles at 60000 and 99000; the index looks at O(log n) tree
 * nodes. So the most work of one matching pass stays well under n, and doubling n adds little. */
static int64_t match_work(int n)
{
    size_t cap = 64 + (size_t)n * 32;
    char *csv = malloc(cap);
    assert_non_null(csv);
    int w = snprintf(csv, cap, "job_id,submit_s,runtime_s,cores\n0,0,99000,1\n");
    for (int i = 1; i <= n; i++)
        w += snprintf(csv + w, cap - (size_t)w, "%d,60000,50000,1\n", i);
    ws_sim_result r;
    ws_sim_capture cap_;
    run_pilots(4, "fifo", "{\"cores\":4,\"lifetime_s\":100000,\"idle_timeout_s\":100000}", csv, &r, &cap_);
    free(csv);
    assert_int_equal(r.total.jobs_completed, n + 1);
    assert_true(ws_test_find_job(&cap_, 1)->start_s > 99000); /* the backlog did wait */
    int64_t work = r.pilot_match_max_work;
    ws_sim_result_free(&r);
    return work;
}

static void match_cost_bounded_by_backlog(void **state)
{
    (void)state;
    int64_t w3 = match_work(3000), w6 = match_work(6000);
    assert_true(w3 > 0 && w3 < 1000);
    assert_true(w6 <= w3 + 100);
}

static const char *refused(const char *submission)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[{\"type\":\"c\",\"count\":1,\"cores\":4,"
             "\"power\":{\"model\":\"tdp\",\"tdp_w\":100}}]}],\"workload\":{\"trace\":\"pil.csv\"},\"policy\":"
             "{\"queue\":\"easy-backfill\",\"submission\":%s},\"horizon\":\"makespan\"}",
             submission);
    return ws_test_scenario_error(json);
}

static void refusals(void **state)
{
    (void)state;
    ws_test_write("pil.csv", "job_id,submit_s,runtime_s,cores\n1,0,10,1\n");
    const char *ok = "{\"cores\":8,\"lifetime_s\":172800,\"idle_timeout_s\":1200}";
    char b[256];
    snprintf(b, sizeof b, "{\"system\":\"batch\",\"pilot\":%s}", ok);
    assert_string_equal(refused(b), "policy.submission.pilot: only for the htcondor system");
    snprintf(b, sizeof b, "{\"system\":\"slurm\",\"pilot\":%s}", ok);
    assert_string_equal(refused(b), "policy.submission.pilot: only for the htcondor system");
    assert_string_equal(refused("{\"system\":\"htcondor\",\"pilot\":8}"),
                        "policy.submission.pilot: must be an object {\"cores\": n, \"lifetime_s\": s, "
                        "\"idle_timeout_s\": s}");
    assert_string_equal(refused("{\"system\":\"htcondor\",\"pilot\":{\"cores\":0,\"lifetime_s\":1,\"idle_timeout_s\":1}}"),
                        "policy.submission.pilot.cores: must be > 0");
    assert_string_equal(refused("{\"system\":\"htcondor\",\"pilot\":{\"cores\":2.5,\"lifetime_s\":1,\"idle_timeout_s\":1}}"),
                        "policy.submission.pilot.cores: must be a whole number");
    assert_string_equal(refused("{\"system\":\"htcondor\",\"pilot\":{\"cores\":8,\"lifetime_s\":0,\"idle_timeout_s\":1}}"),
                        "policy.submission.pilot.lifetime_s: must be > 0");
    assert_string_equal(refused("{\"system\":\"htcondor\",\"pilot\":{\"cores\":8,\"lifetime_s\":10,\"idle_timeout_s\":-1}}"),
                        "policy.submission.pilot.idle_timeout_s: must be > 0");
    assert_string_equal(refused("{\"system\":\"htcondor\",\"pilot\":{\"cores\":8,\"lifetime_s\":10}}"),
                        "policy.submission.pilot.idle_timeout_s: missing");
    assert_string_equal(refused("{\"system\":\"htcondor\",\"pilot\":{\"cores\":8,\"lifetime_s\":10,\"idle_timeout_s\":1,"
                                "\"max\":1}}"),
                        "policy.submission.pilot.max: unknown key");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(packing_and_idle_timeout),
        cmocka_unit_test(draining),
        cmocka_unit_test(idle_timeout_reuse),
        cmocka_unit_test(power_down),
        cmocka_unit_test(arrival_order_across_sizes),
        cmocka_unit_test(long_payload_passed_over),
        cmocka_unit_test(outliving_payload_bypasses),
        cmocka_unit_test(match_cost_bounded_by_backlog),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
