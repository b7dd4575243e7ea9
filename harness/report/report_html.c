/* report_html.c: writes report.html (see report_html.h). The page is built in memory with
 * open_memstream and committed through ab_atomic_open/commit (temporary file, then rename).
 * Sections, in order: header and context line, summary, charts, tables, noisy cells, failed runs,
 * context, metric definitions. */
#include "harness/report/report_html.h"
#include "harness/report/fidelity_table.h"
#include "harness/report/html_page.h"
#include "harness/common/error_message.h"
#include "harness/analysis/aggregate.h"
#include "harness/analysis/metric_table.h"
#include "harness/report/explain.h"
#include "harness/report/results_view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- metrics: units and definitions come from analysis/metric_table.h ---- */

static void fmt_value(char *buf, size_t len, double v, ab_unit u)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    if (isnan(v)) {
        snprintf(buf, len, "-");
        return;
    }
    switch (u) {
    case AB_UNIT_NS:
        if (fabs(v) >= 1e6)
            snprintf(buf, len, "%.3g ms", v / 1e6);
        else if (fabs(v) >= 1e3)
            snprintf(buf, len, "%.3g us", v / 1e3);
        else
            snprintf(buf, len, "%.3g ns", v);
        break;
    case AB_UNIT_CYCLES:
        snprintf(buf, len, "%.4g cycles", v);
        break;
    case AB_UNIT_GHZ:
        snprintf(buf, len, "%.3g GHz", v);
        break;
    case AB_UNIT_MOPS:
        snprintf(buf, len, "%.3g Mops/s", v);
        break;
    case AB_UNIT_PPM:
        snprintf(buf, len, "%.3g ppm", v);
        break;
    case AB_UNIT_RATIO:
        snprintf(buf, len, "%.3g", v);
        break;
    case AB_UNIT_MS:
        snprintf(buf, len, "%.4g ms", v);
        break;
    case AB_UNIT_COUNT:
        snprintf(buf, len, "%.0f", v);
        break;
    case AB_UNIT_MCYCLES:
        snprintf(buf, len, "%.4g Mcycles", v);
        break;
    case AB_UNIT_INSTR: /* counts, not times (run --measure instructions) */
    case AB_UNIT_MISSES:
    case AB_UNIT_EST_CYCLES:
        snprintf(buf, len, "%.5g %s (count)", v, ab_unit_name(u));
        break;
    case AB_UNIT_BYTES: {
        size_t k = 0;
        double a = fabs(v);
        while (a >= 1024 && k < 4)
            a /= 1024, v /= 1024, k++;
        snprintf(buf, len, k ? "%.3g %s" : "%.0f %s", v, units[k]);
        break;
    }
    }
}

/* ---- page pieces ---- */

/* The metric the summary ranks time by: the net time when every cell of the workload has a
 * positive one (the allocator's own cost), else the raw time. */
static const char *time_metric(const json_t *res, const ab_names *al, const char *wl)
{
    size_t found = 0;
    for (size_t a = 0; a < al->n; a++) {
        double v;
        if (!ab_rv_median(res, al->v[a], wl, "ns_per_op", &v)) {
            if (ab_rv_median(res, al->v[a], wl, "ns_per_op_net", &v) || v <= 0)
                return "ns_per_op";
            found++;
        }
    }
    return found ? "ns_per_op_net" : "ns_per_op";
}

static int cell_noisy(const json_t *res, const char *alloc, const char *wl)
{
    return json_is_true(json_object_get(ab_rv_cell(res, alloc, wl), "noisy"));
}

/* One summary sentence: best and runner-up of `metric` (lower is better); `worse` says how the
 * runner-up compares ("slower", "more"). */
