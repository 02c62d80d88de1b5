/* test_measure: the RAPL reader against fake powercap trees (wrap-around, permission denied, missing
 * zones), the NVML reader against a fake NVML library (tests/fake_nvml.c: no library, no driver, several
 * GPUs, selection, MIG), and ws_measure's energy, attribution and CSV output with readings set by hand. */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ws_measure.h"
#include "ws_testutil.h"

static void mkdirs(const char *rel)
{
    char path[600];
    if (snprintf(path, sizeof path, "%s/%s", ws_test_dir(), rel) >= (int)sizeof path)
        fail_msg("path too long: %s", rel);
    for (char *p = path + strlen(ws_test_dir()) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    mkdir(path, 0755);
}

static void put(const char *rel, const char *text)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s", rel);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        mkdirs(dir);
    }
    ws_test_write(rel, text);
}

static void put_u64(const char *rel, unsigned long long v)
{
    char text[32];
    snprintf(text, sizeof text, "%llu\n", v);
    put(rel, text);
}

/* A powercap tree: package-0 (range 1000 J), its dram (range 65532.610987 J), core (not added), psys. */
static const char *fake_powercap(const char *name, unsigned long long pkg_uj, unsigned long long dram_uj)
{
    char rel[300];
    snprintf(rel, sizeof rel, "%s/intel-rapl:0/name", name);
    put(rel, "package-0\n");
    snprintf(rel, sizeof rel, "%s/intel-rapl:0/max_energy_range_uj", name);
    put_u64(rel, 1000000000ull);
    snprintf(rel, sizeof rel, "%s/intel-rapl:0/energy_uj", name);
    put_u64(rel, pkg_uj);
    snprintf(rel, sizeof rel, "%s/intel-rapl:0:0/name", name);
    put(rel, "dram\n");
    snprintf(rel, sizeof rel, "%s/intel-rapl:0:0/max_energy_range_uj", name);
    put_u64(rel, 65532610987ull);
    snprintf(rel, sizeof rel, "%s/intel-rapl:0:0/energy_uj", name);
    put_u64(rel, dram_uj);
    snprintf(rel, sizeof rel, "%s/intel-rapl:0:1/name", name);
    put(rel, "core\n");
    snprintf(rel, sizeof rel, "%s/intel-rapl:0:1/max_energy_range_uj", name);
    put_u64(rel, 1000000000ull);
    snprintf(rel, sizeof rel, "%s/intel-rapl:0:1/energy_uj", name);
    put_u64(rel, 123ull);
    snprintf(rel, sizeof rel, "%s/intel-rapl-mmio:0/name", name);
    put(rel, "package-0\n"); /* the MMIO interface to the same package: must not count twice */
    static char path[4][512]; /* ws_test_path's buffers rotate: keep a copy */
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s", ws_test_path(name));
    return path[k];
}

static void set_counter(const char *tree, const char *zone, unsigned long long uj)
{
    char rel[300];
    snprintf(rel, sizeof rel, "%s/%s/energy_uj", tree, zone);
    put_u64(rel, uj);
}

static void test_rapl_delta(void **state)
{
    (void)state;
    assert_int_equal(ws_rapl_delta_uj(100, 350, 1000), 250);
    assert_int_equal(ws_rapl_delta_uj(900, 50, 1000), 150); /* 1000 - 900 + 50 */
    assert_int_equal(ws_rapl_delta_uj(7, 7, 1000), 0);
}

