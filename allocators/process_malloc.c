/* process_malloc.c: the process's malloc and calloc as plain entries (process_malloc.h). */
#include "allocators/process_malloc.h"

#include <stdlib.h>

void *ab_process_malloc(size_t size, uint32_t scope)
{
    (void)scope;
    return malloc(size);
}

void *ab_process_calloc(size_t size, uint32_t scope)
{
    (void)scope;
    return calloc(1, size);
}
