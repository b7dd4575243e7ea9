/* gbench_json_read.h: reading a Google Benchmark JSON file written by a `micro` child.
 *
 * Google Benchmark writes a ratio it cannot compute as the bare tokens NaN or Infinity (the
 * `_cv` aggregate of a counter whose every repetition is 0 is 0/0), which are not JSON, so
 * jansson refuses the whole file. This reader turns those tokens, outside strings, into null
 * (no value), and reads the rest with jansson unchanged.
 */
#ifndef AB_GBENCH_JSON_READ_H
#define AB_GBENCH_JSON_READ_H

#include <jansson.h>
#include <stddef.h>

/* The document, or NULL with a message naming the file. */
json_t *ab_gbench_json_load(const char *path, char *err, size_t errlen);

/* Copies text to out (room for len / 3 * 4 + 4 bytes), with NaN, -NaN, Infinity and -Infinity
 * outside strings written as null; returns the bytes written. Exposed for the tests. */
size_t ab_gbench_json_null_nonfinite(const char *text, size_t len, char *out);

#endif
