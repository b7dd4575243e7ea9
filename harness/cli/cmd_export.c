/* cmd_export.c: `alignbench export`, a run's results in the formats other tools already read.
 *
 * It exists so that a run can feed the trackers and plotters people already use without a
 * converter script of their own: Bencher (Bencher Metric Format JSON, `bencher run --adapter
 * json`), github-action-benchmark (its customSmallerIsBetter / customBiggerIsBetter arrays) and
 * HdrHistogram's plotter (the `.hgrm` percentile distribution text).
 *
 * Cells and metrics are named as in results.json (results/README.md, "Names"): a benchmark is
 * ALLOCATOR/WORKLOAD, a measure the metric's key; an .hgrm file ALLOCATOR-WORKLOAD-OP.hgrm.
 *
 * The JSON formats carry the cells' aggregates (results.json `cells[]`): the median as the
 * value and the confidence interval (ci_lo, ci_hi) as its bounds, for the headline metrics of
 * export_metrics below. A cell with no ok run, a metric the cell lacks, a metric the cell marks
 * unresolved (a percentile under 3 timer steps: not a value) and any non-finite number are left
 * out, so NaN is never written. A whole program's cells (run --program) export their CPU time
 * (cycles and ms), wall time, peak RSS and faults: all smaller-is-better, so a run of programs
 * only has no github-action-benchmark "bigger" file.
 *
 * The .hgrm files come from the `histograms` of the runs of replayed traces (per op kind,
 * [bucket_high_ns, count] pairs; a whole program has none), merged over every ok run of the cell
 * (buckets whose bounds print the same, to 0.001 ns, are one row).
 * One row per non-empty bucket: Value is the bucket's upper bound in ns (values are not scaled),
 * Percentile the fraction of samples at or below it, so the rows are monotone and the last is
 * 1.0. Mean and StdDeviation are computed from the bucket bounds (at most 0.78 % high);
 * "Buckets" is the number of non-empty buckets written and "SubBuckets" the histogram's 256
 * linear buckets (above them, 128 per power of two), since alignbench's histogram is HDR-like
 * but not HdrHistogram's own layout.
 */
#include "harness/analysis/metric_table.h"
#include "harness/cli/commands.h"
#include "harness/common/atomic_file.h"
#include "harness/common/error_message.h"
#include "harness/common/exit_codes.h"
#include "harness/common/json_file.h"
#include "harness/common/parse_num.h"
#include "harness/report/results_view.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WHO "alignbench export"

/* The metrics exported to the trackers, in this order: a replayed trace's, then a whole
 * program's (run --program: CPU time, in cycles and ms, wall time, faults; peak_rss is both's),
 * then a counted run's (run --measure instructions: counts, whose units say so). A cell exports
 * those it has. */
static const char *const export_metrics[] = {
    "cycles_per_op",
    "cycles_per_op_net",
    "ns_per_op",
    "ns_per_op_net",
    "mops",
    "alloc_p99",
    "frag_peak",
    "peak_rss",
    "retained",
    "peak_footprint",
    "faults_per_kop",
    "syscalls_per_kop",
    "sys_madvise_per_kop",
    "sys_share",
    "cpu_mcycles",
    "cpu_ms",
    "user_ms",
    "sys_ms",
    "wall_ms",
    "minor_faults",
    "major_faults",
    "instructions_per_op_net",
    "instructions_per_op",
    "est_cycles_per_op_net",
};
#define N_EXPORT_METRICS (sizeof export_metrics / sizeof export_metrics[0])

typedef enum { FMT_NONE, FMT_BMF, FMT_GAB, FMT_HGRM } export_format;
typedef enum { DIR_BOTH, DIR_SMALLER, DIR_BIGGER } gab_direction;

typedef struct export_opts {
    export_format format;
    gab_direction direction;
    const char *results, *out;
} export_opts;

