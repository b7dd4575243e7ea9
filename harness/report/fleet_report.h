/* fleet_report.h: the fleet report: several results folders (machines, or one machine under
 * different settings) put side by side by `alignbench report R1 R2 ...`.
 *
 * A team runs the suite on each of its machines; each machine measures itself, and the
 * folders are merged here. Runs are grouped by machine (hostname, CPU model, kernel, glibc) and
 * each is labelled by its run id and the context fields whose values differ between the runs
 * (the date, load and clock calibration excepted: they always differ). The charts come from
 * chart_data.c (ab_chart_data_write_fleet) and the page is made of html_page.c's pieces.
 */
#ifndef AB_FLEET_REPORT_H
#define AB_FLEET_REPORT_H

#include "harness/report/chart_data.h"
#include "harness/report/results_view.h"

#include <jansson.h>
#include <stddef.h>

typedef struct ab_fleet {
    size_t n;      /* runs, in page order: grouped by machine, then as given */
    json_t **runs; /* the loaded results.json documents */
    char **dirs;   /* their folders */
    size_t *group; /* each run's machine group, 0-based in order of first appearance */
    size_t ngroups;
    json_t **flat;   /* each run's compared fields: {"settings.MALLOC_ARENA_MAX": "1", ...} */
    ab_names differ; /* the compared fields whose values are not the same in every run */
    char **labels;   /* "B|MALLOC_ARENA_MAX=1": the run id and differing fields, one line
                      * each under the run's bars in the charts */
} ab_fleet;

/* Loads and describes the runs of dirs[0..n-1] (n >= 2). 0, or -1 with err. */
int ab_fleet_load(const char *const *dirs, size_t n, ab_fleet *out, char *err, size_t errlen);
void ab_fleet_free(ab_fleet *fl);

/* Writes the self-contained page to html_path; charts: drawn into out_dir/charts/. */
int ab_fleet_html_write(const ab_fleet *fl, const char *out_dir, const char *html_path,
                        const ab_chart_list *charts, const char *note, char *err, size_t errlen);

#endif
