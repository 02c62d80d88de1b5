/* test_hep: work in HEP units. A job's CPU work in HS23 s runs W / (HS23 per core x cores x CPU
 * efficiency) on a node type, so the same job is shorter on a faster CPU; the work may be fixed,
 * lognormal or an empirical histogram (DCSim's kind), drawn from the job's one normal z as the
 * quantile Phi(z). Answers worked out by hand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_sim.h"
#include "ws_testutil.h"

#define NODE(type, hpc) \
    "{\"type\":\"" type "\",\"count\":4,\"cores\":8,\"hs23_per_core\":" #hpc ",\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":300}}"

/* 72,000 HS23 s at 90% CPU efficiency on one core: 72000 / (20 x 1 x 0.9) = 4000 s on the 20 HS23/core
 * site, 8000 s on the 10 HS23/core site (round-robin alternates the sites). */
static void fixed_work_runs_faster_on_faster_cores(void **state)
{
    (void)state;
    ws_sim_result r;
    ws_sim_capture cap;
    ws_test_run_json("fixed.json",
                     "{\"sites\":[{\"name\":\"fast\",\"carbon_g_per_kwh\":0,\"nodes\":[" NODE("epyc", 20) "]},"
                     "{\"name\":\"slow\",\"carbon_g_per_kwh\":0,\"nodes\":[" NODE("xeon", 10) "]}],"
                     "\"workload\":{\"classes\":[{\"name\":\"reco\",\"rate_per_day\":24,\"cores\":1,\"utilisation\":0.9,"
                     "\"runtime\":{\"dist\":\"hs23_work\",\"work_hs23_s\":72000}}]},"
                     "\"policy\":{\"dispatch\":\"round-robin\"},\"horizon\":{\"days\":1,\"until\":\"end\"}}",
                     &r, &cap);
    assert_true(cap.n > 4);
    for (int i = 0; i < cap.n; i++) {
        const ws_sim_job_record *j = &cap.rec[i];
        assert_close(j->end_s - j->start_s, j->site == 0 ? 4000.0 : 8000.0, 1e-12);
    }
    ws_sim_result_free(&r);
}

/* Histogram bins [0, 100, 200) HS23 s with counts 1 and 3: cumulative 0.25 at 100. z = 0 is the median
 * quantile 0.5, a third into bin 2: 133.33 HS23 s; on 4 cores at 10 HS23/core and efficiency 0.5 that
 * is 133.33 / 20 = 6.667 s. Mean 0.25 x 50 + 0.75 x 150 = 125 HS23 s -> 6.25 s expected. */
static void histogram_quantile_and_mean(void **state)
{
    (void)state;
    ws_scenario sc;
    ws_test_load_scenario("hist.json",
                          "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" NODE("cpu", 10) "]}],"
                          "\"workload\":{\"classes\":[{\"name\":\"ana\",\"rate_per_day\":10,\"cores\":4,\"utilisation\":0.5,"
                          "\"runtime\":{\"dist\":\"hs23_work\",\"histogram\":{\"bins_hs23_s\":[0,100,200],\"counts\":[1,3]}}}]},\"horizon\":{\"days\":1}}",
                          &sc);
    const ws_job_class *k = &sc.classes[0];
    const ws_node_group *g = &sc.sites[0].groups[0];
    const ws_runtime_spec *rt = ws_class_runtime(k, g->type);
    assert_int_equal(rt->kind, WS_RUNTIME_HS23_WORK);
    assert_close(rt->work_mean_hs23_s, 125, 1e-12);
    assert_close(ws_runtime_draw_s(rt, k, g, 0.0), (100 + 100.0 / 3) / 20, 1e-9);
    assert_close(ws_runtime_expected_s(rt, k, g), 6.25, 1e-12);
    assert_true(ws_runtime_draw_s(rt, k, g, 40.0) <= 200.0 / 20); /* Phi(40) = 1: at most the last edge */
    assert_true(ws_runtime_draw_s(rt, k, g, -40.0) >= 0);
    ws_scenario_free(&sc);
}

/* Lognormal work: median x exp(sigma z); a tweak's work_scale multiplies it. */
static void lognormal_work_and_scale(void **state)
{
    (void)state;
    ws_scenario sc;
    ws_test_load_scenario("logn.json",
                          "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" NODE("cpu", 16) "]}],"
                          "\"workload\":{\"classes\":[{\"name\":\"sim\",\"rate_per_day\":10,\"cores\":8,\"utilisation\":1,"
                          "\"runtime\":{\"dist\":\"hs23_work\",\"median_hs23_s\":1280000,\"sigma\":0.5}}]},\"horizon\":{\"days\":1}}",
                          &sc);
    ws_job_class *k = &sc.classes[0];
    const ws_node_group *g = &sc.sites[0].groups[0];
    assert_close(ws_runtime_draw_s(&k->runtimes[0], k, g, 1.0), 1280000 * exp(0.5) / 128, 1e-12);
    k->runtimes[0].work_scale = 0.9;
    assert_close(ws_runtime_draw_s(&k->runtimes[0], k, g, 0.0), 9000, 1e-12);
    ws_scenario_free(&sc);
}

