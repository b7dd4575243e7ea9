/* replay_args.c: the replay mode's options (replay_args.h), through getopt_long and the one
 * number parser (parse_num.h), and its --help text.
 *
 * It exists to keep runner_replay.c about running the passes; the options' names, defaults and
 * bounds are unchanged from when they were parsed there.
 */
#include "harness/runner/replay_args.h"
#include "harness/common/parse_num.h"
#include "harness/runner/runner_modes.h"

#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#define WHO "alignbench-runner replay"

const char runner_replay_usage[] =
    "usage: alignbench-runner replay --alloc NAME [--lib PATH] [--threads N] --trace FILE\n"
    "         --out FILE.json\n"
    "         [--touch none|first|all] [--lower-align 16] [--cpu N] [--checkpoints N]\n"
    "         [--warmup N] [--batch-reps N] [--floor-passes N] [--passes memory,batch,perop]\n"
    "         [--calib-ms N] [--count perf|callgrind [--callgrind-out FILE]]\n"
    "One measured run: replays FILE against the allocator (memory pass, warm-up, batch and\n"
    "per-op latency passes, and the null-allocator floor) and writes one JSON run object.\n"
    "  --touch        write allocated blocks: all bytes (default), first byte of each page, none\n"
    "  --lower-align  serve every alignment above A at A (the natural baseline is 16)\n"
    "  --cpu          pin this process to CPU N (a threaded trace: N, N-1, ... one per thread)\n"
    "  --checkpoints  memory-pass checkpoints (default 200)\n"
    "  --warmup       untimed replays before the latency passes (default 1)\n"
    "  --batch-reps   whole batch-pass repetitions; ns_per_op is their mean (default 3)\n"
    "  --floor-passes per-op floor passes; each op keeps its fastest (default 1: the net\n"
    "                 means stay unbiased)\n"
    "  --passes       which passes to run (default all three)\n"
    "  --calib-ms     length of each TSC calibration (default 20)\n"
    "  --count SRC    count instructions instead of timing (run --measure instructions): a\n"
    "                 warm-up and one counted replay against the allocator, one counted\n"
    "                 replay against the null allocator, no clock read at all; SRC perf (the CPU's "
    "counter) or\n"
    "                 callgrind (this process under valgrind --tool=callgrind\n"
    "                 --collect-atstart=no --instr-atstart=no --cache-sim=yes, whose\n"
    "                 --callgrind-out-file is given as --callgrind-out FILE); one thread only\n"
    "A trace with several threads replays on as many OS threads (the batch pass then times the\n"
    "whole replay, wall time); bump and rpcss need --threads N (their locking; an allocator\n"
    "option, before the mode's options).\n"
    "Exit: 0 ok, 1 invalid trace/harness error, 2 usage, 3 allocator refused, 4 correctness\n"
    "failure.\n";

static int parse_passes(const char *s, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"memory", PASS_MEMORY}, {"batch", PASS_BATCH}, {"perop", PASS_PEROP}};
    *out = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (!strcmp(tok, names[i].name))
                bit = names[i].bit;
        if (!bit) {
            fprintf(stderr, WHO ": --passes: unknown pass '%s'\n", tok);
            return -1;
        }
        *out |= bit;
    }
    if (*out)
        return 0;
    fprintf(stderr, WHO ": --passes wants one or more of memory, batch, perop\n");
    return -1;
}

enum {
    OPT_TRACE = 256,
    OPT_OUT,
    OPT_TOUCH,
    OPT_LOWER_ALIGN,
    OPT_CPU,
    OPT_CHECKPOINTS,
    OPT_WARMUP,
    OPT_CALIB_MS,
    OPT_BATCH_REPS,
    OPT_FLOOR_PASSES,
    OPT_THREADS,
    OPT_PASSES,
    OPT_COUNT,
    OPT_CALLGRIND_OUT,
};

