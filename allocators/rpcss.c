/* rpcss.c: the RpcSs-style arena (API and semantics in rpcss.h) and the `rpcss` allocator entry.
 *
 * Memory comes from mmap, never malloc, so the arena is measured on its own. Disable hands the
 * arena's chunks to the chunk cache for the next arenas; the cache is bounded (its oldest chunks
 * are unmapped when it goes over), so most of a large arena's memory really goes back to the OS
 * at disable (resident memory drops; the conformance suite checks it), and purge unmaps the
 * whole cache (the suite checks that too).
 *
 * Why a cache: the RPC runtime keeps memory for the next call rather than returning it to the
 * system after every call. And here an mmap+munmap pair of a 64 KiB chunk costs 4.5-6 us, and
 * the first write to each of its 16 pages 1.7-2.7 us more (a fault and a zeroed page), against
 * ~0.05 us to write all 16 pages of a resident chunk again. Without the cache every call of the
 * rpc workload paid that: hundreds of ns per block, the kernel's price, not the arena's.
 *
 * The allocator entry maps scope -> arena: the first alloc of a scope enables its arena (made
 * the thread's current one, as RpcSmEnableAllocate does), reset(scope) disables it. free has no
 * scope, so, like RpcSmFree, it marks the block in the thread's current arena (the scope most
 * recently allocated from). No realloc: the RpcSm API has none (no AB_CAP_REALLOC). Footprint of
 * a block: the bytes its carve consumed, alignment padding included (carve_memo.h: exact right
 * after the allocation, when the replay asks; else the size rounded up to 8). create sets the
 * chunk cache's bound (ab_alloc_config.rpcss_cache, the runner's --rpcss-cache), purge unmaps
 * the cache, destroy disables every arena and purges.
 *
 * Threads: with one thread the entry takes no lock. Created for more than one thread
 * (ab_alloc_config.threads > 1, a threaded trace), the scope -> arena table is atomic and arenas
 * are enabled under a process-wide mutex, and each arena's thread handle is taken out at enable
 * (ab_rpcss_get_thread_handle, as a server stub hands its arena to the worker threads of a
 * call); a worker allocating in a call's arena adopts it with ab_rpcss_set_thread_handle. A
 * shared arena takes its mutex on every allocate, so that lock's cost is part of the result.
 * free then counts in an entry-wide atomic instead of the thread's current arena, because
 * another thread may disable that arena at any time (RpcSmFree only marks: no memory moves).
 * The chunk cache has a mutex of its own in every mode, taken when an arena needs a chunk and
 * at disable, never per block (an uncontended lock and unlock, a few ns, against the
 * microseconds of the mapping it saves).
 */
