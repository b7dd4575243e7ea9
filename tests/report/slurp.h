/* slurp.h: a whole file read into memory, for the report tests that look inside report.html. */
#ifndef AB_TEST_REPORT_SLURP_H
#define AB_TEST_REPORT_SLURP_H

#include <stdio.h>
#include <stdlib.h>

/* The file's bytes with a '\0' after them (free it), or NULL when it cannot be read. */
static inline char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

#endif
