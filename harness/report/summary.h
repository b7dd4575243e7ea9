/* summary.h: the human summary `alignbench run` prints when it ends (stdout).
 *
 * One table per workload, one line per allocator, from the cells of the results document:
 * ns_per_op_net's median with its interval of the median (the coverage once, in the table's
 * header line), mops, cycles_per_op, alloc_p99, frag_peak, retained, the counters, how many
 * repetitions finished ok, and the noisy flag, each column titled with its results.json key;
 * the full numbers are in results.json.
 */
#ifndef AB_SUMMARY_H
#define AB_SUMMARY_H

#include <jansson.h>
#include <stdio.h>

void ab_summary_print(FILE *out, const json_t *doc);

#endif
