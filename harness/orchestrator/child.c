/* child.c: fork+exec of one child process, with its own LD_PRELOAD, environment, memory limit,
 * output files and timeout (child.h; one allocator per process: docs/allocators.md). It is the
 * one place alignbench starts a program: runners, probes, whole programs, gnuplot, git, and
 * the program `record` records.
 *
 * LD_PRELOAD and a variant's settings are set only in the environment handed to execve, never in
 * ours: the orchestrator keeps glibc's malloc and its settings whatever it runs, and no other
 * child sees a variant's MALLOC_CONF. An inherited LD_PRELOAD is dropped, as is an inherited
 * variable the variant sets, so a child runs
 * exactly the allocator asked for. The environment and the output files are prepared before the
 * fork; between fork and exec the child only makes system calls. A close-on-exec pipe carries
 * errno back when exec fails, so "could not start" is told apart from "exited 127". The timeout
 * waits on a pidfd with poll (falling back to polling waitpid where pidfds are missing), then
 * SIGKILLs; wait4 gives the rusage for maxrss. A child's output to a log file goes through a
 * pipe that the wait copies into the file, capped (log_capture.h); an output kept in memory
 * (gnuplot's warnings, git's answer) goes the same way into an unnamed file, read back at the
 * end.
 */
#include "harness/orchestrator/child.h"
#include "harness/orchestrator/log_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* 1 when entry ("VAR=value") names a variable that one of extra sets ("VAR=...") or removes
 * ("VAR"). */
static int overridden(const char *entry, const char *const *extra)
{
    size_t len = strcspn(entry, "=");
    for (; extra && *extra; extra++)
        if (strncmp(*extra, entry, len) == 0 && ((*extra)[len] == '=' || (*extra)[len] == '\0'))
            return 1;
    return 0;
}

/* The environment handed to execve, and the strings made for it. */
typedef struct child_env {
    char **v;
    char *preload; /* "LD_PRELOAD=..." */
    char *pid;     /* "PID_VAR=" and room for the digits, which the child writes */
    size_t pid_at; /* where the digits go in pid */
} child_env;

/* environ (spec->clean_env: AB_CHILD_CLEAN_ENV instead) without LD_PRELOAD and without the
 * variables extra sets or removes, then extra's settings, then "PID_VAR=" (its value written by
 * the child) and "LD_PRELOAD=preload" when given. 0, or -1 when out of memory. */
static int child_env_make(child_env *e, const ab_child_spec *spec)
{
    const char *const *extra = spec->env;
    static const char *const clean_env[] = AB_CHILD_CLEAN_ENV;
    char *const *base = spec->clean_env ? (char *const *)clean_env : environ;
    size_t nbase = sizeof clean_env / sizeof clean_env[0];
    size_t n = 0, nextra = 0;
    memset(e, 0, sizeof *e);
    while (spec->clean_env ? n < nbase : environ[n] != NULL)
        n++;
    while (extra && extra[nextra])
        nextra++;
    if (!(e->v = calloc(n + nextra + 3, sizeof *e->v)))
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(base[i], "LD_PRELOAD=", 11) != 0 && !overridden(base[i], extra))
            e->v[k++] = base[i];
    for (size_t i = 0; i < nextra; i++)
        if (strchr(extra[i], '='))
            e->v[k++] = (char *)extra[i];
    if (spec->pid_var) {
        e->pid_at = strlen(spec->pid_var) + 1;
        if (!(e->pid = malloc(e->pid_at + 24)))
            return -1;
        snprintf(e->pid, e->pid_at + 24, "%s=", spec->pid_var);
        e->v[k++] = e->pid;
    }
    if (spec->preload) {
        size_t len = strlen(spec->preload) + 12;
        if (!(e->preload = malloc(len)))
            return -1;
        snprintf(e->preload, len, "LD_PRELOAD=%s", spec->preload);
        e->v[k++] = e->preload;
    }
    e->v[k] = NULL;
    return 0;
}

static void child_env_free(child_env *e)
{
    free(e->v);
    free(e->pid);
    free(e->preload);
}

