/* micro_suite.c: the micro-benchmarks of `alignbench micro`, in C, through the gbench shim.
 *
 * Each benchmark calls the allocator through the one interface (allocators/allocator.h), so the
 * measured machine code is the same for every allocator, and drives Google Benchmark's loop in
 * batches (far cheaper than a call per iteration). Every returned block is checked for NULL and for
 * its alignment; a miss fails the benchmark loudly (skip with error), it is never timed.
 *
 * Allocators that release whole scopes (AB_CAP_RESET: bump never frees, rpcss only marks) reset
 * scope 0 inside the timing, as a call or module boundary would: each time MICRO_RESET_EVERY
 * allocations have been made since the last reset (at the end of a round of n for live_free);
 * their label says so. Per-op samples follow the same rule. realloc_grow
 * exists only for allocators with AB_CAP_REALLOC.
 *
 * Per-operation percentiles: after the timed loop (outside Google Benchmark's timing) each
 * benchmark times MICRO_SAMPLES single operations with the fenced TSC (measure/timer.h), net of
 * the calibrated empty-region cost, into the harness's histogram (measure/histogram.h), and
 * exports alloc_p50, alloc_p99, free_p50 and free_p99 (ns) as counters, the names results.json
 * uses.
 */
#include "harness/runner/micro_suite.h"
#include "harness/common/error_message.h"

#include "harness/runner/gbench_shim.h"
#include "harness/measure/histogram.h"
#include "harness/measure/timer.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define MICRO_RESET_EVERY 1024
#define MICRO_SAMPLES 10000
#define MICRO_MAX_CASES 128
#define MICRO_LIVE_SIZE 64
#define MICRO_LIVE_ALIGN 16
#define MICRO_GROW_FROM 16
#define MICRO_GROW_TO 65536

typedef struct micro_case {
    const ab_allocator *a;
    size_t size, align; /* alloc_free; live_free; realloc_grow: the first size */
    size_t n_live;      /* live_free */
} micro_case;

typedef struct micro_set {
    const size_t *sizes, *aligns, *lives;
    size_t nsizes, naligns, nlives;
} micro_set;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
static const size_t quick_sizes[] = {16, 64, 4096, 65536};
static const size_t quick_aligns[] = {8, 64, 4096};
static const size_t quick_lives[] = {1, 1000, 100000};
static const size_t full_sizes[] = {16, 64, 256, 1024, 4096, 16384, 65536};
static const size_t full_aligns[] = {8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
static const size_t full_lives[] = {1, 10, 100, 1000, 10000, 100000};
static const micro_set sets[2] = {
    {quick_sizes, quick_aligns, quick_lives, COUNT(quick_sizes), COUNT(quick_aligns),
     COUNT(quick_lives)},
    {full_sizes, full_aligns, full_lives, COUNT(full_sizes), COUNT(full_aligns), COUNT(full_lives)},
};

/* Static, so nothing here is allocated from the allocator under test. */
static micro_case cases[MICRO_MAX_CASES];
static size_t ncases;
static ab_tsc_clock clock_;
static ab_hist hist_alloc, hist_free;

static int bad_block(const void *p, size_t align)
{
    return p == NULL || ((uintptr_t)p & (align - 1)) != 0;
}

static void fail_block(abgb_state *st, const micro_case *c, const char *op, const void *p,
                       size_t size, size_t align)
{
    char msg[160];
    snprintf(msg, sizeof msg, "%s: %s(%zu, align %zu) returned %p (%s)", c->a->name, op, size,
             align, p, p ? "misaligned" : "NULL");
    if (p)
        c->a->free((void *)p, size, align);
    abgb_skip_with_error(st, msg);
}

/* Says in the output when the timing includes scope resets. */
static void label_resets(abgb_state *st, const ab_allocator *a)
{
    if (a->caps & AB_CAP_RESET)
        abgb_set_label(st, "includes a scope reset every 1024 allocations");
}

/* Scope resets for allocators that release by scope (AB_CAP_RESET): one each time
 * MICRO_RESET_EVERY allocations have been made since the last, at a round boundary. */
static inline void maybe_reset(const ab_allocator *a, size_t *since, size_t allocs)
{
    *since += allocs;
    if (*since >= MICRO_RESET_EVERY) {
        a->reset(0);
        *since = 0;
    }
}

static double net_ns(uint64_t ticks)
{
    uint64_t net = ticks > clock_.empty_region_ticks ? ticks - clock_.empty_region_ticks : 0;
    return ab_tsc_to_ns(&clock_, (double)net);
}

static void export_percentiles(abgb_state *st)
{
    if (hist_alloc.count)
        abgb_counter_set(st, "alloc_p50", ab_hist_quantile(&hist_alloc, 0.50), 0);
    if (hist_alloc.count)
        abgb_counter_set(st, "alloc_p99", ab_hist_quantile(&hist_alloc, 0.99), 0);
    if (hist_free.count)
        abgb_counter_set(st, "free_p50", ab_hist_quantile(&hist_free, 0.50), 0);
    if (hist_free.count)
        abgb_counter_set(st, "free_p99", ab_hist_quantile(&hist_free, 0.99), 0);
}

/* Histograms hold nanoseconds (rounded), so quantiles come out in ns. */
static void hist_add_ns(ab_hist *h, uint64_t ticks)
{
    ab_hist_add(h, (uint64_t)(net_ns(ticks) + 0.5));
}

/* One timed alloc and one timed free, `rounds` times `n` blocks live at once. */
static void sample_ops(abgb_state *st, const micro_case *c, size_t size, size_t align, void **slots,
                       size_t n, size_t rounds)
{
    const ab_allocator *a = c->a;
    const int resets = (a->caps & AB_CAP_RESET) != 0;
    size_t since = 0;
    ab_hist_reset(&hist_alloc);
    ab_hist_reset(&hist_free);
    for (size_t r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n; i++) {
            uint64_t t0 = ab_tsc_start();
            void *p = a->alloc(size, align, 0);
            uint64_t t1 = ab_tsc_stop();
            if (bad_block(p, align)) {
                for (size_t k = 0; k < i; k++)
                    a->free(slots[k], size, align);
                fail_block(st, c, "alloc", p, size, align);
                return;
            }
            slots[i] = p;
            hist_add_ns(&hist_alloc, t1 - t0);
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t t0 = ab_tsc_start();
            a->free(slots[i], size, align);
            uint64_t t1 = ab_tsc_stop();
            hist_add_ns(&hist_free, t1 - t0);
        }
        if (resets)
            maybe_reset(a, &since, n);
    }
    if (resets)
        a->reset(0);
    export_percentiles(st);
}

