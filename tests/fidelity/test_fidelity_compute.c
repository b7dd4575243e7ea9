/* test_fidelity_compute.c: known answers for analysis/fidelity.c.
 *
 * A results document is built by hand: a program "p" whose one trace "p-1" has 1 M ops, three
 * allocators over 5 rounds. The replay's ns_per_op and the program's cpu_ms are chosen so that
 * the predicted and measured time saved are known exactly: the test checks the medians, the
 * verdicts at the 35 % tolerance, the rankings, the basis (cpu_ms for one thread, wall_ms for
 * several) and the refusals (a trace that is not a workload, one allocator only).
 */
#include "harness/analysis/fidelity.h"
#include "tests/check.h"

#include <math.h>
#include <string.h>

#define ROUNDS 5

/* ns[a], cpu[a], wall[a] per allocator; round r adds r * jitter to every figure of that round,
 * as a machine that slows down from round to round would (the per-round differences cancel it). */
static int with_cycles; /* also cycles_per_op and cpu_mcycles, at 3 cycles per ns */

static json_t *results(unsigned threads, const double *ns, const double *cpu, const double *wall,
                       size_t nalloc, const char **names)
{
    json_t *runs = json_array(), *cells = json_array(), *allocs = json_array();
    for (size_t a = 0; a < nalloc; a++) {
        json_array_append_new(allocs, json_string(names[a]));
        for (int r = 1; r <= ROUNDS; r++) {
            double jitter = 0.5 * r;
            json_array_append_new(runs, json_pack("{s:s, s:s, s:i, s:s, s:{s:f, s:f}}", "allocator",
                                                  names[a], "workload", "p-1", "round", r, "status",
                                                  "ok", "metrics", "ns_per_op", ns[a] + jitter,
                                                  "ns_per_op_net", ns[a] - 5 + jitter));
            json_array_append_new(runs, json_pack("{s:s, s:s, s:i, s:s, s:{s:f, s:f}}", "allocator",
                                                  names[a], "workload", "p", "round", r, "status",
                                                  "ok", "metrics", "cpu_ms", cpu[a] + jitter,
                                                  "wall_ms", wall[a] + jitter));
            if (with_cycles) { /* the clock differs from run to run; cycles do not */
                json_t *tr = json_array_get(runs, json_array_size(runs) - 2);
                json_t *pr = json_array_get(runs, json_array_size(runs) - 1);
                json_object_set_new(json_object_get(tr, "metrics"), "cycles_per_op",
                                    json_real(3 * ns[a]));
                json_object_set_new(json_object_get(tr, "metrics"), "cycles_per_op_net",
                                    json_real(3 * (ns[a] - 5)));
                json_object_set_new(json_object_get(pr, "metrics"), "cpu_mcycles",
                                    json_real(3 * cpu[a]));
            }
        }
        json_array_append_new(cells, json_pack("{s:s, s:s, s:i}", "allocator", names[a], "workload",
                                               "p", "n_ok", ROUNDS));
    }
    return json_pack("{s:{s:i, s:o}, s:[{s:s, s:i, s:i}], s:o, s:o}", "config", "repetitions",
                     ROUNDS, "allocators", allocs, "workloads", "name", "p-1", "ops", 1000000,
                     "threads", threads, "runs", runs, "cells", cells);
}

static const json_t *versus(const json_t *prog, const char *alloc)
{
    size_t i;
    json_t *v;
    json_array_foreach(
        json_object_get(prog, "versus"), i,
        v) if (!strcmp(json_string_value(json_object_get(v, "allocator")), alloc)) return v;
    return NULL;
}

static double median_of(const json_t *v, const char *key)
{
    return json_number_value(json_object_get(json_object_get(v, key), "median"));
}

