/* test_results.c: the cells (harness/analysis/aggregate.h) and the results writers
 * (harness/analysis/results_write.h) on a hand-made results document: the aggregates and noisy
 * verdicts a reader relies on, the CSV shape, and that a write that cannot complete is an error
 * naming the file and leaves no temporary behind. */
#include "harness/analysis/aggregate.h"
#include "harness/analysis/results_write.h"
#include "harness/report/summary.h"
#include "tests/check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static json_t *run(const char *alloc, const char *workload, int rep, const char *status, double ns,
                   const char *noisy_reason)
{
    json_t *r = json_pack("{s:s, s:s, s:i, s:i, s:s, s:n, s:n, s:n}", "allocator", alloc,
                          "workload", workload, "rep", rep, "round", rep, "status", status,
                          "exit_code", "signal", "error");
    if (strcmp(status, "ok") == 0) {
        json_object_set_new(r, "metrics",
                            json_pack("{s:f, s:f, s:i}", "ns_per_op", ns, "ns_per_op_net", ns / 2,
                                      "peak_live", 4096));
        json_object_set_new(r, "child", json_pack("{s:[]}", "noisy_reasons"));
        if (noisy_reason)
            json_array_append_new(json_object_get(json_object_get(r, "child"), "noisy_reasons"),
                                  json_string(noisy_reason));
    } else {
        json_object_set_new(r, "error", json_string("runner: \"boom\", at op 7"));
        json_object_set_new(r, "signal", json_integer(11));
        json_object_set_new(r, "metrics", json_object());
    }
    return r;
}

static const json_t *cell(const json_t *cells, const char *alloc, const char *workload)
{
    size_t i;
    const json_t *c;
    json_array_foreach(cells, i, c)
    {
        if (!strcmp(json_string_value(json_object_get(c, "allocator")), alloc) &&
            !strcmp(json_string_value(json_object_get(c, "workload")), workload))
            return c;
    }
    return NULL;
}

static double cell_stat(const json_t *c, const char *metric, const char *s)
{
    return json_number_value(
        json_object_get(json_object_get(json_object_get(c, "metrics"), metric), s));
}

static int has_reason(const json_t *c, const char *needle)
{
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(c, "noisy_reasons"), i, r)
    {
        if (strstr(json_string_value(r), needle))
            return 1;
    }
    return 0;
}

static int count_lines(const char *path, size_t *fields_first, int *same_fields)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[8192];
    int n = 0;
    *same_fields = 1;
    while (fgets(line, sizeof line, f)) {
        /* count fields outside quotes */
        size_t fields = 1;
        int q = 0;
        for (char *p = line; *p; p++) {
            if (*p == '"')
                q = !q;
            else if (*p == ',' && !q)
                fields++;
        }
        if (n == 0)
            *fields_first = fields;
        else if (fields != *fields_first)
            *same_fields = 0;
        n++;
    }
    fclose(f);
    return n;
}

static int leftover_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

/* A full disk: a 64 KiB tmpfs in a private mount namespace (needs root; skipped with a message
 * otherwise). After a good write the disk is filled; the next write must fail naming the file
 * and the reason, keep the previous results.json intact, and leave no temporary. */
static void full_disk(const json_t *doc)
{
    char dir[] = "/tmp/ab-test-full-XXXXXX";
    if (!mkdtemp(dir))
        return;
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0) {
        printf("skip full-disk: cannot mount a tmpfs here (%s; needs root)\n", strerror(errno));
        rmdir(dir);
        return;
    }
    char err[1024] = "", path[256], filler[256];
    CHECK(ab_results_write(dir, doc, err, sizeof err) == 0, "full-disk-first-write");
    snprintf(filler, sizeof filler, "%s/filler", dir);
    int fd = open(filler, O_WRONLY | O_CREAT, 0644);
    char block[4096] = {0};
    while (write(fd, block, sizeof block) > 0)
        ;
    close(fd);
    json_t *bigger = json_deep_copy(doc);
    char *pad = calloc(1, 16384);
    memset(pad, 'x', 16383);
    json_object_set_new(bigger, "padding", json_string(pad));
    free(pad);
    err[0] = '\0';
    CHECK(ab_results_write(dir, bigger, err, sizeof err) == -1, "full-disk-write-fails");
    CHECK(strstr(err, "No space left") != NULL && strstr(err, "results.json"),
          "full-disk-says-why");
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_error_t jerr;
    json_t *back = json_load_file(path, 0, &jerr);
    CHECK(back && json_equal(back, doc), "full-disk-keeps-previous");
    CHECK(leftover_temporaries(dir) == 0, "full-disk-no-temporaries");
    json_decref(back);
    json_decref(bigger);
    umount2(dir, MNT_DETACH);
    rmdir(dir);
}

