/* unit.h: what the direct unit tests of tests/conformance share beyond tests/check.h (which
 * they use for CHECK): resident memory for "memory went back" checks, and the sanitizer
 * options that let near-SIZE_MAX requests come back NULL. */
#ifndef AB_TEST_UNIT_H
#define AB_TEST_UNIT_H

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "tests/check.h"

/* Resident bytes of this process (statm's second field), for "memory went back" checks. */
static inline uint64_t resident(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%llu %llu", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

#include "allocators/provider.h"
#if AB_SANITIZED
/* Near-SIZE_MAX requests must come back NULL (as from every real allocator), not abort. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

#endif
