/* replay_timed.c: the timed passes (batch, per-op, the per-op floor) over the decoded op stream.
 *
 * Each pass walks the trace window by window (op_stream.h): a window is decoded outside every
 * timed region, then replayed by one loop over its ab_dop records. The loop (run_dops) is one
 * always-inline body with two compile-time constants, the touch rule and whether each op is
 * timed (per-op) or not (batch: the caller reads the clock around a whole batch, or not at all
 * for ab_replay_count_pass, which counts instructions instead), so the batch loop holds the
 * allocator call, the touch, the pointer check and one store per op, and nothing else. In the
 * per-op loop everything the call needs is in registers before the first TSC read (PIN_ARGS), so
 * the fenced region holds the call and the touch rule's write of the block.
 *
 * The per-op floor (each op's fastest time against the null allocator) is kept for one window;
 * when the trace takes more than one, each window's floor goes to an unlinked temporary file
 * after the floor pass replayed it and comes back before the per-op pass replays it (pread and
 * pwrite between windows, outside the timed regions).
 */
#include "harness/common/error_message.h"
#include "harness/measure/memstat.h"
#include "harness/measure/replay_state.h"
#include "harness/measure/replay_touch.h"
#include "harness/measure/sort_inplace.h"
#include "harness/measure/timer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where a per-op pass puts its samples. */
typedef struct perop_sink {
    ab_latency_set *raw, *net;
    uint32_t *floor; /* the per-op floor of the window, by dop: written in floor mode, subtracted
                      * for `net` */
    int floor_mode;  /* 1: keep each op's minimum in floor[] */
    int first_floor; /* floor mode: the first pass (overwrite rather than take the minimum) */
    uint64_t ovh;    /* the empty-region cost, subtracted for `raw` */
    uint64_t dither; /* xorshift state for the dither before each region */
    /* the longest sample of the current chunk (see perop_run) */
    uint64_t chunk_max, chunk_op;
    unsigned chunk_kind;
} perop_sink;

/* ---- set-up ------------------------------------------------------------------------------ */

/* Maps the timed passes' state at the first timed pass; 0, or -1 with *fail. */
static int timed_init(ab_replay *r, ab_replay_failure *fail)
{
    if (r->tmap)
        return 0;
    char err[200];
    if (ab_op_stream_init(&r->st, r->trace, &r->routes, r->served, r->use_lists, err, sizeof err) !=
        0) {
        ab_replay_fail_at(fail, UINT64_MAX, "%s", err);
        return -1;
    }
    /* batches: every one but the last of a window holds AB_REPLAY_BATCH dops, and every window
     * but the last holds at least half its capacity (op_stream.c) */
    uint64_t dops = r->n + r->scan.count[AB_OP_ALLOC]; /* list frees: at most one per alloc */
    r->nbatches = dops / AB_REPLAY_BATCH + 2 * dops / r->st.cap + 2;
    size_t off_min = ((r->nslots * sizeof(void *)) + 63) & ~(size_t)63;
    size_t off_tpo = off_min + r->nbatches * sizeof(uint64_t);
    size_t off_ops = off_tpo + r->nbatches * sizeof(double);
    size_t off_floor = (off_ops + r->nbatches * sizeof(uint32_t) + 63) & ~(size_t)63;
    r->tmap_len = off_floor + (size_t)r->st.cap * sizeof(uint32_t);
    char *m = ab_harness_map(r->tmap_len, 1);
    if (!m) {
        ab_replay_fail_at(fail, UINT64_MAX,
                          "cannot map the timed passes' tables (%zu ids, %zu batches)", r->nslots,
                          r->nbatches);
        return -1;
    }
    r->tmap = m;
    r->ptrs = (void **)m;
    r->batch_min = (uint64_t *)(m + off_min);
    r->batch_tpo = (double *)(m + off_tpo);
    r->batch_ops = (uint32_t *)(m + off_ops);
    r->floor_win = (uint32_t *)(m + off_floor);
    return 0;
}

