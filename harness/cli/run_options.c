/* run_options.c: parsing and validation of `alignbench run` options (see run_options.h).
 *
 * Presets: the quick preset must finish the main job (six allocators x rpc, il, simd x 9
 * repetitions, plus the natural-alignment baseline for simd) in a minute or two on a 2-core
 * machine, so it scales the generators down (the timings are in docs/lab-notes.md); full runs
 * the generators at their default scale with more checkpoints.
 */
#include "harness/cli/run_options.h"
#include "harness/common/parse_num.h"
#include "harness/common/safe_name.h"
#include "harness/orchestrator/cell_filter.h"
#include "workloads/generators.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const ab_run_preset presets[] = {
    {"quick", 0.15, 60, 200},
    {"full", 1.0, 600, 1000},
};

static const char *const default_workloads[] = {"rpc", "il", "simd"};

void ab_run_usage(FILE *out)
{
    fprintf(
        out,
        "usage: alignbench run [OPTIONS]\n"
        "\n"
        "Generates the workload traces, then replays every (allocator, workload) pair R\n"
        "times, each run in a fresh child process pinned to one CPU, interleaved in rounds.\n"
        "Writes OUT/RUN-ID/results.json and results.csv (rewritten after every run), the\n"
        "traces and the charts, and prints a summary.\n"
        "\n"
        "  --alloc SPEC         allocator to run (repeatable, or comma list): a built-in name,\n"
        "                       'all', a plug-in NAME=/path/lib.so, or a variant\n"
        "                       NAME=BASE:VAR=value[:VAR=value...]: BASE (a built-in or a\n"
        "                       plug-in path) with these environment settings in its own\n"
        "                       children only, e.g. je0=jemalloc:MALLOC_CONF=dirty_decay_ms:0\n"
        "                       (values keep ':' and ','; a new setting starts at ':VAR='\n"
        "                       with VAR in upper case; a variant takes the rest of its\n"
        "                       comma list) (default: every built-in available here; see\n"
        "                       `alignbench list`); a NAME is letters, digits, '-', '_',\n"
        "                       '.', not starting with '.' (it names the run's log files)\n"
        "  --workload NAME      generated workload (repeatable, or comma list): rpc, il, simd\n"
        "                       (default: all three; none when only --trace is given)\n"
        "  --trace FILE         also replay a recorded or user trace (repeatable)\n"
        "  --program NAME=CMD   also run a whole program (repeatable): CMD through /bin/sh -c\n"
        "                       (\"exec \" put in front when it is one plain command), stdin\n"
        "                       /dev/null, output in logs/, under every allocator that replaces\n"
        "                       malloc (malloc, jemalloc, mimalloc, malloc-replacing plug-ins;\n"
        "                       the others are not applicable); a preloaded probe verifies the\n"
        "                       allocator served it; metrics cpu_ms, user_ms, sys_ms, wall_ms,\n"
        "                       peak_rss, minor_faults, major_faults, exit_status (NAME:\n"
        "                       letters, digits, '-', '_', '.', not starting with '.'; no\n"
        "                       generated workloads are added unless --workload is given)\n"
        "  --program-ok-status N\n"
        "                       a program exit status that counts as ok besides 0 (repeatable,\n"
        "                       0..255; default: any other status fails the run)\n"
        "  --threads LIST       generate each workload with each thread count (comma list of\n"
        "                       1..64, e.g. 1,2); workloads are then named rpc-t1, rpc-t2 ...\n"
        "                       and the charts gain a scaling chart (default: one thread)\n"
        "  --reps R             repetitions per cell, 1..1000 (default 9: the median's interval\n"
        "                       is then the 2nd to 8th value, 96 %% coverage)\n"
        "  --quick              quick preset (default): generator scale %.2f, timeout %.0f s\n"
        "  --full               full preset: generator scale %.2f, timeout %.0f s\n"
        "  --scale X            generator scale, overrides the preset (0 < X <= %.0f)\n"
        "  --seed S             generator and shuffle seed (default 1)\n"
        "  --shuffle            shuffle the order of the cells within each round\n"
        "  --touch MODE         none|first|all: which bytes of each block the replay writes\n"
        "                       (none, the first byte of each page, all; default all)\n"
        "  --no-latency         skip the per-op latency passes (percentiles, per-op means):\n"
        "                       ns_per_op and the memory figures only, in about a third of\n"
        "                       the time per cell (alignbench fidelity uses it)\n"
        "  --cold               each run replays its trace once, in its fresh process, with\n"
        "                       nothing before it: no memory pass, no warm-up, one timed\n"
        "                       repetition; ns_per_op and cycles_per_op then include the\n"
        "                       page faults and cold caches a program run pays (alignbench\n"
        "                       fidelity uses it); no memory or latency figures\n"
        "  --measure MODE       time (default) or instructions: instead of timing, count\n"
        "                       the instructions each run executes per op, net of the\n"
        "                       same replay against the null allocator (no clock: the\n"
        "                       figures do not move with the machine's load or clock),\n"
        "                       with simulated L1 and last-level cache misses and the\n"
        "                       estimated cycles built from them (callgrind); one\n"
        "                       repetition per cell unless --reps (the counts repeat\n"
        "                       exactly), generator scale %.2f unless --scale, timeout\n"
        "                       %.0f s unless --timeout; no memory or latency figures, no\n"
        "                       --program, --threads, --cold, --no-latency or natural\n"
        "                       baseline\n"
        "  --counter SRC        with --measure instructions: auto (default: perf when the\n"
        "                       CPU's counters are available to perf_event_open, else\n"
        "                       callgrind), perf, or callgrind (each child under valgrind\n"
        "                       --tool=callgrind)\n"
        "  --timeout S          per-child timeout in seconds (default: the preset's)\n"
        "  --mem-limit BYTES    address-space limit per child (suffixes K, M, G)\n"
        "  --natural-baseline on|off|auto\n"
        "                       also replay each trace with every alignment lowered to 16 and\n"
        "                       report what alignment costs (auto: for traces with alignments\n"
        "                       above 16; default auto)\n"
        "  --out DIR            where run folders go (default results)\n"
        "  --run-id ID          name of the run folder (default: the UTC date-time,\n"
        "                       YYYYMMDD-HHMMSS, with -2, -3 ... added when a run of the\n"
        "                       same second has that folder already)\n"
        "  --no-plots           do not render charts and report.html\n"
        "  --quiet              no progress and no summary (failed runs and errors are\n"
        "                       still printed)\n"
        "  --filter REGEX       run only the cells whose name ALLOC/WORKLOAD (malloc/rpc,\n"
        "                       bump/simd-t2) matches REGEX, a POSIX extended regular\n"
        "                       expression searched anywhere in the name: 'rpc',\n"
        "                       '^jemalloc/', '^malloc/(rpc|il)$' (default: every cell)\n"
        "  --list               print the cells the run would make, one ALLOC/WORKLOAD a line\n"
        "                       (after --filter; the not-applicable ones are said on stderr),\n"
        "                       and exit without running or writing anything\n"
        "  -h, --help           this text\n"
        "\n"
        "Exit status: 0 when the run completed, 1 when it could not run, no run finished\n"
        "ok or a program run failed, 2 for a bad option, 130/143 when interrupted (the results so "
        "far are kept, with\n"
        "\"complete\": false).\n",
        presets[0].scale, presets[0].timeout_s, presets[1].scale, presets[1].timeout_s,
        AB_GEN_SCALE_MAX, AB_COUNT_SCALE, AB_COUNT_TIMEOUT_S);
}

