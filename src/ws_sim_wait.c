/* ws_sim_wait: the streaming waiting-time statistics of ws_sim (mean exactly, quantiles exactly up to
 * WS_WAIT_EXACT values and from a fine log histogram beyond). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_sim.h"

#define WS_WAIT_BINS ((1 + WS_WAIT_OCTAVES) * WS_WAIT_SUB)

int ws_wait_init(ws_wait_stats *w)
{
    memset(w, 0, sizeof *w);
    w->exact = malloc(WS_WAIT_EXACT * sizeof *w->exact);
    w->hist = calloc(WS_WAIT_BINS, sizeof *w->hist);
    return w->exact && w->hist ? 0 : -1;
}

void ws_wait_free(ws_wait_stats *w)
{
    free(w->exact);
    free(w->hist);
    w->exact = NULL;
    w->hist = NULL;
}

static int wait_bin(double x)
{
    if (!(x > 0))
        return 0;
    if (x < 1.0) {
        int b = (int)(x * WS_WAIT_SUB);
        return b < WS_WAIT_SUB ? b : WS_WAIT_SUB - 1;
    }
    int ex;
    double m = frexp(x, &ex); /* x = m 2^ex, m in [0.5, 1) */
    int octave = ex - 1;      /* x in [2^octave, 2^(octave+1)) */
    if (octave >= WS_WAIT_OCTAVES)
        return WS_WAIT_BINS - 1;
    int s = (int)((2.0 * m - 1.0) * WS_WAIT_SUB);
    if (s >= WS_WAIT_SUB)
        s = WS_WAIT_SUB - 1;
    return WS_WAIT_SUB + octave * WS_WAIT_SUB + s;
}

static double bin_mid(int b)
{
    if (b < WS_WAIT_SUB)
        return (b + 0.5) / WS_WAIT_SUB;
    int octave = b / WS_WAIT_SUB - 1, s = b % WS_WAIT_SUB;
    return ldexp(1.0 + (s + 0.5) / WS_WAIT_SUB, octave);
}

void ws_wait_add(ws_wait_stats *w, double x)
{
    if (!w->hist)
        return;
    if (w->n < WS_WAIT_EXACT)
        w->exact[w->n] = x;
    w->n++;
    w->sum_s += x;
    if (x > w->max_s)
        w->max_s = x;
    if (x <= 0)
        w->n_zero++;
    else
        w->hist[wait_bin(x)]++;
}

double ws_wait_mean_s(const ws_wait_stats *w) { return w->n ? w->sum_s / (double)w->n : NAN; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double ws_wait_quantile_s(const ws_wait_stats *w, double q, int *exact)
{
    if (exact)
        *exact = w->n <= WS_WAIT_EXACT;
    if (!w->n || !w->hist)
        return NAN;
    int64_t rank = (int64_t)ceil(q * (double)w->n - 1e-9);
    if (rank < 1)
        rank = 1;
    if (w->n <= WS_WAIT_EXACT) {
        double *v = malloc((size_t)w->n * sizeof *v);
        if (!v)
            return NAN;
        memcpy(v, w->exact, (size_t)w->n * sizeof *v);
        qsort(v, (size_t)w->n, sizeof *v, cmp_double);
        double r = v[rank - 1];
        free(v);
        return r;
    }
    int64_t cum = w->n_zero;
    if (cum >= rank)
        return 0.0;
    for (int b = 0; b < WS_WAIT_BINS; b++) {
        cum += (int64_t)w->hist[b];
        if (cum >= rank) {
            double m = bin_mid(b);
            return m > w->max_s ? w->max_s : m;
        }
    }
    return w->max_s;
}