uint64_t ab_replay_timed_bytes(const ab_replay *r)
{
    return r->tmap ? (uint64_t)r->tmap_len + r->st.mem_len : 0;
}

void ab_replay_timed_fini(ab_replay *r)
{
    ab_op_stream_fini(&r->st);
    if (r->tmap)
        ab_harness_unmap(r->tmap, r->tmap_len);
    r->tmap = NULL;
    if (r->floor_fd >= 0)
        close(r->floor_fd);
    r->floor_fd = -1;
}

/* Whatever the trace left live, released after the last window (not timed). */
static void release_timed(ab_replay *r, const ab_allocator *a)
{
    if (r->caps & AB_CAP_RESET) {
        for (size_t s = 0; s < r->nscopes; s++)
            if (r->scope_used[s])
                a->reset((uint32_t)s);
        return;
    }
    for (uint32_t id = 0; id < r->nslots; id++)
        if (ab_op_stream_live(&r->st, id))
            a->free(r->ptrs[id], ab_op_stream_size(&r->st, id), ab_op_stream_align(&r->st, id));
}

/* ---- the loop ---------------------------------------------------------------------------- */

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

/* After the second TSC read: the sample of dop k goes to the floor, the raw view, the net view. */
static inline __attribute__((always_inline)) void record(perop_sink *s, uint32_t k, unsigned kind,
                                                         unsigned size_class, int align_class,
                                                         uint64_t t0, uint64_t t1)
{
    uint64_t d = t1 - t0;
    if (d > s->chunk_max) {
        s->chunk_max = d;
        s->chunk_op = k;
        s->chunk_kind = kind;
    }
    if (s->floor_mode) {
        uint32_t v = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
        if (s->first_floor || v < s->floor[k])
            s->floor[k] = v;
    }
    if (s->raw)
        add_sample(s->raw, kind, size_class, align_class, (int64_t)d - (int64_t)s->ovh);
    if (s->net)
        add_sample(s->net, kind, size_class, align_class, (int64_t)d - (int64_t)s->floor[k]);
}

/* Forces the call's arguments into registers before the first TSC read, so no load of the
 * harness's tables lands inside the timed region. */
#define PIN_ARGS(...) __asm__ __volatile__("" ::__VA_ARGS__)

/* Dither: a random wait of 0-63 cycles (outside the region: the fenced read waits for it)
 * before each region. A clock that advances in steps of tens of ticks reads a region's
 * duration to within a step, and the error averages out of the means only when the region's
 * start falls at a random phase of the step; a replay loop whose period locks to the clock's
 * would otherwise bias every mean by up to a step. */
static inline __attribute__((always_inline)) void dither(perop_sink *s)
{
    uint64_t x = s->dither;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s->dither = x;
    for (uint64_t n = x >> 58; n; n--)
        __asm__ __volatile__("" : "+r"(n));
}

static inline __attribute__((always_inline)) int bad_pointer(const void *p, size_t size,
                                                             unsigned check_log2)
{
    return ((uintptr_t)p & (((uintptr_t)1 << check_log2) - 1)) != 0 || (!p && size);
}

static __attribute__((noinline, cold)) int pointer_failure(const ab_replay *r, uint32_t k,
                                                           ab_replay_failure *fail)
{
    const ab_dop *d = &r->st.dop[k];
    const char *what = d->code == AB_DOP_REALLOC                                 ? "realloc"
                       : d->code == AB_DOP_ALLOC || d->code == AB_DOP_ALLOC_ZERO ? "alloc"
                                                                                 : "plain alloc";
    void *p = r->ptrs[d->id];
    size_t align =
        d->code == AB_DOP_REALLOC
            ? ab_replay_check_align((d->al & AB_DOP_PLAIN) ? AB_ROUTE_MALLOC : AB_ROUTE_ALIGNED,
                                    (size_t)1 << (d->al & ~AB_DOP_PLAIN), d->size)
            : (size_t)1 << (d->aux & 0xFFu);
    uint64_t i = ab_op_stream_trace_index(&r->st, k);
    if (!p)
        ab_replay_fail_at(fail, i, "%s of %u bytes (alignment %zu) returned NULL", what, d->size,
                          align);
    else
        ab_replay_fail_at(fail, i, "%s of %u bytes returned %p, which is not aligned to %zu", what,
                          d->size, p, align);
    return -1;
}

