/* conformance_entries.c: the conformance checks of the optional entry points (allocator.h:
 * malloc, calloc, free_sized, and free/realloc/footprint of a plain block with AB_ALIGN_PLAIN),
 * which a trace's entry points replay through. N/A for an allocator without the entry.
 *
 * Each check can fail: a plain block must have the alignment C requires of malloc(size)
 * (min(16, the largest power of two <= size)), a calloc block must read zero even where the
 * allocator is handed memory an earlier block dirtied, a realloc of a plain block keeps its
 * content, and no two live blocks of any entry overlap.
 */
#include "harness/runner/conformance_checks.h"

#include <stdlib.h>
#include <string.h>

static const size_t plain_sizes[] = {1, 3, 5, 8, 12, 15, 16, 17, 24, 33, 100, 1000, 5000, 70000};
#define NSIZES (sizeof plain_sizes / sizeof plain_sizes[0])
#define DIRTY 0xA5

static size_t c_align(size_t size) /* what C requires of malloc(size) */
{
    size_t a = 1;
    while (a < 16 && a * 2 <= size)
        a *= 2;
    return a;
}

static ab_check_result check_plain_malloc(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!c->a->malloc)
        return ab_check_na(c, "%s has no plain malloc entry (the replay uses alloc at 16)",
                           c->a->name);
    void *p[NSIZES];
    for (size_t i = 0; i < NSIZES; i++) {
        size_t n = plain_sizes[i];
        p[i] = c->a->malloc(n, c->scope);
        if (!p[i])
            return ab_check_fail(c, "malloc(%zu) returned NULL", n);
        if ((uintptr_t)p[i] & (c_align(n) - 1))
            return ab_check_fail(c, "malloc(%zu) = %p is not aligned to %zu", n, p[i], c_align(n));
        memset(p[i], (int)i + 1, n);
        if (c->a->footprint(p[i], n, AB_ALIGN_PLAIN) < n)
            return ab_check_fail(c, "footprint of malloc(%zu) is below its size", n);
    }
    for (size_t i = 0; i < NSIZES; i++) {
        const unsigned char *b = p[i];
        if (b[0] != (unsigned char)(i + 1) || b[plain_sizes[i] - 1] != (unsigned char)(i + 1))
            return ab_check_fail(c, "malloc(%zu) block was overwritten", plain_sizes[i]);
        ab_check_release(c, p[i], plain_sizes[i], AB_ALIGN_PLAIN);
    }
    ab_check_end_scope(c);
    return AB_CHECK_PASS;
}

/* Dirty memory first (blocks filled and released, or the scope reset), then calloc. */
static ab_check_result check_calloc_zeroes(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!c->a->calloc)
        return ab_check_na(c, "%s has no calloc entry (the replay zeroes itself)", c->a->name);
    for (int round = 0; round < 3; round++) {
        void *p[NSIZES];
        for (size_t i = 0; i < NSIZES; i++) {
            size_t n = plain_sizes[i];
            p[i] = round ? c->a->calloc(n, c->scope) : c->a->alloc(n, 16, c->scope);
            if (!p[i])
                return ab_check_fail(c, "%s(%zu) returned NULL", round ? "calloc" : "alloc", n);
            if (round) {
                const unsigned char *b = p[i];
                if ((uintptr_t)b & (c_align(n) - 1))
                    return ab_check_fail(c, "calloc(%zu) = %p is not aligned to %zu", n, p[i],
                                         c_align(n));
                for (size_t k = 0; k < n; k++)
                    if (b[k])
                        return ab_check_fail(c, "calloc(%zu): byte %zu is 0x%02x, not 0", n, k,
                                             b[k]);
            }
            memset(p[i], DIRTY, n);
        }
        for (size_t i = 0; i < NSIZES; i++)
            ab_check_release(c, p[i], plain_sizes[i], round ? AB_ALIGN_PLAIN : 16);
        ab_check_end_scope(c);
    }
    return AB_CHECK_PASS;
}

