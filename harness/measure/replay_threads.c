/* replay_threads.c: the threaded replay (see replay_threads.h for the model and the handoff).
 *
 * Set-up (untimed): two scans of the trace with the live table (trace_live.h, mmap-backed so the
 * measured allocator's heap is not touched) build, per thread, its entries (op index, number of
 * waits, reset-list length, whether another thread waits for it), its waits and the ids its
 * resets release, and the order in which the trace's threads first appear.
 *
 * Process state (docs/threads.md): trace thread 0 is the program's main thread, so its stream
 * runs on the calling (runner's main) thread. No worker exists before the first pass; in it the
 * main thread creates the worker of trace thread k at the point of k's first op in the trace
 * stream (in order of first appearance), so while the recorded main thread ran alone the process
 * has one thread (glibc's single-thread fast path, the main arena) and each worker makes its
 * first allocation in creation order (glibc gives threads new arenas in that order). The time
 * the main thread spends in pthread_create is taken off its own time and off the pass's wall
 * time (spawn_ticks). Workers stay parked between passes (a condition variable), so later passes
 * run with the threads already there, as their caches are warm. After each pass the main thread
 * releases whatever is left live.
 */
#include "harness/measure/replay_threads.h"
#include "harness/common/error_message.h"
#include "harness/measure/memstat.h"
#include "harness/measure/null_alloc.h"
#include "harness/measure/replay_calls.h"
#include "harness/measure/replay_touch.h"
#include "harness/measure/timer.h"
#include "workloads/trace_live.h"

#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define SIGNAL (1u << 31) /* entry aux: another thread waits for this op */
#define SPINS_BEFORE_YIELD 128u
#define NOBODY UINT32_MAX

typedef struct entry {
    uint64_t op;    /* index in the trace */
    uint32_t nwait; /* waits before it */
    uint32_t aux;   /* SIGNAL | number of ids a reset releases */
} entry;

typedef struct wait_for {
    uint64_t pos; /* done when that thread's progress is above pos */
    uint32_t thread, pad;
} wait_for;

typedef struct tslot { /* the block of one id, 16 bytes */
    void *ptr;
    uint32_t size;
    uint8_t align_log2, live; /* align_log2 | TS_PLAIN for a block of the plain entries */
    uint16_t scope;
} tslot;
#define TS_PLAIN 0x80u

static inline size_t tslot_align(const tslot *s)
{
    return (s->align_log2 & TS_PLAIN) ? AB_ALIGN_PLAIN : (size_t)1 << s->align_log2;
}

typedef struct progress {
    _Alignas(64) _Atomic uint64_t done; /* entries completed, published at SIGNAL entries */
} progress;

typedef ab_replay_fns fns;

typedef struct worker {
    struct ab_replay_mt *r;
    unsigned idx;
    pthread_t tid;
    int started;
    entry *e;
    uint64_t n;
    wait_for *w;
    uint64_t nw;
    uint32_t *rl;
    uint64_t nrl;
    ab_hist *hist; /* AB_KINDS histograms, per-op mode */
    /* per pass */
    uint64_t seen[AB_REPLAY_MAX_THREADS]; /* the last progress read of each thread (monotonic) */
    uint64_t t_start, t_end, waits;
    uint64_t spawn_ticks; /* the main thread: time spent creating workers in this pass */
    uint64_t gen;         /* a worker: the pass it last took part in */
    int failed;
    ab_replay_failure fail;
} worker;

