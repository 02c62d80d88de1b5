/* ws_testutil: see ws_testutil.h. */
#include "ws_testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ws_util.h"

static char dir[256];

static void remove_dir(void)
{
    if (dir[0] && !getenv("WS_TEST_KEEP")) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
}

const char *ws_test_dir(void)
{
    if (!dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/wattscale-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            exit(1);
        }
        atexit(remove_dir);
    }
    return dir;
}

const char *ws_test_path(const char *name)
{
    static char bufs[8][512];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 512, "%s/%s", ws_test_dir(), name);
    return b;
}

const char *ws_test_write(const char *name, const char *text)
{
    const char *path = ws_test_path(name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    return path;
}

int ws_test_run(const char *args, char **out, char **err)
{
    char out_path[600], err_path[600], cmd[8192];
    snprintf(out_path, sizeof out_path, "%s/run.out", ws_test_dir());
    snprintf(err_path, sizeof err_path, "%s/run.err", ws_test_dir());
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >'%s' 2>'%s' </dev/null", ws_test_dir(), WS_BINARY, args,
             out_path, err_path);
    int status = system(cmd);
    if (out)
        *out = ws_read_file(out_path, NULL);
    if (err)
        *err = ws_read_file(err_path, NULL);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int mem_begin(ws_ingest_sink *sink, ws_profile *p)
{
    ws_mem_sink *m = sink->ctx;
    p->id = p->source_index + 1;
    return m->n_profiles < 16 ? 0 : -1;
}

static int mem_sample(ws_ingest_sink *sink, const ws_profile *p, const ws_sample *s)
{
    ws_mem_sink *m = sink->ctx;
    if (m->n_samples == m->cap_samples) { /* out of memory is an error the parser must pass on (test_faults) */
        long cap = m->cap_samples ? 2 * m->cap_samples : 64;
        ws_sample *ns = realloc(m->samples, (size_t)cap * sizeof *ns);
        if (!ns)
            return -1;
        m->samples = ns;
        int *np = realloc(m->sample_profile, (size_t)cap * sizeof *np);
        if (!np)
            return -1;
        m->sample_profile = np;
        m->cap_samples = cap;
    }
    m->sample_profile[m->n_samples] = p->source_index;
    m->samples[m->n_samples++] = *s;
    return 0;
}

static int mem_end(ws_ingest_sink *sink, ws_profile *p)
{
    ws_mem_sink *m = sink->ctx;
    m->profiles[m->n_profiles++] = *p;
    return 0;
}

void ws_mem_sink_init(ws_mem_sink *m, ws_ingest_sink *sink)
{
    memset(m, 0, sizeof *m);
    sink->ctx = m;
    sink->begin = mem_begin;
    sink->sample = mem_sample;
    sink->end = mem_end;
}

void ws_mem_sink_free(ws_mem_sink *m)
{
    free(m->samples);
    free(m->sample_profile);
    memset(m, 0, sizeof *m);
}

ws_ingest_opts ws_test_opts(const char *path)
{
    ws_ingest_opts o = {.path = path, .work = NAN, .gap_s = 5.0, .keep_samples = 1, .tool_pue = NAN};
    return o;
}

int ws_test_parse(ws_ingest_fn parse, const ws_ingest_opts *opts, ws_mem_sink *m, char tool[64], ws_error *err)
{
    ws_ingest_sink sink;
    ws_mem_sink_init(m, &sink);
    tool[0] = '\0';
    memset(err, 0, sizeof *err);
    return parse(opts, &sink, tool, err);
}

static void cap_job(void *ctx, const ws_sim_job_record *r)
{
    ws_sim_capture *c = ctx;
    if (c->n < (int)(sizeof c->rec / sizeof *c->rec))
        c->rec[c->n++] = *r;
}

static void cap_hour(void *ctx, const ws_sim_hour *h)
{
    ws_sim_capture *c = ctx;
    if (c->n_hours < (int)(sizeof c->hours / sizeof *c->hours))
        c->hours[c->n_hours++] = *h;
}

void ws_test_load_scenario(const char *name, const char *json, ws_scenario *sc)
{
    ws_error err;
    if (ws_scenario_load(ws_test_write(name, json), sc, &err) != 0) {
        ws_error_print(&err, stderr);
        fail();
    }
}

void ws_test_run_scenario(const ws_scenario *sc, ws_sim_result *res, ws_sim_capture *cap)
{
    ws_sim_options opt;
    ws_error err;
    memset(&opt, 0, sizeof opt);
    if (cap) {
        memset(cap, 0, sizeof *cap);
        opt.obs.on_job = cap_job;
        opt.obs.on_hour = cap_hour;
        opt.obs.ctx = cap;
    }
    if (ws_sim_run(sc, &opt, res, &err) != 0) {
        ws_error_print(&err, stderr);
        fail();
    }
}

void ws_test_run_json(const char *name, const char *json, ws_sim_result *res, ws_sim_capture *cap)
{
    ws_scenario sc;
    ws_test_load_scenario(name, json, &sc);
    ws_test_run_scenario(&sc, res, cap);
    ws_scenario_free(&sc);
}

const ws_sim_job_record *ws_test_find_job(const ws_sim_capture *c, int64_t id)
{
    for (int i = 0; i < c->n; i++)
        if (c->rec[i].id == id)
            return &c->rec[i];
    fail_msg("job %lld not recorded", (long long)id);
    return NULL;
}

void ws_test_expect_parse_error(ws_ingest_fn parse, const char *name, const char *text, long line, const char *field,
                                const char *want)
{
    ws_ingest_opts o = ws_test_opts(ws_test_write(name, text));
    ws_mem_sink m;
    ws_error err;
    char tool[64];
    int rc = ws_test_parse(parse, &o, &m, tool, &err);
    if (rc != WS_EINPUT || !strstr(err.message, want))
        fprintf(stderr, "%s: rc %d, message '%s'\n", name, rc, err.message);
    assert_int_equal(rc, WS_EINPUT);
    assert_non_null(strstr(err.message, want));
    assert_int_equal(err.line, line);
    assert_string_equal(err.field, field);
    ws_mem_sink_free(&m);
}

const char *ws_test_scenario_error(const char *json)
{
    static char buf[1024];
    ws_scenario sc;
    ws_error err;
    const char *path = ws_test_write("bad.json", json);
    if (ws_scenario_load(path, &sc, &err) == 0) {
        ws_scenario_free(&sc);
        fail_msg("accepted: %s", json);
    }
    assert_string_equal(err.file, path);
    snprintf(buf, sizeof buf, "%s: %s", err.field, err.message);
    return buf;
}

void ws_test_parse_ok(ws_ingest_fn parse, const char *path, ws_mem_sink *m)
{
    ws_ingest_opts o = ws_test_opts(path);
    ws_error err;
    char tool[64];
    if (ws_test_parse(parse, &o, m, tool, &err) != WS_OK)
        fail_msg("%s:%ld: %s: %s", err.file, err.line, err.field, err.message);
}
