/* cmd_run.c: `alignbench run`, the orchestrator (docs/running.md).
 *
 * It never measures in its own process. In order:
 *   1. validate every option (run_options.c) and the allocator choice (alloc_select.h);
 *   2. generate the workload traces into RUN_DIR/traces/ and validate them (and any --trace);
 *   3. warn about the settings that add noise (environment.h; even with --quiet), then pin
 *      itself to one CPU and every runner child to another (the last allowed CPU);
 *   4. run the schedule (schedule.h): rounds x (allocator, workload), each slot a fresh
 *      `alignbench-runner replay` child (child.h), or for a --program workload the program
 *      itself under the allocator (program_run.h); a child that crashes, times out, fails or
 *      refuses becomes a runs[] row saying so and the others go on;
 *   5. after every run, recompute the cells (aggregate.h) and rewrite results.json/csv
 *      atomically (results_write.h), so an interruption loses at most the run in flight;
 *   6. print the summary (summary.h) and render charts and report.html (report.h).
 * SIGINT/SIGTERM (run_signals.h) kill the child in flight; the results so far are written with
 * "complete": false and the exit status is 128 + the signal.
 */
#include "allocators/allocator.h"
#include "harness/analysis/aggregate.h"
#include "harness/orchestrator/alloc_select.h"
#include "harness/orchestrator/cell_filter.h"
#include "harness/orchestrator/child.h"
#include "harness/cli/commands.h"
#include "harness/common/error_message.h"
#include "harness/common/exit_codes.h"
#include "harness/orchestrator/context.h"
#include "harness/orchestrator/count_child.h"
#include "harness/orchestrator/environment.h"
#include "harness/orchestrator/locate.h"
#include "harness/orchestrator/program_run.h"
#include "harness/orchestrator/program_serve.h"
#include "harness/orchestrator/progress.h"
#include "harness/report/report.h"
#include "harness/analysis/results_write.h"
#include "harness/cli/run_options.h"
#include "harness/orchestrator/run_record.h"
#include "harness/orchestrator/run_signals.h"
#include "harness/orchestrator/schedule.h"
#include "harness/report/summary.h"
#include "workloads/generators.h"
#include "workloads/trace_io.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ERR_LEN 1024

typedef struct workload {
    char name[64];
    char trace[PATH_MAX]; /* the path handed to the runner */
    int baseline;         /* replay a lowered-alignment copy too */
    unsigned threads;     /* the trace's thread count (the runner gets --threads when > 1) */
    int unscoped_frees;   /* frees or reallocs blocks and has no reset: see not_applicable() */
    const char *command;  /* a --program workload: its command (NULL: a trace) */
} workload;

typedef struct run_state {
    ab_run_options opt;
    ab_alloc_choice *allocs; /* the available ones */
    size_t nallocs;
    workload wl[2 * AB_RUN_MAX_LIST];
    size_t nwl;
    char run_dir[3584]; /* out_dir (< 3000, run_options.c) + / + run_id */
    char runner[PATH_MAX];
    char probe_lib[PATH_MAX]; /* libalignbench-probe.so, when there are programs */
    int child_cpu;
    ab_count_setup count; /* --measure instructions: the counter and its command */
    json_t *doc;          /* the results document; runs and cells live in it */
    ab_cell_filter cells; /* --filter */
} run_state;

/* Prints "alignbench run: MESSAGE" to stderr; returns AB_EXIT_FAILURE (a failed run). */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "alignbench run: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return AB_EXIT_FAILURE;
}

/* fail()'s message, for what the user got wrong; returns AB_EXIT_USAGE. */
#define refuse(...) (fail(__VA_ARGS__), AB_EXIT_USAGE)

/* ---- allocators ---------------------------------------------------------------------------- */

static int choose_allocators(run_state *s, json_t *config)
{
    ab_alloc_choice *all = NULL;
    size_t n = 0;
    char err[ERR_LEN];
    if (ab_alloc_choose(s->opt.alloc_specs, s->opt.nalloc_specs, &all, &n, err, sizeof err) != 0) {
        return refuse("%s", err); /* a bad --alloc */
    }
    s->allocs = calloc(n, sizeof *s->allocs);
    json_t *names = json_array(), *skipped = json_array();
    for (size_t i = 0; i < n; i++) {
        if (all[i].available) {
            s->allocs[s->nallocs++] = all[i];
            json_array_append_new(names, json_string(all[i].name));
        } else {
            if (!s->opt.quiet)
                fprintf(stderr, "alignbench run: skipping %s: %s\n", all[i].name, all[i].why);
            json_array_append_new(skipped,
                                  json_pack("{s:s, s:s}", "name", all[i].name, "why", all[i].why));
        }
    }
    free(all);
    json_object_set_new(config, "allocators", names);
    json_object_set_new(config, "allocators_unavailable", skipped);
    if (s->nallocs == 0)
        return fail("none of the chosen allocators is available here");
    return 0;
}

/* --measure instructions: the counter (count_child.h), refused here when there is none. */
static int choose_counter(run_state *s, json_t *config)
{
    json_object_set_new(config, "measure", json_string(s->opt.count ? "instructions" : "time"));
    if (!s->opt.count)
        return 0;
    char err[ERR_LEN];
    if (ab_count_setup_choose(s->opt.counter, &s->count, err, sizeof err) != 0)
        return refuse("%s", err);
    json_object_set_new(config, "counter", ab_count_config(&s->count));
    return 0;
}

