/* malloc.c: the C library's allocator, and `preload`, the same calls served by any
 * malloc-replacement library plugged in with `--alloc NAME=/path/lib.so` (tcmalloc, ...).
 *
 * Which call serves which request: `malloc` up to the alignment every block of the library has
 * (16 for glibc, its MALLOC_ALIGNMENT; 8 for a plug-in, because C lets a small block be only
 * 8-aligned and tcmalloc, like jemalloc and mimalloc, has an 8-byte size class),
 * `posix_memalign` above (alignment validated first, see align.h); `free`; `realloc` up to that
 * alignment, and for over-aligned blocks posix_memalign + copy + free because realloc does not
 * keep a larger alignment. The plain entries (a trace's malloc and calloc) are the library's
 * malloc and calloc at the program's size; glibc 2.36 has no sized free, so sized frees are
 * plain frees (no free_sized entry).
 *
 * The two entries are one table: they share alloc/free/realloc and differ only in which library
 * must be serving malloc (checked in create) and in what can be known about that library
 * (footprint formula, stats, purge, version).
 *
 * Footprint, glibc (x86-64; docs/allocators.md):
 *   - align <= 16: the chunk, malloc_usable_size + 8 (the size header), i.e.
 *     max(32, (size + 8 + 15) & ~15) for heap chunks.
 *   - align > 16: posix_memalign takes chunk(chunk(size) + align + 32) from the heap
 *     (glibc 2.36 _int_memalign over-allocates by align + MINSIZE, then splits the leading and
 *     trailing slack off as free chunks). Those slack chunks are smaller than the next aligned
 *     request, so in an aligned workload they stay free: RSS/requested is 41x for 100-byte blocks
 *     at 4096. malloc_usable_size hides that, so we charge the whole carve-out to
 *     the block. It is an upper bound when later small requests happen to reuse the slack.
 * Footprint, plug-ins: malloc_usable_size (the library's layout is unknown: a lower bound).
 * Stats: glibc mallinfo2 (allocated = in-use bytes of the heap and of mmapped chunks, mapped =
 * arena + mmapped); plug-ins have none here. Purge: malloc_trim(0) for glibc; for a plug-in, the
 * first call of plugin_purges the plug-in library itself defines (gperftools'
 * MallocExtension_ReleaseFreeMemory, a malloc_trim of its own), else nothing.
 *
 * A plug-in that exports the table of alignbench_plugin.h (looked up in create, after the
 * preload) takes its native path instead: over-aligned requests go to the table's aligned_alloc
 * and are freed with its aligned_free; footprint, stats and purge are the table's when it has
 * them (footprint falls back to its usable_size, then to malloc_usable_size). A table of a
 * version this file does not know makes create refuse the plug-in.
 */
#include "allocators/process_malloc.h"
#include "allocators/allocator.h"
#include "harness/common/error_message.h"
#include "allocators/align.h"
#include "allocators/alignbench_plugin.h"
#include "allocators/glibc_heap.h"
#include "allocators/plugin.h"
#include "allocators/provider.h"

#include <dlfcn.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const libc_natives[] = {"free", "realloc", "posix_memalign",
                                           "malloc_usable_size", NULL};

/* Alignment every malloc block of the serving library has: set by create (one per process). */
static size_t plain_align = AB_NATURAL_ALIGN;

static void *libc_alloc(size_t size, size_t align, uint32_t scope)
{
    (void)scope;
    if (ab_align_bad(align)) {
        errno = EINVAL;
        return NULL;
    }
    if (align <= plain_align)
        return malloc(size);
    void *p = NULL;
    int rc = posix_memalign(&p, align, size);
    if (rc != 0) {
        errno = rc;
        return NULL;
    }
    return p;
}

static void libc_free(void *p, size_t size, size_t align)
{
    (void)size;
    (void)align;
    free(p);
}

static void *libc_realloc(void *p, size_t old_size, size_t new_size, size_t align)
{
    if (new_size == 0)
        new_size = 1; /* the block stays live: realloc(p, 0) would free it */
    if (align <= plain_align)
        return realloc(p, new_size);
    void *q = libc_alloc(new_size, align, 0);
    if (!q)
        return NULL;
    memcpy(q, p, old_size < new_size ? old_size : new_size);
    free(p);
    return q;
}

static void libc_reset(uint32_t scope)
{
    (void)scope;
}

static void libc_destroy(void) {}

/* glibc's request2size: the chunk size serving a request of n bytes. */
static size_t glibc_chunk(size_t n)
{
    size_t c = (n + 8 + 15) & ~(size_t)15;
    return c < 32 ? 32 : c;
}

