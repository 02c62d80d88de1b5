/* ws_testutil: what the cmocka tests share: a scratch directory, running the real binary with its
 * exit status and output, writing small fixture files, and an in-memory ingest sink. */
#ifndef WS_TESTUTIL_H
#define WS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ws_ingest.h"
#include "ws_scenario.h"
#include "ws_sim.h"

/* A fresh directory under $TMPDIR for this test process (removed at exit). */
const char *ws_test_dir(void);
/* Path inside ws_test_dir(); returns a static buffer rotated over 8 slots. */
const char *ws_test_path(const char *name);
/* Write text to a file in ws_test_dir(); returns its path. */
const char *ws_test_write(const char *name, const char *text);
/* Run `wattscale ARGS` (a shell-quoted string), capture stdout and stderr (malloc'd, caller frees,
 * may pass NULL). Returns the exit status. */
int ws_test_run(const char *args, char **out, char **err);

/* An in-memory sink: every profile as it ended and every sample. */
typedef struct {
    ws_profile profiles[16];
    int n_profiles;
    ws_sample *samples;
    int *sample_profile; /* source_index of each sample */
    long n_samples, cap_samples;
} ws_mem_sink;
void ws_mem_sink_init(ws_mem_sink *m, ws_ingest_sink *sink);
void ws_mem_sink_free(ws_mem_sink *m);
/* Parse a file with a parser into a memory sink; returns the parser's status. */
int ws_test_parse(ws_ingest_fn parse, const ws_ingest_opts *opts, ws_mem_sink *m, char tool[64], ws_error *err);
ws_ingest_opts ws_test_opts(const char *path);
/* Write text to a file, parse it with default options and expect WS_EINPUT at line/field with a
 * message containing want. */
/* Parse file path with default options into m (the test fails unless the parser returns WS_OK). */
void ws_test_parse_ok(ws_ingest_fn parse, const char *path, ws_mem_sink *m);
void ws_test_expect_parse_error(ws_ingest_fn parse, const char *name, const char *text, long line, const char *field,
                                const char *want);

/* Simulator tests: every finished job and every hour a run reports, up to the array sizes. */
typedef struct {
    ws_sim_job_record rec[256];
    int n;
    ws_sim_hour hours[64];
    int n_hours;
} ws_sim_capture;
/* Write a scenario file into the test directory and load it (the test fails on an error). */
void ws_test_load_scenario(const char *name, const char *json, ws_scenario *sc);
/* Run a loaded scenario with the capture observer (cap may be NULL); the test fails on an error. */
void ws_test_run_scenario(const ws_scenario *sc, ws_sim_result *res, ws_sim_capture *cap);
/* Both: write, load, run, free the scenario. */
void ws_test_run_json(const char *name, const char *json, ws_sim_result *res, ws_sim_capture *cap);
/* Load scenario text that must be refused; returns "json.path: message" (a static buffer). */
const char *ws_test_scenario_error(const char *json);
/* The record of job id (the test fails when it was not recorded). */
const ws_sim_job_record *ws_test_find_job(const ws_sim_capture *c, int64_t id);

/* |a-b| <= rel*|b| */
#define assert_close(a, b, rel) assert_true(fabs((double)(a) - (double)(b)) <= (rel) * fabs((double)(b)))

#endif
