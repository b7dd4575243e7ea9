/* jemalloc.c: jemalloc 5 through its native API, in a runner with libjemalloc LD_PRELOADed.
 *
 * Debian's libjemalloc exports unprefixed malloc and friends plus the native mallocx, sdallocx,
 * sallocx, nallocx, rallocx and mallctl (no je_ prefix), and cannot be dlopen'ed (static TLS),
 * so the orchestrator preloads it and create() resolves the native calls with dlsym after
 * checking that jemalloc is the library serving malloc and defining them (provider.h).
 *
 * Which call serves which request, and why (the measured costs are in docs/lab-notes.md):
 *   - align <= 16: plain malloc/free/realloc. jemalloc's malloc fast path is twice as fast as
 *     mallocx/sdallocx for a hot malloc(32)/free pair. Every size class above 8
 *     is a multiple of 16, so its blocks are 16-aligned; the 8-byte class is only 8-aligned
 *     (the conformance suite's align-16 caught it), so a 16-aligned request asks for at least
 *     16 bytes.
 *   - align > 16: mallocx(size, MALLOCX_ALIGN(a)), rallocx for realloc (keeps the alignment).
 *     mallocx does not validate the alignment (we do, align.h) and is undefined for size 0
 *     (we ask for 1).
 *   - the plain entries (a trace's malloc, calloc): malloc and calloc at the program's size;
 *     realloc of such a block is realloc at the new size; a sized free (free_sized, sdallocx,
 *     sized delete in the trace) is sdallocx with the size and flags of the request as made.
 *   - free: plain free for every block. sdallocx was measured for over-aligned blocks
 *     (mallocx(100, align 64) + release, 1000 live, 5 interleaved rounds) and for small ones:
 *     no faster than free in either case.
 * Footprint: nallocx of the request as made (e.g. 48 for 33 bytes, 128 for 100 bytes at 64,
 * 16 for 0 bytes at 16), plus, for a large block (size class >= arenas.lextent.0.size, 16 KiB)
 * that does not start on a page, one page: with cache_oblivious (the default) jemalloc maps a
 * large extent one page longer than its size class and places the block at a random cache-line
 * offset in its first page, so the block straddles that extra page (16 KiB blocks at 64 took
 * 20.6 KiB resident each, not 16). Stats: mallctl "epoch" then stats.allocated / active /
 * resident / mapped. Purge: arena.<MALLCTL_ARENAS_ALL>.purge. Version: mallctl "version".
 */
#include "allocators/process_malloc.h"
#include "allocators/allocator.h"
#include "harness/common/error_message.h"
#include "allocators/align.h"
#include "allocators/provider.h"
#include "build_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* jemalloc.h's flag encoding, repeated so this file builds without libjemalloc-dev. */
#define JE_MALLOCX_ALIGN(a) ((int)__builtin_ctzll((unsigned long long)(a)))
#define JE_ARENAS_ALL_PURGE "arena.4096.purge" /* MALLCTL_ARENAS_ALL = 4096 */

static void *(*je_mallocx)(size_t, int);
static void (*je_sdallocx)(void *, size_t, int);
static void *(*je_rallocx)(void *, size_t, int);
static size_t (*je_nallocx)(size_t, int);
static int (*je_mallctl)(const char *, void *, size_t *, void *, size_t);
/* Page size and smallest large size class (mallctl, read by create); see the footprint. */
static size_t je_page = 4096, je_large_min = SIZE_MAX;
static int je_cache_oblivious = 1; /* opt.cache_oblivious: large blocks carry a pad page */

/* The malloc size that gives a block aligned to align (<= 16; AB_ALIGN_PLAIN: the size). */
static inline size_t plain_size(size_t size, size_t align)
{
    return align == AB_NATURAL_ALIGN && size < AB_NATURAL_ALIGN ? AB_NATURAL_ALIGN : size;
}

static const char *const je_natives[] = {"mallocx", "rallocx", "nallocx", "mallctl", "sdallocx",
                                         "free",    "realloc", "calloc",  NULL};

static int je_create(const ab_alloc_config *cfg, char *err, size_t errlen)
{
    const char *lib = cfg->preload_path ? cfg->preload_path : AB_JEMALLOC_PATH;
    if (!lib || !*lib)
        return ab_fail(err, errlen,
                       "libjemalloc not found at configure time (install "
                       "libjemalloc-dev and rebuild)");
    if (ab_provider_verify(lib, je_natives, err, errlen) != 0)
        return -1;
    if (!(je_mallocx = ab_provider_sym("mallocx", err, errlen)) ||
        !(je_rallocx = ab_provider_sym("rallocx", err, errlen)) ||
        !(je_sdallocx = ab_provider_sym("sdallocx", err, errlen)) ||
        !(je_nallocx = ab_provider_sym("nallocx", err, errlen)) ||
        !(je_mallctl = ab_provider_sym("mallctl", err, errlen)))
        return -1;
    size_t v = 0, len = sizeof v;
    if (je_mallctl("arenas.page", &v, &len, NULL, 0) == 0 && v && !(v & (v - 1)))
        je_page = v;
    len = sizeof v;
    je_large_min = je_mallctl("arenas.lextent.0.size", &v, &len, NULL, 0) == 0 ? v : SIZE_MAX;
    _Bool co = 1;
    len = sizeof co;
    if (je_mallctl("opt.cache_oblivious", &co, &len, NULL, 0) == 0)
        je_cache_oblivious = co;
    return 0;
}

