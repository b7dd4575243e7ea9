/* rec_prog.c: a program for recorder.sh to record, ending in the way the test asks, so that each
 * way a process can end (exit, _exit, _Exit, abort, a signal), fork, exec and each allocation
 * entry point can be checked against a known count.
 *
 * "Marked" ops are malloc(MARK) and their frees: the test counts them in the trace (rec_read),
 * since the C library and the loader allocate too. Usage: rec_prog MODE [ARGS]; every mode makes
 * N marked allocs and N/2 marked frees first (N = the first number argument), then:
 *   exit N CODE | _exit N CODE | Exit N CODE    end so, with CODE
 *   abort N                                     abort()
 *   wait N READY                                create READY, then wait for a signal forever
 *   dfl N READY                                 signal(SIGINT, SIG_DFL) (SIGINT was ignored by
 *                                               the test's shell; prints what signal() returned)
 *   handler N READY                             install a SIGTERM handler, create READY, wait
 *                                               for the signal, then N more marked allocs, exit 7
 *   fork N M                                    fork: the child makes M marked allocs and
 *                                               _exit(0)s, the parent waits, then N more, exit 0
 *   exec N PROG ARGS...                         execv(PROG, ARGS...)
 *   execenv N PROG ARGS...                      execve(PROG, ARGS..., an environment of X=1
 *                                               only: the recorder must add its variables)
 *   execfail N [PATH]                           execv of PATH (default a missing file), which
 *                                               fails, then N more, exit 0
 *   entries                                     one call of every C entry point (sizes 1001..)
 *   chdir N DIR                                 chdir(DIR), then N more, exit 0
 *   setuid N UID                                setuid(UID), then N more, exit 0
 *   takefd N HOW VICTIM                         what a daemon does to its descriptors, then
 *                                               writes one line to VICTIM and makes 200,000
 *                                               marked malloc/free pairs with it open, exit 0.
 *                                               HOW: a number L (close fds 3..L, open VICTIM),
 *                                               "all" (close_range(3, ~0), open VICTIM), or
 *                                               "dup2" (open VICTIM, dup2 it over the
 *                                               recorder's descriptor, found in /proc/self/fd as
 *                                               the file named *.tmp.PID), or "link" (put a
 *                                               symlink to VICTIM in place of that file's
 *                                               name). Prints "nofile S", its soft limit of
 *                                               open files, first.
 */
#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MARK 12345

static void *kept[100000];

static void marked(int n)
{
    for (int i = 0; i < n; i++)
        kept[i] = malloc(MARK);
    for (int i = 0; i < n / 2; i++)
        free(kept[i]);
}

/* The readiness file holds the pid (written to a temporary name first, so that the test never
 * reads it half-written). */
static void ready(const char *path)
{
    char tmp[4200], pid[32];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f || fwrite(pid, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0 || rename(tmp, path))
        exit(6);
}

static volatile sig_atomic_t got;

static void on_term(int sig)
{
    (void)sig;
    got = 1;
}

static int entries(void)
{
    void *p = malloc(1001), *c = calloc(1, 1002), *r = malloc(10), *pm = NULL;
    r = realloc(r, 1003);
    if (posix_memalign(&pm, 64, 1004) != 0)
        return 1;
    void *aa = aligned_alloc(128, 1280), *ma = memalign(256, 1006), *va = valloc(1007);
    void *pv = pvalloc(1008), *rn = realloc(NULL, 1009), *r0 = malloc(1010);
    if (!p || !c || !r || !aa || !ma || !va || !pv || !rn || !r0)
        return 1;
    if (realloc(r0, 0) != NULL) /* a free */
        return 1;
    void *blocks[] = {p, c, r, pm, aa, ma, va, pv, rn};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        free(blocks[i]);
    return 0;
}

/* The descriptor whose file is named *.tmp.PID (the recorder's temporary trace), or -1. */
static int recorder_fd(char *target, size_t len)
{
    char suffix[32], link[300];
    snprintf(suffix, sizeof suffix, ".tmp.%ld", (long)getpid());
    DIR *d = opendir("/proc/self/fd");
    int found = -1;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(link, target, len - 1);
        if (n <= 0)
            continue;
        target[n] = 0;
        size_t sl = strlen(suffix);
        if ((size_t)n > sl && !strcmp(target + n - sl, suffix)) {
            found = atoi(e->d_name);
            break;
        }
    }
    if (d)
        closedir(d);
    return found;
}

