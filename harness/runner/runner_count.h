/* runner_count.h: the replay mode's counting passes (runner_count.c), `replay --count SRC`:
 * instructions per op net of the null allocator instead of time, for `run --measure
 * instructions`. */
#ifndef AB_RUNNER_COUNT_H
#define AB_RUNNER_COUNT_H

#include "harness/runner/replay_args.h"
#include "harness/runner/runner_modes.h"
#include "workloads/trace_io.h"

/* Counts the replay of the open, validated trace (nthreads: its threads, refused above 1) and
 * writes the run object to a->out. Returns the runner's exit status. */
int runner_count(const ab_runner_ctx *ctx, const replay_args *a, const ab_trace *trace,
                 unsigned nthreads);

#endif
