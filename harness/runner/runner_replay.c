/* runner_replay.c: the runner's `replay` mode, one measured run of one allocator on one trace.
 *
 *   alignbench-runner replay --alloc NAME [--lib PATH] --trace FILE --out FILE.json
 *       [--touch none|first|all] [--lower-align 16] [--cpu N] [--checkpoints N] [--warmup N]
 *       [--batch-reps N] [--passes memory,batch,perop] [--calib-ms N]
 *
 * In this fresh process it pins itself (--cpu), opens and validates the trace (an invalid one:
 * exit 1, nothing replayed), calibrates the TSC, then runs the memory pass first (nothing has
 * touched the allocator yet), a warm-up, the batch and per-op passes, and the same batch and
 * per-op passes against the null allocator (the floor); it calibrates again and writes one JSON
 * object shaped like a `runs[]` element of results/README.md (without the orchestrator's own
 * fields; built by replay_json.c), through a temporary file renamed into place.
 *
 * A trace with more than one thread replays its timed passes with the threaded replay
 * (replay_threads.h): one OS thread per trace thread, handoffs for remote frees, the floor with
 * the threaded null allocator; the memory pass stays single-threaded in the op stream's order (a
 * valid global order, so L is exact). With --cpu N the process takes as many CPUs as the trace
 * has threads, from N down (wrapping). An allocator that is not thread-safe (bump, rpcss) must
 * have been created for the trace's threads (runner --threads N: its locking is on).
 *
 * Exit codes (exit_codes.h): 0 ok; 1 invalid trace or a harness error; 2 usage; 4 correctness
 * failure (the allocator returned a misaligned pointer, NULL for a non-empty request, or memory
 * overlapping a live block: stderr names the op index and no result file is written).
 * runner_main.c exits 3 when the allocator is refused. The options are parsed in replay_args.c.
 */
#include "harness/common/exit_codes.h"
#include "harness/measure/counters.h"
#include "harness/measure/memstat.h"
#include "harness/measure/null_alloc.h"
#include "harness/measure/replay.h"
#include "harness/runner/replay_args.h"
#include "harness/runner/replay_json.h"
#include "harness/runner/runner_count.h"
#include "harness/measure/replay_threads.h"
#include "harness/runner/runner_modes.h"
#include "harness/measure/timer.h"
#include "workloads/trace_io.h"

#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the mode ---------------------------------------------------------------------------- */

static int correctness_failure(const char *who, const ab_replay_failure *f)
{
    fprintf(stderr, "alignbench-runner replay: %s: %s\n", who, f->msg);
    return f->op == UINT64_MAX ? AB_RUNNER_EXIT_FAILED : AB_RUNNER_EXIT_CORRECTNESS;
}

