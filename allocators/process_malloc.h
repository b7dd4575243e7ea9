/* process_malloc.h: the plain entries (allocator.h's `malloc` and `calloc`) of every backend
 * whose plain allocations are this process's own malloc: glibc's (the malloc backend), jemalloc
 * (preloaded, it *is* the process's malloc) and aligned_malloc (an MSVC program's plain malloc is
 * the CRT's, here glibc's). One copy, so that the three cannot drift apart. */
#ifndef AB_PROCESS_MALLOC_H
#define AB_PROCESS_MALLOC_H

#include <stddef.h>
#include <stdint.h>

/* malloc(size) and calloc(1, size) at the program's size; the scope is not used. */
void *ab_process_malloc(size_t size, uint32_t scope);
void *ab_process_calloc(size_t size, uint32_t scope);

#endif
