/* regular_file.h: the one way alignbench opens a file it reads (a trace, a plug-in library, a
 * results.json, a chart to embed).
 *
 * A path from the user or from a results folder made elsewhere may name a FIFO, a device, a
 * socket or a folder. Opening a FIFO for reading blocks until a writer comes, possibly for
 * ever, and reading a device can block or never end. So the file is opened with O_NONBLOCK
 * (which an open of a FIFO or a device honours), checked with fstat to be a regular file, and
 * only then switched back to blocking reads. Anything else is refused with a message naming the
 * path and what it is.
 */
#ifndef AB_REGULAR_FILE_H
#define AB_REGULAR_FILE_H

#include <stddef.h>
#include <stdio.h>

/* An O_RDONLY|O_CLOEXEC descriptor on the regular file at path, or -1 with "PATH: why" in err
 * ("PATH: a FIFO, not a regular file", "PATH: No such file or directory", ...). */
int ab_open_regular(const char *path, char *err, size_t errlen);

/* The same as a read-only stdio stream ("rb"), or NULL with err. */
FILE *ab_fopen_regular(const char *path, char *err, size_t errlen);

#endif
