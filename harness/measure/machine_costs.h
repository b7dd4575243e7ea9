/* machine_costs.h: what this machine charges for the kernel work allocators ask of it.
 *
 * A page fault costs about 0.1-0.5 us on bare metal and can cost 100 times that in a virtual
 * machine whose host backs guest memory lazily, so "61 faults per 1000 ops" means very different
 * times on different machines. These costs are measured once per run (the orchestrator puts
 * them in results.json's context), as the timer's resolution is, so that a reader can weigh the
 * counters of counters.h at this machine's price or at their own:
 *   first-touch fault : writing one byte to each page of fresh anonymous memory (huge pages
 *                       off), less writing it again once resident, per page;
 *   refault           : the same after madvise(MADV_DONTNEED) dropped the pages;
 *   madvise           : one madvise(MADV_DONTNEED) of one resident 4 KiB page (a purge);
 *   mmap + munmap     : mapping 64 KiB of anonymous memory and unmapping it, untouched.
 * Each is the median of 3 trials, in the measuring thread's CPU time (machine_costs.c).
 */
#ifndef AB_MACHINE_COSTS_H
#define AB_MACHINE_COSTS_H

/* A fault dearer than this (ns) is far above bare metal's: memory the host backs lazily. */
#define AB_FAULT_EXPENSIVE_NS 2000.0

typedef struct ab_machine_costs {
    double fault_ns;       /* first touch of a fresh anonymous page */
    double refault_ns;     /* touch after MADV_DONTNEED */
    double madvise_ns;     /* one madvise(MADV_DONTNEED) of one resident page */
    double mmap_munmap_ns; /* mmap + munmap of 64 KiB, untouched */
    unsigned pages;        /* pages per fault trial */
} ab_machine_costs;

/* Measures them (about 0.1-0.3 s on a VM with 20 us faults). 0, or -1 when memory cannot be
 * mapped. */
int ab_machine_costs_measure(ab_machine_costs *out);

#endif
