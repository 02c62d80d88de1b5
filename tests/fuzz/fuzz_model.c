/* fuzz_model: libFuzzer harness for what `fit` and `predict` read: the first input byte picks a power
 * model file (JSON, then evaluated across utilisation), a job model object, or a power table (CSV of
 * load levels, as `fit --table` reads it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "ws_fit.h"
#include "ws_json.h"
#include "ws_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char path[] = "/tmp/ws-fuzz-model-XXXXXX";
    if (fuzz_file_write(path, data + 1, size - 1) != 0)
        return 0;
    ws_error err;
    switch (data[0] % 3) {
    case 0: {
        ws_power_model m;
        if (ws_model_load(path, &m, &err) == 0)
            for (int i = 0; i <= 10; i++)
                (void)ws_model_power_w(&m, i / 10.0);
        break;
    }
    case 1: {
        cJSON *o = ws_json_load(path, &err);
        ws_job_model jm;
        if (o && ws_job_model_from_json(o, &jm, path, &err) == 0)
            (void)ws_job_model_energy_j(&jm, 1.0);
        cJSON_Delete(o);
        break;
    }
    default: {
        ws_power_point *pts = NULL;
        int n = 0;
        ws_table_info info;
        if (ws_fit_read_power_table(path, &pts, &n, &info, &err) == 0)
            free(pts);
        break;
    }
    }
    unlink(path);
    return 0;
}
