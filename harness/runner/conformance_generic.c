/* conformance_generic.c: the checks every allocator goes through, the suite's table, and the
 * helpers the check files share. One small function per edge; the table at the bottom names
 * them (one line per check in `alignbench check`). */
#include "allocators/plugin.h"
#include "allocators/sanitizer_malloc.h"
#include "harness/runner/conformance_checks.h"

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

ab_check_result ab_check_fail(ab_check_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    return AB_CHECK_FAIL;
}

ab_check_result ab_check_na(ab_check_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    return AB_CHECK_NA;
}

void ab_check_release(ab_check_ctx *c, void *p, size_t size, size_t align)
{
    if (c->a->caps & AB_CAP_FREE)
        c->a->free(p, size, align);
}

void ab_check_end_scope(ab_check_ctx *c)
{
    if (c->a->caps & AB_CAP_RESET)
        c->a->reset(c->scope);
}

uint64_t ab_check_resident(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long size = 0, resident = 0;
    if (!f)
        return 0;
    int got = fscanf(f, "%llu %llu", &size, &resident);
    fclose(f);
    return got == 2 ? (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

uint64_t ab_check_rand(uint64_t *s)
{
    /* xorshift64*: deterministic, so a failing check fails the same way every time */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

static int misaligned(const void *p, size_t align)
{
    return ((uintptr_t)p & (align - 1)) != 0;
}

static ab_check_result check_size_0(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    const size_t aligns[] = {1, 16, 64};
    for (size_t i = 0; i < 3; i++) {
        void *p = c->a->alloc(0, aligns[i], c->scope);
        if (!(c->a->caps & AB_CAP_FREE) && p) /* IMethodMalloc: NULL for cb == 0 */
            return ab_check_fail(c, "alloc(0, %zu) returned %p, want NULL", aligns[i], p);
        if (p && misaligned(p, aligns[i]))
            return ab_check_fail(c, "alloc(0, %zu) = %p is misaligned", aligns[i], p);
        ab_check_release(c, p, 0, aligns[i]);
    }
    ab_check_end_scope(c);
    return AB_CHECK_PASS;
}

/* Allocate `size` at `align`, fill it with a pattern and read it back. */
static ab_check_result fill_one(ab_check_ctx *c, size_t size, size_t align, void **out)
{
    unsigned char *p = c->a->alloc(size, align, c->scope);
    if (!p)
        return ab_check_fail(c, "alloc(%zu, %zu) returned NULL", size, align);
    if (misaligned(p, align))
        return ab_check_fail(c, "alloc(%zu, %zu) = %p is misaligned", size, align, (void *)p);
    for (size_t i = 0; i < size; i++)
        p[i] = (unsigned char)(i * 7 + size);
    *out = p;
    return AB_CHECK_PASS;
}

static ab_check_result verify_one(ab_check_ctx *c, const unsigned char *p, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (p[i] != (unsigned char)(i * 7 + size))
            return ab_check_fail(c, "block %p of %zu bytes changed at byte %zu", (void *)p, size,
                                 i);
    return AB_CHECK_PASS;
}

/* Sizes (arg = alignment 1) or alignments (arg = the alignment) over a few sizes. */
static ab_check_result sizes_at(ab_check_ctx *c, const size_t *sizes, size_t n, size_t align)
{
    void *blocks[16];
    ab_check_result r = AB_CHECK_PASS;
    size_t k = 0;
    for (; k < n && r == AB_CHECK_PASS; k++)
        r = fill_one(c, sizes[k], align, &blocks[k]);
    if (r != AB_CHECK_PASS)
        k--;
    for (size_t i = 0; i < k && r == AB_CHECK_PASS; i++)
        r = verify_one(c, blocks[i], sizes[i]);
    for (size_t i = 0; i < k; i++)
        ab_check_release(c, blocks[i], sizes[i], align);
    ab_check_end_scope(c);
    return r;
}

static ab_check_result check_size_1(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    const size_t sizes[] = {1};
    return sizes_at(c, sizes, 1, 1);
}

static ab_check_result check_size_odd(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    const size_t sizes[] = {3, 7, 13, 31, 63, 97, 255, 1001, 4095, 65537, 1000003};
    return sizes_at(c, sizes, sizeof sizes / sizeof sizes[0], 1);
}

static ab_check_result check_align(ab_check_ctx *c, size_t align)
{
    const size_t sizes[] = {1, 8, 24, 100, 1000, 5000, 70000};
    return sizes_at(c, sizes, sizeof sizes / sizeof sizes[0], align);
}

static ab_check_result check_size_large(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    const size_t size = (size_t)64 << 20;
    unsigned char *p = c->a->alloc(size, 16, c->scope);
    if (!p)
        return ab_check_fail(c, "alloc(64 MiB) returned NULL");
    for (size_t i = 0; i < size; i += 4096)
        p[i] = (unsigned char)(i >> 12);
    p[size - 1] = 0xA5;
    for (size_t i = 0; i < size; i += 4096)
        if (p[i] != (unsigned char)(i >> 12))
            return ab_check_fail(c, "64 MiB block changed at byte %zu", i);
    if (p[size - 1] != 0xA5)
        return ab_check_fail(c, "64 MiB block lost its last byte");
    ab_check_release(c, p, size, 16);
    ab_check_end_scope(c);
    return AB_CHECK_PASS;
}

static ab_check_result check_size_near_max(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    const size_t sizes[] = {SIZE_MAX,         SIZE_MAX - 1,     SIZE_MAX - 4095,
                            SIZE_MAX - 65536, SIZE_MAX / 2 + 1, (size_t)PTRDIFF_MAX};
    const size_t aligns[] = {1, 16, 64, 4096, 65536};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t j = 0; j < sizeof aligns / sizeof aligns[0]; j++) {
            void *p = c->a->alloc(sizes[i], aligns[j], c->scope);
            if (p)
                return ab_check_fail(c, "alloc(SIZE_MAX - %zu, %zu) returned %p, want NULL",
                                     SIZE_MAX - sizes[i], aligns[j], p);
        }
    ab_check_end_scope(c);
    return AB_CHECK_PASS;
}

static ab_check_result check_align_reject(ab_check_ctx *c, size_t bad)
{
    errno = 0;
    void *p = c->a->alloc(64, bad, c->scope);
    if (p)
        return ab_check_fail(c, "alloc(64, %zu) returned %p, want NULL (not a power of two)", bad,
                             p);
    if (errno != EINVAL)
        return ab_check_fail(c, "alloc(64, %zu): errno %d (%s), want EINVAL", bad, errno,
                             strerror(errno));
    ab_check_end_scope(c);
    return AB_CHECK_PASS;
}

static ab_check_result check_free_null(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    c->a->free(NULL, 0, 1);
    c->a->free(NULL, 64, 64);
    return AB_CHECK_PASS;
}

static ab_check_result check_free_releases(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!(c->a->caps & AB_CAP_FREE))
        return ab_check_na(c, "%s cannot free by design (allocate only)", c->a->name);
    if (c->a->caps & AB_CAP_RESET)
        return ab_check_na(c, "%s free only marks; memory goes back at the scope's reset",
                           c->a->name);
    if (AB_SANITIZED)
        return ab_check_na(c, "sanitizer build: ASan's quarantine keeps freed blocks resident");
    /* 256 x 1 MiB touched, each freed before the next: without real frees RSS grows 256 MiB. */
    const size_t size = (size_t)1 << 20, rounds = 256;
    uint64_t before = ab_check_resident();
    for (size_t i = 0; i < rounds; i++) {
        unsigned char *p = c->a->alloc(size, 64, c->scope);
        if (!p)
            return ab_check_fail(c, "alloc(1 MiB) returned NULL in round %zu", i);
        memset(p, (int)i, size);
        c->a->free(p, size, 64);
    }
    uint64_t after = ab_check_resident(), grew = after > before ? after - before : 0;
    if (grew > (uint64_t)64 << 20)
        return ab_check_fail(c, "resident memory grew %llu MiB over 256 alloc/free of 1 MiB",
                             (unsigned long long)(grew >> 20));
    return AB_CHECK_PASS;
}

static ab_check_result check_content_survives(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    void *keep = NULL;
    ab_check_result r = fill_one(c, 1000, 64, &keep);
    if (r != AB_CHECK_PASS)
        return r;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    void *ring[64] = {0};
    size_t ring_size[64] = {0}, ring_align[64] = {0};
    for (size_t i = 0; i < 4000; i++) {
        size_t slot = ab_check_rand(&rng) % 64;
        if (ring[slot])
            ab_check_release(c, ring[slot], ring_size[slot], ring_align[slot]);
        ring_size[slot] = 1 + ab_check_rand(&rng) % 4096;
        ring_align[slot] = (size_t)1 << (ab_check_rand(&rng) % 9);
        ring[slot] = c->a->alloc(ring_size[slot], ring_align[slot], c->scope);
        if (!ring[slot])
            return ab_check_fail(c, "alloc(%zu, %zu) returned NULL", ring_size[slot],
                                 ring_align[slot]);
        memset(ring[slot], 0x5A, ring_size[slot]);
    }
    r = verify_one(c, keep, 1000);
    for (size_t i = 0; i < 64; i++)
        if (ring[i])
            ab_check_release(c, ring[i], ring_size[i], ring_align[i]);
    ab_check_release(c, keep, 1000, 64);
    ab_check_end_scope(c);
    return r;
}

typedef struct span {
    uintptr_t start;
    size_t size, align;
} span;

static int by_start(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static ab_check_result check_no_overlap(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    enum { N = 3000 };
    span *s = calloc(N, sizeof *s);
    if (!s)
        return ab_check_fail(c, "out of memory for the check's own table");
    uint64_t rng = 12345;
    ab_check_result r = AB_CHECK_PASS;
    size_t n = 0;
    for (; n < N; n++) {
        s[n].size = 1 + ab_check_rand(&rng) % 8192;
        s[n].align = (size_t)1 << (ab_check_rand(&rng) % 13);
        void *p = c->a->alloc(s[n].size, s[n].align, c->scope);
        if (!p) {
            r = ab_check_fail(c, "alloc(%zu, %zu) returned NULL", s[n].size, s[n].align);
            break;
        }
        if (misaligned(p, s[n].align)) {
            r = ab_check_fail(c, "alloc(%zu, %zu) = %p is misaligned", s[n].size, s[n].align, p);
            c->a->free(p, s[n].size, s[n].align);
            break;
        }
        memset(p, (int)(n & 0xFF), s[n].size);
        s[n].start = (uintptr_t)p;
    }
    for (size_t i = 0; i < n && r == AB_CHECK_PASS; i++) {
        const unsigned char *p = (const unsigned char *)s[i].start;
        if (p[0] != (unsigned char)(i & 0xFF) || p[s[i].size - 1] != (unsigned char)(i & 0xFF))
            r = ab_check_fail(c, "block %zu (%p, %zu bytes) was overwritten", i, (void *)p,
                              s[i].size);
    }
    qsort(s, n, sizeof *s, by_start);
    for (size_t i = 1; i < n && r == AB_CHECK_PASS; i++)
        if (s[i - 1].start + s[i - 1].size > s[i].start)
            r = ab_check_fail(c, "blocks overlap: %p+%zu and %p", (void *)s[i - 1].start,
                              s[i - 1].size, (void *)s[i].start);
    for (size_t i = 0; i < n; i++)
        ab_check_release(c, (void *)s[i].start, s[i].size, s[i].align);
    ab_check_end_scope(c);
    free(s);
    return r;
}

static ab_check_result check_realloc(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!(c->a->caps & AB_CAP_REALLOC))
        return ab_check_na(c, "%s has no realloc in the API it models", c->a->name);
    const size_t aligns[] = {1, 16, 64, 4096};
    for (size_t i = 0; i < 4; i++) {
        size_t a = aligns[i];
        unsigned char *p = c->a->alloc(100, a, c->scope);
        if (!p)
            return ab_check_fail(c, "alloc(100, %zu) returned NULL", a);
        for (int k = 0; k < 100; k++)
            p[k] = (unsigned char)k;
        const size_t steps[] = {10000, 300000, 50, 0};
        size_t old = 100;
        for (size_t s = 0; s < 4; s++) {
            unsigned char *q = c->a->realloc(p, old, steps[s], a);
            if (!q)
                return ab_check_fail(c, "realloc(%zu -> %zu, align %zu) returned NULL", old,
                                     steps[s], a);
            if (misaligned(q, a))
                return ab_check_fail(c, "realloc to %zu lost alignment %zu (%p)", steps[s], a,
                                     (void *)q);
            size_t keep = steps[s] < 50 ? steps[s] : 50;
            for (size_t k = 0; k < keep; k++)
                if (q[k] != (unsigned char)k)
                    return ab_check_fail(c, "realloc to %zu (align %zu) changed byte %zu", steps[s],
                                         a, k);
            p = q;
            old = steps[s];
        }
        ab_check_release(c, p, old, a);
    }
    ab_check_end_scope(c);
    return AB_CHECK_PASS;
}

/* Allocators whose blocks are the process malloc's own, so malloc_usable_size applies. */
static int serves_malloc_blocks(const ab_allocator *a)
{
    static const char *const names[] = {"malloc", "jemalloc", "mimalloc", "preload"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(a->name, names[i]))
            return 1;
    return 0;
}

static ab_check_result check_footprint(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    const size_t sizes[] = {0, 1, 24, 100, 4096, 100000};
    const size_t aligns[] = {1, 16, 64, 4096};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t j = 0; j < sizeof aligns / sizeof aligns[0]; j++) {
            void *p = c->a->alloc(sizes[i], aligns[j], c->scope);
            if (!p && sizes[i] == 0)
                continue; /* bump: NULL for size 0 */
            if (!p)
                return ab_check_fail(c, "alloc(%zu, %zu) returned NULL", sizes[i], aligns[j]);
            size_t f = c->a->footprint(p, sizes[i], aligns[j]);
            /* A block takes at least what the allocator lets its owner use. */
            size_t usable = serves_malloc_blocks(c->a) ? malloc_usable_size(p) : 0;
            ab_check_release(c, p, sizes[i], aligns[j]);
            if (f < sizes[i])
                return ab_check_fail(c, "footprint %zu < size %zu (align %zu)", f, sizes[i],
                                     aligns[j]);
            if (f < usable)
                return ab_check_fail(c, "footprint %zu < usable size %zu (size %zu, align %zu)", f,
                                     usable, sizes[i], aligns[j]);
        }
    ab_check_end_scope(c);
    return AB_CHECK_PASS;
}

