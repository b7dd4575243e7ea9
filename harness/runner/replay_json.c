/* replay_json.c: an ab_run_record as the runner's JSON object (see replay_json.h). Times are
 * converted from ticks with the run's calibrated rate. One thread: net percentiles and means come
 * from samples taken net op by op (each op minus the same op against the null allocator); the
 * means are exact signed means, so they stay unbiased when the clock's step quantizes every
 * sample. Threads: net of the floor's per-kind median (percentiles) and mean, clamped at 0.
 * A net percentile under AB_UNRESOLVED_STEPS timer steps is listed as unresolved. */
#include "harness/runner/replay_json.h"
#include "harness/common/json_file.h"
#include "harness/runner/counters_json.h"
#include "harness/measure/histogram.h"
#include "harness/measure/frag_metrics.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A number, or null when it is not finite (a ratio over zero). */
static void put_num(json_t *o, const char *k, double v)
{
    json_object_set_new(o, k, isfinite(v) ? json_real(v) : json_null());
}

static void put_int(json_t *o, const char *k, int64_t v)
{
    json_object_set_new(o, k, json_integer(v));
}

typedef struct run_times {
    const ab_tsc_clock *clock;
    const ab_latency_set *main, *raw, *floor; /* raw == NULL: main is raw, netted by kind */
} run_times;

static double ticks_ns(const run_times *t, double ticks)
{
    return ab_tsc_to_ns(t->clock, ticks);
}

/* The floor's median for a kind, in ns: what a threaded run's net percentiles subtract (0 with
 * per-op floors, where the samples are net already, or without a floor pass). */
static double floor_p50(const run_times *t, unsigned kind)
{
    if (t->raw || !t->floor || !t->floor->kind[kind])
        return 0;
    return ticks_ns(t, ab_hist_quantile(t->floor->kind[kind], 0.5));
}

static double net_q(const run_times *t, const ab_hist *h, unsigned kind, double q)
{
    double v = ticks_ns(t, ab_hist_quantile(h, q)) - floor_p50(t, kind);
    return v > 0 ? v : 0;
}

/* The timer's step in ns, and whether a net figure is too close to it to be a value. */
static double step_ns(const run_times *t)
{
    return ticks_ns(t, (double)(t->clock->resolution_ticks ? t->clock->resolution_ticks : 1));
}

static int unresolved(const run_times *t, double net_ns)
{
    /* (a value of exactly 3 steps, as quantized samples often give, is resolved) */
    return !(net_ns >= AB_UNRESOLVED_STEPS * step_ns(t) * (1 - 1e-9));
}

/* The mean of a kind in ns: exact signed sums where the set has them. */
static double set_mean(const run_times *t, const ab_latency_set *set, unsigned kind)
{
    if (set->n[kind])
        return ticks_ns(t, (double)set->sum[kind] / (double)set->n[kind]);
    const ab_hist *h = set->kind[kind];
    return h && h->count ? ticks_ns(t, h->sum / (double)h->count) : NAN;
}

static double net_mean(const run_times *t, unsigned kind)
{
    double mean = set_mean(t, t->main, kind);
    if (!t->raw) { /* threads: minus the floor's mean, clamped like the percentiles */
        const ab_latency_set *fl = t->floor;
        mean -= fl && fl->kind[kind] ? set_mean(t, fl, kind) : 0;
        mean = mean > 0 ? mean : 0;
    }
    return mean;
}

static const struct {
    const char *name;
    double q;
} quantile_defs[] = {{"p50", .5}, {"p90", .9}, {"p99", .99}, {"p999", .999}, {"max", 1.0}};

/* view: 0 raw (of `set`), 1 net (the main set, kind `kind`). */
static json_t *quantiles(const run_times *t, const ab_latency_set *set, unsigned kind, int net)
{
    const ab_hist *h = set->kind[kind];
    json_t *o = json_object();
    json_t *unres = json_array();
    put_int(o, "count", (int64_t)h->count);
    for (size_t i = 0; i < sizeof quantile_defs / sizeof quantile_defs[0]; i++) {
        double v = net ? net_q(t, h, kind, quantile_defs[i].q)
                       : ticks_ns(t, ab_hist_quantile(h, quantile_defs[i].q));
        put_num(o, quantile_defs[i].name, v);
        if (net && unresolved(t, v))
            json_array_append_new(unres, json_string(quantile_defs[i].name));
    }
    put_num(o, "mean", net ? net_mean(t, kind) : set_mean(t, set, kind));
    if (net)
        json_object_set_new(o, "unresolved", unres);
    else
        json_decref(unres);
    return o;
}

