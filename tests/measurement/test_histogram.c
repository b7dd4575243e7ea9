/* test_histogram.c: the log-linear histogram keeps its promises: every value lands in a bucket
 * that contains it, every bucket is at most 1 % of its value wide, quantiles of known data come
 * back within half a bucket, and merging equals adding. */
#include "harness/measure/histogram.h"
#include "tests/check.h"

#include <math.h>
#include <stdlib.h>

static ab_hist h1, h2, h3;

/* xorshift64: deterministic values over the whole 64-bit range */
static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void check_bucket_of(uint64_t v)
{
    unsigned i = ab_hist_index(v);
    CHECK(i < AB_HIST_BUCKETS, "value %llu -> index %u", (unsigned long long)v, i);
    if (i >= AB_HIST_BUCKETS)
        return;
    uint64_t lo = ab_hist_bucket_low(i), hi = ab_hist_bucket_high(i);
    CHECK(lo <= v && v <= hi, "value %llu outside its bucket [%llu, %llu]", (unsigned long long)v,
          (unsigned long long)lo, (unsigned long long)hi);
    CHECK((double)(hi - lo) <= 0.01 * (double)lo || hi == lo,
          "bucket [%llu, %llu] wider than 1 %% of its low bound", (unsigned long long)lo,
          (unsigned long long)hi);
}

int main(void)
{
    /* every small value, the edges of every power of two, and random values of every magnitude */
    for (uint64_t v = 0; v < 100000; v++)
        check_bucket_of(v);
    for (unsigned k = 1; k < 64; k++) {
        uint64_t p = 1ull << k;
        check_bucket_of(p - 1);
        check_bucket_of(p);
        check_bucket_of(p + 1);
    }
    check_bucket_of(UINT64_MAX);
    for (int i = 0; i < 1000000; i++)
        check_bucket_of(next_rand() >> (next_rand() % 64));

    /* buckets tile the range: each starts right after the previous one ends */
    for (unsigned i = 1; i < AB_HIST_BUCKETS; i++)
        CHECK(ab_hist_bucket_low(i) == ab_hist_bucket_high(i - 1) + 1, "gap before bucket %u", i);

    /* quantiles of 1..N (exact answer q*N) within half a bucket (0.4 %) plus one rank */
    ab_hist_reset(&h1);
    const uint64_t n = 1000000;
    for (uint64_t v = 1; v <= n; v++)
        ab_hist_add(&h1, v * 37);
    const double qs[] = {0.01, 0.1, 0.5, 0.9, 0.99, 0.999};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double exact = ceil(qs[i] * (double)n) * 37;
        double got = ab_hist_quantile(&h1, qs[i]);
        CHECK(fabs(got - exact) <= 0.004 * exact + 37, "q%.3f: got %.0f, exact %.0f", qs[i], got,
              exact);
    }
    CHECK(ab_hist_quantile(&h1, 1.0) == (double)(n * 37), "max %.0f", ab_hist_quantile(&h1, 1.0));
    CHECK(h1.count == n, "count %llu", (unsigned long long)h1.count);
    CHECK(fabs(h1.sum / (double)n - 37.0 * (double)(n + 1) / 2) < 1e-6 * 37.0 * (double)n,
          "mean %.3f", h1.sum / (double)n);

    /* a constant: every quantile is that constant exactly (clamped to min/max) */
    ab_hist_reset(&h2);
    for (int i = 0; i < 1000; i++)
        ab_hist_add(&h2, 123456789);
    CHECK(ab_hist_quantile(&h2, 0.5) == 123456789.0, "constant p50 %.1f",
          ab_hist_quantile(&h2, 0.5));

    /* a bimodal set: p50 in the low mode, p99 in the high one */
    ab_hist_reset(&h3);
    for (int i = 0; i < 980; i++)
        ab_hist_add(&h3, 100);
    for (int i = 0; i < 20; i++)
        ab_hist_add(&h3, 10000);
    CHECK(ab_hist_quantile(&h3, 0.5) == 100.0, "bimodal p50 %.1f", ab_hist_quantile(&h3, 0.5));
    CHECK(fabs(ab_hist_quantile(&h3, 0.99) - 10000.0) <= 40, "bimodal p99 %.1f",
          ab_hist_quantile(&h3, 0.99));
    CHECK(ab_hist_quantile(&h3, 0.98) == 100.0, "bimodal p98 %.1f", ab_hist_quantile(&h3, 0.98));

    /* merge = the sum of both sample sets */
    ab_hist_merge(&h2, &h3);
    CHECK(h2.count == 2000, "merged count %llu", (unsigned long long)h2.count);
    CHECK(h2.min == 100 && h2.max == 123456789, "merged min %llu max %llu",
          (unsigned long long)h2.min, (unsigned long long)h2.max);
    CHECK(ab_hist_quantile(&h2, 0.49) == 100.0, "merged p49 %.1f", ab_hist_quantile(&h2, 0.49));

    /* empty histogram */
    ab_hist_reset(&h3);
    CHECK(ab_hist_quantile(&h3, 0.5) == 0.0, "empty p50");
    CHECK_DONE("test_histogram");
}
