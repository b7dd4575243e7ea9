/* null_alloc.c: the null allocator of the replay floor (see null_alloc.h). */
#include "harness/measure/null_alloc.h"
#include "harness/measure/memstat.h"

#include <stdint.h>

static void *block;   /* aligned start handed out */
static void *mapping; /* what was mapped */
static size_t mapping_len;
static size_t stride; /* distance between the threads' blocks */
static unsigned nthreads;
static _Thread_local void *thread_block; /* the threaded floor's block of this thread */

int ab_null_prepare_threads(size_t max_size, size_t max_align, unsigned threads)
{
    ab_null_release();
    if (max_align < 64)
        max_align = 64;
    stride = (max_size + max_align - 1) & ~(max_align - 1);
    if (!stride)
        stride = max_align;
    mapping_len = stride * (threads + 1) + max_align + 1;
    mapping = ab_harness_map(mapping_len, 0);
    if (!mapping)
        return -1;
    uintptr_t p = ((uintptr_t)mapping + max_align - 1) & ~(uintptr_t)(max_align - 1);
    block = (void *)p;
    nthreads = threads;
    return 0;
}

int ab_null_prepare(size_t max_size, size_t max_align)
{
    return ab_null_prepare_threads(max_size, max_align, 0);
}

void ab_null_bind_thread(unsigned k)
{
    thread_block = k < nthreads ? (char *)block + stride * (k + 1) : block;
}

void ab_null_release(void)
{
    ab_harness_unmap(mapping, mapping_len);
    mapping = block = NULL;
    mapping_len = 0;
    nthreads = 0;
}

static int null_create(const ab_alloc_config *cfg, char *err, size_t errlen)
{
    (void)cfg;
    (void)err;
    (void)errlen;
    return 0;
}

static void null_destroy(void) {}

static void *null_alloc(size_t size, size_t align, uint32_t scope)
{
    (void)size;
    (void)align;
    (void)scope;
    return block;
}

static void *null_threaded_alloc(size_t size, size_t align, uint32_t scope)
{
    (void)size;
    (void)align;
    (void)scope;
    return thread_block;
}

static void *null_malloc(size_t size, uint32_t scope)
{
    (void)size;
    (void)scope;
    return block;
}

static void *null_threaded_malloc(size_t size, uint32_t scope)
{
    (void)size;
    (void)scope;
    return thread_block;
}

static void null_free(void *p, size_t size, size_t align)
{
    (void)p;
    (void)size;
    (void)align;
}

static void *null_realloc(void *p, size_t old_size, size_t new_size, size_t align)
{
    (void)old_size;
    (void)new_size;
    (void)align;
    return p;
}

static void null_reset(uint32_t scope)
{
    (void)scope;
}

static size_t null_footprint(const void *p, size_t size, size_t align)
{
    (void)p;
    (void)align;
    return size;
}

static int null_stats(ab_alloc_stats *out)
{
    out->have = 0;
    return -1;
}

static void null_purge(void) {}

static const char *null_version(void)
{
    return "null";
}

const ab_allocator ab_null_allocator = {
    .name = "null",
    .description = "the replay floor: one pre-made block for every allocation, frees do nothing",
    .caps = AB_CAP_FREE | AB_CAP_REALLOC | AB_CAP_RESET | AB_CAP_NATIVE_ALIGNED,
    .create = null_create,
    .destroy = null_destroy,
    .alloc = null_alloc,
    .free = null_free,
    .realloc = null_realloc,
    .reset = null_reset,
    .footprint = null_footprint,
    .stats = null_stats,
    .purge = null_purge,
    .version = null_version,
    .malloc = null_malloc,
    .calloc = null_malloc, /* no zeroing: the floor of an allocator's calloc is its call */
    .free_sized = null_free,
};

/* The threaded floor: the same, with one block per thread (touching one block from two threads
 * at once would be a data race, and would measure cache-line sharing the real allocators do not
 * have). */
const ab_allocator ab_null_threaded_allocator = {
    .name = "null",
    .description = "the threaded replay floor: one pre-made block per thread",
    .caps =
        AB_CAP_FREE | AB_CAP_REALLOC | AB_CAP_RESET | AB_CAP_NATIVE_ALIGNED | AB_CAP_THREAD_SAFE,
    .create = null_create,
    .destroy = null_destroy,
    .alloc = null_threaded_alloc,
    .free = null_free,
    .realloc = null_realloc,
    .reset = null_reset,
    .footprint = null_footprint,
    .stats = null_stats,
    .purge = null_purge,
    .version = null_version,
    .malloc = null_threaded_malloc,
    .calloc = null_threaded_malloc,
    .free_sized = null_free,
};
