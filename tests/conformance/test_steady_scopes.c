/* test_steady_scopes.c: once warmed up, a steady stream of scopes makes no mmap, munmap,
 * mprotect or madvise call in bump or rpcss: their caches of committed memory (allocators/bump.h,
 * rpcss.h) serve every module load and arena enable. Registered as
 * conformance.steady_scopes_no_syscalls.
 *
 * Counting: this program is linked with -Wl,--wrap=mmap,--wrap=munmap,... so every reference to
 * those functions in the objects linked in, the ab_allocators archive members included, goes to
 * the __wrap_ counters below, which then call the real function. The counts are the allocator
 * code's own calls (not the C library's internal ones, which bump and rpcss do not make on their
 * behalf: they never call malloc). Each run must see calls during warm-up, so a wrap that did not
 * apply fails the test instead of passing it; and a control run with the caches off
 * (AB_CACHE_OFF) must see calls in the steady phase too, so the steady phase can fail.
 *
 * Runs, through the allocator entries (as the replay calls them):
 *   - each allocator created for one thread, one thread: warm-up, steady, purge;
 *   - each created for two threads (its locking on), two threads at once on scopes of their own;
 *     the warm-up ends with both threads holding their largest scopes at the same time (a
 *     barrier), so that the steady phase never needs more memory at once than the cache saw;
 *   - each with its cache off, one thread: the steady phase must make calls.
 * Scopes: rpcss, rpc-like calls over 8 slots (small blocks, then [out] buffers of 20000 to 65530
 * bytes: one chunk, a second chunk, a 128 KiB mapping of its own); bump, il-like modules of 50
 * to 3000 bodies of 1 to 200 bytes, 3 loaded at once, the oldest unloaded before the next loads.
 * After the steady phase purge must unmap the cache (munmap calls, nothing left cached).
 */
#include "allocators/allocator.h"
#include "allocators/bump.h"
#include "allocators/rpcss.h"
#include "unit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>

/* ---- the counters, behind the linker's --wrap ---- */

enum { SYS_MMAP, SYS_MUNMAP, SYS_MPROTECT, SYS_MADVISE, SYS_KINDS };
static const char *const sys_name[SYS_KINDS] = {"mmap", "munmap", "mprotect", "madvise"};
static atomic_ulong sys_calls[SYS_KINDS];

void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);
int __real_mprotect(void *addr, size_t len, int prot);
int __real_madvise(void *addr, size_t len, int advice);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_munmap(void *addr, size_t len);
int __wrap_mprotect(void *addr, size_t len, int prot);
int __wrap_madvise(void *addr, size_t len, int advice);

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    atomic_fetch_add(&sys_calls[SYS_MMAP], 1);
    return __real_mmap(addr, len, prot, flags, fd, off);
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    atomic_fetch_add(&sys_calls[SYS_MMAP], 1);
    return __real_mmap64(addr, len, prot, flags, fd, off);
}

int __wrap_munmap(void *addr, size_t len)
{
    atomic_fetch_add(&sys_calls[SYS_MUNMAP], 1);
    return __real_munmap(addr, len);
}

int __wrap_mprotect(void *addr, size_t len, int prot)
{
    atomic_fetch_add(&sys_calls[SYS_MPROTECT], 1);
    return __real_mprotect(addr, len, prot);
}

int __wrap_madvise(void *addr, size_t len, int advice)
{
    atomic_fetch_add(&sys_calls[SYS_MADVISE], 1);
    return __real_madvise(addr, len, advice);
}

typedef struct counts {
    unsigned long n[SYS_KINDS];
} counts;

/* The calls since the last take (and restart the count). */
static counts take_counts(void)
{
    counts c;
    for (int k = 0; k < SYS_KINDS; k++)
        c.n[k] = atomic_exchange(&sys_calls[k], 0);
    return c;
}

static unsigned long total(const counts *c)
{
    unsigned long t = 0;
    for (int k = 0; k < SYS_KINDS; k++)
        t += c->n[k];
    return t;
}

static void print_counts(const char *run, const char *phase, const counts *c)
{
    printf("%-26s %-26s", run, phase);
    for (int k = 0; k < SYS_KINDS; k++)
        printf(" %s %lu", sys_name[k], c->n[k]);
    printf("\n");
}