static ab_check_result check_plain_realloc(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!c->a->malloc)
        return ab_check_na(c, "%s has no plain malloc entry", c->a->name);
    if (!(c->a->caps & AB_CAP_REALLOC))
        return ab_check_na(c, "%s has no realloc in the API it models", c->a->name);
    unsigned char *p = c->a->malloc(5, c->scope);
    if (!p)
        return ab_check_fail(c, "malloc(5) returned NULL");
    for (int k = 0; k < 5; k++)
        p[k] = (unsigned char)(k + 1);
    const size_t steps[] = {24, 300, 70000, 7};
    size_t old = 5;
    for (size_t s = 0; s < 4; s++) {
        unsigned char *q = c->a->realloc(p, old, steps[s], AB_ALIGN_PLAIN);
        if (!q)
            return ab_check_fail(c, "realloc of a plain block %zu -> %zu returned NULL", old,
                                 steps[s]);
        if ((uintptr_t)q & (c_align(steps[s]) - 1))
            return ab_check_fail(c, "realloc of a plain block to %zu = %p is not aligned to %zu",
                                 steps[s], (void *)q, c_align(steps[s]));
        for (int k = 0; k < 5; k++)
            if (q[k] != (unsigned char)(k + 1))
                return ab_check_fail(c, "realloc of a plain block to %zu changed byte %d", steps[s],
                                     k);
        p = q;
        old = steps[s];
    }
    ab_check_release(c, p, old, AB_ALIGN_PLAIN);
    ab_check_end_scope(c);
    return AB_CHECK_PASS;
}

/* Blocks of every entry live at once (freed sized where there is a sized free): none overlaps. */
static ab_check_result check_entries_no_overlap(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!c->a->malloc && !c->a->calloc)
        return ab_check_na(c, "%s has no plain entries", c->a->name);
    enum { N = 1500 };
    struct blk {
        unsigned char *p;
        size_t size, align;
    } *b = calloc(N, sizeof *b);
    if (!b)
        return ab_check_fail(c, "out of memory for the check's own table");
    uint64_t rng = 777;
    ab_check_result r = AB_CHECK_PASS;
    size_t n = 0;
    for (; n < N && r == AB_CHECK_PASS; n++) {
        unsigned which = (unsigned)(ab_check_rand(&rng) % 3);
        size_t size = 1 + ab_check_rand(&rng) % 2048, align = AB_ALIGN_PLAIN;
        if (which == 0) {
            align = (size_t)1 << (ab_check_rand(&rng) % 8);
            b[n].p = c->a->alloc(size, align, c->scope);
        } else if (which == 1 && c->a->malloc) {
            b[n].p = c->a->malloc(size, c->scope);
        } else if (c->a->calloc) {
            b[n].p = c->a->calloc(size, c->scope);
        } else {
            b[n].p = c->a->malloc(size, c->scope);
        }
        b[n].size = size;
        b[n].align = align;
        if (!b[n].p) {
            r = ab_check_fail(c, "an allocation of %zu bytes returned NULL", size);
            break;
        }
        memset(b[n].p, (int)(n & 0xFF), size);
    }
    for (size_t i = 0; i < n && r == AB_CHECK_PASS; i++)
        if (b[i].p[0] != (unsigned char)(i & 0xFF) ||
            b[i].p[b[i].size - 1] != (unsigned char)(i & 0xFF))
            r = ab_check_fail(c, "block %zu (%zu bytes, %s) was overwritten", i, b[i].size,
                              b[i].align ? "aligned" : "plain");
    for (size_t i = 0; i < n; i++) {
        if (!b[i].p || !(c->a->caps & AB_CAP_FREE))
            continue;
        if (c->a->free_sized && (i & 1))
            c->a->free_sized(b[i].p, b[i].size, b[i].align);
        else
            c->a->free(b[i].p, b[i].size, b[i].align);
    }
    ab_check_end_scope(c);
    free(b);
    return r;
}

/* A sized free of blocks of every kind, then the same sizes again: the allocator reuses them. */
static ab_check_result check_free_sized(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!c->a->free_sized)
        return ab_check_na(c, "%s has no sized free (a sized free replays as free)", c->a->name);
    const size_t aligns[] = {AB_ALIGN_PLAIN, 8, 16, 64, 4096};
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < NSIZES; i++)
            for (size_t k = 0; k < sizeof aligns / sizeof aligns[0]; k++) {
                size_t n = plain_sizes[i], a = aligns[k];
                void *p =
                    a == AB_ALIGN_PLAIN ? c->a->malloc(n, c->scope) : c->a->alloc(n, a, c->scope);
                if (!p)
                    return ab_check_fail(c, "allocation of %zu bytes (align %zu) returned NULL", n,
                                         a);
                memset(p, DIRTY, n);
                c->a->free_sized(p, n, a);
            }
    return AB_CHECK_PASS;
}

const ab_conformance_check ab_conformance_entry_checks[] = {
    {"entry-malloc-plain-align", check_plain_malloc, 0},
    {"entry-calloc-zeroes", check_calloc_zeroes, 0},
    {"entry-realloc-plain-keeps-content", check_plain_realloc, 0},
    {"entry-mixed-no-overlap", check_entries_no_overlap, 0},
    {"entry-free-sized", check_free_sized, 0},
};
const size_t ab_conformance_entry_check_count =
    sizeof ab_conformance_entry_checks / sizeof ab_conformance_entry_checks[0];
