/* churn_threads.c: small-block churn on 4 threads, the main thread allocating alone first.
 *
 * `churn_threads [WORK]` (default 2000): the main thread builds and tears down a pool of small
 * blocks (16..128 bytes) on its own for a while, the way a program's start-up does, then starts
 * 4 threads that each churn a window of small blocks (free a random slot, allocate a new block
 * of a random small size, write it). Allocation-bound: almost all its time is malloc and free.
 * Prints a checksum so the work cannot be optimized away. About 0.3 s at the default here.
 */
#include "prog_common.h"

#include <pthread.h>
#include <string.h>

#define THREADS 4
#define WINDOW 4096

static unsigned long work;

static void *churn(void *arg)
{
    uint64_t seed = 0x9E3779B97F4A7C15ULL * ((uintptr_t)arg + 1), sum = 0;
    char **slot = calloc(WINDOW, sizeof *slot);
    if (!slot)
        abort();
    for (unsigned long i = 0; i < work * 1000; i++) {
        size_t k = prog_rand(&seed) % WINDOW, size = 16 + prog_rand(&seed) % 113;
        free(slot[k]);
        slot[k] = malloc(size);
        if (!slot[k])
            abort();
        slot[k][0] = (char)i;
        slot[k][size - 1] = (char)k;
        sum += (unsigned char)slot[k][0];
    }
    for (size_t k = 0; k < WINDOW; k++)
        free(slot[k]);
    free(slot);
    return (void *)(uintptr_t)sum;
}

int main(int argc, char **argv)
{
    work = prog_work(argc, argv, 2000);
    /* The main thread alone: a start-up phase that fills and empties a pool. */
    uint64_t seed = 42, sum = 0;
    size_t n = work * 100;
    char **pool = malloc(n * sizeof *pool);
    if (!pool)
        return 1;
    for (int round = 0; round < 4; round++) {
        for (size_t i = 0; i < n; i++) {
            size_t size = 16 + prog_rand(&seed) % 113;
            if (!(pool[i] = malloc(size)))
                return 1;
            memset(pool[i], (int)i, size);
        }
        for (size_t i = 0; i < n; i++) {
            sum += (unsigned char)pool[i][0];
            free(pool[i]);
        }
    }
    free(pool);
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, churn, (void *)i) != 0)
            return 1;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (uintptr_t)r;
    }
    printf("churn_threads: checksum %llu\n", (unsigned long long)sum);
    return 0;
}
