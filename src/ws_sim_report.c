/* ws_sim_report: what a simulation result becomes: the JSON summary (printed by `simulate --json`,
 * stored in runs.summary_json), the run rows in the store, and the text table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_json.h"
#include "ws_runs.h"
#include "ws_sim.h"

static double safe_div(double a, double b) { return b > 0 ? a / b : NAN; }

static void add_totals(cJSON *o, const ws_sim_site_result *r, int64_t jobs)
{
    int exact;
    cJSON_AddNumberToObject(o, "jobs", (double)jobs);
    cJSON_AddNumberToObject(o, "jobs_started", (double)r->jobs_started);
    ws_json_add_number(o, "it_energy_j", r->it_energy_j);
    ws_json_add_number(o, "it_energy_kwh", r->it_energy_j / WS_J_PER_KWH);
    ws_json_add_number(o, "facility_energy_j", r->facility_energy_j);
    ws_json_add_number(o, "facility_energy_kwh", r->facility_energy_j / WS_J_PER_KWH);
    ws_json_add_number(o, "co2_kg", r->co2_g / 1000.0);
    ws_json_add_number(o, "cost", r->cost);
    ws_json_add_number(o, "mean_wait_s", ws_wait_mean_s(&r->wait));
    ws_json_add_number(o, "p95_wait_s", ws_wait_quantile_s(&r->wait, 0.95, &exact));
    cJSON_AddBoolToObject(o, "p95_wait_exact", exact);
    ws_json_add_number(o, "max_wait_s", r->wait.n ? r->wait.max_s : NAN);
    ws_json_add_number(o, "utilisation", safe_div(r->busy_core_s, r->core_s));
    ws_json_add_number(o, "gpu_utilisation", safe_div(r->busy_gpu_s, r->gpu_s));
    cJSON_AddNumberToObject(o, "deadline_missed", (double)r->deadline_missed);
}

static cJSON *site_json(const ws_sim_site_result *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", r->name);
    add_totals(o, r, r->jobs_completed);
    ws_json_add_number(o, "makespan_s", r->last_end_s);
    return o;
}

static cJSON *class_json(const ws_sim_class_result *c)
{
    cJSON *o = cJSON_CreateObject();
    int exact;
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddNumberToObject(o, "arrived", (double)c->jobs_arrived);
    cJSON_AddNumberToObject(o, "jobs", (double)c->jobs_completed);
    ws_json_add_number(o, "mean_wait_s", ws_wait_mean_s(&c->wait));
    ws_json_add_number(o, "p95_wait_s", ws_wait_quantile_s(&c->wait, 0.95, &exact));
    cJSON_AddNumberToObject(o, "deadline_missed", (double)c->deadline_missed);
    ws_json_add_number(o, "busy_core_s", c->busy_core_s);
    ws_json_add_number(o, "busy_gpu_s", c->busy_gpu_s);
    return o;
}

/* Slurm fair-share: the share each account was given and the share of the core-seconds it got. */
static double accounts_core_s(const ws_sim_result *r)
{
    double t = 0;
    for (int a = 0; a < r->n_accounts; a++)
        t += r->accounts[a].core_s;
    return t;
}

