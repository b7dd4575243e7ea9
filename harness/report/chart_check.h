/* chart_check.h: is a chart file gnuplot wrote complete?
 *
 * gnuplot exits 0 when it cannot write its output (a full disk, a quota) and prints nothing, so
 * its status says nothing about the file. A chart is renamed into place only when its structure
 * says it was written to the end: a PNG starts with the PNG signature and ends with the IEND
 * chunk, an SVG ends with its closing </svg> tag (whitespace after it allowed).
 */
#ifndef AB_CHART_CHECK_H
#define AB_CHART_CHECK_H

#include <stddef.h>

/* 0 when the file at path is a complete chart in format ("png" or "svg"); else -1 with why
 * ("12288 bytes, no IEND chunk at the end; 0 KiB free where it is: No space left on device"). */
int ab_chart_complete(const char *path, const char *format, char *why, size_t len);

#endif
