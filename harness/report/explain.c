/* explain.c: the sentences of explain.h, from results.json (cells, runs, context). */
#include "harness/report/explain.h"
#include "harness/measure/machine_costs.h"
#include "harness/report/results_view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double cell_median(const json_t *cell, const char *metric)
{
    double v;
    return ab_rv_cell_stat(cell, metric, "median", &v) == 0 ? v : NAN;
}

static double cost(const json_t *doc, const char *key)
{
    double v;
    const json_t *mc = json_object_get(json_object_get(doc, "context"), "machine_costs");
    return ab_rv_num(mc, key, &v) == 0 ? v : NAN;
}

/* What the cell's faults and memory system calls cost per op at this machine's prices (ns), or
 * NAN without prices. */
static double priced_ns(const json_t *doc, const json_t *cell)
{
    double faults = cell_median(cell, "faults_per_kop");
    double madv = cell_median(cell, "sys_madvise_per_kop");
    double maps = cell_median(cell, "sys_mmap_per_kop") + cell_median(cell, "sys_munmap_per_kop");
    double f = cost(doc, "fault_ns"), m = cost(doc, "madvise_ns"), mm = cost(doc, "mmap_munmap_ns");
    if (!isfinite(faults) || !isfinite(f))
        return NAN;
    double ns = fmax(faults, 0) * f / 1000;
    ns += isfinite(madv) && isfinite(m) ? fmax(madv, 0) * m / 1000 : 0;
    ns += isfinite(maps) && isfinite(mm) ? fmax(maps, 0) * mm / 2000 : 0;
    return ns;
}

int ab_explain_kernel(const json_t *doc, const json_t *cell, char *buf, size_t len)
{
    double net = cell_median(cell, "ns_per_op_net");
    double sys = cell_median(cell, "sys_ns_per_op_net");
    double priced = priced_ns(doc, cell);
    double kernel = fmax(isfinite(sys) ? sys : 0, isfinite(priced) ? priced : 0);
    double faults = cell_median(cell, "faults_per_kop");
    double calls = cell_median(cell, "syscalls_per_kop");
    double events = (isfinite(faults) ? faults : 0) + (isfinite(calls) ? calls : 0);
    /* under one fault or call per 1000 ops, system time is the tick accounting's noise */
    if (!(net >= 1) || !(events >= AB_EXPLAIN_MIN_EVENTS) ||
        !(kernel >= AB_EXPLAIN_KERNEL_SHARE * net))
        return 0;
    double madv = cell_median(cell, "sys_madvise_per_kop");
    double maps = cell_median(cell, "sys_mmap_per_kop") + cell_median(cell, "sys_munmap_per_kop");
    double share = cell_median(cell, "sys_share");
    int n = snprintf(buf, len, "%s/%s: %.3g page faults", ab_rv_str(cell, "allocator"),
                     ab_rv_str(cell, "workload"), fmax(faults, 0));
    if (isfinite(madv) && madv >= 0.005 && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " and %.3g madvise", fmax(madv, 0));
    if (isfinite(maps) && maps >= 0.05 && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " and %.3g mmap/munmap", maps);
    if (n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " per 1000 ops");
    /* a purge that the next write undoes: the pages given back are faulted in again */
    if (isfinite(madv) && madv >= 0.05 && faults >= 2 * madv && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n,
                      ": the pages it gives back with madvise are faulted in again, ~%.0f a call",
                      faults / madv);
    /* the prices are measured once, before the runs, and the host's price of a fault moves
     * between minutes: a priced figure above the net says so rather than "61 of 53 ns" */
    if (isfinite(priced) && priced <= net && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n,
                      " (~%.0f ns of its %.0f ns/op net at this machine's prices)", priced, net);
    else if (isfinite(priced) && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n,
                      " (~%.0f ns at the prices measured before the runs, above its %.0f ns/op net:"
                      " the host's price of a fault moves from minute to minute)",
                      priced, net);
    if (isfinite(share) && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, "; %.0f %% of its CPU time in the kernel", 100 * share);
    return 1;
}

