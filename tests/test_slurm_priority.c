/* Slurm multifactor priority (policy.submission.priority): hand-worked runs on one small node (trace
 * jobs with classes; accounts a and b from the class names; backfill every 30 s; times in s). Factors
 * are computed at calc period boundaries (300 s by default): F = 2^(-U/S), U = the account's decayed
 * usage over the site's, S its normalised share; usage of c cores held from t0 to t1 is
 * c H / ln 2 (1 - 2^(-(t1 - t0) / H)) at t1, and halves every half-life H after. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_testutil.h"

#define CLASSES "\"classes\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"q\"}]"
#define TWO "\"shares\":{\"A\":1,\"B\":1},\"accounts\":{\"b\":\"B\",\"*\":\"A\"}"

/* Run csv on one node of `cores` cores under slurm with the given "priority" member (may be "") */
static void run_prio(int cores, const char *prio, const char *csv, ws_sim_result *r, ws_sim_capture *cap)
{
    char json[2048];
    ws_test_write("prio.csv", csv);
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[{\"type\":\"cpu\",\"count\":1,\"cores\":%d,"
             "\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":300}}]}],\"workload\":{\"trace\":\"prio.csv\","
             CLASSES "},\"policy\":{\"queue\":\"easy-backfill\",\"submission\":{\"system\":\"slurm\"%s%s}},"
             "\"horizon\":\"makespan\"}",
             cores, prio[0] ? ",\"priority\":" : "", prio);
    ws_test_run_json("prio.json", json, r, cap);
}

static double start_of(const ws_sim_capture *cap, int id) { return ws_test_find_job(cap, id)->start_s; }

/* usage at t1 of one core held from t0 to t1, half-life h */
static double held(double t0, double t1, double h) { return h / M_LN2 * (1 - exp2(-(t1 - t0) / h)); }

/* One core. J1 (a) 0..1000; J2 (a) at 10 and J3 (b) at 20, 100 s each. At 1000 the factors are those
 * of the boundary 900: only A has used the node, U_A = 1, F_A = 2^(-1/0.5) = 0.25, F_B = 2^0 = 1, so
 * J3 (10000 + age) goes before J2 (2500 + age): J3 1000..1100, J2 1100..1200. FIFO: J2 first. */
static const char *const FS_CSV = "job_id,submit_s,runtime_s,cores,gpus,class\n1,0,1000,1,0,a\n2,10,100,1,0,a\n3,20,100,1,0,b\n";

static void fairshare_reorders(void **state)
{
    (void)state;
    ws_sim_result r;
    ws_sim_capture cap;
    run_prio(1, "{\"weight_fairshare\":10000,\"weight_age\":1000," TWO "}", FS_CSV, &r, &cap);
    assert_true(start_of(&cap, 3) == 1000 && start_of(&cap, 2) == 1100);
    /* at the end (1200): A held 0..1000 and 1100..1200, B 1000..1100; H = 7 days */
    double h = 7 * 86400.0, ua = held(0, 1000, h) * exp2(-200 / h) + held(1100, 1200, h), ub = held(1000, 1100, h) * exp2(-100 / h);
    assert_int_equal(r.n_accounts, 2);
    assert_string_equal(r.accounts[0].name, "A");
    assert_true(r.accounts[0].share == 0.5 && r.accounts[1].share == 0.5);
    assert_true(fabs(r.accounts[0].core_s - 1100) < 1e-9 && fabs(r.accounts[1].core_s - 100) < 1e-9);
    assert_true(fabs(r.accounts[0].usage_core_s - ua) < 1e-9 * ua);
    assert_true(fabs(r.accounts[1].usage_core_s - ub) < 1e-9 * ub);
    assert_true(fabs(r.accounts[0].fairshare - exp2(-(ua / (ua + ub)) / 0.5)) < 1e-12);
    assert_true(fabs(r.accounts[1].fairshare - exp2(-(ub / (ua + ub)) / 0.5)) < 1e-12);
    /* the summary shows the share each account got: A 1100 of 1200 core-s */
    ws_scenario sc;
    ws_error err;
    assert_int_equal(ws_scenario_load(ws_test_path("prio.json"), &sc, &err), 0);
    cJSON *j = ws_sim_result_to_json(&sc, &r);
    const cJSON *a0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "accounts"), 0);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a0, "name")), "A");
    assert_true(fabs(cJSON_GetObjectItem(a0, "core_fraction")->valuedouble - 1100.0 / 1200) < 1e-12);
    cJSON_Delete(j);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ws_sim_print_text(&sc, &r, f);
    fclose(f);
    assert_non_null(strstr(text, "account   A                share  50.0%  used  91.7% of 0.3 core-h"));
    free(text);
    ws_sim_result_free(&r);
    /* today's slurm (no priority): arrival order, and no accounts in the summary */
    run_prio(1, "", FS_CSV, &r, &cap);
    assert_true(start_of(&cap, 2) == 1000 && start_of(&cap, 3) == 1100);
    assert_int_equal(r.n_accounts, 0);
    j = ws_sim_result_to_json(&sc, &r);
    assert_null(cJSON_GetObjectItem(j, "accounts"));
    cJSON_Delete(j);
    ws_scenario_free(&sc);
    ws_sim_result_free(&r);
}

