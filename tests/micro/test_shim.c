/* test_shim.c: the Google Benchmark C shim (harness/runner/gbench_shim.h) from C.
 *
 * Registers benchmarks that exercise the shim's seam (a batch loop, a counter, arguments, an
 * error skip, a function that returns without running its loop, pause/resume), checks that the
 * arguments the library would abort on come back as ABGB_EINVAL instead, runs everything once
 * with JSON output and reads that output back with jansson: what the C side did must be what
 * Google Benchmark reports.
 */
#include "tests/check.h"
#include "harness/runner/gbench_shim.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t batch_body_runs; /* loop bodies run in the last call of bm_batch */

static void bm_batch(abgb_state *s, void *user)
{
    (void)user;
    int64_t runs = 0, n = abgb_max_iterations(s);
    while (abgb_keep_running_batch(s, n))
        for (int64_t i = 0; i < n; i++) {
            runs++;
            abgb_do_not_optimize(&runs);
        }
    batch_body_runs = runs;
    abgb_counter_set(s, "body_runs", (double)runs, ABGB_COUNTER_DEFAULT);
    abgb_set_items_processed(s, abgb_iterations(s));
}

static void bm_counter(abgb_state *s, void *user)
{
    int64_t n = abgb_max_iterations(s);
    while (abgb_keep_running_batch(s, n))
        abgb_clobber_memory();
    abgb_counter_set(s, "answer", *(const double *)user, 0);
    abgb_set_label(s, "a label");
}

static void bm_error(abgb_state *s, void *user)
{
    (void)user;
    abgb_skip_with_error(s, "deliberate failure");
    while (abgb_keep_running_batch(s, 1))
        ;
}

static void bm_args(abgb_state *s, void *user)
{
    (void)user;
    int64_t arg = abgb_range(s, 0), n = abgb_max_iterations(s);
    while (abgb_keep_running_batch(s, n))
        ;
    abgb_counter_set(s, "arg", (double)arg, 0);
}

static void bm_range_out_of_bounds(abgb_state *s, void *user)
{
    (void)user;
    abgb_range(s, 3); /* no arguments registered: must skip with an error, not assert */
    while (abgb_keep_running_batch(s, 1))
        ;
}

static void bm_no_loop(abgb_state *s, void *user)
{
    (void)s;
    (void)user; /* returns at once: the library would abort; the shim reports an error */
}

static int pause_outside_loop_rc;
static void bm_pause(abgb_state *s, void *user)
{
    (void)user;
    pause_outside_loop_rc = abgb_pause_timing(s);
    int64_t n = abgb_max_iterations(s);
    while (abgb_keep_running_batch(s, n)) {
        abgb_pause_timing(s); /* once per batch, never per iteration */
        abgb_resume_timing(s);
    }
}

static json_t *find(json_t *benches, const char *name)
{
    size_t i;
    json_t *b;
    json_array_foreach(benches, i, b)
    {
        const char *n = json_string_value(json_object_get(b, "name"));
        if (n && !strcmp(n, name))
            return b;
    }
    return NULL;
}

