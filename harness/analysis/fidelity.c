/* fidelity.c: the replay's predicted time saved against the program's measured time saved
 * (fidelity.h has the definitions; docs/fidelity.md the fields of the result).
 */
#include "harness/analysis/fidelity.h"
#include "harness/analysis/stats.h"
#include "harness/common/error_message.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Per-round values of one metric of one cell: v[round - 1], NAN where the round failed. */
static void round_values(const json_t *runs, const char *alloc, const char *workload,
                         const char *metric, double *v, unsigned rounds)
{
    for (unsigned r = 0; r < rounds; r++)
        v[r] = NAN;
    size_t i;
    json_t *run;
    json_array_foreach(runs, i, run)
    {
        const char *a = json_string_value(json_object_get(run, "allocator"));
        const char *w = json_string_value(json_object_get(run, "workload"));
        const char *status = json_string_value(json_object_get(run, "status"));
        json_int_t round = json_integer_value(json_object_get(run, "round"));
        if (!a || !w || !status || strcmp(a, alloc) || strcmp(w, workload) ||
            strcmp(status, "ok") || round < 1 || round > (json_int_t)rounds ||
            json_is_true(json_object_get(run, "lowered")))
            continue;
        json_t *m = json_object_get(json_object_get(run, "metrics"), metric);
        if (json_is_number(m))
            v[round - 1] = json_number_value(m);
    }
}

static const json_t *workload_desc(const json_t *results, const char *name)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(results, "workloads"), i, w)
    {
        const char *n = json_string_value(json_object_get(w, "name"));
        if (n && !strcmp(n, name))
            return w;
    }
    return NULL;
}

/* {median, ci_lo, ci_hi, ci_coverage, n} of the finite values of v, or null when none. */
static json_t *stats_json(const double *v, unsigned n, double *median)
{
    double *ok = malloc((n ? n : 1) * sizeof *ok);
    size_t k = 0;
    for (unsigned i = 0; ok && i < n; i++)
        if (isfinite(v[i]))
            ok[k++] = v[i];
    ab_stats st;
    *median = NAN;
    if (!ok || k == 0 || ab_stats_compute(ok, k, &st) != 0) {
        free(ok);
        return json_null();
    }
    free(ok);
    *median = st.median;
    return json_pack("{s:f, s:f, s:f, s:f, s:I}", "median", st.median, "ci_lo", st.ci_lo, "ci_hi",
                     st.ci_hi, "ci_coverage", st.ci_coverage, "n", (json_int_t)st.n);
}

/* The program's figures under allocator `alloc`, round by round: its measured time (basis) and
 * the replay's time for all its traces (time metric, or its net form, x ops / 1e6: Mcycles
 * from cycles per op, ms from ns per op). */
typedef struct per_alloc {
    const char *name;
    double *measured, *replay, *replay_net;
    double pred_saved, meas_saved; /* medians against the baseline */
} per_alloc;

typedef struct units {
    const char *basis;      /* the program's metric: cpu_mcycles, wall_mcycles, cpu_ms, wall_ms */
    const char *replay;     /* the trace's: cycles_per_op or ns_per_op */
    const char *replay_net; /* its net form */
    const char *name;       /* "Mcycles" or "ms" */
} units;

/* A trace with under 1 % of the program's ops (a shell that execs the program records a few
 * dozen ops of its own) is not a process that matters: a replay too short to time (a cold
 * replay of a few dozen ops that the run-queue accounting swallows has no cycles) adds 0 to
 * the prediction instead of leaving the round without one. */
static int minor_trace(const double *ops, size_t n, size_t t)
{
    double total = 0;
    for (size_t k = 0; k < n; k++)
        total += ops[k];
    return ops[t] < 0.01 * total;
}

static void fill_alloc(const json_t *runs, const ab_fidelity_program *p, const double *ops,
                       const units *u, unsigned rounds, double *tmp, per_alloc *pa)
{
    round_values(runs, pa->name, p->name, u->basis, pa->measured, rounds);
    for (unsigned r = 0; r < rounds; r++)
        pa->replay[r] = pa->replay_net[r] = 0;
    for (size_t t = 0; t < p->ntraces; t++) {
        int minor = minor_trace(ops, p->ntraces, t);
        round_values(runs, pa->name, p->traces[t], u->replay, tmp, rounds);
        for (unsigned r = 0; r < rounds; r++)
            if (!(minor && !isfinite(tmp[r])))
                pa->replay[r] += tmp[r] * ops[t] / 1e6; /* NAN stays NAN */
        round_values(runs, pa->name, p->traces[t], u->replay_net, tmp, rounds);
        for (unsigned r = 0; r < rounds; r++)
            if (!(minor && !isfinite(tmp[r])))
                pa->replay_net[r] += tmp[r] * ops[t] / 1e6;
    }
}

