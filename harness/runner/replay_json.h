/* replay_json.h: one measured run as the JSON object the runner writes (results/README.md).
 *
 * runner_replay.c runs the passes and fills an ab_run_record; this file turns it into a
 * `runs[]` element without the orchestrator's fields: flat metrics, latency (net of the floor,
 * raw and the floor's own), size and alignment classes, histograms, the time series and the
 * `child` object (clock, allocator, settings). A pass that did not run leaves its sections out.
 */
#ifndef AB_REPLAY_JSON_H
#define AB_REPLAY_JSON_H

#include "allocators/allocator.h"
#include "harness/measure/counters.h"
#include "harness/measure/replay.h"
#include "harness/measure/replay_threads.h"
#include "harness/measure/timer.h"
#include "workloads/trace_io.h"

#include <jansson.h>

typedef struct ab_run_record {
    const ab_tsc_clock *clock;
    const ab_replay_opts *opts;
    const ab_trace *trace;
    const char *trace_path;
    const ab_trace_scan *scan;
    const ab_memory_result *memory;            /* NULL: no memory pass */
    const ab_pass_result *batch, *batch_floor; /* NULL: no batch pass */
    const ab_pass_result *perop, *perop_floor; /* NULL: no per-op pass */
    /* with perop: lat is the net view (one thread: each op minus its own floor; threads: raw,
     * netted here by the floor's per-kind median), lat_raw the raw view (one thread only) */
    const ab_latency_set *lat, *lat_raw, *lat_floor;
    const ab_allocator *alloc;
    const char *alloc_name, *lib_path;
    int cpu; /* -1: not pinned */
    unsigned warmup, batch_reps, floor_passes;
    /* a threaded trace's batch pass (NULL: one thread): per-thread ops and times, handoffs */
    const ab_threads_result *threads, *threads_floor;
    /* with memory: the allocator's own statistics right before the memory baseline (have 0:
     * it reports none), written as child.pre_baseline */
    const ab_alloc_stats *pre_baseline;
    /* the counters read around the timed passes (counters_json.h); NULL: none */
    const ab_pass_counters *counters;
} ab_run_record;

/* A per-op percentile below this many timer steps is marked unresolved: one region's duration
 * is only known to a step, so such a figure says "a few steps", not its value. */
#define AB_UNRESOLVED_STEPS 3.0

/* The fields of the `child` object every replay has, timed or counted: the allocator, the
 * settings (cpu, touch, lower_align), who releases scopes and resizes, and the trace. Needs
 * alloc, alloc_name, lib_path, cpu, opts, trace, trace_path and scan of rec. */
void ab_run_child_common(json_t *child, const ab_run_record *rec);

/* Writes a run object (NULL: it could not be built) to path through a temporary file renamed
 * into place. 0, or -1 after a message on stderr. */
int ab_run_record_write(const char *path, const json_t *run);

/* A new JSON object (the caller owns it). */
json_t *ab_run_record_json(const ab_run_record *rec);

#endif
