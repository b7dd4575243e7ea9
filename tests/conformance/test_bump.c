/* test_bump.c: the IMethodMalloc-style bump allocator's direct API (bump.h): positive offsets
 * below the window from each module's own base, alignment, NULL for size 0 and for a full
 * window, commit growing in steps, unload giving the memory back (resident drops) beyond what
 * the window cache keeps, and the cache: reuse of a window, its bounds, purge. */
#include "allocators/bump.h"
#include "unit.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    errno = 0;
    CHECK(ab_bump_create(AB_BUMP_MAX_WINDOW + 1) == NULL && errno == EINVAL);

    /* Default window: 4 GiB reserved; blocks at offsets in (0, 4 GiB), aligned. */
    ab_bump_module *a = ab_bump_create(0), *b = ab_bump_create(0);
    CHECK(a && b && ab_bump_base(a) != ab_bump_base(b));
    CHECK(ab_bump_window(a) == AB_BUMP_MAX_WINDOW);
    CHECK(ab_bump_alloc(a, 0, 1) == NULL);
    for (size_t align = 1; align <= 65536; align *= 2) {
        char *p = ab_bump_alloc(a, 100, align);
        uintptr_t off = (uintptr_t)p - (uintptr_t)ab_bump_base(a);
        CHECK(p && ((uintptr_t)p & (align - 1)) == 0);
        CHECK(off > 0 && off + 100 <= AB_BUMP_MAX_WINDOW);
        if (p)
            memset(p, 1, 100);
    }
    errno = 0;
    CHECK(ab_bump_alloc(a, 64, 24) == NULL && errno == EINVAL);
    /* Committed grows in 64 KiB steps with use, never past what is used plus a step. */
    size_t c0 = ab_bump_committed(a);
    char *big = ab_bump_alloc(a, 1 << 20, 16);
    CHECK(big && ab_bump_committed(a) > c0);
    CHECK(ab_bump_committed(a) % AB_BUMP_COMMIT_STEP == 0);
    CHECK(ab_bump_committed(a) < ab_bump_used(a) + 2 * AB_BUMP_COMMIT_STEP);
    if (big)
        memset(big, 2, 1 << 20);
    /* A request beyond the window fails; the module goes on working. */
    CHECK(ab_bump_alloc(a, AB_BUMP_MAX_WINDOW, 1) == NULL);
    CHECK(ab_bump_alloc(a, 8, 8) != NULL);

    /* Unload releases what was committed: 32 MiB touched, then gone but for what the window
     * cache keeps (4 MiB). */
    for (int i = 0; i < 32; i++) {
        char *p = ab_bump_alloc(b, 1 << 20, 4096);
        CHECK(p != NULL);
        if (p)
            memset(p, 3, 1 << 20);
    }
    uint64_t full = resident();
    ab_bump_unload(b);
    CHECK(resident() + (24u << 20) < full);
    /* b's window went to the cache, its commit trimmed down to the cache's bound. */
    CHECK(ab_bump_cached_windows() == 1 && ab_bump_cached_committed() == AB_BUMP_DEFAULT_CACHE);
    /* a goes in at the head; with both over the bound, the oldest (b) is unmapped. */
    size_t a_committed = ab_bump_committed(a);
    ab_bump_unload(a);
    CHECK(ab_bump_cached_windows() == 1 && ab_bump_cached_committed() == a_committed);

    /* A new module of the same window size takes the cached window: bump pointer back at the
     * start, commit kept, blocks at positive offsets from its base as ever. */
    ab_bump_module *c = ab_bump_create(0);
    CHECK(c == a && ab_bump_used(c) == 0 && ab_bump_committed(c) == a_committed);
    CHECK(ab_bump_cached_windows() == 0 && ab_bump_cached_committed() == 0);
    char *r = ab_bump_alloc(c, 100, 16);
    CHECK(r && r > (char *)ab_bump_base(c) && ((uintptr_t)r & 15) == 0);
    CHECK(ab_bump_committed(c) == a_committed); /* nothing to commit */
    /* Only a window of the same size is reused. */
    ab_bump_module *d = ab_bump_create(0);
    ab_bump_unload(d);
    ab_bump_module *other = ab_bump_create(1 << 20);
    CHECK(d && other && other != d && ab_bump_cached_windows() == 1);
    ab_bump_unload(other);
    ab_bump_unload(c);
    CHECK(ab_bump_cached_windows() == 3);
    /* Lowering the bound unmaps the oldest windows; purge empties the cache; 0 keeps nothing. */
    ab_bump_set_cache_limit(a_committed);
    CHECK(ab_bump_cached_windows() == 1 && ab_bump_cached_committed() == a_committed);
    ab_bump_purge();
    CHECK(ab_bump_cached_windows() == 0 && ab_bump_cached_committed() == 0);
    ab_bump_set_cache_limit(0);
    ab_bump_unload(ab_bump_create(0));
    CHECK(ab_bump_cached_windows() == 0);
    ab_bump_set_cache_limit(AB_BUMP_DEFAULT_CACHE);

    /* A small window fills up: NULL with ENOMEM, every block inside. */
    ab_bump_module *s = ab_bump_create(100000); /* rounded up to pages */
    CHECK(s && ab_bump_window(s) % 4096 == 0 && ab_bump_window(s) >= 100000);
    size_t n = 0;
    char *p;
    errno = 0;
    while (s && (p = ab_bump_alloc(s, 1000, 4))) {
        uintptr_t off = (uintptr_t)p - (uintptr_t)ab_bump_base(s);
        CHECK(off > 0 && off + 1000 <= ab_bump_window(s));
        n++;
    }
    CHECK(errno == ENOMEM);
    /* all of the window but the module header (a few dozen bytes) */
    CHECK(s && n == (ab_bump_window(s) - 64) / 1000);
    ab_bump_unload(s);
    CHECK_DONE("bump");
}