/* A power model file that knows its server's score ("hep": {"hs23": ..}) gives the group its speed per
 * core: 2240 HS23 over 128 cores = 17.5, or over 256 slots (one per hyperthread) = 8.75; a file with only
 * hs23_per_core gives that. */
static void speed_from_power_file(void **state)
{
    (void)state;
    ws_test_write("server.json", "{\"arch\":\"epyc-test\",\"family\":\"power\",\"model\":\"linear\",\"idle_w\":150,"
                                 "\"max_w\":600,\"hep\":{\"hs23\":2240,\"hs23_per_core\":17.5,\"cores\":128}}");
    ws_test_write("percore.json", "{\"arch\":\"x\",\"family\":\"power\",\"model\":\"linear\",\"idle_w\":1,"
                                  "\"max_w\":2,\"hep\":{\"hs23_per_core\":12}}");
    ws_scenario sc;
    ws_test_load_scenario("file.json",
                          "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[{\"type\":\"epyc\",\"count\":1,"
                          "\"cores\":128,\"power\":{\"file\":\"server.json\"}}]}],"
                          "\"workload\":{\"classes\":[{\"name\":\"x\",\"rate_per_day\":1,\"cores\":1,\"utilisation\":1,"
                          "\"runtime\":{\"dist\":\"hs23_work\",\"work_hs23_s\":35}}]},\"horizon\":{\"days\":1}}",
                          &sc);
    assert_close(sc.sites[0].groups[0].hs23_per_core, 17.5, 0);
    assert_close(ws_runtime_expected_s(&sc.classes[0].runtimes[0], &sc.classes[0], &sc.sites[0].groups[0]), 2, 1e-12);
    ws_scenario_free(&sc);
    ws_test_load_scenario("file2.json",
                          "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[{\"type\":\"smt\",\"count\":1,"
                          "\"cores\":256,\"power\":{\"file\":\"server.json\"}},{\"type\":\"old\",\"count\":1,"
                          "\"cores\":8,\"power\":{\"file\":\"percore.json\"}}]}],"
                          "\"workload\":{\"classes\":[{\"name\":\"x\",\"rate_per_day\":1,\"cores\":1,\"utilisation\":1,"
                          "\"runtime\":{\"dist\":\"hs23_work\",\"work_hs23_s\":35}}]},\"horizon\":{\"days\":1}}",
                          &sc);
    assert_close(sc.sites[0].groups[0].hs23_per_core, 8.75, 0);
    assert_close(sc.sites[0].groups[1].hs23_per_core, 12, 0);
    ws_scenario_free(&sc);
}

/* DCSim's KIT workload (data/hep): every (type, core count) with jobs is a class; the rate is the count
 * over the 12 days; the work histogram is the flops histogram in HS23 s, so that on a node of the
 * reference speed (10 HS23 per core) a job runs flops / 3.194e9 s, DCSim's own compute time.
 * Analysis_T1 flops: 210623, 263, 4, 6 jobs in bins of 1.5e14 from 0: mean 7.52056e13 flops (23,546 s). */