struct ab_replay_mt {
    const ab_op *ops;
    uint64_t n;
    ab_replay_opts opts;
    unsigned caps;
    ab_replay_routes routes; /* the measured allocator's (replay_calls.h) */
    unsigned nthreads;
    /* Trace threads other than 0 in order of first appearance, and for each the number of thread
     * 0's ops that come before its first op (where the main thread creates it). */
    uint16_t spawn_order[AB_REPLAY_MAX_THREADS];
    uint64_t spawn_pos[AB_REPLAY_MAX_THREADS];
    unsigned nspawn, spawned; /* workers to create, workers created */
    uint8_t served[64];
    uint64_t handoffs, timed_ops;
    tslot *slots;
    size_t nslots;
    uint8_t *scope_used;
    size_t nscopes;
    progress *prog;
    worker *workers;
    void *map;
    size_t map_len;
    /* pass hand-over: the main thread bumps gen (workers start), each worker bumps finished */
    pthread_mutex_t lock;
    pthread_cond_t go, done;
    uint64_t gen;
    unsigned finished;
    int sync_ready;
    /* the job of the current pass */
    fns f;
    int perop, quit;
    uint64_t ovh;
    atomic_int abort;
};

/* ---- mmap-backed growth for the live table (the allocator's heap stays untouched) --------- */

