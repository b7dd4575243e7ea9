/* cmd_micro.c: `alignbench micro`, the Google Benchmark micro-suite across allocators.
 *
 * One runner child per allocator (one allocator per process, under its
 * LD_PRELOAD, chosen through alloc_select.h and started through child.h) runs the C micro-suite
 * (micro_suite.c) and writes Google Benchmark's own JSON. This command merges those files into
 * one with a single `context` and one `benchmarks` array, keeping every field Google Benchmark
 * wrote, so that compare.py, github-action-benchmark and `alignbench compare` read it as is
 * (micro_merge.c; with --rounds, K interleaved rounds of children are merged into one set of
 * repetitions). The
 * context gains the machine facts (context.h) as "alignbench_*" string keys; each child already
 * recorded its allocator's version and library. The file is written atomically
 * (common/json_file.h).
 */
#include "harness/orchestrator/alloc_select.h"
#include "harness/orchestrator/child.h"
#include "harness/cli/commands.h"
#include "harness/common/atomic_file.h"
#include "harness/common/exit_codes.h"
#include "harness/common/json_file.h"
#include "harness/common/parse_num.h"
#include "harness/orchestrator/context.h"
#include "harness/orchestrator/micro_merge.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MICRO_MAX_SPECS 32
#define WHO "alignbench micro"

typedef struct micro_opts {
    const char *specs[MICRO_MAX_SPECS];
    size_t nspecs;
    const char *filter, *out;
    int reps, rounds, full, quiet, aggregates_only, list_tests;
    double min_time, timeout_s;
} micro_opts;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: alignbench micro [--alloc SPEC]... [--filter REGEX] [--reps N]\n"
            "                        [--rounds K] [--min-time S] [--quick | --full] [-o FILE]\n"
            "                        [--timeout S] [--quiet] [--aggregates-only]\n"
            "                        [--benchmark_list_tests[=true|false]]\n\n"
            "Runs the Google Benchmark micro-suite (written in C,\n"
            "harness/runner/micro_suite.c) against each allocator in its own runner process,\n"
            "and merges Google Benchmark's JSON into one file that compare.py,\n"
            "github-action-benchmark and `alignbench compare` read.\n\n"
            "Benchmarks (names are stable across runs; <a> is the allocator):\n"
            "  alloc_free/<a>/size:S/align:A     one alloc+free pair per iteration\n"
            "  live_free/<a>/size:64/n:N         N blocks live, then freed (N from 1 to 100k)\n"
            "  realloc_grow/<a>/from:16/to:65536 grow by doubling, then free\n"
            "Counters alloc_p50, alloc_p99, free_p50, free_p99 (ns) come from single-op fenced\n"
            "TSC samples taken after the timed loop.\n\n"
            "options:\n"
            "  --alloc SPEC     allocator name, NAME=/path/lib.so plug-in, variant\n"
            "                   NAME=BASE:VAR=value[:VAR=value...], comma list or 'all'\n"
            "                   (repeatable; default: every available built-in allocator)\n"
            "  --filter REGEX   only benchmarks whose name matches (--benchmark_filter)\n"
            "  --reps N         repetitions per benchmark and child (default 5); compare needs\n"
            "                   about 4 per side before a change can be significant\n"
            "  --rounds K       K rounds of one child per allocator, interleaved (round 2\n"
            "                   starts after every allocator's round 1), each running --reps\n"
            "                   repetitions; repetitions are renumbered and the aggregates\n"
            "                   recomputed over all rounds (default 1). Repetitions inside one\n"
            "                   process see only a few seconds of the machine's noise; for a\n"
            "                   regression gate prefer e.g. --rounds 5 --reps 1\n"
            "  --min-time S     minimum seconds per repetition (quick: 0.02, full: 0.5)\n"
            "  --quick          sizes 16..64K x alignments 8, 64, 4096; N 1, 1000, 100000\n"
            "                   (the default)\n"
            "  --full           sizes 16..64K (x4) x alignments 8..4096 (x2); N 1..100000 (x10)\n"
            "  -o FILE          output (default results/micro-<UTC time>.json)\n"
            "  --timeout S      per-allocator child timeout (default 600)\n"
            "  --quiet          hide Google Benchmark's console output (shown if a child fails)\n"
            "  --aggregates-only  keep only the mean/median/stddev/cv entries, one set per\n"
            "                   benchmark, for trackers that want one value per benchmark\n"
            "                   (--benchmark_report_aggregates_only=true; with --rounds, the\n"
            "                   repetitions are dropped after the aggregates are recomputed)\n"
            "  --benchmark_list_tests[=true|false]\n"
            "                   print the names of the benchmarks that would run (after\n"
            "                   --filter, --quick/--full, for each allocator), one a line,\n"
            "                   and exit without running them or writing a file, as Google\n"
            "                   Benchmark's flag of that name does\n\n"
            "Exit status: 0 all allocators ran, 1 one failed or was unavailable, 2 bad usage.\n");
}

