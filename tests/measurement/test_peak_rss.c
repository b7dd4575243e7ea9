/* test_peak_rss.c: peak_rss belongs to the runner alone, not to the process that started it.
 *
 * The parent makes 256 MiB resident, then fork+execs itself as the child, which reports
 * ab_memstat_peak_rss() before and after touching 32 MiB of its own. Linux carries the parent's
 * peak into the child's ru_maxrss, so a peak_rss read from ru_maxrss would say >= 256 MiB; the
 * child's own peak is tens of MiB. */
#include "harness/measure/memstat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024ull * 1024ull)

static int child(void)
{
    uint64_t before = ab_memstat_peak_rss();
    char *p = ab_harness_map(32 * MIB, 1);
    uint64_t after = ab_memstat_peak_rss();
    printf("%llu %llu\n", (unsigned long long)before, (unsigned long long)after);
    return p ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "child"))
        return child();
    char *big = mmap(NULL, 256 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (big == MAP_FAILED)
        return 1;
    memset(big, 1, 256 * MIB);
    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        execl("/proc/self/exe", argv[0], "child", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char out[128] = "";
    ssize_t n = read(fds[0], out, sizeof out - 1);
    int status = 0;
    waitpid(pid, &status, 0);
    unsigned long long before = 0, after = 0;
    if (n <= 0 || sscanf(out, "%llu %llu", &before, &after) != 2 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "child failed (output '%s')\n", out);
        return 1;
    }
    printf("child peak_rss: %.1f MiB at start, %.1f MiB after touching 32 MiB (parent holds "
           "256 MiB)\n",
           (double)before / MIB, (double)after / MIB);
    int ok = after < 200 * MIB && after >= before + 30 * MIB;
    if (!ok)
        fprintf(stderr, "FAIL: peak_rss must be the child's own (< 200 MiB) and see its 32 MiB\n");
    munmap(big, 256 * MIB);
    return ok ? 0 : 1;
}
