/* cmd_record.c: `alignbench record -o FILE [--text] -- PROGRAM ARGS...`: run a program under the
 * LD_PRELOAD recorder (workloads/recorder/record.c) and leave its allocations as a trace.
 *
 * The recorder library is the installed one (lib/alignbench/) or the one next to the alignbench
 * executable in a build tree (orchestrator/locate.h), or --lib PATH. The program runs
 * as a child with the library prepended to LD_PRELOAD, AB_RECORD_OUT naming the trace and
 * AB_RECORD_PID its own pid (so that only this process records, not the processes it forks or
 * execs). Afterwards the trace is validated and summarised; with --text it is converted to the
 * text form. The exit code is the program's when it failed, 1 when no valid trace came out.
 */
#include "harness/orchestrator/child.h"
#include "harness/orchestrator/locate.h"
#include "harness/cli/commands.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"
#include "workloads/trace_io.h"
#include "workloads/trace_text.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RECORDER_LIB "libalignbench-record.so"
#define WHO "alignbench record"

static void record_usage(FILE *out)
{
    fprintf(out,
            "usage: alignbench record -o FILE [--text] [--lib PATH] -- PROGRAM [ARGS...]\n\n"
            "Runs PROGRAM with the recorder preloaded and writes every malloc, calloc, realloc,\n"
            "free, posix_memalign, aligned_alloc, memalign, valloc and pvalloc it makes (all\n"
            "threads) as a trace: binary, or text with --text. Only the initial process is\n"
            "recorded, not the processes it forks or execs. The trace is written when the\n"
            "program exits normally (not on _exit or a signal). Frees of memory allocated before\n"
            "recording began, and blocks of 4 GiB or more, are not recorded; their counts are in\n"
            "the trace's metadata (`alignbench trace stats FILE`). --lib PATH: the recorder\n"
            "library (default: the installed one, lib/alignbench/" RECORDER_LIB ", else the one\n"
            "next to alignbench in a build tree).\n");
}

int cmd_record(int argc, char **argv)
{
    const char *out = NULL, *lib = NULL;
    int text = 0;
    static const struct option longs[] = {{"output", required_argument, NULL, 'o'},
                                          {"lib", required_argument, NULL, 'l'},
                                          {"text", no_argument, NULL, 't'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    /* "+": the options end at "--" or at the program, whose own options are its own */
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+:ho:", longs, NULL)) != -1) {
        if (c == 'h') {
            record_usage(stdout);
            return AB_EXIT_OK;
        } else if (c == 'o') {
            out = optarg;
        } else if (c == 'l') {
            lib = optarg;
        } else if (c == 't') {
            text = 1;
        } else {
            ab_opt_complain(WHO, c, argv);
            return AB_EXIT_USAGE;
        }
    }
    int i = optind;
    if (!out || i >= argc) {
        fprintf(stderr, "alignbench record: %s\n",
                !out ? "-o FILE is required" : "no program given (after --)");
        record_usage(stderr);
        return AB_EXIT_USAGE;
    }
    char libpath[4096];
    if (!lib) {
        ab_locate(AB_INSTALL_RECORDER_REL, NULL, RECORDER_LIB, libpath, sizeof libpath);
        if (!libpath[0]) {
            fprintf(stderr, "alignbench record: cannot find my own directory\n");
            return AB_EXIT_FAILURE;
        }
        lib = libpath;
    }
    if (access(lib, R_OK) != 0) {
        fprintf(stderr, "alignbench record: recorder library %s: %s\n", lib, strerror(errno));
        return AB_EXIT_FAILURE;
    }
    /* With --text the recorder writes a binary trace beside the output, converted afterwards. */
    char binpath[4200];
    snprintf(binpath, sizeof binpath, text ? "%s.bin" : "%s", out);
    unlink(binpath); /* a stale trace must not pass for this run's */

    char preload[8400];
    const char *old = getenv("LD_PRELOAD");
    snprintf(preload, sizeof preload, "%s%s%s", lib, old && *old ? ":" : "", old ? old : "");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "alignbench record: fork: %s\n", strerror(errno));
        return AB_EXIT_FAILURE;
    }
    if (pid == 0) {
        char pidbuf[32];
        snprintf(pidbuf, sizeof pidbuf, "%ld", (long)getpid());
        setenv("LD_PRELOAD", preload, 1);
        setenv("AB_RECORD_OUT", binpath, 1);
        setenv("AB_RECORD_PID", pidbuf, 1);
        execvp(argv[i], argv + i);
        fprintf(stderr, "alignbench record: cannot run %s: %s\n", argv[i], strerror(errno));
        _exit(AB_EXIT_CANNOT_EXEC);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    int prog_rc = WIFEXITED(status) ? WEXITSTATUS(status) : AB_EXIT_SIGNAL_BASE + WTERMSIG(status);
    if (WIFSIGNALED(status))
        fprintf(stderr, "alignbench record: %s was killed by signal %d (%s)\n", argv[i],
                WTERMSIG(status), strsignal(WTERMSIG(status)));
    else if (prog_rc)
        fprintf(stderr, "alignbench record: %s exited with %d\n", argv[i], prog_rc);

    ab_trace t;
    char err[600];
    if (ab_trace_open(binpath, &t, err, sizeof err)) {
        fprintf(stderr, "alignbench record: no trace: %s\n", err);
        return prog_rc ? prog_rc : AB_EXIT_FAILURE;
    }
    int rc = AB_EXIT_OK;
    if (ab_trace_validate(&t, NULL, err, sizeof err)) {
        fprintf(stderr, "alignbench record: the trace is invalid: %s\n", err);
        rc = AB_EXIT_FAILURE;
    } else if (text && ab_trace_save_text(&t, out, err, sizeof err)) {
        fprintf(stderr, "alignbench record: %s\n", err);
        rc = AB_EXIT_FAILURE;
    }
    if (rc == 0)
        fprintf(stderr,
                "alignbench record: wrote %s: %llu ops, peak live %llu bytes in %u ids, "
                "%u thread(s), %.2f s\n  %s\n",
                out, (unsigned long long)t.hdr.op_count, (unsigned long long)t.hdr.peak_live_bytes,
                t.hdr.max_live_ids, t.hdr.thread_count, secs, t.hdr.meta);
    ab_trace_close(&t);
    if (text)
        unlink(binpath);
    return rc ? rc : prog_rc;
}
