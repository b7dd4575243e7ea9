/* trace_validate.c: the validator that runs before every replay (docs/workloads.md).
 *
 * One pass, O(n) time, memory proportional to the header's max_live_ids, which is first checked
 * against op_count (every id needs an alloc op) and op_count against the file size (at open), so
 * a hostile header cannot make it allocate more than the file is large. Per op it checks the
 * limits (alignment, size, and ids/threads/scopes within the header's counts) and then the
 * semantics through the live table (unknown id, double free, reuse while live, use after reset);
 * at the end it compares the recomputed peak live bytes and counts with the header's.
 *
 * Threads: the op stream order is the replay's global order, each thread's ops keep their
 * stream order, and the only cross-thread orderings are a block's lifetime (alloc -> realloc ->
 * free/reset of the same id generation) and a reset after every op on its scope's blocks
 * (replay_threads.h). So a trace whose ops pass the checks above in stream order can always be
 * replayed with its threads: every wait points to an earlier op, and the earliest pending op
 * never waits (no cycle, no deadlock). What cannot be ordered is a free or realloc that comes
 * before its alloc in the stream, or after the block was already released; in a threaded trace
 * the error names the other thread's op (cross_thread_order).
 */
#include "workloads/trace_io.h"
#include "workloads/trace_live.h"
#include "harness/common/error_message.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static int check_header(const ab_trace_header *h, char *err, size_t errlen)
{
    if (memcmp(h->magic, AB_TRACE_MAGIC, 8) != 0)
        return ab_fail(err, errlen, "header: wrong magic");
    if (h->version < AB_TRACE_VERSION_OLDEST || h->version > AB_TRACE_VERSION)
        return ab_fail(err, errlen, "header: version %u, this build reads %u to %u", h->version,
                       AB_TRACE_VERSION_OLDEST, AB_TRACE_VERSION);
    if (h->header_size != sizeof *h)
        return ab_fail(err, errlen, "header: header_size %u, expected %zu", h->header_size,
                       sizeof *h);
    const uint64_t known = h->version >= 2 ? AB_TRACE_F_TIMESTAMPS | AB_TRACE_F_RECORDED : 0;
    if (h->flags & ~known)
        return ab_fail(err, errlen, "header: flags 0x%llx (version %u defines 0x%llx)",
                       (unsigned long long)h->flags, h->version, (unsigned long long)known);
    size_t ml = strnlen(h->meta, AB_TRACE_META_MAX);
    if (ml == AB_TRACE_META_MAX)
        return ab_fail(err, errlen, "header: metadata is not NUL-terminated");
    for (size_t i = 0; i < ml; i++)
        if (h->meta[i] < 0x20 || h->meta[i] > 0x7e)
            return ab_fail(err, errlen, "header: metadata holds a non-printable byte at %zu", i);
    for (size_t i = ml; i < AB_TRACE_META_MAX; i++)
        if (h->meta[i])
            return ab_fail(err, errlen, "header: bytes after the metadata's NUL are not zero");
    if (h->thread_count > AB_TRACE_MAX_THREADS)
        return ab_fail(err, errlen,
                       "header: thread_count %u is above the limit of %u threads a trace may have "
                       "(what the threaded replay runs)",
                       h->thread_count, AB_TRACE_MAX_THREADS);
    if (h->max_live_ids > h->op_count)
        return ab_fail(err, errlen,
                       "header: max_live_ids %u exceeds the op count %llu (ids must be dense)",
                       h->max_live_ids, (unsigned long long)h->op_count);
    return 0;
}

/* The limits of one op: what the header's counts and the caller's limits allow. */
static int check_limits(const ab_trace_header *h, const ab_trace_limits *lim, const ab_op *op,
                        char *err, size_t errlen)
{
    if (op->thread >= h->thread_count)
        return ab_fail(err, errlen, "thread %u beyond the header's thread_count %u", op->thread,
                       h->thread_count);
    if ((op->kind == AB_OP_ALLOC || op->kind == AB_OP_RESET) && op->scope >= h->scope_count)
        return ab_fail(err, errlen, "scope %u beyond the header's scope_count %u", op->scope,
                       h->scope_count);
    if (op->kind == AB_OP_ALLOC) {
        if (op->id >= h->max_live_ids)
            return ab_fail(err, errlen, "alloc of id %u beyond the header's max_live_ids %u",
                           op->id, h->max_live_ids);
        if (op->align_log2 > lim->max_align_log2)
            return ab_fail(err, errlen, "alignment 2^%u above the limit 2^%u", op->align_log2,
                           lim->max_align_log2);
    }
    if ((op->kind == AB_OP_ALLOC || op->kind == AB_OP_REALLOC) && op->size > lim->max_size)
        return ab_fail(err, errlen, "size %u above the limit %llu", op->size,
                       (unsigned long long)lim->max_size);
    return 0;
}

/* The op that explains a free/realloc of a dead id in a threaded trace: its alloc later in the
 * stream ("cannot be ordered"), or the earlier free/reset that ended it on another thread. Only
 * called on an error, so the O(n) scans cost nothing on a valid trace. */