static void je_destroy(void) {}

static void *je_alloc(size_t size, size_t align, uint32_t scope)
{
    (void)scope;
    if (ab_align_bad(align)) {
        errno = EINVAL;
        return NULL;
    }
    if (align <= AB_NATURAL_ALIGN)
        return malloc(plain_size(size, align));
    void *p = je_mallocx(size ? size : 1, JE_MALLOCX_ALIGN(align));
    if (!p)
        errno = ENOMEM;
    return p;
}

/* A sized free: sdallocx with the size and flags of the request as je_alloc or malloc made it
 * (jemalloc requires a size between that request and the usable size). */
static void je_free_sized(void *p, size_t size, size_t align)
{
    if (!p)
        return;
    size_t n = size ? size : 1; /* malloc(0) and mallocx(1) serve one byte */
    if (align <= AB_NATURAL_ALIGN)
        je_sdallocx(p, plain_size(n, align), 0);
    else
        je_sdallocx(p, n, JE_MALLOCX_ALIGN(align));
}

static void je_free(void *p, size_t size, size_t align)
{
    (void)size;
    (void)align;
    free(p);
}

static void *je_realloc(void *p, size_t old_size, size_t new_size, size_t align)
{
    (void)old_size;
    if (new_size == 0)
        new_size = 1; /* the block stays live */
    if (align <= AB_NATURAL_ALIGN)
        return realloc(p, plain_size(new_size, align));
    return je_rallocx(p, new_size, JE_MALLOCX_ALIGN(align));
}

static void je_reset(uint32_t scope)
{
    (void)scope;
}

static size_t je_footprint(const void *p, size_t size, size_t align)
{
    size_t n = size ? size : 1; /* what malloc(0) and je_alloc's mallocx serve */
    size_t usize = align <= AB_NATURAL_ALIGN ? je_nallocx(plain_size(n, align), 0)
                                             : je_nallocx(n, JE_MALLOCX_ALIGN(align));
    /* A large block under cache-oblivious placement sits at a random cache-line offset inside
     * an extent one page longer than its size; the offset is 0 one time in 64, so the pointer
     * alone cannot tell (reading it so made two footprints of the same request differ now and
     * then). Requests aligned to a page or more are placed at offset 0: their pointer is
     * page-aligned and no pad is counted. */
    if (usize >= je_large_min && je_cache_oblivious &&
        (align < je_page || ((uintptr_t)p & (je_page - 1)) != 0))
        usize += je_page;
    return usize;
}

static int je_stats(ab_alloc_stats *out)
{
    uint64_t epoch = 1;
    size_t len = sizeof epoch;
    out->have = 0;
    if (je_mallctl("epoch", &epoch, &len, &epoch, sizeof epoch) != 0)
        return -1;
    static const struct {
        const char *name;
        unsigned bit;
        size_t off;
    } reads[] = {
        {"stats.allocated", AB_STAT_ALLOCATED, offsetof(ab_alloc_stats, allocated)},
        {"stats.active", AB_STAT_ACTIVE, offsetof(ab_alloc_stats, active)},
        {"stats.resident", AB_STAT_RESIDENT, offsetof(ab_alloc_stats, resident)},
        {"stats.mapped", AB_STAT_MAPPED, offsetof(ab_alloc_stats, mapped)},
    };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        size_t v = 0;
        len = sizeof v;
        if (je_mallctl(reads[i].name, &v, &len, NULL, 0) == 0) {
            *(uint64_t *)((char *)out + reads[i].off) = v;
            out->have |= reads[i].bit;
        }
    }
    return out->have ? 0 : -1;
}

static void je_purge(void)
{
    je_mallctl(JE_ARENAS_ALL_PURGE, NULL, NULL, NULL, 0);
}

static const char *je_version(void)
{
    const char *v = NULL;
    size_t len = sizeof v;
    if (!je_mallctl || je_mallctl("version", &v, &len, NULL, 0) != 0)
        return "unknown";
    return v;
}

const ab_allocator ab_alloc_jemalloc = {
    .name = "jemalloc",
    .description = "jemalloc 5 (preloaded): malloc up to 16-byte alignment, mallocx above",
    .caps =
        AB_CAP_FREE | AB_CAP_REALLOC | AB_CAP_NATIVE_ALIGNED | AB_CAP_PRELOAD | AB_CAP_THREAD_SAFE,
    .create = je_create,
    .destroy = je_destroy,
    .alloc = je_alloc,
    .free = je_free,
    .realloc = je_realloc,
    .reset = je_reset,
    .footprint = je_footprint,
    .stats = je_stats,
    .purge = je_purge,
    .version = je_version,
    .malloc =
        ab_process_malloc, /* jemalloc is the process's malloc: the 8-byte class for malloc(5) */
    .calloc = ab_process_calloc,
    .free_sized = je_free_sized,
};