/* ---- cells that are not applicable ---------------------------------------------------------- */

/* Why allocator a cannot run workload w meaningfully (NULL: it can; why is room for a reason).
 * An allocator whose memory comes back only at a scope reset, on a trace that frees blocks
 * without scopes, would reuse nothing: its footprint grows without bound and its time is page
 * faults, which says nothing about it (a program using it would release its blocks by scope).
 * A whole program can only be served by an allocator that replaces malloc (program_serve.h). */
static const char *not_applicable(const run_state *s, unsigned a, unsigned w, char *why, size_t len)
{
    if (s->wl[w].command)
        return ab_program_not_applicable(&s->allocs[a], why, len);
    const ab_allocator *al = ab_allocator_find(s->allocs[a].backend);
    if (al && (al->caps & AB_CAP_RECLAIMS_AT_RESET_ONLY) && s->wl[w].unscoped_frees)
        return "it returns memory only when a scope is reset, and this trace frees blocks "
               "without scopes, so it would never reuse a byte (its time would be page faults of "
               "fresh memory, its footprint the trace's total allocation)";
    return NULL;
}

static int cell_kept(const run_state *s, unsigned a, unsigned w)
{
    return ab_cell_filter_keeps(&s->cells, s->allocs[a].name, s->wl[w].name);
}

/* Drops the slots of the cells --filter leaves out and of the not-applicable cells, and lists
 * the latter in config.not_applicable. */
static void drop_cells(run_state *s, ab_slot *slots, size_t *nslots)
{
    json_t *list = json_array();
    char buf[512];
    for (unsigned a = 0; a < s->nallocs; a++)
        for (unsigned w = 0; w < s->nwl; w++) {
            const char *why = cell_kept(s, a, w) ? not_applicable(s, a, w, buf, sizeof buf) : NULL;
            if (why)
                json_array_append_new(list,
                                      json_pack("{s:s, s:s, s:s}", "allocator", s->allocs[a].name,
                                                "workload", s->wl[w].name, "why", why));
        }
    size_t kept = 0;
    for (size_t i = 0; i < *nslots; i++)
        if (cell_kept(s, slots[i].alloc, slots[i].workload) &&
            !not_applicable(s, slots[i].alloc, slots[i].workload, buf, sizeof buf))
            slots[kept++] = slots[i];
    *nslots = kept;
    json_object_set_new(json_object_get(s->doc, "config"), "not_applicable", list);
}

/* ---- traces ------------------------------------------------------------------------------- */

/* Opens and validates a trace; fills its description for workloads[]. */
static int check_trace(const char *path, workload *w, enum ab_baseline_mode mode, json_t **desc,
                       char *err, size_t errlen)
{
    ab_trace t;
    if (ab_trace_open(path, &t, err, errlen) != 0)
        return -1;
    ab_trace_limits lim;
    ab_trace_limits_default(&lim);
    if (ab_trace_validate(&t, &lim, err, errlen) != 0) {
        ab_trace_close(&t);
        return -1;
    }
    if (t.hdr.op_count == 0) { /* its rows would say "ok" with 0 ns per op */
        ab_trace_close(&t);
        return ab_fail(err, errlen, "it holds no ops (a header only): there is nothing to measure");
    }
    unsigned max_align_log2 = 0;
    int frees = 0, resets = 0;
    for (uint64_t i = 0; i < t.hdr.op_count; i++) {
        if (t.ops[i].kind == AB_OP_ALLOC && t.ops[i].align_log2 > max_align_log2)
            max_align_log2 = t.ops[i].align_log2;
        frees |= t.ops[i].kind == AB_OP_FREE || t.ops[i].kind == AB_OP_REALLOC;
        resets |= t.ops[i].kind == AB_OP_RESET;
    }
    w->unscoped_frees = frees && !resets;
    w->baseline = mode == AB_BASELINE_ON || (mode == AB_BASELINE_AUTO && max_align_log2 > 4);
    w->threads = t.hdr.thread_count > 1 ? t.hdr.thread_count : 1;
    char meta[AB_TRACE_META_MAX + 1];
    snprintf(meta, sizeof meta, "%.*s", AB_TRACE_META_MAX, t.hdr.meta);
    *desc = json_pack("{s:s, s:I, s:I, s:I, s:I, s:s, s:b, s:i}", "name", w->name, "ops",
                      (json_int_t)t.hdr.op_count, "peak_live_bytes",
                      (json_int_t)t.hdr.peak_live_bytes, "max_live_ids",
                      (json_int_t)t.hdr.max_live_ids, "max_align", (json_int_t)1 << max_align_log2,
                      "meta", meta, "natural_baseline", w->baseline, "threads", (int)w->threads);
    ab_trace_close(&t);
    return *desc ? 0 : -1;
}

/* Whether --filter keeps any cell of the workload called name. */
static int workload_wanted(const run_state *s, const char *name)
{
    for (size_t a = 0; a < s->nallocs; a++)
        if (ab_cell_filter_keeps(&s->cells, s->allocs[a].name, name))
            return 1;
    return 0;
}

static int name_taken(const run_state *s, const char *name)
{
    for (size_t i = 0; i < s->nwl; i++)
        if (!strcmp(s->wl[i].name, name))
            return 1;
    return 0;
}

