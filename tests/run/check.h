/* check.h: the one-line named checks the tests/run programs are written in (the style of
 * mimalloc's test-api.c): each CHECK prints "ok NAME" or "FAIL NAME: condition" and counts
 * failures; CHECK_DONE() ends main with the exit status ctest reads. */
#ifndef AB_TESTS_RUN_CHECK_H
#define AB_TESTS_RUN_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(name, cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s: %s\n", name, #cond);                                         \
            check_failures++;                                                                      \
        } else {                                                                                   \
            printf("ok   %s\n", name);                                                             \
        }                                                                                          \
    } while (0)

#define CHECK_DONE()                                                                               \
    do {                                                                                           \
        if (check_failures)                                                                        \
            fprintf(stderr, "%d check(s) failed\n", check_failures);                               \
        return check_failures ? 1 : 0;                                                             \
    } while (0)

#endif
