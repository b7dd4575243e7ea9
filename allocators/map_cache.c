/* map_cache.c: the bounded cache of mappings that bump.c and rpcss.c keep (map_cache.h).
 *
 * Invariants (checked by cache_invariants under the lock): the list from head holds count
 * entries, count <= max_count; bytes = the sum of their bytes_of <= limit whenever the lock is
 * free; an entry is in the list or owned by its allocator, never both; nobody reads or writes a
 * cached mapping (its content is whatever its last owner left: neither allocator promised zeroed
 * blocks). Mappings are unmapped outside the lock (munmap takes microseconds).
 */
#include "allocators/map_cache.h"

#include <assert.h>
#include <stdint.h>
#include <sys/mman.h>

static size_t bytes_of(const ab_map_cache *c, const ab_map_cached *e)
{
    return c->bytes_of ? c->bytes_of(e) : e->len;
}

/* Under c->lock. */
static void cache_invariants(const ab_map_cache *c)
{
#ifndef NDEBUG
    size_t n = 0, sum = 0;
    for (const ab_map_cached *e = c->head; e; e = e->next) {
        n++;
        sum += bytes_of(c, e);
    }
    assert(n == c->count && n <= c->max_count);
    assert(sum == c->bytes && c->bytes <= c->limit);
#endif
    (void)c;
}

static void unmap_list(ab_map_cached *e)
{
    while (e) {
        ab_map_cached *next = e->next; /* read before the mapping is gone */
        munmap(e, e->len);
        e = next;
    }
}

/* Under c->lock, with the cache possibly over its bounds: keeps the longest run of entries from
 * the head (the most recently put) within both bounds, and returns the rest, to be unmapped once
 * the lock is dropped. So the oldest go first, and mappings of a size nobody asks for any more
 * age out instead of holding the room forever. */
static ab_map_cached *cache_trim(ab_map_cache *c)
{
    if (c->count <= c->max_count && c->bytes <= c->limit)
        return NULL; /* the steady state: no walk */
    size_t n = 0, sum = 0;
    ab_map_cached **pp = &c->head;
    while (*pp && n < c->max_count && bytes_of(c, *pp) <= c->limit - sum) {
        n++;
        sum += bytes_of(c, *pp);
        pp = &(*pp)->next;
    }
    ab_map_cached *cut = *pp;
    *pp = NULL;
    c->count = n;
    c->bytes = sum;
    return cut;
}

ab_map_cached *ab_map_cache_take(ab_map_cache *c, size_t len)
{
    ab_map_cached *e = NULL;
    pthread_mutex_lock(&c->lock);
    for (ab_map_cached **pp = &c->head; *pp; pp = &(*pp)->next)
        if ((*pp)->len == len) {
            e = *pp;
            *pp = e->next;
            c->count--;
            c->bytes -= bytes_of(c, e);
            break;
        }
    cache_invariants(c);
    pthread_mutex_unlock(&c->lock);
    if (e)
        e->next = NULL;
    return e;
}

void ab_map_cache_put(ab_map_cache *c, ab_map_cached *list)
{
    ab_map_cached *drop = NULL;
    pthread_mutex_lock(&c->lock);
    while (list) {
        ab_map_cached *next = list->next;
        size_t b = bytes_of(c, list);
        if (b <= c->limit) {
            list->next = c->head;
            c->head = list;
            c->count++;
            c->bytes += b;
        } else {
            list->next = drop;
            drop = list;
        }
        list = next;
    }
    ab_map_cached *evicted = cache_trim(c);
    cache_invariants(c);
    pthread_mutex_unlock(&c->lock);
    unmap_list(drop);
    unmap_list(evicted);
}

void ab_map_cache_set_limit(ab_map_cache *c, size_t limit)
{
    pthread_mutex_lock(&c->lock);
    c->limit = limit;
    ab_map_cached *evicted = cache_trim(c);
    cache_invariants(c);
    pthread_mutex_unlock(&c->lock);
    unmap_list(evicted);
}

/* One field read under the lock. */
static size_t read_locked(ab_map_cache *c, const size_t *field)
{
    pthread_mutex_lock(&c->lock);
    size_t v = *field;
    pthread_mutex_unlock(&c->lock);
    return v;
}

size_t ab_map_cache_limit(ab_map_cache *c)
{
    return read_locked(c, &c->limit);
}

size_t ab_map_cache_count(ab_map_cache *c)
{
    return read_locked(c, &c->count);
}

size_t ab_map_cache_bytes(ab_map_cache *c)
{
    return read_locked(c, &c->bytes);
}

void ab_map_cache_purge(ab_map_cache *c)
{
    pthread_mutex_lock(&c->lock);
    ab_map_cached *all = c->head;
    c->head = NULL;
    c->count = 0;
    c->bytes = 0;
    pthread_mutex_unlock(&c->lock);
    unmap_list(all);
}
