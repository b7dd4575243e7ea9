/* malloc_probe.c: libalignbench-probe.so, the check that a whole program run by
 * `alignbench run --program` is really served by the allocator it is measured as.
 *
 * A program ignores LD_PRELOAD when it is static or setuid, or when its command removes it
 * (`env -u LD_PRELOAD prog`); a cell would then measure glibc's malloc under another name. The
 * orchestrator (harness/orchestrator/program_run.c) preloads this library after the allocator's
 * and names an output file in AB_PROBE_OUT. In every process image that loads it, the
 * constructor asks the dynamic linker which object `malloc` resolves to for the whole process
 * (dlsym(RTLD_DEFAULT), then dladdr) and appends one line "start<TAB>PID<TAB>LIBRARY<TAB>EXE"; the
 * destructor appends "exit<TAB>PID". harness/orchestrator/program_probe.c reads the lines: every
 * process must be served by the expected library, and every process image that started must
 * also have exited normally, or else it replaced itself (exec) with a program that did not load
 * the probe (so did not load the allocator either).
 *
 * Cost: no heap allocation at all (stack buffers, dlsym/dladdr/readlink/open/write/close), one
 * O_APPEND write of under 8 KiB per process start and one per exit, tens of microseconds and a
 * few pages of mapped library per process. It exports nothing but its constructor and
 * destructor, which are not visible symbols.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One line appended whole (O_APPEND writes of one buffer do not interleave between processes). */
static void append_line(const char *line, size_t len)
{
    const char *path = getenv("AB_PROBE_OUT");
    if (!path || !*path)
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    ssize_t w = write(fd, line, len);
    (void)w;
    close(fd);
}

__attribute__((constructor)) static void probe_start(void)
{
    const char *lib = "unresolved";
    void *sym = dlsym(RTLD_DEFAULT, "malloc");
    Dl_info info;
    if (sym && dladdr(sym, &info) && info.dli_fname && *info.dli_fname)
        lib = info.dli_fname;
    char exe[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    char line[8192];
    int len =
        snprintf(line, sizeof line, "start\t%ld\t%s\t%s\n", (long)getpid(), lib, n > 0 ? exe : "?");
    if (len > 0)
        append_line(line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
}

__attribute__((destructor)) static void probe_exit(void)
{
    char line[64];
    int len = snprintf(line, sizeof line, "exit\t%ld\n", (long)getpid());
    if (len > 0)
        append_line(line, (size_t)len);
}
