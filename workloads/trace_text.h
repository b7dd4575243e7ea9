/* trace_text.h: the text form of a trace (one op a line), for people, tests and diffs.
 *
 *   # alignbench-trace 1                 first line: the format and its version
 *   # meta generator=rpc seed=1          optional, once: the header's metadata, verbatim
 *   alloc ID SIZE ALIGN [scope=S] [thread=T] [zero]
 *   free ID [thread=T]
 *   realloc ID SIZE [thread=T]
 *   reset SCOPE [thread=T]
 *   mark call|phase|module ARG [thread=T]
 *
 * Numbers are unsigned decimal; ALIGN is the alignment in bytes (a power of two: 0, 3 and 24 are
 * rejected). Other lines starting with '#' and blank lines are comments. The header's counts
 * (op count, peak live bytes, max live ids, threads, scopes) are computed from the ops, so the
 * text never disagrees with them; binary -> text -> binary gives identical bytes for any trace
 * that passes the validator. Parse errors name the line.
 */
#ifndef AB_TRACE_TEXT_H
#define AB_TRACE_TEXT_H

#include "workloads/trace_handle.h"

#include <stdio.h>

#define AB_TRACE_TEXT_MAGIC "# alignbench-trace"

/* Parse a text trace held in memory into t (ops owned by t; release with ab_trace_close). */
int ab_trace_parse_text(const char *buf, size_t len, ab_trace *t, char *err, size_t errlen);

/* The 1-based line number of the op with index op_index in the text trace at path (to point a
 * validator error at its line), or 0 if there is no such op. */
unsigned long ab_trace_text_line_of_op(const char *path, uint64_t op_index);

/* Write t's text form to out. Returns 0, or -1 on a write error. */
int ab_trace_write_text(const ab_trace *t, FILE *out);

/* The text name of an entry point (enum ab_entry: "malloc", "free_sized", ...; "unspec" for 0,
 * NULL beyond the enum), and back (-1 for an unknown name). */
const char *ab_entry_name(unsigned e);
int ab_entry_parse(const char *s, size_t n);

/* Write t's text form to path (temp file, then rename). */
int ab_trace_save_text(const ab_trace *t, const char *path, char *err, size_t errlen);

#endif