/* User traces first (before anything is created), named after their file. */
static int check_user_traces(run_state *s, json_t *workloads)
{
    for (size_t i = 0; i < s->opt.ntraces; i++) {
        workload *w = &s->wl[s->nwl];
        const char *base = strrchr(s->opt.traces[i], '/');
        base = base ? base + 1 : s->opt.traces[i];
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(base, "."), base);
        snprintf(w->name, sizeof w->name, "%s", name[0] ? name : "trace");
        for (int k = 2; name_taken(s, w->name); k++)
            snprintf(w->name, sizeof w->name, "%.40s-%d", name, k);
        if (!workload_wanted(s, w->name))
            continue;
        if (!realpath(s->opt.traces[i], w->trace))
            return refuse("cannot read trace '%s': %s", s->opt.traces[i], strerror(errno));
        char err[ERR_LEN];
        json_t *desc;
        if (check_trace(w->trace, w, s->opt.baseline, &desc, err, sizeof err) != 0)
            return refuse("trace '%s' is not valid: %s", s->opt.traces[i], err);
        json_object_set_new(desc, "kind", json_string("trace"));
        json_object_set_new(desc, "source", json_string("file"));
        json_object_set_new(desc, "trace", json_string(w->trace));
        json_array_append_new(workloads, desc);
        s->nwl++;
    }
    return 0;
}

/* The --program workloads, named by their NAME= (checked before anything is created). */
static int add_programs(run_state *s, json_t *workloads)
{
    if (s->opt.nprograms == 0)
        return 0;
    if (ab_locate(AB_INSTALL_RECORDER_REL, NULL, "libalignbench-probe.so", s->probe_lib,
                  sizeof s->probe_lib) != 0)
        return fail("cannot find the malloc probe libalignbench-probe.so (looked for %s)",
                    s->probe_lib);
    for (size_t i = 0; i < s->opt.nprograms; i++) {
        const char *spec = s->opt.programs[i], *eq = strchr(spec, '=');
        if (s->nwl >= sizeof s->wl / sizeof s->wl[0])
            return refuse("too many workloads (%zu at most)", sizeof s->wl / sizeof s->wl[0]);
        workload *w = &s->wl[s->nwl];
        snprintf(w->name, sizeof w->name, "%.*s", (int)(eq - spec), spec);
        if (name_taken(s, w->name))
            return refuse("--program %s: the name %s is taken by another workload", spec, w->name);
        if (!workload_wanted(s, w->name))
            continue;
        w->command = eq + 1;
        w->threads = 1;
        char shell_cmd[8192];
        ab_program_shell_command(w->command, shell_cmd, sizeof shell_cmd);
        json_array_append_new(workloads,
                              json_pack("{s:s, s:s, s:s, s:s, s:b, s:i}", "name", w->name, "kind",
                                        "program", "command", w->command, "shell_command",
                                        shell_cmd, "natural_baseline", 0, "threads", 1));
        s->nwl++;
    }
    return 0;
}

/* A generated workload's name: NAME, or NAME-tN with --threads. */
static void generated_name(const run_state *s, const ab_generator *g, unsigned threads, char *buf,
                           size_t len)
{
    if (s->opt.nthreads)
        snprintf(buf, len, "%s-t%u", g->name, threads);
    else
        snprintf(buf, len, "%s", g->name);
}

/* One generated workload (each thread count its own trace), unless --filter leaves out all its
 * cells. */
static int generate_one(run_state *s, const ab_generator *g, unsigned threads, json_t *workloads)
{
    workload *w = &s->wl[s->nwl];
    generated_name(s, g, threads, w->name, sizeof w->name);
    if (name_taken(s, w->name) || !workload_wanted(s, w->name))
        return 0;
    char rel[128];
    snprintf(rel, sizeof rel, "traces/%s.abtrace", w->name);
    snprintf(w->trace, sizeof w->trace, "%s/%s", s->run_dir, rel);
    ab_gen_params p = {.seed = s->opt.seed, .scale = s->opt.scale, .threads = threads};
    char err[ERR_LEN];
    if (g->generate(&p, w->trace, err, sizeof err) != 0)
        return fail("generating workload %s failed: %s", w->name, err);
    json_t *desc;
    if (check_trace(w->trace, w, s->opt.baseline, &desc, err, sizeof err) != 0)
        return fail("generated trace %s is not valid: %s", w->name, err);
    json_object_set_new(desc, "kind", json_string("trace"));
    json_object_set_new(desc, "source", json_string("generated"));
    json_object_set_new(desc, "generator", json_string(g->name));
    json_object_set_new(desc, "trace", json_string(rel));
    json_object_set_new(desc, "seed", json_integer((json_int_t)s->opt.seed));
    json_object_set_new(desc, "scale", json_real(s->opt.scale));
    json_array_append_new(workloads, desc);
    s->nwl++;
    return 0;
}