/* CPUs cpu, cpu-1, ... (wrapping over the online ones): one per replay thread. */
static int pin_cpus(int cpu, unsigned n)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online < 1 || online > CPU_SETSIZE)
        online = cpu + 1;
    cpu_set_t set;
    CPU_ZERO(&set);
    for (unsigned k = 0; k < n && k < (unsigned)online; k++)
        CPU_SET(((cpu - (int)k) % online + online) % online, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        fprintf(stderr, "alignbench-runner replay: cannot pin to CPU %d (%u CPUs): %s\n", cpu, n,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* The timed passes with threads: warm-up, batch (and its floor), per-op (and its floor). */
static int threaded_passes(const ab_runner_ctx *ctx, const replay_args *a, ab_replay_mt *mt,
                           const ab_tsc_clock *clock, ab_threads_result *thr,
                           ab_threads_result *thr_floor, ab_latency_set *lat,
                           ab_latency_set *lat_floor, ab_pass_result *perop,
                           ab_pass_result *perop_floor, ab_pass_counters *pc)
{
    const ab_allocator *al = ctx->alloc;
    ab_replay_failure fail;
    ab_threads_result tmp;
    ab_counter_sample s0;
    for (unsigned w = 0; w < a->warmup; w++)
        if (ab_replay_mt_pass(mt, al, 1, NULL, 0, &tmp, &fail) != 0)
            return correctness_failure(ctx->alloc_name, &fail);
    if (a->passes & PASS_BATCH) {
        /* the clock probed around each pass, so that its wall time has a figure in cycles */
        double c0 = ab_cpu_cycles_per_tick();
        ab_counters_read(pc->ctr, &s0);
        if (ab_replay_mt_pass(mt, al, a->batch_reps, NULL, 0, thr, &fail) != 0)
            return correctness_failure(ctx->alloc_name, &fail);
        ab_counters_end(pc->ctr, &s0, a->batch_reps, &pc->batch);
        double c1 = ab_cpu_cycles_per_tick();
        thr->cycles_per_tick = (c0 + c1) / 2;
        ab_counters_read(pc->ctr, &s0);
        if (ab_replay_mt_pass(mt, &ab_null_threaded_allocator, a->batch_reps, NULL, 0, thr_floor,
                              &fail) != 0)
            return correctness_failure("null (floor)", &fail);
        ab_counters_end(pc->ctr, &s0, a->batch_reps, &pc->batch_floor);
        thr_floor->cycles_per_tick = (c1 + ab_cpu_cycles_per_tick()) / 2;
        pc->have_batch = 1;
    }
    if (a->passes & PASS_PEROP) {
        ab_counters_read(pc->ctr, &s0);
        if (ab_replay_mt_pass(mt, al, 1, lat, clock->empty_region_ticks, &tmp, &fail) != 0)
            return correctness_failure(ctx->alloc_name, &fail);
        ab_counters_end(pc->ctr, &s0, 1, &pc->perop);
        ab_threads_as_pass(&tmp, perop);
        ab_counters_read(pc->ctr, &s0);
        if (ab_replay_mt_pass(mt, &ab_null_threaded_allocator, 1, lat_floor,
                              clock->empty_region_ticks, &tmp, &fail) != 0)
            return correctness_failure("null (floor)", &fail);
        ab_counters_end(pc->ctr, &s0, 1, &pc->perop_floor);
        ab_threads_as_pass(&tmp, perop_floor);
        pc->have_perop = 1;
    }
    return 0;
}

/* The timed passes on one thread: warm-up, batch (and its floor), per-op (the floor first). */
static int single_thread_passes(const ab_runner_ctx *ctx, const replay_args *a, ab_replay *r,
                                const ab_tsc_clock *clock, ab_pass_result *batch,
                                ab_pass_result *batch_floor, ab_latency_set *lat_main,
                                ab_latency_set *lat_raw, ab_latency_set *lat_floor,
                                ab_pass_result *perop, ab_pass_result *perop_floor,
                                ab_pass_counters *pc)
{
    const ab_allocator *al = ctx->alloc;
    ab_replay_failure fail;
    ab_counter_sample s0;
    if (a->passes & (PASS_BATCH | PASS_PEROP))
        for (unsigned w = 0; w < a->warmup; w++)
            if (ab_replay_batch_pass(r, al, 1, batch, &fail) != 0)
                return correctness_failure(ctx->alloc_name, &fail);
    if (a->passes & PASS_BATCH) {
        ab_counters_read(pc->ctr, &s0);
        if (ab_replay_batch_pass(r, al, a->batch_reps, batch, &fail) != 0)
            return correctness_failure(ctx->alloc_name, &fail);
        ab_counters_end(pc->ctr, &s0, a->batch_reps, &pc->batch);
        ab_counters_read(pc->ctr, &s0);
        if (ab_replay_batch_pass(r, &ab_null_allocator, a->batch_reps, batch_floor, &fail) != 0)
            return correctness_failure("null (floor)", &fail);
        ab_counters_end(pc->ctr, &s0, a->batch_reps, &pc->batch_floor);
        pc->have_batch = 1;
    }
    if (a->passes & PASS_PEROP) {
        if (ab_replay_latency_set_init(r, lat_main, 1) != 0 ||
            ab_replay_latency_set_init(r, lat_raw, 0) != 0 ||
            ab_replay_latency_set_init(r, lat_floor, 0) != 0) {
            fprintf(stderr, "alignbench-runner replay: cannot map the latency histograms\n");
            return AB_RUNNER_EXIT_FAILED;
        }
        /* the floor first: each op's own, so the allocator's samples are net op by op */
        ab_counters_read(pc->ctr, &s0);
        if (ab_replay_perop_floor_pass(r, &ab_null_allocator, a->floor_passes,
                                       clock->empty_region_ticks, lat_floor, perop_floor, &fail))
            return correctness_failure("null (floor)", &fail);
        ab_counters_end(pc->ctr, &s0, a->floor_passes, &pc->perop_floor);
        ab_counters_read(pc->ctr, &s0);
        if (ab_replay_perop_pass(r, al, clock->empty_region_ticks, lat_raw, lat_main, perop, &fail))
            return correctness_failure(ctx->alloc_name, &fail);
        ab_counters_end(pc->ctr, &s0, 1, &pc->perop);
        pc->have_perop = 1;
    }
    return 0;
}

/* Opens and validates the trace, checks that the allocator can take its threads and pins
 * this process (--cpu). 0, or the exit status (the trace is then closed). */
static int open_trace(const ab_runner_ctx *ctx, const replay_args *a, ab_trace *trace,
                      unsigned *nthreads)
{
    char err[512] = "";
    if (ab_trace_open(a->trace, trace, err, sizeof err) != 0) {
        fprintf(stderr, "alignbench-runner replay: %s: %s\n", a->trace, err);
        return AB_RUNNER_EXIT_FAILED;
    }
    ab_trace_limits lim;
    ab_trace_limits_default(&lim);
    int rc = 0;
    *nthreads = trace->hdr.thread_count > 1 ? trace->hdr.thread_count : 1;
    if (ab_trace_validate(trace, &lim, err, sizeof err) != 0) {
        fprintf(stderr, "alignbench-runner replay: invalid trace %s: %s\n", a->trace, err);
        rc = AB_RUNNER_EXIT_FAILED;
    } else if (*nthreads > 1 && !(ctx->alloc->caps & AB_CAP_THREAD_SAFE) &&
               ctx->threads < *nthreads) {
        fprintf(stderr,
                "alignbench-runner replay: %s is not thread-safe and the trace has %u threads: "
                "create it for them with --threads %u (before the mode's options)\n",
                ctx->alloc_name, *nthreads, *nthreads);
        rc = AB_RUNNER_EXIT_USAGE;
    } else if (a->cpu >= 0 && pin_cpus(a->cpu, *nthreads) != 0) {
        rc = AB_RUNNER_EXIT_FAILED;
    }
    if (rc)
        ab_trace_close(trace);
    return rc;
}

/* replay --count: the counting passes of runner_count.c on the opened, validated trace. */
static int count_replay(const ab_runner_ctx *ctx, const replay_args *a)
{
    ab_trace trace;
    unsigned nthreads;
    int rc = open_trace(ctx, a, &trace, &nthreads);
    if (rc)
        return rc;
    rc = runner_count(ctx, a, &trace, nthreads);
    ab_trace_close(&trace);
    return rc;
}

int runner_replay(const ab_runner_ctx *ctx, int argc, char **argv)
{
    replay_args a;
    int parsed = replay_args_parse(argc, argv, &a);
    if (parsed != 0)
        return parsed > 0 ? AB_RUNNER_EXIT_OK : AB_RUNNER_EXIT_USAGE;
    if (a.count) /* --count: instructions instead of time: no clock, no kernel counters */
        return count_replay(ctx, &a);
    /* before anything starts a thread: the counters follow every thread started later */
    ab_counters ctr;
    ab_counters_open(&ctr);
    ab_pass_counters pc = {.ctr = &ctr};
    ab_trace trace;
    unsigned nthreads;
    int rc = open_trace(ctx, &a, &trace, &nthreads);
    if (rc) {
        ab_counters_close(&ctr);
        return rc;
    }

    const ab_allocator *al = ctx->alloc;
    char err[512] = "";
    rc = AB_RUNNER_EXIT_FAILED;
    ab_tsc_clock clock;
    ab_replay *r = NULL;
    ab_replay_mt *mt = NULL;
    ab_latency_set lat_main = {0}, lat_raw = {0}, lat_floor = {0};
    json_t *run = NULL;
    if (ab_tsc_clock_begin(&clock, a.calib_ms) != 0) {
        fprintf(stderr, "alignbench-runner replay: TSC calibration kept being interrupted\n");
        goto out;
    }
    r = ab_replay_create(&trace, al, &a.opts, err, sizeof err);
    if (!r) {
        fprintf(stderr, "alignbench-runner replay: %s\n", err);
        goto out;
    }
    ab_replay_set_tsc_hz(r, clock.hz);
    const ab_trace_scan *scan = ab_replay_scan(r);
    ab_replay_failure fail;
    ab_memory_result mem;
    ab_alloc_stats pre = {0};
    if (a.passes & PASS_MEMORY) {
        /* the allocator's own account of what it holds before the baseline (child.pre_baseline);
         * nothing of the harness's should be in it (tests/run/test_pre_baseline.sh) */
        if (!al->stats || al->stats(&pre) != 0)
            pre.have = 0;
        ab_memstat_mark_baseline();
        if (ab_replay_memory_pass(r, al, &mem, &fail) != 0) {
            rc = correctness_failure(ctx->alloc_name, &fail);
            goto out;
        }
    }
    unsigned served_max = scan->max_align_log2;
    if (a.opts.lower_align && ((size_t)1 << served_max) > a.opts.lower_align)
        served_max = (unsigned)__builtin_ctz(a.opts.lower_align);
    if (ab_null_prepare_threads(scan->max_size, (size_t)1 << served_max,
                                nthreads > 1 ? nthreads : 0) != 0) {
        fprintf(stderr, "alignbench-runner replay: cannot map the null allocator's block\n");
        goto out;
    }
    ab_pass_result batch = {0}, batch_floor = {0}, perop = {0}, perop_floor = {0};
    ab_threads_result thr = {0}, thr_floor = {0};
    int prc = 0;
    if (nthreads > 1) {
        if ((a.passes & PASS_PEROP) && (ab_replay_latency_set_init(r, &lat_main, 0) != 0 ||
                                        ab_replay_latency_set_init(r, &lat_floor, 0) != 0)) {
            fprintf(stderr, "alignbench-runner replay: cannot map the latency histograms\n");
            goto out;
        }
        mt = ab_replay_mt_create(&trace, al, &a.opts, err, sizeof err);
        if (!mt) {
            fprintf(stderr, "alignbench-runner replay: %s\n", err);
            goto out;
        }
        if (a.passes & (PASS_BATCH | PASS_PEROP))
            prc = threaded_passes(ctx, &a, mt, &clock, &thr, &thr_floor, &lat_main, &lat_floor,
                                  &perop, &perop_floor, &pc);
        ab_threads_as_pass(&thr, &batch);
        ab_threads_as_pass(&thr_floor, &batch_floor);
    } else {
        prc = single_thread_passes(ctx, &a, r, &clock, &batch, &batch_floor, &lat_main, &lat_raw,
                                   &lat_floor, &perop, &perop_floor, &pc);
    }
    if (prc != 0) {
        rc = prc;
        goto out;
    }
    /* what the replay itself held: its peak before the baseline, and the timed passes' tables
     * (or the threaded plan) mapped after the memory pass */
    if (a.passes & PASS_MEMORY)
        mem.harness_peak_rss += ab_replay_timed_bytes(r) + ab_replay_mt_bytes(mt);
    if (ab_tsc_clock_end(&clock, a.calib_ms) != 0) {
        fprintf(stderr, "alignbench-runner replay: TSC calibration kept being interrupted\n");
        goto out;
    }

    ab_run_record rec = {
        .clock = &clock,
        .opts = &a.opts,
        .trace = &trace,
        .trace_path = a.trace,
        .scan = scan,
        .memory = (a.passes & PASS_MEMORY) ? &mem : NULL,
        .batch = (a.passes & PASS_BATCH) ? &batch : NULL,
        .batch_floor = &batch_floor,
        .perop = (a.passes & PASS_PEROP) ? &perop : NULL,
        .perop_floor = &perop_floor,
        .lat = (a.passes & PASS_PEROP) ? &lat_main : NULL,
        .lat_raw = (a.passes & PASS_PEROP) && nthreads == 1 ? &lat_raw : NULL,
        .lat_floor = (a.passes & PASS_PEROP) ? &lat_floor : NULL,
        .alloc = al,
        .alloc_name = ctx->alloc_name,
        .lib_path = ctx->lib_path,
        .cpu = a.cpu,
        .warmup = a.warmup,
        .batch_reps = a.batch_reps,
        .floor_passes = a.floor_passes,
        .threads = nthreads > 1 && (a.passes & PASS_BATCH) ? &thr : NULL,
        .threads_floor = &thr_floor,
        .pre_baseline = &pre,
        .counters = &pc,
    };
    run = ab_run_record_json(&rec);
    if (ab_run_record_write(a.out, run) != 0)
        goto out;
    rc = AB_RUNNER_EXIT_OK;
out:
    json_decref(run);
    ab_replay_latency_set_free(&lat_main);
    ab_replay_latency_set_free(&lat_raw);
    ab_replay_latency_set_free(&lat_floor);
    ab_replay_mt_destroy(mt);
    ab_null_release();
    ab_replay_destroy(r);
    ab_trace_close(&trace);
    ab_counters_close(&ctr);
    return rc;
}
