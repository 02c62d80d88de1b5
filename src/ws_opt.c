/* ws_opt: see ws_opt.h. One table per command: parser, validator and --help. */
#include "ws_opt.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ws_util.h"

#define HELP_COLUMN 19 /* where an option's help text starts */

static void print_lines(FILE *out, const char *text)
{
    if (!text)
        return;
    fputs(text, out);
    if (*text && text[strlen(text) - 1] != '\n')
        fputc('\n', out);
}

void ws_opt_usage(const ws_opt_cmd *cmd, FILE *out)
{
    const char *u = cmd->usage;
    int first = 1;
    while (*u) {
        const char *nl = strchr(u, '\n');
        int len = nl ? (int)(nl - u) : (int)strlen(u);
        fprintf(out, "%s%.*s\n", first ? "usage: " : "       ", len, u);
        first = 0;
        u += len + (nl ? 1 : 0);
    }
}

/* "  -q, --quiet" or "  --seed S", padded to HELP_COLUMN (or two spaces when longer). */
static void print_option(FILE *out, const ws_opt *o)
{
    char name[128], shortpart[8] = "";
    if (o->short_name)
        snprintf(shortpart, sizeof shortpart, "-%c, ", o->short_name);
    int n = snprintf(name, sizeof name, "  %s--%s%s%s", shortpart, o->long_name, o->argh ? " " : "",
                     o->argh ? o->argh : "");
    fputs(name, out);
    if (n < HELP_COLUMN - 1)
        fprintf(out, "%*s", HELP_COLUMN - n, "");
    else /* a long name: its help starts on the next line, in the column */
        fprintf(out, "\n%*s", HELP_COLUMN, "");
    for (const char *h = o->help ? o->help : ""; *h; h++) {
        fputc(*h, out);
        if (*h == '\n' && h[1])
            fprintf(out, "%*s", HELP_COLUMN, "");
    }
    fputc('\n', out);
}

void ws_opt_help(const ws_opt_cmd *cmd, FILE *out)
{
    ws_opt_usage(cmd, out);
    if (cmd->description) {
        fputc('\n', out);
        print_lines(out, cmd->description);
    }
    int first = 1;
    for (const ws_opt *o = cmd->options; o->type != WS_OPT_T_END; o++) {
        if (o->type == WS_OPT_T_GROUP) {
            fprintf(out, "\n%s\n", o->help);
            first = 0;
            continue;
        }
        if (first)
            fprintf(out, "\noptions:\n");
        first = 0;
        print_option(out, o);
    }
    if (cmd->epilogue) {
        fputc('\n', out);
        print_lines(out, cmd->epilogue);
    }
    if (cmd->more_help)
        cmd->more_help(out);
}

int ws_opt_fail(const ws_opt_cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "wattscale %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    ws_opt_usage(cmd, stderr);
    return WS_EINPUT;
}

static int usage_error(const ws_opt_cmd *cmd, int *status, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "wattscale %s: ", cmd->name);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    ws_opt_usage(cmd, stderr);
    fprintf(stderr, "('wattscale %s --help' says more)\n", cmd->name);
    *status = WS_EINPUT;
    return -1;
}

static int in_bounds(const ws_opt *o, double v)
{
    int lo_ok = (o->flags & WS_OPT_LO_OPEN) ? v > o->lo : v >= o->lo;
    int hi_ok = (o->flags & WS_OPT_HI_OPEN) ? v < o->hi : v <= o->hi;
    return lo_ok && hi_ok;
}

static int number_error(const ws_opt *o, const char *arg, const char *cmd)
{
    char what[160];
    if (o->what)
        snprintf(what, sizeof what, "%s", o->what);
    else if (o->type == WS_OPT_T_INT)
        snprintf(what, sizeof what, "a whole number from %.0f to %.0f", o->lo, o->hi);
    else if (o->type == WS_OPT_T_UINT64)
        snprintf(what, sizeof what, "a non-negative integer");
    else
        snprintf(what, sizeof what, "a number from %g to %g", o->lo, o->hi);
    fprintf(stderr, "wattscale %s: --%s: '%s' is not %s\n", cmd, o->long_name, arg, what);
    return -1;
}

static int choice_error(const ws_opt *o, const char *arg, const char *cmd)
{
    fprintf(stderr, "wattscale %s: --%s: '%s' is not one of", cmd, o->long_name, arg);
    for (const char *const *c = o->choices; *c; c++)
        fprintf(stderr, "%s %s", c == o->choices ? "" : ",", *c);
    fputc('\n', stderr);
    return -1;
}