static int parse_args(int argc, char **argv, micro_opts *o)
{
    static const struct option longs[] = {
        {"alloc", required_argument, NULL, 'a'},
        {"filter", required_argument, NULL, 'f'},
        {"reps", required_argument, NULL, 'r'},
        {"rounds", required_argument, NULL, 'R'},
        {"min-time", required_argument, NULL, 'm'},
        {"timeout", required_argument, NULL, 't'},
        {"quick", no_argument, NULL, 'q'},
        {"full", no_argument, NULL, 'F'},
        {"quiet", no_argument, NULL, 'Q'},
        {"aggregates-only", no_argument, NULL, 'A'},
        {"benchmark_list_tests", optional_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    unsigned reps = 5, rounds = 1;
    o->min_time = -1;
    o->timeout_s = 600;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 1;
        case 'a':
            if (o->nspecs == MICRO_MAX_SPECS) {
                fprintf(stderr, WHO ": more than %d --alloc\n", MICRO_MAX_SPECS);
                return -1;
            }
            o->specs[o->nspecs++] = optarg;
            break;
        case 'f':
            o->filter = optarg;
            break;
        case 'r': /* no upper bound but an int's, which nobody waits for */
            if (ab_opt_uint(AB_NUM_OPT(WHO, "--reps", .want = "wants a whole number >= 1"), optarg,
                            1, INT_MAX, &reps))
                return -1;
            break;
        case 'R':
            if (ab_opt_uint(AB_NUM_OPT(WHO, "--rounds"), optarg, 1, 1000, &rounds))
                return -1;
            break;
        case 'm':
            if (ab_opt_double(AB_NUM_OPT(WHO, "--min-time", .noun = "seconds"), optarg, 1e-6,
                              INFINITY, &o->min_time))
                return -1;
            break;
        case 'o':
            o->out = optarg;
            break;
        case 't':
            if (ab_opt_double(AB_NUM_OPT(WHO, "--timeout", .noun = "seconds"), optarg, 0, INFINITY,
                              &o->timeout_s))
                return -1;
            break;
        case 'q':
            o->full = 0;
            break;
        case 'F':
            o->full = 1;
            break;
        case 'Q':
            o->quiet = 1;
            break;
        case 'A':
            o->aggregates_only = 1;
            break;
        case 'L': /* Google Benchmark's bool flag: bare, =true/false, =1/0 */
            if (!optarg || !strcmp(optarg, "true") || !strcmp(optarg, "1"))
                o->list_tests = 1;
            else if (!strcmp(optarg, "false") || !strcmp(optarg, "0"))
                o->list_tests = 0;
            else {
                fprintf(stderr, WHO ": --benchmark_list_tests wants true or false, not '%s'\n",
                        optarg);
                return -1;
            }
            break;
        default:
            return ab_opt_complain(WHO, c, argv);
        }
    }
    if (optind < argc)
        return ab_opt_unexpected(WHO, argv[optind]);
    o->reps = (int)reps;
    o->rounds = (int)rounds;
    if (o->min_time < 0)
        o->min_time = o->full ? 0.5 : 0.02;
    return 0;
}

