/* fault_plugin.c: malloc replacements that fail in the middle of a replay, for the hardening
 * tests: plugged into a run with `--alloc NAME=/path/lib.so` (LD_PRELOADed into the runner
 * child only), they check that a child dying or hanging deep inside the allocator becomes a
 * results.json row saying what happened while the other cells still run.
 *
 * One source, built twice (FAULT_MODE):
 *   FAULT_SEGV  the Nth allocation call (malloc, calloc, realloc, aligned_alloc, memalign,
 *               posix_memalign, valloc, pvalloc) writes through a null pointer: SIGSEGV.
 *   FAULT_SPIN  the Nth allocation call spins forever (the harness's --timeout must kill it).
 *   FAULT_CHATTY the Nth allocation call prints AB_FAULT_CHATTY_BYTES (default 80000000) lines
 *               of text to stderr and as many to stdout, then the run goes on normally (the
 *               harness must cap the child's logs).
 * N is AB_FAULT_AT_CALL (default 1000), counted from the start of the process; the fault only
 * fires inside alignbench-runner, so a tool that merely loads the library is unaffected. Every
 * call delegates to glibc's __libc_* functions, so the library needs no allocator of its own.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAULT_SEGV 1
#define FAULT_SPIN 2
#define FAULT_CHATTY 3
#ifndef FAULT_MODE
#error "build with -DFAULT_MODE=FAULT_SEGV, FAULT_SPIN or FAULT_CHATTY"
#endif

extern char *program_invocation_short_name;
extern void *__libc_malloc(size_t size);
extern void __libc_free(void *p);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);

static atomic_ullong calls;
static unsigned long long fault_at = 1000;
static int armed;

__attribute__((constructor)) static void fault_init(void)
{
    const char *n = getenv("AB_FAULT_AT_CALL");
    if (n && *n)
        fault_at = strtoull(n, NULL, 10);
    armed = strcmp(program_invocation_short_name, "alignbench-runner") == 0;
}

static void fault_point(void)
{
    if (!armed || atomic_fetch_add(&calls, 1) + 1 != fault_at)
        return;
#if FAULT_MODE == FAULT_SEGV
    volatile int *null_pointer = (volatile int *)(uintptr_t)0;
    *null_pointer = 1;
#elif FAULT_MODE == FAULT_SPIN
    for (;;)
        __asm__ __volatile__("pause");
#else
    const char *b = getenv("AB_FAULT_CHATTY_BYTES");
    unsigned long long bytes = b && *b ? strtoull(b, NULL, 10) : 80000000ull;
    static const char line[] = "chatty plug-in: 64 bytes of nothing much, said again and again!\n";
    for (int fd = 2; fd >= 1; fd--)
        for (unsigned long long done = 0; done < bytes;) {
            size_t n = bytes - done < sizeof line - 1 ? (size_t)(bytes - done) : sizeof line - 1;
            ssize_t w = write(fd, line, n);
            if (w <= 0)
                break;
            done += (unsigned long long)w;
        }
#endif
}

void *malloc(size_t size)
{
    fault_point();
    return __libc_malloc(size);
}

void free(void *p)
{
    __libc_free(p);
}

void *calloc(size_t n, size_t size)
{
    fault_point();
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    fault_point();
    return __libc_realloc(p, size);
}

void *memalign(size_t align, size_t size)
{
    fault_point();
    return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    fault_point();
    return __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    fault_point();
    void *p = __libc_memalign(align, size);
    if (!p && size)
        return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t size)
{
    fault_point();
    return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    fault_point();
    return __libc_memalign(page, (size + page - 1) & ~(page - 1));
}

/* Not an allocation: the runner's check that the plug-in serves it asks for this symbol too. */
size_t malloc_usable_size(void *p)
{
    static size_t (*libc_usable)(void *);
    if (!libc_usable)
        libc_usable = (size_t(*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
    return p && libc_usable ? libc_usable(p) : 0;
}
