/* ws_opt: one option table per command that is at once its parser, its validator and its --help (as
 * git's parse-options). A command declares
 *
 *     static const ws_opt options[] = {
 *         WS_OPT_STRING(0, "job", &job, "NAME", "job class"),
 *         WS_OPT_INT(0, "threads", &threads, "N", 1, 4096, "runs at once"),
 *         WS_OPT_DB(&db),
 *         WS_OPT_END()};
 *     static const ws_opt_cmd spec = {"profiles", "wattscale profiles [options]", "List ...", options};
 *     int nargs, status;
 *     if ((nargs = ws_opt_parse(&spec, argc, argv, &status)) < 0)
 *         return status;
 *
 * and gets --help, -h, --opt=VALUE, "--" and bounded numbers with one kind of message for free.
 * ws_opt (with ws_cli) is the command-line layer: it prints help on stdout and usage errors on stderr,
 * and only cmd_*.c use it. Values are written through the table's pointers; the caller owns them and
 * sets their defaults before parsing. */
#ifndef WS_OPT_H
#define WS_OPT_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    WS_OPT_T_END = 0,
    WS_OPT_T_GROUP,    /* a heading in --help */
    WS_OPT_T_SET_INT,  /* no argument: *(int *)value = set */
    WS_OPT_T_STRING,   /* *(const char **)value = the argument (points into argv) */
    WS_OPT_T_INT,      /* a whole number in [lo, hi] into *(int *)value */
    WS_OPT_T_DOUBLE,   /* a finite number in lo..hi (bounds open when flags say) into *(double *)value */
    WS_OPT_T_UINT64,   /* a non-negative whole number into *(uint64_t *)value; *(int *)aux = 1 when given */
    WS_OPT_T_CHOICE,   /* one of choices[] (NULL-terminated) into *(const char **)value */
    WS_OPT_T_CALLBACK, /* cb(opt, arg) checks and stores; returns 0, or -1 after printing why */
} ws_opt_type;

enum { WS_OPT_LO_OPEN = 1, WS_OPT_HI_OPEN = 2 };

typedef struct ws_opt ws_opt;
typedef int (*ws_opt_cb)(const ws_opt *opt, const char *arg);

struct ws_opt {
    ws_opt_type type;
    int short_name;        /* 0: none */
    const char *long_name; /* without "--" */
    void *value;
    const char *argh; /* the argument's name in --help ("PATH"); NULL: takes no argument */
    const char *help; /* '\n' continues on an indented line */
    double lo, hi;
    int flags;        /* WS_OPT_LO_OPEN | WS_OPT_HI_OPEN */
    const char *what; /* numbers: "'ARG' is not WHAT" (default: "a number from LO to HI") */
    int set;          /* SET_INT: the value stored */
    ws_opt_cb cb;
    void *aux;        /* UINT64: an int set to 1 when the option is given; CALLBACK: free for its use */
    const char *const *choices; /* CHOICE: the accepted values, NULL-terminated */
};

#define WS_OPT_END() {WS_OPT_T_END, 0, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, 0, NULL, NULL, NULL}
#define WS_OPT_GROUP(h) {WS_OPT_T_GROUP, 0, NULL, NULL, NULL, (h), 0, 0, 0, NULL, 0, NULL, NULL, NULL}
#define WS_OPT_FLAG(s, l, v, h) {WS_OPT_T_SET_INT, (s), (l), (v), NULL, (h), 0, 0, 0, NULL, 1, NULL, NULL, NULL}
#define WS_OPT_SET_INT(s, l, v, val, h) {WS_OPT_T_SET_INT, (s), (l), (v), NULL, (h), 0, 0, 0, NULL, (val), NULL, NULL, NULL}
#define WS_OPT_STRING(s, l, v, a, h) {WS_OPT_T_STRING, (s), (l), (v), (a), (h), 0, 0, 0, NULL, 0, NULL, NULL, NULL}
#define WS_OPT_INT(s, l, v, a, lo, hi, h) {WS_OPT_T_INT, (s), (l), (v), (a), (h), (lo), (hi), 0, NULL, 0, NULL, NULL, NULL}
#define WS_OPT_DOUBLE(s, l, v, a, lo, hi, fl, what, h)                                                            \
    {WS_OPT_T_DOUBLE, (s), (l), (v), (a), (h), (lo), (hi), (fl), (what), 0, NULL, NULL, NULL}
#define WS_OPT_UINT64(s, l, v, given, a, h) {WS_OPT_T_UINT64, (s), (l), (v), (a), (h), 0, 0, 0, NULL, 0, NULL, (given), NULL}
#define WS_OPT_CALLBACK(s, l, v, a, cb, h) {WS_OPT_T_CALLBACK, (s), (l), (v), (a), (h), 0, 0, 0, NULL, 0, (cb), NULL, NULL}
#define WS_OPT_CHOICE(s, l, v, a, list, h) {WS_OPT_T_CHOICE, (s), (l), (v), (a), (h), 0, 0, 0, NULL, 0, NULL, NULL, (list)}
/* The store option every command that opens one shares. */
#define WS_OPT_DB(v) WS_OPT_STRING(0, "db", (v), "PATH", "the store (default ./wattscale.db or $WATTSCALE_DB)")

typedef struct {
    const char *name;        /* "simulate": messages say "wattscale simulate: ..." */
    const char *usage;       /* usage line(s) after "usage: ", '\n'-separated */
    const char *description; /* paragraphs between the usage and the options (may be NULL) */
    const ws_opt *options;   /* ends with WS_OPT_END(); --help/-h are implied */
    const char *epilogue;    /* text after the options (may be NULL) */
    void (*more_help)(FILE *out); /* printed after the epilogue, for lists known at run time (may be NULL) */
    int min_args, max_args;  /* positional arguments; max_args < 0: no limit */
    int stop_at_non_option;  /* 1: the first positional ends option parsing (a command to run follows) */
} ws_opt_cmd;

/* Parse argv[1..argc) (argv[0] is the command's name). Options may stand anywhere before "--" (unless
 * stop_at_non_option); the positional arguments are moved, in order, to argv[1..1+n). Returns n, or -1
 * with *status set: 0 after printing --help on stdout, 2 after a usage error on stderr ("wattscale CMD:
 * --OPT: 'ARG' is not ..." and the usage line). */
int ws_opt_parse(const ws_opt_cmd *cmd, int argc, char **argv, int *status);
/* The whole help text (what --help prints). */
void ws_opt_help(const ws_opt_cmd *cmd, FILE *out);
/* The usage line(s) alone, for errors found after parsing. */
void ws_opt_usage(const ws_opt_cmd *cmd, FILE *out);
/* A usage error found after parsing (a missing required option, options that exclude each other):
 * "wattscale CMD: MESSAGE" and the usage on stderr; returns WS_EINPUT (2) for the command to return. */
int ws_opt_fail(const ws_opt_cmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
