/* program_probe.c: verifying a program run from the probe's lines (program_probe.h). */
#include "harness/orchestrator/program_probe.h"
#include "harness/common/error_message.h"
#include "harness/orchestrator/program_serve.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROCS 4096

typedef struct proc {
    long pid;
    int started;    /* its last record was "start" (1) or "exit" (0) */
    double ghz_sum; /* its clock readings (start, exit) */
    unsigned ghz_n;
    char lib[512], exe[512];
} proc;

/* 1 when lib is the expected one: the same file (after resolving links), or for glibc any
 * path whose file name is libc.so.6. */
static int lib_matches(const char *lib, const char *expected)
{
    if (!*expected) {
        const char *base = strrchr(lib, '/');
        return !strcmp(base ? base + 1 : lib, AB_PROGRAM_LIBC);
    }
    char a[PATH_MAX], b[PATH_MAX];
    if (!realpath(lib, a) || !realpath(expected, b))
        return !strcmp(lib, expected);
    return !strcmp(a, b);
}

static proc *find(proc *v, size_t n, long pid)
{
    for (size_t i = n; i-- > 0;)
        if (v[i].pid == pid)
            return &v[i];
    return NULL;
}

static void add_ghz(proc *p, const char *field)
{
    double g = field ? strtod(field, NULL) : 0;
    if (g > 0.1 && g < 20) {
        p->ghz_sum += g;
        p->ghz_n++;
    }
}

int ab_program_probe_check(const char *probe_path, const char *expected, char *served,
                           size_t servedlen, unsigned *processes, double *ghz, char *err,
                           size_t errlen)
{
    *ghz = NAN;
    const char *want = *expected ? expected : "glibc's " AB_PROGRAM_LIBC;
    served[0] = '\0';
    *processes = 0;
    FILE *f = fopen(probe_path, "r");
    if (!f)
        return ab_fail(err, errlen,
                       "no process of the command loaded the allocator (the malloc probe wrote "
                       "nothing): the program ignored LD_PRELOAD (a static or setuid binary?), "
                       "so %s cannot be verified to serve it",
                       want);
    proc *v = calloc(MAX_PROCS, sizeof *v);
    size_t n = 0;
    char line[8192];
    int rc = 0;
    while (v && rc == 0 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *save = NULL, *kind = strtok_r(line, "\t", &save),
             *pid_s = strtok_r(NULL, "\t", &save);
        if (!kind || !pid_s)
            continue;
        long pid = strtol(pid_s, NULL, 10);
        proc *p = find(v, n, pid);
        if (!strcmp(kind, "exit")) {
            if (p) {
                p->started = 0;
                add_ghz(p, strtok_r(NULL, "\t", &save));
            }
            continue;
        }
        if (strcmp(kind, "start") != 0)
            continue;
        const char *lib = strtok_r(NULL, "\t", &save), *exe = strtok_r(NULL, "\t", &save);
        if (!p && n < MAX_PROCS)
            p = &v[n++];
        if (!p)
            continue;
        p->pid = pid;
        p->started = 1;
        add_ghz(p, strtok_r(NULL, "\t", &save));
        snprintf(p->lib, sizeof p->lib, "%s", lib ? lib : "?");
        snprintf(p->exe, sizeof p->exe, "%s", exe ? exe : "?");
        (*processes)++;
        if (!served[0])
            snprintf(served, servedlen, "%s", p->lib);
        if (!lib_matches(p->lib, expected))
            rc = ab_fail(err, errlen,
                         "malloc of process %ld (%s) is served by %s, not by %s: the allocator "
                         "is not the one measured",
                         pid, p->exe, p->lib, want);
    }
    fclose(f);
    /* dash, /bin/sh here, ends with _exit(): no exit line. A shell is never what is measured,
     * so its own missing exit is not held against it, but some other program must report. */
    char shell[PATH_MAX];
    if (!realpath("/bin/sh", shell))
        snprintf(shell, sizeof shell, "/bin/sh");
    size_t others = 0;
    double ghz_sum = 0;
    unsigned ghz_n = 0;
    for (size_t i = 0; v && i < n; i++)
        if (strcmp(v[i].exe, shell) != 0) {
            others++;
            ghz_sum += v[i].ghz_sum;
            ghz_n += v[i].ghz_n;
        }
    if (ghz_n)
        *ghz = ghz_sum / ghz_n;
    for (size_t i = 0; v && rc == 0 && i < n; i++)
        if (v[i].started && strcmp(v[i].exe, shell) != 0)
            rc = ab_fail(err, errlen,
                         "process %ld (%s) loaded %s but then ran a program that did not load "
                         "it (LD_PRELOAD removed, or a static or setuid binary), or it ended "
                         "without exit(): the program cannot be verified to use the allocator",
                         v[i].pid, v[i].exe, want);
    if (!v)
        rc = ab_fail(err, errlen, "out of memory reading %s", probe_path);
    else if (rc == 0 && others == 0)
        rc = ab_fail(err, errlen,
                     "no process of the command but the shell (%s) loaded %s: the program "
                     "ignored LD_PRELOAD (a static or setuid binary?) or the command removed it",
                     shell, want);
    free(v);
    return rc;
}
