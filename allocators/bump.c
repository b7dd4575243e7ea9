/* bump.c: the IMethodMalloc-style bump allocator (API in bump.h) and the `bump` allocator entry.
 *
 * Memory comes from mmap, never malloc, so the allocator is measured on its own. Commit policy:
 * the window is reserved PROT_NONE and committed with mprotect(PROT_READ|PROT_WRITE) in 64 KiB
 * steps as the bump pointer passes them, rather than MAP_NORESERVE plus touching. Why: the
 * committed part is explicit (the kernel charges only that against the overcommit limit, like
 * Windows' MEM_COMMIT), and a write past the committed end faults instead of silently growing
 * the module. One mprotect per 64 KiB costs about a microsecond, i.e. nothing per block.
 * Caveat: the reservation (4 GiB a module by default) counts against RLIMIT_AS, so a memory
 * limit on the runner must leave room for the modules' windows.
 *
 * Window cache (bump.h): an unload hands the module's window to a bounded cache, committed part
 * and all, and the next module of that window size takes it with its bump pointer back at the
 * start. A window committed beyond the whole bound is decommitted down to it first
 * (madvise(MADV_DONTNEED), then PROT_NONE again), the oldest windows are unmapped when the cache
 * goes over a bound, and purge unmaps the whole cache. Why: the loader heaps behind IMethodMalloc
 * reserve address space and commit it as they grow, and reuse what they reserved and committed
 * rather than asking the OS again; and here reserving a 4 GiB window, committing its first
 * 64 KiB, writing its 16 pages once and unmapping it costs ~50 us (~30 of them the first writes:
 * a fault and a zeroed page each), against ~0.05 us to write those pages again in a resident
 * window. Without the cache every module of a workload paid that: the kernel's price, not the
 * bump allocator's.
 *
 * Footprint of a block: the bytes its carve consumed, alignment padding in front of it included
 * (carve_memo.h: exact right after the allocation, which is when the replay asks; the size
 * alone otherwise). The padding also shows in the module's used bytes (stats "allocated").
 *
 * Threads: a module is not thread-safe by design (IMethodMalloc serves one profiler callback at
 * a time). Created for more than one thread (ab_alloc_config.threads > 1, a threaded trace), the
 * entry takes a per-module lock around each allocation (a test-and-test-and-set spinlock that
 * yields, one byte per scope) and loads a module under a process-wide mutex, so parallel JIT
 * threads can allocate bodies in the same module. Its cost is part of the measured result; with
 * one thread no lock is taken at all. The window cache has a mutex of its own in every mode,
 * taken at module load and unload only (uncontended: a few ns, against the syscalls it saves).
 */
#include "allocators/bump.h"
#include "harness/common/error_message.h"
#include "allocators/align.h"
#include "allocators/allocator.h"
#include "allocators/carve_memo.h"
#include "allocators/map_cache.h"
#include "allocators/provider.h"
#include "build_config.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* One module, or one cached window. Invariants (checked by bump_invariants; the cache's by
 * map_cache.c):
 *   - base is the start of one mmap reservation of `window` bytes, page-aligned, and this
 *     struct lives at base (so it goes with the window, and no block is at offset 0);
 *   - [base, base + committed) is read-write, [base + committed, base + window) is PROT_NONE;
 *     committed is a multiple of AB_BUMP_COMMIT_STEP, or the window; it is at least the first
 *     step (or the window, if smaller), which holds this struct;
 *   - sizeof(struct) <= next <= committed <= window <= 4 GiB;
 *   - every block handed out lies in [base + sizeof(struct), base + next): positive offset,
 *     ending at most at the window, so below 4 GiB; a window reused from the cache is still one
 *     reservation of its own, its bump pointer back at sizeof(struct), so the same holds for
 *     the new module's blocks, against its own base;
 *   - nothing is freed until unload; then the window is either unmapped whole (commit and
 *     reservation) or in the cache (map_cache.h: at most AB_BUMP_CACHE_WINDOWS windows, their
 *     committed bytes within its bound), owned by no module, its committed part still committed
 *     with whatever the last module wrote there (the allocator never zeroed blocks);
 *   - cached.len is the window while cached (the cache unmaps it from there).
 */
