/* ws_util: small shared helpers: error reporting with file/line/field, number and time parsing,
 * string slugs, SHA-256 of files. Everything that more than one module needs and that is too small
 * to be a module of its own. */
#ifndef WS_UTIL_H
#define WS_UTIL_H

#include <stddef.h>
#include <stdio.h>

/* Exit statuses: 0 ok, 1 internal/system failure, 2 bad input or usage. */
enum { WS_OK = 0, WS_EFAIL = 1, WS_EINPUT = 2 };

/* A located error: "FILE:LINE: field: message". line 0 and an empty field are left out. */
typedef struct {
    char file[512];
    long line;
    char field[128];
    char message[512];
} ws_error;

void ws_error_set(ws_error *err, const char *file, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void ws_error_print(const ws_error *err, FILE *out);

/* Parse a whole string as a finite double; leading/trailing blanks allowed. Returns 0 on success. */
int ws_parse_double(const char *s, double *out);
/* Parse a number that may carry a unit suffix ("119.51 W", "0 %", "80 MiB"). If unit is non-NULL it
 * receives the suffix (trimmed, possibly empty). Returns 0 on success, -1 when not a number. */
int ws_parse_number_unit(const char *s, double *out, char *unit, size_t unit_size);
/* True for the markers tools write for a missing value: "", "[N/A]", "N/A", "[Not Supported]", "nan". */
int ws_is_missing(const char *s);

/* Parse a timestamp into seconds since the Unix epoch, UTC. Accepts ISO-8601 ("2023-03-07T12:26:10",
 * optional fraction, optional "Z" or "+HH:MM"), a space instead of the T, and nvidia-smi's
 * "2026/11/22 10:09:27.618". Timestamps without a zone are taken as UTC. Returns 0 on success. */
int ws_parse_time(const char *s, double *unix_s);
/* Format seconds since the epoch as "YYYY-MM-DDTHH:MM:SS[.mmm]Z". */
void ws_format_time(double unix_s, char *buf, size_t size);
/* Seconds rounded to the microsecond: differences of epoch times (~1.8e9 s) carry ~1e-7 s of binary
 * noise that would otherwise print as 0.805000066757202 s. Logs are stamped to the millisecond. */
double ws_round_us(double seconds);
/* Seconds on the monotonic clock: differences time long runs (progress lines), never wall time. */
double ws_monotonic_s(void);
/* Current time as an ISO-8601 UTC string (for ingest/fit stamps). */
void ws_now_iso(char *buf, size_t size);

/* Stable architecture slug: lowercase, vendor words dropped, runs of non-alphanumerics -> '-'.
 * "NVIDIA H100 80GB HBM3" -> "h100-80gb-hbm3"; "Intel(R) Xeon(R) Silver 4216 CPU @ 2.10GHz" ->
 * "xeon-silver-4216". */
void ws_slugify_arch(const char *name, char *out, size_t size);

/* Trim blanks in place; returns s. */
char *ws_trim(char *s);
/* snprintf that reports truncation as an error (returns -1). */
int ws_strlcpy(char *dst, const char *src, size_t size);

/* Lower-case hex SHA-256 of a file (65 bytes with NUL). Returns 0 on success. */
int ws_sha256_file(const char *path, char hex[65]);
/* Hex SHA-256 of a buffer. */
void ws_sha256_buffer(const void *data, size_t len, char hex[65]);

/* Room for element n of a growing array: when n == *cap, doubles *cap (the first time to first_cap)
 * and reallocates *array_ptr (a pointer to the array pointer). Returns 0, or -1 when out of memory
 * (the array is left as it was). */
int ws_grow(void *array_ptr, int n, int *cap, size_t elem_size, int first_cap);

/* Every input file wattscale reads must be a regular file (not a device, FIFO or folder: /dev/zero or a
 * FIFO would grow memory or block forever), and a file read whole at most this large. */
#define WS_MAX_READ_BYTES (256u << 20)
/* 0 when path is a regular file of at most max_bytes (0: any size); else -1 and why names the problem. */
int ws_input_check(const char *path, unsigned long long max_bytes, char *why, size_t why_size);
/* Read a whole file into a NUL-terminated malloc'd buffer; NULL when it cannot be read, is not a regular
 * file or is larger than WS_MAX_READ_BYTES: ws_read_file_error() says which (per thread). */
char *ws_read_file(const char *path, size_t *len);
const char *ws_read_file_error(void);

/* Joules <-> kilowatt-hours. */
#define WS_J_PER_KWH 3.6e6

/* An output file written whole or not at all: the data goes to PATH.tmp, which replaces PATH only when
 * everything was written and flushed without an error (a full disk, an I/O error); otherwise it is
 * removed, so no empty or cut file is left. */
typedef struct {
    FILE *f;
    char path[1024], tmp[1040];
} ws_outfile;
/* Returns the open FILE, or NULL with err naming the file and why. */
FILE *ws_outfile_open(ws_outfile *o, const char *path, ws_error *err);
/* Flush, close and rename into place; 0, or -1 with err naming the file and why (then nothing is left). */
int ws_outfile_commit(ws_outfile *o, ws_error *err);
/* Give up: close and remove the temporary. */
void ws_outfile_abort(ws_outfile *o);

#endif
