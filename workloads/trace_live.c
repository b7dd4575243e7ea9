/* trace_live.c: the live table (see trace_live.h): trace semantics, op by op, in O(1) each. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mremap, also when built outside CMake (tests/workloads: the recorder) */
#endif
#include "workloads/trace_live.h"
#include "harness/common/error_message.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The default arrays come from mmap, never from malloc: the runner validates every trace before
 * it measures, and in the runner malloc *is* the allocator under test, so a table grown with
 * realloc would leave the allocator's memory resident under the memory baseline (and glibc's
 * free of a 256 KiB scope table raises its mmap threshold). mremap grows in place or moves the
 * pages without copying; new pages of an anonymous mapping are zero. */
static size_t page_round(size_t bytes)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (bytes + page - 1) & ~(page - 1);
}

static void *default_grow(void *old, size_t old_bytes, size_t new_bytes)
{
    size_t from = page_round(old_bytes), to = page_round(new_bytes);
    void *p;
    if (!old)
        p = mmap(NULL, to, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    else if (to == from)
        return old;
    else
        p = mremap(old, from, to, MREMAP_MAYMOVE);
    return p == MAP_FAILED ? NULL : p;
}

static void default_release(void *p, size_t bytes)
{
    if (p)
        munmap(p, page_round(bytes));
}

void ab_live_init(ab_live_table *t, ab_live_grow_fn grow, ab_live_free_fn release)
{
    memset(t, 0, sizeof *t);
    t->grow = grow ? grow : default_grow;
    t->release = release ? release : default_release;
}

void ab_live_fini(ab_live_table *t)
{
    if (t->cap) {
        t->release(t->state, (size_t)t->cap * sizeof *t->state);
        t->release(t->size, (size_t)t->cap * sizeof *t->size);
        t->release(t->scope, (size_t)t->cap * sizeof *t->scope);
        t->release(t->prev, (size_t)t->cap * sizeof *t->prev);
        t->release(t->next, (size_t)t->cap * sizeof *t->next);
    }
    if (t->scope_head)
        t->release(t->scope_head, AB_LIVE_SCOPES * sizeof *t->scope_head);
    t->state = NULL;
    t->size = NULL;
    t->scope = NULL;
    t->prev = t->next = NULL;
    t->scope_head = NULL;
    t->cap = 0;
}

/* Grow one per-id array; on failure the table keeps its old arrays (all of the same cap). */
static int grow_array(ab_live_table *t, void **arr, size_t elem, uint32_t new_cap)
{
    void *p = t->grow(*arr, (size_t)t->cap * elem, (size_t)new_cap * elem);
    if (!p)
        return -1;
    *arr = p;
    return 0;
}

int ab_live_reserve(ab_live_table *t, uint32_t n)
{
    if (n <= t->cap)
        return 0;
    if (grow_array(t, (void **)&t->state, sizeof *t->state, n) ||
        grow_array(t, (void **)&t->size, sizeof *t->size, n) ||
        grow_array(t, (void **)&t->scope, sizeof *t->scope, n) ||
        grow_array(t, (void **)&t->prev, sizeof *t->prev, n) ||
        grow_array(t, (void **)&t->next, sizeof *t->next, n))
        return -1; /* arrays grown so far keep their bigger size; cap stays the old one */
    t->cap = n;
    return 0;
}

static int ensure_scopes(ab_live_table *t)
{
    if (t->scope_head)
        return 0;
    t->scope_head = t->grow(NULL, 0, AB_LIVE_SCOPES * sizeof *t->scope_head);
    if (!t->scope_head)
        return -1;
    memset(t->scope_head, 0xff, AB_LIVE_SCOPES * sizeof *t->scope_head); /* AB_LIVE_NIL */
    return 0;
}

static void unlink_id(ab_live_table *t, uint32_t id)
{
    uint32_t p = t->prev[id], n = t->next[id];
    if (p != AB_LIVE_NIL)
        t->next[p] = n;
    else
        t->scope_head[t->scope[id]] = n;
    if (n != AB_LIVE_NIL)
        t->prev[n] = p;
}

static void release_id(ab_live_table *t, uint32_t id, uint8_t new_state)
{
    t->state[id] = new_state;
    t->live_bytes -= t->size[id];
    t->live_count--;
    if (t->on_release)
        t->on_release(t->on_release_ctx, id);
}

/* Why an id that is not live cannot be used, by what happened to it. */
static const char *dead_reason(const ab_live_table *t, uint32_t id, uint8_t kind)
{
    uint8_t s = id < t->cap ? t->state[id] : AB_LIVE_NEVER;
    if (s == AB_LIVE_FREED)
        return kind == AB_OP_FREE ? "double free" : "use after free";
    if (s == AB_LIVE_RESET)
        return "use after reset of its scope";
    return "unknown id (never allocated)";
}

static const char *const kind_names[] = {"?", "alloc", "free", "realloc", "reset", "mark", "time"};

int ab_entry_fits(unsigned kind, unsigned e)
{
    if (e >= AB_ENTRY_COUNT)
        return 0;
    switch (kind) {
    case AB_OP_ALLOC:
        return e == AB_ENTRY_UNSPEC || e == AB_ENTRY_MALLOC || e == AB_ENTRY_CALLOC ||
               (e >= AB_ENTRY_POSIX_MEMALIGN && e <= AB_ENTRY_VALLOC) || e == AB_ENTRY_NEW ||
               e == AB_ENTRY_NEW_ALIGNED;
    case AB_OP_FREE:
        return e == AB_ENTRY_UNSPEC || e == AB_ENTRY_FREE || e == AB_ENTRY_FREE_SIZED ||
               e == AB_ENTRY_FREE_ALIGNED_SIZED || e == AB_ENTRY_DELETE;
    case AB_OP_REALLOC:
        return e == AB_ENTRY_UNSPEC || e == AB_ENTRY_REALLOC;
    default:
        return e == AB_ENTRY_UNSPEC;
    }
}

int ab_live_apply(ab_live_table *t, const ab_op *op, char *err, size_t errlen)
{
    if (op->kind < AB_OP_ALLOC || op->kind > AB_OP_TIME)
        return ab_fail(err, errlen, "unknown op kind %u", op->kind);
    const char *kname = kind_names[op->kind];
    /* Fields an op kind does not use must be zero, so that text and binary round-trip exactly. */
    int unused_set = 0;
    const unsigned entry = AB_OP_ENTRY(op), other_flags = op->flags & ~AB_OPF_ENTRY_MASK;
    if ((op->kind == AB_OP_ALLOC || op->kind == AB_OP_FREE || op->kind == AB_OP_REALLOC) &&
        !ab_entry_fits(op->kind, entry))
        return ab_fail(err, errlen, "%s with entry point %u, which is not one of a %s", kname,
                       entry, kname);
    switch (op->kind) {
    case AB_OP_ALLOC:
        if (other_flags & ~(unsigned)AB_OPF_ZERO)
            return ab_fail(err, errlen, "alloc has unknown flags 0x%x", op->flags);
        break;
    case AB_OP_FREE:
        unused_set = op->align_log2 || op->size || op->scope || other_flags;
        break;
    case AB_OP_TIME: /* ignored by the model: a timestamp in id and size */
        if (op->align_log2 || op->scope || op->flags)
            return ab_fail(err, errlen, "time has nonzero fields it does not use");
        if ((uint32_t)op->thread + 1 > t->thread_span)
            t->thread_span = (uint32_t)op->thread + 1;
        t->op_count++;
        return 0;
    case AB_OP_REALLOC:
        unused_set = op->align_log2 || op->scope || other_flags;
        if (op->size == 0)
            return ab_fail(err, errlen, "realloc of id %u to size 0 (write a free instead)",
                           op->id);
        break;
    case AB_OP_RESET:
        unused_set = op->align_log2 || op->id || op->size || op->flags;
        break;
    case AB_OP_MARK:
        unused_set = op->align_log2 || op->id || op->size;
        if (op->flags < AB_MARK_CALL || op->flags > AB_MARK_MODULE)
            return ab_fail(err, errlen, "mark of unknown kind %u", op->flags);
        break;
    }
    if (unused_set)
        return ab_fail(err, errlen, "%s has nonzero fields it does not use", kname);

    uint32_t id = op->id;
    int uses_id = op->kind == AB_OP_ALLOC || op->kind == AB_OP_FREE || op->kind == AB_OP_REALLOC;
    if (uses_id && id == AB_LIVE_NIL)
        return ab_fail(err, errlen, "id %u is reserved", id);
    if (op->kind != AB_OP_ALLOC && uses_id && (id >= t->cap || t->state[id] != AB_LIVE_LIVE))
        return ab_fail(err, errlen, "%s of id %u: %s", kname, id, dead_reason(t, id, op->kind));
    if (op->thread == UINT16_MAX)
        return ab_fail(err, errlen, "thread %u is reserved", op->thread);
    if ((op->kind == AB_OP_ALLOC || op->kind == AB_OP_RESET) && op->scope == UINT16_MAX)
        return ab_fail(err, errlen, "scope %u is reserved", op->scope);
    if (op->kind == AB_OP_ALLOC || op->kind == AB_OP_RESET) {
        if (ensure_scopes(t))
            return ab_fail(err, errlen, "out of memory for the scope table");
    }

    switch (op->kind) {
    case AB_OP_ALLOC: {
        if (id >= t->cap) {
            uint64_t want = t->cap ? (uint64_t)t->cap * 2 : 1024;
            while (want <= id)
                want *= 2;
            if (want > AB_LIVE_NIL)
                want = AB_LIVE_NIL;
            if (ab_live_reserve(t, (uint32_t)want))
                return ab_fail(err, errlen, "out of memory for %llu ids", (unsigned long long)want);
        }
        if (t->state[id] == AB_LIVE_LIVE)
            return ab_fail(err, errlen, "alloc of id %u: id reused while live", id);
        t->state[id] = AB_LIVE_LIVE;
        t->size[id] = op->size;
        t->scope[id] = op->scope;
        t->prev[id] = AB_LIVE_NIL;
        t->next[id] = t->scope_head[op->scope];
        if (t->next[id] != AB_LIVE_NIL)
            t->prev[t->next[id]] = id;
        t->scope_head[op->scope] = id;
        t->live_bytes += op->size;
        t->live_count++;
        if (t->live_bytes > t->peak_live_bytes)
            t->peak_live_bytes = t->live_bytes;
        if (id + 1 > t->id_bound)
            t->id_bound = id + 1;
        if ((uint32_t)op->scope + 1 > t->scope_span)
            t->scope_span = (uint32_t)op->scope + 1;
        break;
    }
    case AB_OP_FREE:
        unlink_id(t, id);
        release_id(t, id, AB_LIVE_FREED);
        break;
    case AB_OP_REALLOC:
        t->live_bytes = t->live_bytes - t->size[id] + op->size;
        t->size[id] = op->size;
        if (t->live_bytes > t->peak_live_bytes)
            t->peak_live_bytes = t->live_bytes;
        break;
    case AB_OP_RESET: {
        uint32_t i = t->scope_head[op->scope];
        while (i != AB_LIVE_NIL) {
            uint32_t n = t->next[i];
            release_id(t, i, AB_LIVE_RESET);
            i = n;
        }
        t->scope_head[op->scope] = AB_LIVE_NIL;
        if ((uint32_t)op->scope + 1 > t->scope_span)
            t->scope_span = (uint32_t)op->scope + 1;
        break;
    }
    case AB_OP_MARK:
        break;
    }
    if ((uint32_t)op->thread + 1 > t->thread_span)
        t->thread_span = (uint32_t)op->thread + 1;
    t->op_count++;
    return 0;
}

void ab_live_fill_header(const ab_live_table *t, ab_trace_header *h)
{
    h->op_count = t->op_count;
    h->peak_live_bytes = t->peak_live_bytes;
    h->max_live_ids = t->id_bound;
    h->thread_count = (uint16_t)t->thread_span;
    h->scope_count = (uint16_t)t->scope_span;
}