struct ab_bump_module {
    ab_map_cached cached; /* first: at base, where the cache finds the mapping */
    uintptr_t base;
    size_t window, committed, next;
};

/* What a cached window holds against the cache's bound: its committed part. */
static size_t window_committed(const ab_map_cached *e)
{
    return ((const ab_bump_module *)e)->committed;
}

/* The window cache (process-wide: modules of the entry and of the direct API alike). */
static ab_map_cache window_cache =
    AB_MAP_CACHE_INIT(AB_BUMP_CACHE_WINDOWS, AB_BUMP_DEFAULT_CACHE, window_committed);

static void bump_invariants(const ab_bump_module *m)
{
    assert(m && m->base == (uintptr_t)m);
    assert(sizeof *m <= m->next && m->next <= m->committed && m->committed <= m->window);
    assert(m->window <= AB_BUMP_MAX_WINDOW);
    assert(m->committed % AB_BUMP_COMMIT_STEP == 0 || m->committed == m->window);
    (void)m;
}

static size_t first_step(size_t window)
{
    return window < AB_BUMP_COMMIT_STEP ? window : AB_BUMP_COMMIT_STEP;
}

/* Puts an unloaded module's window at the head of the cache, evicting the oldest windows when
 * that goes over a bound. A window committed beyond the whole bound is first decommitted down to
 * it (outside the lock: madvise and mprotect take microseconds). 0 when it does not go in
 * (caching off, or the decommit failed): the caller unmaps it. */
static int cache_put(ab_bump_module *m)
{
    size_t limit = ab_map_cache_limit(&window_cache);
    if (limit < first_step(m->window))
        return 0;
    m->next = sizeof *m; /* the module is gone: nothing is in use */
    if (m->committed > limit) {
        size_t keep = limit & ~(AB_BUMP_COMMIT_STEP - 1), len = m->committed - keep;
        char *from = (char *)m->base + keep;
        if (madvise(from, len, MADV_DONTNEED) != 0 || mprotect(from, len, PROT_NONE) != 0)
            return 0;
        m->committed = keep;
    }
    m->cached.next = NULL; /* if the bound was lowered meanwhile, the cache unmaps it */
    m->cached.len = m->window;
    ab_map_cache_put(&window_cache, &m->cached);
    return 1;
}

void ab_bump_set_cache_limit(size_t committed_bytes)
{
    ab_map_cache_set_limit(&window_cache, committed_bytes);
}

size_t ab_bump_cached_windows(void)
{
    return ab_map_cache_count(&window_cache);
}

size_t ab_bump_cached_committed(void)
{
    return ab_map_cache_bytes(&window_cache);
}

void ab_bump_purge(void)
{
    ab_map_cache_purge(&window_cache);
}

ab_bump_module *ab_bump_create(size_t window)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (window == 0)
        window = AB_BUMP_MAX_WINDOW;
    if (window > AB_BUMP_MAX_WINDOW) {
        errno = EINVAL;
        return NULL;
    }
    window = (window + page - 1) & ~(page - 1);
    ab_bump_module *cached = (ab_bump_module *)ab_map_cache_take(&window_cache, window);
    if (cached) {
        bump_invariants(cached);
        return cached;
    }
    void *base = mmap(NULL, window, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        errno = ENOMEM;
        return NULL;
    }
    size_t first = first_step(window);
    if (mprotect(base, first, PROT_READ | PROT_WRITE) != 0) {
        munmap(base, window);
        errno = ENOMEM;
        return NULL;
    }
    ab_bump_module *m = base;
    m->base = (uintptr_t)base;
    m->window = window;
    m->committed = first;
    m->next = sizeof *m;
    m->cached = (ab_map_cached){NULL, window};
    bump_invariants(m);
    return m;
}

