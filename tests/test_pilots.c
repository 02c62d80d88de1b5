/* HTCondor multi-core pilots (policy.submission.pilot): hand-worked runs on one node (trace jobs,
 * utilisation 1, linear power idle 100 W, max 300 W, so P = 100 + 200 x busy cores / node cores;
 * negotiation every 60 s; times in s). */
#include <math.h>
#include <stdio.h>
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
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
