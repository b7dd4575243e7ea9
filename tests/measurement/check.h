/* check.h: the one assertion macro of the measurement tests: a named fact, checked, with the
 * values that broke it printed; a failed check makes the test exit 1 at the end. */
#ifndef AB_MEASUREMENT_CHECK_H
#define AB_MEASUREMENT_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            check_failures++;                                                                      \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_DONE(name)                                                                           \
    do {                                                                                           \
        if (check_failures)                                                                        \
            fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);                     \
        else                                                                                       \
            printf("%s: all checks passed\n", name);                                               \
        return check_failures ? 1 : 0;                                                             \
    } while (0)

#endif
