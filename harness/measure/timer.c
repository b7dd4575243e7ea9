/* timer.c: TSC calibration against CLOCK_MONOTONIC_RAW and the empty-region cost (see timer.h).
 *
 * A (TSC, clock) pair is read as clock, TSC, clock; the pair is kept only when the two clock
 * reads are close (no preemption between them) and the clock value is their midpoint, so one
 * pair is good to about a microsecond and a 50 ms calibration to a few tens of ppm.
 */
#include "harness/measure/timer.h"
#include "harness/measure/sort_inplace.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAIR_MAX_GAP_NS 5000 /* a pair whose clock reads are further apart was interrupted */
#define PAIR_TRIES 100

uint64_t ab_clock_raw_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int read_pair(uint64_t *tsc, uint64_t *ns)
{
    uint64_t best_gap = UINT64_MAX;
    for (int i = 0; i < PAIR_TRIES; i++) {
        uint64_t a = ab_clock_raw_ns();
        uint64_t t = ab_tsc_start();
        uint64_t b = ab_clock_raw_ns();
        if (b - a < best_gap) {
            best_gap = b - a;
            *tsc = t;
            *ns = a + (b - a) / 2;
        }
        if (best_gap < PAIR_MAX_GAP_NS / 10)
            break;
    }
    return best_gap <= PAIR_MAX_GAP_NS ? 0 : -1;
}

int ab_tsc_calibrate(unsigned ms, ab_tsc_calibration *out)
{
    memset(out, 0, sizeof *out);
    if (read_pair(&out->tsc0, &out->ns0) != 0)
        return -1;
    struct timespec nap = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&nap, &nap) != 0)
        ;
    if (read_pair(&out->tsc1, &out->ns1) != 0 || out->ns1 <= out->ns0)
        return -1;
    out->hz = (double)(out->tsc1 - out->tsc0) * 1e9 / (double)(out->ns1 - out->ns0);
    return 0;
}

uint64_t ab_tsc_empty_region_ticks(unsigned samples)
{
    enum { CHUNK = 1024 };
    uint64_t d[CHUNK];
    uint64_t medians[64];
    unsigned rounds = samples / CHUNK ? samples / CHUNK : 1;
    if (rounds > 64)
        rounds = 64;
    /* The median of per-chunk medians: robust to a preemption landing inside one chunk. */
    for (unsigned r = 0; r < rounds; r++) {
        for (unsigned i = 0; i < CHUNK; i++) {
            uint64_t t0 = ab_tsc_start();
            uint64_t t1 = ab_tsc_stop();
            d[i] = t1 - t0;
        }
        ab_sort_u64(d, CHUNK);
        medians[r] = d[CHUNK / 2];
    }
    ab_sort_u64(medians, rounds);
    return medians[rounds / 2];
}

/* A dependent chain the compiler cannot fold: about one cycle an iteration. */
static __attribute__((noinline)) uint64_t busy(uint64_t n)
{
    uint64_t x = n;
    for (uint64_t i = 0; i < n; i++)
        __asm__ __volatile__("" : "+r"(x));
    return x;
}

uint64_t ab_tsc_resolution_ticks(void)
{
    enum { MAXD = 8192, LOOPS = 192, TRIES = 8 };
    static uint16_t seen[MAXD];
    memset(seen, 0, sizeof seen);
    for (unsigned t = 0; t < TRIES; t++)
        for (uint64_t n = 0; n < LOOPS; n++) {
            uint64_t t0 = ab_tsc_start();
            busy(n);
            uint64_t d = ab_tsc_stop() - t0;
            if (d < MAXD && seen[d] < UINT16_MAX)
                seen[d]++;
        }
    /* The most common gap between adjacent durations seen at least twice (a duration seen once
     * may be an interrupted region). */
    uint32_t gaps[MAXD] = {0};
    uint64_t prev = UINT64_MAX, best = 1;
    for (uint64_t d = 0; d < MAXD; d++) {
        if (seen[d] < 2)
            continue;
        if (prev != UINT64_MAX)
            gaps[d - prev]++;
        prev = d;
    }
    for (uint64_t g = 1; g < MAXD; g++)
        if (gaps[g] > gaps[best])
            best = g;
    return best;
}

double ab_cpu_cycles_per_tick(void)
{
    enum { ADDS = 40000, TRIES = 3 };
    uint64_t best = UINT64_MAX;
    for (int t = 0; t < TRIES; t++) {
        uint64_t x = 0, t0 = ab_tsc_start();
        for (unsigned i = 0; i < ADDS; i++)
            __asm__ __volatile__("add $1, %0" : "+r"(x));
        uint64_t d = ab_tsc_stop() - t0;
        best = d < best ? d : best;
    }
    return best ? (double)ADDS / (double)best : 0;
}

int ab_tsc_clock_begin(ab_tsc_clock *c, unsigned calib_ms)
{
    memset(c, 0, sizeof *c);
    if (ab_tsc_calibrate(calib_ms, &c->start) != 0)
        return -1;
    c->hz = c->start.hz;
    c->empty_region_ticks = ab_tsc_empty_region_ticks(16 * 1024);
    c->resolution_ticks = ab_tsc_resolution_ticks();
    return 0;
}

int ab_tsc_clock_end(ab_tsc_clock *c, unsigned calib_ms)
{
    if (ab_tsc_calibrate(calib_ms, &c->end) != 0)
        return -1;
    c->drift_ppm = (c->end.hz / c->start.hz - 1.0) * 1e6;
    c->hz = (double)(c->end.tsc1 - c->start.tsc0) * 1e9 / (double)(c->end.ns1 - c->start.ns0);
    return 0;
}
