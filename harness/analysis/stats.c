/* stats.c: median, MAD, quantiles and the order-statistic interval of stats.h.
 *
 * Sizes are small (a cell has a handful of repetitions), so every function sorts a private copy;
 * clarity beats speed here. The interval needs no random numbers: it depends on the data alone,
 * so results files are diffable and tests are exact.
 */
#include "harness/analysis/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, size_t n)
{
    double *s = malloc(n * sizeof *s);
    if (!s)
        return NULL;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    return s;
}

static double median_of_sorted(const double *s, size_t n)
{
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

static double quantile_of_sorted(const double *s, size_t n, double q)
{
    if (q <= 0)
        return s[0];
    if (q >= 1)
        return s[n - 1];
    double h = (double)(n - 1) * q;
    size_t i = (size_t)floor(h);
    if (i + 1 >= n)
        return s[n - 1];
    return s[i] + (h - (double)i) * (s[i + 1] - s[i]);
}

double ab_median(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double *s = sorted_copy(v, n);
    if (!s)
        return NAN;
    double m = median_of_sorted(s, n);
    free(s);
    return m;
}

double ab_quantile(const double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double *s = sorted_copy(v, n);
    if (!s)
        return NAN;
    double r = quantile_of_sorted(s, n, q);
    free(s);
    return r;
}

double ab_mad(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double m = ab_median(v, n);
    double *dev = malloc(n * sizeof *dev);
    if (!dev)
        return NAN;
    for (size_t i = 0; i < n; i++)
        dev[i] = fabs(v[i] - m);
    double r = ab_median(dev, n);
    free(dev);
    return r;
}

/* P(Binomial(n, 1/2) <= j). Exact up to n = 62 (integer binomial coefficients, then one
 * rounding to double); beyond, each term from lgamma (relative error about 1e-13, far below
 * anything a coverage is read to). */
static double binomial_half_cdf(size_t n, size_t j)
{
    if (j >= n)
        return 1.0;
    if (n <= 62) {
        unsigned __int128 c = 1, sum = 0; /* c = C(n, i) */
        for (size_t i = 0; i <= j; i++) {
            sum += c;
            c = c * (n - i) / (i + 1);
        }
        return ldexp((double)sum, -(int)n);
    }
    double sum = 0, lfact_n = lgamma((double)n + 1), nlog2 = (double)n * log(2.0);
    for (size_t i = 0; i <= j; i++)
        sum += exp(lfact_n - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) - nlog2);
    return sum < 1 ? sum : 1;
}

double ab_median_ci_coverage(size_t n, size_t k)
{
    if (k < 1 || k > (n + 1) / 2)
        return NAN;
    double c = 1.0 - 2.0 * binomial_half_cdf(n, k - 1);
    return c > 0 ? c : 0; /* k = (n+1)/2 for an odd n is the median alone: exactly 0 */
}

size_t ab_median_ci_k(size_t n, double target)
{
    if (n == 0)
        return 0;
    size_t k = 1;
    while (k + 1 <= (n + 1) / 2 && ab_median_ci_coverage(n, k + 1) >= target)
        k++;
    return k;
}

int ab_median_ci(const double *v, size_t n, double target, double *lo, double *hi, double *coverage,
                 size_t *k_out)
{
    if (n == 0 || !(target > 0 && target < 1))
        return -1;
    double *s = sorted_copy(v, n);
    if (!s)
        return -1;
    size_t k = ab_median_ci_k(n, target);
    *lo = s[k - 1];
    *hi = s[n - k];
    *coverage = ab_median_ci_coverage(n, k);
    if (k_out)
        *k_out = k;
    free(s);
    return 0;
}

int ab_stats_compute(const double *v, size_t n, ab_stats *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return -1;
    double *s = sorted_copy(v, n);
    if (!s)
        return -1;
    out->n = n;
    out->min = s[0];
    out->max = s[n - 1];
    out->median = median_of_sorted(s, n);
    free(s);
    out->mad = ab_mad(v, n);
    if (isnan(out->mad))
        return -1;
    return ab_median_ci(v, n, AB_CI_TARGET_COVERAGE, &out->ci_lo, &out->ci_hi, &out->ci_coverage,
                        &out->ci_k);
}
