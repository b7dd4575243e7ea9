/* tbbmalloc_plugin.c: the worked example of a plug-in with the native table of
 * alignbench_plugin.h: oneTBB's scalable allocator (Debian's libtbbmalloc2) run as
 * `alignbench run --alloc tbb=build/allocators/examples/libab_tbbmalloc_plugin.so`.
 *
 * Why it replaces malloc itself instead of depending on libtbbmalloc_proxy.so.2: a library that
 * LD_PRELOAD names comes before the C library in the symbol lookup order, but its own
 * dependencies come after it, so a proxy pulled in as a dependency of the preloaded plug-in
 * never serves malloc (the C library's comes first). So this file does what the proxy does: it
 * defines the malloc family on top of tbbmalloc's scalable_* calls (libtbbmalloc.so.2, linked by
 * its full path because Debian ships no unversioned link for it without libtbb-dev), and
 * exports the table: aligned requests through scalable_aligned_malloc / scalable_aligned_free,
 * footprint from tbbmalloc's layout (scalable_msize and the alignment slack it hides, below),
 * purge through
 * scalable_allocation_command(TBBMALLOC_CLEAN_ALL_BUFFERS). tbbmalloc has no statistics API.
 */
#include "allocators/alignbench_plugin.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* libtbbmalloc.so.2's C interface (oneTBB's tbb/scalable_allocator.h, which Debian ships only in
 * libtbb-dev). */
void *scalable_malloc(size_t size);
void scalable_free(void *p);
void *scalable_calloc(size_t n, size_t size);
void *scalable_realloc(void *p, size_t size);
int scalable_posix_memalign(void **memptr, size_t align, size_t size);
void *scalable_aligned_malloc(size_t size, size_t align);
void scalable_aligned_free(void *p);
size_t scalable_msize(void *p);
int scalable_allocation_command(int cmd, void *param);
#define TBBMALLOC_CLEAN_ALL_BUFFERS 0

/* The malloc family, so that this library (the one preloaded) is the one serving malloc. */
void *malloc(size_t size)
{
    return scalable_malloc(size);
}

void free(void *p)
{
    scalable_free(p);
}

void *calloc(size_t n, size_t size)
{
    return scalable_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    return scalable_realloc(p, size);
}

int posix_memalign(void **memptr, size_t align, size_t size)
{
    return scalable_posix_memalign(memptr, align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    void *p = NULL;
    int rc = scalable_posix_memalign(&p, align, size);
    if (rc != 0) {
        errno = rc;
        return NULL;
    }
    return p;
}

void *memalign(size_t align, size_t size)
{
    return aligned_alloc(align, size);
}

void *valloc(size_t size)
{
    return scalable_aligned_malloc(size, 4096);
}

void *pvalloc(size_t size)
{
    return scalable_aligned_malloc((size + 4095) & ~(size_t)4095, 4096);
}

size_t malloc_usable_size(void *p)
{
    return p ? scalable_msize(p) : 0;
}

/* Footprint: tbbmalloc's layout (oneTBB 2021, frontend.cpp's allocateAligned). Blocks up to
 * 1024 bytes at alignments up to 1024 come from segregated size classes, aligned by rounding the
 * size up: scalable_msize is their footprint. Anything else below 8129 bytes comes from the five
 * "fitting" classes, 9, 6, 4, 3 or 2 objects per 16 KiB slab (1792, 2688, 4032, 5376 or 8128
 * bytes). At an alignment above 64 such a block is carved from an object of size + align bytes
 * and aligned inside it, and scalable_msize only counts from the aligned address to the object's
 * end: the whole object, and its share of the slab, is the block's cost (a 100-byte block at
 * 4096 takes a third of a slab, 5461 bytes, where scalable_msize says 2816). Larger blocks are
 * mapped on their own: scalable_msize, a lower bound by the alignment slack at most. */
#define TBB_SLAB 16384u
#define TBB_SEGREGATED_MAX 1024u
#define TBB_FITTING_MAX 8128u
#define TBB_FITTING_ALIGN 64u

static size_t slab_share(size_t object)
{
    static const unsigned per_slab[] = {9, 6, 4, 3, 2};
    for (size_t i = 0; i < sizeof per_slab / sizeof per_slab[0]; i++) {
        size_t fitting = ((TBB_SLAB - 128u) / per_slab[i]) & ~(size_t)(TBB_FITTING_ALIGN - 1);
        if (object <= fitting)
            return TBB_SLAB / per_slab[i];
    }
    return object;
}

static size_t tbb_footprint(const void *p, size_t size, size_t align)
{
    size_t usable = scalable_msize((void *)p);
    if (size <= TBB_SEGREGATED_MAX && align <= TBB_SEGREGATED_MAX)
        return usable;
    if (align <= TBB_FITTING_ALIGN && size <= TBB_FITTING_MAX)
        return slab_share(usable);
    if (size + align <= TBB_FITTING_MAX)
        return slab_share(size + align);
    return usable;
}

/* The table's other entries. */

static void tbb_purge(void)
{
    scalable_allocation_command(TBBMALLOC_CLEAN_ALL_BUFFERS, NULL);
}

const struct alignbench_plugin_v1 alignbench_plugin_v1 = {
    .version = ALIGNBENCH_PLUGIN_VERSION,
    .size = sizeof(struct alignbench_plugin_v1),
    .aligned_alloc = scalable_aligned_malloc,
    .aligned_free = scalable_aligned_free,
    .aligned_alloc_name = "scalable_aligned_malloc",
    .aligned_free_name = "scalable_aligned_free",
    .footprint = tbb_footprint,
    .footprint_name = "tbbmalloc's slab layout and scalable_msize",
    .usable_size = scalable_msize,
    .usable_size_name = "scalable_msize",
    .purge = tbb_purge,
    .purge_name = "scalable_allocation_command(TBBMALLOC_CLEAN_ALL_BUFFERS)",
};
