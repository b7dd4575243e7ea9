/* test_mannwhitney.c: the U test (harness/analysis/mannwhitney.c) against values computed another
 * way.
 *
 * - published values: scipy's mannwhitneyu documentation example (U = 17, exact two-sided
 *   p = 0.11111) and its asymptotic p (0.11134688653314041 with continuity correction), and R's
 *   wilcox.test example (Hollander & Wolfe permeability data: W = 35, one-sided p = 0.1272);
 * - exact p-values recomputed here by enumerating every assignment of ranks to the two samples;
 * - the normal approximation with ties stays close to the exact permutation p of tied data;
 * - structural facts: symmetry, all-equal data, the smallest p reachable with few repetitions.
 */
#include "tests/check.h"
#include "harness/analysis/mannwhitney.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* U by direct pair counting. */
static double pair_u(const double *x, size_t n, const double *y, size_t m)
{
    double u = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++)
            u += x[i] > y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
    return u;
}

/* Two-sided permutation p: every way of choosing which n of the pooled values form x. */
static double enumerated_p(const double *x, size_t n, const double *y, size_t m)
{
    size_t N = n + m;
    double pool[32];
    for (size_t i = 0; i < N; i++)
        pool[i] = i < n ? x[i] : y[i - n];
    double nm = (double)n * (double)m;
    double u_obs = pair_u(x, n, y, m);
    double dev_obs = fabs(u_obs - nm / 2);
    unsigned long total = 0, extreme = 0;
    for (uint32_t mask = 0; mask < (1u << N); mask++) {
        if ((size_t)__builtin_popcount(mask) != n)
            continue;
        double a[32], b[32];
        size_t na = 0, nb = 0;
        for (size_t i = 0; i < N; i++)
            if (mask & (1u << i))
                a[na++] = pool[i];
            else
                b[nb++] = pool[i];
        total++;
        if (fabs(pair_u(a, na, b, nb) - nm / 2) >= dev_obs - 1e-9)
            extreme++;
    }
    return (double)extreme / (double)total;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double next_unit(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

int main(void)
{
    ab_mw_result r;

    /* scipy.stats.mannwhitneyu documentation: males vs females. */
    const double males[] = {19, 22, 16, 29, 24}, females[] = {20, 11, 17, 12};
    CHECK(ab_mannwhitney(males, 5, females, 4, &r) == 0, "scipy example runs");
    CHECK(r.u == 17.0, "scipy example U = 17");
    CHECK(r.exact && fabs(r.p - 0.1111111) < 5e-6, "scipy example exact p = 0.11111");

    /* scipy's method="asymptotic" for the same data: 0.11134688653314041. */
    CHECK(fabs(ab_mw_asymptotic_p(17, 5, 4, 0) - 0.11134688653314041) < 1e-9,
          "scipy example asymptotic p = 0.1113469");

    /* A tie forces the normal approximation with the tie correction; it must stay close to the
     * exact permutation p of the tied data, enumerated here. */
    {
        double xt[] = {19, 22, 16, 29, 24}, yt[] = {20, 11, 17, 12, 19};
        CHECK(ab_mannwhitney(xt, 5, yt, 5, &r) == 0 && !r.exact, "tie forces asymptotic");
        CHECK(r.ties == 1, "tie flagged");
        double exact_perm = enumerated_p(xt, 5, yt, 5);
        CHECK(fabs(r.p - exact_perm) < 0.03,
              "asymptotic with ties within 0.03 of the permutation p");
    }

    /* Tied values within each side (micro percentiles are whole ns): the normal approximation
     * alone gives 0.047 for 3+3, below the 0.10 any permutation of 3+3 can reach, which would
     * call a 3+3 change significant at alpha 0.05. The p reported never goes below min p. */
    {
        double lo3[] = {23, 23, 23}, hi3[] = {24, 24, 24};
        CHECK(ab_mannwhitney(hi3, 3, lo3, 3, &r) == 0 && !r.exact, "tied 3+3 runs");
        CHECK(r.p >= ab_mw_min_p(3, 3) - 1e-15, "tied 3+3: p >= min p 0.10");
        CHECK(r.p >= enumerated_p(hi3, 3, lo3, 3) - 1e-12,
              "tied 3+3: p not below the permutation p");
        double lo5[] = {23, 23, 23, 23, 23}, hi5[] = {24, 24, 24, 24, 24};
        ab_mannwhitney(hi5, 5, lo5, 5, &r);
        CHECK(r.p >= ab_mw_min_p(5, 5) - 1e-15, "tied 5+5: p >= min p 0.0079");
    }

    /* R's wilcox.test example (Hollander & Wolfe 1973, p. 69): W = 35, p(greater) = 0.1272. */
    const double hw_x[] = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
    const double hw_y[] = {1.15, 0.88, 0.90, 0.74, 1.21};
    CHECK(ab_mannwhitney(hw_x, 10, hw_y, 5, &r) == 0, "R example runs");
    CHECK(r.u == 35.0, "R example W = 35");
    CHECK(r.exact && fabs(r.p - 0.2544) < 2e-4, "R example two-sided p = 2 * 0.1272");

    /* Exact p against enumeration, for every small size pair and several random draws. */
    int agree = 1, u_agree = 1;
    for (size_t n = 1; n <= 7; n++)
        for (size_t m = 1; m <= 7; m++)
            for (int draw = 0; draw < 3; draw++) {
                double x[8], y[8];
                double shift = draw * 0.3; /* from no difference to a clear one */
                for (size_t i = 0; i < n; i++)
                    x[i] = next_unit() + shift;
                for (size_t j = 0; j < m; j++)
                    y[j] = next_unit();
                if (ab_mannwhitney(x, n, y, m, &r) != 0 || !r.exact) {
                    agree = 0;
                    continue;
                }
                if (fabs(r.p - enumerated_p(x, n, y, m)) > 1e-12)
                    agree = 0;
                if (r.u != pair_u(x, n, y, m))
                    u_agree = 0;
            }
    CHECK(agree, "exact p equals enumeration for n, m in 1..7");
    CHECK(u_agree, "U equals pair counting for n, m in 1..7");

    /* Symmetry: swapping the samples keeps p and mirrors U. */
    {
        double x[] = {3.1, 4.7, 2.2, 9.0, 5.5, 6.1}, y[] = {1.0, 2.5, 3.3, 0.4};
        ab_mw_result a, b;
        ab_mannwhitney(x, 6, y, 4, &a);
        ab_mannwhitney(y, 4, x, 6, &b);
        CHECK(fabs(a.p - b.p) < 1e-15, "swap keeps p");
        CHECK(a.u + b.u == 24.0, "swap mirrors U");
    }

    /* Smallest reachable p: fully separated samples reach it, and it matches the brief's
     * figures (5+5: 0.0079, 2+2: 0.33). */
    {
        double lo[] = {1, 2, 3, 4, 5}, hi[] = {6, 7, 8, 9, 10};
        ab_mannwhitney(hi, 5, lo, 5, &r);
        CHECK(fabs(r.p - ab_mw_min_p(5, 5)) < 1e-15, "separated 5+5 reaches min p");
        CHECK(fabs(ab_mw_min_p(5, 5) - 2.0 / 252.0) < 1e-15, "min p 5+5 = 0.0079");
        CHECK(fabs(ab_mw_min_p(2, 2) - 1.0 / 3.0) < 1e-15, "min p 2+2 = 0.33");
        CHECK(ab_mw_min_p(3, 3) > 0.05, "min p 3+3 above 0.05");
        CHECK(ab_mw_min_p(4, 4) < 0.05, "min p 4+4 below 0.05");
        ab_mannwhitney(hi, 2, lo, 2, &r);
        CHECK(fabs(r.p - 1.0 / 3.0) < 1e-15, "separated 2+2 is p = 1/3");
    }

    /* Large samples take the normal path; a clear shift is highly significant, none is not. */
    {
        double x[60], y[60];
        for (int i = 0; i < 60; i++) {
            x[i] = next_unit() + 0.5;
            y[i] = next_unit();
        }
        CHECK(ab_mannwhitney(x, 60, y, 60, &r) == 0 && !r.exact,
              "n = 60 uses the normal approximation");
        CHECK(r.p < 1e-6, "shift of half the range is significant");
        CHECK(ab_mannwhitney(x, 60, x, 60, &r) == 0 && r.p == 1.0,
              "a sample against itself is p = 1");
    }

    /* Degenerate input. */
    {
        double same[] = {2, 2, 2};
        CHECK(ab_mannwhitney(same, 3, same, 3, &r) == 0 && r.p == 1.0, "all equal gives p = 1");
        CHECK(ab_mannwhitney(same, 0, same, 3, &r) == -1, "empty sample is an error");
        double bad[] = {1, NAN};
        CHECK(ab_mannwhitney(bad, 2, same, 3, &r) == -1, "NaN is an error");
    }

    CHECK_DONE("mannwhitney");
}