/* 1 when some run of the cell has the metric */
static int cell_has(const json_t *runs, const char *alloc, const char *workload, const char *metric,
                    unsigned rounds, double *tmp)
{
    round_values(runs, alloc, workload, metric, tmp, rounds);
    for (unsigned r = 0; r < rounds; r++)
        if (isfinite(tmp[r]))
            return 1;
    return 0;
}

/* Cycles on both sides when the program's runs read the clock and the replay has cycles per op
 * (the host's clock then cancels out), else ms and ns. */
static units choose_units(const json_t *runs, const ab_fidelity_program *p, const double *ops,
                          const char *alloc, unsigned threads, unsigned rounds, double *tmp)
{
    units cyc = {threads > 1 ? "wall_mcycles" : "cpu_mcycles", "cycles_per_op", "cycles_per_op_net",
                 "Mcycles"};
    units ms = {threads > 1 ? "wall_ms" : "cpu_ms", "ns_per_op", "ns_per_op_net", "ms"};
    if (!cell_has(runs, alloc, p->name, cyc.basis, rounds, tmp))
        return ms;
    for (size_t t = 0; t < p->ntraces; t++)
        if (!minor_trace(ops, p->ntraces, t) &&
            !cell_has(runs, alloc, p->traces[t], cyc.replay, rounds, tmp))
            return ms;
    return cyc;
}

static int by_saved_desc_pred(const void *x, const void *y)
{
    const per_alloc *a = *(per_alloc *const *)x, *b = *(per_alloc *const *)y;
    return (a->pred_saved < b->pred_saved) - (a->pred_saved > b->pred_saved);
}
static int by_saved_desc_meas(const void *x, const void *y)
{
    const per_alloc *a = *(per_alloc *const *)x, *b = *(per_alloc *const *)y;
    return (a->meas_saved < b->meas_saved) - (a->meas_saved > b->meas_saved);
}

static json_t *ranking(per_alloc *pa, size_t n, int predicted, const char **order)
{
    per_alloc **v = malloc(n * sizeof *v);
    json_t *arr = json_array();
    if (!v)
        return arr;
    for (size_t i = 0; i < n; i++)
        v[i] = &pa[i];
    qsort(v, n, sizeof *v, predicted ? by_saved_desc_pred : by_saved_desc_meas);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, json_string(v[i]->name));
        order[i] = v[i]->name;
    }
    free(v);
    return arr;
}

/* The traces with at least 1 % of the program's ops (minor_trace). */
static size_t busy_traces(const double *ops, size_t n)
{
    size_t busy = 0;
    for (size_t t = 0; t < n; t++)
        busy += !minor_trace(ops, n, t);
    return busy;
}

static void add_reasons(json_t *reasons, double share, double slowdown, unsigned threads,
                        size_t processes, const json_t *versus, const char *unit)
{
    char buf[400];
    if (isfinite(share) && share < 0.5) {
        snprintf(buf, sizeof buf,
                 "not allocation-bound: the allocator's own time in the replay is %.0f %% of the "
                 "program's; the program's work between calls (not replayed) shares the caches "
                 "and branch predictors with the allocator",
                 share * 100);
        json_array_append_new(reasons, json_string(buf));
    }
    if (threads > 1) {
        snprintf(buf, sizeof buf,
                 "%u threads: the replay reproduces their number, order and the handoffs of "
                 "shared blocks, not the timing of each thread's own work, so contention differs",
                 threads);
        json_array_append_new(reasons, json_string(buf));
        if (isfinite(slowdown) && slowdown > 1) {
            snprintf(buf, sizeof buf,
                     "the threaded replay takes %.1f times the program's time: its threads run "
                     "their calls back to back and wait for each other at every cross-thread "
                     "handoff, and with more threads than cores a wait can last a time slice",
                     slowdown);
            json_array_append_new(reasons, json_string(buf));
        }
    }
    if (processes > 1) {
        snprintf(buf, sizeof buf,
                 "%zu processes allocate: each trace is replayed in a fresh process of its own, "
                 "while the program also pays each one's loading and start-up",
                 processes);
        json_array_append_new(reasons, json_string(buf));
    }
    size_t i;
    json_t *v;
    json_array_foreach(versus, i, v)
    {
        json_t *m = json_object_get(v, "measured_saved");
        double lo = json_number_value(json_object_get(m, "ci_lo"));
        double hi = json_number_value(json_object_get(m, "ci_hi"));
        if (json_is_object(m) && lo <= 0 && hi >= 0) {
            snprintf(buf, sizeof buf,
                     "%s: the measured difference is within the noise (interval %.1f to %.1f %s "
                     "includes 0)",
                     json_string_value(json_object_get(v, "allocator")), lo, hi, unit);
            json_array_append_new(reasons, json_string(buf));
        }
    }
    json_array_append_new(reasons,
                          json_string("never replayed: the CPU time the program spends between "
                                      "calls and the cache footprint of its own work"));
}

