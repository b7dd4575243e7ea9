/* misbehaving_plugin.c: an allocator "plug-in" for the end-to-end test that misbehaves on
 * purpose inside alignbench-runner, so the test can check that a crashing or hanging child
 * becomes a runs[] row with that status while the other runs go on.
 *
 * It is LD_PRELOADed like any `--alloc NAME=/path/lib.so`; its constructor reads
 * AB_TEST_PLUGIN_MODE: "crash" raises SIGSEGV, "hang" sleeps for a minute (the test's --timeout
 * is shorter), "fail" prints a reason and exits 9. Outside the runner it does nothing.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char *program_invocation_short_name;

__attribute__((constructor)) static void misbehave(void)
{
    const char *mode = getenv("AB_TEST_PLUGIN_MODE");
    if (!mode || strcmp(program_invocation_short_name, "alignbench-runner") != 0)
        return;
    if (!strcmp(mode, "crash"))
        raise(SIGSEGV);
    else if (!strcmp(mode, "hang"))
        sleep(60);
    else if (!strcmp(mode, "fail")) {
        fprintf(stderr, "misbehaving plug-in: refusing on purpose\n");
        _exit(9);
    }
}