static void usage(FILE *f)
{
    fprintf(f, "usage: alignbench export --to bmf|github-action-benchmark|hgrm RESULTS [-o OUT]\n"
               "                         [--direction smaller|bigger]\n\n"
               "Writes a run's results (RESULTS: a run folder or its results.json) in a format\n"
               "another tool reads:\n"
               "  bmf        Bencher Metric Format JSON, for `bencher run --adapter json`: one\n"
               "             benchmark \"allocator/workload\" per cell, one measure per metric\n"
               "             {value: median, lower_value: ci_lo, upper_value: ci_hi}.\n"
               "             -o FILE, default standard output.\n"
               "  github-action-benchmark\n"
               "             arrays of {name: \"allocator/workload/metric\", unit, value: median,\n"
               "             range: \"±half-width\", extra: interval, coverage, n}: mops goes to\n"
               "             the customBiggerIsBetter file, the rest to customSmallerIsBetter.\n"
               "             -o PREFIX writes PREFIX-smaller.json and PREFIX-bigger.json; with\n"
               "             --direction smaller|bigger, only that array, to -o FILE or stdout.\n"
               "             A direction no cell has a value in (whole programs have no\n"
               "             higher-is-better metric) is not written, and stderr says so.\n"
               "  hgrm       HdrHistogram percentile distributions (.hgrm, values in ns), one per\n"
               "             cell and op kind, OUT/allocator-workload-OP.hgrm, the histograms of\n"
               "             the cell's ok runs merged. -o DIR, default RUN_DIR/hgrm. A whole\n"
               "             program (run --program) has no latency histogram: its cells are\n"
               "             left out, and stderr says how many.\n\n"
               "Exported metrics: of a replayed trace cycles_per_op, cycles_per_op_net,\n"
               "ns_per_op, ns_per_op_net, mops, alloc_p99, frag_peak, peak_rss, retained,\n"
               "peak_footprint, faults_per_kop, syscalls_per_kop, sys_madvise_per_kop,\n"
               "sys_share; of a whole program cpu_mcycles, cpu_ms, user_ms, sys_ms, wall_ms,\n"
               "peak_rss, minor_faults, major_faults; of a run with --measure instructions the\n"
               "counts instructions_per_op_net, instructions_per_op and est_cycles_per_op_net\n"
               "(units instr and est.cycles: counts, not times). Cells with no ok run, missing\n"
               "or unresolved metrics are left out; NaN is never written.\n\n"
               "Exit status: 0 written, 1 a file could not be read or written or nothing was\n"
               "left to export (no file is written then), 2 bad usage.\n");
}

static int parse_args(int argc, char **argv, export_opts *o)
{
    static const struct option longs[] = {
        {"to", required_argument, NULL, 't'},
        {"direction", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 1;
        case 't':
            if (!strcmp(optarg, "bmf"))
                o->format = FMT_BMF;
            else if (!strcmp(optarg, "github-action-benchmark"))
                o->format = FMT_GAB;
            else if (!strcmp(optarg, "hgrm"))
                o->format = FMT_HGRM;
            else {
                fprintf(stderr,
                        WHO ": --to wants bmf, github-action-benchmark or hgrm, not '%s' (see " WHO
                            " --help)\n",
                        optarg);
                return -1;
            }
            break;
        case 'd':
            if (!strcmp(optarg, "smaller"))
                o->direction = DIR_SMALLER;
            else if (!strcmp(optarg, "bigger"))
                o->direction = DIR_BIGGER;
            else {
                fprintf(stderr, WHO ": --direction wants smaller or bigger, not '%s'\n", optarg);
                return -1;
            }
            break;
        case 'o':
            o->out = optarg;
            break;
        default:
            return ab_opt_complain(WHO, c, argv);
        }
    }
    if (optind < argc)
        o->results = argv[optind++];
    if (optind < argc)
        return ab_opt_unexpected(WHO, argv[optind]);
    if (o->format == FMT_NONE || !o->results) {
        fprintf(stderr, WHO ": wants --to FORMAT and RESULTS (see " WHO " --help)\n");
        return -1;
    }
    if (o->direction != DIR_BOTH && o->format != FMT_GAB) {
        fprintf(stderr, WHO ": --direction is for --to github-action-benchmark only\n");
        return -1;
    }
    if (o->format == FMT_GAB && o->direction == DIR_BOTH && !o->out) {
        fprintf(stderr, WHO ": github-action-benchmark wants -o PREFIX (two files) or "
                            "--direction smaller|bigger\n");
        return -1;
    }
    return 0;
}

/* results.json of a run folder, or the file itself; its folder into dir. */
static json_t *load_results(const char *arg, char *dir, size_t dirlen, char *err, size_t errlen)
{
    struct stat st;
    char path[4096];
    if (stat(arg, &st) != 0) {
        ab_fail(err, errlen, "%s: %s", arg, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(dir, dirlen, "%s", arg);
        for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
            dir[n - 1] = '\0';
        snprintf(path, sizeof path, "%s/results.json", dir);
    } else {
        snprintf(path, sizeof path, "%s", arg);
        snprintf(dir, dirlen, "%s", arg);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, dirlen, ".");
    }
    json_t *res = ab_json_load_named(path, err, errlen);
    if (!res)
        return NULL;
    double version = 0;
    if (strcmp(ab_rv_str(res, "schema"), "alignbench-results") ||
        ab_rv_num(res, "version", &version) || version != 1 ||
        !json_is_array(json_object_get(res, "cells"))) {
        ab_fail(err, errlen, "%s is not an alignbench results file of schema version 1", path);
        json_decref(res);
        return NULL;
    }
    return res;
}

