/* replay.c: the replay engine (see replay.h): the id table, the three passes and the floor.
 *
 * One always-inline op body (do_op) serves every pass; the pass kind is a compile-time constant
 * in each of the three loops, so the batch loop carries no timing or accounting code. In the
 * per-op loop everything the call needs (pointer, size, alignment, scope) is loaded into
 * registers before the first TSC read (pin_args), so the fenced region holds the allocator call
 * and the touch rule's write of the block, and no harness bookkeeping (how this was checked in
 * the disassembly: docs/measurement.md).
 */
#include "harness/measure/replay.h"
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

/* One live (or dead) block of the trace, 32 bytes. Invariant: live == 1 exactly between the
 * alloc of this id and its free (or the release of its scope). With use_lists, and always in the
 * memory pass, a live slot is linked in the list of its scope (next/prev are ids, NONE ends). */
typedef struct slot {
    void *ptr;
    uint64_t footprint; /* memory pass only */
    uint32_t size;
    uint32_t next, prev;
    uint16_t scope;
    uint8_t align_log2; /* the alignment served (after lower_align) */
    uint8_t plain;      /* a block of the plain entries: freed with AB_ALIGN_PLAIN */
} slot;

/* The align argument of free, realloc and footprint for the block. */
static inline size_t slot_align(const slot *s)
{
    return s->plain ? AB_ALIGN_PLAIN : (size_t)1 << s->align_log2;
}

struct ab_replay {
    const ab_op *ops;
    uint64_t n;
    ab_replay_opts opts;
    unsigned caps;           /* the measured allocator's: decides reset and realloc handling */
    ab_replay_routes routes; /* the measured allocator's: how each entry point is called */
    int use_lists; /* the trace resets scopes and the allocator cannot release one itself */
    uint8_t served[64];
    ab_trace_scan scan;
    uint8_t size_present[AB_KINDS][AB_SIZE_CLASSES];
    uint8_t align_present[AB_ALIGN_CLASSES];

    slot *slots;
    uint8_t *live; /* per id */
    size_t nslots;
    uint32_t *heads;                 /* per scope */
    uint64_t *scope_live, *scope_fp; /* memory pass: per-scope L and Σfootprint */
    uint8_t *scope_used;
    size_t nscopes;
    void *map;
    size_t map_len;

    /* memory pass state */
    uint64_t L, fp, max_L, fp_at_max_L;
    uint64_t next_peak_sample; /* sample F when L reaches this (1 % above the last sample) */
    int64_t baseline;
    ab_checkpoint peak_sample; /* the highest F seen by those samples */
    ab_align_class_stats align[AB_ALIGN_CLASSES];
    ab_memstat mem;
    ab_checkpoint *series;
    size_t series_cap, series_len;
    uint64_t *batch_min; /* batch pass: each batch's fastest repetition, ticks */
    double *batch_tpo;   /* batch pass: that, per op */
    size_t nbatches;
    uint32_t *floor_ticks; /* per op: its fastest time against the null allocator (mapped at the
                            * first floor pass; n entries) */
    size_t floor_len;
    int have_floor;
    int rq_fd;           /* runqueue_wait.h: time other processes took this thread's CPU */
    ab_trace_window win; /* the trace streams through a bounded window (trace_io.h) */
    double ticks_per_ns; /* the TSC rate (ab_replay_set_tsc_hz); 0: unknown */
};

/* Where a per-op pass puts its samples. */
typedef struct perop_sink {
    ab_latency_set *raw, *net;
    uint32_t *floor; /* the per-op floor: written in floor mode, subtracted for `net` */
    int floor_mode;  /* 1: keep each op's minimum in floor[] */
    int first_floor; /* floor mode: the first pass (overwrite rather than take the minimum) */
    uint64_t ovh;    /* the empty-region cost, subtracted for `raw` */
    uint64_t dither; /* xorshift state for the dither before each region */
    /* the longest sample of the current chunk (see perop_run) */
    uint64_t chunk_max, chunk_op;
    unsigned chunk_kind;
} perop_sink;

enum pass_mode { MODE_PLAIN, MODE_MEMORY, MODE_PEROP };

typedef ab_replay_fns fns;

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