/* An alloc through one of the three alloc entries; zero: the harness clears the block. k: the
 * dop's index (per-op samples). Returns nonzero when the pointer fails its check. */
static inline __attribute__((always_inline)) int
alloc_op(void **ptrs, const ab_replay_fns *f, const ab_dop *d, uint32_t k, const unsigned entry,
         const int zero, const ab_touch touch, const int perop, perop_sink *sink)
{
    const size_t size = d->size, align = (size_t)1 << d->al;
    const uint32_t scope = d->scope;
    uint64_t t0 = 0, t1 = 0;
    void *p;
    if (entry == AB_ROUTE_ALIGNED) {
        void *(*const fn)(size_t, size_t, uint32_t) = f->alloc;
        if (perop) {
            dither(sink);
            PIN_ARGS("r"(size), "r"(align), "r"(scope), "r"(fn));
            t0 = ab_tsc_start();
        }
        p = fn(size, align, scope);
    } else {
        void *(*const fn)(size_t, uint32_t) = entry == AB_ROUTE_CALLOC ? f->calloc : f->malloc;
        if (perop) {
            dither(sink);
            PIN_ARGS("r"(size), "r"(scope), "r"(fn));
            t0 = ab_tsc_start();
        }
        p = fn(size, scope);
    }
    ab_touch_block(p, size, touch, zero);
    if (perop)
        t1 = ab_tsc_stop();
    ptrs[d->id] = p;
    if (__builtin_expect(bad_pointer(p, size, d->aux & 0xFFu), 0))
        return 1;
    if (perop) {
        unsigned ac = d->aux >> 8;
        record(sink, k, AB_OP_ALLOC, ab_size_class(size), ac < AB_ALIGN_CLASSES ? (int)ac : -1, t0,
               t1);
    }
    return 0;
}

/* Replays dops [k, to) of the window (a reset's list may take it past `to`); *stop: where it
 * stopped (the failing dop on -1). The loop walks the records by pointer, so what it keeps across
 * the allocator's calls fits the callee-saved registers. */