static int generate_traces(run_state *s, json_t *workloads)
{
    for (size_t i = 0; i < s->opt.nworkloads; i++) {
        const ab_generator *g = ab_generator_find(s->opt.workloads[i]);
        size_t n = s->opt.nthreads ? s->opt.nthreads : 1;
        for (size_t k = 0; k < n; k++) {
            if (s->nwl >= sizeof s->wl / sizeof s->wl[0])
                return fail("too many workloads (%zu at most)", sizeof s->wl / sizeof s->wl[0]);
            int rc = generate_one(s, g, s->opt.nthreads ? s->opt.threads[k] : 1, workloads);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Whether allocator a has a cell --filter keeps: with a workload already known (a trace, a
 * program) or with one still to be generated. */
static int alloc_wanted(const run_state *s, size_t a)
{
    for (size_t w = 0; w < s->nwl; w++)
        if (ab_cell_filter_keeps(&s->cells, s->allocs[a].name, s->wl[w].name))
            return 1;
    for (size_t i = 0; i < s->opt.nworkloads; i++) {
        const ab_generator *g = ab_generator_find(s->opt.workloads[i]);
        for (size_t k = 0; k < (s->opt.nthreads ? s->opt.nthreads : 1); k++) {
            char name[64];
            generated_name(s, g, s->opt.nthreads ? s->opt.threads[k] : 1, name, sizeof name);
            if (ab_cell_filter_keeps(&s->cells, s->allocs[a].name, name))
                return 1;
        }
    }
    return 0;
}

/* Keeps the allocators that have a cell --filter keeps (config.allocators too); none is a usage
 * error, said before anything is created. */
static int filter_allocators(run_state *s, json_t *config)
{
    if (!s->cells.set)
        return 0;
    size_t kept = 0;
    json_t *names = json_array();
    for (size_t a = 0; a < s->nallocs; a++)
        if (alloc_wanted(s, a)) {
            json_array_append_new(names, json_string(s->allocs[a].name));
            s->allocs[kept++] = s->allocs[a];
        }
    s->nallocs = kept;
    json_object_set_new(config, "allocators", names);
    if (kept == 0)
        return refuse("--filter '%s' keeps none of this run's cells (a cell is ALLOC/WORKLOAD, "
                      "e.g. malloc/rpc; `alignbench run --list` prints them)",
                      s->opt.filter);
    return 0;
}

/* ---- CPU placement ------------------------------------------------------------------------- */

/* Children go to the last allowed CPU; with two or more, the orchestrator takes the first. */
static void place_cpus(run_state *s, json_t *config)
{
    cpu_set_t set;
    int first = -1, last = -1, count = 0;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int c = 0; c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, &set)) {
                if (first < 0)
                    first = c;
                last = c;
                count++;
            }
    }
    s->child_cpu = last;
    int pinned = 0;
    if (count >= 2) {
        CPU_ZERO(&set);
        CPU_SET(first, &set);
        pinned = sched_setaffinity(0, sizeof set, &set) == 0;
    }
    json_object_set_new(config, "child_cpu", last >= 0 ? json_integer(last) : json_null());
    json_object_set_new(config, "orchestrator_cpu", pinned ? json_integer(first) : json_null());
}

/* ---- one run ------------------------------------------------------------------------------ */

/* An empty log says nothing: keep only logs with content. */
static void remove_if_empty(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size == 0)
        unlink(path);
}

/* Records what a runner said about its allocator and clock (its "child" object) into the
 * context. */
static void note_context(run_state *s, const ab_alloc_choice *a, const json_t *row)
{
    json_t *ctx = json_object_get(s->doc, "context");
    const json_t *child = json_object_get(row, "child");
    const char *version = json_string_value(json_object_get(child, "allocator_version"));
    const char *library = json_string_value(json_object_get(child, "library"));
    const char *env[AB_ALLOC_MAX_SETTINGS + 1];
    ab_alloc_env(a, env);
    ab_context_add_allocator(ctx, a->name, a->backend, version, library ? library : a->lib, env);
    ab_context_set_clock(ctx, child);
}

/* Runs one slot of a --program workload (program_run.h). Returns 0 when a row was recorded, 1
 * when interrupted (nothing recorded). */
static int run_program_slot(run_state *s, const ab_slot *slot, const char *what,
                            ab_progress *progress)
{
    const ab_alloc_choice *a = &s->allocs[slot->alloc];
    const workload *w = &s->wl[slot->workload];
    char log_path[PATH_MAX], probe_path[PATH_MAX];
    snprintf(log_path, sizeof log_path, "%s/logs/%s-%s-r%u.log", s->run_dir, a->name, w->name,
             slot->round + 1);
    snprintf(probe_path, sizeof probe_path, "%s/tmp/%s-%s-r%u.probe", s->run_dir, a->name, w->name,
             slot->round + 1);
    ab_program_spec spec = {.alloc = a,
                            .name = w->name,
                            .command = w->command,
                            .probe_lib = s->probe_lib,
                            .log_path = log_path,
                            .probe_path = probe_path,
                            .timeout_s = s->opt.timeout_s,
                            .mem_limit = s->opt.mem_limit,
                            .ok_status = s->opt.ok_status,
                            .n_ok_status = s->opt.n_ok_status,
                            .rep = slot->round + 1};
    ab_progress_begin(progress, what);
    ab_child_result r;
    json_t *row = ab_program_run(&spec, &r);
    if (ab_run_interrupted()) {
        json_decref(row);
        remove_if_empty(log_path);
        return 1;
    }
    const char *status = json_string_value(json_object_get(row, "status"));
    ab_progress_end(progress, what, status, r.wall_s);
    if (strcmp(status, "ok") != 0) {
        ab_progress_note(progress, "alignbench run: %s: %s: %s (log: %s)", what, status,
                         json_string_value(json_object_get(row, "error")), log_path);
    } else {
        const char *env[AB_ALLOC_MAX_SETTINGS + 1];
        ab_alloc_env(a, env);
        ab_context_add_allocator(json_object_get(s->doc, "context"), a->name, a->backend, NULL,
                                 json_string_value(json_object_get(row, "served_by")), env);
    }
    remove_if_empty(log_path);
    if (access(log_path, F_OK) != 0)
        json_object_set_new(row, "log", json_null());
    json_array_append_new(json_object_get(s->doc, "runs"), row);
    return 0;
}