/* Adds the orchestrator's machine context to the gbench context as "alignbench_<key>" strings
 * (nested objects as compact JSON), since gbench contexts are flat strings. */
static void add_machine_context(json_t *ctx, const ab_alloc_choice *choices, const int *ran,
                                size_t n)
{
    json_t *machine = ab_context_collect();
    if (!machine)
        return;
    for (size_t i = 0; i < n; i++) {
        if (!ran[i])
            continue;
        char key[256];
        snprintf(key, sizeof key, "alignbench_allocator_version:%s", choices[i].name);
        const char *version = json_string_value(json_object_get(ctx, key));
        const char *env[AB_ALLOC_MAX_SETTINGS + 1];
        ab_alloc_env(&choices[i], env);
        ab_context_add_allocator(machine, choices[i].name, choices[i].backend, version,
                                 choices[i].lib, env);
    }
    const char *key;
    json_t *v;
    json_object_foreach(machine, key, v)
    {
        char name[256];
        snprintf(name, sizeof name, "alignbench_%s", key);
        char *text = NULL;
        if (json_is_string(v))
            text = strdup(json_string_value(v));
        else
            text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (text)
            json_object_set_new(ctx, name, json_string(text));
        free(text);
    }
    json_decref(machine);
}

static int default_output(char *buf, size_t len)
{
    if (mkdir("results", 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "alignbench micro: cannot create results/: %s\n", strerror(errno));
        return -1;
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(buf, len, "results/micro-%s.json", stamp);
    return 0;
}

/* The CPU the measuring child pins to: the last one this process may use, when it may use two
 * or more (the orchestrator only waits); -1 for none. */
static int child_cpu(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) < 2)
        return -1;
    int last = -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set))
            last = c;
    return last;
}

/* --aggregates-only with rounds: the entries that are not aggregates, removed once the
 * aggregates over every round are in. */
static void drop_repetitions(json_t *merged)
{
    json_t *all = json_object_get(merged, "benchmarks");
    for (size_t i = json_array_size(all); i-- > 0;) {
        const char *type = json_string_value(json_object_get(json_array_get(all, i), "run_type"));
        if (!type || strcmp(type, "aggregate"))
            json_array_remove(all, i);
    }
}

