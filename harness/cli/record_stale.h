/* record_stale.h: removing the temporary traces that a recorder killed by SIGKILL left behind
 * (`alignbench record` does it before it starts the program). */
#ifndef AB_RECORD_STALE_H
#define AB_RECORD_STALE_H

#include <stdio.h>

/* Remove every NAME.tmp.PID in the folder of `path` (absolute; "%p" in its last component
 * matches PID or PID-N, "%%" a "%"): a regular file (never a link: not followed, not removed),
 * owned by this user, whose PID is no longer alive. Each removal is noted on `note`. Returns the
 * number removed. */
int ab_record_remove_stale(const char *path, FILE *note);

#endif
