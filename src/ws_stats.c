/* ws_stats: see ws_stats.h. */
#include "ws_stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>

ws_interval ws_stats_mean_ci(const double *x, size_t n)
{
    ws_interval r = {NAN, NAN, NAN, 0, n};
    if (n == 0)
        return r;
    r.mean = gsl_stats_mean(x, 1, n);
    r.lo = r.hi = r.mean;
    if (n < 2)
        return r;
    r.sd = gsl_stats_sd_m(x, 1, n, r.mean);
    double half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * r.sd / sqrt((double)n);
    r.lo = r.mean - half;
    r.hi = r.mean + half;
    return r;
}
