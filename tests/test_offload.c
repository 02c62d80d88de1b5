/* test_offload: work in HS23 s moved onto GPUs ("workload.offload"). A moved job's CPU work runs on its
 * GPU at gpu_hs23 and the rest of its wall time (1/u - 1 of its CPU time at CPU efficiency u) stays as on
 * the host: t = W (1 / (G gpus) + (1/u - 1) / (h cores)); its utilisation is the GPU's duty over t.
 * Answers worked out by hand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_offload.h"
#include "ws_sim.h"
#include "ws_testutil.h"

/* One 4-core CPU node and one GPU node (2 cores, 1 GPU, GPU jobs only), both 10 HS23 per core. */
#define CPU_NODE "{\"type\":\"cpu\",\"count\":1,\"cores\":4,\"hs23_per_core\":10,\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":300}}"
#define GPU_NODE                                                                                                  \
    "{\"type\":\"gpu\",\"count\":1,\"cores\":2,\"gpus\":1,\"hs23_per_core\":10,\"gpu_jobs_only\":true,"         \
    "\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":200},\"host_power\":{\"model\":\"linear\",\"idle_w\":50,\"max_w\":150}}"
#define ANA "{\"name\":\"ana\",\"rate_per_day\":%g,\"cores\":1,\"utilisation\":0.5,\"runtime\":{\"dist\":\"hs23_work\",\"work_hs23_s\":3600}}"

static void formula(void **state)
{
    (void)state;
    /* G = 100, u = 0.5, h = 10, one core: 1/100 + (2 - 1)/10 = 0.11 s per HS23 s; duty 0.01 / 0.11 */
    assert_close(ws_offload_s_per_work(100, 1, 0.5, 10, 1), 0.11, 1e-15);
    assert_close(ws_offload_gpu_duty(100, 1, 0.5, 10, 1), 1.0 / 11, 1e-15);
    /* CPU efficiency 1: nothing stays on the host, the GPU computes the whole time */
    assert_close(ws_offload_s_per_work(100, 2, 1, 10, 1), 0.005, 1e-15);
    assert_close(ws_offload_gpu_duty(100, 2, 1, 10, 1), 1.0, 1e-15);
}

/* Half of 48 jobs/day moved: "ana" keeps 24/day on the CPU node at 3600 / (10 x 1 x 0.5) = 720 s; "ana@gpu"
 * gets 24/day at 3600 x 0.11 = 396 s on the GPU node, utilisation 1/11; no CPU job lands on the GPU node. */
static void split_and_runtimes(void **state)
{
    (void)state;
    char json[2048];
    snprintf(json, sizeof json,
             "{\"seed\":7,\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" CPU_NODE "," GPU_NODE "]}],"
             "\"workload\":{\"classes\":[" ANA "],\"offload\":[{\"classes\":\"an*\",\"fraction\":0.5,\"node_type\":\"gpu\","
             "\"gpu_hs23\":100}]},\"horizon\":{\"days\":2,\"until\":\"end\"}}", 48.0);
    ws_scenario sc;
    ws_test_load_scenario("split.json", json, &sc);
    assert_int_equal(sc.n_classes, 2);
    assert_string_equal(sc.classes[1].name, "ana@gpu");
    assert_close(sc.classes[0].rate_per_day, 24, 1e-15);
    assert_close(sc.classes[1].rate_per_day, 24, 1e-15);
    assert_int_equal(sc.classes[1].gpus, 1);
    assert_close(sc.classes[1].utilisation, 1.0 / 11, 1e-15);
    ws_sim_result r;
    ws_sim_capture cap;
    ws_test_run_scenario(&sc, &r, &cap);
    int on_gpu = 0, on_cpu = 0;
    for (int i = 0; i < cap.n; i++) {
        const ws_sim_job_record *j = &cap.rec[i];
        assert_int_equal(j->group, j->cls); /* class 0 on group 0 (CPU), class 1 on group 1 (GPU) */
        assert_close(j->end_s - j->start_s, j->cls ? 396.0 : 720.0, 1e-12);
        j->cls ? on_gpu++ : on_cpu++;
    }
    assert_true(on_gpu > 20 && on_cpu > 20);
    ws_sim_result_free(&r);
    ws_scenario_free(&sc);
}

