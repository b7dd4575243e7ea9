/* cmd_gen.c: `alignbench gen NAME [options] -o FILE`: write a generated trace.
 *
 * The generators themselves are in gen_*.c (table in generators.c); this file only parses the
 * command line, lists them (`gen --help`), shows one's own help (`gen NAME --help`) and reports
 * what was written and how long it took.
 */
#include "harness/cli/commands.h"
#include "workloads/generators.h"
#include "workloads/trace_io.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int cmd_gen(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        gen_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const ab_generator *g = ab_generator_find(argv[1]);
    if (!g) {
        fprintf(stderr, "alignbench gen: unknown generator '%s' (see alignbench gen --help)\n",
                argv[1]);
        return 2;
    }
    ab_gen_params p = {.seed = 1, .scale = 1.0, .threads = 1};
    const char *out = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(g->help, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "alignbench gen: '%s' needs a value (or is unknown)\n", a);
            return 2;
        }
        const char *v = argv[++i];
        uint64_t u;
        char *end;
        if (!strcmp(a, "--seed")) {
            if (parse_u64(v, &p.seed)) {
                fprintf(stderr, "alignbench gen: --seed '%s' is not an unsigned number\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--scale")) {
            p.scale = strtod(v, &end);
            if (end == v || *end) {
                fprintf(stderr, "alignbench gen: --scale '%s' is not a number\n", v);
                return 2;
            }
            if (!(p.scale > 0) || !isfinite(p.scale) || p.scale > 1000) {
                fprintf(stderr, "alignbench gen: --scale %s out of range (0 < scale <= 1000)\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--threads")) {
            if (parse_u64(v, &u) || u == 0 || u > 65534) {
                fprintf(stderr, "alignbench gen: --threads '%s' is not 1..65534\n", v);
                return 2;
            }
            p.threads = (unsigned)u;
        } else if (!strcmp(a, "--nodes") || !strcmp(a, "--variant")) {
            p.variant = v;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            out = v;
        } else {
            fprintf(stderr, "alignbench gen: unknown option '%s' (see alignbench gen --help)\n", a);
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "alignbench gen: -o FILE is required\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char err[512];
    if (g->generate(&p, out, err, sizeof err)) {
        fprintf(stderr, "alignbench gen: %s\n", err);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ab_trace t;
    if (ab_trace_open(out, &t, err, sizeof err)) {
        fprintf(stderr, "alignbench gen: reading back: %s\n", err);
        return 1;
    }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    fprintf(stderr,
            "alignbench gen: wrote %s: %llu ops, %.1f MB, peak live %.1f MB in %u ids, %.2f s\n",
            out, (unsigned long long)t.hdr.op_count, (double)t.map_len / 1e6,
            (double)t.hdr.peak_live_bytes / 1e6, t.hdr.max_live_ids, secs);
    ab_trace_close(&t);
    return 0;
}