static json_t *histogram_json(const run_times *t, const ab_hist *h)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < AB_HIST_BUCKETS; i++)
        if (h->buckets[i]) {
            json_t *pair = json_array();
            json_array_append_new(pair, json_real(ticks_ns(t, (double)ab_hist_bucket_high(i))));
            json_array_append_new(pair, json_integer((json_int_t)h->buckets[i]));
            json_array_append_new(a, pair);
        }
    return a;
}

/* A net percentile field, and its name in `unres` when it is under the resolution. */
static void put_net_q(json_t *o, json_t *unres, const char *field, const char *listed,
                      const run_times *t, const ab_hist *h, unsigned kind, double q)
{
    double v = net_q(t, h, kind, q);
    put_num(o, field, v);
    if (unres && unresolved(t, v))
        json_array_append_new(unres, json_string(listed));
}

static void put_latency(json_t *run, json_t *metrics, const run_times *t)
{
    json_t *net = json_object(), *raw = json_object(), *floor = json_object();
    json_t *hist = json_object(), *by_size = json_array();
    json_t *unres_metrics = json_array();
    for (unsigned k = 1; k < AB_KINDS; k++) {
        const ab_hist *h = t->main->kind[k];
        if (!h)
            continue;
        const char *name = ab_op_kind_name(k);
        json_object_set_new(net, name, quantiles(t, t->main, k, 1));
        json_object_set_new(raw, name, quantiles(t, t->raw ? t->raw : t->main, k, 0));
        json_object_set_new(hist, name, histogram_json(t, h));
        if (t->floor && t->floor->kind[k])
            json_object_set_new(floor, name, quantiles(t, t->floor, k, 0));
        char mean_name[32];
        snprintf(mean_name, sizeof mean_name, "%s_mean", name);
        put_num(metrics, mean_name, net_mean(t, k));
        for (unsigned c = 0; c < AB_SIZE_CLASSES; c++) {
            const ab_hist *hs = t->main->size[k][c];
            if (!hs || !hs->count)
                continue;
            json_t *e = json_object();
            json_object_set_new(e, "op", json_string(name));
            put_int(e, "size_max", (int64_t)1 << c);
            put_int(e, "count", (int64_t)hs->count);
            json_t *u = json_array();
            put_net_q(e, u, "p50", "p50", t, hs, k, .5);
            put_net_q(e, u, "p99", "p99", t, hs, k, .99);
            json_object_set_new(e, "unresolved", u);
            json_array_append_new(by_size, e);
        }
    }
    static const struct {
        const char *metric;
        unsigned kind;
        double q;
    } flat[] = {{"alloc_p50", AB_OP_ALLOC, .5},      {"alloc_p99", AB_OP_ALLOC, .99},
                {"alloc_p999", AB_OP_ALLOC, .999},   {"free_p50", AB_OP_FREE, .5},
                {"free_p99", AB_OP_FREE, .99},       {"realloc_p50", AB_OP_REALLOC, .5},
                {"realloc_p99", AB_OP_REALLOC, .99}, {"reset_p50", AB_OP_RESET, .5},
                {"reset_p99", AB_OP_RESET, .99}};
    for (size_t i = 0; i < sizeof flat / sizeof flat[0]; i++)
        if (t->main->kind[flat[i].kind])
            put_net_q(metrics, unres_metrics, flat[i].metric, flat[i].metric, t,
                      t->main->kind[flat[i].kind], flat[i].kind, flat[i].q);
    json_object_set_new(run, "unresolved_metrics", unres_metrics);
    json_object_set_new(run, "latency", net);
    json_object_set_new(run, "latency_raw", raw);
    json_object_set_new(run, "floor_latency", floor);
    json_object_set_new(run, "latency_by_size_class", by_size);
    json_object_set_new(run, "histograms", hist);
}

