/* results_write.h: writing a run's results.json and results.csv (schema: results/README.md).
 *
 * The orchestrator rewrites both files after every completed run, so an interruption loses at
 * most the run in flight. Both go through common/atomic_file.h (temp file, rename), with an
 * fsync of the temporary before the rename: a reader never sees half a file, even after a power
 * cut, and a full disk is an error that names the file and keeps the previous version.
 */
#ifndef AB_RESULTS_WRITE_H
#define AB_RESULTS_WRITE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* How many metrics have a fixed results.csv column: the metric table's (metric_table.h) first
 * entries, in its order (results/README.md); metrics a runner reports beyond these follow them
 * in the CSV, sorted by name. */
size_t ab_results_csv_metric_count(void);

/* Writes the CSV of a results document to f: a header line, then one row per runs[] element
 * (allocator, workload, rep, round, status, exit_code, signal, error, then every metric).
 * Returns 0, or -1 when memory runs out or the stream reports an error. */
int ab_results_csv(const json_t *doc, FILE *f);

/* Writes RUN_DIR/results.json and RUN_DIR/results.csv atomically. Returns 0, or -1 with a
 * message in err. */
int ab_results_write(const char *run_dir, const json_t *doc, char *err, size_t errlen);

#endif