static inline __attribute__((always_inline)) int run_dops(ab_replay *r, const ab_replay_fns *f,
                                                          uint32_t k, uint32_t to, uint32_t *stop,
                                                          const ab_touch touch, const int perop,
                                                          perop_sink *sink)
{
    const ab_dop *const dop = r->st.dop;
    const ab_dop *d = dop + k, *const end = dop + to;
    void **const ptrs = r->ptrs;
#define AT ((uint32_t)(d - dop)) /* the current dop's index */
    for (; d < end; d++) {
        uint64_t t0 = 0, t1 = 0;
        switch (d->code) {
        case AB_DOP_ALLOC:
            if (alloc_op(ptrs, f, d, AT, AB_ROUTE_ALIGNED, 0, touch, perop, sink))
                goto bad;
            break;
        case AB_DOP_ALLOC_ZERO:
            if (alloc_op(ptrs, f, d, AT, AB_ROUTE_ALIGNED, 1, touch, perop, sink))
                goto bad;
            break;
        case AB_DOP_MALLOC:
            if (alloc_op(ptrs, f, d, AT, AB_ROUTE_MALLOC, 0, touch, perop, sink))
                goto bad;
            break;
        case AB_DOP_MALLOC_ZERO:
            if (alloc_op(ptrs, f, d, AT, AB_ROUTE_MALLOC, 1, touch, perop, sink))
                goto bad;
            break;
        case AB_DOP_CALLOC:
            if (alloc_op(ptrs, f, d, AT, AB_ROUTE_CALLOC, 0, touch, perop, sink))
                goto bad;
            break;
        case AB_DOP_FREE:
        case AB_DOP_FREE_SIZED: {
            void *const ptr = ptrs[d->id];
            const size_t size = d->size, align = ab_dop_align(d->al);
            void (*const fn)(void *, size_t, size_t) =
                d->code == AB_DOP_FREE_SIZED ? f->free_sized : f->free;
            if (perop) {
                dither(sink);
                PIN_ARGS("r"(ptr), "r"(size), "r"(align), "r"(fn));
                t0 = ab_tsc_start();
            }
            fn(ptr, size, align);
            if (perop) {
                t1 = ab_tsc_stop();
                record(sink, AT, AB_OP_FREE, ab_size_class(size), -1, t0, t1);
            }
            break;
        }
        case AB_DOP_REALLOC: {
            void *const old_p = ptrs[d->id];
            const size_t old_size = d->aux, new_size = d->size, align = ab_dop_align(d->al);
            const uint32_t scope = d->scope;
            const unsigned caps = r->caps;
            if (perop) {
                dither(sink);
                PIN_ARGS("r"(old_p), "r"(old_size), "r"(new_size), "r"(align), "r"(scope));
                t0 = ab_tsc_start();
            }
            void *p = ab_replay_realloc(f, caps, old_p, old_size, new_size, align, scope);
            if (p && new_size > old_size)
                ab_touch_block((char *)p + old_size, new_size - old_size, touch, 0);
            if (perop)
                t1 = ab_tsc_stop();
            ptrs[d->id] = p;
            const size_t check =
                ab_replay_check_align((d->al & AB_DOP_PLAIN) ? AB_ROUTE_MALLOC : AB_ROUTE_ALIGNED,
                                      (size_t)1 << (d->al & ~AB_DOP_PLAIN), new_size);
            if (__builtin_expect(bad_pointer(p, new_size, (unsigned)__builtin_ctzll(check)), 0))
                goto bad;
            if (perop)
                record(sink, AT, AB_OP_REALLOC, ab_size_class(new_size), -1, t0, t1);
            break;
        }
        case AB_DOP_RESET: {
            const uint32_t scope = d->scope;
            void (*const fn)(uint32_t) = f->reset;
            if (perop) {
                dither(sink);
                PIN_ARGS("r"(scope), "r"(fn));
                t0 = ab_tsc_start();
            }
            fn(scope);
            if (perop) {
                t1 = ab_tsc_stop();
                record(sink, AT, AB_OP_RESET, AB_SIZE_CLASSES, -1, t0, t1);
            }
            break;
        }
        case AB_DOP_RESET_LIST: {
            const uint32_t n = d->aux;
            void (*const fn)(void *, size_t, size_t) = f->free;
            if (perop) {
                dither(sink);
                PIN_ARGS("r"(n), "r"(fn));
                t0 = ab_tsc_start();
            }
            for (uint32_t j = 1; j <= n; j++)
                fn(ptrs[d[j].id], d[j].size, ab_dop_align(d[j].al));
            if (perop) {
                t1 = ab_tsc_stop();
                record(sink, AT, AB_OP_RESET, AB_SIZE_CLASSES, -1, t0, t1);
            }
            d += n;
            break;
        }
        default: /* AB_DOP_LIST_FREE: never reached, its reset takes it */
            break;
        }
    }
    *stop = AT;
    return 0;
bad:
    *stop = AT;
    return -1;
#undef AT
}

/* The six loops: the same body, touch and timing constants. */
#define DEFINE_LOOP(fname, TOUCH, PEROP)                                                           \
    static __attribute__((noinline)) int fname(ab_replay *r, const ab_replay_fns *f, uint32_t k,   \
                                               uint32_t to, uint32_t *stop, perop_sink *sink)      \
    {                                                                                              \
        return run_dops(r, f, k, to, stop, TOUCH, PEROP, sink);                                    \
    }
DEFINE_LOOP(batch_none, AB_TOUCH_NONE, 0)
DEFINE_LOOP(batch_first, AB_TOUCH_FIRST, 0)
DEFINE_LOOP(batch_all, AB_TOUCH_ALL, 0)
DEFINE_LOOP(perop_none, AB_TOUCH_NONE, 1)
DEFINE_LOOP(perop_first, AB_TOUCH_FIRST, 1)
DEFINE_LOOP(perop_all, AB_TOUCH_ALL, 1)

