/* alignbench_plugin.h: the optional table a malloc-replacement plug-in (`alignbench run --alloc
 * NAME=/path/lib.so`) exports so that alignbench measures it through its own aligned entry points,
 * footprint, statistics and purge instead of posix_memalign and malloc_usable_size.
 *
 * Self-contained (C99 and the C library only), and installed with alignbench as
 * <alignbench/alignbench_plugin.h>: build against it with `pkg-config --cflags alignbench-plugin`
 * or CMake's find_package(alignbench) and its target alignbench::plugin (docs/allocators.md).
 * The plug-in library still replaces malloc, free, realloc, posix_memalign and
 * malloc_usable_size; the table only adds what the C interface cannot say. Export it under the
 * symbol name ALIGNBENCH_PLUGIN_SYMBOL:
 *
 *     const struct alignbench_plugin_v1 alignbench_plugin_v1 = {
 *         .version = ALIGNBENCH_PLUGIN_VERSION, .size = sizeof(struct alignbench_plugin_v1),
 *         .aligned_alloc = my_aligned_malloc, .aligned_alloc_name = "my_aligned_malloc", ...};
 *
 * alignbench looks the symbol up with dlsym in the process the plug-in is preloaded into. Without
 * it, alignbench uses the generic path. A table whose version alignbench does not know, or whose
 * size is smaller than version 1's, makes alignbench refuse the plug-in. Later versions only
 * append fields, so `size` tells a reader which ones are there.
 */
#ifndef ALIGNBENCH_PLUGIN_H
#define ALIGNBENCH_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define ALIGNBENCH_PLUGIN_SYMBOL "alignbench_plugin_v1"
#define ALIGNBENCH_PLUGIN_VERSION 1u

/* Which fields of alignbench_plugin_stats are filled. */
enum alignbench_plugin_stat {
    ALIGNBENCH_STAT_ALLOCATED = 1u << 0, /* bytes handed out (in the library's size classes) */
    ALIGNBENCH_STAT_ACTIVE = 1u << 1,    /* bytes in pages holding live blocks */
    ALIGNBENCH_STAT_RESIDENT = 1u << 2,  /* bytes resident, by the library's account */
    ALIGNBENCH_STAT_MAPPED = 1u << 3,    /* bytes mapped or committed from the OS */
};

struct alignbench_plugin_stats {
    uint32_t have; /* ALIGNBENCH_STAT_* bits */
    uint64_t allocated, active, resident, mapped;
};

struct alignbench_plugin_v1 {
    uint32_t version; /* ALIGNBENCH_PLUGIN_VERSION */
    uint32_t size;    /* sizeof(struct alignbench_plugin_v1) */

    /* Required. Aligned allocation: align is a power of two above 8; NULL on failure. Its blocks
     * are freed with aligned_free (and only those: malloc's blocks go to free). */
    void *(*aligned_alloc)(size_t size, size_t align);
    void (*aligned_free)(void *p);
    const char *aligned_alloc_name, *aligned_free_name; /* for `alignbench list` */

    /* Optional (NULL: unknown). Bytes a block really takes, alignment slack included, for a block
     * of `size` bytes at `align` (align <= 8: a malloc block). Preferred over usable_size. */
    size_t (*footprint)(const void *p, size_t size, size_t align);
    const char *footprint_name;
    /* Optional. Usable size of any block of the library (a lower bound of its footprint). */
    size_t (*usable_size)(void *p);
    const char *usable_size_name;

    /* Optional. Fills the fields it knows and sets `have`; returns 0, or -1 when it has none. */
    int (*stats)(struct alignbench_plugin_stats *out);
    const char *stats_name;

    /* Optional. Gives unused memory back to the operating system. */
    void (*purge)(void);
    const char *purge_name;
};

#endif
