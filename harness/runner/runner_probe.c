/* runner_probe.c: the runner's `probe` mode: one JSON line about the allocator this process
 * runs (after create has verified it), for `alignbench list` and for the results' context.
 *
 * {"name", "backend", "description", "version", "library" (the file actually serving malloc),
 *  "caps": [...]} written with jansson. A plug-in's description is the path it takes
 * (ab_plugin_path: its native table, or the generic calls).
 */
#include "allocators/plugin.h"
#include "allocators/provider.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"
#include "harness/runner/runner_modes.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHO "alignbench-runner probe"

static const struct {
    unsigned bit;
    const char *name;
} cap_names[] = {
    {AB_CAP_FREE, "free"},       {AB_CAP_REALLOC, "realloc"},
    {AB_CAP_RESET, "reset"},     {AB_CAP_NATIVE_ALIGNED, "native_aligned"},
    {AB_CAP_PRELOAD, "preload"}, {AB_CAP_THREAD_SAFE, "thread_safe"},
};

const char runner_probe_usage[] =
    "usage: alignbench-runner probe --alloc NAME [--lib PATH]\n"
    "Prints one JSON line: name, backend, description, version, library serving malloc, caps.\n";

int runner_probe(const ab_runner_ctx *ctx, int argc, char **argv)
{
    static const struct option longs[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c = getopt_long(argc, argv, ":h", longs, NULL);
    if (c == 'h') {
        fputs(runner_probe_usage, stdout);
        return AB_RUNNER_EXIT_OK;
    }
    if (c != -1) {
        ab_opt_complain(WHO, c, argv);
        return AB_RUNNER_EXIT_USAGE;
    }
    if (optind < argc) {
        ab_opt_unexpected(WHO, argv[optind]);
        return AB_RUNNER_EXIT_USAGE;
    }
    const ab_allocator *a = ctx->alloc;
    const char *lib = ab_provider_of("malloc");
    json_t *caps = json_array();
    for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
        if (a->caps & cap_names[i].bit)
            json_array_append_new(caps, json_string(cap_names[i].name));
    const char *version = a->version();
    /* A plug-in's description is the path it takes (its native table or the generic calls). */
    const char *description = strcmp(a->name, "preload") ? a->description : ab_plugin_path();
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "name", ctx->alloc_name, "backend",
                          a->name, "description", description, "version", version ? version : "",
                          "library", lib ? lib : "", "caps", caps);
    if (!o) {
        fprintf(stderr, WHO ": cannot build the JSON answer\n");
        return AB_RUNNER_EXIT_FAILED;
    }
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s) {
        fprintf(stderr, WHO ": cannot write the JSON answer\n");
        return AB_RUNNER_EXIT_FAILED;
    }
    printf("%s\n", s);
    free(s);
    return fflush(stdout) == 0 ? AB_RUNNER_EXIT_OK : AB_RUNNER_EXIT_FAILED;
}
