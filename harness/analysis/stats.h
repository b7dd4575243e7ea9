/* stats.h: summary statistics over the repetitions of one cell.
 *
 * The orchestrator runs each (allocator, workload) cell R times, each in a fresh process, and
 * reports the median, min, max, median absolute deviation and a confidence interval of the
 * median. The interval is the distribution-free one made of two order statistics,
 * [x(k), x(n+1-k)], whose coverage is exact for any continuous distribution:
 * 1 - 2 P(Binomial(n, 1/2) <= k-1). It is reported together with that coverage, because with
 * few repetitions no interval reaches 95 %: with 5, [min, max] covers the median with
 * probability 93.75 % and nothing narrower does better than 62.5 %.
 */
#ifndef AB_STATS_H
#define AB_STATS_H

#include <stddef.h>

/* The coverage the interval aims for: the narrowest order-statistic interval that reaches it,
 * or [min, max] (with its lower coverage) when none does. */
#define AB_CI_TARGET_COVERAGE 0.95

typedef struct ab_stats {
    size_t n;
    double median, min, max;
    double mad;          /* median of |x - median| (unscaled) */
    double ci_lo, ci_hi; /* [x(k), x(n+1-k)], order statistics counted from 1 */
    double ci_coverage;  /* its exact coverage of the true median, a fraction */
    size_t ci_k;         /* the k used */
} ab_stats;

/* Median of v[0..n) (mean of the two middle values when n is even); v is not modified.
 * Returns NAN when n == 0. */
double ab_median(const double *v, size_t n);

/* Median absolute deviation from the median; NAN when n == 0. */
double ab_mad(const double *v, size_t n);

/* Quantile q in [0,1] of v by linear interpolation between order statistics (Hyndman & Fan
 * type 7, the default of R and NumPy); NAN when n == 0. */
double ab_quantile(const double *v, size_t n, double q);

/* Coverage of [x(k), x(n+1-k)] as an interval for the median of n independent draws from a
 * continuous distribution: 1 - 2 P(Binomial(n, 1/2) <= k-1). NAN unless 1 <= k <= (n+1)/2. */
double ab_median_ci_coverage(size_t n, size_t k);

/* The largest k (the narrowest interval) whose coverage is at least `target`, or 1 when even
 * [min, max] falls short (n <= 5 for 0.95). 0 when n == 0. */
size_t ab_median_ci_k(size_t n, double target);

/* The interval of the median at `target` (see ab_median_ci_k) over v[0..n), with its coverage
 * (and k when k_out is not NULL). Returns 0, or -1 when n == 0, target is not in (0, 1) or
 * memory runs out. */
int ab_median_ci(const double *v, size_t n, double target, double *lo, double *hi, double *coverage,
                 size_t *k_out);

/* Everything above at once, the interval at AB_CI_TARGET_COVERAGE. Returns 0, or -1 when
 * n == 0 or memory runs out. */
int ab_stats_compute(const double *v, size_t n, ab_stats *out);

#endif