/* Store arg (NULL for options without one) as o says. Returns 0, or -1 after printing why. */
static int store_value(const ws_opt_cmd *cmd, const ws_opt *o, const char *arg)
{
    double d;
    switch (o->type) {
    case WS_OPT_T_SET_INT: *(int *)o->value = o->set; return 0;
    case WS_OPT_T_STRING: *(const char **)o->value = arg; return 0;
    case WS_OPT_T_INT:
        if (ws_parse_double(arg, &d) != 0 || d != (double)(long long)d || !in_bounds(o, d))
            return number_error(o, arg, cmd->name);
        *(int *)o->value = (int)d;
        return 0;
    case WS_OPT_T_DOUBLE:
        if (ws_parse_double(arg, &d) != 0 || !in_bounds(o, d))
            return number_error(o, arg, cmd->name);
        *(double *)o->value = d;
        return 0;
    case WS_OPT_T_UINT64: {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(arg, &end, 10);
        if (errno || *end || !*arg || arg[0] == '-' || arg[0] == '+' || arg[0] == ' ')
            return number_error(o, arg, cmd->name);
        *(uint64_t *)o->value = v;
        if (o->aux)
            *(int *)o->aux = 1;
        return 0;
    }
    case WS_OPT_T_CHOICE:
        for (const char *const *c = o->choices; *c; c++)
            if (strcmp(*c, arg) == 0) {
                *(const char **)o->value = *c;
                return 0;
            }
        return choice_error(o, arg, cmd->name);
    case WS_OPT_T_CALLBACK: return o->cb(o, arg);
    default: assert(!"unreachable option type"); return -1;
    }
}

static const ws_opt *find_long(const ws_opt *opts, const char *name, size_t len)
{
    for (const ws_opt *o = opts; o->type != WS_OPT_T_END; o++)
        if (o->long_name && strlen(o->long_name) == len && strncmp(o->long_name, name, len) == 0)
            return o;
    return NULL;
}

static const ws_opt *find_short(const ws_opt *opts, int c)
{
    for (const ws_opt *o = opts; o->type != WS_OPT_T_END; o++)
        if (o->type != WS_OPT_T_GROUP && o->short_name == c)
            return o;
    return NULL;
}

/* One option at argv[*i]; advances *i past its argument. Returns 0, 1 for --help, or -1 (printed). */
static int parse_one(const ws_opt_cmd *cmd, int argc, char **argv, int *i, int *status)
{
    const char *a = argv[*i], *inline_arg = NULL;
    const ws_opt *o;
    char shown[80];
    if (a[1] == '-') {
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        if (len == 4 && strncmp(name, "help", 4) == 0)
            return 1;
        if (!(o = find_long(cmd->options, name, len)))
            return usage_error(cmd, status, "unknown option '%s'%s", a, "");
        inline_arg = eq ? eq + 1 : NULL;
        snprintf(shown, sizeof shown, "--%s", o->long_name);
    } else {
        if (a[1] == 'h' && !a[2])
            return 1;
        if (a[2] || !(o = find_short(cmd->options, a[1])))
            return usage_error(cmd, status, "unknown option '%s'%s", a, "");
        snprintf(shown, sizeof shown, "-%c", a[1]);
    }
    if (!o->argh) {
        if (inline_arg)
            return usage_error(cmd, status, "%s takes no value%s", shown, "");
        return store_value(cmd, o, NULL) == 0 ? 0 : (*status = WS_EINPUT, -1);
    }
    if (!inline_arg) {
        if (*i + 1 >= argc)
            return usage_error(cmd, status, "%s needs a value (%s)", shown, o->argh);
        inline_arg = argv[++*i];
    }
    return store_value(cmd, o, inline_arg) == 0 ? 0 : (*status = WS_EINPUT, -1);
}

int ws_opt_parse(const ws_opt_cmd *cmd, int argc, char **argv, int *status)
{
    assert(cmd && cmd->options && argc >= 1);
    int n = 0, only_args = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || !a[1]) { /* "-" alone is a positional (standard input) */
            argv[1 + n++] = argv[i];
            if (cmd->stop_at_non_option)
                only_args = 1;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = 1;
            continue;
        }
        int r = parse_one(cmd, argc, argv, &i, status);
        if (r == 1) {
            ws_opt_help(cmd, stdout);
            *status = WS_OK;
            return -1;
        }
        if (r < 0)
            return -1;
    }
    if (n < cmd->min_args)
        return usage_error(cmd, status, "%s%s", cmd->min_args == 1 ? "an argument is missing" : "arguments are missing", "");
    if (cmd->max_args >= 0 && n > cmd->max_args)
        return usage_error(cmd, status, "unexpected argument '%s'%s", argv[1 + cmd->max_args], "");
    return n;
}