/* Writes pid in decimal at dst (in the child: no stdio). */
static void put_pid(char *dst, pid_t pid)
{
    char digits[24];
    int n = 0;
    unsigned long v = (unsigned long)pid;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        *dst++ = digits[--n];
    *dst = '\0';
}

/* Runs in the child between fork and exec: system calls only. */
static void child_exec(const ab_child_spec *spec, child_env *env, int in_fd, int out_fd, int err_fd,
                       int report_fd, int go_fd, pid_t parent)
{
    /* The child dies with its parent: a SIGKILLed orchestrator must not leave a child running
     * (one that hangs in its allocator would spin until someone notices). */
    if (!spec->outlive_parent && (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent))
        _exit(127);
    if (env->pid)
        put_pid(env->pid + env->pid_at, getpid());
    if (spec->own_group && setpgid(0, 0) != 0)
        goto fail;
    if (in_fd >= 0 && dup2(in_fd, STDIN_FILENO) < 0)
        goto fail;
    if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
        goto fail;
    if (err_fd >= 0 && dup2(err_fd, STDERR_FILENO) < 0)
        goto fail;
    if (spec->mem_limit) {
        struct rlimit rl = {spec->mem_limit, spec->mem_limit};
        if (setrlimit(RLIMIT_AS, &rl) != 0)
            goto fail;
    }
    if (spec->no_aslr && personality(ADDR_NO_RANDOMIZE) == -1)
        goto fail;
    if (spec->cwd && chdir(spec->cwd) != 0)
        goto fail;
    char go;
    /* spec->counters: the parent opens them on this process, then lets it exec */
    if (go_fd >= 0 && read(go_fd, &go, 1) != 1)
        goto fail;
    if (spec->search_path)
        execvpe(spec->argv[0], (char *const *)spec->argv, env->v);
    else
        execve(spec->argv[0], (char *const *)spec->argv, env->v);
fail:;
    int e = errno;
    ssize_t w = write(report_fd, &e, sizeof e);
    (void)w;
    _exit(127);
}

/* Kills pid (its whole group when group) at its timeout and reaps it. Returns 1 when it was a
 * timeout, 0 when the child had ended on its own just before, -1 on error. */
static int kill_at_timeout(pid_t pid, int group, int *status, struct rusage *ru)
{
    if (group)
        kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    pid_t w;
    while ((w = wait4(pid, status, 0, ru)) < 0 && errno == EINTR)
        ;
    /* A child that ended on its own between the last look and the kill (its status is an exit,
     * or another signal) is not a timeout. */
    return w < 0 || (WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL);
}

/* Wait up to `timeout_s` (0: forever) for pid, copying its output into the logs of caps as it
 * comes; kill it at the timeout. Returns 1 when killed, 0 when it ended, -1 on error. */
