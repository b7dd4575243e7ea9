/* malloc_probe.c: libalignbench-probe.so, the check that a whole program run by
 * `alignbench run --program` is really served by the allocator it is measured as.
 *
 * A program ignores LD_PRELOAD when it is static or setuid, or when its command removes it
 * (`env -u LD_PRELOAD prog`); a cell would then measure glibc's malloc under another name. The
 * orchestrator (harness/orchestrator/program_run.c) preloads this library after the allocator's
 * and names an output file in AB_PROBE_OUT. In every process image that loads it, the
 * constructor asks the dynamic linker which object `malloc` resolves to for the whole process
 * (dlsym(RTLD_DEFAULT), then dladdr1; see malloc_owner for executables that take malloc's
 * address) and appends one line "start<TAB>PID<TAB>LIBRARY<TAB>EXE"; the
 * destructor appends "exit<TAB>PID". Both end with "<TAB>GHZ", the core's clock at that moment
 * (a chain of dependent additions timed with CLOCK_MONOTONIC_RAW: one addition per cycle), so
 * that a program's CPU time can be turned into cycles as the replay's times are (the host moves
 * the clock between 1.9 and 3.7 GHz here within seconds; docs/measurement.md).
 * harness/orchestrator/program_probe.c reads the lines: every
 * process must be served by the expected library, and every process image that started must
 * also have exited normally, or else it replaced itself (exec) with a program that did not load
 * the probe (so did not load the allocator either).
 *
 * Cost: no heap allocation at all (stack buffers, dlsym/dladdr/readlink/open/write/close), one
 * O_APPEND write of under 8 KiB per process start and one per exit, a clock probe of 3 x 40000
 * additions (about 40 us at 3 GHz) at each, and a few pages of mapped library per process. It
 * exports nothing but its constructor and destructor, which are not visible symbols.
 */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The core's clock in GHz: the fastest of three chains of dependent additions (one per cycle on
 * every x86-64 core), timed with CLOCK_MONOTONIC_RAW; 0 when the clock cannot be read. */
static double core_ghz(void)
{
    enum { ADDS = 40000, TRIES = 3 };
    double best = 0;
    for (int t = 0; t < TRIES; t++) {
        struct timespec a, b;
        unsigned long x = 0;
        if (clock_gettime(CLOCK_MONOTONIC_RAW, &a) != 0)
            return 0;
        for (unsigned i = 0; i < ADDS; i++)
            __asm__ __volatile__("add $1, %0" : "+r"(x));
        clock_gettime(CLOCK_MONOTONIC_RAW, &b);
        double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
        double ghz = ns > 0 ? ADDS / ns : 0;
        best = ghz > best ? ghz : best;
    }
    return best;
}

/* One line appended whole (O_APPEND writes of one buffer do not interleave between processes). */
static void append_line(const char *line, size_t len)
{
    const char *path = getenv("AB_PROBE_OUT");
    if (!path || !*path)
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    ssize_t w = write(fd, line, len);
    (void)w;
    close(fd);
}

/* The object whose `malloc` the process calls. dlsym(RTLD_DEFAULT) answers it, except when the
 * executable takes malloc's address without defining it (python3 does): its PLT entry is then
 * malloc's canonical address and dladdr names the executable, whose symbol is undefined. Then
 * the next functions of the same family are asked the same question, in order: a malloc
 * replacement defines them all, so the first one that resolves to a real definition names the
 * object serving the process's allocations. */
static const char *malloc_owner(void)
{
    static const char *const family[] = {
        "malloc",         "calloc",        "realloc",           "free",
        "posix_memalign", "aligned_alloc", "malloc_usable_size"};
    for (size_t i = 0; i < sizeof family / sizeof family[0]; i++) {
        void *sym = dlsym(RTLD_DEFAULT, family[i]);
        Dl_info info;
        const ElfW(Sym) *es = NULL;
        if (!sym || !dladdr1(sym, &info, (void **)&es, RTLD_DL_SYMENT))
            continue;
        if (es && es->st_shndx == SHN_UNDEF)
            continue; /* the executable's canonical PLT entry */
        return info.dli_fname && *info.dli_fname ? info.dli_fname : "the executable";
    }
    return "unresolved";
}

__attribute__((constructor)) static void probe_start(void)
{
    const char *lib = malloc_owner();
    char exe[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    char line[8192];
    int len = snprintf(line, sizeof line, "start\t%ld\t%s\t%s\t%.4f\n", (long)getpid(), lib,
                       n > 0 ? exe : "?", core_ghz());
    if (len > 0)
        append_line(line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
}

__attribute__((destructor)) static void probe_exit(void)
{
    char line[64];
    int len = snprintf(line, sizeof line, "exit\t%ld\t%.4f\n", (long)getpid(), core_ghz());
    if (len > 0)
        append_line(line, (size_t)len);
}
