/* memstat.c: statm sampling, ru_maxrss and mmap'd harness memory (see memstat.h). */
#include "harness/measure/memstat.h"
#include "harness/common/error_message.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

int ab_memstat_open(ab_memstat *m, char *err, size_t errlen)
{
    m->page_size = sysconf(_SC_PAGESIZE);
    m->fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (m->fd < 0)
        return ab_fail(err, errlen, "cannot open /proc/self/statm: %s", strerror(errno));
    if (ab_memstat_anon_bytes(m) < 0) {
        close(m->fd);
        m->fd = -1;
        return ab_fail(err, errlen, "cannot parse /proc/self/statm");
    }
    return 0;
}

void ab_memstat_close(ab_memstat *m)
{
    if (m->fd >= 0)
        close(m->fd);
    m->fd = -1;
}

int64_t ab_memstat_anon_bytes(const ab_memstat *m)
{
    char buf[256];
    ssize_t n = pread(m->fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    /* size resident shared text lib data dt, in pages */
    char *p = buf, *end;
    strtoull(p, &end, 10);
    if (end == p)
        return -1;
    p = end;
    unsigned long long resident = strtoull(p, &end, 10);
    if (end == p)
        return -1;
    p = end;
    unsigned long long shared = strtoull(p, &end, 10);
    if (end == p)
        return -1;
    return (int64_t)(resident - shared) * m->page_size;
}

/* One "Name:  N kB" field of /proc/self/status in bytes, or -1. Read with read(2) into a stack
 * buffer: no malloc (the allocator under test) on the way. */
static int64_t status_field(const char *name)
{
    char buf[8192];
    ssize_t len = 0;
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t got;
        while (len < (ssize_t)sizeof buf - 1 &&
               (got = read(fd, buf + len, sizeof buf - 1 - (size_t)len)) > 0)
            len += got;
        close(fd);
    }
    buf[len > 0 ? len : 0] = '\0';
    char key[40];
    snprintf(key, sizeof key, "\n%s:", name);
    const char *at = strstr(buf, key);
    unsigned long long kib;
    if (at && sscanf(at + strlen(key), " %llu kB", &kib) == 1)
        return (int64_t)kib * 1024;
    return -1;
}

/* VmHWM of /proc/self/status: the high-water mark of this process image's own memory. Not
 * ru_maxrss: Linux carries the parent's peak into a fork+exec'd child's ru_maxrss (the runner
 * would report the orchestrator's peak when that was larger); VmHWM starts anew at exec. */
uint64_t ab_memstat_peak_rss(void)
{
    int64_t hwm = status_field("VmHWM");
    if (hwm >= 0)
        return (uint64_t)hwm;
    struct rusage ru; /* no procfs: the best there is */
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (uint64_t)ru.ru_maxrss * 1024u;
}

int64_t ab_memstat_rss_file(void)
{
    return status_field("RssFile");
}

int ab_memstat_reset_peak(void)
{
    int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, "5", 1);
    close(fd);
    return n == 1 ? 0 : -1;
}

extern void alignbench_baseline_mark(void) __attribute__((weak));

void ab_memstat_mark_baseline(void)
{
    if (alignbench_baseline_mark)
        alignbench_baseline_mark();
}

void *ab_harness_map(size_t bytes, int touch)
{
    if (!bytes)
        bytes = 1;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (touch)
        memset(p, 0, bytes);
    return p;
}

void ab_harness_unmap(void *p, size_t bytes)
{
    if (p)
        munmap(p, bytes ? bytes : 1);
}