static void bm_alloc_free(abgb_state *st, void *user)
{
    const micro_case *c = user;
    const ab_allocator *a = c->a;
    void *(*alloc)(size_t, size_t, uint32_t) = a->alloc;
    void (*release)(void *, size_t, size_t) = a->free;
    const size_t size = c->size, align = c->align;
    const int resets = (a->caps & AB_CAP_RESET) != 0;
    size_t since = 0;
    int64_t n = abgb_max_iterations(st);
    while (abgb_keep_running_batch(st, n)) {
        for (int64_t i = 0; i < n; i++) {
            void *p = alloc(size, align, 0);
            if (__builtin_expect(bad_block(p, align), 0)) {
                fail_block(st, c, "alloc", p, size, align);
                return;
            }
            abgb_do_not_optimize(p);
            release(p, size, align);
            if (resets)
                maybe_reset(a, &since, 1);
        }
    }
    if (resets)
        a->reset(0);
    label_resets(st, a);
    abgb_set_items_processed(st, abgb_iterations(st));
    void *slot;
    sample_ops(st, c, size, align, &slot, 1, MICRO_SAMPLES);
}

static void bm_live_free(abgb_state *st, void *user)
{
    const micro_case *c = user;
    const ab_allocator *a = c->a;
    const size_t size = MICRO_LIVE_SIZE, align = MICRO_LIVE_ALIGN, n = c->n_live;
    size_t bytes = n * sizeof(void *);
    void **slots = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (slots == MAP_FAILED) {
        abgb_skip_with_error(st, "live_free: cannot map the pointer table");
        return;
    }
    /* An iteration is one alloc+free pair; a batch is whole rounds of n. */
    const int resets = (a->caps & AB_CAP_RESET) != 0;
    size_t since = 0;
    int64_t max_it = abgb_max_iterations(st);
    int64_t rounds = (max_it + (int64_t)n - 1) / (int64_t)n;
    while (abgb_keep_running_batch(st, rounds * (int64_t)n)) {
        for (int64_t r = 0; r < rounds; r++) {
            for (size_t i = 0; i < n; i++) {
                void *p = a->alloc(size, align, 0);
                if (__builtin_expect(bad_block(p, align), 0)) {
                    for (size_t k = 0; k < i; k++)
                        a->free(slots[k], size, align);
                    fail_block(st, c, "alloc", p, size, align);
                    goto out;
                }
                slots[i] = p;
            }
            for (size_t i = 0; i < n; i++)
                a->free(slots[i], size, align);
            if (resets)
                maybe_reset(a, &since, n);
        }
    }
    if (resets)
        a->reset(0);
    label_resets(st, a);
    abgb_set_items_processed(st, abgb_iterations(st));
    sample_ops(st, c, size, align, slots, n, n >= MICRO_SAMPLES ? 1 : MICRO_SAMPLES / n);
out:
    if (a->caps & AB_CAP_RESET)
        a->reset(0); /* also after a failure part-way */
    munmap(slots, bytes);
}

