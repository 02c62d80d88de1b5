/* test_sim_policies: the policies that move energy and carbon (issue 5), against answers worked out
 * by hand: greenest and cheapest dispatch (constant and stepping series), energy-aware dispatch with
 * restricted placement, temporal shifting under a perfect forecast (a hand example, then a
 * randomised property: never a missed deadline, never more CO2 than without shifting), the noisy
 * forecast (deterministic, deadlines kept), idle power-down with wake-up latency and energy, and the
 * validation messages of the new keys. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_sim.h"
#include "ws_testutil.h"

/* 1 core, 0 W idle, 100 W busy: a job's energy is 100 W x its runtime. */
#define NODE_100W "{\"type\":\"c\",\"count\":4,\"cores\":1,\"power\":{\"model\":\"linear\",\"idle_w\":0,\"max_w\":100}}"
#define HORIZON "\"horizon\":{\"start\":\"2020-01-01T00:00:00Z\",\"until\":\"makespan\"}"

/* greenest: site A 100 g/kWh x PUE 1.5 = 150 beats site B 300 x 1.0 = 300, so job 1 (t = 0) goes to
 * A: 100 W x 1000 s x 1.5 = 0.041667 kWh x 100 g = 4.1667 g. With A stepping to 400 g/kWh at 01:00
 * (x 1.5 = 600 > 300), job 2 arriving at exactly 01:00 goes to B (steps run before arrivals). */
static void test_greenest(void **state)
{
    (void)state;
    ws_test_write("g.csv", "job_id,submit_s,runtime_s,cores\n1,0,1000,1\n2,3600,1000,1\n");
    ws_test_write("g_ci.csv", "time,ci\n2020-01-01 00:00:00,100\n2020-01-01 01:00:00,400\n");
    const char *fmt = "{\"sites\":[{\"name\":\"A\",\"pue\":1.5,%s,\"nodes\":[" NODE_100W "]},"
                      "{\"name\":\"B\",\"carbon_g_per_kwh\":300,\"nodes\":[" NODE_100W "]}],"
                      "\"workload\":{\"trace\":\"g.csv\"},\"policy\":{\"dispatch\":\"greenest\"}," HORIZON "}";
    char json[2048];
    ws_sim_capture cap;
    ws_sim_result r;
    snprintf(json, sizeof json, fmt, "\"carbon_g_per_kwh\":100");
    ws_test_run_json("g1.json", json, &r, &cap);
    assert_int_equal(ws_test_find_job(&cap, 1)->site, 0);
    assert_int_equal(ws_test_find_job(&cap, 2)->site, 0);
    assert_close(r.sites[0].co2_g, 2 * 100e3 * 1.5 / 3.6e6 * 100, 1e-12);
    assert_close(r.total.co2_g, 2 * 100e3 * 1.5 / 3.6e6 * 100, 1e-12);
    ws_sim_result_free(&r);
    snprintf(json, sizeof json, fmt, "\"carbon_csv\":\"g_ci.csv\"");
    ws_test_run_json("g2.json", json, &r, &cap);
    assert_int_equal(ws_test_find_job(&cap, 1)->site, 0);
    assert_int_equal(ws_test_find_job(&cap, 2)->site, 1);
    /* 4.1667 g at A, 100 W x 1000 s x 1.0 x 300 g/kWh = 8.3333 g at B */
    assert_close(r.sites[0].co2_g, 100e3 * 1.5 / 3.6e6 * 100, 1e-12);
    assert_close(r.sites[1].co2_g, 100e3 / 3.6e6 * 300, 1e-12);
    ws_sim_result_free(&r);
}

/* greenest with the greenest site full: A (100 g/kWh) has one 1-core node, B (300) too. Job 1 at t = 0
 * goes to A; job 2 at t = 10 s would have to queue at A, so it goes to B (the site with room) and
 * both run at once; the makespan is 1010 s, not 2000 s. */
