/* cmd_record.c: `alignbench record -o FILE [--text] [--timestamps] -- PROGRAM ARGS...`: run a
 * program under the LD_PRELOAD recorder (workloads/recorder/record.c) and leave its allocations
 * as one trace per process.
 *
 * The recorder library is the installed one (lib/alignbench/) or the one next to the alignbench
 * executable in a build tree (orchestrator/locate.h), or --lib PATH. The program runs as a child
 * (orchestrator/child.h: stdin, stdout and stderr its own, no timeout, outliving us) with the
 * library prepended to LD_PRELOAD, AB_RECORD_OUT naming the trace (made absolute, so a
 * program that changes directory still writes where it was asked; "%p" in it stands for each
 * process's pid, and then every process forked or exec'd records its own trace), AB_RECORD_PID
 * its own pid (without %p only this process records), AB_RECORD_MANIFEST a temporary file where
 * each process appends the name of the trace it finished (or, after a '!', why it had to stop),
 * and AB_RECORD_TIMESTAMPS with --timestamps. Before the program starts, the temporary traces a
 * SIGKILL left for this output are removed (record_stale.c). Afterwards every trace listed is
 * validated and summarised, one line each; with --text each is converted to the text form. The
 * exit code is the program's when it failed (128 + the signal when killed, 127 when it could not
 * start), 1 when no valid trace came out.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

typedef struct record_opts {
    const char *out, *lib;
    int text, timestamps;
    char *const *prog; /* the program and its arguments, NULL-terminated */
} record_opts;

/* The options up to the program. Returns 0, 1 after --help, or AB_EXIT_USAGE (said why). */
static int parse_args(int argc, char **argv, record_opts *o)
{
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
            return 1;
        } else if (c == 'o') {
            o->out = optarg;
        } else if (c == 'l') {
            o->lib = optarg;
        } else if (c == 't') {
            o->text = 1;
        } else if (c == 'T') {
            o->timestamps = 1;
        } else {
            ab_opt_complain(WHO, c, argv);
            return AB_EXIT_USAGE;
        }
    }
    if (!o->out || optind >= argc) {
        fprintf(stderr, "alignbench record: %s\n",
                !o->out ? "-o FILE is required" : "no program given (after --)");
        record_usage(stderr);
        return AB_EXIT_USAGE;
    }
    o->prog = argv + optind;
    return 0;
}

/* The recorder library into libpath (o->lib, else the installed one or the build tree's), and
 * the trace's name, absolute, into binpath (with --text the recorder writes binary traces beside
 * the outputs, NAME.bin, converted afterwards). 0, or an exit code (said why). */
static int record_paths(const record_opts *o, char *libpath, size_t liblen, char *binpath,
                        size_t binlen)
{
    if (o->lib) {
        snprintf(libpath, liblen, "%s", o->lib);
    } else {
        ab_locate(AB_INSTALL_RECORDER_REL, NULL, RECORDER_LIB, libpath, liblen);
        if (!libpath[0]) {
            fprintf(stderr, "alignbench record: cannot find my own directory\n");
            return AB_EXIT_FAILURE;
        }
    }
    if (access(libpath, R_OK) != 0) {
        fprintf(stderr, "alignbench record: recorder library %s: %s\n", libpath, strerror(errno));
        return AB_EXIT_FAILURE;
    }
    char cwd[4096];
    const char *out = o->out;
    if (out[0] != '/' && !getcwd(cwd, sizeof cwd)) {
        fprintf(stderr, "alignbench record: cannot get the current directory: %s\n",
                strerror(errno));
        return AB_EXIT_FAILURE;
    }
    if (snprintf(binpath, binlen, "%s%s%s%s", out[0] == '/' ? "" : cwd, out[0] == '/' ? "" : "/",
                 out, o->text ? ".bin" : "") >= (int)binlen) {
        fprintf(stderr, "alignbench record: output name too long: %s\n", out);
        return AB_EXIT_USAGE;
    }
    return 0;
}

/* Runs the program with the recorder preloaded (child.h), in this terminal: stdin, stdout and
 * stderr its own, and it outlives us as it would have outlived a shell. Returns the program's
 * exit code (128 + the signal that killed it, AB_EXIT_CANNOT_EXEC when it could not start),
 * said when not 0; its run time in *secs. */
