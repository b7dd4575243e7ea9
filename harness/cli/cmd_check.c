/* cmd_check.c: `alignbench check`: the conformance suite, each allocator in its own child.
 *
 * For every chosen allocator the runner's `conformance` mode runs in a fresh process with that
 * allocator's library preloaded (exactly as a measured run), printing one named line per check
 * (`PASS jemalloc size-0`, `FAIL ...`, `N/A bump free-releases: ...`). A child that crashes,
 * hangs or refuses its allocator becomes a FAIL line of its own. Exit codes: 0 every check
 * passed, 1 a check failed or a child crashed, 2 usage, 77 nothing could run (every chosen
 * allocator unavailable here, e.g. preloaded ones in a sanitizer build: ctest's skip code).
 */
#include "harness/orchestrator/alloc_select.h"
#include "harness/orchestrator/child.h"
#include "harness/cli/commands.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_EXIT_SKIPPED 77

static void usage(FILE *out)
{
    fprintf(out,
            "usage: alignbench check [--alloc SPEC]... [--timeout S]\n\n"
            "Runs the conformance suite (sizes, alignments, bad alignments, NULL free, content,\n"
            "overlap, realloc, bulk release, module windows) against each allocator, each in a\n"
            "fresh runner process with its library preloaded. One line per check:\n"
            "PASS, FAIL, or N/A with the reason the check does not apply.\n\n"
            "  --alloc SPEC  NAME, all, NAME=/path/lib.so, or a comma list; repeatable;\n"
            "                default: every built-in allocator\n"
            "  --timeout S   kill an allocator's suite after S seconds (default 120)\n\n"
            "Exit: 0 all passed, 1 a check failed or a child crashed, 2 usage,\n"
            "77 no chosen allocator is available here.\n");
}

/* Runs one allocator's suite; returns 1 when it failed. */
static int check_one(const ab_alloc_choice *c, const char *runner, double timeout_s)
{
    const char *argv[9];
    ab_alloc_runner_argv(c, runner, "conformance", argv);
    ab_child_spec spec = {
        .argv = argv, .preload = c->lib[0] ? c->lib : NULL, .timeout_s = timeout_s};
    ab_child_result r;
    char what[128];
    fflush(stdout);
    if (ab_child_run(&spec, &r) != 0) {
        printf("FAIL %s suite: cannot run the runner child\n", c->name);
        return 1;
    }
    ab_child_describe(&r, what, sizeof what);
    switch (r.outcome) {
    case AB_CHILD_OK:
        return 0;
    case AB_CHILD_FAILED:
        if (r.exit_code == 1)
            return 1; /* the child printed its FAIL lines */
        printf("FAIL %s suite: runner %s%s\n", c->name, what,
               r.exit_code == 3 ? " (allocator refused: see the message above)" : "");
        return 1;
    default:
        printf("FAIL %s suite: runner child %s (after the last line above)\n", c->name, what);
        return 1;
    }
}

int cmd_check(int argc, char **argv)
{
    const char **specs = calloc((size_t)argc, sizeof *specs);
    size_t nspecs = 0, n = 0;
    double timeout_s = 120.0;
    int opt;
    ab_alloc_choice *choices = NULL;
    int rc = 2;
    if (!specs) {
        fprintf(stderr, "alignbench check: out of memory\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            rc = 0;
            goto out;
        } else if ((opt = ab_alloc_parse_opt("check", argc, argv, &i, specs, &nspecs,
                                             &timeout_s)) != 0) {
            if (opt < 0)
                goto out;
        } else {
            fprintf(stderr, "alignbench check: unknown or incomplete option '%s'\n", argv[i]);
            usage(stderr);
            goto out;
        }
    }
    char err[512], runner[PATH_MAX];
    if (ab_alloc_choose(specs, nspecs, &choices, &n, err, sizeof err) != 0) {
        fprintf(stderr, "alignbench check: %s\n", err);
        goto out;
    }
    if (ab_runner_path(runner, sizeof runner) != 0 || access(runner, X_OK) != 0) {
        fprintf(stderr, "alignbench check: cannot find alignbench-runner next to alignbench\n");
        rc = 1;
        goto out;
    }
    size_t ran = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!choices[i].available) {
            printf("SKIP %s: %s\n", choices[i].name, choices[i].why);
            continue;
        }
        ran++;
        failed += (size_t)check_one(&choices[i], runner, timeout_s);
    }
    printf("%zu allocator(s) checked, %zu failed, %zu skipped\n", ran, failed, n - ran);
    rc = failed ? 1 : ran ? 0 : CHECK_EXIT_SKIPPED;
out:
    free(choices);
    free(specs);
    return rc;
}