static void *map_grow(void *old, size_t old_bytes, size_t new_bytes)
{
    void *p;
    if (!old)
        p = mmap(NULL, new_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    else
        p = mremap(old, old_bytes, new_bytes, MREMAP_MAYMOVE);
    return p == MAP_FAILED ? NULL : p;
}

static void map_release(void *p, size_t bytes)
{
    if (p)
        munmap(p, bytes);
}

/* ---- the plan ----------------------------------------------------------------------------- */

typedef struct owner { /* who did the last op on something, and at which position */
    uint32_t thread;
    uint32_t pad;
    uint64_t pos;
} owner;

typedef struct planner {
    ab_replay_mt *r;
    int fill;          /* second scan: write entries, waits and lists */
    uint64_t *ne;      /* per thread: entries so far */
    uint64_t *nw;      /* per thread: waits so far */
    uint64_t *nrl;     /* per thread: reset-list ids so far */
    owner *id_last;    /* per id: its last op (or the end of its last generation) */
    owner *reset_last; /* per scope: its last reset */
    uint64_t *touch;   /* per scope x thread: 1 + position of the last op on a block there */
    unsigned cur_thread;
    uint64_t cur_pos;
    uint32_t cur_released;
    int cur_reset; /* the op being applied is a reset */
} planner;

static void add_wait(planner *p, unsigned t, owner o)
{
    if (o.thread == NOBODY || o.thread == t)
        return;
    ab_replay_mt *r = p->r;
    if (p->fill) {
        worker *w = &r->workers[t];
        w->w[p->nw[t]] = (wait_for){.pos = o.pos, .thread = o.thread};
        w->e[p->ne[t]].nwait++;
        r->workers[o.thread].e[o.pos].aux |= SIGNAL;
        r->handoffs++;
    }
    p->nw[t]++;
}

static void on_release(void *ctx, uint32_t id)
{
    planner *p = ctx;
    p->id_last[id] = (owner){.thread = p->cur_thread, .pos = p->cur_pos};
    if (!p->cur_reset)
        return; /* a free: nothing to list */
    if (p->fill)
        p->r->workers[p->cur_thread].rl[p->nrl[p->cur_thread]] = id;
    p->nrl[p->cur_thread]++;
    p->cur_released++;
}

/* One scan: counts (fill 0) or writes (fill 1) every thread's entries, waits and lists. */
static int plan_scan(planner *p, char *err, size_t errlen)
{
    ab_replay_mt *r = p->r;
    unsigned T = r->nthreads;
    ab_live_table live;
    ab_live_init(&live, map_grow, map_release);
    live.on_release = on_release;
    live.on_release_ctx = p;
    int rc = 0;
    memset(p->ne, 0, T * sizeof *p->ne);
    memset(p->nw, 0, T * sizeof *p->nw);
    memset(p->nrl, 0, T * sizeof *p->nrl);
    for (size_t i = 0; i < r->nslots; i++)
        p->id_last[i] = (owner){.thread = NOBODY};
    for (size_t s = 0; s < r->nscopes; s++)
        p->reset_last[s] = (owner){.thread = NOBODY};
    memset(p->touch, 0, r->nscopes * T * sizeof *p->touch);
    char msg[200];
    for (uint64_t i = 0; i < r->n; i++) {
        const ab_op *op = &r->ops[i];
        if (!ab_op_is_timed(op))
            continue;
        unsigned t = op->thread;
        uint64_t pos = p->ne[t];
        if (p->fill)
            r->workers[t].e[pos] = (entry){.op = i};
        switch (op->kind) {
        case AB_OP_ALLOC:
            add_wait(p, t, p->id_last[op->id]);
            add_wait(p, t, p->reset_last[op->scope]);
            p->touch[(size_t)op->scope * T + t] = pos + 1;
            break;
        case AB_OP_FREE:
        case AB_OP_REALLOC:
            add_wait(p, t, p->id_last[op->id]);
            p->touch[(size_t)live.scope[op->id] * T + t] = pos + 1;
            break;
        case AB_OP_RESET:
            for (unsigned u = 0; u < T; u++) {
                uint64_t last = p->touch[(size_t)op->scope * T + u];
                if (last)
                    add_wait(p, t, (owner){.thread = u, .pos = last - 1});
            }
            p->reset_last[op->scope] = (owner){.thread = t, .pos = pos};
            break;
        }
        p->cur_thread = t;
        p->cur_pos = pos;
        p->cur_released = 0;
        p->cur_reset = op->kind == AB_OP_RESET;
        if (ab_live_apply(&live, op, msg, sizeof msg) != 0) {
            ab_fail(err, errlen, "op %" PRIu64 ": %s", i, msg);
            rc = -1;
            break;
        }
        if (p->fill && op->kind == AB_OP_RESET)
            r->workers[t].e[pos].aux |= p->cur_released;
        if (op->kind != AB_OP_FREE && op->kind != AB_OP_RESET)
            p->id_last[op->id] = (owner){.thread = t, .pos = pos}; /* free/reset: on_release */
        p->ne[t]++;
    }
    ab_live_fini(&live);
    return rc;
}

/* Carves the per-thread arrays out of one mapping, from the counts of the first scan. */
static int plan_layout(ab_replay_mt *r, const planner *p)
{
    unsigned T = r->nthreads;
    size_t len = 0;
    for (unsigned t = 0; t < T; t++) {
        len += p->ne[t] * sizeof(entry) + p->nw[t] * sizeof(wait_for);
        len += (p->nrl[t] * sizeof(uint32_t) + 63) & ~(size_t)63;
        len += AB_KINDS * sizeof(ab_hist);
    }
    len += r->nslots * sizeof(tslot) + ((r->nscopes + 63) & ~(size_t)63);
    len += T * sizeof(progress) + 64;
    r->map_len = len ? len : 1;
    char *m = ab_harness_map(r->map_len, 1);
    if (!m)
        return -1;
    r->map = m;
    r->prog = (progress *)(((uintptr_t)m + 63) & ~(uintptr_t)63);
    m = (char *)(r->prog + T);
    for (unsigned t = 0; t < T; t++) {
        worker *w = &r->workers[t];
        w->hist = (ab_hist *)m;
        m += AB_KINDS * sizeof(ab_hist);
        w->e = (entry *)m;
        w->n = p->ne[t];
        m += p->ne[t] * sizeof(entry);
        w->w = (wait_for *)m;
        w->nw = p->nw[t];
        m += p->nw[t] * sizeof(wait_for);
        w->rl = (uint32_t *)m;
        w->nrl = p->nrl[t];
        m += (p->nrl[t] * sizeof(uint32_t) + 63) & ~(size_t)63;
    }
    r->slots = (tslot *)m;
    m += r->nslots * sizeof(tslot);
    r->scope_used = (uint8_t *)m;
    return 0;
}

static int build_plan(ab_replay_mt *r, char *err, size_t errlen)
{
    unsigned T = r->nthreads;
    size_t len = 3 * T * sizeof(uint64_t) + r->nslots * sizeof(owner) + r->nscopes * sizeof(owner) +
                 r->nscopes * T * sizeof(uint64_t);
    char *m = ab_harness_map(len, 0);
    if (!m)
        return ab_fail(err, errlen, "cannot map the planning tables");
    planner p = {.r = r};
    p.ne = (uint64_t *)m;
    p.nw = p.ne + T;
    p.nrl = p.nw + T;
    p.id_last = (owner *)(p.nrl + T);
    p.reset_last = p.id_last + r->nslots;
    p.touch = (uint64_t *)(p.reset_last + r->nscopes);
    int rc = plan_scan(&p, err, errlen);
    if (rc == 0 && plan_layout(r, &p) != 0) {
        ab_fail(err, errlen, "cannot map the per-thread plan");
        rc = -1;
    }
    if (rc == 0) {
        p.fill = 1;
        rc = plan_scan(&p, err, errlen);
    }
    ab_harness_unmap(m, len);
    return rc;
}

/* ---- one thread's stream ------------------------------------------------------------------ */

static __attribute__((noinline, cold)) int worker_fail(worker *w, uint64_t op, const char *fmt, ...)
{
    w->fail.op = op;
    int k = snprintf(w->fail.msg, sizeof w->fail.msg, "op %" PRIu64 " (thread %u): ", op, w->idx);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->fail.msg + k, sizeof w->fail.msg - (size_t)k, fmt, ap);
    va_end(ap);
    w->failed = 1;
    atomic_store(&w->r->abort, 1);
    return -1;
}

