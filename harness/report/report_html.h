/* report_html.h: the self-contained design-review page of a run (RUN_DIR/report.html).
 *
 * One HTML file with nothing outside it: inline CSS, charts embedded as base64 PNG, no
 * scripts, fonts or network. It holds a summary (which allocator won each workload on time and
 * on memory, and by how much), every chart, per-workload tables of medians with their intervals
 * and the intervals' coverage, the noisy cells and why, the runs that failed, the context and a
 * definition of each metric. Every string taken from results.json is HTML-escaped.
 */
#ifndef AB_REPORT_HTML_H
#define AB_REPORT_HTML_H

#include "harness/report/chart_data.h"

#include <jansson.h>
#include <stdio.h>

/* Writes RUN_DIR/report.html (atomically). charts: the jobs, with `rendered` set for those
 * whose RUN_DIR/charts/<name>.png exists; charts_note: why charts are missing, or "".
 * Returns 0, or -1 with a message in err. */
int ab_report_html_write(const json_t *res, const char *run_dir, const ab_chart_list *charts,
                         const char *charts_note, char *err, size_t errlen);

#endif
