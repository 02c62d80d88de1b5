/* fuzz_series: libFuzzer harness for time series files (carbon intensity, prices: "timestamp,value"
 * rows), each loaded and, when accepted, queried across its span. */
#include <math.h>
#include <stdint.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "ws_carbon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/ws-fuzz-series-XXXXXX";
    if (fuzz_file_write(path, data, size) != 0)
        return 0;
    ws_series s;
    ws_error err;
    if (ws_series_load_csv(&s, path, &err) == 0) {
        size_t cursor = 0;
        double next;
        if (s.n > 0) { /* every row, in order, then a mean over the whole span */
            for (size_t i = 0; i < s.n; i++)
                (void)ws_series_at(&s, s.t_unix_s[i], &cursor, &next);
            (void)ws_series_mean(&s, s.t_unix_s[0] - 3600, s.t_unix_s[s.n - 1] + 3600);
        }
        ws_series_free(&s);
    }
    unlink(path);
    return 0;
}
