/* rpcss.h: an RpcSs-style arena (the RpcSm* memory management package, FACTS.md §2).
 *
 * enable sets up an arena (RpcSmEnableAllocate), allocate hands out blocks (RpcSmAllocate,
 * at least 8-byte aligned, NULL plus a status on failure), free only marks a block
 * (RpcSmFree), disable releases every block at once and gives the memory back to the OS
 * (RpcSmDisableAllocate). Chunks come from mmap, `chunk_size` bytes each (a parameter: the real
 * sizes are undocumented); a request larger than a chunk gets a mapping of its own.
 *
 * Thread handles: enable makes the arena the calling thread's current one; get_thread_handle
 * returns it so another thread can adopt it with set_thread_handle (RpcSmGetThreadHandle /
 * RpcSmSetThreadHandle) and allocate from the same arena through ab_rpcss_sm_allocate. Taking
 * the handle out marks the arena shared: from then on every allocate and free takes the arena's
 * mutex (an uncontended lock/unlock pair, ~20-40 ns here). An arena whose handle was never taken
 * is used lock-free, as the server stub's own arena is.
 */
#ifndef AB_RPCSS_H
#define AB_RPCSS_H

#include <stddef.h>

#define AB_RPCSS_DEFAULT_CHUNK ((size_t)64 << 10)

typedef struct ab_rpcss_arena ab_rpcss_arena;

/* RpcSmEnableAllocate: a new arena (chunk_size 0: 64 KiB), made the thread's current one.
 * NULL with errno ENOMEM when the first chunk cannot be mapped. */
ab_rpcss_arena *ab_rpcss_enable(size_t chunk_size);
/* RpcSmAllocate: NULL with *status = ENOMEM (or EINVAL for a bad alignment) on failure, else
 * *status = 0. Alignment: at least 8, more when asked. status may be NULL. */
void *ab_rpcss_allocate(ab_rpcss_arena *a, size_t size, size_t align, int *status);
/* The same, and *carved = the arena bytes this block consumed (padding included), read under
 * the lock of a shared arena. */
void *ab_rpcss_allocate_carved(ab_rpcss_arena *a, size_t size, size_t align, int *status,
                               size_t *carved);
/* RpcSmFree: only marks the block (counts it); memory goes at disable. NULL is ignored. */
void ab_rpcss_free(ab_rpcss_arena *a, void *p);
/* RpcSmDisableAllocate: every block and chunk unmapped; the arena is gone after. */
void ab_rpcss_disable(ab_rpcss_arena *a);

/* RpcSmGetThreadHandle / RpcSmSetThreadHandle, and allocation through the current handle. */
ab_rpcss_arena *ab_rpcss_get_thread_handle(void);
void ab_rpcss_set_thread_handle(ab_rpcss_arena *a);
void *ab_rpcss_sm_allocate(size_t size, int *status);
void ab_rpcss_sm_free(void *p);

/* Introspection, for stats and tests. */
size_t ab_rpcss_mapped(const ab_rpcss_arena *a);    /* bytes mapped from the OS */
size_t ab_rpcss_allocated(const ab_rpcss_arena *a); /* bytes handed out, padding included */
size_t ab_rpcss_marked(const ab_rpcss_arena *a);    /* blocks freed (marked) so far */
int ab_rpcss_is_shared(const ab_rpcss_arena *a);

#endif
