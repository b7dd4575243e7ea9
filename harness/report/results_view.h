/* results_view.h: read-only questions asked of a loaded results.json (results/README.md).
 *
 * The chart data writer, the HTML report and the comparison all need the same few things from
 * a results document: the allocators and workloads in the order the run used, the aggregate cell
 * of one (allocator, workload), a metric's statistic, the runs of a cell. They live here once,
 * over jansson values, so that no module walks the schema its own way.
 */
#ifndef AB_RESULTS_VIEW_H
#define AB_RESULTS_VIEW_H

#include <jansson.h>
#include <stddef.h>

/* A list of names, in the run's order (config order first, then first appearance). */
typedef struct ab_names {
    char **v;
    size_t n;
} ab_names;

/* Allocators / workloads that appear in cells or runs. Return 0, or -1 when out of memory. */
int ab_rv_allocators(const json_t *res, ab_names *out);
int ab_rv_workloads(const json_t *res, ab_names *out);
/* 1 when workload is a whole program's (run --program: "kind": "program" in workloads[] or
 * its cells), else 0. */
int ab_rv_is_program(const json_t *res, const char *workload);
/* Appends s unless empty or already there: 0, or -1 when out of memory. */
int ab_names_add(ab_names *names, const char *s);
void ab_names_free(ab_names *names);

/* Loads RUN_DIR/results.json and checks its schema name and version. NULL with a message. */
json_t *ab_rv_load(const char *run_dir, char *err, size_t errlen);

/* The string member `key` of obj, or "" when missing or not a string. */
const char *ab_rv_str(const json_t *obj, const char *key);
/* The number member `key` of obj into *out: 0, or -1 when missing or not a number. */
int ab_rv_num(const json_t *obj, const char *key, double *out);

/* The aggregate cell of (alloc, workload), or NULL. */
const json_t *ab_rv_cell(const json_t *res, const char *alloc, const char *workload);
/* cells[].metrics[metric][stat] ("median", "min", "max", "ci_lo", ...): 0, or -1. */
int ab_rv_cell_stat(const json_t *cell, const char *metric, const char *stat, double *out);
/* Shorthand: the median of metric in the cell of (alloc, workload): 0, or -1. */
int ab_rv_median(const json_t *res, const char *alloc, const char *workload, const char *metric,
                 double *out);

/* Iterating the runs of one cell that finished with status "ok", in the order of `runs`:
 * start with *pos = 0; returns the next run or NULL at the end. */
const json_t *ab_rv_next_ok_run(const json_t *res, const char *alloc, const char *workload,
                                size_t *pos);

/* One bucket of a latency histogram: `count` ops took at most `upper` ns. */
typedef struct ab_rv_bucket {
    double upper, count;
} ab_rv_bucket;

/* The histogram of op kind op ("alloc", "free", ...) merged over the ok runs of (alloc, workload):
 * sorted by bound, buckets with no count or no finite bound dropped, and bounds equal to the
 * thousandth of a ns summed into one bucket at the largest of them (each run converts its
 * buckets of ticks to ns with its own clock calibration, so the same bucket ends a hair apart
 * from one run to the next; the largest bound stays an upper bound for every count in it).
 * *nb = 0 when no ok run has it. Malloc'ed; NULL only when memory runs out. */
ab_rv_bucket *ab_rv_merged_histogram(const json_t *res, const char *alloc, const char *workload,
                                     const char *op, size_t *nb);

/* Median of n doubles (sorts v in place); NAN when n == 0. */
double ab_rv_median_of(double *v, size_t n);

#endif
