/* test_replay_threads.c: the threaded replay (harness/measure/replay_threads.h) and the
 * cross-thread checks of the validator, in-process.
 *
 * Facts checked, each a named line:
 * - a deterministic multi-threaded trace (hand-written, and the rpc/il/simd generators with 2
 *   and 3 threads) replays on every in-process allocator (malloc, aligned_malloc, bump, rpcss,
 *   the threaded null floor) with the same final state as the trace's own model (trace_live.h,
 *   applied in stream order): the blocks and bytes left live match, so with a trace that
 *   releases everything the replay's live count is 0; every thread ran exactly its own ops;
 *   a second pass (repetition) gives the same; the per-op pass fills the kind histograms with
 *   exactly the trace's op counts;
 * - the validator rejects a trace whose cross-thread frees cannot be ordered, naming the op and
 *   the other thread, and accepts the same ops in an order that can be replayed;
 * - the generators with N threads give traces with N threads, remote frees, and (rpc, il) the
 *   same ops as with one thread, but for the thread field.
 * jemalloc and mimalloc replace malloc for the whole process, so they are tested
 * through the runner (threads_cli.sh), not here. An allocator that refuses to be created here
 * (malloc under a sanitizer is the sanitizer's) is skipped with its reason.
 */
#include "allocators/allocator.h"
#include "harness/measure/null_alloc.h"
#include "harness/measure/replay.h"
#include "harness/measure/replay_threads.h"
#include "workloads/generators.h"
#include "workloads/trace_io.h"
#include "workloads/trace_live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"

/* ops interleaved over 3 threads: remote frees, a remote realloc, an id reused by another
 * thread after a remote free, a reset by a thread that did not allocate the scope's blocks,
 * a scope reused after that reset, and blocks left live at the end (released by the harness) */
static const char mixed_trace[] = "# alignbench-trace 1\n"
                                  "alloc 0 100 16 scope=0\n"
                                  "alloc 1 64 64 scope=1 thread=1\n"
                                  "alloc 2 4096 4096 scope=1 thread=2\n"
                                  "free 0 thread=1\n"
                                  "alloc 0 200 16 scope=0 thread=2\n"
                                  "realloc 1 300\n"
                                  "alloc 3 48 32 scope=0 thread=1 zero\n"
                                  "free 2\n"
                                  "reset 0\n"
                                  "alloc 4 24 8 scope=0 thread=2\n"
                                  "free 1 thread=2\n"
                                  "alloc 5 33 16 scope=1 thread=1\n"
                                  "mark call 1 thread=2\n"
                                  "free 4 thread=1\n";

/* The trace's own final state, by the one model of trace semantics. */
static void model_end(const ab_trace *t, uint64_t *blocks, uint64_t *bytes)
{
    ab_live_table live;
    ab_live_init(&live, NULL, NULL);
    char err[200];
    for (uint64_t i = 0; i < t->hdr.op_count; i++)
        if (ab_live_apply(&live, &t->ops[i], err, sizeof err) != 0)
            fprintf(stderr, "model: op %llu: %s\n", (unsigned long long)i, err);
    *blocks = live.live_count;
    *bytes = live.live_bytes;
    ab_live_fini(&live);
}

static uint64_t ops_of_kind(const ab_trace *t, unsigned kind)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < t->hdr.op_count; i++)
        n += t->ops[i].kind == kind;
    return n;
}

