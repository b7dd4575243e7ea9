/* render_options.h: the options `plot` and `report` share (-o/--out, --strict, --quiet,
 * -h/--help), parsed once for both so the two commands cannot drift apart. */
#ifndef AB_RENDER_OPTIONS_H
#define AB_RENDER_OPTIONS_H

#include "harness/report/report.h"

#include <stdio.h>

/* Parses argv's options into opts and *out (left as is when -o is not given); optind is then
 * at the first operand. Returns -1 to go on, or the exit status to return now (after --help,
 * or a bad option, which is named on stderr). */
int ab_render_options(int argc, char **argv, const char *who, void (*usage)(FILE *),
                      ab_report_opts *opts, const char **out);

#endif
