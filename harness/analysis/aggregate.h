/* aggregate.h: from the runs of a results document to its cells (results/README.md, "cells").
 *
 * A cell is one (allocator, workload) pair; its aggregates are computed over the repetitions
 * whose status is "ok": for every flat metric the median, min, max, MAD and the order-statistic
 * interval of the median with its coverage (analysis/stats.h). A cell is flagged noisy, with the
 * reasons listed, when the interval of its raw time per op (AB_NOISY_METRIC) is wide next to
 * its median, when a repetition's runner flagged itself noisy (its child.noisy_reasons: TSC
 * calibrations that disagree beyond timer.h's AB_TSC_NOISY_PPM), or when repetitions failed.
 */
#ifndef AB_AGGREGATE_H
#define AB_AGGREGATE_H

#include <jansson.h>

/* The metric whose spread decides the noisy flag: the raw time per op in core cycles, harness
 * floor included (AB_NOISY_METRIC_FALLBACK, in ns, for results that lack it). Cycles, because
 * the host moves the core's clock (1.9 to 3.7 GHz within seconds on the development VMs) and
 * the same work then takes a different number of ns; not the net time, a difference of a few
 * units whose relative spread is large even when the measurement is fine. */
#define AB_NOISY_METRIC "cycles_per_op"
#define AB_NOISY_METRIC_FALLBACK "ns_per_op"
/* A whole program's cell (run --program) has neither: its CPU time is judged the same way, in
 * cycles when the probe read the clock, else in ms. */
#define AB_NOISY_METRIC_PROGRAM "cpu_mcycles"
#define AB_NOISY_METRIC_PROGRAM_FALLBACK "cpu_ms"

/* A cell is noisy when the half-width of AB_NOISY_METRIC's interval of the median,
 * (ci_hi - ci_lo) / 2, exceeds this fraction of its median. Calibrated by A/A runs (the same
 * build twice, back to back, default options): on the shared development VMs the cells'
 * half-widths spread from 2 % to 16 % with one outlier at 23 % (docs/lab-notes.md), and 15 %
 * flagged 1 of 16 cells in each run. Change it here only (the reasons text and the tests
 * follow it); results/README.md documents it. */
#define AB_NOISY_CI_HALF_RATIO 0.15

/* A new array of cells, one per (allocator, workload) of the two name arrays, in that order
 * (allocator-major), computed from `runs` (the results document's runs[]). Returns NULL only
 * when memory runs out. */
json_t *ab_aggregate_cells(const json_t *runs, const json_t *allocators, const json_t *workloads);

/* Whether the cell lists `metric` in its `unresolved` (a latency percentile that half or more
 * of its runs measured under 3 steps of the timer: not a value). */
int ab_cell_unresolved(const json_t *cell, const char *metric);

#endif
