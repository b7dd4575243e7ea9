/* cmd_report.c: `alignbench report`, several results folders side by side in one page.
 *
 *   alignbench report [--strict] [--quiet] [-o DIR/report.html] R1 R2 [R3 ...]
 *
 * For a team's machines, or one machine under different settings: each folder is a run made
 * where it was measured, and this merges them (fleet_report.h: grouped by machine, each run
 * labelled by its run id and the context that differs). `plot` keeps one run, or base against new;
 * this command is the one for two or more runs meant to be read together (docs/fleets.md).
 */
#include "harness/cli/commands.h"
#include "harness/cli/render_options.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"
#include "harness/report/report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#define WHO "alignbench report"

static void report_usage(FILE *out)
{
    fprintf(out,
            "usage: alignbench report [--strict] [--quiet] [-o DIR/report.html] R1 R2 [R3 ...]\n\n"
            "Puts two or more results folders (from several machines, or one machine under\n"
            "different settings) side by side: one self-contained page and one chart per\n"
            "workload (median time per op, Mops/s and frag_peak; a bar group per run, a bar\n"
            "per allocator). Runs are grouped by machine (hostname, CPU model, kernel, glibc)\n"
            "and labelled by their run id and the context fields that differ between them.\n\n"
            "  -o, --out FILE  the page (default fleet-report/report.html); the charts go to\n"
            "                  charts/ next to it\n"
            "  --strict        treat any gnuplot warning as a failure (exit 1)\n"
            "  --quiet         print nothing but errors\n"
            "  -h, --help      this help\n\n"
            "Environment: AB_GNUPLOT (gnuplot to run), AB_PLOTS_DIR (the plots/*.gp scripts).\n");
}

int cmd_report(int argc, char **argv)
{
    ab_report_opts opts = {0};
    const char *out = "fleet-report/report.html";
    int done = ab_render_options(argc, argv, WHO, report_usage, &opts, &out);
    if (done >= 0)
        return done;
    size_t n = (size_t)(argc - optind);
    if (n < 2) {
        fprintf(stderr, WHO ": give two or more results folders (one run: alignbench plot)\n");
        return AB_EXIT_USAGE;
    }
    char err[4096];
    if (ab_report_fleet((const char *const *)(argv + optind), n, out, &opts, err, sizeof err)) {
        fprintf(stderr, WHO ": %s\n", err);
        return AB_EXIT_FAILURE;
    }
    return AB_EXIT_OK;
}