/* Everything moved to a site with only the GPU node: at most one job runs (one GPU), so the node draws
 * 150 W idle (GPU 100 + host 50) plus, per running job, GPU 100 x 1/11 + host 100 x (1 x 1/11) / 2 =
 * 150/11 W: IT energy = 150 x end + 150/11 x the jobs' 396 s each. */
static void energy_by_hand(void **state)
{
    (void)state;
    char json[2048];
    snprintf(json, sizeof json,
             "{\"seed\":3,\"sites\":[{\"name\":\"G\",\"carbon_g_per_kwh\":0,\"nodes\":[" GPU_NODE "]}],"
             "\"workload\":{\"classes\":[" ANA "],\"offload\":[{\"classes\":\"ana\",\"fraction\":1,\"node_type\":\"gpu\","
             "\"gpu_hs23\":100}]},\"horizon\":{\"days\":1,\"until\":\"end\"}}", 24.0);
    ws_sim_result r;
    ws_sim_capture cap;
    ws_test_run_json("all.json", json, &r, &cap);
    assert_true(cap.n > 10 && cap.n < 256);
    assert_int_equal(r.jobs_unfinished, 0);
    double want = 150.0 * r.end_s + 150.0 / 11 * 396.0 * (double)cap.n;
    assert_close(r.sites[0].it_energy_j, want, 1e-9);
    ws_sim_result_free(&r);
}

/* least-loaded dispatch of CPU jobs counts only the cores they may use: site A has a 4-core CPU node and a
 * 64-core GPU node for GPU jobs only, B a 4-core CPU node; 8 one-core jobs at t = 0 go 4 and 4 and all start
 * at once (counting the GPU node's cores, A would look 1/68 loaded per job and take 7: three would wait). */
static void dispatch_ignores_gpu_partition(void **state)
{
    (void)state;
    ws_test_write("eight.csv", "job_id,submit_s,runtime_s,cores\n1,0,100,1\n2,0,100,1\n3,0,100,1\n4,0,100,1\n"
                               "5,0,100,1\n6,0,100,1\n7,0,100,1\n8,0,100,1\n");
    ws_sim_result r;
    ws_sim_capture cap;
    ws_test_run_json("part.json",
                     "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" CPU_NODE ","
                     "{\"type\":\"gpu\",\"count\":1,\"cores\":64,\"gpus\":4,\"gpu_jobs_only\":true,"
                     "\"power\":{\"model\":\"linear\",\"idle_w\":1,\"max_w\":2}}]},"
                     "{\"name\":\"B\",\"carbon_g_per_kwh\":0,\"nodes\":[" CPU_NODE "]}],"
                     "\"workload\":{\"trace\":\"eight.csv\"},\"policy\":{\"dispatch\":\"least-loaded\"},\"horizon\":\"makespan\"}",
                     &r, &cap);
    assert_int_equal(cap.n, 8);
    int at_a = 0;
    for (int i = 0; i < cap.n; i++) {
        assert_true(cap.rec[i].start_s == 0 && cap.rec[i].group == 0);
        at_a += cap.rec[i].site == 0;
    }
    assert_int_equal(at_a, 4);
    ws_sim_result_free(&r);
}

static const char *refused(const char *offload, const char *cls)
{
    static char json[2048];
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" CPU_NODE "," GPU_NODE "]}],"
             "\"workload\":{\"classes\":[%s],\"offload\":[%s]}}", cls, offload);
    return ws_test_scenario_error(json);
}