/* The allocator's memory at the baseline: its resident bytes by its own account, else mapped,
 * else allocated (what it has); -1 if it reports none. */
static int64_t pre_baseline_bytes(const ab_alloc_stats *st)
{
    if (!st)
        return -1;
    if (st->have & AB_STAT_RESIDENT)
        return (int64_t)st->resident;
    if (st->have & AB_STAT_MAPPED)
        return (int64_t)st->mapped;
    if (st->have & AB_STAT_ALLOCATED)
        return (int64_t)st->allocated;
    return -1;
}

/* F is memory above the baseline, so a frag_* below 0 or a negative `retained` is not
 * a property of the allocator: the replay reused memory that was already resident when the
 * baseline was read. Say so next to the figure instead of leaving an impossible number alone. */
static void put_negative_reason(json_t *run, const ab_memory_result *m, const ab_alloc_stats *pre)
{
    if (!(m->frag.frag_peak < 0 || m->frag.frag_at_peak < 0 || m->frag.frag_avg < 0 ||
          m->retained < 0))
        return;
    char why[200];
    int64_t b = pre_baseline_bytes(pre);
    if (b >= 0)
        snprintf(why, sizeof why, "allocator memory resident before the baseline: %lld KiB",
                 (long long)(b / 1024));
    else
        snprintf(why, sizeof why,
                 "allocator memory resident before the baseline (the allocator reports no size)");
    json_object_set_new(run, "negative_reason", json_string(why));
}

static void put_pre_baseline(json_t *child, const ab_memory_result *m, const ab_alloc_stats *pre)
{
    json_t *o = json_object();
    put_int(o, "anon_bytes", m->baseline);
    json_object_set_new(o, "peak_rss_reset", json_boolean(m->peak_rss_reset));
    if (m->rss_file >= 0)
        put_int(o, "rss_file", m->rss_file);
    json_t *al = json_object();
    if (pre && (pre->have & AB_STAT_ALLOCATED))
        put_int(al, "allocated", (int64_t)pre->allocated);
    if (pre && (pre->have & AB_STAT_ACTIVE))
        put_int(al, "active", (int64_t)pre->active);
    if (pre && (pre->have & AB_STAT_RESIDENT))
        put_int(al, "resident", (int64_t)pre->resident);
    if (pre && (pre->have & AB_STAT_MAPPED))
        put_int(al, "mapped", (int64_t)pre->mapped);
    json_object_set_new(o, "allocator", al);
    json_object_set_new(child, "pre_baseline", o);
}

static void put_memory(json_t *run, json_t *metrics, const ab_memory_result *m)
{
    put_num(metrics, "frag_peak", m->frag.frag_peak);
    put_num(metrics, "frag_at_peak", m->frag.frag_at_peak);
    put_num(metrics, "frag_avg", m->frag.frag_avg);
    put_num(metrics, "internal", m->internal);
    put_int(metrics, "retained", m->retained);
    put_int(metrics, "peak_rss", (int64_t)m->peak_rss);
    put_int(metrics, "harness_peak_rss", (int64_t)m->harness_peak_rss);
    put_int(metrics, "peak_live", (int64_t)m->max_live);
    put_int(metrics, "peak_footprint", m->frag.max_F);
    put_int(metrics, "footprint_at_peak_live", (int64_t)m->footprint_at_max_live);
    json_t *ts = json_array();
    for (size_t i = 0; i < m->series_len; i++) {
        const ab_checkpoint *c = &m->series[i];
        json_t *row = json_array();
        json_array_append_new(row, json_integer((json_int_t)c->op));
        json_array_append_new(row, json_integer((json_int_t)c->live));
        json_array_append_new(row, json_integer((json_int_t)c->anon));
        json_array_append_new(row, json_integer((json_int_t)c->footprint));
        json_array_append_new(row,
                              c->alloc_active >= 0 ? json_integer(c->alloc_active) : json_null());
        json_array_append_new(ts, row);
    }
    json_object_set_new(run, "timeseries", ts);
}

