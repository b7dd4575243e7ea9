/* cmd_record.c: `alignbench record -o FILE [--text] [--timestamps] -- PROGRAM ARGS...`: run a
 * program under the LD_PRELOAD recorder (workloads/recorder/record.c) and leave its allocations
 * as one trace per process.
 *
 * The recorder library is the installed one (lib/alignbench/) or the one next to the alignbench
 * executable in a build tree (orchestrator/locate.h), or --lib PATH. The program runs as a child
 * with the library prepended to LD_PRELOAD, AB_RECORD_OUT naming the trace (made absolute, so a
 * program that changes directory still writes where it was asked; "%p" in it stands for each
 * process's pid, and then every process forked or exec'd records its own trace), AB_RECORD_PID
 * its own pid (without %p only this process records), AB_RECORD_MANIFEST a temporary file where
 * each process appends the name of the trace it finished (or, after a '!', why it had to stop),
 * and AB_RECORD_TIMESTAMPS with --timestamps. Before the program starts, the temporary traces a
 * SIGKILL left for this output are removed (record_stale.c). Afterwards every trace listed is
 * validated and summarised, one line each; with --text each is converted to the text form. The exit
 * code is the program's when it failed (128
 * + the signal when killed), 1 when no valid trace came out.
 */
#include "harness/orchestrator/child.h"
#include "harness/orchestrator/locate.h"
#include "harness/cli/commands.h"
#include "harness/cli/record_stale.h"
#include "harness/common/exit_codes.h"
#include "harness/common/parse_num.h"
#include "workloads/trace_io.h"
#include "workloads/trace_text.h"

#include <errno.h>
#include <fcntl.h>
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
            "usage: alignbench record -o FILE [--text] [--timestamps] [--lib PATH] -- PROGRAM "
            "[ARGS...]\n\n"
            "Runs PROGRAM with the recorder preloaded and writes every malloc, calloc, realloc,\n"
            "free, posix_memalign, aligned_alloc, memalign, valloc, pvalloc, free_sized,\n"
            "free_aligned_sized and C++ operator new/delete it makes (all threads, each op with\n"
            "its entry point) as a trace: binary, or text with --text. \"%%p\" in FILE stands for\n"
            "the pid: then every process records its own trace, fork children (starting with the\n"
            "blocks they inherit) and exec'd programs (PID-N for the N-th program of a pid)\n"
            "included. Without %%p only the first process is recorded. A trace is finished when\n"
            "its process exits, calls _exit, execs, or dies by SIGTERM, SIGINT, SIGHUP, SIGQUIT,\n"
            "SIGABRT or SIGSEGV (the process still ends as it would have). --timestamps: a time\n"
            "op (ns since the recording began) before each op. Frees of memory allocated before\n"
            "recording began, and blocks of 4 GiB or more, are not recorded; their counts are in\n"
            "the trace's metadata (`alignbench trace stats FILE`). --lib PATH: the recorder\n"
            "library (default: the installed one, lib/alignbench/" RECORDER_LIB ", else the one\n"
            "next to alignbench in a build tree).\n\n"
            "A trace in progress is FILE.tmp.PID, created anew (never through a file or a link\n"
            "already there); one that a SIGKILL left (its process gone) is removed before the\n"
            "program starts. The recorder writes nothing but its trace: if the program closes\n"
            "or replaces the recorder's descriptor (close_range, closefrom, dup2), recording\n"
            "stops, it says so and no trace is written (exit 1).\n");
}

/* The value of " key=" in a trace's metadata, or "?". */
static void meta_value(const char *meta, const char *key, char *dst, size_t len)
{
    size_t kl = strlen(key);
    for (const char *p = meta; (p = strstr(p, key)) != NULL; p += kl) {
        if ((p != meta && p[-1] != ' ') || p[kl] != '=')
            continue;
        p += kl + 1;
        size_t n = strcspn(p, " ");
        snprintf(dst, len, "%.*s", (int)(n < len ? n : len - 1), p);
        return;
    }
    snprintf(dst, len, "?");
}

