/* aligned_malloc.h: a work-alike of the MSVC CRT's aligned allocation API over plain malloc
 * (docs/allocators.md), exported under the MSVC names for tests and ported code to call. The
 * `aligned_malloc` allocator entry (aligned_malloc.c) sits on top of it.
 *
 * Errors as in the UCRT: NULL with errno EINVAL for an alignment that is not a power of two or
 * for offset >= size (offset != 0); NULL with ENOMEM when out of memory or near SIZE_MAX.
 * _aligned_free(NULL) does nothing; _aligned_realloc(p, 0, a) frees p and returns NULL; a failed
 * realloc leaves the old block as it was; changing the alignment of a live block is EINVAL.
 * _aligned_msize returns exactly the requested size (the header stores it), or (size_t)-1 with
 * EINVAL for NULL or a block that is not ours. Freeing with the wrong function is detected:
 * _aligned_free on a block that is not from _aligned_malloc (or a second time) prints the
 * problem and aborts; plain free() on an aligned block makes glibc abort ("free(): invalid
 * size"/"invalid pointer"), because the header's tag is built to be an impossible chunk size.
 */
#ifndef AB_ALIGNED_MALLOC_H
#define AB_ALIGNED_MALLOC_H

#include <stddef.h>

void *_aligned_malloc(size_t size, size_t alignment);
void *_aligned_offset_malloc(size_t size, size_t alignment, size_t offset);
void *_aligned_realloc(void *memblock, size_t size, size_t alignment);
void *_aligned_offset_realloc(void *memblock, size_t size, size_t alignment, size_t offset);
size_t _aligned_msize(void *memblock, size_t alignment, size_t offset);
void _aligned_free(void *memblock);

/* Not in the CRT: is p a live block of this API? (what _aligned_free checks before freeing) */
int ab_aligned_is_block(const void *p);
/* Not in the CRT: the pointer malloc returned for the aligned block p (for footprints). */
void *ab_aligned_base(const void *p);
/* Bytes this work-alike adds in front of every block (the header). */
#define AB_ALIGNED_HEADER 24u

#endif