static void put_align_classes(json_t *run, const ab_replay_opts *opts, const ab_memory_result *m,
                              const run_times *t)
{
    json_t *a = json_array();
    for (unsigned c = 0; c < AB_ALIGN_CLASSES; c++) {
        const ab_hist *h = t && t->main ? t->main->align[c] : NULL;
        uint64_t count = m ? m->align[c].count : h ? h->count : 0;
        if (!count)
            continue;
        uint64_t align = (uint64_t)1 << c;
        json_t *e = json_object();
        put_int(e, "align", (int64_t)align);
        put_int(
            e, "served_align",
            (int64_t)(opts->lower_align && align > opts->lower_align ? opts->lower_align : align));
        put_int(e, "count", (int64_t)count);
        if (m) {
            put_int(e, "requested_bytes", (int64_t)m->align[c].requested_bytes);
            put_int(e, "footprint_bytes", (int64_t)m->align[c].footprint_bytes);
        }
        if (h && h->count) {
            json_t *u = json_array();
            put_net_q(e, u, "alloc_p50", "alloc_p50", t, h, AB_OP_ALLOC, .5);
            put_net_q(e, u, "alloc_p99", "alloc_p99", t, h, AB_OP_ALLOC, .99);
            json_object_set_new(e, "unresolved", u);
        }
        json_array_append_new(a, e);
    }
    json_object_set_new(run, "align_classes", a);
}

/* A threaded trace's batch pass: per-thread throughput and the handoffs (docs/threads.md). */
static void put_threads(json_t *run, json_t *metrics, const ab_run_record *rec)
{
    const ab_threads_result *t = rec->threads, *fl = rec->threads_floor;
    double wall_ns = ab_tsc_to_ns(rec->clock, (double)t->wall_ticks);
    put_num(metrics, "mops_per_thread", wall_ns > 0 ? t->ops / wall_ns * 1e3 / t->threads : NAN);
    json_t *o = json_object();
    put_int(o, "count", t->threads);
    put_int(o, "handoffs", (int64_t)t->handoffs);
    put_int(o, "live_blocks_at_end", (int64_t)t->live_blocks_at_end);
    put_int(o, "live_bytes_at_end", (int64_t)t->live_bytes_at_end);
    json_t *per = json_array();
    uint64_t waits = 0, floor_waits = 0;
    for (unsigned k = 0; k < t->threads; k++) {
        const ab_thread_result *th = &t->thread[k];
        double ns = ab_tsc_to_ns(rec->clock, (double)th->ticks);
        json_t *e = json_object();
        put_int(e, "thread", k);
        put_int(e, "ops", (int64_t)th->ops);
        put_num(e, "mops", ns > 0 ? th->ops / ns * 1e3 : NAN);
        put_int(e, "handoff_waits", (int64_t)th->waits);
        json_array_append_new(per, e);
        waits += th->waits;
        floor_waits += fl->thread[k].waits;
    }
    put_int(o, "handoff_waits", (int64_t)waits);
    put_int(o, "floor_handoff_waits", (int64_t)floor_waits);
    json_object_set_new(o, "per_thread", per);
    json_object_set_new(run, "thread_stats", o);
}

