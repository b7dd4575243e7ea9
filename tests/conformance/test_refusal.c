/* test_refusal.c: the child refuses to report when the library serving malloc is not the one it
 * was asked for (docs/allocators.md), through the same path as a measured run: ab_child_run starts
 * alignbench-runner with an LD_PRELOAD (or none), and create()'s check must make it exit 3 with
 * a message naming what was expected and what was found. One case per invocation:
 *
 *   jemalloc-without-preload   --alloc jemalloc, nothing preloaded: glibc serves malloc
 *   jemalloc-with-mimalloc     --alloc jemalloc, libmimalloc preloaded
 *   malloc-with-jemalloc       --alloc malloc, libjemalloc preloaded
 *   jemalloc-control           --alloc jemalloc, libjemalloc preloaded: must run (exit 0), so
 *                              the refusals above are not the runner failing for any reason
 *
 * In a sanitizer build nothing can be preloaded into the runner, so the cases that preload
 * exit 77 (skipped) and say why; jemalloc-without-preload still runs. */
#include "allocators/provider.h"
#include "build_config.h"
#include "harness/orchestrator/alloc_select.h"
#include "harness/orchestrator/child.h"
#include "unit.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct refusal_case {
    const char *name, *alloc, *lib, *preload;
    int want_exit;
    const char *want_found; /* substring of the message: what was found serving malloc */
} refusal_case;

static const refusal_case cases[] = {
    {"jemalloc-without-preload", "jemalloc", AB_JEMALLOC_PATH, NULL, 3, "served by"},
    {"jemalloc-with-mimalloc", "jemalloc", AB_JEMALLOC_PATH, AB_MIMALLOC_PATH, 3, "mimalloc"},
    {"malloc-with-jemalloc", "malloc", NULL, AB_JEMALLOC_PATH, 3, "jemalloc"},
    {"jemalloc-control", "jemalloc", AB_JEMALLOC_PATH, AB_JEMALLOC_PATH, 0, NULL},
};

int main(int argc, char **argv)
{
    const refusal_case *c = NULL;
    for (size_t i = 0; argc == 3 && i < sizeof cases / sizeof cases[0]; i++)
        if (!strcmp(argv[2], cases[i].name))
            c = &cases[i];
    if (!c) {
        fprintf(stderr, "usage: test_refusal RUNNER_PATH CASE\n");
        return 2;
    }
    if (!*AB_JEMALLOC_PATH || (c->preload && !*c->preload)) {
        printf("SKIPPED: the library this case needs was not found at configure time\n");
        return CHECK_SKIPPED;
    }
    if (c->preload && AB_SANITIZED) {
        printf("SKIPPED: sanitizer build: ASan owns malloc, so no library can be preloaded "
               "into the runner\n");
        return CHECK_SKIPPED;
    }
    char err_path[] = "/tmp/ab-refusal-XXXXXX";
    int fd = mkstemp(err_path);
    CHECK(fd >= 0);
    close(fd);
    const char *args[] = {argv[1], "probe", "--alloc", c->alloc, c->lib ? "--lib" : NULL,
                          c->lib,  NULL};
    ab_child_spec spec = {
        .argv = args, .preload = c->preload, .timeout_s = 30, .stderr_path = err_path};
    ab_child_result r;
    CHECK(ab_child_run(&spec, &r) == 0);
    char msg[2048] = "";
    FILE *f = fopen(err_path, "r");
    if (f) {
        size_t n = fread(msg, 1, sizeof msg - 1, f);
        msg[n] = '\0';
        fclose(f);
    }
    unlink(err_path);
    printf("runner exit %d, stderr: %s\n", r.exit_code, msg);
    CHECK(r.outcome == (c->want_exit ? AB_CHILD_FAILED : AB_CHILD_OK));
    CHECK(r.exit_code == c->want_exit);
    if (c->want_found) {
        CHECK(strstr(msg, "refused") != NULL);
        CHECK(strstr(msg, "expected") != NULL);
        CHECK(strstr(msg, c->want_found) != NULL);
        /* It names what was expected: the jemalloc library, or the C library. */
        CHECK(strstr(msg, c->lib ? "libjemalloc" : "C library") != NULL);
    }
    return check_done(c->name);
}
