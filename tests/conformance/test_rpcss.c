/* test_rpcss.c: the RpcSs-style arena's direct API (rpcss.h): allocate/free(marks)/disable,
 * 8-byte minimum alignment, chunk-size parameter and own mappings for large requests, failure
 * status, disable returning memory (resident drops) beyond what the chunk cache keeps, the
 * cache (reuse of a chunk, its bound, purge), and a thread handle shared by two threads
 * allocating at the same time (locked: no overlapping blocks). Prints the measured cost of the
 * lock (shared vs private arena) as information, without asserting on time. */
#include "allocators/rpcss.h"
#include "unit.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { PER_THREAD = 20000, BLOCK = 24 };
static uintptr_t blocks[2][PER_THREAD];

static void *worker(void *arg)
{
    uintptr_t *out = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        int status = -1;
        char *p = ab_rpcss_sm_allocate(BLOCK, &status);
        out[i] = (uintptr_t)p;
        if (p)
            memset(p, 0x5C, BLOCK);
    }
    return NULL;
}

static void *adopter(void *arg)
{
    ab_rpcss_set_thread_handle(arg);
    return worker(blocks[1]);
}

static int cmp(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

static double ns_per_alloc(ab_rpcss_arena *a, int n)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++)
        if (!ab_rpcss_allocate(a, 24, 8, NULL))
            return -1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / n;
}

int main(void)
{
    int status = -1;
    CHECK(ab_rpcss_sm_allocate(8, &status) == NULL && status == EINVAL); /* no arena yet */

    ab_rpcss_arena *a = ab_rpcss_enable(16384);
    CHECK(a != NULL && ab_rpcss_get_thread_handle() == a);
    for (size_t s = 1; s < 200; s += 3) {
        char *p = ab_rpcss_allocate(a, s, 1, &status);
        CHECK(p && status == 0 && ((uintptr_t)p & 7) == 0);
        if (p)
            memset(p, 1, s);
        ab_rpcss_free(a, p);
    }
    CHECK(ab_rpcss_marked(a) == 67);
    char *q = ab_rpcss_allocate(a, 100, 65536, &status);
    CHECK(q && ((uintptr_t)q & 65535) == 0);
    size_t mapped = ab_rpcss_mapped(a);
    CHECK(ab_rpcss_allocate(a, 1 << 20, 8, &status) && ab_rpcss_mapped(a) >= mapped + (1 << 20));
    CHECK(ab_rpcss_allocate(a, SIZE_MAX, 8, &status) == NULL && status == ENOMEM);
    CHECK(ab_rpcss_allocate(a, 8, 24, &status) == NULL && status == EINVAL);
    CHECK(ab_rpcss_allocated(a) <= ab_rpcss_mapped(a));

    /* Disable gives everything back: 32 MiB touched in 16 KiB chunks, then resident drops. */
    for (int i = 0; i < 32 * 64; i++) {
        char *p = ab_rpcss_allocate(a, 16000, 8, &status);
        CHECK(p != NULL);
        if (p)
            memset(p, 2, 16000);
    }
    uint64_t full = resident();
    ab_rpcss_disable(a);
    CHECK(resident() + (24u << 20) < full);
    CHECK(ab_rpcss_get_thread_handle() == NULL);

    /* The chunk cache kept up to its bound of those chunks (the rest was unmapped), and a new
     * arena takes a cached chunk of its chunk size: exactly one 16 KiB chunk leaves the cache. */
    size_t cached = ab_rpcss_cached();
    CHECK(cached > 0 && cached <= AB_RPCSS_DEFAULT_CACHE);
    ab_rpcss_arena *again = ab_rpcss_enable(16384);
    CHECK(again && ab_rpcss_cached() == cached - 16384 && ab_rpcss_mapped(again) == 16384);
    char *fill = ab_rpcss_allocate(again, 100, 8, &status);
    CHECK(fill && status == 0);
    if (fill)
        memset(fill, 4, 100);
    ab_rpcss_disable(again);
    CHECK(ab_rpcss_cached() == cached);
    /* A 64 KiB arena finds no chunk of its size; its chunk goes in at disable and the oldest
     * chunks go to stay within the bound. */
    ab_rpcss_disable(ab_rpcss_enable(0));
    CHECK(ab_rpcss_cached() <= AB_RPCSS_DEFAULT_CACHE && ab_rpcss_cached() >= (64u << 10));
    /* Lowering the bound unmaps the oldest chunks; purge empties the cache; 0 keeps nothing. */
    ab_rpcss_set_cache_limit(64u << 10);
    CHECK(ab_rpcss_cached() == (64u << 10)); /* the 64 KiB chunk, the most recent */
    ab_rpcss_purge();
    CHECK(ab_rpcss_cached() == 0);
    ab_rpcss_set_cache_limit(0);
    ab_rpcss_disable(ab_rpcss_enable(0));
    CHECK(ab_rpcss_cached() == 0);
    ab_rpcss_set_cache_limit(AB_RPCSS_DEFAULT_CACHE);

    /* Two threads on one arena through its handle, allocating at the same time. */
    ab_rpcss_arena *shared = ab_rpcss_enable(0);
    ab_rpcss_arena *h = ab_rpcss_get_thread_handle();
    CHECK(h == shared && ab_rpcss_is_shared(shared));
    pthread_t t;
    CHECK(pthread_create(&t, NULL, adopter, h) == 0);
    worker(blocks[0]);
    pthread_join(t, NULL);
    uintptr_t *all = blocks[0]; /* the two rows are contiguous */
    for (int i = 0; i < 2 * PER_THREAD; i++)
        CHECK(all[i] != 0);
    qsort(all, 2 * PER_THREAD, sizeof *all, cmp);
    int overlaps = 0;
    for (int i = 1; i < 2 * PER_THREAD; i++)
        overlaps += all[i - 1] + BLOCK > all[i];
    CHECK(overlaps == 0);
    ab_rpcss_disable(shared);

    /* The lock's cost, for docs/lab-notes.md (information only: no assertion on time). */
    ab_rpcss_arena *priv = ab_rpcss_enable(0);
    double t_private = ns_per_alloc(priv, 200000);
    ab_rpcss_disable(priv);
    ab_rpcss_arena *locked = ab_rpcss_enable(0);
    ab_rpcss_get_thread_handle(); /* marks it shared */
    double t_locked = ns_per_alloc(locked, 200000);
    ab_rpcss_disable(locked);
    printf("rpcss allocate(24): private arena %.1f ns, shared (locked) arena %.1f ns\n", t_private,
           t_locked);
    CHECK_DONE("rpcss");
}
