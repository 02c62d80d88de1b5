/* gen_trace: deterministic synthetic batch trace for the SimGrid cross-check (bench/simgrid/).
 *   gen_trace JOBS [SEED] [CORES_MAX] [MEAN_INTERARRIVAL_S] > synthetic_JOBS.csv
 * CSV "job_id,submit_s,runtime_s,cores", sorted by submit_s:
 *   submit  Poisson arrivals (exponential gaps, mean MEAN_INTERARRIVAL_S, default 0.6 s),
 *   runtime lognormal, median 600 s, sigma 1 (mean ~989 s), clamped to [1 s, 7 days],
 *   cores   uniform 1..CORES_MAX (default 32).
 * With 1000 nodes of 32 cores the defaults offer about 85 % of the cores (16.5 cores x 989 s per
 * 0.6 s): strict FIFO then queues at times (up to ~10^3 jobs waiting) but keeps up. Its own PRNG
 * (splitmix64) makes a trace identical for the same arguments on any machine with an IEEE libm; times are printed with 6 decimals, so both simulators read the same numbers. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t s;
static uint64_t next64(void)
{
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double unif(void) { return ((next64() >> 11) + 0.5) * (1.0 / 9007199254740992.0); } /* (0,1) */

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 5) {
        fprintf(stderr, "usage: gen_trace JOBS [SEED] [CORES_MAX] [MEAN_INTERARRIVAL_S]\n");
        return 2;
    }
    long long n = atoll(argv[1]);
    s = argc > 2 ? strtoull(argv[2], NULL, 10) : 42;
    int cmax = argc > 3 ? atoi(argv[3]) : 32;
    double gap = argc > 4 ? strtod(argv[4], NULL) : 0.6;
    if (n < 1 || cmax < 1 || !(gap > 0)) {
        fprintf(stderr, "gen_trace: need JOBS >= 1, CORES_MAX >= 1, MEAN_INTERARRIVAL_S > 0\n");
        return 2;
    }
    static char buf[1 << 20];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    printf("job_id,submit_s,runtime_s,cores\n");
    const double two_pi = 6.283185307179586;
    double t = 0;
    for (long long i = 1; i <= n; i++) {
        t += -gap * log(unif());
        double z = sqrt(-2.0 * log(unif())) * cos(two_pi * unif());
        double r = 600.0 * exp(z);
        if (r < 1)
            r = 1;
        if (r > 604800)
            r = 604800;
        int c = 1 + (int)(next64() % (uint64_t)cmax);
        printf("%lld,%.6f,%.6f,%d\n", i, t, r, c);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
