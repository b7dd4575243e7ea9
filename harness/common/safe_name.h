/* safe_name.h: the one rule for a name that becomes part of a file name in a run folder (a
 * run-id, a --program workload, an allocator plug-in or variant): letters, digits, '-', '_' and
 * '.', not empty and not starting with '.' (so never ".", ".." or a hidden file). Such a name
 * holds no '/', so "logs/NAME-WORKLOAD-r1.log" can never leave the run folder.
 */
#ifndef AB_SAFE_NAME_H
#define AB_SAFE_NAME_H

#include <stddef.h>
#include <string.h>

/* What the rule allows, for messages. */
#define AB_SAFE_NAME_RULE "letters, digits, '-', '_' or '.' (not starting with '.')"

/* 1 when the first len characters of s follow the rule. */
static inline int ab_safe_name(const char *s, size_t len)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
    if (len == 0 || s[0] == '.')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!s[i] || !strchr(ok, s[i]))
            return 0;
    return 1;
}

#endif
