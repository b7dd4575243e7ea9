/* gbench_shim.h: Google Benchmark (Debian's 1.7.1) from C.
 *
 * The micro-suite (micro_suite.c) is written in C so that its machine code is the harness's own;
 * Google Benchmark is C++. This header is the whole seam: register a C function with a user
 * pointer, configure it with builder calls, and inside the function drive the loop with
 * abgb_keep_running_batch(). The implementation (gbench_shim.cc) catches every C++ exception
 * (C frames have no unwind tables) and checks arguments the library would abort on
 * (Repetitions(0), MinTime(<=0), a NULL name, mixed argument counts), returning an error code.
 *
 * Pitfalls of Google Benchmark 1.7.1 (their measured costs are in docs/lab-notes.md):
 *  - the hot loop belongs in C, in batches:
 *        int64_t n = abgb_max_iterations(st);
 *        while (abgb_keep_running_batch(st, n))
 *            for (int64_t i = 0; i < n; i++) { ... }
 *    costs a fraction of a loop with one call per iteration;
 *  - abgb_pause_timing + abgb_resume_timing cost hundreds of ns together: never per iteration;
 *  - builder calls abgb_repetitions and abgb_min_time append "/repeats:N" and "/min_time:S" to
 *    the benchmark's name; for names that stay stable across runs pass
 *    --benchmark_repetitions / --benchmark_min_time to abgb_initialize instead;
 *  - abgb_run may be called once per process.
 */
#ifndef AB_GBENCH_SHIM_H
#define AB_GBENCH_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct abgb_bench abgb_bench; /* a registered benchmark (owned by the shim) */
typedef struct abgb_state abgb_state; /* the running benchmark's state (valid inside fn) */
typedef void (*abgb_fn)(abgb_state *state, void *user);

enum abgb_status {
    ABGB_OK = 0,
    ABGB_EINVAL = -1,   /* an argument the library would abort on; see abgb_last_error() */
    ABGB_EINTERNAL = -2 /* the library threw; see abgb_last_error() */
};

enum abgb_unit { ABGB_NS = 0, ABGB_US, ABGB_MS, ABGB_S };

/* Counter flags (the values are the shim's own; the shim maps them onto the library's). */
enum abgb_counter_flags {
    ABGB_COUNTER_DEFAULT = 0,
    ABGB_COUNTER_RATE = 1u << 0,           /* divided by the run's duration */
    ABGB_COUNTER_AVG_THREADS = 1u << 1,    /* divided by the number of threads */
    ABGB_COUNTER_ITER_INVARIANT = 1u << 2, /* multiplied by the iteration count */
    ABGB_COUNTER_AVG_ITERATIONS = 1u << 3, /* divided by the iteration count */
    ABGB_COUNTER_INVERT = 1u << 4,         /* 1/x, applied last */
    ABGB_COUNTER_BASE_1024 = 1u << 5       /* k = 1024 when the value is printed */
};

/* The message of the last failed call (this thread), "" when none. */
const char *abgb_last_error(void);

/* Parses --benchmark_* flags and removes them from argv. Returns ABGB_OK, or ABGB_EINVAL when an
 * argument is left that the library does not know (printed to stderr; *argc, argv then hold
 * them). `--help` prints the library's help and exits, as the library does. */
int abgb_initialize(int *argc, char **argv);

/* Adds "key": "value" to the JSON output's context. */
int abgb_add_custom_context(const char *key, const char *value);

/* Registers fn under `name` (copied); `user` is handed to fn on every call. Returns NULL with
 * abgb_last_error() set on a NULL/empty name or NULL fn. */
abgb_bench *abgb_register(const char *name, abgb_fn fn, void *user);

/* Builder calls: ABGB_OK or ABGB_EINVAL (nothing changed) with abgb_last_error() set. */
int abgb_arg(abgb_bench *b, int64_t x);
int abgb_args(abgb_bench *b, const int64_t *xs, int n);     /* every Args call has the same n */
int abgb_range_multiplier(abgb_bench *b, int multiplier);   /* > 1; call before abgb_range_args */
int abgb_range_args(abgb_bench *b, int64_t lo, int64_t hi); /* 0 <= lo <= hi */
int abgb_repetitions(abgb_bench *b, int n);                 /* n > 0 (renames: see above) */
int abgb_threads(abgb_bench *b, int n);                     /* n > 0 */
int abgb_use_real_time(abgb_bench *b);
int abgb_min_time(abgb_bench *b, double seconds); /* > 0 (renames: see above) */
int abgb_unit(abgb_bench *b, enum abgb_unit unit);

/* Runs every registered benchmark matching --benchmark_filter, once per process. Returns the
 * number of benchmarks run (0 when none matched or the output file could not be opened), or
 * ABGB_EINVAL when called twice, ABGB_EINTERNAL when the library threw. */
int abgb_run(void);

/* State calls, inside a benchmark function. */
int abgb_keep_running_batch(abgb_state *s, int64_t n); /* 1 while the batch should run */
int64_t abgb_max_iterations(const abgb_state *s);      /* the batch size to use (> 0) */
int64_t abgb_iterations(const abgb_state *s);          /* iterations run so far */
/* Argument i of this instance; out of range gives 0 and skips the benchmark with an error. */
int64_t abgb_range(abgb_state *s, int i);
int abgb_thread_index(const abgb_state *s);
void abgb_set_items_processed(abgb_state *s, int64_t items);
void abgb_set_bytes_processed(abgb_state *s, int64_t bytes);
int abgb_counter_set(abgb_state *s, const char *name, double value, unsigned flags);
/* Marks the run failed with `msg`; the loop then stops (keep_running returns 0). */
void abgb_skip_with_error(abgb_state *s, const char *msg);
int abgb_error_occurred(const abgb_state *s);
void abgb_set_label(abgb_state *s, const char *label);
/* Costly (hundreds of ns the pair): only around whole batches, never per iteration.
 * Only inside the running loop (between the first keep_running and its end): ABGB_EINVAL
 * otherwise, where the library would abort. */
int abgb_pause_timing(abgb_state *s);
int abgb_resume_timing(abgb_state *s);

/* C has no DoNotOptimize: these make the compiler believe p's memory is read and written (so a
 * malloc/free pair survives optimisation) and that all memory may have changed. */
static inline void abgb_do_not_optimize(const void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}
static inline void abgb_clobber_memory(void)
{
    __asm__ volatile("" : : : "memory");
}

#ifdef __cplusplus
}
#endif

#endif