#define ONE_NODE "{\"type\":\"c\",\"count\":1,\"cores\":1,\"power\":{\"model\":\"linear\",\"idle_w\":0,\"max_w\":100}}"
static void test_greenest_full_site(void **state)
{
    (void)state;
    ws_test_write("gf.csv", "job_id,submit_s,runtime_s,cores\n1,0,1000,1\n2,10,1000,1\n");
    ws_sim_capture cap;
    ws_sim_result r;
    ws_test_run_json("gf.json",
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":100,\"nodes\":[" ONE_NODE "]},"
             "{\"name\":\"B\",\"carbon_g_per_kwh\":300,\"nodes\":[" ONE_NODE "]}],"
             "\"workload\":{\"trace\":\"gf.csv\"},\"policy\":{\"dispatch\":\"greenest\"}," HORIZON "}",
             &r, &cap);
    assert_int_equal(ws_test_find_job(&cap, 1)->site, 0);
    assert_int_equal(ws_test_find_job(&cap, 2)->site, 1);
    assert_true(ws_test_find_job(&cap, 2)->wait_s == 0);
    ws_sim_result_free(&r);
}

/* cheapest: A 0.30/kWh; B 0.10 until 01:00 then 0.50; C has no price (+infinity, never chosen while a
 * price exists). Job 1 (t = 0) -> B: cost 100 kJ / 3.6 MJ x 0.10; job 2 (01:00) -> A: x 0.30. */
static void test_cheapest(void **state)
{
    (void)state;
    ws_test_write("p.csv", "job_id,submit_s,runtime_s,cores\n1,0,1000,1\n2,3600,1000,1\n");
    ws_test_write("p_price.csv", "time,eur\n2020-01-01 00:00:00,0.10\n2020-01-01 01:00:00,0.50\n");
    ws_sim_capture cap;
    ws_sim_result r;
    ws_test_run_json("p.json",
             "{\"sites\":[{\"name\":\"C\",\"carbon_g_per_kwh\":0,\"nodes\":[" NODE_100W "]},"
             "{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"price_per_kwh\":0.3,\"nodes\":[" NODE_100W "]},"
             "{\"name\":\"B\",\"carbon_g_per_kwh\":0,\"price_csv\":\"p_price.csv\",\"nodes\":[" NODE_100W "]}],"
             "\"workload\":{\"trace\":\"p.csv\"},\"policy\":{\"dispatch\":\"cheapest\"}," HORIZON "}",
             &r, &cap);
    assert_int_equal(ws_test_find_job(&cap, 1)->site, 2);
    assert_int_equal(ws_test_find_job(&cap, 2)->site, 1);
    assert_close(r.sites[2].cost, 100e3 / 3.6e6 * 0.10, 1e-12);
    assert_close(r.sites[1].cost, 100e3 / 3.6e6 * 0.30, 1e-12);
    assert_true(r.sites[0].cost == 0 && r.sites[0].jobs_started == 0);
    ws_sim_result_free(&r);
}

/* energy-aware: group 0 "b" (4 cores, 50..150 W) runs the job in 2500 s, group 1 "a" (4 cores,
 * 100..300 W) in 1000 s. A 4-core job at utilisation 1 is attributed the whole node: b 150 W x 2500 s
 * = 375 kJ, a 300 W x 1000 s = 300 kJ -> a, although first-fit would try b first. Every job is pinned
 * to a (they queue there while b idles): E = idle of both (150 W x end) + 200 W x 1000 s per job.
 * With power_factor 0.5 on b (the whole node's draw is halved): b = 0.5 x 150 W x 2500 s = 187.5 kJ
 * < 300 kJ -> b: E = 150 W x end + (75 - 50) W x 2500 s per job. */
