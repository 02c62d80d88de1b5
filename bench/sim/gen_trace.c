/* gen_trace: writes a synthetic SWF trace for the simulator benchmark: N jobs, Poisson arrivals at a
 * rate that keeps NODES x CORES cores about LOAD busy, 1..8 cores per job, exponential runtimes
 * (mean 3600 s), integer seconds. Usage: gen_trace N NODES CORES LOAD SEED > trace.swf */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t s;
static double uniform(void)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return ((s >> 11) + 0.5) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: gen_trace N NODES CORES LOAD SEED\n");
        return 2;
    }
    long n = atol(argv[1]);
    double cores = atof(argv[2]) * atof(argv[3]), load = atof(argv[4]);
    s = 0x9e3779b97f4a7c15ULL ^ (uint64_t)atol(argv[5]);
    double rate = load * cores / (4.5 * 3600.0), t = 0;
    printf("; Version: 2.2\n; Computer: synthetic benchmark trace (bench/sim/gen_trace.c)\n; MaxJobs: %ld\n", n);
    for (long i = 1; i <= n; i++) {
        t += -log(uniform()) / rate;
        long run = (long)(-log(uniform()) * 3600.0) + 1;
        int c = 1 + (int)(uniform() * 8);
        printf("%ld %ld -1 %ld %d -1 -1 %d -1 -1 1 -1 -1 -1 -1 -1 -1 -1\n", i, (long)t, run, c, c);
    }
    return 0;
}
