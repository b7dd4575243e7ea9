/* count_child.h: how `alignbench run --measure instructions` starts its runner children
 * (docs/measurement.md, "Counting instructions").
 *
 * The counter is chosen once per run: perf when perf_event_open gives an instruction counter,
 * else callgrind (valgrind found on the PATH), else the run is refused with both reasons. With
 * callgrind every child is `valgrind --tool=callgrind` with collection and instrumentation off
 * at start (the runner switches them on around the counted replays), the cache simulation on
 * and its geometry fixed, so the counts do not depend on the host's CPU.
 */
#ifndef AB_COUNT_CHILD_H
#define AB_COUNT_CHILD_H

#include "harness/measure/instr_count.h"

#include <jansson.h>
#include <limits.h>
#include <stddef.h>

/* The simulated caches (valgrind's --I1, --D1, --LL: size, associativity, line size). */
#define AB_COUNT_I1 "32768,8,64"
#define AB_COUNT_D1 "32768,8,64"
#define AB_COUNT_LL "8388608,16,64"

typedef struct ab_count_setup {
    ab_icount_source source;
    char repeatable[PATH_MAX]; /* libalignbench-repeatable.so (probe/repeatable.c) */
    char valgrind[PATH_MAX];   /* callgrind: valgrind's path */
    char version[64];          /* callgrind: `valgrind --version` */
} ab_count_setup;

/* counter: "auto", "perf" or "callgrind". 0, or -1 with the reason in err (perf without a
 * PMU, callgrind without valgrind, auto without either, libalignbench-repeatable.so missing). */
int ab_count_setup_choose(const char *counter, ab_count_setup *out, char *err, size_t errlen);

/* Writes the command's start into argv: valgrind and its options (callgrind_out is its
 * --callgrind-out-file, formatted into out_opt), or nothing for perf. Returns how many entries
 * were written (at most 10). */
int ab_count_command(const ab_count_setup *s, const char *callgrind_out, char *out_opt, size_t len,
                     const char **argv);

/* Appends the runner's own options (--count SRC [--callgrind-out FILE]) at argv[k]; returns the
 * new k. */
int ab_count_runner_options(const ab_count_setup *s, const char *callgrind_out, const char **argv,
                            int k);

/* The child's LD_PRELOAD: libalignbench-repeatable.so first (the same clock and random bytes in
 * every run), then the allocator's library lib (NULL or "": none), in buf. */
const char *ab_count_preload(const ab_count_setup *s, const char *lib, char *buf, size_t len);

/* config.counter of results.json: {"source", "valgrind", "version", "options"}. */
json_t *ab_count_config(const ab_count_setup *s);

#endif