static json_t *one_program(const json_t *results, const ab_fidelity_program *p, const char **allocs,
                           size_t nalloc, unsigned rounds, double tol, char *err, size_t errlen)
{
    const json_t *runs = json_object_get(results, "runs");
    double *ops = calloc(p->ntraces ? p->ntraces : 1, sizeof *ops);
    unsigned threads = 1;
    if (!ops)
        return ab_fail(err, errlen, "out of memory"), NULL;
    for (size_t t = 0; t < p->ntraces; t++) {
        const json_t *w = workload_desc(results, p->traces[t]);
        if (!w) {
            free(ops);
            ab_fail(err, errlen, "program '%s': its trace '%s' is not a workload of the run",
                    p->name, p->traces[t]);
            return NULL;
        }
        ops[t] = (double)json_integer_value(json_object_get(w, "ops"));
        json_int_t th = json_integer_value(json_object_get(w, "threads"));
        if (th > (json_int_t)threads)
            threads = (unsigned)th;
    }
    per_alloc *pa = calloc(nalloc, sizeof *pa);
    double *store = calloc((size_t)rounds * (3 * nalloc + 3), sizeof *store);
    const char **order_p = calloc(nalloc, sizeof *order_p),
               **order_m = calloc(nalloc, sizeof *order_m);
    json_t *out = NULL;
    if (!pa || !store || !order_p || !order_m) {
        ab_fail(err, errlen, "out of memory");
        goto done;
    }
    double *tmp = store, *pred = store + rounds, *meas = store + 2 * (size_t)rounds;
    units u = choose_units(runs, p, ops, allocs[0], threads, rounds, tmp);
    for (size_t i = 0; i < nalloc; i++) {
        pa[i].name = allocs[i];
        pa[i].measured = store + (3 + 3 * i) * (size_t)rounds;
        pa[i].replay = pa[i].measured + rounds;
        pa[i].replay_net = pa[i].replay + rounds;
        fill_alloc(runs, p, ops, &u, rounds, tmp, &pa[i]);
    }

    per_alloc *A = &pa[0];
    double base_ms, replay_ms, share;
    json_t *base_j = stats_json(A->measured, rounds, &base_ms);
    json_t *replay_j = stats_json(A->replay, rounds, &replay_ms);
    for (unsigned r = 0; r < rounds; r++)
        tmp[r] = A->replay_net[r] / A->measured[r];
    json_decref(stats_json(tmp, rounds, &share));
    if (!json_is_object(base_j)) {
        json_decref(base_j);
        json_decref(replay_j);
        ab_fail(err, errlen, "program '%s': no successful run under %s", p->name, A->name);
        goto done;
    }

    json_t *versus = json_array(), *traces = json_array();
    for (size_t t = 0; t < p->ntraces; t++)
        json_array_append_new(traces, json_string(p->traces[t]));
    size_t agree = 0;
    for (size_t i = 1; i < nalloc; i++) {
        per_alloc *B = &pa[i];
        for (unsigned r = 0; r < rounds; r++) {
            pred[r] = A->replay[r] - B->replay[r];
            meas[r] = A->measured[r] - B->measured[r];
        }
        json_t *pj = stats_json(pred, rounds, &B->pred_saved);
        json_t *mj = stats_json(meas, rounds, &B->meas_saved);
        int agrees = isfinite(B->pred_saved) && isfinite(B->meas_saved) &&
                     fabs(B->pred_saved - B->meas_saved) <= tol * fabs(B->meas_saved);
        agree += (size_t)agrees;
        double ratio = B->meas_saved != 0 ? B->pred_saved / B->meas_saved : NAN;
        /* Near zero a relative tolerance means nothing: a prediction inside the measurement's own
         * interval is "within noise", told apart from an agreement and from a disagreement. */
        double lo = json_number_value(json_object_get(mj, "ci_lo"));
        double hi = json_number_value(json_object_get(mj, "ci_hi"));
        const char *verdict = agrees ? "agrees"
                              : json_is_object(mj) && B->pred_saved >= lo && B->pred_saved <= hi
                                  ? "within noise"
                                  : "differs";
        json_array_append_new(versus,
                              json_pack("{s:s, s:o, s:o, s:o, s:b, s:s}", "allocator", B->name,
                                        "predicted_saved", pj, "measured_saved", mj, "ratio",
                                        isfinite(ratio) ? json_real(ratio) : json_null(), "agrees",
                                        agrees, "verdict", verdict));
    }
    A->pred_saved = A->meas_saved = 0;
    json_t *rank_p = ranking(pa, nalloc, 1, order_p), *rank_m = ranking(pa, nalloc, 0, order_m);
    int same = 1;
    for (size_t i = 0; i < nalloc; i++)
        same &= !strcmp(order_p[i], order_m[i]);
    json_t *reasons = json_array();
    if (agree + 1 < nalloc || !same)
        add_reasons(reasons, share, replay_ms / base_ms, threads, busy_traces(ops, p->ntraces),
                    versus, u.name);
    out = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b, "
                    "s:o}",
                    "program", p->name, "command", p->command ? p->command : "", "basis", u.basis,
                    "unit", u.name, "traces", traces, "threads", (json_int_t)threads, "processes",
                    (json_int_t)p->ntraces, "baseline", A->name, "baseline_time", base_j,
                    "replay_time", replay_j, "allocator_share",
                    isfinite(share) ? json_real(share) : json_null(), "versus", versus,
                    "ranking_predicted", rank_p, "ranking_measured", rank_m, "same_ranking", same,
                    "reasons", reasons);
    double total_ops = 0;
    for (size_t t = 0; t < p->ntraces; t++)
        total_ops += ops[t];
    json_object_set_new(out, "ops", json_integer((json_int_t)total_ops));
    json_object_set_new(out, "agreeing", json_integer((json_int_t)agree));