static cJSON *accounts_json(const ws_sim_result *r)
{
    cJSON *arr = cJSON_CreateArray();
    double total = accounts_core_s(r);
    for (int a = 0; a < r->n_accounts && arr; a++) {
        const ws_sim_account_result *x = &r->accounts[a];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", x->name);
        ws_json_add_number(o, "share", x->share);
        ws_json_add_number(o, "core_s", x->core_s);
        ws_json_add_number(o, "core_fraction", safe_div(x->core_s, total));
        ws_json_add_number(o, "usage_core_s", x->usage_core_s);
        ws_json_add_number(o, "fairshare", x->fairshare);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

cJSON *ws_sim_result_to_json(const ws_scenario *sc, const ws_sim_result *r)
{
    cJSON *o = cJSON_CreateObject();
    char t0[40], t1[40];
    ws_format_time(r->start_unix_s, t0, sizeof t0);
    ws_format_time(r->start_unix_s + r->end_s, t1, sizeof t1);
    ws_json_add_string(o, "scenario", sc->path);
    ws_json_add_string(o, "scenario_sha256", sc->sha256);
    cJSON_AddNumberToObject(o, "seed", (double)r->seed);
    cJSON_AddBoolToObject(o, "synthetic", r->synthetic);
    if (r->synthetic)
        cJSON_AddStringToObject(o, "synthetic_note", "no trace: every job comes from the synthetic generator");
    ws_json_add_string(o, "trace", sc->trace);
    cJSON_AddStringToObject(o, "start", t0);
    cJSON_AddStringToObject(o, "end", t1);
    ws_json_add_number(o, "simulated_s", r->end_s);
    ws_json_add_number(o, "makespan_s", r->makespan_s);
    add_totals(o, &r->total, r->total.jobs_completed);
    cJSON_AddNumberToObject(o, "jobs_arrived", (double)r->jobs_arrived);
    cJSON_AddNumberToObject(o, "jobs_rejected", (double)r->jobs_rejected);
    cJSON_AddNumberToObject(o, "jobs_unfinished", (double)r->jobs_unfinished);
    cJSON_AddNumberToObject(o, "trace_skipped", (double)r->trace_skipped);
    cJSON_AddNumberToObject(o, "events", (double)r->events);
    cJSON_AddStringToObject(o, "currency", sc->currency);
    cJSON *pol = cJSON_AddObjectToObject(o, "policy");
    cJSON_AddStringToObject(pol, "queue", ws_queue_policy_name(sc->policy.queue));
    cJSON_AddStringToObject(pol, "placement", ws_place_policy_name(sc->policy.placement));
    cJSON_AddStringToObject(pol, "dispatch", ws_dispatch_policy_name(sc->policy.dispatch));
    if (sc->policy.submission.pilots) { /* the pilots' overhead: cores held that no payload used */
        const ws_submission *sm = &sc->policy.submission;
        cJSON *pl = cJSON_AddObjectToObject(o, "pilots");
        cJSON_AddNumberToObject(pl, "cores", sm->pilot_cores);
        ws_json_add_number(pl, "lifetime_s", sm->pilot_lifetime_s);
        ws_json_add_number(pl, "idle_timeout_s", sm->pilot_idle_timeout_s);
        cJSON_AddNumberToObject(pl, "started", (double)r->pilots_started);
        ws_json_add_number(pl, "pilot_core_s", r->pilot_core_s);
        ws_json_add_number(pl, "payload_core_s", r->payload_core_s);
        ws_json_add_number(pl, "idle_pilot_core_fraction", 1.0 - safe_div(r->payload_core_s, r->pilot_core_s));
    }
    if (r->n_accounts > 0)
        cJSON_AddItemToObject(o, "accounts", accounts_json(r));
    cJSON *sites = cJSON_AddArrayToObject(o, "sites");
    for (int i = 0; i < r->n_sites; i++)
        cJSON_AddItemToArray(sites, site_json(&r->sites[i]));
    cJSON *cls = cJSON_AddArrayToObject(o, "classes");
    for (int k = 0; k < r->n_classes; k++)
        if (r->classes[k].jobs_arrived > 0 || k < sc->n_classes)
            cJSON_AddItemToArray(cls, class_json(&r->classes[k]));
    return o;
}

int ws_sim_store_run(ws_store *st, const ws_scenario *sc, const ws_sim_result *r, const char *out_dir,
                     cJSON *summary, int64_t *run_id, ws_error *err)
{
    ws_run_site *sites = calloc((size_t)(r->n_sites ? r->n_sites : 1), sizeof *sites);
    if (!sites) {
        ws_error_set(err, NULL, 0, NULL, "out of memory storing the run");
        return WS_EFAIL;
    }
    for (int i = 0; i < r->n_sites; i++) {
        const ws_sim_site_result *x = &r->sites[i];
        int exact;
        sites[i] = (ws_run_site){"baseline", x->name, x->jobs_completed, x->it_energy_j, x->facility_energy_j,
                                 x->co2_g / 1000.0, x->cost, ws_wait_mean_s(&x->wait),
                                 ws_wait_quantile_s(&x->wait, 0.95, &exact), safe_div(x->busy_core_s, x->core_s)};
    }
    ws_run_info info = {WS_RUN_SIMULATE, sc->path, sc->sha256, r->seed, out_dir};
    int rc = ws_runs_insert(st, &info, summary, sites, r->n_sites, run_id, err);
    free(sites);
    return rc;
}

static void print_row(FILE *out, const ws_sim_site_result *x, int64_t jobs)
{
    int exact;
    fprintf(out, "%-14s %10lld %14.3f %14.3f %12.3f %11.2f %6.1f%% %11.1f %11.1f\n", x->name, (long long)jobs,
            x->it_energy_j / WS_J_PER_KWH, x->facility_energy_j / WS_J_PER_KWH, x->co2_g / 1000.0, x->cost,
            100.0 * safe_div(x->busy_core_s, x->core_s), ws_wait_mean_s(&x->wait),
            ws_wait_quantile_s(&x->wait, 0.95, &exact));
}

void ws_sim_print_text(const ws_scenario *sc, const ws_sim_result *r, FILE *out)
{
    char t0[40], t1[40];
    ws_format_time(r->start_unix_s, t0, sizeof t0);
    ws_format_time(r->start_unix_s + r->end_s, t1, sizeof t1);
    fprintf(out, "scenario  %s (sha256 %.12s)  seed %llu\n", sc->path, sc->sha256, (unsigned long long)r->seed);
    if (r->synthetic)
        fprintf(out, "workload  SYNTHETIC: no trace; every job comes from the generator\n");
    else
        fprintf(out, "workload  trace %s (%lld records skipped: missing runtime/submit/processors)\n", sc->trace,
                (long long)r->trace_skipped);
    fprintf(out, "policy    %s, %s, %s\n", ws_queue_policy_name(sc->policy.queue), ws_place_policy_name(sc->policy.placement),
            ws_dispatch_policy_name(sc->policy.dispatch));
    fprintf(out, "interval  %s .. %s (%.0f s)  makespan %.0f s\n", t0, t1, r->end_s, r->makespan_s);
    fprintf(out, "jobs      arrived %lld  completed %lld  unfinished %lld  rejected %lld\n\n", (long long)r->jobs_arrived,
            (long long)r->total.jobs_completed, (long long)r->jobs_unfinished, (long long)r->jobs_rejected);
    if (sc->policy.submission.pilots)
        fprintf(out, "pilots    %lld started (%d cores)  %.1f core-h held, %.1f used by payloads: %.1f%% idle pilot cores\n\n",
                (long long)r->pilots_started, sc->policy.submission.pilot_cores, r->pilot_core_s / 3600.0,
                r->payload_core_s / 3600.0, 100.0 * (1.0 - safe_div(r->payload_core_s, r->pilot_core_s)));
    for (int a = 0; a < r->n_accounts; a++) {
        const ws_sim_account_result *x = &r->accounts[a];
        fprintf(out, "account   %-16s share %5.1f%%  used %5.1f%% of %.1f core-h  fair-share factor at end %.3f\n%s",
                x->name, 100.0 * x->share, 100.0 * safe_div(x->core_s, accounts_core_s(r)), accounts_core_s(r) / 3600.0,
                x->fairshare, a + 1 == r->n_accounts ? "\n" : "");
    }
    fprintf(out, "%-14s %10s %14s %14s %12s %11s %7s %11s %11s\n", "site", "jobs", "IT kWh", "facility kWh", "CO2 kg",
            sc->currency, "util", "mean wait s", "p95 wait s");
    for (int i = 0; i < r->n_sites; i++)
        print_row(out, &r->sites[i], r->sites[i].jobs_completed);
    print_row(out, &r->total, r->total.jobs_completed);
}

void ws_sim_hour_csv_header(FILE *out, int synthetic)
{
    if (synthetic)
        fprintf(out, "# synthetic: no trace; every job comes from the generator\n");
    fprintf(out, "time,site,dt_s,it_power_w,facility_power_w,carbon_g_per_kwh,co2_kg_per_h,cost,busy_cores,running,"
                 "queued\n");
}

void ws_sim_hour_csv_row(FILE *out, const ws_scenario *sc, const ws_sim_hour *h)
{
    char t[40];
    ws_format_time(h->t_unix_s, t, sizeof t);
    fprintf(out, "%s,%s,%.0f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f,%lld,%lld\n", t, sc->sites[h->site].name, h->dt_s,
            h->mean_it_power_w, h->mean_facility_power_w, h->mean_carbon_g_per_kwh, h->co2_kg_per_h, h->cost,
            h->mean_busy_cores, (long long)h->running, (long long)h->queued);
}
