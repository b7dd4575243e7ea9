/* compare_io.c: named JSON loading and atomic JSON writing (see compare_io.h). */
#include "harness/analysis/compare_io.h"

#include "harness/common/atomic_file.h"

#include <stdio.h>

json_t *ab_json_load_named(const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        snprintf(err, errlen, "%s: line %d column %d: %s", path, jerr.line, jerr.column, jerr.text);
    return doc;
}

int ab_json_write_atomic(const char *path, const json_t *doc, char *err, size_t errlen)
{
    ab_atomic_file af;
    if (ab_atomic_open(&af, path, err, errlen) != 0)
        return -1;
    if (json_dumpf(doc, af.f, JSON_INDENT(2)) != 0 || fputc('\n', af.f) == EOF) {
        snprintf(err, errlen, "%s: could not write the JSON document", path);
        ab_atomic_abort(&af);
        return -1;
    }
    return ab_atomic_commit(&af, err, errlen);
}