/* Use the aligned API only where the alignment needs it. A 16-aligned request whose
 * plain block is already 16-aligned must take no more than that plain block (mimalloc's
 * mi_malloc_aligned took the next size class: 20 KiB for 16 KiB). For the built-ins over malloc;
 * a plug-in's layout is unknown, so it takes posix_memalign at 16. */
static ab_check_result check_align16_plain(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!serves_malloc_blocks(c->a) || !strcmp(c->a->name, "preload"))
        return ab_check_na(c, "%s is not a malloc whose plain blocks the backend relies on",
                           c->a->name);
    const size_t sizes[] = {32, 100, 2000, 8192, 16384, 100000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *plain = c->a->alloc(sizes[i], 1, c->scope);
        void *p16 = c->a->alloc(sizes[i], 16, c->scope);
        if (!plain || !p16)
            return ab_check_fail(c, "alloc(%zu) returned NULL", sizes[i]);
        size_t fp = c->a->footprint(plain, sizes[i], 1), f16 = c->a->footprint(p16, sizes[i], 16);
        int plain_aligned = !misaligned(plain, 16);
        c->a->free(plain, sizes[i], 1);
        c->a->free(p16, sizes[i], 16);
        if (plain_aligned && f16 > fp)
            return ab_check_fail(c,
                                 "%zu bytes at 16 take %zu, the plain (already 16-aligned) "
                                 "block %zu",
                                 sizes[i], f16, fp);
    }
    return AB_CHECK_PASS;
}

