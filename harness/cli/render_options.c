/* render_options.c: see render_options.h. */
#include "harness/cli/render_options.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"

#include <getopt.h>

int ab_render_options(int argc, char **argv, const char *who, void (*usage)(FILE *),
                      ab_report_opts *opts, const char **out)
{
    static const struct option longs[] = {{"out", required_argument, NULL, 'o'},
                                          {"strict", no_argument, NULL, 's'},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longs, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return AB_EXIT_OK;
        } else if (c == 's') {
            opts->strict = 1;
        } else if (c == 'q') {
            opts->quiet = 1;
        } else if (c == 'o') {
            *out = optarg;
        } else {
            ab_opt_complain(who, c, argv);
            return AB_EXIT_USAGE;
        }
    }
    return -1;
}