/* Spins until thread wf->thread has done position wf->pos; 0, or -1 when the pass aborts.
 * Progress only grows, so the last value read (w->seen) answers most waits without touching the
 * other thread's cache line, which that thread keeps writing. */
static inline int handoff(ab_replay_mt *r, worker *w, const wait_for *wf)
{
    uint64_t *seen = &w->seen[wf->thread];
    if (*seen > wf->pos)
        return 0;
    _Atomic uint64_t *done = &r->prog[wf->thread].done;
    if ((*seen = atomic_load_explicit(done, memory_order_acquire)) > wf->pos)
        return 0;
    w->waits++;
    for (unsigned spins = 0; (*seen = atomic_load_explicit(done, memory_order_acquire)) <= wf->pos;
         spins++) {
        if (spins >= SPINS_BEFORE_YIELD) {
            if (atomic_load_explicit(&r->abort, memory_order_relaxed))
                return -1;
            sched_yield();
        } else {
            __builtin_ia32_pause();
        }
    }
    return 0;
}

static inline int bad_pointer(const void *p, size_t size, size_t align)
{
    return ((uintptr_t)p & (align - 1)) != 0 || (!p && size);
}

static inline __attribute__((always_inline)) int
run_op(ab_replay_mt *r, worker *w, const fns *f, const entry *e, uint64_t *rc, const int perop)
{
    const ab_op *op = &r->ops[e->op];
    uint64_t t0 = 0, t1 = 0;
    switch (op->kind) {
    case AB_OP_ALLOC: {
        tslot *s = &r->slots[op->id];
        unsigned al = r->served[op->align_log2];
        size_t align = (size_t)1 << al;
        const unsigned route = r->routes.alloc[AB_OP_ENTRY(op)];
        void *p;
        if (route == AB_ROUTE_ALIGNED) {
            void *(*const alloc_fn)(size_t, size_t, uint32_t) = f->alloc;
            if (perop)
                t0 = ab_tsc_start();
            p = alloc_fn(op->size, align, op->scope);
            if (perop)
                t1 = ab_tsc_stop();
        } else {
            void *(*const plain_fn)(size_t, uint32_t) =
                route == AB_ROUTE_CALLOC ? f->calloc : f->malloc;
            if (perop)
                t0 = ab_tsc_start();
            p = plain_fn(op->size, op->scope);
            if (perop)
                t1 = ab_tsc_stop();
        }
        const size_t check = ab_replay_check_align(route, align, op->size);
        if (__builtin_expect(bad_pointer(p, op->size, check), 0))
            return worker_fail(w, e->op, "alloc of %u bytes (alignment %zu) returned %p", op->size,
                               check, p);
        *s = (tslot){.ptr = p,
                     .size = op->size,
                     .align_log2 = (uint8_t)(al | (route != AB_ROUTE_ALIGNED ? TS_PLAIN : 0)),
                     .live = 1,
                     .scope = op->scope};
        ab_touch_block(p, op->size, r->opts.touch,
                       (op->flags & AB_OPF_ZERO) && route != AB_ROUTE_CALLOC);
        break;
    }
    case AB_OP_FREE: {
        tslot *s = &r->slots[op->id];
        void (*const free_fn)(void *, size_t, size_t) =
            r->routes.sized_free[AB_OP_ENTRY(op)] ? f->free_sized : f->free;
        const size_t align = tslot_align(s);
        if (perop)
            t0 = ab_tsc_start();
        free_fn(s->ptr, s->size, align);
        if (perop)
            t1 = ab_tsc_stop();
        s->live = 0;
        break;
    }
    case AB_OP_REALLOC: {
        tslot *s = &r->slots[op->id];
        const size_t align = tslot_align(s);
        const size_t check =
            ab_replay_check_align(align == AB_ALIGN_PLAIN ? AB_ROUTE_MALLOC : AB_ROUTE_ALIGNED,
                                  (size_t)1 << (s->align_log2 & ~TS_PLAIN), op->size);
        void *p;
        if (perop)
            t0 = ab_tsc_start();
        p = ab_replay_realloc(f, r->caps, s->ptr, s->size, op->size, align, s->scope);
        if (perop)
            t1 = ab_tsc_stop();
        if (__builtin_expect(bad_pointer(p, op->size, check), 0))
            return worker_fail(w, e->op, "realloc to %u bytes (alignment %zu) returned %p",
                               op->size, check, p);
        uint32_t old = s->size;
        s->ptr = p;
        s->size = op->size;
        if (op->size > old)
            ab_touch_block((char *)p + old, op->size - old, r->opts.touch, 0);
        break;
    }
    case AB_OP_RESET: {
        uint32_t count = e->aux & ~SIGNAL;
        if (perop)
            t0 = ab_tsc_start();
        if (r->caps & AB_CAP_RESET) {
            f->reset(op->scope);
        } else {
            for (uint32_t k = 0; k < count; k++) {
                tslot *s = &r->slots[w->rl[*rc + k]];
                f->free(s->ptr, s->size, tslot_align(s));
            }
        }
        if (perop)
            t1 = ab_tsc_stop();
        for (uint32_t k = 0; k < count; k++)
            r->slots[w->rl[*rc + k]].live = 0;
        *rc += count;
        break;
    }
    }
    if (perop) {
        uint64_t d = t1 - t0;
        ab_hist_add(&w->hist[op->kind], d > r->ovh ? d - r->ovh : 0);
    }
    return 0;
}

