/* ws_sweepbatch: sweeps as job arrays of a batch system, without MPI (see ws_sweep.h): the batch
 * description (sweep-batch.json, tasks.txt, the Slurm or HTCondor submit file), the part file of one
 * point, reading the parts back for the merge, and the files that rerun missing points. A part holds
 * the same row text a rank would send, so a merged table is byte-identical to a serial one. */
#include "ws_sweep.h"

#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ws_json.h"

#define BATCH_FILE "sweep-batch.json"

static int make_dir(const char *path, ws_error *err)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        ws_error_set(err, path, 0, "", "cannot create the folder: %s", strerror(errno));
        return WS_EFAIL;
    }
    return WS_OK;
}

/* The absolute form of path (relative paths are taken from cwd). */
static int absolute(const char *cwd, const char *path, char *out, size_t size)
{
    int n = path[0] == '/' ? snprintf(out, size, "%s", path) : snprintf(out, size, "%s/%s", cwd, path);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Single-quoted for sh: ' becomes '\''. */
static int sh_quote(const char *s, char *out, size_t size)
{
    size_t k = 0;
    if (size < 3)
        return -1;
    out[k++] = '\'';
    for (; *s; s++) {
        const char *piece = *s == '\'' ? "'\\''" : NULL;
        size_t n = piece ? 4 : 1;
        if (k + n + 2 > size)
            return -1;
        if (piece)
            memcpy(out + k, piece, n);
        else
            out[k] = *s;
        k += n;
    }
    out[k++] = '\'';
    out[k] = '\0';
    return 0;
}

/* A path that #SBATCH lines and HTCondor's submit language take as written: no blanks, quotes, '%'
 * (Slurm's file patterns), '$' (HTCondor's macros) or backslashes. */
static int plain_path(const char *s)
{
    return strpbrk(s, " \t\n\r'\"%$\\") == NULL;
}

/* "K" or "K-L" for task t of a batch of per_task points per task. */
static void task_line(long first, long last, char *buf, size_t size)
{
    if (first == last)
        snprintf(buf, size, "%ld", first);
    else
        snprintf(buf, size, "%ld-%ld", first, last);
}

int ws_sweep_point_range(const char *arg, long n_points, long *first, long *last)
{
    char *end;
    errno = 0;
    if (!arg[0] || arg[0] == '-' || arg[0] == '+' || arg[0] == ' ')
        return -1;
    long a = strtol(arg, &end, 10), b = a;
    if (*end == '-') {
        const char *s = end + 1;
        if (!*s || *s == '-' || *s == '+' || *s == ' ')
            return -1;
        b = strtol(s, &end, 10);
    }
    if (errno || *end || a < 0 || b < a || b >= n_points)
        return -1;
    *first = a, *last = b;
    return 0;
}

static int write_text(const char *path, const char *text, ws_error *err)
{
    ws_outfile o;
    FILE *f = ws_outfile_open(&o, path, err);
    if (!f)
        return WS_EFAIL;
    if (fputs(text, f) < 0) {
        ws_outfile_abort(&o);
        ws_error_set(err, path, 0, "", "cannot write: %s", strerror(errno));
        return WS_EFAIL;
    }
    return ws_outfile_commit(&o, err) == 0 ? WS_OK : WS_EFAIL;
}

/* The task lines of the given points (ascending), runs of consecutive points joined up to per_task;
 * malloc'd text, *lines their count. */
static char *task_lines(const long *pts, long n, long per_task, long *lines)
{
    size_t cap = (size_t)n * 48 + 1, k = 0;
    char *text = malloc(cap);
    *lines = 0;
    for (long i = 0; text && i < n;) {
        long j = i;
        while (j + 1 < n && pts[j + 1] == pts[j] + 1 && j + 1 - i < per_task)
            j++;
        char line[48];
        task_line(pts[i], pts[j], line, sizeof line);
        k += (size_t)snprintf(text + k, cap - k, "%s\n", line);
        (*lines)++;
        i = j + 1;
    }
    if (text)
        text[k] = '\0';
    return text;
}

/* The task's command line after the executable: sweep SCENARIO --point ARG --out PARTS ... quoted for
 * sh (Slurm) or for HTCondor's new argument syntax (both take '...' for one argument). */
static int task_args(const ws_batch *b, const char *parts, const char *point_arg, char *out, size_t size)
{
    char scen[2100], pq[2100], db[2100], reps[32] = "";
    if (sh_quote(b->scenario, scen, sizeof scen) || sh_quote(parts, pq, sizeof pq) || sh_quote(b->db, db, sizeof db))
        return -1;
    if (b->replicas > 0)
        snprintf(reps, sizeof reps, " --replicas %d", b->replicas);
    int n = snprintf(out, size, "sweep %s --point %s --out %s --db %s --seed %" PRIu64 "%s --quiet", scen, point_arg,
                     pq, db, b->seed, reps);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int write_slurm(const ws_batch *b, const char *dir, long n_tasks, char *submit, size_t size, ws_error *err)
{
    char parts[PATH_MAX + 64], args[8000], bin[2100], tasks[2100], text[12000];
    snprintf(parts, sizeof parts, "%s/parts", dir);
    if (task_args(b, parts, "\"$points\"", args, sizeof args) != 0 || sh_quote(b->binary, bin, sizeof bin))
        goto too_long;
    char tasks_path[PATH_MAX + 64];
    snprintf(tasks_path, sizeof tasks_path, "%s/tasks.txt", dir);
    if (sh_quote(tasks_path, tasks, sizeof tasks))
        goto too_long;
    int n = snprintf(text, sizeof text,
                     "#!/bin/bash\n"
                     "#SBATCH --job-name=wattscale-sweep\n"
                     "#SBATCH --array=0-%ld\n"
                     "#SBATCH --ntasks=1\n"
                     "#SBATCH --cpus-per-task=1\n"
                     "#SBATCH --chdir=%s\n"
                     "#SBATCH --output=%s/logs/task-%%a.out\n"
                     "# A wattscale sweep as a Slurm job array (wattscale sweep SCENARIO --emit slurm DIR): array\n"
                     "# task T runs the points on line T+1 of $WATTSCALE_TASKS (default DIR/tasks.txt) and writes\n"
                     "# DIR/parts/point-K.json for each; then `wattscale sweep --merge DIR` builds the table.\n"
                     "# Submit: sbatch DIR/sweep.sbatch (add --time, --partition, --account as your site wants).\n"
                     "set -eu\n"
                     "tasks=${WATTSCALE_TASKS:-%s}\n"
                     "points=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \"$tasks\")\n"
                     "if [ -z \"$points\" ]; then\n"
                     "    echo \"wattscale sweep: no line $((SLURM_ARRAY_TASK_ID + 1)) in $tasks\" >&2\n"
                     "    exit 2\n"
                     "fi\n"
                     "exec %s %s\n",
                     n_tasks - 1, b->cwd, dir, tasks, bin, args);
    if (n < 0 || (size_t)n >= sizeof text)
        goto too_long;
    snprintf(submit, size, "%s/sweep.sbatch", dir);
    if (write_text(submit, text, err) != WS_OK)
        return WS_EFAIL;
    chmod(submit, 0755);
    return WS_OK;
too_long:
    ws_error_set(err, dir, 0, "", "a path is too long for the submit file");
    return WS_EINPUT;
}

static int condor_text(const ws_batch *b, const char *dir, const char *tasks_file, char *text, size_t size)
{
    char parts[PATH_MAX + 64], args[8000];
    snprintf(parts, sizeof parts, "%s/parts", dir);
    if (task_args(b, parts, "$(points)", args, sizeof args) != 0)
        return -1;
    int n = snprintf(text, size,
                     "# A wattscale sweep as an HTCondor job set (wattscale sweep SCENARIO --emit htcondor DIR): one\n"
                     "# job per line of the queue file, each running the points on its line and writing\n"
                     "# DIR/parts/point-K.json; then `wattscale sweep --merge DIR` builds the table.\n"
                     "# Submit: condor_submit DIR/sweep.sub (a shared filesystem: nothing is transferred).\n"
                     "universe = vanilla\n"
                     "executable = %s\n"
                     "arguments = \"%s\"\n"
                     "initialdir = %s\n"
                     "should_transfer_files = NO\n"
                     "request_cpus = 1\n"
                     "output = %s/logs/task-$(ProcId).out\n"
                     "error = %s/logs/task-$(ProcId).err\n"
                     "log = %s/logs/sweep.log\n"
                     "queue points from %s/%s\n",
                     b->binary, args, b->cwd, dir, dir, dir, dir, tasks_file);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int write_batch_json(const ws_batch *b, const char *dir, ws_error *err)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "wattscale_sweep_batch", 1);
    cJSON_AddStringToObject(o, "kind", b->kind == WS_BATCH_SLURM ? "slurm" : "htcondor");
    cJSON_AddStringToObject(o, "scenario", b->scenario);
    cJSON_AddStringToObject(o, "cwd", b->cwd);
    cJSON_AddStringToObject(o, "scenario_sha256", b->sha256);
    cJSON_AddNumberToObject(o, "seed", (double)b->seed);
    cJSON_AddNumberToObject(o, "replicas", b->replicas);
    cJSON_AddNumberToObject(o, "points", (double)b->points);
    cJSON_AddNumberToObject(o, "points_per_task", (double)b->per_task);
    cJSON_AddStringToObject(o, "binary", b->binary);
    cJSON_AddStringToObject(o, "db", b->db);
    char *text = cJSON_Print(o), path[1100];
    cJSON_Delete(o);
    if (!text) {
        ws_error_set(err, dir, 0, "", "out of memory");
        return WS_EFAIL;
    }
    snprintf(path, sizeof path, "%s/" BATCH_FILE, dir);
    size_t len = strlen(text);
    char *nl = realloc(text, len + 2);
    if (nl) {
        text = nl;
        memcpy(text + len, "\n", 2);
    }
    int rc = write_text(path, text, err);
    free(text);
    return rc;
}

int ws_sweep_batch_emit(const ws_sweep *sw, ws_batch *b, const char *dir_arg, char *submit, size_t size,
                        ws_error *err)
{
    char dir[1024], sub[1100];
    if (absolute(b->cwd, dir_arg, dir, sizeof dir) != 0) {
        ws_error_set(err, dir_arg, 0, "", "path too long");
        return WS_EINPUT;
    }
    if (!plain_path(dir) || !plain_path(b->cwd) || !plain_path(b->binary)) {
        ws_error_set(err, dir, 0, "", "batch folders, the working folder and the binary need paths without blanks, "
                     "quotes, '%%', '$' or '\\' (submit files take them as written)");
        return WS_EINPUT;
    }
    ws_strlcpy(b->sha256, sw->sha256, sizeof b->sha256);
    b->seed = sw->seed;
    b->points = sw->n_points;
    b->per_task = (sw->n_points + WS_BATCH_MAX_TASKS - 1) / WS_BATCH_MAX_TASKS;
    snprintf(sub, sizeof sub, "%s/parts", dir);
    int rc = make_dir(dir, err);
    if (rc == WS_OK)
        rc = make_dir(sub, err);
    snprintf(sub, sizeof sub, "%s/logs", dir);
    if (rc == WS_OK)
        rc = make_dir(sub, err);
    long *all = rc == WS_OK ? malloc((size_t)sw->n_points * sizeof *all) : NULL, n_tasks = 0;
    for (long p = 0; all && p < sw->n_points; p++)
        all[p] = p;
    char *lines = all ? task_lines(all, sw->n_points, b->per_task, &n_tasks) : NULL;
    free(all);
    if (rc == WS_OK && !lines) {
        ws_error_set(err, dir, 0, "", "out of memory");
        rc = WS_EFAIL;
    }
    snprintf(sub, sizeof sub, "%s/tasks.txt", dir);
    if (rc == WS_OK)
        rc = write_text(sub, lines, err);
    free(lines);
    if (rc == WS_OK)
        rc = write_batch_json(b, dir, err);
    if (rc == WS_OK && b->kind == WS_BATCH_SLURM)
        rc = write_slurm(b, dir, n_tasks, submit, size, err);
    if (rc == WS_OK && b->kind == WS_BATCH_HTCONDOR) {
        char text[12000];
        snprintf(submit, size, "%s/sweep.sub", dir);
        if (condor_text(b, dir, "tasks.txt", text, sizeof text) != 0) {
            ws_error_set(err, dir, 0, "", "a path is too long for the submit file");
            rc = WS_EINPUT;
        } else {
            rc = write_text(submit, text, err);
        }
    }
    return rc;
}

static int get_string(const cJSON *o, const char *key, char *out, size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && ws_strlcpy(out, v->valuestring, size) == 0 ? 0 : -1;
}

static int get_number(const cJSON *o, const char *key, double lo, double hi, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi || v->valuedouble != (double)(long long)v->valuedouble)
        return -1;
    *out = v->valuedouble;
    return 0;
}

