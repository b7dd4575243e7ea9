/* log_tail.h: the last lines of a child's log, where it says why it failed.
 *
 * A runner or a probe that fails writes its reason as its last line on stderr; a program run's
 * error quotes its last few lines. Every reader of a child's log (runs[].error, `list`'s probe
 * reason, a program's "last output") takes them here, the same way: empty lines are skipped.
 */
#ifndef AB_LOG_TAIL_H
#define AB_LOG_TAIL_H

#include <stddef.h>

#define AB_LOG_TAIL_MAX 3 /* lines at the most */

/* The last `want` (1 to AB_LOG_TAIL_MAX) non-empty lines of the file at path, joined with " | "
 * into buf, each given an equal share of it; "" when path is NULL or cannot be read. */
void ab_log_tail(const char *path, unsigned want, char *buf, size_t len);

#endif