static void *worker_main(void *arg);

/* The main thread, first pass: creates the workers whose first op in the trace comes before
 * thread 0's op at position k (UINT64_MAX: all that are left), in order of first appearance,
 * timing the creation so the pass can leave it out. */
static __attribute__((noinline)) int spawn_due(ab_replay_mt *r, worker *w, uint64_t k)
{
    while (r->spawned < r->nspawn && r->spawn_pos[r->spawned] <= k) {
        worker *nw = &r->workers[r->spawn_order[r->spawned]];
        uint64_t t0 = ab_tsc_start();
        nw->gen = r->gen; /* it joins the pass under way */
        int rc = pthread_create(&nw->tid, NULL, worker_main, nw);
        w->spawn_ticks += ab_tsc_stop() - t0;
        if (rc != 0)
            return worker_fail(w, UINT64_MAX, "cannot start the replay thread of trace thread %u",
                               nw->idx);
        nw->started = 1;
        r->spawned++;
    }
    return 0;
}

static inline __attribute__((always_inline)) int run_stream(ab_replay_mt *r, worker *w,
                                                            const int perop, const int spawn)
{
    const fns f = r->f;
    uint64_t wc = 0, rc = 0;
    _Atomic uint64_t *mine = &r->prog[w->idx].done;
    for (uint64_t k = 0; k < w->n; k++) {
        const entry *e = &w->e[k];
        if (spawn && r->spawned < r->nspawn && r->spawn_pos[r->spawned] <= k &&
            spawn_due(r, w, k) != 0)
            return -1;
        for (uint32_t j = 0; j < e->nwait; j++)
            if (handoff(r, w, &w->w[wc++]) != 0)
                return -1;
        if (__builtin_expect(run_op(r, w, &f, e, &rc, perop), 0))
            return -1;
        if (e->aux & SIGNAL)
            atomic_store_explicit(mine, k + 1, memory_order_release);
    }
    return spawn ? spawn_due(r, w, UINT64_MAX) : 0;
}

