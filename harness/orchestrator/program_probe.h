/* program_probe.h: reading what the malloc probe (harness/probe/malloc_probe.c) wrote in a
 * program run, and deciding whether the allocator really served the program.
 *
 * The probe appends "start<TAB>PID<TAB>LIBRARY<TAB>EXE<TAB>GHZ" when a process image loads it
 * and "exit<TAB>PID<TAB>GHZ" when that process exits normally (GHZ: the core's clock then). The run
 * is verified when at least one process reported, every process's malloc resolved to the expected
 * library, and no process image that started was left without an exit (it replaced itself with a
 * program that did not load the probe, hence not the allocator either: LD_PRELOAD removed, a static
 * or setuid binary; or it ended by _exit or a signal, which cannot be told apart and is refused
 * too).
 */
#ifndef AB_PROGRAM_PROBE_H
#define AB_PROGRAM_PROBE_H

#include <stddef.h>

/* The probe's environment variable naming its output file. */
#define AB_PROBE_ENV "AB_PROBE_OUT"

/* expected: the preloaded library's path, or "" for glibc's malloc (AB_PROGRAM_LIBC). Returns 0
 * when verified, with the library that served malloc in served, the number of processes that
 * reported in *processes and the mean of the clock readings of every process but the shell in
 * *ghz (NAN when there is none); -1 with the reason in err (naming the process and the
 * library). */
int ab_program_probe_check(const char *probe_path, const char *expected, char *served,
                           size_t servedlen, unsigned *processes, double *ghz, char *err,
                           size_t errlen);

#endif
