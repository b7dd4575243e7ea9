/* json_file.h: the one way alignbench reads and writes a JSON file, through jansson.
 *
 * Loading names the file and jansson's line and column on a malformed or truncated file.
 * Writing goes through a temporary file that is flushed, fsync'ed and renamed into place
 * (atomic_file.h), so a reader, a crash or a full disk never sees half a file: the previous
 * version stays until the new one is complete. The runner's result, results.json, `micro`'s
 * merged output and `compare --json` all use it.
 */
#ifndef AB_JSON_FILE_H
#define AB_JSON_FILE_H

#include <jansson.h>
#include <stddef.h>

/* The parsed document, or NULL with "PATH: line L column C: what" in err (or "PATH: why" when
 * it cannot be opened or is not a regular file: a FIFO is refused, never waited on). */
json_t *ab_json_load_named(const char *path, char *err, size_t errlen);

/* Writes doc to path atomically with jansson's dump flags (e.g. JSON_INDENT(2), JSON_COMPACT),
 * newline-terminated. Returns 0, or -1 with "cannot write PATH: why; the previous version is
 * kept" in err. */
int ab_json_write_atomic(const char *path, const json_t *doc, size_t flags, char *err,
                         size_t errlen);

#endif