static __attribute__((noinline)) int stream_plain(ab_replay_mt *r, worker *w)
{
    return run_stream(r, w, 0, 0);
}

static __attribute__((noinline)) int stream_perop(ab_replay_mt *r, worker *w)
{
    return run_stream(r, w, 1, 0);
}

/* The main thread's stream while workers remain to be created (the first pass). */
static __attribute__((noinline)) int stream_plain_spawn(ab_replay_mt *r, worker *w)
{
    return run_stream(r, w, 0, 1);
}

static __attribute__((noinline)) int stream_perop_spawn(ab_replay_mt *r, worker *w)
{
    return run_stream(r, w, 1, 1);
}

/* One thread's part of a pass (the main thread's for trace thread 0, a worker's otherwise). */
static void run_part(ab_replay_mt *r, worker *w)
{
    w->waits = 0;
    w->failed = 0;
    w->spawn_ticks = 0;
    memset(w->seen, 0, sizeof w->seen);
    const int spawn = w->idx == 0 && r->spawned < r->nspawn;
    w->t_start = ab_tsc_start();
    if (spawn && r->perop)
        stream_perop_spawn(r, w);
    else if (spawn)
        stream_plain_spawn(r, w);
    else if (r->perop)
        stream_perop(r, w);
    else
        stream_plain(r, w);
    w->t_end = ab_tsc_stop();
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    ab_replay_mt *r = w->r;
    ab_null_bind_thread(w->idx);
    for (;;) {
        run_part(r, w); /* created during a pass: it takes part in that one at once */
        pthread_mutex_lock(&r->lock);
        r->finished++;
        pthread_cond_signal(&r->done);
        while (r->gen == w->gen && !r->quit)
            pthread_cond_wait(&r->go, &r->lock);
        w->gen = r->gen;
        int quit = r->quit;
        pthread_mutex_unlock(&r->lock);
        if (quit)
            return NULL;
    }
}

/* ---- set-up and passes ------------------------------------------------------------------- */

/* The trace's threads other than 0 in order of first appearance, and where thread 0 is then. */
static void plan_spawns(ab_replay_mt *r)
{
    uint8_t seen[AB_REPLAY_MAX_THREADS] = {0};
    uint64_t main_ops = 0;
    r->nspawn = 0;
    for (uint64_t i = 0; i < r->n; i++) {
        const ab_op *op = &r->ops[i];
        if (!ab_op_is_timed(op))
            continue;
        unsigned t = op->thread;
        if (t == 0) {
            main_ops++;
        } else if (t < r->nthreads && !seen[t]) {
            seen[t] = 1;
            r->spawn_order[r->nspawn] = (uint16_t)t;
            r->spawn_pos[r->nspawn++] = main_ops;
        }
    }
    for (unsigned t = 1; t < r->nthreads; t++) /* threads without ops: after thread 0's last */
        if (!seen[t]) {
            r->spawn_order[r->nspawn] = (uint16_t)t;
            r->spawn_pos[r->nspawn++] = UINT64_MAX;
        }
}

