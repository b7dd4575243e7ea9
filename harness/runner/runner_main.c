/* runner_main.c: entry point of alignbench-runner, the child process that measures.
 *
 * It parses `MODE --alloc NAME [--backend BASE] [--lib PATH] [--rpcss-chunk N] [--bump-window N]
 * [--rpcss-cache N]
 * [--bump-cache N] [--threads N]` (the two caches: bytes that rpcss and bump keep committed from
 * reset scopes for the next ones, 0 for none; default the backend's), creates the allocator (which
 * refuses to run if the library serving malloc is not the one asked for; --threads N turns on the
 * locking of bump and rpcss for N threads) and dispatches to the mode. The allocator options come
 * first (getopt_long in order, up to the first option or argument that is not one of them), the
 * mode's own follow (--backend: the registry entry behind NAME, for a variant that has its own
 * name); `MODE --help` answers without an allocator. Exit codes (exit_codes.h): 0 ok,
 * 2 usage, 3 allocator unknown or refused, other codes from the mode.
 */
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"
#include "harness/measure/replay_threads.h"
#include "harness/runner/runner_modes.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHO "alignbench-runner"

typedef struct runner_mode {
    const char *name;
    int (*run)(const ab_runner_ctx *ctx, int argc, char **argv);
    const char *usage;
} runner_mode;

static const runner_mode modes[] = {
    {"probe", runner_probe, runner_probe_usage},
    {"conformance", runner_conformance, runner_conformance_usage},
    {"micro", runner_micro, runner_micro_usage},
    {"replay", runner_replay, runner_replay_usage},
};

static const char usage_text[] =
    "usage: alignbench-runner MODE --alloc NAME [--lib PATH] [options] [MODE ARGS]\n"
    "This is the measuring child of `alignbench`; run `alignbench --help`.\n"
    "modes: probe, conformance, micro, replay (`alignbench-runner MODE --help`)\n"
    "allocator options, before the mode's: --alloc NAME, --backend BASE, --lib PATH,\n"
    "--threads N,\n"
    "--rpcss-chunk N, --bump-window N, --rpcss-cache N, --bump-cache N (bytes; a cache of\n"
    "0 keeps nothing)\n";

static int usage(void)
{
    fputs(usage_text, stderr);
    return AB_RUNNER_EXIT_USAGE;
}

/* A size in bytes (0 allowed) for one of the allocator options; -1 after a message. */
static int size_opt(const char *name, const char *arg, size_t *out)
{
    uint64_t v;
    if (ab_opt_u64(AB_NUM_OPT(WHO, name), arg, 0, SIZE_MAX, &v))
        return -1;
    *out = (size_t)v;
    return 0;
}

/* A cache bound from the command line: 0 keeps nothing (the config's 0 means the default). */
static int cache_opt(const char *name, const char *arg, size_t *out)
{
    if (size_opt(name, arg, out))
        return -1;
    if (*out == 0)
        *out = AB_CACHE_OFF;
    return 0;
}

/* The allocator options into ctx and cfg (argv[0] is the mode). Returns the index of the first
 * of the mode's arguments, or -1 after a message. */
static int parse_alloc_options(int argc, char **argv, ab_runner_ctx *ctx, ab_alloc_config *cfg,
                               const char **backend)
{
    static const struct option longs[] = {
        {"alloc", required_argument, NULL, 'a'},
        {"lib", required_argument, NULL, 'l'},
        {"backend", required_argument, NULL, 'b'},
        {"rpcss-chunk", required_argument, NULL, 'C'},
        {"bump-window", required_argument, NULL, 'W'},
        {"rpcss-cache", required_argument, NULL, 'R'},
        {"bump-cache", required_argument, NULL, 'B'},
        {"threads", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    for (;;) {
        int at = optind;
        int c = getopt_long(argc, argv, "+:", longs, NULL);
        int bad = 0;
        switch (c) {
        case -1: /* an argument: the mode's (it will say whether it takes one) */
            return optind;
        case '?': /* an option of the mode's: the mode's options begin here */
            return at;
        case ':':
            return ab_opt_complain(WHO, c, argv);
        case 'a':
            ctx->alloc_name = optarg;
            break;
        case 'l':
            ctx->lib_path = optarg;
            break;
        case 'b':
            *backend = optarg;
            break;
        case 'C':
            bad = size_opt("--rpcss-chunk", optarg, &cfg->rpcss_chunk_size);
            break;
        case 'W':
            bad = size_opt("--bump-window", optarg, &cfg->bump_window);
            break;
        case 'R':
            bad = cache_opt("--rpcss-cache", optarg, &cfg->rpcss_cache);
            break;
        case 'B':
            bad = cache_opt("--bump-cache", optarg, &cfg->bump_cache);
            break;
        case 't':
            bad = ab_opt_uint(AB_NUM_OPT(WHO, "--threads"), optarg, 1, AB_REPLAY_MAX_THREADS,
                              &cfg->threads);
            ctx->threads = cfg->threads;
            break;
        }
        if (bad)
            return -1;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, stdout);
        return AB_RUNNER_EXIT_OK;
    }
    const runner_mode *mode = NULL;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (!strcmp(argv[1], modes[i].name))
            mode = &modes[i];
    if (!mode) {
        fprintf(stderr, WHO ": unknown mode '%s'\n", argv[1]);
        return usage();
    }
    /* MODE ... --help: the mode's text, with or without an allocator */
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(mode->usage, stdout);
            return AB_RUNNER_EXIT_OK;
        }

    ab_runner_ctx ctx = {0};
    ab_alloc_config cfg = {0};
    const char *backend = NULL;
    int first = parse_alloc_options(argc - 1, argv + 1, &ctx, &cfg, &backend);
    if (first < 0)
        return AB_RUNNER_EXIT_USAGE;
    if (!ctx.alloc_name) {
        fprintf(stderr, WHO ": --alloc NAME is required\n");
        return usage();
    }
    /* A built-in name keeps its backend (jemalloc with --lib: that build of jemalloc); any other
     * plug-in library (--lib) runs behind the generic preloaded-malloc backend; --backend names
     * the entry outright (a variant's NAME is none). */
    ctx.alloc = ab_allocator_find(backend ? backend : ctx.alloc_name);
    if (!ctx.alloc && backend) {
        fprintf(stderr, WHO ": unknown backend '%s'\n", backend);
        return AB_RUNNER_EXIT_REFUSED;
    }
    if (!ctx.alloc && ctx.lib_path)
        ctx.alloc = ab_allocator_find("preload");
    if (!ctx.alloc) {
        fprintf(stderr, WHO ": unknown allocator '%s'\n", ctx.alloc_name);
        return AB_RUNNER_EXIT_REFUSED;
    }
    cfg.preload_path = ctx.lib_path;
    char err[512] = "";
    if (ctx.alloc->create(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, WHO ": allocator '%s' refused: %s\n", ctx.alloc_name, err);
        return AB_RUNNER_EXIT_REFUSED;
    }
    /* the mode sees its own name as argv[0], then its own arguments */
    char **mode_argv = argv + 1 + first - 1;
    mode_argv[0] = argv[1];
    int rc = mode->run(&ctx, argc - 1 - (first - 1), mode_argv);
    ctx.alloc->destroy();
    return rc;
}