static void test_energy_aware(void **state)
{
    (void)state;
    const char *fmt =
        "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":["
        "{\"type\":\"b\",\"count\":1,\"cores\":4,\"power\":{\"model\":\"linear\",\"idle_w\":50,\"max_w\":150}},"
        "{\"type\":\"a\",\"count\":1,\"cores\":4,\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":300}}]}],"
        "\"workload\":{\"classes\":[{\"name\":\"k\",\"rate_per_day\":12,\"cores\":4,\"runtime_by_type\":{"
        "\"a\":{\"dist\":\"fixed\",\"value_s\":1000},\"b\":{\"dist\":\"fixed\",\"value_s\":2500%s}}}]},"
        "\"policy\":{\"dispatch\":\"energy-aware\"},\"horizon\":{\"days\":1,\"until\":\"makespan\"},\"seed\":5}";
    char json[2048];
    ws_sim_capture cap;
    ws_sim_result r;
    snprintf(json, sizeof json, fmt, "");
    ws_test_run_json("ea1.json", json, &r, &cap);
    assert_true(r.total.jobs_completed >= 3);
    assert_int_equal(r.jobs_unfinished, 0);
    for (int i = 0; i < cap.n; i++)
        assert_int_equal(cap.rec[i].group, 1);
    assert_close(r.total.it_energy_j, 150.0 * r.end_s + 200.0 * 1000 * (double)r.total.jobs_completed, 1e-12);
    ws_sim_result_free(&r);
    snprintf(json, sizeof json, fmt, ",\"power_factor\":0.5");
    ws_test_run_json("ea2.json", json, &r, &cap);
    for (int i = 0; i < cap.n; i++)
        assert_int_equal(cap.rec[i].group, 0);
    assert_close(r.total.it_energy_j, 150.0 * r.end_s + 25.0 * 2500 * (double)r.total.jobs_completed, 1e-12);
    ws_sim_result_free(&r);
}

/* Shifting, perfect forecast: carbon 300 g/kWh for 2 h, then 100. A 1 h job at t = 0 with 6 h of
 * slack starts at 2 h (the first grid point whose window is all at 100): 100 W x 1 h = 0.1 kWh x 100
 * = 10 g (30 g unshifted). With a deadline of 9000 s it must start by 5400 s: the best is 5400
 * (half an hour at 300, half at 100 = 20 g), ending exactly at the deadline (not a miss). */
static void test_shift_hand(void **state)
{
    (void)state;
    ws_test_write("sh.csv", "job_id,submit_s,runtime_s,cores,gpus,class\n1,0,3600,1,0,batch\n");
    ws_test_write("sh_ci.csv", "time,ci\n2020-01-01 00:00:00,300\n2020-01-01 02:00:00,100\n");
    const char *fmt = "{\"sites\":[{\"name\":\"A\",\"carbon_csv\":\"sh_ci.csv\",\"nodes\":[" NODE_100W "]}],"
                      "\"workload\":{\"trace\":\"sh.csv\",\"classes\":[{\"name\":\"batch\",\"shift\":{\"slack_s\":21600}%s}]},"
                      "\"policy\":{%s}," HORIZON "}";
    char json[2048];
    ws_sim_capture cap;
    ws_sim_result r;
    snprintf(json, sizeof json, fmt, "", "\"shifting\":{\"forecast\":\"perfect\",\"step_s\":900}");
    ws_test_run_json("sh1.json", json, &r, &cap);
    assert_true(ws_test_find_job(&cap, 1)->start_s == 7200);
    assert_true(ws_test_find_job(&cap, 1)->wait_s == 7200);
    assert_close(r.total.co2_g, 10, 1e-12);
    ws_sim_result_free(&r);
    snprintf(json, sizeof json, fmt, "", "");
    ws_test_run_json("sh0.json", json, &r, &cap);
    assert_true(ws_test_find_job(&cap, 1)->start_s == 0);
    assert_close(r.total.co2_g, 30, 1e-12);
    ws_sim_result_free(&r);
    snprintf(json, sizeof json, fmt, ",\"deadline_s\":9000", "\"shifting\":{}");
    ws_test_run_json("sh2.json", json, &r, &cap);
    assert_true(ws_test_find_job(&cap, 1)->start_s == 5400);
    assert_true(ws_test_find_job(&cap, 1)->end_s == 9000);
    assert_int_equal(r.total.deadline_missed, 0);
    assert_close(r.total.co2_g, 20, 1e-12);
    ws_sim_result_free(&r);
}

/* xorshift64*: the property test's own generator (fixed seed, reproducible). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static double urand(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* A random small scenario: 48 hourly carbon values (20..600) and a random hourly PUE, 8..24 jobs
 * (half deferrable, deadlines >= runtime) arriving in 12 h, 64 nodes of 4 cores (no queueing). */
