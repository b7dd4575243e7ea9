/* runner_main.c: entry point of alignbench-runner, the child process that measures.
 *
 * It parses `MODE --alloc NAME [--lib PATH] [--rpcss-chunk N] [--bump-window N] [--rpcss-cache N]
 * [--bump-cache N] [--threads N]` (the two caches: bytes that rpcss and bump keep committed from
 * reset scopes for the next ones, 0 for none; default the backend's), creates the allocator (which
 * refuses to run if the library serving malloc is not the one asked for; --threads N turns on the
 * locking of bump and rpcss for N threads) and dispatches to the mode. Exit codes: 0 ok, 2 usage, 3
 * allocator refused, other codes from the mode.
 */
#include "harness/runner/runner_modes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct runner_mode {
    const char *name;
    int (*run)(const ab_runner_ctx *ctx, int argc, char **argv);
} runner_mode;

static const runner_mode modes[] = {
    {"probe", runner_probe},
    {"conformance", runner_conformance},
    {"micro", runner_micro},
    {"replay", runner_replay},
};

static int usage(void)
{
    fprintf(stderr,
            "usage: alignbench-runner MODE --alloc NAME [--lib PATH] [options] [MODE ARGS]\n"
            "This is the measuring child of `alignbench`; run `alignbench --help`.\n");
    return 2;
}

/* A cache bound from the command line: 0 keeps nothing (the config's 0 means the default). */
static size_t cache_bytes(const char *arg)
{
    size_t n = strtoull(arg, NULL, 0);
    return n ? n : AB_CACHE_OFF;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const runner_mode *mode = NULL;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (!strcmp(argv[1], modes[i].name))
            mode = &modes[i];
    if (!mode) {
        fprintf(stderr, "alignbench-runner: unknown mode '%s'\n", argv[1]);
        return usage();
    }

    ab_runner_ctx ctx = {0};
    ab_alloc_config cfg = {0};
    int i = 2;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--alloc") && i + 1 < argc)
            ctx.alloc_name = argv[++i];
        else if (!strcmp(argv[i], "--lib") && i + 1 < argc)
            ctx.lib_path = argv[++i];
        else if (!strcmp(argv[i], "--rpcss-chunk") && i + 1 < argc)
            cfg.rpcss_chunk_size = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--bump-window") && i + 1 < argc)
            cfg.bump_window = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--rpcss-cache") && i + 1 < argc)
            cfg.rpcss_cache = cache_bytes(argv[++i]);
        else if (!strcmp(argv[i], "--bump-cache") && i + 1 < argc)
            cfg.bump_cache = cache_bytes(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            ctx.threads = cfg.threads = (unsigned)strtoul(argv[++i], NULL, 0);
        else
            break;
    }
    if (!ctx.alloc_name) {
        fprintf(stderr, "alignbench-runner: --alloc NAME is required\n");
        return usage();
    }
    /* A built-in name keeps its backend (jemalloc with --lib: that build of jemalloc); any other
     * plug-in library (--lib) runs behind the generic preloaded-malloc backend. */
    ctx.alloc = ab_allocator_find(ctx.alloc_name);
    if (!ctx.alloc && ctx.lib_path)
        ctx.alloc = ab_allocator_find("preload");
    if (!ctx.alloc) {
        fprintf(stderr, "alignbench-runner: unknown allocator '%s'\n", ctx.alloc_name);
        return 3;
    }
    cfg.preload_path = ctx.lib_path;
    char err[512] = "";
    if (ctx.alloc->create(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "alignbench-runner: allocator '%s' refused: %s\n", ctx.alloc_name, err);
        return 3;
    }
    argv[i - 1] = argv[1]; /* the mode sees its own name as argv[0] */
    int rc = mode->run(&ctx, argc - (i - 1), argv + (i - 1));
    ctx.alloc->destroy();
    return rc;
}
