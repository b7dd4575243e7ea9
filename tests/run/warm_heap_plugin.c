/* warm_heap_plugin.c: an allocator state that makes the memory figures lie, for the test that
 * they say so (test_negative_reason.sh).
 *
 * F is resident memory above the baseline the runner reads before its memory pass. An allocator
 * that already holds resident memory then serves the replay from it for free: F stays near 0
 * and frag_peak comes out negative, an impossible figure. Preloaded into alignbench-runner next
 * to glibc's malloc (it defines no malloc itself), its constructor makes glibc hold such memory:
 * it turns trimming off, allocates and writes AB_WARM_HEAP_MIB MiB in 64-byte blocks and frees
 * them, so the pages stay resident in glibc's heap before the runner's main even starts.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

extern char *program_invocation_short_name;

__attribute__((constructor)) static void warm_heap(void)
{
    const char *mib = getenv("AB_WARM_HEAP_MIB");
    if (!mib || strcmp(program_invocation_short_name, "alignbench-runner") != 0)
        return;
    size_t n = (size_t)atol(mib) * 1024 * 1024 / 64;
    void **v = calloc(n, sizeof *v);
    if (!v)
        return;
    mallopt(M_TRIM_THRESHOLD, 1 << 30); /* freed memory stays in the heap */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    for (size_t i = 0; i < n; i++)
        if ((v[i] = malloc(48)) != NULL)
            memset(v[i], 1, 48);
    for (size_t i = n; i-- > 0;)
        free(v[i]);
    free(v);
}
