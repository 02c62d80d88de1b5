/* test_easy: easy-backfill against classic EASY (Mu'alem & Feitelson, IEEE TPDS 12(6), 2001), replayed
 * by an independent implementation written here (processor counts, a sorted list of running jobs, no
 * code shared with the engine): on machines of identical one-core nodes with exact runtimes the engine
 * must start every job at the same instant. Traces: the shipped real PWA excerpt (NASA iPSC/860, 128
 * nodes), and PWA-style synthetic traces at high load (sizes 1..M with powers of two favoured, integer
 * runtimes with ties, bursts of simultaneous submits, zero-runtime jobs). Then the multi-core semantics
 * of scenarios/README.md on hand-worked examples, and a bounded backfill_depth. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_sim.h"
#include "ws_testutil.h"

/* ---------- the reference: classic EASY on counts ---------- */

typedef struct {
    int64_t id;
    double submit, run, start, end;
    int n;
} ref_job;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Classic EASY over jobs[0..nj) (submit order) on m processors; fills start. At each instant: every
 * completion, then every arrival, then one pass: queue order while the head fits; then the head's
 * shadow (running jobs by end time until enough processors are free, jobs ending at that same instant
 * included) and extra processors; a waiting job starts if it fits now and ends by the shadow, or uses
 * no more than the extra processors (which it then consumes). */
static void ref_easy(ref_job *jobs, int nj, int m)
{
    int *queue = malloc((size_t)nj * sizeof *queue), *running = malloc((size_t)nj * sizeof *running);
    double (*ends)[2] = malloc((size_t)nj * sizeof *ends);
    int nq = 0, nr = 0, next = 0, free_p = m;
    assert_non_null(queue);
    assert_non_null(running);
    assert_non_null(ends);
    while (next < nj || nq > 0 || nr > 0) {
        double t = INFINITY;
        if (next < nj)
            t = jobs[next].submit;
        for (int i = 0; i < nr; i++)
            if (jobs[running[i]].end < t)
                t = jobs[running[i]].end;
        for (int i = 0; i < nr;)
            if (jobs[running[i]].end == t) {
                free_p += jobs[running[i]].n;
                running[i] = running[--nr];
            } else
                i++;
        while (next < nj && jobs[next].submit == t)
            queue[nq++] = next++;
        while (nq > 0 && jobs[queue[0]].n <= free_p) {
            ref_job *j = &jobs[queue[0]];
            j->start = t;
            j->end = t + j->run;
            free_p -= j->n;
            running[nr++] = queue[0];
            memmove(queue, queue + 1, (size_t)--nq * sizeof *queue);
        }
        if (nq == 0)
            continue;
        for (int i = 0; i < nr; i++) {
            ends[i][0] = jobs[running[i]].end;
            ends[i][1] = jobs[running[i]].n;
        }
        qsort(ends, (size_t)nr, sizeof *ends, cmp_double);
        double shadow = INFINITY;
        int acc = free_p, extra = 0;
        for (int i = 0; i < nr; i++) {
            acc += (int)ends[i][1];
            if (acc >= jobs[queue[0]].n && (i + 1 == nr || ends[i + 1][0] != ends[i][0])) {
                shadow = ends[i][0];
                extra = acc - jobs[queue[0]].n;
                break;
            }
        }
        for (int q = 1; q < nq;) {
            ref_job *j = &jobs[queue[q]];
            int short_job = t + j->run <= shadow;
            if (j->n <= free_p && (short_job || j->n <= extra)) {
                j->start = t;
                j->end = t + j->run;
                free_p -= j->n;
                if (!short_job)
                    extra -= j->n;
                running[nr++] = queue[q];
                memmove(queue + q, queue + q + 1, (size_t)(--nq - q) * sizeof *queue);
            } else
                q++;
        }
    }
    free(queue);
    free(running);
    free(ends);
}

/* ---------- the engine on the same trace ---------- */

typedef struct {
    int64_t *id;
    double *start;
    int n, cap;
} starts_t;

static void on_job(void *ctx, const ws_sim_job_record *r)
{
    starts_t *c = ctx;
    assert_true(c->n < c->cap);
    c->id[c->n] = r->id;
    c->start[c->n++] = r->start_s;
}

/* Run a trace on `nodes` x `cores` nodes with easy-backfill and backfill_depth; *out gets (id, start)
 * of every job (room for cap). */
