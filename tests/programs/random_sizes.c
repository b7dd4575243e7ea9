/* random_sizes.c: random sizes up to 1 KiB on 2 threads.
 *
 * `random_sizes [WORK]` (default 2000): each of 2 threads keeps a window of blocks of uniformly
 * random sizes 1..1024 bytes, replacing a random one at each step and writing every byte of the
 * new block (so the allocator's memory is touched as a real program's is). Prints a checksum.
 * About 0.3 s at the default here.
 */
#include "prog_common.h"

#include <pthread.h>
#include <string.h>

#define THREADS 2
#define WINDOW 8192

static unsigned long work;

static void *run(void *arg)
{
    uint64_t seed = 0xD1B54A32D192ED03ULL * ((uintptr_t)arg + 1), sum = 0;
    char **slot = calloc(WINDOW, sizeof *slot);
    if (!slot)
        abort();
    for (unsigned long i = 0; i < work * 1000; i++) {
        size_t k = prog_rand(&seed) % WINDOW, size = 1 + prog_rand(&seed) % 1024;
        free(slot[k]);
        if (!(slot[k] = malloc(size)))
            abort();
        memset(slot[k], (int)i, size);
        sum += (unsigned char)slot[k][size / 2];
    }
    for (size_t k = 0; k < WINDOW; k++)
        free(slot[k]);
    free(slot);
    return (void *)(uintptr_t)sum;
}

int main(int argc, char **argv)
{
    work = prog_work(argc, argv, 2000);
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, run, (void *)i) != 0)
            return 1;
    uint64_t sum = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (uintptr_t)r;
    }
    printf("random_sizes: checksum %llu\n", (unsigned long long)sum);
    return 0;
}