static double num(json_t *b, const char *key)
{
    json_t *v = json_object_get(b, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

int main(int argc, char **argv)
{
    (void)argc;
    char out[4096];
    snprintf(out, sizeof out, "/tmp/abgb-shim-%d.json", (int)getpid());

    /* Unknown flags are reported, not ignored. */
    char *bad_argv[] = {argv[0], "--benchmark_no_such_flag=1", NULL};
    int bad_argc = 2;
    CHECK(abgb_initialize(&bad_argc, bad_argv) == ABGB_EINVAL, "unknown flag rejected");

    char out_flag[4200];
    snprintf(out_flag, sizeof out_flag, "--benchmark_out=%s", out);
    char *gargv[] = {argv[0], out_flag, "--benchmark_out_format=json", "--benchmark_min_time=0.01",
                     NULL};
    int gargc = 4;
    CHECK(abgb_initialize(&gargc, gargv) == ABGB_OK && gargc == 1, "initialize");
    CHECK(abgb_add_custom_context("shim_test", "yes") == ABGB_OK, "custom context");
    CHECK(abgb_add_custom_context(NULL, "x") == ABGB_EINVAL, "custom context NULL key");

    /* Registration and the argument checks (each would be a BM_CHECK abort in the library). */
    static const double answer = 42.0;
    CHECK(abgb_register(NULL, bm_batch, NULL) == NULL, "register NULL name");
    CHECK(abgb_register("", bm_batch, NULL) == NULL, "register empty name");
    CHECK(abgb_register("x", NULL, NULL) == NULL, "register NULL fn");
    abgb_bench *batch = abgb_register("shim/batch", bm_batch, NULL);
    CHECK(batch != NULL, "register");
    CHECK(abgb_repetitions(batch, 0) == ABGB_EINVAL, "repetitions(0) is EINVAL");
    CHECK(strstr(abgb_last_error(), "repetitions") != NULL, "error message set");
    CHECK(abgb_min_time(batch, 0) == ABGB_EINVAL, "min_time(0) is EINVAL");
    CHECK(abgb_min_time(batch, -1) == ABGB_EINVAL, "min_time(-1) is EINVAL");
    CHECK(abgb_min_time(batch, NAN) == ABGB_EINVAL, "min_time(NaN) is EINVAL");
    CHECK(abgb_threads(batch, 0) == ABGB_EINVAL, "threads(0) is EINVAL");
    CHECK(abgb_range_multiplier(batch, 1) == ABGB_EINVAL, "range_multiplier(1) is EINVAL");
    CHECK(abgb_range_args(batch, 5, 2) == ABGB_EINVAL, "range hi < lo is EINVAL");
    CHECK(abgb_unit(batch, (enum abgb_unit)99) == ABGB_EINVAL, "unknown unit is EINVAL");
    CHECK(abgb_arg(NULL, 1) == ABGB_EINVAL, "NULL handle is EINVAL");
    CHECK(abgb_unit(batch, ABGB_NS) == ABGB_OK, "unit(ns) ok");

    abgb_bench *counter = abgb_register("shim/counter", bm_counter, (void *)&answer);
    abgb_register("shim/error", bm_error, NULL);
    abgb_bench *args = abgb_register("shim/args", bm_args, NULL);
    CHECK(abgb_arg(args, 7) == ABGB_OK, "arg 7");
    CHECK(abgb_arg(args, 9) == ABGB_OK, "arg 9");
    const int64_t two[] = {1, 2};
    CHECK(abgb_args(args, two, 2) == ABGB_EINVAL, "args with another count is EINVAL");
    abgb_register("shim/range_oob", bm_range_out_of_bounds, NULL);
    abgb_register("shim/no_loop", bm_no_loop, NULL);
    abgb_register("shim/pause", bm_pause, NULL);
    CHECK(counter != NULL, "counter registered");

    int ran = abgb_run();
    CHECK(ran == 8, "run runs every benchmark"); /* args has two instances */
    CHECK(abgb_run() == ABGB_EINVAL, "second run is EINVAL");
    CHECK(pause_outside_loop_rc == ABGB_EINVAL, "pause outside the loop is EINVAL");

    json_error_t jerr;
    json_t *doc = json_load_file(out, 0, &jerr);
    CHECK(doc != NULL, "output is valid JSON");
    if (!doc) {
        fprintf(stderr, "%s: line %d: %s\n", out, jerr.line, jerr.text);
        return 1;
    }
    json_t *ctx = json_object_get(doc, "context"), *benches = json_object_get(doc, "benchmarks");
    CHECK(!strcmp(json_string_value(json_object_get(ctx, "shim_test")) ?: "", "yes"),
          "context has the custom key");

    json_t *b = find(benches, "shim/batch");
    CHECK(b != NULL, "batch reported");
    CHECK(b && num(b, "body_runs") == num(b, "iterations") &&
              num(b, "iterations") == (double)batch_body_runs,
          "batch: C loop bodies == reported iterations");
    CHECK(b && num(b, "items_per_second") > 0, "batch: items_per_second present");
    CHECK(b && !strcmp(json_string_value(json_object_get(b, "time_unit")), "ns"), "batch: unit ns");

    b = find(benches, "shim/counter");
    CHECK(b && num(b, "answer") == 42.0, "counter value");
    CHECK(b && !strcmp(json_string_value(json_object_get(b, "label")) ?: "", "a label"), "label");

    b = find(benches, "shim/error");
    CHECK(b && json_is_true(json_object_get(b, "error_occurred")), "error skip reported");
    CHECK(b && !strcmp(json_string_value(json_object_get(b, "error_message")) ?: "",
                       "deliberate failure"),
          "error message");

    b = find(benches, "shim/args/7");
    CHECK(b && num(b, "arg") == 7, "args/7 sees 7");
    b = find(benches, "shim/args/9");
    CHECK(b && num(b, "arg") == 9, "args/9 sees 9");

    b = find(benches, "shim/range_oob");
    CHECK(b && json_is_true(json_object_get(b, "error_occurred")) &&
              strstr(json_string_value(json_object_get(b, "error_message")) ?: "", "abgb_range"),
          "out-of-range argument is an error, not an abort");

    b = find(benches, "shim/no_loop");
    CHECK(b && json_is_true(json_object_get(b, "error_occurred")),
          "returning before the loop is an error, not an abort");

    b = find(benches, "shim/pause");
    CHECK(b && !json_is_true(json_object_get(b, "error_occurred")) && num(b, "iterations") > 0,
          "pause/resume inside the loop runs");

    json_decref(doc);
    unlink(out);
    CHECK_DONE("gbench shim");
}
