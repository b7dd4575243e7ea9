/* slurp.h: a file read into memory, for the tests that look inside what alignbench or a child
 * wrote (report.html, a trace, a child's output), one way in every test. */
#ifndef AB_TESTS_SLURP_H
#define AB_TESTS_SLURP_H

#include <stdio.h>
#include <stdlib.h>

/* The file's bytes with a '\0' after them (free it), their count in *len when len is not NULL;
 * NULL when it cannot be read. */
static inline char *slurp_n(const char *path, size_t *len)
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
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

static inline char *slurp(const char *path)
{
    return slurp_n(path, NULL);
}

/* The file's first len - 1 bytes into buf, '\0'-terminated ("" when it cannot be read). */
static inline void slurp_into(const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

#endif