static void slot_name(const run_state *s, const ab_slot *slot, char *buf, size_t len)
{
    snprintf(buf, len, "%s x %s, rep %u/%u%s", s->allocs[slot->alloc].name,
             s->wl[slot->workload].name, slot->round + 1, s->opt.reps,
             slot->lowered ? " (alignment lowered to 16)" : "");
}

/* path as seen from the run folder (a generated trace, a run's files), else path itself. */
static const char *relative_to(const run_state *s, const char *path, char *buf, size_t len)
{
    size_t n = strlen(s->run_dir);
    if (strncmp(path, s->run_dir, n) == 0 && path[n] == '/') {
        snprintf(buf, len, "%s", path + n + 1);
        return buf;
    }
    return path;
}

/* Runs one slot. Returns 0 when a row was recorded, 1 when interrupted (nothing recorded). */
static int run_slot(run_state *s, const ab_slot *slot, ab_progress *progress)
{
    if (s->wl[slot->workload].command) {
        char what[256];
        slot_name(s, slot, what, sizeof what);
        return run_program_slot(s, slot, what, progress);
    }
    const ab_alloc_choice *a = &s->allocs[slot->alloc];
    const workload *w = &s->wl[slot->workload];
    char stem[256], out_path[PATH_MAX], log_path[PATH_MAX], stdout_path[PATH_MAX], cpu[16],
        checkpoints[16], what[256];
    snprintf(stem, sizeof stem, "%s-%s-r%u%s", a->name, w->name, slot->round + 1,
             slot->lowered ? "-align16" : "");
    snprintf(out_path, sizeof out_path, "%s/tmp/%s.json", s->run_dir, stem);
    /* Separate files: two descriptors on one file would overwrite each other's output. */
    snprintf(log_path, sizeof log_path, "%s/logs/%s.log", s->run_dir, stem);
    snprintf(stdout_path, sizeof stdout_path, "%s/logs/%s.stdout", s->run_dir, stem);
    snprintf(cpu, sizeof cpu, "%d", s->child_cpu);
    snprintf(checkpoints, sizeof checkpoints, "%u", s->opt.preset->checkpoints);
    const char *argv[56];
    /* counted: paths relative to the run folder, the child's working folder, so the process
     * starts alike in every run (count_argv) */
    char trace_rel[PATH_MAX], out_rel[PATH_MAX], cg_rel[PATH_MAX], cg_opt[PATH_MAX + 32];
    int k0 = 0;
    if (s->opt.count) {
        snprintf(cg_rel, sizeof cg_rel, "tmp/%s.callgrind", stem);
        k0 = ab_count_command(&s->count, cg_rel, cg_opt, sizeof cg_opt, argv);
    }
    int k = k0 + ab_alloc_runner_argv(a, s->runner, "replay", argv + k0);
    char threads[16];
    if (w->threads > 1) { /* an allocator option: bump and rpcss lock for that many threads */
        snprintf(threads, sizeof threads, "%u", w->threads);
        argv[k++] = "--threads";
        argv[k++] = threads;
    }
    argv[k++] = "--trace";
    argv[k++] = s->opt.count ? relative_to(s, w->trace, trace_rel, sizeof trace_rel) : w->trace;
    argv[k++] = "--out";
    argv[k++] = s->opt.count ? relative_to(s, out_path, out_rel, sizeof out_rel) : out_path;
    argv[k++] = "--touch";
    argv[k++] = s->opt.touch;
    argv[k++] = "--checkpoints";
    argv[k++] = checkpoints;
    if (s->child_cpu >= 0) {
        argv[k++] = "--cpu";
        argv[k++] = cpu;
    }
    if (slot->lowered) { /* only what align_cost_* need: footprint and ns_per_op */
        argv[k++] = "--lower-align";
        argv[k++] = "16";
    }
    if (s->opt.cold) { /* nothing touches the allocator before the one timed repetition */
        argv[k++] = "--passes";
        argv[k++] = "batch";
        argv[k++] = "--warmup";
        argv[k++] = "0";
        argv[k++] = "--batch-reps";
        argv[k++] = "1";
    } else if (slot->lowered || s->opt.no_latency) {
        argv[k++] = "--passes";
        argv[k++] = "memory,batch";
    }
    argv[k] = NULL;
    if (s->opt.count)
        k = ab_count_runner_options(&s->count, cg_rel, argv, k);
    const char *env[AB_ALLOC_MAX_SETTINGS + 1];
    ab_alloc_env(a, env);
    char preload[2 * PATH_MAX + 2];
    ab_child_spec spec = {
        .argv = argv,
        .preload = s->opt.count ? ab_count_preload(&s->count, a->lib, preload, sizeof preload)
                   : a->lib[0]  ? a->lib
                                : NULL,
        .env = env,
        .timeout_s = s->opt.timeout_s,
        .mem_limit = s->opt.mem_limit,
        .stdout_path = stdout_path,
        .stderr_path = log_path,
        .no_aslr = s->opt.count,
        .clean_env = s->opt.count,
        .cwd = s->opt.count ? s->run_dir : NULL};
    slot_name(s, slot, what, sizeof what);
    ab_progress_begin(progress, what);
    unlink(out_path);
    ab_child_result r;
    if (ab_child_run(&spec, &r) != 0) {
        memset(&r, 0, sizeof r);
        r.outcome = AB_CHILD_SPAWN_ERROR;
        r.exit_code = errno;
    }
    if (ab_run_interrupted()) {
        unlink(out_path);
        remove_if_empty(log_path);
        remove_if_empty(stdout_path);
        return 1;
    }
    if (s->opt.count) { /* callgrind's last dump, at the child's exit: nothing counted */
        char cg_path[PATH_MAX + 4096];
        snprintf(cg_path, sizeof cg_path, "%s/%s", s->run_dir, cg_rel);
        unlink(cg_path);
    }
    json_t *row = ab_run_row_new(a->name, w->name, slot->round + 1, &r, out_path, log_path);
    json_object_set_new(row, "threads", json_integer(w->threads));
    unlink(out_path);
    const char *status = json_string_value(json_object_get(row, "status"));
    ab_progress_end(progress, what, status, r.wall_s);
    if (strcmp(status, "ok") != 0)
        ab_progress_note(progress, "alignbench run: %s: %s: %s (log: %s)", what, status,
                         json_string_value(json_object_get(row, "error")), log_path);
    else
        note_context(s, a, row);
    json_t *runs = json_object_get(s->doc, "runs");
    if (slot->lowered)
        ab_run_attach_baseline(runs, row);
    else
        json_array_append(runs, row);
    json_decref(row);
    remove_if_empty(log_path);
    remove_if_empty(stdout_path);
    return 0;
}

