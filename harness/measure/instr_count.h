/* instr_count.h: counting the instructions (and simulated cache misses) of a stretch of code,
 * the clock-free measure of `alignbench run --measure instructions` (docs/measurement.md).
 *
 * Two sources, one interface:
 *   perf      the CPU's own instruction counter (perf_event_open, PERF_COUNT_HW_INSTRUCTIONS,
 *             user space only), enabled and disabled around each counted stretch. Instructions
 *             only: no cache figures. A machine without a PMU (most virtual machines) refuses
 *             it at open, with the reason.
 *   callgrind the runner runs under `valgrind --tool=callgrind --collect-atstart=no
 *             --instr-atstart=no --cache-sim=yes` (valgrind's own instruction counter and cache
 *             simulator): the client requests of valgrind/callgrind.h switch collection on and
 *             off around each stretch, and one dump per figure (CALLGRIND_DUMP_STATS_AT) is read
 *             back from the file callgrind writes for it: Ir, Dr, Dw and the simulated L1 and
 *             last-level misses.
 * Nothing here reads the TSC: valgrind 3.19 cannot decode rdtscp.
 */
#ifndef AB_INSTR_COUNT_H
#define AB_INSTR_COUNT_H

#include <stddef.h>
#include <stdint.h>

typedef enum ab_icount_source { AB_ICOUNT_PERF = 1, AB_ICOUNT_CALLGRIND = 2 } ab_icount_source;

/* "perf", "callgrind" <-> the source; parse returns 0 or -1. */
int ab_icount_source_parse(const char *s, ab_icount_source *out);
const char *ab_icount_source_name(ab_icount_source s);

/* What one counted stretch executed. have_cache: the cache figures are there (callgrind). */
typedef struct ab_icount_values {
    uint64_t ir;               /* instructions executed */
    uint64_t dr, dw;           /* data reads and writes */
    uint64_t i1mr, d1mr, d1mw; /* L1 misses: instruction reads, data reads, data writes */
    uint64_t ilmr, dlmr, dlmw; /* last-level misses, the same three */
    int have_cache;
} ab_icount_values;

/* Derived figures: L1 misses, last-level misses, and the estimated cycles of iai-callgrind and
 * CodSpeed's CPU simulation (Itamar Turner-Trauring's formula): L1 hits + 5 x LL hits +
 * 35 x RAM hits, where L1 hits = Ir + Dr + Dw - L1 misses, LL hits = L1 misses - LL misses and
 * RAM hits = LL misses. */
uint64_t ab_icount_l1_misses(const ab_icount_values *v);
uint64_t ab_icount_ll_misses(const ab_icount_values *v);
double ab_icount_est_cycles(const ab_icount_values *v);

typedef struct ab_icount {
    ab_icount_source source;
    int fd;             /* perf: the counter */
    char out_base[512]; /* callgrind: --callgrind-out-file; dump k is out_base.k */
    unsigned dumps;
} ab_icount;

/* Opens the source. callgrind: callgrind_out is valgrind's --callgrind-out-file (this process
 * must be running under callgrind: refused otherwise). 0, or -1 with the reason in err. */
int ab_icount_open(ab_icount *c, ab_icount_source source, const char *callgrind_out, char *err,
                   size_t errlen);
void ab_icount_close(ab_icount *c);

/* Before the first counted stretch: callgrind starts instrumenting here (everything before ran
 * uninstrumented, which is faster, and the cache simulation starts cold here). */
void ab_icount_begin(ab_icount *c);

/* The counted stretch: reset + on, then on/off as often as needed, then read. */
void ab_icount_reset(ab_icount *c);
void ab_icount_on(ab_icount *c);
void ab_icount_off(ab_icount *c);
/* What was counted since the reset (label names the callgrind dump). 0, or -1 with err. */
int ab_icount_read(ab_icount *c, const char *label, ab_icount_values *out, char *err,
                   size_t errlen);

/* 1 when perf_event_open gives this process an instruction counter, else 0 with the reason. */
int ab_icount_perf_available(char *why, size_t len);

/* Parses one callgrind dump (its "events:" and "summary:" lines) into v. 0, or -1 with err. */
int ab_icount_parse_callgrind(const char *path, ab_icount_values *v, char *err, size_t errlen);

#endif
