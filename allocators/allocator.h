/* allocator.h: the one interface every allocator sits behind (docs/allocators.md).
 *
 * Like `struct file_operations`: a table of function pointers per allocator, one file per
 * allocator under allocators/. The runner holds exactly one allocator per process (because
 * jemalloc and mimalloc replace malloc when loaded), so backends keep their state in file-scope
 * statics and the calls take no `self` pointer; the replay loop's machine code is the same for
 * every allocator.
 *
 * Scopes: every allocation belongs to a scope (an RPC call, an IL module). `reset(scope)` is the
 * bulk release at the end of that scope. Allocators with AB_CAP_RESET release the scope's blocks
 * themselves (rpcss disable, bump module unload); for the others the replay frees the scope's
 * live blocks one by one and never calls `reset`. A reset may keep some of the scope's memory
 * committed for the next scope (bump and rpcss do, bounded); `purge` gives that back.
 */
#ifndef AB_ALLOCATOR_H
#define AB_ALLOCATOR_H

#include <stddef.h>
#include <stdint.h>

enum ab_alloc_caps {
    AB_CAP_FREE = 1u << 0,           /* frees individual blocks (bump: no) */
    AB_CAP_REALLOC = 1u << 1,        /* has a realloc that keeps content */
    AB_CAP_RESET = 1u << 2,          /* releases a whole scope at once */
    AB_CAP_NATIVE_ALIGNED = 1u << 3, /* has its own aligned API (vs over-allocate) */
    AB_CAP_PRELOAD = 1u << 4,        /* needs its library LD_PRELOADed into the runner */
    AB_CAP_THREAD_SAFE = 1u << 5,    /* alloc/free may be called from several threads */
    /* Memory comes back only when its scope is reset (bump: free does nothing; rpcss: free only
     * marks). On a trace that frees blocks but has no scopes such an allocator never reuses a
     * byte, so `run` reports the cell as not applicable instead of measuring page faults. */
    AB_CAP_RECLAIMS_AT_RESET_ONLY = 1u << 6,
};

/* What the allocator can tell about itself; `have` says which fields are filled. */
enum ab_stat_have {
    AB_STAT_ALLOCATED = 1u << 0, /* bytes handed out (the allocator's own size classes) */
    AB_STAT_ACTIVE = 1u << 1,    /* bytes in pages holding live blocks */
    AB_STAT_RESIDENT = 1u << 2,  /* bytes resident, by the allocator's account */
    AB_STAT_MAPPED = 1u << 3,    /* bytes mapped or committed from the OS */
};
typedef struct ab_alloc_stats {
    unsigned have;
    uint64_t allocated, active, resident, mapped;
} ab_alloc_stats;

#define AB_CACHE_OFF SIZE_MAX /* ab_alloc_config.bump_cache / rpcss_cache: no cache */

typedef struct ab_alloc_config {
    /* Path of the library that must be serving malloc in this process (preloaded allocators,
     * and `--alloc NAME=/path/lib.so` plug-ins); NULL for the C library. */
    const char *preload_path;
    size_t rpcss_chunk_size; /* 0: the backend's default */
    size_t bump_window;      /* 0: 4 GiB, the IMethodMalloc RVA limit */
    /* Committed memory bump and rpcss keep after a scope's reset for the next scope, in bytes
     * (bump: committed bytes of cached module windows; rpcss: bytes of cached chunks).
     * 0: the backend's default; AB_CACHE_OFF: keep nothing (every reset unmaps). */
    size_t bump_cache, rpcss_cache;
    /* Threads that will call the allocator at once (0 or 1: one). Backends without
     * AB_CAP_THREAD_SAFE (bump, rpcss) turn their documented locking on when it is above 1. */
    unsigned threads;
} ab_alloc_config;

typedef struct ab_allocator {
    const char *name;
    const char *description;
    unsigned caps;

    /* Set up (resolve dlsym'd APIs, map regions) and check that the allocator serving this
     * process is the one asked for. Returns 0, or -1 with a message in err. */
    int (*create)(const ab_alloc_config *cfg, char *err, size_t errlen);
    void (*destroy)(void);

    /* The aligned entry: align is a power of two >= 1; size may be 0 (the backend decides what
     * that returns). */
    void *(*alloc)(size_t size, size_t align, uint32_t scope);
    /* p may be NULL; size and align are those of the allocation, align AB_ALIGN_PLAIN (0) for a
     * block of `malloc` or `calloc`. An unsized free (free, operator delete): the allocator may
     * not rely on size. No-op without AB_CAP_FREE. */
    void (*free)(void *p, size_t size, size_t align);
    /* Returns NULL on failure with the old block untouched. align as for free: a plain block
     * stays plain (realloc), an aligned one keeps its alignment. */
    void *(*realloc)(void *p, size_t old_size, size_t new_size, size_t align);
    /* Bulk release of every block of the scope (only with AB_CAP_RESET). */
    void (*reset)(uint32_t scope);

    /* Bytes this block really takes: size class, header, alignment padding. */
    size_t (*footprint)(const void *p, size_t size, size_t align);
    /* The allocator's own view; returns 0 when anything was filled. */
    int (*stats)(ab_alloc_stats *out);
    /* Give unused memory back to the OS (arena purge, mi_collect, malloc_trim; bump and rpcss:
     * the committed memory they keep from reset scopes for the next ones). */
    void (*purge)(void);
    /* Version string of the library, e.g. "5.3.0-0-g54eaed1d8b56..." */
    const char *(*version)(void);

    /* Optional entry points (NULL: not there), for traces that say which one the program called
     * (trace.h, enum ab_entry; the mapping per allocator is in docs/allocators.md):
     *   malloc: the plain malloc at the original size, aligned as C requires of malloc (to
     *     min(16, the largest power of two <= size)). NULL: the replay calls
     *     alloc(size, AB_NATURAL_ALIGN, scope) and the block is an aligned one.
     *   calloc: a zeroed plain block of size bytes. NULL: the plain route above, then the replay
     *     zeroes the block itself.
     *   free_sized: a free where the program told the size (free_sized, sdallocx, sized
     *     delete); arguments as for free. NULL: free.
     * A block from malloc or calloc is freed, reallocated and measured (footprint) with align
     * AB_ALIGN_PLAIN. */
    void *(*malloc)(size_t size, uint32_t scope);
    void *(*calloc)(size_t size, uint32_t scope);
    void (*free_sized)(void *p, size_t size, size_t align);
} ab_allocator;

/* The align argument of free, realloc and footprint for a block of the plain entries. */
#define AB_ALIGN_PLAIN 0u

/* The registry (allocators/registry.c): the built-in allocators, in display order. */
extern const ab_allocator *const ab_allocators[];
extern const size_t ab_allocator_count;
const ab_allocator *ab_allocator_find(const char *name);

#endif
