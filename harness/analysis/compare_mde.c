/* compare_mde.c: the minimum detectable effect of a comparison (compare_mde.h). */
#include "harness/analysis/compare_mde.h"
#include "harness/analysis/mannwhitney.h"
#include "harness/analysis/stats.h"

#include <math.h>

double ab_normal_quantile(double p)
{
    /* bisection on the CDF, 0.5 * erfc(-z / sqrt 2): 80 halvings of [-40, 40] */
    double lo = -40, hi = 40;
    for (int i = 0; i < 80; i++) {
        double mid = (lo + hi) / 2;
        if (0.5 * erfc(-mid / sqrt(2.0)) < p)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

static double spread(const double *v, size_t n)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    return n ? hi - lo : 0;
}

double ab_cmp_mde_pct(const double *base, size_t n, const double *new_, size_t m, double alpha,
                      int count)
{
    double med = ab_median(base, n);
    if (!n || !m || isnan(med))
        return NAN;
    if (med == 0)
        return INFINITY;
    if (count) {
        double s = fmax(spread(base, n), spread(new_, m)) / fabs(med) * 100;
        return fmax(AB_CMP_COUNT_REPEAT_PCT, s);
    }
    if (ab_mw_min_p(n, m) >= alpha)
        return INFINITY;
    double mb = ab_mad(base, n), mn = ab_mad(new_, m);
    double sigma = 1.4826 * sqrt((mb * mb + mn * mn) / 2);
    double z = ab_normal_quantile(1 - alpha / 2) + ab_normal_quantile(AB_CMP_MDE_POWER);
    double se = sqrt(M_PI / 3 * (1.0 / (double)n + 1.0 / (double)m));
    return 100 * z * sigma * se / fabs(med);
}
