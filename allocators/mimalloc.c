/* mimalloc.c: mimalloc 2 through its native API, in a runner with libmimalloc LD_PRELOADed.
 *
 * Debian's libmimalloc replaces malloc when loaded (its malloc is mi_malloc); create() checks
 * that mimalloc serves malloc and defines the native calls, then resolves them with dlsym.
 *
 * Which call serves which request: mi_malloc for align <= 16, mi_malloc_aligned above (it
 * returns NULL for an alignment that is not a power of two; we check first anyway, align.h);
 * mi_free for every block; mi_realloc / mi_realloc_aligned likewise. The plain entries (a
 * trace's malloc, calloc) are mi_malloc and mi_calloc at the program's size, a sized free is
 * mi_free_size (mi_free_size_aligned for an over-aligned block).
 *   - align <= 8: every block is word-aligned.
 *   - align 16: mimalloc's size classes up to 64 bytes step by 8 (8, 16, 24, ..., 64), so a
 *     24-byte block is only 8-aligned (the conformance suite's align-16 caught it); every class
 *     above 64 bytes is an even number of words (80, 96, 112, 128, 160, ...) and pages start
 *     16-aligned, so mi_malloc blocks of those classes are 16-aligned. A 16-aligned request asks
 *     mi_malloc for its size rounded up to 16 (at least 16) when it is 64 bytes or less, for its
 *     size as is above. mi_malloc_aligned would cost more for the same alignment: 2-3x the time
 *     of a small pair here, and above 1 KiB (past its fast path) it allocates size + 15 bytes,
 *     the next size class (20 KiB for a 16 KiB request).
 *
 * Footprint, honestly: mi_usable_size(p) is the size class for a block served at its start (every
 * mi_malloc block, so every block at align <= 16). An
 * over-aligned request that the size class does not already align takes mimalloc's fallback:
 * it allocates size + align - 1 and hands out an aligned pointer inside that block, and
 * mi_usable_size then reports only the bytes from p to the block's end. So: when the usable size
 * is exactly mi_good_size(size), the block is a plain size-class block (footprint = that size);
 * otherwise it is the fallback, and the footprint is the whole over-allocated block,
 * mi_good_size(size + align - 1) (it can only err low when the two happen to coincide).
 * Stats: Debian's build has statistics off, so mi_heap_visit_blocks over the default heap gives
 * committed bytes (mapped) and used blocks x block size (allocated); only at checkpoints, it walks
 * every page. Purge: mi_collect(true). Version: mi_version() (209 -> "2.0.9").
 */
#include "allocators/allocator.h"
#include "harness/common/error_message.h"
#include "allocators/align.h"
#include "allocators/provider.h"
#include "build_config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

/* Alignment of every mi_malloc block. */
#define MI_PLAIN_ALIGN 8u

/* The mi_malloc size whose block is 16-aligned (see above): classes above 64 bytes are. */
static inline size_t mi_size16(size_t size)
{
    return size > 64 ? size : size <= 16 ? 16 : (size + 15) & ~(size_t)15;
}

/* mimalloc.h's mi_heap_area_t (2.0.x ABI), repeated so this file builds without the header. */
typedef struct mi_area {
    void *blocks;
    size_t reserved, committed, used, block_size, full_block_size;
} mi_area;
typedef bool(mi_visit_fn)(const void *heap, const mi_area *area, void *block, size_t size,
                          void *arg);

static void *(*mi_malloc)(size_t);
static void *(*mi_malloc_aligned)(size_t, size_t);
static void (*mi_free)(void *);
static void *(*mi_calloc)(size_t, size_t);
static void (*mi_free_size)(void *, size_t);
static void (*mi_free_size_aligned)(void *, size_t, size_t);
static void *(*mi_realloc)(void *, size_t);
static void *(*mi_realloc_aligned)(void *, size_t, size_t);
static size_t (*mi_usable_size)(const void *);
static size_t (*mi_good_size)(size_t);
static void *(*mi_heap_get_default)(void);
static bool (*mi_heap_visit_blocks)(const void *, bool, mi_visit_fn *, void *);
static void (*mi_collect)(bool);
static int (*mi_version)(void);

static const struct {
    const char *name;
    void **slot;
} mi_syms[] = {
    {"mi_malloc", (void **)&mi_malloc},
    {"mi_malloc_aligned", (void **)&mi_malloc_aligned},
    {"mi_free", (void **)&mi_free},
    {"mi_calloc", (void **)&mi_calloc},
    {"mi_free_size", (void **)&mi_free_size},
    {"mi_free_size_aligned", (void **)&mi_free_size_aligned},
    {"mi_realloc", (void **)&mi_realloc},
    {"mi_realloc_aligned", (void **)&mi_realloc_aligned},
    {"mi_usable_size", (void **)&mi_usable_size},
    {"mi_good_size", (void **)&mi_good_size},
    {"mi_heap_get_default", (void **)&mi_heap_get_default},
    {"mi_heap_visit_blocks", (void **)&mi_heap_visit_blocks},
    {"mi_collect", (void **)&mi_collect},
    {"mi_version", (void **)&mi_version},
};
#define MI_NSYMS (sizeof mi_syms / sizeof mi_syms[0])