static void engine_run(const char *trace, int nodes, int cores, int depth, starts_t *out, int cap)
{
    char json[2048], name[64];
    static int k;
    snprintf(json, sizeof json,
             "{\"sites\":[{\"name\":\"M\",\"carbon_g_per_kwh\":100,\"nodes\":[{\"type\":\"c\",\"count\":%d,\"cores\":%d,"
             "\"power\":{\"model\":\"linear\",\"idle_w\":10,\"max_w\":100}}]}],\"workload\":{\"trace\":\"%s\"},"
             "\"policy\":{\"queue\":\"easy-backfill\",\"backfill_depth\":%d},"
             "\"horizon\":{\"start\":\"2020-01-01T00:00:00Z\",\"days\":36500,\"until\":\"makespan\"}}",
             nodes, cores, trace, depth);
    snprintf(name, sizeof name, "easy%d.json", k++);
    ws_scenario sc;
    ws_sim_result res;
    ws_test_load_scenario(name, json, &sc);
    out->id = calloc((size_t)cap, sizeof *out->id);
    out->start = calloc((size_t)cap, sizeof *out->start);
    out->n = 0;
    out->cap = cap;
    ws_sim_options opt;
    ws_error err;
    memset(&opt, 0, sizeof opt);
    opt.obs.on_job = on_job;
    opt.obs.ctx = out;
    if (ws_sim_run(&sc, &opt, &res, &err) != 0) {
        ws_error_print(&err, stderr);
        fail();
    }
    assert_int_equal(res.jobs_unfinished, 0);
    ws_sim_result_free(&res);
    ws_scenario_free(&sc);
}

/* Read the SWF fields the reference needs (job, submit, runtime, processors; records the engine skips
 * are skipped the same way: missing runtime/submit/processors). */
static int read_swf(const char *path, ref_job *jobs, int cap)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int n = 0;
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        double v[18];
        if (line[0] == ';' ||
            sscanf(line, "%lf %lf %lf %lf %lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 8)
            continue;
        double procs = v[4] > 0 ? v[4] : v[7];
        if (v[1] < 0 || v[3] < 0 || procs <= 0)
            continue;
        assert_true(n < cap);
        jobs[n++] = (ref_job){(int64_t)v[0], v[1], v[3], -1, -1, (int)procs};
    }
    fclose(f);
    return n;
}

/* Compare job by job; returns the number of jobs whose start differs (and prints the first few). */
static int compare(const ref_job *jobs, int n, const starts_t *e)
{
    int diff = 0;
    assert_int_equal(e->n, n);
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (k < e->n && e->id[k] != jobs[i].id)
            k++;
        assert_true(k < e->n);
        if (e->start[k] != jobs[i].start && diff++ < 5)
            print_message("job %lld (submit %.0f, %d procs, %.0f s): engine starts at %.0f, classic EASY at %.0f\n",
                          (long long)jobs[i].id, jobs[i].submit, jobs[i].n, jobs[i].run, e->start[k], jobs[i].start);
    }
    return diff;
}

/* Returns how many jobs classic EASY starts before a job submitted earlier (backfilled ones). */
static int check_trace(const char *path, int m, int cap)
{
    ref_job *jobs = calloc((size_t)cap, sizeof *jobs);
    int n = read_swf(path, jobs, cap);
    ref_easy(jobs, n, m);
    starts_t e;
    engine_run(path, m, 1, 1000000000, &e, cap);
    assert_int_equal(compare(jobs, n, &e), 0);
    int jumped = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < i && !(jobs[i].start < jobs[k].start && jobs[k].submit < jobs[i].submit && (jumped++, 1)); k++)
            ;
    free(e.id);
    free(e.start);
    free(jobs);
    return jumped;
}

/* The real excerpt: 228 jobs of NASA iPSC/860 on its 128 one-processor nodes (a light load: nothing
 * is backfilled in it, so it checks the plain queue; the synthetic traces below load the machine). */
static void test_classic_pwa_real(void **state)
{
    (void)state;
    check_trace(WS_TEST_DATA "/workloads/NASA-iPSC-1993-3-first228.swf", 128, 400);
}

/* A PWA-style synthetic trace (xorshift, fixed seed): m processors, n jobs, load ~1.2 so a queue
 * persists; sizes 1..m (half powers of two), runtimes 0..20000 s in whole seconds, submits in bursts. */
