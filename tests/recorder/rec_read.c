/* rec_read.c: reads a recorded (version 2) binary trace and says what recorder.sh asserts: the
 * header flags, the marked ops of rec_prog (allocs of 12345 bytes and their frees), each op's
 * entry point, and the version 2 rules the recorder must keep whatever the validator of the
 * build checks: every alloc/free/realloc names an entry point that fits its kind, AB_OP_TIME
 * values never decrease and each time op is followed by an op of the same thread (with
 * AB_TRACE_F_TIMESTAMPS: every op has one).
 *
 * Usage: rec_read FILE [--ops]. Prints "key=value" lines (and with --ops one line per alloc, free
 * and realloc: "alloc size=1001 align=16 entry=MALLOC"); exits 1 if a rule is broken (each broken
 * rule is printed as "FAIL ..."), 2 if the file cannot be read.
 */
#include "workloads/trace_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK 12345

static const char *const entry_names[AB_ENTRY_COUNT] = {
    "UNSPEC",      "MALLOC", "CALLOC", "REALLOC",    "POSIX_MEMALIGN",     "ALIGNED_ALLOC",
    "MEMALIGN",    "VALLOC", "FREE",   "FREE_SIZED", "FREE_ALIGNED_SIZED", "NEW",
    "NEW_ALIGNED", "DELETE"};

static int fits(unsigned kind, unsigned e)
{
    switch (kind) {
    case AB_OP_ALLOC:
        return e == AB_ENTRY_MALLOC || e == AB_ENTRY_CALLOC || e == AB_ENTRY_POSIX_MEMALIGN ||
               e == AB_ENTRY_ALIGNED_ALLOC || e == AB_ENTRY_MEMALIGN || e == AB_ENTRY_VALLOC ||
               e == AB_ENTRY_NEW || e == AB_ENTRY_NEW_ALIGNED;
    case AB_OP_FREE:
        return e == AB_ENTRY_FREE || e == AB_ENTRY_FREE_SIZED || e == AB_ENTRY_FREE_ALIGNED_SIZED ||
               e == AB_ENTRY_DELETE;
    case AB_OP_REALLOC:
        return e == AB_ENTRY_REALLOC;
    default:
        return 0;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: rec_read FILE [--ops]\n");
        return 2;
    }
    int list = argc > 2 && !strcmp(argv[2], "--ops");
    ab_trace t;
    char err[600];
    if (ab_trace_open(argv[1], &t, err, sizeof err)) {
        fprintf(stderr, "rec_read: %s\n", err);
        return 2;
    }
    const ab_trace_header *h = &t.hdr;
    uint32_t *sizes = calloc((size_t)h->max_live_ids + 1, sizeof *sizes);
    if (!sizes)
        return 2;
    int bad = 0, timestamps = (h->flags & AB_TRACE_F_TIMESTAMPS) != 0;
    uint64_t time_ops = 0, marked_allocs = 0, marked_frees = 0, last_time = 0;
    for (uint64_t i = 0; i < h->op_count; i++) {
        const ab_op *op = &t.ops[i];
        if (op->kind == AB_OP_TIME) {
            uint64_t ns = ((uint64_t)op->id << 32) | op->size;
            if (time_ops++ && ns < last_time) {
                printf("FAIL op %llu: time %llu before the previous %llu\n", (unsigned long long)i,
                       (unsigned long long)ns, (unsigned long long)last_time);
                bad = 1;
            }
            last_time = ns;
            if (i + 1 >= h->op_count || t.ops[i + 1].kind == AB_OP_TIME ||
                t.ops[i + 1].thread != op->thread) {
                printf("FAIL op %llu: a time op not followed by an op of its thread\n",
                       (unsigned long long)i);
                bad = 1;
            }
            continue;
        }
        if (timestamps && (i == 0 || t.ops[i - 1].kind != AB_OP_TIME)) {
            printf("FAIL op %llu: no time op before it\n", (unsigned long long)i);
            bad = 1;
        }
        unsigned e = AB_OP_ENTRY(op);
        if (!fits(op->kind, e)) {
            printf("FAIL op %llu: kind %u with entry point %u\n", (unsigned long long)i, op->kind,
                   e);
            bad = 1;
            continue;
        }
        if (op->id > h->max_live_ids)
            continue; /* the validator's business */
        if (op->kind == AB_OP_ALLOC) {
            sizes[op->id] = op->size;
            marked_allocs += op->size == MARK;
        } else if (op->kind == AB_OP_FREE) {
            marked_frees += sizes[op->id] == MARK;
        } else {
            sizes[op->id] = op->size;
        }
        if (list && op->kind == AB_OP_ALLOC)
            printf("alloc size=%u align=%llu entry=%s%s\n", op->size, 1ull << op->align_log2,
                   entry_names[e], op->flags & AB_OPF_ZERO ? " zero" : "");
        else if (list)
            printf("%s size=%u entry=%s\n", op->kind == AB_OP_FREE ? "free" : "realloc",
                   op->kind == AB_OP_FREE ? sizes[op->id] : op->size, entry_names[e]);
    }
    printf("version=%u\nrecorded=%d\ntimestamps=%d\nops=%llu\ntime_ops=%llu\n", h->version,
           (h->flags & AB_TRACE_F_RECORDED) != 0, timestamps, (unsigned long long)h->op_count,
           (unsigned long long)time_ops);
    printf("marked_allocs=%llu\nmarked_frees=%llu\nmeta=%s\n", (unsigned long long)marked_allocs,
           (unsigned long long)marked_frees, h->meta);
    free(sizes);
    ab_trace_close(&t);
    return bad;
}