static void refusals(void **state)
{
    (void)state;
    char ana[512];
    snprintf(ana, sizeof ana, ANA, 48.0);
    const char *fixed = "{\"name\":\"ana\",\"rate_per_day\":1,\"runtime\":{\"dist\":\"fixed\",\"value_s\":1}}";
    assert_non_null(strstr(refused("{\"classes\":\"ana\",\"fraction\":0.5,\"node_type\":\"tpu\",\"gpu_hs23\":1}", ana),
                           "workload.offload[0].node_type: no node group of type 'tpu'"));
    assert_non_null(strstr(refused("{\"classes\":\"reco*\",\"fraction\":0.5,\"node_type\":\"gpu\",\"gpu_hs23\":1}", ana),
                           "workload.offload[0].classes: 'reco*' matches no class with arrivals"));
    assert_non_null(strstr(refused("{\"classes\":\"ana\",\"fraction\":0.5,\"node_type\":\"gpu\",\"gpu_hs23\":1}", fixed),
                           "class 'ana': only a class with one \"runtime\" of work in HS23 s"));
    /* cores are read before the class is validated: a huge count is refused, never cast to int */
    const char *huge = "{\"name\":\"ana\",\"rate_per_day\":1,\"cores\":1e12,\"utilisation\":0.5,"
                       "\"runtime\":{\"dist\":\"hs23_work\",\"work_hs23_s\":1}}";
    assert_non_null(strstr(refused("{\"classes\":\"ana\",\"fraction\":0.5,\"node_type\":\"gpu\",\"gpu_hs23\":1}", huge),
                           "class 'ana': needs a CPU efficiency (utilisation) in (0, 1] and cores from 1 to"));
    assert_non_null(strstr(refused("{\"classes\":\"ana\",\"fraction\":1.5,\"node_type\":\"gpu\",\"gpu_hs23\":1}", ana),
                           "workload.offload[0].fraction: must be <= 1"));
    assert_non_null(strstr(refused("{\"classes\":\"ana\",\"fraction\":1,\"node_type\":\"gpu\",\"gpu_hs23\":1,\"gpus\":2}", ana),
                           "needs >= 2 GPUs"));
    assert_non_null(strstr(refused("{\"classes\":\"ana\",\"fraction\":1,\"node_type\":\"gpu\",\"gpu_hs23\":1,\"speedup\":2}", ana),
                           "workload.offload[0].speedup: unknown key"));
    /* by hand: the two keys go together, and need GPUs */
    const char *half = "{\"name\":\"x\",\"rate_per_day\":1,\"gpus\":1,\"runtime_by_type\":{\"gpu\":{\"dist\":\"hs23_work\","
                       "\"work_hs23_s\":1,\"gpu_hs23\":5}}}";
    char json[2048];
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" GPU_NODE "]}],\"workload\":{\"classes\":[%s]}}", half);
    assert_non_null(strstr(ws_test_scenario_error(json), "gpu_hs23 and cpu_efficiency go together"));
    const char *nogpu = "{\"name\":\"x\",\"rate_per_day\":1,\"runtime_by_type\":{\"gpu\":{\"dist\":\"hs23_work\","
                        "\"work_hs23_s\":1,\"gpu_hs23\":5,\"cpu_efficiency\":0.5}}}";
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[" CPU_NODE "]}],\"workload\":{\"classes\":[%s]}}", nogpu);
    assert_non_null(strstr(ws_test_scenario_error(json), "must be >= 1 for work that runs on GPUs"));
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[{\"type\":\"cpu\",\"count\":1,\"cores\":4,"
             "\"gpu_jobs_only\":true,\"power\":{\"model\":\"linear\",\"idle_w\":1,\"max_w\":2}}]}],\"workload\":{\"classes\":[%s]}}", fixed);
    assert_non_null(strstr(ws_test_scenario_error(json), "sites[0].nodes[0].gpu_jobs_only: must be true or false (true only for GPU nodes)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formula),
        cmocka_unit_test(split_and_runtimes),
        cmocka_unit_test(energy_by_hand),
        cmocka_unit_test(dispatch_ignores_gpu_partition),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
