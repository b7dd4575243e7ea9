/* environment.h: the machine settings that add noise to a measurement, and the warnings.
 *
 * context.c records what the machine is; this records how it is set up to run a benchmark:
 * the CPU frequency governor, turbo/boost, SMT siblings, ASLR, NUMA nodes, isolated CPUs,
 * frequency limits, memory overcommit and the CPUs the run may use (results/README.md). The
 * readers take a root directory so that the tests can point them at a fake sysfs tree; the
 * warnings are computed from the recorded context alone, so `run` prints them before it
 * measures and the console summary repeats them in one line.
 */
#ifndef AB_ENVIRONMENT_H
#define AB_ENVIRONMENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* Adds the environment fields to ctx, reading /sys and /proc under root ("" for the real
 * ones) about CPU `cpu` (the one the runner children will be pinned to; -1: the last CPU this
 * process may run on, which is the one `run` chooses). allowed_cpus always comes from
 * sched_getaffinity of this process. */
void ab_env_add(json_t *ctx, const char *root, int cpu);

/* Writes one line per setting of ctx that will add noise, each starting with prefix; returns
 * how many. Load: context.load_average[0] above 1. */
int ab_env_warn(const json_t *ctx, FILE *out, const char *prefix);

/* The same findings as a short comma-separated list ("ASLR on, load 1.52"), "" when none. */
void ab_env_noise(const json_t *ctx, char *buf, size_t len);

#endif
