/* summary.c: the console table of summary.h. The headline column is the net time's median with
 * its interval (a whole program's: its CPU time's); the other columns are a table of (title,
 * metric, format) per kind of workload, so adding one is one line; a metric a cell lacks prints
 * as "-". A column's title is its metric's results.json key (results/README.md, "Names"), with
 * the unit when it is scaled (retained KiB). */
#include "harness/report/summary.h"
#include "harness/analysis/aggregate.h"
#include "harness/orchestrator/environment.h"
#include "harness/report/explain.h"

#include <math.h>
#include <string.h>

typedef struct column {
    const char *title;
    const char *metric; /* cells[].metrics key; its median is shown */
    double scale;       /* multiply the median by this before printing */
    const char *fmt;    /* printf format of the scaled median, as wide as the title at least */
} column;

/* Wide enough for "123.45 [120.00, 130.00]". */
#define HEADLINE_WIDTH 24

static const column columns[] = {
    {"mops", "mops", 1, "%9.2f"},
    {"cycles_per_op", "cycles_per_op", 1, "%13.1f"},
    {"alloc_mean", "alloc_mean", 1, "%10.1f"},
    {"alloc_p50", "alloc_p50", 1, "%9.0f"},
    {"alloc_p99", "alloc_p99", 1, "%9.0f"},
    {"frag_peak", "frag_peak", 1, "%9.3f"},
    {"retained KiB", "retained", 1.0 / 1024, "%12.0f"},
    {"faults_per_kop", "faults_per_kop", 1, "%14.1f"},
    {"syscalls_per_kop", "syscalls_per_kop", 1, "%16.1f"},
};

/* A whole program's cell (run --program): figures from wait4's rusage. */
static const column program_columns[] = {
    {"cpu_mcycles", "cpu_mcycles", 1, "%11.1f"},
    {"cpu_ghz", "cpu_ghz", 1, "%7.2f"},
    {"user_ms", "user_ms", 1, "%9.1f"},
    {"sys_ms", "sys_ms", 1, "%8.1f"},
    {"wall_ms", "wall_ms", 1, "%9.1f"},
    {"peak_rss MiB", "peak_rss", 1.0 / (1024 * 1024), "%12.1f"},
    {"minor_faults", "minor_faults", 1, "%12.0f"},
    {"major_faults", "major_faults", 1, "%12.0f"},
    {"syscalls", "syscalls", 1, "%9.0f"},
};

/* A counted cell (run --measure instructions): counts, not times. */
static const column count_columns[] = {
    {"instructions_per_op", "instructions_per_op", 1, "%19.1f"},
    {"floor_instructions_per_op", "floor_instructions_per_op", 1, "%25.1f"},
    {"est_cycles_per_op_net", "est_cycles_per_op_net", 1, "%21.1f"},
    {"l1_misses_per_op_net", "l1_misses_per_op_net", 1, "%20.3f"},
    {"ll_misses_per_op_net", "ll_misses_per_op_net", 1, "%20.4f"},
};

/* What one kind of workload's table shows: the headline metric and the other columns. */
typedef struct table_kind {
    const char *headline_metric, *headline_title, *units;
    const column *columns;
    size_t ncolumns;
    int counts; /* counted cells: exact, so no interval of the median is shown */
} table_kind;

static const table_kind trace_table = {"ns_per_op_net",
                                       "ns_per_op_net [interval]",
                                       "times in ns per op, net of the replay floor",
                                       columns,
                                       sizeof columns / sizeof columns[0],
                                       0};
static const table_kind count_table = {
    "instructions_per_op_net",
    "instructions_per_op_net",
    "COUNTS, not times: instructions per op net of the replay floor, and the estimated cycles "
    "and simulated cache misses built from the counts",
    count_columns,
    sizeof count_columns / sizeof count_columns[0],
    1};
static const table_kind program_table = {
    "cpu_ms",
    "cpu_ms [interval]",
    "a whole program: times in ms and memory from wait4's rusage, shell included",
    program_columns,
    sizeof program_columns / sizeof program_columns[0],
    0};