static int wait_with_timeout(pid_t pid, int group, double timeout_s, ab_log_capture *caps,
                             int ncaps, int *status, struct rusage *ru)
{
    if (timeout_s <= 0 && ncaps == 0) {
        while (wait4(pid, status, 0, ru) < 0)
            if (errno != EINTR)
                return -1;
        return 0;
    }
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    double deadline = now_s() + timeout_s;
    for (;;) {
        int ms = -1;
        if (timeout_s > 0) {
            double left = deadline - now_s();
            if (left <= 0) {
                if (pidfd >= 0)
                    close(pidfd);
                return kill_at_timeout(pid, group, status, ru);
            }
            ms = left > 60.0 ? 60000 : (int)(left * 1000.0) + 1;
        }
        if (pidfd < 0) { /* no pidfds here: look at the child every 5 ms */
            pid_t r = wait4(pid, status, WNOHANG, ru);
            if (r == pid)
                return 0;
            if (r < 0 && errno != EINTR)
                return -1;
            ms = ms < 0 || ms > 5 ? 5 : ms;
        }
        struct pollfd pfd[3];
        int n = 0;
        if (pidfd >= 0)
            pfd[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
        for (int i = 0; i < ncaps; i++)
            if (caps[i].rd >= 0)
                pfd[n++] = (struct pollfd){.fd = caps[i].rd, .events = POLLIN};
        int rc = poll(pfd, (nfds_t)n, ms);
        for (int i = 0; i < ncaps; i++)
            ab_log_capture_pump(&caps[i]);
        if (rc > 0 && pidfd >= 0 && pfd[0].revents)
            break; /* it ended */
        if (rc < 0 && errno != EINTR && pidfd >= 0) {
            close(pidfd);
            pidfd = -1;
        }
    }
    close(pidfd);
    while (wait4(pid, status, 0, ru) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* A capture (log_capture.h) of the child's output into fd (which it then owns). Returns the
 * descriptor the child writes to, or -1 with errno. */
static int capture(int fd, ab_log_capture *caps, int *ncaps)
{
    ab_log_capture *c = &caps[*ncaps];
    if (ab_log_capture_open(c, fd) != 0) {
        close(fd);
        return -1;
    }
    (*ncaps)++;
    int child_fd = c->wr;
    c->wr = -1; /* the caller closes it once the child has it */
    return child_fd;
}

/* The file for one of the child's outputs: opened (a link planted at its name is not followed),
 * and when it is a regular file, behind a capture whose pipe the child gets. Returns the
 * descriptor the child writes to, or -1 with errno. */
static int output_for_child(const char *path, ab_log_capture *caps, int *ncaps)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return fd; /* /dev/null, or the error */
    return capture(fd, caps, ncaps);
}

/* One of the child's outputs kept in memory: a capture into an unnamed file (memfd), whose other
 * descriptor *keep reads it back when the child is done. Returns the child's end, or -1. */
static int output_to_memory(int *keep, ab_log_capture *caps, int *ncaps)
{
    int fd = memfd_create("alignbench-child-output", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    if ((*keep = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
        close(fd);
        return -1;
    }
    return capture(fd, caps, ncaps);
}

/* What the child wrote to the output kept in memory into buf, NUL-terminated, the rest dropped;
 * closes keep. */
static void read_back(int keep, char *buf, size_t len)
{
    size_t used = 0;
    ssize_t got;
    while (used + 1 < len && ((got = pread(keep, buf + used, len - 1 - used, (off_t)used)) > 0 ||
                              (got < 0 && errno == EINTR)))
        used += got > 0 ? (size_t)got : 0;
    buf[used] = '\0';
    close(keep);
}

int ab_child_run(const ab_child_spec *spec, ab_child_result *r)
{
    memset(r, 0, sizeof *r);
    if (!spec->argv || !spec->argv[0]) {
        errno = EINVAL;
        return -1;
    }
    int in_fd = -1, out_fd = -1, err_fd = -1, keep_out = -1, keep_err = -1, pipefd[2] = {-1, -1};
    int gofd[2] = {-1, -1}, counting = 0;
    ab_log_capture caps[2];
    int ncaps = 0;
    child_env env = {0};
    int ret = -1;
    int out_mem = spec->stdout_buf && spec->stdout_buf_len;
    int err_mem = spec->stderr_buf && spec->stderr_buf_len;
    if (out_mem)
        spec->stdout_buf[0] = '\0';
    if (err_mem)
        spec->stderr_buf[0] = '\0';
    if (out_mem) {
        if ((out_fd = output_to_memory(&keep_out, caps, &ncaps)) < 0)
            goto spawn_error;
    } else if (spec->stdout_path &&
               (out_fd = output_for_child(spec->stdout_path, caps, &ncaps)) < 0)
        goto spawn_error;
    if (err_mem) {
        if ((err_fd = output_to_memory(&keep_err, caps, &ncaps)) < 0)
            goto spawn_error;
    } else if (spec->stderr_path && spec->stdout_path &&
               !strcmp(spec->stderr_path, spec->stdout_path)) {
        if ((err_fd = fcntl(out_fd, F_DUPFD_CLOEXEC, 0)) < 0) /* one file, one offset */
            goto spawn_error;
    } else if (spec->stderr_path &&
               (err_fd = output_for_child(spec->stderr_path, caps, &ncaps)) < 0)
        goto spawn_error;
    if (spec->stdin_null && (in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
        goto spawn_error;
    if (child_env_make(&env, spec) != 0 || pipe2(pipefd, O_CLOEXEC) != 0)
        goto spawn_error;
    if (spec->counters && pipe2(gofd, O_CLOEXEC) != 0)
        goto spawn_error;

    fflush(NULL); /* nothing buffered is written twice */
    double t0 = now_s();
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        goto spawn_error;
    if (pid == 0)
        child_exec(spec, &env, in_fd, out_fd, err_fd, pipefd[1], gofd[0], parent);
    close(pipefd[1]);
    pipefd[1] = -1;
    if (spec->counters) { /* counted from its exec on, then let it go */
        ab_counters_open_task(spec->counters, pid);
        counting = 1;
        ssize_t w = write(gofd[1], "g", 1);
        (void)w; /* a child that died before reading it is reaped below */
        close(gofd[1]);
        gofd[1] = -1;
    }
    if (out_fd >= 0) /* the child has them: a capture sees the end of its pipe when it ends */
        close(out_fd);
    if (err_fd >= 0)
        close(err_fd);
    out_fd = err_fd = -1;

    int exec_errno = 0;
    ssize_t got;
    while ((got = read(pipefd[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR)
        ;
    int status = 0;
    struct rusage ru = {0};
    int killed =
        wait_with_timeout(pid, spec->own_group, got == sizeof exec_errno ? 0 : spec->timeout_s,
                          caps, ncaps, &status, &ru);
    if (killed < 0)
        goto out;
    r->wall_s = now_s() - t0;
    r->maxrss_kb = ru.ru_maxrss;
    r->ru = ru;
    r->pid = pid;
    if (counting)
        ab_counters_read(spec->counters, &r->counted);
    if (got == sizeof exec_errno) {
        r->outcome = AB_CHILD_SPAWN_ERROR;
        r->exit_code = exec_errno;
    } else if (killed) {
        r->outcome = AB_CHILD_TIMEOUT;
        r->signo = SIGKILL;
    } else if (WIFSIGNALED(status)) {
        r->outcome = AB_CHILD_SIGNALED;
        r->signo = WTERMSIG(status);
    } else {
        r->exit_code = WEXITSTATUS(status);
        r->outcome = r->exit_code == 0 ? AB_CHILD_OK : AB_CHILD_FAILED;
    }
    ret = 0;
    goto out;

spawn_error:
    r->outcome = AB_CHILD_SPAWN_ERROR;
    r->exit_code = errno;
    ret = 0;
out:
    if (in_fd >= 0)
        close(in_fd);
    if (out_fd >= 0)
        close(out_fd);
    if (err_fd >= 0)
        close(err_fd);
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    for (int i = 0; i < 2; i++)
        if (gofd[i] >= 0)
            close(gofd[i]);
    if (counting)
        ab_counters_close(spec->counters);
    for (int i = 0; i < ncaps; i++)
        ab_log_capture_finish(&caps[i]);
    if (keep_out >= 0)
        read_back(keep_out, spec->stdout_buf, spec->stdout_buf_len);
    if (keep_err >= 0)
        read_back(keep_err, spec->stderr_buf, spec->stderr_buf_len);
    child_env_free(&env);
    return ret;
}

void ab_child_describe(const ab_child_result *r, char *buf, size_t len)
{
    switch (r->outcome) {
    case AB_CHILD_OK:
        snprintf(buf, len, "ok");
        break;
    case AB_CHILD_FAILED:
        snprintf(buf, len, "exit %d", r->exit_code);
        break;
    case AB_CHILD_SIGNALED:
        snprintf(buf, len, "signal %d (%s)", r->signo, strsignal(r->signo));
        break;
    case AB_CHILD_TIMEOUT:
        snprintf(buf, len, "timeout after %.1f s", r->wall_s);
        break;
    case AB_CHILD_SPAWN_ERROR:
        snprintf(buf, len, "could not start: %s", strerror(r->exit_code));
        break;
    }
}

int ab_self_dir(char *buf, size_t len)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        return -1;
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    if ((size_t)snprintf(buf, len, "%s", path[0] ? path : "/") >= len)
        return -1;
    return 0;
}