static void summary_line(FILE *f, const json_t *res, const ab_names *al, const char *wl,
                         const char *metric, const char *what, const char *worse)
{
    long best = -1, second = -1;
    double vb = NAN, vs = NAN;
    for (size_t a = 0; a < al->n; a++) {
        double v;
        if (ab_rv_median(res, al->v[a], wl, metric, &v))
            continue;
        if (best < 0 || v < vb) {
            second = best, vs = vb;
            best = (long)a, vb = v;
        } else if (second < 0 || v < vs) {
            second = (long)a, vs = v;
        }
    }
    ab_unit u = ab_metric_unit(metric);
    char b1[64], b2[64];
    fprintf(f, "<li>%s: ", what);
    if (best < 0) {
        fprintf(f, "no cell has <code>%s</code>.</li>\n", metric);
        return;
    }
    fmt_value(b1, sizeof b1, vb, u);
    fputs("<b>", f);
    ab_html_escape(f, al->v[best]);
    fputs("</b> (", f);
    ab_html_escape(f, b1);
    fprintf(f, " median <code>%s</code>%s)", metric,
            cell_noisy(res, al->v[best], wl) ? ", <span class=warn>noisy</span>" : "");
    if (second >= 0) {
        fmt_value(b2, sizeof b2, vs, u);
        fputs("; next best ", f);
        ab_html_escape(f, al->v[second]);
        fputs(" at ", f);
        ab_html_escape(f, b2);
        if (vb > 0 && vs / vb >= 1.005)
            fprintf(f, ", %.2f&times; %s", vs / vb, worse);
        else if (vb > 0)
            fputs(", within 0.5% (a tie)", f);
        if (cell_noisy(res, al->v[second], wl))
            fputs(" (<span class=warn>noisy</span>)", f);
        double best_hi, second_lo;
        if (!ab_rv_cell_stat(ab_rv_cell(res, al->v[best], wl), metric, "ci_hi", &best_hi) &&
            !ab_rv_cell_stat(ab_rv_cell(res, al->v[second], wl), metric, "ci_lo", &second_lo) &&
            best_hi >= second_lo)
            fputs("; <span class=warn>their intervals of the median overlap: not a clear "
                  "win</span>",
                  f);
    } else {
        fputs("; the only allocator with this number", f);
    }
    fputs(".</li>\n", f);
}

/* The "why" of a workload's cells (explain.h): the kernel's share, bimodal repetitions. */
static void why_lines(FILE *f, const json_t *res, const ab_names *al, const char *workload)
{
    char why[640];
    for (size_t a = 0; a < al->n; a++) {
        const json_t *cell = ab_rv_cell(res, al->v[a], workload);
        if (!cell || json_object_get(cell, "not_applicable"))
            continue;
        if (ab_explain_kernel(res, cell, why, sizeof why)) {
            fputs("<li>Why: ", f);
            ab_html_escape(f, why);
            fputs(" (the chart \"What each allocator asked of the kernel\").</li>\n", f);
        }
        if (ab_explain_bimodal(res, cell, why, sizeof why)) {
            fputs("<li>", f);
            ab_html_escape(f, why);
            fputs(".</li>\n", f);
        }
    }
}

/* This machine's price of kernel work, and the warning when the host makes a fault dear. */
static void machine_prices(FILE *f, const json_t *res)
{
    char buf[1024];
    int expensive = 0;
    if (!ab_explain_machine(res, buf, sizeof buf, &expensive))
        return;
    fputs("<p>Kernel prices on this machine (measured at the start of the run): ", f);
    ab_html_escape(f, buf);
    fputs(". A cell's faults per 1000 ops times the price of a fault / 1000 is what its faults "
          "cost per op here.</p>\n",
          f);
    if (ab_explain_fault_warning(res, buf, sizeof buf)) {
        fputs("<p class=warn><b>Warning:</b> ", f);
        ab_html_escape(f, buf);
        fputs(".</p>\n", f);
    }
    if (ab_explain_unavailable(res, buf, sizeof buf)) {
        fputs("<p>Not counted on this machine (results.json says why, never 0): ", f);
        ab_html_escape(f, buf);
        fputs(".</p>\n", f);
    }
}