/* ---- the results document ------------------------------------------------------------------ */

static int write_results(run_state *s, int complete)
{
    json_t *config = json_object_get(s->doc, "config");
    json_object_set_new(s->doc, "complete", json_boolean(complete));
    json_t *cells =
        ab_aggregate_cells(json_object_get(s->doc, "runs"), json_object_get(config, "allocators"),
                           json_object_get(config, "workloads"));
    size_t i;
    json_t *cell;
    json_array_foreach(cells, i, cell)
    {
        const char *name = json_string_value(json_object_get(cell, "workload"));
        const char *alloc = json_string_value(json_object_get(cell, "allocator"));
        if (!ab_cell_filter_keeps(&s->cells, alloc, name)) { /* a hole --filter left */
            json_array_remove(cells, i--);
            continue;
        }
        for (size_t k = 0; name && k < s->nwl; k++)
            if (!strcmp(s->wl[k].name, name)) {
                json_object_set_new(cell, "threads", json_integer(s->wl[k].threads));
                json_object_set_new(cell, "kind",
                                    json_string(s->wl[k].command ? "program" : "trace"));
            }
        size_t k;
        const json_t *na;
        json_array_foreach(json_object_get(config, "not_applicable"), k, na)
        {
            if (alloc && name &&
                !strcmp(json_string_value(json_object_get(na, "allocator")), alloc) &&
                !strcmp(json_string_value(json_object_get(na, "workload")), name))
                json_object_set(cell, "not_applicable", json_object_get(na, "why"));
        }
    }
    json_object_set_new(s->doc, "cells", cells);
    char err[ERR_LEN];
    if (ab_results_write(s->run_dir, s->doc, err, sizeof err) != 0)
        return fail("%s", err);
    return 0;
}

static json_t *make_config(const run_state *s)
{
    static const char *const baseline_names[] = {"auto", "on", "off"};
    const ab_run_options *o = &s->opt;
    return json_pack("{s:i, s:s, s:f, s:I, s:b, s:b, s:b, s:s, s:f, s:I, s:s, s:i, s:s}",
                     "repetitions", (int)o->reps, "mode", o->preset->name, "scale", o->scale,
                     "seed", (json_int_t)o->seed, "shuffle", o->shuffle, "latency_passes",
                     !o->no_latency && !o->cold, "cold", o->cold, "touch", o->touch, "timeout_s",
                     o->timeout_s, "mem_limit", (json_int_t)o->mem_limit, "natural_baseline",
                     baseline_names[o->baseline], "checkpoints", (int)o->preset->checkpoints,
                     "runner", s->runner);
}

/* The exit statuses accepted from programs besides 0 (--program-ok-status). */
static json_t *ok_status_list(const ab_run_options *o)
{
    json_t *list = json_array();
    for (size_t i = 0; i < o->n_ok_status; i++)
        json_array_append_new(list, json_integer(o->ok_status[i]));
    return list;
}

/* Creates the run folder with mkdir, which fails when the folder exists: that is what makes it
 * this run's alone. A default run-id (the UTC second) taken by another run (two runs started in
 * the same second) becomes ID-2, ID-3, ...; a --run-id that exists is refused. */