void ab_run_child_common(json_t *child, const ab_run_record *rec)
{
    json_object_set_new(child, "allocator", json_string(rec->alloc_name));
    json_object_set_new(child, "backend", json_string(rec->alloc->name));
    json_object_set_new(child, "allocator_version",
                        json_string(rec->alloc->version ? rec->alloc->version() : "unknown"));
    json_object_set_new(child, "library", rec->lib_path ? json_string(rec->lib_path) : json_null());
    put_int(child, "cpu", rec->cpu >= 0 ? rec->cpu : sched_getcpu());
    json_object_set_new(child, "pinned", json_boolean(rec->cpu >= 0));
    json_object_set_new(child, "touch", json_string(ab_touch_name(rec->opts->touch)));
    put_int(child, "lower_align", rec->opts->lower_align);
    json_object_set_new(child, "free_is_noop", json_boolean(!(rec->alloc->caps & AB_CAP_FREE)));
    json_object_set_new(child, "reset_by",
                        json_string(rec->alloc->caps & AB_CAP_RESET ? "allocator" : "harness"));
    json_object_set_new(child, "realloc_by",
                        json_string(rec->alloc->caps & AB_CAP_REALLOC ? "allocator" : "harness"));
    json_t *tr = json_object();
    json_object_set_new(tr, "path", json_string(rec->trace_path));
    put_int(tr, "ops", (int64_t)rec->trace->hdr.op_count);
    put_int(tr, "timed_ops", (int64_t)rec->scan->timed_ops);
    put_int(tr, "peak_live_bytes", (int64_t)rec->trace->hdr.peak_live_bytes);
    put_int(tr, "max_live_ids", rec->trace->hdr.max_live_ids);
    json_object_set_new(child, "trace", tr);
}

/* The batch pass's figures: time and cycles per op, gross and net of the floor, throughput,
 * and the kernel counters read around it. */
static void put_batch(json_t *run, json_t *metrics, const ab_run_record *rec)
{
    const ab_pass_result *batch = rec->batch, *batch_floor = rec->batch_floor;
    double ops = batch->ops ? (double)batch->ops : 1;
    /* the mean whole repetition, less the time other processes held the CPU */
    double ns = (ab_tsc_to_ns(rec->clock, (double)batch->ticks) - (double)batch->stolen_ns) / ops;
    double fl =
        (ab_tsc_to_ns(rec->clock, (double)batch_floor->ticks) - (double)batch_floor->stolen_ns) /
        ops;
    put_num(metrics, "ns_per_op", ns);
    put_num(metrics, "floor_ns_per_op", fl);
    put_num(metrics, "ns_per_op_net", ns - fl);
    if (batch->cycles > 0 && batch_floor->cycles > 0) {
        put_num(metrics, "cycles_per_op", batch->cycles / ops);
        put_num(metrics, "floor_cycles_per_op", batch_floor->cycles / ops);
        put_num(metrics, "cycles_per_op_net", (batch->cycles - batch_floor->cycles) / ops);
        put_num(metrics, "cpu_ghz", batch->cycles_per_tick * rec->clock->hz / 1e9);
    }
    put_num(metrics, "mops", 1e3 / ns);
    put_num(metrics, "mops_wall",
            batch->ticks_min_rep
                ? ops / ab_tsc_to_ns(rec->clock, (double)batch->ticks_min_rep) * 1e3
                : NAN);
    put_num(metrics, "ns_per_op_minbatch",
            ab_tsc_to_ns(rec->clock, (double)batch->ticks_minbatch) / ops);
    put_num(metrics, "floor_ns_per_op_minbatch",
            ab_tsc_to_ns(rec->clock, (double)batch_floor->ticks_minbatch) / ops);
    put_num(metrics, "batch_median_ns_per_op",
            ab_tsc_to_ns(rec->clock, batch->median_batch_ticks_per_op));
    put_num(metrics, "floor_batch_median_ns_per_op",
            ab_tsc_to_ns(rec->clock, batch_floor->median_batch_ticks_per_op));
    ab_counters_json(run, metrics, rec->counters, batch->ops);
}

/* The clock the run was timed with (its calibration, resolution and drift), and whether that
 * makes the run noisy. */
static void put_clock(json_t *child, const ab_run_record *rec)
{
    put_num(child, "tsc_hz", rec->clock->hz);
    put_num(child, "tsc_hz_start", rec->clock->start.hz);
    put_num(child, "tsc_hz_end", rec->clock->end.hz);
    put_num(child, "tsc_drift_ppm", rec->clock->drift_ppm);
    put_num(child, "empty_region_ns",
            ab_tsc_to_ns(rec->clock, (double)rec->clock->empty_region_ticks));
    put_int(child, "timer_resolution_ticks", (int64_t)rec->clock->resolution_ticks);
    put_num(child, "timer_resolution_ns",
            ab_tsc_to_ns(rec->clock, (double)rec->clock->resolution_ticks));
    put_num(child, "unresolved_below_ns",
            AB_UNRESOLVED_STEPS * ab_tsc_to_ns(rec->clock, (double)rec->clock->resolution_ticks));
    json_t *reasons = json_array();
    if (fabs(rec->clock->drift_ppm) > AB_TSC_NOISY_PPM) {
        char why[128];
        snprintf(why, sizeof why, "TSC calibrations disagree by %.0f ppm (limit %.0f)",
                 rec->clock->drift_ppm, AB_TSC_NOISY_PPM);
        json_array_append_new(reasons, json_string(why));
    }
    json_object_set_new(child, "noisy", json_boolean(json_array_size(reasons) > 0));
    json_object_set_new(child, "noisy_reasons", reasons);
}

