/* replay_threads.h: replaying a trace with threads, each on its own OS thread (issue 8).
 *
 * The model (also what the validator enforces, docs/threads.md): the trace's op stream order
 * is a valid global order; each thread's ops, in stream order, are that thread's program order;
 * and the only orderings between threads are those of a block's lifetime:
 *   - the free or realloc of an id waits for the previous op on that id (its alloc or realloc)
 *     when another thread did it (a remote free);
 *   - the alloc of an id waits for the op that ended its previous generation (free or reset) on
 *     another thread, and for the last reset of its scope on another thread;
 *   - a reset(scope) waits, for every other thread, for that thread's last op on a block of the
 *     scope (its allocs, frees and reallocs there).
 * Every wait targets an op earlier in the stream, so the replay cannot deadlock: the pending op
 * with the smallest stream index always has all it waits for done.
 *
 * Everything is planned before timing (ab_replay_mt_create): per thread, the list of its ops,
 * the waits of each op as (thread, position) pairs, the ids each reset releases; the worker
 * threads are created there too and kept across passes (so the allocators' thread caches are
 * warm after the warm-up). A wait is a handoff: the waited-for thread publishes its progress
 * with a release store after each op some other thread waits for, the waiter spins on an
 * acquire load (then yields). Nothing on a timed path allocates.
 *
 * Threads: trace thread 0 (the program's main thread) runs on the thread calling
 * ab_replay_mt_pass; the worker of trace thread k is created by it during the first pass, at the
 * point of k's first op in the stream (docs/threads.md, replay_threads.c), and parked between
 * passes. The time spent creating threads is left out of the thread's and the wall time.
 */
#ifndef AB_REPLAY_THREADS_H
#define AB_REPLAY_THREADS_H

#include "harness/measure/replay.h"

#define AB_REPLAY_MAX_THREADS AB_TRACE_MAX_THREADS

typedef struct ab_thread_result {
    uint64_t ops;   /* timed ops of this thread */
    uint64_t ticks; /* from its start to its last op */
    uint64_t waits; /* handoffs that found the other thread not there yet */
} ab_thread_result;

typedef struct ab_threads_result {
    unsigned threads;
    uint64_t ops;             /* timed ops, all threads */
    uint64_t handoffs;        /* planned cross-thread waits */
    uint64_t wall_ticks;      /* first thread's start to last thread's end, fastest repetition */
    uint64_t wall_ticks_mean; /* the same, mean over repetitions */
    unsigned reps;
    /* the core's clock (ab_cpu_cycles_per_tick) probed on the calling thread before and after
     * the pass, their mean; 0 when not probed. ab_threads_as_pass turns the wall time into
     * cycles with it. */
    double cycles_per_tick;
    /* what the trace left live when the threads were done (before the harness released it):
     * the replay's final state, to compare with the trace's own (trace_live.h) */
    uint64_t live_blocks_at_end, live_bytes_at_end;
    ab_thread_result thread[AB_REPLAY_MAX_THREADS]; /* of the fastest repetition */
} ab_threads_result;

typedef struct ab_replay_mt ab_replay_mt;

/* t must be validated and have 1..AB_REPLAY_MAX_THREADS threads. Returns NULL with err. */
ab_replay_mt *ab_replay_mt_create(const ab_trace *t, const ab_allocator *policy,
                                  const ab_replay_opts *opts, char *err, size_t errlen);
void ab_replay_mt_destroy(ab_replay_mt *r);

/* Replays the trace `reps` times on the worker threads, releasing everything after each.
 * With lat (per-op mode): each allocator call is timed (fenced TSC, empty_region_ticks
 * subtracted) into per-thread histograms merged into lat->kind[] after; reps is then 1.
 * Returns 0, or -1 with *fail (the failing op's index). */
int ab_replay_mt_pass(ab_replay_mt *r, const ab_allocator *a, unsigned reps, ab_latency_set *lat,
                      uint64_t empty_region_ticks, ab_threads_result *out, ab_replay_failure *fail);

/* Bytes of the threaded replay's plan and tables (proportional to the trace's length: the plan
 * is not streamed). */
uint64_t ab_replay_mt_bytes(const ab_replay_mt *r);

/* Workers created so far (the trace's threads but thread 0, once a pass has run). */
unsigned ab_replay_mt_threads_started(const ab_replay_mt *r);

/* The same result as an ab_pass_result (ops, wall ticks), for the JSON of a run. */
void ab_threads_as_pass(const ab_threads_result *t, ab_pass_result *out);

#endif
