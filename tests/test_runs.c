/* test_runs: ws_runs, the one owner of the runs and run_sites tables: a run and its sites are stored
 * together or not at all, the summary carries its id, "latest" only sees the kinds asked for, and the
 * schema version is the number of migrations. */
#include "ws_testutil.h"

#include <math.h>
#include <string.h>

#include "ws_opt.h"
#include "ws_runs.h"
#include "ws_store.h"

static int count(ws_store *st, const char *sql)
{
    sqlite3_stmt *s = ws_store_prepare(st, sql);
    assert_non_null(s);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n;
}

static void insert_then_load(void **state)
{
    (void)state;
    ws_store st;
    assert_int_equal(ws_store_open(&st, ws_test_path("runs.db")), 0);
    assert_int_equal(ws_store_schema_version(), 2);
    assert_int_equal(count(&st, "PRAGMA user_version"), 2);
    ws_run_site sites[2] = {{"baseline", "a", 10, 3.6e6, 4.32e6, 1.5, 2.0, 60, 120, 0.5},
                            {"baseline", "b", 5, 7.2e6, NAN, 0.5, NAN, NAN, NAN, NAN}};
    ws_run_info info = {WS_RUN_SIMULATE, "s.json", "abc", 42, "out"};
    cJSON *summary = cJSON_CreateObject();
    cJSON_AddNumberToObject(summary, "jobs", 15);
    int64_t id = 0;
    ws_error err = {0};
    assert_int_equal(ws_runs_insert(&st, &info, summary, sites, 2, &id, &err), WS_OK);
    assert_int_equal(id, 1);
    assert_int_equal(cJSON_GetObjectItem(summary, "run_id")->valueint, 1);
    assert_int_equal(count(&st, "SELECT count(*) FROM run_sites WHERE run_id = 1"), 2);
    assert_int_equal(count(&st, "SELECT count(*) FROM run_sites WHERE facility_energy_j IS NULL"), 1);
    assert_int_equal(count(&st, "SELECT seed FROM runs WHERE id = 1"), 42);
    cJSON_Delete(summary);

    cJSON *table = cJSON_CreateObject();
    ws_run_info sweep = {WS_RUN_SWEEP, "g.json", "def", 7, NULL};
    assert_int_equal(ws_runs_insert(&st, &sweep, table, NULL, 0, &id, &err), WS_OK);
    assert_int_equal(id, 2);
    cJSON_Delete(table);

    /* "latest" of simulate/what-if skips the newer sweep; the sweep by id is refused with why. */
    ws_run_kind kind;
    cJSON *got = NULL;
    char dir[64];
    unsigned reportable = 1u << WS_RUN_SIMULATE | 1u << WS_RUN_WHATIF;
    assert_int_equal(ws_runs_load(&st, "latest", reportable, &kind, &id, &got, dir, sizeof dir, &err), WS_OK);
    assert_int_equal(kind, WS_RUN_SIMULATE);
    assert_int_equal(id, 1);
    assert_string_equal(dir, "out");
    assert_int_equal(cJSON_GetObjectItem(got, "jobs")->valueint, 15);
    assert_int_equal(cJSON_GetObjectItem(got, "run_id")->valueint, 1);
    cJSON_Delete(got);
    assert_int_equal(ws_runs_load(&st, "2", reportable, &kind, &id, &got, NULL, 0, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "run 2 is a sweep run"));
    assert_null(got);
    assert_int_equal(ws_runs_load(&st, "9", reportable, &kind, &id, &got, NULL, 0, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "no run 9"));
    assert_int_equal(ws_runs_load(&st, "x1", reportable, &kind, &id, &got, NULL, 0, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "run id or 'latest'"));
    ws_store_close(&st);
}

