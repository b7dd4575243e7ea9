/* stats.c: median, MAD, quantiles and the bootstrap interval of stats.h.
 *
 * Sizes are small (a cell has a handful of repetitions), so every function sorts a private copy;
 * clarity beats speed here. The bootstrap's generator is splitmix64, seeded per call, so the
 * interval depends only on the data, the seed and the number of resamples.
 */
#include "harness/stats.h"

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

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform index in [0, n) without modulo bias (Lemire's multiply-shift, with rejection). */
static size_t uniform_index(uint64_t *state, size_t n)
{
    uint64_t bound = (uint64_t)n;
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t r = splitmix64(state);
        unsigned __int128 m = (unsigned __int128)r * bound;
        if ((uint64_t)m >= threshold)
            return (size_t)(m >> 64);
    }
}

int ab_bootstrap_median_ci(const double *v, size_t n, uint64_t seed, unsigned resamples,
                           double level, double *lo, double *hi)
{
    if (n == 0 || resamples == 0 || !(level > 0 && level < 1))
        return -1;
    double *sample = malloc(n * sizeof *sample);
    double *medians = malloc(resamples * sizeof *medians);
    if (!sample || !medians) {
        free(sample);
        free(medians);
        return -1;
    }
    uint64_t state = seed;
    for (unsigned b = 0; b < resamples; b++) {
        for (size_t i = 0; i < n; i++)
            sample[i] = v[uniform_index(&state, n)];
        qsort(sample, n, sizeof *sample, cmp_double);
        medians[b] = median_of_sorted(sample, n);
    }
    qsort(medians, resamples, sizeof *medians, cmp_double);
    double tail = (1.0 - level) / 2.0;
    *lo = quantile_of_sorted(medians, resamples, tail);
    *hi = quantile_of_sorted(medians, resamples, 1.0 - tail);
    free(sample);
    free(medians);
    return 0;
}

int ab_stats_compute(const double *v, size_t n, uint64_t seed, ab_stats *out)
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
    return ab_bootstrap_median_ci(v, n, seed, AB_BOOTSTRAP_RESAMPLES, 0.95, &out->ci95_lo,
                                  &out->ci95_hi);
}
