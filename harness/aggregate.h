/* aggregate.h: from the runs of a results document to its cells (results/README.md, "cells").
 *
 * A cell is one (allocator, workload) pair; its aggregates are computed over the repetitions
 * whose status is "ok": for every flat metric the median, min, max, MAD and the order-statistic
 * interval of the median with its coverage (harness/stats.h). A cell is flagged noisy, with the
 * reasons listed, when its time spread is wide, when a repetition's runner flagged itself noisy
 * (its child.noisy_reasons: TSC calibrations that disagree beyond timer.h's AB_TSC_NOISY_PPM), or
 * when repetitions failed.
 */
#ifndef AB_AGGREGATE_H
#define AB_AGGREGATE_H

#include <jansson.h>

/* Noise thresholds (documented in results/README.md). */
#define AB_NOISY_MAD_RATIO 0.05     /* MAD / median of a time metric */
#define AB_NOISY_CI_HALF_RATIO 0.10 /* interval half-width / median of a time metric */

/* A new array of cells, one per (allocator, workload) of the two name arrays, in that order
 * (allocator-major), computed from `runs` (the results document's runs[]). Returns NULL only
 * when memory runs out. */
json_t *ab_aggregate_cells(const json_t *runs, const json_t *allocators, const json_t *workloads);

#endif
