/* replay.c: the replay engine (see replay.h): set-up (the trace scan, the id table), the
 * latency histograms and the memory pass. The timed passes and the floor are replay_timed.c's.
 *
 * The memory pass reads the trace through a bounded window (trace_io.h) and replays each op
 * with memory_op: the allocator call, the touch rule, the overlap guards, L exact at every op,
 * F, Σfootprint and the allocator's stats at checkpoints. Nothing in it is timed.
 */
#include "harness/measure/replay.h"
#include "harness/measure/replay_state.h"
#include "harness/common/error_message.h"
#include "harness/measure/memstat.h"
#include "harness/measure/sort_inplace.h"
#include "harness/measure/replay_calls.h"
#include "harness/measure/replay_touch.h"
#include "harness/measure/runqueue_wait.h"
#include "harness/measure/timer.h"

#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#define DEFAULT_CHECKPOINTS 200u

static const char *const kind_names[AB_KINDS] = {"?", "alloc", "free", "realloc", "reset"};
static const char *const touch_names[] = {"none", "first", "all"};

const char *ab_op_kind_name(unsigned kind)
{
    return kind < AB_KINDS ? kind_names[kind] : "?";
}

int ab_touch_parse(const char *s, ab_touch *out)
{
    for (unsigned i = 0; i < 3; i++)
        if (!strcmp(s, touch_names[i])) {
            *out = (ab_touch)i;
            return 0;
        }
    return -1;
}

const char *ab_touch_name(ab_touch t)
{
    return (unsigned)t < 3 ? touch_names[t] : "?";
}

void ab_replay_fail_at(ab_replay_failure *fail, uint64_t op, const char *fmt, ...)
{
    fail->op = op;
    int k = 0;
    if (op != UINT64_MAX)
        k = snprintf(fail->msg, sizeof fail->msg, "op %" PRIu64 ": ", op);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fail->msg + k, sizeof fail->msg - (size_t)k, fmt, ap);
    va_end(ap);
}

/* ---- set-up ---------------------------------------------------------------------------- */

static void scan_trace(ab_replay *r)
{
    ab_trace_scan *s = &r->scan;
    memset(s, 0, sizeof *s);
    for (uint64_t i = 0; i < r->n; i++) {
        if (ab_trace_window_due(&r->win, i))
            ab_trace_window_step(&r->win, i);
        const ab_op *op = &r->ops[i];
        unsigned k = op->kind < AB_KINDS ? op->kind : 0;
        s->count[op->kind <= AB_KINDS ? op->kind : 0]++;
        if (k >= AB_OP_ALLOC && k <= AB_OP_REALLOC && AB_OP_ENTRY(op) < AB_ENTRY_COUNT)
            s->entry[AB_OP_ENTRY(op)]++;
        if (op->kind == AB_OP_ALLOC || op->kind == AB_OP_REALLOC) {
            if (op->size > s->max_size)
                s->max_size = op->size;
            r->size_present[k][ab_size_class(op->size)] = 1;
        }
        if (op->kind == AB_OP_ALLOC) {
            if (op->align_log2 > s->max_align_log2)
                s->max_align_log2 = op->align_log2;
            if (op->align_log2 < AB_ALIGN_CLASSES)
                r->align_present[op->align_log2] = 1;
            if (op->scope < r->nscopes)
                r->scope_used[op->scope] = 1;
        }
        if (op->kind == AB_OP_RESET)
            s->has_reset = 1;
    }
    /* A free's size class is its block's: any class an alloc or realloc produced. */
    for (unsigned c = 0; c < AB_SIZE_CLASSES; c++)
        r->size_present[AB_OP_FREE][c] =
            r->size_present[AB_OP_ALLOC][c] | r->size_present[AB_OP_REALLOC][c];
    s->timed_ops = s->count[AB_OP_ALLOC] + s->count[AB_OP_FREE] + s->count[AB_OP_REALLOC] +
                   s->count[AB_OP_RESET];
}