static int take_fds(const char *how, const char *victim)
{
    static const char line[] = "the program's line\n";
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return 9;
    printf("nofile %llu\n", (unsigned long long)lim.rlim_cur);
    fflush(stdout);
    void *volatile first = malloc(16); /* volatile: the compiler may not drop the pair */
    free(first);
    int rfd = -1;
    char path[4200], moved[4300];
    if (!strcmp(how, "link")) { /* the recorder's name becomes a link to VICTIM */
        if (recorder_fd(path, sizeof path) < 0)
            return 8;
        snprintf(moved, sizeof moved, "%s.moved", path);
        if (rename(path, moved) != 0 || symlink(victim, path) != 0)
            return 9;
    } else if (!strcmp(how, "dup2")) {
        if ((rfd = recorder_fd(path, sizeof path)) < 0)
            return 8;
    } else if (!strcmp(how, "all")) {
        if (syscall(SYS_close_range, 3u, ~0u, 0) != 0)
            return 9;
    } else {
        for (int fd = 3; fd <= atoi(how); fd++)
            close(fd);
    }
    int v = open(victim, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (v < 0 || write(v, line, sizeof line - 1) != (ssize_t)sizeof line - 1)
        return 9;
    if (rfd >= 0 && dup2(v, rfd) != rfd)
        return 9;
    for (int i = 0; i < 200000; i++) {
        void *volatile p = malloc(MARK);
        free(p);
    }
    return close(v) == 0 ? 0 : 9;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *mode = argv[1];
    if (!strcmp(mode, "entries"))
        return entries();
    int n = argc > 2 ? atoi(argv[2]) : 0;
    if (n < 0 || n > 100000)
        return 2;
    marked(n);
    if (!strcmp(mode, "exit") && argc > 3)
        exit(atoi(argv[3]));
    if (!strcmp(mode, "_exit") && argc > 3)
        _exit(atoi(argv[3]));
    if (!strcmp(mode, "Exit") && argc > 3)
        _Exit(atoi(argv[3]));
    if (!strcmp(mode, "abort"))
        abort();
    if (!strcmp(mode, "wait") && argc > 3) {
        ready(argv[3]);
        for (;;)
            pause();
    }
    if (!strcmp(mode, "dfl") && argc > 3) {
        void (*old)(int) = signal(SIGINT, SIG_DFL);
        printf("old SIGINT: %s\n", old == SIG_IGN ? "SIG_IGN" : old == SIG_DFL ? "SIG_DFL" : "?");
        fflush(stdout);
        ready(argv[3]);
        for (;;)
            pause();
    }
    if (!strcmp(mode, "handler") && argc > 3) {
        struct sigaction sa = {.sa_handler = on_term};
        sigemptyset(&sa.sa_mask);
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGTERM);
        sigprocmask(SIG_BLOCK, &block, &old);
        if (sigaction(SIGTERM, &sa, NULL) != 0)
            return 3;
        ready(argv[3]);
        while (!got)
            sigsuspend(&old);
        marked(n);
        exit(7);
    }
    if (!strcmp(mode, "fork") && argc > 3) {
        pid_t pid = fork();
        if (pid < 0)
            return 3;
        if (pid == 0) {
            for (int i = 0; i < atoi(argv[3]); i++)
                kept[i] = malloc(MARK);
            _exit(0);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
            return 4;
        marked(n);
        return 0;
    }
    if (!strcmp(mode, "exec") && argc > 3) {
        execv(argv[3], argv + 3);
        return 5;
    }
    if (!strcmp(mode, "execenv") && argc > 3) {
        char *env[] = {"X=1", NULL};
        execve(argv[3], argv + 3, env);
        return 5;
    }
    if (!strcmp(mode, "chdir") && argc > 3) {
        if (chdir(argv[3]) != 0)
            return 3;
        marked(n);
        return 0;
    }
    if (!strcmp(mode, "setuid") && argc > 3) {
        if (setuid((uid_t)atoi(argv[3])) != 0)
            return 3;
        marked(n);
        return 0;
    }
    if (!strcmp(mode, "takefd") && argc > 4)
        return take_fds(argv[3], argv[4]);
    if (!strcmp(mode, "execfail")) {
        char *args[] = {"missing", NULL};
        if (execv(argc > 3 ? argv[3] : "/nonexistent/rec_prog", args) != -1)
            return 5;
        marked(n);
        return 0;
    }
    return 2;
}