static int make_run_dir(run_state *s)
{
    char base[sizeof s->opt.run_id];
    snprintf(base, sizeof base, "%s", s->opt.run_id);
    for (unsigned k = 2;; k++) {
        if ((size_t)snprintf(s->run_dir, sizeof s->run_dir, "%s/%s", s->opt.out_dir,
                             s->opt.run_id) >= sizeof s->run_dir)
            return fail("output path too long: %s/%s", s->opt.out_dir, s->opt.run_id);
        if (mkdir(s->run_dir, 0755) == 0)
            break;
        if (errno != EEXIST)
            return fail("cannot create %s: %s", s->run_dir, strerror(errno));
        if (s->opt.run_id_given)
            return refuse("%s already exists; pick another --run-id", s->run_dir);
        if (k > 10000)
            return fail("%s/%s and 9999 numbered folders after it exist already", s->opt.out_dir,
                        base);
        snprintf(s->opt.run_id, sizeof s->opt.run_id, "%.100s-%u", base, k);
    }
    json_object_set_new(s->doc, "run_id", json_string(s->opt.run_id));
    static const char *const subdirs[] = {"traces", "logs", "tmp"};
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", s->run_dir, subdirs[i]);
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return fail("cannot create %s: %s", path, strerror(errno));
    }
    return 0;
}

static void remove_empty_dirs(const run_state *s)
{
    static const char *const subdirs[] = {"tmp", "logs"};
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", s->run_dir, subdirs[i]);
        rmdir(path); /* fails, harmlessly, when not empty */
    }
}

/* ---- --list ------------------------------------------------------------------------------- */

/* `run --list`: the cells the run would make, one ALLOC/WORKLOAD a line on stdout, the
 * not-applicable ones on stderr with the reason. Whether a generated trace suits an allocator
 * depends on its ops, so the traces are generated as the run would (same seed, scale, threads)
 * into a temporary folder, which is removed: nothing is left behind. */
static int list_cells(run_state *s, json_t *workloads)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(s->run_dir, sizeof s->run_dir, "%.3000s/alignbench-list-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    char traces[PATH_MAX];
    if (!mkdtemp(s->run_dir))
        return fail("cannot create a temporary folder %s: %s", s->run_dir, strerror(errno));
    snprintf(traces, sizeof traces, "%s/traces", s->run_dir);
    size_t first_generated = s->nwl;
    int rc = mkdir(traces, 0700) == 0 ? generate_traces(s, workloads)
                                      : fail("cannot create %s: %s", traces, strerror(errno));
    for (size_t w = first_generated; w < s->nwl; w++)
        unlink(s->wl[w].trace);
    rmdir(traces);
    rmdir(s->run_dir);
    if (rc)
        return rc;
    char why[512];
    for (unsigned w = 0; w < s->nwl; w++)
        for (unsigned a = 0; a < s->nallocs; a++) {
            if (!cell_kept(s, a, w))
                continue;
            const char *na = not_applicable(s, a, w, why, sizeof why);
            if (na)
                fprintf(stderr, "alignbench run: not applicable: %s/%s: %s\n", s->allocs[a].name,
                        s->wl[w].name, na);
            else
                printf("%s/%s\n", s->allocs[a].name, s->wl[w].name);
        }
    return fflush(stdout) == 0 ? AB_EXIT_OK : fail("cannot write the list: %s", strerror(errno));
}

/* ---- the command --------------------------------------------------------------------------- */

static int count_ok(const json_t *runs)
{
    int ok = 0;
    size_t i;
    const json_t *r;
    json_array_foreach(runs, i, r)
    {
        const char *st = json_string_value(json_object_get(r, "status"));
        ok += st && !strcmp(st, "ok");
    }
    return ok;
}

/* Program runs that did not finish ok: a program that fails, crashes, hangs or is not served by
 * its allocator fails the whole run (exit 1), after every other run is done. */
static int count_failed_programs(const json_t *runs)
{
    int failed = 0;
    size_t i;
    const json_t *r;
    json_array_foreach(runs, i, r)
    {
        const char *kind = json_string_value(json_object_get(r, "kind"));
        const char *st = json_string_value(json_object_get(r, "status"));
        failed += kind && !strcmp(kind, "program") && (!st || strcmp(st, "ok") != 0);
    }
    return failed;
}