/* How the run was replayed: warm-up, repetitions, floor passes, time lost to preemption, what
 * the latencies are net of, the passes made. */
static void put_passes(json_t *child, const ab_run_record *rec)
{
    put_int(child, "warmup", rec->warmup);
    put_int(child, "batch_reps", rec->batch_reps);
    put_int(child, "floor_passes", rec->floor_passes);
    if (rec->batch) {
        put_num(child, "batch_preempted_ns_per_rep", (double)rec->batch->stolen_ns);
        put_num(child, "floor_batch_preempted_ns_per_rep", (double)rec->batch_floor->stolen_ns);
    }
    if (rec->perop) {
        put_int(child, "perop_preempted_samples", (int64_t)rec->perop->preempted);
        put_num(child, "perop_preempted_ns", (double)rec->perop->stolen_ns);
    }
    json_object_set_new(child, "net_of",
                        json_string(rec->lat_raw ? "each op's own floor"
                                                 : "the floor's per-kind median (threads)"));
    json_t *passes = json_array();
    if (rec->memory)
        json_array_append_new(passes, json_string("memory"));
    if (rec->batch)
        json_array_append_new(passes, json_string("batch"));
    if (rec->perop)
        json_array_append_new(passes, json_string("perop"));
    json_object_set_new(child, "passes", passes);
}

json_t *ab_run_record_json(const ab_run_record *rec)
{
    json_t *run = json_object();
    json_t *metrics = json_object();
    run_times times = {rec->clock, rec->lat, rec->lat_raw, rec->lat_floor};
    if (rec->batch)
        put_batch(run, metrics, rec);
    put_int(metrics, "threads",
            rec->trace->hdr.thread_count > 1 ? rec->trace->hdr.thread_count : 1);
    if (rec->threads)
        put_threads(run, metrics, rec);
    if (rec->perop) {
        double ops = rec->perop->ops ? (double)rec->perop->ops : 1;
        put_num(metrics, "perop_ns_per_op",
                ab_tsc_to_ns(rec->clock, (double)rec->perop->ticks) / ops);
        put_num(metrics, "floor_perop_ns_per_op",
                ab_tsc_to_ns(rec->clock, (double)rec->perop_floor->ticks) / ops);
        put_latency(run, metrics, &times);
    }
    if (rec->memory) {
        put_memory(run, metrics, rec->memory);
        put_negative_reason(run, rec->memory, rec->pre_baseline);
    }
    put_align_classes(run, rec->opts, rec->memory, rec->perop ? &times : NULL);
    put_num(metrics, "tsc_drift_ppm", rec->clock->drift_ppm);
    json_object_set_new(run, "metrics", metrics);

    json_t *child = json_object();
    put_clock(child, rec);
    ab_run_child_common(child, rec);
    put_passes(child, rec);
    if (rec->memory) {
        put_int(child, "memory_baseline", rec->memory->baseline);
        put_pre_baseline(child, rec->memory, rec->pre_baseline);
    }
    json_object_set_new(run, "child", child);

    return run;
}

int ab_run_record_write(const char *path, const json_t *run)
{
    char err[512];
    if (run && ab_json_write_atomic(path, run, JSON_INDENT(1) | JSON_REAL_PRECISION(12), err,
                                    sizeof err) == 0)
        return 0;
    fprintf(stderr, "alignbench-runner replay: %s\n", run ? err : "cannot build the result");
    return -1;
}
