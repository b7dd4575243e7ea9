/* trace_live.c: the live table (see trace_live.h): trace semantics, op by op, in O(1) each. */
#include "workloads/trace_live.h"
#include "harness/common/error_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *default_grow(void *old, size_t old_bytes, size_t new_bytes)
{
    char *p = realloc(old, new_bytes);
    if (p && new_bytes > old_bytes)
        memset(p + old_bytes, 0, new_bytes - old_bytes);
    return p;
}

static void default_release(void *p, size_t bytes)
{
    (void)bytes;
    free(p);
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

static const char *const kind_names[] = {"?", "alloc", "free", "realloc", "reset", "mark"};

int ab_live_apply(ab_live_table *t, const ab_op *op, char *err, size_t errlen)
{
    if (op->kind < AB_OP_ALLOC || op->kind > AB_OP_MARK)
        return ab_fail(err, errlen, "unknown op kind %u", op->kind);
    const char *kname = kind_names[op->kind];
    /* Fields an op kind does not use must be zero, so that text and binary round-trip exactly. */
    int unused_set = 0;
    switch (op->kind) {
    case AB_OP_ALLOC:
        if (op->flags & ~(unsigned)AB_OPF_ZERO)
            return ab_fail(err, errlen, "alloc has unknown flags 0x%x", op->flags);
        break;
    case AB_OP_FREE:
        unused_set = op->align_log2 || op->size || op->scope || op->flags;
        break;
    case AB_OP_REALLOC:
        unused_set = op->align_log2 || op->scope || op->flags;
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
