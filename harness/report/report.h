/* report.h: turning a results folder into charts and a design-review page.
 *
 * `alignbench run` calls ab_report_render at the end of a run (when gnuplot is present) and
 * `alignbench plot RESULTS_DIR` calls it again; both read results.json through jansson.
 */
#ifndef AB_REPORT_H
#define AB_REPORT_H

#include <stddef.h>

/* Writes RUN_DIR/charts/ (data files, PNG and SVG per chart kind) and RUN_DIR/report.html from
 * RUN_DIR/results.json. Returns 0, or -1 with a message in err. When gnuplot is missing it
 * still writes report.html (tables, context) and says that charts were skipped. */
int ab_report_render(const char *run_dir, int quiet, char *err, size_t errlen);

/* `alignbench plot` only (additions; ab_report_render above is ab_report_render_opts with
 * strict = 0). strict: any gnuplot warning (anything on its stderr) fails the render. */
typedef struct ab_report_opts {
    int quiet;
    int strict;
} ab_report_opts;

int ab_report_render_opts(const char *run_dir, const ab_report_opts *opts, char *err,
                          size_t errlen);

/* The comparison of two runs (BASE_DIR and NEW_DIR hold results.json) drawn into OUT_DIR
 * (created if missing): compare.{dat,png,svg}. Returns 0, or -1 with a message in err. */
int ab_report_compare(const char *base_dir, const char *new_dir, const char *out_dir,
                      const ab_report_opts *opts, char *err, size_t errlen);

/* `alignbench report R1 R2 ...`: the runs of dirs[0..n-1] side by side (fleet_report.h), grouped by
 * machine: the page html_path and the charts in <its folder>/charts/ (created if missing).
 * Returns 0, or -1 with a message in err. */
int ab_report_fleet(const char *const *dirs, size_t n, const char *html_path,
                    const ab_report_opts *opts, char *err, size_t errlen);

#endif
