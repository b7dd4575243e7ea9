/* trace_writer.c: the buffered binary trace writer (see trace_writer.h). */
#include "workloads/trace_writer.h"
#include "harness/common/error_message.h"
#include "harness/common/atomic_file.h"
#include "workloads/trace_live.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WRITER_BUF_OPS 4096 /* 64 KiB of ops between writes */

/* Released ids go back to the thread that released them, and a thread reuses its own ids first:
 * in a threaded trace an alloc seldom has to wait for another thread just because of its id
 * (replay_threads.h). With one thread this is the one LIFO stack it always was. */
typedef struct id_stack {
    uint32_t *ids; /* [head, n) are free: own allocs pop at n, other threads take at head */
    size_t head, n, cap;
} id_stack;

struct ab_trace_writer {
    ab_atomic_file file;
    ab_trace_header hdr;
    ab_live_table live;
    ab_op buf[WRITER_BUF_OPS];
    size_t nbuf;
    id_stack *free_ids; /* per thread: LIFO stack of the ids that thread released */
    size_t nstacks;
    uint16_t cur_thread; /* the thread of the op being applied */
    uint32_t next_fresh; /* ids below it have been used */
    int failed;
    char err[300];
};

static void set_error(ab_trace_writer *w, const char *fmt, ...)
{
    if (w->failed)
        return;
    w->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof w->err, fmt, ap);
    va_end(ap);
}

static void push_free_id(void *ctx, uint32_t id)
{
    ab_trace_writer *w = ctx;
    if (w->cur_thread >= w->nstacks) {
        size_t n = (size_t)w->cur_thread + 1;
        id_stack *p = realloc(w->free_ids, n * sizeof *p);
        if (!p) {
            set_error(w, "out of memory for the id free lists");
            return;
        }
        memset(p + w->nstacks, 0, (n - w->nstacks) * sizeof *p);
        w->free_ids = p;
        w->nstacks = n;
    }
    id_stack *st = &w->free_ids[w->cur_thread];
    if (st->head == st->n)
        st->head = st->n = 0;
    if (st->n == st->cap && st->head > 0) {
        memmove(st->ids, st->ids + st->head, (st->n - st->head) * sizeof *st->ids);
        st->n -= st->head;
        st->head = 0;
    }
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 1024;
        uint32_t *p = realloc(st->ids, cap * sizeof *p);
        if (!p) {
            set_error(w, "out of memory for the id free list");
            return;
        }
        st->ids = p;
        st->cap = cap;
    }
    st->ids[st->n++] = id;
}

ab_trace_writer *ab_tw_create(const char *path, const char *meta, char *err, size_t errlen)
{
    if (meta && strlen(meta) >= AB_TRACE_META_MAX) {
        ab_fail(err, errlen, "metadata longer than %d characters", AB_TRACE_META_MAX - 1);
        return NULL;
    }
    for (const char *c = meta; c && *c; c++)
        if (*c < 0x20 || *c > 0x7e) {
            ab_fail(err, errlen, "metadata holds a non-printable character");
            return NULL;
        }
    ab_trace_writer *w = calloc(1, sizeof *w);
    if (!w) {
        ab_fail(err, errlen, "out of memory");
        return NULL;
    }
    if (ab_atomic_open(&w->file, path, err, errlen)) {
        free(w);
        return NULL;
    }
    memcpy(w->hdr.magic, AB_TRACE_MAGIC, 8);
    w->hdr.version = AB_TRACE_VERSION;
    w->hdr.header_size = sizeof w->hdr;
    if (meta)
        memcpy(w->hdr.meta, meta, strlen(meta));
    ab_live_init(&w->live, NULL, NULL);
    w->live.on_release = push_free_id;
    w->live.on_release_ctx = w;
    /* The header's place; its contents are written at close. */
    if (fwrite(&w->hdr, sizeof w->hdr, 1, w->file.f) != 1)
        set_error(w, "%s: write failed: %s", path, strerror(errno));
    return w;
}

static void flush_ops(ab_trace_writer *w)
{
    if (w->nbuf && fwrite(w->buf, sizeof w->buf[0], w->nbuf, w->file.f) != w->nbuf)
        set_error(w, "%s: write failed: %s", w->file.final_path, strerror(errno));
    w->nbuf = 0;
}

static void append(ab_trace_writer *w, const ab_op *op)
{
    if (w->failed)
        return;
    char msg[200];
    w->cur_thread = op->thread;
    if (ab_live_apply(&w->live, op, msg, sizeof msg)) {
        set_error(w, "op %llu: %s", (unsigned long long)w->live.op_count, msg);
        return;
    }
    w->buf[w->nbuf++] = *op;
    if (w->nbuf == WRITER_BUF_OPS)
        flush_ops(w);
}

