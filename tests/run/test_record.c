/* test_record.c: harness/run_record.h: every child outcome becomes the row results/README.md
 * promises (status, exit code, signal, error from the child's stderr), the runner's result is
 * merged without overriding the bookkeeping, and a natural baseline gives the alignment costs
 * as differences worked out here by hand. */
#include "harness/orchestrator/run_record.h"
#include "tests/run/check.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/ab-test-record-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[4][256];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
    return p;
}

static const char *str(const json_t *row, const char *key)
{
    const char *s = json_string_value(json_object_get(row, key));
    return s ? s : "";
}

static double num(const json_t *row, const char *metric)
{
    return json_number_value(json_object_get(json_object_get(row, "metrics"), metric));
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const char *result =
        write_file("ok.json", "{\"metrics\": {\"ns_per_op_net\": 30.5, \"peak_footprint\": 10000},"
                              " \"status\": \"bogus\", \"child\": {\"tsc_hz\": 2e9}}");
    const char *lowered_result = write_file(
        "low.json", "{\"metrics\": {\"ns_per_op_net\": 20.0, \"peak_footprint\": 6000}}");
    const char *log = write_file("err.log", "first line\nalignbench-runner: the reason\n\n");
    const char *junk = write_file("junk.json", "{not json");

    ab_child_result ok = {.outcome = AB_CHILD_OK, .wall_s = 0.5, .maxrss_kb = 1234};
    json_t *row = ab_run_record("jemalloc", "simd", 2, &ok, result, log);
    CHECK("ok-status", !strcmp(str(row, "status"), "ok"));
    CHECK("ok-bookkeeping", !strcmp(str(row, "allocator"), "jemalloc") &&
                                !strcmp(str(row, "workload"), "simd") &&
                                json_integer_value(json_object_get(row, "rep")) == 2 &&
                                json_integer_value(json_object_get(row, "round")) == 2);
    CHECK("ok-no-error", json_is_null(json_object_get(row, "error")) &&
                             json_is_null(json_object_get(row, "exit_code")) &&
                             json_is_null(json_object_get(row, "signal")));
    CHECK("ok-runner-result-merged",
          num(row, "ns_per_op_net") == 30.5 && json_object_get(row, "child") != NULL);
    CHECK("ok-child-facts", json_integer_value(json_object_get(row, "child_maxrss_kb")) == 1234 &&
                                json_real_value(json_object_get(row, "wall_s")) == 0.5);

    ab_child_result low = {.outcome = AB_CHILD_OK};
    json_t *lowered = ab_run_record("jemalloc", "simd", 2, &low, lowered_result, NULL);
    json_t *runs = json_array();
    json_t *other = ab_run_record("jemalloc", "simd", 1, &ok, result, log);
    json_array_append_new(runs, other);
    json_array_append(runs, row);
    CHECK("attach", ab_run_attach_baseline(runs, lowered) == 0);
    /* 10000 - 6000 bytes; 30.5 - 20.0 ns */
    CHECK("align-cost-bytes", num(row, "align_cost_bytes") == 4000);
    CHECK("align-cost-ns", num(row, "align_cost_ns_per_op") == 10.5);
    CHECK("baseline-kept", !strcmp(str(json_object_get(row, "baseline"), "status"), "ok") &&
                               json_number_value(json_object_get(
                                   json_object_get(json_object_get(row, "baseline"), "metrics"),
                                   "peak_footprint")) == 6000);
    CHECK("baseline-goes-to-its-rep", json_object_get(other, "baseline") == NULL);
    json_t *stray = ab_run_record("mimalloc", "simd", 2, &low, lowered_result, NULL);
    CHECK("baseline-without-row", ab_run_attach_baseline(runs, stray) == -1);

    ab_child_result crash = {.outcome = AB_CHILD_SIGNALED, .signo = SIGSEGV};
    json_t *failed_low = ab_run_record("mimalloc", "simd", 1, &crash, NULL, log);
    json_t *mi = ab_run_record("mimalloc", "simd", 1, &ok, result, log);
    json_array_append(runs, mi);
    ab_run_attach_baseline(runs, failed_low);
    CHECK("failed-baseline-no-cost",
          json_object_get(json_object_get(mi, "metrics"), "align_cost_bytes") == NULL &&
              !strcmp(str(json_object_get(mi, "baseline"), "status"), "crashed"));

    json_t *c = ab_run_record("bad", "rpc", 1, &crash, NULL, log);
    CHECK("crash-status", !strcmp(str(c, "status"), "crashed"));
    CHECK("crash-signal", json_integer_value(json_object_get(c, "signal")) == SIGSEGV);
    CHECK("crash-error-has-stderr-and-signal",
          strstr(str(c, "error"), "the reason") && strstr(str(c, "error"), "signal 11"));
    CHECK("crash-empty-metrics", json_object_size(json_object_get(c, "metrics")) == 0);

    ab_child_result refused = {.outcome = AB_CHILD_FAILED, .exit_code = AB_RUNNER_EXIT_REFUSED};
    json_t *rf = ab_run_record("bad", "rpc", 1, &refused, result, log);
    CHECK("refused-status", !strcmp(str(rf, "status"), "refused") &&
                                json_integer_value(json_object_get(rf, "exit_code")) == 3);
    CHECK("refused-error-is-last-line", !strcmp(str(rf, "error"), "alignbench-runner: the reason"));
    CHECK("refused-result-ignored", json_object_size(json_object_get(rf, "metrics")) == 0);

    ab_child_result exit4 = {.outcome = AB_CHILD_FAILED, .exit_code = 4};
    json_t *f4 = ab_run_record("bad", "rpc", 1, &exit4, NULL, "/nonexistent/log");
    CHECK("failed-without-log-says-exit",
          !strcmp(str(f4, "status"), "failed") && strstr(str(f4, "error"), "exit 4"));

    ab_child_result timeout = {.outcome = AB_CHILD_TIMEOUT, .signo = SIGKILL, .wall_s = 2.0};
    json_t *t = ab_run_record("bad", "rpc", 1, &timeout, NULL, NULL);
    CHECK("timeout-status", !strcmp(str(t, "status"), "timeout") &&
                                json_integer_value(json_object_get(t, "signal")) == SIGKILL &&
                                strstr(str(t, "error"), "timeout"));

    json_t *j = ab_run_record("bad", "rpc", 1, &ok, junk, log);
    CHECK("exit0-garbage-result-failed",
          !strcmp(str(j, "status"), "failed") && strstr(str(j, "error"), "no valid result"));
    json_t *m = ab_run_record("bad", "rpc", 1, &ok, "/nonexistent/out.json", log);
    CHECK("exit0-missing-result-failed", !strcmp(str(m, "status"), "failed"));

    ab_child_result spawn = {.outcome = AB_CHILD_SPAWN_ERROR, .exit_code = 2};
    json_t *sp = ab_run_record("bad", "rpc", 1, &spawn, NULL, NULL);
    CHECK("spawn-error-failed",
          !strcmp(str(sp, "status"), "failed") && strstr(str(sp, "error"), "could not start"));

    json_decref(runs);
    json_decref(row);
    json_decref(mi);
    json_decref(lowered);
    json_decref(stray);
    json_decref(failed_low);
    json_decref(c);
    json_decref(rf);
    json_decref(f4);
    json_decref(t);
    json_decref(j);
    json_decref(m);
    json_decref(sp);
    const char *files[] = {"ok.json", "low.json", "err.log", "junk.json"};
    for (size_t i = 0; i < 4; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
    CHECK_DONE();
}
