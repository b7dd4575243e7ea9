/* test_stats.c: the statistics of harness/analysis/stats.h against values computed by hand.
 *
 * Each check is one named fact (the style of mimalloc's test-api.c). Expected values are worked
 * out in the comments from the definitions, not copied from the code's output.
 */
#include "harness/analysis/stats.h"
#include "tests/check.h"

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
    CHECK(near(ab_median(odd, 5), 3), "median-odd");
    CHECK(near(ab_mad(odd, 5), 1), "mad-odd-outlier-resistant");
    CHECK(odd[0] == 4 && odd[1] == 100 && odd[4] == 2, "median-leaves-input-alone");

    /* Even count: {10,20,30,40} -> median 25; |x-25| = {15,5,5,15} -> MAD 10. */
    double even[] = {40, 10, 30, 20};
    CHECK(near(ab_median(even, 4), 25), "median-even-mean-of-middle");
    CHECK(near(ab_mad(even, 4), 10), "mad-even");

    /* Type-7 quantiles of {1..5}: q=0.25 -> h=1 -> 2; q=0.1 -> h=0.4 -> 1.4. */
    double five[] = {5, 4, 3, 2, 1};
    CHECK(near(ab_quantile(five, 5, 0.25), 2), "quantile-q25");
    CHECK(near(ab_quantile(five, 5, 0.10), 1.4), "quantile-q10-interpolates");
    CHECK(near(ab_quantile(five, 5, 0), 1) && near(ab_quantile(five, 5, 1), 5), "quantile-ends");

    CHECK(isnan(ab_median(NULL, 0)), "median-empty-is-nan");
    CHECK(isnan(ab_mad(NULL, 0)), "mad-empty-is-nan");

    /* Coverage of [x(k), x(n+1-k)]: 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2), i.e.
     * 1 - 2 (C(n,0) + ... + C(n,k-1)) / 2^n. For each n: the k chosen for 95 % (the largest
     * whose coverage is >= 0.95, or 1 when none is), its coverage, and that of k+1, which must
     * fall below 0.95 for the choice to be the narrowest. */
    static const struct {
        size_t n, k;
        double cov, cov_next;
    } table[] = {
        {3, 1, 1 - 2.0 * 1 / 8, 1 - 2.0 * (1 + 3) / 8},                     /* 0.75, 0 */
        {4, 1, 1 - 2.0 * 1 / 16, 1 - 2.0 * (1 + 4) / 16},                   /* 0.875, 0.375 */
        {5, 1, 1 - 2.0 * 1 / 32, 1 - 2.0 * (1 + 5) / 32},                   /* 0.9375, 0.625 */
        {6, 1, 1 - 2.0 * 1 / 64, 1 - 2.0 * (1 + 6) / 64},                   /* 0.96875, 0.78125 */
        {7, 1, 1 - 2.0 * 1 / 128, 1 - 2.0 * (1 + 7) / 128},                 /* 0.984, 0.875 */
        {8, 1, 1 - 2.0 * 1 / 256, 1 - 2.0 * (1 + 8) / 256},                 /* 0.992, 0.9297 */
        {9, 2, 1 - 2.0 * (1 + 9) / 512, 1 - 2.0 * (1 + 9 + 36) / 512},      /* 0.9609, 0.8203 */
        {10, 2, 1 - 2.0 * (1 + 10) / 1024, 1 - 2.0 * (1 + 10 + 45) / 1024}, /* 0.9785, 0.8906 */
        {11, 2, 1 - 2.0 * (1 + 11) / 2048, 1 - 2.0 * (1 + 11 + 55) / 2048}, /* 0.9883, 0.9346 */
        {12, 3, 1 - 2.0 * (1 + 12 + 66) / 4096,
         1 - 2.0 * (1 + 12 + 66 + 220) / 4096}, /* 0.9614, 0.8540 */
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        size_t n = table[i].n, k = table[i].k;
        char name[64];
        snprintf(name, sizeof name, "coverage-n%zu-k%zu", n, k);
        CHECK(near(ab_median_ci_coverage(n, k), table[i].cov), "%s", name);
        snprintf(name, sizeof name, "coverage-n%zu-k%zu", n, k + 1);
        CHECK(near(ab_median_ci_coverage(n, k + 1), table[i].cov_next), "%s", name);
        snprintf(name, sizeof name, "chosen-k-n%zu", n);
        CHECK(ab_median_ci_k(n, 0.95) == k, "%s", name);
        snprintf(name, sizeof name, "choice-is-narrowest-n%zu", n);
        CHECK(table[i].cov_next < 0.95 && (table[i].cov >= 0.95 || k == 1), "%s", name);
    }
    CHECK(near(ab_median_ci_coverage(5, 1), 0.9375), "coverage-n5-below-95");
    CHECK(ab_median_ci_coverage(6, 1) >= 0.95, "coverage-n6-first-above-95");
    /* n = 1: [x, x] covers the median with probability 0; n = 2: [min, max], 1 - 2/4 = 0.5. */
    CHECK(near(ab_median_ci_coverage(1, 1), 0), "coverage-n1");
    CHECK(near(ab_median_ci_coverage(2, 1), 0.5), "coverage-n2");
    CHECK(isnan(ab_median_ci_coverage(5, 0)) && isnan(ab_median_ci_coverage(5, 4)) &&
              isnan(ab_median_ci_coverage(0, 1)),
          "coverage-k-out-of-range");
    CHECK(ab_median_ci_k(0, 0.95) == 0, "chosen-k-empty");
    /* A lower target allows a narrower interval: n = 5 at 60 % is [x(2), x(4)] (0.625). */
    CHECK(ab_median_ci_k(5, 0.60) == 2, "chosen-k-lower-target");

    ab_stats st;
    CHECK(ab_stats_compute(NULL, 0, &st) == -1, "stats-empty-fails");

    /* One value: everything is that value, the interval is a point that covers nothing. */
    double one[] = {7.5};
    CHECK(ab_stats_compute(one, 1, &st) == 0 && st.n == 1 && near(st.median, 7.5) &&
              near(st.mad, 0) && near(st.ci_lo, 7.5) && near(st.ci_hi, 7.5) &&
              near(st.ci_coverage, 0),
          "stats-single");

    /* Five repetitions, the shape of a real cell: the interval is [min, max] at 93.75 %. */
    double reps[] = {21.0, 18.5, 19.0, 25.0, 18.0};
    CHECK(ab_stats_compute(reps, 5, &st) == 0 && st.n == 5 && near(st.median, 19.0) &&
              near(st.min, 18.0) && near(st.max, 25.0) &&
              /* |x-19| = {2,.5,0,6,1} -> sorted {0,.5,1,2,6} -> 1 */
              near(st.mad, 1.0),
          "stats-reps");
    CHECK(st.ci_k == 1 && near(st.ci_lo, 18.0) && near(st.ci_hi, 25.0), "ci-reps-is-min-max");
    CHECK(near(st.ci_coverage, 0.9375), "ci-reps-coverage");
    CHECK(st.ci_lo <= st.median && st.median <= st.ci_hi, "ci-contains-median");

    /* Twelve values, unsorted: sorted {1..12}, k = 3 -> [x(3), x(10)] = [3, 10], median 6.5. */
    double twelve[] = {12, 3, 7, 1, 10, 5, 9, 2, 11, 4, 8, 6};
    CHECK(ab_stats_compute(twelve, 12, &st) == 0 && st.ci_k == 3 && near(st.ci_lo, 3) &&
              near(st.ci_hi, 10) && near(st.ci_coverage, 1 - 2.0 * 79 / 4096),
          "ci-twelve");
    CHECK(st.ci_lo <= st.median && st.median <= st.ci_hi, "ci-twelve-brackets-median");
    CHECK(twelve[0] == 12 && twelve[11] == 6, "ci-leaves-input-alone");

    /* Nine values: k = 2 -> [x(2), x(8)]. */
    double nine[] = {90, 10, 50, 30, 70, 20, 80, 40, 60};
    double lo, hi, cov;
    size_t k;
    CHECK(ab_median_ci(nine, 9, 0.95, &lo, &hi, &cov, &k) == 0 && k == 2 && near(lo, 20) &&
              near(hi, 80) && near(cov, 1 - 2.0 * 10 / 512),
          "ci-nine");
    CHECK(lo <= 50 && 50 <= hi, "ci-nine-brackets-median");
    CHECK(ab_median_ci(nine, 0, 0.95, &lo, &hi, &cov, NULL) == -1 &&
              ab_median_ci(nine, 9, 1.5, &lo, &hi, &cov, NULL) == -1,
          "ci-bad-args");

    /* Constant data: the interval collapses on the value. */
    double flat[] = {3, 3, 3, 3};
    CHECK(ab_stats_compute(flat, 4, &st) == 0 && near(st.ci_lo, 3) && near(st.ci_hi, 3) &&
              near(st.mad, 0),
          "ci-constant");

    /* Every n up to 40: the interval brackets the median, the coverage is the target's or, for
     * n <= 5 only, [min, max]'s lower one. */
    int all_bracket = 1, all_reach = 1;
    for (size_t n = 1; n <= 40; n++) {
        double v[40];
        for (size_t i = 0; i < n; i++)
            v[i] = (double)((i * 7 + 3) % n); /* a permutation of 0..n-1 (7 is prime) */
        ab_stats t;
        if (ab_stats_compute(v, n, &t) != 0 || !(t.ci_lo <= t.median && t.median <= t.ci_hi))
            all_bracket = 0;
        if ((n >= 6) != (t.ci_coverage >= 0.95))
            all_reach = 0;
    }
    CHECK(all_bracket, "ci-brackets-median-n1-to-40");
    CHECK(all_reach, "ci-reaches-95-from-n6");

    /* A large sample (the lgamma path, n > 62) of 0..999 (a permutation): median 499.5. The
     * normal approximation gives k = 500 - 1.96 sqrt(1000)/2 = 469, so about [468, 531]. */
    enum { N = 1000 };
    double *big = malloc(N * sizeof *big);
    for (int i = 0; i < N; i++)
        big[i] = (double)((i * 617) % N); /* 617 is coprime with 1000: a permutation */
    CHECK(ab_median_ci(big, N, 0.95, &lo, &hi, &cov, &k) == 0, "ci-large");
    CHECK(cov >= 0.95 && ab_median_ci_coverage(N, k + 1) < 0.95, "ci-large-k-is-largest");
    CHECK(lo <= 499.5 && 499.5 <= hi, "ci-large-contains-true-median");
    CHECK(hi - lo > 55 && hi - lo < 70, "ci-large-width-plausible");
    CHECK(near(lo, (double)k - 1) && near(hi, (double)(N - k)), "ci-large-order-statistics");
    free(big);

    CHECK_DONE();
}
