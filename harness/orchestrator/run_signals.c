/* run_signals.c: the signal watcher thread of run_signals.h. */
#include "harness/orchestrator/run_signals.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int interrupted_by;
static atomic_int stopping;
static int wake_pipe[2] = {-1, -1};
static pthread_t watcher;
static int watcher_running;

/* SIGKILL every process whose parent is us (runner children, gnuplot). */
static void kill_children(void)
{
    pid_t self = getpid();
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == self)
            continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        /* "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after
         * the last ')'. */
        char *rp = strrchr(buf, ')');
        char state;
        long ppid;
        if (rp && sscanf(rp + 1, " %c %ld", &state, &ppid) == 2 && ppid == self) {
            kill(-(pid_t)pid, SIGKILL); /* a program run's whole process group (child.h) */
            kill((pid_t)pid, SIGKILL);
        }
    }
    closedir(d);
}

static void on_signal(int sig)
{
    int expected = 0;
    atomic_compare_exchange_strong(&interrupted_by, &expected, sig);
    char c = 0;
    ssize_t w = write(wake_pipe[1], &c, 1); /* the pipe is never full: one byte is enough */
    (void)w;
}

static void *watch(void *arg)
{
    (void)arg;
    char c;
    while (read(wake_pipe[0], &c, 1) < 0 && errno == EINTR)
        ;
    while (!atomic_load(&stopping)) {
        kill_children();
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    return NULL;
}

int ab_run_signals_start(void)
{
    if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    /* The watcher blocks on the read end, so only the write end is non-blocking. */
    int flags = fcntl(wake_pipe[0], F_GETFL);
    fcntl(wake_pipe[0], F_SETFL, flags & ~O_NONBLOCK);
    /* The watcher starts with SIGINT and SIGTERM blocked, so they go to the main thread and
     * interrupt what it is blocked in. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    int rc = pthread_create(&watcher, NULL, watch, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -1;
    watcher_running = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = 0; /* no SA_RESTART: a blocking call ends with EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return -1;
    return 0;
}

int ab_run_interrupted(void)
{
    return atomic_load(&interrupted_by);
}

void ab_run_signals_stop(void)
{
    if (!watcher_running)
        return;
    atomic_store(&stopping, 1);
    char c = 0;
    ssize_t w = write(wake_pipe[1], &c, 1);
    (void)w;
    pthread_join(watcher, NULL);
    watcher_running = 0;
}
