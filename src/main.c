/* main: the wattscale binary. Only dispatches to cmd_<name>(argc, argv); see commands.h. */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "commands.h"
#include "ws_version.h"

const ws_command ws_commands[] = {
    {"ingest", cmd_ingest, "store measured profiles (CodeCarbon, nvidia-smi, Eco2AI, Zeus, plain CSV/JSON)"},
    {"measure", cmd_measure, "run a command and measure its energy at the source (NVML, RAPL) into the store"},
    {"profiles", cmd_profiles, "list stored profiles (table, --csv or --json)"},
    {"show", cmd_show, "show one stored profile with its samples"},
    {"rm", cmd_rm, "remove stored profiles (by id or job), all or nothing"},
    {"fit", cmd_fit, "fit power (utilisation -> W) or job (work -> J, s) models per architecture"},
    {"predict", cmd_predict, "predict power from a fitted model, with a 95% prediction interval"},
    {"tweak", cmd_tweak, "runtime/energy/power ratios of a variant job against its baseline"},
    {"plot", cmd_plot, "draw figures (fits, simulations, projections) into plots/"},
    {"simulate", cmd_simulate, "run a scenario through the discrete-event simulator"},
    {"report", cmd_report, "write a projection report (md, html, json) for a stored run"},
    {"sweep", cmd_sweep, "run a grid of scenarios (spreads over Open MPI ranks when built with it)"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: wattscale [--version] [--help] [-C DIR] [--db PATH] <command> [<args>]\n\n"
                 "From measured energy profiles to defensible projections at LHC scale.\n\ncommands:\n");
    for (const ws_command *c = ws_commands; c->name; c++)
        fprintf(out, "  %-9s %s\n", c->name, c->summary);
    fprintf(out, "\nEvery command takes --help. The store is ./wattscale.db unless --db PATH or "
                 "$WATTSCALE_DB says otherwise.\n"
                 "Before the command: -C DIR runs as if started in DIR (as git -C); --db PATH names the store\n"
                 "for any command (as $WATTSCALE_DB; a command's own --db still wins).\n");
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off(); /* library code reports GSL failures as statuses, never aborts */
    /* Global options before the command: -C DIR and --db PATH (or --db=PATH). */
    while (argc >= 2 && argv[1][0] == '-') {
        if (strcmp(argv[1], "-C") == 0 && argc >= 3) {
            if (chdir(argv[2]) != 0) {
                fprintf(stderr, "wattscale: -C %s: %s\n", argv[2], strerror(errno));
                return 2;
            }
        } else if (strcmp(argv[1], "--db") == 0 && argc >= 3) {
            setenv("WATTSCALE_DB", argv[2], 1);
        } else if (strncmp(argv[1], "--db=", 5) == 0) {
            setenv("WATTSCALE_DB", argv[1] + 5, 1);
            argv[1] = argv[0], argc--, argv++;
            continue;
        } else {
            break;
        }
        argv[2] = argv[0], argc -= 2, argv += 2;
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("wattscale %s\n", WS_VERSION);
        return 0;
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        if (argc > 2 && strcmp(name, "help") == 0) {
            for (const ws_command *c = ws_commands; c->name; c++)
                if (strcmp(c->name, argv[2]) == 0) {
                    char *help_argv[] = {argv[2], "--help", NULL};
                    return c->run(2, help_argv);
                }
            fprintf(stderr, "wattscale: no command '%s'\n", argv[2]);
            return 2;
        }
        usage(stdout);
        return 0;
    }
    for (const ws_command *c = ws_commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "wattscale: '%s' is not a command; see 'wattscale help'\n", name);
    return 2;
}
