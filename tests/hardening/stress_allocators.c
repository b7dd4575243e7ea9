/* stress_allocators.c: a long randomized stress of the three allocators written here, through
 * their direct APIs (allocators/aligned_malloc.h, bump.h, rpcss.h), for the sanitizer and
 * Valgrind builds of the test suite.
 *
 * For each allocator a seeded random sequence of allocations (sizes 1 B to 1 MiB, log-spread;
 * alignments 1 to 64 KiB), frees, reallocs (aligned_malloc) and resets (bump: module unload;
 * rpcss: disable; aligned_malloc: free everything) runs against a table of live blocks. Every
 * block is filled with a pattern of its own (block number and offset); the pattern is checked
 * at free, realloc, reset and the end, so a block that another one overwrote is caught. Each new
 * block is checked against every live one for overlap (a sorted table, binary search) and for
 * its alignment; bump blocks must sit inside their module's window, rpcss's mapped bytes must
 * cover what it handed out. Bad arguments (alignment 0 or 3, 2^40, size 0) must be refused.
 *
 * usage: stress_allocators [--ops N] [--seed S] [--only NAME] [--inject overlap|corrupt]
 * (default 200000 ops, seed 1). Exit 0 when every check held, 1 with the first failure named
 * (allocator, op, what). --inject plants a fault at op 1000 (a block registered on top of a live
 * one, or a byte of a live block overwritten), so a test can show that the checks catch it.
 */
#include "allocators/aligned_malloc.h"
#include "allocators/bump.h"
#include "allocators/rpcss.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIVE 1024
#define BUMP_WINDOW ((size_t)64 << 20)

typedef struct block {
    unsigned char *p;
    size_t size;
    size_t align;
    uint64_t tag; /* pattern seed: the block's serial number */
} block;

typedef enum injection { INJECT_NONE, INJECT_OVERLAP, INJECT_CORRUPT } injection;

typedef struct stress {
    const char *name;
    injection inject;
    uint64_t rng;
    unsigned long long op;
    block live[MAX_LIVE]; /* sorted by address */
    size_t nlive;
    uint64_t next_tag;
    ab_bump_module *module;
    ab_rpcss_arena *arena;
} stress;

static void die(const stress *s, const char *fmt, const char *what)
{
    fprintf(stderr, "stress_allocators: %s: op %llu: ", s->name, s->op);
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
    exit(1);
}

