/* program_run.h: one run of a whole program (`alignbench run --program NAME='CMD ARGS'`) under
 * one allocator, as one runs[] row of results.json (docs/running.md, "Whole programs").
 *
 * The command runs as `/bin/sh -c CMD` (quoting and pipelines work; "exec " is put in front
 * when the command is a plain command line, so the shell is replaced by the program), stdin
 * from /dev/null, stdout and stderr into one log file, the allocator's library and the malloc
 * probe (harness/probe/) in LD_PRELOAD, with the run's timeout and memory limit (child.h). Its
 * figures come from wait4's rusage, which covers the shell and every descendant it waited for,
 * and the wall clock around it. The probe's lines (program_probe.h) say whether the allocator
 * really served malloc; a run that is not verified is refused.
 */
#ifndef AB_PROGRAM_RUN_H
#define AB_PROGRAM_RUN_H

#include "harness/orchestrator/alloc_select.h"
#include "harness/orchestrator/child.h"

#include <jansson.h>
#include <stddef.h>

#define AB_PROGRAM_MAX_OK_STATUS 16

typedef struct ab_program_spec {
    const ab_alloc_choice *alloc;
    const char *name;       /* the workload's name, NAME of --program */
    const char *command;    /* CMD as the user gave it */
    const char *probe_lib;  /* path of libalignbench-probe.so */
    const char *log_path;   /* the program's stdout and stderr */
    const char *probe_path; /* the probe's output file (removed afterwards) */
    double timeout_s;
    size_t mem_limit;
    const int *ok_status; /* exit statuses accepted besides 0 (--program-ok-status) */
    size_t n_ok_status;
    unsigned rep; /* 1-based */
} ab_program_spec;

/* The command line handed to /bin/sh -c: "exec CMD" when CMD is one plain command (no shell
 * operator, substitution, redirection, assignment or builtin), else CMD unchanged. */
void ab_program_shell_command(const char *command, char *buf, size_t len);

/* Runs the program once and returns its runs[] row: the bookkeeping of run_record.h with
 * "kind": "program", "command", "served_by" and "processes" (from the probe), and the metrics
 * cpu_ms, user_ms, sys_ms, wall_ms, peak_rss, minor_faults, major_faults and exit_status. The
 * status is "ok", "failed" (an exit status not accepted), "crashed" (a signal), "timeout" or
 * "refused" (the probe could not verify the allocator); the error names the program, the
 * status and the last lines of its output. *r gets the child's result (for progress). */
json_t *ab_program_run(const ab_program_spec *spec, ab_child_result *r);

#endif
