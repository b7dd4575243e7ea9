/* main.c: the `alignbench` command line: finds the subcommand and hands it the rest.
 *
 * Every subcommand lives in a file of its own and answers `--help`; this file only holds the
 * table, so adding a command is one line here and one in commands.h.
 */
#include "harness/cli/commands.h"
#include "harness/common/exit_codes.h"
#include "build_config.h"

#include <stdio.h>
#include <string.h>

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"list", cmd_list, "list the allocators and whether each is available here"},
    {"check", cmd_check, "run the conformance suite against one or all allocators"},
    {"run", cmd_run, "benchmark allocators over workloads, one process per run (the main job)"},
    {"plot", cmd_plot, "draw a run's charts and report.html again, or compare two runs"},
    {"report", cmd_report, "several results folders (machines, settings) side by side in one page"},
    {"micro", cmd_micro, "run the Google Benchmark micro-suite against each allocator"},
    {"compare", cmd_compare, "compare two results (run or micro); exit 1 on a regression"},
    {"bench-harness", cmd_bench_harness, "how fast the harness itself replays (floor, Mops/s)"},
    {"gen", cmd_gen, "write a generated workload trace (rpc, il, simd)"},
    {"trace", cmd_trace, "check, describe or convert (binary <-> text) a trace"},
    {"record", cmd_record, "record the allocations of any program as a trace (LD_PRELOAD)"},
    {"fidelity", cmd_fidelity,
     "record a program, replay it and run it whole: does the replay predict it?"},
    {"export", cmd_export,
     "write a run's results for Bencher, github-action-benchmark, HdrHistogram"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: alignbench COMMAND [ARGS...]\n\n"
                 "An aligned-allocation benchmarking harness: replays allocation workloads\n"
                 "against several allocators, each in its own process, and reports latency,\n"
                 "fragmentation and alignment overhead.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`alignbench COMMAND --help` describes each command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return AB_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return AB_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("alignbench %s (commit %s)\n", AB_VERSION, AB_GIT_COMMIT);
        return AB_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "alignbench: unknown command '%s' (see alignbench --help)\n", argv[1]);
    return AB_EXIT_USAGE;
}
