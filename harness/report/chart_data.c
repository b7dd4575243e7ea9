/* chart_data.c: the data files behind each chart kind (see chart_data.h and plots/).
 *
 * Each chart_* function below reads what its chart shows from the results document, writes
 * one whitespace-separated data file (gnuplot's own format: '#' comments, blocks separated by
 * two blank lines and addressed with `index`) and appends a job. Cell medians are used where a
 * chart shows a number per cell, the ok runs where it shows a distribution or a time series.
 * Data files go through ab_atomic_open/commit, so a reader never sees half a file.
 */
#include "harness/report/chart_data.h"
#include "harness/common/error_message.h"
#include "harness/common/atomic_file.h"
#include "harness/report/results_view.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024.0 * 1024.0)

/* A data file being written: an in-memory stream committed atomically. */
typedef struct datafile {
    FILE *f;
    char *buf;
    size_t len;
} datafile;

static int data_open(datafile *d, char *err, size_t errlen)
{
    *d = (datafile){0};
    if (!(d->f = open_memstream(&d->buf, &d->len))) {
        ab_fail(err, errlen, "out of memory writing chart data");
        return -1;
    }
    return 0;
}

static int data_commit(datafile *d, const char *dir, const char *name, char *err, size_t errlen)
{
    char path[4096];
    int rc = -1;
    if (fclose(d->f)) {
        ab_fail(err, errlen, "out of memory writing chart data %s", name);
    } else {
        ab_atomic_file af;
        snprintf(path, sizeof path, "%s/%s.dat", dir, name);
        if (ab_atomic_open(&af, path, err, errlen) == 0) {
            if (fwrite(d->buf, 1, d->len, af.f) == d->len)
                rc = ab_atomic_commit(&af, err, errlen);
            else
                ab_atomic_abort(&af), ab_fail(err, errlen, "cannot write %s", path);
        }
    }
    free(d->buf);
    *d = (datafile){0};
    return rc;
}

/* Names go into file names and gnuplot word lists: keep [A-Za-z0-9_.-] only. */
static void safe_name(char *dst, size_t len, const char *src)
{
    size_t i = 0;
    for (; *src && i + 1 < len; src++)
        dst[i++] = (isalnum((unsigned char)*src) || strchr("_.-", *src)) ? *src : '_';
    dst[i] = '\0';
}

static ab_chart_job *job_add(ab_chart_list *list, const char *script, const char *kind,
                             const char *suffix)
{
    ab_chart_job *jobs = realloc(list->jobs, (list->n + 1) * sizeof *jobs);
    if (!jobs)
        return NULL;
    list->jobs = jobs;
    ab_chart_job *j = &jobs[list->n++];
    memset(j, 0, sizeof *j);
    snprintf(j->script, sizeof j->script, "%s", script);
    char safe[128];
    safe_name(safe, sizeof safe, suffix ? suffix : "");
    snprintf(j->name, sizeof j->name, "%s%s%s", kind, suffix ? "-" : "", safe);
    return j;
}

static void job_arg(ab_chart_job *j, const char *fmt, ...)
{
    if (j->nargs >= AB_CHART_MAX_ARGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->args[j->nargs++], sizeof j->args[0], fmt, ap);
    va_end(ap);
}

/* The space-separated allocator list of the columns actually written (use[i] != 0). */
static void allocs_join(const ab_names *al, const int *use, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < al->n; i++) {
        if (!use[i])
            continue;
        char safe[128];
        safe_name(safe, sizeof safe, al->v[i]);
        off += snprintf(buf + off, off < len ? len - off : 0, "%s%s", off ? " " : "", safe);
    }
}

/* The y scale a set of values calls for, as the scripts' yscale() in plots/style.gp reads it:
 * "log" when all are positive and span more than a factor 30; "zero" (linear from 0) when none
 * is negative, or the most negative is under 1 % of the largest (a net count a hair below 0);
 * "free" (linear, autoscaled) when some are negative beyond that; "unit" ([0:1]) when there is
 * nothing to scale (no value, or all 0), so that gnuplot never sees an empty range. */
static const char *scale_for(const double *v, size_t n)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i]))
            continue;
        lo = fmin(lo, v[i]);
        hi = fmax(hi, v[i]);
    }
    if (isinf(lo) || (lo == 0 && hi == 0))
        return "unit";
    if (lo < 0 && -lo >= 0.01 * hi) /* a count net of a floor may be a hair below 0: noise */
        return "free";
    if (lo <= 0)
        return "zero";
    return lo > 0 && hi / lo > 30 ? "log" : "zero";
}

/* A panel's argument for the multi-panel scripts: its scale, then the 1-based positions (among
 * the used allocators) of the allocators that have a value in it, e.g. "zero 1 2 4": the script
 * draws only those, so no column of the data file is all-missing (a gnuplot warning). Element
 * (row, allocator a) of the panel is base[row * row_stride + a * alloc_stride]. */
static void job_panel_arg(ab_chart_job *j, const double *base, size_t nrows, size_t row_stride,
                          size_t alloc_stride, const int *use, size_t na)
{
    char arg[256];
    double *vals = malloc((nrows * na + 1) * sizeof *vals);
    size_t nv = 0, off = 0, pos = 0;
    for (size_t a = 0; a < na; a++)
        for (size_t r = 0; use[a] && r < nrows; r++)
            if (vals)
                vals[nv++] = base[r * row_stride + a * alloc_stride];
    off = snprintf(arg, sizeof arg, "%s", vals ? scale_for(vals, nv) : "free");
    free(vals);
    for (size_t a = 0; a < na; a++) {
        if (!use[a])
            continue;
        pos++;
        int present = 0;
        for (size_t r = 0; r < nrows; r++)
            present |= !isnan(base[r * row_stride + a * alloc_stride]);
        if (present && off < sizeof arg)
            off += snprintf(arg + off, sizeof arg - off, " %zu", pos);
    }
    job_arg(j, "%s", arg);
}

static void put_num(FILE *f, double v)
{
    if (isnan(v))
        fputs(" NaN", f);
    else
        fprintf(f, " %.6g", v);
}