/* Runs the suite for one allocator into part_path; 0 on success. */
static int run_child(const micro_opts *o, const ab_alloc_choice *c, const char *runner,
                     const char *part_path, const char *log_path)
{
    const char *argv[24];
    int k = ab_alloc_runner_argv(c, runner, "micro", argv);
    char out_flag[4200], reps_flag[64], time_flag[64], filter_flag[4200];
    snprintf(out_flag, sizeof out_flag, "--benchmark_out=%s", part_path);
    snprintf(reps_flag, sizeof reps_flag, "--benchmark_repetitions=%d", o->reps);
    snprintf(time_flag, sizeof time_flag, "--benchmark_min_time=%g", o->min_time);
    if (o->list_tests) { /* the names on the child's stdout, which is ours */
        argv[k++] = "--benchmark_list_tests=true";
    } else {
        argv[k++] = out_flag;
        argv[k++] = "--benchmark_out_format=json";
        argv[k++] = reps_flag;
        argv[k++] = time_flag;
    }
    if (o->filter) {
        snprintf(filter_flag, sizeof filter_flag, "--benchmark_filter=%s", o->filter);
        argv[k++] = filter_flag;
    }
    /* with rounds, the merge needs every repetition to recompute the aggregates */
    if (o->aggregates_only && o->rounds == 1)
        argv[k++] = "--benchmark_report_aggregates_only=true";
    if (o->full)
        argv[k++] = "--full";
    char cpu[16];
    int c_cpu = child_cpu();
    if (c_cpu >= 0) {
        snprintf(cpu, sizeof cpu, "%d", c_cpu);
        argv[k++] = "--cpu";
        argv[k++] = cpu;
    }
    argv[k] = NULL;

    const char *env[AB_ALLOC_MAX_SETTINGS + 1];
    ab_alloc_env(c, env);
    ab_child_spec spec = {
        .argv = argv,
        .preload = c->lib[0] ? c->lib : NULL,
        .env = env,
        .timeout_s = o->timeout_s,
        .stdout_path = o->quiet && !o->list_tests ? "/dev/null" : NULL,
        .stderr_path = o->quiet ? log_path : NULL, /* shown only when the child fails */
    };
    ab_child_result r;
    if (ab_child_run(&spec, &r) != 0) {
        fprintf(stderr, "alignbench micro: %s: could not start %s\n", c->name, runner);
        return -1;
    }
    if (r.outcome != AB_CHILD_OK) {
        FILE *log = o->quiet ? fopen(log_path, "r") : NULL;
        for (int ch; log && (ch = fgetc(log)) != EOF;)
            fputc(ch, stderr);
        if (log)
            fclose(log);
        char what[256];
        ab_child_describe(&r, what, sizeof what);
        fprintf(stderr, "alignbench micro: %s: the runner failed (%s)%s\n", c->name, what,
                r.outcome == AB_CHILD_FAILED && r.exit_code == AB_RUNNER_EXIT_UNAVAILABLE
                    ? ": this build has no Google Benchmark"
                    : "");
        return -1;
    }
    return 0;
}

