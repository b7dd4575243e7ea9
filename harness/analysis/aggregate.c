/* aggregate.c: per-cell statistics and the noisy verdict (see aggregate.h).
 *
 * Metrics are found by name in the runs' "metrics" objects, so a metric the runner adds later is
 * aggregated without a change here.
 */
#include "harness/analysis/aggregate.h"
#include "harness/analysis/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run_in_cell(const json_t *run, const char *alloc, const char *workload)
{
    const char *a = json_string_value(json_object_get(run, "allocator"));
    const char *w = json_string_value(json_object_get(run, "workload"));
    return a && w && !strcmp(a, alloc) && !strcmp(w, workload);
}

static int run_ok(const json_t *run)
{
    const char *s = json_string_value(json_object_get(run, "status"));
    return s && !strcmp(s, "ok");
}

static void add_reason(json_t *reasons, const char *fmt, double a, double b)
{
    char buf[256];
    snprintf(buf, sizeof buf, fmt, a, b);
    json_array_append_new(reasons, json_string(buf));
}

/* Aggregates one metric over the ok runs of the cell into cell_metrics[name]. */
static void aggregate_metric(const json_t *runs, const char *alloc, const char *workload,
                             const char *name, json_t *cell_metrics)
{
    size_t cap = json_array_size(runs), n = 0;
    double *v = malloc((cap ? cap : 1) * sizeof *v);
    if (!v)
        return;
    size_t i;
    const json_t *run;
    json_array_foreach(runs, i, run)
    {
        if (!run_in_cell(run, alloc, workload) || !run_ok(run))
            continue;
        const json_t *x = json_object_get(json_object_get(run, "metrics"), name);
        if (json_is_number(x) && isfinite(json_number_value(x)))
            v[n++] = json_number_value(x);
    }
    ab_stats st;
    if (n > 0 && ab_stats_compute(v, n, &st) == 0) {
        json_t *m = json_object();
        json_object_set_new(m, "median", json_real(st.median));
        json_object_set_new(m, "min", json_real(st.min));
        json_object_set_new(m, "max", json_real(st.max));
        json_object_set_new(m, "mad", json_real(st.mad));
        json_object_set_new(m, "ci_lo", json_real(st.ci_lo));
        json_object_set_new(m, "ci_hi", json_real(st.ci_hi));
        json_object_set_new(m, "ci_coverage", json_real(st.ci_coverage));
        json_object_set_new(m, "n", json_integer((json_int_t)st.n));
        json_object_set_new(cell_metrics, name, m);
    }
    free(v);
}

/* The spread rule: AB_NOISY_METRIC's interval half-width against its median. The MAD is not
 * judged: it describes single repetitions, while what a reader compares is the median, whose
 * uncertainty is the interval; two rules on one spread would need two calibrations. */
static void judge_spread(json_t *metrics, json_t *reasons)
{
    /* the first of these the cell has: a trace's time per op, else a whole program's CPU time */
    static const char *const judged[] = {AB_NOISY_METRIC, AB_NOISY_METRIC_FALLBACK,
                                         AB_NOISY_METRIC_PROGRAM, AB_NOISY_METRIC_PROGRAM_FALLBACK};
    const char *name = NULL;
    json_t *m = NULL;
    for (size_t i = 0; !m && i < sizeof judged / sizeof judged[0]; i++)
        m = json_object_get(metrics, name = judged[i]);
    double med = json_number_value(json_object_get(m, "median"));
    if (!m || !(med > 0))
        return;
    double lo = json_number_value(json_object_get(m, "ci_lo"));
    double hi = json_number_value(json_object_get(m, "ci_hi"));
    double ratio = (hi - lo) / 2 / med;
    if (!(ratio > AB_NOISY_CI_HALF_RATIO))
        return;
    char buf[160];
    snprintf(buf, sizeof buf, "%s: interval half-width %.1f %% of the median > %.3g %%", name,
             100 * ratio, 100 * AB_NOISY_CI_HALF_RATIO);
    json_array_append_new(reasons, json_string(buf));
}

