/* trace.h: the trace, the one form every workload takes (docs/workloads.md).
 *
 * A trace is a stream of fixed-size 16-byte operation records behind a versioned header. The
 * binary form is read through mmap, so a trace larger than memory streams; the text form (one op
 * a line) is for people, tests and diffs. Generators, the recorder and `trace convert` write
 * traces; the validator (trace_validate.c) checks one before anything replays it.
 *
 * Ids are dense and reused after a free, so the replay's id -> pointer table is only as large as
 * the header's max_live_ids.
 */
#ifndef AB_TRACE_H
#define AB_TRACE_H

#include <stddef.h>
#include <stdint.h>

#define AB_TRACE_MAGIC "ABTRACE\0" /* 8 bytes at offset 0 */
#define AB_TRACE_VERSION 1u

enum ab_op_kind {
    AB_OP_ALLOC = 1,   /* id, size, align_log2, scope, flags (AB_OPF_ZERO) */
    AB_OP_FREE = 2,    /* id */
    AB_OP_REALLOC = 3, /* id, size = new size (the block keeps its alignment) */
    AB_OP_RESET = 4,   /* scope: bulk release of every block allocated in that scope */
    AB_OP_MARK = 5,    /* flags = mark kind (enum ab_mark_kind); scope = e.g. call number */
};

enum ab_mark_kind {
    AB_MARK_CALL = 1,  /* an RPC call begins */
    AB_MARK_PHASE = 2, /* a phase boundary (ramp, plateau, peak) */
    AB_MARK_MODULE = 3 /* a module load */
};

enum ab_op_flags {
    AB_OPF_ZERO = 1u << 0, /* the block must be zeroed (calloc, [out] buffers) */
};

/* One operation: exactly 16 bytes, little-endian, no padding. */
typedef struct ab_op {
    uint8_t kind;       /* enum ab_op_kind */
    uint8_t align_log2; /* alloc: alignment = 1 << align_log2 */
    uint16_t thread;    /* thread number within the trace, 0-based */
    uint32_t id;        /* alloc/free/realloc: the block's dense id */
    uint32_t size;      /* alloc: bytes; realloc: new size */
    uint16_t scope;     /* alloc, reset: scope (RPC call slot, IL module); mark: argument */
    uint16_t flags;     /* alloc: enum ab_op_flags; mark: enum ab_mark_kind */
} ab_op;
_Static_assert(sizeof(ab_op) == 16, "ab_op must be 16 bytes");

#define AB_TRACE_META_MAX 256

/* The file header; ops start at header_size (a multiple of 16). */
typedef struct ab_trace_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint64_t op_count;
    uint64_t peak_live_bytes; /* max over the trace of live requested bytes */
    uint32_t max_live_ids;    /* ids are < max_live_ids */
    uint16_t thread_count;
    uint16_t scope_count; /* scopes are < scope_count */
    uint64_t flags;
    char meta[AB_TRACE_META_MAX]; /* NUL-terminated "key=value key=value" (generator, seed...) */
} ab_trace_header;

#endif