static const struct option long_options[] = {
    {"trace", required_argument, NULL, OPT_TRACE},
    {"out", required_argument, NULL, OPT_OUT},
    {"touch", required_argument, NULL, OPT_TOUCH},
    {"lower-align", required_argument, NULL, OPT_LOWER_ALIGN},
    {"cpu", required_argument, NULL, OPT_CPU},
    {"checkpoints", required_argument, NULL, OPT_CHECKPOINTS},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"calib-ms", required_argument, NULL, OPT_CALIB_MS},
    {"batch-reps", required_argument, NULL, OPT_BATCH_REPS},
    {"floor-passes", required_argument, NULL, OPT_FLOOR_PASSES},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"passes", required_argument, NULL, OPT_PASSES},
    {"count", required_argument, NULL, OPT_COUNT},
    {"callgrind-out", required_argument, NULL, OPT_CALLGRIND_OUT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* One option's value into a; 0, or -1 after a message. */
static int take(int c, const char *v, replay_args *a)
{
    unsigned u;
    switch (c) {
    case OPT_TRACE:
        a->trace = v;
        return 0;
    case OPT_OUT:
        a->out = v;
        return 0;
    case OPT_TOUCH:
        if (ab_touch_parse(v, &a->opts.touch) == 0)
            return 0;
        fprintf(stderr, WHO ": --touch: none, first or all\n");
        return -1;
    case OPT_LOWER_ALIGN:
        return ab_opt_uint(AB_NUM_OPT(WHO, "--lower-align", .flags = AB_NUM_POW2), v, 1, 1u << 30,
                           &a->opts.lower_align);
    case OPT_CPU:
        if (ab_opt_uint(AB_NUM_OPT(WHO, "--cpu"), v, 0, CPU_SETSIZE - 1, &u))
            return -1;
        a->cpu = (int)u;
        return 0;
    case OPT_CHECKPOINTS:
        return ab_opt_uint(AB_NUM_OPT(WHO, "--checkpoints"), v, 2, 1000000, &a->opts.checkpoints);
    case OPT_WARMUP:
        return ab_opt_uint(AB_NUM_OPT(WHO, "--warmup"), v, 0, 100, &a->warmup);
    case OPT_CALIB_MS:
        return ab_opt_uint(AB_NUM_OPT(WHO, "--calib-ms"), v, 5, 10000, &a->calib_ms);
    case OPT_BATCH_REPS:
        return ab_opt_uint(AB_NUM_OPT(WHO, "--batch-reps"), v, 1, 100, &a->batch_reps);
    case OPT_FLOOR_PASSES:
        return ab_opt_uint(AB_NUM_OPT(WHO, "--floor-passes"), v, 1, 20, &a->floor_passes);
    case OPT_THREADS:
        fprintf(stderr, WHO ": --threads is an allocator option: give it with --alloc, before the "
                            "mode's options\n");
        return -1;
    case OPT_PASSES:
        return parse_passes(v, &a->passes);
    case OPT_COUNT:
        if (ab_icount_source_parse(v, &a->count) == 0)
            return 0;
        fprintf(stderr, WHO ": --count '%s': perf or callgrind\n", v);
        return -1;
    case OPT_CALLGRIND_OUT:
        a->callgrind_out = v;
        return 0;
    default:
        return -1;
    }
}

int replay_args_parse(int argc, char **argv, replay_args *a)
{
    memset(a, 0, sizeof *a);
    a->cpu = -1;
    a->warmup = 1;
    a->passes = PASS_MEMORY | PASS_BATCH | PASS_PEROP;
    a->calib_ms = 20;
    a->batch_reps = 3;
    a->floor_passes = 1;
    a->opts.touch = AB_TOUCH_ALL;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        if (c == 'h') {
            fputs(runner_replay_usage, stdout);
            return 1;
        }
        if (c == ':' || c == '?')
            return ab_opt_complain(WHO, c, argv);
        if (take(c, optarg, a) != 0)
            return -1;
    }
    if (optind < argc)
        return ab_opt_unexpected(WHO, argv[optind]);
    if (!a->trace || !a->out) {
        fprintf(stderr, WHO ": --trace FILE and --out FILE are required\n");
        return -1;
    }
    if (a->callgrind_out && a->count != AB_ICOUNT_CALLGRIND) {
        fprintf(stderr, WHO ": --callgrind-out goes with --count callgrind\n");
        return -1;
    }
    return 0;
}
