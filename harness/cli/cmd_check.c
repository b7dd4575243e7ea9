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
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"

#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WHO "alignbench check"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: alignbench check [--alloc SPEC]... [--timeout S]\n\n"
            "Runs the conformance suite (sizes, alignments, bad alignments, NULL free, content,\n"
            "overlap, realloc, bulk release, module windows) against each allocator, each in a\n"
            "fresh runner process with its library preloaded. One line per check:\n"
            "PASS, FAIL, or N/A with the reason the check does not apply.\n\n"
            "  --alloc SPEC  NAME, all, NAME=/path/lib.so, a variant\n"
            "                NAME=BASE:VAR=value[:VAR=value...] (BASE a built-in or a\n"
            "                /path/lib.so; settings in its children only), or a comma list\n"
            "                (a variant takes the rest of it); repeatable;\n"
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
    const char *env[AB_ALLOC_MAX_SETTINGS + 1];
    ab_alloc_env(c, env);
    ab_child_spec spec = {
        .argv = argv, .preload = c->lib[0] ? c->lib : NULL, .env = env, .timeout_s = timeout_s};
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
        if (r.exit_code == AB_RUNNER_EXIT_FAILED)
            return 1; /* the child printed its FAIL lines */
        printf("FAIL %s suite: runner %s%s\n", c->name, what,
               r.exit_code == AB_RUNNER_EXIT_REFUSED ? " (allocator refused: see the message above)"
                                                     : "");
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
    ab_alloc_choice *choices = NULL;
    int rc = AB_EXIT_USAGE;
    if (!specs) {
        fprintf(stderr, WHO ": out of memory\n");
        return AB_EXIT_FAILURE;
    }
    static const struct option longs[] = {{"alloc", required_argument, NULL, 'a'},
                                          {"timeout", required_argument, NULL, 't'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            rc = AB_EXIT_OK;
            goto out;
        } else if (c == 'a') {
            specs[nspecs++] = optarg;
        } else if (c == 't') {
            if (ab_opt_double(
                    AB_NUM_OPT(WHO, "--timeout", .flags = AB_NUM_ABOVE_MIN, .noun = "seconds"),
                    optarg, 0, INFINITY, &timeout_s))
                goto out;
        } else {
            ab_opt_complain(WHO, c, argv);
            goto out;
        }
    }
    if (optind < argc) {
        ab_opt_unexpected(WHO, argv[optind]);
        goto out;
    }
    char err[512], runner[PATH_MAX];
    if (ab_alloc_choose(specs, nspecs, &choices, &n, err, sizeof err) != 0) {
        fprintf(stderr, WHO ": %s\n", err);
        goto out;
    }
    if (ab_runner_path(runner, sizeof runner) != 0 || access(runner, X_OK) != 0) {
        fprintf(stderr, WHO ": cannot find alignbench-runner next to alignbench\n");
        rc = AB_EXIT_FAILURE;
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
    rc = failed ? AB_EXIT_FAILURE : ran ? AB_EXIT_OK : AB_EXIT_SKIPPED;
out:
    free(choices);
    free(specs);
    return rc;
}
