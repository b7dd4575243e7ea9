/* runner_modes.h: what the runner child (alignbench-runner) can be asked to do.
 *
 * The runner is the measured process: one allocator per process (docs/allocators.md). The
 * orchestrator execs it as `alignbench-runner MODE --alloc NAME [--lib PATH] [MODE ARGS...]`,
 * with the allocator's library already in LD_PRELOAD. runner_main.c parses the allocator
 * options, creates the allocator (which verifies that it is the one serving malloc) and hands
 * the rest to the mode, so no mode can run against the wrong allocator.
 */
#ifndef AB_RUNNER_MODES_H
#define AB_RUNNER_MODES_H

#include "allocators/allocator.h"

typedef struct ab_runner_ctx {
    const ab_allocator *alloc; /* created and verified */
    const char *alloc_name;    /* the name the user asked for (a plug-in's own name) */
    const char *lib_path;      /* the preloaded library, or NULL */
    unsigned threads;          /* --threads N: the allocator was created for N threads (0: 1) */
} ab_runner_ctx;

/* Each mode gets the arguments after the allocator options (argv[0] = mode name). */
int runner_probe(const ab_runner_ctx *ctx, int argc, char **argv);
int runner_conformance(const ab_runner_ctx *ctx, int argc, char **argv);
int runner_micro(const ab_runner_ctx *ctx, int argc, char **argv);  /* runner_micro.c */
int runner_replay(const ab_runner_ctx *ctx, int argc, char **argv); /* runner_replay.c */

/* Each mode's --help text, which runner_main.c also prints for `MODE --help` without --alloc. */
extern const char runner_probe_usage[], runner_conformance_usage[], runner_micro_usage[],
    runner_replay_usage[]; /* the last in replay_args.c */

#endif
