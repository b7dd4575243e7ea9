/* kat_plugin.c: known-answer malloc replacements, LD_PRELOADed into the runner through the
 * generic `--lib` path (the `preload` backend), so the numbers the harness reports can be checked
 * against behaviour we decided. One source, built four times (KAT_MODE):
 *
 *   KAT_SPIN      every AB_KAT_SPIN_EVERY-th call (default: every call) busy-waits
 *                 AB_KAT_SPIN_TICKS TSC ticks before delegating, and at exit writes
 *                 "calls median_ticks mean_ticks" to AB_KAT_SPIN_REPORT: the median of the
 *                 paying calls' measured waits, and the waited ticks per call over all calls,
 *                 so a test knows how much time it added: rdtsc reads are ~10-30 ns apart here,
 *                 so a wait overshoots its target by up to one read. Interrupts that land in a
 *                 wait count (they are time the call took), while time another process held the
 *                 CPU does not, as the harness does not count it either: when a wait runs long,
 *                 the run-queue wait of /proc/thread-self/schedstat that grew since the last
 *                 such look is taken off it (reading it costs ~1 us, so only then).
 *                 Every 1024th call paying 1024 times the ticks is a rare long pause with the
 *                 same mean cost as paying on every call.
 *   KAT_DELAY     every call puts a chain of dependent additions on its critical path (the
 *                 pointer it returns or frees goes through the chain), as long as needed at the
 *                 core's clock when it loads to cost AB_KAT_DELAY_NS nanoseconds (5: less than
 *                 one step of this machine's clock), and at exit writes "calls added_ns chain"
 *                 to AB_KAT_SPIN_REPORT:
 *                 what a call with the chain costs more than one without, measured at load
 *                 over 200000 calls each fed the previous one's result (the chain's length
 *                 comes from one addition's latency over a chain of ten million). Fences on
 *                 both sides keep the call's other work from overlapping it, so the per-op
 *                 latency rises by that.
 *   KAT_DOUBLE    every block takes exactly twice the requested bytes, all written, and
 *                 malloc_usable_size reports what the C library gave for them.
 *   KAT_MISALIGN  the allocation of exactly AB_KAT_MISALIGN_SIZE bytes comes back one byte off.
 *   KAT_FAULT     every call writes AB_KAT_N pages it never wrote before (or not since they were
 *                 dropped): exactly AB_KAT_N minor page faults per call. The pages come from a
 *                 64 MiB ring mapped at load with huge pages off; when the ring is used up, one
 *                 madvise(MADV_DONTNEED) drops it all and the next touches fault again.
 *   KAT_MADVISE   every call makes AB_KAT_N madvise(MADV_NORMAL) calls on a page mapped at load:
 *                 AB_KAT_N system calls of that kind per call, and nothing else.
 *   KAT_INSNS     every call runs a loop of AB_KAT_N instructions (AB_KAT_N / 2 iterations of
 *                 a decrement and a branch), for the PMU's instruction counter.
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
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define KAT_SPIN 1
#define KAT_DOUBLE 2
#define KAT_MISALIGN 3
#define KAT_DELAY 4
#define KAT_FAULT 5
#define KAT_MADVISE 6
#define KAT_INSNS 7
#ifndef KAT_MODE
#error "build with -DKAT_MODE=KAT_SPIN, KAT_DOUBLE, KAT_MISALIGN, KAT_DELAY, KAT_FAULT, ..."
#endif

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *p);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);

#define WAIT_SLOTS 16384
#define LONG_WAIT 4096 /* ticks over the target: look whether another process took the CPU */
static uint64_t spin_ticks, spin_every = 1, spin_calls, spin_paid, spin_waited;
static uint32_t spin_waits[WAIT_SLOTS]; /* paying calls by measured wait, in ticks */
static size_t misalign_size = SIZE_MAX;
static uint64_t delay_iters;
static double delay_added_ns;
#define RING_BYTES (64u << 20)
static uint64_t kat_n;   /* AB_KAT_N: pages, madvise calls or instructions per call */
static char *ring;       /* KAT_FAULT: the pages to fault, KAT_MADVISE: the page to advise */
static size_t ring_next; /* KAT_FAULT: the next page's offset */
static size_t page_bytes;

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* The run-queue wait of this thread (ns), or -1: as the harness reads it, by hand (no malloc). */
static int rq_fd = -1;
static double tsc_ghz;         /* ticks per ns, measured at load */
static long long rq_last = -1; /* the run-queue wait at the last look */
static long long runqueue_wait_ns(void)
{
    char buf[128];
    ssize_t n = rq_fd >= 0 ? pread(rq_fd, buf, sizeof buf - 1, 0) : -1;
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *c = buf;
    while (*c >= '0' && *c <= '9')
        c++;
    long long w = 0;
    for (c++; *c >= '0' && *c <= '9'; c++)
        w = w * 10 + (*c - '0');
    return w;
}

