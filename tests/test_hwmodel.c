/* test_hwmodel: server power models from the HEPiX HS23 table and SPECpower results: both tables read
 * (the SPECpower file's multi-line quoted headers in its two layouts, "NC" results, thousands and decimal
 * commas), the CPU family rule, the idle matching rule (same family, 1 node, 1-2 chips; else the x86
 * population, ASSUMED), a model computed by hand from fixture rows, the shipped data's numbers, the
 * held-out rule and check, refusal of a CPU with no power rows, and determinism. Every expected number
 * is worked out in the comments from the rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_hwmodel.h"
#include "ws_testutil.h"

#define HEPIX_HEADER                                                                                             \
    "CPU,SMT enabled,Online CPUs,# Sockets,Cores/Socket,Threads/core,Ncores,NUMA nodes,L2 cache,L3 cache,Power " \
    "Policy,# Meas,Score,Score/Ncores,sem,Spread,RAM [GiB],SWAP [GiB],RAM/core [GiB],SWAP/core [GiB],"           \
    "electric_power_mean,electric_power_std,HS23/W,W/HS23,1/HS23,relative_energy_to_solution,"                   \
    "relative_time_to_solution,Site,hash,min_score,max_score,first_date,last_date\n"
#define HEPIX_ROW(cpu, smt, sockets, cps, ncores, score, pw, psd, site)                                           \
    cpu "," smt ",0-1," sockets "," cps ",2," ncores ",2,1M,32M,performance,10," score ",1.0,0.1,0.1,256,0,2,0," \
        pw "," psd ",,,,,," site ",71892,1,2,2025-01-01 00:00:00,2025-01-02 00:00:00\n"

/* lines 2-4: three rows of one CPU (the last is held out); 5: a CPU without power; 6: a power of 0 (a
 * missing reading); 7: the same Grace with power. */
static const char *hepix_fixture(void)
{
    return ws_test_write("hepix.csv",
                         HEPIX_HEADER
                         HEPIX_ROW("AMD EPYC 7713 64-Core Processor", "1", "2", "64", "256", "3000.0", "600.0", "5.0", "SiteA")
                         HEPIX_ROW("AMD EPYC 7713 64-Core Processor", "1", "2", "64", "256", "3100.0", "640.0", "7.0", "SiteB")
                         HEPIX_ROW("AMD EPYC 7713 64-Core Processor", "1", "2", "64", "256", "3050.0", "630.0", "", "SiteC")
                         HEPIX_ROW("AMD EPYC 7302 16-Core Processor", "1", "2", "16", "64", "990.0", "", "", "SiteA")
                         HEPIX_ROW("Neoverse-V2 - Grace", "0", "2", "72", "144", "4100.0", "0.0", "", "SiteD")
                         HEPIX_ROW("Neoverse-V2 - Grace", "0", "2", "72", "144", "4120.0", "760.0", "", "SiteD"));
}

/* The SPECpower layout: a header of quoted multi-line names (lines 1-9), results whose system name spans
 * two lines, an "NC" result, then the second layout (a two-record header, lines 15-24: "Processor" over
 * "CPU Description"). idle/full: A 80/400 = 0.2 (Milan, 2 chips), B 300/1250 = 0.24 (Milan, "1,250"),
 * D 125.5/500 = 0.251 (Milan, decimal comma "125,5"), E 4 nodes and F 4 chips (Milan, not used),
 * G 60/600 = 0.1 (Xeon Scalable gen 3), H a Core i5 (no family). */
