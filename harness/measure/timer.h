/* timer.h: the TSC clock every latency in alignbench is measured with.
 *
 * Per-operation samples are taken with a fenced region (lfence; rdtsc; lfence ... rdtscp;
 * lfence) so the timed instructions cannot drift out of it; batches use the same reads once per
 * >= 1000 operations. The clock's step (its resolution) is measured, not assumed. Ticks become
 * nanoseconds with a rate calibrated against CLOCK_MONOTONIC_RAW (CPUID leaf 15h is empty on the
 * virtual machines this was built on): once at the start of a run and once at its end. The two
 * rates' disagreement is reported in ppm and a run whose calibrations disagree beyond
 * AB_TSC_NOISY_PPM is flagged noisy. The calibrated cost of an empty fenced region is subtracted
 * from every per-operation sample.
 */
#ifndef AB_TIMER_H
#define AB_TIMER_H

#include <stdint.h>

/* Calibrations that disagree by more than this flag the run as noisy. */
#define AB_TSC_NOISY_PPM 1000.0

/* Start of a fenced region: earlier instructions retire before the read, later ones wait. */
static inline uint64_t ab_tsc_start(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/* End of a fenced region: rdtscp waits for the timed instructions; lfence keeps later ones out. */
static inline uint64_t ab_tsc_stop(void)
{
    uint32_t lo, hi, aux;
    __asm__ __volatile__("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/* One calibration: TSC ticks and CLOCK_MONOTONIC_RAW nanoseconds at both ends of an interval. */
typedef struct ab_tsc_calibration {
    uint64_t tsc0, ns0, tsc1, ns1;
    double hz;
} ab_tsc_calibration;

/* The run's clock: calibrations at its start and end, and the rate used for conversions
 * (ticks over nanoseconds from the first reading of the start calibration to the last reading
 * of the end one, the longest baseline available). */
typedef struct ab_tsc_clock {
    ab_tsc_calibration start, end;
    double hz;                   /* the run's rate, ticks per second */
    double drift_ppm;            /* (end.hz / start.hz - 1) * 1e6 */
    uint64_t empty_region_ticks; /* median cost of an empty fenced region */
    uint64_t resolution_ticks;   /* the clock's step: the smallest difference two readings show */
} ab_tsc_clock;

/* CLOCK_MONOTONIC_RAW in nanoseconds. */
uint64_t ab_clock_raw_ns(void);

/* Measure the TSC rate over about `ms` milliseconds. Returns 0, or -1 if the clock could not be
 * read without interruption. */
int ab_tsc_calibrate(unsigned ms, ab_tsc_calibration *out);

/* Median cost in ticks of an empty fenced region, over `samples` regions. */
uint64_t ab_tsc_empty_region_ticks(unsigned samples);

/* The timer's resolution in ticks: the step by which fenced-region durations move. A TSC read in
 * a virtual machine may advance in steps of tens of ticks (docs/lab-notes.md), so a
 * single region's duration is only known to within that step. It is measured by timing regions
 * around busy loops of growing length, whose true durations cover a continuum, and taking the
 * most common gap between adjacent observed durations (1 on a fine-grained counter). */
uint64_t ab_tsc_resolution_ticks(void);

/* The core's clock against the TSC, now: core cycles per TSC tick, from a chain of dependent
 * additions (one cycle each on every x86-64 core) timed with the TSC; the fastest of a few
 * short tries, so an interrupt does not count. The TSC runs at a constant rate while the core's
 * clock follows the host's power management (seen on one host: 1.9 to 3.7 GHz within
 * seconds), so the same work takes a different number of ticks from one minute to the next;
 * cycles do not. About 60 microseconds. */
double ab_cpu_cycles_per_tick(void);

/* Start-of-run and end-of-run halves of an ab_tsc_clock. */
int ab_tsc_clock_begin(ab_tsc_clock *c, unsigned calib_ms);
int ab_tsc_clock_end(ab_tsc_clock *c, unsigned calib_ms);

static inline double ab_tsc_to_ns(const ab_tsc_clock *c, double ticks)
{
    return ticks * 1e9 / c->hz;
}

#endif