/* The same jobs with the age weight only: age grows with the time queued, so arrival order stays. */
static void age_keeps_fifo(void **state)
{
    (void)state;
    ws_sim_result r;
    ws_sim_capture cap;
    run_prio(1, "{\"weight_age\":1000,\"max_age_s\":600," TWO "}", FS_CSV, &r, &cap);
    assert_true(start_of(&cap, 2) == 1000 && start_of(&cap, 3) == 1100);
    ws_sim_result_free(&r);
}

/* One account; class q has QOS factor 1 (weight 1000), a has 0: J3 (q) at 20 goes before J2 (a) at 10,
 * even though J2 is older (age weight 100 over max age 600 s: at 900 J2 has 100, J3 100 too: capped). */
static void qos_first(void **state)
{
    (void)state;
    ws_sim_result r;
    ws_sim_capture cap;
    const char *csv = "job_id,submit_s,runtime_s,cores,gpus,class\n1,0,1000,1,0,a\n2,10,100,1,0,a\n3,20,100,1,0,q\n";
    run_prio(1, "{\"weight_qos\":1000,\"weight_age\":100,\"max_age_s\":600,\"shares\":{\"A\":1},\"qos\":{\"q\":1}}", csv, &r, &cap);
    assert_true(start_of(&cap, 3) == 1000 && start_of(&cap, 2) == 1100);
    ws_sim_result_free(&r);
    /* weight_qos 0: the QOS factor counts for nothing */
    run_prio(1, "{\"weight_age\":100,\"shares\":{\"A\":1},\"qos\":{\"q\":1}}", csv, &r, &cap);
    assert_true(start_of(&cap, 2) == 1000 && start_of(&cap, 3) == 1100);
    ws_sim_result_free(&r);
}

/* Decay, half-life 1000 s: A holds the core 0..100, B 100..1100. At the end A's usage is its usage at
 * 100 halved once: held(0, 100) / 2; B's is held(100, 1100). */
static void usage_halves(void **state)
{
    (void)state;
    ws_sim_result r;
    ws_sim_capture cap;
    const char *csv = "job_id,submit_s,runtime_s,cores,gpus,class\n1,0,100,1,0,a\n2,100,1000,1,0,b\n";
    run_prio(1, "{\"weight_fairshare\":1,\"decay_half_life_s\":1000," TWO "}", csv, &r, &cap);
    assert_true(r.end_s == 1100);
    double ua = held(0, 100, 1000) / 2, ub = held(100, 1100, 1000);
    assert_true(fabs(r.accounts[0].usage_core_s - ua) < 1e-9 * ua);
    assert_true(fabs(r.accounts[1].usage_core_s - ub) < 1e-9 * ub);
    assert_true(fabs(r.accounts[0].core_s - 100) < 1e-9 && fabs(r.accounts[1].core_s - 1000) < 1e-9);
    assert_true(fabs(r.accounts[0].fairshare - exp2(-2 * ua / (ua + ub))) < 1e-12);
    ws_sim_result_free(&r);
}

