/* test_report_units.c: report.html writes each metric in its unit. A count (minor_faults, the
 * metric table's AB_UNIT_COUNT) is a whole number written out in full, never rounded to three
 * digits as a ratio is: a cell of 1234567 faults reads "1234567", not "1.23e+06".
 * usage: test_report_units RUN_DIR SCRATCH_DIR (RUN_DIR: the report_run fixture's tiny run)
 */
#include "tests/check.h"
#include "tests/slurp.h"
#include "harness/analysis/metric_table.h"
#include "harness/report/report_html.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_report_units RUN_DIR SCRATCH_DIR\n");
        return 2;
    }
    char path[4400], err[4096];
    json_error_t jerr;
    snprintf(path, sizeof path, "%.3000s/results.json", argv[1]);
    json_t *res = json_load_file(path, 0, &jerr);
    if (!res) {
        fprintf(stderr, "test_report_units: cannot read %s: %s\n", path, jerr.text);
        return 1;
    }
    CHECK(ab_metric_unit("minor_faults") == AB_UNIT_COUNT, "minor_faults is a count");
    CHECK(ab_metric_unit("threads") == AB_UNIT_COUNT, "threads is a count");
    CHECK(ab_metric_unit("frag_peak") == AB_UNIT_RATIO, "frag_peak is a ratio");

    /* One cell with a fault count no three-digit rounding can show exactly. */
    json_t *cell = json_array_get(json_object_get(res, "cells"), 0);
    json_object_set_new(json_object_get(cell, "metrics"), "minor_faults",
                        json_pack("{s:f, s:f, s:f, s:f, s:i}", "median", 1234567.0, "ci_lo",
                                  1234500.0, "ci_hi", 1234600.0, "ci_coverage", 0.75, "n", 3));
    mkdir(argv[2], 0755);
    ab_chart_list none = {0};
    int rc = ab_report_html_write(res, argv[2], &none, "", err, sizeof err);
    CHECK(rc == 0, "report.html written: %s", rc ? err : "");
    snprintf(path, sizeof path, "%.3000s/report.html", argv[2]);
    char *html = slurp(path);
    CHECK(html != NULL, "report.html readable");
    if (html) {
        CHECK(strstr(html, ">1234567<") != NULL, "the fault count is written in full");
        CHECK(strstr(html, "1.23e+06") == NULL, "the fault count is not rounded as a ratio");
        CHECK(strstr(html, "1234500") != NULL && strstr(html, "1234600") != NULL,
              "its interval is written in full too");
    }
    free(html);
    json_decref(res);
    CHECK_DONE("report_units");
}
