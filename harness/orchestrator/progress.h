/* progress.h: what `alignbench run` tells the user while it runs (on stderr).
 *
 * On a terminal, one status line rewritten in place: which run of how many, the cell, the
 * repetition and an ETA from the runs done so far. Otherwise (CI logs, pipes) one plain line per
 * finished run, so a log shows every run and its outcome.
 */
#ifndef AB_PROGRESS_H
#define AB_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

typedef struct ab_progress {
    FILE *out;
    int tty;
    size_t total, done;
    double start_s;
    int line_open; /* a status line is drawn and not yet ended */
} ab_progress;

/* out: where the status line or run log goes (stderr), or NULL for none (--quiet); notes go
 * to stderr either way. */
void ab_progress_init(ab_progress *p, FILE *out, size_t total);
/* A run begins; `what` names it, e.g. "jemalloc x rpc, rep 2/5". */
void ab_progress_begin(ab_progress *p, const char *what);
/* The run ended with outcome ("ok", "signal 11 ...") after wall_s seconds. */
void ab_progress_end(ab_progress *p, const char *what, const char *outcome, double wall_s);
/* A message that must not be overwritten by the status line (a failed run): always printed. */
void ab_progress_note(ab_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the status line (call before printing anything else). */
void ab_progress_finish(ab_progress *p);

#endif
