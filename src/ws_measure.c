/* ws_measure: see ws_measure.h. */
#include "ws_measure.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/select.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ws_version.h"

/* ---------------------------------------------------------------- environment */

static int env_int(const char *const names[], int n)
{
    for (int i = 0; i < n; i++) {
        const char *v = getenv(names[i]);
        char *end;
        if (v && *v) {
            long x = strtol(v, &end, 10);
            if (*end == '\0' && x >= 0 && x < 1000000)
                return (int)x;
        }
    }
    return -1;
}

void ws_measure_launch_from_env(ws_measure_launch *l)
{
    memset(l, 0, sizeof *l);
    static const char *const rank[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"};
    static const char *const local[] = {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"};
    static const char *const size[] = {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"};
    l->rank = env_int(rank, 4);
    l->local_rank = env_int(local, 3);
    l->local_size = env_int(size, 3);
    const char *job = getenv("SLURM_JOB_ID"), *step = getenv("SLURM_STEP_ID");
    if (job && *job)
        snprintf(l->job_id, sizeof l->job_id, "%.30s%s%.30s", job, step && *step ? "." : "", step ? step : "");
    if (gethostname(l->host, sizeof l->host) != 0)
        ws_strlcpy(l->host, "unknown-host", sizeof l->host);
    l->host[sizeof l->host - 1] = '\0';
}

static void read_cpu_model(const char *proc_root, char *out, size_t size)
{
    char path[600], line[512];
    snprintf(path, sizeof path, "%s/cpuinfo", proc_root);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
            ws_strlcpy(out, ws_trim(strchr(line, ':') + 1), size);
            break;
        }
    fclose(f);
}

double ws_measure_busy_cpu_s(const char *proc_root)
{
    char path[600], line[512];
    snprintf(path, sizeof path, "%s/stat", proc_root);
    FILE *f = fopen(path, "r");
    if (!f)
        return NAN;
    int ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!ok || strncmp(line, "cpu ", 4) != 0)
        return NAN;
    /* user nice system idle iowait irq softirq steal (guest time is inside user) */
    unsigned long long v[8] = {0};
    if (sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
               &v[6], &v[7]) < 4)
        return NAN;
    double busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
    long hz = sysconf(_SC_CLK_TCK);
    return busy / (double)(hz > 0 ? hz : 100);
}

