/* cmd_bench_harness.c: `alignbench bench-harness`, how fast the harness itself is.
 *
 * Prints, for the default traces (gen rpc, il, simd at scale 1), a random 50/50 alloc/free
 * mix with reused ids (10M ops by default, the worst case for branch prediction) and any
 * --trace files (a recorded program's, say):
 *   - the replay floor: ns/op of the batch and the per-op pass against the null allocator, run
 *     here in-process (the null allocator never calls malloc, so this process is fine for it);
 *   - the same trace through the independent minimal replayer (tools/min_replayer.c, a child
 *     process), and the batch floor's mean over that replayer's mean;
 *   - real replay throughput with glibc and mimalloc (Mops/s, raw and net of the floor), each in
 *     its own runner child through the child API, as `alignbench run` does.
 * Figures, not a test: nothing is asserted, and they drift with the machine's load.
 */
#include "harness/orchestrator/alloc_select.h"
#include "harness/common/error_message.h"
#include "harness/orchestrator/child.h"
#include "harness/orchestrator/locate.h"
#include "harness/cli/commands.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"
#include "harness/measure/null_alloc.h"
#include "harness/measure/replay.h"
#include "harness/measure/timer.h"
#include "workloads/generators.h"
#include "workloads/trace_io.h"
#include "workloads/trace_writer.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WHO "alignbench bench-harness"

#define MAX_TRACES 8
#define FLOOR_REPS 3 /* timed repetitions of the floor and of the minimal replayer, alike */

typedef struct bench_opts {
    const char *traces[MAX_TRACES]; /* --trace */
    unsigned ntraces;
    double scale;
    uint64_t mix_ops;
    const char *allocs;
    const char *keep;
    ab_touch touch;
    int cpu;
} bench_opts;

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: alignbench bench-harness [--scale X] [--mix-ops N] [--allocs LIST]\n"
        "                                [--touch none|first|all] [--cpu N] [--keep DIR]\n"
        "                                [--trace FILE]...\n"
        "How fast the harness is: replays the default traces (gen rpc, il, simd at --scale,\n"
        "default 1), a random 50/50 alloc/free mix (--mix-ops, default 10000000) and each\n"
        "--trace FILE (up to 8: a recorded program's, say) against the null allocator (the\n"
        "replay floor, batch and per-op mode), through the independent minimal replayer\n"
        "(alignbench-min-replayer: the floor's mean over its mean), and against the\n"
        "allocators of --allocs (default malloc,mimalloc) in runner children (Mops/s).\n"
        "  --touch  as `run --touch` (default all)     --cpu  pin the replays to CPU N\n"
        "  --keep   write the traces and runner results to DIR (default: a temp dir, removed)\n");
}

static int parse_args(int argc, char **argv, bench_opts *o)
{
    static const struct option longs[] = {
        {"scale", required_argument, NULL, 's'},
        {"mix-ops", required_argument, NULL, 'm'},
        {"allocs", required_argument, NULL, 'a'},
        {"keep", required_argument, NULL, 'k'},
        {"touch", required_argument, NULL, 't'},
        {"cpu", required_argument, NULL, 'c'},
        {"trace", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (bench_opts){.scale = 1.0,
                      .mix_ops = 10000000,
                      .allocs = "malloc,mimalloc",
                      .touch = AB_TOUCH_ALL,
                      .cpu = -1};
    optind = 0;
    opterr = 0;
    int c;
    unsigned cpu;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 1;
        case 's':
            if (ab_opt_double(AB_NUM_OPT(WHO, "--scale", .flags = AB_NUM_ABOVE_MIN), optarg, 0,
                              AB_GEN_SCALE_MAX, &o->scale))
                return -1;
            break;
        case 'm':
            if (ab_opt_u64(AB_NUM_OPT(WHO, "--mix-ops"), optarg, 1000, AB_NUM_NO_MAX, &o->mix_ops))
                return -1;
            break;
        case 'a':
            o->allocs = optarg;
            break;
        case 'T':
            if (o->ntraces == MAX_TRACES) {
                fprintf(stderr, WHO ": at most %d --trace files\n", MAX_TRACES);
                return -1;
            }
            o->traces[o->ntraces++] = optarg;
            break;
        case 'k':
            o->keep = optarg;
            break;
        case 't':
            if (ab_touch_parse(optarg, &o->touch)) {
                fprintf(stderr,
                        WHO ": --touch wants none, first or all, not '%s' (see " WHO " --help)\n",
                        optarg);
                return -1;
            }
            break;
        case 'c':
            if (ab_opt_uint(AB_NUM_OPT(WHO, "--cpu"), optarg, 0, CPU_SETSIZE - 1, &cpu))
                return -1;
            o->cpu = (int)cpu;
            break;
        default:
            return ab_opt_complain(WHO, c, argv);
        }
    }
    if (optind < argc)
        return ab_opt_unexpected(WHO, argv[optind]);
    return 0;
}

