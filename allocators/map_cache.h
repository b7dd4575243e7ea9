/* map_cache.h: a bounded, process-wide cache of whole mappings, kept for reuse by size.
 *
 * The bump allocator keeps an unloaded module's window, and the RpcSs arena its released
 * chunks, rather than unmapping them: the next module or arena of that size takes one back
 * without a system call, its pages already faulted in (docs/allocators.md says what each saves).
 * Both caches are the same: a list, most recently put first, bounded by a number of entries and
 * by the bytes its entries hold; going over a bound unmaps the oldest entries, and an entry that
 * alone is over the byte bound is unmapped at once. Every mapping starts with its ab_map_cached
 * header (the allocator's own chunk or module header begins with it), so the cache unmaps an
 * entry from the header alone. Thread-safe: a mutex of its own, never held across a system call.
 */
#ifndef AB_MAP_CACHE_H
#define AB_MAP_CACHE_H

#include <pthread.h>
#include <stddef.h>

/* The start of a mapping the cache can hold. */
typedef struct ab_map_cached {
    struct ab_map_cached *next; /* the cache's list (the owner's own list while it holds it) */
    size_t len;                 /* the mapping's length: what a take asks for */
} ab_map_cached;

typedef struct ab_map_cache {
    pthread_mutex_t lock;
    ab_map_cached *head;                       /* most recently put first */
    size_t count, bytes;                       /* the entries, and the sum of their bytes_of */
    size_t max_count, limit;                   /* the bounds */
    size_t (*bytes_of)(const ab_map_cached *); /* what an entry holds (NULL: its len) */
} ab_map_cache;

#define AB_MAP_CACHE_INIT(max_count, limit, bytes_of)                                              \
    {                                                                                              \
        PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, (max_count), (limit), (bytes_of)                    \
    }

/* A cached mapping of exactly len bytes, out of the cache (next NULL), or NULL. */
ab_map_cached *ab_map_cache_take(ab_map_cache *c, size_t len);
/* Puts a list of mappings (linked through next) at the head of the cache, unmapping any that
 * alone is over the byte bound and then the oldest entries while over a bound. */
void ab_map_cache_put(ab_map_cache *c, ab_map_cached *list);
/* The byte bound: set (lowering it unmaps the oldest entries until it holds), read. */
void ab_map_cache_set_limit(ab_map_cache *c, size_t limit);
size_t ab_map_cache_limit(ab_map_cache *c);
/* What the cache holds now: entries, bytes. */
size_t ab_map_cache_count(ab_map_cache *c);
size_t ab_map_cache_bytes(ab_map_cache *c);
/* Unmaps every cached mapping. */
void ab_map_cache_purge(ab_map_cache *c);

#endif
