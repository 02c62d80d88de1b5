/* commands: one function per subcommand, each in cmd_<name>.c (git style); main.c only dispatches. */
#ifndef WS_COMMANDS_H
#define WS_COMMANDS_H

int cmd_ingest(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_tweak(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_measure(int argc, char **argv);

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} ws_command;

/* The command table (main.c), terminated by {NULL}. */
extern const ws_command ws_commands[];

#endif
