/* cmd_gen.c: `alignbench gen NAME [options] -o FILE`: write a generated trace.
 *
 * The generators themselves are in gen_*.c (table in generators.c); this file only parses the
 * command line, lists them (`gen --help`), shows one's own help (`gen NAME --help`) and reports
 * what was written and how long it took.
 */
#include "harness/cli/commands.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"
#include "workloads/generators.h"
#include "workloads/trace_io.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WHO "alignbench gen"

static void gen_usage(FILE *out)
{
    fprintf(out, "usage: alignbench gen NAME [--seed S] [--scale X] [--nodes single|all]\n"
                 "                      [--threads N] -o FILE\n\n"
                 "Writes a generated binary trace, deterministic from the seed (default 1; the\n"
                 "same seed gives the same bytes). --scale multiplies the length (default 1.0,\n"
                 "about a second of replay per allocator). `alignbench gen NAME --help` says what\n"
                 "a generator models and its knobs.\n\ngenerators:\n");
    for (size_t i = 0; i < ab_generator_count; i++)
        fprintf(out, "  %-6s %s\n", ab_generators[i]->name, ab_generators[i]->summary);
}

int cmd_gen(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        gen_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? AB_EXIT_USAGE : AB_EXIT_OK;
    }
    const ab_generator *g = ab_generator_find(argv[1]);
    if (!g) {
        fprintf(stderr, WHO ": unknown generator '%s' (see " WHO " --help)\n", argv[1]);
        return AB_EXIT_USAGE;
    }
    ab_gen_params p = {.seed = 1, .scale = 1.0, .threads = 1};
    const char *out = NULL;
    static const struct option long_options[] = {
        {"seed", required_argument, NULL, 's'},    {"scale", required_argument, NULL, 'x'},
        {"threads", required_argument, NULL, 't'}, {"nodes", required_argument, NULL, 'n'},
        {"variant", required_argument, NULL, 'n'}, {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    /* argv[1] is the generator; its options follow (argv + 1: the generator is argv[0]) */
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc - 1, argv + 1, ":ho:", long_options, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(g->help, stdout);
            return AB_EXIT_OK;
        case 's':
            if (ab_opt_u64(AB_NUM_OPT(WHO, "--seed"), optarg, 0, AB_NUM_NO_MAX, &p.seed))
                return AB_EXIT_USAGE;
            break;
        case 'x':
            if (ab_opt_double(AB_NUM_OPT(WHO, "--scale", .flags = AB_NUM_ABOVE_MIN), optarg, 0,
                              AB_GEN_SCALE_MAX, &p.scale))
                return AB_EXIT_USAGE;
            break;
        case 't': /* the trace format's limit; the generator says how many it can make */
            if (ab_opt_uint(AB_NUM_OPT(WHO, "--threads"), optarg, 1, 65534, &p.threads))
                return AB_EXIT_USAGE;
            break;
        case 'n':
            p.variant = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        default:
            ab_opt_complain(WHO, c, argv + 1);
            return AB_EXIT_USAGE;
        }
    }
    if (optind < argc - 1) {
        ab_opt_unexpected(WHO, argv[1 + optind]);
        return AB_EXIT_USAGE;
    }
    if (!out) {
        fprintf(stderr, WHO ": -o FILE is required\n");
        return AB_EXIT_USAGE;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char err[512];
    if (g->generate(&p, out, err, sizeof err)) {
        fprintf(stderr, WHO ": %s\n", err);
        return AB_EXIT_FAILURE;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ab_trace t;
    if (ab_trace_open(out, &t, err, sizeof err)) {
        fprintf(stderr, WHO ": reading back: %s\n", err);
        return AB_EXIT_FAILURE;
    }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    fprintf(stderr,
            "alignbench gen: wrote %s: %llu ops, %.1f MB, peak live %.1f MB in %u ids, %.2f s\n",
            out, (unsigned long long)t.hdr.op_count, (double)t.map_len / 1e6,
            (double)t.hdr.peak_live_bytes / 1e6, t.hdr.max_live_ids, secs);
    ab_trace_close(&t);
    return AB_EXIT_OK;
}
