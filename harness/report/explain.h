/* explain.h: the figures' why, in words, for the console and report.html.
 *
 * Two questions a reader of a cell asks and the counters (harness/measure/counters.h) answer:
 *   - Is this cell's time the kernel's? When at least half the allocator's own time per op (net
 *     of the floor) is the kernel's (the system CPU time of its batch pass net of the floor, or
 *     what its faults, madvise, mmap and munmap calls cost at this machine's prices,
 *     context.machine_costs), the cell is explained by its counters: "jemalloc/rpc: 14.8 page
 *     faults and 1.19 madvise per 1000 ops (~44 ns of its 64 ns/op at this machine's prices);
 *     39 % of its CPU time in the kernel", for a cell that enters the kernel at least once per
 *     1000 ops (below that, its system time is the tick accounting's noise).
 *   - Did its repetitions split into two clusters? Sorted cycles per op (ns without cycles) with
 *     a gap wider than the spread inside either side and than 15 % of the median, at least 2
 *     repetitions a side: which counter (or the core's clock) separates the clusters, every
 *     repetition of one side beyond every repetition of the other by 10 % or more, or that none
 *     does.
 * And the machine itself: its price of a fault, and a warning when the host makes it dear.
 */
#ifndef AB_EXPLAIN_H
#define AB_EXPLAIN_H

#include <jansson.h>
#include <stddef.h>

/* A share of the allocator's own time at or above this is "the kernel's", for a cell with at
 * least AB_EXPLAIN_MIN_EVENTS faults and system calls per 1000 ops. */
#define AB_EXPLAIN_KERNEL_SHARE 0.5
#define AB_EXPLAIN_MIN_EVENTS 1.0

/* The kernel sentence of one cell: 1 with it in buf when the kernel dominates the cell, else 0. */
int ab_explain_kernel(const json_t *doc, const json_t *cell, char *buf, size_t len);
/* The bimodal sentence of one cell: 1 with it in buf when its repetitions split in two, else 0. */
int ab_explain_bimodal(const json_t *doc, const json_t *cell, char *buf, size_t len);
/* This machine's prices ("a page fault 2.76 us (after MADV_DONTNEED 2.64 us), ..."): 1, or 0
 * when the results have none. *expensive: 1 when a fault costs over AB_FAULT_EXPENSIVE_NS. */
int ab_explain_machine(const json_t *doc, char *buf, size_t len, int *expensive);
/* The counters no cell could count (cells[].unavailable), names without "_per_kop", and the
 * first one's reason: 1 with "instructions, hw_cycles, ... (first reason: ...)", or 0. */
int ab_explain_unavailable(const json_t *doc, char *buf, size_t len);
/* The warning for an expensive fault, one sentence (no newline). */
int ab_explain_fault_warning(const json_t *doc, char *buf, size_t len);

#endif