static const char *write_synthetic(const char *name, uint64_t seed, int n, int m)
{
    size_t cap = (size_t)n * 96 + 64, len = 0;
    char *text = malloc(cap);
    uint64_t x = seed;
    double t = 0;
    assert_non_null(text);
    len += (size_t)snprintf(text + len, cap - len, "; SYNTHETIC PWA-style trace for test_easy (not measured)\n");
    for (int i = 1; i <= n; i++) {
#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
        int procs = NEXT() % 2 ? 1 << (int)(NEXT() % 8) : 1 + (int)(NEXT() % (uint64_t)m);
        if (procs > m)
            procs = m;
        int run = NEXT() % 10 == 0 ? 0 : (int)(NEXT() % 20000) / 10 * 10;
        if (NEXT() % 3)
            t += (double)(NEXT() % 1200);
#undef NEXT
        len += (size_t)snprintf(text + len, cap - len, "%d %.0f -1 %d %d -1 -1 %d %d -1 1 1 1 1 1 1 -1 -1\n", i, t, run,
                                procs, procs, run);
    }
    const char *path = ws_test_write(name, text);
    free(text);
    return path;
}

static void test_classic_synthetic(void **state)
{
    (void)state;
    static const uint64_t seeds[] = {1, 42, 2001, 0x9e3779b97f4a7c15ULL};
    for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
        char name[32];
        snprintf(name, sizeof name, "syn%zu.swf", i);
        /* backfilling really happens: hundreds of jobs jump the queue */
        assert_true(check_trace(write_synthetic(name, seeds[i], 3000, 128), 128, 3000) > 100);
    }
    assert_true(check_trace(write_synthetic("syn_small.swf", 7, 2000, 16), 16, 2000) > 100);
}

/* ---------- multi-core semantics (scenarios/README.md), worked by hand ---------- */

static void run_csv(const char *csv, int nodes, int cores, int depth, starts_t *out)
{
    char name[32];
    static int k;
    snprintf(name, sizeof name, "mc%d.csv", k++);
    engine_run(ws_test_write(name, csv), nodes, cores, depth, out, 64);
}

static double start_of(const starts_t *e, int64_t id)
{
    for (int i = 0; i < e->n; i++)
        if (e->id[i] == id)
            return e->start[i];
    fail_msg("job %lld not run", (long long)id);
    return NAN;
}

/* One-node head on 2 nodes x 4 cores. j1 (2 cores, 0-100 s) on node 0, j2 (4 cores, to 1000 s) on
 * node 1. j3 (4 cores) is the head: at its shadow time 100 s node 0 has 4 free, all of which it takes.
 * j4 (2 cores, 500 s) fits now on node 0 but would run past 100 s on what j3 holds: it waits. j5
 * (2 cores, 90 s) ends at 93 s <= 100 s: it starts at once. j3 starts at 100 s, j4 at 150 s. With
 * backfill_depth 1 only j4 is looked at while j3 waits, so j5 starts at 150 s beside j4. */
static void test_one_node_head(void **state)
{
    (void)state;
    const char *csv = "job_id,submit_s,runtime_s,cores\n1,0,100,2\n2,0,1000,4\n3,1,50,4\n4,2,500,2\n5,3,90,2\n";
    starts_t e;
    run_csv(csv, 2, 4, 1000, &e);
    assert_true(start_of(&e, 3) == 100 && start_of(&e, 4) == 150 && start_of(&e, 5) == 3);
    free(e.id);
    free(e.start);
    run_csv(csv, 2, 4, 1, &e);
    assert_true(start_of(&e, 3) == 100 && start_of(&e, 4) == 150 && start_of(&e, 5) == 150);
    free(e.id);
    free(e.start);
}

/* Whole-node head on 3 nodes x 2 cores. j1 (2 cores, 0-100 s) fills node 0, j2 (1 core, to 1000 s)
 * half of node 1. j3 needs 4 cores = 2 whole nodes: node 2 now and node 0 at 100 s, so W = 2 = k and
 * no held node is spare. j4 (1 core, 500 s) starts at once on node 1, which j3 does not hold. j5
 * (1 core, 500 s) could only go on node 2, held: it waits. j6 (2 cores, 50 s, ends at 54 s) starts at
 * once on node 2. j3 starts at 100 s on nodes 0 and 2; j5 at 150 s. */
static void test_whole_node_head(void **state)
{
    (void)state;
    starts_t e;
    run_csv("job_id,submit_s,runtime_s,cores\n1,0,100,2\n2,0,1000,1\n3,1,50,4\n4,2,500,1\n5,3,500,1\n6,4,50,2\n", 3, 2,
            1000, &e);
    assert_true(start_of(&e, 3) == 100);
    assert_true(start_of(&e, 4) == 2);
    assert_true(start_of(&e, 5) == 150);
    assert_true(start_of(&e, 6) == 4);
    free(e.id);
    free(e.start);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classic_pwa_real),
        cmocka_unit_test(test_classic_synthetic),
        cmocka_unit_test(test_one_node_head),
        cmocka_unit_test(test_whole_node_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
