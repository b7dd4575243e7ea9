/* null_alloc.h: the null allocator, which measures the replay floor (docs/measurement.md).
 *
 * It hands back one pre-made block (as large as the trace's largest request, aligned to its
 * largest alignment) for every allocation and does nothing on free, realloc and reset. Replaying
 * a trace against it costs exactly what the harness itself costs per op (reading the record,
 * dispatching on its kind, the id table, touching the block, the timer), so the replay
 * subtracts it from every time ("net of the floor"). It is not in the allocator registry: it is
 * never a measured allocator, and it never calls malloc, so the replay can run it in the same
 * child as the allocator under test.
 */
#ifndef AB_NULL_ALLOC_H
#define AB_NULL_ALLOC_H

#include "allocators/allocator.h"

extern const ab_allocator ab_null_allocator;
/* The threaded replay's floor: each replay thread gets its own block (ab_null_bind_thread). */
extern const ab_allocator ab_null_threaded_allocator;

/* Map the block: at least max_size bytes, aligned to max_align. Returns 0 or -1. */
int ab_null_prepare(size_t max_size, size_t max_align);
/* The same plus one block per thread, for ab_null_threaded_allocator. */
int ab_null_prepare_threads(size_t max_size, size_t max_align, unsigned threads);
/* The calling thread's block for ab_null_threaded_allocator is block k (a replay thread's
 * index; beyond the prepared threads: the shared block). */
void ab_null_bind_thread(unsigned k);
/* Unmap it. */
void ab_null_release(void);

#endif
