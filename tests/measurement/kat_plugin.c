/* kat_plugin.c: known-answer malloc replacements, LD_PRELOADed into the runner through the
 * generic `--lib` path (the `preload` backend), so the numbers the harness reports can be checked
 * against behaviour we decided. One source, built three times (KAT_MODE):
 *
 *   KAT_SPIN      every call busy-waits AB_KAT_SPIN_TICKS TSC ticks before delegating, and at
 *                 exit writes "calls median_ticks mean_ticks" (its own measured waits) to
 *                 AB_KAT_SPIN_REPORT, so a test knows exactly how much time it added: rdtsc reads
 *                 are ~10-30 ns apart here, so a wait overshoots its target by up to one read.
 *                 Waits of WAIT_SLOTS ticks or more were preempted and are left out of both
 *                 figures (the machine is shared; a preempted wait says nothing about the target).
 *   KAT_DOUBLE    every block takes exactly twice the requested bytes, all written, and
 *                 malloc_usable_size reports what the C library gave for them.
 *   KAT_MISALIGN  the allocation of exactly AB_KAT_MISALIGN_SIZE bytes comes back one byte off.
 *
 * Every entry point delegates to glibc's __libc_* functions, so the plug-in needs no allocator
 * of its own.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KAT_SPIN 1
#define KAT_DOUBLE 2
#define KAT_MISALIGN 3
#ifndef KAT_MODE
#error "build with -DKAT_MODE=KAT_SPIN, KAT_DOUBLE or KAT_MISALIGN"
#endif

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *p);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);

#define WAIT_SLOTS 16384
static uint64_t spin_ticks, spin_calls, spin_preempted;
static uint32_t spin_waits[WAIT_SLOTS]; /* calls by measured wait, in ticks */
static size_t misalign_size = SIZE_MAX;

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

__attribute__((constructor)) static void kat_init(void)
{
    const char *t = getenv("AB_KAT_SPIN_TICKS");
    if (t)
        spin_ticks = strtoull(t, NULL, 10);
    const char *m = getenv("AB_KAT_MISALIGN_SIZE");
    if (m)
        misalign_size = strtoull(m, NULL, 10);
}

__attribute__((destructor)) static void kat_report(void)
{
    const char *path = getenv("AB_KAT_SPIN_REPORT");
    if (KAT_MODE != KAT_SPIN || !path)
        return;
    uint64_t kept = spin_calls - spin_preempted, seen = 0, median = 0;
    double sum = 0;
    for (uint64_t d = 0; d < WAIT_SLOTS; d++) {
        if (seen < (kept + 1) / 2 && seen + spin_waits[d] >= (kept + 1) / 2)
            median = d;
        seen += spin_waits[d];
        sum += (double)d * spin_waits[d];
    }
    char line[128];
    int n = snprintf(line, sizeof line, "%llu %llu %.3f\n", (unsigned long long)spin_calls,
                     (unsigned long long)median, kept ? sum / (double)kept : 0.0);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (write(fd, line, (size_t)n) != n)
            perror("kat_plugin: report");
        close(fd);
    }
}

/* Before every call: the spin (KAT_SPIN only). */
static inline void before(void)
{
    if (KAT_MODE != KAT_SPIN)
        return;
    uint64_t start = rdtsc(), now;
    do
        now = rdtsc();
    while (now - start < spin_ticks);
    spin_calls++;
    if (now - start < WAIT_SLOTS)
        spin_waits[now - start]++;
    else
        spin_preempted++;
}

/* The bytes really taken for a request. */
static inline size_t scaled(size_t size)
{
    return KAT_MODE == KAT_DOUBLE ? 2 * size : size;
}

/* After every allocation: write the doubled block, or misalign the chosen one. */
static inline void *after(void *p, size_t size)
{
    if (!p)
        return p;
    if (KAT_MODE == KAT_DOUBLE)
        memset(p, 0x5A, scaled(size));
    if (KAT_MODE == KAT_MISALIGN && size == misalign_size)
        return (char *)p + 1; /* leaked on purpose: the run must stop here */
    return p;
}

void *malloc(size_t size)
{
    before();
    return after(__libc_malloc(scaled(size)), size);
}

void free(void *p)
{
    before();
    __libc_free(p);
}

void *calloc(size_t n, size_t size)
{
    before();
    if (size && n > SIZE_MAX / 2 / size) {
        errno = ENOMEM;
        return NULL;
    }
    return after(__libc_calloc(n, scaled(size)), n * size);
}

void *realloc(void *p, size_t size)
{
    before();
    return after(__libc_realloc(p, scaled(size)), size);
}

void *memalign(size_t align, size_t size)
{
    before();
    return after(__libc_memalign(align, scaled(size)), size);
}

void *aligned_alloc(size_t align, size_t size)
{
    return memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (!align || (align & (align - 1)) || align % sizeof(void *))
        return EINVAL;
    void *p = memalign(align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

size_t malloc_usable_size(void *p)
{
    static size_t (*libc_usable)(void *);
    if (!libc_usable)
        libc_usable = (size_t(*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
    return p && libc_usable ? libc_usable(p) : 0;
}
