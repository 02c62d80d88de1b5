/* ws_stats: summaries of repeated values (replicas, repeated runs): mean with a 95% confidence
 * interval from the t distribution, in one place for every command that reports intervals. */
#ifndef WS_STATS_H
#define WS_STATS_H

#include <stddef.h>

typedef struct {
    double mean, lo, hi; /* 95% confidence interval of the mean; lo = hi = mean when n < 2 */
    double sd;           /* sample standard deviation (0 when n < 2) */
    size_t n;
} ws_interval;

/* Mean and 95% t interval of x[0..n-1] (n >= 1). Identical values give a zero-width interval. */
ws_interval ws_stats_mean_ci(const double *x, size_t n);

#endif