static int run_recorded(const record_opts *o, const char *lib, const char *binpath,
                        const char *manpath, double *secs)
{
    char preload[8400], outvar[4300], manvar[4300];
    const char *old = getenv("LD_PRELOAD");
    snprintf(preload, sizeof preload, "%s%s%s", lib, old && *old ? ":" : "", old ? old : "");
    snprintf(outvar, sizeof outvar, "AB_RECORD_OUT=%s", binpath);
    snprintf(manvar, sizeof manvar, "AB_RECORD_MANIFEST=%s", manpath);
    const char *env[] = {outvar, manvar,
                         o->timestamps ? "AB_RECORD_TIMESTAMPS=1" : "AB_RECORD_TIMESTAMPS",
                         "AB_RECORD_EXEC", NULL};
    ab_child_spec spec = {.argv = (const char *const *)o->prog,
                          .preload = preload,
                          .env = env,
                          .pid_var = "AB_RECORD_PID", /* without %p only this process records */
                          .search_path = 1,
                          .outlive_parent = 1};
    ab_child_result r;
    const char *prog = o->prog[0];
    *secs = 0;
    if (ab_child_run(&spec, &r) != 0 || r.outcome == AB_CHILD_SPAWN_ERROR) {
        fprintf(stderr, "alignbench record: cannot run %s: %s\n", prog,
                strerror(r.outcome == AB_CHILD_SPAWN_ERROR ? r.exit_code : errno));
        return AB_EXIT_CANNOT_EXEC;
    }
    *secs = r.wall_s;
    if (r.outcome == AB_CHILD_SIGNALED) {
        fprintf(stderr, "alignbench record: %s was killed by signal %d (%s)\n", prog, r.signo,
                strsignal(r.signo));
        return AB_EXIT_SIGNAL_BASE + r.signo;
    }
    if (r.exit_code)
        fprintf(stderr, "alignbench record: %s exited with %d\n", prog, r.exit_code);
    return r.exit_code;
}

/* Reports every trace the manifest lists, in the order the processes finished them; a line
 * starting with '!' is a recorder that had to stop (the program took its descriptor), said as
 * is. Counts the traces in *traces; returns how many were bad. */
static int report_manifest(int mfd, const record_opts *o, int *traces)
{
    FILE *mf = fdopen(mfd, "r");
    char line[4700];
    int bad = 0, has_pid = strstr(o->out, "%p") != NULL;
    *traces = 0;
    while (mf && fgets(line, sizeof line, mf)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0])
            continue;
        if (line[0] == '!') {
            fprintf(stderr, "%s\n", line + 1);
            bad++;
            continue;
        }
        (*traces)++;
        if (report_trace(line, o->text, has_pid))
            bad++;
    }
    if (mf)
        fclose(mf);
    else
        close(mfd);
    return bad;
}

int cmd_record(int argc, char **argv)
{
    record_opts o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc == 1 ? AB_EXIT_OK : rc;
    char libpath[4096], binpath[4200];
    if ((rc = record_paths(&o, libpath, sizeof libpath, binpath, sizeof binpath)) != 0)
        return rc;
    if (!strstr(o.out, "%p"))
        unlink(binpath);                     /* a stale trace must not pass for this run's */
    ab_record_remove_stale(binpath, stderr); /* left by a recording killed by SIGKILL */
    /* The manifest: each process appends the name of the trace it finished. */
    const char *tmpdir = getenv("TMPDIR");
    char manpath[4200];
    snprintf(manpath, sizeof manpath, "%s/alignbench-record.XXXXXX",
             tmpdir && *tmpdir ? tmpdir : "/tmp");
    int mfd = mkostemp(manpath, O_CLOEXEC);
    if (mfd < 0) {
        fprintf(stderr, "alignbench record: cannot create a temporary file in %s: %s\n",
                tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
        return AB_EXIT_FAILURE;
    }
    double secs;
    int prog_rc = run_recorded(&o, libpath, binpath, manpath, &secs);
    int traces, bad = report_manifest(mfd, &o, &traces);
    unlink(manpath);
    if (traces == 0)
        fprintf(stderr, "alignbench record: no trace was written (%s)\n", o.out);
    else
        fprintf(stderr, "alignbench record: %d trace(s) in %.2f s\n", traces, secs);
    if (prog_rc)
        return prog_rc;
    return traces == 0 || bad ? AB_EXIT_FAILURE : AB_EXIT_OK;
}