/* The random 50/50 mix: up to 1000 live blocks of 16-256 bytes, ids reused, alignment 16. */
static int write_mix(const char *path, uint64_t ops, char *err, size_t errlen)
{
    ab_trace_writer *w = ab_tw_create(path, "generator=bench-harness-mix", err, errlen);
    if (!w)
        return -1;
    enum { LIVE_MAX = 1000 };
    uint32_t live[LIVE_MAX];
    unsigned n = 0;
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (uint64_t i = 0; i < ops; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if ((n == 0 || (x & 1)) && n < LIVE_MAX)
            live[n++] = ab_tw_alloc(w, 16 + (uint32_t)((x >> 8) % 241), 4, 0, 0, 0);
        else {
            unsigned k = (unsigned)((x >> 20) % n);
            ab_tw_free(w, live[k], 0);
            live[k] = live[--n];
        }
    }
    while (n)
        ab_tw_free(w, live[--n], 0);
    return ab_tw_close(w, err, errlen);
}

typedef struct floor_figures {
    double batch_ns, perop_ns, perop_alloc_p50;
} floor_figures;

/* The null allocator replays the trace here: batch and per-op passes. */
static int null_floor(const char *trace_path, const bench_opts *o, ab_tsc_clock *clock,
                      floor_figures *out, char *err, size_t errlen)
{
    ab_trace t;
    if (ab_trace_open(trace_path, &t, err, errlen) != 0)
        return -1;
    ab_trace_limits lim;
    ab_trace_limits_default(&lim);
    ab_replay_opts ro = {.touch = o->touch};
    ab_replay *r = NULL;
    int rc = -1;
    ab_latency_set set = {0};
    if (ab_trace_validate(&t, &lim, err, errlen) != 0)
        goto out;
    r = ab_replay_create(&t, &ab_null_allocator, &ro, err, errlen);
    if (!r)
        goto out;
    const ab_trace_scan *sc = ab_replay_scan(r);
    ab_replay_failure fail;
    ab_pass_result batch, perop;
    if (ab_null_prepare(sc->max_size, (size_t)1 << sc->max_align_log2) != 0 ||
        ab_replay_latency_set_init(r, &set, 0) != 0) {
        ab_fail(err, errlen, "cannot map the null block or the histograms");
        goto out;
    }
    /* warm-up, then the two passes */
    if (ab_replay_batch_pass(r, &ab_null_allocator, 1, &batch, &fail) ||
        ab_replay_batch_pass(r, &ab_null_allocator, FLOOR_REPS, &batch, &fail) ||
        ab_replay_perop_pass(r, &ab_null_allocator, clock->empty_region_ticks, &set, NULL, &perop,
                             &fail)) {
        ab_fail(err, errlen, "%s", fail.msg);
        goto out;
    }
    /* as the runner reports it: the time other processes held the CPU taken off */
    out->batch_ns =
        (ab_tsc_to_ns(clock, (double)batch.ticks) - (double)batch.stolen_ns) / (double)batch.ops;
    out->perop_ns = ab_tsc_to_ns(clock, (double)perop.ticks) / (double)perop.ops;
    out->perop_alloc_p50 = set.kind[AB_OP_ALLOC]
                               ? ab_tsc_to_ns(clock, ab_hist_quantile(set.kind[AB_OP_ALLOC], .5))
                               : 0;
    rc = 0;
out:
    ab_replay_latency_set_free(&set);
    ab_null_release();
    ab_replay_destroy(r);
    ab_trace_close(&t);
    return rc;
}

