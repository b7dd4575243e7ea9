/* gen_il.c: the `il` generator: a profiler rewriting IL method bodies with IMethodMalloc.
 *
 * Modules load (mark(module, slot)), have their methods' new bodies allocated in batches while
 * other modules are loaded too, and unload (reset(slot)) once all their methods are rewritten:
 * allocate only, release everything at unload (IMethodMalloc has Alloc and nothing
 * else; each allocator belongs to one module). scope = the module's slot: the lowest slot free
 * at load (at most IL_MAX_LIVE modules are loaded at once), so a slot is reused only after its
 * previous module's reset. Body sizes come from il_bodies.c (the measured distribution).
 *
 * Alignment: IMethodMalloc::Alloc has no alignment parameter; the trace asks for what the body
 * needs, 4 bytes for a fat header (and its 4-aligned EH sections), 1 for a tiny header.
 *
 * Threads (--threads N): N JIT threads rewrite methods in parallel; each batch runs on a thread
 * drawn from a stream of its own (so every N gives the same bodies, op for op), and the batches
 * of one module land on several threads: they allocate in the same module at once (bump is per
 * module and not thread-safe by design: it takes its per-module lock then). A module's unload
 * runs on the thread of its last batch.
 */
#include "workloads/gen_common.h"
#include "workloads/gen_rng.h"
#include "workloads/il_bodies.h"

#include <stdio.h>

#define IL_METHODS_AT_SCALE_1 3000000
#define IL_MAX_LIVE 6
#define IL_MODULE_MIN_METHODS 50
#define IL_MODULE_MAX_METHODS 15000
#define IL_BATCH_MAX 64 /* methods rewritten in one go (one JIT burst) */

typedef struct il_module {
    int loaded;
    uint64_t left; /* methods still to rewrite */
} il_module;

static uint16_t pick_thread(const ab_gen_params *p, ab_rng *tr)
{
    return p->threads > 1 ? (uint16_t)ab_rng_range(tr, 0, p->threads - 1) : 0;
}

static int il_generate(const ab_gen_params *p, const char *out_path, char *err, size_t errlen)
{
    if (ab_gen_check("il", p, NULL, err, errlen))
        return -1;
    uint64_t budget = ab_gen_scaled(p, IL_METHODS_AT_SCALE_1, 1);
    char extra[64];
    snprintf(extra, sizeof extra, "methods=%llu", (unsigned long long)budget);
    ab_trace_writer *w = ab_gen_open("il", p, extra, out_path, err, errlen);
    if (!w)
        return -1;
    ab_rng r, tr;
    ab_rng_seed(&r, p->seed);
    ab_gen_thread_rng(p, &tr);
    uint16_t thread = pick_thread(p, &tr); /* of the next batch */
    il_module mod[IL_MAX_LIVE] = {{0}};
    unsigned live = 0, target_live = 1;
    for (;;) {
        /* Load modules up to the target concurrency while there is budget left. */
        while (budget > 0 && live < target_live) {
            unsigned slot = 0;
            while (mod[slot].loaded)
                slot++;
            uint64_t n = ab_rng_log_range(&r, IL_MODULE_MIN_METHODS, IL_MODULE_MAX_METHODS);
            mod[slot].loaded = 1;
            mod[slot].left = n < budget ? n : budget;
            budget -= mod[slot].left;
            live++;
            ab_tw_mark(w, AB_MARK_MODULE, (uint16_t)slot, thread);
            target_live = (unsigned)ab_rng_range(&r, 2, IL_MAX_LIVE);
        }
        if (live == 0)
            break;
        /* A batch of rewrites in one loaded module, picked at random. */
        unsigned k = (unsigned)ab_rng_range(&r, 0, live - 1), slot = 0;
        for (;; slot++)
            if (mod[slot].loaded && k-- == 0)
                break;
        uint64_t batch = ab_rng_range(&r, 1, IL_BATCH_MAX);
        if (batch > mod[slot].left)
            batch = mod[slot].left;
        for (uint64_t i = 0; i < batch; i++) {
            ab_il_body b;
            ab_il_draw_body(&r, &b);
            /* IMethodMalloc::Alloc asks for no alignment: the plain entry */
            ab_tw_alloc(w, b.total, b.align_log2, (uint16_t)slot, thread,
                        AB_OPF_ENTRY(AB_ENTRY_MALLOC));
        }
        mod[slot].left -= batch;
        uint16_t batch_thread = thread;
        thread = pick_thread(p, &tr);
        if (mod[slot].left == 0) {
            ab_tw_reset(w, (uint16_t)slot, batch_thread); /* unload: its bodies go at once */
            mod[slot].loaded = 0;
            live--;
        }
    }
    return ab_tw_close(w, err, errlen);
}

const ab_generator ab_gen_il = {
    .name = "il",
    .summary = "a profiler rewriting IL method bodies: allocate only, release at module unload",
    .help =
        "il: a profiler rewriting IL method bodies through IMethodMalloc (docs/workloads.md).\n"
        "Modules load (mark(module, slot)), get their methods' new bodies allocated in batches\n"
        "of 1..64 while 2..6 modules are loaded at once, and unload (reset(slot)) when done:\n"
        "allocate only, everything released at unload. scope = the module's slot.\n"
        "Methods per module: log-uniform 50..15000. Body = header + code (+ EH sections):\n"
        "  code size: the measured percentiles p10 7, p25 9, p50 21, p75 61, p90 155, p95 266,\n"
        "  p99 744, interpolated log-linearly, with a Pareto tail above p99 fitted to the\n"
        "  measured mean of 70 bytes;\n"
        "  tiny header (1 byte, alignment 1) for 65% of methods (code < 64, no EH), else fat\n"
        "  (12 bytes, alignment 4); EH on 6.4% of methods, 1.38 clauses on average, 4-byte\n"
        "  aligned after the code, small (4 + 12/clause) or, for 14%, fat (4 + 24/clause);\n"
        "  code under 20 bytes is always tiny (fitted so that the body p50 is the measured 23).\n"
        "  Result: body size p50 23, mean 76 bytes, as measured.\n"
        "IMethodMalloc takes no alignment; the trace asks for what the body needs (4 or 1).\n"
        "Knobs: --seed S; --scale X (3 M methods at 1.0); --threads N (1..64): N JIT threads,\n"
        "each batch on a random one, so a module's bodies come from several threads at once\n"
        "(the same bodies for every N).\n",
    .generate = il_generate,
};
