/* json_file.c: named JSON loading and atomic JSON writing (see json_file.h). */
#include "harness/common/json_file.h"
#include "harness/common/error_message.h"

#include "harness/common/atomic_file.h"
#include "harness/common/regular_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

json_t *ab_json_load_named(const char *path, char *err, size_t errlen)
{
    FILE *f = ab_fopen_regular(path, err, errlen);
    if (!f)
        return NULL;
    json_error_t jerr;
    json_t *doc = json_loadf(f, 0, &jerr);
    fclose(f);
    if (!doc)
        ab_fail(err, errlen, "%s: line %d column %d: %s", path, jerr.line, jerr.column, jerr.text);
    return doc;
}

int ab_json_write_atomic(const char *path, const json_t *doc, size_t flags, char *err,
                         size_t errlen)
{
    ab_atomic_file af;
    if (ab_atomic_open(&af, path, err, errlen) != 0)
        return -1;
    errno = 0;
    if (json_dumpf(doc, af.f, flags) != 0 || fputc('\n', af.f) == EOF || fflush(af.f) != 0 ||
        fsync(fileno(af.f)) != 0) {
        ab_fail(err, errlen, "cannot write %s: %s; the previous version is kept", path,
                strerror(errno ? errno : EIO));
        ab_atomic_abort(&af);
        return -1;
    }
    return ab_atomic_commit(&af, err, errlen);
}
