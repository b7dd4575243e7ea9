/* gen_simd.c: the `simd` generator: over-aligned objects of the x64 world (docs/workloads.md).
 *
 * Alignments 16 (__m128), 32 (__m256), 64 (cache line) and 4096 (page), with sizes in
 * multiples of the vector or line and a few deliberately small page-aligned blocks (the case
 * where glibc's footprint explodes). The live set sweeps through levels from a few
 * hundred objects, past jemalloc's ~200-object thread cache, to tens of thousands (rankings flip
 * with the live-set size). Each level has three phases, each opened by a mark:
 * - ramp (mark phase 3L):    allocate up to the level's live count (with some frees);
 * - plateau (mark 3L+1):     churn at that live count: free an object and allocate one, the
 *                            victim being the newest (short-lived) or a random one (long-lived)
 *                            half the time each; 2% of the steps grow a vector with realloc;
 * - peak (mark 3L+2):        a burst to 1.5x the level, then back down to the level.
 * Everything is freed at the end (a last phase mark). Scope 0, no resets. Entry points: 16-byte
 * objects are plain mallocs (malloc's own alignment), the over-aligned ones aligned_alloc; frees
 * are free, growth is realloc.
 *
 * Threads (--threads N): N producer/consumer threads, each running this program on its own
 * live set with 1/N of the objects and steps (its own random stream; thread 0's is the
 * single-threaded one, so N = 1 gives the same trace as ever). Half of the objects a thread
 * would free (a stream of its own decides) are handed to the next thread instead, its consumer,
 * which frees them (remote frees), one per step of its own, from the next phase on: a phase's
 * handoffs are consumed a phase later, as a pipeline would, so consumer and producer rarely
 * wait for each other. Each phase is laid out thread after thread in the op stream (the replay
 * runs the threads' streams side by side; the layout only fixes a valid global order).
 */
#include "workloads/gen_common.h"
#include "harness/common/error_message.h"
#include "workloads/gen_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Live-set levels (objects), and plateau churn steps per level at scale 1. */
static const uint32_t simd_levels[] = {300, 1000, 3000, 10000, 30000};
#define SIMD_LEVELS (sizeof simd_levels / sizeof simd_levels[0])
#define SIMD_STEPS_AT_SCALE_1 280000

/* The alignment classes: weight (percent of allocations) and the size rule. */
typedef struct simd_class {
    unsigned align_log2;
    unsigned weight;
    uint32_t unit;                 /* sizes are multiples of unit */
    uint32_t min_units, max_units; /* log-uniform */
} simd_class;

static const simd_class simd_classes[] = {
    {4, 40, 16, 1, 64},   /* __m128 arrays: 16 B .. 1 KiB */
    {5, 30, 32, 1, 128},  /* __m256 arrays: 32 B .. 4 KiB */
    {6, 25, 64, 1, 8},    /* cache-line objects: 64 .. 512 B */
    {12, 4, 4096, 1, 16}, /* page buffers: 4 .. 64 KiB */
    {12, 1, 1, 64, 256},  /* small page-aligned blocks: 64 .. 256 B */
};
#define SIMD_CLASSES (sizeof simd_classes / sizeof simd_classes[0])

typedef struct simd_obj {
    uint32_t id;
    uint32_t size;
    uint16_t align_log2;
    uint16_t phase; /* in an inbox: the phase it was handed over in */
} simd_obj;

typedef struct simd_list {
    simd_obj *o;
    size_t n, cap, head; /* an inbox is a FIFO: [head, n) */
} simd_list;

typedef struct simd_state {
    ab_trace_writer *w;
    ab_rng r;
    ab_rng *tr; /* handoff decisions (shared by the threads) */
    uint16_t thread;
    unsigned phase;
    int handoff; /* hand frees over to next (threads > 1, not while draining) */
    simd_list live, inbox;
    struct simd_state *next; /* the consumer of this thread's handoffs */
    int failed;
} simd_state;

