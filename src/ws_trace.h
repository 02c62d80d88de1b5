/* ws_trace: streaming readers of job traces for the simulator: the Standard Workload Format of the
 * Parallel Workloads Archive (.swf, 18 whitespace-separated fields, -1 = missing, ';' comments) and
 * CSV "job_id,submit_s,runtime_s,cores[,gpus,class]". One job per call, memory bounded by one line,
 * so a 10^7-job trace costs nothing to hold. */
#ifndef WS_TRACE_H
#define WS_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "ws_csv.h"
#include "ws_util.h"

typedef enum { WS_TRACE_SWF, WS_TRACE_CSV } ws_trace_format;

typedef struct {
    int64_t id;
    double submit_s;  /* seconds from the trace's zero */
    double runtime_s;
    int cores;        /* SWF: allocated processors, else requested processors */
    int gpus;
    char class_name[64]; /* CSV column 6, or "" */
    long line;
} ws_trace_job;

typedef struct {
    ws_trace_format format;
    char path[1024];
    FILE *f;
    char *buf;              /* SWF: block buffer; buf[pos, len) not yet parsed */
    size_t cap, pos, len;
    int eof;
    long line;
    ws_csv csv;
    int col_gpus, col_class;
    double last_submit_s;
    double unix_start_s;    /* SWF header "; UnixStartTime:", or NAN */
    int64_t n_read;         /* jobs returned */
    int64_t n_skipped;      /* records without a runtime, submit time or processor count */
    long first_skip_line;
} ws_trace;

/* Opens by extension: ".swf" is SWF, anything else CSV with the header named above. */
int ws_trace_open(ws_trace *t, const char *path, ws_error *err);
/* 1 with *job filled, 0 at the end, -1 on malformed input (err names FILE:LINE). Records with
 * missing (-1) runtime, submit time or processor count are skipped and counted, not errors.
 * Submit times must not decrease. */
int ws_trace_next(ws_trace *t, ws_trace_job *job, ws_error *err);
void ws_trace_close(ws_trace *t);

#endif