/* Backfill tries jobs in priority order. Two cores. J1 (a) 1 core 0..2000. At 400 (boundary 300: A has
 * used the node, F_A = 0.25, F_B = 1) J2 (b, 2 cores) waits for J1: the head. J3 (a, 1 core, 50 s) at
 * 410 and J4 (b, 1 core, 50 s) at 420 both end before the head's shadow time 2000, and one core is free:
 * the backfill cycle at 420 tries J4 (priority 10000) before J3 (2500): J4 420..470, J3 at the next
 * cycle 480. Arrival order: J3 420, J4 480. */
static void backfill_in_priority_order(void **state)
{
    (void)state;
    ws_sim_result r;
    ws_sim_capture cap;
    const char *csv = "job_id,submit_s,runtime_s,cores,gpus,class\n1,0,2000,1,0,a\n2,400,100,2,0,b\n"
                      "3,410,50,1,0,a\n4,420,50,1,0,b\n";
    run_prio(2, "{\"weight_fairshare\":10000," TWO "}", csv, &r, &cap);
    assert_true(start_of(&cap, 4) == 420 && start_of(&cap, 3) == 480 && start_of(&cap, 2) == 2000);
    ws_sim_result_free(&r);
    run_prio(2, "", csv, &r, &cap);
    assert_true(start_of(&cap, 3) == 420 && start_of(&cap, 4) == 480 && start_of(&cap, 2) == 2000);
    ws_sim_result_free(&r);
    /* the main scheduler too: J3 is backfilled at 420; J4 of B comes at 425, when no core is free; at 470
     * (J3 ends) it is the highest-priority job and fits: it starts at once, not at the cycle 480 */
    const char *csv2 = "job_id,submit_s,runtime_s,cores,gpus,class\n1,0,2000,1,0,a\n2,400,100,2,0,a\n"
                       "3,410,50,1,0,a\n4,425,50,1,0,b\n";
    run_prio(2, "{\"weight_fairshare\":10000," TWO "}", csv2, &r, &cap);
    assert_true(start_of(&cap, 3) == 420 && start_of(&cap, 4) == 470);
    ws_sim_result_free(&r);
    run_prio(2, "", csv2, &r, &cap);
    assert_true(start_of(&cap, 3) == 420 && start_of(&cap, 4) == 480);
    ws_sim_result_free(&r);
}

/* A job that goes ahead of a head with a reservation moves the head's shadow time. Three cores. J1 (a)
 * 1 core 0..1000; J2 (a, 3 cores) at 400 is the head; J5 (a, 1 core, 5000 s) at 401 makes the backfill
 * cycle at 420 reserve for J2: shadow 1000. J3 (b, 1 core, 900 s) at 425 has the highest priority
 * (F_B = 1 against F_A = 0.25 since the boundary 300) and fits: 425..1325, so J2 can only start at 1325.
 * J4 (a, 1 core, 850 s) at 430: at the cycle 450 it ends by 1300 <= 1325 and is backfilled (with the old
 * shadow 1000 it would be too long); J5 (5000 s) is not. */
static void shadow_after_priority_start(void **state)
{
    (void)state;
    ws_sim_result r;
    ws_sim_capture cap;
    const char *csv = "job_id,submit_s,runtime_s,cores,gpus,class\n1,0,1000,1,0,a\n2,400,100,3,0,a\n5,401,5000,1,0,a\n"
                      "3,425,900,1,0,b\n4,430,850,1,0,a\n";
    run_prio(3, "{\"weight_fairshare\":10000," TWO "}", csv, &r, &cap);
    assert_true(start_of(&cap, 3) == 425 && start_of(&cap, 4) == 450 && start_of(&cap, 2) == 1325);
    assert_true(start_of(&cap, 5) == 1425);
    ws_sim_result_free(&r);
}

/* All weights 0 (Slurm's defaults): every priority ties and ties go to the earlier queued, so a run is
 * job for job today's arrival-order slurm, backfill included. */
