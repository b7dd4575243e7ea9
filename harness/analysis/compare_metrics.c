/* compare_metrics.c: the metrics `alignbench compare` knows, their keys in each kind of file and
 * which direction is better. One table: adding a metric is one line. A metric is called by its
 * key in the files compared (results/README.md, "Names"): cycles_per_op, ns_per_op_net,
 * cpu_mcycles in a results.json, real_time in Google Benchmark's; the micro-suite exports the
 * same percentile names as Google Benchmark counters. The short names compare had before (cycles,
 * time, cpu_cycles, ...) stay accepted by --metric, so that CI scripts keep working.
 *
 * `cycles_per_op` (a run's default) is the raw time per op in core cycles: the host may run the
 * core at another clock rate during NEW than during BASE, which moves every ns figure alike.
 * `ns_per_op` of a run is the raw time, harness floor included: the floor is the same harness
 * code on both sides, so a change in the raw time is a change in the allocator, and relative
 * to the raw time it is a figure that means something. The net time is a few ns, so its
 * relative change is mostly noise; it is shown next to `ns_per_op` in ns and kept as
 * `ns_per_op_net` for whoever wants it.
 *
 * A counted run's (run --measure instructions) default is `instructions_per_op_net`: the count
 * is exact and repeats, so the relative change of the net figure is the allocator's own change,
 * with no noise to inflate it; the instruction count, unlike the estimated cycles, does not
 * depend on a cache model and is the same figure from perf and from callgrind. */
#include "harness/analysis/compare_data.h"
#include "harness/analysis/metric_table.h"

#include <string.h>

/* {alias, results.json key, Google Benchmark field, net metric, what}; units and
 * directions of results metrics come from the metric table (metric_table.h), and only the two
 * Google Benchmark-only fields carry their own. */
const ab_cmp_metric ab_cmp_metrics[] = {
    {"cycles", "cycles_per_op", NULL, "cycles_per_op_net",
     "run: time per op in core cycles, raw (allocator plus the replay floor): unlike ns, it does "
     "not move when the host changes the core's clock between the two runs"},
    {"cycles_net", "cycles_per_op_net", NULL, NULL,
     "cycles per op net of the replay floor: relative change of a small number: noisy"},
    {"time", "ns_per_op", "real_time", "ns_per_op_net",
     "run: time per op, raw (allocator plus the replay floor); micro: real time per iteration"},
    {"time_net", "ns_per_op_net", NULL, NULL,
     "time per op net of the replay floor: relative change of a small number: noisy"},
    {"instructions_net", "instructions_per_op_net", NULL, NULL,
     "counted run: instructions per op net of the replay floor (a count: exact and repeatable, "
     "the default of --measure instructions runs)"},
    {"instructions", "instructions_per_op", NULL, NULL,
     "counted run: instructions per op, raw (replay floor included)"},
    {"est_cycles_net", "est_cycles_per_op_net", NULL, NULL, NULL},
    {"est_cycles", "est_cycles_per_op", NULL, NULL, NULL},
    {"l1_misses_net", "l1_misses_per_op_net", NULL, NULL, NULL},
    {"ll_misses_net", "ll_misses_per_op_net", NULL, NULL, NULL},
    {"cpu_time", NULL, "cpu_time", NULL, "CPU time per iteration"},
    {"mops", "mops", NULL, NULL, NULL},
    {"items_per_second", NULL, "items_per_second", NULL, "items per second"},
    {"p50", "alloc_p50", "alloc_p50", NULL, "alloc latency, median"},
    {"p99", "alloc_p99", "alloc_p99", NULL, "alloc latency, 99th percentile"},
    {"p999", "alloc_p999", NULL, NULL, NULL},
    {"free_p50", "free_p50", "free_p50", NULL, "free latency, median"},
    {"free_p99", "free_p99", "free_p99", NULL, "free latency, 99th percentile"},
    {"realloc_p50", "realloc_p50", NULL, NULL, NULL},
    {"realloc_p99", "realloc_p99", NULL, NULL, NULL},
    {"reset_p99", "reset_p99", NULL, NULL, NULL},
    {"frag_peak", "frag_peak", NULL, NULL, NULL},
    {"frag_at_peak", "frag_at_peak", NULL, NULL, NULL},
    {"frag_avg", "frag_avg", NULL, NULL, NULL},
    {"internal", "internal", NULL, NULL, NULL},
    {"retained", "retained", NULL, NULL, NULL},
    {"peak_rss", "peak_rss", NULL, NULL, NULL},
    {"peak_footprint", "peak_footprint", NULL, NULL, NULL},
    {"align_cost_bytes", "align_cost_bytes", NULL, NULL, NULL},
    {"align_cost_ns_per_op", "align_cost_ns_per_op", NULL, NULL, NULL},
    {"cpu", "cpu_ms", NULL, NULL, NULL},
    {"cpu_cycles", "cpu_mcycles", NULL, NULL, NULL},
    {"user", "user_ms", NULL, NULL, NULL},
    {"sys", "sys_ms", NULL, NULL, NULL},
    {"wall", "wall_ms", NULL, NULL, NULL},
    {"minor_faults", "minor_faults", NULL, NULL, NULL},
    {"major_faults", "major_faults", NULL, NULL, NULL},
    {"faults_kop", "faults_per_kop", NULL, NULL, NULL},
    {"syscalls_kop", "syscalls_per_kop", NULL, NULL, NULL},
    {"madvise_kop", "sys_madvise_per_kop", NULL, NULL, NULL},
    {"mmap_kop", "sys_mmap_per_kop", NULL, NULL, NULL},
    {"munmap_kop", "sys_munmap_per_kop", NULL, NULL, NULL},
    {"futex_kop", "sys_futex_per_kop", NULL, NULL, NULL},
    {"sys_share", "sys_share", NULL, NULL, NULL},
    {"sys_net", "sys_ns_per_op_net", NULL, NULL, NULL},
    {"instructions_kop", "instructions_per_kop", NULL, NULL, NULL},
};
const size_t ab_cmp_metric_count = sizeof ab_cmp_metrics / sizeof ab_cmp_metrics[0];

