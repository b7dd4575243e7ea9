/* test_record.c: harness/orchestrator/run_record.h: every child outcome becomes the row
 * results/README.md promises (status, exit code, signal, error from the child's stderr), the
 * runner's result is merged without overriding the bookkeeping, and a natural baseline gives the
 * alignment costs as differences worked out here by hand. */
#include "harness/orchestrator/run_record.h"
#include "tests/check.h"

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
    json_t *row = ab_run_row_new("jemalloc", "simd", 2, &ok, result, log);
    CHECK(!strcmp(str(row, "status"), "ok"), "ok-status");
    CHECK(!strcmp(str(row, "allocator"), "jemalloc") && !strcmp(str(row, "workload"), "simd") &&
              json_integer_value(json_object_get(row, "rep")) == 2 &&
              json_integer_value(json_object_get(row, "round")) == 2,
          "ok-bookkeeping");
    CHECK(json_is_null(json_object_get(row, "error")) &&
              json_is_null(json_object_get(row, "exit_code")) &&
              json_is_null(json_object_get(row, "signal")),
          "ok-no-error");
    CHECK(num(row, "ns_per_op_net") == 30.5 && json_object_get(row, "child") != NULL,
          "ok-runner-result-merged");
    CHECK(json_integer_value(json_object_get(row, "child_maxrss_kb")) == 1234 &&
              json_real_value(json_object_get(row, "wall_s")) == 0.5,
          "ok-child-facts");

    ab_child_result low = {.outcome = AB_CHILD_OK};
    json_t *lowered = ab_run_row_new("jemalloc", "simd", 2, &low, lowered_result, NULL);
    json_t *runs = json_array();
    json_t *other = ab_run_row_new("jemalloc", "simd", 1, &ok, result, log);
    json_array_append_new(runs, other);
    json_array_append(runs, row);
    CHECK(ab_run_attach_baseline(runs, lowered) == 0, "attach");
    /* 10000 - 6000 bytes; 30.5 - 20.0 ns */
    CHECK(num(row, "align_cost_bytes") == 4000, "align-cost-bytes");
    CHECK(num(row, "align_cost_ns_per_op") == 10.5, "align-cost-ns");
    CHECK(!strcmp(str(json_object_get(row, "baseline"), "status"), "ok") &&
              json_number_value(
                  json_object_get(json_object_get(json_object_get(row, "baseline"), "metrics"),
                                  "peak_footprint")) == 6000,
          "baseline-kept");
    CHECK(json_object_get(other, "baseline") == NULL, "baseline-goes-to-its-rep");
    json_t *stray = ab_run_row_new("mimalloc", "simd", 2, &low, lowered_result, NULL);
    CHECK(ab_run_attach_baseline(runs, stray) == -1, "baseline-without-row");

    ab_child_result crash = {.outcome = AB_CHILD_SIGNALED, .signo = SIGSEGV};
    json_t *failed_low = ab_run_row_new("mimalloc", "simd", 1, &crash, NULL, log);
    json_t *mi = ab_run_row_new("mimalloc", "simd", 1, &ok, result, log);
    json_array_append(runs, mi);
    ab_run_attach_baseline(runs, failed_low);
    CHECK(json_object_get(json_object_get(mi, "metrics"), "align_cost_bytes") == NULL &&
              !strcmp(str(json_object_get(mi, "baseline"), "status"), "crashed"),
          "failed-baseline-no-cost");

    json_t *c = ab_run_row_new("bad", "rpc", 1, &crash, NULL, log);
    CHECK(!strcmp(str(c, "status"), "crashed"), "crash-status");
    CHECK(json_integer_value(json_object_get(c, "signal")) == SIGSEGV, "crash-signal");
    CHECK(strstr(str(c, "error"), "the reason") && strstr(str(c, "error"), "signal 11"),
          "crash-error-has-stderr-and-signal");
    CHECK(json_object_size(json_object_get(c, "metrics")) == 0, "crash-empty-metrics");

    ab_child_result refused = {.outcome = AB_CHILD_FAILED, .exit_code = AB_RUNNER_EXIT_REFUSED};
    json_t *rf = ab_run_row_new("bad", "rpc", 1, &refused, result, log);
    CHECK(!strcmp(str(rf, "status"), "refused") &&
              json_integer_value(json_object_get(rf, "exit_code")) == 3,
          "refused-status");
    CHECK(!strcmp(str(rf, "error"), "alignbench-runner: the reason"), "refused-error-is-last-line");
    CHECK(json_object_size(json_object_get(rf, "metrics")) == 0, "refused-result-ignored");

    ab_child_result exit4 = {.outcome = AB_CHILD_FAILED, .exit_code = 4};
    json_t *f4 = ab_run_row_new("bad", "rpc", 1, &exit4, NULL, "/nonexistent/log");
    CHECK(!strcmp(str(f4, "status"), "failed") && strstr(str(f4, "error"), "exit 4"),
          "failed-without-log-says-exit");

    ab_child_result timeout = {.outcome = AB_CHILD_TIMEOUT, .signo = SIGKILL, .wall_s = 2.0};
    json_t *t = ab_run_row_new("bad", "rpc", 1, &timeout, NULL, NULL);
    CHECK(!strcmp(str(t, "status"), "timeout") &&
              json_integer_value(json_object_get(t, "signal")) == SIGKILL &&
              strstr(str(t, "error"), "timeout"),
          "timeout-status");

    json_t *j = ab_run_row_new("bad", "rpc", 1, &ok, junk, log);
    CHECK(!strcmp(str(j, "status"), "failed") && strstr(str(j, "error"), "no valid result"),
          "exit0-garbage-result-failed");
    json_t *m = ab_run_row_new("bad", "rpc", 1, &ok, "/nonexistent/out.json", log);
    CHECK(!strcmp(str(m, "status"), "failed"), "exit0-missing-result-failed");

    ab_child_result spawn = {.outcome = AB_CHILD_SPAWN_ERROR, .exit_code = 2};
    json_t *sp = ab_run_row_new("bad", "rpc", 1, &spawn, NULL, NULL);
    CHECK(!strcmp(str(sp, "status"), "failed") && strstr(str(sp, "error"), "could not start"),
          "spawn-error-failed");

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