int ws_sweep_batch_load(const char *dir, ws_batch *b, ws_error *err)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/" BATCH_FILE, dir);
    memset(b, 0, sizeof *b);
    cJSON *o = ws_json_load(path, err);
    if (!o)
        return WS_EINPUT;
    char kind[16] = "";
    double version = 0, seed = 0, reps = 0, points = 0, per = 0;
    int bad = get_number(o, "wattscale_sweep_batch", 1, 1, &version) || get_string(o, "kind", kind, sizeof kind) ||
              (strcmp(kind, "slurm") != 0 && strcmp(kind, "htcondor") != 0) ||
              get_string(o, "scenario", b->scenario, sizeof b->scenario) || get_string(o, "cwd", b->cwd, sizeof b->cwd) ||
              get_string(o, "scenario_sha256", b->sha256, sizeof b->sha256) ||
              get_string(o, "binary", b->binary, sizeof b->binary) || get_string(o, "db", b->db, sizeof b->db) ||
              get_number(o, "seed", 0, 9007199254740992.0, &seed) || get_number(o, "replicas", 0, 10000, &reps) ||
              get_number(o, "points", 1, WS_SWEEP_MAX_POINTS, &points) ||
              get_number(o, "points_per_task", 1, WS_SWEEP_MAX_POINTS, &per);
    cJSON_Delete(o);
    if (bad) {
        ws_error_set(err, path, 0, "", "not a batch description written by wattscale sweep --emit");
        return WS_EINPUT;
    }
    b->kind = strcmp(kind, "slurm") == 0 ? WS_BATCH_SLURM : WS_BATCH_HTCONDOR;
    b->seed = (uint64_t)seed;
    b->replicas = (int)reps;
    b->points = (long)points;
    b->per_task = (long)per;
    return WS_OK;
}

