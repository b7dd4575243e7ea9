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
 * merges the files. Exit codes: 0 ok, 1 nothing ran, 2 usage, 4 the build has no Google Benchmark.
 */
#include "harness/runner/runner_modes.h"

#include "build_config.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int runner_micro(const ab_runner_ctx *ctx, int argc, char **argv)
{
    char *gargv[MICRO_MAX_ARGS + 1];
    int gargc = 0, full = 0, cpu = -1;
    gargv[gargc++] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--full")) {
            full = 1;
        } else if (!strcmp(argv[i], "--cpu") && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 0 || v >= CPU_SETSIZE) {
                fprintf(stderr, "alignbench-runner micro: --cpu '%s' is not a CPU number\n",
                        argv[i]);
                return 2;
            }
            cpu = (int)v;
        } else if (!strcmp(argv[i], "--help")) {
            printf("usage: alignbench-runner micro --alloc NAME [--lib PATH] [--full] [--cpu N]\n"
                   "                          [--benchmark_* flags]\n"
                   "Runs the Google Benchmark micro-suite against one allocator; started by\n"
                   "`alignbench micro` (see `alignbench micro --help`).\n");
            return 0;
        } else if (gargc < MICRO_MAX_ARGS) {
            gargv[gargc++] = argv[i];
        } else {
            fprintf(stderr, "alignbench-runner micro: more than %d arguments\n", MICRO_MAX_ARGS);
            return 2;
        }
    }
    gargv[gargc] = NULL;
    if (abgb_initialize(&gargc, gargv) != ABGB_OK) {
        fprintf(stderr, "alignbench-runner micro: %s\n", abgb_last_error());
        return 2;
    }
    char pinned[32] = "no";
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) == 0)
            snprintf(pinned, sizeof pinned, "%d", cpu);
        else
            perror("alignbench-runner micro: warning: cannot pin to the CPU asked for");
    }
    char err[512];
    if (add_context(ctx) != 0 || abgb_add_custom_context("alignbench_pinned_cpu", pinned)) {
        fprintf(stderr, "alignbench-runner micro: %s\n", abgb_last_error());
        return 1;
    }
    if (ab_micro_register(ctx->alloc, ctx->alloc_name, full, err, sizeof err) < 0) {
        fprintf(stderr, "alignbench-runner micro: %s\n", err);
        return 1;
    }
    int ran = abgb_run();
    if (ran < 0) {
        fprintf(stderr, "alignbench-runner micro: %s\n", abgb_last_error());
        return 1;
    }
    if (ran == 0) {
        fprintf(stderr, "alignbench-runner micro: no benchmark ran (the filter matched none, or "
                        "the output file could not be opened)\n");
        return 1;
    }
    return 0;
}

#else

int runner_micro(const ab_runner_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    fprintf(stderr, "alignbench-runner micro: unavailable: this build has no Google Benchmark "
                    "(libbenchmark-dev missing or AB_WITH_GBENCH=OFF)\n");
    return 4;
}

#endif