int main(void)
{
    const char *names[] = {"A", "B", "C"};
    const char *traces[] = {"p-1"};
    ab_fidelity_program prog = {.name = "p", .command = "./p 10", .traces = traces, .ntraces = 1};
    char err[256];

    /* B: replay 20 -> 15 ns x 1 M ops = 5 ms saved, program 100 -> 95 ms: agrees, ratio 1.
     * C: replay 20 -> 18 ns = 2 ms saved, program 100 -> 90 ms = 10 ms: differs (80 % off).
     * Ranking by predicted: B (5) > C (2) > A (0); by measured: C (10) > B (5) > A. */
    double ns[] = {20, 15, 18}, cpu[] = {100, 95, 90}, wall[] = {200, 150, 100};
    json_t *doc = results(1, ns, cpu, wall, 3, names);
    json_t *f = ab_fidelity_compute(doc, &prog, 1, 0.35, err, sizeof err);
    CHECK(f != NULL, "compute: %s", err);
    const json_t *p = json_array_get(json_object_get(f, "programs"), 0);
    CHECK(!strcmp(json_string_value(json_object_get(p, "basis")), "cpu_ms"), "one thread: cpu_ms");
    CHECK(!strcmp(json_string_value(json_object_get(p, "baseline")), "A"), "baseline is the first");
    const json_t *b = versus(p, "B"), *c = versus(p, "C");
    CHECK(b && c, "B and C compared");
    CHECK(fabs(median_of(b, "predicted_saved") - 5) < 1e-9, "B predicted %g",
          median_of(b, "predicted_saved"));
    CHECK(fabs(median_of(b, "measured_saved") - 5) < 1e-9, "B measured %g",
          median_of(b, "measured_saved"));
    CHECK(json_is_true(json_object_get(b, "agrees")), "B agrees");
    CHECK(fabs(json_number_value(json_object_get(b, "ratio")) - 1) < 1e-9, "B ratio 1");
    CHECK(fabs(median_of(c, "predicted_saved") - 2) < 1e-9, "C predicted");
    CHECK(fabs(median_of(c, "measured_saved") - 10) < 1e-9, "C measured");
    CHECK(json_is_false(json_object_get(c, "agrees")), "C differs");
    CHECK(!strcmp(json_string_value(json_object_get(c, "verdict")), "differs") &&
              !strcmp(json_string_value(json_object_get(b, "verdict")), "agrees"),
          "verdicts");
    CHECK(json_is_false(json_object_get(p, "same_ranking")), "rankings differ");
    CHECK(
        !strcmp(json_string_value(json_array_get(json_object_get(p, "ranking_measured"), 0)), "C"),
        "C first by measured");
    CHECK(json_array_size(json_object_get(p, "reasons")) > 0, "a disagreement gives reasons");
    /* the replay's own time: 15 ns net x 1 M = 15 ms of 100 ms: 15 % (+ the round jitter) */
    double share = json_number_value(json_object_get(p, "allocator_share"));
    CHECK(share > 0.14 && share < 0.18, "allocator share %g", share);
    CHECK(json_integer_value(json_object_get(f, "pairs")) == 2 &&
              json_integer_value(json_object_get(f, "agreeing")) == 1,
          "1 of 2 agree");
    json_decref(f);
    json_decref(doc);

    /* Several threads: judged on wall_ms. B saves 50 ms of wall, replay predicts 5: differs. */
    doc = results(4, ns, cpu, wall, 3, names);
    f = ab_fidelity_compute(doc, &prog, 1, 0.35, err, sizeof err);
    CHECK(f != NULL, "threaded compute: %s", err);
    p = json_array_get(json_object_get(f, "programs"), 0);
    CHECK(!strcmp(json_string_value(json_object_get(p, "basis")), "wall_ms"), "threads: wall_ms");
    CHECK(fabs(median_of(versus(p, "B"), "measured_saved") - 50) < 1e-9, "wall saved 50");
    json_decref(f);
    json_decref(doc);

    /* With clock readings, cycles on both sides: B saves 3 x 5 = 15 Mcycles predicted and
     * measured, however the ns and ms figures moved (the jitter is not in the cycles). */
    with_cycles = 1;
    doc = results(1, ns, cpu, wall, 3, names);
    f = ab_fidelity_compute(doc, &prog, 1, 0.35, err, sizeof err);
    CHECK(f != NULL, "cycles compute: %s", err);
    p = json_array_get(json_object_get(f, "programs"), 0);
    CHECK(!strcmp(json_string_value(json_object_get(p, "basis")), "cpu_mcycles") &&
              !strcmp(json_string_value(json_object_get(p, "unit")), "Mcycles"),
          "cycles chosen: %s", json_string_value(json_object_get(p, "basis")));
    CHECK(fabs(median_of(versus(p, "B"), "predicted_saved") - 15) < 1e-9 &&
              fabs(median_of(versus(p, "B"), "measured_saved") - 15) < 1e-9,
          "B saves 15 Mcycles both ways");
    json_decref(f);

    /* A shell's trace of 40 ops (under 1 % of the program's) whose cold replay was too short
     * to time in round 2 (no cycles_per_op there): the rounds keep their predictions (n = 5, in
     * cycles), the shell adding its figure where it has one and 0 where it has none. */
    json_array_append_new(json_object_get(doc, "workloads"),
                          json_pack("{s:s, s:i, s:i}", "name", "sh-1", "ops", 40, "threads", 1));
    for (size_t a = 0; a < 3; a++)
        for (int r = 1; r <= ROUNDS; r++) {
            json_t *m = r == 2
                            ? json_pack("{s:f, s:f}", "ns_per_op", 30.0, "ns_per_op_net", 1.0)
                            : json_pack("{s:f, s:f, s:f, s:f}", "ns_per_op", 30.0, "ns_per_op_net",
                                        1.0, "cycles_per_op", 90.0, "cycles_per_op_net", 3.0);
            json_array_append_new(json_object_get(doc, "runs"),
                                  json_pack("{s:s, s:s, s:i, s:s, s:o}", "allocator", names[a],
                                            "workload", "sh-1", "round", r, "status", "ok",
                                            "metrics", m));
        }
    const char *two[] = {"p-1", "sh-1"};
    ab_fidelity_program with_shell = prog;
    with_shell.traces = two;
    with_shell.ntraces = 2;
    f = ab_fidelity_compute(doc, &with_shell, 1, 0.35, err, sizeof err);
    CHECK(f != NULL, "compute with a shell trace: %s", err);
    p = json_array_get(json_object_get(f, "programs"), 0);
    CHECK(!strcmp(json_string_value(json_object_get(p, "basis")), "cpu_mcycles"),
          "a minor trace without cycles in one round keeps cycles: %s",
          json_string_value(json_object_get(p, "basis")));
    const json_t *pred = json_object_get(versus(p, "B"), "predicted_saved");
    CHECK(json_integer_value(json_object_get(pred, "n")) == ROUNDS, "every round predicts (n %lld)",
          (long long)json_integer_value(json_object_get(pred, "n")));
    CHECK(fabs(median_of(versus(p, "B"), "predicted_saved") - 15) < 1e-9,
          "the shell costs every allocator alike: B still saves 15 Mcycles (%g)",
          median_of(versus(p, "B"), "predicted_saved"));
    json_decref(f);
    json_decref(doc);
    with_cycles = 0;

    /* Refusals: an unknown trace; one allocator. */
    doc = results(1, ns, cpu, wall, 3, names);
    const char *bad[] = {"q-9"};
    ab_fidelity_program wrong = prog;
    wrong.traces = bad;
    CHECK(ab_fidelity_compute(doc, &wrong, 1, 0.35, err, sizeof err) == NULL && strstr(err, "q-9"),
          "unknown trace refused: %s", err);
    json_decref(doc);
    doc = results(1, ns, cpu, wall, 1, names);
    CHECK(ab_fidelity_compute(doc, &prog, 1, 0.35, err, sizeof err) == NULL && strstr(err, "two"),
          "one allocator refused: %s", err);
    json_decref(doc);
    CHECK_DONE("test_fidelity_compute");
}
