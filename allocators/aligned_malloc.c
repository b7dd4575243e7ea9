/* aligned_malloc.c: the MSVC `_aligned_malloc` family over plain malloc (API and errors in
 * aligned_malloc.h), and the `aligned_malloc` allocator entry on top of it.
 *
 * Layout of one block (the header sits just below the pointer handed out):
 *
 *   raw = malloc(size + 24 + max(a, 8) - 1)
 *   [raw ... padding ... | orig | size | tag | user block (size bytes) ... ]
 *                          p-24   p-16   p-8  p, with (p + offset) % a == 0
 *
 *   orig  the pointer malloc returned (what _aligned_free frees)
 *   size  the requested size (so _aligned_msize is exact; the UCRT cannot tell)
 *   tag   a function of p and of log2(a): the block is ours only if tag matches, which tells a
 *         wrong-function free apart, and records the alignment so that a realloc changing it is
 *         refused. Bit 3 is always set and bit 1 clear: read by glibc's free() as a chunk size,
 *         the tag is never 16-aligned, so a plain free() of an aligned block aborts there.
 *
 * Why 24 bytes rather than the UCRT's 8 (the UCRT's overhead: 23 at a=16, 71 at a=64): the
 * exact size and the free-with-the-wrong-function check cost 16 bytes a block; the alignment
 * slack (a - 1 bytes at most) is the same as the UCRT's. The header is read and written with
 * memcpy, so it needs no alignment of its own (no UCRT-style gap for odd offsets).
 * Alignments below 8 are raised to 8, as in the UCRT. Realloc allocates anew, copies and frees
 * (the UCRT tries an in-place realloc of the raw block first; a later optimisation, not a
 * semantic difference).
 *
 * The allocator entry: alloc -> _aligned_malloc, free -> _aligned_free, realloc ->
 * _aligned_realloc (new size 0 kept as 1: the replay's block stays live), footprint = the glibc
 * chunk of the raw block (header and alignment slack included), stats/purge/version: glibc's.
 * The plain entries (a trace's malloc, calloc) are the CRT's malloc and calloc, whose blocks
 * free, realloc and footprint handle as plain glibc blocks (align AB_ALIGN_PLAIN).
 */
#include "allocators/process_malloc.h"
#include "allocators/aligned_malloc.h"
#include "allocators/allocator.h"
#include "allocators/align.h"
#include "allocators/glibc_heap.h"
#include "allocators/provider.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if AB_SANITIZED
#include <sanitizer/asan_interface.h>
#endif

typedef struct aligned_hdr {
    void *orig;
    size_t size;
    uint64_t tag;
} aligned_hdr;
_Static_assert(sizeof(aligned_hdr) == AB_ALIGNED_HEADER, "header is 24 bytes");

static uint64_t make_tag(const void *p, unsigned align_log2)
{
    uint64_t h = ((uint64_t)(uintptr_t)p ^ 0xA11C0DEDB10C4A11ull) * 0x9E3779B97F4A7C15ull;
    return (h & ~(uint64_t)0xFFFF) | ((uint64_t)align_log2 << 8) | 0x09u;
}

static unsigned log2_of(size_t a)
{
    return (unsigned)__builtin_ctzll((unsigned long long)a);
}

/* The header of p if p is a live block of ours, else 0. Reads the 8 bytes below p first: for a
 * glibc block that is its chunk size field (always mapped); the rest only when the tag fits. */
static int read_hdr(const void *p, aligned_hdr *h)
{
    uint64_t tag;
#if AB_SANITIZED
    if (__asan_region_is_poisoned((void *)((const char *)p - 8), 8))
        return 0;
#endif
    memcpy(&tag, (const char *)p - 8, sizeof tag);
    if ((tag & 0xFF) != 0x09 || tag != make_tag(p, (unsigned)(tag >> 8) & 0xFF))
        return 0;
    memcpy(h, (const char *)p - sizeof *h, sizeof *h);
    return 1;
}

int ab_aligned_is_block(const void *p)
{
    aligned_hdr h;
    return p && read_hdr(p, &h);
}

void *ab_aligned_base(const void *p)
{
    aligned_hdr h;
    return p && read_hdr(p, &h) ? h.orig : NULL;
}

void *_aligned_offset_malloc(size_t size, size_t alignment, size_t offset)
{
    if (ab_align_bad(alignment) || (offset >= size && offset != 0)) {
        errno = EINVAL;
        return NULL;
    }
    size_t a = alignment < 8 ? 8 : alignment;
    size_t extra = AB_ALIGNED_HEADER + (a - 1);
    if (size > SIZE_MAX - extra) {
        errno = ENOMEM;
        return NULL;
    }
    char *raw = malloc(size + extra);
    if (!raw) {
        errno = ENOMEM;
        return NULL;
    }
    uintptr_t want = (uintptr_t)raw + AB_ALIGNED_HEADER + offset;
    char *p = (char *)(ab_align_up(want, a) - offset);
    aligned_hdr h = {raw, size, make_tag(p, log2_of(a))};
    memcpy(p - sizeof h, &h, sizeof h);
    return p;
}

