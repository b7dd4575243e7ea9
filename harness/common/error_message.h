/* error_message.h: the one way a function here reports failure: it formats a message into the
 * caller's (err, errlen) buffer and returns -1, so that the caller can print it as it is. Used
 * across the tree: the allocators, the workloads' trace readers, writers and generators, and every
 * layer of harness/. */
#ifndef AB_ERROR_MESSAGE_H
#define AB_ERROR_MESSAGE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline __attribute__((format(printf, 3, 4))) int ab_fail(char *err, size_t errlen,
                                                                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

#endif
