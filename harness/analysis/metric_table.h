/* metric_table.h: the one table of the metrics alignbench reports: name, unit, which way is
 * better, whether results.csv has a column for it, and a one-line definition.
 *
 * results.csv's columns, the report's units and definitions, and compare's units and
 * directions for results files all come from here, so a metric is described once. A metric a
 * runner reports that is not in the table still flows through results.json and the report
 * (after the listed ones), with a unit guessed from its name.
 */
#ifndef AB_METRIC_TABLE_H
#define AB_METRIC_TABLE_H

#include <stddef.h>

typedef enum ab_unit {
    AB_UNIT_NS,
    AB_UNIT_CYCLES,
    AB_UNIT_RATIO, /* a plain number without a unit (fragmentation ratios, a status) */
    AB_UNIT_BYTES,
    AB_UNIT_MOPS,
    AB_UNIT_PPM,
    AB_UNIT_GHZ,
    AB_UNIT_MS,      /* milliseconds: a whole program's times */
    AB_UNIT_MCYCLES, /* millions of core cycles: a whole program's times, clock-independent */
    AB_UNIT_COUNT,   /* how many of a thing: threads, page faults */
    /* counts, not times (run --measure instructions): */
    AB_UNIT_INSTR,      /* instructions executed */
    AB_UNIT_MISSES,     /* simulated cache misses */
    AB_UNIT_EST_CYCLES, /* cycles estimated from the counts (metric_table.c: est_cycles_per_op) */
} ab_unit;

typedef struct ab_metric_def {
    const char *name; /* the key in runs[].metrics and cells[].metrics */
    ab_unit unit;
    int higher_is_better; /* 1 for throughput and clock; 0 for times, memory, ratios */
    int csv;              /* 1: a fixed column of results.csv, in this table's order */
    const char *definition;
} ab_metric_def;

extern const ab_metric_def ab_metric_defs[];
extern const size_t ab_metric_def_count;

/* The metric called name, or NULL. */
const ab_metric_def *ab_metric_def_find(const char *name);
/* "ns", "cycles", "", "B", "Mops/s", "ppm", "GHz", "ms", "Mcycles", "" (a count), "instr",
 * "misses", "est.cycles". */
const char *ab_unit_name(ab_unit u);
/* The unit of name: the table's, else guessed from the name (times end in ns_per_op or are
 * percentiles, sizes in bytes), else a plain number. */
ab_unit ab_metric_unit(const char *name);

#endif
