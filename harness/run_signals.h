/* run_signals.h: what `alignbench run` does on SIGINT and SIGTERM.
 *
 * The orchestrator spends its life blocked in ab_child_run waiting for a runner child, and
 * child.h does not expose the child's pid. So the two signals are blocked in every thread and a
 * watcher thread takes them with sigwait: it records the signal and SIGKILLs every child of this
 * process (found through /proc), again every 20 ms until the orchestrator has stopped starting
 * children, so no run can slip through. The main loop then sees ab_run_interrupted() and writes
 * what it has with "complete": false. (Runner children inherit the blocked mask; they never need
 * these signals, because the orchestrator kills them itself.)
 */
#ifndef AB_RUN_SIGNALS_H
#define AB_RUN_SIGNALS_H

/* Blocks SIGINT and SIGTERM and starts the watcher. Returns 0, or -1 with errno. */
int ab_run_signals_start(void);

/* The signal that interrupted the run, or 0. */
int ab_run_interrupted(void);

#endif