static void section_summary(FILE *f, const json_t *res, const ab_names *al, const ab_names *wls)
{
    fputs("<h2 id=summary>Summary</h2>\n<p>From the cell medians (lower is better for "
          "both). Time is what one operation costs; memory is the most resident memory the "
          "process needed (<code>peak_footprint</code>, or <code>frag_peak</code> when it is "
          "missing); for a whole program (<code>run --program</code>), its CPU time "
          "(<code>cpu_ms</code>) and its peak RSS (<code>peak_rss</code>).</p>\n",
          f);
    for (size_t w = 0; w < wls->n; w++) {
        double dummy;
        int have_fp = 0;
        for (size_t a = 0; a < al->n; a++)
            have_fp |= !ab_rv_median(res, al->v[a], wls->v[w], "peak_footprint", &dummy);
        int program = ab_rv_is_program(res, wls->v[w]);
        fputs("<h3>", f);
        ab_html_escape(f, wls->v[w]);
        fputs(program ? " (a whole program: CPU time and peak RSS)" : "", f);
        fputs("</h3>\n<ul>\n", f);
        double instr;
        if (!program && !ab_rv_median(res, al->v[0], wls->v[w], "instructions_per_op_net", &instr))
            summary_line(f, res, al, wls->v[w], "instructions_per_op_net",
                         "Fewest instructions (a count, not a time: run --measure instructions)",
                         "more");
        else
            summary_line(f, res, al, wls->v[w],
                         program ? "cpu_ms" : time_metric(res, al, wls->v[w]), "Fastest", "slower");
        summary_line(f, res, al, wls->v[w],
                     program   ? "peak_rss"
                     : have_fp ? "peak_footprint"
                               : "frag_peak",
                     "Least memory", "more");
        if (!program)
            why_lines(f, res, al, wls->v[w]);
        fputs("</ul>\n", f);
    }
    machine_prices(f, res);
}

/* Metric names present in any cell: the known ones in definition order, then the others. */
static int cell_metric_names(const json_t *res, ab_names *out)
{
    ab_names all = {0};
    size_t i;
    const json_t *cell, *m;
    const char *key;
    *out = (ab_names){0};
    json_array_foreach(json_object_get(res, "cells"), i, cell)
    {
        json_object_foreach((json_t *)json_object_get(cell, "metrics"), key, m)
        {
            if (ab_names_add(&all, key))
                goto oom;
        }
    }
    for (i = 0; i < ab_metric_def_count; i++)
        for (size_t k = 0; k < all.n; k++)
            if (!strcmp(all.v[k], ab_metric_defs[i].name) && ab_names_add(out, all.v[k]))
                goto oom;
    for (size_t k = 0; k < all.n; k++)
        if (ab_names_add(out, all.v[k]))
            goto oom;
    ab_names_free(&all);
    return 0;
oom:
    ab_names_free(&all);
    ab_names_free(out);
    return -1;
}

