/* run_record.h: one finished runner child -> one runs[] row of results.json.
 *
 * The orchestrator's bookkeeping (allocator, workload, rep, round, status, exit_code, signal,
 * error, wall_s, child_maxrss_kb) merged with what the runner wrote to its result file; a child
 * that crashed, timed out, failed or refused becomes a row that says so, with the last line of
 * its stderr as the error. A natural-baseline run (alignment lowered to 16) is attached to its
 * measured row, and the two give align_cost_bytes and align_cost_ns_per_op (results/README.md).
 */
#ifndef AB_RUN_RECORD_H
#define AB_RUN_RECORD_H

#include "harness/common/exit_codes.h" /* AB_RUNNER_EXIT_REFUSED: a "refused" row */
#include "harness/orchestrator/child.h"

#include <jansson.h>

/* A new row. result_path: the runner's --out file (read when the child exited 0); log_path: its
 * captured stderr (read for the error line), either may be missing. rep is 1-based. */
json_t *ab_run_row_new(const char *alloc, const char *workload, unsigned rep,
                       const ab_child_result *r, const char *result_path, const char *log_path);

/* Attaches a lowered-alignment row as "baseline" to the last row of runs with the same
 * allocator, workload and rep, and, when both are ok, sets that row's metrics
 * align_cost_bytes (peak_footprint difference) and align_cost_ns_per_op (ns_per_op_net
 * difference). Returns 0, or -1 when no such row exists. */
int ab_run_attach_baseline(json_t *runs, const json_t *lowered);

#endif