static const char *spec_fixture(void)
{
    return ws_test_write(
        "spec.csv",
        "\"Hardware Vendor\nTest Sponsor\",\"System\nEnclosure (if applicable)\",Nodes,JVM Vendor,CPU Description,MHz,"
        "Chips,Cores,\"Total\nThreads\",\"Total\nMemory (GB)\",\"ssj_ops\n@ 100%\",\"avg. watts\n@ 100%\",\"avg. "
        "watts\n@ active idle\",\"Result\n(Overall ssj_ops/watt)\"\n"
        "VendorA,\"Server A\nJan 1, 2021 | HTML | Text\",1,Oracle,AMD EPYC 7763 2.45 GHz,2450,2,128,256,512,\"1,000\",400,80,\"2,500\"\n"
        "VendorB,\"Server B\nJan 2, 2021 | HTML | Text\",1,Oracle,AMD EPYC 7713,2000,1,64,128,256,\"1,000\",\"1,250\",300,800\n"
        "VendorC,Server C,1,Oracle,AMD EPYC 7763,2450,2,128,256,512,NC,NC,NC,NC\n"
        "\"Hardware Vendor\nTest Sponsor\",\"System\nEnclosure (if applicable)\",Nodes,JVM Vendor,Processor,,,,,\"Total\n"
        "Memory (GB)\",Submeasurements,,,\"Result\n(Overall ssj_ops/watt)\"\n"
        ",,,,CPU Description,MHz,Chips,Cores,\"Total\nThreads\",,\"ssj_ops\n@ 100%\",\"avg. watts\n@ 100%\",\"avg. "
        "watts\n@ active idle\",\n"
        "VendorD,Server D,1,Oracle,AMD EPYC 7713,2000,2,128,256,512,\"2,000\",500,\"125,5\",\"3,000\"\n"
        "VendorE,Server E,4,Oracle,AMD EPYC 7763,2450,8,512,1024,2048,\"9,000\",\"1,800\",100,\"5,000\"\n"
        "VendorF,Server F,1,Oracle,AMD EPYC 7763,2450,4,256,512,1024,\"9,000\",900,450,\"5,000\"\n"
        "VendorG,Server G,1,Oracle,Intel Xeon Platinum 8380,2300,2,80,160,256,\"8,000\",600,60,\"9,000\"\n"
        "VendorH,Server H,1,Oracle,Intel Core i5-4570,3200,1,4,4,16,\"322,278\",100,50,\"1,469\"\n");
}

/* One Milan curve: shape (w - 100) / 250 = 0, .2, .32, .4, .48, .56, .64, .72, .8, .88, 1. */
static const char *curve_fixture(void)
{
    return ws_test_write("curves.csv",
                         "server,cpu,result_url,p0_w,p10_w,p20_w,p30_w,p40_w,p50_w,p60_w,p70_w,p80_w,p90_w,p100_w,note\n"
                         "Server M,AMD EPYC 7763,https://example.org/r1,100,150,180,200,220,240,260,280,300,320,350,\n");
}

typedef struct {
    ws_hepix_table h;
    ws_specpower_table sp;
    ws_curve_table cv;
} tables;

static void read_tables(tables *t, const char *hepix, const char *spec, const char *curves)
{
    ws_error err;
    assert_int_equal(ws_hwmodel_read_hepix(hepix, &t->h, &err), WS_OK);
    assert_int_equal(ws_hwmodel_read_specpower(spec, &t->sp, &err), WS_OK);
    assert_int_equal(ws_hwmodel_read_curves(curves, &t->cv, &err), WS_OK);
    ws_hwmodel_mark_holdout(&t->h);
}

static void free_tables(tables *t)
{
    ws_hwmodel_free_hepix(&t->h);
    ws_hwmodel_free_specpower(&t->sp);
    ws_hwmodel_free_curves(&t->cv);
}

static void real_tables(tables *t)
{
    read_tables(t, WS_TEST_DATA "/hardware/hepix_hs23scores.csv", WS_TEST_DATA "/hardware/specpower_cloudjewels.csv",
                WS_TEST_DATA "/hardware/specpower_curves.csv");
}

