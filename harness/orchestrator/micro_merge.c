/* micro_merge.c: one Google Benchmark document from the children of `alignbench micro` (see
 * micro_merge.h). Aggregates over rounds follow Google Benchmark's own: mean, median, sample
 * standard deviation and coefficient of variation of real_time, cpu_time and every counter,
 * over the repetitions that did not fail. */
#include "harness/orchestrator/micro_merge.h"
#include "harness/orchestrator/gbench_json_read.h"
#include "harness/common/error_message.h"

#include "harness/analysis/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *ab_micro_merged_new(void)
{
    return json_pack("{s:{}, s:[]}", "context", "benchmarks");
}

int ab_micro_merge_child(json_t *merged, const char *path, const ab_micro_round *r,
                         long long *families, char *err, size_t errlen)
{
    json_t *doc = ab_gbench_json_load(path, err, errlen);
    if (!doc)
        return -1;
    json_t *ctx = json_object_get(doc, "context");
    json_t *benches = json_object_get(doc, "benchmarks");
    if (!json_is_object(ctx) || !json_is_array(benches)) {
        json_decref(doc);
        return ab_fail(err, errlen, "%.400s: not Google Benchmark JSON (no context or benchmarks)",
                       path);
    }
    json_t *mctx = json_object_get(merged, "context");
    const char *key;
    json_t *v;
    json_object_foreach(ctx, key, v)
    {
        if (!json_object_get(mctx, key))
            json_object_set(mctx, key, v);
    }
    json_t *all = json_object_get(merged, "benchmarks");
    json_int_t max_family = -1;
    size_t i;
    json_t *b;
    json_array_foreach(benches, i, b)
    {
        const char *run_type = json_string_value(json_object_get(b, "run_type"));
        int aggregate = run_type && !strcmp(run_type, "aggregate");
        if (aggregate && r->rounds > 1)
            continue; /* recomputed over every round by ab_micro_merge_finish */
        json_t *fam = json_object_get(b, "family_index");
        if (json_is_integer(fam)) {
            json_int_t f = json_integer_value(fam);
            if (f > max_family)
                max_family = f;
            json_object_set_new(b, "family_index", json_integer(f + r->family_base));
        }
        if (r->rounds > 1) {
            json_t *idx = json_object_get(b, "repetition_index");
            json_int_t k = json_is_integer(idx) ? json_integer_value(idx) : 0;
            json_object_set_new(b, "repetition_index",
                                json_integer((json_int_t)r->round * r->reps + k));
            json_object_set_new(b, "repetitions", json_integer((json_int_t)r->rounds * r->reps));
        }
        json_array_append(all, b);
    }
    *families = max_family + 1;
    json_decref(doc);
    return 0;
}

/* Fields that describe the entry rather than measure it. */
static int is_structural(const char *key)
{
    static const char *const keys[] = {"family_index", "per_family_instance_index",
                                       "repetitions",  "repetition_index",
                                       "threads",      "iterations"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(key, keys[i]))
            return 1;
    return 0;
}

enum { AGG_MEAN, AGG_MEDIAN, AGG_STDDEV, AGG_CV, AGG_COUNT };
static const char *const agg_names[AGG_COUNT] = {"mean", "median", "stddev", "cv"};

static double statistic(int which, const double *v, size_t n)
{
    double mean = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        mean += v[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - mean) * (v[i] - mean);
    double sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    switch (which) {
    case AGG_MEAN:
        return mean;
    case AGG_MEDIAN:
        return ab_median(v, n);
    case AGG_STDDEV:
        return sd;
    default:
        return mean != 0 ? sd / mean : 0;
    }
}

/* The aggregates of one benchmark's ok repetitions (reps[0..n)), appended to out. */
static int add_aggregates(json_t *out, json_t *const *reps, size_t n)
{
    double *v = malloc(n * sizeof *v);
    if (!v)
        return -1;
    for (int a = 0; a < AGG_COUNT; a++) {
        json_t *agg = json_deep_copy(reps[0]);
        const char *run_name = json_string_value(json_object_get(agg, "run_name"));
        char name[1024];
        snprintf(name, sizeof name, "%s_%s", run_name ? run_name : "?", agg_names[a]);
        json_object_set_new(agg, "name", json_string(name));
        json_object_set_new(agg, "run_type", json_string("aggregate"));
        json_object_del(agg, "repetition_index");
        json_object_set_new(agg, "aggregate_name", json_string(agg_names[a]));
        json_object_set_new(agg, "aggregate_unit",
                            json_string(a == AGG_CV ? "percentage" : "time"));
        json_object_set_new(agg, "iterations", json_integer((json_int_t)n));
        const char *key;
        json_t *val;
        void *tmp;
        json_object_foreach_safe(agg, tmp, key, val)
        {
            if (!json_is_number(val) || is_structural(key))
                continue;
            for (size_t i = 0; i < n; i++)
                v[i] = json_number_value(json_object_get(reps[i], key));
            json_object_set_new(agg, key, json_real(statistic(a, v, n)));
        }
        json_array_append_new(out, agg);
    }
    free(v);
    return 0;
}

int ab_micro_merge_finish(json_t *merged, int rounds)
{
    if (rounds <= 1)
        return 0;
    json_t *all = json_object_get(merged, "benchmarks");
    size_t n = json_array_size(all);
    json_t *out = json_array();
    char *done = calloc(n ? n : 1, 1);
    json_t **ok = calloc(n ? n : 1, sizeof *ok);
    if (!out || !done || !ok) {
        json_decref(out);
        free(done);
        free(ok);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (done[i])
            continue;
        const char *name = json_string_value(json_object_get(json_array_get(all, i), "run_name"));
        size_t nok = 0;
        for (size_t j = i; j < n; j++) {
            json_t *b = json_array_get(all, j);
            const char *nj = json_string_value(json_object_get(b, "run_name"));
            if (done[j] || !name || !nj || strcmp(name, nj))
                continue;
            done[j] = 1;
            json_array_append(out, b);
            if (!json_is_true(json_object_get(b, "error_occurred")))
                ok[nok++] = b;
        }
        if (!name) {
            done[i] = 1;
            json_array_append(out, json_array_get(all, i));
        } else if (nok > 0) {
            rc = add_aggregates(out, ok, nok);
        }
    }
    free(done);
    free(ok);
    if (rc == 0)
        json_object_set(merged, "benchmarks", out);
    json_decref(out);
    return rc;
}