int ws_sweep_part_write(const ws_sweep *sw, int replicas, long p, const char *row_text, const char *dir,
                        ws_error *err)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/point-%ld.json", dir, p);
    cJSON *o = cJSON_CreateObject(), *row = cJSON_Parse(row_text);
    cJSON_AddNumberToObject(o, "wattscale_sweep_part", 1);
    cJSON_AddStringToObject(o, "scenario_sha256", sw->sha256);
    cJSON_AddNumberToObject(o, "seed", (double)sw->seed);
    cJSON_AddNumberToObject(o, "replicas", replicas > 0 ? replicas : 0);
    char *text = row && cJSON_AddItemToObject(o, "row", row) ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!text) {
        ws_error_set(err, path, 0, "", "out of memory");
        return WS_EFAIL;
    }
    ws_outfile of;
    FILE *f = ws_outfile_open(&of, path, err);
    int rc = f ? WS_OK : WS_EFAIL;
    if (f && (fputs(text, f) < 0 || fputc('\n', f) == EOF)) {
        ws_outfile_abort(&of);
        ws_error_set(err, path, 0, "", "cannot write: %s", strerror(errno));
        rc = WS_EFAIL;
    } else if (f && ws_outfile_commit(&of, err) != 0) {
        rc = WS_EFAIL;
    }
    free(text);
    return rc;
}

