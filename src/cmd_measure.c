/* cmd_measure: `wattscale measure [options] -- CMD ARGS...` runs a command, measures the energy of its
 * machine at the source (NVML, RAPL) meanwhile and stores one profile as ingest would; see ws_measure.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_ingest_store.h"
#include "ws_measure.h"
#include "ws_opt.h"
#include "ws_version.h"

/* The command as one line, arguments with blanks or quotes single-quoted (for the record, not a shell). */
static void join_command(char **argv, int n, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n && used + 1 < size; i++) {
        const char *a = argv[i];
        int quote = a[0] == '\0' || strpbrk(a, " \t'\"\\$`*?;&|<>()") != NULL;
        int k = snprintf(out + used, size - used, quote ? "%s'%s'" : "%s%s", i ? " " : "", a);
        used = k > 0 && used + (size_t)k < size ? used + (size_t)k : size - 1;
    }
}

static void print_summary(const ws_measure *m, const ws_profile *p, long long id, const char *output)
{
    FILE *e = stderr;
    if (id > 0)
        fprintf(e, "wattscale measure: stored profile %lld (job %s, arch %s)", id, p->job, p->arch);
    else
        fprintf(e, "wattscale measure: not stored (--no-store)");
    fprintf(e, ": %.2f s, %ld samples, command %s %d%s\n", p->duration_s, p->n_samples,
            m->exit_status > 128 ? "ended by signal" : "exited", m->exit_status > 128 ? m->exit_status - 128 : m->exit_status,
            m->interrupted ? " (interrupted: a partial run)" : "");
    if (!m->nvml.available || m->nvml.n_gpus == 0)
        fprintf(e, "  GPU: %s\n", m->nvml.why);
    for (int i = 0; i < m->n_gpu; i++) {
        const ws_measure_gpu *g = &m->gpu[i];
        const ws_nvml_gpu *d = &m->nvml.gpus[g->gpu];
        fprintf(e, "  GPU %d %s%s: ", d->index, d->name, d->mig ? " (MIG mode: the whole board)" : "");
        if (!isnan(g->counter_j))
            fprintf(e, "%.1f J measured (NVML energy counter), %.1f J integrated from power (%+.2f%%)\n", g->counter_j,
                    g->integrated_j, 100.0 * (g->integrated_j / g->counter_j - 1.0));
        else
            fprintf(e, "%.1f J integrated from power (%s)\n", g->integrated_j,
                    d->has_counter ? "its energy counter was not read at both ends" : "no energy counter on this GPU");
        if (g->n_failed)
            fprintf(e, "    %ld reading(s) failed (GPU lost or reset?)\n", g->n_failed);
    }
    if (m->rapl_lost[0])
        fprintf(e, "  CPU: %s\n", m->rapl_lost);
    else if (m->rapl.available) {
        fprintf(e, "  CPU: %.1f J measured (RAPL package", m->cpu_package_j);
        if (!isnan(m->dram_j))
            fprintf(e, "), DRAM %.1f J measured (RAPL dram", m->dram_j);
        fprintf(e, ")%s%s\n", m->rapl.why[0] ? "; " : "", m->rapl.why);
    } else
        fprintf(e, "  CPU: %s\n", m->rapl.why);
    fprintf(e, "  attributed to the command:");
    if (m->n_gpu)
        for (int i = 0; i < m->n_gpu; i++) {
            const ws_measure_gpu *g = &m->gpu[i];
            if (g->attr_ok && m->n > 1)
                fprintf(e, " GPU %d %.1f J (%s);", m->nvml.gpus[g->gpu].index, g->attr_sum_j, g->attributed_how);
            else
                fprintf(e, " GPU %d %s;", m->nvml.gpus[g->gpu].index, g->attributed_how[0] ? g->attributed_how : "n/a");
        }
    if (!isnan(m->cpu_attributed_j))
        fprintf(e, " CPU package + DRAM %.1f J (%.1f%% of the machine's busy CPU time)\n",
                m->cpu_attributed_j + (isnan(m->dram_attributed_j) ? 0 : m->dram_attributed_j), 100 * m->cpu_share);
    else
        fprintf(e, " CPU %s\n", m->rapl.available ? "n/a (machine CPU time unreadable)" : "n/a (not measured)");
    fprintf(e, "  command: CPU time %.2f s, peak RSS %.1f MiB\n", m->cpu_time_s, m->maxrss_kib / 1024.0);
    char parts[3][32];
    const double v[3] = {p->energy_gpu_j, p->energy_cpu_j, p->energy_ram_j};
    for (int k = 0; k < 3; k++)
        snprintf(parts[k], sizeof parts[k], isnan(v[k]) ? "n/a" : "%.1f J", v[k]);
    fprintf(e, "  stored: %.1f J = GPU %s + CPU %s + DRAM %s (%s)\n", p->energy_j, parts[0], parts[1], parts[2],
            m->o.scope == WS_MEASURE_RANK ? "the rank's attributed share" : "whole devices, measured");
    if (output)
        fprintf(e, "  samples written to %s (wattscale-csv, ingestible)\n", output);
}

