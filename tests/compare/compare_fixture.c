/* compare_fixture.c: writes results files with controlled values for the compare tests.
 *
 *   compare_fixture OUT [--gbench] [--reps R] [--seed S] [--host NAME] [--truncate]
 *                   [--cell CELL@KEY=MEDIAN:NOISE_PCT]... [--fail CELL@REP]...
 *   compare_fixture --expect JSON_FILE VERDICT=COUNT...
 *
 * CELL is ALLOCATOR/WORKLOAD (results.json of `run`) or a benchmark name (--gbench: Google
 * Benchmark JSON as `micro` writes it). KEY is the raw field: a runs[].metrics name such as
 * ns_per_op_net, or a gbench field such as real_time. Each repetition's value is
 * MEDIAN * (1 + NOISE_PCT/100 * u), u uniform in [-1, 1] from a generator seeded with S, so a
 * test states the true change and noise and nothing else. A cell given ns_per_op and
 * floor_ns_per_op but no ns_per_op_net gets ns_per_op_net = ns_per_op - floor_ns_per_op in each
 * repetition, as the runner writes it. --fail marks one repetition crashed
 * (or errored, for gbench). --truncate writes only the first half of the text. --expect checks
 * the summary counts of a `compare --json` file (exit 0 when they all match).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SPECS 32

typedef struct cell_spec {
    char cell[128], key[64];
    double median, noise_pct;
} cell_spec;

static uint64_t rng;
static double next_u(void) /* uniform in [-1, 1] */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

static int expect(int argc, char **argv)
{
    json_error_t jerr;
    json_t *doc = json_load_file(argv[2], 0, &jerr);
    if (!doc) {
        fprintf(stderr, "compare_fixture: %s: line %d: %s\n", argv[2], jerr.line, jerr.text);
        return 1;
    }
    json_t *summary = json_object_get(doc, "summary");
    int bad = 0;
    for (int i = 3; i < argc; i++) {
        char name[64];
        long want;
        if (sscanf(argv[i], "%63[^=]=%ld", name, &want) != 2) {
            fprintf(stderr, "compare_fixture: bad expectation '%s'\n", argv[i]);
            return 2;
        }
        json_t *got = json_object_get(summary, name);
        if (!json_is_integer(got) || json_integer_value(got) != want) {
            fprintf(stderr, "compare_fixture: summary.%s = %lld, expected %ld\n", name,
                    got ? (long long)json_integer_value(got) : -1LL, want);
            bad = 1;
        }
    }
    json_decref(doc);
    return bad;
}