static void dcsim_classes(void **state)
{
    (void)state;
    char json[2048];
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"KIT\",\"carbon_g_per_kwh\":0,\"nodes\":[" NODE("cpu", 10) "]}],"
             "\"workload\":{\"dcsim\":[{\"file\":\"%s/hep/dcsim_T1_DE_KIT_workloads.json\",\"prefix\":\"KIT-\","
             "\"period_days\":12,\"reference_flops_per_s\":3.194e9,\"reference_hs23_per_core\":10,"
             "\"utilisation\":{\"Analysis_T1\":0.5,\"default\":0.9}}]},\"horizon\":{\"days\":1}}",
             WS_TEST_DATA);
    ws_scenario sc;
    ws_test_load_scenario("dcsim.json", json, &sc);
    assert_int_equal(sc.n_classes, 14);
    static const char *const names[] = {"KIT-Analysis_T1/1c", "KIT-Analysis_T1/2c", "KIT-Analysis_T1/4c",
                                        "KIT-Analysis_T1/8c", "KIT-Digi_T1/1c"};
    static const double counts[] = {206746, 35, 3709, 406, 30704};
    for (int i = 0; i < 5; i++) {
        assert_string_equal(sc.classes[i].name, names[i]);
        assert_close(sc.classes[i].rate_per_day, counts[i] / 12, 1e-12);
    }
    assert_int_equal(sc.classes[2].cores, 4);
    assert_close(sc.classes[0].utilisation, 0.5, 0);
    assert_close(sc.classes[4].utilisation, 0.9, 0);
    assert_string_equal(sc.classes[13].name, "KIT-Merge_T1/1c");
    const ws_node_group *g = &sc.sites[0].groups[0];
    assert_close(ws_runtime_expected_s(&sc.classes[0].runtimes[0], &sc.classes[0], g), 7.5205551551476e13 / 3.194e9, 1e-5);
    /* 4 cores at 0.5: the same wall time on the reference core, whatever the cores and efficiency */
    assert_close(ws_runtime_expected_s(&sc.classes[2].runtimes[0], &sc.classes[2], g), 7.5205551551476e13 / 3.194e9, 1e-5);
    ws_scenario_free(&sc);

    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"KIT\",\"carbon_g_per_kwh\":0,\"nodes\":[" NODE("cpu", 10) "]}],"
             "\"workload\":{\"dcsim\":[{\"file\":\"%s/hep/dcsim_T1_DE_KIT_workloads.json\",\"period_days\":12,"
             "\"reference_flops_per_s\":3.194e9,\"reference_hs23_per_core\":10,\"utilisation\":{\"Digi_T1\":0.8}}]}}",
             WS_TEST_DATA);
    assert_non_null(strstr(ws_test_scenario_error(json), "Analysis_T1: no CPU efficiency in (0, 1]"));
}

/* Submission systems on one 4-core node (trace jobs, times in s). J1 4c 100 s at 10; J2 4c 50 s at 20.
 * batch: J1 10..110, J2 110..160. htcondor, negotiation every 60 s: J1 is matched at 60 (..160), J2 at
 * the first cycle after 160: 180..230. Slurm, backfill every 30 s, with J3 2c 50 s at 2 behind a blocked
 * 4c head (J0 2c 0..100, J1' 4c at 1): the head waits for J0 either way; J3 is backfilled at once under
 * batch (2..52) but only at the first backfill cycle under slurm (30..80, still before the head's 100). */
static void run_trace(const char *system, const char *csv, const char *queue, ws_sim_capture *cap)
{
    char json[1024];
    ws_test_write("sub.csv", csv);
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[{\"type\":\"cpu\",\"count\":1,\"cores\":4,"
             "\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":300}}]}],\"workload\":{\"trace\":\"sub.csv\"},"
             "\"policy\":{\"queue\":\"%s\",\"submission\":%s},\"horizon\":\"makespan\"}",
             queue, system);
    ws_sim_result r;
    ws_test_run_json("sub.json", json, &r, cap);
    ws_sim_result_free(&r);
}

