/* ws_csv: a streaming CSV reader (RFC 4180 quoting, CRLF or LF, any one-byte delimiter) that keeps
 * memory bounded by the longest record, not the file, and knows each record's line number so that
 * every error can name FILE:LINE. Fields point into an internal buffer valid until the next call. */
#ifndef WS_CSV_H
#define WS_CSV_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    FILE *f;
    int own_file;
    char *buf;
    size_t cap, pos, len;
    int eof;
    long line;      /* line number where the current record starts (1-based) */
    long next_line; /* line number of the next unread byte */
    char delim;
    char **fields;
    size_t nfields, fields_cap;
    int ended_without_newline; /* the current record was the file's last and had no line end */
    unsigned long long bytes_read;
} ws_csv;

/* Open a file (or wrap an open FILE* when path is NULL). Returns 0, or -1 with errno set. */
int ws_csv_open(ws_csv *c, const char *path, char delim);
int ws_csv_wrap(ws_csv *c, FILE *f, char delim);
void ws_csv_close(ws_csv *c);

/* Read the next record. Returns 1 with c->fields/c->nfields set, 0 at end of file, -1 on an
 * unterminated quoted field. Blank lines are skipped. */
int ws_csv_next(ws_csv *c);

/* Write one CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break. */
void ws_csv_write_field(FILE *out, const char *s);

/* Index of the field whose trimmed text equals name (case-insensitive), or -1. */
int ws_csv_find(char *const *fields, size_t n, const char *name);

#endif
