/* html_page.h: the pieces every alignbench HTML page is made of, shared by report.html
 * (report_html.c), its fidelity section (fidelity_table.c) and the fleet page (fleet_report.c), so
 * that those depend on this file and never on each other. The page's own text goes out with
 * fputs/fprintf; anything taken from a results file (or formatted from it) goes through
 * ab_html_escape or ab_html_escapef. */
#ifndef AB_HTML_PAGE_H
#define AB_HTML_PAGE_H

#include "harness/report/chart_data.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* Writes s to f with &, <, >, " and ' escaped. */
void ab_html_escape(FILE *f, const char *s);

/* printf, then ab_html_escape (the formatted text is cut at 2047 bytes). */
void ab_html_escapef(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The page's CSS (one <style> body). */
const char *ab_html_css(void);

/* The Charts section: each rendered chart DIR/charts/<name>.png embedded as base64, with its
 * caption and a link to its SVG; note (when not "") says why charts are missing. */
void ab_html_charts(FILE *f, const char *dir, const ab_chart_list *charts, const char *note);

/* A JSON value as one escaped line of text (strings bare, arrays joined, objects k=v). */
void ab_html_json_inline(FILE *f, const json_t *v);

/* buf written atomically to path: 0, or -1 with a message in err. */
int ab_html_commit(const char *buf, size_t len, const char *path, char *err, size_t errlen);

#endif
