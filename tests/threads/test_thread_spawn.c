/* test_thread_spawn.c: the process state a threaded replay reproduces (replay_threads.c,
 * docs/threads.md), observed by an allocator of the test's own that notes, for every
 * allocation, the OS thread making it and whether the process was still single-threaded
 * (__libc_single_threaded, which glibc clears for good at the first pthread_create).
 *
 * Facts checked, each a named line:
 * - creating the threaded replay starts no thread;
 * - in the first pass, trace thread 0's ops before any other thread's first op run on the
 *   calling (main) thread while the process is still single-threaded;
 * - each other trace thread runs on a thread of its own, created at its first op, in order of
 *   first appearance (thread 2 appears before thread 1 here, and its OS thread is older);
 * - the plain entry (a `malloc` op) reaches the allocator's malloc, the aligned one its alloc;
 * - a second pass runs the same threads (no new ones).
 * Runs first in its own process, so no earlier test has created a thread.
 */
#include "allocators/allocator.h"
#include "harness/measure/null_alloc.h"
#include "harness/measure/replay.h"
#include "harness/measure/replay_threads.h"
#include "workloads/trace_io.h"
#include "workloads/trace_text.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/single_threaded.h>
#include <unistd.h>

#include "tests/check.h"

/* sizes are unique per alloc op: size / 8 indexes what the allocator saw */
static const char spawn_trace[] = "# alignbench-trace 2\n"
                                  "alloc 0 16 16 malloc\n"
                                  "alloc 1 24 16 malloc\n"
                                  "free 0 free\n"
                                  "alloc 2 32 64 aligned_alloc thread=2\n"
                                  "alloc 0 40 16 malloc\n"
                                  "alloc 3 48 16 malloc thread=1\n"
                                  "free 2 thread=2\n"
                                  "free 3 thread=1\n"
                                  "free 1\n"
                                  "free 0\n";

typedef struct seen {
    _Atomic pid_t tid;
    _Atomic int single, plain, calls;
} seen;
static seen by_size[16];
static pid_t main_tid;

static void note(size_t size, int plain)
{
    seen *s = &by_size[(size / 8) & 15];
    s->tid = gettid();
    s->single = __libc_single_threaded;
    s->plain = plain;
    s->calls++;
}

static void *t_alloc(size_t size, size_t align, uint32_t scope)
{
    (void)scope;
    note(size, 0);
    return aligned_alloc(align < 16 ? 16 : align, (size + align - 1) & ~(align - 1));
}

static void *t_malloc(size_t size, uint32_t scope)
{
    (void)scope;
    note(size, 1);
    return malloc(size);
}

static void t_free(void *p, size_t size, size_t align)
{
    (void)size;
    (void)align;
    free(p);
}

static size_t t_footprint(const void *p, size_t size, size_t align)
{
    (void)p;
    (void)align;
    return size;
}

static void t_reset(uint32_t scope)
{
    (void)scope;
}

static const ab_allocator observer = {
    .name = "observer",
    .caps = AB_CAP_FREE | AB_CAP_THREAD_SAFE,
    .alloc = t_alloc,
    .free = t_free,
    .reset = t_reset,
    .footprint = t_footprint,
    .malloc = t_malloc,
};

int main(void)
{
    main_tid = gettid();
    CHECK(__libc_single_threaded, "the test process already has a second thread");
    ab_trace t;
    char err[512];
    if (ab_trace_parse_text(spawn_trace, sizeof spawn_trace - 1, &t, err, sizeof err) != 0) {
        fprintf(stderr, "FAIL spawn trace: %s\n", err);
        return 1;
    }
    CHECK(ab_trace_validate(&t, NULL, err, sizeof err) == 0, "spawn trace invalid: %s", err);
    ab_replay_opts opts = {.touch = AB_TOUCH_ALL};
    ab_replay_mt *mt = ab_replay_mt_create(&t, &observer, &opts, err, sizeof err);
    CHECK(mt != NULL, "create: %s", err);
    if (!mt)
        CHECK_DONE("test_thread_spawn");
    CHECK(ab_replay_mt_threads_started(mt) == 0 && __libc_single_threaded,
          "create started %u threads", ab_replay_mt_threads_started(mt));
    ab_threads_result res;
    ab_replay_failure fail;
    CHECK(ab_replay_mt_pass(mt, &observer, 1, NULL, 0, &res, &fail) == 0, "pass 1: %s", fail.msg);
    CHECK(ab_replay_mt_threads_started(mt) == 2, "pass 1 started %u threads, not 2",
          ab_replay_mt_threads_started(mt));
    /* thread 0 alone: sizes 16 and 24, on the main thread, single-threaded */
    for (size_t size = 16; size <= 24; size += 8) {
        const seen *s = &by_size[size / 8];
        CHECK(s->tid == main_tid, "size %zu ran on tid %d, not the main thread %d", size,
              (int)s->tid, (int)main_tid);
        CHECK(s->single, "size %zu: the process had a second thread while thread 0 ran alone",
              size);
        CHECK(s->plain, "size %zu: a malloc op did not reach the allocator's malloc", size);
    }
    const seen *s40 = &by_size[5], *s32 = &by_size[4], *s48 = &by_size[6];
    CHECK(s40->tid == main_tid, "thread 0's later op ran on tid %d", (int)s40->tid);
    CHECK(!s32->plain, "an aligned_alloc op reached the allocator's malloc");
    CHECK(s32->tid != main_tid && s48->tid != main_tid && s32->tid != s48->tid,
          "trace threads 1 and 2 did not get threads of their own (%d, %d, main %d)", (int)s48->tid,
          (int)s32->tid, (int)main_tid);
    CHECK(s32->tid < s48->tid,
          "trace thread 2 (first to appear) got tid %d, created after thread 1's %d", (int)s32->tid,
          (int)s48->tid);
    pid_t t1 = s48->tid, t2 = s32->tid;
    CHECK(ab_replay_mt_pass(mt, &observer, 1, NULL, 0, &res, &fail) == 0, "pass 2: %s", fail.msg);
    CHECK(ab_replay_mt_threads_started(mt) == 2 && by_size[6].tid == t1 && by_size[4].tid == t2 &&
              by_size[2].tid == main_tid,
          "pass 2 did not run on the same threads");
    CHECK(res.live_blocks_at_end == 0, "%llu blocks live at the end",
          (unsigned long long)res.live_blocks_at_end);
    ab_replay_mt_destroy(mt);
    ab_trace_close(&t);
    CHECK_DONE("test_thread_spawn");
}
