/* conformance_special.c: the checks that are about one allocator's own contract: bump's module
 * windows (IMethodMalloc: every block at a positive offset below 4 GiB from its module's base,
 * NULL once the window is full) and rpcss's thread handles and chunks. They use the allocator's
 * direct API (bump.h, rpcss.h) where the generic interface cannot see the property; for every
 * other allocator they answer N/A with the reason. */
#include "allocators/bump.h"
#include "allocators/rpcss.h"
#include "harness/runner/conformance_checks.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static int is(const ab_check_ctx *c, const char *name)
{
    return !strcmp(c->a->name, name);
}

/* Through the entry, as the replay allocates: two modules, IL-like sizes and alignments. */
ab_check_result ab_check_bump_window_offsets(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!is(c, "bump"))
        return ab_check_na(c, "module windows are bump's contract (IMethodMalloc)");
    const uint32_t scopes[2] = {c->scope, c->scope + 1000};
    uint64_t rng = 7;
    ab_check_result r = AB_CHECK_PASS;
    for (int round = 0; round < 4000 && r == AB_CHECK_PASS; round++) {
        uint32_t scope = scopes[round & 1];
        size_t size = 1 + ab_check_rand(&rng) % 800, align = (size_t)1 << (round % 3 * 2);
        char *p = c->a->alloc(size, align, scope);
        const ab_bump_module *m = ab_bump_scope_module(scope);
        if (!p || !m) {
            r = ab_check_fail(c, "alloc(%zu, %zu) in module %u returned NULL", size, align, scope);
            break;
        }
        uintptr_t off = (uintptr_t)p - (uintptr_t)ab_bump_base(m);
        if ((uintptr_t)p <= (uintptr_t)ab_bump_base(m) || off + size > ab_bump_window(m) ||
            off + size > AB_BUMP_MAX_WINDOW)
            r = ab_check_fail(c, "block %p+%zu at offset %#llx outside module %u's window",
                              (void *)p, size, (unsigned long long)off, scope);
        memset(p, 0x11, size);
    }
    const ab_bump_module *m0 = ab_bump_scope_module(scopes[0]),
                         *m1 = ab_bump_scope_module(scopes[1]);
    if (r == AB_CHECK_PASS && m0 && m0 == m1)
        r = ab_check_fail(c, "two modules share one base");
    c->a->reset(scopes[0]);
    c->a->reset(scopes[1]);
    if (r == AB_CHECK_PASS && (ab_bump_scope_module(scopes[0]) || ab_bump_scope_module(scopes[1])))
        r = ab_check_fail(c, "reset(scope) left the module loaded");
    return r;
}

/* Direct API: a 1 MiB window fills up and then answers NULL (ENOMEM); bad windows refused. */
ab_check_result ab_check_bump_window_full(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!is(c, "bump"))
        return ab_check_na(c, "module windows are bump's contract (IMethodMalloc)");
    errno = 0;
    if (ab_bump_create(AB_BUMP_MAX_WINDOW + 4096) || errno != EINVAL)
        return ab_check_fail(c, "a window over 4 GiB was not refused with EINVAL");
    const size_t window = (size_t)1 << 20, block = 4096;
    ab_bump_module *m = ab_bump_create(window);
    if (!m)
        return ab_check_fail(c, "cannot create a 1 MiB module");
    size_t n = 0;
    ab_check_result r = AB_CHECK_PASS;
    if (ab_bump_alloc(m, 0, 1))
        r = ab_check_fail(c, "alloc(0) returned a block, want NULL");
    for (char *p; r == AB_CHECK_PASS && (p = ab_bump_alloc(m, block, 16)); n++) {
        uintptr_t off = (uintptr_t)p - (uintptr_t)ab_bump_base(m);
        if (off == 0 || off + block > window)
            r = ab_check_fail(c, "block at offset %#llx outside the 1 MiB window",
                              (unsigned long long)off);
        memset(p, 0x22, block);
    }
    /* Everything but the module's own header and the last block's worth fits. */
    if (r == AB_CHECK_PASS && errno != ENOMEM)
        r = ab_check_fail(c, "full window: errno %d, want ENOMEM", errno);
    if (r == AB_CHECK_PASS && (n + 1) * block < window)
        r = ab_check_fail(c, "window full after %zu blocks of 4 KiB, want %zu", n,
                          window / block - 1);
    if (r == AB_CHECK_PASS && ab_bump_alloc(m, window, 1))
        r = ab_check_fail(c, "a request as large as the window succeeded in a full module");
    ab_bump_unload(m);
    return r;
}

typedef struct share_arg {
    ab_rpcss_arena *handle;
    void *blocks[1000];
    int ok;
} share_arg;

