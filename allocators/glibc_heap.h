/* glibc_footprint.h: what a glibc heap block really costs (private to allocators/).
 *
 * Shared by the `malloc` backend and by `aligned_malloc` (which sits on plain malloc), so the
 * formula lives in one place (malloc.c, where it is explained).
 */
#ifndef AB_GLIBC_FOOTPRINT_H
#define AB_GLIBC_FOOTPRINT_H

#include <stddef.h>

/* Bytes taken from glibc's heap by a block p of `size` bytes obtained with malloc (align <= 16)
 * or posix_memalign(align > 16). */
size_t ab_glibc_footprint(const void *p, size_t size, size_t align);

#endif
