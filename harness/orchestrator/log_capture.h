/* log_capture.h: a child's output copied into its log file, with a cap on the log's size.
 *
 * A plug-in or a program may print without end (80 MB printed once made 157 MB of logs), and a
 * log is only read for its reason for failing. So the child writes into a pipe and the parent
 * copies: the first AB_LOG_CAP_HEAD bytes go to the file as they come, the last AB_LOG_CAP_TAIL
 * bytes are kept in memory, and anything in between is dropped. When something was dropped the
 * file gets, after the head, one line saying how many bytes and why, then the tail (where a
 * child's last words, its error, are). A log is never larger than AB_LOG_CAP plus that line.
 */
#ifndef AB_LOG_CAPTURE_H
#define AB_LOG_CAPTURE_H

#include <stddef.h>

#define AB_LOG_CAP (1u << 20)                          /* 1 MiB per log */
#define AB_LOG_CAP_TAIL (64u << 10)                    /* of which the last 64 KiB */
#define AB_LOG_CAP_HEAD (AB_LOG_CAP - AB_LOG_CAP_TAIL) /* and the first 960 KiB */

typedef struct ab_log_capture {
    int rd;                   /* the pipe's read end (non-blocking), -1 once at its end */
    int wr;                   /* the pipe's write end, for the child (-1 once handed over) */
    int fd;                   /* the log file */
    size_t head;              /* bytes written to the file */
    unsigned long long total; /* bytes the child wrote */
    char *tail;               /* ring of the last AB_LOG_CAP_TAIL bytes past the head */
    size_t tail_len, tail_pos;
} ab_log_capture;

/* Sets c up to copy into the open file fd (which c then owns). Returns 0, or -1 with errno. */
int ab_log_capture_open(ab_log_capture *c, int fd);
/* Copies what the pipe holds now, without blocking. Returns 1 while the pipe is open, 0 at its
 * end. */
int ab_log_capture_pump(ab_log_capture *c);
/* Copies what is left (without waiting for writers that are still alive, such as a program's
 * background children), writes the note and the tail, closes everything. */
void ab_log_capture_finish(ab_log_capture *c);

#endif