static simd_obj *list_push(simd_state *s, simd_list *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        simd_obj *p = realloc(l->o, cap * sizeof *p);
        if (!p) {
            s->failed = 1;
            return NULL;
        }
        l->o = p;
        l->cap = cap;
    }
    return &l->o[l->n++];
}

/* The consumer's part of a step: free the oldest handed-over object of an earlier phase. */
static void simd_consume(simd_state *s)
{
    simd_list *in = &s->inbox;
    if (in->head < in->n && in->o[in->head].phase < s->phase)
        ab_tw_free_as(s->w, in->o[in->head++].id, s->thread, AB_ENTRY_FREE);
    if (in->head == in->n)
        in->head = in->n = 0;
}

static void simd_alloc(simd_state *s)
{
    unsigned pick = (unsigned)ab_rng_range(&s->r, 0, 99), c = 0;
    while (pick >= simd_classes[c].weight)
        pick -= simd_classes[c++].weight;
    const simd_class *k = &simd_classes[c];
    uint32_t size = k->unit * (uint32_t)ab_rng_log_range(&s->r, k->min_units, k->max_units);
    simd_consume(s);
    simd_obj *o = list_push(s, &s->live);
    if (!o)
        return;
    /* 16 is malloc's own alignment (a plain malloc); above, an explicit aligned_alloc */
    unsigned entry = k->align_log2 > 4 ? AB_ENTRY_ALIGNED_ALLOC : AB_ENTRY_MALLOC;
    o->id = ab_tw_alloc(s->w, size, k->align_log2, 0, s->thread, AB_OPF_ENTRY(entry));
    o->size = size;
    o->align_log2 = (uint16_t)k->align_log2;
}

/* Free the newest object or, half the time, a random one. */
static void simd_free(simd_state *s)
{
    simd_list *l = &s->live;
    if (l->n == 0)
        return;
    simd_consume(s);
    size_t k = ab_rng_chance(&s->r, 0.5) ? l->n - 1 : (size_t)ab_rng_range(&s->r, 0, l->n - 1);
    simd_obj *to;
    if (s->handoff && ab_rng_chance(s->tr, 0.5) && (to = list_push(s, &s->next->inbox))) {
        *to = l->o[k]; /* handed over: the consumer frees it in a later phase */
        to->phase = (uint16_t)s->phase;
    } else {
        ab_tw_free_as(s->w, l->o[k].id, s->thread, AB_ENTRY_FREE);
    }
    l->o[k] = l->o[--l->n];
}

/* Grow a random 16- or 32-aligned vector (a std::vector-like doubling, capped at 8 KiB). */
static void simd_grow(simd_state *s)
{
    if (s->live.n == 0)
        return;
    simd_obj *o = &s->live.o[ab_rng_range(&s->r, 0, s->live.n - 1)];
    if (o->align_log2 > 5 || o->size >= 8192)
        return;
    o->size *= 2;
    ab_tw_realloc_as(s->w, o->id, o->size, s->thread, AB_ENTRY_REALLOC);
}

/* One phase of one thread (ph: 0 ramp, 1 plateau, 2 peak) at its share of the level. */
static void simd_phase(simd_state *s, unsigned ph, size_t level, uint64_t steps)
{
    if (ph == 0) {
        while (s->live.n < level) {
            simd_alloc(s);
            if (ab_rng_chance(&s->r, 0.2))
                simd_free(s);
        }
    } else if (ph == 1) {
        for (uint64_t i = 0; i < steps; i++) {
            if (ab_rng_chance(&s->r, 0.02)) {
                simd_grow(s);
                continue;
            }
            simd_free(s);
            simd_alloc(s);
        }
    } else {
        while (s->live.n < level + level / 2)
            simd_alloc(s);
        while (s->live.n > level)
            simd_free(s);
    }
}