/* Point p's row from its part, or NULL when the part is absent, unreadable or from another run. */
static cJSON *read_part(const ws_sweep *sw, int replicas, long p, const char *dir)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/point-%ld.json", dir, p);
    char *text = ws_read_file(path, NULL);
    cJSON *o = text ? cJSON_Parse(text) : NULL, *row = NULL;
    free(text);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "wattscale_sweep_part"),
                *sha = cJSON_GetObjectItemCaseSensitive(o, "scenario_sha256"),
                *seed = cJSON_GetObjectItemCaseSensitive(o, "seed"), *reps = cJSON_GetObjectItemCaseSensitive(o, "replicas");
    if (cJSON_IsNumber(v) && v->valuedouble == 1 && cJSON_IsString(sha) && strcmp(sha->valuestring, sw->sha256) == 0 &&
        cJSON_IsNumber(seed) && seed->valuedouble == (double)sw->seed && cJSON_IsNumber(reps) &&
        reps->valuedouble == (replicas > 0 ? replicas : 0)) {
        row = cJSON_DetachItemFromObjectCaseSensitive(o, "row");
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(row, "point"), *st = cJSON_GetObjectItemCaseSensitive(row, "status");
        if (!cJSON_IsObject(row) || !cJSON_IsNumber(pt) || pt->valuedouble != (double)p || !cJSON_IsString(st)) {
            cJSON_Delete(row);
            row = NULL;
        }
    }
    cJSON_Delete(o);
    return row;
}