/* The spread rule judges the raw ns_per_op by its interval's half-width against the median,
 * at AB_NOISY_CI_HALF_RATIO, and nothing else. */
static void check_spread_rule(void)
{
    json_t *runs = json_array();
    /* small-net: raw 99..101 (half-width 1 %), net 2..5 around 3 (half-width 50 %): the net
     * value's relative spread is what a few ns always has; the measurement is fine. */
    double raw[] = {100, 101, 99, 100, 100.5}, net[] = {3, 4, 2, 3, 5};
    /* under / over: median 100, [min, max] half-width 0.9 and 1.1 times the threshold. */
    double r = AB_NOISY_CI_HALF_RATIO;
    double under[] = {100 * (1 - 0.9 * r), 100, 100, 100, 100 * (1 + 0.9 * r)};
    double over[] = {100 * (1 - 1.1 * r), 100, 100, 100, 100 * (1 + 1.1 * r)};
    for (int i = 0; i < 5; i++) {
        json_t *x = run("small-net", "w", i + 1, "ok", raw[i], NULL);
        json_object_set_new(json_object_get(x, "metrics"), "ns_per_op_net", json_real(net[i]));
        json_array_append_new(runs, x);
        json_array_append_new(runs, run("under", "w", i + 1, "ok", under[i], NULL));
        json_array_append_new(runs, run("over", "w", i + 1, "ok", over[i], NULL));
    }
    json_t *allocs = json_pack("[s,s,s]", "small-net", "under", "over");
    json_t *workloads = json_pack("[s]", "w");
    json_t *cells = ab_aggregate_cells(runs, allocs, workloads);
    const json_t *sn = cell(cells, "small-net", "w"), *u = cell(cells, "under", "w");
    const json_t *o = cell(cells, "over", "w");
    CHECK((cell_stat(sn, "ns_per_op_net", "ci_hi") - cell_stat(sn, "ns_per_op_net", "ci_lo")) / 2 /
                  cell_stat(sn, "ns_per_op_net", "median") >
              0.4,
          "small-net-net-spread-is-wide");
    CHECK(json_is_false(json_object_get(sn, "noisy")) &&
              json_array_size(json_object_get(sn, "noisy_reasons")) == 0,
          "small-net-not-noisy");
    CHECK(json_is_false(json_object_get(u, "noisy")), "under-threshold-not-noisy");
    CHECK(json_is_true(json_object_get(o, "noisy")) && has_reason(o, "ns_per_op: interval"),
          "over-threshold-noisy");
    json_decref(cells);
    json_decref(allocs);
    json_decref(workloads);
    json_decref(runs);
}