/* ---- latency percentiles: per workload, p50/p99/p99.9 of alloc, grouped per allocator ---- */

/* The y scale of the percentile chart: "log BOTTOM" when the positive values span more than a
 * factor 30, else scale_for's. A net percentile of 0 or below (one under the replay floor, always
 * unresolved) says nothing about the span: it must not flatten a chart whose p99.9 is 10,000
 * times its p50 onto a linear axis. On the log axis such a value is drawn at BOTTOM, the decade
 * at or below both the smallest positive value and one step of the clock (below / 3), so it
 * stays inside the shaded unresolved band. */
static void percentile_scale(const double *v, size_t n, double below, char *buf, size_t len)
{
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] > 0) {
            lo = fmin(lo, v[i]);
            hi = fmax(hi, v[i]);
        }
    if (isinf(lo) || hi / lo <= 30) {
        snprintf(buf, len, "%s", scale_for(v, n));
        return;
    }
    double bottom = below > 0 ? fmin(lo, below / 3) : lo;
    snprintf(buf, len, "log %.6g", pow(10, floor(log10(bottom))));
}

static int chart_percentiles(const json_t *res, const ab_names *al, const char *wl, const char *dir,
                             ab_chart_list *out, char *err, size_t errlen)
{
    static const char *metrics[] = {"alloc_p50", "alloc_p99", "alloc_p999"};
    static const char *labels[] = {"p50", "p99", "p99.9"};
    size_t na = al->n, used = 0;
    double *v = calloc(3 * na + 1, sizeof *v);
    int *use = calloc(na + 1, sizeof *use);
    int rc = -1;
    if (!v || !use)
        goto done;
    for (size_t a = 0; a < na; a++) {
        use[a] = 1;
        for (size_t m = 0; m < 3; m++)
            if (ab_rv_median(res, al->v[a], wl, metrics[m], &v[m * na + a]))
                use[a] = 0;
        used += use[a];
        if (!use[a])
            for (size_t m = 0; m < 3; m++)
                v[m * na + a] = NAN;
    }
    rc = 0;
    if (!used)
        goto done;
    datafile d;
    if ((rc = data_open(&d, err, errlen)))
        goto done;
    fprintf(d.f, "# alloc latency percentiles, ns net, cell medians; workload %s\n", wl);
    for (size_t m = 0; m < 3; m++) {
        fputs(labels[m], d.f);
        for (size_t a = 0; a < na; a++)
            if (use[a])
                put_num(d.f, v[m * na + a]);
        fputc('\n', d.f);
    }
    ab_chart_job *j = job_add(out, "latency_percentiles.gp", "latency_percentiles", wl);
    if (!j || data_commit(&d, dir, j->name, err, errlen)) {
        rc = -1;
        goto done;
    }
    /* ARG9: under this many ns a percentile is unresolved (3 steps of the timer); 0: unknown */
    double below =
        json_number_value(json_object_get(json_object_get(res, "context"), "unresolved_below_ns"));
    char scale[64];
    percentile_scale(v, 3 * na, below, scale, sizeof scale);
    int log_axis = !strncmp(scale, "log", 3);
    snprintf(j->title, sizeof j->title, "%s: allocation latency percentiles", wl);
    allocs_join(al, use, j->allocs, sizeof j->allocs);
    job_arg(j, "%s", scale);
    job_arg(j, "ns per alloc, net of replay floor (median of reps%s)",
            log_axis ? "; log scale" : "");
    job_arg(j, "%.6g", below > 0 ? below : 0.0);
    snprintf(j->caption, sizeof j->caption,
             "Workload %s: p50, p99 and p99.9 of the time of one allocation, net of the replay "
             "floor; each bar is the median over the repetitions. Lower is better. A bar inside "
             "the shaded band (under 3 steps of the timer) is unresolved: it says \"a few "
             "steps\", not its height.%s",
             wl,
             log_axis ? " The axis is logarithmic (the values span more than 30 times); a "
                        "percentile of 0 or below, net of the floor, is drawn at its bottom."
                      : "");
done:
    free(v);
    free(use);
    return rc;
}

/* ---- latency CDF: per workload and op kind, one line per allocator, from the histograms ---- */

static int chart_cdf(const json_t *res, const ab_names *al, const char *wl, const char *op,
                     const char *dir, ab_chart_list *out, char *err, size_t errlen)
{
    int *use = calloc(al->n + 1, sizeof *use);
    datafile d;
    if (!use || data_open(&d, err, errlen)) {
        free(use);
        return -1;
    }
    size_t used = 0;
    double below_one = 0;
    fprintf(d.f,
            "# CDF of %s latency, ns raw (timer cost removed, replay floor included); "
            "workload %s; one block per allocator\n",
            op, wl);
    for (size_t a = 0; a < al->n; a++) {
        size_t nb = 0;
        ab_rv_bucket *b = ab_rv_merged_histogram(res, al->v[a], wl, op, &nb);
        double total = 0, cum = 0;
        for (size_t i = 0; i < nb; i++)
            total += b[i].count;
        if (total > 0) {
            use[a] = 1;
            fprintf(d.f, "%s# %s\n", used++ ? "\n\n" : "", al->v[a]);
            for (size_t i = 0; i < nb; i++) {
                cum += b[i].count;
                /* log x: buckets at or below 1 ns are drawn at 1 ns (counted, as in the CDF) */
                if (b[i].upper <= 1) {
                    below_one += b[i].count;
                    if (i + 1 < nb && b[i + 1].upper <= 1)
                        continue;
                }
                fprintf(d.f, "%.6g %.8g\n", fmax(b[i].upper, 1), cum / total);
            }
        }
        free(b);
    }
    int rc = 0;
    if (!used) {
        fclose(d.f);
        free(d.buf);
        free(use);
        return 0;
    }
    char kind[64];
    snprintf(kind, sizeof kind, "%s-%s", wl, op);
    ab_chart_job *j = job_add(out, "latency_cdf.gp", "latency_cdf", kind);
    if (!j || data_commit(&d, dir, j->name, err, errlen)) {
        free(use);
        return -1;
    }
    snprintf(j->title, sizeof j->title, "%s: %s latency distribution (CDF)", wl, op);
    allocs_join(al, use, j->allocs, sizeof j->allocs);
    job_arg(j, "ns per %s, raw: replay floor included (log scale%s)", op,
            below_one > 0 ? "; values <= 1 ns drawn at 1" : "");
    snprintf(j->caption, sizeof j->caption,
             "Workload %s: fraction of %s operations that took at most x ns, from the per-op "
             "histograms of all repetitions merged. Times are raw: the timer's own cost is "
             "removed but the replay floor is not, unlike the percentile bars. A line further "
             "left is faster; the top of the curve is the tail.%s",
             wl, op, below_one > 0 ? " Operations at or under 1 ns are drawn at 1 ns." : "");
    free(use);
    return rc;
}