ab_replay_mt *ab_replay_mt_create(const ab_trace *t, const ab_allocator *policy,
                                  const ab_replay_opts *opts, char *err, size_t errlen)
{
    unsigned T = t->hdr.thread_count ? t->hdr.thread_count : 1;
    if (T > AB_REPLAY_MAX_THREADS) {
        ab_fail(err, errlen, "the trace has %u threads; the threaded replay runs at most %u", T,
                AB_REPLAY_MAX_THREADS);
        return NULL;
    }
    ab_replay_mt *r = ab_harness_map(sizeof *r + T * sizeof(worker), 1);
    if (!r) {
        ab_fail(err, errlen, "cannot map the threaded replay's state");
        return NULL;
    }
    r->workers = (worker *)(r + 1);
    r->ops = t->ops;
    r->n = t->hdr.op_count;
    r->opts = *opts;
    r->caps = policy->caps;
    r->routes = ab_replay_routes_of(policy);
    r->nthreads = T;
    r->nslots = t->hdr.max_live_ids ? t->hdr.max_live_ids : 1;
    r->nscopes = t->hdr.scope_count ? t->hdr.scope_count : 1;
    unsigned lower_log2 = opts->lower_align ? (unsigned)__builtin_ctz(opts->lower_align) : 63;
    for (unsigned i = 0; i < 64; i++)
        r->served[i] = (uint8_t)(i > lower_log2 ? lower_log2 : i);
    for (unsigned i = 0; i < T; i++)
        r->workers[i] = (worker){.r = r, .idx = i};
    if (build_plan(r, err, errlen) != 0) {
        ab_replay_mt_destroy(r);
        return NULL;
    }
    for (uint64_t i = 0; i < r->n; i++) {
        const ab_op *op = &r->ops[i];
        r->timed_ops += ab_op_is_timed(op);
        if (op->kind == AB_OP_ALLOC)
            r->scope_used[op->scope] = 1;
    }
    plan_spawns(r);
    if (pthread_mutex_init(&r->lock, NULL) != 0 || pthread_cond_init(&r->go, NULL) != 0 ||
        pthread_cond_init(&r->done, NULL) != 0) {
        ab_fail(err, errlen, "cannot set up the threads' hand-over");
        ab_replay_mt_destroy(r);
        return NULL;
    }
    r->sync_ready = 1;
    return r; /* no thread yet: the first pass creates them (run_stream) */
}

void ab_replay_mt_destroy(ab_replay_mt *r)
{
    if (!r)
        return;
    if (r->sync_ready) {
        pthread_mutex_lock(&r->lock);
        r->quit = 1;
        pthread_cond_broadcast(&r->go);
        pthread_mutex_unlock(&r->lock);
        for (unsigned i = 0; i < r->nthreads; i++)
            if (r->workers[i].started)
                pthread_join(r->workers[i].tid, NULL);
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->go);
        pthread_cond_destroy(&r->done);
    }
    ab_harness_unmap(r->map, r->map_len);
    ab_harness_unmap(r, sizeof *r + r->nthreads * sizeof(worker));
}

uint64_t ab_replay_mt_bytes(const ab_replay_mt *r)
{
    return r ? r->map_len : 0;
}

unsigned ab_replay_mt_threads_started(const ab_replay_mt *r)
{
    return r->spawned;
}

/* Whatever the trace left live, released from the main thread (after the workers stopped). */
static void release_all(ab_replay_mt *r, const ab_allocator *a)
{
    if (r->caps & AB_CAP_RESET) {
        for (size_t s = 0; s < r->nscopes; s++)
            if (r->scope_used[s])
                a->reset((uint32_t)s);
    } else {
        for (size_t id = 0; id < r->nslots; id++)
            if (r->slots[id].live)
                a->free(r->slots[id].ptr, r->slots[id].size, tslot_align(&r->slots[id]));
    }
    for (size_t id = 0; id < r->nslots; id++)
        r->slots[id].live = 0;
}

