/* context.h: the machine and build context stored with every result (results/README.md).
 *
 * A number without its context cannot be compared or trusted: the CPU, its TSC rate, the
 * kernel, the C library, transparent huge pages, the compiler and flags, the git commit (and
 * whether the tree was dirty), the date, the host, and for each allocator its version, library
 * and the environment settings that change its behaviour (MALLOC_CONF, MIMALLOC_*,
 * GLIBC_TUNABLES). Allocator versions and the TSC rate come from the runner children (they are
 * facts of the measured process), the rest is read here.
 */
#ifndef AB_CONTEXT_H
#define AB_CONTEXT_H

#include <jansson.h>

/* A new object with everything the orchestrator can read itself (see results/README.md).
 * Returns NULL only when memory runs out. */
json_t *ab_context_collect(void);

/* Records what a runner reported about its allocator: context.allocators.<name> = {version,
 * library, backend, settings}; the first report wins (later repetitions are the same process
 * image). version or library may be NULL. settings = the inherited variables that matter to
 * the backend, overridden and completed by `env` (a variant's own "VAR=value" list, NULL-
 * terminated, or NULL): exactly what that allocator's children ran with. */
void ab_context_add_allocator(json_t *context, const char *name, const char *backend,
                              const char *version, const char *library, const char *const *env);

/* The system load averages now, as [1 min, 5 min, 15 min], or null when unreadable. The
 * orchestrator stores them at the start (context.load_average) and at the end
 * (context.load_average_end): a loaded machine explains noisy cells. */
json_t *ab_context_load_average(void);

/* Sets context.tsc_hz, timer_resolution_ns/_ticks and unresolved_below_ns where not set yet,
 * from the `child` object of the first runner that calibrated its clock. */
void ab_context_set_clock(json_t *context, const json_t *child);

#endif