static ab_check_result check_stats(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    ab_alloc_stats before = {0}, after = {0};
    if (c->a->stats(&before) != 0 || !(before.have & AB_STAT_ALLOCATED))
        return ab_check_na(c, "%s reports no allocated-bytes statistic%s", c->a->name,
                           AB_SANITIZED ? " (sanitizer build: ASan serves malloc)" : "");
    enum { N = 4096 };
    static void *blocks[N];
    for (size_t i = 0; i < N; i++)
        if (!(blocks[i] = c->a->alloc(4096, 16, c->scope)))
            return ab_check_fail(c, "alloc(4096) returned NULL");
    int rc = c->a->stats(&after);
    for (size_t i = 0; i < N; i++)
        ab_check_release(c, blocks[i], 4096, 16);
    ab_check_end_scope(c);
    if (rc != 0)
        return ab_check_fail(c, "stats failed after allocating");
    if (after.allocated < before.allocated + (uint64_t)15 * (1 << 20))
        return ab_check_fail(c, "allocated grew %lld bytes after 16 MiB of blocks",
                             (long long)(after.allocated - before.allocated));
    return AB_CHECK_PASS;
}

/* 32 MiB in one scope, then its reset must give at least 24 MiB back: an allocator may keep
 * some for the next scopes (bump keeps up to 4 MiB committed, rpcss up to 1 MiB, by default),
 * not the scope's whole peak. */
