/* registry.c: the built-in allocators, in display order, and lookup by name.
 * Adding an allocator is one file under allocators/ and one line here. */
#include "allocators/allocator.h"

#include <string.h>

extern const ab_allocator ab_alloc_malloc, ab_alloc_aligned_malloc, ab_alloc_jemalloc,
    ab_alloc_mimalloc, ab_alloc_bump, ab_alloc_rpcss, ab_alloc_preload;

const ab_allocator *const ab_allocators[] = {
    &ab_alloc_malloc, &ab_alloc_aligned_malloc, &ab_alloc_jemalloc, &ab_alloc_mimalloc,
    &ab_alloc_bump,   &ab_alloc_rpcss,          &ab_alloc_preload,
};
const size_t ab_allocator_count = sizeof ab_allocators / sizeof ab_allocators[0];

const ab_allocator *ab_allocator_find(const char *name)
{
    for (size_t i = 0; i < ab_allocator_count; i++)
        if (!strcmp(ab_allocators[i]->name, name))
            return ab_allocators[i];
    return NULL;
}
