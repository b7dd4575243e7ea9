/* test_timer.c: TSC calibration sanity. Two independent calibrations of the same invariant TSC
 * agree within 1 %; the run's long-baseline rate lies between (or very near) them; an empty fenced
 * region costs something but less than a calibration's worth of time. No absolute time is
 * asserted: this machine's speed drifts minute to minute. */
#include "harness/measure/timer.h"
#include "tests/check.h"

#include <math.h>

int main(void)
{
    ab_tsc_calibration a, b;
    CHECK(ab_tsc_calibrate(50, &a) == 0, "first calibration interrupted");
    CHECK(ab_tsc_calibrate(50, &b) == 0, "second calibration interrupted");
    CHECK(a.hz > 0 && b.hz > 0, "rates %g %g", a.hz, b.hz);
    CHECK(fabs(a.hz / b.hz - 1) < 0.01, "calibrations disagree: %.0f vs %.0f Hz", a.hz, b.hz);

    ab_tsc_clock c;
    CHECK(ab_tsc_clock_begin(&c, 30) == 0, "clock begin");
    CHECK(ab_tsc_clock_end(&c, 30) == 0, "clock end");
    CHECK(fabs(c.drift_ppm) < 10000, "drift %.0f ppm", c.drift_ppm);
    CHECK(fabs(c.hz / c.start.hz - 1) < 0.01, "run rate %.0f vs start %.0f", c.hz, c.start.hz);
    /* ticks and ns agree over the run's own span */
    double span_ns = ab_tsc_to_ns(&c, (double)(c.end.tsc1 - c.start.tsc0));
    double clock_ns = (double)(c.end.ns1 - c.start.ns0);
    CHECK(fabs(span_ns / clock_ns - 1) < 1e-9, "span %.0f ns vs clock %.0f ns", span_ns, clock_ns);

    /* the empty region: positive, and well under the time of a calibration */
    CHECK(c.empty_region_ticks > 0, "empty region of 0 ticks");
    CHECK((double)c.empty_region_ticks < c.hz * 0.030 / 1000, "empty region %llu ticks",
          (unsigned long long)c.empty_region_ticks);
    CHECK_DONE("test_timer");
}
