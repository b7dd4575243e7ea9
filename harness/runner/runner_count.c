/* runner_count.c: the replay mode's counting passes (`replay --count perf|callgrind`), what
 * `alignbench run --measure instructions` runs in each child.
 *
 * Instead of the clock, an instruction counter (instr_count.h): one warm-up replay against the
 * allocator, one counted replay, then one counted replay against the null allocator (the floor,
 * in the same process), each counted replay read as one figure. The allocator's instructions per
 * op net of the floor are then an exact count of what its calls executed, plus (callgrind) the
 * simulated L1 and last-level misses and the estimated cycles built from them.
 *
 * No TSC is read on this path (valgrind 3.19 cannot decode rdtscp: SIGILL): no calibration, no
 * memory pass (whose figures, under valgrind, would be valgrind's memory too), no timed pass.
 * A trace with threads is refused: the interleaving of threads is not repeatable, so neither
 * would the counts be. The result is one JSON run object like the timed one, its metrics the
 * counts (results/README.md) and child.measure "instructions".
 */
#include "harness/runner/runner_count.h"
#include "harness/common/exit_codes.h"
#include "harness/measure/instr_count.h"
#include "harness/measure/null_alloc.h"
#include "harness/measure/replay.h"
#include "harness/runner/replay_json.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>

#define WHO "alignbench-runner replay --count"

static void put_per_op(json_t *metrics, const char *name, double v, double floor, double ops)
{
    char key[96];
    json_object_set_new(metrics, name, json_real(v / ops));
    snprintf(key, sizeof key, "floor_%s", name);
    json_object_set_new(metrics, key, json_real(floor / ops));
    snprintf(key, sizeof key, "%s_net", name);
    json_object_set_new(metrics, key, json_real((v - floor) / ops));
}

static json_t *values_json(const ab_icount_values *v)
{
    json_t *o = json_pack("{s:I}", "Ir", (json_int_t)v->ir);
    if (v->have_cache) {
        json_object_set_new(o, "Dr", json_integer((json_int_t)v->dr));
        json_object_set_new(o, "Dw", json_integer((json_int_t)v->dw));
        json_object_set_new(o, "I1mr", json_integer((json_int_t)v->i1mr));
        json_object_set_new(o, "D1mr", json_integer((json_int_t)v->d1mr));
        json_object_set_new(o, "D1mw", json_integer((json_int_t)v->d1mw));
        json_object_set_new(o, "ILmr", json_integer((json_int_t)v->ilmr));
        json_object_set_new(o, "DLmr", json_integer((json_int_t)v->dlmr));
        json_object_set_new(o, "DLmw", json_integer((json_int_t)v->dlmw));
    }
    return o;
}

static json_t *count_json(const ab_run_record *rec, ab_icount_source source,
                          const ab_icount_values *al, const ab_icount_values *fl)
{
    double ops = rec->scan->timed_ops ? (double)rec->scan->timed_ops : 1;
    json_t *metrics = json_object();
    put_per_op(metrics, "instructions_per_op", (double)al->ir, (double)fl->ir, ops);
    if (al->have_cache && fl->have_cache) {
        put_per_op(metrics, "l1_misses_per_op", (double)ab_icount_l1_misses(al),
                   (double)ab_icount_l1_misses(fl), ops);
        put_per_op(metrics, "ll_misses_per_op", (double)ab_icount_ll_misses(al),
                   (double)ab_icount_ll_misses(fl), ops);
        put_per_op(metrics, "est_cycles_per_op", ab_icount_est_cycles(al), ab_icount_est_cycles(fl),
                   ops);
    }
    json_object_set_new(metrics, "threads", json_integer(1));
    json_t *child = json_object();
    ab_run_child_common(child, rec);
    json_object_set_new(child, "measure", json_string("instructions"));
    json_object_set_new(child, "counter", json_string(ab_icount_source_name(source)));
    json_object_set_new(child, "warmup", json_integer(1)); /* the allocator's; none for the floor */
    json_object_set_new(child, "net_of",
                        json_string("the same counted replay against the null allocator"));
    json_object_set_new(child, "passes", json_pack("[s]", "count"));
    json_object_set_new(child, "noisy", json_false());
    json_object_set_new(child, "noisy_reasons", json_array());
    json_object_set_new(
        child, "counts",
        json_pack("{s:o, s:o}", "allocator", values_json(al), "floor", values_json(fl)));
    return json_pack("{s:o, s:o}", "metrics", metrics, "child", child);
}