static void test_rapl_reads_and_wraps(void **state)
{
    (void)state;
    char tree[64] = "pc_wrap";
    fake_powercap(tree, 999000000ull, 5000000ull);
    ws_rapl r;
    ws_error err = {0};
    assert_int_equal(ws_rapl_open(&r, ws_test_path(tree), &err), WS_OK);
    assert_true(r.available);
    assert_int_equal(r.n, 2); /* package-0 and dram; core and the MMIO duplicate left out */
    assert_string_equal(r.zones[0].name, "package-0");
    assert_string_equal(r.zones[1].name, "dram");
    assert_int_equal(ws_rapl_start(&r, &err), WS_OK);
    set_counter(tree, "intel-rapl:0", 500000ull);    /* wrapped: 1000 - 999 + 0.5 = 1.5 J */
    set_counter(tree, "intel-rapl:0:0", 7000000ull); /* 2 J */
    assert_int_equal(ws_rapl_read(&r, &err), WS_OK);
    assert_close(ws_rapl_package_j(&r), 1.5, 1e-12);
    assert_close(ws_rapl_dram_j(&r), 2.0, 1e-12);
    assert_int_equal(r.zones[0].n_wraps, 1);
    set_counter(tree, "intel-rapl:0", 2500000ull); /* +2 J */
    assert_int_equal(ws_rapl_read(&r, &err), WS_OK);
    assert_close(ws_rapl_package_j(&r), 3.5, 1e-12);
    assert_int_equal(r.zones[0].n_wraps, 1);
    /* a reading above the counter's range is a broken counter, not energy */
    set_counter(tree, "intel-rapl:0", 2000000000ull);
    assert_int_equal(ws_rapl_read(&r, &err), WS_EFAIL);
    assert_non_null(strstr(err.message, "cannot read"));
}

static void test_rapl_missing(void **state)
{
    (void)state;
    ws_rapl r;
    ws_error err = {0};
    assert_int_equal(ws_rapl_open(&r, ws_test_path("no_such_tree"), &err), WS_OK);
    assert_false(r.available);
    assert_non_null(strstr(r.why, "no powercap tree"));
    assert_true(isnan(ws_rapl_package_j(&r)));
    put("pc_psys/intel-rapl:1/name", "psys\n");
    put("pc_psys/intel-rapl:1/max_energy_range_uj", "1000\n");
    put("pc_psys/intel-rapl:1/energy_uj", "10\n");
    assert_int_equal(ws_rapl_open(&r, ws_test_path("pc_psys"), &err), WS_OK);
    assert_false(r.available);
    assert_non_null(strstr(r.why, "no RAPL package zone"));
}

