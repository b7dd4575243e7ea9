/* gen_common.h: what the generators share: checking the common parameters and opening the
 * writer with the trace's metadata ("generator=NAME seed=S scale=X ..."). */
#ifndef AB_GEN_COMMON_H
#define AB_GEN_COMMON_H

#include "workloads/gen_rng.h"
#include "workloads/generators.h"
#include "workloads/trace_writer.h"

#define AB_GEN_MAX_THREADS AB_TRACE_MAX_THREADS

/* Checks seed/scale/threads and that p->variant is NULL or one of the NULL-terminated list
 * `variants` (NULL: the generator takes none). Returns 0, or -1 with err. */
int ab_gen_check(const char *name, const ab_gen_params *p, const char *const *variants, char *err,
                 size_t errlen);

/* The random numbers that place ops on threads: a stream of their own (seeded from the seed),
 * so the traces of one seed with 1 and with N threads describe the same work, op for op, and
 * differ only in the thread of each op (a like-for-like scaling comparison). */
void ab_gen_thread_rng(const ab_gen_params *p, ab_rng *r);

/* Count scaled by p->scale, at least `min`. */
uint64_t ab_gen_scaled(const ab_gen_params *p, uint64_t base, uint64_t min);

/* Open the writer with meta "generator=NAME seed=S scale=X [threads=N] EXTRA". */
ab_trace_writer *ab_gen_open(const char *name, const ab_gen_params *p, const char *extra,
                             const char *out_path, char *err, size_t errlen);

#endif