/* KAT_DELAY: v through a chain of n dependent additions of 0 (the compiler cannot fold them). */
static inline uintptr_t delay_through(uintptr_t v, uint64_t n)
{
    __asm__ __volatile__("lfence" : "+r"(v)::"memory");
    for (uint64_t i = 0; i < n; i++)
        __asm__ __volatile__("add $0, %0" : "+r"(v));
    /* fenced on both sides: no other work overlaps the chain and hides its latency (the
     * fences are there with a chain of 0 too, so they cancel out of every difference) */
    __asm__ __volatile__("lfence" : "+r"(v)::"memory");
    return v;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Nanoseconds per delay_through(v, n), each call fed the previous one's result as the calls
 * in a replay are (the allocator's pointer goes through it): the fastest of 5 tries of
 * `calls` calls. */
static double chained_cost(uint64_t n, unsigned calls)
{
    double best = 1e30;
    for (int t = 0; t < 5; t++) {
        uintptr_t v = (uintptr_t)t;
        double t0 = now_ns();
        for (unsigned c = 0; c < calls; c++)
            v = delay_through(v, n);
        double per = (now_ns() - t0) / calls;
        __asm__ __volatile__("" ::"r"(v));
        best = per < best ? per : best;
    }
    return best;
}

/* The chain length whose latency is closest to target_ns at the core's clock now (one
 * addition's latency from a chain of ten million), and what it adds in place: a chained call
 * with it against one without, fences and loop included. */
static void delay_calibrate(double target_ns)
{
    if (target_ns <= 0)
        return;
    enum { LONG_CHAIN = 10000000 };
    double per_add = 1e30;
    for (int t = 0; t < 5; t++) {
        double t0 = now_ns();
        uintptr_t v = delay_through((uintptr_t)t0, LONG_CHAIN);
        double per = (now_ns() - t0) / LONG_CHAIN;
        __asm__ __volatile__("" ::"r"(v));
        per_add = per < per_add ? per : per_add;
    }
    delay_iters = (uint64_t)(target_ns / per_add + 0.5);
    delay_added_ns = chained_cost(delay_iters, 200000) - chained_cost(0, 200000);
}

__attribute__((constructor)) static void kat_init(void)
{
    const char *t = getenv("AB_KAT_SPIN_TICKS");
    if (t)
        spin_ticks = strtoull(t, NULL, 10);
    if (KAT_MODE == KAT_SPIN && spin_ticks) {
        rq_fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
        double t0 = now_ns();
        uint64_t c0 = rdtsc();
        while (now_ns() - t0 < 2e6)
            ;
        tsc_ghz = (double)(rdtsc() - c0) / (now_ns() - t0);
        rq_last = runqueue_wait_ns();
    }
    const char *e = getenv("AB_KAT_SPIN_EVERY");
    if (e && strtoull(e, NULL, 10) > 0)
        spin_every = strtoull(e, NULL, 10);
    const char *d = getenv("AB_KAT_DELAY_NS");
    if (KAT_MODE == KAT_DELAY && d)
        delay_calibrate(strtod(d, NULL));
    const char *n = getenv("AB_KAT_N");
    if (n)
        kat_n = strtoull(n, NULL, 10);
    page_bytes = (size_t)sysconf(_SC_PAGESIZE);
    if (KAT_MODE == KAT_FAULT || KAT_MODE == KAT_MADVISE) {
        size_t len = KAT_MODE == KAT_FAULT ? RING_BYTES : page_bytes;
        void *r = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ring = r == MAP_FAILED ? NULL : r;
        if (ring)
            madvise(ring, len, MADV_NOHUGEPAGE); /* one fault per 4 KiB page, not per 2 MiB */
    }
    const char *m = getenv("AB_KAT_MISALIGN_SIZE");
    if (m)
        misalign_size = strtoull(m, NULL, 10);
}

__attribute__((destructor)) static void kat_report(void)
{
    const char *path = getenv("AB_KAT_SPIN_REPORT");
    if ((KAT_MODE != KAT_SPIN && KAT_MODE != KAT_DELAY) || !path)
        return;
    char line[128];
    int n;
    if (KAT_MODE == KAT_DELAY) {
        n = snprintf(line, sizeof line, "%llu %.4f %llu\n", (unsigned long long)spin_calls,
                     delay_added_ns, (unsigned long long)delay_iters);
    } else {
        uint64_t kept = 0, seen = 0, median = 0;
        for (uint64_t w = 0; w < WAIT_SLOTS; w++)
            kept += spin_waits[w];
        for (uint64_t w = 0; w < WAIT_SLOTS; w++) {
            if (seen < (kept + 1) / 2 && seen + spin_waits[w] >= (kept + 1) / 2)
                median = w;
            seen += spin_waits[w];
        }
        n = snprintf(line, sizeof line, "%llu %llu %.3f\n", (unsigned long long)spin_calls,
                     (unsigned long long)median,
                     spin_calls ? (double)spin_waited / (double)spin_calls : 0.0);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (write(fd, line, (size_t)n) != n)
            perror("kat_plugin: report");
        close(fd);
    }
}

/* KAT_FAULT, KAT_MADVISE, KAT_INSNS: what one call asks of the kernel or the core. */
static void counted_work(void)
{
    if (KAT_MODE == KAT_FAULT && ring) {
        for (uint64_t i = 0; i < kat_n; i++) {
            if (ring_next + page_bytes > RING_BYTES) {
                madvise(ring, RING_BYTES, MADV_DONTNEED); /* every page faults again */
                ring_next = 0;
            }
            ((volatile char *)ring)[ring_next] = 1;
            ring_next += page_bytes;
        }
    } else if (KAT_MODE == KAT_MADVISE && ring) {
        for (uint64_t i = 0; i < kat_n; i++)
            madvise(ring, page_bytes, MADV_NORMAL);
    } else if (KAT_MODE == KAT_INSNS && kat_n >= 2) {
        uint64_t iters = kat_n / 2;
        __asm__ __volatile__("1:\n\tdec %0\n\tjnz 1b" : "+r"(iters)::"cc");
    }
}

/* Before every call: the spin (KAT_SPIN), the delay chain (KAT_DELAY) or the counted work. */
static inline void before(void)
{
    if (KAT_MODE == KAT_FAULT || KAT_MODE == KAT_MADVISE || KAT_MODE == KAT_INSNS) {
        counted_work();
        return;
    }
    if (KAT_MODE == KAT_DELAY) {
        spin_calls++;
        return;
    }
    if (KAT_MODE != KAT_SPIN || ++spin_calls % spin_every)
        return;
    uint64_t start = rdtsc(), now;
    do
        now = rdtsc();
    while (now - start < spin_ticks);
    uint64_t waited = now - start;
    if (waited > spin_ticks + LONG_WAIT && rq_last >= 0 && tsc_ghz > 0) {
        long long rq = runqueue_wait_ns();
        uint64_t stolen = (uint64_t)((double)(rq - rq_last) * tsc_ghz);
        rq_last = rq;
        waited = stolen < waited - spin_ticks ? waited - stolen : spin_ticks;
    }
    spin_paid++;
    spin_waited += waited;
    if (waited < WAIT_SLOTS)
        spin_waits[waited]++;
}

/* The bytes really taken for a request. */
static inline size_t scaled(size_t size)
{
    return KAT_MODE == KAT_DOUBLE ? 2 * size : size;
}

/* After every allocation: write the doubled block, or misalign the chosen one. */
static inline void *after(void *p, size_t size)
{
    if (KAT_MODE == KAT_DELAY)
        p = (void *)delay_through((uintptr_t)p, delay_iters);
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
    if (KAT_MODE == KAT_DELAY)
        p = (void *)delay_through((uintptr_t)p, delay_iters);
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