typedef int (*loop_fn)(ab_replay *, const ab_replay_fns *, uint32_t, uint32_t, uint32_t *,
                       perop_sink *);

static loop_fn loop_of(const ab_replay *r, int perop)
{
    static const loop_fn loops[2][3] = {{batch_none, batch_first, batch_all},
                                        {perop_none, perop_first, perop_all}};
    return loops[perop][r->opts.touch <= AB_TOUCH_ALL ? r->opts.touch : AB_TOUCH_ALL];
}

/* ---- the batch pass ---------------------------------------------------------------------- */

/* Timed ops among dops [k, stop) (untimed bookkeeping: after the batch's clock read). */
static uint32_t ops_in(const ab_replay *r, uint32_t k, uint32_t stop)
{
    uint32_t n = 0;
    for (; k < stop; k++)
        n += ab_dop_is_op(&r->st.dop[k]);
    return n;
}

/* One repetition of the whole trace; with `timed`, a clock read around each batch (the batch
 * minima kept; first: the first repetition), the repetition's time in *ticks and the run-queue
 * wait in *stolen. Both span each window's replay from just before the first run-queue read to
 * just after the last one, so a preemption the kernel delivers on the way out of that read is in
 * both; the bookkeeping of the first repetition (each batch's op count) is taken off the time.
 * Untimed, `count` (optional) is switched on around each window's replay, as the clock would
 * be. */
static inline __attribute__((always_inline)) int
batch_rep(ab_replay *r, const ab_allocator *a, const int timed, int first, uint64_t *ticks,
          int64_t *stolen, ab_icount *count, ab_replay_failure *fail)
{
    const ab_replay_fns f = ab_replay_fns_of(a);
    const loop_fn loop = loop_of(r, 0);
    uint64_t total = 0;
    int64_t wait = 0;
    size_t b = 0;
    ab_op_stream_rewind(&r->st);
    while (ab_op_stream_next(&r->st)) { /* decoding: not timed */
        const uint32_t len = r->st.len;
        uint64_t w_start = timed ? ab_tsc_start() : 0, skipped = 0;
        int64_t wait0 = timed ? ab_replay_rq_wait(r) : 0;
        if (!timed && count)
            ab_icount_on(count);
        for (uint32_t k = 0; k < len;) {
            uint32_t to = len - k > AB_REPLAY_BATCH ? k + AB_REPLAY_BATCH : len, stop;
            uint64_t t0 = timed ? ab_tsc_start() : 0;
            int rc = loop(r, &f, k, to, &stop, NULL);
            uint64_t t1 = timed ? ab_tsc_stop() : 0;
            if (__builtin_expect(rc, 0)) {
                if (!timed && count)
                    ab_icount_off(count);
                return pointer_failure(r, stop, fail);
            }
            if (timed && b < r->nbatches) {
                uint64_t d = t1 - t0;
                if (first || d < r->batch_min[b])
                    r->batch_min[b] = d;
                if (first) {
                    r->batch_ops[b] = ops_in(r, k, stop);
                    skipped += ab_tsc_stop() - t1;
                }
            }
            b += timed;
            k = stop;
        }
        if (timed) {
            wait += ab_replay_rq_wait(r) - wait0;
            total += ab_tsc_stop() - w_start - skipped;
        }
        if (!timed && count)
            ab_icount_off(count);
    }
    if (timed) {
        *ticks = total;
        *stolen = wait;
        r->nbatches_used = b < r->nbatches ? b : r->nbatches;
    }
    release_timed(r, a);
    return 0;
}