/* The independent minimal replayer on the trace, in a child: its mean and best ns/op (0, or -1
 * with the reason printed). */
static int min_replayer(const char *trace, const char *dir, double *mean, double *best)
{
    char exe[PATH_MAX], log[PATH_MAX], reps[16], line[256] = "";
    if (ab_locate(AB_INSTALL_RUNNER_REL, NULL, "alignbench-min-replayer", exe, sizeof exe) != 0) {
        printf("  independent replayer: not found (%s)\n", exe);
        return -1;
    }
    snprintf(log, sizeof log, "%s/min-replayer.log", dir);
    snprintf(reps, sizeof reps, "%d", FLOOR_REPS);
    const char *argv[] = {exe, trace, reps, NULL};
    ab_child_spec spec = {.argv = argv, .timeout_s = 600, .stdout_path = log, .stderr_path = log};
    ab_child_result res;
    int ok = ab_child_run(&spec, &res) == 0 && res.outcome == AB_CHILD_OK;
    FILE *f = fopen(log, "r");
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = 0;
        fclose(f);
    }
    unlink(log);
    if (!ok || sscanf(line, "min-replayer: %*u ops, %*d reps, mean %lf ns/op, best %lf", mean,
                      best) != 2) {
        printf("  independent replayer: failed: %s", line[0] ? line : "no output\n");
        return -1;
    }
    return 0;
}

/* One runner child, batch pass only; prints its figures. */
static void runner_figures(const ab_alloc_choice *c, const char *runner, const char *trace,
                           const char *dir, const bench_opts *o)
{
    char out[PATH_MAX], log[PATH_MAX], cpu[16];
    snprintf(out, sizeof out, "%s/%s.json", dir, c->name);
    snprintf(log, sizeof log, "%s/%s.log", dir, c->name);
    snprintf(cpu, sizeof cpu, "%d", o->cpu);
    const char *argv[32];
    int k = ab_alloc_runner_argv(c, runner, "replay", argv);
    const char *rest[] = {"--trace",  trace,   "--out",   out,
                          "--passes", "batch", "--touch", ab_touch_name(o->touch)};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        argv[k++] = rest[i];
    if (o->cpu >= 0) {
        argv[k++] = "--cpu";
        argv[k++] = cpu;
    }
    argv[k] = NULL;
    const char *env[AB_ALLOC_MAX_SETTINGS + 1];
    ab_alloc_env(c, env);
    ab_child_spec spec = {.argv = argv,
                          .preload = c->lib[0] ? c->lib : NULL,
                          .env = env,
                          .timeout_s = 600,
                          .stdout_path = log,
                          .stderr_path = log};
    ab_child_result res;
    if (ab_child_run(&spec, &res) != 0 || res.outcome != AB_CHILD_OK) {
        char why[128] = "could not start";
        ab_child_describe(&res, why, sizeof why);
        printf("    %-10s failed: %s (log: %s)\n", c->name, why, log);
        return;
    }
    json_t *run = json_load_file(out, 0, NULL);
    json_t *m = json_object_get(run, "metrics");
    double ns = json_number_value(json_object_get(m, "ns_per_op"));
    double fl = json_number_value(json_object_get(m, "floor_ns_per_op"));
    double net = json_number_value(json_object_get(m, "ns_per_op_net"));
    printf("    %-10s %7.2f Mops/s  %7.2f ns/op raw, %7.2f net of its floor (%.2f ns/op)\n",
           c->name, 1e3 / ns, ns, net, fl);
    json_decref(run);
}