/* ---- footprint over time: per workload, L, F and allocator-active per allocator ---- */

static int chart_footprint(const json_t *res, const ab_names *al, const char *wl, const char *dir,
                           ab_chart_list *out, char *err, size_t errlen)
{
    int *use = calloc(al->n + 1, sizeof *use);
    datafile d;
    if (!use || data_open(&d, err, errlen)) {
        free(use);
        return -1;
    }
    size_t used = 0;
    double ymax = 0;
    char has_active[512] = ""; /* "1 0 ...": per block, whether allocator_active has a value */
    fprintf(d.f,
            "# footprint over time, MiB; workload %s; one block per allocator\n"
            "# op L(live requested) F(resident) allocator_active\n",
            wl);
    for (size_t a = 0; a < al->n; a++) {
        size_t pos = 0, i;
        const json_t *run, *row;
        while ((run = ab_rv_next_ok_run(res, al->v[a], wl, &pos)))
            if (json_array_size(json_object_get(run, "timeseries")) > 1)
                break;
        if (!run)
            continue;
        use[a] = 1;
        fprintf(d.f, "%s# %s rep %d\n", used++ ? "\n\n" : "", al->v[a],
                (int)json_integer_value(json_object_get(run, "rep")));
        int active_seen = 0;
        json_array_foreach(json_object_get(run, "timeseries"), i, row)
        {
            double v[5];
            for (size_t k = 0; k < 5; k++) { /* allocator_active may be null: NaN, a gap */
                const json_t *x = json_array_get(row, k);
                v[k] = json_is_number(x) ? json_number_value(x) : NAN;
            }
            if (isnan(v[0]) || isnan(v[1]) || isnan(v[2]))
                continue;
            fprintf(d.f, "%.10g", v[0]);
            put_num(d.f, v[1] / MIB);
            put_num(d.f, v[2] / MIB);
            put_num(d.f, v[4] / MIB);
            fputc('\n', d.f);
            ymax = fmax(ymax, fmax(v[1], fmax(v[2], isnan(v[4]) ? 0 : v[4])) / MIB);
            active_seen |= !isnan(v[4]);
        }
        size_t hl = strlen(has_active);
        snprintf(has_active + hl, sizeof has_active - hl, "%s%d", hl ? " " : "", active_seen);
    }
    if (!used) {
        fclose(d.f);
        free(d.buf);
        free(use);
        return 0;
    }
    ab_chart_job *j = job_add(out, "footprint.gp", "footprint", wl);
    if (!j || data_commit(&d, dir, j->name, err, errlen)) {
        free(use);
        return -1;
    }
    snprintf(j->title, sizeof j->title, "%s: memory over time (first ok repetition)", wl);
    allocs_join(al, use, j->allocs, sizeof j->allocs);
    job_arg(j, "%.6g", ymax > 0 ? ymax * 1.15 : 1);
    job_arg(j, "%s", has_active);
    snprintf(j->caption, sizeof j->caption,
             "Workload %s, one panel per allocator, same scale: L is what the trace holds live "
             "(identical in every panel), F the resident memory of the process above its "
             "baseline, allocator-active what the allocator reports in use. The gap between F "
             "and L is fragmentation and overhead; the dots mark the peaks.",
             wl);
    free(use);
    return 0;
}

/* ---- cell-median tables: rows = workloads, columns = allocators ---- */

typedef struct panel {
    const char *metric;
    double scale; /* divide by */
} panel;

/* Writes one block per panel (rows workloads, columns allocators, NaN where missing) and
 * returns in use[] the allocators with any value, and the values (v[(p * nw + w) * na + a],
 * malloc'ed, NULL when out of memory). */
/* The statistics of a bar's whisker: min-max of the repetitions, or the interval of the median. */
static const char *const range_minmax[2] = {"min", "max"};
static const char *const range_ci[2] = {"ci_lo", "ci_hi"};

