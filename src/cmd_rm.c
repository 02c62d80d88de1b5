/* cmd_rm: `wattscale rm ID... | --job NAME`: remove stored profiles (and their samples) in one
 * transaction; a file whose profiles are all gone can be ingested again. An ID that is not there
 * removes nothing (exit 2). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ws_cli.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: wattscale rm [--db PATH] (ID... | --job NAME)\n\n"
                 "Remove stored profiles and their samples, all or nothing (one transaction). A source file\n"
                 "left without profiles is forgotten, so it can be ingested again; to re-read a file in place,\n"
                 "use 'wattscale ingest --replace FILE'.\n\n"
                 "  --job NAME   every profile of this job\n"
                 "  --db PATH    the store (default ./wattscale.db or $WATTSCALE_DB)\n");
}

/* Every ID (a positive whole number) into ids; -1 with a message when one is not. */
static int parse_ids(int argc, char **argv, int64_t *ids)
{
    for (int i = 0; i < argc; i++) {
        char *end;
        errno = 0;
        long long v = strtoll(argv[i], &end, 10);
        if (errno || *end || end == argv[i] || v < 1) {
            fprintf(stderr, "wattscale rm: '%s' is not a profile id (see 'wattscale profiles')\n", argv[i]);
            return -1;
        }
        ids[i] = v;
    }
    return 0;
}

/* Delete; returns the exit status. */
static int remove_all(ws_store *st, const int64_t *ids, int n, const char *job, int *removed)
{
    if (ws_store_begin(st) != 0)
        return 1;
    for (int i = 0; i < n; i++) {
        int r = ws_store_delete_profile(st, ids[i]);
        if (r <= 0) {
            ws_store_rollback(st);
            if (r == 0)
                fprintf(stderr, "wattscale rm: no profile %lld in %s: nothing removed\n", (long long)ids[i], st->path);
            return r == 0 ? 2 : 1;
        }
        (*removed)++;
    }
    if (job) {
        int r = ws_store_delete_job(st, job);
        if (r <= 0) {
            ws_store_rollback(st);
            if (r == 0)
                fprintf(stderr, "wattscale rm: no profile of job '%s' in %s: nothing removed\n", job, st->path);
            return r == 0 ? 2 : 1;
        }
        *removed += r;
    }
    return ws_store_commit(st) == 0 ? 0 : 1;
}

int cmd_rm(int argc, char **argv)
{
    static const struct option longopts[] = {{"job", required_argument, 0, 'j'}, {"db", required_argument, 0, 'd'},
                                             {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *job = NULL, *db = NULL;
    int c;
    ws_cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': job = optarg; break;
        case 'd': db = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    int n = argc - optind;
    if (n == 0 && !job) {
        usage(stderr);
        return 2;
    }
    int64_t *ids = calloc((size_t)n + 1, sizeof *ids);
    if (!ids)
        return 1;
    int rc = parse_ids(n, argv + optind, ids) == 0 ? 0 : 2, removed = 0;
    ws_store st;
    if (rc == 0 && ws_cli_open_store(&st, db) != 0)
        rc = 1;
    else if (rc == 0) {
        rc = remove_all(&st, ids, n, job, &removed);
        if (rc == 0)
            printf("removed %d profile(s) from %s\n", removed, st.path);
        ws_store_close(&st);
    }
    free(ids);
    return rc;
}