static int cell_ok(const json_t *cell)
{
    double n_ok = 0;
    return ab_rv_num(cell, "n_ok", &n_ok) == 0 && n_ok > 0;
}

static int is_unresolved(const json_t *cell, const char *metric)
{
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(cell, "unresolved"), i, v)
    {
        if (json_is_string(v) && !strcmp(json_string_value(v), metric))
            return 1;
    }
    return 0;
}

/* The median and interval of metric in cell: 1 when the median is exportable, and *have_ci
 * when the interval is too. */
static int cell_value(const json_t *cell, const char *metric, double *med, double *lo, double *hi,
                      int *have_ci)
{
    if (is_unresolved(cell, metric) || ab_rv_cell_stat(cell, metric, "median", med) != 0 ||
        !isfinite(*med))
        return 0;
    *have_ci = ab_rv_cell_stat(cell, metric, "ci_lo", lo) == 0 &&
               ab_rv_cell_stat(cell, metric, "ci_hi", hi) == 0 && isfinite(*lo) && isfinite(*hi);
    return 1;
}

/* Why an export came out empty (no file is written then): fills err, returns -1. */
static int nothing_to_export(const json_t *res, const char *what, char *err, size_t errlen)
{
    const json_t *cells = json_object_get(res, "cells");
    size_t n = json_array_size(cells), ok = 0, i;
    const json_t *cell;
    json_array_foreach(cells, i, cell)
    {
        ok += cell_ok(cell);
    }
    if (n == 0)
        return ab_fail(err, errlen, "nothing to export: the results have no cells (no run ended)");
    if (ok == 0)
        return ab_fail(err, errlen,
                       "nothing to export: none of the %zu cells has an ok run (their runs failed, "
                       "crashed, timed out or were refused: see runs[] and logs/)",
                       n);
    return ab_fail(err, errlen, "nothing to export: no cell of the %zu with an ok run has %s", ok,
                   what);
}

static json_t *bmf_doc(const json_t *res)
{
    json_t *doc = json_object();
    size_t i;
    const json_t *cell;
    json_array_foreach(json_object_get(res, "cells"), i, cell)
    {
        if (!cell_ok(cell))
            continue;
        json_t *bench = json_object();
        for (size_t k = 0; k < N_EXPORT_METRICS; k++) {
            double med, lo, hi;
            int have_ci;
            if (!cell_value(cell, export_metrics[k], &med, &lo, &hi, &have_ci))
                continue;
            json_t *m = json_object();
            json_object_set_new(m, "value", json_real(med));
            if (have_ci) {
                json_object_set_new(m, "lower_value", json_real(lo));
                json_object_set_new(m, "upper_value", json_real(hi));
            }
            json_object_set_new(bench, export_metrics[k], m);
        }
        char name[512];
        snprintf(name, sizeof name, "%.250s/%.250s", ab_rv_str(cell, "allocator"),
                 ab_rv_str(cell, "workload"));
        if (json_object_size(bench))
            json_object_set_new(doc, name, bench);
        else
            json_decref(bench);
    }
    return doc;
}

static const char *gab_unit(const char *metric)
{
    ab_unit u = ab_metric_unit(metric);
    return u == AB_UNIT_RATIO ? "ratio" : u == AB_UNIT_COUNT ? "count" : ab_unit_name(u);
}

/* github-action-benchmark's array for one direction (bigger: higher is better). */
static json_t *gab_doc(const json_t *res, int bigger)
{
    json_t *doc = json_array();
    size_t i;
    const json_t *cell;
    json_array_foreach(json_object_get(res, "cells"), i, cell)
    {
        if (!cell_ok(cell))
            continue;
        for (size_t k = 0; k < N_EXPORT_METRICS; k++) {
            const char *metric = export_metrics[k];
            const ab_metric_def *def = ab_metric_def_find(metric);
            if ((def && def->higher_is_better) != bigger)
                continue;
            double med, lo, hi, n = 0, cov = 0;
            int have_ci;
            if (!cell_value(cell, metric, &med, &lo, &hi, &have_ci))
                continue;
            char name[800], text[256];
            snprintf(name, sizeof name, "%.250s/%.250s/%s", ab_rv_str(cell, "allocator"),
                     ab_rv_str(cell, "workload"), metric);
            json_t *e = json_object();
            json_object_set_new(e, "name", json_string(name));
            json_object_set_new(e, "unit", json_string(gab_unit(metric)));
            json_object_set_new(e, "value", json_real(med));
            ab_rv_cell_stat(cell, metric, "n", &n);
            if (have_ci) {
                snprintf(text, sizeof text, "\xc2\xb1%.6g", (hi - lo) / 2);
                json_object_set_new(e, "range", json_string(text));
                int have_cov =
                    ab_rv_cell_stat(cell, metric, "ci_coverage", &cov) == 0 && isfinite(cov);
                if (have_cov)
                    snprintf(text, sizeof text,
                             "median of %.0f runs, interval [%.6g, %.6g], coverage %.1f %%", n, lo,
                             hi, cov * 100);
                else
                    snprintf(text, sizeof text, "median of %.0f runs, interval [%.6g, %.6g]", n, lo,
                             hi);
            } else {
                snprintf(text, sizeof text, "median of %.0f runs, no interval", n);
            }
            json_object_set_new(e, "extra", json_string(text));
            json_array_append_new(doc, e);
        }
    }
    return doc;
}

