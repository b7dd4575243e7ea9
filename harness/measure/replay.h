/* replay.h: replaying a validated trace against one allocator, in the runner child.
 *
 * One ab_replay holds everything a replay needs, mapped and touched before the pass that uses
 * it, and bounded whatever the trace's length: for the memory pass (replay.c) a flat id ->
 * {ptr, size, align, scope, footprint} table of max_live_ids slots, per-scope lists and byte
 * counts, the trace read through a bounded window; for the timed passes (replay_timed.c,
 * mapped by the first of them) the trace decoded window by window into compact records that
 * the loop replays (op_stream.h), one pointer per id, the batch minima and one window's per-op
 * floor (the other windows' in a temporary file). Nothing on a timed path allocates, reads the
 * trace or decodes.
 *
 * Passes (each replays the whole trace, then releases whatever is still live):
 *   memory : no timing; L exact at every op, F/Σfootprint/allocator stats at checkpoints, the
 *            overlap guards.
 *   batch  : whole repetitions of the trace, a TSC read around each AB_REPLAY_BATCH ops. The
 * headline time per op is the mean over the whole repetitions: everything the allocator spent, rare
 * long pauses included. The sum of each batch's fastest repetition is kept as a labelled diagnostic
 * only (it drops exactly the rare work real allocators do). per-op : a fenced TSC region around
 * each op, samples into histograms. per-op floor : the per-op pass against the null allocator, run
 * first; it keeps each op's own floor (its fastest over the floor passes), so the per-op pass can
 * record every op net of the same op replayed against the null allocator (resets, whose harness
 *            list walk depends on the scope, included).
 * One touch rule for all of them: with --touch first|all the block is written right after the
 * allocator returns it, inside the timed work (batch and per-op alike), and the floor writes
 * the null allocator's one hot block the same way. "Net" therefore contains the allocator's
 * call plus what writing its memory costs beyond writing memory already in cache (cache and TLB
 * misses, first-touch page faults). The harness work (reset policy, realloc fallback, touching)
 * is fixed at create time from the *measured* allocator's capabilities, so the floor replays
 * exactly the same harness code path.
 *
 * Every returned pointer is checked against its alignment, and NULL for a non-empty request is a
 * failure: the pass stops and names the op index.
 */
#ifndef AB_REPLAY_H
#define AB_REPLAY_H

#include "allocators/allocator.h"
#include "harness/measure/histogram.h"
#include "harness/measure/frag_metrics.h"
#include "harness/measure/instr_count.h"
#include "workloads/trace_io.h"

#include <stddef.h>
#include <stdint.h>

#define AB_REPLAY_BATCH 1024u /* decoded ops per timed batch in the batch pass */
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

/* Latency histograms of a per-op pass, in ticks: raw (the empty-region cost subtracted) or net
 * (each op minus its own floor); negative net samples are counted as 0 in the histograms, while
 * `sum`/`n` keep the exact signed totals per kind, so means stay unbiased. */
typedef struct ab_latency_set {
    ab_hist *kind[AB_KINDS];
    int64_t sum[AB_KINDS]; /* signed sum of the samples of each kind, ticks */
    uint64_t n[AB_KINDS];
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
    int peak_rss_reset;          /* 1: VmHWM was reset at the baseline (peak_rss is the pass's) */
    uint64_t harness_peak_rss;   /* VmHWM just before that reset: what the runner itself held
                                  * before the allocator under test was used (program, trace
                                  * window, id tables), bytes; the runner adds the timed passes'
                                  * tables (ab_replay_timed_bytes) once they ran */
    int64_t rss_file;            /* file-backed resident bytes at the baseline (-1: unknown) */
    int64_t baseline;            /* anonymous resident bytes before the pass */
    const ab_checkpoint *series; /* owned by the replay */
    size_t series_len;
    ab_align_class_stats align[AB_ALIGN_CLASSES];
} ab_memory_result;

