/* op_stream.h: the trace pre-decoded into a bounded window of compact ops, for the timed passes.
 *
 * The timed passes (batch, per-op, the floor) never read the trace itself: before each window
 * is replayed, outside every timed region, the decoder turns the next stretch of the trace into
 * ab_dop records that hold exactly what the replay loop needs, already resolved against the
 * measured allocator's table (replay_calls.h): which entry point to call (alloc, malloc, calloc,
 * free, free_sized), whether the harness clears the block, the alignment the call gets and the
 * one its pointer is checked against, a free's size and alignment, a realloc's old size, and the
 * blocks a harness-side reset releases (the scope list walk, done here: the loop just frees the
 * listed blocks). Marks and timestamps are dropped. So the loop's only table is one pointer per
 * live id, and its only work per op is the call, the touch rule and the pointer check.
 *
 * Memory: the window (AB_DOP_WINDOW records of 16 bytes, or more when one reset releases more
 * blocks than that) and the decoder's per-id state (size,
 * alignment, scope, list links: 15 bytes per id and 8 per scope of the header's max_live_ids), all
 * mapped and touched once at init and reused for every window, so the replay's own memory does not
 * grow with the trace. The raw trace pages a window was decoded from leave the process
 * (MADV_DONTNEED) right after. A trace that fits one window is decoded once and kept.
 */
#ifndef AB_OP_STREAM_H
#define AB_OP_STREAM_H

#include "allocators/allocator.h"
#include "harness/measure/replay_calls.h"
#include "workloads/trace_io.h"

#include <stddef.h>
#include <stdint.h>

#define AB_DOP_WINDOW (1u << 20) /* decoded ops per window: 16 MiB */

enum ab_dop_code {
    AB_DOP_ALLOC,       /* alloc(size, 1 << al, scope) */
    AB_DOP_ALLOC_ZERO,  /* the same, then the harness clears the block */
    AB_DOP_MALLOC,      /* malloc(size, scope) */
    AB_DOP_MALLOC_ZERO, /* the same, then the harness clears the block */
    AB_DOP_CALLOC,      /* calloc(size, scope) */
    AB_DOP_FREE,        /* free(ptr, size, align) */
    AB_DOP_FREE_SIZED,  /* free_sized(ptr, size, align) */
    AB_DOP_REALLOC,     /* realloc (or the fallback) from aux to size bytes */
    AB_DOP_RESET,       /* the allocator's reset(scope) */
    AB_DOP_RESET_LIST,  /* the harness releases the scope: the aux records after it */
    AB_DOP_LIST_FREE,   /* one block of such a reset: free(ptr, size, align) */
    AB_DOP_CODES
};

#define AB_DOP_PLAIN 0x80u /* al of a plain block: freed with AB_ALIGN_PLAIN */

/* One decoded op, 16 bytes. */
typedef struct ab_dop {
    uint8_t code;   /* enum ab_dop_code */
    uint8_t al;     /* alloc: the served alignment, log2; free, realloc, list free: the block's
                     * (| AB_DOP_PLAIN) */
    uint16_t scope; /* alloc, realloc (its fallback allocates in the block's scope), reset */
    uint32_t aux;   /* alloc: log2 of the alignment the pointer is checked against, | the
                     * requested alignment's log2 << 8 (the histograms' class); realloc: the old
                     * size; reset list: the number of list frees that follow */
    uint32_t id;
    uint32_t size; /* alloc, realloc: the new size; free, list free: the block's size */
} ab_dop;
_Static_assert(sizeof(ab_dop) == 16, "ab_dop must be 16 bytes");

static inline size_t ab_dop_align(unsigned al)
{
    return (al & AB_DOP_PLAIN) ? AB_ALIGN_PLAIN : (size_t)1 << al;
}

/* Ops that are one timed op of the trace (a list free is part of its reset). */
static inline int ab_dop_is_op(const ab_dop *d)
{
    return d->code != AB_DOP_LIST_FREE;
}

typedef struct ab_op_stream {
    /* the current window: dop[0, len), decoded from the trace's ops from `first` on */
    const ab_dop *dop;
    uint32_t len;
    uint32_t ops;   /* timed ops in the window (len minus list frees) */
    uint64_t first; /* trace index of the window's first op */
    uint64_t index; /* the window's number in the pass (0, 1, ...) */
    uint64_t start; /* dops decoded in the pass before this window */
    /* private */
    ab_dop *buf;
    uint32_t cap;
    const ab_op *ops_raw;
    uint64_t n, pos;
    const char *map; /* the trace's mapping (pages dropped behind), NULL for one in memory */
    size_t map_len;
    ab_replay_routes routes;
    int use_lists;
    int kept;                      /* the whole trace fit in one window, decoded once and kept */
    uint32_t whole_len, whole_ops; /* that window's len and ops */
    size_t dropped;                /* trace bytes below this left the process */
    uint8_t served[64];
    uint32_t *size, *next, *prev, *heads, *count; /* count: live blocks per scope (lists) */
    uint16_t *scope;
    uint8_t *meta; /* the block's al | LIVE */
    size_t nslots, nscopes;
    void *mem;
    size_t mem_len;
} ab_op_stream;

/* t must be validated and stay open. routes: the measured allocator's (replay_calls.h);
 * served: the alignment (log2) each requested one is served at; use_lists: resets are the
 * harness's (the trace resets scopes and the allocator cannot). 0, or -1 with err. */
int ab_op_stream_init(ab_op_stream *s, const ab_trace *t, const ab_replay_routes *routes,
                      const uint8_t served[64], int use_lists, char *err, size_t errlen);
void ab_op_stream_fini(ab_op_stream *s);
/* Back to the start of the trace, every id dead (the start of a pass). */
void ab_op_stream_rewind(ab_op_stream *s);
/* Decodes the next window into s->dop/s->len; returns s->len (0: the trace is done). */
uint32_t ab_op_stream_next(ab_op_stream *s);
/* The trace index of the op dop k of the current window was decoded from (for failure
 * messages: it walks the window's ops again). */
uint64_t ab_op_stream_trace_index(const ab_op_stream *s, uint32_t k);
/* After the last window: each id the trace left live (the harness frees them). */
static inline int ab_op_stream_live(const ab_op_stream *s, uint32_t id)
{
    return (s->meta[id] & 0x40u) != 0;
}
static inline uint32_t ab_op_stream_size(const ab_op_stream *s, uint32_t id)
{
    return s->size[id];
}
static inline size_t ab_op_stream_align(const ab_op_stream *s, uint32_t id)
{
    return ab_dop_align(s->meta[id] & ~0x40u);
}

#endif