static void random_scenario(int it, ws_scenario *sc, int *n_jobs)
{
    char ci[4096] = "time,ci\n", trace[4096] = "job_id,submit_s,runtime_s,cores,gpus,class\n", pue[512] = "";
    for (int h = 0; h < 48; h++)
        snprintf(ci + strlen(ci), sizeof ci - strlen(ci), "2020-01-0%d %02d:00:00,%.3f\n", 1 + h / 24, h % 24,
                 20 + 580 * urand());
    for (int h = 0; h < 24; h++)
        snprintf(pue + strlen(pue), sizeof pue - strlen(pue), "%s%.3f", h ? "," : "", 1 + urand());
    double deadline = 4 * 3600 + 8 * 3600 * urand(), slack = 1800 + 12 * 3600 * urand();
    *n_jobs = 8 + (int)(17 * urand());
    double t = 0;
    for (int j = 0; j < *n_jobs; j++) {
        t += 43200.0 / *n_jobs * urand();
        snprintf(trace + strlen(trace), sizeof trace - strlen(trace), "%d,%.1f,%.1f,%d,0,%s\n", j + 1, t,
                 60 + (4 * 3600 - 60) * urand(), 1 + (int)(4 * urand()), urand() < 0.5 ? "defer" : "now");
    }
    ws_test_write("prop_ci.csv", ci);
    ws_test_write("prop.csv", trace);
    static const double steps[] = {300, 900, 1800, 3600};
    char json[4096];
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"A\",\"carbon_csv\":\"prop_ci.csv\",\"pue\":{\"hourly\":[%s]},\"nodes\":["
             "{\"type\":\"c\",\"count\":64,\"cores\":4,\"power\":{\"model\":\"linear\",\"idle_w\":50,\"max_w\":250}}]}],"
             "\"workload\":{\"trace\":\"prop.csv\",\"classes\":[{\"name\":\"defer\",\"utilisation\":%.3f,"
             "\"deadline_s\":%.1f,\"shift\":{\"slack_s\":%.1f}},{\"name\":\"now\",\"deadline_s\":%.1f}]},"
             "\"policy\":{\"shifting\":{\"forecast\":\"perfect\",\"step_s\":%g}},"
             "\"horizon\":{\"start\":\"2020-01-01T00:00:00Z\",\"days\":2},\"seed\":%d}",
             pue, 0.2 + 0.8 * urand(), deadline, slack, deadline, steps[(int)(4 * urand())], it + 1);
    ws_test_load_scenario("prop.json", json, sc);
}

static void check_no_miss(const ws_sim_result *r, int n_jobs)
{
    assert_int_equal(r->total.deadline_missed, 0);
    assert_int_equal(r->total.jobs_completed, n_jobs);
}

/* 200 random scenarios: with a perfect forecast, shifting never misses a deadline and never emits
 * more CO2 than the same scenario without shifting (to 1e-9 relative). A noisy forecast (sigma 0.3)
 * is deterministic for a seed and never misses a deadline either. */
static void test_shift_property(void **state)
{
    (void)state;
    int shifted = 0;
    for (int it = 0; it < 200; it++) {
        ws_scenario sc;
        int n_jobs;
        ws_sim_result with, without, noisy, noisy2;
        random_scenario(it, &sc, &n_jobs);
        ws_test_run_scenario(&sc, &with, NULL);
        sc.policy.shifting.enabled = 0;
        ws_test_run_scenario(&sc, &without, NULL);
        check_no_miss(&with, n_jobs);
        check_no_miss(&without, n_jobs);
        if (!(with.total.co2_g <= without.total.co2_g * (1 + 1e-9)))
            fail_msg("scenario %d: CO2 %.12g g with shifting > %.12g g without", it, with.total.co2_g,
                     without.total.co2_g);
        shifted += with.total.co2_g < without.total.co2_g * (1 - 1e-6);
        sc.policy.shifting.enabled = 1;
        sc.policy.shifting.forecast = WS_FORECAST_NOISY;
        sc.policy.shifting.noise_sigma = 0.3;
        ws_test_run_scenario(&sc, &noisy, NULL);
        ws_test_run_scenario(&sc, &noisy2, NULL);
        check_no_miss(&noisy, n_jobs);
        assert_true(noisy.total.co2_g == noisy2.total.co2_g);
        assert_true(noisy.total.wait.sum_s == noisy2.total.wait.sum_s);
        ws_sim_result_free(&with);
        ws_sim_result_free(&without);
        ws_sim_result_free(&noisy);
        ws_sim_result_free(&noisy2);
        ws_scenario_free(&sc);
    }
    assert_true(shifted > 150); /* the property is not vacuous: shifting usually saves */
}

