/* chart_data.h: turning a results document into gnuplot data files and a list of charts.
 *
 * Every chart is one gnuplot script of plots/ (one per chart kind) run over one data file that
 * this module writes into the charts folder. The scripts never see JSON and this module never
 * draws: a chart job names the script, the data file, the title and the few chart-specific
 * arguments (axis labels, log or linear) that the script takes as ARG7.. (see plots/style.gp for
 * ARG1..ARG6). report.c runs the jobs; report_html.c shows the results.
 */
#ifndef AB_CHART_DATA_H
#define AB_CHART_DATA_H

#include <jansson.h>
#include <stddef.h>

#define AB_CHART_MAX_ARGS 4

typedef struct ab_chart_job {
    char script[64];   /* "latency_percentiles.gp" */
    char name[192];    /* output base name: charts/<name>.{dat,png,svg} */
    char title[256];   /* the chart's title */
    char allocs[1024]; /* allocator names in the data file's column/block order, space-separated */
    char args[AB_CHART_MAX_ARGS][256]; /* chart-specific ARG7.. */
    int nargs;
    char caption[512]; /* how to read it, one sentence, for the HTML page */
    int rendered;      /* set by report.c when both the PNG and the SVG exist */
} ab_chart_job;

typedef struct ab_chart_list {
    ab_chart_job *jobs;
    size_t n;
} ab_chart_list;

/* Writes one data file per chart of a run into dir and lists the charts, in the order of the
 * report. Charts without data (e.g. no alignment classes) are left out. 0, or -1 with err. */
int ab_chart_data_write(const json_t *res, const char *dir, ab_chart_list *out, char *err,
                        size_t errlen);

/* The comparison chart of two runs (cells present in both): median ns/op and frag_peak, base vs
 * new side by side. 0, or -1 with err (also when the runs share no cell). */
int ab_chart_data_write_compare(const json_t *base, const json_t *new_run, const char *dir,
                                ab_chart_list *out, char *err, size_t errlen);

/* Several runs side by side (`alignbench report`): per workload one chart, fleet-<workload>,
 * with a bar group per run (labels[i] under it) and a bar per allocator, for the median time
 * per op, Mops/s and frag_peak. 0, or -1 with err (also when no run has a value). */
int ab_chart_data_write_fleet(const json_t *const *runs, const char *const *labels, size_t n,
                              const char *dir, ab_chart_list *out, char *err, size_t errlen);

void ab_chart_list_free(ab_chart_list *list);

/* "Intel Xeon ... | 2026-11-22T01:30:00Z": the corner label of every chart of a run. */
void ab_chart_corner(const json_t *res, char *buf, size_t len);

#endif