/* A site row that breaks the primary key (same variant and site twice) rolls the whole run back. */
static void all_or_nothing(void **state)
{
    (void)state;
    ws_store st;
    assert_int_equal(ws_store_open(&st, ws_test_path("runs2.db")), 0);
    ws_run_site twice[2] = {{"v", "a", 1, 1, 1, 1, 1, 1, 1, 1}, {"v", "a", 2, 2, 2, 2, 2, 2, 2, 2}};
    ws_run_info info = {WS_RUN_WHATIF, "s.json", "abc", 1, NULL};
    cJSON *summary = cJSON_CreateObject();
    int64_t id = 0;
    ws_error err = {0};
    assert_int_equal(ws_runs_insert(&st, &info, summary, twice, 2, &id, &err), WS_EFAIL);
    assert_non_null(strstr(err.message, "UNIQUE"));
    assert_int_equal(count(&st, "SELECT count(*) FROM runs"), 0);
    assert_int_equal(count(&st, "SELECT count(*) FROM run_sites"), 0);
    cJSON_Delete(summary);
    ws_store_close(&st);
}

static void kind_names(void **state)
{
    (void)state;
    ws_run_kind k;
    for (int i = WS_RUN_SIMULATE; i <= WS_RUN_SWEEP; i++) {
        assert_int_equal(ws_run_kind_parse(ws_run_kind_name((ws_run_kind)i), &k), 0);
        assert_int_equal(k, i);
    }
    assert_string_equal(ws_run_kind_name(WS_RUN_WHATIF), "whatif");
    assert_int_equal(ws_run_kind_parse("report", &k), -1);
    assert_int_equal(ws_run_kind_parse(NULL, &k), -1);
}

/* ws_opt: values, bounds, --opt=value, "--", positionals moved to the front, and refusals. */
static void option_table(void **state)
{
    (void)state;
    const char *db = NULL, *job = NULL;
    int json = 0, threads = 0, store = 1, status = -1, seed_given = 0;
    double pue = 0;
    uint64_t seed = 0;
    const ws_opt options[] = {
        WS_OPT_STRING(0, "job", &job, "NAME", "job"),
        WS_OPT_FLAG('j', "json", &json, "json"),
        WS_OPT_SET_INT(0, "no-store", &store, 0, "no store"),
        WS_OPT_INT(0, "threads", &threads, "N", 1, 64, "threads"),
        WS_OPT_DOUBLE(0, "pue", &pue, "P", 1, 5, WS_OPT_LO_OPEN, "a PUE above 1, at most 5", "pue"),
        WS_OPT_UINT64(0, "seed", &seed, &seed_given, "S", "seed"),
        WS_OPT_DB(&db),
        WS_OPT_END()};
    const ws_opt_cmd spec = {"t", "wattscale t [options] FILE...", NULL, options, NULL, NULL, 1, 2, 0};
    char *argv[] = {"t", "a", "--job=x", "-j", "--threads", "8", "b", "--pue", "1.25", "--no-store",
                    "--seed", "18446744073709551615", "--", "--db", NULL};
    assert_int_equal(ws_opt_parse(&spec, 14, argv, &status), -1); /* "--db" after "--" is a third positional */
    assert_int_equal(status, 2);
    char *ok[] = {"t", "a", "--job=x", "-j", "--threads", "8", "b", "--pue", "1.25", "--no-store",
                  "--seed", "18446744073709551615", "--db", "s.db", NULL};
    status = -1;
    assert_int_equal(ws_opt_parse(&spec, 14, ok, &status), 2);
    assert_string_equal(ok[1], "a");
    assert_string_equal(ok[2], "b");
    assert_string_equal(job, "x");
    assert_string_equal(db, "s.db");
    assert_int_equal(json, 1);
    assert_int_equal(store, 0);
    assert_int_equal(threads, 8);
    assert_true(pue == 1.25);
    assert_true(seed == UINT64_MAX && seed_given == 1);
    char *bad[][3] = {{"t", "--threads", "0"}, {"t", "--threads", "2.5"}, {"t", "--pue", "1"},
                      {"t", "--seed", "-1"},    {"t", "--nope", "f"},     {"t", "--json=1", "f"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        status = -1;
        assert_int_equal(ws_opt_parse(&spec, 3, bad[i], &status), -1);
        assert_int_equal(status, 2);
    }
    char *none[] = {"t", "--json", NULL};
    assert_int_equal(ws_opt_parse(&spec, 2, none, &status), -1); /* FILE... needs one */
    assert_int_equal(status, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(insert_then_load),
        cmocka_unit_test(all_or_nothing),
        cmocka_unit_test(kind_names),
        cmocka_unit_test(option_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
