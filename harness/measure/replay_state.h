/* replay_state.h: the state of one replay (replay.h), shared by the files of the engine and by
 * nothing else: replay.c (set-up and the memory pass) and replay_timed.c (the batch and per-op
 * passes and the floor, over the decoded op stream of op_stream.h).
 */
#ifndef AB_REPLAY_STATE_H
#define AB_REPLAY_STATE_H

#include "harness/measure/memstat.h"
#include "harness/measure/op_stream.h"
#include "harness/measure/replay.h"
#include "harness/measure/replay_calls.h"

#include <stdint.h>

/* One live (or dead) block of the trace, 32 bytes. Invariant: live == 1 exactly between the
 * alloc of this id and its free (or the release of its scope). With use_lists, and always in the
 * memory pass, a live slot is linked in the list of its scope (next/prev are ids, NONE ends). */
typedef struct slot {
    void *ptr;
    uint64_t footprint; /* memory pass only */
    uint32_t size;
    uint32_t next, prev;
    uint16_t scope;
    uint8_t align_log2; /* the alignment served (after lower_align) */
    uint8_t plain;      /* a block of the plain entries: freed with AB_ALIGN_PLAIN */
} slot;

/* The align argument of free, realloc and footprint for the block. */
static inline size_t slot_align(const slot *s)
{
    return s->plain ? AB_ALIGN_PLAIN : (size_t)1 << s->align_log2;
}

struct ab_replay {
    const ab_op *ops;
    uint64_t n;
    ab_replay_opts opts;
    unsigned caps;           /* the measured allocator's: decides reset and realloc handling */
    ab_replay_routes routes; /* the measured allocator's: how each entry point is called */
    int use_lists; /* the trace resets scopes and the allocator cannot release one itself */
    uint8_t served[64];
    ab_trace_scan scan;
    uint8_t size_present[AB_KINDS][AB_SIZE_CLASSES];
    uint8_t align_present[AB_ALIGN_CLASSES];

    slot *slots;
    uint8_t *live; /* per id */
    size_t nslots;
    uint32_t *heads;                 /* per scope */
    uint64_t *scope_live, *scope_fp; /* memory pass: per-scope L and Σfootprint */
    uint8_t *scope_used;
    size_t nscopes;
    void *map;
    size_t map_len;

    /* memory pass state */
    uint64_t L, fp, max_L, fp_at_max_L;
    uint64_t next_peak_sample; /* sample F when L reaches this (1 % above the last sample) */
    int64_t baseline;
    ab_checkpoint peak_sample; /* the highest F seen by those samples */
    ab_align_class_stats align[AB_ALIGN_CLASSES];
    ab_memstat mem;
    ab_checkpoint *series;
    size_t series_cap, series_len;
    uint64_t *batch_min; /* batch pass: each batch's fastest repetition, ticks */
    uint32_t *batch_ops; /* batch pass: the timed ops of each batch */
    double *batch_tpo;   /* batch pass: that, per op */
    size_t nbatches, nbatches_used;
    /* the timed passes (replay_timed.c): the trace decoded window by window, one pointer per id */
    const ab_trace *trace; /* open for the replay's life */
    ab_op_stream st;
    void **ptrs;
    void *tmap;
    size_t tmap_len;
    uint32_t *floor_win; /* per dop of the window: its fastest time against the null allocator */
    size_t floor_win_len;
    int floor_fd; /* the per-op floor of every window but the current one (-1: none yet) */
    int have_floor;
    int rq_fd;           /* runqueue_wait.h: time other processes took this thread's CPU */
    ab_trace_window win; /* the memory pass streams the trace through a bounded window */
    double ticks_per_ns; /* the TSC rate (ab_replay_set_tsc_hz); 0: unknown */
};

typedef ab_replay_fns fns;

/* Fills *fail: "op N: " (unless op is UINT64_MAX, a setup error) and the message. */
void ab_replay_fail_at(ab_replay_failure *fail, uint64_t op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The timed passes' state (replay_timed.c): the op stream, the id pointers, the batch and floor
 * tables, mapped by the first timed pass (after the memory pass, so not in its peak_rss).
 * fini undoes it. */
void ab_replay_timed_fini(ab_replay *r);
/* Run-queue wait of this thread so far in ns (0 when it cannot be read). */
int64_t ab_replay_rq_wait(const ab_replay *r);

#endif