#define WHO "alignbench run"

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, WHO ": ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see " WHO " --help)\n");
    return -1;
}

static int add_to_list(const char **list, size_t *n, const char *value, const char *what)
{
    if (*n >= AB_RUN_MAX_LIST)
        return bad("too many %s options", what);
    list[(*n)++] = value;
    return 0;
}

/* --threads 1,2,4: distinct counts of 1..AB_RUN_MAX_THREADS, in the order given. */
static int parse_threads(char *arg, ab_run_options *o)
{
    for (char *save = NULL, *t = strtok_r(arg, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        unsigned u;
        if (ab_opt_uint(AB_NUM_OPT(WHO, "--threads", .noun = "a comma list of thread counts"), t, 1,
                        AB_RUN_MAX_THREADS, &u))
            return -1;
        for (size_t i = 0; i < o->nthreads; i++)
            if (o->threads[i] == u)
                return bad("--threads lists %s twice", t);
        if (o->nthreads == AB_RUN_MAX_THREAD_COUNTS)
            return bad("--threads takes at most 8 counts ('%s' is one more)", t);
        o->threads[o->nthreads++] = u;
    }
    return o->nthreads ? 0 : bad("--threads wants a comma list of thread counts, not '%s'", arg);
}

/* --program NAME=CMD: NAME a safe name (safe_name.h) under 64 characters, CMD not empty. */
static int check_program(const char *spec)
{
    const char *eq = strchr(spec, '=');
    size_t len = eq ? (size_t)(eq - spec) : 0;
    if (!eq || len >= 64 || !ab_safe_name(spec, len))
        return bad("--program wants NAME=COMMAND with NAME of " AB_SAFE_NAME_RULE
                   " (under 64), not '%s'",
                   spec);
    if (!eq[1 + strspn(eq + 1, " \t")])
        return bad("--program '%s' has no command after '='", spec);
    return 0;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* --measure instructions: what it cannot be combined with, and its defaults. 0 or -1. */
static int check_count(ab_run_options *o, int reps_given, int baseline_given)
{
    static const char *const why = "--measure instructions counts one-thread trace replays";
    if (o->nprograms)
        return bad("%s: whole programs (--program) are timed, not counted", why);
    for (size_t i = 0; i < o->nthreads; i++)
        if (o->threads[i] > 1)
            return bad("%s: --threads above 1 is not repeatable", why);
    if (o->cold || o->no_latency)
        return bad("%s: --cold and --no-latency choose timed passes", why);
    if (baseline_given)
        return bad("%s: no natural baseline (align_cost_* are times)", why);
    o->baseline = AB_BASELINE_OFF;
    if (!reps_given)
        o->reps = 1; /* the counts repeat exactly (docs/measurement.md) */
    if (!o->counter)
        o->counter = "auto";
    return 0;
}

enum {
    OPT_ALLOC = 256,
    OPT_WORKLOAD,
    OPT_TRACE,
    OPT_REPS,
    OPT_QUICK,
    OPT_FULL,
    OPT_SCALE,
    OPT_SEED,
    OPT_SHUFFLE,
    OPT_TOUCH,
    OPT_NO_LATENCY,
    OPT_COLD,
    OPT_TIMEOUT,
    OPT_MEM_LIMIT,
    OPT_OUT,
    OPT_RUN_ID,
    OPT_NO_PLOTS,
    OPT_BASELINE,
    OPT_QUIET,
    OPT_THREADS,
    OPT_PROGRAM,
    OPT_PROGRAM_OK,
    OPT_FILTER,
    OPT_LIST,
    OPT_MEASURE,
    OPT_COUNTER,
};

static const struct option long_options[] = {
    {"alloc", required_argument, NULL, OPT_ALLOC},
    {"workload", required_argument, NULL, OPT_WORKLOAD},
    {"trace", required_argument, NULL, OPT_TRACE},
    {"reps", required_argument, NULL, OPT_REPS},
    {"quick", no_argument, NULL, OPT_QUICK},
    {"full", no_argument, NULL, OPT_FULL},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"shuffle", no_argument, NULL, OPT_SHUFFLE},
    {"touch", required_argument, NULL, OPT_TOUCH},
    {"no-latency", no_argument, NULL, OPT_NO_LATENCY},
    {"cold", no_argument, NULL, OPT_COLD},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"mem-limit", required_argument, NULL, OPT_MEM_LIMIT},
    {"out", required_argument, NULL, OPT_OUT},
    {"run-id", required_argument, NULL, OPT_RUN_ID},
    {"no-plots", no_argument, NULL, OPT_NO_PLOTS},
    {"natural-baseline", required_argument, NULL, OPT_BASELINE},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"program", required_argument, NULL, OPT_PROGRAM},
    {"program-ok-status", required_argument, NULL, OPT_PROGRAM_OK},
    {"filter", required_argument, NULL, OPT_FILTER},
    {"list", no_argument, NULL, OPT_LIST},
    {"measure", required_argument, NULL, OPT_MEASURE},
    {"counter", required_argument, NULL, OPT_COUNTER},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* What the parse keeps until every option is read: values whose default depends on others. */