/* Replays t on a (created for t's threads) twice and per-op once; checks the final state. */
static void replay_on(const char *what, const ab_trace *t, const ab_allocator *a)
{
    char err[512] = "";
    unsigned nt = t->hdr.thread_count;
    ab_alloc_config cfg = {.threads = nt};
    int own = a != &ab_null_threaded_allocator;
    if (own && a->create(&cfg, err, sizeof err) != 0) {
        printf("skip %s on %s: %s\n", what, a->name, err);
        return;
    }
    ab_replay_opts o = {.touch = AB_TOUCH_ALL};
    ab_replay_mt *mt = ab_replay_mt_create(t, a, &o, err, sizeof err);
    CHECK(mt, "%s on %s: create: %s", what, a->name, err);
    ab_replay *r = ab_replay_create(t, a, &o, err, sizeof err); /* for the latency set only */
    CHECK(r, "%s on %s: replay create: %s", what, a->name, err);
    if (!mt || !r) {
        ab_replay_mt_destroy(mt);
        ab_replay_destroy(r);
        if (own)
            a->destroy();
        return;
    }
    uint64_t blocks, bytes, timed = t->hdr.op_count - ops_of_kind(t, AB_OP_MARK);
    model_end(t, &blocks, &bytes);
    ab_replay_failure fail = {0};
    for (unsigned pass = 0; pass < 2; pass++) {
        ab_threads_result res;
        int rc = ab_replay_mt_pass(mt, a, pass + 1, NULL, 0, &res, &fail);
        CHECK(rc == 0, "%s on %s: pass %u failed: %s", what, a->name, pass, fail.msg);
        if (rc)
            break;
        CHECK(res.threads == nt, "%s on %s: %u threads, the trace has %u", what, a->name,
              res.threads, nt);
        CHECK(res.ops == timed, "%s on %s: %llu timed ops, the trace has %llu", what, a->name,
              (unsigned long long)res.ops, (unsigned long long)timed);
        uint64_t sum = 0;
        for (unsigned k = 0; k < nt; k++)
            sum += res.thread[k].ops;
        CHECK(sum == timed, "%s on %s: the threads ran %llu ops, not %llu", what, a->name,
              (unsigned long long)sum, (unsigned long long)timed);
        CHECK(res.live_blocks_at_end == blocks && res.live_bytes_at_end == bytes,
              "%s on %s, pass %u: %llu blocks / %llu bytes live at the end, the trace leaves "
              "%llu / %llu",
              what, a->name, pass, (unsigned long long)res.live_blocks_at_end,
              (unsigned long long)res.live_bytes_at_end, (unsigned long long)blocks,
              (unsigned long long)bytes);
        CHECK(res.wall_ticks > 0, "%s on %s: no time measured", what, a->name);
    }
    ab_latency_set lat;
    if (ab_replay_latency_set_init(r, &lat, 0) == 0) {
        ab_threads_result res;
        int rc = ab_replay_mt_pass(mt, a, 1, &lat, 0, &res, &fail);
        CHECK(rc == 0, "%s on %s: per-op pass failed: %s", what, a->name, fail.msg);
        for (unsigned k = AB_OP_ALLOC; rc == 0 && k <= AB_OP_RESET; k++) {
            uint64_t want = ops_of_kind(t, k), got = lat.kind[k] ? lat.kind[k]->count : 0;
            CHECK(got == want, "%s on %s: %llu %s latencies, the trace has %llu such ops", what,
                  a->name, (unsigned long long)got, ab_op_kind_name(k), (unsigned long long)want);
        }
        ab_replay_latency_set_free(&lat);
    }
    ab_replay_mt_destroy(mt);
    ab_replay_destroy(r);
    if (own)
        a->destroy();
}

static void replay_everywhere(const char *what, const ab_trace *t)
{
    static const char *const names[] = {"malloc", "aligned_malloc", "bump", "rpcss"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const ab_allocator *a = ab_allocator_find(names[i]);
        CHECK(a, "allocator %s is not built in", names[i]);
        if (a)
            replay_on(what, t, a);
    }
    uint64_t max_size = 0;
    for (uint64_t i = 0; i < t->hdr.op_count; i++)
        if (t->ops[i].size > max_size)
            max_size = t->ops[i].size;
    CHECK(ab_null_prepare_threads(max_size, 4096, t->hdr.thread_count) == 0,
          "null floor: cannot map its blocks");
    replay_on(what, t, &ab_null_threaded_allocator);
    ab_null_release();
}

static int open_text(const char *text, ab_trace *t)
{
    char err[512];
    if (ab_trace_open_memory(text, strlen(text), t, err, sizeof err) != 0) {
        fprintf(stderr, "cannot open a test trace: %s\n", err);
        return -1;
    }
    return 0;
}

static void check_mixed(void)
{
    ab_trace t;
    if (open_text(mixed_trace, &t) != 0) {
        check_failures++;
        return;
    }
    char err[512];
    CHECK(ab_trace_validate(&t, NULL, err, sizeof err) == 0, "mixed trace invalid: %s", err);
    CHECK(t.hdr.thread_count == 3, "mixed trace: %u threads", t.hdr.thread_count);
    replay_everywhere("mixed", &t);
    ab_trace_close(&t);
}

