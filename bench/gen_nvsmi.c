/* gen_nvsmi: writes a SYNTHETIC nvidia-smi power log for the ingest benchmark, in exactly the layout
 * of `nvidia-smi --query-gpu=timestamp,name,power.draw,... --format=csv -lms 200` (see
 * data/measured/h100/nvidia-smi_query_run.csv): header with units in brackets, units inside the
 * values ("119.51 W", "0 %", "405 MHz"), timestamps "YYYY/MM/DD HH:MM:SS.mmm". Nothing in it was
 * measured: the numbers come from a seeded random walk, so the same arguments give the same bytes.
 *
 * With --gpus G > 1 an `index` column follows the timestamp and the G GPUs are interleaved, one row
 * each per polling tick (each GPU's timestamp a few ms after the previous GPU's).
 *
 * While writing it integrates every GPU's power with the trapezoid rule, exactly, in integers
 * (centiwatts x milliseconds), and prints the result on stdout:
 *     expected_energy_j total=<J> gpu0=<J> gpu1=<J> ...
 * so the benchmark can check that every reader got the right number.
 *
 * usage: gen_nvsmi --rows N [--gpus G] [--seed S] [--out FILE]   (FILE "-" or absent: stdout,
 *        then the expected energy goes to stderr). A sidecar FILE.synthetic.txt says what the file is. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rng_next(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int rng_int(int lo, int hi) /* uniform in [lo, hi] */
{
    return lo + (int)(rng_next() % (uint64_t)(hi - lo + 1));
}

