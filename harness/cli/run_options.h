/* run_options.h: the options of `alignbench run`, parsed and validated before anything runs.
 *
 * Every check happens here, up front (negative or absurd repetitions or scale, unknown
 * allocators or workloads, unreadable traces, an output folder that cannot be written), so a
 * mistake costs the user a message, not a half-done run. The quick and full presets are a table.
 */
#ifndef AB_RUN_OPTIONS_H
#define AB_RUN_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "workloads/trace.h"

#define AB_RUN_MAX_LIST 64
#define AB_RUN_MAX_THREAD_COUNTS 8
#define AB_RUN_MAX_THREADS AB_TRACE_MAX_THREADS

enum ab_baseline_mode { AB_BASELINE_AUTO, AB_BASELINE_ON, AB_BASELINE_OFF };

/* What --quick and --full choose (see run_options.c for the values and why). */
typedef struct ab_run_preset {
    const char *name;
    double scale;         /* generator scale unless --scale */
    double timeout_s;     /* per child unless --timeout */
    unsigned checkpoints; /* memory checkpoints per replay (the runner's --checkpoints) */
} ab_run_preset;

typedef struct ab_run_options {
    const char *alloc_specs[AB_RUN_MAX_LIST];
    size_t nalloc_specs;
    const char *workloads[AB_RUN_MAX_LIST]; /* generator names */
    size_t nworkloads;
    const char *traces[AB_RUN_MAX_LIST]; /* user trace files */
    size_t ntraces;
    const char *programs[AB_RUN_MAX_LIST]; /* --program NAME=CMD, checked: NAME valid, CMD set */
    size_t nprograms;
    int ok_status[16]; /* --program-ok-status: exit statuses of programs accepted besides 0 */
    size_t n_ok_status;
    unsigned threads[AB_RUN_MAX_THREAD_COUNTS]; /* --threads: each workload generated with each */
    size_t nthreads;                            /* 0: not given (one thread, plain names) */
    unsigned reps;
    const ab_run_preset *preset;
    double scale;
    uint64_t seed;
    int shuffle;
    const char *touch; /* none | first | all */
    int no_latency;    /* 1: the runner skips the per-op passes (--passes memory,batch) */
    int cold;          /* 1: one cold timed repetition per run (--passes batch --warmup 0
                        * --batch-reps 1): what a whole program's run pays */
    double timeout_s;
    size_t mem_limit; /* 0: none */
    char out_dir[4096];
    char run_id[128];
    int run_id_given; /* 1: --run-id; 0: the UTC date-time, made unique by make_run_dir */
    int no_plots;
    enum ab_baseline_mode baseline;
    int quiet;           /* no progress, no summary */
    const char *filter;  /* --filter REGEX over ALLOC/WORKLOAD (cell_filter.h), checked; or NULL */
    int list;            /* --list: print the cells the run would make, run nothing */
    int count;           /* --measure instructions: counted, not timed (count_child.h) */
    const char *counter; /* --counter auto|perf|callgrind (checked by ab_count_setup_choose) */
} ab_run_options;

/* --measure instructions: the generator scale and the timeout per child unless given (the
 * replay runs under valgrind, 20 to 60 times slower than native; docs/measurement.md). */
#define AB_COUNT_SCALE 0.05
#define AB_COUNT_TIMEOUT_S 600.0

/* Parses argv (argv[0] = "run"). Returns 0 to go on, 1 when --help was printed (exit 0), or -1
 * after printing a message naming the bad option to stderr (exit 2). */
int ab_run_options_parse(int argc, char **argv, ab_run_options *o);

void ab_run_usage(FILE *out);

#endif
