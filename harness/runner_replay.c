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
 * fields), through a temporary file renamed into place.
 *
 * Exit codes: 0 ok; 1 usage, invalid trace or a harness error; 4 correctness failure (the
 * allocator returned a misaligned pointer or NULL for a non-empty request: stderr names the op
 * index and no result file is written). runner_main.c exits 3 when the allocator is refused.
 */
#include "harness/histogram.h"
#include "harness/memstat.h"
#include "harness/metrics.h"
#include "harness/null_alloc.h"
#include "harness/replay.h"
#include "harness/runner_modes.h"
#include "harness/timer.h"
#include "workloads/trace_io.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 1
#define EXIT_CORRECTNESS 4

enum { PASS_MEMORY = 1, PASS_BATCH = 2, PASS_PEROP = 4 };

typedef struct replay_args {
    const char *trace, *out;
    ab_replay_opts opts;
    int cpu;
    unsigned warmup, passes, calib_ms, batch_reps;
} replay_args;

static const char usage_text[] =
    "usage: alignbench-runner replay --alloc NAME [--lib PATH] --trace FILE --out FILE.json\n"
    "         [--touch none|first|all] [--lower-align 16] [--cpu N] [--checkpoints N]\n"
    "         [--warmup N] [--batch-reps N] [--passes memory,batch,perop] [--calib-ms N]\n"
    "One measured run: replays FILE against the allocator (memory pass, warm-up, batch and\n"
    "per-op latency passes, and the null-allocator floor) and writes one JSON run object.\n"
    "  --touch        write allocated blocks: all bytes (default), first byte of each page, none\n"
    "  --lower-align  serve every alignment above A at A (the natural baseline is 16)\n"
    "  --cpu          pin this process to CPU N\n"
    "  --checkpoints  memory-pass checkpoints (default 200)\n"
    "  --warmup       untimed replays before the latency passes (default 1)\n"
    "  --batch-reps   batch-pass repetitions; each batch keeps its fastest (default 3)\n"
    "  --passes       which passes to run (default all three)\n"
    "  --calib-ms     length of each TSC calibration (default 50)\n"
    "Exit: 0 ok, 1 usage/invalid trace/harness error, 3 allocator refused, 4 correctness "
    "failure.\n";

static int parse_uint(const char *opt, const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end || v > max || s[0] == '-') {
        fprintf(stderr, "alignbench-runner replay: %s: '%s' is not a number in [0, %lu]\n", opt, s,
                max);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_passes(const char *s, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"memory", PASS_MEMORY}, {"batch", PASS_BATCH}, {"perop", PASS_PEROP}};
    *out = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (!strcmp(tok, names[i].name))
                bit = names[i].bit;
        if (!bit) {
            fprintf(stderr, "alignbench-runner replay: --passes: unknown pass '%s'\n", tok);
            return -1;
        }
        *out |= bit;
    }
    return *out ? 0 : -1;
}