/* A noisy forecast moves a job away from the perfect choice when the noise says so, and a different
 * seed gives a different forecast: over 40 seeds of the hand example, not every start is 7200. */
static void test_shift_noisy_seeds(void **state)
{
    (void)state;
    ws_test_write("sn.csv", "job_id,submit_s,runtime_s,cores,gpus,class\n1,0,3600,1,0,batch\n");
    ws_test_write("sn_ci.csv", "time,ci\n2020-01-01 00:00:00,120\n2020-01-01 02:00:00,100\n");
    int other = 0;
    for (int seed = 1; seed <= 40; seed++) {
        char json[2048];
        ws_sim_capture cap;
        ws_sim_result r;
        snprintf(json, sizeof json,
                 "{\"sites\":[{\"name\":\"A\",\"carbon_csv\":\"sn_ci.csv\",\"nodes\":[" NODE_100W "]}],"
                 "\"workload\":{\"trace\":\"sn.csv\",\"classes\":[{\"name\":\"batch\",\"deadline_s\":20000,"
                 "\"shift\":{\"slack_s\":21600}}]},\"policy\":{\"shifting\":{\"forecast\":\"noisy\","
                 "\"noise_sigma\":0.5}},\"seed\":%d," HORIZON "}",
                 seed);
        ws_test_run_json("sn.json", json, &r, &cap);
        const ws_sim_job_record *j = ws_test_find_job(&cap, 1);
        assert_true(j->start_s <= 21600 && j->end_s <= 20000);
        assert_int_equal(r.total.deadline_missed, 0);
        other += j->start_s != 7200;
        ws_sim_result_free(&r);
    }
    assert_true(other > 0);
}

/* Power-down: one 4-core node, 100 W idle .. 300 W busy, off after 600 s idle at 5 W, wake-up 120 s
 * at 300 W. Job 1 (4 cores) 0..1000 s at 300 W; idle 1000..1600 at 100 W; off 1600..5000 at 5 W;
 * job 2 arrives at 5000 on the off node: wakes 5000..5120 at 300 W, runs 5120..6120 at 300 W.
 * E = 300 000 + 60 000 + 17 000 + 36 000 + 300 000 = 713 000 J. */
static void test_power_down(void **state)
{
    (void)state;
    ws_test_write("pd.csv", "job_id,submit_s,runtime_s,cores\n1,0,1000,4\n2,5000,1000,4\n");
    ws_sim_capture cap;
    ws_sim_result r;
    ws_test_run_json("pd.json",
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[{\"type\":\"c\",\"count\":1,\"cores\":4,"
             "\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":300}}]}],\"workload\":{\"trace\":\"pd.csv\"},"
             "\"policy\":{\"power_down\":{\"after_s\":600,\"off_w\":5,\"wake_s\":120,\"wake_w\":300}}," HORIZON "}",
             &r, &cap);
    assert_true(ws_test_find_job(&cap, 1)->start_s == 0);
    assert_true(ws_test_find_job(&cap, 2)->start_s == 5120);
    assert_true(ws_test_find_job(&cap, 2)->end_s == 6120);
    assert_true(ws_test_find_job(&cap, 2)->wait_s == 120);
    assert_true(r.end_s == 6120);
    assert_close(r.total.it_energy_j, 713000, 1e-12);
    ws_sim_result_free(&r);
}

/* Power-down per site: site A takes the policy's (off after 600 s at 5 W), site B says false (always
 * awake), site C its own (off after 3600 s at 0 W). One idle node each over a fixed day, no jobs but one
 * 1 s job at A (round-robin sends it there first): A 300 W for 1 s, 100 W to 601 s, 5 W after;
 * B 100 W all day; C 100 W for 3600 s, 0 W after. */