static __attribute__((format(printf, 3, 4))) void fail_at(ab_replay_failure *fail, uint64_t op,
                                                          const char *fmt, ...)
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
    r->nbatches = r->n / AB_REPLAY_BATCH + 1;
    size_t off_batches = off_series + r->series_cap * sizeof(ab_checkpoint);
    size_t off_batch_min = off_batches + r->nbatches * sizeof(double);
    r->map_len = off_batch_min + r->nbatches * sizeof(uint64_t);
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
    r->batch_tpo = (double *)(m + off_batches);
    r->batch_min = (uint64_t *)(m + off_batch_min);
    for (size_t s = 0; s < r->nscopes; s++)
        r->heads[s] = NONE;
    ab_trace_window_init(&r->win, t);
    scan_trace(r);
    r->use_lists = r->scan.has_reset && !(r->caps & AB_CAP_RESET);
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
    if (r->floor_ticks)
        ab_harness_unmap(r->floor_ticks, r->floor_len);
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

/* Run-queue wait so far in ns (0 when it cannot be read: nothing is then subtracted). */
static int64_t rq_wait(const ab_replay *r)
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

/* ---- the op body ------------------------------------------------------------------------ */

static inline __attribute__((always_inline)) void
add_sample(ab_latency_set *lat, unsigned kind, unsigned size_class, int align_class, int64_t v)
{
    uint64_t d = v > 0 ? (uint64_t)v : 0;
    lat->sum[kind] += v;
    lat->n[kind]++;
    ab_hist_add(lat->kind[kind], d);
    if (size_class < AB_SIZE_CLASSES && lat->size[kind][size_class])
        ab_hist_add(lat->size[kind][size_class], d);
    if (align_class >= 0 && lat->align[align_class])
        ab_hist_add(lat->align[align_class], d);
}

/* After the second TSC read: the sample of op i goes to the floor, the raw view, the net view. */
static inline __attribute__((always_inline)) void record(perop_sink *k, uint64_t i, unsigned kind,
                                                         unsigned size_class, int align_class,
                                                         uint64_t t0, uint64_t t1)
{
    uint64_t d = t1 - t0;
    if (d > k->chunk_max) {
        k->chunk_max = d;
        k->chunk_op = i;
        k->chunk_kind = kind;
    }
    if (k->floor_mode) {
        uint32_t v = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
        if (k->first_floor || v < k->floor[i])
            k->floor[i] = v;
    }
    if (k->raw)
        add_sample(k->raw, kind, size_class, align_class, (int64_t)d - (int64_t)k->ovh);
    if (k->net)
        add_sample(k->net, kind, size_class, align_class, (int64_t)d - (int64_t)k->floor[i]);
}

/* Forces the call's arguments into registers before the first TSC read, so no load of the
 * harness's tables lands inside the timed region. */
#define PIN_ARGS(...) __asm__ __volatile__("" ::__VA_ARGS__)

/* Dither: a random wait of 0-63 cycles (outside the region: the fenced read waits for it)
 * before each region. A clock that advances in steps of tens of ticks reads a region's
 * duration to within a step, and the error averages out of the means only when the region's
 * start falls at a random phase of the step; a replay loop whose period locks to the clock's
 * would otherwise bias every mean by up to a step. */
static inline __attribute__((always_inline)) void dither(perop_sink *k)
{
    uint64_t x = k->dither;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    k->dither = x;
    for (uint64_t n = x >> 58; n; n--)
        __asm__ __volatile__("" : "+r"(n));
}

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
        fail_at(fail, i, "%s of %zu bytes (alignment %zu) returned NULL", what, size, align);
    else
        fail_at(fail, i, "%s of %zu bytes returned %p, which is not aligned to %zu", what, size, p,
                align);
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
    fail_at(fail, i,
            "the live block of id %u (%u bytes at %p) was overwritten: the allocator handed out "
            "memory overlapping it",
            id, s->size, s->ptr);
    return -1;
}

