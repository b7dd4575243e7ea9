/* wl_check.h: the named-check style of the workloads tests (one fact a line, as in mimalloc's
 * test-api.c): CHECK(name, condition) prints "ok"/"FAIL" with the name; the test exits non-zero
 * when any check failed. */
#ifndef AB_WL_CHECK_H
#define AB_WL_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int wl_failures;
static int wl_checks;

#define CHECK(name, cond)                                                                          \
    do {                                                                                           \
        wl_checks++;                                                                               \
        if (cond) {                                                                                \
            printf("ok   %s\n", name);                                                             \
        } else {                                                                                   \
            wl_failures++;                                                                         \
            printf("FAIL %s  (%s:%d: %s)\n", name, __FILE__, __LINE__, #cond);                     \
        }                                                                                          \
    } while (0)

static inline int wl_done(void)
{
    printf("%d checks, %d failed\n", wl_checks, wl_failures);
    return wl_failures ? 1 : 0;
}

#endif