static ab_check_result check_reset_returns_memory(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!(c->a->caps & AB_CAP_RESET))
        return ab_check_na(c, "%s has no bulk release: blocks are freed one by one", c->a->name);
    const size_t block = 64 * 1024, total = (size_t)32 << 20;
    for (size_t done = 0; done < total; done += block) {
        void *p = c->a->alloc(block, 16, c->scope);
        if (!p)
            return ab_check_fail(c, "alloc(64 KiB) returned NULL after %zu bytes", done);
        memset(p, 1, block);
    }
    uint64_t full = ab_check_resident();
    c->a->reset(c->scope);
    uint64_t after = ab_check_resident();
    if (after + (uint64_t)24 * (1 << 20) > full)
        return ab_check_fail(c,
                             "resident memory went from %llu to %llu KiB at reset; want a "
                             "drop of >= 24 MiB of the 32 MiB",
                             (unsigned long long)(full >> 10), (unsigned long long)(after >> 10));
    return AB_CHECK_PASS;
}

/* Resident pages among n blocks of `size` bytes (mincore, page by page: an unmapped page is not
 * resident). */
static size_t resident_pages(void *const *blocks, size_t n, size_t size)
{
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        uintptr_t from = (uintptr_t)blocks[i] & ~(page - 1), to = (uintptr_t)blocks[i] + size;
        for (uintptr_t pg = from; pg < to; pg += page) {
            unsigned char in = 0;
            if (mincore((void *)pg, page, &in) == 0 && (in & 1))
                count++;
        }
    }
    return count;
}

