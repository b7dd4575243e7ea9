/* cmd_plot.c: `alignbench plot`, drawing a run's charts and report again, or comparing two runs.
 *
 *   alignbench plot [--strict] [--quiet] RESULTS_DIR
 *   alignbench plot [--strict] [--quiet] [-o DIR] BASE_DIR NEW_DIR
 *
 * The work is in report.c (ab_report_render_opts, ab_report_compare); this file only parses
 * the command line. A comparison goes to NEW_DIR/compare-vs-<base run id>/ unless -o says.
 */
#include "harness/cli/commands.h"
#include "harness/cli/render_options.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"
#include "harness/report/report.h"
#include "harness/report/results_view.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define WHO "alignbench plot"

static void plot_usage(FILE *out)
{
    fprintf(out,
            "usage: alignbench plot [--strict] [--quiet] RESULTS_DIR\n"
            "       alignbench plot [--strict] [--quiet] [-o DIR] BASE_DIR NEW_DIR\n\n"
            "With one results folder (results/<run-id>/), draws its charts again into\n"
            "RESULTS_DIR/charts/ (PNG and SVG, with the data file of each) and rewrites\n"
            "RESULTS_DIR/report.html. With two, draws base against new (median\n"
            "cycles_per_op, or ns_per_op for results without cycles, and frag_peak per\n"
            "cell ALLOCATOR/WORKLOAD, side by side) into DIR, by default\n"
            "NEW_DIR/compare-vs-<base run id>/.\n\n"
            "  -o, --out DIR  where the comparison goes\n"
            "  --strict       treat any gnuplot warning as a failure (exit 1)\n"
            "  --quiet        print nothing but errors\n"
            "  -h, --help     this help\n\n"
            "Environment: AB_GNUPLOT (gnuplot to run), AB_PLOTS_DIR (the plots/*.gp scripts).\n");
}

int cmd_plot(int argc, char **argv)
{
    ab_report_opts opts = {0};
    const char *dirs[2] = {NULL, NULL}, *out_dir = NULL;
    int ndirs = 0;
    int done = ab_render_options(argc, argv, WHO, plot_usage, &opts, &out_dir);
    if (done >= 0)
        return done;
    for (; optind < argc; optind++) {
        if (ndirs == 2) {
            fprintf(stderr, WHO ": at most two results folders (see --help)\n");
            return AB_EXIT_USAGE;
        }
        dirs[ndirs++] = argv[optind];
    }
    if (!ndirs) {
        plot_usage(stderr);
        return AB_EXIT_USAGE;
    }
    if (ndirs == 1 && out_dir) {
        fprintf(stderr, "alignbench plot: -o is for comparing two runs; one run's charts go "
                        "to RESULTS_DIR/charts/\n");
        return AB_EXIT_USAGE;
    }
    char err[4096], default_out[4096];
    int rc;
    if (ndirs == 1) {
        rc = ab_report_render_opts(dirs[0], &opts, err, sizeof err);
    } else {
        if (!out_dir) {
            json_t *base = ab_rv_load(dirs[0], err, sizeof err);
            if (!base) {
                fprintf(stderr, "alignbench plot: %s\n", err);
                return AB_EXIT_FAILURE;
            }
            /* the run id comes from a file: keep it to one harmless path component */
            char id[128];
            size_t n = 0;
            for (const char *c = ab_rv_str(base, "run_id"); *c && n + 1 < sizeof id; c++)
                id[n++] = (isalnum((unsigned char)*c) || *c == '-' || *c == '_') ? *c : '_';
            id[n] = '\0';
            snprintf(default_out, sizeof default_out, "%s/compare-vs-%s", dirs[1], n ? id : "base");
            json_decref(base);
            out_dir = default_out;
        }
        rc = ab_report_compare(dirs[0], dirs[1], out_dir, &opts, err, sizeof err);
    }
    if (rc) {
        fprintf(stderr, "alignbench plot: %s\n", err);
        return AB_EXIT_FAILURE;
    }
    return AB_EXIT_OK;
}
