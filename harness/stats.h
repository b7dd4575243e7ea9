/* stats.h: summary statistics over the repetitions of one cell (DESIGN.md §5 "Repetitions").
 *
 * The orchestrator runs each (allocator, workload) cell R times, each in a fresh process, and
 * reports the median, min, max, median absolute deviation and a bootstrap 95 % interval of the
 * median. The bootstrap draws from a seeded generator of its own, so the same inputs always give
 * the same interval (results files are diffable and tests are exact).
 */
#ifndef AB_STATS_H
#define AB_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Resamples the bootstrap uses unless told otherwise. */
#define AB_BOOTSTRAP_RESAMPLES 2000u
/* The seed the orchestrator uses for every cell's bootstrap (any fixed value works). */
#define AB_BOOTSTRAP_SEED 0x616c69676e62656eull

typedef struct ab_stats {
    size_t n;
    double median, min, max;
    double mad;              /* median of |x - median| (unscaled) */
    double ci95_lo, ci95_hi; /* percentile bootstrap interval of the median */
} ab_stats;

/* Median of v[0..n) (mean of the two middle values when n is even); v is not modified.
 * Returns NAN when n == 0. */
double ab_median(const double *v, size_t n);

/* Median absolute deviation from the median; NAN when n == 0. */
double ab_mad(const double *v, size_t n);

/* Quantile q in [0,1] of v by linear interpolation between order statistics (Hyndman & Fan
 * type 7, the default of R and NumPy); NAN when n == 0. */
double ab_quantile(const double *v, size_t n, double q);

/* Percentile bootstrap interval of the median at the given level (e.g. 0.95) with `resamples`
 * resamples drawn from a generator seeded with `seed`. n == 1 gives [v0, v0]. Returns 0, or -1
 * when n == 0, resamples == 0 or memory runs out. */
int ab_bootstrap_median_ci(const double *v, size_t n, uint64_t seed, unsigned resamples,
                           double level, double *lo, double *hi);

/* Everything above at once, with AB_BOOTSTRAP_RESAMPLES and the given seed. Returns 0, or -1
 * when n == 0 or memory runs out. */
int ab_stats_compute(const double *v, size_t n, uint64_t seed, ab_stats *out);

#endif
