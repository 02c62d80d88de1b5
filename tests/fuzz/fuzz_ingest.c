/* fuzz_ingest: libFuzzer harness for every ingest parser. Each input is written to a file and read by
 * the sniffer and by every format's parser (strict and with --skip-bad-rows) into a counting sink: any
 * crash, leak or undefined behaviour is a bug; a clean WS_EINPUT is the expected answer to garbage.
 *   cmake -B build-fuzz -DCMAKE_C_COMPILER=clang -DWATTSCALE_FUZZ=ON && cmake --build build-fuzz
 *   build-fuzz/fuzz_ingest -max_total_time=60 CORPUS_DIR SEED_DIRS... */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "ws_ingest.h"

static int on_begin(ws_ingest_sink *s, ws_profile *p)
{
    (void)s;
    p->id = 1;
    return 0;
}
static int on_sample(ws_ingest_sink *s, const ws_profile *p, const ws_sample *x)
{
    (void)s, (void)p, (void)x;
    return 0;
}
static int on_end(ws_ingest_sink *s, ws_profile *p)
{
    (void)s, (void)p;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/ws-fuzz-ingest-XXXXXX";
    if (fuzz_file_write(path, data, size) != 0)
        return 0;
    ws_error err;
    (void)ws_ingest_sniff(path, &err);
    ws_ingest_sink sink = {.begin = on_begin, .sample = on_sample, .end = on_end};
    for (const ws_ingest_format *f = ws_ingest_formats; f->name; f++)
        for (int skip = 0; skip < 2; skip++) {
            ws_skips sk = {0};
            ws_ingest_opts o = {.path = path, .work = NAN, .gap_s = 5.0, .keep_samples = 1, .tool_pue = 1.58,
                                .skip_bad_rows = skip ? &sk : NULL};
            char tool[64] = "";
            (void)f->parse(&o, &sink, tool, &err);
        }
    unlink(path);
    return 0;
}
