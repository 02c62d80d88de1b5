/* ws_csv: see ws_csv.h. Hot path of the ingest benchmark, so records without quotes are split in one
 * pass (16 bytes at a time with SSE2) and no copying; records with quotes take the general path. */
#include "ws_csv.h"

#include "ws_util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WS_CSV_CHUNK (1u << 20)

static int csv_init(ws_csv *c, FILE *f, int own, char delim)
{
    memset(c, 0, sizeof *c);
    c->f = f;
    c->own_file = own;
    c->delim = delim ? delim : ',';
    c->cap = WS_CSV_CHUNK;
    c->buf = malloc(c->cap + 1);
    c->fields_cap = 32;
    c->fields = malloc(c->fields_cap * sizeof *c->fields);
    c->next_line = 1;
    if (!c->buf || !c->fields) {
        free(c->buf);
        free(c->fields);
        return -1;
    }
    return 0;
}

int ws_csv_open(ws_csv *c, const char *path, char delim)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    if (csv_init(c, f, 1, delim) != 0) {
        fclose(f);
        return -1;
    }
    return 0;
}

int ws_csv_wrap(ws_csv *c, FILE *f, char delim)
{
    return csv_init(c, f, 0, delim);
}

void ws_csv_close(ws_csv *c)
{
    if (c->own_file && c->f)
        fclose(c->f);
    free(c->buf);
    free(c->fields);
    memset(c, 0, sizeof *c);
}

/* Move the unread tail to the front and read more; grow when one record fills the buffer. */
static int csv_fill(ws_csv *c)
{
    if (c->eof)
        return 0;
    if (c->pos > 0) {
        memmove(c->buf, c->buf + c->pos, c->len - c->pos);
        c->len -= c->pos;
        c->pos = 0;
    }
    if (c->len == c->cap) {
        char *bigger = realloc(c->buf, c->cap * 2 + 1);
        if (!bigger)
            return -1;
        c->buf = bigger;
        c->cap *= 2;
    }
    size_t got = fread(c->buf + c->len, 1, c->cap - c->len, c->f);
    c->bytes_read += got;
    if (got == 0)
        c->eof = 1;
    c->len += got;
    return (int)got;
}

static int push_field(ws_csv *c, char *start)
{
    if (c->nfields == c->fields_cap) {
        char **bigger = realloc(c->fields, 2 * c->fields_cap * sizeof *bigger);
        if (!bigger)
            return -1;
        c->fields = bigger;
        c->fields_cap *= 2;
    }
    c->fields[c->nfields++] = start;
    return 0;
}

/* The general splitter (quotes, embedded NULs, any delimiter). Tries to split one record starting
 * at c->pos. Returns 1 when complete, 0 when more input is needed, -1 on error. Writes NULs into
 * the buffer; on 0 nothing it wrote matters because the record is parsed again from its start after
 * the refill (quotes are unescaped in place, so a retry must restart from a copy: we only unescape
 * once we know the record is complete). */
static int split_record_slow(ws_csv *c)
{
    char *p = c->buf + c->pos, *end = c->buf + c->len;
    /* First find the record's end, honouring quotes, without modifying anything. */
    int in_quotes = 0;
    long newlines = 0;
    char *q = p;
    for (; q < end; q++) {
        char ch = *q;
        if (ch == '"')
            in_quotes = !in_quotes;
        else if (ch == '\n') {
            if (!in_quotes)
                break;
            newlines++;
        }
    }
    int complete = q < end;
    if (!complete && !c->eof)
        return 0;
    if (in_quotes)
        return -1;
    c->ended_without_newline = !complete;
    char *rec_end = q;
    c->pos = (size_t)(rec_end - c->buf) + (complete ? 1 : 0);
    if (rec_end > p && rec_end[-1] == '\r')
        rec_end--;
    *rec_end = '\0';
    c->line = c->next_line;
    c->next_line += newlines + (complete ? 1 : 0);
    /* Now split into fields in place. */
    c->nfields = 0;
    char *r = p;
    for (;;) {
        if (*r == '"') {
            char *w = r, *s = r + 1;
            if (push_field(c, w) != 0)
                return -1;
            for (;;) {
                if (*s == '"' && s[1] == '"') {
                    *w++ = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else if (*s == '\0') {
                    break;
                } else {
                    *w++ = *s++;
                }
            }
            /* Text after the closing quote up to the delimiter is kept (lenient, like pandas). */
            while (*s && *s != c->delim)
                *w++ = *s++;
            int last = *s == '\0';
            *w = '\0';
            if (last)
                break;
            r = s + 1;
        } else {
            if (push_field(c, r) != 0)
                return -1;
            char *d = strchr(r, c->delim);
            if (!d)
                break;
            *d = '\0';
            r = d + 1;
        }
    }
    return 1;
}


#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define WS_CSV_SSE2 1
#endif

/* Bit i set when buf[i] is the delimiter, a quote, a newline or a NUL, for the 16 bytes at s. */
#ifdef WS_CSV_SSE2
static inline unsigned special_mask16(const char *s, __m128i vd, __m128i vq, __m128i vn, __m128i vz)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vd), _mm_cmpeq_epi8(x, vq)),
                             _mm_or_si128(_mm_cmpeq_epi8(x, vn), _mm_cmpeq_epi8(x, vz)));
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* The fast splitter for the common record: no quote and no NUL before its newline. One pass finds the
 * record's end and its delimiters together (16 bytes at a time where SSE2 is there) and nothing is
 * written until the record is known to be complete, so a retry after a refill sees the bytes as they
 * were. Returns 1 when split, 0 when more input is needed, 2 when the record needs the general
 * splitter (a quote or a NUL in it). */
