/* test_run_e2e.c: `alignbench run` end to end, through the real runner.
 *
 *   test_run_e2e ALIGNBENCH PLUGIN_SO
 *
 * Checks: --help; every bad option is a non-zero exit naming the problem, before anything is
 * created; a small run (three allocators x simd, 2 repetitions, with the natural-alignment
 * baseline) gives a results.json that parses, is complete, has the expected runs and cells and
 * context, and a results.csv with one row per run; a reused run id is refused; a crashing, a
 * hanging and a failing child each become a row with that status while the others go on (needs
 * a preloadable plug-in: skipped, saying why, in a sanitizer build); SIGTERM mid-run leaves a
 * valid results.json with "complete": false, exit 143 and no runner child behind.
 */
#include "tests/check.h"
#include "tests/slurp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *alignbench, *plugin;
static char work[] = "/tmp/ab-test-run-XXXXXX";
static char out_text[65536], err_text[65536];

static pid_t start(const char *const *args)
{
    const char *argv[64];
    int k = 0;
    argv[k++] = alignbench;
    argv[k++] = "run";
    for (; *args; args++)
        argv[k++] = *args;
    argv[k] = NULL;
    char out[512], err[512];
    snprintf(out, sizeof out, "%s/stdout", work);
    snprintf(err, sizeof err, "%s/stderr", work);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, alignbench, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 && pid > 0 ? pid : -1;
}

/* Exit status, or 128 + signal. Leaves the output in out_text/err_text. */
static int finish(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    char path[512];
    snprintf(path, sizeof path, "%s/stdout", work);
    slurp_into(path, out_text, sizeof out_text);
    snprintf(path, sizeof path, "%s/stderr", work);
    slurp_into(path, err_text, sizeof err_text);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run(const char *const *args)
{
    pid_t pid = start(args);
    return pid <= 0 ? -1 : finish(pid);
}

static json_t *load(const char *run_id)
{
    char path[512];
    snprintf(path, sizeof path, "%s/out/%s/results.json", work, run_id);
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e);
    if (!doc)
        fprintf(stderr, "%s: %s\n", path, e.text);
    return doc;
}

static int csv_lines(const char *run_id)
{
    char path[512], line[65536];
    snprintf(path, sizeof path, "%s/out/%s/results.csv", work, run_id);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int n = 0;
    while (fgets(line, sizeof line, f))
        n++;
    fclose(f);
    return n;
}

static const json_t *find_run(const json_t *doc, const char *alloc)
{
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(doc, "runs"), i, r)
    {
        if (!strcmp(json_string_value(json_object_get(r, "allocator")), alloc))
            return r;
    }
    return NULL;
}

static int status_is(const json_t *run, const char *status)
{
    const char *s = json_string_value(json_object_get(run, "status"));
    return s && !strcmp(s, status);
}

static void help_and_bad_options(void)
{
    CHECK(run((const char *[]){"--help", NULL}) == 0 &&
              strstr(out_text, "usage: alignbench run") != NULL,
          "help");
    struct {
        const char *args[4];
        const char *says;
    } bad[] = {
        {{"--reps", "0"}, "--reps"},
        {{"--reps", "-3"}, "--reps"},
        {{"--reps", "lots"}, "--reps"},
        {{"--scale", "-1"}, "--scale"},
        {{"--scale", "1e9"}, "--scale"},
        {{"--alloc", "nosuch"}, "unknown allocator 'nosuch'"},
        {{"--workload", "nosuch"}, "unknown workload 'nosuch'"},
        {{"--touch", "maybe"}, "--touch"},
        {{"--timeout", "-5"}, "--timeout"},
        {{"--mem-limit", "12"}, "--mem-limit"},
        {{"--natural-baseline", "sometimes"}, "--natural-baseline"},
        {{"--out", "/proc/ab-cannot-exist/results"}, "cannot write to the output folder"},
        {{"--run-id", "../escape"}, "--run-id"},
        {{"--trace", "/nonexistent/x.abtrace"}, "cannot read trace file"},
        {{"--bogus"}, "unknown option '--bogus'"},
        {{"--reps"}, "needs a value"},
        {{"stray"}, "unexpected argument 'stray'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[128];
        snprintf(name, sizeof name, "bad-option %s %s", bad[i].args[0],
                 bad[i].args[1] ? bad[i].args[1] : "");
        int rc = run(bad[i].args);
        CHECK(rc == 2 && strstr(err_text, bad[i].says) != NULL, "%s", name);
    }
    /* A file that is not a trace. */
    char junk[512];
    snprintf(junk, sizeof junk, "%s/junk.abtrace", work);
    FILE *f = fopen(junk, "w");
    fputs("this is not a trace\n", f);
    fclose(f);
    CHECK(run((const char *[]){"--trace", junk, "--no-plots", NULL}) == 2 &&
              strstr(err_text, "is not valid") != NULL,
          "bad-trace-file");
    char out[512];
    snprintf(out, sizeof out, "%s/out", work);
    DIR *d = opendir(out);
    int entries = 0;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            entries += e->d_name[0] != '.';
        closedir(d);
    }
    CHECK(entries == 0, "bad-options-create-no-run-folder");
}

