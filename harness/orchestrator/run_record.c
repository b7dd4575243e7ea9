/* run_record.c: building runs[] rows and attaching baselines (see run_record.h). */
#include "harness/orchestrator/run_record.h"
#include "harness/orchestrator/log_tail.h"

#include <stdio.h>
#include <string.h>

static const char *status_of(const ab_child_result *r)
{
    switch (r->outcome) {
    case AB_CHILD_OK:
        return "ok";
    case AB_CHILD_SIGNALED:
        return "crashed";
    case AB_CHILD_TIMEOUT:
        return "timeout";
    case AB_CHILD_FAILED:
        return r->exit_code == AB_RUNNER_EXIT_REFUSED ? "refused" : "failed";
    case AB_CHILD_SPAWN_ERROR:
        break;
    }
    return "failed";
}

json_t *ab_run_row_new(const char *alloc, const char *workload, unsigned rep,
                       const ab_child_result *r, const char *result_path, const char *log_path)
{
    char outcome[256], error[1024] = "";
    ab_child_describe(r, outcome, sizeof outcome);
    const char *status = status_of(r);
    json_t *measured = NULL;
    if (r->outcome == AB_CHILD_OK) {
        json_error_t jerr;
        measured = result_path ? json_load_file(result_path, 0, &jerr) : NULL;
        if (!json_is_object(measured)) {
            status = "failed";
            snprintf(error, sizeof error, "the runner exited 0 but wrote no valid result: %s",
                     result_path ? jerr.text : "no result file");
            json_decref(measured);
            measured = NULL;
        }
    } else {
        /* The child's own last word, then (unless it is a plain exit status the line already
         * explains) what happened to it. */
        ab_log_tail(log_path, 1, error, sizeof error);
        if (!error[0] || r->outcome != AB_CHILD_FAILED)
            snprintf(error + strlen(error), sizeof error - strlen(error), "%s%s",
                     error[0] ? "; " : "", outcome);
    }
    json_t *row = json_object();
    json_object_set_new(row, "allocator", json_string(alloc));
    json_object_set_new(row, "workload", json_string(workload));
    json_object_set_new(row, "rep", json_integer(rep));
    json_object_set_new(row, "round", json_integer(rep));
    json_object_set_new(row, "status", json_string(status));
    json_object_set_new(row, "exit_code",
                        r->outcome == AB_CHILD_FAILED ? json_integer(r->exit_code) : json_null());
    json_object_set_new(row, "signal",
                        r->outcome == AB_CHILD_SIGNALED || r->outcome == AB_CHILD_TIMEOUT
                            ? json_integer(r->signo)
                            : json_null());
    json_object_set_new(row, "error", error[0] ? json_string(error) : json_null());
    json_object_set_new(row, "wall_s", json_real(r->wall_s));
    json_object_set_new(row, "child_maxrss_kb", json_integer(r->maxrss_kb));
    if (measured) {
        const char *key;
        json_t *value;
        json_object_foreach(measured, key, value)
        {
            if (!json_object_get(row, key)) /* our bookkeeping wins */
                json_object_set(row, key, value);
        }
        json_decref(measured);
    }
    if (!json_is_object(json_object_get(row, "metrics")))
        json_object_set_new(row, "metrics", json_object());
    return row;
}

/* metrics.name of a row, when it is a number. */
static int metric(const json_t *row, const char *name, double *out)
{
    const json_t *v = json_object_get(json_object_get(row, "metrics"), name);
    if (!json_is_number(v))
        return -1;
    *out = json_number_value(v);
    return 0;
}

static int same(const json_t *a, const json_t *b, const char *key)
{
    return json_equal(json_object_get(a, key), json_object_get(b, key));
}

int ab_run_attach_baseline(json_t *runs, const json_t *lowered)
{
    json_t *row = NULL;
    for (size_t i = json_array_size(runs); i-- > 0 && !row;) {
        json_t *r = json_array_get(runs, i);
        if (same(r, lowered, "allocator") && same(r, lowered, "workload") &&
            same(r, lowered, "rep"))
            row = r;
    }
    if (!row)
        return -1;
    json_object_set_new(
        row, "baseline",
        json_pack("{s:O, s:O, s:O, s:O}", "status", json_object_get(lowered, "status"), "error",
                  json_object_get(lowered, "error"), "wall_s", json_object_get(lowered, "wall_s"),
                  "metrics", json_object_get(lowered, "metrics")));
    const char *rs = json_string_value(json_object_get(row, "status"));
    const char *ls = json_string_value(json_object_get(lowered, "status"));
    if (!rs || !ls || strcmp(rs, "ok") != 0 || strcmp(ls, "ok") != 0)
        return 0;
    /* What alignment costs: against the same trace with every alignment lowered to 16. */
    static const struct {
        const char *cost, *from;
    } costs[] = {{"align_cost_bytes", "peak_footprint"}, {"align_cost_ns_per_op", "ns_per_op_net"}};
    json_t *m = json_object_get(row, "metrics");
    for (size_t i = 0; i < sizeof costs / sizeof costs[0]; i++) {
        double measured, natural;
        if (metric(row, costs[i].from, &measured) == 0 &&
            metric(lowered, costs[i].from, &natural) == 0)
            json_object_set_new(m, costs[i].cost, json_real(measured - natural));
    }
    return 0;
}