size_t ab_glibc_footprint(const void *p, size_t size, size_t align)
{
    if (align <= AB_NATURAL_ALIGN) {
        size_t usable = malloc_usable_size((void *)p);
        return AB_SANITIZER_MALLOC ? glibc_chunk(usable) : usable + 8;
    }
    return glibc_chunk(glibc_chunk(size) + align + 32);
}

/* The plug-in's table when it exports one of a known version (set by plugin_create). */
static const struct alignbench_plugin_v1 *native;

static void *plugin_alloc(size_t size, size_t align, uint32_t scope)
{
    if (!native || align <= plain_align)
        return libc_alloc(size, align, scope);
    if (ab_align_bad(align)) {
        errno = EINVAL;
        return NULL;
    }
    return native->aligned_alloc(size, align);
}

static void plugin_free(void *p, size_t size, size_t align)
{
    (void)size;
    if (native && align > plain_align)
        native->aligned_free(p);
    else
        free(p);
}

static void *plugin_realloc(void *p, size_t old_size, size_t new_size, size_t align)
{
    if (!native || align <= plain_align)
        return libc_realloc(p, old_size, new_size, align);
    if (new_size == 0)
        new_size = 1;
    void *q = plugin_alloc(new_size, align, 0);
    if (!q)
        return NULL;
    memcpy(q, p, old_size < new_size ? old_size : new_size);
    native->aligned_free(p);
    return q;
}

static size_t plugin_footprint(const void *p, size_t size, size_t align)
{
    if (native && native->footprint)
        return native->footprint(p, size, align);
    if (native && native->usable_size)
        return native->usable_size((void *)p);
    return malloc_usable_size((void *)p);
}

static int plugin_stats(ab_alloc_stats *out)
{
    struct alignbench_plugin_stats st = {0};
    out->have = 0;
    if (!native || !native->stats || native->stats(&st) != 0)
        return -1;
    /* The ALIGNBENCH_STAT_* bits are the AB_STAT_* bits. */
    out->have = st.have & (AB_STAT_ALLOCATED | AB_STAT_ACTIVE | AB_STAT_RESIDENT | AB_STAT_MAPPED);
    out->allocated = st.allocated;
    out->active = st.active;
    out->resident = st.resident;
    out->mapped = st.mapped;
    return out->have ? 0 : -1;
}

int ab_glibc_stats(ab_alloc_stats *out)
{
    if (AB_SANITIZER_MALLOC) { /* a sanitizer's allocator serves malloc: glibc's heap sees none */
        out->have = 0;
        return -1;
    }
    struct mallinfo2 mi = mallinfo2();
    out->have = AB_STAT_ALLOCATED | AB_STAT_MAPPED;
    out->allocated = mi.uordblks + mi.hblkhd;
    out->mapped = mi.arena + mi.hblkhd;
    out->active = out->resident = 0;
    return 0;
}

void ab_glibc_purge(void)
{
    malloc_trim(0);
}

/* Purge calls a plug-in may define, tried in order; each wrapped to void(void). */
static void (*plugin_release)(void);
static int (*plugin_trim)(size_t);
static const char *plugin_purge_name;

static void plugin_purge(void)
{
    if (native) {
        if (native->purge)
            native->purge();
    } else if (plugin_release)
        plugin_release();
    else if (plugin_trim)
        plugin_trim(0);
}

const char *ab_plugin_purge_call(void)
{
    if (native)
        return native->purge ? (native->purge_name ? native->purge_name : "the table's purge")
                             : NULL;
    return plugin_purge_name;
}

static char plugin_path[512];

const char *ab_plugin_path(void)
{
    return plugin_path;
}

static const char * or (const char *name, const char *otherwise)
{
    return name && *name ? name : otherwise;
}

static void describe_path(void)
{
    if (!native) {
        snprintf(plugin_path, sizeof plugin_path,
                 "generic: posix_memalign, malloc_usable_size, purge via %s",
                 or (plugin_purge_name, "none"));
        return;
    }
    const char *fp = native->footprint ? or (native->footprint_name, "the table's footprint")
                     : native->usable_size
                         ? or (native->usable_size_name, "the table's usable size")
                         : "malloc_usable_size";
    snprintf(plugin_path, sizeof plugin_path,
             "native table v%u: aligned via %s/%s, footprint via %s, stats via %s, purge via %s",
             (unsigned)native->version, or (native->aligned_alloc_name, "aligned_alloc"),
             or (native->aligned_free_name, "aligned_free"), fp,
             native->stats ? or (native->stats_name, "the table's stats") : "none",
             native->purge ? or (native->purge_name, "the table's purge") : "none");
}

/* Finds the plug-in's table (only one the plug-in library itself defines); 0 when there is none
 * or it is usable, -1 with a message when it is of a version or size this file does not know. */
