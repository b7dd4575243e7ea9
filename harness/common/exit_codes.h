/* exit_codes.h: every exit status of alignbench and of alignbench-runner, by name.
 *
 * It exists because the two processes talk through these numbers: the orchestrator reads the
 * runner's status to tell a refused allocator from a failed run (run_record.c, cmd_check.c,
 * cmd_micro.c), and users, CI scripts and the tests read the CLI's. One header, shared by both
 * processes, so that a value cannot mean one thing on one side and another on the other. The
 * values are fixed: the tests and the README state them.
 */
#ifndef AB_EXIT_CODES_H
#define AB_EXIT_CODES_H

/* ---- alignbench, every command ----------------------------------------------------------- */

/* The command did its job (compare: no significant regression; check: every check passed). */
#define AB_EXIT_OK 0
/* The command ran but failed: run finished no run ok or could not write its results; compare
 * found a regression or a failed cell; check saw a check fail or a child crash; micro had an
 * allocator fail; plot or trace could not read or write a file; record got no valid trace. */
#define AB_EXIT_FAILURE 1
/* Bad usage, refused before any work: an unknown command or option, a missing or bad value, a
 * wrong number of arguments, an unknown allocator or workload, an invalid trace given to run,
 * unreadable or mismatched files given to compare. */
#define AB_EXIT_USAGE 2
/* record: the program could not be executed (the shell's code for it). */
#define AB_EXIT_CANNOT_EXEC 127
/* check: no chosen allocator can run here, so nothing was checked (ctest's skip code). */
#define AB_EXIT_SKIPPED 77
/* run interrupted: 128 + the signal, 130 for SIGINT and 143 for SIGTERM (the results so far
 * are kept, with "complete": false); record: the program was killed by that signal. */
#define AB_EXIT_SIGNAL_BASE 128

/* ---- alignbench-runner, every mode -------------------------------------------------------- */

/* The mode did its job and wrote its answer. */
#define AB_RUNNER_EXIT_OK 0
/* The mode could not do its job: replay: an unreadable or invalid trace, or a harness error
 * (TSC calibration, mapping memory, pinning, writing the result); conformance: a check failed
 * (its FAIL line is printed); micro: no benchmark ran. No result file is left behind. */
#define AB_RUNNER_EXIT_FAILED 1
/* Bad usage: an unknown mode or option, a missing or bad value, a missing --alloc, a threaded
 * trace given to an allocator created without --threads, a conformance check name that does
 * not exist. The orchestrator never causes one; a person running the runner by hand can. */
#define AB_RUNNER_EXIT_USAGE 2
/* The allocator is unknown, or refused to run here: its create() found that the library
 * serving malloc is not the one asked for (nothing or the wrong library in LD_PRELOAD), or a
 * native symbol is missing. run records the run as "refused". */
#define AB_RUNNER_EXIT_REFUSED 3
/* replay: the allocator broke its contract: a misaligned pointer, NULL for a non-empty
 * request, or memory overlapping a live block; stderr names the op and no result is written. */
#define AB_RUNNER_EXIT_CORRECTNESS 4
/* micro: this build has no Google Benchmark, so the mode cannot run. */
#define AB_RUNNER_EXIT_UNAVAILABLE 5

#endif