/* ---- the scope patterns ---- */

enum { SLOTS = 8, WARM_ROUNDS = 40, STEADY_ROUNDS = 2000, PEAK_SHAPE = 4 };

/* rpcss: one rpc-like call in `scope`: small blocks (nodes, a string, an array, ~2.2 KiB in the
 * first chunk), then the [out] buffers of its shape. Shapes 0-4 need, in chunks: 1; 1 (20000 fits
 * the first chunk); 1 + a 128 KiB own mapping (65530 does not fit a 64 KiB chunk with its
 * header); 2 (the second 40000 does not fit the first chunk's tail); 2 + 128 KiB (PEAK_SHAPE,
 * the most of each kind, so every other shape needs a subset of its memory). */
static const size_t out_buffers[5][3] = {
    {0}, {20000}, {65530}, {40000, 40000}, {40000, 65530, 40000}};

static int rpc_call(const ab_allocator *a, uint32_t scope, unsigned shape)
{
    static const size_t small[] = {24, 24, 300, 24, 1100, 24, 24, 64, 24, 512, 24, 48};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
        void *p = a->alloc(small[i], 8, scope);
        if (!p)
            return -1;
        memset(p, 0x5A, small[i]);
        a->free(p, small[i], 8); /* RpcSmFree: only marks */
    }
    for (int i = 0; i < 3 && out_buffers[shape][i]; i++) {
        void *p = a->alloc(out_buffers[shape][i], 8, scope);
        if (!p)
            return -1;
        memset(p, 0, out_buffers[shape][i]);
    }
    return 0;
}

/* bump: one il-like module in `scope`: `bodies` allocations of 1 to 200 bytes (100 on average,
 * il's mean body is 76), aligned 1 or 4. */
static const unsigned module_bodies[4] = {50, 300, 1500, 3000}; /* the last: the largest */

static int il_module(const ab_allocator *a, uint32_t scope, unsigned bodies)
{
    for (unsigned i = 0; i < bodies; i++) {
        size_t size = 1 + (i * 37u) % 200, align = i % 3 ? 4 : 1;
        void *p = a->alloc(size, align, scope);
        if (!p)
            return -1;
        memset(p, 0x3C, size);
    }
    return 0;
}

/* ---- one thread's stream of scopes ---- */

typedef struct stream {
    const ab_allocator *a;
    int is_bump;
    uint32_t base;           /* this thread's scopes: base .. base + SLOTS - 1 */
    pthread_barrier_t *peak; /* both threads hold their largest scopes here; NULL: one thread */
    unsigned long round;
    int failed;
} stream;

/* Rounds [round, round + n): rpcss, one call in slot round % 8, reset at its end; bump, unload
 * the module loaded 3 rounds ago, then load one in slot round % 8 (3 loaded at once). */
static void run_rounds(stream *s, unsigned long n)
{
    for (unsigned long end = s->round + n; s->round < end && !s->failed; s->round++) {
        uint32_t slot = s->base + (uint32_t)(s->round % SLOTS);
        if (!s->is_bump) {
            s->failed |= rpc_call(s->a, slot, (unsigned)(s->round % 5)) != 0;
            s->a->reset(slot);
            continue;
        }
        if (s->round >= 3)
            s->a->reset(s->base + (uint32_t)((s->round - 3) % SLOTS));
        s->failed |= il_module(s->a, slot, module_bodies[s->round % 4]) != 0;
    }
}

/* Unload what is still loaded (bump: the last 3 modules) so that the stream ends with no scope
 * live. */
static void end_stream(stream *s)
{
    if (s->is_bump)
        for (unsigned long r = s->round >= 3 ? s->round - 3 : 0; r < s->round; r++)
            s->a->reset(s->base + (uint32_t)(r % SLOTS));
}

/* Every scope at its largest at once (rpcss: one call of the peak shape; bump: 3 modules of the
 * most bodies), held until the other thread holds its own too, then released. */