ab_replay *ab_replay_create(const ab_trace *t, const ab_allocator *policy,
                            const ab_replay_opts *opts, char *err, size_t errlen)
{
    ab_replay *r = ab_harness_map(sizeof *r, 1);
    if (!r) {
        ab_fail(err, errlen, "cannot map the replay state");
        return NULL;
    }
    r->ops = t->ops;
    r->n = t->hdr.op_count;
    r->opts = *opts;
    if (!r->opts.checkpoints)
        r->opts.checkpoints = DEFAULT_CHECKPOINTS;
    r->caps = policy->caps;
    r->routes = ab_replay_routes_of(policy);
    r->mem.fd = -1;
    r->floor_fd = -1;
    r->rq_fd = ab_runqueue_open();
    unsigned lower_log2 = 63;
    if (opts->lower_align) {
        if (opts->lower_align & (opts->lower_align - 1)) {
            ab_fail(err, errlen, "--lower-align %u is not a power of two", opts->lower_align);
            ab_replay_destroy(r);
            return NULL;
        }
        lower_log2 = (unsigned)__builtin_ctz(opts->lower_align);
    }
    for (unsigned i = 0; i < 64; i++)
        r->served[i] = (uint8_t)(i > lower_log2 ? lower_log2 : i);

    r->nslots = t->hdr.max_live_ids ? t->hdr.max_live_ids : 1;
    r->nscopes = t->hdr.scope_count ? t->hdr.scope_count : 1;
    r->series_cap = r->opts.checkpoints + 2;
    size_t off_slots = 0;
    size_t off_live = off_slots + r->nslots * sizeof(slot);
    size_t off_heads = (off_live + r->nslots + 63) & ~(size_t)63;
    size_t off_scope_live = off_heads + ((r->nscopes * sizeof(uint32_t) + 63) & ~(size_t)63);
    size_t off_scope_fp = off_scope_live + r->nscopes * sizeof(uint64_t);
    size_t off_scope_used = off_scope_fp + r->nscopes * sizeof(uint64_t);
    size_t off_series = (off_scope_used + r->nscopes + 63) & ~(size_t)63;
    r->map_len = off_series + r->series_cap * sizeof(ab_checkpoint);
    char *m = ab_harness_map(r->map_len, 1);
    if (!m) {
        ab_fail(err, errlen, "cannot map the id table (%zu ids, %zu scopes)", r->nslots,
                r->nscopes);
        ab_replay_destroy(r);
        return NULL;
    }
    r->map = m;
    r->slots = (slot *)(m + off_slots);
    r->live = (uint8_t *)(m + off_live);
    r->heads = (uint32_t *)(m + off_heads);
    r->scope_live = (uint64_t *)(m + off_scope_live);
    r->scope_fp = (uint64_t *)(m + off_scope_fp);
    r->scope_used = (uint8_t *)(m + off_scope_used);
    r->series = (ab_checkpoint *)(m + off_series);
    for (size_t s = 0; s < r->nscopes; s++)
        r->heads[s] = NONE;
    ab_trace_window_init(&r->win, t);
    scan_trace(r);
    r->use_lists = r->scan.has_reset && !(r->caps & AB_CAP_RESET);
    r->trace = t;
    if (ab_memstat_open(&r->mem, err, errlen) != 0) {
        ab_replay_destroy(r);
        return NULL;
    }
    return r;
}

void ab_replay_destroy(ab_replay *r)
{
    if (!r)
        return;
    if (r->mem.fd >= 0)
        ab_memstat_close(&r->mem);
    ab_runqueue_close(r->rq_fd);
    ab_harness_unmap(r->map, r->map_len);
    ab_replay_timed_fini(r);
    ab_harness_unmap(r, sizeof *r);
}

const ab_trace_scan *ab_replay_scan(const ab_replay *r)
{
    return &r->scan;
}

void ab_replay_set_tsc_hz(ab_replay *r, double hz)
{
    r->ticks_per_ns = hz / 1e9;
}

int64_t ab_replay_rq_wait(const ab_replay *r)
{
    int64_t w = ab_runqueue_wait_ns(r->rq_fd);
    return w < 0 ? 0 : w;
}

