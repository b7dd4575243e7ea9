/* counters_json.h: a run's kernel and hardware counters (counters.h) in its JSON object.
 *
 * The headline figures are the batch pass's, per 1000 timed ops and net of the floor (the same
 * passes against the null allocator in the same child), like the times: one metric per counter
 * in runs[].metrics (`minor_faults_per_kop`, `sys_madvise_per_kop`, ...; a counter the machine
 * cannot count is the string "unavailable: why" there, never 0), the totals `faults_per_kop`
 * and `syscalls_per_kop`, and from getrusage the kernel's share of the allocator's batch pass
 * (`sys_share`) and its system time per op net of the floor (`sys_ns_per_op_net`).
 * runs[].counters keeps where each figure came from and every pass's own figures.
 */
#ifndef AB_COUNTERS_JSON_H
#define AB_COUNTERS_JSON_H

#include "harness/measure/counters.h"

#include <jansson.h>
#include <stdint.h>

/* Adds the metrics to `metrics` and runs[].counters to `run`; ops: timed ops of one replay. */
void ab_counters_json(json_t *run, json_t *metrics, const ab_pass_counters *pc, uint64_t ops);

#endif
