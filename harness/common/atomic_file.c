/* atomic_file.c: temp-file-then-rename writing (see atomic_file.h). */
#include "harness/common/atomic_file.h"
#include "harness/common/error_message.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ab_atomic_open(ab_atomic_file *af, const char *path, char *err, size_t errlen)
{
    memset(af, 0, sizeof *af);
    if (strlen(path) + 16 > sizeof af->tmp_path)
        return ab_fail(err, errlen, "%s: path too long", path);
    snprintf(af->final_path, sizeof af->final_path, "%s", path);
    snprintf(af->tmp_path, sizeof af->tmp_path, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(af->tmp_path);
    if (fd < 0)
        return ab_fail(err, errlen, "%s: cannot create a temporary file: %s", path,
                       strerror(errno));
    /* mkstemp makes the file 0600; a trace is an ordinary output file. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    af->f = fdopen(fd, "wb");
    if (!af->f) {
        ab_fail(err, errlen, "%s: %s", af->tmp_path, strerror(errno));
        close(fd);
        unlink(af->tmp_path);
        return -1;
    }
    return 0;
}

int ab_atomic_reserve(ab_atomic_file *af, const char *path, char *err, size_t errlen)
{
    if (ab_atomic_open(af, path, err, errlen) != 0)
        return -1;
    if (fclose(af->f) != 0) {
        af->f = NULL;
        ab_fail(err, errlen, "%s: %s", af->tmp_path, strerror(errno));
        ab_atomic_abort(af);
        return -1;
    }
    af->f = NULL;
    return 0;
}

int ab_atomic_commit(ab_atomic_file *af, char *err, size_t errlen)
{
    int bad = 0, saved = 0;
    if (af->f) {
        bad = ferror(af->f);
        if (fflush(af->f) != 0)
            bad = 1;
        saved = errno;
        if (fclose(af->f) != 0 && !bad) {
            bad = 1;
            saved = errno;
        }
    }
    af->f = NULL;
    if (bad) {
        unlink(af->tmp_path);
        return ab_fail(err, errlen, "%s: write failed: %s", af->final_path, strerror(saved));
    }
    if (rename(af->tmp_path, af->final_path) != 0) {
        ab_fail(err, errlen, "%s: cannot rename into place: %s", af->final_path, strerror(errno));
        unlink(af->tmp_path);
        return -1;
    }
    return 0;
}

void ab_atomic_abort(ab_atomic_file *af)
{
    if (af->f)
        fclose(af->f);
    af->f = NULL;
    if (af->tmp_path[0])
        unlink(af->tmp_path);
}