static void cross_thread_order(const ab_trace *t, uint64_t i, char *msg, size_t len)
{
    const ab_op *op = &t->ops[i];
    if (t->hdr.thread_count < 2 || (op->kind != AB_OP_FREE && op->kind != AB_OP_REALLOC))
        return;
    const char *kind = op->kind == AB_OP_FREE ? "free" : "realloc";
    for (uint64_t k = i; k-- > 0;) {
        const ab_op *o = &t->ops[k];
        int same = (o->kind == AB_OP_ALLOC || o->kind == AB_OP_FREE || o->kind == AB_OP_REALLOC) &&
                   o->id == op->id;
        if (same && o->kind == AB_OP_ALLOC)
            return; /* its last generation started here and a reset ended it: said already */
        if (same && o->kind == AB_OP_FREE) {
            if (o->thread != op->thread)
                snprintf(msg, len,
                         "cross-thread order: %s of id %u on thread %u after thread %u already "
                         "freed it at op %llu",
                         kind, op->id, op->thread, o->thread, (unsigned long long)k);
            return;
        }
    }
    for (uint64_t k = i + 1; k < t->hdr.op_count; k++) {
        const ab_op *o = &t->ops[k];
        if (o->kind == AB_OP_ALLOC && o->id == op->id) {
            snprintf(msg, len,
                     "cross-thread order: %s of id %u on thread %u comes before its alloc (op "
                     "%llu, thread %u) in the op stream, so it cannot be ordered after it",
                     kind, op->id, op->thread, (unsigned long long)k, o->thread);
            return;
        }
    }
}

int ab_trace_validate(const ab_trace *t, const ab_trace_limits *lim, char *err, size_t errlen)
{
    ab_trace_limits def;
    if (!lim) {
        ab_trace_limits_default(&def);
        lim = &def;
    }
    const ab_trace_header *h = &t->hdr;
    if (check_header(h, err, errlen))
        return -1;
    ab_live_table live;
    ab_live_init(&live, NULL, NULL);
    if (ab_live_reserve(&live, h->max_live_ids)) {
        ab_live_fini(&live);
        return ab_fail(err, errlen, "out of memory for a table of %u ids", h->max_live_ids);
    }
    char msg[200];
    int rc = 0;
    ab_trace_window win; /* read through a bounded window: resident trace pages stay bounded */
    ab_trace_window_init(&win, t);
    /* per thread: its last AB_OP_TIME (they may not decrease); from mmap, like the live table,
     * because in the runner malloc is the allocator under test and its baseline is not yet taken */
    uint64_t *last_time = NULL;
    size_t last_time_bytes = (size_t)h->thread_count * sizeof *last_time;
    for (uint64_t i = 0; i < h->op_count; i++) {
        if (ab_trace_window_due(&win, i))
            ab_trace_window_step(&win, i);
        const ab_op *op = &t->ops[i];
        if (op->kind == AB_OP_TIME && op->thread < h->thread_count) {
            if (!last_time &&
                (last_time = mmap(NULL, last_time_bytes, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED) {
                last_time = NULL;
                rc = ab_fail(err, errlen, "out of memory for the timestamps of %u threads",
                             h->thread_count);
                break;
            }
            uint64_t ns = (uint64_t)op->id << 32 | op->size;
            if (ns < last_time[op->thread]) {
                rc = ab_fail(err, errlen,
                             "op %llu: time %llu ns of thread %u is before its previous %llu ns",
                             (unsigned long long)i, (unsigned long long)ns, op->thread,
                             (unsigned long long)last_time[op->thread]);
                break;
            }
            last_time[op->thread] = ns;
        }
        /* A free/realloc of an id beyond the table is an unknown id: the live table says so. */
        if (check_limits(h, lim, op, msg, sizeof msg)) {
            rc = ab_fail(err, errlen, "op %llu: %s", (unsigned long long)i, msg);
            break;
        }
        if (ab_live_apply(&live, op, msg, sizeof msg)) {
            cross_thread_order(t, i, msg, sizeof msg);
            rc = ab_fail(err, errlen, "op %llu: %s", (unsigned long long)i, msg);
            break;
        }
    }
    if (rc == 0) {
        if (live.peak_live_bytes != h->peak_live_bytes)
            rc = ab_fail(err, errlen, "header: peak_live_bytes says %llu, the ops reach %llu",
                         (unsigned long long)h->peak_live_bytes,
                         (unsigned long long)live.peak_live_bytes);
        else if (live.id_bound != h->max_live_ids)
            rc = ab_fail(err, errlen, "header: max_live_ids says %u, the ops use ids below %u",
                         h->max_live_ids, live.id_bound);
        else if (live.thread_span != h->thread_count)
            rc = ab_fail(err, errlen, "header: thread_count says %u, the ops use %u",
                         h->thread_count, live.thread_span);
        else if (live.scope_span != h->scope_count)
            rc = ab_fail(err, errlen, "header: scope_count says %u, the ops use %u", h->scope_count,
                         live.scope_span);
    }
    if (last_time)
        munmap(last_time, last_time_bytes);
    ab_live_fini(&live);
    return rc;
}
