/* fuzz_scenario: libFuzzer harness for scenario files (JSON, every key's validation, series and model
 * references). Each input is written to a file and loaded; a clean error is the expected answer. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "ws_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/ws-fuzz-scenario-XXXXXX";
    if (fuzz_file_write(path, data, size) != 0)
        return 0;
    ws_scenario sc;
    ws_error err;
    if (ws_scenario_load(path, &sc, &err) == 0)
        ws_scenario_free(&sc);
    unlink(path);
    return 0;
}
