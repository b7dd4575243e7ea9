/* mannwhitney.h: the Mann-Whitney U test, two-sided, for `alignbench compare`.
 *
 * compare decides whether a cell changed between two runs from the repetitions of each side
 * (each a fresh process), without assuming any distribution of the timings. The same test as
 * Google Benchmark's compare.py, so both tools agree on what is significant.
 *
 * U counts the pairs (x_i, y_j) with x_i > y_j, ties counting one half. The p-value is
 *  - exact (the distribution of U under the null, counted) when there are no ties and both
 *    samples have at most AB_MW_EXACT_MAX values;
 *  - otherwise the normal approximation with the tie correction of the variance and a
 *    continuity correction of 1/2 (as scipy.stats.mannwhitneyu's "asymptotic" method), never
 *    below ab_mw_min_p(n, m), the smallest p an exact permutation test can give (with ties
 *    in small samples the approximation alone goes below it).
 *
 * Few repetitions can never be significant: the smallest two-sided p is 2 / C(n+m, n), so
 * 2+2 gives 0.33, 3+3 gives 0.10, 4+4 gives 0.029 and 5+5 gives 0.0079. At alpha = 0.05 a side
 * needs about 4 repetitions before a change can be called.
 */
#ifndef AB_MANNWHITNEY_H
#define AB_MANNWHITNEY_H

#include <stddef.h>

#define AB_MW_EXACT_MAX 30

typedef struct ab_mw_result {
    double u;  /* U of the first sample: #(x > y) + #(x == y) / 2 */
    double p;  /* two-sided p-value, in (0, 1] */
    int exact; /* 1: exact distribution; 0: normal approximation */
    int ties;  /* 1 when any value occurs more than once across both samples */
} ab_mw_result;

/* x[0..n) against y[0..m). Returns 0, or -1 when n or m is 0, a value is NaN, or memory runs
 * out. */
int ab_mannwhitney(const double *x, size_t n, const double *y, size_t m, ab_mw_result *out);

/* The normal approximation alone (what ab_mannwhitney uses with ties or large samples):
 * u for the first sample, tie_term = sum over groups of equal values of t^3 - t. */
double ab_mw_asymptotic_p(double u, size_t n, size_t m, double tie_term);

/* The smallest two-sided p-value any data of these sizes can give (exact, no ties):
 * min(1, 2 / C(n+m, n)). */
double ab_mw_min_p(size_t n, size_t m);

#endif