static int write_json(const char *path, const json_t *doc, char *err, size_t errlen)
{
    if (!path) {
        if (json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) != 0 ||
            fputc('\n', stdout) == EOF || fflush(stdout) != 0)
            return ab_fail(err, errlen, "cannot write to standard output");
        return 0;
    }
    return ab_json_write_atomic(path, doc, JSON_INDENT(2) | JSON_REAL_PRECISION(12), err, errlen);
}

/* One .hgrm file in HdrHistogram's outputPercentileDistribution layout. */
static int write_hgrm(const char *path, const ab_rv_bucket *b, size_t n, char *err, size_t errlen)
{
    double total = 0, sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        total += b[i].count;
        sum += b[i].upper * b[i].count;
    }
    double mean = sum / total;
    for (size_t i = 0; i < n; i++)
        ss += (b[i].upper - mean) * (b[i].upper - mean) * b[i].count;
    double sd = sqrt(ss / total);
    ab_atomic_file af;
    if (ab_atomic_open(&af, path, err, errlen) != 0)
        return -1;
    FILE *f = af.f;
    fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
    double cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum += b[i].count;
        double p = i + 1 == n ? 1.0 : cum / total;
        if (p < 1.0)
            fprintf(f, "%12.3f %2.12f %10.0f %14.2f\n", b[i].upper, p, cum, 1 / (1 - p));
        else
            fprintf(f, "%12.3f %2.12f %10.0f\n", b[i].upper, p, cum);
    }
    fprintf(f, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean, sd);
    fprintf(f, "#[Max     = %12.3f, Total count    = %12.0f]\n", b[n - 1].upper, total);
    fprintf(f, "#[Buckets = %12zu, SubBuckets     = %12d]\n", n, 256);
    return ab_atomic_commit(&af, err, errlen);
}

static void file_part(char *dst, size_t len, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < len; i++)
        dst[i] = s[i] == '/' ? '_' : s[i];
    dst[i] = '\0';
}

/* Writes the .hgrm files of the trace cells into outdir (made when missing: *made says so);
 * *programs counts the whole programs' cells with an ok run, which have no histogram. */
static int write_hgrm_files(const json_t *res, const char *outdir, size_t *written,
                            size_t *programs, int *made, char *err, size_t errlen)
{
    *made = mkdir(outdir, 0777) == 0;
    if (!*made && errno != EEXIST)
        return ab_fail(err, errlen, "cannot create %s: %s", outdir, strerror(errno));
    static const char *const ops[] = {"alloc", "free", "realloc", "reset"};
    size_t i;
    const json_t *cell;
    json_array_foreach(json_object_get(res, "cells"), i, cell)
    {
        if (!cell_ok(cell))
            continue;
        if (!strcmp(ab_rv_str(cell, "kind"), "program")) {
            ++*programs;
            continue;
        }
        const char *alloc = ab_rv_str(cell, "allocator"), *wl = ab_rv_str(cell, "workload");
        for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
            size_t n = 0;
            ab_rv_bucket *b = ab_rv_merged_histogram(res, alloc, wl, ops[k], &n);
            if (!b)
                return ab_fail(err, errlen, "out of memory merging the histograms");
            int rc = 0;
            if (n) {
                char a[128], w[128], path[4096];
                file_part(a, sizeof a, alloc);
                file_part(w, sizeof w, wl);
                snprintf(path, sizeof path, "%.3800s/%s-%s-%s.hgrm", outdir, a, w, ops[k]);
                rc = write_hgrm(path, b, n, err, errlen);
                *written += rc == 0;
            }
            free(b);
            if (rc != 0)
                return -1;
        }
    }
    return 0;
}

