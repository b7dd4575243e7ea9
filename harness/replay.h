/* replay.h: replaying a validated trace against one allocator, in the runner child.
 *
 * One ab_replay holds everything a replay needs, set up (mapped and touched) before anything is
 * measured: a flat id -> {ptr, size, align, scope} table of max_live_ids slots, per-scope lists
 * (intrusive, in the slots) for allocators that cannot release a scope themselves, and per-scope
 * byte counts for the memory pass. Nothing on a timed path allocates.
 *
 * Passes (each replays the whole trace, then releases whatever is still live):
 *   memory : no timing; L exact at every op, F/Σfootprint/allocator stats at checkpoints.
 *   batch  : one TSC read per AB_REPLAY_BATCH ops, repeated, fastest repetition of each batch
 *            kept; touching happens inline (see README).
 *   per-op : a fenced TSC region around each allocator call, samples into histograms.
 * Any pass can be run with the null allocator (null_alloc.h) to measure the floor; the harness
 * work (reset policy, realloc fallback, touching) is fixed at create time from the *measured*
 * allocator's capabilities, so the floor replays exactly the same harness code path.
 *
 * Every returned pointer is checked against its alignment, and NULL for a non-empty request is a
 * failure: the pass stops and names the op index.
 */
#ifndef AB_REPLAY_H
#define AB_REPLAY_H

#include "allocators/allocator.h"
#include "harness/histogram.h"
#include "harness/metrics.h"
#include "workloads/trace_io.h"

#include <stddef.h>
#include <stdint.h>

#define AB_REPLAY_BATCH 1024u /* ops per TSC read in the batch pass (timer cost < 0.1 %) */
#define AB_KINDS 5            /* indexed by enum ab_op_kind (0 unused) */
#define AB_SIZE_CLASSES 33    /* class c: size <= 2^c (size 0 and 1: class 0) */
#define AB_ALIGN_CLASSES 32   /* class c: alignment 2^c */

typedef enum ab_touch { AB_TOUCH_NONE, AB_TOUCH_FIRST, AB_TOUCH_ALL } ab_touch;

/* "none", "first", "all" <-> ab_touch; parse returns 0 or -1. */
int ab_touch_parse(const char *s, ab_touch *out);
const char *ab_touch_name(ab_touch t);
const char *ab_op_kind_name(unsigned kind); /* "alloc", "free", "realloc", "reset" */

static inline unsigned ab_size_class(uint64_t size)
{
    return size <= 1 ? 0 : 64u - (unsigned)__builtin_clzll(size - 1);
}

typedef struct ab_replay_opts {
    ab_touch touch;
    unsigned lower_align; /* 0: off; else every alignment above it is lowered to it */
    unsigned checkpoints; /* memory pass checkpoints (0: 200) */
} ab_replay_opts;

typedef struct ab_replay_failure {
    uint64_t op; /* index of the failing op in the trace */
    char msg[320];
} ab_replay_failure;

/* Latency histograms of a per-op pass, in ticks with the empty-region cost subtracted. */
typedef struct ab_latency_set {
    ab_hist *kind[AB_KINDS];
    ab_hist *size[AB_KINDS][AB_SIZE_CLASSES]; /* NULL where the trace has no such op */
    ab_hist *align[AB_ALIGN_CLASSES];         /* alloc, by the trace's alignment class */
    /* private */
    void *map;
    size_t map_len;
} ab_latency_set;

/* Per alignment class of the trace (the requested alignment, also under lower_align):
 * cumulative over every alloc of the memory pass. */
typedef struct ab_align_class_stats {
    uint64_t count, requested_bytes, footprint_bytes;
} ab_align_class_stats;

typedef struct ab_memory_result {
    uint64_t max_live;              /* exact max of L over every op */
    uint64_t footprint_at_max_live; /* Σ footprint() at that op */
    double internal;                /* footprint_at_max_live / max_live - 1 */
    ab_frag frag;
    int64_t retained;            /* F after everything was released and purge() ran */
    uint64_t peak_rss;           /* VmHWM at the end of the memory pass, bytes */
    int64_t baseline;            /* anonymous resident bytes before the pass */
    const ab_checkpoint *series; /* owned by the replay */
    size_t series_len;
    ab_align_class_stats align[AB_ALIGN_CLASSES];
} ab_memory_result;

typedef struct ab_pass_result {
    uint64_t ops;   /* timed ops: alloc, free, realloc, reset (marks are not counted) */
    uint64_t ticks; /* per-op pass: the whole pass, timer reads included; batch pass: the sum
                     * over batches of each batch's fastest repetition (see below) */
    /* batch pass only: it replays the trace `reps` times, timing every batch of AB_REPLAY_BATCH
     * ops, and keeps each batch's minimum over the repetitions. A preemption (this machine is
     * shared: 2 cores, many processes) lands on one repetition of a batch, rarely on all, so the
     * sum of minima is the trace's time without it; ticks_mean keeps the plain mean of the whole
     * repetitions, preemptions included. */
    uint64_t ticks_mean;
    uint64_t ticks_min_rep; /* batch pass: the fastest whole repetition (threaded: its wall time),
                             * the one time measured alike with one thread and with several */
    double median_batch_ticks_per_op; /* median over batches of (minimum ticks / ops) */
    uint64_t batches;
    unsigned reps;
} ab_pass_result;

/* What the trace holds, from a scan at create time. */
typedef struct ab_trace_scan {
    uint64_t count[AB_KINDS + 1]; /* by kind, marks included */
    uint64_t timed_ops;
    uint64_t max_size;
    unsigned max_align_log2;
    int has_reset;
} ab_trace_scan;

typedef struct ab_replay ab_replay;

/* t must be validated. `policy` is the measured allocator (its caps fix the harness's work).
 * Returns NULL with a message in err. */
ab_replay *ab_replay_create(const ab_trace *t, const ab_allocator *policy,
                            const ab_replay_opts *opts, char *err, size_t errlen);
void ab_replay_destroy(ab_replay *r);
const ab_trace_scan *ab_replay_scan(const ab_replay *r);

/* Each pass returns 0, or -1 with *fail filled (a correctness failure, or a setup error with
 * fail->op = UINT64_MAX). */
int ab_replay_memory_pass(ab_replay *r, const ab_allocator *a, ab_memory_result *out,
                          ab_replay_failure *fail);
int ab_replay_batch_pass(ab_replay *r, const ab_allocator *a, unsigned reps, ab_pass_result *out,
                         ab_replay_failure *fail);
/* empty_region_ticks is subtracted from every sample (clamped at 0); detail 0 keeps only the
 * per-kind histograms (enough for the floor). */
int ab_replay_latency_set_init(ab_replay *r, ab_latency_set *set, int detail);
void ab_replay_latency_set_free(ab_latency_set *set);
int ab_replay_perop_pass(ab_replay *r, const ab_allocator *a, uint64_t empty_region_ticks,
                         ab_latency_set *set, ab_pass_result *out, ab_replay_failure *fail);

#endif
