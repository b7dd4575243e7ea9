/* runqueue_wait.c: reading run_delay from /proc/thread-self/schedstat (see runqueue_wait.h).
 * One pread on a descriptor opened once: about a microsecond, so it is read per whole pass and
 * per chunk of the per-op pass, never inside a timed region. */
#include "harness/measure/runqueue_wait.h"

#include <fcntl.h>
#include <unistd.h>

int ab_runqueue_open(void)
{
    int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && ab_runqueue_wait_ns(fd) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int64_t ab_runqueue_wait_ns(int fd)
{
    if (fd < 0)
        return -1;
    char buf[128];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    /* "run_ns wait_ns slices": parsed by hand, since the C library's scanf may allocate, and
     * in the runner malloc is the allocator under test */
    const char *c = buf;
    while (*c >= '0' && *c <= '9')
        c++;
    if (*c != ' ')
        return -1;
    c++;
    int64_t wait = 0;
    const char *digits = c;
    for (; *c >= '0' && *c <= '9'; c++)
        wait = wait * 10 + (*c - '0');
    return c > digits ? wait : -1;
}

void ab_runqueue_close(int fd)
{
    if (fd >= 0)
        close(fd);
}
