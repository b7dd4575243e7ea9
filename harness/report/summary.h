/* summary.h: the human summary `alignbench run` prints when it ends (stdout).
 *
 * One table per workload, one line per allocator, from the cells of the results document:
 * median net ns/op with its interval of the median (the coverage once, in the table's header
 * line), Mops/s, alloc p99, frag_peak, retained bytes, how many repetitions finished ok, and
 * the noisy flag; the full numbers are in results.json.
 */
#ifndef AB_SUMMARY_H
#define AB_SUMMARY_H

#include <jansson.h>
#include <stdio.h>

void ab_summary_print(FILE *out, const json_t *doc);

#endif
