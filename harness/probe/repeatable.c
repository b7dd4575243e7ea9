/* repeatable.c: libalignbench-repeatable.so, preloaded first into every child of
 * `run --measure instructions`, so that an allocator that reads the clock or the kernel's random
 * bytes executes the same instructions in every run (docs/measurement.md, "Counting
 * instructions").
 *
 * jemalloc decays its dirty pages by the clock and mimalloc purges by it and places its segments
 * at a random address hint, and each of those moves the count of a cell by up to 1 % between two
 * runs of the same build. Here the clock (clock_gettime, gettimeofday, time) is a counter that
 * starts at a fixed date and advances 1 us per reading, and random bytes (getrandom, getentropy,
 * and syscall(SYS_getrandom), which mimalloc calls directly) come from a fixed xorshift stream.
 * So time-based work happens at the same point of every run, after the same number of clock
 * readings, not when it would in real time. Nothing here allocates, and the runner itself reads
 * no clock while it counts. Built without the sanitizers, like the malloc probe.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>

#define EXPORT __attribute__((visibility("default")))

static uint64_t now_ns = 1767225600ull * 1000000000ull; /* 2026-01-01T00:00:00Z */
static uint64_t random_state = 0x9E3779B97F4A7C15ull;

static uint64_t tick(void)
{
    return now_ns += 1000;
}

static void random_fill(void *buf, size_t n)
{
    unsigned char *p = buf;
    for (size_t i = 0; i < n; i++) {
        random_state ^= random_state << 13;
        random_state ^= random_state >> 7;
        random_state ^= random_state << 17;
        p[i] = (unsigned char)random_state;
    }
}

EXPORT int clock_gettime(clockid_t clock, struct timespec *ts)
{
    (void)clock;
    uint64_t t = tick();
    ts->tv_sec = (time_t)(t / 1000000000ull);
    ts->tv_nsec = (long)(t % 1000000000ull);
    return 0;
}

EXPORT int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    uint64_t t = tick();
    tv->tv_sec = (time_t)(t / 1000000000ull);
    tv->tv_usec = (suseconds_t)(t % 1000000000ull / 1000);
    return 0;
}

EXPORT time_t time(time_t *out)
{
    time_t t = (time_t)(tick() / 1000000000ull);
    if (out)
        *out = t;
    return t;
}

EXPORT ssize_t getrandom(void *buf, size_t n, unsigned int flags)
{
    (void)flags;
    random_fill(buf, n);
    return (ssize_t)n;
}

EXPORT int getentropy(void *buf, size_t n)
{
    random_fill(buf, n);
    return 0;
}

/* syscall(2): getrandom from the stream, anything else to the C library's. */
EXPORT long syscall(long number, ...)
{
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    if (number == SYS_getrandom) {
        random_fill((void *)a[0], (size_t)a[1]);
        return a[1];
    }
    static long (*next)(long, ...);
    if (!next)
        next = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    return next(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
