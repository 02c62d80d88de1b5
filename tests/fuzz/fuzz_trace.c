/* fuzz_trace: libFuzzer harness for workload traces: the first input byte picks SWF or the CSV layout
 * (the reader chooses by extension), the rest is the file, read to its end or its first error. */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "ws_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int swf = data[0] & 1;
    char path[64];
    strcpy(path, swf ? "/tmp/ws-fuzz-trace-XXXXXX.swf" : "/tmp/ws-fuzz-trace-XXXXXX.csv");
    int fd = mkstemps(path, 4);
    if (fd < 0)
        return 0;
    int ok = write(fd, data + 1, size - 1) == (ssize_t)(size - 1);
    close(fd);
    ws_trace t;
    ws_error err;
    if (ok && ws_trace_open(&t, path, &err) == 0) {
        ws_trace_job job;
        while (ws_trace_next(&t, &job, &err) == 1)
            ;
        ws_trace_close(&t);
    }
    unlink(path);
    return 0;
}