/* Validate, convert (--text) and summarise one trace the recorder finished; 0 if it is valid. */
static int report_trace(const char *bin, int text, int has_pid)
{
    char out[4800];
    snprintf(out, sizeof out, "%s", bin);
    size_t n = strlen(out);
    if (text && n > 4 && !strcmp(out + n - 4, ".bin"))
        out[n - 4] = 0;
    ab_trace t;
    char err[600];
    if (ab_trace_open(bin, &t, err, sizeof err)) {
        fprintf(stderr, "alignbench record: no trace %s: %s\n", out, err);
        return -1;
    }
    int rc = 0;
    if (ab_trace_validate(&t, NULL, err, sizeof err)) {
        fprintf(stderr, "alignbench record: the trace %s is invalid: %s\n", out, err);
        rc = -1;
    } else if (text && ab_trace_save_text(&t, out, err, sizeof err)) {
        fprintf(stderr, "alignbench record: %s\n", err);
        rc = -1;
    }
    char prog[64], pid[24], end[24], forks[24], image[24];
    meta_value(t.hdr.meta, "program", prog, sizeof prog);
    meta_value(t.hdr.meta, "pid", pid, sizeof pid);
    meta_value(t.hdr.meta, "end", end, sizeof end);
    meta_value(t.hdr.meta, "forks", forks, sizeof forks);
    meta_value(t.hdr.meta, "image", image, sizeof image);
    if (rc == 0)
        fprintf(stderr,
                "alignbench record: wrote %s: %llu ops, %u thread(s), program %s (pid %s, "
                "ended by %s), peak live %llu bytes in %u ids\n",
                out, (unsigned long long)t.hdr.op_count, t.hdr.thread_count, prog, pid, end,
                (unsigned long long)t.hdr.peak_live_bytes, t.hdr.max_live_ids);
    if (!has_pid && strcmp(forks, "0") && strcmp(forks, "?"))
        fprintf(stderr,
                "alignbench record: note: %s forked %s process(es), not recorded: put %%p in "
                "the output name to record every process\n",
                prog, forks);
    if (!has_pid && strcmp(image, "0") && strcmp(image, "?"))
        fprintf(stderr,
                "alignbench record: note: the trace is %s's, the program exec'd last; the %s "
                "program(s) before it were not recorded: put %%p in the output name to record "
                "them\n",
                prog, image);
    ab_trace_close(&t);
    if (text)
        unlink(bin);
    return rc;
}

int cmd_record(int argc, char **argv)
{
    const char *out = NULL, *lib = NULL;
    int text = 0, timestamps = 0;
    static const struct option longs[] = {
        {"output", required_argument, NULL, 'o'}, {"timestamps", no_argument, NULL, 'T'},
        {"lib", required_argument, NULL, 'l'},    {"text", no_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
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
        } else if (c == 'T') {
            timestamps = 1;
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
    /* The output name, absolute; with --text the recorder writes binary traces beside the
     * outputs (NAME.bin), converted afterwards. */
    char binpath[4200], cwd[4096];
    if (out[0] != '/' && !getcwd(cwd, sizeof cwd)) {
        fprintf(stderr, "alignbench record: cannot get the current directory: %s\n",
                strerror(errno));
        return AB_EXIT_FAILURE;
    }
    if (snprintf(binpath, sizeof binpath, "%s%s%s%s", out[0] == '/' ? "" : cwd,
                 out[0] == '/' ? "" : "/", out, text ? ".bin" : "") >= (int)sizeof binpath) {
        fprintf(stderr, "alignbench record: output name too long: %s\n", out);
        return AB_EXIT_USAGE;
    }
    int has_pid = strstr(out, "%p") != NULL;
    if (!has_pid)
        unlink(binpath);                     /* a stale trace must not pass for this run's */
    ab_record_remove_stale(binpath, stderr); /* left by a recording killed by SIGKILL */
    const char *tmpdir = getenv("TMPDIR");
    char manpath[4200];
    snprintf(manpath, sizeof manpath, "%s/alignbench-record.XXXXXX",
             tmpdir && *tmpdir ? tmpdir : "/tmp");
    int mfd = mkstemp(manpath);
    if (mfd < 0) {
        fprintf(stderr, "alignbench record: cannot create a temporary file in %s: %s\n",
                tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
        return AB_EXIT_FAILURE;
    }

    char preload[8400];
    const char *old = getenv("LD_PRELOAD");
    snprintf(preload, sizeof preload, "%s%s%s", lib, old && *old ? ":" : "", old ? old : "");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "alignbench record: fork: %s\n", strerror(errno));
        close(mfd);
        unlink(manpath);
        return AB_EXIT_FAILURE;
    }
    if (pid == 0) {
        char pidbuf[32];
        snprintf(pidbuf, sizeof pidbuf, "%ld", (long)getpid());
        setenv("LD_PRELOAD", preload, 1);
        setenv("AB_RECORD_OUT", binpath, 1);
        setenv("AB_RECORD_PID", pidbuf, 1);
        setenv("AB_RECORD_MANIFEST", manpath, 1);
        if (timestamps)
            setenv("AB_RECORD_TIMESTAMPS", "1", 1);
        else
            unsetenv("AB_RECORD_TIMESTAMPS");
        unsetenv("AB_RECORD_EXEC");
        close(mfd);
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

    /* One line per finished trace, in the order the processes finished them; a line starting
     * with '!' is a recorder that had to stop (the program took its descriptor), said as is. */
    FILE *mf = fdopen(mfd, "r");
    char line[4700];
    int traces = 0, bad = 0;
    while (mf && fgets(line, sizeof line, mf)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0])
            continue;
        if (line[0] == '!') {
            fprintf(stderr, "%s\n", line + 1);
            bad++;
            continue;
        }
        traces++;
        if (report_trace(line, text, has_pid))
            bad++;
    }
    if (mf)
        fclose(mf);
    else
        close(mfd);
    unlink(manpath);
    if (traces == 0)
        fprintf(stderr, "alignbench record: no trace was written (%s)\n", out);
    else
        fprintf(stderr, "alignbench record: %d trace(s) in %.2f s\n", traces, secs);
    if (prog_rc)
        return prog_rc;
    return traces == 0 || bad ? AB_EXIT_FAILURE : AB_EXIT_OK;
}
