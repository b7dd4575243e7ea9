/* run_signals.h: what `alignbench run` does on SIGINT and SIGTERM.
 *
 * The orchestrator spends its life blocked in ab_child_run waiting for a runner child, and
 * child.h does not expose the child's pid. So the signal handler only records the signal and
 * wakes a watcher thread (through a pipe, the async-signal-safe way); the watcher SIGKILLs every
 * child of this process (found through /proc), again every 20 ms from then on, so no run that
 * starts late can slip through. The main loop then sees ab_run_interrupted() and writes what it
 * has with "complete": false. The handlers are installed without SA_RESTART and the watcher
 * blocks both signals, so a signal lands on the main thread and ends whatever call it is blocked
 * in with EINTR instead of restarting it (every wait of the orchestrator's checks the flag or
 * its children's end). The main thread's signal mask is left alone, so children start with the
 * default dispositions (exec resets handlers). ab_run_signals_stop ends the watcher when the
 * run is over: it does not go on scanning /proc.
 */
#ifndef AB_RUN_SIGNALS_H
#define AB_RUN_SIGNALS_H

/* Starts the watcher and installs the SIGINT and SIGTERM handlers. Returns 0, or -1 with
 * errno. */
int ab_run_signals_start(void);

/* The signal that interrupted the run, or 0. */
int ab_run_interrupted(void);

/* Stops the watcher thread and waits for it (the run is over: no child is left to kill). */
void ab_run_signals_stop(void);

#endif
