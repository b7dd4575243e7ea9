/* test_footprint_rss.c: is the footprint a backend reports honest? For each allocator named on
 * the command line (default: malloc and aligned_malloc; jemalloc and mimalloc when ctest runs
 * this program with their library in LD_PRELOAD; NAME=/path/lib.so for a plug-in, through the
 * preload backend, which ctest runs on the tbbmalloc example plug-in and its native table), at
 * alignments 16, 64 and 4096, it allocates many 100-byte blocks, touches them, and compares the
 * resident memory they added, per block, with the mean footprint the backend claims. Each
 * measurement runs in a forked child, so that memory an earlier measurement freed (and the
 * allocator kept) cannot hide the next one's cost.
 *
 * The footprint must neither hide cost nor inflate it: 0.75 <= RSS per block / footprint <= 1.25.
 * It prints both overheads (bytes over the 100 requested, per block): the numbers of the
 * table in docs/allocators.md. Then a few large blocks where an allocator's layout has a cost of
 * its own, within 10 % (jemalloc: a 16 KiB block at 64 straddles its cache-oblivious pad page).
 * In a sanitizer build resident memory measures ASan's redzones and quarantine, so the test is
 * skipped there. */
#include "allocators/allocator.h"
#include "allocators/provider.h"
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* One measurement, in the forked child: exit 0 when the bounds hold. */
static int measure(const char *name, size_t size, size_t align, double tolerance)
{
    const size_t n = size > 1000 ? 2000 : align >= 4096 ? 10000 : 100000;
    const char *lib = strchr(name, '=');
    const ab_allocator *a = ab_allocator_find(lib ? "preload" : name);
    ab_alloc_config cfg = {.preload_path = lib ? lib + 1 : NULL};
    char err[256];
    if (!a || a->create(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s: cannot create: %s\n", name, a ? err : "unknown allocator");
        return 1;
    }
    char shown[16];
    snprintf(shown, sizeof shown, "%.*s", (int)(lib ? (size_t)(lib - name) : strlen(name)), name);
    void **blocks =
        mmap(NULL, n * sizeof *blocks, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(blocks != MAP_FAILED);
    memset(blocks, 0, n * sizeof *blocks);
    uint64_t before = resident(), fp = 0;
    for (size_t i = 0; i < n; i++) {
        blocks[i] = a->alloc(size, align, 0);
        CHECK(blocks[i] != NULL);
        memset(blocks[i], 1, size);
        fp += a->footprint(blocks[i], size, align);
    }
    double rss_per = (double)(resident() - before) / (double)n, fp_per = (double)fp / (double)n;
    printf("%-15s %6zu %6zu %8zu %22.1f %22.1f\n", shown, size, align, n, fp_per - (double)size,
           rss_per - (double)size);
    CHECK(rss_per < (1 + tolerance) * fp_per && rss_per > (1 - tolerance) * fp_per);
    return check_failures ? 1 : 0;
}

/* One measurement in a forked child (a fresh heap); counts a failure when it fails. */
static void in_child(const char *name, size_t size, size_t align, double tolerance)
{
    pid_t pid = fork();
    if (pid == 0) {
        int rc = measure(name, size, align, tolerance);
        fflush(NULL);
        _exit(rc);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s, %zu bytes at %zu: bounds not met (see above)\n", name, size, align);
        check_failures++;
    }
}

int main(int argc, char **argv)
{
    if (AB_SANITIZED) {
        printf("SKIPPED: sanitizer build: resident memory would measure ASan's redzones\n");
        return CHECK_SKIPPED;
    }
    const char *defaults[] = {"malloc", "aligned_malloc"};
    const char *const *names = argc > 1 ? (const char *const *)argv + 1 : defaults;
    size_t count = argc > 1 ? (size_t)argc - 1 : 2;
    const size_t aligns[] = {16, 64, 4096};
    printf("%-15s %6s %6s %8s %22s %22s\n", "allocator", "size", "align", "blocks",
           "footprint over size", "RSS over size");
    fflush(stdout);
    /* Large blocks whose cost is the allocator's own layout: (allocator, size, align). */
    static const struct {
        const char *name;
        size_t size, align;
    } large[] = {{"jemalloc", 16384, 64}};
    for (size_t k = 0; k < count; k++) {
        for (size_t j = 0; j < 3; j++)
            in_child(names[k], 100, aligns[j], 0.25);
        for (size_t j = 0; j < sizeof large / sizeof large[0]; j++)
            if (!strcmp(names[k], large[j].name))
                in_child(names[k], large[j].size, large[j].align, 0.10);
    }
    CHECK_DONE("footprint_rss");
}