/* The parent of pid from PROC/PID/stat: field 4, after the command name in parentheses. -1: not visible. */
static long parent_of(const char *proc_root, unsigned pid)
{
    char path[600], buf[1024];
    snprintf(path, sizeof path, "%s/%u/stat", proc_root, pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    char *close = strrchr(buf, ')');
    long ppid;
    char state;
    if (!close || sscanf(close + 1, " %c %ld", &state, &ppid) != 2)
        return -1;
    return ppid;
}

int ws_measure_in_tree(const char *proc_root, unsigned pid, unsigned root_pid)
{
    long p = pid;
    for (int depth = 0; depth < 4096; depth++) {
        if (p == (long)root_pid)
            return 1;
        if (p <= 1)
            return 0;
        long parent = parent_of(proc_root, (unsigned)p);
        if (parent < 0)
            return depth == 0 ? -1 : 0; /* the process itself is invisible; an ancestor gone: not ours */
        p = parent;
    }
    return 0;
}

/* ---------------------------------------------------------------- setup */

static int select_rank_gpus(ws_measure *m, ws_error *err)
{
    const char *list = m->o.gpus;
    if (!list) {
        const char *cvd = getenv("CUDA_VISIBLE_DEVICES");
        if (cvd && *cvd && !strstr(cvd, "MIG-"))
            list = cvd;
    }
    if (!list && m->launch.local_size != 1 && ws_nvml_n_selected(&m->nvml) > 1) {
        ws_error_set(err, "", 0, "--scope", "rank: which GPUs are this rank's? give --gpus (or set "
                     "CUDA_VISIBLE_DEVICES): ranks sharing a node would otherwise count the same GPUs");
        return WS_EINPUT;
    }
    return ws_nvml_select(&m->nvml, list, err);
}

int ws_measure_init(ws_measure *m, const ws_measure_opts *o, ws_error *err)
{
    memset(m, 0, sizeof *m);
    m->o = *o;
    if (!m->o.powercap_root)
        m->o.powercap_root = "/sys/class/powercap";
    if (!m->o.proc_root)
        m->o.proc_root = "/proc";
    if (m->o.interval_ms <= 0)
        m->o.interval_ms = 100;
    m->work_from_file = NAN;
    ws_measure_launch_from_env(&m->launch);
    read_cpu_model(m->o.proc_root, m->cpu_model, sizeof m->cpu_model);
    int rc = ws_nvml_open(&m->nvml, m->o.nvml_lib, err);
    if (rc != WS_OK)
        return rc;
    rc = m->o.scope == WS_MEASURE_RANK ? select_rank_gpus(m, err) : ws_nvml_select(&m->nvml, m->o.gpus, err);
    if (rc != WS_OK)
        return rc;
    for (int i = 0; i < m->nvml.n_gpus; i++)
        if (m->nvml.gpus[i].selected) {
            ws_measure_gpu *g = &m->gpu[m->n_gpu++];
            memset(g, 0, sizeof *g);
            g->gpu = i;
            g->counter_j = NAN;
            g->attr_ok = 1;
        }
    if ((rc = ws_rapl_open(&m->rapl, m->o.powercap_root, err)) != WS_OK)
        return rc;
    if (m->n_gpu == 0 && !m->rapl.available) {
        ws_error_set(err, "", 0, "", "nothing to measure: GPU: %.150s; CPU: %.250s",
                     m->nvml.available && m->nvml.n_gpus ? "none selected" : m->nvml.why, m->rapl.why);
        return WS_EINPUT;
    }
    return WS_OK;
}

void ws_measure_free(ws_measure *m)
{
    ws_nvml_close(&m->nvml);
    free(m->samples);
    m->samples = NULL;
}

void ws_measure_describe(const ws_measure *m, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
#define ADD(...)                                                                                                   \
    do {                                                                                                           \
        if (used < size) {                                                                                         \
            int k_ = snprintf(buf + used, size - used, __VA_ARGS__);                                               \
            used += k_ > 0 ? (size_t)k_ : 0;                                                                       \
        }                                                                                                          \
    } while (0)
    if (!m->nvml.available || m->nvml.n_gpus == 0)
        ADD("GPU: %s", m->nvml.why);
    else if (m->n_gpu == 0)
        ADD("GPU: none selected (--gpus none)");
    for (int i = 0; i < m->n_gpu; i++) {
        const ws_nvml_gpu *g = &m->nvml.gpus[m->gpu[i].gpu];
        ADD("%sGPU %d %s [%s%s%s%s]", i ? "; " : "", g->index, g->name, g->has_power ? "power" : "no power",
            g->has_counter ? ", energy counter" : ", no energy counter", g->has_util ? ", utilisation" : "",
            g->mig ? ", MIG mode: whole board" : "");
    }
    if (m->nvml.available && m->nvml.driver[0])
        ADD(" (driver %s)", m->nvml.driver);
    if (m->rapl.available) {
        ADD("; CPU: RAPL");
        for (int i = 0; i < m->rapl.n; i++)
            ADD("%s %s", i ? "," : "", m->rapl.zones[i].name);
        if (m->rapl.why[0])
            ADD(" (%s)", m->rapl.why);
    } else
        ADD("; CPU: %s", m->rapl.why);
#undef ADD
}

/* ---------------------------------------------------------------- sampling */

static double now_unix(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Whether a process NVML names is the command's: 1 yes, 0 no. A process not visible here either ended
 * (one seen as the command's before stays the command's) or lives in another PID namespace: counted as
 * not the command's, and counted; a GPU none of whose processes was ever visible is not attributable. */
static int resolve_pid(ws_measure *m, ws_measure_gpu *g, unsigned pid)
{
    int t = ws_measure_in_tree(m->o.proc_root, pid, (unsigned)m->child);
    for (int j = 0; t != 0 && j < m->n_ours; j++)
        if (m->ours[j] == pid)
            return 1;
    if (t < 0) {
        g->n_invisible++;
        return 0;
    }
    g->n_visible++;
    if (t == 1 && m->n_ours < (int)(sizeof m->ours / sizeof m->ours[0]))
        m->ours[m->n_ours++] = pid;
    return t;
}

/* The share of GPU i's last interval that the command's processes used: [0,1], or -1 (why set). */
static double gpu_share(ws_measure *m, ws_measure_gpu *g, char *why, size_t size)
{
    int i = g->gpu;
    if (m->child <= 0) {
        snprintf(why, size, "per-process SM utilisation");
        return 0; /* before the command started: nothing of it runs on the GPU */
    }
    ws_nvml_proc_util pu[256];
    int k = ws_nvml_process_util(&m->nvml, i, m->start_us, pu, 256);
    double all = 0, ours = 0;
    for (int j = 0; j < k; j++) {
        int t = resolve_pid(m, g, pu[j].pid);
        all += pu[j].sm_pct;
        ours += t ? pu[j].sm_pct : 0;
        if (!t && pu[j].sm_pct > 0)
            g->shared = 1;
    }
    if (k > 0 && all > 0) {
        snprintf(why, size, "per-process SM utilisation");
        return ours / all;
    }
    /* no SM activity sampled (or per-process utilisation unsupported): who holds a compute context */
    unsigned pids[64];
    int n = ws_nvml_compute_pids(&m->nvml, i, pids, 64);
    if (n < 0) {
        snprintf(why, size, "not attributable: NVML lists neither per-process utilisation nor processes");
        return -1;
    }
    int mine = 0;
    for (int j = 0; j < n; j++)
        mine += resolve_pid(m, g, pids[j]);
    if (mine < n)
        g->shared = 1;
    if (k >= 0)
        snprintf(why, size, "per-process SM utilisation");
    else
        snprintf(why, size, "compute contexts (no per-process utilisation)");
    if (n == 0 || mine == 0)
        return 0; /* a GPU nobody (or only others) holds: its idle energy is not the command's */
    if (mine == n)
        return 1;
    if (k >= 0) /* utilisation supported, but nobody was busy: split idle by contexts */
        return (double)mine / n;
    snprintf(why, size, "not attributable: GPU shared with other processes and no per-process utilisation%s",
             m->nvml.gpus[i].mig ? " (MIG)" : "");
    return -1;
}

int ws_measure_start(ws_measure *m, ws_error *err)
{
    m->t0_mono = ws_monotonic_s();
    m->t0_unix = now_unix();
    m->start_us = (unsigned long long)(m->t0_unix * 1e6);
    m->busy0_s = ws_measure_busy_cpu_s(m->o.proc_root);
    if (m->rapl.available && ws_rapl_start(&m->rapl, err) != WS_OK)
        return WS_EFAIL;
    m->pkg_last_j = m->dram_last_j = 0;
    return ws_measure_sample(m, err);
}

int ws_measure_sample(ws_measure *m, ws_error *err)
{
    double t = m->n == 0 ? 0 : ws_round_us(ws_monotonic_s() - m->t0_mono);
    if (m->n == m->cap) {
        long cap = m->cap ? 2 * m->cap : 1024;
        ws_sample *s = realloc(m->samples, (size_t)cap * sizeof *s);
        if (!s) {
            ws_error_set(err, "", 0, "", "out of memory");
            return WS_EFAIL;
        }
        m->samples = s;
        m->cap = cap;
    }
    ws_sample *s = &m->samples[m->n];
    ws_sample_init(s);
    s->t_s = ws_round_us(t);
    double dt = m->n > 0 ? t - m->samples[m->n - 1].t_s : 0;
    double gpu_w = 0, util = 0, mem = 0, gpu_e = 0;
    int n_w = 0, n_u = 0, n_e = 0;
    for (int i = 0; i < m->n_gpu; i++) {
        ws_measure_gpu *g = &m->gpu[i];
        ws_nvml_reading r;
        if (ws_nvml_read(&m->nvml, g->gpu, &r) != 0) {
            g->n_failed++;
            g->counter_now = 0;
            continue;
        }
        if (!isnan(r.power_w)) {
            gpu_w += r.power_w;
            n_w++;
        }
        if (!isnan(r.util_pct)) {
            util += r.util_pct;
            mem += r.mem_util_pct;
            n_u++;
        }
        /* the interval's energy: the counter's difference, else the trapezoid */
        double de = NAN;
        if (m->n == 0) { /* the counter counts only when it was read at the start */
            g->counter_ok = !isnan(r.energy_mj);
            g->e0_mj = g->e_last_mj = r.energy_mj;
        } else if (g->counter_ok && !isnan(r.energy_mj)) {
            if (r.energy_mj < g->e_last_mj)
                g->counter_ok = 0; /* went back (driver reloaded): the integral instead */
            else
                de = (r.energy_mj - g->e_last_mj) / 1000.0;
            g->e_last_mj = r.energy_mj;
        }
        g->counter_now = !isnan(r.energy_mj);
        if (g->counter_ok && g->counter_now) {
            gpu_e += (r.energy_mj - g->e0_mj) / 1000.0;
            n_e++;
        }
        if (!isnan(r.power_w)) {
            if (g->has_power_last) { /* since this GPU's last power reading (a failed read leaves a gap) */
                double trap = 0.5 * (g->p_last_w + r.power_w) * (t - g->t_power_last_s);
                g->integrated_j += trap;
                if (isnan(de))
                    de = trap;
            }
            g->p_last_w = r.power_w;
            g->t_power_last_s = t;
            g->has_power_last = 1;
        }
        if (m->n > 0 && !isnan(de)) {
            char why[96] = "";
            double share = gpu_share(m, g, why, sizeof why);
            if (share < 0) {
                g->attr_ok = 0; /* one interval that cannot be split spoils the sum */
                ws_strlcpy(g->attributed_how, why, sizeof g->attributed_how);
            } else {
                g->attr_sum_j += share * de;
                if (g->attr_ok && why[0])
                    ws_strlcpy(g->attributed_how, why, sizeof g->attributed_how);
            }
        }
    }
    if (n_w)
        s->gpu_power_w = gpu_w;
    if (n_u) {
        s->util_pct = util / n_u;
        s->mem_util_pct = mem / n_u;
    }
    double cum = n_e == m->n_gpu ? gpu_e : NAN;
    if (m->rapl.available && !m->rapl_lost[0] && ws_rapl_read(&m->rapl, err) != WS_OK) {
        /* a counter unreadable mid-run: the CPU figure is lost, the run goes on */
        snprintf(m->rapl_lost, sizeof m->rapl_lost, "RAPL read failed at t = %.1f s (%.200s): CPU energy not measured",
                 t, err->file);
    }
    if (m->rapl.available && !m->rapl_lost[0]) {
        double pkg = ws_rapl_package_j(&m->rapl), dram = ws_rapl_dram_j(&m->rapl);
        if (dt > 0) {
            s->cpu_power_w = (pkg - m->pkg_last_j) / dt;
            if (!isnan(dram))
                s->ram_power_w = (dram - m->dram_last_j) / dt;
        }
        m->pkg_last_j = pkg;
        m->dram_last_j = isnan(dram) ? 0 : dram;
        cum += pkg + (isnan(dram) ? 0 : dram);
    }
    s->energy_j = cum;
    double p = 0;
    int any = 0;
    double parts[] = {s->gpu_power_w, s->cpu_power_w, s->ram_power_w};
    for (int k = 0; k < 3; k++)
        if (!isnan(parts[k]))
            p += parts[k], any = 1;
    s->power_w = any ? p : NAN;
    m->n++;
    m->t_end = t;
    return WS_OK;
}

/* ---------------------------------------------------------------- running the command */

static volatile sig_atomic_t got_signal, n_signals, signal_from_tty, got_child;

static void on_stop(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    got_signal = sig;
    n_signals++;
    /* a terminal's Ctrl-C comes from the kernel and already reached the whole foreground group */
    signal_from_tty = info && info->si_code == SI_KERNEL;
}

static void on_child(int sig)
{
    (void)sig;
    got_child = 1;
}

static int reap(ws_measure *m, int options)
{
    int status;
    struct rusage ru;
    pid_t r;
    while ((r = wait4(m->child, &status, options, &ru)) < 0 && errno == EINTR)
        ;
    if (r != m->child)
        return 0;
    m->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
    m->cpu_time_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
    m->maxrss_kib = ru.ru_maxrss;
    return 1;
}

int ws_measure_run(ws_measure *m, char *const argv[], int *exec_errno, ws_error *err)
{
    *exec_errno = 0;
    got_signal = n_signals = signal_from_tty = got_child = 0;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    struct sigaction sa, old_int, old_term, old_hup, old_chld;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_stop;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigprocmask(SIG_BLOCK, &block, &old);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    struct sigaction sc;
    memset(&sc, 0, sizeof sc);
    sc.sa_handler = on_child;
    sigemptyset(&sc.sa_mask);
    sigaction(SIGCHLD, &sc, &old_chld);

    int rc = WS_EFAIL, pipefd[2] = {-1, -1};
    if (ws_measure_start(m, err) != WS_OK)
        goto out;
    if (pipe(pipefd) != 0 || fcntl(pipefd[1], F_SETFD, FD_CLOEXEC) != 0) {
        ws_error_set(err, "", 0, "", "pipe: %s", strerror(errno));
        goto out;
    }
    fflush(NULL);
    m->child = fork();
    if (m->child < 0) {
        ws_error_set(err, "", 0, "", "fork: %s", strerror(errno));
        goto out;
    }
    if (m->child == 0) {
        close(pipefd[0]);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        sigaction(SIGHUP, &old_hup, NULL);
        sigaction(SIGCHLD, &old_chld, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(pipefd[1], &e, sizeof e);
        (void)w;
        _exit(e == ENOENT ? 127 : 126);
    }
    close(pipefd[1]);
    pipefd[1] = -1;
    int e = 0;
    ssize_t got;
    while ((got = read(pipefd[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    if (got == (ssize_t)sizeof e) { /* exec failed: nothing ran */
        *exec_errno = e;
        reap(m, 0);
        rc = WS_EINPUT;
        goto out;
    }
    /* sample at t0 + k * interval until the command ends; signals wake pselect at once */
    sigset_t wait_mask = old;
    sigdelset(&wait_mask, SIGCHLD);
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGTERM);
    sigdelset(&wait_mask, SIGHUP);
    double step = m->o.interval_ms / 1000.0;
    long k = 1;
    int forwarded = 0;
    for (;;) {
        if (reap(m, WNOHANG))
            break;
        if (n_signals > forwarded) {
            m->interrupted = 1;
            m->stop_signal = got_signal;
            forwarded = n_signals;
            if (n_signals >= 3)
                kill(m->child, SIGKILL);
            else if (!signal_from_tty)
                kill(m->child, got_signal);
        }
        double now = ws_monotonic_s() - m->t0_mono, due = k * step;
        if (now >= due) {
            if (ws_measure_sample(m, err) != WS_OK) {
                reap(m, 0); /* out of memory: stop measuring, but let the command finish */
                goto out;
            }
            while (k * step <= now)
                k++; /* a late wake-up skips ticks instead of bunching samples */
            continue;
        }
        double wait_s = due - now;
        struct timespec ts = {(time_t)wait_s, (long)((wait_s - (time_t)wait_s) * 1e9)};
        pselect(0, NULL, NULL, NULL, &ts, &wait_mask);
    }
    if (n_signals > 0 && !m->interrupted) { /* the signal and the command's end came together */
        m->interrupted = 1;
        m->stop_signal = got_signal;
    }
    if (ws_measure_sample(m, err) != WS_OK) /* the end */
        goto out;
    m->busy_s = ws_measure_busy_cpu_s(m->o.proc_root) - m->busy0_s;
    rc = WS_OK;
out:
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigaction(SIGCHLD, &old_chld, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (rc == WS_OK && m->o.work_file) {
        char *text = ws_read_file(m->o.work_file, NULL);
        double w;
        if (!text)
            snprintf(m->work_file_why, sizeof m->work_file_why, "%.200s: %s", m->o.work_file, ws_read_file_error());
        else if (ws_parse_double(text, &w) != 0 || w < 0)
            snprintf(m->work_file_why, sizeof m->work_file_why, "%.200s: not a non-negative number", m->o.work_file);
        else
            m->work_from_file = w;
        free(text);
    }
    return rc;
}

/* ---------------------------------------------------------------- results */

typedef struct {
    char *buf;
    size_t size, used;
} text_buf;

static void add(text_buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text_buf *t, const char *fmt, ...)
{
    if (t->used + 1 >= t->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(t->buf + t->used, t->size - t->used, fmt, ap);
    va_end(ap);
    if (k > 0)
        t->used = t->used + (size_t)k < t->size ? t->used + (size_t)k : t->size - 1;
}

static const char *signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}

void ws_measure_profile(ws_measure *m, const char *command_line, ws_profile *p)
{
    (void)command_line;
    ws_profile_init(p, NULL, 0);
    if (m->rapl_lost[0]) /* CPU figures up to the failure only: none, so that samples and totals agree */
        for (long i = 0; i < m->n; i++) {
            ws_sample *s = &m->samples[i];
            s->cpu_power_w = s->ram_power_w = s->energy_j = NAN;
            s->power_w = s->gpu_power_w;
        }
    /* RAPL gives each interval's mean power at its end: the first sample takes the first interval's */
    if (m->n > 1 && isnan(m->samples[0].cpu_power_w) && !isnan(m->samples[1].cpu_power_w)) {
        ws_sample *s0 = &m->samples[0];
        s0->cpu_power_w = m->samples[1].cpu_power_w;
        s0->ram_power_w = m->samples[1].ram_power_w;
        s0->power_w = (isnan(s0->gpu_power_w) ? 0 : s0->gpu_power_w) + s0->cpu_power_w +
                      (isnan(s0->ram_power_w) ? 0 : s0->ram_power_w);
    }
    /* per GPU, then the sums */
    double counter = 0, integ = 0, attr = 0, rank_gpu = 0;
    int all_counters = m->n_gpu > 0, all_attr = m->n_gpu > 0;
    for (int i = 0; i < m->n_gpu; i++) {
        ws_measure_gpu *g = &m->gpu[i];
        /* read at the start and at the end, never going back: else the integral stands */
        g->counter_j = g->counter_ok && g->counter_now ? (g->e_last_mj - g->e0_mj) / 1000.0 : NAN;
        if (isnan(g->counter_j))
            all_counters = 0;
        else
            counter += g->counter_j;
        integ += g->integrated_j;
        double whole = isnan(g->counter_j) ? g->integrated_j : g->counter_j;
        if (g->n_invisible > 0 && g->n_visible == 0) {
            g->attr_ok = 0;
            snprintf(g->attributed_how, sizeof g->attributed_how,
                     "not attributable: its processes are not visible here (another PID namespace?)");
        } else if (g->n_invisible > 0 && g->attr_ok && !strstr(g->attributed_how, "invisible")) {
            size_t used = strlen(g->attributed_how);
            snprintf(g->attributed_how + used, sizeof g->attributed_how - used, "; %ld invisible process sample(s) "
                     "counted as others'", g->n_invisible);
        }
        if (!g->attr_ok || m->n < 2)
            all_attr = 0;
        else
            attr += g->attr_sum_j;
        /* --scope rank: the rank's GPUs count whole, unless others were seen on them: then the share */
        rank_gpu += g->shared && g->attr_ok && m->n > 1 ? g->attr_sum_j : whole;
    }
    m->gpu_counter_j = all_counters ? counter : NAN;
    m->gpu_integrated_j = m->n_gpu ? integ : NAN;
    m->gpu_attributed_j = all_attr ? attr : NAN;
    int rapl = m->rapl.available && !m->rapl_lost[0];
    m->cpu_package_j = rapl ? ws_rapl_package_j(&m->rapl) : NAN;
    m->dram_j = rapl ? ws_rapl_dram_j(&m->rapl) : NAN;
    m->cpu_share = m->busy_s > 0 ? fmin(1.0, m->cpu_time_s / m->busy_s) : NAN;
    m->cpu_attributed_j = m->cpu_package_j * m->cpu_share;
    m->dram_attributed_j = m->dram_j * m->cpu_share;

    double gpu_whole = all_counters ? m->gpu_counter_j : m->gpu_integrated_j;
    int rank = m->o.scope == WS_MEASURE_RANK;
    if (m->o.job)
        ws_strlcpy(p->job, m->o.job, sizeof p->job);
    ws_ingest_opts ao;
    memset(&ao, 0, sizeof ao);
    ao.arch = m->o.arch;
    const char *arch = m->n_gpu ? m->nvml.gpus[m->gpu[0].gpu].name : m->cpu_model[0] ? m->cpu_model : "unknown-cpu";
    ws_profile_set_arch(p, &ao, arch);
    ws_strlcpy(p->device, "host", sizeof p->device);
    char run_id[256];
    if (m->launch.rank >= 0)
        snprintf(run_id, sizeof run_id, "%s%s%.60s/rank%d", m->launch.job_id, m->launch.job_id[0] ? "/" : "",
                 m->launch.host, m->launch.rank);
    else
        snprintf(run_id, sizeof run_id, "%.100s/pid%ld", m->launch.host, (long)m->child);
    ws_strlcpy(p->run_id, run_id, sizeof p->run_id);
    p->start_unix_s = m->t0_unix;
    ws_format_time(m->t0_unix, p->start_time, sizeof p->start_time);
    p->duration_s = ws_round_us(m->t_end);
    if (rank) {
        p->energy_gpu_j = rank_gpu;
        p->energy_cpu_j = m->cpu_attributed_j;
        p->energy_ram_j = m->dram_attributed_j;
    } else {
        p->energy_gpu_j = gpu_whole;
        p->energy_cpu_j = m->cpu_package_j;
        p->energy_ram_j = m->dram_j;
    }
    if (m->n_gpu == 0)
        p->energy_gpu_j = NAN;
    double parts[] = {p->energy_gpu_j, p->energy_cpu_j, p->energy_ram_j}, sum = 0;
    int any = 0;
    for (int k = 0; k < 3; k++)
        if (!isnan(parts[k]))
            sum += parts[k], any = 1;
    p->energy_j = any ? sum : NAN;
    if (any && p->duration_s > 0)
        p->mean_power_w = p->energy_j / p->duration_s;
    double peak = NAN, util = 0, max_gap = 0;
    long n_util = 0;
    for (long i = 0; i < m->n; i++) {
        const ws_sample *s = &m->samples[i];
        if (!isnan(s->power_w) && (isnan(peak) || s->power_w > peak))
            peak = s->power_w;
        if (!isnan(s->util_pct))
            util += s->util_pct, n_util++;
        if (i > 0)
            max_gap = fmax(max_gap, s->t_s - m->samples[i - 1].t_s);
    }
    p->peak_power_w = peak;
    p->mean_util_pct = n_util ? util / n_util : NAN;
    p->max_gap_s = m->n > 1 ? max_gap : NAN;
    p->n_samples = m->n;
    p->work = isnan(m->work_from_file) ? m->o.work : m->work_from_file;
    if (m->o.work_unit)
        ws_strlcpy(p->work_unit, m->o.work_unit, sizeof p->work_unit);

    /* the note: what is measured, what is attributed, and the caveats (the profile row has ~320 bytes) */
    text_buf t = {p->energy_note, sizeof p->energy_note, 0};
    if (rank)
        add(&t, "stored: the command's attributed share (--scope rank); whole: ");
    else
        add(&t, "measured: ");
    if (m->n_gpu == 0)
        add(&t, "no GPU");
    else if (all_counters)
        add(&t, "GPU %.1f J (NVML counter; integrated %.1f J, %+.2f%%)", m->gpu_counter_j, m->gpu_integrated_j,
            100.0 * (m->gpu_integrated_j / m->gpu_counter_j - 1.0));
    else
        add(&t, "GPU %.1f J (integrated power; no usable energy counter)", m->gpu_integrated_j);
    if (rapl) {
        add(&t, ", CPU package %.1f J", m->cpu_package_j);
        if (!isnan(m->dram_j))
            add(&t, ", DRAM %.1f J", m->dram_j);
        add(&t, " (RAPL)");
    } else
        add(&t, m->rapl_lost[0] ? ", CPU not measured (RAPL read failed mid-run)" : ", CPU not measured (RAPL unreadable)");
    if (!rank && (m->n_gpu || rapl)) {
        add(&t, "; attributed:");
        if (m->n_gpu)
            add(&t, isnan(m->gpu_attributed_j) ? " GPU n/a" : " GPU %.1f J", m->gpu_attributed_j);
        if (rapl && !isnan(m->cpu_share))
            add(&t, ", CPU+DRAM %.1f J (%.1f%% of busy CPU time)",
                m->cpu_attributed_j + (isnan(m->dram_attributed_j) ? 0 : m->dram_attributed_j), 100 * m->cpu_share);
    }
    add(&t, "; CPU time %.2f s, peak RSS %.0f MiB", m->cpu_time_s, m->maxrss_kib / 1024.0);
    if (m->interrupted)
        add(&t, "; interrupted (%s): partial run", signal_name(m->stop_signal));
    if (!all_counters && m->n_gpu) { /* integrated NVML power reads low on short jobs: an interval */
        p->energy_lo_j = p->energy_hi_j = p->energy_j;
        ws_profile_flag_short_job(p);
        if (!(p->energy_hi_j > p->energy_j))
            p->energy_lo_j = p->energy_hi_j = NAN;
    }
}

/* ISO-8601 with microseconds, so that samples a few ms apart keep distinct, increasing times. */
static void format_time_us(double unix_s, char *buf, size_t size)
{
    time_t sec = (time_t)floor(unix_s);
    long us = lround((unix_s - (double)sec) * 1e6);
    if (us >= 1000000)
        sec++, us -= 1000000;
    struct tm tm;
    gmtime_r(&sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, size, "%s.%06ldZ", base, us);
}

/* A "# key: value" line; the value may not hold a quote or a line break (the CSV reader reads it too). */
static void meta(FILE *out, const char *key, const char *value)
{
    fprintf(out, "# %s: ", key);
    for (const char *c = value; *c; c++)
        fputc(*c == '"' ? '\'' : (*c == '\n' || *c == '\r') ? ' ' : *c, out);
    fputc('\n', out);
}

static void num(FILE *out, double v)
{
    if (isnan(v))
        fputs(",", out);
    else
        fprintf(out, ",%.6g", v);
}

int ws_measure_write_csv(const ws_measure *m, const ws_profile *p, const char *command_line, FILE *out)
{
    char buf[1400];
    if (p->job[0])
        meta(out, "job", p->job);
    meta(out, "arch", p->arch_name);
    if (!isnan(p->work)) {
        snprintf(buf, sizeof buf, "%.17g", p->work);
        meta(out, "work", buf);
    }
    if (p->work_unit[0])
        meta(out, "work_unit", p->work_unit);
    meta(out, "tool", "wattscale measure " WS_VERSION);
    meta(out, "command", command_line);
    ws_measure_describe(m, buf, sizeof buf);
    meta(out, "measured", buf);
    meta(out, "run_id", p->run_id);
    meta(out, "note", p->energy_note);
    snprintf(buf, sizeof buf, "%d%s", m->exit_status, m->interrupted ? " (interrupted)" : "");
    meta(out, "exit_status", buf);
    fputs("timestamp,power_w,util_pct,gpu_power_w,cpu_power_w,ram_power_w,energy_j\n", out);
    for (long i = 0; i < m->n; i++) {
        const ws_sample *s = &m->samples[i];
        format_time_us(m->t0_unix + s->t_s, buf, sizeof buf);
        fputs(buf, out);
        num(out, s->power_w);
        num(out, s->util_pct);
        num(out, s->gpu_power_w);
        num(out, s->cpu_power_w);
        num(out, s->ram_power_w);
        if (isnan(s->energy_j))
            fputs(",", out);
        else
            fprintf(out, ",%.3f", s->energy_j);
        fputc('\n', out);
    }
    return ferror(out) ? WS_EFAIL : WS_OK;
}