int ab_replay_batch_pass(ab_replay *r, const ab_allocator *a, unsigned reps, ab_pass_result *out,
                         ab_replay_failure *fail)
{
    memset(out, 0, sizeof *out);
    if (timed_init(r, fail) != 0)
        return -1;
    if (!reps)
        reps = 1;
    double total = 0; /* every tick of every whole repetition */
    int64_t stolen = 0;
    double cycles = 0, cpt_sum = 0;
    for (unsigned rep = 0; rep < reps; rep++) {
        double cpt0 = ab_cpu_cycles_per_tick();
        uint64_t ticks = 0;
        int64_t rep_stolen = 0;
        if (batch_rep(r, a, 1, rep == 0, &ticks, &rep_stolen, NULL, fail) != 0)
            return -1;
        total += (double)ticks;
        stolen += rep_stolen;
        /* the core's clock rate during the repetition: the mean of the probes around it */
        double cpt = (cpt0 + ab_cpu_cycles_per_tick()) / 2;
        double net = (double)ticks - (double)rep_stolen * r->ticks_per_ns;
        cycles += (net > 0 ? net : 0) * cpt;
        cpt_sum += cpt;
        if (rep == 0 || ticks < out->ticks_min_rep)
            out->ticks_min_rep = ticks;
    }
    out->ops = r->scan.timed_ops;
    out->reps = reps;
    out->ticks = (uint64_t)(total / reps);
    out->stolen_ns = (uint64_t)(stolen / reps);
    out->cycles = cycles / reps;
    out->cycles_per_tick = cpt_sum / reps;
    /* diagnostics: the sum of minima, and the median of per-op minima */
    size_t kept = 0;
    for (size_t i = 0; i < r->nbatches_used; i++) {
        out->ticks_minbatch += r->batch_min[i];
        if (r->batch_ops[i])
            r->batch_tpo[kept++] = (double)r->batch_min[i] / (double)r->batch_ops[i];
    }
    ab_sort_double(r->batch_tpo, kept); /* qsort would malloc: the allocator under test */
    out->batches = kept;
    out->median_batch_ticks_per_op = kept ? r->batch_tpo[kept / 2] : 0;
    return 0;
}

int ab_replay_count_pass(ab_replay *r, const ab_allocator *a, ab_icount *count,
                         ab_replay_failure *fail)
{
    if (timed_init(r, fail) != 0)
        return -1;
    if (count)
        ab_icount_reset(count);
    return batch_rep(r, a, 0, 0, NULL, NULL, count, fail);
}

/* ---- the per-op passes ------------------------------------------------------------------- */

