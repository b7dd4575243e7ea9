/* fuzz_common.h: the property both trace fuzz targets check after the reader and the validator
 * have run on arbitrary bytes: a trace the validator accepts survives text -> parse unchanged
 * (header and every op), so no valid trace is ever misread or misprinted. */
#ifndef AB_FUZZ_COMMON_H
#define AB_FUZZ_COMMON_H

#include "workloads/trace_io.h"
#include "workloads/trace_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_check_valid_trace(const ab_trace *t)
{
    char err[512];
    if (ab_trace_validate(t, NULL, err, sizeof err) != 0)
        return;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return;
    if (ab_trace_write_text(t, f) != 0)
        abort();
    fclose(f);
    ab_trace back;
    if (ab_trace_parse_text(text, len, &back, err, sizeof err) != 0) {
        fprintf(stderr, "a valid trace's text does not parse: %s\n", err);
        abort();
    }
    if (memcmp(&back.hdr, &t->hdr, sizeof back.hdr) != 0 ||
        (t->hdr.op_count &&
         memcmp(back.ops, t->ops, (size_t)t->hdr.op_count * sizeof(ab_op)) != 0)) {
        fprintf(stderr, "a valid trace changed through its text form\n");
        abort();
    }
    ab_trace_close(&back);
    free(text);
}

#endif
