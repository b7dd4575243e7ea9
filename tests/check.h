/* check.h: the one assertion style of alignbench's C tests.
 *
 *   CHECK(condition)                       a fact; a failure prints its file, line and text
 *   CHECK(condition, "what it means")      the same, with a name
 *   CHECK(condition, "fmt %d", values...)  the same, with the values that broke it
 *   CHECK_DONE("test name")                ends main: prints the count, exit 1 if any failed
 *
 * A failed check does not stop the test (every fact is reported), and nothing is printed for
 * a passing one except by CHECK_DONE. ctest reads the exit status; 77 marks a test skipped in
 * this build (CHECK_SKIPPED).
 */
#ifndef AB_TESTS_CHECK_H
#define AB_TESTS_CHECK_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define CHECK_SKIPPED 77

static int check_failures, check_count;

static __attribute__((format(printf, 5, 6), unused)) void
check_report(int ok, const char *file, int line, const char *expr, const char *fmt, ...)
{
    check_count++;
    if (ok)
        return;
    check_failures++;
    fprintf(stderr, "FAIL %s:%d: %s", file, line, expr);
    if (fmt && fmt[0]) {
        va_list ap;
        va_start(ap, fmt);
        fputs(": ", stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
}

static __attribute__((unused)) int check_done(const char *name)
{
    printf("%s%s%d checks, %d failed\n", name, name[0] ? ": " : "", check_count, check_failures);
    return check_failures ? 1 : 0;
}

/* Every CHECK ends its arguments with a NULL (no description: fmt is NULL), which a format
 * with arguments does not read. */
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#define CHECK(cond, ...)                                                                           \
    check_report(!!(cond), __FILE__, __LINE__, #cond, __VA_OPT__(__VA_ARGS__, ) NULL)
#define CHECK_DONE(...) return check_done("" __VA_ARGS__)

#endif