static void test_read_hepix(void **state)
{
    (void)state;
    ws_hepix_table h;
    ws_error err;
    assert_int_equal(ws_hwmodel_read_hepix(hepix_fixture(), &h, &err), WS_OK);
    assert_int_equal(h.n, 6);
    assert_int_equal(h.rows[0].line, 2);
    assert_string_equal(h.rows[0].cpu, "AMD EPYC 7713 64-Core Processor");
    assert_int_equal(h.rows[0].sockets, 2);
    assert_int_equal(h.rows[0].cores_per_socket, 64);
    assert_int_equal(h.rows[0].threads, 256);
    assert_int_equal(h.rows[0].smt, 1);
    assert_close(h.rows[0].score, 3000.0, 1e-12);
    assert_close(h.rows[0].power_w, 600.0, 1e-12);
    assert_close(h.rows[0].power_sd_w, 5.0, 1e-12);
    assert_true(isnan(h.rows[2].power_sd_w)); /* empty std */
    assert_true(isnan(h.rows[3].power_w));    /* no power */
    assert_true(isnan(h.rows[4].power_w));    /* 0.0 W: a missing reading */
    assert_int_equal(ws_hwmodel_mark_holdout(&h), 1); /* Grace has one row with power: nothing held out */
    assert_true(h.rows[2].held_out);
    ws_hwmodel_free_hepix(&h);

    /* the shipped table: 273 results, 57 with a power above 0 (58 with the column filled, one 0.0 at line 86) */
    assert_int_equal(ws_hwmodel_read_hepix(WS_TEST_DATA "/hardware/hepix_hs23scores.csv", &h, &err), WS_OK);
    assert_int_equal(h.n, 273);
    int with_power = 0;
    for (int i = 0; i < h.n; i++)
        with_power += !isnan(h.rows[i].power_w);
    assert_int_equal(with_power, 57);
    assert_int_equal(h.rows[84].line, 86);
    assert_true(isnan(h.rows[84].power_w));
    const ws_hepix_row *r = &h.rows[133]; /* line 135: the CERN EPYC 9965 */
    assert_int_equal(r->line, 135);
    assert_string_equal(r->cpu, "AMD EPYC 9965 192-Core Processor");
    assert_close(r->score, 13320.2, 1e-12);
    assert_close(r->power_w, 1389.6, 1e-12);
    assert_int_equal(r->threads, 768);
    ws_hwmodel_free_hepix(&h);

    /* a table without the power columns is refused, naming the column */
    const char *bad = ws_test_write("bad_hepix.csv", "CPU,Score\nx,1\n");
    assert_int_equal(ws_hwmodel_read_hepix(bad, &h, &err), WS_EINPUT);
    assert_int_equal(err.line, 1);
    assert_string_equal(err.field, "SMT enabled");
}

