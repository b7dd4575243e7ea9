/* trace_writer.h: writing binary traces, op by op (generators, `trace convert`, tests).
 *
 * The writer buffers ops, follows them with the live table (trace_live.h) so it knows the
 * header's counts (peak live bytes, max live ids, threads, scopes) without a second pass, and
 * writes the header at close. It writes to a temporary file and renames it into place at close,
 * so no reader ever sees a half-written trace. Ids come from a free list (LIFO), so ids stay
 * dense: max_live_ids is the peak number of live blocks. Each thread has its own free list (an
 * id goes back to the thread that released it) and reuses its own ids first, taking another
 * thread's oldest one only when it has none, so a threaded trace seldom makes an alloc wait for
 * another thread only because of its id.
 *
 * Errors are sticky: after the first one (an op that breaks the trace's rules, a write error)
 * every call does nothing and ab_tw_close reports it, so generators check once, at the end.
 */
#ifndef AB_TRACE_WRITER_H
#define AB_TRACE_WRITER_H

#include "workloads/trace_io.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ab_trace_writer ab_trace_writer;

/* meta: "key=value ..." (printable, under AB_TRACE_META_MAX), or NULL. */
ab_trace_writer *ab_tw_create(const char *path, const char *meta, char *err, size_t errlen);

/* Allocate a block with a fresh id from the free list; returns the id (UINT32_MAX after an
 * error). align_log2: alignment = 1 << align_log2. flags: AB_OPF_ZERO or 0, with the entry point
 * (AB_OPF_ENTRY(e), trace.h) or-ed in. */
uint32_t ab_tw_alloc(ab_trace_writer *w, uint32_t size, unsigned align_log2, uint16_t scope,
                     uint16_t thread, uint16_t flags);
void ab_tw_free(ab_trace_writer *w, uint32_t id, uint16_t thread);
/* The same, naming the entry point the program freed with (enum ab_entry, e.g. FREE_SIZED). */
void ab_tw_free_as(ab_trace_writer *w, uint32_t id, uint16_t thread, unsigned entry);
/* A realloc, naming the entry point the program called (enum ab_entry, e.g. REALLOC). */
void ab_tw_realloc_as(ab_trace_writer *w, uint32_t id, uint32_t size, uint16_t thread,
                      unsigned entry);
void ab_tw_realloc(ab_trace_writer *w, uint32_t id, uint32_t size, uint16_t thread);
/* Bulk release of every live block of scope; their ids go back to the free list. */
void ab_tw_reset(ab_trace_writer *w, uint16_t scope, uint16_t thread);
void ab_tw_mark(ab_trace_writer *w, enum ab_mark_kind kind, uint16_t arg, uint16_t thread);

/* Write the header and rename into place. Frees w. Returns 0, or -1 with the first error (and
 * no file at path). */
int ab_tw_close(ab_trace_writer *w, char *err, size_t errlen);
/* Give up: remove the temporary file, free w. */
void ab_tw_abort(ab_trace_writer *w);

/* Write a whole trace held in memory (header as is, then the ops), via a temporary file. */
int ab_trace_save_binary(const ab_trace *t, const char *path, char *err, size_t errlen);

#endif