int ab_replay_latency_set_init(ab_replay *r, ab_latency_set *set, int detail)
{
    memset(set, 0, sizeof *set);
    size_t nh = 0;
    for (unsigned k = 1; k < AB_KINDS; k++)
        nh += r->scan.count[k] != 0;
    if (detail) {
        for (unsigned k = 1; k < AB_KINDS; k++)
            for (unsigned c = 0; c < AB_SIZE_CLASSES; c++)
                nh += r->scan.count[k] && r->size_present[k][c];
        for (unsigned c = 0; c < AB_ALIGN_CLASSES; c++)
            nh += r->align_present[c];
    }
    set->map_len = (nh ? nh : 1) * sizeof(ab_hist);
    ab_hist *h = ab_harness_map(set->map_len, 0);
    if (!h)
        return -1;
    set->map = h;
#define TAKE(dst)                                                                                  \
    do {                                                                                           \
        ab_hist_reset(h);                                                                          \
        (dst) = h++;                                                                               \
    } while (0)
    for (unsigned k = 1; k < AB_KINDS; k++) {
        if (!r->scan.count[k])
            continue;
        TAKE(set->kind[k]);
        if (detail)
            for (unsigned c = 0; c < AB_SIZE_CLASSES; c++)
                if (r->size_present[k][c])
                    TAKE(set->size[k][c]);
    }
    if (detail)
        for (unsigned c = 0; c < AB_ALIGN_CLASSES; c++)
            if (r->align_present[c])
                TAKE(set->align[c]);
#undef TAKE
    return 0;
}

void ab_replay_latency_set_free(ab_latency_set *set)
{
    ab_harness_unmap(set->map, set->map_len);
    memset(set, 0, sizeof *set);
}

/* ---- the memory pass's op body ----------------------------------------------------------- */

static inline __attribute__((always_inline)) void link_slot(ab_replay *r, uint32_t id, slot *s)
{
    uint32_t h = r->heads[s->scope];
    s->prev = NONE;
    s->next = h;
    if (h != NONE)
        r->slots[h].prev = id;
    r->heads[s->scope] = id;
}

static inline __attribute__((always_inline)) void unlink_slot(ab_replay *r, slot *s)
{
    if (s->prev != NONE)
        r->slots[s->prev].next = s->next;
    else
        r->heads[s->scope] = s->next;
    if (s->next != NONE)
        r->slots[s->next].prev = s->prev;
}

static inline __attribute__((always_inline)) int bad_pointer(const void *p, size_t size,
                                                             size_t align)
{
    return ((uintptr_t)p & (align - 1)) != 0 || (!p && size);
}

static __attribute__((noinline, cold)) int pointer_failure(ab_replay_failure *fail, uint64_t i,
                                                           const char *what, const void *p,
                                                           size_t size, size_t align)
{
    if (!p)
        ab_replay_fail_at(fail, i, "%s of %zu bytes (alignment %zu) returned NULL", what, size,
                          align);
    else
        ab_replay_fail_at(fail, i, "%s of %zu bytes returned %p, which is not aligned to %zu", what,
                          size, p, align);
    return -1;
}

static __attribute__((noinline)) void sample_peak(ab_replay *r, uint64_t op)
{
    int64_t anon = ab_memstat_anon_bytes(&r->mem);
    if (anon >= 0 && anon - r->baseline > r->peak_sample.anon) {
        r->peak_sample.op = op;
        r->peak_sample.live = r->L;
        r->peak_sample.anon = anon - r->baseline;
        r->peak_sample.footprint = r->fp;
    }
    r->next_peak_sample = r->L + r->L / 100 + 1;
}

static inline __attribute__((always_inline)) void memory_track_peak(ab_replay *r, uint64_t op)
{
    if (r->L > r->max_L) {
        r->max_L = r->L;
        r->fp_at_max_L = r->fp;
        if (r->L >= r->next_peak_sample)
            sample_peak(r, op);
    }
}

/* ---- guards (memory pass only) ----------------------------------------------------------
 * With touching on, every block of 16 bytes or more carries a tag made of its id and address in
 * its first and last 8 bytes. The tags are checked before the block is freed, reallocated or
 * released, and at the end of the pass: a block that another allocation overlapped has been
 * written over by that allocation's touch, and a realloc that lost the content shows too. */

static inline uint64_t guard_tag(uint32_t id, const void *p)
{
    return ((uint64_t)(uintptr_t)p ^ ((uint64_t)id << 1 | 1)) * 0x9E3779B97F4A7C15ull;
}

static inline int guarded(const ab_replay *r, uint32_t size)
{
    return r->opts.touch != AB_TOUCH_NONE && size >= 16;
}

static inline void guard_write(uint32_t id, void *p, uint32_t size)
{
    uint64_t t = guard_tag(id, p);
    memcpy(p, &t, 8);
    memcpy((char *)p + size - 8, &t, 8);
}

static inline int guard_ok(uint32_t id, const void *p, uint32_t size)
{
    uint64_t t = guard_tag(id, p), head, tail;
    memcpy(&head, p, 8);
    memcpy(&tail, (const char *)p + size - 8, 8);
    return head == t && tail == t;
}