int main(void)
{
    json_t *runs = json_array();
    /* quiet: |x-100| = {0,1,1,0,0} -> MAD 0 */
    double quiet[] = {100, 101, 99, 100, 100};
    /* wide: median 100, |x-100| = {0,20,20,30,30} -> MAD 20 (20 %) */
    double wide[] = {100, 120, 80, 130, 70};
    for (int i = 0; i < 5; i++) {
        json_array_append_new(runs, run("malloc", "rpc", i + 1, "ok", quiet[i], NULL));
        json_array_append_new(runs, run("jemalloc", "rpc", i + 1, "ok", wide[i], NULL));
    }
    json_array_append_new(runs, run("malloc", "simd", 1, "ok", 50, NULL));
    json_array_append_new(runs, run("malloc", "simd", 2, "ok", 50, "TSC calibrations disagree"));
    json_array_append_new(runs, run("malloc", "simd", 3, "crashed", 0, NULL));
    json_t *allocs = json_pack("[s,s]", "malloc", "jemalloc");
    json_t *workloads = json_pack("[s,s]", "rpc", "simd");

    json_t *cells = ab_aggregate_cells(runs, allocs, workloads);
    CHECK(json_array_size(cells) == 4, "one-cell-per-pair");
    const json_t *q = cell(cells, "malloc", "rpc"), *w = cell(cells, "jemalloc", "rpc");
    const json_t *s = cell(cells, "malloc", "simd"), *empty = cell(cells, "jemalloc", "simd");
    CHECK(cell_stat(q, "ns_per_op", "median") == 100, "quiet-median");
    CHECK(cell_stat(q, "ns_per_op", "min") == 99 && cell_stat(q, "ns_per_op", "max") == 101,
          "quiet-min-max");
    CHECK(cell_stat(q, "ns_per_op", "mad") == 0, "quiet-mad");
    CHECK(cell_stat(q, "ns_per_op", "n") == 5, "quiet-n");
    CHECK(json_is_false(json_object_get(q, "noisy")), "quiet-not-noisy");
    CHECK(cell_stat(q, "ns_per_op_net", "median") == 50, "net-aggregated-too");
    CHECK(cell_stat(w, "ns_per_op", "mad") == 20, "wide-mad");
    /* 5 repetitions: the interval is [min, max] = [70, 130], covering the median at
     * 1 - 2/2^5 = 93.75 %. */
    CHECK(cell_stat(w, "ns_per_op", "ci_lo") == 70 && cell_stat(w, "ns_per_op", "ci_hi") == 130,
          "wide-ci-is-min-max");
    CHECK(cell_stat(w, "ns_per_op", "ci_coverage") == 0.9375, "wide-ci-coverage");
    CHECK(!json_object_get(json_object_get(json_object_get(w, "metrics"), "ns_per_op"), "ci95_lo"),
          "no-old-interval-fields");
    char why[160];
    snprintf(why, sizeof why, "ns_per_op: interval half-width 30.0 %% of the median > %.3g %%",
             100 * AB_NOISY_CI_HALF_RATIO);
    CHECK(json_is_true(json_object_get(w, "noisy")) && has_reason(w, why), "wide-noisy");
    CHECK(json_array_size(json_object_get(w, "noisy_reasons")) == 1, "wide-one-reason");
    CHECK(!has_reason(w, "MAD"), "no-mad-rule");
    CHECK(json_integer_value(json_object_get(s, "n_runs")) == 3 &&
              json_integer_value(json_object_get(s, "n_ok")) == 2,
          "failed-rep-counted");
    CHECK(has_reason(s, "did not finish ok"), "failed-rep-noisy");
    CHECK(has_reason(s, "repetition 2: TSC calibrations disagree"), "runner-flag-carried");
    CHECK(cell_stat(s, "ns_per_op", "n") == 2, "stats-over-ok-runs-only");
    CHECK(empty && json_object_size(json_object_get(empty, "metrics")) == 0 &&
              json_integer_value(json_object_get(empty, "n_runs")) == 0,
          "empty-cell-present");

    check_spread_rule();

    /* The console summary: the net time's median with its interval, the coverage once per
     * table (net = ns / 2 here: quiet 49.5..50.5, wide 35..65; simd has 2 ok repetitions,
     * whose [min, max] covers the median with probability 1 - 2/4 = 50 %). */
    json_t *sdoc = json_pack("{s:{s:O}, s:O}", "config", "workloads", workloads, "cells", cells);
    char *summary = NULL;
    size_t summary_len = 0;
    FILE *mem = open_memstream(&summary, &summary_len);
    ab_summary_print(mem, sdoc);
    fclose(mem);
    CHECK(strstr(summary, "50.00 [49.50, 50.50]") != NULL, "summary-interval-quiet");
    CHECK(strstr(summary, "50.00 [35.00, 65.00]") != NULL, "summary-interval-wide");
    CHECK(strstr(summary, "workload rpc (medians over the ok repetitions [interval of the median, "
                          "93.8 % coverage]") != NULL &&
              strstr(summary, "workload simd (medians over the ok repetitions [interval of the "
                              "median, 50.0 % coverage]") != NULL,
          "summary-coverage-in-header");
    CHECK(strstr(summary, "MAD") == NULL, "summary-no-mad");
    free(summary);
    json_decref(sdoc);

    /* A metric is unresolved in a cell when half or more of its ok runs list it. */
    {
        json_t *ur = json_array();
        for (int i = 0; i < 5; i++) {
            json_t *x = run("malloc", "rpc", i + 1, "ok", 10, NULL);
            json_object_set_new(json_object_get(x, "metrics"), "alloc_p50", json_real(10.0));
            json_t *list = json_array();
            if (i < 3)
                json_array_append_new(list, json_string("alloc_p50"));
            if (i == 0)
                json_array_append_new(list, json_string("free_p50"));
            json_object_set_new(x, "unresolved_metrics", list);
            json_array_append_new(ur, x);
        }
        json_array_append_new(ur, run("malloc", "rpc", 6, "crashed", 0, NULL));
        json_t *one = json_pack("[s]", "malloc"), *wl = json_pack("[s]", "rpc");
        json_t *uc = ab_aggregate_cells(ur, one, wl);
        const json_t *list = json_object_get(json_array_get(uc, 0), "unresolved");
        CHECK(json_array_size(list) == 1 &&
                  !strcmp(json_string_value(json_array_get(list, 0)), "alloc_p50"),
              "unresolved-majority-of-ok-runs");
        /* the console shows it as "<threshold" (not its median, 10), and says why once */
        CHECK(cell_stat(json_array_get(uc, 0), "alloc_p50", "median") == 10,
              "unresolved-median-kept");
        json_t *udoc =
            json_pack("{s:{s:O}, s:O, s:{s:f, s:f}}", "config", "workloads", wl, "cells", uc,
                      "context", "unresolved_below_ns", 30.0, "timer_resolution_ns", 10.0);
        char *text = NULL;
        size_t text_len = 0;
        FILE *m = open_memstream(&text, &text_len);
        ab_summary_print(m, udoc);
        fclose(m);
        CHECK(strstr(text, " <30 ") != NULL && strstr(text, "under 3 steps") != NULL &&
                  strstr(text, " 10 ") == NULL,
              "summary-marks-unresolved");
        free(text);
        json_decref(udoc);
        json_decref(uc);
        json_decref(one);
        json_decref(wl);
        json_decref(ur);
    }

    /* The writers. */
    char dir[] = "/tmp/ab-test-results-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "tempdir");
    json_t *doc = json_pack("{s:s, s:i, s:b, s:O, s:O}", "schema", "alignbench-results", "version",
                            1, "complete", 1, "runs", runs, "cells", cells);
    json_object_set_new(json_object_get(json_array_get(runs, 0), "metrics"), "zz_extra",
                        json_real(1.5));
    char err[1024] = "", path[512];
    CHECK(ab_results_write(dir, doc, err, sizeof err) == 0, "write");
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_error_t jerr;
    json_t *back = json_load_file(path, 0, &jerr);
    CHECK(back && json_equal(back, doc), "json-reads-back-equal");
    json_decref(back);
    snprintf(path, sizeof path, "%s/results.csv", dir);
    size_t fields = 0;
    int same = 0;
    int lines = count_lines(path, &fields, &same);
    CHECK(lines == (int)json_array_size(runs) + 1, "csv-one-row-per-run");
    CHECK(same, "csv-rectangular");
    /* 8 fixed columns + the known metrics + 1 extra */
    CHECK(fields == 8 + ab_results_csv_metric_count() + 1, "csv-columns");
    FILE *f = fopen(path, "r");
    char text[65536];
    size_t len = fread(text, 1, sizeof text - 1, f);
    text[len] = '\0';
    fclose(f);
    CHECK(strstr(text, "\"runner: \"\"boom\"\", at op 7\"") != NULL, "csv-quotes-errors");
    CHECK(strstr(text, ",zz_extra\n") != NULL, "csv-extra-metric-last");
    /* The documented order (results/README.md's list): mops_wall and threads follow mops. */
    CHECK(strstr(text, ",mops,mops_wall,threads,alloc_p50,") != NULL, "csv-documented-order");
    CHECK(strstr(text, "malloc,rpc,1,1,ok,,,,") == text + strcspn(text, "\n") + 1,
          "csv-integers-plain");
    CHECK(leftover_temporaries(dir) == 0, "no-temporaries-after-success");

    /* A file that cannot be replaced: results.csv is now a non-empty directory, so the
     * rename fails; the error names the file, and no temporary is left behind. */
    char blocker[600];
    unlink(path);
    mkdir(path, 0755);
    snprintf(blocker, sizeof blocker, "%s/x", path);
    fclose(fopen(blocker, "w"));
    err[0] = '\0';
    CHECK(ab_results_write(dir, doc, err, sizeof err) == -1, "blocked-write-fails");
    CHECK(strstr(err, "results.csv") != NULL, "blocked-write-names-file");
    CHECK(leftover_temporaries(dir) == 0, "blocked-write-no-temporaries");

    /* A folder that does not exist: an error naming it, not a crash. */
    err[0] = '\0';
    CHECK(ab_results_write("/nonexistent/ab-run", doc, err, sizeof err) == -1 &&
              strstr(err, "/nonexistent/ab-run/results.json") != NULL,
          "missing-dir-fails");

    full_disk(doc);

    unlink(blocker);
    rmdir(path);
    snprintf(path, sizeof path, "%s/results.json", dir);
    unlink(path);
    rmdir(dir);
    json_decref(doc);
    json_decref(runs);
    json_decref(cells);
    json_decref(allocs);
    json_decref(workloads);
    CHECK_DONE();
}