/* github-action-benchmark: with --direction, that one array (to -o FILE or stdout); without,
 * PREFIX-smaller.json and PREFIX-bigger.json. A direction no cell has a value in (a run of whole
 * programs only has no higher-is-better metric) is not written, and stderr says so; nothing at
 * all to write is an error. Every array is made before any file is written. */
static int export_gab(const json_t *res, const export_opts *o, char *err, size_t errlen)
{
    static const char *const what[2] = {
        "a resolved lower-is-better metric",
        "a resolved higher-is-better metric (mops: whole programs have none)"};
    json_t *docs[2] = {NULL, NULL};
    size_t values = 0;
    for (int bigger = 0; bigger < 2; bigger++) {
        if ((o->direction == DIR_SMALLER && bigger) || (o->direction == DIR_BIGGER && !bigger))
            continue;
        docs[bigger] = gab_doc(res, bigger);
        values += json_array_size(docs[bigger]);
    }
    int rc = 0;
    if (values == 0)
        rc = nothing_to_export(res,
                               o->direction == DIR_BOTH ? "a resolved value of an exported metric"
                                                        : what[o->direction == DIR_BIGGER],
                               err, errlen);
    for (int bigger = 0; bigger < 2 && rc == 0; bigger++) {
        if (!docs[bigger])
            continue;
        char path[4200];
        const char *to = o->out;
        if (o->direction == DIR_BOTH) {
            snprintf(path, sizeof path, "%s-%s.json", o->out, bigger ? "bigger" : "smaller");
            to = path;
        }
        if (json_array_size(docs[bigger]))
            rc = write_json(to, docs[bigger], err, errlen);
        else
            fprintf(stderr, WHO ": %s not written: no cell has %s\n", to, what[bigger]);
    }
    json_decref(docs[0]);
    json_decref(docs[1]);
    return rc;
}

/* The .hgrm files, into out or RUN_DIR/hgrm. A whole program's cells are left out, and stderr
 * says so: a program is timed as a whole, it has no per-operation latency histogram. */
static int export_hgrm(const json_t *res, const char *out, const char *run_dir, char *err,
                       size_t errlen)
{
    char outdir[4200];
    if (out)
        snprintf(outdir, sizeof outdir, "%s", out);
    else
        snprintf(outdir, sizeof outdir, "%.4000s/hgrm", run_dir);
    size_t written = 0, programs = 0;
    int made = 0;
    int rc = write_hgrm_files(res, outdir, &written, &programs, &made, err, errlen);
    if (rc == 0 && written == 0) {
        if (made)
            rmdir(outdir); /* made for nothing */
        if (programs)
            return ab_fail(err, errlen,
                           "nothing to export: a whole program (run --program) has no latency "
                           "histogram, only a replayed trace has one, and this run's %zu program "
                           "cell(s) are all it has with an ok run (--to bmf or "
                           "github-action-benchmark export their CPU time, peak RSS and faults)",
                           programs);
        return nothing_to_export(res, "a latency histogram", err, errlen);
    }
    if (rc == 0 && programs)
        fprintf(stderr,
                WHO ": %zu whole-program cell(s) left out: a program has no latency histogram\n",
                programs);
    if (rc == 0)
        fprintf(stderr, WHO ": %zu .hgrm file(s) in %s\n", written, outdir);
    return rc;
}

int cmd_export(int argc, char **argv)
{
    export_opts o = {0};
    int parsed = parse_args(argc, argv, &o);
    if (parsed != 0)
        return parsed > 0 ? AB_EXIT_OK : AB_EXIT_USAGE;
    char err[1024] = "", dir[4096];
    json_t *res = load_results(o.results, dir, sizeof dir, err, sizeof err);
    if (!res) {
        fprintf(stderr, WHO ": %s\n", err);
        return AB_EXIT_USAGE;
    }
    int rc = 0;
    if (o.format == FMT_BMF) {
        json_t *doc = bmf_doc(res);
        if (json_object_size(doc) == 0)
            rc = nothing_to_export(res, "a resolved value of an exported metric", err, sizeof err);
        else
            rc = write_json(o.out, doc, err, sizeof err);
        json_decref(doc);
    } else if (o.format == FMT_GAB) {
        rc = export_gab(res, &o, err, sizeof err);
    } else {
        rc = export_hgrm(res, o.out, dir, err, sizeof err);
    }
    json_decref(res);
    if (rc != 0) {
        fprintf(stderr, WHO ": %s\n", err);
        return AB_EXIT_FAILURE;
    }
    return AB_EXIT_OK;
}