int cmd_bench_harness(int argc, char **argv)
{
    bench_opts o;
    int parsed = parse_args(argc, argv, &o);
    if (parsed != 0)
        return parsed > 0 ? AB_EXIT_OK : AB_EXIT_USAGE;
    char dir[PATH_MAX / 2], err[512], runner[PATH_MAX];
    if (o.keep)
        snprintf(dir, sizeof dir, "%s", o.keep);
    else {
        snprintf(dir, sizeof dir, "%s/alignbench-bench-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(dir)) {
            fprintf(stderr, "alignbench bench-harness: cannot create %s: %s\n", dir,
                    strerror(errno));
            return AB_EXIT_FAILURE;
        }
    }
    if (ab_runner_path(runner, sizeof runner) != 0) {
        fprintf(stderr, "alignbench bench-harness: cannot find alignbench-runner\n");
        return AB_EXIT_FAILURE;
    }
    const char *specs[] = {o.allocs};
    ab_alloc_choice *choices = NULL;
    size_t nchoices = 0;
    if (ab_alloc_choose(specs, 1, &choices, &nchoices, err, sizeof err) != 0) {
        fprintf(stderr, "alignbench bench-harness: %s\n", err);
        return AB_EXIT_USAGE;
    }
    if (o.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(o.cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            fprintf(stderr, "alignbench bench-harness: cannot pin to CPU %d\n", o.cpu);
    }
    ab_tsc_clock clock;
    if (ab_tsc_clock_begin(&clock, 50) != 0) {
        fprintf(stderr, "alignbench bench-harness: TSC calibration kept being interrupted\n");
        return AB_EXIT_FAILURE;
    }
    printf("alignbench bench-harness: TSC %.3f GHz, empty timed region %.1f ns, touch %s\n",
           clock.hz / 1e9, ab_tsc_to_ns(&clock, (double)clock.empty_region_ticks),
           ab_touch_name(o.touch));
    int rc = AB_EXIT_OK;
    size_t ntraces = ab_generator_count + 1 + o.ntraces;
    for (size_t i = 0; i < ntraces; i++) {
        char trace[PATH_MAX], name[64];
        int gen_rc, given = i > ab_generator_count;
        if (given) {
            const char *path = o.traces[i - ab_generator_count - 1], *base = strrchr(path, '/');
            snprintf(name, sizeof name, "%s", base ? base + 1 : path);
            snprintf(trace, sizeof trace, "%s", path);
            gen_rc = 0;
        } else if (i < ab_generator_count) {
            ab_gen_params p = {.seed = 1, .scale = o.scale, .threads = 1, .variant = NULL};
            snprintf(name, sizeof name, "%s", ab_generators[i]->name);
            snprintf(trace, sizeof trace, "%s/%s.abt", dir, name);
            gen_rc = ab_generators[i]->generate(&p, trace, err, sizeof err);
        } else {
            snprintf(name, sizeof name, "mix50");
            snprintf(trace, sizeof trace, "%s/%s.abt", dir, name);
            gen_rc = write_mix(trace, o.mix_ops, err, sizeof err);
        }
        if (gen_rc != 0) {
            fprintf(stderr, "alignbench bench-harness: %s: %s\n", name, err);
            rc = AB_EXIT_FAILURE;
            continue;
        }
        floor_figures f;
        if (null_floor(trace, &o, &clock, &f, err, sizeof err) != 0) {
            fprintf(stderr, "alignbench bench-harness: %s: %s\n", name, err);
            rc = AB_EXIT_FAILURE;
            continue;
        }
        ab_trace t;
        uint64_t ops = 0;
        if (ab_trace_open(trace, &t, err, sizeof err) == 0) {
            ops = t.hdr.op_count;
            ab_trace_close(&t);
        }
        printf("%s (%llu ops)\n  null allocator: batch %.2f ns/op, per-op pass %.2f ns/op "
               "(alloc p50 %.1f ns net of the empty region)\n",
               name, (unsigned long long)ops, f.batch_ns, f.perop_ns, f.perop_alloc_p50);
        double mr_mean, mr_best;
        if (min_replayer(trace, dir, &mr_mean, &mr_best) == 0)
            printf("  independent replayer: mean %.2f ns/op (best %.2f); batch floor / its mean: "
                   "%.2fx\n",
                   mr_mean, mr_best, mr_mean > 0 ? f.batch_ns / mr_mean : 0);
        for (size_t c = 0; c < nchoices; c++) {
            if (!choices[c].available) {
                printf("    %-10s unavailable: %s\n", choices[c].name, choices[c].why);
                continue;
            }
            runner_figures(&choices[c], runner, trace, dir, &o);
        }
        if (!o.keep && !given)
            unlink(trace);
    }
    if (!o.keep) {
        for (size_t c = 0; c < nchoices; c++) {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s.json", dir, choices[c].name);
            unlink(p);
            snprintf(p, sizeof p, "%s/%s.log", dir, choices[c].name);
            unlink(p);
        }
        rmdir(dir);
    }
    free(choices);
    return rc;
}