typedef struct ab_pass_result {
    uint64_t ops;   /* timed ops: alloc, free, realloc, reset (marks are not counted) */
    uint64_t ticks; /* per-op pass: the whole pass, timer reads included; batch pass: the mean
                     * of the whole repetitions (the headline: every cost the allocator paid).
                     * Both leave out the decoding between windows (op_stream.h). */
    /* Batch pass diagnostics. It replays the trace `reps` times, timing every batch of
     * AB_REPLAY_BATCH ops. ticks_minbatch sums each batch's fastest repetition: a preemption
     * rarely hits all repetitions of one batch, but neither does a rare allocator pause, so this
     * figure drops both and is never a headline. */
    uint64_t ticks_minbatch;
    uint64_t ticks_min_rep; /* batch pass: the fastest whole repetition (threaded: its wall time),
                             * the one time measured alike with one thread and with several */
    double median_batch_ticks_per_op; /* median over batches of (minimum ticks / ops) */
    uint64_t batches;
    unsigned reps;
    double cycles; /* batch pass: the mean repetition in core cycles (ab_cpu_cycles_per_tick
                    * probed around each repetition), run-queue wait taken off */
    double cycles_per_tick; /* batch pass: the mean of those probes */
    uint64_t stolen_ns;     /* time other processes held this thread's CPU (runqueue_wait.h): batch
                             * pass, per repetition (subtracted from ticks by the report); per-op
                             * pass, in total */
    uint64_t preempted;     /* per-op pass: samples the means count shorter by the preemption they
                             * hold (replay.c perop_run) */
} ab_pass_result;

/* What the trace holds, from a scan at create time. */
typedef struct ab_trace_scan {
    uint64_t count[AB_KINDS + 1];   /* by kind, marks included */
    uint64_t entry[AB_ENTRY_COUNT]; /* alloc, free and realloc ops by entry point (trace.h) */
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
/* The TSC rate, so per-op samples holding a preemption can be corrected (0: not corrected). */
void ab_replay_set_tsc_hz(ab_replay *r, double hz);

/* Each pass returns 0, or -1 with *fail filled (a correctness failure, or a setup error with
 * fail->op = UINT64_MAX). */
int ab_replay_memory_pass(ab_replay *r, const ab_allocator *a, ab_memory_result *out,
                          ab_replay_failure *fail);
int ab_replay_batch_pass(ab_replay *r, const ab_allocator *a, unsigned reps, ab_pass_result *out,
                         ab_replay_failure *fail);
/* Bytes of the timed passes' own tables (the decoded op window, the id pointers, the batch and
 * floor tables), mapped and touched by the first timed pass: 0 before. They do not grow with
 * the trace's length (op_stream.h). */
uint64_t ab_replay_timed_bytes(const ab_replay *r);
/* The counting pass of `run --measure instructions`: one whole replay of the trace by the batch
 * pass's loop with no clock read at all (valgrind 3.19 cannot decode rdtscp). With `count`, the
 * counter is reset and runs over each window's replay, off around the windows' decoding (which
 * the batch pass leaves out of its time too) and the release of what the trace left live; NULL:
 * an uncounted (warm-up) replay. */
int ab_replay_count_pass(ab_replay *r, const ab_allocator *a, ab_icount *count,
                         ab_replay_failure *fail);
/* detail 0 keeps only the per-kind histograms (enough for the floor and the raw view). */
int ab_replay_latency_set_init(ab_replay *r, ab_latency_set *set, int detail);
void ab_replay_latency_set_free(ab_latency_set *set);
/* The per-op floor: replays the trace `passes` times against `null_alloc` with per-op timing,
 * keeping each op's fastest time as its floor for the next ab_replay_perop_pass. `set`
 * (optional) receives the first pass's samples, empty_region_ticks subtracted. One pass keeps
 * the net means unbiased (the minimum of several noisy samples sits below their mean, which
 * would raise every net mean by the difference); more make single net samples less noisy. */
int ab_replay_perop_floor_pass(ab_replay *r, const ab_allocator *null_alloc, unsigned passes,
                               uint64_t empty_region_ticks, ab_latency_set *set,
                               ab_pass_result *out, ab_replay_failure *fail);
/* The per-op pass. `raw` (optional) receives each sample minus empty_region_ticks (clamped at
 * 0); `net` (optional, needs a floor pass first) each sample minus its op's floor. */
int ab_replay_perop_pass(ab_replay *r, const ab_allocator *a, uint64_t empty_region_ticks,
                         ab_latency_set *raw, ab_latency_set *net, ab_pass_result *out,
                         ab_replay_failure *fail);

#endif
