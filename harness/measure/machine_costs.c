/* machine_costs.c: the kernel's prices on this machine (see machine_costs.h). Times are the
 * measuring thread's CPU time (CLOCK_THREAD_CPUTIME_ID) around loops of hundreds of faults or
 * calls: a fault's price includes the time the host takes to back the page (the guest's thread
 * is on its CPU meanwhile), not the time another process held the CPU, so a loaded machine does
 * not inflate it; the clock's own cost is under a percent of each figure. */
#include "harness/measure/machine_costs.h"

#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define FAULT_PAGES 1024u
#define CALLS 256u
#define TRIALS 3

static double median3(double v[TRIALS])
{
    for (int i = 0; i < TRIALS; i++)
        for (int j = i + 1; j < TRIALS; j++)
            if (v[j] < v[i]) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
    return v[TRIALS / 2];
}

static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ns to write one byte in each of n pages at p. */
static double touch_pages(volatile char *p, size_t n, size_t page)
{
    uint64_t t0 = cpu_ns();
    for (size_t i = 0; i < n; i++)
        p[i * page] = (char)i;
    return (double)(cpu_ns() - t0);
}

int ab_machine_costs_measure(ab_machine_costs *out)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t len = FAULT_PAGES * page;
    double fault[TRIALS], refault[TRIALS], madv[TRIALS], maps[TRIALS];
    for (int t = 0; t < TRIALS; t++) {
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return -1;
        madvise(p, len, MADV_NOHUGEPAGE);
        double first = touch_pages(p, FAULT_PAGES, page);
        double resident = touch_pages(p, FAULT_PAGES, page);
        madvise(p, len, MADV_DONTNEED);
        double again = touch_pages(p, FAULT_PAGES, page);
        fault[t] = (first - resident) / FAULT_PAGES;
        refault[t] = (again - resident) / FAULT_PAGES;
        /* one purge of one resident page, its refault outside the timing */
        double sum = 0;
        for (unsigned c = 0; c < CALLS; c++) {
            char *pg = p + (size_t)c * page;
            uint64_t t0 = cpu_ns();
            madvise(pg, page, MADV_DONTNEED);
            sum += (double)(cpu_ns() - t0);
        }
        madv[t] = sum / CALLS;
        munmap(p, len);
        uint64_t t0 = cpu_ns();
        for (unsigned c = 0; c < CALLS; c++) {
            void *q =
                mmap(NULL, 64 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (q == MAP_FAILED)
                return -1;
            munmap(q, 64 * 1024);
        }
        maps[t] = (double)(cpu_ns() - t0) / CALLS;
    }
    out->fault_ns = median3(fault);
    out->refault_ns = median3(refault);
    out->madvise_ns = median3(madv);
    out->mmap_munmap_ns = median3(maps);
    out->pages = FAULT_PAGES;
    return 0;
}