static void test_read_specpower(void **state)
{
    (void)state;
    ws_specpower_table sp;
    ws_error err;
    assert_int_equal(ws_hwmodel_read_specpower(spec_fixture(), &sp, &err), WS_OK);
    assert_int_equal(sp.n_headers, 2);
    assert_int_equal(sp.n_noncompliant, 1);
    assert_int_equal(sp.n, 7);
    static const long lines[] = {10, 12, 25, 26, 27, 28, 29}; /* where each record starts */
    static const double full[] = {400, 1250, 500, 1800, 900, 600, 100}, idle[] = {80, 300, 125.5, 100, 450, 60, 50};
    static const char *const fam[] = {"epyc-7xx3", "epyc-7xx3", "epyc-7xx3", "epyc-7xx3", "epyc-7xx3",
                                      "xeon-sp-gen3", ""};
    for (int i = 0; i < 7; i++) {
        assert_int_equal(sp.rows[i].line, lines[i]);
        assert_close(sp.rows[i].full_w, full[i], 1e-12);
        assert_close(sp.rows[i].idle_w, idle[i], 1e-12);
        assert_string_equal(sp.rows[i].family, fam[i]);
    }
    assert_string_equal(sp.rows[0].cpu, "AMD EPYC 7763 2.45 GHz");
    assert_int_equal(sp.rows[3].nodes, 4);
    assert_int_equal(sp.rows[4].chips, 4);
    ws_hwmodel_free_specpower(&sp);

    /* the shipped file: 61 header records (both layouts), 40 "NC" results, 745 results */
    assert_int_equal(ws_hwmodel_read_specpower(WS_TEST_DATA "/hardware/specpower_cloudjewels.csv", &sp, &err), WS_OK);
    assert_int_equal(sp.n_headers, 61);
    assert_int_equal(sp.n_noncompliant, 40);
    assert_int_equal(sp.n, 745);
    int found = 0;
    for (int i = 0; i < sp.n; i++)
        if (sp.rows[i].line == 1181) { /* HPE DL345 Gen10 Plus, EPYC 7763: 58 W idle, 272 W at 100% */
            assert_close(sp.rows[i].idle_w, 58, 1e-12);
            assert_close(sp.rows[i].full_w, 272, 1e-12);
            assert_string_equal(sp.rows[i].family, "epyc-7xx3");
            found++;
        } else if (sp.rows[i].line == 302) { /* DEPO Race X340H: idle written "83,2" */
            assert_close(sp.rows[i].idle_w, 83.2, 1e-12);
            found++;
        }
    assert_int_equal(found, 2);
    ws_hwmodel_free_specpower(&sp);

    const char *bad = ws_test_write("bad_spec.csv", "\"Hardware Vendor\nTest Sponsor\",Nodes,CPU Description,Chips,"
                                                    "Cores,\"avg. watts\n@ 100%\",\"avg. watts\n@ active idle\"\n"
                                                    "V,1,AMD EPYC 7763,2,128,400,500\n");
    assert_int_equal(ws_hwmodel_read_specpower(bad, &sp, &err), WS_EINPUT); /* idle above full */
    assert_int_equal(err.line, 5);
}

static void test_family_rule(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"AMD EPYC 7763 64-Core Processor", "epyc-7xx3"},   {"AMD EPYC 7502 32-Core Processor", "epyc-7xx2"},
        {"AMD EPYC 9654P", "epyc-9xx4"},                    {"AMD EPYC 9965 192-Core Processor", "epyc-9xx5"},
        {"AMD EPYC 72F3 8-Core Processor", ""},             {"AMD EPYC 7H12", ""},
        {"Intel(R) Xeon(R) Gold 6326 CPU @ 2.90GHz", "xeon-sp-gen3"},
        {"INTEL(R) XEON(R) PLATINUM 8592+", "xeon-sp-gen5"}, {"Intel Xeon Platinum 8280L", "xeon-sp-gen2"},
        {"Intel Xeon E5-2699V3", "xeon-e5-v3"},             {"Intel(R) Xeon(R) CPU E5-2620 0 @ 2.00GHz", "xeon-e5-v1"},
        {"Intel(R) Xeon(R) CPU E5-2683 v4 @ 2.10GHz", "xeon-e5-v4"},
        {"Neoverse-V2 - Grace A02", ""},                    {"Intel Core i5-4570", ""},
    };
    char fam[WS_HW_FAMILY_LEN];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int rc = ws_hwmodel_family(cases[i][0], fam, sizeof fam);
        assert_int_equal(rc, cases[i][1][0] ? 0 : -1);
        assert_string_equal(fam, cases[i][1]);
    }
    assert_string_equal(ws_hwmodel_family_name("epyc-7xx3"), "AMD EPYC 7003 (Milan)");
    /* patterns: a glob on the whole string, or a substring without * and ? */
    assert_true(ws_hwmodel_match("*epyc 9655 96-core*", "AMD EPYC 9655 96-Core Processor"));
    assert_false(ws_hwmodel_match("*epyc 9655 96-core*", "AMD EPYC 9655P 96-Core Processor"));
    assert_true(ws_hwmodel_match("EPYC 9655", "AMD EPYC 9655P 96-Core Processor"));
    assert_false(ws_hwmodel_match("AMD EPYC 9655", "x AMD EPYC 965"));
    assert_true(ws_hwmodel_match("AMD EPYC 96?5 *", "AMD EPYC 9655 96-Core Processor"));
    assert_false(ws_hwmodel_match("AMD EPYC 9655", "Intel"));
}

