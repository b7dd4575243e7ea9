/* align.h: the alignment rules every backend shares (private to allocators/).
 *
 * The interface promises backends a power-of-two alignment, but a backend must never crash on a
 * bad one: jemalloc's mallocx does not validate it (see jemalloc(3)), so each backend checks with
 * ab_align_bad() and fails with errno = EINVAL. This is the validation layer the conformance
 * suite's align-reject-* checks hit (a trace cannot even express a non-power-of-two alignment:
 * it stores log2). One predictable branch per call.
 */
#ifndef AB_ALIGN_H
#define AB_ALIGN_H

#include <stddef.h>
#include <stdint.h>

/* The fundamental alignment of malloc on x86-64 (glibc MALLOC_ALIGNMENT, MSVC malloc). */
#define AB_NATURAL_ALIGN 16u

static inline int ab_align_bad(size_t align)
{
    return __builtin_expect(align == 0 || (align & (align - 1)) != 0, 0);
}

/* The alignment C requires of malloc(size): enough for any object that fits, i.e.
 * min(AB_NATURAL_ALIGN, the largest power of two <= size) (1 for size 0). */
static inline size_t ab_plain_align(size_t size)
{
    return size >= AB_NATURAL_ALIGN ? AB_NATURAL_ALIGN
           : size                   ? (size_t)1 << (63 - __builtin_clzll((unsigned long long)size))
                                    : 1;
}

/* Round x up to a multiple of the power of two a; returns 0 on overflow (x > 0). */
static inline uintptr_t ab_align_up(uintptr_t x, size_t a)
{
    uintptr_t r = (x + (a - 1)) & ~(uintptr_t)(a - 1);
    return r < x ? 0 : r;
}

#endif
