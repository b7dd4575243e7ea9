/* runner_micro.c: runner mode `micro`, the Google Benchmark micro-suite in the measured child.
 *
 *   alignbench-runner micro --alloc NAME [--lib PATH] [--full] [--cpu N] [--benchmark_* flags]
 *
 * The orchestrator (`alignbench micro`, cmd_micro.c) starts one of these per allocator under the
 * allocator's LD_PRELOAD, passing --benchmark_out=FILE --benchmark_out_format=json and the
 * repetitions, minimum time and filter as Google Benchmark flags (builder calls would rename
 * the benchmarks), and the CPU to pin to (the orchestrator only waits, so the measuring child
 * gets a CPU to itself where there are two). The allocator is already created and verified by
 * runner_main.c. The custom context records what this process measured: the allocator's name,
 * backend, version and library, and the build; the orchestrator adds the machine context when it
 * merges the files. Exit codes (exit_codes.h): 0 ok, 1 nothing ran, 2 usage, 5 the build has no
 * Google Benchmark.
 */
#include "harness/runner/runner_modes.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"

#include "build_config.h"

#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHO "alignbench-runner micro"

#ifdef AB_HAVE_GBENCH
#include "harness/runner/gbench_shim.h"
#include "harness/runner/micro_suite.h"

#define MICRO_MAX_ARGS 64

static int add_context(const ab_runner_ctx *ctx)
{
    const char *version = ctx->alloc->version ? ctx->alloc->version() : NULL;
    const struct {
        const char *what, *value;
    } facts[] = {
        {"version", version ? version : "unknown"},
        {"backend", ctx->alloc->name},
        {"library", ctx->lib_path ? ctx->lib_path : "(the C library)"},
    };
    char key[256];
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        snprintf(key, sizeof key, "alignbench_allocator_%s:%s", facts[i].what, ctx->alloc_name);
        if (abgb_add_custom_context(key, facts[i].value))
            return -1;
    }
    if (abgb_add_custom_context("alignbench_git_commit", AB_GIT_COMMIT) ||
        abgb_add_custom_context("alignbench_build_type", AB_BUILD_TYPE) ||
        abgb_add_custom_context("alignbench_compiler", AB_C_COMPILER) ||
        abgb_add_custom_context("alignbench_cflags", AB_C_FLAGS))
        return -1;
    return 0;
}

const char runner_micro_usage[] =
    "usage: alignbench-runner micro --alloc NAME [--lib PATH] [--full] [--cpu N]\n"
    "                          [--benchmark_* flags]\n"
    "Runs the Google Benchmark micro-suite against one allocator; started by\n"
    "`alignbench micro` (see `alignbench micro --help`).\n";

/* Whether Google Benchmark was asked only to list the benchmarks (--benchmark_list_tests, bare or
 * =true/1): then a filter that leaves none for this allocator lists nothing, which is no failure.
 */
static int lists_tests(int argc, char **argv)
{
    static const char flag[] = "--benchmark_list_tests";
    int on = 0;
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], flag, sizeof flag - 1)) {
            const char *v = argv[i] + sizeof flag - 1;
            on = !*v || !strcmp(v, "=true") || !strcmp(v, "=1");
        }
    return on;
}

int runner_micro(const ab_runner_ctx *ctx, int argc, char **argv)
{
    static const struct option longs[] = {{"full", no_argument, NULL, 'f'},
                                          {"cpu", required_argument, NULL, 'c'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    char *gargv[MICRO_MAX_ARGS + 1];
    int gargc = 0, full = 0, cpu = -1;
    unsigned u;
    gargv[gargc++] = argv[0];
    /* "+": in order, so that every option this mode does not know (Google Benchmark's own
     * --benchmark_* flags) goes to Google Benchmark as it came */
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "+:h", longs, NULL)) != -1;) {
        if (c == 'f') {
            full = 1;
        } else if (c == 'c') {
            if (ab_opt_uint(AB_NUM_OPT(WHO, "--cpu"), optarg, 0, CPU_SETSIZE - 1, &u))
                return AB_RUNNER_EXIT_USAGE;
            cpu = (int)u;
        } else if (c == 'h') {
            fputs(runner_micro_usage, stdout);
            return AB_RUNNER_EXIT_OK;
        } else if (c == ':') {
            ab_opt_complain(WHO, c, argv);
            return AB_RUNNER_EXIT_USAGE;
        } else if (gargc < MICRO_MAX_ARGS) {
            gargv[gargc++] = argv[optind - 1];
        } else {
            fprintf(stderr, WHO ": more than %d arguments\n", MICRO_MAX_ARGS);
            return AB_RUNNER_EXIT_USAGE;
        }
    }
    for (; optind < argc; optind++) {
        if (gargc == MICRO_MAX_ARGS) {
            fprintf(stderr, WHO ": more than %d arguments\n", MICRO_MAX_ARGS);
            return AB_RUNNER_EXIT_USAGE;
        }
        gargv[gargc++] = argv[optind];
    }
    gargv[gargc] = NULL;
    int listing = lists_tests(gargc, gargv); /* before Google Benchmark takes its flags out */
    if (abgb_initialize(&gargc, gargv) != ABGB_OK) {
        fprintf(stderr, WHO ": %s\n", abgb_last_error());
        return AB_RUNNER_EXIT_USAGE;
    }
    char pinned[32] = "no";
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) == 0)
            snprintf(pinned, sizeof pinned, "%d", cpu);
        else
            perror(WHO ": warning: cannot pin to the CPU asked for");
    }
    char err[512];
    if (add_context(ctx) != 0 || abgb_add_custom_context("alignbench_pinned_cpu", pinned)) {
        fprintf(stderr, WHO ": %s\n", abgb_last_error());
        return AB_RUNNER_EXIT_FAILED;
    }
    if (ab_micro_register(ctx->alloc, ctx->alloc_name, full, err, sizeof err) < 0) {
        fprintf(stderr, WHO ": %s\n", err);
        return AB_RUNNER_EXIT_FAILED;
    }
    int ran = abgb_run();
    if (ran < 0) {
        fprintf(stderr, WHO ": %s\n", abgb_last_error());
        return AB_RUNNER_EXIT_FAILED;
    }
    if (ran == 0 && !listing) {
        fprintf(stderr, WHO ": no benchmark ran (the filter matched none, or the output file "
                            "could not be opened)\n");
        return AB_RUNNER_EXIT_FAILED;
    }
    return AB_RUNNER_EXIT_OK;
}

#else

const char runner_micro_usage[] =
    "usage: alignbench-runner micro --alloc NAME [--lib PATH]\n"
    "Unavailable: this build has no Google Benchmark (libbenchmark-dev missing or\n"
    "AB_WITH_GBENCH=OFF).\n";

int runner_micro(const ab_runner_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, WHO ": unavailable: this build has no Google Benchmark "
                        "(libbenchmark-dev missing or AB_WITH_GBENCH=OFF)\n");
    return AB_RUNNER_EXIT_UNAVAILABLE;
}

#endif