int cmd_measure(int argc, char **argv)
{
    const char *db = NULL, *output = NULL, *scope = "node";
    int no_store = 0, status;
    ws_measure_opts o = {.work = NAN, .interval_ms = 100};
    const ws_opt options[] = {
        WS_OPT_GROUP("The profile"),
        WS_OPT_STRING(0, "job", &o.job, "NAME", "job class (default: the command's name)"),
        WS_OPT_STRING(0, "arch", &o.arch, "A", "architecture (default: the first measured GPU's name, else the\n"
                                               "CPU model)"),
        WS_OPT_DOUBLE(0, "work", &o.work, "N", 0, INFINITY, WS_OPT_HI_OPEN, "a non-negative number",
                      "work the job does (events, samples, epochs)"),
        WS_OPT_STRING(0, "work-unit", &o.work_unit, "U", "unit of --work"),
        WS_OPT_STRING(0, "work-file", &o.work_file, "FILE", "read the work from FILE once the command ends (a\n"
                                                          "command that counts its own work writes it there)"),
        WS_OPT_GROUP("Measuring"),
        WS_OPT_INT(0, "interval-ms", &o.interval_ms, "M", 10, 60000, "sampling interval (default 100)"),
        WS_OPT_STRING(0, "gpus", &o.gpus, "LIST", "GPUs to measure: NVML indices or UUIDs, comma-separated, or\n"
                                                  "'none' (default: all; --scope rank: CUDA_VISIBLE_DEVICES)"),
        WS_OPT_STRING(0, "scope", &scope, "node|rank", "node (default): under MPI or Slurm only local rank\n"
                      "0 measures the node's devices, other local ranks run\n"
                      "unmeasured; rank: every rank stores its share (its GPUs,\n"
                      "its CPU time's share of the CPU packages)"),
        WS_OPT_STRING(0, "nvml-lib", &o.nvml_lib, "PATH", "the NVML library (default libnvidia-ml.so.1)"),
        WS_OPT_STRING(0, "powercap-root", &o.powercap_root, "DIR", "the powercap tree (default /sys/class/powercap)"),
        WS_OPT_GROUP("Output"),
        WS_OPT_STRING(0, "output", &output, "FILE", "also write the samples as wattscale-csv (ingestible later)"),
        WS_OPT_FLAG(0, "no-store", &no_store, "do not store the profile (with --output)"),
        WS_OPT_DB(&db),
        WS_OPT_END()};
    const ws_opt_cmd spec = {
        "measure", "wattscale measure [options] [--] CMD [ARGS...]",
        "Run CMD and measure the energy its machine uses meanwhile, at the source: GPU power and the\n"
        "NVML energy counter (NVML loaded at run time; no driver: CPU only), CPU package and DRAM energy\n"
        "from RAPL (powercap; unreadable: said, never estimated), and CMD's CPU time and peak memory. One\n"
        "profile is stored as ingest would (format wattscale-measure). Whole-device energy is measured;\n"
        "the share of CMD's processes (per-process GPU utilisation, CPU time) is attributed; both are kept.\n"
        "CMD's exit status is passed through (126/127: it could not be run); Ctrl-C stops CMD and stores\n"
        "what was measured, marked interrupted. A summary goes to stderr; CMD's output is its own.",
        options,
        "example: wattscale measure --job baler-train --work 520000 --work-unit samples -- python train.py",
        NULL, 1, -1, 1};
    int nargs = ws_opt_parse(&spec, argc, argv, &status);
    if (nargs < 0)
        return status;
    if (strcmp(scope, "node") == 0)
        o.scope = WS_MEASURE_NODE;
    else if (strcmp(scope, "rank") == 0)
        o.scope = WS_MEASURE_RANK;
    else {
        fprintf(stderr, "wattscale measure: --scope: '%s' is not node or rank\n", scope);
        ws_opt_usage(&spec, stderr);
        return WS_EINPUT;
    }
    if (no_store && !output) {
        fprintf(stderr, "wattscale measure: --no-store without --output would keep nothing\n");
        return WS_EINPUT;
    }
    if (o.work_unit && isnan(o.work) && !o.work_file) {
        fprintf(stderr, "wattscale measure: --work-unit needs --work or --work-file\n");
        return WS_EINPUT;
    }
    char **cmd = calloc((size_t)nargs + 1, sizeof *cmd);
    if (!cmd) {
        fprintf(stderr, "wattscale measure: out of memory\n");
        return WS_EFAIL;
    }
    for (int i = 0; i < nargs; i++)
        cmd[i] = argv[1 + i];
    char job[128];
    if (!o.job) {
        const char *slash = strrchr(cmd[0], '/');
        ws_strlcpy(job, slash ? slash + 1 : cmd[0], sizeof job);
        o.job = job;
    }

    ws_measure_launch launch;
    ws_measure_launch_from_env(&launch);
    if (o.scope == WS_MEASURE_NODE && launch.local_rank > 0) {
        /* another local rank measures this node: run unmeasured, so that nothing is counted twice */
        fprintf(stderr, "wattscale measure: local rank %d: the node is measured by local rank 0 (--scope node); "
                        "running %s unmeasured\n", launch.local_rank, cmd[0]);
        fflush(NULL);
        execvp(cmd[0], cmd);
        int e = errno;
        fprintf(stderr, "wattscale measure: cannot run '%s': %s\n", cmd[0], strerror(e));
        free(cmd);
        return e == ENOENT ? 127 : 126;
    }

    ws_store st;
    int have_store = 0;
    if (!no_store) {
        if (ws_cli_open_store(&st, db) != 0) {
            free(cmd);
            return WS_EFAIL;
        }
        have_store = 1;
    }
    ws_error err = {0};
    ws_measure m;
    int rc = ws_measure_init(&m, &o, &err), result = WS_EFAIL;
    char line[4096], what[1400];
    if (rc != WS_OK) {
        fprintf(stderr, "wattscale measure: ");
        ws_error_print(&err, stderr);
        result = rc;
        goto done;
    }
    ws_measure_describe(&m, what, sizeof what);
    fprintf(stderr, "wattscale measure: measuring %s every %d ms: %s\n", cmd[0], m.o.interval_ms, what);
    int exec_errno = 0;
    rc = ws_measure_run(&m, cmd, &exec_errno, &err);
    if (rc == WS_EINPUT) {
        fprintf(stderr, "wattscale measure: cannot run '%s': %s (nothing stored)\n", cmd[0], strerror(exec_errno));
        result = exec_errno == ENOENT ? 127 : 126;
        goto done;
    }
    if (rc != WS_OK) {
        fprintf(stderr, "wattscale measure: measuring failed: ");
        ws_error_print(&err, stderr);
        fprintf(stderr, "wattscale measure: nothing stored; the command's status was %d\n", m.exit_status);
        goto done;
    }
    if (m.work_file_why[0])
        fprintf(stderr, "wattscale measure: --work-file: %s; the profile has %s\n", m.work_file_why,
                isnan(o.work) ? "no work" : "--work's");
    join_command(cmd, nargs, line, sizeof line);
    ws_profile p;
    ws_measure_profile(&m, line, &p);

    /* the CSV rendering is the record: --output writes it, its SHA-256 names the source */
    char *csv = NULL;
    size_t csv_len = 0;
    FILE *mem = open_memstream(&csv, &csv_len);
    if (!mem || ws_measure_write_csv(&m, &p, line, mem) != WS_OK || fclose(mem) != 0) {
        fprintf(stderr, "wattscale measure: out of memory\n");
        free(csv);
        goto done;
    }
    result = m.exit_status;
    if (output) {
        ws_outfile of;
        FILE *f = ws_outfile_open(&of, output, &err);
        if (!f || fwrite(csv, 1, csv_len, f) != csv_len || ws_outfile_commit(&of, &err) != 0) {
            if (f)
                ws_outfile_abort(&of);
            fprintf(stderr, "wattscale measure: --output: ");
            ws_error_print(&err, stderr);
            output = NULL;
            result = WS_EFAIL;
        }
    }
    long long id = 0;
    if (have_store) {
        char sha[65], label[6000];
        ws_sha256_buffer(csv, csv_len, sha);
        snprintf(label, sizeof label, "wattscale measure: %s | %s%s", line, what,
                 m.interrupted ? " | interrupted" : "");
        ws_ingest_result res;
        long n = m.n;
        rc = ws_ingest_store_profiles(&st, label, sha, "wattscale-measure", "wattscale " WS_VERSION,
                                      (int64_t)csv_len, &p, 1, m.samples, &n, 0, &res, &err);
        if (rc == WS_OK)
            id = res.ids[0];
        else {
            fprintf(stderr, "wattscale measure: not stored: ");
            ws_error_print(&err, stderr);
            result = rc == WS_EINPUT ? WS_EINPUT : WS_EFAIL;
        }
        ws_ingest_result_free(&res);
    }
    free(csv);
    print_summary(&m, &p, id, output);
    if (result != m.exit_status)
        fprintf(stderr, "wattscale measure: exit %d although the command's status was %d\n", result, m.exit_status);
done:
    ws_measure_free(&m);
    if (have_store)
        ws_store_close(&st);
    free(cmd);
    return result;
}