/* energy_uj readable by root only (Linux >= 5.10): measured as another user when the test runs as root */
static void test_rapl_permission_denied(void **state)
{
    (void)state;
    const char *tree = fake_powercap("pc_denied", 1000ull, 1000ull);
    char path[600];
    snprintf(path, sizeof path, "%s/intel-rapl:0/energy_uj", tree);
    assert_int_equal(chmod(path, 0400), 0);
    snprintf(path, sizeof path, "%s/intel-rapl:0:0/energy_uj", tree);
    assert_int_equal(chmod(path, 0400), 0);
    assert_int_equal(chmod(ws_test_dir(), 0755), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0 && setuid(65534) != 0)
            _exit(10);
        ws_rapl r;
        ws_error err = {0};
        if (ws_rapl_open(&r, tree, &err) != WS_OK)
            _exit(11);
        if (r.available || r.n != 0)
            _exit(12);
        if (!strstr(r.why, "permission denied") || !strstr(r.why, "not measured"))
            _exit(13);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---------------------------------------------------------------- NVML */

typedef void (*set_fn)(int, double, unsigned long long, unsigned);
typedef void (*procs_fn)(int, int, const unsigned *, const unsigned *);
typedef void (*lost_fn)(int, int);
static set_fn fake_set;
static procs_fn fake_procs;
static lost_fn fake_lost;
static void *fake_lib;

static int setup_fake(void **state)
{
    (void)state;
    fake_lib = dlopen(WS_FAKE_NVML, RTLD_NOW | RTLD_LOCAL); /* keeps it loaded: the same copy ws_nvml uses */
    if (!fake_lib)
        return -1;
    void *a = dlsym(fake_lib, "fake_nvml_set"), *b = dlsym(fake_lib, "fake_nvml_set_procs"),
         *c = dlsym(fake_lib, "fake_nvml_set_lost");
    memcpy(&fake_set, &a, sizeof a);
    memcpy(&fake_procs, &b, sizeof b);
    memcpy(&fake_lost, &c, sizeof c);
    unsetenv("FAKE_NVML_INIT_FAIL");
    unsetenv("FAKE_NVML_MIG");
    unsetenv("FAKE_NVML_NO_COUNTER");
    setenv("FAKE_NVML_GPUS", "1", 1);
    return fake_set && fake_procs && fake_lost ? 0 : -1;
}

static int teardown_fake(void **state)
{
    (void)state;
    dlclose(fake_lib);
    return 0;
}

static void test_nvml_no_library(void **state)
{
    (void)state;
    ws_nvml n;
    ws_error err = {0};
    assert_int_equal(ws_nvml_open(&n, "/nonexistent/libnvidia-ml.so.1", &err), WS_OK);
    assert_false(n.available);
    assert_int_equal(n.n_gpus, 0);
    assert_non_null(strstr(n.why, "no NVIDIA driver library"));
    ws_nvml_close(&n);
}

static void test_nvml_no_driver(void **state)
{
    (void)state;
    setenv("FAKE_NVML_INIT_FAIL", "1", 1);
    ws_nvml n;
    ws_error err = {0};
    assert_int_equal(ws_nvml_open(&n, WS_FAKE_NVML, &err), WS_OK);
    unsetenv("FAKE_NVML_INIT_FAIL");
    assert_false(n.available);
    assert_non_null(strstr(n.why, "NVML did not start (Driver Not Loaded)"));
    ws_nvml_close(&n);
}

static void test_nvml_readings_and_select(void **state)
{
    (void)state;
    setenv("FAKE_NVML_GPUS", "3", 1);
    ws_nvml n;
    ws_error err = {0};
    assert_int_equal(ws_nvml_open(&n, WS_FAKE_NVML, &err), WS_OK);
    setenv("FAKE_NVML_GPUS", "1", 1);
    assert_true(n.available);
    assert_int_equal(n.n_gpus, 3);
    assert_string_equal(n.driver, "999.fake");
    assert_string_equal(n.gpus[2].uuid, "GPU-fake-0002");
    assert_true(n.gpus[0].has_counter && n.gpus[0].has_power && n.gpus[0].has_util && !n.gpus[0].mig);
    assert_int_equal(ws_nvml_n_selected(&n), 3);
    fake_set(1, 312.5, 123456789ull, 87);
    ws_nvml_reading r;
    assert_int_equal(ws_nvml_read(&n, 1, &r), 0);
    assert_close(r.power_w, 312.5, 1e-12);
    assert_close(r.energy_mj, 123456789.0, 1e-15);
    assert_close(r.util_pct, 87, 1e-12);
    assert_close(r.mem_util_pct, 43, 1e-12);
    assert_int_equal(ws_nvml_select(&n, "2, fake-0000", &err), WS_OK); /* index and UUID without "GPU-" */
    assert_int_equal(ws_nvml_n_selected(&n), 2);
    assert_true(n.gpus[0].selected && !n.gpus[1].selected && n.gpus[2].selected);
    assert_int_equal(ws_nvml_select(&n, "none", &err), WS_OK);
    assert_int_equal(ws_nvml_n_selected(&n), 0);
    assert_int_equal(ws_nvml_select(&n, "0,7", &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "'7' is no GPU index or UUID"));
    ws_nvml_close(&n);
}

static void test_nvml_mig_and_no_counter(void **state)
{
    (void)state;
    setenv("FAKE_NVML_MIG", "1", 1);
    setenv("FAKE_NVML_NO_COUNTER", "1", 1);
    ws_nvml n;
    ws_error err = {0};
    assert_int_equal(ws_nvml_open(&n, WS_FAKE_NVML, &err), WS_OK);
    unsetenv("FAKE_NVML_MIG");
    unsetenv("FAKE_NVML_NO_COUNTER");
    assert_true(n.available);
    assert_true(n.gpus[0].mig);
    assert_false(n.gpus[0].has_counter);
    assert_false(n.gpus[0].has_util);
    assert_true(n.gpus[0].has_power);
    ws_nvml_reading r;
    assert_int_equal(ws_nvml_read(&n, 0, &r), 0);
    assert_close(r.power_w, 200.0, 1e-12); /* FAKE_NVML_POWER_MW default */
    assert_true(isnan(r.energy_mj) && isnan(r.util_pct));
    ws_nvml_proc_util pu[4];
    assert_int_equal(ws_nvml_process_util(&n, 0, 0, pu, 4), -1);
    ws_nvml_close(&n);
}

/* ---------------------------------------------------------------- ws_measure, readings by hand */

/* A fake /proc: the command 4242 with a child 4243; 5000 belongs to someone else. */
static const char *fake_proc(void)
{
    put("proc/stat", "cpu  100 5 50 1000 7 3 2 1 0 0\ncpu0 100 5 50 1000 7 3 2 1 0 0\n");
    put("proc/cpuinfo", "processor\t: 0\nmodel name\t: Fake CPU 3000 @ 2.00GHz\n");
    put("proc/4242/stat", "4242 (python) S 1000 4242 4242 0 -1 0 0\n");
    put("proc/4243/stat", "4243 (pt_main thread) R 4242 4242 4242 0 -1 0 0\n");
    put("proc/5000/stat", "5000 (other (job)) R 1 5000 5000 0 -1 0 0\n");
    static char path[512]; /* ws_test_path's buffers rotate: keep a copy */
    snprintf(path, sizeof path, "%s", ws_test_path("proc"));
    return path;
}

static void test_measure_proc_helpers(void **state)
{
    (void)state;
    const char *proc = fake_proc();
    /* busy = user + nice + system + irq + softirq + steal = 100 + 5 + 50 + 3 + 2 + 1 ticks */
    assert_close(ws_measure_busy_cpu_s(proc), 161.0 / sysconf(_SC_CLK_TCK), 1e-12);
    assert_int_equal(ws_measure_in_tree(proc, 4243, 4242), 1);
    assert_int_equal(ws_measure_in_tree(proc, 4242, 4242), 1);
    assert_int_equal(ws_measure_in_tree(proc, 5000, 4242), 0); /* "(other (job))": the last ')' counts */
    assert_int_equal(ws_measure_in_tree(proc, 6000, 4242), -1);
    assert_true(isnan(ws_measure_busy_cpu_s(ws_test_path("no_proc"))));
}

static void test_measure_energy_by_hand(void **state)
{
    (void)state;
    const char *proc = fake_proc();
    const char *tree = fake_powercap("pc_measure", 990000000ull, 1000000ull);
    ws_measure_opts o = {.job = "toy", .work = 1000, .work_unit = "events", .interval_ms = 100,
                         .nvml_lib = WS_FAKE_NVML, .powercap_root = tree, .proc_root = proc};
    ws_measure m;
    ws_error err = {0};
    assert_int_equal(ws_measure_init(&m, &o, &err), WS_OK);
    assert_int_equal(m.n_gpu, 1);
    assert_true(m.rapl.available);
    char what[600];
    ws_measure_describe(&m, what, sizeof what);
    assert_non_null(strstr(what, "GPU 0 Fake GPU [power, energy counter, utilisation]"));
    assert_non_null(strstr(what, "CPU: RAPL package-0, dram"));
    /* t0: counter 1000 J, 100 W; RAPL 990 J (package), 1 J (dram) */
    fake_set(0, 100.0, 1000000ull, 10);
    assert_int_equal(ws_measure_start(&m, &err), WS_OK);
    m.child = 4242; /* the command, as the fake /proc knows it */
    /* interval 1: the command's child 4243 uses 60% SM, another job 20%: share 0.75 */
    unsigned pids[] = {4243, 5000}, sm[] = {60, 20};
    fake_procs(0, 2, pids, sm);
    fake_set(0, 300.0, 1040000ull, 90); /* +40 J */
    set_counter("pc_measure", "intel-rapl:0", 5000000ull); /* wrapped: 1000 - 990 + 5 = 15 J */
    set_counter("pc_measure", "intel-rapl:0:0", 3000000ull); /* +2 J */
    usleep(20000);
    assert_int_equal(ws_measure_sample(&m, &err), WS_OK);
    /* interval 2: nobody busy, only the command holds a context: share 1 */
    unsigned mine[] = {4242}, idle[] = {0};
    fake_procs(0, 1, mine, idle);
    fake_set(0, 200.0, 1100000ull, 50); /* +60 J */
    set_counter("pc_measure", "intel-rapl:0", 15000000ull); /* +10 J */
    usleep(20000);
    assert_int_equal(ws_measure_sample(&m, &err), WS_OK);
    assert_int_equal(m.n, 3);
    m.cpu_time_s = 1.0; /* as wait4 would give */
    m.busy_s = 4.0;     /* the machine's busy CPU time over the run */
    m.maxrss_kib = 2048;
    ws_profile p;
    ws_measure_profile(&m, "toy --x", &p);
    /* measured: counter 100 J; integrated: trapezoid of 100, 300, 200 W over the recorded times */
    const ws_sample *s = m.samples;
    double t1 = s[1].t_s - s[0].t_s, t2 = s[2].t_s - s[1].t_s;
    double trap = 0.5 * (100 + 300) * t1 + 0.5 * (300 + 200) * t2;
    assert_close(m.gpu_counter_j, 100.0, 1e-12);
    assert_close(m.gpu_integrated_j, trap, 1e-9);
    assert_close(m.gpu_attributed_j, 0.75 * 40 + 1.0 * 60, 1e-12); /* 90 J */
    assert_string_equal(m.gpu[0].attributed_how, "per-process SM utilisation");
    assert_close(m.cpu_package_j, 25.0, 1e-12);
    assert_close(m.dram_j, 2.0, 1e-12);
    assert_close(m.cpu_share, 0.25, 1e-12);
    assert_close(m.cpu_attributed_j, 6.25, 1e-12);
    assert_close(m.dram_attributed_j, 0.5, 1e-12);
    /* the stored profile: whole devices (node scope), counters where there are */
    assert_close(p.energy_gpu_j, 100.0, 1e-12);
    assert_close(p.energy_cpu_j, 25.0, 1e-12);
    assert_close(p.energy_ram_j, 2.0, 1e-12);
    assert_close(p.energy_j, 127.0, 1e-12);
    assert_true(isnan(p.energy_lo_j)); /* a counter: no short-job interval */
    assert_close(p.duration_s, s[2].t_s, 1e-12);
    assert_close(p.mean_util_pct, 50.0, 1e-12);
    assert_close(p.work, 1000, 0);
    assert_string_equal(p.job, "toy");
    assert_string_equal(p.arch_name, "Fake GPU");
    assert_string_equal(p.device, "host");
    /* samples: power = GPU + CPU + DRAM; cumulative measured energy */
    assert_close(s[1].gpu_power_w, 300, 1e-12);
    assert_close(s[1].cpu_power_w, 15.0 / t1, 1e-6);
    assert_close(s[1].power_w, 300 + 15.0 / t1 + 2.0 / t1, 1e-6);
    assert_close(s[2].energy_j, 100 + 25 + 2, 1e-9);
    assert_close(s[0].cpu_power_w, s[1].cpu_power_w, 1e-12); /* the first interval's mean, back-filled */
    assert_non_null(strstr(p.energy_note, "measured: GPU 100.0 J (NVML counter; integrated"));
    assert_non_null(strstr(p.energy_note, "CPU package 25.0 J, DRAM 2.0 J (RAPL)"));
    assert_non_null(strstr(p.energy_note, "attributed: GPU 90.0 J, CPU+DRAM 6.8 J (25.0% of busy CPU time)"));
    assert_null(strstr(p.energy_note, "interrupted"));

    /* the CSV is wattscale-csv: read back by ingest, same energy (the cumulative counter column) */
    const char *csv = ws_test_path("measure.csv");
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    assert_int_equal(ws_measure_write_csv(&m, &p, "toy --x \"quoted\"", f), WS_OK);
    fclose(f);
    ws_mem_sink mem;
    ws_test_parse_ok(ws_ingest_plain_csv, csv, &mem);
    assert_int_equal(mem.n_profiles, 1);
    assert_close(mem.profiles[0].energy_j, 127.0, 1e-9);
    assert_true(fabs(mem.profiles[0].duration_s - p.duration_s) <= 2e-6); /* times written to the µs */
    assert_string_equal(mem.profiles[0].job, "toy");
    assert_close(mem.profiles[0].work, 1000, 0);
    assert_int_equal(mem.n_samples, 3);
    ws_mem_sink_free(&mem);

    /* rank scope stores the attributed share */
    m.o.scope = WS_MEASURE_RANK;
    ws_measure_profile(&m, "toy", &p);
    assert_close(p.energy_gpu_j, 90.0, 1e-12);
    assert_close(p.energy_cpu_j, 6.25, 1e-12);
    assert_close(p.energy_j, 90 + 6.25 + 0.5, 1e-12);
    assert_non_null(strstr(p.energy_note, "attributed share (--scope rank)"));
    ws_measure_free(&m);
}

/* A process NVML names that is not visible here: an ended one counts as others' (one seen as the
 * command's stays the command's); when no process of a GPU is ever visible (another PID namespace) the
 * GPU is not attributable. A GPU without an energy counter is integrated and flagged when short. */
static void test_measure_invisible_processes_and_no_counter(void **state)
{
    (void)state;
    const char *proc = fake_proc();
    setenv("FAKE_NVML_NO_COUNTER", "1", 1);
    ws_measure_opts o = {.interval_ms = 100, .nvml_lib = WS_FAKE_NVML, .powercap_root = ws_test_path("none"),
                         .proc_root = proc};
    ws_measure m;
    ws_error err = {0};
    assert_int_equal(ws_measure_init(&m, &o, &err), WS_OK);
    unsetenv("FAKE_NVML_NO_COUNTER");
    assert_false(m.rapl.available);
    fake_set(0, 250.0, 0, 99);
    assert_int_equal(ws_measure_start(&m, &err), WS_OK);
    m.child = 4242;
    unsigned pids[] = {4243, 7777}, sm[] = {30, 10}; /* the command's child, and one not visible */
    fake_procs(0, 2, pids, sm);
    usleep(10000);
    assert_int_equal(ws_measure_sample(&m, &err), WS_OK);
    ws_profile p;
    ws_measure_profile(&m, "x", &p);
    double dt = m.samples[1].t_s - m.samples[0].t_s;
    assert_true(isnan(m.gpu_counter_j));
    assert_close(m.gpu_integrated_j, 250.0 * dt, 1e-9);
    assert_close(p.energy_gpu_j, 250.0 * dt, 1e-9);
    assert_true(isnan(p.energy_cpu_j));
    assert_close(p.energy_j, 250.0 * dt, 1e-9);
    assert_close(m.gpu_attributed_j, 0.75 * 250.0 * dt, 1e-9); /* 30 of 40 % SM */
    assert_non_null(strstr(m.gpu[0].attributed_how, "per-process SM utilisation; 1 invisible process sample(s)"));
    assert_non_null(strstr(p.energy_note, "CPU not measured (RAPL unreadable)"));
    assert_non_null(strstr(p.energy_note, "short job")); /* integrated power, < 10 s */
    assert_true(p.energy_hi_j > p.energy_j);
    /* 4243 ends; it stays the command's: the next interval is all the command's */
    put("proc/4243/stat", "");
    unlink(ws_test_path("proc/4243/stat"));
    unsigned only[] = {4243}, busy[] = {80};
    fake_procs(0, 1, only, busy);
    usleep(10000);
    assert_int_equal(ws_measure_sample(&m, &err), WS_OK);
    ws_measure_profile(&m, "x", &p);
    double dt2 = m.samples[2].t_s - m.samples[1].t_s;
    assert_close(m.gpu_attributed_j, 0.75 * 250.0 * dt + 250.0 * dt2, 1e-9);
    ws_measure_free(&m);

    /* another PID namespace: none of the GPU's processes is ever visible */
    assert_int_equal(ws_measure_init(&m, &o, &err), WS_OK);
    fake_set(0, 250.0, 0, 99);
    assert_int_equal(ws_measure_start(&m, &err), WS_OK);
    m.child = 4242;
    unsigned host_pids[] = {123456, 123457}, host_sm[] = {50, 50};
    fake_procs(0, 2, host_pids, host_sm);
    usleep(10000);
    assert_int_equal(ws_measure_sample(&m, &err), WS_OK);
    ws_measure_profile(&m, "x", &p);
    assert_true(isnan(m.gpu_attributed_j));
    assert_non_null(strstr(m.gpu[0].attributed_how, "not attributable: its processes are not visible here"));
    assert_non_null(strstr(p.energy_note, "GPU n/a"));
    fake_procs(0, 0, NULL, NULL);
    ws_measure_free(&m);
    put("proc/4243/stat", "4243 (pt_main thread) R 4242 4242 4242 0 -1 0 0\n");
}

/* A reading that fails (GPU lost for a moment) leaves a gap: the next reading integrates across it. */
static void test_measure_failed_reading(void **state)
{
    (void)state;
    ws_measure_opts o = {.interval_ms = 100, .nvml_lib = WS_FAKE_NVML, .powercap_root = ws_test_path("none"),
                         .proc_root = fake_proc()};
    ws_measure m;
    ws_error err = {0};
    assert_int_equal(ws_measure_init(&m, &o, &err), WS_OK);
    fake_set(0, 100.0, 1000000ull, 50);
    assert_int_equal(ws_measure_start(&m, &err), WS_OK);
    fake_lost(0, 1);
    usleep(10000);
    assert_int_equal(ws_measure_sample(&m, &err), WS_OK);
    fake_lost(0, 0);
    fake_set(0, 100.0, 1050000ull, 50);
    usleep(10000);
    assert_int_equal(ws_measure_sample(&m, &err), WS_OK);
    ws_profile p;
    ws_measure_profile(&m, "x", &p);
    assert_int_equal(m.gpu[0].n_failed, 1);
    assert_true(isnan(m.samples[1].gpu_power_w)); /* nothing read: unknown, not 0 */
    assert_close(m.gpu_integrated_j, 100.0 * m.samples[2].t_s, 1e-9); /* 100 W over the whole span */
    assert_close(m.gpu_counter_j, 50.0, 1e-12);
    assert_close(p.energy_gpu_j, 50.0, 1e-12);
    /* the last reading fails: the counter did not see the end, the integral stands (flagged short) */
    fake_lost(0, 1);
    usleep(10000);
    assert_int_equal(ws_measure_sample(&m, &err), WS_OK);
    fake_lost(0, 0);
    ws_measure_profile(&m, "x", &p);
    assert_true(isnan(m.gpu_counter_j));
    assert_close(p.energy_gpu_j, 100.0 * m.samples[2].t_s, 1e-9);
    assert_non_null(strstr(p.energy_note, "GPU") && strstr(p.energy_note, "(integrated power; no usable energy counter)"));
    ws_measure_free(&m);
}

/* RAPL unreadable in the middle of a run: the run goes on, the CPU figure is unknown, not partial. */
static void test_measure_rapl_lost(void **state)
{
    (void)state;
    fake_powercap("pc_lost", 1000000ull, 1000000ull);
    static char tree[512];
    snprintf(tree, sizeof tree, "%s", ws_test_path("pc_lost"));
    ws_measure_opts o = {.interval_ms = 100, .nvml_lib = WS_FAKE_NVML, .powercap_root = tree,
                         .proc_root = fake_proc()};
    ws_measure m;
    ws_error err = {0};
    assert_int_equal(ws_measure_init(&m, &o, &err), WS_OK);
    fake_set(0, 100.0, 1000000ull, 50);
    assert_int_equal(ws_measure_start(&m, &err), WS_OK);
    set_counter("pc_lost", "intel-rapl:0", 4000000ull); /* +3 J */
    fake_set(0, 100.0, 1010000ull, 50);
    usleep(10000);
    assert_int_equal(ws_measure_sample(&m, &err), WS_OK);
    assert_close(m.samples[1].energy_j, 10.0 + 3.0, 1e-9);
    set_counter("pc_lost", "intel-rapl:0", 5000000000ull); /* beyond the counter's range: unreadable */
    fake_set(0, 100.0, 1020000ull, 50);
    usleep(10000);
    assert_int_equal(ws_measure_sample(&m, &err), WS_OK);
    assert_non_null(strstr(m.rapl_lost, "RAPL read failed at t = "));
    ws_profile p;
    ws_measure_profile(&m, "x", &p);
    assert_true(isnan(p.energy_cpu_j) && isnan(p.energy_ram_j));
    assert_close(p.energy_gpu_j, 20.0, 1e-12);
    assert_close(p.energy_j, 20.0, 1e-12);
    assert_non_null(strstr(p.energy_note, "CPU not measured (RAPL read failed mid-run)"));
    for (long i = 0; i < m.n; i++) {
        assert_true(isnan(m.samples[i].cpu_power_w) && isnan(m.samples[i].energy_j));
        assert_close(m.samples[i].power_w, 100.0, 1e-12);
    }
    ws_measure_free(&m);
}

static void test_measure_nothing_to_measure(void **state)
{
    (void)state;
    ws_measure_opts o = {.interval_ms = 100, .nvml_lib = "/nonexistent/libnvidia-ml.so.1",
                         .powercap_root = ws_test_path("none"), .proc_root = fake_proc()};
    ws_measure m;
    ws_error err = {0};
    assert_int_equal(ws_measure_init(&m, &o, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "nothing to measure"));
    assert_non_null(strstr(err.message, "no NVIDIA driver library"));
    ws_measure_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rapl_delta),
        cmocka_unit_test(test_rapl_reads_and_wraps),
        cmocka_unit_test(test_rapl_missing),
        cmocka_unit_test(test_rapl_permission_denied),
        cmocka_unit_test(test_nvml_no_library),
        cmocka_unit_test(test_nvml_no_driver),
        cmocka_unit_test(test_nvml_readings_and_select),
        cmocka_unit_test(test_nvml_mig_and_no_counter),
        cmocka_unit_test(test_measure_proc_helpers),
        cmocka_unit_test(test_measure_energy_by_hand),
        cmocka_unit_test(test_measure_invisible_processes_and_no_counter),
        cmocka_unit_test(test_measure_failed_reading),
        cmocka_unit_test(test_measure_rapl_lost),
        cmocka_unit_test(test_measure_nothing_to_measure),
    };
    return cmocka_run_group_tests(tests, setup_fake, teardown_fake);
}
