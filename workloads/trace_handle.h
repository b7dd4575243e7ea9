/* trace_handle.h: a trace held open, its header and its ops, whichever form it came from: mapped
 * from a binary file (trace_io.c) or parsed from text into memory (trace_text.c). Its own header
 * so that the text reader and the binary reader, which hands text to it, need not include each
 * other. Open and close it through trace_io.h. */
#ifndef AB_TRACE_HANDLE_H
#define AB_TRACE_HANDLE_H

#include "workloads/trace.h"

#include <stddef.h>

typedef struct ab_trace {
    ab_trace_header hdr;
    const ab_op *ops; /* hdr.op_count records */
    /* private */
    void *map;
    size_t map_len;
    ab_op *owned;
} ab_trace;

#endif
