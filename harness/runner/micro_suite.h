/* micro_suite.h: the Google Benchmark micro-suite of `alignbench micro`, written in C.
 *
 * Registered in the runner child (one allocator per process) through the shim
 * (gbench_shim.h). Names are stable across runs and carry the allocator, so files from several
 * children merge into one that compare.py and github-action-benchmark read as is:
 *   alloc_free/<alloc>/size:S/align:A    one alloc+free pair per iteration
 *   live_free/<alloc>/size:64/n:N        N allocs then N frees; an iteration is one pair
 *   realloc_grow/<alloc>/from:16/to:65536  16 B grown by doubling to 64 KiB, then freed
 */
#ifndef AB_MICRO_SUITE_H
#define AB_MICRO_SUITE_H

#include "allocators/allocator.h"

#include <stddef.h>

/* Registers the quick (full = 0) or full set for the created allocator `a`, named `alloc_name`
 * in the benchmark names. Returns the number registered, or -1 with a message in err. */
int ab_micro_register(const ab_allocator *a, const char *alloc_name, int full, char *err,
                      size_t errlen);

#endif