static int simd_generate(const ab_gen_params *p, const char *out_path, char *err, size_t errlen)
{
    if (ab_gen_check("simd", p, NULL, err, errlen))
        return -1;
    unsigned nt = p->threads;
    uint64_t steps = ab_gen_scaled(p, SIMD_STEPS_AT_SCALE_1, 100);
    char extra[64];
    snprintf(extra, sizeof extra, "steps=%llu", (unsigned long long)steps);
    ab_trace_writer *w = ab_gen_open("simd", p, extra, out_path, err, errlen);
    if (!w)
        return -1;
    simd_state *st = calloc(nt, sizeof *st);
    if (!st) {
        ab_tw_abort(w);
        return ab_fail(err, errlen, "simd: out of memory");
    }
    ab_rng tr;
    ab_gen_thread_rng(p, &tr);
    for (unsigned t = 0; t < nt; t++) {
        st[t] = (simd_state){
            .w = w, .tr = &tr, .thread = (uint16_t)t, .handoff = nt > 1, .next = &st[(t + 1) % nt]};
        ab_rng_seed(&st[t].r, p->seed + t * 0x9E3779B97F4A7C15ull);
    }
    uint64_t share = steps / nt ? steps / nt : 1;
    for (unsigned lv = 0; lv < SIMD_LEVELS; lv++) {
        size_t level = simd_levels[lv] / nt ? simd_levels[lv] / nt : 1;
        for (unsigned ph = 0; ph < 3; ph++)
            for (unsigned t = 0; t < nt; t++) {
                st[t].phase = 3 * lv + ph;
                ab_tw_mark(w, AB_MARK_PHASE, (uint16_t)(3 * lv + ph), (uint16_t)t);
                simd_phase(&st[t], ph, level, share);
            }
    }
    int failed = 0;
    for (unsigned t = 0; t < nt; t++) { /* drain: everything left, handed-over objects too */
        simd_state *s = &st[t];
        s->phase = 3 * SIMD_LEVELS;
        s->handoff = 0;
        ab_tw_mark(w, AB_MARK_PHASE, (uint16_t)(3 * SIMD_LEVELS), (uint16_t)t);
        while (s->live.n)
            simd_free(s);
        while (s->inbox.head < s->inbox.n)
            simd_consume(s);
    }
    for (unsigned t = 0; t < nt; t++) {
        failed |= st[t].failed;
        free(st[t].live.o);
        free(st[t].inbox.o);
    }
    free(st);
    if (failed) {
        ab_tw_abort(w);
        return ab_fail(err, errlen, "simd: out of memory");
    }
    return ab_tw_close(w, err, errlen);
}

const ab_generator ab_gen_simd = {
    .name = "simd",
    .summary = "over-aligned x64 objects (16/32/64/4096) over a live set swept 300..30000",
    .help =
        "simd: over-aligned objects of the x64 world (docs/workloads.md).\n"
        "Allocation mix (percent of allocations):\n"
        "  40  alignment 16 (__m128 arrays): 16 B .. 1 KiB, multiples of 16, log-uniform\n"
        "  30  alignment 32 (__m256 arrays): 32 B .. 4 KiB, multiples of 32\n"
        "  25  alignment 64 (cache-line objects): 64 .. 512 B, multiples of 64\n"
        "   4  alignment 4096 (page buffers): 4 .. 64 KiB, multiples of 4096\n"
        "   1  alignment 4096, small blocks of 64 .. 256 B (glibc's worst case)\n"
        "The live set sweeps levels of 300, 1000, 3000, 10000 and 30000 objects (past jemalloc's\n"
        "~200-object thread cache); each level has a ramp, a plateau and a peak phase, each "
        "opened\n"
        "by mark(phase, 3*level + 0|1|2): the ramp allocates up to the level (20% interleaved\n"
        "frees), the plateau churns (free + alloc; the victim is the newest object or a random\n"
        "one, half the time each: short and long lifetimes; 2% of steps double a 16/32-aligned\n"
        "vector with realloc), the peak bursts to 1.5x the level and back. A final phase frees "
        "all.\n"
        "Knobs: --seed S; --scale X (280000 plateau steps per level at 1.0, about 3 M ops);\n"
        "--threads N (1..64): N threads each run this on 1/N of the objects and steps; half of\n"
        "the frees are handed to the next thread, which frees them a phase later (remote\n"
        "frees).\n",
    .generate = simd_generate,
};
