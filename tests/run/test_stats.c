/* test_stats.c: the statistics of harness/stats.h against values computed by hand.
 *
 * Each check is one named fact (the style of mimalloc's test-api.c). Expected values are worked
 * out in the comments from the definitions, not copied from the code's output.
 */
#include "harness/stats.h"
#include "tests/run/check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int near(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (1 + fabs(b));
}

int main(void)
{
    /* Odd count, unsorted, one outlier: sorted {1,2,3,4,100} -> median 3;
     * |x-3| = {2,1,0,1,97} -> sorted {0,1,1,2,97} -> MAD 1. */
    double odd[] = {4, 100, 1, 3, 2};
    CHECK("median-odd", near(ab_median(odd, 5), 3));
    CHECK("mad-odd-outlier-resistant", near(ab_mad(odd, 5), 1));
    CHECK("median-leaves-input-alone", odd[0] == 4 && odd[1] == 100 && odd[4] == 2);

    /* Even count: {10,20,30,40} -> median 25; |x-25| = {15,5,5,15} -> MAD 10. */
    double even[] = {40, 10, 30, 20};
    CHECK("median-even-mean-of-middle", near(ab_median(even, 4), 25));
    CHECK("mad-even", near(ab_mad(even, 4), 10));

    /* Type-7 quantiles of {1..5}: q=0.25 -> h=1 -> 2; q=0.1 -> h=0.4 -> 1.4. */
    double five[] = {5, 4, 3, 2, 1};
    CHECK("quantile-q25", near(ab_quantile(five, 5, 0.25), 2));
    CHECK("quantile-q10-interpolates", near(ab_quantile(five, 5, 0.10), 1.4));
    CHECK("quantile-ends", near(ab_quantile(five, 5, 0), 1) && near(ab_quantile(five, 5, 1), 5));

    CHECK("median-empty-is-nan", isnan(ab_median(NULL, 0)));
    CHECK("mad-empty-is-nan", isnan(ab_mad(NULL, 0)));

    ab_stats st;
    CHECK("stats-empty-fails", ab_stats_compute(NULL, 0, 1, &st) == -1);

    /* One value: everything is that value, the interval is a point. */
    double one[] = {7.5};
    CHECK("stats-single", ab_stats_compute(one, 1, 1, &st) == 0 && st.n == 1 &&
                              near(st.median, 7.5) && near(st.mad, 0) && near(st.ci95_lo, 7.5) &&
                              near(st.ci95_hi, 7.5));

    /* Five repetitions, the shape of a real cell. */
    double reps[] = {21.0, 18.5, 19.0, 25.0, 18.0};
    CHECK("stats-reps", ab_stats_compute(reps, 5, AB_BOOTSTRAP_SEED, &st) == 0 && st.n == 5 &&
                            near(st.median, 19.0) && near(st.min, 18.0) && near(st.max, 25.0) &&
                            /* |x-19| = {2,.5,0,6,1} -> sorted {0,.5,1,2,6} -> 1 */
                            near(st.mad, 1.0));
    CHECK("ci-contains-median", st.ci95_lo <= st.median && st.median <= st.ci95_hi);
    CHECK("ci-within-range", st.ci95_lo >= st.min && st.ci95_hi <= st.max);
    CHECK("ci-not-degenerate", st.ci95_hi > st.ci95_lo);

    ab_stats again;
    ab_stats_compute(reps, 5, AB_BOOTSTRAP_SEED, &again);
    CHECK("ci-deterministic", again.ci95_lo == st.ci95_lo && again.ci95_hi == st.ci95_hi);

    /* Constant data: the interval collapses on the value. */
    double flat[] = {3, 3, 3, 3};
    CHECK("ci-constant", ab_stats_compute(flat, 4, 9, &st) == 0 && near(st.ci95_lo, 3) &&
                             near(st.ci95_hi, 3) && near(st.mad, 0));

    /* A large sample of 0..999 (a permutation): median 499.5. The median's standard error for
     * a uniform sample is about sqrt(p(1-p)/n)/f = 0.5/sqrt(1000)*1000 = 15.8, so a 95 %
     * interval is about +-31 wide; accept half-widths between 15 and 60. */
    enum { N = 1000 };
    double *big = malloc(N * sizeof *big);
    for (int i = 0; i < N; i++)
        big[i] = (double)((i * 617) % N); /* 617 is coprime with 1000: a permutation */
    double lo, hi;
    CHECK("bootstrap-large", ab_bootstrap_median_ci(big, N, 42, 2000, 0.95, &lo, &hi) == 0);
    CHECK("bootstrap-large-contains-true-median", lo <= 499.5 && 499.5 <= hi);
    CHECK("bootstrap-large-width-plausible", (hi - lo) / 2 > 15 && (hi - lo) / 2 < 60);
    double lo2, hi2;
    ab_bootstrap_median_ci(big, N, 43, 2000, 0.95, &lo2, &hi2);
    CHECK("bootstrap-seed-matters-only-slightly",
          fabs(lo2 - lo) < 15 && fabs(hi2 - hi) < 15 && !(lo2 == lo && hi2 == hi));
    double lo50, hi50;
    ab_bootstrap_median_ci(big, N, 42, 2000, 0.50, &lo50, &hi50);
    CHECK("bootstrap-lower-level-narrower", hi50 - lo50 < hi - lo);
    CHECK("bootstrap-bad-args", ab_bootstrap_median_ci(big, N, 42, 0, 0.95, &lo, &hi) == -1 &&
                                    ab_bootstrap_median_ci(big, N, 42, 10, 1.5, &lo, &hi) == -1);
    free(big);

    CHECK_DONE();
}