long ws_sweep_parts_read(const ws_sweep *sw, int replicas, const char *dir, cJSON **rows, long *missing)
{
    long n = 0;
    for (long p = 0; p < sw->n_points; p++) {
        rows[p] = read_part(sw, replicas, p, dir);
        if (!rows[p])
            missing[n++] = p;
    }
    return n;
}

int ws_sweep_batch_rerun(const ws_batch *b, const char *dir_arg, const long *missing, long n, char *hint,
                         size_t size, ws_error *err)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];
    if (strlen(dir_arg) >= PATH_MAX || realpath(dir_arg, dir) == NULL) {
        ws_error_set(err, dir_arg, 0, "", "cannot resolve the folder: %s", strerror(errno));
        return WS_EFAIL;
    }
    long lines = 0;
    char *text = task_lines(missing, n, b->per_task, &lines);
    if (!text) {
        ws_error_set(err, dir, 0, "", "out of memory");
        return WS_EFAIL;
    }
    snprintf(path, sizeof path, "%s/rerun.txt", dir);
    int rc = write_text(path, text, err);
    free(text);
    if (rc != WS_OK)
        return rc;
    if (b->kind == WS_BATCH_HTCONDOR) {
        char sub[12000];
        snprintf(path, sizeof path, "%s/sweep-rerun.sub", dir);
        if (condor_text(b, dir, "rerun.txt", sub, sizeof sub) != 0 || write_text(path, sub, err) != WS_OK) {
            if (!err->message[0])
                ws_error_set(err, path, 0, "", "a path is too long for the submit file");
            return WS_EFAIL;
        }
        snprintf(hint, size, "condor_submit %s", path);
    } else if (b->per_task == 1 && n <= 100) {
        size_t k = (size_t)snprintf(hint, size, "sbatch --array=");
        for (long i = 0; i < n && k < size; i++)
            k += (size_t)snprintf(hint + k, size - k, "%s%ld", i ? "," : "", missing[i]);
        if (k < size)
            snprintf(hint + k, size - k, " %s/sweep.sbatch", dir);
    } else {
        snprintf(hint, size, "sbatch --array=0-%ld --export=ALL,WATTSCALE_TASKS=%s/rerun.txt %s/sweep.sbatch", lines - 1,
                 dir, dir);
    }
    return WS_OK;
}
