/* trace_io.h: opening, writing and validating traces (the API the replay and the CLI use).
 *
 * ab_trace_open maps a binary trace (or parses a text one into memory) and checks the header;
 * ab_trace_validate checks every op before anything is replayed and names the first bad op.
 */
#ifndef AB_TRACE_IO_H
#define AB_TRACE_IO_H

#include "workloads/trace.h"
#include "workloads/trace_handle.h"

#include <stdio.h>

typedef struct ab_trace_limits {
    uint64_t max_size;       /* largest alloc/realloc size accepted (default 1 GiB) */
    unsigned max_align_log2; /* largest alignment accepted, log2 (default 2^30) */
} ab_trace_limits;

void ab_trace_limits_default(ab_trace_limits *lim);

/* Open a binary or text trace (detected by the magic). Returns 0, or -1 with a message in err. */
int ab_trace_open(const char *path, ab_trace *t, char *err, size_t errlen);
void ab_trace_close(ab_trace *t);

/* The same from a buffer in memory (binary or text; the ops are copied, so buf may go away and
 * need not be aligned). For the fuzz targets and tests. */
int ab_trace_open_memory(const void *buf, size_t len, ab_trace *t, char *err, size_t errlen);

/* Check every op: unknown ids, double frees, ids reused while live, bad alignments, sizes over
 * the limit, threads/scopes/ids beyond the header's counts, and a header that lies about peak
 * live bytes or max live ids. Returns 0, or -1 with "op N: problem" in err. */
int ab_trace_validate(const ab_trace *t, const ab_trace_limits *lim, char *err, size_t errlen);

/* Streaming a mapped trace through a bounded window, so the replay's resident share of the trace
 * does not grow with its length. At a step to op `pos` the pages of the mapping outside
 * [pos, pos + 2 * AB_TRACE_WINDOW_OPS) leave this process (MADV_DONTNEED: the page cache keeps
 * them, a later read maps them again) and the window ahead is mapped in (MADV_POPULATE_READ,
 * else MADV_WILLNEED), so the ops read inside a timed region do not fault. The next step is due
 * AB_TRACE_WINDOW_OPS ops later; a step back (a new pass) drops the rest and maps the start.
 * A trace held in memory (text, ab_trace_open_memory) has no window: every step is a no-op. */
#define AB_TRACE_WINDOW_OPS (16u * 1024u) /* 256 KiB of ops */

typedef struct ab_trace_window {
    uint64_t next; /* op index at which the next step is due (UINT64_MAX: never) */
    /* private */
    const char *map, *ops;
    size_t map_len, lo, hi; /* [lo, hi): the byte range of the mapping this process holds */
} ab_trace_window;

/* t must stay open while w is used. Assumes the whole mapping is resident (after validation). */
void ab_trace_window_init(ab_trace_window *w, const ab_trace *t);
static inline int ab_trace_window_due(const ab_trace_window *w, uint64_t pos)
{
    return pos >= w->next;
}
void ab_trace_window_step(ab_trace_window *w, uint64_t pos);

#endif