static int parse_args(int argc, char **argv, replay_args *a)
{
    memset(a, 0, sizeof *a);
    a->cpu = -1;
    a->warmup = 1;
    a->passes = PASS_MEMORY | PASS_BATCH | PASS_PEROP;
    a->calib_ms = 50;
    a->batch_reps = 3;
    a->opts.touch = AB_TOUCH_ALL;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        unsigned long v;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(usage_text, stdout);
            exit(0);
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "alignbench-runner replay: unknown option or missing value: %s\n", o);
            return -1;
        }
        const char *val = argv[++i];
        if (!strcmp(o, "--trace"))
            a->trace = val;
        else if (!strcmp(o, "--out"))
            a->out = val;
        else if (!strcmp(o, "--touch")) {
            if (ab_touch_parse(val, &a->opts.touch) != 0) {
                fprintf(stderr, "alignbench-runner replay: --touch: none, first or all\n");
                return -1;
            }
        } else if (!strcmp(o, "--lower-align")) {
            if (parse_uint(o, val, 1u << 30, &v) || !v || (v & (v - 1))) {
                fprintf(stderr, "alignbench-runner replay: --lower-align: a power of two\n");
                return -1;
            }
            a->opts.lower_align = (unsigned)v;
        } else if (!strcmp(o, "--cpu")) {
            if (parse_uint(o, val, CPU_SETSIZE - 1, &v))
                return -1;
            a->cpu = (int)v;
        } else if (!strcmp(o, "--checkpoints")) {
            if (parse_uint(o, val, 1000000, &v) || v < 2) {
                fprintf(stderr, "alignbench-runner replay: --checkpoints: at least 2\n");
                return -1;
            }
            a->opts.checkpoints = (unsigned)v;
        } else if (!strcmp(o, "--warmup")) {
            if (parse_uint(o, val, 100, &v))
                return -1;
            a->warmup = (unsigned)v;
        } else if (!strcmp(o, "--calib-ms")) {
            if (parse_uint(o, val, 10000, &v) || v < 5) {
                fprintf(stderr, "alignbench-runner replay: --calib-ms: 5 to 10000\n");
                return -1;
            }
            a->calib_ms = (unsigned)v;
        } else if (!strcmp(o, "--batch-reps")) {
            if (parse_uint(o, val, 100, &v) || !v) {
                fprintf(stderr, "alignbench-runner replay: --batch-reps: 1 to 100\n");
                return -1;
            }
            a->batch_reps = (unsigned)v;
        } else if (!strcmp(o, "--passes")) {
            if (parse_passes(val, &a->passes))
                return -1;
        } else {
            fprintf(stderr, "alignbench-runner replay: unknown option %s\n", o);
            return -1;
        }
    }
    if (!a->trace || !a->out) {
        fprintf(stderr, "alignbench-runner replay: --trace FILE and --out FILE are required\n");
        return -1;
    }
    return 0;
}

/* ---- JSON helpers ------------------------------------------------------------------------ */

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
    const ab_latency_set *main, *floor;
} run_times;

static double ticks_ns(const run_times *t, double ticks)
{
    return ab_tsc_to_ns(t->clock, ticks);
}

/* The floor's median for a kind, in ns (0 without a floor pass). */
static double floor_p50(const run_times *t, unsigned kind)
{
    if (!t->floor || !t->floor->kind[kind])
        return 0;
    return ticks_ns(t, ab_hist_quantile(t->floor->kind[kind], 0.5));
}

static double net_q(const run_times *t, const ab_hist *h, unsigned kind, double q)
{
    double v = ticks_ns(t, ab_hist_quantile(h, q)) - floor_p50(t, kind);
    return v > 0 ? v : 0;
}