/* validator: (trace, the words its error must hold) */
static void check_validator(void)
{
    static const struct {
        const char *name, *text, *want1, *want2;
    } bad[] = {
        {"free-before-alloc-on-other-thread",
         "# alignbench-trace 1\nalloc 0 8 8\nfree 1 thread=1\nalloc 1 8 8\nfree 0\n",
         "op 1: cross-thread order: free of id 1 on thread 1 comes before its alloc",
         "(op 2, thread 0)"},
        {"realloc-before-alloc-on-other-thread",
         "# alignbench-trace 1\nrealloc 0 16 thread=1\nalloc 0 8 8\n",
         "op 0: cross-thread order: realloc of id 0 on thread 1 comes before its alloc", "op 1"},
        {"double-free-by-two-threads",
         "# alignbench-trace 1\nalloc 0 8 8\nfree 0 thread=1\nfree 0\n",
         "op 2: cross-thread order: free of id 0 on thread 0 after thread 1 already freed it",
         "at op 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ab_trace t;
        char err[512] = "";
        if (open_text(bad[i].text, &t) != 0) {
            check_failures++;
            continue;
        }
        int rc = ab_trace_validate(&t, NULL, err, sizeof err);
        CHECK(rc != 0 && strstr(err, bad[i].want1) && strstr(err, bad[i].want2),
              "%s: rc %d, error '%s'", bad[i].name, rc, err);
        ab_trace_close(&t);
    }
    /* the same ops in an order the threads can follow */
    ab_trace t;
    char err[512] = "";
    if (open_text("# alignbench-trace 1\nalloc 0 8 8\nalloc 1 8 8\nfree 1 thread=1\nfree 0\n",
                  &t) == 0) {
        CHECK(ab_trace_validate(&t, NULL, err, sizeof err) == 0,
              "orderable cross-thread trace rejected: %s", err);
        ab_trace_close(&t);
    }
}

/* generated traces: N threads, remote frees, and for rpc and il the ops of the 1-thread trace */
static void check_generators(const char *dir)
{
    static const char *const gens[] = {"rpc", "il", "simd"};
    for (size_t g = 0; g < 3; g++) {
        ab_trace one = {0};
        int have_one = 0;
        for (unsigned n = 1; n <= 3; n++) {
            char path[512], err[512];
            snprintf(path, sizeof path, "%s/%s-%u.abt", dir, gens[g], n);
            ab_gen_params p = {.seed = 7, .scale = 0.005, .threads = n};
            if (ab_generator_find(gens[g])->generate(&p, path, err, sizeof err) != 0) {
                CHECK(0, "gen %s --threads %u: %s", gens[g], n, err);
                continue;
            }
            ab_trace t;
            if (ab_trace_open(path, &t, err, sizeof err) != 0) {
                CHECK(0, "%s: %s", path, err);
                continue;
            }
            CHECK(ab_trace_validate(&t, NULL, err, sizeof err) == 0, "gen %s --threads %u: %s",
                  gens[g], n, err);
            CHECK(t.hdr.thread_count == n, "gen %s --threads %u: %u threads in the trace", gens[g],
                  n, t.hdr.thread_count);
            /* remote frees: a free on another thread than its block's alloc */
            uint16_t *owner = calloc(t.hdr.max_live_ids + 1, sizeof *owner);
            uint64_t remote = 0;
            for (uint64_t i = 0; owner && i < t.hdr.op_count; i++) {
                const ab_op *op = &t.ops[i];
                if (op->kind == AB_OP_ALLOC)
                    owner[op->id] = op->thread;
                else if (op->kind == AB_OP_FREE && owner[op->id] != op->thread)
                    remote++;
            }
            free(owner);
            if (n == 1)
                CHECK(remote == 0, "gen %s: %llu remote frees with one thread", gens[g],
                      (unsigned long long)remote);
            else if (strcmp(gens[g], "il")) /* il frees nothing: its modules unload */
                CHECK(remote > 0, "gen %s --threads %u: no remote free", gens[g], n);
            if (n == 1) {
                one = t;
                have_one = 1;
                continue;
            }
            if (strcmp(gens[g], "simd") && have_one) {
                int same = one.hdr.op_count == t.hdr.op_count;
                for (uint64_t i = 0; same && i < t.hdr.op_count; i++) {
                    ab_op a = one.ops[i], b = t.ops[i];
                    a.thread = b.thread = 0;
                    a.id = b.id = 0; /* ids come from per-thread free lists */
                    same = !memcmp(&a, &b, sizeof a);
                }
                CHECK(same, "gen %s --threads %u: not the ops of --threads 1", gens[g], n);
            }
            if (n == 2) {
                char what[64];
                snprintf(what, sizeof what, "gen %s --threads 2", gens[g]);
                replay_everywhere(what, &t);
            }
            ab_trace_close(&t);
        }
        if (have_one)
            ab_trace_close(&one);
    }
}

int main(void)
{
    char dir[] = "/tmp/ab_threads_XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    check_mixed();
    check_validator();
    check_generators(dir);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    CHECK_DONE("test_replay_threads");
}
