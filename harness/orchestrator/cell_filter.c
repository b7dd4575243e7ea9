/* cell_filter.c: the --filter of `alignbench run` over ALLOC/WORKLOAD cell names (see
 * cell_filter.h). */
#include "harness/orchestrator/cell_filter.h"
#include "harness/common/error_message.h"

#include <stdio.h>

int ab_cell_filter_init(ab_cell_filter *f, const char *pattern, char *err, size_t errlen)
{
    f->set = 0;
    if (!pattern)
        return 0;
    int rc = regcomp(&f->re, pattern, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char why[256];
        regerror(rc, &f->re, why, sizeof why);
        return ab_fail(err, errlen, "'%s' is not a regular expression: %s", pattern, why);
    }
    f->set = 1;
    return 0;
}

void ab_cell_filter_free(ab_cell_filter *f)
{
    if (f->set)
        regfree(&f->re);
    f->set = 0;
}

int ab_cell_filter_keeps(const ab_cell_filter *f, const char *alloc, const char *workload)
{
    if (!f->set)
        return 1;
    char name[512];
    snprintf(name, sizeof name, "%s/%s", alloc, workload);
    return regexec(&f->re, name, 0, NULL, 0) == 0;
}