static void small_run(void)
{
    char out[512];
    snprintf(out, sizeof out, "%s/out", work);
    const char *args[] = {"--alloc",    "malloc,aligned_malloc,bump",
                          "--workload", "simd",
                          "--reps",     "2",
                          "--scale",    "0.05",
                          "--out",      out,
                          "--run-id",   "small",
                          "--quiet",    NULL};
    int rc = run(args);
    CHECK(rc == 0, "small-run-exit-0");
    if (rc != 0)
        fprintf(stderr, "%s", err_text);
    json_t *doc = load("small");
    CHECK(doc != NULL, "small-run-json-parses");
    if (!doc)
        return;
    CHECK(!strcmp(json_string_value(json_object_get(doc, "schema")), "alignbench-results") &&
              json_integer_value(json_object_get(doc, "version")) == 1,
          "small-run-schema");
    CHECK(json_is_true(json_object_get(doc, "complete")), "small-run-complete");
    const json_t *runs = json_object_get(doc, "runs"), *cells = json_object_get(doc, "cells");
    /* bump returns memory only at a scope reset and simd frees without scopes: not applicable,
     * so no run, and a cell that says why */
    CHECK(json_array_size(runs) == 2 * 2, "small-run-runs");
    CHECK(json_array_size(cells) == 3, "small-run-cells");
    const json_t *na = json_object_get(json_object_get(doc, "config"), "not_applicable");
    CHECK(json_array_size(na) == 1 &&
              !strcmp(json_string_value(json_object_get(json_array_get(na, 0), "allocator")),
                      "bump") &&
              json_is_string(json_object_get(json_array_get(cells, 2), "not_applicable")) &&
              json_integer_value(json_object_get(json_array_get(cells, 2), "n_runs")) == 0,
          "small-run-bump-not-applicable");
    size_t i;
    const json_t *r;
    int all_ok = 1, baselines = 1, costs = 1, reps_seen = 0;
    json_array_foreach(runs, i, r)
    {
        all_ok &= status_is(r, "ok");
        baselines &= status_is(json_object_get(r, "baseline"), "ok");
        costs &= json_is_number(json_object_get(json_object_get(r, "metrics"), "align_cost_bytes"));
        reps_seen |= 1 << json_integer_value(json_object_get(r, "rep"));
    }
    CHECK(all_ok, "small-run-all-ok");
    CHECK(reps_seen == (1 << 1 | 1 << 2), "small-run-reps-1-and-2");
    CHECK(baselines, "small-run-natural-baseline");
    CHECK(costs, "small-run-align-cost");
    const json_t *c;
    int cells_ok = 1;
    json_array_foreach(cells, i, c)
    {
        if (json_object_get(c, "not_applicable"))
            continue;
        const json_t *m = json_object_get(json_object_get(c, "metrics"), "ns_per_op");
        double med = json_number_value(json_object_get(m, "median"));
        cells_ok &= json_integer_value(json_object_get(c, "n_ok")) == 2 &&
                    json_integer_value(json_object_get(m, "n")) == 2 &&
                    json_number_value(json_object_get(m, "min")) <= med &&
                    med <= json_number_value(json_object_get(m, "max")) &&
                    json_is_boolean(json_object_get(c, "noisy"));
    }
    CHECK(cells_ok, "small-run-cell-stats");
    const json_t *ctx = json_object_get(doc, "context");
    CHECK(json_is_string(json_object_get(ctx, "kernel")) &&
              json_is_string(json_object_get(ctx, "glibc")) &&
              json_is_string(json_object_get(ctx, "date")) &&
              json_is_string(json_object_get(ctx, "compiler")) &&
              json_is_number(json_object_get(ctx, "tsc_hz")) &&
              json_object_size(json_object_get(ctx, "allocators")) == 2,
          "small-run-context");
    const json_t *w = json_array_get(json_object_get(doc, "workloads"), 0);
    char trace[512];
    snprintf(trace, sizeof trace, "%s/out/small/%s", work,
             json_string_value(json_object_get(w, "trace")));
    CHECK(access(trace, R_OK) == 0, "small-run-trace-kept");
    CHECK(csv_lines("small") == 1 + 2 * 2, "small-run-csv-rows");
    char report[512];
    snprintf(report, sizeof report, "%s/out/small/report.html", work);
    CHECK(access(report, R_OK) == 0, "small-run-report");
    json_decref(doc);

    CHECK(run(args) == 2 && strstr(err_text, "already exists") != NULL, "run-id-reuse-refused");

    /* The run's own trace, replayed again as a user trace (--trace): named after the file. */
    const char *targs[] = {"--alloc",    "malloc",  "--trace", trace,      "--reps",
                           "1",          "--out",   out,       "--run-id", "user-trace",
                           "--no-plots", "--quiet", NULL};
    CHECK(run(targs) == 0, "user-trace-run");
    json_t *tdoc = load("user-trace");
    const json_t *tw = tdoc ? json_array_get(json_object_get(tdoc, "workloads"), 0) : NULL;
    CHECK(tw && !strcmp(json_string_value(json_object_get(tw, "name")), "simd") &&
              !strcmp(json_string_value(json_object_get(tw, "source")), "file") &&
              json_array_size(json_object_get(tdoc, "workloads")) == 1,
          "user-trace-described");
    CHECK(tdoc && status_is(json_array_get(json_object_get(tdoc, "runs"), 0), "ok"),
          "user-trace-ran");
    json_decref(tdoc);
}