int ab_cmp_metric_find(const char *name)
{
    if (!strcmp(name, "time_raw")) /* the raw time's name before it became `time` */
        name = "time";
    for (size_t i = 0; i < ab_cmp_metric_count; i++) { /* the keys first: they are the names */
        const ab_cmp_metric *m = &ab_cmp_metrics[i];
        if ((m->results_key && !strcmp(m->results_key, name)) ||
            (m->gbench_key && !strcmp(m->gbench_key, name)))
            return (int)i;
    }
    for (size_t i = 0; i < ab_cmp_metric_count; i++)
        if (!strcmp(ab_cmp_metrics[i].alias, name))
            return (int)i;
    return -1;
}

int ab_cmp_metric_default_for(const ab_cmp_metric *m, const ab_cmp_cell *cell)
{
    static const char *const trace[] = {"cycles_per_op", "frag_peak"},
                             *const whole[] = {"cpu_mcycles", "peak_rss"},
                             *const counted[] = {"instructions_per_op_net",
                                                 "instructions_per_op_net"};
    const char *const *v = cell->counted ? counted : cell->program ? whole : trace;
    return m->results_key && (!strcmp(m->results_key, v[0]) || !strcmp(m->results_key, v[1]));
}

int ab_cmp_metric_is_count(const ab_cmp_metric *m)
{
    const ab_metric_def *d = m->results_key ? ab_metric_def_find(m->results_key) : NULL;
    return d &&
           (d->unit == AB_UNIT_INSTR || d->unit == AB_UNIT_MISSES || d->unit == AB_UNIT_EST_CYCLES);
}

const char *ab_cmp_metric_key(const ab_cmp_metric *m, ab_cmp_kind kind)
{
    return kind == AB_CMP_RESULTS ? m->results_key : m->gbench_key;
}

const char *ab_cmp_metric_name(const ab_cmp_metric *m, ab_cmp_kind kind)
{
    const char *key = ab_cmp_metric_key(m, kind);
    return key ? key : m->results_key ? m->results_key : m->gbench_key;
}

/* Google Benchmark-only fields: ns per iteration, except items_per_second. */
static const ab_metric_def *table_def(const ab_cmp_metric *m)
{
    return m->results_key ? ab_metric_def_find(m->results_key) : NULL;
}

const char *ab_cmp_metric_unit(const ab_cmp_metric *m)
{
    const ab_metric_def *d = table_def(m);
    if (d)
        return ab_unit_name(d->unit);
    return m->gbench_key && !strcmp(m->gbench_key, "items_per_second") ? "/s" : "ns";
}

int ab_cmp_metric_higher_is_better(const ab_cmp_metric *m)
{
    const ab_metric_def *d = table_def(m);
    if (d)
        return d->higher_is_better;
    return m->gbench_key && !strcmp(m->gbench_key, "items_per_second");
}

const char *ab_cmp_metric_what(const ab_cmp_metric *m)
{
    const ab_metric_def *d = table_def(m);
    return m->what ? m->what : d ? d->definition : "";
}