static void submission_systems(void **state)
{
    (void)state;
    const char *two = "job_id,submit_s,runtime_s,cores\n1,10,100,4\n2,20,50,4\n";
    ws_sim_capture cap;
    run_trace("{\"system\":\"batch\"}", two, "fifo", &cap);
    assert_true(ws_test_find_job(&cap, 1)->start_s == 10 && ws_test_find_job(&cap, 2)->start_s == 110);
    run_trace("{\"system\":\"htcondor\"}", two, "fifo", &cap);
    assert_true(ws_test_find_job(&cap, 1)->start_s == 60 && ws_test_find_job(&cap, 2)->start_s == 180);
    run_trace("{\"system\":\"htcondor\",\"negotiation_interval_s\":25}", two, "fifo", &cap);
    assert_true(ws_test_find_job(&cap, 1)->start_s == 25 && ws_test_find_job(&cap, 2)->start_s == 125);
    const char *bf = "job_id,submit_s,runtime_s,cores\n0,0,100,2\n1,1,50,4\n3,2,50,2\n";
    run_trace("{\"system\":\"batch\"}", bf, "easy-backfill", &cap);
    assert_true(ws_test_find_job(&cap, 3)->start_s == 2 && ws_test_find_job(&cap, 1)->start_s == 100);
    run_trace("{\"system\":\"slurm\"}", bf, "easy-backfill", &cap);
    assert_true(ws_test_find_job(&cap, 3)->start_s == 30 && ws_test_find_job(&cap, 1)->start_s == 100);
    assert_non_null(strstr(ws_test_scenario_error("{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":["
                                                  "{\"type\":\"c\",\"count\":1,\"cores\":4,\"power\":{\"model\":\"tdp\","
                                                  "\"tdp_w\":100}}]}],\"workload\":{\"trace\":\"sub.csv\"},\"policy\":"
                                                  "{\"submission\":{\"system\":\"slurm\"}},\"horizon\":\"makespan\"}"),
                           "policy.submission.system: slurm's backfill scheduler needs"));
}

/* "sites" on a class: its jobs run only there, whatever the dispatch (a Tier-1 mix at the Tier-0/1s);
 * a name that is no site is refused. */
static void class_sites(void **state)
{
    (void)state;
    ws_sim_result r;
    ws_sim_capture cap;
    ws_test_run_json("only.json",
                     "{\"sites\":[{\"name\":\"T1\",\"carbon_g_per_kwh\":0,\"nodes\":[" NODE("a", 10) "]},"
                     "{\"name\":\"T2\",\"carbon_g_per_kwh\":0,\"nodes\":[" NODE("b", 10) "]}],"
                     "\"workload\":{\"classes\":[{\"name\":\"t2-only\",\"rate_per_day\":48,\"sites\":[\"T2\"],"
                     "\"runtime\":{\"dist\":\"fixed\",\"value_s\":60}}]},"
                     "\"policy\":{\"dispatch\":\"round-robin\"},\"horizon\":{\"days\":1,\"until\":\"end\"}}",
                     &r, &cap);
    assert_true(cap.n > 10);
    for (int i = 0; i < cap.n; i++)
        assert_int_equal(cap.rec[i].site, 1);
    assert_int_equal(r.sites[0].jobs_completed, 0);
    ws_sim_result_free(&r);
    assert_non_null(strstr(ws_test_scenario_error(
                               "{\"sites\":[{\"name\":\"T1\",\"carbon_g_per_kwh\":0,\"nodes\":[" NODE("a", 10) "]}],"
                               "\"workload\":{\"classes\":[{\"name\":\"x\",\"rate_per_day\":1,\"sites\":[\"T9\"],"
                               "\"runtime\":{\"dist\":\"fixed\",\"value_s\":1}}]}}"),
                           "workload.classes[0].sites[0]: no site named 'T9'"));
}

static void refusals(void **state)
{
    (void)state;
    const char *site = "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[{\"type\":\"cpu\",\"count\":1,"
                       "\"cores\":8,\"power\":{\"model\":\"linear\",\"idle_w\":1,\"max_w\":2}}]}],";
    char json[1024];
    snprintf(json, sizeof json, "%s\"workload\":{\"classes\":[{\"name\":\"x\",\"rate_per_day\":1,\"utilisation\":0.8,"
                                "\"runtime\":{\"dist\":\"hs23_work\",\"work_hs23_s\":10}}]}}", site);
    assert_non_null(strstr(ws_test_scenario_error(json), "sites[0].nodes[0] ('cpu') has no hs23_per_core"));
    snprintf(json, sizeof json, "%s\"workload\":{\"classes\":[{\"name\":\"x\",\"rate_per_day\":1,\"utilisation\":0,"
                                "\"runtime\":{\"dist\":\"hs23_work\",\"work_hs23_s\":10}}]}}", site);
    assert_non_null(strstr(ws_test_scenario_error(json), "workload.classes[0].utilisation: must be > 0 for work in HS23 s"));
    snprintf(json, sizeof json, "%s\"workload\":{\"classes\":[{\"name\":\"x\",\"rate_per_day\":1,"
                                "\"runtime\":{\"dist\":\"hs23_work\",\"histogram\":{\"bins_hs23_s\":[0,5,5],\"counts\":[1,1]}}}]}}", site);
    assert_non_null(strstr(ws_test_scenario_error(json), "histogram.bins_hs23_s[2]: must be a number >= 0 above the edge before"));
    snprintf(json, sizeof json, "%s\"workload\":{\"classes\":[{\"name\":\"x\",\"rate_per_day\":1,"
                                "\"runtime\":{\"dist\":\"hs23_work\",\"histogram\":{\"bins_hs23_s\":[0,5,6],\"counts\":[1]}}}]}}", site);
    assert_non_null(strstr(ws_test_scenario_error(json), "histogram.counts: must be an array of 2 counts"));
    snprintf(json, sizeof json, "%s\"workload\":{\"classes\":[{\"name\":\"x\",\"rate_per_day\":1,"
                                "\"runtime\":{\"dist\":\"hs23_work\",\"work_hs23_s\":1,\"median_hs23_s\":1}}]}}", site);
    assert_non_null(strstr(ws_test_scenario_error(json), "needs exactly one of work_hs23_s, median_hs23_s"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_work_runs_faster_on_faster_cores),
        cmocka_unit_test(histogram_quantile_and_mean),
        cmocka_unit_test(lognormal_work_and_scale),
        cmocka_unit_test(speed_from_power_file),
        cmocka_unit_test(dcsim_classes),
        cmocka_unit_test(submission_systems),
        cmocka_unit_test(class_sites),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
