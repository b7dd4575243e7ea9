/* child.h: running one measured run, or any other program, as a fresh child process
 * (docs/allocators.md).
 *
 * The orchestrator never measures in its own process: each (allocator, workload, repetition)
 * is a fork+exec of the runner, with the allocator's library in LD_PRELOAD where it needs one
 * and a variant's settings (MALLOC_CONF=..., GLIBC_TUNABLES=...) in its environment alone.
 * A child that crashes, hangs past its timeout or runs out of memory comes back as a status,
 * never as a lost run. Every child alignbench starts goes through here: the runners and probes,
 * whole programs (run --program), gnuplot (report.c), git (context.c) and the program `record`
 * records.
 */
#ifndef AB_CHILD_H
#define AB_CHILD_H

#include "harness/measure/counters.h"
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

typedef struct ab_child_spec {
    const char *const *argv; /* argv[0] is the program path; NULL-terminated */
    const char *preload;     /* LD_PRELOAD value, or NULL */
    const char *const *env;  /* NULL, or NULL-terminated "VAR=value" set in this child only
                              * (a bare "VAR": VAR removed from its environment) */
    const char *pid_var;     /* NULL, or a variable set to the child's own pid (record's
                              * AB_RECORD_PID: which process is the one started) */
    int search_path;         /* 1: argv[0] is looked up in PATH, as execvp does */
    int outlive_parent;      /* 1: the child is not killed when this process dies (a recorded
                              * program, which finishes its trace on the terminal's Ctrl-C) */
    double timeout_s;        /* 0: none; else SIGKILL after this long (status "timeout") */
    size_t mem_limit;        /* 0: none; else RLIMIT_AS in bytes */
    const char *stdout_path; /* NULL: inherit; else the child's stdout goes to this file (not
                              * through a link planted at its name; a regular file is written
                              * by this process from a pipe, capped at AB_LOG_CAP:
                              * log_capture.h) */
    const char *stderr_path; /* NULL: inherit; else the child's stderr goes to this file (the
                              * same path as stdout_path: both share one file, in order) */
    char *stdout_buf;        /* NULL: as stdout_path; else the child's stdout is kept in this
                              * buffer, NUL-terminated, what does not fit dropped (git's
                              * answer) */
    size_t stdout_buf_len;   /* its size in bytes */
    char *stderr_buf;        /* the same for stderr (gnuplot's warnings) */
    size_t stderr_buf_len;
    int stdin_null;        /* 1: the child's stdin is /dev/null (a program run) */
    int own_group;         /* 1: the child leads a new process group, killed whole at the
                            * timeout (a shell and the programs it started) */
    ab_counters *counters; /* NULL: none; else opened on the child (counters.h) while it waits
                            * between fork and exec, so they count it and everything it starts
                            * from its exec on; read into the result's `counted` at its end,
                            * then closed */
    /* Repeatable counts (run --measure instructions): the same process layout every time */
    int no_aslr;     /* 1: personality(ADDR_NO_RANDOMIZE): no address-space randomization */
    int clean_env;   /* 1: none of our environment: only AB_CHILD_CLEAN_ENV, env and preload */
    const char *cwd; /* NULL: ours; else the child starts in this folder */
} ab_child_spec;

/* The fixed environment of a clean_env child (before its env and LD_PRELOAD). */
#define AB_CHILD_CLEAN_ENV                                                                         \
    {                                                                                              \
        "PATH=/usr/bin:/bin", "LC_ALL=C"                                                           \
    }

typedef enum ab_child_outcome {
    AB_CHILD_OK = 0,      /* exited 0 */
    AB_CHILD_FAILED,      /* exited non-zero (exit_code) */
    AB_CHILD_SIGNALED,    /* killed by a signal (signo) */
    AB_CHILD_TIMEOUT,     /* killed by us at the timeout */
    AB_CHILD_SPAWN_ERROR, /* could not start (errno in exit_code) */
} ab_child_outcome;

typedef struct ab_child_result {
    ab_child_outcome outcome;
    int exit_code;
    int signo;
    double wall_s;
    long maxrss_kb;            /* from wait4's rusage */
    struct rusage ru;          /* wait4's rusage: the child's and its waited-for descendants' */
    pid_t pid;                 /* the child's process id (0 when it could not start) */
    ab_counter_sample counted; /* spec.counters: their totals over the child's process tree */
} ab_child_result;

/* Run the child to completion. Returns 0 when it could be waited for (see result), -1 on error. */
int ab_child_run(const ab_child_spec *spec, ab_child_result *result);

/* "ok", "exit 3", "signal 11 (Segmentation fault)", "timeout after 10.0 s", ... */
void ab_child_describe(const ab_child_result *r, char *buf, size_t len);

/* Directory holding the running executable (to find the runner next to alignbench). */
int ab_self_dir(char *buf, size_t len);

#endif