/* The model by hand from the fixture. Rows 2 and 3 (4 is held out): max_w = (600 + 640) / 2 = 620 W, sd
 * between rows sqrt((20^2 + 20^2) / 1) = 28.2843 W; hs23 = (3000 + 3100) / 2 = 3050; cores 2 x 64 = 128,
 * threads 256: hs23_per_core 23.828125, per thread 11.9140625; w_per_hs23 = 620 / 3050 = 0.2032787.
 * Idle: Milan results A, B, D (E has 4 nodes, F 4 chips): fractions 0.2, 0.24, 0.251, median 0.24 ->
 * idle_w = 0.24 x 620 = 148.8 W. Curve: 148.8 + 471.2 s: s(0.1) = 0.2 -> 243.04 W, s(0.5) = 0.56 ->
 * 412.672 -> 412.67 W, s(1) -> 620 W. */
static void test_model_by_hand(void **state)
{
    (void)state;
    tables t;
    read_tables(&t, hepix_fixture(), spec_fixture(), curve_fixture());
    ws_server_model m;
    ws_error err;
    ws_hwmodel_query q = {"7713", 0, -1, 0};
    assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_OK);
    assert_int_equal(m.n_rows, 2);
    assert_int_equal(m.lines[0], 2);
    assert_int_equal(m.lines[1], 3);
    assert_int_equal(m.n_held_out, 1);
    assert_int_equal(m.held_out_lines[0], 4);
    assert_close(m.max_w, 620.0, 1e-12);
    assert_close(m.max_sd_w, 28.284271, 1e-6);
    assert_true(m.max_sd_between_rows);
    assert_close(m.hs23, 3050.0, 1e-12);
    assert_int_equal(m.cores, 128);
    assert_int_equal(m.threads, 256);
    assert_close(m.hs23_per_core, 23.828125, 1e-12);
    assert_close(m.hs23_per_thread, 11.9140625, 1e-12);
    assert_close(m.w_per_hs23, 0.2032787, 1e-6);
    assert_string_equal(m.family, "epyc-7xx3");
    assert_false(m.idle_assumed);
    assert_int_equal(m.n_spec, 3);
    assert_close(m.idle_fraction, 0.24, 1e-12);
    assert_close(m.idle_fraction_min, 0.2, 1e-12);
    assert_close(m.idle_fraction_max, 0.251, 1e-12);
    assert_close(m.idle_w, 148.8, 1e-12);
    assert_int_equal(m.model.form, WS_FORM_PIECEWISE);
    assert_int_equal(m.n_curves, 1);
    assert_close(ws_model_power_w(&m.model, 0.0), 148.8, 1e-12);
    assert_close(ws_model_power_w(&m.model, 0.1), 243.04, 1e-12);
    assert_close(ws_model_power_w(&m.model, 0.5), 412.67, 1e-12);
    assert_close(ws_model_power_w(&m.model, 1.0), 620.0, 1e-12);

    /* with the held-out row: (600 + 640 + 630) / 3 = 623.33 W */
    q.include_held_out = 1;
    assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_OK);
    assert_int_equal(m.n_rows, 3);
    assert_close(m.max_w, 1870.0 / 3, 1e-12);

    /* no family (Grace): idle ASSUMED from the population A, B, D, G: 0.1, 0.2, 0.24, 0.251 -> median
     * 0.22; one row (line 7, the 0.0 W row is no measurement): 0.22 x 760 = 167.2 W; linear; no sd */
    q = (ws_hwmodel_query){"grace", 0, -1, 0};
    assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_OK);
    assert_int_equal(m.n_rows, 1);
    assert_int_equal(m.lines[0], 7);
    assert_true(m.idle_assumed);
    assert_int_equal(m.n_spec, 4);
    assert_close(m.idle_fraction, 0.22, 1e-12);
    assert_close(m.idle_w, 167.2, 1e-12);
    assert_int_equal(m.model.form, WS_FORM_LINEAR);
    assert_close(m.model.params[0], 167.2, 1e-12);
    assert_close(m.model.params[1], 760.0, 1e-12);
    assert_true(isnan(m.max_sd_w));
    assert_close(m.hs23_per_core, 4120.0 / 144, 1e-12);

    /* the JSON loads as an ordinary power model, with the hep object and labels */
    cJSON *o = ws_hwmodel_to_json(&m, &t.h, &t.sp, &t.cv);
    char *text = cJSON_Print(o);
    const char *path = ws_test_write("grace.json", text);
    ws_power_model back;
    assert_int_equal(ws_model_load(path, &back, &err), 0);
    assert_int_equal(back.form, WS_FORM_LINEAR);
    assert_close(ws_model_power_w(&back, 1.0), 760.0, 1e-12);
    const cJSON *hep = cJSON_GetObjectItem(o, "hep");
    assert_close(cJSON_GetObjectItem(hep, "w_per_hs23")->valuedouble, 0.184466, 1e-9); /* 760 / 4120 */
    assert_int_equal(cJSON_GetObjectItem(hep, "rows")->valueint, 1);
    const cJSON *num = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "provenance"), "numbers");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(num, "idle_w"), "label")->valuestring, "ASSUMED");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(num, "curve"), "label")->valuestring, "ASSUMED");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(num, "max_w"), "label")->valuestring, "measured");
    free(text);
    cJSON_Delete(o);
    free_tables(&t);
}