typedef struct pending {
    double scale, timeout; /* 0: the preset's (or counting's) */
    const char *out;
    int reps_given, baseline_given; /* --reps, --natural-baseline on (check_count) */
} pending;

/* The options that choose the cells: --alloc, --workload, --trace, --threads, --program,
 * --program-ok-status, --filter. 0 taken, -1 refused (said why), 1 not one of them. */
static int cell_option(int c, char *arg, ab_run_options *o)
{
    switch (c) {
    case OPT_ALLOC:
        return add_to_list(o->alloc_specs, &o->nalloc_specs, arg, "--alloc");
    case OPT_WORKLOAD: /* repeatable, and a comma list like --alloc (split in place) */
        for (char *save = NULL, *w = strtok_r(arg, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
            if (!ab_generator_find(w))
                return bad("unknown workload '%s' (generated workloads: rpc, il, simd; a "
                           "file goes with --trace)",
                           w);
            if (add_to_list(o->workloads, &o->nworkloads, w, "--workload"))
                return -1;
        }
        return 0;
    case OPT_TRACE:
        if (access(arg, R_OK) != 0)
            return bad("cannot read trace file '%s'", arg);
        return add_to_list(o->traces, &o->ntraces, arg, "--trace");
    case OPT_THREADS:
        return parse_threads(arg, o);
    case OPT_PROGRAM:
        if (check_program(arg))
            return -1;
        return add_to_list(o->programs, &o->nprograms, arg, "--program");
    case OPT_PROGRAM_OK: {
        unsigned u;
        if (ab_opt_uint(AB_NUM_OPT(WHO, "--program-ok-status", .noun = "an exit status"), arg, 0,
                        255, &u))
            return -1;
        if (o->n_ok_status == sizeof o->ok_status / sizeof o->ok_status[0])
            return bad("--program-ok-status given too often ('%s' is one more than 16)", arg);
        o->ok_status[o->n_ok_status++] = (int)u;
        return 0;
    }
    case OPT_FILTER: {
        ab_cell_filter f;
        char err[512];
        if (ab_cell_filter_init(&f, arg, err, sizeof err))
            return bad("--filter: %s", err);
        ab_cell_filter_free(&f);
        o->filter = arg;
        return 0;
    }
    }
    return 1;
}

/* The options that say how each run measures: --reps, --quick, --full, --scale, --seed,
 * --shuffle, --touch, --no-latency, --cold, --timeout, --mem-limit, --natural-baseline,
 * --measure, --counter.
 * 0 taken, -1 refused (said why), 1 not one of them. */
static int measure_option(int c, const char *arg, ab_run_options *o, pending *p)
{
    uint64_t bytes;
    switch (c) {
    case OPT_REPS:
        p->reps_given = 1;
        return ab_opt_uint(AB_NUM_OPT(WHO, "--reps"), arg, 1, 1000, &o->reps) ? -1 : 0;
    case OPT_QUICK:
        o->preset = &presets[0];
        return 0;
    case OPT_FULL:
        o->preset = &presets[1];
        return 0;
    case OPT_SCALE:
        return ab_opt_double(AB_NUM_OPT(WHO, "--scale", .flags = AB_NUM_ABOVE_MIN), arg, 0,
                             AB_GEN_SCALE_MAX, &p->scale)
                   ? -1
                   : 0;
    case OPT_SEED:
        return ab_opt_u64(AB_NUM_OPT(WHO, "--seed"), arg, 0, AB_NUM_NO_MAX, &o->seed) ? -1 : 0;
    case OPT_SHUFFLE:
        o->shuffle = 1;
        return 0;
    case OPT_TOUCH:
        if (strcmp(arg, "none") && strcmp(arg, "first") && strcmp(arg, "all"))
            return bad("--touch wants none, first or all, not '%s'", arg);
        o->touch = arg;
        return 0;
    case OPT_NO_LATENCY:
        o->no_latency = 1;
        return 0;
    case OPT_COLD:
        o->cold = 1;
        return 0;
    case OPT_TIMEOUT:
        return ab_opt_double(
                   AB_NUM_OPT(WHO, "--timeout", .flags = AB_NUM_ABOVE_MIN, .noun = "seconds"), arg,
                   0, 86400, &p->timeout)
                   ? -1
                   : 0;
    case OPT_MEM_LIMIT:
        if (ab_opt_u64(AB_NUM_OPT(WHO, "--mem-limit", .flags = AB_NUM_KMG,
                                  .want = "wants bytes (suffix K, M or G), at least 16M"),
                       arg, 16u << 20, SIZE_MAX, &bytes))
            return -1;
        o->mem_limit = (size_t)bytes;
        return 0;
    case OPT_BASELINE:
        if (!strcmp(arg, "on"))
            o->baseline = AB_BASELINE_ON;
        else if (!strcmp(arg, "off"))
            o->baseline = AB_BASELINE_OFF;
        else if (!strcmp(arg, "auto"))
            o->baseline = AB_BASELINE_AUTO;
        else
            return bad("--natural-baseline wants on, off or auto, not '%s'", arg);
        p->baseline_given |= o->baseline == AB_BASELINE_ON;
        return 0;
    case OPT_MEASURE:
        if (strcmp(arg, "time") && strcmp(arg, "instructions"))
            return bad("--measure wants time or instructions, not '%s'", arg);
        o->count = !strcmp(arg, "instructions");
        return 0;
    case OPT_COUNTER:
        if (strcmp(arg, "auto") && strcmp(arg, "perf") && strcmp(arg, "callgrind"))
            return bad("--counter wants auto, perf or callgrind, not '%s'", arg);
        o->counter = arg;
        return 0;
    }
    return 1;
}

/* The options about what comes out: --out, --run-id, --no-plots, --quiet, --list.
 * 0 taken, -1 refused (said why), 1 not one of them. */
static int output_option(int c, const char *arg, ab_run_options *o, pending *p)
{
    switch (c) {
    case OPT_OUT:
        if (!*arg || strlen(arg) >= 3000)
            return bad("--out wants a folder, not '%s'", arg);
        p->out = arg;
        return 0;
    case OPT_RUN_ID:
        if (strlen(arg) >= 128 || !ab_safe_name(arg, strlen(arg)))
            return bad("--run-id wants " AB_SAFE_NAME_RULE ", not '%s'", arg);
        snprintf(o->run_id, sizeof o->run_id, "%s", arg);
        o->run_id_given = 1;
        return 0;
    case OPT_NO_PLOTS:
        o->no_plots = 1;
        return 0;
    case OPT_QUIET:
        o->quiet = 1;
        return 0;
    case OPT_LIST:
        o->list = 1;
        return 0;
    }
    return 1;
}

/* What every option left to its default once all are read (counting's settings, the preset's
 * scale and timeout, the default workloads, a run id of the time), and the output folder, made.
 * 0 or -1. */
static int settle(ab_run_options *o, const pending *p)
{
    if (o->count && check_count(o, p->reps_given, p->baseline_given) != 0)
        return -1;
    if (o->counter && !o->count)
        return bad("--counter %s goes with --measure instructions", o->counter);
    o->scale = p->scale > 0 ? p->scale : o->count ? AB_COUNT_SCALE : o->preset->scale;
    o->timeout_s = p->timeout > 0 ? p->timeout
                   : o->count     ? AB_COUNT_TIMEOUT_S
                                  : o->preset->timeout_s;
    if (o->nworkloads == 0 && o->ntraces == 0 && o->nprograms == 0) {
        for (size_t i = 0; i < sizeof default_workloads / sizeof default_workloads[0]; i++)
            o->workloads[o->nworkloads++] = default_workloads[i];
    }
    if (!o->run_id[0]) {
        time_t now = time(NULL);
        struct tm tm;
        strftime(o->run_id, sizeof o->run_id, "%Y%m%d-%H%M%S", gmtime_r(&now, &tm));
    }
    if (p->out)
        snprintf(o->out_dir, sizeof o->out_dir, "%s", p->out);
    if (!o->list && (make_dirs(o->out_dir) != 0 || access(o->out_dir, W_OK | X_OK) != 0))
        return bad("cannot write to the output folder '%s'", o->out_dir);
    return 0;
}

int ab_run_options_parse(int argc, char **argv, ab_run_options *o)
{
    memset(o, 0, sizeof *o);
    o->reps = 9;
    o->preset = &presets[0];
    o->seed = 1;
    o->touch = "all";
    o->baseline = AB_BASELINE_AUTO;
    snprintf(o->out_dir, sizeof o->out_dir, "results");
    pending p = {0};

    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        if (c == 'h') {
            ab_run_usage(stdout);
            return 1;
        }
        int rc = cell_option(c, optarg, o);
        if (rc == 1)
            rc = measure_option(c, optarg, o, &p);
        if (rc == 1)
            rc = output_option(c, optarg, o, &p);
        if (rc == 1)
            return ab_opt_complain(WHO, c, argv);
        if (rc != 0)
            return -1;
    }
    if (optind < argc)
        return ab_opt_unexpected(WHO, argv[optind]);
    return settle(o, &p);
}