/* Civil date from days since 1970-01-01 (H. Hinnant). */
static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static char *put_uint(char *p, unsigned long v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_2(char *p, int v)
{
    *p++ = (char)('0' + v / 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

typedef struct {
    int power_cw;   /* centiwatts */
    int target_cw;  /* the phase the walk drifts towards */
    int util, mem_util, temp, clock_mhz;
    long mem_mib;
    int64_t last_ms;
    int last_cw;
    int begun;
    int64_t energy2; /* twice the energy in cW*ms: sum of (p1+p2)*dt */
} gpu;

static void usage(void)
{
    fprintf(stderr, "usage: gen_nvsmi --rows N [--gpus G] [--seed S] [--out FILE]\n");
}

int main(int argc, char **argv)
{
    long long rows = -1;
    int ngpus = 1;
    unsigned long long seed = 42;
    const char *out = "-";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
            rows = strtoll(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--gpus") == 0 && i + 1 < argc)
            ngpus = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else {
            usage();
            return 2;
        }
    }
    if (rows < 0 || ngpus < 1 || ngpus > 64) {
        usage();
        return 2;
    }
    FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "wb");
    if (!f) {
        perror(out);
        return 1;
    }
    FILE *info = f == stdout ? stderr : stdout;
    rng_state = seed;
    gpu *g = calloc((size_t)ngpus, sizeof *g);
    if (!g)
        return 1;
    for (int k = 0; k < ngpus; k++) {
        g[k].power_cw = rng_int(6000, 12000);
        g[k].target_cw = g[k].power_cw;
        g[k].temp = rng_int(33, 42);
        g[k].clock_mhz = 345;
    }

    size_t cap = 1 << 20;
    char *buf = malloc(cap + 4096), *p = buf;
    if (!buf)
        return 1;
    p = put_str(p, ngpus > 1 ? "timestamp, index, name, " : "timestamp, name, ");
    p = put_str(p, "power.draw [W], utilization.gpu [%], utilization.memory [%], memory.used [MiB], "
                   "temperature.gpu, clocks.current.sm [MHz]\n");

    /* 2026/11/22 10:09:27.618 (the start of the real H100 log), in ms since the epoch. A 10M-row
     * log spans ~23 days: it crosses midnight many times and a month end. */
    const int64_t day_ms = 86400000;
    int64_t tick_ms = (int64_t)20779 * day_ms + (10 * 3600 + 9 * 60 + 27) * 1000LL + 618;
    long cur_day = -1;
    char date[40]; /* "YYYY/MM/DD " */
    long long written = 0;
    unsigned long long bytes = 0;
    while (written < rows) {
        for (int k = 0; k < ngpus && written < rows; k++, written++) {
            gpu *G = &g[k];
            /* A phase change now and then (idle <-> busy), otherwise a bounded random walk. */
            if (rng_next() % 3000 == 0)
                G->target_cw = rng_next() % 2 ? rng_int(55000, 69900) : rng_int(6000, 12000);
            G->power_cw += (G->target_cw - G->power_cw) / 16 + rng_int(-900, 900);
            if (G->power_cw < 2000)
                G->power_cw = 2000;
            if (G->power_cw > 70000)
                G->power_cw = 70000;
            int busy = G->target_cw > 30000;
            G->util = busy ? rng_int(85, 100) : rng_int(0, 3);
            G->mem_util = busy ? rng_int(20, 60) : 0;
            G->mem_mib = busy ? 41000 + rng_int(0, 2000) : 0;
            G->clock_mhz = busy ? 1980 : 345 + 15 * rng_int(0, 4);
            if (rng_next() % 50 == 0)
                G->temp += busy ? (G->temp < 75 ? 1 : -1) : (G->temp > 35 ? -1 : 1);

            int64_t t_ms = tick_ms + 2 * k;
            if (G->begun)
                G->energy2 += (int64_t)(G->power_cw + G->last_cw) * (t_ms - G->last_ms);
            G->begun = 1;
            G->last_cw = G->power_cw;
            G->last_ms = t_ms;
            long day = (long)(t_ms / day_ms);
            if (day != cur_day) {
                int y, m, d;
                civil_from_days(day, &y, &m, &d);
                snprintf(date, sizeof date, "%04d/%02d/%02d ", y, m, d);
                cur_day = day;
            }
            int64_t in_day = t_ms % day_ms;
            int hh = (int)(in_day / 3600000), mm = (int)(in_day / 60000 % 60), ss = (int)(in_day / 1000 % 60),
                ms = (int)(in_day % 1000);
            p = put_str(p, date);
            p = put_2(p, hh);
            *p++ = ':';
            p = put_2(p, mm);
            *p++ = ':';
            p = put_2(p, ss);
            *p++ = '.';
            *p++ = (char)('0' + ms / 100);
            p = put_2(p, ms % 100);
            *p++ = ',';
            *p++ = ' ';
            if (ngpus > 1) {
                p = put_uint(p, (unsigned long)k);
                *p++ = ',';
                *p++ = ' ';
            }
            p = put_str(p, "NVIDIA H100 80GB HBM3, ");
            p = put_uint(p, (unsigned long)(G->power_cw / 100));
            *p++ = '.';
            p = put_2(p, G->power_cw % 100);
            p = put_str(p, " W, ");
            p = put_uint(p, (unsigned long)G->util);
            p = put_str(p, " %, ");
            p = put_uint(p, (unsigned long)G->mem_util);
            p = put_str(p, " %, ");
            p = put_uint(p, (unsigned long)G->mem_mib);
            p = put_str(p, " MiB, ");
            p = put_uint(p, (unsigned long)G->temp);
            p = put_str(p, ", ");
            p = put_uint(p, (unsigned long)G->clock_mhz);
            p = put_str(p, " MHz\n");
            if ((size_t)(p - buf) >= cap) {
                fwrite(buf, 1, (size_t)(p - buf), f);
                bytes += (unsigned long long)(p - buf);
                p = buf;
            }
        }
        /* nvidia-smi -lms 200: ~200 ms between polls, with a little jitter. */
        tick_ms += rng_int(195, 215);
    }
    fwrite(buf, 1, (size_t)(p - buf), f);
    bytes += (unsigned long long)(p - buf);
    if (f != stdout ? fclose(f) != 0 : fflush(f) != 0) {
        perror(out);
        return 1;
    }
    /* energy2 is in cW*ms*2: J = energy2 / 100 / 1000 / 2, exact in decimal to 6 places. */
    int64_t total2 = 0;
    for (int k = 0; k < ngpus; k++)
        total2 += g[k].energy2;
    char line[4096];
    int n = snprintf(line, sizeof line, "expected_energy_j total=%" PRId64 ".%06" PRId64, total2 / 200000,
                     (total2 % 200000) * 5);
    for (int k = 0; k < ngpus && n < (int)sizeof line - 64; k++)
        n += snprintf(line + n, sizeof line - (size_t)n, " gpu%d=%" PRId64 ".%06" PRId64, k, g[k].energy2 / 200000,
                      (g[k].energy2 % 200000) * 5);
    fprintf(info, "%s\n", line);
    fprintf(stderr, "gen_nvsmi: wrote %lld SYNTHETIC rows (%d GPU(s), seed %llu, %.1f MB) to %s: generated, not measured\n",
            written, ngpus, seed, bytes / 1e6, out);
    if (f != stdout) {
        char side[4096];
        snprintf(side, sizeof side, "%s.synthetic.txt", out);
        FILE *s = fopen(side, "w");
        if (s) {
            fprintf(s, "SYNTHETIC nvidia-smi log written by wattscale bench/gen_nvsmi.c: NOT measured data.\n"
                       "rows=%lld gpus=%d seed=%llu bytes=%llu\n%s\n",
                    written, ngpus, seed, bytes, line);
            fclose(s);
        }
    }
    free(g);
    free(buf);
    return 0;
}