/* Refusals: no power rows, several CPUs, several configurations, everything held out. */
static void test_refusals(void **state)
{
    (void)state;
    tables t;
    read_tables(&t, hepix_fixture(), spec_fixture(), curve_fixture());
    ws_server_model m;
    ws_error err;
    ws_hwmodel_query q = {"EPYC 7302", 0, -1, 0};
    assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_EINPUT);
    assert_string_equal(err.file, t.h.path);
    assert_non_null(strstr(err.message, "'AMD EPYC 7302 16-Core Processor' has no row with measured power"));
    q.cpu = "AMD EPYC";
    assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_OK); /* 7302 has no power rows */
    q.cpu = "*";
    assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "more than one CPU"));
    q.cpu = "Xeon";
    assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "no CPU matches 'Xeon'"));
    q = (ws_hwmodel_query){"7713", 1, -1, 0};
    assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_EINPUT); /* no 1-socket row */
    free_tables(&t);

    /* the shipped EPYC 9655 rows span three configurations */
    real_tables(&t);
    q = (ws_hwmodel_query){"*EPYC 9655 96-Core*", 0, -1, 0};
    assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_EINPUT);
    assert_non_null(strstr(err.message, "span configurations"));
    q.sockets = 2;
    q.smt = 1; /* lines 118-120 (121 held out): (1209.5 + 1234.7 + 1133.5) / 3 = 1192.5667 W */
    assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_OK);
    assert_int_equal(m.n_rows, 3);
    assert_close(m.max_w, 1192.5666667, 1e-9);
    assert_close(m.hs23, (8443.0 + 8455.4 + 7778.7) / 3, 1e-12);
    free_tables(&t);

    /* the command: exit 2, the file and the CPU named, no model written */
    char args[1024], *out = NULL, *errtext = NULL;
    snprintf(args, sizeof args,
             "--db '%s' fit --family server --cpu 'EPYC 7302 16-Core' --hepix '%s' --specpower '%s' --curves '%s' "
             "--out '%s'",
             ws_test_path("w.db"), WS_TEST_DATA "/hardware/hepix_hs23scores.csv",
             WS_TEST_DATA "/hardware/specpower_cloudjewels.csv", WS_TEST_DATA "/hardware/specpower_curves.csv",
             ws_test_path("refused.json"));
    assert_int_equal(ws_test_run(args, &out, &errtext), 2);
    assert_non_null(strstr(errtext, WS_TEST_DATA "/hardware/hepix_hs23scores.csv"));
    assert_non_null(strstr(errtext, "'AMD EPYC 7302 16-Core Processor' has no row with measured power"));
    assert_null(fopen(ws_test_path("refused.json"), "r"));
    free(out);
    free(errtext);
}