static void peak_round(stream *s)
{
    end_stream(s);
    int n = s->is_bump ? 3 : 1;
    for (int i = 0; i < n; i++)
        s->failed |= (s->is_bump ? il_module(s->a, s->base + (uint32_t)i, module_bodies[3])
                                 : rpc_call(s->a, s->base, PEAK_SHAPE)) != 0;
    if (s->peak)
        pthread_barrier_wait(s->peak);
    for (int i = 0; i < n; i++)
        s->a->reset(s->base + (uint32_t)i);
    s->round = 0; /* start over from empty slots */
}

static void *warm_up(void *arg)
{
    stream *s = arg;
    run_rounds(s, WARM_ROUNDS);
    peak_round(s);
    return NULL;
}

static void *steady(void *arg)
{
    stream *s = arg;
    run_rounds(s, STEADY_ROUNDS);
    end_stream(s);
    return NULL;
}

/* Runs `threads` streams in parallel (or one, inline) through `fn`. */
static void run_streams(stream *s, unsigned threads, void *(*fn)(void *))
{
    if (threads == 1) {
        fn(&s[0]);
        return;
    }
    pthread_t t[2];
    for (unsigned i = 0; i < threads; i++)
        CHECK(pthread_create(&t[i], NULL, fn, &s[i]) == 0);
    for (unsigned i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
}

static size_t cached_bytes(int is_bump)
{
    return is_bump ? ab_bump_cached_committed() : ab_rpcss_cached();
}

/* One run: create the allocator, warm up, count the steady phase, purge. cache_off: the control
 * run, whose steady phase must make calls. */
static void one_run(const char *name, unsigned threads, int cache_off)
{
    const ab_allocator *a = ab_allocator_find(name);
    CHECK(a != NULL);
    if (!a)
        return;
    int is_bump = !strcmp(name, "bump");
    ab_alloc_config cfg = {.threads = threads};
    if (cache_off)
        cfg.bump_cache = cfg.rpcss_cache = AB_CACHE_OFF;
    char err[256] = "", run[64];
    snprintf(run, sizeof run, "%s, %u thread%s%s", name, threads, threads > 1 ? "s" : "",
             cache_off ? ", no cache" : "");
    if (a->create(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s: create failed: %s\n", run, err);
        CHECK(0);
        return;
    }
    pthread_barrier_t peak;
    pthread_barrier_init(&peak, NULL, threads);
    stream s[2];
    for (unsigned i = 0; i < threads; i++)
        s[i] = (stream){
            .a = a, .is_bump = is_bump, .base = 1 + 100 * i, .peak = threads > 1 ? &peak : NULL};
    take_counts();

    run_streams(s, threads, warm_up);
    counts warm = take_counts();
    print_counts(run, "warm-up", &warm);
    char phase[64];
    CHECK(warm.n[SYS_MMAP] > 0); /* the wrap sees the allocator's calls */

    run_streams(s, threads, steady);
    counts st = take_counts();
    snprintf(phase, sizeof phase, "steady (%d scopes)", (int)threads * STEADY_ROUNDS);
    print_counts(run, phase, &st);
    for (unsigned i = 0; i < threads; i++)
        CHECK(!s[i].failed);
    if (cache_off)
        CHECK(st.n[SYS_MMAP] > 0 && st.n[SYS_MUNMAP] > 0); /* the control: every scope maps */
    else
        CHECK(total(&st) == 0);

    size_t held = cached_bytes(is_bump);
    a->purge();
    counts pu = take_counts();
    snprintf(phase, sizeof phase, "purge (%zu KiB cached)", held >> 10);
    print_counts(run, phase, &pu);
    CHECK(cached_bytes(is_bump) == 0);
    CHECK(cache_off ? held == 0 && pu.n[SYS_MUNMAP] == 0 : held > 0 && pu.n[SYS_MUNMAP] > 0);

    a->destroy();
    take_counts();
    pthread_barrier_destroy(&peak);
}

int main(void)
{
    static const char *const names[] = {"rpcss", "bump"};
    for (int i = 0; i < 2; i++) {
        one_run(names[i], 1, 0);
        one_run(names[i], 2, 0);
        one_run(names[i], 1, 1);
    }
    CHECK_DONE("steady_scopes");
}
