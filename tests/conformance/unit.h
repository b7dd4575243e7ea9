/* unit.h: the few lines the direct unit tests of tests/conformance share: a CHECK that names
 * the failed condition and its line, and a summary that sets the exit code. ctest runs each
 * test program; SKIP_RETURN_CODE 77 marks a test that cannot run in this build. */
#ifndef AB_TEST_UNIT_H
#define AB_TEST_UNIT_H

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static int unit_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            unit_failures++;                                                                       \
        }                                                                                          \
    } while (0)

#define UNIT_SKIPPED 77

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

static inline int unit_done(const char *name)
{
    if (unit_failures)
        fprintf(stderr, "%s: %d check(s) failed\n", name, unit_failures);
    else
        printf("%s: all checks passed\n", name);
    return unit_failures ? 1 : 0;
}

#endif