void *ab_bump_alloc(ab_bump_module *m, size_t size, size_t align)
{
    if (size == 0)
        return NULL;
    if (ab_align_bad(align)) {
        errno = EINVAL;
        return NULL;
    }
    uintptr_t start = ab_align_up(m->base + m->next, align);
    if (!start || start - m->base > m->window || size > m->window - (start - m->base)) {
        errno = ENOMEM;
        return NULL;
    }
    size_t end = (size_t)(start - m->base) + size;
    if (end > m->committed) {
        size_t grow = ab_align_up(end, AB_BUMP_COMMIT_STEP);
        if (grow > m->window)
            grow = m->window;
        if (mprotect((char *)m->base + m->committed, grow - m->committed, PROT_READ | PROT_WRITE) !=
            0) {
            errno = ENOMEM;
            return NULL;
        }
        m->committed = grow;
    }
    m->next = end;
    bump_invariants(m);
    return (void *)start;
}

const void *ab_bump_base(const ab_bump_module *m)
{
    return (const void *)m->base;
}

size_t ab_bump_window(const ab_bump_module *m)
{
    return m->window;
}

size_t ab_bump_used(const ab_bump_module *m)
{
    return m->next - sizeof *m;
}

size_t ab_bump_committed(const ab_bump_module *m)
{
    return m->committed;
}

void ab_bump_unload(ab_bump_module *m)
{
    if (!m)
        return;
    bump_invariants(m);
    if (!cache_put(m))
        munmap((void *)m->base, m->window);
}

/* ---- the allocator entry: one module per scope (trace scopes are 16-bit) ---- */

#define BUMP_SCOPES 65536u
static ab_bump_module *_Atomic modules[BUMP_SCOPES];
static _Atomic uint32_t scopes_used; /* modules[] is empty from here on */
static size_t module_window;
static int locked;                                            /* created for more than one thread */
static atomic_bool module_lock[BUMP_SCOPES];                  /* per module, only when locked */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER; /* module loads, when locked */

const ab_bump_module *ab_bump_scope_module(uint32_t scope)
{
    return scope < BUMP_SCOPES ? modules[scope] : NULL;
}

static void lock_module(uint32_t scope)
{
    for (unsigned spins = 0;; spins++) {
        if (!atomic_load_explicit(&module_lock[scope], memory_order_relaxed) &&
            !atomic_exchange_explicit(&module_lock[scope], 1, memory_order_acquire))
            return;
        if (spins >= 64)
            sched_yield(); /* the holder may be preempted (2 CPUs, shared) */
    }
}

static void unlock_module(uint32_t scope)
{
    atomic_store_explicit(&module_lock[scope], 0, memory_order_release);
}

static _Thread_local ab_carve_memo last_carve;

static int bump_create(const ab_alloc_config *cfg, char *err, size_t errlen)
{
    if (cfg->bump_window > AB_BUMP_MAX_WINDOW)
        return ab_fail(err, errlen, "bump window %zu is over the 4 GiB RVA limit",
                       cfg->bump_window);
    module_window = cfg->bump_window;
    locked = cfg->threads > 1;
    ab_bump_set_cache_limit(cfg->bump_cache == AB_CACHE_OFF ? 0
                            : cfg->bump_cache               ? cfg->bump_cache
                                                            : AB_BUMP_DEFAULT_CACHE);
    return ab_provider_verify(NULL, NULL, err, errlen);
}

static void bump_reset(uint32_t scope)
{
    if (scope < BUMP_SCOPES && modules[scope]) {
        ab_bump_unload(modules[scope]);
        modules[scope] = NULL;
    }
}

static void bump_destroy(void)
{
    for (uint32_t s = 0; s < scopes_used; s++)
        bump_reset(s);
    scopes_used = 0;
    ab_bump_purge();
}