static __attribute__((noinline, cold)) int guard_failure(ab_replay_failure *fail, uint64_t i,
                                                         uint32_t id, const slot *s)
{
    ab_replay_fail_at(
        fail, i,
        "the live block of id %u (%u bytes at %p) was overwritten: the allocator handed out "
        "memory overlapping it",
        id, s->size, s->ptr);
    return -1;
}

/* Release every live block of a scope the harness way (one free each). */
static inline __attribute__((always_inline)) int
free_scope_list(ab_replay *r, const fns *f, unsigned scope, uint64_t i, ab_replay_failure *fail)
{
    uint32_t id = r->heads[scope];
    while (id != NONE) {
        slot *s = &r->slots[id];
        uint32_t next = s->next;
        if (guarded(r, s->size) && !guard_ok(id, s->ptr, s->size))
            return guard_failure(fail, i, id, s);
        f->free(s->ptr, s->size, slot_align(s));
        r->live[id] = 0;
        r->L -= s->size;
        r->fp -= s->footprint;
        id = next;
    }
    r->heads[scope] = NONE;
    return 0;
}

/* Memory pass, allocator releases the scope: check the guards first, then forget the blocks
 * (their memory may be gone after the reset). */
static int check_scope_guards(ab_replay *r, unsigned scope, uint64_t i, ab_replay_failure *fail)
{
    for (uint32_t id = r->heads[scope]; id != NONE; id = r->slots[id].next)
        if (guarded(r, r->slots[id].size) && !guard_ok(id, r->slots[id].ptr, r->slots[id].size))
            return guard_failure(fail, i, id, &r->slots[id]);
    return 0;
}

static void forget_scope(ab_replay *r, unsigned scope)
{
    for (uint32_t id = r->heads[scope]; id != NONE; id = r->slots[id].next)
        r->live[id] = 0;
    r->heads[scope] = NONE;
}

