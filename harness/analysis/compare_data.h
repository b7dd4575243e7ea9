/* compare_data.h: what `alignbench compare` compares, read from either kind of result file.
 *
 * A side (BASE or NEW) is one file: a results.json from `alignbench run` (or its folder), or a
 * Google Benchmark JSON from `alignbench micro` (or any Google Benchmark program). Both become
 * the same shape: cells (allocator x workload for runs, the benchmark's run_name for gbench),
 * each with the per-repetition values of every metric of the metric table, the repetitions that
 * failed, and a flat context (hostname, CPU, kernel, allocator versions) for the mismatch check.
 */
#ifndef AB_COMPARE_DATA_H
#define AB_COMPARE_DATA_H

#include <jansson.h>
#include <stddef.h>

typedef enum ab_cmp_kind { AB_CMP_RESULTS = 1, AB_CMP_GBENCH = 2 } ab_cmp_kind;

/* One comparable metric. It is called by its key in the files compared (results.json's, else
 * Google Benchmark's: ab_cmp_metric_name), as everywhere else (results/README.md, "Names");
 * --metric also takes its key in the other kind of file and its alias. */
typedef struct ab_cmp_metric {
    const char *alias;       /* compare's short name before the one vocabulary (cycles, time) */
    const char *results_key; /* runs[].metrics key in results.json, NULL: not there */
    const char *gbench_key;  /* field of a Google Benchmark entry, NULL: not there */
    /* For a raw time: the name of the table metric holding its part net of the replay floor
     * (a few ns), printed as an absolute change next to the raw verdict; NULL otherwise. The
     * verdict never uses it: a relative change of a few ns is noise (1 ns on 3 ns is 33 %). */
    const char *net_metric;
    const char *what; /* compare's own description; NULL: the metric table's definition */
} ab_cmp_metric;

/* The unit, direction and description of a metric: the metric table's (metric_table.h) for a
 * results.json metric, else Google Benchmark's (ns per iteration; items per second). */
const char *ab_cmp_metric_unit(const ab_cmp_metric *m);
int ab_cmp_metric_higher_is_better(const ab_cmp_metric *m);
const char *ab_cmp_metric_what(const ab_cmp_metric *m);

extern const ab_cmp_metric ab_cmp_metrics[];
extern const size_t ab_cmp_metric_count;
/* The default metrics of a results.json comparison: cycles_per_op and frag_peak for trace cells,
 * CPU time in cycles (cpu_mcycles) and peak RSS for whole programs' cells,
 * instructions_per_op_net for counted cells (run --measure instructions) (AB_CMP_DEFAULTS lists
 * every set; a cell is compared on those of its own kind, ab_cmp_metric_default_for). */
#define AB_CMP_DEFAULTS "cycles_per_op,frag_peak,cpu_mcycles,peak_rss,instructions_per_op_net"
typedef struct ab_cmp_cell ab_cmp_cell;
int ab_cmp_metric_default_for(const ab_cmp_metric *m, const ab_cmp_cell *cell);
/* 1 for a count (instructions, misses, estimated cycles of run --measure instructions): exact
 * and repeatable, judged by its size against the repeatability, not by a U test. */
int ab_cmp_metric_is_count(const ab_cmp_metric *m);
/* Index of the metric whose results.json key, Google Benchmark field or alias (or an old name,
 * such as time_raw) is name, or -1. */
int ab_cmp_metric_find(const char *name);
/* The metric's key in a file of this kind, NULL when the kind does not have it. */
const char *ab_cmp_metric_key(const ab_cmp_metric *m, ab_cmp_kind kind);
/* The name compare prints: the metric's key in a file of this kind, else its results.json key,
 * else its Google Benchmark field. */
const char *ab_cmp_metric_name(const ab_cmp_metric *m, ab_cmp_kind kind);

typedef struct ab_cmp_samples {
    double *v;
    size_t n, cap;
} ab_cmp_samples;

struct ab_cmp_cell {
    char *key;       /* "allocator/workload", or the gbench run_name */
    char *allocator; /* "" when unknown (a foreign gbench name) */
    char *workload;
    size_t reps, failed;
    int program;            /* a whole program's cell (run --program): other default metrics */
    int counted;            /* a counted cell (run --measure instructions): counts, not times */
    char failure[160];      /* the first failure: "crashed (signal 11)", gbench's error message */
    ab_cmp_samples *metric; /* [ab_cmp_metric_count] */
};

typedef struct ab_cmp_side {
    char path[4096]; /* the file actually read */
    ab_cmp_kind kind;
    int incomplete;  /* results.json with complete: false */
    json_t *context; /* flat: name -> string */
    char load[64];   /* the machine's load average when the run started ("" if unknown) */
    ab_cmp_cell *cells;
    size_t ncells, cap;
} ab_cmp_side;

/* Reads a side from a file or a run folder (DIR/results.json). Returns 0, or -1 with a message
 * in err naming the file (and jansson's line and column for malformed JSON). */
int ab_cmp_load(const char *path, ab_cmp_side *side, char *err, size_t errlen);
void ab_cmp_free(ab_cmp_side *side);
/* The cell with this key, or NULL. */
const ab_cmp_cell *ab_cmp_find_cell(const ab_cmp_side *side, const char *key);

#endif
