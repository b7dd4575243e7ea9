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
#define AB_TRACE_VERSION 2u        /* written by this build */
#define AB_TRACE_VERSION_OLDEST 1u /* still read: every op's entry point is AB_ENTRY_UNSPEC */

enum ab_op_kind {
    AB_OP_ALLOC = 1,   /* id, size, align_log2, scope, flags (AB_OPF_ZERO) */
    AB_OP_FREE = 2,    /* id */
    AB_OP_REALLOC = 3, /* id, size = new size (the block keeps its alignment) */
    AB_OP_RESET = 4,   /* scope: bulk release of every block allocated in that scope */
    AB_OP_MARK = 5,    /* flags = mark kind (enum ab_mark_kind); scope = e.g. call number */
    /* Version 2: the time of the next op of the same thread, in ns since the recording began:
     * (id << 32) | size. Written only when a recording asked for timestamps; never timed or
     * counted by the replay. */
    AB_OP_TIME = 6,
};

enum ab_mark_kind {
    AB_MARK_CALL = 1,  /* an RPC call begins */
    AB_MARK_PHASE = 2, /* a phase boundary (ramp, plateau, peak) */
    AB_MARK_MODULE = 3 /* a module load */
};

enum ab_op_flags {
    AB_OPF_ZERO = 1u << 0, /* the block must be zeroed (calloc, [out] buffers) */
};

/* Version 2: which entry point the program called, in bits 8..11 of `flags` of an alloc, free
 * or realloc op (AB_OP_ENTRY reads it). It decides how the replay calls the allocator:
 *   plain:    MALLOC, NEW                -> the allocator's plain malloc at the original size
 *   zeroed:   CALLOC                     -> its calloc (AB_OPF_ZERO is set as well)
 *   aligned:  POSIX_MEMALIGN, ALIGNED_ALLOC, MEMALIGN, VALLOC, NEW_ALIGNED, UNSPEC
 *                                        -> its aligned entry with 1 << align_log2
 *   realloc:  REALLOC (also reallocarray; realloc(NULL, n) is recorded as MALLOC and
 *             realloc(p, 0) as FREE)
 *   free:     FREE, DELETE (unsized), FREE_SIZED, FREE_ALIGNED_SIZED (the size is known)
 * align_log2 of a plain or zeroed alloc is the alignment the C library guarantees for it (16 on
 * x86-64), which the replay checks but does not ask for. UNSPEC is every op of a version-1
 * trace: an alloc through the aligned entry with its align_log2, a free and realloc as before.
 * Generators mark their ops too: an allocation that asks for an alignment (_aligned_malloc, an
 * over-aligned SIMD object) is ALIGNED_ALLOC, one that does not (MIDL_user_allocate,
 * IMethodMalloc::Alloc) is MALLOC. */
enum ab_entry {
    AB_ENTRY_UNSPEC = 0,
    AB_ENTRY_MALLOC = 1,
    AB_ENTRY_CALLOC = 2,
    AB_ENTRY_REALLOC = 3,
    AB_ENTRY_POSIX_MEMALIGN = 4,
    AB_ENTRY_ALIGNED_ALLOC = 5,
    AB_ENTRY_MEMALIGN = 6,
    AB_ENTRY_VALLOC = 7, /* valloc, pvalloc: page-aligned */
    AB_ENTRY_FREE = 8,
    AB_ENTRY_FREE_SIZED = 9,          /* free_sized, sdallocx, sized operator delete */
    AB_ENTRY_FREE_ALIGNED_SIZED = 10, /* free_aligned_sized, sized aligned operator delete */
    AB_ENTRY_NEW = 11,                /* operator new, new[] */
    AB_ENTRY_NEW_ALIGNED = 12,        /* operator new(size, align_val_t) */
    AB_ENTRY_DELETE = 13,             /* operator delete, delete[], unsized (aligned or not) */
    AB_ENTRY_COUNT = 14
};
#define AB_OPF_ENTRY_SHIFT 8
#define AB_OPF_ENTRY_MASK (0xFu << AB_OPF_ENTRY_SHIFT)
#define AB_OP_ENTRY(op) ((unsigned)(((op)->flags & AB_OPF_ENTRY_MASK) >> AB_OPF_ENTRY_SHIFT))
#define AB_OPF_ENTRY(e) ((uint16_t)((unsigned)(e) << AB_OPF_ENTRY_SHIFT))

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

enum ab_trace_flags {
    AB_TRACE_F_TIMESTAMPS = 1u << 0, /* version 2: AB_OP_TIME ops precede the ops they time */
    AB_TRACE_F_RECORDED = 1u << 1,   /* version 2: recorded from a program (not generated) */
};

/* The file header; ops start at header_size (a multiple of 16). */
/* The most threads a trace may have: what the threaded replay runs (one limit for the validator,
 * the generators, `run --threads` and the runner). */
#define AB_TRACE_MAX_THREADS 64u

typedef struct ab_trace_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint64_t op_count;
    uint64_t peak_live_bytes; /* max over the trace of live requested bytes */
    uint32_t max_live_ids;    /* ids are < max_live_ids */
    uint16_t thread_count;
    uint16_t scope_count;         /* scopes are < scope_count */
    uint64_t flags;               /* enum ab_trace_flags */
    char meta[AB_TRACE_META_MAX]; /* NUL-terminated "key=value key=value" (generator, seed...) */
} ab_trace_header;

#endif