static uint64_t next_random(stress *s)
{
    /* splitmix64: seeded, the same sequence on every machine */
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t random_size(stress *s)
{
    /* log-spread: mostly up to 4 KiB, one in 32 up to 1 MiB (chunk and window edges) */
    unsigned bits =
        next_random(s) % 32 ? (unsigned)(next_random(s) % 13) : (unsigned)(next_random(s) % 21);
    size_t top = (size_t)1 << bits;
    return 1 + (size_t)(next_random(s) % top);
}

static size_t random_align(stress *s, unsigned min_log2)
{
    unsigned log2 = min_log2 + (unsigned)(next_random(s) % (17 - min_log2));
    return (size_t)1 << log2;
}

static unsigned char pattern_byte(uint64_t tag, size_t i)
{
    return (unsigned char)((tag * 131u) ^ (i * 7u) ^ (i >> 8));
}

static void fill(block *b)
{
    for (size_t i = 0; i < b->size; i++)
        b->p[i] = pattern_byte(b->tag, i);
}

static void verify(const stress *s, const block *b, size_t upto)
{
    for (size_t i = 0; i < upto; i++)
        if (b->p[i] != pattern_byte(b->tag, i))
            die(s, "block content changed (%s): another block overlaps it", "pattern mismatch");
}

/* Index of the first live block whose address is >= p. */
static size_t lower_bound(const stress *s, const unsigned char *p)
{
    size_t lo = 0, hi = s->nlive;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)s->live[mid].p < (uintptr_t)p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void insert_block(stress *s, unsigned char *p, size_t size, size_t align)
{
    if ((uintptr_t)p % align)
        die(s, "%s", "block not aligned as asked");
    size_t at = lower_bound(s, p);
    if (at < s->nlive && (uintptr_t)s->live[at].p < (uintptr_t)p + size)
        die(s, "%s", "new block overlaps the live block after it");
    if (at > 0 && (uintptr_t)s->live[at - 1].p + s->live[at - 1].size > (uintptr_t)p)
        die(s, "%s", "new block overlaps the live block before it");
    memmove(&s->live[at + 1], &s->live[at], (s->nlive - at) * sizeof s->live[0]);
    block *b = &s->live[at];
    *b = (block){.p = p, .size = size, .align = align, .tag = ++s->next_tag};
    s->nlive++;
    fill(b);
}

static block take_block(stress *s, size_t i)
{
    block b = s->live[i];
    verify(s, &b, b.size);
    memmove(&s->live[i], &s->live[i + 1], (s->nlive - i - 1) * sizeof s->live[0]);
    s->nlive--;
    return b;
}

/* The planted fault of --inject, at op 1000, on a live block of at least 2 bytes. */
static void inject_fault(stress *s)
{
    if (s->inject == INJECT_NONE || s->op != 1000)
        return;
    for (size_t i = 0; i < s->nlive; i++) {
        block *b = &s->live[i];
        if (b->size < 2)
            continue;
        if (s->inject == INJECT_CORRUPT)
            b->p[b->size - 1] ^= 0xff; /* caught when the block is next verified */
        else
            insert_block(s, b->p + 1, 1, 1); /* caught right here */
        return;
    }
}

/* ---- aligned_malloc: malloc, free, realloc, free-all ---- */

static void aligned_step(stress *s)
{
    unsigned pick = (unsigned)(next_random(s) % 100);
    if (s->nlive == MAX_LIVE || (pick < 35 && s->nlive)) {
        block b = take_block(s, (size_t)(next_random(s) % s->nlive));
        if (!ab_aligned_is_block(b.p))
            die(s, "%s", "a live block is not recognised by ab_aligned_is_block");
        _aligned_free(b.p);
    } else if (pick < 50 && s->nlive) {
        size_t i = (size_t)(next_random(s) % s->nlive);
        block b = take_block(s, i);
        size_t size = random_size(s);
        unsigned char *q = _aligned_realloc(b.p, size, b.align);
        if (!q)
            die(s, "%s", "_aligned_realloc returned NULL");
        block moved = b;
        moved.p = q;
        verify(s, &moved, size < b.size ? size : b.size);
        insert_block(s, q, size, b.align);
    } else if (pick == 50) {
        while (s->nlive)
            _aligned_free(take_block(s, s->nlive - 1).p);
    } else {
        size_t size = random_size(s), align = random_align(s, 0);
        unsigned char *p = _aligned_malloc(size, align);
        if (!p)
            die(s, "%s", "_aligned_malloc returned NULL");
        if (_aligned_msize(p, align, 0) != size)
            die(s, "%s", "_aligned_msize is not the requested size");
        insert_block(s, p, size, align);
    }
}

static void aligned_bad_arguments(stress *s)
{
    static const size_t bad_aligns[] = {0, 3, 24};
    for (size_t i = 0; i < sizeof bad_aligns / sizeof bad_aligns[0]; i++) {
        errno = 0;
        if (_aligned_malloc(64, bad_aligns[i]) != NULL || errno != EINVAL)
            die(s, "%s", "a bad alignment (0, 3 or 24) was not refused with EINVAL");
    }
    void *huge = _aligned_malloc(64, (size_t)1 << 40);
    if (huge) /* 2^40 of padding cannot be had here; if it ever is, it must be aligned */
        die(s, "%s", "an alignment of 2^40 was granted");
    if (_aligned_malloc(SIZE_MAX - 8, 16) != NULL)
        die(s, "%s", "a size near SIZE_MAX was granted");
}

static void aligned_finish(stress *s)
{
    while (s->nlive)
        _aligned_free(take_block(s, s->nlive - 1).p);
}

/* ---- bump: alloc only; a reset unloads the module ---- */

static void bump_new_module(stress *s)
{
    s->module = ab_bump_create(BUMP_WINDOW);
    if (!s->module)
        die(s, "%s", "ab_bump_create failed");
}

static void bump_reset(stress *s)
{
    while (s->nlive)
        take_block(s, s->nlive - 1);
    ab_bump_unload(s->module);
    bump_new_module(s);
}

static void bump_step(stress *s)
{
    unsigned pick = (unsigned)(next_random(s) % 1000);
    if (pick < 2 || s->nlive == MAX_LIVE) {
        bump_reset(s);
        return;
    }
    size_t size = random_size(s), align = random_align(s, 0);
    unsigned char *p = ab_bump_alloc(s->module, size, align);
    if (!p) {
        if (errno != ENOMEM)
            die(s, "%s", "ab_bump_alloc failed other than with a full window");
        bump_reset(s); /* the window is full: as a module unload would */
        return;
    }
    const unsigned char *base = ab_bump_base(s->module);
    if (p <= base || (size_t)(p - base) + size > ab_bump_window(s->module))
        die(s, "%s", "a block is not inside its module's window");
    if (ab_bump_used(s->module) > ab_bump_committed(s->module))
        die(s, "%s", "more bytes used than committed");
    insert_block(s, p, size, align);
}

static void bump_bad_arguments(stress *s)
{
    static const size_t bad_aligns[] = {0, 3, 24, (size_t)1 << 40};
    for (size_t i = 0; i < sizeof bad_aligns / sizeof bad_aligns[0]; i++)
        if (ab_bump_alloc(s->module, 64, bad_aligns[i]) != NULL)
            die(s, "%s", "a bad alignment (0, 3, 24 or 2^40) was not refused");
    if (ab_bump_alloc(s->module, 0, 8) != NULL)
        die(s, "%s", "size 0 was granted");
    if (ab_bump_alloc(s->module, BUMP_WINDOW + 1, 8) != NULL)
        die(s, "%s", "a block larger than the window was granted");
}

static void bump_finish(stress *s)
{
    while (s->nlive)
        take_block(s, s->nlive - 1);
    ab_bump_unload(s->module);
    s->module = NULL;
}

/* ---- rpcss: allocate, free marks only; a reset disables the arena ---- */

static void rpcss_new_arena(stress *s)
{
    s->arena = ab_rpcss_enable(0);
    if (!s->arena)
        die(s, "%s", "ab_rpcss_enable failed");
}

static void rpcss_reset(stress *s)
{
    while (s->nlive)
        take_block(s, s->nlive - 1);
    ab_rpcss_disable(s->arena);
    rpcss_new_arena(s);
}

static void rpcss_step(stress *s)
{
    unsigned pick = (unsigned)(next_random(s) % 1000);
    if (pick < 2 || s->nlive == MAX_LIVE) {
        rpcss_reset(s);
    } else if (pick < 300 && s->nlive) {
        block b = take_block(s, (size_t)(next_random(s) % s->nlive));
        ab_rpcss_free(s->arena, b.p);
    } else {
        size_t size = random_size(s), align = random_align(s, 3);
        int status = -1;
        unsigned char *p = ab_rpcss_allocate(s->arena, size, align, &status);
        if (!p || status != 0)
            die(s, "%s", "ab_rpcss_allocate failed");
        if (ab_rpcss_allocated(s->arena) > ab_rpcss_mapped(s->arena))
            die(s, "%s", "more bytes handed out than mapped");
        insert_block(s, p, size, align);
    }
}

static void rpcss_bad_arguments(stress *s)
{
    static const size_t bad_aligns[] = {3, 24};
    for (size_t i = 0; i < sizeof bad_aligns / sizeof bad_aligns[0]; i++) {
        int status = 0;
        if (ab_rpcss_allocate(s->arena, 64, bad_aligns[i], &status) != NULL || status != EINVAL)
            die(s, "%s", "a bad alignment (3 or 24) was not refused with EINVAL");
    }
    int status = 0;
    if (ab_rpcss_allocate(s->arena, 64, (size_t)1 << 40, &status) != NULL || status == 0)
        die(s, "%s", "an alignment of 2^40 was granted");
}

static void rpcss_finish(stress *s)
{
    while (s->nlive)
        take_block(s, s->nlive - 1);
    ab_rpcss_disable(s->arena);
    s->arena = NULL;
}

/* ---- the table: allocators differ only in these calls ---- */

typedef struct subject {
    const char *name;
    void (*start)(stress *s);
    void (*bad_arguments)(stress *s);
    void (*step)(stress *s);
    void (*finish)(stress *s);
} subject;

static void no_start(stress *s)
{
    (void)s;
}

static const subject subjects[] = {
    {"aligned_malloc", no_start, aligned_bad_arguments, aligned_step, aligned_finish},
    {"bump", bump_new_module, bump_bad_arguments, bump_step, bump_finish},
    {"rpcss", rpcss_new_arena, rpcss_bad_arguments, rpcss_step, rpcss_finish},
};

static void usage(FILE *to)
{
    fprintf(
        to,
        "usage: stress_allocators [--ops N] [--seed S] [--only NAME] [--inject overlap|corrupt]\n"
        "Randomized stress of aligned_malloc, bump and rpcss (direct APIs): content,\n"
        "overlap, alignment and bounds checked; exit 0 when every check held.\n");
}

int main(int argc, char **argv)
{
    unsigned long long ops = 200000, seed = 1;
    const char *only = NULL;
    injection inject = INJECT_NONE;
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--ops") && i + 1 < argc) {
            ops = strtoull(argv[++i], &end, 10);
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            seed = strtoull(argv[++i], &end, 10);
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
            continue;
        } else if (!strcmp(argv[i], "--inject") && i + 1 < argc) {
            i++;
            inject = !strcmp(argv[i], "overlap")   ? INJECT_OVERLAP
                     : !strcmp(argv[i], "corrupt") ? INJECT_CORRUPT
                                                   : INJECT_NONE;
            if (inject == INJECT_NONE) {
                fprintf(stderr, "stress_allocators: --inject wants overlap or corrupt, not '%s'\n",
                        argv[i]);
                return 2;
            }
            continue;
        } else {
            fprintf(stderr, "stress_allocators: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
        if (!end || *end || argv[i][0] == '-') {
            fprintf(stderr, "stress_allocators: '%s' is not a non-negative number\n", argv[i]);
            return 2;
        }
    }
    int ran = 0;
    for (size_t k = 0; k < sizeof subjects / sizeof subjects[0]; k++) {
        const subject *sub = &subjects[k];
        if (only && strcmp(only, sub->name))
            continue;
        static stress s; /* large: the live table */
        memset(&s, 0, sizeof s);
        s.name = sub->name;
        s.rng = seed * 1000003u + k;
        sub->start(&s);
        sub->bad_arguments(&s);
        s.inject = inject;
        for (s.op = 1; s.op <= ops; s.op++) {
            sub->step(&s);
            inject_fault(&s);
        }
        sub->finish(&s);
        printf("%s: %llu ops, %llu blocks checked\n", sub->name, ops,
               (unsigned long long)s.next_tag);
        ran++;
    }
    if (!ran) {
        fprintf(stderr,
                "stress_allocators: no allocator called '%s' (aligned_malloc, bump, rpcss)\n",
                only);
        return 2;
    }
    return 0;
}
