/* test_footprint_rss.c: is the footprint the glibc-based backends report honest? For malloc
 * (posix_memalign above 16) and aligned_malloc, at alignments 16, 64 and 4096, it allocates
 * many 100-byte blocks, touches them, and compares the resident memory they added, per block,
 * with the mean footprint the backend claims; the two must agree within 25 %. It prints both
 * overheads (bytes over the 100 requested, per block): these are the numbers of the README's
 * aligned_malloc overhead table. In a sanitizer build resident memory measures the sanitizer's
 * redzones and quarantine, not glibc, so the test is skipped there. */
#include "allocators/allocator.h"
#include "allocators/provider.h"
#include "unit.h"

#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t resident(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%llu %llu", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

int main(void)
{
    if (AB_SANITIZED) {
        printf("SKIPPED: sanitizer build: resident memory would measure ASan's redzones\n");
        return UNIT_SKIPPED;
    }
    const char *names[] = {"malloc", "aligned_malloc"};
    const size_t aligns[] = {16, 64, 4096}, size = 100;
    printf("%-15s %6s %8s %22s %22s\n", "allocator", "align", "blocks", "footprint over size",
           "RSS over size");
    for (size_t k = 0; k < 2; k++) {
        const ab_allocator *a = ab_allocator_find(names[k]);
        ab_alloc_config cfg = {0};
        char err[256];
        CHECK(a && a->create(&cfg, err, sizeof err) == 0);
        for (size_t j = 0; j < 3; j++) {
            size_t align = aligns[j], n = align >= 4096 ? 10000 : 100000;
            void **blocks = mmap(NULL, n * sizeof *blocks, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            CHECK(blocks != MAP_FAILED);
            memset(blocks, 0, n * sizeof *blocks);
            malloc_trim(0);
            uint64_t before = resident(), fp = 0;
            for (size_t i = 0; i < n; i++) {
                blocks[i] = a->alloc(size, align, 0);
                CHECK(blocks[i] != NULL);
                memset(blocks[i], 1, size);
                fp += a->footprint(blocks[i], size, align);
            }
            double rss_per = (double)(resident() - before) / (double)n,
                   fp_per = (double)fp / (double)n;
            printf("%-15s %6zu %8zu %22.1f %22.1f\n", names[k], align, n, fp_per - size,
                   rss_per - size);
            CHECK(rss_per > 0.75 * fp_per && rss_per < 1.25 * fp_per);
            for (size_t i = 0; i < n; i++)
                a->free(blocks[i], size, align);
            munmap(blocks, n * sizeof *blocks);
        }
        a->destroy();
    }
    return unit_done("footprint_rss");
}