int ab_replay_mt_pass(ab_replay_mt *r, const ab_allocator *a, unsigned reps, ab_latency_set *lat,
                      uint64_t empty_region_ticks, ab_threads_result *out, ab_replay_failure *fail)
{
    memset(out, 0, sizeof *out);
    if (!reps || lat)
        reps = 1;
    r->f = ab_replay_fns_of(a);
    r->perop = lat != NULL;
    r->ovh = empty_region_ticks;
    double total = 0;
    for (unsigned rep = 0; rep < reps; rep++) {
        for (unsigned t = 0; t < r->nthreads; t++) {
            atomic_store_explicit(&r->prog[t].done, 0, memory_order_relaxed);
            for (unsigned k = 0; k < AB_KINDS; k++)
                ab_hist_reset(&r->workers[t].hist[k]);
        }
        atomic_store(&r->abort, 0);
        pthread_mutex_lock(&r->lock);
        r->gen++;
        r->finished = 0;
        pthread_cond_broadcast(&r->go);
        pthread_mutex_unlock(&r->lock);
        ab_null_bind_thread(0);
        run_part(r, &r->workers[0]); /* trace thread 0 on this (the main) thread */
        pthread_mutex_lock(&r->lock);
        while (r->finished < r->spawned)
            pthread_cond_wait(&r->done, &r->lock);
        pthread_mutex_unlock(&r->lock);
        const uint64_t spawn = r->workers[0].spawn_ticks;
        uint64_t first = UINT64_MAX, last = 0;
        const worker *bad = NULL;
        for (unsigned t = 0; t < r->nthreads; t++) {
            const worker *w = &r->workers[t];
            if (w->failed && (!bad || w->fail.op < bad->fail.op))
                bad = w;
            if (w->n && w->t_start < first)
                first = w->t_start;
            if (w->n && w->t_end > last)
                last = w->t_end;
        }
        if (bad) {
            *fail = bad->fail;
            return -1;
        }
        out->live_blocks_at_end = out->live_bytes_at_end = 0;
        for (size_t id = 0; id < r->nslots; id++)
            if (r->slots[id].live) {
                out->live_blocks_at_end++;
                out->live_bytes_at_end += r->slots[id].size;
            }
        uint64_t wall = last > first + spawn ? last - first - spawn : 0;
        total += (double)wall;
        if (rep == 0 || wall < out->wall_ticks) {
            out->wall_ticks = wall;
            for (unsigned t = 0; t < r->nthreads; t++) {
                const worker *w = &r->workers[t];
                uint64_t ticks = w->t_end - w->t_start - w->spawn_ticks;
                out->thread[t] = (ab_thread_result){.ops = w->n, .ticks = ticks, .waits = w->waits};
            }
        }
        release_all(r, a);
    }
    if (lat)
        for (unsigned t = 0; t < r->nthreads; t++)
            for (unsigned k = 1; k < AB_KINDS; k++)
                if (lat->kind[k]) {
                    ab_hist_merge(lat->kind[k], &r->workers[t].hist[k]);
                    lat->sum[k] += (int64_t)r->workers[t].hist[k].sum;
                    lat->n[k] += r->workers[t].hist[k].count;
                }
    out->threads = r->nthreads;
    out->ops = r->timed_ops;
    out->handoffs = r->handoffs;
    out->reps = reps;
    out->wall_ticks_mean = (uint64_t)(total / reps);
    return 0;
}

void ab_threads_as_pass(const ab_threads_result *t, ab_pass_result *out)
{
    memset(out, 0, sizeof *out);
    out->ops = t->ops;
    out->ticks = t->wall_ticks_mean;
    out->ticks_minbatch = t->wall_ticks;
    out->ticks_min_rep = t->wall_ticks;
    out->median_batch_ticks_per_op = t->ops ? (double)t->wall_ticks / (double)t->ops : 0;
    out->batches = 1;
    out->reps = t->reps;
    if (t->cycles_per_tick > 0) { /* the wall time in cycles of the calling thread's core */
        out->cycles_per_tick = t->cycles_per_tick;
        out->cycles = (double)t->wall_ticks_mean * t->cycles_per_tick;
    }
}