done:
    free(ops);
    free(pa);
    free(store);
    free(order_p);
    free(order_m);
    return out;
}

/* The allocators with a program cell of this program, in the run's order. */
static size_t program_allocs(const json_t *results, const char *program, const char **out,
                             size_t cap)
{
    size_t n = 0, i;
    json_t *a;
    json_array_foreach(json_object_get(json_object_get(results, "config"), "allocators"), i, a)
    {
        const char *name = json_string_value(a);
        size_t j;
        json_t *c;
        json_array_foreach(json_object_get(results, "cells"), j, c)
        {
            const char *ca = json_string_value(json_object_get(c, "allocator"));
            const char *cw = json_string_value(json_object_get(c, "workload"));
            if (name && ca && cw && !strcmp(ca, name) && !strcmp(cw, program) &&
                json_integer_value(json_object_get(c, "n_ok")) > 0 && n < cap) {
                out[n++] = name;
                break;
            }
        }
    }
    return n;
}

json_t *ab_fidelity_compute(const json_t *results, const ab_fidelity_program *progs, size_t n,
                            double tolerance, char *err, size_t errlen)
{
    json_int_t rounds =
        json_integer_value(json_object_get(json_object_get(results, "config"), "repetitions"));
    if (rounds < 1 || rounds > 100000) {
        ab_fail(err, errlen, "results.json has no config.repetitions");
        return NULL;
    }
    json_t *programs = json_array();
    size_t pairs = 0, agreeing = 0, same = 0;
    for (size_t i = 0; i < n; i++) {
        const char *allocs[64];
        size_t na = program_allocs(results, progs[i].name, allocs, 64);
        if (na < 2) {
            json_decref(programs);
            ab_fail(err, errlen,
                    "program '%s': %zu allocator(s) ran it successfully, the comparison needs two",
                    progs[i].name, na);
            return NULL;
        }
        json_t *p =
            one_program(results, &progs[i], allocs, na, (unsigned)rounds, tolerance, err, errlen);
        if (!p) {
            json_decref(programs);
            return NULL;
        }
        pairs += na - 1;
        agreeing += (size_t)json_integer_value(json_object_get(p, "agreeing"));
        same += json_is_true(json_object_get(p, "same_ranking"));
        json_array_append_new(programs, p);
    }
    return json_pack("{s:f, s:I, s:I, s:I, s:o}", "tolerance", tolerance, "pairs",
                     (json_int_t)pairs, "agreeing", (json_int_t)agreeing, "same_ranking",
                     (json_int_t)same, "programs", programs);
}
