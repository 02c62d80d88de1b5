/* cmd_rm: `wattscale rm ID... | --job NAME`: remove stored profiles (and their samples) in one
 * transaction; a file whose profiles are all gone can be ingested again. An ID that is not there
 * removes nothing (exit 2). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ws_cli.h"
#include "ws_opt.h"

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
        return WS_EFAIL;
    for (int i = 0; i < n; i++) {
        int r = ws_store_delete_profile(st, ids[i]);
        if (r <= 0) {
            ws_store_rollback(st);
            if (r == 0)
                fprintf(stderr, "wattscale rm: no profile %lld in %s: nothing removed\n", (long long)ids[i], st->path);
            return r == 0 ? WS_EINPUT : WS_EFAIL;
        }
        (*removed)++;
    }
    if (job) {
        int r = ws_store_delete_job(st, job);
        if (r <= 0) {
            ws_store_rollback(st);
            if (r == 0)
                fprintf(stderr, "wattscale rm: no profile of job '%s' in %s: nothing removed\n", job, st->path);
            return r == 0 ? WS_EINPUT : WS_EFAIL;
        }
        *removed += r;
    }
    return ws_store_commit(st) == 0 ? WS_OK : WS_EFAIL;
}

int cmd_rm(int argc, char **argv)
{
    const char *job = NULL, *db = NULL;
    int status;
    const ws_opt options[] = {
        WS_OPT_STRING(0, "job", &job, "NAME", "every profile of this job"),
        WS_OPT_DB(&db),
        WS_OPT_END()};
    const ws_opt_cmd spec = {
        "rm", "wattscale rm [--db PATH] (ID... | --job NAME)",
        "Remove stored profiles and their samples, all or nothing (one transaction). A source file\n"
        "left without profiles is forgotten, so it can be ingested again; to re-read a file in place,\n"
        "use 'wattscale ingest --replace FILE'.",
        options, NULL, NULL, 0, -1, 0};
    int n = ws_opt_parse(&spec, argc, argv, &status);
    if (n < 0)
        return status;
    if (n == 0 && !job) {
        return ws_opt_fail(&spec, "name profile IDs or --job NAME");
    }
    int64_t *ids = calloc((size_t)n + 1, sizeof *ids);
    if (!ids) {
        fprintf(stderr, "wattscale rm: out of memory\n");
        return WS_EFAIL;
    }
    int rc = parse_ids(n, argv + 1, ids) == 0 ? WS_OK : WS_EINPUT, removed = 0;
    ws_store st;
    if (rc == WS_OK && ws_cli_open_store(&st, db) != 0)
        rc = WS_EFAIL;
    else if (rc == WS_OK) {
        rc = remove_all(&st, ids, n, job, &removed);
        if (rc == WS_OK)
            printf("removed %d profile(s) from %s\n", removed, st.path);
        else if (rc == WS_EFAIL)
            ws_cli_store_failed(&st);
        ws_store_close(&st);
    }
    free(ids);
    return rc;
}