static void test_power_down_per_site(void **state)
{
    (void)state;
    ws_test_write("ps.csv", "job_id,submit_s,runtime_s,cores\n1,0,1,4\n");
#define PS_NODE "\"nodes\":[{\"type\":\"c\",\"count\":1,\"cores\":4,\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":300}}]"
    ws_sim_result r;
    ws_test_run_json("ps.json",
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0," PS_NODE "},"
             "{\"name\":\"B\",\"carbon_g_per_kwh\":0,\"power_down\":false," PS_NODE "},"
             "{\"name\":\"C\",\"carbon_g_per_kwh\":0,\"power_down\":{\"after_s\":3600,\"off_w\":0}," PS_NODE "}],"
             "\"workload\":{\"trace\":\"ps.csv\"},\"policy\":{\"power_down\":{\"after_s\":600,\"off_w\":5}},"
             "\"horizon\":{\"start\":\"2020-01-01T00:00:00Z\",\"days\":1}}",
             &r, NULL);
#undef PS_NODE
    assert_close(r.sites[0].it_energy_j, 300.0 * 1 + 100.0 * 600 + 5.0 * (86400 - 601), 1e-12);
    assert_close(r.sites[1].it_energy_j, 100.0 * 86400, 1e-12);
    assert_close(r.sites[2].it_energy_j, 100.0 * 3600, 1e-12);
    ws_sim_result_free(&r);
}

/* Awake nodes first: node 0 switches off at 1600 (job 1 ended at 1000); job 3 (1 core, at 2000) goes
 * to node 1, which is awake and has room next to job 2, and starts at once rather than waking node 0.
 * Over a fixed day: node 0 draws 300 W 0..1000, 100 W to 1600, 5 W after; node 1 200 W (2 cores)
 * 0..2000, 300 W 2000..3000, 200 W 3000..5000, then 100 W to 5600 and 5 W after. */
static void test_power_down_prefers_awake(void **state)
{
    (void)state;
    ws_test_write("pa.csv", "job_id,submit_s,runtime_s,cores\n1,0,1000,4\n2,0,3000,2\n3,2000,3000,2\n");
    ws_sim_capture cap;
    ws_sim_result r;
    ws_test_run_json("pa.json",
             "{\"sites\":[{\"name\":\"A\",\"carbon_g_per_kwh\":0,\"nodes\":[{\"type\":\"c\",\"count\":2,\"cores\":4,"
             "\"power\":{\"model\":\"linear\",\"idle_w\":100,\"max_w\":300}}]}],\"workload\":{\"trace\":\"pa.csv\"},"
             "\"policy\":{\"power_down\":{\"after_s\":600,\"off_w\":5,\"wake_s\":120,\"wake_w\":300}},"
             "\"horizon\":{\"start\":\"2020-01-01T00:00:00Z\",\"days\":1}}",
             &r, &cap);
    assert_int_equal(ws_test_find_job(&cap, 2)->node, 1);
    assert_int_equal(ws_test_find_job(&cap, 3)->node, 1);
    assert_true(ws_test_find_job(&cap, 3)->start_s == 2000);
    double n0 = 300.0 * 1000 + 100.0 * 600 + 5.0 * (86400 - 1600);
    double n1 = 200.0 * 2000 + 300.0 * 1000 + 200.0 * 2000 + 100.0 * 600 + 5.0 * (86400 - 5600);
    assert_close(r.total.it_energy_j, n0 + n1, 1e-12);
    ws_sim_result_free(&r);
}


#define SITE_NOPRICE "{\"name\":\"A\",\"carbon_g_per_kwh\":50,\"nodes\":[" NODE_100W "]}"
#define CLASS_W "\"workload\":{\"classes\":[{\"name\":\"a\",\"rate_per_day\":1,\"runtime\":{\"dist\":\"fixed\",\"value_s\":1}%s}]}"

static const char *policy_error(const char *cls_extra, const char *policy)
{
    char j[2048], w[512];
    snprintf(w, sizeof w, CLASS_W, cls_extra);
    snprintf(j, sizeof j, "{\"sites\":[" SITE_NOPRICE "],%s,\"policy\":{%s},\"horizon\":{\"days\":1}}", w, policy);
    return ws_test_scenario_error(j);
}