static int mi_create(const ab_alloc_config *cfg, char *err, size_t errlen)
{
    const char *lib = cfg->preload_path ? cfg->preload_path : AB_MIMALLOC_PATH;
    if (!lib || !*lib)
        return ab_fail(err, errlen,
                       "libmimalloc not found at configure time (install "
                       "libmimalloc-dev and rebuild)");
    const char *natives[MI_NSYMS + 1];
    for (size_t i = 0; i < MI_NSYMS; i++)
        natives[i] = mi_syms[i].name;
    natives[MI_NSYMS] = NULL;
    if (ab_provider_verify(lib, natives, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < MI_NSYMS; i++)
        if (!(*mi_syms[i].slot = ab_provider_sym(mi_syms[i].name, err, errlen)))
            return -1;
    return 0;
}

static void mi_destroy(void) {}

static void *mi_alloc(size_t size, size_t align, uint32_t scope)
{
    (void)scope;
    if (ab_align_bad(align)) {
        errno = EINVAL;
        return NULL;
    }
    void *p = align <= MI_PLAIN_ALIGN     ? mi_malloc(size)
              : align == AB_NATURAL_ALIGN ? mi_malloc(mi_size16(size))
                                          : mi_malloc_aligned(size, align);
    if (!p)
        errno = ENOMEM;
    return p;
}

/* The plain entries: mi_malloc and mi_calloc at the program's size (8-aligned classes below 64
 * bytes, as in the program). */
static void *mi_malloc_plain(size_t size, uint32_t scope)
{
    (void)scope;
    return mi_malloc(size);
}

static void *mi_calloc_plain(size_t size, uint32_t scope)
{
    (void)scope;
    return mi_calloc(1, size);
}

/* A sized free: mi_free_size with the size mi_alloc asked for (mi_free_size_aligned above 16). */
static void mi_free_sized(void *p, size_t size, size_t align)
{
    if (align <= MI_PLAIN_ALIGN)
        mi_free_size(p, size);
    else if (align == AB_NATURAL_ALIGN)
        mi_free_size(p, mi_size16(size));
    else
        mi_free_size_aligned(p, size, align);
}

static void mi_free_block(void *p, size_t size, size_t align)
{
    (void)size;
    (void)align;
    mi_free(p);
}

static void *mi_realloc_block(void *p, size_t old_size, size_t new_size, size_t align)
{
    (void)old_size;
    if (new_size == 0)
        new_size = 1; /* the block stays live */
    return align <= MI_PLAIN_ALIGN     ? mi_realloc(p, new_size)
           : align == AB_NATURAL_ALIGN ? mi_realloc(p, mi_size16(new_size))
                                       : mi_realloc_aligned(p, new_size, align);
}

static void mi_reset(uint32_t scope)
{
    (void)scope;
}

static size_t mi_footprint(const void *p, size_t size, size_t align)
{
    size_t usable = mi_usable_size(p), plain = mi_good_size(size);
    if (align <= AB_NATURAL_ALIGN || usable == plain)
        return usable;
    return mi_good_size(size + align - 1);
}

typedef struct mi_totals {
    uint64_t committed, used;
} mi_totals;

static bool mi_visit(const void *heap, const mi_area *area, void *block, size_t size, void *arg)
{
    (void)heap;
    (void)block;
    (void)size;
    mi_totals *t = arg;
    t->committed += area->committed;
    t->used += (uint64_t)area->used * area->block_size;
    return true;
}

static int mi_stats(ab_alloc_stats *out)
{
    mi_totals t = {0, 0};
    if (!mi_heap_visit_blocks(mi_heap_get_default(), false, mi_visit, &t)) {
        out->have = 0;
        return -1;
    }
    out->have = AB_STAT_ALLOCATED | AB_STAT_MAPPED;
    out->allocated = t.used;
    out->mapped = t.committed;
    out->active = out->resident = 0;
    return 0;
}

static void mi_purge(void)
{
    mi_collect(true);
}

static const char *mi_version_string(void)
{
    static char buf[32];
    int v = mi_version ? mi_version() : 0;
    snprintf(buf, sizeof buf, "%d.%d.%d", v / 100, (v / 10) % 10, v % 10);
    return buf;
}

const ab_allocator ab_alloc_mimalloc = {
    .name = "mimalloc",
    .description = "mimalloc 2 (preloaded): mi_malloc up to 16-byte alignment, "
                   "mi_malloc_aligned above",
    .caps =
        AB_CAP_FREE | AB_CAP_REALLOC | AB_CAP_NATIVE_ALIGNED | AB_CAP_PRELOAD | AB_CAP_THREAD_SAFE,
    .create = mi_create,
    .destroy = mi_destroy,
    .alloc = mi_alloc,
    .free = mi_free_block,
    .realloc = mi_realloc_block,
    .reset = mi_reset,
    .footprint = mi_footprint,
    .stats = mi_stats,
    .purge = mi_purge,
    .version = mi_version_string,
    .malloc = mi_malloc_plain,
    .calloc = mi_calloc_plain,
    .free_sized = mi_free_sized,
};