/* Bulk-release allocators may keep some of a reset scope's memory committed for the next scopes
 * (bump's window cache, rpcss's chunk cache); purge must give all of it back. 16 scopes of
 * 512 KiB live at once, all reset, then purge: no page of those blocks may still be resident.
 * Counted on the check's own blocks (mincore), not on the process's resident total, which a
 * cache filled by earlier checks would blur (bump and rpcss evict their oldest memory first, so
 * what the resets keep is this check's). */
static ab_check_result check_purge_after_reset(ab_check_ctx *c)
{
    enum { SCOPES = 16, PER_SCOPE = 32 };
    const size_t block = 16 * 1024;
    const uint32_t first = c->scope + 2000; /* scopes no other check uses */
    static void *blocks[SCOPES * PER_SCOPE];
    size_t n = 0;
    for (uint32_t s = 0; s < SCOPES; s++)
        for (int i = 0; i < PER_SCOPE; i++) {
            void *p = c->a->alloc(block, 4096, first + s); /* whole pages: none counted twice */
            if (!p)
                return ab_check_fail(c, "alloc(16 KiB, 4096) returned NULL in scope %u", first + s);
            memset(p, 1, block);
            blocks[n++] = p;
        }
    for (uint32_t s = 0; s < SCOPES; s++)
        c->a->reset(first + s);
    size_t kept = resident_pages(blocks, n, block);
    c->a->purge();
    size_t left = resident_pages(blocks, n, block);
    if (left)
        return ab_check_fail(c,
                             "%zu KiB of 8 MiB of blocks stayed resident after reset, %zu KiB "
                             "after purge; want none after purge",
                             kept * (size_t)sysconf(_SC_PAGESIZE) >> 10,
                             left * (size_t)sysconf(_SC_PAGESIZE) >> 10);
    return AB_CHECK_PASS;
}