static int find_cell(char cells[][128], int n, const char *c)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(cells[i], c))
            return i;
    return -1;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--expect"))
        return expect(argc, argv);
    if (argc < 2) {
        fprintf(stderr, "usage: compare_fixture OUT [options] (see the header comment)\n");
        return 2;
    }
    const char *out = argv[1], *host = "ci-host";
    int gbench = 0, reps = 5, truncate = 0, nspecs = 0, nfails = 0;
    cell_spec specs[MAX_SPECS];
    struct {
        char cell[128];
        int rep;
    } fails[MAX_SPECS];
    rng = 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(a, "--gbench")) {
            gbench = 1;
        } else if (!strcmp(a, "--truncate")) {
            truncate = 1;
        } else if (!strcmp(a, "--reps")) {
            reps = atoi(v), i++;
        } else if (!strcmp(a, "--seed")) {
            rng = strtoull(v, NULL, 0) * 0x9e3779b97f4a7c15ull + 1, i++;
        } else if (!strcmp(a, "--host")) {
            host = v, i++;
        } else if (!strcmp(a, "--cell") && nspecs < MAX_SPECS) {
            cell_spec *s = &specs[nspecs++];
            if (sscanf(v, "%127[^@]@%63[^=]=%lf:%lf", s->cell, s->key, &s->median, &s->noise_pct) !=
                4) {
                fprintf(stderr, "compare_fixture: bad --cell '%s'\n", v);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--fail") && nfails < MAX_SPECS) {
            if (sscanf(v, "%127[^@]@%d", fails[nfails].cell, &fails[nfails].rep) != 2) {
                fprintf(stderr, "compare_fixture: bad --fail '%s'\n", v);
                return 2;
            }
            nfails++, i++;
        } else {
            fprintf(stderr, "compare_fixture: unknown option '%s'\n", a);
            return 2;
        }
    }

    /* Distinct cells in the order first named. */
    char cells[MAX_SPECS][128];
    int ncells = 0;
    for (int s = 0; s < nspecs; s++)
        if (find_cell(cells, ncells, specs[s].cell) < 0)
            memcpy(cells[ncells++], specs[s].cell, sizeof cells[0]);

    json_t *entries = json_array();
    for (int c = 0; c < ncells; c++)
        for (int r = 0; r < reps; r++) {
            int failed = 0;
            for (int f = 0; f < nfails; f++)
                failed |= !strcmp(fails[f].cell, cells[c]) && fails[f].rep == r;
            json_t *vals = json_object();
            for (int s = 0; s < nspecs; s++)
                if (!strcmp(specs[s].cell, cells[c]))
                    json_object_set_new(
                        vals, specs[s].key,
                        json_real(specs[s].median * (1 + specs[s].noise_pct / 100 * next_u())));
            json_t *raw = json_object_get(vals, "ns_per_op");
            json_t *floor_ns = json_object_get(vals, "floor_ns_per_op");
            if (raw && floor_ns && !json_object_get(vals, "ns_per_op_net"))
                json_object_set_new(
                    vals, "ns_per_op_net",
                    json_real(json_number_value(raw) - json_number_value(floor_ns)));
            json_t *e;
            if (gbench) {
                e = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:s}", "name", cells[c], "run_name",
                              cells[c], "run_type", "iteration", "repetitions", reps,
                              "repetition_index", r, "iterations", 1000, "time_unit", "ns");
                json_object_update(e, vals);
                if (failed) {
                    json_object_set_new(e, "error_occurred", json_true());
                    json_object_set_new(e, "error_message", json_string("alloc returned NULL"));
                }
            } else {
                char alloc[128];
                memcpy(alloc, cells[c], sizeof alloc);
                char *slash = strchr(alloc, '/');
                const char *workload = slash ? slash + 1 : "w";
                if (slash)
                    *slash = 0;
                e = json_pack("{s:s, s:s, s:i, s:i, s:s}", "allocator", alloc, "workload", workload,
                              "rep", r, "round", r, "status", failed ? "crashed" : "ok");
                if (failed) {
                    json_object_set_new(e, "signal", json_integer(11));
                    json_object_set_new(e, "error", json_string("signal 11"));
                } else {
                    json_object_set(e, "metrics", vals);
                }
            }
            json_decref(vals);
            json_array_append_new(entries, e);
        }

    json_t *doc;
    if (gbench)
        doc = json_pack("{s:{s:s, s:i, s:s, s:s}, s:o}", "context", "host_name", host, "num_cpus",
                        2, "alignbench_micro_allocators", "malloc",
                        "alignbench_allocator_version:malloc", "2.36", "benchmarks", entries);
    else
        doc = json_pack("{s:s, s:i, s:s, s:b, s:{s:s, s:s, s:s, s:{s:{s:s}}}, s:{s:i}, s:o, "
                        "s:[]}",
                        "schema", "alignbench-results", "version", 1, "run_id", "fixture",
                        "complete", 1, "context", "hostname", host, "cpu_model", "Fixture CPU",
                        "kernel", "6.1.0", "allocators", "jemalloc", "version", "5.3.0", "config",
                        "repetitions", reps, "runs", entries, "cells");
    char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    json_decref(doc);
    if (!text) {
        fprintf(stderr, "compare_fixture: could not build the document\n");
        return 1;
    }
    size_t len = strlen(text);
    FILE *f = fopen(out, "w");
    if (!f || fwrite(text, 1, truncate ? len / 2 : len, f) != (truncate ? len / 2 : len) ||
        fclose(f) != 0) {
        fprintf(stderr, "compare_fixture: cannot write %s\n", out);
        free(text);
        return 1;
    }
    free(text);
    return 0;
}