/* Release every live block of a scope the harness way (one free each). */
static inline __attribute__((always_inline)) int free_scope_list(ab_replay *r, const fns *f,
                                                                 unsigned scope, uint64_t i,
                                                                 int mode, ab_replay_failure *fail)
{
    uint32_t id = r->heads[scope];
    while (id != NONE) {
        slot *s = &r->slots[id];
        uint32_t next = s->next;
        if (mode == MODE_MEMORY && guarded(r, s->size) && !guard_ok(id, s->ptr, s->size))
            return guard_failure(fail, i, id, s);
        f->free(s->ptr, s->size, slot_align(s));
        r->live[id] = 0;
        if (mode == MODE_MEMORY) {
            r->L -= s->size;
            r->fp -= s->footprint;
        }
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

static inline __attribute__((always_inline)) int do_op(ab_replay *r, const fns *f, const ab_op *op,
                                                       uint64_t i, const int mode, perop_sink *sink,
                                                       ab_replay_failure *fail)
{
    uint64_t t0 = 0, t1 = 0;
    const ab_touch touch = r->opts.touch;
    switch (op->kind) {
    case AB_OP_ALLOC: {
        slot *s = &r->slots[op->id];
        const unsigned al = r->served[op->align_log2];
        const size_t align = (size_t)1 << al, size = op->size;
        const uint32_t scope = op->scope;
        /* the entry point's route, and its function, chosen before the timed region */
        const unsigned route = r->routes.alloc[AB_OP_ENTRY(op)];
        const int zero = (op->flags & AB_OPF_ZERO) && route != AB_ROUTE_CALLOC;
        void *p;
        if (route == AB_ROUTE_ALIGNED) {
            void *(*const alloc_fn)(size_t, size_t, uint32_t) = f->alloc;
            if (mode == MODE_PEROP) {
                dither(sink);
                PIN_ARGS("r"(size), "r"(align), "r"(scope), "r"(zero), "r"(alloc_fn));
                t0 = ab_tsc_start();
            }
            p = alloc_fn(size, align, scope);
            ab_touch_block(p, size, touch, zero);
            if (mode == MODE_PEROP)
                t1 = ab_tsc_stop();
        } else {
            void *(*const plain_fn)(size_t, uint32_t) =
                route == AB_ROUTE_CALLOC ? f->calloc : f->malloc;
            if (mode == MODE_PEROP) {
                dither(sink);
                PIN_ARGS("r"(size), "r"(scope), "r"(zero), "r"(plain_fn));
                t0 = ab_tsc_start();
            }
            p = plain_fn(size, scope);
            ab_touch_block(p, size, touch, zero);
            if (mode == MODE_PEROP)
                t1 = ab_tsc_stop();
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
        if (r->use_lists || mode == MODE_MEMORY)
            link_slot(r, op->id, s);
        if (mode == MODE_MEMORY && guarded(r, op->size))
            guard_write(op->id, p, op->size);
        if (mode == MODE_PEROP)
            record(sink, i, AB_OP_ALLOC, ab_size_class(op->size),
                   op->align_log2 < AB_ALIGN_CLASSES ? op->align_log2 : -1, t0, t1);
        if (mode == MODE_MEMORY) {
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
        }
        return 0;
    }
    case AB_OP_FREE: {
        slot *s = &r->slots[op->id];
        size_t align = slot_align(s);
        if (mode == MODE_MEMORY && guarded(r, s->size) && !guard_ok(op->id, s->ptr, s->size))
            return guard_failure(fail, i, op->id, s);
        void *const ptr = s->ptr;
        const size_t size = s->size;
        void (*const free_fn)(void *, size_t, size_t) =
            r->routes.sized_free[AB_OP_ENTRY(op)] ? f->free_sized : f->free;
        if (mode == MODE_PEROP) {
            dither(sink);
            PIN_ARGS("r"(ptr), "r"(size), "r"(align), "r"(free_fn));
            t0 = ab_tsc_start();
        }
        free_fn(ptr, size, align);
        if (mode == MODE_PEROP)
            t1 = ab_tsc_stop();
        r->live[op->id] = 0;
        if (r->use_lists || mode == MODE_MEMORY)
            unlink_slot(r, s);
        if (mode == MODE_PEROP)
            record(sink, i, AB_OP_FREE, ab_size_class(s->size), -1, t0, t1);
        if (mode == MODE_MEMORY) {
            r->L -= s->size;
            r->fp -= s->footprint;
            r->scope_live[s->scope] -= s->size;
            r->scope_fp[s->scope] -= s->footprint;
        }
        return 0;
    }
    case AB_OP_REALLOC: {
        slot *s = &r->slots[op->id];
        const size_t align = slot_align(s);
        const size_t check = ab_replay_check_align(s->plain ? AB_ROUTE_MALLOC : AB_ROUTE_ALIGNED,
                                                   (size_t)1 << s->align_log2, op->size);
        void *p;
        const int guard_old = mode == MODE_MEMORY && guarded(r, s->size);
        uint64_t old_tag = guard_old ? guard_tag(op->id, s->ptr) : 0;
        if (guard_old && !guard_ok(op->id, s->ptr, s->size))
            return guard_failure(fail, i, op->id, s);
        void *const old_p = s->ptr;
        const size_t old_size = s->size, new_size = op->size;
        const uint32_t scope = s->scope;
        const unsigned caps = r->caps;
        if (mode == MODE_PEROP) {
            dither(sink);
            PIN_ARGS("r"(old_p), "r"(old_size), "r"(new_size), "r"(align), "r"(scope), "r"(caps));
            t0 = ab_tsc_start();
        }
        p = ab_replay_realloc(f, caps, old_p, old_size, new_size, align, scope);
        if (p && new_size > old_size)
            ab_touch_block((char *)p + old_size, new_size - old_size, touch, 0);
        if (mode == MODE_PEROP)
            t1 = ab_tsc_stop();
        if (__builtin_expect(bad_pointer(p, op->size, check), 0))
            return pointer_failure(fail, i, "realloc", p, op->size, check);
        uint32_t old = s->size;
        if (guard_old && op->size >= 8 && memcmp(p, &old_tag, 8) != 0) {
            fail_at(fail, i, "realloc of id %u from %u to %u bytes did not keep its content",
                    op->id, old, op->size);
            return -1;
        }
        s->ptr = p;
        s->size = op->size;
        if (mode == MODE_MEMORY && guarded(r, op->size))
            guard_write(op->id, p, op->size);
        if (mode == MODE_PEROP)
            record(sink, i, AB_OP_REALLOC, ab_size_class(op->size), -1, t0, t1);
        if (mode == MODE_MEMORY) {
            size_t fp = f->footprint(p, op->size, align);
            r->L = r->L - old + op->size;
            r->fp = r->fp - s->footprint + fp;
            r->scope_live[s->scope] = r->scope_live[s->scope] - old + op->size;
            r->scope_fp[s->scope] = r->scope_fp[s->scope] - s->footprint + fp;
            s->footprint = fp;
            memory_track_peak(r, i + 1);
        }
        return 0;
    }
    case AB_OP_RESET: {
        const unsigned scope = op->scope;
        const int allocator_resets = (r->caps & AB_CAP_RESET) != 0;
        void (*const reset_fn)(uint32_t) = f->reset;
        if (mode == MODE_MEMORY && allocator_resets && check_scope_guards(r, scope, i, fail) != 0)
            return -1;
        if (mode == MODE_PEROP) {
            dither(sink);
            PIN_ARGS("r"(scope), "r"(allocator_resets), "r"(reset_fn));
            t0 = ab_tsc_start();
        }
        if (allocator_resets)
            reset_fn(scope);
        else if (free_scope_list(r, f, scope, i, mode, fail) != 0)
            return -1;
        if (mode == MODE_PEROP)
            t1 = ab_tsc_stop();
        if (mode == MODE_MEMORY && (r->caps & AB_CAP_RESET))
            forget_scope(r, scope);
        if (mode == MODE_PEROP)
            record(sink, i, AB_OP_RESET, AB_SIZE_CLASSES, -1, t0, t1);
        if (mode == MODE_MEMORY && (r->caps & AB_CAP_RESET)) {
            r->L -= r->scope_live[scope];
            r->fp -= r->scope_fp[scope];
        }
        if (mode == MODE_MEMORY) {
            r->scope_live[scope] = 0;
            r->scope_fp[scope] = 0;
        }
        return 0;
    }
    default: /* marks */
        return 0;
    }
}

/* The three loops: the same body, the pass kind a constant. */
#define DEFINE_LOOP(fname, MODE)                                                                   \
    static __attribute__((noinline)) int fname(ab_replay *r, const ab_allocator *a, uint64_t from, \
                                               uint64_t to, perop_sink *sink,                      \
                                               ab_replay_failure *fail)                            \
    {                                                                                              \
        const fns f = ab_replay_fns_of(a);                                                         \
        const ab_op *ops = r->ops;                                                                 \
        for (uint64_t i = from; i < to; i++)                                                       \
            if (__builtin_expect(do_op(r, &f, &ops[i], i, MODE, sink, fail), 0))                   \
                return -1;                                                                         \
        return 0;                                                                                  \
    }
DEFINE_LOOP(loop_plain, MODE_PLAIN)
DEFINE_LOOP(loop_memory, MODE_MEMORY)
DEFINE_LOOP(loop_perop, MODE_PEROP)

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
    out->peak_rss_reset = ab_memstat_reset_peak() == 0;
    out->rss_file = ab_memstat_rss_file();
    int64_t baseline = ab_memstat_anon_bytes(&r->mem);
    if (baseline < 0) {
        fail_at(fail, UINT64_MAX, "cannot read /proc/self/statm");
        return -1;
    }
    r->baseline = baseline;
    checkpoint(r, a, 0, baseline);
    for (uint64_t from = 0; from < r->n; from += interval) {
        uint64_t to = from + interval < r->n ? from + interval : r->n;
        for (uint64_t at = from; at < to;) { /* untimed: the window steps inside the interval */
            uint64_t end = to < r->win.next ? to : r->win.next;
            if (loop_memory(r, a, at, end, NULL, fail) != 0)
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

int ab_replay_batch_pass(ab_replay *r, const ab_allocator *a, unsigned reps, ab_pass_result *out,
                         ab_replay_failure *fail)
{
    memset(out, 0, sizeof *out);
    if (!reps)
        reps = 1;
    size_t nb = (size_t)((r->n + AB_REPLAY_BATCH - 1) / AB_REPLAY_BATCH);
    double total = 0; /* every tick of every whole repetition */
    int64_t stolen = 0;
    double cycles = 0, cpt_sum = 0;
    for (unsigned rep = 0; rep < reps; rep++) {
        ab_trace_window_step(&r->win, 0);
        double cpt0 = ab_cpu_cycles_per_tick();
        int64_t wait0 = rq_wait(r);
        uint64_t start = ab_tsc_start(), prev = start;
        size_t b = 0;
        for (uint64_t from = 0; from < r->n; from += AB_REPLAY_BATCH, b++) {
            uint64_t to = from + AB_REPLAY_BATCH < r->n ? from + AB_REPLAY_BATCH : r->n;
            if (loop_plain(r, a, from, to, NULL, fail) != 0)
                return -1;
            uint64_t now = ab_tsc_start();
            if (rep == 0 || now - prev < r->batch_min[b])
                r->batch_min[b] = now - prev;
            prev = now;
            if (ab_trace_window_due(&r->win, to)) { /* not timed: the repetition skips it */
                ab_trace_window_step(&r->win, to);
                prev = ab_tsc_start();
                start += prev - now;
            }
        }
        total += (double)(prev - start);
        int64_t rep_stolen = rq_wait(r) - wait0;
        stolen += rep_stolen;
        /* the core's clock rate during the repetition: the mean of the probes around it */
        double cpt = (cpt0 + ab_cpu_cycles_per_tick()) / 2;
        double ticks = (double)(prev - start) - (double)rep_stolen * r->ticks_per_ns;
        cycles += (ticks > 0 ? ticks : 0) * cpt;
        cpt_sum += cpt;
        if (rep == 0 || prev - start < out->ticks_min_rep)
            out->ticks_min_rep = prev - start;
        release_all(r, a);
    }
    out->ops = r->scan.timed_ops;
    out->reps = reps;
    out->ticks = (uint64_t)(total / reps);
    out->stolen_ns = (uint64_t)(stolen / reps);
    out->cycles = cycles / reps;
    out->cycles_per_tick = cpt_sum / reps;
    /* diagnostics: the sum of minima, and the median of per-op minima (marks are not ops) */
    size_t kept = 0;
    for (size_t i = 0; i < nb; i++) {
        out->ticks_minbatch += r->batch_min[i];
        uint64_t from = i * (uint64_t)AB_REPLAY_BATCH, ops = 0;
        uint64_t to = from + AB_REPLAY_BATCH < r->n ? from + AB_REPLAY_BATCH : r->n;
        if (ab_trace_window_due(&r->win, from))
            ab_trace_window_step(&r->win, from);
        for (uint64_t k = from; k < to; k++)
            ops += ab_op_is_timed(&r->ops[k]);
        if (ops)
            r->batch_tpo[kept++] = (double)r->batch_min[i] / (double)ops;
    }
    ab_sort_double(r->batch_tpo, kept); /* qsort would malloc: the allocator under test */
    out->batches = kept;
    out->median_batch_ticks_per_op = kept ? r->batch_tpo[kept / 2] : 0;
    return 0;
}

static void shorten_sample(ab_latency_set *set, unsigned kind, int64_t by)
{
    if (set)
        set->sum[kind] -= by;
}

/* The per-op pass in chunks of PEROP_CHUNK ops. When another process took the CPU during a
 * chunk (run-queue wait grew by D), and the chunk's longest sample is at least D long, the
 * preemption landed inside that timed region: the per-kind means count that sample as D
 * shorter (otherwise it fell between regions and no sample holds it). The histograms keep the
 * sample as measured: percentiles are robust to a few of them, and max shows them. An
 * allocator's own pauses are on-CPU time or sleep, never run-queue wait, so they all stay.
 * out->preempted counts the shortened samples, out->stolen_ns the wait. */
#define PEROP_CHUNK 256u
static int perop_run(ab_replay *r, const ab_allocator *a, perop_sink *sink, ab_pass_result *out,
                     ab_replay_failure *fail)
{
    memset(out, 0, sizeof *out);
    ab_trace_window_step(&r->win, 0);
    uint64_t start = ab_tsc_start();
    int64_t wait = rq_wait(r), stolen = 0;
    for (uint64_t from = 0; from < r->n; from += PEROP_CHUNK) {
        uint64_t to = from + PEROP_CHUNK < r->n ? from + PEROP_CHUNK : r->n;
        sink->chunk_max = 0;
        if (loop_perop(r, a, from, to, sink, fail) != 0)
            return -1;
        int64_t now = rq_wait(r);
        int64_t d_ticks = (int64_t)((double)(now - wait) * r->ticks_per_ns);
        if (d_ticks > 0 && sink->chunk_max >= (uint64_t)d_ticks) {
            shorten_sample(sink->raw, sink->chunk_kind, d_ticks);
            shorten_sample(sink->net, sink->chunk_kind, d_ticks);
            if (sink->floor_mode) { /* or every net sample of that op would be off by it */
                uint32_t *f = &sink->floor[sink->chunk_op];
                *f -= (uint64_t)d_ticks < *f ? (uint32_t)d_ticks : *f;
            }
            out->preempted++;
        }
        stolen += now - wait;
        wait = now;
        if (ab_trace_window_due(&r->win, to)) /* between timed regions */
            ab_trace_window_step(&r->win, to);
    }
    out->stolen_ns = (uint64_t)stolen;
    out->ticks = ab_tsc_stop() - start;
    out->ops = r->scan.timed_ops;
    out->reps = 1;
    release_all(r, a);
    return 0;
}

int ab_replay_perop_floor_pass(ab_replay *r, const ab_allocator *null_alloc, unsigned passes,
                               uint64_t empty_region_ticks, ab_latency_set *set,
                               ab_pass_result *out, ab_replay_failure *fail)
{
    if (!r->floor_ticks) {
        r->floor_len = (r->n ? r->n : 1) * sizeof(uint32_t);
        r->floor_ticks = ab_harness_map(r->floor_len, 1);
        if (!r->floor_ticks) {
            fail_at(fail, UINT64_MAX, "cannot map the per-op floor (%" PRIu64 " ops)", r->n);
            return -1;
        }
    }
    r->have_floor = 0;
    for (unsigned k = 0; k < (passes ? passes : 1); k++) {
        perop_sink sink = {.raw = k == 0 ? set : NULL,
                           .floor = r->floor_ticks,
                           .floor_mode = 1,
                           .first_floor = k == 0,
                           .ovh = empty_region_ticks,
                           .dither = 0x9E3779B97F4A7C15ull};
        if (perop_run(r, null_alloc, &sink, out, fail) != 0)
            return -1;
    }
    r->have_floor = 1;
    return 0;
}

int ab_replay_perop_pass(ab_replay *r, const ab_allocator *a, uint64_t empty_region_ticks,
                         ab_latency_set *raw, ab_latency_set *net, ab_pass_result *out,
                         ab_replay_failure *fail)
{
    if (net && !r->have_floor) {
        fail_at(fail, UINT64_MAX, "a net per-op pass needs the per-op floor pass first");
        return -1;
    }
    perop_sink sink = {.raw = raw,
                       .net = net,
                       .floor = r->floor_ticks,
                       .ovh = empty_region_ticks,
                       .dither = 0x9E3779B97F4A7C15ull};
    return perop_run(r, a, &sink, out, fail);
}
