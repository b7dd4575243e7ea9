/* schedule.h: the order in which `alignbench run` starts its child processes.
 *
 * Machine noise drifts over minutes (docs/lab-notes.md has examples), so
 * runs are interleaved: round 1 runs every (allocator, workload) cell once, round 2 again, and so
 * on; drift then spreads over every allocator instead of landing on one. With shuffle, the order
 * of the cells within each round is a seeded permutation (the same seed gives the same order).
 *
 * A cell whose workload needs the natural-alignment baseline gets a second slot, `lowered`, that
 * always follows its measured slot directly: the two are compared with each other (alignment
 * cost = measured - lowered), so they run back to back under the same machine conditions.
 */
#ifndef AB_SCHEDULE_H
#define AB_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ab_slot {
    unsigned round;    /* 0-based; also the repetition number of the cell */
    unsigned alloc;    /* index into the run's allocators */
    unsigned workload; /* index into the run's workloads */
    int lowered;       /* 1: the same trace replayed with every alignment lowered to 16 */
} ab_slot;

typedef struct ab_schedule_params {
    unsigned rounds;
    unsigned allocs;
    unsigned workloads;
    const int *baseline; /* per workload: 1 when it gets a lowered slot; NULL: none do */
    int shuffle;
    uint64_t seed;
} ab_schedule_params;

/* Builds the slot list (malloc'ed, free it). Returns 0, or -1 when a count is 0 or memory runs
 * out. */
int ab_schedule_build(const ab_schedule_params *p, ab_slot **slots, size_t *count);

#endif
