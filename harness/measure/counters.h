/* counters.h: what a timed pass asked of the kernel and the hardware, counted around it.
 *
 * The runner opens one set of counters for its whole process (every thread it starts later
 * included: perf's inherit) before it creates anything, reads them right before and right after
 * each timed pass (the batch pass and its floor, the per-op pass and its floor) and reports the
 * differences per 1000 ops, net of the floor, like the times. Reading costs a few microseconds
 * per pass, outside the passes' own timing, so the replay's per-op loop is untouched.
 *
 * Sources, tried in this order for each counter (the source used is reported with the figure):
 *   perf software counters (perf_event_open PERF_TYPE_SOFTWARE): minor and major page faults,
 *       context switches, CPU migrations. The voluntary/involuntary split of context switches
 *       comes from getrusage (ru_nvcsw, ru_nivcsw), which the kernel keeps for every process;
 *       so do the faults when perf cannot count them (ru_minflt, ru_majflt).
 *   syscall tracepoints (perf_event_open PERF_TYPE_TRACEPOINT on syscalls:sys_enter_mmap, ...,
 *       and raw_syscalls:sys_enter for the total): system calls by kind. They need the event ids
 *       from tracefs (/sys/kernel/tracing, else /sys/kernel/debug/tracing; mounted by the runner
 *       when it is absent and the process may mount it) and, usually, root.
 *   hardware counters (PERF_TYPE_HARDWARE / HW_CACHE): instructions, cycles, L1d read misses,
 *       LLC misses, dTLB read misses, branch misses, where a PMU exists.
 *   getrusage(RUSAGE_SELF): the user and system CPU time of the pass.
 * A counter that cannot be opened keeps the reason ("unavailable: perf_event_open: ...") and is
 * never reported as 0.
 */
#ifndef AB_COUNTERS_H
#define AB_COUNTERS_H

#include <stdint.h>
#include <sys/types.h>

typedef enum ab_counter_id {
    AB_CTR_MINOR_FAULTS,
    AB_CTR_MAJOR_FAULTS,
    AB_CTR_CTX_VOLUNTARY,
    AB_CTR_CTX_INVOLUNTARY,
    AB_CTR_MIGRATIONS,
    AB_CTR_SYS_MMAP,
    AB_CTR_SYS_MUNMAP,
    AB_CTR_SYS_MADVISE,
    AB_CTR_SYS_MPROTECT,
    AB_CTR_SYS_BRK,
    AB_CTR_SYS_FUTEX,
    AB_CTR_SYS_SCHED_YIELD, /* the threaded replay's handoff waits: the harness's, not asked for
                             * by the allocator (left out of the total, syscalls_per_kop) */
    AB_CTR_SYS_OTHER,       /* every system call (raw_syscalls:sys_enter) less the kinds above */
    AB_CTR_INSTRUCTIONS,
    AB_CTR_HW_CYCLES,
    AB_CTR_L1D_MISSES,
    AB_CTR_LLC_MISSES,
    AB_CTR_DTLB_MISSES,
    AB_CTR_BRANCH_MISSES,
    AB_CTR_COUNT
} ab_counter_id;

/* The first and last syscall kinds counted on their own tracepoint. */
#define AB_CTR_SYS_FIRST AB_CTR_SYS_MMAP
#define AB_CTR_SYS_LAST AB_CTR_SYS_SCHED_YIELD

typedef struct ab_counter_def {
    const char *metric; /* runs[].metrics key of its per-1000-ops net figure */
    const char *what;   /* a short name for the console and the report */
} ab_counter_def;

extern const ab_counter_def ab_counter_defs[AB_CTR_COUNT];

/* The open counters of this process. */
typedef struct ab_counters {
    pid_t pid; /* 0: this process; else the process counted (ab_counters_open_task) */
    int fd[AB_CTR_COUNT];
    int fd_all_syscalls; /* raw_syscalls:sys_enter, for AB_CTR_SYS_OTHER */
    int use_rusage[AB_CTR_COUNT];
    char source[AB_CTR_COUNT][64];
    char why[AB_CTR_COUNT][320]; /* "" when the counter is available */
} ab_counters;

/* One reading. */
typedef struct ab_counter_sample {
    uint64_t v[AB_CTR_COUNT];
    uint64_t all_syscalls;
    uint64_t utime_us, stime_us;
    uint64_t ru_minflt, ru_majflt, ru_nvcsw, ru_nivcsw;
} ab_counter_sample;

/* What one pass did: the differences of two readings, over `passes` replays of the trace. */
typedef struct ab_counter_delta {
    double v[AB_CTR_COUNT];
    double utime_us, stime_us;
    unsigned passes;
} ab_counter_delta;

/* Opens every counter it can for this process and the threads it will start; the others keep
 * their reason in why[]. Never fails as a whole. */
void ab_counters_open(ab_counters *c);
/* The same for process `pid` and every process and thread it starts, from its next exec on (a
 * child stopped between fork and exec). Only the perf counters mean anything then: the rusage
 * fallbacks read this process's rusage, and the child's is wait4's. Read them after it ended. */
void ab_counters_open_task(ab_counters *c, pid_t pid);
void ab_counters_close(ab_counters *c);
void ab_counters_read(const ab_counters *c, ab_counter_sample *s);
/* after - before, for a pass that replayed the trace `passes` times. */
void ab_counters_delta(const ab_counter_sample *before, const ab_counter_sample *after,
                       unsigned passes, ab_counter_delta *out);
/* Reads the counters now and gives what happened since `before` (a pass of `passes` replays). */
void ab_counters_end(const ab_counters *c, const ab_counter_sample *before, unsigned passes,
                     ab_counter_delta *out);

/* The counters of a run's timed passes: what the runner reports (harness/runner/). */
typedef struct ab_pass_counters {
    const ab_counters *ctr;
    ab_counter_delta batch, batch_floor, perop, perop_floor;
    int have_batch, have_perop;
} ab_pass_counters;

/* The tracefs directory holding events/ ("" when none could be found or mounted), and why not. */
const char *ab_tracefs_dir(char *why, unsigned whylen);

#endif
