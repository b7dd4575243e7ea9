/* conformance_checks.h: the conformance suite's checks as a table (harness/conformance_*.c).
 *
 * Split from the runner mode so that each group of checks (generic edges, allocator-specific
 * windows and arenas) lives in a file of its own; runner_conformance.c only runs the table.
 */
#ifndef AB_CONFORMANCE_CHECKS_H
#define AB_CONFORMANCE_CHECKS_H

#include "allocators/allocator.h"

#include <stddef.h>
#include <stdint.h>

typedef enum ab_check_result { AB_CHECK_PASS, AB_CHECK_FAIL, AB_CHECK_NA } ab_check_result;

typedef struct ab_check_ctx {
    const ab_allocator *a;
    uint32_t scope; /* a scope of the check's own */
    char why[256];  /* FAIL: what went wrong; N/A: why it does not apply */
} ab_check_ctx;

typedef struct ab_conformance_check {
    const char *name; /* may hold one %zu, filled with arg (align-64) */
    ab_check_result (*run)(ab_check_ctx *c, size_t arg);
    size_t arg;
} ab_conformance_check;

extern const ab_conformance_check ab_conformance_checks[];
extern const size_t ab_conformance_check_count;
/* The checks of the optional entry points (conformance_entries.c), run after those. */
extern const ab_conformance_check ab_conformance_entry_checks[];
extern const size_t ab_conformance_entry_check_count;

void ab_conformance_name(const ab_conformance_check *chk, char *buf, size_t len);

/* Allocator-specific checks (conformance_special.c); N/A for the other allocators. */
ab_check_result ab_check_bump_window_offsets(ab_check_ctx *c, size_t arg);
ab_check_result ab_check_bump_window_full(ab_check_ctx *c, size_t arg);
ab_check_result ab_check_rpcss_thread_handle(ab_check_ctx *c, size_t arg);
ab_check_result ab_check_rpcss_chunks(ab_check_ctx *c, size_t arg);

/* Helpers shared by the check files. */
ab_check_result ab_check_fail(ab_check_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
ab_check_result ab_check_na(ab_check_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Free a block when the allocator can; end the check's scope when it has bulk release. */
void ab_check_release(ab_check_ctx *c, void *p, size_t size, size_t align);
void ab_check_end_scope(ab_check_ctx *c);
/* Resident bytes of this process (/proc/self/statm), 0 when unreadable. */
uint64_t ab_check_resident(void);
uint64_t ab_check_rand(uint64_t *state);

#endif
