/* test_metrics.c: the fragmentation formulas on synthetic checkpoint series whose answers are
 * known by hand (definitions: docs/measurement.md). */
#include "harness/measure/frag_metrics.h"
#include "tests/check.h"

#include <math.h>

#define NEAR(a, b) (fabs((a) - (b)) < 1e-12)

int main(void)
{
    /* F = 2 L at every checkpoint: every ratio is 1 */
    ab_checkpoint twice[] = {
        {0, 0, 0, 0, -1}, {10, 100, 200, 0, -1}, {20, 300, 600, 0, -1}, {30, 50, 100, 0, -1}};
    ab_frag f;
    ab_frag_compute(twice, 4, NULL, 0, 300, &f);
    CHECK(NEAR(f.frag_peak, 1.0), "frag_peak %.15g", f.frag_peak);
    CHECK(NEAR(f.frag_at_peak, 1.0), "frag_at_peak %.15g", f.frag_at_peak);
    CHECK(NEAR(f.frag_avg, 1.0), "frag_avg %.15g", f.frag_avg);
    CHECK(f.max_F == 600 && f.argmax_F == 2, "max_F %lld at %zu", (long long)f.max_F, f.argmax_F);

    /* The exact live peak falls between checkpoints: frag_peak uses it, frag_at_peak uses L at
     * the checkpoint of max F. Retained memory after a drop: F stays at 1000 while L falls.
     *   ops:  0    10    20    40
     *   L:    0   500   100   100      (exact max L = 800, between 10 and 20)
     *   F:    0  1000  1000  1000
     * ∫L = 10*250 + 10*300 + 20*100 = 7500; ∫F = 10*500 + 10*1000 + 20*1000 = 35000 */
    ab_checkpoint drop[] = {
        {0, 0, 0, 0, -1}, {10, 500, 1000, 0, -1}, {20, 100, 1000, 0, -1}, {40, 100, 1000, 0, -1}};
    ab_frag_compute(drop, 4, NULL, 0, 800, &f);
    CHECK(NEAR(f.frag_peak, 1000.0 / 800 - 1), "frag_peak %.15g", f.frag_peak);
    CHECK(NEAR(f.frag_at_peak, 1000.0 / 500 - 1), "frag_at_peak %.15g (first argmax wins)",
          f.frag_at_peak);
    CHECK(NEAR(f.frag_avg, 35000.0 / 7500 - 1), "frag_avg %.15g", f.frag_avg);

    /* an off-grid sample at the brief live peak (op 15: L 800, F 1200) raises max F and moves
     * argmax F there, but leaves the integrals alone */
    ab_checkpoint at_peak = {15, 800, 1200, 0, -1};
    ab_frag_compute(drop, 4, &at_peak, 1, 800, &f);
    CHECK(NEAR(f.frag_peak, 1200.0 / 800 - 1), "frag_peak with extra %.15g", f.frag_peak);
    CHECK(NEAR(f.frag_at_peak, 1200.0 / 800 - 1), "frag_at_peak with extra %.15g", f.frag_at_peak);
    CHECK(f.argmax_F == 4, "argmax with extra %zu", f.argmax_F);
    CHECK(NEAR(f.frag_avg, 35000.0 / 7500 - 1), "frag_avg with extra %.15g", f.frag_avg);
    ab_checkpoint low = {15, 800, 10, 0, -1}; /* a lower extra sample changes nothing */
    ab_frag_compute(drop, 4, &low, 1, 800, &f);
    CHECK(NEAR(f.frag_at_peak, 1000.0 / 500 - 1), "frag_at_peak with low extra %.15g",
          f.frag_at_peak);

    /* F can be below the baseline (negative) early on: still well-defined */
    ab_checkpoint neg[] = {{0, 0, -4096, 0, -1}, {10, 1000, 500, 0, -1}};
    ab_frag_compute(neg, 2, NULL, 0, 1000, &f);
    CHECK(NEAR(f.frag_peak, 500.0 / 1000 - 1), "frag_peak %.15g", f.frag_peak);
    CHECK(NEAR(f.frag_avg, ((-4096.0 + 500) / 2) / 500.0 - 1), "frag_avg %.15g", f.frag_avg);

    /* nothing live ever: ratios are undefined (NaN), never a made-up number */
    ab_checkpoint empty[] = {{0, 0, 0, 0, -1}, {10, 0, 4096, 0, -1}};
    ab_frag_compute(empty, 2, NULL, 0, 0, &f);
    CHECK(isnan(f.frag_peak) && isnan(f.frag_at_peak) && isnan(f.frag_avg),
          "ratios over zero live bytes: %g %g %g", f.frag_peak, f.frag_at_peak, f.frag_avg);

    CHECK(NEAR(ab_internal_frag(3000, 1000), 2.0), "internal");
    CHECK(isnan(ab_internal_frag(10, 0)), "internal over zero live");
    CHECK_DONE("test_metrics");
}