/* One op of the memory pass: the call, the touch rule, the guards, L, F and Σfootprint. */
static inline __attribute__((always_inline)) int
memory_op(ab_replay *r, const fns *f, const ab_op *op, uint64_t i, ab_replay_failure *fail)
{
    const ab_touch touch = r->opts.touch;
    switch (op->kind) {
    case AB_OP_ALLOC: {
        slot *s = &r->slots[op->id];
        const unsigned al = r->served[op->align_log2];
        const size_t align = (size_t)1 << al, size = op->size;
        const uint32_t scope = op->scope;
        /* the entry point's route (replay_calls.h) */
        const unsigned route = r->routes.alloc[AB_OP_ENTRY(op)];
        const int zero = (op->flags & AB_OPF_ZERO) && route != AB_ROUTE_CALLOC;
        void *p;
        if (route == AB_ROUTE_ALIGNED) {
            void *(*const alloc_fn)(size_t, size_t, uint32_t) = f->alloc;
            p = alloc_fn(size, align, scope);
            ab_touch_block(p, size, touch, zero);
        } else {
            void *(*const plain_fn)(size_t, uint32_t) =
                route == AB_ROUTE_CALLOC ? f->calloc : f->malloc;
            p = plain_fn(size, scope);
            ab_touch_block(p, size, touch, zero);
        }
        const size_t check = ab_replay_check_align(route, align, size);
        if (__builtin_expect(bad_pointer(p, size, check), 0))
            return pointer_failure(fail, i, route == AB_ROUTE_ALIGNED ? "alloc" : "plain alloc", p,
                                   size, check);
        s->ptr = p;
        s->size = op->size;
        s->scope = op->scope;
        s->align_log2 = (uint8_t)al;
        s->plain = route != AB_ROUTE_ALIGNED;
        r->live[op->id] = 1;
        link_slot(r, op->id, s);
        if (guarded(r, op->size))
            guard_write(op->id, p, op->size);
        size_t fp = f->footprint(p, op->size, slot_align(s));
        s->footprint = fp;
        r->L += op->size;
        r->fp += fp;
        r->scope_live[op->scope] += op->size;
        r->scope_fp[op->scope] += fp;
        if (op->align_log2 < AB_ALIGN_CLASSES) {
            ab_align_class_stats *a = &r->align[op->align_log2];
            a->count++;
            a->requested_bytes += op->size;
            a->footprint_bytes += fp;
        }
        memory_track_peak(r, i + 1);
        return 0;
    }
    case AB_OP_FREE: {
        slot *s = &r->slots[op->id];
        size_t align = slot_align(s);
        if (guarded(r, s->size) && !guard_ok(op->id, s->ptr, s->size))
            return guard_failure(fail, i, op->id, s);
        void *const ptr = s->ptr;
        const size_t size = s->size;
        void (*const free_fn)(void *, size_t, size_t) =
            r->routes.sized_free[AB_OP_ENTRY(op)] ? f->free_sized : f->free;
        free_fn(ptr, size, align);
        r->live[op->id] = 0;
        unlink_slot(r, s);
        r->L -= s->size;
        r->fp -= s->footprint;
        r->scope_live[s->scope] -= s->size;
        r->scope_fp[s->scope] -= s->footprint;
        return 0;
    }
    case AB_OP_REALLOC: {
        slot *s = &r->slots[op->id];
        const size_t align = slot_align(s);
        const size_t check = ab_replay_check_align(s->plain ? AB_ROUTE_MALLOC : AB_ROUTE_ALIGNED,
                                                   (size_t)1 << s->align_log2, op->size);
        void *p;
        const int guard_old = guarded(r, s->size);
        uint64_t old_tag = guard_old ? guard_tag(op->id, s->ptr) : 0;
        if (guard_old && !guard_ok(op->id, s->ptr, s->size))
            return guard_failure(fail, i, op->id, s);
        void *const old_p = s->ptr;
        const size_t old_size = s->size, new_size = op->size;
        const uint32_t scope = s->scope;
        const unsigned caps = r->caps;
        p = ab_replay_realloc(f, caps, old_p, old_size, new_size, align, scope);
        if (p && new_size > old_size)
            ab_touch_block((char *)p + old_size, new_size - old_size, touch, 0);
        if (__builtin_expect(bad_pointer(p, op->size, check), 0))
            return pointer_failure(fail, i, "realloc", p, op->size, check);
        uint32_t old = s->size;
        if (guard_old && op->size >= 8 && memcmp(p, &old_tag, 8) != 0) {
            ab_replay_fail_at(fail, i,
                              "realloc of id %u from %u to %u bytes did not keep its content",
                              op->id, old, op->size);
            return -1;
        }
        s->ptr = p;
        s->size = op->size;
        if (guarded(r, op->size))
            guard_write(op->id, p, op->size);
        size_t fp = f->footprint(p, op->size, align);
        r->L = r->L - old + op->size;
        r->fp = r->fp - s->footprint + fp;
        r->scope_live[s->scope] = r->scope_live[s->scope] - old + op->size;
        r->scope_fp[s->scope] = r->scope_fp[s->scope] - s->footprint + fp;
        s->footprint = fp;
        memory_track_peak(r, i + 1);
        return 0;
    }
    case AB_OP_RESET: {
        const unsigned scope = op->scope;
        const int allocator_resets = (r->caps & AB_CAP_RESET) != 0;
        void (*const reset_fn)(uint32_t) = f->reset;
        if (allocator_resets && check_scope_guards(r, scope, i, fail) != 0)
            return -1;
        if (allocator_resets)
            reset_fn(scope);
        else if (free_scope_list(r, f, scope, i, fail) != 0)
            return -1;
        if (allocator_resets) {
            forget_scope(r, scope);
            r->L -= r->scope_live[scope];
            r->fp -= r->scope_fp[scope];
        }
        r->scope_live[scope] = 0;
        r->scope_fp[scope] = 0;
        return 0;
    }
    default: /* marks */
        return 0;
    }
}

static __attribute__((noinline)) int loop_memory(ab_replay *r, const ab_allocator *a, uint64_t from,
                                                 uint64_t to, ab_replay_failure *fail)
{
    const fns f = ab_replay_fns_of(a);
    const ab_op *ops = r->ops;
    for (uint64_t i = from; i < to; i++)
        if (__builtin_expect(memory_op(r, &f, &ops[i], i, fail), 0))
            return -1;
    return 0;
}

/* ---- end of a pass ---------------------------------------------------------------------- */

