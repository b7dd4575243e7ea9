/* test_report_escape.c: the report's handling of what it cannot trust or cannot do.
 *
 * Starting from a real tiny run (the report_run fixture), it plants hostile strings in a copy
 * of results.json (markup in the CPU model, in an allocator's name, in a noisy reason and in a
 * crashed run's error) and checks that report.html shows them escaped and never as markup, and
 * that the odd allocator name still gives safe chart file names and warning-free charts (also
 * with one metric missing for all but one allocator). Then
 * it hides gnuplot and checks that the page is still written, without charts and saying why,
 * and that a folder without results.json is an error naming the file.
 * usage: test_report_escape RUN_DIR SCRATCH_DIR
 */
#include "tests/check.h"
#include "tests/slurp.h"
#include "harness/report/report.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EVIL_ALLOC "evil<i>&name"

/* Renames allocator `from` to `to` wherever results.json names it. */
static void rename_allocator(json_t *res, const char *from, const char *to)
{
    const char *lists[] = {"runs", "cells"};
    size_t i;
    json_t *item;
    for (int l = 0; l < 2; l++)
        json_array_foreach(json_object_get(res, lists[l]), i, item)
        {
            if (!strcmp(json_string_value(json_object_get(item, "allocator")), from))
                json_object_set_new(item, "allocator", json_string(to));
        }
    json_array_foreach(json_object_get(json_object_get(res, "config"), "allocators"), i, item)
    {
        if (json_is_string(item) && !strcmp(json_string_value(item), from))
            json_array_set_new(json_object_get(json_object_get(res, "config"), "allocators"), i,
                               json_string(to));
    }
}

static void plant_hostile_strings(json_t *res)
{
    json_t *ctx = json_object_get(res, "context");
    json_object_set_new(ctx, "cpu_model", json_string("<script>alert('cpu')</script> & \"q\""));
    rename_allocator(res, "malloc", EVIL_ALLOC);
    json_t *cell = json_array_get(json_object_get(res, "cells"), 0);
    json_object_set_new(cell, "noisy", json_true());
    json_object_set_new(cell, "noisy_reasons", json_pack("[s]", "spread <b>wide</b>"));
    json_array_append_new(json_object_get(res, "runs"),
                          json_pack("{s:s, s:s, s:i, s:i, s:s, s:i, s:i, s:s}", "allocator",
                                    EVIL_ALLOC, "workload", "simd", "rep", 99, "round", 99,
                                    "status", "crashed", "exit_code", -1, "signal", 11, "error",
                                    "</td><script>x</script>"));
}

/* A metric one allocator lacks (an older runner, a pass not run) leaves its column of one
 * chart panel empty: the charts must still draw without a gnuplot warning. */
static void drop_metric_of_others(json_t *res, const char *keep_alloc, const char *metric)
{
    size_t i;
    json_t *cell;
    json_array_foreach(json_object_get(res, "cells"), i, cell)
    {
        if (strcmp(json_string_value(json_object_get(cell, "allocator")), keep_alloc))
            json_object_del(json_object_get(cell, "metrics"), metric);
    }
}

static int write_results(json_t *res, const char *dir)
{
    char path[4200];
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/results.json", dir);
    return json_dump_file(res, path, JSON_INDENT(1));
}

static int charts_have_safe_names(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/charts", dir);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *e;
    int safe = 1, n = 0;
    while ((e = readdir(d))) {
        n++;
        if (strpbrk(e->d_name, "<>&\"' "))
            safe = 0;
    }
    closedir(d);
    return safe && n > 2;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_report_escape RUN_DIR SCRATCH_DIR\n");
        return 2;
    }
    char path[4400], evil_dir[4096], nogp_dir[4096], empty_dir[4096], err[4096];
    json_error_t jerr;
    snprintf(path, sizeof path, "%.3000s/results.json", argv[1]);
    json_t *res = json_load_file(path, 0, &jerr);
    if (!res) {
        fprintf(stderr, "test_report_escape: cannot read %s: %s\n", path, jerr.text);
        return 1;
    }
    mkdir(argv[2], 0755);
    snprintf(evil_dir, sizeof evil_dir, "%.3000s/hostile", argv[2]);
    snprintf(nogp_dir, sizeof nogp_dir, "%.3000s/no-gnuplot", argv[2]);
    snprintf(empty_dir, sizeof empty_dir, "%.3000s/empty", argv[2]);

    plant_hostile_strings(res);
    drop_metric_of_others(res, EVIL_ALLOC, "retained");
    CHECK(write_results(res, evil_dir) == 0, "hostile copy of results.json written");
    ab_report_opts strict = {.quiet = 1, .strict = 1};
    int rc = ab_report_render_opts(evil_dir, &strict, err, sizeof err);
    if (rc)
        fprintf(stderr, "render: %s\n", err);
    CHECK(rc == 0, "report renders with hostile names and a missing metric, no gnuplot warning");
    snprintf(path, sizeof path, "%s/report.html", evil_dir);
    char *html = slurp(path);
    CHECK(html != NULL, "report.html written");
    if (html) {
        CHECK(!strstr(html, "<script"), "no <script> element in the page");
        CHECK(strstr(html, "&lt;script&gt;alert(&#39;cpu&#39;)&lt;/script&gt; &amp; &quot;q&quot;"),
              "the CPU model shows escaped");
        CHECK(strstr(html, "evil&lt;i&gt;&amp;name") && !strstr(html, "<i>"),
              "the allocator name shows escaped, never as markup");
        CHECK(strstr(html, "spread &lt;b&gt;wide&lt;/b&gt;"), "the noisy reason shows escaped");
        CHECK(strstr(html, "&lt;/td&gt;&lt;script&gt;x&lt;/script&gt;"),
              "the crashed run's error shows escaped");
        CHECK(strstr(html, ">crashed<"), "the crashed run is listed with its status");
        CHECK(strstr(html, "data:image/png;base64,"), "charts are embedded");
    }
    free(html);
    CHECK(charts_have_safe_names(evil_dir), "chart file names carry no markup characters");

    /* gnuplot missing: the page still comes, without charts, and says why */
    CHECK(write_results(res, nogp_dir) == 0, "copy for the no-gnuplot case written");
    setenv("AB_GNUPLOT", "/nonexistent/gnuplot", 1);
    rc = ab_report_render(nogp_dir, 1, err, sizeof err);
    unsetenv("AB_GNUPLOT");
    CHECK(rc == 0, "without gnuplot the report still renders");
    snprintf(path, sizeof path, "%s/report.html", nogp_dir);
    html = slurp(path);
    CHECK(html != NULL, "without gnuplot report.html is written");
    if (html) {
        CHECK(strstr(html, "gnuplot was not found"),
              "without gnuplot the page says why there are no charts");
        CHECK(!strstr(html, "data:image/png"), "without gnuplot no image is embedded");
        CHECK(strstr(html, "id=tables"), "without gnuplot the tables are still there");
    }
    free(html);

    /* no results.json: an error that names the file */
    mkdir(empty_dir, 0755);
    err[0] = '\0';
    rc = ab_report_render(empty_dir, 1, err, sizeof err);
    CHECK(rc == -1, "a folder without results.json is an error");
    CHECK(strstr(err, "results.json") != NULL, "the error names results.json");

    json_decref(res);
    CHECK_DONE("report escape");
}
