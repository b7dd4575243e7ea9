/* replay_calls.h: the allocator calls a replay makes, shared by the single-threaded replay
 * (replay.c) and the threaded one (replay_threads.c), so both call an allocator the same way:
 * the function pointers copied out of the ab_allocator (one indirect call per op, the same
 * machine code for every allocator), and a realloc that falls back to what a program would do
 * when the allocator has none (alloc + copy + free).
 */
#ifndef AB_REPLAY_CALLS_H
#define AB_REPLAY_CALLS_H

#include "allocators/allocator.h"

#include <stdint.h>
#include <string.h>

typedef struct ab_replay_fns {
    void *(*alloc)(size_t, size_t, uint32_t);
    void (*free)(void *, size_t, size_t);
    void *(*realloc)(void *, size_t, size_t, size_t);
    void (*reset)(uint32_t);
    size_t (*footprint)(const void *, size_t, size_t);
} ab_replay_fns;

static inline ab_replay_fns ab_replay_fns_of(const ab_allocator *a)
{
    return (ab_replay_fns){a->alloc, a->free, a->realloc, a->reset, a->footprint};
}

/* Resize the block p (old_size bytes, aligned to align, in scope) to new_size. */
static inline __attribute__((always_inline)) void *
ab_replay_realloc(const ab_replay_fns *f, unsigned caps, void *p, size_t old_size, size_t new_size,
                  size_t align, uint32_t scope)
{
    if (caps & AB_CAP_REALLOC)
        return f->realloc(p, old_size, new_size, align);
    void *q = f->alloc(new_size, align, scope);
    if (q && q != p) {
        memcpy(q, p, old_size < new_size ? old_size : new_size);
        f->free(p, old_size, align);
    }
    return q;
}

#endif