static void section_tables(FILE *f, const json_t *res, const ab_names *al, const ab_names *wls)
{
    ab_names metrics;
    if (cell_metric_names(res, &metrics))
        return;
    fputs("<h2 id=tables>Tables</h2>\n<p>Per cell: the median over the repetitions, and under "
          "it an interval of the median [lo &ndash; hi] with its coverage in parentheses, and "
          "the number of repetitions n. The interval is a pair of order statistics, the "
          "narrowest pair that covers the true median with probability 95 % or more for any "
          "distribution of the repetitions; with 5 or fewer repetitions no pair does, so it "
          "is [min &ndash; max] and its coverage is lower (93.8 % with 5, 87.5 % with 4). "
          "Shaded columns are noisy cells (see below). A latency percentile under three steps "
          "of this machine's clock is marked <span class=warn>unresolved</span>: one sample "
          "is only known to a step, so such a median says \"a few steps\", not its value; "
          "the <code>*_mean</code> rows resolve below a step.</p>\n",
          f);
    for (size_t w = 0; w < wls->n; w++) {
        fputs("<h3>", f);
        ab_html_escape(f, wls->v[w]);
        fputs("</h3>\n", f);
        for (size_t a = 0; a < al->n; a++) {
            const char *na = json_string_value(
                json_object_get(ab_rv_cell(res, al->v[a], wls->v[w]), "not_applicable"));
            if (!na)
                continue;
            fputs("<p><b>", f);
            ab_html_escape(f, al->v[a]);
            fputs("</b>: not applicable here: ", f);
            ab_html_escape(f, na);
            fputs(".</p>\n", f);
        }
        fputs("<table>\n<tr><th class=l>metric</th>", f);
        for (size_t a = 0; a < al->n; a++) {
            fprintf(f, "<th%s>", cell_noisy(res, al->v[a], wls->v[w]) ? " class=noisy" : "");
            ab_html_escape(f, al->v[a]);
            fputs("</th>", f);
        }
        fputs("</tr>\n", f);
        for (size_t m = 0; m < metrics.n; m++) {
            ab_unit u = ab_metric_unit(metrics.v[m]);
            fputs("<tr><td class=l><code>", f);
            ab_html_escape(f, metrics.v[m]);
            fputs("</code></td>", f);
            for (size_t a = 0; a < al->n; a++) {
                const json_t *cell = ab_rv_cell(res, al->v[a], wls->v[w]);
                double med, lo, hi, cov, n;
                char b1[64], b2[64], b3[64];
                fprintf(f, "<td%s>", cell_noisy(res, al->v[a], wls->v[w]) ? " class=noisy" : "");
                if (json_string_value(json_object_get(cell, "not_applicable"))) {
                    fputs("n/a</td>", f);
                    continue;
                }
                if (ab_rv_cell_stat(cell, metrics.v[m], "median", &med)) {
                    fputs("-</td>", f);
                    continue;
                }
                fmt_value(b1, sizeof b1, med, u);
                if (ab_cell_unresolved(cell, metrics.v[m]))
                    fputs("<span class=warn title=\"under 3 steps of the timer: not a "
                          "value\">unresolved</span><br><small>",
                          f);
                ab_html_escape(f, b1);
                if (ab_cell_unresolved(cell, metrics.v[m]))
                    fputs("</small>", f);
                int one = !ab_rv_cell_stat(cell, metrics.v[m], "n", &n) && n <= 1;
                if (one) /* one repetition (a counted run's): no interval to show */
                    fputs("<br><small>n=1</small>", f);
                else if (!ab_rv_cell_stat(cell, metrics.v[m], "ci_lo", &lo) &&
                         !ab_rv_cell_stat(cell, metrics.v[m], "ci_hi", &hi)) {
                    fmt_value(b2, sizeof b2, lo, u);
                    fmt_value(b3, sizeof b3, hi, u);
                    fputs("<br><small>[", f);
                    ab_html_escape(f, b2);
                    fputs(" &ndash; ", f);
                    ab_html_escape(f, b3);
                    fputs("]", f);
                    if (!ab_rv_cell_stat(cell, metrics.v[m], "ci_coverage", &cov))
                        fprintf(f, " (%.1f %%)", 100 * cov);
                    if (!ab_rv_cell_stat(cell, metrics.v[m], "n", &n))
                        fprintf(f, " n=%.0f", n);
                    fputs("</small>", f);
                }
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    ab_names_free(&metrics);
}

static void section_noisy(FILE *f, const json_t *res)
{
    size_t i, k, count = 0;
    const json_t *cell, *reason;
    fputs("<h2 id=noisy>Noisy cells</h2>\n", f);
    json_array_foreach(json_object_get(res, "cells"), i, cell)
    {
        if (!json_is_true(json_object_get(cell, "noisy")))
            continue;
        if (!count++)
            fputs("<p>Their numbers moved too much between repetitions (or the clock "
                  "calibration disagreed) to trust small differences.</p>\n<table>\n"
                  "<tr><th class=l>allocator</th><th class=l>workload</th>"
                  "<th class=l>reasons</th></tr>\n",
                  f);
        fputs("<tr><td class=l>", f);
        ab_html_escape(f, ab_rv_str(cell, "allocator"));
        fputs("</td><td class=l>", f);
        ab_html_escape(f, ab_rv_str(cell, "workload"));
        fputs("</td><td class=l>", f);
        json_array_foreach(json_object_get(cell, "noisy_reasons"), k, reason)
        {
            if (k)
                fputs("; ", f);
            ab_html_escape(f, json_is_string(reason) ? json_string_value(reason) : "?");
        }
        fputs("</td></tr>\n", f);
    }
    fputs(count ? "</table>\n" : "<p>No cell was flagged noisy.</p>\n", f);
}

static void section_failed(FILE *f, const json_t *res)
{
    size_t i, count = 0;
    const json_t *run;
    fputs("<h2 id=failed>Failed runs</h2>\n", f);
    json_array_foreach(json_object_get(res, "runs"), i, run)
    {
        if (!strcmp(ab_rv_str(run, "status"), "ok"))
            continue;
        if (!count++)
            fputs("<table>\n<tr><th class=l>allocator</th><th class=l>workload</th><th>rep</th>"
                  "<th class=l>status</th><th>exit code</th><th>signal</th>"
                  "<th class=l>error</th></tr>\n",
                  f);
        double rep = NAN, code = NAN, sig = NAN;
        ab_rv_num(run, "rep", &rep);
        ab_rv_num(run, "exit_code", &code);
        ab_rv_num(run, "signal", &sig);
        const char *fields[] = {ab_rv_str(run, "allocator"), ab_rv_str(run, "workload")};
        fputs("<tr>", f);
        for (int k = 0; k < 2; k++) {
            fputs("<td class=l>", f);
            ab_html_escape(f, fields[k]);
            fputs("</td>", f);
        }
        fprintf(f, "<td>%.0f</td><td class=l>", rep);
        ab_html_escape(f, ab_rv_str(run, "status"));
        fprintf(f, "</td><td>%.0f</td><td>%.0f</td><td class=l>", code, sig);
        ab_html_escape(f, ab_rv_str(run, "error"));
        fputs("</td></tr>\n", f);
    }
    fputs(count ? "</table>\n" : "<p>Every run finished with status ok.</p>\n", f);
}

static void kv_table(FILE *f, const json_t *obj, const char *skip)
{
    const char *key;
    const json_t *v;
    fputs("<table>\n", f);
    json_object_foreach((json_t *)obj, key, v)
    {
        if (skip && !strcmp(key, skip))
            continue;
        fputs("<tr><th class=l>", f);
        ab_html_escape(f, key);
        fputs("</th><td class=l>", f);
        ab_html_json_inline(f, v);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void section_context(FILE *f, const json_t *res)
{
    const json_t *ctx = json_object_get(res, "context");
    const json_t *allocs = json_object_get(ctx, "allocators");
    const char *name;
    const json_t *a;
    fputs("<h2 id=context>Context</h2>\n<h3>Machine and build</h3>\n", f);
    kv_table(f, ctx, "allocators");
    if (json_object_size(allocs)) {
        fputs("<h3>Allocators</h3>\n<table>\n<tr><th class=l>allocator</th><th class=l>version"
              "</th><th class=l>library</th><th class=l>settings</th></tr>\n",
              f);
        json_object_foreach((json_t *)allocs, name, a)
        {
            fputs("<tr><td class=l>", f);
            ab_html_escape(f, name);
            const char *fields[] = {"version", "library", "settings"};
            for (int k = 0; k < 3; k++) {
                fputs("</td><td class=l>", f);
                const json_t *v = json_object_get(a, fields[k]);
                if (v)
                    ab_html_json_inline(f, v);
            }
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    fputs("<h3>Run settings</h3>\n", f);
    kv_table(f, json_object_get(res, "config"), NULL);
}

static void section_definitions(FILE *f)
{
    fputs("<h2 id=definitions>Metric definitions</h2>\n<p>Times in ns, sizes in bytes. F is "
          "the anonymous resident memory of the child above the baseline taken after the "
          "harness set up; L the bytes the trace holds live; both counted against operations."
          "</p>\n<dl>\n",
          f);
    for (size_t i = 0; i < ab_metric_def_count; i++)
        fprintf(f, "<dt>%s</dt><dd>%s</dd>\n", ab_metric_defs[i].name,
                ab_metric_defs[i].definition);
    fputs("</dl>\n", f);
}

int ab_report_html_write(const json_t *res, const char *run_dir, const ab_chart_list *charts,
                         const char *charts_note, char *err, size_t errlen)
{
    ab_names al = {0}, wls = {0};
    char *buf = NULL, path[4200];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f || ab_rv_allocators(res, &al) || ab_rv_workloads(res, &wls)) {
        if (f)
            fclose(f);
        free(buf);
        ab_names_free(&al);
        ab_fail(err, errlen, "out of memory writing the report");
        return -1;
    }
    const json_t *ctx = json_object_get(res, "context");
    fputs("<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=\"utf-8\">\n<title>"
          "alignbench report, run ",
          f);
    ab_html_escape(f, ab_rv_str(res, "run_id"));
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>alignbench report, run ",
            ab_html_css());
    ab_html_escape(f, ab_rv_str(res, "run_id"));
    fputs("</h1>\n<p>", f);
    ab_html_escape(f, ab_rv_str(ctx, "cpu_model"));
    fputs(" &middot; ", f);
    ab_html_escape(f, ab_rv_str(ctx, "date"));
    fputs(" &middot; commit ", f);
    ab_html_escape(f, ab_rv_str(ctx, "git_commit"));
    fprintf(f, " &middot; %zu allocators &times; %zu workloads", al.n, wls.n);
    fputs("</p>\n", f);
    if (!json_is_true(json_object_get(res, "complete")))
        fputs("<p class=warn><b>This run is incomplete</b> (interrupted): it shows the runs "
              "that finished.</p>\n",
              f);
    fputs("<p><a href=\"#summary\">Summary</a> &middot; ", f);
    if (json_is_object(json_object_get(res, "fidelity")))
        fputs("<a href=\"#fidelity\">Replay against the program</a> &middot; ", f);
    fputs("<a href=\"#charts\">Charts</a> &middot; "
          "<a href=\"#tables\">Tables</a> &middot; <a href=\"#noisy\">Noisy cells</a> &middot; "
          "<a href=\"#failed\">Failed runs</a> &middot; <a href=\"#context\">Context</a> "
          "&middot; <a href=\"#definitions\">Definitions</a></p>\n",
          f);
    section_summary(f, res, &al, &wls);
    ab_fidelity_html(f, json_object_get(res, "fidelity"));
    ab_html_charts(f, run_dir, charts, charts_note);
    section_tables(f, res, &al, &wls);
    section_noisy(f, res);
    section_failed(f, res);
    section_context(f, res);
    section_definitions(f);
    fputs("</body>\n</html>\n", f);
    ab_names_free(&al);
    ab_names_free(&wls);
    if (fclose(f)) {
        free(buf);
        ab_fail(err, errlen, "out of memory writing the report");
        return -1;
    }
    snprintf(path, sizeof path, "%s/report.html", run_dir);
    int rc = ab_html_commit(buf, len, path, err, errlen);
    free(buf);
    return rc;
}