static void bm_realloc_grow(abgb_state *st, void *user)
{
    const micro_case *c = user;
    const ab_allocator *a = c->a;
    const size_t align = c->align;
    int steps = 0;
    for (size_t s = c->size; s < MICRO_GROW_TO; s *= 2)
        steps++;
    int64_t n = abgb_max_iterations(st);
    while (abgb_keep_running_batch(st, n)) {
        for (int64_t i = 0; i < n; i++) {
            size_t size = c->size;
            void *p = a->alloc(size, align, 0);
            if (__builtin_expect(bad_block(p, align), 0)) {
                fail_block(st, c, "alloc", p, size, align);
                return;
            }
            while (size < MICRO_GROW_TO) {
                void *q = a->realloc(p, size, size * 2, align);
                if (__builtin_expect(bad_block(q, align), 0)) {
                    a->free(p, size, align);
                    fail_block(st, c, "realloc", q, size * 2, align);
                    return;
                }
                p = q;
                size *= 2;
                abgb_do_not_optimize(p);
            }
            a->free(p, size, align);
        }
    }
    abgb_set_items_processed(st, abgb_iterations(st) * steps);
}

static micro_case *new_case(const ab_allocator *a, size_t size, size_t align, size_t n_live)
{
    if (ncases == MICRO_MAX_CASES)
        return NULL;
    micro_case *c = &cases[ncases++];
    *c = (micro_case){.a = a, .size = size, .align = align, .n_live = n_live};
    return c;
}

static int add(const char *name, abgb_fn fn, micro_case *c, char *err, size_t errlen)
{
    if (!c)
        return ab_fail(err, errlen, "micro-suite: more than %d benchmarks", MICRO_MAX_CASES);
    if (!abgb_register(name, fn, c))
        return ab_fail(err, errlen, "micro-suite: registering %s: %s", name, abgb_last_error());
    return 0;
}

int ab_micro_register(const ab_allocator *a, const char *alloc_name, int full, char *err,
                      size_t errlen)
{
    const micro_set *set = &sets[full ? 1 : 0];
    if (ab_tsc_clock_begin(&clock_, 20) != 0)
        return ab_fail(err, errlen, "micro-suite: could not calibrate the TSC");
    char name[256];
    size_t before = ncases;
    for (size_t s = 0; s < set->nsizes; s++)
        for (size_t k = 0; k < set->naligns; k++) {
            snprintf(name, sizeof name, "alloc_free/%s/size:%zu/align:%zu", alloc_name,
                     set->sizes[s], set->aligns[k]);
            if (add(name, bm_alloc_free, new_case(a, set->sizes[s], set->aligns[k], 0), err,
                    errlen))
                return -1;
        }
    for (size_t l = 0; l < set->nlives; l++) {
        snprintf(name, sizeof name, "live_free/%s/size:%d/n:%zu", alloc_name, MICRO_LIVE_SIZE,
                 set->lives[l]);
        if (add(name, bm_live_free, new_case(a, MICRO_LIVE_SIZE, MICRO_LIVE_ALIGN, set->lives[l]),
                err, errlen))
            return -1;
    }
    if (a->caps & AB_CAP_REALLOC) {
        snprintf(name, sizeof name, "realloc_grow/%s/from:%d/to:%d", alloc_name, MICRO_GROW_FROM,
                 MICRO_GROW_TO);
        if (add(name, bm_realloc_grow, new_case(a, MICRO_GROW_FROM, 16, 0), err, errlen))
            return -1;
    }
    return (int)(ncases - before);
}
