/* fidelity.h: does the replay of a recorded program predict the program itself?
 *
 * `alignbench fidelity` records a program, then runs, in one interleaved run, its traces as
 * replay cells and the program as whole-program cells (docs/fidelity.md). This file turns that
 * run's results.json into the answer, for each allocator B against the first one A:
 *   predicted saved = sum over the program's traces of ops x (cycles_per_op(A) - cycles_per_op(B))
 *   measured saved  = cpu_mcycles(A) - cpu_mcycles(B)
 * in millions of core cycles, so that the host's moving clock (1.9 to 3.7 GHz within seconds on
 * the development VM) cancels out; wall_mcycles when a trace has several threads (the threaded
 * replay times the wall clock of its threads, not their CPU); ns_per_op and cpu_ms (ms) when
 * the runs have no clock reading. Both are taken round by round (A and B ran in the same round,
 * seconds apart, under the same machine conditions), and each figure is the median of the per-round
 * differences with its order-statistic interval (stats.h). They agree when the prediction is within
 * the tolerance (35 % by default) of the measurement; the ranking of the allocators by predicted
 * and by measured time saved is compared too. Where they disagree, `reasons` lists what the
 * replay leaves out for this program.
 */
#ifndef AB_FIDELITY_H
#define AB_FIDELITY_H

#include <jansson.h>
#include <stddef.h>

#define AB_FIDELITY_TOLERANCE 0.35

typedef struct ab_fidelity_program {
    const char *name;    /* the program's cells' workload name */
    const char *command; /* as given to --program */
    const char **traces; /* the workload names of its recorded traces (one per process) */
    size_t ntraces;
} ab_fidelity_program;

/* The "fidelity" object of results.json for these programs (see docs/fidelity.md for its
 * fields). Returns NULL with a message in err when results lacks what it needs (no program
 * cell, a trace that is not a workload of the run, fewer than two allocators). */
json_t *ab_fidelity_compute(const json_t *results, const ab_fidelity_program *progs, size_t n,
                            double tolerance, char *err, size_t errlen);

#endif
