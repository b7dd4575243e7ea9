/* check_micro_json.c: checks a file written by `alignbench micro` against what it must be.
 *
 *   check_micro_json FILE REPS NAME...
 *
 * Valid JSON with one Google Benchmark `context` (holding the allocator versions and the
 * machine context alignbench adds) and one `benchmarks` array whose iteration entries are
 * exactly the NAMEs given, REPS repetitions each (repetition_index 0..REPS-1 once each, the
 * repetitions field REPS, also when they come from several rounds), with positive times and
 * iterations, the
 * per-op percentile counters (where the benchmark has them) in order, median aggregates, and a
 * family_index of its own per benchmark after the merge.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
static void fail(const char *what, const char *name)
{
    fprintf(stderr, "FAIL %s%s%s\n", what, name ? ": " : "", name ? name : "");
    failures++;
}

static double num(const json_t *b, const char *k)
{
    json_t *v = json_object_get(b, k);
    return json_is_number(v) ? json_number_value(v) : -1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: check_micro_json FILE REPS NAME...\n");
        return 2;
    }
    int reps = atoi(argv[2]);
    json_error_t jerr;
    json_t *doc = json_load_file(argv[1], 0, &jerr);
    if (!doc) {
        fprintf(stderr, "FAIL %s: line %d column %d: %s\n", argv[1], jerr.line, jerr.column,
                jerr.text);
        return 1;
    }
    json_t *ctx = json_object_get(doc, "context"), *benches = json_object_get(doc, "benchmarks");
    if (!json_is_object(ctx) || !json_is_array(benches)) {
        fail("no context object or benchmarks array", NULL);
        return 1;
    }
    const char *need_ctx[] = {"alignbench_allocator_version:malloc", "alignbench_cpu_model",
                              "alignbench_micro_allocators", "host_name", "date"};
    for (size_t i = 0; i < sizeof need_ctx / sizeof need_ctx[0]; i++) {
        const char *v = json_string_value(json_object_get(ctx, need_ctx[i]));
        if (!v || !*v)
            fail("context lacks", need_ctx[i]);
    }

    int nnames = argc - 3;
    int *seen = calloc((size_t)nnames, sizeof *seen);
    long *family = calloc((size_t)nnames, sizeof *family);
    int *medians = calloc((size_t)nnames, sizeof *medians);
    double *times = calloc((size_t)nnames * 64, sizeof *times); /* real_time per repetition */
    double *median_time = calloc((size_t)nnames, sizeof *median_time);
    unsigned long *rep_seen = calloc((size_t)nnames, sizeof *rep_seen); /* bit per index */
    for (int k = 0; k < nnames; k++)
        family[k] = -1;
    size_t i;
    json_t *b;
    json_array_foreach(benches, i, b)
    {
        const char *run_name = json_string_value(json_object_get(b, "run_name"));
        const char *run_type = json_string_value(json_object_get(b, "run_type"));
        int k = 0;
        while (run_name && k < nnames && strcmp(argv[3 + k], run_name))
            k++;
        if (!run_name || k == nnames) {
            fail("unexpected entry", run_name ? run_name : "(no run_name)");
            continue;
        }
        long fam = (long)num(b, "family_index");
        if (family[k] == -1)
            family[k] = fam;
        else if (family[k] != fam)
            fail("family_index changes within one benchmark", run_name);
        if (run_type && !strcmp(run_type, "aggregate")) {
            const char *agg = json_string_value(json_object_get(b, "aggregate_name"));
            if (agg && !strcmp(agg, "median")) {
                medians[k]++;
                median_time[k] = num(b, "real_time");
            }
            continue;
        }
        seen[k]++;
        long idx = (long)num(b, "repetition_index");
        if (idx < 0 || idx >= reps || idx >= 64 || (rep_seen[k] & (1ul << idx)))
            fail("repetition_index missing, out of range or repeated", run_name);
        else
            rep_seen[k] |= 1ul << idx;
        if (idx >= 0 && idx < 64)
            times[k * 64 + idx] = num(b, "real_time");
        if ((long)num(b, "repetitions") != reps)
            fail("repetitions field differs from the repetitions present", run_name);
        if (json_is_true(json_object_get(b, "error_occurred")))
            fail("benchmark reported an error", run_name);
        if (!(num(b, "real_time") > 0) || !(num(b, "cpu_time") > 0) ||
            !(num(b, "iterations") > 0) || !json_is_string(json_object_get(b, "time_unit")))
            fail("missing or non-positive real_time, cpu_time, iterations or time_unit", run_name);
        if (strncmp(run_name, "realloc_grow/", 13) != 0) {
            double p50 = num(b, "alloc_p50"), p99 = num(b, "alloc_p99");
            if (p50 < 0 || p99 < p50)
                fail("alloc_p50/alloc_p99 counters missing or out of order", run_name);
        }
    }
    for (int k = 0; k < nnames; k++) {
        if (seen[k] != reps) {
            fprintf(stderr, "FAIL %s: %d repetitions, expected %d\n", argv[3 + k], seen[k], reps);
            failures++;
        }
        if (reps > 1 && medians[k] != 1)
            fail("no median aggregate", argv[3 + k]);
        if (reps > 1 && reps <= 64 && seen[k] == reps) {
            /* The median aggregate is the median of the repetitions (sorted here). */
            double *t = &times[k * 64];
            for (int a = 1; a < reps; a++)
                for (int c = a; c > 0 && t[c - 1] > t[c]; c--) {
                    double x = t[c];
                    t[c] = t[c - 1];
                    t[c - 1] = x;
                }
            double m = reps % 2 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2;
            if (fabs(median_time[k] - m) > 1e-9 * fabs(m))
                fail("median aggregate is not the median of the repetitions", argv[3 + k]);
        }
        for (int j = 0; j < k; j++)
            if (family[j] == family[k])
                fail("family_index shared with another benchmark", argv[3 + k]);
    }
    free(seen);
    free(family);
    free(medians);
    free(rep_seen);
    free(times);
    free(median_time);
    json_decref(doc);
    if (!failures)
        printf("ok   %s: %d benchmarks x %d repetitions, context and counters as expected\n",
               argv[1], nnames, reps);
    return failures ? 1 : 0;
}
