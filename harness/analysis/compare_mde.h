/* compare_mde.h: the minimum detectable effect of one comparison of `alignbench compare`: the
 * smallest relative change its repetitions and their spread could have shown, so that a change
 * below it is called "unresolved", never "same" (docs/micro-and-ci.md has the formula).
 *
 * A time (noisy, several repetitions a side): the shift a two-sided Mann-Whitney U test at
 * level alpha detects with probability AB_CMP_MDE_POWER, from the normal approximation of the
 * t test scaled by the U test's efficiency against it (3/pi for normal data):
 *     MDE = (z(1 - alpha/2) + z(power)) * sigma * sqrt(pi/3 * (1/n + 1/m)) / |base median|
 * with sigma = 1.4826 * sqrt((MAD_base^2 + MAD_new^2) / 2), the repetitions' robust spread.
 * When n + m repetitions cannot reach p < alpha at all, nothing can be detected: infinity.
 * A count (instructions, misses, estimated cycles: exact, repeatable): the larger of
 * AB_CMP_COUNT_REPEAT_PCT (how far two runs of the same build may differ, measured in A/A
 * runs) and the largest spread (max - min) within a side, relative to the base median.
 */
#ifndef AB_COMPARE_MDE_H
#define AB_COMPARE_MDE_H

#include <stddef.h>

#define AB_CMP_MDE_POWER 0.8
/* The repeatability of counted runs (run --measure instructions), percent: two default runs
 * back to back agree within it on every cell (docs/lab-notes.md). */
#define AB_CMP_COUNT_REPEAT_PCT 0.1

/* The standard normal quantile: z with P(Z <= z) = p, for 0 < p < 1. */
double ab_normal_quantile(double p);

/* The minimum detectable effect in percent of the base median (INFINITY: nothing detectable;
 * NAN: no base median). count: the metric is a count (see above). */
double ab_cmp_mde_pct(const double *base, size_t n, const double *new_, size_t m, double alpha,
                      int count);

#endif
