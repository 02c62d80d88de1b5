/* ws_util: see ws_util.h. */
#include "ws_util.h"

#include <sys/stat.h>

#include <stdio.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

void ws_error_set(ws_error *err, const char *file, long line, const char *field, const char *fmt, ...)
{
    if (!err)
        return;
    ws_strlcpy(err->file, file ? file : "", sizeof err->file);
    err->line = line;
    ws_strlcpy(err->field, field ? field : "", sizeof err->field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

void ws_error_print(const ws_error *err, FILE *out)
{
    if (err->file[0])
        fprintf(out, "%s:", err->file);
    if (err->line > 0)
        fprintf(out, "%ld:", err->line);
    if (err->file[0] || err->line > 0)
        fputc(' ', out);
    if (err->field[0])
        fprintf(out, "%s: ", err->field);
    fprintf(out, "%s\n", err->message);
}

int ws_strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);
    if (size == 0)
        return -1;
    if (n >= size) {
        memcpy(dst, src, size - 1);
        dst[size - 1] = '\0';
        return -1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

char *ws_trim(char *s)
{
    char *start = s;
    while (*start && isspace((unsigned char)*start))
        start++;
    size_t n = strlen(start);
    while (n > 0 && isspace((unsigned char)start[n - 1]))
        n--;
    memmove(s, start, n);
    s[n] = '\0';
    return s;
}

/* Clinger's fast path: a plain decimal ([+-]digits[.digits], at most 15 digits, no exponent) is
 * m / 10^k with m and 10^k both exact doubles, so one IEEE division gives the correctly rounded value,
 * the same double strtod returns. Returns the end of the number, or NULL when strtod must decide
 * (more digits, an exponent, hex, inf/nan, no digits). */
static const char *parse_plain_decimal(const char *s, double *out)
{
    static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const char *p = s;
    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    unsigned long long m = 0;
    int digits = 0, frac = 0;
    while (*p >= '0' && *p <= '9') {
        m = m * 10 + (unsigned)(*p++ - '0');
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            m = m * 10 + (unsigned)(*p++ - '0');
            digits++;
            frac++;
        }
    }
    if (digits == 0 || digits > 15)
        return NULL;
    char next = *p;
    if (next == 'e' || next == 'E' || next == 'x' || next == 'X')
        return NULL;
    double v = (double)m / pow10[frac];
    *out = neg ? -v : v;
    return p;
}

int ws_parse_number_unit(const char *s, double *out, char *unit, size_t unit_size)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    if (!*s)
        return -1;
    double v;
    const char *end = parse_plain_decimal(s, &v);
    if (!end) {
        char *e;
        errno = 0;
        v = strtod(s, &e);
        if (e == s || errno == ERANGE || !isfinite(v))
            return -1;
        end = e;
    }
    while (*end && isspace((unsigned char)*end))
        end++;
    if (unit) {
        /* As ws_strlcpy + ws_trim: too long (blanks included) fails; leading blanks are gone. */
        size_t n = strlen(end);
        if (unit_size == 0 || n >= unit_size)
            return -1;
        while (n > 0 && isspace((unsigned char)end[n - 1]))
            n--;
        memcpy(unit, end, n);
        unit[n] = '\0';
    } else if (*end) {
        return -1;
    }
    *out = v;
    return 0;
}

int ws_parse_double(const char *s, double *out)
{
    return ws_parse_number_unit(s, out, NULL, 0);
}