static double *write_cell_blocks(const json_t *res, const ab_names *al, const ab_names *wls,
                                 const panel *panels, size_t np, const char *const *range, FILE *f,
                                 int *use)
{
    size_t na = al->n, nw = wls->n;
    double *v = malloc((np * nw * na + 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t p = 0; p < np; p++)
        for (size_t w = 0; w < nw; w++)
            for (size_t a = 0; a < na; a++) {
                double *x = &v[(p * nw + w) * na + a];
                if (ab_rv_median(res, al->v[a], wls->v[w], panels[p].metric, x))
                    *x = NAN;
                else
                    *x /= panels[p].scale, use[a] = 1;
            }
    for (size_t p = 0; p < np; p++) {
        fprintf(f, "%s# %s (cell medians)%s%s%s%s\n", p ? "\n\n" : "", panels[p].metric,
                range ? "; median " : "", range ? range[0] : "", range ? " " : "",
                range ? range[1] : "");
        for (size_t w = 0; w < nw; w++) {
            char safe[128];
            safe_name(safe, sizeof safe, wls->v[w]);
            fputs(safe, f);
            for (size_t a = 0; a < na; a++)
                if (use[a]) {
                    const json_t *cell = ab_rv_cell(res, al->v[a], wls->v[w]);
                    double x = v[(p * nw + w) * na + a], lo = NAN, hi = NAN;
                    put_num(f, x);
                    if (range) { /* median lo hi columns */
                        if (!ab_rv_cell_stat(cell, panels[p].metric, range[0], &lo))
                            lo /= panels[p].scale;
                        if (!ab_rv_cell_stat(cell, panels[p].metric, range[1], &hi))
                            hi /= panels[p].scale;
                        put_num(f, isnan(x) ? NAN : lo);
                        put_num(f, isnan(x) ? NAN : hi);
                    }
                }
            fputc('\n', f);
        }
    }
    return v;
}

static int chart_cells(const json_t *res, const ab_names *al, const ab_names *wls, const char *dir,
                       const char *script, const char *kind, const panel *panels, size_t np,
                       const char *const *range, ab_chart_list *out, ab_chart_job **job, char *err,
                       size_t errlen)
{
    int *use = calloc(al->n + 1, sizeof *use);
    datafile d;
    *job = NULL;
    if (!use || data_open(&d, err, errlen)) {
        free(use);
        return -1;
    }
    double *v = write_cell_blocks(res, al, wls, panels, np, range, d.f, use);
    size_t used = 0, na = al->n, nw = wls->n;
    for (size_t a = 0; a < na; a++)
        used += use[a];
    if (!v || !used) {
        fclose(d.f);
        free(d.buf);
        free(use);
        free(v);
        return v ? 0 : -1;
    }
    ab_chart_job *j = job_add(out, script, kind, NULL);
    if (!j || data_commit(&d, dir, j->name, err, errlen)) {
        free(use);
        free(v);
        return -1;
    }
    allocs_join(al, use, j->allocs, sizeof j->allocs);
    for (size_t p = 0; p < np; p++)
        job_panel_arg(j, &v[p * nw * na], nw, na, 1, use, na);
    free(use);
    free(v);
    *job = j;
    return 0;
}

static int chart_fragmentation(const json_t *res, const ab_names *al, const ab_names *wls,
                               const char *dir, ab_chart_list *out, char *err, size_t errlen)
{
    static const panel panels[] = {{"frag_peak", 1}, {"frag_avg", 1}, {"retained", MIB}};
    ab_chart_job *j;
    if (chart_cells(res, al, wls, dir, "fragmentation.gp", "fragmentation", panels, 3, NULL, out,
                    &j, err, errlen))
        return -1;
    if (j) {
        snprintf(j->title, sizeof j->title, "Fragmentation per workload (cell medians)");
        snprintf(j->caption, sizeof j->caption,
                 "frag_peak = max F / max L - 1 and frag_avg = (integral of F) / (integral of "
                 "L) - 1: 0 means the process held exactly what the trace had live; retained "
                 "is the resident memory left after everything was freed. Lower is better.");
    }
    return 0;
}

/* What each allocator asked of the kernel: faults and system calls per 1000 ops, and the
 * kernel's share of its CPU time (runner counters, harness/measure/counters.h). */
static int chart_kernel(const json_t *res, const ab_names *al, const ab_names *wls, const char *dir,
                        ab_chart_list *out, char *err, size_t errlen)
{
    static const panel panels[] = {
        {"faults_per_kop", 1}, {"syscalls_per_kop", 1}, {"sys_share", 0.01}};
    ab_chart_job *j;
    if (chart_cells(res, al, wls, dir, "kernel.gp", "kernel", panels, 3, NULL, out, &j, err,
                    errlen))
        return -1;
    if (j) {
        snprintf(j->title, sizeof j->title,
                 "What each allocator asked of the kernel (cell medians)");
        snprintf(j->caption, sizeof j->caption,
                 "Page faults (memory touched for the first time, or again after the allocator "
                 "gave it back with madvise or munmap) and system calls per 1000 replayed ops, "
                 "net of the replay floor, and the share of the allocator's CPU time spent in "
                 "the kernel. What a fault costs on this machine is in the context "
                 "(machine_costs). Lower is better.");
    }
    return 0;
}

static int chart_throughput(const json_t *res, const ab_names *al, const ab_names *wls,
                            const char *dir, ab_chart_list *out, char *err, size_t errlen)
{
    static const panel panels[] = {{"mops", 1}};
    ab_chart_job *j;
    if (chart_cells(res, al, wls, dir, "throughput.gp", "throughput", panels, 1, range_minmax, out,
                    &j, err, errlen))
        return -1;
    if (j) {
        double reps = 0;
        ab_rv_num(json_object_get(res, "config"), "repetitions", &reps);
        snprintf(j->title, sizeof j->title, "Throughput per workload");
        /* throughput bars are read against 0: linear from 0 (or [0:1] when all are 0) */
        if (strncmp(j->args[0], "unit", 4)) {
            const char *cols = strchr(j->args[0], ' ');
            char rest[sizeof j->args[0]];
            snprintf(rest, sizeof rest, "%s", cols ? cols : "");
            snprintf(j->args[0], sizeof j->args[0], "zero%.250s", rest);
        }
        job_arg(j, "Mops/s, median of %g repetitions (bars: min-max)", reps);
        snprintf(j->caption, sizeof j->caption,
                 "Millions of replayed operations per second, timed in batches (the replay "
                 "floor included); the bar is the median over the repetitions, the whisker "
                 "spans the slowest and fastest repetition. Higher is better.");
    }
    return 0;
}

/* Whole programs (run --program): CPU time and peak RSS per program, with the interval of the
 * median as the whisker. */
static int chart_programs(const json_t *res, const ab_names *al, const ab_names *progs,
                          const char *dir, ab_chart_list *out, char *err, size_t errlen)
{
    /* CPU time in cycles: the host moves the clock, and the cells of one chart ran at
     * different clocks (docs/running.md) */
    static const panel panels[] = {{"cpu_mcycles", 1}, {"peak_rss", MIB}};
    ab_chart_job *j;
    if (!progs->n)
        return 0;
    if (chart_cells(res, al, progs, dir, "programs.gp", "programs", panels, 2, range_ci, out, &j,
                    err, errlen))
        return -1;
    if (j) {
        snprintf(j->title, sizeof j->title, "Whole programs: CPU time and peak RSS");
        snprintf(j->caption, sizeof j->caption,
                 "Each program run under each allocator (run --program): left, its CPU time "
                 "in millions of core cycles (user + system from wait4's rusage, the shell and "
                 "every process it waited for included, times the core's clock read in its "
                 "processes); right, its peak resident memory (ru_maxrss). The bar is the "
                 "median over the repetitions, the whisker the interval of the median. Lower is "
                 "better.");
    }
    return 0;
}

/* ---- scaling: Mops/s against threads, one panel per generator (run --threads 1,2) ---- */

#define MAX_FAMILIES 8
#define MAX_COUNTS 16

/* The generated workloads of the run, grouped by generator: fam[f] is a generator name and
 * wl[f][k] the workload generated with threads[f][k] threads (ascending). */
typedef struct scaling_set {
    const char *fam[MAX_FAMILIES];
    const char *wl[MAX_FAMILIES][MAX_COUNTS];
    int threads[MAX_FAMILIES][MAX_COUNTS];
    size_t nfam, n[MAX_FAMILIES];
} scaling_set;

static void scaling_collect(const json_t *res, scaling_set *ss)
{
    memset(ss, 0, sizeof *ss);
    size_t i;
    const json_t *w;
    json_array_foreach(json_object_get(res, "workloads"), i, w)
    {
        const char *gen = ab_rv_str(w, "generator"), *name = ab_rv_str(w, "name");
        double th;
        if (!*gen || !*name || ab_rv_num(w, "threads", &th) || th < 1)
            continue;
        size_t f = 0;
        while (f < ss->nfam && strcmp(ss->fam[f], gen))
            f++;
        if (f == ss->nfam) {
            if (ss->nfam == MAX_FAMILIES)
                continue;
            ss->fam[ss->nfam++] = gen;
        }
        if (ss->n[f] == MAX_COUNTS)
            continue;
        size_t k = ss->n[f]++; /* insertion by thread count */
        while (k > 0 && ss->threads[f][k - 1] > (int)th) {
            ss->threads[f][k] = ss->threads[f][k - 1];
            ss->wl[f][k] = ss->wl[f][k - 1];
            k--;
        }
        ss->threads[f][k] = (int)th;
        ss->wl[f][k] = name;
    }
    /* only generators measured at two thread counts or more show a scaling */
    size_t kept = 0;
    for (size_t f = 0; f < ss->nfam; f++)
        if (ss->n[f] >= 2) {
            ss->fam[kept] = ss->fam[f];
            ss->n[kept] = ss->n[f];
            memcpy(ss->wl[kept], ss->wl[f], sizeof ss->wl[f]);
            memcpy(ss->threads[kept], ss->threads[f], sizeof ss->threads[f]);
            kept++;
        }
    ss->nfam = kept;
}

static int chart_scaling(const json_t *res, const ab_names *al, const char *dir, ab_chart_list *out,
                         char *err, size_t errlen)
{
    scaling_set ss;
    scaling_collect(res, &ss);
    if (!ss.nfam)
        return 0;
    size_t na = al->n;
    int *use = calloc(na + 1, sizeof *use);
    double *v = malloc((MAX_FAMILIES * MAX_COUNTS * na + 1) * sizeof *v);
    datafile d;
    if (!use || !v || data_open(&d, err, errlen)) {
        free(use);
        free(v);
        return -1;
    }
    size_t nv = 0;
    for (size_t f = 0; f < ss.nfam; f++)
        for (size_t k = 0; k < ss.n[f]; k++)
            for (size_t a = 0; a < na; a++) {
                double *x = &v[(f * MAX_COUNTS + k) * na + a];
                if (ab_rv_median(res, al->v[a], ss.wl[f][k], "mops_wall", x))
                    *x = NAN;
                else
                    use[a] = 1, nv++;
            }
    char fams[512] = "";
    size_t off = 0;
    for (size_t f = 0; f < ss.nfam; f++) {
        char safe[128];
        safe_name(safe, sizeof safe, ss.fam[f]);
        off += snprintf(fams + off, off < sizeof fams ? sizeof fams - off : 0, "%s%s", f ? " " : "",
                        safe);
        fprintf(d.f, "%s# %s: threads, then Mops/s (wall, cell medians) per allocator\n",
                f ? "\n\n" : "", safe);
        for (size_t k = 0; k < ss.n[f]; k++) {
            fprintf(d.f, "%d", ss.threads[f][k]);
            for (size_t a = 0; a < na; a++)
                if (use[a])
                    put_num(d.f, v[(f * MAX_COUNTS + k) * na + a]);
            fputc('\n', d.f);
        }
    }
    free(v);
    ab_chart_job *j = nv ? job_add(out, "scaling.gp", "scaling", NULL) : NULL;
    if (!nv) {
        fclose(d.f);
        free(d.buf);
        free(use);
        return 0;
    }
    if (!j || data_commit(&d, dir, j->name, err, errlen)) {
        free(use);
        return -1;
    }
    allocs_join(al, use, j->allocs, sizeof j->allocs);
    free(use);
    double reps = 0;
    ab_rv_num(json_object_get(res, "config"), "repetitions", &reps);
    snprintf(j->title, sizeof j->title, "Scaling with threads (Mops/s, all threads together)");
    job_arg(j, "%s", fams);
    job_arg(j, "Mops/s, median of %g repetitions", reps);
    snprintf(j->caption, sizeof j->caption,
             "One panel per workload generator, the same work replayed with 1, 2, ... threads: "
             "millions of operations per second of all threads together, from the fastest whole "
             "replay (wall time, the replay floor and the handoffs of remote frees included). "
             "A flat line does not scale; on a machine with fewer free cores than threads, none "
             "can. Higher is better.");
    return 0;
}

/* ---- alignment overhead: per alignment class, bytes per requested byte and alloc p50 ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define MAX_CLASSES 32

/* Medians over the ok runs of one cell, per class: footprint/requested and alloc_p50. */
static int align_cell(const json_t *res, const char *alloc, const char *wl, const double *classes,
                      size_t nc, double *ratio, double *p50)
{
    int any = 0;
    for (size_t c = 0; c < nc; c++) {
        double r[256], l[256];
        size_t nr = 0, nl = 0, pos = 0, i;
        const json_t *run, *cl;
        while ((run = ab_rv_next_ok_run(res, alloc, wl, &pos)))
            json_array_foreach(json_object_get(run, "align_classes"), i, cl)
            {
                double al, req, fp, lat;
                if (ab_rv_num(cl, "align", &al) || al != classes[c])
                    continue;
                if (nr < 256 && !ab_rv_num(cl, "requested_bytes", &req) && req > 0 &&
                    !ab_rv_num(cl, "footprint_bytes", &fp))
                    r[nr++] = fp / req;
                if (nl < 256 && !ab_rv_num(cl, "alloc_p50", &lat))
                    l[nl++] = lat;
            }
        ratio[c] = ab_rv_median_of(r, nr);
        p50[c] = ab_rv_median_of(l, nl);
        any |= nr || nl;
    }
    return any;
}

static int chart_alignment(const json_t *res, const ab_names *al, const char *wl, const char *dir,
                           ab_chart_list *out, char *err, size_t errlen)
{
    double classes[MAX_CLASSES];
    size_t nc = 0, na = al->n, used = 0;
    for (size_t a = 0; a < na; a++) {
        size_t pos = 0, i;
        const json_t *run, *cl;
        while ((run = ab_rv_next_ok_run(res, al->v[a], wl, &pos)))
            json_array_foreach(json_object_get(run, "align_classes"), i, cl)
            {
                double x;
                size_t k = 0;
                if (ab_rv_num(cl, "align", &x))
                    continue;
                while (k < nc && classes[k] != x)
                    k++;
                if (k == nc && nc < MAX_CLASSES)
                    classes[nc++] = x;
            }
    }
    if (!nc)
        return 0;
    qsort(classes, nc, sizeof classes[0], cmp_double);
    double *ratio = malloc((na * nc + 1) * sizeof *ratio);
    double *p50 = malloc((na * nc + 1) * sizeof *p50);
    int *use = calloc(na + 1, sizeof *use);
    datafile d = {0};
    int rc = -1;
    if (!ratio || !p50 || !use || data_open(&d, err, errlen))
        goto done;
    for (size_t a = 0; a < na; a++) {
        use[a] = align_cell(res, al->v[a], wl, classes, nc, &ratio[a * nc], &p50[a * nc]);
        used += use[a];
    }
    rc = 0;
    if (!used) {
        fclose(d.f);
        free(d.buf);
        goto done;
    }
    const char *titles[2] = {"bytes of footprint per requested byte", "alloc p50, ns net"};
    double *blocks[2] = {ratio, p50};
    for (int b = 0; b < 2; b++) {
        fprintf(d.f, "%s# %s; rows: alignment class; columns: allocators\n", b ? "\n\n" : "",
                titles[b]);
        for (size_t c = 0; c < nc; c++) {
            fprintf(d.f, "%.0f", classes[c]);
            for (size_t a = 0; a < na; a++)
                if (use[a])
                    put_num(d.f, blocks[b][a * nc + c]);
            fputc('\n', d.f);
        }
    }
    ab_chart_job *j = job_add(out, "align_overhead.gp", "align_overhead", wl);
    if (!j || data_commit(&d, dir, j->name, err, errlen)) {
        rc = -1;
        goto done;
    }
    snprintf(j->title, sizeof j->title, "%s: cost of alignment per alignment class", wl);
    allocs_join(al, use, j->allocs, sizeof j->allocs);
    job_panel_arg(j, ratio, nc, 1, nc, use, na);
    job_panel_arg(j, p50, nc, 1, nc, use, na);
    snprintf(j->caption, sizeof j->caption,
             "Workload %s, per requested alignment: left, the bytes the allocator really takes "
             "(size class, header, alignment padding) per byte asked for, 1 being no "
             "overhead; right, the median time of one allocation of that class, net of the "
             "replay floor. Medians over the repetitions.",
             wl);
done:
    free(ratio);
    free(p50);
    free(use);
    return rc;
}

/* ---- the whole run ---- */

void ab_chart_corner(const json_t *res, char *buf, size_t len)
{
    const json_t *ctx = json_object_get(res, "context");
    const char *cpu = ab_rv_str(ctx, "cpu_model"), *date = ab_rv_str(ctx, "date");
    snprintf(buf, len, "%s | %s | run %s", *cpu ? cpu : "unknown CPU", *date ? date : "no date",
             ab_rv_str(res, "run_id"));
}

void ab_chart_list_free(ab_chart_list *list)
{
    free(list->jobs);
    *list = (ab_chart_list){0};
}

/* Op kinds that have a histogram in any ok run of the workload (alloc first). */
static int histogram_kinds(const json_t *res, const ab_names *al, const char *wl, ab_names *ops)
{
    *ops = (ab_names){0};
    static const char *order[] = {"alloc", "free", "realloc", "reset"};
    ab_names found = {0};
    for (size_t a = 0; a < al->n; a++) {
        size_t pos = 0;
        const json_t *run, *h;
        const char *key;
        while ((run = ab_rv_next_ok_run(res, al->v[a], wl, &pos)))
            json_object_foreach((json_t *)json_object_get(run, "histograms"), key, h)
            {
                if (json_array_size(h) && ab_names_add(&found, key))
                    goto oom;
            }
    }
    for (size_t k = 0; k < 4; k++)
        for (size_t i = 0; i < found.n; i++)
            if (!strcmp(found.v[i], order[k]) && ab_names_add(ops, order[k]))
                goto oom;
    for (size_t i = 0; i < found.n; i++)
        if (ab_names_add(ops, found.v[i]))
            goto oom;
    ab_names_free(&found);
    return 0;
oom:
    ab_names_free(&found);
    ab_names_free(ops);
    return -1;
}

/* Jobs [from, list->n) leave out the allocators that were not applicable to workload `wl` (NULL:
 * to any workload; programs: 1 for the programs' chart, 0 for the traces'): their titles say
 * which, and their captions why, so a missing bar reads as
 * "not applicable", not as "not measured". */
static void note_not_applicable(const json_t *res, const char *wl, int programs,
                                ab_chart_list *list, size_t from)
{
    char who[200] = "";
    const char *why = NULL;
    size_t i, off = 0;
    const json_t *na;
    json_array_foreach(json_object_get(json_object_get(res, "config"), "not_applicable"), i, na)
    {
        const char *a = json_string_value(json_object_get(na, "allocator"));
        const char *w = json_string_value(json_object_get(na, "workload"));
        if (!a || !w || (wl && strcmp(w, wl) != 0) || ab_rv_is_program(res, w) != programs)
            continue;
        int k = wl ? snprintf(who + off, sizeof who - off, "%s%s", off ? ", " : "", a)
                   : snprintf(who + off, sizeof who - off, "%s%s on %s", off ? ", " : "", a, w);
        off = k > 0 && off + (size_t)k < sizeof who ? off + (size_t)k : off;
        why = json_string_value(json_object_get(na, "why"));
    }
    if (!off)
        return;
    for (size_t j = from; j < list->n; j++) {
        ab_chart_job *job = &list->jobs[j];
        size_t t = strlen(job->title), c = strlen(job->caption);
        snprintf(job->title + t, sizeof job->title - t, "\nnot applicable: %s", who);
        snprintf(job->caption + c, sizeof job->caption - c, " Not applicable: %s: %s.", who,
                 why ? why : "see the report");
    }
}

int ab_chart_data_write(const json_t *res, const char *dir, ab_chart_list *out, char *err,
                        size_t errlen)
{
    ab_names al = {0}, all = {0}, wls = {0}, progs = {0};
    *out = (ab_chart_list){0};
    int rc = -1;
    if (ab_rv_allocators(res, &al) || ab_rv_workloads(res, &all)) {
        ab_fail(err, errlen, "out of memory reading results");
        goto done;
    }
    /* Traces' charts over the traces, the programs' chart over the programs. */
    for (size_t w = 0; w < all.n; w++)
        if (ab_names_add(ab_rv_is_program(res, all.v[w]) ? &progs : &wls, all.v[w]))
            goto done;
    if (chart_throughput(res, &al, &wls, dir, out, err, errlen) ||
        chart_scaling(res, &al, dir, out, err, errlen) ||
        chart_fragmentation(res, &al, &wls, dir, out, err, errlen) ||
        chart_kernel(res, &al, &wls, dir, out, err, errlen))
        goto done;
    note_not_applicable(res, NULL, 0, out, 0);
    size_t first_program = out->n;
    if (chart_programs(res, &al, &progs, dir, out, err, errlen))
        goto done;
    note_not_applicable(res, NULL, 1, out, first_program);
    for (size_t w = 0; w < wls.n; w++) {
        size_t first = out->n;
        ab_names ops;
        if (chart_percentiles(res, &al, wls.v[w], dir, out, err, errlen) ||
            histogram_kinds(res, &al, wls.v[w], &ops))
            goto done;
        for (size_t o = 0; o < ops.n; o++)
            if (chart_cdf(res, &al, wls.v[w], ops.v[o], dir, out, err, errlen)) {
                ab_names_free(&ops);
                goto done;
            }
        ab_names_free(&ops);
        if (chart_footprint(res, &al, wls.v[w], dir, out, err, errlen) ||
            chart_alignment(res, &al, wls.v[w], dir, out, err, errlen))
            goto done;
        note_not_applicable(res, wls.v[w], 0, out, first);
    }
    rc = 0;
done:
    if (rc && !*err)
        ab_fail(err, errlen, "out of memory writing chart data");
    if (rc)
        ab_chart_list_free(out);
    ab_names_free(&al);
    ab_names_free(&all);
    ab_names_free(&wls);
    ab_names_free(&progs);
    return rc;
}

/* ---- comparison of two runs: median time per op and frag_peak per common cell ---- */

/* The time metric both runs have: cycles per op (it does not move when the host changes the
 * core's clock between the runs), else ns per op (results from before cycles existed). */
static const char *compare_time_metric(const json_t *base, const json_t *new_run,
                                       const ab_names *al, const ab_names *wls)
{
    for (size_t w = 0; w < wls->n; w++)
        for (size_t a = 0; a < al->n; a++) {
            double x, y;
            if (!ab_rv_median(base, al->v[a], wls->v[w], "cycles_per_op", &x) &&
                !ab_rv_median(new_run, al->v[a], wls->v[w], "cycles_per_op", &y))
                return "cycles_per_op";
        }
    return "ns_per_op";
}

int ab_chart_data_write_compare(const json_t *base, const json_t *new_run, const char *dir,
                                ab_chart_list *out, char *err, size_t errlen)
{
    ab_names al = {0}, wls = {0};
    datafile d = {0};
    size_t rows = 0;
    int rc = -1;
    *out = (ab_chart_list){0};
    err[0] = '\0';
    if (ab_rv_allocators(new_run, &al) || ab_rv_workloads(new_run, &wls) ||
        data_open(&d, err, errlen))
        goto done;
    const char *time = compare_time_metric(base, new_run, &al, &wls);
    fprintf(d.f,
            "# base: run %s; new: run %s; cell medians\n"
            "# cell (allocator/workload) allocator base_%s new_%s base_frag_peak new_frag_peak\n",
            ab_rv_str(base, "run_id"), ab_rv_str(new_run, "run_id"), time, time);
    for (size_t w = 0; w < wls.n; w++)
        for (size_t a = 0; a < al.n; a++) {
            double v[4];
            if (ab_rv_median(base, al.v[a], wls.v[w], time, &v[0]) ||
                ab_rv_median(new_run, al.v[a], wls.v[w], time, &v[1]))
                continue;
            if (ab_rv_median(base, al.v[a], wls.v[w], "frag_peak", &v[2]) ||
                ab_rv_median(new_run, al.v[a], wls.v[w], "frag_peak", &v[3]))
                v[2] = v[3] = NAN;
            char sw[128], sa[128];
            safe_name(sw, sizeof sw, wls.v[w]);
            safe_name(sa, sizeof sa, al.v[a]);
            fprintf(d.f, "%s/%s %s", sa, sw, sa); /* the cell as compare names it */
            for (int k = 0; k < 4; k++)
                put_num(d.f, v[k]);
            fputc('\n', d.f);
            rows++;
        }
    if (!rows) {
        ab_fail(err, errlen, "runs %s and %s have no (allocator, workload) cell in common",
                ab_rv_str(base, "run_id"), ab_rv_str(new_run, "run_id"));
        fclose(d.f);
        free(d.buf);
        goto done;
    }
    ab_chart_job *j = job_add(out, "compare.gp", "compare", NULL);
    if (!j || data_commit(&d, dir, j->name, err, errlen))
        goto done;
    snprintf(j->title, sizeof j->title, "Run %s (new) against run %s (base)",
             ab_rv_str(new_run, "run_id"), ab_rv_str(base, "run_id"));
    int *use = calloc(al.n + 1, sizeof *use);
    if (use) {
        for (size_t a = 0; a < al.n; a++)
            use[a] = 1;
        allocs_join(&al, use, j->allocs, sizeof j->allocs);
        free(use);
    }
    job_arg(j, "base %s", ab_rv_str(base, "run_id"));
    job_arg(j, "new %s", ab_rv_str(new_run, "run_id"));
    job_arg(j, "%s", strcmp(time, "cycles_per_op") ? "ns" : "cycles"); /* ARG9: the time's unit */
    snprintf(j->caption, sizeof j->caption,
             "Per cell (allocator/workload): hatched bar the base run, solid bar the new run, "
             "with the change in percent above; cell medians.");
    rc = 0;
done:
    if (rc && !*err)
        ab_fail(err, errlen, "out of memory writing comparison data");
    if (rc)
        ab_chart_list_free(out);
    ab_names_free(&al);
    ab_names_free(&wls);
    return rc;
}

/* ---- a fleet: several runs side by side, one chart per workload ---- */

/* ns_per_op_net when every cell of wl in every run has a positive one, else ns_per_op. */
static const char *fleet_time_metric(const json_t *const *runs, size_t n, const ab_names *al,
                                     const char *wl)
{
    for (size_t r = 0; r < n; r++)
        for (size_t a = 0; a < al->n; a++) {
            double v;
            if (!ab_rv_median(runs[r], al->v[a], wl, "ns_per_op", &v) &&
                (ab_rv_median(runs[r], al->v[a], wl, "ns_per_op_net", &v) || v <= 0))
                return "ns_per_op";
        }
    return "ns_per_op_net";
}

int ab_chart_data_write_fleet(const json_t *const *runs, const char *const *labels, size_t n,
                              const char *dir, ab_chart_list *out, char *err, size_t errlen)
{
    ab_names al = {0}, wls = {0};
    int rc = -1;
    *out = (ab_chart_list){0};
    err[0] = '\0';
    for (size_t r = 0; r < n; r++) {
        ab_names ra = {0}, rw = {0};
        int bad = ab_rv_allocators(runs[r], &ra) || ab_rv_workloads(runs[r], &rw);
        for (size_t i = 0; !bad && i < ra.n; i++)
            bad = ab_names_add(&al, ra.v[i]);
        for (size_t i = 0; !bad && i < rw.n; i++)
            bad = ab_names_add(&wls, rw.v[i]);
        ab_names_free(&ra);
        ab_names_free(&rw);
        if (bad)
            goto done;
    }
    for (size_t w = 0; w < wls.n; w++) {
        const char *time = fleet_time_metric(runs, n, &al, wls.v[w]);
        const char *metrics[3] = {time, "mops", "frag_peak"};
        datafile d;
        size_t found = 0;
        if (data_open(&d, err, errlen))
            goto done;
        fprintf(d.f, "# workload %s: one row per run; %s, mops, frag_peak per allocator\n",
                wls.v[w], time);
        for (size_t r = 0; r < n; r++) {
            fputc('"', d.f);
            for (const char *c = labels[r]; *c; c++) /* a label is one quoted gnuplot column */
                fputc(*c == '"' || *c == '\n' ? '\'' : *c, d.f);
            fputc('"', d.f);
            for (size_t m = 0; m < 3; m++)
                for (size_t a = 0; a < al.n; a++) {
                    double v;
                    int miss = ab_rv_median(runs[r], al.v[a], wls.v[w], metrics[m], &v);
                    found += !miss;
                    put_num(d.f, miss ? NAN : v);
                }
            fputc('\n', d.f);
        }
        if (!found) { /* no run has this workload's cells (all not applicable) */
            fclose(d.f);
            free(d.buf);
            continue;
        }
        ab_chart_job *j = job_add(out, "fleet.gp", "fleet", wls.v[w]);
        if (!j || data_commit(&d, dir, j->name, err, errlen))
            goto done;
        snprintf(j->title, sizeof j->title, "Workload %s across %zu runs", wls.v[w], n);
        int *use = calloc(al.n + 1, sizeof *use);
        if (!use)
            goto done;
        for (size_t a = 0; a < al.n; a++)
            use[a] = 1;
        allocs_join(&al, use, j->allocs, sizeof j->allocs);
        free(use);
        job_arg(j, "%s", time); /* ARG7: the time metric's key, ns_per_op or ns_per_op_net */
        snprintf(j->caption, sizeof j->caption,
                 "One group of bars per run (labelled by its run id and the context that "
                 "differs), one bar per allocator in its colour; top: median %s, middle: median "
                 "Mops/s, bottom: median frag_peak. Cell medians of each run.",
                 time);
    }
    if (!out->n) {
        ab_fail(err, errlen, "the runs have no cell with a value to chart");
        goto done;
    }
    rc = 0;
done:
    if (rc && !*err)
        ab_fail(err, errlen, "out of memory writing the fleet chart data");
    if (rc)
        ab_chart_list_free(out);
    ab_names_free(&al);
    ab_names_free(&wls);
    return rc;
}