/* Loads the scope's module on its first allocation (under load_lock when locked). */
static ab_bump_module *load_module(uint32_t scope)
{
    if (locked)
        pthread_mutex_lock(&load_lock);
    ab_bump_module *m = modules[scope];
    if (!m && (m = ab_bump_create(module_window))) {
        modules[scope] = m;
        if (scope >= scopes_used)
            scopes_used = scope + 1;
    }
    if (locked)
        pthread_mutex_unlock(&load_lock);
    return m;
}

static void *bump_entry_alloc(size_t size, size_t align, uint32_t scope)
{
    if (scope >= BUMP_SCOPES) {
        errno = EINVAL;
        return NULL;
    }
    ab_bump_module *m = modules[scope];
    if (__builtin_expect(!m, 0)) {
        if (size == 0) /* no module load just to answer NULL */
            return NULL;
        if (!(m = load_module(scope)))
            return NULL;
    }
    if (locked)
        lock_module(scope);
    size_t before = m->next;
    void *p = ab_bump_alloc(m, size, align);
    size_t carved = m->next - before;
    if (locked)
        unlock_module(scope);
    if (p)
        ab_carve_note(&last_carve, p, carved);
    return p;
}

/* The plain entries: IMethodMalloc::Alloc asks for no alignment; the block gets the natural
 * alignment of its size (align.h), which is what C's malloc promises. calloc zeroes the block
 * (a window taken from the cache holds an earlier module's data). */
static void *bump_malloc(size_t size, uint32_t scope)
{
    return bump_entry_alloc(size, ab_plain_align(size), scope);
}

static void *bump_calloc(size_t size, uint32_t scope)
{
    void *p = bump_entry_alloc(size, ab_plain_align(size), scope);
    if (p)
        memset(p, 0, size);
    return p;
}

static void bump_free(void *p, size_t size, size_t align)
{
    (void)p;
    (void)size;
    (void)align;
}

static void *bump_realloc(void *p, size_t old_size, size_t new_size, size_t align)
{
    (void)p;
    (void)old_size;
    (void)new_size;
    (void)align;
    errno = ENOTSUP; /* IMethodMalloc has no realloc (no AB_CAP_REALLOC) */
    return NULL;
}

static size_t bump_footprint(const void *p, size_t size, size_t align)
{
    (void)align;
    return ab_carve_footprint(&last_carve, p, size);
}

static int bump_stats(ab_alloc_stats *out)
{
    out->have = AB_STAT_ALLOCATED | AB_STAT_MAPPED;
    out->allocated = out->mapped = out->active = out->resident = 0;
    for (uint32_t s = 0; s < scopes_used; s++)
        if (modules[s]) {
            out->allocated += ab_bump_used(modules[s]);
            out->mapped += ab_bump_committed(modules[s]);
        }
    out->mapped += ab_bump_cached_committed(); /* still committed, kept for the next modules */
    return 0;
}

/* Unmaps the window cache; loaded modules keep their windows (a scope not yet reset is live). */
static void bump_purge(void)
{
    ab_bump_purge();
}

static const char *bump_version(void)
{
    return "alignbench " AB_VERSION;
}

const ab_allocator ab_alloc_bump = {
    .name = "bump",
    .description = "IMethodMalloc-style bump allocator: allocate only, one 4 GiB window per "
                   "module (scope), released at unload",
    .caps = AB_CAP_RESET | AB_CAP_RECLAIMS_AT_RESET_ONLY,
    .create = bump_create,
    .destroy = bump_destroy,
    .alloc = bump_entry_alloc,
    .free = bump_free,
    .realloc = bump_realloc,
    .reset = bump_reset,
    .footprint = bump_footprint,
    .stats = bump_stats,
    .purge = bump_purge,
    .version = bump_version,
    .malloc = bump_malloc,
    .calloc = bump_calloc,
};