int ws_is_missing(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    if (!*s)
        return 1;
    if (*s != '[' && *s != 'N' && *s != 'n')
        return 0; /* no marker starts otherwise: numbers leave here */
    static const char *const markers[] = {"[N/A]", "N/A", "[Not Supported]", "Not Supported",
                                          "nan", "NaN", "NA", "None", "null", "[Unknown Error]"};
    for (size_t i = 0; i < sizeof markers / sizeof *markers; i++) {
        size_t n = strlen(markers[i]);
        if (strncmp(s, markers[i], n) == 0) {
            const char *rest = s + n;
            while (*rest && isspace((unsigned char)*rest))
                rest++;
            if (!*rest)
                return 1;
        }
    }
    return 0;
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian), after H. Hinnant's algorithm:
 * avoids timegm(), which is not C11 and depends on the process's time zone data. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static int parse_fixed_int(const char **p, int digits, int *out)
{
    int v = 0;
    for (int i = 0; i < digits; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += digits;
    *out = v;
    return 0;
}

int ws_parse_time(const char *s, double *unix_s)
{
    const char *p = s;
    while (*p && isspace((unsigned char)*p))
        p++;
    int Y, M, D, h = 0, m = 0, sec = 0;
    if (parse_fixed_int(&p, 4, &Y))
        return -1;
    char sep = *p;
    if (sep != '-' && sep != '/')
        return -1;
    p++;
    if (parse_fixed_int(&p, 2, &M) || *p != sep)
        return -1;
    p++;
    if (parse_fixed_int(&p, 2, &D))
        return -1;
    double frac = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (parse_fixed_int(&p, 2, &h) || *p++ != ':' || parse_fixed_int(&p, 2, &m))
            return -1;
        if (*p == ':') {
            p++;
            if (parse_fixed_int(&p, 2, &sec))
                return -1;
            if (*p == '.' || *p == ',') {
                double scale = 0.1;
                p++;
                if (!isdigit((unsigned char)*p))
                    return -1;
                while (isdigit((unsigned char)*p)) {
                    frac += (*p - '0') * scale;
                    scale /= 10;
                    p++;
                }
            }
        }
    }
    long offset_s = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om = 0;
        p++;
        if (parse_fixed_int(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (isdigit((unsigned char)*p) && parse_fixed_int(&p, 2, &om))
            return -1;
        offset_s = sign * (oh * 3600L + om * 60L);
    }
    while (*p && isspace((unsigned char)*p))
        p++;
    if (*p || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
        return -1;
    long days = days_from_civil(Y, (unsigned)M, (unsigned)D);
    *unix_s = (double)(days * 86400L + h * 3600L + m * 60L + sec - offset_s) + frac;
    return 0;
}

void ws_format_time(double unix_s, char *buf, size_t size)
{
    double whole = floor(unix_s);
    long ms = lround((unix_s - whole) * 1000.0);
    if (ms == 1000) {
        whole += 1;
        ms = 0;
    }
    time_t t = (time_t)whole;
    struct tm tm;
    gmtime_r(&t, &tm);
    if (ms)
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    else
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

double ws_round_us(double seconds)
{
    return round(seconds * 1e6) / 1e6;
}

double ws_monotonic_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void ws_now_iso(char *buf, size_t size)
{
    /* SOURCE_DATE_EPOCH pins stamps for reproducible outputs (tests, byte-identical reports). */
    const char *fixed = getenv("SOURCE_DATE_EPOCH");
    double now = fixed ? strtod(fixed, NULL) : (double)time(NULL);
    ws_format_time(now, buf, size);
}

void ws_slugify_arch(const char *name, char *out, size_t size)
{
    static const char *const drop[] = {"nvidia", "intel", "amd", "tesla", "geforce", "(r)", "(tm)",
                                       "cpu", "processor", NULL};
    char lower[512];
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < sizeof lower; p++)
        lower[n++] = (char)tolower((unsigned char)*p);
    lower[n] = '\0';
    /* Clock frequencies ("@ 2.10GHz") say nothing about the architecture. */
    char *at = strchr(lower, '@');
    if (at)
        *at = '\0';
    for (int i = 0; drop[i]; i++) {
        char *hit;
        size_t len = strlen(drop[i]);
        while ((hit = strstr(lower, drop[i])) != NULL) {
            int word_start = hit == lower || !isalnum((unsigned char)hit[-1]) || drop[i][0] == '(';
            int word_end = !isalnum((unsigned char)hit[len]) || drop[i][0] == '(';
            if (!(word_start && word_end))
                break;
            memset(hit, ' ', len);
        }
    }
    size_t o = 0;
    int dash = 0;
    for (const char *p = lower; *p && o + 1 < size; p++) {
        if (isalnum((unsigned char)*p)) {
            if (dash && o > 0 && o + 2 < size)
                out[o++] = '-';
            dash = 0;
            out[o++] = *p;
        } else {
            dash = 1;
        }
    }
    out[o] = '\0';
    if (o == 0)
        ws_strlcpy(out, "unknown", size);
}

static void to_hex(const unsigned char *md, unsigned len, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < len && i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

int ws_sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    unsigned char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(ctx, buf, n);
    int bad = ferror(f);
    fclose(f);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    if (bad)
        return -1;
    to_hex(md, len, hex);
    return 0;
}

void ws_sha256_buffer(const void *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    to_hex(md, mdlen, hex);
}

int ws_grow(void *array_ptr, int n, int *cap, size_t elem_size, int first_cap)
{
    if (n < *cap)
        return 0;
    int grown = *cap ? 2 * *cap : first_cap;
    void *old, *bigger;
    memcpy(&old, array_ptr, sizeof old); /* array_ptr is a T**: copy, not cast, to stay in strict C */
    bigger = realloc(old, (size_t)grown * elem_size);
    if (!bigger)
        return -1;
    memcpy(array_ptr, &bigger, sizeof bigger);
    *cap = grown;
    return 0;
}

static _Thread_local char read_error[160];

const char *ws_read_file_error(void) { return read_error; }

int ws_input_check(const char *path, unsigned long long max_bytes, char *why, size_t why_size)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(why, why_size, "%s", strerror(errno));
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(why, why_size, "not a regular file (a folder, device or FIFO)");
        return -1;
    }
    if (max_bytes && (unsigned long long)sb.st_size > max_bytes) {
        snprintf(why, why_size, "larger than %llu MiB (%llu bytes)", max_bytes >> 20,
                 (unsigned long long)sb.st_size);
        return -1;
    }
    return 0;
}

char *ws_read_file(const char *path, size_t *len)
{
    if (ws_input_check(path, WS_MAX_READ_BYTES, read_error, sizeof read_error) != 0)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(read_error, sizeof read_error, "%s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

FILE *ws_outfile_open(ws_outfile *o, const char *path, ws_error *err)
{
    memset(o, 0, sizeof *o);
    ws_strlcpy(o->path, path, sizeof o->path);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp", path);
    o->f = fopen(o->tmp, "w");
    if (!o->f)
        ws_error_set(err, path, 0, "", "cannot write: %s", strerror(errno));
    return o->f;
}

int ws_outfile_commit(ws_outfile *o, ws_error *err)
{
    if (!o->f)
        return -1;
    int bad = ferror(o->f) != 0 || fflush(o->f) != 0;
    int e = errno;
    if (fclose(o->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->f = NULL;
    if (!bad && rename(o->tmp, o->path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        remove(o->tmp);
        ws_error_set(err, o->path, 0, "", "cannot write: %s", strerror(e ? e : EIO));
        return -1;
    }
    return 0;
}

void ws_outfile_abort(ws_outfile *o)
{
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    remove(o->tmp);
}