/* The shipped data, by hand from the rows. Milan EPYC 7313, line 13 (line 14 held out): 306.5 W,
 * 1111.3 HS23, 2 x 16 cores, 64 threads: 34.728125 HS23 per core, 306.5 / 1111.3 = 0.2758031 W/HS23; idle:
 * the median idle/full of the 14 Milan SPECpower results (1 node, 1-2 chips) is 0.2205192 (computed
 * separately from the CSV), 0.2205192 x 306.5 = 67.589 -> 67.59 W. Grace, lines 271-273 (274 held out):
 * (748.2 + 757.0 + 759.8) / 3 = 755.0 W, (4105.5 + 4118.7 + 4119.3) / 3 = 4114.5 HS23, 144 cores:
 * 28.572917 per core, 755 / 4114.5 = 0.1834974 W/HS23. */
static void test_shipped_rows(void **state)
{
    (void)state;
    tables t;
    real_tables(&t);
    ws_server_model m;
    ws_error err;
    ws_hwmodel_query q = {"*EPYC 7313 16-Core*", 0, -1, 0};
    assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_OK);
    assert_int_equal(m.n_rows, 1);
    assert_int_equal(m.lines[0], 13);
    assert_int_equal(m.held_out_lines[0], 14);
    assert_close(m.max_w, 306.5, 1e-12);
    assert_close(m.hs23_per_core, 34.728125, 1e-12);
    assert_close(m.w_per_hs23, 0.2758031, 1e-6);
    assert_int_equal(m.n_spec, 14);
    assert_close(m.idle_fraction, 0.2205192, 1e-6);
    assert_close(m.idle_w, 67.59, 1e-12);
    assert_int_equal(m.model.form, WS_FORM_PIECEWISE); /* the DL345 Gen10 Plus curve (EPYC 7763) */
    assert_int_equal(m.n_curves, 1);
    q = (ws_hwmodel_query){"*Grace A02*", 0, -1, 0};
    assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_OK);
    assert_int_equal(m.n_rows, 3);
    assert_close(m.max_w, 755.0, 1e-12);
    assert_close(m.hs23, 4114.5, 1e-12);
    assert_close(m.hs23_per_core, 28.572917, 1e-6);
    assert_close(m.w_per_hs23, 0.1834974, 1e-6);
    assert_true(m.idle_assumed);
    free_tables(&t);
}

/* The held-out rule and check on the shipped table: 12 rows. Line 14 (EPYC 7313, CERN): 306.5 / 1111.3 x
 * 1114.0 = 307.2447 W against 309.6 measured: -0.7608%. Line 136 (EPYC 9965, GridKa): 1389.6 / 13320.2 x
 * 14722.9 = 1535.9335 W against 1898.9: -19.1146%. */