static void *share_thread(void *argp)
{
    share_arg *s = argp;
    ab_rpcss_set_thread_handle(s->handle);
    s->ok = 1;
    for (int i = 0; i < 1000; i++) {
        int status;
        s->blocks[i] = ab_rpcss_sm_allocate(24, &status);
        if (!s->blocks[i] || status != 0)
            s->ok = 0;
        else
            memset(s->blocks[i], 0x33, 24);
    }
    return NULL;
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

/* Direct API: a second thread adopts the arena's handle; both allocate; no block overlaps. */
ab_check_result ab_check_rpcss_thread_handle(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!is(c, "rpcss"))
        return ab_check_na(c, "thread handles are rpcss's contract (RpcSmSetThreadHandle)");
    ab_rpcss_arena *a = ab_rpcss_enable(0);
    if (!a)
        return ab_check_fail(c, "enable failed");
    static share_arg s;
    static void *mine[1000];
    static uintptr_t all[2000];
    s.handle = ab_rpcss_get_thread_handle();
    if (s.handle != a || !ab_rpcss_is_shared(a)) {
        ab_rpcss_disable(a);
        return ab_check_fail(c, "get_thread_handle did not hand out the enabled arena");
    }
    pthread_t t;
    if (pthread_create(&t, NULL, share_thread, &s) != 0) {
        ab_rpcss_disable(a);
        return ab_check_fail(c, "cannot start the second thread");
    }
    int ok = 1;
    for (int i = 0; i < 1000; i++) {
        int status;
        mine[i] = ab_rpcss_sm_allocate(24, &status);
        ok &= mine[i] != NULL && status == 0;
        if (mine[i])
            memset(mine[i], 0x44, 24);
    }
    pthread_join(t, NULL);
    ab_check_result r = AB_CHECK_PASS;
    if (!ok || !s.ok)
        r = ab_check_fail(c, "an allocation through the shared handle failed");
    for (int i = 0; i < 1000 && r == AB_CHECK_PASS; i++) {
        all[i] = (uintptr_t)mine[i];
        all[1000 + i] = (uintptr_t)s.blocks[i];
        if ((all[i] | all[1000 + i]) & 7)
            r = ab_check_fail(c, "a block is not 8-byte aligned");
    }
    qsort(all, 2000, sizeof all[0], cmp_ptr);
    for (int i = 1; i < 2000 && r == AB_CHECK_PASS; i++)
        if (all[i - 1] + 24 > all[i])
            r = ab_check_fail(c, "blocks of the two threads overlap at %p", (void *)all[i]);
    ab_rpcss_disable(a);
    return r;
}

/* Direct API: 8-byte minimum alignment, chunk-size parameter, large requests mapped alone. */
ab_check_result ab_check_rpcss_chunks(ab_check_ctx *c, size_t arg)
{
    (void)arg;
    if (!is(c, "rpcss"))
        return ab_check_na(c, "chunks are rpcss's own (arena) layout");
    const size_t chunk = 16 * 1024;
    ab_rpcss_arena *a = ab_rpcss_enable(chunk);
    if (!a)
        return ab_check_fail(c, "enable(16 KiB chunks) failed");
    ab_check_result r = AB_CHECK_PASS;
    int status;
    for (int i = 0; i < 100 && r == AB_CHECK_PASS; i++) {
        void *p = ab_rpcss_allocate(a, (size_t)(1 + i % 13), 1, &status);
        if (!p || ((uintptr_t)p & 7))
            r = ab_check_fail(c, "allocate(%d, 1) = %p: want 8-byte aligned", 1 + i % 13, p);
        ab_rpcss_free(a, p);
    }
    size_t before = ab_rpcss_mapped(a);
    void *big = ab_rpcss_allocate(a, 5 * chunk, 4096, &status);
    if (r == AB_CHECK_PASS && (!big || ((uintptr_t)big & 4095)))
        r = ab_check_fail(c, "a 5-chunk request at 4096 failed or is misaligned (%p)", big);
    if (r == AB_CHECK_PASS && ab_rpcss_mapped(a) < before + 5 * chunk)
        r = ab_check_fail(c, "a 5-chunk request did not get a mapping of its own");
    if (r == AB_CHECK_PASS && ab_rpcss_marked(a) != 100)
        r = ab_check_fail(c, "100 frees marked %zu blocks", ab_rpcss_marked(a));
    if (r == AB_CHECK_PASS && (ab_rpcss_allocate(a, SIZE_MAX - 8, 8, &status) || status != ENOMEM))
        r = ab_check_fail(c, "allocate(SIZE_MAX - 8): want NULL and status ENOMEM");
    ab_rpcss_disable(a);
    return r;
}