void *_aligned_malloc(size_t size, size_t alignment)
{
    return _aligned_offset_malloc(size, alignment, 0);
}

void _aligned_free(void *memblock)
{
    if (!memblock)
        return;
    aligned_hdr h;
    if (!read_hdr(memblock, &h)) {
        fprintf(stderr,
                "_aligned_free(%p): not a live block from _aligned_malloc (freed with the "
                "wrong function, or freed twice)\n",
                memblock);
        abort();
    }
    uint64_t dead = 0;
    memcpy((char *)memblock - 8, &dead, sizeof dead); /* a second free is detected */
    free(h.orig);
}

size_t _aligned_msize(void *memblock, size_t alignment, size_t offset)
{
    aligned_hdr h;
    (void)offset;
    if (!memblock || ab_align_bad(alignment) || !read_hdr(memblock, &h)) {
        errno = EINVAL;
        return (size_t)-1;
    }
    return h.size;
}

void *_aligned_offset_realloc(void *memblock, size_t size, size_t alignment, size_t offset)
{
    if (!memblock)
        return _aligned_offset_malloc(size, alignment, offset);
    if (size == 0) {
        _aligned_free(memblock);
        return NULL;
    }
    aligned_hdr h;
    if (ab_align_bad(alignment) || (offset >= size && offset != 0) || !read_hdr(memblock, &h)) {
        errno = EINVAL;
        return NULL;
    }
    size_t a = alignment < 8 ? 8 : alignment;
    uint64_t tag;
    memcpy(&tag, (char *)memblock - 8, sizeof tag);
    if (((tag >> 8) & 0xFF) != log2_of(a) || (((uintptr_t)memblock + offset) & (a - 1)) != 0) {
        errno = EINVAL; /* changing the alignment of a live block is an error */
        return NULL;
    }
    void *q = _aligned_offset_malloc(size, alignment, offset);
    if (!q)
        return NULL; /* the old block is untouched */
    memcpy(q, memblock, h.size < size ? h.size : size);
    _aligned_free(memblock);
    return q;
}

void *_aligned_realloc(void *memblock, size_t size, size_t alignment)
{
    return _aligned_offset_realloc(memblock, size, alignment, 0);
}

/* ---- the allocator entry ---- */

static const char *const libc_natives[] = {"free", "realloc", NULL};

static int am_create(const ab_alloc_config *cfg, char *err, size_t errlen)
{
    (void)cfg;
    return ab_provider_verify(NULL, libc_natives, err, errlen);
}

static void am_destroy(void) {}

static void *am_alloc(size_t size, size_t align, uint32_t scope)
{
    (void)scope;
    return _aligned_malloc(size, align);
}

static void am_free(void *p, size_t size, size_t align)
{
    (void)size;
    if (align == AB_ALIGN_PLAIN)
        free(p);
    else
        _aligned_free(p);
}

static void *am_realloc(void *p, size_t old_size, size_t new_size, size_t align)
{
    (void)old_size;
    if (align == AB_ALIGN_PLAIN)
        return realloc(p, new_size ? new_size : 1);
    return _aligned_realloc(p, new_size ? new_size : 1, align);
}

static void am_reset(uint32_t scope)
{
    (void)scope;
}

static size_t am_footprint(const void *p, size_t size, size_t align)
{
    if (align == AB_ALIGN_PLAIN)
        return ab_glibc_footprint(p, size, AB_NATURAL_ALIGN);
    void *raw = ab_aligned_base(p);
    return raw ? ab_glibc_footprint(raw, 0, 1) : 0;
}

const ab_allocator ab_alloc_aligned_malloc = {
    .name = "aligned_malloc",
    .description = "MSVC _aligned_malloc work-alike over glibc malloc (24-byte header)",
    .caps = AB_CAP_FREE | AB_CAP_REALLOC | AB_CAP_THREAD_SAFE,
    .create = am_create,
    .destroy = am_destroy,
    .alloc = am_alloc,
    .free = am_free,
    .realloc = am_realloc,
    .reset = am_reset,
    .footprint = am_footprint,
    .stats = ab_glibc_stats,
    .purge = ab_glibc_purge,
    .version = ab_glibc_version,
    .malloc = ab_process_malloc, /* the CRT's malloc: plain blocks are freed with free */
    .calloc = ab_process_calloc,
};