static int orchestrate(run_state *s)
{
    json_t *config = make_config(s);
    json_object_set_new(config, "program_ok_status", ok_status_list(&s->opt));
    json_object_set_new(config, "filter", s->opt.filter ? json_string(s->opt.filter) : json_null());
    json_t *workloads = json_array();
    s->doc = json_object();
    json_object_set_new(s->doc, "schema", json_string("alignbench-results"));
    json_object_set_new(s->doc, "version", json_integer(1));
    json_object_set_new(s->doc, "run_id", json_string(s->opt.run_id));
    json_object_set_new(s->doc, "complete", json_false());
    json_object_set_new(s->doc, "context", ab_context_collect());
    json_object_set_new(s->doc, "config", config);
    json_object_set_new(s->doc, "workloads", workloads);
    json_object_set_new(s->doc, "runs", json_array());
    json_object_set_new(s->doc, "cells", json_array());

    /* Everything the user can get wrong is checked before the run folder exists (exit 2). */
    int rc = choose_counter(s, config);
    if (!rc)
        rc = choose_allocators(s, config);
    if (!rc)
        rc = check_user_traces(s, workloads);
    if (!rc)
        rc = add_programs(s, workloads);
    if (!rc)
        rc = filter_allocators(s, config);
    if (!rc && s->opt.list)
        return list_cells(s, workloads);
    if (!rc)
        rc = make_run_dir(s);
    if (!rc)
        rc = generate_traces(s, workloads);
    if (rc)
        return rc;
    json_t *names = json_array();
    int baseline[2 * AB_RUN_MAX_LIST];
    for (size_t i = 0; i < s->nwl; i++) {
        json_array_append_new(names, json_string(s->wl[i].name));
        baseline[i] = s->wl[i].baseline;
    }
    json_object_set_new(config, "workloads", names);
    /* Like Google Benchmark's "CPU scaling is enabled": said even with --quiet, it matters. */
    if (!s->opt.count) /* counted: ASLR is off in the children and load moves no count */
        ab_env_warn(json_object_get(s->doc, "context"), stderr, "alignbench run: warning: ");
    place_cpus(s, config);

    ab_schedule_params sp = {.rounds = s->opt.reps,
                             .allocs = (unsigned)s->nallocs,
                             .workloads = (unsigned)s->nwl,
                             .baseline = baseline,
                             .shuffle = s->opt.shuffle,
                             .seed = s->opt.seed};
    ab_slot *slots;
    size_t nslots;
    if (ab_schedule_build(&sp, &slots, &nslots) != 0)
        return fail("cannot build the schedule (out of memory)");
    drop_cells(s, slots, &nslots);
    if (write_results(s, 0) != 0) {
        free(slots);
        return AB_EXIT_FAILURE;
    }
    ab_progress progress;
    ab_progress_init(&progress, s->opt.quiet ? NULL : stderr, nslots);
    for (size_t i = 0; i < nslots && !ab_run_interrupted(); i++) {
        if (run_slot(s, &slots[i], &progress) != 0)
            break;
        if (write_results(s, 0) != 0) {
            rc = AB_EXIT_FAILURE;
            break;
        }
    }
    ab_progress_finish(&progress);
    free(slots);
    remove_empty_dirs(s);

    int sig = ab_run_interrupted();
    json_object_set_new(json_object_get(s->doc, "context"), "load_average_end",
                        ab_context_load_average());
    if (rc == 0 && write_results(s, !sig) != 0)
        rc = AB_EXIT_FAILURE;
    if (sig) {
        fprintf(stderr,
                "alignbench run: interrupted by %s; the %d runs done so far are in "
                "%s/results.json (\"complete\": false)\n",
                strsignal(sig), (int)json_array_size(json_object_get(s->doc, "runs")), s->run_dir);
        return AB_EXIT_SIGNAL_BASE + sig;
    }
    if (rc != 0)
        return rc;

    const json_t *runs = json_object_get(s->doc, "runs");
    int ok = count_ok(runs);
    if (!s->opt.quiet) {
        ab_summary_print(stdout, s->doc);
        printf("\n%d of %d runs ok. Results: %s/results.json and results.csv\n", ok,
               (int)json_array_size(runs), s->run_dir);
    }
    if (!s->opt.no_plots) {
        char err[ERR_LEN];
        int failed = ab_report_render(s->run_dir, s->opt.quiet, err, sizeof err) != 0;
        if (ab_run_interrupted()) {
            fprintf(stderr,
                    "alignbench run: interrupted while drawing the charts; the results "
                    "are complete in %s/results.json\n",
                    s->run_dir);
            return AB_EXIT_SIGNAL_BASE + ab_run_interrupted();
        }
        if (failed)
            return fail("the results are written, but the charts and report failed: %s", err);
    }
    if (ok == 0)
        return fail("no run finished ok (see the errors above and %s/logs/)", s->run_dir);
    int failed_programs = count_failed_programs(runs);
    if (failed_programs > 0)
        return fail("%d program run%s did not finish ok (see the errors above, %s/results.json "
                    "and %s/logs/)",
                    failed_programs, failed_programs == 1 ? "" : "s", s->run_dir, s->run_dir);
    return AB_EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
    run_state *s = calloc(1, sizeof *s);
    if (!s)
        return fail("out of memory");
    int rc = ab_run_options_parse(argc, argv, &s->opt);
    if (rc != 0) {
        free(s);
        return rc > 0 ? AB_EXIT_OK : AB_EXIT_USAGE;
    }
    if (ab_runner_path(s->runner, sizeof s->runner) != 0 || access(s->runner, X_OK) != 0) {
        rc = fail("cannot find alignbench-runner next to alignbench (%s)", s->runner);
        free(s);
        return rc;
    }
    char err[ERR_LEN];
    if (ab_cell_filter_init(&s->cells, s->opt.filter, err, sizeof err) != 0) {
        free(s);
        return refuse("--filter: %s", err); /* checked by run_options.c already */
    }
    if (ab_run_signals_start() != 0) {
        free(s);
        return fail("cannot set up signal handling: %s", strerror(errno));
    }
    rc = orchestrate(s);
    ab_run_signals_stop();
    ab_cell_filter_free(&s->cells);
    json_decref(s->doc);
    free(s->allocs);
    free(s);
    return rc;
}
