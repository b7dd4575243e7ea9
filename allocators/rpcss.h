/* rpcss.h: an RpcSs-style arena (the RpcSm* memory management package, docs/allocators.md).
 *
 * enable sets up an arena (RpcSmEnableAllocate), allocate hands out blocks (RpcSmAllocate,
 * at least 8-byte aligned, NULL plus a status on failure), free only marks a block
 * (RpcSmFree), disable releases every block at once (RpcSmDisableAllocate). Chunks come from
 * mmap, `chunk_size` bytes each (a parameter: the real sizes are undocumented); a request larger
 * than a chunk gets a mapping of its own.
 *
 * Chunk cache: disable does not unmap an arena's chunks but keeps them, committed, in a
 * process-wide cache bounded in bytes (ab_rpcss_set_cache_limit, default AB_RPCSS_DEFAULT_CACHE);
 * when it goes over, its oldest chunks are unmapped. enable and allocate take a cached chunk of
 * the length they need before mapping one, so a steady stream of calls maps nothing once the
 * cache holds a call's worth. ab_rpcss_purge unmaps the whole cache. The cache is shared by all
 * threads, under a mutex of its own (taken once per chunk, not per block).
 *
 * Thread handles: enable makes the arena the calling thread's current one; get_thread_handle
 * returns it so another thread can adopt it with set_thread_handle (RpcSmGetThreadHandle /
 * RpcSmSetThreadHandle) and allocate from the same arena through ab_rpcss_sm_allocate. Taking
 * the handle out marks the arena shared: from then on every allocate and free takes the arena's
 * mutex (its cost: docs/lab-notes.md). An arena whose handle was never taken
 * is used lock-free, as the server stub's own arena is.
 */
#ifndef AB_RPCSS_H
#define AB_RPCSS_H

#include <stddef.h>

#define AB_RPCSS_DEFAULT_CHUNK ((size_t)64 << 10)
/* 1 MiB: 16 default chunks. A call of the rpc workload takes one chunk, plus one for each [out]
 * buffer (4 to 64 KiB, up to 3 a call) that does not fit the current chunk's tail (128 KiB, a
 * mapping of its own, for one of nearly 64 KiB): 448 KiB at most. So the cache keeps any call's
 * memory for the next one, and a couple of calls in flight at once for a threaded server; and
 * disabling a large arena still gives all but 1 MiB of it back at once. */
#define AB_RPCSS_DEFAULT_CACHE ((size_t)1 << 20)

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
/* RpcSmDisableAllocate: every block released at once; the arena is gone after. Its chunks go to
 * the chunk cache (a chunk larger than the whole bound is unmapped; the cache's oldest chunks
 * are when it goes over the bound). */
void ab_rpcss_disable(ab_rpcss_arena *a);

/* The chunk cache: its bound in bytes (0: keep nothing; lowering it unmaps what is over), the
 * bytes it holds now, and purge, which unmaps every cached chunk. Thread-safe. */
void ab_rpcss_set_cache_limit(size_t bytes);
size_t ab_rpcss_cached(void);
void ab_rpcss_purge(void);

/* RpcSmGetThreadHandle / RpcSmSetThreadHandle, and allocation through the current handle. */
ab_rpcss_arena *ab_rpcss_get_thread_handle(void);
void ab_rpcss_set_thread_handle(ab_rpcss_arena *a);
void *ab_rpcss_sm_allocate(size_t size, int *status);

/* Introspection, for stats and tests. */
size_t ab_rpcss_mapped(const ab_rpcss_arena *a);    /* bytes mapped from the OS */
size_t ab_rpcss_allocated(const ab_rpcss_arena *a); /* bytes handed out, padding included */
size_t ab_rpcss_marked(const ab_rpcss_arena *a);    /* blocks freed (marked) so far */
int ab_rpcss_is_shared(const ab_rpcss_arena *a);

#endif