static void judge_noise(const json_t *runs, const char *alloc, const char *workload, json_t *cell)
{
    json_t *reasons = json_array();
    judge_spread(json_object_get(cell, "metrics"), reasons);
    size_t i, total = 0, ok = 0;
    const json_t *run;
    json_array_foreach(runs, i, run)
    {
        if (!run_in_cell(run, alloc, workload))
            continue;
        total++;
        if (!run_ok(run))
            continue;
        ok++;
        size_t k;
        const json_t *why;
        json_array_foreach(json_object_get(json_object_get(run, "child"), "noisy_reasons"), k, why)
        {
            char buf[384];
            snprintf(buf, sizeof buf, "repetition %lld: %s",
                     (long long)json_integer_value(json_object_get(run, "rep")),
                     json_string_value(why) ? json_string_value(why) : "flagged by the runner");
            json_array_append_new(reasons, json_string(buf));
        }
    }
    if (ok < total)
        add_reason(reasons, "%.0f of %.0f repetitions did not finish ok", (double)(total - ok),
                   (double)total);
    json_object_set_new(cell, "n_runs", json_integer((json_int_t)total));
    json_object_set_new(cell, "n_ok", json_integer((json_int_t)ok));
    json_object_set_new(cell, "noisy", json_boolean(json_array_size(reasons) > 0));
    json_object_set_new(cell, "noisy_reasons", reasons);
}

/* The metrics a cell cannot state as values: those that at least half of its ok runs list in
 * `unresolved_metrics` (a net percentile under 3 steps of the timer), so the cell's median is
 * most likely one too. */
static json_t *unresolved_metrics(const json_t *runs, const char *alloc, const char *workload)
{
    json_t *counts = json_object(), *out = json_array();
    size_t i, ok = 0;
    const json_t *run;
    json_array_foreach(runs, i, run)
    {
        if (!run_in_cell(run, alloc, workload) || !run_ok(run))
            continue;
        ok++;
        size_t k;
        const json_t *name;
        json_array_foreach(json_object_get(run, "unresolved_metrics"), k, name)
        {
            const char *n = json_string_value(name);
            if (n)
                json_object_set_new(
                    counts, n, json_integer(json_integer_value(json_object_get(counts, n)) + 1));
        }
    }
    const char *name;
    json_t *count;
    json_object_foreach(counts, name, count)
    {
        if (2 * (size_t)json_integer_value(count) >= ok)
            json_array_append_new(out, json_string(name));
    }
    json_decref(counts);
    return out;
}

int ab_cell_unresolved(const json_t *cell, const char *metric)
{
    size_t i;
    const json_t *name;
    json_array_foreach(json_object_get(cell, "unresolved"), i, name)
    {
        if (json_string_value(name) && !strcmp(json_string_value(name), metric))
            return 1;
    }
    return 0;
}

json_t *ab_aggregate_cells(const json_t *runs, const json_t *allocators, const json_t *workloads)
{
    json_t *cells = json_array();
    if (!cells)
        return NULL;
    size_t ai, wi;
    const json_t *aj, *wj;
    json_array_foreach(allocators, ai, aj)
    {
        json_array_foreach(workloads, wi, wj)
        {
            const char *alloc = json_string_value(aj), *workload = json_string_value(wj);
            if (!alloc || !workload)
                continue;
            json_t *cell = json_object();
            json_object_set_new(cell, "allocator", json_string(alloc));
            json_object_set_new(cell, "workload", json_string(workload));
            json_t *metrics = json_object();
            /* the counters the ok runs could not count ("unavailable: why" in runs[].metrics),
             * each with the first run's reason: the cell says why instead of showing nothing */
            json_t *unavailable = json_object();
            /* Every metric name any ok run of the cell reports. */
            size_t i;
            const json_t *run;
            json_array_foreach(runs, i, run)
            {
                if (!run_in_cell(run, alloc, workload) || !run_ok(run))
                    continue;
                const char *name;
                json_t *value;
                json_object_foreach(json_object_get(run, "metrics"), name, value)
                {
                    const char *why = json_string_value(value);
                    if (json_is_number(value) && !json_object_get(metrics, name))
                        aggregate_metric(runs, alloc, workload, name, metrics);
                    else if (why && !strncmp(why, "unavailable:", 12) &&
                             !json_object_get(unavailable, name))
                        json_object_set_new(unavailable, name, json_string(why));
                }
            }
            json_object_set_new(cell, "metrics", metrics);
            json_object_set_new(cell, "unresolved", unresolved_metrics(runs, alloc, workload));
            json_object_set_new(cell, "unavailable", unavailable);
            judge_noise(runs, alloc, workload, cell);
            json_array_append_new(cells, cell);
        }
    }
    return cells;
}