static double stat_of(const json_t *cell, const char *metric, const char *stat)
{
    const json_t *v =
        json_object_get(json_object_get(json_object_get(cell, "metrics"), metric), stat);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A median; "<T" instead when it is unresolved, T being the resolution threshold in ns. */
static void print_cell_value(FILE *out, const char *fmt, double v, double unresolved_below)
{
    char buf[64];
    int width = 0;
    sscanf(fmt, "%%%d", &width);
    if (unresolved_below > 0) {
        snprintf(buf, sizeof buf, "<%.0f", unresolved_below);
        fprintf(out, " %*s", width, buf);
    } else if (isnan(v))
        fprintf(out, " %*s", width, "-");
    else {
        snprintf(buf, sizeof buf, fmt, v);
        fprintf(out, " %s", buf);
    }
}

/* The headline: "median [ci_lo, ci_hi]" of the metric (the median alone for counts), in a
 * column `width` wide. */
static void print_headline(FILE *out, const json_t *cell, const char *metric, int width, int counts)
{
    double med = stat_of(cell, metric, "median");
    double lo = counts ? NAN : stat_of(cell, metric, "ci_lo");
    double hi = counts ? NAN : stat_of(cell, metric, "ci_hi");
    char buf[96];
    if (isnan(med))
        snprintf(buf, sizeof buf, "-");
    else if (isnan(lo) || isnan(hi))
        snprintf(buf, sizeof buf, "%.2f", med);
    else
        snprintf(buf, sizeof buf, "%.2f [%.2f, %.2f]", med, lo, hi);
    fprintf(out, " %*s", width, buf);
}

/* "93.8 %", or "75.0-93.8 %" when the workload's cells have different numbers of ok
 * repetitions (the coverage depends on n only); "" when no cell has an interval. */
static void coverage_text(const json_t *cells, const char *workload, const char *metric, char *buf,
                          size_t len)
{
    double lo = INFINITY, hi = -INFINITY;
    size_t i;
    const json_t *cell;
    json_array_foreach(cells, i, cell)
    {
        const char *w = json_string_value(json_object_get(cell, "workload"));
        double c = stat_of(cell, metric, "ci_coverage");
        if (!w || strcmp(w, workload) != 0 || isnan(c))
            continue;
        lo = c < lo ? c : lo;
        hi = c > hi ? c : hi;
    }
    if (lo > hi)
        snprintf(buf, len, "%s", "");
    else if (lo == hi)
        snprintf(buf, len, "%.1f %%", 100 * lo);
    else
        snprintf(buf, len, "%.1f-%.1f %%", 100 * lo, 100 * hi);
}

/* 1 when the workload's cells are a whole program's (run --program). */
static int is_program(const json_t *cells, const char *workload)
{
    size_t i;
    const json_t *cell;
    json_array_foreach(cells, i, cell)
    {
        const char *w = json_string_value(json_object_get(cell, "workload"));
        const char *kind = json_string_value(json_object_get(cell, "kind"));
        if (w && kind && !strcmp(w, workload) && !strcmp(kind, "program"))
            return 1;
    }
    return 0;
}

/* Under a workload's table: the cells whose time is the kernel's, and the bimodal ones. */
static void print_why(FILE *out, const json_t *doc, const json_t *cells, const char *workload)
{
    size_t i;
    const json_t *cell;
    char why[640];
    json_array_foreach(cells, i, cell)
    {
        const char *w = json_string_value(json_object_get(cell, "workload"));
        if (!w || strcmp(w, workload) != 0 || json_object_get(cell, "not_applicable"))
            continue;
        if (ab_explain_kernel(doc, cell, why, sizeof why))
            fprintf(out, "  why: %s.\n", why);
        if (ab_explain_bimodal(doc, cell, why, sizeof why))
            fprintf(out, "  why: %s.\n", why);
    }
}

/* This machine's prices of kernel work, and the warning when a fault is dear. */
static void print_machine(FILE *out, const json_t *doc)
{
    char buf[1024];
    int expensive = 0;
    if (!ab_explain_machine(doc, buf, sizeof buf, &expensive))
        return;
    fprintf(out, "kernel prices here: %s\n", buf);
    if (ab_explain_fault_warning(doc, buf, sizeof buf))
        fprintf(out, "warning: %s.\n", buf);
    if (ab_explain_unavailable(doc, buf, sizeof buf))
        fprintf(out, "not counted on this machine: %s\n", buf);
}

/* The table of a workload: a whole program's, a counted run's (--measure instructions), or a
 * timed trace's. */
/* 1 for a counted run's document (run --measure instructions). */
static int is_counted(const json_t *doc)
{
    const char *measure =
        json_string_value(json_object_get(json_object_get(doc, "config"), "measure"));
    return measure && !strcmp(measure, "instructions");
}

static const table_kind *table_of(const json_t *doc, const json_t *cells, const char *workload)
{
    if (is_counted(doc))
        return &count_table;
    return is_program(cells, workload) ? &program_table : &trace_table;
}

/* The machine's load around the run: on a shared machine, the first thing that explains a
 * column of NOISY cells. */
static void print_load(FILE *out, const json_t *doc)
{
    const json_t *ctx = json_object_get(doc, "context");
    const json_t *start = json_object_get(ctx, "load_average");
    const json_t *end = json_object_get(ctx, "load_average_end");
    if (json_array_size(start) < 1 || json_array_size(end) < 1)
        return;
    fprintf(out, "\nload average (1 min): %.2f at the start, %.2f at the end, on %lld cores\n",
            json_number_value(json_array_get(start, 0)), json_number_value(json_array_get(end, 0)),
            (long long)json_integer_value(json_object_get(ctx, "cores")));
}

void ab_summary_print(FILE *out, const json_t *doc)
{
    const json_t *cells = json_object_get(doc, "cells");
    const json_t *workloads = json_object_get(json_object_get(doc, "config"), "workloads");
    const json_t *ctx = json_object_get(doc, "context");
    double below = json_number_value(json_object_get(ctx, "unresolved_below_ns"));
    if (!(below > 0))
        below = 1e-9; /* unknown: still mark, as "<0" */
    int marked = 0, traces = 0;
    size_t wi;
    const json_t *wj;
    json_array_foreach(workloads, wi, wj)
    {
        const char *workload = json_string_value(wj);
        const table_kind *tk = table_of(doc, cells, workload);
        traces |= tk == &trace_table;
        char cov[48];
        cov[0] = '\0';
        if (!tk->counts)
            coverage_text(cells, workload, tk->headline_metric, cov, sizeof cov);
        fprintf(out, "\nworkload %s (medians over the ok repetitions", workload);
        if (cov[0])
            fprintf(out, " [interval of the median, %s coverage]", cov);
        fprintf(out, "; %s)\n", tk->units);
        fprintf(out, "  %-16s %*s", "allocator", HEADLINE_WIDTH, tk->headline_title);
        for (size_t c = 0; c < tk->ncolumns; c++) {
            int width = 0;
            sscanf(tk->columns[c].fmt, "%%%d", &width);
            fprintf(out, " %*s", width, tk->columns[c].title);
        }
        fprintf(out, " %5s  %s\n", "ok", "noisy");
        char na_who[256] = "";
        const char *na_why = NULL;
        size_t ci;
        const json_t *cell;
        json_array_foreach(cells, ci, cell)
        {
            const char *w = json_string_value(json_object_get(cell, "workload"));
            if (!w || strcmp(w, workload) != 0)
                continue;
            fprintf(out, "  %-16s", json_string_value(json_object_get(cell, "allocator")));
            const char *na = json_string_value(json_object_get(cell, "not_applicable"));
            if (na) { /* said once under the table */
                fprintf(out, " %*s\n", HEADLINE_WIDTH, "not applicable");
                size_t used = strlen(na_who);
                snprintf(na_who + used, sizeof na_who - used, "%s%s", used ? ", " : "",
                         json_string_value(json_object_get(cell, "allocator")));
                na_why = na;
                continue;
            }
            print_headline(out, cell, tk->headline_metric, HEADLINE_WIDTH, tk->counts);
            for (size_t c = 0; c < tk->ncolumns; c++) {
                const column *col = &tk->columns[c];
                int unres = ab_cell_unresolved(cell, col->metric);
                marked |= unres;
                print_cell_value(out, col->fmt, stat_of(cell, col->metric, "median") * col->scale,
                                 unres ? below : 0);
            }
            char ok[32];
            snprintf(ok, sizeof ok, "%lld/%lld",
                     (long long)json_integer_value(json_object_get(cell, "n_ok")),
                     (long long)json_integer_value(json_object_get(cell, "n_runs")));
            const json_t *reasons = json_object_get(cell, "noisy_reasons");
            fprintf(out, " %5s  %s", ok,
                    json_is_true(json_object_get(cell, "noisy")) ? "NOISY" : "");
            if (json_array_size(reasons) > 0)
                fprintf(out, " (%s%s)", json_string_value(json_array_get(reasons, 0)),
                        json_array_size(reasons) > 1 ? ", ..." : "");
            fputc('\n', out);
        }
        if (na_why)
            fprintf(out, "  not applicable here (%s): %s.\n", na_who, na_why);
        print_why(out, doc, cells, workload);
    }
    if (marked)
        fprintf(out,
                "\n<%.0f: under 3 steps of this machine's clock (one step: %.1f ns), so the\n"
                "percentile is not a value; the per-op means (alloc_mean) resolve below a step.\n",
                below, json_number_value(json_object_get(ctx, "timer_resolution_ns")));
    if (traces)
        fprintf(out, "\nfaults_per_kop, syscalls_per_kop: page faults and system calls per 1000 "
                     "ops, net of the floor (results.json has the calls by kind).\n");
    print_load(out, doc);
    if (is_counted(doc)) { /* neither the machine's prices nor its noise moves a count */
        fprintf(out, "counted in children with ASLR off, a fixed environment, clock and random "
                     "bytes: the load and the machine's noise do not move these counts\n");
        return;
    }
    print_machine(out, doc);
    char noise[512];
    ab_env_noise(ctx, noise, sizeof noise);
    if (noise[0])
        fprintf(out, "noise sources: %s (warned before the run; context in results.json)\n", noise);
}