#include "allocators/rpcss.h"
#include "allocators/align.h"
#include "allocators/map_cache.h"
#include "allocators/allocator.h"
#include "allocators/carve_memo.h"
#include "allocators/provider.h"
#include "build_config.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Invariants (checked by arena_invariants; the cache's by map_cache.c):
 *   - every chunk is one mmap of `len` bytes that starts with its rpcss_chunk header (the
 *     cache's ab_map_cached: the same list link and length), and is in exactly one place: the
 *     chunk list of one enabled arena, or the chunk cache;
 *   - an arena's chunks form a list from arena->chunks; the arena itself lives in the first
 *     chunk, right after that chunk's header, so disable releases everything, the arena
 *     included, and reads nothing of the arena once its chunks are released;
 *   - the cache (map_cache.h) holds at most its bound in bytes of chunks (a release that goes
 *     over evicts the oldest); no chunk in it is read or written by anyone else (its content
 *     is whatever its last arena left: the arena never promised zeroed blocks);
 *   - a chunk is reused only for a request of exactly its len (chunk_size, or a large request's
 *     rounded length), so reuse never changes an arena's layout or its mapped count;
 *   - [cur, end) is the unused tail of the current chunk (the list's head among ordinary chunks):
 *     chunk start + header <= cur <= end = chunk start + len; blocks only come from there, or
 *     from a mapping of their own when larger than a chunk;
 *   - mapped = sum of the chunks' len; allocated <= mapped;
 *   - free never moves cur: it only counts (marked);
 *   - shared is 0 until the handle is taken out; from then on allocate and free hold lock.
 */
typedef ab_map_cached rpcss_chunk; /* next: the arena's list, or the cache's; len: the mapping */

struct ab_rpcss_arena {
    rpcss_chunk *chunks;
    uintptr_t cur, end;
    size_t chunk_size, mapped, allocated, marked;
    atomic_int shared;
    pthread_mutex_t lock;
};

static _Thread_local ab_rpcss_arena *current;

/* The chunk cache (process-wide: one allocator per process, and arenas of the direct API too),
 * bounded by bytes alone. */
static ab_map_cache chunk_cache = AB_MAP_CACHE_INIT(SIZE_MAX, AB_RPCSS_DEFAULT_CACHE, NULL);

static void arena_invariants(const ab_rpcss_arena *a)
{
    assert(a && a->chunks && a->cur <= a->end);
    assert(a->allocated <= a->mapped);
    (void)a;
}

/* A chunk of exactly len bytes: a cached one if there is, else a fresh mapping. */
static rpcss_chunk *take_chunk(size_t len)
{
    rpcss_chunk *c = ab_map_cache_take(&chunk_cache, len);
    if (!c) {
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        c = p;
        c->len = len;
    }
    c->next = NULL;
    return c;
}

/* Releases a list of chunks into the cache, which evicts its oldest chunks when over the bound
 * and unmaps at once a chunk larger than the whole bound. The list may hold the arena that
 * owned it. */
static void release_chunks(rpcss_chunk *c)
{
    ab_map_cache_put(&chunk_cache, c);
}

void ab_rpcss_set_cache_limit(size_t bytes)
{
    ab_map_cache_set_limit(&chunk_cache, bytes);
}

size_t ab_rpcss_cached(void)
{
    return ab_map_cache_bytes(&chunk_cache);
}

void ab_rpcss_purge(void)
{
    ab_map_cache_purge(&chunk_cache);
}

ab_rpcss_arena *ab_rpcss_enable(size_t chunk_size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (chunk_size == 0)
        chunk_size = AB_RPCSS_DEFAULT_CHUNK;
    chunk_size = (chunk_size + page - 1) & ~(page - 1);
    rpcss_chunk *c = take_chunk(chunk_size);
    if (!c) {
        errno = ENOMEM;
        return NULL;
    }
    ab_rpcss_arena *a = (ab_rpcss_arena *)(c + 1);
    a->chunks = c;
    a->cur = (uintptr_t)(a + 1);
    a->end = (uintptr_t)c + chunk_size;
    a->chunk_size = chunk_size;
    a->mapped = chunk_size;
    a->allocated = 0;
    a->marked = 0;
    atomic_init(&a->shared, 0);
    pthread_mutex_init(&a->lock, NULL);
    current = a;
    arena_invariants(a);
    return a;
}

/* The lock-free body of allocate. */
static void *arena_take(ab_rpcss_arena *a, size_t size, size_t align, int *status)
{
    if (ab_align_bad(align)) {
        *status = EINVAL;
        return NULL;
    }
    if (align < 8)
        align = 8;
    if (size == 0)
        size = 1; /* a unique block, as midl_user_allocate(0) */
    uintptr_t start = ab_align_up(a->cur, align);
    if (start && start <= a->end && size <= a->end - start) {
        a->allocated += (size_t)(start - a->cur) + size;
        a->cur = start + size;
        *status = 0;
        return (void *)start;
    }
    /* A fresh chunk, or a mapping of its own for a request larger than a chunk (either may come
     * from the cache). */
    size_t hdr = sizeof(rpcss_chunk), need = size + hdr + (align - 1);
    if (size > SIZE_MAX / 2 || need > SIZE_MAX / 2) {
        *status = ENOMEM;
        return NULL;
    }
    int own = need > a->chunk_size;
    size_t len = own ? ab_align_up(need, a->chunk_size) : a->chunk_size;
    rpcss_chunk *c = take_chunk(len);
    if (!c) {
        *status = ENOMEM;
        return NULL;
    }
    a->mapped += len;
    start = ab_align_up((uintptr_t)(c + 1), align);
    a->allocated += (size_t)(start - (uintptr_t)(c + 1)) + size;
    if (own) { /* keep the current chunk's tail: link behind the head */
        c->next = a->chunks->next;
        a->chunks->next = c;
    } else {
        c->next = a->chunks;
        a->chunks = c;
        a->cur = start + size;
        a->end = (uintptr_t)c + len;
    }
    arena_invariants(a);
    *status = 0;
    return (void *)start;
}

void *ab_rpcss_allocate_carved(ab_rpcss_arena *a, size_t size, size_t align, int *status,
                               size_t *carved)
{
    int st;
    if (!status)
        status = &st;
    int shared = atomic_load_explicit(&a->shared, memory_order_relaxed);
    if (shared)
        pthread_mutex_lock(&a->lock);
    size_t before = a->allocated;
    void *p = arena_take(a, size, align, status);
    *carved = a->allocated - before;
    if (shared)
        pthread_mutex_unlock(&a->lock);
    return p;
}

void *ab_rpcss_allocate(ab_rpcss_arena *a, size_t size, size_t align, int *status)
{
    size_t carved;
    return ab_rpcss_allocate_carved(a, size, align, status, &carved);
}

void ab_rpcss_free(ab_rpcss_arena *a, void *p)
{
    if (!p || !a)
        return;
    if (!atomic_load_explicit(&a->shared, memory_order_relaxed)) {
        a->marked++;
        return;
    }
    pthread_mutex_lock(&a->lock);
    a->marked++;
    pthread_mutex_unlock(&a->lock);
}

void ab_rpcss_disable(ab_rpcss_arena *a)
{
    if (!a)
        return;
    arena_invariants(a);
    if (current == a)
        current = NULL;
    pthread_mutex_destroy(&a->lock);
    /* The arena lives in one of the chunks: read nothing of it from here on. */
    release_chunks(a->chunks);
}

ab_rpcss_arena *ab_rpcss_get_thread_handle(void)
{
    if (current)
        atomic_store(&current->shared, 1);
    return current;
}

void ab_rpcss_set_thread_handle(ab_rpcss_arena *a)
{
    if (a)
        atomic_store(&a->shared, 1);
    current = a;
}

void *ab_rpcss_sm_allocate(size_t size, int *status)
{
    if (!current) {
        if (status)
            *status = EINVAL; /* no arena enabled or adopted in this thread */
        return NULL;
    }
    return ab_rpcss_allocate(current, size, 8, status);
}

size_t ab_rpcss_mapped(const ab_rpcss_arena *a)
{
    return a->mapped;
}

size_t ab_rpcss_allocated(const ab_rpcss_arena *a)
{
    return a->allocated;
}

size_t ab_rpcss_marked(const ab_rpcss_arena *a)
{
    return a->marked;
}

int ab_rpcss_is_shared(const ab_rpcss_arena *a)
{
    return atomic_load(&a->shared);
}

/* ---- the allocator entry: one arena per scope (trace scopes are 16-bit) ---- */

#define RPCSS_SCOPES 65536u
static ab_rpcss_arena *_Atomic arenas[RPCSS_SCOPES];
static _Atomic uint32_t scopes_used;
static size_t entry_chunk_size;
static int locked; /* created for more than one thread */
static pthread_mutex_t enable_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ullong threaded_marks; /* frees when locked */

static _Thread_local ab_carve_memo last_carve;

static int rpcss_create(const ab_alloc_config *cfg, char *err, size_t errlen)
{
    entry_chunk_size = cfg->rpcss_chunk_size;
    locked = cfg->threads > 1;
    ab_rpcss_set_cache_limit(cfg->rpcss_cache == AB_CACHE_OFF ? 0
                             : cfg->rpcss_cache               ? cfg->rpcss_cache
                                                              : AB_RPCSS_DEFAULT_CACHE);
    return ab_provider_verify(NULL, NULL, err, errlen);
}

static void rpcss_reset(uint32_t scope)
{
    ab_rpcss_arena *a = scope < RPCSS_SCOPES ? arenas[scope] : NULL;
    if (a) {
        arenas[scope] = NULL;
        ab_rpcss_disable(a);
    }
}

static void rpcss_destroy(void)
{
    for (uint32_t s = 0; s < scopes_used; s++)
        rpcss_reset(s);
    scopes_used = 0;
    ab_rpcss_purge();
}

/* The scope's first allocation enables its arena; locked, under enable_lock and shared at once. */
static ab_rpcss_arena *enable_scope(uint32_t scope)
{
    if (locked)
        pthread_mutex_lock(&enable_lock);
    ab_rpcss_arena *a = arenas[scope];
    if (!a && (a = ab_rpcss_enable(entry_chunk_size))) {
        if (locked)
            ab_rpcss_get_thread_handle(); /* shared from its first block on */
        arenas[scope] = a;
        if (scope >= scopes_used)
            scopes_used = scope + 1;
    }
    if (locked)
        pthread_mutex_unlock(&enable_lock);
    return a;
}

static void *rpcss_entry_alloc(size_t size, size_t align, uint32_t scope)
{
    if (scope >= RPCSS_SCOPES) {
        errno = EINVAL;
        return NULL;
    }
    ab_rpcss_arena *a = arenas[scope];
    if (__builtin_expect(!a, 0) && !(a = enable_scope(scope)))
        return NULL;
    if (locked && current != a)
        ab_rpcss_set_thread_handle(a); /* a worker adopting the call's arena */
    else
        current = a;
    int status;
    size_t carved;
    void *p = ab_rpcss_allocate_carved(a, size, align, &status, &carved);
    if (!p)
        errno = status;
    else
        ab_carve_note(&last_carve, p, carved);
    return p;
}

/* The plain entries: MIDL_user_allocate asks for no alignment; the block gets the natural
 * alignment of its size (align.h; the arena raises it to its 8). calloc zeroes the block (a chunk
 * taken from the cache holds an earlier arena's data). */
static void *rpcss_malloc(size_t size, uint32_t scope)
{
    return rpcss_entry_alloc(size, ab_plain_align(size), scope);
}

static void *rpcss_calloc(size_t size, uint32_t scope)
{
    void *p = rpcss_entry_alloc(size, ab_plain_align(size), scope);
    if (p)
        memset(p, 0, size);
    return p;
}

static void rpcss_entry_free(void *p, size_t size, size_t align)
{
    (void)size;
    (void)align;
    if (locked) {
        if (p)
            atomic_fetch_add_explicit(&threaded_marks, 1, memory_order_relaxed);
        return;
    }
    ab_rpcss_free(current, p);
}

static void *rpcss_realloc(void *p, size_t old_size, size_t new_size, size_t align)
{
    (void)p;
    (void)old_size;
    (void)new_size;
    (void)align;
    errno = ENOTSUP; /* the RpcSm API has no realloc (no AB_CAP_REALLOC) */
    return NULL;
}

/* The carve's consumed bytes (padding included, carve_memo.h), else the size rounded to 8. */
static size_t rpcss_footprint(const void *p, size_t size, size_t align)
{
    (void)align;
    return ab_carve_footprint(&last_carve, p, ab_align_up(size ? size : 1, 8));
}

static int rpcss_stats(ab_alloc_stats *out)
{
    out->have = AB_STAT_ALLOCATED | AB_STAT_MAPPED;
    out->allocated = out->mapped = out->active = out->resident = 0;
    for (uint32_t s = 0; s < scopes_used; s++)
        if (arenas[s]) {
            out->allocated += ab_rpcss_allocated(arenas[s]);
            out->mapped += ab_rpcss_mapped(arenas[s]);
        }
    out->mapped += ab_rpcss_cached(); /* still mapped, kept for the next arenas */
    return 0;
}

/* Unmaps the chunk cache; enabled arenas keep their chunks (a scope not yet reset is live). */
static void rpcss_purge(void)
{
    ab_rpcss_purge();
}

static const char *rpcss_version(void)
{
    return "alignbench " AB_VERSION;
}

const ab_allocator ab_alloc_rpcss = {
    .name = "rpcss",
    .description = "RpcSs-style arena: enable/allocate/free (marks)/disable per scope, mmap'ed "
                   "chunks",
    .caps = AB_CAP_FREE | AB_CAP_RESET | AB_CAP_RECLAIMS_AT_RESET_ONLY,
    .create = rpcss_create,
    .destroy = rpcss_destroy,
    .alloc = rpcss_entry_alloc,
    .free = rpcss_entry_free,
    .realloc = rpcss_realloc,
    .reset = rpcss_reset,
    .footprint = rpcss_footprint,
    .stats = rpcss_stats,
    .purge = rpcss_purge,
    .version = rpcss_version,
    .malloc = rpcss_malloc,
    .calloc = rpcss_calloc,
};
