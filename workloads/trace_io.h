/* trace_io.h: opening, writing and validating traces (the API the replay and the CLI use).
 *
 * ab_trace_open maps a binary trace (or parses a text one into memory) and checks the header;
 * ab_trace_validate checks every op before anything is replayed and names the first bad op.
 */
#ifndef AB_TRACE_IO_H
#define AB_TRACE_IO_H

#include "workloads/trace.h"
#include <stdio.h>

typedef struct ab_trace {
    ab_trace_header hdr;
    const ab_op *ops; /* hdr.op_count records */
    /* private */
    void *map;
    size_t map_len;
    ab_op *owned;
} ab_trace;

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

#endif
