/* glibc_heap.h: what glibc's heap can tell about itself (private to allocators/).
 *
 * Shared by the `malloc` backend and by `aligned_malloc` (which sits on plain malloc), so the
 * footprint formula and the statistics live in one place (malloc.c, where they are explained).
 */
#ifndef AB_GLIBC_HEAP_H
#define AB_GLIBC_HEAP_H

#include "allocators/allocator.h"

#include <stddef.h>

/* Bytes taken from glibc's heap by a block p of `size` bytes obtained with malloc (align <= 16)
 * or posix_memalign (align > 16). */
size_t ab_glibc_footprint(const void *p, size_t size, size_t align);
/* mallinfo2: allocated and mapped bytes. */
int ab_glibc_stats(ab_alloc_stats *out);
/* malloc_trim(0). */
void ab_glibc_purge(void);
/* gnu_get_libc_version(). */
const char *ab_glibc_version(void);

#endif