static json_t *quantiles(const run_times *t, const ab_hist *h, unsigned kind, int net)
{
    static const struct {
        const char *name;
        double q;
    } qs[] = {{"p50", .5}, {"p90", .9}, {"p99", .99}, {"p999", .999}, {"max", 1.0}};
    json_t *o = json_object();
    put_int(o, "count", (int64_t)h->count);
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
        put_num(o, qs[i].name,
                net ? net_q(t, h, kind, qs[i].q) : ticks_ns(t, ab_hist_quantile(h, qs[i].q)));
    put_num(o, "mean", h->count ? ticks_ns(t, h->sum / (double)h->count) : NAN);
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

static void put_latency(json_t *run, json_t *metrics, const run_times *t)
{
    json_t *net = json_object(), *raw = json_object(), *floor = json_object();
    json_t *hist = json_object(), *by_size = json_array();
    for (unsigned k = 1; k < AB_KINDS; k++) {
        const ab_hist *h = t->main->kind[k];
        if (!h)
            continue;
        const char *name = ab_op_kind_name(k);
        json_object_set_new(net, name, quantiles(t, h, k, 1));
        json_object_set_new(raw, name, quantiles(t, h, k, 0));
        json_object_set_new(hist, name, histogram_json(t, h));
        if (t->floor && t->floor->kind[k])
            json_object_set_new(floor, name, quantiles(t, t->floor->kind[k], k, 0));
        for (unsigned c = 0; c < AB_SIZE_CLASSES; c++) {
            const ab_hist *hs = t->main->size[k][c];
            if (!hs || !hs->count)
                continue;
            json_t *e = json_object();
            json_object_set_new(e, "op", json_string(name));
            put_int(e, "size_max", (int64_t)1 << c);
            put_int(e, "count", (int64_t)hs->count);
            put_num(e, "p50", net_q(t, hs, k, .5));
            put_num(e, "p99", net_q(t, hs, k, .99));
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
            put_num(metrics, flat[i].metric,
                    net_q(t, t->main->kind[flat[i].kind], flat[i].kind, flat[i].q));
    json_object_set_new(run, "latency", net);
    json_object_set_new(run, "latency_raw", raw);
    json_object_set_new(run, "floor_latency", floor);
    json_object_set_new(run, "latency_by_size_class", by_size);
    json_object_set_new(run, "histograms", hist);
}

static void put_memory(json_t *run, json_t *metrics, const ab_memory_result *m)
{
    put_num(metrics, "frag_peak", m->frag.frag_peak);
    put_num(metrics, "frag_at_peak", m->frag.frag_at_peak);
    put_num(metrics, "frag_avg", m->frag.frag_avg);
    put_num(metrics, "internal", m->internal);
    put_int(metrics, "retained", m->retained);
    put_int(metrics, "peak_rss", (int64_t)m->peak_rss);
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
            put_num(e, "alloc_p50", net_q(t, h, AB_OP_ALLOC, .5));
            put_num(e, "alloc_p99", net_q(t, h, AB_OP_ALLOC, .99));
        }
        json_array_append_new(a, e);
    }
    json_object_set_new(run, "align_classes", a);
}

static int write_json_atomic(json_t *o, const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (json_dump_file(o, tmp, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) != 0) {
        fprintf(stderr, "alignbench-runner replay: cannot write %s\n", tmp);
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "alignbench-runner replay: cannot rename %s to %s: %s\n", tmp, path,
                strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* ---- the mode ---------------------------------------------------------------------------- */

static int correctness_failure(const char *who, const ab_replay_failure *f)
{
    fprintf(stderr, "alignbench-runner replay: %s: %s\n", who, f->msg);
    return f->op == UINT64_MAX ? EXIT_USAGE : EXIT_CORRECTNESS;
}

int runner_replay(const ab_runner_ctx *ctx, int argc, char **argv)
{
    replay_args a;
    if (parse_args(argc, argv, &a) != 0) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (a.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(a.cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            fprintf(stderr, "alignbench-runner replay: cannot pin to CPU %d: %s\n", a.cpu,
                    strerror(errno));
            return EXIT_USAGE;
        }
    }
    char err[512] = "";
    ab_trace trace;
    if (ab_trace_open(a.trace, &trace, err, sizeof err) != 0) {
        fprintf(stderr, "alignbench-runner replay: %s: %s\n", a.trace, err);
        return EXIT_USAGE;
    }
    ab_trace_limits lim;
    ab_trace_limits_default(&lim);
    if (ab_trace_validate(&trace, &lim, err, sizeof err) != 0) {
        fprintf(stderr, "alignbench-runner replay: invalid trace %s: %s\n", a.trace, err);
        ab_trace_close(&trace);
        return EXIT_USAGE;
    }

    const ab_allocator *al = ctx->alloc;
    int rc = EXIT_USAGE;
    ab_tsc_clock clock;
    ab_replay *r = NULL;
    ab_latency_set lat_main = {0}, lat_floor = {0};
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
    const ab_trace_scan *scan = ab_replay_scan(r);
    ab_replay_failure fail;
    ab_memory_result mem;
    if (a.passes & PASS_MEMORY) {
        if (ab_replay_memory_pass(r, al, &mem, &fail) != 0) {
            rc = correctness_failure(ctx->alloc_name, &fail);
            goto out;
        }
    }
    unsigned served_max = scan->max_align_log2;
    if (a.opts.lower_align && ((size_t)1 << served_max) > a.opts.lower_align)
        served_max = (unsigned)__builtin_ctz(a.opts.lower_align);
    if (ab_null_prepare(scan->max_size, (size_t)1 << served_max) != 0) {
        fprintf(stderr, "alignbench-runner replay: cannot map the null allocator's block\n");
        goto out;
    }
    ab_pass_result batch = {0}, batch_floor = {0}, perop = {0}, perop_floor = {0};
    if (a.passes & (PASS_BATCH | PASS_PEROP))
        for (unsigned w = 0; w < a.warmup; w++)
            if (ab_replay_batch_pass(r, al, 1, &batch, &fail) != 0) {
                rc = correctness_failure(ctx->alloc_name, &fail);
                goto out;
            }
    if (a.passes & PASS_BATCH) {
        if (ab_replay_batch_pass(r, al, a.batch_reps, &batch, &fail) != 0) {
            rc = correctness_failure(ctx->alloc_name, &fail);
            goto out;
        }
        if (ab_replay_batch_pass(r, &ab_null_allocator, a.batch_reps, &batch_floor, &fail) != 0) {
            rc = correctness_failure("null (floor)", &fail);
            goto out;
        }
    }
    if (a.passes & PASS_PEROP) {
        if (ab_replay_latency_set_init(r, &lat_main, 1) != 0 ||
            ab_replay_latency_set_init(r, &lat_floor, 0) != 0) {
            fprintf(stderr, "alignbench-runner replay: cannot map the latency histograms\n");
            goto out;
        }
        if (ab_replay_perop_pass(r, al, clock.empty_region_ticks, &lat_main, &perop, &fail)) {
            rc = correctness_failure(ctx->alloc_name, &fail);
            goto out;
        }
        if (ab_replay_perop_pass(r, &ab_null_allocator, clock.empty_region_ticks, &lat_floor,
                                 &perop_floor, &fail)) {
            rc = correctness_failure("null (floor)", &fail);
            goto out;
        }
    }
    if (ab_tsc_clock_end(&clock, a.calib_ms) != 0) {
        fprintf(stderr, "alignbench-runner replay: TSC calibration kept being interrupted\n");
        goto out;
    }

    /* ---- the result ---- */
    run = json_object();
    json_t *metrics = json_object();
    run_times times = {&clock, (a.passes & PASS_PEROP) ? &lat_main : NULL,
                       (a.passes & PASS_PEROP) ? &lat_floor : NULL};
    if (a.passes & PASS_BATCH) {
        double ops = batch.ops ? (double)batch.ops : 1;
        double ns = ab_tsc_to_ns(&clock, (double)batch.ticks) / ops;
        double fl = ab_tsc_to_ns(&clock, (double)batch_floor.ticks) / ops;
        put_num(metrics, "ns_per_op", ns);
        put_num(metrics, "floor_ns_per_op", fl);
        put_num(metrics, "ns_per_op_net", ns - fl);
        put_num(metrics, "mops", 1e3 / ns);
        put_num(metrics, "ns_per_op_mean", ab_tsc_to_ns(&clock, (double)batch.ticks_mean) / ops);
        put_num(metrics, "floor_ns_per_op_mean",
                ab_tsc_to_ns(&clock, (double)batch_floor.ticks_mean) / ops);
        put_num(metrics, "batch_median_ns_per_op",
                ab_tsc_to_ns(&clock, batch.median_batch_ticks_per_op));
        put_num(metrics, "floor_batch_median_ns_per_op",
                ab_tsc_to_ns(&clock, batch_floor.median_batch_ticks_per_op));
    }
    if (a.passes & PASS_PEROP) {
        double ops = perop.ops ? (double)perop.ops : 1;
        put_num(metrics, "perop_ns_per_op", ab_tsc_to_ns(&clock, (double)perop.ticks) / ops);
        put_num(metrics, "floor_perop_ns_per_op",
                ab_tsc_to_ns(&clock, (double)perop_floor.ticks) / ops);
        put_latency(run, metrics, &times);
    }
    if (a.passes & PASS_MEMORY)
        put_memory(run, metrics, &mem);
    put_align_classes(run, &a.opts, (a.passes & PASS_MEMORY) ? &mem : NULL,
                      (a.passes & PASS_PEROP) ? &times : NULL);
    put_num(metrics, "tsc_drift_ppm", clock.drift_ppm);
    json_object_set_new(run, "metrics", metrics);

    json_t *child = json_object();
    put_num(child, "tsc_hz", clock.hz);
    put_num(child, "tsc_hz_start", clock.start.hz);
    put_num(child, "tsc_hz_end", clock.end.hz);
    put_num(child, "tsc_drift_ppm", clock.drift_ppm);
    put_num(child, "empty_region_ns", ab_tsc_to_ns(&clock, (double)clock.empty_region_ticks));
    json_t *reasons = json_array();
    if (fabs(clock.drift_ppm) > AB_TSC_NOISY_PPM) {
        char why[128];
        snprintf(why, sizeof why, "TSC calibrations disagree by %.0f ppm (limit %.0f)",
                 clock.drift_ppm, AB_TSC_NOISY_PPM);
        json_array_append_new(reasons, json_string(why));
    }
    json_object_set_new(child, "noisy", json_boolean(json_array_size(reasons) > 0));
    json_object_set_new(child, "noisy_reasons", reasons);
    json_object_set_new(child, "allocator", json_string(ctx->alloc_name));
    json_object_set_new(child, "backend", json_string(al->name));
    json_object_set_new(child, "allocator_version",
                        json_string(al->version ? al->version() : "unknown"));
    json_object_set_new(child, "library", ctx->lib_path ? json_string(ctx->lib_path) : json_null());
    put_int(child, "cpu", a.cpu >= 0 ? a.cpu : sched_getcpu());
    json_object_set_new(child, "pinned", json_boolean(a.cpu >= 0));
    json_object_set_new(child, "touch", json_string(ab_touch_name(a.opts.touch)));
    put_int(child, "lower_align", a.opts.lower_align);
    put_int(child, "warmup", a.warmup);
    put_int(child, "batch_reps", a.batch_reps);
    json_t *passes = json_array();
    if (a.passes & PASS_MEMORY)
        json_array_append_new(passes, json_string("memory"));
    if (a.passes & PASS_BATCH)
        json_array_append_new(passes, json_string("batch"));
    if (a.passes & PASS_PEROP)
        json_array_append_new(passes, json_string("perop"));
    json_object_set_new(child, "passes", passes);
    json_object_set_new(child, "free_is_noop", json_boolean(!(al->caps & AB_CAP_FREE)));
    json_object_set_new(child, "reset_by",
                        json_string(al->caps & AB_CAP_RESET ? "allocator" : "harness"));
    json_object_set_new(child, "realloc_by",
                        json_string(al->caps & AB_CAP_REALLOC ? "allocator" : "harness"));
    json_t *tr = json_object();
    json_object_set_new(tr, "path", json_string(a.trace));
    put_int(tr, "ops", (int64_t)trace.hdr.op_count);
    put_int(tr, "timed_ops", (int64_t)scan->timed_ops);
    put_int(tr, "peak_live_bytes", (int64_t)trace.hdr.peak_live_bytes);
    put_int(tr, "max_live_ids", trace.hdr.max_live_ids);
    json_object_set_new(child, "trace", tr);
    if (a.passes & PASS_MEMORY)
        put_int(child, "memory_baseline", mem.baseline);
    json_object_set_new(run, "child", child);

    rc = write_json_atomic(run, a.out) == 0 ? 0 : EXIT_USAGE;
out:
    json_decref(run);
    ab_replay_latency_set_free(&lat_main);
    ab_replay_latency_set_free(&lat_floor);
    ab_null_release();
    ab_replay_destroy(r);
    ab_trace_close(&trace);
    return rc;
}
