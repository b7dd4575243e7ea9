/* compare_metrics.c: the metrics `alignbench compare` knows, their keys in each kind of file and
 * which direction is better. One table: adding a metric is one line. Names of results.json
 * metrics are those of results/README.md; the micro-suite exports the same percentile names
 * as Google Benchmark counters.
 *
 * `cycles` (a run's default) is the raw time per op in core cycles: the host may run the core
 * at another clock rate during NEW than during BASE, which moves every ns figure alike.
 * `time` of a run is the raw ns_per_op, harness floor included: the floor is the same harness
 * code on both sides, so a change in the raw time is a change in the allocator, and relative
 * to the raw time it is a figure that means something. The net time is a few ns, so its
 * relative change is mostly noise; it is shown next to `time` in ns and kept as `time_net`
 * for whoever wants it. */
#include "harness/analysis/compare_data.h"

#include <string.h>

const ab_cmp_metric ab_cmp_metrics[] = {
    {"cycles", "cycles_per_op", NULL, 0, "cycles",
     "run: time per op in core cycles, raw (allocator plus the replay floor): unlike ns, it does "
     "not move when the host changes the core's clock between the two runs",
     "cycles_net"},
    {"cycles_net", "cycles_per_op_net", NULL, 0, "cycles",
     "cycles per op net of the replay floor: relative change of a small number: noisy", NULL},
    {"time", "ns_per_op", "real_time", 0, "ns",
     "run: time per op, raw (allocator plus the replay floor); micro: real time per iteration",
     "time_net"},
    {"time_net", "ns_per_op_net", NULL, 0, "ns",
     "time per op net of the replay floor: relative change of a small number: noisy", NULL},
    {"cpu_time", NULL, "cpu_time", 0, "ns", "CPU time per iteration", NULL},
    {"mops", "mops", NULL, 1, "Mops/s", "operations per second, millions", NULL},
    {"items_per_second", NULL, "items_per_second", 1, "/s", "items per second", NULL},
    {"p50", "alloc_p50", "alloc_p50", 0, "ns", "alloc latency, median", NULL},
    {"p99", "alloc_p99", "alloc_p99", 0, "ns", "alloc latency, 99th percentile", NULL},
    {"p999", "alloc_p999", NULL, 0, "ns", "alloc latency, 99.9th percentile", NULL},
    {"free_p50", "free_p50", "free_p50", 0, "ns", "free latency, median", NULL},
    {"free_p99", "free_p99", "free_p99", 0, "ns", "free latency, 99th percentile", NULL},
    {"realloc_p50", "realloc_p50", NULL, 0, "ns", "realloc latency, median", NULL},
    {"realloc_p99", "realloc_p99", NULL, 0, "ns", "realloc latency, 99th percentile", NULL},
    {"reset_p99", "reset_p99", NULL, 0, "ns", "scope reset latency, 99th percentile", NULL},
    {"frag_peak", "frag_peak", NULL, 0, "", "max footprint / max live - 1", NULL},
    {"frag_at_peak", "frag_at_peak", NULL, 0, "", "max footprint / live at that time - 1", NULL},
    {"frag_avg", "frag_avg", NULL, 0, "", "integral footprint / integral live - 1", NULL},
    {"internal", "internal", NULL, 0, "", "sum of footprints / live - 1 at the peak", NULL},
    {"retained", "retained", NULL, 0, "B", "footprint left after everything is freed", NULL},
    {"peak_rss", "peak_rss", NULL, 0, "B", "peak resident memory of the runner (VmHWM)", NULL},
    {"peak_footprint", "peak_footprint", NULL, 0, "B", "max footprint", NULL},
    {"align_cost_bytes", "align_cost_bytes", NULL, 0, "B",
     "footprint against the same trace at natural alignment", NULL},
    {"align_cost_ns_per_op", "align_cost_ns_per_op", NULL, 0, "ns",
     "time per op against the same trace at natural alignment", NULL},
};
const size_t ab_cmp_metric_count = sizeof ab_cmp_metrics / sizeof ab_cmp_metrics[0];

int ab_cmp_metric_find(const char *name)
{
    if (!strcmp(name, "time_raw")) /* the raw time's name before it became `time` */
        name = "time";
    for (size_t i = 0; i < ab_cmp_metric_count; i++)
        if (!strcmp(ab_cmp_metrics[i].name, name))
            return (int)i;
    return -1;
}

const char *ab_cmp_metric_key(const ab_cmp_metric *m, ab_cmp_kind kind)
{
    return kind == AB_CMP_RESULTS ? m->results_key : m->gbench_key;
}
