/* micro_merge.h: merging the Google Benchmark files of `alignbench micro`'s children into one.
 *
 * Each child (one allocator, one round) writes Google Benchmark's JSON. The merged file has one
 * `context` (the union of the children's keys, first value kept) and one `benchmarks` array
 * with every field Google Benchmark wrote. family_index is offset per allocator so that it
 * stays unique. With several rounds (--rounds: the children of round 2 start after every
 * allocator's round 1, as `run` interleaves), repetitions are renumbered across rounds and the
 * mean/median/stddev/cv aggregates are recomputed over all of them, as Google Benchmark would
 * have written them for one process.
 */
#ifndef AB_MICRO_MERGE_H
#define AB_MICRO_MERGE_H

#include <jansson.h>
#include <stddef.h>

typedef struct ab_micro_round {
    int round;             /* 0-based */
    int rounds;            /* total rounds */
    int reps;              /* repetitions per child */
    long long family_base; /* added to the child's family_index */
} ab_micro_round;

/* A new {"context": {}, "benchmarks": []} document. */
json_t *ab_micro_merged_new(void);

/* Appends the child's file at path. *families receives the number of families in it (for the
 * next allocator's family_base). Returns 0, or -1 with a message naming the file. */
int ab_micro_merge_child(json_t *merged, const char *path, const ab_micro_round *r,
                         long long *families, char *err, size_t errlen);

/* After the last child: with rounds > 1, orders entries by benchmark and adds the recomputed
 * aggregates. Returns 0, or -1 when memory runs out. */
int ab_micro_merge_finish(json_t *merged, int rounds);

#endif
