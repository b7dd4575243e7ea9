/* compare_io.h: reading and writing the JSON files of `micro` and `compare`, through jansson.
 *
 * Loading names the file and jansson's line and column on a malformed or truncated file;
 * writing goes through a temporary file renamed into place (workloads/atomic_file.h), so a
 * reader never sees half a file.
 */
#ifndef AB_COMPARE_IO_H
#define AB_COMPARE_IO_H

#include <jansson.h>
#include <stddef.h>

/* The parsed document, or NULL with "PATH: line L column C: what" in err. */
json_t *ab_json_load_named(const char *path, char *err, size_t errlen);

/* Writes doc (indented, newline-terminated) to path atomically. Returns 0, or -1 with err. */
int ab_json_write_atomic(const char *path, const json_t *doc, char *err, size_t errlen);

#endif
