/* ws_plausible: see ws_plausible.h. */
#include "ws_plausible.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *over(char *buf, size_t size, const char *field, double v, double bound, const char *what)
{
    if (v < 0)
        snprintf(buf, size, "%s: %g is negative", field, v);
    else
        snprintf(buf, size, "%s: %.6g W is above %.0f W, the most %s draws", field, v, bound, what);
    return buf;
}

const char *ws_plausible_sample(const ws_sample *s, const char *device, char *buf, size_t size)
{
    double bound = WS_MAX_NODE_W;
    const char *what = "one machine";
    if (device && *device && strcmp(device, "host") != 0) {
        int cpu = strncmp(device, "socket", 6) == 0 || strncmp(device, "package", 7) == 0 || strncmp(device, "cpu", 3) == 0;
        bound = cpu ? WS_MAX_CPU_W : WS_MAX_GPU_W;
        what = cpu ? "one CPU package" : "one GPU";
    }
    const struct {
        const char *field;
        double v, bound;
        const char *what;
    } checks[] = {{"power_w", s->power_w, bound, what},
                  {"gpu_power_w", s->gpu_power_w, bound, what},
                  {"cpu_power_w", s->cpu_power_w, bound == WS_MAX_GPU_W ? WS_MAX_NODE_W : bound,
                   bound == WS_MAX_GPU_W ? "one machine" : what},
                  {"ram_power_w", s->ram_power_w, WS_MAX_NODE_W, "one machine"}};
    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++)
        if (!isnan(checks[i].v) && (checks[i].v < 0 || checks[i].v > checks[i].bound))
            return over(buf, size, checks[i].field, checks[i].v, checks[i].bound, checks[i].what);
    return NULL;
}

const char *ws_plausible_profile(const ws_profile *p, int whole_job, char *buf, size_t size)
{
    const double e[] = {p->energy_j, p->energy_cpu_j, p->energy_gpu_j, p->energy_ram_j};
    static const char *const names[] = {"energy_j", "energy_cpu_j", "energy_gpu_j", "energy_ram_j"};
    for (int i = 0; i < 4; i++)
        if (!isnan(e[i]) && e[i] < 0) {
            snprintf(buf, size, "%s: %g J is negative", names[i], e[i]);
            return buf;
        }
    if (whole_job || isnan(p->energy_j) || !(p->duration_s > 0))
        return NULL;
    double w = p->energy_j / p->duration_s;
    if (w > WS_MAX_NODE_W) {
        snprintf(buf, size, "energy_j: %.6g J in %.6g s is a mean of %.6g W, above %.0f W, the most one machine draws",
                 p->energy_j, p->duration_s, w, WS_MAX_NODE_W);
        return buf;
    }
    return NULL;
}
