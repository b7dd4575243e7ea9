/* runner_conformance.c: the runner's `conformance` mode, the suite `alignbench check` runs in a
 * fresh child per allocator.
 *
 * Written as a flat list of small named checks (like mimalloc's test-api.c), each about one
 * edge, each printing one line: `PASS <alloc> <check>`, `FAIL <alloc> <check>: what went
 * wrong`, or `N/A <alloc> <check>: why it does not apply` (bump cannot free by design, ...).
 * Every check goes through the allocator interface, the same calls the replay makes, so what
 * passes here is what gets measured. Each check uses a scope of its own and, for allocators with
 * bulk release, resets it at the end. Exit: 0 all passed (N/A allowed), 1 a check failed.
 */
#include "allocators/sanitizer_malloc.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"
#include "harness/runner/conformance_checks.h"
#include "harness/runner/runner_modes.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define WHO "alignbench-runner conformance"

#if AB_SANITIZED
/* ASan aborts on an impossible size by default; the near-SIZE_MAX checks need the NULL that
 * every real allocator returns. Read by ASan at start-up. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

const char runner_conformance_usage[] =
    "usage: alignbench-runner conformance --alloc NAME [--lib PATH] [--only CHECK]\n"
    "Runs the conformance checks against this allocator, one line each.\n";

int runner_conformance(const ab_runner_ctx *ctx, int argc, char **argv)
{
    static const struct option longs[] = {{"only", required_argument, NULL, 'o'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    const char *only = NULL;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":h", longs, NULL)) != -1;) {
        if (c == 'h') {
            fputs(runner_conformance_usage, stdout);
            return AB_RUNNER_EXIT_OK;
        } else if (c == 'o') {
            only = optarg;
        } else {
            ab_opt_complain(WHO, c, argv);
            return AB_RUNNER_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        ab_opt_unexpected(WHO, argv[optind]);
        return AB_RUNNER_EXIT_USAGE;
    }
    int failed = 0, ran = 0;
    const size_t total = ab_conformance_check_count + ab_conformance_entry_check_count;
    for (size_t i = 0; i < total; i++) {
        const ab_conformance_check *chk =
            i < ab_conformance_check_count
                ? &ab_conformance_checks[i]
                : &ab_conformance_entry_checks[i - ab_conformance_check_count];
        char name[64];
        ab_conformance_name(chk, name, sizeof name);
        if (only && strcmp(only, name) != 0)
            continue;
        ab_check_ctx c = {.a = ctx->alloc, .scope = (uint32_t)(i + 1)};
        ab_check_result res = chk->run(&c, chk->arg);
        static const char *const label[] = {"PASS", "FAIL", "N/A"};
        printf("%s %s %s%s%s\n", label[res], ctx->alloc_name, name, c.why[0] ? ": " : "", c.why);
        fflush(stdout);
        failed |= res == AB_CHECK_FAIL;
        ran++;
    }
    if (only && !ran) {
        fprintf(stderr, WHO ": no check named '%s'\n", only);
        return AB_RUNNER_EXIT_USAGE;
    }
    return failed ? AB_RUNNER_EXIT_FAILED : AB_RUNNER_EXIT_OK;
}
