/* trace_live.h: the live table, the one model of trace semantics shared by everything that
 * follows a trace op by op.
 *
 * The writer (trace_writer.c) uses it to compute the header's counts as ops are appended, the
 * text parser (trace_text.c) to fill in the header of a parsed trace, the validator
 * (trace_validate.c) to check every op and recompute the header, and the recorder to produce a
 * valid header without calling malloc (it passes its own mmap-backed grow function). Keeping the
 * rules in one place means a trace the writer accepts is a trace the validator accepts.
 *
 * Invariants (per id, O(1) per op, O(n) per trace):
 * - state[id] is NEVER (not allocated yet), LIVE, FREED or RESET (released by a reset of its
 * scope);
 * - a LIVE id is on exactly one doubly-linked list, that of its scope; a reset walks that list;
 * - live_bytes is the sum of the requested sizes of the LIVE ids; peak_live_bytes its maximum;
 * - id_bound is 1 + the largest id ever allocated (what the header calls max_live_ids), so the
 *   replay's id -> pointer table has id_bound entries.
 * A realloc keeps the block's scope and alignment; ids may be reused once freed or reset.
 */
#ifndef AB_TRACE_LIVE_H
#define AB_TRACE_LIVE_H

#include "workloads/trace.h"

#include <stddef.h>
#include <stdint.h>

enum ab_live_state { AB_LIVE_NEVER = 0, AB_LIVE_LIVE = 1, AB_LIVE_FREED = 2, AB_LIVE_RESET = 3 };

/* Grows an array from old_bytes to new_bytes (new bytes zeroed); NULL on failure. `old` may be
 * NULL. free_fn releases it. The default pair is mmap/mremap-based (never malloc). */
typedef void *(*ab_live_grow_fn)(void *old, size_t old_bytes, size_t new_bytes);
typedef void (*ab_live_free_fn)(void *p, size_t bytes);

#define AB_LIVE_NIL UINT32_MAX
#define AB_LIVE_SCOPES 65536u /* scope is a uint16 */

typedef struct ab_live_table {
    /* per id, cap entries */
    uint8_t *state;
    uint32_t *size;
    uint16_t *scope;
    uint32_t *prev, *next; /* the scope's list of live ids */
    uint32_t cap;
    uint32_t *scope_head; /* AB_LIVE_SCOPES entries, allocated on first use */
    ab_live_grow_fn grow;
    ab_live_free_fn release;
    /* optional: told of every id a free or a reset releases (the writer's id free list) */
    void (*on_release)(void *ctx, uint32_t id);
    void *on_release_ctx;
    /* recomputed header counts */
    uint64_t live_bytes, peak_live_bytes;
    uint64_t live_count;
    uint32_t id_bound;    /* 1 + largest id allocated */
    uint32_t thread_span; /* 1 + largest thread number seen */
    uint32_t scope_span;  /* 1 + largest scope allocated in or reset */
    uint64_t op_count;
} ab_live_table;

/* grow/release may be NULL for the mmap-based default. */
void ab_live_init(ab_live_table *t, ab_live_grow_fn grow, ab_live_free_fn release);
void ab_live_fini(ab_live_table *t);

/* Make room for ids < n up front (the validator sizes the table once from the header). */
int ab_live_reserve(ab_live_table *t, uint32_t n);

/* Apply one op. Returns 0, or -1 with the problem in err (no op index: the caller adds it) and
 * the table unchanged. Checks the semantics only (unknown id, double free, reuse while live, use
 * after reset, bad kind/flags, nonzero unused fields), not the limits, which belong to the
 * validator. On failure of memory, err says so. */
int ab_live_apply(ab_live_table *t, const ab_op *op, char *err, size_t errlen);

/* 1 when the entry point e (enum ab_entry) is one an op of that kind can carry (trace.h): an
 * alloc a malloc-like entry, a free a free-like one, a realloc REALLOC; UNSPEC fits all three;
 * other kinds carry none. */
int ab_entry_fits(unsigned kind, unsigned e);

/* Fill the counting fields of a header from the table (op_count, peak, ids, threads, scopes). */
void ab_live_fill_header(const ab_live_table *t, ab_trace_header *h);

#endif