static void misbehaving_children(void)
{
    const char *asan = getenv("AB_SANITIZED_BUILD");
    if (asan && !strcmp(asan, "1")) {
        printf("skip misbehaving-children: sanitizer build, where ASan owns malloc and no "
               "plug-in can be preloaded into the runner\n");
        return;
    }
    char out[512], spec[600];
    snprintf(out, sizeof out, "%s/out", work);
    static const struct {
        const char *mode, *status, *run_id;
    } cases[] = {
        {"crash", "crashed", "crash"}, {"hang", "timeout", "hang"}, {"fail", "failed", "fail"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(spec, sizeof spec, "malloc,bad=%s", plugin);
        setenv("AB_TEST_PLUGIN_MODE", cases[i].mode, 1);
        const char *args[] = {"--alloc", spec,      "--workload", "rpc",           "--reps",
                              "1",       "--scale", "0.02",       "--timeout",     "2",
                              "--out",   out,       "--run-id",   cases[i].run_id, "--no-plots",
                              "--quiet", NULL};
        int rc = run(args);
        unsetenv("AB_TEST_PLUGIN_MODE");
        char name[64];
        snprintf(name, sizeof name, "%s-child-run-goes-on", cases[i].mode);
        CHECK(rc == 0, "%s", name);
        json_t *doc = load(cases[i].run_id);
        const json_t *bad = doc ? find_run(doc, "bad") : NULL;
        const json_t *good = doc ? find_run(doc, "malloc") : NULL;
        snprintf(name, sizeof name, "%s-child-status-%s", cases[i].mode, cases[i].status);
        CHECK(bad && status_is(bad, cases[i].status), "%s", name);
        snprintf(name, sizeof name, "%s-child-others-ok", cases[i].mode);
        CHECK(good && status_is(good, "ok"), "%s", name);
        snprintf(name, sizeof name, "%s-child-error-says-why", cases[i].mode);
        CHECK(bad && json_is_string(json_object_get(bad, "error")), "%s", name);
        if (!strcmp(cases[i].mode, "crash"))
            CHECK(bad && json_integer_value(json_object_get(bad, "signal")) == SIGSEGV,
                  "crash-child-signal");
        if (!strcmp(cases[i].mode, "fail"))
            CHECK(
                bad && json_integer_value(json_object_get(bad, "exit_code")) == 9 &&
                    strstr(json_string_value(json_object_get(bad, "error")), "refusing on purpose"),
                "fail-child-exit-code-and-stderr");
        json_decref(doc);
    }
}

/* pids of the children of pid (from /proc), into v; returns how many. */
static int children_of(pid_t parent, pid_t *v, int max)
{
    int n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && n < max) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        char *rp = strrchr(buf, ')'), state;
        long ppid;
        if (rp && sscanf(rp + 1, " %c %ld", &state, &ppid) == 2 && ppid == parent)
            v[n++] = (pid_t)pid;
    }
    if (d)
        closedir(d);
    return n;
}

