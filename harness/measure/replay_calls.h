/* replay_calls.h: the allocator calls a replay makes, shared by the single-threaded replay
 * (replay.c) and the threaded one (replay_threads.c), so both call an allocator the same way:
 * the function pointers copied out of the ab_allocator (one indirect call per op, the same
 * machine code for every allocator), the route each entry point of the trace takes (trace.h,
 * enum ab_entry), and a realloc that falls back to what a program would do when the allocator
 * has none (alloc + copy + free).
 *
 * Routes are fixed at create time from the *measured* allocator's table (which optional entries
 * it has), so the floor (the null allocator, which has them all) replays the same harness path.
 */
#ifndef AB_REPLAY_CALLS_H
#define AB_REPLAY_CALLS_H

#include "allocators/allocator.h"
#include "workloads/trace.h"

#include <stdint.h>
#include <string.h>

typedef struct ab_replay_fns {
    void *(*alloc)(size_t, size_t, uint32_t);
    void *(*malloc)(size_t, uint32_t);
    void *(*calloc)(size_t, uint32_t);
    void (*free)(void *, size_t, size_t);
    void (*free_sized)(void *, size_t, size_t);
    void *(*realloc)(void *, size_t, size_t, size_t);
    void (*reset)(uint32_t);
    size_t (*footprint)(const void *, size_t, size_t);
} ab_replay_fns;

static inline ab_replay_fns ab_replay_fns_of(const ab_allocator *a)
{
    return (ab_replay_fns){a->alloc,      a->malloc,  a->calloc, a->free,
                           a->free_sized, a->realloc, a->reset,  a->footprint};
}

/* Ops the replay calls the allocator for (marks and timestamps are neither run nor counted). */
static inline int ab_op_is_timed(const ab_op *op)
{
    return op->kind >= AB_OP_ALLOC && op->kind <= AB_OP_RESET;
}

/* How an alloc op reaches the allocator. */
enum ab_alloc_route {
    AB_ROUTE_ALIGNED = 0, /* alloc(size, 1 << align_log2, scope): an aligned block */
    AB_ROUTE_MALLOC = 1,  /* malloc(size, scope): a plain block (AB_ALIGN_PLAIN) */
    AB_ROUTE_CALLOC = 2,  /* calloc(size, scope): a plain block the allocator zeroed */
};

/* Per entry point: the alloc route, and whether a free goes to free_sized. */
typedef struct ab_replay_routes {
    uint8_t alloc[16];
    uint8_t sized_free[16];
} ab_replay_routes;

static inline ab_replay_routes ab_replay_routes_of(const ab_allocator *policy)
{
    ab_replay_routes r;
    memset(&r, 0, sizeof r);
    if (policy->malloc)
        r.alloc[AB_ENTRY_MALLOC] = r.alloc[AB_ENTRY_NEW] = r.alloc[AB_ENTRY_CALLOC] =
            AB_ROUTE_MALLOC;
    if (policy->malloc && policy->calloc)
        r.alloc[AB_ENTRY_CALLOC] = AB_ROUTE_CALLOC;
    if (policy->free_sized)
        r.sized_free[AB_ENTRY_FREE_SIZED] = r.sized_free[AB_ENTRY_FREE_ALIGNED_SIZED] = 1;
    return r;
}

/* The alignment a returned block is checked against: an aligned block its alignment, a plain
 * one what C requires of malloc (min(the trace's alignment, the largest power of two <= size):
 * jemalloc's 8-byte class is 8-aligned, which is right for malloc(5)). */
static inline size_t ab_replay_check_align(unsigned route, size_t align, size_t size)
{
    if (route == AB_ROUTE_ALIGNED)
        return align;
    size_t natural = size >= align ? align
                     : size        ? (size_t)1 << (63 - __builtin_clzll((unsigned long long)size))
                                   : 1;
    return natural < align ? natural : align;
}

/* Resize the block p (old_size bytes, aligned to align or AB_ALIGN_PLAIN, in scope) to
 * new_size. */
static inline __attribute__((always_inline)) void *
ab_replay_realloc(const ab_replay_fns *f, unsigned caps, void *p, size_t old_size, size_t new_size,
                  size_t align, uint32_t scope)
{
    if (caps & AB_CAP_REALLOC)
        return f->realloc(p, old_size, new_size, align);
    void *q =
        align == AB_ALIGN_PLAIN ? f->malloc(new_size, scope) : f->alloc(new_size, align, scope);
    if (q && q != p) {
        memcpy(q, p, old_size < new_size ? old_size : new_size);
        f->free(p, old_size, align);
    }
    return q;
}

#endif