/* ---- bimodal cells -------------------------------------------------------------------------- */

static int cmp_pair(const void *a, const void *b)
{
    double x = ((const double *)a)[0], y = ((const double *)b)[0];
    return (x > y) - (x < y);
}

/* The metrics that may separate two clusters, in the order they are named. */
static const struct {
    const char *metric, *what;
} separators[] = {
    {"minor_faults_per_kop", "page faults per 1000 ops"},
    {"sys_madvise_per_kop", "madvise per 1000 ops"},
    {"syscalls_per_kop", "system calls per 1000 ops"},
    {"ctx_involuntary_per_kop", "involuntary context switches per 1000 ops"},
    {"ctx_voluntary_per_kop", "voluntary context switches per 1000 ops"},
    {"migrations_per_kop", "CPU migrations per 1000 ops"},
    {"sys_share", "the kernel's share of the CPU time"},
    {"cpu_ghz", "the core's clock (GHz)"},
};

#define MAX_REPS 256

/* 1 when metric's values of the runs in `low` (flag 0) and `high` (flag 1) do not overlap by a
 * margin of 10 % of the larger side's largest value; the sides' medians in lo_med, hi_med. */
static int separates(const json_t *runs[], const int side[], size_t n, const char *metric,
                     double *lo_med, double *hi_med)
{
    double v[2][MAX_REPS];
    size_t k[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double x;
        if (ab_rv_num(json_object_get(runs[i], "metrics"), metric, &x) != 0)
            return 0;
        v[side[i]][k[side[i]]++] = x;
    }
    if (!k[0] || !k[1])
        return 0;
    double min0 = INFINITY, max0 = -INFINITY, min1 = INFINITY, max1 = -INFINITY;
    for (size_t i = 0; i < k[0]; i++)
        min0 = fmin(min0, v[0][i]), max0 = fmax(max0, v[0][i]);
    for (size_t i = 0; i < k[1]; i++)
        min1 = fmin(min1, v[1][i]), max1 = fmax(max1, v[1][i]);
    double scale = fmax(fabs(max0), fabs(max1));
    double margin = 0.10 * scale;
    if (!(scale > 0) || !(min1 - max0 > margin || min0 - max1 > margin))
        return 0;
    *lo_med = ab_rv_median_of(v[0], k[0]);
    *hi_med = ab_rv_median_of(v[1], k[1]);
    return 1;
}

int ab_explain_bimodal(const json_t *doc, const json_t *cell, char *buf, size_t len)
{
    const char *alloc = ab_rv_str(cell, "allocator"), *workload = ab_rv_str(cell, "workload");
    const json_t *runs[MAX_REPS];
    double pairs[MAX_REPS][2]; /* value, index into runs */
    const char *metric = "cycles_per_op", *unit = "cycles/op";
    size_t n = 0, pos = 0;
    const json_t *run;
    while (n < MAX_REPS && (run = ab_rv_next_ok_run(doc, alloc, workload, &pos)))
        runs[n++] = run;
    double x;
    if (n && ab_rv_num(json_object_get(runs[0], "metrics"), metric, &x) != 0)
        metric = "ns_per_op", unit = "ns/op";
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (ab_rv_num(json_object_get(runs[i], "metrics"), metric, &x) == 0) {
            pairs[m][0] = x;
            pairs[m][1] = (double)i;
            m++;
        }
    if (m < 4)
        return 0;
    qsort(pairs, m, sizeof pairs[0], cmp_pair);
    size_t cut = 0; /* the low cluster is pairs[0..cut] */
    double gap = 0;
    for (size_t i = 2; i + 2 <= m; i++) /* at least 2 repetitions on each side */
        if (pairs[i][0] - pairs[i - 1][0] > gap) {
            gap = pairs[i][0] - pairs[i - 1][0];
            cut = i - 1;
        }
    double med = m % 2 ? pairs[m / 2][0] : (pairs[m / 2 - 1][0] + pairs[m / 2][0]) / 2;
    double spread_lo = pairs[cut][0] - pairs[0][0], spread_hi = pairs[m - 1][0] - pairs[cut + 1][0];
    if (!(gap > 0.15 * med) || !(gap > spread_lo) || !(gap > spread_hi))
        return 0;
    const json_t *sorted[MAX_REPS];
    int side[MAX_REPS];
    for (size_t i = 0; i < m; i++) {
        sorted[i] = runs[(size_t)pairs[i][1]];
        side[i] = i > cut;
    }
    int w = snprintf(buf, len, "%s/%s: bimodal: %zu repetitions at %.0f-%.0f %s, %zu at %.0f-%.0f",
                     alloc, workload, cut + 1, pairs[0][0], pairs[cut][0], unit, m - cut - 1,
                     pairs[cut + 1][0], pairs[m - 1][0]);
    if (w < 0 || (size_t)w >= len)
        return 1;
    for (size_t s = 0; s < sizeof separators / sizeof separators[0]; s++) {
        double lo, hi;
        if (separates(sorted, side, m, separators[s].metric, &lo, &hi)) {
            snprintf(buf + w, len - (size_t)w,
                     "; %s differs: %.3g in the fast ones, %.3g in "
                     "the slow ones",
                     separators[s].what, lo, hi);
            return 1;
        }
    }
    snprintf(buf + w, len - (size_t)w, "; no counter differs between the two clusters");
    return 1;
}

