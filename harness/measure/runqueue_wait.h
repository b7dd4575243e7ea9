/* runqueue_wait.h: how long this thread has waited for a CPU while it was ready to run.
 *
 * On a shared machine another process can take the measuring thread's CPU for a whole
 * scheduler time slice (milliseconds, against nanoseconds for an allocation). That time is
 * neither the allocator's nor the harness's, so the timed passes subtract it: the kernel counts
 * it per thread as `run_delay`, the second field of /proc/thread-self/schedstat (ns spent
 * runnable but not running). An allocator that sleeps (a futex wait in a lock convoy, I/O in a
 * page fault) is not runnable while it sleeps, so its own waits are not in run_delay and stay
 * in the measured time; one that spins stays on the CPU. Without schedstat (an old or
 * restricted kernel) the reads give -1 and nothing is subtracted.
 */
#ifndef AB_RUNQUEUE_WAIT_H
#define AB_RUNQUEUE_WAIT_H

#include <stdint.h>

/* Opens the calling thread's schedstat; returns a descriptor or -1. */
int ab_runqueue_open(void);
/* Nanoseconds the thread behind fd has waited on a run queue so far, or -1. */
int64_t ab_runqueue_wait_ns(int fd);
void ab_runqueue_close(int fd);

#endif
