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
 * Footprint of a block: the bytes its carve consumed, alignment padding in front of it included
 * (carve_memo.h: exact right after the allocation, which is when the replay asks; the size
 * alone otherwise). The padding also shows in the module's used bytes (stats "allocated").
 *
 * Threads: a module is not thread-safe by design (IMethodMalloc serves one profiler callback at
 * a time). Created for more than one thread (ab_alloc_config.threads > 1, a threaded trace), the
 * entry takes a per-module lock around each allocation (a test-and-test-and-set spinlock that
 * yields, one byte per scope) and loads a module under a process-wide mutex, so parallel JIT
 * threads can allocate bodies in the same module. Its cost is part of the measured result; with
 * one thread no lock is taken at all.
 */
#include "allocators/bump.h"
#include "allocators/align.h"
#include "allocators/allocator.h"
#include "allocators/carve_memo.h"
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

/* One module. Invariants (checked by bump_invariants):
 *   - base is the start of one mmap reservation of `window` bytes, page-aligned, and this
 *     struct lives at base (so it is released with the module, and no block is at offset 0);
 *   - [base, base + committed) is read-write, [base + committed, base + window) is PROT_NONE;
 *     committed is a multiple of AB_BUMP_COMMIT_STEP, or the window;
 *   - sizeof(struct) <= next <= committed <= window <= 4 GiB;
 *   - every block handed out lies in [base + sizeof(struct), base + next): positive offset,
 *     ending at most at the window, so below 4 GiB;
 *   - nothing is freed until unload, which munmaps [base, base + window): commit and reservation.
 */
struct ab_bump_module {
    uintptr_t base;
    size_t window, committed, next;
};

static void bump_invariants(const ab_bump_module *m)
{
    assert(m && m->base == (uintptr_t)m);
    assert(sizeof *m <= m->next && m->next <= m->committed && m->committed <= m->window);
    assert(m->window <= AB_BUMP_MAX_WINDOW);
    assert(m->committed % AB_BUMP_COMMIT_STEP == 0 || m->committed == m->window);
    (void)m;
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
    void *base = mmap(NULL, window, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        errno = ENOMEM;
        return NULL;
    }
    size_t first = window < AB_BUMP_COMMIT_STEP ? window : AB_BUMP_COMMIT_STEP;
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
    if (cfg->bump_window > AB_BUMP_MAX_WINDOW) {
        snprintf(err, errlen, "bump window %zu is over the 4 GiB RVA limit", cfg->bump_window);
        return -1;
    }
    module_window = cfg->bump_window;
    locked = cfg->threads > 1;
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
    return 0;
}

static void bump_purge(void) {}

static const char *bump_version(void)
{
    return "alignbench " AB_VERSION;
}

const ab_allocator ab_alloc_bump = {
    .name = "bump",
    .description = "IMethodMalloc-style bump allocator: allocate only, one 4 GiB window per "
                   "module (scope), released at unload",
    .caps = AB_CAP_RESET,
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
};