static void test_holdout_check(void **state)
{
    (void)state;
    tables t;
    real_tables(&t);
    int n_held = 0;
    static const long lines[] = {14, 79, 104, 121, 123, 130, 134, 136, 199, 209, 260, 274};
    for (int i = 0; i < t.h.n; i++)
        if (t.h.rows[i].held_out)
            assert_int_equal(t.h.rows[i].line, lines[n_held++]);
    assert_int_equal(n_held, 12);
    ws_holdout_result res[WS_HW_MAX_ROWS];
    int n;
    double mape;
    ws_error err;
    assert_int_equal(ws_hwmodel_holdout_check(&t.h, res, WS_HW_MAX_ROWS, &n, &mape, &err), WS_OK);
    assert_int_equal(n, 12);
    assert_int_equal(res[0].line, 14);
    assert_close(res[0].predicted_w, 307.2447, 1e-6);
    assert_close(res[0].error_rel, -0.0076077, 1e-4);
    assert_int_equal(res[7].line, 136);
    assert_int_equal(res[7].n_train, 1);
    assert_close(res[7].predicted_w, 1535.9335, 1e-6);
    assert_close(res[7].error_rel, -0.1911456, 1e-5);
    assert_true(isnan(res[2].same_config_w)); /* line 104: no other EPYC 9554 row with SMT on */
    assert_true(mape > 0.08 && mape < 0.082);  /* 8.1%, the README's table */
    free_tables(&t);

    /* the fixture: line 4 from lines 2-3: 620 / 3050 x 3050 = 620 W against 630: -1.5873% */
    read_tables(&t, hepix_fixture(), spec_fixture(), curve_fixture());
    assert_int_equal(ws_hwmodel_holdout_check(&t.h, res, WS_HW_MAX_ROWS, &n, &mape, &err), WS_OK);
    assert_int_equal(n, 1);
    assert_close(res[0].predicted_w, 620.0, 1e-12);
    assert_close(mape, 10.0 / 630, 1e-12);
    free_tables(&t);
}

/* Same inputs, same bytes: the library's JSON twice, and the command twice (SOURCE_DATE_EPOCH fixed). */
static void test_determinism(void **state)
{
    (void)state;
    tables t;
    real_tables(&t);
    ws_server_model m;
    ws_error err;
    ws_hwmodel_query q = {"*EPYC 7763 64-Core*", 0, -1, 0};
    char *text[2];
    for (int k = 0; k < 2; k++) {
        assert_int_equal(ws_hwmodel_build(&t.h, &t.sp, &t.cv, &q, &m, &err), WS_OK);
        cJSON *o = ws_hwmodel_to_json(&m, &t.h, &t.sp, &t.cv);
        text[k] = cJSON_Print(o);
        cJSON_Delete(o);
    }
    assert_string_equal(text[0], text[1]);
    free(text[0]);
    free(text[1]);
    free_tables(&t);

    setenv("SOURCE_DATE_EPOCH", "1767225600", 1);
    char *file[2];
    for (int k = 0; k < 2; k++) {
        char args[1024], name[32];
        snprintf(name, sizeof name, "det%d.json", k);
        snprintf(args, sizeof args,
                 "--db '%s' fit --family server --cpu '*Grace A02*' --arch grace --hepix '%s' --specpower '%s' "
                 "--curves '%s' --out '%s'",
                 ws_test_path("det.db"), WS_TEST_DATA "/hardware/hepix_hs23scores.csv",
                 WS_TEST_DATA "/hardware/specpower_cloudjewels.csv", WS_TEST_DATA "/hardware/specpower_curves.csv",
                 ws_test_path(name));
        assert_int_equal(ws_test_run(args, NULL, NULL), 0);
        file[k] = ws_read_file(ws_test_path(name), NULL);
        assert_non_null(file[k]);
    }
    assert_string_equal(file[0], file[1]);
    assert_non_null(strstr(file[0], "\"fitted_at\":\t\"2026-01-01T00:00:00Z\""));
    free(file[0]);
    free(file[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_hepix),    cmocka_unit_test(test_read_specpower), cmocka_unit_test(test_family_rule),
        cmocka_unit_test(test_model_by_hand), cmocka_unit_test(test_refusals),       cmocka_unit_test(test_shipped_rows),
        cmocka_unit_test(test_holdout_check), cmocka_unit_test(test_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