static void interrupted_run(void)
{
    char out[512], results[600];
    snprintf(out, sizeof out, "%s/out", work);
    snprintf(results, sizeof results, "%s/intr/results.json", out);
    const char *args[] = {"--alloc",  "malloc",  "--workload", "rpc",     "--reps",
                          "200",      "--scale", "0.05",       "--out",   out,
                          "--run-id", "intr",    "--no-plots", "--quiet", NULL};
    pid_t pid = start(args);
    CHECK(pid > 0, "interrupted-run-started");
    if (pid <= 0) /* never kill(-1, ...) */
        return;
    /* Wait (up to a minute) until at least one run is recorded, then interrupt. */
    json_t *doc = NULL;
    for (int i = 0; i < 600; i++) {
        struct timespec nap = {0, 100 * 1000 * 1000};
        nanosleep(&nap, NULL);
        json_error_t e;
        doc = json_load_file(results, 0, &e);
        if (doc && json_array_size(json_object_get(doc, "runs")) >= 1)
            break;
        json_decref(doc);
        doc = NULL;
    }
    json_decref(doc);
    pid_t kids[16];
    int nkids = children_of(pid, kids, 16);
    kill(pid, SIGTERM);
    int rc = finish(pid);
    CHECK(rc == 143, "interrupted-exit-143");
    CHECK(strstr(err_text, "interrupted") != NULL, "interrupted-says-so");
    doc = load("intr");
    CHECK(doc != NULL, "interrupted-json-valid");
    size_t nruns = json_array_size(json_object_get(doc, "runs"));
    CHECK(doc && json_is_false(json_object_get(doc, "complete")), "interrupted-incomplete");
    CHECK(nruns >= 1 && nruns < 200, "interrupted-keeps-runs");
    CHECK(csv_lines("intr") == 1 + (int)nruns, "interrupted-csv-matches");
    int alive = 0;
    for (int k = 0; k < nkids; k++) {
        int gone = 0;
        for (int i = 0; i < 100 && !gone; i++) {
            gone = kill(kids[k], 0) != 0 && errno == ESRCH;
            if (!gone) {
                struct timespec nap = {0, 20 * 1000 * 1000};
                nanosleep(&nap, NULL);
            }
        }
        alive += !gone;
    }
    CHECK(alive == 0, "interrupted-no-child-left");
    json_decref(doc);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_run_e2e ALIGNBENCH PLUGIN_SO\n");
        return 2;
    }
    alignbench = argv[1];
    plugin = argv[2];
    if (!mkdtemp(work)) {
        perror("mkdtemp");
        return 1;
    }
    help_and_bad_options();
    small_run();
    misbehaving_children();
    interrupted_run();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
    if (check_failures == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", work);
    CHECK_DONE();
}