/* A warm-up replay (warm), then the counted one, read as `label`. 0 or the exit status. */
static int counted(ab_replay *r, const ab_allocator *a, int warm, const char *who, ab_icount *c,
                   const char *label, ab_icount_values *out)
{
    ab_replay_failure fail;
    if ((warm && ab_replay_count_pass(r, a, NULL, &fail) != 0) ||
        ab_replay_count_pass(r, a, c, &fail) != 0) {
        fprintf(stderr, "alignbench-runner replay: %s: %s\n", who, fail.msg);
        return fail.op == UINT64_MAX ? AB_RUNNER_EXIT_FAILED : AB_RUNNER_EXIT_CORRECTNESS;
    }
    char err[512];
    if (ab_icount_read(c, label, out, err, sizeof err) != 0) {
        fprintf(stderr, WHO ": %s\n", err);
        return AB_RUNNER_EXIT_FAILED;
    }
    return 0;
}

int runner_count(const ab_runner_ctx *ctx, const replay_args *a, const ab_trace *trace,
                 unsigned nthreads)
{
    if (nthreads > 1) {
        fprintf(stderr,
                WHO ": the trace has %u threads; instructions are counted on one-thread traces "
                    "only (the interleaving of threads is not repeatable)\n",
                nthreads);
        return AB_RUNNER_EXIT_USAGE;
    }
    char err[512];
    ab_icount c;
    if (ab_icount_open(&c, a->count, a->callgrind_out, err, sizeof err) != 0) {
        fprintf(stderr, WHO " %s: %s\n", ab_icount_source_name(a->count), err);
        return AB_RUNNER_EXIT_FAILED;
    }
    int rc = AB_RUNNER_EXIT_FAILED;
    json_t *run = NULL;
    ab_replay *r = ab_replay_create(trace, ctx->alloc, &a->opts, err, sizeof err);
    if (!r) {
        fprintf(stderr, "alignbench-runner replay: %s\n", err);
        goto out;
    }
    const ab_trace_scan *scan = ab_replay_scan(r);
    unsigned served_max = scan->max_align_log2;
    if (a->opts.lower_align && ((size_t)1 << served_max) > a->opts.lower_align)
        served_max = (unsigned)__builtin_ctz(a->opts.lower_align);
    if (ab_null_prepare_threads(scan->max_size, (size_t)1 << served_max, 0) != 0) {
        fprintf(stderr, "alignbench-runner replay: cannot map the null allocator's block\n");
        goto out;
    }
    ab_icount_values al, fl;
    ab_icount_begin(&c);
    /* the floor needs no warm-up of its own: the null allocator keeps no state, and the
     * harness's tables are warm from the allocator's replays (the time under valgrind is the
     * cost of this mode) */
    rc = counted(r, ctx->alloc, 1, ctx->alloc_name, &c, "allocator", &al);
    if (!rc)
        rc = counted(r, &ab_null_allocator, 0, "null (floor)", &c, "floor", &fl);
    if (rc)
        goto out;
    rc = AB_RUNNER_EXIT_FAILED;
    ab_run_record rec = {.opts = &a->opts,
                         .trace = trace,
                         .trace_path = a->trace,
                         .scan = scan,
                         .alloc = ctx->alloc,
                         .alloc_name = ctx->alloc_name,
                         .lib_path = ctx->lib_path,
                         .cpu = a->cpu};
    run = count_json(&rec, a->count, &al, &fl);
    if (ab_run_record_write(a->out, run) != 0)
        goto out;
    rc = AB_RUNNER_EXIT_OK;
out:
    json_decref(run);
    ab_null_release();
    ab_replay_destroy(r);
    ab_icount_close(&c);
    return rc;
}