/* The thread's most recently released id; else the oldest id another thread released (long
 * done, so the replay's wait for it rarely waits); a fresh id only when every list is empty, so
 * max_live_ids stays the peak number of live blocks. */
static uint32_t take_free_id(ab_trace_writer *w, uint16_t thread)
{
    if (thread < w->nstacks) {
        id_stack *st = &w->free_ids[thread];
        if (st->n > st->head)
            return st->ids[--st->n];
    }
    for (size_t t = 0; t < w->nstacks; t++) {
        id_stack *st = &w->free_ids[t];
        if (st->n > st->head)
            return st->ids[st->head++];
    }
    return w->next_fresh++;
}

uint32_t ab_tw_alloc(ab_trace_writer *w, uint32_t size, unsigned align_log2, uint16_t scope,
                     uint16_t thread, uint16_t flags)
{
    if (w->failed)
        return UINT32_MAX;
    if (align_log2 > 63) {
        set_error(w, "op %llu: alignment 2^%u", (unsigned long long)w->live.op_count, align_log2);
        return UINT32_MAX;
    }
    uint32_t id = take_free_id(w, thread);
    ab_op op = {.kind = AB_OP_ALLOC,
                .align_log2 = (uint8_t)align_log2,
                .thread = thread,
                .id = id,
                .size = size,
                .scope = scope,
                .flags = flags};
    append(w, &op);
    return w->failed ? UINT32_MAX : id;
}

void ab_tw_free(ab_trace_writer *w, uint32_t id, uint16_t thread)
{
    ab_op op = {.kind = AB_OP_FREE, .thread = thread, .id = id};
    append(w, &op);
}

void ab_tw_free_as(ab_trace_writer *w, uint32_t id, uint16_t thread, unsigned entry)
{
    ab_op op = {.kind = AB_OP_FREE, .thread = thread, .id = id, .flags = AB_OPF_ENTRY(entry)};
    append(w, &op);
}

void ab_tw_realloc_as(ab_trace_writer *w, uint32_t id, uint32_t size, uint16_t thread,
                      unsigned entry)
{
    ab_op op = {.kind = AB_OP_REALLOC,
                .thread = thread,
                .id = id,
                .size = size,
                .flags = AB_OPF_ENTRY(entry)};
    append(w, &op);
}

void ab_tw_realloc(ab_trace_writer *w, uint32_t id, uint32_t size, uint16_t thread)
{
    ab_op op = {.kind = AB_OP_REALLOC, .thread = thread, .id = id, .size = size};
    append(w, &op);
}

void ab_tw_reset(ab_trace_writer *w, uint16_t scope, uint16_t thread)
{
    ab_op op = {.kind = AB_OP_RESET, .thread = thread, .scope = scope};
    append(w, &op);
}

void ab_tw_mark(ab_trace_writer *w, enum ab_mark_kind kind, uint16_t arg, uint16_t thread)
{
    ab_op op = {.kind = AB_OP_MARK, .thread = thread, .scope = arg, .flags = (uint16_t)kind};
    append(w, &op);
}

static void destroy(ab_trace_writer *w)
{
    ab_live_fini(&w->live);
    for (size_t t = 0; t < w->nstacks; t++)
        free(w->free_ids[t].ids);
    free(w->free_ids);
    free(w);
}

void ab_tw_abort(ab_trace_writer *w)
{
    ab_atomic_abort(&w->file);
    destroy(w);
}

int ab_tw_close(ab_trace_writer *w, char *err, size_t errlen)
{
    flush_ops(w);
    ab_live_fill_header(&w->live, &w->hdr);
    if (!w->failed &&
        (fseek(w->file.f, 0, SEEK_SET) != 0 || fwrite(&w->hdr, sizeof w->hdr, 1, w->file.f) != 1))
        set_error(w, "%s: write failed: %s", w->file.final_path, strerror(errno));
    if (w->failed) {
        ab_fail(err, errlen, "%s", w->err);
        ab_tw_abort(w);
        return -1;
    }
    int rc = ab_atomic_commit(&w->file, err, errlen);
    destroy(w);
    return rc;
}

int ab_trace_save_binary(const ab_trace *t, const char *path, char *err, size_t errlen)
{
    ab_atomic_file af;
    if (ab_atomic_open(&af, path, err, errlen))
        return -1;
    if (fwrite(&t->hdr, sizeof t->hdr, 1, af.f) != 1 ||
        (t->hdr.op_count &&
         fwrite(t->ops, sizeof(ab_op), t->hdr.op_count, af.f) != t->hdr.op_count)) {
        int saved = errno;
        ab_atomic_abort(&af);
        return ab_fail(err, errlen, "%s: write failed: %s", path, strerror(saved));
    }
    return ab_atomic_commit(&af, err, errlen);
}