int cmd_micro(int argc, char **argv)
{
    micro_opts o = {0};
    int parsed = parse_args(argc, argv, &o);
    if (parsed != 0)
        return parsed > 0 ? AB_EXIT_OK : AB_EXIT_USAGE;
#ifndef AB_HAVE_GBENCH
    fprintf(stderr, "alignbench micro: unavailable: this build has no Google Benchmark "
                    "(install libbenchmark-dev and configure with AB_WITH_GBENCH=ON)\n");
    return AB_EXIT_FAILURE;
#endif
    char err[512] = "";
    ab_alloc_choice *choices = NULL;
    size_t nchoices = 0;
    if (ab_alloc_choose(o.nspecs ? o.specs : NULL, o.nspecs, &choices, &nchoices, err,
                        sizeof err) != 0) {
        fprintf(stderr, "alignbench micro: %s\n", err);
        return AB_EXIT_USAGE;
    }
    char runner[4096], out_buf[4096];
    if (ab_runner_path(runner, sizeof runner) != 0) {
        fprintf(stderr, "alignbench micro: cannot find alignbench-runner next to alignbench\n");
        free(choices);
        return AB_EXIT_FAILURE;
    }
    if (o.list_tests) { /* nothing runs, nothing is written */
        int failures = 0;
        for (size_t i = 0; i < nchoices; i++) {
            if (!choices[i].available) {
                fprintf(stderr, "alignbench micro: %s: skipped: %s\n", choices[i].name,
                        choices[i].why);
                failures += o.nspecs > 0; /* asked for by name: a failure, as in a run */
            } else if (fflush(stdout) != 0 || run_child(&o, &choices[i], runner, "", "/dev/null"))
                failures++;
        }
        free(choices);
        return failures ? AB_EXIT_FAILURE : AB_EXIT_OK;
    }
    const char *out = o.out;
    if (!out) {
        if (default_output(out_buf, sizeof out_buf) != 0) {
            free(choices);
            return AB_EXIT_FAILURE;
        }
        out = out_buf;
    }

    json_t *merged = ab_micro_merged_new();
    long long next_family = 0;
    int failures = 0, ran = 0;
    int *ran_one = calloc(nchoices ? nchoices : 1, sizeof *ran_one);
    long long *family_base = calloc(nchoices ? nchoices : 1, sizeof *family_base);
    char names[1024] = "";
    for (size_t i = 0; i < nchoices; i++) {
        family_base[i] = -1;
        if (!choices[i].available) {
            fprintf(stderr, "alignbench micro: %s: skipped: %s\n", choices[i].name, choices[i].why);
            failures += o.nspecs > 0; /* asked for by name: a failure */
        }
    }
    for (int round = 0; round < o.rounds; round++)
        for (size_t i = 0; i < nchoices; i++) {
            const ab_alloc_choice *c = &choices[i];
            if (!c->available)
                continue;
            /* The child's output and log: fresh files of random names next to the output
             * (mkstemp, atomic_file.h), so no link planted at a name the child writes is
             * followed; both are removed after the merge. */
            char name[4096];
            ab_atomic_file part_af, log_af;
            snprintf(name, sizeof name, "%.3900s.%.64s.part", out, c->name);
            if (ab_atomic_reserve(&part_af, name, err, sizeof err) != 0) {
                fprintf(stderr, "alignbench micro: %s\n", err);
                failures++;
                continue;
            }
            snprintf(name, sizeof name, "%.3900s.%.64s.log", out, c->name);
            if (ab_atomic_reserve(&log_af, name, err, sizeof err) != 0) {
                fprintf(stderr, "alignbench micro: %s\n", err);
                ab_atomic_abort(&part_af);
                failures++;
                continue;
            }
            const char *part = part_af.tmp_path, *log = log_af.tmp_path;
            if (!o.quiet)
                fprintf(stderr, "alignbench micro: %s (round %d of %d)\n", c->name, round + 1,
                        o.rounds);
            int rc = run_child(&o, c, runner, part, log);
            ab_micro_round r = {round, o.rounds, o.reps,
                                family_base[i] >= 0 ? family_base[i] : next_family};
            long long families = 0;
            if (rc == 0 &&
                ab_micro_merge_child(merged, part, &r, &families, err, sizeof err) != 0) {
                fprintf(stderr, "alignbench micro: %s: %s\n", c->name, err);
                rc = -1;
            }
            ab_atomic_abort(&part_af);
            ab_atomic_abort(&log_af);
            if (rc != 0) {
                failures++;
                continue;
            }
            if (family_base[i] < 0) {
                family_base[i] = next_family;
                next_family += families;
            }
            if (ran_one[i])
                continue;
            ran++;
            ran_one[i] = 1;
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%s", used ? "," : "", c->name);
        }
    free(family_base);
    if (ab_micro_merge_finish(merged, o.rounds) != 0) {
        fprintf(stderr, "alignbench micro: out of memory computing the aggregates\n");
        failures++;
    }
    if (o.aggregates_only && o.rounds > 1)
        drop_repetitions(merged);
    int status = failures ? AB_EXIT_FAILURE : AB_EXIT_OK;
    json_t *ctx = json_object_get(merged, "context");
    if (ran)
        add_machine_context(ctx, choices, ran_one, nchoices);
    free(ran_one);
    free(choices);
    if (ran == 0) {
        fprintf(stderr, "alignbench micro: no allocator ran; nothing written\n");
        json_decref(merged);
        return AB_EXIT_FAILURE;
    }
    json_object_set_new(ctx, "alignbench_micro_allocators", json_string(names));
    json_object_set_new(ctx, "alignbench_micro_mode", json_string(o.full ? "full" : "quick"));
    json_object_set_new(ctx, "alignbench_micro_rounds", json_integer(o.rounds));
    size_t nbench = json_array_size(json_object_get(merged, "benchmarks"));
    int wrote = ab_json_write_atomic(out, merged, JSON_INDENT(2), err, sizeof err);
    json_decref(merged);
    if (wrote != 0) {
        fprintf(stderr, "alignbench micro: %s\n", err);
        return AB_EXIT_FAILURE;
    }
    printf("alignbench micro: wrote %s (%zu entries from %d allocator%s)\n", out, nbench, ran,
           ran == 1 ? "" : "s");
    return status;
}
