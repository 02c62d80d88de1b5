/* cmd_tweak: `wattscale tweak --baseline JOB_A --variant JOB_B [--arch A]` prints the tweak factors
 * (runtime, energy and mean-power ratios B/A with 95% intervals) computed by ws_tweak_compute. */
#include <string.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_opt.h"
#include "ws_tweak.h"

static void print_ratio(const char *what, const ws_ratio *r, double a, double b, const char *unit)
{
    printf("  %-8s %12.6g -> %12.6g %-4s ratio %.4f", what, a, b, unit, r->ratio);
    if (r->interval_known)
        printf("  95%% interval %.4f .. %.4f\n", r->lo, r->hi);
    else
        printf("  (interval unknown)\n");
}

static void print_tweak(const ws_tweak *t)
{
    printf("%s -> %s on %s (%d baseline run(s), %d variant run(s))\n", t->baseline, t->variant, t->arch,
           t->n_baseline, t->n_variant);
    if (t->per_work) {
        /* Per unit of work the numbers are tiny: J and s per unit read better than kWh. */
        char s_unit[48], j_unit[48];
        snprintf(s_unit, sizeof s_unit, "s/%s", t->work_unit);
        snprintf(j_unit, sizeof j_unit, "J/%s", t->work_unit);
        print_ratio("runtime", &t->runtime, t->base_runtime_s.mean, t->var_runtime_s.mean, s_unit);
        print_ratio("energy", &t->energy, t->base_energy_j.mean, t->var_energy_j.mean, j_unit);
    } else {
        print_ratio("runtime", &t->runtime, t->base_runtime_s.mean, t->var_runtime_s.mean, "s");
        print_ratio("energy", &t->energy, t->base_energy_j.mean / WS_J_PER_KWH, t->var_energy_j.mean / WS_J_PER_KWH,
                    "kWh");
    }
    print_ratio("power", &t->power, t->base_power_w.mean, t->var_power_w.mean, "W");
    printf("  method: %s\n", t->method);
    if (t->note[0])
        printf("  NOTE: %s\n", t->note);
}

int cmd_tweak(int argc, char **argv)
{
    const char *base = NULL, *var = NULL, *arch_opt = NULL, *db = NULL;
    int json = 0, status;
    const ws_opt options[] = {
        WS_OPT_STRING(0, "baseline", &base, "JOB_A", "the job as it is (required)"),
        WS_OPT_STRING(0, "variant", &var, "JOB_B", "the tweaked job (required)"),
        WS_OPT_STRING(0, "arch", &arch_opt, "A", "the architecture (default: the one both jobs share)"),
        WS_OPT_FLAG(0, "json", &json, "one JSON object"),
        WS_OPT_DB(&db),
        WS_OPT_END()};
    const ws_opt_cmd spec = {
        "tweak", "wattscale tweak --baseline JOB_A --variant JOB_B [--arch A] [--json] [--db PATH]",
        "Ratios of the variant's stored runs to the baseline's on one architecture (the one both share\n"
        "when --arch is left out): runtime_B/runtime_A, energy_B/energy_A, mean-power_B/mean-power_A.\n"
        "95% intervals by the delta method on the log ratio of the means (t quantile, Welch-Satterthwaite\n"
        "degrees of freedom); with a single run on either side the interval is unknown (zero width) and\n"
        "flagged.",
        options, NULL, NULL, 0, 0, 0};
    if (ws_opt_parse(&spec, argc, argv, &status) < 0)
        return status;
    if (!base || !var) {
        return ws_opt_fail(&spec, "--baseline and --variant are required");
    }
    char arch[128];
    if (arch_opt)
        ws_slugify_arch(arch_opt, arch, sizeof arch);
    ws_store st;
    if (ws_cli_open_store(&st, db) != 0)
        return WS_EFAIL;
    ws_tweak t;
    ws_error err = {0};
    int rc = ws_tweak_compute(&st, base, var, arch_opt ? arch : NULL, &t, &err);
    ws_store_close(&st);
    if (rc != 0) {
        fputs("wattscale tweak: ", stderr);
        ws_error_print(&err, stderr);
        return rc;
    }
    if (json)
        ws_cli_print_json(ws_tweak_to_json(&t), stdout);
    else
        print_tweak(&t);
    return 0;
}