static void test_messages(void **state)
{
    (void)state;
    assert_string_equal(policy_error("", "\"dispatch\":\"cheapest\""),
                        "policy.dispatch: cheapest needs a price (price_per_kwh or price_csv) on at least one site");
    assert_string_equal(policy_error("", "\"dispatch\":\"greenist\""),
                        "policy.dispatch: 'greenist' is not one of round-robin, least-loaded, greenest, cheapest, energy-aware");
    assert_string_equal(policy_error(",\"shift\":{\"slack_s\":0}", ""), "workload.classes[0].shift.slack_s: must be > 0");
    assert_string_equal(policy_error(",\"shift\":{}", ""), "workload.classes[0].shift.slack_s: missing");
    assert_string_equal(policy_error(",\"shift\":{\"slack_s\":5,\"slak\":1}", ""), "workload.classes[0].shift.slak: unknown key");
    assert_string_equal(policy_error(",\"shift\":3600", ""), "workload.classes[0].shift: must be an object {\"slack_s\": S}");
    assert_string_equal(policy_error("", "\"shifting\":{\"forecast\":\"psychic\"}"),
                        "policy.shifting.forecast: 'psychic' is not one of perfect, noisy");
    assert_string_equal(policy_error("", "\"shifting\":{\"noise_sigma\":0.2}"),
                        "policy.shifting.noise_sigma: only with \"forecast\": \"noisy\"");
    assert_string_equal(policy_error("", "\"shifting\":{\"forecast\":\"noisy\",\"noise_sigma\":-1}"),
                        "policy.shifting.noise_sigma: must be >= 0");
    assert_string_equal(policy_error("", "\"shifting\":{\"step_s\":0}"), "policy.shifting.step_s: must be > 0");
    assert_string_equal(policy_error("", "\"shifting\":{\"horizon\":1}"), "policy.shifting.horizon: unknown key");
    assert_non_null(strstr(policy_error("", "\"shifting\":true"), "policy.shifting: must be an object"));
    assert_string_equal(policy_error("", "\"power_down\":{}"), "policy.power_down.after_s: missing");
    assert_string_equal(policy_error("", "\"power_down\":{\"after_s\":60,\"off_w\":-5}"), "policy.power_down.off_w: must be >= 0");
    assert_string_equal(policy_error("", "\"power_down\":{\"after_s\":60,\"wake\":5}"), "policy.power_down.wake: unknown key");
    assert_non_null(strstr(policy_error("", "\"power_down\":600"), "policy.power_down: must be an object"));
    /* the new keys read back */
    ws_scenario sc;
    char j[2048], w[512];
    snprintf(w, sizeof w, CLASS_W, ",\"shift\":{\"slack_s\":7200}");
    snprintf(j, sizeof j,
             "{\"sites\":[" SITE_NOPRICE "],%s,\"policy\":{\"dispatch\":\"energy-aware\",\"shifting\":{\"forecast\":\"noisy\"},"
             "\"power_down\":{\"after_s\":60,\"off_w\":4,\"wake_s\":30,\"wake_w\":200}},\"horizon\":{\"days\":1}}",
             w);
    ws_test_load_scenario("good.json", j, &sc);
    assert_int_equal(sc.policy.dispatch, WS_DISPATCH_ENERGY_AWARE);
    assert_true(sc.classes[0].shift_slack_s == 7200);
    assert_true(sc.policy.shifting.enabled && sc.policy.shifting.forecast == WS_FORECAST_NOISY);
    assert_true(sc.policy.shifting.noise_sigma == 0.1 && sc.policy.shifting.step_s == 900);
    assert_true(sc.policy.power_down.enabled && sc.policy.power_down.after_s == 60 && sc.policy.power_down.off_w == 4);
    assert_true(sc.policy.power_down.wake_s == 30 && sc.policy.power_down.wake_w == 200);
    assert_string_equal(ws_dispatch_policy_name(sc.policy.dispatch), "energy-aware");
    ws_scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greenest),
        cmocka_unit_test(test_greenest_full_site),         cmocka_unit_test(test_cheapest),
        cmocka_unit_test(test_energy_aware),     cmocka_unit_test(test_shift_hand),
        cmocka_unit_test(test_shift_property),   cmocka_unit_test(test_shift_noisy_seeds),
        cmocka_unit_test(test_power_down),       cmocka_unit_test(test_power_down_prefers_awake),
        cmocka_unit_test(test_power_down_per_site),
        cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
