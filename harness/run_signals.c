/* run_signals.c: the signal watcher thread of run_signals.h. */
#include "harness/run_signals.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int interrupted_by;
static sigset_t watched;

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
        if (rp && sscanf(rp + 1, " %c %ld", &state, &ppid) == 2 && ppid == self)
            kill((pid_t)pid, SIGKILL);
    }
    closedir(d);
}

static void *watch(void *arg)
{
    (void)arg;
    int sig = 0;
    while (sigwait(&watched, &sig) != 0)
        ;
    atomic_store(&interrupted_by, sig);
    for (;;) {
        kill_children();
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    return NULL;
}

int ab_run_signals_start(void)
{
    sigemptyset(&watched);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &watched, NULL) != 0)
        return -1;
    pthread_t t;
    if (pthread_create(&t, NULL, watch, NULL) != 0)
        return -1;
    pthread_detach(t);
    return 0;
}

int ab_run_interrupted(void)
{
    return atomic_load(&interrupted_by);
}
