/* test_merged_histogram.c: the one merge of a cell's latency histograms over its runs
 * (ab_rv_merged_histogram), which both the CDF charts and the .hgrm export read.
 *
 * Each run converts its buckets of ticks to ns with its own clock calibration, so the same bucket
 * ends a hair apart from one run to the next: bounds equal to the thousandth of a ns are one
 * bucket, at the largest bound. A bucket with no count (or a negative one) is not a bucket, a
 * run that did not finish "ok" and a run of another cell do not count. No ok run: no buckets.
 */
#include "tests/check.h"
#include "harness/report/results_view.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const results =
    "{\"runs\": ["
    " {\"allocator\": \"a\", \"workload\": \"w\", \"status\": \"ok\", \"histograms\":"
    "  {\"alloc\": [[10.0004, 3], [10.0, 2], [20, 0], [5, 1], [40, -2]]}},"
    " {\"allocator\": \"a\", \"workload\": \"w\", \"status\": \"crashed\", \"histograms\":"
    "  {\"alloc\": [[5, 100]]}},"
    " {\"allocator\": \"a\", \"workload\": \"v\", \"status\": \"ok\", \"histograms\":"
    "  {\"alloc\": [[5, 100]]}},"
    " {\"allocator\": \"a\", \"workload\": \"w\", \"status\": \"ok\", \"histograms\":"
    "  {\"alloc\": [[10.0002, 4], [30, 1], [\"x\", 1]], \"free\": [[7, 2]]}}"
    "]}";

int main(void)
{
    json_error_t jerr;
    json_t *res = json_loads(results, 0, &jerr);
    CHECK(res != NULL, "the test's results parse: %s", jerr.text);
    if (!res)
        return 1;

    size_t n = 99;
    ab_rv_bucket *b = ab_rv_merged_histogram(res, "a", "w", "alloc", &n);
    CHECK(b != NULL);
    CHECK(n == 3, "5, 10.000x and 30 ns: %zu buckets", n);
    if (b && n == 3) {
        CHECK(b[0].upper == 5 && b[0].count == 1, "5 ns: %g x %g", b[0].upper, b[0].count);
        CHECK(b[1].upper == 10.0004 && b[1].count == 9,
              "10.0, 10.0002 and 10.0004 ns are one bucket at 10.0004 ns: %g x %g", b[1].upper,
              b[1].count);
        CHECK(b[2].upper == 30 && b[2].count == 1, "30 ns: %g x %g", b[2].upper, b[2].count);
    }
    free(b);

    b = ab_rv_merged_histogram(res, "a", "w", "free", &n);
    CHECK(b != NULL && n == 1 && b[0].upper == 7 && b[0].count == 2, "free: one bucket");
    free(b);

    n = 99;
    b = ab_rv_merged_histogram(res, "a", "w", "realloc", &n);
    CHECK(b != NULL && n == 0, "no run has a realloc histogram: %zu buckets", n);
    free(b);
    b = ab_rv_merged_histogram(res, "b", "w", "alloc", &n);
    CHECK(b != NULL && n == 0, "no such cell: %zu buckets", n);
    free(b);

    json_decref(res);
    CHECK_DONE("merged_histogram");
}