/* ---- the machine ---------------------------------------------------------------------------- */

int ab_explain_machine(const json_t *doc, char *buf, size_t len, int *expensive)
{
    double f = cost(doc, "fault_ns"), rf = cost(doc, "refault_ns"), m = cost(doc, "madvise_ns");
    double mm = cost(doc, "mmap_munmap_ns");
    if (!isfinite(f))
        return 0;
    snprintf(buf, len,
             "a page fault %.2f us (again after MADV_DONTNEED %.2f us), a madvise %.2f us, an "
             "mmap+munmap %.2f us",
             f / 1e3, rf / 1e3, m / 1e3, mm / 1e3);
    *expensive = f > AB_FAULT_EXPENSIVE_NS;
    return 1;
}

int ab_explain_unavailable(const json_t *doc, char *buf, size_t len)
{
    ab_names names = {0};
    const char *first = NULL;
    size_t i;
    const json_t *cell;
    json_array_foreach(json_object_get(doc, "cells"), i, cell)
    {
        const char *name;
        const json_t *why;
        json_object_foreach((json_t *)json_object_get(cell, "unavailable"), name, why)
        {
            if (ab_names_add(&names, name) == 0 && !first)
                first = json_string_value(why);
        }
    }
    size_t n = 0;
    buf[0] = '\0';
    for (i = 0; i < names.n && n < len; i++) {
        const char *kop = strstr(names.v[i], "_per_kop");
        int w = kop ? (int)(kop - names.v[i]) : (int)strlen(names.v[i]);
        n += (size_t)snprintf(buf + n, len - n, "%s%.*s", i ? ", " : "", w, names.v[i]);
    }
    if (names.n && first && n < len)
        snprintf(buf + n, len - n, " (first reason: %s)",
                 strncmp(first, "unavailable: ", 13) ? first : first + 13);
    int any = names.n > 0;
    ab_names_free(&names);
    return any;
}

int ab_explain_fault_warning(const json_t *doc, char *buf, size_t len)
{
    double f = cost(doc, "fault_ns");
    if (!(f > AB_FAULT_EXPENSIVE_NS))
        return 0;
    snprintf(buf, len,
             "a page fault costs %.1f us on this machine, over %.0f us (bare metal: 0.1-0.5 us): "
             "memory the host backs lazily. Every fault-heavy cell is inflated here against the "
             "machines people deploy on; weigh its faults per 1000 ops at your own price",
             f / 1e3, AB_FAULT_EXPENSIVE_NS / 1e3);
    return 1;
}