static int split_record_fast(ws_csv *c)
{
    char *p = c->buf + c->pos, *end = c->buf + c->len, *s = p;
    const char delim = c->delim;
    c->nfields = 0;
    if (push_field(c, p) != 0)
        return -1;
#ifdef WS_CSV_SSE2
    const __m128i vd = _mm_set1_epi8(delim), vq = _mm_set1_epi8('"'), vn = _mm_set1_epi8('\n'),
                  vz = _mm_setzero_si128();
    while (end - s >= 16) {
        unsigned m = special_mask16(s, vd, vq, vn, vz);
        while (m) {
            char *hit = s + __builtin_ctz(m);
            m &= m - 1;
            if (*hit == delim) {
                if (push_field(c, hit + 1) != 0)
                    return -1;
            } else if (*hit == '\n') {
                end = hit;
                goto found;
            } else {
                return 2;
            }
        }
        s += 16;
    }
#endif
    for (; s < end; s++) {
        char ch = *s;
        if (ch == delim) {
            if (push_field(c, s + 1) != 0)
                return -1;
        } else if (ch == '\n') {
            end = s;
            goto found;
        } else if (ch == '"' || ch == '\0') {
            return 2;
        }
    }
    /* No newline in the buffer: the record goes on in the next read, or it is the file's last. */
    if (!c->eof)
        return 0;
    c->ended_without_newline = 1;
    c->pos = c->len;
    c->line = c->next_line;
    goto split;
found:
    c->ended_without_newline = 0;
    c->pos = (size_t)(end - c->buf) + 1;
    c->line = c->next_line++;
split:
    /* Terminate the fields: each delimiter, and the record end (a CR before the LF is not data). */
    for (size_t i = 1; i < c->nfields; i++)
        c->fields[i][-1] = '\0';
    if (end > p && end[-1] == '\r')
        end--;
    *end = '\0';
    return 1;
}

static int split_record(ws_csv *c)
{
    if (c->delim != '"' && c->delim != '\n' && c->delim != '\0') {
        int r = split_record_fast(c);
        if (r != 2)
            return r;
    }
    return split_record_slow(c);
}

static int blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

int ws_csv_next(ws_csv *c)
{
    for (;;) {
        if (c->pos >= c->len) {
            if (c->eof)
                return 0;
            if (csv_fill(c) < 0)
                return -1;
            continue;
        }
        int r = split_record(c);
        if (r < 0)
            return -1;
        if (r == 0) {
            if (csv_fill(c) < 0)
                return -1;
            continue;
        }
        if (c->nfields == 1 && blank(c->fields[0]))
            continue;
        /* A UTF-8 byte-order mark (Excel, Windows tools) is not part of the first field's name. */
        if (c->line == 1 && c->nfields > 0 && (unsigned char)c->fields[0][0] == 0xEF &&
            (unsigned char)c->fields[0][1] == 0xBB && (unsigned char)c->fields[0][2] == 0xBF)
            c->fields[0] += 3;
        return 1;
    }
}

int ws_csv_find(char *const *fields, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        const char *f = fields[i];
        while (*f == ' ' || *f == '\t')
            f++;
        size_t len = strlen(f);
        while (len > 0 && (f[len - 1] == ' ' || f[len - 1] == '\t'))
            len--;
        if (len == strlen(name) && strncasecmp(f, name, len) == 0)
            return (int)i;
    }
    return -1;
}

void ws_csv_write_field(FILE *out, const char *s)
{
    /* A text cell starting with = + - @ (or a tab / CR) is a formula to spreadsheets: a leading ' keeps it
     * text (numbers such as -5.2 are left as they are). */
    double x;
    int formula = strchr("=+-@\t\r", s[0]) && s[0] && ws_parse_double(s, &x) != 0;
    if (!formula && !strpbrk(s, ",\"\n\r")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}