static int find_table(const char *lib, char *err, size_t errlen)
{
    native = NULL;
    const struct alignbench_plugin_v1 *t = dlsym(RTLD_DEFAULT, ALIGNBENCH_PLUGIN_SYMBOL);
    if (!t || !ab_provider_is(ALIGNBENCH_PLUGIN_SYMBOL, lib))
        return 0;
    if (t->version != ALIGNBENCH_PLUGIN_VERSION)
        return ab_fail(
            err, errlen, "plug-in table %s has version %u; this alignbench knows version %u only",
            ALIGNBENCH_PLUGIN_SYMBOL, (unsigned)t->version, (unsigned)ALIGNBENCH_PLUGIN_VERSION);
    if (t->size < sizeof *t)
        return ab_fail(err, errlen, "plug-in table %s is %u bytes; version 1 has %zu",
                       ALIGNBENCH_PLUGIN_SYMBOL, (unsigned)t->size, sizeof *t);
    if (!t->aligned_alloc || !t->aligned_free)
        return ab_fail(err, errlen, "plug-in table %s lacks aligned_alloc or aligned_free",
                       ALIGNBENCH_PLUGIN_SYMBOL);
    native = t;
    return 0;
}

const char *ab_glibc_version(void)
{
    return gnu_get_libc_version();
}

static char plugin_name[PATH_MAX];

static const char *plugin_version(void)
{
    return plugin_name; /* a plug-in has no version API: its library's file name */
}

static int glibc_create(const ab_alloc_config *cfg, char *err, size_t errlen)
{
    (void)cfg;
    plain_align = AB_NATURAL_ALIGN;
    return ab_provider_verify(NULL, libc_natives, err, errlen);
}

static int plugin_create(const ab_alloc_config *cfg, char *err, size_t errlen)
{
    if (!cfg->preload_path || !*cfg->preload_path)
        return ab_fail(err, errlen, "the preload backend needs the plug-in library (--lib PATH)");
    plain_align = 8;
    if (find_table(cfg->preload_path, err, errlen) != 0)
        return -1;
    if (!realpath(cfg->preload_path, plugin_name))
        snprintf(plugin_name, sizeof plugin_name, "%s", cfg->preload_path);
    const char *slash = strrchr(plugin_name, '/');
    if (slash)
        memmove(plugin_name, slash + 1, strlen(slash + 1) + 1);
    if (ab_provider_verify(cfg->preload_path, libc_natives, err, errlen) != 0)
        return -1;
    plugin_release = NULL;
    plugin_trim = NULL;
    plugin_purge_name = NULL;
    if (ab_provider_is("MallocExtension_ReleaseFreeMemory", cfg->preload_path)) {
        plugin_purge_name = "MallocExtension_ReleaseFreeMemory";
        plugin_release = (void (*)(void))dlsym(RTLD_DEFAULT, plugin_purge_name);
    } else if (ab_provider_is("malloc_trim", cfg->preload_path)) {
        plugin_purge_name = "malloc_trim";
        plugin_trim = (int (*)(size_t))dlsym(RTLD_DEFAULT, plugin_purge_name);
    }
    describe_path();
    return 0;
}

const ab_allocator ab_alloc_malloc = {
    .name = "malloc",
    .description = "glibc malloc; posix_memalign above 16-byte alignment",
    .caps = AB_CAP_FREE | AB_CAP_REALLOC | AB_CAP_THREAD_SAFE,
    .create = glibc_create,
    .destroy = libc_destroy,
    .alloc = libc_alloc,
    .free = libc_free,
    .realloc = libc_realloc,
    .reset = libc_reset,
    .footprint = ab_glibc_footprint,
    .stats = ab_glibc_stats,
    .purge = ab_glibc_purge,
    .version = ab_glibc_version,
    .malloc = ab_process_malloc,
    .calloc = ab_process_calloc,
};

const ab_allocator ab_alloc_preload = {
    .name = "preload",
    .description = "a preloaded malloc replacement (--alloc NAME=/path/lib.so): malloc, "
                   "free, and posix_memalign or its native table's aligned calls",
    .caps = AB_CAP_FREE | AB_CAP_REALLOC | AB_CAP_THREAD_SAFE | AB_CAP_PRELOAD,
    .create = plugin_create,
    .destroy = libc_destroy,
    .alloc = plugin_alloc,
    .free = plugin_free,
    .realloc = plugin_realloc,
    .reset = libc_reset,
    .footprint = plugin_footprint,
    .stats = plugin_stats,
    .purge = plugin_purge,
    .version = plugin_version,
    .malloc = ab_process_malloc,
    .calloc = ab_process_calloc,
};