static void zero_weights_are_fifo(void **state)
{
    (void)state;
    ws_sim_result r0, r1;
    ws_sim_capture c0, c1;
    const char *csv = "job_id,submit_s,runtime_s,cores,gpus,class\n1,0,300,2,0,a\n2,5,200,3,0,b\n3,6,90,1,0,a\n"
                      "4,7,400,1,0,b\n5,8,30,2,0,a\n6,9,250,4,0,b\n7,50,20,1,0,a\n8,60,500,1,0,b\n9,70,10,3,0,a\n";
    run_prio(4, "", csv, &r0, &c0);
    run_prio(4, "{" TWO "}", csv, &r1, &c1);
    assert_int_equal(c0.n, 9);
    assert_int_equal(c1.n, 9);
    for (int id = 1; id <= 9; id++)
        assert_true(start_of(&c0, id) == start_of(&c1, id));
    assert_true(r0.total.it_energy_j == r1.total.it_energy_j);
    ws_sim_result_free(&r0);
    ws_sim_result_free(&r1);
}

static const char *prio_error(const char *system, const char *prio)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[{\"type\":\"c\",\"count\":1,\"cores\":4,"
             "\"power\":{\"model\":\"tdp\",\"tdp_w\":100}}]}],\"workload\":{\"trace\":\"prio.csv\"," CLASSES "},"
             "\"policy\":{\"queue\":\"easy-backfill\",\"submission\":{\"system\":\"%s\",\"priority\":%s}},"
             "\"horizon\":\"makespan\"}",
             system, prio);
    return ws_test_scenario_error(json);
}

static void validation(void **state)
{
    (void)state;
    const char *P = "policy.submission.priority";
    char want[256];
    assert_non_null(strstr(prio_error("slurm", "{\"shares\":{\"A\":1},\"weight_agee\":1}"), "priority.weight_agee: unknown key"));
    assert_non_null(strstr(prio_error("slurm", "{\"shares\":{\"A\":1},\"weight_age\":-1}"), "priority.weight_age: must be >= 0"));
    assert_non_null(strstr(prio_error("slurm", "{\"shares\":{\"A\":1},\"weight_qos\":\"x\"}"), "priority.weight_qos: must be a number"));
    assert_non_null(strstr(prio_error("slurm", "{\"shares\":{\"A\":0}}"), "priority.shares.A: must be > 0"));
    assert_non_null(strstr(prio_error("slurm", "{\"weight_age\":1}"), "priority.shares: must be an object"));
    assert_non_null(strstr(prio_error("slurm", "{\"shares\":{\"A\":1,\"B\":1}}"), "priority.accounts: missing"));
    snprintf(want, sizeof want, "%s.accounts.b: must name an account of %s.shares", P, P);
    assert_non_null(strstr(prio_error("slurm", "{\"shares\":{\"A\":1},\"accounts\":{\"b\":\"B\",\"*\":\"A\"}}"), want));
    assert_non_null(strstr(prio_error("slurm", "{\"shares\":{\"A\":1,\"B\":1},\"accounts\":{\"b\":\"B\"}}"),
                           "priority.accounts: class 'a' matches no pattern"));
    assert_non_null(strstr(prio_error("slurm", "{\"shares\":{\"A\":1},\"qos\":{\"q\":2}}"), "priority.qos.q: must be <= 1"));
    assert_non_null(strstr(prio_error("slurm", "{\"shares\":{\"A\":1},\"max_age_s\":0}"), "priority.max_age_s: must be > 0"));
    assert_non_null(strstr(prio_error("htcondor", "{\"shares\":{\"A\":1}}"), "policy.submission.priority: only for the slurm system"));
    /* the command line: exit 2, the JSON path in the message */
    prio_error("slurm", "{\"shares\":{\"A\":1},\"weight_fairshare\":-5}");
    char *out = NULL, *err = NULL;
    int rc = ws_test_run("simulate bad.json", &out, &err);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(err, "policy.submission.priority.weight_fairshare"));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fairshare_reorders),   cmocka_unit_test(age_keeps_fifo),
        cmocka_unit_test(qos_first),            cmocka_unit_test(usage_halves),
        cmocka_unit_test(backfill_in_priority_order), cmocka_unit_test(shadow_after_priority_start),
        cmocka_unit_test(zero_weights_are_fifo),
        cmocka_unit_test(validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
