/* replay_args.h: the options of the runner's replay mode, parsed and checked.
 *
 * A file of its own so that runner_replay.c is only about running the passes: what a replay
 * can be asked for (the passes, their repetitions, touching, lowering alignments, pinning) and
 * its --help text live here.
 */
#ifndef AB_REPLAY_ARGS_H
#define AB_REPLAY_ARGS_H

#include "harness/measure/replay.h"

enum { PASS_MEMORY = 1, PASS_BATCH = 2, PASS_PEROP = 4 };

typedef struct replay_args {
    const char *trace, *out;
    ab_replay_opts opts;
    int cpu; /* -1: not pinned */
    unsigned warmup, passes, calib_ms, batch_reps, floor_passes;
    ab_icount_source count;    /* 0: timed passes; else --count: the counting passes */
    const char *callgrind_out; /* --callgrind-out: valgrind's --callgrind-out-file */
} replay_args;

/* Parses the mode's arguments (argv[0] = "replay"). Returns 0 to replay, 1 when --help was
 * printed, or -1 after a message on stderr (bad usage). */
int replay_args_parse(int argc, char **argv, replay_args *a);

#endif