/* The floor of the windows but the current one lives in a temporary file (unlinked). */
static int floor_file(ab_replay *r, ab_replay_failure *fail)
{
    if (r->floor_fd >= 0)
        return 0;
    const char *dirs[] = {getenv("TMPDIR"), "/var/tmp", "/tmp"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && r->floor_fd < 0; i++)
        if (dirs[i] && dirs[i][0])
            r->floor_fd = open(dirs[i], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (r->floor_fd < 0) {
        ab_replay_fail_at(fail, UINT64_MAX,
                          "cannot create the per-op floor's temporary file in $TMPDIR, /var/tmp "
                          "or /tmp: %s",
                          strerror(errno));
        return -1;
    }
    return 0;
}

/* Moves the window's floor to (save) or from the file: 4 bytes per dop, at the window's start. */
static int floor_io(ab_replay *r, int save, ab_replay_failure *fail)
{
    if (r->st.kept)
        return 0; /* one window: the floor never leaves memory */
    if (floor_file(r, fail) != 0)
        return -1;
    size_t len = (size_t)r->st.len * sizeof(uint32_t), done = 0;
    off_t at = (off_t)(r->st.start * sizeof(uint32_t));
    while (done < len) {
        ssize_t k = save ? pwrite(r->floor_fd, (char *)r->floor_win + done, len - done, at + done)
                         : pread(r->floor_fd, (char *)r->floor_win + done, len - done, at + done);
        if (k <= 0) {
            ab_replay_fail_at(fail, UINT64_MAX, "cannot %s the per-op floor's temporary file: %s",
                              save ? "write" : "read", k ? strerror(errno) : "short read");
            return -1;
        }
        done += (size_t)k;
    }
    return 0;
}

static void shorten_sample(ab_latency_set *set, unsigned kind, int64_t by)
{
    if (set)
        set->sum[kind] -= by;
}

/* The per-op pass in chunks of PEROP_CHUNK dops. When another process took the CPU during a
 * chunk (run-queue wait grew by D), and the chunk's longest sample is at least D long, the
 * preemption landed inside that timed region: the per-kind means count that sample as D
 * shorter (otherwise it fell between regions and no sample holds it). The histograms keep the
 * sample as measured: percentiles are robust to a few of them, and max shows them. An
 * allocator's own pauses are on-CPU time or sleep, never run-queue wait, so they all stay.
 * out->preempted counts the shortened samples, out->stolen_ns the wait. `ticks` sums the
 * chunks (the decoding between windows is not in it). */
#define PEROP_CHUNK 256u
static int perop_run(ab_replay *r, const ab_allocator *a, perop_sink *sink, ab_pass_result *out,
                     ab_replay_failure *fail)
{
    memset(out, 0, sizeof *out);
    if (timed_init(r, fail) != 0)
        return -1;
    const ab_replay_fns f = ab_replay_fns_of(a);
    const loop_fn loop = loop_of(r, 1);
    int64_t stolen = 0;
    uint64_t ticks = 0;
    ab_op_stream_rewind(&r->st);
    while (ab_op_stream_next(&r->st)) {
        const uint32_t len = r->st.len;
        int floor_load = (sink->floor_mode && !sink->first_floor) || sink->net;
        if (floor_load && floor_io(r, 0, fail) != 0)
            return -1;
        int64_t wait = ab_replay_rq_wait(r);
        uint64_t start = ab_tsc_start();
        for (uint32_t k = 0; k < len;) {
            uint32_t to = len - k > PEROP_CHUNK ? k + PEROP_CHUNK : len, stop;
            sink->chunk_max = 0;
            if (loop(r, &f, k, to, &stop, sink) != 0)
                return pointer_failure(r, stop, fail);
            int64_t now = ab_replay_rq_wait(r);
            int64_t d_ticks = (int64_t)((double)(now - wait) * r->ticks_per_ns);
            if (d_ticks > 0 && sink->chunk_max >= (uint64_t)d_ticks) {
                shorten_sample(sink->raw, sink->chunk_kind, d_ticks);
                shorten_sample(sink->net, sink->chunk_kind, d_ticks);
                if (sink->floor_mode) { /* or every net sample of that op would be off by it */
                    uint32_t *fl = &sink->floor[sink->chunk_op];
                    *fl -= (uint64_t)d_ticks < *fl ? (uint32_t)d_ticks : *fl;
                }
                out->preempted++;
            }
            stolen += now - wait;
            wait = now;
            k = stop;
        }
        ticks += ab_tsc_stop() - start;
        if (sink->floor_mode && floor_io(r, 1, fail) != 0)
            return -1;
    }
    out->stolen_ns = (uint64_t)stolen;
    out->ticks = ticks;
    out->ops = r->scan.timed_ops;
    out->reps = 1;
    release_timed(r, a);
    return 0;
}

int ab_replay_perop_floor_pass(ab_replay *r, const ab_allocator *null_alloc, unsigned passes,
                               uint64_t empty_region_ticks, ab_latency_set *set,
                               ab_pass_result *out, ab_replay_failure *fail)
{
    r->have_floor = 0;
    for (unsigned k = 0; k < (passes ? passes : 1); k++) {
        perop_sink sink = {.raw = k == 0 ? set : NULL,
                           .floor = r->floor_win,
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
        ab_replay_fail_at(fail, UINT64_MAX, "a net per-op pass needs the per-op floor pass first");
        return -1;
    }
    perop_sink sink = {.raw = raw,
                       .net = net,
                       .floor = r->floor_win,
                       .ovh = empty_region_ticks,
                       .dither = 0x9E3779B97F4A7C15ull};
    return perop_run(r, a, &sink, out, fail);
}
