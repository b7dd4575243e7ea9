/* commands.h: the subcommands of the `alignbench` CLI, one file each (harness/cli/cmd_*.c,
 * gen, trace and record included). Each takes the arguments after its name (argv[0] is the command
 * name) and returns the process exit code. */
#ifndef AB_COMMANDS_H
#define AB_COMMANDS_H

int cmd_list(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_micro(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_bench_harness(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_fidelity(int argc, char **argv);

#endif
