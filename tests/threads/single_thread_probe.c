/* single_thread_probe.c: a library preloaded into the runner by threads_single.sh that writes,
 * at exit, whether the process ever had a second thread (__libc_single_threaded: glibc clears it
 * for good at the first thread creation) to the file named by AB_PROBE_OUT. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/single_threaded.h>

__attribute__((destructor)) static void probe_report(void)
{
    const char *path = getenv("AB_PROBE_OUT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f)
        return;
    fprintf(f, "single_threaded=%d\n", (int)__libc_single_threaded);
    fclose(f);
}
