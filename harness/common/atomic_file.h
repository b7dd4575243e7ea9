/* atomic_file.h: write a file under a temporary name and rename it into place on success.
 *
 * Traces and their text form are written through this, so a crash, a full disk or an error
 * part-way never leaves a half-written file under the final name: readers see the old file or
 * the complete new one. The temporary file lives in the same directory (rename is atomic there).
 *
 * The temporary is made by mkstemp: a fresh random name created with O_CREAT|O_EXCL, so a link
 * planted at any name in the folder (a results folder from elsewhere, a shared /tmp) is never
 * followed, and rename replaces a link planted at the final name instead of writing through it.
 * Every file alignbench writes goes through here: traces, results.json/csv, report.html, chart
 * data, charts (written by gnuplot into a reserved temporary), exports.
 */
#ifndef AB_ATOMIC_FILE_H
#define AB_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct ab_atomic_file {
    FILE *f;
    char tmp_path[4096];
    char final_path[4096];
} ab_atomic_file;

/* Create PATH.tmp.XXXXXX next to path; returns 0 with af->f open for writing, or -1 with err. */
int ab_atomic_open(ab_atomic_file *af, const char *path, char *err, size_t errlen);
/* For a file another process writes (gnuplot): creates the temporary as ab_atomic_open does and
 * closes it, so af->f is NULL and af->tmp_path names the file to hand over. */
int ab_atomic_reserve(ab_atomic_file *af, const char *path, char *err, size_t errlen);
/* Flush, close and rename into place (only the rename after ab_atomic_reserve); on any failure
 * removes the temporary and returns -1. */
int ab_atomic_commit(ab_atomic_file *af, char *err, size_t errlen);
/* Close and remove the temporary (after an error). */
void ab_atomic_abort(ab_atomic_file *af);

#endif