static ab_check_result check_purge(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (c->a->caps & AB_CAP_RESET)
        return check_purge_after_reset(c);
    if (!(c->a->caps & AB_CAP_FREE))
        return ab_check_na(c, "%s frees nothing: there is nothing for purge to give back",
                           c->a->name);
    if (AB_SANITIZED)
        return ab_check_na(c, "sanitizer build: ASan's quarantine keeps freed blocks resident");
    if (!strcmp(c->a->name, "preload") && !ab_plugin_purge_call())
        return ab_check_na(c, "the plug-in defines no purge call alignbench knows "
                              "(MallocExtension_ReleaseFreeMemory, malloc_trim)");
    enum { N = 1024 };
    static void *blocks[N];
    const size_t block = 64 * 1024;
    for (size_t i = 0; i < N; i++) {
        if (!(blocks[i] = c->a->alloc(block, 16, c->scope)))
            return ab_check_fail(c, "alloc(64 KiB) returned NULL");
        memset(blocks[i], 1, block);
    }
    uint64_t full = ab_check_resident();
    for (size_t i = 0; i < N; i++)
        c->a->free(blocks[i], block, 16);
    c->a->purge();
    uint64_t after = ab_check_resident();
    if (after + (uint64_t)32 * (1 << 20) > full)
        return ab_check_fail(c,
                             "resident memory went from %llu to %llu KiB after freeing 64 MiB "
                             "and purging; want a drop of >= 32 MiB",
                             (unsigned long long)(full >> 10), (unsigned long long)(after >> 10));
    return AB_CHECK_PASS;
}

const ab_conformance_check ab_conformance_checks[] = {
    {"size-0", check_size_0, 0},
    {"size-1", check_size_1, 0},
    {"size-odd", check_size_odd, 0},
    {"size-64MiB", check_size_large, 0},
    {"size-near-max", check_size_near_max, 0},
    {"align-%zu", check_align, 1},
    {"align-%zu", check_align, 2},
    {"align-%zu", check_align, 4},
    {"align-%zu", check_align, 8},
    {"align-%zu", check_align, 16},
    {"align-%zu", check_align, 32},
    {"align-%zu", check_align, 64},
    {"align-%zu", check_align, 128},
    {"align-%zu", check_align, 256},
    {"align-%zu", check_align, 512},
    {"align-%zu", check_align, 1024},
    {"align-%zu", check_align, 2048},
    {"align-%zu", check_align, 4096},
    {"align-%zu", check_align, 8192},
    {"align-%zu", check_align, 16384},
    {"align-%zu", check_align, 32768},
    {"align-%zu", check_align, 65536},
    {"align-reject-%zu", check_align_reject, 0},
    {"align-reject-%zu", check_align_reject, 3},
    {"align-reject-%zu", check_align_reject, 24},
    {"align-reject-%zu", check_align_reject, 48},
    {"align-reject-%zu", check_align_reject, 100},
    {"align-reject-%zu", check_align_reject, 4097},
    {"align-reject-%zu", check_align_reject, SIZE_MAX},
    {"free-null", check_free_null, 0},
    {"free-releases", check_free_releases, 0},
    {"content-survives", check_content_survives, 0},
    {"no-overlap", check_no_overlap, 0},
    {"realloc-keeps-content", check_realloc, 0},
    {"footprint-covers-size", check_footprint, 0},
    {"align-16-no-dearer", check_align16_plain, 0},
    {"stats-sees-allocation", check_stats, 0},
    {"purge-returns-memory", check_purge, 0},
    {"reset-returns-memory", check_reset_returns_memory, 0},
    {"bump-window-offsets", ab_check_bump_window_offsets, 0},
    {"bump-window-full", ab_check_bump_window_full, 0},
    {"rpcss-thread-handle", ab_check_rpcss_thread_handle, 0},
    {"rpcss-chunks", ab_check_rpcss_chunks, 0},
};
const size_t ab_conformance_check_count =
    sizeof ab_conformance_checks / sizeof ab_conformance_checks[0];

void ab_conformance_name(const ab_conformance_check *chk, char *buf, size_t len)
{
    if (strchr(chk->name, '%'))
        snprintf(buf, len, chk->name, chk->arg);
    else
        snprintf(buf, len, "%s", chk->name);
}