/* Release whatever the trace left live, so the next pass starts from an empty table. */
static void release_all(ab_replay *r, const ab_allocator *a)
{
    if (r->caps & AB_CAP_RESET) {
        for (size_t s = 0; s < r->nscopes; s++)
            if (r->scope_used[s])
                a->reset((uint32_t)s);
    } else {
        for (size_t id = 0; id < r->nslots; id++)
            if (r->live[id])
                a->free(r->slots[id].ptr, r->slots[id].size, slot_align(&r->slots[id]));
    }
    memset(r->live, 0, r->nslots);
    for (size_t s = 0; s < r->nscopes; s++) {
        r->heads[s] = NONE;
        r->scope_live[s] = r->scope_fp[s] = 0;
    }
    r->L = r->fp = 0;
}

/* ---- the passes ------------------------------------------------------------------------- */

static void checkpoint(ab_replay *r, const ab_allocator *a, uint64_t op, int64_t baseline)
{
    if (r->series_len >= r->series_cap)
        return;
    ab_checkpoint *c = &r->series[r->series_len++];
    c->op = op;
    c->live = r->L;
    int64_t anon = ab_memstat_anon_bytes(&r->mem);
    c->anon = anon < 0 ? 0 : anon - baseline;
    c->footprint = r->fp;
    c->alloc_active = -1;
    ab_alloc_stats st = {0};
    if (a->stats && a->stats(&st) == 0) {
        if (st.have & AB_STAT_ACTIVE)
            c->alloc_active = (int64_t)st.active;
        else if (st.have & AB_STAT_ALLOCATED)
            c->alloc_active = (int64_t)st.allocated;
    }
}

int ab_replay_memory_pass(ab_replay *r, const ab_allocator *a, ab_memory_result *out,
                          ab_replay_failure *fail)
{
    memset(out, 0, sizeof *out);
    memset(r->align, 0, sizeof r->align);
    r->L = r->fp = r->max_L = r->fp_at_max_L = 0;
    r->series_len = 0;
    r->next_peak_sample = 0;
    memset(&r->peak_sample, 0, sizeof r->peak_sample);
    r->peak_sample.anon = INT64_MIN;
    r->peak_sample.alloc_active = -1;
    uint64_t interval = (r->n + r->opts.checkpoints - 1) / r->opts.checkpoints;
    if (!interval)
        interval = 1;
    /* the trace's pages that validation and the scan mapped leave this process, and VmHWM starts
     * here: peak_rss is the pass's own (docs/measurement.md) */
    ab_trace_window_step(&r->win, 0);
    out->harness_peak_rss = ab_memstat_peak_rss();
    out->peak_rss_reset = ab_memstat_reset_peak() == 0;
    out->rss_file = ab_memstat_rss_file();
    int64_t baseline = ab_memstat_anon_bytes(&r->mem);
    if (baseline < 0) {
        ab_replay_fail_at(fail, UINT64_MAX, "cannot read /proc/self/statm");
        return -1;
    }
    r->baseline = baseline;
    checkpoint(r, a, 0, baseline);
    for (uint64_t from = 0; from < r->n; from += interval) {
        uint64_t to = from + interval < r->n ? from + interval : r->n;
        for (uint64_t at = from; at < to;) { /* untimed: the window steps inside the interval */
            uint64_t end = to < r->win.next ? to : r->win.next;
            if (loop_memory(r, a, at, end, fail) != 0)
                return -1;
            at = end;
            if (ab_trace_window_due(&r->win, at))
                ab_trace_window_step(&r->win, at);
        }
        checkpoint(r, a, to, baseline);
    }
    for (size_t id = 0; id < r->nslots; id++)
        if (r->live[id] && guarded(r, r->slots[id].size) &&
            !guard_ok((uint32_t)id, r->slots[id].ptr, r->slots[id].size))
            return guard_failure(fail, r->n, (uint32_t)id, &r->slots[id]);
    out->peak_rss = ab_memstat_peak_rss();
    out->max_live = r->max_L;
    out->footprint_at_max_live = r->fp_at_max_L;
    out->internal = ab_internal_frag(r->fp_at_max_L, r->max_L);
    int have_peak = r->peak_sample.anon != INT64_MIN;
    ab_frag_compute(r->series, r->series_len, have_peak ? &r->peak_sample : NULL, have_peak,
                    r->max_L, &out->frag);
    release_all(r, a);
    if (a->purge)
        a->purge();
    int64_t after = ab_memstat_anon_bytes(&r->mem);
    out->retained = after < 0 ? 0 : after - baseline;
    out->baseline = baseline;
    out->series = r->series;
    out->series_len = r->series_len;
    memcpy(out->align, r->align, sizeof out->align);
    return 0;
}
